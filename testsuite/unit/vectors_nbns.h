/*
 * tdbwins — NBNS wire vectors, valid and hostile, with the outcome the one
 * ingress validator must produce.
 *
 * The same table is run through the UDP entry (ingress_udp_frame +
 * ingress_nbns_request) and the TCP 137 entry (2-byte length prefix,
 * ingress_tcp137_frame, then ingress_nbns_request) by
 * testsuite/unit/test_ingress_nbns.c, and is written out as seed files by
 * the fuzz targets.  Every entry is literal bytes; the NV_ macros below
 * only spell out repeated structures (header fields, first-level encoded
 * names, repeated labels) so that each length is computed by the compiler
 * instead of being counted by hand.
 *
 * cls is the SECURITY.md section E class the vector belongs to (0 for a
 * well-formed baseline message).  note is the tolerated anomaly the
 * message must be counted under when it is accepted (INGRESS_OK if none).
 *
 * Offsets used by the pointer vectors (no scope):
 *   query:         0..11 header, 12..45 name, 46..49 type/class   (50 bytes)
 *   registration:  query + 50..51 RR name 0xC00C, 52..61 type/class/TTL/
 *                  RDLENGTH, 62..67 NB entry                      (68 bytes)
 */
#ifndef TDBWINS_VECTORS_NBNS_H
#define TDBWINS_VECTORS_NBNS_H

#include <stddef.h>
#include <stdint.h>

#include "../../source/ingress/ingress.h"

/* room for the largest vector: one byte over the 576-byte UDP limit */
#define NBNS_VECTOR_MAX 600

struct nbns_vector {
	const char *name;
	unsigned cls;
	enum ingress_verdict verdict;
	enum ingress_reason reason;
	uint8_t rcode;
	enum ingress_reason note;
	size_t len;
	uint8_t bytes[NBNS_VECTOR_MAX];
};

/* ---- byte builders ---- */

#define NV_B16(v) (uint8_t)(((v) >> 8) & 0xff), (uint8_t)((v) & 0xff)
#define NV_B32(v)                                                      \
	(uint8_t)(((v) >> 24) & 0xff), (uint8_t)(((v) >> 16) & 0xff), \
		(uint8_t)(((v) >> 8) & 0xff), (uint8_t)((v) & 0xff)
#define NV_HDR(id, fl, qd, an, ns, ar)                                 \
	NV_B16(id), NV_B16(fl), NV_B16(qd), NV_B16(an), NV_B16(ns),    \
		NV_B16(ar)

/* RFC 1001 14.1 first-level encoding of one raw byte: two 'A'..'P' */
#define NV_L1(b)                                                       \
	(uint8_t)('A' + (((b) >> 4) & 0xf)), (uint8_t)('A' + ((b) & 0xf))
/* 0x20 + 32 characters: a whole first-level label, no terminator */
#define NV_NAME(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12,  \
		b13, b14, b15)                                         \
	0x20, NV_L1(b0), NV_L1(b1), NV_L1(b2), NV_L1(b3), NV_L1(b4),    \
		NV_L1(b5), NV_L1(b6), NV_L1(b7), NV_L1(b8), NV_L1(b9),  \
		NV_L1(b10), NV_L1(b11), NV_L1(b12), NV_L1(b13),         \
		NV_L1(b14), NV_L1(b15)
#define NV_SP15                                                        \
	' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', \
		' ', ' '
#define NV_FRED(sfx)                                                   \
	NV_NAME('F', 'R', 'E', 'D', ' ', ' ', ' ', ' ', ' ', ' ', ' ', \
		' ', ' ', ' ', ' ', sfx)
#define NV_FREE(sfx)                                                   \
	NV_NAME('F', 'R', 'E', 'E', ' ', ' ', ' ', ' ', ' ', ' ', ' ', \
		' ', ' ', ' ', ' ', sfx)
/* FRED<20>, 34 bytes: "EGFCEFEE" + 24 x "CA" (RFC 1001 14.1 example) */
#define NV_FRED20 NV_FRED(0x20), 0x00

#define NV_QNB NV_B16(0x0020), NV_B16(0x0001)
#define NV_QNBSTAT NV_B16(0x0021), NV_B16(0x0001)
#define NV_TTL NV_B32(300000)
/* test addresses stay in 198.18.0.0/15 */
#define NV_IP 198, 18, 0, 1
#define NV_RRHDR(type, cls, rdlen)                                     \
	NV_B16(type), NV_B16(cls), NV_TTL, NV_B16(rdlen)
#define NV_PTRQ 0xc0, 0x0c
#define NV_ENTRY(fl) NV_B16(fl), NV_IP
/* the additional record of a Windows registration: 18 bytes */
#define NV_NBRR NV_PTRQ, NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)

/* 50-byte FRED<20> NB query with the given flags word */
#define NV_QUERY(fl) NV_HDR(0x1001, fl, 1, 0, 0, 0), NV_FRED20, NV_QNB
/* header + question of a registration-shaped message (50 bytes) */
#define NV_REGQ(fl, qd, an, ns, ar)                                    \
	NV_HDR(0x1002, fl, qd, an, ns, ar), NV_FRED20, NV_QNB
/* 68-byte registration-shaped request (QD=1, AR=1, RR name 0xC00C) */
#define NV_REG(fl) NV_REGQ(fl, 1, 0, 0, 1), NV_NBRR

/* repeated bytes (argument must be a single token without commas) */
#define NV_R2(x) x, x
#define NV_R4(x) NV_R2(x), NV_R2(x)
#define NV_R8(x) NV_R4(x), NV_R4(x)
#define NV_R16(x) NV_R8(x), NV_R8(x)
#define NV_R32(x) NV_R16(x), NV_R16(x)
#define NV_R63(x) NV_R32(x), NV_R16(x), NV_R8(x), NV_R4(x), NV_R2(x), x
/* three 63-byte scope labels: dotted "a{63}.b{63}.c{63}" = 191 bytes */
#define NV_SCOPE191                                                    \
	0x3f, NV_R63('a'), 0x3f, NV_R63('b'), 0x3f, NV_R63('c')
/* one-byte labels "x", 8 and 40 of them (dotted 2 bytes each) */
#define NV_LX8                                                         \
	1, 'x', 1, 'x', 1, 'x', 1, 'x', 1, 'x', 1, 'x', 1, 'x', 1, 'x'
#define NV_LX40 NV_LX8, NV_LX8, NV_LX8, NV_LX8, NV_LX8
/* a second question that points back at the first: 6 bytes */
#define NV_PQ NV_PTRQ, NV_QNB
#define NV_PQ8 NV_PQ, NV_PQ, NV_PQ, NV_PQ, NV_PQ, NV_PQ, NV_PQ, NV_PQ
#define NV_PQ32 NV_PQ8, NV_PQ8, NV_PQ8, NV_PQ8
/* five NB entries: 30 bytes */
#define NV_ENT5                                                        \
	NV_ENTRY(0x6000), NV_ENTRY(0x6000), NV_ENTRY(0x6000),          \
		NV_ENTRY(0x6000), NV_ENTRY(0x6000)

/*
 * One table entry; len is the number of bytes given.  The outer macro
 * expands NV_OK / NV_FMT(...) into their three fields before the inner
 * one splits the arguments.
 */
#define NV(...) NV_I(__VA_ARGS__)
#define NVP(...) NVP_I(__VA_ARGS__)
#define NV_I(nm, c, v, r, rc, nt, ...)                                 \
	{                                                              \
		.name = nm, .cls = c, .verdict = v, .reason = r,       \
		.rcode = rc, .note = nt,                               \
		.len = sizeof((const uint8_t[]) { __VA_ARGS__ }),      \
		.bytes = { __VA_ARGS__ },                              \
	}
/* same, but the message is len bytes: the rest is zero padding */
#define NVP_I(nm, c, v, r, rc, nt, l, ...)                             \
	{                                                              \
		.name = nm, .cls = c, .verdict = v, .reason = r,       \
		.rcode = rc, .note = nt, .len = l,                     \
		.bytes = { __VA_ARGS__ },                              \
	}

#define NV_OK INGRESS_ACCEPT, INGRESS_OK, 0
#define NV_DROP(r) INGRESS_DROP, INGRESS_R_##r, 0
#define NV_FMT(r) INGRESS_ANSWER_ERROR, INGRESS_R_##r, NBP_RCODE_FMT
#define NV_IMP INGRESS_ANSWER_ERROR, INGRESS_R_BAD_OPCODE, NBP_RCODE_IMP
#define NV_NONE INGRESS_OK
#define NV_NOTE(n) INGRESS_NOTE_##n

/* ---- requests to the name server ---- */

__attribute__((unused))
static const struct nbns_vector nbns_vectors[] = {
	/* well-formed baselines (PROTOCOL.md 1.2 flag words) */
	NV("query FRED<20>", 0, NV_OK, NV_NONE, NV_QUERY(0x0100)),
	NV("query RD=0", 0, NV_OK, NV_NONE, NV_QUERY(0x0000)),
	NV("registration op5 0xC00C", 0, NV_OK, NV_NONE, NV_REG(0x2900)),
	NV("release op6", 0, NV_OK, NV_NONE, NV_REG(0x3000)),
	NV("refresh op8", 0, NV_OK, NV_NONE, NV_REG(0x4000)),
	NV("refresh op9", 0, NV_OK, NV_NONE, NV_REG(0x4800)),
	NV("MH registration opF", 0, NV_OK, NV_NONE, NV_REG(0x7900)),
	NV("registration with scope", 0, NV_OK, NV_NONE,
	   NV_HDR(0x1004, 0x2900, 1, 0, 0, 1), NV_FRED(0x20),
	   7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0x00,
	   NV_QNB, NV_NBRR),

	/* 1: datagram / message below the 12-byte header */
	NVP("empty datagram", 1, NV_DROP(UNDERSIZE), NV_NONE, 0, 0x00),
	NV("1 byte", 1, NV_DROP(UNDERSIZE), NV_NONE, 0x10),
	NV("11 bytes", 1, NV_DROP(UNDERSIZE), NV_NONE,
	   0x10, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	   0x00),
	NV("12 bytes, header only, QD=1", 8, NV_FMT(TRUNCATED), NV_NONE,
	   NV_HDR(0x1001, 0x0100, 1, 0, 0, 0)),

	/* 2: the 576-byte limit, with the padding counted as trailing */
	NVP("576 bytes: query + 526 bytes padding", 2, NV_OK,
	    NV_NOTE(TRAILING), 576, NV_QUERY(0x0100)),
	NVP("577 bytes", 2, NV_DROP(OVERSIZE), NV_NONE, 577,
	    NV_QUERY(0x0100)),

	/* 4: responses are never answered on the request path */
	NV("positive query response 0x8580", 4,
	   NV_DROP(UNSOLICITED_RESPONSE), NV_NONE,
	   NV_HDR(0x1005, 0x8580, 0, 1, 0, 0), NV_FRED20,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("WACK 0xBC00", 4, NV_DROP(UNSOLICITED_RESPONSE), NV_NONE,
	   NV_HDR(0x1006, 0xbc00, 0, 1, 0, 0), NV_FRED20,
	   NV_RRHDR(0x0020, 0x0001, 2), NV_B16(0x2900)),
	NV("registration response ACT_ERR 0xAD86", 4,
	   NV_DROP(UNSOLICITED_RESPONSE), NV_NONE,
	   NV_HDR(0x1007, 0xad86, 0, 1, 0, 0), NV_FRED20,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("conflict demand 0xAC07", 4, NV_DROP(UNSOLICITED_RESPONSE),
	   NV_NONE, NV_HDR(0x1008, 0xac07, 0, 1, 0, 0), NV_FRED20,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("response header only 0x8000", 4, NV_DROP(UNSOLICITED_RESPONSE),
	   NV_NONE, NV_HDR(0x1009, 0x8000, 0, 0, 0, 0)),
	NV("R=1 and B=1 0x8590", 4, NV_DROP(UNSOLICITED_RESPONSE), NV_NONE,
	   NV_HDR(0x100a, 0x8590, 0, 0, 0, 0)),

	/* 5: every undefined opcode with a registration shape; WACK */
	NV("opcode 1", 5, NV_IMP, NV_NONE, NV_REG(0x0800)),
	NV("opcode 2", 5, NV_IMP, NV_NONE, NV_REG(0x1000)),
	NV("opcode 3", 5, NV_IMP, NV_NONE, NV_REG(0x1800)),
	NV("opcode 4", 5, NV_IMP, NV_NONE, NV_REG(0x2000)),
	NV("opcode 7 (WACK) as request", 5, NV_DROP(WACK_REQUEST), NV_NONE,
	   NV_REG(0x3800)),
	NV("opcode 0xA", 5, NV_IMP, NV_NONE, NV_REG(0x5000)),
	NV("opcode 0xB", 5, NV_IMP, NV_NONE, NV_REG(0x5800)),
	NV("opcode 0xC", 5, NV_IMP, NV_NONE, NV_REG(0x6000)),
	NV("opcode 0xD", 5, NV_IMP, NV_NONE, NV_REG(0x6800)),
	NV("opcode 0xE", 5, NV_IMP, NV_NONE, NV_REG(0x7000)),
	NV("opcode 2 header only", 5, NV_IMP, NV_NONE,
	   NV_HDR(0x100b, 0x1000, 0, 0, 0, 0)),

	/* 6: broadcast and reserved header bits */
	/* node-level opcodes pass; the server acts only for its names */
	NV("B=1 query 0x0110", 6, NV_OK, NV_NONE, NV_QUERY(0x0110)),
	NV("B=1 registration 0x2910", 6, NV_OK, NV_NONE, NV_REG(0x2910)),
	NV("B=1 refresh 0x4010", 6, NV_OK, NV_NONE, NV_REG(0x4010)),
	NV("B=1 release 0x3010", 6, NV_DROP(BROADCAST), NV_NONE,
	   NV_REG(0x3010)),
	NV("B=1 MH registration 0x7910", 6, NV_DROP(BROADCAST), NV_NONE,
	   NV_REG(0x7910)),
	NV("B=1 WACK request 0x3810", 6, NV_DROP(BROADCAST), NV_NONE,
	   NV_REG(0x3810)),
	NV("reserved bit 0x0020", 6, NV_OK, NV_NOTE(RESERVED_FLAGS),
	   NV_QUERY(0x0120)),
	NV("reserved bit 0x0040", 6, NV_OK, NV_NOTE(RESERVED_FLAGS),
	   NV_QUERY(0x0140)),
	NV("reserved bits 0x0060 registration", 6, NV_OK,
	   NV_NOTE(RESERVED_FLAGS), NV_REG(0x2960)),

	/* 7: count fields against each opcode's shape */
	NV("query QD=0, header only", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_HDR(0x100c, 0x0100, 0, 0, 0, 0)),
	NV("query QD=2 (pointer question)", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_HDR(0x100d, 0x0100, 2, 0, 0, 0), NV_FRED20, NV_QNB, NV_PQ),
	NV("query QD=65535", 7, NV_FMT(TRUNCATED), NV_NONE,
	   NV_HDR(0x100e, 0x0100, 0xffff, 0, 0, 0), NV_FRED20, NV_QNB),
	NV("query AN=1", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x0100, 1, 1, 0, 0), NV_NBRR),
	NV("query NS=1", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x0100, 1, 0, 1, 0), NV_NBRR),
	NV("query AR=1", 7, NV_FMT(BAD_COUNTS), NV_NONE, NV_REG(0x0100)),
	NV("registration AR=0", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 0)),
	NV("release AR=0", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x3000, 1, 0, 0, 0)),
	NV("refresh op8 AR=0", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x4000, 1, 0, 0, 0)),
	NV("refresh op9 AR=0", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x4800, 1, 0, 0, 0)),
	NV("MH registration AR=0", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x7900, 1, 0, 0, 0)),
	NV("registration AR=2", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 2), NV_NBRR, NV_NBRR),
	NV("MH registration AR=2", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x7900, 1, 0, 0, 2), NV_NBRR, NV_NBRR),
	NV("registration AR=65535", 7, NV_FMT(TRUNCATED), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 0xffff), NV_NBRR),
	NV("registration QD=0 AR=1 (no question)", 7, NV_FMT(BAD_COUNTS),
	   NV_NONE, NV_HDR(0x100f, 0x2900, 0, 0, 0, 1), NV_FRED20,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("release QD=0 AR=1 (no question)", 7, NV_FMT(BAD_COUNTS),
	   NV_NONE, NV_HDR(0x1010, 0x3000, 0, 0, 0, 1), NV_FRED20,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("registration QD=2 AR=1", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_REGQ(0x2900, 2, 0, 0, 1), NV_PQ, NV_NBRR),
	NV("registration RR in answer section", 7, NV_FMT(BAD_COUNTS),
	   NV_NONE, NV_REGQ(0x2900, 1, 1, 0, 0), NV_NBRR),
	NV("QD=65 (section cap 64)", 7, NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_HDR(0x1011, 0x0100, 65, 0, 0, 0), NV_FRED20, NV_QNB, NV_PQ32,
	   NV_PQ32),
	NV("QD=48, 47 pointers to a 272-byte name (worst case)", 13,
	   NV_FMT(BAD_COUNTS), NV_NONE,
	   NV_HDR(0x1012, 0x0100, 48, 0, 0, 0), NV_FRED(0x20), NV_SCOPE191,
	   47, NV_R32('d'), NV_R8('d'), NV_R4('d'), NV_R2('d'), 'd', 0x00,
	   NV_QNB, NV_PQ32, NV_PQ8, NV_PQ, NV_PQ, NV_PQ, NV_PQ, NV_PQ,
	   NV_PQ, NV_PQ),

	/* 8: counts claiming missing bytes; trailing bytes */
	NV("registration AR=1, RR missing", 8, NV_FMT(TRUNCATED), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1)),
	NV("registration cut inside RDATA", 8, NV_FMT(TRUNCATED), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 6), 0x60, 0x00, 198),
	NV("registration RDLENGTH 7, 6 bytes present", 8,
	   NV_FMT(TRUNCATED), NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1),
	   NV_PTRQ, NV_RRHDR(0x0020, 0x0001, 7), NV_ENTRY(0x6000)),
	NV("registration + 1 trailing byte", 8, NV_OK, NV_NOTE(TRAILING),
	   NV_REG(0x2900), 0x00),
	NV("query + 16 bytes of garbage", 8, NV_OK, NV_NOTE(TRAILING),
	   NV_QUERY(0x0100), NV_R16(0xff)),

	/* 9: first label length != 32; label types 0x40 / 0x80 */
	NVP("first label length 0", 9, NV_FMT(BAD_NAME), NV_NONE, 50,
	    NV_HDR(0x1013, 0x0100, 1, 0, 0, 0), 0x00, NV_QNB),
	NVP("first label length 1", 9, NV_FMT(BAD_NAME), NV_NONE, 50,
	    NV_HDR(0x1014, 0x0100, 1, 0, 0, 0), 1, 'A', 0x00, NV_QNB),
	NVP("first label length 31", 9, NV_FMT(BAD_NAME), NV_NONE, 50,
	    NV_HDR(0x1015, 0x0100, 1, 0, 0, 0), 31, NV_R16('C'),
	    NV_R8('A'), NV_R4('A'), NV_R2('A'), 'A', 0x00, NV_QNB),
	NV("first label length 33", 9, NV_FMT(BAD_NAME), NV_NONE,
	   NV_HDR(0x1016, 0x0100, 1, 0, 0, 0), 33, NV_R32('A'), 'A', 0x00,
	   NV_QNB),
	NV("first label length 63", 9, NV_FMT(BAD_NAME), NV_NONE,
	   NV_HDR(0x1017, 0x0100, 1, 0, 0, 0), 63, NV_R63('A'), 0x00,
	   NV_QNB),
	NVP("first label type 0x40", 9, NV_FMT(BAD_LABEL), NV_NONE, 50,
	    NV_HDR(0x1018, 0x0100, 1, 0, 0, 0), 0x40, 'A'),
	NVP("first label type 0x80", 9, NV_FMT(BAD_LABEL), NV_NONE, 50,
	    NV_HDR(0x1019, 0x0100, 1, 0, 0, 0), 0x80, 'A'),
	NVP("first label byte 0x7f", 9, NV_FMT(BAD_LABEL), NV_NONE, 50,
	    NV_HDR(0x101a, 0x0100, 1, 0, 0, 0), 0x7f),
	NVP("first label byte 0xbf", 9, NV_FMT(BAD_LABEL), NV_NONE, 50,
	    NV_HDR(0x101b, 0x0100, 1, 0, 0, 0), 0xbf),
	NV("scope label type 0x40", 9, NV_FMT(BAD_LABEL), NV_NONE,
	   NV_HDR(0x101c, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), 0x40, 'a',
	   0x00, NV_QNB),
	NV("scope label type 0x80", 9, NV_FMT(BAD_LABEL), NV_NONE,
	   NV_HDR(0x101d, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), 0x80, 'a',
	   0x00, NV_QNB),
	NV("RR name label type 0x40", 9, NV_FMT(BAD_LABEL), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), 0x41, 0x00,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),

	/* 10: first-level characters outside 'A'..'P' */
	NV("first-level char 'Q'", 10, NV_FMT(BAD_NAME), NV_NONE,
	   NV_HDR(0x101e, 0x0100, 1, 0, 0, 0), 0x20, 'Q', NV_R16('A'),
	   NV_R8('A'), NV_R4('A'), NV_R2('A'), 'A', 0x00, NV_QNB),
	NV("first-level char 'Z'", 10, NV_FMT(BAD_NAME), NV_NONE,
	   NV_HDR(0x101f, 0x0100, 1, 0, 0, 0), 0x20, NV_R16('A'),
	   NV_R8('A'), NV_R4('A'), NV_R2('A'), 'A', 'Z', 0x00, NV_QNB),
	NV("first-level char 'a'", 10, NV_FMT(BAD_NAME), NV_NONE,
	   NV_HDR(0x1020, 0x0100, 1, 0, 0, 0), 0x20, NV_R16('C'),
	   'a', NV_R8('C'), NV_R4('C'), NV_R2('C'), 'C', 0x00, NV_QNB),
	NV("first-level char 'p'", 10, NV_FMT(BAD_NAME), NV_NONE,
	   NV_HDR(0x1021, 0x0100, 1, 0, 0, 0), 0x20, NV_R16('C'),
	   NV_R8('C'), 'p', NV_R4('C'), NV_R2('C'), 'C', 0x00, NV_QNB),
	NV("first-level char NUL", 10, NV_FMT(BAD_NAME), NV_NONE,
	   NV_HDR(0x1022, 0x0100, 1, 0, 0, 0), 0x20, NV_R16('C'),
	   NV_R8('C'), NV_R4('C'), NV_R2('C'), 0x00, 'C', 0x00, NV_QNB),
	NV("first-level char 0xFF", 10, NV_FMT(BAD_NAME), NV_NONE,
	   NV_HDR(0x1023, 0x0100, 1, 0, 0, 0), 0x20, 0xff, NV_R16('P'),
	   NV_R8('P'), NV_R4('P'), NV_R2('P'), 'P', 0x00, NV_QNB),
	NV("first-level char '@' (before 'A') last", 10, NV_FMT(BAD_NAME),
	   NV_NONE, NV_HDR(0x1024, 0x0100, 1, 0, 0, 0), 0x20, NV_R16('A'),
	   NV_R8('A'), NV_R4('A'), NV_R2('A'), 'A', '@', 0x00, NV_QNB),
	NV("RR name first-level char 'Q'", 10, NV_FMT(BAD_NAME), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), 0x20, NV_R16('Q'), NV_R16('A'),
	   0x00, NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),

	/* 11: labels past the end, missing terminator */
	NV("scope label longer than the message", 11, NV_FMT(TRUNCATED),
	   NV_NONE, NV_HDR(0x1025, 0x0100, 1, 0, 0, 0), NV_FRED(0x20),
	   0x3f, NV_R16('x'), NV_R4('x')),
	NV("name without terminator at end of message", 11,
	   NV_FMT(TRUNCATED), NV_NONE, NV_HDR(0x1026, 0x0100, 1, 0, 0, 0),
	   NV_FRED(0x20), 3, 'c', 'o', 'm', 4, 'a', 'b', 'c', 'd'),
	NV("message ends on a label length byte", 11, NV_FMT(TRUNCATED),
	   NV_NONE, NV_HDR(0x1027, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), 4,
	   'a', 'b', 'c', 'd', 3),
	NV("first label claims 32, 20 bytes present", 11,
	   NV_FMT(TRUNCATED), NV_NONE, NV_HDR(0x1028, 0x0100, 1, 0, 0, 0),
	   0x20, NV_R16('A'), NV_R4('A')),
	NV("RR first label cut short", 11, NV_FMT(TRUNCATED), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), 0x20, NV_R8('E'), NV_R2('E')),
	NV("RR name without terminator, RR fields missing", 11,
	   NV_FMT(TRUNCATED), NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1),
	   NV_FRED(0x20), 0x01),

	/* 12: compression pointers */
	NV("pointer to itself", 12, NV_FMT(BAD_POINTER), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), 0xc0, 0x32,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("forward pointer", 12, NV_FMT(BAD_POINTER), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), 0xc0, 0x40,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("pointer to offset 0 (header)", 12, NV_FMT(BAD_POINTER),
	   NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1), 0xc0, 0x00,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("pointer to offset 11 (header)", 12, NV_FMT(BAD_POINTER),
	   NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1), 0xc0, 0x0b,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("pointer beyond the end 0xC3FF", 12, NV_FMT(BAD_POINTER),
	   NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1), 0xc3, 0xff,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("pointer 0xFFFF", 12, NV_FMT(BAD_POINTER), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), 0xff, 0xff,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("pointer second byte missing", 12, NV_FMT(TRUNCATED), NV_NONE,
	   NV_HDR(0x1029, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), 4, 'a', 'b',
	   'c', 'd', 0xc0),
	NVP("question name is a pointer to itself", 12,
	    NV_FMT(BAD_POINTER), NV_NONE, 50,
	    NV_HDR(0x102a, 0x0100, 1, 0, 0, 0), NV_PTRQ, NV_QNB),
	NV("pointer into the first-level label", 12, NV_FMT(BAD_LABEL),
	   NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1), 0xc0, 0x0d,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("pointer to the question's terminator", 12, NV_FMT(BAD_NAME),
	   NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1), 0xc0, 0x2d,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("pointer back into the name being read", 12,
	   NV_FMT(BAD_POINTER), NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1),
	   NV_FRED(0x20), 0xc0, 0x32, NV_RRHDR(0x0020, 0x0001, 6),
	   NV_ENTRY(0x6000)),
	/* 46: C0 35 inside the question's scope label -> 53 = the RR */
	NV("A->B->A pointer loop", 12, NV_FMT(BAD_POINTER), NV_NONE,
	   NV_HDR(0x102b, 0x2900, 1, 0, 0, 1), NV_FRED(0x20), 2, 0xc0,
	   0x35, 0x00, NV_QNB, 0xc0, 0x2e, NV_RRHDR(0x0020, 0x0001, 6),
	   NV_ENTRY(0x6000)),
	/*
	 * The question's scope label (offset 45, length 7) holds the bytes
	 * 'x' | C0 0C | C0 2F | C0 31 at 46, 47, 49, 51 (targets avoid 0x2E,
	 * a '.', which a scope label may not contain).  The RR name at 58
	 * points to 51 -> 49 -> 47 -> 12: four hops, and the same name as
	 * the question.
	 */
	NV("pointer chain of 4 hops", 12, NV_OK, NV_NONE,
	   NV_HDR(0x102c, 0x2900, 1, 0, 0, 1), NV_FRED(0x20), 7, 'x', 0xc0,
	   0x0c, 0xc0, 0x2f, 0xc0, 0x31, 0x00, NV_QNB, 0xc0, 0x33,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	/* one more pair at 53; RR name at 60 points to it: five hops */
	NV("pointer chain of 5 hops", 12, NV_FMT(BAD_POINTER), NV_NONE,
	   NV_HDR(0x102d, 0x2900, 1, 0, 0, 1), NV_FRED(0x20), 9, 'x', 0xc0,
	   0x0c, 0xc0, 0x2f, 0xc0, 0x31, 0xc0, 0x33, 0x00, NV_QNB, 0xc0,
	   0x35, NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	/*
	 * OP-7: a pointer whose first byte is 0xC1 (target 256).  Scope
	 * labels a{63} b{63} c{63} then a 25-byte label whose bytes 256, 257
	 * are C0 0C; the RR name at 268 is C1 00 -> 256 -> 12.
	 */
	NV("pointer 0xC100 (offset >= 256)", 12, NV_OK, NV_NONE,
	   NV_HDR(0x102e, 0x2900, 1, 0, 0, 1), NV_FRED(0x20), NV_SCOPE191,
	   25, NV_R16('d'), NV_R2('d'), 0xc0, 0x0c, NV_R4('d'), 'd', 0x00,
	   NV_QNB, 0xc1, 0x00, NV_RRHDR(0x0020, 0x0001, 6),
	   NV_ENTRY(0x6000)),

	/* 13: decoded size (dotted scope of 191 + 1 + n bytes) */
	NV("scope 237 bytes", 13, NV_OK, NV_NONE,
	   NV_HDR(0x102f, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), NV_SCOPE191,
	   45, NV_R32('d'), NV_R8('d'), NV_R4('d'), 'd', 0x00, NV_QNB),
	NV("scope 238 bytes", 13, NV_OK, NV_NONE,
	   NV_HDR(0x1030, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), NV_SCOPE191,
	   46, NV_R32('d'), NV_R8('d'), NV_R4('d'), NV_R2('d'), 0x00,
	   NV_QNB),
	NV("scope 239 bytes (decoded 272)", 13, NV_OK, NV_NONE,
	   NV_HDR(0x1031, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), NV_SCOPE191,
	   47, NV_R32('d'), NV_R8('d'), NV_R4('d'), NV_R2('d'), 'd', 0x00,
	   NV_QNB),
	NV("scope 240 bytes (decoded 273)", 13, NV_FMT(NAME_TOO_LONG),
	   NV_NONE, NV_HDR(0x1032, 0x0100, 1, 0, 0, 0), NV_FRED(0x20),
	   NV_SCOPE191, 48, NV_R32('d'), NV_R16('d'), 0x00, NV_QNB),
	NV("scope 222 bytes (decoded 255)", 13, NV_OK, NV_NONE,
	   NV_HDR(0x1033, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), NV_SCOPE191,
	   30, NV_R16('d'), NV_R8('d'), NV_R4('d'), NV_R2('d'), 0x00,
	   NV_QNB),
	NV("scope 223 bytes (decoded 256)", 13, NV_OK, NV_NONE,
	   NV_HDR(0x1034, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), NV_SCOPE191,
	   31, NV_R16('d'), NV_R8('d'), NV_R4('d'), NV_R2('d'), 'd', 0x00,
	   NV_QNB),
	NV("120 one-byte scope labels (121 labels, 239 bytes)", 13, NV_OK,
	   NV_NONE, NV_HDR(0x1035, 0x0100, 1, 0, 0, 0), NV_FRED(0x20),
	   NV_LX40, NV_LX40, NV_LX40, 0x00, NV_QNB),
	NV("121 one-byte scope labels (241 bytes)", 13,
	   NV_FMT(NAME_TOO_LONG), NV_NONE,
	   NV_HDR(0x1036, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), NV_LX40,
	   NV_LX40, NV_LX40, 1, 'x', 0x00, NV_QNB),
	/* RR name: FRED + e{63} + pointer to the question's 191-byte scope */
	NV("scope inflated through a pointer", 13, NV_FMT(NAME_TOO_LONG),
	   NV_NONE, NV_HDR(0x1037, 0x2900, 1, 0, 0, 1), NV_FRED(0x20),
	   NV_SCOPE191, 0x00, NV_QNB, NV_FRED(0x20), 0x3f, NV_R63('e'),
	   0xc0, 0x2d, NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("scope label containing '.'", 13, NV_FMT(BAD_LABEL), NV_NONE,
	   NV_HDR(0x1038, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), 3, 'a', '.',
	   'b', 0x00, NV_QNB),
	NV("scope label containing NUL", 13, NV_FMT(BAD_LABEL), NV_NONE,
	   NV_HDR(0x1039, 0x0100, 1, 0, 0, 0), NV_FRED(0x20), 3, 'a', 0x00,
	   'b', 0x00, NV_QNB),

	/* 14: RR name must be the question name, byte for byte */
	NV("RR name uncompressed, identical (100 bytes)", 14, NV_OK,
	   NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1), NV_FRED20,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("RR name FREE<20> vs FRED<20>", 14, NV_FMT(RR_NAME_MISMATCH),
	   NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1), NV_FREE(0x20), 0x00,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("RR name suffix <00> vs <20>", 14, NV_FMT(RR_NAME_MISMATCH),
	   NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1), NV_FRED(0x00), 0x00,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("RR name with a scope the question lacks", 14,
	   NV_FMT(RR_NAME_MISMATCH), NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1),
	   NV_FRED(0x20), 1, 'x', 0x00, NV_RRHDR(0x0020, 0x0001, 6),
	   NV_ENTRY(0x6000)),
	NV("RR scope differs in case only", 14, NV_FMT(RR_NAME_MISMATCH),
	   NV_NONE, NV_HDR(0x103a, 0x2900, 1, 0, 0, 1), NV_FRED(0x20), 3,
	   'c', 'o', 'm', 0x00, NV_QNB, NV_FRED(0x20), 3, 'C', 'O', 'M',
	   0x00, NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("MH registration RR name mismatch", 14,
	   NV_FMT(RR_NAME_MISMATCH), NV_NONE, NV_REGQ(0x7900, 1, 0, 0, 1),
	   NV_FREE(0x20), 0x00, NV_RRHDR(0x0020, 0x0001, 6),
	   NV_ENTRY(0x6000)),
	NV("release RR name mismatch", 14, NV_FMT(RR_NAME_MISMATCH),
	   NV_NONE, NV_REGQ(0x3000, 1, 0, 0, 1), NV_FREE(0x20), 0x00,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),

	/* 15: odd but valid 16-byte names (opaque bytes) */
	NV("NBSTAT query for *<00>", 15, NV_OK, NV_NONE,
	   NV_HDR(0x103b, 0x0000, 1, 0, 0, 0),
	   NV_NAME('*', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0x00,
	   NV_QNBSTAT),
	NV("registration of 15 spaces <00>", 15, NV_OK, NV_NONE,
	   NV_HDR(0x103c, 0x2900, 1, 0, 0, 1),
	   NV_NAME(' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
		   ' ', ' ', ' ', ' ', 0x00),
	   0x00, NV_QNB, NV_NBRR),
	NV("registration of 15 NULs <00>", 15, NV_OK, NV_NONE,
	   NV_HDR(0x103d, 0x2900, 1, 0, 0, 1),
	   NV_NAME(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0x00,
	   NV_QNB, NV_NBRR),
	NV("query \\x01\\x02__MSBROWSE__\\x02<01>", 15, NV_OK, NV_NONE,
	   NV_HDR(0x103e, 0x0100, 1, 0, 0, 0),
	   NV_NAME(0x01, 0x02, '_', '_', 'M', 'S', 'B', 'R', 'O', 'W', 'S',
		   'E', '_', '_', 0x02, 0x01),
	   0x00, NV_QNB),
	NV("registration of 16 x 0xFF", 15, NV_OK, NV_NONE,
	   NV_HDR(0x103f, 0x2900, 1, 0, 0, 1),
	   NV_NAME(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
	   0x00, NV_QNB, NV_NBRR),
	NV("registration of shell metacharacters", 15, NV_OK, NV_NONE,
	   NV_HDR(0x1040, 0x2900, 1, 0, 0, 1),
	   NV_NAME(';', '$', '(', 'r', 'e', 'b', 'o', 'o', 't', ')', '|',
		   '&', '>', '\n', '"', 0x00),
	   0x00, NV_QNB, NV_NBRR),
	NV("registration of format specifiers %s%n%x", 15, NV_OK, NV_NONE,
	   NV_HDR(0x1041, 0x2900, 1, 0, 0, 1),
	   NV_NAME('%', 's', '%', 'n', '%', 'x', ' ', ' ', ' ', ' ', ' ',
		   ' ', ' ', ' ', ' ', 0x20),
	   0x00, NV_QNB, NV_NBRR),
	NV("registration of UTF-8 and 0x80..0xFF bytes", 15, NV_OK,
	   NV_NONE, NV_HDR(0x1042, 0x2900, 1, 0, 0, 1),
	   NV_NAME(0xc3, 0x89, 0x80, 0xfe, 0xe2, 0x82, 0xac, ' ', ' ', ' ',
		   ' ', ' ', ' ', ' ', ' ', 0x00),
	   0x00, NV_QNB, NV_NBRR),

	/* 16: RR type, class, RDLENGTH; question type and class */
	NV("registration RR type NULL", 16, NV_FMT(BAD_RR_TYPE), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x000a, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("registration RR type NBSTAT", 16, NV_FMT(BAD_RR_TYPE), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0021, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("registration RR type A", 16, NV_FMT(BAD_RR_TYPE), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0001, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("registration RR type NS", 16, NV_FMT(BAD_RR_TYPE), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0002, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("registration RR type 0xFFFF", 16, NV_FMT(BAD_RR_TYPE), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0xffff, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("registration RR class 0", 16, NV_FMT(BAD_RR_CLASS), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0000, 6), NV_ENTRY(0x6000)),
	NV("registration RR class 2", 16, NV_FMT(BAD_RR_CLASS), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0002, 6), NV_ENTRY(0x6000)),
	NV("registration RDLENGTH 0", 16, NV_FMT(BAD_RDLENGTH), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 0)),
	NV("registration RDLENGTH 1", 16, NV_FMT(BAD_RDLENGTH), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 1), 0x60),
	NV("registration RDLENGTH 5", 16, NV_FMT(BAD_RDLENGTH), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 5), 0x60, 0x00, 198, 18, 0),
	NV("registration RDLENGTH 7", 16, NV_FMT(BAD_RDLENGTH), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 7), NV_ENTRY(0x6000), 0x00),
	NV("registration RDLENGTH 12 (two entries)", 16,
	   NV_FMT(BAD_RDLENGTH), NV_NONE, NV_REGQ(0x2900, 1, 0, 0, 1),
	   NV_PTRQ, NV_RRHDR(0x0020, 0x0001, 12), NV_ENTRY(0x6000),
	   NV_ENTRY(0x6000)),
	NV("registration RDLENGTH 65535", 16, NV_FMT(TRUNCATED), NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 0xffff), NV_ENTRY(0x6000)),
	NV("MH registration RDLENGTH 1", 16, NV_FMT(BAD_RDLENGTH), NV_NONE,
	   NV_REGQ(0x7900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 1), 0x60),
	NV("MH registration RDLENGTH 5", 16, NV_FMT(BAD_RDLENGTH), NV_NONE,
	   NV_REGQ(0x7900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 5), 0x60, 0x00, 198, 18, 0),
	NV("MH registration RR type NULL + 16 bytes RDATA", 16,
	   NV_FMT(BAD_RR_TYPE), NV_NONE, NV_REGQ(0x7900, 1, 0, 0, 1),
	   NV_PTRQ, NV_RRHDR(0x000a, 0x0001, 16), NV_R16(0x41)),
	NV("release RDLENGTH 0", 16, NV_FMT(BAD_RDLENGTH), NV_NONE,
	   NV_REGQ(0x3000, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 0)),
	NV("refresh RR class 0xFFFF", 16, NV_FMT(BAD_RR_CLASS), NV_NONE,
	   NV_REGQ(0x4000, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0xffff, 6), NV_ENTRY(0x6000)),
	NV("query type A", 16, NV_FMT(BAD_QTYPE), NV_NONE,
	   NV_HDR(0x1043, 0x0100, 1, 0, 0, 0), NV_FRED20, NV_B16(0x0001),
	   NV_B16(0x0001)),
	NV("query type 0xFFFF", 16, NV_FMT(BAD_QTYPE), NV_NONE,
	   NV_HDR(0x1044, 0x0100, 1, 0, 0, 0), NV_FRED20, NV_B16(0xffff),
	   NV_B16(0x0001)),
	NV("query class 0", 16, NV_FMT(BAD_QTYPE), NV_NONE,
	   NV_HDR(0x1045, 0x0100, 1, 0, 0, 0), NV_FRED20, NV_B16(0x0020),
	   NV_B16(0x0000)),
	NV("query class 2", 16, NV_FMT(BAD_QTYPE), NV_NONE,
	   NV_HDR(0x1046, 0x0100, 1, 0, 0, 0), NV_FRED20, NV_B16(0x0020),
	   NV_B16(0x0002)),
	NV("registration question type NBSTAT", 16, NV_FMT(BAD_QTYPE),
	   NV_NONE, NV_HDR(0x1047, 0x2900, 1, 0, 0, 1), NV_FRED20,
	   NV_QNBSTAT, NV_NBRR),
	NV("registration question class 2", 16, NV_FMT(BAD_QTYPE),
	   NV_NONE, NV_HDR(0x1048, 0x2900, 1, 0, 0, 1), NV_FRED20,
	   NV_B16(0x0020), NV_B16(0x0002), NV_NBRR),

	/* 17: NB_FLAGS */
	NV("NB_FLAGS reserved bit 0x0001", 17, NV_OK, NV_NOTE(NB_RESERVED),
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6001)),
	NV("NB_FLAGS reserved bits 0x1FFF", 17, NV_OK,
	   NV_NOTE(NB_RESERVED), NV_REGQ(0x7900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x1fff)),
	NV("NB_FLAGS B-node unique", 17, NV_OK, NV_NONE,
	   NV_REGQ(0x2900, 1, 0, 0, 1), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x0000)),
	NV("NB_FLAGS group H-node for a <1b> name", 17, NV_OK, NV_NONE,
	   NV_HDR(0x1049, 0x2900, 1, 0, 0, 1), NV_FRED(0x1b), 0x00, NV_QNB,
	   NV_PTRQ, NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0xe000)),
	NV("NB_FLAGS unique <1c> name", 17, NV_OK, NV_NONE,
	   NV_HDR(0x104a, 0x2900, 1, 0, 0, 1), NV_FRED(0x1c), 0x00, NV_QNB,
	   NV_PTRQ, NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x2000)),
	NV("NB_FLAGS unique <1d> name", 17, NV_OK, NV_NONE,
	   NV_HDR(0x104b, 0x2900, 1, 0, 0, 1), NV_FRED(0x1d), 0x00, NV_QNB,
	   NV_PTRQ, NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x4000)),
};

static const size_t nbns_vectors_count =
	sizeof(nbns_vectors) / sizeof(nbns_vectors[0]);

/* ---- replies to the server's own challenges and release demands ---- */

#define NV_RESP(fl, an, type, cls, rdlen)                              \
	NV_HDR(0x2001, fl, 0, an, 0, 0), NV_FRED20,                    \
		NV_RRHDR(type, cls, rdlen)
#define NV_BAD NV_DROP(BAD_RESPONSE)

__attribute__((unused))
static const struct nbns_vector nbns_response_vectors[] = {
	NV("positive query response", 22, NV_OK, NV_NONE,
	   NV_RESP(0x8580, 1, 0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("positive query response, 25 addresses", 22, NV_OK, NV_NONE,
	   NV_RESP(0x8580, 1, 0x0020, 0x0001, 150), NV_ENT5, NV_ENT5,
	   NV_ENT5, NV_ENT5, NV_ENT5),
	NV("negative query response NULL RR", 22, NV_OK, NV_NONE,
	   NV_RESP(0x8583, 1, 0x000a, 0x0001, 0)),
	NV("release response", 22, NV_OK, NV_NONE,
	   NV_RESP(0xb400, 1, 0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("negative release response", 22, NV_OK, NV_NONE,
	   NV_RESP(0xb406, 1, 0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("response + trailing byte", 8, NV_OK, NV_NOTE(TRAILING),
	   NV_RESP(0x8580, 1, 0x0020, 0x0001, 6), NV_ENTRY(0x6000), 0x00),
	NV("response NB_FLAGS reserved", 17, NV_OK, NV_NOTE(NB_RESERVED),
	   NV_RESP(0x8580, 1, 0x0020, 0x0001, 6), NV_ENTRY(0x6100)),
	NV("response 11 bytes", 1, NV_DROP(UNDERSIZE), NV_NONE,
	   0x20, 0x01, 0x85, 0x80, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	   0x00),
	NVP("response 577 bytes", 2, NV_DROP(OVERSIZE), NV_NONE, 577,
	    NV_RESP(0x8580, 1, 0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("positive query response, 26 addresses", 21, NV_BAD, NV_NONE,
	   NV_RESP(0x8580, 1, 0x0020, 0x0001, 156), NV_ENT5, NV_ENT5,
	   NV_ENT5, NV_ENT5, NV_ENT5, NV_ENTRY(0x6000)),
	NV("R=0 (a query)", 22, NV_BAD, NV_NONE,
	   NV_RESP(0x0580, 1, 0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("registration response opcode 5", 22, NV_BAD, NV_NONE,
	   NV_RESP(0xad80, 1, 0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("WACK opcode 7", 22, NV_BAD, NV_NONE,
	   NV_RESP(0xbc00, 1, 0x0020, 0x0001, 2), NV_B16(0x0100)),
	NV("QD=1", 22, NV_BAD, NV_NONE,
	   NV_HDR(0x2001, 0x8580, 1, 1, 0, 0), NV_FRED20, NV_QNB, NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("AN=0", 22, NV_BAD, NV_NONE, NV_HDR(0x2001, 0x8583, 0, 0, 0, 0)),
	NV("AN=2", 22, NV_BAD, NV_NONE,
	   NV_RESP(0x8580, 2, 0x0020, 0x0001, 6), NV_ENTRY(0x6000), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("AR=1", 22, NV_BAD, NV_NONE,
	   NV_HDR(0x2001, 0x8580, 0, 1, 0, 1), NV_FRED20,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000), NV_PTRQ,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("NB RDLENGTH 0", 16, NV_BAD, NV_NONE,
	   NV_RESP(0x8580, 1, 0x0020, 0x0001, 0)),
	NV("NB RDLENGTH 5", 16, NV_BAD, NV_NONE,
	   NV_RESP(0x8580, 1, 0x0020, 0x0001, 5), 0x60, 0x00, 198, 18, 0),
	NV("NB RDLENGTH 7", 16, NV_BAD, NV_NONE,
	   NV_RESP(0x8580, 1, 0x0020, 0x0001, 7), NV_ENTRY(0x6000), 0x00),
	NV("NULL RR with rcode 0", 22, NV_BAD, NV_NONE,
	   NV_RESP(0x8580, 1, 0x000a, 0x0001, 0)),
	NV("NULL RR with RDATA", 22, NV_BAD, NV_NONE,
	   NV_RESP(0x8583, 1, 0x000a, 0x0001, 2), 0x00, 0x00),
	NV("RR type NBSTAT", 16, NV_BAD, NV_NONE,
	   NV_RESP(0x8580, 1, 0x0021, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("RR class 2", 16, NV_BAD, NV_NONE,
	   NV_RESP(0x8580, 1, 0x0020, 0x0002, 6), NV_ENTRY(0x6000)),
	NV("RR name with 'Q'", 10, NV_BAD, NV_NONE,
	   NV_HDR(0x2001, 0x8580, 0, 1, 0, 0), 0x20, NV_R32('Q'), 0x00,
	   NV_RRHDR(0x0020, 0x0001, 6), NV_ENTRY(0x6000)),
	NV("RDLENGTH past the end", 16, NV_BAD, NV_NONE,
	   NV_RESP(0x8580, 1, 0x0020, 0x0001, 12), NV_ENTRY(0x6000)),
};

static const size_t nbns_response_vectors_count =
	sizeof(nbns_response_vectors) / sizeof(nbns_response_vectors[0]);

#endif /* TDBWINS_VECTORS_NBNS_H */
