/*
 * tdbwins-tool — look into a tdbwins database, read-only, beside a running
 * server (netsh wins server "show ..." counterparts, PROTOCOL.md 4.1).
 *
 *   tdbwins-tool [-s SMB.CONF | --database FILE] COMMAND [ARGS]
 *
 *   dump                  every record, one line each
 *   versions              "NAME<TT> VERSION" per record (scripts, tests)
 *   show NAME[#TT]        one record in detail (TT hex, default 20)
 *   versionmap            owner -> highest version held or seen by
 *                         replication, lowest held (show versionmap)
 *   count                 records by state
 *   samba-placeholder DIR create DIR/sam.ldb as an empty tdb if it is not
 *                         there (what `samba` needs on a host that is not
 *                         a DC before it starts tdbwins.so)
 *   push | pull           ask the running tdbwinsd to push to its push
 *                         partners / pull from its pull partners now
 *                         (netsh "init push" / "init pull"): SIGUSR1 /
 *                         SIGUSR2 to the pid in --pidfile FILE or
 *                         <pid directory>/tdbwinsd.pid
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <param.h>
#include <talloc.h>
#include <tdb.h>
#include <tevent.h>

#include "../../host/common/lpconf.h"
#include "../../store/wdb.h"
#include "../../util/twlog.h"
#include "../../util/twutil.h"

static const char *const type_names[] = {
	"unique", "group", "sgroup", "mhomed",
};
static const char *const state_names[] = {
	"active", "released", "tombstone",
};

static void print_rec(const struct wrec *r, bool detail)
{
	char name[NBN_PRINT_MAX];
	char ip[TW_IPSTR_LEN];
	uint32_t i;

	nbn_print(&r->name, name, sizeof(name));
	if (!detail) {
		printf("%-24s %-7s %-9s %s%10" PRIu64 " owner %s",
		       name, type_names[r->type & 3],
		       r->state <= WREC_TOMBSTONE ? state_names[r->state]
						  : "?",
		       r->is_static ? "static " : "", r->version,
		       tw_ipstr(r->owner, ip));
		for (i = 0; i < r->num_addrs; i++) {
			printf(" %s", tw_ipstr(r->addrs[i].ip, ip));
		}
		printf("\n");
		return;
	}
	printf("name:       %s\n", name);
	printf("type:       %s%s\n", type_names[r->type & 3],
	       r->is_static ? " (static)" : "");
	printf("state:      %s\n", r->state <= WREC_TOMBSTONE
					   ? state_names[r->state]
					   : "?");
	printf("node:       %c\n", "BPMH"[r->node & 3]);
	printf("version:    %" PRIu64 "\n", r->version);
	printf("owner:      %s\n", tw_ipstr(r->owner, ip));
	printf("expires:    %" PRId64 "\n", r->expire);
	for (i = 0; i < r->num_addrs; i++) {
		char o[TW_IPSTR_LEN];

		printf("address:    %s (owner %s, expires %" PRId64 ")\n",
		       tw_ipstr(r->addrs[i].ip, ip),
		       tw_ipstr(r->addrs[i].owner, o), r->addrs[i].expire);
	}
}

struct walk {
	const char *cmd;
	uint64_t count[3];
};

static bool walk_one(const struct wrec *r, void *private_data)
{
	struct walk *w = private_data;
	char name[NBN_PRINT_MAX];

	if (strcmp(w->cmd, "dump") == 0) {
		print_rec(r, false);
	} else if (strcmp(w->cmd, "versions") == 0) {
		nbn_print(&r->name, name, sizeof(name));
		printf("%s %" PRIu64 "\n", name, r->version);
	} else if (r->state <= WREC_TOMBSTONE) {
		w->count[r->state]++;
	}
	return true;
}

static bool parse_name(const char *arg, struct nbn_name *out)
{
	char buf[32];
	const char *hash = strchr(arg, '#');
	unsigned long suffix = 0x20;
	size_t len = strlen(arg);

	if (hash != NULL) {
		char *end = NULL;

		len = (size_t)(hash - arg);
		suffix = strtoul(hash + 1, &end, 16);
		if (*end != '\0' || suffix > 0xff) {
			return false;
		}
	}
	if (len == 0 || len >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, arg, len);
	buf[len] = '\0';
	return nbn_make(out, buf, (uint8_t)suffix, NULL);
}

/*
 * samba opens <private dir>/sam.ldb before it starts any service; on a
 * dedicated WINS host an empty tdb is enough.  An existing file is never
 * touched (O_EXCL): it may be a real sam.ldb.
 */
static int samba_placeholder(TALLOC_CTX *mem, const char *dir)
{
	char *path = talloc_asprintf(mem, "%s/sam.ldb", dir);
	struct tdb_context *t = NULL;

	if (path == NULL) {
		return 1;
	}
	t = tdb_open(path, 0, TDB_DEFAULT, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (t == NULL) {
		if (errno == EEXIST) {
			printf("%s exists: left as it is\n", path);
			return 0;
		}
		fprintf(stderr, "tdbwins-tool: cannot create %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	tdb_close(t);
	printf("%s created (empty tdb)\n", path);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tdbwins-tool [-s SMB.CONF | --database FILE] "
		   "dump|versions|show NAME[#TT]|versionmap|count\n"
		   "       tdbwins-tool [-s SMB.CONF | --pidfile FILE] "
		   "push|pull\n"
		   "       tdbwins-tool samba-placeholder PRIVATE_DIR\n");
}

/*
 * push / pull: signal the tdbwinsd whose pid file this is.  The pid
 * counts only while tdbwinsd holds the file's lock (a stale file names
 * some other process) and the process is called tdbwinsd.
 */
static int admin_signal(TALLOC_CTX *mem, const char *pidfile, int sig)
{
	char buf[32] = "";
	char comm[64] = "";
	char *path = NULL;
	ssize_t n;
	long pid;
	int fd;
	int rc = 1;

	fd = open(pidfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "tdbwins-tool: %s: %s\n", pidfile,
			strerror(errno));
		return 1;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		fprintf(stderr, "tdbwins-tool: %s: no tdbwinsd holds it\n",
			pidfile);
		goto done;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	pid = (n > 0) ? strtol(buf, NULL, 10) : 0;
	if (pid <= 1) {
		fprintf(stderr, "tdbwins-tool: %s: no pid\n", pidfile);
		goto done;
	}
	close(fd);
	path = talloc_asprintf(mem, "/proc/%ld/comm", pid);
	fd = (path != NULL) ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	n = (fd >= 0) ? read(fd, comm, sizeof(comm) - 1) : -1;
	if (n <= 0 || strncmp(comm, "tdbwinsd", 8) != 0) {
		fprintf(stderr, "tdbwins-tool: process %ld is not tdbwinsd\n",
			pid);
		goto done;
	}
	if (kill((pid_t)pid, sig) != 0) {
		fprintf(stderr, "tdbwins-tool: signal to %ld: %s\n", pid,
			strerror(errno));
		goto done;
	}
	printf("asked tdbwinsd (pid %ld) to %s now\n", pid,
	       sig == SIGUSR1 ? "push" : "pull");
	rc = 0;
done:
	if (fd >= 0) {
		close(fd);
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "configfile", required_argument, NULL, 's' },
		{ "database", required_argument, NULL, 'b' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	TALLOC_CTX *mem = talloc_new(NULL);
	struct tevent_context *ev = tevent_context_init(mem);
	struct wdb_config dbc = { .read_only = true };
	const char *config = NULL;
	const char *pidfile = NULL;
	const char *cmd = NULL;
	struct wdb *db = NULL;
	enum twerr err;
	int opt;
	int rc = 1;

	while ((opt = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			config = optarg;
			break;
		case 'b':
			dbc.path = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (strcmp(cmd, "samba-placeholder") == 0) {
		if (optind + 1 >= argc) {
			usage(stderr);
			return 2;
		}
		rc = samba_placeholder(mem, argv[optind + 1]);
		talloc_free(mem);
		return rc;
	}
	twlog_set_level(TWLOG_ERR);
	if (strcmp(cmd, "push") == 0 || strcmp(cmd, "pull") == 0) {
		int sig = (strcmp(cmd, "push") == 0) ? SIGUSR1 : SIGUSR2;

		if (pidfile == NULL && config != NULL) {
			struct loadparm_context *lp = loadparm_init(mem);
			struct twconf *c = NULL;
			char *why = NULL;

			if (lp == NULL || !lpcfg_load(lp, config)) {
				fprintf(stderr, "tdbwins-tool: cannot read "
						"%s\n", config);
				goto done;
			}
			c = lpconf_read(mem, lp, &why);
			if (c == NULL) {
				fprintf(stderr, "tdbwins-tool: %s\n", why);
				goto done;
			}
			pidfile = talloc_asprintf(mem, "%s/tdbwinsd.pid",
						  c->pid_dir);
		}
		if (pidfile == NULL) {
			fprintf(stderr, "tdbwins-tool: need -s SMB.CONF or "
					"--pidfile FILE\n");
			goto done;
		}
		rc = admin_signal(mem, pidfile, sig);
		goto done;
	}
	if (dbc.path == NULL) {
		struct loadparm_context *lp = loadparm_init(mem);
		struct twconf *c = NULL;
		char *why = NULL;

		if (config == NULL || lp == NULL || !lpcfg_load(lp, config)) {
			fprintf(stderr, "tdbwins-tool: need -s SMB.CONF or "
					"--database FILE\n");
			goto done;
		}
		c = lpconf_read(mem, lp, &why);
		if (c == NULL) {
			fprintf(stderr, "tdbwins-tool: %s\n", why);
			goto done;
		}
		dbc.path = c->db_path;
	}
	err = wdb_open(mem, ev, &dbc, &db);
	if (err != TWERR_OK) {
		fprintf(stderr, "tdbwins-tool: cannot open %s: %s\n",
			dbc.path, twerr_str(err));
		goto done;
	}
	if (strcmp(cmd, "dump") == 0 || strcmp(cmd, "versions") == 0 ||
	    strcmp(cmd, "count") == 0) {
		struct walk w = { .cmd = cmd };

		err = wdb_traverse(db, walk_one, &w);
		if (err != TWERR_OK) {
			fprintf(stderr, "tdbwins-tool: %s\n", twerr_str(err));
			goto done;
		}
		if (strcmp(cmd, "count") == 0) {
			printf("active %" PRIu64 "\nreleased %" PRIu64
			       "\ntombstone %" PRIu64 "\n",
			       w.count[0], w.count[1], w.count[2]);
		}
	} else if (strcmp(cmd, "show") == 0 && optind + 1 < argc) {
		struct nbn_name n;
		struct wrec r = {};
		bool found = false;

		if (!parse_name(argv[optind + 1], &n)) {
			fprintf(stderr, "tdbwins-tool: bad name '%s'\n",
				argv[optind + 1]);
			goto done;
		}
		err = wdb_fetch(db, &n, &r, &found);
		if (err != TWERR_OK || !found) {
			fprintf(stderr, "tdbwins-tool: %s: not found\n",
				argv[optind + 1]);
			goto done;
		}
		print_rec(&r, true);
	} else if (strcmp(cmd, "versionmap") == 0) {
		struct wdb_owner *owners = NULL;
		size_t num = 0, i;
		char ip[TW_IPSTR_LEN];

		err = wdb_owners(db, mem, &owners, &num);
		if (err != TWERR_OK) {
			fprintf(stderr, "tdbwins-tool: %s\n", twerr_str(err));
			goto done;
		}
		for (i = 0; i < num; i++) {
			printf("%-15s max %" PRIu64 " min %" PRIu64 "\n",
			       tw_ipstr(owners[i].owner, ip),
			       owners[i].max_version, owners[i].min_version);
		}
	} else {
		usage(stderr);
		rc = 2;
		goto done;
	}
	rc = 0;
done:
	talloc_free(mem);
	return rc;
}
