/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * targetcli's saveconfig.json -> a porticod.conf tree (lio_import,
 * target/model/lio_import.c), then that tree read as a file is
 * (config_parse_cfg): what restoreconfig does with such a file.
 *
 * Input: the file's bytes (NUL bytes included: the length bounds the read).
 *
 * Checked: a refusal is -EINVAL (or -ENOMEM) with a terminated message;
 * an accepted file gives terminated notes, and its tree either reads as a
 * model with no backstore opened, or is refused by the parse with a message
 * and no model; the tree libconfig writes of it reads back.
 */
#include <errno.h>
#include <stdio.h>

#include "tests/fuzz/fuzz.h"
#include "target/model/config.h"
#include "target/model/lio_import.h"
#include "target/model/obj.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lio_notes notes = { 0 };
	struct cfg_err cerr;
	struct obj_model *m = NULL;
	char err[512];
	config_t cfg, back;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	memset(err, 'x', sizeof(err));
	config_init(&cfg);
	rc = lio_import((const char *)data, size, &cfg, &notes, err, sizeof(err));
	if (rc) {
		FUZZ_CHECK(rc == -EINVAL || rc == -ENOMEM, "lio_import: %d", rc);
		FUZZ_CHECK(rc == -ENOMEM || (memchr(err, '\0', sizeof(err)) && err[0]),
			   "a refusal without a message");
		goto out;
	}
	for (size_t i = 0; i < notes.n; i++)
		FUZZ_CHECK(notes.line[i] && notes.line[i][0], "an empty note");
	/* the tree is text libconfig reads back */
	f = open_memstream(&text, &len);
	FUZZ_CHECK(f != NULL, "open_memstream");
	config_write(&cfg, f);
	fclose(f);
	config_init(&back);
	FUZZ_CHECK(config_read_string(&back, text) == CONFIG_TRUE, "the tree does not read back: %s",
		   config_error_text(&back));
	config_destroy(&back);
	free(text);
	memset(&cerr, 0, sizeof(cerr));
	rc = config_parse_cfg(&cfg, "", &m, &cerr);
	if (rc) {
		FUZZ_CHECK(m == NULL, "a refused tree handed out a model");
		FUZZ_CHECK(cerr.msg[0], "a refused tree without a message");
	} else {
		FUZZ_CHECK(m != NULL, "accepted without a model");
		for (size_t i = 0; i < m->nbackstores; i++)
			FUZZ_CHECK(m->backstores[i].dev == NULL && m->backstores[i].lu == NULL,
				   "a backstore opened by the parse");
		obj_model_free(m);
	}
out:
	config_destroy(&cfg);
	lio_notes_fini(&notes);
	return 0;
}
