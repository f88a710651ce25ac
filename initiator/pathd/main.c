/* SPDX-License-Identifier: GPL-2.0-or-later */
/* portico-pathd: the Portico path manager of a KVM host (docs/pathd.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/notify.h"
#include "initiator/adapt/iscsiadm.h"
#include "initiator/adapt/scan.h"
#include "initiator/adapt/virt.h"
#include "initiator/pathd/pathd.h"
#include "mpath/path_name.h"
#include "common/version.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: portico-pathd [-c FILE] [-f] [-t] [-d COMPONENTS] [-v]\n"
		"       portico-pathd --udev-name DEVICE\n"
		"  -c FILE          configuration file (default " PATHD_CONF_DEFAULT ")\n"
		"  -f               stay in the foreground, log to stderr\n"
		"  -t               check the configuration and exit\n"
		"  -d COMPONENTS    debug output for components (pathd,iscsiadm,nic or all)\n"
		"  -v               more output (info level)\n"
		"  --udev-name DEV  print PORTICO_PATH_NAME=<the path's name> for disk DEV\n"
		"                   (for udev: conf/61-portico-path.rules) and exit\n"
		"  -h, --help       this help\n"
		"  --version        the version\n");
}

/*
 * For udev's IMPORT{program}: the stable name of disk dev, when it is a
 * path of pathd's (a session over one of its iface records). Nothing is
 * printed for any other disk; the exit status is 0 either way, so that
 * udev has nothing to complain about.
 */
static int udev_name(const char *dev)
{
	struct scan_snapshot s = { 0 };
	char name[MP_PATH_NAME_MAX];

	if (scan_read("/sys", IADM_IFACE_PREFIX, &s))
		return 0;
	for (size_t i = 0; i < s.ndisks; i++) {
		if (strcmp(s.disks[i].ev.dev, dev))
			continue;
		if (mp_path_name(&s.disks[i].ev.key, name, sizeof(name)) > 0)
			printf("PORTICO_PATH_NAME=%s\n", name);
		break;
	}
	scan_free(&s);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "udev-name", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = PATHD_CONF_DEFAULT, *debug = NULL;
	bool foreground = false, check_only = false, verbose = false;
	struct pathd_env env = {
		.dm = &dm_libdm_ops,
		.sysfs_root = "/sys",
		.initiatorname_file = PATHD_INITIATORNAME_FILE,
		.udev = true,
		.sysctl = true,
		.sockkill = true,
		.virt = &virt_libvirt_ops,
	};
	struct pathd_conf conf;
	struct cfg_err err = { { 0 } };
	struct pathd *pd = NULL;
	char msg[600];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:ftd:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 't':
			check_only = true;
			break;
		case 'd':
			debug = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'U':
			return udev_name(optarg);
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("portico-pathd %s\n", PORTICO_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	log_init("portico-pathd");
	rc = pathd_conf_load(path, env.initiatorname_file, &conf, &err);
	if (rc) {
		/* one line that names the file, the line and what to fix */
		fprintf(stderr, "portico-pathd: %s\n", err.msg);
		pathd_conf_free(&conf);
		return 1;
	}
	if (conf.warning[0])
		fprintf(stderr, "portico-pathd: warning: %s\n", conf.warning);
	if (check_only) {
		printf("portico-pathd: %s: configuration is valid\n", path);
		pathd_conf_free(&conf);
		return 0;
	}
	log_set_level(verbose ? LOG_LEVEL_INFO : conf.log_level);
	if (debug || conf.debug[0])
		log_set_debug(debug ? debug : conf.debug);
	if (!foreground) {
		if (daemon(0, 0)) {
			fprintf(stderr, "portico-pathd: cannot daemonize: %s\n", strerror(errno));
			pathd_conf_free(&conf);
			return 1;
		}
		log_to_syslog("portico-pathd");
	}
	rc = pathd_create(&conf, &env, &pd, msg, sizeof(msg));
	if (rc) {
		log_err("pathd", "%s", msg);
		if (foreground)
			fprintf(stderr, "portico-pathd: %s\n", msg);
		return 1;
	}
	/* its control socket answers and it has learnt the host: the service manager may go on */
	notify_ready("managing paths");
	pathd_run(pd);
	pathd_destroy(pd);
	log_info("pathd", "stopped; the maps and sessions stay");
	return 0;
}
