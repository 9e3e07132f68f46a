/*
 * libFuzzer target: the TCP 137 path.  The input is a byte stream as a
 * client would send it: frames of a 2-byte big-endian length prefix and a
 * body ([RFC 1002] 4.2.1, PROTOCOL.md 1.1).  Each prefix goes through
 * ingress_tcp137_frame() *before* its body is taken, as the stream reader
 * does; a refused prefix closes the stream, an incomplete body waits for
 * bytes that never come.  Each complete body goes through
 * ingress_nbns_request() with the same struct ingress, so the counters see
 * the whole stream.
 *
 * Sources: source/wire/{wcur,wwr,twerr,nbname,nbns}.c,
 * source/ingress/ingress*.c (testsuite/fuzz/run.sh links them all).
 * twbuild-needs: source/wire/nbname.c source/wire/nbns.c
 * twbuild-needs: source/ingress/ingress.c source/ingress/ingress_nbns.c
 */
#include "fuzz_nbns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingress ig = {};
	size_t pos = 0;

	ingress_init(&ig);
	while (size - pos >= 2) {
		uint16_t prefix = fuzz_be16(data + pos);
		struct ingress_stats before = ig.stats;
		enum ingress_reason r;

		r = ingress_tcp137_frame(&ig, prefix);
		fuzz_check_frame("fuzz_tcp137", &before, &ig.stats, r);
		if (r != INGRESS_OK) {
			break; /* the reader closes the stream */
		}
		pos += 2;
		if (prefix > size - pos) {
			break; /* body never completes */
		}
		fuzz_nbns_one("fuzz_tcp137", ingress_nbns_request, &ig,
			      data + pos, prefix);
		pos += prefix;
	}
	return 0;
}
