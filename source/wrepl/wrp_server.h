/*
 * tdbwins — WINS replication, inbound side ([MS-WINSRA] 3.3, TCP 42).
 *
 * A partner connects to us, starts an association, asks for our
 * Owner-Version Map and for the Name Records of one owner, and stops.
 * Every byte goes through ingress: ingress_tcp42_frame() bounds the
 * Packet Length before any buffer grows (64 bytes until a Start Request
 * is accepted, the request cap afterwards) and ingress_wrepl() decodes.
 * This module adds what ingress cannot know (PROTOCOL.md 3.5,
 * SECURITY.md F 8-9):
 *
 *  - partner authorisation by IP at accept() and again on every message
 *    (the partner list may have changed since: SIGHUP);
 *  - association caps (global and per partner), a handshake timeout to
 *    the first Start Request and an idle timeout afterwards;
 *  - random 32-bit association handles checked on every message;
 *  - partner roles: map and records requests only from partners we push
 *    to, update notifications only from partners we pull from;
 *  - durable before sent: records and versions are sent only after the
 *    store's pending batch has committed (wdb_sync_send).
 *
 * docs/replication.md describes the behaviour and the configuration.
 */
#ifndef TDBWINS_WRP_SERVER_H
#define TDBWINS_WRP_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "../conf/twconf.h"
#include "../ingress/ingress.h"
#include "../store/wdb.h"

struct wrp_server;

struct wrp_stats {
	uint64_t accepted;		/* connections taken */
	uint64_t refused_partner;	/* accept() from a non-partner */
	uint64_t refused_caps;		/* association caps reached */
	uint64_t non_partner_msgs;	/* peer no longer a partner */
	uint64_t frames_refused;	/* Packet Length refused by ingress */
	uint64_t msgs_dropped;		/* ingress_wrepl() said DROP */
	uint64_t bad_handle;		/* association handle mismatch */
	uint64_t role_refused;		/* request the partner's role forbids */
	uint64_t handshake_timeouts;
	uint64_t idle_timeouts;
	uint64_t starts;		/* Start Requests answered */
	uint64_t stops_in;		/* Stop Requests received */
	uint64_t map_requests;
	uint64_t names_requests;
	uint64_t records_sent;
	uint64_t records_skipped;	/* stored records that cannot be sent */
	uint64_t notifications;
	uint64_t sync_failures;		/* store commit failed: nothing sent */
	uint64_t io_errors;		/* peer reset, send failure */
	uint64_t closed;		/* connections torn down */
	/* pull side (wrp_pull.h) */
	uint64_t pulls;			/* pull cycles started */
	uint64_t pulls_failed;
	uint64_t pull_retries;		/* failed pulls tried again */
	uint64_t records_pulled;	/* stored: new names, same owner */
	uint64_t records_kept;		/* conflict: ours kept */
};

/*
 * conf, db and ig must outlive the server; conf is not copied (see
 * wrp_reconfigure).
 */
struct wrp_server *wrp_server_create(TALLOC_CTX *mem_ctx,
				     struct tevent_context *ev,
				     const struct twconf *conf,
				     struct wdb *db, struct ingress *ig);

/*
 * Listen on conf->wrepl_port on every interface.  On failure *errmsg
 * (talloc'ed on mem_ctx) says what and where.
 */
bool wrp_listen(struct wrp_server *s, TALLOC_CTX *mem_ctx, char **errmsg);

/*
 * Take over a connected stream socket (the listener's accept path, and the
 * unit tests with a socketpair).  peer_ip/local_ip in host order.  The fd
 * is closed here when refused.  Returns false if refused.
 */
bool wrp_accept_fd(struct wrp_server *s, int fd, uint32_t peer_ip,
		   uint16_t peer_port, uint32_t local_ip);

/*
 * A new configuration (SIGHUP): partners and limits take effect now;
 * connections of peers that are no longer partners are closed.  The
 * listening port and interfaces are not changed.
 */
void wrp_reconfigure(struct wrp_server *s, const struct twconf *conf);

/*
 * Pull from every pull partner now and then every conf->pull_interval
 * seconds (0: only when a partner notifies us).  Update notifications
 * from pull partners trigger a pull whether or not this was called.
 */
bool wrp_start_pulls(struct wrp_server *s);

/*
 * Pull from partner now; if a pull from it is running, once more after
 * it.  false if partner is not a pull partner or out of memory.
 */
bool wrp_pull_now(struct wrp_server *s, uint32_t partner);

/* pull cycles running now */
uint32_t wrp_num_pulls(const struct wrp_server *s);

/* connections open now */
uint32_t wrp_num_conns(const struct wrp_server *s);

const struct wrp_stats *wrp_get_stats(const struct wrp_server *s);

#endif /* TDBWINS_WRP_SERVER_H */
