/*
 * libFuzzer target: the engine document parsers of engines/inspect.h. The
 * input up to the first 0xff byte is the document (container inspect, list,
 * event line, or a full id for inspect_minimal); what follows that byte is
 * the image document for inspect_docker (the image name for inspect_minimal).
 * Records are also encoded and decoded (ctr_json) to check that what an
 * engine gives us can travel in a container event, within the record budget;
 * a record may come with err set only to the builder's budget note.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr_build.h"
#include "ctr_id.h"
#include "ctr_json.h"
#include "inspect.h"
#include "rest_event.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

static void fail(const char* what)
{
	fprintf(stderr, "fuzz_inspect: %s\n", what);
	abort();
}

static int is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int is_full_id(const char* s)
{
	if (strlen(s) != 64)
		return 0;
	for (size_t i = 0; i < 64; i++)
		if (!is_lower_hex(s[i]))
			return 0;
	return 1;
}

/* An exact-size heap copy (ASan sees reads past the end); NULL for a NULL src. */
static char* copy(const uint8_t* src, size_t n)
{
	if (!src)
		return NULL;
	char* b = malloc(n ? n : 1);
	if (!b)
		abort();
	if (n)
		memcpy(b, src, n);
	return b;
}

static void check_record(ctr_record* r, uint32_t type, const char* err)
{
	if (!r)
		return;
	/* A record comes with "" or, when it was trimmed to its budget, the note saying so. */
	if (err[0] && strncmp(err, "over the record budget", 22))
		fail("err set on success, and not a budget note");
	if (r->type != type)
		fail("record type");
	if (!is_full_id(r->full_id) || strlen(r->id) != 12 || strncmp(r->id, r->full_id, 12))
		fail("record id is not the short form of a 64-hex full id");
	char* text = ctr_json_encode(r);
	if (!text)
		fail("encode failed");
	if (strlen(text) > CTR_RECORD_BUDGET)
		fail("record over its budget");
	char jerr[256];
	ctr_record* back = ctr_json_decode(text, strlen(text), jerr, sizeof(jerr));
	if (!back || strcmp(back->id, r->id) || strcmp(back->name, r->name) ||
	    back->nlabels != r->nlabels || back->nmounts != r->nmounts ||
	    back->nports != r->nports || back->nenv != r->nenv)
		fail("inspect record does not survive ctr_json");
	ctr_record_unref(back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	const uint8_t* sep = memchr(data, 0xff, size);
	size_t dlen = sep ? (size_t)(sep - data) : size;
	char* doc = copy(data, dlen);
	char* img = sep ? copy(sep + 1, size - dlen - 1) : NULL;
	size_t ilen = sep ? size - dlen - 1 : 0;

	/* Options from the input length, so that every variant gets exercised. */
	static const int64_t label_max[] = {100, 0, -1, 8};
	inspect_opts o = {.label_max_len = label_max[size % 4], .with_size = (size >> 2) & 1};
	const inspect_opts* op = (size >> 3) & 1 ? &o : NULL;

	char err[256];
	ctr_record* r = inspect_docker(doc, dlen, img, ilen, op, err, sizeof(err));
	check_record(r, 0, err);
	ctr_record_unref(r);

	r = inspect_podman(doc, dlen, op, err, sizeof(err));
	check_record(r, 11, err);
	ctr_record_unref(r);

	/* Without options and without an image document. */
	r = inspect_docker(doc, dlen, NULL, 0, NULL, err, sizeof(err));
	check_record(r, 0, err);
	ctr_record_unref(r);

	char** ids = NULL;
	size_t n = inspect_list_ids(doc, dlen, &ids);
	if ((n == 0) != (ids == NULL))
		fail("list ids: count and array disagree");
	for (size_t i = 0; i < n; i++)
		if (!is_full_id(ids[i]))
			fail("list ids: not a 64-hex id");
	inspect_ids_free(ids, n);

	rest_event ev;
	if (rest_event_parse(doc, dlen, &ev)) {
		if (!ev.action || !ev.action[0] || !ev.image || !is_full_id(ev.full_id) ||
		    ev.time_ns < 0)
			fail("event fields");
	} else if (ev.action || ev.image) {
		fail("event refused but holds strings");
	}
	rest_event_free(&ev);

	char* other = inspect_network_container(doc, dlen);
	if (other) {
		size_t ol = strlen(other);
		if (ol > 255)
			fail("network container ref too long");
		for (size_t i = 0; i < ol; i++) {
			char c = other[i];
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			      (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '-'))
				fail("network container ref is not URL-safe");
		}
		if (!ol || other[0] == '.' || other[0] == '-' || other[0] == '_')
			fail("network container ref start");
	}
	free(other);

	char* ip = inspect_ip(doc, dlen);
	free(ip);

	char* image_id = inspect_image_id(doc, dlen);
	if (image_id && (strncmp(image_id, "sha256:", 7) || !is_full_id(image_id + 7)))
		fail("image id shape");
	free(image_id);

	/* inspect_minimal: the document as a full id, the image document as the image. */
	char* full = malloc(dlen + 1);
	char* image = malloc(ilen + 1);
	if (!full || !image)
		abort();
	memcpy(full, doc, dlen);
	full[dlen] = '\0';
	if (ilen)
		memcpy(image, img, ilen);
	image[ilen] = '\0';
	/* The document as a cpuset list ("0-5,8,14"). */
	if (val_cpuset_count(full) < 0)
		fail("negative cpuset count");

	uint32_t type = dlen ? (uint32_t)(uint8_t)doc[dlen - 1] % 13 : 0;
	r = inspect_minimal(type, full, image);
	if (r) {
		if ((type == 0 || type == 11) && !is_full_id(full))
			fail("minimal record with a docker/podman id that is not 64 hex");
		if (!ctr_id_safe(full) || strcmp(r->full_id, full) ||
		    strncmp(r->id, full, 12) || strlen(r->id) > 12 || r->type != type ||
		    strcmp(r->image, strlen(image) <= CTR_BUILD_STR_MAX ? image : ""))
			fail("minimal record fields");
	}
	ctr_record_unref(r);
	free(image);
	free(full);

	free(img);
	free(doc);
	return 0;
}
