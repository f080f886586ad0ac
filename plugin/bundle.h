/*
 * Provisional records from a container runtime's own on-disk state, for the
 * first events of a container the cache does not have yet (the engine's
 * answer comes tens of milliseconds later, after the container's first
 * execs). Today: containerd's CRI, whose OCI bundle config.json, in the
 * directory its runtime shim works in, carries the container's name, image
 * and pod in io.kubernetes.cri.* annotations; Docker's config.v2.json and
 * Podman's containers.json, found from their bundles; containerd's own
 * metadata database for `ctr run` / nerdctl containers.
 *
 * Runs on the event thread: reads at most a few small /proc files and one
 * bounded file, no network, a few times at most per container id. The engine's
 * record replaces the provisional one when it arrives.
 */
#ifndef BUNDLE_H
#define BUNDLE_H

#include "plugin_state.h"

/*
 * The provisional record of container ID for thread E (pid from the threads
 * table, else its parent), cached; NULL when ID was looked at before or the
 * bundle yields nothing. A thread whose process, or a parent on the way, is
 * gone does not count as a look (up to BUNDLE_MAX_LOOKS of those).
 */
const ctr_record* bundle_provisional(plugin_state* s, const table_access* t,
                                     ss_plugin_table_entry_t* e, const char* id);

/*
 * The provisional record of relaxed-rule candidate ID from containerd's
 * metadata database (containerd_disk.h), cached; NULL when no database is
 * known yet, ID was looked at before, or no container has that id.
 */
const ctr_record* bundle_candidate(plugin_state* s, const char* id);

/* ---- internals, exposed for tests ---- */

/* The record the bundle directory DIR's config.json describes for FULL_ID, or
 * NULL; ROOT prefixes the absolute paths the bundle names (Docker's
 * containers/<id>/config.v2.json). */
ctr_record* bundle_record_from_dir(const char* dir, const char* root, const char* full_id);

/*
 * The bundle directory of container ID, found from PID: the working directory
 * of PID or an ancestor (at most a few levels up) named after ID, or a
 * directory named after ID next to a containerd shim's own (a pod's shim
 * works in its sandbox's bundle), or the .../<ID>/userdata bundle a conmon
 * ancestor was given. Only processes outside the container (their cgroups,
 * matched by MS, are not ID's) are asked: the container's own would choose
 * the answer. "<proc>/<pid>/cwd[/../<name>]" or "<proc>/<pid>/root<bundle>"
 * into dir, the full id into full_id. 1 found, 0 not found, -1 PID or a
 * parent on the way exited during the walk.
 */
int bundle_find(const char* proc_root, const cgroup_matchers* ms, int64_t pid, const char* id,
                char* dir, size_t dir_size, char* full_id, size_t full_id_size);

#endif
