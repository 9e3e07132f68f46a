/*
 * tdbwins — unit tests for the WINS replication codec (source/wire/wrepl.c).
 *
 * Round trips for every message type and opcode, literal wire vectors
 * (padding for Name Length 17/19/20/252/255, the 0x1B swap, the W2K+ start
 * body), deterministic encoding, encoder refusals, truncation at every
 * length, counts near 2^32/24 and 2^32/48, and leak checks.
 *
 * twbuild-needs: source/wire/wrepl.c
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <talloc.h>

#include "wire/wrepl.h"

#define O1 0xC6120101u		/* 198.18.1.1 */
#define O2 0xC6120102u
#define A1 0xC6120201u
#define A2 0xC6120202u

/* ------------------------------------------------------------------ */
/* fixtures                                                            */
/* ------------------------------------------------------------------ */

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

	/* everything a test allocated must be gone by now */
	assert_int_equal(talloc_total_blocks(ctx), 1);
	talloc_free(ctx);
	return 0;
}

/* ------------------------------------------------------------------ */
/* helpers                                                             */
/* ------------------------------------------------------------------ */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* 15 bytes space padded + suffix, optional dotted scope */
static void make_name(struct nbn_name *n, const char *name, uint8_t suffix,
		      const char *scope)
{
	size_t len = strlen(name);

	memset(n, 0, sizeof(*n));
	memset(n->raw, ' ', 15);
	memcpy(n->raw, name, len);
	n->raw[15] = suffix;
	if (scope != NULL) {
		len = strlen(scope);
		memcpy(n->scope, scope, len);
		n->scope_len = (uint8_t)len;
	}
}

/* a scope of exactly n bytes made of 63-byte labels of 'x' */
static void make_scope(char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		buf[i] = ((i % 64) == 63) ? '.' : 'x';
	}
	/* never end on a dot */
	if (n > 0 && buf[n - 1] == '.') {
		buf[n - 1] = 'y';
	}
	buf[n] = '\0';
}

/* Encode into a new buffer (whole PDU with the Packet Length). */
static uint8_t *enc(TALLOC_CTX *ctx, const struct wrw_packet *p, size_t *len)
{
	uint8_t *buf = NULL;
	enum twerr err;

	err = wrw_encode_alloc(ctx, p, &buf, len);
	assert_int_equal(err, TWERR_OK);
	assert_non_null(buf);
	assert_int_equal(get_be32(buf), *len - 4);
	return buf;
}

/* Decode the body of a whole PDU; the body is copied to an exact-size
 * heap buffer so that valgrind sees any read past its end. */
static enum twerr dec_body(TALLOC_CTX *ctx, const uint8_t *body, size_t len,
			   struct wrw_packet **pkt, enum wrw_fault *fault)
{
	uint8_t *copy = talloc_memdup(ctx, body, len == 0 ? 1 : len);
	enum twerr err;

	assert_non_null(copy);
	err = wrw_decode_ex(ctx, copy, len, NULL, pkt, fault);
	talloc_free(copy);
	return err;
}

static struct wrw_packet *dec_ok(TALLOC_CTX *ctx, const uint8_t *pdu,
				 size_t len)
{
	struct wrw_packet *pkt = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	enum twerr err;

	assert_true(len >= 4);
	assert_int_equal(get_be32(pdu), len - 4);
	err = dec_body(ctx, pdu + 4, len - 4, &pkt, &fault);
	if (err != TWERR_OK) {
		print_error("decode failed: %s (%s)\n", twerr_str(err),
			    wrw_fault_str(fault));
	}
	assert_int_equal(err, TWERR_OK);
	assert_non_null(pkt);
	return pkt;
}

static void assert_same_name(const struct nbn_name *a,
			     const struct nbn_name *b)
{
	assert_memory_equal(a->raw, b->raw, NBN_RAW_LEN);
	assert_int_equal(a->scope_len, b->scope_len);
	assert_memory_equal(a->scope, b->scope, a->scope_len);
	assert_int_equal(b->scope[b->scope_len], 0);
}

static void assert_same_record(const struct wrw_record *a,
			       const struct wrw_record *b)
{
	uint8_t i;

	assert_same_name(&a->name, &b->name);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->node, b->node);
	assert_int_equal(a->replica, b->replica);
	assert_int_equal(a->is_static, b->is_static);
	assert_int_equal(a->version, b->version);
	/* the group word always follows the entry type on send */
	assert_int_equal(b->is_group,
			 a->type == WREC_GROUP || a->type == WREC_SGROUP);
	if ((a->type & 2) == 0) {
		assert_int_equal(a->ip, b->ip);
		assert_int_equal(b->num_addrs, 0);
		return;
	}
	assert_int_equal(a->num_addrs, b->num_addrs);
	for (i = 0; i < a->num_addrs; i++) {
		assert_int_equal(a->addrs[i].owner, b->addrs[i].owner);
		assert_int_equal(a->addrs[i].ip, b->addrs[i].ip);
	}
}

/* encode -> decode -> compare header -> re-encode byte-identical */
static struct wrw_packet *round_trip(TALLOC_CTX *ctx,
				     const struct wrw_packet *p,
				     uint8_t **wire, size_t *wire_len)
{
	struct wrw_packet *q = NULL;
	uint8_t *again = NULL;
	size_t len2 = 0;

	*wire = enc(ctx, p, wire_len);
	assert_int_equal(*wire_len, wrw_encoded_len(p));
	q = dec_ok(ctx, *wire, *wire_len);
	assert_int_equal(q->mess_type, p->mess_type);
	assert_int_equal(q->assoc_handle, p->assoc_handle);
	assert_int_equal(q->opcode_word, WRW_OPCODE_BITS);
	assert_int_equal(q->notes, 0);
	assert_int_equal(q->body_len, *wire_len - 4);
	if (p->mess_type == WRW_REPLICATION) {
		assert_int_equal(q->opcode, p->opcode);
	}
	again = enc(ctx, q, &len2);
	assert_int_equal(len2, *wire_len);
	assert_memory_equal(again, *wire, len2);
	talloc_free(again);
	return q;
}

static struct wrw_record unique_rec(const char *name, uint8_t suffix,
				    uint64_t version, uint32_t ip)
{
	struct wrw_record r = {
		.type = WREC_UNIQUE,
		.state = WREC_ACTIVE,
		.node = WREC_NODE_H,
		.version = version,
		.ip = ip,
	};

	make_name(&r.name, name, suffix, NULL);
	return r;
}

/* ------------------------------------------------------------------ */
/* association messages                                                */
/* ------------------------------------------------------------------ */

static void test_start_request_literal(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_packet p = {
		.mess_type = WRW_START_REQUEST,
		.start = { .handle = 0xA1B2C3D4, .major = 2, .minor = 5 },
	};
	/* PROTOCOL.md 3.2: HH HH HH HH 00 02 00 05 + 21 zero bytes */
	static const uint8_t want[] = {
		0, 0, 0, 41,
		0x00, 0x00, 0x78, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
		0xA1, 0xB2, 0xC3, 0xD4, 0x00, 0x02, 0x00, 0x05,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0,
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	q = round_trip(ctx, &p, &wire, &len);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(wire, want, sizeof(want));
	assert_int_equal(q->start.handle, 0xA1B2C3D4);
	assert_int_equal(q->start.major, 2);
	assert_int_equal(q->start.minor, 5);
	assert_int_equal(q->assoc_handle, 0);
	talloc_free(q);
	talloc_free(wire);
}

static void test_start_response_round_trip(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_packet p = {
		.mess_type = WRW_START_RESPONSE,
		.assoc_handle = 0x0C0FFEE1,
		.start = { .handle = 0x5EED0001, .major = 2, .minor = 1 },
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	q = round_trip(ctx, &p, &wire, &len);
	assert_int_equal(len, 4 + WRW_START_LEN);
	assert_int_equal(get_be32(wire + 12), WRW_START_RESPONSE);
	assert_int_equal(q->start.handle, 0x5EED0001);
	assert_int_equal(q->start.minor, 1);
	talloc_free(q);
	talloc_free(wire);
}

/* Start bodies of 20..64 bytes are taken; the fields are decoded. */
static void test_start_lengths(void **state)
{
	TALLOC_CTX *ctx = *state;
	uint8_t body[80] = {};
	struct wrw_packet *q = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	enum twerr err;
	size_t len;

	put_be32(body, WRW_OPCODE_BITS);
	put_be32(body + 8, WRW_START_REQUEST);
	put_be32(body + 12, 0x11223344);
	body[17] = 2;
	body[19] = 5;
	/* junk where Windows leaves its pad uninitialised */
	memset(body + 20, 0xEE, sizeof(body) - 20);

	for (len = 0; len < sizeof(body); len++) {
		err = dec_body(ctx, body, len, &q, &fault);
		if (len >= WRW_START_MIN && len <= WRW_START_MAX) {
			assert_int_equal(err, TWERR_OK);
			assert_int_equal(q->start.handle, 0x11223344);
			assert_int_equal(q->start.major, 2);
			assert_int_equal(q->start.minor, 5);
			assert_int_equal((q->notes & WRW_NOTE_START_LEN) != 0,
					 len != WRW_START_LEN);
			TALLOC_FREE(q);
			continue;
		}
		assert_int_not_equal(err, TWERR_OK);
		assert_null(q);
		assert_int_equal(fault, WRW_F_LENGTH);
	}
}

static void test_start_major(void **state)
{
	TALLOC_CTX *ctx = *state;
	uint8_t body[41] = {};
	static const uint16_t majors[] = { 0, 1, 3, 5, 0x0200, 0xFFFF };
	static const uint16_t minors[] = { 0, 1, 2, 5, 6, 0xFFFF };
	struct wrw_packet *q = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	enum twerr err;
	size_t i;

	put_be32(body, WRW_OPCODE_BITS);
	for (i = 0; i < sizeof(majors) / sizeof(majors[0]); i++) {
		body[16] = (uint8_t)(majors[i] >> 8);
		body[17] = (uint8_t)majors[i];
		body[19] = 5;
		err = dec_body(ctx, body, sizeof(body), &q, &fault);
		assert_int_equal(err, TWERR_BAD_VALUE);
		assert_int_equal(fault, WRW_F_VERSION);
		assert_null(q);
	}
	body[16] = 0;
	body[17] = 2;
	for (i = 0; i < sizeof(minors) / sizeof(minors[0]); i++) {
		body[18] = (uint8_t)(minors[i] >> 8);
		body[19] = (uint8_t)minors[i];
		err = dec_body(ctx, body, sizeof(body), &q, &fault);
		assert_int_equal(err, TWERR_OK);
		assert_int_equal(q->start.minor, minors[i]);
		TALLOC_FREE(q);
	}
}

static void test_stop(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_packet p = {
		.mess_type = WRW_STOP_REQUEST,
		.assoc_handle = 0x0C0FFEE1,
		.stop = { .reason = WRW_STOP_ERROR },
	};
	uint8_t body[70];
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	enum twerr err;
	size_t len = 0;
	size_t i;

	q = round_trip(ctx, &p, &wire, &len);
	/* 40 bytes: reason + 24 zero bytes, never uninitialised memory */
	assert_int_equal(len, 4 + WRW_STOP_LEN);
	assert_int_equal(get_be32(wire + 16), WRW_STOP_ERROR);
	for (i = 20; i < len; i++) {
		assert_int_equal(wire[i], 0);
	}
	assert_int_equal(q->stop.reason, WRW_STOP_ERROR);
	TALLOC_FREE(q);

	/* the pad is ignored on receive, whatever it holds, 16..64 bytes */
	memset(body, 0xAB, sizeof(body));
	memcpy(body, wire + 4, 16);
	for (len = 0; len < sizeof(body); len++) {
		err = dec_body(ctx, body, len, &q, &fault);
		if (len >= WRW_STOP_MIN && len <= WRW_STOP_MAX) {
			assert_int_equal(err, TWERR_OK);
			assert_int_equal(q->stop.reason, WRW_STOP_ERROR);
			assert_int_equal((q->notes & WRW_NOTE_STOP_LEN) != 0,
					 len != WRW_STOP_LEN);
			TALLOC_FREE(q);
			continue;
		}
		assert_int_not_equal(err, TWERR_OK);
		assert_int_equal(fault, WRW_F_LENGTH);
	}
	talloc_free(wire);
}

/* ------------------------------------------------------------------ */
/* replication messages                                                */
/* ------------------------------------------------------------------ */

static void test_map_request(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.assoc_handle = 7,
		.opcode = WRW_OP_MAP_REQUEST,
	};
	static const uint8_t want[] = {
		0, 0, 0, 16, 0, 0, 0x78, 0, 0, 0, 0, 7, 0, 0, 0, 3,
		0, 0, 0, 0,
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	q = round_trip(ctx, &p, &wire, &len);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(wire, want, sizeof(want));
	talloc_free(q);
	talloc_free(wire);
}

static void test_map_response(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_owner owners[3] = {
		{ .addr = O1, .max_version = 0x123456789AULL, .min_version = 1,
		  .type = 77 },
		{ .addr = O2, .max_version = 5, .min_version = 0 },
		{ .addr = A1, .max_version = UINT64_MAX,
		  .min_version = UINT64_MAX - 1 },
	};
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_MAP_RESPONSE,
		.table = { .num_owners = 3, .owners = owners,
			   .initiator = 0xDEADBEEF },
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	uint32_t i;

	q = round_trip(ctx, &p, &wire, &len);
	assert_int_equal(len, 4 + WRW_TABLE_BASE_LEN + 3 * WRW_OWNER_LEN);
	assert_int_equal(q->table.num_owners, 3);
	for (i = 0; i < 3; i++) {
		const uint8_t *o = wire + 24 + i * WRW_OWNER_LEN;

		assert_int_equal(q->table.owners[i].addr, owners[i].addr);
		assert_true(q->table.owners[i].max_version ==
			    owners[i].max_version);
		assert_true(q->table.owners[i].min_version ==
			    owners[i].min_version);
		/* the owner "type" is always sent as 1 */
		assert_int_equal(get_be32(o + 20), 1);
		assert_int_equal(q->table.owners[i].type, 1);
	}
	/* Reserved2 is sent as 0 whatever the struct holds */
	assert_int_equal(get_be32(wire + len - 4), 0);
	assert_int_equal(q->table.initiator, 0);
	assert_true(talloc_parent(q->table.owners) == q);
	talloc_free(q);
	talloc_free(wire);

	/* and an empty table */
	p.table.num_owners = 0;
	p.table.owners = NULL;
	q = round_trip(ctx, &p, &wire, &len);
	assert_int_equal(len, 4 + WRW_TABLE_BASE_LEN);
	assert_int_equal(q->table.num_owners, 0);
	assert_null(q->table.owners);
	talloc_free(q);
	talloc_free(wire);
}

static void test_notifications(void **state)
{
	TALLOC_CTX *ctx = *state;
	static const enum wrw_opcode ops[] = {
		WRW_OP_UPDATE, WRW_OP_UPDATE2, WRW_OP_INFORM, WRW_OP_INFORM2,
	};
	struct wrw_owner owners[2] = {
		{ .addr = O1, .max_version = 100, .min_version = 1 },
		{ .addr = O2, .max_version = 200, .min_version = 1 },
	};
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.table = { .num_owners = 2, .owners = owners,
			   .initiator = O2 },
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		p.opcode = ops[i];
		assert_true(wrw_opcode_has_table(ops[i]));
		q = round_trip(ctx, &p, &wire, &len);
		assert_int_equal(len, 4 + 24 + 2 * 24);
		assert_int_equal(wire[19], ops[i]);
		assert_int_equal(q->table.initiator, O2);
		assert_int_equal(q->table.owners[1].addr, O2);
		assert_true(q->table.owners[1].max_version == 200);
		TALLOC_FREE(q);
		TALLOC_FREE(wire);
	}
}

static void test_names_request(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_REQUEST,
		.names_req = { .addr = O1, .max_version = 0x100000002ULL,
			       .min_version = 0x100000001ULL },
	};
	static const uint8_t want[] = {
		0, 0, 0, 40, 0, 0, 0x78, 0, 0, 0, 0, 0, 0, 0, 0, 3,
		0, 0, 0, 2,
		0xC6, 0x12, 0x01, 0x01, 0, 0, 0, 1, 0, 0, 0, 2,
		0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1,
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	q = round_trip(ctx, &p, &wire, &len);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(wire, want, sizeof(want));
	assert_int_equal(q->names_req.addr, O1);
	assert_true(q->names_req.max_version == 0x100000002ULL);
	assert_true(q->names_req.min_version == 0x100000001ULL);
	talloc_free(q);
	talloc_free(wire);
}

static void test_names_response_round_trip(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_addr_pair sg_addrs[3] = {
		{ .owner = O1, .ip = A1 },
		{ .owner = O2, .ip = A2 },
		{ .owner = O1, .ip = 0x0A000001 },
	};
	struct wrw_addr_pair mh_addrs[WRW_MAX_ADDRS];
	struct wrw_record recs[7];
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 7, .records = recs },
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	size_t i;

	for (i = 0; i < WRW_MAX_ADDRS; i++) {
		mh_addrs[i].owner = O2;
		mh_addrs[i].ip = 0xC6130000u + (uint32_t)i;
	}
	recs[0] = unique_rec("HOST1", 0x20, 1, A1);
	recs[1] = unique_rec("WORKGROUP", 0x00, 2, 0xFFFFFFFF);
	recs[1].type = WREC_GROUP;
	recs[1].node = WREC_NODE_B;
	recs[2] = unique_rec("DOMAIN", 0x1C, 3, 0);
	recs[2].type = WREC_SGROUP;
	recs[2].num_addrs = 3;
	recs[2].addrs = sg_addrs;
	recs[2].is_static = true;
	recs[3] = unique_rec("MULTI", 0x00, 0xFFFFFFFF00000001ULL, 0);
	recs[3].type = WREC_MHOMED;
	recs[3].num_addrs = WRW_MAX_ADDRS;
	recs[3].addrs = mh_addrs;
	recs[3].replica = true;
	recs[3].node = WREC_NODE_M;
	recs[4] = unique_rec("GONE", 0x03, UINT64_MAX, A2);
	recs[4].state = WREC_TOMBSTONE;
	recs[4].node = WREC_NODE_P;
	recs[5] = unique_rec("EMPTY", 0x1C, 9, 0);
	recs[5].type = WREC_SGROUP;
	recs[5].state = WREC_TOMBSTONE;
	recs[6] = unique_rec("SCOPED", 0x20, 10, A1);
	memcpy(recs[6].name.scope, "corp.example", 12);
	recs[6].name.scope_len = 12;

	q = round_trip(ctx, &p, &wire, &len);
	assert_int_equal(q->names.num_records, 7);
	for (i = 0; i < 7; i++) {
		assert_same_record(&recs[i], &q->names.records[i]);
	}
	assert_null(q->names.records[5].addrs);
	assert_int_equal(q->names.records[5].num_addrs, 0);
	/* everything hangs off the packet: one free releases it all */
	talloc_free(q);
	talloc_free(wire);
}

/*
 * Golden padding vectors (SECURITY.md OP-3): Name Length 17 -> 3,
 * 19 -> 1, 20 -> 4, 252 -> 4, 255 -> 1.  Encoded, then decoded.
 */
static void test_name_padding(void **state)
{
	TALLOC_CTX *ctx = *state;
	static const struct {
		size_t name_len;
		size_t pad;
	} cases[] = {
		{ 17, 3 }, { 18, 2 }, { 19, 1 }, { 20, 4 }, { 21, 3 },
		{ 252, 4 }, { 253, 3 }, { 254, 2 }, { 255, 1 },
	};
	struct wrw_record rec;
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 1, .records = &rec },
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	size_t i;
	size_t j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t nl = cases[i].name_len;
		const uint8_t *r = NULL;

		rec = unique_rec("PAD", 0x20, 42, A1);
		make_scope(rec.name.scope, nl - 17);
		rec.name.scope_len = (uint8_t)(nl - 17);

		wire = enc(ctx, &p, &len);
		/* 4 length + 16 header/opcode + 4 count */
		r = wire + 24;
		assert_int_equal(get_be32(r), nl);
		assert_int_equal(len, 24 + 4 + nl + cases[i].pad + 24);
		assert_int_equal(r[4 + nl - 1], 0);
		/* the pad bytes are zero and the flags word follows them */
		for (j = 0; j < cases[i].pad; j++) {
			assert_int_equal(r[4 + nl + j], 0);
		}
		assert_int_equal(get_be32(r + 4 + nl + cases[i].pad), 0x60);
		/* Reserved3 closes the record */
		assert_int_equal(get_be32(wire + len - 4), WRW_RESERVED3);

		q = dec_ok(ctx, wire, len);
		if (nl == 255) {
			/* 238 scope bytes are cut to 237 (Windows, Samba) */
			assert_int_equal(q->names.records[0].name.scope_len,
					 WRW_SCOPE_KEEP);
			rec.name.scope_len = WRW_SCOPE_KEEP;
			rec.name.scope[WRW_SCOPE_KEEP] = '\0';
		}
		assert_same_record(&rec, &q->names.records[0]);
		TALLOC_FREE(q);
		TALLOC_FREE(wire);
	}
}

/* The literal Name Length 17 record, byte by byte. */
static void test_record_literal(void **state)
{
	TALLOC_CTX *ctx = *state;
	static const uint8_t pdu[] = {
		0, 0, 0, 68, 0, 0, 0x78, 0, 0, 0, 0, 0, 0, 0, 0, 3,
		0, 0, 0, 3, 0, 0, 0, 1,
		/* Name Length 17, HOST1 + 10 spaces + 0x20, NUL, pad 3 */
		0, 0, 0, 17, 'H', 'O', 'S', 'T', '1', ' ', ' ', ' ', ' ',
		' ', ' ', ' ', ' ', ' ', ' ', 0x20, 0x00, 0, 0, 0,
		/* flags: static, H-node, replica, tombstone, unique */
		0, 0, 0, 0xF8,
		/* group LE 0 */
		0, 0, 0, 0,
		/* version 0x0000000100000002 */
		0, 0, 0, 1, 0, 0, 0, 2,
		/* address 198.18.2.1, Reserved3 */
		0xC6, 0x12, 0x02, 0x01, 0xFF, 0xFF, 0xFF, 0xFF,
	};
	struct wrw_packet *q = dec_ok(ctx, pdu, sizeof(pdu));
	const struct wrw_record *r = &q->names.records[0];
	uint8_t *wire = NULL;
	size_t len = 0;

	assert_int_equal(q->names.num_records, 1);
	assert_memory_equal(r->name.raw, "HOST1          \x20", 16);
	assert_int_equal(r->name.scope_len, 0);
	assert_int_equal(r->type, WREC_UNIQUE);
	assert_int_equal(r->state, WREC_TOMBSTONE);
	assert_int_equal(r->node, WREC_NODE_H);
	assert_true(r->replica);
	assert_true(r->is_static);
	assert_false(r->is_group);
	assert_true(r->version == 0x100000002ULL);
	assert_int_equal(r->ip, A1);
	assert_int_equal(q->notes, 0);

	/* and we send exactly these bytes back */
	wire = enc(ctx, q, &len);
	assert_int_equal(len, sizeof(pdu));
	assert_memory_equal(wire, pdu, sizeof(pdu));
	talloc_free(wire);
	talloc_free(q);
}

/*
 * PROTOCOL.md 3.3: Windows swaps bytes 0 and 15 of names with suffix 0x1B.
 * On the wire DOM<1b> reads 1B 'O' 'M' ... 'D'.
 */
static void test_1b_swap(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_record rec = unique_rec("DOM", 0x1B, 5, A1);
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 1, .records = &rec },
	};
	static const uint8_t wire_name[16] = {
		0x1B, 'O', 'M', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
		' ', ' ', ' ', 'D',
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	wire = enc(ctx, &p, &len);
	assert_memory_equal(wire + 28, wire_name, 16);
	q = dec_ok(ctx, wire, len);
	assert_memory_equal(q->names.records[0].name.raw, rec.name.raw, 16);
	assert_int_equal(nbn_suffix(&q->names.records[0].name), 0x1B);
	TALLOC_FREE(q);
	TALLOC_FREE(wire);

	/* a suffix other than 0x1B is never swapped */
	rec = unique_rec("DOM", 0x1C, 5, A1);
	wire = enc(ctx, &p, &len);
	assert_int_equal(wire[28], 'D');
	assert_int_equal(wire[43], 0x1C);
	q = dec_ok(ctx, wire, len);
	assert_memory_equal(q->names.records[0].name.raw, rec.name.raw, 16);
	TALLOC_FREE(q);
	TALLOC_FREE(wire);

	/*
	 * The quirk is not reversible for a name whose *first* byte is 0x1B
	 * and whose suffix is not: it is sent as is and the receiver (any
	 * Windows, Samba or us) swaps it.  Documented in docs/wire-wrepl.md.
	 */
	rec = unique_rec("\x1B" "X", 0x20, 5, A1);
	wire = enc(ctx, &p, &len);
	assert_int_equal(wire[28], 0x1B);
	assert_int_equal(wire[43], 0x20);
	q = dec_ok(ctx, wire, len);
	assert_int_equal(q->names.records[0].name.raw[0], 0x20);
	assert_int_equal(q->names.records[0].name.raw[15], 0x1B);
	TALLOC_FREE(q);
	TALLOC_FREE(wire);
}

/* Flags decomposition over every flags byte with a legal state. */
static void test_flags_every_value(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_record rec = unique_rec("F", 0x20, 1, A1);
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 1, .records = &rec },
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	enum twerr err;
	size_t len = 0;
	unsigned f;

	/* unique layout: rewrite the flags byte of a unique record */
	wire = enc(ctx, &p, &len);
	for (f = 0; f < 256; f++) {
		unsigned st = (f >> 2) & 3;

		if ((f & 2) != 0) {
			continue;	/* S/M layout differs */
		}
		wire[24 + 4 + 17 + 3 + 3] = (uint8_t)f;
		err = dec_body(ctx, wire + 4, len - 4, &q, &fault);
		if (st == 3) {
			assert_int_equal(err, TWERR_BAD_VALUE);
			assert_int_equal(fault, WRW_F_RECORD);
			assert_null(q);
			continue;
		}
		/* ET 1 with group word 0: tolerated, noted */
		assert_int_equal(err, TWERR_OK);
		assert_int_equal(q->names.records[0].type, f & 3);
		assert_int_equal(q->names.records[0].state, st);
		assert_int_equal(q->names.records[0].replica, (f & 0x10) != 0);
		assert_int_equal(q->names.records[0].node, (f >> 5) & 3);
		assert_int_equal(q->names.records[0].is_static,
				 (f & 0x80) != 0);
		assert_int_equal((q->notes & WRW_NOTE_GROUP) != 0,
				 (f & 3) == 1);
		/* released: decoded, noted (Samba sends them) */
		assert_int_equal((q->notes & WRW_NOTE_RELEASED) != 0,
				 st == 1);
		TALLOC_FREE(q);
	}
	TALLOC_FREE(wire);
}

/* Deterministic output: two encodes into garbage-filled buffers agree. */
static void test_encode_deterministic(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_record recs[2];
	struct wrw_addr_pair pairs[1] = { { .owner = O1, .ip = A1 } };
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.opcode_word = 0x12345678,	/* never sent */
		.notes = 0xFFFF,		/* decode-only */
		.names = { .num_records = 2, .records = recs },
	};
	static const enum wrw_mess_type types[] = {
		WRW_START_REQUEST, WRW_START_RESPONSE, WRW_STOP_REQUEST,
		WRW_REPLICATION,
	};
	uint8_t a[512];
	uint8_t b[512];
	struct wwr wa;
	struct wwr wb;
	size_t i;

	recs[0] = unique_rec("A", 0x20, 1, A1);
	recs[0].is_group = true;	/* ignored: ET decides */
	recs[1] = unique_rec("B", 0x1C, 2, 0x99999999);	/* ip unused */
	recs[1].type = WREC_SGROUP;
	recs[1].num_addrs = 1;
	recs[1].addrs = pairs;
	/* bytes after the scope's NUL inside the buffer must not leak */
	memset(recs[0].name.scope + 1, 'Z', sizeof(recs[0].name.scope) - 1);

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		p.mess_type = types[i];
		memset(a, 0x55, sizeof(a));
		memset(b, 0xAA, sizeof(b));
		wwr_init(&wa, a, sizeof(a));
		wwr_init(&wb, b, sizeof(b));
		assert_int_equal(wrw_encode(&wa, &p), TWERR_OK);
		assert_int_equal(wrw_encode(&wb, &p), TWERR_OK);
		assert_int_equal(wwr_len(&wa), wwr_len(&wb));
		assert_memory_equal(a, b, wwr_len(&wa));
		assert_int_equal(get_be32(a + 4), WRW_OPCODE_BITS);
	}
	/* the group word of record 0 follows ET 0, not is_group */
	assert_int_equal(a[24 + 4 + 17 + 3 + 4], 0);
	/* record 1 (S-group): group 1, count 1 + three zero bytes */
	assert_int_equal(a[24 + 48 + 4 + 17 + 3 + 4], 1);
	assert_int_equal(a[24 + 48 + 40], 1);
	assert_int_equal(a[24 + 48 + 41], 0);
	assert_int_equal(a[24 + 48 + 42], 0);
	assert_int_equal(a[24 + 48 + 43], 0);
	(void)ctx;
}

/* What must never be sent is refused; nothing is written past capacity. */
static void test_encode_refusals(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_record rec;
	struct wrw_addr_pair pairs[WRW_MAX_ADDRS + 1];
	struct wrw_owner owner = { .addr = O1, .max_version = 1 };
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 1, .records = &rec },
	};
	uint8_t buf[600];
	uint8_t *out = NULL;
	struct wwr w;
	size_t len = 0;
	size_t i;
	size_t cap;

	for (i = 0; i < WRW_MAX_ADDRS + 1; i++) {
		pairs[i].owner = O1;
		pairs[i].ip = 0xC6140000u + (uint32_t)i;
	}

#define REFUSED()                                                          \
	do {                                                               \
		assert_int_equal(wrw_encoded_len(&p), 0);                  \
		wwr_init(&w, buf, sizeof(buf));                            \
		assert_int_equal(wrw_encode(&w, &p), TWERR_BAD_VALUE);     \
		assert_int_equal(wwr_len(&w), 0);                          \
		assert_int_equal(wrw_encode_alloc(ctx, &p, &out, &len),    \
				 TWERR_BAD_VALUE);                         \
		assert_null(out);                                          \
	} while (0)

	rec = unique_rec("R", 0x20, 1, A1);
	rec.state = WREC_RELEASED;
	REFUSED();
	rec.state = (enum wrec_state)3;
	REFUSED();
	rec = unique_rec("R", 0x20, 0, A1);	/* version 0 */
	REFUSED();
	rec = unique_rec("R", 0x20, 1, 0);	/* unique at 0.0.0.0 */
	REFUSED();
	rec = unique_rec("R", 0x20, 1, 0x7F000001);
	REFUSED();
	rec = unique_rec("R", 0x20, 1, A1);
	rec.type = (enum wrec_type)4;
	REFUSED();
	rec = unique_rec("R", 0x20, 1, A1);
	rec.node = (enum wrec_node)4;
	REFUSED();
	rec = unique_rec("R", 0x1C, 1, 0);
	rec.type = WREC_SGROUP;
	rec.num_addrs = WRW_MAX_ADDRS + 1;
	rec.addrs = pairs;
	REFUSED();
	rec.num_addrs = 2;
	rec.addrs = NULL;
	REFUSED();
	rec.addrs = pairs;
	pairs[1].ip = pairs[0].ip;		/* duplicate member */
	REFUSED();
	pairs[1].ip = 0xE0000001;		/* multicast member */
	REFUSED();
	pairs[1].ip = 0xC6140001u;
	pairs[1].owner = 0;			/* owner 0.0.0.0 */
	REFUSED();
	pairs[1].owner = O1;
	rec = unique_rec("R", 0x20, 1, A1);
	make_scope(rec.name.scope, WRW_SCOPE_MAX + 1);	/* 239 */
	rec.name.scope_len = WRW_SCOPE_MAX + 1;
	REFUSED();
	rec.name.scope_len = 3;
	memcpy(rec.name.scope, "a\0b", 4);	/* NUL in the scope */
	REFUSED();
	memcpy(rec.name.scope, ".ab", 4);	/* empty label */
	REFUSED();
	p.names.records = NULL;
	REFUSED();

	p.opcode = WRW_OP_NAMES_REQUEST;
	p.names_req.addr = 0xFFFFFFFF;
	REFUSED();
	p.opcode = WRW_OP_INFORM;
	p.table.num_owners = 0;			/* notification without owner */
	p.table.initiator = O1;
	REFUSED();
	p.table.num_owners = 1;
	p.table.owners = NULL;
	REFUSED();
	p.table.owners = &owner;
	p.table.initiator = 0;			/* initiator 0.0.0.0 */
	REFUSED();
	owner.addr = 0;
	p.opcode = WRW_OP_MAP_RESPONSE;
	REFUSED();
	owner.addr = O1;
	p.opcode = (enum wrw_opcode)6;
	REFUSED();
	p.mess_type = (enum wrw_mess_type)4;
	REFUSED();
#undef REFUSED

	/* a too-small writer: NOSPACE at every capacity, canary intact */
	p.mess_type = WRW_REPLICATION;
	p.opcode = WRW_OP_MAP_RESPONSE;
	p.table.initiator = 0;
	len = wrw_encoded_len(&p);
	assert_int_equal(len, 4 + 24 + 24);
	for (cap = 0; cap < len; cap++) {
		memset(buf, 0xC3, sizeof(buf));
		wwr_init(&w, buf, cap);
		assert_int_equal(wrw_encode(&w, &p), TWERR_NOSPACE);
		assert_true(wwr_len(&w) <= cap);
		for (i = cap; i < sizeof(buf); i++) {
			assert_int_equal(buf[i], 0xC3);
		}
	}
	wwr_init(&w, buf, len);
	assert_int_equal(wrw_encode(&w, &p), TWERR_OK);
	assert_int_equal(wwr_len(&w), len);
}

/* ------------------------------------------------------------------ */
/* hostile input                                                       */
/* ------------------------------------------------------------------ */

/* Every proper prefix of a valid replication message is refused. */
static void test_truncation_every_length(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_addr_pair pairs[2] = {
		{ .owner = O1, .ip = A1 }, { .owner = O2, .ip = A2 },
	};
	struct wrw_record recs[3];
	struct wrw_owner owners[2] = {
		{ .addr = O1, .max_version = 9 },
		{ .addr = O2, .max_version = 8 },
	};
	struct wrw_packet msgs[4] = {
		{ .mess_type = WRW_REPLICATION,
		  .opcode = WRW_OP_NAMES_RESPONSE,
		  .names = { .num_records = 3, .records = recs } },
		{ .mess_type = WRW_REPLICATION, .opcode = WRW_OP_INFORM2,
		  .table = { .num_owners = 2, .owners = owners,
			     .initiator = O1 } },
		{ .mess_type = WRW_REPLICATION,
		  .opcode = WRW_OP_NAMES_REQUEST,
		  .names_req = { .addr = O1, .max_version = 3 } },
		{ .mess_type = WRW_REPLICATION,
		  .opcode = WRW_OP_MAP_REQUEST },
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	uint8_t *longer = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	enum twerr err;
	size_t len = 0;
	size_t cut;
	size_t m;

	recs[0] = unique_rec("T1", 0x20, 1, A1);
	recs[1] = unique_rec("T2", 0x1C, 2, 0);
	recs[1].type = WREC_SGROUP;
	recs[1].num_addrs = 2;
	recs[1].addrs = pairs;
	recs[2] = unique_rec("T3", 0x20, 3, A2);
	memcpy(recs[2].name.scope, "s.t", 3);
	recs[2].name.scope_len = 3;

	for (m = 0; m < sizeof(msgs) / sizeof(msgs[0]); m++) {
		wire = enc(ctx, &msgs[m], &len);
		for (cut = 0; cut < len - 4; cut++) {
			err = dec_body(ctx, wire + 4, cut, &q, &fault);
			assert_true(twerr_is_peer(err));
			assert_null(q);
			assert_int_not_equal(fault, WRW_F_NONE);
		}
		/* the whole message decodes */
		err = dec_body(ctx, wire + 4, len - 4, &q, &fault);
		assert_int_equal(err, TWERR_OK);
		TALLOC_FREE(q);
		/* one byte past the end is refused too (exact lengths) */
		longer = talloc_zero_array(ctx, uint8_t, len - 4 + 1);
		assert_non_null(longer);
		memcpy(longer, wire + 4, len - 4);
		err = dec_body(ctx, longer, len - 4 + 1, &q, &fault);
		assert_int_equal(err, TWERR_TRAILING);
		assert_int_equal(fault, WRW_F_LENGTH);
		TALLOC_FREE(longer);
		TALLOC_FREE(wire);
	}
}

/* Counts next to the values that make 24 n or 48 n wrap 32 bits. */
static void test_counts_near_wrap(void **state)
{
	TALLOC_CTX *ctx = *state;
	static const uint32_t owner_counts[] = {
		2, 0x0AAAAAAAu, 0x0AAAAAABu, 0x0AAAAAACu, 0x15555556u,
		0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu,
	};
	static const uint32_t record_counts[] = {
		2, 0x05555555u, 0x05555556u, 0x05555557u, 0x0AAAAAABu,
		0x80000000u, 0xFFFFFFFFu,
	};
	uint8_t body[16 + 4 + 48 + 8] = {};
	struct wrw_packet *q = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	enum twerr err;
	size_t i;

	/* map response with room for exactly one owner + final word */
	put_be32(body, WRW_OPCODE_BITS);
	put_be32(body + 8, WRW_REPLICATION);
	put_be32(body + 12, WRW_OP_MAP_RESPONSE);
	put_be32(body + 20, O1);
	put_be32(body + 40, 1);
	for (i = 0; i < sizeof(owner_counts) / sizeof(owner_counts[0]); i++) {
		put_be32(body + 16, owner_counts[i]);
		err = dec_body(ctx, body, 16 + 4 + 24 + 4, &q, &fault);
		assert_int_equal(err, TWERR_BAD_COUNT);
		assert_int_equal(fault, WRW_F_COUNT);
		assert_null(q);
	}
	put_be32(body + 16, 1);
	err = dec_body(ctx, body, 16 + 4 + 24 + 4, &q, &fault);
	assert_int_equal(err, TWERR_OK);
	TALLOC_FREE(q);

	/* name records response with room for one 48-byte record */
	memset(body, 0, sizeof(body));
	put_be32(body, WRW_OPCODE_BITS);
	put_be32(body + 8, WRW_REPLICATION);
	put_be32(body + 12, WRW_OP_NAMES_RESPONSE);
	put_be32(body + 20, 17);
	memcpy(body + 24, "REC            \x20", 16);
	put_be32(body + 56, 1);			/* version lo */
	put_be32(body + 60, A1);
	put_be32(body + 64, WRW_RESERVED3);
	for (i = 0; i < sizeof(record_counts) / sizeof(record_counts[0]);
	     i++) {
		put_be32(body + 16, record_counts[i]);
		err = dec_body(ctx, body, 16 + 4 + 48, &q, &fault);
		assert_int_equal(err, TWERR_BAD_COUNT);
		assert_int_equal(fault, WRW_F_COUNT);
		assert_null(q);
	}
	put_be32(body + 16, 1);
	err = dec_body(ctx, body, 16 + 4 + 48, &q, &fault);
	assert_int_equal(err, TWERR_OK);
	assert_int_equal(q->names.num_records, 1);
	TALLOC_FREE(q);
}

/* Name Length 0/1/16/17/18/254/255/256/0xFFFFFFFF (SECURITY.md MS-3). */
static void test_name_length_edges(void **state)
{
	TALLOC_CTX *ctx = *state;
	static const struct {
		uint32_t name_len;
		enum twerr err;
	} cases[] = {
		{ 0, TWERR_BAD_NAME },
		{ 1, TWERR_BAD_NAME },
		{ 16, TWERR_BAD_NAME },
		{ 17, TWERR_OK },
		{ 18, TWERR_OK },
		{ 254, TWERR_OK },
		{ 255, TWERR_OK },
		{ 256, TWERR_NAME_TOO_LONG },
		{ 0x10000011u, TWERR_NAME_TOO_LONG },
		{ 0xFFFFFFFFu, TWERR_NAME_TOO_LONG },
	};
	/* room for the longest: 20 + 4 + 256 + 4 + 24 */
	uint8_t body[320];
	struct wrw_packet *q = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	enum twerr err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t nl = cases[i].name_len;
		size_t body_nl = (nl >= 17 && nl <= 256) ? nl : 17;
		size_t pad = 4 - (body_nl % 4);
		size_t off = 20;
		char scope[260];
		size_t len;

		memset(body, 0, sizeof(body));
		put_be32(body, WRW_OPCODE_BITS);
		put_be32(body + 8, WRW_REPLICATION);
		put_be32(body + 12, WRW_OP_NAMES_RESPONSE);
		put_be32(body + 16, 1);
		put_be32(body + off, nl);
		off += 4;
		memcpy(body + off, "EDGE           \x20", 16);
		make_scope(scope, body_nl - 17);
		memcpy(body + off + 16, scope, body_nl - 17);
		off += body_nl + pad;		/* NUL is already 0 */
		put_be32(body + off, 0x60);
		put_be32(body + off + 12, 7);
		put_be32(body + off + 16, A1);
		put_be32(body + off + 20, WRW_RESERVED3);
		len = off + 24;

		err = dec_body(ctx, body, len, &q, &fault);
		assert_int_equal(err, cases[i].err);
		if (err != TWERR_OK) {
			assert_int_equal(fault, WRW_F_NAME);
			assert_null(q);
			continue;
		}
		/* a 238-byte scope (Name Length 255) is cut to 237 */
		assert_int_equal(q->names.records[0].name.scope_len,
				 nl - 17 > WRW_SCOPE_KEEP ? WRW_SCOPE_KEEP :
							    nl - 17);
		assert_memory_equal(q->names.records[0].name.scope, scope,
				    q->names.records[0].name.scope_len);
		assert_true(q->names.records[0].version == 7);
		TALLOC_FREE(q);
	}
}

static void test_limits(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_owner owners[3] = {
		{ .addr = O1 }, { .addr = O2 }, { .addr = A1 },
	};
	struct wrw_record recs[3];
	struct wrw_packet table = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_MAP_RESPONSE,
		.table = { .num_owners = 3, .owners = owners },
	};
	struct wrw_packet names = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 3, .records = recs },
	};
	struct wrw_limits lim = { .max_owners = 2, .max_records = 2 };
	struct wrw_packet *q = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	uint8_t *wire = NULL;
	size_t len = 0;

	recs[0] = unique_rec("L1", 0x20, 1, A1);
	recs[1] = unique_rec("L2", 0x20, 2, A1);
	recs[2] = unique_rec("L3", 0x20, 3, A1);

	wire = enc(ctx, &table, &len);
	assert_int_equal(wrw_decode_ex(ctx, wire + 4, len - 4, &lim, &q,
				       &fault),
			 TWERR_BAD_COUNT);
	assert_int_equal(fault, WRW_F_COUNT);
	lim.max_owners = 3;
	assert_int_equal(wrw_decode_ex(ctx, wire + 4, len - 4, &lim, &q,
				       &fault),
			 TWERR_OK);
	TALLOC_FREE(q);
	TALLOC_FREE(wire);

	wire = enc(ctx, &names, &len);
	assert_int_equal(wrw_decode_ex(ctx, wire + 4, len - 4, &lim, &q,
				       &fault),
			 TWERR_BAD_COUNT);
	assert_int_equal(fault, WRW_F_COUNT);
	/* the plain entry point applies no policy cap */
	assert_int_equal(wrw_decode(ctx, wire + 4, len - 4, &q), TWERR_OK);
	TALLOC_FREE(q);
	TALLOC_FREE(wire);
}

/* Tolerated anomalies are decoded and flagged, not refused. */
static void test_notes(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_record rec = unique_rec("N", 0x20, 1, A1);
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 1, .records = &rec },
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	/* offsets in the PDU (with the length field) */
	const size_t opword = 4;
	const size_t rplword = 16;
	const size_t flags = 24 + 4 + 17 + 3;
	const size_t group = flags + 4;
	const size_t res3 = flags + 4 + 4 + 8 + 4;

	wire = enc(ctx, &p, &len);
	wire[opword + 2] = 0;				/* 0x7800 -> 0 */
	wire[rplword] = 0x01;				/* reserved */
	wire[flags] = 0x80;				/* Reserved1 */
	wire[group] = 7;				/* group >= 2 */
	wire[res3 + 3] = 0;				/* Reserved3 */
	q = dec_ok(ctx, wire, len);
	assert_int_equal(q->notes, WRW_NOTE_OPCODE_BITS |
					   WRW_NOTE_RPL_RESERVED |
					   WRW_NOTE_FLAGS_RESERVED |
					   WRW_NOTE_GROUP |
					   WRW_NOTE_RESERVED3);
	assert_int_equal(q->opcode_word, 0);
	assert_int_equal(q->opcode, WRW_OP_NAMES_RESPONSE);
	/* values >= 2 count as 1 */
	assert_true(q->names.records[0].is_group);
	assert_int_equal(q->names.records[0].type, WREC_UNIQUE);
	TALLOC_FREE(q);
	TALLOC_FREE(wire);
}

static void test_peek(void **state)
{
	uint8_t b[16] = {};
	enum wrw_mess_type t;
	enum wrw_opcode op;
	enum wrw_fault f;
	size_t len;

	(void)state;
	for (len = 0; len < 12; len++) {
		assert_int_equal(wrw_peek(b, len, &t, &op, &f),
				 TWERR_TOO_SHORT);
		assert_int_equal(f, WRW_F_LENGTH);
	}
	assert_int_equal(wrw_peek(NULL, 0, &t, &op, &f), TWERR_TOO_SHORT);
	assert_int_equal(wrw_peek(b, 12, &t, &op, &f), TWERR_OK);
	assert_int_equal(t, WRW_START_REQUEST);
	b[11] = 3;
	assert_int_equal(wrw_peek(b, 12, &t, &op, &f), TWERR_TOO_SHORT);
	assert_int_equal(t, WRW_REPLICATION);
	b[15] = 9;
	b[12] = 0xFF;	/* reserved bytes do not matter here */
	assert_int_equal(wrw_peek(b, 16, &t, &op, &f), TWERR_OK);
	assert_int_equal(op, WRW_OP_INFORM2);
	b[15] = 6;
	assert_int_equal(wrw_peek(b, 16, &t, &op, &f), TWERR_BAD_OPCODE);
	assert_int_equal(f, WRW_F_OPCODE);
	b[11] = 4;
	assert_int_equal(wrw_peek(b, 16, &t, &op, &f), TWERR_BAD_HEADER);
	assert_int_equal(f, WRW_F_TYPE);
}

static void test_opcodes_and_addresses(void **state)
{
	uint32_t op;
	int valid = 0;

	(void)state;
	for (op = 0; op < 0x200; op++) {
		if (wrw_opcode_valid(op)) {
			valid++;
		}
	}
	assert_int_equal(valid, 8);
	assert_false(wrw_opcode_valid(0x100));
	assert_false(wrw_opcode_valid(0xFFFFFFFFu));

	assert_false(wrw_addr_is_unicast(0));
	assert_false(wrw_addr_is_unicast(0xFFFFFFFFu));
	assert_false(wrw_addr_is_unicast(0x7F000000u));
	assert_false(wrw_addr_is_unicast(0x7F000001u));
	assert_false(wrw_addr_is_unicast(0x7FFFFFFFu));
	assert_false(wrw_addr_is_unicast(0xE0000000u));
	assert_false(wrw_addr_is_unicast(0xE0000018u));
	assert_false(wrw_addr_is_unicast(0xEFFFFFFFu));
	assert_true(wrw_addr_is_unicast(0x00000001u));
	assert_true(wrw_addr_is_unicast(0x7EFFFFFFu));
	assert_true(wrw_addr_is_unicast(0x80000000u));
	assert_true(wrw_addr_is_unicast(0xDFFFFFFFu));
	assert_true(wrw_addr_is_unicast(0xF0000000u));
	assert_true(wrw_addr_is_unicast(0xFFFFFFFEu));
	assert_true(wrw_addr_is_unicast(0xC6120001u));

	/* the lab switch adds 127/8, nothing else */
	assert_true(wrw_addr_ok(0x7F414101u, true));
	assert_false(wrw_addr_ok(0x7F414101u, false));
	assert_false(wrw_addr_ok(0, true));
	assert_false(wrw_addr_ok(0xFFFFFFFFu, true));
	assert_false(wrw_addr_ok(0xE0000018u, true));
	assert_true(wrw_addr_ok(0xC6120001u, false));

	assert_string_equal(wrw_fault_str(WRW_F_NONE), "none");
	assert_string_equal(wrw_fault_str((enum wrw_fault)99),
			    "unknown fault");
}

/*
 * smbtorture's test partner: an UPDATE naming owner 127.65.65.1 with
 * initiator 0.0.0.0 is refused, unless the lab switch is on; then it
 * also encodes (the server sends such owners back when pulled).
 */
static void test_lab_addresses(void **state)
{
	TALLOC_CTX *ctx = *state;
	static const uint8_t update[48] = {
		0x00, 0x00, 0x78, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
		0x00, 0x00, 0x00, 0x01,
		0x7f, 0x41, 0x41, 0x01,		/* owner 127.65.65.1 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00,		/* initiator 0.0.0.0 */
	};
	struct wrw_limits lab = { .lab_addresses = true };
	struct wrw_packet *q = NULL;
	enum wrw_fault fault = WRW_F_NONE;
	uint8_t *wire = NULL;
	size_t len = 0;
	enum twerr err;

	err = wrw_decode_ex(ctx, update, sizeof(update), NULL, &q, &fault);
	assert_int_equal(err, TWERR_BAD_VALUE);
	assert_int_equal(fault, WRW_F_ADDRESS);
	assert_null(q);

	err = wrw_decode_ex(ctx, update, sizeof(update), &lab, &q, &fault);
	assert_int_equal(err, TWERR_OK);
	assert_int_equal(q->table.owners[0].addr, 0x7F414101u);
	assert_int_equal(q->table.initiator, 0);

	/* encoding follows the packet's own flag */
	assert_int_equal(wrw_encode_alloc(ctx, q, &wire, &len),
			 TWERR_BAD_VALUE);
	q->lab_addresses = true;
	assert_int_equal(wrw_encode_alloc(ctx, q, &wire, &len), TWERR_OK);
	assert_int_equal(len, 4 + sizeof(update));
	assert_memory_equal(wire + 4 + 4, update + 4, sizeof(update) - 4);
	TALLOC_FREE(wire);
	TALLOC_FREE(q);
}

/* A big response decodes in linear time and frees with one call. */
static void test_large_response(void **state)
{
	TALLOC_CTX *ctx = *state;
	const uint32_t n = 20000;
	struct wrw_record *recs = talloc_zero_array(ctx, struct wrw_record, n);
	struct wrw_addr_pair pair = { .owner = O1, .ip = A1 };
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	struct timespec t0;
	struct timespec t1;
	uint32_t i;

	assert_non_null(recs);
	for (i = 0; i < n; i++) {
		char nm[16];

		snprintf(nm, sizeof(nm), "H%08" PRIX32, i);
		recs[i] = unique_rec(nm, 0x20, i + 1, A1);
		if ((i % 3) == 0) {
			recs[i].type = WREC_MHOMED;
			recs[i].num_addrs = 1;
			recs[i].addrs = &pair;
		}
	}
	p.names.num_records = n;
	p.names.records = recs;
	wire = enc(ctx, &p, &len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	q = dec_ok(ctx, wire, len);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(q->names.num_records, n);
	assert_true(q->names.records[n - 1].version == n);
	/* 19999 = 0x4E1F: "H00004E1F" */
	assert_int_equal(q->names.records[n - 1].name.raw[8], 'F');
	print_message("decoded %" PRIu32 " records (%zu bytes) in %.1f ms\n",
		      n, len,
		      (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	talloc_free(q);
	talloc_free(wire);
	talloc_free(recs);
}

/* A decode failure leaves nothing behind on the caller's context. */
static void test_no_leak_on_failure(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct wrw_addr_pair pairs[2] = {
		{ .owner = O1, .ip = A1 }, { .owner = O1, .ip = A2 },
	};
	struct wrw_record recs[2];
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 2, .records = recs },
	};
	struct wrw_packet *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	size_t before;

	recs[0] = unique_rec("M1", 0x00, 1, 0);
	recs[0].type = WREC_MHOMED;
	recs[0].num_addrs = 2;
	recs[0].addrs = pairs;
	recs[1] = unique_rec("M2", 0x00, 1, A1);
	wire = enc(ctx, &p, &len);
	/* break the last byte of the second record's address */
	wire[len - 8] = 0;
	wire[len - 7] = 0;
	wire[len - 6] = 0;
	wire[len - 5] = 0;
	before = talloc_total_blocks(ctx);
	assert_int_equal(wrw_decode(ctx, wire + 4, len - 4, &q),
			 TWERR_BAD_VALUE);
	assert_null(q);
	assert_int_equal(talloc_total_blocks(ctx), before);
	talloc_free(wire);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_request_literal,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_response_round_trip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_lengths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_start_major, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_request, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_map_response, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notifications, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_names_request, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_names_response_round_trip,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_padding, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_record_literal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_1b_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flags_every_value, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_encode_deterministic,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_encode_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_truncation_every_length,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_counts_near_wrap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_name_length_edges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peek, setup, teardown),
		cmocka_unit_test_setup_teardown(test_opcodes_and_addresses,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lab_addresses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_large_response, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_leak_on_failure, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
