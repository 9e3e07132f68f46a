/*
 * tdbwins — unit tests for the read cursor (wcur) and the bounded writer
 * (wwr): every read and write at offset 0, at the last byte, at the end and
 * one past the end; sticky errors; sums that would overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "../../source/wire/wcur.h"
#include "../../source/wire/wwr.h"

static int setup(void **state)
{
	TALLOC_CTX *ctx = talloc_new(NULL);

	if (ctx == NULL) {
		return -1;
	}
	*state = ctx;
	return 0;
}

static int teardown(void **state)
{
	TALLOC_CTX *ctx = *state;

	assert_int_equal(talloc_total_blocks(ctx), 1);
	talloc_free(ctx);
	return 0;
}

/* An exactly sized heap copy, so that valgrind sees any over-read. */
static uint8_t *owned(TALLOC_CTX *ctx, const uint8_t *src, size_t len)
{
	uint8_t *p = talloc_array(ctx, uint8_t, len);

	assert_non_null(p);
	if (len > 0) {
		memcpy(p, src, len);
	}
	return p;
}

/* ---- cursor ---- */

static void test_wcur_init_null(void **state)
{
	struct wcur c = {};

	(void)state;
	wcur_init(&c, NULL, 100);
	assert_int_equal(c.len, 0);
	assert_true(wcur_ok(&c));
	assert_int_equal(wcur_remaining(&c), 0);
	assert_int_equal(wcur_u8(&c), 0);
	assert_int_equal(c.err, TWERR_TRUNCATED);
	assert_false(wcur_ok(&c));
}

static void test_wcur_empty(void **state)
{
	static const uint8_t one[1] = { 0x5a };
	uint8_t *b = owned(*state, one, 1);
	struct wcur c = {};
	uint8_t v = 0xee;

	/* a zero-length view of a real buffer reads nothing */
	wcur_init(&c, b, 0);
	assert_false(wcur_peek_u8(&c, &v));
	assert_int_equal(v, 0);
	assert_true(wcur_skip(&c, 0));
	assert_true(wcur_ok(&c));
	assert_int_equal(wcur_be16(&c), 0);
	assert_int_equal(c.err, TWERR_TRUNCATED);
	talloc_free(b);
}

static void test_wcur_u8_edges(void **state)
{
	static const uint8_t src[4] = { 0x01, 0x02, 0x03, 0xfe };
	uint8_t *b = owned(*state, src, sizeof(src));
	struct wcur c = {};

	wcur_init(&c, b, sizeof(src));
	assert_int_equal(wcur_u8(&c), 0x01);		/* offset 0 */
	assert_int_equal(wcur_remaining(&c), 3);
	assert_int_equal(wcur_u8(&c), 0x02);
	assert_int_equal(wcur_u8(&c), 0x03);
	assert_int_equal(wcur_u8(&c), 0xfe);		/* last byte */
	assert_true(wcur_ok(&c));
	assert_int_equal(wcur_pos(&c), 4);		/* end */
	assert_int_equal(wcur_remaining(&c), 0);
	assert_int_equal(wcur_u8(&c), 0);		/* one past */
	assert_false(wcur_ok(&c));
	assert_int_equal(c.err, TWERR_TRUNCATED);
	assert_int_equal(wcur_pos(&c), 4);		/* no advance */
	talloc_free(b);
}

static void test_wcur_sticky(void **state)
{
	static const uint8_t src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t *b = owned(*state, src, sizeof(src));
	struct wcur c = {};
	uint8_t out[2] = { 0xaa, 0xaa };
	uint8_t v = 0xaa;

	wcur_init(&c, b, sizeof(src));
	wcur_fail(&c, TWERR_BAD_LABEL);
	wcur_fail(&c, TWERR_BAD_NAME);			/* first one wins */
	assert_int_equal(c.err, TWERR_BAD_LABEL);
	assert_int_equal(wcur_remaining(&c), 0);
	assert_int_equal(wcur_u8(&c), 0);
	assert_int_equal(wcur_be16(&c), 0);
	assert_int_equal(wcur_be32(&c), 0);
	assert_int_equal(wcur_be64(&c), 0);
	assert_int_equal(wcur_le16(&c), 0);
	assert_int_equal(wcur_le32(&c), 0);
	assert_false(wcur_copy(&c, out, 2));
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	assert_null(wcur_take(&c, 1));
	assert_false(wcur_skip(&c, 0));
	assert_false(wcur_peek_u8(&c, &v));
	assert_int_equal(v, 0);
	assert_int_equal(wcur_pos(&c), 0);
	assert_int_equal(c.err, TWERR_BAD_LABEL);
	talloc_free(b);
}

static void test_wcur_integers(void **state)
{
	static const uint8_t src[] = {
		0x12, 0x34,				/* be16 */
		0x89, 0xab, 0xcd, 0xef,			/* be32 */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* be64 */
		0x34, 0x12,				/* le16 */
		0xef, 0xcd, 0xab, 0x89,			/* le32 */
	};
	uint8_t *b = owned(*state, src, sizeof(src));
	struct wcur c = {};

	wcur_init(&c, b, sizeof(src));
	assert_int_equal(wcur_be16(&c), 0x1234);
	assert_int_equal(wcur_be32(&c), 0x89abcdefu);
	assert_true(wcur_be64(&c) == UINT64_C(0x0102030405060708));
	assert_int_equal(wcur_le16(&c), 0x1234);
	assert_int_equal(wcur_le32(&c), 0x89abcdefu);
	assert_true(wcur_ok(&c));
	assert_int_equal(wcur_remaining(&c), 0);
	talloc_free(b);
}

/* Each width read at "one byte short" fails without a partial advance. */
static void test_wcur_integers_short(void **state)
{
	static const uint8_t src[7] = { 1, 2, 3, 4, 5, 6, 7 };
	uint8_t *b = owned(*state, src, sizeof(src));
	struct wcur c = {};

	wcur_init(&c, b, 1);
	assert_int_equal(wcur_be16(&c), 0);
	assert_int_equal(c.err, TWERR_TRUNCATED);
	assert_int_equal(wcur_pos(&c), 0);

	wcur_init(&c, b, 1);
	assert_int_equal(wcur_le16(&c), 0);
	assert_int_equal(wcur_pos(&c), 0);

	wcur_init(&c, b, 3);
	assert_int_equal(wcur_be32(&c), 0);
	assert_int_equal(wcur_pos(&c), 0);

	wcur_init(&c, b, 3);
	assert_int_equal(wcur_le32(&c), 0);
	assert_false(wcur_ok(&c));

	/* be64 with 7 bytes: the first half succeeds, the result is 0 */
	wcur_init(&c, b, 7);
	assert_true(wcur_be64(&c) == 0);
	assert_int_equal(c.err, TWERR_TRUNCATED);

	/* exactly enough at the end */
	wcur_init(&c, b, 7);
	assert_true(wcur_skip(&c, 5));
	assert_int_equal(wcur_be16(&c), 0x0607);
	assert_true(wcur_ok(&c));
	talloc_free(b);
}

static void test_wcur_copy(void **state)
{
	static const uint8_t src[4] = { 9, 8, 7, 6 };
	uint8_t *b = owned(*state, src, sizeof(src));
	struct wcur c = {};
	uint8_t out[5] = {};

	wcur_init(&c, b, sizeof(src));
	assert_true(wcur_copy(&c, out, 0));		/* zero bytes at 0 */
	assert_true(wcur_copy(&c, out, 4));		/* up to the end */
	assert_memory_equal(out, src, 4);
	assert_true(wcur_copy(&c, out, 0));		/* zero bytes at end */
	assert_true(wcur_ok(&c));

	memset(out, 0xaa, sizeof(out));
	wcur_init(&c, b, sizeof(src));
	assert_false(wcur_copy(&c, out, 5));		/* one past */
	assert_int_equal(c.err, TWERR_TRUNCATED);
	assert_int_equal(out[0], 0);			/* zero-filled */
	assert_int_equal(out[4], 0);
	assert_int_equal(wcur_pos(&c), 0);
	talloc_free(b);
}

static void test_wcur_take_skip(void **state)
{
	static const uint8_t src[6] = { 1, 2, 3, 4, 5, 6 };
	uint8_t *b = owned(*state, src, sizeof(src));
	struct wcur c = {};
	const uint8_t *p = NULL;

	wcur_init(&c, b, sizeof(src));
	p = wcur_take(&c, 2);
	assert_ptr_equal(p, b);
	assert_true(wcur_skip(&c, 3));
	p = wcur_take(&c, 1);				/* last byte */
	assert_ptr_equal(p, b + 5);
	assert_null(wcur_take(&c, 1));			/* one past */
	assert_false(wcur_ok(&c));

	/* n so large that pos + n would wrap: refused, not wrapped */
	wcur_init(&c, b, sizeof(src));
	assert_true(wcur_skip(&c, 1));
	assert_null(wcur_take(&c, SIZE_MAX));
	assert_int_equal(c.err, TWERR_TRUNCATED);
	wcur_init(&c, b, sizeof(src));
	assert_true(wcur_skip(&c, 1));
	assert_false(wcur_skip(&c, SIZE_MAX - 0));
	assert_int_equal(wcur_pos(&c), 1);
	talloc_free(b);
}

static void test_wcur_sub(void **state)
{
	static const uint8_t src[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	uint8_t *b = owned(*state, src, sizeof(src));
	struct wcur c = {};
	struct wcur sub = {};

	wcur_init(&c, b, sizeof(src));
	assert_true(wcur_skip(&c, 2));
	assert_true(wcur_sub(&c, 3, &sub));
	assert_int_equal(wcur_pos(&c), 5);		/* parent advanced */
	assert_int_equal(wcur_pos(&sub), 0);		/* offsets from 0 */
	assert_int_equal(sub.len, 3);
	assert_int_equal(wcur_u8(&sub), 2);
	assert_int_equal(wcur_be16(&sub), 0x0304);
	assert_int_equal(wcur_u8(&sub), 0);		/* cannot read on */
	assert_false(wcur_ok(&sub));
	assert_true(wcur_ok(&c));			/* parent unaffected */
	assert_int_equal(wcur_u8(&c), 5);

	/* sub of exactly the remaining bytes, then an empty sub at end */
	assert_true(wcur_sub(&c, 2, &sub));
	assert_int_equal(wcur_remaining(&sub), 2);
	assert_true(wcur_sub(&c, 0, &sub));
	assert_int_equal(wcur_remaining(&sub), 0);

	/* one past: both fail, sub is an empty failed cursor */
	assert_false(wcur_sub(&c, 1, &sub));
	assert_false(wcur_ok(&c));
	assert_false(wcur_ok(&sub));
	assert_int_equal(sub.len, 0);
	assert_null(sub.base);
	assert_int_equal(sub.err, TWERR_TRUNCATED);

	/* a failed parent hands its error to the sub-cursor */
	wcur_init(&c, b, sizeof(src));
	wcur_fail(&c, TWERR_BAD_COUNT);
	assert_false(wcur_sub(&c, 1, &sub));
	assert_int_equal(sub.err, TWERR_BAD_COUNT);
	talloc_free(b);
}

static void test_wcur_at(void **state)
{
	static const uint8_t src[16] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	};
	uint8_t *b = owned(*state, src, sizeof(src));
	struct wcur c = {};
	struct wcur at = {};

	wcur_init(&c, b, sizeof(src));
	assert_true(wcur_skip(&c, 10));
	assert_true(wcur_at(&c, 0, &at));		/* offset 0 */
	assert_int_equal(wcur_u8(&at), 0);
	assert_true(wcur_at(&c, 15, &at));		/* last byte */
	assert_int_equal(wcur_u8(&at), 15);
	assert_int_equal(wcur_u8(&at), 0);		/* past the end */
	assert_false(wcur_ok(&at));
	assert_int_equal(wcur_pos(&c), 10);		/* c untouched */
	assert_true(wcur_ok(&c));

	assert_false(wcur_at(&c, 16, &at));		/* end */
	assert_int_equal(at.err, TWERR_BAD_POINTER);
	assert_false(wcur_at(&c, SIZE_MAX, &at));
	assert_int_equal(at.err, TWERR_BAD_POINTER);
	assert_true(wcur_ok(&c));

	wcur_fail(&c, TWERR_TRUNCATED);
	assert_false(wcur_at(&c, 0, &at));
	assert_int_equal(at.err, TWERR_TRUNCATED);
	talloc_free(b);
}

static void test_wcur_peek(void **state)
{
	static const uint8_t src[2] = { 0x11, 0x22 };
	uint8_t *b = owned(*state, src, sizeof(src));
	struct wcur c = {};
	uint8_t v = 0;

	wcur_init(&c, b, sizeof(src));
	assert_true(wcur_peek_u8(&c, &v));
	assert_int_equal(v, 0x11);
	assert_int_equal(wcur_pos(&c), 0);		/* no advance */
	assert_true(wcur_skip(&c, 1));
	assert_true(wcur_peek_u8(&c, &v));		/* last byte */
	assert_int_equal(v, 0x22);
	assert_true(wcur_skip(&c, 1));
	v = 0xaa;
	assert_false(wcur_peek_u8(&c, &v));		/* end */
	assert_int_equal(v, 0);
	assert_true(wcur_ok(&c));			/* peek never fails c */
	talloc_free(b);
}

/* ---- writer ---- */

static void test_wwr_init_null(void **state)
{
	struct wwr w = {};

	(void)state;
	wwr_init(&w, NULL, 64);
	assert_int_equal(w.cap, 0);
	assert_true(wwr_ok(&w));
	wwr_u8(&w, 1);
	assert_int_equal(w.err, TWERR_NOSPACE);
	assert_int_equal(wwr_len(&w), 0);
}

static void test_wwr_capacity(void **state)
{
	uint8_t *buf = talloc_array(*state, uint8_t, 8);
	struct wwr w = {};

	assert_non_null(buf);
	memset(buf, 0xaa, 8);
	wwr_init(&w, buf, 4);				/* bytes 4..7 guard */
	wwr_u8(&w, 0x01);				/* offset 0 */
	wwr_be16(&w, 0x0203);
	wwr_u8(&w, 0x04);				/* last byte */
	assert_true(wwr_ok(&w));
	assert_int_equal(wwr_len(&w), 4);		/* end */
	wwr_u8(&w, 0x05);				/* one past */
	assert_int_equal(w.err, TWERR_NOSPACE);
	assert_int_equal(wwr_len(&w), 4);
	assert_int_equal(buf[0], 0x01);
	assert_int_equal(buf[3], 0x04);
	assert_int_equal(buf[4], 0xaa);			/* guard untouched */
	assert_int_equal(buf[7], 0xaa);
	talloc_free(buf);
}

/* A write that does not fit is not partially done, and failure sticks. */
static void test_wwr_no_partial(void **state)
{
	uint8_t *buf = talloc_array(*state, uint8_t, 8);
	struct wwr w = {};

	assert_non_null(buf);
	memset(buf, 0xaa, 8);
	wwr_init(&w, buf, 5);
	wwr_be32(&w, 0x01020304);
	wwr_be16(&w, 0x0506);				/* needs 2, has 1 */
	assert_int_equal(w.err, TWERR_NOSPACE);
	assert_int_equal(buf[4], 0xaa);
	wwr_u8(&w, 0x07);				/* would fit: sticky */
	assert_int_equal(buf[4], 0xaa);
	assert_int_equal(wwr_len(&w), 4);
	wwr_fail(&w, TWERR_INTERNAL);			/* first one wins */
	assert_int_equal(w.err, TWERR_NOSPACE);

	wwr_init(&w, buf, 3);
	wwr_le32(&w, 1);
	assert_false(wwr_ok(&w));
	wwr_init(&w, buf, 1);
	wwr_le16(&w, 1);
	assert_false(wwr_ok(&w));
	wwr_init(&w, buf, 7);
	wwr_be64(&w, 1);
	assert_false(wwr_ok(&w));
	wwr_init(&w, buf, 4);
	wwr_bytes(&w, buf, SIZE_MAX);			/* cannot wrap */
	assert_int_equal(w.err, TWERR_NOSPACE);
	wwr_init(&w, buf, 4);
	wwr_u8(&w, 0);
	wwr_zero(&w, SIZE_MAX);
	assert_int_equal(w.err, TWERR_NOSPACE);
	assert_int_equal(wwr_len(&w), 1);
	talloc_free(buf);
}

static void test_wwr_values(void **state)
{
	static const uint8_t expect[] = {
		0x12, 0x34,
		0x89, 0xab, 0xcd, 0xef,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x34, 0x12,
		0xef, 0xcd, 0xab, 0x89,
		'x', 'y',
		0x00, 0x00, 0x00,
	};
	uint8_t *buf = talloc_array(*state, uint8_t, sizeof(expect));
	struct wwr w = {};

	assert_non_null(buf);
	memset(buf, 0xaa, sizeof(expect));
	wwr_init(&w, buf, sizeof(expect));
	wwr_be16(&w, 0x1234);
	wwr_be32(&w, 0x89abcdefu);
	wwr_be64(&w, UINT64_C(0x0102030405060708));
	wwr_le16(&w, 0x1234);
	wwr_le32(&w, 0x89abcdefu);
	wwr_bytes(&w, "xy", 2);
	wwr_bytes(&w, NULL, 0);
	wwr_zero(&w, 3);
	assert_true(wwr_ok(&w));
	assert_int_equal(wwr_len(&w), sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));
	talloc_free(buf);
}

static void test_wwr_reserve_put_at(void **state)
{
	uint8_t *buf = talloc_array(*state, uint8_t, 16);
	struct wwr w = {};
	size_t off16;
	size_t off32;

	assert_non_null(buf);
	memset(buf, 0xaa, 16);
	wwr_init(&w, buf, 16);
	off16 = wwr_reserve(&w, 2);
	off32 = wwr_reserve(&w, 4);
	assert_int_equal(off16, 0);
	assert_int_equal(off32, 2);
	assert_int_equal(buf[0], 0);			/* reserved = zeroed */
	assert_int_equal(buf[5], 0);
	wwr_put_be16_at(&w, off16, 0xbeef);
	wwr_put_be32_at(&w, off32, 0x01020304);
	assert_int_equal(buf[0], 0xbe);
	assert_int_equal(buf[1], 0xef);
	assert_int_equal(buf[2], 0x01);
	assert_int_equal(buf[5], 0x04);

	/* at the last written bytes: allowed; past what was written: no-op */
	wwr_put_be16_at(&w, 4, 0x1111);
	assert_int_equal(buf[4], 0x11);
	wwr_put_be16_at(&w, 5, 0x2222);			/* would touch 6 */
	assert_int_equal(buf[5], 0x11);
	assert_int_equal(buf[6], 0xaa);
	wwr_put_be32_at(&w, 3, 0x33333333);		/* would touch 6 */
	assert_int_equal(buf[3], 0x02);
	wwr_put_be16_at(&w, SIZE_MAX, 0x4444);
	wwr_put_be32_at(&w, SIZE_MAX - 1, 0x44444444);
	assert_int_equal(wwr_len(&w), 6);

	/* reserve beyond the capacity fails; put_at is then a no-op */
	(void)wwr_reserve(&w, 11);
	assert_int_equal(w.err, TWERR_NOSPACE);
	wwr_put_be16_at(&w, 0, 0x5555);
	assert_int_equal(buf[0], 0xbe);
	talloc_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wcur_init_null, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wcur_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wcur_u8_edges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wcur_sticky, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wcur_integers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wcur_integers_short,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_wcur_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wcur_take_skip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wcur_sub, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wcur_at, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wcur_peek, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wwr_init_null, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wwr_capacity, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wwr_no_partial, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wwr_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wwr_reserve_put_at, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
