/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The WWID of a LUN, from its page 83h, made as the host's tools make it.
 *
 * Who names the map, read in the sources of the versions Debian 12 ships
 * (multipath-tools 0.9.4, sg3_utils 1.46, systemd 252) and checked against
 * those packages' programs:
 *
 * multipath-tools names a map by its WWID (user_friendly_names defaults to
 * "no"), and the WWID is the udev property uid_attribute names, "ID_SERIAL"
 * by default: libmultipath/defaults.h DEFAULT_UID_ATTRIBUTE, read by
 * libmultipath/discovery.c get_uid() -> get_udev_uid(). Its own parser of
 * page 83h, discovery.c parse_vpd_pg83() (get_uid() -> uid_fallback() ->
 * get_vpd_uid() -> get_vpd_sysfs()), runs only when uid_attribute is "" or
 * udev gave the path no ID_SERIAL (has_uid_fallback()). So udev decides.
 *
 * On Debian 12 two rules can set ID_SERIAL of an sd disk, and the first one
 * wins. sg3-utils-udev, which the multipath-tools package depends on, runs
 * sg_inq --export on the kernel's copies of the pages (55-scsi-sg3_id.rules)
 * and sets ID_SERIAL from its SCSI_IDENT_LUN_* lines (sg_inq.c
 * export_dev_ids(); the rules' "Compat ID_SERIAL setting"). systemd's
 * 60-persistent-storage.rules runs scsi_id only when ID_SERIAL is still
 * unset. So, multipath-tools installed, sg3_utils' order decides:
 *   a T10 vendor ID starting "ATA_" (its rest, no digit)
 *   > NAA IEEE Registered Extended > IEEE Registered > IEEE Extended ('3')
 *   > EUI-64 ('2') > SCSI name string ('8') > T10 vendor ID ('1')
 *   > NAA locally assigned ('3') > vendor specific ('0', vendor, product)
 *   > page 80h's serial ('S'; not made here: that is -ENODATA).
 * parse_vpd_pg83() has the same order (NAA locally assigned below T10).
 * systemd's scsi_id (src/udev/scsi_id/scsi_serial.c, id_search_list[] and
 * check_fill_0x83_id()) does not: any NAA, locally assigned included, comes
 * before EUI-64 and T10.
 *
 * porticod's LU has a locally assigned NAA (3h) and a T10 vendor ID. On a
 * Debian 12 host with multipath-tools its map is "1" and the T10 designator
 * with its spaces squeezed to '_', /dev/mapper/1PORTICO_<serial>: mp_wwid().
 * Where sg3-utils-udev is missing, as in the VM lab's guest (tests/vm/
 * image.sh copies the files of the packages it lists, and it is not one),
 * scsi_id decides and the map is "3" and the NAA in hex, as in
 * 3317d256b66b08694: mp_wwid_scsi_id(). multipath-tools' own parser gives
 * porticod's LUs the T10 name as sg3_utils does: mp_wwid_multipath().
 *
 * Each rule below follows its tool, quirks included, and was compared with
 * the tools themselves (sg_inq, /lib/udev/scsi_id and libmultipath's
 * get_vpd_sgio() of Debian 12, fed the same random pages) until they agreed
 * on every page but where this file says it differs on purpose:
 *  - a descriptor that runs past the page ends the walk, and the designators
 *    before it count (as in sg_inq and parse_vpd_pg83(); scsi_id reads on
 *    past the page into whatever its buffer holds);
 *  - scsi_id can name a LUN by a lone type digit ("3" for an empty NAA,
 *    "0" for a vendor specific designator when the INQUIRY vendor or
 *    product holds a NUL): such a name would be every such LUN's, and here
 *    it is no name;
 *  - scsi_id reads 254 bytes of the page, and only those count here;
 *  - no WWID comes from page 80h, where the tools fall back to it.
 * Every WWID is then cut as get_uid() cuts it: at 127 characters, and its
 * trailing blanks. That is the map's name as multipath-tools gives it. For
 * a name with bytes outside udev's safe set (letters, digits, "#+-.:=@_"),
 * such as sg_inq's "\x2f" for a '/' in a T10 designator, what its node under
 * /dev/mapper is called is libdevmapper's name mangling, not looked into
 * here: porticod's derived serials are hex, but a serial pinned in its
 * configuration may hold any printable ASCII.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/scsi_proto.h"
#include "common/scsi_vpd.h"
#include "common/util.h"
#include "mpath/wwid.h"

/* ---- strings being made --------------------------------------------------- */

/* Room for the longest value a rule makes before the cut: a T10 designator udev-escaped. */
#define WSTR_MAX 1280

struct wstr {
	char s[WSTR_MAX];
	size_t len;
};

static void ws_reset(struct wstr *w)
{
	w->len = 0;
	w->s[0] = '\0';
}

/* Appends (past the room, nothing: only the first 127 characters ever count). */
static void ws_put(struct wstr *w, const void *p, size_t n)
{
	size_t room = WSTR_MAX - 1 - w->len;

	if (n > room)
		n = room;
	memcpy(w->s + w->len, p, n);
	w->len += n;
	w->s[w->len] = '\0';
}

static void ws_putc(struct wstr *w, char c)
{
	ws_put(w, &c, 1);
}

static void ws_puts(struct wstr *w, const char *s)
{
	ws_put(w, s, strlen(s));
}

static const char hex_digits[] = "0123456789abcdef";

/* Every tool prints binary designators as lower-case hex, two digits a byte. */
static void ws_hex(struct wstr *w, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ws_putc(w, hex_digits[p[i] >> 4]);
		ws_putc(w, hex_digits[p[i] & 0xf]);
	}
}

/*
 * What multipath-tools keeps (get_uid(), get_udev_uid()): the string up to
 * its first NUL, at most WWID_SIZE - 1 characters, trailing blanks dropped.
 */
static int wwid_out(const struct wstr *w, char *wwid, size_t size, const char **why)
{
	size_t n = strnlen(w->s, MP_WWID_SIZE - 1);

	while (n && w->s[n - 1] == ' ')
		n--;
	if (!n) {
		*why = "the designator chosen makes an empty WWID";
		return -ENODATA;
	}
	if (size <= n) {
		*why = "WWID buffer too small";
		return -ENOSPC;
	}
	memcpy(wwid, w->s, n);
	wwid[n] = '\0';
	return (int)n;
}

static const char *const why_no_lu = "no logical unit designator in page 83h";
static const char *const why_broken =
    "a designation descriptor runs past the end of page 83h before any usable one";

/* The walk's start; a page that cannot be walked says why. */
static int walk_init(struct scsi_vpd83_iter *it, const uint8_t *p, size_t len, const char **why)
{
	int r = scsi_vpd83_iter_init(it, p, len);

	if (r == -EMSGSIZE)
		*why = "page 83h is longer than the buffer holds: read it with a larger allocation "
		       "length";
	else if (r == -EPROTO)
		*why = "not page 83h";
	return r;
}

/* How a walk ended: nothing usable found, and why. */
static int walk_none(int walk_end, bool saw_lu, const char *skip, const char **why)
{
	if (walk_end < 0 && !saw_lu) {
		*why = why_broken;
		return -EBADMSG;
	}
	*why = saw_lu ? skip : why_no_lu;
	return -ENODATA;
}

/*
 * SCSI-2 pages (EMC Symmetrix models 4 to 6): no descriptors, a WWN right
 * after the header. scsi_id and sg_inq tell one by byte 6, the reserved
 * byte of an SPC page's first descriptor, being set.
 */
static bool page_pre_spc3(const struct scsi_vpd83_iter *it)
{
	const size_t at = sizeof(struct scsi_vpd_hdr) + offsetof(struct scsi_desig_hdr, reserved);

	return it->end > at && it->page[at];
}

/* ---- sg3-utils-udev: Debian 12's ID_SERIAL ------------------------------- */

static bool c_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static bool c_print(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

static bool c_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/*
 * sg_inq's encode_whitespaces(), C locale: leading blanks and then control
 * bytes skipped, trailing blanks and NULs dropped, a run of blanks one '_',
 * a lone NUL skipped and a second one in a row the end, any other
 * unprintable byte '.'; nothing at all unless a printable byte or a '_'
 * came out. Writes into out (room for n) and returns the length.
 */
static size_t sg3_squeeze(const uint8_t *s, size_t n, char *out)
{
	size_t j = 0, end = n, res = 0;
	bool valid = false, zero = false;

	while (j < n && c_blank(s[j]))
		j++;
	while (j < n && s[j] < 0x20)
		j++;
	while (end > j && (c_blank(s[end - 1]) || !s[end - 1]))
		end--;
	for (; j < end; j++) {
		if (c_blank(s[j])) {
			if (res && out[res - 1] != '_') {
				out[res++] = '_';
				valid = true;
			}
			zero = false;
		} else if (!c_print(s[j])) {
			if (!s[j]) {
				if (zero)
					break;
				zero = true;
				continue;
			}
			out[res++] = '.';
			zero = false;
		} else {
			out[res++] = (char)s[j];
			valid = true;
			zero = false;
		}
	}
	return valid ? res : 0;
}

/* sg_inq's "udev-conforming character encoding": udev's safe characters, others \xNN. */
static void sg3_escape(struct wstr *w, const char *s, size_t n)
{
	static const char safe[] = "#+-.:=@_";
	char esc[5] = {'\\', 'x'};
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];

		if (c_alnum(c) || (c && strchr(safe, c))) {
			ws_putc(w, (char)c);
		} else {
			esc[2] = hex_digits[c >> 4];
			esc[3] = hex_digits[c & 0xf];
			ws_put(w, esc, 4);
		}
	}
}

static bool udev_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * What udev keeps of a "KEY=value" line an IMPORT{program} printed
 * (udev-rules.c get_property_from_string()): the value stripped of
 * whitespace at both ends, a pair of matching quotes around it removed.
 * An empty or badly quoted value sets nothing (false).
 */
static bool udev_import(const char *v, size_t n, struct wstr *out)
{
	while (n && udev_space(v[0])) {
		v++;
		n--;
	}
	while (n && udev_space(v[n - 1]))
		n--;
	if (!n)
		return false;
	if (v[0] == '"' || v[0] == '\'') {
		if (n == 1 || v[n - 1] != v[0])
			return false;
		v++;
		n -= 2;
	}
	ws_reset(out);
	ws_put(out, v, n);
	return true;
}

/* The SCSI_IDENT_LUN_* values the compat rules name a disk by, in their order. */
enum sg3_kind {
	SG3_ATA,
	SG3_NAA_REGEXT,
	SG3_NAA_REG,
	SG3_NAA_EXT,
	SG3_EUI64,
	SG3_NAME,
	SG3_T10,
	SG3_NAA_LOCAL,
	SG3_VENDOR,
	SG3_KINDS
};

/* 55-scsi-sg3_id.rules: ID_SERIAL is this and the value of the first kind that is set. */
static const char *const sg3_prefix[SG3_KINDS] = {
    [SG3_ATA] = "", /* "ata_id compatibility": ID_BUS becomes ata, no type digit */
    [SG3_NAA_REGEXT] = "3", [SG3_NAA_REG] = "3", [SG3_NAA_EXT] = "3",	[SG3_EUI64] = "2",
    [SG3_NAME] = "8",	    [SG3_T10] = "1",	 [SG3_NAA_LOCAL] = "3", [SG3_VENDOR] = "0",
};

/* The properties udev holds once sg_inq's lines are imported: the last line of a key wins. */
struct sg3_env {
	struct wstr v[SG3_KINDS];
	bool set[SG3_KINDS];
};

static void sg3_set(struct sg3_env *env, enum sg3_kind k, const char *v, size_t n)
{
	if (udev_import(v, n, &env->v[k]))
		env->set[k] = true;
}

/* sg_inq's NAA suffixes: any NAA other than 2h, 5h and 6h is "LOCAL". */
static enum sg3_kind sg3_naa_kind(uint8_t first)
{
	switch (first >> 4) {
	case SCSI_NAA_IEEE_REG_EXT:
		return SG3_NAA_REGEXT;
	case SCSI_NAA_IEEE_REG:
		return SG3_NAA_REG;
	case SCSI_NAA_IEEE_EXT:
		return SG3_NAA_EXT;
	default:
		return SG3_NAA_LOCAL;
	}
}

/* export_dev_ids() leaves out vendor specific designators longer than this */
#define SG3_VENDOR_MAX 128

static bool codeset_text(uint8_t codeset)
{
	return codeset == SCSI_DESIG_CODESET_ASCII || codeset == SCSI_DESIG_CODESET_UTF8;
}

/*
 * One logical unit designator, as export_dev_ids() prints it and udev
 * imports it; with lost set, its first line is lost (sg3_glues()).
 */
static void sg3_desig(struct sg3_env *env, const struct scsi_desig *d, bool lost)
{
	char enc[SCSI_DESIG_LEN_MAX];
	struct wstr val;
	size_t k;

	ws_reset(&val);
	switch (d->type) {
	case SCSI_DESIG_TYPE_VENDOR:
		if (!d->len || d->len > SG3_VENDOR_MAX)
			return;
		if (codeset_text(d->codeset)) {
			k = sg3_squeeze(d->id, d->len, enc);
			if (!k)
				return;
			sg3_escape(&val, enc, k);
		} else {
			ws_hex(&val, d->id, d->len);
		}
		if (!lost)
			sg3_set(env, SG3_VENDOR, val.s, val.len);
		return;
	case SCSI_DESIG_TYPE_T10:
		if (codeset_text(d->codeset)) {
			k = sg3_squeeze(d->id, d->len, enc);
			sg3_escape(&val, enc, k);
			if (!lost)
				sg3_set(env, SG3_T10, val.s, val.len);
			/* a SATA disk behind a SAT layer: its model and serial, unescaped */
			if (k >= 4 && !memcmp(enc, "ATA_", 4))
				sg3_set(env, SG3_ATA, enc + 4, k - 4);
		} else if (!lost) {
			ws_hex(&val, d->id, d->len);
			sg3_set(env, SG3_T10, val.s, val.len);
		}
		return;
	case SCSI_DESIG_TYPE_EUI64:
		if (d->codeset != SCSI_DESIG_CODESET_BINARY || lost)
			return;
		ws_hex(&val, d->id, d->len);
		sg3_set(env, SG3_EUI64, val.s, val.len);
		return;
	case SCSI_DESIG_TYPE_NAA:
		if (d->codeset != SCSI_DESIG_CODESET_BINARY || !d->len || lost)
			return;
		ws_hex(&val, d->id, d->len);
		sg3_set(env, sg3_naa_kind(d->id[0]), val.s, val.len);
		return;
	case SCSI_DESIG_TYPE_SCSI_NAME: {
		/* printed as it is, up to its NUL; a newline would end udev's line there */
		const char *s = (const char *)d->id;
		size_t n = strnlen(s, d->len);
		const char *nl = memchr(s, '\n', n);

		if (d->codeset != SCSI_DESIG_CODESET_UTF8 || lost)
			return;
		sg3_set(env, SG3_NAME, s, nl ? (size_t)(nl - s) : n);
		return;
	}
	default:
		return;
	}
}

#define SG3_TPROTO_UAS 0x9 /* sg_lib.h TPROTO_UAS */
#define SG3_TPROTO_SOP 0xa /* sg_lib.h TPROTO_SOP */

/* Does export_dev_ids() print a line on stdout for d (of any association)? */
static bool sg3_prints(const struct scsi_desig *d)
{
	char enc[SCSI_DESIG_LEN_MAX];
	bool bin = d->codeset == SCSI_DESIG_CODESET_BINARY;

	switch (d->type) {
	case SCSI_DESIG_TYPE_VENDOR:
		if (!d->len || d->len > SG3_VENDOR_MAX)
			return false;
		return !codeset_text(d->codeset) || sg3_squeeze(d->id, d->len, enc);
	case SCSI_DESIG_TYPE_T10:
		return true;
	case SCSI_DESIG_TYPE_EUI64:
	case SCSI_DESIG_TYPE_NAA:
		return bin;
	case SCSI_DESIG_TYPE_REL_PORT:
	case SCSI_DESIG_TYPE_TPG:
		return bin && d->assoc == SCSI_DESIG_ASSOC_PORT && d->len == 4;
	case SCSI_DESIG_TYPE_LU_GROUP:
		return bin && d->assoc == SCSI_DESIG_ASSOC_LU && d->len == 4;
	case SCSI_DESIG_TYPE_MD5:
		return bin && d->assoc == SCSI_DESIG_ASSOC_LU && d->len;
	case SCSI_DESIG_TYPE_SCSI_NAME:
		return d->codeset == SCSI_DESIG_CODESET_UTF8;
	case SCSI_DESIG_TYPE_PROTO_PORT:
		if (d->proto == SG3_TPROTO_UAS)
			return d->len == 4 && d->assoc == SCSI_DESIG_ASSOC_PORT;
		return d->proto == SG3_TPROTO_SOP && (d->len == 4 || d->len == 8);
	case SCSI_DESIG_TYPE_UUID:
		return bin && d->len >= 18;
	default:
		return false;
	}
}

/*
 * An empty MD5 logical unit designator: export_dev_ids() prints
 * "SCSI_IDENT_LUN_MD5=" and no hex and no newline, so the next line it
 * prints is glued to it and lost to its own key.
 */
static bool sg3_glues(const struct scsi_desig *d)
{
	return d->type == SCSI_DESIG_TYPE_MD5 && d->codeset == SCSI_DESIG_CODESET_BINARY &&
	       d->assoc == SCSI_DESIG_ASSOC_LU && !d->len;
}

#define INQ_FIELD(f) offsetof(struct scsi_inquiry_std, f), sizeof(((struct scsi_inquiry_std *)0)->f)

/*
 * SCSI_VENDOR or SCSI_MODEL, the field at off of n bytes of the standard
 * INQUIRY data, as sg_inq prints it (sg_inq.c std_inq_decode()).
 */
static void sg3_inq_field(const uint8_t *inq, size_t inq_len, size_t off, size_t n, bool tabs,
			  struct wstr *out)
{
	uint8_t field[sizeof(((struct scsi_inquiry_std *)0)->product)] = {0};
	char enc[sizeof(field)];
	size_t i, k;

	ws_reset(out);
	/* sg_inq prints the field when the data reach past its first byte */
	if (!inq || inq_len <= off)
		return;
	memcpy(field, inq + off, MIN(n, inq_len - off));
	for (i = 0; tabs && i < n; i++)
		if (field[i] == '\t')
			field[i] = ' ';
	k = sg3_squeeze(field, n, enc);
	if (!k || !udev_import(enc, k, out))
		ws_reset(out);
}

/* A vendor specific one: "0$env{SCSI_VENDOR}_$env{SCSI_MODEL}_$env{SCSI_IDENT_LUN_VENDOR}". */
static void sg3_vendor_model(const uint8_t *inq, size_t inq_len, struct wstr *w)
{
	struct wstr f;

	/* sg_inq turns the vendor's tabs into spaces, not the product's */
	sg3_inq_field(inq, inq_len, INQ_FIELD(vendor), true, &f);
	ws_put(w, f.s, f.len);
	ws_putc(w, '_');
	sg3_inq_field(inq, inq_len, INQ_FIELD(product), false, &f);
	ws_put(w, f.s, f.len);
	ws_putc(w, '_');
}

/*
 * A SCSI-2 page: export_dev_ids() prints its whole body as one NAA of the
 * LU, then walks on as if a descriptor began 16 bytes into the body.
 */
#define SG3_PRE_SPC3_NEXT 16

static void sg3_pre_spc3(struct sg3_env *env, struct scsi_vpd83_iter *it)
{
	const uint8_t *body = it->page + sizeof(struct scsi_vpd_hdr);
	const size_t body_len = it->end - sizeof(struct scsi_vpd_hdr);
	const size_t len_at = SG3_PRE_SPC3_NEXT + offsetof(struct scsi_desig_hdr, len);
	struct wstr w;

	ws_reset(&w);
	ws_hex(&w, body, body_len);
	sg3_set(env, sg3_naa_kind(body[0]), w.s, w.len);
	it->off = it->end;
	if (body_len > len_at)
		it->off = MIN(it->end, sizeof(struct scsi_vpd_hdr) + SG3_PRE_SPC3_NEXT +
					   sizeof(struct scsi_desig_hdr) + body[len_at]);
}

int mp_wwid(const uint8_t *vpd83, size_t vpd83_len, const uint8_t *inq, size_t inq_len, char *wwid,
	    size_t size, const char **why)
{
	struct sg3_env env;
	struct scsi_vpd83_iter it;
	struct scsi_desig d;
	struct wstr w;
	const char *dummy;
	bool saw_lu = false, glued = false, stopped = false;
	int k, r;

	if (!why)
		why = &dummy;
	r = walk_init(&it, vpd83, vpd83_len, why);
	if (r)
		return r;
	memset(env.set, 0, sizeof(env.set));
	if (page_pre_spc3(&it)) {
		sg3_pre_spc3(&env, &it);
		saw_lu = true;
	}
	while ((r = scsi_vpd83_iter_next(&it, &d)) == 1) {
		/* export_dev_ids() stops at a reserved association */
		if (d.assoc == SCSI_DESIG_ASSOC_RESERVED) {
			stopped = true;
			break;
		}
		if (d.assoc == SCSI_DESIG_ASSOC_LU) {
			saw_lu = true;
			sg3_desig(&env, &d, glued);
		}
		if (sg3_prints(&d))
			glued = false;
		if (sg3_glues(&d))
			glued = true;
	}
	for (k = 0; k < SG3_KINDS; k++) {
		/* ENV{SCSI_IDENT_LUN_...}=="?*": set, and not empty */
		if (!env.set[k] || !env.v[k].len)
			continue;
		ws_reset(&w);
		ws_puts(&w, sg3_prefix[k]);
		if (k == SG3_VENDOR) {
			if (!inq) {
				*why = "only a vendor specific logical unit designator, and no "
				       "INQUIRY "
				       "data to name it with";
				return -ENODATA;
			}
			sg3_vendor_model(inq, inq_len, &w);
		}
		ws_put(&w, env.v[k].s, env.v[k].len);
		return wwid_out(&w, wwid, size, why);
	}
	if (stopped && !saw_lu) {
		*why = "a designator of reserved association, where sg_inq stops, comes before any "
		       "logical unit designator";
		return -ENODATA;
	}
	return walk_none(r, saw_lu,
			 "no logical unit designator udev's sg3_utils rules name a disk by (NAA "
			 "or EUI-64 in binary, a SCSI name string in UTF-8, a T10 vendor ID, a "
			 "vendor specific one)",
			 why);
}

/* ---- systemd's scsi_id --------------------------------------------------- */

#define SCSI_ID_SERIAL_MAX 256 /* scsi_id.h MAX_SERIAL_LEN, its NUL included */
#define SCSI_ID_INQ_BUF 254    /* scsi_id.h SCSI_INQ_BUFF_LEN: what it reads of a page */
#define SCSI_ID_ANY_NAA (-1)

/* scsi_serial.c id_search_list[]: the first row a designator matches wins, in page order. */
static const struct {
	uint8_t type;
	int naa;
	uint8_t codeset;
} scsi_id_rows[] = {
    {SCSI_DESIG_TYPE_NAA, SCSI_NAA_IEEE_REG_EXT, SCSI_DESIG_CODESET_BINARY},
    {SCSI_DESIG_TYPE_NAA, SCSI_NAA_IEEE_REG_EXT, SCSI_DESIG_CODESET_ASCII},
    {SCSI_DESIG_TYPE_NAA, SCSI_NAA_IEEE_REG, SCSI_DESIG_CODESET_BINARY},
    {SCSI_DESIG_TYPE_NAA, SCSI_NAA_IEEE_REG, SCSI_DESIG_CODESET_ASCII},
    {SCSI_DESIG_TYPE_NAA, SCSI_ID_ANY_NAA, SCSI_DESIG_CODESET_BINARY},
    {SCSI_DESIG_TYPE_NAA, SCSI_ID_ANY_NAA, SCSI_DESIG_CODESET_ASCII},
    {SCSI_DESIG_TYPE_EUI64, SCSI_ID_ANY_NAA, SCSI_DESIG_CODESET_BINARY},
    {SCSI_DESIG_TYPE_EUI64, SCSI_ID_ANY_NAA, SCSI_DESIG_CODESET_ASCII},
    {SCSI_DESIG_TYPE_T10, SCSI_ID_ANY_NAA, SCSI_DESIG_CODESET_BINARY},
    {SCSI_DESIG_TYPE_T10, SCSI_ID_ANY_NAA, SCSI_DESIG_CODESET_ASCII},
    {SCSI_DESIG_TYPE_VENDOR, SCSI_ID_ANY_NAA, SCSI_DESIG_CODESET_BINARY},
    {SCSI_DESIG_TYPE_VENDOR, SCSI_ID_ANY_NAA, SCSI_DESIG_CODESET_ASCII},
};

/* INQUIRY vendor and product, back to back, as scsi_id prepends them */
#define SCSI_ID_VM_LEN                                                                             \
	(sizeof(((struct scsi_inquiry_std *)0)->vendor) +                                          \
	 sizeof(((struct scsi_inquiry_std *)0)->product))

/* The vendor and product, or false when scsi_id has none: short data, or a NUL in them. */
static bool scsi_id_vendor_model(const uint8_t *inq, size_t inq_len, char vm[SCSI_ID_VM_LEN])
{
	const size_t off = offsetof(struct scsi_inquiry_std, vendor);

	/* scsi_serial.c append_vendor_model(): strnlen() of each must be its full length */
	if (!inq || inq_len < off + SCSI_ID_VM_LEN || memchr(inq + off, '\0', SCSI_ID_VM_LEN))
		return false;
	memcpy(vm, inq + off, SCSI_ID_VM_LEN);
	return true;
}

/* check_fill_0x83_id(): does d match the row, and does its serial fit? */
static bool scsi_id_match(const struct scsi_desig *d, size_t row, bool have_vm)
{
	size_t need;

	if (d->assoc != SCSI_DESIG_ASSOC_LU || d->type != scsi_id_rows[row].type)
		return false;
	/* scsi_id would name the LUN by the lone type digit: no name here */
	if (!d->len)
		return false;
	if (scsi_id_rows[row].naa != SCSI_ID_ANY_NAA && d->id[0] >> 4 != scsi_id_rows[row].naa)
		return false;
	if (d->codeset != scsi_id_rows[row].codeset)
		return false;
	/* the type digit, 2 characters a binary byte, the NUL, vendor and product */
	need = d->len * (d->codeset == SCSI_DESIG_CODESET_ASCII ? 1 : 2) + 2;
	if (d->type == SCSI_DESIG_TYPE_VENDOR) {
		if (!have_vm)
			return false;
		need += SCSI_ID_VM_LEN;
	}
	return need <= SCSI_ID_SERIAL_MAX;
}

/*
 * The length of a valid UTF-8 character of 2 or more bytes at s, or 0
 * (systemd utf8.c utf8_encoded_valid_unichar(): no overlong forms, no
 * surrogates, nothing past 10FFFFh, no FDD0h-FDEFh, nor xFFFEh and xFFFFh).
 */
static size_t utf8_char_len(const uint8_t *s)
{
	uint32_t c;
	size_t n, i;

	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000))
		return 0;
	if (c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff) || (c >= 0xfdd0 && c <= 0xfdef) ||
	    (c & 0xfffe) == 0xfffe)
		return 0;
	return n;
}

/*
 * scsi_id's ID_SERIAL (scsi_id.c, with --export): udev_replace_whitespace()
 * over at most 255 characters (leading whitespace dropped, each run inside
 * one '_', trailing dropped), then udev_replace_chars() (every character but
 * letters, digits, "#+-.:=@_", a "\x" and valid multi-byte UTF-8 becomes '_').
 */
static void scsi_id_export(const char *serial, struct wstr *out)
{
	const size_t len = SCSI_ID_SERIAL_MAX - 1;
	char s[SCSI_ID_SERIAL_MAX];
	size_t i = 0, j = 0, n;
	bool space = false;

	while (serial[i] == ' ' || serial[i] == '\t' || serial[i] == '\n' || serial[i] == '\r')
		i++;
	for (; j < len && i < len && serial[i]; i++) {
		if (serial[i] == ' ' || (serial[i] >= '\t' && serial[i] <= '\r')) {
			space = true;
			continue;
		}
		if (space) {
			if (j + 1 >= len)
				break;
			s[j++] = '_';
			space = false;
		}
		s[j++] = serial[i];
	}
	s[j] = '\0';
	for (i = 0; i < j;) {
		uint8_t c = (uint8_t)s[i];

		if (c_alnum(c) || (c && strchr("#+-.:=@_", c))) {
			i++;
		} else if (c == '\\' && s[i + 1] == 'x') {
			i += 2;
		} else if ((n = utf8_char_len((const uint8_t *)s + i))) {
			i += n;
		} else {
			s[i++] = '_';
		}
	}
	ws_reset(out);
	ws_puts(out, s);
}

int mp_wwid_scsi_id(const uint8_t *vpd83, size_t vpd83_len, const uint8_t *inq, size_t inq_len,
		    char *wwid, size_t size, const char **why)
{
	struct scsi_vpd83_iter it;
	struct scsi_desig d;
	struct wstr serial, w;
	const char *dummy;
	char vm[SCSI_ID_VM_LEN];
	bool have_vm = scsi_id_vendor_model(inq, inq_len, vm), saw_lu = false, cut;
	size_t row;
	int r = 0;

	if (!why)
		why = &dummy;
	r = walk_init(&it, vpd83, vpd83_len, why);
	if (r)
		return r;
	ws_reset(&serial);
	if (page_pre_spc3(&it)) {
		/*
		 * check_fill_0x83_prespc3(): "3", then the bytes PAGE LENGTH's low
		 * byte covers, two digits each while they leave 3 bytes of room
		 */
		const struct scsi_vpd_hdr *h = (const struct scsi_vpd_hdr *)it.page;

		ws_putc(&serial, '3');
		ws_hex(&serial, it.page + sizeof(*h),
		       MIN((size_t)h->page_len[1], (SCSI_ID_SERIAL_MAX - 4) / 2));
		scsi_id_export(serial.s, &w);
		return wwid_out(&w, wwid, size, why);
	}
	/* scsi_id reads 254 bytes of the page: whatever lies past them is not the page's */
	cut = it.end > SCSI_ID_INQ_BUF;
	it.end = MIN(it.end, (size_t)SCSI_ID_INQ_BUF);
	for (row = 0; row < ARRAY_SIZE(scsi_id_rows); row++) {
		struct scsi_vpd83_iter walk = it;

		while ((r = scsi_vpd83_iter_next(&walk, &d)) == 1) {
			if (d.assoc == SCSI_DESIG_ASSOC_LU)
				saw_lu = true;
			if (!scsi_id_match(&d, row, have_vm))
				continue;
			ws_putc(&serial, hex_digits[d.type]);
			if (d.type == SCSI_DESIG_TYPE_VENDOR)
				ws_put(&serial, vm, sizeof(vm));
			if (d.codeset == SCSI_DESIG_CODESET_ASCII)
				ws_put(&serial, d.id, d.len);
			else
				ws_hex(&serial, d.id, d.len);
			scsi_id_export(serial.s, &w);
			return wwid_out(&w, wwid, size, why);
		}
	}
	if (cut && !saw_lu) {
		*why = "no logical unit designator in the first 254 bytes of page 83h, all scsi_id "
		       "reads";
		return -ENODATA;
	}
	return walk_none(r, saw_lu,
			 "no logical unit designator scsi_id names a disk by (NAA, EUI-64, T10 "
			 "vendor ID, or vendor specific with INQUIRY data, in binary or ASCII)",
			 why);
}

/* ---- multipath-tools' parse_vpd_pg83() ----------------------------------- */

#define MPT_VPD_BUFLEN 4096 /* discovery.h VPD_BUFLEN: what it reads of a page */

/* parse_vpd_pg83()'s priority of d (higher wins, the first of equals), or -1 if never. */
static int mpt_prio(const struct scsi_desig *d)
{
	if (d->assoc != SCSI_DESIG_ASSOC_LU)
		return -1;
	switch (d->type) {
	case SCSI_DESIG_TYPE_NAA:
		if (!d->len)
			return -1;
		switch (d->id[0] >> 4) {
		case SCSI_NAA_IEEE_REG_EXT:
			return d->len == 16 ? 8 : -1;
		case SCSI_NAA_IEEE_REG:
			return d->len == 8 ? 7 : -1;
		case SCSI_NAA_IEEE_EXT:
			return d->len == 8 ? 6 : -1;
		case SCSI_NAA_LOCAL:
			return d->len == 8 ? 1 : -1;
		default:
			return -1;
		}
	case SCSI_DESIG_TYPE_EUI64:
		return d->len == 8 || d->len == 12 || d->len == 16 ? 4 : -1;
	case SCSI_DESIG_TYPE_SCSI_NAME:
		/* lower case prefixes only: it compares with memcmp() */
		if (d->len < 4 || (memcmp(d->id, "eui.", 4) && memcmp(d->id, "naa.", 4) &&
				   memcmp(d->id, "iqn.", 4)))
			return -1;
		return 3;
	case SCSI_DESIG_TYPE_T10:
		return d->len >= 8 ? 2 : -1;
	default:
		return -1;
	}
}

/* The WWID parse_vpd_pg83() prints for the designator it chose. */
static void mpt_print(const struct scsi_desig *d, struct wstr *w)
{
	/* it reads at most WWID_SIZE bytes of the designator */
	size_t len = MIN(d->len, (size_t)MP_WWID_SIZE), i, start;
	const uint8_t *p = d->id;
	char type;

	ws_reset(w);
	switch (d->type) {
	case SCSI_DESIG_TYPE_NAA:
	case SCSI_DESIG_TYPE_EUI64:
		ws_putc(w, hex_digits[d->type]);
		ws_hex(w, p, len);
		return;
	case SCSI_DESIG_TYPE_SCSI_NAME:
		/* the prefix becomes a type digit, the rest is copied up to its NUL */
		type = !memcmp(p, "eui.", 4) ? '2' : !memcmp(p, "naa.", 4) ? '3' : '8';
		ws_putc(w, type);
		start = w->len;
		ws_put(w, p + 4, strnlen((const char *)p + 4, len - 4));
		/* eui. and naa. names are hex, which it writes in lower case */
		for (i = start; type != '8' && i < w->len; i++)
			if (w->s[i] >= 'A' && w->s[i] <= 'Z')
				w->s[i] = (char)(w->s[i] - 'A' + 'a');
		return;
	default:
		/* T10 vendor ID: "1", each run of spaces one '_', trailing ones dropped */
		ws_putc(w, '1');
		for (i = 0; i < len; i++) {
			if (p[i] != ' ') {
				ws_putc(w, (char)p[i]);
				continue;
			}
			while (i + 1 < len && p[i + 1] == ' ')
				i++;
			if (i + 1 < len)
				ws_putc(w, '_');
		}
		return;
	}
}

int mp_wwid_multipath(const uint8_t *vpd83, size_t vpd83_len, char *wwid, size_t size,
		      const char **why)
{
	struct scsi_vpd83_iter it;
	struct scsi_desig d, best = {0};
	struct wstr w;
	const char *dummy;
	int r, prio, best_prio = -1;
	bool saw_lu = false, cut;

	if (!why)
		why = &dummy;
	r = walk_init(&it, vpd83, vpd83_len, why);
	if (r)
		return r;
	/* get_vpd_sysfs() reads at most VPD_BUFLEN bytes of the page */
	cut = it.end > MPT_VPD_BUFLEN;
	it.end = MIN(it.end, (size_t)MPT_VPD_BUFLEN);
	while ((r = scsi_vpd83_iter_next(&it, &d)) == 1) {
		if (d.assoc == SCSI_DESIG_ASSOC_LU)
			saw_lu = true;
		prio = mpt_prio(&d);
		if (prio > best_prio) {
			best = d;
			best_prio = prio;
		}
	}
	if (best_prio > 0) {
		mpt_print(&best, &w);
		return wwid_out(&w, wwid, size, why);
	}
	if (cut && !saw_lu) {
		*why = "no logical unit designator in the first 4096 bytes of page 83h, all "
		       "multipath-tools reads";
		return -ENODATA;
	}
	return walk_none(r, saw_lu,
			 "no logical unit designator multipath-tools names a map by (NAA 2h, 3h "
			 "or 5h of 8 bytes, 6h of 16, EUI-64 of 8, 12 or 16, a SCSI name string "
			 "starting eui., naa. or iqn., a T10 vendor ID)",
			 why);
}
