/*
 * Churn: many short-lived containers created and removed through a real
 * engine while the plugin, attached through our host, follows them by the
 * engine's events; the plugin's footprint is sampled at quiet points.
 *
 * The process that calls churn_run holds only our host and the plugin (and
 * this driver's loop, which allocates nothing between samples): the
 * containers are made by CONCURRENCY worker processes forked before the
 * plugin is loaded, each doing create, start, wait for the exit, remove:
 * `/bin/busybox true` through Docker's API, or `/bin/busybox sleep 1` through
 * CRI's CreateContainer, StartContainer, RemoveContainer (once exited) in one
 * pod. A few
 * resident containers (sleeping) run throughout, so the cache has something
 * to keep.
 *
 * A sample is taken when the workers have finished the containers handed out
 * so far and the cache has settled: async events delivered until the
 * containers table holds as many records as the engine has running
 * containers and nothing has arrived for a while (bounded).
 */
#ifndef CHURN_H
#define CHURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct churn_point {
	int churned;      /* containers created and removed so far */
	uint64_t heap;    /* malloc'd bytes in use in this process (churn_heap_bytes) */
	uint64_t arena;   /* glibc's figure: mallinfo2 uordblks + hblkhd (moves with its thread caches) */
	int fds;          /* open fds (/proc/self/fd) */
	int threads;      /* threads (/proc/self/task) */
	long cache;       /* records in the plugin's containers table (the host's excluded) */
	long running;     /* running containers, as the engine lists them */
	bool settled;     /* cache == running was reached within the bound */
	double rate;      /* containers/s since the previous point */
	uint64_t added;   /* `container` async events delivered so far */
	uint64_t removed; /* `container_removed` async events delivered so far */
} churn_point;

typedef void (*churn_point_fn)(void* arg, const churn_point* p);

typedef struct churn_opts {
	const char* engine; /* docker, docker13 (Docker's API), cri, cri13 (CRI on containerd, containerd13) */
	int n;              /* containers to churn */
	int concurrency;    /* worker processes */
	int first;          /* the first sample after this many (the baseline) */
	int every;          /* then one sample every this many */
	int resident;       /* long-running containers started before the plugin */
	const char* extra;  /* more top-level plugin config, or NULL */
	churn_point_fn on_point; /* called at each sample (may be NULL) */
	void* arg;
} churn_opts;

#define CHURN_MAX_POINTS 1024

typedef struct churn_result {
	churn_point start; /* after the plugin opened and cached the resident containers */
	churn_point points[CHURN_MAX_POINTS]; /* at first, then every `every`, and at n */
	int npoints;
	int failed;        /* container runs the engine failed */
} churn_result;

/* Bytes of the blocks malloc'd and not freed in this process, counted by
 * tests/integration/churn_heap.c (or ASan's allocator), which a binary using
 * churn_run must link (it replaces malloc: not in a library others link). */
uint64_t churn_heap_bytes(void);

/* The engine engines.sh starts for o->engine (cri: containerd, cri13: containerd13). */
const char* churn_daemon(const char* engine);

/*
 * Runs the churn. 1: ran (the samples in *r); 0: skipped, the reason in why
 * (engine unavailable here); -1: failed (why).
 */
int churn_run(const churn_opts* o, churn_result* r, char* why, size_t why_size);

/* The column names and one sample as a line of the series. */
void churn_print_header(void);
void churn_print_point(const churn_point* p);

#endif
