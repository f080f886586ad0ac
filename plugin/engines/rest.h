/*
 * The engine logic Docker and Podman share (docs/engines.md "Docker", "Podman"): ping, list and
 * inspect over HTTP/1.1, a JSON-lines event stream replayed with `since`
 * after a reconnect. Each engine file supplies a rest_desc.
 */
#ifndef REST_H
#define REST_H

#include "engine.h"
#include "inspect.h"
#include "rest_event.h"

typedef struct rest_desc {
	const char* kind;
	uint32_t type;             /* CTR_TYPE_DOCKER / CTR_TYPE_PODMAN */
	const char* ping;          /* path of the ping */
	const char* prefix_fmt;    /* API prefix from the negotiated version, e.g. "/v%s" */
	const char* list;          /* path after the prefix */
	const char* size_param;    /* "size=1" / "size=true" */
	const char* events;        /* events path after the prefix, before "since=" */
	const char* event_filter;  /* JSON filter of the stream */
	const char* removed[2];    /* actions that mean "gone" */
	/* Document → record: docker also reads the image document. */
	ctr_record* (*build)(engine* e, const char* body, size_t len, char* err, size_t errlen);
} rest_desc;

engine* rest_engine_new(const rest_desc* d, const engine_env* env, const char* socket);

/* GET prefix+path on the engine (bounded); 0 with a 200 answer in *out. */
int rest_get(engine* e, const char* path, http_resp* out);

/* The same for documents that barely change (image documents): answered from
 * a small cache for 2 s. The answer belongs to the engine and stays valid
 * until the next call; NULL on failure. */
const http_resp* rest_get_cached(engine* e, const char* path);

/* Looks a container up and builds its record (NULL if unknown or unreadable). */
ctr_record* rest_inspect(engine* e, const char* id);

#endif
