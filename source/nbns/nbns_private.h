/*
 * tdbwins — name server internals shared by the nbns_*.c files.
 */
#ifndef TDBWINS_NBNS_PRIVATE_H
#define TDBWINS_NBNS_PRIVATE_H

#include "nbns_ratelimit.h"
#include "nbns_server.h"
#include "../store/wdb.h"
#include "../store/wrec.h"
#include "../util/twlog.h"
#include "../wire/nbns.h"

#define NBNS_MAX_OWN_NAMES 16

struct nbns_own_name {
	struct nbn_name name;
	bool group;
};

struct nbns_probe;
struct nbns_reg;

struct nbns_server {
	struct tevent_context *ev;
	struct twconf *conf;
	struct wdb *db;
	struct ingress *ig;
	nbns_send_fn send_fn;
	void *send_private;

	struct nbns_stats stats;

	struct nbns_own_name own[NBNS_MAX_OWN_NAMES];
	uint32_t num_own;

	/* outstanding challenge queries, for reply matching */
	struct nbns_probe *probes;
	/* registrations waiting for a challenge (WACK sent) */
	struct nbns_reg *regs;
	uint32_t num_challenging;
	/* requests waiting for their commit */
	uint32_t num_committing;

	uint32_t burst_seq;
	struct nbns_ratelimit *rl;
	struct tevent_timer *scavenge_timer;
	struct twlog_ratelimit rl_reject;
	struct twlog_ratelimit rl_policy;
};

/* --- nbns_server.c --- */
bool nbns_is_own_name(const struct nbns_server *s, const struct nbn_name *n,
		      bool *group);
void nbns_send_packet(struct nbns_server *s, const struct nbns_src *to,
		      const struct nbp_packet *p);
void nbns_reply_register(struct nbns_server *s, const struct nbns_src *to,
			 const struct nbp_packet *req, uint8_t rcode,
			 uint32_t ttl);
void nbns_reply_release(struct nbns_server *s, const struct nbns_src *to,
			const struct nbp_packet *req, uint8_t rcode);
void nbns_reply_wack(struct nbns_server *s, const struct nbns_src *to,
		     const struct nbp_packet *req, uint32_t ttl);

/* --- nbns_query.c --- */
void nbns_handle_query(struct nbns_server *s, const struct nbns_src *src,
		       const struct nbp_packet *req);

/* --- nbns_register.c --- */
void nbns_handle_register(struct nbns_server *s, const struct nbns_src *src,
			  struct nbp_packet *req);
void nbns_handle_release(struct nbns_server *s, const struct nbns_src *src,
			 struct nbp_packet *req);

/* --- nbns_challenge.c --- */
enum nbns_chal_result {
	NBNS_CHAL_RELEASED = 0,	/* negative answer or no answer */
	NBNS_CHAL_HELD,		/* positive answer */
};

struct tevent_req *nbns_challenge_send(TALLOC_CTX *mem_ctx,
				       struct nbns_server *s,
				       const struct nbn_name *name,
				       const uint32_t *addrs, uint32_t num,
				       uint32_t local_ip);
/*
 * held: true if any challenged address still holds the name; the union of
 * the addresses the holders listed goes to *listed (up to WREC_MAX_ADDRS).
 */
bool nbns_challenge_recv(struct tevent_req *req, bool *held,
			 uint32_t *listed, uint32_t *num_listed);
/* A response packet that arrived on UDP 137: match it to a probe. */
void nbns_challenge_input(struct nbns_server *s, const struct nbns_src *src,
			  const struct nbp_packet *resp);

/* --- nbns_policy.c --- */
uint32_t nbns_clamp_ttl(const struct twconf *conf, uint32_t ttl);
bool nbns_is_protected(const struct twconf *conf, const struct nbn_name *n);
bool nbns_addr_acceptable(uint32_t ip);
bool nbns_hook_name_safe(const struct nbn_name *n, char *out, size_t outlen);

/* --- nbns_hook.c --- */
enum nbns_hook_op {
	NBNS_HOOK_ADD,
	NBNS_HOOK_REFRESH,
	NBNS_HOOK_DELETE,
};
/* Start the hook for rec; returns a request that completes when the hook
 * exited or its wait bound passed (never fails the caller), or NULL if no
 * hook runs for this record. */
struct tevent_req *nbns_hook_send(TALLOC_CTX *mem_ctx, struct nbns_server *s,
				  const struct wrec *rec,
				  enum nbns_hook_op op);
void nbns_hook_recv(struct tevent_req *req);

/* --- nbns_static.c --- */
bool nbns_load_static(struct nbns_server *s);

/* --- nbns_scavenge.c --- */
void nbns_scavenge_schedule(struct nbns_server *s);

#endif /* TDBWINS_NBNS_PRIVATE_H */
