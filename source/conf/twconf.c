/*
 * tdbwins — configuration defaults and checks.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "twconf.h"
#include "../util/twutil.h"

struct twconf *twconf_new(TALLOC_CTX *mem_ctx)
{
	struct twconf *c = talloc_zero(mem_ctx, struct twconf);
	static const char *const protected_default[] = {
		"WPAD", "ISATAP", NULL,
	};
	size_t i;

	if (c == NULL) {
		return NULL;
	}
	c->netbios_name = talloc_strdup(c, "TDBWINS");
	c->workgroup = talloc_strdup(c, "WORKGROUP");
	c->wins_support = true;
	c->bind_interfaces_only = true;
	c->nbt_port = 137;
	c->min_ttl = 21600;
	c->max_ttl = 518400;
	c->db_path = talloc_strdup(c, "tdbwins.tdb");
	c->protected_names = talloc_zero_array(c, const char *,
					       ARRAY_LEN(protected_default));
	if (c->netbios_name == NULL || c->workgroup == NULL ||
	    c->db_path == NULL || c->protected_names == NULL) {
		talloc_free(c);
		return NULL;
	}
	for (i = 0; protected_default[i] != NULL; i++) {
		c->protected_names[i] = talloc_strdup(c->protected_names,
						      protected_default[i]);
	}
	c->renew_interval = 518400;
	c->tombstone_interval = 518400;
	c->tombstone_timeout = 86400;
	c->scavenging_interval = 0;
	/* Samba's default, 24 days, as Windows (PROTOCOL.md 2.11) */
	c->verify_interval = 2073600;
	c->prepend_1b_to_1c = true;
	c->burst_handling = false;
	c->burst_queue = 500;
	c->max_challenges = 1000;
	c->challenge_timeout_ms = 1000;
	c->challenge_retries = 2;
	/* node status is the amplification vector (PA-5): limited by
	 * default; registrations and queries only when configured */
	c->rl_rate[2] = 10;
	c->rl_burst[2] = 20;
	c->wrepl_port = 42;
	c->wrepl_max_assoc = 64;
	c->wrepl_max_assoc_partner = 4;
	c->wrepl_handshake_timeout = 10;
	c->wrepl_idle_timeout = 600;
	c->wrepl_max_records = 50000;
	c->pull_interval = 1800;
	/* Windows CommRetryCount 3; Samba's pullRetryInterval 30 s */
	c->pull_retries = 3;
	c->pull_retry_interval = 30;
	c->log_level = 1;
	return c;
}

bool twconf_parse_iface(const char *s, struct twconf_iface *out)
{
	char buf[64];
	char *slash = NULL;
	struct in_addr a = {};
	struct in_addr m = {};
	char *end = NULL;
	unsigned long len = 32;

	if (s == NULL || strlen(s) >= sizeof(buf)) {
		return false;
	}
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL) {
		*slash = '\0';
	}
	if (inet_pton(AF_INET, buf, &a) != 1) {
		return false;
	}
	out->ip = ntohl(a.s_addr);
	out->mask = 0xffffffffu;
	if (slash == NULL) {
		return true;
	}
	if (strchr(slash + 1, '.') != NULL) {
		if (inet_pton(AF_INET, slash + 1, &m) != 1) {
			return false;
		}
		out->mask = ntohl(m.s_addr);
		return true;
	}
	len = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || *end != '\0' || len > 32) {
		return false;
	}
	out->mask = (len == 0) ? 0 : (0xffffffffu << (32 - len));
	return true;
}

bool twconf_add_iface(struct twconf *conf, const struct twconf_iface *i)
{
	struct twconf_iface *n = NULL;
	uint32_t k;

	for (k = 0; k < conf->num_ifaces; k++) {
		if (conf->ifaces[k].ip == i->ip) {
			return true;
		}
	}
	n = talloc_realloc(conf, conf->ifaces, struct twconf_iface,
			   conf->num_ifaces + 1);
	if (n == NULL) {
		return false;
	}
	n[conf->num_ifaces] = *i;
	conf->ifaces = n;
	conf->num_ifaces++;
	return true;
}

bool twconf_add_partner(struct twconf *conf, uint32_t ip, bool pull,
			bool push)
{
	struct twconf_partner *n = NULL;
	uint32_t k;

	for (k = 0; k < conf->num_partners; k++) {
		if (conf->partners[k].ip == ip) {
			conf->partners[k].pull |= pull;
			conf->partners[k].push |= push;
			return true;
		}
	}
	n = talloc_realloc(conf, conf->partners, struct twconf_partner,
			   conf->num_partners + 1);
	if (n == NULL) {
		return false;
	}
	n[conf->num_partners] = (struct twconf_partner) {
		.ip = ip,
		.pull = pull,
		.push = push,
	};
	conf->partners = n;
	conf->num_partners++;
	return true;
}

const struct twconf_partner *twconf_find_partner(const struct twconf *conf,
						 uint32_t ip)
{
	uint32_t k;

	for (k = 0; k < conf->num_partners; k++) {
		if (conf->partners[k].ip == ip) {
			return &conf->partners[k];
		}
	}
	return NULL;
}

static bool twconf_name_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) <= 15;
}

char *twconf_check(TALLOC_CTX *mem_ctx, struct twconf *c)
{
	if (!twconf_name_ok(c->netbios_name)) {
		return talloc_asprintf(mem_ctx, "netbios name '%s' must be "
				       "1 to 15 bytes", c->netbios_name);
	}
	if (!twconf_name_ok(c->workgroup)) {
		return talloc_asprintf(mem_ctx, "workgroup '%s' must be "
				       "1 to 15 bytes", c->workgroup);
	}
	if (c->num_ifaces == 0) {
		return talloc_strdup(mem_ctx, "no usable IPv4 interface "
				     "(check 'interfaces')");
	}
	if (c->min_ttl == 0 || c->min_ttl > c->max_ttl) {
		return talloc_asprintf(mem_ctx, "min wins ttl (%u) must be "
				       "non-zero and <= max wins ttl (%u)",
				       c->min_ttl, c->max_ttl);
	}
	if (c->renew_interval < 60 || c->tombstone_interval < 60 ||
	    c->tombstone_timeout < 60) {
		return talloc_strdup(mem_ctx, "wreplsrv renew/tombstone "
				     "intervals must be >= 60 seconds");
	}
	if (c->verify_interval < 60) {
		return talloc_strdup(mem_ctx, "wreplsrv:verify_interval must "
				     "be >= 60 seconds");
	}
	if (c->scavenging_interval == 0) {
		c->scavenging_interval = c->renew_interval / 2;
	}
	if (c->burst_queue < 50 || c->burst_queue > 5000) {
		return talloc_asprintf(mem_ctx, "tdbwins:burst queue size %u "
				       "outside 50..5000", c->burst_queue);
	}
	if (c->max_challenges == 0) {
		return talloc_strdup(mem_ctx,
				     "tdbwins:max challenges must be > 0");
	}
	if (c->wrepl_max_assoc == 0 || c->wrepl_max_assoc_partner == 0 ||
	    c->wrepl_max_assoc_partner > c->wrepl_max_assoc) {
		return talloc_strdup(mem_ctx, "tdbwins:wrepl max associations "
				     "(per partner) must be > 0 and per "
				     "partner <= total");
	}
	if (c->wrepl_handshake_timeout == 0 ||
	    c->wrepl_handshake_timeout > 300) {
		return talloc_strdup(mem_ctx, "tdbwins:wrepl handshake "
				     "timeout must be 1..300 seconds");
	}
	if (c->pull_retries > 0 &&
	    (c->pull_retry_interval < 1 || c->pull_retry_interval > 3600)) {
		return talloc_strdup(mem_ctx, "tdbwins:pull retry interval "
				     "must be 1..3600 seconds");
	}
	if (c->pull_interval != 0 && c->pull_interval < 60) {
		return talloc_strdup(mem_ctx, "tdbwins:pull interval must be "
				     "0 (off) or >= 60 seconds");
	}
	if (c->wrepl_max_records == 0) {
		return talloc_strdup(mem_ctx,
				     "tdbwins:wrepl max records must be > 0");
	}
	for (int k = 0; k < 3; k++) {
		if (c->rl_rate[k] != 0 && c->rl_burst[k] < c->rl_rate[k]) {
			c->rl_burst[k] = c->rl_rate[k];
		}
	}
	if (c->local_owner == 0) {
		c->local_owner = c->ifaces[0].ip;
	}
	return NULL;
}
