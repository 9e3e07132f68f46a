/*
 * tdbwins — the one validating entry for NBNS messages (UDP and TCP 137).
 *
 * Order of checks for a request (docs/wire-nbns.md has the admin view):
 *   1. size (< 12 or over the transport maximum)        -> DROP
 *   2. header: R=1, B=1, opcode 7                        -> DROP
 *      undefined opcode                                  -> IMP_ERR
 *   3. structural decode (counts vs bytes, names)        -> FMT_ERR
 *   4. the opcode's exact shape (PROTOCOL.md 1.5 item 11) -> FMT_ERR
 *   5. tolerated anomalies (reserved bits, trailing bytes) -> counted notes
 * Each rejected message increments exactly one reject counter; notes are
 * counted only for accepted messages.
 */
#include <string.h>

#include "ingress.h"

/* note bits collected while checking, counted once the message is accepted */
#define INGRESS_NBNS_NOTE_RESERVED 0x1u
#define INGRESS_NBNS_NOTE_NB 0x2u
#define INGRESS_NBNS_NOTE_TRAILING 0x4u

/* Windows caps every address list at 25 entries (PROTOCOL.md 1.6). */
#define INGRESS_NBNS_MAX_ADDRS 25
#define INGRESS_NBNS_NB_ENTRY 6

static void ingress_nbns_reject(struct ingress *ig,
				struct ingress_nbns_result *res,
				enum ingress_verdict verdict,
				enum ingress_reason reason, uint8_t rcode)
{
	res->verdict = verdict;
	res->reason = ingress_count(ig, reason);
	res->rcode = (verdict == INGRESS_ANSWER_ERROR) ? rcode : 0;
	res->pkt = NULL;
}

static void ingress_nbns_count_notes(struct ingress *ig, unsigned notes)
{
	if ((notes & INGRESS_NBNS_NOTE_RESERVED) != 0) {
		ingress_count(ig, INGRESS_NOTE_RESERVED_FLAGS);
	}
	if ((notes & INGRESS_NBNS_NOTE_NB) != 0) {
		ingress_count(ig, INGRESS_NOTE_NB_RESERVED);
	}
	if ((notes & INGRESS_NBNS_NOTE_TRAILING) != 0) {
		ingress_count(ig, INGRESS_NOTE_TRAILING);
	}
}

/* The largest message either transport lets through its framing check. */
static size_t ingress_nbns_max(const struct ingress *ig)
{
	if (ig->limits.udp_max > ig->limits.tcp137_max) {
		return ig->limits.udp_max;
	}
	return ig->limits.tcp137_max;
}

/* Peer faults found by the structural decoder, as reject reasons. */
static enum ingress_reason ingress_nbns_decode_reason(enum twerr err)
{
	switch (err) {
	case TWERR_TRUNCATED:
	case TWERR_BAD_COUNT:
		return INGRESS_R_TRUNCATED;
	case TWERR_BAD_VALUE:
		/* a section above NBP_MAX_RR_PER_SECTION */
		return INGRESS_R_BAD_COUNTS;
	case TWERR_BAD_NAME:
		return INGRESS_R_BAD_NAME;
	case TWERR_BAD_LABEL:
		return INGRESS_R_BAD_LABEL;
	case TWERR_BAD_POINTER:
		return INGRESS_R_BAD_POINTER;
	case TWERR_NAME_TOO_LONG:
		return INGRESS_R_NAME_TOO_LONG;
	case TWERR_TOO_SHORT:
		return INGRESS_R_UNDERSIZE;
	default:
		return INGRESS_R_OTHER;
	}
}

static bool ingress_nbns_opcode_defined(uint8_t op)
{
	switch (op) {
	case NBP_OP_QUERY:
	case NBP_OP_REGISTER:
	case NBP_OP_RELEASE:
	case NBP_OP_WACK:
	case NBP_OP_REFRESH:
	case NBP_OP_REFRESH2:
	case NBP_OP_MHREGISTER:
		return true;
	default:
		return false;
	}
}

/* Query (RFC 1002 4.2.12, 4.2.17): one NB or NBSTAT question, nothing else */
static enum ingress_reason ingress_nbns_shape_query(const struct nbp_packet *p)
{
	const struct nbp_question *q = NULL;

	if (p->qdcount != 1 || p->ancount != 0 || p->nscount != 0 ||
	    p->arcount != 0) {
		return INGRESS_R_BAD_COUNTS;
	}
	q = &p->questions[0];
	if (q->qtype != NBP_TYPE_NB && q->qtype != NBP_TYPE_NBSTAT) {
		return INGRESS_R_BAD_QTYPE;
	}
	if (q->qclass != NBP_CLASS_IN) {
		return INGRESS_R_BAD_QTYPE;
	}
	return INGRESS_OK;
}

/*
 * Registration, release, refresh, multi-homed registration (RFC 1002
 * 4.2.2, 4.2.9, 4.2.4; opcode 0xF is Microsoft's): one NB question and one
 * additional NB record with exactly one address entry, for the same name.
 * These are the checks whose absence made Samba crash (CVE-2026-3238,
 * SECURITY.md SA-7/SA-7b); handlers may index questions[0], additional[0]
 * and addrs[0] without looking at the counts.
 */
static enum ingress_reason ingress_nbns_shape_nbrr(const struct nbp_packet *p,
						   unsigned *notes)
{
	const struct nbp_question *q = NULL;
	const struct nbp_rr *rr = NULL;

	if (p->qdcount != 1 || p->ancount != 0 || p->nscount != 0 ||
	    p->arcount != 1) {
		return INGRESS_R_BAD_COUNTS;
	}
	q = &p->questions[0];
	if (q->qtype != NBP_TYPE_NB || q->qclass != NBP_CLASS_IN) {
		return INGRESS_R_BAD_QTYPE;
	}
	rr = &p->additional[0];
	if (rr->rr_type != NBP_TYPE_NB) {
		return INGRESS_R_BAD_RR_TYPE;
	}
	if (rr->rr_class != NBP_CLASS_IN) {
		return INGRESS_R_BAD_RR_CLASS;
	}
	if (rr->rdlength != INGRESS_NBNS_NB_ENTRY || rr->num_addrs != 1 ||
	    rr->addrs == NULL) {
		return INGRESS_R_BAD_RDLENGTH;
	}
	/*
	 * Windows always points RR_NAME back at the question (0xC00C); an
	 * uncompressed copy is accepted if it is byte-identical.
	 */
	if (!nbn_equal(&rr->name, &q->name)) {
		return INGRESS_R_RR_NAME_MISMATCH;
	}
	/* RFC 1002 4.2.1.3: reserved NB_FLAGS bits, ignore on receipt */
	if ((rr->addrs[0].nb_flags & NBP_NB_RESERVED) != 0) {
		*notes |= INGRESS_NBNS_NOTE_NB;
	}
	return INGRESS_OK;
}

void ingress_nbns_request(struct ingress *ig, TALLOC_CTX *mem_ctx,
			  const uint8_t *buf, size_t len,
			  struct ingress_nbns_result *res)
{
	struct nbp_packet hdr = {};
	struct nbp_packet *p = NULL;
	enum ingress_reason reason;
	enum twerr err;
	unsigned notes = 0;
	uint8_t op;

	*res = (struct ingress_nbns_result) {
		.verdict = INGRESS_DROP,
	};

	err = nbp_decode_header(buf, len, &hdr);
	if (err != TWERR_OK) {
		ingress_nbns_reject(ig, res, INGRESS_DROP,
				    INGRESS_R_UNDERSIZE, 0);
		return;
	}
	res->trn_id = hdr.trn_id;
	res->flags = hdr.flags;

	/*
	 * The framing check has normally refused this already; repeated so
	 * that a caller (or a fuzzer) that skips it gets the same limit.
	 */
	if (len > ingress_nbns_max(ig)) {
		ingress_nbns_reject(ig, res, INGRESS_DROP,
				    INGRESS_R_OVERSIZE, 0);
		return;
	}

	/*
	 * A response arriving here matches nothing we sent (the challenge
	 * path uses ingress_nbns_response); answering it would allow
	 * ping-pong between servers (SECURITY.md PA-6, MS-12).
	 */
	if (nbp_is_response(&hdr)) {
		ingress_nbns_reject(ig, res, INGRESS_DROP,
				    INGRESS_R_UNSOLICITED_RESPONSE, 0);
		return;
	}
	op = nbp_opcode(&hdr);
	/*
	 * Broadcast traffic is not WINS traffic (PROTOCOL.md 1.1, F.2), but
	 * the server is also a NetBIOS node that answers queries for its own
	 * names and defends them against registrations and refreshes
	 * (RFC 1002 5.1.1), broadcast or not.  Those four opcodes go on to
	 * full validation and the server acts only for its own names (and
	 * counts the rest as INGRESS_R_BROADCAST); every other broadcast is
	 * dropped here.
	 */
	if ((hdr.flags & NBP_FLAG_B) != 0 && op != NBP_OP_QUERY &&
	    op != NBP_OP_REGISTER && op != NBP_OP_REFRESH &&
	    op != NBP_OP_REFRESH2) {
		ingress_nbns_reject(ig, res, INGRESS_DROP,
				    INGRESS_R_BROADCAST, 0);
		return;
	}
	/* WACK is only ever sent by a name server (RFC 1002 4.2.16) */
	if (op == NBP_OP_WACK) {
		ingress_nbns_reject(ig, res, INGRESS_DROP,
				    INGRESS_R_WACK_REQUEST, 0);
		return;
	}
	/*
	 * RFC 1002 4.2.6 defines IMP_ERR as "unsupported request error":
	 * the request is well formed enough to answer, so the client learns
	 * quickly instead of retrying into silence.
	 */
	if (!ingress_nbns_opcode_defined(op)) {
		ingress_nbns_reject(ig, res, INGRESS_ANSWER_ERROR,
				    INGRESS_R_BAD_OPCODE, NBP_RCODE_IMP);
		return;
	}
	/* RFC 1002 4.2.1.1: must be zero; tolerated like Windows does */
	if ((hdr.flags & NBP_FLAG_RESERVED) != 0) {
		notes |= INGRESS_NBNS_NOTE_RESERVED;
	}

	err = nbp_decode(mem_ctx, buf, len, &p);
	if (err == TWERR_NOMEM) {
		ingress_nbns_reject(ig, res, INGRESS_ANSWER_ERROR,
				    INGRESS_R_OTHER, NBP_RCODE_SVR);
		return;
	}
	if (err != TWERR_OK) {
		reason = ingress_nbns_decode_reason(err);
		ingress_nbns_reject(ig, res, INGRESS_ANSWER_ERROR, reason,
				    NBP_RCODE_FMT);
		return;
	}

	if (op == NBP_OP_QUERY) {
		reason = ingress_nbns_shape_query(p);
	} else {
		reason = ingress_nbns_shape_nbrr(p, &notes);
	}
	if (reason != INGRESS_OK) {
		TALLOC_FREE(p);
		ingress_nbns_reject(ig, res, INGRESS_ANSWER_ERROR, reason,
				    NBP_RCODE_FMT);
		return;
	}

	if (p->trailing > 0) {
		notes |= INGRESS_NBNS_NOTE_TRAILING;
	}
	ingress_nbns_count_notes(ig, notes);
	ingress_count(ig, INGRESS_OK);
	res->verdict = INGRESS_ACCEPT;
	res->reason = INGRESS_OK;
	res->pkt = p;
}

/*
 * Shape of an answer to one of our own queries: a positive or negative
 * name query response (RFC 1002 4.2.13, 4.2.14) to a challenge, or a name
 * release response (4.2.10) to a release demand.  Exactly one answer RR and
 * nothing else; an NB record carries 1..25 address entries, a negative
 * answer may use the NULL record with no RDATA.
 */
static bool ingress_nbns_response_shape(const struct nbp_packet *p,
					unsigned *notes)
{
	const struct nbp_rr *rr = NULL;
	uint8_t op = nbp_opcode(p);
	size_t i;

	if (!nbp_is_response(p)) {
		return false;
	}
	if (op != NBP_OP_QUERY && op != NBP_OP_RELEASE) {
		return false;
	}
	if (p->qdcount != 0 || p->ancount != 1 || p->nscount != 0 ||
	    p->arcount != 0) {
		return false;
	}
	rr = &p->answers[0];
	if (rr->rr_class != NBP_CLASS_IN) {
		return false;
	}
	if (rr->rr_type == NBP_TYPE_NULL) {
		return nbp_rcode(p) != NBP_RCODE_OK && rr->rdlength == 0;
	}
	if (rr->rr_type != NBP_TYPE_NB) {
		return false;
	}
	if (rr->rdlength == 0 ||
	    rr->rdlength % INGRESS_NBNS_NB_ENTRY != 0 ||
	    rr->rdlength > INGRESS_NBNS_MAX_ADDRS * INGRESS_NBNS_NB_ENTRY ||
	    rr->addrs == NULL) {
		return false;
	}
	for (i = 0; i < rr->num_addrs; i++) {
		if ((rr->addrs[i].nb_flags & NBP_NB_RESERVED) != 0) {
			*notes |= INGRESS_NBNS_NOTE_NB;
		}
	}
	return true;
}

void ingress_nbns_response(struct ingress *ig, TALLOC_CTX *mem_ctx,
			   const uint8_t *buf, size_t len,
			   struct ingress_nbns_result *res)
{
	struct nbp_packet hdr = {};
	struct nbp_packet *p = NULL;
	enum twerr err;
	unsigned notes = 0;
	bool ok;

	*res = (struct ingress_nbns_result) {
		.verdict = INGRESS_DROP,
	};

	err = nbp_decode_header(buf, len, &hdr);
	if (err != TWERR_OK) {
		ingress_nbns_reject(ig, res, INGRESS_DROP,
				    INGRESS_R_UNDERSIZE, 0);
		return;
	}
	res->trn_id = hdr.trn_id;
	res->flags = hdr.flags;
	if (len > ingress_nbns_max(ig)) {
		ingress_nbns_reject(ig, res, INGRESS_DROP,
				    INGRESS_R_OVERSIZE, 0);
		return;
	}

	/*
	 * Everything else is one reason: a reply we cannot use is never
	 * answered, and its counter tells the admin that challenge replies
	 * are malformed, apart from the request-path counters.
	 */
	err = nbp_decode(mem_ctx, buf, len, &p);
	if (err != TWERR_OK) {
		ingress_nbns_reject(ig, res, INGRESS_DROP,
				    INGRESS_R_BAD_RESPONSE, 0);
		return;
	}
	ok = ingress_nbns_response_shape(p, &notes);
	if (!ok) {
		TALLOC_FREE(p);
		ingress_nbns_reject(ig, res, INGRESS_DROP,
				    INGRESS_R_BAD_RESPONSE, 0);
		return;
	}
	if ((p->flags & NBP_FLAG_RESERVED) != 0) {
		notes |= INGRESS_NBNS_NOTE_RESERVED;
	}
	if (p->trailing > 0) {
		notes |= INGRESS_NBNS_NOTE_TRAILING;
	}
	ingress_nbns_count_notes(ig, notes);
	ingress_count(ig, INGRESS_OK);
	res->verdict = INGRESS_ACCEPT;
	res->reason = INGRESS_OK;
	res->pkt = p;
}
