/*
 * tdbwins — NBNS load generator (prints figures; not a timed test).
 *
 *   nbnsbench -s SERVER [OPTIONS] register|query|mixed|wait
 *
 * register  name registrations of names 0..N-1 of the name set, in order
 *           (with -d, cycling through them: later rounds are refreshes).
 *           A registration counts when its positive response arrives; the
 *           server sends that only after the change committed (DESIGN.md
 *           "durable before acknowledged"), so this is the durable rate.
 * query     name queries (RD=1) for random names of the set, which must have
 *           been registered first.
 * mixed     the same random names, --reg-percent of the requests being
 *           re-registrations (refreshes, which write) and the rest queries.
 * wait      a readiness probe: one query, resent every 250 ms until any
 *           answer arrives or -d seconds passed; exit 0 once answered.
 *
 * UDP, with a window of W requests in flight, each under a transaction id
 * no other request in flight uses.  A request unanswered after --timeout is
 * resent with the same transaction id (as a client retransmits, RFC 1002
 * 4.2.1.1) up to --retries times, then counted as failed.  A WACK (RFC 1002
 * 4.2.16) extends the wait by the TTL it carries.
 *
 * Requests are built with nbp_encode() and answers decoded with
 * nbp_decode(): no byte of a packet is read here except through the codec.
 *
 * Name i is always sent from source address i % (number of -b addresses)
 * and registered with that address, so a refresh or a query of it never
 * meets another holder: the server never challenges (PROTOCOL.md 2.3),
 * and --verify can check every query answer against that address.
 *
 * Output: human-readable figures, then one "RESULT key=value ..." line for
 * scripts.  Exit status: 0 if at least one request was answered
 * positively (wait: answered at all), 1 if none was, 2 on a usage or
 * set-up error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>

#include "wire/nbname.h"
#include "wire/nbns.h"

#define NBB_MAX_WINDOW 16384		/* a quarter of the 16-bit id space */
#define NBB_MAX_SOCKETS 1024
#define NBB_BATCH 64			/* datagrams per sendmmsg/recvmmsg */
#define NBB_RX_BUF 1024			/* > 576: a larger answer is bad */
#define NBB_NO_SLOT (-1)
#define NBB_TRN_IDS 65536
#define NBB_SOCKBUF (4 * 1024 * 1024)
#define NBB_NAME_DIGITS 8
#define NBB_MAX_NAMES 100000000u	/* NBB_NAME_DIGITS decimal digits */
#define NBB_PREFIX_MAX (NBN_RAW_LEN - 1 - NBB_NAME_DIGITS)
#define NBB_WAIT_TIMEOUT_MS 250
#define NBB_WACK_MAX_S 120		/* cap on a WACK's TTL */
#define NBB_NS 1000000000ull

enum nbb_mode {
	NBB_MODE_REGISTER,
	NBB_MODE_QUERY,
	NBB_MODE_MIXED,
	NBB_MODE_WAIT,
};

enum nbb_kind {
	NBB_KIND_QUERY,
	NBB_KIND_REGISTER,
};

struct nbb_opts {
	enum nbb_mode mode;
	const char *mode_name;
	uint32_t server_ip;		/* host order */
	uint16_t port;
	const char *bind_spec;
	uint32_t ports;			/* sockets per source address */
	uint32_t names;
	uint32_t window;
	double duration;		/* seconds; 0: use count */
	uint64_t count;			/* 0: use duration */
	uint32_t timeout_ms;
	uint32_t retries;
	const char *prefix;
	const char *scope;
	uint32_t reg_percent;
	uint32_t ttl;
	bool verify;
	uint64_t seed;
};

struct nbb_stats {
	uint64_t started;		/* requests begun */
	uint64_t datagrams;		/* sent, retransmissions included */
	uint64_t retries;
	uint64_t send_errors;		/* datagrams the kernel refused */
	uint64_t positive;
	uint64_t positive_queries;
	uint64_t positive_registrations;
	uint64_t negative;		/* answered with an error rcode */
	uint64_t by_rcode[16];
	uint64_t wrong_addr;		/* --verify: positive, wrong address */
	uint64_t timeouts;		/* no answer after every retry */
	uint64_t wacks;
	uint64_t stray;			/* answers to nothing in flight */
	uint64_t bad;			/* undecodable or of the wrong shape */
};

struct nbb_slot {
	bool busy;
	bool queued;			/* in the deadline queue */
	enum nbb_kind kind;
	uint32_t tries;			/* transmissions so far */
	uint16_t trn_id;
	uint32_t name_idx;
	uint32_t sock;
	uint64_t first_ns;		/* first transmission */
	uint64_t deadline_ns;
	int32_t prev;			/* deadline queue, or free list */
	int32_t next;
	struct nbn_name name;
	size_t len;
	uint8_t pkt[NBP_UDP_MAX];
};

struct nbb_sock {
	int fd;
	uint32_t local_ip;		/* host order */
	uint32_t num_out;		/* datagrams waiting for sendmmsg */
	struct mmsghdr out[NBB_BATCH];
	struct iovec out_iov[NBB_BATCH];
};

struct nbb {
	struct nbb_opts o;
	struct nbb_sock *socks;
	uint32_t num_socks;
	uint32_t num_addrs;
	struct pollfd *pfds;
	struct nbb_slot *slots;
	int32_t free_head;
	int32_t q_head;			/* deadline order, earliest first */
	int32_t q_tail;
	uint32_t inflight;
	int32_t *trn_slot;		/* transaction id -> slot */
	uint16_t next_trn;
	uint64_t rng;
	uint64_t port_rr;
	uint32_t *lat_us;		/* latency of every answered request */
	size_t num_lat;
	size_t cap_lat;
	TALLOC_CTX *scratch;		/* decoded answers, freed per batch */
	struct nbb_stats st;
	uint64_t t0;
	uint64_t t_last;		/* last answer */
	uint64_t t_end;			/* the run stopped */
	bool lat_nomem;
};

static volatile sig_atomic_t nbb_interrupted;

/* the first signal stops new requests, a second one the drain too */
static void nbb_on_signal(int sig)
{
	(void)sig;
	if (nbb_interrupted < 2) {
		nbb_interrupted++;
	}
}

static uint64_t nbb_now_ns(void)
{
	struct timespec ts = {};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NBB_NS + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: fast, and the same sequence for the same --seed */
static uint64_t nbb_rand(struct nbb *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545f4914f6cdd1dull;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nbnsbench -s SERVER [options] MODE\n"
		"MODE: register | query | mixed | wait\n"
		"  -s, --server IP         server address (required)\n"
		"  -p, --port N            server port (137)\n"
		"  -b, --bind LIST         source addresses, comma-separated:\n"
		"                          A.B.C.D or A.B.C.D+N (N in a row);\n"
		"                          default: one, chosen by the kernel\n"
		"  -P, --ports N           sockets (ports) per address (1)\n"
		"  -n, --names N           size of the name set (100000)\n"
		"  -w, --window W          requests in flight (64, max %d)\n"
		"  -d, --duration SECONDS  run this long (query/mixed: 10)\n"
		"  -c, --count N           run N requests (register: N names)\n"
		"  -t, --timeout MS        wait before a retry (1000)\n"
		"  -r, --retries N         retries before a failure (2)\n"
		"      --prefix STR        name prefix, <= %d chars (TWB)\n"
		"      --scope STR         NetBIOS scope of every name (none)\n"
		"      --reg-percent P     mixed: registrations in %% (20)\n"
		"      --ttl S             TTL asked for (%u)\n"
		"      --verify            query answers must hold the\n"
		"                          address the name came from\n"
		"      --seed N            random seed (1)\n",
		NBB_MAX_WINDOW, NBB_PREFIX_MAX, 518400u);
}

static bool nbb_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-') {
		return false;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max) {
		return false;
	}
	*out = v;
	return true;
}

static bool nbb_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	bool ok;

	ok = nbb_parse_u64(s, max, &v);
	if (ok) {
		*out = (uint32_t)v;
	}
	return ok;
}

static bool nbb_parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a = {};

	if (inet_pton(AF_INET, s, &a) != 1) {
		return false;
	}
	*out = ntohl(a.s_addr);
	return true;
}

enum {
	NBB_OPT_PREFIX = 256,
	NBB_OPT_SCOPE,
	NBB_OPT_REGPCT,
	NBB_OPT_TTL,
	NBB_OPT_VERIFY,
	NBB_OPT_SEED,
};

static bool nbb_parse_args(int argc, char **argv, struct nbb_opts *o)
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "ports", required_argument, NULL, 'P' },
		{ "names", required_argument, NULL, 'n' },
		{ "window", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "retries", required_argument, NULL, 'r' },
		{ "prefix", required_argument, NULL, NBB_OPT_PREFIX },
		{ "scope", required_argument, NULL, NBB_OPT_SCOPE },
		{ "reg-percent", required_argument, NULL, NBB_OPT_REGPCT },
		{ "ttl", required_argument, NULL, NBB_OPT_TTL },
		{ "verify", no_argument, NULL, NBB_OPT_VERIFY },
		{ "seed", required_argument, NULL, NBB_OPT_SEED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t port = 137;
	bool have_server = false;
	bool ok = true;
	char *end = NULL;
	int c;

	*o = (struct nbb_opts) {
		.ports = 1,
		.names = 100000,
		.window = 64,
		.timeout_ms = 1000,
		.retries = 2,
		.prefix = "TWB",
		.reg_percent = 20,
		.ttl = 518400,
		.seed = 1,
	};
	for (;;) {
		c = getopt_long(argc, argv, "s:p:b:P:n:w:d:c:t:r:h", longopts,
				NULL);
		if (c == -1) {
			break;
		}
		switch (c) {
		case 's':
			ok = nbb_parse_ip(optarg, &o->server_ip);
			have_server = ok;
			break;
		case 'p':
			ok = nbb_parse_u32(optarg, 65535, &port) && port > 0;
			break;
		case 'b':
			o->bind_spec = optarg;
			break;
		case 'P':
			ok = nbb_parse_u32(optarg, NBB_MAX_SOCKETS,
					   &o->ports) &&
			     o->ports > 0;
			break;
		case 'n':
			ok = nbb_parse_u32(optarg, NBB_MAX_NAMES, &o->names) &&
			     o->names > 0;
			break;
		case 'w':
			ok = nbb_parse_u32(optarg, NBB_MAX_WINDOW,
					   &o->window) &&
			     o->window > 0;
			break;
		case 'd':
			errno = 0;
			o->duration = strtod(optarg, &end);
			ok = errno == 0 && *end == '\0' && o->duration > 0 &&
			     o->duration < 1e6;
			break;
		case 'c':
			ok = nbb_parse_u64(optarg, UINT64_MAX, &o->count) &&
			     o->count > 0;
			break;
		case 't':
			ok = nbb_parse_u32(optarg, 600000, &o->timeout_ms) &&
			     o->timeout_ms > 0;
			break;
		case 'r':
			ok = nbb_parse_u32(optarg, 100, &o->retries);
			break;
		case NBB_OPT_PREFIX:
			o->prefix = optarg;
			ok = strlen(optarg) <= NBB_PREFIX_MAX;
			break;
		case NBB_OPT_SCOPE:
			o->scope = optarg;
			break;
		case NBB_OPT_REGPCT:
			ok = nbb_parse_u32(optarg, 100, &o->reg_percent);
			break;
		case NBB_OPT_TTL:
			ok = nbb_parse_u32(optarg, UINT32_MAX, &o->ttl);
			break;
		case NBB_OPT_VERIFY:
			o->verify = true;
			break;
		case NBB_OPT_SEED:
			ok = nbb_parse_u64(optarg, UINT64_MAX, &o->seed);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return false;
		}
		if (!ok) {
			fprintf(stderr, "nbnsbench: bad option value '%s'\n",
				optarg);
			return false;
		}
	}
	o->port = (uint16_t)port;
	if (!have_server || optind != argc - 1) {
		return false;
	}
	o->mode_name = argv[optind];
	if (strcmp(o->mode_name, "register") == 0) {
		o->mode = NBB_MODE_REGISTER;
	} else if (strcmp(o->mode_name, "query") == 0) {
		o->mode = NBB_MODE_QUERY;
	} else if (strcmp(o->mode_name, "mixed") == 0) {
		o->mode = NBB_MODE_MIXED;
	} else if (strcmp(o->mode_name, "wait") == 0) {
		o->mode = NBB_MODE_WAIT;
	} else {
		fprintf(stderr, "nbnsbench: unknown mode '%s'\n", o->mode_name);
		return false;
	}
	if (o->mode == NBB_MODE_WAIT) {
		/* one request, retried until -d runs out */
		if (o->duration == 0) {
			o->duration = 10;
		}
		o->window = 1;
		o->count = 1;
		o->timeout_ms = NBB_WAIT_TIMEOUT_MS;
		o->retries = (uint32_t)(o->duration * 1000 /
					NBB_WAIT_TIMEOUT_MS);
		o->duration = 0;
	} else if (o->count == 0 && o->duration == 0) {
		if (o->mode == NBB_MODE_REGISTER) {
			o->count = o->names;
		} else {
			o->duration = 10;
		}
	} else if (o->count != 0 && o->duration != 0) {
		fprintf(stderr, "nbnsbench: -c and -d exclude each other\n");
		return false;
	}
	if (o->seed == 0) {
		o->seed = 1;	/* xorshift stays at zero forever */
	}
	return true;
}

/* ---- names and packets ---- */

static bool nbb_name(const struct nbb_opts *o, uint32_t idx,
		     struct nbn_name *out)
{
	char buf[NBN_RAW_LEN];
	int len;

	len = snprintf(buf, sizeof(buf), "%s%0*" PRIu32, o->prefix,
		       NBB_NAME_DIGITS, idx);
	if (len < 0 || (size_t)len >= sizeof(buf)) {
		return false;
	}
	return nbn_make(out, buf, 0x00, o->scope);
}

/* RFC 1002 4.2.2 (registration) and 4.2.12 (query), flags as Windows. */
static bool nbb_build(struct nbb *b, struct nbb_slot *s)
{
	struct nbp_question q = {
		.name = s->name,
		.qtype = NBP_TYPE_NB,
		.qclass = NBP_CLASS_IN,
	};
	struct nbp_addr addr = {
		.nb_flags = NBP_NB_ONT_H,
		.ipv4 = b->socks[s->sock].local_ip,
	};
	struct nbp_rr rr = {
		.name = s->name,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = b->o.ttl,
		.num_addrs = 1,
		.addrs = &addr,
	};
	struct nbp_packet p = {
		.trn_id = s->trn_id,
		.flags = NBP_FLAG_RD,
		.qdcount = 1,
		.questions = &q,
	};
	struct wwr w;
	enum twerr err;

	if (s->kind == NBB_KIND_REGISTER) {
		p.flags |= NBP_OP_REGISTER << NBP_OPCODE_SHIFT;
		p.arcount = 1;
		p.additional = &rr;
	}
	wwr_init(&w, s->pkt, sizeof(s->pkt));
	err = nbp_encode(&w, &p);
	if (err != TWERR_OK) {
		return false;
	}
	s->len = wwr_len(&w);
	return true;
}

/* ---- sockets ---- */

static bool nbb_add_socket(struct nbb *b, uint32_t ip)
{
	struct sockaddr_in local = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(ip),
	};
	struct sockaddr_in server = {
		.sin_family = AF_INET,
		.sin_port = htons(b->o.port),
		.sin_addr.s_addr = htonl(b->o.server_ip),
	};
	struct nbb_sock *s = NULL;
	socklen_t len = sizeof(local);
	char ipb[INET_ADDRSTRLEN];
	int size = NBB_SOCKBUF;
	int fd;

	if (b->num_socks >= NBB_MAX_SOCKETS) {
		fprintf(stderr, "nbnsbench: more than %d sockets\n",
			NBB_MAX_SOCKETS);
		return false;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		perror("nbnsbench: socket");
		return false;
	}
	s = &b->socks[b->num_socks];
	*s = (struct nbb_sock) {
		.fd = fd,
	};
	b->num_socks++;
	/* root may exceed rmem_max: a burst of answers must not be lost */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) != 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
		       sizeof(size)) != 0) {
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
	if (ip != INADDR_ANY &&
	    bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		const char *why = strerror(errno);

		inet_ntop(AF_INET, &local.sin_addr, ipb, sizeof(ipb));
		fprintf(stderr, "nbnsbench: bind %s: %s\n", ipb, why);
		return false;
	}
	/* connected: only the server's answers arrive, and send() needs no
	 * route lookup per datagram */
	if (connect(fd, (struct sockaddr *)&server, sizeof(server)) != 0) {
		perror("nbnsbench: connect");
		return false;
	}
	if (getsockname(fd, (struct sockaddr *)&local, &len) != 0) {
		perror("nbnsbench: getsockname");
		return false;
	}
	s->local_ip = ntohl(local.sin_addr.s_addr);
	return true;
}

/* One address or "A.B.C.D+N"; adds o->ports sockets per address. */
static bool nbb_add_addresses(struct nbb *b, char *item)
{
	char *plus = strchr(item, '+');
	uint32_t ip = 0;
	uint32_t n = 1;
	uint32_t i, k;

	if (plus != NULL) {
		*plus = '\0';
		if (!nbb_parse_u32(plus + 1, NBB_MAX_SOCKETS, &n) || n == 0) {
			fprintf(stderr, "nbnsbench: bad count in '%s+%s'\n",
				item, plus + 1);
			return false;
		}
	}
	if (!nbb_parse_ip(item, &ip)) {
		fprintf(stderr, "nbnsbench: bad address '%s'\n", item);
		return false;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < b->o.ports; k++) {
			if (!nbb_add_socket(b, ip + i)) {
				return false;
			}
		}
		b->num_addrs++;
	}
	return true;
}

static bool nbb_open_sockets(struct nbb *b, TALLOC_CTX *mem_ctx)
{
	char *spec = NULL;
	char *item = NULL;
	char *save = NULL;
	uint32_t i;

	b->socks = talloc_zero_array(mem_ctx, struct nbb_sock,
				     NBB_MAX_SOCKETS);
	if (b->socks == NULL) {
		return false;
	}
	if (b->o.bind_spec == NULL) {
		for (i = 0; i < b->o.ports; i++) {
			if (!nbb_add_socket(b, INADDR_ANY)) {
				return false;
			}
		}
		b->num_addrs = 1;
	} else {
		spec = talloc_strdup(mem_ctx, b->o.bind_spec);
		if (spec == NULL) {
			return false;
		}
		for (item = strtok_r(spec, ",", &save); item != NULL;
		     item = strtok_r(NULL, ",", &save)) {
			if (!nbb_add_addresses(b, item)) {
				return false;
			}
		}
	}
	if (b->num_socks == 0) {
		fprintf(stderr, "nbnsbench: no source address\n");
		return false;
	}
	b->pfds = talloc_zero_array(mem_ctx, struct pollfd, b->num_socks);
	if (b->pfds == NULL) {
		return false;
	}
	for (i = 0; i < b->num_socks; i++) {
		b->pfds[i].fd = b->socks[i].fd;
		b->pfds[i].events = POLLIN;
	}
	return true;
}

static void nbb_close_sockets(struct nbb *b)
{
	uint32_t i;

	for (i = 0; i < b->num_socks; i++) {
		close(b->socks[i].fd);
	}
	b->num_socks = 0;
}

/* ---- slots, transaction ids, the deadline queue ---- */

static void nbb_q_unlink(struct nbb *b, int32_t i)
{
	struct nbb_slot *s = &b->slots[i];

	if (!s->queued) {
		return;
	}
	if (s->prev != NBB_NO_SLOT) {
		b->slots[s->prev].next = s->next;
	} else {
		b->q_head = s->next;
	}
	if (s->next != NBB_NO_SLOT) {
		b->slots[s->next].prev = s->prev;
	} else {
		b->q_tail = s->prev;
	}
	s->prev = NBB_NO_SLOT;
	s->next = NBB_NO_SLOT;
	s->queued = false;
}

/*
 * Every (re)transmission waits the same time, so appending keeps the queue
 * in deadline order; only a WACK's longer wait needs a walk from the tail.
 */
static void nbb_q_insert(struct nbb *b, int32_t i)
{
	struct nbb_slot *s = &b->slots[i];
	int32_t after = b->q_tail;

	while (after != NBB_NO_SLOT &&
	       b->slots[after].deadline_ns > s->deadline_ns) {
		after = b->slots[after].prev;
	}
	s->prev = after;
	if (after == NBB_NO_SLOT) {
		s->next = b->q_head;
		b->q_head = i;
	} else {
		s->next = b->slots[after].next;
		b->slots[after].next = i;
	}
	if (s->next != NBB_NO_SLOT) {
		b->slots[s->next].prev = i;
	} else {
		b->q_tail = i;
	}
	s->queued = true;
}

static bool nbb_trn_alloc(struct nbb *b, int32_t slot, uint16_t *out)
{
	uint32_t i;
	uint16_t id;

	for (i = 0; i < NBB_TRN_IDS; i++) {
		id = b->next_trn++;
		if (b->trn_slot[id] == NBB_NO_SLOT) {
			b->trn_slot[id] = slot;
			*out = id;
			return true;
		}
	}
	return false;
}

static void nbb_slot_release(struct nbb *b, int32_t i)
{
	struct nbb_slot *s = &b->slots[i];

	nbb_q_unlink(b, i);
	b->trn_slot[s->trn_id] = NBB_NO_SLOT;
	s->busy = false;
	s->prev = NBB_NO_SLOT;
	s->next = b->free_head;
	b->free_head = i;
	b->inflight--;
}

/* ---- sending ---- */

static void nbb_flush(struct nbb *b, struct nbb_sock *so)
{
	uint32_t done = 0;
	int n;

	while (done < so->num_out) {
		n = sendmmsg(so->fd, &so->out[done], so->num_out - done, 0);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			/* lost like a dropped datagram: the timeout resends */
			b->st.send_errors += so->num_out - done;
			break;
		}
		done += (uint32_t)n;
	}
	so->num_out = 0;
}

static void nbb_flush_all(struct nbb *b)
{
	uint32_t i;

	for (i = 0; i < b->num_socks; i++) {
		if (b->socks[i].num_out > 0) {
			nbb_flush(b, &b->socks[i]);
		}
	}
}

static void nbb_transmit(struct nbb *b, int32_t i, uint64_t now)
{
	struct nbb_slot *s = &b->slots[i];
	struct nbb_sock *so = &b->socks[s->sock];
	uint32_t k;

	if (so->num_out == NBB_BATCH) {
		nbb_flush(b, so);
	}
	k = so->num_out++;
	so->out_iov[k] = (struct iovec) {
		.iov_base = s->pkt,
		.iov_len = s->len,
	};
	so->out[k] = (struct mmsghdr) {
		.msg_hdr = {
			.msg_iov = &so->out_iov[k],
			.msg_iovlen = 1,
		},
	};
	s->tries++;
	s->deadline_ns = now + (uint64_t)b->o.timeout_ms * 1000000ull;
	nbb_q_insert(b, i);
	b->st.datagrams++;
}

static enum nbb_kind nbb_pick(struct nbb *b, uint32_t *idx)
{
	uint64_t r;

	switch (b->o.mode) {
	case NBB_MODE_REGISTER:
		*idx = (uint32_t)(b->st.started % b->o.names);
		return NBB_KIND_REGISTER;
	case NBB_MODE_MIXED:
		r = nbb_rand(b);
		*idx = (uint32_t)((r >> 16) % b->o.names);
		if ((r & 0xffff) % 100 < b->o.reg_percent) {
			return NBB_KIND_REGISTER;
		}
		return NBB_KIND_QUERY;
	case NBB_MODE_QUERY:
	case NBB_MODE_WAIT:
		break;
	}
	r = nbb_rand(b);
	*idx = (uint32_t)((r >> 16) % b->o.names);
	return NBB_KIND_QUERY;
}

/* Start one new request; false on a set-up fault (stop the run). */
static bool nbb_start_one(struct nbb *b, uint64_t now)
{
	int32_t i = b->free_head;
	struct nbb_slot *s = NULL;
	uint32_t addr_idx;
	uint32_t port_idx;

	if (i == NBB_NO_SLOT) {
		return true;
	}
	s = &b->slots[i];
	b->free_head = s->next;
	*s = (struct nbb_slot) {
		.busy = true,
		.prev = NBB_NO_SLOT,
		.next = NBB_NO_SLOT,
		.first_ns = now,
	};
	s->kind = nbb_pick(b, &s->name_idx);
	/* the name's one source address; any of that address's ports */
	addr_idx = s->name_idx % b->num_addrs;
	port_idx = (uint32_t)(b->port_rr++ % b->o.ports);
	s->sock = addr_idx * b->o.ports + port_idx;
	if (!nbb_name(&b->o, s->name_idx, &s->name) ||
	    !nbb_trn_alloc(b, i, &s->trn_id)) {
		fprintf(stderr, "nbnsbench: cannot make request %" PRIu64
			"\n", b->st.started);
		return false;
	}
	if (!nbb_build(b, s)) {
		b->trn_slot[s->trn_id] = NBB_NO_SLOT;
		fprintf(stderr, "nbnsbench: cannot encode request\n");
		return false;
	}
	b->inflight++;
	b->st.started++;
	nbb_transmit(b, i, now);
	return true;
}

/* ---- answers ---- */

static void nbb_record_latency(struct nbb *b, const struct nbb_slot *s,
			       uint64_t now)
{
	uint64_t us = (now - s->first_ns) / 1000;
	uint32_t *grown = NULL;
	size_t cap;

	if (b->num_lat == b->cap_lat) {
		cap = (b->cap_lat == 0) ? 65536 : b->cap_lat * 2;
		grown = talloc_realloc(b, b->lat_us, uint32_t, cap);
		if (grown == NULL) {
			b->lat_nomem = true;
			return;
		}
		b->lat_us = grown;
		b->cap_lat = cap;
	}
	b->lat_us[b->num_lat++] = (us > UINT32_MAX) ? UINT32_MAX
						    : (uint32_t)us;
}

static bool nbb_has_addr(const struct nbp_rr *rr, uint32_t ip)
{
	uint16_t i;

	for (i = 0; i < rr->num_addrs; i++) {
		if (rr->addrs[i].ipv4 == ip) {
			return true;
		}
	}
	return false;
}

/*
 * One datagram from the server.  Only the decoded structure is looked at;
 * anything that is not an answer to a request in flight is counted and
 * otherwise ignored (the request keeps waiting).
 */
static void nbb_answer(struct nbb *b, uint32_t sock, const uint8_t *buf,
		       size_t len, uint64_t now)
{
	struct nbp_packet *p = NULL;
	const struct nbp_rr *rr = NULL;
	struct nbb_slot *s = NULL;
	uint8_t want_op;
	uint8_t rcode;
	uint8_t op;
	uint64_t wait_s;
	int32_t i;
	enum twerr err;

	err = nbp_decode(b->scratch, buf, len, &p);
	if (err != TWERR_OK || !nbp_is_response(p) || p->ancount != 1) {
		b->st.bad++;
		return;
	}
	rr = &p->answers[0];
	i = b->trn_slot[p->trn_id];
	if (i == NBB_NO_SLOT) {
		b->st.stray++;
		return;
	}
	s = &b->slots[i];
	if (s->sock != sock || !nbn_equal(&rr->name, &s->name)) {
		/* a late answer to an id since given to another request */
		b->st.stray++;
		return;
	}
	op = nbp_opcode(p);
	if (op == NBP_OP_WACK) {
		/* RFC 1002 5.1.1.1: wait up to the TTL for the final answer */
		b->st.wacks++;
		wait_s = rr->ttl > NBB_WACK_MAX_S ? NBB_WACK_MAX_S : rr->ttl;
		nbb_q_unlink(b, i);
		s->deadline_ns = now + (wait_s + 1) * NBB_NS;
		nbb_q_insert(b, i);
		return;
	}
	want_op = (s->kind == NBB_KIND_QUERY) ? NBP_OP_QUERY
					      : NBP_OP_REGISTER;
	if (op != want_op) {
		b->st.bad++;
		return;
	}
	rcode = nbp_rcode(p);
	if (rcode == NBP_RCODE_OK &&
	    (rr->rr_type != NBP_TYPE_NB || rr->num_addrs == 0)) {
		b->st.bad++;
		return;
	}
	nbb_record_latency(b, s, now);
	b->t_last = now;
	if (rcode != NBP_RCODE_OK) {
		b->st.negative++;
		b->st.by_rcode[rcode]++;
	} else if (s->kind == NBB_KIND_QUERY && b->o.verify &&
		   !nbb_has_addr(rr, b->socks[s->sock].local_ip)) {
		b->st.wrong_addr++;
	} else {
		b->st.positive++;
		if (s->kind == NBB_KIND_QUERY) {
			b->st.positive_queries++;
		} else {
			b->st.positive_registrations++;
		}
	}
	nbb_slot_release(b, i);
}

static void nbb_receive(struct nbb *b, uint32_t sock)
{
	static uint8_t bufs[NBB_BATCH][NBB_RX_BUF];
	struct mmsghdr msgs[NBB_BATCH];
	struct iovec iov[NBB_BATCH];
	uint64_t now;
	int n, k;

	for (;;) {
		for (k = 0; k < NBB_BATCH; k++) {
			iov[k] = (struct iovec) {
				.iov_base = bufs[k],
				.iov_len = sizeof(bufs[k]),
			};
			msgs[k] = (struct mmsghdr) {
				.msg_hdr = {
					.msg_iov = &iov[k],
					.msg_iovlen = 1,
				},
			};
		}
		n = recvmmsg(b->socks[sock].fd, msgs, NBB_BATCH, MSG_DONTWAIT,
			     NULL);
		if (n <= 0) {
			/* EAGAIN: drained; ECONNREFUSED: nobody listens yet */
			return;
		}
		now = nbb_now_ns();
		for (k = 0; k < n; k++) {
			if ((msgs[k].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
				b->st.bad++;
				continue;
			}
			nbb_answer(b, sock, bufs[k], msgs[k].msg_len, now);
		}
		talloc_free_children(b->scratch);
		if (n < NBB_BATCH) {
			return;
		}
	}
}

static void nbb_expire(struct nbb *b, uint64_t now)
{
	int32_t i;
	struct nbb_slot *s = NULL;

	for (;;) {
		i = b->q_head;
		if (i == NBB_NO_SLOT) {
			return;
		}
		s = &b->slots[i];
		if (s->deadline_ns > now) {
			return;
		}
		nbb_q_unlink(b, i);
		if (s->tries <= b->o.retries) {
			b->st.retries++;
			nbb_transmit(b, i, now);
			continue;
		}
		b->st.timeouts++;
		nbb_slot_release(b, i);
	}
}

/* ---- the run ---- */

/* until the earliest deadline or the end of the run, at most 1 s */
static int nbb_poll_ms(const struct nbb *b, uint64_t now, uint64_t until)
{
	uint64_t next = until;
	uint64_t ms;

	if (b->q_head != NBB_NO_SLOT &&
	    b->slots[b->q_head].deadline_ns < next) {
		next = b->slots[b->q_head].deadline_ns;
	}
	if (next <= now) {
		return 0;
	}
	/* round up: waking early would only spin */
	ms = (next - now + 999999) / 1000000;
	return (ms > 1000) ? 1000 : (int)ms;
}

static bool nbb_run(struct nbb *b)
{
	uint64_t end = 0;
	uint64_t until;
	uint64_t now;
	bool stopping = false;
	uint32_t k;
	int wait_ms;
	int n;

	b->t0 = nbb_now_ns();
	b->t_last = b->t0;
	if (b->o.duration > 0) {
		end = b->t0 + (uint64_t)(b->o.duration * (double)NBB_NS);
	}
	for (;;) {
		now = nbb_now_ns();
		if (nbb_interrupted != 0 ||
		    (end != 0 && now >= end) ||
		    (b->o.count != 0 && b->st.started >= b->o.count)) {
			stopping = true;
		}
		while (!stopping && b->inflight < b->o.window) {
			if (!nbb_start_one(b, now)) {
				return false;
			}
			if (b->o.count != 0 && b->st.started >= b->o.count) {
				break;
			}
		}
		nbb_flush_all(b);
		if ((stopping && b->inflight == 0) || nbb_interrupted > 1) {
			b->t_end = now;
			return true;
		}
		until = (stopping || end == 0) ? UINT64_MAX : end;
		wait_ms = nbb_poll_ms(b, now, until);
		n = poll(b->pfds, b->num_socks, wait_ms);
		if (n < 0 && errno != EINTR) {
			perror("nbnsbench: poll");
			return false;
		}
		for (k = 0; n > 0 && k < b->num_socks; k++) {
			if (b->pfds[k].revents != 0) {
				nbb_receive(b, k);
			}
		}
		now = nbb_now_ns();
		nbb_expire(b, now);
	}
}

static int nbb_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a;
	uint32_t y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* nearest-rank percentile of the sorted latencies, in milliseconds */
static double nbb_pct_ms(const struct nbb *b, unsigned pct)
{
	size_t rank;

	if (b->num_lat == 0) {
		return 0;
	}
	rank = (b->num_lat * pct + 99) / 100;
	if (rank == 0) {
		rank = 1;
	}
	return (double)b->lat_us[rank - 1] / 1000.0;
}

static void nbb_report(struct nbb *b)
{
	const struct nbb_stats *st = &b->st;
	uint64_t answered = st->positive + st->negative + st->wrong_addr;
	uint64_t failures = st->negative + st->wrong_addr + st->timeouts;
	uint64_t last = (answered > 0) ? b->t_last : b->t_end;
	double elapsed = (double)(last - b->t0) / (double)NBB_NS;
	double rate = 0;
	double answered_rate = 0;
	double p50, p99, pmax;
	char ip[INET_ADDRSTRLEN];
	struct in_addr a = {
		.s_addr = htonl(b->o.server_ip),
	};
	unsigned r;

	if (b->num_lat > 0) {
		qsort(b->lat_us, b->num_lat, sizeof(b->lat_us[0]),
		      nbb_cmp_u32);
	}
	p50 = nbb_pct_ms(b, 50);
	p99 = nbb_pct_ms(b, 99);
	pmax = nbb_pct_ms(b, 100);
	if (elapsed > 0) {
		rate = (double)st->positive / elapsed;
		answered_rate = (double)answered / elapsed;
	}
	inet_ntop(AF_INET, &a, ip, sizeof(ip));

	printf("nbnsbench %s: server %s:%u, %" PRIu32 " source address(es) "
	       "x %" PRIu32 " port(s), window %" PRIu32 ", %" PRIu32
	       " names\n",
	       b->o.mode_name, ip, b->o.port, b->num_addrs, b->o.ports,
	       b->o.window, b->o.names);
	printf("  requests   %" PRIu64 " started, %" PRIu64
	       " datagrams sent (%" PRIu64 " retries, %" PRIu64
	       " send errors)\n",
	       st->started, st->datagrams, st->retries, st->send_errors);
	printf("  answers    %" PRIu64 " positive (%" PRIu64 " queries, %"
	       PRIu64 " registrations), %" PRIu64 " negative, %" PRIu64
	       " WACKs\n",
	       st->positive, st->positive_queries,
	       st->positive_registrations, st->negative, st->wacks);
	printf("  failures   %" PRIu64 ": %" PRIu64 " timed out after %" PRIu32
	       " retries, %" PRIu64 " negative, %" PRIu64
	       " wrong address\n",
	       failures, st->timeouts, b->o.retries, st->negative,
	       st->wrong_addr);
	for (r = 1; r < 16; r++) {
		if (st->by_rcode[r] != 0) {
			printf("             rcode %u: %" PRIu64 "\n", r,
			       st->by_rcode[r]);
		}
	}
	if (st->stray != 0 || st->bad != 0) {
		printf("  ignored    %" PRIu64 " stray answers, %" PRIu64
		       " malformed\n", st->stray, st->bad);
	}
	printf("  elapsed    %.3f s (first request to %s)\n", elapsed,
	       answered > 0 ? "last answer" : "giving up");
	printf("  rate       %.0f positive answers/s, %.0f answers/s\n", rate,
	       answered_rate);
	printf("  latency    p50 %.3f ms, p99 %.3f ms, max %.3f ms%s\n", p50,
	       p99, pmax, b->lat_nomem ? " (not every request: no memory)"
				       : "");
	printf("RESULT mode=%s positive=%" PRIu64 " answered=%" PRIu64
	       " failures=%" PRIu64 " timeouts=%" PRIu64 " negative=%" PRIu64
	       " wrong_addr=%" PRIu64 " retries=%" PRIu64 " elapsed=%.3f"
	       " rate=%.0f answered_rate=%.0f p50_ms=%.3f p99_ms=%.3f"
	       " max_ms=%.3f window=%" PRIu32 "\n",
	       b->o.mode_name, st->positive, answered, failures, st->timeouts,
	       st->negative, st->wrong_addr, st->retries, elapsed, rate,
	       answered_rate, p50, p99, pmax, b->o.window);
	fflush(stdout);
}

static bool nbb_setup(struct nbb *b)
{
	uint32_t i;

	b->slots = talloc_zero_array(b, struct nbb_slot, b->o.window);
	b->trn_slot = talloc_array(b, int32_t, NBB_TRN_IDS);
	b->scratch = talloc_pool(b, 64 * 1024);
	if (b->slots == NULL || b->trn_slot == NULL || b->scratch == NULL) {
		fprintf(stderr, "nbnsbench: out of memory\n");
		return false;
	}
	for (i = 0; i < NBB_TRN_IDS; i++) {
		b->trn_slot[i] = NBB_NO_SLOT;
	}
	for (i = 0; i < b->o.window; i++) {
		b->slots[i].next = (i + 1 < b->o.window) ? (int32_t)(i + 1)
							 : NBB_NO_SLOT;
	}
	b->free_head = 0;
	b->q_head = NBB_NO_SLOT;
	b->q_tail = NBB_NO_SLOT;
	b->rng = b->o.seed;
	b->next_trn = (uint16_t)nbb_rand(b);
	return nbb_open_sockets(b, b);
}

int main(int argc, char **argv)
{
	struct sigaction sa = {
		.sa_handler = nbb_on_signal,
	};
	struct nbb *b = NULL;
	struct nbn_name probe;
	int ret = 2;
	bool ok;

	b = talloc_zero(NULL, struct nbb);
	if (b == NULL) {
		return 2;
	}
	if (!nbb_parse_args(argc, argv, &b->o)) {
		usage(stderr);
		goto done;
	}
	if (!nbb_name(&b->o, b->o.names - 1, &probe)) {
		fprintf(stderr, "nbnsbench: prefix or scope makes no valid "
			"NetBIOS name\n");
		goto done;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!nbb_setup(b)) {
		goto done;
	}
	ok = nbb_run(b);
	nbb_close_sockets(b);
	if (!ok) {
		goto done;
	}
	nbb_report(b);
	if (b->o.mode == NBB_MODE_WAIT) {
		ret = (b->st.positive + b->st.negative > 0) ? 0 : 1;
	} else {
		ret = (b->st.positive > 0) ? 0 : 1;
	}
done:
	talloc_free(b);
	return ret;
}
