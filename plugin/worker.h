/*
 * The engine worker: one thread inside the plugin that talks to container
 * engines (one curl multi loop over every socket) and reports what it learns
 * as async events. It never touches host tables or the cache
 * (container-plugin.md §2.11); the event thread only enqueues lookup
 * requests, which never block.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stdbool.h>

#include "async.h"
#include "config.h"
#include "ctr_record.h"
#include "log.h"

#define WORKER_QUEUE_CAP 100
#define ASYNC_EVT_UPDATED "container_updated"

typedef struct worker worker;

/*
 * A source answers on-demand lookups by short id, on the worker thread.
 * Returns true with a new record (one reference) in *out when it knows the id.
 */
typedef bool (*worker_lookup_fn)(void* ctx, const char* id, ctr_record** out);

worker* worker_new(async_emitter* emitter, const plog* log, const config* cfg);
/* Before worker_start only. */
bool worker_add_source(worker* w, worker_lookup_fn fn, void* ctx);
/* Creates the docker/podman instances of the config. Before worker_start only. */
bool worker_add_engines(worker* w);
int worker_start(worker* w);
/*
 * Waits (bounded) until every engine was tried once, then hands over the
 * records listed so far as the JSON of their `container` events (malloc'd
 * strings in a malloc'd array, the caller's): the caller decodes and caches
 * them before capture_open (§2.2). Records never cross threads.
 */
size_t worker_initial_records(worker* w, int timeout_ms, char*** out);
/* Joins the thread (no emission after return) and frees everything. */
void worker_free(worker* w);

/* Non-blocking; false when the queue is full or the worker is stopping. */
bool worker_request_lookup(worker* w, const char* id);

/* Emits a `container` event for r (any thread). */
bool worker_publish(worker* w, const ctr_record* r);

#endif
