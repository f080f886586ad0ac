/*
 * One engine instance: a kind (docker, podman, ...) on one socket. The worker
 * gives every instance a thread of its own, which drives it through these
 * operations (nothing else calls them, so an instance needs no lock); an
 * instance never touches host state, it only reports records.
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
#include "metrics.h"

typedef struct engine engine;

/* What an instance reports; the worker turns it into async events. */
typedef enum engine_report {
	ENGINE_REPORT_ADDED,   /* a `container` event */
	ENGINE_REPORT_UPDATED, /* a `container_updated` event (e.g. the IP known at start) */
	ENGINE_REPORT_REMOVED, /* a `container_removed` event */
} engine_report;

/*
 * True when the event will reach the host (now, or later from the worker's
 * outbox); false when it is lost: the instance must not count the container
 * as announced (or as removed), so that its next listing reports it again.
 */
typedef bool (*engine_report_fn)(void* arg, engine_report what, const ctr_record* r);

/* What open_stream achieved. */
typedef enum engine_stream_kind {
	ENGINE_STREAM_FAILED, /* the engine does not answer: attach again later */
	ENGINE_STREAM_OPEN,   /* easy: the stream, for the worker's multi handle */
	ENGINE_STREAM_POLL,   /* up without a stream: ops->poll every poll_ms (lookups only without poll) */
} engine_stream_kind;

typedef struct engine_stream {
	engine_stream_kind kind;
	CURL* easy;       /* ENGINE_STREAM_OPEN; the engine keeps owning it */
	uint32_t poll_ms; /* ENGINE_STREAM_POLL */
} engine_stream;

typedef struct engine_env {
	const atomic_bool* cancel; /* set when the worker stops: abandon blocking calls */
	const config* cfg;
	const plog* log;
	engine_report_fn report;
	void* report_arg;
	metrics* m; /* events received (engine_queue_drain); may be NULL */
	/* where a containerd engine publishes its daemon's database (NULL: nowhere) */
	struct containerd_dbs* dbs;
} engine_env;

typedef struct engine_ops {
	const char* kind;
	/*
	 * Connects (ping, version), lists every container and reports each one.
	 * Blocking but bounded by timeouts; 0 when the engine answered.
	 */
	int (*attach)(engine* e);
	/* Prepares the event stream (replaying what happened since attach). */
	engine_stream (*open_stream)(engine* e);
	/* Releases the stream's handle (already removed from the multi handle). */
	void (*close_stream)(engine* e);
	/* Handles the events the stream delivered since the last call (may block, bounded). */
	void (*process_events)(engine* e);
	/*
	 * Optional, for runtimes without an event stream (e.g. CRI on containerd
	 * 1.6): called every poll_ms of an ENGINE_STREAM_POLL answer (the engine
	 * re-lists and reports the differences). Nonzero means the runtime stopped
	 * answering: the engine goes down and is attached again with backoff.
	 */
	int (*poll)(engine* e);
	/* On-demand lookup by short or full id: true when found and reported (ADDED). */
	bool (*lookup)(engine* e, const char* id);
	void (*destroy)(engine* e);
} engine_ops;

/* When and how an instance is attached, polled or retried is the worker's (worker.c). */
struct engine {
	const engine_ops* ops;
	const engine_env* env;
	char* socket; /* HOST_ROOT + configured path */
	void* priv;
	/* Set by the instance when a call failed (no answer, an error answer) rather
	 * than saying "no such container"; the worker clears it before a lookup. */
	bool call_failed;
	size_t n_added; /* ADDED reports so far (the start-up log counts an attach's) */
};

/* Instances for the config's docker and podman sockets (and rootless podman ones). */
engine* docker_engine_new(const engine_env* env, const char* socket);
engine* podman_engine_new(const engine_env* env, const char* socket);
/* A containerd native-API instance (docs/engines.md "containerd"; containerd.c). */
engine* containerd_engine_new(const engine_env* env, const char* socket);
/* A CRI (runtime.v1.RuntimeService) instance (docs/engines.md "CRI"; cri.c). */
engine* cri_engine_new(const engine_env* env, const char* socket);

/* Rootless podman sockets present now under <host_root>/run/user (malloc'd paths). */
size_t podman_discover(const char* host_root, char*** paths);
/* Rootless Docker sockets present now: <host_root>/run/user/<uid>/docker.sock. */
size_t docker_discover(const char* host_root, char*** paths);
/* Sockets <host_root>/run/user/<uid>/<leaf> present now, as paths without
 * host_root (malloc'd, in *paths); how many. */
size_t engine_user_sockets(const char* host_root, const char* leaf, char*** paths);

/*
 * An instance of `ops` on HOST_ROOT + socket, owning priv (released by
 * ops->destroy). NULL on OOM; priv is then still the caller's.
 */
engine* engine_new(const engine_ops* ops, const engine_env* env, const char* socket, void* priv);
/* ops->destroy, then the instance itself. */
void engine_free(engine* e);

/* Reports r (env->report); false when the event is lost. */
bool engine_announce(engine* e, engine_report what, const ctr_record* r);
/*
 * Reports r and keeps KNOWN (the ids an instance announced) in step with what
 * the host was told, under KEY: present after an addition or update the host
 * took or a removal it did not, absent otherwise, so that a lost event is
 * reported again by the next listing (engine_reconcile).
 */
bool engine_report_known(engine* e, idset* known, const char* key, engine_report what,
                         const ctr_record* r);
/* Reports ID removed: a minimal record of TYPE is all a gone container still has. */
bool engine_report_removed(engine* e, uint32_t type, const char* id);

/*
 * Squares the ids an instance announced (`known`: reported present and not
 * removed since) with a complete listing: every known id the listing lacks
 * is handed to gone, which reports it removed, since its removal event may
 * never come (the stream was down, events were dropped, or the runtime has no
 * events), and forgotten once gone returned true. known then holds every
 * listed id as well.
 */
void engine_reconcile(engine* e, idset* known, const idset* listed,
                      bool (*gone)(engine* e, const char* id));

/*
 * The events a stream delivered, decoded inside curl's write callback and
 * handled by process_events. Bounded: a burst over ENGINE_QUEUE_MAX is not
 * queued but remembered, and the engine re-lists instead.
 */
#define ENGINE_QUEUE_MAX 256

typedef struct engine_queue {
	unsigned char* items; /* ENGINE_QUEUE_MAX items of `size` bytes, from the first event */
	size_t size, n;
	bool lost; /* an event did not fit (or memory ran out) */
} engine_queue;

void engine_queue_init(engine_queue* q, size_t item_size);
/* The slot for the next event (zeroed), NULL when the queue is full; engine_queue_commit keeps it. */
void* engine_queue_slot(engine_queue* q);
void engine_queue_commit(engine_queue* q);
/*
 * Hands every queued event to fn, then to free_item (may be NULL), and empties
 * the queue. True when events were lost since the last drain: re-list now.
 */
bool engine_queue_drain(engine_queue* q, engine* e, void (*fn)(engine* e, void* item),
                        void (*free_item)(void* item));
void engine_queue_free(engine_queue* q, void (*free_item)(void* item));

/* Removes every id of LOST from KNOWN: announcements the host did not take. */
void engine_forget(idset* known, const idset* lost);

#endif
