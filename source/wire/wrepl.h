/*
 * tdbwins — WINS replication (MS-WINSRA, TCP 42) message codec.
 *
 * A PDU on the wire is a 4-byte big-endian Packet Length followed by that
 * many bytes: a 12-byte common header (opcode word, destination association
 * handle, message type) and a body ([MS-WINSRA] 2.2, PROTOCOL.md 3.1-3.4).
 *
 * wrw_decode() takes the bytes *after* the Packet Length (the socket layer
 * has consumed it and ingress_tcp42_frame() has bounded it) and returns a
 * typed, talloc-allocated struct wrw_packet, or nothing.  It checks every
 * count against the bytes present before allocating, carves a sub-cursor for
 * each name and each address list, and rejects the whole message on the
 * first malformed field (Windows 2000+ semantics for Name Records
 * Responses, applied to every message).  Anomalies the protocol tells us to
 * ignore are tolerated and reported in pkt->notes so ingress can count them.
 *
 * What the decoder does NOT judge (it has no association state): the
 * destination association handle, whether a message is allowed in the
 * association's stage (ingress_wrepl() does that), and the replication
 * semantics (owner equals the requested owner, versions inside the requested
 * range, partner roles) which belong to the replication engine.
 *
 * wrw_encode() writes the 4-byte Packet Length and the PDU.  Every byte it
 * writes is deterministic: the opcode word is always 0x00007800, padding is
 * zero, Reserved3 is 0xFFFFFFFF and the owner-record "type" is 1
 * ([MS-WINSRA] 2.2; SECURITY.md MS-13).
 *
 * Addresses are IPv4 in host byte order, as in source/store/wrec.h.
 */
#ifndef TDBWINS_WREPL_H
#define TDBWINS_WREPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#include "nbname.h"
#include "twerr.h"
#include "wwr.h"
#include "../store/wrec.h"

/* framing and fixed sizes ([MS-WINSRA] 2.2.1-2.2.10) */
#define WRW_LENGTH_FIELD 4	/* the Packet Length prefix itself */
#define WRW_HEADER_LEN 12	/* opcode word, handle, message type */
#define WRW_OPCODE_BITS 0x00007800u	/* what Windows always sends */

#define WRW_START_LEN 41	/* Start Request/Response, sent */
#define WRW_START_MIN 20	/* ... accepted: the fields must be there */
#define WRW_START_MAX 64	/* ... accepted: no more than a little pad */
#define WRW_STOP_LEN 40		/* Stop Request, sent (Windows) */
#define WRW_STOP_MIN 16		/* ... accepted (Samba sends 16) */
#define WRW_STOP_MAX 64

#define WRW_MAP_REQ_LEN 16	/* Owner-Version Map Request */
#define WRW_NAMES_REQ_LEN 40	/* Name Records Request */
#define WRW_TABLE_BASE_LEN 24	/* map response / notification, 0 owners */
#define WRW_NAMES_REPLY_BASE_LEN 20	/* Name Records Response, 0 records */

#define WRW_OWNER_LEN 24	/* one Owner Record */
#define WRW_RECORD_MIN 48	/* smallest Name Record (PROTOCOL.md 3.3) */
#define WRW_PAIR_LEN 8		/* one (owner, member) address pair */

#define WRW_NAME_MIN 17		/* 16 raw bytes + terminating NUL */
#define WRW_NAME_MAX 255	/* W2K+ rejects the whole message above */
#define WRW_SCOPE_MAX (WRW_NAME_MAX - WRW_NAME_MIN)	/* 238 */
#define WRW_SCOPE_KEEP 237	/* decoded scopes are cut to this */
#define WRW_MAX_ADDRS WREC_MAX_ADDRS	/* 25: policy, spec allows 255 */

#define WRW_MAJOR 2		/* the only major version there is */
#define WRW_MINOR_NT4 1		/* no persistent associations */
#define WRW_MINOR_W2K 5		/* persistent associations */

#define WRW_OWNER_TYPE 1	/* Owner Record "type"/reserved, sent */
#define WRW_RESERVED3 0xFFFFFFFFu	/* Name Record Reserved3, sent */

#define WRW_STOP_NORMAL 0
#define WRW_STOP_ERROR 4

/* Message Type, header word 2 */
enum wrw_mess_type {
	WRW_START_REQUEST = 0,
	WRW_START_RESPONSE = 1,
	WRW_STOP_REQUEST = 2,
	WRW_REPLICATION = 3,
};

/* RplOpCode, low byte of the first body word of a replication message */
enum wrw_opcode {
	WRW_OP_MAP_REQUEST = 0x00,	/* Owner-Version Map Request */
	WRW_OP_MAP_RESPONSE = 0x01,	/* Owner-Version Map Response */
	WRW_OP_NAMES_REQUEST = 0x02,	/* Name Records Request */
	WRW_OP_NAMES_RESPONSE = 0x03,	/* Name Records Response */
	WRW_OP_UPDATE = 0x04,		/* notify, no persistent, no prop. */
	WRW_OP_UPDATE2 = 0x05,		/* notify, no persistent, propagate */
	WRW_OP_INFORM = 0x08,		/* notify, persistent, no prop. */
	WRW_OP_INFORM2 = 0x09,		/* notify, persistent, propagate */
};

/* Name Record flags byte ([MS-WINSRA] 2.2.10.1, PROTOCOL.md 3.3) */
#define WRW_FLAG_TYPE_MASK 0x03		/* ET */
#define WRW_FLAG_STATE_MASK 0x0c	/* ST */
#define WRW_FLAG_STATE_SHIFT 2
#define WRW_FLAG_REPLICA 0x10		/* L: 1 = not the sender's own */
#define WRW_FLAG_NODE_MASK 0x60		/* NT */
#define WRW_FLAG_NODE_SHIFT 5
#define WRW_FLAG_STATIC 0x80		/* S */

/*
 * Tolerated anomalies found while decoding (pkt->notes).  The message is
 * still accepted; ingress counts INGRESS_NOTE_WR_RESERVED once per message
 * that has any of them.
 */
#define WRW_NOTE_START_LEN 0x0001	/* Start body length != 41 */
#define WRW_NOTE_STOP_LEN 0x0002	/* Stop body length != 40 */
#define WRW_NOTE_OPCODE_BITS 0x0004	/* opcode word != 0x00007800 */
#define WRW_NOTE_RPL_RESERVED 0x0008	/* RplOpCode reserved bytes != 0 */
#define WRW_NOTE_OWNER_TYPE 0x0010	/* Owner Record type != 1 */
#define WRW_NOTE_FLAGS_RESERVED 0x0020	/* Name Record flags bits 8-31 */
#define WRW_NOTE_GROUP 0x0040		/* Group word >= 2 or != ET */
#define WRW_NOTE_RESERVED3 0x0080	/* Reserved3 != 0xFFFFFFFF */
#define WRW_NOTE_RELEASED 0x0100	/* a record in state released */

/*
 * Why a decode failed, precisely enough for ingress to pick its reason
 * (the twerr return value says whose fault it was).
 */
enum wrw_fault {
	WRW_F_NONE = 0,
	WRW_F_LENGTH,	/* length vs the message's shape, truncation, trail */
	WRW_F_TYPE,	/* Message Type > 3 */
	WRW_F_OPCODE,	/* RplOpCode undefined */
	WRW_F_VERSION,	/* Start major version != 2: discard silently */
	WRW_F_COUNT,	/* owners / records / addresses count */
	WRW_F_NAME,	/* Name Length, terminator, NUL, scope */
	WRW_F_RECORD,	/* state 1/3, version 0, duplicate member */
	WRW_F_ADDRESS,	/* owner/member/initiator address class */
};

const char *wrw_fault_str(enum wrw_fault f);

/* Policy caps applied while decoding (0 = only the bytes present bound). */
struct wrw_limits {
	uint32_t max_owners;	/* per owner table */
	uint32_t max_records;	/* per Name Records Response */
	bool lab_addresses;	/* accept 127/8 owners/addresses, see below */
};

/* Start Request / Start Response body ([MS-WINSRA] 2.2.3, 2.2.4) */
struct wrw_start {
	uint32_t handle;	/* the *sender's* association handle */
	uint16_t major;		/* offset 16; Samba's IDL calls it minor */
	uint16_t minor;		/* offset 18; 1 NT4, 5 W2K+ */
};

/* Stop Request body ([MS-WINSRA] 2.2.5); the 24 pad bytes are ignored */
struct wrw_stop {
	uint32_t reason;	/* 0 normal, 4 error, others treated as 4 */
};

/*
 * Owner Record ([MS-WINSRA] 2.2.8), also the body of a Name Records
 * Request (owner, max, min, reserved).
 */
struct wrw_owner {
	uint32_t addr;
	uint64_t max_version;
	uint64_t min_version;
	uint32_t type;		/* decode: as received; encode: always 1 */
};

/* Owner-Version Map Response and the four Update Notifications */
struct wrw_table {
	uint32_t num_owners;
	struct wrw_owner *owners;	/* talloc child of the packet */
	/*
	 * Notifications: the server that originated the update (checked to
	 * be a unicast address).  Map Response: Reserved2, ignored on receive
	 * (Samba puts its own address there), sent as 0.
	 */
	uint32_t initiator;
};

struct wrw_addr_pair {
	uint32_t owner;		/* WINS server that registered the member */
	uint32_t ip;		/* member address */
};

/* one Name Record ([MS-WINSRA] 2.2.10.1) */
struct wrw_record {
	/* raw 16 bytes + scope, the 0x1B swap already undone */
	struct nbn_name name;
	enum wrec_type type;	/* ET */
	enum wrec_state state;	/* ST: only ACTIVE or TOMBSTONE */
	enum wrec_node node;	/* NT */
	bool replica;		/* L bit: not the sender's own record */
	bool is_static;		/* S bit */
	bool is_group;		/* decode: Group word != 0; encode: from ET */
	uint64_t version;	/* >= 1 */
	uint32_t ip;		/* ET 0 (unique) and 1 (normal group) */
	uint8_t num_addrs;	/* ET 2 and 3: 0..WRW_MAX_ADDRS */
	struct wrw_addr_pair *addrs;	/* NULL when num_addrs == 0 */
};

/* Name Records Response */
struct wrw_names {
	uint32_t num_records;
	struct wrw_record *records;	/* talloc child of the packet */
};

/*
 * One message.  No union: every member is always a valid (possibly zero)
 * value, so a handler that looks at the wrong member reads zeros, never
 * another member's bytes reinterpreted.  Which members carry data:
 *
 *   mess_type START_REQUEST/START_RESPONSE: start
 *   mess_type STOP_REQUEST:                 stop
 *   mess_type REPLICATION, opcode
 *     MAP_REQUEST:                          (nothing)
 *     MAP_RESPONSE, UPDATE*, INFORM*:       table
 *     NAMES_REQUEST:                        names_req
 *     NAMES_RESPONSE:                       names
 */
struct wrw_packet {
	uint32_t opcode_word;	/* header word 0; encode writes 0x7800 */
	uint32_t assoc_handle;	/* Destination Association Handle */
	enum wrw_mess_type mess_type;
	enum wrw_opcode opcode;	/* REPLICATION only */
	struct wrw_start start;
	struct wrw_stop stop;
	struct wrw_owner names_req;
	struct wrw_table table;
	struct wrw_names names;
	uint32_t notes;		/* decode: WRW_NOTE_* */
	uint32_t body_len;	/* decode: bytes after the Packet Length */
	bool lab_addresses;	/* encode: as wrw_limits.lab_addresses */
};

/* true for a message that carries an owner table */
bool wrw_opcode_has_table(enum wrw_opcode op);

/* true if op is one of the eight defined RplOpCodes */
bool wrw_opcode_valid(uint32_t op);

/*
 * Address classes refused where a WINS server or a host must be named:
 * 0.0.0.0 (Samba maps owner 0.0.0.0 to "local"), 255.255.255.255,
 * 127.0.0.0/8 and 224.0.0.0/4 (SECURITY.md SA-11, F.10).
 */
bool wrw_addr_is_unicast(uint32_t ip);

/*
 * wrw_addr_is_unicast(), or with lab set also 127.0.0.0/8: the lab switch
 * `tdbwins:wrepl lab addresses` (test partners such as smbtorture's use
 * loopback owners, loopback record addresses and an initiator of 0.0.0.0,
 * which is then accepted too).  Never set on a production server.
 */
bool wrw_addr_ok(uint32_t ip, bool lab);

/*
 * Decode one PDU.  buf/len: the bytes after the 4-byte Packet Length
 * (len is the Packet Length).  On success *out is a talloc child of
 * mem_ctx; on failure *out is NULL, nothing is left allocated on mem_ctx,
 * and the return value is the peer fault (or TWERR_NOMEM).
 * wrw_decode() applies no policy caps; ingress uses wrw_decode_ex() with
 * its limits and the detailed fault.  fault and lim may be NULL.
 */
enum twerr wrw_decode(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
		      struct wrw_packet **out);
enum twerr wrw_decode_ex(TALLOC_CTX *mem_ctx, const uint8_t *buf,
			 size_t len, const struct wrw_limits *lim,
			 struct wrw_packet **out, enum wrw_fault *fault);

/*
 * Classify a PDU from its first 16 bytes without decoding the body: the
 * message type and, for replication messages, the RplOpCode.  Ingress uses
 * it to refuse a message that is not allowed in the association's stage
 * before spending anything on its body.  Returns TWERR_OK or the fault
 * (WRW_F_LENGTH, WRW_F_TYPE, WRW_F_OPCODE) in *fault.
 */
enum twerr wrw_peek(const uint8_t *buf, size_t len,
		    enum wrw_mess_type *type, enum wrw_opcode *op,
		    enum wrw_fault *fault);

/*
 * Bytes wrw_encode() would write for p, including the 4-byte Packet
 * Length, or 0 if p cannot be encoded (see wrw_encode).
 */
size_t wrw_encoded_len(const struct wrw_packet *p);

/*
 * Encode p: the 4-byte Packet Length, then the PDU.  Refuses (and writes
 * nothing past the writer's capacity) what must never be sent: an unknown
 * message type or opcode, a record in state RELEASED or 3, a version of 0,
 * more than WRW_MAX_ADDRS addresses, a scope longer than WRW_SCOPE_MAX or
 * containing NUL, counts with a NULL array.  Returns TWERR_OK,
 * TWERR_NOSPACE (writer full), or TWERR_INTERNAL/TWERR_BAD_VALUE for a
 * packet the caller should not have built.  On failure the writer may hold
 * a partial PDU; discard it.
 */
enum twerr wrw_encode(struct wwr *w, const struct wrw_packet *p);

/*
 * Encode into a new talloc buffer of exactly the right size (child of
 * mem_ctx), for the send queue.
 */
enum twerr wrw_encode_alloc(TALLOC_CTX *mem_ctx, const struct wrw_packet *p,
			    uint8_t **buf, size_t *len);

#endif /* TDBWINS_WREPL_H */
