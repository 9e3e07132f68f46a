/*
 * tdbwins — per-source token buckets (SECURITY.md F.3, class 24).
 *
 * A fixed table of NBNS_RL_SLOTS buckets, indexed by a keyed hash of the
 * source address: memory is bounded whatever a flood of spoofed sources
 * does.  Two sources that share a slot share a budget, which only ever
 * makes the limit stricter.  A rate of 0 disables a class.
 */
#ifndef TDBWINS_NBNS_RATELIMIT_H
#define TDBWINS_NBNS_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define NBNS_RL_SLOTS 4096

enum nbns_rl_class {
	NBNS_RL_REGISTER = 0,	/* registrations, refreshes, releases */
	NBNS_RL_QUERY,
	NBNS_RL_NBSTAT,
	NBNS_RL_CLASSES
};

struct nbns_rl_bucket {
	uint32_t ip;
	uint32_t tokens_milli;	/* thousandths of a request */
	uint64_t last_ms;
};

struct nbns_ratelimit {
	uint32_t rate[NBNS_RL_CLASSES];		/* per second, 0 = off */
	uint32_t burst[NBNS_RL_CLASSES];
	uint32_t key;
	struct nbns_rl_bucket slots[NBNS_RL_CLASSES][NBNS_RL_SLOTS];
	uint64_t limited[NBNS_RL_CLASSES];
};

void nbns_rl_init(struct nbns_ratelimit *rl, const uint32_t *rate,
		  const uint32_t *burst);

/* true if a request of this class from ip may be served at now_ms. */
bool nbns_rl_allow(struct nbns_ratelimit *rl, enum nbns_rl_class cls,
		   uint32_t ip, uint64_t now_ms);

#endif /* TDBWINS_NBNS_RATELIMIT_H */
