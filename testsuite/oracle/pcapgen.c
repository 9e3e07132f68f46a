/*
 * tdbwins — the tshark oracle's capture writer.
 *
 *   pcapgen FILE.pcap
 *
 * Builds NBNS and WINS replication messages with our own encoders
 * (nbp_encode, wrw_encode_alloc) and writes them into a classic libpcap
 * file, each wrapped in Ethernet/IPv4/UDP (port 137) or Ethernet/IPv4/TCP
 * (port 42, one connection with handshake and teardown so that TCP
 * reassembly has nothing to complain about).  testsuite/oracle/run.sh then
 * lets tshark, an independent decoder, read the file: no frame may be
 * malformed, and the fields it reports must be the ones we meant to send.
 * The frame order here is what run.sh expects; change both together.
 *
 * The pcap format, the Ethernet, IPv4, UDP and TCP headers and their
 * checksums are written here by our own code (RFC 791, RFC 768, RFC 793,
 * RFC 1071).  Addresses are from 198.18.0.0/15: nothing here is ever sent.
 *
 * twbuild-needs: source/wire/nbns.c source/wire/nbname.c
 * twbuild-needs: source/wire/wrepl.c
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <talloc.h>

#include "wire/nbname.h"
#include "wire/nbns.h"
#include "wire/wrepl.h"
#include "wire/wwr.h"

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_SNAPLEN 65535

#define ETH_LEN 14
#define IP4_LEN 20
#define UDP_LEN 8
#define TCP_LEN 20

#define FRAME_MAX 4096

#define IP_CLIENT 0xc6120010u  /* 198.18.0.16: a WINS client */
#define IP_SERVER 0xc6120001u  /* 198.18.0.1: our server */
#define IP_PARTNER 0xc6120002u /* 198.18.0.2: a replication partner */
#define IP_HOST2 0xc6120011u   /* 198.18.0.17: a second address */

#define NBNS_PORT 137
#define WREPL_PORT 42
#define PARTNER_PORT 49200

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

struct pcap_out {
	FILE *f;
	uint32_t frames;
	uint32_t usec; /* synthetic clock, 1 ms per frame */
	bool failed;
};

struct tcp_side {
	uint32_t ip;
	uint16_t port;
	uint32_t seq; /* next sequence number to send */
};

struct tcp_conn {
	struct tcp_side a; /* the side that opens: the partner */
	struct tcp_side b; /* our server on port 42 */
};

static const uint8_t mac_client[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x10 };
static const uint8_t mac_server[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* ---- pcap file ---- */

static void pcap_put(struct pcap_out *out, const uint8_t *p, size_t n)
{
	if (out->failed) {
		return;
	}
	if (fwrite(p, 1, n, out->f) != n) {
		out->failed = true;
	}
}

static void pcap_header(struct pcap_out *out)
{
	uint8_t hdr[24];
	struct wwr w = {};

	/* classic libpcap: written little-endian, read by the magic's order */
	wwr_init(&w, hdr, sizeof(hdr));
	wwr_le32(&w, PCAP_MAGIC);
	wwr_le16(&w, 2); /* version 2.4 */
	wwr_le16(&w, 4);
	wwr_le32(&w, 0); /* thiszone */
	wwr_le32(&w, 0); /* sigfigs */
	wwr_le32(&w, PCAP_SNAPLEN);
	wwr_le32(&w, PCAP_LINKTYPE_ETHERNET);
	pcap_put(out, hdr, wwr_len(&w));
}

static void pcap_record(struct pcap_out *out, const uint8_t *frame, size_t len)
{
	uint8_t hdr[16];
	struct wwr w = {};

	out->usec += 1000;
	wwr_init(&w, hdr, sizeof(hdr));
	wwr_le32(&w, 1700000000u + out->usec / 1000000);
	wwr_le32(&w, out->usec % 1000000);
	wwr_le32(&w, (uint32_t)len);
	wwr_le32(&w, (uint32_t)len);
	pcap_put(out, hdr, wwr_len(&w));
	pcap_put(out, frame, len);
	out->frames++;
}

/* ---- checksums (RFC 1071) ---- */

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
	}
	if (n % 2 != 0) {
		sum += (uint32_t)(p[n - 1] << 8);
	}
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16) {
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)~sum;
}

/* pseudo header of RFC 768 / RFC 793 */
static uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto,
			    size_t len)
{
	uint8_t ph[12];
	struct wwr w = {};

	wwr_init(&w, ph, sizeof(ph));
	wwr_be32(&w, src);
	wwr_be32(&w, dst);
	wwr_u8(&w, 0);
	wwr_u8(&w, proto);
	wwr_be16(&w, (uint16_t)len);
	return csum_add(0, ph, sizeof(ph));
}

/* ---- frames ---- */

/*
 * Ethernet + IPv4 around an L4 segment already in frame[ETH_LEN + IP4_LEN]
 * of l4_len bytes; fills the IPv4 header and its checksum.
 */
static size_t frame_ip(uint8_t *frame, uint32_t src, uint32_t dst,
		       uint8_t proto, size_t l4_len)
{
	static uint16_t ip_id = 0x100;
	uint8_t *ip = frame + ETH_LEN;
	struct wwr w = {};
	uint32_t sum;

	wwr_init(&w, frame, ETH_LEN);
	if (src == IP_SERVER) {
		wwr_bytes(&w, mac_client, 6);
		wwr_bytes(&w, mac_server, 6);
	} else {
		wwr_bytes(&w, mac_server, 6);
		wwr_bytes(&w, mac_client, 6);
	}
	wwr_be16(&w, 0x0800);

	wwr_init(&w, ip, IP4_LEN);
	wwr_u8(&w, 0x45); /* version 4, 5 words */
	wwr_u8(&w, 0);
	wwr_be16(&w, (uint16_t)(IP4_LEN + l4_len));
	wwr_be16(&w, ip_id++);
	wwr_be16(&w, 0x4000); /* DF */
	wwr_u8(&w, 64);
	wwr_u8(&w, proto);
	wwr_be16(&w, 0); /* checksum, below */
	wwr_be32(&w, src);
	wwr_be32(&w, dst);
	sum = csum_add(0, ip, IP4_LEN);
	wwr_put_be16_at(&w, 10, csum_fold(sum));
	return ETH_LEN + IP4_LEN + l4_len;
}

static void emit_udp(struct pcap_out *out, uint32_t src, uint32_t dst,
		     const uint8_t *payload, size_t len)
{
	uint8_t frame[FRAME_MAX];
	uint8_t *udp = frame + ETH_LEN + IP4_LEN;
	struct wwr w = {};
	uint32_t sum;
	uint16_t c;
	size_t flen;

	if (len > FRAME_MAX - ETH_LEN - IP4_LEN - UDP_LEN) {
		out->failed = true;
		return;
	}
	wwr_init(&w, udp, UDP_LEN + len);
	wwr_be16(&w, NBNS_PORT);
	wwr_be16(&w, NBNS_PORT);
	wwr_be16(&w, (uint16_t)(UDP_LEN + len));
	wwr_be16(&w, 0);
	wwr_bytes(&w, payload, len);
	sum = csum_pseudo(src, dst, 17, UDP_LEN + len);
	sum = csum_add(sum, udp, UDP_LEN + len);
	c = csum_fold(sum);
	/* RFC 768: a computed zero is sent as all ones */
	wwr_put_be16_at(&w, 6, c == 0 ? 0xffff : c);
	flen = frame_ip(frame, src, dst, 17, UDP_LEN + len);
	pcap_record(out, frame, flen);
}

static void emit_tcp(struct pcap_out *out, struct tcp_side *from,
		     const struct tcp_side *to, uint8_t flags,
		     const uint8_t *payload, size_t len)
{
	uint8_t frame[FRAME_MAX];
	uint8_t *tcp = frame + ETH_LEN + IP4_LEN;
	struct wwr w = {};
	uint32_t sum;
	size_t flen;

	if (len > FRAME_MAX - ETH_LEN - IP4_LEN - TCP_LEN) {
		out->failed = true;
		return;
	}
	wwr_init(&w, tcp, TCP_LEN + len);
	wwr_be16(&w, from->port);
	wwr_be16(&w, to->port);
	wwr_be32(&w, from->seq);
	wwr_be32(&w, (flags & TCP_ACK) ? to->seq : 0);
	wwr_u8(&w, (TCP_LEN / 4) << 4);
	wwr_u8(&w, flags);
	wwr_be16(&w, 65535); /* window */
	wwr_be16(&w, 0);     /* checksum, below */
	wwr_be16(&w, 0);     /* urgent pointer */
	wwr_bytes(&w, payload, len);
	sum = csum_pseudo(from->ip, to->ip, 6, TCP_LEN + len);
	sum = csum_add(sum, tcp, TCP_LEN + len);
	wwr_put_be16_at(&w, 16, csum_fold(sum));
	flen = frame_ip(frame, from->ip, to->ip, 6, TCP_LEN + len);
	pcap_record(out, frame, flen);

	from->seq += (uint32_t)len;
	if (flags & (TCP_SYN | TCP_FIN)) {
		from->seq++;
	}
}

/* ---- NBNS messages (RFC 1002 4.2, PROTOCOL.md 1.2-1.4) ---- */

static bool emit_nbns(struct pcap_out *out, bool to_server,
		      const struct nbp_packet *p)
{
	uint8_t buf[NBP_UDP_MAX];
	struct wwr w = {};
	enum twerr err;

	/* the reply capacity the server itself uses (DESIGN.md) */
	wwr_init(&w, buf, sizeof(buf));
	err = nbp_encode(&w, p);
	if (err != TWERR_OK) {
		fprintf(stderr, "pcapgen: nbp_encode: %s\n", twerr_str(err));
		return false;
	}
	if (to_server) {
		emit_udp(out, IP_CLIENT, IP_SERVER, buf, wwr_len(&w));
	} else {
		emit_udp(out, IP_SERVER, IP_CLIENT, buf, wwr_len(&w));
	}
	return true;
}

static bool make_name(struct nbn_name *n, const char *name, uint8_t suffix,
		      const char *scope)
{
	if (!nbn_make(n, name, suffix, scope)) {
		fprintf(stderr, "pcapgen: nbn_make(%s) failed\n", name);
		return false;
	}
	return true;
}

/* a request with one question (NB, IN) and, if rr != NULL, one AR */
static bool nbns_request(struct pcap_out *out, uint16_t trn, uint16_t flags,
			 const struct nbn_name *name, uint16_t qtype,
			 struct nbp_rr *rr)
{
	struct nbp_question q = {
		.name = *name,
		.qtype = qtype,
		.qclass = NBP_CLASS_IN,
	};
	struct nbp_packet p = {
		.trn_id = trn,
		.flags = flags,
		.qdcount = 1,
		.questions = &q,
		.arcount = (rr != NULL) ? 1 : 0,
		.additional = rr,
	};

	return emit_nbns(out, true, &p);
}

static bool nbns_response(struct pcap_out *out, uint16_t trn, uint16_t flags,
			  struct nbp_rr *rr)
{
	struct nbp_packet p = {
		.trn_id = trn,
		.flags = flags,
		.ancount = 1,
		.answers = rr,
	};

	return emit_nbns(out, false, &p);
}

static bool write_nbns(struct pcap_out *out)
{
	struct nbn_name fred20 = {};
	struct nbn_name fred00 = {};
	struct nbn_name nobody = {};
	struct nbn_name host_scope = {};
	struct nbn_name star = {};
	struct nbp_addr one = { .nb_flags = NBP_NB_ONT_H, .ipv4 = IP_CLIENT };
	struct nbp_addr two[2] = {
		{ .nb_flags = NBP_NB_ONT_H, .ipv4 = IP_CLIENT },
		{ .nb_flags = NBP_NB_ONT_H, .ipv4 = IP_HOST2 },
	};
	struct nbp_addr grp = {
		.nb_flags = NBP_NB_GROUP | NBP_NB_ONT_H,
		.ipv4 = IP_CLIENT,
	};
	struct nbp_nbstat_name stat_names[3] = {};
	struct nbp_nbstat stat = {
		.num_names = 3,
		.names = stat_names,
		.unit_id = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },
	};
	struct nbp_rr rr = {};
	bool ok = true;

	ok = ok && make_name(&fred20, "FRED", 0x20, NULL);
	ok = ok && make_name(&fred00, "FRED", 0x00, NULL);
	ok = ok && make_name(&nobody, "NOBODY", 0x00, NULL);
	ok = ok && make_name(&host_scope, "HOST", 0x00, "example.com");
	ok = ok && make_name(&star, "*", 0x00, NULL);
	if (!ok) {
		return false;
	}

	/* 1: name query (0x0100) */
	ok = ok &&
	     nbns_request(out, 0x0001, 0x0100, &fred20, NBP_TYPE_NB, NULL);

	/* 2: positive query response (0x8580), two addresses */
	rr = (struct nbp_rr){
		.name = fred20,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = 300000,
		.num_addrs = 2,
		.addrs = two,
	};
	ok = ok && nbns_response(out, 0x0001, 0x8580, &rr);

	/* 3: negative query response (0x8583): NULL RR, TTL 0, RDLENGTH 0 */
	rr = (struct nbp_rr){
		.name = nobody,
		.rr_type = NBP_TYPE_NULL,
		.rr_class = NBP_CLASS_IN,
		.ttl = 0,
		.rdlength = 0,
	};
	ok = ok && nbns_response(out, 0x0002, 0x8583, &rr);

	/* 4: registration (0x2900), RR name written as pointer 0xC00C */
	rr = (struct nbp_rr){
		.name = fred00,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = 300000,
		.num_addrs = 1,
		.addrs = &one,
	};
	ok = ok && nbns_request(out, 0x0003, 0x2900, &fred00, NBP_TYPE_NB, &rr);

	/* 5: WACK (0xBC00): RDATA is the request's flags word, TTL 2 */
	rr = (struct nbp_rr){
		.name = fred00,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = 2,
		.is_wack = true,
		.wack_flags = 0x2900,
	};
	ok = ok && nbns_response(out, 0x0003, 0xbc00, &rr);

	/* 6: positive registration response (0xAD80) */
	rr = (struct nbp_rr){
		.name = fred00,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = 300000,
		.num_addrs = 1,
		.addrs = &one,
	};
	ok = ok && nbns_response(out, 0x0003, 0xad80, &rr);

	/* 7: registration of a scoped name */
	rr = (struct nbp_rr){
		.name = host_scope,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = 300000,
		.num_addrs = 1,
		.addrs = &one,
	};
	ok = ok &&
	     nbns_request(out, 0x0004, 0x2900, &host_scope, NBP_TYPE_NB, &rr);

	/* 8: negative registration response, ACT_ERR (0xAD86) */
	ok = ok && nbns_response(out, 0x0004, 0xad86, &rr);

	/* 9: multi-homed registration (0x7900) */
	rr = (struct nbp_rr){
		.name = fred00,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = 300000,
		.num_addrs = 1,
		.addrs = &two[1],
	};
	ok = ok && nbns_request(out, 0x0005, 0x7900, &fred00, NBP_TYPE_NB, &rr);

	/* 10: refresh (0x4000) */
	rr.addrs = &one;
	ok = ok && nbns_request(out, 0x0006, 0x4000, &fred00, NBP_TYPE_NB, &rr);

	/* 11: release (0x3000) of a group member */
	rr = (struct nbp_rr){
		.name = fred20,
		.rr_type = NBP_TYPE_NB,
		.rr_class = NBP_CLASS_IN,
		.ttl = 0,
		.num_addrs = 1,
		.addrs = &grp,
	};
	ok = ok && nbns_request(out, 0x0007, 0x3000, &fred20, NBP_TYPE_NB, &rr);

	/* 12: release response (0xB400) */
	ok = ok && nbns_response(out, 0x0007, 0xb400, &rr);

	/* 13: node status query for "*" */
	ok = ok &&
	     nbns_request(out, 0x0008, 0x0000, &star, NBP_TYPE_NBSTAT, NULL);

	/* 14: node status response (0x8400) with three names */
	memcpy(stat_names[0].raw, fred00.raw, NBN_RAW_LEN);
	stat_names[0].flags = NBP_NB_ONT_H | NBP_NAME_ACT;
	memcpy(stat_names[1].raw, fred20.raw, NBN_RAW_LEN);
	stat_names[1].flags = NBP_NB_ONT_H | NBP_NAME_ACT;
	ok = ok && make_name(&nobody, "WORKGROUP", 0x00, NULL);
	memcpy(stat_names[2].raw, nobody.raw, NBN_RAW_LEN);
	stat_names[2].flags = NBP_NB_GROUP | NBP_NB_ONT_H | NBP_NAME_ACT;
	rr = (struct nbp_rr){
		.name = star,
		.rr_type = NBP_TYPE_NBSTAT,
		.rr_class = NBP_CLASS_IN,
		.ttl = 0,
		.nbstat = &stat,
	};
	ok = ok && nbns_response(out, 0x0008, 0x8400, &rr);

	return ok;
}

/* ---- WINS replication ([MS-WINSRA] 2.2, PROTOCOL.md 3.2-3.3) ---- */

static bool emit_wrepl(struct pcap_out *out, struct tcp_conn *c,
		       bool from_partner, const struct wrw_packet *p)
{
	TALLOC_CTX *tmp = talloc_new(NULL);
	uint8_t *buf = NULL;
	size_t len = 0;
	enum twerr err;

	if (tmp == NULL) {
		return false;
	}
	err = wrw_encode_alloc(tmp, p, &buf, &len);
	if (err != TWERR_OK) {
		fprintf(stderr, "pcapgen: wrw_encode: %s\n", twerr_str(err));
		talloc_free(tmp);
		return false;
	}
	if (from_partner) {
		emit_tcp(out, &c->a, &c->b, TCP_PSH | TCP_ACK, buf, len);
	} else {
		emit_tcp(out, &c->b, &c->a, TCP_PSH | TCP_ACK, buf, len);
	}
	talloc_free(tmp);
	return true;
}

static bool write_wrepl(struct pcap_out *out)
{
	struct tcp_conn c = {
		.a = { .ip = IP_PARTNER, .port = PARTNER_PORT, .seq = 1000 },
		.b = { .ip = IP_SERVER, .port = WREPL_PORT, .seq = 5000 },
	};
	struct wrw_owner owners[2] = {
		{ .addr = IP_SERVER,
		  .max_version = 0x100000005ull,
		  .min_version = 1 },
		{ .addr = IP_PARTNER, .max_version = 42, .min_version = 7 },
	};
	struct wrw_addr_pair sg_pairs[2] = {
		{ .owner = IP_SERVER, .ip = IP_CLIENT },
		{ .owner = IP_PARTNER, .ip = IP_HOST2 },
	};
	struct wrw_addr_pair mh_pairs[2] = {
		{ .owner = IP_SERVER, .ip = IP_CLIENT },
		{ .owner = IP_SERVER, .ip = IP_HOST2 },
	};
	struct wrw_record recs[5] = {};
	struct wrw_packet p = {};
	bool ok = true;

	/* handshake */
	emit_tcp(out, &c.a, &c.b, TCP_SYN, NULL, 0);
	emit_tcp(out, &c.b, &c.a, TCP_SYN | TCP_ACK, NULL, 0);
	emit_tcp(out, &c.a, &c.b, TCP_ACK, NULL, 0);

	/* Start Request: W2K+ (major 2, minor 5) */
	p = (struct wrw_packet){
		.mess_type = WRW_START_REQUEST,
		.start = { .handle = 0x0c0ffee1u,
			   .major = WRW_MAJOR,
			   .minor = WRW_MINOR_W2K },
	};
	ok = ok && emit_wrepl(out, &c, true, &p);

	/* Start Response */
	p = (struct wrw_packet){
		.assoc_handle = 0x0c0ffee1u,
		.mess_type = WRW_START_RESPONSE,
		.start = { .handle = 0x5eed0001u,
			   .major = WRW_MAJOR,
			   .minor = WRW_MINOR_W2K },
	};
	ok = ok && emit_wrepl(out, &c, false, &p);

	/* Owner-Version Map Request */
	p = (struct wrw_packet){
		.assoc_handle = 0x5eed0001u,
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_MAP_REQUEST,
	};
	ok = ok && emit_wrepl(out, &c, true, &p);

	/* Owner-Version Map Response with two owners */
	p = (struct wrw_packet){
		.assoc_handle = 0x0c0ffee1u,
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_MAP_RESPONSE,
		.table = { .num_owners = 2, .owners = owners },
	};
	ok = ok && emit_wrepl(out, &c, false, &p);

	/* Name Records Request for our records 1..0x100000005 */
	p = (struct wrw_packet){
		.assoc_handle = 0x5eed0001u,
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_REQUEST,
		.names_req = owners[0],
	};
	ok = ok && emit_wrepl(out, &c, true, &p);

	/* Name Records Response: unique, group, 1C sgroup, mhomed+scope, 1B */
	ok = ok && make_name(&recs[0].name, "FRED", 0x00, NULL);
	recs[0].type = WREC_UNIQUE;
	recs[0].node = WREC_NODE_H;
	recs[0].version = 1;
	recs[0].ip = IP_CLIENT;

	ok = ok && make_name(&recs[1].name, "WORKGROUP", 0x1e, NULL);
	recs[1].type = WREC_GROUP;
	recs[1].node = WREC_NODE_H;
	recs[1].version = 2;
	recs[1].ip = 0xffffffffu;

	ok = ok && make_name(&recs[2].name, "WORKGROUP", 0x1c, NULL);
	recs[2].type = WREC_SGROUP;
	recs[2].node = WREC_NODE_H;
	recs[2].version = 3;
	recs[2].num_addrs = 2;
	recs[2].addrs = sg_pairs;

	ok = ok && make_name(&recs[3].name, "HOST", 0x20, "example.com");
	recs[3].type = WREC_MHOMED;
	recs[3].node = WREC_NODE_H;
	recs[3].version = 4;
	recs[3].num_addrs = 2;
	recs[3].addrs = mh_pairs;

	ok = ok && make_name(&recs[4].name, "WORKGROUP", 0x1b, NULL);
	recs[4].type = WREC_UNIQUE;
	recs[4].state = WREC_TOMBSTONE;
	recs[4].node = WREC_NODE_H;
	recs[4].is_static = true;
	recs[4].version = 0x100000005ull;
	recs[4].ip = IP_SERVER;

	p = (struct wrw_packet){
		.assoc_handle = 0x0c0ffee1u,
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_NAMES_RESPONSE,
		.names = { .num_records = 5, .records = recs },
	};
	ok = ok && emit_wrepl(out, &c, false, &p);

	/* Update Notification (INFORM2: persistent, propagate) */
	p = (struct wrw_packet){
		.assoc_handle = 0x0c0ffee1u,
		.mess_type = WRW_REPLICATION,
		.opcode = WRW_OP_INFORM2,
		.table = { .num_owners = 1,
			   .owners = owners,
			   .initiator = IP_SERVER },
	};
	ok = ok && emit_wrepl(out, &c, false, &p);

	/* Stop Request, normal */
	p = (struct wrw_packet){
		.assoc_handle = 0x5eed0001u,
		.mess_type = WRW_STOP_REQUEST,
		.stop = { .reason = WRW_STOP_NORMAL },
	};
	ok = ok && emit_wrepl(out, &c, true, &p);

	/* teardown */
	emit_tcp(out, &c.a, &c.b, TCP_FIN | TCP_ACK, NULL, 0);
	emit_tcp(out, &c.b, &c.a, TCP_FIN | TCP_ACK, NULL, 0);
	emit_tcp(out, &c.a, &c.b, TCP_ACK, NULL, 0);
	return ok;
}

int main(int argc, char **argv)
{
	struct pcap_out out = {};
	bool ok;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE.pcap\n", argv[0]);
		return 2;
	}
	out.f = fopen(argv[1], "wb");
	if (out.f == NULL) {
		fprintf(stderr, "pcapgen: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	pcap_header(&out);
	ok = write_nbns(&out);
	if (!write_wrepl(&out)) {
		ok = false;
	}
	if (fclose(out.f) != 0) {
		out.failed = true;
	}
	if (!ok || out.failed) {
		fprintf(stderr, "pcapgen: failed to write %s\n", argv[1]);
		return 1;
	}
	printf("pcapgen: %" PRIu32 " frames written to %s\n", out.frames,
	       argv[1]);
	return 0;
}
