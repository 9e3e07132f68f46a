/*
 * tdbwins — the tdb record store.  See wdb.h for the API and
 * docs/storage.md for the file layout.
 *
 * Keys (the first byte is a tag, so kinds can never collide):
 *   'M'                             header: magic, format, owner, counter
 *   'R' + nbn_key(name)             one name record (wrec_codec.h)
 *   'L'                             sorted list of owners with records
 *   'D' + owner(4)                  sorted list of that owner's buckets
 *   'B' + owner(4) + bucket(8)      sorted (version, name key) entries with
 *                                   version >> WDB_BUCKET_SHIFT == bucket
 *   'S'                             per-owner "highest version seen" by
 *                                   replication: (owner, version) pairs
 *
 * Every value is written with the bounded writer and read back through
 * the cursor with full validation: the file is input (STYLE.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <tdb.h>

#include "../util/twlog.h"
#include "../wire/wcur.h"
#include "../wire/wwr.h"
#include "wdb.h"
#include "wrec_codec.h"

#define WDB_TAG_META 'M'
#define WDB_TAG_REC 'R'
#define WDB_TAG_OWNERS 'L'
#define WDB_TAG_DIR 'D'
#define WDB_TAG_BUCKET 'B'
#define WDB_TAG_SEEN 'S'

#define WDB_META_MAGIC "TWDB"
#define WDB_META_FORMAT 1
#define WDB_META_LEN (4 + 1 + 4 + 8)

/* format byte that starts every list value ('L', 'D', 'B') */
#define WDB_LIST_FORMAT 1

/*
 * 1024 versions per bucket: a pull of n consecutive versions reads about
 * n/1024 + 1 buckets, and a bucket of a normal (dense) owner holds at most
 * 1024 entries of ~30 bytes.
 */
#define WDB_BUCKET_SHIFT 10

/* one watermark in the 'S' value: owner (4) + version (8) */
#define WDB_SEEN_ENT_LEN (4 + 8)

/* version (8) + key length (1) + smallest key (16 raw name bytes) */
#define WDB_IENT_MIN_LEN (8 + 1 + NBN_RAW_LEN)

#define WDB_REC_KEY_MAX (1 + NBN_KEY_MAX)
#define WDB_BUCKET_KEY_LEN (1 + 4 + 8)
#define WDB_DIR_KEY_LEN (1 + 4)

/*
 * Hash chains: the file is expected to hold 10^4..10^6 records plus their
 * index; a prime of this size keeps chains short at the top of that range
 * for 400 KiB of hash table.
 */
#define WDB_HASH_SIZE 100003

struct wdb_sync_state;

/*
 * Record cache.  The server is the only writer of its file, so a copy of
 * what it read or wrote stays exact until it writes that key again; a
 * query served from here takes no tdb chain lock and walks no hash chain
 * (docs/benchmarks.md measured both as a third of a query's cost).
 * Direct-mapped, WDB_CACHE_SLOTS entries of encoded bytes (re-validated by
 * the decoder on every hit), negative entries for absent names; emptied
 * whenever a batch is cancelled, since its writes were cached too.
 * Readers beside a running server (read_only) do not cache.
 */
#define WDB_CACHE_SLOTS (1u << 19)

struct wdb_centry {
	uint16_t klen;
	uint16_t vlen;		/* 0: the key is absent */
	uint8_t bytes[];	/* key, then value */
};

/*
 * Index buckets written during a batch are kept here and stored once, at
 * commit: a burst of registrations rewrites the same bucket for every
 * record, and each tdb_store of it inside the transaction copied the whole
 * bucket (docs/benchmarks.md).  Reads during the batch see these values.
 */
struct wdb_wb {
	struct wdb_wb *next;
	uint8_t key[WDB_BUCKET_KEY_LEN];
	uint8_t *val;		/* NULL: deleted in this batch */
	size_t vlen;
};

struct wdb {
	bool read_only;
	struct wdb_wb *wb;
	struct wdb_centry **cache;	/* WDB_CACHE_SLOTS, NULL: no cache */
	struct tevent_context *ev;
	struct tdb_context *tdb;
	uint32_t local_owner;
	uint32_t commit_delay_us;
	uint32_t max_batch;

	uint64_t counter; /* last allocated version */
	uint64_t counter_committed; /* counter in the committed header */
	bool meta_dirty; /* header must be rewritten */

	bool in_txn; /* a batch (transaction) is open */
	uint32_t batch_writes;
	uint64_t tdb_mods; /* stores + deletes issued, ever */
	struct tevent_immediate *commit_im;
	struct tevent_timer *commit_timer;

	/* error of a batch aborted in this loop pass (see wdb_sync_send) */
	enum twerr abort_err;
	struct tevent_immediate *clear_im;

	struct wdb_sync_state *waiters;
	bool traversing;
	bool seen_warned; /* a damaged 'S' value was reported */
	struct wdb_stats stats;
};

struct wdb_sync_state {
	struct wdb_sync_state *prev, *next;
	struct wdb *db;
	struct tevent_req *req;
};

/* one decoded index entry; key points into the bucket's buffer */
struct wdb_ient {
	uint64_t version;
	const uint8_t *key;
	uint8_t klen;
};

struct wdb_bucket {
	uint8_t *raw;
	struct wdb_ient *ents;
	size_t num;
};

static void wdb_commit_handler(struct tevent_context *ev,
			       struct tevent_immediate *im, void *private_data);
static void wdb_commit_timer_handler(struct tevent_context *ev,
				     struct tevent_timer *te,
				     struct timeval now, void *private_data);
static void wdb_clear_abort(struct tevent_context *ev,
			    struct tevent_immediate *im, void *private_data);
static void wdb_complete_waiters(struct wdb *db, enum twerr err);

/* ------------------------------------------------------------------ */
/* small helpers */

static void wdb_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void wdb_put_be64(uint8_t *p, uint64_t v)
{
	wdb_put_be32(p, (uint32_t)(v >> 32));
	wdb_put_be32(p + 4, (uint32_t)v);
}

static size_t wdb_rec_key(const struct nbn_name *name, uint8_t *key)
{
	key[0] = WDB_TAG_REC;
	return 1 + nbn_key(name, key + 1);
}

static void wdb_dir_key(uint32_t owner, uint8_t *key)
{
	key[0] = WDB_TAG_DIR;
	wdb_put_be32(key + 1, owner);
}

static void wdb_bucket_key(uint32_t owner, uint64_t bid, uint8_t *key)
{
	key[0] = WDB_TAG_BUCKET;
	wdb_put_be32(key + 1, owner);
	wdb_put_be64(key + 5, bid);
}

static TDB_DATA wdb_data(const uint8_t *p, size_t len)
{
	/* tdb takes non-const keys and values but never writes through them */
	return (TDB_DATA){ .dptr = (uint8_t *)(uintptr_t)p, .dsize = len };
}

/* Compare index entries by (version, key bytes, key length). */
static int wdb_ient_cmp(uint64_t va, const uint8_t *ka, size_t la, uint64_t vb,
			const uint8_t *kb, size_t lb)
{
	size_t n = (la < lb) ? la : lb;
	int c;

	if (va != vb) {
		return (va < vb) ? -1 : 1;
	}
	c = memcmp(ka, kb, n);
	if (c != 0) {
		return c;
	}
	if (la != lb) {
		return (la < lb) ? -1 : 1;
	}
	return 0;
}

static void wdb_tdb_log(struct tdb_context *tdb, enum tdb_debug_level level,
			const char *fmt, ...) PRINTF_ATTRIBUTE(3, 4);

static void wdb_tdb_log(struct tdb_context *tdb, enum tdb_debug_level level,
			const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int lvl = TWLOG_DEBUG;
	size_t len;

	(void)tdb;
	switch (level) {
	case TDB_DEBUG_FATAL:
		lvl = TWLOG_ERR;
		break;
	case TDB_DEBUG_ERROR:
		lvl = TWLOG_WARNING;
		break;
	case TDB_DEBUG_WARNING:
		lvl = TWLOG_NOTICE;
		break;
	case TDB_DEBUG_TRACE:
		lvl = TWLOG_DEBUG;
		break;
	}
	if (!twlog_enabled(lvl)) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* tdb ends its messages with a newline; our log lines have none */
	len = strlen(line);
	if (len > 0 && line[len - 1] == '\n') {
		line[len - 1] = '\0';
	}
	twlog(lvl, "wdb: tdb: %s", line);
}

/* ------------------------------------------------------------------ */
/* raw tdb access */

struct wdb_copy_state {
	TALLOC_CTX *mem_ctx;
	uint8_t *buf;
	size_t len;
	bool nomem;
};

static int wdb_copy_parser(TDB_DATA key, TDB_DATA data, void *private_data)
{
	struct wdb_copy_state *s = private_data;
	struct wcur c = {};

	(void)key;
	s->len = data.dsize;
	/* one spare byte so that an empty value still gets a buffer */
	s->buf = talloc_size(s->mem_ctx, data.dsize + 1);
	if (s->buf == NULL) {
		s->nomem = true;
		return 0;
	}
	wcur_init(&c, data.dptr, data.dsize);
	wcur_copy(&c, s->buf, data.dsize);
	return 0;
}

/* Copy a value out into a talloc buffer. */
static struct wdb_wb *wdb_wb_find(struct wdb *db, const uint8_t *key)
{
	struct wdb_wb *w = NULL;

	for (w = db->wb; w != NULL; w = w->next) {
		if (memcmp(w->key, key, WDB_BUCKET_KEY_LEN) == 0) {
			return w;
		}
	}
	return NULL;
}

/* Remember a bucket write (val NULL: delete) until the commit. */
static enum twerr wdb_wb_set(struct wdb *db, const uint8_t *key,
			     const uint8_t *val, size_t vlen)
{
	struct wdb_wb *w = wdb_wb_find(db, key);
	uint8_t *copy = NULL;

	if (val != NULL) {
		copy = talloc_memdup(db, val, vlen);
		if (copy == NULL) {
			return TWERR_NOMEM;
		}
	}
	if (w == NULL) {
		w = talloc_zero(db, struct wdb_wb);
		if (w == NULL) {
			talloc_free(copy);
			return TWERR_NOMEM;
		}
		memcpy(w->key, key, WDB_BUCKET_KEY_LEN);
		w->next = db->wb;
		db->wb = w;
	}
	talloc_free(w->val);
	w->val = copy;
	if (copy != NULL) {
		talloc_steal(w, copy);
	}
	w->vlen = vlen;
	return TWERR_OK;
}

static void wdb_wb_clear(struct wdb *db)
{
	while (db->wb != NULL) {
		struct wdb_wb *w = db->wb;

		db->wb = w->next;
		talloc_free(w);
	}
}

/* Store the batch's buckets; part of the commit. */
static enum twerr wdb_wb_flush(struct wdb *db)
{
	while (db->wb != NULL) {
		struct wdb_wb *w = db->wb;
		TDB_DATA k = wdb_data(w->key, WDB_BUCKET_KEY_LEN);
		int ret;

		if (w->val != NULL) {
			ret = tdb_store(db->tdb, k,
					wdb_data(w->val, w->vlen),
					TDB_REPLACE);
		} else {
			ret = tdb_delete(db->tdb, k);
			if (ret != 0 &&
			    tdb_error(db->tdb) == TDB_ERR_NOEXIST) {
				ret = 0;
			}
		}
		if (ret != 0) {
			TW_ERR("wdb: index store failed: %s",
			       tdb_errorstr(db->tdb));
			return TWERR_DB;
		}
		db->wb = w->next;
		talloc_free(w);
	}
	return TWERR_OK;
}

static enum twerr wdb_get(struct wdb *db, TALLOC_CTX *mem_ctx,
			  const uint8_t *key, size_t klen, uint8_t **val,
			  size_t *vlen, bool *found)
{
	struct wdb_copy_state s = { .mem_ctx = mem_ctx };
	TDB_DATA k = wdb_data(key, klen);
	int ret;

	*val = NULL;
	*vlen = 0;
	*found = false;
	if (klen == WDB_BUCKET_KEY_LEN && key[0] == WDB_TAG_BUCKET) {
		struct wdb_wb *w = wdb_wb_find(db, key);

		if (w != NULL) {
			if (w->val == NULL) {
				return TWERR_OK;
			}
			*val = talloc_memdup(mem_ctx, w->val, w->vlen);
			if (*val == NULL) {
				return TWERR_NOMEM;
			}
			*vlen = w->vlen;
			*found = true;
			return TWERR_OK;
		}
	}
	ret = tdb_parse_record(db->tdb, k, wdb_copy_parser, &s);
	if (ret != 0) {
		if (tdb_error(db->tdb) == TDB_ERR_NOEXIST) {
			return TWERR_OK;
		}
		return TWERR_DB;
	}
	if (s.nomem) {
		return TWERR_NOMEM;
	}
	*val = s.buf;
	*vlen = s.len;
	*found = true;
	return TWERR_OK;
}

/* ------------------------------------------------------------------ */
/* record cache */

static uint32_t wdb_cache_slot(const uint8_t *key, size_t klen)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < klen; i++) {
		h ^= key[i];
		h *= 16777619u;
	}
	return h & (WDB_CACHE_SLOTS - 1);
}

static void wdb_cache_drop(struct wdb *db, const uint8_t *key, size_t klen)
{
	uint32_t slot;

	if (db->cache == NULL) {
		return;
	}
	slot = wdb_cache_slot(key, klen);
	TALLOC_FREE(db->cache[slot]);
}

static void wdb_cache_flush(struct wdb *db)
{
	uint32_t i;

	if (db->cache == NULL) {
		return;
	}
	for (i = 0; i < WDB_CACHE_SLOTS; i++) {
		TALLOC_FREE(db->cache[i]);
	}
}

/* Remember key -> val (vlen 0: absent); failures only cost a miss. */
static void wdb_cache_put(struct wdb *db, const uint8_t *key, size_t klen,
			  const uint8_t *val, size_t vlen)
{
	struct wdb_centry *e = NULL;
	uint32_t slot;

	if (db->cache == NULL || klen > UINT16_MAX || vlen > UINT16_MAX) {
		return;
	}
	slot = wdb_cache_slot(key, klen);
	TALLOC_FREE(db->cache[slot]);
	e = talloc_size(db->cache, sizeof(*e) + klen + vlen);
	if (e == NULL) {
		return;
	}
	e->klen = (uint16_t)klen;
	e->vlen = (uint16_t)vlen;
	memcpy(e->bytes, key, klen);
	if (vlen > 0) {
		memcpy(e->bytes + klen, val, vlen);
	}
	db->cache[slot] = e;
}

static const struct wdb_centry *wdb_cache_get(struct wdb *db,
					       const uint8_t *key,
					       size_t klen)
{
	const struct wdb_centry *e = NULL;

	if (db->cache == NULL) {
		return NULL;
	}
	e = db->cache[wdb_cache_slot(key, klen)];
	if (e == NULL || e->klen != klen || memcmp(e->bytes, key, klen) != 0) {
		return NULL;
	}
	return e;
}

static enum twerr wdb_store(struct wdb *db, const uint8_t *key, size_t klen,
			    const uint8_t *val, size_t vlen)
{
	TDB_DATA k = wdb_data(key, klen);
	TDB_DATA v = wdb_data(val, vlen);
	int ret;

	db->tdb_mods++;
	if (db->in_txn && klen == WDB_BUCKET_KEY_LEN &&
	    key[0] == WDB_TAG_BUCKET) {
		return wdb_wb_set(db, key, val, vlen);
	}
	wdb_cache_drop(db, key, klen);
	ret = tdb_store(db->tdb, k, v, TDB_REPLACE);
	if (ret != 0) {
		TW_ERR("wdb: store failed: %s", tdb_errorstr(db->tdb));
		return TWERR_DB;
	}
	return TWERR_OK;
}

static enum twerr wdb_remove(struct wdb *db, const uint8_t *key, size_t klen)
{
	TDB_DATA k = wdb_data(key, klen);
	int ret;

	db->tdb_mods++;
	if (db->in_txn && klen == WDB_BUCKET_KEY_LEN &&
	    key[0] == WDB_TAG_BUCKET) {
		return wdb_wb_set(db, key, NULL, 0);
	}
	wdb_cache_drop(db, key, klen);
	ret = tdb_delete(db->tdb, k);
	if (ret != 0 && tdb_error(db->tdb) != TDB_ERR_NOEXIST) {
		TW_ERR("wdb: delete failed: %s", tdb_errorstr(db->tdb));
		return TWERR_DB;
	}
	return TWERR_OK;
}

/* ------------------------------------------------------------------ */
/* records */

struct wdb_rec_state {
	struct wdb *db;
	struct wrec *out;
	enum twerr err;
};

static int wdb_rec_parser(TDB_DATA key, TDB_DATA data, void *private_data)
{
	struct wdb_rec_state *s = private_data;

	s->err = wrec_decode(data.dptr, data.dsize, s->out);
	if (s->err == TWERR_OK && s->db != NULL) {
		wdb_cache_put(s->db, key.dptr, key.dsize, data.dptr,
			      data.dsize);
	}
	return 0;
}

/*
 * Read the record stored under key.  TWERR_CORRUPT (with *found true) when
 * the value does not decode.
 */
static enum twerr wdb_fetch_key(struct wdb *db, const uint8_t *key, size_t klen,
				struct wrec *out, bool *found)
{
	struct wdb_rec_state s = { .db = db, .out = out, .err = TWERR_OK };
	TDB_DATA k = wdb_data(key, klen);
	const struct wdb_centry *e = NULL;
	int ret;

	*found = false;
	memset(out, 0, sizeof(*out));
	e = wdb_cache_get(db, key, klen);
	if (e != NULL) {
		if (e->vlen == 0) {
			return TWERR_OK;
		}
		*found = true;
		/* cached bytes go through the same validating decoder */
		return wrec_decode(e->bytes + e->klen, e->vlen, out);
	}
	ret = tdb_parse_record(db->tdb, k, wdb_rec_parser, &s);
	if (ret != 0) {
		if (tdb_error(db->tdb) == TDB_ERR_NOEXIST) {
			wdb_cache_put(db, key, klen, NULL, 0);
			return TWERR_OK;
		}
		return TWERR_DB;
	}
	*found = true;
	if (s.err != TWERR_OK) {
		db->stats.corrupt_skipped++;
	}
	return s.err;
}

static enum twerr wdb_store_rec(struct wdb *db, const uint8_t *key, size_t klen,
				const struct wrec *rec)
{
	uint8_t buf[WREC_CODEC_MAX_LEN] = {};
	struct wwr w = {};
	enum twerr err;

	wwr_init(&w, buf, sizeof(buf));
	err = wrec_encode(&w, rec);
	if (err != TWERR_OK) {
		return err;
	}
	err = wdb_store(db, key, klen, buf, wwr_len(&w));
	if (err == TWERR_OK) {
		wdb_cache_put(db, key, klen, buf, wwr_len(&w));
	}
	return err;
}

/* ------------------------------------------------------------------ */
/* header record: magic, format, owner, counter */

static enum twerr wdb_meta_load(struct wdb *db, bool *found, uint32_t *owner,
				uint64_t *counter)
{
	static const uint8_t key[1] = { WDB_TAG_META };
	TALLOC_CTX *tmp = talloc_new(db);
	uint8_t magic[4] = {};
	struct wcur c = {};
	uint8_t *val = NULL;
	size_t vlen = 0;
	uint8_t format;
	enum twerr err;

	if (tmp == NULL) {
		return TWERR_NOMEM;
	}
	err = wdb_get(db, tmp, key, sizeof(key), &val, &vlen, found);
	if (err != TWERR_OK || !*found) {
		goto done;
	}
	wcur_init(&c, val, vlen);
	wcur_copy(&c, magic, sizeof(magic));
	format = wcur_u8(&c);
	*owner = wcur_be32(&c);
	*counter = wcur_be64(&c);
	if (!wcur_ok(&c) || wcur_remaining(&c) != 0 ||
	    memcmp(magic, WDB_META_MAGIC, 4) != 0 ||
	    format != WDB_META_FORMAT || *counter > WDB_VERSION_LIMIT) {
		err = TWERR_CORRUPT;
	}
done:
	talloc_free(tmp);
	return err;
}

static enum twerr wdb_meta_store(struct wdb *db)
{
	static const uint8_t key[1] = { WDB_TAG_META };
	uint8_t buf[WDB_META_LEN] = {};
	struct wwr w = {};

	wwr_init(&w, buf, sizeof(buf));
	wwr_bytes(&w, WDB_META_MAGIC, 4);
	wwr_u8(&w, WDB_META_FORMAT);
	wwr_be32(&w, db->local_owner);
	wwr_be64(&w, db->counter);
	if (!wwr_ok(&w)) {
		return TWERR_INTERNAL;
	}
	return wdb_store(db, key, sizeof(key), buf, wwr_len(&w));
}

static void wdb_check_alarm(struct wdb *db)
{
	if (db->counter <= WDB_VERSION_ALARM || db->stats.version_alarm) {
		return;
	}
	db->stats.version_alarm = true;
	TW_WARN("wdb: version counter %" PRIu64 " is above 2^62; "
		"it stops at %" PRIu64 " (SECURITY.md F 11)",
		db->counter, WDB_VERSION_LIMIT);
}

/* ------------------------------------------------------------------ */
/* sorted lists: the owner list ('L', u32 items) and directories ('D', u64) */

/*
 * Read the head of a list value ('L', 'D', 'S'): format byte and u32
 * count, which must be above 0 and match the width-byte items that
 * follow exactly; checked before anything is allocated from it.
 */
static bool wdb_list_head(struct wcur *c, size_t width, uint32_t *n)
{
	uint8_t format = wcur_u8(c);

	*n = wcur_be32(c);
	return wcur_ok(c) && format == WDB_LIST_FORMAT && *n > 0 &&
	       *n <= wcur_remaining(c) / width &&
	       (size_t)*n * width == wcur_remaining(c);
}

/*
 * Decode a list value: format byte, u32 count, count items of width bytes,
 * strictly increasing.  Items are returned as u64.
 */
static enum twerr wdb_list_decode(TALLOC_CTX *mem_ctx, const uint8_t *val,
				  size_t vlen, size_t width, uint64_t **items,
				  size_t *num)
{
	struct wcur c = {};
	uint64_t *arr = NULL;
	uint32_t n;
	size_t i;

	*items = NULL;
	*num = 0;
	wcur_init(&c, val, vlen);
	if (!wdb_list_head(&c, width, &n)) {
		return TWERR_CORRUPT;
	}
	arr = talloc_array(mem_ctx, uint64_t, n);
	if (arr == NULL) {
		return TWERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		arr[i] = (width == 4) ? wcur_be32(&c) : wcur_be64(&c);
		if (i > 0 && arr[i] <= arr[i - 1]) {
			talloc_free(arr);
			return TWERR_CORRUPT;
		}
	}
	if (!wcur_ok(&c)) {
		talloc_free(arr);
		return TWERR_CORRUPT;
	}
	*items = arr;
	*num = n;
	return TWERR_OK;
}

static enum twerr wdb_list_load(struct wdb *db, TALLOC_CTX *mem_ctx,
				const uint8_t *key, size_t klen, size_t width,
				uint64_t **items, size_t *num, bool *found)
{
	uint8_t *val = NULL;
	size_t vlen = 0;
	enum twerr err;

	*items = NULL;
	*num = 0;
	err = wdb_get(db, mem_ctx, key, klen, &val, &vlen, found);
	if (err != TWERR_OK || !*found) {
		return err;
	}
	err = wdb_list_decode(mem_ctx, val, vlen, width, items, num);
	talloc_free(val);
	if (err == TWERR_CORRUPT) {
		db->stats.corrupt_skipped++;
	}
	return err;
}

/* Index of the first item >= v (num if none). */
static size_t wdb_lower_bound(const uint64_t *items, size_t num, uint64_t v)
{
	size_t lo = 0;
	size_t hi = num;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (items[mid] < v) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/*
 * Insert (add) or remove v in the list stored under key; a list that
 * empties is deleted and *emptied (if not NULL) set.
 */
static enum twerr wdb_list_update(struct wdb *db, const uint8_t *key,
				  size_t klen, size_t width, uint64_t v,
				  bool add, bool *emptied)
{
	TALLOC_CTX *tmp = talloc_new(db);
	uint64_t *items = NULL;
	uint8_t *buf = NULL;
	size_t num = 0;
	size_t pos;
	size_t i;
	size_t cap;
	struct wwr w = {};
	bool found = false;
	enum twerr err;

	if (emptied != NULL) {
		*emptied = false;
	}
	if (tmp == NULL) {
		return TWERR_NOMEM;
	}
	err = wdb_list_load(db, tmp, key, klen, width, &items, &num, &found);
	if (err != TWERR_OK) {
		goto done;
	}
	pos = wdb_lower_bound(items, num, v);
	found = (pos < num && items[pos] == v);
	if (add == found) {
		/* already there, or already gone */
		goto done;
	}
	if (!add && num == 1) {
		err = wdb_remove(db, key, klen);
		if (err == TWERR_OK && emptied != NULL) {
			*emptied = true;
		}
		goto done;
	}

	cap = 1 + 4 + (num + 1) * width;
	buf = talloc_zero_size(tmp, cap);
	if (buf == NULL) {
		err = TWERR_NOMEM;
		goto done;
	}
	wwr_init(&w, buf, cap);
	wwr_u8(&w, WDB_LIST_FORMAT);
	wwr_be32(&w, (uint32_t)(add ? num + 1 : num - 1));
	for (i = 0; i <= num; i++) {
		if (add && i == pos) {
			if (width == 4) {
				wwr_be32(&w, (uint32_t)v);
			} else {
				wwr_be64(&w, v);
			}
		}
		if (i == num || (!add && i == pos)) {
			continue;
		}
		if (width == 4) {
			wwr_be32(&w, (uint32_t)items[i]);
		} else {
			wwr_be64(&w, items[i]);
		}
	}
	if (!wwr_ok(&w)) {
		err = TWERR_INTERNAL;
		goto done;
	}
	err = wdb_store(db, key, klen, buf, wwr_len(&w));
done:
	talloc_free(tmp);
	return err;
}

/* ------------------------------------------------------------------ */
/* index buckets */

static enum twerr wdb_bucket_decode(TALLOC_CTX *mem_ctx, uint8_t *val,
				    size_t vlen, uint64_t bid,
				    struct wdb_bucket *b)
{
	struct wcur c = {};
	uint32_t n;
	uint8_t format;
	size_t i;

	*b = (struct wdb_bucket){ .raw = val };
	wcur_init(&c, val, vlen);
	format = wcur_u8(&c);
	n = wcur_be32(&c);
	if (!wcur_ok(&c) || format != WDB_LIST_FORMAT || n == 0 ||
	    n > WDB_BUCKET_MAX_ENTRIES ||
	    n > wcur_remaining(&c) / WDB_IENT_MIN_LEN) {
		return TWERR_CORRUPT;
	}
	b->ents = talloc_array(mem_ctx, struct wdb_ient, n);
	if (b->ents == NULL) {
		return TWERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		struct wdb_ient *e = &b->ents[i];

		e->version = wcur_be64(&c);
		e->klen = wcur_u8(&c);
		e->key = wcur_take(&c, e->klen);
		if (!wcur_ok(&c) || e->klen < NBN_RAW_LEN || e->version == 0 ||
		    (e->version >> WDB_BUCKET_SHIFT) != bid) {
			return TWERR_CORRUPT;
		}
		if (i > 0 &&
		    wdb_ient_cmp(b->ents[i - 1].version, b->ents[i - 1].key,
				 b->ents[i - 1].klen, e->version, e->key,
				 e->klen) >= 0) {
			return TWERR_CORRUPT;
		}
	}
	if (wcur_remaining(&c) != 0) {
		return TWERR_CORRUPT;
	}
	b->num = n;
	return TWERR_OK;
}

static enum twerr wdb_bucket_load(struct wdb *db, TALLOC_CTX *mem_ctx,
				  uint32_t owner, uint64_t bid,
				  struct wdb_bucket *b, bool *found)
{
	uint8_t key[WDB_BUCKET_KEY_LEN];
	uint8_t *val = NULL;
	size_t vlen = 0;
	enum twerr err;

	*b = (struct wdb_bucket){};
	wdb_bucket_key(owner, bid, key);
	err = wdb_get(db, mem_ctx, key, sizeof(key), &val, &vlen, found);
	if (err != TWERR_OK || !*found) {
		return err;
	}
	err = wdb_bucket_decode(mem_ctx, val, vlen, bid, b);
	if (err == TWERR_CORRUPT) {
		db->stats.corrupt_skipped++;
	}
	return err;
}

/*
 * Write bucket b with the entry (v, key) inserted at pos (add) or the entry
 * at pos left out (!add).
 */
static enum twerr wdb_bucket_write(struct wdb *db, TALLOC_CTX *mem_ctx,
				   uint32_t owner, uint64_t bid,
				   const struct wdb_bucket *b, size_t pos,
				   bool add, uint64_t v, const uint8_t *k,
				   uint8_t klen)
{
	uint8_t key[WDB_BUCKET_KEY_LEN];
	size_t cap = 1 + 4 + 8 + 1 + klen;
	uint8_t *buf = NULL;
	struct wwr w = {};
	size_t i;

	for (i = 0; i < b->num; i++) {
		cap += 8 + 1 + b->ents[i].klen;
	}
	buf = talloc_zero_size(mem_ctx, cap);
	if (buf == NULL) {
		return TWERR_NOMEM;
	}
	wwr_init(&w, buf, cap);
	wwr_u8(&w, WDB_LIST_FORMAT);
	wwr_be32(&w, (uint32_t)(add ? b->num + 1 : b->num - 1));
	for (i = 0; i <= b->num; i++) {
		if (add && i == pos) {
			wwr_be64(&w, v);
			wwr_u8(&w, klen);
			wwr_bytes(&w, k, klen);
		}
		if (i == b->num || (!add && i == pos)) {
			continue;
		}
		wwr_be64(&w, b->ents[i].version);
		wwr_u8(&w, b->ents[i].klen);
		wwr_bytes(&w, b->ents[i].key, b->ents[i].klen);
	}
	if (!wwr_ok(&w)) {
		return TWERR_INTERNAL;
	}
	wdb_bucket_key(owner, bid, key);
	return wdb_store(db, key, sizeof(key), buf, wwr_len(&w));
}

/* Position of (v, k) in b: *exact if present, else where it would go. */
static size_t wdb_bucket_find(const struct wdb_bucket *b, uint64_t v,
			      const uint8_t *k, size_t klen, bool *exact)
{
	size_t lo = 0;
	size_t hi = b->num;

	*exact = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct wdb_ient *e = &b->ents[mid];
		int c = wdb_ient_cmp(e->version, e->key, e->klen, v, k, klen);

		if (c == 0) {
			*exact = true;
			return mid;
		}
		if (c < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static enum twerr wdb_index_add(struct wdb *db, uint32_t owner, uint64_t v,
				const uint8_t *k, uint8_t klen)
{
	static const uint8_t okey[1] = { WDB_TAG_OWNERS };
	TALLOC_CTX *tmp = talloc_new(db);
	uint64_t bid = v >> WDB_BUCKET_SHIFT;
	uint8_t dkey[WDB_DIR_KEY_LEN];
	struct wdb_bucket b = {};
	bool found = false;
	bool exact = false;
	size_t pos = 0;
	enum twerr err;

	if (tmp == NULL) {
		return TWERR_NOMEM;
	}
	err = wdb_bucket_load(db, tmp, owner, bid, &b, &found);
	if (err != TWERR_OK) {
		goto done;
	}
	if (found) {
		pos = wdb_bucket_find(&b, v, k, klen, &exact);
		if (exact) {
			goto done;
		}
		/* checked before anything is written: the batch stays good */
		if (b.num >= WDB_BUCKET_MAX_ENTRIES) {
			err = TWERR_NOSPACE;
			goto done;
		}
	} else {
		/* a new bucket: enter it in the directory and the owner list */
		wdb_dir_key(owner, dkey);
		err = wdb_list_update(db, dkey, sizeof(dkey), 8, bid, true,
				      NULL);
		if (err != TWERR_OK) {
			goto done;
		}
		err = wdb_list_update(db, okey, sizeof(okey), 4, owner, true,
				      NULL);
		if (err != TWERR_OK) {
			goto done;
		}
	}
	err = wdb_bucket_write(db, tmp, owner, bid, &b, pos, true, v, k, klen);
done:
	talloc_free(tmp);
	return err;
}

static enum twerr wdb_index_remove(struct wdb *db, uint32_t owner, uint64_t v,
				   const uint8_t *k, uint8_t klen)
{
	static const uint8_t okey[1] = { WDB_TAG_OWNERS };
	TALLOC_CTX *tmp = talloc_new(db);
	uint64_t bid = v >> WDB_BUCKET_SHIFT;
	uint8_t dkey[WDB_DIR_KEY_LEN];
	uint8_t bkey[WDB_BUCKET_KEY_LEN];
	struct wdb_bucket b = {};
	bool found = false;
	bool exact = false;
	bool emptied = false;
	size_t pos;
	enum twerr err;

	if (tmp == NULL) {
		return TWERR_NOMEM;
	}
	err = wdb_bucket_load(db, tmp, owner, bid, &b, &found);
	if (err != TWERR_OK || !found) {
		goto done;
	}
	pos = wdb_bucket_find(&b, v, k, klen, &exact);
	if (!exact) {
		goto done;
	}
	if (b.num > 1) {
		err = wdb_bucket_write(db, tmp, owner, bid, &b, pos, false, 0,
				       NULL, 0);
		goto done;
	}

	/* the bucket empties: drop it, then from the directory and list */
	wdb_bucket_key(owner, bid, bkey);
	err = wdb_remove(db, bkey, sizeof(bkey));
	if (err != TWERR_OK) {
		goto done;
	}
	wdb_dir_key(owner, dkey);
	err = wdb_list_update(db, dkey, sizeof(dkey), 8, bid, false, &emptied);
	if (err == TWERR_OK && emptied) {
		err = wdb_list_update(db, okey, sizeof(okey), 4, owner, false,
				      NULL);
	}
done:
	talloc_free(tmp);
	return err;
}

/* Lowest and highest version in the index of owner (0, 0 if none). */
static enum twerr wdb_index_bounds(struct wdb *db, uint32_t owner,
				   uint64_t *min_v, uint64_t *max_v)
{
	TALLOC_CTX *tmp = talloc_new(db);
	uint8_t dkey[WDB_DIR_KEY_LEN];
	uint64_t *bids = NULL;
	struct wdb_bucket b = {};
	size_t nb = 0;
	size_t i;
	bool found = false;
	enum twerr err;

	*min_v = 0;
	*max_v = 0;
	if (tmp == NULL) {
		return TWERR_NOMEM;
	}
	wdb_dir_key(owner, dkey);
	err = wdb_list_load(db, tmp, dkey, sizeof(dkey), 8, &bids, &nb, &found);
	if (err != TWERR_OK || !found) {
		goto done;
	}
	/* skip buckets that are missing; a damaged one is an error */
	for (i = 0; i < nb && *min_v == 0; i++) {
		err = wdb_bucket_load(db, tmp, owner, bids[i], &b, &found);
		if (err != TWERR_OK) {
			goto done;
		}
		if (found) {
			*min_v = b.ents[0].version;
		}
	}
	for (i = nb; i > 0 && *max_v == 0; i--) {
		err = wdb_bucket_load(db, tmp, owner, bids[i - 1], &b, &found);
		if (err != TWERR_OK) {
			goto done;
		}
		if (found) {
			*max_v = b.ents[b.num - 1].version;
		}
	}
done:
	talloc_free(tmp);
	return err;
}

/* ------------------------------------------------------------------ */
/* batches: one transaction per loop pass, shared by every writer */

/* Freeing an immediate or a timer is what cancels it in tevent. */
static void wdb_unschedule(struct wdb *db)
{
	TALLOC_FREE(db->commit_im);
	TALLOC_FREE(db->commit_timer);
}

static enum twerr wdb_batch_begin(struct wdb *db)
{
	int ret;

	if (db->in_txn) {
		return TWERR_OK;
	}
	if (db->read_only) {
		return TWERR_INTERNAL;
	}
	ret = tdb_transaction_start(db->tdb);
	if (ret != 0) {
		TW_ERR("wdb: transaction start failed: %s",
		       tdb_errorstr(db->tdb));
		return TWERR_DB;
	}
	if (db->commit_delay_us == 0) {
		/* runs after every event already queued in this pass */
		db->commit_im = tevent_create_immediate(db);
		if (db->commit_im != NULL) {
			tevent_schedule_immediate(db->commit_im, db->ev,
						  wdb_commit_handler, db);
		}
	} else {
		db->commit_timer = tevent_add_timer(
			db->ev, db,
			tevent_timeval_current_ofs(0, db->commit_delay_us),
			wdb_commit_timer_handler, db);
	}
	if (db->commit_im == NULL && db->commit_timer == NULL) {
		/* no commit could be scheduled: do not start the batch */
		tdb_transaction_cancel(db->tdb);
		return TWERR_NOMEM;
	}
	db->in_txn = true;
	db->batch_writes = 0;
	return TWERR_OK;
}

/* Remember a batch failure until the end of this loop pass. */
static void wdb_note_abort(struct wdb *db, enum twerr err)
{
	db->abort_err = err;
	db->stats.batches_aborted++;
	tevent_schedule_immediate(db->clear_im, db->ev, wdb_clear_abort, db);
}

static void wdb_clear_abort(struct tevent_context *ev,
			    struct tevent_immediate *im, void *private_data)
{
	struct wdb *db = talloc_get_type_abort(private_data, struct wdb);

	(void)ev;
	(void)im;
	db->abort_err = TWERR_OK;
}

/*
 * Cancel the open batch after a failed write: nothing of it was
 * acknowledged (its writers are still waiting), so all of it goes, and the
 * waiters learn why.  The in-memory counter is kept: it never goes back.
 */
static void wdb_abort_batch(struct wdb *db, enum twerr err)
{
	if (!db->in_txn) {
		return;
	}
	wdb_unschedule(db);
	if (tdb_transaction_active(db->tdb)) {
		tdb_transaction_cancel(db->tdb);
	}
	wdb_cache_flush(db);
	wdb_wb_clear(db);
	db->in_txn = false;
	db->batch_writes = 0;
	TW_ERR("wdb: batch cancelled: %s", twerr_str(err));
	wdb_note_abort(db, err);
	wdb_complete_waiters(db, err);
}

static enum twerr wdb_commit_batch(struct wdb *db)
{
	enum twerr err = TWERR_OK;
	int ret;

	if (!db->in_txn) {
		return TWERR_OK;
	}
	wdb_unschedule(db);
	err = wdb_wb_flush(db);
	if (err == TWERR_OK &&
	    (db->meta_dirty || db->counter != db->counter_committed)) {
		err = wdb_meta_store(db);
	}
	if (err == TWERR_OK) {
		ret = tdb_transaction_commit(db->tdb);
		if (ret != 0) {
			TW_ERR("wdb: commit failed: %s", tdb_errorstr(db->tdb));
			err = TWERR_DB;
		}
	}
	if (err != TWERR_OK) {
		/* a failed commit may leave the transaction open */
		if (tdb_transaction_active(db->tdb)) {
			tdb_transaction_cancel(db->tdb);
		}
		wdb_cache_flush(db);
		wdb_wb_clear(db);
		db->stats.commit_failures++;
		db->in_txn = false;
		db->batch_writes = 0;
		db->meta_dirty = true;
		wdb_note_abort(db, err);
		wdb_complete_waiters(db, err);
		return err;
	}
	db->stats.commits++;
	db->counter_committed = db->counter;
	db->meta_dirty = false;
	db->in_txn = false;
	db->batch_writes = 0;
	wdb_complete_waiters(db, TWERR_OK);
	return TWERR_OK;
}

static void wdb_commit_handler(struct tevent_context *ev,
			       struct tevent_immediate *im, void *private_data)
{
	struct wdb *db = talloc_get_type_abort(private_data, struct wdb);

	(void)ev;
	(void)im;
	/* freeing im from its own handler is safe in tevent */
	wdb_commit_batch(db);
}

static void wdb_commit_timer_handler(struct tevent_context *ev,
				     struct tevent_timer *te,
				     struct timeval now, void *private_data)
{
	struct wdb *db = talloc_get_type_abort(private_data, struct wdb);

	(void)ev;
	(void)now;
	/* tevent frees the timer after this handler returns */
	if (db->commit_timer == te) {
		db->commit_timer = NULL;
	}
	wdb_commit_batch(db);
}

/* A write was applied: count it, commit early when the batch is full. */
static enum twerr wdb_wrote(struct wdb *db)
{
	db->batch_writes++;
	db->stats.writes++;
	if (db->batch_writes >= db->max_batch) {
		return wdb_commit_batch(db);
	}
	return TWERR_OK;
}

/* ------------------------------------------------------------------ */
/* open and close */

static int wdb_destructor(struct wdb *db)
{
	if (db->in_txn) {
		if (db->batch_writes > 0) {
			TW_WARN("wdb: closed with %" PRIu32 " uncommitted "
				"writes (no wdb_flush); they were never "
				"acknowledged",
				db->batch_writes);
		}
		wdb_unschedule(db);
		tdb_transaction_cancel(db->tdb);
		db->in_txn = false;
	}
	wdb_complete_waiters(db, TWERR_DB);
	if (db->tdb != NULL) {
		tdb_close(db->tdb);
		db->tdb = NULL;
	}
	return 0;
}

/*
 * Repair, not trust: if the index holds a record of ours above the counter
 * (a damaged or hand-edited header), the counter is raised past it so that
 * no version is ever handed out twice.
 */
static enum twerr wdb_check_counter(struct wdb *db)
{
	uint64_t min_v = 0;
	uint64_t max_v = 0;
	enum twerr err;

	err = wdb_index_bounds(db, db->local_owner, &min_v, &max_v);
	if (err != TWERR_OK) {
		return err;
	}
	if (max_v > db->counter) {
		TW_WARN("wdb: header counter %" PRIu64 " below our own "
			"record version %" PRIu64 "; raised",
			db->counter, max_v);
		db->counter = max_v;
		db->meta_dirty = true;
	}
	return TWERR_OK;
}

enum twerr wdb_open(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
		    const struct wdb_config *cfg, struct wdb **out)
{
	struct tdb_logging_context log_ctx = { .log_fn = wdb_tdb_log };
	struct wdb *db = NULL;
	uint32_t owner = 0;
	uint64_t counter = 0;
	bool found = false;
	int flags = TDB_DISALLOW_NESTING | TDB_INCOMPATIBLE_HASH;
	int open_flags = O_RDWR;
	struct stat st = {};
	enum twerr err;
	int ret;

	*out = NULL;
	if (cfg == NULL || cfg->path == NULL || ev == NULL) {
		return TWERR_INTERNAL;
	}
	db = talloc_zero(mem_ctx, struct wdb);
	if (db == NULL) {
		return TWERR_NOMEM;
	}
	db->ev = ev;
	db->local_owner = cfg->local_owner;
	db->commit_delay_us = cfg->commit_delay_us;
	db->max_batch = (cfg->max_batch != 0) ? cfg->max_batch :
						WDB_DEFAULT_MAX_BATCH;
	db->clear_im = tevent_create_immediate(db);
	if (db->clear_im == NULL) {
		err = TWERR_NOMEM;
		goto fail;
	}
	if (cfg->nosync) {
		flags |= TDB_NOSYNC;
	}
	/*
	 * Never O_CREAT on an existing file: tdb re-initialises a file whose
	 * header it cannot read when O_CREAT is given, which would wipe the
	 * records and restart the version counter at 1.  Create only a file
	 * that is not there (O_EXCL), and fail on one that is damaged.
	 */
	db->read_only = cfg->read_only;
	ret = stat(cfg->path, &st);
	if (cfg->read_only) {
		open_flags = O_RDONLY;
	} else if (ret != 0 && errno == ENOENT) {
		open_flags |= O_CREAT | O_EXCL;
	}
	db->tdb = tdb_open_ex(cfg->path, WDB_HASH_SIZE, flags, open_flags, 0600,
			      &log_ctx, NULL);
	if (db->tdb == NULL) {
		TW_ERR("wdb: cannot open %s: %s", cfg->path, strerror(errno));
		err = TWERR_IO;
		goto fail;
	}
	talloc_set_destructor(db, wdb_destructor);
	if (!cfg->read_only) {
		db->cache = talloc_zero_array(db, struct wdb_centry *,
					      WDB_CACHE_SLOTS);
	}

	err = wdb_meta_load(db, &found, &owner, &counter);
	if (err != TWERR_OK) {
		TW_ERR("wdb: %s: header unreadable: %s", cfg->path,
		       twerr_str(err));
		goto fail;
	}
	if (found && cfg->read_only) {
		/* a reader takes the file as it is: no repair, no stamp */
		db->counter = counter;
		db->counter_committed = counter;
		db->local_owner = owner;
		*out = db;
		return TWERR_OK;
	}
	if (found) {
		db->counter = counter;
		db->counter_committed = counter;
		if (owner != db->local_owner) {
			TW_NOTICE("wdb: local owner changed from 0x%08" PRIx32
				  " to 0x%08" PRIx32,
				  owner, db->local_owner);
			db->meta_dirty = true;
		}
	} else {
		db->meta_dirty = true;
	}
	err = wdb_check_counter(db);
	if (err != TWERR_OK) {
		goto fail;
	}
	wdb_check_alarm(db);
	if (db->meta_dirty) {
		/* stamp a new file (or the repair) at once */
		err = wdb_batch_begin(db);
		if (err == TWERR_OK) {
			err = wdb_commit_batch(db);
		}
		if (err != TWERR_OK) {
			goto fail;
		}
	}
	*out = db;
	return TWERR_OK;
fail:
	talloc_free(db);
	return err;
}

uint32_t wdb_local_owner(const struct wdb *db)
{
	return db->local_owner;
}

uint64_t wdb_current_version(const struct wdb *db)
{
	return db->counter;
}

void wdb_get_stats(const struct wdb *db, struct wdb_stats *out)
{
	*out = db->stats;
}

bool wdb_batch_pending(const struct wdb *db)
{
	return db->in_txn;
}

/* ------------------------------------------------------------------ */
/* reads and writes */

enum twerr wdb_fetch(struct wdb *db, const struct nbn_name *name,
		     struct wrec *out, bool *found)
{
	uint8_t key[WDB_REC_KEY_MAX];
	size_t klen;

	*found = false;
	memset(out, 0, sizeof(*out));
	if (name->scope_len > NBN_SCOPE_MAX) {
		return TWERR_BAD_VALUE;
	}
	klen = wdb_rec_key(name, key);
	return wdb_fetch_key(db, key, klen, out, found);
}

enum twerr wdb_put(struct wdb *db, struct wrec *rec, unsigned flags)
{
	bool alloc = (flags & WDB_ALLOC_VERSION) != 0;
	uint8_t key[WDB_REC_KEY_MAX];
	struct wrec old = {};
	uint64_t mods = db->tdb_mods;
	bool found = false;
	bool have_old = false;
	size_t klen;
	enum twerr err;
	bool ok;

	if (db->traversing || (flags & ~WDB_ALLOC_VERSION) != 0) {
		return TWERR_INTERNAL;
	}
	ok = wrec_valid(rec, alloc);
	if (!ok) {
		return TWERR_BAD_VALUE;
	}
	if (alloc && db->counter >= WDB_VERSION_LIMIT) {
		TW_ERR("wdb: version counter exhausted at %" PRIu64,
		       db->counter);
		return TWERR_NOSPACE;
	}
	if (!alloc && rec->owner == db->local_owner &&
	    rec->version > db->counter) {
		/* SA-11: only allocation and the admin raise the counter */
		return TWERR_BAD_VALUE;
	}

	klen = wdb_rec_key(&rec->name, key);
	err = wdb_batch_begin(db);
	if (err != TWERR_OK) {
		return err;
	}
	err = wdb_fetch_key(db, key, klen, &old, &found);
	if (err == TWERR_CORRUPT) {
		/* replaced below; its index entry, if any, goes stale */
		TW_WARN("wdb: replacing a damaged record");
	} else if (err != TWERR_OK) {
		goto done;
	} else {
		have_old = found;
	}

	if (alloc) {
		db->counter++;
		rec->version = db->counter;
		rec->owner = db->local_owner;
		wdb_check_alarm(db);
	}

	/* add the new entry first: a full bucket fails before any write */
	err = wdb_index_add(db, rec->owner, rec->version, key + 1,
			    (uint8_t)(klen - 1));
	if (err != TWERR_OK) {
		goto done;
	}
	if (have_old &&
	    (old.owner != rec->owner || old.version != rec->version)) {
		err = wdb_index_remove(db, old.owner, old.version, key + 1,
				       (uint8_t)(klen - 1));
		if (err != TWERR_OK) {
			goto done;
		}
	}
	err = wdb_store_rec(db, key, klen, rec);
	if (err != TWERR_OK) {
		goto done;
	}
	return wdb_wrote(db);
done:
	if (db->tdb_mods != mods) {
		/* the transaction holds half of this write: drop the batch */
		wdb_abort_batch(db, err);
	}
	return err;
}

enum twerr wdb_delete(struct wdb *db, const struct nbn_name *name)
{
	uint8_t key[WDB_REC_KEY_MAX];
	struct wrec old = {};
	uint64_t mods = db->tdb_mods;
	bool found = false;
	size_t klen;
	enum twerr err;

	if (db->traversing) {
		return TWERR_INTERNAL;
	}
	if (name->scope_len > NBN_SCOPE_MAX) {
		return TWERR_BAD_VALUE;
	}
	klen = wdb_rec_key(name, key);
	err = wdb_fetch_key(db, key, klen, &old, &found);
	if (err != TWERR_OK && err != TWERR_CORRUPT) {
		return err;
	}
	if (!found) {
		return TWERR_OK;
	}
	err = wdb_batch_begin(db);
	if (err != TWERR_OK) {
		return err;
	}
	if (old.version != 0) {
		err = wdb_index_remove(db, old.owner, old.version, key + 1,
				       (uint8_t)(klen - 1));
		if (err != TWERR_OK) {
			goto done;
		}
	}
	err = wdb_remove(db, key, klen);
	if (err != TWERR_OK) {
		goto done;
	}
	return wdb_wrote(db);
done:
	if (db->tdb_mods != mods) {
		wdb_abort_batch(db, err);
	}
	return err;
}

enum twerr wdb_set_min_version(struct wdb *db, uint64_t version)
{
	enum twerr err;

	if (db->traversing) {
		return TWERR_INTERNAL;
	}
	if (version > WDB_VERSION_LIMIT) {
		return TWERR_BAD_VALUE;
	}
	if (version <= db->counter) {
		return TWERR_OK;
	}
	err = wdb_batch_begin(db);
	if (err != TWERR_OK) {
		return err;
	}
	TW_NOTICE("wdb: version counter raised from %" PRIu64 " to %" PRIu64,
		  db->counter, version);
	db->counter = version;
	db->meta_dirty = true;
	wdb_check_alarm(db);
	return wdb_wrote(db);
}

/* ------------------------------------------------------------------ */
/* group commit waiters */

static int wdb_sync_state_destructor(struct wdb_sync_state *s)
{
	struct wdb *db = s->db;

	if (db == NULL) {
		return 0;
	}
	if (s->prev != NULL) {
		s->prev->next = s->next;
	} else {
		db->waiters = s->next;
	}
	if (s->next != NULL) {
		s->next->prev = s->prev;
	}
	s->db = NULL;
	return 0;
}

static void wdb_complete_waiters(struct wdb *db, enum twerr err)
{
	while (db->waiters != NULL) {
		struct wdb_sync_state *s = db->waiters;

		db->waiters = s->next;
		if (db->waiters != NULL) {
			db->waiters->prev = NULL;
		}
		s->prev = NULL;
		s->next = NULL;
		s->db = NULL;
		/* callbacks are deferred (tevent_req_defer_callback) */
		if (err == TWERR_OK) {
			tevent_req_done(s->req);
		} else {
			tevent_req_error(s->req, (uint64_t)err);
		}
	}
}

struct tevent_req *wdb_sync_send(TALLOC_CTX *mem_ctx, struct tevent_context *ev,
				 struct wdb *db)
{
	struct tevent_req *req = NULL;
	struct wdb_sync_state *s = NULL;

	req = tevent_req_create(mem_ctx, &s, struct wdb_sync_state);
	if (req == NULL) {
		return NULL;
	}
	s->req = req;
	if (db->abort_err != TWERR_OK) {
		/*
		 * A batch failed earlier in this loop pass and the caller's
		 * write may have gone with it, even if a new batch has begun
		 * since: an error it can retry beats a false "durable".
		 */
		tevent_req_error(req, (uint64_t)db->abort_err);
		return tevent_req_post(req, ev);
	}
	if (!db->in_txn) {
		tevent_req_done(req);
		return tevent_req_post(req, ev);
	}
	/*
	 * The commit completes every waiter from inside the store; their
	 * callbacks run later from the event loop, never re-entering it.
	 */
	tevent_req_defer_callback(req, ev);
	s->db = db;
	s->next = db->waiters;
	if (s->next != NULL) {
		s->next->prev = s;
	}
	db->waiters = s;
	talloc_set_destructor(s, wdb_sync_state_destructor);
	return req;
}

enum twerr wdb_sync_recv(struct tevent_req *req)
{
	enum tevent_req_state state;
	uint64_t error = 0;
	bool failed;

	failed = tevent_req_is_error(req, &state, &error);
	if (!failed) {
		tevent_req_received(req);
		return TWERR_OK;
	}
	tevent_req_received(req);
	switch (state) {
	case TEVENT_REQ_USER_ERROR:
		if (error > 0 && error < TWERR_COUNT) {
			return (enum twerr)error;
		}
		return TWERR_INTERNAL;
	case TEVENT_REQ_NO_MEMORY:
		return TWERR_NOMEM;
	default:
		return TWERR_INTERNAL;
	}
}

enum twerr wdb_flush(struct wdb *db)
{
	if (db->traversing) {
		return TWERR_INTERNAL;
	}
	return wdb_commit_batch(db);
}

/* ------------------------------------------------------------------ */
/* highest version seen per owner ('S') */

struct wdb_seen {
	uint32_t owner;
	uint64_t version;
};

/*
 * Decode the 'S' value: format byte, u32 count, count (owner u32,
 * version u64) pairs, owners strictly increasing, versions in
 * 1..WDB_VERSION_LIMIT.
 */
static enum twerr wdb_seen_decode(TALLOC_CTX *mem_ctx, const uint8_t *val,
				  size_t vlen, struct wdb_seen **out,
				  size_t *num)
{
	struct wdb_seen *arr = NULL;
	struct wcur c = {};
	uint32_t n;
	size_t i;

	*out = NULL;
	*num = 0;
	wcur_init(&c, val, vlen);
	if (!wdb_list_head(&c, WDB_SEEN_ENT_LEN, &n)) {
		return TWERR_CORRUPT;
	}
	arr = talloc_array(mem_ctx, struct wdb_seen, n);
	if (arr == NULL) {
		return TWERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		arr[i].owner = wcur_be32(&c);
		arr[i].version = wcur_be64(&c);
		if (arr[i].version == 0 || arr[i].version > WDB_VERSION_LIMIT ||
		    (i > 0 && arr[i].owner <= arr[i - 1].owner)) {
			talloc_free(arr);
			return TWERR_CORRUPT;
		}
	}
	if (!wcur_ok(&c)) {
		talloc_free(arr);
		return TWERR_CORRUPT;
	}
	*out = arr;
	*num = n;
	return TWERR_OK;
}

/*
 * Load the watermarks (none: *num 0).  A damaged value is counted,
 * reported once and read as empty: losing a watermark only makes the next
 * pull ask for records again, as it did before watermarks existed, while
 * an error would stop replication until an admin ran wdb_reindex() (which
 * drops the damaged value).
 */
static enum twerr wdb_seen_load(struct wdb *db, TALLOC_CTX *mem_ctx,
				struct wdb_seen **out, size_t *num)
{
	static const uint8_t key[1] = { WDB_TAG_SEEN };
	uint8_t *val = NULL;
	size_t vlen = 0;
	bool found = false;
	enum twerr err;

	*out = NULL;
	*num = 0;
	err = wdb_get(db, mem_ctx, key, sizeof(key), &val, &vlen, &found);
	if (err != TWERR_OK || !found) {
		return err;
	}
	err = wdb_seen_decode(mem_ctx, val, vlen, out, num);
	talloc_free(val);
	if (err != TWERR_CORRUPT) {
		return err;
	}
	db->stats.corrupt_skipped++;
	if (!db->seen_warned) {
		db->seen_warned = true;
		TW_WARN("wdb: damaged owner watermarks ignored "
			"(wdb_reindex drops them)");
	}
	return TWERR_OK;
}

enum twerr wdb_owner_seen(struct wdb *db, uint32_t owner, uint64_t version)
{
	static const uint8_t key[1] = { WDB_TAG_SEEN };
	TALLOC_CTX *tmp = NULL;
	struct wdb_seen *arr = NULL;
	uint8_t *buf = NULL;
	uint64_t mods = db->tdb_mods;
	struct wwr w = {};
	size_t num = 0;
	size_t pos = 0;
	size_t cap;
	size_t i;
	bool exists;
	enum twerr err;

	if (db->traversing) {
		return TWERR_INTERNAL;
	}
	/* SA-11, F 10: nothing a partner sends stands for our versions */
	if (owner == db->local_owner || version > WDB_VERSION_LIMIT) {
		return TWERR_BAD_VALUE;
	}
	if (version == 0) {
		return TWERR_OK;
	}
	tmp = talloc_new(db);
	if (tmp == NULL) {
		return TWERR_NOMEM;
	}
	err = wdb_seen_load(db, tmp, &arr, &num);
	if (err != TWERR_OK) {
		goto done;
	}
	while (pos < num && arr[pos].owner < owner) {
		pos++;
	}
	exists = (pos < num && arr[pos].owner == owner);
	if (exists && arr[pos].version >= version) {
		/* a watermark never goes down */
		goto done;
	}

	cap = 1 + 4 + (num + 1) * WDB_SEEN_ENT_LEN;
	buf = talloc_zero_size(tmp, cap);
	if (buf == NULL) {
		err = TWERR_NOMEM;
		goto done;
	}
	wwr_init(&w, buf, cap);
	wwr_u8(&w, WDB_LIST_FORMAT);
	wwr_be32(&w, (uint32_t)(exists ? num : num + 1));
	for (i = 0; i <= num; i++) {
		if (i == pos) {
			wwr_be32(&w, owner);
			wwr_be64(&w, version);
		}
		if (i == num || (exists && i == pos)) {
			continue;
		}
		wwr_be32(&w, arr[i].owner);
		wwr_be64(&w, arr[i].version);
	}
	if (!wwr_ok(&w)) {
		err = TWERR_INTERNAL;
		goto done;
	}
	/* the same batch as the records it stands for: durable with them */
	err = wdb_batch_begin(db);
	if (err != TWERR_OK) {
		goto done;
	}
	err = wdb_store(db, key, sizeof(key), buf, wwr_len(&w));
	if (err != TWERR_OK) {
		if (db->tdb_mods != mods) {
			wdb_abort_batch(db, err);
		}
		goto done;
	}
	err = wdb_wrote(db);
done:
	talloc_free(tmp);
	return err;
}

/* ------------------------------------------------------------------ */
/* owner table and replication ranges */

/*
 * Merge the watermarks into the owner table *arr (sorted by owner, on
 * mem_ctx): max_version = max(highest held, seen); an owner with only a
 * watermark is listed with min_version 0.  A watermark of the local owner
 * (left from before our address changed) is ignored: we advertise our
 * counter, and advertising more would make partners skip versions we
 * allocate later.
 */
static enum twerr wdb_owners_merge_seen(struct wdb *db, TALLOC_CTX *mem_ctx,
					struct wdb_owner **arr, size_t *count)
{
	struct wdb_owner *held = *arr;
	struct wdb_owner *out = NULL;
	struct wdb_seen *seen = NULL;
	size_t nseen = 0;
	size_t i = 0;
	size_t j = 0;
	size_t m = 0;
	enum twerr err;

	err = wdb_seen_load(db, mem_ctx, &seen, &nseen);
	if (err != TWERR_OK || nseen == 0) {
		return err;
	}
	out = talloc_zero_array(mem_ctx, struct wdb_owner,
				*count + nseen + 1);
	if (out == NULL) {
		talloc_free(seen);
		return TWERR_NOMEM;
	}
	while (i < *count || j < nseen) {
		if (j < nseen && seen[j].owner == db->local_owner) {
			j++;
			continue;
		}
		if (j == nseen ||
		    (i < *count && held[i].owner < seen[j].owner)) {
			out[m++] = held[i++];
			continue;
		}
		if (i == *count || seen[j].owner < held[i].owner) {
			out[m++] = (struct wdb_owner){
				.owner = seen[j].owner,
				.max_version = seen[j].version,
			};
			j++;
			continue;
		}
		out[m] = held[i++];
		if (seen[j].version > out[m].max_version) {
			out[m].max_version = seen[j].version;
		}
		m++;
		j++;
	}
	talloc_free(seen);
	talloc_free(held);
	*arr = out;
	*count = m;
	return TWERR_OK;
}

enum twerr wdb_owners(struct wdb *db, TALLOC_CTX *mem_ctx,
		      struct wdb_owner **owners, size_t *num)
{
	static const uint8_t okey[1] = { WDB_TAG_OWNERS };
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	struct wdb_owner *arr = NULL;
	uint64_t *list = NULL;
	size_t n = 0;
	size_t count = 0;
	size_t i;
	bool found = false;
	bool local_seen = false;
	enum twerr err;

	*owners = NULL;
	*num = 0;
	if (tmp == NULL) {
		return TWERR_NOMEM;
	}
	err = wdb_list_load(db, tmp, okey, sizeof(okey), 4, &list, &n, &found);
	if (err != TWERR_OK) {
		goto done;
	}
	arr = talloc_zero_array(tmp, struct wdb_owner, n + 1);
	if (arr == NULL) {
		err = TWERR_NOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		uint32_t owner = (uint32_t)list[i];
		uint64_t min_v = 0;
		uint64_t max_v = 0;

		err = wdb_index_bounds(db, owner, &min_v, &max_v);
		if (err != TWERR_OK) {
			goto done;
		}
		if (owner == db->local_owner) {
			local_seen = true;
			/* [MS-WINSRA]: we advertise our counter itself */
			if (db->counter > max_v) {
				max_v = db->counter;
			}
		}
		if (max_v == 0) {
			continue;
		}
		arr[count++] = (struct wdb_owner){
			.owner = owner,
			.max_version = max_v,
			.min_version = min_v,
		};
	}
	if (!local_seen && db->counter > 0) {
		/* keep the array sorted by owner */
		size_t pos = 0;

		while (pos < count && arr[pos].owner < db->local_owner) {
			pos++;
		}
		memmove(&arr[pos + 1], &arr[pos],
			(count - pos) * sizeof(arr[0]));
		arr[pos] = (struct wdb_owner){
			.owner = db->local_owner,
			.max_version = db->counter,
		};
		count++;
	}
	err = wdb_owners_merge_seen(db, tmp, &arr, &count);
	if (err != TWERR_OK) {
		goto done;
	}
	*owners = talloc_steal(mem_ctx, arr);
	*num = count;
done:
	talloc_free(tmp);
	return err;
}

enum twerr wdb_range(struct wdb *db, TALLOC_CTX *mem_ctx, uint32_t owner,
		     uint64_t min_version, uint64_t max_version,
		     size_t max_count, bool only_replicable, struct wrec **recs,
		     size_t *num)
{
	TALLOC_CTX *tmp = talloc_new(mem_ctx);
	uint64_t hi = (max_version == 0) ? UINT64_MAX : max_version;
	uint8_t dkey[WDB_DIR_KEY_LEN];
	uint8_t rkey[WDB_REC_KEY_MAX];
	struct wrec *arr = NULL;
	uint64_t *bids = NULL;
	size_t nb = 0;
	size_t count = 0;
	size_t cap = 0;
	size_t i;
	bool found = false;
	bool full = false;
	enum twerr err = TWERR_OK;

	*recs = NULL;
	*num = 0;
	if (tmp == NULL) {
		return TWERR_NOMEM;
	}
	if (min_version > hi) {
		goto done;
	}
	wdb_dir_key(owner, dkey);
	err = wdb_list_load(db, tmp, dkey, sizeof(dkey), 8, &bids, &nb, &found);
	if (err != TWERR_OK || !found) {
		goto done;
	}

	i = wdb_lower_bound(bids, nb, min_version >> WDB_BUCKET_SHIFT);
	for (; i < nb && !full; i++) {
		struct wdb_bucket b = {};
		size_t j;

		if (bids[i] > (hi >> WDB_BUCKET_SHIFT)) {
			break;
		}
		err = wdb_bucket_load(db, tmp, owner, bids[i], &b, &found);
		if (err != TWERR_OK) {
			goto done;
		}
		for (j = 0; j < b.num; j++) {
			const struct wdb_ient *e = &b.ents[j];
			struct wrec rec = {};
			bool rfound = false;
			enum twerr rerr;

			if (e->version < min_version || e->version > hi) {
				continue;
			}
			rkey[0] = WDB_TAG_REC;
			memcpy(rkey + 1, e->key, e->klen);
			rerr = wdb_fetch_key(db, rkey, 1 + (size_t)e->klen,
					     &rec, &rfound);
			if (rerr == TWERR_CORRUPT || !rfound) {
				continue;
			}
			if (rerr != TWERR_OK) {
				err = rerr;
				goto done;
			}
			/* an entry left behind by a damaged record is stale */
			if (rec.owner != owner || rec.version != e->version) {
				continue;
			}
			if (only_replicable && rec.state == WREC_RELEASED) {
				continue;
			}
			if (count == cap) {
				cap = (cap == 0) ? 64 : cap * 2;
				arr = talloc_realloc(tmp, arr, struct wrec,
						     cap);
				if (arr == NULL) {
					err = TWERR_NOMEM;
					goto done;
				}
			}
			arr[count++] = rec;
			if (max_count != 0 && count >= max_count) {
				full = true;
				break;
			}
		}
		TALLOC_FREE(b.ents);
		TALLOC_FREE(b.raw);
	}
	if (count > 0) {
		*recs = talloc_steal(mem_ctx, arr);
		*num = count;
	}
done:
	talloc_free(tmp);
	return err;
}

/* ------------------------------------------------------------------ */
/* walks */

struct wdb_walk_state {
	struct wdb *db;
	bool (*fn)(const struct wrec *rec, void *private_data);
	void *private_data;
};

static int wdb_walk_fn(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data,
		       void *private_data)
{
	struct wdb_walk_state *s = private_data;
	struct wrec rec = {};
	struct wcur c = {};
	enum twerr err;
	uint8_t tag;
	bool more;

	(void)tdb;
	/* keys come from the file too: read through the cursor */
	wcur_init(&c, key.dptr, key.dsize);
	tag = wcur_u8(&c);
	if (key.dsize < 1 + NBN_RAW_LEN || tag != WDB_TAG_REC) {
		return 0;
	}
	err = wrec_decode(data.dptr, data.dsize, &rec);
	if (err != TWERR_OK) {
		s->db->stats.corrupt_skipped++;
		return 0;
	}
	more = s->fn(&rec, s->private_data);
	return more ? 0 : 1;
}

enum twerr wdb_traverse(struct wdb *db,
			bool (*fn)(const struct wrec *rec, void *private_data),
			void *private_data)
{
	struct wdb_walk_state s = {
		.db = db,
		.fn = fn,
		.private_data = private_data,
	};
	int ret;

	if (db->traversing) {
		return TWERR_INTERNAL;
	}
	db->traversing = true;
	ret = tdb_traverse_read(db->tdb, wdb_walk_fn, &s);
	db->traversing = false;
	if (ret < 0) {
		TW_ERR("wdb: traverse failed: %s", tdb_errorstr(db->tdb));
		return TWERR_DB;
	}
	return TWERR_OK;
}

struct wdb_expiry_state {
	int64_t min;
	bool found;
};

static bool wdb_expiry_fn(const struct wrec *rec, void *private_data)
{
	struct wdb_expiry_state *s = private_data;

	if (!s->found || rec->expire < s->min) {
		s->min = rec->expire;
		s->found = true;
	}
	return true;
}

enum twerr wdb_next_expiry(struct wdb *db, int64_t *expire, bool *found)
{
	struct wdb_expiry_state s = {};
	enum twerr err;

	err = wdb_traverse(db, wdb_expiry_fn, &s);
	*expire = s.found ? s.min : 0;
	*found = s.found;
	return err;
}

/* ------------------------------------------------------------------ */
/* index rebuild */

/*
 * Collected in one pass: every index key to drop and, packed into one
 * growing buffer, (owner u32, version u64, key length u8, key) of every
 * record that decodes.
 */
struct wdb_reindex_state {
	struct wdb *db;
	TALLOC_CTX *mem_ctx;
	uint8_t *recs;
	size_t recs_len;
	size_t recs_cap;
	size_t num_recs;
	uint8_t *old;
	size_t old_len;
	size_t old_cap;
	bool nomem;
};

static bool wdb_reindex_append(TALLOC_CTX *mem_ctx, uint8_t **buf, size_t *len,
			       size_t *cap, const uint8_t *p, size_t n)
{
	uint8_t *nbuf = NULL;
	size_t ncap;

	if (n > *cap - *len) {
		ncap = (*cap == 0) ? 4096 : *cap * 2;
		while (n > ncap - *len) {
			ncap *= 2;
		}
		nbuf = talloc_realloc(mem_ctx, *buf, uint8_t, ncap);
		if (nbuf == NULL) {
			return false;
		}
		*buf = nbuf;
		*cap = ncap;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	return true;
}

static int wdb_reindex_fn(struct tdb_context *tdb, TDB_DATA key, TDB_DATA data,
			  void *private_data)
{
	struct wdb_reindex_state *s = private_data;
	uint8_t ent[4 + 8 + 1 + WDB_REC_KEY_MAX];
	struct wdb_seen *seen = NULL;
	struct wrec rec = {};
	struct wcur c = {};
	size_t nseen = 0;
	enum twerr err;
	uint8_t tag;
	bool ok = true;

	(void)tdb;
	/* keys come from the file too: read through the cursor */
	wcur_init(&c, key.dptr, key.dsize);
	tag = wcur_u8(&c);
	if (!wcur_ok(&c)) {
		return 0;
	}
	switch (tag) {
	case WDB_TAG_OWNERS:
	case WDB_TAG_DIR:
	case WDB_TAG_BUCKET:
		if (key.dsize > WDB_BUCKET_KEY_LEN) {
			/* not a key we wrote; leave it alone */
			return 0;
		}
		/* length byte, then the whole key */
		ent[0] = (uint8_t)key.dsize;
		ent[1] = tag;
		wcur_copy(&c, ent + 2, key.dsize - 1);
		ok = wdb_reindex_append(s->mem_ctx, &s->old, &s->old_len,
					&s->old_cap, ent, 1 + key.dsize);
		break;
	case WDB_TAG_SEEN:
		/*
		 * Watermarks are not derived from records: kept as they
		 * are; only a damaged value goes (wdb_seen_load ignores it
		 * anyway).
		 */
		if (key.dsize != 1) {
			return 0;
		}
		err = wdb_seen_decode(s->mem_ctx, data.dptr, data.dsize,
				      &seen, &nseen);
		TALLOC_FREE(seen);
		if (err == TWERR_NOMEM) {
			ok = false;
			break;
		}
		if (err == TWERR_OK) {
			return 0;
		}
		s->db->stats.corrupt_skipped++;
		ent[0] = 1;
		ent[1] = tag;
		ok = wdb_reindex_append(s->mem_ctx, &s->old, &s->old_len,
					&s->old_cap, ent, 2);
		break;
	case WDB_TAG_REC:
		if (key.dsize < 1 + NBN_RAW_LEN ||
		    key.dsize > 1 + NBN_KEY_MAX) {
			return 0;
		}
		err = wrec_decode(data.dptr, data.dsize, &rec);
		if (err != TWERR_OK) {
			s->db->stats.corrupt_skipped++;
			return 0;
		}
		wdb_put_be32(ent, rec.owner);
		wdb_put_be64(ent + 4, rec.version);
		ent[12] = (uint8_t)(key.dsize - 1);
		wcur_copy(&c, ent + 13, key.dsize - 1);
		ok = wdb_reindex_append(s->mem_ctx, &s->recs, &s->recs_len,
					&s->recs_cap, ent, 13 + key.dsize - 1);
		s->num_recs++;
		break;
	default:
		return 0;
	}
	if (!ok) {
		s->nomem = true;
		return 1;
	}
	return 0;
}

enum twerr wdb_reindex(struct wdb *db)
{
	struct wdb_reindex_state s = { .db = db };
	size_t skipped = 0;
	enum twerr err;
	int ret;

	if (db->traversing) {
		return TWERR_INTERNAL;
	}
	err = wdb_flush(db);
	if (err != TWERR_OK) {
		return err;
	}
	s.mem_ctx = talloc_new(db);
	if (s.mem_ctx == NULL) {
		return TWERR_NOMEM;
	}
	db->traversing = true;
	ret = tdb_traverse_read(db->tdb, wdb_reindex_fn, &s);
	db->traversing = false;
	if (s.nomem) {
		err = TWERR_NOMEM;
		goto done;
	}
	if (ret < 0) {
		err = TWERR_DB;
		goto done;
	}

	err = wdb_batch_begin(db);
	if (err != TWERR_OK) {
		goto done;
	}
	{
		struct wcur c = {};

		wcur_init(&c, s.old, s.old_len);
		while (err == TWERR_OK && wcur_remaining(&c) > 0) {
			uint8_t klen = wcur_u8(&c);
			const uint8_t *k = wcur_take(&c, klen);

			if (!wcur_ok(&c)) {
				err = TWERR_INTERNAL;
				break;
			}
			err = wdb_remove(db, k, klen);
		}
	}
	{
		/* our own scratch list, read back through the cursor too */
		struct wcur c = {};

		wcur_init(&c, s.recs, s.recs_len);
		while (err == TWERR_OK && wcur_remaining(&c) > 0) {
			uint32_t owner = wcur_be32(&c);
			uint64_t version = wcur_be64(&c);
			uint8_t klen = wcur_u8(&c);
			const uint8_t *k = wcur_take(&c, klen);

			if (!wcur_ok(&c)) {
				err = TWERR_INTERNAL;
				break;
			}
			err = wdb_index_add(db, owner, version, k, klen);
			if (err == TWERR_NOSPACE) {
				/* a full bucket: leave it out of the index */
				skipped++;
				err = TWERR_OK;
			}
		}
	}
	if (err == TWERR_OK) {
		err = wdb_check_counter(db);
	}
	if (err != TWERR_OK) {
		/* the batch holds nothing but this rebuild */
		wdb_abort_batch(db, err);
		goto done;
	}
	err = wdb_commit_batch(db);
	if (err == TWERR_OK) {
		TW_NOTICE("wdb: index rebuilt from %zu records (%zu left out)",
			  s.num_recs, skipped);
	}
done:
	talloc_free(s.mem_ctx);
	return err;
}
