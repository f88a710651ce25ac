# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/bench/run.sh's results -> the Markdown section of docs/performance.md.
# Input lines:
#   iperf LABEL MBPS
#   iperf-fail LABEL why
#   run store=S target=T round=R workload=W bs=B qd=Q secs=... ios=... iops=...
#       mbps=... lat_avg_us=... lat_p50_us=... lat_p99_us=... target_cpu_us=...
#       cpu_us_per_io=... client_cpu_us=...
#   fail store=S wl=W qd=Q target=T round=R why
# A workload is named W@QD (randread@32).
# Each figure of a (store, workload, target) row is the mean over its rounds;
# the last column gives every round's IOPS, in order.
# Variables: rounds secs ramp date elapsed ncpu cpu mem kernel pver tver lver
# iver palive talive pwarn tparams tparams_set.

function kv(field,    i) {
	i = index(field, "=")
	return i ? substr(field, i + 1) : ""
}

function key(field) {
	return substr(field, 1, index(field, "=") - 1)
}

function wlname(w) {
	if (w == "randread@32") return "4K random read, QD32"
	if (w == "randwrite@32") return "4K random write, QD32"
	if (w == "seqread@8") return "1 MiB sequential read, QD8"
	if (w == "seqwrite@8") return "1 MiB sequential write, QD8"
	if (w == "randread@256") return "4K random read, QD256"
	if (w == "randread-batch@128") return "4K random read, batches of 128"
	return w
}

# Whether a store runs a workload (the deep queue runs on the null store only).
function runs(store, w) {
	return (w != "randread@256" && w != "randread-batch@128") || store == "null"
}

function mean(name, k) {
	return n[k] ? sum[name, k] / n[k] : 0
}

function verdict(ok) {
	return ok ? "**met**" : "**not met**"
}

$1 == "iperf" {
	iperf[$2] = $3
	iperf_sum += $3
	iperf_n++
	next
}

$1 == "iperf-fail" {
	fails[++nfails] = "iperf3 (" $2 "): " substr($0, length($1) + length($2) + 3)
	next
}

$1 == "run" {
	delete f
	for (i = 2; i <= NF; i++)
		f[key($i)] = kv($i)
	if (f["machine_busy_us"] >= 0 && f["ncpu"] > 0 && f["secs"] > 0) {
		# what processes other than the target and the client used, as a share of the machine
		# (clock ticks of 10 ms make it slightly negative on an idle machine: 0 then)
		busy = f["machine_busy_us"] - f["target_cpu_us"] - f["client_cpu_us"]
		f["other_pct"] = busy > 0 ? 100 * busy / (f["ncpu"] * f["secs"] * 1e6) : 0
		other_sum += f["other_pct"]
		other_n++
		if (f["other_pct"] > other_max)
			other_max = f["other_pct"]
	}
	k = f["store"] SUBSEP f["workload"] "@" f["qd"] SUBSEP f["target"]
	n[k]++
	for (m in f)
		if (m != "store" && m != "workload" && m != "target" && m != "round")
			sum[m, k] += f[m]
	per[k] = per[k] (per[k] == "" ? "" : ", ") f["iops"]
	next
}

$1 == "fail" {
	fails[++nfails] = substr($0, 6)
	next
}

END {
	nstores = split("file null", stores, " ")
	nwls = split("randread@32 randwrite@32 seqread@8 seqwrite@8 randread@256 randread-batch@128", wls, " ")
	split("porticod tgt", targets, " ")
	storename["file"] = "file (1 GiB on tmpfs)"
	storename["null"] = "null"

	print "## Benchmark: porticod and tgt side by side (tests/bench)"
	print ""
	print "Measured " date " by `make bench` (`sh tests/bench/run.sh build`), " elapsed " s in all."
	print ""
	print "- Machine: " ncpu " cores (" cpu "), " mem " RAM, Linux " kernel "; client and both targets on the same machine, loopback only."
	print "- porticod " pver ", its defaults: one I/O thread per CPU, write-back, and the login parameters of docs/configuration.md (MaxRecvDataSegmentLength=262144 MaxBurstLength=1048576 FirstBurstLength=65536 MaxOutstandingR2T=1 InitialR2T=Yes ImmediateData=Yes)."
	print "- tgt " tver " (Debian's tgtd), " (tparams_set == "" ? "its defaults" : "with " tparams_set) "; its login parameters: " tparams (tparams_set == "" ? " (its MaxRecvDataSegmentLength of 8192 makes the client send writes to it in 8 KiB Data-Out PDUs, against 256 KiB to porticod; `BENCH_TGT_PARAMS=MaxRecvDataSegmentLength=262144,MaxBurstLength=1048576` gives it porticod's values)" : "") "."
	print "- libiscsi " lver ": the client offers MaxRecvDataSegmentLength=262144 (Data-In PDUs of up to 256 KiB) and MaxBurstLength=262144 (so a 1 MiB write takes 4 R2T sequences with either target); iperf3 " iver "."
	print "- Client: `tests/bench/iscsi-bench` (libiscsi async API, one session, QD commands always in flight, READ(16)/WRITE(16)). " \
	      "Rounds per workload and store: " rounds ", alternating porticod and tgt (A B A B); each run " ramp " s ramp then " secs " s measured."
	print "- Target CPU per I/O: utime+stime of the target process (every thread) over the measured window, divided by the I/Os completed in it."
	if (iperf_n)
		printf "- Loopback TCP bandwidth (iperf3, one stream, 5 s, 127.0.0.1): %s MB/s before, %s MB/s after, mean %.0f MB/s.\n",
			("before" in iperf) ? iperf["before"] : "?", ("after" in iperf) ? iperf["after"] : "?", iperf_sum / iperf_n
	if (other_n)
		printf "- Other load: processes other than the target and the client used on average %.0f%% of the machine's CPU during the measured windows (at most %.0f%% in one run); the last column gives it per row. Figures taken while other work ran are noisier; the ratios below compare runs interleaved in time.\n",
			other_sum / other_n, other_max
	print ""
	print "| store | workload | target | IOPS | MB/s | p50 µs | p99 µs | target CPU µs/I/O | IOPS per round | other load |"
	print "|---|---|---|---:|---:|---:|---:|---:|---|---:|"
	for (s = 1; s <= nstores; s++)
		for (w = 1; w <= nwls; w++)
			for (t = 1; t <= 2 && runs(stores[s], wls[w]); t++) {
				k = stores[s] SUBSEP wls[w] SUBSEP targets[t]
				if (!n[k]) {
					printf "| %s | %s | %s | — | — | — | — | — | no run completed | — |\n",
						storename[stores[s]], wlname(wls[w]), targets[t]
					continue
				}
				printf "| %s | %s | %s | %.0f | %.1f | %.0f | %.0f | %.1f | %s | %.0f%% |\n",
					storename[stores[s]], wlname(wls[w]), targets[t],
					mean("iops", k), mean("mbps", k), mean("lat_p50_us", k),
					mean("lat_p99_us", k), mean("cpu_us_per_io", k), per[k],
					mean("other_pct", k)
			}
	print ""
	print "The QD256 row keeps more commands in flight than the CmdSN window a session gets (128 for both targets): the client holds the rest until the target's MaxCmdSN lets them go. The batch row sends 128 commands at once and the next 128 only when all are back (`iscsi-bench -B`), as an initiator does that waits for a whole batch. A command that gets no answer fails the run after 10 s (libiscsi's task timeout), and the run is listed under \"What went wrong\" with its ITT and CmdSN."
	print ""
	print "### porticod / tgt, same run"
	print ""
	print "| store | workload | IOPS ratio | CPU per I/O ratio |"
	print "|---|---|---:|---:|"
	ncpu_rows = ncpu_met = 0
	for (s = 1; s <= nstores; s++)
		for (w = 1; w <= nwls; w++) {
			if (!runs(stores[s], wls[w]))
				continue
			kp = stores[s] SUBSEP wls[w] SUBSEP "porticod"
			kt = stores[s] SUBSEP wls[w] SUBSEP "tgt"
			if (!n[kp] || !n[kt] || mean("iops", kt) == 0 || mean("cpu_us_per_io", kt) <= 0) {
				printf "| %s | %s | — | — |\n", storename[stores[s]], wlname(wls[w])
				continue
			}
			ri = mean("iops", kp) / mean("iops", kt)
			rc = mean("cpu_us_per_io", kp) / mean("cpu_us_per_io", kt)
			ratio_iops[stores[s], wls[w]] = ri
			ratio_cpu[stores[s], wls[w]] = rc
			ncpu_rows++
			if (rc <= 0.5)
				ncpu_met++
			printf "| %s | %s | %.2f× | %.2f× |\n", storename[stores[s]], wlname(wls[w]), ri, rc
		}
	print ""
	print "### The issue's targets"
	print ""
	line = "- porticod's 4K random-read IOPS ≥ 1.5× tgt's in the same run:"
	for (s = 1; s <= nstores; s++) {
		if ((stores[s], "randread@32") in ratio_iops)
			line = line sprintf(" %s store %.2f× (%s);", stores[s], ratio_iops[stores[s], "randread@32"],
				verdict(ratio_iops[stores[s], "randread@32"] >= 1.5))
		else
			line = line " " stores[s] " store: no figure;"
	}
	sub(/;$/, ".", line)
	print line
	line = "- porticod's CPU per I/O ≤ 0.5× tgt's:"
	for (s = 1; s <= nstores; s++)
		if ((stores[s], "randread@32") in ratio_cpu)
			line = line sprintf(" 4K random read, %s store %.2f× (%s);", stores[s],
				ratio_cpu[stores[s], "randread@32"], verdict(ratio_cpu[stores[s], "randread@32"] <= 0.5))
	line = line sprintf(" met on %d of the %d workload/store pairs above.", ncpu_met, ncpu_rows)
	print line
	line = "- porticod's 1 MiB sequential reads ≥ 50% of the loopback TCP bandwidth iperf3 measured in the same run:"
	if (iperf_n) {
		bw = iperf_sum / iperf_n
		for (s = 1; s <= nstores; s++) {
			k = stores[s] SUBSEP "seqread@8" SUBSEP "porticod"
			if (n[k])
				line = line sprintf(" %s store %.0f MB/s = %.0f%% of %.0f MB/s (%s);", stores[s],
					mean("mbps", k), 100 * mean("mbps", k) / bw, bw,
					verdict(mean("mbps", k) >= bw / 2))
			else
				line = line " " stores[s] " store: no figure;"
		}
		sub(/;$/, ".", line)
	} else {
		line = line " no iperf3 figure."
	}
	print line
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
	print "`make bench` (or `sh tests/bench/run.sh build`; `BENCH_SECS`, `BENCH_RAMP` and `BENCH_ROUNDS` change the run length). It:"
	print ""
	print "1. builds the client: `cc -std=gnu11 -O2 ... -o build/tests/bench/iscsi-bench tests/bench/iscsi-bench.c -liscsi`;"
	print "2. fills a 1 GiB file on tmpfs: `dd if=/dev/zero of=/dev/shm/portico-bench.XXXXXX/lun.img bs=1M count=1024`;"
	print "3. starts `porticod -c porticod.conf -f` with backstores `{ type = \"file\"; path = \".../lun.img\"; }` (LUN 0) and `{ type = \"null\"; size = \"1G\"; }` (LUN 1), one portal on 127.0.0.1, an ACL for the client;"
	print "4. starts `tgtd -f -C CTL --iscsi portal=127.0.0.1:PORT` and `tgtadm -C CTL --lld iscsi --mode logicalunit --op new --tid 1 --lun 1 --backing-store .../lun.img --bstype rdwr` (LUN 2: `--backing-store benchnull --bstype null`), bound to ALL;"
	print "5. runs `iperf3 -s -B 127.0.0.1 -p PORT -1` and `iperf3 -c 127.0.0.1 -p PORT -t 5 -f m`, before and after;"
	print "6. for each store and workload, " rounds " × (porticod, then tgt): `iscsi-bench -u iscsi://127.0.0.1:PORT/IQN/LUN -w randread|randwrite|seqread|seqwrite -b 4096|1048576 -q 32|8|256|128 [-B] -t " secs " -r " ramp " -p TARGET_PID`."
}
