/*
 * tdbwins — verification of replicas (see wrp_verify.h).  The steps of a
 * run read top-down:
 *
 *   wrp_verify_run_send     walk, delete released replicas, sort by owner
 *   wrp_verify_next_owner   -> the next owner's group, or retry later
 *   wrp_verify_ask          -> pull the group's version range
 *   wrp_verify_pulled       -> decide per record; the rest of a cut
 *                              answer is asked for again
 *   wrp_verify_synced       -> done
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "wrp_verify.h"
#include "wrp_apply.h"
#include "wrp_pull.h"
#include "../util/twlog.h"
#include "../util/twutil.h"
#include "../wire/wrepl.h"

/* what the walk remembers of a record: it is fetched again to act */
struct wrp_verify_cand {
	struct nbn_name name;
	uint32_t owner;
	uint64_t version;
};

struct wrp_verify_run_state {
	struct tevent_context *ev;
	const struct twconf *conf;
	struct wdb *db;
	struct ingress *ig;
	int64_t now;
	uint32_t local;
	uint32_t cap;

	struct wrp_verify_cand *cands;	/* sorted by owner, then version */
	uint32_t num_cands;
	struct nbn_name *released;	/* released replicas to delete */
	uint32_t num_released;

	uint32_t first;			/* the owner group being verified */
	uint32_t end;
	struct wrp_verify_stats st;
};

static bool wrp_verify_walk(const struct wrec *rec, void *private_data);
static int wrp_verify_cand_cmp(const void *a, const void *b);
static void wrp_verify_next_owner(struct tevent_req *req);
static void wrp_verify_ask(struct tevent_req *req);
static void wrp_verify_pulled(struct tevent_req *subreq);
static void wrp_verify_synced(struct tevent_req *subreq);

struct tevent_req *wrp_verify_run_send(TALLOC_CTX *mem_ctx,
				       struct tevent_context *ev,
				       const struct twconf *conf,
				       struct wdb *db, struct ingress *ig,
				       uint32_t max_records)
{
	struct tevent_req *req = NULL;
	struct wrp_verify_run_state *state = NULL;
	enum twerr err;
	uint32_t i;

	req = tevent_req_create(mem_ctx, &state,
				struct wrp_verify_run_state);
	if (req == NULL) {
		return NULL;
	}
	state->ev = ev;
	state->conf = conf;
	state->db = db;
	state->ig = ig;
	state->now = tw_now();
	state->local = wdb_local_owner(db);
	state->cap = max_records != 0 ? max_records : WRP_VERIFY_MAX_RECORDS;

	state->cands = talloc_array(state, struct wrp_verify_cand,
				    state->cap);
	if (tevent_req_nomem(state->cands, req)) {
		return tevent_req_post(req, ev);
	}
	state->released = talloc_array(state, struct nbn_name, state->cap);
	if (tevent_req_nomem(state->released, req)) {
		return tevent_req_post(req, ev);
	}
	/* the walk may not write: collect first, act afterwards */
	err = wdb_traverse(db, wrp_verify_walk, state);
	if (err != TWERR_OK) {
		TW_ERR("verification: walk failed: %s", twerr_str(err));
		tevent_req_error(req, err);
		return tevent_req_post(req, ev);
	}
	state->st.candidates = state->num_cands;
	for (i = 0; i < state->num_released; i++) {
		err = wdb_delete(db, &state->released[i]);
		if (err != TWERR_OK) {
			TW_ERR("verification: %s", twerr_str(err));
			state->st.errors++;
			continue;
		}
		state->st.released_deleted++;
	}
	TALLOC_FREE(state->released);
	qsort(state->cands, state->num_cands, sizeof(state->cands[0]),
	      wrp_verify_cand_cmp);
	wrp_verify_next_owner(req);
	if (!tevent_req_is_in_progress(req)) {
		return tevent_req_post(req, ev);
	}
	return req;
}

static bool wrp_verify_walk(const struct wrec *rec, void *private_data)
{
	struct wrp_verify_run_state *state = private_data;
	bool released;

	/* static replicas are the admin's; ours have their own life cycle */
	if (rec->is_static || rec->owner == state->local ||
	    rec->expire > state->now) {
		return true;
	}
	/*
	 * Released replicas (Samba sends them; stored, never served) are
	 * not worth asking about: gone once their time is up.
	 */
	released = rec->state == WREC_RELEASED;
	if (!released && rec->state != WREC_ACTIVE) {
		return true;	/* tombstones: the scavenger's */
	}
	if (state->num_cands + state->num_released == state->cap) {
		state->st.more = true;
		return false;
	}
	if (released) {
		state->released[state->num_released++] = rec->name;
		return true;
	}
	state->cands[state->num_cands++] = (struct wrp_verify_cand) {
		.name = rec->name,
		.owner = rec->owner,
		.version = rec->version,
	};
	return true;
}

static int wrp_verify_cand_cmp(const void *a, const void *b)
{
	const struct wrp_verify_cand *x = a;
	const struct wrp_verify_cand *y = b;

	if (x->owner != y->owner) {
		return x->owner < y->owner ? -1 : 1;
	}
	if (x->version != y->version) {
		return x->version < y->version ? -1 : 1;
	}
	return 0;
}

/* byte order of the name (raw bytes, then scope): for bsearch */
static int wrp_verify_name_cmp(const struct nbn_name *x,
			       const struct nbn_name *y)
{
	int c = memcmp(x->raw, y->raw, NBN_RAW_LEN);

	if (c != 0) {
		return c;
	}
	if (x->scope_len != y->scope_len) {
		return x->scope_len < y->scope_len ? -1 : 1;
	}
	return memcmp(x->scope, y->scope, x->scope_len);
}

static int wrp_verify_rec_cmp(const void *a, const void *b)
{
	const struct wrec *x = a;
	const struct wrec *y = b;

	return wrp_verify_name_cmp(&x->name, &y->name);
}

/*
 * Our record as the walk saw it, or false: a pull, a push or the
 * scavenger changed it while we were asking, and that answer is newer.
 */
static bool wrp_verify_fetch(struct wrp_verify_run_state *state,
			     const struct wrp_verify_cand *c, struct wrec *r)
{
	bool found = false;
	enum twerr err;

	err = wdb_fetch(state->db, &c->name, r, &found);
	if (err != TWERR_OK) {
		TW_ERR("verification: %s", twerr_str(err));
		state->st.errors++;
		return false;
	}
	if (!found || r->owner != c->owner ||
	    r->version != c->version || r->state != WREC_ACTIVE ||
	    r->is_static) {
		state->st.changed_meanwhile++;
		return false;
	}
	return true;
}

/* Keep r for secs more (verified, or to ask again later). */
static void wrp_verify_extend(struct wrp_verify_run_state *state,
			      struct wrec *r, uint32_t secs)
{
	uint8_t i;
	enum twerr err;

	r->expire = tw_now() + (int64_t)secs;
	for (i = 0; i < r->num_addrs; i++) {
		r->addrs[i].expire = r->expire;
	}
	err = wdb_put(state->db, r, 0);
	if (err != TWERR_OK) {
		TW_ERR("verification: %s", twerr_str(err));
		state->st.errors++;
	}
}

/* The owner could not be asked: every record of the group waits. */
static void wrp_verify_retry_group(struct wrp_verify_run_state *state)
{
	uint32_t i;

	for (i = state->first; i < state->end; i++) {
		struct wrec r = {};

		if (!wrp_verify_fetch(state, &state->cands[i], &r)) {
			continue;
		}
		wrp_verify_extend(state, &r, WRP_VERIFY_RETRY_SECS);
		state->st.verify_unreachable++;
	}
}

static void wrp_verify_next_owner(struct tevent_req *req)
{
	struct wrp_verify_run_state *state = tevent_req_data(
		req, struct wrp_verify_run_state);
	const struct twconf_partner *p = NULL;
	struct tevent_req *subreq = NULL;
	uint32_t owner;

	/* owners that cannot be asked are settled here without a pull */
	while (state->end < state->num_cands) {
		state->first = state->end;
		owner = state->cands[state->first].owner;
		while (state->end < state->num_cands &&
		       state->cands[state->end].owner == owner) {
			state->end++;
		}
		/*
		 * [MS-WINSRA] 3.2.5.3 asks the owner when it is a partner,
		 * else any partner; we ask only the owner, and only as a
		 * pull partner: one we may not pull from has not agreed to
		 * answer us, and another partner's copy may be as stale as
		 * ours.
		 */
		p = twconf_find_partner(state->conf, owner);
		if (p == NULL || !p->pull) {
			wrp_verify_retry_group(state);
			continue;
		}
		wrp_verify_ask(req);
		return;
	}
	/* what the unaskable owners got is durable before we report */
	subreq = wdb_sync_send(state, state->ev, state->db);
	if (tevent_req_nomem(subreq, req)) {
		return;
	}
	tevent_req_set_callback(subreq, wrp_verify_synced, req);
}

/* Ask the owner about the group's versions [first, end) (sorted). */
static void wrp_verify_ask(struct tevent_req *req)
{
	struct wrp_verify_run_state *state = tevent_req_data(
		req, struct wrp_verify_run_state);
	uint32_t owner = state->cands[state->first].owner;
	struct wrw_owner range = {
		.addr = owner,
		.min_version = state->cands[state->first].version,
		.max_version = state->cands[state->end - 1].version,
	};
	struct tevent_req *subreq = NULL;
	uint32_t local_ip = wrp_pull_local_ip(state->conf, owner);

	subreq = wrp_pull_range_send(state, state->ev, state->conf,
				     state->db, state->ig, owner,
				     state->conf->wrepl_port, local_ip,
				     &range);
	if (tevent_req_nomem(subreq, req)) {
		return;
	}
	tevent_req_set_callback(subreq, wrp_verify_pulled, req);
}

/* One record of the group against the owner's answer (sorted by name). */
static void wrp_verify_decide(struct wrp_verify_run_state *state,
			      const struct wrp_verify_cand *c,
			      const struct wrec *got, uint32_t num_got)
{
	struct wrec have = {};
	struct wrec key = { .name = c->name };
	const struct wrec *theirs = NULL;
	bool stored = false;
	enum twerr err;

	if (!wrp_verify_fetch(state, c, &have)) {
		return;
	}
	theirs = bsearch(&key, got, num_got, sizeof(got[0]),
			 wrp_verify_rec_cmp);
	if (theirs != NULL && theirs->version == have.version) {
		wrp_verify_extend(state, &have, state->conf->verify_interval);
		state->st.verify_extended++;
		return;
	}
	if (theirs == NULL) {
		/* the owner no longer has this version: neither do we */
		err = wdb_delete(state->db, &have.name);
		if (err != TWERR_OK) {
			TW_ERR("verification: %s", twerr_str(err));
			state->st.errors++;
			return;
		}
		state->st.verify_deleted++;
		return;
	}
	/* the owner's answer wins (general rule 1: same owner, replace) */
	err = wrp_apply_record(state->db, state->conf, theirs, 0, &stored);
	if (err != TWERR_OK) {
		TW_ERR("verification: %s", twerr_str(err));
		state->st.errors++;
		return;
	}
	if (!stored) {
		/* refused by policy (persona lists): ask again later */
		wrp_verify_extend(state, &have, WRP_VERIFY_RETRY_SECS);
		state->st.verify_refused++;
		return;
	}
	state->st.verify_replaced++;
}

static void wrp_verify_pulled(struct tevent_req *subreq)
{
	struct tevent_req *req = tevent_req_callback_data(subreq,
							  struct tevent_req);
	struct wrp_verify_run_state *state = tevent_req_data(
		req, struct wrp_verify_run_state);
	uint32_t owner = state->cands[state->first].owner;
	struct wrec *got = NULL;
	uint32_t num_got = 0;
	uint64_t max_got = 0;
	uint32_t covered;
	uint32_t i;
	enum twerr err;
	char ipb[TW_IPSTR_LEN];

	err = wrp_pull_range_recv(subreq, state, &got, &num_got);
	TALLOC_FREE(subreq);
	if (err != TWERR_OK) {
		TW_NOTICE("verification: owner %s not asked: %s",
			  tw_ipstr(owner, ipb), twerr_str(err));
		wrp_verify_retry_group(state);
		wrp_verify_next_owner(req);
		return;
	}
	/*
	 * A server sends at most so many records per response (ours:
	 * tdbwins:wrepl max records) and the rest when asked from there:
	 * an answer that is not empty speaks only up to its highest
	 * version.  Above that nothing is decided yet.
	 */
	for (i = 0; i < num_got; i++) {
		if (got[i].version > max_got) {
			max_got = got[i].version;
		}
	}
	covered = state->end;
	if (num_got > 0) {
		covered = state->first;
		while (covered < state->end &&
		       state->cands[covered].version <= max_got) {
			covered++;
		}
	}
	qsort(got, num_got, sizeof(got[0]), wrp_verify_rec_cmp);
	for (i = state->first; i < covered; i++) {
		wrp_verify_decide(state, &state->cands[i], got, num_got);
	}
	TALLOC_FREE(got);
	if (covered < state->end) {
		/* progress: every version returned was >= the lowest asked */
		state->first = covered;
		wrp_verify_ask(req);
		return;
	}
	wrp_verify_next_owner(req);
}

static void wrp_verify_synced(struct tevent_req *subreq)
{
	struct tevent_req *req = tevent_req_callback_data(subreq,
							  struct tevent_req);
	struct wrp_verify_run_state *state = tevent_req_data(
		req, struct wrp_verify_run_state);
	const struct wrp_verify_stats *st = &state->st;
	enum twerr err;

	err = wdb_sync_recv(subreq);
	TALLOC_FREE(subreq);
	if (err != TWERR_OK) {
		TW_ERR("verification: commit failed: %s", twerr_str(err));
		tevent_req_error(req, err);
		return;
	}
	/* a run that checked something is worth a notice; idle ones not */
	twlog(st->candidates > 0 ? TWLOG_NOTICE : TWLOG_INFO,
	      "verification: %" PRIu64 " replicas due: %" PRIu64
	      " extended, %" PRIu64 " replaced, %" PRIu64 " deleted, %"
	      PRIu64 " unreachable, %" PRIu64 " refused, %" PRIu64
	      " changed meanwhile; %" PRIu64 " released deleted%s",
	      st->candidates, st->verify_extended, st->verify_replaced,
	      st->verify_deleted, st->verify_unreachable,
	      st->verify_refused, st->changed_meanwhile,
	      st->released_deleted, st->more ? " (more next run)" : "");
	tevent_req_done(req);
}

enum twerr wrp_verify_run_recv(struct tevent_req *req,
			       struct wrp_verify_stats *st)
{
	struct wrp_verify_run_state *state = tevent_req_data(
		req, struct wrp_verify_run_state);
	enum tevent_req_state ts;
	uint64_t err = 0;
	enum twerr ret = TWERR_OK;

	if (st != NULL) {
		*st = state->st;
		st->runs = 1;
	}
	if (tevent_req_is_error(req, &ts, &err)) {
		ret = ts == TEVENT_REQ_USER_ERROR ? (enum twerr)err
						  : TWERR_NOMEM;
	}
	tevent_req_received(req);
	return ret;
}

/* --- the periodic service --- */

struct wrp_verify {
	struct tevent_context *ev;
	const struct twconf *conf;
	struct wdb *db;
	struct ingress *ig;
	struct tevent_timer *timer;
	struct tevent_req *run;		/* NULL: none going */
	struct wrp_verify_stats total;
};

/* one per process, like the name server the executor is attached to */
static struct wrp_verify *wrp_verify_current;

static int wrp_verify_destructor(struct wrp_verify *v)
{
	if (wrp_verify_current == v) {
		wrp_verify_current = NULL;
	}
	return 0;
}

static void wrp_verify_timer(struct tevent_context *ev,
			     struct tevent_timer *te, struct timeval now,
			     void *private_data);

static bool wrp_verify_schedule(struct wrp_verify *v)
{
	/* the scavenger's interval (Samba runs verification in it) */
	uint32_t secs = v->conf->scavenging_interval;
	struct timeval when;

	if (secs == 0) {
		secs = 3600;
	}
	when = tevent_timeval_current_ofs(secs, 0);
	v->timer = tevent_add_timer(v->ev, v, when, wrp_verify_timer, v);
	return v->timer != NULL;
}

bool wrp_verify_start(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
		      const struct twconf *conf, struct wdb *db,
		      struct ingress *ig)
{
	struct wrp_verify *v = talloc_zero(mem_ctx, struct wrp_verify);

	if (v == NULL) {
		return false;
	}
	v->ev = ev;
	v->conf = conf;
	v->db = db;
	v->ig = ig;
	if (!wrp_verify_schedule(v)) {
		talloc_free(v);
		return false;
	}
	TALLOC_FREE(wrp_verify_current);
	wrp_verify_current = v;
	talloc_set_destructor(v, wrp_verify_destructor);
	return true;
}

void wrp_verify_reconfigure(const struct twconf *conf)
{
	if (wrp_verify_current != NULL) {
		wrp_verify_current->conf = conf;
	}
}

static void wrp_verify_run_done(struct tevent_req *req)
{
	struct wrp_verify *v = tevent_req_callback_data(req,
							struct wrp_verify);
	struct wrp_verify_stats st = {};
	struct wrp_verify_stats *t = &v->total;
	enum twerr err;

	err = wrp_verify_run_recv(req, &st);
	TALLOC_FREE(v->run);
	if (err != TWERR_OK) {
		TW_ERR("verification run failed: %s", twerr_str(err));
	}
	t->runs += st.runs;
	t->candidates += st.candidates;
	t->verify_extended += st.verify_extended;
	t->verify_replaced += st.verify_replaced;
	t->verify_deleted += st.verify_deleted;
	t->verify_unreachable += st.verify_unreachable;
	t->verify_refused += st.verify_refused;
	t->changed_meanwhile += st.changed_meanwhile;
	t->released_deleted += st.released_deleted;
	t->errors += st.errors;
	t->more = st.more;
}

static bool wrp_verify_begin(struct wrp_verify *v)
{
	if (v->run != NULL) {
		return false;
	}
	v->run = wrp_verify_run_send(v, v->ev, v->conf, v->db, v->ig, 0);
	if (v->run == NULL) {
		return false;
	}
	tevent_req_set_callback(v->run, wrp_verify_run_done, v);
	return true;
}

static void wrp_verify_timer(struct tevent_context *ev,
			     struct tevent_timer *te, struct timeval now,
			     void *private_data)
{
	struct wrp_verify *v = talloc_get_type_abort(private_data,
						     struct wrp_verify);

	v->timer = NULL;
	if (!wrp_verify_begin(v) && v->run == NULL) {
		TW_ERR("verification: out of memory");
	}
	if (!wrp_verify_schedule(v)) {
		TW_ERR("verification: cannot schedule the next run");
	}
}

bool wrp_verify_now(void)
{
	if (wrp_verify_current == NULL) {
		return false;
	}
	return wrp_verify_begin(wrp_verify_current);
}

void wrp_verify_get_stats(struct wrp_verify_stats *out)
{
	*out = (struct wrp_verify_stats) {};
	if (wrp_verify_current != NULL) {
		*out = wrp_verify_current->total;
	}
}
