/*
 * tdbwins — the WINS name server (PROTOCOL.md section 2).
 *
 * Transport-neutral: the net layer hands every UDP datagram and every TCP
 * 137 frame body to nbns_input() together with where it came from; the
 * server answers through the send function the host installs.
 */
#ifndef TDBWINS_NBNS_SERVER_H
#define TDBWINS_NBNS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>
#include <tevent.h>

#include "../conf/twconf.h"
#include "../ingress/ingress.h"

struct wdb;
struct nbns_server;

/* Where a message came from, and so where its answer goes. */
struct nbns_src {
	uint32_t ip;		/* peer, host order */
	uint16_t port;
	uint32_t local_ip;	/* our address it arrived on */
	uint64_t tcp_conn;	/* 0: UDP; else the TCP connection's id */
};

/* Send one NBNS message; false if it could not be sent. */
typedef bool (*nbns_send_fn)(void *private_data, const struct nbns_src *to,
			     const uint8_t *buf, size_t len);

struct nbns_stats {
	uint64_t queries;
	uint64_t queries_ok;
	uint64_t queries_failed;
	uint64_t nbstat_answered;
	uint64_t nbstat_ignored;
	uint64_t registrations_unique;
	uint64_t registrations_group;
	uint64_t refreshes;
	uint64_t registrations_refused;	/* RFS: policy */
	uint64_t registrations_denied;	/* ACT: name held */
	uint64_t releases;
	uint64_t releases_ok;
	uint64_t releases_ignored;
	uint64_t defended;		/* own names defended */
	uint64_t conflicts_unique;
	uint64_t conflicts_group;
	uint64_t wacks_sent;
	uint64_t challenges;
	uint64_t challenge_positive;
	uint64_t challenge_negative;
	uint64_t challenge_timeout;
	uint64_t challenge_replies_ignored;
	uint64_t wack_retransmits_ignored;
	uint64_t burst_answers;
	uint64_t not_for_wins;		/* B=1 or RD=0 for names not ours */
	uint64_t fmt_errors_sent;
	uint64_t db_errors;
	uint64_t hook_runs;
	uint64_t hook_names_refused;
	uint64_t send_failures;
	uint64_t scavenged_released;
	uint64_t scavenged_tombstoned;
	uint64_t scavenged_deleted;
};

/*
 * Create the server.  conf must have passed twconf_check(); db is open.
 * Nothing is sent until nbns_start().
 */
struct nbns_server *nbns_server_create(TALLOC_CTX *mem_ctx,
				       struct tevent_context *ev,
				       struct twconf *conf, struct wdb *db,
				       struct ingress *ig);

void nbns_set_send(struct nbns_server *s, nbns_send_fn fn, void *private_data);

/* Register our own names and start the scavenging timer. */
bool nbns_start(struct nbns_server *s);

/* Apply a new configuration (SIGHUP / reload-config). */
bool nbns_reconfigure(struct nbns_server *s, struct twconf *conf);

/* One message from the network (UDP datagram or TCP 137 frame body). */
void nbns_input(struct nbns_server *s, const struct nbns_src *src,
		const uint8_t *buf, size_t len);

const struct nbns_stats *nbns_get_stats(const struct nbns_server *s);

/* Run one scavenging pass now (tests, admin). */
void nbns_scavenge_now(struct nbns_server *s);

/* Requests waiting for a challenge or a commit (for burst handling). */
uint32_t nbns_pending(const struct nbns_server *s);

#endif /* TDBWINS_NBNS_SERVER_H */
