/*
 * Time to metadata: how often the first events of a new container are parsed
 * without its name and image (a Falco alert's "<NA>"). A private engine is
 * started, the plugin is attached through our host, fed live by the process
 * connector (host/proc_events.h) on one event thread, and N containers are
 * started the way users start them, each exec'ing a few commands in its
 * first milliseconds. At the moment each execve of a container's workload is
 * parsed, container.id, container.name and container.image are extracted.
 *
 * Engines: "docker" (docker run), "podman" (podman run, the CLI next to the
 * service the plugin asks), "containerd" (ctr run, native engine), "cri"
 * (RunPodSandbox once, then CreateContainer + StartContainer per container,
 * on containerd's CRI), each on this machine's Debian 12 daemons; with the
 * suffix 13 ("docker13", "cri13"...), on Debian 13's (tests/integration/itest.h).
 */
#ifndef FIRST_EVENT_H
#define FIRST_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc_events.h"

typedef struct first_event_result {
	const char* engine;
	const char* extra;    /* more plugin config, or NULL */
	int asked, started;   /* containers asked for, and started by the engine */
	uint64_t execs;       /* workload execve events (/bin/busybox) of those containers */
	uint64_t execs_id;    /* ... parsed with container.id set (not host) */
	uint64_t execs_meta;  /* ... parsed with container.name and container.image set */
	int ctrs_seen;        /* containers with at least one workload execve parsed */
	int ctrs_first_meta;  /* ... whose first workload execve had name and image */
	int ctrs_record;      /* containers whose record reached the plugin's parse */
	int ctrs_delay;       /* containers with both a first process and a record */
	double delay_p50_ms;  /* first process (kernel time) -> record parsed */
	double delay_p90_ms;
	double delay_max_ms;
	double launch_p50_ms; /* one launch: CLI or CRI calls */
	/* host_feed (state update + parse) of each container's first event with its id */
	double first_parse_p50_us, first_parse_p99_us;
	proc_events_stats stats;
} first_event_result;

/*
 * Runs one engine with N containers, the plugin configured with only that
 * engine and EXTRA (NULL: nothing; e.g. "\"hooks\":[\"start\"]"). 1: ran
 * (figures in *r); 0: skipped, the reason in why (engine or connector
 * unavailable); -1: failed (why).
 */
int first_event_run(const char* engine, const char* extra, int n, first_event_result* r,
                    char* why, size_t why_size);

/* One line of figures for r. */
void first_event_print(const first_event_result* r);

#endif
