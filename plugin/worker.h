/*
 * The engine worker: one thread inside the plugin that talks to container
 * engines and reports what it learns as async events. It never touches host
 * tables or the cache (container-plugin.md §2.11); the event thread only
 * enqueues lookup requests, which never block.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stdbool.h>

#include "async.h"
#include "ctr_record.h"
#include "log.h"

#define WORKER_QUEUE_CAP 100

typedef struct worker worker;

/*
 * A source answers on-demand lookups by short id, on the worker thread.
 * Returns true with a new record (one reference) in *out when it knows the id.
 */
typedef bool (*worker_lookup_fn)(void* ctx, const char* id, ctr_record** out);

worker* worker_new(async_emitter* emitter, const plog* log);
/* Before worker_start only. */
bool worker_add_source(worker* w, worker_lookup_fn fn, void* ctx);
int worker_start(worker* w);
/* Joins the thread (no emission after return) and frees everything. */
void worker_free(worker* w);

/* Non-blocking; false when the queue is full or the worker is stopping. */
bool worker_request_lookup(worker* w, const char* id);

/* Emits a `container` event for r (any thread). */
bool worker_publish(worker* w, const ctr_record* r);

#endif
