/*
 * tdbwins — name queries and node status (PROTOCOL.md 2.10, 1.3).
 */
#include <string.h>

#include "nbns_private.h"
#include "../util/twutil.h"

static void nbns_reply_negative(struct nbns_server *s,
				const struct nbns_src *to,
				const struct nbp_packet *req)
{
	/* RFC 1002 4.2.14; ANCOUNT 1 with a NULL RR, as Windows and Samba */
	struct nbp_rr an = {
		.name = req->questions[0].name,
		.rr_type = NBP_TYPE_NULL,
		.rr_class = NBP_CLASS_IN,
	};
	struct nbp_packet p = {
		.trn_id = req->trn_id,
		.flags = NBP_FLAG_RESPONSE | NBP_FLAG_AA | NBP_FLAG_RD |
			 NBP_FLAG_RA | NBP_RCODE_NAM,
		.ancount = 1,
		.answers = &an,
	};

	s->stats.queries_failed++;
	nbns_send_packet(s, to, &p);
}

static uint16_t nbns_nb_flags(const struct wrec *rec)
{
	uint16_t f = (uint16_t)((unsigned)rec->node << 13) & NBP_NB_ONT_MASK;

	if (rec->type == WREC_GROUP || rec->type == WREC_SGROUP) {
		f |= NBP_NB_GROUP;
	}
	return f;
}

static bool nbns_has_ip(const struct nbp_addr *a, uint32_t n, uint32_t ip)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (a[i].ipv4 == ip) {
			return true;
		}
	}
	return false;
}

/*
 * For <domain>#1C the PDC's <domain>#1B address goes first
 * (Prepend1BTo1CQueries, on by default in Windows and Samba); the list stays
 * within 25 entries (SA-1: the reply can never outgrow 576 bytes).
 */
static uint32_t nbns_prepend_1b(struct nbns_server *s,
				const struct nbn_name *name,
				struct nbp_addr *out, uint16_t flags)
{
	struct nbn_name pdc = *name;
	struct wrec rec = {};
	bool found = false;
	enum twerr err;

	pdc.raw[15] = 0x1b;
	err = wdb_fetch(s->db, &pdc, &rec, &found);
	if (err != TWERR_OK || !found || rec.state != WREC_ACTIVE ||
	    rec.num_addrs == 0 ||
	    (rec.type != WREC_UNIQUE && rec.type != WREC_MHOMED)) {
		return 0;
	}
	out[0] = (struct nbp_addr) {
		.nb_flags = flags,
		.ipv4 = rec.addrs[0].ip,
	};
	return 1;
}

static void nbns_reply_positive(struct nbns_server *s,
				const struct nbns_src *to,
				const struct nbp_packet *req,
				const struct wrec *rec)
{
	struct nbp_addr addrs[WREC_MAX_ADDRS];
	uint16_t flags = nbns_nb_flags(rec);
	int64_t now = tw_now();
	uint32_t n = 0, i;
	struct nbp_rr an = {
		.name = req->questions[0].name,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
	};
	struct nbp_packet p = {
		.trn_id = req->trn_id,
		.flags = NBP_FLAG_RESPONSE | NBP_FLAG_AA | NBP_FLAG_RD |
			 NBP_FLAG_RA,
		.ancount = 1,
		.answers = &an,
	};

	if (rec->type == WREC_GROUP) {
		/* normal groups keep no members: the client broadcasts */
		addrs[n++] = (struct nbp_addr) {
			.nb_flags = flags,
			.ipv4 = 0xffffffffu,
		};
	} else {
		if (rec->type == WREC_SGROUP &&
		    nbn_suffix(&rec->name) == 0x1c &&
		    s->conf->prepend_1b_to_1c) {
			n = nbns_prepend_1b(s, &rec->name, addrs, flags);
		}
		for (i = 0; i < rec->num_addrs && n < WREC_MAX_ADDRS; i++) {
			if (nbns_has_ip(addrs, n, rec->addrs[i].ip)) {
				continue;
			}
			addrs[n++] = (struct nbp_addr) {
				.nb_flags = flags,
				.ipv4 = rec->addrs[i].ip,
			};
		}
	}
	if (n == 0) {
		nbns_reply_negative(s, to, req);
		return;
	}
	an.num_addrs = (uint16_t)n;
	an.addrs = addrs;
	/* the time left before the record must be refreshed, at most
	 * max wins ttl (static records never expire) */
	an.ttl = 0;
	if (rec->expire > now) {
		int64_t left = rec->expire - now;

		an.ttl = (left > (int64_t)s->conf->max_ttl)
				 ? s->conf->max_ttl
				 : (uint32_t)left;
	}
	s->stats.queries_ok++;
	nbns_send_packet(s, to, &p);
}

/*
 * Node status: only for our own names and the wildcard, and only our own
 * names are listed (PA-5: no amplification for names we do not own).
 */
static void nbns_node_status(struct nbns_server *s, const struct nbns_src *to,
			     const struct nbp_packet *req)
{
	struct nbp_nbstat_name names[NBNS_MAX_OWN_NAMES];
	struct nbp_nbstat st = {
		.names = names,
	};
	struct nbn_name wildcard;
	const struct nbn_name *q = &req->questions[0].name;
	uint32_t i;
	struct nbp_rr an = {
		.name = *q,
		.rr_type = NBP_TYPE_NBSTAT,
		.rr_class = NBP_CLASS_IN,
		.nbstat = &st,
	};
	struct nbp_packet p = {
		.trn_id = req->trn_id,
		.flags = NBP_FLAG_RESPONSE | NBP_FLAG_AA,
		.ancount = 1,
		.answers = &an,
	};

	nbn_make(&wildcard, "*", 0x00, NULL);
	if (!nbn_equal(q, &wildcard) && !nbns_is_own_name(s, q, NULL)) {
		s->stats.nbstat_ignored++;
		return;
	}
	for (i = 0; i < s->num_own; i++) {
		memcpy(names[i].raw, s->own[i].name.raw, NBN_RAW_LEN);
		names[i].flags = NBP_NAME_ACT | NBP_NB_ONT_H;
		if (s->own[i].group) {
			names[i].flags |= NBP_NB_GROUP;
		}
	}
	st.num_names = (uint8_t)s->num_own;
	s->stats.nbstat_answered++;
	nbns_send_packet(s, to, &p);
}

void nbns_handle_query(struct nbns_server *s, const struct nbns_src *src,
		       const struct nbp_packet *req)
{
	const struct nbn_name *name = &req->questions[0].name;
	bool bcast = (req->flags & NBP_FLAG_B) != 0;
	struct wrec rec = {};
	bool found = false;
	enum twerr err;

	if (req->questions[0].qtype == NBP_TYPE_NBSTAT) {
		nbns_node_status(s, src, req);
		return;
	}
	if (bcast || (req->flags & NBP_FLAG_RD) == 0) {
		/*
		 * Not a WINS query: as a node we answer only for our own
		 * names (PA-3: never answer broadcasts for other names).
		 */
		if (!nbns_is_own_name(s, name, NULL)) {
			s->stats.not_for_wins++;
			if (bcast) {
				ingress_count(s->ig, INGRESS_R_BROADCAST);
			}
			return;
		}
	}
	s->stats.queries++;
	if (nbn_suffix(name) == 0x1d) {
		/* local master browser names are never answered by WINS */
		nbns_reply_negative(s, src, req);
		return;
	}
	err = wdb_fetch(s->db, name, &rec, &found);
	if (err != TWERR_OK) {
		s->stats.db_errors++;
		TW_ERR("query: database error: %s", twerr_str(err));
		return;
	}
	if (!found) {
		nbns_reply_negative(s, src, req);
		return;
	}
	if (rec.type == WREC_GROUP) {
		/* normal groups are answered even when released or
		 * tombstoned: those states are "pseudo" for them */
		nbns_reply_positive(s, src, req, &rec);
		return;
	}
	if (rec.state != WREC_ACTIVE) {
		nbns_reply_negative(s, src, req);
		return;
	}
	nbns_reply_positive(s, src, req, &rec);
}
