/*
 * tdbwins — helpers shared by the libFuzzer targets (testsuite/fuzz/).
 *
 * Each target copies the input into a buffer of exactly its size that it
 * owns (so AddressSanitizer sees a read one byte past the end), calls one
 * ingress entry with a fresh talloc context, and checks that the context
 * holds nothing afterwards but what the entry was documented to return.
 * A broken invariant is reported and abort()ed, which libFuzzer records as
 * a crash with the input saved (STYLE.md "Tests"; Knot's fuzz_packet.c).
 */
#ifndef TDBWINS_FUZZ_COMMON_H
#define TDBWINS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_fail(const char *target, const char *what)
{
	fprintf(stderr, "%s: invariant broken: %s\n", target, what);
	abort();
}

/*
 * An owned copy of exactly n bytes, not a child of any context the entry
 * under test sees (so it does not count as something the entry left).
 */
static inline uint8_t *fuzz_copy(const char *target, const uint8_t *data,
				 size_t n)
{
	uint8_t *buf = NULL;

	buf = talloc_size(NULL, n);
	if (buf == NULL) {
		fuzz_fail(target, "out of memory copying the input");
	}
	if (n > 0) {
		memcpy(buf, data, n);
	}
	return buf;
}

/*
 * mem_ctx must hold nothing but itself: whatever the entry allocated there
 * and did not hand back is a leak for the life of the connection.
 */
static inline void fuzz_check_empty(const char *target, TALLOC_CTX *mem_ctx,
				    const char *when)
{
	size_t blocks = talloc_total_blocks(mem_ctx);

	if (blocks != 1) {
		fprintf(stderr, "%s: %zu talloc block(s) left on mem_ctx %s\n",
			target, blocks - 1, when);
		talloc_report_full(mem_ctx, stderr);
		fuzz_fail(target, "memory left on mem_ctx");
	}
}

static inline uint16_t fuzz_be16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t fuzz_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

#endif /* TDBWINS_FUZZ_COMMON_H */
