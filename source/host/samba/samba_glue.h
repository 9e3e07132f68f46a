/*
 * tdbwins — every declaration of Samba-private API the module uses, and
 * nothing else.  These symbols are not in Samba's installed headers; they
 * live in private libraries of the `samba` daemon (libservice-samba4,
 * libMESSAGING-samba4, libsamba-debug-samba4) and resolve from that process
 * when it dlopen()s tdbwins.so.  No other file in the tree may declare
 * Samba-private things (DESIGN.md "Samba integration facts").
 *
 * Layouts were compared in Samba 4.17 and 4.19+ (source4/samba/service.h,
 * source4/samba/service_task.h, source4/lib/messaging/messaging.h,
 * librpc/idl/messaging.idl, lib/util/debug.h).
 */
#ifndef TDBWINS_SAMBA_GLUE_H
#define TDBWINS_SAMBA_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <talloc.h>

#define TWSAMBA_EXPORT __attribute__((visibility("default")))

/*
 * NTSTATUS.  Samba builds it either as a struct holding one uint32_t
 * (HAVE_IMMEDIATE_STRUCTURES) or as a plain uint32_t; the SysV x86-64 and
 * AArch64 ABIs pass and return both in the same register, so a uint32_t
 * is binary-compatible with either build.
 */
#define TWSAMBA_NT_STATUS_OK 0x00000000u
#define TWSAMBA_NT_STATUS_UNSUCCESSFUL 0xC0000001u
#define TWSAMBA_NT_STATUS_NO_MEMORY 0xC0000017u

/* librpc/idl/server_id.idl; passed by value to message handlers, so the
 * layout must be exact. */
struct server_id {
	uint64_t pid;
	uint32_t task_id;
	uint32_t vnn;
	uint64_t unique_id;
};

struct tevent_context;
struct loadparm_context;
struct imessaging_context;
struct model_ops;
struct datablob; /* DATA_BLOB; the module never reads one */

/* source4/samba/service_task.h, unchanged 4.17 .. 4.2x */
struct task_server {
	struct tevent_context *event_ctx;
	const struct model_ops *model_ops;
	struct imessaging_context *msg_ctx;
	struct loadparm_context *lp_ctx;
	struct server_id server_id;
	void *private_data;
	void *process_context;
};

/* source4/samba/service.h */
struct process_details {
	unsigned int instances;
};

/*
 * The 4.19+ layout.  4.17 and 4.18 end after post_fork; 4.19 added
 * before_loop.  register_server_service() copies sizeof(its own struct),
 * so an older Samba reads a prefix of this one.  Callers wrap it in
 * union twsamba_service_details, zero-filled, so that a member a later
 * Samba appends reads as NULL/false instead of stack garbage.
 */
struct service_details {
	bool inhibit_fork_on_accept;
	bool inhibit_pre_fork;
	uint32_t (*task_init)(struct task_server *task);
	void (*post_fork)(struct task_server *task, struct process_details *pd);
	void (*before_loop)(struct task_server *task); /* 4.19+ */
};

union twsamba_service_details {
	struct service_details d;
	uint8_t pad[256];
};

uint32_t register_server_service(TALLOC_CTX *ctx, const char *name,
				 const struct service_details *details);

/* fatal=true takes the whole samba process (the DC) down: never used. */
void task_server_terminate(struct task_server *task, const char *reason,
			   bool fatal);

/*
 * Messaging (source4/lib/messaging/messaging.h, msg_callback_t with the
 * file-descriptor arguments that 4.17 .. 4.2x all have).
 */
uint32_t imessaging_register(
	struct imessaging_context *msg, void *private_data, uint32_t msg_type,
	void (*fn)(struct imessaging_context *msg, void *private_data,
		   uint32_t msg_type, struct server_id server_id,
		   size_t num_fds, int *fds, struct datablob *data));
void imessaging_deregister(struct imessaging_context *msg, uint32_t msg_type,
			   void *private_data);
/* lib/messaging/irpc.h: the name 4.19+ smbcontrol resolves first */
uint32_t irpc_add_name(struct imessaging_context *msg, const char *name);

/* librpc/idl/messaging.idl: message numbers are wire values */
#define TWSAMBA_MSG_DEBUG 0x0001
#define TWSAMBA_MSG_REQ_POOL_USAGE 0x0009
#define TWSAMBA_MSG_SHUTDOWN 0x000D
#define TWSAMBA_MSG_SMB_CONF_UPDATED 0x0021

/* lib/util/debug.h (libsamba-debug) */
int debug_add_class(const char *classname);
int debuglevel_get_class(size_t idx);
bool dbghdrclass(int level, int cls, const char *location, const char *func);
bool dbgtext(const char *format_str, ...) __attribute__((format(printf, 1, 2)));

/* The module's entry point, called by samba's load_samba_modules(). */
TWSAMBA_EXPORT uint32_t samba_init_module(TALLOC_CTX *ctx);

#endif /* TDBWINS_SAMBA_GLUE_H */
