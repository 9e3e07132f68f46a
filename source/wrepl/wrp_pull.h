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
#include "../wire/wrepl.h"

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

/*
 * What to ask a partner for, from its owner table t (a Map Response, or
 * the table of an UPDATE we turn around): every owner it is ahead on,
 * from our highest version of it + 1 to its maximum; never our own owner
 * or a version above the store's limit (SECURITY.md F 10).  *todo is a
 * talloc child of mem_ctx.
 */
enum twerr wrp_pull_plan(TALLOC_CTX *mem_ctx, struct wdb *db,
			 const struct wrw_table *t, struct wrw_owner **todo,
			 uint32_t *num_todo);

/*
 * One Name Records Response to the request asked: refused whole
 * (TWERR_BAD_VALUE, nothing stored) if any record lies outside the asked
 * range (class 32); otherwise every record goes through the conflict
 * rules (wrp_apply_record) and the owner's watermark rises to the highest
 * version received.  Counts into *res.  Used by the pull cycle and by the
 * UPDATE turnaround in wrp_server.c.
 */
enum twerr wrp_pull_apply(struct wdb *db, const struct twconf *conf,
			  const struct wrw_owner *asked,
			  const struct wrw_names *names,
			  struct wrp_pull_result *res);

/*
 * A received Name Record as a replica of owner (expiry from now), ready
 * for wrp_apply_record().
 */
struct wrec;
void wrp_pull_to_rec(const struct wrw_record *w, uint32_t owner,
		     int64_t now, const struct twconf *conf, struct wrec *r);

/*
 * Verification (wrp_verify.c, [MS-WINSRA] 3.2.5.3): the same cycle
 * without the map, one Name Records Request for range->addr's versions
 * [range->min_version, range->max_version], nothing applied.  The records
 * come back as replicas of that owner (expiry from now), in the order
 * received; a record outside the range refuses the whole response as in
 * a pull.  TWERR_BAD_VALUE at once for our own owner, an empty range or
 * versions above WDB_VERSION_LIMIT.
 */
struct wrec;
struct wrw_owner;
struct tevent_req *wrp_pull_range_send(TALLOC_CTX *mem_ctx,
				       struct tevent_context *ev,
				       const struct twconf *conf,
				       struct wdb *db, struct ingress *ig,
				       uint32_t partner, uint16_t port,
				       uint32_t local_ip,
				       const struct wrw_owner *range);
enum twerr wrp_pull_range_recv(struct tevent_req *req, TALLOC_CTX *mem_ctx,
			       struct wrec **recs, uint32_t *num);

/* The interface address to pull from partner with: same subnet first. */
uint32_t wrp_pull_local_ip(const struct twconf *conf, uint32_t partner);

#endif /* TDBWINS_WRP_PULL_H */
