/*
 * tdbwins — common ingress: reason names, limits, counters and the framing
 * checks every socket reader calls before it grows a buffer (DESIGN.md
 * "The rule this project exists for", SECURITY.md F.1 and F.9).
 */
#include <string.h>

#include "ingress.h"
#include "../wire/wcur.h"

/*
 * The smallest message any of our formats can carry: the 12-byte NBNS
 * header, and a WINS replication PDU body of Assoc Handle + Message Type +
 * the smallest body ([MS-WINSRA] 2.2.2).  Below it a frame is UNDERSIZE in
 * every stage.
 */
#define INGRESS_MIN_MESSAGE 12

/*
 * Before an association exists only a Start Association Request may
 * arrive ([MS-WINSRA] 2.2.3): 41 bytes on the wire, but we let partners
 * pad within 20..wr_preassoc_max.
 */
#define INGRESS_WR_PREASSOC_MIN 20

/* Stable names: they are used as counter labels in statistics output. */
static const char *const ingress_reason_text[INGRESS_REASON_COUNT] = {
	[INGRESS_OK] = "ok",
	[INGRESS_R_UNDERSIZE] = "undersize",
	[INGRESS_R_OVERSIZE] = "oversize",
	[INGRESS_R_FRAME_LENGTH] = "frame_length",
	[INGRESS_R_UNSOLICITED_RESPONSE] = "unsolicited_response",
	[INGRESS_R_BROADCAST] = "broadcast",
	[INGRESS_R_BAD_OPCODE] = "bad_opcode",
	[INGRESS_R_WACK_REQUEST] = "wack_request",
	[INGRESS_R_BAD_COUNTS] = "bad_counts",
	[INGRESS_R_TRUNCATED] = "truncated",
	[INGRESS_R_BAD_NAME] = "bad_name",
	[INGRESS_R_BAD_LABEL] = "bad_label",
	[INGRESS_R_BAD_POINTER] = "bad_pointer",
	[INGRESS_R_NAME_TOO_LONG] = "name_too_long",
	[INGRESS_R_BAD_QTYPE] = "bad_qtype",
	[INGRESS_R_BAD_RR_TYPE] = "bad_rr_type",
	[INGRESS_R_BAD_RR_CLASS] = "bad_rr_class",
	[INGRESS_R_BAD_RDLENGTH] = "bad_rdlength",
	[INGRESS_R_RR_NAME_MISMATCH] = "rr_name_mismatch",
	[INGRESS_R_BAD_RESPONSE] = "bad_response",
	[INGRESS_R_WR_BAD_TYPE] = "wr_bad_type",
	[INGRESS_R_WR_BAD_OPCODE] = "wr_bad_opcode",
	[INGRESS_R_WR_BAD_LENGTH] = "wr_bad_length",
	[INGRESS_R_WR_BAD_VERSION] = "wr_bad_version",
	[INGRESS_R_WR_BAD_COUNT] = "wr_bad_count",
	[INGRESS_R_WR_BAD_NAME] = "wr_bad_name",
	[INGRESS_R_WR_BAD_RECORD] = "wr_bad_record",
	[INGRESS_R_WR_BAD_ADDRESS] = "wr_bad_address",
	[INGRESS_R_WR_STAGE] = "wr_stage",
	[INGRESS_R_OTHER] = "other",
	[INGRESS_R_RATE_LIMITED] = "rate_limited",
	[INGRESS_NOTE_TRAILING] = "note_trailing",
	[INGRESS_NOTE_RESERVED_FLAGS] = "note_reserved_flags",
	[INGRESS_NOTE_NB_RESERVED] = "note_nb_reserved",
	[INGRESS_NOTE_WR_RESERVED] = "note_wr_reserved",
};

const char *ingress_reason_str(enum ingress_reason r)
{
	if ((unsigned)r >= INGRESS_REASON_COUNT ||
	    ingress_reason_text[r] == NULL) {
		return "unknown";
	}
	return ingress_reason_text[r];
}

void ingress_limits_default(struct ingress_limits *l)
{
	*l = (struct ingress_limits) {
		/* RFC 1002 6: MAX_DATAGRAM_LENGTH */
		.udp_max = NBP_UDP_MAX,
		/* same per-message limit on TCP (PROTOCOL.md 1.6) */
		.tcp137_max = NBP_UDP_MAX,
		/* SECURITY.md F.9: only a Start Request fits */
		.wr_preassoc_max = 64,
		.wr_max_owners = 1024,
		/* header + owner records of 24 bytes ([MS-WINSRA] 2.2.5) */
		/* an update notification: 24 + 24 n ([MS-WINSRA] 2.2.6) */
		.wr_request_max = 24 + 24 * 1024,
		.wr_response_max = 32u * 1024 * 1024,
		.wr_max_records = 1000000,
	};
}

void ingress_init(struct ingress *ig)
{
	*ig = (struct ingress) {};
	ingress_limits_default(&ig->limits);
}

/*
 * INGRESS_OK counts an accepted message; anything outside the enum is a
 * programmer error and is counted as OTHER so that it still shows up.
 */
enum ingress_reason ingress_count(struct ingress *ig, enum ingress_reason r)
{
	if ((unsigned)r >= INGRESS_REASON_COUNT) {
		r = INGRESS_R_OTHER;
	}
	if (r == INGRESS_OK) {
		ig->stats.accepted++;
		return r;
	}
	ig->stats.by_reason[r]++;
	return r;
}

/*
 * UDP 137.  wire_len is what recvmsg(MSG_TRUNC) reports, so a datagram
 * larger than the receive buffer is seen at its real size and refused here.
 * An empty datagram is refused like any short one (Samba CVE-2020-14303);
 * the caller has already consumed it.
 */
enum ingress_reason ingress_udp_frame(struct ingress *ig, size_t wire_len)
{
	if (wire_len < NBP_HEADER_LEN) {
		return ingress_count(ig, INGRESS_R_UNDERSIZE);
	}
	if (wire_len > ig->limits.udp_max) {
		return ingress_count(ig, INGRESS_R_OVERSIZE);
	}
	return INGRESS_OK;
}

/*
 * TCP 137: RFC 1002 4.2.1 puts a 16-bit length before each message.  The
 * same per-message limits as UDP apply, before the body is read.
 */
enum ingress_reason ingress_tcp137_frame(struct ingress *ig, uint16_t prefix)
{
	if (prefix < NBP_HEADER_LEN) {
		return ingress_count(ig, INGRESS_R_UNDERSIZE);
	}
	if (prefix > ig->limits.tcp137_max) {
		return ingress_count(ig, INGRESS_R_OVERSIZE);
	}
	return INGRESS_OK;
}

/*
 * TCP 42 ([MS-WINSRA] 2.2.1: 4-byte Packet Length, excluding itself).
 * Reasons, in every stage:
 *   below 12 bytes               UNDERSIZE (no WINSRA message is that small)
 *   above the stage's maximum    OVERSIZE
 *   12..stage minimum - 1        FRAME_LENGTH (a length that is possible in
 *                                general but not in this stage)
 * Samba's tstream_full_request_u32 has no maximum; here every stage has one
 * (SECURITY.md SA-10, F.9).
 */
enum ingress_reason ingress_tcp42_frame(struct ingress *ig, uint32_t prefix,
					enum ingress_wr_stage stage)
{
	uint32_t min = INGRESS_MIN_MESSAGE;
	uint32_t max = 0;

	switch (stage) {
	case INGRESS_WR_PREASSOC:
		min = INGRESS_WR_PREASSOC_MIN;
		max = ig->limits.wr_preassoc_max;
		break;
	case INGRESS_WR_ASSOC:
		max = ig->limits.wr_request_max;
		break;
	case INGRESS_WR_PULL_REPLY:
		max = ig->limits.wr_response_max;
		break;
	default:
		return ingress_count(ig, INGRESS_R_FRAME_LENGTH);
	}

	if (prefix < INGRESS_MIN_MESSAGE) {
		return ingress_count(ig, INGRESS_R_UNDERSIZE);
	}
	if (prefix > max) {
		return ingress_count(ig, INGRESS_R_OVERSIZE);
	}
	if (prefix < min) {
		return ingress_count(ig, INGRESS_R_FRAME_LENGTH);
	}
	return INGRESS_OK;
}

enum ingress_reason ingress_tcp137_prefix(struct ingress *ig,
					  const uint8_t *hdr, size_t hlen,
					  uint16_t *len)
{
	struct wcur c = {};
	uint16_t v;

	wcur_init(&c, hdr, hlen);
	v = wcur_be16(&c);
	*len = 0;
	if (!wcur_ok(&c) || hlen != 2) {
		return ingress_count(ig, INGRESS_R_FRAME_LENGTH);
	}
	*len = v;
	return ingress_tcp137_frame(ig, v);
}

enum ingress_reason ingress_tcp42_prefix(struct ingress *ig,
					 const uint8_t *hdr, size_t hlen,
					 enum ingress_wr_stage stage,
					 uint32_t *len)
{
	struct wcur c = {};
	uint32_t v;

	wcur_init(&c, hdr, hlen);
	v = wcur_be32(&c);
	*len = 0;
	if (!wcur_ok(&c) || hlen != 4) {
		return ingress_count(ig, INGRESS_R_FRAME_LENGTH);
	}
	*len = v;
	return ingress_tcp42_frame(ig, v, stage);
}
