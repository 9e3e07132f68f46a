/*
 * tdbwins — per-source token buckets.  See nbns_ratelimit.h.
 */
#include <string.h>

#include "nbns_ratelimit.h"
#include "../util/twutil.h"

void nbns_rl_init(struct nbns_ratelimit *rl, const uint32_t *rate,
		  const uint32_t *burst)
{
	memset(rl, 0, sizeof(*rl));
	memcpy(rl->rate, rate, sizeof(rl->rate));
	memcpy(rl->burst, burst, sizeof(rl->burst));
	/* keyed so a flooder cannot aim all sources at one victim's slot */
	rl->key = tw_random32() | 1;
}

static uint32_t nbns_rl_slot(const struct nbns_ratelimit *rl, uint32_t ip)
{
	uint32_t h = (ip ^ rl->key) * 0x9e3779b1u;

	h ^= h >> 15;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h % NBNS_RL_SLOTS;
}

bool nbns_rl_allow(struct nbns_ratelimit *rl, enum nbns_rl_class cls,
		   uint32_t ip, uint64_t now_ms)
{
	struct nbns_rl_bucket *b = NULL;
	uint64_t cap;
	uint64_t add;
	uint64_t tokens;

	if (rl->rate[cls] == 0) {
		return true;
	}
	b = &rl->slots[cls][nbns_rl_slot(rl, ip)];
	cap = (uint64_t)rl->burst[cls] * 1000;
	if (b->last_ms == 0) {
		/* sources sharing a slot share its budget: stricter only */
		b->ip = ip;
		b->tokens_milli = (uint32_t)cap;
		b->last_ms = now_ms;
	}
	if (now_ms > b->last_ms) {
		add = (now_ms - b->last_ms) * rl->rate[cls];
		tokens = b->tokens_milli + add;
		b->tokens_milli = (uint32_t)(tokens > cap ? cap : tokens);
		b->last_ms = now_ms;
	}
	if (b->tokens_milli < 1000) {
		rl->limited[cls]++;
		return false;
	}
	b->tokens_milli -= 1000;
	return true;
}
