/*
 * Churn soak (tests/integration/churn.h): N short-lived containers
 * (/bin/busybox true; on CRI sleep 1) created and removed through a real engine by
 * CONCURRENCY worker processes while the plugin, attached through our host,
 * follows them; prints the series every EVERY containers (the first sample,
 * the baseline, after the first 100): the heap (bytes of the blocks in use,
 * counted by the bench's allocator; glibc's mallinfo2 figure beside it),
 * fds and threads of the host process (which holds only our host and the
 * plugin), the plugin's cache
 * size and the engine's running containers; at the end the heap growth per
 * 1,000 containers churned and the final delta, both from the baseline.
 * Needs root (engines). Prints figures, asserts nothing about time.
 *
 *   bench_churn [-n N] [-c CONCURRENCY] [-e EVERY] [-r RESIDENT] [-x CONFIG] [ENGINE]
 *
 * ENGINE: docker (Docker 20.10, default), docker13 (Docker 26), cri (CRI on
 * containerd 1.6), cri13 (containerd 1.7). CONFIG is more top-level plugin
 * config, e.g. '"hooks":["start"]'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "churn.h"

enum { BASELINE = 100 };

static void print_point(void* arg, const churn_point* p)
{
	(void)arg;
	churn_print_point(p);
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_churn [-n N] [-c CONCURRENCY] [-e EVERY] [-r RESIDENT] "
	                "[-x CONFIG] [docker|docker13|cri|cri13]\n");
	return 2;
}

static bool positive(const char* s, int* out)
{
	char* end;
	long v = strtol(s, &end, 10);
	if (*end || v <= 0 || v > 10000000)
		return false;
	*out = (int)v;
	return true;
}

static void summary(const churn_result* r)
{
	const churn_point* base = &r->points[0];
	const churn_point* last = &r->points[r->npoints - 1];
	double delta = (double)last->heap - (double)base->heap;
	int churned = last->churned - base->churned;
	int unsettled = 0;
	for (int i = 0; i < r->npoints; i++)
		unsettled += !r->points[i].settled;
	double arena = (double)last->arena - (double)base->arena;
	printf("heap after %d containers: %llu bytes; at the end: %llu bytes; final delta %+.0f "
	       "bytes, %+.0f bytes per 1,000 containers churned (mallinfo2: %+.0f bytes, %+.0f per "
	       "1,000)\n",
	       base->churned, (unsigned long long)base->heap, (unsigned long long)last->heap, delta,
	       churned ? delta * 1000.0 / churned : 0.0, arena,
	       churned ? arena * 1000.0 / churned : 0.0);
	printf("fds %d -> %d, threads %d -> %d, cache %ld (running %ld); %d container runs "
	       "failed; %d samples not settled\n",
	       base->fds, last->fds, base->threads, last->threads, last->cache, last->running,
	       r->failed, unsettled);
}

int main(int argc, char** argv)
{
	churn_opts o = {.engine = "docker", .n = 10000, .concurrency = 20, .first = BASELINE,
	                .every = 1000, .resident = 5, .on_point = print_point};
	for (int c; (c = getopt(argc, argv, "n:c:e:r:x:h")) != -1;) {
		bool ok = (c == 'n' && positive(optarg, &o.n)) ||
		          (c == 'c' && positive(optarg, &o.concurrency)) ||
		          (c == 'e' && positive(optarg, &o.every)) ||
		          (c == 'r' && (o.resident = atoi(optarg)) >= 0) || (c == 'x' && (o.extra = optarg));
		if (!ok)
			return usage();
	}
	if (optind < argc)
		o.engine = argv[optind++];
	if (optind < argc)
		return usage();
	static churn_result r;
	printf("churn: %d short-lived containers on %s, %d at a time, %d resident; "
	       "heap/fds/threads are the host process's: only our host and the plugin\n",
	       o.n, o.engine, o.concurrency, o.resident);
	churn_print_header();
	char why[512] = "";
	int rc = churn_run(&o, &r, why, sizeof(why));
	if (rc <= 0) {
		printf("%s %s: %s\n", o.engine, rc ? "FAILED" : "skipped", why);
		return rc ? 1 : 0;
	}
	summary(&r);
	return 0;
}
