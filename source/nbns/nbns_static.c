/*
 * tdbwins — static records ("static mappings", PROTOCOL.md 2.9) from an
 * LMHOSTS-style file named by `tdbwins:static file`:
 *
 *     # comment
 *     198.18.2.10   FILESRV            -> FILESRV<20> and FILESRV<00>
 *     198.18.2.11   PRINTSRV#20        -> only PRINTSRV<20>
 *     198.18.2.12   DC1  #DOM:CORP     -> DC1<20>, DC1<00>, CORP<1c> member
 *
 * A name listed with several addresses becomes a multihomed record (at
 * most 25).  Static records never expire and are not overwritten by
 * dynamic registrations.  They are (re)loaded at start and on reload; one
 * that disappeared from the file becomes a tombstone with a new version so
 * the removal replicates.  An unchanged record keeps its version.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nbns_private.h"
#include "../util/twutil.h"

#define NBNS_STATIC_MAX 4096
#define NBNS_STATIC_LINE 512

struct nbns_static_set {
	struct wrec *recs;
	uint32_t num;
};

static struct wrec *nbns_static_find(struct nbns_static_set *set,
				     const struct nbn_name *n)
{
	uint32_t i;

	for (i = 0; i < set->num; i++) {
		if (nbn_equal(&set->recs[i].name, n)) {
			return &set->recs[i];
		}
	}
	return NULL;
}

static bool nbns_static_add(struct nbns_server *s, struct nbns_static_set *set,
			    const char *name, uint8_t suffix, bool group,
			    uint32_t ip)
{
	struct nbn_name n;
	struct wrec *r = NULL;
	uint32_t i;

	if (!nbn_make(&n, name, suffix, NULL)) {
		return false;
	}
	r = nbns_static_find(set, &n);
	if (r == NULL) {
		if (set->num >= NBNS_STATIC_MAX) {
			return false;
		}
		r = &set->recs[set->num++];
		*r = (struct wrec) {
			.name = n,
			.type = group ? WREC_SGROUP : WREC_UNIQUE,
			.state = WREC_ACTIVE,
			.node = WREC_NODE_H,
			.is_static = true,
			.owner = wdb_local_owner(s->db),
			/* static: the scavenger never touches it */
			.expire = INT64_MAX / 2,
		};
	}
	for (i = 0; i < r->num_addrs; i++) {
		if (r->addrs[i].ip == ip) {
			return true;
		}
	}
	if (r->num_addrs >= WREC_MAX_ADDRS) {
		return false;
	}
	r->addrs[r->num_addrs++] = (struct wrec_addr) {
		.ip = ip,
		.owner = r->owner,
		.expire = r->expire,
	};
	if (!group && r->num_addrs > 1) {
		r->type = WREC_MHOMED;
	}
	return true;
}

/* One line; false (with a logged reason) if it is not usable. */
static bool nbns_static_line(struct nbns_server *s,
			     struct nbns_static_set *set, char *line,
			     unsigned lineno)
{
	char *save = NULL;
	char *ipstr = strtok_r(line, " \t\r\n", &save);
	char *name = NULL;
	char *tok = NULL;
	char *hash = NULL;
	struct in_addr a = {};
	bool ok = true;

	if (ipstr == NULL || ipstr[0] == '#') {
		return true;	/* blank or comment */
	}
	name = strtok_r(NULL, " \t\r\n", &save);
	if (name == NULL || inet_pton(AF_INET, ipstr, &a) != 1 ||
	    !nbns_addr_acceptable(ntohl(a.s_addr))) {
		TW_WARN("static file line %u: need 'ADDRESS NAME'", lineno);
		return false;
	}
	hash = strchr(name, '#');
	if (hash != NULL) {
		char *end = NULL;
		unsigned long suffix;

		*hash = '\0';
		suffix = strtoul(hash + 1, &end, 16);
		if (*end != '\0' || end == hash + 1 || suffix > 0xff) {
			TW_WARN("static file line %u: bad suffix", lineno);
			return false;
		}
		ok = nbns_static_add(s, set, name, (uint8_t)suffix,
				     suffix == 0x1c, ntohl(a.s_addr));
	} else {
		ok = nbns_static_add(s, set, name, 0x20, false,
				     ntohl(a.s_addr)) &&
		     nbns_static_add(s, set, name, 0x00, false,
				     ntohl(a.s_addr));
	}
	while (ok && (tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
		if (strncasecmp(tok, "#DOM:", 5) == 0 && tok[5] != '\0') {
			ok = nbns_static_add(s, set, tok + 5, 0x1c, true,
					     ntohl(a.s_addr));
		} else if (tok[0] == '#') {
			continue;	/* #PRE and other LMHOSTS keywords */
		} else {
			break;
		}
	}
	if (!ok) {
		TW_WARN("static file line %u: name invalid or too many "
			"entries", lineno);
	}
	return ok;
}

struct nbns_static_walk {
	struct nbns_static_set *set;
	uint32_t local;
	struct wrec *gone;
	uint32_t num_gone;
	uint32_t cap;
};

static bool nbns_static_old(const struct wrec *rec, void *private_data)
{
	struct nbns_static_walk *w = private_data;

	if (!rec->is_static || rec->owner != w->local ||
	    rec->state != WREC_ACTIVE ||
	    nbns_static_find(w->set, &rec->name) != NULL) {
		return true;
	}
	if (w->num_gone < w->cap) {
		w->gone[w->num_gone++] = *rec;
	}
	return true;
}

bool nbns_load_static(struct nbns_server *s)
{
	TALLOC_CTX *tmp = talloc_new(s);
	struct nbns_static_set set = {};
	struct nbns_static_walk w = {};
	char line[NBNS_STATIC_LINE];
	unsigned lineno = 0;
	FILE *f = NULL;
	enum twerr err = TWERR_OK;
	uint32_t i;
	bool ok = false;

	if (tmp == NULL) {
		return false;
	}
	set.recs = talloc_array(tmp, struct wrec, NBNS_STATIC_MAX);
	w.gone = talloc_array(tmp, struct wrec, NBNS_STATIC_MAX);
	if (set.recs == NULL || w.gone == NULL) {
		goto done;
	}
	if (s->conf->static_file != NULL) {
		f = fopen(s->conf->static_file, "r");
		if (f == NULL) {
			TW_ERR("cannot read tdbwins:static file %s: %s",
			       s->conf->static_file, strerror(errno));
			goto done;
		}
		while (fgets(line, sizeof(line), f) != NULL) {
			lineno++;
			nbns_static_line(s, &set, line, lineno);
		}
		fclose(f);
	}
	for (i = 0; i < set.num && err == TWERR_OK; i++) {
		struct wrec have = {};
		bool found = false;
		unsigned flags = WDB_ALLOC_VERSION;

		err = wdb_fetch(s->db, &set.recs[i].name, &have, &found);
		if (err != TWERR_OK) {
			break;
		}
		if (found && have.is_static && have.state == WREC_ACTIVE &&
		    have.owner == set.recs[i].owner &&
		    have.type == set.recs[i].type &&
		    have.num_addrs == set.recs[i].num_addrs &&
		    memcmp(have.addrs, set.recs[i].addrs,
			   sizeof(have.addrs[0]) * have.num_addrs) == 0) {
			continue;	/* unchanged: keeps its version */
		}
		err = wdb_put(s->db, &set.recs[i], flags);
	}
	/* static records no longer listed: tombstones that replicate */
	w.set = &set;
	w.local = wdb_local_owner(s->db);
	w.cap = NBNS_STATIC_MAX;
	if (err == TWERR_OK) {
		err = wdb_traverse(s->db, nbns_static_old, &w);
	}
	for (i = 0; i < w.num_gone && err == TWERR_OK; i++) {
		w.gone[i].state = WREC_TOMBSTONE;
		w.gone[i].is_static = false;
		w.gone[i].expire = tw_now() + s->conf->tombstone_timeout;
		err = wdb_put(s->db, &w.gone[i], WDB_ALLOC_VERSION);
	}
	if (err == TWERR_OK) {
		err = wdb_flush(s->db);
	}
	if (err != TWERR_OK) {
		TW_ERR("static records: %s", twerr_str(err));
		goto done;
	}
	if (set.num > 0 || w.num_gone > 0) {
		TW_NOTICE("static records: %u loaded, %u removed", set.num,
			  w.num_gone);
	}
	ok = true;
done:
	talloc_free(tmp);
	return ok;
}
