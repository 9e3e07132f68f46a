/*
 * tdbwins — writes the seed corpus for the libFuzzer targets.
 *
 *   seeds OUTDIR   -> OUTDIR/<target>/<name> files
 *
 * The seeds are the unit-test vector tables (testsuite/unit/vectors_nbns.h,
 * vectors_wrepl.h: valid and hostile messages, SECURITY.md section E) when
 * they exist, plus a few well-formed messages built here so that every
 * target starts from inputs that reach deep into the decoders even before
 * those tables are written.  For fuzz_tcp137 each NBNS vector gets its
 * 2-byte length prefix, and one seed chains two messages; for fuzz_wrepl
 * each vector (already a whole PDU with its Packet Length) gets its stage
 * byte.
 *
 * With SEEDS_HAVE_WREC (run.sh defines it when the store's record codec
 * is in the tree, and links a plain build of the core), fuzz_wrec gets
 * stored records written by wrec_encode() itself.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#if defined(__has_include)
#if __has_include("vectors_nbns.h")
#include "vectors_nbns.h"
#define SEEDS_HAVE_NBNS_VECTORS 1
#endif
#if __has_include("vectors_wrepl.h")
#include "vectors_wrepl.h"
#define SEEDS_HAVE_WREPL_VECTORS 1
#endif
#endif

#ifdef SEEDS_HAVE_WREC
#include "store/wrec_codec.h"
#endif

#define SEED_MAX 8192

struct seed_buf {
	uint8_t b[SEED_MAX];
	size_t len;
};

static const char *outdir;
static unsigned seeds_written;
static bool seeds_failed;

static void put8(struct seed_buf *s, uint8_t v)
{
	if (s->len < sizeof(s->b)) {
		s->b[s->len] = v;
		s->len++;
	}
}

static void put16(struct seed_buf *s, uint16_t v)
{
	put8(s, (uint8_t)(v >> 8));
	put8(s, (uint8_t)v);
}

static void put32(struct seed_buf *s, uint32_t v)
{
	put16(s, (uint16_t)(v >> 16));
	put16(s, (uint16_t)v);
}

static void put_bytes(struct seed_buf *s, const void *p, size_t n)
{
	const uint8_t *u = p;
	size_t i;

	for (i = 0; i < n; i++) {
		put8(s, u[i]);
	}
}

static void make_dir(const char *path)
{
	int ret;

	ret = mkdir(path, 0755);
	if (ret != 0 && errno != EEXIST) {
		fprintf(stderr, "seeds: mkdir %s: %s\n", path, strerror(errno));
		seeds_failed = true;
	}
}

static void write_seed(const char *target, const char *name, const uint8_t *p,
		       size_t n)
{
	char path[4096];
	char safe[128];
	FILE *f = NULL;
	size_t i;
	int ret;

	/* Vector names become file names: keep [A-Za-z0-9_-] only. */
	for (i = 0; name[i] != '\0' && i < sizeof(safe) - 1; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_';

		safe[i] = ok ? c : '_';
	}
	safe[i] = '\0';

	ret = snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (ret < 0 || (size_t)ret >= sizeof(path)) {
		seeds_failed = true;
		return;
	}
	make_dir(path);
	ret = snprintf(path, sizeof(path), "%s/%s/%04u-%s", outdir, target,
		       seeds_written, safe);
	if (ret < 0 || (size_t)ret >= sizeof(path)) {
		seeds_failed = true;
		return;
	}
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "seeds: %s: %s\n", path, strerror(errno));
		seeds_failed = true;
		return;
	}
	if (n > 0 && fwrite(p, 1, n, f) != n) {
		seeds_failed = true;
	}
	if (fclose(f) != 0) {
		seeds_failed = true;
	}
	seeds_written++;
}

/* ---- NBNS ---- */

/* RFC 1001 14.1 first-level encoding: 16 raw bytes -> 32 x 'A'..'P'. */
static void put_nbname(struct seed_buf *s, const char *name, uint8_t suffix,
		       const char *scope)
{
	uint8_t raw[16];
	size_t i;

	memset(raw, ' ', 15);
	for (i = 0; name[i] != '\0' && i < 15; i++) {
		raw[i] = (uint8_t)name[i];
	}
	raw[15] = suffix;
	put8(s, 32);
	for (i = 0; i < 16; i++) {
		put8(s, (uint8_t)('A' + (raw[i] >> 4)));
		put8(s, (uint8_t)('A' + (raw[i] & 0x0f)));
	}
	while (scope != NULL && *scope != '\0') {
		const char *dot = strchr(scope, '.');
		size_t n = (dot != NULL) ? (size_t)(dot - scope) :
					   strlen(scope);

		put8(s, (uint8_t)n);
		put_bytes(s, scope, n);
		scope += n;
		if (*scope == '.') {
			scope++;
		}
	}
	put8(s, 0);
}

static void put_header(struct seed_buf *s, uint16_t trn, uint16_t flags,
		       uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	put16(s, trn);
	put16(s, flags);
	put16(s, qd);
	put16(s, an);
	put16(s, ns);
	put16(s, ar);
}

/* an NB RR named by a pointer to the question (0xC00C), one address */
static void put_nb_rr_ptr(struct seed_buf *s, uint32_t ttl, uint16_t nbflags,
			  uint32_t ip)
{
	put16(s, 0xc00c);
	put16(s, 0x0020);
	put16(s, 0x0001);
	put32(s, ttl);
	put16(s, 6);
	put16(s, nbflags);
	put32(s, ip);
}

static void nbns_request_seeds(struct seed_buf *q, struct seed_buf *reg)
{
	struct seed_buf s = {};

	/* name query, RD (PROTOCOL.md 1.2: 0x0100) */
	q->len = 0;
	put_header(q, 0x1001, 0x0100, 1, 0, 0, 0);
	put_nbname(q, "FRED", 0x20, NULL);
	put16(q, 0x0020);
	put16(q, 0x0001);

	/* registration 0x2900, RR name 0xC00C, H-node, 198.18.0.5 */
	reg->len = 0;
	put_header(reg, 0x1002, 0x2900, 1, 0, 0, 1);
	put_nbname(reg, "FRED", 0x00, NULL);
	put16(reg, 0x0020);
	put16(reg, 0x0001);
	put_nb_rr_ptr(reg, 300000, 0x6000, 0xc6120005);

	write_seed("fuzz_nbns_request", "builtin-query", q->b, q->len);
	write_seed("fuzz_nbns_request", "builtin-register", reg->b, reg->len);

	/* multi-homed registration with a scope, refresh, release */
	put_header(&s, 0x1003, 0x7900, 1, 0, 0, 1);
	put_nbname(&s, "HOST", 0x00, "example.com");
	put16(&s, 0x0020);
	put16(&s, 0x0001);
	put_nb_rr_ptr(&s, 300000, 0x6000, 0xc6120006);
	write_seed("fuzz_nbns_request", "builtin-mhreg-scope", s.b, s.len);

	s.len = 0;
	put_header(&s, 0x1004, 0x4000, 1, 0, 0, 1);
	put_nbname(&s, "FRED", 0x00, NULL);
	put16(&s, 0x0020);
	put16(&s, 0x0001);
	put_nb_rr_ptr(&s, 300000, 0x6000, 0xc6120005);
	write_seed("fuzz_nbns_request", "builtin-refresh", s.b, s.len);

	s.len = 0;
	put_header(&s, 0x1005, 0x3000, 1, 0, 0, 1);
	put_nbname(&s, "WORKGROUP", 0x1c, NULL);
	put16(&s, 0x0020);
	put16(&s, 0x0001);
	put_nb_rr_ptr(&s, 0, 0xe000, 0xc6120005);
	write_seed("fuzz_nbns_request", "builtin-release-group", s.b, s.len);

	/* node status query for "*" */
	s.len = 0;
	put_header(&s, 0x1006, 0x0000, 1, 0, 0, 0);
	put8(&s, 32);
	put8(&s, 'C');
	put8(&s, 'K');
	for (size_t i = 0; i < 30; i++) {
		put8(&s, 'A');
	}
	put8(&s, 0);
	put16(&s, 0x0021);
	put16(&s, 0x0001);
	write_seed("fuzz_nbns_request", "builtin-nbstat", s.b, s.len);
}

static void nbns_response_seeds(void)
{
	struct seed_buf s = {};

	/* challenge answer: positive query response with two addresses */
	put_header(&s, 0x2001, 0x8500, 0, 1, 0, 0);
	put_nbname(&s, "FRED", 0x00, NULL);
	put16(&s, 0x0020);
	put16(&s, 0x0001);
	put32(&s, 300000);
	put16(&s, 12);
	put16(&s, 0x6000);
	put32(&s, 0xc6120005);
	put16(&s, 0x6000);
	put32(&s, 0xc6120006);
	write_seed("fuzz_nbns_response", "builtin-positive", s.b, s.len);

	/* negative query response: NULL RR, TTL 0, RDLENGTH 0 */
	s.len = 0;
	put_header(&s, 0x2002, 0x8503, 0, 1, 0, 0);
	put_nbname(&s, "FRED", 0x00, NULL);
	put16(&s, 0x000a);
	put16(&s, 0x0001);
	put32(&s, 0);
	put16(&s, 0);
	write_seed("fuzz_nbns_response", "builtin-negative", s.b, s.len);

	/* release response */
	s.len = 0;
	put_header(&s, 0x2003, 0xb400, 0, 1, 0, 0);
	put_nbname(&s, "FRED", 0x00, NULL);
	put16(&s, 0x0020);
	put16(&s, 0x0001);
	put32(&s, 0);
	put16(&s, 6);
	put16(&s, 0x6000);
	put32(&s, 0xc6120005);
	write_seed("fuzz_nbns_response", "builtin-release", s.b, s.len);
}

static void tcp137_seed(const char *name, const uint8_t *p, size_t n)
{
	struct seed_buf s = {};

	if (n > 0xffff) {
		return;
	}
	put16(&s, (uint16_t)n);
	put_bytes(&s, p, n);
	write_seed("fuzz_tcp137", name, s.b, s.len);
}

static void tcp137_seeds(const struct seed_buf *q, const struct seed_buf *reg)
{
	struct seed_buf s = {};

	tcp137_seed("builtin-query", q->b, q->len);
	put16(&s, (uint16_t)q->len);
	put_bytes(&s, q->b, q->len);
	put16(&s, (uint16_t)reg->len);
	put_bytes(&s, reg->b, reg->len);
	write_seed("fuzz_tcp137", "builtin-two-frames", s.b, s.len);
}

/* ---- WINS replication ---- */

static void wr_header(struct seed_buf *s, uint32_t handle, uint32_t type)
{
	put32(s, 0x00007800);
	put32(s, handle);
	put32(s, type);
}

static void wrepl_seed(const char *name, unsigned stage, const uint8_t *p,
		       size_t n)
{
	struct seed_buf s = {};

	put8(&s, (uint8_t)stage);
	put32(&s, (uint32_t)n);
	put_bytes(&s, p, n);
	write_seed("fuzz_wrepl", name, s.b, s.len);
}

/* Name Record, [MS-WINSRA] 2.2.10.1 / PROTOCOL.md 3.3 */
static void wr_record(struct seed_buf *s, const char *name, uint8_t suffix,
		      const char *scope, uint32_t flags, uint64_t version,
		      unsigned naddrs)
{
	uint8_t raw[16];
	size_t scope_len = (scope != NULL) ? strlen(scope) : 0;
	uint32_t name_len = (uint32_t)(16 + scope_len + 1);
	size_t pad;
	size_t i;

	memset(raw, ' ', 15);
	for (i = 0; name[i] != '\0' && i < 15; i++) {
		raw[i] = (uint8_t)name[i];
	}
	raw[15] = suffix;
	if (suffix == 0x1b) {
		/* the Windows byte swap, PROTOCOL.md 3.3 */
		uint8_t t = raw[0];

		raw[0] = raw[15];
		raw[15] = t;
	}
	put32(s, name_len);
	put_bytes(s, raw, 16);
	put_bytes(s, scope, scope_len);
	put8(s, 0);
	pad = 4 - (name_len % 4); /* 1..4: 4 when already aligned */
	for (i = 0; i < pad; i++) {
		put8(s, 0);
	}
	put32(s, flags);
	/* Group byte, little-endian word */
	put8(s, ((flags & 3) == 1 || (flags & 3) == 2) ? 1 : 0);
	put8(s, 0);
	put8(s, 0);
	put8(s, 0);
	put32(s, (uint32_t)(version >> 32));
	put32(s, (uint32_t)version);
	if ((flags & 3) < 2) {
		put32(s, (flags & 3) == 1 ? 0xffffffff : 0xc6120005);
	} else {
		put8(s, (uint8_t)naddrs);
		put8(s, 0);
		put8(s, 0);
		put8(s, 0);
		for (i = 0; i < naddrs; i++) {
			put32(s, 0xc6120001);
			put32(s, 0xc6120010 + (uint32_t)i);
		}
	}
	put32(s, 0xffffffff);
}

static void wr_owner(struct seed_buf *s, uint32_t addr, uint64_t max,
		     uint64_t min)
{
	put32(s, addr);
	put32(s, (uint32_t)(max >> 32));
	put32(s, (uint32_t)max);
	put32(s, (uint32_t)(min >> 32));
	put32(s, (uint32_t)min);
	put32(s, 1);
}

static void wrepl_seeds(void)
{
	struct seed_buf s = {};
	unsigned i;

	/* Start Request, W2K+ (major 2, minor 5), padded to 41 */
	wr_header(&s, 0, 0);
	put32(&s, 0x5eed0001);
	put16(&s, 2);
	put16(&s, 5);
	for (i = 0; i < 21; i++) {
		put8(&s, 0);
	}
	wrepl_seed("builtin-start", 0, s.b, s.len);

	/* Stop Request, 40 bytes */
	s.len = 0;
	wr_header(&s, 0x5eed0002, 2);
	put32(&s, 0);
	for (i = 0; i < 24; i++) {
		put8(&s, 0);
	}
	wrepl_seed("builtin-stop", 1, s.b, s.len);

	/* Owner-Version Map Request */
	s.len = 0;
	wr_header(&s, 0x5eed0002, 3);
	put32(&s, 0);
	wrepl_seed("builtin-map-request", 1, s.b, s.len);

	/* Owner-Version Map Response, two owners */
	s.len = 0;
	wr_header(&s, 0x5eed0002, 3);
	put32(&s, 1);
	put32(&s, 2);
	wr_owner(&s, 0xc6120001, 100, 1);
	wr_owner(&s, 0xc6120002, 0x100000000ull, 7);
	put32(&s, 0);
	wrepl_seed("builtin-map-response", 2, s.b, s.len);

	/* Name Records Request */
	s.len = 0;
	wr_header(&s, 0x5eed0002, 3);
	put32(&s, 2);
	wr_owner(&s, 0xc6120001, 100, 1);
	wrepl_seed("builtin-names-request", 1, s.b, s.len);

	/* Name Records Response: unique, group, 1C sgroup, mhomed+scope, 1B */
	s.len = 0;
	wr_header(&s, 0x5eed0002, 3);
	put32(&s, 3);
	put32(&s, 5);
	wr_record(&s, "FRED", 0x00, NULL, 0x60, 1, 0);
	wr_record(&s, "WORKGROUP", 0x1e, NULL, 0x61, 2, 0);
	wr_record(&s, "WORKGROUP", 0x1c, NULL, 0x62, 3, 3);
	wr_record(&s, "HOST", 0x20, "example.com", 0x63, 4, 2);
	wr_record(&s, "WORKGROUP", 0x1b, NULL, 0x60, 5, 0);
	wrepl_seed("builtin-names-response", 2, s.b, s.len);

	/* Update Notification (INFORM2) with initiator */
	s.len = 0;
	wr_header(&s, 0x5eed0002, 3);
	put32(&s, 9);
	put32(&s, 1);
	wr_owner(&s, 0xc6120001, 100, 1);
	put32(&s, 0xc6120001);
	wrepl_seed("builtin-inform2", 1, s.b, s.len);
}

/* ---- stored records (fuzz_wrec) ---- */

#ifdef SEEDS_HAVE_WREC
static void wrec_seed(const char *label, const struct wrec *rec)
{
	uint8_t buf[WREC_CODEC_MAX_LEN];
	struct wwr w = {};
	enum twerr err;

	wwr_init(&w, buf, sizeof(buf));
	err = wrec_encode(&w, rec);
	if (err != TWERR_OK) {
		fprintf(stderr, "seeds: wrec_encode(%s): %s\n", label,
			twerr_str(err));
		seeds_failed = true;
		return;
	}
	write_seed("fuzz_wrec", label, buf, wwr_len(&w));
}

static void wrec_seeds(void)
{
	struct wrec rec = {};
	uint8_t i;

	if (!nbn_make(&rec.name, "FRED", 0x00, NULL)) {
		seeds_failed = true;
		return;
	}
	rec.type = WREC_UNIQUE;
	rec.state = WREC_ACTIVE;
	rec.node = WREC_NODE_H;
	rec.owner = 0xc6120001;
	rec.version = 1;
	rec.expire = 1700000000;
	rec.registered_by = 0xc6120010;
	rec.num_addrs = 1;
	rec.addrs[0].ip = 0xc6120010;
	rec.addrs[0].owner = 0xc6120001;
	rec.addrs[0].expire = 1700000000;
	wrec_seed("builtin-unique", &rec);

	rec.state = WREC_TOMBSTONE;
	rec.is_static = true;
	rec.version = 0x100000005ull;
	wrec_seed("builtin-tombstone-static", &rec);

	rec = (struct wrec){};
	if (!nbn_make(&rec.name, "WORKGROUP", 0x1c, NULL)) {
		seeds_failed = true;
		return;
	}
	rec.type = WREC_SGROUP;
	rec.node = WREC_NODE_H;
	rec.owner = 0xc6120001;
	rec.version = 7;
	rec.expire = 1700000000;
	rec.num_addrs = WREC_MAX_ADDRS;
	for (i = 0; i < WREC_MAX_ADDRS; i++) {
		rec.addrs[i].ip = 0xc6120100u + i;
		rec.addrs[i].owner = 0xc6120001u + (i % 2);
		rec.addrs[i].expire = 1700000000 + i;
	}
	wrec_seed("builtin-sgroup-25", &rec);

	rec.type = WREC_MHOMED;
	rec.num_addrs = 2;
	if (!nbn_make(&rec.name, "HOST", 0x20, "example.com")) {
		seeds_failed = true;
		return;
	}
	wrec_seed("builtin-mhomed-scope", &rec);

	rec.type = WREC_GROUP;
	rec.num_addrs = 0;
	if (!nbn_make(&rec.name, "WORKGROUP", 0x1e, NULL)) {
		seeds_failed = true;
		return;
	}
	wrec_seed("builtin-group", &rec);
}
#endif

/* ---- the vector tables of the unit tests ---- */

#ifdef SEEDS_HAVE_NBNS_VECTORS
/*
 * Requests seed the request path, both TCP framings and (as unsolicited
 * input) the response path; responses seed the response path and, as
 * hostile input, the request path.
 */
static void nbns_vector_seeds(void)
{
	size_t i;

	for (i = 0; i < nbns_vectors_count; i++) {
		const char *name = nbns_vectors[i].name;
		const uint8_t *p = nbns_vectors[i].bytes;
		size_t n = nbns_vectors[i].len;

		write_seed("fuzz_nbns_request", name, p, n);
		write_seed("fuzz_nbns_response", name, p, n);
		tcp137_seed(name, p, n);
	}
	for (i = 0; i < nbns_response_vectors_count; i++) {
		const char *name = nbns_response_vectors[i].name;
		const uint8_t *p = nbns_response_vectors[i].bytes;
		size_t n = nbns_response_vectors[i].len;

		write_seed("fuzz_nbns_response", name, p, n);
		write_seed("fuzz_nbns_request", name, p, n);
	}
}
#endif

#ifdef SEEDS_HAVE_WREPL_VECTORS
/* The vectors hold the whole PDU, Packet Length included. */
static void wrepl_vector_seeds(void)
{
	size_t i;

	for (i = 0; i < wrepl_vectors_count; i++) {
		struct seed_buf s = {};

		put8(&s, (uint8_t)wrepl_vectors[i].stage);
		put_bytes(&s, wrepl_vectors[i].bytes, wrepl_vectors[i].len);
		write_seed("fuzz_wrepl", wrepl_vectors[i].name, s.b, s.len);
	}
}
#endif

int main(int argc, char **argv)
{
	struct seed_buf q = {};
	struct seed_buf reg = {};

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	make_dir(outdir);

	nbns_request_seeds(&q, &reg);
	nbns_response_seeds();
	tcp137_seeds(&q, &reg);
	wrepl_seeds();
#ifdef SEEDS_HAVE_WREC
	wrec_seeds();
#endif
#ifdef SEEDS_HAVE_NBNS_VECTORS
	nbns_vector_seeds();
#endif
#ifdef SEEDS_HAVE_WREPL_VECTORS
	wrepl_vector_seeds();
#endif
	printf("seeds: %u files in %s (nbns vectors: %s, wrepl vectors: %s)\n",
	       seeds_written, outdir,
#ifdef SEEDS_HAVE_NBNS_VECTORS
	       "yes",
#else
	       "not yet",
#endif
#ifdef SEEDS_HAVE_WREPL_VECTORS
	       "yes"
#else
	       "not yet"
#endif
	);
	return seeds_failed ? 1 : 0;
}
