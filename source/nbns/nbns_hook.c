/*
 * tdbwins — the "wins hook" (smb.conf): a program run after a registration,
 * refresh or release has committed, as
 *
 *     HOOK add|refresh|delete NAME TYPE EXPIRE [ADDRESS...]
 *
 * with execve and an argument vector: no shell ever sees the name
 * (CVE-2025-10230), and only names made of [A-Za-z0-9._-] are passed at
 * all.  The event loop never waits for it: the answer to the client waits
 * (at most NBNS_HOOK_WAIT_MS) for the hook to exit, watched through a pipe
 * whose write end only the child holds.  A child that outlives the wait is
 * still reaped when it exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nbns_private.h"
#include "../util/twutil.h"

#define NBNS_HOOK_WAIT_MS 2000

struct nbns_hook_child {
	pid_t pid;
	int fd;
	struct tevent_fd *fde;
	struct tevent_req *req;		/* NULL once the wait is over */
};

struct nbns_hook_state {
	struct nbns_hook_child *child;
};

static int nbns_hook_child_destructor(struct nbns_hook_child *c)
{
	TALLOC_FREE(c->fde);
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	if (c->pid > 0) {
		/* do not leave a zombie behind if we go away first */
		waitpid(c->pid, NULL, WNOHANG);
	}
	return 0;
}

static void nbns_hook_exited(struct tevent_context *ev, struct tevent_fd *fde,
			     uint16_t flags, void *private_data)
{
	struct nbns_hook_child *c = talloc_get_type_abort(
		private_data, struct nbns_hook_child);
	struct tevent_req *req = c->req;
	char buf[16];
	ssize_t n = read(c->fd, buf, sizeof(buf));

	if (n > 0 || (n < 0 && errno == EINTR)) {
		return;	/* the hook wrote into our pipe: ignore it */
	}
	waitpid(c->pid, NULL, 0);
	c->pid = -1;
	if (req != NULL) {
		struct nbns_hook_state *state =
			tevent_req_data(req, struct nbns_hook_state);

		state->child = NULL;
		c->req = NULL;
		tevent_req_done(req);
	}
	talloc_free(c);
}

static void nbns_hook_timeout(struct tevent_req *req)
{
	struct nbns_hook_state *state =
		tevent_req_data(req, struct nbns_hook_state);

	if (state->child != NULL) {
		/* keep watching for the exit, owned by the server now */
		state->child->req = NULL;
		state->child = NULL;
	}
}

static void nbns_hook_cleanup(struct tevent_req *req,
			      enum tevent_req_state req_state)
{
	nbns_hook_timeout(req);
}

static bool nbns_hook_timed_out(struct tevent_req *req)
{
	nbns_hook_timeout(req);
	tevent_req_done(req);
	return true;
}

static const char *const nbns_hook_ops[] = {
	[NBNS_HOOK_ADD] = "add",
	[NBNS_HOOK_REFRESH] = "refresh",
	[NBNS_HOOK_DELETE] = "delete",
};

struct tevent_req *nbns_hook_send(TALLOC_CTX *mem_ctx, struct nbns_server *s,
				  const struct wrec *rec,
				  enum nbns_hook_op op)
{
	struct tevent_req *req = NULL;
	struct nbns_hook_state *state = NULL;
	struct nbns_hook_child *c = NULL;
	char name[NBN_RAW_LEN];
	char type[4];
	char expire[24];
	char ips[WREC_MAX_ADDRS][TW_IPSTR_LEN];
	const char *argv[5 + WREC_MAX_ADDRS + 1];
	int fds[2] = { -1, -1 };
	uint32_t i, argc = 0;
	pid_t pid;

	if (s->conf->wins_hook == NULL || s->conf->wins_hook[0] == '\0') {
		return NULL;
	}
	if (!nbns_hook_name_safe(&rec->name, name, sizeof(name))) {
		s->stats.hook_names_refused++;
		return NULL;
	}
	req = tevent_req_create(mem_ctx, &state, struct nbns_hook_state);
	if (req == NULL) {
		return NULL;
	}
	tevent_req_set_cleanup_fn(req, nbns_hook_cleanup);

	snprintf(type, sizeof(type), "%02x", nbn_suffix(&rec->name));
	snprintf(expire, sizeof(expire), "%" PRId64, rec->expire);
	argv[argc++] = s->conf->wins_hook;
	argv[argc++] = nbns_hook_ops[op];
	argv[argc++] = name;
	argv[argc++] = type;
	argv[argc++] = expire;
	for (i = 0; i < rec->num_addrs && op != NBNS_HOOK_DELETE; i++) {
		if (rec->type == WREC_GROUP) {
			break;
		}
		argv[argc++] = tw_ipstr(rec->addrs[i].ip, ips[i]);
	}
	argv[argc] = NULL;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		TW_WARN("wins hook: pipe: %s", strerror(errno));
		talloc_free(req);
		return NULL;
	}
	pid = fork();
	if (pid == -1) {
		TW_WARN("wins hook: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		talloc_free(req);
		return NULL;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		/* the write end stays open in the hook until it exits */
		fcntl(fds[1], F_SETFD, 0);
		if (devnull >= 0) {
			dup2(devnull, 0);
		}
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	s->stats.hook_runs++;

	c = talloc_zero(s, struct nbns_hook_child);
	if (c == NULL) {
		close(fds[0]);
		waitpid(pid, NULL, WNOHANG);
		tevent_req_done(req);
		return tevent_req_post(req, s->ev);
	}
	c->pid = pid;
	c->fd = fds[0];
	c->req = req;
	talloc_set_destructor(c, nbns_hook_child_destructor);
	c->fde = tevent_add_fd(s->ev, c, c->fd, TEVENT_FD_READ,
			       nbns_hook_exited, c);
	if (c->fde == NULL) {
		talloc_free(c);
		tevent_req_done(req);
		return tevent_req_post(req, s->ev);
	}
	state->child = c;
	if (!tevent_req_set_endtime(req, s->ev,
				    tevent_timeval_current_ofs(
					    NBNS_HOOK_WAIT_MS / 1000, 0))) {
		nbns_hook_timed_out(req);
		return tevent_req_post(req, s->ev);
	}
	return req;
}

void nbns_hook_recv(struct tevent_req *req)
{
	/* a hook never fails the request it belongs to */
	tevent_req_received(req);
}
