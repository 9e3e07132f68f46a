/*
 * tdbwins — name server: set-up, own names, dispatch and replies.
 *
 * Every message reaches nbns_input() as bytes; the ingress module validates
 * it and hands back a typed packet or a verdict.  Nothing in this file reads
 * packet bytes itself.
 */
#include <string.h>
#include <time.h>

#include "nbns_private.h"
#include "../util/twutil.h"

static void nbns_add_own(struct nbns_server *s, const char *name,
			 uint8_t suffix, bool group)
{
	struct nbns_own_name *o = NULL;

	if (s->num_own >= NBNS_MAX_OWN_NAMES) {
		return;
	}
	o = &s->own[s->num_own];
	if (!nbn_make(&o->name, name, suffix, NULL)) {
		TW_WARN("own name '%s<%02x>' is not a valid NetBIOS name",
			name, suffix);
		return;
	}
	o->group = group;
	s->num_own++;
}

static void nbns_build_own_names(struct nbns_server *s)
{
	const struct twconf *c = s->conf;
	size_t i;

	s->num_own = 0;
	nbns_add_own(s, c->netbios_name, 0x00, false);
	nbns_add_own(s, c->netbios_name, 0x03, false);
	nbns_add_own(s, c->netbios_name, 0x20, false);
	for (i = 0; c->netbios_aliases != NULL &&
		    c->netbios_aliases[i] != NULL; i++) {
		nbns_add_own(s, c->netbios_aliases[i], 0x00, false);
		nbns_add_own(s, c->netbios_aliases[i], 0x20, false);
	}
	nbns_add_own(s, c->workgroup, 0x00, true);
	if (c->is_dc) {
		/* what Samba's nbtd registers for an AD DC */
		nbns_add_own(s, c->workgroup, 0x1b, false);
		nbns_add_own(s, c->workgroup, 0x1c, true);
	}
}

bool nbns_is_own_name(const struct nbns_server *s, const struct nbn_name *n,
		      bool *group)
{
	uint32_t i;

	for (i = 0; i < s->num_own; i++) {
		if (nbn_equal(&s->own[i].name, n)) {
			if (group != NULL) {
				*group = s->own[i].group;
			}
			return true;
		}
	}
	return false;
}

/*
 * An unchanged own name keeps its version (only its expiry moves), so a
 * restart does not make every partner pull our names again; any change
 * takes a new version ([MS-WINSRA] 3.1.1.2).
 */
static unsigned nbns_own_name_flags(struct nbns_server *s, struct wrec *rec)
{
	struct wrec have = {};
	bool found = false;
	uint32_t i;

	if (wdb_fetch(s->db, &rec->name, &have, &found) != TWERR_OK ||
	    !found || have.state != WREC_ACTIVE || have.is_static ||
	    have.owner != rec->owner || have.type != rec->type ||
	    have.num_addrs != rec->num_addrs) {
		return WDB_ALLOC_VERSION;
	}
	for (i = 0; i < rec->num_addrs; i++) {
		if (have.addrs[i].ip != rec->addrs[i].ip) {
			return WDB_ALLOC_VERSION;
		}
	}
	rec->version = have.version;
	return 0;
}

/*
 * Our own names are ordinary records owned by us, holding every interface
 * address (a multihomed record when we have several).  They are written at
 * start and on every reconfiguration, which also refreshes them.
 */
static bool nbns_register_own_names(struct nbns_server *s)
{
	const struct twconf *c = s->conf;
	int64_t now = tw_now();
	uint32_t i, k;
	enum twerr err;

	for (i = 0; i < s->num_own; i++) {
		struct wrec rec = {
			.name = s->own[i].name,
			.state = WREC_ACTIVE,
			.node = WREC_NODE_H,
			.owner = c->local_owner,
			.expire = now + c->max_ttl,
			.registered_by = c->ifaces[0].ip,
		};
		uint8_t suffix = nbn_suffix(&rec.name);

		if (s->own[i].group) {
			rec.type = (suffix == 0x1c) ? WREC_SGROUP : WREC_GROUP;
		} else {
			rec.type = (c->num_ifaces > 1) ? WREC_MHOMED
						       : WREC_UNIQUE;
		}
		if (rec.type == WREC_GROUP) {
			rec.num_addrs = 1;
			rec.addrs[0] = (struct wrec_addr) {
				.ip = 0xffffffffu,
				.owner = c->local_owner,
				.expire = rec.expire,
			};
		} else {
			for (k = 0; k < c->num_ifaces &&
				    k < WREC_MAX_ADDRS; k++) {
				rec.addrs[k] = (struct wrec_addr) {
					.ip = c->ifaces[k].ip,
					.owner = c->local_owner,
					.expire = rec.expire,
				};
			}
			rec.num_addrs = (uint8_t)k;
		}
		err = wdb_put(s->db, &rec, nbns_own_name_flags(s, &rec));
		if (err != TWERR_OK) {
			TW_ERR("cannot store own name: %s", twerr_str(err));
			return false;
		}
	}
	err = wdb_flush(s->db);
	if (err != TWERR_OK) {
		TW_ERR("cannot commit own names: %s", twerr_str(err));
		return false;
	}
	return true;
}

struct nbns_server *nbns_server_create(TALLOC_CTX *mem_ctx,
				       struct tevent_context *ev,
				       struct twconf *conf, struct wdb *db,
				       struct ingress *ig)
{
	struct nbns_server *s = talloc_zero(mem_ctx, struct nbns_server);

	if (s == NULL) {
		return NULL;
	}
	s->ev = ev;
	s->conf = conf;
	s->db = db;
	s->ig = ig;
	s->rl = talloc(s, struct nbns_ratelimit);
	if (s->rl == NULL) {
		talloc_free(s);
		return NULL;
	}
	nbns_rl_init(s->rl, conf->rl_rate, conf->rl_burst);
	nbns_build_own_names(s);
	return s;
}

void nbns_set_send(struct nbns_server *s, nbns_send_fn fn, void *private_data)
{
	s->send_fn = fn;
	s->send_private = private_data;
}

bool nbns_start(struct nbns_server *s)
{
	if (!nbns_register_own_names(s) || !nbns_load_static(s)) {
		return false;
	}
	nbns_scavenge_schedule(s);
	return true;
}

bool nbns_reconfigure(struct nbns_server *s, struct twconf *conf)
{
	/* the caller keeps conf alive as long as the server uses it */
	s->conf = conf;
	nbns_rl_init(s->rl, conf->rl_rate, conf->rl_burst);
	nbns_build_own_names(s);
	if (!nbns_register_own_names(s) || !nbns_load_static(s)) {
		return false;
	}
	TALLOC_FREE(s->scavenge_timer);
	nbns_scavenge_schedule(s);
	return true;
}

const struct nbns_stats *nbns_get_stats(const struct nbns_server *s)
{
	return &s->stats;
}

uint32_t nbns_pending(const struct nbns_server *s)
{
	return s->num_challenging + s->num_committing;
}

/* ---- replies ---- */

void nbns_send_packet(struct nbns_server *s, const struct nbns_src *to,
		      const struct nbp_packet *p)
{
	uint8_t buf[NBP_UDP_MAX];
	struct wwr w;
	enum twerr err;
	bool ok;

	wwr_init(&w, buf, sizeof(buf));
	err = nbp_encode(&w, p);
	if (err != TWERR_OK) {
		/* the reply builders keep every answer under 576 bytes */
		TW_ERR("cannot encode reply: %s", twerr_str(err));
		s->stats.send_failures++;
		return;
	}
	if (s->send_fn == NULL) {
		return;
	}
	ok = s->send_fn(s->send_private, to, buf, wwr_len(&w));
	if (!ok) {
		s->stats.send_failures++;
	}
}

/*
 * Registration replies always carry opcode 5 whatever the request's opcode
 * (refresh 8/9 and multi-homed 0xF included), as Windows and Samba do; the
 * answer echoes the request's NB entry with the TTL we granted.
 */
void nbns_reply_register(struct nbns_server *s, const struct nbns_src *to,
			 const struct nbp_packet *req, uint8_t rcode,
			 uint32_t ttl)
{
	struct nbp_rr an = {
		.name = req->questions[0].name,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = ttl,
		.num_addrs = 1,
		.addrs = req->additional[0].addrs,
	};
	struct nbp_packet p = {
		.trn_id = req->trn_id,
		.flags = NBP_FLAG_RESPONSE |
			 (NBP_OP_REGISTER << NBP_OPCODE_SHIFT) |
			 NBP_FLAG_AA | NBP_FLAG_RD | NBP_FLAG_RA |
			 (rcode & NBP_RCODE_MASK),
		.ancount = 1,
		.answers = &an,
	};

	if (rcode != NBP_RCODE_OK && rcode == NBP_RCODE_ACT) {
		s->stats.registrations_denied++;
	}
	nbns_send_packet(s, to, &p);
}

void nbns_reply_release(struct nbns_server *s, const struct nbns_src *to,
			const struct nbp_packet *req, uint8_t rcode)
{
	struct nbp_rr an = {
		.name = req->questions[0].name,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = req->additional[0].ttl,
		.num_addrs = 1,
		.addrs = req->additional[0].addrs,
	};
	struct nbp_packet p = {
		.trn_id = req->trn_id,
		.flags = NBP_FLAG_RESPONSE |
			 (NBP_OP_RELEASE << NBP_OPCODE_SHIFT) | NBP_FLAG_AA |
			 (rcode & NBP_RCODE_MASK),
		.ancount = 1,
		.answers = &an,
	};

	nbns_send_packet(s, to, &p);
}

/* RFC 1002 4.2.16; RR type NB on the wire as Windows sends it. */
void nbns_reply_wack(struct nbns_server *s, const struct nbns_src *to,
		     const struct nbp_packet *req, uint32_t ttl)
{
	struct nbp_rr an = {
		.name = req->questions[0].name,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = ttl,
		.is_wack = true,
		.wack_flags = req->flags,
	};
	struct nbp_packet p = {
		.trn_id = req->trn_id,
		.flags = NBP_FLAG_RESPONSE | (NBP_OP_WACK << NBP_OPCODE_SHIFT) |
			 NBP_FLAG_AA,
		.ancount = 1,
		.answers = &an,
	};

	s->stats.wacks_sent++;
	nbns_send_packet(s, to, &p);
}

/* FMT_ERR (or IMP_ERR) for a request the ingress rejected with an answer. */
static void nbns_reply_error(struct nbns_server *s, const struct nbns_src *to,
			     const struct ingress_nbns_result *res)
{
	struct nbp_packet p = {
		.trn_id = res->trn_id,
		.flags = NBP_FLAG_RESPONSE | (res->flags & NBP_OPCODE_MASK) |
			 NBP_FLAG_AA | (res->rcode & NBP_RCODE_MASK),
	};

	s->stats.fmt_errors_sent++;
	nbns_send_packet(s, to, &p);
}

/* ---- dispatch ---- */

static void nbns_log_reject(struct nbns_server *s, const struct nbns_src *src,
			    enum ingress_reason reason)
{
	char ip[TW_IPSTR_LEN];

	twlog_limited(&s->rl_reject, TWLOG_NOTICE,
		      "rejected NBNS message from %s:%u: %s",
		      tw_ipstr(src->ip, ip), src->port,
		      ingress_reason_str(reason));
}

/*
 * A name registration or refresh for one of our own unique names is
 * defended by this node (RFC 1002 5.1.1.5: negative response, ACT_ERR),
 * whoever asks and whatever the B and RD bits say, as Samba's nbtd does;
 * everything else unicast goes to the WINS logic.
 */
static bool nbns_defend(struct nbns_server *s, const struct nbns_src *src,
			const struct nbp_packet *req)
{
	bool group = false;
	uint32_t i;

	if (!nbns_is_own_name(s, &req->questions[0].name, &group) || group) {
		return false;
	}
	for (i = 0; i < s->conf->num_ifaces; i++) {
		if (req->additional[0].addrs[0].ipv4 == s->conf->ifaces[i].ip) {
			/* our own address: nothing to defend against */
			return false;
		}
	}
	s->stats.defended++;
	nbns_reply_register(s, src, req, NBP_RCODE_ACT,
			    req->additional[0].ttl);
	return true;
}

static uint64_t nbns_now_ms(void)
{
	struct timespec ts = {};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Per-source budgets (SECURITY.md F.3); over budget: dropped, counted. */
static bool nbns_rate_ok(struct nbns_server *s, const struct nbns_src *src,
			 const struct nbp_packet *req)
{
	enum nbns_rl_class cls = NBNS_RL_REGISTER;

	if (nbp_opcode(req) == NBP_OP_QUERY) {
		cls = (req->questions[0].qtype == NBP_TYPE_NBSTAT)
			      ? NBNS_RL_NBSTAT
			      : NBNS_RL_QUERY;
	}
	return nbns_rl_allow(s->rl, cls, src->ip, nbns_now_ms());
}

void nbns_input(struct nbns_server *s, const struct nbns_src *src,
		const uint8_t *buf, size_t len)
{
	TALLOC_CTX *tmp = talloc_new(s);
	struct ingress_nbns_result res = {};
	struct nbp_packet hdr = {};
	struct nbp_packet *req = NULL;
	bool bcast = false;
	uint8_t op;

	if (tmp == NULL) {
		return;
	}
	if (nbp_decode_header(buf, len, &hdr) == TWERR_OK &&
	    nbp_is_response(&hdr) && src->tcp_conn == 0 && s->probes != NULL) {
		/* a reply to one of our challenge queries, perhaps */
		ingress_nbns_response(s->ig, tmp, buf, len, &res);
		if (res.verdict == INGRESS_ACCEPT) {
			nbns_challenge_input(s, src, res.pkt);
		}
		goto done;
	}

	ingress_nbns_request(s->ig, tmp, buf, len, &res);
	if (res.verdict == INGRESS_DROP) {
		nbns_log_reject(s, src, res.reason);
		goto done;
	}
	if (res.verdict == INGRESS_ANSWER_ERROR) {
		nbns_log_reject(s, src, res.reason);
		nbns_reply_error(s, src, &res);
		goto done;
	}
	req = res.pkt;
	op = nbp_opcode(req);
	bcast = (req->flags & NBP_FLAG_B) != 0;
	if (!nbns_rate_ok(s, src, req)) {
		ingress_count(s->ig, INGRESS_R_RATE_LIMITED);
		nbns_log_reject(s, src, INGRESS_R_RATE_LIMITED);
		goto done;
	}

	switch (op) {
	case NBP_OP_QUERY:
		nbns_handle_query(s, src, req);
		break;
	case NBP_OP_REGISTER:
	case NBP_OP_REFRESH:
	case NBP_OP_REFRESH2:
	case NBP_OP_MHREGISTER:
		if (nbns_defend(s, src, req)) {
			break;
		}
		if (bcast) {
			/* broadcast traffic is not for the WINS server */
			s->stats.not_for_wins++;
			ingress_count(s->ig, INGRESS_R_BROADCAST);
			break;
		}
		/* the request lives on until its answer is sent */
		nbns_handle_register(s, src, talloc_steal(s, req));
		break;
	case NBP_OP_RELEASE:
		if (bcast) {
			s->stats.not_for_wins++;
			ingress_count(s->ig, INGRESS_R_BROADCAST);
			break;
		}
		nbns_handle_release(s, src, talloc_steal(s, req));
		break;
	default:
		/* ingress only accepts the opcodes above */
		break;
	}
done:
	talloc_free(tmp);
}
