/*
 * tdbwins — fill a struct twconf from a Samba loadparm context, so that
 * tdbwinsd and tdbwins.so give every smb.conf option the same meaning.
 */
#ifndef TDBWINS_LPCONF_H
#define TDBWINS_LPCONF_H

#include <stdbool.h>
#include <talloc.h>

#include "../../conf/twconf.h"

struct loadparm_context;

/*
 * Returns a checked configuration on mem_ctx, or NULL with *errmsg set.
 */
struct twconf *lpconf_read(TALLOC_CTX *mem_ctx, struct loadparm_context *lp,
			   char **errmsg);

/* The embedded default configuration: loopback, private state dir. */
struct twconf *lpconf_builtin(TALLOC_CTX *mem_ctx, const char *state_dir,
			      char **errmsg);

#endif /* TDBWINS_LPCONF_H */
