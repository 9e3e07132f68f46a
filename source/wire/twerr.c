/*
 * tdbwins — error code text.
 */
#include <stddef.h>

#include "twerr.h"

static const char *const twerr_text[TWERR_COUNT] = {
	[TWERR_OK] = "ok",
	[TWERR_TRUNCATED] = "truncated input",
	[TWERR_TOO_SHORT] = "message too short",
	[TWERR_TOO_LONG] = "message too long",
	[TWERR_BAD_HEADER] = "bad header",
	[TWERR_BAD_OPCODE] = "bad opcode",
	[TWERR_BAD_COUNT] = "count does not fit the message",
	[TWERR_BAD_LABEL] = "bad label",
	[TWERR_BAD_NAME] = "bad NetBIOS name",
	[TWERR_BAD_POINTER] = "bad compression pointer",
	[TWERR_NAME_TOO_LONG] = "name too long",
	[TWERR_BAD_RR] = "bad resource record",
	[TWERR_BAD_VALUE] = "value out of range",
	[TWERR_TRAILING] = "trailing bytes",
	[TWERR_NOMEM] = "out of memory",
	[TWERR_NOSPACE] = "output buffer full",
	[TWERR_IO] = "I/O error",
	[TWERR_DB] = "database error",
	[TWERR_CORRUPT] = "stored data corrupt",
	[TWERR_INTERNAL] = "internal error",
};

const char *twerr_str(enum twerr err)
{
	if ((unsigned)err >= TWERR_COUNT || twerr_text[err] == NULL) {
		return "unknown error";
	}
	return twerr_text[err];
}

bool twerr_is_peer(enum twerr err)
{
	return err > TWERR_OK && err < TWERR_NOMEM;
}
