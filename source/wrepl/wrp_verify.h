/*
 * tdbwins — verification of replicas ([MS-WINSRA] 3.2.5.3 and 3.1.6,
 * PROTOCOL.md 2.11 and 3.5 "Verification").
 *
 * An active replica lives one verify interval (wreplsrv:verify_interval,
 * 24 days) after it arrived; then its owner is asked whether it still
 * holds that version.  One run:
 *
 *   walk the store for active, dynamic replicas past their expiry (at
 *   most max_records per run: MS-WINSRA <10>, the rest next run), and
 *   delete released replicas past theirs;
 *   group them by owner; for an owner that is one of our pull partners,
 *   pull its versions [lowest, highest] of the group (wrp_pull_range_send)
 *   and decide per record:
 *     same version returned     -> kept, expiry = now + verify interval
 *     another version returned  -> the owner's answer is applied
 *                                  (wrp_apply_record)
 *     not returned              -> deleted
 *   an owner that is not a pull partner, or a partner that cannot be
 *   reached: the record is kept and asked about again after
 *   WRP_VERIFY_RETRY_SECS.
 *
 * Samba (source4 wrepl_scavenging.c) asks the owner with a name query
 * instead; the version comparison is what MS-WINSRA describes.  Static
 * replicas and our own records are never touched here.
 */
#ifndef TDBWINS_WRP_VERIFY_H
#define TDBWINS_WRP_VERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "../conf/twconf.h"
#include "../ingress/ingress.h"
#include "../store/wdb.h"
#include "../wire/twerr.h"

/* [MS-WINSRA] <10>: "at most 30,000 records" per verification */
#define WRP_VERIFY_MAX_RECORDS 30000

/* an owner we could not ask: the next attempt after an hour */
#define WRP_VERIFY_RETRY_SECS 3600

struct wrp_verify_stats {
	uint64_t runs;			/* runs completed */
	uint64_t candidates;		/* active replicas past their expiry */
	uint64_t verify_extended;	/* owner has the same version */
	uint64_t verify_replaced;	/* owner's other version applied */
	uint64_t verify_deleted;	/* owner no longer has it */
	uint64_t verify_unreachable;	/* not a pull partner or no answer */
	uint64_t verify_refused;	/* owner's version not stored (policy) */
	uint64_t changed_meanwhile;	/* record changed during the pull */
	uint64_t released_deleted;	/* released replicas past expiry */
	uint64_t errors;		/* store errors */
	bool more;			/* the last run stopped at the cap */
};

/*
 * One run (see above).  conf, db and ig must outlive the request.
 * max_records 0: WRP_VERIFY_MAX_RECORDS.  The walk happens before this
 * returns; the pulls follow one owner at a time.
 */
struct tevent_req *wrp_verify_run_send(TALLOC_CTX *mem_ctx,
				       struct tevent_context *ev,
				       const struct twconf *conf,
				       struct wdb *db, struct ingress *ig,
				       uint32_t max_records);
/* What the run did (st may be NULL); errors are the store's. */
enum twerr wrp_verify_run_recv(struct tevent_req *req,
			       struct wrp_verify_stats *st);

/*
 * The periodic service: a run every wreplsrv:scavenging_interval (the
 * first one an interval after the start, as Samba's scavenger does).
 * One per process: starting again replaces the previous one.  The
 * service is a talloc child of mem_ctx (the replication server) and
 * stops with it.  false: out of memory.
 */
bool wrp_verify_start(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
		      const struct twconf *conf, struct wdb *db,
		      struct ingress *ig);

/* A reload: the next run uses conf (which must outlive the service). */
void wrp_verify_reconfigure(const struct twconf *conf);

/*
 * Start a run now (tests, admin).  false: no service, or a run is
 * already going.
 */
bool wrp_verify_now(void);

/* Totals of the service's runs; all zero without a service. */
void wrp_verify_get_stats(struct wrp_verify_stats *out);

#endif /* TDBWINS_WRP_VERIFY_H */
