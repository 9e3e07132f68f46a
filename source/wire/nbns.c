/*
 * tdbwins — NBNS packet codec (RFC 1002 4.2).
 *
 * Decoding is structural only (see nbns.h): every count is checked against
 * the bytes present before anything is allocated, every section is capped,
 * and every byte is read through the cursor.  The per-opcode shape rules
 * live in source/ingress/ingress_nbns.c.
 */
#include <string.h>

#include "nbns.h"

/*
 * Smallest wire sizes, used to check counts before allocating.  A name is
 * at least a 2-byte pointer, except the first name of the message, which
 * starts at offset 12 where no pointer can be valid (targets must be >= 12
 * and before the pointer): it is at least 0x20 + 32 characters + 0x00.
 */
#define NBP_MIN_NAME 2
#define NBP_MIN_FIRST_NAME 34
#define NBP_MIN_QUESTION (NBP_MIN_NAME + 4)	/* + QTYPE, QCLASS */
#define NBP_MIN_RR (NBP_MIN_NAME + 10)		/* + TYPE CLASS TTL RDLEN */

#define NBP_NB_ENTRY_LEN 6			/* NB_FLAGS + NB_ADDRESS */
#define NBP_NBSTAT_ENTRY_LEN 18			/* 16 raw bytes + flags */
#define NBP_NBSTAT_STATS_LEN 46			/* RFC 1002 4.2.18 */
#define NBP_NBSTAT_UNIT_ID_LEN 6
#define NBP_WACK_RDLENGTH 2			/* RFC 1002 4.2.16 */
#define NBP_QUESTION_PTR 0xc00c			/* pointer to offset 12 */

enum twerr nbp_decode_header(const uint8_t *buf, size_t len,
			     struct nbp_packet *hdr)
{
	struct wcur c = {};

	*hdr = (struct nbp_packet) {};
	wcur_init(&c, buf, len);
	if (wcur_remaining(&c) < NBP_HEADER_LEN) {
		return TWERR_TOO_SHORT;
	}
	hdr->trn_id = wcur_be16(&c);
	hdr->flags = wcur_be16(&c);
	hdr->qdcount = wcur_be16(&c);
	hdr->ancount = wcur_be16(&c);
	hdr->nscount = wcur_be16(&c);
	hdr->arcount = wcur_be16(&c);
	if (!wcur_ok(&c)) {
		*hdr = (struct nbp_packet) {};
		return c.err;
	}
	return TWERR_OK;
}

/*
 * Counts against bytes present, then the per-section cap.  The sums cannot
 * overflow a size_t: 4 * 65535 * 12 + 32 is far below 2^32.
 */
static enum twerr nbp_check_counts(const struct nbp_packet *h,
				   size_t remaining)
{
	size_t rrs = (size_t)h->ancount + h->nscount + h->arcount;
	size_t need = (size_t)h->qdcount * NBP_MIN_QUESTION +
		      rrs * NBP_MIN_RR;

	if (h->qdcount > 0 || rrs > 0) {
		need += NBP_MIN_FIRST_NAME - NBP_MIN_NAME;
	}
	if (need > remaining) {
		return TWERR_BAD_COUNT;
	}
	if (h->qdcount > NBP_MAX_RR_PER_SECTION ||
	    h->ancount > NBP_MAX_RR_PER_SECTION ||
	    h->nscount > NBP_MAX_RR_PER_SECTION ||
	    h->arcount > NBP_MAX_RR_PER_SECTION) {
		return TWERR_BAD_VALUE;
	}
	return TWERR_OK;
}

static bool nbp_decode_question(struct wcur *c, const struct wcur *msg,
				struct nbp_question *q)
{
	nbn_decode(c, msg, &q->name);
	q->qtype = wcur_be16(c);
	q->qclass = wcur_be16(c);
	return wcur_ok(c);
}

/*
 * RDATA: NB records become address entries when RDLENGTH is a non-zero
 * multiple of 6 (RFC 1002 4.2.1.3); anything else is kept as raw bytes so
 * that the ingress shape check can refuse it with a precise reason instead
 * of a handler seeing zero entries (Samba SA-7b).
 */
static bool nbp_decode_rdata(TALLOC_CTX *mem_ctx, struct wcur *c,
			     struct nbp_rr *rr)
{
	struct wcur rd = {};
	size_t n;
	size_t i;

	if (!wcur_sub(c, rr->rdlength, &rd)) {
		return false;
	}
	if (rr->rdlength == 0) {
		return true;
	}
	n = rr->rdlength / NBP_NB_ENTRY_LEN;
	if (rr->rr_type == NBP_TYPE_NB &&
	    rr->rdlength % NBP_NB_ENTRY_LEN == 0 && n <= NBP_MAX_NB_ADDRS) {
		rr->addrs = talloc_zero_array(mem_ctx, struct nbp_addr, n);
		if (rr->addrs == NULL) {
			wcur_fail(c, TWERR_NOMEM);
			return false;
		}
		for (i = 0; i < n; i++) {
			rr->addrs[i].nb_flags = wcur_be16(&rd);
			rr->addrs[i].ipv4 = wcur_be32(&rd);
		}
		rr->num_addrs = (uint16_t)n;
		return wcur_ok(&rd);
	}
	rr->rdata = talloc_array(mem_ctx, uint8_t, rr->rdlength);
	if (rr->rdata == NULL) {
		wcur_fail(c, TWERR_NOMEM);
		return false;
	}
	return wcur_copy(&rd, rr->rdata, rr->rdlength);
}

static bool nbp_decode_rr(TALLOC_CTX *mem_ctx, struct wcur *c,
			  const struct wcur *msg, struct nbp_rr *rr)
{
	nbn_decode(c, msg, &rr->name);
	rr->rr_type = wcur_be16(c);
	rr->rr_class = wcur_be16(c);
	rr->ttl = wcur_be32(c);
	rr->rdlength = wcur_be16(c);
	if (!wcur_ok(c)) {
		return false;
	}
	return nbp_decode_rdata(mem_ctx, c, rr);
}

static bool nbp_decode_section(TALLOC_CTX *mem_ctx, struct wcur *c,
			       const struct wcur *msg, uint16_t count,
			       struct nbp_rr **out)
{
	struct nbp_rr *rrs = NULL;
	size_t i;

	*out = NULL;
	if (count == 0 || !wcur_ok(c)) {
		return wcur_ok(c);
	}
	rrs = talloc_zero_array(mem_ctx, struct nbp_rr, count);
	if (rrs == NULL) {
		wcur_fail(c, TWERR_NOMEM);
		return false;
	}
	*out = rrs;
	for (i = 0; i < count; i++) {
		if (!nbp_decode_rr(rrs, c, msg, &rrs[i])) {
			return false;
		}
	}
	return true;
}

enum twerr nbp_decode(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
		      struct nbp_packet **out)
{
	TALLOC_CTX *tmp_ctx = NULL;
	struct nbp_packet *p = NULL;
	struct nbp_packet hdr = {};
	struct wcur msg = {};
	struct wcur c = {};
	enum twerr err;
	size_t i;

	*out = NULL;
	err = nbp_decode_header(buf, len, &hdr);
	if (err != TWERR_OK) {
		return err;
	}
	wcur_init(&msg, buf, len);
	c = msg;
	wcur_skip(&c, NBP_HEADER_LEN);

	/* MS04-006: every count is checked before anything is allocated */
	err = nbp_check_counts(&hdr, wcur_remaining(&c));
	if (err != TWERR_OK) {
		return err;
	}

	tmp_ctx = talloc_new(mem_ctx);
	if (tmp_ctx == NULL) {
		return TWERR_NOMEM;
	}
	p = talloc_zero(tmp_ctx, struct nbp_packet);
	if (p == NULL) {
		err = TWERR_NOMEM;
		goto done;
	}
	*p = hdr;

	if (p->qdcount > 0) {
		p->questions = talloc_zero_array(p, struct nbp_question,
						 p->qdcount);
		if (p->questions == NULL) {
			err = TWERR_NOMEM;
			goto done;
		}
	}
	for (i = 0; i < p->qdcount; i++) {
		if (!nbp_decode_question(&c, &msg, &p->questions[i])) {
			break;
		}
	}
	nbp_decode_section(p, &c, &msg, p->ancount, &p->answers);
	nbp_decode_section(p, &c, &msg, p->nscount, &p->authority);
	nbp_decode_section(p, &c, &msg, p->arcount, &p->additional);
	if (!wcur_ok(&c)) {
		err = c.err;
		goto done;
	}

	/* RFC 1002 does not forbid padding; Samba keeps it too */
	p->trailing = wcur_remaining(&c);
	*out = talloc_steal(mem_ctx, p);
	err = TWERR_OK;
done:
	talloc_free(tmp_ctx);
	return err;
}

/* ---- encode ---- */

static void nbp_encode_rdata_nb(struct wwr *w, const struct nbp_rr *rr)
{
	size_t i;

	if (rr->addrs == NULL ||
	    rr->num_addrs > UINT16_MAX / NBP_NB_ENTRY_LEN) {
		wwr_fail(w, TWERR_INTERNAL);
		return;
	}
	wwr_be16(w, (uint16_t)(rr->num_addrs * NBP_NB_ENTRY_LEN));
	for (i = 0; i < rr->num_addrs; i++) {
		wwr_be16(w, rr->addrs[i].nb_flags);
		wwr_be32(w, rr->addrs[i].ipv4);
	}
}

/*
 * Node status RDATA (RFC 1002 4.2.18): NUM_NAMES, 18-byte NODE_NAME
 * entries with the raw (not first-level encoded) name, then the 46-byte
 * STATISTICS block.  Only the unit id is ours to fill; every counter is
 * written as zero so that no byte depends on memory contents (MS03-034
 * leaked uninitialised padding from exactly this block).
 */
static void nbp_encode_rdata_nbstat(struct wwr *w, const struct nbp_nbstat *st)
{
	size_t rdlen = 1 + (size_t)st->num_names * NBP_NBSTAT_ENTRY_LEN +
		       NBP_NBSTAT_STATS_LEN;
	size_t i;

	if (st->num_names > 0 && st->names == NULL) {
		wwr_fail(w, TWERR_INTERNAL);
		return;
	}
	wwr_be16(w, (uint16_t)rdlen);
	wwr_u8(w, st->num_names);
	for (i = 0; i < st->num_names; i++) {
		wwr_bytes(w, st->names[i].raw, NBN_RAW_LEN);
		wwr_be16(w, st->names[i].flags);
	}
	wwr_bytes(w, st->unit_id, NBP_NBSTAT_UNIT_ID_LEN);
	wwr_zero(w, NBP_NBSTAT_STATS_LEN - NBP_NBSTAT_UNIT_ID_LEN);
}

static void nbp_encode_rr(struct wwr *w, const struct nbp_rr *rr,
			  const struct nbn_name *qname)
{
	if (qname != NULL && nbn_equal(&rr->name, qname)) {
		/* what Windows puts in every registration (RFC 1002 4.2.2) */
		wwr_be16(w, NBP_QUESTION_PTR);
	} else {
		nbn_encode(w, &rr->name);
	}

	if (rr->is_wack) {
		/*
		 * RFC 1002 4.2.16 says RR_TYPE NULL; Windows sends NB and so
		 * does Samba's source4 server (PROTOCOL.md 1.3).  RDATA is the
		 * request's flags word.
		 */
		wwr_be16(w, NBP_TYPE_NB);
		wwr_be16(w, NBP_CLASS_IN);
		wwr_be32(w, rr->ttl);
		wwr_be16(w, NBP_WACK_RDLENGTH);
		wwr_be16(w, rr->wack_flags);
		return;
	}

	wwr_be16(w, rr->rr_type);
	wwr_be16(w, rr->rr_class);
	wwr_be32(w, rr->ttl);
	if (rr->rr_type == NBP_TYPE_NB && rr->num_addrs > 0) {
		nbp_encode_rdata_nb(w, rr);
		return;
	}
	if (rr->rr_type == NBP_TYPE_NBSTAT && rr->nbstat != NULL) {
		nbp_encode_rdata_nbstat(w, rr->nbstat);
		return;
	}
	/* raw RDATA, e.g. the empty NULL record of a negative response */
	if (rr->rdlength > 0 && rr->rdata == NULL) {
		wwr_fail(w, TWERR_INTERNAL);
		return;
	}
	wwr_be16(w, rr->rdlength);
	wwr_bytes(w, rr->rdata, rr->rdlength);
}

static void nbp_encode_section(struct wwr *w, const struct nbp_rr *rrs,
			       uint16_t count, const struct nbn_name *qname)
{
	size_t i;

	for (i = 0; i < count && wwr_ok(w); i++) {
		nbp_encode_rr(w, &rrs[i], qname);
	}
}

enum twerr nbp_encode(struct wwr *w, const struct nbp_packet *p)
{
	const struct nbn_name *qname = NULL;
	size_t i;

	if (!wwr_ok(w)) {
		return w->err;
	}
	if ((p->qdcount > 0 && p->questions == NULL) ||
	    (p->ancount > 0 && p->answers == NULL) ||
	    (p->nscount > 0 && p->authority == NULL) ||
	    (p->arcount > 0 && p->additional == NULL)) {
		wwr_fail(w, TWERR_INTERNAL);
		return w->err;
	}

	wwr_be16(w, p->trn_id);
	wwr_be16(w, p->flags);
	wwr_be16(w, p->qdcount);
	wwr_be16(w, p->ancount);
	wwr_be16(w, p->nscount);
	wwr_be16(w, p->arcount);

	for (i = 0; i < p->qdcount && wwr_ok(w); i++) {
		nbn_encode(w, &p->questions[i].name);
		wwr_be16(w, p->questions[i].qtype);
		wwr_be16(w, p->questions[i].qclass);
	}
	if (p->qdcount > 0) {
		/* the first question always starts at message offset 12 */
		qname = &p->questions[0].name;
	}
	nbp_encode_section(w, p->answers, p->ancount, qname);
	nbp_encode_section(w, p->authority, p->nscount, qname);
	nbp_encode_section(w, p->additional, p->arcount, qname);
	return w->err;
}
