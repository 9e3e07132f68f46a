/*
 * tdbwins — bounds-checked read cursor.  See wcur.h for the rules.
 */
#include <string.h>

#include "wcur.h"

void wcur_init(struct wcur *c, const uint8_t *buf, size_t len)
{
	*c = (struct wcur) {
		.base = buf,
		.len = (buf != NULL) ? len : 0,
	};
}

void wcur_fail(struct wcur *c, enum twerr err)
{
	if (c->err == TWERR_OK) {
		c->err = err;
	}
}

/* Returns the address of the next n bytes and advances, or NULL. */
static const uint8_t *wcur_need(struct wcur *c, size_t n)
{
	const uint8_t *p = NULL;

	if (c->err != TWERR_OK) {
		return NULL;
	}
	/* pos <= len always holds, so len - pos cannot wrap */
	if (n > c->len - c->pos) {
		wcur_fail(c, TWERR_TRUNCATED);
		return NULL;
	}
	if (c->base == NULL) {
		/* an empty cursor: a 0-byte read, no pointer arithmetic */
		return (const uint8_t *)"";
	}
	p = c->base + c->pos;
	c->pos += n;
	return p;
}

uint8_t wcur_u8(struct wcur *c)
{
	const uint8_t *p = wcur_need(c, 1);

	return (p != NULL) ? p[0] : 0;
}

uint16_t wcur_be16(struct wcur *c)
{
	const uint8_t *p = wcur_need(c, 2);

	if (p == NULL) {
		return 0;
	}
	return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t wcur_be32(struct wcur *c)
{
	const uint8_t *p = wcur_need(c, 4);

	if (p == NULL) {
		return 0;
	}
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

uint64_t wcur_be64(struct wcur *c)
{
	uint64_t hi = wcur_be32(c);
	uint64_t lo = wcur_be32(c);

	if (c->err != TWERR_OK) {
		return 0;
	}
	return (hi << 32) | lo;
}

uint16_t wcur_le16(struct wcur *c)
{
	const uint8_t *p = wcur_need(c, 2);

	if (p == NULL) {
		return 0;
	}
	return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t wcur_le32(struct wcur *c)
{
	const uint8_t *p = wcur_need(c, 4);

	if (p == NULL) {
		return 0;
	}
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	       ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

bool wcur_copy(struct wcur *c, void *dst, size_t n)
{
	const uint8_t *p = wcur_need(c, n);

	if (p == NULL) {
		if (n > 0) {
			memset(dst, 0, n);
		}
		return false;
	}
	if (n > 0) {
		memcpy(dst, p, n);
	}
	return true;
}

const uint8_t *wcur_take(struct wcur *c, size_t n)
{
	return wcur_need(c, n);
}

bool wcur_skip(struct wcur *c, size_t n)
{
	return wcur_need(c, n) != NULL;
}

bool wcur_sub(struct wcur *c, size_t n, struct wcur *sub)
{
	const uint8_t *p = wcur_need(c, n);

	if (p == NULL) {
		*sub = (struct wcur) { .err = c->err };
		return false;
	}
	wcur_init(sub, p, n);
	return true;
}

bool wcur_at(const struct wcur *c, size_t off, struct wcur *out)
{
	if (c->err != TWERR_OK || off >= c->len) {
		*out = (struct wcur) {
			.err = (c->err != TWERR_OK) ? c->err : TWERR_BAD_POINTER,
		};
		return false;
	}
	*out = (struct wcur) {
		.base = c->base,
		.len = c->len,
		.pos = off,
	};
	return true;
}

bool wcur_peek_u8(const struct wcur *c, uint8_t *v)
{
	if (c->err != TWERR_OK || c->pos >= c->len) {
		*v = 0;
		return false;
	}
	*v = c->base[c->pos];
	return true;
}
