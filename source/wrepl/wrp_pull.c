/*
 * tdbwins — WINS replication, pull side: one pull cycle from one partner
 * (see wrp_pull.h).  The steps read top-down:
 *
 *   wrp_pull_send         connect
 *   wrp_pull_connected    -> Start Request
 *   wrp_pull_start_done   -> Owner-Version Map Request
 *   wrp_pull_map_done     -> the owners to pull
 *   wrp_pull_next         -> Name Records Request, or commit when done
 *   wrp_pull_names_done   -> apply, next owner
 *   wrp_pull_sync_done    -> Stop Request
 *   wrp_pull_stop_sent    -> done
 *
 * The socket I/O is a small engine of its own: one PDU out, then (unless
 * it was the Stop) one PDU in, whose Packet Length ingress bounds before
 * the body buffer is allocated.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wrp_pull.h"
#include "wrp_stream.h"
#include "wrp_apply.h"
#include "../util/twlog.h"
#include "../util/twutil.h"
#include "../wire/wrepl.h"

struct wrp_pull_state;
typedef void (*wrp_pull_reply_fn)(struct tevent_req *req,
				  const struct wrw_packet *p);

struct wrp_pull_state {
	struct tevent_context *ev;
	const struct twconf *conf;
	struct wdb *db;
	struct ingress *ig;
	uint32_t partner;
	int fd;
	struct tevent_fd *fde;
	bool connecting;
	uint32_t our_handle;
	uint32_t peer_handle;

	uint8_t *out;
	size_t out_len;
	size_t out_off;
	wrp_pull_reply_fn on_reply;	/* NULL: nothing to wait for */

	struct wrp_rd rd;

	struct wrw_owner *todo;
	uint32_t num_todo;
	uint32_t next;
	struct wrw_owner cur;
	struct wrp_pull_result res;

	/* wrp_pull_range_send: no map, records kept instead of applied */
	bool range_only;
	struct wrec *got;
	uint32_t num_got;
};

static void wrp_pull_cleanup(struct tevent_req *req,
			     enum tevent_req_state req_state);
static void wrp_pull_io(struct tevent_context *ev, struct tevent_fd *fde,
			uint16_t flags, void *private_data);
static void wrp_pull_connected(struct tevent_req *req);
static void wrp_pull_start_done(struct tevent_req *req,
				const struct wrw_packet *p);
static void wrp_pull_map_done(struct tevent_req *req,
			      const struct wrw_packet *p);
static void wrp_pull_next(struct tevent_req *req);
static void wrp_pull_names_done(struct tevent_req *req,
				const struct wrw_packet *p);
static void wrp_pull_keep(struct tevent_req *req, const struct wrw_packet *p,
			  int64_t now);
static void wrp_pull_sync_done(struct tevent_req *subreq);
static void wrp_pull_stop_sent(struct tevent_req *req);

uint32_t wrp_pull_local_ip(const struct twconf *conf, uint32_t partner)
{
	uint32_t i;

	for (i = 0; i < conf->num_ifaces; i++) {
		uint32_t m = conf->ifaces[i].mask;

		if ((conf->ifaces[i].ip & m) == (partner & m)) {
			return conf->ifaces[i].ip;
		}
	}
	return conf->num_ifaces > 0 ? conf->ifaces[0].ip : 0;
}

struct tevent_req *wrp_pull_send(TALLOC_CTX *mem_ctx,
				 struct tevent_context *ev,
				 const struct twconf *conf, struct wdb *db,
				 struct ingress *ig, uint32_t partner,
				 uint16_t port, uint32_t local_ip)
{
	struct tevent_req *req = NULL;
	struct wrp_pull_state *state = NULL;
	struct timeval end;

	req = tevent_req_create(mem_ctx, &state, struct wrp_pull_state);
	if (req == NULL) {
		return NULL;
	}
	state->ev = ev;
	state->conf = conf;
	state->db = db;
	state->ig = ig;
	state->partner = partner;
	state->fd = -1;
	tevent_req_set_cleanup_fn(req, wrp_pull_cleanup);

	end = tevent_timeval_current_ofs(WRP_PULL_TIMEOUT_SECS, 0);
	if (!tevent_req_set_endtime(req, ev, end)) {
		tevent_req_oom(req);
		return tevent_req_post(req, ev);
	}
	if (wrp_connect_start(local_ip, partner, port, &state->fd) !=
	    TWERR_OK) {
		tevent_req_error(req, TWERR_IO);
		return tevent_req_post(req, ev);
	}
	state->connecting = true;
	/*
	 * READ too: tevent reports a socket error (a refused connect) only
	 * to an fd that waits for reading, as select() would.
	 */
	state->fde = tevent_add_fd(ev, state, state->fd,
				   TEVENT_FD_READ | TEVENT_FD_WRITE,
				   wrp_pull_io, req);
	if (tevent_req_nomem(state->fde, req)) {
		return tevent_req_post(req, ev);
	}
	return req;
}

static void wrp_pull_cleanup(struct tevent_req *req,
			     enum tevent_req_state req_state)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);

	TALLOC_FREE(state->fde);
	if (state->fd != -1) {
		close(state->fd);
		state->fd = -1;
	}
}

/* Queue one PDU; on_reply NULL: the Stop, nothing comes back. */
static void wrp_pull_queue(struct tevent_req *req, const struct wrw_packet *p,
			   wrp_pull_reply_fn on_reply)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	struct wrw_packet q = *p;
	enum twerr err;

	q.lab_addresses = state->ig->limits.wr_lab_addresses;
	TALLOC_FREE(state->out);
	err = wrw_encode_alloc(state, &q, &state->out, &state->out_len);
	if (err != TWERR_OK) {
		tevent_req_error(req, err);
		return;
	}
	state->out_off = 0;
	state->on_reply = on_reply;
	/* READ as well, so that a reset is reported while we send */
	tevent_fd_set_flags(state->fde, TEVENT_FD_READ | TEVENT_FD_WRITE);
}

static void wrp_pull_write(struct tevent_req *req)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	ssize_t w;

	w = send(state->fd, state->out + state->out_off,
		 state->out_len - state->out_off, MSG_NOSIGNAL);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR)) {
		return;
	}
	if (w <= 0) {
		tevent_req_error(req, TWERR_IO);
		return;
	}
	state->out_off += (size_t)w;
	if (state->out_off < state->out_len) {
		return;
	}
	TALLOC_FREE(state->out);
	if (state->on_reply == NULL) {
		wrp_pull_stop_sent(req);
		return;
	}
	tevent_fd_set_flags(state->fde, TEVENT_FD_READ);
}

static void wrp_pull_read(struct tevent_req *req)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	struct ingress_wrepl_result res = {};
	wrp_pull_reply_fn fn = NULL;
	TALLOC_CTX *tmp = NULL;

	/*
	 * The decoded reply lives outside state (tmp): a step that ends the
	 * request may see its caller free state before we get back here.
	 */
	switch (wrp_rd_read(&state->rd, state, state->fd, state->ig,
			    INGRESS_WR_PULL_REPLY, &tmp, &res)) {
	case WRP_RD_MORE:
		return;
	case WRP_RD_CLOSED:
		tevent_req_error(req, TWERR_IO);
		return;
	case WRP_RD_TOO_LONG:
		/* the response cap is applied before the buffer exists */
		tevent_req_error(req, TWERR_TOO_LONG);
		return;
	case WRP_RD_NOMEM:
		tevent_req_oom(req);
		return;
	case WRP_RD_PDU:
		break;
	}
	if (res.verdict != INGRESS_ACCEPT) {
		TW_INFO("wrepl pull: reply dropped (%s)",
			ingress_reason_str(res.reason));
		talloc_free(tmp);
		tevent_req_error(req, TWERR_BAD_VALUE);
		return;
	}
	/* nothing more is read until the next request is sent */
	tevent_fd_set_flags(state->fde, 0);
	fn = state->on_reply;
	state->on_reply = NULL;
	if (res.pkt->mess_type == WRW_STOP_REQUEST) {
		TW_NOTICE("wrepl pull: the partner stopped the association "
			  "(reason %" PRIu32 ")", res.pkt->stop.reason);
		talloc_free(tmp);
		tevent_req_error(req, TWERR_BAD_VALUE);
		return;
	}
	/* our handle on every reply ([MS-WINSRA] 2.2.2, SECURITY.md MS-4) */
	if (res.pkt->assoc_handle != state->our_handle) {
		talloc_free(tmp);
		tevent_req_error(req, TWERR_BAD_HEADER);
		return;
	}
	fn(req, res.pkt);
	talloc_free(tmp);
}

static void wrp_pull_io(struct tevent_context *ev, struct tevent_fd *fde,
			uint16_t flags, void *private_data)
{
	struct tevent_req *req = talloc_get_type_abort(private_data,
						       struct tevent_req);
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);

	if (state->connecting) {
		/* writable (connected) or an error, reported as readable */
		if (!wrp_connect_done(state->fd)) {
			tevent_req_error(req, TWERR_IO);
			return;
		}
		state->connecting = false;
		wrp_pull_connected(req);
		return;
	}
	if ((flags & TEVENT_FD_WRITE) && state->out != NULL) {
		wrp_pull_write(req);
		return;
	}
	if ((flags & TEVENT_FD_READ) && state->out == NULL) {
		wrp_pull_read(req);
		return;
	}
	if (flags & TEVENT_FD_READ) {
		/*
		 * A partner that talks before our request is out is
		 * answering nothing: a reset (recv fails) or a protocol
		 * violation, either way the end.
		 */
		tevent_req_error(req, TWERR_IO);
	}
}

static void wrp_pull_connected(struct tevent_req *req)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	struct wrw_packet p = {
		.mess_type = WRW_START_REQUEST,
		.start.major = WRW_MAJOR,
		.start.minor = WRW_MINOR_W2K,
	};

	while (state->our_handle == 0) {
		state->our_handle = tw_random32();
	}
	p.start.handle = state->our_handle;
	wrp_pull_queue(req, &p, wrp_pull_start_done);
}

static void wrp_pull_start_done(struct tevent_req *req,
				const struct wrw_packet *p)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	struct wrw_packet q = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_MAP_REQUEST,
	};

	if (p->mess_type != WRW_START_RESPONSE) {
		tevent_req_error(req, TWERR_BAD_OPCODE);
		return;
	}
	state->peer_handle = p->start.handle;
	if (state->range_only) {
		wrp_pull_next(req);
		return;
	}
	q.assoc_handle = state->peer_handle;
	wrp_pull_queue(req, &q, wrp_pull_map_done);
}

static uint64_t wrp_pull_have_max(const struct wdb_owner *mine, size_t n,
				  uint32_t owner)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (mine[i].owner == owner) {
			return mine[i].max_version;
		}
	}
	return 0;
}

enum twerr wrp_pull_plan(TALLOC_CTX *mem_ctx, struct wdb *db,
			 const struct wrw_table *t, struct wrw_owner **todo,
			 uint32_t *num_todo)
{
	uint32_t local = wdb_local_owner(db);
	struct wdb_owner *mine = NULL;
	size_t num = 0;
	uint32_t i;
	enum twerr err;

	*todo = NULL;
	*num_todo = 0;
	err = wdb_owners(db, mem_ctx, &mine, &num);
	if (err != TWERR_OK) {
		return err;
	}
	*todo = talloc_zero_array(mem_ctx, struct wrw_owner,
				  t->num_owners + 1);
	if (*todo == NULL) {
		TALLOC_FREE(mine);
		return TWERR_NOMEM;
	}
	for (i = 0; i < t->num_owners; i++) {
		const struct wrw_owner *o = &t->owners[i];
		uint64_t have;

		/*
		 * SECURITY.md F 10: never take our own records back from a
		 * partner (that could raise our counter or rewrite our
		 * names), and never ask for versions we could not store.
		 */
		if (o->addr == local || o->max_version > WDB_VERSION_LIMIT) {
			continue;
		}
		have = wrp_pull_have_max(mine, num, o->addr);
		if (o->max_version <= have) {
			continue;
		}
		(*todo)[(*num_todo)++] = (struct wrw_owner) {
			.addr = o->addr,
			.min_version = have + 1,
			.max_version = o->max_version,
			.type = WRW_OWNER_TYPE,
		};
	}
	TALLOC_FREE(mine);
	return TWERR_OK;
}

/*
 * SECURITY.md F 10, class 32: every version inside what we asked for, or
 * the whole response is refused (Windows 2000+ rejects a whole message on
 * any bad record).  *top: the highest version in it (0: none).
 */
static bool wrp_pull_in_range(const struct wrw_owner *asked,
			      const struct wrw_names *names, uint64_t *top)
{
	char ipb[TW_IPSTR_LEN];
	uint32_t i;

	*top = 0;
	for (i = 0; i < names->num_records; i++) {
		uint64_t v = names->records[i].version;

		if (v < asked->min_version || v > asked->max_version) {
			TW_NOTICE("wrepl: records of %s outside the requested "
				  "versions: response refused",
				  tw_ipstr(asked->addr, ipb));
			return false;
		}
		if (v > *top) {
			*top = v;
		}
	}
	return true;
}

enum twerr wrp_pull_apply(struct wdb *db, const struct twconf *conf,
			  const struct wrw_owner *asked,
			  const struct wrw_names *names,
			  struct wrp_pull_result *res)
{
	int64_t now = tw_now();
	uint64_t top = 0;
	uint32_t i;
	enum twerr err;

	if (!wrp_pull_in_range(asked, names, &top)) {
		return TWERR_BAD_VALUE;
	}
	res->owners_pulled++;
	res->records_received += names->num_records;
	for (i = 0; i < names->num_records; i++) {
		struct wrec got = {};
		bool stored = false;

		wrp_pull_to_rec(&names->records[i], asked->addr, now, conf,
				&got);
		/* PROTOCOL.md 3.6: the conflict rules live in wrp_apply.c */
		err = wrp_apply_record(db, conf, &got, 0, &stored);
		if (err != TWERR_OK) {
			return err;
		}
		if (stored) {
			res->records_applied++;
		} else {
			res->records_kept++;
		}
	}
	/*
	 * Windows' owner-version table: what was kept or propagated is
	 * seen too, so the next pull starts above it.  The highest version
	 * received, not the one asked for: a partner caps the records of
	 * one response, and we ask again from there.  An empty response
	 * leaves top 0, which marks nothing.
	 */
	return wdb_owner_seen(db, asked->addr, top);
}

static void wrp_pull_map_done(struct tevent_req *req,
			      const struct wrw_packet *p)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	enum twerr err;

	if (p->mess_type != WRW_REPLICATION ||
	    p->opcode != WRW_OP_MAP_RESPONSE) {
		tevent_req_error(req, TWERR_BAD_OPCODE);
		return;
	}
	err = wrp_pull_plan(state, state->db, &p->table, &state->todo,
			    &state->num_todo);
	if (err != TWERR_OK) {
		tevent_req_error(req, err);
		return;
	}
	wrp_pull_next(req);
}

static void wrp_pull_next(struct tevent_req *req)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	struct wrw_packet q = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_REQUEST,
	};
	struct tevent_req *subreq = NULL;

	if (state->next < state->num_todo) {
		state->cur = state->todo[state->next++];
		q.assoc_handle = state->peer_handle;
		q.names_req = state->cur;
		wrp_pull_queue(req, &q, wrp_pull_names_done);
		return;
	}
	/* what we took is durable before we say goodbye */
	subreq = wdb_sync_send(state, state->ev, state->db);
	if (tevent_req_nomem(subreq, req)) {
		return;
	}
	tevent_req_set_callback(subreq, wrp_pull_sync_done, req);
}

/* The stored form of a replicated record of owner. */
void wrp_pull_to_rec(const struct wrw_record *w, uint32_t owner,
		     int64_t now, const struct twconf *conf, struct wrec *r)
{
	/* [MS-WINSRA] 3.2.5.4: active replicas live one verify interval */
	int64_t expire = now + (int64_t)conf->verify_interval;
	uint8_t i;

	if (w->state == WREC_TOMBSTONE) {
		expire = now + (int64_t)conf->tombstone_timeout;
	}
	*r = (struct wrec) {
		.name = w->name,
		.type = w->type,
		.state = w->state,
		.node = w->node,
		.is_static = w->is_static,
		.owner = owner,
		.version = w->version,
		.expire = expire,
	};
	switch (w->type) {
	case WREC_UNIQUE:
	case WREC_GROUP:
		/*
		 * A normal group keeps no members (PROTOCOL.md 2.6) and is
		 * answered with 255.255.255.255; the one address it came
		 * with is kept only to be replicated on unchanged (Windows
		 * sends all ones, Samba the first registrant).
		 */
		r->num_addrs = 1;
		r->addrs[0].ip = w->ip;
		r->addrs[0].owner = owner;
		r->addrs[0].expire = expire;
		return;
	case WREC_SGROUP:
	case WREC_MHOMED:
		break;
	}
	for (i = 0; i < w->num_addrs && i < WREC_MAX_ADDRS; i++) {
		r->addrs[i].ip = w->addrs[i].ip;
		r->addrs[i].owner = w->addrs[i].owner;
		r->addrs[i].expire = expire;
	}
	r->num_addrs = i;
}

static void wrp_pull_names_done(struct tevent_req *req,
				const struct wrw_packet *p)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	uint64_t top = 0;
	enum twerr err;

	if (p->mess_type != WRW_REPLICATION ||
	    p->opcode != WRW_OP_NAMES_RESPONSE) {
		tevent_req_error(req, TWERR_BAD_OPCODE);
		return;
	}
	if (state->range_only) {
		if (!wrp_pull_in_range(&state->cur, &p->names, &top)) {
			tevent_req_error(req, TWERR_BAD_VALUE);
			return;
		}
		state->res.owners_pulled++;
		state->res.records_received += p->names.num_records;
		wrp_pull_keep(req, p, tw_now());
		return;
	}
	err = wrp_pull_apply(state->db, state->conf, &state->cur, &p->names,
			     &state->res);
	if (err != TWERR_OK) {
		tevent_req_error(req, err);
		return;
	}
	wrp_pull_next(req);
}

/* wrp_pull_range_send: the records go to the caller, not the store */
static void wrp_pull_keep(struct tevent_req *req, const struct wrw_packet *p,
			  int64_t now)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	uint32_t i;

	state->got = talloc_array(state, struct wrec,
				  p->names.num_records + 1);
	if (tevent_req_nomem(state->got, req)) {
		return;
	}
	for (i = 0; i < p->names.num_records; i++) {
		wrp_pull_to_rec(&p->names.records[i], state->cur.addr, now,
				state->conf, &state->got[i]);
	}
	state->num_got = p->names.num_records;
	wrp_pull_next(req);
}

static void wrp_pull_sync_done(struct tevent_req *subreq)
{
	struct tevent_req *req = tevent_req_callback_data(subreq,
							  struct tevent_req);
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	struct wrw_packet q = {
		.mess_type = WRW_STOP_REQUEST,
		.stop.reason = WRW_STOP_NORMAL,
	};
	enum twerr err;

	err = wdb_sync_recv(subreq);
	TALLOC_FREE(subreq);
	if (err != TWERR_OK) {
		tevent_req_error(req, err);
		return;
	}
	q.assoc_handle = state->peer_handle;
	wrp_pull_queue(req, &q, NULL);
}

static void wrp_pull_stop_sent(struct tevent_req *req)
{
	tevent_req_done(req);
}

enum twerr wrp_pull_recv(struct tevent_req *req, struct wrp_pull_result *res)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	enum tevent_req_state st;
	uint64_t err = 0;
	enum twerr ret = TWERR_OK;

	if (res != NULL) {
		*res = state->res;
	}
	if (tevent_req_is_error(req, &st, &err)) {
		if (st == TEVENT_REQ_USER_ERROR) {
			ret = (enum twerr)err;
		} else if (st == TEVENT_REQ_NO_MEMORY) {
			ret = TWERR_NOMEM;
		} else {
			ret = TWERR_IO;	/* timed out */
		}
	}
	tevent_req_received(req);
	return ret;
}

struct tevent_req *wrp_pull_range_send(TALLOC_CTX *mem_ctx,
				       struct tevent_context *ev,
				       const struct twconf *conf,
				       struct wdb *db, struct ingress *ig,
				       uint32_t partner, uint16_t port,
				       uint32_t local_ip,
				       const struct wrw_owner *range)
{
	struct tevent_req *req = NULL;
	struct wrp_pull_state *state = NULL;

	req = wrp_pull_send(mem_ctx, ev, conf, db, ig, partner, port,
			    local_ip);
	if (req == NULL) {
		return NULL;
	}
	state = tevent_req_data(req, struct wrp_pull_state);
	state->range_only = true;
	if (!tevent_req_is_in_progress(req)) {
		return req;	/* already failed and posted */
	}
	/* SECURITY.md F 10: never our own owner, never unstorable versions */
	if (range->addr == wdb_local_owner(db) || range->min_version == 0 ||
	    range->min_version > range->max_version ||
	    range->max_version > WDB_VERSION_LIMIT) {
		tevent_req_error(req, TWERR_BAD_VALUE);
		return tevent_req_post(req, ev);
	}
	state->todo = talloc(state, struct wrw_owner);
	if (tevent_req_nomem(state->todo, req)) {
		return tevent_req_post(req, ev);
	}
	state->todo[0] = *range;
	state->todo[0].type = WRW_OWNER_TYPE;
	state->num_todo = 1;
	return req;
}

enum twerr wrp_pull_range_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			       struct wrec **recs, uint32_t *num)
{
	struct wrp_pull_state *state = tevent_req_data(req,
						       struct wrp_pull_state);
	struct wrec *got = talloc_move(mem_ctx, &state->got);
	uint32_t n = state->num_got;
	enum twerr err = wrp_pull_recv(req, NULL);

	if (err != TWERR_OK) {
		TALLOC_FREE(got);
		n = 0;
	}
	*recs = got;
	*num = n;
	return err;
}
