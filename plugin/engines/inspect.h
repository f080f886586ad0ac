/*
 * Docker Engine API and libpod inspect and list documents → container
 * records (docs/engines.md "Docker inspect", "Podman"). Pure: no
 * I/O, callers fetch the documents and hand the bodies over. Event lines are
 * rest_event.h's.
 *
 * Every entry point accepts hostile input: malformed JSON, wrong types per
 * key (the key keeps its default), integers beyond int64 (saturated; beyond
 * the range of a double the text is refused as malformed), NUL bytes inside
 * strings. Container ids must be 64 lowercase hex digits, so no
 * document can smuggle "/" or ".." into an id that later becomes a URL path.
 */
#ifndef INSPECT_H
#define INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctr_record.h"

typedef struct inspect_opts {
	int64_t label_max_len; /* a longer label value drops the label; negative drops all */
	bool with_size;        /* informational: the caller asked for ?size=...; see SizeRw */
} inspect_opts;

/*
 * `GET /containers/{id}/json` (+ optionally `GET /images/{Image}/json`, which
 * may be NULL or malformed: it is only consulted for imageid, repo, tag and
 * digest) → a finalized docker record (type 0) with one reference, or NULL
 * with a message in err. o may be NULL (defaults: label_max_len 100).
 *
 * The record obeys the builder's budget (ctr_build.h): its encoded form is at
 * most CTR_RECORD_BUDGET bytes whatever the document holds; labels go in
 * first, then the healthcheck, ports, mounts and environment, in document
 * order. What does not fit is dropped and the record is still returned, with
 * err saying what was dropped (so "" on success means nothing was). The
 * image id must be 64 hex digits (with or without "sha256:"), else it is "".
 */
ctr_record* inspect_docker(const char* container_json, size_t len, const char* image_json,
                           size_t ilen, const inspect_opts* o, char* err, size_t errlen);

/* `GET /libpod/containers/{id}/json` → a finalized podman record (type 11). */
ctr_record* inspect_podman(const char* json, size_t len, const inspect_opts* o, char* err,
                           size_t errlen);

/*
 * The container's `Image` ("sha256:" + 64 hex) for `GET /images/{id}/json`,
 * malloc'd; NULL when absent, malformed, or not exactly that shape.
 */
char* inspect_image_id(const char* json, size_t len);

/*
 * The `--network container:<other>` case (docs/engines.md "Docker inspect", `ip`): when an inspect
 * document (docker or libpod) yields no IP of its own and its
 * HostConfig.NetworkMode is "container:<other>", returns a malloc'd <other>
 * (an id or a name, restricted to [A-Za-z0-9_.-], safe in a URL path);
 * otherwise NULL. The caller inspects <other>, then copies its address:
 *
 *	char* other = inspect_network_container(body, len);
 *	if (other && fetch(other, &obody, &olen)) {
 *		char* ip = inspect_ip(obody, olen);
 *		if (ip) ctr_str_set(&r->ip, ip);
 *		free(ip);
 *	}
 *
 * (the record's ip is not a derived member: no re-finalize is needed).
 */
char* inspect_network_container(const char* json, size_t len);

/* The IPv4 address an inspect document yields (malloc'd, "" if none); NULL if malformed. */
char* inspect_ip(const char* json, size_t len);

/*
 * Docker `/containers/json` or libpod `/libpod/containers/json`: the 64-hex
 * "Id" of each entry (other entries are skipped). Returns the count; *ids is
 * a malloc'd array of malloc'd strings (NULL when the count is 0), to be
 * released with inspect_ids_free.
 */
size_t inspect_list_ids(const char* json, size_t len, char*** ids);
/*
 * The same, telling an unreadable listing from an empty one: false when the
 * document is not a JSON array (malformed, cut short, hostile) or on OOM,
 * with nothing in *ids. A caller that removes what a listing lacks must
 * only do so on true.
 */
bool inspect_list_read(const char* json, size_t len, char*** ids, size_t* n);
void inspect_ids_free(char** ids, size_t n);

/*
 * A minimal record (docs/container-json.md "Built records"): type, id (first 12), full_id, image;
 * everything else at the decode defaults, size -1 (upstream writes 0).
 * Docker and podman ids must be 64 hex; other types an id ctr_id_safe
 * accepts. NULL if the id is refused or on OOM.
 */
ctr_record* inspect_minimal(uint32_t type, const char* full_id, const char* image);

#endif
