#include "worker.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup.h"
#include "ctr_json.h"
#include "engine.h"

/*
 * Lookups are retried because cgroups (hence process events) show up before
 * the engine has registered the container; Podman's event latency alone can
 * exceed 200 ms (engines.md §4.2), so the window is seconds, not upstream's
 * 150 ms.
 */
#define RETRY_FIRST_MS 30
#define RETRY_MAX_MS 1000
#define RETRY_BUDGET_MS 5000
/* A missing socket is checked with one stat() per second: cheap, and no inotify state. */
#define ABSENT_CHECK_MS 1000
/* With every engine up and nothing due, the loop sleeps until a stream, a
 * lookup request (curl_multi_wakeup) or libcurl's own timers wake it: idle
 * means no wakeups. This is only a safety net. */
#define IDLE_WAIT_MS 60000
#define BACKOFF_FIRST_MS 125
#define BACKOFF_MAX_MS 4000
#define DISCOVER_MS 2000
#define MAX_SOURCES 16
#define MAX_ENGINES 64

typedef struct lookup_req {
	char id[CGROUP_ID_MAX];
	uint64_t first_ms, next_ms, delay_ms;
} lookup_req;

struct worker {
	async_emitter* emitter;
	const plog* log;
	const config* cfg;
	engine_env env;
	pthread_t thread;
	bool started, stopping;
	atomic_bool cancel; /* stopping, readable by engines without the lock */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	CURLM* multi;
	/* One slot more than new requests may fill: the request the worker has
	 * taken out (one at a time) always finds room to be queued again. */
	lookup_req queue[WORKER_QUEUE_CAP + 1];
	size_t nqueue;
	struct {
		worker_lookup_fn fn;
		void* ctx;
	} sources[MAX_SOURCES];
	size_t nsources;
	engine* engines[MAX_ENGINES];
	size_t nengines;
	uint64_t next_discover_ms;
	/* Initial listing (§2.2): the JSON of the records reported before the
	 * first pass completed (records themselves never leave this thread). */
	bool initial_done;
	char** initial;
	size_t ninitial;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char* report_name(engine_report what)
{
	return what == ENGINE_REPORT_ADDED     ? ASYNC_EVT_CONTAINER
	       : what == ENGINE_REPORT_UPDATED ? ASYNC_EVT_UPDATED
	                                       : ASYNC_EVT_REMOVED;
}

/*
 * Keeps a copy for the open's hand-off, as the JSON its event carries: the
 * host's thread decodes its own record from it, so no record (nor its plain
 * reference count) is ever shared with the engine that built it, which may
 * still hold it when the open stops waiting. Encoded outside the lock: the
 * open may be waiting for it.
 */
static void remember_initial(worker* w, const ctr_record* r)
{
	pthread_mutex_lock(&w->mu);
	bool wanted = !w->initial_done;
	pthread_mutex_unlock(&w->mu);
	char* json = wanted ? ctr_json_encode(r) : NULL;
	if (!json)
		return;
	pthread_mutex_lock(&w->mu);
	char** n = w->initial_done ? NULL : realloc(w->initial, (w->ninitial + 1) * sizeof(*n));
	if (n) {
		w->initial = n;
		w->initial[w->ninitial++] = json;
		json = NULL;
	}
	pthread_mutex_unlock(&w->mu);
	free(json);
}

static void on_report(void* arg, engine_report what, const ctr_record* r)
{
	worker* w = arg;
	char err[PLUGIN_MAX_ERRLEN];
	if (what == ENGINE_REPORT_ADDED)
		remember_initial(w, r);
	if (!async_emit_record(w->emitter, report_name(what), r, err))
		plog_warn(w->log, "container %s not announced: %s", r->id, err);
}

worker* worker_new(async_emitter* emitter, const plog* log, const config* cfg)
{
	worker* w = calloc(1, sizeof(*w));
	if (!w || !http_global_init()) {
		free(w);
		return NULL;
	}
	w->emitter = emitter;
	w->log = log;
	w->cfg = cfg;
	w->env = (engine_env){&w->cancel, cfg, log, on_report, w};
	w->multi = curl_multi_init();
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (!w->multi) {
		worker_free(w);
		return NULL;
	}
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

static bool add_engine(worker* w, engine* e)
{
	if (!e || w->nengines == MAX_ENGINES) {
		engine_free(e);
		return false;
	}
	w->engines[w->nengines++] = e;
	return true;
}

static bool has_socket(worker* w, const char* socket)
{
	size_t hl = strlen(w->cfg->host_root);
	for (size_t i = 0; i < w->nengines; i++)
		if (!strcmp(w->engines[i]->socket + hl, socket))
			return true;
	return false;
}

bool worker_add_engines(worker* w)
{
	const config* c = w->cfg;
	bool ok = true;
	for (size_t i = 0; c->docker.enabled && i < c->docker.nsockets; i++)
		ok &= add_engine(w, docker_engine_new(&w->env, c->docker.sockets[i]));
	for (size_t i = 0; c->podman.enabled && i < c->podman.nsockets; i++)
		ok &= add_engine(w, podman_engine_new(&w->env, c->podman.sockets[i]));
	for (size_t i = 0; c->containerd.enabled && i < c->containerd.nsockets; i++)
		ok &= add_engine(w, containerd_engine_new(&w->env, c->containerd.sockets[i]));
	for (size_t i = 0; c->cri.enabled && i < c->cri.nsockets; i++)
		ok &= add_engine(w, cri_engine_new(&w->env, c->cri.sockets[i]));
	return ok;
}

/* Rootless podman sockets that appeared after start (users logging in later). */
static void discover(worker* w, uint64_t now)
{
	if (!w->cfg->podman_discover || now < w->next_discover_ms)
		return;
	w->next_discover_ms = now + DISCOVER_MS;
	char** paths;
	size_t n = podman_discover(w->cfg->host_root, &paths);
	for (size_t i = 0; i < n; i++) {
		if (!has_socket(w, paths[i]) && add_engine(w, podman_engine_new(&w->env, paths[i])))
			plog_info(w->log, "podman socket %s appeared", paths[i]);
		free(paths[i]);
	}
	free(paths);
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
	}
	pthread_mutex_unlock(&w->mu);
	if (ok)
		curl_multi_wakeup(w->multi);
	return ok;
}

static bool stopping(worker* w)
{
	pthread_mutex_lock(&w->mu);
	bool s = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return s;
}

/* ---- engines -------------------------------------------------------------- */

static void engine_retry_later(engine* e, uint64_t now)
{
	e->next_try_ms = now + e->backoff_ms;
	e->backoff_ms = e->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : e->backoff_ms * 2;
}

static void engine_down(worker* w, engine* e, uint64_t now)
{
	if (e->stream) {
		curl_multi_remove_handle(w->multi, e->stream);
		e->ops->close_stream(e);
		e->stream = NULL;
	}
	e->up = false;
	engine_retry_later(e, now);
}

/* Attaches an engine whose socket exists and opens its event stream. */
static void engine_try(worker* w, engine* e, uint64_t now)
{
	struct stat st;
	bool present = stat(e->socket, &st) == 0;
	if (present != e->present || !e->checked)
		plog_info(w->log, "%s %s", e->socket,
		          present ? (e->checked ? "appeared" : "found") : "is absent");
	e->present = present;
	e->checked = true;
	if (!present) {
		e->next_try_ms = now + ABSENT_CHECK_MS;
		return;
	}
	if (!e->backoff_ms)
		e->backoff_ms = BACKOFF_FIRST_MS;
	bool polled = false; /* up without a stream (engine_ops.poll) */
	if (!e->ops->attach(e)) {
		e->poll_ms = 0;
		e->stream = e->ops->open_stream(e);
		polled = !e->stream && e->ops->poll && e->poll_ms > 0;
	}
	if (!polled && (!e->stream || curl_multi_add_handle(w->multi, e->stream) != CURLM_OK)) {
		if (e->stream)
			e->ops->close_stream(e);
		e->stream = NULL;
		plog_info(w->log, "%s does not answer, retrying in %llu ms", e->socket,
		          (unsigned long long)e->backoff_ms);
		engine_retry_later(e, now_ms());
		return;
	}
	e->up = true;
	e->backoff_ms = BACKOFF_FIRST_MS;
	if (polled)
		e->next_poll_ms = now_ms() + e->poll_ms;
	plog_info(w->log, "attached to %s%s", e->socket, polled ? " (polling, no event stream)" : "");
}

/* The earliest retry of an engine that is down, if before next. */
static uint64_t retries_due(worker* w, uint64_t next)
{
	for (size_t i = 0; i < w->nengines; i++)
		if (!w->engines[i]->up && w->engines[i]->next_try_ms < next)
			next = w->engines[i]->next_try_ms;
	return next;
}

static uint64_t engines_tick(worker* w)
{
	uint64_t now = now_ms();
	discover(w, now);
	for (size_t i = 0; i < w->nengines && !stopping(w); i++) {
		engine* e = w->engines[i];
		if (!e->up && now >= e->next_try_ms)
			engine_try(w, e, now);
	}
	uint64_t next = now + IDLE_WAIT_MS;
	if (w->cfg->podman_discover && w->next_discover_ms < next)
		next = w->next_discover_ms;
	return retries_due(w, next);
}

/* Engines up without a stream (engine_ops.poll); returns the earliest next poll. */
static uint64_t polls_tick(worker* w, uint64_t next)
{
	for (size_t i = 0; i < w->nengines && !stopping(w); i++) {
		engine* e = w->engines[i];
		if (!e->up || e->stream || !e->poll_ms || !e->ops->poll)
			continue;
		uint64_t now = now_ms();
		if (now >= e->next_poll_ms) {
			if (e->ops->poll(e)) {
				plog_info(w->log, "%s stopped answering", e->socket);
				engine_down(w, e, now_ms());
				continue;
			}
			e->next_poll_ms = now_ms() + e->poll_ms;
		}
		if (e->next_poll_ms < next)
			next = e->next_poll_ms;
	}
	return next;
}

/* Streams that ended (engine stopped or restarted): reconnect with backoff. */
static void collect_finished(worker* w)
{
	CURLMsg* m;
	int left;
	while ((m = curl_multi_info_read(w->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		for (size_t i = 0; i < w->nengines; i++) {
			engine* e = w->engines[i];
			if (e->stream && e->stream == m->easy_handle) {
				plog_info(w->log, "event stream of %s ended: %s", e->socket,
				          curl_easy_strerror(m->data.result));
				e->ops->process_events(e);
				engine_down(w, e, now_ms());
				break;
			}
		}
	}
}

/* ---- lookups --------------------------------------------------------------- */

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
	for (size_t i = 0; i < w->nengines; i++) {
		ctr_record* r = NULL;
		if (w->engines[i]->up && w->engines[i]->ops->lookup(w->engines[i], id, &r) && r) {
			worker_publish(w, r);
			ctr_record_unref(r);
			return true;
		}
	}
	return false;
}

/* Takes the first due request out of the queue; *next_due gets the earliest other one. */
static bool take_due(worker* w, uint64_t now, lookup_req* out, uint64_t* next_due)
{
	bool found = false;
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->nqueue; i++) {
		if (!found && w->queue[i].next_ms <= now) {
			*out = w->queue[i];
			w->queue[i--] = w->queue[--w->nqueue];
			found = true;
		} else if (w->queue[i].next_ms < *next_due) {
			*next_due = w->queue[i].next_ms;
		}
	}
	pthread_mutex_unlock(&w->mu);
	return found;
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
	if (w->nqueue <= WORKER_QUEUE_CAP)
		w->queue[w->nqueue++] = *r;
	pthread_mutex_unlock(&w->mu);
}

static uint64_t lookups_tick(worker* w, uint64_t next_due)
{
	lookup_req r;
	while (!stopping(w) && take_due(w, now_ms(), &r, &next_due)) {
		if (!lookup_once(w, r.id)) {
			requeue(w, &r, now_ms());
			if (r.next_ms < next_due)
				next_due = r.next_ms;
		}
	}
	return next_due;
}

/* ---- the loop -------------------------------------------------------------- */

static void initial_pass_done(worker* w)
{
	pthread_mutex_lock(&w->mu);
	if (!w->initial_done) {
		w->initial_done = true;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
}

static void* worker_main(void* arg)
{
	worker* w = arg;
	while (!stopping(w)) {
		uint64_t next = engines_tick(w);
		initial_pass_done(w);
		next = lookups_tick(w, next);
		int running;
		curl_multi_perform(w->multi, &running);
		for (size_t i = 0; i < w->nengines; i++)
			if (w->engines[i]->up)
				w->engines[i]->ops->process_events(w->engines[i]);
		collect_finished(w);
		/* A stream that just ended is retried after its backoff, not after the idle wait. */
		next = retries_due(w, next);
		next = polls_tick(w, next);
		uint64_t now = now_ms();
		int wait = next > now ? (int)(next - now) : 0;
		curl_multi_poll(w->multi, NULL, 0, wait > IDLE_WAIT_MS ? IDLE_WAIT_MS : wait, NULL);
	}
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

size_t worker_initial_records(worker* w, int timeout_ms, char*** out)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&w->mu);
	while (w->started && !w->initial_done)
		if (pthread_cond_timedwait(&w->cv, &w->mu, &ts))
			break;
	w->initial_done = true; /* later reports are not "initial" any more */
	*out = w->initial;
	size_t n = w->ninitial;
	w->initial = NULL;
	w->ninitial = 0;
	pthread_mutex_unlock(&w->mu);
	return n;
}

void worker_free(worker* w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_mutex_unlock(&w->mu);
	atomic_store(&w->cancel, true);
	if (w->multi)
		curl_multi_wakeup(w->multi);
	if (w->started)
		pthread_join(w->thread, NULL);
	for (size_t i = 0; i < w->nengines; i++) {
		if (w->engines[i]->stream)
			curl_multi_remove_handle(w->multi, w->engines[i]->stream);
		engine_free(w->engines[i]);
	}
	for (size_t i = 0; i < w->ninitial; i++)
		free(w->initial[i]);
	free(w->initial);
	if (w->multi)
		curl_multi_cleanup(w->multi);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	http_global_cleanup();
	free(w);
}
