/*
 * Fills the host's threads table from /proc, as libscap does when a live
 * capture opens: every task with tid, pid, ptid, vtid/vpid (NSpid), comm,
 * exe (argv[0]), exe_path, args, cgroups and the pid-namespace init start time.
 */
#ifndef HOST_PROC_SCAN_H
#define HOST_PROC_SCAN_H

#include <stddef.h>

#include "host.h"

/*
 * A /proc/<pid>/cgroup file (path) as the "controller=path" strings libscap
 * makes of it at capture open: one per v1 controller ("name=systemd" kept
 * whole), and for the v2 line one per controller of the v2 mount found in
 * <proc_root>/1/mounts, at the nearest level that lists it (skipped without
 * a readable v2 mount). Not mirrored: libscap's rewriting of paths when it
 * runs inside a cgroup namespace. Fills at most max malloc'd strings into
 * out; returns how many.
 */
size_t host_read_cgroups(const char* proc_root, const char* path, char** out, size_t max);

/* proc_root is normally "/proc". Returns the number of threads added, -1 on error. */
long host_scan_proc(host* h, const char* proc_root);

/* Reads one task; 0 on success (the task may vanish meanwhile: -1). */
int host_scan_task(host* h, const char* proc_root, long pid, long tid);

/*
 * The execve exit event (293) a kernel driver would have sent for this task,
 * built from /proc (malloc'd; NULL if the task vanished). Feeding it makes
 * the plugin examine a task that appeared after the capture opened.
 */
ss_plugin_event* host_task_execve_event(const char* proc_root, long pid, long tid, uint64_t ts);

/*
 * The same for a task just forked: the clone exit (223, the child's side,
 * res 0; CLONE_THREAD when tid is not the group leader). Its cgroups are
 * those of the parent thread parent_pid/parent_tid, the ones a child is born
 * into and a driver reports at clone (a runtime moves the child into the
 * container's cgroup only afterwards); the child's own if the parent is gone.
 */
ss_plugin_event* host_task_clone_event(const char* proc_root, long pid, long tid, long parent_pid,
                                       long parent_tid, uint64_t ts);

#endif
