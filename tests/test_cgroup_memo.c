/*
 * Tests of cgroup_memo.c: per-path and whole-list answers equal the matcher
 * chain's, memo hits included, and lists the host would not take are refused.
 */
#include <stdlib.h>

#include "cgroup_memo.h"
#include "test.h"

#define H "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define H2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ALL                                                                                  \
	(CGROUP_ENGINE_BIT(CGROUP_ENGINE_DOCKER) | CGROUP_ENGINE_BIT(CGROUP_ENGINE_PODMAN) |      \
	 CGROUP_ENGINE_BIT(CGROUP_ENGINE_CRI) | CGROUP_ENGINE_BIT(CGROUP_ENGINE_CONTAINERD))

/* A list as events carry it: each "controller=path" NUL-terminated. */
#define L(s) s, sizeof(s) - 1

static cgroup_memo* memo_new(void)
{
	return calloc(1, sizeof(cgroup_memo));
}

static void check_list(cgroup_memo* m, const char* list, size_t len, cgroup_kind kind,
                       cgroup_engine engine, const char* id)
{
	cgroup_matchers ms = {.enabled = ALL};
	for (int round = 0; round < 2; round++) { /* a miss, then a hit */
		cgroup_match out = {.kind = CGROUP_ID, .id = "stale"};
		CHECK(cgroup_memo_match_list(m, &ms, list, len, &out));
		CHECK_INT(out.kind, kind);
		if (kind != CGROUP_HOST)
			CHECK_INT(out.engine, engine);
		CHECK_STR(out.id, id);
	}
}

TEST(test_list_container_and_host)
{
	cgroup_memo* m = memo_new();
	check_list(m, L("cpuset=/machine.slice/libpod-" H ".scope\0cpu=/machine.slice/libpod-" H
	                ".scope\0"),
	           CGROUP_ID, CGROUP_ENGINE_PODMAN, "7951fb549ab9");
	check_list(m, L("cpu=/user.slice/user-1000.slice/session-3.scope\0pids=/system.slice\0"),
	           CGROUP_HOST, CGROUP_ENGINE_NONE, "");
	/* The first path that is not host decides, wherever it is. */
	check_list(m, L("cpu=/user.slice\0memory=/docker/" H2 "\0pids=/docker/" H "\0"), CGROUP_ID,
	           CGROUP_ENGINE_DOCKER, "0123456789ab");
	/* Without the last string's NUL, and with empty paths skipped. */
	check_list(m, L("cpu=\0memory=/docker/" H), CGROUP_ID, CGROUP_ENGINE_DOCKER, "7951fb549ab9");
	cgroup_memo_free(m);
	free(m);
}

TEST(test_list_same_tail_other_list)
{
	/* Same length and tail (the hash), different head: the compare tells them apart. */
	cgroup_memo* m = memo_new();
	check_list(m, L("aaa=/docker/" H "\0"), CGROUP_ID, CGROUP_ENGINE_DOCKER, "7951fb549ab9");
	check_list(m, L("aaa=/dockerX" H "\0"), CGROUP_HOST, CGROUP_ENGINE_NONE, "");
	check_list(m, L("aaa=/docker/" H "\0"), CGROUP_ID, CGROUP_ENGINE_DOCKER, "7951fb549ab9");
	cgroup_memo_free(m);
	free(m);
}

TEST(test_list_refused)
{
	cgroup_memo* m = memo_new();
	cgroup_matchers ms = {.enabled = ALL};
	cgroup_match out;
	/* An entry without '=' (the host keeps its old list), even after a match. */
	CHECK(!cgroup_memo_match_list(m, &ms, L("cpu=/user.slice\0oops\0"), &out));
	CHECK(!cgroup_memo_match_list(m, &ms, L("cpu=/user.slice\0\0pids=/x\0"), &out));
	CHECK(!cgroup_memo_match_list(m, &ms, "", 0, &out));
	/* Refused lists are not memoised: still refused. */
	CHECK(!cgroup_memo_match_list(m, &ms, L("cpu=/user.slice\0oops\0"), &out));
	cgroup_memo_free(m);
	free(m);
}

TEST(test_path_memo_same_as_matcher)
{
	cgroup_memo* m = memo_new();
	cgroup_matchers ms = {.enabled = ALL};
	const char* paths[] = {"/docker/" H, "/user.slice", "/machine.slice/libpod-" H2 ".scope"};
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < 3; i++) {
			cgroup_match a, b;
			CHECK_INT(cgroup_memo_match(m, &ms, paths[i], &a), cgroup_match_path(&ms, paths[i], &b));
			CHECK_STR(a.kind == CGROUP_HOST ? "" : a.id, b.kind == CGROUP_HOST ? "" : b.id);
		}
	cgroup_memo_free(m);
	free(m);
}

TEST_MAIN(T(test_list_container_and_host), T(test_list_same_tail_other_list), T(test_list_refused),
          T(test_path_memo_same_as_matcher))
