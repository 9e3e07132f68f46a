/*
 * libFuzzer target: wrec_decode(), the decoder of the values stored in the
 * tdb record store.  The database file is input too (STYLE.md "Stored data
 * is input too"): a damaged value must give TWERR_CORRUPT, never a crash.
 * A value that decodes must encode back to exactly the same bytes (the
 * stored form is canonical), which also proves the decoder accepted only
 * what the encoder can write.
 *
 * Sources: source/store/wrec_codec.c, source/wire/{wcur,wwr,twerr}.c
 * (testsuite/fuzz/run.sh links them all).
 */
#include "fuzz_common.h"
#include "store/wrec_codec.h"

#define TARGET "fuzz_wrec"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t again[WREC_CODEC_MAX_LEN];
	struct wwr w = {};
	struct wrec rec;
	uint8_t *buf = NULL;
	enum twerr err;

	buf = fuzz_copy(TARGET, data, size);
	err = wrec_decode(buf, size, &rec);
	if (err != TWERR_OK) {
		if (err != TWERR_CORRUPT) {
			fuzz_fail(TARGET, "decode error other than CORRUPT");
		}
		goto done;
	}
	if (!wrec_valid(&rec, false)) {
		fuzz_fail(TARGET, "decoded a record that is not valid");
	}
	wwr_init(&w, again, sizeof(again));
	err = wrec_encode(&w, &rec);
	if (err != TWERR_OK) {
		fuzz_fail(TARGET, "decoded record does not encode");
	}
	if (wwr_len(&w) != size || memcmp(again, buf, size) != 0) {
		fuzz_fail(TARGET, "decode/encode is not the identity");
	}
done:
	talloc_free(buf);
	return 0;
}
