/*
 * tdbwins — start-up shared by tdbwinsd and tdbwins.so (see twhost.h).
 */
#include <inttypes.h>
#include <stdbool.h>

#include "twhost.h"
#include "../../util/twlog.h"
#include "../../wrepl/wrp_apply.h"
#include "../../wrepl/wrp_push.h"
#include "../../wrepl/wrp_verify.h"

/*
 * tdbwins:persona non grata / persona grata: owner lists applied to every
 * replica received ([MS-WINSRA] PersonaNonGrata / PersonaGrata).
 */
static bool twhost_persona(const struct twconf *conf, TALLOC_CTX *mem_ctx,
			   char **errmsg)
{
	uint32_t png[WRP_PERSONA_MAX];
	uint32_t pg[WRP_PERSONA_MAX];
	size_t npng = 0;
	size_t npg = 0;

	if (conf->persona_non_grata != NULL &&
	    !wrp_apply_parse_persona(conf->persona_non_grata, png,
				     WRP_PERSONA_MAX, &npng)) {
		*errmsg = talloc_strdup(mem_ctx, "tdbwins:persona non grata: "
					"not a list of IPv4 addresses");
		return false;
	}
	if (conf->persona_grata != NULL &&
	    !wrp_apply_parse_persona(conf->persona_grata, pg,
				     WRP_PERSONA_MAX, &npg)) {
		*errmsg = talloc_strdup(mem_ctx, "tdbwins:persona grata: "
					"not a list of IPv4 addresses");
		return false;
	}
	return wrp_apply_set_persona(png, npng, pg, npg);
}

/*
 * WINS replication (TCP 42) only when partners are configured: every
 * other peer would be refused anyway (docs/replication.md).  At start-up,
 * and on a reload that lists the first partners.
 */
static bool twhost_start_wrepl(struct twhost *h, struct twconf *conf,
			       TALLOC_CTX *err_ctx, char **errmsg)
{
	char *err = NULL;
	bool ok;

	if (conf->num_partners == 0) {
		return true;
	}
	h->wrp = wrp_server_create(h, h->ev, conf, h->db, &h->ig);
	if (h->wrp == NULL) {
		*errmsg = talloc_strdup(err_ctx, "out of memory");
		return false;
	}
	ok = wrp_listen(h->wrp, h, &err);
	if (!ok) {
		*errmsg = talloc_steal(err_ctx, err);
		TALLOC_FREE(h->wrp);
		return false;
	}
	wrp_set_push(h->wrp, conf->push_update_count, conf->push_at_startup);
	/* pull from pull partners now and every pull interval */
	ok = wrp_start_pulls(h->wrp);
	if (!ok) {
		*errmsg = talloc_strdup(err_ctx, "out of memory");
		TALLOC_FREE(h->wrp);
		return false;
	}
	/* and ask owners about replicas past their verify interval */
	ok = wrp_verify_start(h->wrp, h->ev, conf, h->db, &h->ig);
	if (!ok) {
		*errmsg = talloc_strdup(err_ctx, "out of memory");
		TALLOC_FREE(h->wrp);
		return false;
	}
	TW_NOTICE("WINS replication on port %u with %u partners",
		  conf->wrepl_port, conf->num_partners);
	return true;
}

/*
 * tdbwins:start version (netsh "set startversion"): the one way our
 * version counter rises other than by our own changes — after a lost
 * database, partners hold our owner at a version a fresh counter would
 * hand out again.  Never lowers it; durable before anything is served.
 */
static bool twhost_start_version(struct twhost *h, const struct twconf *conf)
{
	enum twerr err;

	if (conf->start_version == 0 ||
	    conf->start_version <= wdb_current_version(h->db)) {
		return true;
	}
	err = wdb_set_min_version(h->db, conf->start_version);
	if (err == TWERR_OK) {
		err = wdb_flush(h->db);
	}
	if (err != TWERR_OK) {
		TW_ERR("tdbwins:start version %" PRIu64 ": %s",
		       conf->start_version, twerr_str(err));
		return false;
	}
	TW_NOTICE("version counter raised to %" PRIu64
		  " (tdbwins:start version)", conf->start_version);
	return true;
}

bool twhost_start(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
		  struct twconf *conf, struct twhost **out, char **errmsg)
{
	struct twhost *h = NULL;
	struct wdb_config dbc = {};
	char *err = NULL;
	enum twerr werr;
	bool ok = false;

	*out = NULL;
	*errmsg = NULL;
	h = talloc_zero(mem_ctx, struct twhost);
	if (h == NULL) {
		*errmsg = talloc_strdup(mem_ctx, "out of memory");
		return false;
	}
	h->ev = ev;
	h->conf = conf;
	ingress_init(&h->ig);
	h->ig.limits.wr_lab_addresses = conf->wrepl_lab_addresses;

	dbc.path = conf->db_path;
	dbc.local_owner = conf->local_owner;
	dbc.nosync = conf->nosync;
	dbc.commit_delay_us = conf->commit_delay_us;
	werr = wdb_open(h, ev, &dbc, &h->db);
	if (werr != TWERR_OK) {
		*errmsg = talloc_asprintf(mem_ctx,
					  "cannot open database %s: %s",
					  dbc.path, twerr_str(werr));
		goto done;
	}
	if (!twhost_start_version(h, conf)) {
		*errmsg = talloc_strdup(mem_ctx, "tdbwins:start version "
					"could not be applied");
		goto done;
	}
	h->nbns = nbns_server_create(h, ev, conf, h->db, &h->ig);
	h->net = wnet_create(h, ev, &h->ig, h->nbns);
	if (h->nbns == NULL || h->net == NULL) {
		*errmsg = talloc_strdup(mem_ctx, "out of memory");
		goto done;
	}
	ok = wnet_listen(h->net, conf, h, &err);
	if (!ok) {
		*errmsg = talloc_steal(mem_ctx, err);
		goto done;
	}
	nbns_set_send(h->nbns, wnet_send, h->net);
	ok = nbns_start(h->nbns);
	if (!ok) {
		*errmsg = talloc_strdup(mem_ctx, "name server did not start");
		goto done;
	}
	/* replicas are challenged and release-demanded through it */
	ok = wrp_apply_attach_nbns(h->nbns) &&
	     twhost_persona(conf, mem_ctx, errmsg);
	if (!ok) {
		goto done;
	}
	ok = twhost_start_wrepl(h, conf, mem_ctx, errmsg);
	if (!ok) {
		goto done;
	}
	*out = h;
	h = NULL;
	ok = true;
done:
	if (!ok && *errmsg == NULL) {
		*errmsg = talloc_strdup(mem_ctx, "out of memory");
	}
	TALLOC_FREE(h);
	return ok;
}

bool twhost_reconfigure(struct twhost *h, struct twconf *conf)
{
	char *err = NULL;
	bool ok = twhost_persona(conf, h, &err);

	if (!ok) {
		TW_ERR("reload: %s", err != NULL ? err : "persona lists");
		talloc_free(err);
		return false;
	}
	ok = nbns_reconfigure(h->nbns, conf) &&
	     twhost_start_version(h, conf);
	if (!ok) {
		return false;
	}
	h->ig.limits.wr_lab_addresses = conf->wrepl_lab_addresses;
	if (h->wrp != NULL) {
		if (conf->wrepl_port != h->conf->wrepl_port) {
			TW_WARN("reload: tdbwins:wrepl port changed: restart "
				"to listen on the new port");
		}
		wrp_reconfigure(h->wrp, conf);
		wrp_verify_reconfigure(conf);
		wrp_set_push(h->wrp, conf->push_update_count,
			     conf->push_at_startup);
	} else if (conf->num_partners > 0) {
		/* the first partners: the replication service starts now */
		ok = twhost_start_wrepl(h, conf, h, &err);
		if (!ok) {
			TW_ERR("reload: replication service: %s",
			       err != NULL ? err : "cannot start");
			talloc_free(err);
			return false;
		}
	}
	h->conf = conf;
	return true;
}

bool twhost_admin(struct twhost *h, enum twhost_admin_cmd cmd)
{
	const struct twconf *conf = h->conf;
	bool any = false;
	uint32_t i;

	if (h->wrp == NULL) {
		TW_NOTICE("no replication partners: nothing to %s",
			  cmd == TWHOST_PUSH_NOW ? "push" : "pull");
		return false;
	}
	switch (cmd) {
	case TWHOST_PUSH_NOW:
		any = wrp_push_now(h->wrp, 0, false);
		break;
	case TWHOST_PULL_NOW:
		for (i = 0; i < conf->num_partners; i++) {
			if (conf->partners[i].pull &&
			    wrp_pull_now(h->wrp, conf->partners[i].ip)) {
				any = true;
			}
		}
		break;
	}
	TW_NOTICE("administrator: %s now%s",
		  cmd == TWHOST_PUSH_NOW ? "push" : "pull",
		  any ? "" : ": no partner of that kind");
	return any;
}

enum twerr twhost_stop(struct twhost *h)
{
	/* replication connections go before the store they read */
	TALLOC_FREE(h->wrp);
	return wdb_flush(h->db);
}
