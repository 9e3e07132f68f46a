/*
 * tdbwins — error codes shared by every layer.
 *
 * Peer faults (something we received was wrong) are kept apart from our own
 * faults (memory, disk, a full buffer) so that a caller can answer FMT_ERR for
 * the first kind and SRV_ERR for the second, as Unbound keeps FORMERR and
 * SERVFAIL apart.
 */
#ifndef TDBWINS_TWERR_H
#define TDBWINS_TWERR_H

#include <stdbool.h>

enum twerr {
	TWERR_OK = 0,

	/* --- peer faults: the input is wrong --- */
	TWERR_TRUNCATED,	/* a read ran past the end of the input */
	TWERR_TOO_SHORT,	/* message or frame below its minimum size */
	TWERR_TOO_LONG,		/* message or frame above its maximum size */
	TWERR_BAD_HEADER,	/* header fields inconsistent */
	TWERR_BAD_OPCODE,	/* opcode or message type not defined */
	TWERR_BAD_COUNT,	/* a count field does not fit the bytes present */
	TWERR_BAD_LABEL,	/* label length/type invalid (0x40/0x80, > 63) */
	TWERR_BAD_NAME,		/* first-level label not 32 x 'A'..'P' */
	TWERR_BAD_POINTER,	/* compression pointer not strictly backward */
	TWERR_NAME_TOO_LONG,	/* decoded name or scope over its cap */
	TWERR_BAD_RR,		/* RR type/class/rdlength not as required */
	TWERR_BAD_VALUE,	/* a field holds a value outside its range */
	TWERR_TRAILING,		/* bytes left after a complete message */

	/* --- our own faults --- */
	TWERR_NOMEM,		/* allocation failed */
	TWERR_NOSPACE,		/* bounded writer out of capacity */
	TWERR_IO,		/* system call failed */
	TWERR_DB,		/* database error */
	TWERR_CORRUPT,		/* stored data did not decode */
	TWERR_INTERNAL,		/* programmer error detected at run time */

	TWERR_COUNT
};

/* Short, stable, human-readable text for an error code. */
const char *twerr_str(enum twerr err);

/* true for errors caused by what a peer sent us. */
bool twerr_is_peer(enum twerr err);

#endif /* TDBWINS_TWERR_H */
