/*
 * tdbwins — WINS replication, inbound side: TCP 42 listener, associations,
 * Owner-Version Map and Name Records service ([MS-WINSRA] 3.3).
 *
 * One connection carries at most one association and handles one request
 * at a time: while a reply waits for the store to commit or for the peer
 * to read it, the connection is not read.  A peer that stops reading
 * therefore holds at most one reply of ours, and the idle timer (rearmed
 * only on progress) ends it.
 *
 * Association handles are random and per connection.  What a mismatch
 * does follows what smbtorture's nbt.winsreplication.assoc_ctx1 expects
 * of a Windows server, without trusting the value for anything:
 *  - a Stop Request: the connection is closed, whatever the handle
 *    (the peer wants to go; nothing is answered, [MS-WINSRA] 3.1.5);
 *  - any other message with a handle that is not ours: the message is
 *    dropped, counted, and the association is stopped: the connection
 *    goes back to the pre-association stage, where only a Start Request
 *    is accepted (64-byte frame cap, handshake timer rearmed).  A handle
 *    of 0 is a peer that believes it has no association (an NT4 partner
 *    that restarted): it is told so with a Stop Request (reason 4); any
 *    other value is a bug or a probe (MS04-045) and gets no answer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wrp_server.h"
#include "wrp_pull.h"
#include "wrp_push.h"
#include "wrp_apply.h"
#include "wrp_stream.h"
#include "../util/twlog.h"
#include "../util/twutil.h"
#include "../wire/wrepl.h"

/*
 * Pulls a partner's notifications cause start at least this far apart
 * (SECURITY.md F 9 "notification rate per partner", class 33 storms).
 */
#define WRP_NOTIFY_SPACING_SECS 10

/* a reply the peer does not read, when there is no idle timeout */
#define WRP_SEND_TIMEOUT_SECS 120

/* the address of a normal group record ([MS-WINSRA] 2.2.10.1) */
#define WRP_GROUP_ADDR 0xFFFFFFFFu	/* normal group address on the wire */

enum wrp_pending {
	WRP_PENDING_NONE = 0,
	WRP_PENDING_MAP,
	WRP_PENDING_NAMES,
};

struct wrp_listener {
	struct wrp_server *s;
	uint32_t ip;
	int fd;
	struct tevent_fd *fde;
};

struct wrp_conn {
	struct wrp_conn *prev, *next;
	struct wrp_server *s;
	int fd;
	uint32_t peer_ip;
	uint16_t peer_port;
	uint32_t local_ip;
	struct tevent_fd *fde;
	struct tevent_timer *timer;
	enum ingress_wr_stage stage;	/* PREASSOC or ASSOC */
	uint32_t our_handle;		/* 0 while no association */
	uint32_t peer_handle;
	uint16_t peer_minor;

	/* input: the 4-byte Packet Length, then a body of that size */
	struct wrp_rd rd;

	/* one request waiting for the store to commit */
	enum wrp_pending pending;
	struct wrw_owner pending_req;
	struct tevent_req *sync_req;

	/* output: one reply at a time */
	uint8_t *out;
	size_t out_len;
	size_t out_off;
	bool close_after_send;

	/*
	 * UPDATE/UPDATE2 turnaround (PROTOCOL.md 3.5, Samba): we pull the
	 * notifier's owners over this connection.  turn != NULL while it
	 * runs; replies pass ingress at stage PULL_REPLY.
	 */
	struct wrw_owner *turn;
	uint32_t num_turn;
	uint32_t next_turn;
	bool turn_propagate;
	uint32_t turn_initiator;
	uint32_t turn_applied;
};

/* the pull side's state for one pull partner */
struct wrp_puller {
	struct wrp_puller *prev, *next;
	struct wrp_server *s;
	uint32_t ip;
	struct tevent_req *req;		/* the cycle running, or NULL */
	struct tevent_timer *timer;	/* the next periodic pull */
	struct tevent_timer *delayed;	/* a notification's pull, spaced */
	struct timeval last_start;
	bool again;			/* triggered while running */
	uint32_t failures;		/* pulls failed in a row */
	/*
	 * An UPDATE2/INFORM2 asked us to propagate: the pull it causes
	 * forwards it if it got records ([MS-WINSRA] 3.3.5.1).
	 */
	bool prop_pending;
	uint32_t prop_initiator;
	bool prop_running;		/* the running pull forwards */
	uint32_t prop_running_initiator;
};

/* the push side's state for one push partner */
struct wrp_pusher {
	struct wrp_pusher *prev, *next;
	struct wrp_server *s;
	uint32_t ip;
	struct tevent_req *req;		/* the notification going out */
	uint64_t last_pushed;		/* our counter at the last push */
	uint64_t pushing;		/* ... at the one going out */
	/* the last WRP_PUSH_FAIL_MAX failures, a ring; 0 = none */
	time_t fails[WRP_PUSH_FAIL_MAX];
	uint32_t fail_next;
};

struct wrp_server {
	struct tevent_context *ev;
	const struct twconf *conf;
	struct wdb *db;
	struct ingress *ig;
	struct wrp_listener *listeners;
	uint32_t num_listeners;
	struct wrp_conn *conns;
	uint32_t num_conns;
	struct wrp_puller *pullers;
	bool periodic;			/* wrp_start_pulls() was called */
	struct wrp_pusher *pushers;
	uint32_t push_update_count;	/* 0: never on version changes */
	bool push_at_startup;
	bool pushed_at_startup;
	struct tevent_timer *push_timer;
	struct wrp_stats stats;
	struct wrp_push_stats push_stats;
	struct twlog_ratelimit rl;
};

static int wrp_server_destructor(struct wrp_server *s);
static int wrp_conn_destructor(struct wrp_conn *c);
static void wrp_conn_io(struct tevent_context *ev, struct tevent_fd *fde,
			uint16_t flags, void *private_data);
static void wrp_conn_timeout(struct tevent_context *ev,
			     struct tevent_timer *te, struct timeval now,
			     void *private_data);
static void wrp_conn_sync_done(struct tevent_req *req);
static bool wrp_pull_notified(struct wrp_server *s, uint32_t partner,
			      bool propagate, uint32_t initiator);
static void wrp_push_forward(struct wrp_server *s, uint32_t initiator,
			     uint32_t notifier);
static bool wrp_turn_start(struct wrp_conn *c, const struct wrw_packet *in,
			   bool propagate);

struct wrp_server *wrp_server_create(TALLOC_CTX *mem_ctx,
				     struct tevent_context *ev,
				     const struct twconf *conf,
				     struct wdb *db, struct ingress *ig)
{
	struct wrp_server *s = talloc_zero(mem_ctx, struct wrp_server);

	if (s == NULL) {
		return NULL;
	}
	s->ev = ev;
	s->conf = conf;
	s->db = db;
	s->ig = ig;
	talloc_set_destructor(s, wrp_server_destructor);
	return s;
}

const struct wrp_stats *wrp_get_stats(const struct wrp_server *s)
{
	return &s->stats;
}

uint32_t wrp_num_conns(const struct wrp_server *s)
{
	return s->num_conns;
}

/* Listening sockets live in an array: close them all when s goes. */
static int wrp_server_destructor(struct wrp_server *s)
{
	uint32_t i;

	for (i = 0; i < s->num_listeners; i++) {
		TALLOC_FREE(s->listeners[i].fde);
		close(s->listeners[i].fd);
	}
	s->num_listeners = 0;
	while (s->conns != NULL) {
		talloc_free(s->conns);
	}
	while (s->pullers != NULL) {
		talloc_free(s->pullers);
	}
	return 0;
}

/* ---- listening ---- */

static void wrp_accept(struct tevent_context *ev, struct tevent_fd *fde,
		       uint16_t flags, void *private_data);

static int wrp_listen_one(uint32_t ip, uint16_t port, TALLOC_CTX *mem_ctx,
			  char **errmsg)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(ip),
	};
	char ipb[TW_IPSTR_LEN];
	int one = 1;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		*errmsg = talloc_asprintf(mem_ctx, "socket: %s",
					  strerror(errno));
		return -1;
	}
	/* lets a restart bind while old connections drain */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(fd, 16) != 0) {
		*errmsg = talloc_asprintf(mem_ctx,
					  "cannot listen on TCP %s:%u "
					  "(WINS replication): %s",
					  tw_ipstr(ip, ipb), port,
					  strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

bool wrp_listen(struct wrp_server *s, TALLOC_CTX *mem_ctx, char **errmsg)
{
	const struct twconf *conf = s->conf;
	uint32_t i;

	s->listeners = talloc_zero_array(s, struct wrp_listener,
					 conf->num_ifaces);
	if (s->listeners == NULL) {
		*errmsg = talloc_strdup(mem_ctx, "out of memory");
		return false;
	}
	for (i = 0; i < conf->num_ifaces; i++) {
		struct wrp_listener *l = &s->listeners[i];

		l->s = s;
		l->ip = conf->ifaces[i].ip;
		l->fd = wrp_listen_one(l->ip, conf->wrepl_port, mem_ctx,
				       errmsg);
		if (l->fd == -1) {
			return false;
		}
		s->num_listeners++;
		l->fde = tevent_add_fd(s->ev, s->listeners, l->fd,
				       TEVENT_FD_READ, wrp_accept, l);
		if (l->fde == NULL) {
			*errmsg = talloc_strdup(mem_ctx, "out of memory");
			return false;
		}
	}
	return true;
}

static void wrp_accept(struct tevent_context *ev, struct tevent_fd *fde,
		       uint16_t flags, void *private_data)
{
	struct wrp_listener *l = talloc_get_type_abort(private_data,
						       struct wrp_listener);
	struct sockaddr_in from = {};
	socklen_t fromlen = sizeof(from);
	uint32_t peer;
	int fd;

	fd = accept4(l->fd, (struct sockaddr *)&from, &fromlen,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		return;
	}
	if (from.sin_family != AF_INET) {
		close(fd);
		return;
	}
	peer = ntohl(from.sin_addr.s_addr);
	wrp_accept_fd(l->s, fd, peer, ntohs(from.sin_port), l->ip);
}

/* ---- connections ---- */

static void wrp_conn_arm(struct wrp_conn *c)
{
	uint32_t secs = c->s->conf->wrepl_handshake_timeout;

	TALLOC_FREE(c->timer);
	if (c->stage == INGRESS_WR_ASSOC) {
		secs = c->s->conf->wrepl_idle_timeout;
		/*
		 * No idle limit still bounds a reply the peer does not read:
		 * tevent drops a reset on a write-only fd, so only a timer
		 * ends such a connection.
		 */
		if (secs == 0 && c->out_len > c->out_off) {
			secs = WRP_SEND_TIMEOUT_SECS;
		}
		if (secs == 0) {
			return;		/* persistent associations: no limit */
		}
	}
	c->timer = tevent_add_timer(c->s->ev, c,
				    tevent_timeval_current_ofs(secs, 0),
				    wrp_conn_timeout, c);
}

bool wrp_accept_fd(struct wrp_server *s, int fd, uint32_t peer_ip,
		   uint16_t peer_port, uint32_t local_ip)
{
	const struct twconf *conf = s->conf;
	struct wrp_conn *c = NULL;
	struct wrp_conn *o = NULL;
	uint32_t same = 0;
	char ipb[TW_IPSTR_LEN];

	/*
	 * SECURITY.md F 8: refuse a non-partner before reading one byte
	 * ([MS-WINSRA] 5.1 recommends exactly this; Samba refuses later).
	 */
	if (twconf_find_partner(conf, peer_ip) == NULL) {
		s->stats.refused_partner++;
		twlog_limited(&s->rl, TWLOG_NOTICE,
			      "wrepl: connection from non-partner %s refused",
			      tw_ipstr(peer_ip, ipb));
		close(fd);
		return false;
	}
	for (o = s->conns; o != NULL; o = o->next) {
		if (o->peer_ip == peer_ip) {
			same++;
		}
	}
	/* SECURITY.md F 9: each connection carries one association */
	if (s->num_conns >= conf->wrepl_max_assoc ||
	    same >= conf->wrepl_max_assoc_partner) {
		s->stats.refused_caps++;
		twlog_limited(&s->rl, TWLOG_NOTICE,
			      "wrepl: association cap reached, %s refused",
			      tw_ipstr(peer_ip, ipb));
		close(fd);
		return false;
	}
	c = talloc_zero(s, struct wrp_conn);
	if (c == NULL) {
		close(fd);
		return false;
	}
	c->s = s;
	c->fd = fd;
	c->peer_ip = peer_ip;
	c->peer_port = peer_port;
	c->local_ip = local_ip;
	c->stage = INGRESS_WR_PREASSOC;
	c->next = s->conns;
	if (s->conns != NULL) {
		s->conns->prev = c;
	}
	s->conns = c;
	s->num_conns++;
	talloc_set_destructor(c, wrp_conn_destructor);
	c->fde = tevent_add_fd(s->ev, c, fd, TEVENT_FD_READ, wrp_conn_io, c);
	if (c->fde == NULL) {
		talloc_free(c);
		return false;
	}
	wrp_conn_arm(c);
	if (c->timer == NULL) {
		talloc_free(c);
		return false;
	}
	s->stats.accepted++;
	TW_DEBUG("wrepl: connection from %s:%u", tw_ipstr(peer_ip, ipb),
		 peer_port);
	return true;
}

static int wrp_conn_destructor(struct wrp_conn *c)
{
	struct wrp_server *s = c->s;

	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		s->conns = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	}
	s->num_conns--;
	s->stats.closed++;
	TALLOC_FREE(c->fde);
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	return 0;
}

static void wrp_conn_timeout(struct tevent_context *ev,
			     struct tevent_timer *te, struct timeval now,
			     void *private_data)
{
	struct wrp_conn *c = talloc_get_type_abort(private_data,
						   struct wrp_conn);

	c->timer = NULL;
	if (c->stage == INGRESS_WR_PREASSOC) {
		c->s->stats.handshake_timeouts++;
	} else {
		c->s->stats.idle_timeouts++;
	}
	talloc_free(c);
}

/* Read only when no request is in progress and no reply is queued. */
static void wrp_conn_update_flags(struct wrp_conn *c)
{
	uint16_t flags = 0;

	if (c->out_len > c->out_off) {
		flags |= TEVENT_FD_WRITE;
	} else if (c->pending == WRP_PENDING_NONE && !c->close_after_send) {
		flags |= TEVENT_FD_READ;
	}
	tevent_fd_set_flags(c->fde, flags);
}

/* false: the connection is gone (freed) */
static bool wrp_conn_flush(struct wrp_conn *c)
{
	ssize_t w;

	while (c->out_off < c->out_len) {
		w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (c->timer == NULL) {
				wrp_conn_arm(c);
			}
			wrp_conn_update_flags(c);
			return true;
		}
		if (w <= 0) {
			/* EPIPE, ECONNRESET: SECURITY.md class 35 */
			c->s->stats.io_errors++;
			talloc_free(c);
			return false;
		}
		c->out_off += (size_t)w;
		/* progress: a slow reader is not an idle one */
		wrp_conn_arm(c);
	}
	TALLOC_FREE(c->out);
	c->out_len = 0;
	c->out_off = 0;
	/* back to the idle timer (or none) now that nothing is queued */
	wrp_conn_arm(c);
	if (c->close_after_send) {
		talloc_free(c);
		return false;
	}
	wrp_conn_update_flags(c);
	return true;
}

/* Queue an encoded PDU and start sending it.  false: c is gone. */
static bool wrp_conn_send(struct wrp_conn *c, const struct wrw_packet *p)
{
	struct wrw_packet q = *p;
	uint8_t *buf = NULL;
	size_t len = 0;
	enum twerr err;

	q.lab_addresses = c->s->ig->limits.wr_lab_addresses;
	err = wrw_encode_alloc(c, &q, &buf, &len);
	if (err != TWERR_OK) {
		TW_ERR("wrepl: cannot encode a reply: %s", twerr_str(err));
		talloc_free(c);
		return false;
	}
	/* one request at a time, so the queue is empty here */
	TALLOC_FREE(c->out);
	c->out = buf;
	c->out_len = len;
	c->out_off = 0;
	return wrp_conn_flush(c);
}

/*
 * Send a Stop Request ([MS-WINSRA] 2.2.5).  close_after: the connection
 * ends when it is sent; otherwise the association ends and the connection
 * waits for a new Start Request.  false: c is gone.
 */
static bool wrp_conn_stop(struct wrp_conn *c, uint32_t reason,
			  bool close_after)
{
	struct wrw_packet p = {
		.mess_type = WRW_STOP_REQUEST,
		.assoc_handle = c->peer_handle,
		.stop.reason = reason,
	};

	c->close_after_send = close_after;
	return wrp_conn_send(c, &p);
}

/* The association ends; the connection may start a new one. */
static void wrp_conn_unassociate(struct wrp_conn *c)
{
	c->stage = INGRESS_WR_PREASSOC;
	c->our_handle = 0;
	wrp_conn_arm(c);
}

/* ---- requests ---- */

static uint32_t wrp_new_handle(void)
{
	uint32_t h = 0;

	/* 0 means "no association" on the wire: never hand it out */
	while (h == 0) {
		h = tw_random32();
	}
	return h;
}

static bool wrp_handle_start(struct wrp_conn *c, const struct wrw_packet *in)
{
	struct wrw_packet p = {
		.mess_type = WRW_START_RESPONSE,
		.start.major = WRW_MAJOR,
		.start.minor = WRW_MINOR_W2K,
	};
	char ipb[TW_IPSTR_LEN];

	/*
	 * A Start Request on a live association returns the same handle
	 * (smbtorture assoc_ctx2, Windows); its header may carry 0 or our
	 * handle, anything else is a stranger's handle.
	 */
	if (c->stage == INGRESS_WR_ASSOC && in->assoc_handle != 0 &&
	    in->assoc_handle != c->our_handle) {
		c->s->stats.bad_handle++;
		wrp_conn_unassociate(c);
		wrp_conn_update_flags(c);
		return true;
	}
	if (c->stage == INGRESS_WR_PREASSOC && in->assoc_handle != 0) {
		/* no handle of ours exists on this connection yet */
		c->s->stats.bad_handle++;
		talloc_free(c);
		return false;
	}
	if (c->stage == INGRESS_WR_PREASSOC) {
		c->our_handle = wrp_new_handle();
		c->stage = INGRESS_WR_ASSOC;
		TW_INFO("wrepl: association with %s (minor %u)",
			tw_ipstr(c->peer_ip, ipb), in->start.minor);
	}
	c->peer_handle = in->start.handle;
	c->peer_minor = in->start.minor;
	c->s->stats.starts++;
	wrp_conn_arm(c);
	p.assoc_handle = c->peer_handle;
	p.start.handle = c->our_handle;
	/* wrw_encode pads to 41 bytes: NT4 falls back otherwise (Samba) */
	return wrp_conn_send(c, &p);
}

static bool wrp_send_map(struct wrp_conn *c)
{
	struct wdb_owner *owners = NULL;
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_MAP_RESPONSE,
		.assoc_handle = c->peer_handle,
	};
	TALLOC_CTX *tmp = talloc_new(c);
	size_t num = 0;
	size_t i;
	enum twerr err;
	bool ok = false;

	if (tmp == NULL) {
		talloc_free(c);
		return false;
	}
	err = wdb_owners(c->s->db, tmp, &owners, &num);
	if (err != TWERR_OK) {
		TW_ERR("wrepl: owner table: %s", twerr_str(err));
		talloc_free(tmp);
		return wrp_conn_stop(c, WRW_STOP_ERROR, true);
	}
	p.table.owners = talloc_zero_array(tmp, struct wrw_owner, num + 1);
	if (p.table.owners == NULL) {
		talloc_free(c);
		return false;
	}
	for (i = 0; i < num; i++) {
		struct wrw_owner *o = &p.table.owners[p.table.num_owners];

		/*
		 * An owner address no partner would accept (a loopback local
		 * owner in a test set-up) is left out rather than sent.
		 */
		if (!wrw_addr_ok(owners[i].owner,
				 c->s->ig->limits.wr_lab_addresses)) {
			continue;
		}
		o->addr = owners[i].owner;
		o->max_version = owners[i].max_version;
		o->min_version = owners[i].min_version;
		o->type = WRW_OWNER_TYPE;
		p.table.num_owners++;
	}
	ok = wrp_conn_send(c, &p);
	/* c may be gone: tmp went with it */
	if (ok) {
		talloc_free(tmp);
	}
	return ok;
}

/* Convert a stored record; false if it cannot be sent. */
static bool wrp_rec_to_wire(TALLOC_CTX *mem_ctx, const struct wrec *r,
			    uint32_t local_owner, bool lab,
			    struct wrw_record *w)
{
	uint8_t i;

	*w = (struct wrw_record) {
		.name = r->name,
		.type = r->type,
		.state = r->state,
		.node = r->node,
		.replica = (r->owner != local_owner),
		.is_static = r->is_static,
		.version = r->version,
	};
	switch (r->type) {
	case WREC_UNIQUE:
		if (r->num_addrs == 0 || !wrw_addr_ok(r->addrs[0].ip, lab)) {
			return false;
		}
		w->ip = r->addrs[0].ip;
		return true;
	case WREC_GROUP:
		/* normal groups keep no members; Windows sends all ones, a
		 * replica goes on with the address it came with */
		w->ip = (r->num_addrs > 0) ? r->addrs[0].ip : WRP_GROUP_ADDR;
		return true;
	case WREC_SGROUP:
	case WREC_MHOMED:
		break;
	}
	if (r->num_addrs == 0) {
		return true;
	}
	w->addrs = talloc_array(mem_ctx, struct wrw_addr_pair, r->num_addrs);
	if (w->addrs == NULL) {
		return false;
	}
	for (i = 0; i < r->num_addrs && i < WRW_MAX_ADDRS; i++) {
		if (!wrw_addr_ok(r->addrs[i].ip, lab) ||
		    !wrw_addr_ok(r->addrs[i].owner, lab)) {
			continue;
		}
		w->addrs[w->num_addrs].owner = r->addrs[i].owner;
		w->addrs[w->num_addrs].ip = r->addrs[i].ip;
		w->num_addrs++;
	}
	return true;
}

static bool wrp_send_names(struct wrp_conn *c, const struct wrw_owner *req)
{
	struct wrp_server *s = c->s;
	struct wrw_packet p = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.assoc_handle = c->peer_handle,
	};
	struct wrec *recs = NULL;
	TALLOC_CTX *tmp = talloc_new(c);
	uint32_t local = wdb_local_owner(s->db);
	size_t num = 0;
	size_t i;
	enum twerr err;
	bool ok = false;
	char ipb[TW_IPSTR_LEN];
	char peer[TW_IPSTR_LEN];

	if (tmp == NULL) {
		talloc_free(c);
		return false;
	}
	/*
	 * [MS-WINSRA] 3.2.5.1: active and tombstone records only, sorted by
	 * version; Max 0 means no upper bound and Min > Max or an unknown
	 * owner give an empty list (what Samba answers).  At most
	 * wrepl_max_records per response: the partner asks again from the
	 * highest version it received.
	 */
	err = wdb_range(s->db, tmp, req->addr, req->min_version,
			req->max_version, s->conf->wrepl_max_records, true,
			&recs, &num);
	if (err != TWERR_OK) {
		TW_ERR("wrepl: records of %s: %s", tw_ipstr(req->addr, ipb),
		       twerr_str(err));
		talloc_free(tmp);
		return wrp_conn_stop(c, WRW_STOP_ERROR, true);
	}
	p.names.records = talloc_zero_array(tmp, struct wrw_record, num + 1);
	if (p.names.records == NULL) {
		talloc_free(c);
		return false;
	}
	for (i = 0; i < num; i++) {
		struct wrw_record *w = &p.names.records[p.names.num_records];

		if (!wrp_rec_to_wire(p.names.records, &recs[i], local,
				     s->ig->limits.wr_lab_addresses, w)) {
			s->stats.records_skipped++;
			continue;
		}
		p.names.num_records++;
	}
	TALLOC_FREE(recs);
	s->stats.records_sent += p.names.num_records;
	TW_DEBUG("wrepl: %" PRIu32 " records of %s to %s",
		 p.names.num_records, tw_ipstr(req->addr, ipb),
		 tw_ipstr(c->peer_ip, peer));
	ok = wrp_conn_send(c, &p);
	if (ok) {
		talloc_free(tmp);
	}
	return ok;
}

/*
 * Map and records requests are answered only after every write made so
 * far is committed: a version a crash could take back (and hand out again
 * for another name) must never reach a partner (docs/storage.md).
 */
static bool wrp_wait_sync(struct wrp_conn *c, enum wrp_pending what,
			  const struct wrw_owner *req)
{
	c->pending = what;
	if (req != NULL) {
		c->pending_req = *req;
	}
	c->sync_req = wdb_sync_send(c, c->s->ev, c->s->db);
	if (c->sync_req == NULL) {
		talloc_free(c);
		return false;
	}
	tevent_req_set_callback(c->sync_req, wrp_conn_sync_done, c);
	wrp_conn_update_flags(c);
	return true;
}

static void wrp_conn_sync_done(struct tevent_req *req)
{
	struct wrp_conn *c = tevent_req_callback_data(req, struct wrp_conn);
	enum wrp_pending what = c->pending;
	enum twerr err;

	err = wdb_sync_recv(req);
	TALLOC_FREE(c->sync_req);
	c->pending = WRP_PENDING_NONE;
	if (err != TWERR_OK) {
		c->s->stats.sync_failures++;
		TW_ERR("wrepl: store commit failed (%s): association "
		       "stopped", twerr_str(err));
		wrp_conn_stop(c, WRW_STOP_ERROR, true);
		return;
	}
	if (what == WRP_PENDING_MAP) {
		wrp_send_map(c);
		return;
	}
	wrp_send_names(c, &c->pending_req);
}

/* ---- UPDATE turnaround ---- */

/* Ask for the next owner, or end with a Stop (reason 0).  false: gone. */
static bool wrp_turn_next(struct wrp_conn *c)
{
	struct wrw_packet q = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_REQUEST,
		.assoc_handle = c->peer_handle,
	};

	if (c->next_turn < c->num_turn) {
		q.names_req = c->turn[c->next_turn];
		return wrp_conn_send(c, &q);
	}
	/*
	 * [MS-WINSRA] 3.3.5.1: forward a propagating notification only
	 * if it brought records, never back to where it came from.
	 */
	if (c->turn_propagate && c->turn_applied > 0) {
		wrp_push_forward(c->s, c->turn_initiator, c->peer_ip);
	}
	TALLOC_FREE(c->turn);
	return wrp_conn_stop(c, WRW_STOP_NORMAL, true);
}

static bool wrp_turn_start(struct wrp_conn *c, const struct wrw_packet *in,
			   bool propagate)
{
	enum twerr err;

	err = wrp_pull_plan(c, c->s->db, &in->table, &c->turn, &c->num_turn);
	if (err == TWERR_NOMEM) {
		talloc_free(c);
		return false;
	}
	if (err != TWERR_OK) {
		return wrp_conn_stop(c, WRW_STOP_ERROR, true);
	}
	c->next_turn = 0;
	c->turn_applied = 0;
	c->turn_propagate = propagate;
	c->turn_initiator = in->table.initiator;
	c->stage = INGRESS_WR_PULL_REPLY;
	return wrp_turn_next(c);
}

/* A Name Records Response on a turned-around connection.  false: gone. */
static bool wrp_turn_names(struct wrp_conn *c, const struct wrw_packet *p)
{
	struct wrp_server *s = c->s;
	struct wrp_pull_result res = {};
	enum twerr err;

	if (p->mess_type != WRW_REPLICATION ||
	    p->opcode != WRW_OP_NAMES_RESPONSE ||
	    p->assoc_handle != c->our_handle) {
		s->stats.msgs_dropped++;
		talloc_free(c);
		return false;
	}
	/* the same checks and rules as a pull (class 32: range) */
	err = wrp_pull_apply(s->db, s->conf, &c->turn[c->next_turn],
			     &p->names, &res);
	c->turn_applied += res.records_applied;
	s->stats.records_pulled += res.records_applied;
	s->stats.records_kept += res.records_kept;
	if (err != TWERR_OK) {
		return wrp_conn_stop(c, WRW_STOP_ERROR, true);
	}
	c->next_turn++;
	return wrp_turn_next(c);
}

static bool wrp_handle_replication(struct wrp_conn *c,
				   const struct twconf_partner *partner,
				   const struct wrw_packet *in)
{
	struct wrp_server *s = c->s;
	char ipb[TW_IPSTR_LEN];
	bool propagate = false;

	switch (in->opcode) {
	case WRW_OP_MAP_REQUEST:
	case WRW_OP_NAMES_REQUEST:
		/* PROTOCOL.md 3.5: only partners we push to may pull */
		if (!partner->push) {
			s->stats.role_refused++;
			twlog_limited(&s->rl, TWLOG_NOTICE,
				      "wrepl: %s is not a push partner: "
				      "request refused",
				      tw_ipstr(c->peer_ip, ipb));
			return wrp_conn_stop(c, WRW_STOP_ERROR, true);
		}
		if (in->opcode == WRW_OP_MAP_REQUEST) {
			s->stats.map_requests++;
			return wrp_wait_sync(c, WRP_PENDING_MAP, NULL);
		}
		s->stats.names_requests++;
		return wrp_wait_sync(c, WRP_PENDING_NAMES, &in->names_req);
	case WRW_OP_UPDATE:
	case WRW_OP_UPDATE2:
	case WRW_OP_INFORM:
	case WRW_OP_INFORM2:
		/* PROTOCOL.md 3.5: only partners we pull from may notify */
		if (!partner->pull) {
			s->stats.role_refused++;
			twlog_limited(&s->rl, TWLOG_NOTICE,
				      "wrepl: %s is not a pull partner: "
				      "notification refused",
				      tw_ipstr(c->peer_ip, ipb));
			return wrp_conn_stop(c, WRW_STOP_ERROR, true);
		}
		s->stats.notifications++;
		/*
		 * The notification only says "pull from me": what is
		 * pulled is decided by our own map query, never by the
		 * owner list in the notification (it may lie).  UPDATE2
		 * and INFORM2 ask us to forward it once that pull got
		 * something; never when we are the initiator (a loop).
		 */
		propagate = (in->opcode == WRW_OP_UPDATE2 ||
			     in->opcode == WRW_OP_INFORM2);
		if (propagate) {
			s->push_stats.notify_received2++;
		}
		if (in->table.initiator == wdb_local_owner(s->db)) {
			propagate = false;
		}
		TW_INFO("wrepl: update notification from %s: pulling",
			tw_ipstr(c->peer_ip, ipb));
		if (in->opcode == WRW_OP_INFORM ||
		    in->opcode == WRW_OP_INFORM2) {
			wrp_pull_notified(s, c->peer_ip, propagate,
					  in->table.initiator);
			/* no reply is expected to an INFORM */
			wrp_conn_arm(c);
			return true;
		}
		/*
		 * UPDATE expects us to pull over this very connection
		 * (Samba turns it around): Name Records Requests for the
		 * owners it names that we are behind on, then a Stop.
		 */
		return wrp_turn_start(c, in, propagate);
	case WRW_OP_MAP_RESPONSE:
	case WRW_OP_NAMES_RESPONSE:
		break;
	}
	/* ingress lets no reply through on an inbound association */
	s->stats.msgs_dropped++;
	talloc_free(c);
	return false;
}

/*
 * One whole PDU, judged by ingress (res; the packet lives on tmp, which
 * this function frees).  false: c is gone.
 */
static bool wrp_conn_message(struct wrp_conn *c, TALLOC_CTX *tmp,
			     const struct ingress_wrepl_result *r)
{
	struct wrp_server *s = c->s;
	const struct twconf_partner *partner = NULL;
	struct ingress_wrepl_result res = *r;
	bool alive = false;
	char ipb[TW_IPSTR_LEN];

	/* freed with c, or at the end when c lives on */
	talloc_steal(c, tmp);
	/* SECURITY.md F 8: the partner list may have changed (SIGHUP) */
	partner = twconf_find_partner(s->conf, c->peer_ip);
	if (partner == NULL) {
		s->stats.non_partner_msgs++;
		twlog_limited(&s->rl, TWLOG_NOTICE,
			      "wrepl: %s is no longer a partner",
			      tw_ipstr(c->peer_ip, ipb));
		talloc_free(c);
		return false;
	}
	if (res.verdict != INGRESS_ACCEPT) {
		/* [MS-WINSRA] 3.1.5: a bad message ends the association */
		s->stats.msgs_dropped++;
		twlog_limited(&s->rl, TWLOG_INFO,
			      "wrepl: message from %s dropped (%s)",
			      tw_ipstr(c->peer_ip, ipb),
			      ingress_reason_str(res.reason));
		talloc_free(c);
		return false;
	}
	wrp_conn_arm(c);

	if (c->turn != NULL) {
		/* a Stop from the partner ends it like anywhere else */
		if (res.pkt->mess_type == WRW_STOP_REQUEST) {
			s->stats.stops_in++;
			talloc_free(c);
			return false;
		}
		alive = wrp_turn_names(c, res.pkt);
		if (alive) {
			talloc_free(tmp);
		}
		return alive;
	}

	switch (res.pkt->mess_type) {
	case WRW_START_REQUEST:
		alive = wrp_handle_start(c, res.pkt);
		break;
	case WRW_STOP_REQUEST:
		/* the peer goes: no answer, whatever the handle */
		s->stats.stops_in++;
		if (res.pkt->assoc_handle != c->our_handle) {
			s->stats.bad_handle++;
		}
		talloc_free(c);
		return false;
	case WRW_REPLICATION:
		if (res.pkt->assoc_handle == c->our_handle) {
			alive = wrp_handle_replication(c, partner, res.pkt);
			break;
		}
		s->stats.bad_handle++;
		twlog_limited(&s->rl, TWLOG_INFO,
			      "wrepl: wrong association handle from %s",
			      tw_ipstr(c->peer_ip, ipb));
		wrp_conn_unassociate(c);
		if (res.pkt->assoc_handle == 0) {
			alive = wrp_conn_stop(c, WRW_STOP_ERROR, false);
		} else {
			wrp_conn_update_flags(c);
			alive = true;
		}
		break;
	case WRW_START_RESPONSE:
		/* ingress lets none through on an inbound connection */
		s->stats.msgs_dropped++;
		talloc_free(c);
		return false;
	}
	if (alive) {
		talloc_free(tmp);
	}
	return alive;
}

/* false: c is gone */
static bool wrp_conn_read(struct wrp_conn *c)
{
	struct wrp_server *s = c->s;
	struct ingress_wrepl_result res = {};
	TALLOC_CTX *pkt_ctx = NULL;

	switch (wrp_rd_read(&c->rd, c, c->fd, s->ig, c->stage, &pkt_ctx,
			    &res)) {
	case WRP_RD_MORE:
		return true;
	case WRP_RD_CLOSED:
		/* EOF or reset: the association ends (class 35) */
		if (c->rd.last_errno != 0) {
			s->stats.io_errors++;
		}
		break;
	case WRP_RD_TOO_LONG:
		/* judged before the body buffer existed */
		s->stats.frames_refused++;
		break;
	case WRP_RD_NOMEM:
		break;
	case WRP_RD_PDU:
		return wrp_conn_message(c, pkt_ctx, &res);
	}
	talloc_free(c);
	return false;
}

static void wrp_conn_io(struct tevent_context *ev, struct tevent_fd *fde,
			uint16_t flags, void *private_data)
{
	struct wrp_conn *c = talloc_get_type_abort(private_data,
						   struct wrp_conn);

	if (flags & TEVENT_FD_WRITE) {
		if (!wrp_conn_flush(c)) {
			return;
		}
	}
	if ((flags & TEVENT_FD_READ) && c->pending == WRP_PENDING_NONE &&
	    c->out_len == 0 && !c->close_after_send) {
		wrp_conn_read(c);
	}
}

void wrp_reconfigure(struct wrp_server *s, const struct twconf *conf)
{
	struct wrp_conn *c = s->conns;
	struct wrp_puller *p = s->pullers;
	struct wrp_pusher *pu = s->pushers;

	s->conf = conf;
	/*
	 * Push state is kept for partners that stay push partners (the
	 * version last pushed, the failures): a SIGHUP must not cause a
	 * push to everyone.
	 */
	while (pu != NULL) {
		struct wrp_pusher *next = pu->next;
		const struct twconf_partner *tp = NULL;

		tp = twconf_find_partner(conf, pu->ip);
		if (tp == NULL || !tp->push) {
			talloc_free(pu);
		}
		pu = next;
	}
	/*
	 * Pull state is rebuilt from the new list: a running cycle holds
	 * the old configuration and is cancelled (tdbwinsd keeps old
	 * configurations allocated).
	 */
	while (p != NULL) {
		struct wrp_puller *next = p->next;

		talloc_free(p);
		p = next;
	}
	if (s->periodic) {
		wrp_start_pulls(s);
	}
	while (c != NULL) {
		struct wrp_conn *next = c->next;

		if (twconf_find_partner(conf, c->peer_ip) == NULL) {
			s->stats.non_partner_msgs++;
			talloc_free(c);
		}
		c = next;
	}
}

/* ---- pull scheduling ---- */

static int wrp_puller_destructor(struct wrp_puller *p)
{
	struct wrp_server *s = p->s;

	if (p->prev != NULL) {
		p->prev->next = p->next;
	} else {
		s->pullers = p->next;
	}
	if (p->next != NULL) {
		p->next->prev = p->prev;
	}
	return 0;
}

static struct wrp_puller *wrp_puller_get(struct wrp_server *s, uint32_t ip)
{
	const struct twconf_partner *partner = NULL;
	struct wrp_puller *p = NULL;

	for (p = s->pullers; p != NULL; p = p->next) {
		if (p->ip == ip) {
			return p;
		}
	}
	partner = twconf_find_partner(s->conf, ip);
	if (partner == NULL || !partner->pull) {
		return NULL;
	}
	p = talloc_zero(s, struct wrp_puller);
	if (p == NULL) {
		return NULL;
	}
	p->s = s;
	p->ip = ip;
	p->next = s->pullers;
	if (s->pullers != NULL) {
		s->pullers->prev = p;
	}
	s->pullers = p;
	talloc_set_destructor(p, wrp_puller_destructor);
	return p;
}

static void wrp_puller_done(struct tevent_req *req);
static bool wrp_start_pushes(struct wrp_server *s);

static bool wrp_puller_start(struct wrp_puller *p)
{
	struct wrp_server *s = p->s;
	const struct twconf *conf = s->conf;
	uint32_t local = wrp_pull_local_ip(conf, p->ip);

	p->last_start = tevent_timeval_current();
	p->prop_running = p->prop_pending;
	p->prop_running_initiator = p->prop_initiator;
	p->prop_pending = false;

	p->req = wrp_pull_send(p, s->ev, conf, s->db, s->ig, p->ip,
			       conf->wrepl_port, local);
	if (p->req == NULL) {
		return false;
	}
	tevent_req_set_callback(p->req, wrp_puller_done, p);
	s->stats.pulls++;
	return true;
}

bool wrp_pull_now(struct wrp_server *s, uint32_t partner)
{
	struct wrp_puller *p = wrp_puller_get(s, partner);

	if (p == NULL) {
		return false;
	}
	if (p->req != NULL) {
		/* notifications during a pull: one more pull, not many */
		p->again = true;
		return true;
	}
	return wrp_puller_start(p);
}

static void wrp_puller_delayed(struct tevent_context *ev,
			       struct tevent_timer *te, struct timeval now,
			       void *private_data)
{
	struct wrp_puller *p = talloc_get_type_abort(private_data,
						     struct wrp_puller);

	p->delayed = NULL;
	wrp_pull_now(p->s, p->ip);
}

/*
 * A partner's notification: pull from it, but start no two pulls closer
 * than WRP_NOTIFY_SPACING_SECS apart; however many notifications come
 * in between, one pull follows them.
 */
static bool wrp_pull_notified(struct wrp_server *s, uint32_t partner,
			      bool propagate, uint32_t initiator)
{
	struct wrp_puller *p = wrp_puller_get(s, partner);
	struct timeval now = tevent_timeval_current();
	struct timeval next;

	if (p == NULL) {
		return false;
	}
	if (propagate) {
		p->prop_pending = true;
		p->prop_initiator = initiator;
	}
	if (p->delayed != NULL) {
		return true;		/* a pull is already due */
	}
	if (p->req != NULL) {
		p->again = true;
		return true;
	}
	next = tevent_timeval_add(&p->last_start, WRP_NOTIFY_SPACING_SECS,
				  0);
	if (p->last_start.tv_sec == 0 ||
	    tevent_timeval_compare(&next, &now) <= 0) {
		return wrp_puller_start(p);
	}
	p->delayed = tevent_add_timer(s->ev, p, next, wrp_puller_delayed, p);
	return p->delayed != NULL;
}

/*
 * A failed pull is tried again after tdbwins:pull retry interval, at most
 * tdbwins:pull retries times in a row (Windows' CommRetryCount, Samba's
 * pullRetryInterval); after that the next periodic pull or notification
 * tries again.
 */
static void wrp_puller_retry(struct wrp_puller *p)
{
	const struct twconf *conf = p->s->conf;
	char ipb[TW_IPSTR_LEN];

	if (p->failures > conf->pull_retries || p->delayed != NULL ||
	    p->again) {
		return;
	}
	p->delayed = tevent_add_timer(p->s->ev, p,
				      tevent_timeval_current_ofs(
					      conf->pull_retry_interval, 0),
				      wrp_puller_delayed, p);
	if (p->delayed != NULL) {
		p->s->stats.pull_retries++;
		TW_INFO("wrepl: pull from %s: retry %" PRIu32 " of %" PRIu32
			" in %" PRIu32 " s", tw_ipstr(p->ip, ipb),
			p->failures, conf->pull_retries,
			conf->pull_retry_interval);
	}
}

static void wrp_puller_done(struct tevent_req *req)
{
	struct wrp_puller *p = tevent_req_callback_data(req,
							struct wrp_puller);
	struct wrp_server *s = p->s;
	struct wrp_pull_result res = {};
	enum twerr err;
	char ipb[TW_IPSTR_LEN];

	err = wrp_pull_recv(req, &res);
	TALLOC_FREE(p->req);
	s->stats.records_pulled += res.records_applied;
	s->stats.records_kept += res.records_kept;
	if (err != TWERR_OK) {
		s->stats.pulls_failed++;
		p->failures++;
		twlog_limited(&s->rl, TWLOG_WARNING,
			      "wrepl: pull from %s failed: %s (%" PRIu32
			      " records taken)", tw_ipstr(p->ip, ipb),
			      twerr_str(err), res.records_applied);
		wrp_puller_retry(p);
	} else {
		p->failures = 0;
		TW_INFO("wrepl: pulled from %s: %" PRIu32 " owners, %" PRIu32
			" records, %" PRIu32 " taken, %" PRIu32
			" kept (conflict)", tw_ipstr(p->ip, ipb),
			res.owners_pulled, res.records_received,
			res.records_applied, res.records_kept);
	}
	/*
	 * [MS-WINSRA] 3.3.5.1: a propagating notification is forwarded
	 * only if the pull it caused got records (which also ends loops:
	 * the second time round there is nothing new), and never back to
	 * the partner it came from.
	 */
	if (p->prop_running && err == TWERR_OK && res.records_applied > 0) {
		wrp_push_forward(s, p->prop_running_initiator, p->ip);
	}
	p->prop_running = false;
	if (p->again) {
		p->again = false;
		wrp_puller_start(p);
	}
}

static void wrp_puller_timer(struct tevent_context *ev,
			     struct tevent_timer *te, struct timeval now,
			     void *private_data)
{
	struct wrp_puller *p = talloc_get_type_abort(private_data,
						     struct wrp_puller);
	uint32_t secs = p->s->conf->pull_interval;

	p->timer = NULL;
	wrp_pull_now(p->s, p->ip);
	if (secs > 0) {
		p->timer = tevent_add_timer(ev, p,
					    tevent_timeval_current_ofs(secs,
								       0),
					    wrp_puller_timer, p);
	}
}

bool wrp_start_pulls(struct wrp_server *s)
{
	const struct twconf *conf = s->conf;
	uint32_t i;

	s->periodic = true;
	if (!wrp_start_pushes(s)) {
		return false;
	}
	for (i = 0; i < conf->num_partners; i++) {
		struct wrp_puller *p = NULL;

		if (!conf->partners[i].pull) {
			continue;
		}
		p = wrp_puller_get(s, conf->partners[i].ip);
		if (p == NULL) {
			return false;
		}
		if (conf->pull_interval == 0) {
			continue;
		}
		/* a pull at start-up (Windows InitTimeReplication), then
		 * every interval */
		TALLOC_FREE(p->timer);
		p->timer = tevent_add_timer(s->ev, p,
					    tevent_timeval_current_ofs(0, 0),
					    wrp_puller_timer, p);
		if (p->timer == NULL) {
			return false;
		}
	}
	return true;
}

uint32_t wrp_num_pulls(const struct wrp_server *s)
{
	const struct wrp_puller *p = NULL;
	uint32_t n = 0;

	for (p = s->pullers; p != NULL; p = p->next) {
		if (p->req != NULL) {
			n++;
		}
	}
	return n;
}

/* ---- push scheduling ([MS-WINSRA] 3.3.5.1, PROTOCOL.md 3.5 "Push") ---- */

static int wrp_pusher_destructor(struct wrp_pusher *pu)
{
	struct wrp_server *s = pu->s;

	if (pu->prev != NULL) {
		pu->prev->next = pu->next;
	} else {
		s->pushers = pu->next;
	}
	if (pu->next != NULL) {
		pu->next->prev = pu->prev;
	}
	return 0;
}

static struct wrp_pusher *wrp_pusher_get(struct wrp_server *s, uint32_t ip)
{
	const struct twconf_partner *partner = NULL;
	struct wrp_pusher *pu = NULL;

	for (pu = s->pushers; pu != NULL; pu = pu->next) {
		if (pu->ip == ip) {
			return pu;
		}
	}
	partner = twconf_find_partner(s->conf, ip);
	if (partner == NULL || !partner->push) {
		return NULL;
	}
	pu = talloc_zero(s, struct wrp_pusher);
	if (pu == NULL) {
		return NULL;
	}
	pu->s = s;
	pu->ip = ip;
	pu->next = s->pushers;
	if (s->pushers != NULL) {
		s->pushers->prev = pu;
	}
	s->pushers = pu;
	talloc_set_destructor(pu, wrp_pusher_destructor);
	return pu;
}

/*
 * Windows stops pushing to a partner after more than 2 failed pushes in
 * 5 minutes ([MS-WINSRA] <11>): the oldest of the last three failures
 * is within the window.  Pushing resumes once it is older.
 */
static bool wrp_pusher_throttled(const struct wrp_pusher *pu, time_t now)
{
	time_t oldest = pu->fails[pu->fail_next];

	return oldest != 0 && now - oldest < WRP_PUSH_FAIL_WINDOW_SECS;
}

static void wrp_pusher_done(struct tevent_req *req);

/* only_owner 0: every owner */
static bool wrp_pusher_start(struct wrp_pusher *pu, enum wrw_opcode op,
			     uint32_t only_owner, uint32_t initiator)
{
	struct wrp_server *s = pu->s;
	const struct twconf *conf = s->conf;
	struct wrw_table table = {};
	TALLOC_CTX *tmp = NULL;
	char ipb[TW_IPSTR_LEN];
	enum twerr err;

	if (pu->req != NULL) {
		/* one at a time; the next trigger sends the news */
		return true;
	}
	if (wrp_pusher_throttled(pu, time(NULL))) {
		s->push_stats.pushes_throttled++;
		twlog_limited(&s->rl, TWLOG_NOTICE,
			      "wrepl: not pushing to %s: %d failures in "
			      "%d s", tw_ipstr(pu->ip, ipb),
			      WRP_PUSH_FAIL_MAX, WRP_PUSH_FAIL_WINDOW_SECS);
		return false;
	}
	tmp = talloc_new(pu);
	if (tmp == NULL) {
		return false;
	}
	err = wrp_push_table(tmp, s->db, only_owner,
			     s->ig->limits.wr_lab_addresses, &table);
	if (err != TWERR_OK) {
		TW_ERR("wrepl: owner table for a push: %s", twerr_str(err));
		talloc_free(tmp);
		return false;
	}
	if (table.num_owners == 0) {
		/* nothing to announce (an empty store, or only refused
		 * owner classes): not a failed push */
		talloc_free(tmp);
		return true;
	}
	table.initiator = initiator;
	pu->pushing = wdb_current_version(s->db);
	pu->req = wrp_push_send(pu, s->ev, s->ig, pu->ip, conf->wrepl_port,
				wrp_pull_local_ip(conf, pu->ip), op, &table);
	talloc_free(tmp);
	if (pu->req == NULL) {
		return false;
	}
	tevent_req_set_callback(pu->req, wrp_pusher_done, pu);
	s->push_stats.pushes++;
	TW_INFO("wrepl: pushing to %s (%s, %" PRIu32 " owners)",
		tw_ipstr(pu->ip, ipb),
		op == WRW_OP_INFORM2 ? "INFORM2" : "INFORM",
		table.num_owners);
	return true;
}

static void wrp_pusher_done(struct tevent_req *req)
{
	struct wrp_pusher *pu = tevent_req_callback_data(req,
							 struct wrp_pusher);
	struct wrp_server *s = pu->s;
	char ipb[TW_IPSTR_LEN];
	enum twerr err;

	err = wrp_push_recv(req);
	TALLOC_FREE(pu->req);
	if (err == TWERR_OK) {
		pu->last_pushed = pu->pushing;
		return;
	}
	s->push_stats.pushes_failed++;
	pu->fails[pu->fail_next] = time(NULL);
	pu->fail_next = (pu->fail_next + 1) % WRP_PUSH_FAIL_MAX;
	twlog_limited(&s->rl, TWLOG_WARNING, "wrepl: push to %s failed: %s",
		      tw_ipstr(pu->ip, ipb), twerr_str(err));
}

static bool wrp_push_all(struct wrp_server *s, enum wrw_opcode op,
			 uint32_t only_owner, uint32_t initiator,
			 uint32_t except)
{
	const struct twconf *conf = s->conf;
	bool ok = true;
	uint32_t i;

	for (i = 0; i < conf->num_partners; i++) {
		struct wrp_pusher *pu = NULL;

		if (!conf->partners[i].push || conf->partners[i].ip == except) {
			continue;
		}
		/* the initiator has the news already */
		if (conf->partners[i].ip == initiator &&
		    initiator != wdb_local_owner(s->db)) {
			continue;
		}
		pu = wrp_pusher_get(s, conf->partners[i].ip);
		if (pu == NULL || !wrp_pusher_start(pu, op, only_owner,
						    initiator)) {
			ok = false;
		}
	}
	return ok;
}

bool wrp_push_now(struct wrp_server *s, uint32_t partner, bool propagate)
{
	uint32_t local = wdb_local_owner(s->db);
	enum wrw_opcode op = propagate ? WRW_OP_INFORM2 : WRW_OP_INFORM;
	uint32_t only = propagate ? local : 0;
	struct wrp_pusher *pu = NULL;

	if (partner == 0) {
		return wrp_push_all(s, op, only, local, 0);
	}
	pu = wrp_pusher_get(s, partner);
	if (pu == NULL) {
		return false;
	}
	return wrp_pusher_start(pu, op, only, local);
}

/* Forward a propagating notification: only the initiator's owner. */
static void wrp_push_forward(struct wrp_server *s, uint32_t initiator,
			     uint32_t notifier)
{
	s->push_stats.propagations++;
	wrp_push_all(s, WRW_OP_INFORM2, initiator, initiator, notifier);
}

/* Samba's pushChangeCount: compare our counter with what each got */
static void wrp_push_check(struct tevent_context *ev,
			   struct tevent_timer *te, struct timeval now,
			   void *private_data)
{
	struct wrp_server *s = talloc_get_type_abort(private_data,
						     struct wrp_server);
	const struct twconf *conf = s->conf;
	uint64_t cur = wdb_current_version(s->db);
	uint32_t local = wdb_local_owner(s->db);
	struct timeval next;
	uint32_t i;

	s->push_timer = NULL;
	for (i = 0; i < conf->num_partners; i++) {
		struct wrp_pusher *pu = NULL;

		if (!conf->partners[i].push) {
			continue;
		}
		pu = wrp_pusher_get(s, conf->partners[i].ip);
		if (pu == NULL || pu->req != NULL) {
			continue;
		}
		if (cur >= pu->last_pushed &&
		    cur - pu->last_pushed >= s->push_update_count) {
			wrp_pusher_start(pu, WRW_OP_INFORM, 0, local);
		}
	}
	next = tevent_timeval_current_ofs(WRP_PUSH_CHECK_SECS, 0);
	s->push_timer = tevent_add_timer(ev, s, next, wrp_push_check, s);
}

void wrp_set_push(struct wrp_server *s, uint32_t update_count,
		  bool at_startup)
{
	struct timeval first;

	s->push_update_count = update_count;
	s->push_at_startup = at_startup;
	/* a reload may turn the update count on or off */
	if (!s->periodic) {
		return;
	}
	if (update_count == 0) {
		TALLOC_FREE(s->push_timer);
		return;
	}
	if (s->push_timer == NULL) {
		first = tevent_timeval_current_ofs(WRP_PUSH_CHECK_SECS, 0);
		s->push_timer = tevent_add_timer(s->ev, s, first,
						 wrp_push_check, s);
	}
}

static bool wrp_start_pushes(struct wrp_server *s)
{
	struct timeval first = tevent_timeval_current_ofs(
		WRP_PUSH_CHECK_SECS, 0);

	/* once per process: wrp_reconfigure() comes back here on SIGHUP */
	if (s->push_at_startup && !s->pushed_at_startup) {
		s->pushed_at_startup = true;
		if (!wrp_push_now(s, 0, false)) {
			TW_NOTICE("wrepl: start-up push: not every partner "
				  "reached");
		}
	}
	TALLOC_FREE(s->push_timer);
	if (s->push_update_count == 0) {
		return true;
	}
	s->push_timer = tevent_add_timer(s->ev, s, first, wrp_push_check, s);
	return s->push_timer != NULL;
}

uint32_t wrp_num_pushes(const struct wrp_server *s)
{
	const struct wrp_pusher *pu = NULL;
	uint32_t n = 0;

	for (pu = s->pushers; pu != NULL; pu = pu->next) {
		if (pu->req != NULL) {
			n++;
		}
	}
	return n;
}

const struct wrp_push_stats *wrp_get_push_stats(const struct wrp_server *s)
{
	return &s->push_stats;
}
