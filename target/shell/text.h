/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text helpers for the shell: a growing string buffer that the pure parts
 * write their output into (the I/O part prints it), and an error with a
 * hint ("what is wrong", "what to do"), as porticod's errors have.
 */
#ifndef PORTICO_TARGET_SHELL_TEXT_H
#define PORTICO_TARGET_SHELL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A NUL-terminated string that grows. An allocation failure is sticky: the
 * appends after it do nothing and sh_buf_status() reports -ENOMEM.
 */
struct sh_buf {
	char *p;
	size_t len;
	size_t cap;
	bool failed;
};

void sh_buf_init(struct sh_buf *b);
void sh_buf_fini(struct sh_buf *b);
/* Empties the buffer (keeps its memory). */
void sh_buf_reset(struct sh_buf *b);
void sh_buf_add(struct sh_buf *b, const char *s, size_t n);
void sh_buf_puts(struct sh_buf *b, const char *s);
/* Appends c count times. */
void sh_buf_fill(struct sh_buf *b, char c, size_t count);
void sh_buf_printf(struct sh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Appends s with control characters (and DEL) shown as '?', so that a name
 * from the server cannot drive the terminal.
 */
void sh_buf_add_safe(struct sh_buf *b, const char *s, size_t n);
/* The text ("" when empty). */
const char *sh_buf_str(const struct sh_buf *b);
/* 0, or -ENOMEM if an append failed. */
int sh_buf_status(const struct sh_buf *b);

/* An error found by the shell itself: what is wrong, and what to do ("" if nothing to add). */
struct sh_err {
	char msg[512];
	char hint[512];
};

/* Sets err (if not NULL) and returns -EINVAL. hint may be NULL. */
int sh_err_set(struct sh_err *err, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
