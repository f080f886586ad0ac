/*
 * The CRI engine (engines.md §6, container-plugin.md §8.4) against a private
 * containerd 1.6 (engines.sh start containerd), seen only through our host and
 * the loaded plugin .so, with only cri enabled. The test drives CRI itself
 * (no crictl in Debian 12) with itest_cri.h: the test-only requests of
 * engines.md §6.2.
 *
 *   a host-network pod (engines.md §8.4: empty hostname) with a container
 *   "app"; containerd 1.6 has no GetContainerEvents, so the engine re-lists
 *   every 2 s: create->event latency must stay under ~2.5 s; the container's
 *   real process resolves to a record with the pod's k8s fields; the sandbox's
 *   pause process resolves to the sandbox record; 5 more containers in the pod
 *   (latencies printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "itest.h"
#include "itest_cri.h"
#include "test.h"

enum { WAIT_MS = 10000, MAX_LAT_MS = 2600, N_MORE = 5 };

#define POD_NAME ITEST_CRI_POD_NAME
#define POD_NS ITEST_CRI_POD_NS
#define POD_UID ITEST_CRI_POD_UID
#define APP_IMAGE ITEST_CRI_IMAGE

static char skip_why[256];

typedef struct session {
	itest_session is;
	itest_cri cri;
} session;

/* The pid of task ID (a container or the sandbox's pause) in namespace k8s.io, or -1. */
static pid_t task_pid(session* s, const char* id)
{
	return itest_task_pid(s->is.t, "k8s.io", id);
}

/* Create + start NAME and wait for the plugin to have it; latency into *lat. */
static char* create_and_wait(session* s, const char* name, uint64_t* lat)
{
	itest_session* is = &s->is;
	host_drain_async(is->h);
	uint64_t t0 = 0, arrived = 0;
	char* id = itest_cri_create_start(&s->cri, name, NULL, &t0);
	CHECK(id != NULL);
	if (!id)
		return NULL;
	bool ok = itest_pump_until(is, itest_is_cached, id, WAIT_MS, &arrived);
	CHECK(ok);
	if (!ok) {
		free(id);
		return NULL;
	}
	*lat = arrived > t0 ? arrived - t0 : 0;
	printf("  %s (%.12s): create->event %llu ms\n", name, id, (unsigned long long)*lat);
	CHECK(*lat <= MAX_LAT_MS);
	return id;
}

static void body(session* s)
{
	itest_session* is = &s->is;
	REQUIRE(itest_open_plugin(is, "cri", NULL));
	itest_cri_init(&s->cri, is->sock, is->t);
	REQUIRE(itest_cri_run_pod(&s->cri));

	uint64_t lat[1 + N_MORE];
	size_t n = 0;
	char* app = create_and_wait(s, "app", &lat[n]);
	REQUIRE(app != NULL);
	n++;

	/* the container's real process */
	pid_t pid = task_pid(s, app);
	CHECK(pid > 0);
	CHECK(itest_pid_cgroup_has(pid, app));
	int64_t tid = pid > 0 ? itest_feed_real(is, pid) : -1;
	CHECK(tid > 0);
	if (tid > 0) {
		char short_id[13], short_pod[13];
		snprintf(short_id, sizeof(short_id), "%.12s", app);
		snprintf(short_pod, sizeof(short_pod), "%.12s", s->cri.pod_id);
		printf("  app: container.image = %s\n", itest_field(is, tid, "container.image"));
		CHECK_STR(itest_field(is, tid, "container.id"), short_id);
		CHECK_STR(itest_field(is, tid, "container.full_id"), app);
		CHECK_STR(itest_field(is, tid, "container.type"), "containerd");
		CHECK_STR(itest_field(is, tid, "container.name"), "app");
		CHECK_STR(itest_field(is, tid, "container.image"), APP_IMAGE);
		CHECK_STR(itest_field(is, tid, "k8s.pod.name"), POD_NAME);
		CHECK_STR(itest_field(is, tid, "k8s.ns.name"), POD_NS);
		CHECK_STR(itest_field(is, tid, "k8s.pod.uid"), POD_UID);
		CHECK_STR(itest_field(is, tid, "k8s.pod.sandbox_id"), short_pod);
		CHECK_STR(itest_field(is, tid, "k8s.pod.full_sandbox_id"), s->cri.pod_id);
		CHECK_STR(itest_field(is, tid, "k8s.pod.label[app]"), "itest");
		CHECK_STR(itest_field(is, tid, "container.host_network"), "true");
	}

	/* the pause process resolves to the sandbox record */
	pid_t ppid = task_pid(s, s->cri.pod_id);
	CHECK(ppid > 0);
	int64_t ptid = ppid > 0 ? itest_feed_real(is, ppid) : -1;
	CHECK(ptid > 0);
	if (ptid > 0) {
		char short_pod[13];
		snprintf(short_pod, sizeof(short_pod), "%.12s", s->cri.pod_id);
		CHECK(itest_pump_until(is, itest_is_cached, s->cri.pod_id, WAIT_MS, NULL));
		CHECK_STR(itest_field(is, ptid, "container.id"), short_pod);
		CHECK_STR(itest_field(is, ptid, "container.name"), POD_NAME);
		CHECK_STR(itest_field(is, ptid, "k8s.pod.name"), POD_NAME);
		CHECK_STR(itest_field(is, ptid, "k8s.pod.sandbox_id"), short_pod);
		printf("  pause: container.type = %s,", itest_field(is, ptid, "container.type"));
		printf(" image = %s,", itest_field(is, ptid, "container.image"));
		printf(" host_network = %s\n", itest_field(is, ptid, "container.host_network"));
		CHECK_STR(itest_field(is, ptid, "container.host_network"), "true");
	}
	free(app);

	for (int i = 0; i < N_MORE; i++) {
		char name[16];
		snprintf(name, sizeof(name), "app%d", i + 1);
		char* id = create_and_wait(s, name, &lat[n]);
		if (!id)
			break;
		n++;
		pid_t p = task_pid(s, id);
		int64_t t = p > 0 ? itest_feed_real(is, p) : -1;
		CHECK(t > 0);
		if (t > 0)
			CHECK_STR(itest_field(is, t, "container.name"), name);
		free(id);
	}
	CHECK_INT(n, 1 + N_MORE);
	double median = itest_median(lat, n);
	printf("cri create->event: median %.1f ms, max %llu ms (%zu containers)\n", median,
	       (unsigned long long)lat[n - 1], n);
}

TEST(cri_live)
{
	if (!itest_can_run("containerd", skip_why, sizeof(skip_why)))
		SKIP(skip_why);
	session s = {.cri.pod_id = NULL};
	REQUIRE(itest_session_init(&s.is, "containerd"));
	bool up = itest_session_start(&s.is, "containerd");
	CHECK(up);
	if (up)
		body(&s);
	host_free(s.is.h); /* joins the worker before the pod goes */
	s.is.h = NULL;
	if (up)
		CHECK(itest_cri_remove_pod(&s.cri));
	itest_cri_free(&s.cri);
	CHECK(itest_session_end(&s.is, "containerd", test_failures_in_case));
}

TEST_MAIN(T(cri_live))
