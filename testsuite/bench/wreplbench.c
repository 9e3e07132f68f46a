/*
 * tdbwins — WINS replication (TCP 42) load client for bench-wrepl.sh
 * (prints figures; not a timed test).
 *
 *   wreplbench -s SERVER -b BIND [OPTIONS] map|pull|wait|trigger
 *
 * map      associate (retrying the connect for -d seconds: a readiness
 *          probe), print the Owner-Version Map, stop.
 * pull     what a pulling partner does ([MS-WINSRA] 3.2.5.1): Start,
 *          Owner-Version Map Request, then Name Records Requests for
 *          owner -o from version 1 to the owner's maximum; a response
 *          with fewer records than asked for (a server's per-response cap)
 *          is followed by a request from the highest version received + 1.
 *          Timed from the connect to the last response.
 * wait     associate, then repeat the map request every -i ms until owner
 *          -o is listed with a maximum of at least -m: how long a server
 *          took to hold (and, for tdbwinsd, to have committed) a pull.
 * trigger  send an INFORM ([MS-WINSRA] 2.2.7) from -I naming owner -o with
 *          versions 1..-m, as that partner would after a change, then
 *          `wait` from -b; timed from the INFORM.
 *
 * Every message is built with wrw_encode_alloc() and every reply decoded
 * with wrw_decode(): no byte of a PDU is read here except through the
 * codec.  Blocking sockets: one association at a time is all a benchmark
 * client needs.
 *
 * Output: human-readable lines, then one "RESULT key=value ..." line for
 * the script.  Exit status 0 on success, 1 if the server did not do what
 * was asked (refused, wrong count, deadline), 2 on a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "wire/wrepl.h"
#include "util/twutil.h"

#define WRB_PORT 42
#define WRB_NS 1000000000ull
#define WRB_BODY_MAX (512u * 1024 * 1024) /* bench: big responses */
#define WRB_CONNECT_RETRY_MS 20

enum wrb_mode {
	WRB_MODE_MAP,
	WRB_MODE_PULL,
	WRB_MODE_WAIT,
	WRB_MODE_TRIGGER,
};

struct wrb_opts {
	enum wrb_mode mode;
	uint32_t server;
	uint32_t bind;
	uint32_t inform_from;
	uint32_t owner;
	uint64_t max_version;
	uint64_t expect;
	uint16_t port;
	unsigned deadline_s;
	unsigned poll_ms;
};

struct wrb_conn {
	int fd;
	uint32_t peer_handle;
	uint64_t bytes_in;
};

static uint64_t wrb_clock_ns(void)
{
	struct timespec ts = {};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * WRB_NS + (uint64_t)ts.tv_nsec;
}

static double wrb_secs(uint64_t from, uint64_t to)
{
	return (double)(to - from) / (double)WRB_NS;
}

static void wrb_sleep_ms(unsigned ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000L,
	};

	nanosleep(&ts, NULL);
}

static bool wrb_parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a = {};

	if (inet_pton(AF_INET, s, &a) != 1) {
		return false;
	}
	*out = ntohl(a.s_addr);
	return true;
}

static const char *wrb_ip(uint32_t ip)
{
	static char buf[TW_IPSTR_LEN];

	return tw_ipstr(ip, buf);
}

/* one connect attempt from bind to server:port; -1 and errno on failure */
static int wrb_connect_once(uint32_t bind_ip, uint32_t server, uint16_t port,
			    unsigned timeout_s)
{
	struct sockaddr_in local = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(bind_ip),
	};
	struct sockaddr_in peer = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(server),
	};
	struct timeval tv = {
		.tv_sec = timeout_s,
	};
	int fd;
	int saved;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return -1;
	}
	/* the partner authorises by source address (docs/replication.md) */
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		goto fail;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
		goto fail;
	}
	if (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) != 0) {
		goto fail;
	}
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* connect, retrying a refused connect (server not up yet) until deadline */
static int wrb_connect(const struct wrb_opts *o, uint32_t bind_ip,
		       uint64_t deadline_ns)
{
	int fd;

	for (;;) {
		fd = wrb_connect_once(bind_ip, o->server, o->port,
				      o->deadline_s);
		if (fd >= 0) {
			return fd;
		}
		if (errno != ECONNREFUSED || wrb_clock_ns() >= deadline_ns) {
			fprintf(stderr, "connect %s -> %s:%u: %s\n",
				wrb_ip(bind_ip), wrb_ip(o->server), o->port,
				strerror(errno));
			return -1;
		}
		wrb_sleep_ms(WRB_CONNECT_RETRY_MS);
	}
}

static bool wrb_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static bool wrb_read_all(int fd, uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = recv(fd, buf, len, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static bool wrb_send(struct wrb_conn *c, const struct wrw_packet *p)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *buf = NULL;
	size_t len = 0;
	enum twerr err;
	bool ok = false;

	if (tmp == NULL) {
		return false;
	}
	err = wrw_encode_alloc(tmp, p, &buf, &len);
	if (err != TWERR_OK) {
		fprintf(stderr, "encode: %s\n", twerr_str(err));
		goto done;
	}
	ok = wrb_write_all(c->fd, buf, len);
	if (!ok) {
		fprintf(stderr, "send: %s\n", strerror(errno));
	}
done:
	talloc_free(tmp);
	return ok;
}

/* one PDU: the 4-byte Packet Length, then the body through the decoder */
static struct wrw_packet *wrb_recv(TALLOC_CTX *mem_ctx, struct wrb_conn *c)
{
	uint8_t hdr[WRW_LENGTH_FIELD];
	uint8_t *body = NULL;
	struct wrw_packet *p = NULL;
	uint32_t len;
	enum twerr err;

	errno = 0;
	if (!wrb_read_all(c->fd, hdr, sizeof(hdr))) {
		fprintf(stderr, "recv: %s\n",
			errno == 0 ? "connection closed" : strerror(errno));
		return NULL;
	}
	len = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) |
	      ((uint32_t)hdr[2] << 8) | (uint32_t)hdr[3];
	if (len < WRW_HEADER_LEN || len > WRB_BODY_MAX) {
		fprintf(stderr, "recv: Packet Length %" PRIu32 "\n", len);
		return NULL;
	}
	body = talloc_size(mem_ctx, len);
	if (body == NULL) {
		return NULL;
	}
	errno = 0;
	if (!wrb_read_all(c->fd, body, len)) {
		fprintf(stderr, "recv body: %s\n",
			errno == 0 ? "connection closed" : strerror(errno));
		talloc_free(body);
		return NULL;
	}
	c->bytes_in += WRW_LENGTH_FIELD + (uint64_t)len;
	err = wrw_decode(mem_ctx, body, len, &p);
	talloc_free(body);
	if (err != TWERR_OK) {
		fprintf(stderr, "decode: %s\n", twerr_str(err));
		return NULL;
	}
	return p;
}

/* Start Request -> Start Response ([MS-WINSRA] 2.2.3, 2.2.4) */
static bool wrb_associate(struct wrb_conn *c)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct wrw_packet q = {
		.mess_type = WRW_START_REQUEST,
		.start.major = WRW_MAJOR,
		.start.minor = WRW_MINOR_W2K,
	};
	struct wrw_packet *p = NULL;
	bool ok = false;

	if (tmp == NULL) {
		return false;
	}
	while (q.start.handle == 0) {
		q.start.handle = tw_random32();
	}
	if (!wrb_send(c, &q)) {
		goto done;
	}
	p = wrb_recv(tmp, c);
	if (p == NULL) {
		goto done;
	}
	if (p->mess_type != WRW_START_RESPONSE) {
		fprintf(stderr, "no Start Response (message type %d)\n",
			(int)p->mess_type);
		goto done;
	}
	c->peer_handle = p->start.handle;
	ok = true;
done:
	talloc_free(tmp);
	return ok;
}

static void wrb_stop(struct wrb_conn *c)
{
	struct wrw_packet q = {
		.mess_type = WRW_STOP_REQUEST,
		.stop.reason = WRW_STOP_NORMAL,
	};

	q.assoc_handle = c->peer_handle;
	(void)wrb_send(c, &q);
}

static bool wrb_open(struct wrb_conn *c, const struct wrb_opts *o,
		     uint32_t bind_ip, uint64_t deadline_ns)
{
	c->fd = wrb_connect(o, bind_ip, deadline_ns);
	if (c->fd < 0) {
		return false;
	}
	if (!wrb_associate(c)) {
		close(c->fd);
		c->fd = -1;
		return false;
	}
	return true;
}

static void wrb_close(struct wrb_conn *c)
{
	if (c->fd < 0) {
		return;
	}
	wrb_stop(c);
	close(c->fd);
	c->fd = -1;
}

/* Owner-Version Map Request -> Response (a talloc child of mem_ctx) */
static struct wrw_packet *wrb_map(TALLOC_CTX *mem_ctx, struct wrb_conn *c)
{
	struct wrw_packet q = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_MAP_REQUEST,
	};
	struct wrw_packet *p = NULL;

	q.assoc_handle = c->peer_handle;
	if (!wrb_send(c, &q)) {
		return NULL;
	}
	p = wrb_recv(mem_ctx, c);
	if (p == NULL) {
		return NULL;
	}
	if (p->mess_type != WRW_REPLICATION ||
	    p->opcode != WRW_OP_MAP_RESPONSE) {
		fprintf(stderr, "map: not a map response (type %d)\n",
			(int)p->mess_type);
		talloc_free(p);
		return NULL;
	}
	return p;
}

static const struct wrw_owner *wrb_find_owner(const struct wrw_packet *map,
					      uint32_t owner)
{
	uint32_t i;

	for (i = 0; i < map->table.num_owners; i++) {
		if (map->table.owners[i].addr == owner) {
			return &map->table.owners[i];
		}
	}
	return NULL;
}

/* connect from -b (until t0 + -d), associate, ask for the map */
static struct wrw_packet *wrb_open_map(TALLOC_CTX *mem_ctx, struct wrb_conn *c,
				       const struct wrb_opts *o, uint64_t t0)
{
	if (mem_ctx == NULL ||
	    !wrb_open(c, o, o->bind, t0 + o->deadline_s * WRB_NS)) {
		return NULL;
	}
	return wrb_map(mem_ctx, c);
}

static int wrb_cmd_map(const struct wrb_opts *o)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct wrb_conn c = { .fd = -1 };
	struct wrw_packet *map = NULL;
	uint32_t i;
	int rc = 1;

	map = wrb_open_map(tmp, &c, o, wrb_clock_ns());
	if (map == NULL) {
		goto done;
	}
	for (i = 0; i < map->table.num_owners; i++) {
		const struct wrw_owner *w = &map->table.owners[i];

		printf("owner %s max=%" PRIu64 " min=%" PRIu64 "\n",
		       wrb_ip(w->addr), w->max_version, w->min_version);
	}
	printf("RESULT owners=%" PRIu32 "\n", map->table.num_owners);
	rc = 0;
done:
	wrb_close(&c);
	talloc_free(tmp);
	return rc;
}

/*
 * The pull: every record of one owner.  A record outside the range asked
 * for, or an owner that does not go up, means the server is broken: the
 * figure would be meaningless, so that is a failure, not a number.
 */
static int wrb_cmd_pull(const struct wrb_opts *o)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct wrb_conn c = { .fd = -1 };
	struct wrw_packet *map = NULL;
	const struct wrw_owner *w = NULL;
	uint64_t t0 = wrb_clock_ns();
	uint64_t t_end;
	uint64_t next = 1;
	uint64_t max;
	uint64_t records = 0;
	uint32_t responses = 0;
	double secs;
	int rc = 1;

	map = wrb_open_map(tmp, &c, o, t0);
	if (map == NULL) {
		goto done;
	}
	w = wrb_find_owner(map, o->owner);
	if (w == NULL) {
		fprintf(stderr, "pull: owner %s not in the map\n",
			wrb_ip(o->owner));
		goto done;
	}
	max = w->max_version;
	while (next <= max) {
		struct wrw_packet q = {
			.mess_type = WRW_REPLICATION,
			.opcode = WRW_OP_NAMES_REQUEST,
			.names_req.addr = o->owner,
			.names_req.min_version = next,
			.names_req.max_version = max,
			.names_req.type = WRW_OWNER_TYPE,
		};
		struct wrw_packet *p = NULL;
		uint64_t highest = 0;
		uint32_t i;

		q.assoc_handle = c.peer_handle;
		if (!wrb_send(&c, &q)) {
			goto done;
		}
		p = wrb_recv(tmp, &c);
		if (p == NULL) {
			goto done;
		}
		if (p->mess_type != WRW_REPLICATION ||
		    p->opcode != WRW_OP_NAMES_RESPONSE) {
			fprintf(stderr, "pull: not a Name Records Response\n");
			goto done;
		}
		responses++;
		for (i = 0; i < p->names.num_records; i++) {
			uint64_t v = p->names.records[i].version;

			if (v < next || v > max) {
				fprintf(stderr,
					"pull: version %" PRIu64
					" outside [%" PRIu64 ", %" PRIu64 "]\n",
					v, next, max);
				goto done;
			}
			if (v > highest) {
				highest = v;
			}
		}
		records += p->names.num_records;
		talloc_free(p);
		if (highest == 0) {
			/* nothing more in the range: versions may have gaps */
			break;
		}
		next = highest + 1;
	}
	t_end = wrb_clock_ns();
	secs = wrb_secs(t0, t_end);
	printf("pulled %" PRIu64 " records of owner %s (max version %" PRIu64
	       ") in %u response(s), %" PRIu64 " bytes, %.3f s\n",
	       records, wrb_ip(o->owner), max, responses, c.bytes_in, secs);
	printf("RESULT records=%" PRIu64 " seconds=%.3f rate=%.0f "
	       "responses=%u bytes=%" PRIu64 "\n",
	       records, secs, secs > 0 ? (double)records / secs : 0.0,
	       responses, c.bytes_in);
	if (o->expect > 0 && records != o->expect) {
		fprintf(stderr, "pull: expected %" PRIu64 " records\n",
			o->expect);
		goto done;
	}
	rc = 0;
done:
	wrb_close(&c);
	talloc_free(tmp);
	return rc;
}

/* map requests on one association until owner -o reaches -m */
static int wrb_wait(const struct wrb_opts *o, uint64_t t0)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	struct wrb_conn c = { .fd = -1 };
	uint64_t deadline = t0 + o->deadline_s * WRB_NS;
	uint64_t seen = 0;
	uint32_t polls = 0;
	double secs;
	int rc = 1;

	if (tmp == NULL || !wrb_open(&c, o, o->bind, deadline)) {
		goto done;
	}
	for (;;) {
		struct wrw_packet *map = wrb_map(tmp, &c);
		const struct wrw_owner *w = NULL;

		if (map == NULL) {
			goto done;
		}
		polls++;
		w = wrb_find_owner(map, o->owner);
		if (w != NULL) {
			seen = w->max_version;
		}
		talloc_free(map);
		if (seen >= o->max_version) {
			break;
		}
		if (wrb_clock_ns() >= deadline) {
			fprintf(stderr,
				"wait: owner %s at %" PRIu64 " after %u s\n",
				wrb_ip(o->owner), seen, o->deadline_s);
			goto done;
		}
		wrb_sleep_ms(o->poll_ms);
	}
	secs = wrb_secs(t0, wrb_clock_ns());
	printf("owner %s reached %" PRIu64 " after %.3f s (%u map requests)\n",
	       wrb_ip(o->owner), seen, secs, polls);
	printf("RESULT seconds=%.3f max=%" PRIu64 " polls=%u\n", secs, seen,
	       polls);
	rc = 0;
done:
	wrb_close(&c);
	talloc_free(tmp);
	return rc;
}

/*
 * INFORM (8): the persistent-association notification Samba sends by
 * default (pushUseInform); the receiver answers nothing and pulls from
 * the notifying partner over a connection of its own ([MS-WINSRA] 3.3.5.1).
 */
static int wrb_cmd_trigger(const struct wrb_opts *o)
{
	struct wrb_conn c = { .fd = -1 };
	struct wrw_owner owner = {
		.addr = o->owner,
		.max_version = o->max_version,
		.min_version = 1,
		.type = WRW_OWNER_TYPE,
	};
	struct wrw_packet q = {
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_INFORM,
		.table.num_owners = 1,
		.table.owners = &owner,
	};
	uint64_t t0 = wrb_clock_ns();

	q.table.initiator = o->inform_from;
	if (!wrb_open(&c, o, o->inform_from, t0 + o->deadline_s * WRB_NS)) {
		return 1;
	}
	q.assoc_handle = c.peer_handle;
	t0 = wrb_clock_ns();
	if (!wrb_send(&c, &q)) {
		wrb_close(&c);
		return 1;
	}
	wrb_close(&c);
	printf("INFORM sent from %s: owner %s versions 1..%" PRIu64 "\n",
	       wrb_ip(o->inform_from), wrb_ip(o->owner), o->max_version);
	return wrb_wait(o, t0);
}

static void wrb_usage(FILE *f)
{
	fprintf(f,
		"usage: wreplbench -s SERVER -b BIND [-p PORT] [-o OWNER] "
		"[-m MAX] [-n RECORDS]\n"
		"                  [-I INFORM_FROM] [-d SECONDS] [-i POLL_MS] "
		"map|pull|wait|trigger\n");
}

static bool wrb_parse_u64(const char *s, uint64_t *out)
{
	char *end = NULL;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && end != s && *end == '\0';
}

static bool wrb_parse_args(int argc, char **argv, struct wrb_opts *o)
{
	uint64_t v;
	int ch;

	while ((ch = getopt(argc, argv, "s:b:p:o:m:n:I:d:i:h")) != -1) {
		bool ok = true;

		switch (ch) {
		case 's':
			ok = wrb_parse_ip(optarg, &o->server);
			break;
		case 'b':
			ok = wrb_parse_ip(optarg, &o->bind);
			break;
		case 'I':
			ok = wrb_parse_ip(optarg, &o->inform_from);
			break;
		case 'o':
			ok = wrb_parse_ip(optarg, &o->owner);
			break;
		case 'm':
			ok = wrb_parse_u64(optarg, &o->max_version);
			break;
		case 'n':
			ok = wrb_parse_u64(optarg, &o->expect);
			break;
		case 'p':
			ok = wrb_parse_u64(optarg, &v) && v > 0 && v < 65536;
			o->port = (uint16_t)v;
			break;
		case 'd':
			ok = wrb_parse_u64(optarg, &v) && v > 0 && v < 86400;
			o->deadline_s = (unsigned)v;
			break;
		case 'i':
			ok = wrb_parse_u64(optarg, &v) && v > 0 && v < 60000;
			o->poll_ms = (unsigned)v;
			break;
		case 'h':
			wrb_usage(stdout);
			exit(0);
		default:
			ok = false;
			break;
		}
		if (!ok) {
			fprintf(stderr, "bad value for -%c\n", ch);
			return false;
		}
	}
	if (optind + 1 != argc || o->server == 0 || o->bind == 0) {
		return false;
	}
	if (strcmp(argv[optind], "map") == 0) {
		o->mode = WRB_MODE_MAP;
	} else if (strcmp(argv[optind], "pull") == 0) {
		o->mode = WRB_MODE_PULL;
	} else if (strcmp(argv[optind], "wait") == 0) {
		o->mode = WRB_MODE_WAIT;
	} else if (strcmp(argv[optind], "trigger") == 0) {
		o->mode = WRB_MODE_TRIGGER;
	} else {
		return false;
	}
	if (o->mode != WRB_MODE_MAP && o->owner == 0) {
		return false;
	}
	if ((o->mode == WRB_MODE_WAIT || o->mode == WRB_MODE_TRIGGER) &&
	    o->max_version == 0) {
		return false;
	}
	if (o->mode == WRB_MODE_TRIGGER && o->inform_from == 0) {
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct wrb_opts o = {
		.port = WRB_PORT,
		.deadline_s = 120,
		.poll_ms = 50,
	};

	if (!wrb_parse_args(argc, argv, &o)) {
		wrb_usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	switch (o.mode) {
	case WRB_MODE_MAP:
		return wrb_cmd_map(&o);
	case WRB_MODE_PULL:
		return wrb_cmd_pull(&o);
	case WRB_MODE_WAIT:
		return wrb_wait(&o, wrb_clock_ns());
	case WRB_MODE_TRIGGER:
		return wrb_cmd_trigger(&o);
	}
	return 2;
}
