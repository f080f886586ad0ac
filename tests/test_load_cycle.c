/*
 * Whole plugin lifecycles through dlopen, as Falco does on a hot reload: load
 * libcontainer.so, init, open a live capture (the engine worker starts, talks
 * to a fake dockerd and watches for an absent podman socket), feed events,
 * close, destroy, dlclose, several times in one process. After every cycle
 * the process must have exactly the threads and descriptors it had before,
 * and the plugin must be unmapped. scripts/test.sh runs this binary under
 * valgrind too: that stage is what proves a cycle leaks no memory.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "fake_docker.h"
#include "host.h"
#include "test.h"

#define HEX32(p) p p p p p p p p p p p p p p p p p p p p p p p p p p p p p p p p
#define ID_A HEX32("a1") /* listed by the fake engine, restarted on its event stream */
#define ID_B HEX32("b2") /* listed by the fake engine */
#define ID_C HEX32("c3") /* announced by an async event from the host side */
#define ID_D HEX32("d4") /* unknown to everyone: the worker keeps retrying its lookup */
#define IMG HEX32("e5")
#define CYCLES 3
/* Generous: under valgrind everything runs tens of times slower. */
#define WAIT_MS 20000

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&t, NULL);
}

static int dir_count(const char* path)
{
	DIR* d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent* e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int task_count(void)
{
	return dir_count("/proc/self/task");
}

/* Open descriptors, minus the one opendir holds while counting. */
static int fd_count(void)
{
	return dir_count("/proc/self/fd") - 1;
}

/* Whether a file whose path contains name is mapped: dlclose really unloaded the plugin. */
static bool mapped(const char* name)
{
	FILE* f = fopen("/proc/self/maps", "r");
	char line[4096];
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, name) != NULL;
	if (f)
		fclose(f);
	return found;
}

/*
 * pthread_join returns once the kernel cleared the thread's tid, a moment
 * before the task leaves /proc/self/task: allow that moment, nothing more.
 */
static int task_count_settled(int want)
{
	int n = task_count();
	for (int i = 0; i < 100 && n != want; i++) {
		sleep_ms(10);
		n = task_count();
	}
	return n;
}

/* ---- the fake engine (tests/fake_docker.h) plays both docker and podman ---------- */

enum { ANSWER_IMAGE, ANSWER_LOOKUP_D }; /* fixed answers, in the order engine_new adds them */

static void inspect_doc(char* out, size_t cap, const char* id, const char* name, const char* ip)
{
	snprintf(out, cap,
	         "{\"Id\":\"%s\",\"Name\":\"/%s\",\"Created\":\"2024-11-07T09:18:06Z\","
	         "\"Image\":\"sha256:" IMG "\",\"State\":{\"Pid\":4242,\"Running\":true},"
	         "\"Config\":{\"Image\":\"nginx:1.25\",\"User\":\"\",\"Env\":[\"A=1\"],"
	         "\"Labels\":{\"app\":\"%s\"}},\"HostConfig\":{\"NetworkMode\":\"default\"},"
	         "\"NetworkSettings\":{\"IPAddress\":\"%s\"},\"Mounts\":[{\"Source\":\"/srv\","
	         "\"Destination\":\"/data\",\"Mode\":\"\",\"RW\":true,\"Propagation\":\"\"}]}",
	         id, name, name, ip);
}

static bool add_ctr(fake_docker* d, const char* id, const char* name, const char* ip)
{
	char doc[1024];
	inspect_doc(doc, sizeof(doc), id, name, ip);
	int i = fake_docker_add(d, id, name);
	return i >= 0 && fake_docker_set_inspect(d, (size_t)i, doc, strlen(doc));
}

/*
 * Lists A and B, knows their image, answers lookups of D (by short id) with
 * 404, and opens every event stream with A's restart.
 */
static bool engine_script(fake_docker* d)
{
	return add_ctr(d, ID_A, "web-a", "172.17.0.2") && add_ctr(d, ID_B, "db-b", "172.17.0.3") &&
	       fake_docker_answer(d, "/images/sha256:" IMG "/json", 200,
	                          "{\"Id\":\"sha256:" IMG "\",\"RepoTags\":[\"nginx:1.25\"],"
	                          "\"RepoDigests\":[\"nginx@sha256:" IMG "\"]}") == ANSWER_IMAGE &&
	       fake_docker_answer(d, "/containers/d4d4d4d4d4d4", 404,
	                          "{\"message\":\"No such container\"}") == ANSWER_LOOKUP_D &&
	       fake_docker_add_stream_event(d, "start", ID_A, "nginx:1.25");
}

/* A running fake engine on dir/name, NULL on failure. */
static fake_docker* engine_new(const char* dir, const char* name)
{
	fake_docker* d = fake_docker_new(dir, name);
	if (d && engine_script(d) && fake_docker_start(d))
		return d;
	fake_docker_free(d);
	return NULL;
}

/* ---- one cycle ------------------------------------------------------------------- */

static uint64_t ts_now = 1700000000000000000ull;

static void feed(host* h, ss_plugin_event* e)
{
	if (e)
		host_feed(h, e);
	free(e);
}

/* A new process (the child side of a clone exit); vpid 1 makes it its container's init. */
static void spawn(host* h, int64_t tid, const char* cgroup)
{
	char cpu[256];
	snprintf(cpu, sizeof(cpu), "cpu=%s", cgroup);
	const char* cgroups[] = {cpu, NULL};
	const char* args[] = {"-c", "true", NULL};
	evt_proc_info p = {.tid = tid, .pid = tid, .ptid = 1, .vtid = 1, .vpid = 1,
	                   .exe = "/bin/sh", .comm = "sh", .cwd = "/", .args = args,
	                   .cgroups = cgroups};
	feed(h, evt_clone_exit(PPME_SYSCALL_CLONE_20_X, ts_now++, &p));
}

static void announce(host* h, const char* name, const char* json)
{
	feed(h, evt_async(ts_now++, 0, 0, name, json, (uint32_t)strlen(json) + 1));
}

/* A field of thread tid, NULL when it has no value. */
static const char* field(host* h, int64_t tid, const char* name)
{
	ss_plugin_event* e = evt_procexit(ts_now, (uint64_t)tid, 0);
	const char* v = e ? host_extract_str(h, e, name) : NULL;
	free(e);
	return v;
}

static bool both_listed(host* h)
{
	const char* a = field(h, 100, "container.name");
	bool ok = a && !strcmp(a, "web-a");
	const char* b = field(h, 101, "container.name");
	return ok && b && !strcmp(b, "db-b");
}

/*
 * Parses async events until both listed containers are cached, the stream's
 * event was handled and the unknown container's lookup was retried: every
 * path of the worker has allocated something by then.
 */
static bool wait_cached(host* h, fake_docker* s)
{
	uint64_t end = now_ms() + WAIT_MS;
	while (now_ms() < end) {
		host_wait_async(h, 100);
		host_drain_async(h);
		if (both_listed(h) && fake_docker_hits(s, FAKE_DOCKER_ROUTE_EVENTS) > 0 &&
		    fake_docker_inspects(s, 0) >= 2 && fake_docker_answer_hits(s, ANSWER_LOOKUP_D) >= 2)
			return true;
	}
	return false;
}

static host* open_cycle(const char* dir)
{
	char cfg[1024];
	snprintf(cfg, sizeof(cfg),
	         "{\"log_level\":\"error\",\"engines\":{"
	         "\"docker\":{\"enabled\":true,\"sockets\":[\"%s/docker.sock\"]},"
	         "\"podman\":{\"enabled\":true,\"sockets\":[\"%s/podman.sock\"]},"
	         "\"containerd\":{\"enabled\":false},\"cri\":{\"enabled\":false}}}",
	         dir, dir);
	host* h = host_new();
	if (!h)
		return NULL;
	if (host_load(h, PLUGIN_SO_PATH) || host_init(h, cfg) || host_open_live(h)) {
		fprintf(stderr, "  host: %s\n", host_last_error(h));
		host_free(h);
		return NULL;
	}
	return h;
}

static void feed_events(host* h)
{
	spawn(h, 100, "/docker/" ID_A);
	spawn(h, 101, "/system.slice/docker-" ID_B ".scope");
	spawn(h, 102, "/user.slice/user-1000.slice/session-2.scope");
	announce(h, "container",
	         "{\"container\":{\"type\":0,\"id\":\"c3c3c3c3c3c3\",\"full_id\":\"" ID_C "\","
	         "\"name\":\"announced\",\"image\":\"busybox:1\",\"labels\":{\"k\":\"v\"}}}");
	spawn(h, 103, "/docker/" ID_C);
	spawn(h, 104, "/docker/" ID_D);
}

static void check_fields(host* h)
{
	CHECK_STR(field(h, 100, "container.id"), "a1a1a1a1a1a1");
	CHECK_STR(field(h, 100, "container.image"), "nginx:1.25");
	CHECK_STR(field(h, 100, "container.type"), "docker");
	CHECK_STR(field(h, 100, "container.ip"), "172.17.0.2");
	CHECK_STR(field(h, 100, "container.label[app]"), "web-a");
	CHECK_STR(field(h, 100, "container.mount.dest[0]"), "/data");
	CHECK_STR(field(h, 101, "container.ip"), "172.17.0.3");
	CHECK_STR(field(h, 102, "container.name"), "host");
	CHECK_STR(field(h, 103, "container.name"), "announced");
	CHECK_STR(field(h, 104, "container.id"), "d4d4d4d4d4d4");
	CHECK(field(h, 104, "container.name") == NULL);
	uint32_t n = 0;
	const ss_plugin_metric* m = host_metrics(h, &n);
	CHECK(m && n >= 1 && m[0].value.u64 >= 3);
}

/* Container exits and a removal, so that the cache changes while the worker runs. */
static void feed_exits(host* h)
{
	feed(h, evt_procexit(ts_now++, 101, 0)); /* B's init: the plugin emits container_removed */
	announce(h, "container_removed",
	         "{\"container\":{\"type\":0,\"id\":\"c3c3c3c3c3c3\",\"full_id\":\"" ID_C "\"}}");
	host_drain_async(h);
	CHECK(field(h, 103, "container.name") == NULL);
}

/*
 * The podman socket, absent at open, appears: the worker's once-a-second check
 * attaches it, so the capture closes with two engines streaming.
 */
static void podman_appears(host* h, fake_docker** podman, const char* dir)
{
	fake_docker* p = *podman = engine_new(dir, "podman.sock");
	REQUIRE(p);
	uint64_t end = now_ms() + WAIT_MS;
	while (now_ms() < end && !fake_docker_hits(p, FAKE_DOCKER_ROUTE_EVENTS)) {
		host_wait_async(h, 100);
		host_drain_async(h);
	}
	CHECK(fake_docker_hits(p, FAKE_DOCKER_ROUTE_LIST) >= 1);
	CHECK(fake_docker_hits(p, FAKE_DOCKER_ROUTE_EVENTS) >= 1);
}

static void run_capture(host* h, fake_docker* docker, fake_docker** podman, const char* dir,
                        bool hotplug)
{
	feed_events(h);
	bool cached = wait_cached(h, docker);
	if (!cached)
		fprintf(stderr, "  containers not cached in %d ms\n", WAIT_MS);
	CHECK(cached);
	check_fields(h);
	feed_exits(h);
	if (hotplug)
		podman_appears(h, podman, dir);
}

static void one_cycle(int before, bool hotplug)
{
	char dir[] = "/tmp/loadcycle.XXXXXX";
	REQUIRE(mkdtemp(dir));
	fake_docker *docker = engine_new(dir, "docker.sock"), *podman = NULL;
	REQUIRE(docker);
	host* h = open_cycle(dir);
	CHECK(h != NULL);
	if (h) {
		CHECK(task_count() >= before + 2); /* the fake engine's and the plugin's worker */
		CHECK(mapped("libcontainer.so"));
		run_capture(h, docker, &podman, dir, hotplug);
		CHECK(host_close(h) == 0);
		host_free(h); /* plugin_destroy, then dlclose */
	}
	unsigned lists = fake_docker_hits(docker, FAKE_DOCKER_ROUTE_LIST);
	fake_docker_free(docker);
	fake_docker_free(podman);
	rmdir(dir);
	CHECK(lists >= 1);
}

static void* nothing(void* arg)
{
	return arg;
}

/*
 * ThreadSanitizer starts a helper thread of its own at the first
 * pthread_create: one thread made and joined first keeps it out of the count.
 */
static void warm_up_threads(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, nothing, NULL) == 0)
		pthread_join(t, NULL);
}

TEST(load_open_close_unload_cycles)
{
	unsetenv("HOST_ROOT"); /* the sockets are absolute paths of this test */
	int alone = task_count();
	warm_up_threads();
	int before = task_count_settled(alone), fds = fd_count();
	REQUIRE(before > 0 && fds > 0);
	for (int i = 0; i < CYCLES; i++) {
		uint64_t t0 = now_ms();
		one_cycle(before, i == 1);
		int after = task_count_settled(before);
		printf("  cycle %d: %llu ms, threads %d -> %d, fds %d -> %d\n", i,
		       (unsigned long long)(now_ms() - t0), before, after, fds, fd_count());
		CHECK_INT(after, before);
		CHECK_INT(fd_count(), fds);
		CHECK(!mapped("libcontainer.so"));
	}
}

TEST_MAIN(T(load_open_close_unload_cycles))
