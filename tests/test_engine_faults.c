/*
 * Engines that misbehave (falco#3953 and friends), played by one scriptable
 * fake Docker daemon on a unix socket: one that accepts and never answers,
 * answers garbage, closes in the middle of an answer, sends oversized or
 * hostile JSON, or restarts in a loop. Whatever it does: nothing crashes, no
 * record is built from a cut answer, a container already known is not lost
 * because the daemon is down, memory and threads stay bounded, and the host's
 * event thread never waits for the engine.
 */
#include <dirent.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "fake_docker.h"
#include "host.h"
#include "inspect.h"
#include "test.h"
#include "text.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1 /* their allocators bypass malloc_info; everything runs slower */
#else
#define SANITIZED 0
#endif
#define SLOWDOWN (SANITIZED ? 4 : 1)

/*
 * One host_feed normally costs microseconds. This bound is a thousand times
 * that: it is not a speed test but a "never blocks on engine I/O" test (a
 * blocking engine call would take the seconds of its timeout, or the time of
 * a 10 MiB transfer), with room for a loaded 2-core CI machine; the time the
 * feeding thread waited to be scheduled is not counted (runqueue_wait_ns).
 */
#define MAX_FEED_NS (50ull * 1000000 * SLOWDOWN)
#define MiB (1024u * 1024u)
/* The hostile documents' size: far over every cap either way (record budget
 * 256 KiB); smaller under a sanitizer, where 10 MiB took most of the 5 s
 * inspect timeout (the fake daemon answers one connection at a time). */
#define HOSTILE_BYTES ((SANITIZED ? 2 : 10) * MiB)

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/* The value of attribute `size` of the last `tag` in malloc_info's XML (the totals). */
static size_t xml_size(const char* xml, const char* tag)
{
	const char* at = NULL;
	for (const char* p = xml; (p = strstr(p, tag)); p++)
		at = p;
	const char* size = at ? strstr(at, "size=\"") : NULL;
	size_t v = 0;
	if (size)
		sscanf(size, "size=\"%zu", &v);
	return v;
}

/*
 * Bytes in use in the heap, over every arena: mallinfo2 only sees the main
 * one, and the worker and libcurl allocate in theirs. (Forcing a single arena
 * instead would make the host's thread wait on the allocator behind the
 * worker, which glibc's per-thread arenas spare it in Falco.)
 */
static size_t heap_bytes(void)
{
	char* xml = NULL;
	size_t len = 0;
	FILE* f = open_memstream(&xml, &len);
	if (!f)
		return 0;
	malloc_info(0, f);
	fclose(f);
	size_t system = xml_size(xml, "<system type=\"current\"");
	size_t free_fast = xml_size(xml, "<total type=\"fast\"");
	size_t free_rest = xml_size(xml, "<total type=\"rest\"");
	size_t mmapped = xml_size(xml, "<total type=\"mmap\"");
	free(xml);
	return system - free_fast - free_rest + mmapped;
}

static size_t count_tasks(void)
{
	DIR* d = opendir("/proc/self/task");
	size_t n = 0;
	for (struct dirent* e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}


/* ---- what the plugin logs ----------------------------------------------- */

/* Counts log lines containing given substrings (the plugin logs from its worker). */
static struct {
	pthread_mutex_t mu;
	const char* want[8];
	unsigned hits[8];
} logbook = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void log_sink(void* arg, const char* component, const char* msg,
                     ss_plugin_log_severity sev)
{
	(void)arg, (void)sev;
	pthread_mutex_lock(&logbook.mu);
	for (size_t i = 0; i < 8 && logbook.want[i]; i++)
		logbook.hits[i] += strstr(msg, logbook.want[i]) != NULL;
	if (getenv("FAULTS_VERBOSE"))
		fprintf(stderr, "    [%s] %s\n", component ? component : "", msg);
	pthread_mutex_unlock(&logbook.mu);
}

static void log_expect(const char* const* subs)
{
	pthread_mutex_lock(&logbook.mu);
	memset(logbook.want, 0, sizeof(logbook.want));
	memset(logbook.hits, 0, sizeof(logbook.hits));
	for (size_t i = 0; i < 8 && subs[i]; i++)
		logbook.want[i] = subs[i];
	pthread_mutex_unlock(&logbook.mu);
}

static unsigned log_hits(size_t i)
{
	pthread_mutex_lock(&logbook.mu);
	unsigned n = logbook.hits[i];
	pthread_mutex_unlock(&logbook.mu);
	return n;
}

/* ---- the fake Docker daemon (tests/fake_docker.h) ------------------------- */

static void make_id(char out[65], int i)
{
	snprintf(out, 65, "%06x%058d", (0xc0ffee + i) & 0xffffff, 0);
}

/* A stopped daemon in a directory of its own, with containers ctr0..ctr<n-1>. */
static fake_docker* daemon_new(int n)
{
	fake_docker* d = fake_docker_new(NULL, "docker.sock");
	for (int i = 0; d && i < n; i++) {
		char id[65], name[32];
		make_id(id, i);
		snprintf(name, sizeof(name), "ctr%d", i);
		if (fake_docker_add(d, id, name) < 0) {
			fake_docker_free(d);
			return NULL;
		}
	}
	return d;
}

/* Container i's inspect answer becomes doc (a hostile one); doc is emptied. */
static void set_doc(fake_docker* d, size_t i, text* doc)
{
	if (!fake_docker_set_inspect(d, i, doc->p, doc->len))
		abort(); /* a test without memory has nothing left to say */
	free(doc->p);
	*doc = (text){0};
}

/* The list answer becomes doc (a hostile one); doc is emptied. */
static void set_list(fake_docker* d, text* doc)
{
	if (!fake_docker_set_list(d, doc->p))
		abort();
	free(doc->p);
	*doc = (text){0};
}

static unsigned lists_of(fake_docker* d)
{
	return fake_docker_hits(d, FAKE_DOCKER_ROUTE_LIST);
}

static unsigned streams_of(fake_docker* d)
{
	return fake_docker_hits(d, FAKE_DOCKER_ROUTE_EVENTS);
}

/* ---- the plugin, through our host ---------------------------------------- */

static host* open_config(const char* cfg, uint64_t* open_ms);

/* Engines given their socket; every other engine is off. */
static host* open_engines(const char* const* kinds, size_t n, const char* sock, uint64_t* open_ms)
{
	char cfg[2048];
	int len = snprintf(cfg, sizeof(cfg), "{\"log_level\":\"debug\",\"engines\":{");
	static const char* all[] = {"docker", "podman", "containerd", "cri"};
	for (size_t i = 0; i < 4; i++) {
		bool on = false;
		for (size_t k = 0; k < n; k++)
			on = on || !strcmp(kinds[k], all[i]);
		len += snprintf(cfg + len, sizeof(cfg) - (size_t)len,
		                on ? "%s\"%s\":{\"enabled\":true,\"sockets\":[\"%s\"]}"
		                   : "%s\"%s\":{\"enabled\":false}",
		                i ? "," : "", all[i], sock);
	}
	snprintf(cfg + len, sizeof(cfg) - (size_t)len, "}}");
	return open_config(cfg, open_ms);
}

/* The plugin with init config CFG, open live; *open_ms (may be NULL) gets how long open took. */
static host* open_config(const char* cfg, uint64_t* open_ms)
{
	host* h = host_new();
	host_set_log(h, log_sink, NULL);
	if (host_load(h, PLUGIN_SO_PATH) || host_init(h, cfg)) {
		fprintf(stderr, "  host: %s\n", host_last_error(h));
		host_free(h);
		return NULL;
	}
	uint64_t t0 = now_ms();
	if (host_open_live(h)) {
		fprintf(stderr, "  host: %s\n", host_last_error(h));
		host_free(h);
		return NULL;
	}
	if (open_ms)
		*open_ms = now_ms() - t0;
	return h;
}

static host* open_plugin(const char* sock, uint64_t* open_ms)
{
	static const char* docker[] = {"docker"};
	return open_engines(docker, 1, sock, open_ms);
}

/*
 * Stops the plugin within a bound whatever the engine does: engine calls are
 * abandoned at once, only a document being parsed is finished first.
 */
static void close_plugin(host* h)
{
	uint64_t t0 = now_ms();
	CHECK(host_close(h) == 0);
	host_free(h);
	CHECK(now_ms() - t0 < 1000 * SLOWDOWN);
}

#define TID0 1000

/*
 * Time this thread spent runnable but not running (the kernel's schedstat):
 * on a loaded machine a feed can be preempted for tens of ms, which is not
 * the plugin waiting. A wait on engine I/O is sleep, not run-queue time, so
 * it still counts. 0 where the kernel does not say.
 */
static uint64_t runqueue_wait_ns(void)
{
	FILE* f = fopen("/proc/thread-self/schedstat", "re");
	unsigned long long run = 0, wait = 0;
	if (f) {
		if (fscanf(f, "%llu %llu", &run, &wait) != 2)
			wait = 0;
		fclose(f);
	}
	return wait;
}

static uint64_t max_feed_ns, feeds;

/* The cgroup of container i's processes: Docker's, or a Kubernetes pod's (CRI). */
static const char* cgroup_fmt = "cpu=/docker/%s";

/* A process of container i appears; only the host_feed call is timed. */
static void feed_process(host* h, int i)
{
	char id[65], cg[256];
	make_id(id, i);
	snprintf(cg, sizeof(cg), cgroup_fmt, id);
	const char* cgroups[] = {cg, NULL};
	const char* args[] = {NULL};
	evt_proc_info p = {.tid = TID0 + i, .pid = TID0 + i, .ptid = 1, .vtid = 1, .vpid = 1,
	                   .exe = "x", .comm = "x", .args = args, .cgroups = cgroups};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, 1, &p);
	uint64_t w0 = runqueue_wait_ns(), t0 = now_ns();
	host_feed(h, e);
	uint64_t dt = now_ns() - t0, waited = runqueue_wait_ns() - w0;
	dt = waited < dt ? dt - waited : 0; /* preempted is not blocked */
	if (getenv("FAULTS_VERBOSE") && dt > 2000000)
		fprintf(stderr, "    slow feed: container %d, %.3f ms\n", i, (double)dt / 1e6);
	max_feed_ns = dt > max_feed_ns ? dt : max_feed_ns;
	feeds++;
	free(e);
}

/* Plays the host's event loop for ms: processes of containers [0, n) and async events. */
static void pump(host* h, int n, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	do {
		for (int i = 0; i < n; i++)
			feed_process(h, i);
		host_drain_async(h);
		usleep(2000);
	} while (now_ms() < end);
}

/* container.<field> of container i's process; NULL when the field has no value. */
static const char* field_of(host* h, int i, const char* field)
{
	ss_plugin_event* e = evt_procexit(2, (uint64_t)(TID0 + i), 0);
	const char* v = host_extract_str(h, e, field);
	free(e);
	return v;
}

static bool name_is(host* h, int i, const char* want)
{
	const char* v = field_of(h, i, "container.name");
	return v && !strcmp(v, want);
}

/* The `containers` table libsinsp reads has an entry for container i. */
static bool cached(host* h, int i)
{
	const ss_plugin_table_input* t = host_plugin_table(h, "containers");
	char id[65];
	make_id(id, i);
	id[12] = '\0';
	ss_plugin_state_data key = {.str = id};
	ss_plugin_table_entry_t* e = t ? t->reader_ext->get_table_entry(t->table, &key) : NULL;
	if (e)
		t->reader_ext->release_table_entry(t->table, e);
	return e != NULL;
}

/* Every container [0, n) of d is cached under the daemon's name for it. */
static bool all_named(host* h, const fake_docker* d, int n)
{
	for (int i = 0; i < n; i++)
		if (!name_is(h, i, fake_docker_name(d, (size_t)i)))
			return false;
	return true;
}

static bool all_cached(host* h, int n)
{
	for (int i = 0; i < n; i++)
		if (!cached(h, i))
			return false;
	return true;
}

/* Pumps (feeding n containers) until all of [0, n) are named as d says, or timeout. */
static bool pump_until_named(host* h, const fake_docker* d, int n, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	while (!all_named(h, d, n) && now_ms() < end)
		pump(h, n, 20);
	return all_named(h, d, n);
}

static void report_feeds(void)
{
	printf("  host_feed: %llu calls, longest %.3f ms\n", (unsigned long long)feeds,
	       (double)max_feed_ns / 1e6);
	CHECK(max_feed_ns < MAX_FEED_NS);
	max_feed_ns = feeds = 0;
}

/* ---- engines that never answer or answer garbage ---------------------------- */

/* A fake Podman with container 0 of the fake Docker's naming: inspectable, never listed. */
static fake_docker* unlisted_podman(void)
{
	fake_docker* p = fake_docker_new(NULL, "podman.sock");
	char id[65];
	make_id(id, 0);
	if (p && (fake_docker_add(p, id, "ctr0") < 0 || !fake_docker_set_list(p, "[]") ||
	          !fake_docker_start(p))) {
		fake_docker_free(p);
		return NULL;
	}
	return p;
}

/*
 * Docker's socket accepts and never answers while Podman works: open stays
 * bounded, and a container only Podman knows, whose process shows up while
 * Docker's ping hangs, is named by an on-demand lookup well before that ping's
 * 2 s timeout.
 */
TEST(engine_that_hangs)
{
	fake_docker* d = daemon_new(1);
	REQUIRE(d);
	fake_docker_set_mode(d, FAKE_DOCKER_MODE_HANG);
	REQUIRE(fake_docker_start(d));
	fake_docker* p = unlisted_podman();
	REQUIRE(p);
	char cfg[1024];
	snprintf(cfg, sizeof(cfg),
	         "{\"log_level\":\"debug\",\"engines\":{\"docker\":{\"enabled\":true,"
	         "\"sockets\":[\"%s\"]},\"podman\":{\"enabled\":true,\"sockets\":[\"%s\"]},"
	         "\"containerd\":{\"enabled\":false},\"cri\":{\"enabled\":false}}}",
	         fake_docker_socket(d), fake_docker_socket(p));
	uint64_t open_ms = 0;
	host* h = open_config(cfg, &open_ms);
	REQUIRE(h);
	printf("  open with a hung engine: %llu ms\n", (unsigned long long)open_ms);
	CHECK(open_ms < 3000);
	/* Docker is tried again after its backoff: from its new connection on it hangs for 2 s. */
	unsigned tries = fake_docker_connections(d);
	uint64_t end = now_ms() + 10000;
	while (fake_docker_connections(d) == tries && now_ms() < end)
		usleep(1000);
	REQUIRE(fake_docker_connections(d) > tries);
	uint64_t t0 = now_ms();
	pump_until_named(h, p, 1, 5000);
	uint64_t took = now_ms() - t0;
	printf("  container named by the other engine %llu ms after its first process\n",
	       (unsigned long long)took);
	CHECK(name_is(h, 0, "ctr0"));
	CHECK(took < 1000 * SLOWDOWN);
	CHECK(fake_docker_inspects(p, 0) >= 1); /* by a lookup: Podman lists nothing */
	CHECK_STR(field_of(h, 0, "container.id"), "c0ffee000000");
	close_plugin(h);
	fake_docker_free(p);
	fake_docker_free(d);
	report_feeds();
}

/*
 * The open waits for the initial listing a bounded time
 * (docs/architecture.md "Capture open"). A daemon slow
 * on one container of its list makes the wait end mid-listing: the host's
 * thread caches what was listed so far while the worker goes on with the rest
 * on its own. Nothing the worker still holds may be touched by the host's
 * thread meanwhile (the ThreadSanitizer stage runs this test).
 */
TEST(open_wait_ending_mid_listing)
{
	fake_docker* d = daemon_new(3);
	REQUIRE(d);
	REQUIRE(fake_docker_stall_inspect(d, 1));
	REQUIRE(fake_docker_start(d));
	uint64_t open_ms = 0;
	host* h = open_plugin(fake_docker_socket(d), &open_ms);
	REQUIRE(h);
	printf("  open with a listing stalled on its 2nd container: %llu ms\n",
	       (unsigned long long)open_ms);
	CHECK(open_ms >= 1900 && open_ms < 3000 * SLOWDOWN); /* the wait ran out */
	CHECK(cached(h, 0)); /* inspected before the wait ran out: cached at the open */
	feed_process(h, 0);
	CHECK(name_is(h, 0, "ctr0")); /* with what its inspect said */
	/* The stalled one is not; the 3rd, inspected beside it, does not wait for it. */
	CHECK(!cached(h, 1));
	CHECK(cached(h, 2));
	/* The stalled inspect times out; the listing goes on and its events arrive
	 * (no process of container 1 is fed: its lookups would stall as well). */
	uint64_t end = now_ms() + 15000 * SLOWDOWN;
	while (!all_cached(h, 3) && now_ms() < end) {
		host_drain_async(h);
		usleep(10000);
	}
	CHECK(all_cached(h, 3));
	close_plugin(h);
	fake_docker_free(d);
}

TEST(engine_answering_garbage)
{
	fake_docker* d = daemon_new(1);
	REQUIRE(d);
	fake_docker_set_mode(d, FAKE_DOCKER_MODE_GARBAGE);
	REQUIRE(fake_docker_start(d));
	host* h = open_plugin(fake_docker_socket(d), NULL);
	REQUIRE(h);
	pump(h, 1, 300);
	CHECK(!cached(h, 0));
	/* Asked (and asked again after its backoff), it never made a record. */
	printf("  %u connections to the garbage engine\n", fake_docker_connections(d));
	CHECK(fake_docker_connections(d) >= 2);
	close_plugin(h);
	fake_docker_free(d);
	report_feeds();
}

/*
 * The gRPC engines (containerd, CRI) on a socket that accepts and never
 * answers, then on one that answers HTTP/1.1 garbage to their HTTP/2: open
 * stays bounded, the processes' lookups never hold the event thread, close
 * is prompt, and the container ids are still attached.
 */
TEST(grpc_engines_that_hang_or_answer_garbage)
{
	static const char* grpc[] = {"containerd", "cri"};
	static const fake_docker_mode modes[] = {FAKE_DOCKER_MODE_HANG, FAKE_DOCKER_MODE_GARBAGE};
	cgroup_fmt = "cpu=/kubepods/besteffort/pod0f8a2b7c-1111-2222-3333-444455556666/%s";
	for (size_t m = 0; m < 2; m++) {
		fake_docker* d = daemon_new(1);
		REQUIRE(d);
		fake_docker_set_mode(d, modes[m]);
		REQUIRE(fake_docker_start(d));
		uint64_t open_ms = 0;
		host* h = open_engines(grpc, 2, fake_docker_socket(d), &open_ms);
		REQUIRE(h);
		printf("  open with %s gRPC engines: %llu ms\n", m ? "garbage" : "hung",
		       (unsigned long long)open_ms);
		CHECK(open_ms < 3000 * SLOWDOWN);
		pump(h, 1, 500);
		CHECK_STR(field_of(h, 0, "container.id"), "c0ffee000000");
		CHECK(!cached(h, 0));
		close_plugin(h);
		fake_docker_free(d);
	}
	cgroup_fmt = "cpu=/docker/%s";
	report_feeds();
}

/* A deep document (100k nested arrays) in place of an inspect answer. */
static void deep_doc(text* t)
{
	text_fill(t, '[', 100000);
	text_fill(t, ']', 100000);
}

TEST(engine_answering_hostile_json)
{
	fake_docker* d = daemon_new(1);
	REQUIRE(d);
	text t = {0};
	text_add(&t, "[{\"Id\":\"../../x\"},{\"Id\":7},{\"Id\":\"c0ffee000000\"},null,{\"Id\":\"%s\"}]",
	         fake_docker_id(d, 0));
	set_list(d, &t);
	deep_doc(&t);
	set_doc(d, 0, &t);
	REQUIRE(fake_docker_set_stream_text(
	    d, "{\"Action\":\"create\",\"Actor\":{\"ID\":\"zz\"}}\n{not json\n"));
	REQUIRE(fake_docker_start(d));
	host* h = open_plugin(fake_docker_socket(d), NULL);
	REQUIRE(h);
	pump(h, 1, 300);
	/* Unreadable inspect: the listed container is known by its id only. */
	CHECK(cached(h, 0));
	CHECK_STR(field_of(h, 0, "container.name"), "");
	close_plugin(h);
	fake_docker_free(d);
	report_feeds();
}

/* ---- an engine that closes in the middle of its answers --------------------- */

/* What rest.c's list_all relies on: a cut list is not an empty one. */
TEST(cut_list_is_unreadable_not_empty)
{
	char** ids;
	size_t n;
	CHECK(inspect_list_read("[]", 2, &ids, &n) && n == 0);
	static const char cut[] = "[{\"Id\":\"c0ffee0000000000000000000000000000000000000000000000000000000000\"},{\"I";
	CHECK(!inspect_list_read(cut, sizeof(cut) - 1, &ids, &n) && n == 0 && !ids);
	CHECK(!inspect_list_read("{\"Id\":1}", 8, &ids, &n));
	static const char one[] = "[{\"Id\":\"c0ffee0000000000000000000000000000000000000000000000000000000000\"},7]";
	CHECK(inspect_list_read(one, sizeof(one) - 1, &ids, &n) && n == 1);
	inspect_ids_free(ids, n);
}

/* No name ever comes from a cut answer, whatever the worker is doing meanwhile. */
static bool pump_watching_partial(host* h, const fake_docker* d, int n, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	bool partial = false;
	while (!all_named(h, d, n) && now_ms() < end) {
		pump(h, n, 10);
		for (int i = 0; i < n; i++)
			partial |= name_is(h, i, "partial");
	}
	CHECK(!partial);
	return all_named(h, d, n);
}

/* Ends the event stream and waits until the worker listed again and streams. */
static bool relist(host* h, fake_docker* d, int n)
{
	unsigned lists = lists_of(d), streams = streams_of(d);
	fake_docker_drop_connections(d);
	uint64_t end = now_ms() + 5000;
	while ((lists_of(d) == lists || streams_of(d) == streams) && now_ms() < end)
		pump(h, n, 10);
	pump(h, n, 50); /* what the list reported reaches the cache */
	return streams_of(d) > streams;
}

TEST(engine_closing_mid_response)
{
	fake_docker* d = daemon_new(2);
	REQUIRE(d);
	REQUIRE(fake_docker_start(d));
	/* Answers that look complete but declare more bytes than they carry. */
	fake_docker_set_fault(d, FAKE_DOCKER_FAULT_LIST_SHORT, 2);
	fake_docker_set_fault(d, FAKE_DOCKER_FAULT_INSPECT_SHORT, 1);
	fake_docker_set_fault(d, FAKE_DOCKER_FAULT_EVENTS_HALF, 2);
	host* h = open_plugin(fake_docker_socket(d), NULL);
	REQUIRE(h);
	CHECK(pump_watching_partial(h, d, 2, 10000));
	uint64_t end = now_ms() + 3000;
	while (streams_of(d) < 3 && now_ms() < end)
		pump(h, 2, 10);
	printf("  requests: %u lists, %u inspects, %u streams\n", lists_of(d),
	       fake_docker_hits(d, FAKE_DOCKER_ROUTE_INSPECT), streams_of(d));
	CHECK(lists_of(d) >= 4);   /* 2 cut, then reconnects after each half event */
	CHECK(streams_of(d) >= 3); /* 2 half events, then a stream that stays */

	/* A cut answer to a re-list is no news about the containers already known. */
	fake_docker_set_fault(d, FAKE_DOCKER_FAULT_LIST_SHORT, 1);
	CHECK(relist(h, d, 2));
	CHECK(all_named(h, d, 2));
	/* A list cut without a declared length is malformed JSON, not an empty list. */
	fake_docker_set_fault(d, FAKE_DOCKER_FAULT_LIST_CUT, 1);
	CHECK(relist(h, d, 2));
	CHECK(all_cached(h, 2)); /* not taken for an empty list */
	/* The daemon dies in the middle of an inspect of a known container. */
	fake_docker_set_fault(d, FAKE_DOCKER_FAULT_INSPECT_SHORT, 1);
	CHECK(relist(h, d, 2));
	CHECK(all_cached(h, 2));
	CHECK(!name_is(h, 0, "partial") && !name_is(h, 1, "partial"));
	CHECK(all_named(h, d, 2)); /* the full record stays */
	CHECK(relist(h, d, 2) && all_named(h, d, 2));
	close_plugin(h);
	fake_docker_free(d);
	report_feeds();
}

/* ---- oversized and hostile documents ----------------------------------------- */

static void doc_big_label_value(const char* id, text* t)
{
	text_add(t, "{\"Id\":\"%s\",\"Name\":\"/ctr0\",\"Config\":{\"Labels\":{\"small\":\"ok\",\"big\":\"",
	         id);
	text_fill(t, 'v', HOSTILE_BYTES);
	text_add(t, "\"}}}");
}

static void doc_many_labels(const char* id, text* t)
{
	text_add(t, "{\"Id\":\"%s\",\"Name\":\"/ctr1\",\"Config\":{\"Labels\":{", id);
	for (unsigned i = 0; t->len < HOSTILE_BYTES; i++)
		text_add(t, "%s\"label.%07u\":\"%080u\"", i ? "," : "", i, i);
	text_add(t, "}}}");
}

/* Valid JSON with NULs and control characters where C strings do not expect them. */
static void doc_nul_and_controls(const char* id, text* t)
{
	text_add(t,
	         "{\"Id\":\"%s\",\"Name\":\"/ctr2\\u0000hidden\",\"Config\":{\"Labels\":{"
	         "\"nul\":\"a\\u0000b\",\"ctl\":\"\\u0001\\u001b[31m\\u007f\",\"ok\":\"fine\","
	         "\"utf8\":\"\\u00e9\\ud83d\\ude00\"},\"Env\":[\"A=\\u0000\",\"B=\\u0002\"]}}",
	         id);
}

/* Not JSON any more: raw invalid UTF-8 and a raw control character in strings. */
static void doc_invalid_utf8(const char* id, text* t)
{
	text_add(t,
	         "{\"Id\":\"%s\",\"Name\":\"/ctr3\",\"Config\":{\"Labels\":{\"a\":\"\xff\xfe\","
	         "\"b\":\"\x01\"}}}",
	         id);
}

/* A NUL in a label key: jansson refuses the document. */
static void doc_nul_key(const char* id, text* t)
{
	text_add(t, "{\"Id\":\"%s\",\"Name\":\"/ctr5\",\"Config\":{\"Labels\":{\"k\\u0000ey\":\"v\"}}}",
	         id);
}

static void doc_deep_labels(const char* id, text* t)
{
	text_add(t, "{\"Id\":\"%s\",\"Name\":\"/ctr4\",\"Config\":{\"Labels\":{\"x\":", id);
	deep_doc(t);
	text_add(t, "}}}");
}

/*
 * A HOSTILE_BYTES list: the small documents' containers first, so that their
 * inspects are answered before the two big ones (the fake daemon answers one
 * connection at a time), then containers 0 and 1, with a padded label.
 */
static void list_padded(const fake_docker* d, size_t n, text* t)
{
	text_add(t, "[");
	for (size_t i = 2; i < n; i++)
		text_add(t, "{\"Id\":\"%s\"},", fake_docker_id(d, i));
	text_add(t, "{\"Id\":\"%s\",\"Labels\":{\"pad\":\"", fake_docker_id(d, 0));
	text_fill(t, 'p', HOSTILE_BYTES);
	text_add(t, "\"}},{\"Id\":\"%s\"}]", fake_docker_id(d, 1));
}

static void make_hostile(fake_docker* d)
{
	void (*const docs[])(const char*, text*) = {doc_big_label_value, doc_many_labels,
	                                           doc_nul_and_controls, doc_invalid_utf8,
	                                           doc_deep_labels, doc_nul_key};
	fake_docker_set_count(d, 6);
	for (size_t i = 0; i < 6; i++) {
		text t = {0};
		docs[i](fake_docker_id(d, i), &t);
		set_doc(d, i, &t);
	}
	text t = {0};
	list_padded(d, 6, &t);
	set_list(d, &t);
}

/*
 * Every hostile document was read (or refused, 3 of them), the new container
 * cached, the over-long event line seen (the stream restarted).
 */
static bool hostile_settled(host* h, fake_docker* d)
{
	const char* small = field_of(h, 0, "container.label[small]");
	const char* ok = field_of(h, 2, "container.label[ok]");
	return small && !strcmp(small, "ok") && name_is(h, 1, "ctr1") && ok && !strcmp(ok, "fine") &&
	       log_hits(0) >= 3 && log_hits(2) >= 1 && streams_of(d) >= 2 && all_cached(h, 6);
}

static void check_hostile_records(host* h)
{
	CHECK_STR(field_of(h, 0, "container.name"), "ctr0");
	CHECK(field_of(h, 0, "container.label[big]") == NULL); /* over label_max_len */
	const char* labels = field_of(h, 1, "container.labels");
	CHECK(labels && strlen(labels) < 512 * 1024); /* 10 MiB of labels: capped */
	CHECK_STR(field_of(h, 2, "container.name"), "ctr2");
	CHECK(field_of(h, 2, "container.label[nul]") != NULL);
	/* A refused document of a new container: it is known by its id only. */
	CHECK_STR(field_of(h, 5, "container.name"), "");
	/* Refused documents of known containers: what was known stays. */
	CHECK(name_is(h, 3, "ctr3") && name_is(h, 4, "ctr4"));
}

TEST(engine_sending_oversized_and_hostile_documents)
{
	static const char* const lines[] = {"unreadable inspect", "larger than the limit",
	                                    "over the record budget", NULL};
	log_expect(lines);
	fake_docker* d = daemon_new(6);
	REQUIRE(d);
	fake_docker_set_count(d, 5);
	REQUIRE(fake_docker_start(d));
	host* h = open_plugin(fake_docker_socket(d), NULL);
	REQUIRE(h);
	CHECK(pump_until_named(h, d, 5, 5000));

	/* The daemon comes back hostile, with one more container; what the plugin knows stays. */
	fake_docker_stop(d);
	make_hostile(d);
	REQUIRE(fake_docker_start(d));
	fake_docker_set_fault(d, FAKE_DOCKER_FAULT_LIST_HUGE, 1);
	fake_docker_set_fault(d, FAKE_DOCKER_FAULT_EVENTS_LONG, 1);
	/*
	 * Settles in about a second. On a slow host (qemu, a sanitizer on a loaded
	 * CI machine) an inspect queued behind the big documents can pass its 5 s
	 * timeout; a known container then keeps its old record until the next
	 * listing, which comes with the engine's next restart: the test restarts
	 * the daemon when nothing settled for 15 s. The bound stays under ctest's.
	 */
	uint64_t start = now_ms(), end = start + 80000, nudge = start + 15000;
	bool kept = true;
	unsigned restarts = 0;
	while (!hostile_settled(h, d) && now_ms() < end) {
		pump(h, 6, 20);
		kept &= all_cached(h, 5);
		if (now_ms() > nudge) {
			fake_docker_stop(d);
			REQUIRE(fake_docker_start(d));
			restarts++;
			nudge = now_ms() + 15000;
		}
	}
	printf("  settled in %llu ms, %u restarts of the daemon\n",
	       (unsigned long long)(now_ms() - start), restarts);
	CHECK(kept);
	CHECK(hostile_settled(h, d));
	check_hostile_records(h);
	printf("  log lines: %u unreadable inspects, %u over the size limit, %u over the record budget\n",
	       log_hits(0), log_hits(1), log_hits(2));
	CHECK(log_hits(0) >= 3);
	CHECK(log_hits(1) >= 1);
	CHECK(log_hits(2) >= 1);
	CHECK(streams_of(d) >= 2); /* the over-long event line restarted the stream */
	close_plugin(h);
	fake_docker_free(d);
	report_feeds();
}

/* ---- an engine restarting in a loop ------------------------------------------- */

/* Faults of cycle k: the daemon often dies in the middle of an answer. */
static void script_cycle(fake_docker* d, int k)
{
	static const fake_docker_fault faults[] = {
	    FAKE_DOCKER_FAULT_LIST_STALL, FAKE_DOCKER_FAULT_INSPECT_STALL, FAKE_DOCKER_FAULT_LIST_SHORT,
	    FAKE_DOCKER_FAULT_INSPECT_SHORT, FAKE_DOCKER_FAULT_EVENTS_HALF};
	if (k % 6 < 5)
		fake_docker_set_fault(d, faults[k % 6], 1);
}

typedef struct flap_result {
	bool lost;    /* a known container left the cache */
	bool renamed; /* a known container's record was replaced by a lesser one */
} flap_result;

static void flap(host* h, fake_docker* d, int n, int cycles, flap_result* res)
{
	for (int k = 0; k < cycles; k++) {
		fake_docker_stop(d);
		pump(h, n, 5 + k % 3 * 10);
		if (!fake_docker_start(d)) {
			CHECK(!"the fake daemon restarts");
			return;
		}
		script_cycle(d, k);
		uint64_t end = now_ms() + 120 + (uint64_t)(k % 4) * 40;
		while (now_ms() < end) {
			pump(h, n, 5);
			res->lost |= !all_cached(h, n);
			res->renamed |= !all_named(h, d, n);
		}
	}
}

TEST(engine_restarting_in_a_loop)
{
	size_t tasks0 = count_tasks();
	fake_docker* d = daemon_new(5);
	REQUIRE(d);
	REQUIRE(fake_docker_start(d));
	host* h = open_plugin(fake_docker_socket(d), NULL);
	REQUIRE(h);
	REQUIRE(pump_until_named(h, d, 5, 5000));
	flap_result res = {0};
	flap(h, d, 5, 5, &res); /* warm-up: caches, curl's and the allocator's reach their size */
	REQUIRE(pump_until_named(h, d, 5, 10000));
	size_t heap0 = heap_bytes();

	uint64_t t0 = now_ms();
	flap(h, d, 5, 24, &res);
	printf("  24 restarts in %llu ms: %u lists, %u streams\n",
	       (unsigned long long)(now_ms() - t0), lists_of(d),
	       streams_of(d));
	CHECK(!res.lost); /* a daemon that is down is not a removal */
	CHECK(!res.renamed); /* nor is a failed inspect of a known container */

	/* Back for good, without the last container: that one is reported removed. */
	fake_docker_stop(d);
	fake_docker_set_count(d, 4);
	REQUIRE(fake_docker_start(d));
	uint64_t end = now_ms() + 15000;
	while ((cached(h, 4) || !all_named(h, d, 4)) && now_ms() < end)
		pump(h, 5, 20);
	CHECK(!cached(h, 4));
	CHECK(all_named(h, d, 4));
	size_t heap1 = heap_bytes();
	printf("  heap: %zu KiB after warm-up, %zu KiB after the restarts (%+ld KiB)%s\n",
	       heap0 / 1024, heap1 / 1024, ((long)heap1 - (long)heap0) / 1024,
	       SANITIZED ? ", not measured under a sanitizer" : "");
	CHECK(SANITIZED || heap1 < heap0 + MiB);

	close_plugin(h);
	fake_docker_free(d);
	CHECK_INT(count_tasks(), tasks0);
	report_feeds();
}

/*
 * The host refuses the plugin's events for a while (its queue is full) just
 * when the daemon comes back without a container: the removal is sent again
 * until the host takes it, and the container does not stay cached for good.
 */
TEST(refused_removal_is_sent_again)
{
	fake_docker* d = daemon_new(2);
	REQUIRE(d);
	REQUIRE(fake_docker_start(d));
	host* h = open_plugin(fake_docker_socket(d), NULL);
	REQUIRE(h);
	REQUIRE(pump_until_named(h, d, 2, 5000));
	fake_docker_stop(d);
	fake_docker_set_count(d, 1);
	host_refuse_async(h, 6);
	REQUIRE(fake_docker_start(d));
	uint64_t end = now_ms() + 10000;
	while (cached(h, 1) && now_ms() < end)
		pump(h, 2, 20);
	CHECK(!cached(h, 1));
	CHECK(name_is(h, 0, "ctr0"));
	close_plugin(h);
	fake_docker_free(d);
	report_feeds();
}

/*
 * The engine restarts on a new socket file while the plugin's connections to
 * the old one stay open (the old daemon still runs, on the renamed file): as
 * soon as the runner wakes (here: a process of an unknown container asks for
 * a lookup) it sees the path names another file and attaches to the new
 * engine, whose own container (no process of it is fed) then arrives from
 * its listing. Without the check it would stay on the old daemon's stream.
 */
TEST(engine_back_on_a_new_socket_file)
{
	fake_docker* old = daemon_new(1);
	REQUIRE(old);
	REQUIRE(fake_docker_start(old));
	char path[512], moved[560], dir[512];
	snprintf(path, sizeof(path), "%s", fake_docker_socket(old));
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	host* h = open_plugin(path, NULL);
	REQUIRE(h);
	REQUIRE(pump_until_named(h, old, 1, 5000));
	snprintf(moved, sizeof(moved), "%s.old", path);
	REQUIRE(rename(path, moved) == 0);
	fake_docker* fresh = fake_docker_new(dir, "docker.sock");
	REQUIRE(fresh);
	for (int i = 0; i < 3; i++) {
		char id[65], name[32];
		make_id(id, i);
		snprintf(name, sizeof(name), "ctr%d", i);
		REQUIRE(fake_docker_add(fresh, id, name) >= 0);
	}
	REQUIRE(fake_docker_start(fresh));
	uint64_t t0 = now_ms();
	while (!cached(h, 2) && now_ms() < t0 + 5000)
		pump(h, 2, 20); /* container 1 is unknown: its lookup wakes the runner */
	printf("  new engine's own container cached %llu ms after the switch\n",
	       (unsigned long long)(now_ms() - t0));
	CHECK(cached(h, 2));
	CHECK(fake_docker_hits(fresh, FAKE_DOCKER_ROUTE_LIST) >= 1);
	close_plugin(h);
	fake_docker_free(fresh);
	fake_docker_free(old);
}

TEST_MAIN(T(engine_that_hangs), T(engine_back_on_a_new_socket_file), T(open_wait_ending_mid_listing), T(engine_answering_garbage),
          T(grpc_engines_that_hang_or_answer_garbage), T(engine_answering_hostile_json),
          T(cut_list_is_unreadable_not_empty), T(engine_closing_mid_response), T(engine_sending_oversized_and_hostile_documents),
          T(engine_restarting_in_a_loop), T(refused_removal_is_sent_again))
