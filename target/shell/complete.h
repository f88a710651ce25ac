/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tab completion candidates (pure): verbs of the node, node paths (from a
 * cached `get /` tree, or the tree's fixed shape when there is none),
 * key=value names of the verb at the node, true/false for boolean keys,
 * group names of set/get, the children that delete takes by name, and
 * backstore paths where a LUN's storage object goes.
 */
#ifndef PORTICO_TARGET_SHELL_COMPLETE_H
#define PORTICO_TARGET_SHELL_COMPLETE_H

#include <stddef.h>

struct json_object;

struct sh_completion {
	size_t start; /* where the word being completed starts in the line */
	char **cand; /* sorted, unique; each replaces line[start, cursor) */
	size_t n;
	size_t cap;
};

/*
 * Candidates for the word that ends at cursor in line, at the current
 * node cwd; tree is the cached result of `get /` (NULL when there is
 * none). A candidate that can go on (a path ending in '/', "key=") wants
 * no space after it. Returns 0 (out->n may be 0) or -ENOMEM; the caller
 * frees out with sh_completion_fini().
 */
int sh_complete(const char *cwd, struct json_object *tree, const char *line, size_t cursor,
		struct sh_completion *out);
void sh_completion_fini(struct sh_completion *c);
/* The length of the longest prefix every candidate shares. */
size_t sh_completion_common(const struct sh_completion *c);

#endif
