/*
 * tdbwins — smb.conf through Samba's public loadparm library
 * (samba-hostconfig).  docs/configuration.md lists every option read here.
 *
 * Typed getters that samba-hostconfig exports but does not declare in its
 * installed headers are declared below; string options go through the
 * declared lpcfg_parm_struct()/lpcfg_parm_ptr() pair, whose signatures do
 * not change between Samba versions.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <stdbool.h>
#include <param.h>

#include "lpconf.h"

/* exported by libsamba-hostconfig (SAMBA_HOSTCONFIG_0.0.1) */
const char *lpcfg_workgroup(struct loadparm_context *);
int lpcfg_min_wins_ttl(struct loadparm_context *);
int lpcfg_max_wins_ttl(struct loadparm_context *);
bool lpcfg_we_are_a_wins_server(struct loadparm_context *);
bool lpcfg_bind_interfaces_only(struct loadparm_context *);
int lpcfg_nbt_port(struct loadparm_context *);
const char *lpcfg_state_directory(struct loadparm_context *);
const char *lpcfg_pid_directory(struct loadparm_context *);
const char **lpcfg_netbios_aliases(struct loadparm_context *);

/* server role values (Samba's enum server_role) */
#define LPCONF_ROLE_ACTIVE_DIRECTORY_DC 5

static const char *lpconf_string(struct loadparm_context *lp,
				 const char *name)
{
	struct parm_struct *ps = lpcfg_parm_struct(lp, name);
	char **p = NULL;

	if (ps == NULL) {
		return NULL;
	}
	p = lpcfg_parm_ptr(lp, NULL, ps);
	if (p == NULL || *p == NULL || (*p)[0] == '\0') {
		return NULL;
	}
	return *p;
}

static char *lpconf_upper(TALLOC_CTX *mem_ctx, const char *s)
{
	char *u = talloc_strdup(mem_ctx, s != NULL ? s : "");
	size_t i;

	for (i = 0; u != NULL && u[i] != '\0'; i++) {
		u[i] = (char)toupper((unsigned char)u[i]);
	}
	return u;
}

/* Interface names (eth0, lo) resolve to their IPv4 addresses. */
static bool lpconf_add_ifname(struct twconf *c, const char *name)
{
	struct ifaddrs *ifa = NULL, *p = NULL;
	bool any = false;

	if (getifaddrs(&ifa) != 0) {
		return false;
	}
	for (p = ifa; p != NULL; p = p->ifa_next) {
		struct twconf_iface i = {};

		if (p->ifa_addr == NULL || p->ifa_addr->sa_family != AF_INET ||
		    strcmp(p->ifa_name, name) != 0) {
			continue;
		}
		i.ip = ntohl(((struct sockaddr_in *)p->ifa_addr)
				     ->sin_addr.s_addr);
		i.mask = (p->ifa_netmask != NULL)
				 ? ntohl(((struct sockaddr_in *)p->ifa_netmask)
						 ->sin_addr.s_addr)
				 : 0xffffffffu;
		any = twconf_add_iface(c, &i) || any;
	}
	freeifaddrs(ifa);
	return any;
}

/* No "interfaces": every non-loopback IPv4 address, as Samba does. */
static void lpconf_all_ifaces(struct twconf *c)
{
	struct ifaddrs *ifa = NULL, *p = NULL;

	if (getifaddrs(&ifa) != 0) {
		return;
	}
	for (p = ifa; p != NULL; p = p->ifa_next) {
		struct twconf_iface i = {};

		if (p->ifa_addr == NULL || p->ifa_addr->sa_family != AF_INET ||
		    (p->ifa_flags & IFF_LOOPBACK) || !(p->ifa_flags & IFF_UP)) {
			continue;
		}
		i.ip = ntohl(((struct sockaddr_in *)p->ifa_addr)
				     ->sin_addr.s_addr);
		i.mask = 0xffffffffu;
		twconf_add_iface(c, &i);
	}
	freeifaddrs(ifa);
}

static const char **lpconf_list(TALLOC_CTX *mem_ctx,
				struct loadparm_context *lp, const char *opt)
{
	return lpcfg_parm_string_list(mem_ctx, lp, NULL, "tdbwins", opt,
				      ", \t");
}

/*
 * Replication partners: "tdbwins:partners" (pull and push),
 * "tdbwins:pull partners", "tdbwins:push partners"; IPv4 addresses only,
 * so that authorisation by address means what the admin wrote
 * (docs/replication.md).
 */
static bool lpconf_partners(TALLOC_CTX *mem_ctx, struct twconf *c,
			    struct loadparm_context *lp, char **errmsg)
{
	static const struct {
		const char *opt;
		bool pull;
		bool push;
	} lists[] = {
		{ "partners", true, true },
		{ "pull partners", true, false },
		{ "push partners", false, true },
	};
	size_t l, i;

	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		const char **v = lpconf_list(mem_ctx, lp, lists[l].opt);

		for (i = 0; v != NULL && v[i] != NULL; i++) {
			struct in_addr a = {};
			uint32_t ip;

			if (inet_pton(AF_INET, v[i], &a) != 1) {
				*errmsg = talloc_asprintf(
					mem_ctx, "tdbwins:%s: '%s' is not an "
					"IPv4 address", lists[l].opt, v[i]);
				return false;
			}
			ip = ntohl(a.s_addr);
			if (!twconf_add_partner(c, ip, lists[l].pull,
						lists[l].push)) {
				*errmsg = talloc_strdup(mem_ctx,
							"out of memory");
				return false;
			}
		}
		TALLOC_FREE(v);
	}
	c->wrepl_port = (uint16_t)lpcfg_parm_ulong(lp, NULL, "tdbwins",
						   "wrepl port", c->wrepl_port);
	c->wrepl_max_assoc = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "wrepl max associations",
		c->wrepl_max_assoc);
	c->wrepl_max_assoc_partner = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "wrepl max associations per partner",
		c->wrepl_max_assoc_partner);
	c->wrepl_handshake_timeout = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "wrepl handshake timeout",
		c->wrepl_handshake_timeout);
	c->wrepl_idle_timeout = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "wrepl idle timeout",
		c->wrepl_idle_timeout);
	c->wrepl_max_records = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "wrepl max records",
		c->wrepl_max_records);
	c->pull_interval = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "pull interval", c->pull_interval);
	c->pull_retries = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "pull retries", c->pull_retries);
	c->pull_retry_interval = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "pull retry interval",
		c->pull_retry_interval);
	/* test partners only (smbtorture): docs/replication.md */
	c->wrepl_lab_addresses = lpcfg_parm_bool(
		lp, NULL, "tdbwins", "wrepl lab addresses", false);
	/* Windows' "Migrate On" (PROTOCOL.md 2.9, 3.6 rule 4) */
	c->migrate = lpcfg_parm_bool(lp, NULL, "tdbwins", "migrate", false);
	/* netsh "set startversion": the administrator raises our counter */
	c->start_version = lpcfg_parm_ulonglong(lp, NULL, "tdbwins",
						"start version", 0);
	return true;
}

struct twconf *lpconf_read(TALLOC_CTX *mem_ctx, struct loadparm_context *lp,
			   char **errmsg)
{
	struct twconf *c = twconf_new(mem_ctx);
	const char **ifs = NULL;
	const char **aliases = NULL;
	const char **prot = NULL;
	const char *s = NULL;
	char *why = NULL;
	size_t i;

	if (c == NULL) {
		*errmsg = talloc_strdup(mem_ctx, "out of memory");
		return NULL;
	}
	c->netbios_name = lpconf_upper(c, lpcfg_netbios_name(lp));
	c->workgroup = lpconf_upper(c, lpcfg_workgroup(lp));
	aliases = lpcfg_netbios_aliases(lp);
	if (aliases != NULL && aliases[0] != NULL) {
		size_t n = 0;

		while (aliases[n] != NULL) {
			n++;
		}
		c->netbios_aliases = talloc_zero_array(c, const char *, n + 1);
		for (i = 0; c->netbios_aliases != NULL && i < n; i++) {
			c->netbios_aliases[i] = lpconf_upper(c, aliases[i]);
		}
	}
	c->is_dc = lpcfg_server_role(lp) == LPCONF_ROLE_ACTIVE_DIRECTORY_DC;
	c->wins_support = lpcfg_we_are_a_wins_server(lp);
	c->bind_interfaces_only = lpcfg_bind_interfaces_only(lp);
	c->nbt_port = (uint16_t)lpcfg_nbt_port(lp);
	c->min_ttl = (uint32_t)lpcfg_min_wins_ttl(lp);
	c->max_ttl = (uint32_t)lpcfg_max_wins_ttl(lp);
	s = lpconf_string(lp, "wins hook");
	c->wins_hook = (s != NULL) ? talloc_strdup(c, s) : NULL;

	ifs = lpcfg_interfaces(lp);
	for (i = 0; ifs != NULL && ifs[i] != NULL; i++) {
		struct twconf_iface iface = {};

		if (twconf_parse_iface(ifs[i], &iface)) {
			twconf_add_iface(c, &iface);
		} else if (!lpconf_add_ifname(c, ifs[i])) {
			*errmsg = talloc_asprintf(mem_ctx, "interfaces: '%s' "
						  "is neither an IPv4 address "
						  "nor an interface with one",
						  ifs[i]);
			talloc_free(c);
			return NULL;
		}
	}
	if (ifs == NULL || ifs[0] == NULL) {
		lpconf_all_ifaces(c);
	}

	s = lpcfg_state_directory(lp);
	c->state_dir = talloc_strdup(c, s != NULL ? s : "/var/lib/samba");
	s = lpcfg_pid_directory(lp);
	c->pid_dir = talloc_strdup(c, s != NULL ? s : "/run/samba");
	s = lpcfg_parm_string(lp, NULL, "tdbwins", "database");
	c->db_path = (s != NULL)
			     ? talloc_strdup(c, s)
			     : talloc_asprintf(c, "%s/tdbwins.tdb",
					       c->state_dir);
	c->nosync = lpcfg_parm_bool(lp, NULL, "tdbwins", "nosync", false);
	c->commit_delay_us = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "commit delay", 0);
	prot = lpconf_list(c, lp, "protected names");
	if (prot != NULL) {
		c->protected_names = prot;
	}
	c->push_update_count = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "push update count", 0);
	c->push_at_startup = lpcfg_parm_bool(lp, NULL, "tdbwins",
					     "push at startup", false);
	s = lpcfg_parm_string(lp, NULL, "tdbwins", "persona non grata");
	c->persona_non_grata = (s != NULL) ? talloc_strdup(c, s) : NULL;
	s = lpcfg_parm_string(lp, NULL, "tdbwins", "persona grata");
	c->persona_grata = (s != NULL) ? talloc_strdup(c, s) : NULL;
	s = lpcfg_parm_string(lp, NULL, "tdbwins", "static file");
	c->static_file = (s != NULL) ? talloc_strdup(c, s) : NULL;
	c->dc_names_from_holder = lpcfg_parm_bool(
		lp, NULL, "tdbwins", "dc names from holder", false);
	s = lpcfg_parm_string(lp, NULL, "winsdb", "local_owner");
	if (s != NULL) {
		struct in_addr a = {};

		if (inet_pton(AF_INET, s, &a) != 1) {
			*errmsg = talloc_asprintf(mem_ctx, "winsdb:local_owner "
						  "'%s' is not an IPv4 "
						  "address", s);
			talloc_free(c);
			return NULL;
		}
		c->local_owner = ntohl(a.s_addr);
	}
	c->renew_interval = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "wreplsrv", "renew_interval", c->renew_interval);
	c->tombstone_interval = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "wreplsrv", "tombstone_interval",
		c->tombstone_interval);
	c->tombstone_timeout = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "wreplsrv", "tombstone_timeout",
		c->tombstone_timeout);
	c->scavenging_interval = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "wreplsrv", "scavenging_interval", 0);
	c->verify_interval = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "wreplsrv", "verify_interval", c->verify_interval);
	c->prepend_1b_to_1c = lpcfg_parm_bool(
		lp, NULL, "nbtd", "wins_prepend1Bto1Cqueries", true);
	c->burst_handling = lpcfg_parm_bool(lp, NULL, "tdbwins",
					    "burst handling", false);
	c->burst_queue = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "burst queue size", c->burst_queue);
	c->max_challenges = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "max challenges", c->max_challenges);
	c->challenge_timeout_ms = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "challenge timeout",
		c->challenge_timeout_ms);
	c->challenge_retries = (uint32_t)lpcfg_parm_ulong(
		lp, NULL, "tdbwins", "challenge retries",
		c->challenge_retries);
	{
		static const char *const rl_names[3] = {
			"registrations", "queries", "node status",
		};
		char opt[64];
		int k;

		for (k = 0; k < 3; k++) {
			snprintf(opt, sizeof(opt), "rate limit %s", rl_names[k]);
			c->rl_rate[k] = (uint32_t)lpcfg_parm_ulong(
				lp, NULL, "tdbwins", opt, c->rl_rate[k]);
			snprintf(opt, sizeof(opt), "rate burst %s",
				 rl_names[k]);
			c->rl_burst[k] = (uint32_t)lpcfg_parm_ulong(
				lp, NULL, "tdbwins", opt,
				c->rl_rate[k] == 0 ? 0 : 2 * c->rl_rate[k]);
		}
	}
	s = lpcfg_parm_string(lp, NULL, "tdbwins", "log file");
	c->log_file = (s != NULL) ? talloc_strdup(c, s) : NULL;
	if (!lpconf_partners(mem_ctx, c, lp, errmsg)) {
		talloc_free(c);
		return NULL;
	}

	if (!c->wins_support) {
		*errmsg = talloc_strdup(mem_ctx, "'wins support = yes' is not "
					"set: refusing to run a WINS server");
		talloc_free(c);
		return NULL;
	}
	why = twconf_check(mem_ctx, c);
	if (why != NULL) {
		*errmsg = why;
		talloc_free(c);
		return NULL;
	}
	return c;
}

struct twconf *lpconf_builtin(TALLOC_CTX *mem_ctx, const char *state_dir,
			      char **errmsg)
{
	struct twconf *c = twconf_new(mem_ctx);
	struct twconf_iface lo = {
		.ip = 0x7f000001u,
		.mask = 0xff000000u,
	};
	char *why = NULL;

	if (c == NULL || !twconf_add_iface(c, &lo)) {
		*errmsg = talloc_strdup(mem_ctx, "out of memory");
		return NULL;
	}
	c->state_dir = talloc_strdup(c, state_dir);
	c->pid_dir = talloc_strdup(c, state_dir);
	c->db_path = talloc_asprintf(c, "%s/tdbwins.tdb", state_dir);
	why = twconf_check(mem_ctx, c);
	if (why != NULL) {
		*errmsg = why;
		talloc_free(c);
		return NULL;
	}
	return c;
}
