/*
 * tdbwins — NBNS packet codec (RFC 1002 4.2, plus the Microsoft multi-homed
 * registration opcode 0xF).
 *
 * nbp_decode() is a *generic* structural decoder: it checks that every count
 * and length fits the bytes present before allocating anything, and decodes
 * names with nbn_decode().  The per-opcode shape rules (QDCOUNT = 1,
 * ARCOUNT = 1, RR type NB / class IN / RDLENGTH 6 ...) are NOT checked here:
 * they live in the ingress module (source/ingress/) and nowhere else.
 */
#ifndef TDBWINS_NBNS_H
#define TDBWINS_NBNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "nbname.h"
#include "twerr.h"
#include "wcur.h"
#include "wwr.h"

#define NBP_HEADER_LEN 12
#define NBP_UDP_MAX 576

/* flags word */
#define NBP_FLAG_RESPONSE 0x8000
#define NBP_OPCODE_MASK 0x7800
#define NBP_OPCODE_SHIFT 11
#define NBP_FLAG_AA 0x0400
#define NBP_FLAG_TC 0x0200
#define NBP_FLAG_RD 0x0100
#define NBP_FLAG_RA 0x0080
#define NBP_FLAG_RESERVED 0x0060
#define NBP_FLAG_B 0x0010
#define NBP_RCODE_MASK 0x000f

enum nbp_opcode {
	NBP_OP_QUERY = 0,
	NBP_OP_REGISTER = 5,
	NBP_OP_RELEASE = 6,
	NBP_OP_WACK = 7,
	NBP_OP_REFRESH = 8,
	NBP_OP_REFRESH2 = 9,
	NBP_OP_MHREGISTER = 0xf,
};

enum nbp_rcode {
	NBP_RCODE_OK = 0,
	NBP_RCODE_FMT = 1,
	NBP_RCODE_SVR = 2,
	NBP_RCODE_NAM = 3,
	NBP_RCODE_IMP = 4,
	NBP_RCODE_RFS = 5,
	NBP_RCODE_ACT = 6,
	NBP_RCODE_CFT = 7,
};

enum nbp_rrtype {
	NBP_TYPE_A = 0x0001,
	NBP_TYPE_NS = 0x0002,
	NBP_TYPE_NULL = 0x000a,
	NBP_TYPE_NB = 0x0020,
	NBP_TYPE_NBSTAT = 0x0021,
};

#define NBP_CLASS_IN 0x0001

/* NB_FLAGS */
#define NBP_NB_GROUP 0x8000
#define NBP_NB_ONT_MASK 0x6000
#define NBP_NB_ONT_B 0x0000
#define NBP_NB_ONT_P 0x2000
#define NBP_NB_ONT_M 0x4000
#define NBP_NB_ONT_H 0x6000
#define NBP_NB_RESERVED 0x1fff
/* NBSTAT NAME_FLAGS additions */
#define NBP_NAME_DRG 0x1000
#define NBP_NAME_CNF 0x0800
#define NBP_NAME_ACT 0x0400
#define NBP_NAME_PRM 0x0200

/* caps on decoded arrays (also bounded by bytes present) */
#define NBP_MAX_RR_PER_SECTION 64
#define NBP_MAX_NB_ADDRS 96		/* 576 / 6 */

struct nbp_addr {
	uint16_t nb_flags;
	uint32_t ipv4;			/* host byte order */
};

struct nbp_question {
	struct nbn_name name;
	uint16_t qtype;
	uint16_t qclass;
};

/* one node-status entry (encode only) */
struct nbp_nbstat_name {
	uint8_t raw[NBN_RAW_LEN];
	uint16_t flags;
};

struct nbp_nbstat {
	uint8_t num_names;
	struct nbp_nbstat_name *names;
	uint8_t unit_id[6];		/* statistics block: rest is zero */
};

struct nbp_rr {
	struct nbn_name name;
	uint16_t rr_type;
	uint16_t rr_class;
	uint32_t ttl;
	uint16_t rdlength;		/* as on the wire (decode) */
	/*
	 * RDATA, interpreted by rr_type:
	 *  NB:     num_addrs entries of 6 bytes (rdlength must be 6*n)
	 *  NULL/other: raw bytes in rdata (talloc child), rdlength bytes
	 *  NBSTAT: nbstat (encode only; decoded as raw)
	 * WACK RDATA is the 2-byte copy of the request flags: encode with
	 * is_wack set, rr_type NB and wack_flags.
	 */
	uint16_t num_addrs;
	struct nbp_addr *addrs;
	uint8_t *rdata;
	struct nbp_nbstat *nbstat;
	bool is_wack;
	uint16_t wack_flags;
};

struct nbp_packet {
	uint16_t trn_id;
	uint16_t flags;			/* whole flags word as on the wire */
	uint16_t qdcount;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
	struct nbp_question *questions;	/* qdcount entries */
	struct nbp_rr *answers;		/* ancount */
	struct nbp_rr *authority;	/* nscount */
	struct nbp_rr *additional;	/* arcount */
	size_t trailing;		/* bytes after the last RR (counted) */
};

static inline bool nbp_is_response(const struct nbp_packet *p)
{
	return (p->flags & NBP_FLAG_RESPONSE) != 0;
}

static inline uint8_t nbp_opcode(const struct nbp_packet *p)
{
	return (uint8_t)((p->flags & NBP_OPCODE_MASK) >> NBP_OPCODE_SHIFT);
}

static inline uint8_t nbp_rcode(const struct nbp_packet *p)
{
	return (uint8_t)(p->flags & NBP_RCODE_MASK);
}

/*
 * Structural decode of one NBNS message (buf = message without any TCP
 * length prefix).  The result is allocated on mem_ctx.  Returns TWERR_OK or
 * the first peer fault found; *out is NULL on failure.
 */
enum twerr nbp_decode(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
		      struct nbp_packet **out);

/*
 * Decode only the 12-byte header (for cheap pre-checks before a full decode).
 */
enum twerr nbp_decode_header(const uint8_t *buf, size_t len,
			     struct nbp_packet *hdr);

/*
 * Encode.  Question and RR names are written uncompressed except that an RR
 * name equal to the question name is written as a pointer to offset 12
 * (0xC00C), as Windows does.  Padding/reserved bits come from the struct;
 * every byte written is deterministic.  Fails with TWERR_NOSPACE if the
 * writer's capacity is exceeded (nothing is written past it).
 */
enum twerr nbp_encode(struct wwr *w, const struct nbp_packet *p);

#endif /* TDBWINS_NBNS_H */
