/*
 * The engine worker: one thread per engine instance, so that an engine that
 * hangs (it accepts and never answers) delays only its own events and
 * lookups, never another engine's; and one small thread that retries the
 * events the host refused (outbox.c) and discovers rootless Podman sockets.
 * Nothing here touches host tables or the cache; the event thread only
 * records lookup requests in the tracker (lookup.c), which never blocks.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stdbool.h>

#include "async.h"
#include "cgroup.h"
#include "config.h"
#include "ctr_record.h"
#include "log.h"
#include "lookup.h"

#define ASYNC_EVT_UPDATED "container_updated"

typedef struct worker worker;

/* LOOKUPS (the plugin's tracker) outlives the worker. */
worker* worker_new(async_emitter* emitter, const plog* log, const config* cfg,
                   lookup_tracker* lookups);

/*
 * Adds an engine instance of the kind KIND serves (CGROUP_ENGINE_NONE: any);
 * socketless: there is no socket to wait for. Before or after worker_start
 * (its thread starts at once then). False (e freed) when full or stopping.
 * Tests add fake engines (their own engine_ops) this way.
 */
struct engine;
bool worker_add_engine(worker* w, struct engine* e, cgroup_engine kind, bool socketless);
/* What engines of this worker are made with (engine_new). */
struct engine_env;
const struct engine_env* worker_env(worker* w);
/* Where containerd engines publish their daemon's database (containerd_disk.h).
 * Before worker_start only. */
struct containerd_dbs;
void worker_share_containerd_dbs(worker* w, struct containerd_dbs* dbs);

/* Creates the engine instances of the config. Before worker_start only. */
bool worker_add_engines(worker* w);
int worker_start(worker* w);
/*
 * Waits (bounded) until every engine was tried once, then hands over the
 * records listed so far as the JSON of their `container` events (malloc'd
 * strings in a malloc'd array, the caller's): the caller decodes and caches
 * them before capture_open (docs/architecture.md "Capture open").
 * Records never cross threads.
 */
size_t worker_initial_records(worker* w, int timeout_ms, char*** out);
/* Joins the threads (no emission after return) and frees everything. */
void worker_free(worker* w);

/*
 * Non-blocking: a process of container ID was seen without a record; HINT is
 * the engine kind its cgroup points at (those engines are asked first).
 */
void worker_request_lookup(worker* w, const char* id, cgroup_engine hint);

/* Emits a `container` event for r (any thread); kept for a retry if refused. */
bool worker_publish(worker* w, const ctr_record* r);

/*
 * The init process of container r exited: announces its removal unless one
 * was announced already; engine records of it that were under way are not
 * announced after this (any thread).
 */
bool worker_container_exited(worker* w, const ctr_record* r);

#endif
