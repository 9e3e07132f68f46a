/*
 * tdbwins — name challenge (PROTOCOL.md 2.3): ask the current holder(s) of a
 * name whether they still hold it before giving it to someone else.
 *
 * A unicast name query (RD=0, B=0) goes to UDP 137 of every address in the
 * record, with a fresh unpredictable transaction id, retried after
 * challenge_timeout_ms up to challenge_retries times.  An answer counts only
 * if it comes from the challenged address and port 137, carries our
 * transaction id, is a query response and names the same name (SA-9,
 * MS-14); anything else is ignored and counted.  The challenge goes only to
 * the record's addresses, never to the requester (SA-8).  The first
 * answer ends the challenge (positive: the name is held and the answer
 * lists the holder's addresses; negative: released); when no address
 * answers, it ends after the last retry (released).
 */
#include <string.h>

#include "nbns_private.h"
#include "../util/twlist.h"
#include "../util/twutil.h"

struct nbns_probe {
	struct nbns_probe *prev, *next;
	struct nbns_server *s;
	struct tevent_req *req;
	uint32_t ip;
	uint16_t trn_id;
	bool answered;
	bool held;
};

/* s->probes: every probe of every challenge in flight */
TWLIST_FUNCS(nbns_probe_list, struct nbns_probe, prev, next)

struct nbns_challenge_state {
	struct nbns_server *s;
	struct nbn_name name;
	uint32_t local_ip;
	struct nbns_probe *probes;	/* array, num entries */
	uint32_t num;
	uint32_t open;			/* probes not answered yet */
	uint32_t rounds_left;
	bool held;
	uint32_t listed[WREC_MAX_ADDRS];
	uint32_t num_listed;
};

static void nbns_challenge_send_round(struct tevent_req *req);
static int nbns_challenge_state_destructor(struct nbns_challenge_state *st);
static void nbns_challenge_timer(struct tevent_context *ev,
				 struct tevent_timer *te, struct timeval now,
				 void *private_data);

struct tevent_req *nbns_challenge_send(TALLOC_CTX *mem_ctx,
				       struct nbns_server *s,
				       const struct nbn_name *name,
				       const uint32_t *addrs, uint32_t num,
				       uint32_t local_ip)
{
	struct tevent_req *req = NULL;
	struct nbns_challenge_state *state = NULL;
	uint32_t i;

	req = tevent_req_create(mem_ctx, &state,
				struct nbns_challenge_state);
	if (req == NULL) {
		return NULL;
	}
	state->s = s;
	state->name = *name;
	state->local_ip = local_ip;
	state->rounds_left = 1 + s->conf->challenge_retries;
	state->probes = talloc_zero_array(state, struct nbns_probe, num);
	if (tevent_req_nomem(state->probes, req)) {
		return tevent_req_post(req, s->ev);
	}
	for (i = 0; i < num; i++) {
		struct nbns_probe *p = &state->probes[i];

		p->s = s;
		p->req = req;
		p->ip = addrs[i];
		p->trn_id = tw_random16();
		/* array members cannot carry destructors: link by hand and
		 * unlink in the state destructor below */
		nbns_probe_list_link(&s->probes, p);
	}
	state->num = num;
	state->open = num;
	talloc_set_destructor(state, nbns_challenge_state_destructor);
	s->stats.challenges++;
	if (num == 0) {
		tevent_req_done(req);
		return tevent_req_post(req, s->ev);
	}
	nbns_challenge_send_round(req);
	return req;
}

static int nbns_challenge_state_destructor(struct nbns_challenge_state *st)
{
	uint32_t i;

	for (i = 0; i < st->num; i++) {
		nbns_probe_list_unlink(&st->s->probes, &st->probes[i]);
	}
	return 0;
}

static void nbns_challenge_send_round(struct tevent_req *req)
{
	struct nbns_challenge_state *state =
		tevent_req_data(req, struct nbns_challenge_state);
	struct nbns_server *s = state->s;
	struct tevent_timer *te = NULL;
	uint32_t i;

	for (i = 0; i < state->num; i++) {
		struct nbns_probe *p = &state->probes[i];
		struct nbp_question q = {
			.name = state->name,
			.qtype = NBP_TYPE_NB,
			.qclass = NBP_CLASS_IN,
		};
		struct nbp_packet pkt = {
			.trn_id = p->trn_id,
			.flags = 0,	/* query, RD=0, B=0 */
			.qdcount = 1,
			.questions = &q,
		};
		struct nbns_src to = {
			.ip = p->ip,
			.port = 137,
			.local_ip = state->local_ip,
		};

		if (p->answered) {
			continue;
		}
		nbns_send_packet(s, &to, &pkt);
	}
	state->rounds_left--;
	te = tevent_add_timer(s->ev, state,
			      tevent_timeval_current_ofs(
				      s->conf->challenge_timeout_ms / 1000,
				      (s->conf->challenge_timeout_ms % 1000) *
					      1000),
			      nbns_challenge_timer, req);
	if (tevent_req_nomem(te, req)) {
		return;
	}
}

static void nbns_challenge_timer(struct tevent_context *ev,
				 struct tevent_timer *te, struct timeval now,
				 void *private_data)
{
	struct tevent_req *req = talloc_get_type_abort(private_data,
						       struct tevent_req);
	struct nbns_challenge_state *state =
		tevent_req_data(req, struct nbns_challenge_state);

	/* settled by a positive answer, or every probe answered */
	if (state->open == 0 || !tevent_req_is_in_progress(req)) {
		return;
	}
	if (state->rounds_left > 0) {
		nbns_challenge_send_round(req);
		return;
	}
	state->s->stats.challenge_timeout += state->open;
	tevent_req_done(req);
}

static void nbns_challenge_add_listed(struct nbns_challenge_state *state,
				      const struct nbp_rr *an)
{
	uint32_t i, k;

	for (i = 0; i < an->num_addrs; i++) {
		uint32_t ip = an->addrs[i].ipv4;
		bool dup = false;

		for (k = 0; k < state->num_listed; k++) {
			if (state->listed[k] == ip) {
				dup = true;
				break;
			}
		}
		if (!dup && state->num_listed < WREC_MAX_ADDRS) {
			state->listed[state->num_listed++] = ip;
		}
	}
}

void nbns_challenge_input(struct nbns_server *s, const struct nbns_src *src,
			  const struct nbp_packet *resp)
{
	struct nbns_probe *p = NULL;
	struct nbns_challenge_state *state = NULL;
	const struct nbp_rr *an = NULL;
	struct tevent_req *req = NULL;

	if (nbp_opcode(resp) != NBP_OP_QUERY || resp->ancount != 1) {
		s->stats.challenge_replies_ignored++;
		return;
	}
	an = &resp->answers[0];
	for (p = s->probes; p != NULL; p = p->next) {
		if (p->ip == src->ip && src->port == 137 &&
		    p->trn_id == resp->trn_id && !p->answered) {
			state = tevent_req_data(p->req,
						struct nbns_challenge_state);
			if (nbn_equal(&an->name, &state->name)) {
				break;
			}
		}
	}
	if (p == NULL) {
		s->stats.challenge_replies_ignored++;
		return;
	}
	p->answered = true;
	state->open--;
	if (nbp_rcode(resp) == NBP_RCODE_OK && an->rr_type == NBP_TYPE_NB &&
	    an->num_addrs > 0) {
		p->held = true;
		state->held = true;
		s->stats.challenge_positive++;
		nbns_challenge_add_listed(state, an);
	} else {
		s->stats.challenge_negative++;
	}
	/*
	 * The first answer settles it: the addresses of a record are one
	 * host's (unique or multihomed), and the host says whether it
	 * holds the name, listing its addresses if it does.  Samba asks the
	 * addresses one after another and stops at the first answer; only
	 * silence moves on.  Waiting for the other addresses would only
	 * delay the outcome by their timeouts.
	 */
	req = p->req;
	tevent_req_done(req);
}

bool nbns_challenge_recv(struct tevent_req *req, bool *held,
			 uint32_t *listed, uint32_t *num_listed)
{
	struct nbns_challenge_state *state =
		tevent_req_data(req, struct nbns_challenge_state);
	enum tevent_req_state req_state;
	uint64_t req_err;

	if (tevent_req_is_in_progress(req)) {
		return false;
	}
	if (tevent_req_is_error(req, &req_state, &req_err)) {
		/* treat an internal failure as "still held": never hand a
		 * name over because we could not ask */
		*held = true;
		*num_listed = 0;
		return false;
	}
	*held = state->held;
	memcpy(listed, state->listed, sizeof(uint32_t) * state->num_listed);
	*num_listed = state->num_listed;
	return true;
}
