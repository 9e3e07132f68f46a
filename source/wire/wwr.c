/*
 * tdbwins — bounded writer.  See wwr.h.
 */
#include <string.h>

#include "wwr.h"

void wwr_init(struct wwr *w, uint8_t *buf, size_t cap)
{
	*w = (struct wwr) {
		.base = buf,
		.cap = (buf != NULL) ? cap : 0,
	};
}

void wwr_fail(struct wwr *w, enum twerr err)
{
	if (w->err == TWERR_OK) {
		w->err = err;
	}
}

static uint8_t *wwr_room(struct wwr *w, size_t n)
{
	uint8_t *p = NULL;

	if (w->err != TWERR_OK) {
		return NULL;
	}
	if (n > w->cap - w->pos) {
		wwr_fail(w, TWERR_NOSPACE);
		return NULL;
	}
	if (w->base == NULL) {
		/* no buffer: only 0-byte writes get here; nothing to write */
		static uint8_t sink[1];

		return sink;
	}
	p = w->base + w->pos;
	w->pos += n;
	return p;
}

void wwr_u8(struct wwr *w, uint8_t v)
{
	uint8_t *p = wwr_room(w, 1);

	if (p != NULL) {
		p[0] = v;
	}
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void wwr_be16(struct wwr *w, uint16_t v)
{
	uint8_t *p = wwr_room(w, 2);

	if (p != NULL) {
		put_be16(p, v);
	}
}

void wwr_be32(struct wwr *w, uint32_t v)
{
	uint8_t *p = wwr_room(w, 4);

	if (p != NULL) {
		put_be32(p, v);
	}
}

void wwr_be64(struct wwr *w, uint64_t v)
{
	wwr_be32(w, (uint32_t)(v >> 32));
	wwr_be32(w, (uint32_t)v);
}

void wwr_le16(struct wwr *w, uint16_t v)
{
	uint8_t *p = wwr_room(w, 2);

	if (p != NULL) {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
	}
}

void wwr_le32(struct wwr *w, uint32_t v)
{
	uint8_t *p = wwr_room(w, 4);

	if (p != NULL) {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v >> 24);
	}
}

void wwr_bytes(struct wwr *w, const void *src, size_t n)
{
	uint8_t *p = wwr_room(w, n);

	if (p != NULL && n > 0) {
		memcpy(p, src, n);
	}
}

void wwr_zero(struct wwr *w, size_t n)
{
	uint8_t *p = wwr_room(w, n);

	if (p != NULL && n > 0) {
		memset(p, 0, n);
	}
}

size_t wwr_reserve(struct wwr *w, size_t n)
{
	size_t off = w->pos;

	wwr_zero(w, n);
	return off;
}

void wwr_put_be16_at(struct wwr *w, size_t off, uint16_t v)
{
	if (w->err != TWERR_OK || off > w->pos || 2 > w->pos - off) {
		return;
	}
	put_be16(w->base + off, v);
}

void wwr_put_be32_at(struct wwr *w, size_t off, uint32_t v)
{
	if (w->err != TWERR_OK || off > w->pos || 4 > w->pos - off) {
		return;
	}
	put_be32(w->base + off, v);
}
