/*
 * The plugin's metrics (docs/architecture.md "Metrics") move as the events
 * they count happen: the plugin is loaded through our host with a scripted
 * fake Docker daemon (tests/fake_docker.h) for what a real engine cannot be
 * made to do on demand (answer 500, hide a container then show it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "fake_docker.h"
#include "host.h"
#include "metrics.h"
#include "scap_events.h"
#include "test.h"

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void make_id(char out[65], int i)
{
	snprintf(out, 65, "%06x%058d", (0xfeed00 + i) & 0xffffff, 0);
}

static void feed(host* h, ss_plugin_event* e)
{
	if (e)
		host_feed(h, e);
	free(e);
}

/* A process of container i (thread 1000 + i). */
static void spawn(host* h, int i)
{
	char id[65], cg[128];
	make_id(id, i);
	snprintf(cg, sizeof(cg), "cpu=/docker/%s", id);
	const char* cgroups[] = {cg, NULL};
	evt_proc_info p = {.tid = 1000 + i, .pid = 1000 + i, .ptid = 1, .vtid = 7, .vpid = 7,
	                   .exe = "sh", .comm = "sh", .cgroups = cgroups};
	feed(h, evt_clone_exit(PPME_SYSCALL_CLONE_20_X, 1, &p));
}

static uint64_t metric(host* h, metric_id id)
{
	uint32_t n;
	const ss_plugin_metric* m = host_metrics(h, &n);
	char full[128];
	snprintf(full, sizeof(full), "container.%s", metric_defs[id].name);
	for (uint32_t i = 0; m && i < n; i++)
		if (!strcmp(m[i].name, full))
			return m[i].value.u64;
	return UINT64_MAX;
}

/* Drains async events until metric id reaches at least want (true), or 5 s pass. */
static bool wait_metric(host* h, metric_id id, uint64_t want)
{
	uint64_t end = now_ms() + 5000;
	while (now_ms() < end) {
		host_drain_async(h);
		uint64_t v = metric(h, id);
		if (v != UINT64_MAX && v >= want)
			return true;
		usleep(5000);
	}
	fprintf(stderr, "  %s is %llu, expected at least %llu\n", metric_defs[id].name,
	        (unsigned long long)metric(h, id), (unsigned long long)want);
	return false;
}

static host* open_docker(const char* sock, unsigned refuse)
{
	char cfg[1024];
	host* h = fake_docker_config(cfg, sizeof(cfg), sock) ? host_new() : NULL;
	if (!h)
		return NULL;
	host_refuse_async(h, refuse);
	if (host_load(h, PLUGIN_SO_PATH) || host_init(h, cfg) || host_open_live(h)) {
		fprintf(stderr, "  host: %s\n", host_last_error(h));
		host_free(h);
		return NULL;
	}
	return h;
}

/* Every metric of the table, under its name, in its order, of its type. */
TEST(every_metric_is_exported)
{
	fake_docker* d = fake_docker_new(NULL, "docker.sock");
	REQUIRE(d && fake_docker_start(d));
	host* h = open_docker(fake_docker_socket(d), 0);
	REQUIRE(h);
	uint32_t n;
	const ss_plugin_metric* m = host_metrics(h, &n);
	REQUIRE(m);
	CHECK_INT(n, METRIC_COUNT);
	for (uint32_t i = 0; i < n && i < METRIC_COUNT; i++) {
		char full[128];
		snprintf(full, sizeof(full), "container.%s", metric_defs[i].name);
		CHECK_STR(m[i].name, full);
		CHECK_INT(m[i].type, metric_defs[i].type);
		CHECK_INT(m[i].value_type, SS_PLUGIN_METRIC_VALUE_TYPE_U64);
		CHECK(metric_defs[i].meaning && strlen(metric_defs[i].meaning) > 10);
	}
	CHECK_STR(m[METRIC_CONTAINERS].name, "container.n_containers");
	CHECK_STR(m[METRIC_MISSING_IMAGES].name, "container.n_missing_container_images");
	host_free(h);
	fake_docker_free(d);
}

TEST(lookups_events_and_engines_are_counted)
{
	fake_docker* d = fake_docker_new(NULL, "docker.sock");
	REQUIRE(d);
	char id[65], path[128];
	make_id(id, 0);
	REQUIRE(fake_docker_add(d, id, "listed") == 0);
	make_id(id, 1);
	REQUIRE(fake_docker_add(d, id, "hidden") == 1);
	fake_docker_set_count(d, 1); /* ctr 1 shows up later */
	make_id(id, 9);
	snprintf(path, sizeof(path), "/containers/%.12s", id); /* lookups go by short id */
	REQUIRE(fake_docker_answer(d, path, 500, "{\"message\":\"boom\"}") == 0);
	REQUIRE(fake_docker_start(d));

	/* The listing's event is refused once, then sent again from the outbox. */
	host* h = open_docker(fake_docker_socket(d), 1);
	REQUIRE(h);
	CHECK(wait_metric(h, METRIC_ASYNC_CONTAINER, 1));
	CHECK_INT(metric(h, METRIC_ASYNC_REFUSED), 1);
	CHECK_INT(metric(h, METRIC_ASYNC_LOST), 0);
	CHECK_INT(metric(h, METRIC_ENGINE_CONNECTS), 1);
	CHECK_INT(metric(h, METRIC_ENGINES_ATTACHED), 1);
	CHECK_INT(metric(h, METRIC_CONTAINERS), 1);

	/* An id the engine does not know: asked, not found, asked again after 30 ms. */
	spawn(h, 5);
	CHECK(wait_metric(h, METRIC_LOOKUPS_NOT_FOUND, 1));
	CHECK(wait_metric(h, METRIC_LOOKUPS_RETRIED, 1));
	CHECK(metric(h, METRIC_LOOKUPS_ASKED) >= 2);
	CHECK_INT(metric(h, METRIC_LOOKUPS_FAILED), 0);
	CHECK_INT(metric(h, METRIC_LOOKUPS_ANSWERED), 0);
	CHECK_INT(metric(h, METRIC_LOOKUPS_PENDING), 1);

	/* An engine answering 500 fails the lookup: not "not found". */
	spawn(h, 9);
	CHECK(wait_metric(h, METRIC_LOOKUPS_FAILED, 1));
	CHECK(fake_docker_answer_hits(d, 0) >= 1);
	CHECK_INT(metric(h, METRIC_LOOKUPS_PENDING), 2);

	/* ctr 1's process comes before its record: when the engine, restarted, lists it, the
	 * record is late; the engine went away and came back once. */
	spawn(h, 1);
	spawn(h, 0);
	CHECK_INT(metric(h, METRIC_THREADS_ATTACHED), 4);
	CHECK_INT(metric(h, METRIC_LATE_RECORDS), 0);
	fake_docker_stop(d);
	fake_docker_set_count(d, 2);
	REQUIRE(fake_docker_start(d));
	CHECK(wait_metric(h, METRIC_LATE_RECORDS, 1));
	CHECK(wait_metric(h, METRIC_ENGINE_RECONNECTS, 1));
	CHECK(metric(h, METRIC_ENGINE_DISCONNECTS) >= 1);
	CHECK_INT(metric(h, METRIC_ENGINE_CONNECTS), 1);
	CHECK_INT(metric(h, METRIC_CONTAINERS), 2);
	CHECK(metric(h, METRIC_ASYNC_CONTAINER) >= 2);
	CHECK_INT(metric(h, METRIC_LATE_RECORDS), 1); /* once, whatever came after */

	/* Threads that exit leave the gauge. */
	feed(h, evt_procexit(2, 1005, 0));
	feed(h, evt_procexit(3, 1009, 0));
	CHECK_INT(metric(h, METRIC_THREADS_ATTACHED), 2);

	CHECK(host_close(h) == 0);
	CHECK_INT(metric(h, METRIC_ENGINES_ATTACHED), 0);
	host_free(h);
	fake_docker_free(d);
}

/* Engine events are counted as they arrive, the events they lead to by name. */
TEST(engine_events_and_removals_are_counted)
{
	fake_docker* d = fake_docker_new(NULL, "docker.sock");
	REQUIRE(d);
	char id[65];
	make_id(id, 0);
	REQUIRE(fake_docker_add(d, id, "short-lived") == 0);
	REQUIRE(fake_docker_add_stream_event(d, "destroy", id, "busybox"));
	REQUIRE(fake_docker_start(d));
	host* h = open_docker(fake_docker_socket(d), 0);
	REQUIRE(h);
	CHECK(wait_metric(h, METRIC_ASYNC_REMOVED, 1));
	CHECK_INT(metric(h, METRIC_ENGINE_EVENTS), 1);
	CHECK(metric(h, METRIC_ASYNC_CONTAINER) >= 1);
	host_free(h);
	fake_docker_free(d);
}

TEST_MAIN(T(every_metric_is_exported), T(lookups_events_and_engines_are_counted),
          T(engine_events_and_removals_are_counted))
