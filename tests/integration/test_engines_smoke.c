/*
 * Proves the integration-test infrastructure (engines.sh + itest.c): each
 * private engine starts, runs containers of the test image whose process
 * the kernel shows in the engine's cgroup, kills and removes them through
 * the REST API, and stops without leaving a process behind. Prints each
 * engine's version and how long start and stop took. Every engine of
 * itest.h's lists (both generations).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "itest.h"
#include "test.h"

static char skip_why[256]; /* SKIP reasons must outlive the test function */

/* True if something accepts connections on the unix socket PATH. */
static bool sock_listening(const char* path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr*)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Skips when the engine cannot run here; else sets T (malloc'd) and SOCK
 * (a char array) with the engine started and listening, or records a failure
 * and returns. */
#define ENGINE_UP(engine, t, sock)                                                   \
	do {                                                                             \
		if (!itest_can_run((engine), skip_why, sizeof(skip_why)))                    \
			SKIP(skip_why);                                                          \
		(t) = itest_tmpdir();                                                        \
		REQUIRE((t) != NULL);                                                        \
		uint64_t t0_ = itest_now_ms();                                               \
		bool up_ = itest_engine_start((engine), (t));                                \
		printf("  %s: start %llu ms\n", (engine),                                   \
		       (unsigned long long)(itest_now_ms() - t0_));                          \
		itest_engine_sock((sock), sizeof(sock), (t), (engine));                      \
		CHECK(up_ && sock_listening(sock));                                          \
		if (!up_) { /* T is kept for the engine's log */                            \
			itest_engine_stop((engine), (t));                                        \
			free(t);                                                                 \
			return;                                                                  \
		}                                                                            \
	} while (0)

/* Stops the engine, checks that nothing of it is left, removes T. */
static void engine_down(const char* engine, char* t)
{
	uint64_t t0 = itest_now_ms();
	CHECK(itest_engine_stop(engine, t));
	printf("  %s: stop %llu ms\n", engine, (unsigned long long)(itest_now_ms() - t0));
	CHECK_INT(itest_count_procs(t), 0);
	char sock[ITEST_PATH_MAX];
	itest_engine_sock(sock, sizeof(sock), t, engine);
	CHECK(!sock_listening(sock));
	if (test_failures_in_case)
		fprintf(stderr, "  keeping %s for its logs\n", t);
	else
		itest_rmtree(t);
	free(t);
}

static bool pid_gone(void* ctx)
{
	return !itest_pid_alive(*(pid_t*)ctx);
}

static bool is_running(const char* sock, itest_api api, const char* id)
{
	json_t* doc = itest_ctr_inspect(sock, api, id);
	int running = 0;
	json_unpack(doc, "{s:{s:b}}", "State", "Running", &running);
	json_decref(doc);
	return running;
}

/* Removes container ID and checks that the engine no longer knows it. */
static void remove_checked(const char* sock, itest_api api, const char* id)
{
	CHECK(itest_ctr_remove(sock, api, id));
	char path[128];
	snprintf(path, sizeof(path), "%s/containers/%s/json", api == ITEST_LIBPOD ? "/v4.0.0/libpod" : "",
	         id);
	itest_http r;
	CHECK(itest_http_call(&r, sock, "GET", path, NULL));
	CHECK_INT(r.status, 404);
	itest_http_free(&r);
}

/* Create, start, inspect, find in /proc, kill, remove: one container of the image. */
static void container_cycle(const char* sock, itest_api api)
{
	char* id = itest_ctr_run_app(sock, api, "itest-smoke");
	REQUIRE(id != NULL);
	CHECK_INT(strlen(id), 64);

	json_t* doc = itest_ctr_inspect(sock, api, id);
	CHECK(doc != NULL);
	CHECK_STR(json_string_value(json_object_get(doc, "Id")), id);
	CHECK_STR(json_string_value(json_object_get(doc, "Name")),
	          api == ITEST_DOCKER ? "/itest-smoke" : "itest-smoke");
	const char* label = NULL;
	const char* netmode = NULL;
	CHECK(!json_unpack(doc, "{s:{s:{s:s}}, s:{s:s}}", "Config", "Labels", "org.example.built-by",
	                   &label, "HostConfig", "NetworkMode", &netmode));
	CHECK_STR(label, "tests");
	CHECK_STR(netmode, "none");
	json_decref(doc);
	CHECK(is_running(sock, api, id));

	pid_t pid = itest_ctr_pid(sock, api, id);
	CHECK(pid > 0);
	CHECK(itest_pid_alive(pid));
	CHECK(itest_pid_cgroup_has(pid, id));

	CHECK(itest_ctr_kill(sock, api, id, "KILL"));
	CHECK(itest_wait_until(pid_gone, &pid, 10000));
	CHECK(!is_running(sock, api, id));
	remove_checked(sock, api, id);
	free(id);
}

/* A container removed while it runs: its process goes too. */
static void remove_running(const char* sock, itest_api api)
{
	char* id = itest_ctr_run_app(sock, api, NULL);
	REQUIRE(id != NULL);
	pid_t pid = itest_ctr_pid(sock, api, id);
	CHECK(itest_pid_alive(pid));
	remove_checked(sock, api, id);
	CHECK(itest_wait_until(pid_gone, &pid, 10000));
	free(id);
}

/* The server's version, from GET /version (Docker's, also served by Podman). */
static void print_version(const char* engine, const char* sock)
{
	itest_http r;
	itest_http_call(&r, sock, "GET", "/version", NULL);
	json_t* doc = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
	const char *v = NULL, *api = NULL;
	CHECK(!json_unpack(doc, "{s:s, s:s}", "Version", &v, "ApiVersion", &api));
	printf("  %s: version %s, API %s\n", engine, v ? v : "?", api ? api : "?");
	json_decref(doc);
	itest_http_free(&r);
}

static void api_smoke(const char* engine, itest_api api)
{
	char *t, sock[ITEST_PATH_MAX];
	ENGINE_UP(engine, t, sock);
	print_version(engine, sock);
	container_cycle(sock, api);
	remove_running(sock, api);
	engine_down(engine, t);
}

static void ctr_smoke(const char* engine)
{
	char *t, sock[ITEST_PATH_MAX];
	ENGINE_UP(engine, t, sock);
	char* out = NULL;
	CHECK_INT(itest_engines_sh(&out, "cli", engine, t, "version", NULL), 0);
	const char* server = out ? strstr(out, "Server:") : NULL;
	CHECK(server != NULL);
	const char* v = server ? strstr(server, "Version:") : NULL;
	if (v)
		printf("  %s: version %.*s\n", engine, (int)strcspn(v + 8 + strspn(v + 8, " "), "\n"),
		       v + 8 + strspn(v + 8, " "));
	free(out);
	CHECK_INT(itest_engines_sh(&out, "cli", engine, t, "-n", "k8s.io", "images", "ls", "-q", NULL),
	          0);
	CHECK(out && strstr(out, "localhost/app:1.0") && strstr(out, "localhost/pause:1.0"));
	free(out);
	engine_down(engine, t);
}

#define DOCKER_SMOKE(e) \
	TEST(e##_smoke) { api_smoke(#e, ITEST_DOCKER); }
#define PODMAN_SMOKE(e) \
	TEST(e##_smoke) { api_smoke(#e, ITEST_LIBPOD); }
#define CONTAINERD_SMOKE(e) \
	TEST(e##_smoke) { ctr_smoke(#e); }
#define CASES(e) T(e##_smoke),
ITEST_DOCKER_ENGINES(DOCKER_SMOKE)
ITEST_PODMAN_ENGINES(PODMAN_SMOKE)
ITEST_CONTAINERD_ENGINES(CONTAINERD_SMOKE)

/* True if DIR_A/NAME and DIR_B/NAME exist and have the same bytes. */
static bool same_file(const char* dir_a, const char* dir_b, const char* name)
{
	char path[ITEST_PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir_a, name);
	FILE* fa = fopen(path, "rb");
	snprintf(path, sizeof(path), "%s/%s", dir_b, name);
	FILE* fb = fopen(path, "rb");
	bool same = fa && fb;
	while (same) {
		int ca = getc(fa), cb = getc(fb);
		same = ca == cb;
		if (ca == EOF)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Two builds of the image archives are byte-identical. */
TEST(image_reproducible)
{
	if (!itest_can_run("image", skip_why, sizeof(skip_why)))
		SKIP(skip_why);
	char* t = itest_tmpdir();
	REQUIRE(t != NULL);
	char a[ITEST_PATH_MAX], b[ITEST_PATH_MAX];
	snprintf(a, sizeof(a), "%.200s/a", t);
	snprintf(b, sizeof(b), "%.200s/b", t);
	CHECK_INT(itest_engines_sh(NULL, "image", a, NULL), 0);
	CHECK_INT(itest_engines_sh(NULL, "image", b, NULL), 0);
	CHECK(same_file(a, b, "app.tar"));
	CHECK(same_file(a, b, "pause.tar"));
	CHECK(!same_file(a, b, "no-such.tar"));
	itest_rmtree(t);
	free(t);
}

TEST_MAIN(T(image_reproducible), ITEST_DOCKER_ENGINES(CASES) ITEST_PODMAN_ENGINES(CASES)
              ITEST_CONTAINERD_ENGINES(CASES))
