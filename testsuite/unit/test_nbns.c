/*
 * tdbwins — unit tests for the NBNS packet codec: literal wire vectors for
 * every message the server builds (query, registration with the 0xC00C
 * pointer, WACK, negative response, node status), structural decoding
 * (counts checked before allocation, section caps, RDATA forms, trailing
 * bytes), every truncation, writer capacity and deterministic output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "../../source/wire/nbns.h"

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

/* RFC 1001 14.1: FRED<20> */
#define FRED_L1                                                        \
	'E', 'G', 'F', 'C', 'E', 'F', 'E', 'E', 'C', 'A', 'C', 'A', 'C', \
		'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A',   \
		'C', 'A', 'C', 'A', 'C', 'A', 'C', 'A'
/* the wildcard *<00>: "CK" + 30 x 'A' */
#define STAR_L1                                                        \
	'C', 'K', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', \
		'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',   \
		'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A'
#define Z8 0, 0, 0, 0, 0, 0, 0, 0

/* PROTOCOL.md 1.4: a Windows registration, 68 bytes */
static const uint8_t reg_wire[] = {
	0x12, 0x34, 0x29, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01,
	0x20, FRED_L1, 0x00,
	0x00, 0x20, 0x00, 0x01,
	0xc0, 0x0c,
	0x00, 0x20, 0x00, 0x01, 0x00, 0x04, 0x93, 0xe0, 0x00, 0x06,
	0x60, 0x00, 0xc6, 0x12, 0x00, 0x01,
};

/* name query, 50 bytes */
static const uint8_t query_wire[] = {
	0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
	0x20, FRED_L1, 0x00,
	0x00, 0x20, 0x00, 0x01,
};

/* WACK (RFC 1002 4.2.16) as Windows sends it: RR type NB, RDLENGTH 2 */
static const uint8_t wack_wire[] = {
	0x12, 0x34, 0xbc, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00,
	0x20, FRED_L1, 0x00,
	0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 0x00, 0x02,
	0x29, 0x00,
};

/* negative query response (RFC 1002 4.2.14): NULL RR, TTL 0, RDLENGTH 0 */
static const uint8_t negative_wire[] = {
	0xab, 0xcd, 0x85, 0x83, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00,
	0x20, FRED_L1, 0x00,
	0x00, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* node status response (RFC 1002 4.2.18) for *<00>, one name */
static const uint8_t nbstat_wire[] = {
	0x55, 0x66, 0x84, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00,
	0x20, STAR_L1, 0x00,
	0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x41,
	0x01,
	'F', 'R', 'E', 'D', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	' ', ' ', 0x20, 0x04, 0x00,
	0x02, 0x00, 0x5e, 0x10, 0x00, 0x01,		/* unit id */
	Z8, Z8, Z8, Z8, Z8,				/* 40 zero bytes */
};

static uint8_t *owned(TALLOC_CTX *ctx, const uint8_t *src, size_t len)
{
	uint8_t *p = talloc_array(ctx, uint8_t, len);

	assert_non_null(p);
	if (len > 0) {
		memcpy(p, src, len);
	}
	return p;
}

/* decode an exactly sized heap copy (valgrind sees over-reads) */
static enum twerr decode_copy(TALLOC_CTX *ctx, const uint8_t *src,
			      size_t len, struct nbp_packet **out)
{
	uint8_t *b = owned(ctx, src, len);
	enum twerr err;

	err = nbp_decode(ctx, b, len, out);
	talloc_free(b);
	if (err != TWERR_OK) {
		assert_null(*out);
	} else {
		assert_non_null(*out);
	}
	return err;
}

static void make_fred(struct nbn_name *n)
{
	assert_true(nbn_make(n, "FRED", 0x20, NULL));
}

/* ---- header ---- */

static void test_header(void **state)
{
	struct nbp_packet h = { .trn_id = 7 };

	(void)state;
	assert_int_equal(nbp_decode_header(reg_wire, 11, &h),
			 TWERR_TOO_SHORT);
	assert_int_equal(h.trn_id, 0);
	assert_int_equal(nbp_decode_header(NULL, 12, &h), TWERR_TOO_SHORT);
	assert_int_equal(nbp_decode_header(reg_wire, 12, &h), TWERR_OK);
	assert_int_equal(h.trn_id, 0x1234);
	assert_int_equal(h.flags, 0x2900);
	assert_int_equal(nbp_opcode(&h), NBP_OP_REGISTER);
	assert_false(nbp_is_response(&h));
	assert_int_equal(h.qdcount, 1);
	assert_int_equal(h.ancount, 0);
	assert_int_equal(h.nscount, 0);
	assert_int_equal(h.arcount, 1);
	assert_null(h.questions);

	assert_int_equal(nbp_decode_header(negative_wire, 12, &h), TWERR_OK);
	assert_true(nbp_is_response(&h));
	assert_int_equal(nbp_rcode(&h), NBP_RCODE_NAM);
}

/* ---- decode ---- */

static void test_decode_registration(void **state)
{
	struct nbp_packet *p = NULL;
	struct nbn_name fred = {};

	make_fred(&fred);
	assert_int_equal(decode_copy(*state, reg_wire, sizeof(reg_wire), &p),
			 TWERR_OK);
	assert_int_equal(p->trn_id, 0x1234);
	assert_int_equal(p->qdcount, 1);
	assert_int_equal(p->arcount, 1);
	assert_null(p->answers);
	assert_null(p->authority);
	assert_true(nbn_equal(&p->questions[0].name, &fred));
	assert_int_equal(p->questions[0].qtype, NBP_TYPE_NB);
	assert_int_equal(p->questions[0].qclass, NBP_CLASS_IN);
	assert_true(nbn_equal(&p->additional[0].name, &fred));
	assert_int_equal(p->additional[0].rr_type, NBP_TYPE_NB);
	assert_int_equal(p->additional[0].rr_class, NBP_CLASS_IN);
	assert_int_equal(p->additional[0].ttl, 300000);
	assert_int_equal(p->additional[0].rdlength, 6);
	assert_int_equal(p->additional[0].num_addrs, 1);
	assert_int_equal(p->additional[0].addrs[0].nb_flags, 0x6000);
	assert_int_equal(p->additional[0].addrs[0].ipv4, 0xc6120001u);
	assert_null(p->additional[0].rdata);
	assert_int_equal(p->trailing, 0);
	/* everything hangs off the packet */
	assert_ptr_equal(talloc_parent(p), *state);
	talloc_free(p);
}

/* MS04-006: counts are checked against the bytes before any allocation */
static void test_decode_counts(void **state)
{
	uint8_t buf[128];
	struct nbp_packet *p = NULL;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, query_wire, sizeof(query_wire));

	/* QD=65535 in a 50-byte query: refused, nothing allocated */
	buf[4] = 0xff;
	buf[5] = 0xff;
	assert_int_equal(nbp_decode(*state, buf, 50, &p), TWERR_BAD_COUNT);
	assert_null(p);
	assert_int_equal(talloc_total_blocks(*state), 1);

	/* AN, NS, AR = 65535 each */
	buf[4] = 0;
	buf[5] = 1;
	buf[6] = 0xff;
	buf[7] = 0xff;
	assert_int_equal(nbp_decode(*state, buf, 50, &p), TWERR_BAD_COUNT);
	buf[6] = 0;
	buf[7] = 0;
	buf[8] = 0xff;
	buf[9] = 0xff;
	assert_int_equal(nbp_decode(*state, buf, 50, &p), TWERR_BAD_COUNT);
	buf[8] = 0;
	buf[9] = 0;
	buf[10] = 0xff;
	buf[11] = 0xff;
	assert_int_equal(nbp_decode(*state, buf, 50, &p), TWERR_BAD_COUNT);
	assert_int_equal(talloc_total_blocks(*state), 1);

	/*
	 * The exact minimum: one question needs 38 bytes (the first name
	 * cannot be a pointer).  37 -> count error; 38 -> decoded.
	 */
	buf[10] = 0;
	buf[11] = 0;
	assert_int_equal(nbp_decode(*state, buf, 49, &p), TWERR_BAD_COUNT);
	assert_int_equal(decode_copy(*state, buf, 50, &p), TWERR_OK);
	talloc_free(p);

	/* QD=1, AR=1: 38 + 12 = 50 bytes after the header at least */
	buf[11] = 1;
	assert_int_equal(nbp_decode(*state, buf, 61, &p), TWERR_BAD_COUNT);
	/* 62 bytes pass the count check and fail inside the RR instead */
	assert_int_equal(decode_copy(*state, buf, 62, &p), TWERR_BAD_NAME);

	/* only an RR (QD=0, AN=1): 44 bytes after the header */
	buf[4] = 0;
	buf[5] = 0;
	buf[7] = 1;
	buf[11] = 0;
	assert_int_equal(nbp_decode(*state, buf, 55, &p), TWERR_BAD_COUNT);
	/* 56: FRED at 12, then the old type/class/zeros make a whole RR */
	assert_int_equal(decode_copy(*state, buf, 56, &p), TWERR_OK);
	assert_int_equal(p->answers[0].rr_type, NBP_TYPE_NB);
	assert_int_equal(p->answers[0].rdlength, 0);
	talloc_free(p);
	assert_int_equal(talloc_total_blocks(*state), 1);
}

static void test_decode_cap(void **state)
{
	uint8_t *buf = talloc_zero_array(*state, uint8_t, 600);
	struct nbp_packet *p = NULL;
	size_t i;

	assert_non_null(buf);
	memcpy(buf, query_wire, sizeof(query_wire));
	for (i = 0; i < 64; i++) {
		uint8_t *q = buf + 50 + 6 * i;

		q[0] = 0xc0;
		q[1] = 0x0c;
		q[2] = 0x00;
		q[3] = 0x20;
		q[4] = 0x00;
		q[5] = 0x01;
	}
	buf[5] = 64;
	assert_int_equal(decode_copy(*state, buf, 50 + 6 * 63, &p), TWERR_OK);
	assert_int_equal(p->qdcount, 64);
	assert_true(nbn_equal(&p->questions[63].name, &p->questions[0].name));
	talloc_free(p);
	buf[5] = 65;
	assert_int_equal(nbp_decode(*state, buf, 50 + 6 * 64, &p),
			 TWERR_BAD_VALUE);
	assert_null(p);
	talloc_free(buf);
}

/* RDATA: NB entries only for a non-zero multiple of 6, else raw bytes */
static void test_decode_rdata(void **state)
{
	uint8_t *buf = talloc_zero_array(*state, uint8_t, 700);
	struct nbp_packet *p = NULL;
	struct nbp_rr *rr = NULL;
	size_t i;

	assert_non_null(buf);
	memcpy(buf, reg_wire, sizeof(reg_wire));

	/* two entries */
	buf[61] = 12;
	buf[68] = 0x80;
	buf[69] = 0x00;
	buf[70] = 198;
	buf[71] = 19;
	buf[72] = 255;
	buf[73] = 254;
	assert_int_equal(decode_copy(*state, buf, 74, &p), TWERR_OK);
	rr = &p->additional[0];
	assert_int_equal(rr->num_addrs, 2);
	assert_int_equal(rr->addrs[1].nb_flags, 0x8000);
	assert_int_equal(rr->addrs[1].ipv4, 0xc613fffeu);
	assert_null(rr->rdata);
	talloc_free(p);

	/* 1..5 and 7: raw, no entries (Samba SA-7b allocated 0 of them) */
	for (i = 1; i <= 7; i++) {
		if (i == 6) {
			continue;
		}
		buf[61] = (uint8_t)i;
		assert_int_equal(decode_copy(*state, buf, 62 + i, &p),
				 TWERR_OK);
		rr = &p->additional[0];
		assert_int_equal(rr->num_addrs, 0);
		assert_null(rr->addrs);
		assert_non_null(rr->rdata);
		assert_int_equal(rr->rdlength, i);
		assert_memory_equal(rr->rdata, buf + 62, i);
		assert_int_equal(p->trailing, 0);
		talloc_free(p);
	}

	/* 0: nothing at all */
	buf[61] = 0;
	assert_int_equal(decode_copy(*state, buf, 62, &p), TWERR_OK);
	assert_null(p->additional[0].addrs);
	assert_null(p->additional[0].rdata);
	talloc_free(p);

	/* a NULL record with 6 bytes stays raw */
	buf[53] = 0x0a;
	buf[61] = 6;
	assert_int_equal(decode_copy(*state, buf, 68, &p), TWERR_OK);
	assert_int_equal(p->additional[0].num_addrs, 0);
	assert_non_null(p->additional[0].rdata);
	talloc_free(p);

	/* 97 NB entries (582 bytes) exceed NBP_MAX_NB_ADDRS: raw */
	buf[53] = 0x20;
	buf[60] = 582 >> 8;
	buf[61] = 582 & 0xff;
	assert_int_equal(decode_copy(*state, buf, 62 + 582, &p), TWERR_OK);
	assert_int_equal(p->additional[0].num_addrs, 0);
	assert_non_null(p->additional[0].rdata);
	talloc_free(p);
	/* 96 entries (576 bytes): decoded */
	buf[60] = 576 >> 8;
	buf[61] = 576 & 0xff;
	assert_int_equal(decode_copy(*state, buf, 62 + 576, &p), TWERR_OK);
	assert_int_equal(p->additional[0].num_addrs, NBP_MAX_NB_ADDRS);
	talloc_free(p);

	/* RDLENGTH one past the bytes present */
	buf[60] = 0;
	buf[61] = 7;
	assert_int_equal(decode_copy(*state, buf, 68, &p), TWERR_TRUNCATED);
	talloc_free(buf);
}

static void test_decode_trailing(void **state)
{
	uint8_t buf[80];
	struct nbp_packet *p = NULL;

	memset(buf, 0xee, sizeof(buf));
	memcpy(buf, reg_wire, sizeof(reg_wire));
	assert_int_equal(decode_copy(*state, buf, 69, &p), TWERR_OK);
	assert_int_equal(p->trailing, 1);
	talloc_free(p);
	assert_int_equal(decode_copy(*state, buf, 80, &p), TWERR_OK);
	assert_int_equal(p->trailing, 12);
	talloc_free(p);
}

/* Every cut of every literal is refused, with no leak and no over-read. */
static void test_decode_cuts(void **state)
{
	static const struct {
		const uint8_t *b;
		size_t len;
	} v[] = {
		{ reg_wire, sizeof(reg_wire) },
		{ query_wire, sizeof(query_wire) },
		{ wack_wire, sizeof(wack_wire) },
		{ negative_wire, sizeof(negative_wire) },
		{ nbstat_wire, sizeof(nbstat_wire) },
	};
	struct nbp_packet *p = NULL;
	size_t i;
	size_t cut;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(decode_copy(*state, v[i].b, v[i].len, &p),
				 TWERR_OK);
		assert_int_equal(p->trailing, 0);
		talloc_free(p);
		for (cut = 0; cut < v[i].len; cut++) {
			enum twerr err;

			err = decode_copy(*state, v[i].b, cut, &p);
			assert_true(twerr_is_peer(err));
		}
		assert_int_equal(talloc_total_blocks(*state), 1);
	}
}

/* ---- encode ---- */

static enum twerr encode(const struct nbp_packet *p, uint8_t *buf,
			 size_t cap, size_t *len)
{
	struct wwr w = {};
	enum twerr err;

	wwr_init(&w, buf, cap);
	err = nbp_encode(&w, p);
	*len = wwr_len(&w);
	return err;
}

static void test_encode_query(void **state)
{
	struct nbp_question q = { .qtype = NBP_TYPE_NB,
				  .qclass = NBP_CLASS_IN };
	struct nbp_packet p = {
		.trn_id = 0xabcd,
		.flags = NBP_FLAG_RD,
		.qdcount = 1,
		.questions = &q,
	};
	struct nbp_packet *d = NULL;
	uint8_t buf[NBP_UDP_MAX];
	size_t len = 0;

	make_fred(&q.name);
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_OK);
	assert_int_equal(len, sizeof(query_wire));
	assert_memory_equal(buf, query_wire, len);

	assert_int_equal(decode_copy(*state, buf, len, &d), TWERR_OK);
	assert_int_equal(d->trn_id, p.trn_id);
	assert_int_equal(d->flags, p.flags);
	assert_int_equal(d->qdcount, 1);
	assert_true(nbn_equal(&d->questions[0].name, &q.name));
	assert_int_equal(d->questions[0].qtype, NBP_TYPE_NB);
	talloc_free(d);
}

static void test_encode_registration(void **state)
{
	struct nbp_addr a = { .nb_flags = NBP_NB_ONT_H, .ipv4 = 0xc6120001u };
	struct nbp_question q = { .qtype = NBP_TYPE_NB,
				  .qclass = NBP_CLASS_IN };
	struct nbp_rr rr = {
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = 300000,
		.num_addrs = 1,
		.addrs = &a,
	};
	struct nbp_packet p = {
		.trn_id = 0x1234,
		.flags = 0x2900,
		.qdcount = 1,
		.arcount = 1,
		.questions = &q,
		.additional = &rr,
	};
	struct nbp_packet *d = NULL;
	uint8_t buf[NBP_UDP_MAX];
	size_t len = 0;

	make_fred(&q.name);
	make_fred(&rr.name);
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_OK);
	assert_int_equal(len, sizeof(reg_wire));
	assert_memory_equal(buf, reg_wire, len);	/* 0xC00C at 50 */

	assert_int_equal(decode_copy(*state, buf, len, &d), TWERR_OK);
	assert_true(nbn_equal(&d->additional[0].name, &q.name));
	assert_int_equal(d->additional[0].addrs[0].ipv4, a.ipv4);
	assert_int_equal(d->additional[0].addrs[0].nb_flags, a.nb_flags);
	assert_int_equal(d->additional[0].ttl, 300000);
	talloc_free(d);

	/* an RR name that differs is written in full (100 bytes) */
	assert_true(nbn_make(&rr.name, "FRED", 0x00, NULL));
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_OK);
	assert_int_equal(len, 100);
	assert_int_equal(buf[50], 0x20);
	assert_int_equal(decode_copy(*state, buf, len, &d), TWERR_OK);
	assert_true(nbn_equal(&d->additional[0].name, &rr.name));
	talloc_free(d);

	/* a scoped MH registration with the pointer */
	assert_true(nbn_make(&q.name, "HOST", 0x00, "corp.example"));
	rr.name = q.name;
	p.flags = 0x7900;
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_OK);
	assert_int_equal(len, 12 + 34 + 13 + 4 + 18);
	assert_int_equal(buf[63], 0xc0);
	assert_int_equal(buf[64], 0x0c);
	assert_int_equal(decode_copy(*state, buf, len, &d), TWERR_OK);
	assert_true(nbn_equal(&d->additional[0].name, &q.name));
	assert_string_equal(d->additional[0].name.scope, "corp.example");
	talloc_free(d);
}

/* The pointer is relative to the message, not to the writer's buffer. */
static void test_encode_after_prefix(void **state)
{
	struct nbp_addr a = { .ipv4 = 0xc6120001u };
	struct nbp_question q = { .qtype = NBP_TYPE_NB,
				  .qclass = NBP_CLASS_IN };
	struct nbp_rr rr = { .rr_type = NBP_TYPE_NB, .rr_class = NBP_CLASS_IN,
			     .num_addrs = 1, .addrs = &a };
	struct nbp_packet p = { .flags = 0x2900, .qdcount = 1, .arcount = 1,
				.questions = &q, .additional = &rr };
	struct nbp_packet *d = NULL;
	uint8_t buf[NBP_UDP_MAX + 2];
	struct wwr w = {};
	size_t off;

	make_fred(&q.name);
	rr.name = q.name;
	wwr_init(&w, buf, sizeof(buf));
	off = wwr_reserve(&w, 2);
	assert_int_equal(nbp_encode(&w, &p), TWERR_OK);
	wwr_put_be16_at(&w, off, (uint16_t)(wwr_len(&w) - 2));
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 68);
	assert_int_equal(buf[2 + 50], 0xc0);
	assert_int_equal(buf[2 + 51], 0x0c);
	assert_int_equal(decode_copy(*state, buf + 2, 68, &d), TWERR_OK);
	talloc_free(d);
}

static void test_encode_wack(void **state)
{
	struct nbp_rr rr = {
		.ttl = 9,
		.is_wack = true,
		.wack_flags = 0x2900,
		/* ignored for a WACK: the type on the wire is always NB */
		.rr_type = NBP_TYPE_NULL,
	};
	struct nbp_packet p = {
		.trn_id = 0x1234,
		.flags = NBP_FLAG_RESPONSE | (NBP_OP_WACK << NBP_OPCODE_SHIFT) |
			 NBP_FLAG_AA,
		.ancount = 1,
		.answers = &rr,
	};
	struct nbp_packet *d = NULL;
	uint8_t buf[NBP_UDP_MAX];
	size_t len = 0;

	make_fred(&rr.name);
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_OK);
	assert_int_equal(len, sizeof(wack_wire));
	assert_memory_equal(buf, wack_wire, len);

	assert_int_equal(decode_copy(*state, buf, len, &d), TWERR_OK);
	assert_int_equal(nbp_opcode(d), NBP_OP_WACK);
	assert_int_equal(d->answers[0].rr_type, NBP_TYPE_NB);
	assert_int_equal(d->answers[0].rdlength, 2);
	assert_int_equal(d->answers[0].ttl, 9);
	assert_non_null(d->answers[0].rdata);
	assert_int_equal(d->answers[0].rdata[0], 0x29);
	assert_int_equal(d->answers[0].rdata[1], 0x00);
	talloc_free(d);
}

static void test_encode_negative(void **state)
{
	struct nbp_rr rr = {
		.rr_type = NBP_TYPE_NULL,
		.rr_class = NBP_CLASS_IN,
	};
	struct nbp_packet p = {
		.trn_id = 0xabcd,
		.flags = 0x8583,
		.ancount = 1,
		.answers = &rr,
	};
	struct nbp_packet *d = NULL;
	uint8_t buf[NBP_UDP_MAX];
	size_t len = 0;

	make_fred(&rr.name);
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_OK);
	assert_int_equal(len, sizeof(negative_wire));
	assert_memory_equal(buf, negative_wire, len);

	assert_int_equal(decode_copy(*state, buf, len, &d), TWERR_OK);
	assert_int_equal(nbp_rcode(d), NBP_RCODE_NAM);
	assert_int_equal(d->answers[0].rr_type, NBP_TYPE_NULL);
	assert_int_equal(d->answers[0].rdlength, 0);
	assert_int_equal(d->answers[0].ttl, 0);
	assert_true(nbn_equal(&d->answers[0].name, &rr.name));
	talloc_free(d);
}

static void test_encode_nbstat(void **state)
{
	struct nbp_nbstat_name names[1] = {
		{ .flags = NBP_NAME_ACT },
	};
	struct nbp_nbstat st = {
		.num_names = 1,
		.names = names,
		.unit_id = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 },
	};
	struct nbp_rr rr = {
		.rr_type = NBP_TYPE_NBSTAT,
		.rr_class = NBP_CLASS_IN,
		.nbstat = &st,
	};
	struct nbp_packet p = {
		.trn_id = 0x5566,
		.flags = 0x8400,
		.ancount = 1,
		.answers = &rr,
	};
	struct nbp_packet *d = NULL;
	uint8_t buf[NBP_UDP_MAX];
	size_t len = 0;

	memcpy(names[0].raw, "FRED           \x20", 16);
	assert_true(nbn_make(&rr.name, "*", 0x00, NULL));
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_OK);
	assert_int_equal(len, sizeof(nbstat_wire));
	assert_memory_equal(buf, nbstat_wire, len);

	/* decoded as raw RDATA of 1 + 18 + 46 bytes */
	assert_int_equal(decode_copy(*state, buf, len, &d), TWERR_OK);
	assert_int_equal(d->answers[0].rr_type, NBP_TYPE_NBSTAT);
	assert_int_equal(d->answers[0].rdlength, 65);
	assert_memory_equal(d->answers[0].rdata, nbstat_wire + 56, 65);
	talloc_free(d);

	/* zero names: 1 + 46 bytes */
	st.num_names = 0;
	st.names = NULL;
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_OK);
	assert_int_equal(len, 56 + 47);
	assert_int_equal(buf[55], 47);
}

/* Every capacity below the message size fails; nothing is written past. */
static void test_encode_capacity(void **state)
{
	struct nbp_addr a = { .nb_flags = NBP_NB_ONT_H, .ipv4 = 0xc6120001u };
	struct nbp_question q = { .qtype = NBP_TYPE_NB,
				  .qclass = NBP_CLASS_IN };
	struct nbp_rr rr = { .rr_type = NBP_TYPE_NB, .rr_class = NBP_CLASS_IN,
			     .ttl = 300000, .num_addrs = 1, .addrs = &a };
	struct nbp_packet p = { .trn_id = 0x1234, .flags = 0x2900,
				.qdcount = 1, .arcount = 1, .questions = &q,
				.additional = &rr };
	uint8_t buf[80];
	size_t cap;
	size_t len = 0;

	(void)state;
	make_fred(&q.name);
	rr.name = q.name;
	for (cap = 0; cap < sizeof(reg_wire); cap++) {
		memset(buf, 0xaa, sizeof(buf));
		assert_int_equal(encode(&p, buf, cap, &len), TWERR_NOSPACE);
		assert_true(len <= cap);
		assert_int_equal(buf[cap], 0xaa);
	}
	assert_int_equal(encode(&p, buf, sizeof(reg_wire), &len), TWERR_OK);
	assert_int_equal(len, sizeof(reg_wire));

	/* a writer that already failed stays failed */
	{
		struct wwr w = {};

		wwr_init(&w, buf, sizeof(buf));
		wwr_fail(&w, TWERR_NOSPACE);
		assert_int_equal(nbp_encode(&w, &p), TWERR_NOSPACE);
		assert_int_equal(wwr_len(&w), 0);
	}
}

/* Inconsistent structs are programmer errors, reported, never followed. */
static void test_encode_internal(void **state)
{
	struct nbp_addr a = { .ipv4 = 1 };
	struct nbp_question q = { .qtype = NBP_TYPE_NB,
				  .qclass = NBP_CLASS_IN };
	struct nbp_rr rr = { .rr_type = NBP_TYPE_NULL,
			     .rr_class = NBP_CLASS_IN, .rdlength = 3 };
	struct nbp_packet p = { .qdcount = 1 };
	uint8_t buf[NBP_UDP_MAX];
	size_t len = 0;

	(void)state;
	make_fred(&q.name);
	make_fred(&rr.name);
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_INTERNAL);
	assert_int_equal(len, 0);

	p = (struct nbp_packet) { .ancount = 1 };
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_INTERNAL);
	p = (struct nbp_packet) { .nscount = 1 };
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_INTERNAL);
	p = (struct nbp_packet) { .arcount = 1 };
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_INTERNAL);

	/* RDLENGTH 3 without RDATA */
	p = (struct nbp_packet) { .ancount = 1, .answers = &rr };
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_INTERNAL);

	/* NB with more entries than RDLENGTH can express */
	rr = (struct nbp_rr) { .rr_type = NBP_TYPE_NB, .num_addrs = 10923,
			       .addrs = &a };
	make_fred(&rr.name);
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_INTERNAL);
	rr.num_addrs = 1;
	rr.addrs = NULL;
	assert_int_equal(encode(&p, buf, sizeof(buf), &len), TWERR_INTERNAL);

	/* NBSTAT with names missing */
	{
		struct nbp_nbstat st = { .num_names = 2 };

		rr = (struct nbp_rr) { .rr_type = NBP_TYPE_NBSTAT,
				       .nbstat = &st };
		make_fred(&rr.name);
		assert_int_equal(encode(&p, buf, sizeof(buf), &len),
				 TWERR_INTERNAL);
	}
}

/* MS03-034: no output byte may depend on what the buffer held before. */
static void test_encode_deterministic(void **state)
{
	struct nbp_nbstat_name names[3] = {};
	struct nbp_nbstat st = { .num_names = 3, .names = names };
	struct nbp_rr rr[2] = {
		{ .rr_type = NBP_TYPE_NBSTAT, .rr_class = NBP_CLASS_IN,
		  .nbstat = &st },
		{ .is_wack = true, .ttl = 105, .wack_flags = 0x2900 },
	};
	struct nbp_packet p = { .flags = 0x8400, .ancount = 2, .answers = rr };
	uint8_t a[NBP_UDP_MAX];
	uint8_t b[NBP_UDP_MAX];
	size_t la = 0;
	size_t lb = 0;

	(void)state;
	assert_true(nbn_make(&rr[0].name, "*", 0, NULL));
	assert_true(nbn_make(&rr[1].name, "X", 0, "s.t"));
	memset(a, 0x00, sizeof(a));
	memset(b, 0xff, sizeof(b));
	assert_int_equal(encode(&p, a, sizeof(a), &la), TWERR_OK);
	assert_int_equal(encode(&p, b, sizeof(b), &lb), TWERR_OK);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_registration,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_counts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_decode_cap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_decode_rdata, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_decode_trailing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_decode_cuts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_query, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_registration,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_encode_after_prefix,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_encode_wack, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_negative, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_nbstat, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_capacity, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_internal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_deterministic,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
