/*
 * tdbwins — unit tests for applying replicas (source/wrepl/wrp_apply.c):
 * the decision function cell by cell against PROTOCOL.md 3.6 (general
 * rules, every row x column of tables A and B, the challenge outcome
 * table), the S-group merge (Samba's W2K3 cases and the 25 cap) and the
 * multihomed merge; then the executor against a real store and a real
 * name server whose sends are captured: propagate, release demand
 * (opcode 6 to the old addresses), challenge outcomes through real
 * challenge replies, persona lists and protected names.
 *
 * The expected cells are typed from PROTOCOL.md, not derived from the code.
 * SECURITY.md section E classes covered: 32 (semantic attacks from a
 * partner: a partner cannot take our active names without a challenge,
 * cannot take protected names, owners refused by the persona lists), and
 * SA-12's merge cap.  Addresses are 127/8 only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <talloc.h>
#include <tevent.h>

#include "../../source/conf/twconf.h"
#include "../../source/ingress/ingress.h"
#include "../../source/nbns/nbns_server.h"
#include "../../source/store/wdb.h"
#include "../../source/util/twlog.h"
#include "../../source/wire/nbns.h"
#include "../../source/wire/wwr.h"
#include "../../source/wrepl/wrp_apply.h"

#define LOCAL 0x7f000001u	/* 127.0.0.1: us */
#define OWNER_B 0x7f000002u	/* the partner the replica comes from */
#define OWNER_X 0x7f000003u	/* a third server */
#define HAVE_NET 0x7f010000u	/* 127.1.0.x: addresses of have */
#define GOT_NET 0x7f020000u	/* 127.2.0.x: addresses of got */
#define MAX_SENT 64

struct sent {
	struct nbns_src to;
	uint8_t buf[NBP_UDP_MAX];
	size_t len;
};

struct fixture {
	TALLOC_CTX *mem;	/* server, store */
	TALLOC_CTX *tctx;	/* per-test scratch: leak-checked */
	TALLOC_CTX *pkts;	/* decoded captures */
	size_t srv_blocks;	/* the name server's tree after setup */
	struct tevent_context *ev;
	char dir[64];
	struct twconf *conf;
	struct ingress ig;
	struct wdb *db;
	struct nbns_server *s;
	struct sent sent[MAX_SENT];
	unsigned num_sent;
};

static bool capture(void *private_data, const struct nbns_src *to,
		    const uint8_t *buf, size_t len)
{
	struct fixture *f = private_data;

	if (f->num_sent < MAX_SENT) {
		f->sent[f->num_sent].to = *to;
		memcpy(f->sent[f->num_sent].buf, buf, len);
		f->sent[f->num_sent].len = len;
		f->num_sent++;
	}
	return true;
}

static void quiet_log(int level, const char *msg, void *private_data)
{
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct twconf_iface iface = { .ip = LOCAL, .mask = 0xff000000u };
	struct wdb_config dbc = { .nosync = true };
	const char **prot = NULL;
	char *path = NULL;

	assert_non_null(f);
	twlog_set_backend(quiet_log, NULL);
	f->mem = talloc_new(NULL);
	f->tctx = talloc_new(NULL);
	f->ev = tevent_context_init(f->mem);
	strcpy(f->dir, "/tmp/tw-apply-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->conf = twconf_new(f->mem);
	f->conf->netbios_name = talloc_strdup(f->conf, "UNITWINS");
	f->conf->workgroup = talloc_strdup(f->conf, "UNITWG");
	f->conf->challenge_timeout_ms = 30;
	f->conf->challenge_retries = 0;
	prot = talloc_zero_array(f->conf, const char *, 2);
	prot[0] = "WPAD";
	f->conf->protected_names = prot;
	assert_true(twconf_add_iface(f->conf, &iface));
	assert_null(twconf_check(f->mem, f->conf));
	ingress_init(&f->ig);
	path = talloc_asprintf(f->mem, "%s/wins.tdb", f->dir);
	dbc.path = path;
	dbc.local_owner = LOCAL;
	assert_int_equal(wdb_open(f->mem, f->ev, &dbc, &f->db), TWERR_OK);
	f->s = nbns_server_create(f->mem, f->ev, f->conf, f->db, &f->ig);
	assert_non_null(f->s);
	nbns_set_send(f->s, capture, f);
	wrp_apply_reset_stats();
	assert_true(wrp_apply_set_persona(NULL, 0, NULL, 0));
	assert_true(wrp_apply_attach_nbns(NULL));
	f->pkts = talloc_new(NULL);
	f->srv_blocks = talloc_total_blocks(f->s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	size_t blocks = talloc_total_blocks(f->tctx);
	size_t srv_blocks = 0;
	size_t attached = 0;
	size_t want_srv = 0;

	talloc_free(f->pkts);
	/*
	 * Every challenge has finished by now: the name server's tree holds
	 * at most the one-block link; detaching frees that too.
	 */
	if (f->s != NULL) {
		attached = talloc_total_blocks(f->s) - f->srv_blocks;
	}
	assert_true(wrp_apply_attach_nbns(NULL));
	if (f->s != NULL) {
		srv_blocks = talloc_total_blocks(f->s);
		want_srv = f->srv_blocks;
	}
	talloc_free(f->tctx);
	talloc_free(f->mem);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	/* nothing leaked: not on the scratch context, and no challenge
	 * state or link left behind on the server */
	assert_int_equal(blocks, 1);
	assert_int_equal(srv_blocks, want_srv);
	assert_in_range(attached, 0, 1);
	return 0;
}

static void wake_up(struct tevent_context *ev, struct tevent_timer *te,
		    struct timeval now, void *private_data)
{
}

/* Let the event loop run for ms milliseconds. */
static void run_for(struct fixture *f, unsigned ms)
{
	struct timeval end = tevent_timeval_current_ofs(ms / 1000,
							(ms % 1000) * 1000);

	for (;;) {
		struct timeval now = tevent_timeval_current();
		TALLOC_CTX *tmp = NULL;

		if (tevent_timeval_compare(&now, &end) >= 0) {
			break;
		}
		tmp = talloc_new(f->mem);
		tevent_add_timer(f->ev, tmp,
				 tevent_timeval_current_ofs(0, 5000), wake_up,
				 NULL);
		tevent_loop_once(f->ev);
		talloc_free(tmp);
	}
}

/* --- records --- */

static void mkname(struct nbn_name *n, const char *s, uint8_t suffix)
{
	assert_true(nbn_make(n, s, suffix, NULL));
}

static void mkrec(struct wrec *r, enum wrec_type type, enum wrec_state st,
		  uint32_t owner, uint64_t version)
{
	*r = (struct wrec) {
		.type = type,
		.state = st,
		.node = WREC_NODE_H,
		.owner = owner,
		.version = version,
		.expire = 2000000000,
	};
	mkname(&r->name, "CELL", 0x00);
}

static void addip(struct wrec *r, uint32_t ip, uint32_t owner,
		  int64_t expire)
{
	assert_true(r->num_addrs < WREC_MAX_ADDRS);
	r->addrs[r->num_addrs].ip = ip;
	r->addrs[r->num_addrs].owner = owner;
	r->addrs[r->num_addrs].expire = expire;
	r->num_addrs++;
}

/* A table cell's record: U one address, S and M two, G none. */
static void cell(struct wrec *r, enum wrec_type type, enum wrec_state st,
		 uint32_t owner, uint32_t net)
{
	mkrec(r, type, st, owner, 10);
	switch (type) {
	case WREC_UNIQUE:
		addip(r, net + 1, owner, 1000);
		break;
	case WREC_SGROUP:
	case WREC_MHOMED:
		addip(r, net + 1, owner, 1000);
		addip(r, net + 2, owner, 1000);
		break;
	case WREC_GROUP:
		break;
	}
}

static bool has_ip(const struct wrec *r, uint32_t ip, uint32_t owner)
{
	uint8_t i;

	for (i = 0; i < r->num_addrs; i++) {
		if (r->addrs[i].ip == ip && r->addrs[i].owner == owner) {
			return true;
		}
	}
	return false;
}

/* --- decision tables, cell by cell --- */

struct rowdef {
	enum wrec_type type;
	enum wrec_state state;
	const char *cells;	/* one letter per column below */
};

/* columns: U,A U,T G,A G,T S,A S,T M,A M,T */
static const enum wrec_type col_type[8] = {
	WREC_UNIQUE, WREC_UNIQUE, WREC_GROUP, WREC_GROUP,
	WREC_SGROUP, WREC_SGROUP, WREC_MHOMED, WREC_MHOMED,
};
static const enum wrec_state col_state[8] = {
	WREC_ACTIVE, WREC_TOMBSTONE, WREC_ACTIVE, WREC_TOMBSTONE,
	WREC_ACTIVE, WREC_TOMBSTONE, WREC_ACTIVE, WREC_TOMBSTONE,
};

static enum wrp_action letter(char c)
{
	switch (c) {
	case 'R':
		return WRP_ACT_REPLACE;
	case 'K':
		return WRP_ACT_KEEP;
	case 'P':
		return WRP_ACT_PROPAGATE;
	case 'C':
		return WRP_ACT_CHALLENGE;
	case 'D':
		return WRP_ACT_RELEASE_DEMAND;
	case 'M':
		return WRP_ACT_SGROUP_MERGE;
	}
	fail_msg("bad letter %c", c);
	return WRP_ACT_KEEP;
}

static void check_table(const struct rowdef *rows, size_t nrows,
			uint32_t have_owner)
{
	size_t i, j;
	unsigned checked = 0;

	for (i = 0; i < nrows; i++) {
		for (j = 0; j < 8; j++) {
			struct wrec have, got;
			enum wrp_action want = letter(rows[i].cells[j]);
			enum wrp_action a;

			cell(&have, rows[i].type, rows[i].state, have_owner,
			     HAVE_NET);
			cell(&got, col_type[j], col_state[j], OWNER_B,
			     GOT_NET);
			a = wrp_apply_decide(&have, &got, LOCAL, 0);
			if (a != want) {
				fail_msg("have row %zu (type %d state %d) vs "
					 "got column %zu: %s, want %s",
					 i, rows[i].type, rows[i].state, j,
					 wrp_action_str(a),
					 wrp_action_str(want));
			}
			checked++;
		}
	}
	assert_int_equal(checked, nrows * 8);
}

/* PROTOCOL.md 3.6 table A: have is a replica of a third server */
static void test_table_a(void **state)
{
	static const struct rowdef rows[] = {
		/*                          UA UT GA GT SA ST MA MT */
		{ WREC_UNIQUE, WREC_ACTIVE, "RKRKKKRK" },
		{ WREC_UNIQUE, WREC_RELEASED, "RRRRRRRR" },
		{ WREC_UNIQUE, WREC_TOMBSTONE, "RRRRRRRR" },
		{ WREC_GROUP, WREC_ACTIVE, "KKKKKKKK" },
		{ WREC_GROUP, WREC_RELEASED, "KKRRKKKK" },
		{ WREC_GROUP, WREC_TOMBSTONE, "KKRRRRRR" },
		/* S,A vs S,A with disjoint members: merge */
		{ WREC_SGROUP, WREC_ACTIVE, "KKKKMRKK" },
		{ WREC_SGROUP, WREC_RELEASED, "RRRRRRRR" },
		{ WREC_SGROUP, WREC_TOMBSTONE, "RRRRRRRR" },
		{ WREC_MHOMED, WREC_ACTIVE, "RKRKKKRK" },
		{ WREC_MHOMED, WREC_RELEASED, "RRRRRRRR" },
		{ WREC_MHOMED, WREC_TOMBSTONE, "RRRRRRRR" },
	};

	check_table(rows, sizeof(rows) / sizeof(rows[0]), OWNER_X);
}

/* PROTOCOL.md 3.6 table B: have is ours */
static void test_table_b(void **state)
{
	static const struct rowdef rows[] = {
		/* U,A/M,A vs U,A/M,A with other addresses: challenge */
		/*                          UA UT GA GT SA ST MA MT */
		{ WREC_UNIQUE, WREC_ACTIVE, "CPDPDPCP" },
		{ WREC_UNIQUE, WREC_RELEASED, "RRRRRRRR" },
		{ WREC_UNIQUE, WREC_TOMBSTONE, "RRRRRRRR" },
		{ WREC_GROUP, WREC_ACTIVE, "PPRPPPPP" },
		{ WREC_GROUP, WREC_RELEASED, "PPRRPPPP" },
		{ WREC_GROUP, WREC_TOMBSTONE, "PPRRPPPP" },
		/* S,A vs S,A with other members: merge */
		{ WREC_SGROUP, WREC_ACTIVE, "PPPPMPPP" },
		{ WREC_SGROUP, WREC_RELEASED, "RRRRRRRR" },
		{ WREC_SGROUP, WREC_TOMBSTONE, "RRRRRRRR" },
		{ WREC_MHOMED, WREC_ACTIVE, "CPDPDPCP" },
		{ WREC_MHOMED, WREC_RELEASED, "RRRRRRRR" },
		{ WREC_MHOMED, WREC_TOMBSTONE, "RRRRRRRR" },
	};

	check_table(rows, sizeof(rows) / sizeof(rows[0]), LOCAL);
}

/* table B: our U/M addresses all in the replica -> replace, no challenge;
 * S,A vs identical S,A -> keep */
static void test_table_b_subsets(void **state)
{
	struct wrec have, got;

	mkrec(&have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, 5);
	addip(&have, HAVE_NET + 1, LOCAL, 0);
	mkrec(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, 7);
	addip(&got, HAVE_NET + 1, OWNER_B, 0);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_REPLACE);
	got.type = WREC_MHOMED;
	addip(&got, GOT_NET + 1, OWNER_B, 0);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_REPLACE);
	/* one of ours missing: challenge */
	addip(&have, HAVE_NET + 2, LOCAL, 0);
	have.type = WREC_MHOMED;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_CHALLENGE);

	mkrec(&have, WREC_SGROUP, WREC_ACTIVE, LOCAL, 5);
	addip(&have, HAVE_NET + 1, OWNER_B, 0);
	mkrec(&got, WREC_SGROUP, WREC_ACTIVE, OWNER_B, 7);
	addip(&got, HAVE_NET + 1, OWNER_B, 0);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_KEEP);
	/* same address, other member owner: not identical -> merge */
	got.addrs[0].owner = OWNER_X;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_SGROUP_MERGE);
}

/* general rules 1-4, before the tables */
static void test_general_rules(void **state)
{
	struct wrec have, got;

	/* rule 1: same owner replaces, even a static record by a
	 * dynamic one, even an active one by a tombstone */
	cell(&have, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, HAVE_NET);
	have.is_static = true;
	cell(&got, WREC_UNIQUE, WREC_TOMBSTONE, OWNER_B, GOT_NET);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_REPLACE);
	cell(&have, WREC_GROUP, WREC_ACTIVE, OWNER_B, HAVE_NET);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_REPLACE);

	/* rule 2: static of a third server kept, whatever got is */
	cell(&have, WREC_UNIQUE, WREC_TOMBSTONE, OWNER_X, HAVE_NET);
	have.is_static = true;
	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_KEEP);
	got.is_static = true;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_KEEP);
	/* our static vs dynamic: propagate; vs static: keep */
	have.owner = LOCAL;
	got.is_static = false;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_PROPAGATE);
	got.is_static = true;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_KEEP);

	/* rule 3: static replica beats dynamic, ours or a third's, even
	 * where the tables would keep (G,A) */
	cell(&have, WREC_GROUP, WREC_ACTIVE, OWNER_X, HAVE_NET);
	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	got.is_static = true;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_REPLACE);
	have.owner = LOCAL;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_REPLACE);

	/* rule 4: migrate on lets a dynamic U/M replica take a static U/M
	 * of a third server (table A then decides); never a static group,
	 * never our own static record */
	cell(&have, WREC_UNIQUE, WREC_ACTIVE, OWNER_X, HAVE_NET);
	have.is_static = true;
	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_KEEP);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL,
					  WRP_APPLY_MIGRATE),
			 WRP_ACT_REPLACE);
	have.type = WREC_SGROUP;
	got.type = WREC_SGROUP;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL,
					  WRP_APPLY_MIGRATE),
			 WRP_ACT_KEEP);
	cell(&have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, HAVE_NET);
	have.is_static = true;
	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL,
					  WRP_APPLY_MIGRATE),
			 WRP_ACT_PROPAGATE);
}

/* the challenge outcome table */
static void test_challenge_outcome(void **state)
{
	struct wrec have, got;
	uint32_t both[3] = { HAVE_NET + 1, GOT_NET + 1, GOT_NET + 2 };
	uint32_t got_only[2] = { GOT_NET + 1, GOT_NET + 2 };
	uint32_t part[2] = { HAVE_NET + 1, GOT_NET + 1 };

	cell(&have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, HAVE_NET);
	cell(&got, WREC_MHOMED, WREC_ACTIVE, OWNER_B, GOT_NET);
	/* timeout or negative */
	assert_int_equal(wrp_apply_challenge_outcome(&have, &got, false,
						     NULL, 0),
			 WRP_ACT_REPLACE);
	assert_int_equal(wrp_apply_challenge_outcome(&have, &got, false,
						     both, 3),
			 WRP_ACT_REPLACE);
	/* positive without the replica's addresses: keep ours */
	assert_int_equal(wrp_apply_challenge_outcome(&have, &got, true,
						     NULL, 0),
			 WRP_ACT_KEEP);
	assert_int_equal(wrp_apply_challenge_outcome(&have, &got, true,
						     part, 2),
			 WRP_ACT_KEEP);
	/* all of both: multihomed merge */
	assert_int_equal(wrp_apply_challenge_outcome(&have, &got, true,
						     both, 3),
			 WRP_ACT_MHOMED_MERGE);
	/* the replica's but not ours: late release demand */
	assert_int_equal(wrp_apply_challenge_outcome(&have, &got, true,
						     got_only, 2),
			 WRP_ACT_LATE_RELEASE_DEMAND);
}

/* --- merges --- */

#define A_ 0x7f0a0000u	/* "A" prefix of Samba's address lists */
#define B_ 0x7f0b0000u
#define X_ 0x7f0c0000u
#define OWNER_A OWNER_X

static void sg(struct wrec *r, uint32_t owner)
{
	mkrec(r, WREC_SGROUP, WREC_ACTIVE, owner, 20);
}

/* S,A vs S,A between third parties: Samba's W2K3-verified cases */
static void test_sgroup_third_party(void **state)
{
	struct wrec have, got, out;
	bool own = false;

	/* A:A_3_4 vs B:A_3_4 -> keep */
	sg(&have, OWNER_A);
	addip(&have, A_ + 3, OWNER_A, 0);
	addip(&have, A_ + 4, OWNER_A, 0);
	sg(&got, OWNER_B);
	addip(&got, A_ + 3, OWNER_A, 0);
	addip(&got, A_ + 4, OWNER_A, 0);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_KEEP);
	/* A:A_3_4 vs B:NULL -> keep (have holds nothing of B's) */
	got.num_addrs = 0;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_KEEP);
	/* A:A_3_4_X_3_4 vs B:A_3_4 -> keep */
	addip(&have, X_ + 3, OWNER_X, 0);
	addip(&have, X_ + 4, OWNER_X, 0);
	addip(&got, A_ + 3, OWNER_A, 0);
	addip(&got, A_ + 4, OWNER_A, 0);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_KEEP);
	/* A:A_3_4 vs B:A_3_4_OWNER_B -> replace (same set, new owners) */
	have.num_addrs = 2;
	got.addrs[0].owner = OWNER_B;
	got.addrs[1].owner = OWNER_B;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_REPLACE);

	/* A:A_3_4 vs B:B_3_4 -> C:A_3_4_B_3_4 (ours, new version) */
	sg(&got, OWNER_B);
	addip(&got, B_ + 3, OWNER_B, 0);
	addip(&got, B_ + 4, OWNER_B, 0);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_SGROUP_MERGE);
	wrp_apply_sgroup_merge(&have, &got, LOCAL, &out, &own);
	assert_true(own);
	assert_int_equal(out.num_addrs, 4);
	assert_true(has_ip(&out, A_ + 3, OWNER_A));
	assert_true(has_ip(&out, A_ + 4, OWNER_A));
	assert_true(has_ip(&out, B_ + 3, OWNER_B));
	assert_true(has_ip(&out, B_ + 4, OWNER_B));

	/* A:B_3_4_X_3_4 vs B:A_3_4 -> B:A_3_4_X_3_4 (B released B_3_4) */
	sg(&have, OWNER_A);
	addip(&have, B_ + 3, OWNER_B, 0);
	addip(&have, B_ + 4, OWNER_B, 0);
	addip(&have, X_ + 3, OWNER_X, 0);
	addip(&have, X_ + 4, OWNER_X, 0);
	sg(&got, OWNER_B);
	addip(&got, A_ + 3, OWNER_A, 0);
	addip(&got, A_ + 4, OWNER_A, 0);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_SGROUP_MERGE);
	wrp_apply_sgroup_merge(&have, &got, LOCAL, &out, &own);
	assert_false(own);
	assert_int_equal(out.owner, OWNER_B);
	assert_int_equal(out.version, 20);
	assert_int_equal(out.num_addrs, 4);
	assert_false(has_ip(&out, B_ + 3, OWNER_B));
	assert_true(has_ip(&out, X_ + 3, OWNER_X));
	assert_true(has_ip(&out, A_ + 4, OWNER_A));

	/* A:B_3_4_X_3_4 vs B:NULL -> B:X_3_4 */
	got.num_addrs = 0;
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_SGROUP_MERGE);
	wrp_apply_sgroup_merge(&have, &got, LOCAL, &out, &own);
	assert_false(own);
	assert_int_equal(out.num_addrs, 2);
	assert_true(has_ip(&out, X_ + 3, OWNER_X));
	assert_true(has_ip(&out, X_ + 4, OWNER_X));

	/* A:B_3_4_X_3_4 vs B:B_3_4_X_1_2 -> C:B_3_4_X_1_2_3_4 */
	addip(&got, B_ + 3, OWNER_B, 0);
	addip(&got, B_ + 4, OWNER_B, 0);
	addip(&got, X_ + 1, OWNER_X, 0);
	addip(&got, X_ + 2, OWNER_X, 0);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_SGROUP_MERGE);
	wrp_apply_sgroup_merge(&have, &got, LOCAL, &out, &own);
	assert_true(own);
	assert_int_equal(out.num_addrs, 6);

	/* A:A_3_4_X_3_4 vs B:A_3_4_OWNER_B -> B:A_3_4_OWNER_B_X_3_4 */
	sg(&have, OWNER_A);
	addip(&have, A_ + 3, OWNER_A, 0);
	addip(&have, A_ + 4, OWNER_A, 0);
	addip(&have, X_ + 3, OWNER_X, 0);
	addip(&have, X_ + 4, OWNER_X, 0);
	sg(&got, OWNER_B);
	addip(&got, A_ + 3, OWNER_B, 0);
	addip(&got, A_ + 4, OWNER_B, 0);
	assert_int_equal(wrp_apply_decide(&have, &got, LOCAL, 0),
			 WRP_ACT_SGROUP_MERGE);
	wrp_apply_sgroup_merge(&have, &got, LOCAL, &out, &own);
	assert_false(own);
	assert_int_equal(out.num_addrs, 4);
	assert_true(has_ip(&out, A_ + 3, OWNER_B));
	assert_true(has_ip(&out, X_ + 4, OWNER_X));

	/* a merge of ours always becomes ours */
	have.owner = LOCAL;
	wrp_apply_sgroup_merge(&have, &got, LOCAL, &out, &own);
	assert_true(own);
}

/* SA-12: the merge never exceeds 25; replica addresses go first, oldest
 * first; then the oldest of ours */
static void test_sgroup_cap(void **state)
{
	struct wrec have, got, out;
	bool own = false;
	uint32_t i;

	sg(&have, LOCAL);
	for (i = 0; i < 20; i++) {
		addip(&have, HAVE_NET + i, LOCAL, 5000 + i);
	}
	for (i = 0; i < 5; i++) {
		addip(&have, X_ + i, OWNER_X, 9000 + i);	/* newest */
	}
	sg(&got, OWNER_B);
	for (i = 0; i < 10; i++) {
		addip(&got, GOT_NET + i, OWNER_B, 8000 + i);
	}
	wrp_apply_sgroup_merge(&have, &got, LOCAL, &out, &own);
	assert_true(own);
	assert_int_equal(out.num_addrs, WREC_MAX_ADDRS);
	/* every one of ours stays, though older than every replica */
	for (i = 0; i < 20; i++) {
		assert_true(has_ip(&out, HAVE_NET + i, LOCAL));
	}
	/* the 5 newest replica addresses: X's */
	for (i = 0; i < 5; i++) {
		assert_true(has_ip(&out, X_ + i, OWNER_X));
	}
	for (i = 0; i < 10; i++) {
		assert_false(has_ip(&out, GOT_NET + i, OWNER_B));
	}

	/* only our own addresses: the oldest go */
	sg(&have, LOCAL);
	for (i = 0; i < 25; i++) {
		addip(&have, HAVE_NET + i, LOCAL, 5000 + i);
	}
	sg(&got, OWNER_B);
	addip(&got, GOT_NET + 1, LOCAL, 100);	/* older than any */
	addip(&got, GOT_NET + 2, LOCAL, 9999);
	wrp_apply_sgroup_merge(&have, &got, LOCAL, &out, &own);
	assert_int_equal(out.num_addrs, WREC_MAX_ADDRS);
	assert_false(has_ip(&out, GOT_NET + 1, LOCAL));
	assert_false(has_ip(&out, HAVE_NET + 0, LOCAL));
	assert_true(has_ip(&out, HAVE_NET + 1, LOCAL));
	assert_true(has_ip(&out, GOT_NET + 2, LOCAL));
}

static void test_mhomed_merge(void **state)
{
	struct wrec have, got, out;
	uint32_t i;

	mkrec(&have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, 5);
	addip(&have, HAVE_NET + 1, LOCAL, 111);
	addip(&have, GOT_NET + 1, LOCAL, 222);	/* also in got */
	mkrec(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, 77);
	addip(&got, GOT_NET + 1, OWNER_B, 333);
	addip(&got, GOT_NET + 2, OWNER_B, 444);
	wrp_apply_mhomed_merge(&have, &got, LOCAL, &out);
	assert_int_equal(out.type, WREC_MHOMED);
	assert_int_equal(out.owner, OWNER_B);
	assert_int_equal(out.version, 77);
	assert_int_equal(out.num_addrs, 3);
	assert_true(has_ip(&out, GOT_NET + 1, OWNER_B));
	assert_true(has_ip(&out, GOT_NET + 2, OWNER_B));
	assert_true(has_ip(&out, HAVE_NET + 1, LOCAL));
	for (i = 0; i < out.num_addrs; i++) {
		if (out.addrs[i].ip == HAVE_NET + 1) {
			assert_int_equal(out.addrs[i].expire, 111);
		}
	}

	/* capped: 25 of got + 3 of ours -> the 3 oldest replica go */
	mkrec(&got, WREC_MHOMED, WREC_ACTIVE, OWNER_B, 77);
	for (i = 0; i < 25; i++) {
		addip(&got, GOT_NET + i, OWNER_B, 1000 + i);
	}
	mkrec(&have, WREC_MHOMED, WREC_ACTIVE, LOCAL, 5);
	for (i = 0; i < 3; i++) {
		addip(&have, HAVE_NET + i, LOCAL, 1);
	}
	wrp_apply_mhomed_merge(&have, &got, LOCAL, &out);
	assert_int_equal(out.num_addrs, WREC_MAX_ADDRS);
	for (i = 0; i < 3; i++) {
		assert_true(has_ip(&out, HAVE_NET + i, LOCAL));
		assert_false(has_ip(&out, GOT_NET + i, OWNER_B));
	}
	assert_true(has_ip(&out, GOT_NET + 3, OWNER_B));
}

/* --- the executor --- */

static void put(struct fixture *f, struct wrec *r, bool alloc)
{
	assert_int_equal(wdb_put(f->db, r, alloc ? WDB_ALLOC_VERSION : 0),
			 TWERR_OK);
}

static void fetch(struct fixture *f, const struct nbn_name *n,
		  struct wrec *out)
{
	bool found = false;

	assert_int_equal(wdb_fetch(f->db, n, out, &found), TWERR_OK);
	assert_true(found);
}

static struct nbp_packet *sent_pkt(struct fixture *f, unsigned i)
{
	struct nbp_packet *p = NULL;

	assert_int_equal(nbp_decode(f->pkts, f->sent[i].buf, f->sent[i].len,
				    &p),
			 TWERR_OK);
	return p;
}

static void test_exec_new_and_same_owner(void **state)
{
	struct fixture *f = *state;
	struct wrec got, have;
	struct wrp_apply_stats st;
	bool stored = false;

	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_true(stored);
	fetch(f, &got.name, &have);
	assert_int_equal(have.owner, OWNER_B);
	assert_int_equal(have.version, 10);
	/* same owner, newer version: replaced */
	got.version = 11;
	got.state = WREC_TOMBSTONE;
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_true(stored);
	fetch(f, &got.name, &have);
	assert_int_equal(have.version, 11);
	assert_int_equal(have.state, WREC_TOMBSTONE);
	wrp_apply_get_stats(&st);
	assert_int_equal(st.received, 2);
	assert_int_equal(st.replaced, 2);
	/* no hook, no packet: replicas touch nothing but the store */
	assert_int_equal(f->num_sent, 0);
}

static void test_exec_propagate(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	uint64_t before;
	bool stored = true;

	cell(&have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, HAVE_NET);
	put(f, &have, true);
	before = wdb_current_version(f->db);
	cell(&got, WREC_UNIQUE, WREC_TOMBSTONE, OWNER_B, GOT_NET);
	got.version = 1000;
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	fetch(f, &have.name, &now);
	assert_int_equal(now.owner, LOCAL);
	assert_int_equal(now.state, WREC_ACTIVE);
	assert_int_equal(now.version, before + 1);
	assert_true(has_ip(&now, HAVE_NET + 1, LOCAL));
}

/* tdbwins:migrate reaches the decision: a static replica U of a third
 * server is kept, until migrate is on */
static void test_exec_migrate_conf(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	bool stored = true;

	cell(&have, WREC_UNIQUE, WREC_ACTIVE, OWNER_X, HAVE_NET);
	have.is_static = true;
	put(f, &have, false);
	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	fetch(f, &have.name, &now);
	assert_int_equal(now.owner, OWNER_X);
	f->conf->migrate = true;
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_true(stored);
	fetch(f, &have.name, &now);
	assert_int_equal(now.owner, OWNER_B);
	assert_false(now.is_static);
}

static void test_exec_release_demand(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	struct nbp_packet *p = NULL;
	struct wrp_apply_stats st;
	bool stored = false;
	unsigned i;

	assert_true(wrp_apply_attach_nbns(f->s));
	mkrec(&have, WREC_MHOMED, WREC_ACTIVE, LOCAL, 0);
	addip(&have, HAVE_NET + 1, LOCAL, 0);
	addip(&have, HAVE_NET + 2, LOCAL, 0);
	put(f, &have, true);
	cell(&got, WREC_GROUP, WREC_ACTIVE, OWNER_B, GOT_NET);
	f->num_sent = 0;
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_true(stored);
	fetch(f, &have.name, &now);
	assert_int_equal(now.type, WREC_GROUP);
	assert_int_equal(now.owner, OWNER_B);
	/* one release request (opcode 6) per old address, to port 137 */
	assert_int_equal(f->num_sent, 2);
	for (i = 0; i < 2; i++) {
		p = sent_pkt(f, i);
		assert_int_equal(f->sent[i].to.ip, HAVE_NET + 1 + i);
		assert_int_equal(f->sent[i].to.port, 137);
		assert_false(nbp_is_response(p));
		assert_int_equal(nbp_opcode(p), NBP_OP_RELEASE);
		assert_int_equal(p->qdcount, 1);
		assert_true(nbn_equal(&p->questions[0].name, &have.name));
		assert_int_equal(p->arcount, 1);
		assert_int_equal(p->additional[0].num_addrs, 1);
		assert_int_equal(p->additional[0].addrs[0].ipv4,
				 HAVE_NET + 1 + i);
	}
	wrp_apply_get_stats(&st);
	assert_int_equal(st.release_demands, 2);

	/*
	 * a special group listing our very addresses takes the name too:
	 * the holders are still told (their unique registration is void)
	 */
	mkrec(&have, WREC_MHOMED, WREC_ACTIVE, LOCAL, 0);
	addip(&have, HAVE_NET + 1, LOCAL, 0);
	addip(&have, HAVE_NET + 2, LOCAL, 0);
	put(f, &have, true);
	mkrec(&got, WREC_SGROUP, WREC_ACTIVE, OWNER_B, 11);
	addip(&got, HAVE_NET + 1, OWNER_B, 0);
	addip(&got, HAVE_NET + 2, OWNER_B, 0);
	f->num_sent = 0;
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_true(stored);
	fetch(f, &have.name, &now);
	assert_int_equal(now.type, WREC_SGROUP);
	assert_int_equal(now.owner, OWNER_B);
	assert_int_equal(f->num_sent, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(f->sent[i].to.ip, HAVE_NET + 1 + i);
		assert_int_equal(nbp_opcode(sent_pkt(f, i)), NBP_OP_RELEASE);
	}
}

static void test_exec_sgroup_merge_stored(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	uint64_t before;
	bool stored = false;

	sg(&have, LOCAL);
	mkname(&have.name, "DOM", 0x1c);
	addip(&have, HAVE_NET + 1, LOCAL, 100);
	put(f, &have, true);
	before = wdb_current_version(f->db);
	sg(&got, OWNER_B);
	got.name = have.name;
	addip(&got, GOT_NET + 1, OWNER_B, 200);
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_true(stored);
	fetch(f, &have.name, &now);
	/* we owned it: the merge is ours, with a new version */
	assert_int_equal(now.owner, LOCAL);
	assert_int_equal(now.version, before + 1);
	assert_int_equal(now.num_addrs, 2);
	assert_true(has_ip(&now, HAVE_NET + 1, LOCAL));
	assert_true(has_ip(&now, GOT_NET + 1, OWNER_B));
}

/* class 32: a partner cannot take our active name unasked */
static void test_exec_challenge_without_nbns(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	struct wrp_apply_stats st;
	bool stored = true;

	cell(&have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, HAVE_NET);
	put(f, &have, true);
	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	fetch(f, &have.name, &now);
	assert_int_equal(now.owner, LOCAL);
	wrp_apply_get_stats(&st);
	assert_int_equal(st.challenges_skipped, 1);
	assert_int_equal(f->num_sent, 0);
}

static void answer(struct fixture *f, uint32_t from, uint16_t trn_id,
		   const struct nbn_name *n, bool positive,
		   const uint32_t *addrs, unsigned num)
{
	struct nbp_addr a[4] = {};
	struct nbp_rr an = {
		.name = *n,
		.rr_type = positive ? NBP_TYPE_NB : NBP_TYPE_NULL,
		.rr_class = NBP_CLASS_IN,
		.ttl = 300,
		.num_addrs = (uint16_t)num,
		.addrs = a,
	};
	struct nbp_packet p = {
		.trn_id = trn_id,
		.flags = NBP_FLAG_RESPONSE | NBP_FLAG_AA |
			 (positive ? 0 : NBP_RCODE_NAM),
		.ancount = 1,
		.answers = &an,
	};
	struct nbns_src src = { .ip = from, .port = 137, .local_ip = LOCAL };
	uint8_t buf[NBP_UDP_MAX];
	struct wwr w;
	unsigned i;

	for (i = 0; i < num; i++) {
		a[i].ipv4 = addrs[i];
	}
	wwr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbp_encode(&w, &p), TWERR_OK);
	nbns_input(f->s, &src, buf, wwr_len(&w));
}

/*
 * Start a challenge: have = our U,A at HAVE_NET+1, got = M,A of B at
 * GOT_NET+1/+2.  Returns the challenge query's transaction id.
 */
static uint16_t start_challenge(struct fixture *f, struct wrec *have,
				struct wrec *got)
{
	struct nbp_packet *q = NULL;
	bool stored = true;
	unsigned i;

	assert_true(wrp_apply_attach_nbns(f->s));
	cell(have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, HAVE_NET);
	put(f, have, true);
	cell(got, WREC_MHOMED, WREC_ACTIVE, OWNER_B, GOT_NET);
	f->num_sent = 0;
	assert_int_equal(wrp_apply_record(f->db, f->conf, got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	/*
	 * nothing goes out while the replication exchange that brought
	 * the replica is still being handled; a later loop turn asks (the
	 * store's batch commit is an immediate event too)
	 */
	assert_int_equal(f->num_sent, 0);
	for (i = 0; i < 8 && f->num_sent == 0; i++) {
		assert_int_equal(tevent_loop_once(f->ev), 0);
	}
	/* the query goes to our address only, never to the partner */
	assert_int_equal(f->num_sent, 1);
	assert_int_equal(f->sent[0].to.ip, HAVE_NET + 1);
	assert_int_equal(f->sent[0].to.port, 137);
	q = sent_pkt(f, 0);
	assert_int_equal(nbp_opcode(q), NBP_OP_QUERY);
	assert_true(nbn_equal(&q->questions[0].name, &have->name));
	return q->trn_id;
}

static void test_exec_challenge_timeout(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	struct wrp_apply_stats st;

	start_challenge(f, &have, &got);
	fetch(f, &have.name, &now);
	assert_int_equal(now.owner, LOCAL);	/* not before the outcome */
	run_for(f, 120);
	fetch(f, &have.name, &now);
	assert_int_equal(now.owner, OWNER_B);
	assert_int_equal(now.type, WREC_MHOMED);
	assert_int_equal(now.version, 10);
	wrp_apply_get_stats(&st);
	assert_int_equal(st.challenges, 1);
}

static void test_exec_challenge_defended(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	uint32_t ours = HAVE_NET + 1;
	uint16_t id;

	id = start_challenge(f, &have, &got);
	/* positive, listing only our address: ours kept */
	answer(f, HAVE_NET + 1, id, &have.name, true, &ours, 1);
	run_for(f, 60);
	fetch(f, &have.name, &now);
	assert_int_equal(now.owner, LOCAL);
	assert_int_equal(now.type, WREC_UNIQUE);
}

static void test_exec_challenge_mhomed_merge(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	uint32_t all[3] = { HAVE_NET + 1, GOT_NET + 1, GOT_NET + 2 };
	uint16_t id;

	id = start_challenge(f, &have, &got);
	answer(f, HAVE_NET + 1, id, &have.name, true, all, 3);
	run_for(f, 60);
	fetch(f, &have.name, &now);
	assert_int_equal(now.type, WREC_MHOMED);
	assert_int_equal(now.owner, OWNER_B);
	assert_int_equal(now.num_addrs, 3);
	assert_true(has_ip(&now, HAVE_NET + 1, LOCAL));
	assert_true(has_ip(&now, GOT_NET + 2, OWNER_B));
}

static void test_exec_challenge_late_release(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	uint32_t theirs[2] = { GOT_NET + 1, GOT_NET + 2 };
	uint16_t id;
	struct nbp_packet *p = NULL;

	unsigned i;

	id = start_challenge(f, &have, &got);
	answer(f, HAVE_NET + 1, id, &have.name, true, theirs, 2);
	run_for(f, 60);
	/* W2K3 (_UA_UA_DI_PRA): ours stays, the listed addresses get a
	 * release demand */
	fetch(f, &have.name, &now);
	assert_int_equal(now.owner, LOCAL);
	assert_int_equal(now.version, have.version);
	assert_int_equal(now.num_addrs, 1);
	assert_int_equal(f->num_sent, 3);
	for (i = 1; i < 3; i++) {
		p = sent_pkt(f, i);
		assert_int_equal(nbp_opcode(p), NBP_OP_RELEASE);
		assert_int_equal(f->sent[i].to.ip, theirs[i - 1]);
		assert_int_equal(p->additional[0].addrs[0].ipv4,
				 theirs[i - 1]);
	}
}

static void test_exec_challenge_stale(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	struct wrp_apply_stats st;

	start_challenge(f, &have, &got);
	/* the client refreshes meanwhile: a new version of ours */
	put(f, &have, true);
	run_for(f, 120);
	fetch(f, &have.name, &now);
	assert_int_equal(now.owner, LOCAL);
	wrp_apply_get_stats(&st);
	assert_int_equal(st.challenges_stale, 1);
}

/* the challenge belongs to the name server: freeing it cancels cleanly */
static void test_exec_challenge_server_gone(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got;

	start_challenge(f, &have, &got);
	TALLOC_FREE(f->s);
	run_for(f, 60);
	/* detached again: the next challenge is skipped, not a crash */
	got.version = 12;
	{
		bool stored = true;
		struct wrp_apply_stats st;

		assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0,
						  &stored),
				 TWERR_OK);
		wrp_apply_get_stats(&st);
		assert_int_equal(st.challenges_skipped, 1);
	}
}

static void test_exec_persona(void **state)
{
	struct fixture *f = *state;
	struct wrec got, now;
	struct wrp_apply_stats st;
	uint32_t list[WRP_PERSONA_MAX + 1];
	size_t n = 0;
	bool stored = true;
	bool found = true;

	assert_true(wrp_apply_parse_persona("127.0.0.2, 127.0.0.9", list,
					    WRP_PERSONA_MAX, &n));
	assert_int_equal(n, 2);
	assert_int_equal(list[0], OWNER_B);
	assert_false(wrp_apply_parse_persona("127.0.0.2,bogus", list,
					     WRP_PERSONA_MAX, &n));
	assert_false(wrp_apply_parse_persona("127.0.0.2 1.2.3.4.5", list,
					     WRP_PERSONA_MAX, &n));
	assert_false(wrp_apply_parse_persona("127.0.0.1 127.0.0.2", list, 1,
					     &n));
	assert_true(wrp_apply_parse_persona(" , ", list, 1, &n));
	assert_int_equal(n, 0);
	assert_false(wrp_apply_set_persona(list, WRP_PERSONA_MAX + 1, NULL,
					   0));

	/* non grata: refused, nothing stored */
	list[0] = OWNER_B;
	assert_true(wrp_apply_set_persona(list, 1, NULL, 0));
	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	assert_int_equal(wdb_fetch(f->db, &got.name, &now, &found),
			 TWERR_OK);
	assert_false(found);
	/* grata list without B: refused; with B: accepted */
	list[0] = OWNER_X;
	assert_true(wrp_apply_set_persona(NULL, 0, list, 1));
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	list[1] = OWNER_B;
	assert_true(wrp_apply_set_persona(NULL, 0, list, 2));
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_true(stored);
	wrp_apply_get_stats(&st);
	assert_int_equal(st.refused_persona, 2);
}

/* PA-1: a protected name only ever comes as a static record */
static void test_exec_protected(void **state)
{
	struct fixture *f = *state;
	struct wrec got, now;
	struct wrp_apply_stats st;
	bool stored = true;
	bool found = true;

	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	mkname(&got.name, "wpad", 0x00);
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	assert_int_equal(wdb_fetch(f->db, &got.name, &now, &found),
			 TWERR_OK);
	assert_false(found);
	got.is_static = true;
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_true(stored);
	wrp_apply_get_stats(&st);
	assert_int_equal(st.refused_protected, 1);
}

/* class 32: the same name twice, and many conflicting names, in one
 * response: one challenge per name, at most WRP_APPLY_MAX_CHALLENGES */
static void test_exec_challenge_bounds(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got;
	struct wrp_apply_stats st;
	bool stored = true;
	unsigned i;

	start_challenge(f, &have, &got);
	got.version++;
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	assert_int_equal(f->num_sent, 1);
	wrp_apply_get_stats(&st);
	assert_int_equal(st.challenges, 1);
	assert_int_equal(st.challenges_skipped, 1);

	for (i = 1; i <= WRP_APPLY_MAX_CHALLENGES; i++) {
		char nm[16];

		snprintf(nm, sizeof(nm), "MANY%04u", i);
		cell(&have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, HAVE_NET);
		mkname(&have.name, nm, 0x00);
		put(f, &have, true);
		cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
		got.name = have.name;
		assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0,
						  &stored),
				 TWERR_OK);
	}
	wrp_apply_get_stats(&st);
	assert_int_equal(st.challenges, WRP_APPLY_MAX_CHALLENGES);
	assert_int_equal(st.challenges_skipped, 2);
	/* all of them end (timeout: replaced), and the slots come back;
	 * bounded wait, generous for valgrind */
	for (i = 0; i < 200; i++) {
		wrp_apply_get_stats(&st);
		if (st.replaced == WRP_APPLY_MAX_CHALLENGES) {
			break;
		}
		run_for(f, 50);
	}
	cell(&got, WREC_UNIQUE, WREC_ACTIVE, OWNER_B, GOT_NET);
	cell(&have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, HAVE_NET);
	mkname(&have.name, "LAST", 0x00);
	put(f, &have, true);
	got.name = have.name;
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	wrp_apply_get_stats(&st);
	assert_int_equal(st.challenges, WRP_APPLY_MAX_CHALLENGES + 1);
	assert_int_equal(st.replaced, WRP_APPLY_MAX_CHALLENGES);
	for (i = 0; i < 100 && st.replaced == WRP_APPLY_MAX_CHALLENGES;
	     i++) {
		run_for(f, 20);
		wrp_apply_get_stats(&st);
	}
	assert_int_equal(st.replaced, WRP_APPLY_MAX_CHALLENGES + 1);
}

/* SA-11: a replica that claims our own owner, or owner 0.0.0.0 */
static void test_exec_own_owner(void **state)
{
	struct fixture *f = *state;
	struct wrec have, got, now;
	struct wrp_apply_stats st;
	bool stored = true;
	bool found = true;

	cell(&have, WREC_UNIQUE, WREC_ACTIVE, LOCAL, HAVE_NET);
	put(f, &have, true);
	cell(&got, WREC_UNIQUE, WREC_TOMBSTONE, LOCAL, GOT_NET);
	got.version = UINT64_C(0xFFFFFFFFFFFFFFF0);
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	fetch(f, &have.name, &now);
	assert_int_equal(now.state, WREC_ACTIVE);
	assert_int_equal(now.version, have.version);
	assert_int_equal(wdb_current_version(f->db), have.version);
	mkname(&got.name, "ZERO", 0x00);
	got.owner = 0;
	got.addrs[0].owner = 0;
	assert_int_equal(wrp_apply_record(f->db, f->conf, &got, 0, &stored),
			 TWERR_OK);
	assert_false(stored);
	assert_int_equal(wdb_fetch(f->db, &got.name, &now, &found),
			 TWERR_OK);
	assert_false(found);
	wrp_apply_get_stats(&st);
	assert_int_equal(st.refused_owner, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table_a, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_b, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_b_subsets, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_general_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_challenge_outcome,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sgroup_third_party,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sgroup_cap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mhomed_merge, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_new_and_same_owner,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_propagate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_migrate_conf,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_release_demand,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_sgroup_merge_stored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_challenge_without_nbns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_challenge_timeout,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_challenge_defended,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_challenge_mhomed_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_challenge_late_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_challenge_stale,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_exec_challenge_server_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_persona, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_protected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_own_owner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_exec_challenge_bounds,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
