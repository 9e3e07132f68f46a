/*
 * tdbwins — unit tests for the push side of WINS replication
 * (source/wrepl/wrp_push.c): the owner table of a notification, and one
 * notification sent to a fake partner ([MS-WINSRA] 3.3.5.1).
 *
 * The fake partner lives in this process on the test's tevent loop: a
 * listening socket on 127.0.0.11-13 (port chosen by the kernel, above
 * 1024), which records every byte the push client sends and answers the
 * Start Request as its mode says.  What it received is compared with
 * literal wire vectors ([MS-WINSRA] 2.2.3-2.2.5, 2.2.7-2.2.9).  Only
 * 127.0.0.0/8 is used: no packet leaves the host.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <talloc.h>
#include <tevent.h>

#include "ingress/ingress.h"
#include "store/wdb.h"
#include "wire/wcur.h"
#include "wire/wrepl.h"
#include "wrepl/wrp_push.h"

#define LOCAL 0xc6120001u	/* 198.18.0.1: our owner address */
#define OTHER_OWNER 0xc6120305u	/* 198.18.3.5: a third WINS server */
#define FOURTH_OWNER 0xc6120a0au	/* 198.18.10.10 */
#define LOOP_OWNER 0x7f000005u	/* 127.0.0.5: a lab owner */
#define MCAST_OWNER 0xe0000009u	/* 224.0.0.9: never an owner */
#define BCAST_OWNER 0xffffffffu
#define PARTNER1 0x7f00000bu	/* 127.0.0.11 */
#define PARTNER2 0x7f00000cu	/* 127.0.0.12 */
#define PARTNER3 0x7f00000du	/* 127.0.0.13 */
#define LOOPBACK 0x7f000001u
#define FAKE_HANDLE 0xfeedc0deu	/* the partner's association handle */

struct tctx {
	TALLOC_CTX *mem;
	struct tevent_context *ev;
	struct ingress ig;
	struct wdb *db;
	int fds_at_start;
	char dir[64];
	char path[128];
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e = NULL;
	int n = 0;

	assert_non_null(d);
	for (e = readdir(d); e != NULL; e = readdir(d)) {
		if (e->d_name[0] != '.') {
			n++;
		}
	}
	closedir(d);
	return n;
}

static int setup(void **state)
{
	struct tctx *t = talloc_zero(NULL, struct tctx);
	struct wdb_config cfg = {};

	assert_non_null(t);
	t->fds_at_start = count_fds();
	t->mem = talloc_new(t);
	assert_non_null(t->mem);
	t->ev = tevent_context_init(t->mem);
	assert_non_null(t->ev);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_push.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/wins.tdb", t->dir);
	ingress_init(&t->ig);
	cfg.path = t->path;
	cfg.local_owner = LOCAL;
	cfg.nosync = true;
	assert_int_equal(wdb_open(t->mem, t->ev, &cfg, &t->db), TWERR_OK);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;
	int fds = t->fds_at_start;

	TALLOC_FREE(t->db);
	TALLOC_FREE(t->ev);
	unlink(t->path);
	assert_int_equal(rmdir(t->dir), 0);
	/* nothing may be left on the per-test context, no socket open */
	assert_int_equal(talloc_total_blocks(t->mem), 1);
	talloc_free(t);
	assert_int_equal(count_fds(), fds);
	return 0;
}

/* ---- the owner table ---- */

static void add_rec(struct tctx *t, const char *name, uint32_t owner,
		    uint64_t version)
{
	struct wrec r = {};
	unsigned flags = 0;

	assert_true(nbn_make(&r.name, name, 0x20, NULL));
	r.type = WREC_UNIQUE;
	r.state = WREC_ACTIVE;
	r.node = WREC_NODE_H;
	r.owner = owner;
	r.version = version;
	r.expire = 1900000000;
	r.num_addrs = 1;
	r.addrs[0].ip = 0xc6120a01u;
	r.addrs[0].owner = owner;
	r.addrs[0].expire = r.expire;
	if (owner == LOCAL) {
		flags = WDB_ALLOC_VERSION;
	}
	assert_int_equal(wdb_put(t->db, &r, flags), TWERR_OK);
}

/*
 * Our two names (versions 1, 2), two versions of a third owner, one of a
 * fourth, and owners of the refused classes: loopback, multicast and
 * broadcast.
 */
static void fill_store(struct tctx *t)
{
	add_rec(t, "OURS1", LOCAL, 0);
	add_rec(t, "OURS2", LOCAL, 0);
	add_rec(t, "THIRDA", OTHER_OWNER, 5);
	add_rec(t, "THIRDB", OTHER_OWNER, 77);
	add_rec(t, "FOURTH", FOURTH_OWNER, 0x100000002ull);
	add_rec(t, "LOOPY", LOOP_OWNER, 3);
	add_rec(t, "MCAST", MCAST_OWNER, 4);
	add_rec(t, "BCAST", BCAST_OWNER, 6);
	assert_int_equal(wdb_flush(t->db), TWERR_OK);
}

static void expect_owner(const struct wrw_owner *o, uint32_t addr,
			 uint64_t max, uint64_t min)
{
	assert_int_equal(o->addr, addr);
	assert_int_equal(o->max_version, max);
	assert_int_equal(o->min_version, min);
	assert_int_equal(o->type, WRW_OWNER_TYPE);
}

/* Every owner, sorted by address; refused classes left out. */
static void test_table_all(void **state)
{
	struct tctx *t = *state;
	struct wrw_table tab = { .initiator = 0x12345678u };
	TALLOC_CTX *tmp = talloc_new(t->mem);

	assert_non_null(tmp);
	fill_store(t);
	assert_int_equal(wrp_push_table(tmp, t->db, 0, false, &tab),
			 TWERR_OK);
	assert_int_equal(tab.num_owners, 3);
	assert_non_null(tab.owners);
	assert_ptr_equal(talloc_parent(tab.owners), tmp);
	expect_owner(&tab.owners[0], LOCAL, 2, 1);
	expect_owner(&tab.owners[1], OTHER_OWNER, 77, 5);
	expect_owner(&tab.owners[2], FOURTH_OWNER, 0x100000002ull,
		     0x100000002ull);
	/* the initiator is the caller's business */
	assert_int_equal(tab.initiator, 0x12345678u);
	talloc_free(tmp);
}

/* The lab switch keeps 127/8 owners, never multicast or broadcast. */
static void test_table_lab(void **state)
{
	struct tctx *t = *state;
	struct wrw_table tab = {};
	TALLOC_CTX *tmp = talloc_new(t->mem);

	assert_non_null(tmp);
	fill_store(t);
	assert_int_equal(wrp_push_table(tmp, t->db, 0, true, &tab), TWERR_OK);
	assert_int_equal(tab.num_owners, 4);
	expect_owner(&tab.owners[0], LOOP_OWNER, 3, 3);
	expect_owner(&tab.owners[1], LOCAL, 2, 1);
	expect_owner(&tab.owners[2], OTHER_OWNER, 77, 5);
	expect_owner(&tab.owners[3], FOURTH_OWNER, 0x100000002ull,
		     0x100000002ull);
	talloc_free(tmp);
}

/* only_owner: that owner alone, if we hold it and may send it. */
static void test_table_only_owner(void **state)
{
	struct tctx *t = *state;
	struct wrw_table tab = {};
	TALLOC_CTX *tmp = talloc_new(t->mem);

	assert_non_null(tmp);
	fill_store(t);
	assert_int_equal(wrp_push_table(tmp, t->db, OTHER_OWNER, false, &tab),
			 TWERR_OK);
	assert_int_equal(tab.num_owners, 1);
	expect_owner(&tab.owners[0], OTHER_OWNER, 77, 5);

	assert_int_equal(wrp_push_table(tmp, t->db, LOCAL, false, &tab),
			 TWERR_OK);
	assert_int_equal(tab.num_owners, 1);
	expect_owner(&tab.owners[0], LOCAL, 2, 1);

	/* a loopback owner only in the lab */
	assert_int_equal(wrp_push_table(tmp, t->db, LOOP_OWNER, false, &tab),
			 TWERR_OK);
	assert_int_equal(tab.num_owners, 0);
	assert_int_equal(wrp_push_table(tmp, t->db, LOOP_OWNER, true, &tab),
			 TWERR_OK);
	assert_int_equal(tab.num_owners, 1);
	expect_owner(&tab.owners[0], LOOP_OWNER, 3, 3);

	/* multicast: not even in the lab; unknown owner: nothing */
	assert_int_equal(wrp_push_table(tmp, t->db, MCAST_OWNER, true, &tab),
			 TWERR_OK);
	assert_int_equal(tab.num_owners, 0);
	assert_int_equal(wrp_push_table(tmp, t->db, 0xc6120063u, false, &tab),
			 TWERR_OK);
	assert_int_equal(tab.num_owners, 0);
	assert_non_null(tab.owners);
	talloc_free(tmp);
}

/* An empty store: no owner at all (our counter is still 0). */
static void test_table_empty(void **state)
{
	struct tctx *t = *state;
	struct wrw_table tab = { .num_owners = 9 };
	TALLOC_CTX *tmp = talloc_new(t->mem);

	assert_non_null(tmp);
	assert_int_equal(wrp_push_table(tmp, t->db, 0, true, &tab), TWERR_OK);
	assert_int_equal(tab.num_owners, 0);
	talloc_free(tmp);
}

/* ---- the fake partner ---- */

enum fake_mode {
	FAKE_OK,		/* Start Response with the right handle */
	FAKE_WRONG_HANDLE,	/* ... naming another association */
	FAKE_STOP,		/* Stop Request (reason 4) instead */
	FAKE_BAD_TYPE,		/* a PDU with Message Type 7 */
	FAKE_TOO_LONG,		/* a Packet Length of 0x7fffffff */
	FAKE_MAP_RESPONSE,	/* a reply, but not to a Start Request */
	FAKE_TRUNCATED,		/* 10 of 41 bytes, then close */
	FAKE_CLOSE,		/* close after the Start Request */
	FAKE_SILENT,		/* never answer */
};

struct fake {
	struct tctx *t;
	enum fake_mode mode;
	uint32_t ip;
	uint16_t port;
	int lfd;
	int cfd;
	struct tevent_fd *lfde;
	struct tevent_fd *cfde;
	uint32_t peer_ip;
	bool accepted;
	bool answered;
	bool eof;
	uint8_t in[4096];
	size_t in_have;
};

/* a big-endian word of what the push client sent */
static uint32_t be32_at(const uint8_t *p)
{
	struct wcur c = {};

	wcur_init(&c, p, 4);
	return wcur_be32(&c);
}

static int fake_destructor(struct fake *f)
{
	TALLOC_FREE(f->cfde);
	TALLOC_FREE(f->lfde);
	if (f->cfd != -1) {
		close(f->cfd);
	}
	if (f->lfd != -1) {
		close(f->lfd);
	}
	return 0;
}

static void fake_send(struct fake *f, const uint8_t *buf, size_t len)
{
	assert_int_equal(send(f->cfd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void fake_hang_up(struct fake *f)
{
	TALLOC_FREE(f->cfde);
	close(f->cfd);
	f->cfd = -1;
	f->eof = true;
}

/* Encode p (the project's encoder: the answers are not under test). */
static void fake_send_pkt(struct fake *f, const struct wrw_packet *p,
			  size_t only)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	assert_int_equal(wrw_encode_alloc(f, p, &buf, &len), TWERR_OK);
	fake_send(f, buf, only != 0 ? only : len);
	talloc_free(buf);
}

/* Answer the Start Request (whose sender handle is h) as the mode says. */
static void fake_answer(struct fake *f, uint32_t h)
{
	/* Message Type 7 in an otherwise well-formed Start Response */
	static const uint8_t bad_type[45] = {
		0x00, 0x00, 0x00, 0x29,
		0x00, 0x00, 0x78, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x07,
		0xfe, 0xed, 0xc0, 0xde,
		0x00, 0x02, 0x00, 0x05,
	};
	static const uint8_t too_long[4] = { 0x7f, 0xff, 0xff, 0xff };
	struct wrw_packet p = {
		.assoc_handle = h,
		.mess_type = WRW_START_RESPONSE,
		.start.handle = FAKE_HANDLE,
		.start.major = WRW_MAJOR,
		.start.minor = WRW_MINOR_W2K,
	};

	switch (f->mode) {
	case FAKE_OK:
		fake_send_pkt(f, &p, 0);
		return;
	case FAKE_WRONG_HANDLE:
		p.assoc_handle = h ^ 0x00010000u;
		fake_send_pkt(f, &p, 0);
		return;
	case FAKE_STOP:
		p.mess_type = WRW_STOP_REQUEST;
		p.stop.reason = WRW_STOP_ERROR;
		fake_send_pkt(f, &p, 0);
		return;
	case FAKE_BAD_TYPE:
		fake_send(f, bad_type, sizeof(bad_type));
		return;
	case FAKE_TOO_LONG:
		fake_send(f, too_long, sizeof(too_long));
		return;
	case FAKE_MAP_RESPONSE:
		/* Owner-Version Map Response, no owners ([MS-WINSRA] 2.2.9) */
		p.mess_type = WRW_REPLICATION;
		p.opcode = WRW_OP_MAP_RESPONSE;
		fake_send_pkt(f, &p, 0);
		return;
	case FAKE_TRUNCATED:
		/* the length and 10 of the 41 bytes it announces */
		fake_send_pkt(f, &p, 14);
		fake_hang_up(f);
		return;
	case FAKE_CLOSE:
		fake_hang_up(f);
		return;
	case FAKE_SILENT:
		return;
	}
}

static void fake_readable(struct tevent_context *ev, struct tevent_fd *fde,
			  uint16_t flags, void *private_data)
{
	struct fake *f = talloc_get_type_abort(private_data, struct fake);
	ssize_t r;

	assert_true(f->in_have < sizeof(f->in));
	r = recv(f->cfd, f->in + f->in_have, sizeof(f->in) - f->in_have, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (r <= 0) {
		/* EOF, or a reset after the client closed on our bytes */
		TALLOC_FREE(f->cfde);
		f->eof = true;
		return;
	}
	f->in_have += (size_t)r;
	/* a whole Start Request: 4 + 41 bytes */
	if (!f->answered && f->in_have >= 45) {
		f->answered = true;
		fake_answer(f, be32_at(f->in + 16));
	}
}

static void fake_accept(struct tevent_context *ev, struct tevent_fd *fde,
			uint16_t flags, void *private_data)
{
	struct fake *f = talloc_get_type_abort(private_data, struct fake);
	struct sockaddr_in from = {};
	socklen_t len = sizeof(from);
	int fd;

	fd = accept4(f->lfd, (struct sockaddr *)&from, &len,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	assert_true(fd != -1);
	/* one association per fake partner */
	assert_false(f->accepted);
	f->accepted = true;
	f->cfd = fd;
	f->peer_ip = ntohl(from.sin_addr.s_addr);
	f->cfde = tevent_add_fd(ev, f, fd, TEVENT_FD_READ, fake_readable, f);
	assert_non_null(f->cfde);
}

static struct fake *fake_new(struct tctx *t, uint32_t ip,
			     enum fake_mode mode)
{
	struct fake *f = talloc_zero(t->mem, struct fake);
	struct sockaddr_in me = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(ip),
	};
	socklen_t len = sizeof(me);

	assert_non_null(f);
	f->t = t;
	f->ip = ip;
	f->mode = mode;
	f->cfd = -1;
	f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			0);
	assert_true(f->lfd != -1);
	talloc_set_destructor(f, fake_destructor);
	/* port 0: the kernel picks a free high port */
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&me, sizeof(me)), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&me, &len),
			 0);
	f->port = ntohs(me.sin_port);
	assert_true(f->port >= 1024);
	assert_int_equal(listen(f->lfd, 4), 0);
	f->lfde = tevent_add_fd(t->ev, f, f->lfd, TEVENT_FD_READ, fake_accept,
				f);
	assert_non_null(f->lfde);
	return f;
}

static bool g_timed_out;

static void guard_fired(struct tevent_context *ev, struct tevent_timer *te,
			struct timeval now, void *private_data)
{
	g_timed_out = true;
}

static struct tevent_timer *guard_new(struct tctx *t, int ms)
{
	struct tevent_timer *guard = NULL;

	g_timed_out = false;
	guard = tevent_add_timer(t->ev, t->mem,
				 tevent_timeval_current_ofs(ms / 1000,
							    (ms % 1000) *
								    1000),
				 guard_fired, NULL);
	assert_non_null(guard);
	return guard;
}

/* Run the loop for ms milliseconds. */
static void run_for(struct tctx *t, int ms)
{
	struct tevent_timer *guard = guard_new(t, ms);

	while (!g_timed_out) {
		assert_int_equal(tevent_loop_once(t->ev), 0);
	}
	(void)guard;	/* freed by tevent when it fired */
}

/*
 * Run the loop until every request (reqs may be NULL) has finished and
 * every fake partner that accepted a connection has seen it end; ms is
 * a guard, and reaching it fails the test.
 */
static void run_until_done(struct tctx *t, struct tevent_req **reqs,
			   struct fake **fakes, size_t num, int ms)
{
	struct tevent_timer *guard = guard_new(t, ms);
	size_t i;
	bool done = false;

	while (!done && !g_timed_out) {
		assert_int_equal(tevent_loop_once(t->ev), 0);
		done = true;
		for (i = 0; i < num; i++) {
			if (reqs != NULL &&
			    tevent_req_is_in_progress(reqs[i])) {
				done = false;
			}
			if (fakes[i]->accepted && !fakes[i]->eof) {
				done = false;
			}
		}
	}
	assert_false(g_timed_out);
	talloc_free(guard);
}

/* One push to one fake partner; returns wrp_push_recv(). */
static enum twerr push_one(struct tctx *t, struct fake *f, uint32_t local_ip,
			   enum wrw_opcode op, const struct wrw_table *tab)
{
	struct tevent_req *req = NULL;
	enum twerr err;

	req = wrp_push_send(t->mem, t->ev, &t->ig, f->ip, f->port, local_ip,
			    op, tab);
	assert_non_null(req);
	run_until_done(t, &req, &f, 1, 5000);
	err = wrp_push_recv(req);
	talloc_free(req);
	return err;
}

/* ---- literal vectors ---- */

/*
 * The Start Request a push client sends: Packet Length 41, opcode word,
 * destination handle 0, type 0, its own handle (returned), major 2,
 * minor 5, 21 zero bytes ([MS-WINSRA] 2.2.3).
 */
static uint32_t expect_start_request(const uint8_t *p)
{
	static const uint8_t want[20] = {
		0x00, 0x00, 0x00, 0x29,
		0x00, 0x00, 0x78, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
	};
	size_t i;

	assert_memory_equal(p, want, 16);
	assert_int_equal(be32_at(p + 20), 0x00020005u);
	for (i = 24; i < 45; i++) {
		assert_int_equal(p[i], 0);
	}
	assert_int_not_equal(be32_at(p + 16), 0);
	return be32_at(p + 16);
}

/*
 * Stop Request to the fake partner's handle, reason 0, 24 zero bytes
 * ([MS-WINSRA] 2.2.5)
 */
static void expect_stop(const uint8_t *p)
{
	static const uint8_t want[44] = {
		0x00, 0x00, 0x00, 0x28,
		0x00, 0x00, 0x78, 0x00,
		0xfe, 0xed, 0xc0, 0xde,		/* the partner's handle */
		0x00, 0x00, 0x00, 0x02,		/* Stop Request */
		0x00, 0x00, 0x00, 0x00,		/* reason 0: normal */
	};

	assert_memory_equal(p, want, sizeof(want));
}

/* INFORM to FAKE_HANDLE: 198.18.0.1 and 198.18.3.5, initiator 198.18.0.1 */
static const uint8_t inform_two[76] = {
	0x00, 0x00, 0x00, 0x48,		/* Packet Length 72 */
	0x00, 0x00, 0x78, 0x00,
	0xfe, 0xed, 0xc0, 0xde,		/* the partner's handle */
	0x00, 0x00, 0x00, 0x03,		/* replication */
	0x00, 0x00, 0x00, 0x08,		/* RplOpCode 8: INFORM */
	0x00, 0x00, 0x00, 0x02,		/* two owners */
	0xc6, 0x12, 0x00, 0x01,		/* 198.18.0.1 */
	0x00, 0x00, 0x00, 0x01,		/* max version high, low */
	0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x00,		/* min version */
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x01,		/* type 1 */
	0xc6, 0x12, 0x03, 0x05,		/* 198.18.3.5 */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x4d,		/* 77 */
	0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x05,
	0x00, 0x00, 0x00, 0x01,
	0xc6, 0x12, 0x00, 0x01,		/* initiator 198.18.0.1 */
};

/*
 * A table of exactly n owners on its own talloc block, so that reading
 * one element past it is an error valgrind reports.
 */
static struct wrw_table *two_owner_table(TALLOC_CTX *mem_ctx)
{
	struct wrw_table *tab = talloc_zero(mem_ctx, struct wrw_table);

	assert_non_null(tab);
	tab->num_owners = 2;
	tab->owners = talloc_zero_array(tab, struct wrw_owner, 2);
	assert_non_null(tab->owners);
	tab->owners[0].addr = LOCAL;
	tab->owners[0].max_version = 0x100000002ull;
	tab->owners[0].min_version = 1;
	tab->owners[1].addr = OTHER_OWNER;
	tab->owners[1].max_version = 77;
	tab->owners[1].min_version = 5;
	/* ignored: type 1 is always sent */
	tab->owners[1].type = 0x55;
	tab->initiator = LOCAL;
	return tab;
}

/* ---- pushes ---- */

/*
 * INFORM: Start Request, then (after our Start Response) the
 * notification with the table byte for byte, a Stop with reason 0 and
 * the close; from the local address asked for.
 */
static void test_push_inform(void **state)
{
	struct tctx *t = *state;
	struct fake *f = fake_new(t, PARTNER1, FAKE_OK);
	struct wrw_table *tab = two_owner_table(t->mem);

	assert_int_equal(push_one(t, f, LOOPBACK, WRW_OP_INFORM, tab),
			 TWERR_OK);
	assert_true(f->accepted);
	assert_true(f->eof);
	assert_int_equal(f->peer_ip, LOOPBACK);
	assert_int_equal(f->in_have, 45 + sizeof(inform_two) + 44);
	expect_start_request(f->in);
	assert_memory_equal(f->in + 45, inform_two, sizeof(inform_two));
	expect_stop(f->in + 45 + sizeof(inform_two));
	/* our Start Response was the only PDU that came back */
	assert_int_equal(t->ig.stats.accepted, 1);
	/* the caller's table is the caller's: not changed */
	assert_int_equal(tab->owners[1].type, 0x55);
	talloc_free(tab);
	talloc_free(f);
}

/*
 * INFORM2 (propagate) with one owner, from the table the server builds
 * (wrp_push_table), to three partners at once: each association has its
 * own handle and gets the same notification.
 */
static void test_push_inform2_three(void **state)
{
	struct tctx *t = *state;
	static const uint8_t want[52] = {
		0x00, 0x00, 0x00, 0x30,		/* Packet Length 48 */
		0x00, 0x00, 0x78, 0x00,
		0xfe, 0xed, 0xc0, 0xde,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x09,		/* RplOpCode 9: INFORM2 */
		0x00, 0x00, 0x00, 0x01,		/* one owner */
		0xc6, 0x12, 0x00, 0x01,		/* 198.18.0.1, versions 1-2 */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0xc6, 0x12, 0x03, 0x05,		/* initiator 198.18.3.5 */
	};
	const uint32_t ips[3] = { PARTNER1, PARTNER2, PARTNER3 };
	struct fake *f[3] = {};
	struct tevent_req *req[3] = {};
	struct wrw_table tab = {};
	TALLOC_CTX *tmp = talloc_new(t->mem);
	uint32_t h[3];
	size_t i;

	assert_non_null(tmp);
	fill_store(t);
	assert_int_equal(wrp_push_table(tmp, t->db, LOCAL, false, &tab),
			 TWERR_OK);
	tab.initiator = OTHER_OWNER;
	for (i = 0; i < 3; i++) {
		f[i] = fake_new(t, ips[i], FAKE_OK);
		req[i] = wrp_push_send(t->mem, t->ev, &t->ig, ips[i],
				       f[i]->port, 0, WRW_OP_INFORM2, &tab);
		assert_non_null(req[i]);
	}
	/* the table was copied */
	talloc_free(tmp);
	run_until_done(t, req, f, 3, 5000);
	for (i = 0; i < 3; i++) {
		assert_int_equal(wrp_push_recv(req[i]), TWERR_OK);
		TALLOC_FREE(req[i]);
		assert_int_equal(f[i]->in_have, 45 + sizeof(want) + 44);
		h[i] = expect_start_request(f[i]->in);
		assert_memory_equal(f[i]->in + 45, want, sizeof(want));
		expect_stop(f[i]->in + 45 + sizeof(want));
		/* local_ip 0: the kernel's choice, which is loopback */
		assert_int_equal(f[i]->peer_ip >> 24, 127);
	}
	assert_int_not_equal(h[0], h[1]);
	assert_int_not_equal(h[1], h[2]);
	assert_int_not_equal(h[0], h[2]);
	for (i = 0; i < 3; i++) {
		talloc_free(f[i]);
	}
}

/*
 * A loopback owner is sent only with the lab switch on; without it
 * nothing but the Start Request goes out (the encoder refuses the
 * notification) and the push fails.
 */
static void test_push_lab_owner(void **state)
{
	struct tctx *t = *state;
	static const uint8_t want[52] = {
		0x00, 0x00, 0x00, 0x30,
		0x00, 0x00, 0x78, 0x00,
		0xfe, 0xed, 0xc0, 0xde,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x08,
		0x00, 0x00, 0x00, 0x01,
		0x7f, 0x00, 0x00, 0x05,		/* 127.0.0.5 */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00,		/* initiator 0.0.0.0 (lab) */
	};
	struct wrw_table tab = {};
	struct fake *f = NULL;
	TALLOC_CTX *tmp = talloc_new(t->mem);

	assert_non_null(tmp);
	fill_store(t);
	assert_int_equal(wrp_push_table(tmp, t->db, LOOP_OWNER, true, &tab),
			 TWERR_OK);
	assert_int_equal(tab.num_owners, 1);

	t->ig.limits.wr_lab_addresses = true;
	f = fake_new(t, PARTNER2, FAKE_OK);
	assert_int_equal(push_one(t, f, 0, WRW_OP_INFORM, &tab), TWERR_OK);
	assert_int_equal(f->in_have, 45 + sizeof(want) + 44);
	expect_start_request(f->in);
	assert_memory_equal(f->in + 45, want, sizeof(want));
	expect_stop(f->in + 45 + sizeof(want));
	TALLOC_FREE(f);

	/* a production initiator: only the owner is refused now */
	tab.initiator = LOCAL;
	t->ig.limits.wr_lab_addresses = false;
	f = fake_new(t, PARTNER2, FAKE_OK);
	assert_int_not_equal(push_one(t, f, 0, WRW_OP_INFORM, &tab),
			     TWERR_OK);
	assert_true(f->eof);
	assert_int_equal(f->in_have, 45);
	expect_start_request(f->in);
	TALLOC_FREE(f);
	talloc_free(tmp);
}

/* Only INFORM and INFORM2 are sent; nothing connects for the others. */
static void test_push_opcode_refused(void **state)
{
	struct tctx *t = *state;
	const enum wrw_opcode bad[] = {
		WRW_OP_MAP_REQUEST,  WRW_OP_MAP_RESPONSE, WRW_OP_NAMES_REQUEST,
		WRW_OP_NAMES_RESPONSE, WRW_OP_UPDATE,	  WRW_OP_UPDATE2,
		(enum wrw_opcode)7,  (enum wrw_opcode)10,
	};
	struct fake *f = fake_new(t, PARTNER1, FAKE_OK);
	struct wrw_table *tab = two_owner_table(t->mem);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(push_one(t, f, 0, bad[i], tab),
				 TWERR_BAD_OPCODE);
	}
	/* give a connect that should not have happened time to arrive */
	run_for(t, 100);
	assert_false(f->accepted);
	talloc_free(tab);
	talloc_free(f);
}

/*
 * A notification without owners is refused before connecting (the
 * encoder would refuse it after the Start exchange): from an empty
 * store, and with no array at all.
 */
static void test_push_no_owners(void **state)
{
	struct tctx *t = *state;
	struct fake *f = fake_new(t, PARTNER1, FAKE_OK);
	struct wrw_table none = { .initiator = LOCAL };
	struct wrw_table tab = {};
	TALLOC_CTX *tmp = talloc_new(t->mem);

	assert_non_null(tmp);
	assert_int_equal(wrp_push_table(tmp, t->db, 0, false, &tab),
			 TWERR_OK);
	assert_int_equal(tab.num_owners, 0);
	tab.initiator = LOCAL;
	assert_int_equal(push_one(t, f, 0, WRW_OP_INFORM, &tab),
			 TWERR_BAD_VALUE);
	assert_int_equal(push_one(t, f, 0, WRW_OP_INFORM2, &none),
			 TWERR_BAD_VALUE);
	run_for(t, 100);
	assert_false(f->accepted);
	talloc_free(tmp);
	talloc_free(f);
}

/*
 * Partners that do not answer as they should: each push fails with its
 * own error, closes the connection, and leaves nothing behind.
 */
static void push_fails(struct tctx *t, enum fake_mode mode, enum twerr want,
		       uint64_t accepted, enum ingress_reason reason)
{
	struct fake *f = fake_new(t, PARTNER3, mode);
	struct wrw_table *tab = two_owner_table(t->mem);

	memset(&t->ig.stats, 0, sizeof(t->ig.stats));
	assert_int_equal(push_one(t, f, LOOPBACK, WRW_OP_INFORM, tab), want);
	assert_true(f->accepted);
	assert_true(f->eof);
	/* the Start Request and nothing after it */
	assert_int_equal(f->in_have, 45);
	expect_start_request(f->in);
	assert_int_equal(t->ig.stats.accepted, accepted);
	if (reason != INGRESS_OK) {
		assert_int_equal(t->ig.stats.by_reason[reason], 1);
	}
	talloc_free(tab);
	talloc_free(f);
}

static void test_push_wrong_handle(void **state)
{
	push_fails(*state, FAKE_WRONG_HANDLE, TWERR_BAD_HEADER, 1,
		   INGRESS_OK);
}

static void test_push_partner_stops(void **state)
{
	push_fails(*state, FAKE_STOP, TWERR_BAD_VALUE, 1, INGRESS_OK);
}

static void test_push_garbage_type(void **state)
{
	push_fails(*state, FAKE_BAD_TYPE, TWERR_BAD_VALUE, 0,
		   INGRESS_R_WR_BAD_TYPE);
}

static void test_push_garbage_length(void **state)
{
	push_fails(*state, FAKE_TOO_LONG, TWERR_TOO_LONG, 0, INGRESS_OK);
}

static void test_push_not_a_start_response(void **state)
{
	push_fails(*state, FAKE_MAP_RESPONSE, TWERR_BAD_HEADER, 1,
		   INGRESS_OK);
}

static void test_push_truncated(void **state)
{
	push_fails(*state, FAKE_TRUNCATED, TWERR_IO, 0, INGRESS_OK);
}

static void test_push_partner_closes(void **state)
{
	push_fails(*state, FAKE_CLOSE, TWERR_IO, 0, INGRESS_OK);
}

/*
 * A partner that never answers: the request's end time (30 s in
 * wrp_push_send) is shortened through tevent_req_set_endtime(), which
 * replaces the timer wrp_push_send set; the push fails with TWERR_IO.
 */
static void test_push_partner_silent(void **state)
{
	struct tctx *t = *state;
	struct fake *f = fake_new(t, PARTNER1, FAKE_SILENT);
	struct wrw_table *tab = two_owner_table(t->mem);
	struct tevent_req *req = NULL;
	struct timeval start;
	struct timeval end;
	long ms;

	gettimeofday(&start, NULL);
	req = wrp_push_send(t->mem, t->ev, &t->ig, f->ip, f->port, 0,
			    WRW_OP_INFORM, tab);
	assert_non_null(req);
	assert_true(tevent_req_set_endtime(req, t->ev,
					   tevent_timeval_current_ofs(0,
								      300000)));
	run_until_done(t, &req, &f, 1, 5000);
	gettimeofday(&end, NULL);
	assert_int_equal(wrp_push_recv(req), TWERR_IO);
	TALLOC_FREE(req);
	ms = (end.tv_sec - start.tv_sec) * 1000 +
	     (end.tv_usec - start.tv_usec) / 1000;
	assert_true(ms >= 250);
	assert_true(ms < 3000);
	assert_true(f->eof);
	assert_int_equal(f->in_have, 45);
	talloc_free(tab);
	talloc_free(f);
}

/* Nothing listens: the refused connect fails the push. */
static void test_push_refused(void **state)
{
	struct tctx *t = *state;
	struct fake *f = fake_new(t, PARTNER2, FAKE_OK);
	struct wrw_table *tab = two_owner_table(t->mem);

	/* keep the port number, stop listening */
	TALLOC_FREE(f->lfde);
	close(f->lfd);
	f->lfd = -1;
	assert_int_equal(push_one(t, f, 0, WRW_OP_INFORM, tab), TWERR_IO);
	assert_false(f->accepted);
	talloc_free(tab);
	talloc_free(f);
}

/*
 * Freeing a request in flight (the server going away mid-push) closes
 * the connection and leaves nothing allocated.
 */
static void test_push_freed_in_flight(void **state)
{
	struct tctx *t = *state;
	struct fake *f = fake_new(t, PARTNER1, FAKE_SILENT);
	struct wrw_table *tab = two_owner_table(t->mem);
	struct tevent_req *req = NULL;

	req = wrp_push_send(t->mem, t->ev, &t->ig, f->ip, f->port, 0,
			    WRW_OP_INFORM, tab);
	assert_non_null(req);
	{
		struct tevent_timer *guard = guard_new(t, 3000);

		while (!g_timed_out && f->in_have < 45) {
			assert_int_equal(tevent_loop_once(t->ev), 0);
		}
		assert_false(g_timed_out);
		talloc_free(guard);
	}
	assert_int_equal(f->in_have, 45);
	TALLOC_FREE(req);
	/* the partner sees the close */
	run_until_done(t, NULL, &f, 1, 3000);
	assert_true(f->eof);
	talloc_free(tab);
	talloc_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table_all, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_lab, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_only_owner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_inform, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_inform2_three,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_lab_owner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_opcode_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_no_owners, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_wrong_handle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_partner_stops,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_garbage_type, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_garbage_length,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_push_not_a_start_response, setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_truncated, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_partner_closes,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_partner_silent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_push_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_push_freed_in_flight,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
