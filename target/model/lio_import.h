/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * targetcli's saved configuration (rtslib-fb's saveconfig.json, as
 * targetcli-fb's 'saveconfig' writes it to /etc/target/saveconfig.json) ->
 * a porticod.conf tree (libconfig), pure: text in, a tree and notes out, no
 * I/O and no logging. The tree is then read by config_parse_cfg(), so that
 * what is imported meets every rule a porticod.conf meets, in one place.
 * docs/coming-from-targetcli.md says what maps to what, and why.
 */
#ifndef PORTICO_TARGET_LIO_IMPORT_H
#define PORTICO_TARGET_LIO_IMPORT_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

/* What was not carried over, one line each ("where: what, and why"). */
struct lio_notes {
	char **line;
	size_t n, cap;
};

void lio_notes_fini(struct lio_notes *notes);

/* Whether text is a JSON object (its first byte but blanks is '{'): a porticod.conf never is. */
bool lio_import_detect(const char *text, size_t len);

/*
 * Converts the len bytes of text (a saveconfig.json) into cfg (freshly
 * initialised by the caller, config_init), and appends to notes one line
 * for every setting or object it does not carry over. Reads nothing past
 * len; a NUL byte inside is an error.
 *
 * 0, or -EINVAL with err "what is wrong, where" (a JSON path such as
 * targets[0].tpgs[0].luns[1]: 'index' is not a number) when the text is not
 * JSON, or not the shape targetcli writes; -ENOMEM. On failure cfg and
 * notes may hold part of the conversion: the caller drops both.
 */
int lio_import(const char *text, size_t len, config_t *cfg, struct lio_notes *notes, char *err,
	       size_t errlen);

#endif
