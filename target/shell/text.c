/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text helpers for the shell (pure). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "target/shell/text.h"

#define SH_BUF_MIN 256

void sh_buf_init(struct sh_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void sh_buf_fini(struct sh_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void sh_buf_reset(struct sh_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Makes room for n more bytes and the NUL. */
static bool sh_buf_room(struct sh_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->failed)
		return false;
	if (n < b->cap - b->len)
		return true;
	cap = b->cap ? b->cap : SH_BUF_MIN;
	while (cap - b->len <= n) {
		if (cap > SIZE_MAX / 2)
			goto err;
		cap *= 2;
	}
	p = realloc(b->p, cap);
	if (!p)
		goto err;
	b->p = p;
	b->cap = cap;
	return true;
err:
	b->failed = true;
	return false;
}

void sh_buf_add(struct sh_buf *b, const char *s, size_t n)
{
	if (!sh_buf_room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void sh_buf_puts(struct sh_buf *b, const char *s)
{
	sh_buf_add(b, s, strlen(s));
}

void sh_buf_fill(struct sh_buf *b, char c, size_t count)
{
	if (!sh_buf_room(b, count))
		return;
	memset(b->p + b->len, c, count);
	b->len += count;
	b->p[b->len] = '\0';
}

void sh_buf_printf(struct sh_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !sh_buf_room(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sh_buf_add_safe(struct sh_buf *b, const char *s, size_t n)
{
	size_t i;

	if (!sh_buf_room(b, n))
		return;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		b->p[b->len + i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	b->len += n;
	b->p[b->len] = '\0';
}

const char *sh_buf_str(const struct sh_buf *b)
{
	return b->p && !b->failed ? b->p : "";
}

int sh_buf_status(const struct sh_buf *b)
{
	return b->failed ? -ENOMEM : 0;
}

int sh_err_set(struct sh_err *err, const char *hint, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
	return -EINVAL;
}
