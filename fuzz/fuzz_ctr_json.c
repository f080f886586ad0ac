/*
 * libFuzzer target: ctr_json_decode on arbitrary bytes. A decoded record is
 * encoded again and the encoding must decode to the same id, name and label
 * counts (abort() on a mismatch, so the fuzzer reports it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr_json.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static void check(int ok, const char* what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ctr_json: round trip mismatch: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	/* An exact-size copy: ASan sees any read past the input. */
	char* buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	char err[256];
	ctr_record* r = ctr_json_decode(buf, size, err, sizeof(err));
	free(buf);
	if (!r)
		return 0;
	check(strlen(err) < sizeof(err), "err not terminated");

	char* text = ctr_json_encode(r);
	check(text != NULL, "encode failed");
	ctr_record* r2 = ctr_json_decode(text, strlen(text), err, sizeof(err));
	check(r2 != NULL, "re-decode failed");
	check(err[0] == '\0', "re-decode warned");
	check(r2->type == r->type, "type");
	check(!strcmp(r2->id, r->id), "id");
	check(!strcmp(r2->full_id, r->full_id), "full_id");
	check(!strcmp(r2->name, r->name), "name");
	check(!strcmp(r2->image, r->image), "image");
	check(r2->nlabels == r->nlabels, "labels count");
	check(r2->npod_sandbox_labels == r->npod_sandbox_labels, "pod labels count");
	check(r2->nenv == r->nenv, "env count");
	check(r2->nmounts == r->nmounts, "mounts count");
	check(r2->nports == r->nports, "ports count");
	check(!strcmp(r2->labels_fmt, r->labels_fmt), "labels_fmt");
	for (size_t i = 0; i < r->nlabels; i++) {
		check(!strcmp(r2->labels[i].key, r->labels[i].key), "label key");
		check(r2->labels[i].value_len == r->labels[i].value_len, "label value length");
		check(!memcmp(r2->labels[i].value, r->labels[i].value, r->labels[i].value_len),
		      "label value");
	}
	for (int t = 0; t < CTR_PROBE_COUNT; t++)
		check(r2->probes[t].present == r->probes[t].present, "probe presence");

	/* A second encoding of the re-decoded record is byte-identical (stable). */
	char* text2 = ctr_json_encode(r2);
	check(text2 != NULL && !strcmp(text, text2), "encoding not stable");

	free(text2);
	free(text);
	ctr_record_unref(r2);
	ctr_record_unref(r);
	return 0;
}
