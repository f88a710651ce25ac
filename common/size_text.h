/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A size in bytes as targetcli writes it for people: "20.0GiB", "512.0MiB",
 * "4.0KiB", "100B" (one decimal, powers of 1024). porticod's tree summaries
 * and the shell's get show the same text. Pure.
 */
#ifndef PORTICO_COMMON_SIZE_TEXT_H
#define PORTICO_COMMON_SIZE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Into buf (len bytes, NUL-terminated, cut when short; nothing when len is 0). */
void size_text(uint64_t bytes, char *buf, size_t len);

#endif
