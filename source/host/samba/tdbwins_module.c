/*
 * tdbwins.so — the WINS server as a service of Samba's `samba` daemon.
 *
 *   server services = -nbt -wrepl +tdbwins        (AD DC)
 *   server services = tdbwins                     (dedicated WINS host)
 *
 * samba_init_module() only registers the service: samba calls it in the
 * parent on every start.  The work happens in task_init(), in the process
 * the process model gives the task (inhibit_pre_fork: exactly one).  The
 * start-up itself is shared with tdbwinsd (source/host/common/twhost.c);
 * this file adds what is Samba-specific: the task, Samba's DEBUG system,
 * the pid file smbcontrol 4.17 resolves names through, and the
 * reload-config and shutdown messages.  docs/samba-module.md is the
 * administrator's view.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <stdbool.h>
#include <param.h>
#include <talloc.h>
#include <tevent.h>

#include "samba_glue.h"
#include "../common/lpconf.h"
#include "../common/twhost.h"
#include "../../util/twlog.h"
#include "../../util/twutil.h"

#define TWSAMBA_SERVICE "tdbwins"

struct twsamba {
	struct task_server *task;
	struct imessaging_context *msg_ctx; /* handlers registered here */
	struct twhost *host;		    /* NULL once shut down */
	struct tevent_immediate *level_sync;
	int dbg_class;
	int pid_fd;
	char *pidfile;
};

/*
 * twlog backend: Samba's DEBUG system under our own class, so that
 * "log level = 1 tdbwins:5" and "smbcontrol tdbwins debug tdbwins:5" work.
 */
static void twsamba_log(int level, const char *msg, void *private_data)
{
	struct twsamba *s = talloc_get_type_abort(private_data, struct twsamba);
	bool ok;

	if (debuglevel_get_class((size_t)s->dbg_class) < level) {
		return;
	}
	ok = dbghdrclass(level, s->dbg_class, TWSAMBA_SERVICE, __func__);
	if (!ok) {
		return;
	}
	dbgtext("%s\n", msg);
}

/* The core filters before formatting: keep its level at the class's. */
static void twsamba_sync_level(struct tevent_context *ev,
			       struct tevent_immediate *im, void *private_data)
{
	struct twsamba *s = talloc_get_type_abort(private_data, struct twsamba);
	int level = debuglevel_get_class((size_t)s->dbg_class);

	twlog_set_level(level);
	/* visible only at 5+: shows a raised level reached the core */
	TW_DEBUG("debug level of class %s is now %d", TWSAMBA_SERVICE, level);
}

static int twsamba_destructor(struct twsamba *s)
{
	/* the backend's private data is going away */
	twlog_set_backend(NULL, NULL);
	return 0;
}

/*
 * <pid directory>/tdbwins.pid, in the form Samba's pidfile_pid() accepts:
 * the pid in decimal, and a write lock on the first byte held for the life
 * of the process (a file nobody locks is taken for a stale one).
 * smbcontrol 4.17/4.18 resolves "tdbwins" through this file only.
 */
static bool twsamba_pidfile(struct twsamba *s, const char *pid_dir,
			    char **errmsg)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 1,
	};
	pid_t pid = getpid();
	char buf[32];
	size_t len;
	ssize_t n;
	int fd;
	int ret;

	s->pidfile = talloc_asprintf(s, "%s/%s.pid", pid_dir, TWSAMBA_SERVICE);
	if (s->pidfile == NULL) {
		*errmsg = talloc_strdup(s, "out of memory");
		return false;
	}
	fd = open(s->pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		*errmsg = talloc_asprintf(s, "cannot open %s: %s", s->pidfile,
					  strerror(errno));
		return false;
	}
	ret = fcntl(fd, F_SETLK, &fl);
	if (ret != 0) {
		*errmsg = talloc_asprintf(s,
					  "%s is locked: is another "
					  "tdbwins running?",
					  s->pidfile);
		close(fd);
		return false;
	}
	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	len = strlen(buf);
	ret = ftruncate(fd, 0);
	n = (ret == 0) ? pwrite(fd, buf, len, 0) : -1;
	if (n != (ssize_t)len) {
		*errmsg = talloc_asprintf(s, "cannot write %s", s->pidfile);
		close(fd);
		return false;
	}
	s->pid_fd = fd;
	return true;
}

static void twsamba_pidfile_remove(struct twsamba *s)
{
	if (s->pid_fd == -1) {
		return;
	}
	unlink(s->pidfile);
	close(s->pid_fd);
	s->pid_fd = -1;
}

/*
 * smbcontrol tdbwins reload-config (MSG_SMB_CONF_UPDATED): re-read
 * smb.conf into a fresh loadparm context rather than samba's global one,
 * which belongs to the daemon and which other services may be reading.
 */
static void twsamba_msg_reload(struct imessaging_context *msg,
			       void *private_data, uint32_t msg_type,
			       struct server_id src, size_t num_fds, int *fds,
			       struct datablob *data)
{
	struct twsamba *s = talloc_get_type_abort(private_data, struct twsamba);
	struct loadparm_context *lp = NULL;
	struct twconf *c = NULL;
	const char *file = NULL;
	char *err = NULL;
	bool ok;

	if (s->host == NULL) {
		return;
	}
	file = lpcfg_configfile(s->task->lp_ctx);
	lp = loadparm_init(s);
	if (lp == NULL || file == NULL) {
		TW_ERR("reload-config: no configuration file to read");
		goto done;
	}
	ok = lpcfg_load(lp, file);
	if (!ok) {
		TW_ERR("reload-config: cannot load %s: keeping the old "
		       "configuration",
		       file);
		goto done;
	}
	c = lpconf_read(s, lp, &err);
	if (c == NULL) {
		TW_ERR("reload-config: keeping the old configuration: %s", err);
		talloc_free(err);
		goto done;
	}
	ok = twhost_reconfigure(s->host, c);
	if (!ok) {
		TW_ERR("reload-config: new configuration not applied");
		talloc_free(c);
		goto done;
	}
	/* the old configuration stays allocated with the task: requests in
	 * flight may still point into it */
	TW_NOTICE("configuration reloaded from %s", file);
done:
	talloc_free(lp);
	/* loading smb.conf re-applied its "log level" to the process */
	tevent_schedule_immediate(s->level_sync, s->task->event_ctx,
				  twsamba_sync_level, s);
}

/*
 * smbcontrol tdbwins shutdown (MSG_SHUTDOWN): commit, close the sockets,
 * then end the task.  The sockets are closed here rather than left to the
 * process model, because the "single" model does not end the task's
 * process for a non-fatal termination.
 */
static void twsamba_msg_shutdown(struct imessaging_context *msg,
				 void *private_data, uint32_t msg_type,
				 struct server_id src, size_t num_fds, int *fds,
				 struct datablob *data)
{
	struct twsamba *s = talloc_get_type_abort(private_data, struct twsamba);
	enum twerr werr;

	if (s->host == NULL) {
		return;
	}
	TW_NOTICE("shutdown requested by pid %llu",
		  (unsigned long long)src.pid);
	werr = twhost_stop(s->host);
	if (werr != TWERR_OK) {
		TW_ERR("final commit failed: %s", twerr_str(werr));
	}
	TALLOC_FREE(s->host);
	twsamba_pidfile_remove(s);
	TW_NOTICE("tdbwins stopped");
	/* false: a WINS shutdown must not take the DC down */
	task_server_terminate(s->task, "tdbwins: shutdown requested", false);
}

/*
 * smbcontrol tdbwins debug (MSG_DEBUG): Samba's own handler sets the
 * levels after this one runs (handlers are called newest first), so the
 * core's level is synced on the next loop iteration.
 */
static void twsamba_msg_debug(struct imessaging_context *msg,
			      void *private_data, uint32_t msg_type,
			      struct server_id src, size_t num_fds, int *fds,
			      struct datablob *data)
{
	struct twsamba *s = talloc_get_type_abort(private_data, struct twsamba);

	tevent_schedule_immediate(s->level_sync, s->task->event_ctx,
				  twsamba_sync_level, s);
}

/*
 * smbcontrol tdbwins pool-usage (MSG_REQ_POOL_USAGE, one pipe descriptor):
 * Samba's own handler prints only what hangs off talloc's NULL context,
 * which in the task's process does not include the task's tree (measured
 * with 4.17: messaging and debug contexts only).  So the task's tree goes
 * into the same pipe first: handlers are called newest first, and Samba's
 * handler, which runs next, appends its report and closes the descriptor.
 * A copy of the descriptor is used here so that it stays open for it.
 */
static void twsamba_msg_pool_usage(struct imessaging_context *msg,
				   void *private_data, uint32_t msg_type,
				   struct server_id src, size_t num_fds,
				   int *fds, struct datablob *data)
{
	struct twsamba *s = talloc_get_type_abort(private_data, struct twsamba);
	pid_t pid = getpid();
	FILE *f = NULL;
	int fd;

	if (num_fds != 1) {
		return;
	}
	fd = dup(fds[0]);
	if (fd == -1) {
		return;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		return;
	}
	fprintf(f, "tdbwins task, pid %d:\n", (int)pid);
	talloc_report_full(s, f);
	fclose(f);
}

static bool twsamba_register_msgs(struct twsamba *s,
				  struct imessaging_context *msg_ctx)
{
	uint32_t st1;
	uint32_t st2;
	uint32_t st3;
	uint32_t st4;

	st1 = imessaging_register(msg_ctx, s, TWSAMBA_MSG_SMB_CONF_UPDATED,
				  twsamba_msg_reload);
	st2 = imessaging_register(msg_ctx, s, TWSAMBA_MSG_SHUTDOWN,
				  twsamba_msg_shutdown);
	st3 = imessaging_register(msg_ctx, s, TWSAMBA_MSG_DEBUG,
				  twsamba_msg_debug);
	st4 = imessaging_register(msg_ctx, s, TWSAMBA_MSG_REQ_POOL_USAGE,
				  twsamba_msg_pool_usage);
	if (st1 != TWSAMBA_NT_STATUS_OK || st2 != TWSAMBA_NT_STATUS_OK ||
	    st3 != TWSAMBA_NT_STATUS_OK || st4 != TWSAMBA_NT_STATUS_OK) {
		return false;
	}
	/* 4.19+ smbcontrol looks names up here before the pid file */
	st1 = irpc_add_name(msg_ctx, TWSAMBA_SERVICE);
	if (st1 != TWSAMBA_NT_STATUS_OK) {
		TW_WARN("irpc_add_name(%s) failed: 0x%08x", TWSAMBA_SERVICE,
			st1);
	}
	s->msg_ctx = msg_ctx;
	return true;
}

static void twsamba_fail(struct twsamba *s, const char *what, const char *err)
{
	char *reason = talloc_asprintf(s, "tdbwins: %s: %s", what,
				       err != NULL ? err : "?");

	TW_ERR("%s", reason != NULL ? reason : what);
	twsamba_pidfile_remove(s);
	TALLOC_FREE(s->host);
	/* false: a WINS configuration or bind error must not stop the DC */
	task_server_terminate(s->task, reason != NULL ? reason : what, false);
}

static uint32_t twsamba_task_init(struct task_server *task)
{
	struct twsamba *s = NULL;
	struct twconf *c = NULL;
	char *err = NULL;
	char ip[TW_IPSTR_LEN];
	bool ok;

	s = talloc_zero(task, struct twsamba);
	if (s == NULL) {
		task_server_terminate(task, "tdbwins: out of memory", false);
		return TWSAMBA_NT_STATUS_NO_MEMORY;
	}
	s->task = task;
	s->pid_fd = -1;
	s->level_sync = tevent_create_immediate(s);
	if (s->level_sync == NULL) {
		task_server_terminate(task, "tdbwins: out of memory", false);
		return TWSAMBA_NT_STATUS_NO_MEMORY;
	}
	task->private_data = s;

	/* a class of our own if this samba has room for one, else "all" */
	s->dbg_class = debug_add_class(TWSAMBA_SERVICE);
	if (s->dbg_class < 0) {
		s->dbg_class = 0;
	}
	talloc_set_destructor(s, twsamba_destructor);
	twlog_set_backend(twsamba_log, s);
	twsamba_sync_level(task->event_ctx, s->level_sync, s);

	c = lpconf_read(s, task->lp_ctx, &err);
	if (c == NULL) {
		twsamba_fail(s, "configuration error", err);
		return TWSAMBA_NT_STATUS_UNSUCCESSFUL;
	}
	ok = twsamba_pidfile(s, c->pid_dir, &err);
	if (!ok) {
		twsamba_fail(s, "pid file", err);
		return TWSAMBA_NT_STATUS_UNSUCCESSFUL;
	}
	ok = twhost_start(s, task->event_ctx, c, &s->host, &err);
	if (!ok) {
		twsamba_fail(s, "start-up failed", err);
		return TWSAMBA_NT_STATUS_UNSUCCESSFUL;
	}
	ok = twsamba_register_msgs(s, task->msg_ctx);
	if (!ok) {
		twsamba_fail(s, "messaging", "imessaging_register failed");
		return TWSAMBA_NT_STATUS_UNSUCCESSFUL;
	}
	TW_NOTICE("tdbwins ready: %s on %s port %u (%u interfaces), "
		  "database %s",
		  c->netbios_name, tw_ipstr(c->ifaces[0].ip, ip), c->nbt_port,
		  c->num_ifaces, c->db_path);
	return TWSAMBA_NT_STATUS_OK;
}

/* Samba 4.17 calls post_fork without checking for NULL in some models. */
static void twsamba_post_fork(struct task_server *task,
			      struct process_details *pd)
{
}

/*
 * 4.19+ only.  Samba says the task's messaging context may differ from
 * the one task_init() saw; with inhibit_pre_fork it does not today, but
 * if it ever does the handlers follow it.
 */
static void twsamba_before_loop(struct task_server *task)
{
	struct twsamba *s = NULL;
	bool ok;

	if (task->private_data == NULL) {
		return;
	}
	s = talloc_get_type_abort(task->private_data, struct twsamba);
	s->task = task;
	if (s->host == NULL || task->msg_ctx == s->msg_ctx) {
		return;
	}
	ok = twsamba_register_msgs(s, task->msg_ctx);
	if (!ok) {
		TW_WARN("messaging handlers not moved to the new context: "
			"smbcontrol reload-config and shutdown may not work");
	}
}

uint32_t samba_init_module(TALLOC_CTX *ctx)
{
	/* zero-filled: see union twsamba_service_details */
	static const union twsamba_service_details details = {
		.d = {
			/* one process: the store and the name server's
			 * challenge state are shared by every request */
			.inhibit_fork_on_accept = true,
			.inhibit_pre_fork = true,
			.task_init = twsamba_task_init,
			.post_fork = twsamba_post_fork,
			.before_loop = twsamba_before_loop,
		},
	};

	return register_server_service(ctx, TWSAMBA_SERVICE, &details.d);
}
