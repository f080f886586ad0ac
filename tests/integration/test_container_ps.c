/*
 * container-ps against real engines: a container started in a private docker
 * daemon or podman service (every engine of itest.h's lists) shows up with
 * its name and image, host processes as host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

TEST_MAIN(ITEST_DOCKER_ENGINES(CASES) ITEST_PODMAN_ENGINES(CASES) T(container_ps_bad_usage))
