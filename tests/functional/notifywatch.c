/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notifywatch: the service manager's side of sd_notify(3), for
 * tests/functional/notify.sh.
 *
 *   notifywatch SOCKET SECONDS PORT...
 *
 * Binds a datagram socket at SOCKET (the NOTIFY_SOCKET a daemon is given),
 * prints "bound", then one line per notification, its lines joined by
 * spaces. At each READY=1, before it reads the next datagram, it tries a
 * TCP connection to 127.0.0.1:PORT for each PORT and appends "PORT:open"
 * or "PORT:closed": what a client would find the moment systemd says the
 * unit is up. Exits after STOPPING=1, or after SECONDS without one (status 1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *port_state(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return "error";
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	close(fd);
	return rc ? "closed" : "open";
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[4096];
	time_t end;
	int fd;

	if (argc < 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: notifywatch SOCKET SECONDS PORT...\n");
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memcpy(sun.sun_path, argv[1], strlen(argv[1]) + 1);
	unlink(argv[1]);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		perror("notifywatch: bind");
		return 1;
	}
	printf("bound\n");
	fflush(stdout);
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 500) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		buf[n] = '\0';
		for (char *p = buf; *p; p++)
			if (*p == '\n')
				*p = ' ';
		fputs(buf, stdout);
		if (strstr(buf, "READY=1"))
			for (int i = 3; i < argc; i++)
				printf(" %s:%s", argv[i], port_state(atoi(argv[i])));
		putchar('\n');
		fflush(stdout);
		if (strstr(buf, "STOPPING=1"))
			return 0;
	}
	return 1;
}
