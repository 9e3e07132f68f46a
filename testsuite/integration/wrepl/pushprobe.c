/*
 * pushprobe — send one update notification with tdbwins's push engine
 * (source/wrepl/wrp_push.c) and report the outcome.  An integration-test
 * driver for dc.sh: tdbwinsd does not read the push options yet, so the
 * engine is exercised against a real partner from here.
 *
 *   pushprobe PARTNER LOCAL_IP OPCODE OWNER MAX_VERSION [INITIATOR]
 *
 * OPCODE 8 (INFORM) or 9 (INFORM2); the table names one owner with
 * versions 1..MAX_VERSION; INITIATOR defaults to LOCAL_IP.  Prints
 * "push: <result>" and exits 0 when the notification and the Stop went
 * out.  Built by dc.sh against build/libtwcore.a.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "wrepl/wrp_push.h"
#include "util/twlog.h"

static bool parse_ip(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		return false;
	}
	*out = ntohl(a.s_addr);
	return true;
}

int main(int argc, char **argv)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct tevent_context *ev = NULL;
	struct tevent_req *req = NULL;
	struct ingress ig;
	struct wrw_owner owner = {
		.min_version = 1,
		.type = WRW_OWNER_TYPE,
	};
	struct wrw_table table = {
		.num_owners = 1,
		.owners = &owner,
	};
	uint32_t partner = 0;
	uint32_t local = 0;
	enum twerr err = TWERR_IO;
	int op;
	int rc = 1;

	if (argc < 6 || !parse_ip(argv[1], &partner) ||
	    !parse_ip(argv[2], &local) || !parse_ip(argv[4], &owner.addr)) {
		fprintf(stderr, "usage: pushprobe PARTNER LOCAL_IP OPCODE "
			"OWNER MAX_VERSION [INITIATOR]\n");
		goto done;
	}
	op = atoi(argv[3]);
	owner.max_version = strtoull(argv[5], NULL, 10);
	table.initiator = local;
	if (argc > 6 && !parse_ip(argv[6], &table.initiator)) {
		fprintf(stderr, "bad initiator\n");
		goto done;
	}
	ev = tevent_context_init(mem);
	if (ev == NULL) {
		goto done;
	}
	ingress_init(&ig);
	req = wrp_push_send(mem, ev, &ig, partner, 42, local,
			    (enum wrw_opcode)op, &table);
	if (req == NULL) {
		goto done;
	}
	if (!tevent_req_poll(req, ev)) {
		goto done;
	}
	err = wrp_push_recv(req);
	printf("push: %s\n", twerr_str(err));
	rc = err == TWERR_OK ? 0 : 1;
done:
	talloc_free(mem);
	return rc;
}
