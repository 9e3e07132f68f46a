/*
 * tdbwins — the NBNS round-trip check shared by fuzz_nbns_request.c,
 * fuzz_nbns_response.c and fuzz_tcp137.c.
 *
 * Whatever ingress accepts, our encoder must be able to write back, and
 * ingress must accept that encoding again with the same meaning.  A
 * disagreement means the decoder and the encoder read the format
 * differently: exactly the kind of bug that lets a crafted packet mean one
 * thing to the validator and another to the code that echoes it.
 *
 * Every call is also checked against the counter invariants of
 * fuzz_counters.h.
 *
 * Only RRs whose RDATA the codec interprets are compared (NB with a
 * non-zero multiple of 6 bytes, or empty RDATA); packets with other RDATA
 * are checked for memory safety only.
 */
#ifndef TDBWINS_FUZZ_NBNS_H
#define TDBWINS_FUZZ_NBNS_H

#include "fuzz_common.h"
#include "fuzz_counters.h"
#include "ingress/ingress.h"
#include "wire/nbns.h"

static bool fuzz_nbns_rr_comparable(const struct nbp_rr *rr)
{
	if (rr->rdlength == 0) {
		return true;
	}
	return rr->rr_type == NBP_TYPE_NB && rr->num_addrs > 0 &&
	       rr->rdlength == 6 * rr->num_addrs && rr->addrs != NULL;
}

static bool fuzz_nbns_comparable(const struct nbp_packet *p)
{
	uint16_t i;

	for (i = 0; i < p->ancount; i++) {
		if (!fuzz_nbns_rr_comparable(&p->answers[i])) {
			return false;
		}
	}
	for (i = 0; i < p->nscount; i++) {
		if (!fuzz_nbns_rr_comparable(&p->authority[i])) {
			return false;
		}
	}
	for (i = 0; i < p->arcount; i++) {
		if (!fuzz_nbns_rr_comparable(&p->additional[i])) {
			return false;
		}
	}
	return true;
}

static bool fuzz_nbns_rr_same(const struct nbp_rr *a, const struct nbp_rr *b)
{
	uint16_t i;

	if (!nbn_equal(&a->name, &b->name) || a->rr_type != b->rr_type ||
	    a->rr_class != b->rr_class || a->ttl != b->ttl ||
	    a->rdlength != b->rdlength || a->num_addrs != b->num_addrs) {
		return false;
	}
	for (i = 0; i < a->num_addrs; i++) {
		if (a->addrs[i].nb_flags != b->addrs[i].nb_flags ||
		    a->addrs[i].ipv4 != b->addrs[i].ipv4) {
			return false;
		}
	}
	return true;
}

static bool fuzz_nbns_same(const struct nbp_packet *a,
			   const struct nbp_packet *b)
{
	uint16_t i;

	if (a->trn_id != b->trn_id || a->flags != b->flags ||
	    a->qdcount != b->qdcount || a->ancount != b->ancount ||
	    a->nscount != b->nscount || a->arcount != b->arcount) {
		return false;
	}
	for (i = 0; i < a->qdcount; i++) {
		const struct nbp_question *qa = &a->questions[i];
		const struct nbp_question *qb = &b->questions[i];

		if (!nbn_equal(&qa->name, &qb->name) ||
		    qa->qtype != qb->qtype || qa->qclass != qb->qclass) {
			return false;
		}
	}
	for (i = 0; i < a->ancount; i++) {
		if (!fuzz_nbns_rr_same(&a->answers[i], &b->answers[i])) {
			return false;
		}
	}
	for (i = 0; i < a->nscount; i++) {
		if (!fuzz_nbns_rr_same(&a->authority[i], &b->authority[i])) {
			return false;
		}
	}
	for (i = 0; i < a->arcount; i++) {
		if (!fuzz_nbns_rr_same(&a->additional[i], &b->additional[i])) {
			return false;
		}
	}
	return true;
}

/*
 * Run one NBNS message through entry, check the verdict/packet invariants
 * and the round trip.  Frees everything it allocated.
 */
static void fuzz_nbns_one(const char *target,
			  void (*entry)(struct ingress *ig, TALLOC_CTX *mem_ctx,
					const uint8_t *buf, size_t len,
					struct ingress_nbns_result *res),
			  struct ingress *ig, const uint8_t *data, size_t size)
{
	static uint8_t out[65536];
	struct ingress_nbns_result res = {};
	struct ingress_nbns_result again = {};
	struct ingress_stats before;
	struct wwr w = {};
	TALLOC_CTX *mem_ctx = NULL;
	uint8_t *buf = NULL;
	enum twerr err;

	buf = fuzz_copy(target, data, size);
	mem_ctx = talloc_new(NULL);
	if (mem_ctx == NULL) {
		fuzz_fail(target, "out of memory");
	}

	before = ig->stats;
	entry(ig, mem_ctx, buf, size, &res);
	fuzz_check_counted(target, &before, &ig->stats, res.verdict,
			   res.reason);

	if (res.reason >= INGRESS_REASON_COUNT) {
		fuzz_fail(target, "reason out of range");
	}
	if (res.verdict != INGRESS_ACCEPT) {
		if (res.verdict != INGRESS_DROP &&
		    res.verdict != INGRESS_ANSWER_ERROR) {
			fuzz_fail(target, "verdict out of range");
		}
		if (res.pkt != NULL) {
			fuzz_fail(target, "rejected, but a packet returned");
		}
		fuzz_check_empty(target, mem_ctx, "after a rejection");
		goto done;
	}
	if (res.pkt == NULL) {
		fuzz_fail(target, "accepted, but no packet returned");
	}

	if (!fuzz_nbns_comparable(res.pkt)) {
		goto free_pkt;
	}
	wwr_init(&w, out, sizeof(out));
	err = nbp_encode(&w, res.pkt);
	if (err != TWERR_OK) {
		fuzz_fail(target, "nbp_encode refused an accepted packet");
	}
	/* Uncompressed names may push it past what a datagram may hold. */
	if (wwr_len(&w) > ig->limits.udp_max) {
		goto free_pkt;
	}
	before = ig->stats;
	entry(ig, mem_ctx, out, wwr_len(&w), &again);
	fuzz_check_counted(target, &before, &ig->stats, again.verdict,
			   again.reason);
	if (again.verdict != INGRESS_ACCEPT || again.pkt == NULL) {
		fuzz_fail(target, "our own encoding of an accepted packet "
				  "was rejected");
	}
	if (!fuzz_nbns_same(res.pkt, again.pkt)) {
		fuzz_fail(target, "decode(encode(p)) differs from p");
	}
	TALLOC_FREE(again.pkt);

free_pkt:
	TALLOC_FREE(res.pkt);
	fuzz_check_empty(target, mem_ctx, "after freeing the packet");
done:
	talloc_free(mem_ctx);
	talloc_free(buf);
}

#endif /* TDBWINS_FUZZ_NBNS_H */
