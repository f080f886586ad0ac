/*
 * A live event source for our host: the kernel's process connector (netlink
 * NETLINK_CONNECTOR, group CN_IDX_PROC; needs root in the initial network
 * namespace) reports fork, exec and exit as they happen. Each report becomes
 * the event a kernel driver would have given libsinsp — clone exit (child
 * side), execve exit, procexit — built from /proc/<pid> at that moment (a
 * clone carries its parent's cgroups, the ones a driver reports), fed
 * to the host (state update, then the plugin's parse) on the caller's thread,
 * which also delivers the plugin's async events in between: one event thread,
 * as in Falco.
 *
 * The connector carries pids only, so a process gone before its /proc entry
 * is read cannot be described: it is counted (stats.gone), never invented.
 */
#ifndef HOST_PROC_EVENTS_H
#define HOST_PROC_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"

typedef struct proc_events proc_events;

typedef enum proc_events_kind {
	PROC_EVENTS_FORK, /* fed as a clone exit (res 0, the child) */
	PROC_EVENTS_EXEC, /* fed as an execve exit */
	PROC_EVENTS_EXIT, /* fed as a procexit */
} proc_events_kind;

/* One connector report, as the callback sees it after the host parsed it. */
typedef struct proc_events_seen {
	proc_events_kind kind;
	int64_t pid, tid;             /* thread group id and thread id */
	uint64_t mono_ns;             /* the kernel's timestamp (CLOCK_MONOTONIC) */
	const ss_plugin_event* event; /* the event fed (its ts is CLOCK_REALTIME) */
	uint64_t feed_ns;             /* how long host_feed took: state update + plugin parse */
} proc_events_seen;

typedef void (*proc_events_fn)(void* arg, host* h, const proc_events_seen* seen);

typedef struct proc_events_stats {
	uint64_t forks, execs, exits; /* reports received, by kind */
	uint64_t fed;                 /* events fed to the host */
	uint64_t gone;    /* fork/exec reports whose process had left /proc when read */
	uint64_t unknown; /* exits of threads the host never had */
	uint64_t overruns; /* the socket's buffer overflowed: reports were lost (ENOBUFS) */
	uint64_t async;    /* async events delivered between reports */
} proc_events_stats;

/*
 * Subscribes to the connector. NULL when it is unavailable, with the reason
 * in why (e.g. not root, another network namespace, no connector in the
 * kernel). proc_root is normally "/proc".
 */
proc_events* proc_events_open(const char* proc_root, char* why, size_t why_size);
void proc_events_close(proc_events* pe);

/*
 * The event thread for at most max_ms: reads the reports queued, feeds each
 * one's event to h and calls fn (may be NULL) right after it was parsed, and
 * delivers h's async events between reports. Returns early (>= 0) once async
 * events were delivered, so that a caller can look at what they changed; -1
 * when reading the socket failed.
 */
int proc_events_pump(proc_events* pe, host* h, int max_ms, proc_events_fn fn, void* arg);

const proc_events_stats* proc_events_get_stats(const proc_events* pe);

#endif
