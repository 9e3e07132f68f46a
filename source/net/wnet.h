/*
 * tdbwins — sockets: UDP 137 and TCP 137 listeners on the configured
 * interface addresses, feeding the name server.  Framing limits are asked
 * of the ingress module before any buffer grows.
 */
#ifndef TDBWINS_WNET_H
#define TDBWINS_WNET_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "../conf/twconf.h"
#include "../ingress/ingress.h"
#include "../nbns/nbns_server.h"

struct wnet;

struct wnet_stats {
	uint64_t udp_in;
	uint64_t udp_out;
	uint64_t udp_send_errors;
	uint64_t tcp_accepted;
	uint64_t tcp_refused;		/* connection caps */
	uint64_t tcp_idle_closed;
	uint64_t tcp_frames_in;
	uint64_t tcp_out;
};

struct wnet *wnet_create(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
			 struct ingress *ig, struct nbns_server *nbns);

/*
 * Bind UDP and TCP on every interface of conf.  No SO_REUSEADDR on UDP: a
 * running nmbd or Samba nbt service is reported, not silently shared.
 * On failure *errmsg (talloc'ed on mem_ctx) says what and where.
 */
bool wnet_listen(struct wnet *n, const struct twconf *conf,
		 TALLOC_CTX *mem_ctx, char **errmsg);

/* nbns_send_fn for nbns_set_send(). */
bool wnet_send(void *private_data, const struct nbns_src *to,
	       const uint8_t *buf, size_t len);

const struct wnet_stats *wnet_get_stats(const struct wnet *n);

#endif /* TDBWINS_WNET_H */
