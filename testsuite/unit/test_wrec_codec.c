/*
 * tdbwins — tests for the stored record codec (source/store/wrec_codec.c).
 *
 * The stored form is input like a packet: every truncation, every bad
 * enum value, num_addrs 26, random bytes and single-byte mutations must
 * give TWERR_CORRUPT or decode to a record that encodes back to the very
 * same bytes (the encoding is canonical).  Padding in the C struct must
 * never reach the file (SECURITY.md MS-13).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "store/wrec_codec.h"

struct tctx {
	TALLOC_CTX *mem;
};

static int setup(void **state)
{
	struct tctx *t = talloc_zero(NULL, struct tctx);

	assert_non_null(t);
	t->mem = talloc_new(t);
	assert_non_null(t->mem);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;

	/* nothing may be left on the per-test context */
	assert_int_equal(talloc_total_blocks(t->mem), 1);
	talloc_free(t);
	return 0;
}

/* deterministic PRNG (xorshift64) so failures reproduce */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void set_name(struct nbn_name *n, const char *name, uint8_t suffix,
		     const char *scope)
{
	size_t len = strlen(name);

	memset(n, 0, sizeof(*n));
	memset(n->raw, ' ', NBN_RAW_LEN);
	memcpy(n->raw, name, len);
	n->raw[15] = suffix;
	if (scope != NULL) {
		n->scope_len = (uint8_t)strlen(scope);
		memcpy(n->scope, scope, n->scope_len);
	}
}

static void make_rec(struct wrec *r, enum wrec_type type, enum wrec_state state,
		     uint8_t num, const char *scope)
{
	uint8_t i;

	memset(r, 0, sizeof(*r));
	set_name(&r->name, "HOST", 0x20, scope);
	r->type = type;
	r->state = state;
	r->node = WREC_NODE_H;
	r->is_static = false;
	r->owner = 0xc6120001;
	r->version = 0x0000000100000002ULL;
	r->expire = 1700000000;
	r->registered_by = 0xc6120105;
	r->num_addrs = num;
	for (i = 0; i < num; i++) {
		r->addrs[i].ip = 0xc6120100 + i;
		r->addrs[i].owner = 0xc6120001 + (i % 3);
		r->addrs[i].expire = -1 - (int64_t)i;
	}
}

static size_t encode(const struct wrec *r, uint8_t *buf, size_t cap)
{
	struct wwr w = {};
	enum twerr err;

	wwr_init(&w, buf, cap);
	err = wrec_encode(&w, r);
	assert_int_equal(err, TWERR_OK);
	assert_int_equal(wwr_len(&w), wrec_encoded_len(r));
	return wwr_len(&w);
}

static void round_trip(const struct wrec *r)
{
	uint8_t buf[WREC_CODEC_MAX_LEN];
	uint8_t buf2[WREC_CODEC_MAX_LEN];
	struct wrec back;
	size_t len;
	size_t len2;

	len = encode(r, buf, sizeof(buf));
	assert_int_equal(wrec_decode(buf, len, &back), TWERR_OK);
	assert_true(wrec_equal(r, &back));
	len2 = encode(&back, buf2, sizeof(buf2));
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
}

/* 63 + 1 + 63 + 1 + 63 + 1 + 47 = 239 = NBN_SCOPE_MAX */
static const char max_scope[] =
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
	"ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc."
	"ddddddddddddddddddddddddddddddddddddddddddddddd";

static void test_round_trip_all(void **state)
{
	struct wrec r;
	unsigned type, st, node, stat;

	(void)state;
	for (type = 0; type <= WREC_MHOMED; type++) {
		for (st = 0; st <= WREC_TOMBSTONE; st++) {
			for (node = 0; node <= WREC_NODE_H; node++) {
				for (stat = 0; stat < 2; stat++) {
					make_rec(&r, type, st, 1, NULL);
					r.node = node;
					r.is_static = stat;
					round_trip(&r);
				}
			}
		}
	}
}

static void test_round_trip_limits(void **state)
{
	struct wrec r;
	uint8_t buf[WREC_CODEC_MAX_LEN];
	size_t len;

	(void)state;
	assert_int_equal(strlen(max_scope), NBN_SCOPE_MAX);

	/* 25 addresses, maximum scope: the largest value there is */
	make_rec(&r, WREC_SGROUP, WREC_ACTIVE, WREC_MAX_ADDRS, max_scope);
	round_trip(&r);
	len = encode(&r, buf, sizeof(buf));
	assert_int_equal(len, WREC_CODEC_MAX_LEN);

	/* no address, no scope: the smallest */
	make_rec(&r, WREC_GROUP, WREC_TOMBSTONE, 0, NULL);
	round_trip(&r);
	len = encode(&r, buf, sizeof(buf));
	assert_int_equal(len, WREC_CODEC_MIN_LEN);

	/* extreme field values */
	make_rec(&r, WREC_MHOMED, WREC_RELEASED, 3, "x");
	r.version = UINT64_MAX;
	r.expire = INT64_MIN;
	r.owner = 0xffffffff;
	r.registered_by = 0;
	r.addrs[2].expire = INT64_MAX;
	round_trip(&r);

	/* names are binary: NULs, 0xff, '%' all stored as they are */
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, "a.b");
	memset(r.name.raw, 0, NBN_RAW_LEN);
	r.name.raw[0] = '*';
	r.name.raw[7] = 0xff;
	r.name.raw[8] = '%';
	round_trip(&r);
	r.name.scope[1] = (char)0xfe; /* "a\xfe" + "b": still labels */
	round_trip(&r);
}

/* A literal stored value pins the format: changing it needs a new format. */
static const uint8_t golden[] = {
	0x57, 0x52, 0x01, /* "WR", format 1 */
	0x03, 0x02, 0x01, 0x01, /* MHOMED, TOMBSTONE, P, static */
	0x01, /* one address */
	'W',  'S',  '1',  ' ',	' ',  ' ',  ' ',  ' ',	' ', ' ', ' ',
	' ',  ' ',  ' ',  ' ',	0x00, 0x03, 'a',  '.',	'b', /* scope "a.b" */
	0xc6, 0x12, 0x00, 0x01, /* owner 198.18.0.1 */
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, /* version */
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, /* expire -2 */
	0xc6, 0x12, 0x01, 0x05, /* registered_by */
	0xc6, 0x12, 0x01, 0x06, /* address */
	0xc6, 0x12, 0x00, 0x02, /* its owner */
	0x00, 0x00, 0x00, 0x00, 0x65, 0x53, 0xf1, 0x00, /* its expire */
};

static void golden_rec(struct wrec *r)
{
	memset(r, 0, sizeof(*r));
	set_name(&r->name, "WS1", 0x00, "a.b");
	r->type = WREC_MHOMED;
	r->state = WREC_TOMBSTONE;
	r->node = WREC_NODE_P;
	r->is_static = true;
	r->owner = 0xc6120001;
	r->version = 0x0000000100000002ULL;
	r->expire = -2;
	r->registered_by = 0xc6120105;
	r->num_addrs = 1;
	r->addrs[0].ip = 0xc6120106;
	r->addrs[0].owner = 0xc6120002;
	r->addrs[0].expire = 1700000000;
}

static void test_golden(void **state)
{
	uint8_t buf[WREC_CODEC_MAX_LEN];
	struct wrec r;
	struct wrec back;
	size_t len;

	(void)state;
	golden_rec(&r);
	len = encode(&r, buf, sizeof(buf));
	assert_int_equal(len, sizeof(golden));
	assert_memory_equal(buf, golden, sizeof(golden));
	assert_int_equal(wrec_decode(golden, sizeof(golden), &back), TWERR_OK);
	assert_true(wrec_equal(&r, &back));
	assert_string_equal(back.name.scope, "a.b");
}

/* Struct padding and unused slots never reach the file (MS-13). */
static void test_deterministic(void **state)
{
	struct wrec clean;
	struct wrec dirty;
	uint8_t a[WREC_CODEC_MAX_LEN];
	uint8_t b[WREC_CODEC_MAX_LEN];
	size_t la;
	size_t lb;

	(void)state;
	golden_rec(&clean);
	memset(&dirty, 0xa5, sizeof(dirty));
	memcpy(dirty.name.raw, clean.name.raw, NBN_RAW_LEN);
	dirty.name.scope_len = clean.name.scope_len;
	memcpy(dirty.name.scope, clean.name.scope, clean.name.scope_len + 1);
	dirty.type = clean.type;
	dirty.state = clean.state;
	dirty.node = clean.node;
	dirty.is_static = clean.is_static;
	dirty.owner = clean.owner;
	dirty.version = clean.version;
	dirty.expire = clean.expire;
	dirty.registered_by = clean.registered_by;
	dirty.num_addrs = clean.num_addrs;
	dirty.addrs[0] = clean.addrs[0];

	memset(a, 0x11, sizeof(a));
	memset(b, 0x22, sizeof(b));
	la = encode(&clean, a, sizeof(a));
	lb = encode(&dirty, b, sizeof(b));
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
}

static void expect_corrupt(const uint8_t *buf, size_t len)
{
	struct wrec out;
	static const struct wrec zero;

	memset(&out, 0x5a, sizeof(out));
	assert_int_equal(wrec_decode(buf, len, &out), TWERR_CORRUPT);
	/* the output is wiped, not left half-filled */
	assert_true(wrec_equal(&out, &zero));
	assert_int_equal(out.name.scope_len, 0);
}

static void test_truncations(void **state)
{
	struct wrec r;
	uint8_t buf[WREC_CODEC_MAX_LEN + 1];
	uint8_t *copy = NULL;
	struct tctx *t = *state;
	size_t len;
	size_t cut;

	make_rec(&r, WREC_MHOMED, WREC_ACTIVE, WREC_MAX_ADDRS, max_scope);
	len = encode(&r, buf, sizeof(buf));

	/* every length from 0 to one short of the end, each in a buffer of
	 * exactly that size so a read past it would be caught by valgrind */
	for (cut = 0; cut < len; cut++) {
		copy = talloc_memdup(t->mem, buf, cut == 0 ? 1 : cut);
		assert_non_null(copy);
		expect_corrupt(copy, cut);
		TALLOC_FREE(copy);
	}
	expect_corrupt(NULL, 0);

	/* one past the end: a trailing byte */
	buf[len] = 0;
	expect_corrupt(buf, len + 1);

	/* the exact length decodes */
	copy = talloc_memdup(t->mem, buf, len);
	assert_non_null(copy);
	assert_int_equal(wrec_decode(copy, len, &r), TWERR_OK);
	TALLOC_FREE(copy);
}

static void mutate_corrupt(size_t off, uint8_t val)
{
	uint8_t buf[sizeof(golden)];

	memcpy(buf, golden, sizeof(golden));
	buf[off] = val;
	expect_corrupt(buf, sizeof(buf));
}

static void test_bad_fields(void **state)
{
	uint8_t big[WREC_CODEC_MAX_LEN + 64];
	struct wrec r;
	size_t len;

	(void)state;
	mutate_corrupt(0, 'X'); /* magic */
	mutate_corrupt(1, 'X');
	mutate_corrupt(2, 0); /* format 0 */
	mutate_corrupt(2, 2); /* format from the future */
	mutate_corrupt(3, 4); /* type */
	mutate_corrupt(3, 0xff);
	mutate_corrupt(4, 3); /* state */
	mutate_corrupt(4, 0x80);
	mutate_corrupt(5, 4); /* node */
	mutate_corrupt(6, 0x02); /* reserved flag bits */
	mutate_corrupt(6, 0x80);
	mutate_corrupt(7, 0); /* count says fewer than present */
	mutate_corrupt(7, 2); /* count says more than present */
	mutate_corrupt(7, 26);
	mutate_corrupt(7, 0xff);
	mutate_corrupt(24, 0); /* scope length: shorter */
	mutate_corrupt(24, 4); /* longer */
	mutate_corrupt(24, 240); /* beyond NBN_SCOPE_MAX */
	mutate_corrupt(24, 0xff);
	mutate_corrupt(25, '.'); /* ".\x2eb": leading dot */
	mutate_corrupt(26, 0); /* NUL inside the scope */
	mutate_corrupt(27, '.'); /* trailing dot */
	{
		/* ... but "axb" is a fine scope */
		uint8_t ok[sizeof(golden)];

		memcpy(ok, golden, sizeof(golden));
		ok[26] = 'x';
		assert_int_equal(wrec_decode(ok, sizeof(ok), &r), TWERR_OK);
	}

	/* version 0 is never stored */
	{
		uint8_t v0[sizeof(golden)];

		memcpy(v0, golden, sizeof(golden));
		memset(v0 + 32, 0, 8);
		expect_corrupt(v0, sizeof(v0));
	}

	/* num_addrs 26 with all 26 addresses present */
	make_rec(&r, WREC_SGROUP, WREC_ACTIVE, WREC_MAX_ADDRS, NULL);
	len = encode(&r, big, sizeof(big));
	memset(big + len, 0x01, WREC_CODEC_ADDR_LEN);
	big[7] = 26;
	expect_corrupt(big, len + WREC_CODEC_ADDR_LEN);
	big[7] = 25;
	assert_int_equal(wrec_decode(big, len, &r), TWERR_OK);

	/* empty label in the middle */
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, "a.b.c");
	len = encode(&r, big, sizeof(big));
	big[25 + 2] = '.'; /* "a...c" */
	expect_corrupt(big, len);
	/*
	 * a replicated scope is a plain string: one 237-byte label (what
	 * smbtorture's replica test stores) is a valid record
	 */
	{
		char label[238];
		struct wrec back;

		memset(label, '7', 237);
		label[237] = '\0';
		make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, label);
		len = encode(&r, big, sizeof(big));
		assert_int_equal(wrec_decode(big, len, &back), TWERR_OK);
		assert_int_equal(back.name.scope_len, 237);
		assert_memory_equal(back.name.scope, label, 238);
	}
}

static void test_encode_refuses(void **state)
{
	uint8_t buf[WREC_CODEC_MAX_LEN];
	uint8_t small[WREC_CODEC_MIN_LEN];
	struct wwr w = {};
	struct wrec r;

	(void)state;
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, NULL);
	r.type = (enum wrec_type)4;
	wwr_init(&w, buf, sizeof(buf));
	assert_int_equal(wrec_encode(&w, &r), TWERR_BAD_VALUE);
	assert_int_equal(wwr_len(&w), 0);

	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, NULL);
	r.state = (enum wrec_state)3;
	assert_false(wrec_valid(&r, true));
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, NULL);
	r.node = (enum wrec_node) - 1;
	assert_false(wrec_valid(&r, true));
	make_rec(&r, WREC_SGROUP, WREC_ACTIVE, 1, NULL);
	r.num_addrs = 26;
	assert_false(wrec_valid(&r, true));
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, NULL);
	r.version = 0;
	assert_false(wrec_valid(&r, false));
	assert_true(wrec_valid(&r, true));
	wwr_init(&w, buf, sizeof(buf));
	assert_int_equal(wrec_encode(&w, &r), TWERR_BAD_VALUE);

	/* scope rules: the encoder refuses what the decoder would */
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, ".a");
	assert_false(wrec_valid(&r, true));
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, "a.");
	assert_false(wrec_valid(&r, true));
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, "a..b");
	assert_false(wrec_valid(&r, true));
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, "ab");
	r.name.scope_len = 1; /* scope[1] is not the NUL */
	assert_false(wrec_valid(&r, true));
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 1, NULL);
	r.name.scope_len = NBN_SCOPE_MAX + 1;
	assert_false(wrec_valid(&r, true));

	/* a writer one byte short: NOSPACE, and never past its capacity */
	make_rec(&r, WREC_UNIQUE, WREC_ACTIVE, 0, NULL);
	wwr_init(&w, small, sizeof(small) - 1);
	assert_int_equal(wrec_encode(&w, &r), TWERR_NOSPACE);
	wwr_init(&w, small, sizeof(small));
	assert_int_equal(wrec_encode(&w, &r), TWERR_OK);
	assert_int_equal(wwr_len(&w), sizeof(small));
}

static void test_random_bytes(void **state)
{
	uint8_t buf[WREC_CODEC_MAX_LEN + 8];
	uint8_t again[WREC_CODEC_MAX_LEN];
	struct wrec r;
	size_t i;
	size_t j;
	size_t len;
	size_t ok_count = 0;

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = rng() % sizeof(buf);
		for (j = 0; j < len; j++) {
			buf[j] = (uint8_t)rng();
		}
		/* half of them get a valid magic so the fields get tested */
		if ((i & 1) && len >= 3) {
			buf[0] = WREC_CODEC_MAGIC0;
			buf[1] = WREC_CODEC_MAGIC1;
			buf[2] = WREC_CODEC_FORMAT;
		}
		if (wrec_decode(buf, len, &r) == TWERR_OK) {
			ok_count++;
			assert_int_equal(encode(&r, again, sizeof(again)), len);
			assert_memory_equal(again, buf, len);
		}
	}
	/* random bytes essentially never make a valid record */
	assert_true(ok_count < 10);
}

/* Every single-byte change: corrupt, or canonical (re-encodes the same). */
static void test_mutations(void **state)
{
	uint8_t base[WREC_CODEC_MAX_LEN];
	uint8_t buf[WREC_CODEC_MAX_LEN];
	uint8_t again[WREC_CODEC_MAX_LEN];
	struct wrec r;
	size_t len;
	size_t off;
	unsigned v;

	(void)state;
	make_rec(&r, WREC_SGROUP, WREC_ACTIVE, 2, "ab.cd");
	len = encode(&r, base, sizeof(base));
	for (off = 0; off < len; off++) {
		for (v = 0; v < 256; v++) {
			enum twerr err;

			memcpy(buf, base, len);
			buf[off] = (uint8_t)v;
			err = wrec_decode(buf, len, &r);
			if (err != TWERR_OK) {
				assert_int_equal(err, TWERR_CORRUPT);
				continue;
			}
			assert_int_equal(encode(&r, again, sizeof(again)), len);
			assert_memory_equal(again, buf, len);
		}
	}
}

static void test_equal(void **state)
{
	struct wrec a;
	struct wrec b;

	(void)state;
	make_rec(&a, WREC_SGROUP, WREC_ACTIVE, 3, "x.y");
	make_rec(&b, WREC_SGROUP, WREC_ACTIVE, 3, "x.y");
	assert_true(wrec_equal(&a, &b));
	b.addrs[2].expire++;
	assert_false(wrec_equal(&a, &b));
	b = a;
	b.addrs[3].ip = 7; /* beyond num_addrs: ignored */
	assert_true(wrec_equal(&a, &b));
	b.name.scope[0] = 'z';
	assert_false(wrec_equal(&a, &b));
	b = a;
	b.is_static = true;
	assert_false(wrec_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_all, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_golden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_refuses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mutations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_equal, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
