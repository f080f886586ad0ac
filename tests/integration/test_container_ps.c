/*
 * container-ps against real engines: a container started in a private docker
 * daemon or podman service (every engine of itest.h's lists) shows up with
 * its name and image, host processes as host; with --follow, the processes of
 * a container started afterwards are printed as their events are parsed (the
 * process connector; skipped without it).
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"
#include "test.h"

/* Runs container-ps with a config for SOCK; returns its stdout (malloc'd) and exit status. */
static char* run_ps(const char* engine, const char* sock, const char* extra, int* status)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
	         "%s %s --config '{\"engines\":{\"docker\":{\"enabled\":%s,\"sockets\":[\"%s\"]},"
	         "\"podman\":{\"enabled\":%s,\"sockets\":[\"%s\"]}}}'",
	         CONTAINER_PS_PATH, extra, strcmp(itest_engine_kind(engine), "docker") ? "false" : "true",
	         sock, strcmp(itest_engine_kind(engine), "podman") ? "false" : "true", sock);
	FILE* p = popen(cmd, "r");
	if (!p)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char* out = calloc(1, cap);
	while (out && n + 1 < cap) {
		size_t r = fread(out + n, 1, cap - 1 - n, p);
		if (!r)
			break;
		n += r;
	}
	*status = pclose(p);
	return out;
}

static void check_engine(const char* engine, itest_api api)
{
	static char why[256];
	if (!itest_can_run(engine, why, sizeof(why)))
		SKIP(why);
	char* t = itest_tmpdir();
	REQUIRE(t);
	if (!itest_engine_start(engine, t)) {
		CHECK(!"engine start");
		itest_rmtree(t);
		free(t);
		return;
	}
	char sock[512];
	itest_engine_sock(sock, sizeof(sock), t, engine);
	char* id = itest_ctr_run_app(sock, api, "ps-web");
	CHECK(id != NULL);
	int status = -1;
	char* out = id ? run_ps(engine, sock, "", &status) : NULL;
	if (out) {
		char want[128];
		snprintf(want, sizeof(want), "%.12s ps-web", id);
		CHECK_INT(status, 0);
		CHECK(strstr(out, want) != NULL);
		CHECK(strstr(out, "localhost/app:1.0") != NULL);
		CHECK(strstr(out, "busybox sleep 3600") != NULL);
		CHECK(strstr(out, "      1 host") != NULL || strstr(out, " host ") != NULL);
		if (!strstr(out, want))
			fprintf(stderr, "%s\n", out);
	}
	free(out);
	out = id ? run_ps(engine, sock, "--json", &status) : NULL;
	if (out) {
		char want[128];
		snprintf(want, sizeof(want), "\"container.name\":\"ps-web\"");
		CHECK(strstr(out, want) != NULL);
	}
	free(out);
	if (id)
		itest_ctr_remove(sock, api, id);
	free(id);
	itest_engine_stop(engine, t);
	itest_rmtree(t);
	free(t);
}

/* container-ps --follow on SOCK (docker), its stdout on *fd; its pid. */
static pid_t spawn_follow(const char* sock, int* fd)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char cfg[1024];
		snprintf(cfg, sizeof(cfg),
		         "{\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"%s\"]},"
		         "\"podman\":{\"enabled\":false},\"containerd\":{\"enabled\":false},"
		         "\"cri\":{\"enabled\":false}}}",
		         sock);
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl(CONTAINER_PS_PATH, "container-ps", "--follow", "--wait", "500", "--config", cfg,
		      (char*)NULL);
		_exit(127);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

/* Reads FD into buf (appending) until NEEDLE is in it or TIMEOUT_MS pass. */
static bool read_until(int fd, char* buf, size_t size, const char* needle, unsigned timeout_ms)
{
	uint64_t end = itest_now_ms() + timeout_ms;
	size_t n = strlen(buf);
	while (!strstr(buf, needle)) {
		uint64_t now = itest_now_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (now >= end || poll(&p, 1, (int)(end - now)) <= 0)
			return false;
		ssize_t r = read(fd, buf + n, size - 1 - n);
		if (r <= 0)
			return false;
		n += (size_t)r;
		buf[n] = '\0';
	}
	return true;
}

TEST(container_ps_follow_docker)
{
	static char why[320];
	if (!itest_can_run("docker", why, sizeof(why)))
		SKIP(why);
	char* t = itest_tmpdir();
	REQUIRE(t);
	if (!itest_engine_start("docker", t)) {
		CHECK(!"engine start");
		itest_rmtree(t);
		free(t);
		return;
	}
	char sock[512];
	itest_engine_sock(sock, sizeof(sock), t, "docker");
	int fd = -1;
	pid_t ps = spawn_follow(sock, &fd);
	CHECK(ps > 0);
	size_t cap = 1 << 20;
	char* out = calloc(1, cap);
	if (ps > 0 && out && !read_until(fd, out, cap, "# following", 15000)) {
		/* no connector here: container-ps said why on stderr and exited 1 */
		int st = 0;
		waitpid(ps, &st, 0);
		ps = -1;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
			snprintf(why, sizeof(why), "container-ps --follow could not start (stderr above)");
		else
			CHECK(!"container-ps --follow printed no '# following' line");
	}
	char* id = NULL;
	if (ps > 0) {
		/* a later exec, 1 s in, finds the record there */
		itest_engines_sh(&id, "docker", t, "run", "-d", "--name", "ps-follow", "--network",
		                 "none", "localhost/app:1.0", "/bin/busybox", "sh", "-c",
		                 "/bin/busybox sleep 1; /bin/busybox true; exec /bin/busybox sleep 3600",
		                 NULL);
		CHECK(id && strlen(id) == 64);
	}
	if (id && strlen(id) == 64) {
		char want[64];
		snprintf(want, sizeof(want), "%.12s ", id);
		CHECK(read_until(fd, out, cap, want, 10000));
		snprintf(want, sizeof(want), "%.12s ps-follow ", id);
		CHECK(read_until(fd, out, cap, want, 10000));
		CHECK(strstr(out, "localhost/app:1.0") != NULL);
		CHECK(strstr(out, "/bin/busybox true") != NULL || strstr(out, "busybox sleep") != NULL);
		if (test_failures_in_case)
			fprintf(stderr, "%s\n", out);
	}
	if (ps > 0) {
		kill(ps, SIGTERM);
		int st = 0;
		CHECK(waitpid(ps, &st, 0) == ps);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	if (fd >= 0)
		close(fd);
	free(out);
	free(id);
	itest_engine_stop("docker", t);
	itest_rmtree(t);
	free(t);
	if (ps < 0 && why[0] && !test_failures_in_case)
		SKIP(why);
}

#define DOCKER_PS(e) \
	TEST(container_ps_##e) { check_engine(#e, ITEST_DOCKER); }
#define PODMAN_PS(e) \
	TEST(container_ps_##e) { check_engine(#e, ITEST_LIBPOD); }
#define CASES(e) T(container_ps_##e),
ITEST_DOCKER_ENGINES(DOCKER_PS)
ITEST_PODMAN_ENGINES(PODMAN_PS)

TEST(container_ps_bad_usage)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s --no-such-option 2>/dev/null", CONTAINER_PS_PATH);
	int st = system(cmd);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	snprintf(cmd, sizeof(cmd), "%s --config '{\"bad\":1}' 2>/dev/null", CONTAINER_PS_PATH);
	st = system(cmd);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
}

TEST_MAIN(ITEST_DOCKER_ENGINES(CASES) ITEST_PODMAN_ENGINES(CASES) T(container_ps_follow_docker),
              T(container_ps_bad_usage))
