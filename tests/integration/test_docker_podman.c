/*
 * The Docker and Podman engine workers against real private engines
 * (engines.sh: dockerd with vfs, --bridge=none, --iptables=false; a podman
 * system service), seen only through our host and the loaded plugin .so:
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
#include "host.h"
#include "proc_scan.h"
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

#define SYNTH_TID0 4000000000LL /* synthetic threads: above any real pid */

static char skip_why[256]; /* SKIP reasons must outlive the test function */

typedef struct engine_kind {
	const char* name; /* engines.sh engine, config key */
	itest_api api;
	const char* type;       /* container.type */
	const char* cgroup_fmt; /* the engine's cgroupfs path for a full id */
} engine_kind;

static const engine_kind DOCKER = {"docker", ITEST_DOCKER, "docker", "/docker/%s"};
static const engine_kind PODMAN = {"podman", ITEST_LIBPOD, "podman", "/libpod_parent/libpod-%s"};

typedef struct session {
	const engine_kind* k;
	char* t;                    /* temp dir of the engine */
	char sock[ITEST_PATH_MAX];  /* its socket */
	host* h;                    /* the plugin's host, NULL before open */
	int64_t next_tid;           /* next synthetic thread id */
	uint64_t ts;                /* event timestamps */
	char* ids[MAX_IDS];         /* container ids to free */
	size_t nids;
} session;

/* ------------------------------------------------------------ host side */

static void feed(session* s, ss_plugin_event* e)
{
	if (e)
		host_feed(s->h, e);
	free(e);
}

/* The single value of a field for thread tid as a string, "<NA>" when absent. */
static const char* field(session* s, int64_t tid, const char* name)
{
	static char buf[4096];
	ss_plugin_event* e = evt_procexit(s->ts, (uint64_t)tid, 0);
	host_value v[2];
	int n = e ? host_extract(s->h, e, name, v, 2) : -1;
	free(e);
	if (n < 0)
		return "<ERR>";
	if (n == 0)
		return "<NA>";
	if (v[0].ftype == FTYPE_STRING)
		snprintf(buf, sizeof(buf), "%s", v[0].str);
	else if (v[0].ftype == FTYPE_BOOL)
		snprintf(buf, sizeof(buf), "%s", v[0].boolean ? "true" : "false");
	else
		snprintf(buf, sizeof(buf), "%" PRIu64, v[0].u64);
	return buf;
}

/* A clone exit (child side) of thread TID, pid-namespace init, in CGROUPS. */
static void feed_clone(session* s, int64_t tid, const char* const* cgroups)
{
	static const char* const args[] = {"sleep", "3600", NULL};
	evt_proc_info p = {.res = 0, .tid = tid, .pid = tid, .ptid = 1, .vtid = 1, .vpid = 1,
	                   .pidns_init_start_ts = 1600000000000000000ull, .exe = "/bin/busybox",
	                   .comm = "busybox", .cwd = "/", .args = args, .cgroups = cgroups};
	feed(s, evt_clone_exit(PPME_SYSCALL_CLONE_20_X, s->ts++, &p));
}

/* A new synthetic thread in the engine's cgroup of container ID; returns its tid. */
static int64_t feed_synthetic(session* s, const char* id)
{
	char path[256], cpu[300], mem[300], pids[300];
	snprintf(path, sizeof(path), s->k->cgroup_fmt, id);
	snprintf(cpu, sizeof(cpu), "cpu=%s", path);
	snprintf(mem, sizeof(mem), "memory=%s", path);
	snprintf(pids, sizeof(pids), "pids=%s", path);
	const char* cgroups[] = {cpu, mem, pids, NULL};
	int64_t tid = s->next_tid++;
	feed_clone(s, tid, cgroups);
	return tid;
}

/* "controller=path" for each line of /proc/PID/cgroup, as proc_scan.c reads them. */
static size_t read_cgroups(pid_t pid, char** out, size_t max)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)pid);
	return host_read_cgroups(path, out, max);
}

static int64_t feed_real(session* s, pid_t pid)
{
	char* cg[33];
	size_t n = read_cgroups(pid, cg, 32);
	cg[n] = NULL;
	if (n)
		feed_clone(s, pid, (const char* const*)cg);
	for (size_t i = 0; i < n; i++)
		free(cg[i]);
	return n ? (int64_t)pid : -1;
}

/* The plugin's container.n_containers metric (-1 when missing). */
static long n_containers(session* s)
{
	uint32_t n;
	const ss_plugin_metric* m = host_metrics(s->h, &n);
	for (uint32_t i = 0; m && i < n; i++)
		if (!strcmp(m[i].name, "container.n_containers"))
			return (long)m[i].value.u64;
	return -1;
}

/* True if the plugin's containers table has ID (by its short id): no event is fed. */
static bool cached(session* s, const char* id)
{
	const ss_plugin_table_input* t = host_plugin_table(s->h, "containers");
	if (!t)
		return false;
	char key[13];
	snprintf(key, sizeof(key), "%.12s", id);
	ss_plugin_state_data k = {.str = key};
	ss_plugin_table_entry_t* e = t->reader_ext->get_table_entry(t->table, &k);
	if (e)
		t->reader_ext->release_table_entry(t->table, e);
	return e != NULL;
}

typedef bool (*cond_fn)(session* s, const void* arg);

/*
 * Delivers async events until COND holds (true) or TIMEOUT_MS pass (false).
 * *ARRIVED (may be NULL) gets the time the events that made it hold were
 * queued (the moment a wait saw them; the call's start if already queued).
 */
static bool pump_until(session* s, cond_fn cond, const void* arg, unsigned timeout_ms,
                       uint64_t* arrived)
{
	uint64_t woke = itest_now_ms(), deadline = woke + timeout_ms;
	for (;;) {
		host_drain_async(s->h);
		if (cond(s, arg)) {
			if (arrived)
				*arrived = woke;
			return true;
		}
		uint64_t now = itest_now_ms();
		if (now >= deadline)
			return false;
		uint64_t left = deadline - now;
		if (host_wait_async(s->h, left > 100 ? 100 : (int)left))
			woke = itest_now_ms();
	}
}

static bool is_cached(session* s, const void* id)
{
	return cached(s, id);
}

static bool is_gone(session* s, const void* id)
{
	return !cached(s, id);
}

static bool count_is(session* s, const void* want)
{
	return n_containers(s) == *(const long*)want;
}

/* Waits for any async event (at most TIMEOUT_MS) and delivers what is queued. */
static void pump_some(session* s, unsigned timeout_ms)
{
	host_wait_async(s->h, (int)timeout_ms);
	host_drain_async(s->h);
}

/* Delivers everything that arrives during MS. */
static void pump_for(session* s, unsigned ms)
{
	uint64_t end = itest_now_ms() + ms;
	for (uint64_t now; (now = itest_now_ms()) < end;)
		pump_some(s, (unsigned)(end - now));
	host_drain_async(s->h);
}

/* Loads, configures (only this session's engine, on its socket) and opens the plugin. */
static bool open_plugin(session* s, const char* extra)
{
	char cfg[1024];
	bool docker = s->k->api == ITEST_DOCKER;
	snprintf(cfg, sizeof(cfg),
	         "{%s%s\"engines\":{\"docker\":{\"enabled\":%s,\"sockets\":[\"%s\"]},"
	         "\"podman\":{\"enabled\":%s,\"sockets\":[\"%s\"]},\"containerd\":{\"enabled\":false},"
	         "\"cri\":{\"enabled\":false}}}",
	         extra ? extra : "", extra ? "," : "", docker ? "true" : "false", s->sock,
	         docker ? "false" : "true", s->sock);
	s->h = host_new();
	if (!s->h)
		return false;
	if (host_load(s->h, PLUGIN_SO_PATH) || host_init(s->h, cfg) || host_open_live(s->h)) {
		fprintf(stderr, "  host: %s (config %s)\n", host_last_error(s->h), cfg);
		host_free(s->h);
		s->h = NULL;
		return false;
	}
	return true;
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
	char* id = itest_ctr_create(s->sock, s->k->api, name, spec);
	json_decref(spec);
	return keep_id(s, id);
}

static char* run(session* s, const char* name, bool quick_stop)
{
	char* id = create(s, name, quick_stop);
	if (id && !itest_ctr_start(s->sock, s->k->api, id))
		return NULL;
	return id;
}

static bool engine_start(session* s)
{
	uint64_t t0 = itest_now_ms();
	bool up = itest_engine_start(s->k->name, s->t);
	printf("  %s: engine start %llu ms\n", s->k->name,
	       (unsigned long long)(itest_now_ms() - t0));
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
	session s = {.k = k, .next_tid = SYNTH_TID0, .ts = 1700000000000000000ull};
	s.t = itest_tmpdir();
	REQUIRE(s.t != NULL);
	itest_engine_sock(s.sock, sizeof(s.sock), s.t, k->name);
	if (!engine_first || engine_start(&s))
		body(&s);
	host_free(s.h); /* joins the worker: no engine call after this */
	CHECK(itest_engine_stop(k->name, s.t));
	CHECK_INT(itest_count_procs(s.t), 0);
	if (test_failures_in_case)
		fprintf(stderr, "  keeping %s for its logs\n", s.t);
	else
		itest_rmtree(s.t);
	free(s.t);
	for (size_t i = 0; i < s.nids; i++)
		free(s.ids[i]);
}

static int cmp_u64(const void* a, const void* b)
{
	uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------ the checks */

/* The record of the pre-existing container, seen through its real init process. */
static void check_known_app(session* s, int64_t tid, const char* id, const char* name)
{
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", id);
	CHECK_STR(field(s, tid, "container.id"), short_id);
	CHECK_STR(field(s, tid, "container.full_id"), id);
	CHECK_STR(field(s, tid, "container.name"), name);
	CHECK_STR(field(s, tid, "container.type"), s->k->type);
	CHECK_STR(field(s, tid, "container.image"), "localhost/app:1.0");
	CHECK_STR(field(s, tid, "container.image.repository"), "localhost/app");
	CHECK_STR(field(s, tid, "container.image.tag"), "1.0");
	CHECK_STR(field(s, tid, "container.label[org.example.built-by]"), "tests");
}

/* (b) one container: create -> cached before any process event; start -> real process. */
static bool create_cached_then_start(session* s, const char* name, uint64_t* latency)
{
	host_drain_async(s->h);
	long before = n_containers(s);
	char* id = create(s, name, false);
	uint64_t created = itest_now_ms(), arrived = 0;
	CHECK(id != NULL);
	if (!id)
		return false;
	bool ok = pump_until(s, is_cached, id, WAIT_MS, &arrived);
	CHECK(ok);
	if (!ok) {
		fprintf(stderr, "  %s: container %s not announced in %d ms\n", s->k->name, name, WAIT_MS);
		return false;
	}
	*latency = arrived > created ? arrived - created : 0;
	CHECK_INT(n_containers(s), before + 1);
	/* The first process event of the container finds it cached (no lookup yet). */
	int64_t tid = feed_synthetic(s, id);
	CHECK_STR(field(s, tid, "container.name"), name);
	CHECK_STR(field(s, tid, "container.full_id"), id);
	CHECK_STR(field(s, tid, "container.image"), "localhost/app:1.0");

	uint64_t accepted = host_async_accepted(s->h);
	CHECK(itest_ctr_start(s->sock, s->k->api, id));
	/* start -> container_updated: let it land before the next measurement */
	uint64_t deadline = itest_now_ms() + WAIT_MS;
	while (host_async_accepted(s->h) == accepted && itest_now_ms() < deadline)
		pump_some(s, 100);
	CHECK(host_async_accepted(s->h) > accepted);
	host_drain_async(s->h);
	pid_t pid = itest_ctr_pid(s->sock, s->k->api, id);
	CHECK(pid > 0 && itest_pid_cgroup_has(pid, id));
	int64_t real = pid > 0 ? feed_real(s, pid) : -1;
	CHECK(real > 0);
	if (real > 0) {
		CHECK_STR(field(s, real, "container.full_id"), id);
		CHECK_STR(field(s, real, "container.name"), name);
		CHECK_STR(field(s, real, "container.type"), s->k->type);
	}
	return true;
}

/* (c) removal of a running container the plugin knows, with a thread in it. */
static void check_removal(session* s, const char* id, int64_t tid)
{
	host_drain_async(s->h);
	long want = n_containers(s) - 1;
	REQUIRE(cached(s, id));
	uint64_t t0 = itest_now_ms();
	CHECK(itest_ctr_remove(s->sock, s->k->api, id));
	CHECK(pump_until(s, is_gone, id, WAIT_MS, NULL));
	printf("  %s: remove call->gone %llu ms\n", s->k->name,
	       (unsigned long long)(itest_now_ms() - t0));
	CHECK(pump_until(s, count_is, &want, WAIT_MS, NULL));
	CHECK_INT(n_containers(s), want);
	/* the engine's second removal event (destroy/remove) and a failed lookup change nothing */
	int64_t fresh = feed_synthetic(s, id);
	pump_for(s, QUIET_MS);
	CHECK(!cached(s, id));
	CHECK_INT(n_containers(s), want);
	CHECK_STR(field(s, tid, "container.name"), "<NA>");
	CHECK_STR(field(s, fresh, "container.name"), "<NA>");
	CHECK_STR(field(s, fresh, "container.image"), "<NA>");
}

/* (a) + (b) + (c) */
static void lifecycle(session* s)
{
	char* pre = run(s, "itest-pre", false);
	REQUIRE(pre != NULL);
	pid_t pre_pid = itest_ctr_pid(s->sock, s->k->api, pre);
	REQUIRE(pre_pid > 0);

	REQUIRE(open_plugin(s, NULL));
	/* (a) listed at start: cached by capture_open, before any async event is delivered */
	CHECK(cached(s, pre));
	int64_t pre_tid = feed_real(s, pre_pid);
	REQUIRE(pre_tid > 0);
	check_known_app(s, pre_tid, pre, "itest-pre");
	host_drain_async(s->h); /* the `container` events of the initial listing */
	CHECK_INT(n_containers(s), 1);
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
	CHECK_INT(n_containers(s), 1 + (long)n);
	if (n) {
		qsort(lat, n, sizeof(lat[0]), cmp_u64);
		double median = n % 2 ? (double)lat[n / 2] : (lat[n / 2 - 1] + lat[n / 2]) / 2.0;
		printf("%s create->event: median %.1f ms, max %llu ms (%zu containers)\n", s->k->name,
		       median, (unsigned long long)lat[n - 1], n);
	}

	/* (c) the pre-existing container, then one created after start */
	check_removal(s, pre, pre_tid);
	if (n) {
		const char* last = s->ids[s->nids - 1];
		pid_t pid = itest_ctr_pid(s->sock, s->k->api, last);
		REQUIRE(pid > 0);
		check_removal(s, last, (int64_t)pid);
	}
}

/* Stops the engine's daemon (SIGTERM, as a service manager would) and waits for it. */
static bool stop_daemon(session* s)
{
	char path[ITEST_PATH_MAX + 32], buf[32] = "";
	snprintf(path, sizeof(path), "%s/%s/daemon.pid", s->t, s->k->name);
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
	CHECK(pump_until(s, is_cached, id, WAIT_MS, NULL));
	printf("  %s: engine back -> %s known after %llu ms\n", s->k->name, name,
	       (unsigned long long)(itest_now_ms() - since));
	int64_t tid = feed_synthetic(s, id);
	CHECK_STR(field(s, tid, "container.name"), name);
}

/* True if the engine still has container ID (inspect answers 200). */
static bool engine_has(session* s, const char* id)
{
	char path[256];
	itest_http r;
	snprintf(path, sizeof(path), "%s/containers/%s/json",
	         s->k->api == ITEST_LIBPOD ? "/v4.0.0/libpod" : "", id);
	itest_http_call(&r, s->sock, "GET", path, NULL);
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
	CHECK(pump_until(s, is_cached, kept, WAIT_MS, NULL));
	CHECK(pump_until(s, is_cached, running, WAIT_MS, NULL));
	CHECK(pump_until(s, is_cached, doomed, WAIT_MS, NULL));
	int64_t kept_tid = feed_synthetic(s, kept);
	CHECK_STR(field(s, kept_tid, "container.name"), "itest-kept");

	/* 1. The daemon stops under the plugin; its containers stay on disk. */
	REQUIRE(stop_daemon(s));
	pump_for(s, 300);
	if (s->k->api == ITEST_LIBPOD) {
		/* Podman is daemonless: the CLI removes a container while the service is down.
		 * Only the replay of the missed events (since=) can tell the plugin. */
		char* out = NULL;
		CHECK_INT(itest_engines_sh(&out, "podman", s->t, "rm", "-f", "-t", "0", doomed, NULL), 0);
		free(out);
		sleep(DOWNTIME_S); /* the service stays down a while */
	}
	/* leftovers of the dead daemon (it removes nothing: the daemon is gone) */
	CHECK(itest_engine_stop(s->k->name, s->t));
	REQUIRE(engine_start(s));
	uint64_t back = itest_now_ms();
	check_new_container_arrives(s, "itest-after1", back);
	/* known before, still there: still known after the re-list */
	CHECK(cached(s, kept));
	CHECK_STR(field(s, kept_tid, "container.name"), "itest-kept");
	if (engine_has(s, running)) /* exited or not, the re-list reported it */
		CHECK(pump_until(s, is_cached, running, WAIT_MS, NULL));
	else
		fprintf(stderr, "  %s: itest-running did not survive the restart\n", s->k->name);
	if (s->k->api == ITEST_LIBPOD) {
		CHECK(!engine_has(s, doomed));
		CHECK(pump_until(s, is_gone, doomed, WAIT_MS, NULL));
	}

	/* 2. engines.sh stop (removes every container through the API) and start again. */
	CHECK(itest_engine_stop(s->k->name, s->t));
	pump_for(s, 500);
	printf("  %s: after engines.sh stop: %ld containers cached\n", s->k->name, n_containers(s));
	REQUIRE(engine_start(s));
	back = itest_now_ms();
	check_new_container_arrives(s, "itest-after2", back);
	/* the plugin agrees with the engine about every container it knew */
	const char* before[] = {kept, running, doomed};
	long listed = 1; /* itest-after2 */
	for (size_t i = 0; i < 3; i++) {
		bool has = engine_has(s, before[i]);
		listed += has;
		CHECK(pump_until(s, has ? is_cached : is_gone, before[i], WAIT_MS, NULL));
	}
	CHECK_INT(n_containers(s), listed);
	if (!engine_has(s, kept))
		CHECK_STR(field(s, kept_tid, "container.name"), "<NA>");
}

/* (e) */
static void late_socket(session* s)
{
	uint64_t t0 = itest_now_ms();
	REQUIRE(open_plugin(s, NULL));
	printf("  %s: open without the socket %llu ms\n", s->k->name,
	       (unsigned long long)(itest_now_ms() - t0));
	CHECK_INT(n_containers(s), 0);
	pump_for(s, 300);
	REQUIRE(engine_start(s));
	char* id = run(s, "itest-late", false);
	REQUIRE(id != NULL);
	uint64_t created = itest_now_ms();
	CHECK(pump_until(s, is_cached, id, WAIT_MS, NULL));
	printf("  %s: socket appeared -> container known %llu ms after its creation\n", s->k->name,
	       (unsigned long long)(itest_now_ms() - created));
	pid_t pid = itest_ctr_pid(s->sock, s->k->api, id);
	int64_t tid = pid > 0 ? feed_real(s, pid) : -1;
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
	pump_for(s, QUIET_MS);
	CHECK(!cached(s, id)); /* hooks ["start"]: the create was not announced */
	int64_t tid = feed_synthetic(s, id);
	CHECK_STR(field(s, tid, "container.name"), "<NA>"); /* asked, not answered yet */
	uint64_t t0 = itest_now_ms();
	CHECK(pump_until(s, is_cached, id, WAIT_MS, NULL));
	printf("  %s: process event -> lookup answered in %llu ms\n", s->k->name,
	       (unsigned long long)(itest_now_ms() - t0));
	CHECK_STR(field(s, tid, "container.name"), "itest-missed");
	CHECK_STR(field(s, tid, "container.type"), s->k->type);
	CHECK_STR(field(s, tid, "container.label[org.example.built-by]"), "tests");
}

/* ------------------------------------------------------------ tests */

TEST(docker_lifecycle) { run_session(&DOCKER, lifecycle, true); }
TEST(podman_lifecycle) { run_session(&PODMAN, lifecycle, true); }
TEST(docker_restart) { run_session(&DOCKER, restart, true); }
TEST(podman_restart) { run_session(&PODMAN, restart, true); }
TEST(docker_late_socket) { run_session(&DOCKER, late_socket, false); }
TEST(podman_late_socket) { run_session(&PODMAN, late_socket, false); }
TEST(docker_lookup) { run_session(&DOCKER, lookup, true); }
TEST(podman_lookup) { run_session(&PODMAN, lookup, true); }

TEST_MAIN(T(docker_lifecycle), T(podman_lifecycle), T(docker_restart), T(podman_restart),
          T(docker_late_socket), T(podman_late_socket), T(docker_lookup), T(podman_lookup))
