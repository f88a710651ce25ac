/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * holdconn: opens many connections to a server and holds them, as a
 * careless client or an attacker would, for the functional tests of
 * porticod's limits (tests/functional/hardening.sh).
 *
 *   holdconn [-n N] [-b BYTES] [-t SECONDS] [-s SOURCE] unix:PATH | tcp:ADDRESS:PORT
 *
 * Opens N connections (default 1), sends each BYTES bytes of an iSCSI
 * Login Request header (at most 48: a header never finished), then holds
 * them silently for SECONDS (default 30), or until it is killed.
 * Prints, one per line, as they happen:
 *   connected C refused R      once every connection was tried
 *   closed K                   each time the server closed more of them
 *   done open O closed K       at the end
 * A connection that fails at once counts as refused (the server's
 * listener was full, or closed it before it was accepted).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* tcp: connect from this IPv4 address (-s; 127.0.0.2 is another host to a server on 127.0.0.1) */
static const char *source;

static int open_one(const char *target)
{
	int fd;

	if (!strncmp(target, "unix:", 5)) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", target + 5);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			close(fd);
			return -1;
		}
		return fd;
	}
	if (!strncmp(target, "tcp:", 4)) {
		char host[64];
		const char *colon = strrchr(target + 4, ':');
		struct sockaddr_in sa = { .sin_family = AF_INET };

		if (!colon || (size_t)(colon - target - 4) >= sizeof(host))
			return -2;
		memcpy(host, target + 4, (size_t)(colon - target - 4));
		host[colon - target - 4] = '\0';
		if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
			return -2;
		sa.sin_port = htons((uint16_t)atoi(colon + 1));
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && source) {
			struct sockaddr_in from = { .sin_family = AF_INET };

			if (inet_pton(AF_INET, source, &from.sin_addr) != 1 ||
			    bind(fd, (struct sockaddr *)&from, sizeof(from))) {
				close(fd);
				return -2;
			}
		}
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			close(fd);
			return -1;
		}
		return fd;
	}
	return -2;
}

int main(int argc, char **argv)
{
	/* the opening of a Login Request (RFC 7143 §11.12): immediate, opcode 0x03, T and CSG/NSG */
	static const unsigned char login[48] = { 0x43, 0x87, 0x00, 0x00 };
	int n = 1, bytes = 0, secs = 30, opt, connected = 0, refused = 0, closed = 0;
	struct rlimit rl;
	struct pollfd *p;
	long long end;

	while ((opt = getopt(argc, argv, "n:b:t:s:")) != -1) {
		switch (opt) {
		case 'n':
			n = atoi(optarg);
			break;
		case 'b':
			bytes = atoi(optarg);
			break;
		case 't':
			secs = atoi(optarg);
			break;
		case 's':
			source = optarg;
			break;
		default:
			fprintf(stderr, "usage: holdconn [-n N] [-b BYTES] [-t SECONDS] [-s SOURCE] TARGET\n");
			return 2;
		}
	}
	if (optind != argc - 1 || n < 1 || n > 100000 || bytes < 0 || bytes > 48 || secs < 0) {
		fprintf(stderr, "usage: holdconn [-n N] [-b BYTES] [-t SECONDS] [-s SOURCE] "
				"unix:PATH|tcp:A:P\n");
		return 2;
	}
	/* our own descriptors must not be what runs out */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	p = calloc((size_t)n, sizeof(*p));
	if (!p)
		return 1;
	for (int i = 0; i < n; i++) {
		int fd = open_one(argv[optind]);

		if (fd == -2) {
			fprintf(stderr, "holdconn: bad target '%s' or source '%s'\n", argv[optind],
				source ? source : "");
			return 2;
		}
		p[i].fd = fd;
		p[i].events = POLLIN;
		if (fd < 0) {
			refused++;
			continue;
		}
		connected++;
		if (bytes && send(fd, login, (size_t)bytes, MSG_NOSIGNAL) < 0) {
			/* closed before we could send: the server's choice, counted below */
		}
	}
	printf("connected %d refused %d\n", connected, refused);
	fflush(stdout);
	end = now_ms() + secs * 1000LL;
	while (now_ms() < end) {
		int before = closed;

		if (poll(p, (nfds_t)n, 200) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			char b[4096];

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (recv(p[i].fd, b, sizeof(b), MSG_DONTWAIT) > 0)
				continue; /* an answer (a reject, an error) before the close */
			close(p[i].fd);
			p[i].fd = -1;
			closed++;
		}
		if (closed != before) {
			printf("closed %d\n", closed);
			fflush(stdout);
		}
	}
	printf("done open %d closed %d\n", connected - closed, closed);
	for (int i = 0; i < n; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	free(p);
	return 0;
}
