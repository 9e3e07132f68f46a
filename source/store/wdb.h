/*
 * tdbwins — the record store: one tdb file holding the name records, the
 * 64-bit version counter, the owner table and the replication index, all
 * changed together in one tdb transaction per batch (group commit).
 *
 * Durable before acknowledged (DESIGN.md "Storage"): a writer calls
 * wdb_put()/wdb_delete() and then, in the same synchronous step, sends
 * wdb_sync_send(); it answers its client only when that request completes
 * without error.  Writes of one event-loop pass share one transaction and
 * one fsync.
 *
 * docs/storage.md describes the file layout and the guarantees.
 */
#ifndef TDBWINS_WDB_H
#define TDBWINS_WDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "../wire/nbname.h"
#include "../wire/twerr.h"
#include "wrec.h"

struct wdb;

struct wdb_config {
	const char *path; /* tdb file */
	uint32_t local_owner; /* our owner address (host order) */
	bool nosync; /* TDB_NOSYNC: tests and benchmarks only */
	uint32_t commit_delay_us; /* 0: commit at the end of this loop pass */
	uint32_t max_batch; /* commit early after this many writes (0: 1024) */
	bool read_only; /* admin tools beside a running server: no writes */
};

#define WDB_DEFAULT_MAX_BATCH 1024

/*
 * Versions: 1 is the first ever allocated.  Above WDB_VERSION_ALARM the
 * store logs a warning once and sets wdb_stats.version_alarm (SECURITY.md
 * F 11); it refuses to allocate, or to be raised, beyond WDB_VERSION_LIMIT,
 * so the counter can never wrap.
 */
#define WDB_VERSION_ALARM (UINT64_C(1) << 62)
#define WDB_VERSION_LIMIT (UINT64_MAX - UINT64_C(0xFFFF))

/*
 * Open (creating if needed) the store.  The returned handle is a talloc
 * child of mem_ctx; freeing it cancels an uncommitted batch (call
 * wdb_flush() first at shutdown) and fails pending wdb_sync_send requests.
 * TWERR_IO: the file cannot be opened; TWERR_CORRUPT: its header record is
 * damaged.
 */
enum twerr wdb_open(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
		    const struct wdb_config *cfg, struct wdb **out);
uint32_t wdb_local_owner(const struct wdb *db);
uint64_t wdb_current_version(const struct wdb *db); /* last allocated */

/*
 * Reads see the writes of the batch not yet committed.  *found false and
 * TWERR_OK when the name has no record; TWERR_CORRUPT when the stored
 * value does not decode (out is then zeroed).
 */
enum twerr wdb_fetch(struct wdb *db, const struct nbn_name *name,
		     struct wrec *out, bool *found);

/*
 * Insert or replace the record named rec->name.
 * WDB_ALLOC_VERSION: rec->version = ++counter and rec->owner = local owner
 * (written back into *rec).
 * Without it the record keeps its owner and version; a record owned by us
 * with a version above the counter is refused (TWERR_BAD_VALUE): the
 * counter is raised only by allocation or wdb_set_min_version(), never
 * implicitly from replicated data (SECURITY.md SA-11, F 10).
 * TWERR_BAD_VALUE also for a record that is not wrec_valid() (enum out of
 * range, more than 25 addresses, bad scope, version 0 without the flag).
 * TWERR_NOSPACE: the version counter reached WDB_VERSION_LIMIT, or one
 * index bucket would exceed WDB_BUCKET_MAX_ENTRIES.
 * A write that fails inside the transaction aborts the whole batch: every
 * waiting wdb_sync_send request fails with the same error.
 * When the write fills the batch (max_batch) the batch commits before
 * wdb_put returns, and a commit failure is returned here.
 * Not allowed from inside a wdb_traverse callback (TWERR_INTERNAL).
 */
#define WDB_ALLOC_VERSION 0x1
enum twerr wdb_put(struct wdb *db, struct wrec *rec, unsigned flags);

/* Remove a record and its index entry; TWERR_OK if there was none. */
enum twerr wdb_delete(struct wdb *db, const struct nbn_name *name);

/*
 * Durable before acknowledged: completes after every write made so far
 * is committed (transaction committed, fsync'ed unless nosync).  Many
 * requests share one commit (group commit).  With no pending write it
 * completes at once (tevent_req_post).  After a batch failed, every
 * request made in the same loop pass fails at once with that batch's
 * error, even if a new batch has begun since (a spurious error a client
 * retries is safe; a false "durable" is not).
 */
struct tevent_req *wdb_sync_send(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
				 struct wdb *db);
enum twerr wdb_sync_recv(struct tevent_req *req);

/* Commit now, synchronously (shutdown, tests). */
enum twerr wdb_flush(struct wdb *db);

/*
 * Owner table: every owner we hold records of or have a watermark for
 * (wdb_owner_seen), sorted by owner address.  max_version is the higher of
 * the highest version held and the watermark; for the local owner it is
 * the version counter, as Windows and Samba advertise it (a watermark of
 * the local owner is ignored), and the local owner is listed as soon as
 * the counter is above 0.  min_version is the lowest version held (0 when
 * none is held).
 */
struct wdb_owner {
	uint32_t owner;
	uint64_t max_version;
	uint64_t min_version;
};
enum twerr wdb_owners(struct wdb *db, TALLOC_CTX *mem_ctx,
		      struct wdb_owner **owners, size_t *num);

/*
 * Records of owner X with version in [min, max] (max 0 = no upper bound),
 * sorted by version, at most max_count (0 = no cap), answered from an index
 * without scanning the database.  only_replicable: active and tombstone
 * records only ([MS-WINSRA] 3.2.5.1: released records are never sent).
 * min > max (max != 0) and unknown owners give TWERR_OK with *num 0.
 * Reads see uncommitted writes: a replication server should answer a
 * partner only after wdb_sync_send() so it never sends a version that a
 * crash could take back and hand out again.
 */
enum twerr wdb_range(struct wdb *db, TALLOC_CTX *mem_ctx, uint32_t owner,
		     uint64_t min_version, uint64_t max_version,
		     size_t max_count, bool only_replicable, struct wrec **recs,
		     size_t *num);

/*
 * Read-only walk over every record (scavenging, admin listing); fn returns
 * false to stop.  Damaged records are counted and skipped, never fatal.
 * fn must not write to the store (wdb_put/wdb_delete fail with
 * TWERR_INTERNAL while a walk runs): collect, then write after the walk.
 */
enum twerr wdb_traverse(struct wdb *db,
			bool (*fn)(const struct wrec *rec, void *private_data),
			void *private_data);

/*
 * Raise the version counter (admin "set startversion" only): afterwards
 * wdb_current_version() >= version, so the next allocated version is above
 * it.  Never lowers the counter.  TWERR_BAD_VALUE above WDB_VERSION_LIMIT.
 * Part of the current batch: durable after wdb_sync_send()/wdb_flush().
 */
enum twerr wdb_set_min_version(struct wdb *db, uint64_t version);

/*
 * Per-owner "highest version seen" (Windows' owner-version table): raise
 * the watermark of owner to version after replication has applied, kept
 * or propagated the records up to it, so that the next pull starts above
 * it even when we hold no record of owner that high.  Never lowers it
 * (TWERR_OK, nothing written); version 0 is a no-op.  TWERR_BAD_VALUE for
 * the local owner (partner data never stands for our own versions,
 * SECURITY.md SA-11, F 10) and above WDB_VERSION_LIMIT.  Part of the
 * current batch, like
 * wdb_put(): durable together with the records of the same pull.
 * Watermarks stay when the owner's records go, and survive wdb_reindex().
 */
enum twerr wdb_owner_seen(struct wdb *db, uint32_t owner, uint64_t version);

/* --- additions beyond the core API --- */

/* Largest number of index entries in one bucket (see docs/storage.md). */
#define WDB_BUCKET_MAX_ENTRIES 4096

struct wdb_stats {
	uint64_t commits; /* transactions committed */
	uint64_t commit_failures; /* commits that failed */
	uint64_t batches_aborted; /* batches cancelled after a failure */
	uint64_t writes; /* puts and deletes applied */
	uint64_t corrupt_skipped; /* damaged values skipped by reads */
	bool version_alarm; /* counter above WDB_VERSION_ALARM */
};

void wdb_get_stats(const struct wdb *db, struct wdb_stats *out);

/* true while a batch is open (writes not yet committed). */
bool wdb_batch_pending(const struct wdb *db);

/*
 * Earliest `expire` of any record, by a read-only walk; *found false if
 * the store is empty.  A helper for scheduling the scavenger.
 */
enum twerr wdb_next_expiry(struct wdb *db, int64_t *expire, bool *found);

/*
 * Rebuild the owner list, directories and index buckets from the records
 * themselves, in one transaction (after committing the open batch): the
 * repair for a damaged index, which otherwise makes wdb_range() and
 * wdb_owners() answer TWERR_CORRUPT.  Damaged records are left out (and
 * counted); the counter is raised past our highest record if needed.
 * Watermarks (wdb_owner_seen) are kept; a damaged watermark value is
 * dropped.
 */
enum twerr wdb_reindex(struct wdb *db);

#endif /* TDBWINS_WDB_H */
