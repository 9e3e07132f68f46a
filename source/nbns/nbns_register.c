/*
 * tdbwins — registration, refresh and release (PROTOCOL.md 2.2-2.9).
 *
 * A request either gets an immediate answer (policy refusal, no change),
 * or changes the store and is answered once that change has committed
 * (durable before acknowledged), or first challenges the current holder
 * (WACK to the requester, nbns_challenge) and then decides.
 */
#include <string.h>

#include "nbns_private.h"
#include "../util/twlist.h"
#include "../util/twutil.h"

struct nbns_reg {
	struct nbns_reg *prev, *next;	/* s->regs while challenging */
	struct nbns_server *s;
	struct nbns_src src;
	struct nbp_packet *req;
	struct nbn_name name;
	uint8_t opcode;
	enum wrec_type type;		/* what the request asks for */
	enum wrec_node node;
	uint32_t addr;
	uint32_t ttl;			/* granted */
	bool release;
	struct wrec old;		/* record before the challenge */
	struct wrec rec;		/* record to write */
	bool write;
	enum nbns_hook_op hook_op;
	bool hook;
	uint8_t rcode;
	bool listed_in_regs;
	bool committing;
};

/* s->regs: registrations waiting for their challenge */
TWLIST_FUNCS(nbns_reg_list, struct nbns_reg, prev, next)

static void nbns_reg_synced(struct tevent_req *subreq);
static void nbns_reg_hook_done(struct tevent_req *subreq);
static void nbns_reg_challenged(struct tevent_req *subreq);

static int nbns_reg_destructor(struct nbns_reg *r)
{
	struct nbns_server *s = r->s;

	if (r->listed_in_regs) {
		nbns_reg_list_unlink(&s->regs, r);
		s->num_challenging--;
		r->listed_in_regs = false;
	}
	if (r->committing) {
		s->num_committing--;
		r->committing = false;
	}
	return 0;
}

static void nbns_reg_answer(struct nbns_reg *r)
{
	if (r->release) {
		nbns_reply_release(r->s, &r->src, r->req, r->rcode);
	} else {
		nbns_reply_register(r->s, &r->src, r->req, r->rcode, r->ttl);
	}
	talloc_free(r);
}

/* Answer now, nothing changed. */
static void nbns_reg_reply(struct nbns_reg *r, uint8_t rcode)
{
	r->rcode = rcode;
	nbns_reg_answer(r);
}

/* Write r->rec, wait for the commit, run the hook, then answer. */
static void nbns_reg_commit(struct nbns_reg *r, unsigned flags)
{
	struct nbns_server *s = r->s;
	struct tevent_req *subreq = NULL;
	enum twerr err;

	err = wdb_put(s->db, &r->rec, flags);
	if (err != TWERR_OK) {
		s->stats.db_errors++;
		TW_ERR("cannot store registration: %s", twerr_str(err));
		nbns_reg_reply(r, NBP_RCODE_SVR);
		return;
	}
	r->committing = true;
	s->num_committing++;
	subreq = wdb_sync_send(r, s->ev, s->db);
	if (subreq == NULL) {
		nbns_reg_reply(r, NBP_RCODE_SVR);
		return;
	}
	tevent_req_set_callback(subreq, nbns_reg_synced, r);
}

static void nbns_reg_synced(struct tevent_req *subreq)
{
	struct nbns_reg *r = tevent_req_callback_data(subreq,
						      struct nbns_reg);
	struct nbns_server *s = r->s;
	enum twerr err = wdb_sync_recv(subreq);

	TALLOC_FREE(subreq);
	r->committing = false;
	s->num_committing--;
	if (err != TWERR_OK) {
		/* not durable: must not be acknowledged */
		s->stats.db_errors++;
		TW_ERR("commit failed: %s", twerr_str(err));
		nbns_reg_reply(r, NBP_RCODE_SVR);
		return;
	}
	if (r->hook) {
		subreq = nbns_hook_send(r, s, &r->rec, r->hook_op);
		if (subreq != NULL) {
			tevent_req_set_callback(subreq, nbns_reg_hook_done, r);
			return;
		}
	}
	nbns_reg_answer(r);
}

static void nbns_reg_hook_done(struct tevent_req *subreq)
{
	struct nbns_reg *r = tevent_req_callback_data(subreq,
						      struct nbns_reg);

	nbns_hook_recv(subreq);
	TALLOC_FREE(subreq);
	nbns_reg_answer(r);
}

static int nbns_addr_index(const struct wrec *rec, uint32_t ip)
{
	uint32_t i;

	for (i = 0; i < rec->num_addrs; i++) {
		if (rec->addrs[i].ip == ip) {
			return (int)i;
		}
	}
	return -1;
}

static void nbns_addr_remove(struct wrec *rec, uint32_t idx)
{
	memmove(&rec->addrs[idx], &rec->addrs[idx + 1],
		sizeof(rec->addrs[0]) * (rec->num_addrs - idx - 1));
	rec->num_addrs--;
	memset(&rec->addrs[rec->num_addrs], 0, sizeof(rec->addrs[0]));
}

/*
 * Add an address to an S or M record.  Past 25 addresses a replica address
 * makes room first, else the one that expires first (KB 140064).
 */
static void nbns_addr_add(struct nbns_server *s, struct wrec *rec,
			  uint32_t ip, int64_t expire)
{
	uint32_t local = wdb_local_owner(s->db);
	uint32_t victim = 0;
	bool found = false;
	uint32_t i;

	if (rec->num_addrs >= WREC_MAX_ADDRS) {
		for (i = 0; i < rec->num_addrs; i++) {
			if (rec->addrs[i].owner != local) {
				victim = i;
				found = true;
				break;
			}
		}
		if (!found) {
			for (i = 1; i < rec->num_addrs; i++) {
				if (rec->addrs[i].expire <
				    rec->addrs[victim].expire) {
					victim = i;
				}
			}
		}
		nbns_addr_remove(rec, victim);
	}
	rec->addrs[rec->num_addrs++] = (struct wrec_addr) {
		.ip = ip,
		.owner = local,
		.expire = expire,
	};
}

static void nbns_reg_fresh(struct nbns_reg *r)
{
	struct nbns_server *s = r->s;
	int64_t expire = tw_now() + r->ttl;

	r->rec = (struct wrec) {
		.name = r->name,
		.type = r->type,
		.state = WREC_ACTIVE,
		.node = r->node,
		.owner = wdb_local_owner(s->db),
		.expire = expire,
		.registered_by = r->src.ip,
		.num_addrs = 1,
	};
	r->rec.addrs[0] = (struct wrec_addr) {
		/* normal groups keep no member addresses */
		.ip = (r->type == WREC_GROUP) ? 0xffffffffu : r->addr,
		.owner = r->rec.owner,
		.expire = expire,
	};
	r->hook = true;
	r->hook_op = NBNS_HOOK_ADD;
	if (r->type == WREC_GROUP) {
		s->stats.registrations_group++;
	} else {
		s->stats.registrations_unique++;
	}
	nbns_reg_commit(r, WDB_ALLOC_VERSION);
}

/* Refresh an existing active record; a replica becomes ours. */
static void nbns_reg_refresh(struct nbns_reg *r, const struct wrec *have)
{
	struct nbns_server *s = r->s;
	int64_t expire = tw_now() + r->ttl;
	uint32_t local = wdb_local_owner(s->db);
	unsigned flags = 0;
	int idx;

	r->rec = *have;
	r->rec.expire = expire;
	r->rec.registered_by = r->src.ip;
	idx = nbns_addr_index(&r->rec, r->addr);
	if (r->rec.type == WREC_GROUP) {
		if (r->rec.num_addrs > 0) {
			r->rec.addrs[0].expire = expire;
		}
	} else if (idx >= 0) {
		r->rec.addrs[idx].expire = expire;
	} else {
		/* S record: a new member ([MS-WINSRA] 3.1.1.2: new version) */
		nbns_addr_add(s, &r->rec, r->addr, expire);
		flags = WDB_ALLOC_VERSION;
	}
	if (r->rec.owner != local) {
		flags = WDB_ALLOC_VERSION;
	}
	s->stats.refreshes++;
	r->hook = true;
	r->hook_op = NBNS_HOOK_REFRESH;
	nbns_reg_commit(r, flags);
}

static bool nbns_reg_is_retransmit(struct nbns_server *s,
				   const struct nbns_src *src,
				   const struct nbp_packet *req)
{
	struct nbns_reg *o = NULL;

	for (o = s->regs; o != NULL; o = o->next) {
		if (o->src.ip == src->ip && o->src.port == src->port &&
		    o->src.tcp_conn == src->tcp_conn &&
		    o->req->trn_id == req->trn_id &&
		    nbp_opcode(o->req) == nbp_opcode(req)) {
			return true;
		}
	}
	return false;
}

static bool nbns_reg_name_busy(struct nbns_server *s,
			       const struct nbn_name *name)
{
	struct nbns_reg *o = NULL;

	for (o = s->regs; o != NULL; o = o->next) {
		if (nbn_equal(&o->name, name)) {
			return true;
		}
	}
	return false;
}

static void nbns_reg_challenge(struct nbns_reg *r, const struct wrec *have)
{
	struct nbns_server *s = r->s;
	struct tevent_req *subreq = NULL;
	uint32_t addrs[WREC_MAX_ADDRS];
	uint32_t i;

	if (s->num_challenging >= s->conf->max_challenges) {
		/* bounded challenge concurrency (SECURITY.md F.5) */
		nbns_reg_reply(r, NBP_RCODE_SVR);
		return;
	}
	r->old = *have;
	for (i = 0; i < have->num_addrs; i++) {
		addrs[i] = have->addrs[i].ip;
	}
	/* the time our challenge can take, plus slack (Samba: 5 + 4n) */
	nbns_reply_wack(s, &r->src, r->req, 5 + 4 * have->num_addrs);
	subreq = nbns_challenge_send(r, s, &r->name, addrs, have->num_addrs,
				     r->src.local_ip);
	if (subreq == NULL) {
		nbns_reg_reply(r, NBP_RCODE_SVR);
		return;
	}
	tevent_req_set_callback(subreq, nbns_reg_challenged, r);
	nbns_reg_list_link(&s->regs, r);
	r->listed_in_regs = true;
	s->num_challenging++;
}

static void nbns_reg_challenged(struct tevent_req *subreq)
{
	struct nbns_reg *r = tevent_req_callback_data(subreq,
						      struct nbns_reg);
	struct nbns_server *s = r->s;
	uint32_t listed[WREC_MAX_ADDRS];
	uint32_t num_listed = 0;
	struct wrec now = {};
	bool held = true;
	bool found = false;
	bool listed_new = false;
	enum twerr err;
	uint32_t i;

	nbns_challenge_recv(subreq, &held, listed, &num_listed);
	TALLOC_FREE(subreq);
	nbns_reg_destructor(r);	/* leave the WACK list */

	err = wdb_fetch(s->db, &r->name, &now, &found);
	if (err != TWERR_OK) {
		s->stats.db_errors++;
		nbns_reg_reply(r, NBP_RCODE_SVR);
		return;
	}
	/* changed under us (replication, another request): deny */
	if (found && (now.version != r->old.version ||
		      now.owner != r->old.owner)) {
		nbns_reg_reply(r, NBP_RCODE_ACT);
		return;
	}
	for (i = 0; i < num_listed; i++) {
		if (listed[i] == r->addr) {
			listed_new = true;
		}
	}
	if (held && listed_new && found &&
	    (r->type == WREC_UNIQUE || r->type == WREC_MHOMED)) {
		/* the same multihomed host: merge into an M record */
		int64_t expire = tw_now() + r->ttl;

		r->rec = now;
		r->rec.type = WREC_MHOMED;
		r->rec.expire = expire;
		if (nbns_addr_index(&r->rec, r->addr) < 0) {
			nbns_addr_add(s, &r->rec, r->addr, expire);
		}
		r->hook = true;
		r->hook_op = NBNS_HOOK_REFRESH;
		nbns_reg_commit(r, WDB_ALLOC_VERSION);
		return;
	}
	if (held) {
		if (r->type == WREC_GROUP || r->type == WREC_SGROUP) {
			s->stats.conflicts_group++;
		} else {
			s->stats.conflicts_unique++;
		}
		nbns_reg_reply(r, NBP_RCODE_ACT);
		return;
	}
	nbns_reg_fresh(r);
}

static bool nbns_policy_refuse(struct nbns_reg *r, const char *why)
{
	struct nbns_server *s = r->s;
	char name[NBN_PRINT_MAX];
	char ip[TW_IPSTR_LEN];

	s->stats.registrations_refused++;
	twlog_limited(&s->rl_policy, TWLOG_NOTICE,
		      "refused registration of %s from %s: %s",
		      nbn_print(&r->name, name, sizeof(name)),
		      tw_ipstr(r->src.ip, ip), why);
	nbns_reg_reply(r, NBP_RCODE_RFS);
	return true;
}

/* Checks that need no database read.  true: answered. */
static bool nbns_reg_precheck(struct nbns_reg *r, bool group)
{
	struct nbns_server *s = r->s;
	uint8_t suffix = nbn_suffix(&r->name);
	struct nbn_name wildcard;

	if (r->name.scope_len > NBN_SCOPE_SEMANTIC_MAX) {
		/* what Windows and Samba answer for scopes over 237 bytes */
		nbns_reg_reply(r, NBP_RCODE_SVR);
		return true;
	}
	nbn_make(&wildcard, "*", 0x00, NULL);
	if (memcmp(r->name.raw, wildcard.raw, NBN_RAW_LEN) == 0) {
		return nbns_policy_refuse(r, "wildcard name");
	}
	/* Windows Server 2003 suffix rules, PROTOCOL.md 2.2 */
	if (suffix == 0x1b && group) {
		return nbns_policy_refuse(r, "<1b> must be unique");
	}
	if ((suffix == 0x1c || suffix == 0x1e) && !group) {
		return nbns_policy_refuse(r, "<1c>/<1e> must be a group");
	}
	if (nbns_is_protected(s->conf, &r->name)) {
		return nbns_policy_refuse(r, "protected name");
	}
	if (!nbns_addr_acceptable(r->addr)) {
		return nbns_policy_refuse(r, "address class not registrable");
	}
	if (s->conf->dc_names_from_holder &&
	    (suffix == 0x1b || suffix == 0x1c) && r->addr != r->src.ip) {
		/*
		 * PA-1/MS-11: a domain's DC names only from the DC itself.
		 * Off by default: Windows does not check it and Samba's
		 * torture suite registers <1b> for another address.
		 */
		return nbns_policy_refuse(r, "<1b>/<1c> for another address");
	}
	if (suffix == 0x1d && !group) {
		/* acknowledged but never stored: queries for 1D are negative */
		nbns_reg_reply(r, NBP_RCODE_OK);
		return true;
	}
	if (s->conf->burst_handling &&
	    nbns_pending(s) >= s->conf->burst_queue) {
		/*
		 * Burst handling (PROTOCOL.md 2.13): answer at once with a
		 * short TTL, 5 minutes for the first 100, 5 more for each
		 * further 100, at most 50, so the refreshes spread out.
		 */
		uint32_t step = (s->burst_seq++ / 100) % 10;

		s->stats.burst_answers++;
		r->ttl = 300 * (step + 1);
		nbns_reg_reply(r, NBP_RCODE_OK);
		return true;
	}
	return false;
}

void nbns_handle_register(struct nbns_server *s, const struct nbns_src *src,
			  struct nbp_packet *req)
{
	struct nbns_reg *r = NULL;
	const struct nbp_rr *rr = &req->additional[0];
	uint16_t nb_flags = rr->addrs[0].nb_flags;
	bool group = (nb_flags & NBP_NB_GROUP) != 0;
	bool refresh = false;
	struct wrec have = {};
	bool found = false;
	enum twerr err;

	if (nbns_reg_is_retransmit(s, src, req)) {
		/* the requester resent while we challenge: its WACK stands */
		s->stats.wack_retransmits_ignored++;
		talloc_free(req);
		return;
	}
	r = talloc_zero(s, struct nbns_reg);
	if (r == NULL) {
		talloc_free(req);
		return;
	}
	talloc_set_destructor(r, nbns_reg_destructor);
	r->s = s;
	r->src = *src;
	r->req = talloc_steal(r, req);
	r->name = req->questions[0].name;
	r->opcode = nbp_opcode(req);
	r->addr = rr->addrs[0].ipv4;
	r->node = (enum wrec_node)((nb_flags & NBP_NB_ONT_MASK) >> 13);
	r->ttl = nbns_clamp_ttl(s->conf, rr->ttl);
	refresh = (r->opcode == NBP_OP_REFRESH ||
		   r->opcode == NBP_OP_REFRESH2);
	if (nbn_suffix(&r->name) == 0x1c) {
		r->type = WREC_SGROUP;
	} else if (group) {
		r->type = WREC_GROUP;
	} else if (r->opcode == NBP_OP_MHREGISTER) {
		r->type = WREC_MHOMED;
	} else {
		r->type = WREC_UNIQUE;
	}

	if (nbns_reg_precheck(r, group)) {
		return;
	}
	if (nbns_reg_name_busy(s, &r->name)) {
		/* one challenge per name at a time: later ones are denied */
		nbns_reg_reply(r, NBP_RCODE_ACT);
		return;
	}
	err = wdb_fetch(s->db, &r->name, &have, &found);
	if (err != TWERR_OK) {
		s->stats.db_errors++;
		nbns_reg_reply(r, NBP_RCODE_SVR);
		return;
	}
	if (!found || have.state != WREC_ACTIVE) {
		/* unknown, released or tombstone: a fresh registration */
		nbns_reg_fresh(r);
		return;
	}
	/*
	 * Static unique names are not overwritable, unless migrate is on:
	 * then static U/M records are "pseudo-static" and a registration
	 * challenges their holder like any other (PROTOCOL.md 2.9).
	 */
	if (have.is_static &&
	    !(s->conf->migrate && (have.type == WREC_UNIQUE ||
				   have.type == WREC_MHOMED))) {
		if (have.type == WREC_UNIQUE || have.type == WREC_MHOMED) {
			nbns_reg_reply(r, NBP_RCODE_ACT);
		} else {
			nbns_reg_reply(r, NBP_RCODE_OK);
		}
		return;
	}
	if (refresh && group != (have.type == WREC_GROUP ||
				 have.type == WREC_SGROUP)) {
		/* a refresh must not change the record's kind */
		nbns_reg_reply(r, NBP_RCODE_ACT);
		return;
	}
	switch (have.type) {
	case WREC_GROUP:
		if (r->type == WREC_GROUP) {
			nbns_reg_refresh(r, &have);
		} else {
			nbns_reg_reply(r, NBP_RCODE_ACT);
		}
		return;
	case WREC_SGROUP:
		if (r->type == WREC_SGROUP) {
			nbns_reg_refresh(r, &have);
		} else {
			nbns_reg_reply(r, NBP_RCODE_ACT);
		}
		return;
	case WREC_UNIQUE:
	case WREC_MHOMED:
		if ((r->type == WREC_UNIQUE || r->type == WREC_MHOMED) &&
		    nbns_addr_index(&have, r->addr) >= 0) {
			nbns_reg_refresh(r, &have);
			return;
		}
		nbns_reg_challenge(r, &have);
		return;
	}
	nbns_reg_reply(r, NBP_RCODE_SVR);
}

/*
 * Release (PROTOCOL.md 2.9): acted on only when it comes from one of the
 * record's addresses, always answered positively (but static groups: ACT).
 */
void nbns_handle_release(struct nbns_server *s, const struct nbns_src *src,
			 struct nbp_packet *req)
{
	struct nbns_reg *r = NULL;
	struct wrec have = {};
	bool found = false;
	uint32_t local = wdb_local_owner(s->db);
	int64_t now = tw_now();
	enum twerr err;
	int idx;

	r = talloc_zero(s, struct nbns_reg);
	if (r == NULL) {
		talloc_free(req);
		return;
	}
	talloc_set_destructor(r, nbns_reg_destructor);
	r->s = s;
	r->src = *src;
	r->req = talloc_steal(r, req);
	r->name = req->questions[0].name;
	r->release = true;
	s->stats.releases++;

	err = wdb_fetch(s->db, &r->name, &have, &found);
	if (err != TWERR_OK) {
		s->stats.db_errors++;
		nbns_reg_reply(r, NBP_RCODE_SVR);
		return;
	}
	if (!found || have.state != WREC_ACTIVE) {
		s->stats.releases_ignored++;
		nbns_reg_reply(r, NBP_RCODE_OK);
		return;
	}
	if (have.is_static) {
		s->stats.releases_ignored++;
		nbns_reg_reply(r, (have.type == WREC_GROUP ||
				   have.type == WREC_SGROUP)
					  ? NBP_RCODE_ACT
					  : NBP_RCODE_OK);
		return;
	}
	r->rec = have;
	idx = nbns_addr_index(&have, src->ip);
	if (have.type != WREC_GROUP) {
		if (idx < 0) {
			/* MS-12: not from the holder, change nothing */
			s->stats.releases_ignored++;
			nbns_reg_reply(r, NBP_RCODE_OK);
			return;
		}
		if (have.type == WREC_SGROUP || have.type == WREC_MHOMED) {
			nbns_addr_remove(&r->rec, (uint32_t)idx);
		} else {
			r->rec.num_addrs = 0;
		}
	}
	s->stats.releases_ok++;
	if (r->rec.num_addrs > 0 && have.type != WREC_GROUP) {
		/* S or M record with members left: stays active */
		r->hook = true;
		r->hook_op = NBNS_HOOK_REFRESH;
		nbns_reg_commit(r, 0);
		return;
	}
	r->hook = true;
	r->hook_op = NBNS_HOOK_DELETE;
	if (have.owner != local) {
		/*
		 * A replica we do not own: take it over as a tombstone with a
		 * new version so the release replicates back to its owner.
		 */
		r->rec.state = WREC_TOMBSTONE;
		r->rec.expire = now + s->conf->tombstone_interval +
				s->conf->tombstone_timeout;
		nbns_reg_commit(r, WDB_ALLOC_VERSION);
		return;
	}
	r->rec.state = WREC_RELEASED;
	r->rec.expire = now + s->conf->tombstone_interval;
	if (have.type != WREC_GROUP) {
		/* keep the last address: it tells who released it */
		r->rec.num_addrs = have.num_addrs > 0 ? 1 : 0;
		if (idx >= 0) {
			r->rec.addrs[0] = have.addrs[idx];
		}
	}
	nbns_reg_commit(r, 0);
}
