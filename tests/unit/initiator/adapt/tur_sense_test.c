/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A path checker's answers classified (initiator/adapt/tur_sense.c): sense
 * data in both formats, current and deferred, read within its length (each
 * vector is copied into a heap block of exactly its length, so that the
 * sanitizer build catches a read past it); every SCSI status, host status
 * and error the checker meets, and the text each verdict carries.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "initiator/adapt/tur_sense.h"
#include "tests/unit/check_main.h"

/* The bytes in a block of exactly len bytes (freed by the caller). */
static uint8_t *exact(const uint8_t *p, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(b);
	memcpy(b, p, len);
	return b;
}

static int parse(const uint8_t *p, size_t len, struct tur_sense *s)
{
	uint8_t *b = exact(p, len);
	int rc = tur_sense_parse(b, len, s);

	free(b);
	return rc;
}

/* Fixed format (SPC-4 §4.5.3), 18 bytes, ADDITIONAL SENSE LENGTH 10. */
static void fixed(uint8_t out[18], uint8_t resp, uint8_t key, uint8_t asc, uint8_t ascq)
{
	memset(out, 0, 18);
	out[0] = resp;
	out[2] = key;
	out[7] = 10;
	out[12] = asc;
	out[13] = ascq;
}

/* Descriptor format (SPC-4 §4.5.2), the 8-byte header only. */
static void desc(uint8_t out[8], uint8_t resp, uint8_t key, uint8_t asc, uint8_t ascq)
{
	memset(out, 0, 8);
	out[0] = resp;
	out[1] = key;
	out[2] = asc;
	out[3] = ascq;
}

START_TEST(test_parse_fixed)
{
	uint8_t b[18];
	struct tur_sense s;

	fixed(b, 0x70, 0x02, 0x04, 0x0b);
	ck_assert_int_eq(parse(b, sizeof(b), &s), 0);
	ck_assert_uint_eq(s.key, 2);
	ck_assert(s.has_asc);
	ck_assert_uint_eq(s.asc, 0x04);
	ck_assert_uint_eq(s.ascq, 0x0b);
	ck_assert(!s.descriptor);
	ck_assert(!s.deferred);

	/* VALID set, FILEMARK/EOM/ILI set beside the key, deferred */
	fixed(b, 0xf1, 0xe6, 0x29, 0x00);
	ck_assert_int_eq(parse(b, sizeof(b), &s), 0);
	ck_assert_uint_eq(s.key, 6);
	ck_assert(s.deferred);

	/* cut after the ASCQ: still whole enough */
	fixed(b, 0x70, 0x02, 0x04, 0x0c);
	ck_assert_int_eq(parse(b, 14, &s), 0);
	ck_assert(s.has_asc);
	ck_assert_uint_eq(s.ascq, 0x0c);
	/* cut before it: the key alone */
	ck_assert_int_eq(parse(b, 13, &s), 0);
	ck_assert(!s.has_asc);
	ck_assert_uint_eq(s.asc, 0);
	ck_assert_uint_eq(s.key, 2);
	ck_assert_int_eq(parse(b, 3, &s), 0);
	ck_assert(!s.has_asc);
	/* ADDITIONAL SENSE LENGTH that ends before ASC: the bytes after it are not sense data */
	b[7] = 5;
	ck_assert_int_eq(parse(b, sizeof(b), &s), 0);
	ck_assert(!s.has_asc);
	b[7] = 6;
	ck_assert_int_eq(parse(b, sizeof(b), &s), 0);
	ck_assert(s.has_asc);
	/* too short for the key */
	ck_assert_int_eq(parse(b, 2, &s), -EBADMSG);
	ck_assert_int_eq(parse(b, 0, &s), -ENODATA);
}
END_TEST

START_TEST(test_parse_descriptor)
{
	uint8_t b[8];
	struct tur_sense s;

	desc(b, 0x72, 0x02, 0x04, 0x0c);
	ck_assert_int_eq(parse(b, sizeof(b), &s), 0);
	ck_assert(s.descriptor);
	ck_assert_uint_eq(s.key, 2);
	ck_assert_uint_eq(s.asc, 0x04);
	ck_assert_uint_eq(s.ascq, 0x0c);
	ck_assert_int_eq(parse(b, 4, &s), 0);
	ck_assert_uint_eq(s.ascq, 0x0c);
	ck_assert_int_eq(parse(b, 3, &s), -EBADMSG);
	desc(b, 0x73, 0x16, 0x2a, 0x09);
	ck_assert_int_eq(parse(b, sizeof(b), &s), 0);
	ck_assert(s.deferred);
	ck_assert_uint_eq(s.key, 6);
	/* vendor specific (7Fh) and what is not sense data */
	desc(b, 0x7f, 0x02, 0x04, 0x0b);
	ck_assert_int_eq(parse(b, sizeof(b), &s), -EPROTO);
	desc(b, 0x00, 0x02, 0x04, 0x0b);
	ck_assert_int_eq(parse(b, sizeof(b), &s), -EPROTO);
}
END_TEST

/* Classifies a CHECK CONDITION with this sense data. */
static void check_condition(const uint8_t *sense, size_t len, bool retried, struct tur_verdict *v)
{
	uint8_t *b = exact(sense, len);
	struct tur_raw raw = {.status = TUR_SCSI_CHECK_CONDITION, .sense = b, .sense_len = len};

	tur_classify(&raw, "TEST UNIT READY", retried, v);
	free(b);
}

START_TEST(test_alua)
{
	struct tur_verdict v;
	uint8_t f[18], d[8];

	fixed(f, 0x70, 0x02, 0x04, 0x0b);
	check_condition(f, sizeof(f), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_STANDBY);
	ck_assert_int_eq(v.cause, TUR_CAUSE_SENSE);
	ck_assert(!v.retry);
	ck_assert(v.has_sense);
	ck_assert_str_eq(v.text, "TEST UNIT READY: CHECK CONDITION, NOT READY, 04h/0Bh (logical "
				 "unit not accessible, target port in standby state)");
	desc(d, 0x72, 0x02, 0x04, 0x0c);
	check_condition(d, sizeof(d), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_UNAVAILABLE);
	fixed(f, 0x70, 0x02, 0x04, 0x0a);
	check_condition(f, sizeof(f), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_TRANSITIONING);
	/* other NOT READY codes */
	fixed(f, 0x70, 0x02, 0x04, 0x01);
	check_condition(f, sizeof(f), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_NOT_READY);
	ck_assert_str_eq(v.text, "TEST UNIT READY: CHECK CONDITION, NOT READY, 04h/01h (logical "
				 "unit is in process of becoming ready)");
	fixed(f, 0x70, 0x02, 0x3a, 0x00);
	check_condition(f, sizeof(f), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_NOT_READY);
	/* NOT READY without ASC/ASCQ: not ready, nothing more known */
	check_condition(f, 13, false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_NOT_READY);
	ck_assert_str_eq(v.text, "TEST UNIT READY: CHECK CONDITION, NOT READY");
}
END_TEST

START_TEST(test_unit_attention)
{
	struct tur_verdict v;
	uint8_t f[18];

	fixed(f, 0x70, 0x06, 0x2a, 0x09);
	check_condition(f, sizeof(f), false, &v);
	ck_assert(v.retry);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
	ck_assert_str_eq(v.text, "TEST UNIT READY: CHECK CONDITION, UNIT ATTENTION, 2Ah/09h "
				 "(capacity data has changed)");
	/* the second time: no more retries, and up (the logical unit answered) */
	fixed(f, 0x70, 0x06, 0x3f, 0x0e);
	check_condition(f, sizeof(f), true, &v);
	ck_assert(!v.retry);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
	ck_assert_int_eq(v.cause, TUR_CAUSE_SENSE);
	/* an ASC/ASCQ without a name here is given in hex */
	fixed(f, 0x70, 0x06, 0x3f, 0x77);
	check_condition(f, sizeof(f), true, &v);
	ck_assert_str_eq(v.text, "TEST UNIT READY: CHECK CONDITION, UNIT ATTENTION, 3Fh/77h");
	/* deferred: said so */
	fixed(f, 0x71, 0x06, 0x29, 0x00);
	check_condition(f, sizeof(f), true, &v);
	ck_assert_str_eq(v.text, "TEST UNIT READY: CHECK CONDITION, UNIT ATTENTION, 29h/00h "
				 "(power on, reset, or bus device reset occurred) (deferred)");
}
END_TEST

START_TEST(test_other_sense)
{
	struct tur_verdict v;
	uint8_t f[18];

	fixed(f, 0x70, 0x05, 0x25, 0x00);
	check_condition(f, sizeof(f), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	ck_assert_int_eq(v.cause, TUR_CAUSE_SENSE);
	ck_assert(!v.retry);
	ck_assert_str_eq(v.text, "TEST UNIT READY: CHECK CONDITION, ILLEGAL REQUEST, 25h/00h "
				 "(logical unit not supported)");
	fixed(f, 0x70, 0x04, 0x44, 0x00);
	check_condition(f, sizeof(f), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	fixed(f, 0x70, 0x0b, 0x4b, 0x00);
	check_condition(f, sizeof(f), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	/* the command completed */
	fixed(f, 0x70, 0x00, 0x00, 0x00);
	check_condition(f, sizeof(f), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
	fixed(f, 0x70, 0x01, 0x00, 0x00);
	check_condition(f, sizeof(f), false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
	/* no sense data, or none that can be read */
	check_condition(f, 0, false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	ck_assert_str_eq(v.text, "TEST UNIT READY: CHECK CONDITION without sense data");
	check_condition(f, 2, false, &v);
	ck_assert_str_eq(v.text, "TEST UNIT READY: CHECK CONDITION with sense data cut short");
	f[0] = 0x7f;
	check_condition(f, sizeof(f), false, &v);
	ck_assert_str_eq(v.text,
			 "TEST UNIT READY: CHECK CONDITION with sense data of an unknown format");
	/* a sense pointer that is NULL whatever the length says */
	{
		struct tur_raw raw = {.status = TUR_SCSI_CHECK_CONDITION, .sense_len = 18};

		tur_classify(&raw, "TEST UNIT READY", false, &v);
		ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	}
}
END_TEST

static void status(uint8_t st, struct tur_verdict *v)
{
	struct tur_raw raw = {.status = st};

	tur_classify(&raw, "INQUIRY", false, v);
}

START_TEST(test_status)
{
	struct tur_verdict v;

	status(TUR_SCSI_GOOD, &v);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
	ck_assert_int_eq(v.cause, TUR_CAUSE_NONE);
	ck_assert_str_eq(v.text, "INQUIRY: GOOD");
	status(TUR_SCSI_CONDITION_MET, &v);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
	status(TUR_SCSI_BUSY, &v);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
	ck_assert_int_eq(v.cause, TUR_CAUSE_STATUS);
	ck_assert_str_eq(v.text, "INQUIRY: BUSY");
	status(TUR_SCSI_TASK_SET_FULL, &v);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
	status(TUR_SCSI_RESERVATION_CONFLICT, &v);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
	ck_assert_str_eq(v.text, "INQUIRY: RESERVATION CONFLICT");
	status(TUR_SCSI_TASK_ABORTED, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	ck_assert_int_eq(v.cause, TUR_CAUSE_STATUS);
	status(TUR_SCSI_ACA_ACTIVE, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	status(0x22, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	ck_assert_str_eq(v.text, "INQUIRY: SCSI status 22h");
}
END_TEST

static void host(uint16_t h, bool retried, struct tur_verdict *v)
{
	struct tur_raw raw = {.host_status = h, .status = TUR_SCSI_GOOD};

	tur_classify(&raw, "TEST UNIT READY", retried, v);
}

START_TEST(test_host_status)
{
	struct tur_verdict v;

	/* the host byte wins over a GOOD status */
	host(TUR_DID_TRANSPORT_FAILFAST, false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	ck_assert_int_eq(v.cause, TUR_CAUSE_TRANSPORT);
	ck_assert(!v.retry);
	ck_assert_str_eq(v.text, "TEST UNIT READY: host status DID_TRANSPORT_FAILFAST");
	host(TUR_DID_NO_CONNECT, false, &v);
	ck_assert_int_eq(v.cause, TUR_CAUSE_TRANSPORT);
	host(TUR_DID_TRANSPORT_DISRUPTED, false, &v);
	ck_assert_int_eq(v.cause, TUR_CAUSE_TRANSPORT);
	host(TUR_DID_TIME_OUT, false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	ck_assert_int_eq(v.cause, TUR_CAUSE_TIMEOUT);
	/* the transient ones: once more, then down */
	host(TUR_DID_SOFT_ERROR, false, &v);
	ck_assert(v.retry);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	host(TUR_DID_SOFT_ERROR, true, &v);
	ck_assert(!v.retry);
	host(TUR_DID_BUS_BUSY, false, &v);
	ck_assert(v.retry);
	host(TUR_DID_IMM_RETRY, false, &v);
	ck_assert(v.retry);
	host(TUR_DID_REQUEUE, false, &v);
	ck_assert(v.retry);
	host(0x55, false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	ck_assert_str_eq(v.text, "TEST UNIT READY: host status 55h");
}
END_TEST

START_TEST(test_errors)
{
	struct tur_raw raw = {.err = -ENXIO};
	struct tur_verdict v;

	tur_classify(&raw, "TEST UNIT READY", false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	ck_assert_int_eq(v.cause, TUR_CAUSE_DEVICE);
	ck_assert_str_eq(v.text, "TEST UNIT READY: No such device or address (the disk is gone)");
	raw.err = -ENOENT;
	tur_classify(&raw, "TEST UNIT READY", false, &v);
	ck_assert_int_eq(v.cause, TUR_CAUSE_DEVICE);
	raw.err = -EIO;
	tur_classify(&raw, "TEST UNIT READY", false, &v);
	ck_assert_int_eq(v.cause, TUR_CAUSE_IO);
	ck_assert_str_eq(v.text, "TEST UNIT READY: Input/output error");
	raw.err = -ETIMEDOUT;
	tur_classify(&raw, "TEST UNIT READY", false, &v);
	ck_assert_int_eq(v.cause, TUR_CAUSE_TIMEOUT);
	/* the driver's timeout (older kernels' SG_IO) */
	raw.err = 0;
	raw.driver_status = 0x06;
	tur_classify(&raw, "TEST UNIT READY", false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_DOWN);
	ck_assert_int_eq(v.cause, TUR_CAUSE_TIMEOUT);
	/* DRIVER_SENSE (08h) alone is no error */
	raw.driver_status = 0x08;
	tur_classify(&raw, "TEST UNIT READY", false, &v);
	ck_assert_int_eq(v.state, TUR_STATE_UP);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(tur_state_name(TUR_STATE_STANDBY), "standby");
	ck_assert_str_eq(tur_state_name(TUR_STATE_NOT_READY), "not ready");
	ck_assert_str_eq(tur_cause_name(TUR_CAUSE_NONE), "");
	ck_assert_str_eq(tur_cause_name(TUR_CAUSE_WWID), "WWID");
}
END_TEST

static Suite *tur_sense_suite(void)
{
	Suite *s = suite_create("tur_sense");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_fixed);
	tcase_add_test(tc, test_parse_descriptor);
	tcase_add_test(tc, test_alua);
	tcase_add_test(tc, test_unit_attention);
	tcase_add_test(tc, test_other_sense);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_host_status);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(tur_sense_suite)
