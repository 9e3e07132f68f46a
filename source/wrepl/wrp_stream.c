/*
 * tdbwins — TCP 42 PDU reader for every association (wrp_stream.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wrp_stream.h"

enum wrp_rd_status wrp_rd_read(struct wrp_rd *rd, TALLOC_CTX *owner, int fd,
			       struct ingress *ig, enum ingress_wr_stage stage,
			       TALLOC_CTX **pkt_ctx,
			       struct ingress_wrepl_result *res)
{
	uint8_t *dst = NULL;
	size_t want;
	ssize_t r;

	*pkt_ctx = NULL;
	if (rd->body == NULL) {
		dst = rd->hdr + rd->hdr_have;
		want = sizeof(rd->hdr) - rd->hdr_have;
	} else {
		dst = rd->body + rd->body_have;
		want = rd->body_len - rd->body_have;
	}
	r = recv(fd, dst, want, 0);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR)) {
		return WRP_RD_MORE;
	}
	if (r <= 0) {
		rd->last_errno = (r < 0) ? errno : 0;
		return WRP_RD_CLOSED;
	}
	if (rd->body == NULL) {
		uint32_t prefix;

		rd->hdr_have += (size_t)r;
		if (rd->hdr_have < sizeof(rd->hdr)) {
			return WRP_RD_MORE;
		}
		/* the length is judged before the buffer exists */
		if (ingress_tcp42_prefix(ig, rd->hdr, sizeof(rd->hdr), stage,
					 &prefix) != INGRESS_OK) {
			return WRP_RD_TOO_LONG;
		}
		rd->body = talloc_array(owner, uint8_t, prefix);
		if (rd->body == NULL) {
			return WRP_RD_NOMEM;
		}
		rd->body_len = prefix;
		rd->body_have = 0;
		rd->hdr_have = 0;
		return WRP_RD_MORE;
	}
	rd->body_have += (size_t)r;
	if (rd->body_have < rd->body_len) {
		return WRP_RD_MORE;
	}
	*pkt_ctx = talloc_new(NULL);
	if (*pkt_ctx == NULL) {
		return WRP_RD_NOMEM;
	}
	ingress_wrepl(ig, *pkt_ctx, rd->body, rd->body_len, stage, res);
	TALLOC_FREE(rd->body);
	rd->body_len = 0;
	rd->body_have = 0;
	return WRP_RD_PDU;
}

enum twerr wrp_connect_start(uint32_t local_ip, uint32_t partner,
			     uint16_t port, int *fd)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(partner),
	};
	struct sockaddr_in me = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(local_ip),
	};
	int s;

	*fd = -1;
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s == -1) {
		return TWERR_IO;
	}
	if (local_ip != 0 &&
	    bind(s, (struct sockaddr *)&me, sizeof(me)) != 0) {
		close(s);
		return TWERR_IO;
	}
	if (connect(s, (struct sockaddr *)&to, sizeof(to)) != 0 &&
	    errno != EINPROGRESS) {
		close(s);
		return TWERR_IO;
	}
	*fd = s;
	return TWERR_OK;
}

bool wrp_connect_done(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
	       err == 0;
}
