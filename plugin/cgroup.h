/*
 * Container id detection from one cgroup path (docs/cgroups.md;
 * docs/decisions.md #1). Pure functions: no allocation, no I/O, no state.
 */
#ifndef CGROUP_H
#define CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#define CGROUP_ID_MAX 256 /* longer ids (hostile paths) are not matched */

typedef enum cgroup_engine {
	CGROUP_ENGINE_NONE = 0,
	CGROUP_ENGINE_DOCKER,
	CGROUP_ENGINE_PODMAN,
	CGROUP_ENGINE_CRI,
	CGROUP_ENGINE_CONTAINERD,
	CGROUP_ENGINE_LXC,
	CGROUP_ENGINE_LIBVIRT_LXC,
	CGROUP_ENGINE_BPM,
	CGROUP_ENGINE_STATIC,
} cgroup_engine;

/* Bit (1u << CGROUP_ENGINE_x) set for every engine whose matcher is enabled. */
typedef unsigned cgroup_engine_mask;
#define CGROUP_ENGINE_BIT(e) (1u << (e))

typedef enum cgroup_kind {
	CGROUP_HOST = 0,    /* no matcher claimed the path */
	CGROUP_ID,          /* strict layout: a container id, type comes from an engine */
	CGROUP_CANDIDATE,   /* relaxed containerd rule only: host until an engine confirms */
	CGROUP_RECORD,      /* lxc, libvirt-lxc, bpm, static: the matcher knows the type */
} cgroup_kind;

typedef struct cgroup_match {
	cgroup_kind kind;
	cgroup_engine engine;
	char id[CGROUP_ID_MAX];
} cgroup_match;

typedef struct cgroup_matchers {
	cgroup_engine_mask enabled;
	const char* static_id; /* used when CGROUP_ENGINE_STATIC is enabled (exclusive) */
} cgroup_matchers;

/* Runs the matcher chain (docs/cgroups.md "Matcher order") on one path. */
cgroup_kind cgroup_match_path(const cgroup_matchers* m, const char* path, cgroup_match* out);

/* The runc-style rule on one (prefix, suffix) layout (docs/cgroups.md "Strict rule");
 * id gets the short id. */
bool cgroup_match_layout(const char* path, const char* prefix, const char* suffix,
                         char id[CGROUP_ID_MAX]);

#endif
