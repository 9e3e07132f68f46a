/*
 * tdbwins — scavenging: the life cycle of the records we own
 * ([MS-WINSRA] 3.1.6, PROTOCOL.md 2.11):
 *
 *   active --(not refreshed for its TTL)--> released
 *   released --(tombstone interval)--> tombstone (new version: replicates)
 *   tombstone --(tombstone timeout)--> deleted
 *
 * Replicas only lose their tombstones, and their released records (Samba
 * sends those; stored, never served) once expired; verifying active
 * replicas against their owner is replication's (wrp_verify.c).  Our own
 * names are refreshed before they could expire.  One pass changes at most
 * NBNS_SCAVENGE_BUDGET records and continues on the next run.
 */
#include <string.h>

#include "nbns_private.h"
#include "../util/twutil.h"

#define NBNS_SCAVENGE_BUDGET 30000

struct nbns_scavenge_walk {
	struct nbns_server *s;
	int64_t now;
	uint32_t local;
	struct wrec *changes;
	uint32_t num;
	uint32_t cap;
	bool more;
};

static bool nbns_scavenge_one(const struct wrec *rec, void *private_data)
{
	struct nbns_scavenge_walk *w = private_data;
	const struct twconf *c = w->s->conf;
	struct wrec n = *rec;
	bool own = nbns_is_own_name(w->s, &rec->name, NULL);
	bool changed = false;
	uint32_t i;

	if (rec->is_static) {
		return true;
	}
	if (rec->owner != w->local) {
		/* released replicas are never asked about: just dropped */
		if (rec->state != WREC_ACTIVE && rec->expire <= w->now) {
			n.num_addrs = 0xff;	/* marks "delete" */
			changed = true;
		}
	} else if (own && rec->state == WREC_ACTIVE) {
		if (rec->expire <= w->now + (int64_t)c->max_ttl / 2) {
			n.expire = w->now + c->max_ttl;
			for (i = 0; i < n.num_addrs; i++) {
				n.addrs[i].expire = n.expire;
			}
			changed = true;
		}
	} else if (rec->state == WREC_ACTIVE) {
		if (rec->type == WREC_SGROUP || rec->type == WREC_MHOMED) {
			/* members expire one by one */
			for (i = 0; i < n.num_addrs;) {
				if (n.addrs[i].expire <= w->now &&
				    n.addrs[i].owner == w->local) {
					memmove(&n.addrs[i], &n.addrs[i + 1],
						sizeof(n.addrs[0]) *
							(n.num_addrs - i - 1));
					n.num_addrs--;
					changed = true;
					continue;
				}
				i++;
			}
		}
		if (rec->expire <= w->now || n.num_addrs == 0) {
			n.state = WREC_RELEASED;
			n.expire = w->now + c->tombstone_interval;
			changed = true;
		}
	} else if (rec->state == WREC_RELEASED && rec->expire <= w->now) {
		n.state = WREC_TOMBSTONE;
		n.expire = w->now + c->tombstone_timeout;
		changed = true;
	} else if (rec->state == WREC_TOMBSTONE && rec->expire <= w->now) {
		n.num_addrs = 0xff;
		changed = true;
	}
	if (!changed) {
		return true;
	}
	if (w->num == w->cap) {
		w->more = true;
		return false;
	}
	w->changes[w->num++] = n;
	return true;
}

void nbns_scavenge_now(struct nbns_server *s)
{
	struct nbns_scavenge_walk w = {
		.s = s,
		.now = tw_now(),
		.local = wdb_local_owner(s->db),
		.cap = NBNS_SCAVENGE_BUDGET,
	};
	enum twerr err;
	uint32_t i;

	w.changes = talloc_array(s, struct wrec, w.cap);
	if (w.changes == NULL) {
		return;
	}
	err = wdb_traverse(s->db, nbns_scavenge_one, &w);
	if (err != TWERR_OK) {
		TW_ERR("scavenging: traverse failed: %s", twerr_str(err));
	}
	for (i = 0; i < w.num; i++) {
		struct wrec *n = &w.changes[i];

		if (n->num_addrs == 0xff) {
			err = wdb_delete(s->db, &n->name);
			s->stats.scavenged_deleted++;
		} else if (n->state == WREC_TOMBSTONE) {
			/* a new version so the tombstone replicates */
			err = wdb_put(s->db, n, WDB_ALLOC_VERSION);
			s->stats.scavenged_tombstoned++;
		} else {
			if (n->state == WREC_RELEASED) {
				s->stats.scavenged_released++;
			}
			err = wdb_put(s->db, n, 0);
		}
		if (err != TWERR_OK) {
			TW_ERR("scavenging: %s", twerr_str(err));
			break;
		}
	}
	err = wdb_flush(s->db);
	if (err != TWERR_OK) {
		TW_ERR("scavenging: commit failed: %s", twerr_str(err));
	}
	TW_INFO("scavenging: %u records changed%s", w.num,
		w.more ? " (more next run)" : "");
	talloc_free(w.changes);
}

static void nbns_scavenge_timer(struct tevent_context *ev,
				struct tevent_timer *te, struct timeval now,
				void *private_data)
{
	struct nbns_server *s = talloc_get_type_abort(private_data,
						      struct nbns_server);

	s->scavenge_timer = NULL;
	nbns_scavenge_now(s);
	nbns_scavenge_schedule(s);
}

void nbns_scavenge_schedule(struct nbns_server *s)
{
	uint32_t secs = s->conf->scavenging_interval;

	if (secs == 0) {
		secs = 3600;
	}
	s->scavenge_timer = tevent_add_timer(s->ev, s,
					     tevent_timeval_current_ofs(secs, 0),
					     nbns_scavenge_timer, s);
}
