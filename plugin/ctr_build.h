/*
 * The one way engine mappers (Docker/Podman inspect, containerd, CRI) build a
 * record: whatever an engine sends, the record's encoded form (ctr_json) stays
 * within CTR_RECORD_BUDGET bytes, so a broken or hostile engine cannot make
 * the cache hold, or every event about the container carry, more than that.
 *
 * Use: ctr_build_start; set the string members with ctr_str_set (identity,
 * image, user, ip...); ctr_build_scalars (caps each at CTR_BUILD_STR_MAX and
 * charges them); then the lists through ctr_build_label/env/mount/port/probe,
 * most important first: an item that no longer fits is dropped, the rest
 * still goes in; ctr_build_finish. Every add returns false only on OOM (then
 * every later call is a no-op and finish answers NULL): mappers can chain
 * them with &&.
 *
 * A member set after ctr_build_scalars is not charged: it must be short by
 * construction (a number, an IPv4 address); FIXED_RESERVE leaves room for a
 * few such.
 *
 * What was dropped is told in finish's err (the record is still returned, so
 * a caller logs a non-empty err) and counted in process-wide totals.
 */
#ifndef CTR_BUILD_H
#define CTR_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctr_record.h"

/*
 * Encoded bytes of one record, envelope included. Kubernetes caps a pod's
 * annotations at 256 KiB in all, so no real container comes near.
 */
#define CTR_RECORD_BUDGET (256 * 1024)
/* One string member (name, image, user...): longer ones are left empty. */
#define CTR_BUILD_STR_MAX 4096

typedef enum ctr_drop_kind {
	CTR_DROP_STRING,
	CTR_DROP_LABEL,
	CTR_DROP_ENV,
	CTR_DROP_MOUNT,
	CTR_DROP_PORT,
	CTR_DROP_PROBE,
	CTR_DROP_KINDS,
} ctr_drop_kind;

/* Which label map a label goes to, and whether label_max_len filters it. */
typedef enum ctr_label_set {
	CTR_LABELS,     /* labels, filtered */
	CTR_POD_LABELS, /* pod_sandbox_labels, filtered */
	CTR_ID_LABELS,  /* labels, never filtered (the pod identity labels) */
} ctr_label_set;

typedef struct ctr_build {
	ctr_record* r;
	int64_t label_max_len; /* a longer label value drops the label; negative drops all */
	size_t left;           /* budget not yet spent */
	size_t dropped[CTR_DROP_KINDS];
	size_t cap_labels, cap_pod_labels, cap_env, cap_mounts, cap_ports;
	bool scalars_done;
	bool oom;
} ctr_build;

/* A new record of the given type in b; false on OOM (b then holds nothing). */
bool ctr_build_start(ctr_build* b, uint32_t type, int64_t label_max_len);

/* Caps and charges the string members set so far; call once, before the lists. */
bool ctr_build_scalars(ctr_build* b);

/* value may hold NUL bytes (vlen counts them); key is a C string. */
bool ctr_build_label(ctr_build* b, ctr_label_set set, const char* key, const char* value,
                     size_t vlen);
bool ctr_build_env(ctr_build* b, const char* entry);
/* A field over CTR_BUILD_STR_MAX is left empty (and counted); the mount is kept. */
bool ctr_build_mount(ctr_build* b, const char* source, const char* dest, const char* mode,
                     const char* propagation, bool rw);
bool ctr_build_port(ctr_build* b, uint32_t host_ip, uint16_t host_port, uint16_t container_port);
/*
 * A probe: argv[0] is the executable, the rest its arguments; normalize strips
 * matching outer quotes of each. Kept whole or dropped whole.
 */
bool ctr_build_probe(ctr_build* b, ctr_probe_type t, const char* const* argv, size_t argc,
                     bool normalize);

/*
 * Finalizes and returns the record (one reference), err "" or saying what
 * was dropped; NULL with "out of memory" after an OOM. b holds nothing after.
 */
ctr_record* ctr_build_finish(ctr_build* b, char* err, size_t errlen);
/* Releases a build that will not be finished. */
void ctr_build_abort(ctr_build* b);

/* Process-wide totals since load: records trimmed, items dropped (for metrics). */
uint64_t ctr_build_trimmed_total(void);
uint64_t ctr_build_dropped_total(void);

#endif
