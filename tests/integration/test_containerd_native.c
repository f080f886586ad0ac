/*
 * The native containerd engine (engines.md §5, container-plugin.md §8.3)
 * against a private containerd (engines.sh start containerd), seen only
 * through our host and the loaded plugin .so, with only containerd enabled:
 *
 *   a `ctr run` container that existed before the plugin started is cached at
 *   open (name = id, type containerd, image, repo, tag); its real process (cgroup
 *   /default/<id> under cgroupfs, a relaxed-rule candidate until containerd
 *   confirms it) resolves to it; containers created afterwards arrive
 *   (create->event latency printed); a thread in /default/<unknown> is host
 *   (decisions.md 1); removal (task delete + container rm) drops the record; a
 *   containerd restart mid-test: reconnect, re-list, new containers arrive.
 */
#include <inttypes.h>
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

enum { WAIT_MS = 10000, QUIET_MS = 1000, N_CREATES = 10 };

#define SYNTH_TID0 4000000000LL

static char skip_why[256];

typedef struct session {
	char* t;
	char sock[ITEST_PATH_MAX];
	host* h;
	int64_t next_tid;
	uint64_t ts;
} session;

static void feed(session* s, ss_plugin_event* e)
{
	if (e)
		host_feed(s->h, e);
	free(e);
}

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

static void feed_clone(session* s, int64_t tid, const char* const* cgroups)
{
	static const char* const args[] = {"sleep", "3600", NULL};
	evt_proc_info p = {.res = 0, .tid = tid, .pid = tid, .ptid = 1, .vtid = 1, .vpid = 1,
	                   .pidns_init_start_ts = 1600000000000000000ull, .exe = "/bin/busybox",
	                   .comm = "busybox", .cwd = "/", .args = args, .cgroups = cgroups};
	feed(s, evt_clone_exit(PPME_SYSCALL_CLONE_20_X, s->ts++, &p));
}

static int64_t feed_synthetic(session* s, const char* path)
{
	char cpu[300], mem[300], pids[300];
	snprintf(cpu, sizeof(cpu), "cpu=%s", path);
	snprintf(mem, sizeof(mem), "memory=%s", path);
	snprintf(pids, sizeof(pids), "pids=%s", path);
	const char* cgroups[] = {cpu, mem, pids, NULL};
	int64_t tid = s->next_tid++;
	feed_clone(s, tid, cgroups);
	return tid;
}

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

static long n_containers(session* s)
{
	uint32_t n;
	const ss_plugin_metric* m = host_metrics(s->h, &n);
	for (uint32_t i = 0; m && i < n; i++)
		if (!strcmp(m[i].name, "container.n_containers"))
			return (long)m[i].value.u64;
	return -1;
}

/* The plugin's containers table has ID (first 12 characters: the record's short id). */
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

static void pump_for(session* s, unsigned ms)
{
	uint64_t end = itest_now_ms() + ms;
	for (uint64_t now; (now = itest_now_ms()) < end;) {
		host_wait_async(s->h, (int)(end - now));
		host_drain_async(s->h);
	}
	host_drain_async(s->h);
}

static bool open_plugin(session* s)
{
	char cfg[1024];
	snprintf(cfg, sizeof(cfg),
	         "{\"engines\":{\"docker\":{\"enabled\":false},\"podman\":{\"enabled\":false},"
	         "\"containerd\":{\"enabled\":true,\"sockets\":[\"%s\"]},\"cri\":{\"enabled\":false}}}",
	         s->sock);
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

/* ------------------------------------------------------------ ctr */

static bool ctr_run(session* s, const char* name)
{
	char* out = NULL;
	int rc = itest_engines_sh(&out, "ctr", s->t, "run", "--snapshotter", "native", "-d",
	                          "localhost/app:1.0", name, NULL);
	if (rc)
		fprintf(stderr, "  ctr run %s: %s\n", name, out ? out : "");
	free(out);
	return rc == 0;
}

static bool ctr_remove(session* s, const char* name)
{
	char* out = NULL; /* no task after a restart (engines.sh stop deleted them): fine */
	itest_engines_sh(&out, "ctr", s->t, "task", "delete", "-f", name, NULL);
	free(out);
	return itest_engines_sh(NULL, "ctr", s->t, "containers", "rm", name, NULL) == 0;
}

/* The pid of NAME's task (ctr task ls: "TASK PID STATUS"), or -1. */
static pid_t ctr_pid(session* s, const char* name)
{
	char* out = NULL;
	pid_t pid = -1;
	if (itest_engines_sh(&out, "ctr", s->t, "task", "ls", NULL) == 0 && out) {
		char* save = NULL;
		for (char* line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char task[128];
			long p;
			if (sscanf(line, "%127s %ld", task, &p) == 2 && !strcmp(task, name))
				pid = (pid_t)p;
		}
	}
	free(out);
	return pid;
}

static int cmp_u64(const void* a, const void* b)
{
	uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------ checks */

static void check_record(session* s, int64_t tid, const char* name)
{
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", name);
	CHECK_STR(field(s, tid, "container.id"), short_id);
	CHECK_STR(field(s, tid, "container.full_id"), name);
	CHECK_STR(field(s, tid, "container.name"), short_id);
	CHECK_STR(field(s, tid, "container.type"), "containerd");
	CHECK_STR(field(s, tid, "container.image"), "localhost/app:1.0");
	CHECK_STR(field(s, tid, "container.image.repository"), "localhost/app");
	CHECK_STR(field(s, tid, "container.image.tag"), "1.0");
}

static void check_removal(session* s, const char* name)
{
	host_drain_async(s->h);
	REQUIRE(cached(s, name));
	long want = n_containers(s) - 1;
	uint64_t t0 = itest_now_ms();
	CHECK(ctr_remove(s, name));
	CHECK(pump_until(s, is_gone, name, WAIT_MS, NULL));
	printf("  containerd: remove->gone %llu ms\n", (unsigned long long)(itest_now_ms() - t0));
	CHECK_INT(n_containers(s), want);
}

static void body(session* s)
{
	REQUIRE(ctr_run(s, "itest-pre"));
	pid_t pre_pid = ctr_pid(s, "itest-pre");
	REQUIRE(pre_pid > 0);
	REQUIRE(itest_pid_cgroup_has(pre_pid, "/default/itest-pre"));

	REQUIRE(open_plugin(s));
	/* listed at start */
	CHECK(cached(s, "itest-pre"));
	host_drain_async(s->h);
	CHECK_INT(n_containers(s), 1);
	/* its real process: /default/itest-pre, confirmed by containerd */
	int64_t pre_tid = feed_real(s, pre_pid);
	REQUIRE(pre_tid > 0);
	check_record(s, pre_tid, "itest-pre");
	CHECK_STR(field(s, pre_tid, "container.label[org.example.built-by]"), "tests");

	/* a relaxed-rule candidate containerd does not know is host (decisions.md 1) */
	int64_t ghost = feed_synthetic(s, "/default/itest-ghost");
	pump_for(s, QUIET_MS);
	CHECK_STR(field(s, ghost, "container.name"), "host");
	CHECK(!cached(s, "itest-ghost"));

	/* created after start */
	uint64_t lat[N_CREATES];
	size_t n = 0;
	for (int i = 0; i < N_CREATES; i++) {
		char name[32];
		snprintf(name, sizeof(name), i == 0 ? "itest-long-name-%02d" : "itest-c%02d", i);
		host_drain_async(s->h);
		uint64_t t0 = itest_now_ms(), arrived = 0;
		if (!ctr_run(s, name))
			break;
		bool ok = pump_until(s, is_cached, name, WAIT_MS, &arrived);
		CHECK(ok);
		if (!ok)
			break;
		lat[n++] = arrived > t0 ? arrived - t0 : 0;
		pid_t pid = ctr_pid(s, name);
		int64_t tid = pid > 0 ? feed_real(s, pid) : -1;
		CHECK(tid > 0);
		if (tid > 0)
			check_record(s, tid, name);
	}
	CHECK_INT(n, N_CREATES);
	if (n) {
		qsort(lat, n, sizeof(lat[0]), cmp_u64);
		double median = n % 2 ? (double)lat[n / 2] : (lat[n / 2 - 1] + lat[n / 2]) / 2.0;
		printf("containerd create->event (ctr run, CLI included): median %.1f ms, max %llu ms "
		       "(%zu containers)\n",
		       median, (unsigned long long)lat[n - 1], n);
	}
	CHECK_INT(n_containers(s), 1 + (long)n);

	/* removal */
	check_removal(s, "itest-c01");
	check_removal(s, "itest-pre");

	/* containerd restart: stop (tasks are deleted, containers stay), start again */
	long before = n_containers(s);
	uint64_t t0 = itest_now_ms();
	CHECK(itest_engine_stop("containerd", s->t));
	pump_for(s, QUIET_MS);
	CHECK(itest_engine_start("containerd", s->t));
	printf("  containerd: restarted in %llu ms\n", (unsigned long long)(itest_now_ms() - t0));
	uint64_t back = itest_now_ms();
	CHECK(ctr_run(s, "itest-after"));
	CHECK(pump_until(s, is_cached, "itest-after", WAIT_MS, NULL));
	printf("  containerd: back -> itest-after known after %llu ms\n",
	       (unsigned long long)(itest_now_ms() - back));
	pid_t pid = ctr_pid(s, "itest-after");
	int64_t tid = pid > 0 ? feed_real(s, pid) : -1;
	CHECK(tid > 0);
	if (tid > 0)
		check_record(s, tid, "itest-after");
	CHECK_INT(n_containers(s), before + 1); /* the stopped containers are still there */
	CHECK(cached(s, "itest-c02"));
	/* removals still arrive on the new subscription */
	check_removal(s, "itest-c02");
}

TEST(containerd_native)
{
	if (!itest_can_run("containerd", skip_why, sizeof(skip_why)))
		SKIP(skip_why);
	session s = {.next_tid = SYNTH_TID0, .ts = 1700000000000000000ull};
	s.t = itest_tmpdir();
	REQUIRE(s.t != NULL);
	itest_engine_sock(s.sock, sizeof(s.sock), s.t, "containerd");
	uint64_t t0 = itest_now_ms();
	bool up = itest_engine_start("containerd", s.t);
	printf("  containerd: engine start %llu ms\n", (unsigned long long)(itest_now_ms() - t0));
	CHECK(up);
	if (up)
		body(&s);
	host_free(s.h);
	CHECK(itest_engine_stop("containerd", s.t));
	CHECK_INT(itest_count_procs(s.t), 0);
	if (test_failures_in_case)
		fprintf(stderr, "  keeping %s for its logs\n", s.t);
	else
		itest_rmtree(s.t);
	free(s.t);
}

TEST_MAIN(T(containerd_native))
