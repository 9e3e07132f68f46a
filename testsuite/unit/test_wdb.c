/*
 * tdbwins — tests for the tdb record store (source/store/wdb.c).
 *
 * Each test gets its own talloc context, tevent context and temporary
 * directory under /tmp (removed in teardown), and must free everything it
 * allocated (leak check in teardown).  Covered: the API contract, the
 * version counter across restarts and at its limits, the owner table, the
 * replication index (range queries, consistency under a random workload),
 * group commit, damaged files, and persistence faults (SECURITY.md E 38):
 * kill -9 during writes, exit without commit, a disk that is full.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>
#include <tdb.h>
#include <tevent.h>

#include "store/wdb.h"
#include "store/wrec_codec.h"

#define LOCAL 0xc6120001u /* 198.18.0.1 */
#define PEER_X 0xc6120002u
#define PEER_Y 0xc6120003u
#define PEER_Z 0xc6120004u

struct tctx {
	TALLOC_CTX *mem;
	struct tevent_context *ev;
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct tctx *t = talloc_zero(NULL, struct tctx);
	char *d = NULL;

	assert_non_null(t);
	t->mem = talloc_new(t);
	assert_non_null(t->mem);
	t->ev = tevent_context_init(t);
	assert_non_null(t->ev);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_wdb.XXXXXX");
	d = mkdtemp(t->dir);
	assert_non_null(d);
	snprintf(t->path, sizeof(t->path), "%s/wins.tdb", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;

	unlink(t->path);
	assert_int_equal(rmdir(t->dir), 0);
	/* nothing may be left on the per-test context */
	assert_int_equal(talloc_total_blocks(t->mem), 1);
	talloc_free(t);
	return 0;
}

/* ------------------------------------------------------------------ */
/* helpers */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void name_i(struct nbn_name *n, unsigned i)
{
	char tmp[16];
	int len;

	memset(n, 0, sizeof(*n));
	memset(n->raw, ' ', NBN_RAW_LEN);
	len = snprintf(tmp, sizeof(tmp), "N%07u", i);
	memcpy(n->raw, tmp, (size_t)len);
	n->raw[15] = 0x20;
}

static void rec_i(struct wrec *r, unsigned i, uint32_t owner, uint64_t version)
{
	memset(r, 0, sizeof(*r));
	name_i(&r->name, i);
	r->type = WREC_UNIQUE;
	r->state = WREC_ACTIVE;
	r->node = WREC_NODE_H;
	r->owner = owner;
	r->version = version;
	r->expire = 1700000000 + (int64_t)i;
	r->registered_by = 0xc6120100 + i;
	r->num_addrs = 1;
	r->addrs[0].ip = 0xc6120100 + i;
	r->addrs[0].owner = owner;
	r->addrs[0].expire = r->expire;
}

static struct wdb *open_db_cfg(struct tctx *t, const struct wdb_config *cfg)
{
	struct wdb *db = NULL;
	enum twerr err;

	err = wdb_open(t->mem, t->ev, cfg, &db);
	assert_int_equal(err, TWERR_OK);
	assert_non_null(db);
	return db;
}

static struct wdb *open_db(struct tctx *t)
{
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = LOCAL,
		.nosync = true,
	};

	return open_db_cfg(t, &cfg);
}

static enum twerr sync_db(struct tctx *t, struct wdb *db)
{
	struct tevent_req *req = NULL;
	enum twerr err;
	bool ok;

	req = wdb_sync_send(t->mem, t->ev, db);
	assert_non_null(req);
	ok = tevent_req_poll(req, t->ev);
	assert_true(ok);
	err = wdb_sync_recv(req);
	talloc_free(req);
	return err;
}

static void put_ok(struct wdb *db, struct wrec *r, unsigned flags)
{
	assert_int_equal(wdb_put(db, r, flags), TWERR_OK);
}

static void expect_found(struct wdb *db, unsigned i, uint32_t owner,
			 uint64_t version)
{
	struct nbn_name n;
	struct wrec r;
	bool found = false;

	name_i(&n, i);
	assert_int_equal(wdb_fetch(db, &n, &r, &found), TWERR_OK);
	assert_true(found);
	assert_true(nbn_equal(&n, &r.name));
	assert_int_equal(r.owner, owner);
	assert_int_equal(r.version, version);
}

static void expect_absent(struct wdb *db, unsigned i)
{
	struct nbn_name n;
	struct wrec r;
	bool found = true;

	name_i(&n, i);
	assert_int_equal(wdb_fetch(db, &n, &r, &found), TWERR_OK);
	assert_false(found);
}

static uint64_t commits(struct wdb *db)
{
	struct wdb_stats st;

	wdb_get_stats(db, &st);
	return st.commits;
}

/* ------------------------------------------------------------------ */
/* basics */

static void test_open_empty(void **state)
{
	struct tctx *t = *state;
	struct wdb_owner *owners = NULL;
	struct wrec *recs = NULL;
	struct wdb *db = NULL;
	size_t num = 99;

	db = open_db(t);
	assert_int_equal(wdb_local_owner(db), LOCAL);
	assert_int_equal(wdb_current_version(db), 0);
	/* a new file is stamped with its header at once */
	assert_int_equal(commits(db), 1);
	assert_false(wdb_batch_pending(db));
	assert_int_equal(wdb_owners(db, t->mem, &owners, &num), TWERR_OK);
	assert_int_equal(num, 0);
	TALLOC_FREE(owners);
	expect_absent(db, 1);
	assert_int_equal(wdb_range(db, t->mem, LOCAL, 0, 0, 0, false, &recs,
				   &num),
			 TWERR_OK);
	assert_int_equal(num, 0);
	assert_null(recs);
	TALLOC_FREE(db);

	/* reopening an unchanged file writes nothing */
	db = open_db(t);
	assert_int_equal(commits(db), 0);
	TALLOC_FREE(db);
}

static void test_put_fetch_delete(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct nbn_name n;
	struct wrec r;
	struct wrec back;
	bool found = false;

	rec_i(&r, 1, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(r.version, 1);
	assert_int_equal(r.owner, LOCAL);
	assert_int_equal(wdb_current_version(db), 1);

	/* the batch is open and reads see it */
	assert_true(wdb_batch_pending(db));
	name_i(&n, 1);
	assert_int_equal(wdb_fetch(db, &n, &back, &found), TWERR_OK);
	assert_true(found);
	assert_true(wrec_equal(&r, &back));

	assert_int_equal(sync_db(t, db), TWERR_OK);
	assert_false(wdb_batch_pending(db));
	expect_found(db, 1, LOCAL, 1);

	/* replace keeping owner and version (a refresh of the expiry) */
	r.expire += 100;
	put_ok(db, &r, 0);
	assert_int_equal(wdb_current_version(db), 1);
	assert_int_equal(wdb_fetch(db, &n, &back, &found), TWERR_OK);
	assert_int_equal(back.expire, r.expire);

	assert_int_equal(wdb_delete(db, &n), TWERR_OK);
	expect_absent(db, 1);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	expect_absent(db, 1);

	/* deleting what is not there writes nothing */
	assert_int_equal(wdb_delete(db, &n), TWERR_OK);
	assert_false(wdb_batch_pending(db));
	TALLOC_FREE(db);
}

static void test_put_rejects(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct wrec r;
	struct wrec back;
	struct nbn_name n;
	bool found;

	rec_i(&r, 1, PEER_X, 5);
	r.type = (enum wrec_type)4;
	assert_int_equal(wdb_put(db, &r, 0), TWERR_BAD_VALUE);
	rec_i(&r, 1, PEER_X, 5);
	r.num_addrs = 26;
	assert_int_equal(wdb_put(db, &r, 0), TWERR_BAD_VALUE);
	rec_i(&r, 1, PEER_X, 0);
	assert_int_equal(wdb_put(db, &r, 0), TWERR_BAD_VALUE);
	rec_i(&r, 1, PEER_X, 5);
	assert_int_equal(wdb_put(db, &r, 0x80), TWERR_INTERNAL);
	/* nothing of that opened a batch */
	assert_false(wdb_batch_pending(db));

	/* SA-11: a record of ours above our counter is refused ... */
	rec_i(&r, 1, LOCAL, 1);
	assert_int_equal(wdb_put(db, &r, 0), TWERR_BAD_VALUE);
	assert_int_equal(wdb_current_version(db), 0);
	/* ... up to the counter it is fine */
	rec_i(&r, 2, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	rec_i(&r, 1, LOCAL, 1);
	put_ok(db, &r, 0);
	/* a partner's record may carry any version */
	rec_i(&r, 3, PEER_X, UINT64_MAX);
	put_ok(db, &r, 0);

	name_i(&n, 1);
	n.scope_len = NBN_SCOPE_MAX + 1;
	assert_int_equal(wdb_fetch(db, &n, &back, &found), TWERR_BAD_VALUE);
	assert_int_equal(wdb_delete(db, &n), TWERR_BAD_VALUE);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
}

static void test_scoped_names(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct wrec a;
	struct wrec b;
	struct wrec back;
	bool found = false;

	/* same 16 bytes, different scopes: different records */
	rec_i(&a, 7, PEER_X, 10);
	rec_i(&b, 7, PEER_X, 11);
	memcpy(b.name.scope, "corp.example", 12);
	b.name.scope_len = 12;
	put_ok(db, &a, 0);
	put_ok(db, &b, 0);
	assert_int_equal(wdb_fetch(db, &b.name, &back, &found), TWERR_OK);
	assert_true(found);
	assert_true(wrec_equal(&b, &back));
	assert_int_equal(wdb_fetch(db, &a.name, &back, &found), TWERR_OK);
	assert_true(wrec_equal(&a, &back));
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
}

/* ------------------------------------------------------------------ */
/* the version counter */

static void test_counter_persistence(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct wrec r;
	unsigned i;

	for (i = 0; i < 5; i++) {
		rec_i(&r, i, 0, 0);
		put_ok(db, &r, WDB_ALLOC_VERSION);
	}
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);

	db = open_db(t);
	assert_int_equal(wdb_current_version(db), 5);
	rec_i(&r, 5, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(r.version, 6);

	/* set startversion: only upwards, durable with the batch */
	assert_int_equal(wdb_set_min_version(db, 1000), TWERR_OK);
	assert_int_equal(wdb_current_version(db), 1000);
	assert_int_equal(wdb_set_min_version(db, 10), TWERR_OK);
	assert_int_equal(wdb_current_version(db), 1000);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);

	db = open_db(t);
	assert_int_equal(wdb_current_version(db), 1000);
	rec_i(&r, 6, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(r.version, 1001);
	assert_int_equal(sync_db(t, db), TWERR_OK);

	/* never synced, never acknowledged: closing drops it */
	rec_i(&r, 7, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(r.version, 1002);
	TALLOC_FREE(db);
	db = open_db(t);
	assert_int_equal(wdb_current_version(db), 1001);
	expect_absent(db, 7);
	expect_found(db, 6, LOCAL, 1001);
	expect_found(db, 0, LOCAL, 1);
	TALLOC_FREE(db);
}

static void test_counter_limits(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct wdb_stats st;
	struct wrec r;

	assert_int_equal(wdb_set_min_version(db, WDB_VERSION_LIMIT + 1),
			 TWERR_BAD_VALUE);
	assert_int_equal(wdb_set_min_version(db, UINT64_MAX), TWERR_BAD_VALUE);
	wdb_get_stats(db, &st);
	assert_false(st.version_alarm);

	assert_int_equal(wdb_set_min_version(db, WDB_VERSION_ALARM), TWERR_OK);
	wdb_get_stats(db, &st);
	assert_false(st.version_alarm);
	rec_i(&r, 1, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	wdb_get_stats(db, &st);
	assert_true(st.version_alarm);

	assert_int_equal(wdb_set_min_version(db, WDB_VERSION_LIMIT - 1),
			 TWERR_OK);
	rec_i(&r, 2, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(r.version, WDB_VERSION_LIMIT);
	rec_i(&r, 3, 0, 0);
	assert_int_equal(wdb_put(db, &r, WDB_ALLOC_VERSION), TWERR_NOSPACE);
	assert_int_equal(wdb_current_version(db), WDB_VERSION_LIMIT);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);

	/* the limit and the alarm survive a restart */
	db = open_db(t);
	assert_int_equal(wdb_current_version(db), WDB_VERSION_LIMIT);
	wdb_get_stats(db, &st);
	assert_true(st.version_alarm);
	rec_i(&r, 3, 0, 0);
	assert_int_equal(wdb_put(db, &r, WDB_ALLOC_VERSION), TWERR_NOSPACE);
	expect_found(db, 2, LOCAL, WDB_VERSION_LIMIT);
	TALLOC_FREE(db);
}

/* ------------------------------------------------------------------ */
/* owner table */

static void expect_owner(const struct wdb_owner *o, uint32_t owner,
			 uint64_t max_v, uint64_t min_v)
{
	assert_int_equal(o->owner, owner);
	assert_int_equal(o->max_version, max_v);
	assert_int_equal(o->min_version, min_v);
}

static void test_owner_table(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct wdb_owner *o = NULL;
	struct nbn_name n;
	struct wrec r;
	size_t num = 0;
	unsigned i;

	/* Y first, so the list has to be sorted by us */
	rec_i(&r, 100, PEER_Y, 7);
	put_ok(db, &r, 0);
	rec_i(&r, 101, PEER_X, 10);
	put_ok(db, &r, 0);
	rec_i(&r, 102, PEER_X, 20);
	put_ok(db, &r, 0);
	rec_i(&r, 103, PEER_X, 5000);
	put_ok(db, &r, 0);
	for (i = 0; i < 3; i++) {
		rec_i(&r, i, 0, 0);
		put_ok(db, &r, WDB_ALLOC_VERSION);
	}
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 3);
	expect_owner(&o[0], LOCAL, 3, 1);
	expect_owner(&o[1], PEER_X, 5000, 10);
	expect_owner(&o[2], PEER_Y, 7, 7);
	TALLOC_FREE(o);

	/* ours is advertised at the counter, above what we hold */
	assert_int_equal(wdb_set_min_version(db, 100), TWERR_OK);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 3);
	expect_owner(&o[0], LOCAL, 100, 1);
	TALLOC_FREE(o);

	/* the only record of Y goes: so does Y */
	name_i(&n, 100);
	assert_int_equal(wdb_delete(db, &n), TWERR_OK);
	/* X loses its highest */
	name_i(&n, 103);
	assert_int_equal(wdb_delete(db, &n), TWERR_OK);
	/* X's lowest moves to Z */
	rec_i(&r, 101, PEER_Z, 9);
	put_ok(db, &r, 0);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 3);
	expect_owner(&o[0], LOCAL, 100, 1);
	expect_owner(&o[1], PEER_X, 20, 20);
	expect_owner(&o[2], PEER_Z, 9, 9);
	TALLOC_FREE(o);

	/* no record of ours left: still listed, with the counter */
	for (i = 0; i < 3; i++) {
		name_i(&n, i);
		assert_int_equal(wdb_delete(db, &n), TWERR_OK);
	}
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 3);
	expect_owner(&o[0], LOCAL, 100, 0);
	TALLOC_FREE(o);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);

	/* and the same after a restart */
	db = open_db(t);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 3);
	expect_owner(&o[0], LOCAL, 100, 0);
	expect_owner(&o[1], PEER_X, 20, 20);
	expect_owner(&o[2], PEER_Z, 9, 9);
	TALLOC_FREE(o);
	TALLOC_FREE(db);
}

/* ------------------------------------------------------------------ */
/* replication ranges */

#define RANGE_N 3000

static uint64_t range_version(unsigned i)
{
	/* gaps of 2 between versions; three far away, sparse ones at the end */
	if (i < RANGE_N) {
		return 1 + 3 * (uint64_t)i;
	}
	if (i == RANGE_N) {
		return UINT64_C(1) << 40;
	}
	if (i == RANGE_N + 1) {
		return (UINT64_C(1) << 40) + 1;
	}
	return UINT64_C(1) << 50;
}

static size_t range_count(struct tctx *t, struct wdb *db, uint32_t owner,
			  uint64_t lo, uint64_t hi, size_t max_count, bool repl,
			  uint64_t *first, uint64_t *last)
{
	struct wrec *recs = NULL;
	size_t num = 0;
	size_t i;

	assert_int_equal(wdb_range(db, t->mem, owner, lo, hi, max_count, repl,
				   &recs, &num),
			 TWERR_OK);
	for (i = 0; i < num; i++) {
		assert_int_equal(recs[i].owner, owner);
		assert_true(recs[i].version >= lo);
		if (hi != 0) {
			assert_true(recs[i].version <= hi);
		}
		if (i > 0) {
			assert_true(recs[i].version >= recs[i - 1].version);
		}
		if (repl) {
			assert_int_not_equal(recs[i].state, WREC_RELEASED);
		}
	}
	if (first != NULL) {
		*first = (num > 0) ? recs[0].version : 0;
	}
	if (last != NULL) {
		*last = (num > 0) ? recs[num - 1].version : 0;
	}
	if (num == 0) {
		assert_null(recs);
	}
	TALLOC_FREE(recs);
	return num;
}

static void test_range(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	uint64_t first = 0;
	uint64_t last = 0;
	struct wrec r;
	unsigned i;

	/* inserted in a scrambled order */
	for (i = 0; i < RANGE_N + 3; i++) {
		unsigned j = (i * 7919) % (RANGE_N + 3);

		rec_i(&r, j, PEER_X, range_version(j));
		put_ok(db, &r, 0);
	}
	assert_int_equal(sync_db(t, db), TWERR_OK);

	/* everything, sorted */
	assert_int_equal(range_count(t, db, PEER_X, 0, 0, 0, false, &first,
				     &last),
			 RANGE_N + 3);
	assert_int_equal(first, 1);
	assert_int_equal(last, UINT64_C(1) << 50);

	/* exact edges: a version, one below, one above, a gap */
	assert_int_equal(
		range_count(t, db, PEER_X, 4, 4, 0, false, &first, NULL), 1);
	assert_int_equal(first, 4);
	assert_int_equal(range_count(t, db, PEER_X, 5, 6, 0, false, NULL, NULL),
			 0);
	assert_int_equal(
		range_count(t, db, PEER_X, 3, 5, 0, false, &first, NULL), 1);
	/* across bucket edges (1024 versions per bucket) */
	assert_int_equal(range_count(t, db, PEER_X, 1020, 1030, 0, false,
				     &first, &last),
			 4);
	assert_int_equal(first, 1021);
	assert_int_equal(last, 1030);
	assert_int_equal(range_count(t, db, PEER_X, 1023, 2048, 0, false,
				     &first, &last),
			 342);
	assert_int_equal(first, 1024);
	assert_int_equal(last, 2047);
	/* the last dense one and the sparse tail */
	assert_int_equal(range_count(t, db, PEER_X, 3 * (RANGE_N - 1) + 1, 0, 0,
				     false, &first, NULL),
			 4);
	assert_int_equal(first, 3 * (RANGE_N - 1) + 1);
	assert_int_equal(range_count(t, db, PEER_X, 3 * RANGE_N,
				     (UINT64_C(1) << 40) - 1, 0, false, NULL,
				     NULL),
			 0);
	assert_int_equal(range_count(t, db, PEER_X, UINT64_C(1) << 40,
				     UINT64_MAX, 0, false, NULL, NULL),
			 3);
	assert_int_equal(range_count(t, db, PEER_X, (UINT64_C(1) << 50) + 1, 0,
				     0, false, NULL, NULL),
			 0);

	/* min > max, unknown owner, and max 0 meaning "no bound" */
	assert_int_equal(
		range_count(t, db, PEER_X, 10, 9, 0, false, NULL, NULL), 0);
	assert_int_equal(range_count(t, db, PEER_Y, 0, 0, 0, false, NULL, NULL),
			 0);
	assert_int_equal(
		range_count(t, db, LOCAL, 1, 100, 0, false, NULL, NULL), 0);

	/* max_count */
	assert_int_equal(
		range_count(t, db, PEER_X, 0, 0, 10, false, &first, &last), 10);
	assert_int_equal(first, 1);
	assert_int_equal(last, 28);
	assert_int_equal(
		range_count(t, db, PEER_X, 2000, 0, 1, false, &first, NULL), 1);
	assert_int_equal(first, 2002);
	assert_int_equal(range_count(t, db, PEER_X, 1, 1, 5, false, NULL, NULL),
			 1);

	/* released records are never replicated; tombstones are */
	rec_i(&r, 1, PEER_X, range_version(1));
	r.state = WREC_RELEASED;
	put_ok(db, &r, 0);
	rec_i(&r, 2, PEER_X, range_version(2));
	r.state = WREC_TOMBSTONE;
	put_ok(db, &r, 0);
	assert_int_equal(
		range_count(t, db, PEER_X, 1, 7, 0, true, &first, &last), 2);
	assert_int_equal(first, 1);
	assert_int_equal(last, 7);
	assert_int_equal(range_count(t, db, PEER_X, 1, 7, 0, false, NULL, NULL),
			 3);
	/* max_count counts only what is returned */
	assert_int_equal(
		range_count(t, db, PEER_X, 1, 0, 2, true, &first, &last), 2);
	assert_int_equal(last, 7);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);
}

/* The index follows every change of a record's owner and version. */
static void test_index_follows_changes(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct wrec r;
	struct nbn_name n;
	uint64_t first = 0;

	rec_i(&r, 1, PEER_X, 5);
	put_ok(db, &r, 0);
	rec_i(&r, 1, PEER_X, 9);
	put_ok(db, &r, 0);
	assert_int_equal(
		range_count(t, db, PEER_X, 0, 0, 0, false, &first, NULL), 1);
	assert_int_equal(first, 9);

	/* to another bucket */
	rec_i(&r, 1, PEER_X, 5000);
	put_ok(db, &r, 0);
	assert_int_equal(
		range_count(t, db, PEER_X, 0, 4999, 0, false, NULL, NULL), 0);
	assert_int_equal(
		range_count(t, db, PEER_X, 0, 0, 0, false, &first, NULL), 1);
	assert_int_equal(first, 5000);

	/* to another owner (a replica we take over: ours now) */
	rec_i(&r, 1, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(range_count(t, db, PEER_X, 0, 0, 0, false, NULL, NULL),
			 0);
	assert_int_equal(
		range_count(t, db, LOCAL, 0, 0, 0, false, &first, NULL), 1);
	assert_int_equal(first, 1);

	/* deleted */
	name_i(&n, 1);
	assert_int_equal(wdb_delete(db, &n), TWERR_OK);
	assert_int_equal(range_count(t, db, LOCAL, 0, 0, 0, false, NULL, NULL),
			 0);

	/* two names with one version (a partner restored from a backup):
	 * both kept, both returned, ordered by name */
	rec_i(&r, 2, PEER_Y, 77);
	put_ok(db, &r, 0);
	rec_i(&r, 3, PEER_Y, 77);
	put_ok(db, &r, 0);
	assert_int_equal(
		range_count(t, db, PEER_Y, 77, 77, 0, false, NULL, NULL), 2);
	name_i(&n, 2);
	assert_int_equal(wdb_delete(db, &n), TWERR_OK);
	assert_int_equal(
		range_count(t, db, PEER_Y, 77, 77, 0, false, NULL, NULL), 1);
	expect_found(db, 3, PEER_Y, 77);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);
}

/* A bucket holds at most WDB_BUCKET_MAX_ENTRIES; the next put is refused
 * cleanly and the batch is not lost. */
static void test_bucket_full(void **state)
{
	struct tctx *t = *state;
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = LOCAL,
		.nosync = true,
		.max_batch = 100000,
	};
	struct wdb *db = open_db_cfg(t, &cfg);
	struct wrec r;
	unsigned i;

	for (i = 0; i < WDB_BUCKET_MAX_ENTRIES; i++) {
		rec_i(&r, i, PEER_X, 42);
		put_ok(db, &r, 0);
	}
	rec_i(&r, i, PEER_X, 43);
	assert_int_equal(wdb_put(db, &r, 0), TWERR_NOSPACE);
	assert_true(wdb_batch_pending(db));
	assert_int_equal(sync_db(t, db), TWERR_OK);
	expect_found(db, 0, PEER_X, 42);
	expect_absent(db, i);
	/* another bucket is fine */
	rec_i(&r, i, PEER_X, 1024);
	put_ok(db, &r, 0);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);
}

/*
 * A random workload against a model: after every round, for every owner,
 * the range query gives exactly the model's records, the owner table the
 * model's bounds, and the walk the model's count; then again after a
 * restart.
 */
#define MODEL_NAMES 300
#define MODEL_OWNERS 4

struct model_ent {
	bool present;
	uint32_t owner;
	uint64_t version;
	enum wrec_state state;
};

static const uint32_t model_owner_ids[MODEL_OWNERS] = {
	LOCAL,
	PEER_X,
	PEER_Y,
	PEER_Z,
};

static bool count_fn(const struct wrec *rec, void *private_data)
{
	size_t *n = private_data;

	(void)rec;
	(*n)++;
	return true;
}

static void model_check(struct tctx *t, struct wdb *db,
			const struct model_ent *m)
{
	struct wdb_owner *owners = NULL;
	size_t nowners = 0;
	size_t total = 0;
	size_t walked = 0;
	unsigned o;
	unsigned i;

	for (o = 0; o < MODEL_OWNERS; o++) {
		uint32_t owner = model_owner_ids[o];
		struct wrec *recs = NULL;
		size_t num = 0;
		size_t expect = 0;
		uint64_t lo = 0;
		uint64_t hi = 0;
		size_t k;

		for (i = 0; i < MODEL_NAMES; i++) {
			if (!m[i].present || m[i].owner != owner) {
				continue;
			}
			expect++;
			if (lo == 0 || m[i].version < lo) {
				lo = m[i].version;
			}
			if (m[i].version > hi) {
				hi = m[i].version;
			}
		}
		total += expect;
		assert_int_equal(wdb_range(db, t->mem, owner, 0, 0, 0, false,
					   &recs, &num),
				 TWERR_OK);
		assert_int_equal(num, expect);
		for (k = 0; k < num; k++) {
			unsigned idx = 0;

			assert_int_equal(sscanf((const char *)recs[k].name.raw,
						"N%7u", &idx),
					 1);
			assert_true(idx < MODEL_NAMES);
			assert_true(m[idx].present);
			assert_int_equal(m[idx].owner, owner);
			assert_int_equal(m[idx].version, recs[k].version);
			assert_int_equal(m[idx].state, recs[k].state);
			if (k > 0) {
				assert_true(recs[k].version >=
					    recs[k - 1].version);
			}
		}
		TALLOC_FREE(recs);

		assert_int_equal(wdb_owners(db, t->mem, &owners, &nowners),
				 TWERR_OK);
		for (k = 0; k < nowners; k++) {
			if (owners[k].owner == owner) {
				break;
			}
		}
		if (owner == LOCAL) {
			if (wdb_current_version(db) > 0) {
				assert_true(k < nowners);
				assert_int_equal(owners[k].max_version,
						 wdb_current_version(db));
				assert_int_equal(owners[k].min_version, lo);
			}
		} else if (expect == 0) {
			assert_true(k == nowners);
		} else {
			assert_true(k < nowners);
			assert_int_equal(owners[k].max_version, hi);
			assert_int_equal(owners[k].min_version, lo);
		}
		TALLOC_FREE(owners);
	}
	assert_int_equal(wdb_traverse(db, count_fn, &walked), TWERR_OK);
	assert_int_equal(walked, total);
}

static void test_index_model(void **state)
{
	struct tctx *t = *state;
	struct model_ent *m = NULL;
	struct wdb *db = open_db(t);
	unsigned round;
	unsigned op;

	m = talloc_zero_array(t->mem, struct model_ent, MODEL_NAMES);
	assert_non_null(m);
	for (round = 0; round < 12; round++) {
		for (op = 0; op < 250; op++) {
			unsigned i = (unsigned)(rng() % MODEL_NAMES);
			unsigned kind = (unsigned)(rng() % 10);
			struct wrec r;
			struct nbn_name n;

			if (kind < 2) {
				name_i(&n, i);
				assert_int_equal(wdb_delete(db, &n), TWERR_OK);
				m[i].present = false;
				continue;
			}
			if (kind < 5) {
				rec_i(&r, i, 0, 0);
				r.state = (enum wrec_state)(rng() % 3);
				put_ok(db, &r, WDB_ALLOC_VERSION);
			} else if (kind < 6 && m[i].present) {
				/* rewrite keeping owner and version */
				rec_i(&r, i, m[i].owner, m[i].version);
				r.state = (enum wrec_state)(rng() % 3);
				put_ok(db, &r, 0);
			} else {
				uint32_t o = model_owner_ids[1 + rng() % 3];
				/* clustered and far versions, some equal */
				uint64_t v = 1 + rng() % 5000;

				if (rng() % 8 == 0) {
					v = rng() >> 2;
				}
				rec_i(&r, i, o, v);
				r.state = (rng() % 2) ? WREC_ACTIVE :
							WREC_TOMBSTONE;
				put_ok(db, &r, 0);
			}
			m[i] = (struct model_ent){
				.present = true,
				.owner = r.owner,
				.version = r.version,
				.state = r.state,
			};
		}
		/* check the uncommitted batch, then the committed state */
		model_check(t, db, m);
		assert_int_equal(sync_db(t, db), TWERR_OK);
		model_check(t, db, m);
	}
	TALLOC_FREE(db);
	db = open_db(t);
	model_check(t, db, m);
	/* a rebuilt index is the same index */
	assert_int_equal(wdb_reindex(db), TWERR_OK);
	model_check(t, db, m);
	TALLOC_FREE(db);
	TALLOC_FREE(m);
}

/* ------------------------------------------------------------------ */
/* group commit */

struct sync_waiter {
	struct tctx *t;
	enum twerr err;
	bool done;
	bool *in_store;
};

static void sync_waiter_done(struct tevent_req *req)
{
	/* the waiters live on the test's stack, not in talloc */
	struct sync_waiter *w = tevent_req_callback_data_void(req);

	/* callbacks never run from inside the store */
	assert_false(*w->in_store);
	w->err = wdb_sync_recv(req);
	w->done = true;
	talloc_free(req);
}

static bool all_done(const struct sync_waiter *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!w[i].done) {
			return false;
		}
	}
	return true;
}

static void test_group_commit(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct sync_waiter w[10] = {};
	bool in_store = false;
	uint64_t before = commits(db);
	struct tevent_req *req = NULL;
	struct wrec r;
	unsigned i;

	/* 1000 puts, ten waiters: one transaction */
	for (i = 0; i < 1000; i++) {
		rec_i(&r, i, 0, 0);
		put_ok(db, &r, WDB_ALLOC_VERSION);
	}
	for (i = 0; i < 10; i++) {
		w[i] = (struct sync_waiter){ .t = t, .in_store = &in_store };
		req = wdb_sync_send(t->mem, t->ev, db);
		assert_non_null(req);
		tevent_req_set_callback(req, sync_waiter_done, &w[i]);
	}
	assert_int_equal(commits(db), before);
	while (!all_done(w, 10)) {
		assert_int_equal(tevent_loop_once(t->ev), 0);
	}
	assert_int_equal(commits(db), before + 1);
	for (i = 0; i < 10; i++) {
		assert_int_equal(w[i].err, TWERR_OK);
	}

	/* a waiter with nothing pending completes at once, no commit */
	w[0] = (struct sync_waiter){ .t = t, .in_store = &in_store };
	req = wdb_sync_send(t->mem, t->ev, db);
	assert_non_null(req);
	tevent_req_set_callback(req, sync_waiter_done, &w[0]);
	assert_false(w[0].done); /* posted, not called inline */
	assert_int_equal(tevent_loop_once(t->ev), 0);
	assert_true(w[0].done);
	assert_int_equal(w[0].err, TWERR_OK);
	assert_int_equal(commits(db), before + 1);

	/* wdb_flush completes waiters, but their callbacks come later */
	rec_i(&r, 2000, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	w[0] = (struct sync_waiter){ .t = t, .in_store = &in_store };
	req = wdb_sync_send(t->mem, t->ev, db);
	assert_non_null(req);
	tevent_req_set_callback(req, sync_waiter_done, &w[0]);
	in_store = true;
	assert_int_equal(wdb_flush(db), TWERR_OK);
	in_store = false;
	assert_false(w[0].done);
	assert_int_equal(commits(db), before + 2);
	while (!w[0].done) {
		assert_int_equal(tevent_loop_once(t->ev), 0);
	}
	assert_int_equal(w[0].err, TWERR_OK);

	/* a waiter freed before its commit is simply forgotten */
	rec_i(&r, 2001, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	req = wdb_sync_send(t->mem, t->ev, db);
	assert_non_null(req);
	TALLOC_FREE(req);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	assert_int_equal(commits(db), before + 3);
	TALLOC_FREE(db);
}

static void test_max_batch(void **state)
{
	struct tctx *t = *state;
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = LOCAL,
		.nosync = true,
		.max_batch = 100,
	};
	struct wdb *db = open_db_cfg(t, &cfg);
	uint64_t before = commits(db);
	struct wrec r;
	unsigned i;

	for (i = 0; i < 1000; i++) {
		rec_i(&r, i, 0, 0);
		put_ok(db, &r, WDB_ALLOC_VERSION);
		/* the 100th write of a batch commits before put returns */
		assert_int_equal(commits(db), before + (i + 1) / 100);
	}
	assert_false(wdb_batch_pending(db));
	assert_int_equal(sync_db(t, db), TWERR_OK);
	assert_int_equal(commits(db), before + 10);
	TALLOC_FREE(db);
}

static void test_commit_delay(void **state)
{
	struct tctx *t = *state;
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = LOCAL,
		.nosync = true,
		.commit_delay_us = 30000,
	};
	struct wdb *db = open_db_cfg(t, &cfg);
	struct timeval a;
	struct timeval b;
	uint64_t before = commits(db);
	int64_t us;
	struct wrec r;

	gettimeofday(&a, NULL);
	rec_i(&r, 1, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	/* the commit waits for the timer, not for the end of the pass */
	assert_int_equal(sync_db(t, db), TWERR_OK);
	gettimeofday(&b, NULL);
	us = (int64_t)(b.tv_sec - a.tv_sec) * 1000000 + (b.tv_usec - a.tv_usec);
	assert_true(us >= 29000);
	assert_int_equal(commits(db), before + 1);
	TALLOC_FREE(db);
}

/* Freeing the store fails its waiters instead of leaving them hanging. */
static void test_free_with_waiters(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct sync_waiter w = {};
	bool in_store = false;
	struct tevent_req *req = NULL;
	struct wrec r;

	rec_i(&r, 1, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	w = (struct sync_waiter){ .t = t, .in_store = &in_store };
	req = wdb_sync_send(t->mem, t->ev, db);
	assert_non_null(req);
	tevent_req_set_callback(req, sync_waiter_done, &w);
	TALLOC_FREE(db);
	while (!w.done) {
		assert_int_equal(tevent_loop_once(t->ev), 0);
	}
	assert_int_equal(w.err, TWERR_DB);
	db = open_db(t);
	expect_absent(db, 1);
	TALLOC_FREE(db);
}

/* ------------------------------------------------------------------ */
/* walks */

struct walk_state {
	struct wdb *db;
	size_t seen;
	size_t stop_after;
	enum twerr put_err;
};

static bool walk_fn(const struct wrec *rec, void *private_data)
{
	struct walk_state *s = private_data;
	struct wrec copy = *rec;

	s->seen++;
	/* writing from inside the walk is refused */
	s->put_err = wdb_put(s->db, &copy, 0);
	return s->stop_after == 0 || s->seen < s->stop_after;
}

static void test_traverse(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	struct walk_state s = { .db = NULL };
	int64_t exp = 0;
	bool found = false;
	struct wrec r;
	unsigned i;

	assert_int_equal(wdb_next_expiry(db, &exp, &found), TWERR_OK);
	assert_false(found);
	for (i = 0; i < 50; i++) {
		rec_i(&r, i, (i % 2) ? PEER_X : LOCAL, 1 + i);
		if (i % 2 == 0) {
			put_ok(db, &r, WDB_ALLOC_VERSION);
		} else {
			put_ok(db, &r, 0);
		}
	}
	/* the walk sees the open batch, and only records */
	s = (struct walk_state){ .db = db };
	assert_int_equal(wdb_traverse(db, walk_fn, &s), TWERR_OK);
	assert_int_equal(s.seen, 50);
	assert_int_equal(s.put_err, TWERR_INTERNAL);
	assert_int_equal(sync_db(t, db), TWERR_OK);

	s = (struct walk_state){ .db = db, .stop_after = 10 };
	assert_int_equal(wdb_traverse(db, walk_fn, &s), TWERR_OK);
	assert_int_equal(s.seen, 10);

	/* and the store takes writes again afterwards */
	rec_i(&r, 99, 0, 0);
	r.expire = 5;
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(wdb_next_expiry(db, &exp, &found), TWERR_OK);
	assert_true(found);
	assert_int_equal(exp, 5);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);
}

/* ------------------------------------------------------------------ */
/* damaged files: errors, never crashes */

static void raw_store(struct tctx *t, const uint8_t *key, size_t klen,
		      const uint8_t *val, size_t vlen)
{
	struct tdb_context *tdb = NULL;
	TDB_DATA k = { .dptr = (uint8_t *)(uintptr_t)key, .dsize = klen };
	TDB_DATA v = { .dptr = (uint8_t *)(uintptr_t)val, .dsize = vlen };

	tdb = tdb_open(t->path, 0, 0, O_RDWR, 0600);
	assert_non_null(tdb);
	assert_int_equal(tdb_store(tdb, k, v, TDB_REPLACE), 0);
	tdb_close(tdb);
}

static void test_damaged_record(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	static const uint8_t junk[] = { 0x57, 0x52, 0x01, 0x09, 0xff };
	uint8_t key[1 + NBN_RAW_LEN];
	struct nbn_name n;
	struct wdb_stats st;
	struct walk_state s = {};
	struct wrec r;
	bool found = false;
	unsigned i;

	for (i = 0; i < 3; i++) {
		rec_i(&r, i, PEER_X, 10 + i);
		put_ok(db, &r, 0);
	}
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);

	name_i(&n, 1);
	key[0] = 'R';
	memcpy(key + 1, n.raw, NBN_RAW_LEN);
	raw_store(t, key, sizeof(key), junk, sizeof(junk));

	db = open_db(t);
	assert_int_equal(wdb_fetch(db, &n, &r, &found), TWERR_CORRUPT);
	assert_true(found);
	s = (struct walk_state){ .db = db };
	assert_int_equal(wdb_traverse(db, walk_fn, &s), TWERR_OK);
	assert_int_equal(s.seen, 2);
	wdb_get_stats(db, &st);
	assert_true(st.corrupt_skipped >= 2);
	assert_int_equal(range_count(t, db, PEER_X, 0, 0, 0, false, NULL, NULL),
			 2);

	/* a damaged record can be replaced, and deleted */
	rec_i(&r, 1, PEER_X, 50);
	put_ok(db, &r, 0);
	assert_int_equal(range_count(t, db, PEER_X, 0, 0, 0, false, NULL, NULL),
			 3);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
	raw_store(t, key, sizeof(key), junk, 0);
	db = open_db(t);
	assert_int_equal(wdb_delete(db, &n), TWERR_OK);
	expect_absent(db, 1);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
}

static void test_damaged_index(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = open_db(t);
	static const uint8_t bkey[] = {
		'B', 0xc6, 0x12, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	/* one entry claimed, none present */
	static const uint8_t junk[] = { 0x01, 0x00, 0x00, 0x00, 0x01 };
	struct wrec *recs = NULL;
	struct wdb_owner *o = NULL;
	size_t num = 0;
	struct wrec r;

	rec_i(&r, 1, PEER_X, 10);
	put_ok(db, &r, 0);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
	raw_store(t, bkey, sizeof(bkey), junk, sizeof(junk));

	db = open_db(t);
	assert_int_equal(wdb_range(db, t->mem, PEER_X, 0, 0, 0, false, &recs,
				   &num),
			 TWERR_CORRUPT);
	assert_int_equal(num, 0);
	assert_null(recs);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_CORRUPT);
	assert_null(o);
	/* the record itself is still there */
	expect_found(db, 1, PEER_X, 10);

	/* and the index can be rebuilt from the records */
	assert_int_equal(wdb_reindex(db), TWERR_OK);
	assert_int_equal(range_count(t, db, PEER_X, 0, 0, 0, false, NULL, NULL),
			 1);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 1);
	expect_owner(&o[0], PEER_X, 10, 10);
	TALLOC_FREE(o);
	TALLOC_FREE(db);
	db = open_db(t);
	assert_int_equal(range_count(t, db, PEER_X, 0, 0, 0, false, NULL, NULL),
			 1);
	TALLOC_FREE(db);
}

static void test_damaged_header(void **state)
{
	struct tctx *t = *state;
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = LOCAL,
		.nosync = true,
	};
	static const uint8_t mkey[] = { 'M' };
	static const uint8_t bad[] = { 'T', 'W', 'D', 'B', 1, 0, 0 };
	struct wdb *db = open_db(t);
	struct wrec r;
	int fd;

	rec_i(&r, 1, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);

	raw_store(t, mkey, sizeof(mkey), bad, sizeof(bad));
	assert_int_equal(wdb_open(t->mem, t->ev, &cfg, &db), TWERR_CORRUPT);
	assert_null(db);

	/* a file that is not a tdb at all */
	unlink(t->path);
	fd = open(t->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "this is not a tdb file, not at all", 34),
			 34);
	close(fd);
	assert_int_equal(wdb_open(t->mem, t->ev, &cfg, &db), TWERR_IO);
	assert_null(db);
}

/* A header counter below our own records is repaired upwards. */
static void test_counter_repair(void **state)
{
	struct tctx *t = *state;
	static const uint8_t mkey[] = { 'M' };
	static const uint8_t low[] = {
		'T', 'W', 'D', 'B', 1, 0xc6, 0x12, 0x00, 0x01,
		0,   0,	  0,   0,   0, 0,    0,	   2,
	};
	struct wdb *db = open_db(t);
	struct wrec r;
	unsigned i;

	for (i = 0; i < 5; i++) {
		rec_i(&r, i, 0, 0);
		put_ok(db, &r, WDB_ALLOC_VERSION);
	}
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
	raw_store(t, mkey, sizeof(mkey), low, sizeof(low));
	db = open_db(t);
	assert_int_equal(wdb_current_version(db), 5);
	rec_i(&r, 9, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(r.version, 6);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
}

static void raw_delete(struct tctx *t, const uint8_t *key, size_t klen)
{
	struct tdb_context *tdb = NULL;
	TDB_DATA k = { .dptr = (uint8_t *)(uintptr_t)key, .dsize = klen };

	tdb = tdb_open(t->path, 0, 0, O_RDWR, 0600);
	assert_non_null(tdb);
	assert_int_equal(tdb_delete(tdb, k), 0);
	tdb_close(tdb);
}

/* A missing header is rebuilt with the counter taken from the index. */
static void test_missing_header(void **state)
{
	struct tctx *t = *state;
	static const uint8_t mkey[] = { 'M' };
	struct wdb *db = open_db(t);
	struct wrec r;
	unsigned i;

	for (i = 0; i < 5; i++) {
		rec_i(&r, i, 0, 0);
		put_ok(db, &r, WDB_ALLOC_VERSION);
	}
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
	raw_delete(t, mkey, sizeof(mkey));
	db = open_db(t);
	assert_int_equal(wdb_current_version(db), 5);
	rec_i(&r, 9, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(r.version, 6);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
}

/*
 * Our address changed: the old records read as another owner's, the
 * counter goes on (it never goes back), the new owner gets new versions.
 */
static void test_local_owner_changed(void **state)
{
	struct tctx *t = *state;
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = PEER_Z,
		.nosync = true,
	};
	struct wdb *db = open_db(t);
	struct wdb_owner *o = NULL;
	size_t num = 0;
	struct wrec r;

	rec_i(&r, 1, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	rec_i(&r, 2, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);

	db = open_db_cfg(t, &cfg);
	assert_int_equal(wdb_local_owner(db), PEER_Z);
	assert_int_equal(wdb_current_version(db), 2);
	rec_i(&r, 3, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(r.version, 3);
	assert_int_equal(r.owner, PEER_Z);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 2);
	expect_owner(&o[0], LOCAL, 2, 1);
	expect_owner(&o[1], PEER_Z, 3, 3);
	TALLOC_FREE(o);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
}

/* ------------------------------------------------------------------ */
/* per-owner watermarks (wdb_owner_seen) */

/*
 * The watermark only rises, is refused for the local owner and above the
 * limit, lists an owner without records, gives max(held, seen), is part
 * of the batch (gone with a close before the commit, there after a
 * flush and a reopen) and survives a reindex.
 */
static void test_owner_seen(void **state)
{
	struct tctx *t = *state;
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = PEER_Z,
		.nosync = true,
	};
	struct wdb *db = open_db(t);
	struct wdb_owner *o = NULL;
	struct nbn_name n;
	size_t num = 0;
	struct wrec r;

	/* our own counter is never raised from partner data */
	assert_int_equal(wdb_owner_seen(db, LOCAL, 5), TWERR_BAD_VALUE);
	assert_int_equal(wdb_owner_seen(db, PEER_X, WDB_VERSION_LIMIT + 1),
			 TWERR_BAD_VALUE);
	assert_false(wdb_batch_pending(db));
	/* 0: nothing seen, nothing written */
	assert_int_equal(wdb_owner_seen(db, PEER_X, 0), TWERR_OK);
	assert_false(wdb_batch_pending(db));
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 0);
	TALLOC_FREE(o);

	/* an owner with only a watermark is listed; sorted by owner */
	assert_int_equal(wdb_owner_seen(db, PEER_Y, 40), TWERR_OK);
	assert_true(wdb_batch_pending(db));
	assert_int_equal(wdb_owner_seen(db, PEER_X, 10), TWERR_OK);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 2);
	expect_owner(&o[0], PEER_X, 10, 0);
	expect_owner(&o[1], PEER_Y, 40, 0);
	TALLOC_FREE(o);
	/* part of the batch: a close without commit loses it */
	TALLOC_FREE(db);
	db = open_db(t);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 0);
	TALLOC_FREE(o);

	assert_int_equal(wdb_owner_seen(db, PEER_Y, 40), TWERR_OK);
	assert_int_equal(wdb_owner_seen(db, PEER_X, 10), TWERR_OK);
	/* raises only */
	assert_int_equal(wdb_owner_seen(db, PEER_X, 5), TWERR_OK);
	assert_int_equal(wdb_owner_seen(db, PEER_X, 10), TWERR_OK);
	assert_int_equal(wdb_owner_seen(db, PEER_Y, 41), TWERR_OK);
	assert_int_equal(wdb_owner_seen(db, PEER_Z, WDB_VERSION_LIMIT),
			 TWERR_OK);
	/* max(held, seen); min stays the lowest held */
	rec_i(&r, 1, PEER_X, 20);
	put_ok(db, &r, 0);
	rec_i(&r, 2, PEER_X, 3);
	put_ok(db, &r, 0);
	rec_i(&r, 3, PEER_Y, 30);
	put_ok(db, &r, 0);
	rec_i(&r, 4, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 4);
	expect_owner(&o[0], LOCAL, 1, 1);
	expect_owner(&o[1], PEER_X, 20, 3);
	expect_owner(&o[2], PEER_Y, 41, 30);
	expect_owner(&o[3], PEER_Z, WDB_VERSION_LIMIT, 0);
	TALLOC_FREE(o);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);

	/* durable: there after a reopen, and the records' going keeps it */
	db = open_db(t);
	name_i(&n, 3);
	assert_int_equal(wdb_delete(db, &n), TWERR_OK);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 4);
	expect_owner(&o[1], PEER_X, 20, 3);
	expect_owner(&o[2], PEER_Y, 41, 0);
	TALLOC_FREE(o);

	/* a reindex rebuilds from the records and keeps the watermarks */
	assert_int_equal(wdb_reindex(db), TWERR_OK);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 4);
	expect_owner(&o[0], LOCAL, 1, 1);
	expect_owner(&o[1], PEER_X, 20, 3);
	expect_owner(&o[2], PEER_Y, 41, 0);
	expect_owner(&o[3], PEER_Z, WDB_VERSION_LIMIT, 0);
	TALLOC_FREE(o);
	TALLOC_FREE(db);

	/*
	 * Our address became PEER_Z: its old watermark is not advertised
	 * (that would make partners skip versions we allocate later), and
	 * it can no longer be raised.
	 */
	db = open_db_cfg(t, &cfg);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 4);
	expect_owner(&o[0], LOCAL, 1, 1);
	expect_owner(&o[3], PEER_Z, 1, 0);
	TALLOC_FREE(o);
	assert_int_equal(wdb_owner_seen(db, PEER_Z, 2), TWERR_BAD_VALUE);
	assert_int_equal(wdb_owner_seen(db, LOCAL, 2), TWERR_OK);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);
}

/*
 * A damaged watermark value is input: ignored and counted (the owners
 * table falls back to what is held), dropped by a reindex, replaced by
 * the next watermark.
 */
static void test_owner_seen_damaged(void **state)
{
	struct tctx *t = *state;
	static const uint8_t skey[1] = { 'S' };
	/* two entries claimed, one present */
	static const uint8_t junk[] = {
		0x01, 0x00, 0x00, 0x00, 0x02,
		0xc6, 0x12, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 9,
	};
	/* owners not increasing */
	static const uint8_t unsorted[] = {
		0x01, 0x00, 0x00, 0x00, 0x02,
		0xc6, 0x12, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 9,
		0xc6, 0x12, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 9,
	};
	/* a valid value: PEER_X seen at 9 */
	static const uint8_t good[] = {
		0x01, 0x00, 0x00, 0x00, 0x01,
		0xc6, 0x12, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 9,
	};
	struct wdb *db = open_db(t);
	struct wdb_owner *o = NULL;
	struct wdb_stats st = {};
	size_t num = 0;
	struct wrec r;

	rec_i(&r, 1, PEER_Y, 4);
	put_ok(db, &r, 0);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);

	/* the raw form is the one docs/storage.md describes */
	raw_store(t, skey, sizeof(skey), good, sizeof(good));
	db = open_db(t);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 2);
	expect_owner(&o[0], PEER_X, 9, 0);
	expect_owner(&o[1], PEER_Y, 4, 4);
	TALLOC_FREE(o);
	TALLOC_FREE(db);

	raw_store(t, skey, sizeof(skey), junk, sizeof(junk));
	db = open_db(t);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 1);
	expect_owner(&o[0], PEER_Y, 4, 4);
	TALLOC_FREE(o);
	wdb_get_stats(db, &st);
	assert_int_equal(st.corrupt_skipped, 1);
	/* the next watermark replaces the damaged value */
	assert_int_equal(wdb_owner_seen(db, PEER_Z, 3), TWERR_OK);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 2);
	expect_owner(&o[1], PEER_Z, 3, 0);
	TALLOC_FREE(o);
	assert_int_equal(wdb_flush(db), TWERR_OK);
	TALLOC_FREE(db);

	/* a reindex drops a damaged value and nothing else */
	raw_store(t, skey, sizeof(skey), unsorted, sizeof(unsorted));
	db = open_db(t);
	assert_int_equal(wdb_reindex(db), TWERR_OK);
	wdb_get_stats(db, &st);
	assert_int_equal(st.corrupt_skipped, 1);
	assert_int_equal(wdb_owners(db, t->mem, &o, &num), TWERR_OK);
	assert_int_equal(num, 1);
	expect_owner(&o[0], PEER_Y, 4, 4);
	TALLOC_FREE(o);
	wdb_get_stats(db, &st);
	assert_int_equal(st.corrupt_skipped, 1);
	TALLOC_FREE(db);
}

/* ------------------------------------------------------------------ */
/* persistence faults (SECURITY.md E 38) */

static void child_open(struct tctx *t, struct tevent_context **ev,
		       struct wdb **db)
{
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = LOCAL,
		.nosync = false,
	};

	*ev = tevent_context_init(NULL);
	if (*ev == NULL) {
		_exit(10);
	}
	if (wdb_open(*ev, *ev, &cfg, db) != TWERR_OK) {
		_exit(11);
	}
}

static enum twerr child_sync(struct tevent_context *ev, struct wdb *db)
{
	struct tevent_req *req = wdb_sync_send(ev, ev, db);
	enum twerr err;

	if (req == NULL || !tevent_req_poll(req, ev)) {
		_exit(12);
	}
	err = wdb_sync_recv(req);
	talloc_free(req);
	return err;
}

struct ack {
	uint32_t i;
	uint64_t version;
};

/* kill -9 at an arbitrary moment: nothing acknowledged is lost */
static void test_kill9(void **state)
{
	struct tctx *t = *state;
	struct ack acks[64];
	size_t nacks = 0;
	int fds[2];
	pid_t pid;
	int status = 0;
	struct wdb *db = NULL;
	struct wrec r;
	size_t k;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct tevent_context *ev = NULL;
		uint32_t i;

		close(fds[0]);
		child_open(t, &ev, &db);
		for (i = 0;; i++) {
			struct ack a = { .i = i };

			rec_i(&r, i, 0, 0);
			if (wdb_put(db, &r, WDB_ALLOC_VERSION) != TWERR_OK) {
				_exit(13);
			}
			/* more unacknowledged writes in the same batch */
			if (i % 3 == 0) {
				struct wrec x;

				rec_i(&x, 100000 + i, PEER_X, 1 + i);
				if (wdb_put(db, &x, 0) != TWERR_OK) {
					_exit(14);
				}
			}
			if (child_sync(ev, db) != TWERR_OK) {
				_exit(15);
			}
			a.version = r.version;
			/* acknowledged: tell the parent */
			if (write(fds[1], &a, sizeof(a)) != sizeof(a)) {
				_exit(0);
			}
		}
	}
	close(fds[1]);
	while (nacks < 40) {
		ssize_t got = read(fds[0], &acks[nacks], sizeof(acks[0]));

		assert_int_equal(got, sizeof(acks[0]));
		nacks++;
	}
	/* the child is somewhere in put, commit or fsync right now */
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	close(fds[0]);

	db = open_db(t);
	for (k = 0; k < nacks; k++) {
		expect_found(db, acks[k].i, LOCAL, acks[k].version);
	}
	assert_true(wdb_current_version(db) >= acks[nacks - 1].version);
	rec_i(&r, 999999, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_true(r.version > acks[nacks - 1].version);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);
}

/* _exit without commit: the synced part is there, the rest is not */
static void test_exit_without_commit(void **state)
{
	struct tctx *t = *state;
	struct wdb *db = NULL;
	char synced = 0;
	int fds[2];
	pid_t pid;
	int status = 0;
	unsigned i;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct tevent_context *ev = NULL;
		struct wrec r;

		close(fds[0]);
		child_open(t, &ev, &db);
		for (i = 0; i < 100; i++) {
			rec_i(&r, i, 0, 0);
			if (wdb_put(db, &r, WDB_ALLOC_VERSION) != TWERR_OK) {
				_exit(13);
			}
		}
		if (child_sync(ev, db) != TWERR_OK) {
			_exit(15);
		}
		for (i = 100; i < 150; i++) {
			rec_i(&r, i, 0, 0);
			if (wdb_put(db, &r, WDB_ALLOC_VERSION) != TWERR_OK) {
				_exit(13);
			}
		}
		/*
		 * Success goes through the pipe, not the exit status, which
		 * valgrind would turn into 1 for the memory _exit abandons.
		 */
		if (write(fds[1], "S", 1) != 1) {
			_exit(16);
		}
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &synced, 1), 1);
	assert_int_equal(synced, 'S');
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));

	db = open_db(t);
	for (i = 0; i < 100; i++) {
		expect_found(db, i, LOCAL, 1 + i);
	}
	for (i = 100; i < 150; i++) {
		expect_absent(db, i);
	}
	assert_int_equal(wdb_current_version(db), 100);
	TALLOC_FREE(db);
}

/*
 * The disk fills up (RLIMIT_FSIZE: the file may not grow) while a batch is
 * open: the commit fails, every waiter gets the error, the batch is gone,
 * the counter does not go back, and the store works again once there is
 * room.
 */
static void test_disk_full(void **state)
{
	struct tctx *t = *state;
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = LOCAL,
		.nosync = false,
		.max_batch = 100000,
	};
	struct wdb *db = open_db_cfg(t, &cfg);
	struct sync_waiter w[3] = {};
	bool in_store = false;
	struct rlimit old_lim;
	struct rlimit lim;
	struct stat st;
	struct wdb_stats ws;
	struct tevent_req *req = NULL;
	void (*old_sig)(int);
	struct wrec r;
	unsigned i;

	rec_i(&r, 0, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	assert_int_equal(stat(t->path, &st), 0);

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
	lim = old_lim;
	lim.rlim_cur = (rlim_t)st.st_size;
	old_sig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);

	for (i = 1; i <= 3000; i++) {
		rec_i(&r, i, 0, 0);
		put_ok(db, &r, WDB_ALLOC_VERSION);
	}
	for (i = 0; i < 3; i++) {
		w[i] = (struct sync_waiter){ .t = t, .in_store = &in_store };
		req = wdb_sync_send(t->mem, t->ev, db);
		assert_non_null(req);
		tevent_req_set_callback(req, sync_waiter_done, &w[i]);
	}
	while (!all_done(w, 3)) {
		assert_int_equal(tevent_loop_once(t->ev), 0);
	}

	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_lim), 0);
	signal(SIGXFSZ, old_sig);

	for (i = 0; i < 3; i++) {
		assert_int_equal(w[i].err, TWERR_DB);
	}
	wdb_get_stats(db, &ws);
	assert_int_equal(ws.commit_failures, 1);
	assert_int_equal(wdb_current_version(db), 3001);
	expect_found(db, 0, LOCAL, 1);
	expect_absent(db, 1);
	expect_absent(db, 3000);

	/* room again: the next version is above every one handed out */
	rec_i(&r, 5000, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_int_equal(r.version, 3002);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	TALLOC_FREE(db);
	db = open_db(t);
	assert_int_equal(wdb_current_version(db), 3002);
	expect_found(db, 5000, LOCAL, 3002);
	expect_absent(db, 1);
	assert_int_equal(range_count(t, db, LOCAL, 0, 0, 0, false, NULL, NULL),
			 2);
	TALLOC_FREE(db);
}

/* A failure inside a write aborts the batch; a later sync in the same
 * loop pass reports it instead of acknowledging lost writes. */
static void test_abort_reported(void **state)
{
	struct tctx *t = *state;
	struct wdb_config cfg = {
		.path = t->path,
		.local_owner = LOCAL,
		.nosync = true,
		.max_batch = 2,
	};
	struct wdb *db = open_db_cfg(t, &cfg);
	struct rlimit old_lim;
	struct rlimit lim;
	struct stat st;
	void (*old_sig)(int);
	struct wrec r;
	enum twerr err = TWERR_OK;
	unsigned i;

	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
	lim = old_lim;
	lim.rlim_cur = (rlim_t)st.st_size;
	old_sig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	/* the batch-filling put commits, fails and says so */
	for (i = 0; i < 100000 && err == TWERR_OK; i++) {
		rec_i(&r, i, 0, 0);
		err = wdb_put(db, &r, WDB_ALLOC_VERSION);
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_lim), 0);
	signal(SIGXFSZ, old_sig);
	assert_int_equal(err, TWERR_DB);
	assert_false(wdb_batch_pending(db));
	assert_int_equal(sync_db(t, db), TWERR_DB);
	/* a new batch in the same pass: its waiters still hear of the loss */
	rec_i(&r, 777777, 0, 0);
	put_ok(db, &r, WDB_ALLOC_VERSION);
	assert_true(wdb_batch_pending(db));
	assert_int_equal(sync_db(t, db), TWERR_DB);
	/* the next loop pass starts clean */
	assert_int_equal(tevent_loop_once(t->ev), 0);
	assert_int_equal(sync_db(t, db), TWERR_OK);
	assert_false(wdb_batch_pending(db));
	expect_absent(db, i - 1);
	expect_found(db, 777777, LOCAL, r.version);
	TALLOC_FREE(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_put_fetch_delete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_put_rejects, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scoped_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_counter_persistence, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_counter_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_owner_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_follows_changes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bucket_full, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_index_model, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_group_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_max_batch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_commit_delay, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_free_with_waiters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_traverse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damaged_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damaged_header, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_counter_repair, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_missing_header, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_local_owner_changed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_owner_seen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_owner_seen_damaged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_without_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_abort_reported, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
