/*
 * tdbwins — WINS replication, pull side (first cut): one pull cycle from
 * one partner ([MS-WINSRA] 3.2.5.1, PROTOCOL.md 3.5 "Standard pull").
 *
 *   connect (from our interface address: partners authorise by address)
 *   -> Start Request -> Owner-Version Map Request
 *   -> for every owner the partner is ahead on (never our own owner):
 *      Name Records Request [our max + 1, partner's max]
 *   -> apply, commit (wdb_sync_send) -> Stop Request (reason 0), close.
 *
 * Every reply passes ingress (stage PULL_REPLY: the response cap bounds
 * the Packet Length before the buffer exists).  On top of that
 * (SECURITY.md F 10): the Start Response, map and records must carry our
 * handle; a response with a record outside the requested version range
 * rejects the whole response and ends the cycle; our own owner is never
 * pulled, and versions above WDB_VERSION_LIMIT are not requested.
 *
 * Applying is a first cut of [MS-WINSRA] 3.2.5.5 / PROTOCOL.md 3.6: a
 * record for a name we do not hold is stored; against a record we hold,
 * the general rules and table A (a replica of a third server) decide,
 * without the special-group merge; a record we own is kept (table B needs
 * challenges, release demands and merges, not implemented).
 */
#ifndef TDBWINS_WRP_PULL_H
#define TDBWINS_WRP_PULL_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "../conf/twconf.h"
#include "../ingress/ingress.h"
#include "../store/wdb.h"
#include "../wire/twerr.h"

/* Samba's verify interval (wreplsrv:verify_interval): an active replica
 * is kept this long without being pulled again */
#define WRP_REPLICA_VERIFY_SECS 2073600

/* a whole cycle, however many owners, ends after this */
#define WRP_PULL_TIMEOUT_SECS 300

struct wrp_pull_result {
	uint32_t owners_pulled;		/* Name Records Requests answered */
	uint32_t records_received;
	uint32_t records_applied;	/* stored */
	uint32_t records_kept;		/* ours kept (conflict rules) */
};

/*
 * conf, db and ig must outlive the request.  partner and local_ip in host
 * order; local_ip 0 lets the kernel choose the source address.
 */
struct tevent_req *wrp_pull_send(TALLOC_CTX *mem_ctx,
				 struct tevent_context *ev,
				 const struct twconf *conf, struct wdb *db,
				 struct ingress *ig, uint32_t partner,
				 uint16_t port, uint32_t local_ip);

/*
 * TWERR_OK: the cycle completed and what was applied is committed.
 * Otherwise what was applied before the failure is committed with the
 * next batch; res says how far it got.  res may be NULL.
 */
enum twerr wrp_pull_recv(struct tevent_req *req, struct wrp_pull_result *res);

/* The interface address to pull from partner with: same subnet first. */
uint32_t wrp_pull_local_ip(const struct twconf *conf, uint32_t partner);

#endif /* TDBWINS_WRP_PULL_H */
