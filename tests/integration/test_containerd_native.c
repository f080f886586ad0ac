/*
 * The native containerd engine (docs/engines.md "containerd")
 * against private containerds (engines.sh start containerd / containerd13:
 * 1.6 and 1.7), seen only through our host and the loaded plugin .so, with
 * only containerd enabled:
 *
 *   a `ctr run` container that existed before the plugin started is cached at
 *   open (name = id, type containerd, image, repo, tag); its real process (cgroup
 *   /default/<id> under cgroupfs, a relaxed-rule candidate until containerd
 *   confirms it) resolves to it; containers created afterwards arrive
 *   (create->event latency printed); a thread in /default/<unknown> is host
 *   (docs/decisions.md #1); removal (task delete + container rm) drops the record; a
 *   containerd restart mid-test: reconnect, re-list, new containers arrive;
 *   the record read from containerd's own database (plugin/engines/
 *   containerd_disk.c, for a container's first events) is the API's record,
 *   found by full id and by short id.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "containerd_disk.h"
#include "ctr_json.h"
#include "host.h"
#include "scap_events.h"
#include "itest.h"
#include "test.h"

enum { WAIT_MS = 10000, QUIET_MS = 1000, N_CREATES = 10 };

static char skip_why[256]; /* SKIP reasons must outlive the test function */

/* ------------------------------------------------------------ ctr */

static bool ctr_run(itest_session* s, const char* name)
{
	char* out = NULL;
	int rc = itest_engines_sh(&out, "cli", s->engine, s->t, "run", "--snapshotter", "native", "-d",
	                          "localhost/app:1.0", name, NULL);
	if (rc)
		fprintf(stderr, "  ctr run %s: %s\n", name, out ? out : "");
	free(out);
	return rc == 0;
}

static bool ctr_remove(itest_session* s, const char* name)
{
	char* out = NULL; /* no task after a restart (engines.sh stop deleted them): fine */
	itest_engines_sh(&out, "cli", s->engine, s->t, "task", "delete", "-f", name, NULL);
	free(out);
	return itest_engines_sh(NULL, "cli", s->engine, s->t, "containers", "rm", name, NULL) == 0;
}

/* The pid of NAME's task, or -1. */
static pid_t ctr_pid(itest_session* s, const char* name)
{
	return itest_task_pid(s->engine, s->t, NULL, name);
}

/* ------------------------------------------------------------ checks */

/* The last `container` event's JSON, normalized (decoded and encoded again). */
static char* last_json;

static void on_async(void* arg, const ss_plugin_event* evt)
{
	(void)arg;
	const uint8_t* d;
	uint32_t l;
	if (!itest_container_event(evt, &d, &l))
		return;
	char err[256];
	ctr_record* r = ctr_json_decode((const char*)d, l, err, sizeof(err));
	free(last_json);
	last_json = r ? ctr_json_encode(r) : NULL;
	ctr_record_unref(r);
}

/* containerd's database gives the record the API gave for NAME (its last event). */
static void check_disk_record(itest_session* s, const char* name)
{
	char* db = containerd_disk_find_db("/proc", s->sock);
	CHECK(db);
	if (!db || !last_json)
		return;
	containerd_map_opts o = {100, false}; /* the plugin's defaults */
	char err[256], short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", name);
	const char* keys[] = {name, short_id};
	for (int i = 0; i < 2; i++) {
		ctr_record* r = containerd_disk_record(db, keys[i], &o, err, sizeof(err));
		char* json = r ? ctr_json_encode(r) : NULL;
		if (!json)
			fprintf(stderr, "  %s (%s): %s\n", keys[i], db, err);
		CHECK(json && !strcmp(json, last_json));
		if (json && strcmp(json, last_json))
			fprintf(stderr, "  disk: %s\n  api:  %s\n", json, last_json);
		free(json);
		ctr_record_unref(r);
	}
	free(db);
}

static void check_record(itest_session* s, int64_t tid, const char* name)
{
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", name);
	CHECK_STR(itest_field(s, tid, "container.id"), short_id);
	CHECK_STR(itest_field(s, tid, "container.full_id"), name);
	CHECK_STR(itest_field(s, tid, "container.name"), short_id);
	CHECK_STR(itest_field(s, tid, "container.type"), "containerd");
	CHECK_STR(itest_field(s, tid, "container.image"), "localhost/app:1.0");
	CHECK_STR(itest_field(s, tid, "container.image.repository"), "localhost/app");
	CHECK_STR(itest_field(s, tid, "container.image.tag"), "1.0");
}

static void check_removal(itest_session* s, const char* name)
{
	host_drain_async(s->h);
	REQUIRE(itest_cached(s, name));
	long want = itest_n_containers(s) - 1;
	uint64_t t0 = itest_now_ms();
	CHECK(ctr_remove(s, name));
	CHECK(itest_pump_until(s, itest_is_gone, name, WAIT_MS, NULL));
	printf("  %s: remove->gone %llu ms\n", s->engine, (unsigned long long)(itest_now_ms() - t0));
	CHECK_INT(itest_n_containers(s), want);
}

static void body(itest_session* s)
{
	REQUIRE(ctr_run(s, "itest-pre"));
	pid_t pre_pid = ctr_pid(s, "itest-pre");
	REQUIRE(pre_pid > 0);
	REQUIRE(itest_pid_cgroup_has(pre_pid, "/default/itest-pre"));

	REQUIRE(itest_open_plugin(s, "containerd", NULL));
	host_set_async_observer(s->h, on_async, NULL);
	/* listed at start */
	CHECK(itest_cached(s, "itest-pre"));
	host_drain_async(s->h);
	CHECK_INT(itest_n_containers(s), 1);
	/* its real process: /default/itest-pre, confirmed by containerd */
	int64_t pre_tid = itest_feed_real(s, pre_pid);
	REQUIRE(pre_tid > 0);
	check_record(s, pre_tid, "itest-pre");
	CHECK_STR(itest_field(s, pre_tid, "container.label[org.example.built-by]"), "tests");

	/* a relaxed-rule candidate containerd does not know is host (docs/decisions.md #1) */
	int64_t ghost = itest_feed_synthetic(s, "/default/itest-ghost");
	itest_pump_for(s, QUIET_MS);
	CHECK_STR(itest_field(s, ghost, "container.name"), "host");
	CHECK(!itest_cached(s, "itest-ghost"));

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
		bool ok = itest_pump_until(s, itest_is_cached, name, WAIT_MS, &arrived);
		CHECK(ok);
		if (!ok)
			break;
		if (i < 2)
			check_disk_record(s, name);
		lat[n++] = arrived > t0 ? arrived - t0 : 0;
		pid_t pid = ctr_pid(s, name);
		int64_t tid = pid > 0 ? itest_feed_real(s, pid) : -1;
		CHECK(tid > 0);
		if (tid > 0)
			check_record(s, tid, name);
	}
	CHECK_INT(n, N_CREATES);
	if (n) {
		double median = itest_median(lat, n);
		printf("%s create->event (ctr run, CLI included): median %.1f ms, max %llu ms "
		       "(%zu containers)\n",
		       s->engine, median, (unsigned long long)lat[n - 1], n);
	}
	CHECK_INT(itest_n_containers(s), 1 + (long)n);

	/* removal */
	check_removal(s, "itest-c01");
	check_removal(s, "itest-pre");

	/* containerd restart: stop (tasks are deleted, containers stay), start again */
	long before = itest_n_containers(s);
	uint64_t t0 = itest_now_ms();
	CHECK(itest_engine_stop(s->engine, s->t));
	itest_pump_for(s, QUIET_MS);
	CHECK(itest_engine_start(s->engine, s->t));
	printf("  %s: restarted in %llu ms\n", s->engine, (unsigned long long)(itest_now_ms() - t0));
	uint64_t back = itest_now_ms();
	CHECK(ctr_run(s, "itest-after"));
	CHECK(itest_pump_until(s, itest_is_cached, "itest-after", WAIT_MS, NULL));
	printf("  %s: back -> itest-after known after %llu ms\n", s->engine,
	       (unsigned long long)(itest_now_ms() - back));
	pid_t pid = ctr_pid(s, "itest-after");
	int64_t tid = pid > 0 ? itest_feed_real(s, pid) : -1;
	CHECK(tid > 0);
	if (tid > 0)
		check_record(s, tid, "itest-after");
	CHECK_INT(itest_n_containers(s), before + 1); /* the stopped containers are still there */
	CHECK(itest_cached(s, "itest-c02"));
	/* removals still arrive on the new subscription */
	check_removal(s, "itest-c02");
}

static void run_on(const char* engine)
{
	if (!itest_can_run(engine, skip_why, sizeof(skip_why)))
		SKIP(skip_why);
	itest_session s;
	REQUIRE(itest_session_init(&s, engine));
	bool up = itest_session_start(&s, engine);
	CHECK(up);
	if (up)
		body(&s);
	CHECK(itest_session_end(&s, engine, test_failures_in_case));
}

/* On every containerd of itest.h's list: <engine>_native. */
#define NATIVE(e) \
	TEST(e##_native) { run_on(#e); }
#define CASES(e) T(e##_native),
ITEST_CONTAINERD_ENGINES(NATIVE)

TEST_MAIN(ITEST_CONTAINERD_ENGINES(CASES))
