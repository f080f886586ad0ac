/*
 * The Docker and Podman engine workers against real private engines
 * (engines.sh: dockerd with vfs, --bridge=none, --iptables=false; a podman
 * system service), every one of itest.h's docker and podman lists (Docker
 * 20.10 and 26, Podman 4.3 and 5), seen only through our host and the loaded
 * plugin .so:
 *
 *   lifecycle:  a container that existed before the plugin started is known
 *               at open; containers created afterwards are cached before
 *               their first process event (20 per engine, create->event
 *               latency printed); their real processes resolve; removal.
 *   restart:    the engine goes away and comes back while the plugin runs
 *               (daemon stopped under it, then engines.sh stop/start):
 *               reconnect, re-list, new containers arrive, old ones stay;
 *               a podman container removed by the CLI while the service
 *               was down is dropped (replay of the missed events, since=).
 *   late:       the socket does not exist when the plugin starts.
 *   lookup:     a container whose create was not announced (hooks
 *               ["start"]) is found on demand when a process event shows it.
 *   hung docker: a fake Docker socket that answers half of every request
 *               and then nothing (falco#3953) beside the real Podman: Podman
 *               containers started while Docker's ping hangs (2 s) are cached
 *               within their usual latency, and a lookup asked meanwhile is
 *               answered, both in well under that 2 s.
 *
 * Every wait is bounded; every engine (and with it every container) is
 * stopped on every path, failed checks included.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "fake_docker.h"
#include "host.h"
#include "itest.h"
#include "test.h"

enum {
	WAIT_MS = 10000,        /* any single expected event */
	QUIET_MS = 1000,        /* "nothing arrives" windows */
	N_CREATES = 20,         /* latency samples per engine */
	MAX_IDS = 64,           /* containers a session remembers */
	DAEMON_STOP_MS = 30000, /* a daemon's own shutdown */
	DOWNTIME_S = 3,         /* podman service down while the CLI works */
};

static char skip_why[256]; /* SKIP reasons must outlive the test function */

typedef struct engine_kind {
	const char* name; /* engines.sh engine */
	itest_api api;
	const char* type;       /* container.type */
	const char* cgroup_fmt; /* the engine's cgroupfs path for a full id */
} engine_kind;

/* One per engine of itest.h's lists (every generation behaves alike here). */
#define DOCKER_KIND(e) static const engine_kind e##_k = {#e, ITEST_DOCKER, "docker", "/docker/%s"};
#define PODMAN_KIND(e) \
	static const engine_kind e##_k = {#e, ITEST_LIBPOD, "podman", "/libpod_parent/libpod-%s"};
ITEST_DOCKER_ENGINES(DOCKER_KIND)
ITEST_PODMAN_ENGINES(PODMAN_KIND)

typedef struct session {
	itest_session is;
	const engine_kind* k;
	char* ids[MAX_IDS]; /* container ids to free */
	size_t nids;
} session;

/* ------------------------------------------------------------ host side */

/* A new synthetic thread in the engine's cgroup of container ID; returns its tid. */
static int64_t feed_synthetic(session* s, const char* id)
{
	char path[ITEST_PATH_MAX];
	snprintf(path, sizeof(path), s->k->cgroup_fmt, id);
	return itest_feed_synthetic(&s->is, path);
}

static bool count_is(itest_session* s, const void* want)
{
	return itest_n_containers(s) == *(const long*)want;
}

/* Loads, configures (only this session's engine, on its socket) and opens the plugin. */
static bool open_plugin(session* s, const char* extra)
{
	return itest_open_plugin(&s->is, s->k->name, extra);
}

/* ------------------------------------------------------------ engine side */

static char* keep_id(session* s, char* id)
{
	if (id && s->nids < MAX_IDS)
		s->ids[s->nids++] = id;
	else if (id) {
		fprintf(stderr, "  too many containers for one session\n");
		free(id);
		id = NULL;
	}
	return id;
}

/* Creates container NAME (not started); the full id (owned by the session) or NULL. */
static char* create(session* s, const char* name, bool quick_stop)
{
	json_t* spec = itest_app_spec(s->k->api);
	if (quick_stop) /* our sleep ignores SIGTERM as pid 1: no 10 s stop grace */
		json_object_set_new(spec, s->k->api == ITEST_DOCKER ? "StopTimeout" : "stop_timeout",
		                    json_integer(1));
	char* id = itest_ctr_create(s->is.sock, s->k->api, name, spec);
	json_decref(spec);
	return keep_id(s, id);
}

static char* run(session* s, const char* name, bool quick_stop)
{
	char* id = create(s, name, quick_stop);
	if (id && !itest_ctr_start(s->is.sock, s->k->api, id))
		return NULL;
	return id;
}

static bool engine_start(session* s)
{
	bool up = itest_session_start(&s->is, s->k->name);
	CHECK(up);
	return up;
}

/* The session's body runs with the engine started first (or not). */
typedef void (*body_fn)(session* s);

/*
 * Skips when the engine cannot run here; otherwise runs BODY, then frees the
 * plugin, stops the engine (which removes every container) and checks that
 * nothing of it is left, on every path.
 */
static void run_session(const engine_kind* k, body_fn body, bool engine_first)
{
	if (!itest_can_run(k->name, skip_why, sizeof(skip_why)))
		SKIP(skip_why);
	session s = {.k = k};
	REQUIRE(itest_session_init(&s.is, k->name));
	if (!engine_first || engine_start(&s))
		body(&s);
	CHECK(itest_session_end(&s.is, k->name, test_failures_in_case));
	for (size_t i = 0; i < s.nids; i++)
		free(s.ids[i]);
}

/* ------------------------------------------------------------ the checks */

/* The record of the pre-existing container, seen through its real init process. */
static void check_known_app(session* s, int64_t tid, const char* id, const char* name)
{
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", id);
	CHECK_STR(itest_field(&s->is, tid, "container.id"), short_id);
	CHECK_STR(itest_field(&s->is, tid, "container.full_id"), id);
	CHECK_STR(itest_field(&s->is, tid, "container.name"), name);
	CHECK_STR(itest_field(&s->is, tid, "container.type"), s->k->type);
	CHECK_STR(itest_field(&s->is, tid, "container.image"), "localhost/app:1.0");
	CHECK_STR(itest_field(&s->is, tid, "container.image.repository"), "localhost/app");
	CHECK_STR(itest_field(&s->is, tid, "container.image.tag"), "1.0");
	CHECK_STR(itest_field(&s->is, tid, "container.label[org.example.built-by]"), "tests");
}

/* (b) one container: create -> cached before any process event; start -> real process. */
static bool create_cached_then_start(session* s, const char* name, uint64_t* latency)
{
	host_drain_async(s->is.h);
	long before = itest_n_containers(&s->is);
	char* id = create(s, name, false);
	uint64_t created = itest_now_ms(), arrived = 0;
	CHECK(id != NULL);
	if (!id)
		return false;
	bool ok = itest_pump_until(&s->is, itest_is_cached, id, WAIT_MS, &arrived);
	CHECK(ok);
	if (!ok) {
		fprintf(stderr, "  %s: container %s not announced in %d ms\n", s->k->name, name, WAIT_MS);
		return false;
	}
	*latency = arrived > created ? arrived - created : 0;
	CHECK_INT(itest_n_containers(&s->is), before + 1);
	/* The first process event of the container finds it cached (no lookup yet). */
	int64_t tid = feed_synthetic(s, id);
	CHECK_STR(itest_field(&s->is, tid, "container.name"), name);
	CHECK_STR(itest_field(&s->is, tid, "container.full_id"), id);
	CHECK_STR(itest_field(&s->is, tid, "container.image"), "localhost/app:1.0");

	uint64_t accepted = host_async_accepted(s->is.h);
	CHECK(itest_ctr_start(s->is.sock, s->k->api, id));
	/* start -> container_updated: let it land before the next measurement */
	uint64_t deadline = itest_now_ms() + WAIT_MS;
	while (host_async_accepted(s->is.h) == accepted && itest_now_ms() < deadline)
		itest_pump_some(&s->is, 100);
	CHECK(host_async_accepted(s->is.h) > accepted);
	host_drain_async(s->is.h);
	pid_t pid = itest_ctr_pid(s->is.sock, s->k->api, id);
	CHECK(pid > 0 && itest_pid_cgroup_has(pid, id));
	int64_t real = pid > 0 ? itest_feed_real(&s->is, pid) : -1;
	CHECK(real > 0);
	if (real > 0) {
		CHECK_STR(itest_field(&s->is, real, "container.full_id"), id);
		CHECK_STR(itest_field(&s->is, real, "container.name"), name);
		CHECK_STR(itest_field(&s->is, real, "container.type"), s->k->type);
	}
	return true;
}

/* (c) removal of a running container the plugin knows, with a thread in it. */
static void check_removal(session* s, const char* id, int64_t tid)
{
	host_drain_async(s->is.h);
	long want = itest_n_containers(&s->is) - 1;
	REQUIRE(itest_cached(&s->is, id));
	uint64_t removals = host_async_delivered(s->is.h, "container_removed");
	uint64_t t0 = itest_now_ms();
	CHECK(itest_ctr_remove(s->is.sock, s->k->api, id));
	/* Its init exits (the container's first process, pid 1 inside): the
	 * plugin announces the removal itself; the engine's die/destroy (Podman:
	 * died/remove) and a start report still under way add nothing. */
	ss_plugin_event* exit_evt = evt_procexit(itest_now_ms() * 1000000ull, (uint64_t)tid, 0);
	host_feed(s->is.h, exit_evt);
	free(exit_evt);
	CHECK(itest_pump_until(&s->is, itest_is_gone, id, WAIT_MS, NULL));
	printf("  %s: remove call->gone %llu ms\n", s->k->name,
	       (unsigned long long)(itest_now_ms() - t0));
	CHECK(itest_pump_until(&s->is, count_is, &want, WAIT_MS, NULL));
	CHECK_INT(itest_n_containers(&s->is), want);
	uint64_t added = host_async_delivered(s->is.h, "container") +
	                 host_async_delivered(s->is.h, "container_updated");
	itest_pump_for(&s->is, QUIET_MS);
	CHECK_INT((long)(host_async_delivered(s->is.h, "container_removed") - removals), 1);
	CHECK_INT((long)(host_async_delivered(s->is.h, "container") +
	                 host_async_delivered(s->is.h, "container_updated") - added),
	          0);
	/* the engine's second removal event (destroy/remove) and a failed lookup change nothing */
	int64_t fresh = feed_synthetic(s, id);
	itest_pump_for(&s->is, QUIET_MS);
	CHECK(!itest_cached(&s->is, id));
	CHECK_INT(itest_n_containers(&s->is), want);
	CHECK_STR(itest_field(&s->is, tid, "container.name"), "<NA>");
	CHECK_STR(itest_field(&s->is, fresh, "container.name"), "<NA>");
	CHECK_STR(itest_field(&s->is, fresh, "container.image"), "<NA>");
}

/* (a) + (b) + (c) */
static void lifecycle(session* s)
{
	char* pre = run(s, "itest-pre", false);
	REQUIRE(pre != NULL);
	pid_t pre_pid = itest_ctr_pid(s->is.sock, s->k->api, pre);
	REQUIRE(pre_pid > 0);

	REQUIRE(open_plugin(s, NULL));
	/* (a) listed at start: cached by capture_open, before any async event is delivered */
	CHECK(itest_cached(&s->is, pre));
	int64_t pre_tid = itest_feed_real(&s->is, pre_pid);
	REQUIRE(pre_tid > 0);
	check_known_app(s, pre_tid, pre, "itest-pre");
	host_drain_async(s->is.h); /* the `container` events of the initial listing */
	CHECK_INT(itest_n_containers(&s->is), 1);
	check_known_app(s, pre_tid, pre, "itest-pre");

	/* (b) */
	uint64_t lat[N_CREATES];
	size_t n = 0;
	for (int i = 0; i < N_CREATES; i++) {
		char name[32];
		snprintf(name, sizeof(name), "itest-c%02d", i);
		if (!create_cached_then_start(s, name, &lat[n]))
			break;
		n++;
	}
	CHECK_INT(n, N_CREATES);
	CHECK_INT(itest_n_containers(&s->is), 1 + (long)n);
	if (n) {
		double median = itest_median(lat, n);
		printf("%s create->event: median %.1f ms, max %llu ms (%zu containers)\n", s->k->name,
		       median, (unsigned long long)lat[n - 1], n);
	}

	/* (c) the pre-existing container, then one created after start */
	check_removal(s, pre, pre_tid);
	if (n) {
		const char* last = s->ids[s->nids - 1];
		pid_t pid = itest_ctr_pid(s->is.sock, s->k->api, last);
		REQUIRE(pid > 0);
		check_removal(s, last, (int64_t)pid);
	}
}

/* Stops the engine's daemon (SIGTERM, as a service manager would) and waits for it. */
static bool stop_daemon(session* s)
{
	char path[ITEST_PATH_MAX + 32], buf[32] = "";
	snprintf(path, sizeof(path), "%s/%s/daemon.pid", s->is.t, s->k->name);
	FILE* f = fopen(path, "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	pid_t pid = (pid_t)atol(buf);
	if (pid <= 0 || kill(pid, SIGTERM)) {
		fprintf(stderr, "  %s: cannot stop the daemon (pid '%s'): %s\n", s->k->name, buf,
		        strerror(errno));
		return false;
	}
	uint64_t deadline = itest_now_ms() + DAEMON_STOP_MS;
	while (itest_pid_alive(pid) && itest_now_ms() < deadline)
		usleep(20000);
	return !itest_pid_alive(pid);
}

/* A new container after a restart: reconnect (+ re-list or stream) brings it. */
static void check_new_container_arrives(session* s, const char* name, uint64_t since)
{
	char* id = run(s, name, true);
	CHECK(id != NULL);
	if (!id)
		return;
	CHECK(itest_pump_until(&s->is, itest_is_cached, id, WAIT_MS, NULL));
	printf("  %s: engine back -> %s known after %llu ms\n", s->k->name, name,
	       (unsigned long long)(itest_now_ms() - since));
	int64_t tid = feed_synthetic(s, id);
	CHECK_STR(itest_field(&s->is, tid, "container.name"), name);
}

/* True if the engine still has container ID (inspect answers 200). */
static bool engine_has(session* s, const char* id)
{
	char path[256];
	itest_http r;
	snprintf(path, sizeof(path), "%s/containers/%s/json",
	         s->k->api == ITEST_LIBPOD ? "/v4.0.0/libpod" : "", id);
	itest_http_call(&r, s->is.sock, "GET", path, NULL);
	bool has = r.status == 200;
	itest_http_free(&r);
	return has;
}

/* (d) */
static void restart(session* s)
{
	REQUIRE(open_plugin(s, NULL));
	char* kept = create(s, "itest-kept", true); /* never started: survives any restart */
	char* running = run(s, "itest-running", true);
	char* doomed = create(s, "itest-doomed", true);
	REQUIRE(kept && running && doomed);
	CHECK(itest_pump_until(&s->is, itest_is_cached, kept, WAIT_MS, NULL));
	CHECK(itest_pump_until(&s->is, itest_is_cached, running, WAIT_MS, NULL));
	CHECK(itest_pump_until(&s->is, itest_is_cached, doomed, WAIT_MS, NULL));
	int64_t kept_tid = feed_synthetic(s, kept);
	CHECK_STR(itest_field(&s->is, kept_tid, "container.name"), "itest-kept");

	/* 1. The daemon stops under the plugin; its containers stay on disk. */
	REQUIRE(stop_daemon(s));
	itest_pump_for(&s->is, 300);
	if (s->k->api == ITEST_LIBPOD) {
		/* Podman is daemonless: the CLI removes a container while the service is down.
		 * Only the replay of the missed events (since=) can tell the plugin. */
		char* out = NULL;
		CHECK_INT(
		    itest_engines_sh(&out, "cli", s->k->name, s->is.t, "rm", "-f", "-t", "0", doomed, NULL),
		    0);
		free(out);
		sleep(DOWNTIME_S); /* the service stays down a while */
	}
	/* leftovers of the dead daemon (it removes nothing: the daemon is gone) */
	CHECK(itest_engine_stop(s->k->name, s->is.t));
	REQUIRE(engine_start(s));
	uint64_t back = itest_now_ms();
	check_new_container_arrives(s, "itest-after1", back);
	/* known before, still there: still known after the re-list */
	CHECK(itest_cached(&s->is, kept));
	CHECK_STR(itest_field(&s->is, kept_tid, "container.name"), "itest-kept");
	if (engine_has(s, running)) /* exited or not, the re-list reported it */
		CHECK(itest_pump_until(&s->is, itest_is_cached, running, WAIT_MS, NULL));
	else
		fprintf(stderr, "  %s: itest-running did not survive the restart\n", s->k->name);
	if (s->k->api == ITEST_LIBPOD) {
		CHECK(!engine_has(s, doomed));
		CHECK(itest_pump_until(&s->is, itest_is_gone, doomed, WAIT_MS, NULL));
	}

	/* 2. engines.sh stop (removes every container through the API) and start again. */
	CHECK(itest_engine_stop(s->k->name, s->is.t));
	itest_pump_for(&s->is, 500);
	printf("  %s: after engines.sh stop: %ld containers cached\n", s->k->name,
	       itest_n_containers(&s->is));
	REQUIRE(engine_start(s));
	back = itest_now_ms();
	check_new_container_arrives(s, "itest-after2", back);
	/* the plugin agrees with the engine about every container it knew */
	const char* before[] = {kept, running, doomed};
	long listed = 1; /* itest-after2 */
	for (size_t i = 0; i < 3; i++) {
		bool has = engine_has(s, before[i]);
		listed += has;
		itest_cond cond = has ? itest_is_cached : itest_is_gone;
		CHECK(itest_pump_until(&s->is, cond, before[i], WAIT_MS, NULL));
	}
	CHECK_INT(itest_n_containers(&s->is), listed);
	if (!engine_has(s, kept))
		CHECK_STR(itest_field(&s->is, kept_tid, "container.name"), "<NA>");
}

/* (e) */
static void late_socket(session* s)
{
	uint64_t t0 = itest_now_ms();
	REQUIRE(open_plugin(s, NULL));
	printf("  %s: open without the socket %llu ms\n", s->k->name,
	       (unsigned long long)(itest_now_ms() - t0));
	CHECK_INT(itest_n_containers(&s->is), 0);
	itest_pump_for(&s->is, 300);
	REQUIRE(engine_start(s));
	char* id = run(s, "itest-late", false);
	REQUIRE(id != NULL);
	uint64_t created = itest_now_ms();
	CHECK(itest_pump_until(&s->is, itest_is_cached, id, WAIT_MS, NULL));
	printf("  %s: socket appeared -> container known %llu ms after its creation\n", s->k->name,
	       (unsigned long long)(itest_now_ms() - created));
	pid_t pid = itest_ctr_pid(s->is.sock, s->k->api, id);
	int64_t tid = pid > 0 ? itest_feed_real(&s->is, pid) : -1;
	CHECK(tid > 0);
	if (tid > 0)
		check_known_app(s, tid, id, "itest-late");
}

/* (f) */
static void lookup(session* s)
{
	REQUIRE(open_plugin(s, "\"hooks\":[\"start\"]"));
	char* id = create(s, "itest-missed", false);
	REQUIRE(id != NULL);
	itest_pump_for(&s->is, QUIET_MS);
	CHECK(!itest_cached(&s->is, id)); /* hooks ["start"]: the create was not announced */
	int64_t tid = feed_synthetic(s, id);
	CHECK_STR(itest_field(&s->is, tid, "container.name"), "<NA>"); /* asked, not answered yet */
	uint64_t t0 = itest_now_ms();
	CHECK(itest_pump_until(&s->is, itest_is_cached, id, WAIT_MS, NULL));
	printf("  %s: process event -> lookup answered in %llu ms\n", s->k->name,
	       (unsigned long long)(itest_now_ms() - t0));
	CHECK_STR(itest_field(&s->is, tid, "container.name"), "itest-missed");
	CHECK_STR(itest_field(&s->is, tid, "container.type"), s->k->type);
	CHECK_STR(itest_field(&s->is, tid, "container.label[org.example.built-by]"), "tests");
}

/* Waits until the plugin opens a new connection to the hung docker: it then hangs for 2 s. */
static bool docker_hanging(fake_docker* d)
{
	unsigned tries = fake_docker_connections(d);
	uint64_t end = itest_now_ms() + WAIT_MS;
	while (fake_docker_connections(d) == tries && itest_now_ms() < end)
		usleep(1000);
	return fake_docker_connections(d) > tries;
}

/* (g) */
static void beside_hung_docker_body(session* s, fake_docker* d)
{
	char cfg[2048];
	const char* level = getenv("ITEST_LOG");
	snprintf(cfg, sizeof(cfg),
	         "{\"hooks\":[\"start\"],\"log_level\":\"%s\",\"engines\":{"
	         "\"docker\":{\"enabled\":true,\"sockets\":[\"%s\"]},"
	         "\"podman\":{\"enabled\":true,\"sockets\":[\"%s\"]},"
	         "\"containerd\":{\"enabled\":false},\"cri\":{\"enabled\":false}}}",
	         level ? level : "warn", fake_docker_socket(d), s->is.sock);
	REQUIRE(itest_open_config(&s->is, cfg));
	/* Containers started while docker hangs: announced by Podman's event stream. */
	uint64_t lat[3];
	size_t n = 0;
	for (int i = 0; i < 3; i++) {
		char name[32];
		snprintf(name, sizeof(name), "itest-hung%d", i);
		CHECK(docker_hanging(d));
		char* id = run(s, name, true);
		uint64_t started = itest_now_ms(), arrived = 0;
		CHECK(id != NULL);
		if (!id || !itest_pump_until(&s->is, itest_is_cached, id, WAIT_MS, &arrived))
			break;
		lat[n++] = arrived > started ? arrived - started : 0;
	}
	CHECK_INT(n, 3);
	if (n) {
		double median = itest_median(lat, n);
		printf("  podman beside a hung docker: start->cached median %.1f ms, max %llu ms\n",
		       median, (unsigned long long)lat[n - 1]);
		CHECK(lat[n - 1] < 1000); /* docker's ping meanwhile waits 2 s */
	}
	/* A created container (not announced with hooks ["start"]): an on-demand lookup. */
	char* id = create(s, "itest-hung-missed", true);
	REQUIRE(id != NULL);
	itest_pump_for(&s->is, 300);
	CHECK(!itest_cached(&s->is, id));
	CHECK(docker_hanging(d));
	int64_t tid = feed_synthetic(s, id);
	uint64_t t0 = itest_now_ms();
	CHECK(itest_pump_until(&s->is, itest_is_cached, id, WAIT_MS, NULL));
	uint64_t took = itest_now_ms() - t0;
	printf("  podman beside a hung docker: process event -> lookup answered in %llu ms\n",
	       (unsigned long long)took);
	CHECK(took < 1000);
	CHECK_STR(itest_field(&s->is, tid, "container.name"), "itest-hung-missed");
	CHECK_STR(itest_field(&s->is, tid, "container.type"), "podman");
	printf("  the hung docker socket was connected to %u times meanwhile\n",
	       fake_docker_connections(d));
}

static void beside_hung_docker(session* s)
{
	fake_docker* d = fake_docker_new(NULL, "docker.sock");
	REQUIRE(d);
	fake_docker_set_mode(d, FAKE_DOCKER_MODE_STALL);
	if (fake_docker_start(d))
		beside_hung_docker_body(s, d);
	else
		CHECK(!"the fake docker starts");
	/* The plugin is still open: the hung engine just sees its socket go away. */
	fake_docker_free(d);
}

/* ------------------------------------------------------------ tests */

/* Every scenario on every engine of the lists: <engine>_<scenario>. */
#define SCENARIOS(e)                                                                \
	TEST(e##_lifecycle) { run_session(&e##_k, lifecycle, true); }                   \
	TEST(e##_restart) { run_session(&e##_k, restart, true); }                       \
	TEST(e##_late_socket) { run_session(&e##_k, late_socket, false); }              \
	TEST(e##_lookup) { run_session(&e##_k, lookup, true); }
#define CASES(e) T(e##_lifecycle), T(e##_restart), T(e##_late_socket), T(e##_lookup),

/* Podman's own: its containers while a Docker socket beside it hangs. */
#define PODMAN_SCENARIOS(e) \
	TEST(e##_beside_a_hung_docker) { run_session(&e##_k, beside_hung_docker, true); }
#define PODMAN_CASES(e) T(e##_beside_a_hung_docker),

ITEST_DOCKER_ENGINES(SCENARIOS)
ITEST_PODMAN_ENGINES(SCENARIOS)
ITEST_PODMAN_ENGINES(PODMAN_SCENARIOS)

TEST_MAIN(ITEST_DOCKER_ENGINES(CASES) ITEST_PODMAN_ENGINES(CASES)
              ITEST_PODMAN_ENGINES(PODMAN_CASES))
