/*
 * The path from "a worker found a container" to an async event the host
 * receives and the plugin parses back (docs/architecture.md "Engine threads", "On-demand lookups"),
 * driven by a fake engine (an engine_ops table of the test's own, with a
 * lookup and nothing else). The plugin is registered statically (plugin_api
 * vtable) so the test can reach its worker.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctr_json.h"
#include "engine.h"
#include "events.h"
#include "host.h"
#include "plugin_state.h"
#include "test.h"

#define ID64 "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"

typedef struct fake_engine {
	atomic_int calls;
	int fail_first; /* answer "unknown" this many times, as an engine that is late */
	atomic_int seen_ids_ok;
} fake_engine;

static bool fake_lookup(void* ctx, const char* id, ctr_record** out)
{
	fake_engine* f = ctx;
	int n = atomic_fetch_add(&f->calls, 1);
	if (strcmp(id, "abcdef012345"))
		return false;
	atomic_fetch_add(&f->seen_ids_ok, 1);
	if (n < f->fail_first)
		return false;
	ctr_record* r = ctr_record_new();
	ctr_str_set(&r->id, "abcdef012345");
	ctr_str_set(&r->full_id, ID64);
	ctr_str_set(&r->name, "late-one");
	ctr_str_set(&r->image, "localhost/app:1.0");
	r->type = CTR_TYPE_DOCKER;
	ctr_record_finalize(r);
	*out = r;
	return true;
}

/* ---- a fake engine: answers lookups through fn, has no socket, stream or listing ---- */

typedef bool (*lookup_fn)(void* ctx, const char* id, ctr_record** out);

typedef struct fake_src {
	lookup_fn fn;
	void* ctx;
} fake_src;

static int src_attach(engine* e)
{
	(void)e;
	return 0;
}

static engine_stream src_open(engine* e)
{
	(void)e;
	return (engine_stream){ENGINE_STREAM_POLL, NULL, 0}; /* up, lookups only */
}

static void src_nothing(engine* e)
{
	(void)e;
}

static bool src_lookup(engine* e, const char* id)
{
	fake_src* s = e->priv;
	ctr_record* r = NULL;
	bool found = s->fn(s->ctx, id, &r) && r && engine_announce(e, ENGINE_REPORT_ADDED, r);
	ctr_record_unref(r);
	return found;
}

static void src_destroy(engine* e)
{
	free(e->priv);
}

static const engine_ops src_ops = {
    .kind = "fake",
    .attach = src_attach,
    .open_stream = src_open,
    .close_stream = src_nothing,
    .process_events = src_nothing,
    .lookup = src_lookup,
    .destroy = src_destroy,
};

/* The plugin open live (default config: its engines' sockets are absent here) plus a fake engine. */
static host* open_with(lookup_fn fn, void* ctx)
{
	host* h = host_new();
	if (!h || host_load_api(h, plugin_static_api()) || host_init(h, "{}") || host_open_live(h)) {
		fprintf(stderr, "  host: %s\n", h ? host_last_error(h) : "out of memory");
		host_free(h);
		return NULL;
	}
	plugin_state* s = host_plugin_state(h);
	fake_src* src = malloc(sizeof(*src));
	engine* e = src ? engine_new(&src_ops, worker_env(s->worker), "", src) : NULL;
	if (src)
		*src = (fake_src){fn, ctx};
	if (!e || !worker_add_engine(s->worker, e, CGROUP_ENGINE_NONE, true)) {
		if (!e)
			free(src);
		host_free(h);
		return NULL;
	}
	return h;
}

static host* open_static(fake_engine* f)
{
	return open_with(fake_lookup, f);
}

static void spawn_in(host* h, int64_t tid, const char* cgroup)
{
	const char* cg[] = {cgroup, NULL};
	const char* args[] = {NULL};
	evt_proc_info p = {.tid = tid, .pid = tid, .ptid = 1, .vtid = 1, .vpid = 1, .exe = "app",
	                   .comm = "app", .args = args, .cgroups = cg};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, 1, &p);
	host_feed(h, e);
	free(e);
}

static void spawn(host* h, int64_t tid)
{
	spawn_in(h, tid, "cpu=/docker/" ID64);
}

static const char* name_of(host* h, int64_t tid)
{
	ss_plugin_event* e = evt_procexit(2, (uint64_t)tid, 0);
	const char* v = host_extract_str(h, e, "container.name");
	free(e);
	return v;
}

/* Waits for the worker's event and parses it, as the host's event loop would. */
static bool pump(host* h, int timeout_ms)
{
	if (!host_wait_async(h, timeout_ms))
		return false;
	host_drain_async(h);
	return true;
}

TEST(unknown_container_is_looked_up_by_the_worker)
{
	fake_engine f = {.fail_first = 0};
	host* h = open_static(&f);
	REQUIRE(h);
	spawn(h, 42);
	CHECK(name_of(h, 42) == NULL); /* parse never waits for the engine */
	CHECK(pump(h, 5000));
	CHECK_STR(name_of(h, 42), "late-one");
	spawn(h, 43); /* now cached: no new lookup */
	int calls = atomic_load(&f.calls);
	CHECK_STR(name_of(h, 43), "late-one");
	CHECK_INT(atomic_load(&f.calls), calls);
	host_free(h);
}

TEST(failed_lookup_is_retried_with_backoff)
{
	fake_engine f = {.fail_first = 3};
	host* h = open_static(&f);
	REQUIRE(h);
	spawn(h, 42);
	CHECK(pump(h, 5000));
	CHECK_STR(name_of(h, 42), "late-one");
	CHECK_INT(atomic_load(&f.seen_ids_ok), 4);
	host_free(h);
}

/* An engine whose lookups wait until the test lets them answer. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int calls;
	bool open;
} held = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, false};

static bool held_lookup(void* ctx, const char* id, ctr_record** out)
{
	pthread_mutex_lock(&held.mu);
	held.calls++;
	pthread_cond_broadcast(&held.cv);
	while (!held.open)
		pthread_cond_wait(&held.cv, &held.mu);
	pthread_mutex_unlock(&held.mu);
	return fake_lookup(ctx, id, out);
}

static int held_calls_after(int at_least, int timeout_ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	pthread_mutex_lock(&held.mu);
	while (held.calls < at_least)
		if (pthread_cond_timedwait(&held.cv, &held.mu, &ts))
			break;
	int n = held.calls;
	pthread_mutex_unlock(&held.mu);
	return n;
}

static void held_set_open(bool open)
{
	pthread_mutex_lock(&held.mu);
	held.open = open;
	held.calls = open ? held.calls : 0;
	pthread_cond_broadcast(&held.cv);
	pthread_mutex_unlock(&held.mu);
}

TEST(repeated_process_events_ask_once)
{
	fake_engine f = {.fail_first = 0};
	held_set_open(false);
	host* h = open_with(held_lookup, &f);
	REQUIRE(h);
	plugin_state* s = host_plugin_state(h);
	spawn(h, 100);
	REQUIRE(held_calls_after(1, 5000) == 1); /* the engine is busy with the one lookup */
	for (int i = 1; i < 50; i++)
		spawn(h, 100 + i);
	/* 50 processes of one unknown container: one id tracked, one engine call. */
	lookup_stats st = lookup_get_stats(s->lookups);
	CHECK_INT(st.wanted, 1);
	CHECK_INT(st.attempts, 1);
	CHECK_INT(st.pending, 1);
	held_set_open(true);
	CHECK(pump(h, 5000));
	CHECK_STR(name_of(h, 149), "late-one");
	CHECK_INT(held_calls_after(1, 0), 1); /* answered by that call: never asked again */
	/* The record left the tracker before its event was sent. */
	CHECK_INT(lookup_get_stats(s->lookups).pending, 0);
	host_free(h);
}

/* The host refuses the worker's first events: they are sent again, nothing is lost. */
TEST(events_the_host_refused_are_sent_again)
{
	fake_engine f = {.fail_first = 0};
	host* h = open_static(&f);
	REQUIRE(h);
	host_refuse_async(h, 3);
	spawn(h, 42);
	CHECK(pump(h, 5000));
	CHECK_STR(name_of(h, 42), "late-one");
	CHECK_INT(atomic_load(&f.calls), 1); /* found once; only the event was sent again */
	host_free(h);
}

/* Knows every container whose id ends in "fff", but only once the gate is
 * open (an engine that is slow to see a burst of new containers). */
static atomic_int gate;

static bool gated_lookup(void* ctx, const char* id, ctr_record** out)
{
	(void)ctx;
	/* Holds the worker while the gate is closed, so the queue fills up. */
	struct timespec ms = {0, 1000000};
	for (int i = 0; i < 3000 && !atomic_load(&gate); i++)
		nanosleep(&ms, NULL);
	if (strlen(id) != 12 || strcmp(id + 9, "fff") || !atomic_load(&gate))
		return false;
	ctr_record* r = ctr_record_new();
	ctr_str_set(&r->id, id);
	ctr_str_set(&r->name, id);
	ctr_str_set(&r->image, "localhost/app:1.0");
	r->type = CTR_TYPE_DOCKER;
	ctr_record_finalize(r);
	*out = r;
	return true;
}

TEST(burst_of_new_containers_is_found)
{
	/* Many new containers at once, each with one process and no other event of
	 * its own, while the engine is slow: every one must still be found. */
	enum { N = 150 };
	atomic_store(&gate, 0);
	host* h = open_with(gated_lookup, NULL);
	REQUIRE(h);
	char cg[96];
	for (int i = 0; i < N; i++) {
		snprintf(cg, sizeof(cg), "cpu=/docker/%09xfff%052d", i, 0);
		spawn_in(h, 1000 + i, cg);
	}
	atomic_store(&gate, 1);
	/* Only unrelated events from now on (a host process), as on a quiet node. */
	int cached = 0;
	for (int round = 0; round < 500 && cached < N; round++) {
		spawn_in(h, 5, "cpu=/user.slice");
		host_wait_async(h, 20);
		host_drain_async(h);
		cached = (int)metrics_get(&((plugin_state*)host_plugin_state(h))->m, METRIC_CONTAINERS);
	}
	CHECK_INT(cached, N);
	host_free(h);
}

typedef struct publisher {
	host* h;
	int n;
} publisher;

static void* publish_many(void* arg)
{
	publisher* p = arg;
	plugin_state* s = host_plugin_state(p->h);
	for (int i = 0; i < p->n; i++) {
		ctr_record* r = ctr_record_new();
		char id[32];
		snprintf(id, sizeof(id), "c%011d", i);
		ctr_str_set(&r->id, id);
		ctr_str_set(&r->name, id);
		ctr_record_finalize(r);
		worker_publish(s->worker, r);
		ctr_record_unref(r);
	}
	return NULL;
}

TEST(concurrent_producers_and_clean_stop)
{
	fake_engine f = {0};
	host* h = open_static(&f);
	REQUIRE(h);
	publisher p = {h, 200};
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, publish_many, &p);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_INT(host_async_accepted(h), 800);
	CHECK_INT(host_drain_async(h), 800);
	uint32_t n;
	const ss_plugin_metric* m = host_metrics(h, &n);
	REQUIRE(m && n == METRIC_COUNT);
	CHECK_STR(m[METRIC_CONTAINERS].name, "container.n_containers");
	CHECK_INT(m[METRIC_CONTAINERS].value.u64, 200);
	CHECK_INT(m[METRIC_MISSING_IMAGES].value.u64, 200); /* none of them has an image */
	CHECK_INT(m[METRIC_ASYNC_CONTAINER].value.u64, 800);
	CHECK(host_close(h) == 0);
	host_free(h);
}

typedef struct seen_header {
	int events;
	uint64_t tid;
} seen_header;

static void remember_header(void* arg, const ss_plugin_event* e)
{
	seen_header* s = arg;
	s->events++;
	s->tid = e->tid;
}

/* Live container events carry thread id 0 (no process), not init's 1. */
TEST(live_container_event_has_no_thread)
{
	fake_engine f = {.fail_first = 0};
	host* h = open_static(&f);
	REQUIRE(h);
	seen_header s = {0, 12345};
	host_set_async_observer(h, remember_header, &s);
	spawn(h, 42);
	CHECK(pump(h, 5000));
	CHECK_INT(s.events, 1);
	CHECK(s.tid == 0);
	CHECK_STR(name_of(h, 42), "late-one");
	host_free(h);
}

TEST_MAIN(T(unknown_container_is_looked_up_by_the_worker), T(live_container_event_has_no_thread),
          T(failed_lookup_is_retried_with_backoff),
          T(burst_of_new_containers_is_found), T(events_the_host_refused_are_sent_again),
          T(repeated_process_events_ask_once), T(concurrent_producers_and_clean_stop))
