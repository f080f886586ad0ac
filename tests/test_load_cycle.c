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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
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

/*
 * ---- a fake engine on a unix socket --------------------------------------------
 * It speaks the Docker API; podman's libpod paths (/libpod/_ping,
 * /v1.41/libpod/containers/json, ...) contain the same markers, so one server
 * plays both engines.
 */

#define MAX_STREAMS 8

typedef struct fake_engine {
	char sock[96]; /* fits sun_path */
	int fd;
	pthread_t thread;
	atomic_int stop;
	atomic_int n_list, n_inspect_a, n_lookup_d, n_events;
	int streams[MAX_STREAMS]; /* /events connections, held open until stop */
	int nstreams;
} fake_engine;

static void send_all(int c, const char* p, size_t len)
{
	while (len) {
		ssize_t w = send(c, p, len, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		len -= (size_t)w;
	}
}

static void reply(int c, const char* status, const char* body)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.1 %s\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	                 status, strlen(body));
	send_all(c, head, (size_t)n);
	send_all(c, body, strlen(body));
}

static void reply_inspect(int c, const char* id, const char* name, const char* ip)
{
	char body[1024];
	snprintf(body, sizeof(body),
	         "{\"Id\":\"%s\",\"Name\":\"/%s\",\"Created\":\"2024-11-07T09:18:06Z\","
	         "\"Image\":\"sha256:" IMG "\",\"State\":{\"Pid\":4242,\"Running\":true},"
	         "\"Config\":{\"Image\":\"nginx:1.25\",\"User\":\"\",\"Env\":[\"A=1\"],"
	         "\"Labels\":{\"app\":\"%s\"}},\"HostConfig\":{\"NetworkMode\":\"default\"},"
	         "\"NetworkSettings\":{\"IPAddress\":\"%s\"},\"Mounts\":[{\"Source\":\"/srv\","
	         "\"Destination\":\"/data\",\"Mode\":\"\",\"RW\":true,\"Propagation\":\"\"}]}",
	         id, name, name, ip);
	reply(c, "200 OK", body);
}

/* Headers without a length (the body ends at close), then one event; the caller keeps c. */
static void start_stream(int c)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
	                           "Content-Type: application/json\r\n\r\n";
	char ev[512];
	long long t = (long long)time(NULL);
	int n = snprintf(ev, sizeof(ev),
	                 "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID_A
	                 "\",\"Attributes\":{\"image\":\"nginx:1.25\"}},\"time\":%lld,"
	                 "\"timeNano\":%lld000000000}\n",
	                 t, t);
	send_all(c, head, sizeof(head) - 1);
	send_all(c, ev, (size_t)n);
}

/* Answers one request; true when c must stay open (an event stream). */
static bool route(fake_engine* s, int c, const char* path)
{
	if (strstr(path, "/_ping")) {
		reply(c, "200 OK", "OK");
	} else if (strstr(path, "/version")) {
		reply(c, "200 OK", "{\"ApiVersion\":\"1.41\",\"Version\":\"24.0.7\"}");
	} else if (strstr(path, "/containers/json")) {
		atomic_fetch_add(&s->n_list, 1);
		reply(c, "200 OK", "[{\"Id\":\"" ID_A "\"},{\"Id\":\"" ID_B "\"}]");
	} else if (strstr(path, "/containers/" ID_A "/json")) {
		atomic_fetch_add(&s->n_inspect_a, 1);
		reply_inspect(c, ID_A, "web-a", "172.17.0.2");
	} else if (strstr(path, "/containers/" ID_B "/json")) {
		reply_inspect(c, ID_B, "db-b", "172.17.0.3");
	} else if (strstr(path, "/images/sha256:" IMG "/json")) {
		reply(c, "200 OK", "{\"Id\":\"sha256:" IMG "\",\"RepoTags\":[\"nginx:1.25\"],"
		                   "\"RepoDigests\":[\"nginx@sha256:" IMG "\"]}");
	} else if (strstr(path, "/containers/d4d4d4d4d4d4")) { /* by short id: a lookup */
		atomic_fetch_add(&s->n_lookup_d, 1);
		reply(c, "404 Not Found", "{\"message\":\"No such container\"}");
	} else if (strstr(path, "/events") && s->nstreams < MAX_STREAMS) {
		atomic_fetch_add(&s->n_events, 1);
		start_stream(c);
		s->streams[s->nstreams++] = c;
		return true;
	} else {
		reply(c, "404 Not Found", "{\"message\":\"No such container\"}");
	}
	return false;
}

/* Reads up to the end of the request headers (curl sends one GET at a time). */
static bool read_request(int c, char* buf, size_t cap)
{
	size_t len = 0;
	while (len + 1 < cap) {
		ssize_t n = recv(c, buf + len, cap - 1 - len, 0);
		if (n <= 0)
			return false;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return true;
	}
	return false;
}

static void* serve(void* arg)
{
	fake_engine* s = arg;
	while (!atomic_load(&s->stop)) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		struct timeval tv = {2, 0}; /* a silent client must not stall the others */
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		char req[4096], path[2048] = "";
		if (read_request(c, req, sizeof(req)) && sscanf(req, "GET %2047s ", path) == 1 &&
		    route(s, c, path))
			continue;
		close(c);
	}
	for (int i = 0; i < s->nstreams; i++)
		close(s->streams[i]);
	return NULL;
}

static bool fake_start(fake_engine* s, const char* dir, const char* name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->sock, sizeof(s->sock), "%s/%s", dir, name);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", s->sock);
	s->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr*)&a, sizeof(a)) || listen(s->fd, 16) ||
	    pthread_create(&s->thread, NULL, serve, s)) {
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1; /* nothing to stop */
		unlink(s->sock);
		return false;
	}
	return true;
}

static void fake_stop(fake_engine* s)
{
	atomic_store(&s->stop, 1);
	shutdown(s->fd, SHUT_RDWR); /* wakes accept() */
	pthread_join(s->thread, NULL);
	close(s->fd);
	unlink(s->sock);
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
static bool wait_cached(host* h, fake_engine* s)
{
	uint64_t end = now_ms() + WAIT_MS;
	while (now_ms() < end) {
		host_wait_async(h, 100);
		host_drain_async(h);
		if (both_listed(h) && atomic_load(&s->n_events) > 0 &&
		    atomic_load(&s->n_inspect_a) >= 2 && atomic_load(&s->n_lookup_d) >= 2)
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
static void podman_appears(host* h, fake_engine* p, const char* dir)
{
	REQUIRE(fake_start(p, dir, "podman.sock"));
	uint64_t end = now_ms() + WAIT_MS;
	while (now_ms() < end && !atomic_load(&p->n_events)) {
		host_wait_async(h, 100);
		host_drain_async(h);
	}
	CHECK(atomic_load(&p->n_list) >= 1);
	CHECK(atomic_load(&p->n_events) >= 1);
}

static void run_capture(host* h, fake_engine* docker, fake_engine* podman, const char* dir,
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
	fake_engine docker, podman = {.fd = -1};
	REQUIRE(fake_start(&docker, dir, "docker.sock"));
	host* h = open_cycle(dir);
	CHECK(h != NULL);
	if (h) {
		CHECK(task_count() >= before + 2); /* the fake engine's and the plugin's worker */
		CHECK(mapped("libcontainer.so"));
		run_capture(h, &docker, &podman, dir, hotplug);
		CHECK(host_close(h) == 0);
		host_free(h); /* plugin_destroy, then dlclose */
	}
	fake_stop(&docker);
	if (podman.fd >= 0)
		fake_stop(&podman);
	rmdir(dir);
	CHECK(atomic_load(&docker.n_list) >= 1);
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
