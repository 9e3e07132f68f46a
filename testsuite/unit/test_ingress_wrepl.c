/*
 * tdbwins — unit tests for the WINS replication ingress
 * (source/ingress/ingress_wrepl.c) together with the TCP 42 framing check
 * (ingress_tcp42_frame, source/ingress/ingress.c).
 *
 * Runs every vector of vectors_wrepl.h the way the socket layer does
 * (Packet Length through the framing check, then the body through
 * ingress_wrepl) and asserts the verdict, the reason, and that exactly one
 * counter moved.  Also: the stage matrix, truncation at every length,
 * byte mutations of every valid vector, policy caps, leak checks.
 *
 * twbuild-needs: source/wire/wrepl.c source/ingress/ingress.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <talloc.h>

#include "ingress/ingress.h"
#include "wire/wrepl.h"

#include "vectors_wrepl.h"

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

static uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static const char *verdict_str(enum ingress_verdict v)
{
	return (v == INGRESS_ACCEPT) ? "ACCEPT" : "DROP";
}

/* Sum of every reject and note counter. */
static uint64_t counted(const struct ingress *ig)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < INGRESS_REASON_COUNT; i++) {
		sum += ig->stats.by_reason[i];
	}
	return sum;
}

/*
 * Run one body through ingress_wrepl from an exact-size heap copy (so
 * valgrind sees any over-read) and check the counters: a rejection moves
 * exactly its own counter, an acceptance moves `accepted` and at most the
 * WINSRA note counter.  Returns the verdict; *reason gets the reason.
 */
static enum ingress_verdict run_body(TALLOC_CTX *ctx, const uint8_t *body,
				     size_t len, enum ingress_wr_stage stage,
				     enum ingress_reason *reason, bool *note)
{
	struct ingress ig;
	struct ingress_wrepl_result res = {};
	uint8_t *copy = talloc_memdup(ctx, len > 0 ? body : (const uint8_t *)"",
				      len > 0 ? len : 1);
	size_t blocks;

	assert_non_null(copy);
	ingress_init(&ig);
	blocks = talloc_total_blocks(ctx);
	ingress_wrepl(&ig, ctx, copy, len, stage, &res);
	*reason = res.reason;
	*note = ig.stats.by_reason[INGRESS_NOTE_WR_RESERVED] == 1;

	if (res.verdict == INGRESS_ACCEPT) {
		assert_int_equal(res.reason, INGRESS_OK);
		assert_non_null(res.pkt);
		assert_true(talloc_parent(res.pkt) == ctx);
		assert_int_equal(ig.stats.accepted, 1);
		assert_int_equal(counted(&ig), *note ? 1 : 0);
		TALLOC_FREE(res.pkt);
	} else {
		assert_int_equal(res.verdict, INGRESS_DROP);
		assert_null(res.pkt);
		assert_int_not_equal(res.reason, INGRESS_OK);
		assert_int_equal(ig.stats.accepted, 0);
		assert_int_equal(ig.stats.by_reason[res.reason], 1);
		assert_int_equal(counted(&ig), 1);
		/* a rejected message leaves nothing allocated */
		assert_int_equal(talloc_total_blocks(ctx), blocks);
	}
	talloc_free(copy);
	return res.verdict;
}

/* The table is self-consistent: Packet Length == bytes that follow. */
static void test_vector_table(void **state)
{
	size_t i;

	(void)state;
	assert_true(wrepl_vectors_count > 100);
	for (i = 0; i < wrepl_vectors_count; i++) {
		const struct wrepl_vector *v = &wrepl_vectors[i];

		assert_true(v->len >= 4);
		if (v->frame_reason != INGRESS_OK) {
			continue;
		}
		if (get_be32(v->bytes) != v->len - 4) {
			print_error("vector \"%s\": Packet Length %u, %zu "
				    "bytes follow\n",
				    v->name, get_be32(v->bytes), v->len - 4);
		}
		assert_int_equal(get_be32(v->bytes), v->len - 4);
		if (v->verdict == INGRESS_ACCEPT) {
			assert_int_equal(v->reason, INGRESS_OK);
		} else {
			assert_int_not_equal(v->reason, INGRESS_OK);
		}
	}
}

/* Every vector, framing first, then the body. */
static void test_vectors(void **state)
{
	TALLOC_CTX *ctx = *state;
	unsigned classes = 0;
	size_t failures = 0;
	size_t i;

	for (i = 0; i < wrepl_vectors_count; i++) {
		const struct wrepl_vector *v = &wrepl_vectors[i];
		struct ingress ig;
		enum ingress_reason fr;
		enum ingress_reason reason = INGRESS_OK;
		enum ingress_verdict verdict;
		bool note = false;

		ingress_init(&ig);
		fr = ingress_tcp42_frame(&ig, get_be32(v->bytes), v->stage);
		if (fr != v->frame_reason) {
			print_error("vector \"%s\": frame %s, want %s\n",
				    v->name, ingress_reason_str(fr),
				    ingress_reason_str(v->frame_reason));
			failures++;
			continue;
		}
		if (fr != INGRESS_OK) {
			/* counted once, nothing else */
			assert_int_equal(ig.stats.by_reason[fr], 1);
			assert_int_equal(counted(&ig), 1);
			classes |= 1u << (v->sec_class - 24);
			continue;
		}
		assert_int_equal(counted(&ig), 0);

		verdict = run_body(ctx, v->bytes + 4, v->len - 4, v->stage,
				   &reason, &note);
		if (verdict != v->verdict || reason != v->reason ||
		    note != v->note) {
			const char *got = ingress_reason_str(reason);
			const char *want = ingress_reason_str(v->reason);

			print_error("vector \"%s\": %s/%s%s, want %s/%s%s\n",
				    v->name, verdict_str(verdict), got,
				    note ? " +note" : "",
				    verdict_str(v->verdict), want,
				    v->note ? " +note" : "");
			failures++;
			continue;
		}
		if (v->sec_class >= 25 && v->sec_class <= 31) {
			classes |= 1u << (v->sec_class - 24);
		}
	}
	assert_int_equal(failures, 0);
	/* classes 25..31 each have at least one vector */
	assert_int_equal(classes, 0xFEu);
}

/*
 * Every proper prefix of every vector the table expects to be accepted is
 * refused, except Start/Stop bodies, which tolerate 20..64 and 16..64
 * bytes; and one byte more than a replication message is refused too.
 */
static void test_truncation(void **state)
{
	TALLOC_CTX *ctx = *state;
	size_t i;

	for (i = 0; i < wrepl_vectors_count; i++) {
		const struct wrepl_vector *v = &wrepl_vectors[i];
		const uint8_t *body = v->bytes + 4;
		size_t len = v->len - 4;
		uint32_t type;
		size_t min = 0;
		size_t max = 0;
		size_t cut;
		uint8_t *longer = NULL;
		enum ingress_reason reason;
		enum ingress_verdict verdict;
		bool note;

		if (v->frame_reason != INGRESS_OK ||
		    v->verdict != INGRESS_ACCEPT) {
			continue;
		}
		type = get_be32(body + 8);
		if (type == WRW_START_REQUEST || type == WRW_START_RESPONSE) {
			min = WRW_START_MIN;
			max = WRW_START_MAX;
		} else if (type == WRW_STOP_REQUEST) {
			min = WRW_STOP_MIN;
			max = WRW_STOP_MAX;
		}
		for (cut = 0; cut < len; cut++) {
			verdict = run_body(ctx, body, cut, v->stage, &reason,
					   &note);
			if (min != 0 && cut >= min) {
				assert_int_equal(verdict, INGRESS_ACCEPT);
				continue;
			}
			if (verdict != INGRESS_DROP) {
				print_error("vector \"%s\" cut at %zu "
					    "accepted\n", v->name, cut);
			}
			assert_int_equal(verdict, INGRESS_DROP);
			if (cut < WRW_HEADER_LEN) {
				assert_int_equal(reason, INGRESS_R_UNDERSIZE);
			}
		}
		longer = talloc_zero_array(ctx, uint8_t, len + 1);
		assert_non_null(longer);
		memcpy(longer, body, len);
		verdict = run_body(ctx, longer, len + 1, v->stage, &reason,
				   &note);
		if (max != 0 && len + 1 <= max) {
			assert_int_equal(verdict, INGRESS_ACCEPT);
		} else {
			assert_int_equal(verdict, INGRESS_DROP);
			assert_int_equal(reason, INGRESS_R_WR_BAD_LENGTH);
		}
		talloc_free(longer);
	}
}

/*
 * Mutations of every valid vector: each byte set to 0x00, 0xFF and
 * flipped in its top bit, in every stage.  Whatever the outcome, the
 * counters move exactly once (run_body checks), nothing leaks and nothing
 * is read out of bounds (valgrind).
 */
static void test_mutations(void **state)
{
	TALLOC_CTX *ctx = *state;
	static const enum ingress_wr_stage stages[] = {
		INGRESS_WR_PREASSOC, INGRESS_WR_ASSOC, INGRESS_WR_PULL_REPLY,
	};
	size_t accepted = 0;
	size_t dropped = 0;
	size_t i;

	for (i = 0; i < wrepl_vectors_count; i++) {
		const struct wrepl_vector *v = &wrepl_vectors[i];
		size_t len = v->len - 4;
		uint8_t *m = NULL;
		size_t pos;
		size_t s;
		int k;

		if (v->frame_reason != INGRESS_OK ||
		    v->verdict != INGRESS_ACCEPT) {
			continue;
		}
		m = talloc_memdup(ctx, v->bytes + 4, len);
		assert_non_null(m);
		for (pos = 0; pos < len; pos++) {
			uint8_t orig = m[pos];
			const uint8_t vals[3] = { 0x00, 0xFF, orig ^ 0x80 };

			for (k = 0; k < 3; k++) {
				m[pos] = vals[k];
				for (s = 0; s < 3; s++) {
					enum ingress_reason reason;
					bool note;

					if (run_body(ctx, m, len, stages[s],
						     &reason, &note) ==
					    INGRESS_ACCEPT) {
						accepted++;
					} else {
						dropped++;
					}
				}
			}
			m[pos] = orig;
		}
		talloc_free(m);
	}
	print_message("mutations: %zu accepted, %zu dropped\n", accepted,
		      dropped);
	assert_true(dropped > 0);
	assert_true(accepted > 0);
}

/*
 * The stage matrix: which message types and opcodes each stage lets
 * through (PROTOCOL.md 3.2, 3.5).
 */
static void test_stage_matrix(void **state)
{
	TALLOC_CTX *ctx = *state;
	static const struct {
		const char *what;
		uint32_t type;
		uint32_t op;
		bool pre;
		bool assoc;
		bool pull;
	} rows[] = {
		{ "start request", 0, 0, true, true, false },
		{ "start response", 1, 0, false, false, true },
		{ "stop", 2, 0, false, true, true },
		{ "map request", 3, 0, false, true, false },
		{ "map response", 3, 1, false, false, true },
		{ "names request", 3, 2, false, true, false },
		{ "names response", 3, 3, false, false, true },
		{ "update", 3, 4, false, true, false },
		{ "update2", 3, 5, false, true, false },
		{ "inform", 3, 8, false, true, false },
		{ "inform2", 3, 9, false, true, false },
	};
	static const enum ingress_wr_stage stages[] = {
		INGRESS_WR_PREASSOC, INGRESS_WR_ASSOC, INGRESS_WR_PULL_REPLY,
	};
	size_t r;
	size_t s;
	size_t i;

	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		const struct wrepl_vector *v = NULL;

		/* the first valid vector of this kind */
		for (i = 0; i < wrepl_vectors_count; i++) {
			const struct wrepl_vector *c = &wrepl_vectors[i];

			if (c->frame_reason != INGRESS_OK ||
			    c->verdict != INGRESS_ACCEPT || c->sec_class != 0 ||
			    get_be32(c->bytes + 12) != rows[r].type) {
				continue;
			}
			if (rows[r].type == 3 &&
			    get_be32(c->bytes + 16) != rows[r].op) {
				continue;
			}
			v = c;
			break;
		}
		if (v == NULL) {
			print_error("no valid vector for %s\n", rows[r].what);
		}
		assert_non_null(v);
		for (s = 0; s < 3; s++) {
			bool want = (s == 0) ? rows[r].pre :
				    (s == 1) ? rows[r].assoc : rows[r].pull;
			enum ingress_reason reason;
			enum ingress_verdict verdict;
			bool note;

			verdict = run_body(ctx, v->bytes + 4, v->len - 4,
					   stages[s], &reason, &note);
			if (want) {
				assert_int_equal(verdict, INGRESS_ACCEPT);
			} else {
				assert_int_equal(verdict, INGRESS_DROP);
				assert_int_equal(reason, INGRESS_R_WR_STAGE);
			}
		}
	}
}

/* Class 25 at the boundaries of every stage's cap. */
static void test_frame_boundaries(void **state)
{
	struct ingress ig;
	static const enum ingress_wr_stage stages[] = {
		INGRESS_WR_PREASSOC, INGRESS_WR_ASSOC, INGRESS_WR_PULL_REPLY,
	};
	uint32_t max[3];
	uint32_t min[3] = { WRW_START_MIN, WRW_HEADER_LEN, WRW_HEADER_LEN };
	uint32_t n;
	size_t s;

	(void)state;
	ingress_init(&ig);
	max[0] = ig.limits.wr_preassoc_max;
	max[1] = ig.limits.wr_request_max;
	max[2] = ig.limits.wr_response_max;
	/* a Start Request of 41 bytes fits before association */
	assert_true(max[0] >= WRW_START_LEN && max[0] <= WRW_START_MAX);

	for (s = 0; s < 3; s++) {
		for (n = 0; n < WRW_HEADER_LEN; n++) {
			assert_int_equal(ingress_tcp42_frame(&ig, n, stages[s]),
					 INGRESS_R_UNDERSIZE);
		}
		for (n = WRW_HEADER_LEN; n < min[s]; n++) {
			assert_int_not_equal(
				ingress_tcp42_frame(&ig, n, stages[s]),
				INGRESS_OK);
		}
		assert_int_equal(ingress_tcp42_frame(&ig, min[s], stages[s]),
				 INGRESS_OK);
		assert_int_equal(ingress_tcp42_frame(&ig, max[s], stages[s]),
				 INGRESS_OK);
		assert_int_equal(ingress_tcp42_frame(&ig, max[s] + 1,
						     stages[s]),
				 INGRESS_R_OVERSIZE);
		assert_int_equal(ingress_tcp42_frame(&ig, 0x7FFFFFFFu,
						     stages[s]),
				 INGRESS_R_OVERSIZE);
		assert_int_equal(ingress_tcp42_frame(&ig, 0xFFFFFFFFu,
						     stages[s]),
				 INGRESS_R_OVERSIZE);
	}
	assert_int_equal(ig.stats.accepted, 0);
}

/* Bodies of 0..11 bytes (and NULL) are UNDERSIZE in every stage. */
static void test_undersize(void **state)
{
	TALLOC_CTX *ctx = *state;
	static const uint8_t zeros[12] = {};
	struct ingress ig;
	struct ingress_wrepl_result res;
	enum ingress_reason reason;
	bool note;
	size_t len;
	int s;

	for (s = 0; s < 3; s++) {
		for (len = 0; len < WRW_HEADER_LEN; len++) {
			assert_int_equal(run_body(ctx, zeros, len,
						  (enum ingress_wr_stage)s,
						  &reason, &note),
					 INGRESS_DROP);
			assert_int_equal(reason, INGRESS_R_UNDERSIZE);
		}
	}
	ingress_init(&ig);
	ingress_wrepl(&ig, ctx, NULL, 41, INGRESS_WR_PREASSOC, &res);
	assert_int_equal(res.verdict, INGRESS_DROP);
	assert_int_equal(res.reason, INGRESS_R_UNDERSIZE);
	assert_null(res.pkt);
	assert_int_equal(counted(&ig), 1);
}

/* The configured owner and record caps are applied while decoding. */
static void test_policy_caps(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct ingress ig;
	struct ingress_wrepl_result res = {};
	const struct wrepl_vector *inform = NULL;
	const struct wrepl_vector *names = NULL;
	struct wrw_record recs[2];
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 2, .records = recs },
	};
	uint8_t *wire = NULL;
	size_t len = 0;
	size_t i;

	for (i = 0; i < wrepl_vectors_count; i++) {
		const struct wrepl_vector *v = &wrepl_vectors[i];

		if (strcmp(v->name, "inform (8), 2 owners") == 0) {
			inform = v;
		}
		if (strcmp(v->name, "map response, 2 owners") == 0) {
			names = v;
		}
	}
	assert_non_null(inform);
	assert_non_null(names);

	ingress_init(&ig);
	ig.limits.wr_max_owners = 1;
	ingress_wrepl(&ig, ctx, inform->bytes + 4, inform->len - 4,
		      INGRESS_WR_ASSOC, &res);
	assert_int_equal(res.verdict, INGRESS_DROP);
	assert_int_equal(res.reason, INGRESS_R_WR_BAD_COUNT);
	ingress_wrepl(&ig, ctx, names->bytes + 4, names->len - 4,
		      INGRESS_WR_PULL_REPLY, &res);
	assert_int_equal(res.reason, INGRESS_R_WR_BAD_COUNT);
	ig.limits.wr_max_owners = 2;
	ingress_wrepl(&ig, ctx, inform->bytes + 4, inform->len - 4,
		      INGRESS_WR_ASSOC, &res);
	assert_int_equal(res.verdict, INGRESS_ACCEPT);
	TALLOC_FREE(res.pkt);
	assert_int_equal(ig.stats.by_reason[INGRESS_R_WR_BAD_COUNT], 2);
	assert_int_equal(ig.stats.accepted, 1);

	memset(recs, 0, sizeof(recs));
	for (i = 0; i < 2; i++) {
		memcpy(recs[i].name.raw, "CAPPED         \x20", 16);
		recs[i].name.raw[6] = (uint8_t)('0' + i);
		recs[i].version = i + 1;
		recs[i].ip = 0xC6120201u;
	}
	assert_int_equal(wrw_encode_alloc(ctx, &p, &wire, &len), TWERR_OK);
	ig.limits.wr_max_records = 1;
	ingress_wrepl(&ig, ctx, wire + 4, len - 4, INGRESS_WR_PULL_REPLY,
		      &res);
	assert_int_equal(res.reason, INGRESS_R_WR_BAD_COUNT);
	ig.limits.wr_max_records = 2;
	ingress_wrepl(&ig, ctx, wire + 4, len - 4, INGRESS_WR_PULL_REPLY,
		      &res);
	assert_int_equal(res.verdict, INGRESS_ACCEPT);
	assert_int_equal(res.pkt->names.num_records, 2);
	assert_memory_equal(res.pkt->names.records[1].name.raw,
			    "CAPPED1        \x20", 16);
	TALLOC_FREE(res.pkt);
	talloc_free(wire);
}

/* What an accepted vector decodes to, for a few fields ingress exposes. */
static void test_accepted_content(void **state)
{
	TALLOC_CTX *ctx = *state;
	struct ingress ig;
	struct ingress_wrepl_result res = {};
	size_t i;
	bool seen_1b = false;
	bool seen_handle = false;

	ingress_init(&ig);
	for (i = 0; i < wrepl_vectors_count; i++) {
		const struct wrepl_vector *v = &wrepl_vectors[i];

		if (strstr(v->name, "0x1B name swapped") != NULL) {
			ingress_wrepl(&ig, ctx, v->bytes + 4, v->len - 4,
				      v->stage, &res);
			assert_int_equal(res.verdict, INGRESS_ACCEPT);
			assert_memory_equal(
				res.pkt->names.records[0].name.raw,
				"DOM            \x1b", 16);
			TALLOC_FREE(res.pkt);
			seen_1b = true;
		}
		if (strstr(v->name, "handle 0xFFFFFFFF") != NULL) {
			ingress_wrepl(&ig, ctx, v->bytes + 4, v->len - 4,
				      v->stage, &res);
			assert_int_equal(res.verdict, INGRESS_ACCEPT);
			/* for the association layer to compare */
			assert_int_equal(res.pkt->assoc_handle, 0xFFFFFFFFu);
			TALLOC_FREE(res.pkt);
			seen_handle = true;
		}
	}
	assert_true(seen_1b);
	assert_true(seen_handle);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vector_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mutations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage_matrix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_frame_boundaries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_undersize, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_caps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accepted_content, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
