/*
 * tdbwins — stored record codec.  See wrec_codec.h and docs/storage.md.
 *
 * Layout (format 1, integers big-endian):
 *
 *   0  2  magic "WR"
 *   2  1  format (1)
 *   3  1  type   (WINSRA ET, 0..3)
 *   4  1  state  (0 active, 1 released, 2 tombstone)
 *   5  1  node   (0..3)
 *   6  1  flags  (0x01 static; other bits reserved, zero)
 *   7  1  num_addrs (0..25)
 *   8 16  raw name bytes
 *  24  1  scope_len (0..NBN_SCOPE_MAX)
 *  25  s  scope bytes (no NUL)
 *      4  owner
 *      8  version (>= 1)
 *      8  expire (two's complement)
 *      4  registered_by
 *     16  x num_addrs: ip, owner, expire (8)
 *
 * Nothing follows the last address.
 */
#include <string.h>

#include "../wire/wcur.h"
#include "wrec_codec.h"

/*
 * No empty label and no NUL.  The 63-byte label limit of UDP 137 is not
 * applied: a replicated scope is a plain string (wrw_scope_ok()).
 */
static bool wrec_scope_bytes_valid(const uint8_t *s, size_t len)
{
	size_t label = 0;
	size_t i;

	if (len == 0) {
		return true;
	}
	for (i = 0; i < len; i++) {
		if (s[i] == '\0') {
			return false;
		}
		if (s[i] != '.') {
			label++;
			continue;
		}
		/* leading dot or an empty label between two dots */
		if (label == 0) {
			return false;
		}
		label = 0;
	}
	/* trailing dot */
	return label != 0;
}

bool wrec_scope_valid(const struct nbn_name *name)
{
	if (name->scope_len > NBN_SCOPE_MAX) {
		return false;
	}
	if (name->scope[name->scope_len] != '\0') {
		return false;
	}
	return wrec_scope_bytes_valid((const uint8_t *)name->scope,
				      name->scope_len);
}

bool wrec_valid(const struct wrec *rec, bool allow_version0)
{
	/* the enums are compared as unsigned so negative values fail too */
	if ((unsigned)rec->type > WREC_MHOMED) {
		return false;
	}
	if ((unsigned)rec->state > WREC_TOMBSTONE) {
		return false;
	}
	if ((unsigned)rec->node > WREC_NODE_H) {
		return false;
	}
	if (rec->num_addrs > WREC_MAX_ADDRS) {
		return false;
	}
	if (rec->version == 0 && !allow_version0) {
		return false;
	}
	return wrec_scope_valid(&rec->name);
}

size_t wrec_encoded_len(const struct wrec *rec)
{
	size_t scope_len = rec->name.scope_len;
	size_t num = rec->num_addrs;

	if (scope_len > NBN_SCOPE_MAX) {
		scope_len = NBN_SCOPE_MAX;
	}
	if (num > WREC_MAX_ADDRS) {
		num = WREC_MAX_ADDRS;
	}
	return WREC_CODEC_MIN_LEN + scope_len + num * WREC_CODEC_ADDR_LEN;
}

enum twerr wrec_encode(struct wwr *w, const struct wrec *rec)
{
	uint8_t flags = 0;
	size_t i;
	bool ok;

	ok = wrec_valid(rec, false);
	if (!ok) {
		return TWERR_BAD_VALUE;
	}
	if (rec->is_static) {
		flags |= WREC_CODEC_F_STATIC;
	}

	wwr_u8(w, WREC_CODEC_MAGIC0);
	wwr_u8(w, WREC_CODEC_MAGIC1);
	wwr_u8(w, WREC_CODEC_FORMAT);
	wwr_u8(w, (uint8_t)rec->type);
	wwr_u8(w, (uint8_t)rec->state);
	wwr_u8(w, (uint8_t)rec->node);
	wwr_u8(w, flags);
	wwr_u8(w, rec->num_addrs);
	wwr_bytes(w, rec->name.raw, NBN_RAW_LEN);
	wwr_u8(w, rec->name.scope_len);
	wwr_bytes(w, rec->name.scope, rec->name.scope_len);
	wwr_be32(w, rec->owner);
	wwr_be64(w, rec->version);
	wwr_be64(w, (uint64_t)rec->expire);
	wwr_be32(w, rec->registered_by);
	for (i = 0; i < rec->num_addrs; i++) {
		const struct wrec_addr *a = &rec->addrs[i];

		wwr_be32(w, a->ip);
		wwr_be32(w, a->owner);
		wwr_be64(w, (uint64_t)a->expire);
	}
	return w->err;
}

enum twerr wrec_decode(const uint8_t *buf, size_t len, struct wrec *out)
{
	struct wcur c = {};
	const uint8_t *scope = NULL;
	uint8_t magic0, magic1, format, type, state, node, flags, num;
	uint8_t scope_len;
	size_t i;
	bool ok;

	memset(out, 0, sizeof(*out));
	wcur_init(&c, buf, len);

	/* the whole fixed head first, one error check for all of it */
	magic0 = wcur_u8(&c);
	magic1 = wcur_u8(&c);
	format = wcur_u8(&c);
	type = wcur_u8(&c);
	state = wcur_u8(&c);
	node = wcur_u8(&c);
	flags = wcur_u8(&c);
	num = wcur_u8(&c);
	wcur_copy(&c, out->name.raw, NBN_RAW_LEN);
	scope_len = wcur_u8(&c);
	if (!wcur_ok(&c)) {
		goto corrupt;
	}
	if (magic0 != WREC_CODEC_MAGIC0 || magic1 != WREC_CODEC_MAGIC1 ||
	    format != WREC_CODEC_FORMAT) {
		goto corrupt;
	}
	if (type > WREC_MHOMED || state > WREC_TOMBSTONE ||
	    node > WREC_NODE_H) {
		goto corrupt;
	}
	if ((flags & ~WREC_CODEC_F_STATIC) != 0) {
		goto corrupt;
	}
	/* the count is checked before any address is read */
	if (num > WREC_MAX_ADDRS || scope_len > NBN_SCOPE_MAX) {
		goto corrupt;
	}

	scope = wcur_take(&c, scope_len);
	if (!wcur_ok(&c)) {
		goto corrupt;
	}
	ok = wrec_scope_bytes_valid(scope, scope_len);
	if (!ok) {
		goto corrupt;
	}
	if (scope_len > 0) {
		memcpy(out->name.scope, scope, scope_len);
	}
	out->name.scope_len = scope_len;

	out->type = (enum wrec_type)type;
	out->state = (enum wrec_state)state;
	out->node = (enum wrec_node)node;
	out->is_static = (flags & WREC_CODEC_F_STATIC) != 0;
	out->owner = wcur_be32(&c);
	out->version = wcur_be64(&c);
	out->expire = (int64_t)wcur_be64(&c);
	out->registered_by = wcur_be32(&c);
	if (!wcur_ok(&c) || out->version == 0) {
		goto corrupt;
	}

	/* exactly num addresses must remain: no more, no fewer */
	if (wcur_remaining(&c) != (size_t)num * WREC_CODEC_ADDR_LEN) {
		goto corrupt;
	}
	for (i = 0; i < num; i++) {
		struct wrec_addr *a = &out->addrs[i];

		a->ip = wcur_be32(&c);
		a->owner = wcur_be32(&c);
		a->expire = (int64_t)wcur_be64(&c);
	}
	out->num_addrs = num;
	if (!wcur_ok(&c) || wcur_remaining(&c) != 0) {
		goto corrupt;
	}
	return TWERR_OK;

corrupt:
	memset(out, 0, sizeof(*out));
	return TWERR_CORRUPT;
}

bool wrec_equal(const struct wrec *a, const struct wrec *b)
{
	size_t i;

	if (memcmp(a->name.raw, b->name.raw, NBN_RAW_LEN) != 0 ||
	    a->name.scope_len != b->name.scope_len ||
	    a->name.scope_len > NBN_SCOPE_MAX ||
	    memcmp(a->name.scope, b->name.scope, a->name.scope_len) != 0) {
		return false;
	}
	if (a->type != b->type || a->state != b->state || a->node != b->node ||
	    a->is_static != b->is_static || a->owner != b->owner ||
	    a->version != b->version || a->expire != b->expire ||
	    a->registered_by != b->registered_by ||
	    a->num_addrs != b->num_addrs || a->num_addrs > WREC_MAX_ADDRS) {
		return false;
	}
	for (i = 0; i < a->num_addrs; i++) {
		if (a->addrs[i].ip != b->addrs[i].ip ||
		    a->addrs[i].owner != b->addrs[i].owner ||
		    a->addrs[i].expire != b->addrs[i].expire) {
			return false;
		}
	}
	return true;
}
