/*
 * tdbwins — NetBIOS names (RFC 1001 14, RFC 1002 4.1).
 *
 * A name is 16 raw bytes (15 name bytes padded with spaces + a suffix byte)
 * plus an optional scope.  On the NBNS wire the 16 bytes are first-level
 * encoded into one 32-character label of 'A'..'P', followed by the scope as
 * DNS labels, with DNS compression pointers allowed at any label position.
 *
 * Decoding limits (see docs/wire-nbns.md):
 *  - first label exactly 32 bytes of 'A'..'P';
 *  - label length bytes with top bits 01/10 rejected; labels 1..63;
 *  - no empty label before the terminator;
 *  - pointers strictly backward (target before the start of the run of
 *    labels holding the pointer), target >= 12 (outside the header), at
 *    most NBN_MAX_HOPS per name;
 *  - decoded dotted length (32 + '.' + scope) <= NBN_MAX_DECODED (272, what
 *    Windows 2012r2 and Samba accept) and at most NBN_MAX_LABELS labels.
 *    The semantic scope limit (237 -> SRV_ERR) is the name server's business.
 */
#ifndef TDBWINS_NBNAME_H
#define TDBWINS_NBNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twerr.h"
#include "wcur.h"
#include "wwr.h"

#define NBN_RAW_LEN 16
#define NBN_MAX_DECODED 272
#define NBN_SCOPE_MAX (NBN_MAX_DECODED - 33) /* 239 */
#define NBN_SCOPE_SEMANTIC_MAX 237
#define NBN_MAX_LABELS 128
#define NBN_MAX_HOPS 4

struct nbn_name {
	uint8_t raw[NBN_RAW_LEN];	/* raw[15] is the suffix ("type") */
	uint8_t scope_len;		/* bytes in scope, 0 = no scope */
	char scope[NBN_SCOPE_MAX + 1];	/* dotted, NUL-terminated */
};

static inline uint8_t nbn_suffix(const struct nbn_name *n)
{
	return n->raw[15];
}

/*
 * Build a name from a C string (up to 15 bytes, padded with spaces; the
 * wildcard "*" is padded with NULs), a suffix and an optional scope.
 * Returns false if name or scope are too long or the scope is malformed.
 */
bool nbn_make(struct nbn_name *out, const char *name, uint8_t suffix,
	      const char *scope);

/* Byte-exact equality (name bytes and scope). */
bool nbn_equal(const struct nbn_name *a, const struct nbn_name *b);

/*
 * Decode a name at the cursor's position.  msg is a cursor over the whole
 * NBNS message (offset 0 = first byte of NAME_TRN_ID) used to follow
 * compression pointers; c is advanced past the name as it appears in place
 * (past the first pointer, if any).  On failure c carries the error.
 */
bool nbn_decode(struct wcur *c, const struct wcur *msg, struct nbn_name *out);

/* Encode without compression. */
void nbn_encode(struct wwr *w, const struct nbn_name *n);

/* Bytes nbn_encode() would write. */
size_t nbn_encoded_len(const struct nbn_name *n);

/*
 * Printable form for logs: "NAME<1c>" or "NAME<1c>.scope", with any byte
 * outside 0x21..0x7e (and '%') written as %xx.  Always NUL-terminated and
 * bounded by bufsize; returns buf.
 */
#define NBN_PRINT_MAX (NBN_RAW_LEN * 3 + 6 + NBN_SCOPE_MAX * 3 + 2)
char *nbn_print(const struct nbn_name *n, char *buf, size_t bufsize);

/*
 * Storage key: the 16 raw bytes followed by the scope bytes (no NUL).
 * buf must hold NBN_RAW_LEN + NBN_SCOPE_MAX bytes; returns the key length.
 */
#define NBN_KEY_MAX (NBN_RAW_LEN + NBN_SCOPE_MAX)
size_t nbn_key(const struct nbn_name *n, uint8_t *buf);
bool nbn_from_key(const uint8_t *key, size_t len, struct nbn_name *out);

#endif /* TDBWINS_NBNAME_H */
