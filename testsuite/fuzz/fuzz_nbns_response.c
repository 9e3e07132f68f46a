/*
 * libFuzzer target: ingress_nbns_response(), the entry for NBNS responses
 * to queries the server itself sent (name challenges, release demands).
 * The input is one NBNS message without any TCP length prefix.
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
	fuzz_nbns_one("fuzz_nbns_response", ingress_nbns_response, &ig, data,
		      size);
	return 0;
}
