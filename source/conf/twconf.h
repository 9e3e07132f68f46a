/*
 * tdbwins — configuration as the core sees it.  The hosts fill it from
 * smb.conf through Samba's loadparm library (source/host/common/lpconf.c),
 * so an option has the same meaning in tdbwinsd and in tdbwins.so; the core
 * never sees loadparm.  docs/configuration.md lists every option.
 */
#ifndef TDBWINS_TWCONF_H
#define TDBWINS_TWCONF_H

#include <stdbool.h>
#include <stdint.h>
#include <talloc.h>

struct twconf_iface {
	uint32_t ip;		/* host order */
	uint32_t mask;
};

/* a WINS replication partner (docs/replication.md) */
struct twconf_partner {
	uint32_t ip;		/* host order */
	bool pull;		/* we pull from it; it may notify us */
	bool push;		/* we push to it; it may query our records */
};

struct twconf {
	char *netbios_name;		/* upper case, <= 15 bytes */
	const char **netbios_aliases;	/* NULL-terminated, may be NULL */
	char *workgroup;		/* upper case */
	bool is_dc;			/* own names include <1b>, <1c> */
	bool wins_support;

	struct twconf_iface *ifaces;
	uint32_t num_ifaces;
	bool bind_interfaces_only;
	uint16_t nbt_port;		/* "nbt port", 137 */

	char *wins_hook;		/* NULL: none */
	uint32_t min_ttl;		/* "min wins ttl", 21600 */
	uint32_t max_ttl;		/* "max wins ttl", 518400 */

	char *db_path;			/* tdbwins:database */
	bool nosync;			/* tdbwins:nosync (tests only) */
	uint32_t commit_delay_us;	/* tdbwins:commit delay */

	const char **protected_names;	/* tdbwins:protected names */
	bool dc_names_from_holder;	/* tdbwins:dc names from holder */
	char *static_file;		/* tdbwins:static file (LMHOSTS) */
	char *persona_non_grata;	/* tdbwins:persona non grata */
	char *persona_grata;		/* tdbwins:persona grata */
	uint32_t push_update_count;	/* tdbwins:push update count, 0 */
	bool push_at_startup;		/* tdbwins:push at startup, no */
	uint32_t local_owner;		/* winsdb:local_owner, 0 = first iface */

	/* record lifecycle ([MS-WINSRA] 3.1.6), Samba's wreplsrv: names */
	uint32_t renew_interval;	/* wreplsrv:renew_interval 518400 */
	uint32_t tombstone_interval;	/* wreplsrv:tombstone_interval 518400 */
	uint32_t tombstone_timeout;	/* wreplsrv:tombstone_timeout 86400 */
	uint32_t scavenging_interval;	/* wreplsrv:scavenging_interval */
	uint32_t verify_interval;	/* wreplsrv:verify_interval 2073600 */

	bool prepend_1b_to_1c;		/* nbtd:wins_prepend1Bto1Cqueries */
	bool burst_handling;		/* tdbwins:burst handling */
	uint32_t burst_queue;		/* tdbwins:burst queue size 500 */
	uint32_t max_challenges;	/* tdbwins:max challenges 1000 */
	uint32_t challenge_timeout_ms;	/* tdbwins:challenge timeout 1000 */
	uint32_t challenge_retries;	/* tdbwins:challenge retries 2 */
	/* per-source rates (requests/s, 0 = off) and bursts; order:
	 * registrations, queries, node status */
	uint32_t rl_rate[3];		/* tdbwins:rate limit ... */
	uint32_t rl_burst[3];

	/* WINS replication, TCP 42 (docs/replication.md) */
	uint16_t wrepl_port;		/* tdbwins:wrepl port 42 */
	struct twconf_partner *partners; /* tdbwins:[pull|push] partners */
	uint32_t num_partners;
	uint32_t wrepl_max_assoc;	/* tdbwins:wrepl max associations 64 */
	uint32_t wrepl_max_assoc_partner; /* ... per partner, 4 */
	uint32_t wrepl_handshake_timeout; /* tdbwins:wrepl handshake timeout */
	uint32_t wrepl_idle_timeout;	/* tdbwins:wrepl idle timeout 600 */
	uint32_t wrepl_max_records;	/* tdbwins:wrepl max records 50000 */
	uint32_t pull_interval;		/* tdbwins:pull interval 1800, 0 off */
	uint32_t pull_retries;		/* tdbwins:pull retries 3 */
	uint32_t pull_retry_interval;	/* tdbwins:pull retry interval 30 */
	bool wrepl_lab_addresses;	/* tdbwins:wrepl lab addresses, no */
	bool migrate;			/* tdbwins:migrate (Migrate On), no */
	uint64_t start_version;		/* tdbwins:start version, 0: none */

	char *pid_dir;
	char *state_dir;
	char *log_file;
	int log_level;
};

/* A configuration with every default filled in (no interfaces). */
struct twconf *twconf_new(TALLOC_CTX *mem_ctx);

/*
 * Check ranges and consistency and derive defaults that depend on other
 * options (local owner, scavenging interval).  Returns NULL if usable, else
 * a talloc'ed message on mem_ctx saying what is wrong.
 */
char *twconf_check(TALLOC_CTX *mem_ctx, struct twconf *conf);

/* Parse "a.b.c.d", "a.b.c.d/len" or "a.b.c.d/m.a.s.k". */
bool twconf_parse_iface(const char *s, struct twconf_iface *out);

/* Append one interface (duplicates ignored). */
bool twconf_add_iface(struct twconf *conf, const struct twconf_iface *i);

/*
 * Add a replication partner, or add roles to one already listed (a partner
 * named in two lists gets both roles).
 */
bool twconf_add_partner(struct twconf *conf, uint32_t ip, bool pull,
			bool push);

/* The partner entry for ip, or NULL: not a partner. */
const struct twconf_partner *twconf_find_partner(const struct twconf *conf,
						 uint32_t ip);

#endif /* TDBWINS_TWCONF_H */
