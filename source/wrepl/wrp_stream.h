/*
 * tdbwins — reading WINS replication PDUs from a TCP 42 stream, for every
 * association: inbound (wrp_server.c) and outbound (pull and push).  The 4-byte Packet Length is
 * judged by ingress before the body buffer exists; the body goes through
 * ingress_wrepl() as a whole.
 */
#ifndef TDBWINS_WRP_STREAM_H
#define TDBWINS_WRP_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>

#include "../wire/twerr.h"

#include "../ingress/ingress.h"
#include "../wire/wrepl.h"

struct wrp_rd {
	uint8_t hdr[WRW_LENGTH_FIELD];
	size_t hdr_have;
	uint8_t *body;			/* talloc child of the reader's owner */
	uint32_t body_len;
	size_t body_have;
	int last_errno;			/* WRP_RD_CLOSED: 0 for EOF */
};

enum wrp_rd_status {
	WRP_RD_MORE,		/* nothing complete yet: wait for the socket */
	WRP_RD_PDU,		/* one PDU judged: see *res, free *pkt_ctx */
	WRP_RD_CLOSED,		/* EOF or a socket error */
	WRP_RD_TOO_LONG,	/* the Packet Length was refused */
	WRP_RD_NOMEM,
};

/*
 * One recv() toward the next PDU on fd.  owner holds the body buffer.  On
 * WRP_RD_PDU the ingress verdict is in *res and the decoded packet lives
 * on a new context *pkt_ctx (not under owner: a step that ends the request
 * may free owner while the packet is still in use) that the caller frees.
 */
enum wrp_rd_status wrp_rd_read(struct wrp_rd *rd, TALLOC_CTX *owner, int fd,
			       struct ingress *ig, enum ingress_wr_stage stage,
			       TALLOC_CTX **pkt_ctx,
			       struct ingress_wrepl_result *res);

/*
 * Start a non-blocking TCP connect to partner:port from local_ip (host
 * order; 0 lets the kernel choose): partners authorise by address, so we
 * speak from our interface.  *fd is -1 on failure (TWERR_IO).  Wait for
 * the fd to become writable or readable (tevent reports a refused
 * connect only to readers), then ask wrp_connect_done().
 */
enum twerr wrp_connect_start(uint32_t local_ip, uint32_t partner,
			     uint16_t port, int *fd);

/* true when the connect on fd succeeded (SO_ERROR is 0) */
bool wrp_connect_done(int fd);

#endif /* TDBWINS_WRP_STREAM_H */
