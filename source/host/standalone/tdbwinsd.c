/*
 * tdbwinsd — the standalone WINS server daemon.
 *
 *   tdbwinsd [-s smb.conf] [-F | -i] [--pidfile FILE] [--state-dir DIR]
 *            [-d LEVEL]
 *
 * Without -s it runs on an embedded configuration: loopback only, state in
 * --state-dir (default /var/lib/tdbwins).  SIGHUP re-reads the
 * configuration; SIGUSR1 pushes to every push partner now, SIGUSR2 pulls
 * from every pull partner now (tdbwins-tool push|pull); SIGTERM and
 * SIGINT commit and exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <stdbool.h>
#include <param.h>
#include <talloc.h>
#include <tevent.h>

#include "../common/lpconf.h"
#include "../common/twhost.h"
#include "../../util/twlog.h"
#include "../../util/twutil.h"

#define TDBWINSD_DEFAULT_STATE "/var/lib/tdbwins"

struct tdbwinsd {
	TALLOC_CTX *mem;
	struct tevent_context *ev;
	const char *config_file;
	const char *state_dir;
	struct twconf *conf;
	struct twhost *host;	/* store, name server, sockets, replication */
	FILE *log;
	bool foreground;
	bool stop;
	int pid_fd;
	char *pidfile;
};

static void tdbwinsd_log(int level, const char *msg, void *private_data)
{
	struct tdbwinsd *d = private_data;
	FILE *f = (d->log != NULL) ? d->log : stderr;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm = {};

	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(f, "[%s] tdbwinsd[%d] %d: %s\n", ts, (int)getpid(), level,
		msg);
	fflush(f);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tdbwinsd [-s SMB.CONF] [-F|-i] [--pidfile FILE]\n"
		"                [--state-dir DIR] [-d LEVEL]\n"
		"  -s, --configfile FILE  read smb.conf FILE (else an embedded\n"
		"                         loopback-only configuration)\n"
		"  -F, --foreground       do not fork\n"
		"  -i, --interactive      foreground, log to stderr\n"
		"      --pidfile FILE     default: <pid directory>/tdbwinsd.pid\n"
		"      --state-dir DIR    embedded configuration's state\n"
		"                         directory (%s)\n"
		"  -d, --debuglevel N     log level (0 errors .. 10)\n",
		TDBWINSD_DEFAULT_STATE);
}

static struct twconf *tdbwinsd_load(struct tdbwinsd *d, TALLOC_CTX *mem_ctx,
				    char **errmsg)
{
	struct loadparm_context *lp = NULL;
	struct twconf *c = NULL;

	if (d->config_file == NULL) {
		return lpconf_builtin(mem_ctx, d->state_dir, errmsg);
	}
	lp = loadparm_init(mem_ctx);
	if (lp == NULL) {
		*errmsg = talloc_strdup(mem_ctx, "loadparm_init failed");
		return NULL;
	}
	if (!lpcfg_load(lp, d->config_file)) {
		*errmsg = talloc_asprintf(mem_ctx, "cannot load %s",
					  d->config_file);
		return NULL;
	}
	c = lpconf_read(mem_ctx, lp, errmsg);
	talloc_free(lp);
	return c;
}

static bool tdbwinsd_pidfile(struct tdbwinsd *d)
{
	char buf[32];
	int fd;

	if (d->pidfile == NULL) {
		d->pidfile = talloc_asprintf(d->mem, "%s/tdbwinsd.pid",
					     d->conf->pid_dir);
	}
	fd = open(d->pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		TW_ERR("cannot open pid file %s: %s", d->pidfile,
		       strerror(errno));
		return false;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		TW_ERR("another tdbwinsd holds %s", d->pidfile);
		close(fd);
		return false;
	}
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 ||
	    write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf)) {
		TW_ERR("cannot write pid file %s", d->pidfile);
		close(fd);
		return false;
	}
	d->pid_fd = fd;
	return true;
}

static void tdbwinsd_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid > 0) {
		_exit(0);
	}
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2) {
			close(fd);
		}
	}
}

static void tdbwinsd_signal(struct tevent_context *ev,
			    struct tevent_signal *se, int signum, int count,
			    void *siginfo, void *private_data)
{
	struct tdbwinsd *d = private_data;
	struct twconf *c = NULL;
	char *err = NULL;

	/* an administrator's push now / pull now (tdbwins-tool push|pull) */
	if (signum == SIGUSR1 || signum == SIGUSR2) {
		twhost_admin(d->host, signum == SIGUSR1 ? TWHOST_PUSH_NOW
							: TWHOST_PULL_NOW);
		return;
	}
	if (signum != SIGHUP) {
		TW_NOTICE("signal %d: committing and stopping", signum);
		d->stop = true;
		return;
	}
	c = tdbwinsd_load(d, d->mem, &err);
	if (c == NULL) {
		TW_ERR("SIGHUP: keeping the old configuration: %s", err);
		talloc_free(err);
		return;
	}
	twlog_set_level(c->log_level > twlog_level() ? c->log_level
						     : twlog_level());
	if (!twhost_reconfigure(d->host, c)) {
		TW_ERR("SIGHUP: new configuration not applied");
		talloc_free(c);
		return;
	}
	/* the old configuration stays allocated until exit: in-flight
	 * requests may still point into it */
	d->conf = c;
	TW_NOTICE("configuration reloaded");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "configfile", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "debuglevel", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tdbwinsd d = {
		.state_dir = TDBWINSD_DEFAULT_STATE,
		.pid_fd = -1,
	};
	int debuglevel = -1;
	bool interactive = false;
	char *err = NULL;
	enum twerr werr;
	int opt;
	int rc = 1;

	d.mem = talloc_new(NULL);
	while ((opt = getopt_long(argc, argv, "s:Fid:hD", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			d.config_file = optarg;
			break;
		case 'F':
			d.foreground = true;
			break;
		case 'i':
			d.foreground = true;
			interactive = true;
			break;
		case 'D':
			break;
		case 'p':
			d.pidfile = talloc_strdup(d.mem, optarg);
			break;
		case 'S':
			d.state_dir = optarg;
			break;
		case 'd':
			debuglevel = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	twlog_set_backend(tdbwinsd_log, &d);
	if (d.config_file == NULL) {
		if (mkdir(d.state_dir, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "tdbwinsd: cannot create %s: %s\n",
				d.state_dir, strerror(errno));
			return 1;
		}
	}
	d.conf = tdbwinsd_load(&d, d.mem, &err);
	if (d.conf == NULL) {
		fprintf(stderr, "tdbwinsd: configuration error: %s\n", err);
		return 1;
	}
	if (debuglevel < 0) {
		/* in the foreground, say at least when we are ready */
		debuglevel = d.conf->log_level;
		if (d.foreground && debuglevel < TWLOG_NOTICE) {
			debuglevel = TWLOG_NOTICE;
		}
	}
	twlog_set_level(debuglevel);
	if (!interactive) {
		const char *lf = d.conf->log_file;

		if (lf == NULL && !d.foreground) {
			lf = talloc_asprintf(d.mem, "%s/tdbwinsd.log",
					     d.conf->state_dir);
		}
		if (lf != NULL) {
			d.log = fopen(lf, "a");
			if (d.log == NULL) {
				fprintf(stderr, "tdbwinsd: cannot open log "
					"file %s: %s\n", lf, strerror(errno));
				return 1;
			}
		}
	}
	if (!d.foreground) {
		tdbwinsd_daemonize();
	}

	d.ev = tevent_context_init(d.mem);
	if (d.ev == NULL) {
		TW_ERR("tevent_context_init failed");
		goto done;
	}
	if (!tdbwinsd_pidfile(&d)) {
		goto done;
	}
	if (!twhost_start(d.mem, d.ev, d.conf, &d.host, &err)) {
		TW_ERR("%s", err);
		goto done;
	}
	tevent_add_signal(d.ev, d.mem, SIGTERM, 0, tdbwinsd_signal, &d);
	tevent_add_signal(d.ev, d.mem, SIGINT, 0, tdbwinsd_signal, &d);
	tevent_add_signal(d.ev, d.mem, SIGHUP, 0, tdbwinsd_signal, &d);
	tevent_add_signal(d.ev, d.mem, SIGUSR1, 0, tdbwinsd_signal, &d);
	tevent_add_signal(d.ev, d.mem, SIGUSR2, 0, tdbwinsd_signal, &d);
	signal(SIGPIPE, SIG_IGN);
	{
		char ip[TW_IPSTR_LEN];

		TW_NOTICE("tdbwinsd ready: %s on %s port %u (%u interfaces), "
			  "database %s", d.conf->netbios_name,
			  tw_ipstr(d.conf->ifaces[0].ip, ip),
			  d.conf->nbt_port, d.conf->num_ifaces,
			  d.conf->db_path);
	}
	while (!d.stop) {
		if (tevent_loop_once(d.ev) != 0) {
			TW_ERR("event loop failed: %s", strerror(errno));
			break;
		}
	}
	werr = twhost_stop(d.host);
	if (werr != TWERR_OK) {
		TW_ERR("final commit failed: %s", twerr_str(werr));
		goto done;
	}
	rc = 0;
done:
	if (d.pid_fd != -1) {
		unlink(d.pidfile);
		close(d.pid_fd);
	}
	TW_NOTICE("tdbwinsd exiting (%d)", rc);
	talloc_free(d.mem);
	return rc;
}
