/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stallread: an initiator that asks for a lot and takes nothing, as a
 * careless or hostile one would (tests/functional/hardening.sh). It logs
 * in, fills the command window the target gave it with large READs, and
 * never reads its socket again; it only watches whether the target drops
 * it. Written by hand from RFC 7143, sharing nothing with porticod.
 *
 *   stallread [-b BYTES] [-t SECONDS] HOST PORT TARGET INITIATOR [LUN]
 *
 *   -b BYTES    each READ's length (default 8 MiB, VPD B0's largest), 512-byte blocks
 *   -t SECONDS  how long to wait to be dropped (default 60)
 *
 * Prints "window W sent N" once the READs are out (W: MaxCmdSN - ExpCmdSN
 * + 1 of the final Login Response), then "dropped after MS ms" when the
 * target resets or closes the connection, or "not dropped" after SECONDS.
 * Exits 0 when dropped, 1 when not (or the login failed), 2 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/be.h"

/* RFC 7143 §11.2.1.2 opcodes */
#define OP_SCSI_CMD 0x01
#define OP_LOGIN_REQ 0x03
#define OP_LOGIN_RSP 0x23
#define OP_IMMEDIATE 0x40
#define OP_MASK 0x3f

#define BHS_LEN 48
#define BHS_DSL 5
#define BHS_ITT 16
#define FLAG_FINAL 0x80
#define TGT_EXPCMDSN 28
#define TGT_MAXCMDSN 32
/* §11.12, §11.13 */
#define LOGIN_TRANSIT 0x80
#define LOGIN_ISID 8
#define LOGIN_TSIH 14
#define LOGIN_CID 20
#define LOGIN_CMDSN 24
#define LOGIN_EXPSTATSN 28
#define LOGIN_STATUS_CLASS 36
#define LOGIN_STATUS_DETAIL 37
/* §11.3 */
#define CMD_FLAG_READ 0x40
#define CMD_ATTR_SIMPLE 0x01
#define CMD_LUN 8
#define CMD_EDTL 20
#define CMD_CMDSN 24
#define CMD_CDB 32

#define IO_TIMEOUT_MS 10000
/* what this initiator may be sent per PDU: the target's Data-In sizes do not matter here */
#define MY_MAX_RECV_DSL 262144

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int fail(const char *what)
{
	fprintf(stderr, "stallread: %s\n", what);
	return 1;
}

static bool send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static bool recv_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t deadline = now_ms() + IO_TIMEOUT_MS;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (now_ms() >= deadline || poll(&pfd, 1, 100) < 0)
			return false;
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* A TCP connection that buffers little of what the target sends (it is never read). */
static int tcp_connect(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int small = 16384;
	int fd;

	if (getaddrinfo(host, port, &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

static size_t key(char *buf, size_t off, const char *k, const char *v)
{
	return off + (size_t)sprintf(buf + off, "%s=%s", k, v) + 1;
}

/*
 * One Login Request (§11.12) of stage csg to nsg with text, and its
 * response's header; the response's data is read and dropped. 0 when the
 * target answered with status 0 and T set, else -1.
 */
static int login_step(int fd, int csg, int nsg, const char *text, size_t len, uint8_t *rsp)
{
	static const uint8_t isid[6] = { 0x80, 0x57, 0xa1, 0x1e, 0x00, 0x01 };
	uint8_t bhs[BHS_LEN] = { 0 }, pad[4] = { 0 };
	uint32_t dlen;
	char junk[8192 + 4];

	bhs[0] = OP_LOGIN_REQ | OP_IMMEDIATE;
	bhs[1] = LOGIN_TRANSIT | (uint8_t)(csg << 2) | (uint8_t)nsg;
	bhs[BHS_DSL] = (uint8_t)(len >> 16);
	put_be16(bhs + BHS_DSL + 1, (uint16_t)len);
	memcpy(bhs + LOGIN_ISID, isid, sizeof(isid));
	put_be32(bhs + BHS_ITT, 1);
	put_be16(bhs + LOGIN_CID, 1);
	put_be32(bhs + LOGIN_CMDSN, 1);
	if (!send_all(fd, bhs, BHS_LEN) || !send_all(fd, text, len) ||
	    !send_all(fd, pad, (4 - len % 4) % 4) || !recv_all(fd, rsp, BHS_LEN))
		return -1;
	dlen = (uint32_t)rsp[BHS_DSL] << 16 | get_be16(rsp + BHS_DSL + 1);
	if ((rsp[0] & OP_MASK) != OP_LOGIN_RSP || dlen > 8192 ||
	    !recv_all(fd, junk, (dlen + 3) & ~3u))
		return -1;
	if (rsp[LOGIN_STATUS_CLASS] || rsp[LOGIN_STATUS_DETAIL]) {
		fprintf(stderr, "stallread: login: class %u detail %u\n", rsp[LOGIN_STATUS_CLASS],
			rsp[LOGIN_STATUS_DETAIL]);
		return -1;
	}
	return rsp[1] & LOGIN_TRANSIT ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint32_t bytes = 8u << 20, seconds = 60, window, expcmdsn, lun = 0;
	uint8_t rsp[BHS_LEN];
	char text[2048], num[16];
	uint64_t t0;
	size_t len;
	int opt, fd;

	while ((opt = getopt(argc, argv, "b:t:")) != -1) {
		switch (opt) {
		case 'b':
			bytes = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 't':
			seconds = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind < 4 || !bytes || bytes % 512 || bytes > (0xffffu << 9))
		return fprintf(stderr, "usage: stallread [-b BYTES] [-t SECONDS] HOST PORT "
				       "TARGET INITIATOR [LUN]\n"),
		       2;
	if (argc - optind > 4)
		lun = (uint32_t)strtoul(argv[optind + 4], NULL, 0);
	fd = tcp_connect(argv[optind], argv[optind + 1]);
	if (fd < 0)
		return fail("cannot connect");

	/* §6.3: the security stage (no authentication), then the operational one */
	len = key(text, 0, "InitiatorName", argv[optind + 3]);
	len = key(text, len, "SessionType", "Normal");
	len = key(text, len, "TargetName", argv[optind + 2]);
	len = key(text, len, "AuthMethod", "None");
	if (login_step(fd, 0, 1, text, len, rsp))
		return fail("security stage refused");
	snprintf(num, sizeof(num), "%u", MY_MAX_RECV_DSL);
	len = key(text, 0, "HeaderDigest", "None");
	len = key(text, len, "DataDigest", "None");
	len = key(text, len, "MaxRecvDataSegmentLength", num);
	len = key(text, len, "MaxConnections", "1");
	len = key(text, len, "ErrorRecoveryLevel", "0");
	if (login_step(fd, 1, 3, text, len, rsp))
		return fail("operational stage refused");
	/* §4.2.2.1: the commands the target allows now */
	expcmdsn = get_be32(rsp + TGT_EXPCMDSN);
	window = get_be32(rsp + TGT_MAXCMDSN) - expcmdsn + 1;

	for (uint32_t i = 0; i < window; i++) {
		uint8_t cmd[BHS_LEN] = { 0 };

		cmd[0] = OP_SCSI_CMD;
		cmd[1] = FLAG_FINAL | CMD_FLAG_READ | CMD_ATTR_SIMPLE;
		/* SAM-5 single level LUN, peripheral addressing */
		cmd[CMD_LUN + 1] = (uint8_t)lun;
		put_be32(cmd + BHS_ITT, 0x100 + i);
		put_be32(cmd + CMD_EDTL, bytes);
		put_be32(cmd + CMD_CMDSN, expcmdsn + i);
		/* SBC-3 §5.15: READ (10), LBA 0, the transfer length in blocks */
		cmd[CMD_CDB] = 0x28;
		put_be16(cmd + CMD_CDB + 7, (uint16_t)(bytes / 512));
		if (!send_all(fd, cmd, sizeof(cmd)))
			return fail("the target closed the connection while the READs went out");
	}
	printf("window %u sent %u\n", window, window);
	fflush(stdout);

	/* nothing is read from here on: only the connection's end is watched */
	t0 = now_ms();
	while (now_ms() - t0 < (uint64_t)seconds * 1000) {
		struct pollfd pfd = { .fd = fd, .events = POLLRDHUP };

		if (poll(&pfd, 1, 100) > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLRDHUP))) {
			printf("dropped after %llu ms\n", (unsigned long long)(now_ms() - t0));
			return 0;
		}
	}
	printf("not dropped\n");
	close(fd);
	return 1;
}
