/*
 * tdbwins — the stored form of a WINS record (struct wrec, wrec.h).
 *
 * The value of a record in the tdb file is a self-describing, versioned
 * encoding written field by field with the bounded writer: there is no
 * struct image on disk, so no padding or uninitialised byte can ever be
 * stored (the MS03-034 lesson, SECURITY.md MS-13).  It is read back only
 * through the read cursor with every field validated: the file is input
 * like a packet, and a damaged value yields TWERR_CORRUPT, never a crash
 * (STYLE.md "Stored data is input too").  docs/storage.md has the layout.
 */
#ifndef TDBWINS_WREC_CODEC_H
#define TDBWINS_WREC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../wire/twerr.h"
#include "../wire/wwr.h"
#include "wrec.h"

/* First three bytes of every stored record: "WR" and the format number. */
#define WREC_CODEC_MAGIC0 0x57
#define WREC_CODEC_MAGIC1 0x52
#define WREC_CODEC_FORMAT 1

/* Bytes before the scope, between the scope and the addresses, per address */
#define WREC_CODEC_HEAD_LEN 25
#define WREC_CODEC_TAIL_LEN 24
#define WREC_CODEC_ADDR_LEN 16

#define WREC_CODEC_MIN_LEN (WREC_CODEC_HEAD_LEN + WREC_CODEC_TAIL_LEN)
#define WREC_CODEC_MAX_LEN                    \
	(WREC_CODEC_MIN_LEN + NBN_SCOPE_MAX + \
	 WREC_MAX_ADDRS * WREC_CODEC_ADDR_LEN)

/* Static bit in the flags byte; every other bit is reserved and zero. */
#define WREC_CODEC_F_STATIC 0x01

/*
 * A scope the store accepts: scope_len <= NBN_SCOPE_MAX, no NUL inside,
 * scope[scope_len] == NUL, dot-separated labels of 1..63 bytes (no leading,
 * trailing or doubled dot).  Any other byte is allowed: names and scopes are
 * binary (SECURITY.md E 15).
 */
bool wrec_scope_valid(const struct nbn_name *name);

/*
 * Everything the decoder checks, applied to a record before it is written,
 * so that whatever the store writes it can read back.  version 0 is
 * accepted only when allow_version0 (a record about to get a version).
 */
bool wrec_valid(const struct wrec *rec, bool allow_version0);

/* Bytes wrec_encode() writes for rec. */
size_t wrec_encoded_len(const struct wrec *rec);

/*
 * Append the stored form of rec to w.  TWERR_BAD_VALUE if the record is not
 * wrec_valid(), TWERR_NOSPACE if w is too small (the writer holds the
 * error too).  Nothing is written on TWERR_BAD_VALUE.
 */
enum twerr wrec_encode(struct wwr *w, const struct wrec *rec);

/*
 * Decode a stored value.  out is fully written (zero-filled first) even on
 * failure.  Any defect — short, long, bad magic or format, type/state/node
 * out of range, reserved flag bits, num_addrs > 25, bad scope, version 0,
 * trailing bytes — gives TWERR_CORRUPT.
 */
enum twerr wrec_decode(const uint8_t *buf, size_t len, struct wrec *out);

/* Field-by-field equality (the struct may have padding: never memcmp). */
bool wrec_equal(const struct wrec *a, const struct wrec *b);

#endif /* TDBWINS_WREC_CODEC_H */
