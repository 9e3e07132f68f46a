/*
 * tdbwins — applying a replicated record: the conflict rules of
 * [MS-WINSRA] 3.2.5.5 as PROTOCOL.md 3.6 spells them out (general rules
 * 1-4, table A for a replica of a third server, table B for a record we
 * own, the challenge outcome table, the special group and multihomed
 * merges).
 *
 * Two layers:
 *  - pure functions: wrp_apply_decide() maps (have, got, local owner,
 *    flags) to an action; wrp_apply_challenge_outcome() maps a challenge
 *    result to the next action; the two merges build the merged record.
 *    No I/O, no store: unit-tested cell by cell.
 *  - the executor wrp_apply_record(): policy checks (persona non grata /
 *    grata, protected names), fetch, decide, and carry the action out
 *    through wdb; challenges and release demands go through the name
 *    server attached with wrp_apply_attach_nbns().
 *
 * Replicated records never run the wins hook: the hook describes
 * registrations this server accepted, and the owner of a replica already
 * ran its own.
 */
#ifndef TDBWINS_WRP_APPLY_H
#define TDBWINS_WRP_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "../conf/twconf.h"
#include "../store/wdb.h"
#include "../store/wrec.h"
#include "../wire/twerr.h"

struct nbns_server;

enum wrp_action {
	WRP_ACT_KEEP = 0,	/* not replace */
	WRP_ACT_REPLACE,	/* store the replica: its owner and version */
	WRP_ACT_PROPAGATE,	/* keep ours, new version, owner = us */
	WRP_ACT_CHALLENGE,	/* query our addresses, then the outcome */
	WRP_ACT_RELEASE_DEMAND,	/* replace, release the old addresses */
	WRP_ACT_SGROUP_MERGE,
	WRP_ACT_MHOMED_MERGE,	/* only as a challenge outcome */
	/* only as a challenge outcome: keep ours, release demand to the
	 * addresses the holder listed */
	WRP_ACT_LATE_RELEASE_DEMAND,
};

const char *wrp_action_str(enum wrp_action a);

/*
 * Migrate on (Windows "MigrateOn"): a static unique or multihomed record
 * of another owner is treated as dynamic, so a dynamic replica can take
 * it (PROTOCOL.md 3.6 rule 4, 2.9).  Off by default.
 */
#define WRP_APPLY_MIGRATE 0x1

/*
 * have: the record we hold; got: the replica (owner and version as the
 * partner sent them); local: our owner address.  Never returns
 * WRP_ACT_MHOMED_MERGE (that is a challenge outcome).
 */
enum wrp_action wrp_apply_decide(const struct wrec *have,
				 const struct wrec *got, uint32_t local,
				 unsigned flags);

/*
 * After a challenge of our own U/M record (have) against a U/M replica
 * (got): held = some challenged address answered positively, listed = the
 * union of the addresses the holders listed.  Returns REPLACE, KEEP,
 * MHOMED_MERGE or LATE_RELEASE_DEMAND (W2K3, as Samba's torture test
 * _UA_UA_DI_PRA records it: our record stays, and the addresses the
 * holder listed get a release demand).
 */
enum wrp_action wrp_apply_challenge_outcome(const struct wrec *have,
					    const struct wrec *got, bool held,
					    const uint32_t *listed,
					    uint32_t num_listed);

/*
 * S-group merge (PROTOCOL.md 3.6): have's addresses minus those owned by
 * got's owner that got no longer lists, plus got's addresses with their
 * owners, capped at WREC_MAX_ADDRS (replica addresses evicted first, then
 * the oldest).  *take_ownership: the result must be stored with a new
 * version of ours (we owned have, the merge dropped nothing held for a
 * third owner, or the result is empty); otherwise it keeps got's owner
 * and version.  out may not alias have or got.
 */
void wrp_apply_sgroup_merge(const struct wrec *have, const struct wrec *got,
			    uint32_t local, struct wrec *out,
			    bool *take_ownership);

/*
 * Multihomed merge: got's addresses plus those of have that got does not
 * list (per-address owner and expiry kept), as an M record with got's
 * owner and version; the same cap as above.
 */
void wrp_apply_mhomed_merge(const struct wrec *have, const struct wrec *got,
			    uint32_t local, struct wrec *out);

/* --- the executor --- */

struct wrp_apply_stats {
	uint64_t received;
	uint64_t replaced;
	uint64_t kept;
	uint64_t propagated;
	uint64_t sgroup_merges;
	uint64_t mhomed_merges;
	uint64_t challenges;		/* started */
	uint64_t challenges_skipped;	/* no name server, over the cap or
					 * already challenging: kept */
	uint64_t challenges_stale;	/* record changed while challenging */
	uint64_t release_demands;	/* release requests sent */
	uint64_t refused_persona;	/* owner refused by the persona lists */
	uint64_t refused_protected;	/* protected name, dynamic replica */
	uint64_t refused_owner;		/* claims to be ours, or owner 0 */
	uint64_t released_received;	/* in state released (Samba sends) */
	uint64_t errors;
};

/*
 * Wire the executor to the name server: challenges and release demands
 * use its send path and its reply matching.  Until then (and after the
 * server is freed: the link is a talloc child of s) a challenge keeps
 * ours and no release request is sent.  One name server per process.
 */
bool wrp_apply_attach_nbns(struct nbns_server *s);

/* Challenges started by replication that may run at once. */
#define WRP_APPLY_MAX_CHALLENGES 256

/*
 * Persona lists ([MS-WINSRA] "PersonaNonGrata" / "PersonaGrata",
 * tdbwins:persona non grata, tdbwins:persona grata): with a grata list,
 * only records owned by a listed server are accepted; records owned by a
 * non grata server are never accepted.  The lists are copied (at most
 * WRP_PERSONA_MAX entries each; false if longer).
 */
#define WRP_PERSONA_MAX 64
bool wrp_apply_set_persona(const uint32_t *non_grata, size_t num_non_grata,
			   const uint32_t *grata, size_t num_grata);
/* Parse "a.b.c.d, e.f.g.h" (comma or space separated); false on junk. */
bool wrp_apply_parse_persona(const char *s, uint32_t *out, size_t max,
			     size_t *num);
bool wrp_apply_owner_allowed(uint32_t owner);

/*
 * Apply one replica (owner, version and per-address owners filled in) to
 * the store.  *stored: got (or a merge of it) was written.  A challenge
 * runs detached (owned by the attached name server) and writes its
 * outcome later; *stored is then false.  Errors are the store's.
 */
enum twerr wrp_apply_record(struct wdb *db, const struct twconf *conf,
			    const struct wrec *got, unsigned flags,
			    bool *stored);

void wrp_apply_get_stats(struct wrp_apply_stats *out);
void wrp_apply_reset_stats(void);

#endif /* TDBWINS_WRP_APPLY_H */
