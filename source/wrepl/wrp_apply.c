/*
 * tdbwins — applying a replicated record (see wrp_apply.h).
 *
 * The tables are PROTOCOL.md 3.6; Samba's wrepl_apply_records.c and the
 * W2K3 behaviour its torture suite records were the reference for the
 * cells.  The executor reads top-down:
 *
 *   wrp_apply_record          policy, fetch, decide, carry out
 *   wrp_apply_chal_start      challenge of our addresses (detached)
 *   wrp_apply_chal_done       -> outcome table -> carry out
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "wrp_apply.h"
#include "wrp_pull.h"
#include "../nbns/nbns_private.h"
#include "../util/twlist.h"
#include "../util/twlog.h"
#include "../util/twutil.h"

/*
 * Process-wide state: one name server, one configuration of persona lists
 * and one set of counters per process (tdbwinsd, or the module inside the
 * samba process).
 */
struct wrp_apply_chal;

struct wrp_apply_link {
	struct nbns_server *s;
	struct wrp_apply_chal *chals;	/* running challenges */
	uint32_t num_chals;
};

static struct wrp_apply_link *wrp_apply_nbns_link;
static struct wrp_apply_stats wrp_apply_st;
static uint32_t wrp_png[WRP_PERSONA_MAX];
static size_t wrp_num_png;
static uint32_t wrp_pg[WRP_PERSONA_MAX];
static size_t wrp_num_pg;

const char *wrp_action_str(enum wrp_action a)
{
	switch (a) {
	case WRP_ACT_KEEP:
		return "keep";
	case WRP_ACT_REPLACE:
		return "replace";
	case WRP_ACT_PROPAGATE:
		return "keep+propagate";
	case WRP_ACT_CHALLENGE:
		return "challenge";
	case WRP_ACT_RELEASE_DEMAND:
		return "release demand";
	case WRP_ACT_SGROUP_MERGE:
		return "sgroup merge";
	case WRP_ACT_MHOMED_MERGE:
		return "mhomed merge";
	case WRP_ACT_LATE_RELEASE_DEMAND:
		return "late release demand";
	}
	return "?";
}

/* --- address list helpers --- */

static int wrp_find_ip(const struct wrec *r, uint32_t ip)
{
	uint8_t i;

	for (i = 0; i < r->num_addrs; i++) {
		if (r->addrs[i].ip == ip) {
			return i;
		}
	}
	return -1;
}

static bool wrp_ip_listed(const uint32_t *list, uint32_t num, uint32_t ip)
{
	uint32_t i;

	for (i = 0; i < num; i++) {
		if (list[i] == ip) {
			return true;
		}
	}
	return false;
}

/* every address of a is in b; with owners: with the same owner too */
static bool wrp_subset(const struct wrec *a, const struct wrec *b,
		       bool owners)
{
	uint8_t i;

	for (i = 0; i < a->num_addrs; i++) {
		int k = wrp_find_ip(b, a->addrs[i].ip);

		if (k < 0) {
			return false;
		}
		if (owners && b->addrs[k].owner != a->addrs[i].owner) {
			return false;
		}
	}
	return true;
}

static bool wrp_same_list(const struct wrec *a, const struct wrec *b,
			  bool owners)
{
	if (a->num_addrs != b->num_addrs) {
		return false;
	}
	return wrp_subset(a, b, owners);
}

static bool wrp_has_owner(const struct wrec *r, uint32_t owner)
{
	uint8_t i;

	for (i = 0; i < r->num_addrs; i++) {
		if (r->addrs[i].owner == owner) {
			return true;
		}
	}
	return false;
}

/*
 * A scratch list longer than a record may hold, cut back to the cap:
 * addresses held for other servers (replica addresses) go first, then
 * the oldest (PROTOCOL.md 2.5, 3.6; SECURITY.md SA-12: Samba does not
 * cap merges at all).
 */
#define WRP_SCRATCH (2 * WREC_MAX_ADDRS)

struct wrp_list {
	struct wrec_addr a[WRP_SCRATCH];
	uint32_t n;
};

static int wrp_list_find(const struct wrp_list *l, uint32_t ip)
{
	uint32_t i;

	for (i = 0; i < l->n; i++) {
		if (l->a[i].ip == ip) {
			return (int)i;
		}
	}
	return -1;
}

static void wrp_list_add(struct wrp_list *l, const struct wrec_addr *a)
{
	if (l->n < WRP_SCRATCH) {
		l->a[l->n++] = *a;
	}
}

static void wrp_list_cap(struct wrp_list *l, uint32_t local,
			 struct wrec *out)
{
	uint32_t i;

	while (l->n > WREC_MAX_ADDRS) {
		int victim = -1;
		bool victim_replica = false;

		for (i = 0; i < l->n; i++) {
			bool replica = (l->a[i].owner != local);

			if (victim < 0 || (replica && !victim_replica) ||
			    (replica == victim_replica &&
			     l->a[i].expire < l->a[victim].expire)) {
				victim = (int)i;
				victim_replica = replica;
			}
		}
		l->a[victim] = l->a[l->n - 1];
		l->n--;
	}
	for (i = 0; i < l->n; i++) {
		out->addrs[i] = l->a[i];
	}
	out->num_addrs = (uint8_t)l->n;
}

/* --- the decision tables --- */

/* S,A vs S,A between third parties (PROTOCOL.md 3.6 note †) */
static enum wrp_action wrp_sgroup_vs_sgroup(const struct wrec *have,
					    const struct wrec *got)
{
	if (got->num_addrs == 0) {
		/* the owner released all its members */
		if (wrp_has_owner(have, got->owner)) {
			return WRP_ACT_SGROUP_MERGE;
		}
		return WRP_ACT_KEEP;
	}
	if (wrp_subset(got, have, true)) {
		return WRP_ACT_KEEP;
	}
	if (wrp_same_list(have, got, false)) {
		return WRP_ACT_REPLACE;
	}
	return WRP_ACT_SGROUP_MERGE;
}

/* Table A: have is a replica of a third server. */
static enum wrp_action wrp_table_a(const struct wrec *have,
				   const struct wrec *got)
{
	bool have_active = (have->state == WREC_ACTIVE);
	bool got_active = (got->state == WREC_ACTIVE);

	switch (have->type) {
	case WREC_UNIQUE:
	case WREC_MHOMED:
		if (!have_active) {
			return WRP_ACT_REPLACE;
		}
		/* U,A and M,A: an active U, G or M replaces */
		if (got_active && got->type != WREC_SGROUP) {
			return WRP_ACT_REPLACE;
		}
		return WRP_ACT_KEEP;
	case WREC_GROUP:
		if (have_active) {
			return WRP_ACT_KEEP;
		}
		if (have->state == WREC_RELEASED) {
			/*
			 * G,R vs S,A: Samba's comment says replace, its
			 * code (and we) keep; see PROTOCOL.md 3.6 note *.
			 */
			if (got->type == WREC_GROUP) {
				return WRP_ACT_REPLACE;
			}
			return WRP_ACT_KEEP;
		}
		/* G,T: everything but a unique record replaces */
		if (got->type == WREC_UNIQUE) {
			return WRP_ACT_KEEP;
		}
		return WRP_ACT_REPLACE;
	case WREC_SGROUP:
		if (!have_active) {
			return WRP_ACT_REPLACE;
		}
		if (got->type != WREC_SGROUP) {
			return WRP_ACT_KEEP;
		}
		/* an S,T replaces an S,A: "strange but correct", as
		 * verified against Windows */
		if (!got_active) {
			return WRP_ACT_REPLACE;
		}
		return wrp_sgroup_vs_sgroup(have, got);
	}
	return WRP_ACT_KEEP;
}

/* Table B: have is ours. */
static enum wrp_action wrp_table_b(const struct wrec *have,
				   const struct wrec *got)
{
	bool have_active = (have->state == WREC_ACTIVE);
	bool got_active = (got->state == WREC_ACTIVE);
	bool got_um = (got->type == WREC_UNIQUE || got->type == WREC_MHOMED);

	switch (have->type) {
	case WREC_UNIQUE:
	case WREC_MHOMED:
		if (!have_active) {
			return WRP_ACT_REPLACE;
		}
		if (!got_active) {
			return WRP_ACT_PROPAGATE;
		}
		if (!got_um) {
			/* a group took the name: tell our holders */
			return WRP_ACT_RELEASE_DEMAND;
		}
		if (wrp_subset(have, got, false)) {
			return WRP_ACT_REPLACE;
		}
		return WRP_ACT_CHALLENGE;
	case WREC_GROUP:
		if (got_um && got_active) {
			return WRP_ACT_PROPAGATE;
		}
		if (!got_active) {
			if (!have_active && got->type == WREC_GROUP) {
				return WRP_ACT_REPLACE;	/* G,R/T vs G,T */
			}
			return WRP_ACT_PROPAGATE;
		}
		if (got->type == WREC_GROUP) {
			return WRP_ACT_REPLACE;
		}
		return WRP_ACT_PROPAGATE;	/* S,A */
	case WREC_SGROUP:
		if (!have_active) {
			return WRP_ACT_REPLACE;
		}
		if (!got_active || got->type != WREC_SGROUP) {
			return WRP_ACT_PROPAGATE;
		}
		if (wrp_same_list(have, got, true)) {
			return WRP_ACT_KEEP;
		}
		return WRP_ACT_SGROUP_MERGE;
	}
	return WRP_ACT_KEEP;
}

enum wrp_action wrp_apply_decide(const struct wrec *have,
				 const struct wrec *got, uint32_t local,
				 unsigned flags)
{
	bool have_static = have->is_static;

	/* rule 1: the owner's word on its own record is final */
	if (have->owner == got->owner) {
		return WRP_ACT_REPLACE;
	}
	/* rule 4: migrate on lets dynamic U/M replicas take static U/M */
	if (have_static && (flags & WRP_APPLY_MIGRATE) &&
	    have->owner != local &&
	    (have->type == WREC_UNIQUE || have->type == WREC_MHOMED)) {
		have_static = false;
	}
	/* rule 2: a static record of another owner stays */
	if (have_static) {
		if (have->owner == local && !got->is_static) {
			/* Samba extension: make our static record win back */
			return WRP_ACT_PROPAGATE;
		}
		return WRP_ACT_KEEP;
	}
	/* rule 3: a static replica beats a dynamic record */
	if (got->is_static) {
		return WRP_ACT_REPLACE;
	}
	if (have->owner == local) {
		return wrp_table_b(have, got);
	}
	return wrp_table_a(have, got);
}

enum wrp_action wrp_apply_challenge_outcome(const struct wrec *have,
					    const struct wrec *got, bool held,
					    const uint32_t *listed,
					    uint32_t num_listed)
{
	uint8_t i;

	if (!held) {
		return WRP_ACT_REPLACE;
	}
	for (i = 0; i < got->num_addrs; i++) {
		if (!wrp_ip_listed(listed, num_listed, got->addrs[i].ip)) {
			return WRP_ACT_KEEP;
		}
	}
	/*
	 * The holder lists the replica's addresses but not all of ours: it
	 * moved.  W2K3 keeps our record and asks the listed addresses to
	 * release the name (Samba r_do_late_release_demand).
	 */
	for (i = 0; i < have->num_addrs; i++) {
		if (!wrp_ip_listed(listed, num_listed, have->addrs[i].ip)) {
			return WRP_ACT_LATE_RELEASE_DEMAND;
		}
	}
	return WRP_ACT_MHOMED_MERGE;
}

void wrp_apply_sgroup_merge(const struct wrec *have, const struct wrec *got,
			    uint32_t local, struct wrec *out,
			    bool *take_ownership)
{
	struct wrp_list l = {};
	bool changed_old = false;
	uint8_t i;

	for (i = 0; i < have->num_addrs; i++) {
		const struct wrec_addr *a = &have->addrs[i];
		int k = wrp_find_ip(got, a->ip);

		if (k < 0 && a->owner == got->owner) {
			/* its owner no longer lists it: released */
			changed_old = true;
			continue;
		}
		if (k >= 0 && got->addrs[k].owner != a->owner) {
			changed_old = true;
		}
		wrp_list_add(&l, a);
	}
	for (i = 0; i < got->num_addrs; i++) {
		const struct wrec_addr *a = &got->addrs[i];
		int k = wrp_list_find(&l, a->ip);

		if (k >= 0) {
			l.a[k] = *a;	/* got's owner and expiry */
			continue;
		}
		wrp_list_add(&l, a);
	}
	*out = *got;
	out->type = WREC_SGROUP;
	wrp_list_cap(&l, local, out);
	/*
	 * Nothing of another owner's changed: the merge is our view and
	 * must replicate as ours.  Otherwise got's owner is the one who
	 * changed it, and it keeps its version.
	 */
	*take_ownership = !changed_old || have->owner == local ||
			  out->num_addrs == 0;
}

void wrp_apply_mhomed_merge(const struct wrec *have, const struct wrec *got,
			    uint32_t local, struct wrec *out)
{
	struct wrp_list l = {};
	uint8_t i;

	for (i = 0; i < got->num_addrs; i++) {
		wrp_list_add(&l, &got->addrs[i]);
	}
	for (i = 0; i < have->num_addrs; i++) {
		if (wrp_list_find(&l, have->addrs[i].ip) < 0) {
			wrp_list_add(&l, &have->addrs[i]);
		}
	}
	*out = *got;
	out->type = WREC_MHOMED;
	wrp_list_cap(&l, local, out);
}

/* --- policy --- */

static int wrp_apply_link_destructor(struct wrp_apply_link *l)
{
	if (wrp_apply_nbns_link == l) {
		wrp_apply_nbns_link = NULL;
	}
	return 0;
}

bool wrp_apply_attach_nbns(struct nbns_server *s)
{
	struct wrp_apply_link *l = NULL;

	TALLOC_FREE(wrp_apply_nbns_link);
	if (s == NULL) {
		return true;
	}
	l = talloc_zero(s, struct wrp_apply_link);
	if (l == NULL) {
		return false;
	}
	l->s = s;
	talloc_set_destructor(l, wrp_apply_link_destructor);
	wrp_apply_nbns_link = l;
	return true;
}

bool wrp_apply_set_persona(const uint32_t *non_grata, size_t num_non_grata,
			   const uint32_t *grata, size_t num_grata)
{
	if (num_non_grata > WRP_PERSONA_MAX || num_grata > WRP_PERSONA_MAX) {
		return false;
	}
	if (num_non_grata > 0) {
		memcpy(wrp_png, non_grata, num_non_grata * sizeof(uint32_t));
	}
	if (num_grata > 0) {
		memcpy(wrp_pg, grata, num_grata * sizeof(uint32_t));
	}
	wrp_num_png = num_non_grata;
	wrp_num_pg = num_grata;
	return true;
}

bool wrp_apply_parse_persona(const char *s, uint32_t *out, size_t max,
			     size_t *num)
{
	char tok[TW_IPSTR_LEN];
	size_t n = 0;

	*num = 0;
	if (s == NULL) {
		return true;
	}
	while (*s != '\0') {
		size_t len = 0;
		struct in_addr a;

		while (*s == ',' || isspace((unsigned char)*s)) {
			s++;
		}
		if (*s == '\0') {
			break;
		}
		while (s[len] != '\0' && s[len] != ',' &&
		       !isspace((unsigned char)s[len])) {
			len++;
		}
		if (len >= sizeof(tok) || n >= max) {
			return false;
		}
		memcpy(tok, s, len);
		tok[len] = '\0';
		if (inet_pton(AF_INET, tok, &a) != 1) {
			return false;
		}
		out[n++] = ntohl(a.s_addr);
		s += len;
	}
	*num = n;
	return true;
}

bool wrp_apply_owner_allowed(uint32_t owner)
{
	size_t i;

	for (i = 0; i < wrp_num_png; i++) {
		if (wrp_png[i] == owner) {
			return false;
		}
	}
	if (wrp_num_pg == 0) {
		return true;
	}
	for (i = 0; i < wrp_num_pg; i++) {
		if (wrp_pg[i] == owner) {
			return true;
		}
	}
	return false;
}

void wrp_apply_get_stats(struct wrp_apply_stats *out)
{
	*out = wrp_apply_st;
}

void wrp_apply_reset_stats(void)
{
	wrp_apply_st = (struct wrp_apply_stats) {};
}

/* --- the executor --- */

/*
 * Release demand (PROTOCOL.md 3.6): a name release request (opcode 6,
 * RFC 1002 4.2.9) to each address, for that address, through the name
 * server's send path.  Nothing waits for the answer: the record has
 * already been replaced, the request only tells the host.
 */
static void wrp_release_demand(const struct wrec *old, const uint32_t *ips,
			       uint32_t num)
{
	struct nbns_server *s = NULL;
	uint16_t nb_flags = (uint16_t)((uint16_t)old->node << 13);
	uint32_t i;

	if (wrp_apply_nbns_link == NULL) {
		return;
	}
	s = wrp_apply_nbns_link->s;
	if (old->type == WREC_GROUP || old->type == WREC_SGROUP) {
		nb_flags |= NBP_NB_GROUP;
	}
	for (i = 0; i < num; i++) {
		struct nbp_question q = {
			.name = old->name,
			.qtype = NBP_TYPE_NB,
			.qclass = NBP_CLASS_IN,
		};
		struct nbp_addr addr = {
			.nb_flags = nb_flags,
			.ipv4 = ips[i],
		};
		struct nbp_rr rr = {
			.name = old->name,
			.rr_type = NBP_TYPE_NB,
			.rr_class = NBP_CLASS_IN,
			.ttl = 0,
			.num_addrs = 1,
			.addrs = &addr,
		};
		struct nbp_packet p = {
			.trn_id = tw_random16(),
			.flags = (uint16_t)(NBP_OP_RELEASE
					    << NBP_OPCODE_SHIFT),
			.qdcount = 1,
			.arcount = 1,
			.questions = &q,
			.additional = &rr,
		};
		struct nbns_src to = {
			.ip = ips[i],
			.port = 137,
			.local_ip = wrp_pull_local_ip(s->conf, ips[i]),
		};
		char nb[NBN_PRINT_MAX];
		char ipb[TW_IPSTR_LEN];

		TW_INFO("wrepl apply: release demand for %s to %s",
			nbn_print(&old->name, nb, sizeof(nb)),
			tw_ipstr(ips[i], ipb));

		nbns_send_packet(s, &to, &p);
		wrp_apply_st.release_demands++;
	}
}

static void wrp_rec_ips(const struct wrec *r, uint32_t *out, uint32_t *num)
{
	uint8_t i;

	for (i = 0; i < r->num_addrs; i++) {
		out[i] = r->addrs[i].ip;
	}
	*num = r->num_addrs;
}

static enum twerr wrp_apply_chal_start(struct wdb *db,
				       const struct twconf *conf,
				       const struct wrec *have,
				       const struct wrec *got);

/*
 * What is stored is kept consistent the way Samba's winsdb does: an
 * active special group or multihomed record left without members is
 * released (never served, replaced by anything that comes).
 */
static enum twerr wrp_apply_put(struct wdb *db, struct wrec *r,
				unsigned flags)
{
	if (r->state == WREC_ACTIVE && r->num_addrs == 0 &&
	    (r->type == WREC_SGROUP || r->type == WREC_MHOMED)) {
		r->state = WREC_RELEASED;
	}
	return wdb_put(db, r, flags);
}

/*
 * Carry out everything but a challenge.  listed: the addresses a
 * challenged holder listed (late release demand); NULL otherwise.
 */

static enum twerr wrp_apply_do(struct wdb *db, const struct wrec *have,
			       const struct wrec *got, enum wrp_action act,
			       const uint32_t *listed, uint32_t num_listed,
			       bool *stored)
{
	uint32_t local = wdb_local_owner(db);
	struct wrec r = {};
	uint32_t ips[WREC_MAX_ADDRS];
	uint32_t n = 0;
	bool own = false;
	enum twerr err = TWERR_OK;

	*stored = false;
	switch (act) {
	case WRP_ACT_KEEP:
	case WRP_ACT_CHALLENGE:
		wrp_apply_st.kept++;
		return TWERR_OK;
	case WRP_ACT_REPLACE:
		r = *got;
		err = wrp_apply_put(db, &r, 0);
		wrp_apply_st.replaced++;
		*stored = true;
		break;
	case WRP_ACT_PROPAGATE:
		/* keep ours, but newer than what the partner holds */
		r = *have;
		err = wdb_put(db, &r, WDB_ALLOC_VERSION);
		wrp_apply_st.propagated++;
		break;
	case WRP_ACT_RELEASE_DEMAND:
		r = *got;
		err = wrp_apply_put(db, &r, 0);
		if (err != TWERR_OK) {
			break;
		}
		*stored = true;
		wrp_apply_st.replaced++;
		/*
		 * every holder of our old record: its registration is void
		 * even where the group lists the same address (Samba does
		 * the same; smbtorture's _MA_SA_SI_R waits for it)
		 */
		wrp_rec_ips(have, ips, &n);
		wrp_release_demand(have, ips, n);
		break;
	case WRP_ACT_LATE_RELEASE_DEMAND:
		wrp_apply_st.kept++;
		if (listed != NULL) {
			wrp_release_demand(have, listed, num_listed);
		}
		break;
	case WRP_ACT_SGROUP_MERGE:
		wrp_apply_sgroup_merge(have, got, local, &r, &own);
		err = wrp_apply_put(db, &r, own ? WDB_ALLOC_VERSION : 0);
		wrp_apply_st.sgroup_merges++;
		*stored = true;
		break;
	case WRP_ACT_MHOMED_MERGE:
		wrp_apply_mhomed_merge(have, got, local, &r);
		err = wrp_apply_put(db, &r, 0);
		wrp_apply_st.mhomed_merges++;
		*stored = true;
		break;
	}
	if (err != TWERR_OK) {
		*stored = false;
		wrp_apply_st.errors++;
	}
	return err;
}

enum twerr wrp_apply_record(struct wdb *db, const struct twconf *conf,
			    const struct wrec *got, unsigned flags,
			    bool *stored)
{
	uint32_t local = wdb_local_owner(db);
	struct wrec have = {};
	bool found = false;
	enum wrp_action act;
	enum twerr err;
	char ipb[TW_IPSTR_LEN];

	*stored = false;
	wrp_apply_st.received++;
	/* rule 4: Migrate On lets dynamic replicas take static U/M */
	if (conf->migrate) {
		flags |= WRP_APPLY_MIGRATE;
	}
	/*
	 * A released record is never replicated ([MS-WINSRA] 3.2.5.1), yet
	 * Samba sends them: the rules treat it as not active (like a
	 * tombstone), its owner's word on its own record still replaces
	 * (rule 1), and a released record is never served to partners.
	 */
	if (got->state == WREC_RELEASED) {
		wrp_apply_st.released_received++;
	}
	/*
	 * SA-11, class 32: a partner never speaks for us (our own records
	 * come only from our registrations), and owner 0.0.0.0 is not a
	 * server (Samba maps it to "local").
	 */
	if (got->owner == local || got->owner == 0) {
		wrp_apply_st.refused_owner++;
		return TWERR_OK;
	}
	if (!wrp_apply_owner_allowed(got->owner)) {
		wrp_apply_st.refused_persona++;
		return TWERR_OK;
	}
	/* PA-1: a protected name is only ever taken by a static record */
	if (!got->is_static && nbns_is_protected(conf, &got->name)) {
		wrp_apply_st.refused_protected++;
		return TWERR_OK;
	}
	err = wdb_fetch(db, &got->name, &have, &found);
	if (err != TWERR_OK && err != TWERR_CORRUPT) {
		wrp_apply_st.errors++;
		return err;
	}
	if (!found || err == TWERR_CORRUPT) {
		/* new name, or a damaged stored record: take the replica */
		return wrp_apply_do(db, &have, got, WRP_ACT_REPLACE, NULL, 0,
				    stored);
	}
	act = wrp_apply_decide(&have, got, local, flags);
	TW_DEBUG("wrepl apply: replica of %s: %s",
		 tw_ipstr(got->owner, ipb), wrp_action_str(act));
	if (act == WRP_ACT_CHALLENGE) {
		return wrp_apply_chal_start(db, conf, &have, got);
	}
	return wrp_apply_do(db, &have, got, act, NULL, 0, stored);
}

/* --- the challenge of our addresses (table B, U/M vs U/M) --- */

struct wrp_apply_chal {
	struct wrp_apply_chal *prev, *next;
	struct wrp_apply_link *link;
	struct wdb *db;
	struct wrec have;
	struct wrec got;
	uint32_t ips[WREC_MAX_ADDRS];
	uint32_t num_ips;
	uint32_t local_ip;
};

TWLIST_FUNCS(wrp_apply_chal_list, struct wrp_apply_chal, prev, next)

static void wrp_apply_chal_done(struct tevent_req *subreq);

static int wrp_apply_chal_destructor(struct wrp_apply_chal *c)
{
	wrp_apply_chal_list_unlink(&c->link->chals, c);
	c->link->num_chals--;
	return 0;
}

/*
 * The queries go out once the exchange that brought the replica has
 * moved on: a partner's UPDATE gets its Stop before our clients are
 * asked (as with Samba, whose wrepl task hands challenges to its nbt
 * task), and a challenge never delays the association.
 */
static void wrp_apply_chal_go(struct tevent_context *ev,
			      struct tevent_immediate *im,
			      void *private_data)
{
	struct wrp_apply_chal *c = talloc_get_type_abort(
		private_data, struct wrp_apply_chal);
	struct tevent_req *subreq = NULL;

	subreq = nbns_challenge_send(c, c->link->s, &c->have.name, c->ips,
				     c->num_ips, c->local_ip);
	if (subreq == NULL) {
		/* not asked: ours is kept */
		wrp_apply_st.errors++;
		talloc_free(c);
		return;
	}
	tevent_req_set_callback(subreq, wrp_apply_chal_done, c);
}

static bool wrp_apply_chal_running(const struct wrp_apply_link *l,
				   const struct nbn_name *name)
{
	const struct wrp_apply_chal *c = NULL;

	for (c = l->chals; c != NULL; c = c->next) {
		if (nbn_equal(&c->have.name, name)) {
			return true;
		}
	}
	return false;
}

static enum twerr wrp_apply_chal_start(struct wdb *db,
				       const struct twconf *conf,
				       const struct wrec *have,
				       const struct wrec *got)
{
	struct wrp_apply_chal *c = NULL;
	struct tevent_immediate *im = NULL;

	if (wrp_apply_nbns_link == NULL) {
		/*
		 * No name server to ask: keep ours.  Giving the name away
		 * unasked would let any partner take an active name.
		 */
		wrp_apply_st.challenges_skipped++;
		wrp_apply_st.kept++;
		return TWERR_OK;
	}
	/*
	 * Class 32: a partner's response decides how many queries we send
	 * to our clients.  One challenge per name at a time (a name twice
	 * in one response), and a bound on all of them; beyond it ours is
	 * kept, as when no name server is attached.
	 */
	if (wrp_apply_nbns_link->num_chals >= WRP_APPLY_MAX_CHALLENGES ||
	    wrp_apply_chal_running(wrp_apply_nbns_link, &have->name)) {
		wrp_apply_st.challenges_skipped++;
		wrp_apply_st.kept++;
		return TWERR_OK;
	}
	/* the challenge outlives the pull: it belongs to the name server */
	c = talloc_zero(wrp_apply_nbns_link, struct wrp_apply_chal);
	if (c == NULL) {
		return TWERR_NOMEM;
	}
	c->link = wrp_apply_nbns_link;
	wrp_apply_chal_list_link(&c->link->chals, c);
	c->link->num_chals++;
	talloc_set_destructor(c, wrp_apply_chal_destructor);
	c->db = db;
	c->have = *have;
	c->got = *got;
	wrp_rec_ips(have, c->ips, &c->num_ips);
	c->local_ip = (c->num_ips > 0) ?
		wrp_pull_local_ip(conf, c->ips[0]) : 0;
	im = tevent_create_immediate(c);
	if (im == NULL) {
		talloc_free(c);
		return TWERR_NOMEM;
	}
	tevent_schedule_immediate(im, c->link->s->ev,
				  wrp_apply_chal_go, c);
	wrp_apply_st.challenges++;
	return TWERR_OK;
}

static void wrp_apply_chal_done(struct tevent_req *subreq)
{
	struct wrp_apply_chal *c = tevent_req_callback_data(
		subreq, struct wrp_apply_chal);
	struct wrec now_have = {};
	uint32_t listed[WREC_MAX_ADDRS];
	uint32_t num_listed = 0;
	bool held = false;
	bool found = false;
	bool stored = false;
	enum wrp_action act;
	enum twerr err;
	bool ok;

	ok = nbns_challenge_recv(subreq, &held, listed, &num_listed);
	TALLOC_FREE(subreq);
	if (!ok) {
		wrp_apply_st.errors++;
		goto done;
	}
	/*
	 * The record may have changed while we asked (a registration, a
	 * newer replica): then this outcome is about a record that no
	 * longer exists.
	 */
	err = wdb_fetch(c->db, &c->have.name, &now_have, &found);
	if (err != TWERR_OK || !found ||
	    now_have.owner != c->have.owner ||
	    now_have.version != c->have.version) {
		wrp_apply_st.challenges_stale++;
		goto done;
	}
	act = wrp_apply_challenge_outcome(&c->have, &c->got, held, listed,
					  num_listed);
	err = wrp_apply_do(c->db, &c->have, &c->got, act, listed, num_listed,
			   &stored);
	if (err != TWERR_OK) {
		TW_NOTICE("wrepl apply: storing a challenge outcome failed: "
			  "%s", twerr_str(err));
	}
done:
	talloc_free(c);
}
