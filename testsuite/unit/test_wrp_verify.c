/*
 * tdbwins — unit tests for the verification of replicas
 * (source/wrepl/wrp_verify.c) and the scavenger's handling of released
 * replicas (source/nbns/nbns_scavenge.c).
 *
 * Server A is the verifier: the test's store (owner 198.18.0.1), no
 * listener.  Server B, the owner being asked, is a real replication
 * server in this process: its own store, owner 127.0.0.11, listening on
 * 127.0.0.11.  A verification connects to the owner's own address, so
 * B's owner address must be loopback: both sides run with the lab switch
 * (tdbwins:wrepl lab addresses) that lets 127/8 owners on the wire.
 * 127.0.0.12 is a pull partner of A with nothing listening.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>
#include <tevent.h>

#include "conf/twconf.h"
#include "ingress/ingress.h"
#include "nbns/nbns_server.h"
#include "store/wdb.h"
#include "util/twutil.h"
#include "wrepl/wrp_server.h"
#include "wrepl/wrp_verify.h"

#define LOCAL 0xc6120001u	/* 198.18.0.1: A, the verifier */
#define LOOPBACK 0x7f000001u	/* A's interface */
#define OWNER_B 0x7f00000bu	/* 127.0.0.11: B, a pull partner of A */
#define DEAD 0x7f00000cu	/* 127.0.0.12: pull partner, not there */
#define PUSH_ONLY 0x7f00000du	/* 127.0.0.13: A may not pull from it */
#define STRANGER 0xc6120305u	/* 198.18.3.5: not a partner */

#define VERIFY_SECS 7200	/* the test's wreplsrv:verify_interval */

struct tctx {
	TALLOC_CTX *mem;
	struct tevent_context *ev;
	struct twconf *conf;	/* A */
	struct ingress ig;
	struct wdb *db;		/* A */
	struct twconf *conf_b;
	struct wdb *db_b;
	struct wrp_server *srv_b;
	char dir[64];
	char path[128];
	char path_b[128];
};

static int setup(void **state)
{
	struct tctx *t = talloc_zero(NULL, struct tctx);
	struct twconf_iface lo = { .ip = LOOPBACK, .mask = 0xff000000u };
	struct twconf_iface lo_b = { .ip = OWNER_B, .mask = 0xff000000u };
	struct wdb_config cfg = {};
	uint16_t port = (uint16_t)(40000 + ((getpid() + 29) % 20000));
	char *err = NULL;

	assert_non_null(t);
	t->mem = talloc_new(t);
	assert_non_null(t->mem);
	t->ev = tevent_context_init(t->mem);
	assert_non_null(t->ev);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_wrpv.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/a.tdb", t->dir);
	snprintf(t->path_b, sizeof(t->path_b), "%s/b.tdb", t->dir);
	ingress_init(&t->ig);
	t->ig.limits.wr_lab_addresses = true;

	/* A */
	t->conf = twconf_new(t->mem);
	assert_non_null(t->conf);
	assert_true(twconf_add_iface(t->conf, &lo));
	t->conf->local_owner = LOCAL;
	t->conf->wrepl_port = port;
	t->conf->verify_interval = VERIFY_SECS;
	assert_true(twconf_add_partner(t->conf, OWNER_B, true, true));
	assert_true(twconf_add_partner(t->conf, DEAD, true, false));
	assert_true(twconf_add_partner(t->conf, PUSH_ONLY, false, true));
	assert_null(twconf_check(t->mem, t->conf));
	cfg.path = t->path;
	cfg.local_owner = LOCAL;
	cfg.nosync = true;
	assert_int_equal(wdb_open(t->mem, t->ev, &cfg, &t->db), TWERR_OK);

	/* B: serves its records to A (a push partner of B) */
	t->conf_b = twconf_new(t->mem);
	assert_non_null(t->conf_b);
	assert_true(twconf_add_iface(t->conf_b, &lo_b));
	t->conf_b->local_owner = OWNER_B;
	t->conf_b->wrepl_port = port;
	assert_true(twconf_add_partner(t->conf_b, LOOPBACK, true, true));
	assert_null(twconf_check(t->mem, t->conf_b));
	cfg.path = t->path_b;
	cfg.local_owner = OWNER_B;
	assert_int_equal(wdb_open(t->mem, t->ev, &cfg, &t->db_b), TWERR_OK);
	t->srv_b = wrp_server_create(t->mem, t->ev, t->conf_b, t->db_b,
				     &t->ig);
	assert_non_null(t->srv_b);
	if (!wrp_listen(t->srv_b, t->mem, &err)) {
		print_message("listen failed: %s\n", err);
		fail();
	}
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;

	TALLOC_FREE(t->srv_b);
	TALLOC_FREE(t->db_b);
	TALLOC_FREE(t->db);
	TALLOC_FREE(t->conf_b);
	TALLOC_FREE(t->conf);
	TALLOC_FREE(t->ev);
	unlink(t->path);
	unlink(t->path_b);
	assert_int_equal(rmdir(t->dir), 0);
	/* nothing may be left on the per-test context */
	assert_int_equal(talloc_total_blocks(t->mem), 1);
	talloc_free(t);
	return 0;
}

/* ---- helpers ---- */

static bool g_done;
static enum twerr g_err;
static struct wrp_verify_stats g_st;

static void run_done(struct tevent_req *req)
{
	g_err = wrp_verify_run_recv(req, &g_st);
	talloc_free(req);
	g_done = true;
}

/* One verification run of A to completion. */
static enum twerr verify_once(struct tctx *t, uint32_t cap,
			      struct wrp_verify_stats *st)
{
	struct tevent_req *req = NULL;
	int i;

	g_done = false;
	req = wrp_verify_run_send(t->mem, t->ev, t->conf, t->db, &t->ig,
				  cap);
	assert_non_null(req);
	tevent_req_set_callback(req, run_done, NULL);
	for (i = 0; i < 3000 && !g_done; i++) {
		assert_int_equal(tevent_loop_once(t->ev), 0);
	}
	assert_true(g_done);
	*st = g_st;
	return g_err;
}

/* B registers name: its next version, address ip. */
static uint64_t b_register(struct tctx *t, const char *name, uint32_t ip)
{
	struct wrec r = {};

	assert_true(nbn_make(&r.name, name, 0x20, NULL));
	r.type = WREC_UNIQUE;
	r.state = WREC_ACTIVE;
	r.node = WREC_NODE_H;
	r.expire = tw_now() + 86400;
	r.num_addrs = 1;
	r.addrs[0].ip = ip;
	r.addrs[0].owner = OWNER_B;
	r.addrs[0].expire = r.expire;
	assert_int_equal(wdb_put(t->db_b, &r, WDB_ALLOC_VERSION), TWERR_OK);
	assert_int_equal(wdb_flush(t->db_b), TWERR_OK);
	return r.version;
}

/* A holds name as a replica of owner, due at expire. */
static void a_replica(struct tctx *t, const char *name, uint32_t owner,
		      uint64_t version, enum wrec_state st, bool is_static,
		      int64_t expire)
{
	struct wrec r = {};

	assert_true(nbn_make(&r.name, name, 0x20, NULL));
	r.type = WREC_UNIQUE;
	r.state = st;
	r.node = WREC_NODE_H;
	r.is_static = is_static;
	r.owner = owner;
	r.version = version;
	r.expire = expire;
	r.num_addrs = 1;
	r.addrs[0].ip = 0xc6120a01u;
	r.addrs[0].owner = owner;
	r.addrs[0].expire = expire;
	assert_int_equal(wdb_put(t->db, &r, 0), TWERR_OK);
	assert_int_equal(wdb_flush(t->db), TWERR_OK);
}

static bool a_fetch(struct tctx *t, const char *name, struct wrec *r)
{
	struct nbn_name n = {};
	bool found = false;

	assert_true(nbn_make(&n, name, 0x20, NULL));
	assert_int_equal(wdb_fetch(t->db, &n, r, &found), TWERR_OK);
	return found;
}

/* r's expiry is now + secs (give or take the test's own run time) */
static void expect_due_in(const struct wrec *r, uint32_t secs)
{
	int64_t now = tw_now();

	assert_true(r->expire >= now + (int64_t)secs - 10);
	assert_true(r->expire <= now + (int64_t)secs);
	assert_int_equal(r->addrs[0].expire, r->expire);
}

/* ---- tests ---- */

/* The owner still has the version: kept for another verify interval. */
static void test_same_version_extended(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	struct wrec r = {};
	uint64_t v = b_register(t, "SAME", 0xc6120b01u);

	a_replica(t, "SAME", OWNER_B, v, WREC_ACTIVE, false, tw_now() - 5);
	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.candidates, 1);
	assert_int_equal(st.verify_extended, 1);
	assert_int_equal(st.verify_deleted + st.verify_replaced +
				 st.verify_unreachable + st.errors, 0);
	assert_false(st.more);
	assert_true(a_fetch(t, "SAME", &r));
	assert_int_equal(r.version, v);
	assert_int_equal(r.owner, OWNER_B);
	expect_due_in(&r, VERIFY_SECS);
	assert_false(wdb_batch_pending(t->db));
	/* B was asked once: no map, one names request */
	assert_int_equal(wrp_get_stats(t->srv_b)->map_requests, 0);
	assert_int_equal(wrp_get_stats(t->srv_b)->names_requests, 1);

	/* nothing is due any more: the next run asks nobody */
	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.candidates, 0);
	assert_int_equal(wrp_get_stats(t->srv_b)->names_requests, 1);
}

/*
 * The owner re-registered one name (a newer version inside the range
 * asked for): its answer replaces ours.  Another name the owner dropped:
 * ours is deleted.  A third is the same: extended.
 */
static void test_newer_replaced_absent_deleted(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	struct wrec r = {};
	struct nbn_name gone = {};
	uint64_t v_new;
	uint64_t v_old = b_register(t, "MOVED", 0xc6120b01u);
	uint64_t v_gone = b_register(t, "GONE", 0xc6120b02u);
	uint64_t v_same;

	v_new = b_register(t, "MOVED", 0xc6120b09u);	/* re-registered */
	v_same = b_register(t, "STAYS", 0xc6120b03u);
	assert_true(nbn_make(&gone, "GONE", 0x20, NULL));
	assert_int_equal(wdb_delete(t->db_b, &gone), TWERR_OK);
	assert_int_equal(wdb_flush(t->db_b), TWERR_OK);
	assert_true(v_old < v_gone && v_gone < v_new && v_new < v_same);

	a_replica(t, "MOVED", OWNER_B, v_old, WREC_ACTIVE, false,
		  tw_now() - 5);
	a_replica(t, "GONE", OWNER_B, v_gone, WREC_ACTIVE, false,
		  tw_now() - 5);
	a_replica(t, "STAYS", OWNER_B, v_same, WREC_ACTIVE, false,
		  tw_now() - 5);
	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.candidates, 3);
	assert_int_equal(st.verify_replaced, 1);
	assert_int_equal(st.verify_deleted, 1);
	assert_int_equal(st.verify_extended, 1);
	assert_int_equal(st.verify_unreachable, 0);

	assert_true(a_fetch(t, "MOVED", &r));
	assert_int_equal(r.owner, OWNER_B);
	assert_int_equal(r.version, v_new);
	assert_int_equal(r.addrs[0].ip, 0xc6120b09u);
	expect_due_in(&r, VERIFY_SECS);
	assert_false(a_fetch(t, "GONE", &r));
	assert_true(a_fetch(t, "STAYS", &r));
	assert_int_equal(r.version, v_same);
	expect_due_in(&r, VERIFY_SECS);
	assert_int_equal(wrp_get_stats(t->srv_b)->names_requests, 1);
}

/*
 * The owner sends at most 2 records per response (tdbwins:wrepl max
 * records on B): what is above the highest version returned is asked
 * for again, not taken as gone.  The top one B really dropped.
 */
static void test_cut_answer(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	struct wrec r = {};
	struct nbn_name top = {};
	char name[16];
	uint64_t v;
	int i;

	t->conf_b->wrepl_max_records = 2;
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "CUT%d", i);
		v = b_register(t, name, 0xc6120b10u + (uint32_t)i);
		a_replica(t, name, OWNER_B, v, WREC_ACTIVE, false,
			  tw_now() - 5);
	}
	assert_true(nbn_make(&top, "CUT5", 0x20, NULL));
	assert_int_equal(wdb_delete(t->db_b, &top), TWERR_OK);
	assert_int_equal(wdb_flush(t->db_b), TWERR_OK);

	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.candidates, 6);
	assert_int_equal(st.verify_extended, 5);
	assert_int_equal(st.verify_deleted, 1);
	/* [1, 6] -> 1, 2; [3, 6] -> 3, 4; [5, 6] -> 5; [6, 6] -> none */
	assert_int_equal(wrp_get_stats(t->srv_b)->names_requests, 4);
	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "CUT%d", i);
		assert_true(a_fetch(t, name, &r));
		expect_due_in(&r, VERIFY_SECS);
	}
	assert_false(a_fetch(t, "CUT5", &r));
}

/*
 * An owner that cannot be asked (pull partner not listening, a partner
 * we may not pull from, not a partner at all): kept, asked again after
 * the retry interval.  Not yet due, our own and tombstones: untouched.
 */
static void test_unreachable_kept(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	struct wrec r = {};
	int64_t later = tw_now() + 1000;

	a_replica(t, "DEADREC", DEAD, 4, WREC_ACTIVE, false, tw_now() - 5);
	a_replica(t, "PUSHREC", PUSH_ONLY, 4, WREC_ACTIVE, false,
		  tw_now() - 5);
	a_replica(t, "STRANGE", STRANGER, 9, WREC_ACTIVE, false,
		  tw_now() - 5);
	a_replica(t, "NOTDUE", DEAD, 5, WREC_ACTIVE, false, later);
	a_replica(t, "TOMB", DEAD, 6, WREC_TOMBSTONE, false, tw_now() - 5);
	{
		struct wrec own = {};

		assert_true(nbn_make(&own.name, "OURS", 0x20, NULL));
		own.type = WREC_UNIQUE;
		own.state = WREC_ACTIVE;
		own.expire = tw_now() - 5;
		own.num_addrs = 1;
		own.addrs[0].ip = 0xc6120a07u;
		own.addrs[0].owner = LOCAL;
		assert_int_equal(wdb_put(t->db, &own, WDB_ALLOC_VERSION),
				 TWERR_OK);
	}

	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.candidates, 3);
	assert_int_equal(st.verify_unreachable, 3);
	assert_int_equal(st.verify_extended + st.verify_deleted +
				 st.verify_replaced, 0);
	assert_true(a_fetch(t, "DEADREC", &r));
	assert_int_equal(r.version, 4);
	expect_due_in(&r, WRP_VERIFY_RETRY_SECS);
	assert_true(a_fetch(t, "PUSHREC", &r));
	expect_due_in(&r, WRP_VERIFY_RETRY_SECS);
	assert_true(a_fetch(t, "STRANGE", &r));
	assert_int_equal(r.owner, STRANGER);
	expect_due_in(&r, WRP_VERIFY_RETRY_SECS);
	assert_true(a_fetch(t, "NOTDUE", &r));
	assert_int_equal(r.expire, later);
	assert_true(a_fetch(t, "TOMB", &r));
	assert_int_equal(r.state, WREC_TOMBSTONE);
	assert_true(r.expire < tw_now());
	assert_true(a_fetch(t, "OURS", &r));
	assert_true(r.expire < tw_now());
	/* B never heard of it */
	assert_int_equal(wrp_get_stats(t->srv_b)->names_requests, 0);
}

/*
 * The cap: a run looks at no more than max_records, the rest waits for
 * the next run.
 */
static void test_cap(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	char name[16];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "CAP%d", i);
		a_replica(t, name, STRANGER, (uint64_t)(10 + i), WREC_ACTIVE,
			  false, tw_now() - 5);
	}
	assert_int_equal(verify_once(t, 3, &st), TWERR_OK);
	assert_int_equal(st.candidates, 3);
	assert_int_equal(st.verify_unreachable, 3);
	assert_true(st.more);
	assert_int_equal(verify_once(t, 3, &st), TWERR_OK);
	assert_int_equal(st.candidates, 2);
	assert_int_equal(st.verify_unreachable, 2);
	assert_false(st.more);
	assert_int_equal(verify_once(t, 3, &st), TWERR_OK);
	assert_int_equal(st.candidates, 0);
}

/* The real cap, 30,000 (MS-WINSRA <10>), with a few more due. */
static void test_cap_default(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	struct wrec r = {};
	int64_t past = tw_now() - 5;
	char name[16];
	uint32_t i;

	for (i = 0; i < WRP_VERIFY_MAX_RECORDS + 7; i++) {
		r = (struct wrec) {
			.type = WREC_UNIQUE,
			.state = WREC_ACTIVE,
			.owner = STRANGER,
			.version = i + 1,
			.expire = past,
			.num_addrs = 1,
		};
		r.addrs[0].ip = 0xc6120000u + i;
		r.addrs[0].owner = STRANGER;
		snprintf(name, sizeof(name), "N%08u", i);
		assert_true(nbn_make(&r.name, name, 0x20, NULL));
		assert_int_equal(wdb_put(t->db, &r, 0), TWERR_OK);
	}
	assert_int_equal(wdb_flush(t->db), TWERR_OK);
	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.candidates, WRP_VERIFY_MAX_RECORDS);
	assert_int_equal(st.verify_unreachable, WRP_VERIFY_MAX_RECORDS);
	assert_true(st.more);
	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.candidates, 7);
	assert_false(st.more);
}

/* Static replicas are the admin's: never asked about, never changed. */
static void test_static_untouched(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	struct wrec r = {};
	int64_t past = tw_now() - 5;

	/* B does not have it: a dynamic one would be deleted */
	a_replica(t, "STATB", OWNER_B, 3, WREC_ACTIVE, true, past);
	a_replica(t, "STATD", DEAD, 3, WREC_ACTIVE, true, past);
	a_replica(t, "STATR", OWNER_B, 4, WREC_RELEASED, true, past);
	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.candidates, 0);
	assert_int_equal(st.released_deleted, 0);
	assert_true(a_fetch(t, "STATB", &r));
	assert_int_equal(r.expire, past);
	assert_true(r.is_static);
	assert_true(a_fetch(t, "STATD", &r));
	assert_int_equal(r.expire, past);
	assert_true(a_fetch(t, "STATR", &r));
	assert_int_equal(r.expire, past);
	assert_int_equal(wrp_get_stats(t->srv_b)->names_requests, 0);
}

/* Released replicas past their expiry are deleted, not asked about. */
static void test_released_deleted(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	struct wrec r = {};
	int64_t later = tw_now() + 1000;

	a_replica(t, "RELOLD", OWNER_B, 3, WREC_RELEASED, false,
		  tw_now() - 5);
	a_replica(t, "RELNEW", OWNER_B, 4, WREC_RELEASED, false, later);
	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.released_deleted, 1);
	assert_int_equal(st.candidates, 0);
	assert_false(a_fetch(t, "RELOLD", &r));
	assert_true(a_fetch(t, "RELNEW", &r));
	assert_int_equal(r.expire, later);
	assert_int_equal(wrp_get_stats(t->srv_b)->names_requests, 0);
}

/*
 * The scavenger does the same for released replicas, with or without
 * replication; tombstone replicas go too, active ones stay.
 */
static void test_scavenger_released(void **state)
{
	struct tctx *t = *state;
	struct nbns_server *s = NULL;
	struct wrec r = {};
	int64_t later = tw_now() + 1000;

	a_replica(t, "RELOLD", STRANGER, 3, WREC_RELEASED, false,
		  tw_now() - 5);
	a_replica(t, "RELNEW", STRANGER, 4, WREC_RELEASED, false, later);
	a_replica(t, "TOMBOLD", STRANGER, 5, WREC_TOMBSTONE, false,
		  tw_now() - 5);
	a_replica(t, "ACTOLD", STRANGER, 6, WREC_ACTIVE, false,
		  tw_now() - 5);
	a_replica(t, "RELSTAT", STRANGER, 7, WREC_RELEASED, true,
		  tw_now() - 5);
	s = nbns_server_create(t->mem, t->ev, t->conf, t->db, &t->ig);
	assert_non_null(s);
	nbns_scavenge_now(s);
	assert_int_equal(nbns_get_stats(s)->scavenged_deleted, 2);
	assert_false(a_fetch(t, "RELOLD", &r));
	assert_false(a_fetch(t, "TOMBOLD", &r));
	assert_true(a_fetch(t, "RELNEW", &r));
	assert_true(a_fetch(t, "ACTOLD", &r));
	assert_int_equal(r.state, WREC_ACTIVE);	/* verification's */
	assert_true(a_fetch(t, "RELSTAT", &r));
	TALLOC_FREE(s);
}

/*
 * A version the owner never had (ours is ahead of B: B answers nothing
 * in [v + 5, v + 5]) is deleted.  An owner that stopped listening: kept,
 * asked again after the retry interval.
 */
static void test_owner_stopped(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	struct wrec r = {};
	uint64_t v = b_register(t, "ASKED", 0xc6120b01u);

	a_replica(t, "ASKED", OWNER_B, v + 5, WREC_ACTIVE, false,
		  tw_now() - 5);
	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.verify_deleted, 1);
	assert_false(a_fetch(t, "ASKED", &r));

	a_replica(t, "ASKED", OWNER_B, v, WREC_ACTIVE, false, tw_now() - 5);
	TALLOC_FREE(t->srv_b);	/* B gone: connection refused */
	assert_int_equal(verify_once(t, 0, &st), TWERR_OK);
	assert_int_equal(st.verify_unreachable, 1);
	assert_true(a_fetch(t, "ASKED", &r));
	expect_due_in(&r, WRP_VERIFY_RETRY_SECS);
}

/* The periodic service: wrp_verify_now, totals, stops with its parent. */
static void test_service(void **state)
{
	struct tctx *t = *state;
	struct wrp_verify_stats st = {};
	TALLOC_CTX *parent = talloc_new(t->mem);
	struct wrec r = {};
	uint64_t v = b_register(t, "SVC", 0xc6120b01u);
	int i;

	assert_non_null(parent);
	assert_false(wrp_verify_now());		/* no service yet */
	a_replica(t, "SVC", OWNER_B, v, WREC_ACTIVE, false, tw_now() - 5);
	assert_true(wrp_verify_start(parent, t->ev, t->conf, t->db, &t->ig));
	assert_true(wrp_verify_now());
	assert_false(wrp_verify_now());		/* one run at a time */
	for (i = 0; i < 3000; i++) {
		wrp_verify_get_stats(&st);
		if (st.runs == 1) {
			break;
		}
		assert_int_equal(tevent_loop_once(t->ev), 0);
	}
	assert_int_equal(st.runs, 1);
	assert_int_equal(st.verify_extended, 1);
	assert_true(a_fetch(t, "SVC", &r));
	expect_due_in(&r, VERIFY_SECS);
	/* a second start replaces the first */
	assert_true(wrp_verify_start(parent, t->ev, t->conf, t->db, &t->ig));
	wrp_verify_get_stats(&st);
	assert_int_equal(st.runs, 0);
	/* freed with its parent, even in the middle of a run */
	a_replica(t, "SVC", OWNER_B, v, WREC_ACTIVE, false, tw_now() - 5);
	assert_true(wrp_verify_now());
	assert_int_equal(tevent_loop_once(t->ev), 0);
	TALLOC_FREE(parent);
	assert_false(wrp_verify_now());
	wrp_verify_get_stats(&st);
	assert_int_equal(st.runs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_version_extended,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_newer_replaced_absent_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_answer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unreachable_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_static_untouched, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_released_deleted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scavenger_released,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_stopped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_service, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
