/*
 * tdbwins — WINS replication, push side: one update notification to one
 * partner (see wrp_push.h).  The steps read top-down:
 *
 *   wrp_push_send         connect
 *   wrp_push_connected    -> Start Request
 *   wrp_push_start_done   -> INFORM / INFORM2
 *   wrp_push_write        -> Stop Request (reason 0) once it is out
 *   wrp_push_write        -> done (the cleanup closes: FIN)
 *
 * Only one PDU ever comes back (the Start Response).  It passes ingress
 * at stage PULL_REPLY, the same bound as any reply to our own requests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wrp_push.h"
#include "wrp_stream.h"
#include "../util/twlog.h"
#include "../util/twutil.h"

enum wrp_push_step {
	WRP_PUSH_START,		/* Start Request out, waiting for the reply */
	WRP_PUSH_NOTIFY,	/* notification going out */
	WRP_PUSH_STOP,		/* Stop going out */
};

struct wrp_push_state {
	struct tevent_context *ev;
	struct ingress *ig;
	int fd;
	struct tevent_fd *fde;
	bool connecting;
	enum wrp_push_step step;
	enum wrw_opcode op;
	struct wrw_table table;
	uint32_t our_handle;
	uint32_t peer_handle;

	uint8_t *out;
	size_t out_len;
	size_t out_off;

	struct wrp_rd rd;
};

static void wrp_push_cleanup(struct tevent_req *req,
			     enum tevent_req_state req_state);
static void wrp_push_io(struct tevent_context *ev, struct tevent_fd *fde,
			uint16_t flags, void *private_data);

enum twerr wrp_push_table(TALLOC_CTX *mem_ctx, struct wdb *db,
			  uint32_t only_owner, bool lab,
			  struct wrw_table *table)
{
	struct wdb_owner *owners = NULL;
	size_t num = 0;
	size_t i;
	enum twerr err;

	table->num_owners = 0;
	table->owners = NULL;
	err = wdb_owners(db, mem_ctx, &owners, &num);
	if (err != TWERR_OK) {
		return err;
	}
	table->owners = talloc_zero_array(mem_ctx, struct wrw_owner, num + 1);
	if (table->owners == NULL) {
		TALLOC_FREE(owners);
		return TWERR_NOMEM;
	}
	for (i = 0; i < num; i++) {
		struct wrw_owner *o = &table->owners[table->num_owners];

		if (only_owner != 0 && owners[i].owner != only_owner) {
			continue;
		}
		/* what a partner would refuse as an owner is not sent */
		if (!wrw_addr_ok(owners[i].owner, lab)) {
			continue;
		}
		o->addr = owners[i].owner;
		o->max_version = owners[i].max_version;
		o->min_version = owners[i].min_version;
		o->type = WRW_OWNER_TYPE;
		table->num_owners++;
	}
	TALLOC_FREE(owners);
	return TWERR_OK;
}

struct tevent_req *wrp_push_send(TALLOC_CTX *mem_ctx,
				 struct tevent_context *ev,
				 struct ingress *ig, uint32_t partner,
				 uint16_t port, uint32_t local_ip,
				 enum wrw_opcode op,
				 const struct wrw_table *table)
{
	struct tevent_req *req = NULL;
	struct wrp_push_state *state = NULL;
	struct timeval end;

	req = tevent_req_create(mem_ctx, &state, struct wrp_push_state);
	if (req == NULL) {
		return NULL;
	}
	state->ev = ev;
	state->ig = ig;
	state->fd = -1;
	state->op = op;
	tevent_req_set_cleanup_fn(req, wrp_push_cleanup);

	if (op != WRW_OP_INFORM && op != WRW_OP_INFORM2) {
		tevent_req_error(req, TWERR_BAD_OPCODE);
		return tevent_req_post(req, ev);
	}
	/*
	 * wrw_encode() refuses a notification without owners ([MS-WINSRA]
	 * 2.2.11): say so before connecting, not after the Start exchange.
	 */
	if (table->num_owners == 0 || table->owners == NULL) {
		tevent_req_error(req, TWERR_BAD_VALUE);
		return tevent_req_post(req, ev);
	}
	state->table.initiator = table->initiator;
	state->table.num_owners = table->num_owners;
	/* exactly num_owners: the caller's array may hold no more */
	state->table.owners = talloc_memdup(state, table->owners,
					    sizeof(struct wrw_owner) *
					    table->num_owners);
	if (tevent_req_nomem(state->table.owners, req)) {
		return tevent_req_post(req, ev);
	}
	end = tevent_timeval_current_ofs(WRP_PUSH_TIMEOUT_SECS, 0);
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
	/* READ too: tevent reports a refused connect only to readers */
	state->fde = tevent_add_fd(ev, state, state->fd,
				   TEVENT_FD_READ | TEVENT_FD_WRITE,
				   wrp_push_io, req);
	if (tevent_req_nomem(state->fde, req)) {
		return tevent_req_post(req, ev);
	}
	return req;
}

static void wrp_push_cleanup(struct tevent_req *req,
			     enum tevent_req_state req_state)
{
	struct wrp_push_state *state = tevent_req_data(req,
						       struct wrp_push_state);

	TALLOC_FREE(state->fde);
	if (state->fd != -1) {
		close(state->fd);
		state->fd = -1;
	}
}

static void wrp_push_queue(struct tevent_req *req, const struct wrw_packet *p,
			   enum wrp_push_step step)
{
	struct wrp_push_state *state = tevent_req_data(req,
						       struct wrp_push_state);
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
	state->step = step;
	tevent_fd_set_flags(state->fde, TEVENT_FD_READ | TEVENT_FD_WRITE);
}

static void wrp_push_connected(struct tevent_req *req)
{
	struct wrp_push_state *state = tevent_req_data(req,
						       struct wrp_push_state);
	struct wrw_packet p = {
		.mess_type = WRW_START_REQUEST,
		.start.major = WRW_MAJOR,
		.start.minor = WRW_MINOR_W2K,
	};

	while (state->our_handle == 0) {
		state->our_handle = tw_random32();
	}
	p.start.handle = state->our_handle;
	wrp_push_queue(req, &p, WRP_PUSH_START);
}

static void wrp_push_start_done(struct tevent_req *req,
				const struct wrw_packet *in)
{
	struct wrp_push_state *state = tevent_req_data(req,
						       struct wrp_push_state);
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = state->op,
	};

	if (in->mess_type == WRW_STOP_REQUEST) {
		/* a partner that does not take notifications from us */
		TW_NOTICE("wrepl push: the partner stopped the association "
			  "(reason %" PRIu32 ")", in->stop.reason);
		tevent_req_error(req, TWERR_BAD_VALUE);
		return;
	}
	if (in->mess_type != WRW_START_RESPONSE ||
	    in->assoc_handle != state->our_handle) {
		tevent_req_error(req, TWERR_BAD_HEADER);
		return;
	}
	state->peer_handle = in->start.handle;
	p.assoc_handle = state->peer_handle;
	p.table = state->table;
	wrp_push_queue(req, &p, WRP_PUSH_NOTIFY);
}

static void wrp_push_write(struct tevent_req *req)
{
	struct wrp_push_state *state = tevent_req_data(req,
						       struct wrp_push_state);
	struct wrw_packet stop = {
		.mess_type = WRW_STOP_REQUEST,
		.stop.reason = WRW_STOP_NORMAL,
	};
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
	switch (state->step) {
	case WRP_PUSH_START:
		tevent_fd_set_flags(state->fde, TEVENT_FD_READ);
		return;
	case WRP_PUSH_NOTIFY:
		/*
		 * An INFORM has no reply ([MS-WINSRA] 3.3.5.1): the
		 * association ends normally.
		 */
		stop.assoc_handle = state->peer_handle;
		wrp_push_queue(req, &stop, WRP_PUSH_STOP);
		return;
	case WRP_PUSH_STOP:
		/* [MS-WINSRA] 2.2.5: no answer to a Stop; we close */
		tevent_req_done(req);
		return;
	}
}

static void wrp_push_read(struct tevent_req *req)
{
	struct wrp_push_state *state = tevent_req_data(req,
						       struct wrp_push_state);
	struct ingress_wrepl_result res = {};
	TALLOC_CTX *tmp = NULL;

	if (state->step == WRP_PUSH_STOP) {
		/* the notification is out; the partner went first */
		tevent_req_done(req);
		return;
	}
	if (state->step != WRP_PUSH_START) {
		/* the partner talks out of turn, or closed: the end */
		tevent_req_error(req, TWERR_IO);
		return;
	}
	switch (wrp_rd_read(&state->rd, state, state->fd, state->ig,
			    INGRESS_WR_PULL_REPLY, &tmp, &res)) {
	case WRP_RD_MORE:
		return;
	case WRP_RD_CLOSED:
		tevent_req_error(req, TWERR_IO);
		return;
	case WRP_RD_TOO_LONG:
		tevent_req_error(req, TWERR_TOO_LONG);
		return;
	case WRP_RD_NOMEM:
		tevent_req_oom(req);
		return;
	case WRP_RD_PDU:
		break;
	}
	if (res.verdict != INGRESS_ACCEPT) {
		TW_INFO("wrepl push: reply dropped (%s)",
			ingress_reason_str(res.reason));
		talloc_free(tmp);
		tevent_req_error(req, TWERR_BAD_VALUE);
		return;
	}
	tevent_fd_set_flags(state->fde, 0);
	wrp_push_start_done(req, res.pkt);
	talloc_free(tmp);
}

static void wrp_push_io(struct tevent_context *ev, struct tevent_fd *fde,
			uint16_t flags, void *private_data)
{
	struct tevent_req *req = talloc_get_type_abort(private_data,
						       struct tevent_req);
	struct wrp_push_state *state = tevent_req_data(req,
						       struct wrp_push_state);

	if (state->connecting) {
		/* writable (connected) or an error, reported as readable */
		if (!wrp_connect_done(state->fd)) {
			tevent_req_error(req, TWERR_IO);
			return;
		}
		state->connecting = false;
		wrp_push_connected(req);
		return;
	}
	if ((flags & TEVENT_FD_WRITE) && state->out != NULL) {
		wrp_push_write(req);
		return;
	}
	if (flags & TEVENT_FD_READ) {
		wrp_push_read(req);
	}
}

enum twerr wrp_push_recv(struct tevent_req *req)
{
	enum tevent_req_state st;
	uint64_t err = 0;
	enum twerr ret = TWERR_OK;

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
