/*
 * containerd's native API (docs/engines.md "containerd"): the pure
 * container → record mapping (no I/O, unit-tested) used by the engine in
 * containerd.c.
 */
#ifndef CONTAINERD_H
#define CONTAINERD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "containerd.pb-c.h"
#include "ctr_build.h"
#include "ctr_record.h"

#define CONTAINERD_CRI_KIND_LABEL "io.cri-containerd.kind"
#define CONTAINERD_SANDBOX_ANNOTATION "io.kubernetes.cri.sandbox-id"

typedef struct containerd_map_opts {
	int64_t label_max_len; /* a longer label value drops the label; negative drops all */
	bool with_size;        /* size = the image target's size, else -1 */
} containerd_map_opts;

/* What Images/Get and the sandbox store told (each member may be empty/NULL). */
typedef struct containerd_extra {
	const char* image_digest;       /* Images/Get target.digest */
	int64_t image_size;             /* target.size */
	const Ctrd__Sandbox* sandbox;   /* Store/Get answer, for pod_sandbox_labels */
} containerd_extra;

/*
 * A container (Containers/List or Get) → a finalized type-7 record with one
 * reference, within the builder's budget (ctr_build.h; what was dropped is
 * told in err). NULL (message in err) only for an id ctr_id_safe refuses or
 * OOM. An unreadable spec keeps the spec-derived keys at their defaults and
 * leaves a note in err while still returning the record. x may be NULL.
 */
ctr_record* containerd_record(const Ctrd__Container* c, const containerd_extra* x,
                              const containerd_map_opts* o, char* err, size_t errlen);

/*
 * The spec JSON (OCI runtime spec, Container.spec.value) applied to a record
 * being built (after ctr_build_scalars): user, host_*, privileged, resources,
 * then mounts and env through the builder's budget. False with a message in
 * err when the text is not a JSON object (the record is then unchanged) or on
 * OOM (b->oom set).
 */
bool containerd_apply_spec(ctr_build* b, const char* json, size_t len, char* err,
                           size_t errlen);

/* The pod sandbox id: Container.sandbox, else the spec annotation (malloc'd, "" if none). */
char* containerd_sandbox_id(const Ctrd__Container* c);

/* Value of a container label, NULL if absent. */
const char* containerd_label(const Ctrd__Container* c, const char* key);

/* The record's short id: the first min(12, len) characters (the cgroup matcher's rule). */
void containerd_short_id(const char* full_id, char out[CTR_SHORT_ID_LEN + 1]);

#endif
