#include "worker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup.h"

/*
 * Lookups are retried because cgroups (hence process events) show up before
 * the engine has registered the container; Podman's event latency alone can
 * exceed 200 ms (engines.md §4.2), so the window is seconds, not upstream's
 * 150 ms.
 */
#define RETRY_FIRST_MS 30
#define RETRY_MAX_MS 1000
#define RETRY_BUDGET_MS 5000
#define MAX_SOURCES 16

typedef struct lookup_req {
	char id[CGROUP_ID_MAX];
	uint64_t first_ms, next_ms, delay_ms;
} lookup_req;

struct worker {
	async_emitter* emitter;
	const plog* log;
	pthread_t thread;
	bool started, stopping;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	lookup_req queue[WORKER_QUEUE_CAP];
	size_t nqueue;
	struct {
		worker_lookup_fn fn;
		void* ctx;
	} sources[MAX_SOURCES];
	size_t nsources;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

worker* worker_new(async_emitter* emitter, const plog* log)
{
	worker* w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->emitter = emitter;
	w->log = log;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	return w;
}

bool worker_add_source(worker* w, worker_lookup_fn fn, void* ctx)
{
	if (w->started || w->nsources == MAX_SOURCES)
		return false;
	w->sources[w->nsources].fn = fn;
	w->sources[w->nsources].ctx = ctx;
	w->nsources++;
	return true;
}

bool worker_publish(worker* w, const ctr_record* r)
{
	char err[PLUGIN_MAX_ERRLEN];
	if (async_emit_record(w->emitter, ASYNC_EVT_CONTAINER, r, err))
		return true;
	plog_warn(w->log, "container %s not announced: %s", r->id, err);
	return false;
}

bool worker_request_lookup(worker* w, const char* id)
{
	if (strlen(id) >= CGROUP_ID_MAX)
		return false;
	pthread_mutex_lock(&w->mu);
	bool ok = !w->stopping && w->nqueue < WORKER_QUEUE_CAP;
	if (ok) {
		lookup_req* r = &w->queue[w->nqueue++];
		strcpy(r->id, id);
		r->first_ms = r->next_ms = now_ms();
		r->delay_ms = RETRY_FIRST_MS;
		pthread_cond_signal(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return ok;
}

/* Asks every source in turn; true once one answered (and it was published). */
static bool lookup_once(worker* w, const char* id)
{
	for (size_t i = 0; i < w->nsources; i++) {
		ctr_record* r = NULL;
		if (w->sources[i].fn(w->sources[i].ctx, id, &r) && r) {
			worker_publish(w, r);
			ctr_record_unref(r);
			return true;
		}
	}
	return false;
}

/* Takes the first due request out of the queue (mutex held); false if none is due. */
static bool take_due(worker* w, uint64_t now, lookup_req* out, uint64_t* next_due)
{
	*next_due = UINT64_MAX;
	for (size_t i = 0; i < w->nqueue; i++) {
		if (w->queue[i].next_ms <= now) {
			*out = w->queue[i];
			w->queue[i] = w->queue[--w->nqueue];
			return true;
		}
		if (w->queue[i].next_ms < *next_due)
			*next_due = w->queue[i].next_ms;
	}
	return false;
}

static void requeue(worker* w, lookup_req* r, uint64_t now)
{
	if (now - r->first_ms >= RETRY_BUDGET_MS) {
		plog_debug(w->log, "lookup of container %s failed for %d ms, giving up for now", r->id,
		           RETRY_BUDGET_MS);
		return;
	}
	r->next_ms = now + r->delay_ms;
	r->delay_ms = r->delay_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : r->delay_ms * 2;
	pthread_mutex_lock(&w->mu);
	if (w->nqueue < WORKER_QUEUE_CAP)
		w->queue[w->nqueue++] = *r;
	pthread_mutex_unlock(&w->mu);
}

static void wait_until(worker* w, uint64_t due_ms)
{
	if (due_ms == UINT64_MAX) {
		pthread_cond_wait(&w->cv, &w->mu);
		return;
	}
	struct timespec ts = {.tv_sec = (time_t)(due_ms / 1000),
	                      .tv_nsec = (long)(due_ms % 1000) * 1000000};
	pthread_cond_timedwait(&w->cv, &w->mu, &ts);
}

static void* worker_main(void* arg)
{
	worker* w = arg;
	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		lookup_req r;
		uint64_t next_due;
		if (!take_due(w, now_ms(), &r, &next_due)) {
			wait_until(w, next_due);
			continue;
		}
		pthread_mutex_unlock(&w->mu);
		if (!lookup_once(w, r.id))
			requeue(w, &r, now_ms());
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int worker_start(worker* w)
{
	if (w->started)
		return 0;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return -1;
	w->started = true;
	return 0;
}

void worker_free(worker* w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (w->started)
		pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
