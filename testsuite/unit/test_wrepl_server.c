/*
 * tdbwins — unit tests for the inbound WINS replication server
 * (source/wrepl/wrp_server.c).
 *
 * The server side of a socketpair (or of a loopback TCP connection) is
 * handed to the server; the test plays the partner with literal wire
 * vectors and runs the event loop until the answer (or the close) arrives.
 * SECURITY.md section E classes covered: 25 (frame caps), 26 (stage
 * violations), 27 (association handles), 34 (non-partners), 35 (peer
 * reset after each request type).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <talloc.h>
#include <tevent.h>

#include "conf/twconf.h"
#include "ingress/ingress.h"
#include "store/wdb.h"
#include "wire/wrepl.h"
#include "wrepl/wrp_pull.h"
#include "wrepl/wrp_server.h"

/*
 * Partner addresses are loopback: a notification makes the server pull,
 * i.e. connect to the partner, and outside a network namespace of our
 * own nothing may go anywhere but 127.0.0.0/8.  The owner addresses
 * (198.18.x, never contacted) must be ones a partner would accept.
 */
#define LOCAL 0xc6120001u	/* 198.18.0.1: our owner address */
#define PARTNER 0x7f00000bu	/* 127.0.0.11: push and pull */
#define PULL_ONLY 0x7f00000cu	/* 127.0.0.12: we only pull from it */
#define STRANGER 0x7f00000du	/* 127.0.0.13: not a partner */
#define OTHER_OWNER 0xc6120305u	/* 198.18.3.5: a third WINS server */
#define LOOPBACK 0x7f000001u

struct tctx {
	TALLOC_CTX *mem;
	struct tevent_context *ev;
	struct twconf *conf;
	struct ingress ig;
	struct wdb *db;
	struct wrp_server *srv;
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct tctx *t = talloc_zero(NULL, struct tctx);
	struct twconf_iface lo = { .ip = LOOPBACK, .mask = 0xff000000u };
	struct wdb_config cfg = {};
	char *why = NULL;

	assert_non_null(t);
	t->mem = talloc_new(t);
	assert_non_null(t->mem);
	t->ev = tevent_context_init(t->mem);
	assert_non_null(t->ev);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_wrp.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/wins.tdb", t->dir);

	t->conf = twconf_new(t->mem);
	assert_non_null(t->conf);
	assert_true(twconf_add_iface(t->conf, &lo));
	t->conf->local_owner = LOCAL;
	/* a port of our own: pulls triggered by notifications find
	 * nothing listening there */
	t->conf->wrepl_port = (uint16_t)(40000 + (getpid() % 20000));
	assert_true(twconf_add_partner(t->conf, PARTNER, true, true));
	assert_true(twconf_add_partner(t->conf, PULL_ONLY, true, false));
	why = twconf_check(t->mem, t->conf);
	assert_null(why);

	ingress_init(&t->ig);
	cfg.path = t->path;
	cfg.local_owner = LOCAL;
	cfg.nosync = true;
	assert_int_equal(wdb_open(t->mem, t->ev, &cfg, &t->db), TWERR_OK);
	t->srv = wrp_server_create(t->mem, t->ev, t->conf, t->db, &t->ig);
	assert_non_null(t->srv);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;

	TALLOC_FREE(t->srv);
	TALLOC_FREE(t->db);
	TALLOC_FREE(t->conf);
	TALLOC_FREE(t->ev);
	unlink(t->path);
	assert_int_equal(rmdir(t->dir), 0);
	/* nothing may be left on the per-test context */
	assert_int_equal(talloc_total_blocks(t->mem), 1);
	talloc_free(t);
	return 0;
}

/* ---- helpers ---- */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static bool g_timed_out;

static void guard_fired(struct tevent_context *ev, struct tevent_timer *te,
			struct timeval now, void *private_data)
{
	g_timed_out = true;
}

/*
 * Run the loop until fd is readable (data or EOF) or ms pass.  Returns
 * true if readable.
 */
static bool wait_readable(struct tctx *t, int fd, int ms)
{
	struct tevent_timer *guard = NULL;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	bool ready = false;

	g_timed_out = false;
	guard = tevent_add_timer(t->ev, t->mem,
				 tevent_timeval_current_ofs(ms / 1000,
							    (ms % 1000) *
								    1000),
				 guard_fired, NULL);
	assert_non_null(guard);
	for (;;) {
		if (poll(&p, 1, 0) == 1) {
			ready = true;
			break;
		}
		if (g_timed_out) {
			break;
		}
		assert_int_equal(tevent_loop_once(t->ev), 0);
	}
	if (!g_timed_out) {
		talloc_free(guard);
	}
	return ready;
}

/* Run the loop for ms milliseconds. */
static void run_for(struct tctx *t, int ms)
{
	struct tevent_timer *guard = NULL;

	g_timed_out = false;
	guard = tevent_add_timer(t->ev, t->mem,
				 tevent_timeval_current_ofs(ms / 1000,
							    (ms % 1000) *
								    1000),
				 guard_fired, NULL);
	assert_non_null(guard);
	while (!g_timed_out) {
		assert_int_equal(tevent_loop_once(t->ev), 0);
	}
}

/* A connected pair: *cli is the partner's end. */
static void connect_pair(struct tctx *t, uint32_t peer, int *cli, bool *ok)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				    sv), 0);
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	*ok = wrp_accept_fd(t->srv, sv[1], peer, 4242, LOOPBACK);
	*cli = sv[0];
}

static void send_all(int fd, const uint8_t *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

/*
 * Read one PDU (after waiting for it); returns its body length, or -1 on
 * EOF.  body must hold 64 KiB.
 */
static ssize_t recv_pdu(struct tctx *t, int fd, uint8_t *body, size_t cap)
{
	uint8_t hdr[4];
	uint32_t len;
	size_t have = 0;
	ssize_t r;

	while (have < 4) {
		assert_true(wait_readable(t, fd, 3000));
		r = recv(fd, hdr + have, 4 - have, 0);
		if (r <= 0) {
			assert_int_equal(have, 0);
			return -1;
		}
		have += (size_t)r;
	}
	len = get_be32(hdr);
	assert_true(len <= cap);
	have = 0;
	while (have < len) {
		assert_true(wait_readable(t, fd, 3000));
		r = recv(fd, body + have, len - have, 0);
		assert_true(r > 0);
		have += (size_t)r;
	}
	return (ssize_t)len;
}

/*
 * true if the server closed fd without sending anything more (EOF, or a
 * reset when it closed with our bytes unread)
 */
static bool closed_quietly(struct tctx *t, int fd)
{
	uint8_t b;
	ssize_t r;

	if (!wait_readable(t, fd, 3000)) {
		return false;
	}
	r = recv(fd, &b, 1, 0);
	return r == 0 || (r < 0 && errno == ECONNRESET);
}

/* Start Request (W2K+: major 2, minor 5), sender handle h, 41 bytes */
static void start_request(uint8_t out[45], uint32_t hdr_handle, uint32_t h)
{
	static const uint8_t v[45] = {
		0x00, 0x00, 0x00, 0x29,		/* Packet Length 41 */
		0x00, 0x00, 0x78, 0x00,		/* opcode word */
		0x00, 0x00, 0x00, 0x00,		/* destination handle */
		0x00, 0x00, 0x00, 0x00,		/* Start Request */
		0x00, 0x00, 0x00, 0x00,		/* sender handle */
		0x00, 0x02, 0x00, 0x05,		/* major 2, minor 5 */
		/* 21 bytes of padding */
	};

	memcpy(out, v, sizeof(v));
	put_be32(out + 8, hdr_handle);
	put_be32(out + 16, h);
}

static void map_request(uint8_t out[20], uint32_t handle)
{
	static const uint8_t v[20] = {
		0x00, 0x00, 0x00, 0x10,		/* Packet Length 16 */
		0x00, 0x00, 0x78, 0x00,
		0x00, 0x00, 0x00, 0x00,		/* destination handle */
		0x00, 0x00, 0x00, 0x03,		/* replication */
		0x00, 0x00, 0x00, 0x00,		/* RplOpCode 0: map request */
	};

	memcpy(out, v, sizeof(v));
	put_be32(out + 8, handle);
}

static void names_request(uint8_t out[44], uint32_t handle, uint32_t owner,
			  uint64_t min, uint64_t max)
{
	static const uint8_t v[44] = {
		0x00, 0x00, 0x00, 0x28,		/* Packet Length 40 */
		0x00, 0x00, 0x78, 0x00,
		0x00, 0x00, 0x00, 0x00,		/* destination handle */
		0x00, 0x00, 0x00, 0x03,		/* replication */
		0x00, 0x00, 0x00, 0x02,		/* RplOpCode 2 */
		0x00, 0x00, 0x00, 0x00,		/* owner */
		0x00, 0x00, 0x00, 0x00,		/* max hi, lo */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,		/* min hi, lo */
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01,		/* reserved ("type") */
	};

	memcpy(out, v, sizeof(v));
	put_be32(out + 8, handle);
	put_be32(out + 20, owner);
	put_be32(out + 24, (uint32_t)(max >> 32));
	put_be32(out + 28, (uint32_t)max);
	put_be32(out + 32, (uint32_t)(min >> 32));
	put_be32(out + 36, (uint32_t)min);
}

static void stop_request(uint8_t out[44], uint32_t handle, uint32_t reason)
{
	memset(out, 0, 44);
	put_be32(out, 40);
	put_be32(out + 4, WRW_OPCODE_BITS);
	put_be32(out + 8, handle);
	put_be32(out + 12, WRW_STOP_REQUEST);
	put_be32(out + 16, reason);
}

/* Associate on fd; returns the server's handle. */
static uint32_t associate(struct tctx *t, int fd, uint32_t ours)
{
	uint8_t req[45];
	uint8_t body[65536];
	ssize_t n;

	start_request(req, 0, ours);
	send_all(fd, req, sizeof(req));
	n = recv_pdu(t, fd, body, sizeof(body));
	/* Start Response: 41 bytes, padding zero ([MS-WINSRA] 2.2.4) */
	assert_int_equal(n, 41);
	assert_int_equal(get_be32(body), WRW_OPCODE_BITS);
	assert_int_equal(get_be32(body + 4), ours);
	assert_int_equal(get_be32(body + 8), WRW_START_RESPONSE);
	assert_int_equal(get_be32(body + 16), 0x00020005u);
	for (n = 20; n < 41; n++) {
		assert_int_equal(body[n], 0);
	}
	assert_int_not_equal(get_be32(body + 12), 0);
	return get_be32(body + 12);
}

static void add_local(struct tctx *t, const char *name, uint32_t ip)
{
	struct wrec r = {};

	assert_true(nbn_make(&r.name, name, 0x20, NULL));
	r.type = WREC_UNIQUE;
	r.state = WREC_ACTIVE;
	r.node = WREC_NODE_H;
	r.expire = 1900000000;
	r.registered_by = ip;
	r.num_addrs = 1;
	r.addrs[0].ip = ip;
	r.addrs[0].owner = LOCAL;
	r.addrs[0].expire = r.expire;
	assert_int_equal(wdb_put(t->db, &r, WDB_ALLOC_VERSION), TWERR_OK);
}

static void add_replica(struct tctx *t, const char *name, uint32_t owner,
			uint64_t version, enum wrec_state state)
{
	struct wrec r = {};

	assert_true(nbn_make(&r.name, name, 0x00, NULL));
	r.type = WREC_SGROUP;
	r.state = state;
	r.node = WREC_NODE_B;
	r.owner = owner;
	r.version = version;
	r.expire = 1900000000;
	r.num_addrs = 2;
	r.addrs[0].ip = 0xc6120a01u;
	r.addrs[0].owner = owner;
	r.addrs[1].ip = 0xc6120a02u;
	r.addrs[1].owner = LOCAL;
	assert_int_equal(wdb_put(t->db, &r, 0), TWERR_OK);
}

static void add_rec(struct wdb *db, const char *name, enum wrec_type type,
		    enum wrec_state st, uint32_t owner, uint64_t version,
		    uint32_t ip)
{
	struct wrec r = {};

	assert_true(nbn_make(&r.name, name, 0x20, NULL));
	r.type = type;
	r.state = st;
	r.node = WREC_NODE_H;
	r.owner = owner;
	r.version = version;
	r.expire = 1900000000;
	if (type != WREC_GROUP) {
		r.num_addrs = 1;
		r.addrs[0].ip = ip;
		r.addrs[0].owner = owner;
		r.addrs[0].expire = r.expire;
	}
	assert_int_equal(wdb_put(db, &r, 0), TWERR_OK);
}

static void expect_owner(struct wdb *db, const char *name, uint32_t owner,
			 enum wrec_type type)
{
	struct nbn_name n = {};
	struct wrec r = {};
	bool found = false;

	assert_true(nbn_make(&n, name, 0x20, NULL));
	assert_int_equal(wdb_fetch(db, &n, &r, &found), TWERR_OK);
	assert_true(found);
	assert_int_equal(r.owner, owner);
	assert_int_equal(r.type, type);
}

/* ---- tests ---- */

/* Start Request answered with a 41-byte Start Response; same handle on a
 * second start (smbtorture assoc_ctx2); Stop closes without an answer. */
static void test_start_stop(void **state)
{
	struct tctx *t = *state;
	uint8_t req[45];
	uint8_t stop[44];
	uint32_t h1, h2;
	bool ok;
	int fd;

	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	assert_int_equal(wrp_num_conns(t->srv), 1);
	h1 = associate(t, fd, 0x11223344u);
	h2 = associate(t, fd, 0x11223344u);
	assert_int_equal(h1, h2);
	/* a start whose header names our handle is the same association */
	start_request(req, h1, 0x55667788u);
	send_all(fd, req, sizeof(req));
	{
		uint8_t body[64];

		assert_int_equal(recv_pdu(t, fd, body, sizeof(body)), 41);
		assert_int_equal(get_be32(body + 4), 0x55667788u);
		assert_int_equal(get_be32(body + 12), h1);
	}
	stop_request(stop, h1, WRW_STOP_NORMAL);
	send_all(fd, stop, sizeof(stop));
	assert_true(closed_quietly(t, fd));
	assert_int_equal(wrp_num_conns(t->srv), 0);
	assert_int_equal(wrp_get_stats(t->srv)->starts, 3);
	assert_int_equal(wrp_get_stats(t->srv)->stops_in, 1);
	assert_int_equal(wrp_get_stats(t->srv)->bad_handle, 0);
	close(fd);
}

/* Two connections get different handles (random, per connection). */
static void test_handles_differ(void **state)
{
	struct tctx *t = *state;
	uint32_t h1, h2;
	bool ok;
	int a, b;

	connect_pair(t, PARTNER, &a, &ok);
	assert_true(ok);
	connect_pair(t, PARTNER, &b, &ok);
	assert_true(ok);
	h1 = associate(t, a, 1);
	h2 = associate(t, b, 2);
	assert_int_not_equal(h1, h2);
	close(a);
	close(b);
	run_for(t, 50);
	assert_int_equal(wrp_num_conns(t->srv), 0);
}

/* Class 34: a non-partner is refused at accept, before one byte. */
static void test_non_partner_refused(void **state)
{
	struct tctx *t = *state;
	bool ok;
	int fd;

	connect_pair(t, STRANGER, &fd, &ok);
	assert_false(ok);
	assert_int_equal(wrp_num_conns(t->srv), 0);
	assert_int_equal(wrp_get_stats(t->srv)->refused_partner, 1);
	assert_true(closed_quietly(t, fd));
	close(fd);
}

/* Class 34: a partner removed by a reload is cut off. */
static void test_partner_removed(void **state)
{
	struct tctx *t = *state;
	struct twconf *c2 = NULL;
	uint8_t req[20];
	bool ok;
	int a, b;
	uint32_t h;

	connect_pair(t, PARTNER, &a, &ok);
	assert_true(ok);
	connect_pair(t, PULL_ONLY, &b, &ok);
	assert_true(ok);
	h = associate(t, b, 9);
	c2 = twconf_new(t->mem);
	assert_non_null(c2);
	assert_true(twconf_add_partner(c2, PULL_ONLY, true, false));
	wrp_reconfigure(t->srv, c2);
	assert_true(closed_quietly(t, a));
	assert_int_equal(wrp_num_conns(t->srv), 1);
	/* the remaining partner is checked again on its next message */
	c2->partners[0].ip = OTHER_OWNER;
	map_request(req, h);
	send_all(b, req, sizeof(req));
	assert_true(closed_quietly(t, b));
	assert_int_equal(wrp_get_stats(t->srv)->non_partner_msgs, 2);
	wrp_reconfigure(t->srv, t->conf);
	talloc_free(c2);
	close(a);
	close(b);
}

/* Per-partner and global association caps. */
static void test_caps(void **state)
{
	struct tctx *t = *state;
	int fds[8];
	bool ok;
	int i;

	t->conf->wrepl_max_assoc_partner = 2;
	t->conf->wrepl_max_assoc = 3;
	for (i = 0; i < 2; i++) {
		connect_pair(t, PARTNER, &fds[i], &ok);
		assert_true(ok);
	}
	connect_pair(t, PARTNER, &fds[2], &ok);
	assert_false(ok);
	connect_pair(t, PULL_ONLY, &fds[3], &ok);
	assert_true(ok);
	connect_pair(t, PULL_ONLY, &fds[4], &ok);
	assert_false(ok);	/* global cap */
	assert_int_equal(wrp_get_stats(t->srv)->refused_caps, 2);
	assert_int_equal(wrp_num_conns(t->srv), 3);
	for (i = 0; i < 5; i++) {
		close(fds[i]);
	}
	run_for(t, 50);
	assert_int_equal(wrp_num_conns(t->srv), 0);
}

/* Class 25: Packet Lengths refused before any buffer grows. */
static void test_frame_caps(void **state)
{
	struct tctx *t = *state;
	static const uint32_t bad_pre[] = {
		0, 1, 11, 65, 0x7fffffffu, 0xffffffffu,
	};
	uint8_t req[45];
	size_t i;
	uint32_t h;
	bool ok;
	int fd;

	for (i = 0; i < sizeof(bad_pre) / sizeof(bad_pre[0]); i++) {
		uint8_t b[4];

		connect_pair(t, PARTNER, &fd, &ok);
		assert_true(ok);
		put_be32(b, bad_pre[i]);
		send_all(fd, b, 4);
		assert_true(closed_quietly(t, fd));
		close(fd);
	}
	assert_int_equal(wrp_get_stats(t->srv)->frames_refused,
			 sizeof(bad_pre) / sizeof(bad_pre[0]));

	/* 20 bytes hold every field of a Start Request: answered */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	{
		uint8_t small[24];
		uint8_t body[64];

		start_request(req, 0, 7);
		memcpy(small, req, sizeof(small));
		put_be32(small, 20);
		send_all(fd, small, sizeof(small));
		assert_int_equal(recv_pdu(t, fd, body, sizeof(body)), 41);
		assert_int_equal(get_be32(body + 4), 7);
	}
	close(fd);
	/* 19 bytes: framing lets it through (a Stop may be 16), the decoder
	 * refuses a Start that short and the connection ends */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	{
		uint8_t small[23];

		start_request(req, 0, 7);
		memcpy(small, req, sizeof(small));
		put_be32(small, 19);
		send_all(fd, small, sizeof(small));
		assert_true(closed_quietly(t, fd));
	}
	close(fd);

	/* 64 is the last length accepted before association: a padded
	 * Start Request of 64 bytes is answered */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	{
		uint8_t big[68] = {};

		start_request(req, 0, 7);
		memcpy(big, req, sizeof(req));
		put_be32(big, 64);
		send_all(fd, big, sizeof(big));
		assert_int_equal(recv_pdu(t, fd, big, sizeof(big)), 41);
		h = get_be32(big + 12);
	}
	/* on the association: above the request cap is refused */
	{
		uint8_t b[4];

		put_be32(b, t->ig.limits.wr_request_max + 1);
		send_all(fd, b, 4);
		assert_true(closed_quietly(t, fd));
	}
	close(fd);
	(void)h;
	assert_int_equal(wrp_num_conns(t->srv), 0);
}

/* Class 25: a partner that announces a length and stalls is timed out. */
static void test_handshake_timeout(void **state)
{
	struct tctx *t = *state;
	uint8_t b[6] = { 0x00, 0x00, 0x00, 0x29, 0x00, 0x00 };
	bool ok;
	int fd;

	t->conf->wrepl_handshake_timeout = 1;
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	send_all(fd, b, sizeof(b));	/* 2 of 41 body bytes, then nothing */
	run_for(t, 500);
	assert_int_equal(wrp_num_conns(t->srv), 1);
	assert_true(closed_quietly(t, fd));
	assert_int_equal(wrp_get_stats(t->srv)->handshake_timeouts, 1);
	close(fd);
}

/* Idle timeout on an association. */
static void test_idle_timeout(void **state)
{
	struct tctx *t = *state;
	bool ok;
	int fd;

	t->conf->wrepl_idle_timeout = 1;
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	associate(t, fd, 3);
	assert_true(closed_quietly(t, fd));
	assert_int_equal(wrp_get_stats(t->srv)->idle_timeouts, 1);
	close(fd);
}

/* Class 26: anything but a Start Request first closes the connection. */
static void test_stage_violations(void **state)
{
	struct tctx *t = *state;
	uint8_t map[20];
	uint8_t stop[44];
	uint8_t req[45];
	uint8_t buf[64];
	bool ok;
	int fd;

	/* map request before any association: 16 bytes are already below
	 * what a Start Request needs, so framing refuses it */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	map_request(map, 0);
	send_all(fd, map, sizeof(map));
	assert_true(closed_quietly(t, fd));
	close(fd);

	/* a Start Response sent to a server */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	start_request(req, 0, 1);
	put_be32(req + 12, WRW_START_RESPONSE);
	send_all(fd, req, sizeof(req));
	assert_true(closed_quietly(t, fd));
	close(fd);

	/* Start Request with major 3: silently discarded, connection ends */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	start_request(req, 0, 1);
	req[21] = 3;
	send_all(fd, req, sizeof(req));
	assert_true(closed_quietly(t, fd));
	close(fd);

	/* a Stop before any association: refused as out of stage */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	stop_request(stop, 0, 0);
	send_all(fd, stop, sizeof(stop));
	assert_true(closed_quietly(t, fd));
	close(fd);

	/* minor versions 0, 1, 6, 0xFFFF are all accepted */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	start_request(req, 0, 1);
	req[22] = 0xff;
	req[23] = 0xff;
	send_all(fd, req, sizeof(req));
	assert_int_equal(recv_pdu(t, fd, buf, sizeof(buf)), 41);
	/* a reply (map response) sent to a server ends the association */
	{
		uint8_t resp[28] = {
			0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x78, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
			0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00,
		};

		put_be32(resp + 8, get_be32(buf + 12));
		send_all(fd, resp, sizeof(resp));
	}
	assert_true(closed_quietly(t, fd));
	close(fd);
	assert_int_equal(wrp_num_conns(t->srv), 0);
	assert_int_equal(wrp_get_stats(t->srv)->frames_refused, 1);
	assert_int_equal(wrp_get_stats(t->srv)->msgs_dropped, 4);
}

/*
 * Class 27: a stranger's handle is dropped without an answer and the
 * association is stopped (only a new Start Request is accepted); handle 0
 * is told with a Stop (reason 4); a stopped handle is not accepted again.
 */
static void test_bad_handles(void **state)
{
	struct tctx *t = *state;
	uint8_t map[20];
	uint8_t buf[256];
	uint32_t h, h2;
	ssize_t n;
	bool ok;
	int fd;

	add_local(t, "HOST1", 0xc6120b01u);
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	h = associate(t, fd, 0xabcdef01u);

	/* someone else's handle: no answer, association stopped */
	map_request(map, h ^ 0x5a5a5a5au);
	send_all(fd, map, sizeof(map));
	assert_false(wait_readable(t, fd, 200));
	assert_int_equal(wrp_get_stats(t->srv)->bad_handle, 1);
	assert_int_equal(wrp_num_conns(t->srv), 1);

	/* the old handle is dead now: stage violation, connection closed */
	map_request(map, h);
	send_all(fd, map, sizeof(map));
	assert_true(closed_quietly(t, fd));
	close(fd);

	/* handle 0: a Stop Request with reason 4, then a new start works */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	h = associate(t, fd, 0x01020304u);
	map_request(map, 0);
	send_all(fd, map, sizeof(map));
	n = recv_pdu(t, fd, buf, sizeof(buf));
	assert_int_equal(n, 40);
	assert_int_equal(get_be32(buf + 4), 0x01020304u);
	assert_int_equal(get_be32(buf + 8), WRW_STOP_REQUEST);
	assert_int_equal(get_be32(buf + 12), WRW_STOP_ERROR);
	h2 = associate(t, fd, 0x01020305u);
	assert_int_not_equal(h, h2);
	/* the new association works */
	map_request(map, h2);
	send_all(fd, map, sizeof(map));
	n = recv_pdu(t, fd, buf, sizeof(buf));
	assert_int_equal(n, 24 + 24);
	/* a Stop with the old handle still ends the connection */
	{
		uint8_t stop[44];

		stop_request(stop, h, WRW_STOP_ERROR);
		send_all(fd, stop, sizeof(stop));
	}
	assert_true(closed_quietly(t, fd));
	close(fd);

	/* a Start Request naming a handle that was never given out */
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	{
		uint8_t req[45];

		start_request(req, h2, 1);
		send_all(fd, req, sizeof(req));
	}
	assert_true(closed_quietly(t, fd));
	close(fd);
	assert_int_equal(wrp_get_stats(t->srv)->bad_handle, 4);
}

/* Owner-Version Map: our owner with the current version; third owners. */
static void test_map(void **state)
{
	struct tctx *t = *state;
	struct wrw_packet *p = NULL;
	uint8_t map[20];
	uint8_t buf[1024];
	uint32_t h;
	ssize_t n;
	bool ok;
	int fd;

	add_local(t, "HOST1", 0xc6120b01u);
	add_local(t, "HOST2", 0xc6120b02u);
	add_replica(t, "GRP", OTHER_OWNER, 77, WREC_ACTIVE);
	assert_int_equal(wdb_flush(t->db), TWERR_OK);

	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	h = associate(t, fd, 0x0badcafeu);
	map_request(map, h);
	send_all(fd, map, sizeof(map));
	n = recv_pdu(t, fd, buf, sizeof(buf));
	assert_int_equal(n, 24 + 2 * 24);
	/* literal checks of the header and the first owner record */
	assert_int_equal(get_be32(buf), WRW_OPCODE_BITS);
	assert_int_equal(get_be32(buf + 4), 0x0badcafeu);
	assert_int_equal(get_be32(buf + 8), WRW_REPLICATION);
	assert_int_equal(get_be32(buf + 12), WRW_OP_MAP_RESPONSE);
	assert_int_equal(get_be32(buf + 16), 2);
	assert_int_equal(wrw_decode(t->mem, buf, (size_t)n, &p), TWERR_OK);
	assert_int_equal(p->table.num_owners, 2);
	/* sorted by address: 198.18.0.1 before 198.18.3.5 */
	assert_int_equal(p->table.owners[0].addr, LOCAL);
	assert_int_equal(p->table.owners[0].max_version, 2);
	assert_int_equal(p->table.owners[0].type, 1);
	assert_int_equal(p->table.owners[1].addr, OTHER_OWNER);
	assert_int_equal(p->table.owners[1].max_version, 77);
	assert_int_equal(p->table.initiator, 0);
	talloc_free(p);
	assert_int_equal(wrp_get_stats(t->srv)->map_requests, 1);
	close(fd);
	run_for(t, 20);
}

/* Name Records: ranges, sorting, only replicable records, other owners. */
static void test_names(void **state)
{
	struct tctx *t = *state;
	struct wrw_packet *p = NULL;
	struct wrec rel = {};
	uint8_t req[44];
	uint8_t *buf = talloc_array(t->mem, uint8_t, 65536);
	uint32_t h;
	ssize_t n;
	bool ok;
	int fd;

	assert_non_null(buf);
	add_local(t, "HOST1", 0xc6120b01u);	/* version 1 */
	add_local(t, "HOST2", 0xc6120b02u);	/* 2 */
	add_local(t, "HOST3", 0xc6120b03u);	/* 3, released below: 4 */
	{
		struct nbn_name n3 = {};
		bool found = false;

		assert_true(nbn_make(&n3, "HOST3", 0x20, NULL));
		assert_int_equal(wdb_fetch(t->db, &n3, &rel, &found),
				 TWERR_OK);
		assert_true(found);
	}
	rel.state = WREC_RELEASED;
	assert_int_equal(wdb_put(t->db, &rel, WDB_ALLOC_VERSION), TWERR_OK);
	add_replica(t, "GRP", OTHER_OWNER, 77, WREC_TOMBSTONE);
	/* not flushed: the server must commit before it answers */
	assert_true(wdb_batch_pending(t->db));

	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	h = associate(t, fd, 0x42u);

	/* min 1, max 0 (no upper bound): versions 1 and 2, not released 4 */
	names_request(req, h, LOCAL, 1, 0);
	send_all(fd, req, sizeof(req));
	n = recv_pdu(t, fd, buf, 65536);
	assert_false(wdb_batch_pending(t->db));
	assert_int_equal(wrw_decode(t->mem, buf, (size_t)n, &p), TWERR_OK);
	assert_int_equal(p->mess_type, WRW_REPLICATION);
	assert_int_equal(p->opcode, WRW_OP_NAMES_RESPONSE);
	assert_int_equal(p->assoc_handle, 0x42u);
	assert_int_equal(p->names.num_records, 2);
	assert_int_equal(p->names.records[0].version, 1);
	assert_int_equal(p->names.records[1].version, 2);
	assert_memory_equal(p->names.records[0].name.raw, "HOST1", 5);
	assert_int_equal(p->names.records[0].ip, 0xc6120b01u);
	assert_false(p->names.records[0].replica);
	TALLOC_FREE(p);

	/* [2, 2] */
	names_request(req, h, LOCAL, 2, 2);
	send_all(fd, req, sizeof(req));
	n = recv_pdu(t, fd, buf, 65536);
	assert_int_equal(wrw_decode(t->mem, buf, (size_t)n, &p), TWERR_OK);
	assert_int_equal(p->names.num_records, 1);
	assert_int_equal(p->names.records[0].version, 2);
	TALLOC_FREE(p);

	/* min > max: empty, 20 bytes */
	names_request(req, h, LOCAL, 3, 2);
	send_all(fd, req, sizeof(req));
	n = recv_pdu(t, fd, buf, 65536);
	assert_int_equal(n, 20);
	assert_int_equal(get_be32(buf + 16), 0);

	/* unknown owner: empty */
	names_request(req, h, 0xc6120909u, 1, 0);
	send_all(fd, req, sizeof(req));
	n = recv_pdu(t, fd, buf, 65536);
	assert_int_equal(n, 20);

	/* a third owner's tombstone special group, with its members */
	names_request(req, h, OTHER_OWNER, 0, 0);
	send_all(fd, req, sizeof(req));
	n = recv_pdu(t, fd, buf, 65536);
	assert_int_equal(wrw_decode(t->mem, buf, (size_t)n, &p), TWERR_OK);
	assert_int_equal(p->names.num_records, 1);
	assert_int_equal(p->names.records[0].type, WREC_SGROUP);
	assert_int_equal(p->names.records[0].state, WREC_TOMBSTONE);
	assert_true(p->names.records[0].replica);
	assert_int_equal(p->names.records[0].num_addrs, 2);
	assert_int_equal(p->names.records[0].addrs[1].owner, LOCAL);
	TALLOC_FREE(p);

	/* the cap on records per response */
	t->conf->wrepl_max_records = 1;
	names_request(req, h, LOCAL, 1, 0);
	send_all(fd, req, sizeof(req));
	n = recv_pdu(t, fd, buf, 65536);
	assert_int_equal(wrw_decode(t->mem, buf, (size_t)n, &p), TWERR_OK);
	assert_int_equal(p->names.num_records, 1);
	TALLOC_FREE(p);
	assert_int_equal(wrp_get_stats(t->srv)->records_sent, 5);
	close(fd);
	run_for(t, 20);
	talloc_free(buf);
}

/* Roles: a partner we only pull from may not query our records; it may
 * notify.  A push-only partner may not notify. */
/*
 * The partner's side of an UPDATE turnaround: expect our Name Records
 * Request on fd (carrying the partner's handle ours, versions min..max),
 * answer with one unique record TURNED<20> of version version, expect a
 * Stop of reason.
 */
static void update_turnaround(struct tctx *t, int fd, uint32_t h,
			      uint32_t ours, uint32_t min, uint32_t max,
			      uint32_t version, uint32_t reason)
{
	uint8_t buf[256];
	uint8_t resp[72] = {
		0x00, 0x00, 0x00, 0x44,	/* 68 */
		0x00, 0x00, 0x78, 0x00,
		0x00, 0x00, 0x00, 0x00,	/* handle */
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x03,	/* Name Records Response */
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x11,	/* Name Length 17 */
		'T', 'U', 'R', 'N', 'E', 'D', ' ', ' ',
		' ', ' ', ' ', ' ', ' ', ' ', ' ', 0x20,
		0x00, 0x00, 0x00, 0x00,	/* NUL, pad 3 */
		0x00, 0x00, 0x00, 0x60,	/* unique, active, H */
		0x00, 0x00, 0x00, 0x00,	/* group word */
		0x00, 0x00, 0x00, 0x00,	/* version hi */
		0x00, 0x00, 0x00, 0x00,	/* version lo */
		0xc6, 0x12, 0x02, 0x63,	/* 198.18.2.99 */
		0xff, 0xff, 0xff, 0xff,
	};
	ssize_t n;

	n = recv_pdu(t, fd, buf, sizeof(buf));
	assert_int_equal(n, 40);
	assert_int_equal(get_be32(buf + 4), ours);
	assert_int_equal(get_be32(buf + 8), WRW_REPLICATION);
	assert_int_equal(get_be32(buf + 12), WRW_OP_NAMES_REQUEST);
	assert_int_equal(get_be32(buf + 16), 0xc61202ca);
	assert_int_equal(get_be32(buf + 24), max);	/* max lo */
	assert_int_equal(get_be32(buf + 32), min);	/* min lo */
	put_be32(resp + 8, h);
	put_be32(resp + 60, version);
	send_all(fd, resp, sizeof(resp));
	n = recv_pdu(t, fd, buf, sizeof(buf));
	assert_int_equal(n, 40);
	assert_int_equal(get_be32(buf + 8), WRW_STOP_REQUEST);
	assert_int_equal(get_be32(buf + 12), reason);
	assert_true(closed_quietly(t, fd));
}

static void test_roles(void **state)
{
	struct tctx *t = *state;
	uint8_t map[20];
	uint8_t buf[256];
	uint32_t h;
	ssize_t n;
	bool ok;
	int fd;

	connect_pair(t, PULL_ONLY, &fd, &ok);
	assert_true(ok);
	h = associate(t, fd, 5);
	map_request(map, h);
	send_all(fd, map, sizeof(map));
	n = recv_pdu(t, fd, buf, sizeof(buf));
	assert_int_equal(n, 40);
	assert_int_equal(get_be32(buf + 8), WRW_STOP_REQUEST);
	assert_int_equal(get_be32(buf + 12), WRW_STOP_ERROR);
	assert_true(closed_quietly(t, fd));
	close(fd);
	assert_int_equal(wrp_get_stats(t->srv)->role_refused, 1);

	/* INFORM from a pull partner: no answer, association stays */
	connect_pair(t, PULL_ONLY, &fd, &ok);
	assert_true(ok);
	h = associate(t, fd, 6);
	{
		uint8_t inform[52] = {
			0x00, 0x00, 0x00, 0x30,	/* 48 */
			0x00, 0x00, 0x78, 0x00,
			0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x03,
			0x00, 0x00, 0x00, 0x08,	/* INFORM */
			0x00, 0x00, 0x00, 0x01,	/* one owner */
			0xc6, 0x12, 0x02, 0xca,	/* owner 198.18.2.202 */
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
			0x00, 0x00, 0x00, 0x01,
			0xc6, 0x12, 0x02, 0xca,	/* initiator */
		};

		put_be32(inform + 8, h);
		send_all(fd, inform, sizeof(inform));
		assert_false(wait_readable(t, fd, 200));
		assert_int_equal(wrp_get_stats(t->srv)->notifications, 1);
		/*
		 * UPDATE turns the connection around: we ask for what we
		 * lack of the owner it names (versions 1..9), apply the
		 * answer and end with a normal Stop.
		 */
		inform[19] = WRW_OP_UPDATE;
		send_all(fd, inform, sizeof(inform));
		update_turnaround(t, fd, h, 6, 1, 9, 5, WRW_STOP_NORMAL);
		expect_owner(t->db, "TURNED", 0xc61202ca, WREC_UNIQUE);
		close(fd);

		/* class 32: a record outside the asked range: Stop 4 */
		connect_pair(t, PULL_ONLY, &fd, &ok);
		assert_true(ok);
		h = associate(t, fd, 8);
		put_be32(inform + 8, h);
		put_be32(inform + 32, 20);	/* max version 20 */
		send_all(fd, inform, sizeof(inform));
		/* we hold version 5 now: only 6..20 is asked for */
		update_turnaround(t, fd, h, 8, 6, 20, 21, WRW_STOP_ERROR);
		close(fd);
		put_be32(inform + 32, 9);

		/* a push-only partner may not notify */
		t->conf->partners[1].pull = false;
		t->conf->partners[1].push = true;
		connect_pair(t, PULL_ONLY, &fd, &ok);
		assert_true(ok);
		h = associate(t, fd, 7);
		put_be32(inform + 8, h);
		inform[19] = WRW_OP_INFORM2;
		send_all(fd, inform, sizeof(inform));
		n = recv_pdu(t, fd, buf, sizeof(buf));
		assert_int_equal(n, 40);
		assert_int_equal(get_be32(buf + 12), WRW_STOP_ERROR);
		assert_true(closed_quietly(t, fd));
		close(fd);
	}
	assert_int_equal(wrp_get_stats(t->srv)->role_refused, 2);
}

/*
 * Class 35 over real TCP on 127.0.0.1: the peer resets the connection
 * right after each request type; the server tears the association down
 * once and keeps serving.
 */
static void test_rst_after_requests(void **state)
{
	struct tctx *t = *state;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char *err = NULL;
	int kind;
	int i;

	/* a high port of our own; loopback as a partner for this test */
	t->conf->wrepl_port = (uint16_t)(40000 + (getpid() % 20000));
	assert_true(twconf_add_partner(t->conf, LOOPBACK, true, true));
	if (!wrp_listen(t->srv, t->mem, &err)) {
		print_message("listen failed: %s\n", err);
		fail();
	}
	add_local(t, "HOST1", 0xc6120b01u);
	sin.sin_port = htons(t->conf->wrepl_port);
	sin.sin_addr.s_addr = htonl(LOOPBACK);
	for (kind = 0; kind < 5; kind++) {
		uint8_t req[64] = {};
		size_t len = 0;
		uint32_t h = 0;
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		assert_true(fd >= 0);
		assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		/* let the server accept */
		for (i = 0; i < 100 && wrp_num_conns(t->srv) == 0; i++) {
			run_for(t, 10);
		}
		assert_int_equal(poll(&p, 1, 1000), 1);
		assert_int_equal(fcntl(fd, F_SETFL, 0), 0);
		assert_int_equal(wrp_num_conns(t->srv), 1);
		if (kind > 0) {
			h = associate(t, fd, 0x77u);
		}
		switch (kind) {
		case 0:
			start_request(req, 0, 1);
			len = 45;
			break;
		case 1:
			map_request(req, h);
			len = 20;
			break;
		case 2:
			names_request(req, h, LOCAL, 1, 0);
			len = 44;
			break;
		case 3:
			stop_request(req, h, WRW_STOP_ERROR);
			len = 44;
			break;
		case 4:
			/* half a request */
			names_request(req, h, LOCAL, 1, 0);
			len = 20;
			break;
		}
		send_all(fd, req, len);
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg,
					    sizeof(lg)), 0);
		close(fd);	/* RST */
		for (i = 0; i < 100 && wrp_num_conns(t->srv) > 0; i++) {
			run_for(t, 10);
		}
		assert_int_equal(wrp_num_conns(t->srv), 0);
	}
	assert_int_equal(wrp_get_stats(t->srv)->closed, 5);
	assert_int_equal(wrp_get_stats(t->srv)->accepted, 5);
	/* a connection from a non-partner address of loopback is refused */
	{
		struct sockaddr_in me = {
			.sin_family = AF_INET,
			.sin_addr.s_addr = htonl(0x7f000002u),
		};
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		uint8_t b;

		assert_int_equal(bind(fd, (struct sockaddr *)&me,
				      sizeof(me)), 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&sin,
					 sizeof(sin)), 0);
		for (i = 0; i < 100 &&
			    wrp_get_stats(t->srv)->refused_partner == 0;
		     i++) {
			run_for(t, 10);
		}
		assert_int_equal(wrp_get_stats(t->srv)->refused_partner, 1);
		assert_true(recv(fd, &b, 1, 0) <= 0);
		close(fd);
	}
}

/* Class 35: a half-closed peer still gets its answer, then the end. */
static void test_half_close(void **state)
{
	struct tctx *t = *state;
	uint8_t map[20];
	uint8_t buf[256];
	uint32_t h;
	bool ok;
	int fd;

	add_local(t, "HOST1", 0xc6120b01u);
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	h = associate(t, fd, 0x99u);
	map_request(map, h);
	send_all(fd, map, sizeof(map));
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_int_equal(recv_pdu(t, fd, buf, sizeof(buf)), 48);
	assert_true(closed_quietly(t, fd));
	assert_int_equal(wrp_num_conns(t->srv), 0);
	assert_int_equal(wrp_get_stats(t->srv)->closed, 1);
	close(fd);
}

/* A peer that never reads a large response: the send side is bounded
 * and the idle timer ends it (class 35, zero window). */
static void test_slow_reader(void **state)
{
	struct tctx *t = *state;
	uint8_t req[44];
	uint32_t h;
	bool ok;
	int fd;
	int i;
	int sz = 4096;

	for (i = 0; i < 3000; i++) {
		char name[16];

		snprintf(name, sizeof(name), "N%06d", i);
		add_local(t, name, 0xc6120000u + (uint32_t)i + 1);
	}
	assert_int_equal(wdb_flush(t->db), TWERR_OK);
	t->conf->wrepl_idle_timeout = 1;
	connect_pair(t, PARTNER, &fd, &ok);
	assert_true(ok);
	h = associate(t, fd, 1);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	names_request(req, h, LOCAL, 1, 0);
	send_all(fd, req, sizeof(req));
	for (i = 0; i < 300 && wrp_num_conns(t->srv) > 0; i++) {
		run_for(t, 10);
	}
	assert_int_equal(wrp_num_conns(t->srv), 0);
	assert_int_equal(wrp_get_stats(t->srv)->idle_timeouts, 1);
	close(fd);
}

/*
 * Class 33: a storm of notifications from a pull partner causes one pull,
 * and the next one no sooner than the spacing allows.  Nothing listens at
 * the partner's (loopback) address, so each pull fails at connect.
 */
static void test_notify_storm(void **state)
{
	struct tctx *t = *state;
	uint8_t inform[52] = {
		0x00, 0x00, 0x00, 0x30,
		0x00, 0x00, 0x78, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x09,	/* INFORM2 */
		0x00, 0x00, 0x00, 0x01,
		0xc6, 0x12, 0x03, 0x05,	/* owner 198.18.3.5 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0xc6, 0x12, 0x03, 0x05,	/* initiator */
	};
	uint32_t h;
	bool ok;
	int fd;
	int i;

	connect_pair(t, PULL_ONLY, &fd, &ok);
	assert_true(ok);
	h = associate(t, fd, 0x31u);
	put_be32(inform + 8, h);
	for (i = 0; i < 20; i++) {
		send_all(fd, inform, sizeof(inform));
		run_for(t, 10);
	}
	run_for(t, 100);
	assert_int_equal(wrp_get_stats(t->srv)->notifications, 20);
	assert_int_equal(wrp_get_stats(t->srv)->pulls, 1);
	assert_int_equal(wrp_get_stats(t->srv)->pulls_failed, 1);
	assert_int_equal(wrp_num_pulls(t->srv), 0);
	/* the association is still there: INFORM gets no answer */
	assert_int_equal(wrp_num_conns(t->srv), 1);
	close(fd);
	run_for(t, 20);
}

/* ---- pull side ---- */

#define OWNER_B 0xc6120002u	/* 198.18.0.2: server B's owner address */
#define FOURTH_OWNER 0xc6120306u	/* 198.18.3.6 */

/*
 * A failed pull is tried again after the retry interval, at most
 * tdbwins:pull retries times in a row; then nothing until the next
 * trigger.  Nothing listens at PULL_ONLY's port: every pull fails.
 */
static void test_pull_retries(void **state)
{
	struct tctx *t = *state;

	t->conf->pull_retries = 2;
	t->conf->pull_retry_interval = 1;
	assert_true(wrp_pull_now(t->srv, PULL_ONLY));
	run_for(t, 3500);
	assert_int_equal(wrp_get_stats(t->srv)->pulls, 3);
	assert_int_equal(wrp_get_stats(t->srv)->pulls_failed, 3);
	assert_int_equal(wrp_get_stats(t->srv)->pull_retries, 2);
	run_for(t, 1500);
	assert_int_equal(wrp_get_stats(t->srv)->pulls, 3);

	/* a new trigger starts a new series; 0 retries: none at all */
	t->conf->pull_retries = 0;
	assert_true(wrp_pull_now(t->srv, PULL_ONLY));
	run_for(t, 1500);
	assert_int_equal(wrp_get_stats(t->srv)->pulls, 4);
	assert_int_equal(wrp_get_stats(t->srv)->pull_retries, 2);
}

static bool g_pull_done;
static enum twerr g_pull_err;
static struct wrp_pull_result g_pull_res;

static void pull_done(struct tevent_req *req)
{
	g_pull_err = wrp_pull_recv(req, &g_pull_res);
	talloc_free(req);
	g_pull_done = true;
}

/* run one pull cycle from 127.0.0.1:port to completion */
static enum twerr pull_once(struct tctx *t, struct wdb *db, uint16_t port,
			    struct wrp_pull_result *res)
{
	struct tevent_req *req = NULL;
	int i;

	g_pull_done = false;
	req = wrp_pull_send(t->mem, t->ev, t->conf, db, &t->ig, LOOPBACK,
			    port, LOOPBACK);
	assert_non_null(req);
	tevent_req_set_callback(req, pull_done, NULL);
	for (i = 0; i < 500 && !g_pull_done; i++) {
		run_for(t, 10);
	}
	assert_true(g_pull_done);
	*res = g_pull_res;
	return g_pull_err;
}

/*
 * Server A (the test's store, owner 198.18.0.1) pulls from server B (a
 * second store and server in this process, owner 198.18.0.2, listening
 * on 127.0.0.1): B's own records and B's replica of a third owner are
 * taken, A's own name that B also holds (from another owner) is kept, a
 * second pull takes only what is new.
 */
static void test_pull_from_server(void **state)
{
	struct tctx *t = *state;
	struct twconf *cb = NULL;
	struct wdb *db_b = NULL;
	struct wrp_server *srv_b = NULL;
	struct wdb_config cfg = {};
	struct wrp_pull_result res = {};
	struct twconf_iface lo = { .ip = LOOPBACK, .mask = 0xff000000u };
	char path_b[160];
	char *err = NULL;
	struct wrec r = {};
	bool found = false;
	struct nbn_name n = {};
	struct wdb *db_a = t->db;

	/* B: its own store and server, loopback (the puller) a partner */
	snprintf(path_b, sizeof(path_b), "%s/b.tdb", t->dir);
	cfg.path = path_b;
	cfg.local_owner = OWNER_B;
	cfg.nosync = true;
	assert_int_equal(wdb_open(t->mem, t->ev, &cfg, &db_b), TWERR_OK);
	cb = twconf_new(t->mem);
	assert_non_null(cb);
	assert_true(twconf_add_iface(cb, &lo));
	cb->local_owner = OWNER_B;
	cb->wrepl_port = (uint16_t)(40000 + ((getpid() + 7) % 20000));
	assert_true(twconf_add_partner(cb, LOOPBACK, true, true));
	assert_null(twconf_check(t->mem, cb));
	srv_b = wrp_server_create(t->mem, t->ev, cb, db_b, &t->ig);
	assert_non_null(srv_b);
	if (!wrp_listen(srv_b, t->mem, &err)) {
		print_message("listen failed: %s\n", err);
		fail();
	}

	/* B's records: two own names, one replica of a third owner, and
	 * a name A owns itself */
	t->db = db_b;
	add_local(t, "BHOST1", 0xc6120c01u);
	add_local(t, "BHOST2", 0xc6120c02u);
	add_replica(t, "GRP", OTHER_OWNER, 77, WREC_ACTIVE);
	add_local(t, "SHARED", 0xc6120c03u);
	/* third-owner conflicts (PROTOCOL.md 3.6 table A): what B holds
	 * of OTHER_OWNER against what A holds of a fourth server */
	add_rec(db_b, "CONFU", WREC_UNIQUE, WREC_ACTIVE, OTHER_OWNER, 78,
		0xc6120d01u);
	add_rec(db_b, "CONFG", WREC_UNIQUE, WREC_ACTIVE, OTHER_OWNER, 79,
		0xc6120d02u);
	add_rec(db_b, "CONFT", WREC_SGROUP, WREC_ACTIVE, OTHER_OWNER, 80,
		0xc6120d03u);
	add_rec(db_b, "CONFS", WREC_UNIQUE, WREC_ACTIVE, OTHER_OWNER, 81,
		0xc6120d04u);
	t->db = db_a;
	add_local(t, "SHARED", 0xc6120b03u);
	add_rec(db_a, "CONFU", WREC_UNIQUE, WREC_ACTIVE, FOURTH_OWNER, 5,
		0xc6120e01u);	/* U,A vs U,A: replaced */
	add_rec(db_a, "CONFG", WREC_GROUP, WREC_ACTIVE, FOURTH_OWNER, 6,
		0);		/* G,A: kept */
	add_rec(db_a, "CONFT", WREC_UNIQUE, WREC_TOMBSTONE, FOURTH_OWNER, 7,
		0xc6120e03u);	/* U,T vs S,A: replaced */
	add_rec(db_a, "CONFS", WREC_MHOMED, WREC_ACTIVE, FOURTH_OWNER, 8,
		0xc6120e04u);	/* static below: kept (rule 2) */
	{
		struct nbn_name nm = {};
		struct wrec r = {};
		bool found = false;

		assert_true(nbn_make(&nm, "CONFS", 0x20, NULL));
		assert_int_equal(wdb_fetch(db_a, &nm, &r, &found), TWERR_OK);
		r.is_static = true;
		assert_int_equal(wdb_put(db_a, &r, 0), TWERR_OK);
	}
	assert_int_equal(wdb_flush(db_a), TWERR_OK);

	assert_int_equal(pull_once(t, db_a, cb->wrepl_port, &res), TWERR_OK);
	assert_int_equal(res.owners_pulled, 2);
	assert_int_equal(res.records_received, 8);
	assert_int_equal(res.records_applied, 5);
	assert_int_equal(res.records_kept, 3);
	assert_false(wdb_batch_pending(db_a));
	expect_owner(db_a, "CONFU", OTHER_OWNER, WREC_UNIQUE);
	expect_owner(db_a, "CONFG", FOURTH_OWNER, WREC_GROUP);
	expect_owner(db_a, "CONFT", OTHER_OWNER, WREC_SGROUP);
	expect_owner(db_a, "CONFS", FOURTH_OWNER, WREC_MHOMED);

	assert_true(nbn_make(&n, "BHOST2", 0x20, NULL));
	assert_int_equal(wdb_fetch(db_a, &n, &r, &found), TWERR_OK);
	assert_true(found);
	assert_int_equal(r.owner, OWNER_B);
	assert_int_equal(r.version, 2);
	assert_int_equal(r.addrs[0].ip, 0xc6120c02u);
	assert_true(nbn_make(&n, "GRP", 0x00, NULL));
	assert_int_equal(wdb_fetch(db_a, &n, &r, &found), TWERR_OK);
	assert_true(found);
	assert_int_equal(r.owner, OTHER_OWNER);
	assert_int_equal(r.version, 77);
	assert_int_equal(r.num_addrs, 2);
	assert_true(nbn_make(&n, "SHARED", 0x20, NULL));
	assert_int_equal(wdb_fetch(db_a, &n, &r, &found), TWERR_OK);
	assert_int_equal(r.owner, LOCAL);	/* ours, kept */
	/* our counter was not touched by B's versions */
	assert_int_equal(wdb_current_version(db_a), 1);

	/*
	 * Nothing new: the kept SHARED (B's version 3) and CONFS
	 * (OTHER_OWNER's 81) are not asked for again, the watermarks of
	 * both owners (wdb_owner_seen) are at them.
	 */
	assert_int_equal(pull_once(t, db_a, cb->wrepl_port, &res), TWERR_OK);
	assert_int_equal(res.owners_pulled, 0);
	assert_int_equal(res.records_received, 0);
	assert_int_equal(res.records_kept, 0);
	/* one new name on B: exactly that one comes */
	t->db = db_b;
	add_local(t, "BHOST3", 0xc6120c04u);
	t->db = db_a;
	assert_int_equal(pull_once(t, db_a, cb->wrepl_port, &res), TWERR_OK);
	assert_int_equal(res.owners_pulled, 1);
	assert_int_equal(res.records_received, 1);
	assert_int_equal(res.records_applied, 1);
	assert_int_equal(res.records_kept, 0);
	assert_int_equal(pull_once(t, db_a, cb->wrepl_port, &res), TWERR_OK);
	assert_int_equal(res.owners_pulled, 0);

	/* B's server saw four map requests and 2 + 0 + 1 + 0 names
	 * requests */
	assert_int_equal(wrp_get_stats(srv_b)->map_requests, 4);
	assert_int_equal(wrp_get_stats(srv_b)->names_requests, 3);
	for (int i = 0; i < 20 && wrp_num_conns(srv_b) > 0; i++) {
		run_for(t, 10);
	}
	assert_int_equal(wrp_num_conns(srv_b), 0);
	assert_int_equal(wrp_get_stats(srv_b)->stops_in, 4);

	/* a partner that is not a push partner of B is refused */
	cb->partners[0].push = false;
	assert_int_equal(pull_once(t, db_a, cb->wrepl_port, &res),
			 TWERR_BAD_VALUE);

	/* nothing listening: the pull fails, nothing changes */
	TALLOC_FREE(srv_b);
	assert_int_equal(pull_once(t, db_a, cb->wrepl_port, &res), TWERR_IO);

	TALLOC_FREE(db_b);
	unlink(path_b);
	talloc_free(cb);
}

/*
 * Class 32: a partner answering with records outside the requested range
 * (or with a wrong handle) gets nothing stored.  The partner is played by
 * the test on a listening socket.
 */
static void fake_partner_step(struct tctx *t, int fd, uint8_t *buf,
			      size_t cap, ssize_t *n)
{
	*n = recv_pdu(t, fd, buf, cap);
}

static void test_pull_hostile(void **state)
{
	struct tctx *t = *state;
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(LOOPBACK),
	};
	struct tevent_req *req = NULL;
	uint16_t port = (uint16_t)(40000 + ((getpid() + 13) % 20000));
	int one = 1;
	int lfd;
	int round;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_port = htons(port);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 4), 0);

	for (round = 0; round < 3; round++) {
		uint8_t buf[1024];
		uint8_t out[256] = {};
		uint32_t their = 0;
		ssize_t n;
		int fd = -1;
		int i;

		g_pull_done = false;
		req = wrp_pull_send(t->mem, t->ev, t->conf, t->db, &t->ig,
				    LOOPBACK, port, LOOPBACK);
		assert_non_null(req);
		tevent_req_set_callback(req, pull_done, NULL);
		for (i = 0; i < 100 && fd < 0; i++) {
			struct pollfd p = { .fd = lfd, .events = POLLIN };

			run_for(t, 10);
			if (poll(&p, 1, 10) == 1) {
				fd = accept(lfd, NULL, NULL);
			}
		}
		assert_true(fd >= 0);
		/* Start Request: answer with handle 0x1234 */
		fake_partner_step(t, fd, buf, sizeof(buf), &n);
		assert_int_equal(n, 41);
		their = get_be32(buf + 12);
		start_request(out, round == 2 ? their ^ 1 : their, 0x1234);
		put_be32(out + 12, WRW_START_RESPONSE);
		send_all(fd, out, 45);
		if (round == 2) {
			/* a wrong handle in the Start Response: the puller
			 * gives up without another request */
			for (i = 0; i < 100 && !g_pull_done; i++) {
				run_for(t, 10);
			}
			assert_true(g_pull_done);
			assert_int_equal(g_pull_err, TWERR_BAD_HEADER);
			close(fd);
			continue;
		}
		/* Map Request: one owner, max version 5 */
		fake_partner_step(t, fd, buf, sizeof(buf), &n);
		assert_int_equal(n, 16);
		assert_int_equal(get_be32(buf + 4), 0x1234);
		{
			static const uint8_t map[52] = {
				0x00, 0x00, 0x00, 0x30,
				0x00, 0x00, 0x78, 0x00,
				0x00, 0x00, 0x00, 0x00,	/* handle */
				0x00, 0x00, 0x00, 0x03,
				0x00, 0x00, 0x00, 0x01,	/* map response */
				0x00, 0x00, 0x00, 0x01,	/* one owner */
				0xc6, 0x12, 0x03, 0x05,	/* 198.18.3.5 */
				0x00, 0x00, 0x00, 0x00,	/* max 5 */
				0x00, 0x00, 0x00, 0x05,
				0x00, 0x00, 0x00, 0x00,	/* min 1 */
				0x00, 0x00, 0x00, 0x01,
				0x00, 0x00, 0x00, 0x01,
				0x00, 0x00, 0x00, 0x00,
			};

			memcpy(out, map, sizeof(map));
			put_be32(out + 8, their);
			send_all(fd, out, sizeof(map));
		}
		/* Name Records Request for [1, 5] */
		fake_partner_step(t, fd, buf, sizeof(buf), &n);
		assert_int_equal(n, 40);
		assert_int_equal(get_be32(buf + 16), OTHER_OWNER);
		assert_int_equal(get_be32(buf + 24), 5);	/* max lo */
		assert_int_equal(get_be32(buf + 32), 1);	/* min lo */
		{
			/* one unique record, version 5 or 9 */
			static const uint8_t names[72] = {
				0x00, 0x00, 0x00, 0x44,	/* 68 */
				0x00, 0x00, 0x78, 0x00,
				0x00, 0x00, 0x00, 0x00,	/* handle */
				0x00, 0x00, 0x00, 0x03,
				0x00, 0x00, 0x00, 0x03,	/* names response */
				0x00, 0x00, 0x00, 0x01,	/* one record */
				0x00, 0x00, 0x00, 0x11,	/* name length 17 */
				'E', 'V', 'I', 'L', ' ', ' ', ' ', ' ',
				' ', ' ', ' ', ' ', ' ', ' ', ' ', 0x20,
				0x00,
				0x00, 0x00, 0x00,	/* padding to 4 */
				0x00, 0x00, 0x00, 0x00,	/* flags: U, A */
				0x00, 0x00, 0x00, 0x00,	/* group 0 */
				0x00, 0x00, 0x00, 0x00,	/* version hi */
				0x00, 0x00, 0x00, 0x05,	/* version lo */
				0xc6, 0x12, 0x0d, 0x01,	/* 198.18.13.1 */
				0xff, 0xff, 0xff, 0xff,
			};

			memcpy(out, names, sizeof(names));
			put_be32(out + 8, their);
			if (round == 0) {
				out[63] = 9;	/* outside [1, 5] */
			}
			send_all(fd, out, sizeof(names));
		}
		if (round == 1) {
			/* accepted: the Stop Request follows */
			fake_partner_step(t, fd, buf, sizeof(buf), &n);
			assert_int_equal(n, 40);
			assert_int_equal(get_be32(buf + 8), WRW_STOP_REQUEST);
			assert_int_equal(get_be32(buf + 12), WRW_STOP_NORMAL);
		}
		for (i = 0; i < 100 && !g_pull_done; i++) {
			run_for(t, 10);
		}
		assert_true(g_pull_done);
		{
			struct nbn_name nm = {};
			struct wrec r = {};
			bool found = false;

			assert_true(nbn_make(&nm, "EVIL", 0x20, NULL));
			assert_int_equal(wdb_fetch(t->db, &nm, &r, &found),
					 TWERR_OK);
			if (round == 0) {
				assert_int_equal(g_pull_err, TWERR_BAD_VALUE);
				assert_false(found);
			} else {
				assert_int_equal(g_pull_err, TWERR_OK);
				assert_true(found);
				assert_int_equal(r.owner, OTHER_OWNER);
				assert_int_equal(r.version, 5);
			}
		}
		close(fd);
	}
	close(lfd);
}

/*
 * One pull cycle from the test playing a partner on lfd that advertises
 * OTHER_OWNER up to max_v: expect the Name Records Request for
 * [want_min, max_v] (none when want_min is 0: the Stop follows the map)
 * and answer with KEEPME<20> of version rec_v (no record if rec_v is 0).
 */
static void seen_pull_round(struct tctx *t, int lfd, uint16_t port,
			    uint32_t max_v, uint32_t want_min, uint32_t rec_v,
			    struct wrp_pull_result *res)
{
	static const uint8_t map[52] = {
		0x00, 0x00, 0x00, 0x30,
		0x00, 0x00, 0x78, 0x00,
		0x00, 0x00, 0x00, 0x00,	/* handle */
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x01,	/* map response */
		0x00, 0x00, 0x00, 0x01,	/* one owner */
		0xc6, 0x12, 0x03, 0x05,	/* 198.18.3.5 */
		0x00, 0x00, 0x00, 0x00,	/* max hi */
		0x00, 0x00, 0x00, 0x00,	/* max lo (set below) */
		0x00, 0x00, 0x00, 0x00,	/* min 1 */
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00,
	};
	/* one dynamic unique active record, version set below */
	static const uint8_t names[72] = {
		0x00, 0x00, 0x00, 0x44,	/* 68 */
		0x00, 0x00, 0x78, 0x00,
		0x00, 0x00, 0x00, 0x00,	/* handle */
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x03,	/* names response */
		0x00, 0x00, 0x00, 0x01,	/* one record */
		0x00, 0x00, 0x00, 0x11,	/* name length 17 */
		'K', 'E', 'E', 'P', 'M', 'E', ' ', ' ',
		' ', ' ', ' ', ' ', ' ', ' ', ' ', 0x20,
		0x00,
		0x00, 0x00, 0x00,	/* padding to 4 */
		0x00, 0x00, 0x00, 0x00,	/* flags: U, A, dynamic */
		0x00, 0x00, 0x00, 0x00,	/* group 0 */
		0x00, 0x00, 0x00, 0x00,	/* version hi */
		0x00, 0x00, 0x00, 0x00,	/* version lo */
		0xc6, 0x12, 0x0d, 0x07,	/* 198.18.13.7 */
		0xff, 0xff, 0xff, 0xff,
	};
	/* a Name Records Response without records */
	static const uint8_t empty[24] = {
		0x00, 0x00, 0x00, 0x14,	/* 20 */
		0x00, 0x00, 0x78, 0x00,
		0x00, 0x00, 0x00, 0x00,	/* handle */
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x03,	/* names response */
		0x00, 0x00, 0x00, 0x00,	/* no record */
	};
	struct tevent_req *req = NULL;
	uint8_t buf[1024];
	uint8_t out[256] = {};
	uint32_t their;
	ssize_t n;
	int fd = -1;
	int i;

	g_pull_done = false;
	req = wrp_pull_send(t->mem, t->ev, t->conf, t->db, &t->ig, LOOPBACK,
			    port, LOOPBACK);
	assert_non_null(req);
	tevent_req_set_callback(req, pull_done, NULL);
	for (i = 0; i < 100 && fd < 0; i++) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		run_for(t, 10);
		if (poll(&p, 1, 10) == 1) {
			fd = accept(lfd, NULL, NULL);
		}
	}
	assert_true(fd >= 0);
	n = recv_pdu(t, fd, buf, sizeof(buf));
	assert_int_equal(n, 41);
	their = get_be32(buf + 12);
	start_request(out, their, 0x1234);
	put_be32(out + 12, WRW_START_RESPONSE);
	send_all(fd, out, 45);

	n = recv_pdu(t, fd, buf, sizeof(buf));
	assert_int_equal(n, 16);
	memcpy(out, map, sizeof(map));
	put_be32(out + 8, their);
	put_be32(out + 32, max_v);
	send_all(fd, out, sizeof(map));

	n = recv_pdu(t, fd, buf, sizeof(buf));
	assert_int_equal(n, 40);
	if (want_min != 0) {
		assert_int_equal(get_be32(buf + 8), WRW_REPLICATION);
		assert_int_equal(get_be32(buf + 12), WRW_OP_NAMES_REQUEST);
		assert_int_equal(get_be32(buf + 16), OTHER_OWNER);
		assert_int_equal(get_be32(buf + 24), max_v);	/* max lo */
		assert_int_equal(get_be32(buf + 32), want_min);	/* min lo */
		if (rec_v != 0) {
			memcpy(out, names, sizeof(names));
			put_be32(out + 60, rec_v);
			put_be32(out + 8, their);
			send_all(fd, out, sizeof(names));
		} else {
			memcpy(out, empty, sizeof(empty));
			put_be32(out + 8, their);
			send_all(fd, out, sizeof(empty));
		}
		n = recv_pdu(t, fd, buf, sizeof(buf));
		assert_int_equal(n, 40);
	}
	assert_int_equal(get_be32(buf + 8), WRW_STOP_REQUEST);
	assert_int_equal(get_be32(buf + 12), WRW_STOP_NORMAL);
	for (i = 0; i < 100 && !g_pull_done; i++) {
		run_for(t, 10);
	}
	assert_true(g_pull_done);
	assert_int_equal(g_pull_err, TWERR_OK);
	*res = g_pull_res;
	close(fd);
}

/*
 * A record that is kept (a static record of a fourth server against a
 * dynamic replica, PROTOCOL.md 3.6 rule 2) is not asked for again: the
 * owner's watermark (wdb_owner_seen) is at it although we hold no record
 * of that owner.  The watermark is the highest version received, not the
 * one asked for: an empty response leaves it, and the next pull asks for
 * the same versions again.
 */
static void test_pull_kept_not_again(void **state)
{
	struct tctx *t = *state;
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(LOOPBACK),
	};
	struct wrp_pull_result res = {};
	struct wdb_owner *o = NULL;
	uint16_t port = (uint16_t)(40000 + ((getpid() + 17) % 20000));
	size_t num = 0;
	size_t i;
	bool listed = false;
	int one = 1;
	int lfd;

	add_rec(t->db, "KEEPME", WREC_UNIQUE, WREC_ACTIVE, FOURTH_OWNER, 8,
		0xc6120e07u);
	{
		struct nbn_name nm = {};
		struct wrec r = {};
		bool found = false;

		assert_true(nbn_make(&nm, "KEEPME", 0x20, NULL));
		assert_int_equal(wdb_fetch(t->db, &nm, &r, &found), TWERR_OK);
		r.is_static = true;
		assert_int_equal(wdb_put(t->db, &r, 0), TWERR_OK);
	}
	assert_int_equal(wdb_flush(t->db), TWERR_OK);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin.sin_port = htons(port);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 4), 0);

	/* [1, 5]: version 5 arrives and is kept */
	seen_pull_round(t, lfd, port, 5, 1, 5, &res);
	assert_int_equal(res.records_received, 1);
	assert_int_equal(res.records_kept, 1);
	assert_int_equal(res.records_applied, 0);
	expect_owner(t->db, "KEEPME", FOURTH_OWNER, WREC_UNIQUE);

	/* the same map again: no Name Records Request at all */
	seen_pull_round(t, lfd, port, 5, 0, 0, &res);
	assert_int_equal(res.owners_pulled, 0);
	assert_int_equal(res.records_kept, 0);

	/* the partner is ahead: asked from 6, it sends nothing */
	seen_pull_round(t, lfd, port, 7, 6, 0, &res);
	assert_int_equal(res.owners_pulled, 1);
	assert_int_equal(res.records_received, 0);
	/* so 6 and 7 are still wanted */
	seen_pull_round(t, lfd, port, 7, 6, 0, &res);
	assert_int_equal(res.owners_pulled, 1);
	close(lfd);

	/* the owner is advertised at its watermark, with none held */
	assert_int_equal(wdb_owners(t->db, t->mem, &o, &num), TWERR_OK);
	for (i = 0; i < num; i++) {
		if (o[i].owner == OTHER_OWNER) {
			listed = true;
			assert_int_equal(o[i].max_version, 5);
			assert_int_equal(o[i].min_version, 0);
		}
	}
	assert_true(listed);
	TALLOC_FREE(o);

	/*
	 * The UPDATE turnaround does the same: TURNED<20> (a static record
	 * of a fourth server here) keeps its version 5 of 198.18.2.202 out,
	 * and the next UPDATE asks from 6.
	 */
	add_rec(t->db, "TURNED", WREC_UNIQUE, WREC_ACTIVE, FOURTH_OWNER, 9,
		0xc6120e08u);
	{
		uint8_t update[52] = {
			0x00, 0x00, 0x00, 0x30,	/* 48 */
			0x00, 0x00, 0x78, 0x00,
			0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x03,
			0x00, 0x00, 0x00, 0x04,	/* UPDATE */
			0x00, 0x00, 0x00, 0x01,	/* one owner */
			0xc6, 0x12, 0x02, 0xca,	/* owner 198.18.2.202 */
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
			0x00, 0x00, 0x00, 0x01,
			0xc6, 0x12, 0x02, 0xca,	/* initiator */
		};
		struct nbn_name nm = {};
		struct wrec r = {};
		bool found = false;
		uint32_t h;
		bool ok;
		int fd;

		assert_true(nbn_make(&nm, "TURNED", 0x20, NULL));
		assert_int_equal(wdb_fetch(t->db, &nm, &r, &found), TWERR_OK);
		r.is_static = true;
		assert_int_equal(wdb_put(t->db, &r, 0), TWERR_OK);
		assert_int_equal(wdb_flush(t->db), TWERR_OK);

		connect_pair(t, PULL_ONLY, &fd, &ok);
		assert_true(ok);
		h = associate(t, fd, 6);
		put_be32(update + 8, h);
		send_all(fd, update, sizeof(update));
		update_turnaround(t, fd, h, 6, 1, 9, 5, WRW_STOP_NORMAL);
		close(fd);
		expect_owner(t->db, "TURNED", FOURTH_OWNER, WREC_UNIQUE);
		assert_int_equal(wrp_get_stats(t->srv)->records_kept, 1);

		connect_pair(t, PULL_ONLY, &fd, &ok);
		assert_true(ok);
		h = associate(t, fd, 7);
		put_be32(update + 8, h);
		send_all(fd, update, sizeof(update));
		update_turnaround(t, fd, h, 7, 6, 9, 7, WRW_STOP_NORMAL);
		close(fd);
		assert_int_equal(wrp_get_stats(t->srv)->records_kept, 2);
	}
	assert_int_equal(wdb_flush(t->db), TWERR_OK);
	listed = false;
	assert_int_equal(wdb_owners(t->db, t->mem, &o, &num), TWERR_OK);
	for (i = 0; i < num; i++) {
		if (o[i].owner == 0xc61202ca) {
			listed = true;
			assert_int_equal(o[i].max_version, 7);
		}
	}
	assert_true(listed);
	TALLOC_FREE(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_start_stop, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_handles_differ, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_non_partner_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_partner_removed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_caps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_handshake_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stage_violations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_handles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst_after_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_half_close, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notify_storm, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pull_from_server, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pull_retries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pull_hostile, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pull_kept_not_again,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
