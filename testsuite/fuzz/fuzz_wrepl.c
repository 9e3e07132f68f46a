/*
 * libFuzzer target: the TCP 42 path, ingress_tcp42_frame() and
 * ingress_wrepl() ([MS-WINSRA] 2.1, PROTOCOL.md 3.1-3.4).
 *
 * Input: byte 0 chooses the association stage (PREASSOC, ASSOC,
 * PULL_REPLY) from its low 7 bits and the lab switch (tdbwins:wrepl lab
 * addresses: 127/8 owners, initiator 0.0.0.0) from its top bit; the rest is a byte stream of PDUs, each a 4-byte big-endian
 * Packet Length and a body.  Each length goes through ingress_tcp42_frame()
 * before its body is taken, as the stream reader does; a refused length
 * closes the stream.
 *
 * Besides ASan/UBSan and the talloc checks of fuzz_common.h, an accepted
 * PDU must re-encode with wrw_encode_alloc() and that encoding must be
 * accepted again with the same meaning (header, counts, owners, records):
 * the decoder and the encoder must read the format the same way.  Every
 * call is checked against the counter invariants of fuzz_counters.h.
 *
 * Sources: source/wire/{wcur,wwr,twerr,nbname,wrepl}.c,
 * source/ingress/ingress*.c (testsuite/fuzz/run.sh links them all).
 * twbuild-needs: source/wire/nbname.c source/wire/wrepl.c
 * twbuild-needs: source/ingress/ingress.c source/ingress/ingress_wrepl.c
 */
#include "fuzz_common.h"
#include "fuzz_counters.h"
#include "ingress/ingress.h"
#include "wire/wrepl.h"

static const char target[] = "fuzz_wrepl";

static bool owners_same(const struct wrw_owner *a, const struct wrw_owner *b)
{
	return a->addr == b->addr && a->max_version == b->max_version &&
	       a->min_version == b->min_version;
}

static bool record_same(const struct wrw_record *a, const struct wrw_record *b)
{
	uint8_t i;

	if (!nbn_equal(&a->name, &b->name) || a->type != b->type ||
	    a->state != b->state || a->node != b->node ||
	    a->replica != b->replica || a->is_static != b->is_static ||
	    a->version != b->version || a->num_addrs != b->num_addrs) {
		return false;
	}
	if (a->type == WREC_UNIQUE || a->type == WREC_GROUP) {
		return a->ip == b->ip;
	}
	for (i = 0; i < a->num_addrs; i++) {
		if (a->addrs[i].owner != b->addrs[i].owner ||
		    a->addrs[i].ip != b->addrs[i].ip) {
			return false;
		}
	}
	return true;
}

static bool packets_same(const struct wrw_packet *a, const struct wrw_packet *b)
{
	uint32_t i;

	if (a->assoc_handle != b->assoc_handle ||
	    a->mess_type != b->mess_type) {
		return false;
	}
	switch (a->mess_type) {
	case WRW_START_REQUEST:
	case WRW_START_RESPONSE:
		return a->start.handle == b->start.handle &&
		       a->start.major == b->start.major &&
		       a->start.minor == b->start.minor;
	case WRW_STOP_REQUEST:
		return a->stop.reason == b->stop.reason;
	case WRW_REPLICATION:
		break;
	default:
		return false;
	}
	if (a->opcode != b->opcode) {
		return false;
	}
	if (a->opcode == WRW_OP_NAMES_REQUEST) {
		return owners_same(&a->names_req, &b->names_req);
	}
	if (wrw_opcode_has_table(a->opcode)) {
		if (a->table.num_owners != b->table.num_owners) {
			return false;
		}
		/* Map Response Reserved2 is sent as 0 whatever came in. */
		if (a->opcode != WRW_OP_MAP_RESPONSE &&
		    a->table.initiator != b->table.initiator) {
			return false;
		}
		for (i = 0; i < a->table.num_owners; i++) {
			if (!owners_same(&a->table.owners[i],
					 &b->table.owners[i])) {
				return false;
			}
		}
		return true;
	}
	if (a->opcode == WRW_OP_NAMES_RESPONSE) {
		if (a->names.num_records != b->names.num_records) {
			return false;
		}
		for (i = 0; i < a->names.num_records; i++) {
			if (!record_same(&a->names.records[i],
					 &b->names.records[i])) {
				return false;
			}
		}
	}
	return true;
}

static void one_pdu(struct ingress *ig, enum ingress_wr_stage stage,
		    const uint8_t *data, size_t size)
{
	struct ingress_wrepl_result res = {};
	struct ingress_wrepl_result again = {};
	struct ingress_stats before;
	TALLOC_CTX *mem_ctx = NULL;
	uint8_t *buf = NULL;
	uint8_t *enc = NULL;
	size_t enc_len = 0;
	enum twerr err;

	buf = fuzz_copy(target, data, size);
	mem_ctx = talloc_new(NULL);
	if (mem_ctx == NULL) {
		fuzz_fail(target, "out of memory");
	}

	before = ig->stats;
	ingress_wrepl(ig, mem_ctx, buf, size, stage, &res);
	fuzz_check_counted(target, &before, &ig->stats, res.verdict,
			   res.reason);

	if (res.reason >= INGRESS_REASON_COUNT) {
		fuzz_fail(target, "reason out of range");
	}
	if (res.verdict != INGRESS_ACCEPT) {
		if (res.verdict != INGRESS_DROP &&
		    res.verdict != INGRESS_ANSWER_ERROR) {
			fuzz_fail(target, "verdict out of range");
		}
		if (res.pkt != NULL) {
			fuzz_fail(target, "rejected, but a packet returned");
		}
		fuzz_check_empty(target, mem_ctx, "after a rejection");
		goto done;
	}
	if (res.pkt == NULL) {
		fuzz_fail(target, "accepted, but no packet returned");
	}

	/* the server encodes with the same switch it decodes with */
	res.pkt->lab_addresses = ig->limits.wr_lab_addresses;
	err = wrw_encode_alloc(mem_ctx, res.pkt, &enc, &enc_len);
	/*
	 * A released record is decoded (Samba sends them) but never sent
	 * by us: the encoder must refuse the packet, and leave nothing.
	 */
	if ((res.pkt->notes & WRW_NOTE_RELEASED) != 0) {
		if (err == TWERR_OK || enc != NULL) {
			fuzz_fail(target, "a released record was encoded");
		}
		TALLOC_FREE(res.pkt);
		fuzz_check_empty(target, mem_ctx, "after a refused encode");
		goto done;
	}
	if (err != TWERR_OK) {
		fuzz_fail(target, "wrw_encode refused an accepted packet");
	}
	if (enc_len < WRW_LENGTH_FIELD ||
	    fuzz_be32(enc) != enc_len - WRW_LENGTH_FIELD) {
		fuzz_fail(target, "encoded Packet Length is wrong");
	}
	before = ig->stats;
	ingress_wrepl(ig, mem_ctx, enc + WRW_LENGTH_FIELD,
		      enc_len - WRW_LENGTH_FIELD, stage, &again);
	fuzz_check_counted(target, &before, &ig->stats, again.verdict,
			   again.reason);
	if (again.verdict != INGRESS_ACCEPT || again.pkt == NULL) {
		fuzz_fail(target, "our own encoding of an accepted packet "
				  "was rejected");
	}
	if (!packets_same(res.pkt, again.pkt)) {
		fuzz_fail(target, "decode(encode(p)) differs from p");
	}
	TALLOC_FREE(again.pkt);
	TALLOC_FREE(enc);
	TALLOC_FREE(res.pkt);
	fuzz_check_empty(target, mem_ctx, "after freeing the packet");
done:
	talloc_free(mem_ctx);
	talloc_free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingress ig = {};
	enum ingress_wr_stage stage;
	size_t pos = 1;

	if (size < 1) {
		return 0;
	}
	switch ((data[0] & 0x7f) % 3) {
	case 0:
		stage = INGRESS_WR_PREASSOC;
		break;
	case 1:
		stage = INGRESS_WR_ASSOC;
		break;
	default:
		stage = INGRESS_WR_PULL_REPLY;
		break;
	}

	ingress_init(&ig);
	ig.limits.wr_lab_addresses = (data[0] & 0x80) != 0;
	while (size - pos >= WRW_LENGTH_FIELD) {
		uint32_t prefix = fuzz_be32(data + pos);
		struct ingress_stats before = ig.stats;
		enum ingress_reason r;

		r = ingress_tcp42_frame(&ig, prefix, stage);
		fuzz_check_frame(target, &before, &ig.stats, r);
		if (r != INGRESS_OK) {
			break; /* the reader stops the association */
		}
		pos += WRW_LENGTH_FIELD;
		if (prefix > size - pos) {
			break; /* body never completes */
		}
		one_pdu(&ig, stage, data + pos, prefix);
		pos += prefix;
	}
	return 0;
}
