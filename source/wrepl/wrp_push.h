/*
 * tdbwins — WINS replication, push side: one update notification to one
 * partner ([MS-WINSRA] 3.3.5.1, PROTOCOL.md 3.5 "Push").
 *
 *   connect (from our interface address: partners authorise by address)
 *   -> Start Request -> Start Response (must carry our handle)
 *   -> INFORM (8) or INFORM2 (9, "propagate") with an owner table and
 *      the initiator's address -> Stop Request (reason 0), close.
 *
 * INFORM asks for no reply: the partner pulls from us over a connection
 * of its own (what Samba does with pushUseInform, its default).  UPDATE
 * and UPDATE2 (4/5) would have the partner pull over this connection and
 * are not sent.
 *
 * Scheduling (update count, start-up, on demand, the failure throttle,
 * propagation) lives in wrp_server.c.
 */
#ifndef TDBWINS_WRP_PUSH_H
#define TDBWINS_WRP_PUSH_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "../conf/twconf.h"
#include "../ingress/ingress.h"
#include "../store/wdb.h"
#include "../wire/twerr.h"
#include "../wire/wrepl.h"

/* a whole notification, connect to close, ends after this */
#define WRP_PUSH_TIMEOUT_SECS 30

/*
 * The owner table of a notification: every owner we hold (only_owner 0)
 * or only only_owner ([MS-WINSRA] 3.3.5.1: a forwarded notification
 * names only its initiator).  Owners of refused address classes are left
 * out (lab: as wrw_addr_ok()).  table->owners is a talloc child of mem_ctx.
 */
enum twerr wrp_push_table(TALLOC_CTX *mem_ctx, struct wdb *db,
			  uint32_t only_owner, bool lab,
			  struct wrw_table *table);

/*
 * Send one notification.  op: WRW_OP_INFORM or WRW_OP_INFORM2.  table is
 * copied.  ig, conf must outlive the request.  partner and local_ip in
 * host order; local_ip 0 lets the kernel choose.
 */
struct tevent_req *wrp_push_send(TALLOC_CTX *mem_ctx,
				 struct tevent_context *ev,
				 struct ingress *ig, uint32_t partner,
				 uint16_t port, uint32_t local_ip,
				 enum wrw_opcode op,
				 const struct wrw_table *table);

/* TWERR_OK: the notification and the Stop were sent. */
enum twerr wrp_push_recv(struct tevent_req *req);

/*
 * ---- scheduling (implemented in wrp_server.c) ----
 *
 * Declared here rather than in wrp_server.h so that the push side is one
 * header for its users (the hosts, tdbwins-tool, tests).
 */
struct wrp_server;

/* "more than 2 failures in 5 minutes": stop pushing ([MS-WINSRA] <11>) */
#define WRP_PUSH_FAIL_MAX 3
#define WRP_PUSH_FAIL_WINDOW_SECS 300
/* how often the update count is compared (Samba's periodic_interval) */
#define WRP_PUSH_CHECK_SECS 15

struct wrp_push_stats {
	uint64_t pushes;		/* notifications started */
	uint64_t pushes_failed;
	uint64_t pushes_throttled;	/* not started: too many failures */
	uint64_t propagations;		/* INFORM2 forwarded after a pull */
	uint64_t notify_received2;	/* UPDATE2/INFORM2 received */
};

/*
 * update_count: push to every push partner after that many version
 * changes of ours (tdbwins:push update count; 0 = never, Samba's
 * pushChangeCount default).  at_startup: push once when
 * wrp_start_pulls() runs (tdbwins:push at startup, Windows' default off;
 * once per process).  The hosts call this before wrp_start_pulls() and
 * again after wrp_reconfigure(); a changed update count starts or stops
 * the periodic check.
 */
void wrp_set_push(struct wrp_server *s, uint32_t update_count,
		  bool at_startup);

/*
 * Push now (an administrator's "push now"): to partner, or to every push
 * partner when partner is 0.  propagate: INFORM2 naming only our own
 * owner, which partners forward ([MS-WINSRA] 3.3.5.1); otherwise INFORM
 * with every owner.  false if partner is not a push partner.
 */
bool wrp_push_now(struct wrp_server *s, uint32_t partner, bool propagate);

/* notifications being sent now */
uint32_t wrp_num_pushes(const struct wrp_server *s);

const struct wrp_push_stats *wrp_get_push_stats(const struct wrp_server *s);

#endif /* TDBWINS_WRP_PUSH_H */
