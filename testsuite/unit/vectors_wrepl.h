/*
 * tdbwins — WINS replication (TCP 42) wire vectors with their expected
 * ingress outcome.  A plain static table so that the unit test, the fuzz
 * seed writer and anything else can include it.
 *
 * Every vector is a whole PDU as it arrives on TCP 42: the 4-byte Packet
 * Length, then the body.  For every vector except the framing ones
 * (frame_reason != INGRESS_OK) the Packet Length equals len - 4; the unit
 * test checks that, so the table cannot silently drift.
 *
 * Run a vector as the socket layer does:
 *   r = ingress_tcp42_frame(ig, be32(bytes), stage);
 *   r == frame_reason, and if INGRESS_OK:
 *   ingress_wrepl(ig, ctx, bytes + 4, len - 4, stage, &res);
 *   res.verdict == verdict, res.reason == reason,
 *   INGRESS_NOTE_WR_RESERVED counted iff note.
 *
 * sec_class is the SECURITY.md section E class the vector belongs to
 * (0: a valid message that must be accepted).  Addresses are taken from
 * 198.18.0.0/15 (unicast, never routed).
 */
#ifndef TDBWINS_VECTORS_WREPL_H
#define TDBWINS_VECTORS_WREPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ingress/ingress.h"

struct wrepl_vector {
	const char *name;
	const uint8_t *bytes;		/* Packet Length + body */
	size_t len;
	enum ingress_wr_stage stage;
	enum ingress_reason frame_reason;	/* ingress_tcp42_frame() */
	enum ingress_verdict verdict;	/* ingress_wrepl() */
	enum ingress_reason reason;	/* ingress_wrepl(), INGRESS_OK */
	bool note;			/* INGRESS_NOTE_WR_RESERVED */
	uint8_t sec_class;
};

/* ---- byte builders ---- */

#define WV_BE16(v) (uint8_t)(((v) >> 8) & 0xff), (uint8_t)((v) & 0xff)
#define WV_BE32(v)                                                         \
	(uint8_t)(((uint32_t)(v) >> 24) & 0xff),                            \
		(uint8_t)(((uint32_t)(v) >> 16) & 0xff),                    \
		(uint8_t)(((uint32_t)(v) >> 8) & 0xff),                     \
		(uint8_t)((uint32_t)(v) & 0xff)
#define WV_LE32(v)                                                         \
	(uint8_t)((uint32_t)(v) & 0xff),                                    \
		(uint8_t)(((uint32_t)(v) >> 8) & 0xff),                     \
		(uint8_t)(((uint32_t)(v) >> 16) & 0xff),                    \
		(uint8_t)(((uint32_t)(v) >> 24) & 0xff)
#define WV_Z4 0, 0, 0, 0
#define WV_Z8 WV_Z4, WV_Z4
#define WV_Z16 WV_Z8, WV_Z8
#define WV_Z21 WV_Z16, WV_Z4, 0
#define WV_Z24 WV_Z16, WV_Z8
#define WV_FF4 0xff, 0xff, 0xff, 0xff
#define WV_SP10 ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '
#define WV_A8 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'
#define WV_A63 WV_A8, WV_A8, WV_A8, WV_A8, WV_A8, WV_A8, WV_A8, \
	'a', 'a', 'a', 'a', 'a', 'a', 'a'

/* addresses (host order values, written big-endian) */
#define WV_O1 0xC6120101u	/* 198.18.1.1: a WINS server (owner) */
#define WV_O2 0xC6120102u	/* 198.18.1.2 */
#define WV_A1 0xC6120201u	/* 198.18.2.1: a host */
#define WV_A2 0xC6120202u
#define WV_HANDLE 0x5EED0001u	/* the receiver's handle, echoed back */
#define WV_PEER_HANDLE 0x0C0FFEE1u

/* Packet Length + header: opcode word 0x7800, destination handle, type */
#define WV_HDR(len, type)                                                  \
	WV_BE32(len), WV_BE32(0x7800), WV_BE32(WV_HANDLE), WV_BE32(type)
#define WV_HDRX(len, opword, handle, type)                                 \
	WV_BE32(len), WV_BE32(opword), WV_BE32(handle), WV_BE32(type)
/* ... + RplOpCode word */
#define WV_REPL(len, op) WV_HDR(len, 3), WV_BE32(op)

/* Start Request/Response without the trailing pad (20 bytes after len) */
#define WV_START(len, type, major, minor)                                  \
	WV_BE32(len), WV_BE32(0x7800), WV_BE32(0), WV_BE32(type),           \
		WV_BE32(WV_PEER_HANDLE), WV_BE16(major), WV_BE16(minor)

/* Owner Record, 24 bytes: address, max (hi, lo), min (hi, lo), type 1 */
#define WV_OWNER(addr, maxv, minv)                                         \
	WV_BE32(addr), WV_BE32(0), WV_BE32(maxv), WV_BE32(0), WV_BE32(minv), \
		WV_BE32(1)

/* the 16 raw bytes of HOST1<20> */
#define WV_HOST1 'H', 'O', 'S', 'T', '1', WV_SP10, 0x20

/*
 * A 48-byte Name Record for HOST1<20> without scope: Name Length 17,
 * name, NUL, 3 pad bytes, flags, group (LE), version, one address,
 * Reserved3.
 */
#define WV_REC17(flags, group, ver, ip)                                    \
	WV_BE32(17), WV_HOST1, 0x00, 0, 0, 0, WV_BE32(flags), WV_LE32(group), \
		WV_BE32(0), WV_BE32(ver), WV_BE32(ip), WV_FF4
/* the same up to and including the version (40 bytes) */
#define WV_REC17_HEAD(flags, group, ver)                                   \
	WV_BE32(17), WV_HOST1, 0x00, 0, 0, 0, WV_BE32(flags), WV_LE32(group), \
		WV_BE32(0), WV_BE32(ver)

/* flags bytes */
#define WV_F_UNIQUE_H 0x60u	/* ET 0, active, H-node */
#define WV_F_GROUP 0x01u
#define WV_F_SGROUP_H 0x62u
#define WV_F_MHOMED_H 0x63u
#define WV_F_TOMB_UNIQUE 0x68u	/* ET 0, tombstone, H-node */

/* a pair: owner WV_O1, member 198.18.3.n */
#define WV_PAIR(n) WV_BE32(WV_O1), WV_BE32(0xC6120300u + (n))

#define WV_VEC(n, st, fr, v, r, nt, cls, ...)                              \
	{                                                                   \
		.name = (n),                                                \
		.bytes = (const uint8_t[]){ __VA_ARGS__ },                  \
		.len = sizeof((const uint8_t[]){ __VA_ARGS__ }),            \
		.stage = (st),                                              \
		.frame_reason = (fr),                                       \
		.verdict = (v),                                             \
		.reason = (r),                                              \
		.note = (nt),                                               \
		.sec_class = (cls),                                         \
	}

/* shorthands for the common outcomes */
#define WV_OK(n, st, cls, ...)                                             \
	WV_VEC(n, st, INGRESS_OK, INGRESS_ACCEPT, INGRESS_OK, false, cls,   \
	       __VA_ARGS__)
#define WV_OKN(n, st, cls, ...)                                            \
	WV_VEC(n, st, INGRESS_OK, INGRESS_ACCEPT, INGRESS_OK, true, cls,    \
	       __VA_ARGS__)
#define WV_DROP(n, st, r, cls, ...)                                        \
	WV_VEC(n, st, INGRESS_OK, INGRESS_DROP, r, false, cls, __VA_ARGS__)
#define WV_FRAME(n, st, fr, cls, ...)                                      \
	WV_VEC(n, st, fr, INGRESS_DROP, INGRESS_OK, false, cls, __VA_ARGS__)

#define WV_PRE INGRESS_WR_PREASSOC
#define WV_ASSOC INGRESS_WR_ASSOC
#define WV_PULL INGRESS_WR_PULL_REPLY

static const struct wrepl_vector wrepl_vectors[] = {
	/* ================= valid messages ================= */
	WV_OK("start request W2K+ (00 02 00 05 + 21 zero)", WV_PRE, 0,
	      WV_START(41, 0, 2, 5), WV_Z21),
	WV_OK("start request NT4 (minor 1)", WV_PRE, 0,
	      WV_START(41, 0, 2, 1), WV_Z21),
	WV_OK("start request again on an association", WV_ASSOC, 0,
	      WV_START(41, 0, 2, 5), WV_Z21),
	WV_OK("start response", WV_PULL, 0,
	      WV_START(41, 1, 2, 5), WV_Z21),
	WV_OK("stop request 40 bytes, reason 0", WV_ASSOC, 0,
	      WV_HDR(40, 2), WV_BE32(0), WV_Z24),
	WV_OK("stop request 40 bytes, reason 4, junk pad", WV_PULL, 0,
	      WV_HDR(40, 2), WV_BE32(4), WV_FF4, WV_FF4, WV_FF4, WV_FF4,
	      WV_FF4, WV_FF4),
	WV_OKN("stop request 16 bytes (Samba)", WV_ASSOC, 0,
	       WV_HDR(16, 2), WV_BE32(4)),
	WV_OK("owner-version map request", WV_ASSOC, 0,
	      WV_REPL(16, 0)),
	WV_OK("map response, 0 owners", WV_PULL, 0,
	      WV_REPL(24, 1), WV_BE32(0), WV_BE32(0)),
	WV_OK("map response, 2 owners", WV_PULL, 0,
	      WV_REPL(72, 1), WV_BE32(2), WV_OWNER(WV_O1, 100, 1),
	      WV_OWNER(WV_O2, 7, 1), WV_BE32(0)),
	WV_OK("map response, Reserved2 holds an address (Samba)", WV_PULL, 0,
	      WV_REPL(48, 1), WV_BE32(1), WV_OWNER(WV_O1, 100, 1),
	      WV_BE32(WV_O1)),
	WV_OK("map response, Reserved2 0.0.0.0 (old Samba)", WV_PULL, 0,
	      WV_REPL(48, 1), WV_BE32(1), WV_OWNER(WV_O1, 100, 1),
	      WV_BE32(0)),
	WV_OK("name records request", WV_ASSOC, 0,
	      WV_REPL(40, 2), WV_OWNER(WV_O1, 100, 1)),
	WV_OK("name records request, max 0 (Samba: no bound)", WV_ASSOC, 0,
	      WV_REPL(40, 2), WV_OWNER(WV_O1, 0, 1)),
	WV_OK("name records response, 0 records", WV_PULL, 0,
	      WV_REPL(20, 3), WV_BE32(0)),
	WV_OK("name records response, unique, Name Length 17 (pad 3)",
	      WV_PULL, 0,
	      WV_REPL(68, 3), WV_BE32(1),
	      WV_REC17(WV_F_UNIQUE_H, 0, 1, WV_A1)),
	WV_OK("name records response, unique tombstone", WV_PULL, 0,
	      WV_REPL(68, 3), WV_BE32(1),
	      WV_REC17(WV_F_TOMB_UNIQUE, 0, 9, WV_A1)),
	WV_OK("name records response, static replica unique", WV_PULL, 0,
	      WV_REPL(68, 3), WV_BE32(1),
	      WV_REC17(0xF0u, 0, 9, WV_A1)),
	WV_OK("name records response, normal group 255.255.255.255",
	      WV_PULL, 0,
	      WV_REPL(68, 3), WV_BE32(1),
	      WV_REC17(WV_F_GROUP, 1, 2, 0xFFFFFFFFu)),
	WV_OK("name records response, special group, 2 members", WV_PULL, 0,
	      WV_REPL(84, 3), WV_BE32(1),
	      WV_REC17_HEAD(WV_F_SGROUP_H, 1, 3), WV_LE32(2),
	      WV_BE32(WV_O1), WV_BE32(WV_A1), WV_BE32(WV_O2), WV_BE32(WV_A2),
	      WV_FF4),
	WV_OK("name records response, multihomed, 0 addresses", WV_PULL, 0,
	      WV_REPL(68, 3), WV_BE32(1),
	      WV_REC17_HEAD(WV_F_MHOMED_H, 0, 3), WV_LE32(0), WV_FF4),
	WV_OK("name records response, special group, 25 members", WV_PULL,
	      31,
	      WV_REPL(268, 3), WV_BE32(1),
	      WV_REC17_HEAD(WV_F_SGROUP_H, 1, 3), WV_LE32(25),
	      WV_PAIR(1), WV_PAIR(2), WV_PAIR(3), WV_PAIR(4), WV_PAIR(5),
	      WV_PAIR(6), WV_PAIR(7), WV_PAIR(8), WV_PAIR(9), WV_PAIR(10),
	      WV_PAIR(11), WV_PAIR(12), WV_PAIR(13), WV_PAIR(14), WV_PAIR(15),
	      WV_PAIR(16), WV_PAIR(17), WV_PAIR(18), WV_PAIR(19), WV_PAIR(20),
	      WV_PAIR(21), WV_PAIR(22), WV_PAIR(23), WV_PAIR(24), WV_PAIR(25),
	      WV_FF4),
	WV_OK("name records response, 0x1B name swapped (DOM<1b>)", WV_PULL,
	      30,
	      WV_REPL(68, 3), WV_BE32(1),
	      WV_BE32(17), 0x1B, 'O', 'M', WV_SP10, ' ', ' ', 'D', 0x00,
	      0, 0, 0, WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0),
	      WV_BE32(5), WV_BE32(WV_A1), WV_FF4),
	WV_OK("name records response, Name Length 18 (scope \"a\", pad 2)",
	      WV_PULL, 30,
	      WV_REPL(68, 3), WV_BE32(1),
	      WV_BE32(18), WV_HOST1, 'a', 0x00, 0, 0,
	      WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
	      WV_BE32(WV_A1), WV_FF4),
	WV_OK("name records response, Name Length 19 (pad 1)", WV_PULL, 30,
	      WV_REPL(68, 3), WV_BE32(1),
	      WV_BE32(19), WV_HOST1, 'a', 'b', 0x00, 0,
	      WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
	      WV_BE32(WV_A1), WV_FF4),
	WV_OK("name records response, Name Length 20 (aligned: pad 4)",
	      WV_PULL, 30,
	      WV_REPL(72, 3), WV_BE32(1),
	      WV_BE32(20), WV_HOST1, 'a', '.', 'b', 0x00, 0, 0, 0, 0,
	      WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
	      WV_BE32(WV_A1), WV_FF4),
	WV_OK("name records response, Name Length 255 (pad 1)", WV_PULL, 30,
	      WV_REPL(304, 3), WV_BE32(1),
	      WV_BE32(255), WV_HOST1, WV_A63, '.', WV_A63, '.', WV_A63, '.',
	      WV_A8, WV_A8, WV_A8, WV_A8, WV_A8, 'a', 'a', 'a', 'a', 'a', 'a',
	      0x00, 0,
	      WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
	      WV_BE32(WV_A1), WV_FF4),
	WV_OK("update notification (4)", WV_ASSOC, 0,
	      WV_REPL(48, 4), WV_BE32(1), WV_OWNER(WV_O1, 100, 1),
	      WV_BE32(WV_O1)),
	WV_OK("update notification propagate (5)", WV_ASSOC, 0,
	      WV_REPL(48, 5), WV_BE32(1), WV_OWNER(WV_O1, 100, 1),
	      WV_BE32(WV_O2)),
	WV_OK("inform (8), 2 owners", WV_ASSOC, 0,
	      WV_REPL(72, 8), WV_BE32(2), WV_OWNER(WV_O1, 100, 1),
	      WV_OWNER(WV_O2, 5, 1), WV_BE32(WV_O1)),
	WV_OK("inform propagate (9)", WV_ASSOC, 0,
	      WV_REPL(48, 9), WV_BE32(1), WV_OWNER(WV_O1, 100, 1),
	      WV_BE32(WV_O1)),

	/* ================= class 25: Packet Length framing ============== */
	WV_FRAME("packet length 0", WV_PRE, INGRESS_R_UNDERSIZE, 25,
		 WV_BE32(0)),
	WV_FRAME("packet length 1", WV_ASSOC, INGRESS_R_UNDERSIZE, 25,
		 WV_BE32(1)),
	WV_FRAME("packet length 11", WV_PULL, INGRESS_R_UNDERSIZE, 25,
		 WV_BE32(11)),
	WV_FRAME("packet length 19 before association", WV_PRE,
		 INGRESS_R_FRAME_LENGTH, 25, WV_BE32(19)),
	WV_FRAME("packet length 65 before association", WV_PRE,
		 INGRESS_R_OVERSIZE, 25, WV_BE32(65)),
	WV_FRAME("packet length 0x7FFFFFFF on an association", WV_ASSOC,
		 INGRESS_R_OVERSIZE, 25, WV_BE32(0x7FFFFFFFu)),
	WV_FRAME("packet length 0xFFFFFFFF awaiting a reply", WV_PULL,
		 INGRESS_R_OVERSIZE, 25, WV_BE32(0xFFFFFFFFu)),
	WV_FRAME("packet length 0xFFFFFFFF before association", WV_PRE,
		 INGRESS_R_OVERSIZE, 25, WV_BE32(0xFFFFFFFFu)),
	WV_FRAME("packet length 0xFFFFFFFC (4 + len wraps 32 bits)", WV_ASSOC,
		 INGRESS_R_OVERSIZE, 25, WV_BE32(0xFFFFFFFCu)),

	/* ================= class 26: association start ================== */
	WV_DROP("first message a map request", WV_PRE, INGRESS_R_WR_STAGE, 26,
		WV_REPL(20, 0), WV_Z4),
	WV_DROP("first message a stop", WV_PRE, INGRESS_R_WR_STAGE, 26,
		WV_HDR(40, 2), WV_BE32(0), WV_Z24),
	WV_DROP("start response sent to a server", WV_PRE, INGRESS_R_WR_STAGE,
		26, WV_START(41, 1, 2, 5), WV_Z21),
	WV_DROP("start response on an association", WV_ASSOC,
		INGRESS_R_WR_STAGE, 26, WV_START(41, 1, 2, 5), WV_Z21),
	WV_DROP("start request while awaiting a reply", WV_PULL,
		INGRESS_R_WR_STAGE, 26, WV_START(41, 0, 2, 5), WV_Z21),
	WV_DROP("start major 1", WV_PRE, INGRESS_R_WR_BAD_VERSION, 26,
		WV_START(41, 0, 1, 5), WV_Z21),
	WV_DROP("start major 3", WV_PRE, INGRESS_R_WR_BAD_VERSION, 26,
		WV_START(41, 0, 3, 5), WV_Z21),
	WV_DROP("start with Samba's labels taken literally (05 00 02 00)",
		WV_PRE, INGRESS_R_WR_BAD_VERSION, 26,
		WV_START(41, 0, 5, 2), WV_Z21),
	WV_DROP("start major 0xFFFF", WV_PRE, INGRESS_R_WR_BAD_VERSION, 26,
		WV_START(41, 0, 0xFFFF, 5), WV_Z21),
	WV_DROP("start response major 0", WV_PULL, INGRESS_R_WR_BAD_VERSION,
		26, WV_START(41, 1, 0, 5), WV_Z21),
	WV_OK("start minor 0", WV_PRE, 26, WV_START(41, 0, 2, 0), WV_Z21),
	WV_OK("start minor 6", WV_PRE, 26, WV_START(41, 0, 2, 6), WV_Z21),
	WV_OK("start minor 0xFFFF", WV_PRE, 26,
	      WV_START(41, 0, 2, 0xFFFF), WV_Z21),
	WV_OKN("start length 20", WV_PRE, 26, WV_START(20, 0, 2, 5)),
	WV_OKN("start length 64", WV_PRE, 26,
	       WV_START(64, 0, 2, 5), WV_Z21, WV_Z16, WV_Z4, 0, 0, 0),
	WV_OKN("start length 40", WV_PRE, 26,
	       WV_START(40, 0, 2, 5), WV_Z16, WV_Z4),
	WV_FRAME("start length 65", WV_PRE, INGRESS_R_OVERSIZE, 26,
		 WV_START(65, 0, 2, 5), WV_Z21, WV_Z16, WV_Z4, 0, 0, 0, 0),
	WV_DROP("start length 65 on an association", WV_ASSOC,
		INGRESS_R_WR_BAD_LENGTH, 26,
		WV_START(65, 0, 2, 5), WV_Z21, WV_Z16, WV_Z4, 0, 0, 0, 0),
	WV_DROP("start length 16 on an association", WV_ASSOC,
		INGRESS_R_WR_BAD_LENGTH, 26,
		WV_BE32(16), WV_BE32(0x7800), WV_BE32(0), WV_BE32(0),
		WV_BE32(WV_PEER_HANDLE)),
	WV_DROP("stop length 12 (no reason)", WV_ASSOC,
		INGRESS_R_WR_BAD_LENGTH, 26, WV_HDR(12, 2)),
	WV_DROP("stop length 65", WV_ASSOC, INGRESS_R_WR_BAD_LENGTH, 26,
		WV_HDR(65, 2), WV_BE32(0), WV_Z24, WV_Z24, 0),

	/* ================= class 27: association handles ================ */
	/*
	 * The decoder cannot judge a handle: ingress accepts the message
	 * and exposes pkt->assoc_handle; the association layer compares it
	 * with the handle it gave out and stops the association.
	 */
	WV_OK("map request with handle 0 (handle checked later)", WV_ASSOC,
	      27, WV_HDRX(16, 0x7800, 0, 3), WV_BE32(0)),
	WV_OK("map request with handle 0xFFFFFFFF (handle checked later)",
	      WV_ASSOC, 27, WV_HDRX(16, 0x7800, 0xFFFFFFFFu, 3), WV_BE32(0)),

	/* ================= class 28: types and opcodes ================== */
	WV_DROP("message type 4", WV_ASSOC, INGRESS_R_WR_BAD_TYPE, 28,
		WV_HDR(16, 4), WV_Z4),
	WV_DROP("message type 0xFFFFFFFF before association", WV_PRE,
		INGRESS_R_WR_BAD_TYPE, 28,
		WV_HDR(41, 0xFFFFFFFFu), WV_Z16, WV_Z8, WV_Z4, 0),
	WV_DROP("message type 0x100 awaiting a reply", WV_PULL,
		INGRESS_R_WR_BAD_TYPE, 28, WV_HDR(16, 0x100), WV_Z4),
	WV_DROP("replication opcode 6", WV_ASSOC, INGRESS_R_WR_BAD_OPCODE, 28,
		WV_REPL(16, 6)),
	WV_DROP("replication opcode 7", WV_ASSOC, INGRESS_R_WR_BAD_OPCODE, 28,
		WV_REPL(16, 7)),
	WV_DROP("replication opcode 0x0A", WV_ASSOC, INGRESS_R_WR_BAD_OPCODE,
		28, WV_REPL(16, 0x0A)),
	WV_DROP("replication opcode 0xFF", WV_PULL, INGRESS_R_WR_BAD_OPCODE,
		28, WV_REPL(16, 0xFF)),
	WV_DROP("replication without opcode word", WV_ASSOC,
		INGRESS_R_WR_BAD_LENGTH, 28, WV_HDR(12, 3)),
	WV_OKN("map request with RplOpCode reserved bytes 0x00010200",
	       WV_ASSOC, 28, WV_REPL(16, 0x00010200u)),
	WV_OKN("map request with opcode word 0 (no 0x7800 bits)", WV_ASSOC,
	       28, WV_HDRX(16, 0, WV_HANDLE, 3), WV_BE32(0)),
	WV_OKN("map request with opcode word 0xFFFFFFFF", WV_ASSOC, 28,
	       WV_HDRX(16, 0xFFFFFFFFu, WV_HANDLE, 3), WV_BE32(0)),
	WV_DROP("map response on an association (not asked)", WV_ASSOC,
		INGRESS_R_WR_STAGE, 28,
		WV_REPL(24, 1), WV_BE32(0), WV_BE32(0)),
	WV_DROP("name records response on an association (not asked)",
		WV_ASSOC, INGRESS_R_WR_STAGE, 28, WV_REPL(20, 3), WV_BE32(0)),
	WV_DROP("map request while awaiting a reply", WV_PULL,
		INGRESS_R_WR_STAGE, 28, WV_REPL(16, 0)),
	WV_DROP("inform while awaiting a reply", WV_PULL, INGRESS_R_WR_STAGE,
		28, WV_REPL(48, 8), WV_BE32(1), WV_OWNER(WV_O1, 100, 1),
		WV_BE32(WV_O1)),
	WV_DROP("map request with 4 trailing bytes", WV_ASSOC,
		INGRESS_R_WR_BAD_LENGTH, 28, WV_REPL(20, 0), WV_Z4),
	WV_DROP("name records request 36 bytes", WV_ASSOC,
		INGRESS_R_WR_BAD_LENGTH, 28,
		WV_REPL(36, 2), WV_BE32(WV_O1), WV_Z16),
	WV_DROP("name records request 44 bytes", WV_ASSOC,
		INGRESS_R_WR_BAD_LENGTH, 28,
		WV_REPL(44, 2), WV_OWNER(WV_O1, 100, 1), WV_Z4),

	/* ================= class 29: counts ============================= */
	WV_DROP("map response count 1, no owner present", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(24, 1), WV_BE32(1), WV_BE32(0)),
	WV_DROP("map response count 0x0AAAAAAB (24n wraps 32 bits)", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(48, 1), WV_BE32(0x0AAAAAABu),
		WV_OWNER(WV_O1, 100, 1), WV_BE32(0)),
	WV_DROP("map response count 0xFFFFFFFF", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(48, 1), WV_BE32(0xFFFFFFFFu),
		WV_OWNER(WV_O1, 100, 1), WV_BE32(0)),
	WV_DROP("map response count 1 with 2 owners present", WV_PULL,
		INGRESS_R_WR_BAD_LENGTH, 29,
		WV_REPL(72, 1), WV_BE32(1), WV_OWNER(WV_O1, 100, 1),
		WV_OWNER(WV_O2, 7, 1), WV_BE32(0)),
	WV_DROP("map response without the final word", WV_PULL,
		INGRESS_R_WR_BAD_LENGTH, 29,
		WV_REPL(20, 1), WV_BE32(0)),
	WV_DROP("update notification with 0 owners", WV_ASSOC,
		INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(24, 4), WV_BE32(0), WV_BE32(WV_O1)),
	WV_DROP("inform2 with 0 owners", WV_ASSOC, INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(24, 9), WV_BE32(0), WV_BE32(WV_O1)),
	WV_DROP("update notification count 0xFFFFFFFF", WV_ASSOC,
		INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(48, 5), WV_BE32(0xFFFFFFFFu),
		WV_OWNER(WV_O1, 100, 1), WV_BE32(WV_O1)),
	WV_DROP("inform count 0x0AAAAAAB (24n wraps 32 bits)", WV_ASSOC,
		INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(48, 8), WV_BE32(0x0AAAAAABu),
		WV_OWNER(WV_O1, 100, 1), WV_BE32(WV_O1)),
	WV_DROP("name records response count 0x05555556 (48n wraps)",
		WV_PULL, INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(68, 3), WV_BE32(0x05555556u),
		WV_REC17(WV_F_UNIQUE_H, 0, 1, WV_A1)),
	WV_DROP("name records response count 0xFFFFFFFF", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(68, 3), WV_BE32(0xFFFFFFFFu),
		WV_REC17(WV_F_UNIQUE_H, 0, 1, WV_A1)),
	WV_DROP("name records response count 2, one record present", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 29,
		WV_REPL(68, 3), WV_BE32(2),
		WV_REC17(WV_F_UNIQUE_H, 0, 1, WV_A1)),
	WV_DROP("name records response count 0 with a record present",
		WV_PULL, INGRESS_R_WR_BAD_LENGTH, 29,
		WV_REPL(68, 3), WV_BE32(0),
		WV_REC17(WV_F_UNIQUE_H, 0, 1, WV_A1)),
	WV_DROP("name records response without count", WV_PULL,
		INGRESS_R_WR_BAD_LENGTH, 29, WV_REPL(16, 3)),

	/* ================= class 30: name record fields ================= */
	WV_DROP("Name Length 0", WV_PULL, INGRESS_R_WR_BAD_NAME, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_BE32(0), WV_Z16, WV_Z16, WV_Z8, WV_FF4),
	WV_DROP("Name Length 1", WV_PULL, INGRESS_R_WR_BAD_NAME, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_BE32(1), 'H', 0, 0, 0, WV_Z16, WV_Z16, WV_Z4, WV_FF4),
	WV_DROP("Name Length 16 (no NUL)", WV_PULL, INGRESS_R_WR_BAD_NAME, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_BE32(16), WV_HOST1, 0, 0, 0, 0, WV_Z16, WV_Z4, WV_FF4),
	WV_DROP("Name Length 256", WV_PULL, INGRESS_R_WR_BAD_NAME, 30,
		WV_REPL(308, 3), WV_BE32(1),
		WV_BE32(256), WV_HOST1, WV_A63, '.', WV_A63, '.', WV_A63, '.',
		WV_A8, WV_A8, WV_A8, WV_A8, WV_A8, 'a', 'a', 'a', 'a', 'a', 'a',
		'a', 0x00, 0, 0, 0, 0,
		WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
		WV_BE32(WV_A1), WV_FF4),
	WV_DROP("Name Length 0xFFFFFFFF", WV_PULL, INGRESS_R_WR_BAD_NAME, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_BE32(0xFFFFFFFFu), WV_HOST1, 0x00, 0, 0, 0,
		WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
		WV_BE32(WV_A1), WV_FF4),
	WV_DROP("Name Length 255 with 40 bytes present", WV_PULL,
		INGRESS_R_WR_BAD_LENGTH, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_BE32(255), WV_HOST1, 0x00, 0, 0, 0,
		WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
		WV_BE32(WV_A1), WV_FF4),
	WV_DROP("name without terminating NUL", WV_PULL,
		INGRESS_R_WR_BAD_NAME, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_BE32(17), WV_HOST1, 'X', 0, 0, 0,
		WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
		WV_BE32(WV_A1), WV_FF4),
	WV_DROP("NUL inside the scope", WV_PULL, INGRESS_R_WR_BAD_NAME, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_BE32(19), WV_HOST1, 'a', 0x00, 0x00, 0,
		WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
		WV_BE32(WV_A1), WV_FF4),
	WV_DROP("scope with an empty label (\"a..\")", WV_PULL,
		INGRESS_R_WR_BAD_NAME, 30,
		WV_REPL(72, 3), WV_BE32(1),
		WV_BE32(20), WV_HOST1, 'a', '.', '.', 0x00, 0, 0, 0, 0,
		WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
		WV_BE32(WV_A1), WV_FF4),
	/*
	 * Without the pad the decoder skips the flags as padding and reads
	 * every later field one word early: Reserved3 lands in the address.
	 */
	WV_DROP("Name Length 20 without its 4 pad bytes", WV_PULL,
		INGRESS_R_WR_BAD_ADDRESS, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_BE32(20), WV_HOST1, 'a', '.', 'b', 0x00,
		WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
		WV_BE32(WV_A1), WV_FF4),
	/* one pad byte too many shifts the version onto zeros */
	WV_DROP("Name Length 19 with 5 pad bytes", WV_PULL,
		INGRESS_R_WR_BAD_RECORD, 30,
		WV_REPL(72, 3), WV_BE32(1),
		WV_BE32(19), WV_HOST1, 'a', 'b', 0x00, 0, 0, 0, 0, 0,
		WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
		WV_BE32(WV_A1), WV_FF4),
	/* released: never replicated by Windows, sent by Samba: noted */
	WV_OKN("state 1 (released)", WV_PULL, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_REC17(WV_F_UNIQUE_H | 0x04, 0, 1, WV_A1)),
	WV_DROP("state 3", WV_PULL, INGRESS_R_WR_BAD_RECORD, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_REC17(WV_F_UNIQUE_H | 0x0C, 0, 1, WV_A1)),
	WV_OKN("state 1 in the second record", WV_PULL, 30,
		WV_REPL(116, 3), WV_BE32(2),
		WV_REC17(WV_F_UNIQUE_H, 0, 1, WV_A1),
		WV_REC17(WV_F_UNIQUE_H | 0x04, 0, 2, WV_A2)),
	WV_DROP("state 3 in the second record", WV_PULL,
		INGRESS_R_WR_BAD_RECORD, 30,
		WV_REPL(116, 3), WV_BE32(2),
		WV_REC17(WV_F_UNIQUE_H, 0, 1, WV_A1),
		WV_REC17(WV_F_UNIQUE_H | 0x0C, 0, 2, WV_A2)),
	WV_DROP("version 0", WV_PULL, INGRESS_R_WR_BAD_RECORD, 30,
		WV_REPL(68, 3), WV_BE32(1),
		WV_REC17(WV_F_UNIQUE_H, 0, 0, WV_A1)),
	WV_OKN("flags reserved bits 0x0100", WV_PULL, 30,
	       WV_REPL(68, 3), WV_BE32(1),
	       WV_REC17(WV_F_UNIQUE_H | 0x0100, 0, 1, WV_A1)),
	WV_OKN("group byte 2 on a normal group", WV_PULL, 30,
	       WV_REPL(68, 3), WV_BE32(1),
	       WV_REC17(WV_F_GROUP, 2, 1, 0xFFFFFFFFu)),
	WV_OKN("group byte 0xFF on a unique name", WV_PULL, 30,
	       WV_REPL(68, 3), WV_BE32(1),
	       WV_REC17(WV_F_UNIQUE_H, 0xFF, 1, WV_A1)),
	WV_OKN("group word with reserved bytes 0x00000100", WV_PULL, 30,
	       WV_REPL(68, 3), WV_BE32(1),
	       WV_REC17(WV_F_UNIQUE_H, 0x100, 1, WV_A1)),
	WV_OKN("group 0 on a normal group", WV_PULL, 30,
	       WV_REPL(68, 3), WV_BE32(1),
	       WV_REC17(WV_F_GROUP, 0, 1, 0xFFFFFFFFu)),
	WV_OKN("Reserved3 0", WV_PULL, 30,
	       WV_REPL(68, 3), WV_BE32(1),
	       WV_REC17_HEAD(WV_F_UNIQUE_H, 0, 1), WV_BE32(WV_A1), WV_Z4),
	WV_OK("padding content non-zero (ignored)", WV_PULL, 30,
	      WV_REPL(68, 3), WV_BE32(1),
	      WV_BE32(17), WV_HOST1, 0x00, 0xAA, 0xBB, 0xCC,
	      WV_BE32(WV_F_UNIQUE_H), WV_LE32(0), WV_BE32(0), WV_BE32(1),
	      WV_BE32(WV_A1), WV_FF4),

	/* ================= class 31: address records ==================== */
	WV_DROP("special group with 26 addresses", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 31,
		WV_REPL(276, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_SGROUP_H, 1, 3), WV_LE32(26),
		WV_PAIR(1), WV_PAIR(2), WV_PAIR(3), WV_PAIR(4), WV_PAIR(5),
		WV_PAIR(6), WV_PAIR(7), WV_PAIR(8), WV_PAIR(9), WV_PAIR(10),
		WV_PAIR(11), WV_PAIR(12), WV_PAIR(13), WV_PAIR(14), WV_PAIR(15),
		WV_PAIR(16), WV_PAIR(17), WV_PAIR(18), WV_PAIR(19), WV_PAIR(20),
		WV_PAIR(21), WV_PAIR(22), WV_PAIR(23), WV_PAIR(24), WV_PAIR(25),
		WV_PAIR(26), WV_FF4),
	WV_DROP("multihomed with 255 addresses, 1 present", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 31,
		WV_REPL(76, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_MHOMED_H, 0, 3), WV_LE32(255),
		WV_PAIR(1), WV_FF4),
	WV_DROP("address count as u32 with high bytes (0x00000101)", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 31,
		WV_REPL(76, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_MHOMED_H, 0, 3), WV_LE32(0x101),
		WV_PAIR(1), WV_FF4),
	WV_DROP("address count 0x01000001 (Samba reads 16M)", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 31,
		WV_REPL(76, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_MHOMED_H, 0, 3), WV_LE32(0x01000001u),
		WV_PAIR(1), WV_FF4),
	WV_DROP("address count 2, one pair present", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 31,
		WV_REPL(72, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_MHOMED_H, 0, 3), WV_LE32(2), WV_PAIR(1)),
	WV_DROP("member owner 0.0.0.0", WV_PULL, INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(76, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_SGROUP_H, 1, 3), WV_LE32(1),
		WV_BE32(0), WV_BE32(WV_A1), WV_FF4),
	WV_DROP("member 255.255.255.255", WV_PULL, INGRESS_R_WR_BAD_ADDRESS,
		31, WV_REPL(76, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_SGROUP_H, 1, 3), WV_LE32(1),
		WV_BE32(WV_O1), WV_FF4, WV_FF4),
	WV_DROP("member multicast 224.0.0.1", WV_PULL,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(76, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_MHOMED_H, 0, 3), WV_LE32(1),
		WV_BE32(WV_O1), WV_BE32(0xE0000001u), WV_FF4),
	WV_DROP("member owner loopback 127.0.0.1", WV_PULL,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(76, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_MHOMED_H, 0, 3), WV_LE32(1),
		WV_BE32(0x7F000001u), WV_BE32(WV_A1), WV_FF4),
	WV_DROP("duplicate members", WV_PULL, INGRESS_R_WR_BAD_RECORD, 31,
		WV_REPL(84, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_SGROUP_H, 1, 3), WV_LE32(2),
		WV_BE32(WV_O1), WV_BE32(WV_A1), WV_BE32(WV_O2), WV_BE32(WV_A1),
		WV_FF4),
	WV_DROP("unique name address 0.0.0.0", WV_PULL,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(68, 3), WV_BE32(1),
		WV_REC17(WV_F_UNIQUE_H, 0, 1, 0)),
	WV_DROP("unique name address 255.255.255.255", WV_PULL,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(68, 3), WV_BE32(1),
		WV_REC17(WV_F_UNIQUE_H, 0, 1, 0xFFFFFFFFu)),
	WV_DROP("multihomed record in the unique layout", WV_PULL,
		INGRESS_R_WR_BAD_COUNT, 31,
		WV_REPL(68, 3), WV_BE32(1),
		WV_REC17(WV_F_MHOMED_H, 0, 1, WV_A1)),
	WV_DROP("unique record in the multihomed layout", WV_PULL,
		INGRESS_R_WR_BAD_LENGTH, 31,
		WV_REPL(76, 3), WV_BE32(1),
		WV_REC17_HEAD(WV_F_UNIQUE_H, 0, 3), WV_LE32(1), WV_PAIR(1),
		WV_FF4),
	WV_DROP("map response owner 0.0.0.0", WV_PULL,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(48, 1), WV_BE32(1), WV_OWNER(0, 100, 1), WV_BE32(0)),
	WV_DROP("map response owner 255.255.255.255", WV_PULL,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(48, 1), WV_BE32(1), WV_OWNER(0xFFFFFFFFu, 100, 1),
		WV_BE32(0)),
	WV_DROP("map response second owner loopback", WV_PULL,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(72, 1), WV_BE32(2), WV_OWNER(WV_O1, 100, 1),
		WV_OWNER(0x7F000001u, 5, 1), WV_BE32(0)),
	WV_DROP("inform owner multicast", WV_ASSOC, INGRESS_R_WR_BAD_ADDRESS,
		31, WV_REPL(48, 8), WV_BE32(1), WV_OWNER(0xE0000018u, 100, 1),
		WV_BE32(WV_O1)),
	WV_DROP("update notification initiator 0.0.0.0", WV_ASSOC,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(48, 4), WV_BE32(1), WV_OWNER(WV_O1, 100, 1),
		WV_BE32(0)),
	WV_DROP("name records request for owner 0.0.0.0", WV_ASSOC,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(40, 2), WV_OWNER(0, 100, 1)),
	WV_DROP("name records request for owner 127.0.0.1", WV_ASSOC,
		INGRESS_R_WR_BAD_ADDRESS, 31,
		WV_REPL(40, 2), WV_OWNER(0x7F000001u, 100, 1)),
	WV_OKN("owner record type 0 (noted)", WV_PULL, 31,
	       WV_REPL(48, 1), WV_BE32(1), WV_BE32(WV_O1), WV_Z16, WV_Z4,
	       WV_BE32(0)),
};

static const size_t wrepl_vectors_count =
	sizeof(wrepl_vectors) / sizeof(wrepl_vectors[0]);

#endif /* TDBWINS_VECTORS_WREPL_H */
