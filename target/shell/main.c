/* SPDX-License-Identifier: GPL-2.0-or-later */
/* portico: the targetcli-like shell that administers porticod over its control socket. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/ctl.h"
#include "target/shell/complete_cli.h"
#include "target/shell/shell.h"

#define SH_WIDTH_DEFAULT 100
#define SH_TIMEOUT_S_MAX 86400

static void usage(FILE *f)
{
	fprintf(f,
		"usage: portico [OPTIONS]                          an interactive session\n"
		"       portico [OPTIONS] [PATH] COMMAND [ARG...]  one command\n"
		"       portico [OPTIONS] -f FILE                  the commands of FILE\n"
		"  -s, --socket PATH    porticod's control socket (default: $PORTICO_SOCKET,\n"
		"                       else " CTL_DEFAULT_SOCKET ")\n"
		"  -f, --file FILE      run the commands in FILE, one per line; standard input\n"
		"                       is read the same way when it is not a terminal\n"
		"  -k, --keep-going     in a batch, go on after a command fails\n"
		"  -e, --echo           in a batch, print each command after a prompt\n"
		"  -j, --json           print results as porticod sends them (JSON)\n"
		"  -t, --timeout SEC    wait at most SEC seconds for each answer (default %d)\n"
		"  -h, --help           this help\n"
		"  -V, --version        portico's version\n"
		"Exit status: 0 done, 1 a command failed, 2 bad usage, 3 porticod unreachable.\n"
		"Inside the shell, 'help' lists the commands of each node.\n",
		SH_TIMEOUT_S_DEFAULT);
}

/* Columns for ls: $COLUMNS, else the terminal's, else a fixed width (stable for scripts). */
static size_t sh_width(void)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;
	long v;

	if (cols && *cols) {
		v = strtol(cols, NULL, 10);
		if (v > 0 && v < 10000)
			return (size_t)v;
	}
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	return SH_WIDTH_DEFAULT;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "file", required_argument, NULL, 'f' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "echo", no_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		/* for the bash completion script: not in usage() */
		{ "complete", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct sh_opts opts = { .timeout_ms = SH_TIMEOUT_S_DEFAULT * 1000 };
	struct sh_err err = { .msg = "" };
	const char *file = NULL, *env;
	bool complete = false;
	enum sh_status st;
	struct sh_ctx ctx;
	struct sh_cmd cmd;
	char *end;
	long v;
	int opt, rc;

	/* '+': options end at the first word, so that a command's own words are left alone */
	while ((opt = getopt_long(argc, argv, "+s:f:kejt:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			opts.socket = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'k':
			opts.keep_going = true;
			break;
		case 'e':
			opts.echo = true;
			break;
		case 'j':
			opts.json = true;
			break;
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || v < 1 || v > SH_TIMEOUT_S_MAX) {
				fprintf(stderr, "portico: --timeout takes seconds, 1 to %d\n",
					SH_TIMEOUT_S_MAX);
				return SH_STATUS_USAGE;
			}
			opts.timeout_ms = (int)v * 1000;
			break;
		case 'h':
			usage(stdout);
			return SH_STATUS_OK;
		case 'C':
			complete = true;
			break;
		case 'V':
			printf("portico %s (control protocol %d)\n", SH_VERSION, CTL_VERSION);
			return SH_STATUS_OK;
		default:
			usage(stderr);
			return SH_STATUS_USAGE;
		}
	}
	if (file && optind < argc) {
		fprintf(stderr, "portico: give a command or --file, not both\n");
		return SH_STATUS_USAGE;
	}
	if (!opts.socket) {
		env = getenv("PORTICO_SOCKET");
		opts.socket = env && *env ? env : CTL_DEFAULT_SOCKET;
	}
	opts.width = sh_width();

	rc = sh_ctx_init(&ctx, &opts, stdout, stderr);
	if (rc) {
		if (rc == -ENAMETOOLONG)
			fprintf(stderr,
				"portico: socket path '%s' is empty or longer than 107 bytes\n",
				opts.socket);
		else
			fprintf(stderr, "portico: out of memory\n");
		return SH_STATUS_USAGE;
	}
	if (complete) {
		st = sh_complete_words(&ctx, argc - optind, argv + optind, stdout);
	} else if (optind < argc) {
		rc = sh_cmd_from_argv(argc - optind, argv + optind, &cmd, &err);
		if (rc) {
			sh_report(&ctx, rc == -ENOMEM ? "out of memory" : err.msg, NULL,
				  rc == -ENOMEM ? NULL : err.hint);
			st = SH_STATUS_FAILED;
		} else {
			st = sh_exec(&ctx, &cmd);
			sh_cmd_fini(&cmd);
		}
	} else if (file && strcmp(file, "-") != 0) {
		FILE *f = fopen(file, "r");

		if (!f) {
			fprintf(stderr, "portico: cannot open '%s': %s\n", file, strerror(errno));
			st = SH_STATUS_USAGE;
		} else {
			st = sh_run_batch(&ctx, f, file);
			fclose(f);
		}
	} else if (file || !isatty(STDIN_FILENO)) {
		st = sh_run_batch(&ctx, stdin, "stdin");
	} else {
		st = sh_run_interactive(&ctx);
	}
	sh_ctx_fini(&ctx);
	return st;
}
