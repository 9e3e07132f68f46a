/*
 * tdbwins — start-up shared by the two hosts (tdbwinsd and tdbwins.so):
 * store, name server and sockets wired together in one order, so that the
 * standalone daemon and the Samba module cannot drift apart.
 */
#ifndef TDBWINS_TWHOST_H
#define TDBWINS_TWHOST_H

#include <stdbool.h>
#include <talloc.h>
#include <tevent.h>

#include "../../conf/twconf.h"
#include "../../ingress/ingress.h"
#include "../../nbns/nbns_server.h"
#include "../../net/wnet.h"
#include "../../store/wdb.h"
#include "../../wrepl/wrp_server.h"

struct twhost {
	struct tevent_context *ev;
	struct twconf *conf;
	struct ingress ig;
	struct wdb *db;
	struct nbns_server *nbns;
	struct wnet *net;
	struct wrp_server *wrp; /* NULL without replication partners */
};

/*
 * Open the store, create the name server, bind the sockets and start the
 * name server (config -> wdb_open -> nbns_server_create -> wnet_create ->
 * wnet_listen -> nbns_set_send -> nbns_start, then the WINS replication
 * service when partners are configured).  conf must have passed
 * lpconf_read(); it is referenced, not copied, and must outlive the host.
 *
 * On success *out is a child of mem_ctx.  On failure returns false with
 * *errmsg (on mem_ctx) saying what failed; everything created is freed.
 */
bool twhost_start(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
		  struct twconf *conf, struct twhost **out, char **errmsg);

/*
 * Apply a new configuration (SIGHUP, smbcontrol reload-config).  On
 * success the host refers to conf from now on; the caller keeps the old
 * one allocated, since requests in flight may still point into it.
 */
bool twhost_reconfigure(struct twhost *h, struct twconf *conf);

/*
 * An administrator's "push now" (INFORM with every owner to every push
 * partner) or "pull now" (a pull cycle with every pull partner).  false:
 * no replication partners of that kind (nothing started).
 */
enum twhost_admin_cmd {
	TWHOST_PUSH_NOW,
	TWHOST_PULL_NOW,
};
bool twhost_admin(struct twhost *h, enum twhost_admin_cmd cmd);

/*
 * Shutdown: close the replication connections (they read the store), then
 * commit what is batched.
 */
enum twerr twhost_stop(struct twhost *h);

#endif /* TDBWINS_TWHOST_H */
