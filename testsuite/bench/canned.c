/*
 * tdbwins — canned NBNS responder, the ceiling for nbnsbench's query rate.
 *
 *   canned -a IP [-p PORT] [--answer IP] [--ttl S] [--batch N]
 *
 * Binds UDP IP:PORT (137) and answers every name query with the same
 * positive answer (RFC 1002 4.2.13: the question's transaction id and name,
 * one NB entry holding --answer), every registration or refresh with a
 * positive registration response and every release with a positive release
 * response, without storing anything.  What it costs per request is what
 * any NBNS responder must pay: one receive, the validating decode (the same
 * ingress entry tdbwinsd uses), one encode, one send.  tdbwinsd's rate
 * divided by this one is the share of its time the name server itself
 * takes.
 *
 * --batch 1 (default) is the trivial loop: a blocking recvfrom and a sendto
 * per datagram, the system calls tdbwinsd makes per request.  --batch N
 * reads up to N datagrams per recvmmsg and sends the answers with one
 * sendmmsg, to see what batching the system calls would buy.
 *
 * Requests go through ingress_nbns_request() and answers through
 * nbp_encode(): no packet byte is read here except through the codec.
 * SIGTERM or SIGINT ends it; the counters go to stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <talloc.h>

#include "ingress/ingress.h"
#include "wire/nbns.h"

#define CANNED_RX_BUF 2048		/* > 576, with MSG_TRUNC: see ingress */
#define CANNED_MAX_BATCH 256
#define CANNED_SOCKBUF (4 * 1024 * 1024)

struct canned_opts {
	uint32_t ip;			/* host order */
	uint16_t port;
	uint32_t answer_ip;
	uint32_t ttl;
	uint32_t batch;
};

struct canned_stats {
	uint64_t received;
	uint64_t answered;
	uint64_t rejected;		/* ingress said drop or error */
	uint64_t ignored;		/* valid, but not answered here */
	uint64_t send_errors;
};

struct canned {
	struct canned_opts o;
	struct ingress ig;
	struct canned_stats st;
	TALLOC_CTX *scratch;
	int fd;
};

static volatile sig_atomic_t canned_stop;

static void canned_on_signal(int sig)
{
	(void)sig;
	canned_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: canned -a IP [-p PORT] [--answer IP] [--ttl S] "
		"[--batch N]\n"
		"  -a, --address IP   address to listen on (required)\n"
		"  -p, --port N       UDP port (137)\n"
		"      --answer IP    address in every answer (198.18.0.99)\n"
		"      --ttl S        TTL in every answer (518400)\n"
		"      --batch N      datagrams per recvmmsg/sendmmsg; 1 = "
		"recvfrom/sendto (1)\n");
}

static bool canned_parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a = {};

	if (inet_pton(AF_INET, s, &a) != 1) {
		return false;
	}
	*out = ntohl(a.s_addr);
	return true;
}

static bool canned_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	char *end = NULL;
	unsigned long v;

	if (*s == '\0' || *s == '-') {
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max) {
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

static bool canned_parse_args(int argc, char **argv, struct canned_opts *o)
{
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'p' },
		{ "answer", required_argument, NULL, 'A' },
		{ "ttl", required_argument, NULL, 'T' },
		{ "batch", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t port = 137;
	bool have_ip = false;
	bool ok = true;
	int c;

	*o = (struct canned_opts) {
		.answer_ip = 0xc6120063u,	/* 198.18.0.99 */
		.ttl = 518400,
		.batch = 1,
	};
	for (;;) {
		c = getopt_long(argc, argv, "a:p:h", longopts, NULL);
		if (c == -1) {
			break;
		}
		switch (c) {
		case 'a':
			ok = canned_parse_ip(optarg, &o->ip);
			have_ip = ok;
			break;
		case 'p':
			ok = canned_parse_u32(optarg, 65535, &port) && port > 0;
			break;
		case 'A':
			ok = canned_parse_ip(optarg, &o->answer_ip);
			break;
		case 'T':
			ok = canned_parse_u32(optarg, UINT32_MAX, &o->ttl);
			break;
		case 'B':
			ok = canned_parse_u32(optarg, CANNED_MAX_BATCH,
					      &o->batch) &&
			     o->batch > 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return false;
		}
		if (!ok) {
			fprintf(stderr, "canned: bad option value '%s'\n",
				optarg);
			return false;
		}
	}
	o->port = (uint16_t)port;
	return have_ip && optind == argc;
}

/*
 * The fixed answers.  Flags as tdbwinsd sends them (PROTOCOL.md 1.2):
 * positive query response 0x8580, registration response 0xAD80 (opcode 5
 * whatever the request's opcode), release response 0xB400.
 */
static bool canned_reply(struct canned *c, const struct nbp_packet *req,
			 uint8_t *out, size_t cap, size_t *out_len)
{
	const struct nbp_question *q = &req->questions[0];
	struct nbp_addr addr = {
		.nb_flags = NBP_NB_ONT_H,
		.ipv4 = c->o.answer_ip,
	};
	struct nbp_rr an = {
		.name = q->name,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = c->o.ttl,
		.num_addrs = 1,
		.addrs = &addr,
	};
	struct nbp_packet p = {
		.trn_id = req->trn_id,
		.ancount = 1,
		.answers = &an,
	};
	struct wwr w;
	enum twerr err;

	switch (nbp_opcode(req)) {
	case NBP_OP_QUERY:
		if (q->qtype != NBP_TYPE_NB) {
			return false;	/* node status: not our business */
		}
		p.flags = NBP_FLAG_RESPONSE | NBP_FLAG_AA | NBP_FLAG_RD |
			  NBP_FLAG_RA;
		break;
	case NBP_OP_REGISTER:
	case NBP_OP_REFRESH:
	case NBP_OP_REFRESH2:
	case NBP_OP_MHREGISTER:
		/* echo the request's NB entry, as a registration answer does */
		an.addrs = req->additional[0].addrs;
		p.flags = NBP_FLAG_RESPONSE |
			  (NBP_OP_REGISTER << NBP_OPCODE_SHIFT) | NBP_FLAG_AA |
			  NBP_FLAG_RD | NBP_FLAG_RA;
		break;
	case NBP_OP_RELEASE:
		an.addrs = req->additional[0].addrs;
		an.ttl = req->additional[0].ttl;
		p.flags = NBP_FLAG_RESPONSE |
			  (NBP_OP_RELEASE << NBP_OPCODE_SHIFT) | NBP_FLAG_AA;
		break;
	default:
		return false;
	}
	wwr_init(&w, out, cap);
	err = nbp_encode(&w, &p);
	if (err != TWERR_OK) {
		return false;
	}
	*out_len = wwr_len(&w);
	return true;
}

/* One datagram; true and *out_len set if it is to be answered. */
static bool canned_handle(struct canned *c, const uint8_t *buf,
			  size_t wire_len, uint8_t *out, size_t cap,
			  size_t *out_len)
{
	struct ingress_nbns_result res = {};
	bool ok;

	c->st.received++;
	if (ingress_udp_frame(&c->ig, wire_len) != INGRESS_OK) {
		c->st.rejected++;
		return false;
	}
	ingress_nbns_request(&c->ig, c->scratch, buf, wire_len, &res);
	if (res.verdict != INGRESS_ACCEPT) {
		c->st.rejected++;
		return false;
	}
	ok = canned_reply(c, res.pkt, out, cap, out_len);
	TALLOC_FREE(res.pkt);
	if (!ok) {
		c->st.ignored++;
	}
	return ok;
}

/* The trivial loop: one recvfrom and one sendto per request. */
static void canned_loop_single(struct canned *c)
{
	static uint8_t buf[CANNED_RX_BUF];
	static uint8_t out[NBP_UDP_MAX];
	struct sockaddr_in from = {};
	socklen_t fromlen;
	size_t out_len = 0;
	ssize_t len;
	ssize_t w;

	while (canned_stop == 0) {
		fromlen = sizeof(from);
		len = recvfrom(c->fd, buf, sizeof(buf), MSG_TRUNC,
			       (struct sockaddr *)&from, &fromlen);
		if (len < 0) {
			continue;	/* EINTR: the loop checks the flag */
		}
		if (!canned_handle(c, buf, (size_t)len, out, sizeof(out),
				   &out_len)) {
			continue;
		}
		w = sendto(c->fd, out, out_len, 0, (struct sockaddr *)&from,
			   fromlen);
		if (w < 0 || (size_t)w != out_len) {
			c->st.send_errors++;
			continue;
		}
		c->st.answered++;
	}
}

/* Up to --batch datagrams per recvmmsg, their answers in one sendmmsg. */
static void canned_loop_batch(struct canned *c)
{
	static uint8_t bufs[CANNED_MAX_BATCH][CANNED_RX_BUF];
	static uint8_t outs[CANNED_MAX_BATCH][NBP_UDP_MAX];
	static struct sockaddr_in from[CANNED_MAX_BATCH];
	static struct mmsghdr in[CANNED_MAX_BATCH];
	static struct mmsghdr out[CANNED_MAX_BATCH];
	static struct iovec in_iov[CANNED_MAX_BATCH];
	static struct iovec out_iov[CANNED_MAX_BATCH];
	size_t out_len = 0;
	socklen_t namelen;
	uint32_t num_out;
	uint32_t done;
	int n, k, s;

	while (canned_stop == 0) {
		for (k = 0; k < (int)c->o.batch; k++) {
			in_iov[k] = (struct iovec) {
				.iov_base = bufs[k],
				.iov_len = sizeof(bufs[k]),
			};
			in[k] = (struct mmsghdr) {
				.msg_hdr = {
					.msg_name = &from[k],
					.msg_namelen = sizeof(from[k]),
					.msg_iov = &in_iov[k],
					.msg_iovlen = 1,
				},
			};
		}
		/* MSG_TRUNC: msg_len is the datagram's real length */
		n = recvmmsg(c->fd, in, c->o.batch, MSG_WAITFORONE | MSG_TRUNC,
			     NULL);
		if (n <= 0) {
			continue;
		}
		num_out = 0;
		for (k = 0; k < n; k++) {
			size_t wire_len = in[k].msg_len;

			if (!canned_handle(c, bufs[k], wire_len, outs[num_out],
					   sizeof(outs[num_out]), &out_len)) {
				continue;
			}
			out_iov[num_out] = (struct iovec) {
				.iov_base = outs[num_out],
				.iov_len = out_len,
			};
			namelen = in[k].msg_hdr.msg_namelen;
			out[num_out] = (struct mmsghdr) {
				.msg_hdr = {
					.msg_name = &from[k],
					.msg_namelen = namelen,
					.msg_iov = &out_iov[num_out],
					.msg_iovlen = 1,
				},
			};
			num_out++;
		}
		done = 0;
		while (done < num_out) {
			s = sendmmsg(c->fd, &out[done], num_out - done, 0);
			if (s < 0) {
				if (errno == EINTR) {
					continue;
				}
				c->st.send_errors += num_out - done;
				break;
			}
			done += (uint32_t)s;
		}
		c->st.answered += done;
	}
}

static bool canned_open(struct canned *c)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(c->o.port),
		.sin_addr.s_addr = htonl(c->o.ip),
	};
	char ipb[INET_ADDRSTRLEN];
	int size = CANNED_SOCKBUF;

	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		perror("canned: socket");
		return false;
	}
	/* no SO_REUSEADDR: like tdbwinsd, refuse to share the port */
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) != 0) {
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	if (bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		const char *why = strerror(errno);

		inet_ntop(AF_INET, &sin.sin_addr, ipb, sizeof(ipb));
		fprintf(stderr, "canned: bind %s:%u: %s\n", ipb, c->o.port,
			why);
		close(c->fd);
		c->fd = -1;
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {
		.sa_handler = canned_on_signal,
	};
	struct canned *c = NULL;
	int ret = 2;

	c = talloc_zero(NULL, struct canned);
	if (c == NULL) {
		return 2;
	}
	c->fd = -1;
	if (!canned_parse_args(argc, argv, &c->o)) {
		usage(stderr);
		goto done;
	}
	ingress_init(&c->ig);
	c->scratch = talloc_pool(c, 16 * 1024);
	if (c->scratch == NULL) {
		goto done;
	}
	/* no SA_RESTART: a blocking receive returns with EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!canned_open(c)) {
		goto done;
	}
	if (c->o.batch == 1) {
		canned_loop_single(c);
	} else {
		canned_loop_batch(c);
	}
	fprintf(stderr,
		"canned: %" PRIu64 " received, %" PRIu64 " answered, %" PRIu64
		" rejected, %" PRIu64 " ignored, %" PRIu64 " send errors\n",
		c->st.received, c->st.answered, c->st.rejected,
		c->st.ignored, c->st.send_errors);
	ret = 0;
done:
	if (c->fd != -1) {
		close(c->fd);
	}
	talloc_free(c);
	return ret;
}
