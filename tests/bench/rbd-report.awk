# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/bench/rbd.sh's results -> the Markdown section of docs/performance.md.
# Input lines (the results file):
#   run target=T round=R workload=W bs=B qd=Q secs=... ios=... iops=...
#       mbps=... lat_p50_us=... lat_p99_us=... cpu_us_per_io=...
#       [target_cpu_us=... client_cpu_us=... machine_busy_us=...]
#   fail ...
# and the file failfile: "failover N FROM TO MS" lines.
# A workload is named W@QD (randread@32); each figure of a (workload,
# target) row is the mean over its rounds; the last column gives every
# round's IOPS, in order.

function kv(field,    i) {
	i = index(field, "=")
	return i ? substr(field, i + 1) : ""
}

function key(field) {
	return substr(field, 1, index(field, "=") - 1)
}

function wlname(w) {
	if (w == "randread@1") return "4K random read, QD1"
	if (w == "randread@32") return "4K random read, QD32"
	if (w == "randwrite@1") return "4K random write, QD1"
	if (w == "randwrite@32") return "4K random write, QD32"
	if (w == "seqread@8") return "1 MiB sequential read, QD8"
	if (w == "seqwrite@8") return "1 MiB sequential write, QD8"
	return w
}

function mean(name, k) {
	return n[k] ? sum[name, k] / n[k] : 0
}

function ratio(name, ka, kb) {
	if (!n[ka] || !n[kb] || mean(name, kb) <= 0)
		return "—"
	return sprintf("%.2f×", mean(name, ka) / mean(name, kb))
}

$1 == "run" {
	delete f
	for (i = 2; i <= NF; i++)
		f[key($i)] = kv($i)
	k = f["workload"] "@" f["qd"] SUBSEP f["target"]
	n[k]++
	for (m in f)
		if (m != "workload" && m != "target" && m != "round")
			sum[m, k] += f[m]
	# the CPU every process other than the target and the client used (the
	# cluster's daemons, mostly), per I/O: iscsi-bench's runs only
	if ("machine_busy_us" in f && f["ios"] > 0) {
		other = f["machine_busy_us"] - f["target_cpu_us"] - f["client_cpu_us"]
		sum["other_us_per_io", k] += (other > 0 ? other : 0) / f["ios"]
		nother[k]++
	}
	per[k] = per[k] (per[k] == "" ? "" : ", ") f["iops"]
	next
}

$1 == "fail" {
	fails[++nfails] = substr($0, 6)
	next
}

END {
	nwls = split("randread@1 randread@32 randwrite@1 randwrite@32 seqread@8 seqwrite@8", wls, " ")
	split("fio-rbd porticod tgt", targets, " ")
	tname["fio-rbd"] = "fio rbd engine (librbd, no iSCSI)"
	tname["porticod"] = "porticod, rbd backstore"
	tname["tgt"] = "tgt, bs_rbd"

	print "## Benchmark: an RBD image through porticod, tgt, and librbd directly (tests/bench/rbd.sh)"
	print ""
	print "Measured " date " by `make bench-rbd` (`sh tests/bench/rbd.sh build`), " elapsed " s in all (the cluster's start, with the wait for the machine's cluster lock, " cluster_secs " s; writing the image through " fill_secs " s)."
	print ""
	print "- Machine: " ncpu " cores (" cpu "), " mem " RAM, Linux " kernel "; load average " load_start " at the start, " load_end " at the end. Client, gateways and cluster on the same machine, loopback only."
	print "- Cluster: Ceph " cver " (Debian's), tests/ceph/cluster.sh's one-node cluster: one monitor, one manager, one OSD (BlueStore on a 10 GiB sparse file on " osd_fs ", " osd_dev "), pool `rbd` of size 1 and 32 PGs. The image: " size_mib " MiB, feature layering only, written through once (4 MiB writes at QD 8, " fill_mbps " MB/s) before the runs."
	print "- Every client of the image with librbd's cache off (`rbd cache = false` in the configuration they all read; porticod turns it off itself): a write is acknowledged when the OSD has it on stable storage."
	print "- fio " fver ", `--ioengine=rbd`: librbd in fio's own process, no iSCSI, no gateway: the ceiling a gateway on this cluster can approach. Latency is fio's submission-to-completion (`lat`). CPU is every fio process and thread (librbd's included) over fio's whole life, divided by all its I/Os: fio's own usr/sys figures count one thread only, so fio runs without a ramp, and the CPU time of a fio that connects, opens the image, reads 4 KiB and closes (" fio_base " µs, the median of three) is taken off each run's."
	print "- porticod " pver ", its defaults (one I/O thread per CPU); tgt " tver " (Debian's tgtd with tgt-rbd, `--bstype rbd --bsopts conf=...;id=admin`), its defaults (" tparams ")."
	print "- Client for both gateways: `tests/bench/iscsi-bench` (libiscsi " lver ", async API, one session, QD commands always in flight, READ(16)/WRITE(16)); CPU per I/O is the gateway process's utime+stime (every thread, librbd's included) over the measured window, divided by the I/Os completed in it."
	print "- Rounds per workload: " rounds ", each fio-rbd, porticod, tgt in turn; each run " ramp " s ramp then " secs " s measured. \"Cluster CPU\" is what every process other than the gateway and the client used per I/O (the OSD, monitor and manager, plus any other load on the machine), for the iSCSI rows."
	print ""
	print "| workload | path | IOPS | MB/s | p50 µs | p99 µs | librbd process CPU µs/I/O | cluster CPU µs/I/O | IOPS per round |"
	print "|---|---|---:|---:|---:|---:|---:|---:|---|"
	for (w = 1; w <= nwls; w++)
		for (t = 1; t <= 3; t++) {
			k = wls[w] SUBSEP targets[t]
			if (!n[k]) {
				printf "| %s | %s | — | — | — | — | — | — | no run completed |\n",
					wlname(wls[w]), tname[targets[t]]
				continue
			}
			oc = nother[k] ? sprintf("%.1f", sum["other_us_per_io", k] / nother[k]) : "—"
			printf "| %s | %s | %.0f | %.1f | %.0f | %.0f | %.1f | %s | %s |\n",
				wlname(wls[w]), tname[targets[t]], mean("iops", k), mean("mbps", k),
				mean("lat_p50_us", k), mean("lat_p99_us", k), mean("cpu_us_per_io", k), oc, per[k]
		}
	print ""
	print "### Ratios, same run"
	print ""
	print "| workload | porticod / fio-rbd IOPS | tgt / fio-rbd IOPS | porticod / tgt IOPS | porticod / tgt CPU per I/O |"
	print "|---|---:|---:|---:|---:|"
	for (w = 1; w <= nwls; w++) {
		kf = wls[w] SUBSEP "fio-rbd"
		kp = wls[w] SUBSEP "porticod"
		kt = wls[w] SUBSEP "tgt"
		printf "| %s | %s | %s | %s | %s |\n", wlname(wls[w]), ratio("iops", kp, kf),
			ratio("iops", kt, kf), ratio("iops", kp, kt), ratio("cpu_us_per_io", kp, kt)
	}
	print ""

	# the failovers, per lease, in the order of BENCH_LEASE_MS
	nl = split(leases, lease, " ")
	while ((getline l < failfile) > 0) {
		split(l, a, " ")
		if (a[1] == "failover") {
			nf[a[2]]++
			ms[a[2], nf[a[2]]] = a[6] + 0
			how[a[2], nf[a[2]]] = a[4] " → " a[5]
		} else if (a[1] == "fenced") {
			fenced[a[2]] = a[3]
		}
	}
	print "### Failover of a killed owner"
	print ""
	if (nfail == 0) {
		print "Not run (BENCH_FAILOVERS=0)."
	} else {
		print "Two porticod gateways of one gateway group serve a 64 MiB image (gw-a through TPG 1, gw-b through TPG 2, each its own port on 127.0.0.1), with the lease (`gateway_lease_ms`) of the row (15 s is the default; the ceph tests use 6 s). The owner is killed (`kill -9`); the time is from the kill to the other gateway's log line `serving as owner (active/optimized)`, which it writes after it has blocklisted the dead owner (docs/rbd.md), as tests/ceph/owner.sh times it (the log is polled every 50 ms). The killed gateway is started again, a follower, and the new owner is killed 3 s later plus a random part of its renewal period (a third of the lease), so that the kills fall at random points of the renewal cycle. No I/O runs meanwhile."
		print ""
		print "| lease | takeovers | min ms | median ms | max ms | each, ms | dead owners blocklisted |"
		print "|---:|---:|---:|---:|---:|---|---:|"
		for (li = 1; li <= nl; li++) {
			L = lease[li]
			c = nf[L] + 0
			if (c == 0) {
				printf "| %d ms | 0 of %d | — | — | — | none completed | %d |\n", L, nfail, fenced[L] + 0
				continue
			}
			delete sorted
			for (i = 1; i <= c; i++)
				sorted[i] = ms[L, i]
			for (i = 2; i <= c; i++) {
				v = sorted[i]
				for (j = i - 1; j >= 1 && sorted[j] > v; j--)
					sorted[j + 1] = sorted[j]
				sorted[j + 1] = v
			}
			med = c % 2 ? sorted[(c + 1) / 2] : (sorted[c / 2] + sorted[c / 2 + 1]) / 2
			list = ""
			for (i = 1; i <= c; i++)
				list = list (i > 1 ? ", " : "") ms[L, i] " (" how[L, i] ")"
			printf "| %d ms | %d of %d | %d | %d | %d | %s | %d |\n", L, c, nfail, sorted[1], med,
				sorted[c], list, fenced[L] + 0
		}
	}
	print ""
	if (palive != "yes" || talive != "yes" || nfails || pwarn > 0) {
		print "### What went wrong"
		print ""
		if (palive != "yes")
			print "- porticod was no longer running at the end of the run."
		if (talive != "yes")
			print "- tgtd was no longer running at the end of the run."
		if (pwarn > 0)
			print "- porticod logged " pwarn " warnings or errors during the run."
		for (i = 1; i <= nfails; i++)
			print "- " fails[i]
		print ""
	}
	print "### How to reproduce"
	print ""
	print "`make bench-rbd` (or `sh tests/bench/rbd.sh build`; `make bench` runs it after tests/bench/run.sh; `BENCH_SECS`, `BENCH_RAMP`, `BENCH_ROUNDS`, `BENCH_FAILOVERS` and `BENCH_LEASE_MS` change the run). It installs the ceph and bench-rbd groups of packages (`scripts/install-deps.sh --group ceph`, `--group bench-rbd`: tgt-rbd), starts the one-node cluster of tests/ceph/cluster.sh (it waits for the machine's cluster lock), and:"
	print ""
	print "1. `rbd create --size " size_mib "M --image-feature layering rbd/bench0`, then `fio --ioengine=rbd --rw=write --bs=4M --iodepth=8` over all of it;"
	print "2. starts porticod with `{ type = \"rbd\"; path = \"rbd/bench0\"; ceph_conf = \"...\"; }` as LUN 0, and tgtd with `tgtadm ... --op new --lun 1 --backing-store rbd/bench0 --bstype rbd --bsopts \"conf=...;id=admin\"`;"
	print "3. for each workload, " rounds " × (fio-rbd, porticod, tgt): `fio --ioengine=rbd --pool=rbd --rbdname=bench0 --rw=randread|randwrite|read|write --bs=4k|1M --iodepth=1|32|8 --time_based --runtime=" secs " --norandommap --lat_percentiles=1` (CPU: the shell's `times` after it), and `iscsi-bench -u iscsi://127.0.0.1:PORT/IQN/LUN -w randread|randwrite|seqread|seqwrite -b 4096|1048576 -q 1|32|8 -t " secs " -r " ramp " -p GATEWAY_PID`;"
	print "4. stops both; for each lease (`BENCH_LEASE_MS`, \"" leases "\" ms), makes `rbd/ownLEASE` (64 MiB, layering), starts two gateways of group `g1` with `gateway_lease_ms = \"LEASE\"` and kills the owner " nfail " times."
}
