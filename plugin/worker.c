#include "worker.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "attach_log.h"
#include "ctr_json.h"
#include "engine.h"
#include "gone.h"
#include "outbox.h"

/*
 * One thread per engine instance rather than one curl multi loop for all:
 * the engines' calls are blocking (bounded by seconds of timeout), and a
 * non-blocking rewrite of every request path (ping, list, inspect, image,
 * gRPC unary calls) would touch all of them for the same isolation. A host
 * has a handful of sockets; an idle runner sleeps in curl_multi_poll.
 */

/* Missing sockets are checked with one stat() per second, by the helper thread for all
 * of them (one wakeup, not one per engine): cheap, and no inotify state. */
#define ABSENT_CHECK_MS 1000
/* With nothing due, a runner sleeps until its stream, a lookup request
 * (curl_multi_wakeup) or libcurl's own timers wake it. Only a safety net. */
#define IDLE_WAIT_MS 60000
/* An existing socket that has not answered this long is probably stale (note_refusal). */
#define STALE_WARN_MS 30000
#define BACKOFF_FIRST_MS 125
#define BACKOFF_MAX_MS 4000
#define DISCOVER_MS 2000
#define MAX_ENGINES LOOKUP_MAX_ENGINES

enum { SOCKET_UNWATCHED, SOCKET_WATCHED, SOCKET_APPEARED };

/* One engine instance and its thread. Its scheduling state is the runner's alone. */
typedef struct runner {
	worker* w;
	engine* e;
	unsigned slot;      /* in the lookup tracker */
	cgroup_engine kind; /* the containers it serves, for lookup hints */
	bool socketless;    /* a lookup source: nothing to stat or attach */
	pthread_t thread;
	bool started;
	CURLM* multi; /* its stream only */
	bool up;      /* attached (streaming or polling) */
	bool ever_up; /* attached once: the next attach is a reconnection */
	attach_notice notice; /* the start-up log's progress for this socket */
	bool present; /* socket existed at the last check */
	bool checked; /* the socket was looked at once */
	/* SOCKET_*: whether the helper watches for the socket to appear (shared with it). */
	atomic_int watch;
	uint64_t next_try_ms, backoff_ms;
	uint64_t refused_since_ms; /* the socket exists and has refused us since (0: not) */
	bool stale_warned;
	dev_t dev; /* the socket file attached to: a new file means a new engine */
	ino_t ino;
	uint64_t next_socket_check_ms;
	CURL* stream;     /* the open event stream, NULL when none */
	uint32_t poll_ms; /* up without a stream: ops->poll this often (0: never) */
	uint64_t next_poll_ms;
} runner;

struct worker {
	async_emitter* emitter;
	const plog* log;
	const config* cfg;
	lookup_tracker* lookups;
	outbox* out;
	gone_set* gone;
	engine_env env;
	pthread_t thread; /* the outbox and podman discovery */
	bool started, helper_started, stopping, kicked;
	atomic_bool cancel; /* stopping, readable by engines without the lock */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* the helper thread's wakeups; initial listing progress */
	runner* runners[MAX_ENGINES];
	size_t nrunners; /* grows under mu (discovery) */
	size_t nstart;   /* runners present at start: the initial listing waits for them */
	size_t ntried;
	uint64_t next_discover_ms;
	/* Initial listing (docs/architecture.md "Capture open"): the JSON of
	 * the records reported before the
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

static bool stopping(worker* w)
{
	pthread_mutex_lock(&w->mu);
	bool s = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return s;
}

/* The helper thread has new work (an event waiting in the outbox). */
static void kick(worker* w)
{
	pthread_mutex_lock(&w->mu);
	w->kicked = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void wake_runners(worker* w)
{
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->nrunners; i++)
		curl_multi_wakeup(w->runners[i]->multi);
	pthread_mutex_unlock(&w->mu);
}

/* ---- reports ---------------------------------------------------------------- */

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

static bool announce(worker* w, const char* name, const ctr_record* r)
{
	bool ok = outbox_send(w->out, name, r, now_ms());
	if (!ok)
		plog_warn(w->log, "container %s not announced: the host refuses events and %d wait",
		          r->id, OUTBOX_CAP);
	else if (outbox_get_stats(w->out).pending)
		kick(w);
	return ok;
}

static bool on_report(void* arg, engine_report what, const ctr_record* r)
{
	worker* w = arg;
	/* Handled when not announced on purpose: a second removal, a stale record. */
	if (!gone_admit(w->gone, r->id,
	                what == ENGINE_REPORT_REMOVED ? GONE_REPORT_REMOVED : GONE_REPORT_ALIVE))
		return true;
	if (what != ENGINE_REPORT_REMOVED) {
		/* Listed or announced: answered, whatever back-off its lookup was in. */
		lookup_known(w->lookups, r->id);
		lookup_known(w->lookups, r->full_id);
	}
	if (what == ENGINE_REPORT_ADDED)
		remember_initial(w, r);
	return announce(w, report_name(what), r);
}

bool worker_publish(worker* w, const ctr_record* r)
{
	return announce(w, ASYNC_EVT_CONTAINER, r);
}

bool worker_container_exited(worker* w, const ctr_record* r)
{
	return !gone_admit(w->gone, r->id, GONE_REPORT_EXITED) ||
	       announce(w, ASYNC_EVT_REMOVED, r);
}

/* ---- setup -------------------------------------------------------------------- */

void worker_share_containerd_dbs(worker* w, struct containerd_dbs* dbs)
{
	w->env.dbs = dbs;
}

worker* worker_new(async_emitter* emitter, const plog* log, const config* cfg,
                   lookup_tracker* lookups)
{
	worker* w = calloc(1, sizeof(*w));
	if (!w || !http_global_init()) {
		free(w);
		return NULL;
	}
	w->emitter = emitter;
	w->log = log;
	w->cfg = cfg;
	w->lookups = lookups;
	w->env = (engine_env){&w->cancel, cfg, log, on_report, w, emitter->m, NULL};
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	w->out = outbox_new(emitter);
	w->gone = gone_new();
	if (!w->out || !w->gone) {
		worker_free(w);
		return NULL;
	}
	return w;
}

static void runner_free(runner* r)
{
	if (!r)
		return;
	if (r->stream)
		curl_multi_remove_handle(r->multi, r->stream);
	engine_free(r->e);
	if (r->multi)
		curl_multi_cleanup(r->multi);
	free(r);
}

static void* runner_main(void* arg);

/* Adds an instance, and starts its thread when the worker runs; caller holds no lock. */
static bool add_engine(worker* w, engine* e, cgroup_engine kind, bool socketless)
{
	runner* r = e ? calloc(1, sizeof(*r)) : NULL;
	CURLM* multi = r ? curl_multi_init() : NULL;
	if (!multi) {
		free(r);
		engine_free(e);
		return false;
	}
	*r = (runner){.w = w, .e = e, .kind = kind, .socketless = socketless, .multi = multi};
	pthread_mutex_lock(&w->mu);
	bool ok = w->nrunners < MAX_ENGINES && !w->stopping;
	if (ok) {
		r->slot = (unsigned)w->nrunners;
		if (w->started)
			ok = r->started = pthread_create(&r->thread, NULL, runner_main, r) == 0;
	}
	if (ok)
		w->runners[w->nrunners++] = r;
	pthread_mutex_unlock(&w->mu);
	if (!ok)
		runner_free(r);
	return ok;
}

bool worker_add_engine(worker* w, engine* e, cgroup_engine kind, bool socketless)
{
	return add_engine(w, e, kind, socketless);
}

const engine_env* worker_env(worker* w)
{
	return &w->env;
}

bool worker_add_engines(worker* w)
{
	const config* c = w->cfg;
	bool ok = true;
	for (size_t i = 0; c->docker.enabled && i < c->docker.nsockets; i++)
		ok &= add_engine(w, docker_engine_new(&w->env, c->docker.sockets[i]),
		                 CGROUP_ENGINE_DOCKER, false);
	for (size_t i = 0; c->podman.enabled && i < c->podman.nsockets; i++)
		ok &= add_engine(w, podman_engine_new(&w->env, c->podman.sockets[i]),
		                 CGROUP_ENGINE_PODMAN, false);
	for (size_t i = 0; c->containerd.enabled && i < c->containerd.nsockets; i++)
		ok &= add_engine(w, containerd_engine_new(&w->env, c->containerd.sockets[i]),
		                 CGROUP_ENGINE_CONTAINERD, false);
	for (size_t i = 0; c->cri.enabled && i < c->cri.nsockets; i++)
		ok &= add_engine(w, cri_engine_new(&w->env, c->cri.sockets[i]), CGROUP_ENGINE_CRI,
		                 false);
	return ok;
}

static bool has_socket(worker* w, const char* socket)
{
	size_t hl = strlen(w->cfg->host_root);
	bool has = false;
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->nrunners && !has; i++)
		has = !w->runners[i]->socketless && !strcmp(w->runners[i]->e->socket + hl, socket);
	pthread_mutex_unlock(&w->mu);
	return has;
}

/* Rootless sockets of one engine kind that appeared after start (users logging in later). */
static void discover_kind(worker* w, size_t (*find)(const char*, char***),
                          engine* (*make)(const engine_env*, const char*), cgroup_engine kind,
                          const char* name)
{
	char** paths;
	size_t n = find(w->cfg->host_root, &paths);
	for (size_t i = 0; i < n; i++) {
		if (!has_socket(w, paths[i]) && add_engine(w, make(&w->env, paths[i]), kind, false))
			plog_info(w->log, "%s socket %s appeared", name, paths[i]);
		free(paths[i]);
	}
	free(paths);
}

static bool discovering(const worker* w)
{
	return w->cfg->podman_discover || w->cfg->docker_discover;
}

static void discover(worker* w, uint64_t now)
{
	if (!discovering(w) || now < w->next_discover_ms)
		return;
	w->next_discover_ms = now + DISCOVER_MS;
	if (w->cfg->podman_discover)
		discover_kind(w, podman_discover, podman_engine_new, CGROUP_ENGINE_PODMAN, "podman");
	if (w->cfg->docker_discover)
		discover_kind(w, docker_discover, docker_engine_new, CGROUP_ENGINE_DOCKER, "docker");
}

void worker_request_lookup(worker* w, const char* id, cgroup_engine hint)
{
	if (lookup_want(w->lookups, id, hint, now_ms()))
		wake_runners(w);
}

/* ---- one engine's thread ---------------------------------------------------------- */

static void retry_later(runner* r, uint64_t now)
{
	r->next_try_ms = now + r->backoff_ms;
	r->backoff_ms = r->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : r->backoff_ms * 2;
}

static void runner_down(runner* r, uint64_t now)
{
	if (r->stream) {
		curl_multi_remove_handle(r->multi, r->stream);
		r->e->ops->close_stream(r->e);
		r->stream = NULL;
	}
	if (r->up) {
		metrics_add(r->w->emitter->m, METRIC_ENGINE_DISCONNECTS, 1);
		metrics_add(r->w->emitter->m, METRIC_ENGINES_ATTACHED, -1);
	}
	r->up = false;
	lookup_engine_set(r->w->lookups, r->slot, r->kind, false);
	retry_later(r, now);
	wake_runners(r->w); /* rounds that waited for this engine are over */
}

/* False when the socket is absent (checked again in a second). */
static bool socket_present(runner* r, uint64_t now)
{
	struct stat st;
	bool present = r->socketless || stat(r->e->socket, &st) == 0;
	if (!r->socketless && !present && (r->present || !r->checked))
		attach_log_absent(r->w->log, &r->notice, r->kind, r->e->socket);
	r->present = present;
	r->checked = true;
	if (!present) {
		/* Tried again when the helper sees the socket (or after the idle wait). */
		r->next_try_ms = now + IDLE_WAIT_MS;
		atomic_store(&r->watch, SOCKET_WATCHED);
		kick(r->w);
	}
	return present;
}

/*
 * A socket file that exists but refuses every connection is most often the
 * old socket of an engine that restarted, seen through a bind mount of the
 * file itself: the mount keeps the old file, and the new socket never shows.
 * Said once, so an operator can mount the directory instead.
 */
static void note_refusal(runner* r, uint64_t now)
{
	if (r->socketless || r->stale_warned)
		return;
	if (!r->refused_since_ms) {
		r->refused_since_ms = now;
		return;
	}
	if (now - r->refused_since_ms < STALE_WARN_MS)
		return;
	plog_warn(r->w->log,
	          "%s exists but has not answered for %d s: if it is a socket file "
	          "bind-mounted into Falco's container, mount its directory instead (a restarted "
	          "engine creates a new socket that a file mount never shows)",
	          r->e->socket, STALE_WARN_MS / 1000);
	r->stale_warned = true;
}

/* True when the socket path now names another file than the one attached to. */
static bool socket_replaced(runner* r)
{
	struct stat st;
	return !r->socketless && stat(r->e->socket, &st) == 0 &&
	       (st.st_ino != r->ino || st.st_dev != r->dev);
}

/* At most once a second when awake: an engine that came back on a new socket
 * file is attached again at once, whatever the old connection still says. */
static void runner_check_socket(runner* r, uint64_t now)
{
	if (!r->up || now < r->next_socket_check_ms)
		return;
	r->next_socket_check_ms = now + 1000;
	if (!socket_replaced(r))
		return;
	plog_info(r->w->log, "%s was replaced (the engine restarted): attaching again", r->e->socket);
	runner_down(r, now);
	r->next_try_ms = now;
	r->backoff_ms = BACKOFF_FIRST_MS;
}

/* Attaches an engine whose socket exists and opens its event stream. */
static void runner_try(runner* r, uint64_t now)
{
	engine* e = r->e;
	if (!socket_present(r, now))
		return;
	if (!r->backoff_ms)
		r->backoff_ms = BACKOFF_FIRST_MS;
	engine_stream s = {ENGINE_STREAM_FAILED, NULL, 0};
	uint64_t started = now_ms();
	size_t before = e->n_added; /* what this attach listed, for the start-up log */
	if (!e->ops->attach(e))
		s = e->ops->open_stream(e);
	size_t listed = e->n_added - before;
	if (s.kind == ENGINE_STREAM_OPEN && curl_multi_add_handle(r->multi, s.easy) != CURLM_OK) {
		e->ops->close_stream(e);
		s.kind = ENGINE_STREAM_FAILED;
	}
	if (s.kind == ENGINE_STREAM_FAILED) {
		if (!r->socketless)
			attach_log_failed(r->w->log, &r->notice, r->kind, e->socket, now_ms() - started,
			                  r->backoff_ms);
		note_refusal(r, now_ms());
		retry_later(r, now_ms());
		return;
	}
	struct stat st;
	if (!r->socketless && stat(e->socket, &st) == 0) {
		r->dev = st.st_dev;
		r->ino = st.st_ino;
	}
	r->refused_since_ms = 0;
	r->stale_warned = false;
	r->stream = s.kind == ENGINE_STREAM_OPEN ? s.easy : NULL;
	r->poll_ms = s.kind == ENGINE_STREAM_POLL && e->ops->poll ? s.poll_ms : 0;
	r->next_poll_ms = now_ms() + r->poll_ms;
	r->up = true;
	metrics_add(r->w->emitter->m, r->ever_up ? METRIC_ENGINE_RECONNECTS : METRIC_ENGINE_CONNECTS,
	            1);
	metrics_add(r->w->emitter->m, METRIC_ENGINES_ATTACHED, 1);
	r->ever_up = true;
	r->backoff_ms = BACKOFF_FIRST_MS;
	lookup_engine_set(r->w->lookups, r->slot, r->kind, true);
	if (!r->socketless)
		attach_log_up(r->w->log, &r->notice, r->kind, e->socket, listed, r->poll_ms != 0);
}

/* The first attempt of a runner present at start counts for the initial listing. */
static void tried(runner* r)
{
	worker* w = r->w;
	pthread_mutex_lock(&w->mu);
	if (r->slot < w->nstart && ++w->ntried >= w->nstart && !w->initial_done) {
		w->initial_done = true;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
}

/* The stream's news; a stream that ended (engine stopped or restarted) → reconnect. */
static void runner_stream(runner* r)
{
	int running, left;
	curl_multi_perform(r->multi, &running);
	r->e->ops->process_events(r->e);
	CURLMsg* m;
	while ((m = curl_multi_info_read(r->multi, &left))) {
		if (m->msg != CURLMSG_DONE || m->easy_handle != r->stream)
			continue;
		plog_info(r->w->log, "event stream of %s ended: %s", r->e->socket,
		          curl_easy_strerror(m->data.result));
		r->e->ops->process_events(r->e);
		runner_down(r, now_ms());
		return;
	}
}

static void runner_poll(runner* r)
{
	if (now_ms() < r->next_poll_ms)
		return;
	if (r->e->ops->poll(r->e)) {
		plog_info(r->w->log, "%s stopped answering", r->e->socket);
		runner_down(r, now_ms());
		return;
	}
	r->next_poll_ms = now_ms() + r->poll_ms;
}

/* The lookups this engine should answer now; returns when the next may be due. */
static uint64_t runner_lookups(runner* r, uint64_t next)
{
	char id[CGROUP_ID_MAX];
	uint64_t due = UINT64_MAX;
	while (r->up && !stopping(r->w) && lookup_take(r->w->lookups, r->slot, now_ms(), id, &due)) {
		gone_forget(r->w->gone, id); /* a process of it is alive */
		r->e->call_failed = false;
		lookup_outcome o = r->e->ops->lookup(r->e, id) ? LOOKUP_FOUND
		                   : r->e->call_failed         ? LOOKUP_FAILED
		                                               : LOOKUP_NOT_FOUND;
		if (lookup_result(r->w->lookups, r->slot, id, o, now_ms()))
			wake_runners(r->w);
	}
	return r->up && due < next ? due : next;
}

static void* runner_main(void* arg)
{
	runner* r = arg;
	worker* w = r->w;
	bool first = true;
	while (!stopping(w)) {
		int appeared = SOCKET_APPEARED;
		if (atomic_compare_exchange_strong(&r->watch, &appeared, SOCKET_UNWATCHED))
			r->next_try_ms = 0;
		if (!r->up && now_ms() >= r->next_try_ms)
			runner_try(r, now_ms());
		if (first)
			tried(r);
		first = false;
		if (r->up && r->stream)
			runner_stream(r);
		else if (r->up && r->poll_ms)
			runner_poll(r);
		runner_check_socket(r, now_ms());
		uint64_t next = now_ms() + IDLE_WAIT_MS;
		if (!r->up && r->next_try_ms < next)
			next = r->next_try_ms;
		if (r->up && r->poll_ms && r->next_poll_ms < next)
			next = r->next_poll_ms;
		next = runner_lookups(r, next);
		uint64_t now = now_ms();
		int wait = next > now ? (int)(next - now) : 0;
		curl_multi_poll(r->multi, NULL, 0, wait > IDLE_WAIT_MS ? IDLE_WAIT_MS : wait, NULL);
	}
	http_thread_done();
	return NULL;
}

/* ---- the helper thread: refused events, discovery, missing sockets ------------------- */

/* Wakes the runners whose socket appeared; false when none is missing any more. */
static bool check_sockets(worker* w)
{
	bool watching = false;
	pthread_mutex_lock(&w->mu);
	for (size_t i = 0; i < w->nrunners; i++) {
		runner* r = w->runners[i];
		struct stat st;
		int watched = SOCKET_WATCHED;
		if (atomic_load(&r->watch) != SOCKET_WATCHED)
			continue;
		if (stat(r->e->socket, &st) == 0 &&
		    atomic_compare_exchange_strong(&r->watch, &watched, SOCKET_APPEARED))
			curl_multi_wakeup(r->multi);
		else
			watching = true;
	}
	pthread_mutex_unlock(&w->mu);
	return watching;
}

static void* helper_main(void* arg)
{
	worker* w = arg;
	uint64_t next_check = 0;
	while (!stopping(w)) {
		uint64_t now = now_ms();
		discover(w, now);
		uint64_t next = outbox_flush(w->out, now);
		/* Unwatched until now: a runner may have just asked (it kicks us). */
		if (now >= next_check || next_check == UINT64_MAX)
			next_check = check_sockets(w) ? now + ABSENT_CHECK_MS : UINT64_MAX;
		if (next_check < next)
			next = next_check;
		if (discovering(w) && w->next_discover_ms < next)
			next = w->next_discover_ms;
		if (next > now + IDLE_WAIT_MS)
			next = now + IDLE_WAIT_MS;
		struct timespec ts = {(time_t)(next / 1000), (long)(next % 1000) * 1000000};
		pthread_mutex_lock(&w->mu);
		while (!w->stopping && !w->kicked)
			if (pthread_cond_timedwait(&w->cv, &w->mu, &ts))
				break;
		w->kicked = false;
		pthread_mutex_unlock(&w->mu);
	}
	return NULL;
}

int worker_start(worker* w)
{
	if (w->started)
		return 0;
	pthread_mutex_lock(&w->mu);
	w->nstart = w->nrunners;
	w->started = true;
	bool ok = w->helper_started = pthread_create(&w->thread, NULL, helper_main, w) == 0;
	for (size_t i = 0; ok && i < w->nrunners; i++)
		ok = w->runners[i]->started =
		    pthread_create(&w->runners[i]->thread, NULL, runner_main, w->runners[i]) == 0;
	if (!w->nstart)
		w->initial_done = true;
	pthread_mutex_unlock(&w->mu);
	return ok ? 0 : -1;
}

size_t worker_initial_records(worker* w, int timeout_ms, char*** out)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
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

/* What the lookups (over the plugin's life) and the outbox did, logged when the worker stops. */
static void log_counts(worker* w)
{
	if (!w->out)
		return;
	lookup_stats l = lookup_get_stats(w->lookups);
	outbox_stats o = outbox_get_stats(w->out);
	plog_info(w->log,
	          "lookups: %llu ids, %llu asked, %llu found, %llu failed rounds, %llu dropped, "
	          "%llu expired; refused events: %llu refusals, %llu sent later, %llu superseded, "
	          "%llu lost, %llu waiting",
	          (unsigned long long)l.wanted, (unsigned long long)l.attempts,
	          (unsigned long long)l.found, (unsigned long long)l.failed_rounds,
	          (unsigned long long)l.dropped, (unsigned long long)l.expired,
	          (unsigned long long)o.refused, (unsigned long long)o.delivered_late,
	          (unsigned long long)o.replaced, (unsigned long long)o.dropped,
	          (unsigned long long)o.pending);
}

void worker_free(worker* w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_broadcast(&w->cv);
	bool helper = w->helper_started;
	pthread_mutex_unlock(&w->mu);
	atomic_store(&w->cancel, true);
	/* The helper first: it adds runners (discovery), then none can appear. */
	if (helper)
		pthread_join(w->thread, NULL);
	wake_runners(w);
	for (size_t i = 0; i < w->nrunners; i++)
		if (w->runners[i]->started)
			pthread_join(w->runners[i]->thread, NULL);
	for (size_t i = 0; i < w->nrunners; i++) {
		if (w->runners[i]->up)
			metrics_add(w->emitter->m, METRIC_ENGINES_ATTACHED, -1);
		lookup_engine_set(w->lookups, w->runners[i]->slot, w->runners[i]->kind, false);
		runner_free(w->runners[i]);
	}
	for (size_t i = 0; i < w->ninitial; i++)
		free(w->initial[i]);
	free(w->initial);
	log_counts(w);
	outbox_free(w->out);
	gone_free(w->gone);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	http_global_cleanup();
	free(w);
}
