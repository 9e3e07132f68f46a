/*
 * tdbwins — unit tests for the name server logic (source/nbns/): requests
 * go in through nbns_input() as bytes, exactly as the sockets deliver them;
 * answers are captured from the send function and decoded.  A real store
 * (tdb in a temporary directory, nosync) sits underneath, so "answered only
 * after commit" is observable: no answer before the event loop ran.
 *
 * Hostile-input classes of SECURITY.md section E covered here: 17 (suffix
 * rules, 1D), 18 (address classes), 19 (release/refresh from strangers),
 * 20 (protected names), 21 (address-count amplification), 22 (challenge
 * spoofing), 23 (retransmissions during a WACK), 24 (floods against
 * per-source budgets).
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

#define SERVER_IP 0xc6120901u	/* 198.18.9.1 */
#define CLIENT_A 0xc61209c9u	/* 198.18.9.201 */
#define CLIENT_B 0xc61209cau	/* 198.18.9.202 */
#define MAX_SENT 64

struct sent {
	struct nbns_src to;
	uint8_t buf[NBP_UDP_MAX];
	size_t len;
};

struct fixture {
	TALLOC_CTX *mem;
	struct tevent_context *ev;
	char dir[64];
	struct twconf *conf;
	struct ingress ig;
	struct wdb *db;
	struct nbns_server *s;
	struct sent sent[MAX_SENT];
	unsigned num_sent;
	uint16_t next_id;
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
	struct twconf_iface iface = { .ip = SERVER_IP, .mask = 0xffffff00u };
	struct wdb_config dbc = { .nosync = true };
	char *path = NULL;

	assert_non_null(f);
	twlog_set_backend(quiet_log, NULL);
	f->mem = talloc_new(NULL);
	f->ev = tevent_context_init(f->mem);
	strcpy(f->dir, "/tmp/tw-nbns-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->conf = twconf_new(f->mem);
	f->conf->netbios_name = talloc_strdup(f->conf, "UNITWINS");
	f->conf->workgroup = talloc_strdup(f->conf, "UNITWG");
	f->conf->challenge_timeout_ms = 50;
	f->conf->challenge_retries = 1;
	assert_true(twconf_add_iface(f->conf, &iface));
	assert_null(twconf_check(f->mem, f->conf));
	ingress_init(&f->ig);
	path = talloc_asprintf(f->mem, "%s/wins.tdb", f->dir);
	dbc.path = path;
	dbc.local_owner = SERVER_IP;
	assert_int_equal(wdb_open(f->mem, f->ev, &dbc, &f->db), TWERR_OK);
	f->s = nbns_server_create(f->mem, f->ev, f->conf, f->db, &f->ig);
	assert_non_null(f->s);
	nbns_set_send(f->s, capture, f);
	assert_true(nbns_start(f->s));
	f->next_id = 0x100;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	talloc_free(f->mem);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void wake_up(struct tevent_context *ev, struct tevent_timer *te,
		    struct timeval now, void *private_data)
{
}

/* One bounded pass of the event loop (never blocks longer than 5 ms). */
static void loop_step(struct fixture *f)
{
	/* a fired timer frees itself: own it through a scratch context */
	TALLOC_CTX *tmp = talloc_new(f->mem);

	tevent_add_timer(f->ev, tmp, tevent_timeval_current_ofs(0, 5000),
			 wake_up, NULL);
	tevent_loop_once(f->ev);
	talloc_free(tmp);
}

/* Run the event loop until nothing is pending or max_ms passed. */
static void settle(struct fixture *f, unsigned max_ms)
{
	unsigned i;

	for (i = 0; i < max_ms / 5; i++) {
		if (nbns_pending(f->s) == 0 && !wdb_batch_pending(f->db)) {
			break;
		}
		loop_step(f);
	}
}

/* Let timers run for ms milliseconds. */
static void run_for(struct fixture *f, unsigned ms)
{
	struct timeval end = tevent_timeval_current_ofs(ms / 1000,
							(ms % 1000) * 1000);

	for (;;) {
		struct timeval now = tevent_timeval_current();

		if (tevent_timeval_compare(&now, &end) >= 0) {
			break;
		}
		loop_step(f);
	}
}

static void send_pkt(struct fixture *f, uint32_t from, uint16_t port,
		     const struct nbp_packet *p)
{
	uint8_t buf[NBP_UDP_MAX];
	struct wwr w;
	struct nbns_src src = {
		.ip = from,
		.port = port,
		.local_ip = SERVER_IP,
	};

	wwr_init(&w, buf, sizeof(buf));
	assert_int_equal(nbp_encode(&w, p), TWERR_OK);
	nbns_input(f->s, &src, buf, wwr_len(&w));
}

static uint16_t send_reg(struct fixture *f, uint8_t opcode, uint32_t from,
			 const struct nbn_name *name, uint16_t nb_flags,
			 uint32_t addr)
{
	struct nbp_question q = {
		.name = *name,
		.qtype = NBP_TYPE_NB,
		.qclass = NBP_CLASS_IN,
	};
	struct nbp_addr a = { .nb_flags = nb_flags, .ipv4 = addr };
	struct nbp_rr ar = {
		.name = *name,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = 300000,
		.num_addrs = 1,
		.addrs = &a,
	};
	uint16_t rd = (opcode == NBP_OP_RELEASE) ? 0 : NBP_FLAG_RD;
	struct nbp_packet p = {
		.trn_id = f->next_id++,
		.flags = (uint16_t)((opcode << NBP_OPCODE_SHIFT) | rd),
		.qdcount = 1,
		.arcount = 1,
		.questions = &q,
		.additional = &ar,
	};

	send_pkt(f, from, 137, &p);
	return p.trn_id;
}

static void send_query(struct fixture *f, uint32_t from,
		       const struct nbn_name *name, uint16_t qtype)
{
	struct nbp_question q = {
		.name = *name,
		.qtype = qtype,
		.qclass = NBP_CLASS_IN,
	};
	struct nbp_packet p = {
		.trn_id = f->next_id++,
		.flags = NBP_FLAG_RD,
		.qdcount = 1,
		.questions = &q,
	};

	send_pkt(f, from, 137, &p);
}

static struct nbp_packet *sent_pkt(struct fixture *f, unsigned i)
{
	struct nbp_packet *p = NULL;

	assert_true(i < f->num_sent);
	assert_int_equal(nbp_decode(f->mem, f->sent[i].buf, f->sent[i].len,
				    &p), TWERR_OK);
	return p;
}

/* the last answer sent, after the loop settled */
static struct nbp_packet *last(struct fixture *f)
{
	assert_true(f->num_sent > 0);
	return sent_pkt(f, f->num_sent - 1);
}

static void name(struct nbn_name *n, const char *s, uint8_t suffix)
{
	assert_true(nbn_make(n, s, suffix, NULL));
}

/* register, then expect rcode */
static void reg_expect(struct fixture *f, uint8_t op, uint32_t from,
		       const struct nbn_name *n, uint16_t fl, uint32_t addr,
		       uint8_t rcode)
{
	struct nbp_packet *r = NULL;

	f->num_sent = 0;
	send_reg(f, op, from, n, fl, addr);
	settle(f, 2000);
	r = last(f);
	assert_true(nbp_is_response(r));
	assert_int_equal(nbp_rcode(r), rcode);
}

static void query_expect(struct fixture *f, const struct nbn_name *n,
			 uint8_t rcode, uint32_t first_addr)
{
	struct nbp_packet *r = NULL;

	f->num_sent = 0;
	send_query(f, CLIENT_A, n, NBP_TYPE_NB);
	settle(f, 100);
	assert_int_equal(f->num_sent, 1);
	r = last(f);
	assert_int_equal(nbp_rcode(r), rcode);
	if (rcode == NBP_RCODE_OK) {
		assert_int_equal(r->ancount, 1);
		assert_true(r->answers[0].num_addrs >= 1);
		assert_int_equal(r->answers[0].addrs[0].ipv4, first_addr);
	}
}

/* ---- tests ---- */

static void test_unknown_name_is_negative(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;

	name(&n, "NOSUCH", 0x20);
	query_expect(f, &n, NBP_RCODE_NAM, 0);
}

static void test_register_query_release(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;

	name(&n, "HOSTA", 0x20);
	f->num_sent = 0;
	send_reg(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A);
	/* durable before acknowledged: nothing yet, the commit is pending */
	assert_int_equal(f->num_sent, 0);
	settle(f, 500);
	assert_int_equal(f->num_sent, 1);
	assert_int_equal(nbp_rcode(last(f)), NBP_RCODE_OK);
	/* the granted TTL is the requested one inside the clamp */
	assert_int_equal(last(f)->answers[0].ttl, 300000);
	query_expect(f, &n, NBP_RCODE_OK, CLIENT_A);

	/* release from a stranger: positive, nothing changes (MS-12) */
	reg_expect(f, NBP_OP_RELEASE, CLIENT_B, &n, NBP_NB_ONT_H, CLIENT_B,
		   NBP_RCODE_OK);
	query_expect(f, &n, NBP_RCODE_OK, CLIENT_A);

	/* release from the holder: gone */
	reg_expect(f, NBP_OP_RELEASE, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_OK);
	query_expect(f, &n, NBP_RCODE_NAM, 0);
	/* release again: still positive */
	reg_expect(f, NBP_OP_RELEASE, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_OK);
}

static void test_group_rules(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;

	name(&n, "GRP", 0x00);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n,
		   NBP_NB_GROUP | NBP_NB_ONT_H, CLIENT_A, NBP_RCODE_OK);
	/* normal groups answer the limited broadcast address */
	query_expect(f, &n, NBP_RCODE_OK, 0xffffffffu);
	/* any member may refresh a group */
	reg_expect(f, NBP_OP_REGISTER, CLIENT_B, &n,
		   NBP_NB_GROUP | NBP_NB_ONT_H, CLIENT_B, NBP_RCODE_OK);
	/* a unique registration of a group name is refused */
	reg_expect(f, NBP_OP_REGISTER, CLIENT_B, &n, NBP_NB_ONT_H, CLIENT_B,
		   NBP_RCODE_ACT);
	/* released groups are still answered (PROTOCOL.md 2.6) */
	reg_expect(f, NBP_OP_RELEASE, CLIENT_A, &n,
		   NBP_NB_GROUP | NBP_NB_ONT_H, CLIENT_A, NBP_RCODE_OK);
	query_expect(f, &n, NBP_RCODE_OK, 0xffffffffu);
}

static void test_suffix_and_policy_rules(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;

	/* class 17: Windows 2003 suffix rules */
	name(&n, "DOM", 0x1b);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n,
		   NBP_NB_GROUP | NBP_NB_ONT_H, CLIENT_A, NBP_RCODE_RFS);
	name(&n, "DOM", 0x1c);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_RFS);
	name(&n, "DOM", 0x1e);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_RFS);
	/* 0x1D unique: acknowledged, never stored, never answered */
	name(&n, "DOM", 0x1d);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_OK);
	query_expect(f, &n, NBP_RCODE_NAM, 0);
	/* the wildcard is never registrable */
	name(&n, "*", 0x00);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_RFS);
	/* a scope over 237 bytes: SRV_ERR as Windows and Samba answer */
	assert_true(nbn_make(&n, "LONGSCOPE", 0x20,
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
			     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb."
			     "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc."
			     "ddddddddddddddddddddddddddddddddddddddddddddddd"));
	assert_int_equal(n.scope_len, 239);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_SVR);
}

static void test_protected_names(void **state)
{
	struct fixture *f = *state;
	static const char *const variants[] = {
		"WPAD", "wpad", "WpAd.", "ISATAP", "isatap.",
	};
	static const uint8_t suffixes[] = { 0x00, 0x20, 0x03, 0x1d };
	static const uint8_t ops[] = {
		NBP_OP_REGISTER, NBP_OP_REFRESH, NBP_OP_REFRESH2,
		NBP_OP_MHREGISTER,
	};
	struct nbn_name n;
	size_t i, k;

	/* class 20: every case, trailing dot, suffix and opcode */
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		for (k = 0; k < sizeof(suffixes); k++) {
			name(&n, variants[i], suffixes[k]);
			reg_expect(f, ops[k % 4], CLIENT_A, &n, NBP_NB_ONT_H,
				   CLIENT_A, NBP_RCODE_RFS);
		}
	}
	assert_true(nbn_make(&n, "wpad", 0x00, "corp.example"));
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_RFS);
	name(&n, "WPAD", 0x00);
	query_expect(f, &n, NBP_RCODE_NAM, 0);
}

static void test_address_classes(void **state)
{
	struct fixture *f = *state;
	static const uint32_t bad[] = {
		0x00000000u, 0xffffffffu, 0xe0000001u, 0xeffffffau,
		0xf0000001u,
	};
	struct nbn_name n;
	size_t i;

	/* class 18: addresses no host can hold are refused */
	name(&n, "ADDRCLASS", 0x20);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H,
			   bad[i], NBP_RCODE_RFS);
	}
	query_expect(f, &n, NBP_RCODE_NAM, 0);
	/* loopback is acceptable (Samba's torture suite registers it) */
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H,
		   0x7f404001u, NBP_RCODE_OK);
}

static void test_own_name_defended(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;

	name(&n, "UNITWINS", 0x20);
	query_expect(f, &n, NBP_RCODE_OK, SERVER_IP);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_B, CLIENT_A,
		   NBP_RCODE_ACT);
	reg_expect(f, NBP_OP_REFRESH, CLIENT_A, &n, NBP_NB_ONT_B, CLIENT_A,
		   NBP_RCODE_ACT);
	query_expect(f, &n, NBP_RCODE_OK, SERVER_IP);
}

static void test_node_status_own_only(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;
	struct nbp_packet *r = NULL;

	name(&n, "*", 0x00);
	f->num_sent = 0;
	send_query(f, CLIENT_A, &n, NBP_TYPE_NBSTAT);
	assert_int_equal(f->num_sent, 1);
	r = last(f);
	assert_int_equal(r->answers[0].rr_type, NBP_TYPE_NBSTAT);
	/* PA-5: nothing for names that are not ours */
	name(&n, "SOMEONE", 0x20);
	f->num_sent = 0;
	send_query(f, CLIENT_A, &n, NBP_TYPE_NBSTAT);
	assert_int_equal(f->num_sent, 0);
}

/* the challenge query the server sent last, and where */
static struct nbp_packet *find_challenge(struct fixture *f, uint32_t to,
					 unsigned *idx)
{
	unsigned i;

	for (i = 0; i < f->num_sent; i++) {
		struct nbp_packet *p = sent_pkt(f, i);

		if (!nbp_is_response(p) && f->sent[i].to.ip == to &&
		    f->sent[i].to.port == 137) {
			*idx = i;
			return p;
		}
	}
	return NULL;
}

static void answer_challenge(struct fixture *f, uint32_t from, uint16_t port,
			     uint16_t trn_id, const struct nbn_name *n,
			     uint8_t rcode, const uint32_t *addrs,
			     unsigned num)
{
	struct nbp_addr a[4] = {};
	struct nbp_rr an = {
		.name = *n,
		.rr_type = rcode == 0 ? NBP_TYPE_NB : NBP_TYPE_NULL,
		.rr_class = NBP_CLASS_IN,
		.ttl = 300,
		.num_addrs = (uint16_t)num,
		.addrs = a,
	};
	struct nbp_packet p = {
		.trn_id = trn_id,
		.flags = NBP_FLAG_RESPONSE | NBP_FLAG_AA | rcode,
		.ancount = 1,
		.answers = &an,
	};
	unsigned i;

	for (i = 0; i < num; i++) {
		a[i].ipv4 = addrs[i];
	}
	send_pkt(f, from, port, &p);
}

static void test_challenge_released_owner(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;
	struct nbp_packet *ch = NULL;
	unsigned idx = 0;

	name(&n, "MOVER", 0x20);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_OK);
	f->num_sent = 0;
	send_reg(f, NBP_OP_REGISTER, CLIENT_B, &n, NBP_NB_ONT_H, CLIENT_B);
	/* a WACK to the requester and a challenge to the holder only */
	assert_int_equal(nbp_opcode(sent_pkt(f, 0)), NBP_OP_WACK);
	assert_int_equal(f->sent[0].to.ip, CLIENT_B);
	ch = find_challenge(f, CLIENT_A, &idx);
	assert_non_null(ch);
	assert_null(find_challenge(f, CLIENT_B, &idx));
	assert_int_equal(ch->flags & (NBP_FLAG_RD | NBP_FLAG_B), 0);

	/* class 22: forged answers are ignored */
	answer_challenge(f, CLIENT_B, 137, ch->trn_id, &n, NBP_RCODE_NAM,
			 NULL, 0);			/* wrong IP */
	answer_challenge(f, CLIENT_A, 1137, ch->trn_id, &n, NBP_RCODE_NAM,
			 NULL, 0);			/* wrong port */
	answer_challenge(f, CLIENT_A, 137, ch->trn_id ^ 1, &n, NBP_RCODE_NAM,
			 NULL, 0);			/* wrong id */
	{
		struct nbn_name other;

		name(&other, "OTHER", 0x20);
		answer_challenge(f, CLIENT_A, 137, ch->trn_id, &other,
				 NBP_RCODE_NAM, NULL, 0); /* wrong name */
	}
	assert_int_equal(nbns_get_stats(f->s)->challenge_replies_ignored, 4);
	/* class 23: the requester resends: ignored, no second WACK */
	f->next_id--;
	send_reg(f, NBP_OP_REGISTER, CLIENT_B, &n, NBP_NB_ONT_H, CLIENT_B);
	assert_int_equal(nbns_get_stats(f->s)->wack_retransmits_ignored, 1);
	/* the real holder says it no longer has the name */
	answer_challenge(f, CLIENT_A, 137, ch->trn_id, &n, NBP_RCODE_NAM,
			 NULL, 0);
	settle(f, 500);
	assert_int_equal(nbp_rcode(last(f)), NBP_RCODE_OK);
	assert_int_equal(f->sent[f->num_sent - 1].to.ip, CLIENT_B);
	query_expect(f, &n, NBP_RCODE_OK, CLIENT_B);
}

static void test_challenge_owner_defends(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;
	struct nbp_packet *ch = NULL;
	unsigned idx = 0;
	uint32_t holder[] = { CLIENT_A };

	name(&n, "KEEPER", 0x20);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_OK);
	f->num_sent = 0;
	send_reg(f, NBP_OP_REGISTER, CLIENT_B, &n, NBP_NB_ONT_H, CLIENT_B);
	ch = find_challenge(f, CLIENT_A, &idx);
	assert_non_null(ch);
	answer_challenge(f, CLIENT_A, 137, ch->trn_id, &n, NBP_RCODE_OK,
			 holder, 1);
	settle(f, 500);
	assert_int_equal(nbp_rcode(last(f)), NBP_RCODE_ACT);
	query_expect(f, &n, NBP_RCODE_OK, CLIENT_A);
}

static void test_challenge_silent_owner(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;

	name(&n, "SILENT", 0x20);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_OK);
	f->num_sent = 0;
	send_reg(f, NBP_OP_MHREGISTER, CLIENT_B, &n, NBP_NB_ONT_H, CLIENT_B);
	/* 50 ms x 2 tries, then the name moves */
	run_for(f, 300);
	settle(f, 500);
	assert_int_equal(nbp_rcode(last(f)), NBP_RCODE_OK);
	query_expect(f, &n, NBP_RCODE_OK, CLIENT_B);
	assert_true(nbns_get_stats(f->s)->challenge_timeout >= 1);
}

static void test_sgroup_cap_and_1b_first(void **state)
{
	struct fixture *f = *state;
	struct nbn_name dom1c, dom1b;
	struct nbp_packet *r = NULL;
	uint32_t i;

	/* class 21: 40 members registered, answers stay at 25 and < 576 */
	name(&dom1c, "BIGDOM", 0x1c);
	for (i = 0; i < 40; i++) {
		uint32_t ip = 0xc6120a00u + i + 1;

		reg_expect(f, NBP_OP_REGISTER, ip, &dom1c,
			   NBP_NB_GROUP | NBP_NB_ONT_H, ip, NBP_RCODE_OK);
	}
	name(&dom1b, "BIGDOM", 0x1b);
	reg_expect(f, NBP_OP_REGISTER, 0xc6120b01u, &dom1b, NBP_NB_ONT_H,
		   0xc6120b01u, NBP_RCODE_OK);
	f->num_sent = 0;
	send_query(f, CLIENT_A, &dom1c, NBP_TYPE_NB);
	r = last(f);
	assert_int_equal(r->answers[0].num_addrs, 25);
	assert_true(f->sent[0].len <= NBP_UDP_MAX);
	/* the PDC's <1b> address comes first */
	assert_int_equal(r->answers[0].addrs[0].ipv4, 0xc6120b01u);
	/* with the option on, <1b>/<1c> for someone else's address are
	 * refused (PA-1) */
	f->conf->dc_names_from_holder = true;
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &dom1c,
		   NBP_NB_GROUP | NBP_NB_ONT_H, CLIENT_B, NBP_RCODE_RFS);
}

static void test_acknowledged_is_stored(void **state)
{
	struct fixture *f = *state;
	struct nbn_name n;
	struct wrec rec = {};
	bool found = false;

	name(&n, "DURABLE", 0x20);
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_OK);
	/* the acknowledged record is in the store, owned by us */
	assert_int_equal(wdb_fetch(f->db, &n, &rec, &found), TWERR_OK);
	assert_true(found);
	assert_int_equal(rec.owner, SERVER_IP);
	assert_int_equal(rec.addrs[0].ip, CLIENT_A);
	assert_true(rec.version > 0);
}

/* class 24: floods meet per-source budgets; nothing else is affected */
static void test_floods_are_bounded(void **state)
{
	struct fixture *f = *state;
	struct nbn_name wild, n;
	unsigned i, answered = 0;
	char nm[16];

	name(&wild, "*", 0x00);
	f->num_sent = 0;
	for (i = 0; i < 2000; i++) {
		send_query(f, CLIENT_A, &wild, NBP_TYPE_NBSTAT);
	}
	/* the default node-status budget: a burst of 20, 10/s after it */
	assert_true(f->num_sent >= 20);
	assert_true(f->num_sent <= 25);
	/* another source still gets its answer */
	f->num_sent = 0;
	send_query(f, CLIENT_B, &wild, NBP_TYPE_NBSTAT);
	assert_int_equal(f->num_sent, 1);

	/* registrations: 10,000 distinct names from one source with a
	 * budget of 100/s (burst 200) configured */
	f->conf->rl_rate[0] = 100;
	f->conf->rl_burst[0] = 200;
	assert_true(nbns_reconfigure(f->s, f->conf));
	for (i = 0; i < 10000; i++) {
		snprintf(nm, sizeof(nm), "FLOOD%05u", i);
		name(&n, nm, 0x20);
		f->num_sent = 0;
		send_reg(f, NBP_OP_REGISTER, CLIENT_A, &n, NBP_NB_ONT_H,
			 CLIENT_A);
		settle(f, 100);
		answered += f->num_sent;
	}
	assert_true(answered >= 200);
	assert_true(answered < 400);
	/* every answered registration is there; the others left no trace */
	for (i = 0; i < 10000; i += 997) {
		struct wrec rec = {};
		bool found = false;

		snprintf(nm, sizeof(nm), "FLOOD%05u", i);
		name(&n, nm, 0x20);
		assert_int_equal(wdb_fetch(f->db, &n, &rec, &found),
				 TWERR_OK);
		assert_int_equal(found, i < 200);
	}
	assert_true(f->ig.stats.by_reason[INGRESS_R_RATE_LIMITED] >= 9000);
	/* queries from another source are not limited by default */
	name(&n, "FLOOD00000", 0x20);
	query_expect(f, &n, NBP_RCODE_OK, CLIENT_A);
}

/* static mappings from an LMHOSTS-style file; reload removes them */
static void test_static_records(void **state)
{
	struct fixture *f = *state;
	char *path = talloc_asprintf(f->mem, "%s/lmhosts", f->dir);
	struct nbn_name fs, grp, ph;
	FILE *fp = fopen(path, "w");
	struct wrec rec = {};
	bool found = false;
	uint64_t v1;

	assert_non_null(fp);
	fprintf(fp, "# static mappings\n"
		    "198.18.9.10 FILESRV\n"
		    "198.18.9.11 FILESRV\n"
		    "198.18.9.12 PRINTER#20 #PRE\n"
		    "198.18.9.13 DC1 #DOM:CORP\n"
		    "not-an-address BROKEN\n"
		    "198.18.9.14 NAME-THAT-IS-FAR-TOO-LONG\n");
	fclose(fp);
	f->conf->static_file = path;
	assert_true(nbns_reconfigure(f->s, f->conf));

	name(&fs, "FILESRV", 0x20);
	query_expect(f, &fs, NBP_RCODE_OK, 0xc612090au);
	assert_int_equal(last(f)->answers[0].num_addrs, 2);
	assert_int_equal(last(f)->answers[0].ttl, f->conf->max_ttl);
	name(&ph, "PRINTER", 0x20);
	query_expect(f, &ph, NBP_RCODE_OK, 0xc612090cu);
	name(&ph, "PRINTER", 0x00);
	query_expect(f, &ph, NBP_RCODE_NAM, 0);
	name(&grp, "CORP", 0x1c);
	query_expect(f, &grp, NBP_RCODE_OK, 0xc612090du);
	/* a dynamic registration cannot take a static unique name */
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &fs, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_ACT);
	/* nor can a release from its address remove it */
	reg_expect(f, NBP_OP_RELEASE, 0xc612090au, &fs, NBP_NB_ONT_H,
		   0xc612090au, NBP_RCODE_OK);
	query_expect(f, &fs, NBP_RCODE_OK, 0xc612090au);
	/* a static group refuses a release */
	reg_expect(f, NBP_OP_RELEASE, 0xc612090du, &grp,
		   NBP_NB_GROUP | NBP_NB_ONT_H, 0xc612090du, NBP_RCODE_ACT);

	/* reload unchanged: versions stay */
	assert_int_equal(wdb_fetch(f->db, &fs, &rec, &found), TWERR_OK);
	v1 = rec.version;
	assert_true(nbns_reconfigure(f->s, f->conf));
	assert_int_equal(wdb_fetch(f->db, &fs, &rec, &found), TWERR_OK);
	assert_int_equal(rec.version, v1);

	/* FILESRV leaves the file: a tombstone with a new version */
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "198.18.9.12 PRINTER#20\n");
	fclose(fp);
	assert_true(nbns_reconfigure(f->s, f->conf));
	assert_int_equal(wdb_fetch(f->db, &fs, &rec, &found), TWERR_OK);
	assert_true(found);
	assert_int_equal(rec.state, WREC_TOMBSTONE);
	assert_true(rec.version > v1);
	query_expect(f, &fs, NBP_RCODE_NAM, 0);
	name(&ph, "PRINTER", 0x20);
	query_expect(f, &ph, NBP_RCODE_OK, 0xc612090cu);
}

/*
 * tdbwins:migrate (Windows' Migrate On): a static unique name is
 * "pseudo-static": a registration challenges its holder instead of
 * being refused, and takes the name when the holder lets it go.
 */
static void test_static_migrate(void **state)
{
	struct fixture *f = *state;
	char *path = talloc_asprintf(f->mem, "%s/lmhosts", f->dir);
	struct nbp_packet *ch = NULL;
	struct nbn_name fs;
	struct wrec rec = {};
	bool found = false;
	unsigned idx = 0;
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fprintf(fp, "198.18.9.10 FILESRV\n");
	fclose(fp);
	f->conf->static_file = path;
	assert_true(nbns_reconfigure(f->s, f->conf));
	name(&fs, "FILESRV", 0x20);

	/* off (the default): refused at once, nobody is asked */
	f->num_sent = 0;
	reg_expect(f, NBP_OP_REGISTER, CLIENT_A, &fs, NBP_NB_ONT_H, CLIENT_A,
		   NBP_RCODE_ACT);
	assert_null(find_challenge(f, 0xc612090au, &idx));

	/* on: WACK to the requester, a challenge to the static address */
	f->conf->migrate = true;
	assert_true(nbns_reconfigure(f->s, f->conf));
	f->num_sent = 0;
	send_reg(f, NBP_OP_REGISTER, CLIENT_A, &fs, NBP_NB_ONT_H, CLIENT_A);
	assert_int_equal(nbp_opcode(sent_pkt(f, 0)), NBP_OP_WACK);
	idx = 0;
	ch = find_challenge(f, 0xc612090au, &idx);
	assert_non_null(ch);
	/* the static host answers: it still holds the name */
	{
		uint32_t held = 0xc612090au;

		answer_challenge(f, 0xc612090au, 137, ch->trn_id, &fs,
				 NBP_RCODE_OK, &held, 1);
	}
	settle(f, 500);
	assert_int_equal(nbp_rcode(last(f)), NBP_RCODE_ACT);
	query_expect(f, &fs, NBP_RCODE_OK, 0xc612090au);

	/* asked again, the holder is gone: the name moves, now dynamic */
	f->num_sent = 0;
	send_reg(f, NBP_OP_REGISTER, CLIENT_A, &fs, NBP_NB_ONT_H, CLIENT_A);
	idx = 0;
	ch = find_challenge(f, 0xc612090au, &idx);
	assert_non_null(ch);
	answer_challenge(f, 0xc612090au, 137, ch->trn_id, &fs, NBP_RCODE_NAM,
			 NULL, 0);
	settle(f, 500);
	assert_int_equal(nbp_rcode(last(f)), NBP_RCODE_OK);
	query_expect(f, &fs, NBP_RCODE_OK, CLIENT_A);
	assert_int_equal(wdb_fetch(f->db, &fs, &rec, &found), TWERR_OK);
	assert_true(found);
	assert_false(rec.is_static);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_name_is_negative,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_query_release,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_suffix_and_policy_rules,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_protected_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_address_classes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_own_name_defended, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_node_status_own_only,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_challenge_released_owner,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_challenge_owner_defends,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_challenge_silent_owner,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sgroup_cap_and_1b_first,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_acknowledged_is_stored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_floods_are_bounded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_static_migrate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_static_records, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
