/*
 * Time to metadata on real engines (tests/integration/first_event.h): for
 * each engine, N containers started the way users start them while the
 * plugin, attached through our host, is fed live by the kernel's process
 * connector; prints the share of the containers' execve events parsed with
 * container.name and container.image, and the delay from a container's first
 * process to its record. Needs root (engines, connector); an engine that
 * cannot run here is reported as skipped.
 *
 *   bench_first_event [-n N] [-c CONFIG] [docker] [podman] [containerd] [cri] [docker13]...
 *
 * With no engine named, every engine of both generations (the suffix 13:
 * Debian 13's daemons, tests/integration/itest.h).
 *
 * CONFIG is more top-level plugin config, e.g. '"hooks":["start"]'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "first_event.h"

static const char* const all_engines[] = {"docker",   "podman",   "containerd",   "cri",
                                          "docker13", "podman13", "containerd13", "cri13"};

int main(int argc, char** argv)
{
	int n = 100, c;
	const char* extra = NULL;
	while ((c = getopt(argc, argv, "n:c:h")) != -1) {
		if (c == 'n' && atoi(optarg) > 0) {
			n = atoi(optarg);
			continue;
		}
		if (c == 'c') {
			extra = optarg;
			continue;
		}
		fprintf(stderr, "usage: bench_first_event [-n N] [-c CONFIG] "
		                "[docker|podman|containerd|cri][13]...\n");
		return 2;
	}
	const char* const* engines = optind < argc ? (const char* const*)argv + optind : all_engines;
	int count = optind < argc ? argc - optind : (int)(sizeof(all_engines) / sizeof(*all_engines));
	int failed = 0;
	printf("time to metadata: %d containers per engine, each exec'ing 3 commands at once\n", n);
	for (int i = 0; i < count; i++) {
		first_event_result r;
		char why[512] = "";
		int rc = first_event_run(engines[i], extra, n, &r, why, sizeof(why));
		if (rc > 0)
			first_event_print(&r);
		else
			printf("%-10s %s: %s\n", engines[i], rc ? "FAILED" : "skipped", why);
		failed += rc < 0;
	}
	return failed ? 1 : 0;
}
