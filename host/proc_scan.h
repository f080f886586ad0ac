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
 * A /proc/<pid>/cgroup file as the "controller=path" strings a kernel driver
 * sends (one per v1 controller; cgroup v2's single line as "unified=path").
 * Fills at most max malloc'd strings into out; returns how many.
 */
size_t host_read_cgroups(const char* path, char** out, size_t max);

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

#endif
