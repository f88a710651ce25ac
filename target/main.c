/* SPDX-License-Identifier: GPL-2.0-or-later */
/* porticod: the Portico iSCSI target daemon. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "target/backstore/bs.h"
#include "target/ctl/ctl_ops.h"
#include "target/model/config.h"
#include "target/model/pr_store.h"
#include "target/scsi/scsi.h"
#include "target/server.h"

#define PORTICOD_LOGOUT_WAIT_S 3

static void usage(FILE *f)
{
	fprintf(f, "usage: porticod [-c FILE] [-f] [-t] [-d COMPONENTS] [-v]\n"
		   "  -c FILE        configuration file (default " CONFIG_DEFAULT_PATH ")\n"
		   "  -f             stay in the foreground, log to stderr\n"
		   "  -t             check the configuration and exit\n"
		   "  -d COMPONENTS  debug output for components (iscsi,scsi,bs,server or all)\n"
		   "  -v             more output (info level)\n"
		   "  -h, --help     this help\n"
		   "  --version      porticod's version\n");
}

int main(int argc, char **argv)
{
	const char *path = CONFIG_DEFAULT_PATH;
	const char *debug = NULL;
	bool foreground = false, check_only = false, verbose = false;
	sigset_t sigs;
	struct obj_model *model = NULL;
	struct server *srv = NULL;
	struct cfg_err err = { { 0 } };
	char msg[512];
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
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
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("porticod %s\n", PORTICOD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	log_init("porticod");
	bs_register_builtin();
	scsi_init();

	if (check_only) {
		rc = config_parse(path, &model, &err);
		if (rc) {
			fprintf(stderr, "porticod: %s\n", err.msg);
			return 1;
		}
		obj_model_free(model);
		printf("porticod: %s: configuration is valid\n", path);
		return 0;
	}

	/*
	 * A configuration that does not load stops start-up, even when an
	 * older saved version (path.1 .. path.9) would: serving yesterday's
	 * ACLs because today's edit has a typo would let an initiator the
	 * admin just removed back in. porticod's own saves are atomic, so it
	 * never leaves a half-written file; restoring a version is the admin's
	 * explicit choice (docs/configuration.md).
	 */
	/*
	 * Blocked in every thread from here: the server takes SIGINT, SIGTERM
	 * and SIGHUP (a reload) through a signalfd, and a store's library may
	 * start threads of its own as it opens (librados does), which inherit
	 * this mask; one of them left unblocked would take the default action
	 * and kill porticod without its clean stop (SIGHUP's too: a
	 * 'systemctl reload' would end it).
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	/*
	 * Parsed before daemon(), so that a mistake in the file is one line on
	 * the terminal; opened after it, because daemon() forks and a store's
	 * library threads (librados) do not survive a fork.
	 */
	rc = config_parse(path, &model, &err);
	if (rc) {
		/* One line that names the file, the line and what to fix. */
		fprintf(stderr, "porticod: %s\n", err.msg);
		return 1;
	}
	log_set_level(verbose ? LOG_LEVEL_INFO : model->log_level);
	if (debug || model->debug[0])
		log_set_debug(debug ? debug : model->debug);
	if (!foreground) {
		if (daemon(0, 0)) {
			fprintf(stderr, "porticod: cannot daemonize: %s\n", strerror(errno));
			obj_model_free(model);
			return 1;
		}
		log_to_syslog("porticod");
	}
	rc = config_open(model, &err);
	if (rc) {
		log_err("server", "%s", err.msg);
		if (foreground)
			fprintf(stderr, "porticod: %s\n", err.msg);
		obj_model_free(model);
		return 1;
	}

	rc = server_start(model, &srv, msg, sizeof(msg));
	if (rc) {
		log_err("server", "%s", msg);
		if (foreground)
			fprintf(stderr, "porticod: %s\n", msg);
		return 1;
	}
	server_run(srv);
	server_stop(srv, PORTICOD_LOGOUT_WAIT_S);
	/* After the I/O threads: no reservation change can be queued any more. */
	pr_store_shutdown();
	log_info("server", "stopped");
	return 0;
}
