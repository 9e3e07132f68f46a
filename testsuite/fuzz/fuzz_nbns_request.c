/*
 * libFuzzer target: ingress_nbns_request(), the one validating entry for
 * NBNS requests arriving on UDP 137 and TCP 137 (DESIGN.md, "The rule this
 * project exists for"; SECURITY.md section E).  The input is one NBNS
 * message without any TCP length prefix.
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

	ingress_init(&ig);
	fuzz_nbns_one("fuzz_nbns_request", ingress_nbns_request, &ig, data,
		      size);
	return 0;
}
