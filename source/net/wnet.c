/*
 * tdbwins — UDP and TCP 137 on tevent.
 *
 * UDP datagrams are received into a fixed buffer with MSG_TRUNC so the real
 * size is known; ingress_udp_frame() decides on the size before anything
 * else looks at the bytes, and every datagram, even an empty or oversize
 * one, is consumed (CVE-2020-14303).  Up to WNET_UDP_BATCH datagrams are
 * read per wake-up so registrations that arrive together share a commit.
 *
 * TCP 137 frames carry a 2-byte length prefix that ingress_tcp137_frame()
 * checks before the body is read; connections are capped in number, per
 * source, and by idle time.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wnet.h"
#include "../util/twlist.h"
#include "../util/twlog.h"
#include "../util/twutil.h"

#define WNET_UDP_BUF 2048
/* one wake-up reads what the store commits in one batch at most */
#define WNET_UDP_BATCH 1024
/* room for a registration burst while a commit (fsync) runs */
#define WNET_UDP_RCVBUF (4 * 1024 * 1024)
#define WNET_TCP_MAX_CONNS 256
#define WNET_TCP_MAX_PER_SOURCE 16
#define WNET_TCP_IDLE_SECS 30
#define WNET_TCP_OUT_MAX (64 * 1024)

struct wnet_udp {
	struct wnet *n;
	uint32_t ip;
	int fd;
	struct tevent_fd *fde;
};

struct wnet_tcp_listener {
	struct wnet *n;
	uint32_t ip;
	int fd;
	struct tevent_fd *fde;
};

struct wnet_conn {
	struct wnet_conn *prev, *next;
	struct wnet *n;
	uint64_t id;
	int fd;
	uint32_t peer_ip;
	uint16_t peer_port;
	uint32_t local_ip;
	struct tevent_fd *fde;
	struct tevent_timer *idle;
	uint8_t in[2 + NBP_UDP_MAX];
	size_t in_have;
	size_t in_need;		/* 2 while reading the prefix */
	uint8_t *out;
	size_t out_len;
};

/* wnet.conns: every open TCP 137 connection */
TWLIST_FUNCS(wnet_conn_list, struct wnet_conn, prev, next)

struct wnet {
	struct tevent_context *ev;
	struct ingress *ig;
	struct nbns_server *nbns;
	struct wnet_udp *udp;
	uint32_t num_udp;
	struct wnet_tcp_listener *tcp;
	uint32_t num_tcp;
	struct wnet_conn *conns;
	uint32_t num_conns;
	uint64_t next_conn_id;
	struct wnet_stats stats;
};

static int wnet_destructor(struct wnet *n);

struct wnet *wnet_create(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
			 struct ingress *ig, struct nbns_server *nbns)
{
	struct wnet *n = talloc_zero(mem_ctx, struct wnet);

	if (n == NULL) {
		return NULL;
	}
	n->ev = ev;
	n->ig = ig;
	n->nbns = nbns;
	n->next_conn_id = 1;
	talloc_set_destructor(n, wnet_destructor);
	return n;
}

const struct wnet_stats *wnet_get_stats(const struct wnet *n)
{
	return &n->stats;
}

/* Listening sockets live in arrays: close them all when n goes. */
static int wnet_destructor(struct wnet *n)
{
	uint32_t i;

	for (i = 0; i < n->num_udp; i++) {
		TALLOC_FREE(n->udp[i].fde);
		close(n->udp[i].fd);
	}
	for (i = 0; i < n->num_tcp; i++) {
		TALLOC_FREE(n->tcp[i].fde);
		close(n->tcp[i].fd);
	}
	while (n->conns != NULL) {
		talloc_free(n->conns);
	}
	n->num_udp = 0;
	n->num_tcp = 0;
	return 0;
}

static void wnet_udp_readable(struct tevent_context *ev,
			      struct tevent_fd *fde, uint16_t flags,
			      void *private_data)
{
	struct wnet_udp *u = talloc_get_type_abort(private_data,
						   struct wnet_udp);
	struct wnet *n = u->n;
	uint8_t buf[WNET_UDP_BUF];
	int i;

	for (i = 0; i < WNET_UDP_BATCH; i++) {
		struct sockaddr_in from = {};
		socklen_t fromlen = sizeof(from);
		struct nbns_src src = {};
		ssize_t len;

		len = recvfrom(u->fd, buf, sizeof(buf), MSG_TRUNC,
			       (struct sockaddr *)&from, &fromlen);
		if (len < 0) {
			/* EAGAIN: drained; anything else: try next wake-up */
			return;
		}
		n->stats.udp_in++;
		if (ingress_udp_frame(n->ig, (size_t)len) != INGRESS_OK) {
			continue;	/* consumed and counted */
		}
		src.ip = ntohl(from.sin_addr.s_addr);
		src.port = ntohs(from.sin_port);
		src.local_ip = u->ip;
		nbns_input(n->nbns, &src, buf, (size_t)len);
	}
}

static int wnet_socket(int type, uint32_t ip, uint16_t port, bool reuse,
		       char **why, TALLOC_CTX *mem_ctx)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(ip),
	};
	char ipb[TW_IPSTR_LEN];
	int one = 1;
	int fd;

	fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		*why = talloc_asprintf(mem_ctx, "socket: %s", strerror(errno));
		return -1;
	}
	if (reuse) {
		/* TCP only: lets a restart bind while old connections drain */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		int err = errno;

		*why = talloc_asprintf(
			mem_ctx, "cannot bind %s %s:%u: %s%s",
			type == SOCK_DGRAM ? "UDP" : "TCP",
			tw_ipstr(ip, ipb), port, strerror(err),
			err == EADDRINUSE
				? " (is nmbd or Samba's nbt service running?)"
				: "");
		close(fd);
		return -1;
	}
	return fd;
}

static void wnet_tcp_accept(struct tevent_context *ev, struct tevent_fd *fde,
			    uint16_t flags, void *private_data);

bool wnet_listen(struct wnet *n, const struct twconf *conf,
		 TALLOC_CTX *mem_ctx, char **errmsg)
{
	uint32_t i;

	n->udp = talloc_zero_array(n, struct wnet_udp, conf->num_ifaces);
	n->tcp = talloc_zero_array(n, struct wnet_tcp_listener,
				   conf->num_ifaces);
	if (n->udp == NULL || n->tcp == NULL) {
		*errmsg = talloc_strdup(mem_ctx, "out of memory");
		return false;
	}
	for (i = 0; i < conf->num_ifaces; i++) {
		struct wnet_udp *u = &n->udp[i];
		struct wnet_tcp_listener *t = &n->tcp[i];
		uint32_t ip = conf->ifaces[i].ip;

		u->n = n;
		u->ip = ip;
		u->fd = wnet_socket(SOCK_DGRAM, ip, conf->nbt_port, false,
				    errmsg, mem_ctx);
		if (u->fd == -1) {
			return false;
		}
		n->num_udp++;
		{
			int sz = WNET_UDP_RCVBUF;

			/* FORCE passes rmem_max when we may; else best effort */
			if (setsockopt(u->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
				       sizeof(sz)) != 0) {
				setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &sz,
					   sizeof(sz));
			}
		}
		u->fde = tevent_add_fd(n->ev, n->udp, u->fd, TEVENT_FD_READ,
				       wnet_udp_readable, u);
		t->n = n;
		t->ip = ip;
		t->fd = wnet_socket(SOCK_STREAM, ip, conf->nbt_port, true,
				    errmsg, mem_ctx);
		if (t->fd == -1) {
			return false;
		}
		n->num_tcp++;
		if (listen(t->fd, 64) != 0) {
			*errmsg = talloc_asprintf(mem_ctx, "listen: %s",
						  strerror(errno));
			return false;
		}
		t->fde = tevent_add_fd(n->ev, n->tcp, t->fd, TEVENT_FD_READ,
				       wnet_tcp_accept, t);
		if (u->fde == NULL || t->fde == NULL) {
			*errmsg = talloc_strdup(mem_ctx, "out of memory");
			return false;
		}
	}
	return true;
}

/* ---- TCP connections ---- */

static void wnet_conn_io(struct tevent_context *ev, struct tevent_fd *fde,
			 uint16_t flags, void *private_data);

static int wnet_conn_destructor(struct wnet_conn *c)
{
	struct wnet *n = c->n;

	wnet_conn_list_unlink(&n->conns, c);
	n->num_conns--;
	TALLOC_FREE(c->fde);
	if (c->fd != -1) {
		close(c->fd);
	}
	return 0;
}

static void wnet_conn_idle(struct tevent_context *ev, struct tevent_timer *te,
			   struct timeval now, void *private_data)
{
	struct wnet_conn *c = talloc_get_type_abort(private_data,
						    struct wnet_conn);

	c->n->stats.tcp_idle_closed++;
	talloc_free(c);
}

static void wnet_conn_touch(struct wnet_conn *c)
{
	TALLOC_FREE(c->idle);
	c->idle = tevent_add_timer(c->n->ev, c,
				   tevent_timeval_current_ofs(
					   WNET_TCP_IDLE_SECS, 0),
				   wnet_conn_idle, c);
}

static void wnet_tcp_accept(struct tevent_context *ev, struct tevent_fd *fde,
			    uint16_t flags, void *private_data)
{
	struct wnet_tcp_listener *t = talloc_get_type_abort(
		private_data, struct wnet_tcp_listener);
	struct wnet *n = t->n;
	struct sockaddr_in from = {};
	socklen_t fromlen = sizeof(from);
	struct wnet_conn *c = NULL;
	struct wnet_conn *o = NULL;
	uint32_t same = 0;
	uint32_t peer;
	int fd;

	fd = accept4(t->fd, (struct sockaddr *)&from, &fromlen,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		return;
	}
	peer = ntohl(from.sin_addr.s_addr);
	for (o = n->conns; o != NULL; o = o->next) {
		if (o->peer_ip == peer) {
			same++;
		}
	}
	if (n->num_conns >= WNET_TCP_MAX_CONNS ||
	    same >= WNET_TCP_MAX_PER_SOURCE) {
		n->stats.tcp_refused++;
		close(fd);
		return;
	}
	c = talloc_zero(n, struct wnet_conn);
	if (c == NULL) {
		close(fd);
		return;
	}
	c->n = n;
	c->id = n->next_conn_id++;
	c->fd = fd;
	c->peer_ip = peer;
	c->peer_port = ntohs(from.sin_port);
	c->local_ip = t->ip;
	c->in_need = 2;
	wnet_conn_list_link(&n->conns, c);
	n->num_conns++;
	talloc_set_destructor(c, wnet_conn_destructor);
	c->fde = tevent_add_fd(n->ev, c, fd, TEVENT_FD_READ, wnet_conn_io, c);
	if (c->fde == NULL) {
		talloc_free(c);
		return;
	}
	n->stats.tcp_accepted++;
	wnet_conn_touch(c);
}

/* true if the connection is still usable */
static bool wnet_conn_flush(struct wnet_conn *c)
{
	ssize_t w;

	while (c->out_len > 0) {
		w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				TEVENT_FD_WRITEABLE(c->fde);
				return true;
			}
			if (errno == EINTR) {
				continue;
			}
			return false;	/* EPIPE, ECONNRESET: MS-8 */
		}
		memmove(c->out, c->out + w, c->out_len - (size_t)w);
		c->out_len -= (size_t)w;
	}
	TEVENT_FD_NOT_WRITEABLE(c->fde);
	return true;
}

static void wnet_conn_read(struct wnet_conn *c)
{
	struct wnet *n = c->n;
	ssize_t r;

	r = recv(c->fd, c->in + c->in_have, c->in_need - c->in_have, 0);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR &&
		       errno != EWOULDBLOCK)) {
		talloc_free(c);
		return;
	}
	if (r < 0) {
		return;
	}
	c->in_have += (size_t)r;
	if (c->in_have < c->in_need) {
		return;
	}
	wnet_conn_touch(c);
	if (c->in_need == 2) {
		uint16_t prefix = 0;

		/* the length is judged before one body byte is read */
		if (ingress_tcp137_prefix(n->ig, c->in, 2, &prefix) !=
			    INGRESS_OK ||
		    prefix > NBP_UDP_MAX) {
			talloc_free(c);
			return;
		}
		c->in_need = 2 + (size_t)prefix;
		return;
	}
	n->stats.tcp_frames_in++;
	{
		struct nbns_src src = {
			.ip = c->peer_ip,
			.port = c->peer_port,
			.local_ip = c->local_ip,
			.tcp_conn = c->id,
		};
		uint8_t body[NBP_UDP_MAX];
		size_t blen = c->in_need - 2;

		memcpy(body, c->in + 2, blen);
		c->in_have = 0;
		c->in_need = 2;
		/* may free c (a reply to a dead peer): nothing after this */
		nbns_input(n->nbns, &src, body, blen);
	}
}

static void wnet_conn_io(struct tevent_context *ev, struct tevent_fd *fde,
			 uint16_t flags, void *private_data)
{
	struct wnet_conn *c = talloc_get_type_abort(private_data,
						    struct wnet_conn);

	if (flags & TEVENT_FD_WRITE) {
		if (!wnet_conn_flush(c)) {
			talloc_free(c);
			return;
		}
	}
	if (flags & TEVENT_FD_READ) {
		wnet_conn_read(c);
	}
}

static bool wnet_send_tcp(struct wnet *n, const struct nbns_src *to,
			  const uint8_t *buf, size_t len)
{
	struct wnet_conn *c = NULL;
	uint8_t *out = NULL;

	for (c = n->conns; c != NULL; c = c->next) {
		if (c->id == to->tcp_conn) {
			break;
		}
	}
	if (c == NULL || len > 0xffff) {
		return false;	/* the peer went away meanwhile */
	}
	if (c->out_len + 2 + len > WNET_TCP_OUT_MAX) {
		/* a reader that never reads: drop it (zero-window, MS-8) */
		talloc_free(c);
		return false;
	}
	out = talloc_realloc(c, c->out, uint8_t, c->out_len + 2 + len);
	if (out == NULL) {
		return false;
	}
	c->out = out;
	c->out[c->out_len] = (uint8_t)(len >> 8);
	c->out[c->out_len + 1] = (uint8_t)len;
	memcpy(c->out + c->out_len + 2, buf, len);
	c->out_len += 2 + len;
	n->stats.tcp_out++;
	if (!wnet_conn_flush(c)) {
		talloc_free(c);
		return false;
	}
	return true;
}

bool wnet_send(void *private_data, const struct nbns_src *to,
	       const uint8_t *buf, size_t len)
{
	struct wnet *n = talloc_get_type_abort(private_data, struct wnet);
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(to->port),
		.sin_addr.s_addr = htonl(to->ip),
	};
	struct wnet_udp *u = NULL;
	uint32_t i;
	ssize_t w;

	if (to->tcp_conn != 0) {
		return wnet_send_tcp(n, to, buf, len);
	}
	if (n->num_udp == 0) {
		return false;
	}
	u = &n->udp[0];
	for (i = 0; i < n->num_udp; i++) {
		if (n->udp[i].ip == to->local_ip) {
			u = &n->udp[i];
			break;
		}
	}
	w = sendto(u->fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin));
	if (w < 0 || (size_t)w != len) {
		n->stats.udp_send_errors++;
		return false;
	}
	n->stats.udp_out++;
	return true;
}
