/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The persistent reservation state as a blob (format in pr.h): what APTPL
 * hands the store, and what the daemon restores at start-up. The decoder is
 * bounded by its length and refuses a damaged blob whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/be.h"
#include "common/crc32c.h"
#include "target/scsi/pr.h"
#include "target/scsi/pr_int.h"

#define PR_BLOB_MAGIC "PTPR"
#define PR_BLOB_VERSION 1
#define PR_BLOB_HDR 20u
#define PR_BLOB_REG_HDR 12u
#define PR_BLOB_F_APTPL 0x01
#define PR_BLOB_REG_F_ALL_TG_PT 0x01
#define PR_BLOB_REG_F_DEVICE 0x02
#define PR_BLOB_NO_HOLDER 0xffffffffu

static size_t pr_blob_len(const struct scsi_pr *pr)
{
	const struct pr_reg *reg;
	size_t len = PR_BLOB_HDR + 4;

	list_for_each_entry(reg, &pr->regs, node) len += PR_BLOB_REG_HDR + strlen(reg->name);
	return len;
}

int pr_encode(const struct scsi_pr *pr, uint8_t **out, size_t *outlen)
{
	size_t len = pr_blob_len(pr), off = PR_BLOB_HDR;
	uint32_t holder = PR_BLOB_NO_HOLDER, i = 0;
	const struct pr_reg *reg;
	uint8_t *p = calloc(1, len);

	if (!p)
		return -ENOMEM;
	list_for_each_entry(reg, &pr->regs, node)
	{
		size_t n = strlen(reg->name);

		if (reg == pr->holder && !pr_type_all_regs(pr->type))
			holder = i;
		put_be64(p + off, reg->key);
		put_be16(p + off + 8, reg->rtpi);
		p[off + 10] = (reg->all_tg_pt ? PR_BLOB_REG_F_ALL_TG_PT : 0) |
			      (reg->device ? PR_BLOB_REG_F_DEVICE : 0);
		p[off + 11] = (uint8_t)n;
		memcpy(p + off + PR_BLOB_REG_HDR, reg->name, n);
		off += PR_BLOB_REG_HDR + n;
		i++;
	}
	memcpy(p, PR_BLOB_MAGIC, 4);
	p[4] = PR_BLOB_VERSION;
	p[5] = pr->aptpl ? PR_BLOB_F_APTPL : 0;
	p[6] = pr->type;
	put_be32(p + 8, pr->generation);
	put_be32(p + 12, pr->type == SCSI_PR_TYPE_NONE ? PR_BLOB_NO_HOLDER : holder);
	put_be32(p + 16, pr->nregs);
	put_be32(p + off, crc32c(0, p, off));
	*out = p;
	*outlen = len;
	return 0;
}

/* A decoded blob, before it replaces an LU's state. */
struct pr_image {
	struct scsi_pr st; /* regs, nregs, generation, type, holder, aptpl */
};

static bool pr_name_ok(const uint8_t *p, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		/* the transport's names: printable ASCII, no spaces (RFC 7143 §4.2.7.2) */
		if (p[i] <= 0x20 || p[i] >= 0x7f)
			return false;
	}
	return true;
}

/* Pure: bounds-checked decode of a blob into st (st->regs initialised by the caller). */
int pr_decode_blob(const uint8_t *p, size_t len, struct scsi_pr *st)
{
	uint32_t n, holder, i;
	size_t off = PR_BLOB_HDR;

	if (len < PR_BLOB_HDR + 4 || len > PR_BLOB_MAX)
		return -EINVAL;
	if (memcmp(p, PR_BLOB_MAGIC, 4) || p[4] != PR_BLOB_VERSION)
		return -EINVAL;
	if (get_be32(p + len - 4) != crc32c(0, p, len - 4))
		return -EINVAL;
	if ((p[5] & ~PR_BLOB_F_APTPL) || p[7])
		return -EINVAL;
	st->aptpl = p[5] & PR_BLOB_F_APTPL;
	st->type = p[6];
	if (st->type != SCSI_PR_TYPE_NONE && !pr_type_valid(st->type))
		return -EINVAL;
	st->generation = get_be32(p + 8);
	holder = get_be32(p + 12);
	n = get_be32(p + 16);
	if (n > SCSI_PR_MAX_REGS)
		return -EINVAL;
	/* a holder only for a reservation that has one; registrants for an all registrants one */
	if (st->type == SCSI_PR_TYPE_NONE || pr_type_all_regs(st->type)) {
		if (holder != PR_BLOB_NO_HOLDER)
			return -EINVAL;
		if (pr_type_all_regs(st->type) && !n)
			return -EINVAL;
	} else if (holder >= n) {
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		char name[PR_NAME_MAX + 1];
		struct pr_reg *reg;
		uint8_t flags, nlen;
		uint64_t key;
		uint16_t rtpi;

		if (len - 4 - off < PR_BLOB_REG_HDR)
			return -EINVAL;
		key = get_be64(p + off);
		rtpi = get_be16(p + off + 8);
		flags = p[off + 10];
		nlen = p[off + 11];
		if (!key || (flags & ~(PR_BLOB_REG_F_ALL_TG_PT | PR_BLOB_REG_F_DEVICE)))
			return -EINVAL;
		off += PR_BLOB_REG_HDR;
		if (len - 4 - off < nlen || !pr_name_ok(p + off, nlen))
			return -EINVAL;
		memcpy(name, p + off, nlen);
		name[nlen] = '\0';
		off += nlen;
		/* one registration per I_T nexus (SPC-4 §5.13.1) */
		list_for_each_entry(reg, &st->regs, node)
		{
			if (pr_regs_overlap(name, flags & PR_BLOB_REG_F_DEVICE, rtpi,
					    flags & PR_BLOB_REG_F_ALL_TG_PT, reg))
				return -EINVAL;
		}
		reg = pr_reg_new(name, rtpi, flags & PR_BLOB_REG_F_ALL_TG_PT,
				 flags & PR_BLOB_REG_F_DEVICE, key);
		if (!reg)
			return -ENOMEM;
		list_add_tail(&reg->node, &st->regs);
		st->nregs++;
		if (i == holder)
			st->holder = reg;
	}
	if (off != len - 4)
		return -EINVAL;
	return 0;
}

/* The daemon's side (pr.h). */

void pr_lu_set_save(struct scsi_lu *lu, const struct pr_save_ops *ops, void *arg)
{
	pthread_mutex_lock(&lu->pr.lock);
	lu->pr.save_ops = ops;
	lu->pr.save_arg = arg;
	pthread_mutex_unlock(&lu->pr.lock);
}

int pr_lu_restore(struct scsi_lu *lu, const uint8_t *blob, size_t len)
{
	struct scsi_pr *pr = &lu->pr;
	struct pr_image img;
	struct pr_reg *reg, *tmp;
	bool busy;
	int ret;

	memset(&img, 0, sizeof(img));
	list_init(&img.st.regs);
	if (!blob)
		return -EINVAL;
	ret = pr_decode_blob(blob, len, &img.st);
	if (ret)
		goto out_free;
	pthread_mutex_lock(&pr->lock);
	pthread_mutex_lock(&lu->lock);
	busy = !list_empty(&lu->itls);
	pthread_mutex_unlock(&lu->lock);
	if (busy || pr->nregs || pr->type != SCSI_PR_TYPE_NONE) {
		pthread_mutex_unlock(&pr->lock);
		ret = -EBUSY;
		goto out_free;
	}
	ret = 0;
	if (img.st.aptpl) {
		list_for_each_entry_safe(reg, tmp, &img.st.regs, node)
		{
			list_del(&reg->node);
			list_add_tail(&reg->node, &pr->regs);
		}
		pr->nregs = img.st.nregs;
		pr->generation = img.st.generation;
		pr->type = img.st.type;
		pr->holder = img.st.holder;
		pr->aptpl = true;
		pr->stored = true;
		ret = (int)pr->nregs;
		img.st.nregs = 0;
	}
	pthread_mutex_unlock(&pr->lock);
out_free:
	pr_clear_regs(&img.st);
	return ret;
}

int pr_lu_snapshot(struct scsi_lu *lu, uint8_t **blob, size_t *len)
{
	int ret;

	pthread_mutex_lock(&lu->pr.lock);
	ret = pr_encode(&lu->pr, blob, len);
	pthread_mutex_unlock(&lu->pr.lock);
	return ret;
}

_Static_assert(PR_BLOB_MAX == PR_BLOB_HDR + SCSI_PR_MAX_REGS * (PR_BLOB_REG_HDR + PR_NAME_MAX) + 4,
	       "PR_BLOB_MAX in pr.h follows the format");

bool pr_blob_aptpl(const uint8_t *blob, size_t len)
{
	struct scsi_pr st;
	bool aptpl;

	memset(&st, 0, sizeof(st));
	list_init(&st.regs);
	aptpl = blob && !pr_decode_blob(blob, len, &st) && st.aptpl;
	pr_clear_regs(&st);
	return aptpl;
}
