/*
 * tdbwins — NetBIOS name codec (RFC 1001 14.1, RFC 1002 4.1).
 *
 * The decoder is the only place that walks compressed NBNS names.  It reads
 * every byte through the cursor and does a bounded amount of work per name:
 * at most NBN_MAX_LABELS labels, NBN_MAX_HOPS pointers and NBN_MAX_DECODED
 * decoded bytes, whatever the message contains (the CVE-2020-10745 lesson:
 * a name must not be allowed to grow by following pointers).
 */
#include <stdint.h>
#include <string.h>

#include "nbname.h"

/*
 * A compression pointer may not point into the 12-byte header
 * (RFC 1002 4.2.1.1: names start after it).
 */
#define NBN_MIN_POINTER 12

/* The first-level label is 32 characters (RFC 1001 14.1). */
#define NBN_L1_LEN (2 * NBN_RAW_LEN)

/* RFC 883 label: 1..63 bytes, top two bits of the length byte are 00. */
#define NBN_LABEL_MAX 63
#define NBN_LABEL_TYPE_MASK 0xc0
#define NBN_LABEL_POINTER 0xc0

/*
 * Check a dotted scope of len bytes: labels of 1..63 bytes separated by
 * single dots (no leading, trailing or doubled dot, which would be an empty
 * label on the wire), no NUL, at most NBN_MAX_LABELS - 1 labels (the
 * first-level label is the first of the name's labels).
 */
static bool nbn_scope_valid(const char *scope, size_t len)
{
	size_t label = 0;
	size_t labels = 1;
	size_t i;

	if (len == 0) {
		return true;
	}
	if (scope == NULL || len > NBN_SCOPE_MAX) {
		return false;
	}
	for (i = 0; i < len; i++) {
		if (scope[i] == '\0') {
			return false;
		}
		if (scope[i] != '.') {
			label++;
			if (label > NBN_LABEL_MAX) {
				return false;
			}
			continue;
		}
		if (label == 0) {
			return false;
		}
		labels++;
		label = 0;
	}
	if (label == 0) {
		return false;
	}
	return labels + 1 <= NBN_MAX_LABELS;
}

bool nbn_make(struct nbn_name *out, const char *name, uint8_t suffix,
	      const char *scope)
{
	struct nbn_name n = {};
	size_t name_len;
	size_t scope_len = 0;
	uint8_t pad = ' ';

	if (out == NULL || name == NULL) {
		return false;
	}
	name_len = strnlen(name, NBN_RAW_LEN);
	if (name_len > NBN_RAW_LEN - 1) {
		return false;
	}
	if (scope != NULL) {
		scope_len = strnlen(scope, NBN_SCOPE_MAX + 1);
	}
	if (!nbn_scope_valid(scope, scope_len)) {
		return false;
	}

	/*
	 * RFC 1002 4.1 / RFC 1001 14.1: names are padded with spaces, except
	 * the wildcard "*" used by node status queries, which is padded with
	 * NULs (what Windows and Samba put on the wire: "CKAAAA...").
	 */
	if (name_len == 1 && name[0] == '*') {
		pad = 0;
	}
	memset(n.raw, pad, NBN_RAW_LEN - 1);
	if (name_len > 0) {
		memcpy(n.raw, name, name_len);
	}
	n.raw[NBN_RAW_LEN - 1] = suffix;
	if (scope_len > 0) {
		memcpy(n.scope, scope, scope_len);
	}
	n.scope[scope_len] = '\0';
	n.scope_len = (uint8_t)scope_len;

	*out = n;
	return true;
}

bool nbn_equal(const struct nbn_name *a, const struct nbn_name *b)
{
	if (a->scope_len > NBN_SCOPE_MAX || b->scope_len > NBN_SCOPE_MAX) {
		return false;
	}
	if (memcmp(a->raw, b->raw, NBN_RAW_LEN) != 0) {
		return false;
	}
	if (a->scope_len != b->scope_len) {
		return false;
	}
	return memcmp(a->scope, b->scope, a->scope_len) == 0;
}

/*
 * Offset of c's read position counted from the first byte of msg, if c is a
 * view of (part of) msg's buffer.  Only addresses are compared here; no byte
 * is read.
 */
static bool nbn_msg_offset(const struct wcur *c, const struct wcur *msg,
			   size_t *off)
{
	uintptr_t cb;
	uintptr_t mb;
	size_t delta;

	if (msg == NULL || msg->base == NULL || c->base == NULL) {
		return false;
	}
	cb = (uintptr_t)c->base;
	mb = (uintptr_t)msg->base;
	if (cb < mb) {
		return false;
	}
	delta = (size_t)(cb - mb);
	if (delta > msg->len || c->len > msg->len - delta) {
		return false;
	}
	*off = delta + c->pos;
	return true;
}

/* 'A'..'P' carries one nibble (RFC 1001 14.1 "half-ASCII"). */
static bool nbn_nibble(uint8_t ch, uint8_t *v)
{
	if (ch < 'A' || ch > 'P') {
		return false;
	}
	*v = (uint8_t)(ch - 'A');
	return true;
}

static enum twerr nbn_decode_l1(const uint8_t *label, uint8_t *raw)
{
	size_t i;

	for (i = 0; i < NBN_RAW_LEN; i++) {
		uint8_t hi = 0;
		uint8_t lo = 0;
		bool ok;

		ok = nbn_nibble(label[2 * i], &hi);
		if (!ok) {
			return TWERR_BAD_NAME;
		}
		ok = nbn_nibble(label[2 * i + 1], &lo);
		if (!ok) {
			return TWERR_BAD_NAME;
		}
		raw[i] = (uint8_t)((hi << 4) | lo);
	}
	return TWERR_OK;
}

/*
 * Append one scope label.  Scope labels are kept dotted, so a label that
 * itself contains '.' (or NUL) could not be told apart from two labels: it
 * is refused, as Samba's NBT name parser does.
 */
static enum twerr nbn_add_scope_label(struct nbn_name *n, const uint8_t *label,
				      size_t len)
{
	size_t need;
	size_t i;

	for (i = 0; i < len; i++) {
		if (label[i] == '\0' || label[i] == '.') {
			return TWERR_BAD_LABEL;
		}
	}
	need = len + ((n->scope_len > 0) ? 1 : 0);
	if (need > (size_t)NBN_SCOPE_MAX - n->scope_len) {
		return TWERR_NAME_TOO_LONG;
	}
	if (n->scope_len > 0) {
		n->scope[n->scope_len] = '.';
		n->scope_len++;
	}
	memcpy(n->scope + n->scope_len, label, len);
	n->scope_len = (uint8_t)(n->scope_len + len);
	n->scope[n->scope_len] = '\0';
	return TWERR_OK;
}

/*
 * Pointer rule.  The spec asks for "strictly backward" pointers; we use the
 * slightly stronger form: the target must lie before the first byte of the
 * run of labels that contains the pointer (the name's own start, or the
 * previous pointer's target).  Every hop therefore moves strictly towards
 * the start of the message, so no sequence of pointers can revisit a byte,
 * and a pointer into the name being read (which a real compressor never
 * writes, since that suffix does not exist yet) is refused instead of being
 * re-read until the hop cap trips.  The target also has to be outside the
 * header.
 */
bool nbn_decode(struct wcur *c, const struct wcur *msg, struct nbn_name *out)
{
	struct nbn_name n = {};
	struct wcur cur = {};
	enum twerr err = TWERR_OK;
	size_t seg_start = 0;
	bool have_msg;
	bool in_place = true;
	unsigned hops = 0;
	unsigned labels = 0;

	*out = (struct nbn_name) {};
	if (!wcur_ok(c)) {
		return false;
	}
	have_msg = nbn_msg_offset(c, msg, &seg_start);
	cur = *c;

	while (err == TWERR_OK) {
		uint8_t label[NBN_LABEL_MAX];
		uint8_t lb = wcur_u8(&cur);

		if (!wcur_ok(&cur)) {
			err = cur.err;
			break;
		}

		if ((lb & NBN_LABEL_TYPE_MASK) == NBN_LABEL_POINTER) {
			uint8_t lo = wcur_u8(&cur);
			size_t target = ((size_t)(lb & 0x3f) << 8) | lo;

			if (!wcur_ok(&cur)) {
				err = cur.err;
				break;
			}
			hops++;
			if (hops > NBN_MAX_HOPS || !have_msg ||
			    target < NBN_MIN_POINTER || target >= seg_start) {
				err = TWERR_BAD_POINTER;
				break;
			}
			if (in_place) {
				/* in place, the name ends here (RFC 883) */
				c->pos = cur.pos;
				in_place = false;
			}
			if (!wcur_at(msg, target, &cur)) {
				err = TWERR_BAD_POINTER;
				break;
			}
			seg_start = target;
			continue;
		}

		/* 01 and 10 label types are reserved (RFC 1002 4.1). */
		if ((lb & NBN_LABEL_TYPE_MASK) != 0) {
			err = TWERR_BAD_LABEL;
			break;
		}

		if (lb == 0) {
			/* the terminator; an empty name has no first label */
			if (labels == 0) {
				err = TWERR_BAD_NAME;
			}
			break;
		}

		labels++;
		if (labels > NBN_MAX_LABELS) {
			err = TWERR_NAME_TOO_LONG;
			break;
		}
		if (labels == 1 && lb != NBN_L1_LEN) {
			err = TWERR_BAD_NAME;
			break;
		}
		if (!wcur_copy(&cur, label, lb)) {
			err = cur.err;
			break;
		}
		if (labels == 1) {
			err = nbn_decode_l1(label, n.raw);
		} else {
			err = nbn_add_scope_label(&n, label, lb);
		}
	}

	if (in_place) {
		c->pos = cur.pos;
	}
	if (err != TWERR_OK) {
		wcur_fail(c, err);
		return false;
	}
	*out = n;
	return true;
}

/* Scope must satisfy nbn_scope_valid(); encode refuses anything else. */
void nbn_encode(struct wwr *w, const struct nbn_name *n)
{
	static const char l1[] = "ABCDEFGHIJKLMNOP";
	uint8_t enc[NBN_L1_LEN];
	size_t start = 0;
	size_t i;

	if (!nbn_scope_valid(n->scope, n->scope_len)) {
		wwr_fail(w, TWERR_INTERNAL);
		return;
	}
	for (i = 0; i < NBN_RAW_LEN; i++) {
		enc[2 * i] = (uint8_t)l1[n->raw[i] >> 4];
		enc[2 * i + 1] = (uint8_t)l1[n->raw[i] & 0x0f];
	}
	wwr_u8(w, NBN_L1_LEN);
	wwr_bytes(w, enc, sizeof(enc));

	/* each dot of the scope, and its end, closes one label */
	for (i = 0; n->scope_len > 0 && i <= n->scope_len; i++) {
		if (i < n->scope_len && n->scope[i] != '.') {
			continue;
		}
		wwr_u8(w, (uint8_t)(i - start));
		wwr_bytes(w, n->scope + start, i - start);
		start = i + 1;
	}
	wwr_u8(w, 0);
}

size_t nbn_encoded_len(const struct nbn_name *n)
{
	/*
	 * 1 + 32 + 1 without a scope; a dotted scope of k bytes takes k + 1
	 * bytes on the wire (each dot becomes a length byte, plus the first).
	 */
	size_t len = 1 + NBN_L1_LEN + 1;

	if (n->scope_len > 0) {
		len += (size_t)n->scope_len + 1;
	}
	return len;
}

/* Append s (NUL-terminated, short) if it fits whole; false if not. */
static bool nbn_put(char *buf, size_t bufsize, size_t *pos, const char *s)
{
	size_t len = strlen(s);

	if (len >= bufsize - *pos) {
		return false;
	}
	memcpy(buf + *pos, s, len);
	*pos += len;
	buf[*pos] = '\0';
	return true;
}

static bool nbn_put_byte(char *buf, size_t bufsize, size_t *pos, uint8_t b)
{
	static const char hex[] = "0123456789abcdef";
	char tok[4] = {};

	if (b < 0x21 || b > 0x7e || b == '%') {
		tok[0] = '%';
		tok[1] = hex[b >> 4];
		tok[2] = hex[b & 0x0f];
	} else {
		tok[0] = (char)b;
	}
	return nbn_put(buf, bufsize, pos, tok);
}

char *nbn_print(const struct nbn_name *n, char *buf, size_t bufsize)
{
	static const char hex[] = "0123456789abcdef";
	char suffix[5] = {};
	size_t pos = 0;
	size_t end = NBN_RAW_LEN - 1;
	size_t i;
	bool ok = true;

	if (buf == NULL || bufsize == 0) {
		return buf;
	}
	buf[0] = '\0';

	/*
	 * Trailing spaces are padding (RFC 1001 14.1).  Strip them with a
	 * lower bound: a name of 15 spaces prints as "<20>" and the walk stops
	 * at index 0 (Wireshark CVE-2017-17083 walked below the buffer).
	 * NULs are not stripped so that "WPAD" padded with NULs and "WPAD"
	 * padded with spaces stay distinguishable in logs.
	 */
	while (end > 0 && n->raw[end - 1] == ' ') {
		end--;
	}
	for (i = 0; i < end && ok; i++) {
		ok = nbn_put_byte(buf, bufsize, &pos, n->raw[i]);
	}

	suffix[0] = '<';
	suffix[1] = hex[n->raw[NBN_RAW_LEN - 1] >> 4];
	suffix[2] = hex[n->raw[NBN_RAW_LEN - 1] & 0x0f];
	suffix[3] = '>';
	if (ok) {
		ok = nbn_put(buf, bufsize, &pos, suffix);
	}

	if (ok && n->scope_len > 0) {
		ok = nbn_put(buf, bufsize, &pos, ".");
	}
	for (i = 0; i < n->scope_len && i < NBN_SCOPE_MAX && ok; i++) {
		uint8_t b = (uint8_t)n->scope[i];

		if (b == '.') {
			ok = nbn_put(buf, bufsize, &pos, ".");
			continue;
		}
		ok = nbn_put_byte(buf, bufsize, &pos, b);
	}
	return buf;
}

size_t nbn_key(const struct nbn_name *n, uint8_t *buf)
{
	size_t scope_len = n->scope_len;

	if (scope_len > NBN_SCOPE_MAX) {
		scope_len = NBN_SCOPE_MAX;
	}
	memcpy(buf, n->raw, NBN_RAW_LEN);
	if (scope_len > 0) {
		memcpy(buf + NBN_RAW_LEN, n->scope, scope_len);
	}
	return NBN_RAW_LEN + scope_len;
}

/*
 * Keys come back from the tdb file, which is input too: read them through
 * the cursor and validate the scope exactly as a decoded one.
 */
bool nbn_from_key(const uint8_t *key, size_t len, struct nbn_name *out)
{
	struct nbn_name n = {};
	struct wcur c = {};
	size_t scope_len;

	*out = (struct nbn_name) {};
	if (key == NULL || len < NBN_RAW_LEN) {
		return false;
	}
	scope_len = len - NBN_RAW_LEN;
	if (scope_len > NBN_SCOPE_MAX) {
		return false;
	}
	wcur_init(&c, key, len);
	wcur_copy(&c, n.raw, NBN_RAW_LEN);
	wcur_copy(&c, n.scope, scope_len);
	if (!wcur_ok(&c)) {
		return false;
	}
	n.scope[scope_len] = '\0';
	n.scope_len = (uint8_t)scope_len;
	if (!nbn_scope_valid(n.scope, scope_len)) {
		return false;
	}
	*out = n;
	return true;
}
