/*
 * tdbwins — the one validating entry for WINS replication PDUs (TCP 42).
 *
 * Order of the checks, each rejection counted exactly once:
 *   1. fewer than 12 bytes                    -> DROP UNDERSIZE
 *   2. Message Type > 3                        -> DROP WR_BAD_TYPE
 *   3. message type not allowed in this stage  -> DROP WR_STAGE
 *   4. replication: RplOpCode undefined        -> DROP WR_BAD_OPCODE
 *   5. replication: opcode not allowed here    -> DROP WR_STAGE
 *   6. full decode (wrw_decode_ex with the configured owner and record
 *      caps)                                   -> DROP with the fault's reason
 *   7. ACCEPT; tolerated anomalies (reserved fields, Start/Stop padding,
 *      opcode word without 0x7800) count INGRESS_NOTE_WR_RESERVED once.
 *
 * The stage is checked before the body is decoded so that a peer cannot
 * make us parse a 32 MiB "reply" we never asked for.  DROP on TCP 42 means
 * the caller stops the association and closes the connection; WINSRA has
 * no error answer ([MS-WINSRA] 3.1.5: a malformed message ends the
 * association).  The association handle is the association layer's to
 * check: it alone knows the handles it gave out (SECURITY.md MS-4).
 */
#include "ingress.h"
#include "../wire/wrepl.h"

/*
 * What may arrive in each stage (PROTOCOL.md 3.2, 3.5):
 *  PREASSOC   only a Start Request;
 *  ASSOC      the partner's requests: Start Request (Samba and Windows
 *             accept a new start on the same connection), Stop, Map
 *             Request, Name Records Request and the four notifications —
 *             never a reply, which would answer nothing we asked;
 *  PULL_REPLY we sent a request (or a Start Request) and wait: its reply,
 *             or a Stop.
 */
static bool ingress_wr_type_allowed(enum ingress_wr_stage stage,
				    enum wrw_mess_type type)
{
	switch (stage) {
	case INGRESS_WR_PREASSOC:
		return type == WRW_START_REQUEST;
	case INGRESS_WR_ASSOC:
		return type == WRW_START_REQUEST || type == WRW_STOP_REQUEST ||
		       type == WRW_REPLICATION;
	case INGRESS_WR_PULL_REPLY:
		return type == WRW_START_RESPONSE ||
		       type == WRW_STOP_REQUEST || type == WRW_REPLICATION;
	}
	return false;
}

static bool ingress_wr_opcode_allowed(enum ingress_wr_stage stage,
				      enum wrw_opcode op)
{
	bool reply = (op == WRW_OP_MAP_RESPONSE ||
		      op == WRW_OP_NAMES_RESPONSE);

	switch (stage) {
	case INGRESS_WR_PREASSOC:
		return false;
	case INGRESS_WR_ASSOC:
		return !reply;
	case INGRESS_WR_PULL_REPLY:
		return reply;
	}
	return false;
}

static enum ingress_reason ingress_wr_reason(enum wrw_fault f)
{
	switch (f) {
	case WRW_F_LENGTH:
		return INGRESS_R_WR_BAD_LENGTH;
	case WRW_F_TYPE:
		return INGRESS_R_WR_BAD_TYPE;
	case WRW_F_OPCODE:
		return INGRESS_R_WR_BAD_OPCODE;
	case WRW_F_VERSION:
		return INGRESS_R_WR_BAD_VERSION;
	case WRW_F_COUNT:
		return INGRESS_R_WR_BAD_COUNT;
	case WRW_F_NAME:
		return INGRESS_R_WR_BAD_NAME;
	case WRW_F_RECORD:
		return INGRESS_R_WR_BAD_RECORD;
	case WRW_F_ADDRESS:
		return INGRESS_R_WR_BAD_ADDRESS;
	case WRW_F_NONE:
		break;
	}
	/* out of memory and the like: our fault, still a dropped message */
	return INGRESS_R_OTHER;
}

static void ingress_wr_reject(struct ingress *ig,
			      struct ingress_wrepl_result *res,
			      enum ingress_reason r)
{
	res->verdict = INGRESS_DROP;
	res->reason = ingress_count(ig, r);
	res->pkt = NULL;
}

void ingress_wrepl(struct ingress *ig, TALLOC_CTX *mem_ctx,
		   const uint8_t *buf, size_t len, enum ingress_wr_stage stage,
		   struct ingress_wrepl_result *res)
{
	struct wrw_limits lim = {
		.max_owners = ig->limits.wr_max_owners,
		.max_records = ig->limits.wr_max_records,
		.lab_addresses = ig->limits.wr_lab_addresses,
	};
	struct wrw_packet *pkt = NULL;
	enum wrw_mess_type type;
	enum wrw_opcode op;
	enum wrw_fault fault = WRW_F_NONE;
	enum ingress_reason reason;
	enum twerr err;

	*res = (struct ingress_wrepl_result) {
		.verdict = INGRESS_DROP,
		.reason = INGRESS_R_OTHER,
	};

	if (buf == NULL || len < WRW_HEADER_LEN) {
		ingress_wr_reject(ig, res, INGRESS_R_UNDERSIZE);
		return;
	}

	err = wrw_peek(buf, len, &type, &op, &fault);
	if (err != TWERR_OK && fault == WRW_F_TYPE) {
		ingress_wr_reject(ig, res, INGRESS_R_WR_BAD_TYPE);
		return;
	}
	/* the header was readable, so the type is known from here on */
	if (!ingress_wr_type_allowed(stage, type)) {
		ingress_wr_reject(ig, res, INGRESS_R_WR_STAGE);
		return;
	}
	if (err != TWERR_OK) {
		reason = ingress_wr_reason(fault);
		ingress_wr_reject(ig, res, reason);
		return;
	}
	if (type == WRW_REPLICATION && !ingress_wr_opcode_allowed(stage, op)) {
		ingress_wr_reject(ig, res, INGRESS_R_WR_STAGE);
		return;
	}

	err = wrw_decode_ex(mem_ctx, buf, len, &lim, &pkt, &fault);
	if (err != TWERR_OK) {
		reason = ingress_wr_reason(fault);
		ingress_wr_reject(ig, res, reason);
		return;
	}

	if (pkt->notes != 0) {
		ingress_count(ig, INGRESS_NOTE_WR_RESERVED);
	}
	res->verdict = INGRESS_ACCEPT;
	res->reason = ingress_count(ig, INGRESS_OK);
	res->pkt = pkt;
}
