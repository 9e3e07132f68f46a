/*
 * tdbwins — unit tests for the common ingress (limits, counters, framing)
 * and the NBNS validating entries.
 *
 * Every vector of testsuite/unit/vectors_nbns.h is run through the UDP
 * path (ingress_udp_frame + ingress_nbns_request) and the TCP 137 path
 * (2-byte prefix, ingress_tcp137_frame, ingress_nbns_request) with the
 * expected verdict, reason, rcode and counters; every prefix of every
 * vector is run too.  SECURITY.md section E classes 1-17 are covered at
 * the decode level (class 3 only for the framing decision; reassembly and
 * idle timeouts belong to the stream reader).
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

#include "../../source/ingress/ingress.h"
#include "../../source/wire/wcur.h"
#include "../../source/wire/wwr.h"
#include "vectors_nbns.h"

struct test_ctx {
	TALLOC_CTX *mem;
	struct ingress ig;
};

static int setup(void **state)
{
	struct test_ctx *t = talloc_zero(NULL, struct test_ctx);

	if (t == NULL) {
		return -1;
	}
	t->mem = talloc_new(t);
	if (t->mem == NULL) {
		talloc_free(t);
		return -1;
	}
	ingress_init(&t->ig);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct test_ctx *t = *state;

	/* the per-test context holds nothing once a test is done */
	assert_int_equal(talloc_total_blocks(t->mem), 1);
	talloc_free(t);
	return 0;
}

enum path {
	PATH_UDP,
	PATH_TCP,
};

static const char *const path_name[] = { "udp", "tcp" };

/*
 * One message through one transport, from an exactly sized heap buffer so
 * that valgrind reports any read past the message.  A framing rejection
 * closes the stream / drops the datagram: reported as DROP + reason.
 */
static void run(struct test_ctx *t, enum path path,
		void (*entry)(struct ingress *ig, TALLOC_CTX *mem_ctx,
			      const uint8_t *buf, size_t len,
			      struct ingress_nbns_result *res),
		const uint8_t *bytes, size_t len,
		struct ingress_nbns_result *res)
{
	enum ingress_reason r;
	uint8_t *buf = NULL;
	struct wcur c = {};
	const uint8_t *body = NULL;
	uint16_t prefix;

	*res = (struct ingress_nbns_result) {};
	if (path == PATH_UDP) {
		buf = talloc_array(t->mem, uint8_t, len);
		assert_non_null(buf);
		if (len > 0) {
			memcpy(buf, bytes, len);
		}
		r = ingress_udp_frame(&t->ig, len);
		if (r != INGRESS_OK) {
			res->verdict = INGRESS_DROP;
			res->reason = r;
			talloc_free(buf);
			return;
		}
		entry(&t->ig, t->mem, buf, len, res);
		talloc_free(buf);
		return;
	}

	assert_true(len <= UINT16_MAX);
	buf = talloc_array(t->mem, uint8_t, len + 2);
	assert_non_null(buf);
	buf[0] = (uint8_t)(len >> 8);
	buf[1] = (uint8_t)len;
	if (len > 0) {
		memcpy(buf + 2, bytes, len);
	}
	wcur_init(&c, buf, len + 2);
	prefix = wcur_be16(&c);
	r = ingress_tcp137_frame(&t->ig, prefix);
	if (r != INGRESS_OK) {
		res->verdict = INGRESS_DROP;
		res->reason = r;
		talloc_free(buf);
		return;
	}
	body = wcur_take(&c, prefix);
	assert_non_null(body);
	entry(&t->ig, t->mem, body, prefix, res);
	talloc_free(buf);
}

/*
 * Exactly one counter moved: 'accepted' for an accepted message (plus the
 * expected note, if any), else the reason's counter.
 */
static void check_counters(const struct ingress_stats *before,
			   const struct ingress_stats *after,
			   const struct ingress_nbns_result *res,
			   enum ingress_reason note, const char *what)
{
	size_t i;

	for (i = 0; i < INGRESS_REASON_COUNT; i++) {
		uint64_t want = before->by_reason[i];

		if (res->verdict != INGRESS_ACCEPT && i == res->reason) {
			want++;
		}
		if (res->verdict == INGRESS_ACCEPT && note != INGRESS_OK &&
		    i == note) {
			want++;
		}
		if (after->by_reason[i] != want) {
			fail_msg("%s: counter %s moved by %lld", what,
				 ingress_reason_str(i),
				 (long long)(after->by_reason[i] -
					     before->by_reason[i]));
		}
	}
	assert_int_equal(after->accepted,
			 before->accepted +
				 (res->verdict == INGRESS_ACCEPT ? 1 : 0));
}

static void check_result_common(const struct ingress_nbns_result *res,
				const uint8_t *bytes, size_t len,
				const char *what)
{
	if (res->verdict == INGRESS_ACCEPT) {
		if (res->pkt == NULL || res->reason != INGRESS_OK) {
			fail_msg("%s: accepted without a packet", what);
		}
	} else {
		if (res->pkt != NULL || res->reason == INGRESS_OK) {
			fail_msg("%s: rejected with a packet", what);
		}
	}
	if (res->verdict != INGRESS_ANSWER_ERROR && res->rcode != 0) {
		fail_msg("%s: rcode without an error answer", what);
	}
	/* the caller needs TRN_ID and flags to build FMT_ERR / IMP_ERR */
	if (len >= NBP_HEADER_LEN && res->reason != INGRESS_R_OVERSIZE &&
	    res->reason != INGRESS_R_UNDERSIZE) {
		uint16_t id = (uint16_t)((bytes[0] << 8) | bytes[1]);
		uint16_t fl = (uint16_t)((bytes[2] << 8) | bytes[3]);

		if (res->trn_id != id || res->flags != fl) {
			fail_msg("%s: header not reported", what);
		}
	}
}

/* Guarantees a handler relies on: it may index [0] without counting. */
static void check_accepted_shape(const struct nbp_packet *p)
{
	assert_int_equal(p->qdcount, 1);
	assert_non_null(p->questions);
	assert_int_equal(p->ancount, 0);
	assert_int_equal(p->nscount, 0);
	if (nbp_opcode(p) == NBP_OP_QUERY) {
		assert_int_equal(p->arcount, 0);
		return;
	}
	assert_int_equal(p->arcount, 1);
	assert_non_null(p->additional);
	assert_int_equal(p->additional[0].num_addrs, 1);
	assert_non_null(p->additional[0].addrs);
	assert_true(nbn_equal(&p->additional[0].name,
			      &p->questions[0].name));
}

static void run_table(struct test_ctx *t, enum path path,
		      void (*entry)(struct ingress *ig, TALLOC_CTX *mem_ctx,
				    const uint8_t *buf, size_t len,
				    struct ingress_nbns_result *res),
		      const struct nbns_vector *vec, size_t count,
		      bool request)
{
	size_t i;

	for (i = 0; i < count; i++) {
		const struct nbns_vector *v = &vec[i];
		struct ingress_stats before = t->ig.stats;
		struct ingress_nbns_result res = {};
		char what[200];

		snprintf(what, sizeof(what), "%s [%s]", v->name,
			 path_name[path]);
		run(t, path, entry, v->bytes, v->len, &res);
		if (res.verdict != v->verdict || res.reason != v->reason ||
		    res.rcode != v->rcode) {
			fail_msg("%s: got verdict %d reason %s rcode %u, "
				 "want %d %s %u",
				 what, res.verdict,
				 ingress_reason_str(res.reason), res.rcode,
				 v->verdict, ingress_reason_str(v->reason),
				 v->rcode);
		}
		check_result_common(&res, v->bytes, v->len, what);
		check_counters(&before, &t->ig.stats, &res, v->note, what);
		if (res.verdict == INGRESS_ACCEPT) {
			assert_ptr_equal(talloc_parent(res.pkt), t->mem);
			if (request) {
				check_accepted_shape(res.pkt);
			}
		}
		TALLOC_FREE(res.pkt);
	}
}

static void test_vectors_udp(void **state)
{
	struct test_ctx *t = *state;

	run_table(t, PATH_UDP, ingress_nbns_request, nbns_vectors,
		  nbns_vectors_count, true);
}

static void test_vectors_tcp(void **state)
{
	struct test_ctx *t = *state;

	run_table(t, PATH_TCP, ingress_nbns_request, nbns_vectors,
		  nbns_vectors_count, true);
}

static void test_response_vectors_udp(void **state)
{
	struct test_ctx *t = *state;

	run_table(t, PATH_UDP, ingress_nbns_response, nbns_response_vectors,
		  nbns_response_vectors_count, false);
}

static void test_response_vectors_tcp(void **state)
{
	struct test_ctx *t = *state;

	run_table(t, PATH_TCP, ingress_nbns_response, nbns_response_vectors,
		  nbns_response_vectors_count, false);
}

/*
 * The table itself: unique names, sane lengths, and every decode-level
 * class of SECURITY.md section E (1, 2, 4..17) present with at least one
 * rejection.
 */
static void test_table(void **state)
{
	bool has_reject[32] = {};
	size_t i;
	size_t j;

	(void)state;
	for (i = 0; i < nbns_vectors_count; i++) {
		const struct nbns_vector *v = &nbns_vectors[i];

		assert_true(v->len <= NBNS_VECTOR_MAX);
		assert_true(v->cls < 32);
		if (v->verdict != INGRESS_ACCEPT) {
			has_reject[v->cls] = true;
		}
		if (v->verdict == INGRESS_ACCEPT) {
			assert_int_equal(v->reason, INGRESS_OK);
		}
		for (j = 0; j < i; j++) {
			assert_string_not_equal(v->name, nbns_vectors[j].name);
		}
	}
	for (i = 1; i <= 17; i++) {
		if (i == 3 || i == 15 || i == 17) {
			/* 3: framing only; 15, 17: accepted at ingress */
			continue;
		}
		if (!has_reject[i]) {
			fail_msg("class %zu has no rejected vector", i);
		}
	}
	printf("# %zu request vectors, %zu response vectors\n",
	       nbns_vectors_count, nbns_response_vectors_count);
}

/*
 * Edge probes: every prefix 0..len-1 of every vector, both paths, both
 * entries.  None may crash, leak or move more than one counter; a prefix
 * of a complete message without trailing bytes is never accepted.
 */
static void cut_table(struct test_ctx *t,
		      void (*entry)(struct ingress *ig, TALLOC_CTX *mem_ctx,
				    const uint8_t *buf, size_t len,
				    struct ingress_nbns_result *res),
		      const struct nbns_vector *vec, size_t count)
{
	size_t i;
	size_t cut;
	int path;

	for (i = 0; i < count; i++) {
		const struct nbns_vector *v = &vec[i];
		bool complete = v->verdict == INGRESS_ACCEPT &&
				v->note != INGRESS_NOTE_TRAILING;

		for (path = PATH_UDP; path <= PATH_TCP; path++) {
			for (cut = 0; cut < v->len; cut++) {
				struct ingress_stats before = t->ig.stats;
				struct ingress_nbns_result res = {};
				char what[200];

				snprintf(what, sizeof(what), "%s cut %zu [%s]",
					 v->name, cut, path_name[path]);
				run(t, path, entry, v->bytes, cut, &res);
				check_result_common(&res, v->bytes, cut, what);
				if (complete && res.verdict == INGRESS_ACCEPT) {
					fail_msg("%s: accepted", what);
				}
				/* notes vary with the cut: count them aside */
				if (res.verdict == INGRESS_ACCEPT) {
					assert_int_equal(t->ig.stats.accepted,
							 before.accepted + 1);
				} else {
					check_counters(&before, &t->ig.stats,
						       &res, INGRESS_OK, what);
				}
				TALLOC_FREE(res.pkt);
			}
		}
	}
}

static void test_cuts(void **state)
{
	struct test_ctx *t = *state;

	cut_table(t, ingress_nbns_request, nbns_vectors, nbns_vectors_count);
	cut_table(t, ingress_nbns_response, nbns_response_vectors,
		  nbns_response_vectors_count);
}

/* A request (R=0) is never an acceptable reply to our own queries. */
static void test_requests_on_response_path(void **state)
{
	struct test_ctx *t = *state;
	size_t i;

	for (i = 0; i < nbns_vectors_count; i++) {
		const struct nbns_vector *v = &nbns_vectors[i];
		struct ingress_nbns_result res = {};

		if (v->len < NBP_HEADER_LEN || (v->bytes[2] & 0x80) != 0) {
			continue;
		}
		run(t, PATH_UDP, ingress_nbns_response, v->bytes, v->len,
		    &res);
		assert_int_not_equal(res.verdict, INGRESS_ACCEPT);
		assert_int_equal(res.verdict, INGRESS_DROP);
		TALLOC_FREE(res.pkt);
	}
}

static const struct nbns_vector *find(const char *name)
{
	size_t i;

	for (i = 0; i < nbns_vectors_count; i++) {
		if (strcmp(nbns_vectors[i].name, name) == 0) {
			return &nbns_vectors[i];
		}
	}
	fail_msg("no vector '%s'", name);
	return NULL;
}

/* The boundary vectors really sit on the boundary they claim. */
static void test_boundaries(void **state)
{
	static const struct {
		const char *name;
		size_t scope_len;
	} b[] = {
		{ "scope 237 bytes", 237 },
		{ "scope 238 bytes", 238 },
		{ "scope 239 bytes (decoded 272)", 239 },
		{ "scope 222 bytes (decoded 255)", 222 },
		{ "scope 223 bytes (decoded 256)", 223 },
		{ "120 one-byte scope labels (121 labels, 239 bytes)", 239 },
		{ "pointer chain of 4 hops", 7 },
		{ "pointer 0xC100 (offset >= 256)", 217 },
		{ "registration with scope", 11 },
	};
	struct test_ctx *t = *state;
	size_t i;

	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		const struct nbns_vector *v = find(b[i].name);
		struct ingress_nbns_result res = {};

		run(t, PATH_UDP, ingress_nbns_request, v->bytes, v->len, &res);
		assert_int_equal(res.verdict, INGRESS_ACCEPT);
		assert_int_equal(res.pkt->questions[0].name.scope_len,
				 b[i].scope_len);
		TALLOC_FREE(res.pkt);
	}
	/* the 576-byte vector is exactly at the limit, 577 one over */
	assert_int_equal(find("576 bytes: query + 526 bytes padding")->len,
			 576);
	assert_int_equal(find("577 bytes")->len, 577);
	assert_int_equal(find("registration op5 0xC00C")->len, 68);
	assert_int_equal(find("query FRED<20>")->len, 50);
	assert_int_equal(find("RR name uncompressed, identical (100 bytes)")
				 ->len,
			 100);
}

/* ---- the SA-7 matrix (CVE-2026-3238): every opcode x every shape ---- */

struct shape {
	uint16_t qd;
	uint16_t ar;
	uint16_t qtype;
	uint16_t rr_type;
	uint16_t rr_class;
	uint16_t rdlength;
};

/* write a request of the given shape; returns its length */
static size_t build(uint8_t *buf, size_t cap, uint16_t flags,
		    const struct shape *s)
{
	struct nbn_name fred = {};
	struct wwr w = {};
	size_t i;

	assert_true(nbn_make(&fred, "FRED", 0x20, NULL));
	wwr_init(&w, buf, cap);
	wwr_be16(&w, 0x4242);
	wwr_be16(&w, flags);
	wwr_be16(&w, s->qd);
	wwr_be16(&w, 0);
	wwr_be16(&w, 0);
	wwr_be16(&w, s->ar);
	for (i = 0; i < s->qd; i++) {
		if (i == 0) {
			nbn_encode(&w, &fred);
		} else {
			wwr_be16(&w, 0xc00c);
		}
		wwr_be16(&w, s->qtype);
		wwr_be16(&w, NBP_CLASS_IN);
	}
	for (i = 0; i < s->ar; i++) {
		if (s->qd > 0) {
			wwr_be16(&w, 0xc00c);
		} else if (i == 0) {
			nbn_encode(&w, &fred);
		} else {
			wwr_be16(&w, 0xc00c);
		}
		wwr_be16(&w, s->rr_type);
		wwr_be16(&w, s->rr_class);
		wwr_be32(&w, 300000);
		wwr_be16(&w, s->rdlength);
		/* NB entries of 0x60 0x00 198.18.0.x, cut to rdlength */
		{
			size_t k;

			for (k = 0; k < s->rdlength; k++) {
				static const uint8_t e[6] = { 0x60, 0x00, 198,
							      18, 0, 7 };

				wwr_u8(&w, e[k % 6]);
			}
		}
	}
	assert_true(wwr_ok(&w));
	return wwr_len(&w);
}

static void expect(struct test_ctx *t, const uint8_t *buf, size_t len,
		   enum ingress_verdict verdict, enum ingress_reason reason,
		   const char *what)
{
	int path;

	for (path = PATH_UDP; path <= PATH_TCP; path++) {
		struct ingress_stats before = t->ig.stats;
		struct ingress_nbns_result res = {};

		run(t, path, ingress_nbns_request, buf, len, &res);
		if (res.verdict != verdict || res.reason != reason) {
			fail_msg("%s [%s]: got %d %s, want %d %s", what,
				 path_name[path], res.verdict,
				 ingress_reason_str(res.reason), verdict,
				 ingress_reason_str(reason));
		}
		if (verdict == INGRESS_ANSWER_ERROR) {
			assert_int_equal(res.rcode, NBP_RCODE_FMT);
		}
		check_counters(&before, &t->ig.stats, &res, INGRESS_OK, what);
		TALLOC_FREE(res.pkt);
	}
}

static void test_sa7_matrix(void **state)
{
	static const uint8_t ops[] = { 5, 6, 8, 9, 0xf };
	static const struct {
		struct shape s;
		enum ingress_reason reason;
	} bad[] = {
		{ { 0, 1, 0x20, 0x20, 1, 6 }, INGRESS_R_BAD_COUNTS },
		{ { 2, 1, 0x20, 0x20, 1, 6 }, INGRESS_R_BAD_COUNTS },
		{ { 1, 0, 0x20, 0x20, 1, 6 }, INGRESS_R_BAD_COUNTS },
		{ { 1, 2, 0x20, 0x20, 1, 6 }, INGRESS_R_BAD_COUNTS },
		{ { 0, 0, 0x20, 0x20, 1, 6 }, INGRESS_R_BAD_COUNTS },
		{ { 1, 1, 0x20, 0x20, 1, 0 }, INGRESS_R_BAD_RDLENGTH },
		{ { 1, 1, 0x20, 0x20, 1, 1 }, INGRESS_R_BAD_RDLENGTH },
		{ { 1, 1, 0x20, 0x20, 1, 2 }, INGRESS_R_BAD_RDLENGTH },
		{ { 1, 1, 0x20, 0x20, 1, 3 }, INGRESS_R_BAD_RDLENGTH },
		{ { 1, 1, 0x20, 0x20, 1, 4 }, INGRESS_R_BAD_RDLENGTH },
		{ { 1, 1, 0x20, 0x20, 1, 5 }, INGRESS_R_BAD_RDLENGTH },
		{ { 1, 1, 0x20, 0x20, 1, 7 }, INGRESS_R_BAD_RDLENGTH },
		{ { 1, 1, 0x20, 0x20, 1, 12 }, INGRESS_R_BAD_RDLENGTH },
		{ { 1, 1, 0x20, 0x0a, 1, 6 }, INGRESS_R_BAD_RR_TYPE },
		{ { 1, 1, 0x20, 0x0a, 1, 16 }, INGRESS_R_BAD_RR_TYPE },
		{ { 1, 1, 0x20, 0x21, 1, 6 }, INGRESS_R_BAD_RR_TYPE },
		{ { 1, 1, 0x20, 0x01, 1, 6 }, INGRESS_R_BAD_RR_TYPE },
		{ { 1, 1, 0x20, 0xffff, 1, 6 }, INGRESS_R_BAD_RR_TYPE },
		{ { 1, 1, 0x20, 0x20, 0, 6 }, INGRESS_R_BAD_RR_CLASS },
		{ { 1, 1, 0x20, 0x20, 2, 6 }, INGRESS_R_BAD_RR_CLASS },
		{ { 1, 1, 0x21, 0x20, 1, 6 }, INGRESS_R_BAD_QTYPE },
		{ { 1, 1, 0x01, 0x20, 1, 6 }, INGRESS_R_BAD_QTYPE },
	};
	static const struct shape good = { 1, 1, 0x20, 0x20, 1, 6 };
	struct test_ctx *t = *state;
	uint8_t buf[NBP_UDP_MAX];
	char what[120];
	size_t len;
	size_t i;
	size_t k;

	for (i = 0; i < sizeof(ops); i++) {
		uint16_t flags = (uint16_t)(ops[i] << NBP_OPCODE_SHIFT);

		len = build(buf, sizeof(buf), flags, &good);
		snprintf(what, sizeof(what), "op %u good", ops[i]);
		expect(t, buf, len, INGRESS_ACCEPT, INGRESS_OK, what);
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			len = build(buf, sizeof(buf), flags, &bad[k].s);
			snprintf(what, sizeof(what), "op %u shape %zu", ops[i],
				 k);
			expect(t, buf, len, INGRESS_ANSWER_ERROR,
			       bad[k].reason, what);
		}
	}

	/* queries: QD 0/2, AR 1/2 */
	{
		static const struct shape qbad[] = {
			{ 0, 0, 0x20, 0, 0, 0 },
			{ 2, 0, 0x20, 0, 0, 0 },
			{ 1, 1, 0x20, 0x20, 1, 6 },
			{ 1, 2, 0x20, 0x20, 1, 6 },
		};
		static const struct shape qgood[] = {
			{ 1, 0, 0x20, 0, 0, 0 },
			{ 1, 0, 0x21, 0, 0, 0 },
		};

		for (k = 0; k < sizeof(qbad) / sizeof(qbad[0]); k++) {
			len = build(buf, sizeof(buf), 0x0100, &qbad[k]);
			snprintf(what, sizeof(what), "query shape %zu", k);
			expect(t, buf, len, INGRESS_ANSWER_ERROR,
			       INGRESS_R_BAD_COUNTS, what);
		}
		for (k = 0; k < sizeof(qgood) / sizeof(qgood[0]); k++) {
			len = build(buf, sizeof(buf), 0x0100, &qgood[k]);
			snprintf(what, sizeof(what), "query good %zu", k);
			expect(t, buf, len, INGRESS_ACCEPT, INGRESS_OK, what);
		}
	}
}

/* Class 5: all 16 opcodes, as requests and as responses. */
static void test_opcode_sweep(void **state)
{
	static const struct shape reg = { 1, 1, 0x20, 0x20, 1, 6 };
	static const struct shape qry = { 1, 0, 0x20, 0, 0, 0 };
	struct test_ctx *t = *state;
	uint8_t buf[NBP_UDP_MAX];
	unsigned op;

	for (op = 0; op < 16; op++) {
		uint16_t flags = (uint16_t)(op << NBP_OPCODE_SHIFT);
		const struct shape *s = (op == 0) ? &qry : &reg;
		enum ingress_verdict v = INGRESS_ACCEPT;
		enum ingress_reason r = INGRESS_OK;
		struct ingress_nbns_result res = {};
		size_t len;

		switch (op) {
		case 0:
		case 5:
		case 6:
		case 8:
		case 9:
		case 0xf:
			break;
		case 7:
			v = INGRESS_DROP;
			r = INGRESS_R_WACK_REQUEST;
			break;
		default:
			v = INGRESS_ANSWER_ERROR;
			r = INGRESS_R_BAD_OPCODE;
			break;
		}
		len = build(buf, sizeof(buf), flags, s);
		run(t, PATH_UDP, ingress_nbns_request, buf, len, &res);
		assert_int_equal(res.verdict, v);
		assert_int_equal(res.reason, r);
		if (v == INGRESS_ANSWER_ERROR) {
			assert_int_equal(res.rcode, NBP_RCODE_IMP);
		}
		TALLOC_FREE(res.pkt);

		/* R=1: never answered, whatever the opcode */
		len = build(buf, sizeof(buf), flags | NBP_FLAG_RESPONSE, s);
		run(t, PATH_TCP, ingress_nbns_request, buf, len, &res);
		assert_int_equal(res.verdict, INGRESS_DROP);
		assert_int_equal(res.reason, INGRESS_R_UNSOLICITED_RESPONSE);
	}
	assert_int_equal(t->ig.stats.by_reason[INGRESS_R_BAD_OPCODE], 9);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_R_WACK_REQUEST], 1);
	assert_int_equal(
		t->ig.stats.by_reason[INGRESS_R_UNSOLICITED_RESPONSE], 16);
	assert_int_equal(t->ig.stats.accepted, 6);
}

/* Notes count only for accepted messages, each note once. */
static void test_notes(void **state)
{
	static const struct shape reg = { 1, 1, 0x20, 0x20, 1, 6 };
	struct test_ctx *t = *state;
	struct ingress_nbns_result res = {};
	uint8_t buf[NBP_UDP_MAX];
	size_t len;

	/* reserved header bits + NB_FLAGS reserved + trailing: all three */
	len = build(buf, sizeof(buf), 0x2960, &reg);
	buf[len - 5] = 0x01;		/* NB_FLAGS low byte */
	buf[len] = 0xee;
	run(t, PATH_UDP, ingress_nbns_request, buf, len + 1, &res);
	assert_int_equal(res.verdict, INGRESS_ACCEPT);
	TALLOC_FREE(res.pkt);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_NOTE_RESERVED_FLAGS],
			 1);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_NOTE_NB_RESERVED], 1);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_NOTE_TRAILING], 1);

	/* reserved bits on a message rejected later: no note */
	len = build(buf, sizeof(buf), 0x2960, &reg);
	buf[13] = 'Q';
	run(t, PATH_UDP, ingress_nbns_request, buf, len, &res);
	assert_int_equal(res.verdict, INGRESS_ANSWER_ERROR);
	assert_int_equal(res.reason, INGRESS_R_BAD_NAME);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_NOTE_RESERVED_FLAGS],
			 1);
	assert_int_equal(t->ig.stats.accepted, 1);
}

/* ---- framing ---- */

static void test_limits(void **state)
{
	struct ingress_limits l = {};
	struct ingress ig = {};

	(void)state;
	ingress_limits_default(&l);
	assert_int_equal(l.udp_max, 576);
	assert_int_equal(l.tcp137_max, 576);
	assert_int_equal(l.wr_preassoc_max, 64);
	assert_int_equal(l.wr_max_owners, 1024);
	assert_int_equal(l.wr_request_max, 24 + 24 * 1024);
	assert_int_equal(l.wr_response_max, 32 * 1024 * 1024);
	assert_int_equal(l.wr_max_records, 1000000);

	memset(&ig, 0xff, sizeof(ig));
	ingress_init(&ig);
	assert_memory_equal(&ig.limits, &l, sizeof(l));
	assert_int_equal(ig.stats.accepted, 0);
	assert_int_equal(ig.stats.by_reason[INGRESS_R_OTHER], 0);

	assert_int_equal(ingress_count(&ig, INGRESS_OK), INGRESS_OK);
	assert_int_equal(ig.stats.accepted, 1);
	assert_int_equal(ingress_count(&ig, INGRESS_R_BAD_NAME),
			 INGRESS_R_BAD_NAME);
	assert_int_equal(ig.stats.by_reason[INGRESS_R_BAD_NAME], 1);
	assert_int_equal(ingress_count(&ig, (enum ingress_reason)9999),
			 INGRESS_R_OTHER);
	assert_int_equal(ig.stats.by_reason[INGRESS_R_OTHER], 1);
}

static void test_reason_str(void **state)
{
	size_t i;
	size_t j;

	(void)state;
	for (i = 0; i < INGRESS_REASON_COUNT; i++) {
		const char *s = ingress_reason_str(i);

		assert_non_null(s);
		assert_string_not_equal(s, "unknown");
		for (j = 0; j < i; j++) {
			assert_string_not_equal(s, ingress_reason_str(j));
		}
	}
	assert_string_equal(ingress_reason_str(INGRESS_REASON_COUNT),
			    "unknown");
	assert_string_equal(ingress_reason_str((enum ingress_reason)-1),
			    "unknown");
}

/* Classes 1 and 2: UDP sizes around both limits; nothing else counted. */
static void test_udp_frame(void **state)
{
	struct test_ctx *t = *state;
	size_t n;

	for (n = 0; n < 12; n++) {
		assert_int_equal(ingress_udp_frame(&t->ig, n),
				 INGRESS_R_UNDERSIZE);
	}
	assert_int_equal(t->ig.stats.by_reason[INGRESS_R_UNDERSIZE], 12);
	assert_int_equal(ingress_udp_frame(&t->ig, 12), INGRESS_OK);
	assert_int_equal(ingress_udp_frame(&t->ig, 575), INGRESS_OK);
	assert_int_equal(ingress_udp_frame(&t->ig, 576), INGRESS_OK);
	assert_int_equal(ingress_udp_frame(&t->ig, 577), INGRESS_R_OVERSIZE);
	assert_int_equal(ingress_udp_frame(&t->ig, 65535),
			 INGRESS_R_OVERSIZE);
	assert_int_equal(ingress_udp_frame(&t->ig, SIZE_MAX),
			 INGRESS_R_OVERSIZE);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_R_OVERSIZE], 3);
	assert_int_equal(t->ig.stats.accepted, 0);

	/* a configured limit is honoured */
	t->ig.limits.udp_max = 100;
	assert_int_equal(ingress_udp_frame(&t->ig, 100), INGRESS_OK);
	assert_int_equal(ingress_udp_frame(&t->ig, 101), INGRESS_R_OVERSIZE);
}

/* Class 3, framing decision: the prefix is judged before the body. */
static void test_tcp137_frame(void **state)
{
	struct test_ctx *t = *state;
	unsigned n;

	for (n = 0; n < 12; n++) {
		assert_int_equal(ingress_tcp137_frame(&t->ig, (uint16_t)n),
				 INGRESS_R_UNDERSIZE);
	}
	assert_int_equal(ingress_tcp137_frame(&t->ig, 12), INGRESS_OK);
	assert_int_equal(ingress_tcp137_frame(&t->ig, 576), INGRESS_OK);
	assert_int_equal(ingress_tcp137_frame(&t->ig, 577),
			 INGRESS_R_OVERSIZE);
	assert_int_equal(ingress_tcp137_frame(&t->ig, 0xffff),
			 INGRESS_R_OVERSIZE);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_R_UNDERSIZE], 12);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_R_OVERSIZE], 2);
	t->ig.limits.tcp137_max = 1000;
	assert_int_equal(ingress_tcp137_frame(&t->ig, 1000), INGRESS_OK);
	assert_int_equal(ingress_tcp137_frame(&t->ig, 1001),
			 INGRESS_R_OVERSIZE);
}

/*
 * Class 3 on a byte stream: two messages in one segment are two messages;
 * a prefix shorter than its message makes the body truncated and the next
 * "prefix" comes from inside the message.  The reader (here a loop over a
 * cursor, in production source/net) stops at the first framing rejection.
 */
static void test_tcp137_stream(void **state)
{
	struct test_ctx *t = *state;
	const struct nbns_vector *q = find("query FRED<20>");
	const struct nbns_vector *r = find("registration op5 0xC00C");
	uint8_t *s = talloc_array(t->mem, uint8_t, 2 + q->len + 2 + r->len);
	size_t accepted = 0;
	size_t rejected = 0;
	size_t round;

	assert_non_null(s);
	for (round = 0; round < 2; round++) {
		struct wcur c = {};

		s[0] = 0;
		s[1] = (uint8_t)(round == 0 ? q->len : q->len - 10);
		memcpy(s + 2, q->bytes, q->len);
		s[2 + q->len] = 0;
		s[3 + q->len] = (uint8_t)r->len;
		memcpy(s + 4 + q->len, r->bytes, r->len);
		wcur_init(&c, s, 4 + q->len + r->len);
		accepted = 0;
		rejected = 0;
		while (wcur_remaining(&c) >= 2) {
			struct ingress_nbns_result res = {};
			const uint8_t *body = NULL;
			uint16_t prefix = wcur_be16(&c);

			if (ingress_tcp137_frame(&t->ig, prefix) !=
			    INGRESS_OK) {
				rejected++;
				break;
			}
			body = wcur_take(&c, prefix);
			if (body == NULL) {
				break;		/* stall: wait for more */
			}
			ingress_nbns_request(&t->ig, t->mem, body, prefix,
					     &res);
			if (res.verdict == INGRESS_ACCEPT) {
				accepted++;
			} else {
				rejected++;
			}
			TALLOC_FREE(res.pkt);
		}
		if (round == 0) {
			assert_int_equal(accepted, 2);
			assert_int_equal(rejected, 0);
		} else {
			/* cut query refused; the rest is garbage framing */
			assert_int_equal(accepted, 0);
			assert_true(rejected >= 1);
		}
	}
	assert_int_equal(t->ig.stats.by_reason[INGRESS_R_TRUNCATED], 1);
	talloc_free(s);
}

static void test_tcp42_frame(void **state)
{
	struct test_ctx *t = *state;
	struct ingress *ig = &t->ig;

	/* before association: 20..64 (a Start Request is 41) */
	assert_int_equal(ingress_tcp42_frame(ig, 0, INGRESS_WR_PREASSOC),
			 INGRESS_R_UNDERSIZE);
	assert_int_equal(ingress_tcp42_frame(ig, 11, INGRESS_WR_PREASSOC),
			 INGRESS_R_UNDERSIZE);
	assert_int_equal(ingress_tcp42_frame(ig, 12, INGRESS_WR_PREASSOC),
			 INGRESS_R_FRAME_LENGTH);
	assert_int_equal(ingress_tcp42_frame(ig, 19, INGRESS_WR_PREASSOC),
			 INGRESS_R_FRAME_LENGTH);
	assert_int_equal(ingress_tcp42_frame(ig, 20, INGRESS_WR_PREASSOC),
			 INGRESS_OK);
	assert_int_equal(ingress_tcp42_frame(ig, 41, INGRESS_WR_PREASSOC),
			 INGRESS_OK);
	assert_int_equal(ingress_tcp42_frame(ig, 64, INGRESS_WR_PREASSOC),
			 INGRESS_OK);
	assert_int_equal(ingress_tcp42_frame(ig, 65, INGRESS_WR_PREASSOC),
			 INGRESS_R_OVERSIZE);
	assert_int_equal(ingress_tcp42_frame(ig, 0xffffffffu,
					     INGRESS_WR_PREASSOC),
			 INGRESS_R_OVERSIZE);

	/* on an association: 12..24+24*1024 */
	assert_int_equal(ingress_tcp42_frame(ig, 11, INGRESS_WR_ASSOC),
			 INGRESS_R_UNDERSIZE);
	assert_int_equal(ingress_tcp42_frame(ig, 12, INGRESS_WR_ASSOC),
			 INGRESS_OK);
	assert_int_equal(ingress_tcp42_frame(ig, 24600, INGRESS_WR_ASSOC),
			 INGRESS_OK);
	assert_int_equal(ingress_tcp42_frame(ig, 24601, INGRESS_WR_ASSOC),
			 INGRESS_R_OVERSIZE);
	assert_int_equal(ingress_tcp42_frame(ig, 0x7fffffffu,
					     INGRESS_WR_ASSOC),
			 INGRESS_R_OVERSIZE);

	/* awaiting a pulled reply: 12..32 MiB */
	assert_int_equal(ingress_tcp42_frame(ig, 0, INGRESS_WR_PULL_REPLY),
			 INGRESS_R_UNDERSIZE);
	assert_int_equal(ingress_tcp42_frame(ig, 12, INGRESS_WR_PULL_REPLY),
			 INGRESS_OK);
	assert_int_equal(ingress_tcp42_frame(ig, 32u * 1024 * 1024,
					     INGRESS_WR_PULL_REPLY),
			 INGRESS_OK);
	assert_int_equal(ingress_tcp42_frame(ig, 32u * 1024 * 1024 + 1,
					     INGRESS_WR_PULL_REPLY),
			 INGRESS_R_OVERSIZE);
	assert_int_equal(ingress_tcp42_frame(ig, 0xffffffffu,
					     INGRESS_WR_PULL_REPLY),
			 INGRESS_R_OVERSIZE);

	/* an unknown stage admits nothing */
	assert_int_equal(ingress_tcp42_frame(ig, 41,
					     (enum ingress_wr_stage)7),
			 INGRESS_R_FRAME_LENGTH);

	assert_int_equal(ig->stats.by_reason[INGRESS_R_UNDERSIZE], 4);
	assert_int_equal(ig->stats.by_reason[INGRESS_R_FRAME_LENGTH], 3);
	assert_int_equal(ig->stats.by_reason[INGRESS_R_OVERSIZE], 6);
	assert_int_equal(ig->stats.accepted, 0);
}

/* The entry repeats the size limit for callers that skip the framing. */
static void test_entry_without_frame(void **state)
{
	struct test_ctx *t = *state;
	const struct nbns_vector *v = find("577 bytes");
	struct ingress_nbns_result res = {};
	uint8_t *b = talloc_array(t->mem, uint8_t, v->len);

	assert_non_null(b);
	memcpy(b, v->bytes, v->len);
	ingress_nbns_request(&t->ig, t->mem, b, v->len, &res);
	assert_int_equal(res.verdict, INGRESS_DROP);
	assert_int_equal(res.reason, INGRESS_R_OVERSIZE);
	assert_int_equal(res.trn_id, 0x1001);
	ingress_nbns_response(&t->ig, t->mem, b, v->len, &res);
	assert_int_equal(res.reason, INGRESS_R_OVERSIZE);
	ingress_nbns_request(&t->ig, t->mem, NULL, 0, &res);
	assert_int_equal(res.reason, INGRESS_R_UNDERSIZE);
	ingress_nbns_request(&t->ig, t->mem, NULL, 50, &res);
	assert_int_equal(res.reason, INGRESS_R_UNDERSIZE);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_R_OVERSIZE], 2);
	assert_int_equal(t->ig.stats.by_reason[INGRESS_R_UNDERSIZE], 2);
	talloc_free(b);
}

/* ---- complexity regression (CVE-2020-10745) ---- */

static double elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1000.0 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void time_vector(struct test_ctx *t, const char *name,
			enum ingress_reason want, unsigned n)
{
	const struct nbns_vector *v = find(name);
	uint8_t *b = talloc_array(t->mem, uint8_t, v->len);
	struct timespec t0 = {};
	struct timespec t1 = {};
	unsigned hits = 0;
	unsigned i;

	assert_non_null(b);
	memcpy(b, v->bytes, v->len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		struct ingress_nbns_result res = {};

		ingress_nbns_request(&t->ig, t->mem, b, v->len, &res);
		if (res.reason == want) {
			hits++;
		}
		TALLOC_FREE(res.pkt);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(hits, n);
	printf("# %u x '%s' (%zu bytes): %.2f ms\n", n, name, v->len,
	       elapsed_ms(&t0, &t1));
	talloc_free(b);
}

static void test_complexity(void **state)
{
	struct test_ctx *t = *state;

	time_vector(t, "QD=48, 47 pointers to a 272-byte name (worst case)",
		    INGRESS_R_BAD_COUNTS, 10000);
	time_vector(t, "pointer chain of 5 hops", INGRESS_R_BAD_POINTER,
		    10000);
	time_vector(t, "scope inflated through a pointer",
		    INGRESS_R_NAME_TOO_LONG, 10000);
	time_vector(t, "registration op5 0xC00C", INGRESS_OK, 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vectors_udp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vectors_tcp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_response_vectors_udp,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_vectors_tcp,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cuts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requests_on_response_path,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_boundaries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sa7_matrix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_opcode_sweep, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reason_str, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_udp_frame, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp137_frame, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp137_stream, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tcp42_frame, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_entry_without_frame, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_complexity, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
