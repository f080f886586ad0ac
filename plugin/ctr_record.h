/*
 * One container's metadata ("record", docs/container-json.md "Keys") and the
 * helpers that build and format it. Records are reference counted because the
 * cache, the "last container" of an extraction and a `containers` table entry
 * libsinsp holds can each keep one.
 * Every string member is non-NULL (possibly "") once a constructor returned.
 *
 * A record belongs to the thread that built it, and so does its count (a
 * plain integer, as the event thread's hot path refs and unrefs): the worker's
 * records reach the host's event thread only as JSON (async events, the
 * initial hand-off), decoded there into records of that thread's own.
 */
#ifndef CTR_RECORD_H
#define CTR_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ctr_type {
	CTR_TYPE_DOCKER = 0,
	CTR_TYPE_LXC = 1,
	CTR_TYPE_LIBVIRT_LXC = 2,
	CTR_TYPE_MESOS = 3,
	CTR_TYPE_RKT = 4,
	CTR_TYPE_CUSTOM = 5,
	CTR_TYPE_CRI = 6,
	CTR_TYPE_CONTAINERD = 7,
	CTR_TYPE_CRIO = 8,
	CTR_TYPE_BPM = 9,
	CTR_TYPE_STATIC = 10,
	CTR_TYPE_PODMAN = 11,
	CTR_TYPE_HOST = 0xfffe,
	CTR_TYPE_UNKNOWN = 0xffff,
};

#define CTR_SHORT_ID_LEN 12

typedef struct ctr_kv {
	char* key;
	char* value;
	size_t value_len; /* values may contain NUL bytes (JSON "\u0000") */
} ctr_kv;

typedef struct ctr_mount {
	char* source;
	char* dest;
	char* mode;
	char* propagation;
	bool rw;
	char* formatted; /* "source:dest:mode:rdwr:propagation" (docs/architecture.md "Formats") */
} ctr_mount;

typedef struct ctr_port {
	uint32_t host_ip; /* host order */
	uint16_t host_port;
	uint16_t container_port;
} ctr_port;

typedef enum ctr_probe_type {
	CTR_PROBE_HEALTHCHECK = 0,
	CTR_PROBE_LIVENESS = 1,
	CTR_PROBE_READINESS = 2,
	CTR_PROBE_COUNT = 3,
} ctr_probe_type;

typedef struct ctr_probe {
	bool present;
	char* exe;
	char** args;
	size_t nargs;
	char* formatted; /* exe and args joined by single spaces (docs/architecture.md "Formats") */
} ctr_probe;

typedef struct ctr_record {
	unsigned refs; /* touched by the owning thread only: no atomics (see above) */
	uint32_t type;
	/* The cache's bookkeeping (containers.c), not container data: never encoded. */
	uint64_t used;    /* the cache's recency stamp at its last lookup */
	bool provisional; /* from the runtime's files (bundle.c), until the engine's comes */
	bool exited;      /* its init exited: evicted first when the cache is full */
	char* id;
	char* full_id;
	char* name;
	char* image;
	char* imageid;
	char* imagerepo;
	char* imagetag;
	char* imagedigest;
	char* user;
	char* ip;
	char* cni_json;
	char* pod_sandbox_id;
	char* mesos_task_id;
	bool privileged, host_pid, host_network, host_ipc, is_pod_sandbox;
	ctr_kv* labels; /* sorted by key, byte order */
	size_t nlabels;
	ctr_kv* pod_sandbox_labels; /* sorted by key */
	size_t npod_sandbox_labels;
	char** env;
	size_t nenv;
	ctr_mount* mounts;
	size_t nmounts;
	ctr_port* ports;
	size_t nports;
	int64_t memory_limit, swap_limit, cpu_shares, cpu_quota, cpu_period, cpuset_cpu_count;
	int64_t created_time; /* seconds */
	int64_t size;         /* -1 unknown */
	ctr_probe probes[CTR_PROBE_COUNT];

	/* Derived by ctr_record_finalize(), read by extraction. */
	char* labels_fmt;     /* container.labels (docs/architecture.md "Formats") */
	char* pod_labels_fmt; /* k8s.pod.labels */
	char* mounts_fmt;     /* container.mounts */
	char* short_sandbox_id;
	const char* k8s_pod_name; /* pointers into labels, NULL if absent */
	const char* k8s_pod_namespace;
	const char* k8s_pod_uid;
} ctr_record;

/* An empty record with the decode defaults (type unknown, size -1;
 * docs/container-json.md "Keys"). */
ctr_record* ctr_record_new(void);
/* The host record (docs/container-json.md "Built records"): id/full_id/name "host", type 0xfffe. */
ctr_record* ctr_record_new_host(void);
/* A matcher-built record (lxc, libvirt-lxc, bpm): name = id
 * (docs/container-json.md "Built records"). */
ctr_record* ctr_record_new_matcher(uint32_t type, const char* id);
/* The static record
 * (docs/cgroups.md "Static container"; docs/container-json.md "Built records"). */
ctr_record* ctr_record_new_static(const char* id, const char* name, const char* image);

ctr_record* ctr_record_ref(ctr_record* r);
void ctr_record_unref(ctr_record* r);

/* Sorts labels, keeping one per key (the last added), and computes the
 * derived members; call after filling a record. */
void ctr_record_finalize(ctr_record* r);

/* Replaces the string member *dst (freeing it) with a copy of src (NULL → "").
 * Returns false on OOM. Members are never freed or replaced any other way:
 * an empty one may be a shared static "". */
bool ctr_str_set(char** dst, const char* src);
/* Same, taking ownership of the malloc'd src (NULL → ""). */
void ctr_str_take(char** dst, char* src);

/* Label lookup by exact key in a sorted label array; NULL if absent. */
const ctr_kv* ctr_labels_find(const ctr_kv* labels, size_t n, const char* key);

/* Type name for container.type (docs/container-json.md "Container types"):
 * static → "static", unknown/custom → "". */
const char* ctr_type_name(uint32_t type);

/* Legacy image splitter (docs/cgroups.md "Static container"): repo keeps
 * host[:port]; outputs are malloc'd. */
bool ctr_image_split_legacy(const char* image, char** repo, char** tag, char** digest);
/* Upstream repo/tag splitter (docs/engines.md "Docker inspect"); outputs are malloc'd. */
bool ctr_image_split_repo_tag(const char* image, char** repo, char** tag);

#endif
