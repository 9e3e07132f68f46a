/*
 * tdbwins — the WINS record model shared by the store, the name server and
 * replication.  Field meanings follow [MS-WINSRA] 3.1.1.1 and PROTOCOL.md 2.1.
 * Addresses are IPv4 in host byte order.
 */
#ifndef TDBWINS_WREC_H
#define TDBWINS_WREC_H

#include <stdbool.h>
#include <stdint.h>

#include "../wire/nbname.h"

#define WREC_MAX_ADDRS 25

/* values are the WINSRA entry type (ET) */
enum wrec_type {
	WREC_UNIQUE = 0,
	WREC_GROUP = 1,		/* normal group: no addresses kept */
	WREC_SGROUP = 2,	/* special / internet group, 0x1C */
	WREC_MHOMED = 3,
};

enum wrec_state {
	WREC_ACTIVE = 0,
	WREC_RELEASED = 1,	/* local only, never replicated */
	WREC_TOMBSTONE = 2,
};

/* values are the WINSRA NT field and the NB_FLAGS ONT field >> 13 */
enum wrec_node {
	WREC_NODE_B = 0,
	WREC_NODE_P = 1,
	WREC_NODE_M = 2,
	WREC_NODE_H = 3,
};

struct wrec_addr {
	uint32_t ip;
	uint32_t owner;		/* WINS server that owns this address */
	int64_t expire;		/* unix seconds */
};

struct wrec {
	struct nbn_name name;
	enum wrec_type type;
	enum wrec_state state;
	enum wrec_node node;
	bool is_static;
	uint32_t owner;		/* owning WINS server */
	uint64_t version;
	int64_t expire;		/* unix seconds: state change due */
	uint32_t registered_by;	/* source address of the last registration */
	uint8_t num_addrs;
	struct wrec_addr addrs[WREC_MAX_ADDRS];
};

#endif /* TDBWINS_WREC_H */
