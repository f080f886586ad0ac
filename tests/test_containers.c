/*
 * The cache's ceiling (docs/architecture.md "Bounded cache"), through our
 * host: past max_containers, exited containers go first, then the least
 * recently used; a record the host holds is never evicted; each eviction
 * is counted in the metrics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "host.h"
#include "scap_events.h"
#include "test.h"

#define CEILING 50

static uint64_t ts_now = 1700000000000000000ull;

static void feed(host* h, ss_plugin_event* e)
{
	if (e)
		host_feed(h, e);
	free(e);
}

static void full_id(char out[65], int i)
{
	snprintf(out, 65, "%012x%052d", 0xc0de00 + i, 0);
}

static void short_id(char out[13], int i)
{
	char f[65];
	full_id(f, i);
	snprintf(out, 13, "%.12s", f);
}

/* Container i's `container` event, as an engine's worker sends it. */
static void announce(host* h, int i)
{
	char f[65], json[512];
	full_id(f, i);
	snprintf(json, sizeof(json),
	         "{\"container\":{\"type\":0,\"id\":\"%.12s\",\"full_id\":\"%s\",\"name\":\"c%d\","
	         "\"image\":\"busybox\"}}",
	         f, f, i);
	feed(h, evt_async(ts_now++, 0, 0, "container", json, (uint32_t)strlen(json) + 1));
}

/* A process of container i appears (its record is looked up: used now). */
static void spawn(host* h, int i, int64_t tid, int64_t vpid)
{
	char f[65], cpu[128];
	full_id(f, i);
	snprintf(cpu, sizeof(cpu), "cpu=/docker/%s", f);
	const char* cgroups[] = {cpu, NULL};
	evt_proc_info p = {.tid = tid, .pid = tid, .ptid = 1, .vtid = vpid, .vpid = vpid,
	                   .exe = "sh", .comm = "sh", .cgroups = cgroups};
	feed(h, evt_clone_exit(PPME_SYSCALL_CLONE_20_X, ts_now++, &p));
}

static uint64_t metric(host* h, const char* name)
{
	uint32_t n;
	const ss_plugin_metric* m = host_metrics(h, &n);
	char full[128];
	snprintf(full, sizeof(full), "container.%s", name);
	for (uint32_t i = 0; m && i < n; i++)
		if (!strcmp(m[i].name, full))
			return m[i].value.u64;
	return UINT64_MAX;
}

static const ss_plugin_table_input* table(host* h)
{
	return host_plugin_table(h, "containers");
}

/* Takes a pin on container i's entry (NULL when it is not cached). */
static ss_plugin_table_entry_t* pin(host* h, int i)
{
	char id[13];
	short_id(id, i);
	ss_plugin_state_data key = {.str = id};
	return table(h)->reader_ext->get_table_entry(table(h)->table, &key);
}

static bool cached(host* h, int i)
{
	ss_plugin_table_entry_t* e = pin(h, i);
	if (e)
		table(h)->reader_ext->release_table_entry(table(h)->table, e);
	return e != NULL;
}

/* Docker's cgroups matched (its engine on, at a socket that never appears). */
static host* open_capped(int ceiling)
{
	char cfg[512];
	snprintf(cfg, sizeof(cfg),
	         "{\"max_containers\":%d,\"engines\":{\"docker\":{\"enabled\":true,"
	         "\"sockets\":[\"/nonexistent/docker.sock\"]},"
	         "\"podman\":{\"enabled\":false},\"containerd\":{\"enabled\":false},"
	         "\"cri\":{\"enabled\":false}}}",
	         ceiling);
	host* h = host_new();
	if (h && (host_load(h, PLUGIN_SO_PATH) || host_init(h, cfg) || host_open_live(h))) {
		fprintf(stderr, "  host: %s\n", host_last_error(h));
		host_free(h);
		return NULL;
	}
	return h;
}

TEST(exited_then_least_recently_used_go_first)
{
	host* h = open_capped(CEILING);
	REQUIRE(h);
	REQUIRE(table(h));
	for (int i = 0; i < CEILING; i++)
		announce(h, i);
	CHECK_INT(metric(h, "n_containers"), CEILING);
	CHECK_INT(metric(h, "n_cache_evictions"), 0);

	/* c20's init exits: its removal is on its way. c0..c9 are in use. */
	spawn(h, 20, 2000, 1);
	feed(h, evt_procexit(ts_now++, 2000, 0));
	for (int i = 0; i < 10; i++)
		spawn(h, i, 1000 + i, 7);
	CHECK_STR(host_thread_dynfield_str(h, 1000, "container_id"), "000000c0de00");
	CHECK_INT(metric(h, "n_threads_attached"), 10);

	announce(h, 50); /* one over: the exited one goes, not an older one */
	CHECK_INT(metric(h, "n_containers"), CEILING);
	CHECK_INT(metric(h, "n_cache_evictions"), 1);
	announce(h, 51); /* then the least recently used: c10, c11 (c0..c9 were used since) */
	announce(h, 52);
	CHECK_INT(metric(h, "n_containers"), CEILING);
	CHECK_INT(metric(h, "n_cache_evictions"), 3);

	/* c12 is held by the host, then every other container is used: c12 is the least
	 * recently used but pinned, so c13 (the oldest use after it) goes instead. */
	ss_plugin_table_entry_t* held = pin(h, 12);
	REQUIRE(held);
	for (int i = 13; i <= 52; i++)
		spawn(h, i, 3000 + i, 7);
	for (int i = 0; i < 10; i++)
		spawn(h, i, 1000 + i, 7);
	announce(h, 53);
	CHECK_INT(metric(h, "n_cache_evictions"), 4);
	table(h)->reader_ext->release_table_entry(table(h)->table, held);

	CHECK(!cached(h, 20));
	CHECK(!cached(h, 10));
	CHECK(!cached(h, 11));
	CHECK(!cached(h, 13));
	CHECK(cached(h, 12));
	for (int i = 0; i < 10; i++)
		CHECK(cached(h, i));
	for (int i = 14; i <= 53; i++)
		CHECK(cached(h, i) || i == 20);
	CHECK_INT(metric(h, "n_containers"), CEILING);
	CHECK_INT(table(h)->reader_ext->get_table_size(table(h)->table), CEILING + 1); /* + host */
	host_free(h);
}

/* A large ceiling evicts in batches (1/64 of it): the ceiling holds all along. */
TEST(ceiling_holds_under_churn)
{
	enum { MAX = 640, TOTAL = 3000 };
	host* h = open_capped(MAX);
	REQUIRE(h);
	uint64_t highest = 0;
	for (int i = 0; i < TOTAL; i++) {
		announce(h, i);
		uint64_t n = metric(h, "n_containers");
		highest = n > highest ? n : highest;
	}
	CHECK_INT(highest, MAX);
	uint64_t evicted = metric(h, "n_cache_evictions");
	CHECK_INT(evicted + metric(h, "n_containers"), TOTAL);
	CHECK(cached(h, TOTAL - 1));
	CHECK(!cached(h, 0));
	host_free(h);
}

/*
 * A batch (1/64 of 128: 2) takes the one exited record, then the least recently used
 * of the others: c0 exited and was used least recently of all, c1 comes next.
 */
TEST(batch_takes_exited_then_least_recent)
{
	host* h = open_capped(128);
	REQUIRE(h);
	for (int i = 0; i < 128; i++)
		announce(h, i);
	spawn(h, 0, 2000, 1);
	feed(h, evt_procexit(ts_now++, 2000, 0));
	for (int i = 1; i < 128; i++)
		spawn(h, i, 3000 + i, 7);
	announce(h, 128);
	CHECK_INT(metric(h, "n_cache_evictions"), 2);
	CHECK_INT(metric(h, "n_containers"), 127);
	CHECK(!cached(h, 0));
	CHECK(!cached(h, 1));
	CHECK(cached(h, 2));
	CHECK(cached(h, 128));
	host_free(h);
}

TEST(ceiling_is_configurable_and_checked)
{
	host* h = open_capped(0);
	CHECK(h == NULL); /* the schema's minimum is 1 */
	host_free(h);
}

TEST_MAIN(T(exited_then_least_recently_used_go_first), T(ceiling_holds_under_churn),
          T(batch_takes_exited_then_least_recent),
          T(ceiling_is_configurable_and_checked))
