/*
 * tdbwins — the read cursor: the only code that dereferences bytes that came
 * from outside (network, tdb file, management channel).
 *
 * Every read checks "n > len - pos" (never "pos + n > len"), so no sum can
 * overflow.  The first failure is sticky: every later read is a no-op that
 * returns zero and the caller checks wcur_ok() once after reading a whole
 * structure.
 */
#ifndef TDBWINS_WCUR_H
#define TDBWINS_WCUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "twerr.h"

struct wcur {
	const uint8_t *base;
	size_t len;
	size_t pos;
	enum twerr err;
};

void wcur_init(struct wcur *c, const uint8_t *buf, size_t len);

static inline bool wcur_ok(const struct wcur *c)
{
	return c->err == TWERR_OK;
}

static inline size_t wcur_remaining(const struct wcur *c)
{
	return (c->err == TWERR_OK) ? c->len - c->pos : 0;
}

static inline size_t wcur_pos(const struct wcur *c)
{
	return c->pos;
}

/* Record a failure (the first one wins). */
void wcur_fail(struct wcur *c, enum twerr err);

uint8_t wcur_u8(struct wcur *c);
uint16_t wcur_be16(struct wcur *c);
uint32_t wcur_be32(struct wcur *c);
uint64_t wcur_be64(struct wcur *c);
uint16_t wcur_le16(struct wcur *c);
uint32_t wcur_le32(struct wcur *c);

/* Copy n bytes out; on failure dst is zero-filled. */
bool wcur_copy(struct wcur *c, void *dst, size_t n);

/* Borrow a pointer to the next n bytes and advance; NULL on failure. */
const uint8_t *wcur_take(struct wcur *c, size_t n);

bool wcur_skip(struct wcur *c, size_t n);

/*
 * Carve the next n bytes out as an independent cursor and advance past them.
 * The sub-cursor cannot read outside the field; its offsets start at 0.
 * On failure *sub is an empty cursor in the failed state.
 */
bool wcur_sub(struct wcur *c, size_t n, struct wcur *sub);

/*
 * A cursor over the same buffer positioned at absolute offset off
 * (off < c->len): used only for compression pointers, which the name codec
 * restricts to strictly earlier offsets.
 */
bool wcur_at(const struct wcur *c, size_t off, struct wcur *out);

/* Peek one byte at the current position without advancing (0 if none). */
bool wcur_peek_u8(const struct wcur *c, uint8_t *v);

#endif /* TDBWINS_WCUR_H */
