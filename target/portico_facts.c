/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portico-facts: writes porticod's facts (target/ctl/ctl_facts.h) as the C
 * source of the shell's sh_facts_json (target/shell/facts.h), when the
 * shell is built (docs/architecture.md, "Facts"). A build tool, not
 * installed.
 *
 *   portico-facts OUT.c
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "target/ctl/ctl_facts.h"

/* text as C string literals, one per line of it, for a reader of the file. */
static void facts_write_literal(FILE *f, const char *text)
{
	fputs("\t\"", f);
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			fputs(p[1] ? "\\n\"\n\t\"" : "\\n", f);
			continue;
		}
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputs("\"", f);
}

int main(int argc, char **argv)
{
	struct json_object *facts;
	const char *text;
	FILE *f;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: portico-facts OUT.c\n");
		return 2;
	}
	facts = ctl_facts();
	text = facts ? json_object_to_json_string_ext(facts, JSON_C_TO_STRING_PRETTY |
								  JSON_C_TO_STRING_SPACED |
								  JSON_C_TO_STRING_NOSLASHESCAPE) :
		       NULL;
	if (!text) {
		fprintf(stderr, "portico-facts: out of memory\n");
		json_object_put(facts);
		return 1;
	}
	f = fopen(argv[1], "w");
	if (!f) {
		fprintf(stderr, "portico-facts: %s: %s\n", argv[1], strerror(errno));
		json_object_put(facts);
		return 1;
	}
	fprintf(f, "/* SPDX-License-Identifier: GPL-2.0-or-later */\n"
		   "/* Written by portico-facts from porticod's descriptors and tables: "
		   "do not edit. */\n"
		   "#include \"target/shell/facts.h\"\n\n"
		   "const char sh_facts_json[] =\n");
	facts_write_literal(f, text);
	fputs(";\n", f);
	if (ferror(f))
		rc = 1;
	if (fclose(f) && !rc)
		rc = 1;
	if (rc) {
		fprintf(stderr, "portico-facts: %s: cannot write\n", argv[1]);
		remove(argv[1]);
	}
	json_object_put(facts);
	return rc;
}
