/*
 * Churn without leaks, the small version of bench_churn (churn.h): 500
 * short-lived containers (/bin/busybox true) created and removed through
 * Debian 13's dockerd (Docker 26; Debian 12's when the Debian 13 root is
 * absent, as in the ASan stage), 20 at a time, beside 3 resident ones, while the plugin
 * follows them through our host; sampled after the first 100 (the baseline)
 * and every 100 after, each time once the workers are idle and the plugin's
 * async events are delivered. Required at every sample: the containers
 * table holds exactly the engine's running containers (the removals were
 * parsed); at the end: every churned container's removal reached the plugin
 * once, and the host process (our host and the plugin) has grown by at most
 * 64 KiB of heap since the baseline, and by no fd and no thread.
 *
 * The plugin keeps a bounded set of removal marks (4096 ids, plugin/gone.c):
 * 400 containers add about 40 KiB of them, inside the 64 KiB.
 */
#include <stdio.h>

#include "churn.h"
#include "itest.h"
#include "test.h"

/* The ASan stage (scripts/test.sh) churns 150, its leak check at exit
 * covering what the churn allocated: the 500 run there would add two minutes
 * to a command kept near twenty. */
#if defined(__SANITIZE_ADDRESS__)
enum { N = 150, BASELINE = 50, EVERY = 50 };
#else
enum { N = 500, BASELINE = 100, EVERY = 100 };
#endif

enum {
	RESIDENT = 3,
	HEAP_SLACK = 64 * 1024,
};

static char why[512];

static void print_point(void* arg, const churn_point* p)
{
	(void)arg;
	churn_print_point(p);
}

static void run(const char* engine)
{
	churn_opts o = {.engine = engine, .n = N, .concurrency = 20, .first = BASELINE,
	                .every = EVERY, .resident = RESIDENT, .on_point = print_point};
	static churn_result r;
	churn_print_header();
	int rc = churn_run(&o, &r, why, sizeof(why));
	if (rc == 0)
		SKIP(why);
	if (rc < 0)
		fprintf(stderr, "  %s: %s\n", engine, why);
	REQUIRE(rc > 0);
	REQUIRE(r.npoints == (N - BASELINE) / EVERY + 1);
	const churn_point* base = &r.points[0];
	const churn_point* last = &r.points[r.npoints - 1];
	CHECK_INT(r.failed, 0);
	CHECK_INT(base->churned, BASELINE);
	CHECK_INT(last->churned, N);
	CHECK_INT(r.start.running, RESIDENT);
	CHECK_INT(r.start.cache, RESIDENT);
	for (int i = 0; i < r.npoints; i++) {
		CHECK(r.points[i].settled);
		CHECK_INT(r.points[i].running, RESIDENT);
		CHECK_INT(r.points[i].cache, r.points[i].running);
	}
	CHECK_INT(last->removed - r.start.removed, N);
	printf("  heap %+lld bytes since the first %d (limit %d), fds %d -> %d, threads %d -> %d\n",
	       (long long)last->heap - (long long)base->heap, BASELINE, HEAP_SLACK, base->fds,
	       last->fds, base->threads, last->threads);
	CHECK(last->heap <= base->heap + HEAP_SLACK);
	CHECK(last->fds <= base->fds);
	CHECK(last->threads <= base->threads);
}

/* Debian 12's dockerd (20.10) hung under this churn at times (its
 * libnetwork-setkey hooks blocked; once at 200 containers in a clean-clone
 * run); Docker 26 churned 10,000 without a failure. */
TEST(churn_docker)
{
	char no13[256];
	run(itest_can_run("docker13", no13, sizeof(no13)) ? "docker13" : "docker");
}

TEST_MAIN(T(churn_docker))
