/*
 * One engine instance: a kind (docker, podman, ...) on one socket. The worker
 * thread drives every instance through these operations; an instance never
 * touches host state, it only publishes records.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ctr_record.h"
#include "http.h"
#include "idset.h"
#include "log.h"

typedef struct engine engine;

/* What an instance reports; the worker turns it into async events. */
typedef enum engine_report {
	ENGINE_REPORT_ADDED,   /* a `container` event */
	ENGINE_REPORT_UPDATED, /* a `container_updated` event (e.g. the IP known at start) */
	ENGINE_REPORT_REMOVED, /* a `container_removed` event */
} engine_report;

typedef void (*engine_report_fn)(void* arg, engine_report what, const ctr_record* r);

typedef struct engine_env {
	const atomic_bool* cancel; /* set when the worker stops: abandon blocking calls */
	const config* cfg;
	const plog* log;
	engine_report_fn report;
	void* report_arg;
} engine_env;

typedef struct engine_ops {
	const char* kind;
	/*
	 * Connects (ping, version), lists every container and reports each one.
	 * Blocking but bounded by timeouts; 0 when the engine answered.
	 */
	int (*attach)(engine* e);
	/*
	 * Prepares the event stream (replaying what happened since attach): an easy
	 * handle the worker adds to its multi handle; the engine keeps owning it.
	 */
	CURL* (*open_stream)(engine* e);
	/* Releases the stream's handle (already removed from the multi handle). */
	void (*close_stream)(engine* e);
	/* Handles the events the stream delivered since the last call (may block, bounded). */
	void (*process_events)(engine* e);
	/*
	 * Optional, for runtimes without an event stream (e.g. CRI on containerd
	 * 1.6, engines.md §6.5). An engine whose open_stream returns NULL after
	 * setting e->poll_ms > 0 is up without a stream: the worker then calls
	 * poll every e->poll_ms (the engine re-lists and reports the differences).
	 * Nonzero means the runtime stopped answering: the engine goes down and is
	 * attached again with backoff.
	 */
	int (*poll)(engine* e);
	/* On-demand lookup by short or full id; true with a new record in *out. */
	bool (*lookup)(engine* e, const char* id, ctr_record** out);
	void (*destroy)(engine* e);
} engine_ops;

struct engine {
	const engine_ops* ops;
	const engine_env* env;
	char* socket; /* HOST_ROOT + configured path */
	bool up;      /* attached and streaming */
	bool present; /* socket existed at the last check */
	bool checked; /* the socket was looked at once */
	uint64_t next_try_ms;
	uint64_t backoff_ms;
	CURL* stream; /* the open event stream, NULL when none */
	uint32_t poll_ms;      /* set by open_stream: up without a stream, poll this often */
	uint64_t next_poll_ms; /* the worker's schedule for ops->poll */
	void* priv;
};

/* Instances for the config's docker and podman sockets (and rootless podman ones). */
engine* docker_engine_new(const engine_env* env, const char* socket);
engine* podman_engine_new(const engine_env* env, const char* socket);
/* A containerd native-API instance (engines.md §5; containerd.c). */
engine* containerd_engine_new(const engine_env* env, const char* socket);
/* A CRI (runtime.v1.RuntimeService) instance (engines.md §6; cri.c). */
engine* cri_engine_new(const engine_env* env, const char* socket);

/* Rootless podman sockets present now under <host_root>/run/user (malloc'd paths). */
size_t podman_discover(const char* host_root, char*** paths);

/*
 * An instance of `ops` on HOST_ROOT + socket, owning priv (released by
 * ops->destroy). NULL on OOM; priv is then still the caller's.
 */
engine* engine_new(const engine_ops* ops, const engine_env* env, const char* socket, void* priv);
/* ops->destroy, then the instance itself. */
void engine_free(engine* e);

/* Reports ID removed: a minimal record of TYPE is all a gone container still has. */
void engine_report_removed(engine* e, uint32_t type, const char* id);

/*
 * Squares the ids an instance announced (`known`: reported present and not
 * removed since) with a complete listing: every known id the listing lacks
 * is forgotten and handed to gone, which reports it removed, since its
 * removal event may never come (the stream was down, events were dropped, or
 * the runtime has no events). known then holds every listed id as well.
 */
void engine_reconcile(engine* e, idset* known, const idset* listed,
                      void (*gone)(engine* e, const char* id));

#endif
