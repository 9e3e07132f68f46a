/*
 * tdbwins — record store benchmark (prints figures; not a timed test).
 *
 *   bench_wdb [DIR] [RECORDS]
 *
 * DIR: where the scratch tdb files go (default: a new directory under
 * $TMPDIR or /tmp, removed at the end); put it on the disk the server will
 * use, since fsync cost is the point.  RECORDS: size of the range-query
 * database (default 100000).
 *
 * 1. Durable registrations: puts with a new version each, acknowledged by
 *    wdb_sync_send (transaction commit + fsync), in batches of 1, 64 and
 *    1024 writes per commit; also without fsync for comparison.
 * 2. Replication reads on RECORDS records of one owner: the whole range,
 *    chunks of 1000 (what a pull asks for), small random windows, compared
 *    with a full walk of the file.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <talloc.h>
#include <tevent.h>

#include "store/wdb.h"

#define OWNER_LOCAL 0xc6120001u
#define OWNER_PEER 0xc6120002u

static double now_s(void)
{
	struct timespec ts = {};

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench_rec(struct wrec *r, uint32_t i, uint32_t owner,
		      uint64_t version)
{
	char tmp[16];
	int len;

	memset(r, 0, sizeof(*r));
	memset(r->name.raw, ' ', NBN_RAW_LEN);
	len = snprintf(tmp, sizeof(tmp), "B%08" PRIu32, i);
	memcpy(r->name.raw, tmp, (size_t)len);
	r->name.raw[15] = 0x00;
	r->type = WREC_UNIQUE;
	r->state = WREC_ACTIVE;
	r->node = WREC_NODE_H;
	r->owner = owner;
	r->version = version;
	r->expire = 1700000000;
	r->registered_by = 0xc6120100;
	r->num_addrs = 1;
	r->addrs[0].ip = 0xc6120100 + (i & 0xff);
	r->addrs[0].owner = owner;
	r->addrs[0].expire = r->expire;
}

static bool bench_sync(struct tevent_context *ev, struct wdb *db)
{
	struct tevent_req *req = NULL;
	enum twerr err;
	bool ok;

	req = wdb_sync_send(ev, ev, db);
	if (req == NULL) {
		return false;
	}
	ok = tevent_req_poll(req, ev);
	err = wdb_sync_recv(req);
	talloc_free(req);
	return ok && err == TWERR_OK;
}

static struct wdb *bench_open(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
			      const char *path, bool nosync)
{
	struct wdb_config cfg = {
		.path = path,
		.local_owner = OWNER_LOCAL,
		.nosync = nosync,
		.max_batch = 1000000,
	};
	struct wdb *db = NULL;
	enum twerr err;

	unlink(path);
	err = wdb_open(mem_ctx, ev, &cfg, &db);
	if (err != TWERR_OK) {
		fprintf(stderr, "bench_wdb: open %s: %s\n", path,
			twerr_str(err));
		return NULL;
	}
	return db;
}

/*
 * total puts, batch writes per commit.  The names cycle through a set of
 * 10,000 so that later batches replace records, as refreshes with a new
 * version do (each moves an index entry).
 */
static bool bench_durable(struct tevent_context *ev, const char *path,
			  bool nosync, uint32_t batch, uint32_t total)
{
	TALLOC_CTX *tmp = talloc_new(ev);
	struct wdb *db = bench_open(tmp, ev, path, nosync);
	struct wdb_stats st;
	double t0;
	double dt;
	uint32_t i;
	bool ok = false;

	if (db == NULL) {
		goto done;
	}
	t0 = now_s();
	for (i = 0; i < total; i++) {
		struct wrec r;

		bench_rec(&r, i % 10000, 0, 0);
		if (wdb_put(db, &r, WDB_ALLOC_VERSION) != TWERR_OK) {
			fprintf(stderr, "bench_wdb: put failed\n");
			goto done;
		}
		if ((i + 1) % batch == 0 && !bench_sync(ev, db)) {
			fprintf(stderr, "bench_wdb: sync failed\n");
			goto done;
		}
	}
	if (!bench_sync(ev, db)) {
		goto done;
	}
	dt = now_s() - t0;
	wdb_get_stats(db, &st);
	printf("durable puts  fsync=%-3s batch=%-5" PRIu32 " %8" PRIu32
	       " puts %7.3f s  %9.0f puts/s  %6" PRIu64 " commits"
	       "  %7.2f ms/commit\n",
	       nosync ? "no" : "yes", batch, total, dt, total / dt,
	       st.commits - 1, dt * 1000.0 / (double)(st.commits - 1));
	ok = true;
done:
	talloc_free(tmp);
	unlink(path);
	return ok;
}

static bool count_fn(const struct wrec *rec, void *private_data)
{
	size_t *n = private_data;

	(void)rec;
	(*n)++;
	return true;
}

static bool bench_range(struct tevent_context *ev, const char *path, uint32_t n)
{
	TALLOC_CTX *tmp = talloc_new(ev);
	struct wdb *db = bench_open(tmp, ev, path, true);
	struct wrec *recs = NULL;
	size_t num = 0;
	size_t walked = 0;
	uint64_t maxv;
	uint64_t pos;
	double t0;
	double dt;
	uint32_t i;
	uint32_t q;
	bool ok = false;

	if (db == NULL) {
		goto done;
	}
	/* versions 1, 3, 5, ...: every other version is a gap */
	t0 = now_s();
	for (i = 0; i < n; i++) {
		struct wrec r;

		bench_rec(&r, i, OWNER_PEER, 1 + 2 * (uint64_t)i);
		if (wdb_put(db, &r, 0) != TWERR_OK) {
			goto done;
		}
		if ((i + 1) % 1024 == 0 && !bench_sync(ev, db)) {
			goto done;
		}
	}
	if (!bench_sync(ev, db)) {
		goto done;
	}
	dt = now_s() - t0;
	printf("load          %" PRIu32 " replica records (no fsync) "
	       "%.3f s, %.0f puts/s\n",
	       n, dt, n / dt);
	maxv = 2 * (uint64_t)n;

	t0 = now_s();
	if (wdb_range(db, tmp, OWNER_PEER, 1, 0, 0, true, &recs, &num) !=
		    TWERR_OK ||
	    num != n) {
		fprintf(stderr, "bench_wdb: full range gave %zu\n", num);
		goto done;
	}
	dt = now_s() - t0;
	TALLOC_FREE(recs);
	printf("range         all %zu records          %9.3f ms  "
	       "(%.2f us/record)\n",
	       num, dt * 1000.0, dt * 1e6 / num);

	/* a pull in chunks of 1000, as a partner would page through */
	t0 = now_s();
	q = 0;
	for (pos = 1; pos <= maxv; q++) {
		if (wdb_range(db, tmp, OWNER_PEER, pos, 0, 1000, true, &recs,
			      &num) != TWERR_OK) {
			goto done;
		}
		if (num == 0) {
			break;
		}
		pos = recs[num - 1].version + 1;
		TALLOC_FREE(recs);
	}
	dt = now_s() - t0;
	printf("range         %" PRIu32 " chunks of 1000           %9.3f ms"
	       "  (%.3f ms/chunk)\n",
	       q, dt * 1000.0, dt * 1000.0 / q);

	/* small windows anywhere: cost must not depend on the position */
	srandom(1);
	t0 = now_s();
	for (q = 0; q < 10000; q++) {
		uint64_t lo = 1 + (uint64_t)random() % maxv;

		if (wdb_range(db, tmp, OWNER_PEER, lo, lo + 19, 0, true, &recs,
			      &num) != TWERR_OK) {
			goto done;
		}
		TALLOC_FREE(recs);
	}
	dt = now_s() - t0;
	printf("range         10000 windows of 20 versions %9.3f ms  "
	       "(%.1f us/query)\n",
	       dt * 1000.0, dt * 1e6 / 10000);

	/* an unknown owner and an empty window answer without a walk */
	t0 = now_s();
	for (q = 0; q < 10000; q++) {
		if (wdb_range(db, tmp, OWNER_PEER + 7, 1, 0, 0, true, &recs,
			      &num) != TWERR_OK ||
		    num != 0) {
			goto done;
		}
	}
	dt = now_s() - t0;
	printf("range         10000 unknown-owner queries  %9.3f ms  "
	       "(%.1f us/query)\n",
	       dt * 1000.0, dt * 1e6 / 10000);

	t0 = now_s();
	if (wdb_traverse(db, count_fn, &walked) != TWERR_OK) {
		goto done;
	}
	dt = now_s() - t0;
	printf("walk          %zu records (what a scan costs) %9.3f ms\n",
	       walked, dt * 1000.0);
	ok = true;
done:
	talloc_free(tmp);
	unlink(path);
	return ok;
}

int main(int argc, char **argv)
{
	char dirbuf[256];
	char path[512];
	const char *dir = NULL;
	const char *tmpdir = getenv("TMPDIR");
	struct tevent_context *ev = NULL;
	uint32_t n = 100000;
	bool made_dir = false;
	bool ok = true;

	if (argc > 1) {
		dir = argv[1];
	} else {
		snprintf(dirbuf, sizeof(dirbuf), "%s/bench_wdb.XXXXXX",
			 tmpdir != NULL ? tmpdir : "/tmp");
		dir = mkdtemp(dirbuf);
		if (dir == NULL) {
			perror("bench_wdb: mkdtemp");
			return 1;
		}
		made_dir = true;
	}
	if (argc > 2) {
		n = (uint32_t)strtoul(argv[2], NULL, 10);
	}
	snprintf(path, sizeof(path), "%s/bench.tdb", dir);
	ev = tevent_context_init(NULL);
	if (ev == NULL) {
		return 1;
	}
	printf("bench_wdb: %s\n", path);
	ok = ok && bench_durable(ev, path, false, 1, 500);
	ok = ok && bench_durable(ev, path, false, 64, 64 * 100);
	ok = ok && bench_durable(ev, path, false, 1024, 1024 * 20);
	ok = ok && bench_durable(ev, path, true, 64, 64 * 100);
	ok = ok && bench_durable(ev, path, true, 1024, 1024 * 20);
	ok = ok && bench_range(ev, path, n);
	talloc_free(ev);
	if (made_dir) {
		rmdir(dir);
	}
	return ok ? 0 : 1;
}
