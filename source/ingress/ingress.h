/*
 * tdbwins — the one ingress.  Every byte that arrives from outside passes
 * through here before any handler sees it:
 *
 *  1. framing limits, asked by the socket layer *before* it grows a buffer
 *     (UDP datagram size, TCP 137 2-byte prefix, TCP 42 4-byte prefix with a
 *     stage-dependent cap);
 *  2. one validating decode entry per format, shared by the UDP and TCP
 *     paths, with the exact per-opcode shape checks;
 *  3. a three-way verdict (accept / reject with an error answer / drop) and a
 *     per-reason counter for every rejection.
 *
 * Handlers receive typed talloc structures or nothing.
 */
#ifndef TDBWINS_INGRESS_H
#define TDBWINS_INGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "../wire/nbns.h"
#include "../wire/twerr.h"

struct wrw_packet;	/* source/wire/wrepl.h */

enum ingress_verdict {
	INGRESS_ACCEPT = 0,
	INGRESS_ANSWER_ERROR,	/* reject, answer with res->rcode */
	INGRESS_DROP,		/* reject silently */
};

/*
 * Reasons.  REJECT reasons count rejected messages; the NOTE_ reasons count
 * anomalies that are tolerated (the message is still accepted).
 */
enum ingress_reason {
	INGRESS_OK = 0,
	/* framing */
	INGRESS_R_UNDERSIZE,		/* < 12 bytes (incl. empty datagram) */
	INGRESS_R_OVERSIZE,		/* > configured maximum / MSG_TRUNC */
	INGRESS_R_FRAME_LENGTH,		/* TCP length prefix out of range */
	/* NBNS header */
	INGRESS_R_UNSOLICITED_RESPONSE,	/* R=1 on the request path */
	INGRESS_R_BROADCAST,		/* B=1: not WINS traffic */
	INGRESS_R_BAD_OPCODE,		/* undefined opcode */
	INGRESS_R_WACK_REQUEST,		/* opcode 7 with R=0 */
	INGRESS_R_BAD_COUNTS,		/* QD/AN/NS/AR not as the opcode needs */
	INGRESS_R_TRUNCATED,		/* counts/lengths claim missing bytes */
	/* NBNS names */
	INGRESS_R_BAD_NAME,		/* first label not 32 x 'A'..'P' */
	INGRESS_R_BAD_LABEL,		/* label type/length, empty label */
	INGRESS_R_BAD_POINTER,		/* compression pointer rule broken */
	INGRESS_R_NAME_TOO_LONG,	/* decoded length / labels cap */
	/* NBNS RRs */
	INGRESS_R_BAD_QTYPE,		/* question type/class */
	INGRESS_R_BAD_RR_TYPE,
	INGRESS_R_BAD_RR_CLASS,
	INGRESS_R_BAD_RDLENGTH,
	INGRESS_R_RR_NAME_MISMATCH,	/* RR name != question name */
	/* NBNS responses to our own queries */
	INGRESS_R_BAD_RESPONSE,
	/* WINS replication */
	INGRESS_R_WR_BAD_TYPE,		/* message type > 3 */
	INGRESS_R_WR_BAD_OPCODE,	/* replication opcode undefined */
	INGRESS_R_WR_BAD_LENGTH,	/* packet length vs body shape */
	INGRESS_R_WR_BAD_VERSION,	/* start association major != 2 */
	INGRESS_R_WR_BAD_COUNT,		/* owners/records/addresses count */
	INGRESS_R_WR_BAD_NAME,		/* name record name */
	INGRESS_R_WR_BAD_RECORD,	/* flags/state/type/layout */
	INGRESS_R_WR_BAD_ADDRESS,	/* owner/member address class */
	INGRESS_R_WR_STAGE,		/* message not allowed in this stage */
	INGRESS_R_OTHER,
	INGRESS_R_RATE_LIMITED,		/* per-source budget exhausted */
	/* tolerated anomalies (message still accepted) */
	INGRESS_NOTE_TRAILING,		/* bytes after the last RR */
	INGRESS_NOTE_RESERVED_FLAGS,	/* header reserved bits 0x0060 */
	INGRESS_NOTE_NB_RESERVED,	/* NB_FLAGS reserved bits */
	INGRESS_NOTE_WR_RESERVED,	/* WINSRA reserved fields not as spec */

	INGRESS_REASON_COUNT
};

const char *ingress_reason_str(enum ingress_reason r);

struct ingress_stats {
	uint64_t accepted;
	uint64_t by_reason[INGRESS_REASON_COUNT];
};

/* Limits; defaults from ingress_limits_default(). */
struct ingress_limits {
	size_t udp_max;			/* 576 */
	size_t tcp137_max;		/* 576 */
	uint32_t wr_preassoc_max;	/* 64: only a Start Request fits */
	uint32_t wr_request_max;	/* 24 + 24 * wr_max_owners */
	uint32_t wr_response_max;	/* name records responses we pull */
	uint32_t wr_max_owners;		/* 1024 */
	uint32_t wr_max_records;	/* per name records response */
	bool wr_lab_addresses;		/* tdbwins:wrepl lab addresses */
};

void ingress_limits_default(struct ingress_limits *l);

struct ingress {
	struct ingress_limits limits;
	struct ingress_stats stats;
};

void ingress_init(struct ingress *ig);

/* Count one rejection/anomaly; returns r for convenience. */
enum ingress_reason ingress_count(struct ingress *ig, enum ingress_reason r);

/* ---- framing ---- */

/*
 * UDP 137: wire_len is the datagram's real length (recvmsg with MSG_TRUNC).
 * Returns INGRESS_OK or the rejection reason (already counted).
 */
enum ingress_reason ingress_udp_frame(struct ingress *ig, size_t wire_len);

/*
 * TCP 137: the 2-byte big-endian length prefix.  Returns INGRESS_OK if a body
 * of that length may be read, else the reason (counted; close the stream).
 */
enum ingress_reason ingress_tcp137_frame(struct ingress *ig, uint16_t prefix);

/*
 * TCP 137: read the 2-byte prefix (hdr, hlen bytes) through the cursor and
 * judge it as ingress_tcp137_frame() does; *len gets the body length.
 */
enum ingress_reason ingress_tcp137_prefix(struct ingress *ig,
					  const uint8_t *hdr, size_t hlen,
					  uint16_t *len);

/* TCP 42 stages: the cap on the next PDU depends on where we are. */
enum ingress_wr_stage {
	INGRESS_WR_PREASSOC,	/* nothing but a Start Request is allowed */
	INGRESS_WR_ASSOC,	/* requests/notifications on an association */
	INGRESS_WR_PULL_REPLY,	/* we sent a request and await its reply */
};

/*
 * TCP 42: the 4-byte big-endian Packet Length (excluding itself).  Returns
 * INGRESS_OK if a body of that length may be read.
 */
enum ingress_reason ingress_tcp42_frame(struct ingress *ig, uint32_t prefix,
					enum ingress_wr_stage stage);

/* TCP 42: the same for the 4-byte Packet Length. */
enum ingress_reason ingress_tcp42_prefix(struct ingress *ig,
					 const uint8_t *hdr, size_t hlen,
					 enum ingress_wr_stage stage,
					 uint32_t *len);

/* ---- NBNS ---- */

struct ingress_nbns_result {
	enum ingress_verdict verdict;
	enum ingress_reason reason;
	uint8_t rcode;			/* for INGRESS_ANSWER_ERROR */
	uint16_t trn_id;		/* header, valid unless UNDERSIZE */
	uint16_t flags;
	struct nbp_packet *pkt;		/* INGRESS_ACCEPT only */
};

/*
 * The one validating entry for NBNS *requests* to the name server, called by
 * the UDP 137 path and the TCP 137 path alike (buf = message without the
 * TCP prefix).  On ACCEPT the packet has the exact shape its opcode needs:
 *  query (op 0): QD=1 (type NB or NBSTAT, class IN), AN=NS=AR=0;
 *  register/refresh/release/MH-register (5, 8, 9, 6, 0xF): QD=1 (NB, IN),
 *  AN=NS=0, AR=1 with type NB, class IN, RDLENGTH 6, name equal to the
 *  question name.
 * The packet is allocated on mem_ctx.
 */
void ingress_nbns_request(struct ingress *ig, TALLOC_CTX *mem_ctx,
			  const uint8_t *buf, size_t len,
			  struct ingress_nbns_result *res);

/*
 * The entry for NBNS *responses* to queries the server itself sent
 * (challenges, release demands): R=1, opcode as given, QD=0, AN=1 with the
 * RR as the protocol allows.  Matching against the outstanding query (IP,
 * port, TRN_ID, name) is the caller's job.
 */
void ingress_nbns_response(struct ingress *ig, TALLOC_CTX *mem_ctx,
			   const uint8_t *buf, size_t len,
			   struct ingress_nbns_result *res);

/* ---- WINS replication ---- */

struct ingress_wrepl_result {
	enum ingress_verdict verdict;	/* ACCEPT or DROP (stop association) */
	enum ingress_reason reason;
	struct wrw_packet *pkt;		/* INGRESS_ACCEPT only */
};

/*
 * The one validating entry for a WINS replication PDU body (after the 4-byte
 * Packet Length, which ingress_tcp42_frame() already checked).
 */
void ingress_wrepl(struct ingress *ig, TALLOC_CTX *mem_ctx,
		   const uint8_t *buf, size_t len, enum ingress_wr_stage stage,
		   struct ingress_wrepl_result *res);

#endif /* TDBWINS_INGRESS_H */
