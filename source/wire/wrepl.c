/*
 * tdbwins — WINS replication (MS-WINSRA) message codec.  See wrepl.h for
 * the contract and docs/wire-wrepl.md for the limits and decisions.
 *
 * Every input byte is read through the cursor (wcur.h).  Counts are checked
 * against the bytes remaining by division, never by multiplication, before
 * anything is allocated, so no product can wrap (MS09-039, CVE-2009-1923 and
 * CVE-2009-1924 were a wrapped length and a wrapped count).
 */
#include <string.h>

#include "wcur.h"
#include "wrepl.h"

/* ------------------------------------------------------------------ */
/* shared helpers                                                      */
/* ------------------------------------------------------------------ */

static const char *const wrw_fault_text[] = {
	[WRW_F_NONE] = "none",
	[WRW_F_LENGTH] = "length does not match the message",
	[WRW_F_TYPE] = "undefined message type",
	[WRW_F_OPCODE] = "undefined replication opcode",
	[WRW_F_VERSION] = "unsupported major version",
	[WRW_F_COUNT] = "count out of range",
	[WRW_F_NAME] = "bad name",
	[WRW_F_RECORD] = "bad name record",
	[WRW_F_ADDRESS] = "refused address",
};

const char *wrw_fault_str(enum wrw_fault f)
{
	if ((size_t)f >= sizeof(wrw_fault_text) / sizeof(wrw_fault_text[0])) {
		return "unknown fault";
	}
	return wrw_fault_text[f];
}

bool wrw_opcode_valid(uint32_t op)
{
	switch (op) {
	case WRW_OP_MAP_REQUEST:
	case WRW_OP_MAP_RESPONSE:
	case WRW_OP_NAMES_REQUEST:
	case WRW_OP_NAMES_RESPONSE:
	case WRW_OP_UPDATE:
	case WRW_OP_UPDATE2:
	case WRW_OP_INFORM:
	case WRW_OP_INFORM2:
		return true;
	default:
		return false;
	}
}

bool wrw_opcode_has_table(enum wrw_opcode op)
{
	switch (op) {
	case WRW_OP_MAP_RESPONSE:
	case WRW_OP_UPDATE:
	case WRW_OP_UPDATE2:
	case WRW_OP_INFORM:
	case WRW_OP_INFORM2:
		return true;
	default:
		return false;
	}
}

static bool wrw_opcode_is_notify(enum wrw_opcode op)
{
	return wrw_opcode_has_table(op) && op != WRW_OP_MAP_RESPONSE;
}

bool wrw_addr_is_unicast(uint32_t ip)
{
	if (ip == 0 || ip == 0xFFFFFFFFu) {
		return false;
	}
	if ((ip >> 24) == 127) {
		return false;		/* loopback 127/8 */
	}
	if ((ip >> 28) == 0xE) {
		return false;		/* multicast 224/4 */
	}
	return true;
}

bool wrw_addr_ok(uint32_t ip, bool lab)
{
	return wrw_addr_is_unicast(ip) || (lab && (ip >> 24) == 127);
}

/* The initiator of a notification: a server, or 0.0.0.0 in the lab. */
static bool wrw_initiator_ok(uint32_t ip, bool lab)
{
	return wrw_addr_ok(ip, lab) || (lab && ip == 0);
}

/*
 * [MS-WINSRA] 2.2.10.1: the name is padded to a 4-byte boundary, and a
 * Name Length that is already a multiple of 4 gets 4 bytes of padding
 * (v20091104 of the spec said 0; Windows 2003 SP1 and 2008 send 4, Samba
 * and Wireshark agree).  The Name Length field is 4 bytes and every record
 * starts 4-byte aligned, so the padding depends on the length alone.
 */
static size_t wrw_name_pad(size_t name_len)
{
	return 4 - (name_len % 4);
}

/*
 * The scope as carried in a Name Record: the dotted string, written right
 * after the 16 raw bytes: no NUL, no empty label (no leading, trailing or
 * double dot).  The 63-byte label limit of UDP 137 is not applied here:
 * Windows and Samba replicate scopes as plain strings (smbtorture's
 * replica test sends a 237-byte label).  Such a name can be stored and
 * replicated, never asked for over NBNS (docs/wire-wrepl.md).
 */
static bool wrw_scope_ok(const char *s, size_t n)
{
	size_t label = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0') {
			return false;
		}
		if (s[i] == '.') {
			if (label == 0) {
				return false;
			}
			label = 0;
			continue;
		}
		label++;
	}
	return n == 0 || label > 0;
}

/*
 * Windows (W2K SP2 onwards) swaps the first and the sixteenth byte of the
 * Name field of names with suffix 0x1B (PROTOCOL.md 3.3; Samba's
 * ndr_pull_wrepl_nbt_name undoes it on receive when byte 0 is 0x1B and
 * redoes it on send when the suffix is 0x1B).  We do exactly the same so
 * that domain master browser names survive a round trip through Windows.
 */
static void wrw_swap_0_15(uint8_t raw[NBN_RAW_LEN])
{
	uint8_t t = raw[0];

	raw[0] = raw[15];
	raw[15] = t;
}

/* ------------------------------------------------------------------ */
/* decoding                                                            */
/* ------------------------------------------------------------------ */

struct wrw_dec {
	struct wcur c;
	struct wrw_limits lim;
	struct wrw_packet *pkt;
	enum twerr err;
	enum wrw_fault fault;
};

/* Record the first failure; always returns false. */
static bool dec_fail(struct wrw_dec *d, enum twerr err, enum wrw_fault f)
{
	if (d->err == TWERR_OK) {
		d->err = err;
		d->fault = f;
	}
	return false;
}

/* A cursor failure (ran past the end) is a length fault. */
static bool dec_cursor_ok(struct wrw_dec *d, const struct wcur *c)
{
	if (wcur_ok(c)) {
		return true;
	}
	return dec_fail(d, c->err, WRW_F_LENGTH);
}

/* Every replication message has an exact length: no trailing bytes. */
static bool dec_at_end(struct wrw_dec *d)
{
	if (!dec_cursor_ok(d, &d->c)) {
		return false;
	}
	if (wcur_remaining(&d->c) != 0) {
		return dec_fail(d, TWERR_TRAILING, WRW_F_LENGTH);
	}
	return true;
}

static bool dec_header(struct wrw_dec *d)
{
	struct wrw_packet *p = d->pkt;
	uint32_t type;

	p->opcode_word = wcur_be32(&d->c);
	p->assoc_handle = wcur_be32(&d->c);
	type = wcur_be32(&d->c);
	if (!wcur_ok(&d->c)) {
		return dec_fail(d, TWERR_TOO_SHORT, WRW_F_LENGTH);
	}
	if (type > WRW_REPLICATION) {
		return dec_fail(d, TWERR_BAD_HEADER, WRW_F_TYPE);
	}
	p->mess_type = (enum wrw_mess_type)type;
	/*
	 * [MS-WINSRA] 2.2.2 says ignore this word; Windows sends 0x7800 and
	 * Samba checks the association handle only when those bits are set.
	 * We check the handle always (the association layer does), so the
	 * word only matters as an anomaly worth counting.
	 */
	if (p->opcode_word != WRW_OPCODE_BITS) {
		p->notes |= WRW_NOTE_OPCODE_BITS;
	}
	return true;
}

/*
 * Start Request / Start Response ([MS-WINSRA] 2.2.3-2.2.4): the Packet
 * Length MUST be 41, but the 21 trailing bytes are reserved (Windows leaves
 * them uninitialised), so anything from the 20 bytes that hold the fields
 * up to 64 is accepted and the difference is counted.
 */
static bool dec_start(struct wrw_dec *d, size_t len)
{
	struct wrw_start *s = &d->pkt->start;

	if (len < WRW_START_MIN) {
		return dec_fail(d, TWERR_TOO_SHORT, WRW_F_LENGTH);
	}
	if (len > WRW_START_MAX) {
		return dec_fail(d, TWERR_TOO_LONG, WRW_F_LENGTH);
	}
	s->handle = wcur_be32(&d->c);
	s->major = wcur_be16(&d->c);
	s->minor = wcur_be16(&d->c);
	if (!dec_cursor_ok(d, &d->c)) {
		return false;
	}
	if (len != WRW_START_LEN) {
		d->pkt->notes |= WRW_NOTE_START_LEN;
	}
	/*
	 * [MS-WINSRA] 3.1.5.2: a major version other than 2 MUST be
	 * silently discarded.  Any minor is accepted; the association layer
	 * decides what it means (1 NT4, 5 persistent).
	 */
	if (s->major != WRW_MAJOR) {
		return dec_fail(d, TWERR_BAD_VALUE, WRW_F_VERSION);
	}
	return true;
}

/*
 * Stop Request ([MS-WINSRA] 2.2.5): Windows sends 40 bytes (reason + 24
 * uninitialised bytes), Samba sends 16.  The pad is never read.
 */
static bool dec_stop(struct wrw_dec *d, size_t len)
{
	if (len < WRW_STOP_MIN) {
		return dec_fail(d, TWERR_TOO_SHORT, WRW_F_LENGTH);
	}
	if (len > WRW_STOP_MAX) {
		return dec_fail(d, TWERR_TOO_LONG, WRW_F_LENGTH);
	}
	d->pkt->stop.reason = wcur_be32(&d->c);
	if (!dec_cursor_ok(d, &d->c)) {
		return false;
	}
	if (len != WRW_STOP_LEN) {
		d->pkt->notes |= WRW_NOTE_STOP_LEN;
	}
	return true;
}

/* One 24-byte Owner Record ([MS-WINSRA] 2.2.8). */
static bool dec_owner(struct wrw_dec *d, struct wcur *c, struct wrw_owner *o)
{
	o->addr = wcur_be32(c);
	o->max_version = wcur_be64(c);
	o->min_version = wcur_be64(c);
	o->type = wcur_be32(c);
	if (!dec_cursor_ok(d, c)) {
		return false;
	}
	/*
	 * An owner names a WINS server: never 0.0.0.0 (Samba reads it as
	 * "ourselves"), broadcast, loopback or multicast (SECURITY.md SA-11).
	 */
	if (!wrw_addr_ok(o->addr, d->lim.lab_addresses)) {
		return dec_fail(d, TWERR_BAD_VALUE, WRW_F_ADDRESS);
	}
	if (o->type != WRW_OWNER_TYPE) {
		d->pkt->notes |= WRW_NOTE_OWNER_TYPE;
	}
	return true;
}

/*
 * Owner-Version Map Response and Update Notifications ([MS-WINSRA] 2.2.9,
 * 2.2.11): Number of Owners, n x 24-byte Owner Record, one final u32.
 */
static bool dec_table(struct wrw_dec *d, enum wrw_opcode op)
{
	struct wrw_table *t = &d->pkt->table;
	struct wcur list = {};
	size_t avail;
	uint32_t n;
	uint32_t i;
	bool ok;

	n = wcur_be32(&d->c);
	if (!dec_cursor_ok(d, &d->c)) {
		return false;
	}
	avail = wcur_remaining(&d->c);
	if (avail < 4) {
		return dec_fail(d, TWERR_TRUNCATED, WRW_F_LENGTH);
	}
	avail -= 4;	/* the final initiator / Reserved2 word */

	/* division, not 24 * n: n near 2^32/24 must not wrap (MS-6) */
	if (n > avail / WRW_OWNER_LEN) {
		return dec_fail(d, TWERR_BAD_COUNT, WRW_F_COUNT);
	}
	if (d->lim.max_owners != 0 && n > d->lim.max_owners) {
		return dec_fail(d, TWERR_BAD_COUNT, WRW_F_COUNT);
	}
	/*
	 * An update notification announces what changed: with no owner it
	 * carries nothing and only costs us a pull (SECURITY.md MS-6).
	 */
	if (n == 0 && wrw_opcode_is_notify(op)) {
		return dec_fail(d, TWERR_BAD_COUNT, WRW_F_COUNT);
	}
	/* the Packet Length must be exactly what the count implies */
	if ((size_t)n * WRW_OWNER_LEN != avail) {
		return dec_fail(d, TWERR_TRAILING, WRW_F_LENGTH);
	}

	ok = wcur_sub(&d->c, (size_t)n * WRW_OWNER_LEN, &list);
	if (!ok) {
		return dec_cursor_ok(d, &d->c);
	}
	t->num_owners = n;
	if (n > 0) {
		t->owners = talloc_zero_array(d->pkt, struct wrw_owner, n);
		if (t->owners == NULL) {
			return dec_fail(d, TWERR_NOMEM, WRW_F_NONE);
		}
	}
	for (i = 0; i < n; i++) {
		ok = dec_owner(d, &list, &t->owners[i]);
		if (!ok) {
			return false;
		}
	}

	t->initiator = wcur_be32(&d->c);
	if (!dec_at_end(d)) {
		return false;
	}
	/*
	 * Notifications: the initiator is the server the update came from
	 * and is kept across propagation, so it must name a server.  In a
	 * Map Response the word is Reserved2 and is not interpreted.
	 */
	if (op != WRW_OP_MAP_RESPONSE &&
	    !wrw_initiator_ok(t->initiator, d->lim.lab_addresses)) {
		return dec_fail(d, TWERR_BAD_VALUE, WRW_F_ADDRESS);
	}
	return true;
}

/* Name Records Request ([MS-WINSRA] 2.2.10): one owner-shaped body. */
static bool dec_names_request(struct wrw_dec *d, size_t len)
{
	bool ok;

	if (len != WRW_NAMES_REQ_LEN) {
		enum twerr e = (len < WRW_NAMES_REQ_LEN) ? TWERR_TOO_SHORT :
							   TWERR_TRAILING;
		return dec_fail(d, e, WRW_F_LENGTH);
	}
	ok = dec_owner(d, &d->c, &d->pkt->names_req);
	if (!ok) {
		return false;
	}
	return dec_at_end(d);
}

/*
 * The Name field: 16 raw bytes (not first-level encoded), the scope string,
 * a terminating NUL.  nc is a sub-cursor over exactly Name Length bytes.
 */
static bool dec_record_name(struct wrw_dec *d, struct wcur *nc,
			    size_t name_len, struct nbn_name *name)
{
	size_t scope_len = name_len - WRW_NAME_MIN;
	uint8_t term;

	wcur_copy(nc, name->raw, NBN_RAW_LEN);
	wcur_copy(nc, name->scope, scope_len);
	term = wcur_u8(nc);
	if (!dec_cursor_ok(d, nc)) {
		return false;
	}
	if (term != 0) {
		return dec_fail(d, TWERR_BAD_NAME, WRW_F_NAME);
	}
	/*
	 * A Name Length of 255 carries 238 scope bytes; Windows 2008 and
	 * Samba keep 237 of them (the NBNS limit), so do we.
	 */
	if (scope_len > WRW_SCOPE_KEEP) {
		scope_len = WRW_SCOPE_KEEP;
	}
	/* checked on our own copy, not on the packet buffer */
	if (!wrw_scope_ok(name->scope, scope_len)) {
		return dec_fail(d, TWERR_BAD_NAME, WRW_F_NAME);
	}
	name->scope[scope_len] = '\0';
	name->scope_len = (uint8_t)scope_len;

	if (name->raw[0] == 0x1B) {
		wrw_swap_0_15(name->raw);
	}
	return true;
}

/*
 * Address record of a special group or multihomed name: Number of
 * Addresses is one byte followed by three reserved bytes (Samba reads the
 * four as a little-endian u32, so non-zero high bytes would be a count of
 * millions there: refuse them), then k (owner, member) pairs.
 */
static bool dec_record_pairs(struct wrw_dec *d, struct wrw_record *r,
			     void *parent)
{
	struct wcur list = {};
	uint32_t word;
	uint32_t k;
	uint32_t i;
	uint32_t j;
	bool ok;

	word = wcur_le32(&d->c);
	if (!dec_cursor_ok(d, &d->c)) {
		return false;
	}
	k = word & 0xFF;
	if ((word >> 8) != 0 || k > WRW_MAX_ADDRS) {
		return dec_fail(d, TWERR_BAD_COUNT, WRW_F_COUNT);
	}
	if (k > wcur_remaining(&d->c) / WRW_PAIR_LEN) {
		return dec_fail(d, TWERR_BAD_COUNT, WRW_F_COUNT);
	}
	ok = wcur_sub(&d->c, (size_t)k * WRW_PAIR_LEN, &list);
	if (!ok) {
		return dec_cursor_ok(d, &d->c);
	}
	r->num_addrs = (uint8_t)k;
	if (k == 0) {
		return true;
	}
	r->addrs = talloc_zero_array(parent, struct wrw_addr_pair, k);
	if (r->addrs == NULL) {
		return dec_fail(d, TWERR_NOMEM, WRW_F_NONE);
	}
	for (i = 0; i < k; i++) {
		r->addrs[i].owner = wcur_be32(&list);
		r->addrs[i].ip = wcur_be32(&list);
		if (!dec_cursor_ok(d, &list)) {
			return false;
		}
		if (!wrw_addr_ok(r->addrs[i].owner, d->lim.lab_addresses) ||
		    !wrw_addr_ok(r->addrs[i].ip, d->lim.lab_addresses)) {
			return dec_fail(d, TWERR_BAD_VALUE, WRW_F_ADDRESS);
		}
		/* a member is a set element: the same address twice is junk */
		for (j = 0; j < i; j++) {
			if (r->addrs[j].ip == r->addrs[i].ip) {
				return dec_fail(d, TWERR_BAD_VALUE,
						WRW_F_RECORD);
			}
		}
	}
	return true;
}

/* One Name Record ([MS-WINSRA] 2.2.10.1, PROTOCOL.md 3.3). */
static bool dec_record(struct wrw_dec *d, struct wrw_record *r, void *parent)
{
	struct wcur nc = {};
	uint32_t name_len;
	uint32_t flags;
	uint32_t group;
	uint32_t state;
	uint32_t reserved3;
	size_t pad;
	bool want_group;
	bool ok;

	name_len = wcur_be32(&d->c);
	if (!dec_cursor_ok(d, &d->c)) {
		return false;
	}
	/*
	 * 17..255: the 16 raw bytes and the NUL, at most what W2K+ accepts
	 * (a longer name invalidates the whole response there, [MS-WINSRA]
	 * <8>).  Samba takes 1..16 as a bare name; we do not.
	 */
	if (name_len < WRW_NAME_MIN) {
		return dec_fail(d, TWERR_BAD_NAME, WRW_F_NAME);
	}
	if (name_len > WRW_NAME_MAX) {
		return dec_fail(d, TWERR_NAME_TOO_LONG, WRW_F_NAME);
	}
	ok = wcur_sub(&d->c, name_len, &nc);
	if (!ok) {
		return dec_cursor_ok(d, &d->c);
	}
	ok = dec_record_name(d, &nc, name_len, &r->name);
	if (!ok) {
		return false;
	}
	/* the padding content is ignored: Windows does not clear it */
	pad = wrw_name_pad(name_len);
	wcur_skip(&d->c, pad);

	flags = wcur_be32(&d->c);
	group = wcur_le32(&d->c);	/* little-endian on the wire */
	r->version = wcur_be64(&d->c);
	if (!dec_cursor_ok(d, &d->c)) {
		return false;
	}

	/* Reserved1 is the top 24 bits of the flags word */
	if ((flags & ~(uint32_t)0xFF) != 0) {
		d->pkt->notes |= WRW_NOTE_FLAGS_RESERVED;
	}
	r->type = (enum wrec_type)(flags & WRW_FLAG_TYPE_MASK);
	state = (flags & WRW_FLAG_STATE_MASK) >> WRW_FLAG_STATE_SHIFT;
	/*
	 * 3 is undefined: the sender is broken or hostile, so the whole
	 * message goes.  Released records are never replicated
	 * ([MS-WINSRA] 3.2.5.1), yet Samba's server and smbtorture send
	 * them: decoded and noted; applying ignores them (wrp_apply.c).
	 */
	if (state == WREC_RELEASED) {
		d->pkt->notes |= WRW_NOTE_RELEASED;
	} else if (state != WREC_ACTIVE && state != WREC_TOMBSTONE) {
		return dec_fail(d, TWERR_BAD_VALUE, WRW_F_RECORD);
	}
	r->state = (enum wrec_state)state;
	r->replica = (flags & WRW_FLAG_REPLICA) != 0;
	r->node = (enum wrec_node)((flags & WRW_FLAG_NODE_MASK) >>
				   WRW_FLAG_NODE_SHIFT);
	r->is_static = (flags & WRW_FLAG_STATIC) != 0;

	/*
	 * Group: 1 for normal and special groups, 0 otherwise; values >= 2
	 * (including junk in the three reserved bytes) count as 1.  The ET
	 * bits decide the layout, so a disagreeing group word is only noted.
	 */
	r->is_group = (group != 0);
	want_group = (r->type == WREC_GROUP || r->type == WREC_SGROUP);
	if (group > 1 || r->is_group != want_group) {
		d->pkt->notes |= WRW_NOTE_GROUP;
	}

	/* versions start at 1 ([MS-WINSRA] 3.1.1.2) */
	if (r->version == 0) {
		return dec_fail(d, TWERR_BAD_VALUE, WRW_F_RECORD);
	}

	if ((r->type & 2) != 0) {
		ok = dec_record_pairs(d, r, parent);
		if (!ok) {
			return false;
		}
	} else {
		r->ip = wcur_be32(&d->c);
		if (!dec_cursor_ok(d, &d->c)) {
			return false;
		}
		/*
		 * A unique name is a host's address; a normal group keeps
		 * no members and carries 255.255.255.255 (or anything).
		 */
		if (r->type == WREC_UNIQUE &&
		    !wrw_addr_ok(r->ip, d->lim.lab_addresses)) {
			return dec_fail(d, TWERR_BAD_VALUE, WRW_F_ADDRESS);
		}
	}

	reserved3 = wcur_be32(&d->c);
	if (!dec_cursor_ok(d, &d->c)) {
		return false;
	}
	if (reserved3 != WRW_RESERVED3) {
		d->pkt->notes |= WRW_NOTE_RESERVED3;
	}
	return true;
}

/* Name Records Response ([MS-WINSRA] 2.2.10). */
static bool dec_names_response(struct wrw_dec *d)
{
	struct wrw_names *nm = &d->pkt->names;
	uint32_t n;
	uint32_t i;
	bool ok;

	n = wcur_be32(&d->c);
	if (!dec_cursor_ok(d, &d->c)) {
		return false;
	}
	/* every record is at least 48 bytes: n near 2^32/48 cannot fit */
	if (n > wcur_remaining(&d->c) / WRW_RECORD_MIN) {
		return dec_fail(d, TWERR_BAD_COUNT, WRW_F_COUNT);
	}
	if (d->lim.max_records != 0 && n > d->lim.max_records) {
		return dec_fail(d, TWERR_BAD_COUNT, WRW_F_COUNT);
	}
	nm->num_records = n;
	if (n > 0) {
		nm->records = talloc_zero_array(d->pkt, struct wrw_record, n);
		if (nm->records == NULL) {
			return dec_fail(d, TWERR_NOMEM, WRW_F_NONE);
		}
	}
	for (i = 0; i < n; i++) {
		ok = dec_record(d, &nm->records[i], nm->records);
		if (!ok) {
			return false;
		}
	}
	return dec_at_end(d);
}

static bool dec_replication(struct wrw_dec *d, size_t len)
{
	struct wrw_packet *p = d->pkt;
	uint32_t word;
	uint32_t op;

	word = wcur_be32(&d->c);
	if (!wcur_ok(&d->c)) {
		return dec_fail(d, TWERR_TOO_SHORT, WRW_F_LENGTH);
	}
	/* three reserved bytes (MUST be 0, ignored) + RplOpCode */
	op = word & 0xFF;
	if (!wrw_opcode_valid(op)) {
		return dec_fail(d, TWERR_BAD_OPCODE, WRW_F_OPCODE);
	}
	if ((word >> 8) != 0) {
		p->notes |= WRW_NOTE_RPL_RESERVED;
	}
	p->opcode = (enum wrw_opcode)op;

	switch (p->opcode) {
	case WRW_OP_MAP_REQUEST:
		return dec_at_end(d);
	case WRW_OP_NAMES_REQUEST:
		return dec_names_request(d, len);
	case WRW_OP_NAMES_RESPONSE:
		return dec_names_response(d);
	case WRW_OP_MAP_RESPONSE:
	case WRW_OP_UPDATE:
	case WRW_OP_UPDATE2:
	case WRW_OP_INFORM:
	case WRW_OP_INFORM2:
		return dec_table(d, p->opcode);
	}
	return dec_fail(d, TWERR_BAD_OPCODE, WRW_F_OPCODE);
}

enum twerr wrw_decode_ex(TALLOC_CTX *mem_ctx, const uint8_t *buf,
			 size_t len, const struct wrw_limits *lim,
			 struct wrw_packet **out, enum wrw_fault *fault)
{
	struct wrw_dec d = {};
	bool ok = false;

	*out = NULL;
	if (fault != NULL) {
		*fault = WRW_F_NONE;
	}
	if (lim != NULL) {
		d.lim = *lim;
	}
	/* a Packet Length is a u32: nothing longer is one PDU */
	if (len > UINT32_MAX) {
		dec_fail(&d, TWERR_TOO_LONG, WRW_F_LENGTH);
		goto done;
	}
	wcur_init(&d.c, buf, len);

	d.pkt = talloc_zero(mem_ctx, struct wrw_packet);
	if (d.pkt == NULL) {
		dec_fail(&d, TWERR_NOMEM, WRW_F_NONE);
		goto done;
	}
	d.pkt->body_len = (uint32_t)len;

	ok = dec_header(&d);
	if (!ok) {
		goto done;
	}
	switch (d.pkt->mess_type) {
	case WRW_START_REQUEST:
	case WRW_START_RESPONSE:
		ok = dec_start(&d, len);
		break;
	case WRW_STOP_REQUEST:
		ok = dec_stop(&d, len);
		break;
	case WRW_REPLICATION:
		ok = dec_replication(&d, len);
		break;
	}

done:
	if (!ok || d.err != TWERR_OK) {
		/* a peer fault leaves nothing behind on mem_ctx */
		TALLOC_FREE(d.pkt);
		if (d.err == TWERR_OK) {
			d.err = TWERR_INTERNAL;
		}
		if (fault != NULL) {
			*fault = d.fault;
		}
		return d.err;
	}
	*out = d.pkt;
	return TWERR_OK;
}

enum twerr wrw_decode(TALLOC_CTX *mem_ctx, const uint8_t *buf, size_t len,
		      struct wrw_packet **out)
{
	return wrw_decode_ex(mem_ctx, buf, len, NULL, out, NULL);
}

enum twerr wrw_peek(const uint8_t *buf, size_t len,
		    enum wrw_mess_type *type, enum wrw_opcode *op,
		    enum wrw_fault *fault)
{
	struct wcur c = {};
	uint32_t t;
	uint32_t o = 0;

	*type = WRW_START_REQUEST;
	*op = WRW_OP_MAP_REQUEST;
	*fault = WRW_F_NONE;

	wcur_init(&c, buf, len);
	wcur_skip(&c, 8);	/* opcode word, association handle */
	t = wcur_be32(&c);
	if (!wcur_ok(&c)) {
		*fault = WRW_F_LENGTH;
		return TWERR_TOO_SHORT;
	}
	if (t > WRW_REPLICATION) {
		*fault = WRW_F_TYPE;
		return TWERR_BAD_HEADER;
	}
	*type = (enum wrw_mess_type)t;
	if (*type != WRW_REPLICATION) {
		return TWERR_OK;
	}
	o = wcur_be32(&c) & 0xFF;
	if (!wcur_ok(&c)) {
		*fault = WRW_F_LENGTH;
		return TWERR_TOO_SHORT;
	}
	if (!wrw_opcode_valid(o)) {
		*fault = WRW_F_OPCODE;
		return TWERR_BAD_OPCODE;
	}
	*op = (enum wrw_opcode)o;
	return TWERR_OK;
}

/* ------------------------------------------------------------------ */
/* encoding                                                            */
/* ------------------------------------------------------------------ */

/* Add b to *sum unless the body would no longer fit a u32 length. */
static bool len_add(size_t *sum, size_t b)
{
	if (b > (size_t)UINT32_MAX - *sum) {
		return false;
	}
	*sum += b;
	return true;
}

static bool enc_owner_ok(const struct wrw_owner *o, bool lab)
{
	return wrw_addr_ok(o->addr, lab);
}

static bool enc_table_len(enum wrw_opcode op, const struct wrw_table *t,
			  bool lab, size_t *sum)
{
	uint32_t i;

	if (t->num_owners > 0 && t->owners == NULL) {
		return false;
	}
	if (t->num_owners == 0 && wrw_opcode_is_notify(op)) {
		return false;
	}
	if (wrw_opcode_is_notify(op) && !wrw_initiator_ok(t->initiator, lab)) {
		return false;
	}
	for (i = 0; i < t->num_owners; i++) {
		if (!enc_owner_ok(&t->owners[i], lab)) {
			return false;
		}
		if (!len_add(sum, WRW_OWNER_LEN)) {
			return false;
		}
	}
	/* Number of Owners + the final word */
	return len_add(sum, 8);
}

/* Bytes one record takes, or 0 if it must not be sent. */
static size_t enc_record_len(const struct wrw_record *r, bool lab)
{
	size_t name_len;
	size_t len;
	uint8_t i;
	uint8_t j;

	if ((unsigned)r->type > WREC_MHOMED ||
	    (r->state != WREC_ACTIVE && r->state != WREC_TOMBSTONE) ||
	    (unsigned)r->node > WREC_NODE_H || r->version == 0) {
		return 0;
	}
	if (r->name.scope_len > WRW_SCOPE_MAX ||
	    !wrw_scope_ok(r->name.scope, r->name.scope_len)) {
		return 0;
	}
	name_len = WRW_NAME_MIN + r->name.scope_len;
	len = 4 + name_len + wrw_name_pad(name_len) + 4 + 4 + 8 + 4;

	if ((r->type & 2) == 0) {
		if (r->type == WREC_UNIQUE && !wrw_addr_ok(r->ip, lab)) {
			return 0;
		}
		return len + 4;
	}
	if (r->num_addrs > WRW_MAX_ADDRS ||
	    (r->num_addrs > 0 && r->addrs == NULL)) {
		return 0;
	}
	for (i = 0; i < r->num_addrs; i++) {
		if (!wrw_addr_ok(r->addrs[i].owner, lab) ||
		    !wrw_addr_ok(r->addrs[i].ip, lab)) {
			return 0;
		}
		for (j = 0; j < i; j++) {
			if (r->addrs[j].ip == r->addrs[i].ip) {
				return 0;
			}
		}
	}
	return len + 4 + (size_t)r->num_addrs * WRW_PAIR_LEN;
}

/* PDU length after the Packet Length field, or 0 if p must not be sent. */
static size_t enc_body_len(const struct wrw_packet *p)
{
	size_t sum = WRW_HEADER_LEN;
	uint32_t i;

	switch (p->mess_type) {
	case WRW_START_REQUEST:
	case WRW_START_RESPONSE:
		return WRW_START_LEN;
	case WRW_STOP_REQUEST:
		return WRW_STOP_LEN;
	case WRW_REPLICATION:
		break;
	default:
		return 0;
	}
	if (!wrw_opcode_valid(p->opcode)) {
		return 0;
	}
	sum += 4;	/* RplOpCode word */
	switch (p->opcode) {
	case WRW_OP_MAP_REQUEST:
		return sum;
	case WRW_OP_NAMES_REQUEST:
		if (!enc_owner_ok(&p->names_req, p->lab_addresses)) {
			return 0;
		}
		return WRW_NAMES_REQ_LEN;
	case WRW_OP_NAMES_RESPONSE:
		if (p->names.num_records > 0 && p->names.records == NULL) {
			return 0;
		}
		sum += 4;
		for (i = 0; i < p->names.num_records; i++) {
			size_t rl = enc_record_len(&p->names.records[i],
						   p->lab_addresses);

			if (rl == 0 || !len_add(&sum, rl)) {
				return 0;
			}
		}
		return sum;
	case WRW_OP_MAP_RESPONSE:
	case WRW_OP_UPDATE:
	case WRW_OP_UPDATE2:
	case WRW_OP_INFORM:
	case WRW_OP_INFORM2:
		if (!enc_table_len(p->opcode, &p->table, p->lab_addresses,
				   &sum)) {
			return 0;
		}
		return sum;
	}
	return 0;
}

size_t wrw_encoded_len(const struct wrw_packet *p)
{
	size_t body = enc_body_len(p);

	if (body == 0) {
		return 0;
	}
	return WRW_LENGTH_FIELD + body;
}

static void enc_owner(struct wwr *w, const struct wrw_owner *o)
{
	wwr_be32(w, o->addr);
	wwr_be64(w, o->max_version);
	wwr_be64(w, o->min_version);
	wwr_be32(w, WRW_OWNER_TYPE);
}

static void enc_table(struct wwr *w, enum wrw_opcode op,
		      const struct wrw_table *t)
{
	uint32_t i;

	wwr_be32(w, t->num_owners);
	for (i = 0; i < t->num_owners; i++) {
		enc_owner(w, &t->owners[i]);
	}
	/* Map Response: Reserved2, sent as 0 ([MS-WINSRA] 2.2.9) */
	wwr_be32(w, (op == WRW_OP_MAP_RESPONSE) ? 0 : t->initiator);
}

static void enc_record(struct wwr *w, const struct wrw_record *r)
{
	uint8_t raw[NBN_RAW_LEN];
	size_t name_len = WRW_NAME_MIN + r->name.scope_len;
	size_t pad = wrw_name_pad(name_len);
	uint32_t flags;
	bool group;
	uint8_t i;

	memcpy(raw, r->name.raw, NBN_RAW_LEN);
	if (raw[15] == 0x1B) {
		wrw_swap_0_15(raw);	/* see wrw_swap_0_15 */
	}
	flags = (uint32_t)r->type |
		((uint32_t)r->state << WRW_FLAG_STATE_SHIFT) |
		((uint32_t)r->node << WRW_FLAG_NODE_SHIFT);
	if (r->replica) {
		flags |= WRW_FLAG_REPLICA;
	}
	if (r->is_static) {
		flags |= WRW_FLAG_STATIC;
	}
	/* the group word follows the entry type, whatever is_group says */
	group = (r->type == WREC_GROUP || r->type == WREC_SGROUP);

	wwr_be32(w, (uint32_t)name_len);
	wwr_bytes(w, raw, NBN_RAW_LEN);
	wwr_bytes(w, r->name.scope, r->name.scope_len);
	wwr_u8(w, 0);
	wwr_zero(w, pad);
	wwr_be32(w, flags);
	wwr_le32(w, group ? 1 : 0);
	wwr_be64(w, r->version);
	if ((r->type & 2) == 0) {
		wwr_be32(w, r->ip);
	} else {
		/* count byte + three zero reserved bytes */
		wwr_le32(w, r->num_addrs);
		for (i = 0; i < r->num_addrs; i++) {
			wwr_be32(w, r->addrs[i].owner);
			wwr_be32(w, r->addrs[i].ip);
		}
	}
	wwr_be32(w, WRW_RESERVED3);
}

enum twerr wrw_encode(struct wwr *w, const struct wrw_packet *p)
{
	size_t body = enc_body_len(p);
	size_t start = wwr_len(w);
	uint32_t i;

	if (body == 0) {
		return TWERR_BAD_VALUE;
	}
	if (!wwr_ok(w)) {
		return w->err;
	}

	wwr_be32(w, (uint32_t)body);
	/* Windows always sends these bits; so do we ([MS-WINSRA] 2.2.2) */
	wwr_be32(w, WRW_OPCODE_BITS);
	wwr_be32(w, p->assoc_handle);
	wwr_be32(w, (uint32_t)p->mess_type);

	switch (p->mess_type) {
	case WRW_START_REQUEST:
	case WRW_START_RESPONSE:
		wwr_be32(w, p->start.handle);
		wwr_be16(w, p->start.major);
		wwr_be16(w, p->start.minor);
		/*
		 * Pad to 41 with zeros: NT4 falls back to an older dialect
		 * on a shorter start, and Windows' own pad is uninitialised
		 * memory we must not imitate (SECURITY.md MS-13).
		 */
		wwr_zero(w, WRW_START_LEN - 20);
		break;
	case WRW_STOP_REQUEST:
		wwr_be32(w, p->stop.reason);
		wwr_zero(w, WRW_STOP_LEN - 16);
		break;
	case WRW_REPLICATION:
		wwr_be32(w, (uint32_t)p->opcode);
		switch (p->opcode) {
		case WRW_OP_MAP_REQUEST:
			break;
		case WRW_OP_NAMES_REQUEST:
			enc_owner(w, &p->names_req);
			break;
		case WRW_OP_NAMES_RESPONSE:
			wwr_be32(w, p->names.num_records);
			for (i = 0; i < p->names.num_records; i++) {
				enc_record(w, &p->names.records[i]);
			}
			break;
		case WRW_OP_MAP_RESPONSE:
		case WRW_OP_UPDATE:
		case WRW_OP_UPDATE2:
		case WRW_OP_INFORM:
		case WRW_OP_INFORM2:
			enc_table(w, p->opcode, &p->table);
			break;
		}
		break;
	}

	if (!wwr_ok(w)) {
		return w->err;
	}
	/* enc_body_len and the writers above must agree */
	if (wwr_len(w) - start != WRW_LENGTH_FIELD + body) {
		return TWERR_INTERNAL;
	}
	return TWERR_OK;
}

enum twerr wrw_encode_alloc(TALLOC_CTX *mem_ctx, const struct wrw_packet *p,
			    uint8_t **buf, size_t *len)
{
	struct wwr w = {};
	uint8_t *out = NULL;
	size_t need;
	enum twerr err;

	*buf = NULL;
	*len = 0;
	need = wrw_encoded_len(p);
	if (need == 0) {
		return TWERR_BAD_VALUE;
	}
	out = talloc_array(mem_ctx, uint8_t, need);
	if (out == NULL) {
		return TWERR_NOMEM;
	}
	wwr_init(&w, out, need);
	err = wrw_encode(&w, p);
	if (err != TWERR_OK) {
		TALLOC_FREE(out);
		return err;
	}
	*buf = out;
	*len = need;
	return TWERR_OK;
}
