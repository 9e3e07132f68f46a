/*
 * tdbwins — unit tests for the NetBIOS name codec: RFC 1001/1002 literal
 * vectors, nbn_make edges, every decoding limit probed directly on
 * nbn_decode (label types and lengths, first-level characters, pointer
 * direction, hops, decoded size), printing of hostile names, storage keys,
 * and a complexity regression for pointer chains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <talloc.h>

#include "../../source/wire/nbname.h"

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

/* RFC 1001 14.1: "FRED" padded with spaces, suffix 0x20 */
static const char fred_l1[] = "EGFCEFEECACACACACACACACACACACACA";

static uint8_t *owned(TALLOC_CTX *ctx, const uint8_t *src, size_t len)
{
	uint8_t *p = talloc_array(ctx, uint8_t, len);

	assert_non_null(p);
	if (len > 0) {
		memcpy(p, src, len);
	}
	return p;
}

/*
 * Decode the name at offset off of an exactly sized heap copy of msg;
 * returns the error and (on success) the name and the in-place end.
 */
static enum twerr decode_at(TALLOC_CTX *ctx, const uint8_t *msg, size_t len,
			    size_t off, struct nbn_name *out, size_t *end)
{
	uint8_t *b = owned(ctx, msg, len);
	struct wcur m = {};
	struct wcur c = {};
	enum twerr err;
	bool ok;

	wcur_init(&m, b, len);
	c = m;
	assert_true(wcur_skip(&c, off));
	ok = nbn_decode(&c, &m, out);
	err = c.err;
	assert_int_equal(ok, err == TWERR_OK);
	if (end != NULL) {
		*end = wcur_pos(&c);
	}
	talloc_free(b);
	return err;
}

/* A 12-byte dummy header followed by the given name bytes. */
static size_t with_header(uint8_t *buf, size_t cap, const uint8_t *name,
			  size_t len)
{
	assert_true(len + 12 <= cap);
	memset(buf, 0, 12);
	memcpy(buf + 12, name, len);
	return len + 12;
}

/* 0x20 + encoded FRED<20> (33 bytes) into p */
static size_t put_fred(uint8_t *p)
{
	p[0] = 0x20;
	memcpy(p + 1, fred_l1, 32);
	return 33;
}

/* ---- RFC vectors and nbn_make ---- */

static void test_rfc_fred(void **state)
{
	uint8_t expect[34];
	uint8_t buf[64];
	struct nbn_name n = {};
	struct nbn_name d = {};
	struct wwr w = {};
	size_t end = 0;
	size_t len;

	expect[0] = 0x20;
	memcpy(expect + 1, fred_l1, 32);
	expect[33] = 0x00;

	assert_true(nbn_make(&n, "FRED", 0x20, NULL));
	assert_memory_equal(n.raw, "FRED           \x20", 16);
	assert_int_equal(n.scope_len, 0);
	assert_int_equal(nbn_suffix(&n), 0x20);

	wwr_init(&w, buf, sizeof(buf));
	nbn_encode(&w, &n);
	assert_true(wwr_ok(&w));
	assert_int_equal(wwr_len(&w), 34);
	assert_int_equal(nbn_encoded_len(&n), 34);
	assert_memory_equal(buf, expect, 34);

	len = with_header(buf, sizeof(buf), expect, sizeof(expect));
	assert_int_equal(decode_at(*state, buf, len, 12, &d, &end),
			 TWERR_OK);
	assert_true(nbn_equal(&n, &d));
	assert_int_equal(end, 46);
}

/* RFC 1002 4.2.18 / PROTOCOL.md 1.5: the wildcard is "CK" + 30 x 'A' */
static void test_wildcard(void **state)
{
	static const uint8_t raw[16] = { '*' };
	uint8_t buf[64];
	struct nbn_name n = {};
	struct wwr w = {};
	size_t i;

	(void)state;
	assert_true(nbn_make(&n, "*", 0x00, NULL));
	assert_memory_equal(n.raw, raw, 16);
	wwr_init(&w, buf, sizeof(buf));
	nbn_encode(&w, &n);
	assert_int_equal(buf[0], 0x20);
	assert_int_equal(buf[1], 'C');
	assert_int_equal(buf[2], 'K');
	for (i = 3; i < 33; i++) {
		assert_int_equal(buf[i], 'A');
	}
	assert_int_equal(buf[33], 0);

	/* "*" only is the wildcard: "**" is an ordinary, space-padded name */
	assert_true(nbn_make(&n, "**", 0x00, NULL));
	assert_int_equal(n.raw[2], ' ');
}

static void test_make_edges(void **state)
{
	char scope[300];
	struct nbn_name n = {};

	(void)state;
	/* 15 bytes fit, 16 do not */
	assert_true(nbn_make(&n, "ABCDEFGHIJKLMNO", 0x1c, NULL));
	assert_memory_equal(n.raw, "ABCDEFGHIJKLMNO\x1c", 16);
	assert_false(nbn_make(&n, "ABCDEFGHIJKLMNOP", 0x1c, NULL));
	assert_false(nbn_make(&n, NULL, 0, NULL));
	assert_false(nbn_make(NULL, "X", 0, NULL));

	/* empty name: 15 spaces */
	assert_true(nbn_make(&n, "", 0x20, NULL));
	assert_memory_equal(n.raw, "               \x20", 16);

	/* no case folding: the bytes are opaque */
	assert_true(nbn_make(&n, "wpad", 0x00, NULL));
	assert_memory_equal(n.raw, "wpad", 4);

	/* scopes */
	assert_true(nbn_make(&n, "A", 0, ""));
	assert_int_equal(n.scope_len, 0);
	assert_true(nbn_make(&n, "A", 0, "example.com"));
	assert_int_equal(n.scope_len, 11);
	assert_string_equal(n.scope, "example.com");
	assert_false(nbn_make(&n, "A", 0, ".example"));
	assert_false(nbn_make(&n, "A", 0, "example."));
	assert_false(nbn_make(&n, "A", 0, "a..b"));
	assert_false(nbn_make(&n, "A", 0, "."));

	/* 63-byte label fits, 64 does not */
	memset(scope, 'x', 63);
	scope[63] = '\0';
	assert_true(nbn_make(&n, "A", 0, scope));
	memset(scope, 'x', 64);
	scope[64] = '\0';
	assert_false(nbn_make(&n, "A", 0, scope));

	/* 239 bytes (decoded 272) fit, 240 do not */
	memset(scope, 'x', sizeof(scope));
	scope[63] = '.';
	scope[127] = '.';
	scope[191] = '.';
	scope[239] = '\0';
	assert_true(nbn_make(&n, "A", 0, scope));
	assert_int_equal(n.scope_len, 239);
	scope[239] = 'x';
	scope[240] = '\0';
	assert_false(nbn_make(&n, "A", 0, scope));
}

static void test_equal(void **state)
{
	struct nbn_name a = {};
	struct nbn_name b = {};

	(void)state;
	assert_true(nbn_make(&a, "FRED", 0x20, "a.b"));
	assert_true(nbn_make(&b, "FRED", 0x20, "a.b"));
	assert_true(nbn_equal(&a, &b));
	b.raw[15] = 0x00;
	assert_false(nbn_equal(&a, &b));
	assert_true(nbn_make(&b, "FRED", 0x20, "a.B"));
	assert_false(nbn_equal(&a, &b));
	assert_true(nbn_make(&b, "FRED", 0x20, "a"));
	assert_false(nbn_equal(&a, &b));
	assert_true(nbn_make(&b, "FRED", 0x20, NULL));
	assert_false(nbn_equal(&a, &b));
	b = a;
	b.scope_len = 255;				/* corrupt struct */
	assert_false(nbn_equal(&a, &b));
}

static void test_roundtrip(void **state)
{
	static const char *const scopes[] = {
		NULL, "a", "example.com", "x.y.z.w", "UPPER.lower",
		"\x80\xff.\x01",
	};
	static const uint8_t raws[][16] = {
		{ 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R',
		  'O', 'W', 'S', 'E', '_', '_', 0x02, 0x01 },
		{ ';', '$', '(', 'x', ')', '|', '&', '>',
		  '\n', '"', '%', 's', '%', 'n', ' ', 0x20 },
	};
	uint8_t buf[400];
	size_t i;
	size_t j;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		for (j = 0; j < sizeof(raws) / sizeof(raws[0]); j++) {
			struct nbn_name n = {};
			struct nbn_name d = {};
			struct wwr w = {};
			size_t end = 0;

			assert_true(nbn_make(&n, "X", 0, scopes[i]));
			memcpy(n.raw, raws[j], 16);
			memset(buf, 0, 12);
			wwr_init(&w, buf + 12, sizeof(buf) - 12);
			nbn_encode(&w, &n);
			assert_true(wwr_ok(&w));
			assert_int_equal(wwr_len(&w), nbn_encoded_len(&n));
			assert_int_equal(decode_at(*state, buf,
						   12 + wwr_len(&w), 12, &d,
						   &end),
					 TWERR_OK);
			assert_true(nbn_equal(&n, &d));
			assert_int_equal(end, 12 + wwr_len(&w));
		}
	}
}

/* nbn_encode refuses a struct whose scope could not have been decoded */
static void test_encode_invalid(void **state)
{
	uint8_t buf[128];
	struct nbn_name n = {};
	struct wwr w = {};

	(void)state;
	assert_true(nbn_make(&n, "A", 0, NULL));
	memcpy(n.scope, "a..b", 5);
	n.scope_len = 4;
	wwr_init(&w, buf, sizeof(buf));
	nbn_encode(&w, &n);
	assert_int_equal(w.err, TWERR_INTERNAL);
	assert_int_equal(wwr_len(&w), 0);

	n.scope_len = NBN_SCOPE_MAX + 1;
	wwr_init(&w, buf, sizeof(buf));
	nbn_encode(&w, &n);
	assert_int_equal(w.err, TWERR_INTERNAL);

	/* a full writer: NOSPACE, never past the capacity */
	assert_true(nbn_make(&n, "A", 0, NULL));
	memset(buf, 0xaa, sizeof(buf));
	wwr_init(&w, buf, 33);
	nbn_encode(&w, &n);
	assert_int_equal(w.err, TWERR_NOSPACE);
	assert_int_equal(buf[33], 0xaa);
}

/* ---- decoding limits ---- */

static void test_first_label(void **state)
{
	uint8_t name[80];
	uint8_t buf[128];
	struct nbn_name d = {};
	size_t len;
	size_t i;

	/* lengths 0, 1, 31, 33, 63 */
	static const uint8_t bad_lens[] = { 0, 1, 31, 33, 63 };

	for (i = 0; i < sizeof(bad_lens); i++) {
		memset(name, 'A', sizeof(name));
		name[0] = bad_lens[i];
		name[1 + bad_lens[i]] = 0;
		len = with_header(buf, sizeof(buf), name,
				  (size_t)bad_lens[i] + 2);
		assert_int_equal(decode_at(*state, buf, len, 12, &d, NULL),
				 TWERR_BAD_NAME);
	}

	/* every character edge: '@' and 'Q' fail, 'A' and 'P' pass */
	for (i = 0; i < 32; i++) {
		static const uint8_t bad[] = { '@', 'Q', 'Z', 'a', 'p', 0,
					       0xff, ' ' };
		size_t k;

		for (k = 0; k < sizeof(bad); k++) {
			put_fred(name);
			name[1 + i] = bad[k];
			name[33] = 0;
			len = with_header(buf, sizeof(buf), name, 34);
			assert_int_equal(decode_at(*state, buf, len, 12, &d,
						   NULL),
					 TWERR_BAD_NAME);
		}
	}
	memset(name, 'P', sizeof(name));
	name[0] = 0x20;
	name[33] = 0;
	len = with_header(buf, sizeof(buf), name, 34);
	assert_int_equal(decode_at(*state, buf, len, 12, &d, NULL), TWERR_OK);
	for (i = 0; i < 16; i++) {
		assert_int_equal(d.raw[i], 0xff);
	}
}

static void test_label_types(void **state)
{
	static const uint8_t types[] = { 0x40, 0x7f, 0x80, 0xbf };
	uint8_t name[80];
	uint8_t buf[128];
	struct nbn_name d = {};
	size_t len;
	size_t i;

	for (i = 0; i < sizeof(types); i++) {
		/* as the first label */
		memset(name, 'a', sizeof(name));
		name[0] = types[i];
		len = with_header(buf, sizeof(buf), name, 70);
		assert_int_equal(decode_at(*state, buf, len, 12, &d, NULL),
				 TWERR_BAD_LABEL);
		/* as a scope label */
		put_fred(name);
		name[33] = types[i];
		len = with_header(buf, sizeof(buf), name, 70);
		assert_int_equal(decode_at(*state, buf, len, 12, &d, NULL),
				 TWERR_BAD_LABEL);
	}
}

static void test_scope_label_bytes(void **state)
{
	uint8_t name[80];
	uint8_t buf[128];
	struct nbn_name d = {};
	size_t len;

	put_fred(name);
	memcpy(name + 33, "\x03" "a.b" "\x00", 5);
	len = with_header(buf, sizeof(buf), name, 38);
	assert_int_equal(decode_at(*state, buf, len, 12, &d, NULL),
			 TWERR_BAD_LABEL);

	memcpy(name + 33, "\x03" "a\0b" "\x00", 5);
	len = with_header(buf, sizeof(buf), name, 38);
	assert_int_equal(decode_at(*state, buf, len, 12, &d, NULL),
			 TWERR_BAD_LABEL);

	/* '.' as the last byte of a label is refused as well */
	memcpy(name + 33, "\x03" "ab." "\x00", 5);
	len = with_header(buf, sizeof(buf), name, 38);
	assert_int_equal(decode_at(*state, buf, len, 12, &d, NULL),
			 TWERR_BAD_LABEL);

	/* any other byte is kept as is, case included */
	memcpy(name + 33, "\x03" "A\xffz" "\x00", 5);
	len = with_header(buf, sizeof(buf), name, 38);
	assert_int_equal(decode_at(*state, buf, len, 12, &d, NULL), TWERR_OK);
	assert_int_equal(d.scope_len, 3);
	assert_memory_equal(d.scope, "A\xffz", 4);
}

/* Every cut of a name with a scope is truncated, never read past. */
static void test_cuts(void **state)
{
	uint8_t name[80];
	uint8_t buf[128];
	struct nbn_name d = {};
	size_t full;
	size_t cut;

	put_fred(name);
	memcpy(name + 33, "\x07" "example" "\x03" "com" "\x00", 13);
	full = with_header(buf, sizeof(buf), name, 46);
	assert_int_equal(decode_at(*state, buf, full, 12, &d, NULL),
			 TWERR_OK);
	for (cut = 12; cut < full; cut++) {
		assert_int_equal(decode_at(*state, buf, cut, 12, &d, NULL),
				 TWERR_TRUNCATED);
		assert_int_equal(d.scope_len, 0);
	}
}

static void test_pointer_rules(void **state)
{
	uint8_t buf[128];
	struct nbn_name d = {};
	struct nbn_name fred = {};
	size_t end = 0;
	size_t len;

	assert_true(nbn_make(&fred, "FRED", 0x20, NULL));
	memset(buf, 0, sizeof(buf));
	put_fred(buf + 12);
	buf[45] = 0;				/* name 12..45 */

	/* a pointer to 12 from 46: ok, the cursor ends after the pointer */
	buf[46] = 0xc0;
	buf[47] = 0x0c;
	len = 60;
	assert_int_equal(decode_at(*state, buf, len, 46, &d, &end), TWERR_OK);
	assert_true(nbn_equal(&d, &fred));
	assert_int_equal(end, 48);

	/* self, forward, into the header, beyond the end */
	buf[47] = 46;
	assert_int_equal(decode_at(*state, buf, len, 46, &d, &end),
			 TWERR_BAD_POINTER);
	buf[47] = 47;
	assert_int_equal(decode_at(*state, buf, len, 46, &d, NULL),
			 TWERR_BAD_POINTER);
	buf[47] = 0;
	assert_int_equal(decode_at(*state, buf, len, 46, &d, NULL),
			 TWERR_BAD_POINTER);
	buf[47] = 11;
	assert_int_equal(decode_at(*state, buf, len, 46, &d, NULL),
			 TWERR_BAD_POINTER);
	buf[46] = 0xff;
	buf[47] = 0xff;
	assert_int_equal(decode_at(*state, buf, len, 46, &d, NULL),
			 TWERR_BAD_POINTER);

	/* second byte missing: the message ends on 0xC0 */
	buf[46] = 0xc0;
	assert_int_equal(decode_at(*state, buf, 47, 46, &d, NULL),
			 TWERR_TRUNCATED);

	/* labels, then a pointer into those same labels: refused */
	put_fred(buf + 46);
	buf[79] = 0xc0;
	buf[80] = 46;
	assert_int_equal(decode_at(*state, buf, 90, 46, &d, NULL),
			 TWERR_BAD_POINTER);
	/* the same labels followed by a pointer to an earlier scope-less end */
	buf[79] = 0xc0;
	buf[80] = 45;				/* -> the 0x00 at 45 */
	assert_int_equal(decode_at(*state, buf, 90, 46, &d, &end), TWERR_OK);
	assert_true(nbn_equal(&d, &fred));
	assert_int_equal(end, 81);
}

/* Without a message cursor (or with an unrelated one) no pointer is valid. */
static void test_pointer_without_msg(void **state)
{
	uint8_t *b = talloc_zero_array(*state, uint8_t, 64);
	uint8_t *other = talloc_zero_array(*state, uint8_t, 64);
	struct nbn_name d = {};
	struct wcur m = {};
	struct wcur c = {};

	assert_non_null(b);
	assert_non_null(other);
	put_fred(b + 12);
	b[46] = 0xc0;
	b[47] = 0x0c;

	wcur_init(&c, b, 64);
	assert_true(wcur_skip(&c, 46));
	assert_false(nbn_decode(&c, NULL, &d));
	assert_int_equal(c.err, TWERR_BAD_POINTER);

	wcur_init(&m, other, 64);
	wcur_init(&c, b, 64);
	assert_true(wcur_skip(&c, 46));
	assert_false(nbn_decode(&c, &m, &d));
	assert_int_equal(c.err, TWERR_BAD_POINTER);

	/* a sub-cursor inside the message: offsets are still message ones */
	wcur_init(&m, b, 64);
	c = m;
	assert_true(wcur_skip(&c, 40));
	{
		struct wcur sub = {};

		assert_true(wcur_sub(&c, 10, &sub));
		assert_true(wcur_skip(&sub, 6));
		assert_true(nbn_decode(&sub, &m, &d));
		assert_int_equal(wcur_pos(&sub), 8);
	}

	/* a cursor that already failed decodes nothing */
	wcur_init(&c, b, 64);
	wcur_fail(&c, TWERR_BAD_COUNT);
	assert_false(nbn_decode(&c, &m, &d));
	assert_int_equal(c.err, TWERR_BAD_COUNT);
	talloc_free(b);
	talloc_free(other);
}

/*
 * Build a chain of n pointers: the name at 12, then pointer pairs at
 * 46, 48, ... each pointing at the previous one (the first at 12).
 * Returns the offset of the last pair (the entry point).
 */
static size_t build_chain(uint8_t *buf, size_t n)
{
	size_t i;

	memset(buf, 0, 12);
	put_fred(buf + 12);
	buf[45] = 0;
	for (i = 0; i < n; i++) {
		size_t at = 46 + 2 * i;
		size_t target = (i == 0) ? 12 : at - 2;

		buf[at] = (uint8_t)(0xc0 | (target >> 8));
		buf[at + 1] = (uint8_t)(target & 0xff);
	}
	return 46 + 2 * (n - 1);
}

static void test_hops(void **state)
{
	uint8_t *buf = talloc_zero_array(*state, uint8_t, 2200);
	struct nbn_name d = {};
	size_t entry;

	assert_non_null(buf);
	/* 4 hops in total (1..4 in the chain): accepted */
	entry = build_chain(buf, 4);
	assert_int_equal(decode_at(*state, buf, entry + 2, entry, &d, NULL),
			 TWERR_OK);
	entry = build_chain(buf, 1);
	assert_int_equal(decode_at(*state, buf, entry + 2, entry, &d, NULL),
			 TWERR_OK);
	/* 5, 10, 1000 hops: refused at the fifth */
	entry = build_chain(buf, 5);
	assert_int_equal(decode_at(*state, buf, entry + 2, entry, &d, NULL),
			 TWERR_BAD_POINTER);
	entry = build_chain(buf, 1000);
	assert_int_equal(decode_at(*state, buf, entry + 2, entry, &d, NULL),
			 TWERR_BAD_POINTER);
	talloc_free(buf);
}

/* OP-7: pointers with a first byte 0xC1..0xFF work like 0xC0 ones. */
static void test_far_pointers(void **state)
{
	uint8_t *buf = talloc_zero_array(*state, uint8_t, 17000);
	struct nbn_name d = {};
	struct nbn_name fred = {};
	size_t end = 0;

	assert_non_null(buf);
	assert_true(nbn_make(&fred, "FRED", 0x20, NULL));
	put_fred(buf + 300);
	buf[333] = 0;
	buf[400] = 0xc1;			/* -> 300 */
	buf[401] = 0x2c;
	assert_int_equal(decode_at(*state, buf, 402, 400, &d, &end), TWERR_OK);
	assert_true(nbn_equal(&d, &fred));
	assert_int_equal(end, 402);

	/* the largest pointer, 0x3FFF, from 16390 */
	put_fred(buf + 16383);
	buf[16416] = 0;
	buf[16500] = 0xff;
	buf[16501] = 0xff;
	assert_int_equal(decode_at(*state, buf, 16502, 16500, &d, NULL),
			 TWERR_OK);
	assert_true(nbn_equal(&d, &fred));
	talloc_free(buf);
}

/* Decoded size: 272 accepted, 273 refused, also when built by pointers. */
static void test_decoded_size(void **state)
{
	uint8_t *buf = talloc_zero_array(*state, uint8_t, 1024);
	struct nbn_name d = {};
	size_t p = 12;
	size_t i;

	assert_non_null(buf);
	/* FRED + 63.63.63.47 = dotted scope 239 */
	p += put_fred(buf + p);
	for (i = 0; i < 3; i++) {
		buf[p++] = 63;
		memset(buf + p, 'a' + (int)i, 63);
		p += 63;
	}
	buf[p++] = 47;
	memset(buf + p, 'd', 47);
	p += 47;
	buf[p++] = 0;
	assert_int_equal(decode_at(*state, buf, p, 12, &d, NULL), TWERR_OK);
	assert_int_equal(d.scope_len, NBN_SCOPE_MAX);
	assert_int_equal(strlen(d.scope), NBN_SCOPE_MAX);

	/* one byte more */
	buf[p - 49] = 48;
	buf[p - 1] = 'd';
	buf[p] = 0;
	assert_int_equal(decode_at(*state, buf, p + 1, 12, &d, NULL),
			 TWERR_NAME_TOO_LONG);

	/*
	 * Inflation by pointer: a new name at 600 with its own first label
	 * and a 63-byte label, ending in a pointer to the 239-byte scope.
	 */
	p = 600;
	p += put_fred(buf + p);
	buf[p++] = 63;
	memset(buf + p, 'e', 63);
	p += 63;
	buf[p++] = 0xc0;
	buf[p++] = 45;
	assert_int_equal(decode_at(*state, buf, p, 600, &d, NULL),
			 TWERR_NAME_TOO_LONG);
	talloc_free(buf);
}

/* ---- printing (OP-1, SA-6) ---- */

static void test_print(void **state)
{
	char buf[NBN_PRINT_MAX];
	struct nbn_name n = {};

	(void)state;
	assert_true(nbn_make(&n, "FRED", 0x20, NULL));
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)), "FRED<20>");

	assert_true(nbn_make(&n, "FRED", 0x1c, "example.com"));
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)),
			    "FRED<1c>.example.com");

	/* 15 spaces: stripping stops at index 0 */
	assert_true(nbn_make(&n, "", 0x20, NULL));
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)), "<20>");

	/* 15 NULs are not padding: printed, so they differ from spaces */
	memset(n.raw, 0, 16);
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)),
			    "%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00"
			    "<00>");

	assert_true(nbn_make(&n, "*", 0x00, NULL));
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)),
			    "*%00%00%00%00%00%00%00%00%00%00%00%00%00%00<00>");

	memset(n.raw, 0xff, 16);
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)),
			    "%ff%ff%ff%ff%ff%ff%ff%ff%ff%ff%ff%ff%ff%ff%ff"
			    "<ff>");

	/* one character + spaces */
	assert_true(nbn_make(&n, "A", 0x00, NULL));
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)), "A<00>");

	/* metacharacters, '%' and format specifiers are escaped */
	assert_true(nbn_make(&n, "a b%s\n;$`", 0x00, NULL));
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)),
			    "a%20b%25s%0a;$`<00>");

	/* __MSBROWSE__ */
	memcpy(n.raw, "\x01\x02__MSBROWSE__\x02\x01", 16);
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)),
			    "%01%02__MSBROWSE__%02<01>");

	/* space inside the name (not trailing) is escaped, trailing not */
	memcpy(n.raw, "A B            \x20", 16);
	assert_string_equal(nbn_print(&n, buf, sizeof(buf)), "A%20B<20>");
}

static void test_print_bounds(void **state)
{
	char buf[NBN_PRINT_MAX + 8];
	char scope[NBN_SCOPE_MAX + 1];
	struct nbn_name n = {};
	size_t i;

	(void)state;
	/* the worst case fits NBN_PRINT_MAX exactly or with room to spare */
	memset(scope, '\x80', NBN_SCOPE_MAX);
	scope[63] = '.';
	scope[127] = '.';
	scope[191] = '.';
	scope[NBN_SCOPE_MAX] = '\0';
	assert_true(nbn_make(&n, "x", 0xff, scope));
	memset(n.raw, 0xff, 16);
	memset(buf, 0x55, sizeof(buf));
	nbn_print(&n, buf, NBN_PRINT_MAX);
	assert_int_equal(strlen(buf), 15 * 3 + 4 + 1 + 236 * 3 + 3);
	assert_true(strlen(buf) < NBN_PRINT_MAX);
	assert_int_equal((uint8_t)buf[NBN_PRINT_MAX], 0x55);

	/* every smaller buffer: NUL-terminated, nothing written beyond */
	for (i = 0; i < 40; i++) {
		memset(buf, 0x55, sizeof(buf));
		nbn_print(&n, buf, i);
		if (i > 0) {
			assert_true(strlen(buf) < i);
		}
		assert_int_equal((uint8_t)buf[i], 0x55);
	}
	assert_null(nbn_print(&n, NULL, 10));

	/* whole tokens only: "%ff" is not cut in the middle */
	nbn_print(&n, buf, 6);
	assert_string_equal(buf, "%ff");
}

/* ---- storage keys ---- */

static void test_keys(void **state)
{
	uint8_t key[NBN_KEY_MAX];
	uint8_t bad[NBN_KEY_MAX + 4];
	struct nbn_name n = {};
	struct nbn_name d = {};
	size_t len;

	(void)state;
	assert_true(nbn_make(&n, "FRED", 0x20, NULL));
	len = nbn_key(&n, key);
	assert_int_equal(len, 16);
	assert_true(nbn_from_key(key, len, &d));
	assert_true(nbn_equal(&n, &d));

	assert_true(nbn_make(&n, "FRED", 0x20, "example.com"));
	len = nbn_key(&n, key);
	assert_int_equal(len, 16 + 11);
	assert_memory_equal(key + 16, "example.com", 11);
	assert_true(nbn_from_key(key, len, &d));
	assert_true(nbn_equal(&n, &d));

	/* damaged keys: too short, scope too long, NUL, empty labels */
	assert_false(nbn_from_key(key, 15, &d));
	assert_false(nbn_from_key(NULL, 16, &d));
	memset(bad, 'a', sizeof(bad));
	assert_false(nbn_from_key(bad, NBN_KEY_MAX + 1, &d));
	memcpy(bad + 16, "a\0b", 3);
	assert_false(nbn_from_key(bad, 19, &d));
	memcpy(bad + 16, "a..b", 4);
	assert_false(nbn_from_key(bad, 20, &d));
	memcpy(bad + 16, ".ab", 3);
	assert_false(nbn_from_key(bad, 19, &d));
	memcpy(bad + 16, "ab.", 3);
	assert_false(nbn_from_key(bad, 19, &d));
	assert_int_equal(d.scope_len, 0);
}

/* ---- complexity regression (CVE-2020-10745) ---- */

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1000.0 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void test_complexity(void **state)
{
	uint8_t *buf = talloc_zero_array(*state, uint8_t, 2200);
	struct timespec t0 = {};
	struct timespec t1 = {};
	struct nbn_name d = {};
	struct wcur m = {};
	size_t entry;
	size_t fails = 0;
	size_t i;

	assert_non_null(buf);
	/* a chain of 1000 pointers: each decode must stop at hop 5 */
	entry = build_chain(buf, 1000);
	wcur_init(&m, buf, entry + 2);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 10000; i++) {
		struct wcur c = m;

		c.pos = entry;
		if (!nbn_decode(&c, &m, &d) && c.err == TWERR_BAD_POINTER) {
			fails++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(fails, 10000);
	printf("# 10000 decodes of a 1000-pointer chain: %.2f ms\n",
	       elapsed_ms(&t0, &t1));
	talloc_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rfc_fred, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wildcard, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_make_edges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_equal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_invalid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_first_label, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_label_types, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scope_label_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cuts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pointer_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pointer_without_msg,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_hops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_far_pointers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_decoded_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_print, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_bounds, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complexity, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
