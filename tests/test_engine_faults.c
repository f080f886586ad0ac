/*
 * Engines that misbehave (falco#3953 and friends): a socket that accepts and
 * never answers, one that answers garbage, one whose list is hostile JSON.
 * Neither init, the capture open, the event thread nor the close may hang,
 * and nothing crashes.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "host.h"
#include "test.h"

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static int listen_unix(const char* path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr*)&a, sizeof(a)) || listen(fd, 16)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

typedef struct fake_server {
	int fd;
	const char* (*answer)(const char* request);
	atomic_int stop;
	pthread_t thread;
} fake_server;

/* Answers every request on each connection with answer(request), then closes. */
static void* serve(void* arg)
{
	fake_server* s = arg;
	while (!atomic_load(&s->stop)) {
		int c = accept(s->fd, NULL, NULL);
		if (c < 0)
			break;
		char req[4096] = "";
		ssize_t n = read(c, req, sizeof(req) - 1);
		if (n > 0) {
			const char* a = s->answer(req);
			size_t len = strlen(a);
			while (len) {
				ssize_t w = write(c, a, len);
				if (w <= 0)
					break;
				a += w;
				len -= (size_t)w;
			}
		}
		close(c);
	}
	return NULL;
}

static host* open_on(const char* sock, uint64_t* open_ms)
{
	char cfg[1024];
	snprintf(cfg, sizeof(cfg),
	         "{\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"%s\"]},"
	         "\"podman\":{\"enabled\":false}}}",
	         sock);
	host* h = host_new();
	if (host_load(h, PLUGIN_SO_PATH) || host_init(h, cfg)) {
		host_free(h);
		return NULL;
	}
	uint64_t t0 = now_ms();
	if (host_open_live(h)) {
		host_free(h);
		return NULL;
	}
	*open_ms = now_ms() - t0;
	return h;
}

static void spawn_in_docker(host* h)
{
	const char* cg[] = {"cpu=/docker/7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8",
	                    NULL};
	const char* args[] = {NULL};
	evt_proc_info p = {.tid = 10, .pid = 10, .ptid = 1, .vtid = 1, .vpid = 1, .exe = "x",
	                   .comm = "x", .args = args, .cgroups = cg};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, 1, &p);
	host_feed(h, e);
	CHECK_STR(host_extract_str(h, e, "container.id"), "7951fb549ab9");
	free(e);
}

TEST(socket_that_never_answers)
{
	char path[] = "/tmp/hung.XXXXXX";
	REQUIRE(mkdtemp(path));
	char sock[128];
	snprintf(sock, sizeof(sock), "%s/docker.sock", path);
	int fd = listen_unix(sock); /* accepts (backlog) but never reads nor answers */
	REQUIRE(fd >= 0);
	uint64_t open_ms = 0;
	host* h = open_on(sock, &open_ms);
	REQUIRE(h);
	printf("  open with a hung engine: %llu ms\n", (unsigned long long)open_ms);
	CHECK(open_ms < 3000);
	uint64_t t0 = now_ms();
	spawn_in_docker(h); /* the event thread does not wait for the engine */
	CHECK(now_ms() - t0 < 100);
	t0 = now_ms();
	CHECK(host_close(h) == 0);
	printf("  close with a hung engine: %llu ms\n", (unsigned long long)(now_ms() - t0));
	CHECK(now_ms() - t0 < 1000);
	host_free(h);
	close(fd);
	unlink(sock);
	rmdir(path);
}

static const char* garbage(const char* req)
{
	(void)req;
	return "this is not HTTP at all\r\n\r\n\x01\x02";
}

static const char* hostile(const char* req)
{
	static char* big;
	if (strstr(req, "_ping"))
		return "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK";
	if (strstr(req, "/containers/json"))
		return "HTTP/1.1 200 OK\r\nContent-Length: 61\r\n\r\n"
		       "[{\"Id\":\"../../x\"},{\"Id\":7},{\"Id\":\"" "7951fb549ab9\"},null]";
	if (strstr(req, "/events"))
		return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
		       "{\"Action\":\"create\",\"Actor\":{\"ID\":\"zz\"}}\n{not json\n";
	if (!big) {
		/* A deep document instead of an inspect answer. */
		size_t depth = 100000;
		big = malloc(2 * depth + 128);
		int n = sprintf(big, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", 2 * depth);
		memset(big + n, '[', depth);
		memset(big + n + depth, ']', depth);
		big[n + 2 * depth] = 0;
	}
	return big;
}

static void run_fake(const char* (*answer)(const char*))
{
	char path[] = "/tmp/fake.XXXXXX";
	REQUIRE(mkdtemp(path));
	char sock[128];
	snprintf(sock, sizeof(sock), "%s/docker.sock", path);
	fake_server s = {.fd = listen_unix(sock), .answer = answer};
	REQUIRE(s.fd >= 0);
	pthread_create(&s.thread, NULL, serve, &s);
	uint64_t open_ms = 0;
	host* h = open_on(sock, &open_ms);
	CHECK(h != NULL);
	if (h) {
		CHECK(open_ms < 3000);
		spawn_in_docker(h);
		usleep(300 * 1000);
		host_drain_async(h);
		spawn_in_docker(h);
		CHECK(host_close(h) == 0);
		host_free(h);
	}
	atomic_store(&s.stop, 1);
	shutdown(s.fd, SHUT_RDWR);
	close(s.fd);
	pthread_join(s.thread, NULL);
	unlink(sock);
	rmdir(path);
}

TEST(engine_answering_garbage)
{
	run_fake(garbage);
}

TEST(engine_answering_hostile_json)
{
	run_fake(hostile);
}

TEST_MAIN(T(socket_that_never_answers), T(engine_answering_garbage),
          T(engine_answering_hostile_json))
