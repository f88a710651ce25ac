/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixtures of the shell's tests, found through PORTICO_TOP (the source
 * tree, set by the Makefile): the walkthrough tree (a `get /` result as
 * docs/control-protocol.md describes it) and its `ls` drawing.
 */
#ifndef PORTICO_TESTS_SHELL_FIXTURE_H
#define PORTICO_TESTS_SHELL_FIXTURE_H

#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>

#define FIXTURE_DIR PORTICO_TOP "/tests/unit/target/shell/"
#define FIXTURE_TREE FIXTURE_DIR "walkthrough.json"
#define FIXTURE_LS FIXTURE_DIR "walkthrough_ls.golden"
#define FIXTURE_TARGET "iqn.2026-11.org.portico.storage1:sn.4f1c2a9e7b30"
#define FIXTURE_TPG "/iscsi/" FIXTURE_TARGET "/tpg1"
#define FIXTURE_KVM1 "iqn.2026-11.org.example:kvm1"
/* the width the golden drawing is made for */
#define FIXTURE_WIDTH 100

/* The whole file, NUL-terminated; the caller frees it. */
static inline char *fixture_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The walkthrough tree; the caller puts it. */
static inline struct json_object *fixture_tree(void)
{
	struct json_object *o = json_object_from_file(FIXTURE_TREE);

	ck_assert_msg(o != NULL, "cannot parse %s", FIXTURE_TREE);
	return o;
}

#endif
