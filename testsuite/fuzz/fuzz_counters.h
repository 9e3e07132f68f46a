/*
 * tdbwins — counter invariants for the ingress fuzz targets.
 *
 * SECURITY.md section E: "the specific reject counter must increase by
 * exactly the number of messages sent".  After each call into ingress:
 *  - a rejected message raised exactly one reject counter, the one its
 *    result names, by one, and nothing else (docs/wire-nbns.md: notes are
 *    counted only for accepted messages);
 *  - an accepted message raised "accepted" by one, no reject counter, and
 *    each note counter by at most one;
 *  - a framing check that let a length through changed nothing; one that
 *    refused it raised exactly the counter it returned.
 */
#ifndef TDBWINS_FUZZ_COUNTERS_H
#define TDBWINS_FUZZ_COUNTERS_H

#include "fuzz_common.h"
#include "ingress/ingress.h"

static inline bool fuzz_is_note(enum ingress_reason r)
{
	return r >= INGRESS_NOTE_TRAILING && r < INGRESS_REASON_COUNT;
}

static inline bool fuzz_is_reject(enum ingress_reason r)
{
	return r > INGRESS_OK && r < INGRESS_NOTE_TRAILING;
}

static inline void fuzz_check_counted(const char *target,
				      const struct ingress_stats *before,
				      const struct ingress_stats *after,
				      enum ingress_verdict verdict,
				      enum ingress_reason reason)
{
	bool accepted = (verdict == INGRESS_ACCEPT);
	uint64_t want = before->accepted + (accepted ? 1 : 0);
	int r;

	if (after->accepted != want) {
		fuzz_fail(target, "accepted counter moved wrongly");
	}
	if (!accepted && !fuzz_is_reject(reason)) {
		fuzz_fail(target, "rejection without a reject reason");
	}
	for (r = 1; r < INGRESS_REASON_COUNT; r++) {
		uint64_t d = after->by_reason[r] - before->by_reason[r];
		bool note = fuzz_is_note((enum ingress_reason)r);

		if (accepted) {
			if ((!note && d != 0) || (note && d > 1)) {
				fuzz_fail(target, "an accepted message moved "
						  "a reject counter");
			}
			continue;
		}
		if (d != ((r == (int)reason) ? 1u : 0u)) {
			fuzz_fail(target, "a rejection was not counted "
					  "exactly once under its reason");
		}
	}
}

static inline void fuzz_check_frame(const char *target,
				    const struct ingress_stats *before,
				    const struct ingress_stats *after,
				    enum ingress_reason r)
{
	int i;

	if (r != INGRESS_OK) {
		fuzz_check_counted(target, before, after, INGRESS_DROP, r);
		return;
	}
	if (after->accepted != before->accepted) {
		fuzz_fail(target, "a length let through moved a counter");
	}
	for (i = 0; i < INGRESS_REASON_COUNT; i++) {
		if (after->by_reason[i] != before->by_reason[i]) {
			fuzz_fail(target, "a length let through moved a "
					  "counter");
		}
	}
}

#endif /* TDBWINS_FUZZ_COUNTERS_H */
