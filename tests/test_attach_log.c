/*
 * The start-up log (docs/architecture.md "Start-up log"), through our host
 * with its log captured at Falco's default level (info): one line per
 * configured socket, with the right wording for each outcome, one more when
 * an absent socket appears, and nothing per event; a socket refusing for
 * 30 s warned about once.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "fake_docker.h"
#include "host.h"
#include "scap_events.h"
#include "test.h"

#define MAX_LINES 64

static struct {
	pthread_mutex_t mu;
	char* lines[MAX_LINES];
	size_t n;
} logbook = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* What Falco shows with its default log_level (info): notice and more severe. */
static void capture(void* arg, const char* component, const char* msg, ss_plugin_log_severity sev)
{
	(void)arg;
	if (sev > SS_PLUGIN_LOG_SEV_INFO || strcmp(component, "container"))
		return;
	pthread_mutex_lock(&logbook.mu);
	if (logbook.n < MAX_LINES)
		logbook.lines[logbook.n++] = strdup(msg);
	pthread_mutex_unlock(&logbook.mu);
	if (getenv("ATTACH_LOG_VERBOSE"))
		fprintf(stderr, "    %s\n", msg);
}

static size_t lines(void)
{
	pthread_mutex_lock(&logbook.mu);
	size_t n = logbook.n;
	pthread_mutex_unlock(&logbook.mu);
	return n;
}

/* How many captured lines are want (prefix: start with it). */
static int count_lines(const char* want, bool prefix)
{
	int hits = 0;
	size_t len = prefix ? strlen(want) : SIZE_MAX;
	pthread_mutex_lock(&logbook.mu);
	for (size_t i = 0; i < logbook.n; i++)
		hits += logbook.lines[i] && !strncmp(logbook.lines[i], want, len);
	pthread_mutex_unlock(&logbook.mu);
	return hits;
}

static int count_line(const char* want)
{
	return count_lines(want, false);
}

static void logbook_dump(void)
{
	pthread_mutex_lock(&logbook.mu);
	for (size_t i = 0; i < logbook.n; i++)
		fprintf(stderr, "  logged: %s\n", logbook.lines[i]);
	pthread_mutex_unlock(&logbook.mu);
}

static void logbook_clear(void)
{
	pthread_mutex_lock(&logbook.mu);
	for (size_t i = 0; i < logbook.n; i++)
		free(logbook.lines[i]);
	logbook.n = 0;
	pthread_mutex_unlock(&logbook.mu);
}

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static bool wait_lines(size_t n, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;
	while (lines() < n && now_ms() < end)
		usleep(10000);
	return lines() >= n;
}

/* A socket file nobody listens on: connections are refused. */
static int refusing_socket(const char* path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr*)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void spawn(host* h, int64_t tid, const char* id)
{
	char cg[128];
	snprintf(cg, sizeof(cg), "cpu=/docker/%s", id);
	const char* cgroups[] = {cg, NULL};
	evt_proc_info p = {.tid = tid, .pid = tid, .ptid = 1, .vtid = 7, .vpid = 7, .exe = "sh",
	                   .comm = "sh", .cgroups = cgroups};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, 1, &p);
	host_feed(h, e);
	free(e);
}

TEST(one_line_per_socket_then_one_when_it_appears)
{
	char dir[] = "/tmp/attachlog.XXXXXX";
	REQUIRE(mkdtemp(dir));
	char absent[256], refused[256];
	snprintf(absent, sizeof(absent), "%s/late.sock", dir);
	snprintf(refused, sizeof(refused), "%s/refused.sock", dir);
	int rfd = refusing_socket(refused);
	REQUIRE(rfd >= 0);

	fake_docker* up = fake_docker_new(NULL, "docker.sock");
	fake_docker* hung = fake_docker_new(NULL, "docker.sock");
	REQUIRE(up && hung);
	REQUIRE(fake_docker_add(up, "aaaa000000000000000000000000000000000000000000000000000000000001",
	                        "one") == 0);
	REQUIRE(fake_docker_add(up, "aaaa000000000000000000000000000000000000000000000000000000000002",
	                        "two") == 1);
	fake_docker_set_mode(hung, FAKE_DOCKER_MODE_HANG);
	REQUIRE(fake_docker_start(up) && fake_docker_start(hung));

	char cfg[2048];
	snprintf(cfg, sizeof(cfg),
	         "{\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"%s\",\"%s\",\"%s\","
	         "\"%s\"]},\"podman\":{\"enabled\":false},\"containerd\":{\"enabled\":false},"
	         "\"cri\":{\"enabled\":false}}}",
	         fake_docker_socket(up), absent, refused, fake_docker_socket(hung));
	host* h = host_new();
	REQUIRE(h);
	host_set_log(h, capture, NULL);
	REQUIRE(host_load(h, PLUGIN_SO_PATH) == 0 && host_init(h, cfg) == 0);
	REQUIRE(host_open_live(h) == 0);

	/* Within the hung engine's ping timeout (2 s) and a margin: four lines, no more. */
	CHECK(wait_lines(4, 6000));
	usleep(300000);
	char want[512];
	snprintf(want, sizeof(want), "docker socket %s: attached, 2 containers listed",
	         fake_docker_socket(up));
	CHECK_INT(count_line(want), 1);
	snprintf(want, sizeof(want), "docker socket %s: absent (attached when it appears)", absent);
	CHECK_INT(count_line(want), 1);
	snprintf(want, sizeof(want), "docker socket %s: connection refused, retrying in 125 ms",
	         refused);
	CHECK_INT(count_line(want), 1);
	snprintf(want, sizeof(want), "docker socket %s: timed out after ", fake_docker_socket(hung));
	CHECK_INT(count_lines(want, true), 1);
	CHECK_INT(lines(), 4);

	/* Events cost no line at this level, nor do the retries of the failing sockets. */
	for (int i = 0; i < 200; i++) {
		char id[65];
		snprintf(id, sizeof(id), "%064x", 0xbad000 + i);
		spawn(h, 5000 + i, id);
		host_drain_async(h);
	}
	usleep(500000);
	CHECK_INT(lines(), 4);

	/* The absent socket appears: one line, said once. */
	fake_docker* late = fake_docker_new(dir, "late.sock");
	REQUIRE(late && fake_docker_start(late));
	CHECK(wait_lines(5, 5000));
	usleep(300000);
	snprintf(want, sizeof(want), "docker socket %s appeared: attached, 0 containers listed",
	         absent);
	CHECK_INT(count_line(want), 1);
	CHECK_INT(lines(), 5);
	if (test_failures_in_case)
		logbook_dump();

	CHECK(host_close(h) == 0);
	host_free(h);
	fake_docker_free(late);
	fake_docker_free(up);
	fake_docker_free(hung);
	close(rfd);
	unlink(refused);
	rmdir(dir);
	logbook_clear();
}

/* With log_level error, not even these lines. */
TEST(error_level_silences_them)
{
	fake_docker* up = fake_docker_new(NULL, "docker.sock");
	REQUIRE(up && fake_docker_start(up));
	char cfg[1024];
	snprintf(cfg, sizeof(cfg),
	         "{\"log_level\":\"error\",\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":"
	         "[\"%s\",\"/nonexistent/docker.sock\"]},\"podman\":{\"enabled\":false},"
	         "\"containerd\":{\"enabled\":false},\"cri\":{\"enabled\":false}}}",
	         fake_docker_socket(up));
	host* h = host_new();
	REQUIRE(h);
	host_set_log(h, capture, NULL);
	REQUIRE(host_load(h, PLUGIN_SO_PATH) == 0 && host_init(h, cfg) == 0);
	REQUIRE(host_open_live(h) == 0);
	usleep(500000);
	CHECK_INT(lines(), 0);
	host_free(h);
	fake_docker_free(up);
	logbook_clear();
}

/*
 * A socket file that refuses every connection for 30 s (worker.c's
 * STALE_WARN_MS) is probably a stale bind mount: one warning saying so, not
 * before 30 s, not repeated while the refusals go on.
 */
TEST(stale_socket_warned_once_after_30_s)
{
	/* 37 s of waiting: stages that add nothing to it skip it (scripts/test.sh). */
	const char* slow = getenv("TEST_SKIP_SLOW");
	if (slow && *slow)
		SKIP(slow);
	char dir[] = "/tmp/attachlog.XXXXXX";
	REQUIRE(mkdtemp(dir));
	char refused[256];
	snprintf(refused, sizeof(refused), "%s/stale.sock", dir);
	int rfd = refusing_socket(refused);
	REQUIRE(rfd >= 0);
	char cfg[1024];
	REQUIRE(fake_docker_config(cfg, sizeof(cfg), refused));
	host* h = host_new();
	REQUIRE(h);
	host_set_log(h, capture, NULL);
	REQUIRE(host_load(h, PLUGIN_SO_PATH) == 0 && host_init(h, cfg) == 0);
	uint64_t opened = now_ms();
	REQUIRE(host_open_live(h) == 0);

	char want[512];
	snprintf(want, sizeof(want), "%s exists but has not answered for 30 s", refused);
	uint64_t end = opened + 40000;
	while (!count_lines(want, true) && now_ms() < end)
		usleep(50000);
	uint64_t warned = now_ms() - opened;
	printf("  stale-socket warning after %llu ms\n", (unsigned long long)warned);
	CHECK_INT(count_lines(want, true), 1);
	CHECK(warned >= 30000);
	usleep(5000000); /* the retries go on (every 4 s at most): no second warning */
	CHECK_INT(count_lines(want, true), 1);
	CHECK_INT(lines(), 2); /* with the start-up line "connection refused" */
	if (test_failures_in_case)
		logbook_dump();

	CHECK(host_close(h) == 0);
	host_free(h);
	close(rfd);
	unlink(refused);
	rmdir(dir);
	logbook_clear();
}

TEST_MAIN(T(one_line_per_socket_then_one_when_it_appears), T(error_level_silences_them),
          T(stale_socket_warned_once_after_30_s))
