/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ALUA codec (common/scsi_alua.c): REPORT TARGET PORT GROUPS data built
 * in both formats and read back byte for byte and field by field; a
 * length-only answer to a request for the extended format; data cut at
 * every byte; descriptors whose ports run past the data; SET TARGET PORT
 * GROUPS lists both ways and their malformed lengths; the states' names.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "common/be.h"
#include "common/scsi_alua.h"
#include "common/scsi_proto.h"
#include "common/util.h"
#include "tests/unit/check_main.h"

/* Two groups: 1 (AO, preferred, ports 1 and 7), 2 (standby, by STPG, port 2). */
static size_t build_two(uint8_t *buf, size_t size, bool ext)
{
	static const uint16_t ports1[] = {1, 7}, ports2[] = {2};
	struct scsi_tpg g1 = {
	    .id = 1, .state = SCSI_ALUA_ACTIVE_OPTIMIZED, .pref = true, .sup = 0x8f, .nports = 2};
	struct scsi_tpg g2 = {.id = 2,
			      .state = SCSI_ALUA_STANDBY,
			      .sup = 0x8f,
			      .status = SCSI_ALUA_STATUS_BY_STPG,
			      .nports = 1};
	int n, off;

	off = scsi_rtpg_put_hdr(buf, size, ext, 10);
	ck_assert_int_eq(off, ext ? 8 : 4);
	n = scsi_rtpg_put_tpg(buf, size, (size_t)off, &g1, ports1);
	ck_assert_int_eq(n, 16);
	off += n;
	n = scsi_rtpg_put_tpg(buf, size, (size_t)off, &g2, ports2);
	ck_assert_int_eq(n, 12);
	off += n;
	scsi_rtpg_finish(buf, (size_t)off);
	return (size_t)off;
}

START_TEST(test_rtpg_bytes)
{
	static const uint8_t want[] = {
	    0x00, 0x00, 0x00, 0x20, /* RETURN DATA LENGTH 32 */
	    0x10, 0x0a, 0x00, 0x00, /* FORMAT TYPE 001b, IMPLICIT TRANSITION TIME 10 */
	    0x80, 0x8f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, /* PREF, AO; T,U,S,AN,AO; group 1 */
	    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, /* ports 1 and 7 */
	    0x02, 0x8f, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01, /* standby; group 2; by STPG */
	    0x00, 0x00, 0x00, 0x02,
	};
	uint8_t buf[64];

	memset(buf, 0xee, sizeof(buf));
	ck_assert_uint_eq(build_two(buf, sizeof(buf), true), sizeof(want));
	ck_assert_int_eq(memcmp(buf, want, sizeof(want)), 0);
	/* the length-only format is the same without bytes 4-7 */
	memset(buf, 0xee, sizeof(buf));
	ck_assert_uint_eq(build_two(buf, sizeof(buf), false), sizeof(want) - 4);
	ck_assert_uint_eq(get_be32(buf), 28);
	ck_assert_int_eq(memcmp(buf + 4, want + 8, sizeof(want) - 8), 0);
}
END_TEST

START_TEST(test_rtpg_parse_both_formats)
{
	uint8_t buf[64];
	struct scsi_rtpg_iter it;
	struct scsi_tpg g;
	size_t len;

	for (int ext = 0; ext < 2; ext++) {
		len = build_two(buf, sizeof(buf), ext);
		ck_assert_int_eq(scsi_rtpg_iter_init(&it, buf, len, ext), 0);
		ck_assert(it.ext == (bool)ext);
		ck_assert_uint_eq(it.transition_time, ext ? 10 : 0);
		ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), 1);
		ck_assert_uint_eq(g.id, 1);
		ck_assert_uint_eq(g.state, SCSI_ALUA_ACTIVE_OPTIMIZED);
		ck_assert(g.pref);
		ck_assert_uint_eq(g.sup, 0x8f);
		ck_assert_uint_eq(g.status, SCSI_ALUA_STATUS_NONE);
		ck_assert_uint_eq(g.nports, 2);
		ck_assert_uint_eq(scsi_tpg_port(&g, 0), 1);
		ck_assert_uint_eq(scsi_tpg_port(&g, 1), 7);
		ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), 1);
		ck_assert_uint_eq(g.id, 2);
		ck_assert_uint_eq(g.state, SCSI_ALUA_STANDBY);
		ck_assert(!g.pref);
		ck_assert_uint_eq(g.status, SCSI_ALUA_STATUS_BY_STPG);
		ck_assert_uint_eq(g.nports, 1);
		ck_assert_uint_eq(scsi_tpg_port(&g, 0), 2);
		ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), 0);
		ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), 0);
	}
}
END_TEST

/* A device server that knows only the length-only format answers the extended request with it. */
START_TEST(test_rtpg_length_only_answer_to_extended)
{
	uint8_t buf[64];
	struct scsi_rtpg_iter it;
	struct scsi_tpg g;
	size_t len = build_two(buf, sizeof(buf), false);

	ck_assert_int_eq(scsi_rtpg_iter_init(&it, buf, len, true), 0);
	ck_assert(!it.ext);
	ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), 1);
	ck_assert_uint_eq(g.id, 1);
	ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), 1);
	ck_assert_uint_eq(g.id, 2);
	ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), 0);
}
END_TEST

/* Cut by the allocation length anywhere: whole descriptors come out, then an error, never more. */
START_TEST(test_rtpg_cut_at_every_byte)
{
	uint8_t buf[64];
	size_t len = build_two(buf, sizeof(buf), true);

	for (size_t cut = 0; cut <= len; cut++) {
		struct scsi_rtpg_iter it;
		struct scsi_tpg g;
		int r, n = 0;

		if (cut < 4) {
			ck_assert_int_eq(scsi_rtpg_iter_init(&it, buf, cut, true), -EINVAL);
			continue;
		}
		ck_assert_int_eq(scsi_rtpg_iter_init(&it, buf, cut, true), 0);
		while ((r = scsi_rtpg_iter_next(&it, &g)) == 1)
			n++;
		if (cut == 4 || cut == 8 || cut == 24 || cut == len) {
			/*
			 * a header alone (below 8 bytes it reads as length-only),
			 * the first group whole, or everything
			 */
			ck_assert_int_eq(r, 0);
			ck_assert_int_eq(n, cut == len ? 2 : cut == 24 ? 1 : 0);
		} else {
			ck_assert_int_eq(r, -EINVAL);
			ck_assert_int_le(n, 1);
		}
	}
}
END_TEST

/* RETURN DATA LENGTH shorter than what came: the data ends where it says. */
START_TEST(test_rtpg_return_length_rules)
{
	uint8_t buf[64];
	struct scsi_rtpg_iter it;
	struct scsi_tpg g;
	size_t len = build_two(buf, sizeof(buf), false);

	put_be32(buf, 16); /* the first descriptor only */
	ck_assert_int_eq(scsi_rtpg_iter_init(&it, buf, len, false), 0);
	ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), 1);
	ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), 0);
	/* a TARGET PORT COUNT that runs past the data */
	len = build_two(buf, sizeof(buf), false);
	buf[4 + 7] = 200;
	ck_assert_int_eq(scsi_rtpg_iter_init(&it, buf, len, false), 0);
	ck_assert_int_eq(scsi_rtpg_iter_next(&it, &g), -EINVAL);
}
END_TEST

START_TEST(test_rtpg_put_limits)
{
	uint8_t buf[64];
	uint16_t ports[256] = {0};
	struct scsi_tpg g = {.id = 3, .state = 0x10};

	ck_assert_int_eq(scsi_rtpg_put_hdr(buf, 3, false, 0), -ENOSPC);
	ck_assert_int_eq(scsi_rtpg_put_hdr(buf, 7, true, 0), -ENOSPC);
	ck_assert_int_eq(scsi_rtpg_put_tpg(buf, sizeof(buf), 4, &g, ports), -EINVAL);
	g.state = SCSI_ALUA_TRANSITIONING;
	g.nports = 256;
	ck_assert_int_eq(scsi_rtpg_put_tpg(buf, sizeof(buf), 4, &g, ports), -EINVAL);
	g.nports = 1;
	memset(buf, 0xee, sizeof(buf));
	ck_assert_int_eq(scsi_rtpg_put_tpg(buf, 15, 4, &g, ports), -ENOSPC);
	ck_assert_uint_eq(buf[4], 0xee); /* nothing written */
	ck_assert_int_eq(scsi_rtpg_put_tpg(buf, 16, 4, &g, ports), 12);
	ck_assert_uint_eq(buf[4], SCSI_ALUA_TRANSITIONING);
	ck_assert_int_eq(scsi_rtpg_put_tpg(buf, 16, 17, &g, ports), -ENOSPC);
}
END_TEST

START_TEST(test_stpg_both_ways)
{
	static const struct scsi_stpg_entry in[] = {
	    {.id = 2, .state = SCSI_ALUA_ACTIVE_OPTIMIZED},
	    {.id = 0x1234, .state = SCSI_ALUA_STANDBY},
	};
	static const uint8_t want[] = {0, 0, 0, 0, 0x00, 0, 0x00, 0x02, 0x02, 0, 0x12, 0x34};
	struct scsi_stpg_entry out[4];
	uint8_t buf[16];
	size_t n;

	ck_assert_int_eq(scsi_stpg_put(buf, sizeof(buf), in, 2), 12);
	ck_assert_int_eq(memcmp(buf, want, sizeof(want)), 0);
	ck_assert_int_eq(scsi_stpg_parse(buf, 12, out, 4, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(out[0].id, 2);
	ck_assert_uint_eq(out[0].state, SCSI_ALUA_ACTIVE_OPTIMIZED);
	ck_assert_uint_eq(out[1].id, 0x1234);
	ck_assert_uint_eq(out[1].state, SCSI_ALUA_STANDBY);
	/* the reserved high bits of the state byte are not a state */
	buf[8] = 0xf3;
	ck_assert_int_eq(scsi_stpg_parse(buf, 12, out, 4, &n), 0);
	ck_assert_uint_eq(out[1].state, SCSI_ALUA_UNAVAILABLE);
	/* no list, a header alone: nothing to do */
	ck_assert_int_eq(scsi_stpg_parse(buf, 0, out, 4, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(scsi_stpg_parse(buf, 4, out, 4, &n), 0);
	ck_assert_uint_eq(n, 0);
	/* lengths that cut a header or a descriptor */
	for (size_t len = 1; len < 12; len++)
		if (len != 4 && len != 8)
			ck_assert_int_eq(scsi_stpg_parse(buf, len, out, 4, &n), -EINVAL);
	ck_assert_int_eq(scsi_stpg_parse(buf, 12, out, 1, &n), -ENOSPC);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(scsi_stpg_put(buf, 11, in, 2), -ENOSPC);
	out[0].state = 0x10;
	ck_assert_int_eq(scsi_stpg_put(buf, sizeof(buf), out, 1), -EINVAL);
}
END_TEST

START_TEST(test_state_names)
{
	ck_assert_str_eq(scsi_alua_state_name(SCSI_ALUA_ACTIVE_OPTIMIZED), "active/optimized");
	ck_assert_str_eq(scsi_alua_state_name(SCSI_ALUA_ACTIVE_NON_OPTIMIZED),
			 "active/non-optimized");
	ck_assert_str_eq(scsi_alua_state_name(SCSI_ALUA_STANDBY), "standby");
	ck_assert_str_eq(scsi_alua_state_name(SCSI_ALUA_UNAVAILABLE), "unavailable");
	ck_assert_str_eq(scsi_alua_state_name(SCSI_ALUA_LBA_DEPENDENT), "lba-dependent");
	ck_assert_str_eq(scsi_alua_state_name(SCSI_ALUA_OFFLINE), "offline");
	ck_assert_str_eq(scsi_alua_state_name(SCSI_ALUA_TRANSITIONING), "transitioning");
	ck_assert_str_eq(scsi_alua_state_name(0x5), "reserved");
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("scsi_alua");
	TCase *tc = tcase_create("scsi_alua");

	tcase_add_test(tc, test_rtpg_bytes);
	tcase_add_test(tc, test_rtpg_parse_both_formats);
	tcase_add_test(tc, test_rtpg_length_only_answer_to_extended);
	tcase_add_test(tc, test_rtpg_cut_at_every_byte);
	tcase_add_test(tc, test_rtpg_return_length_rules);
	tcase_add_test(tc, test_rtpg_put_limits);
	tcase_add_test(tc, test_stpg_both_ways);
	tcase_add_test(tc, test_state_names);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(make_suite)
