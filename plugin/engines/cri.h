/*
 * CRI (runtime.v1.RuntimeService, docs/engines.md "CRI"):
 * the pure status → record mapping (no I/O, unit-tested) used by the engine
 * in cri.c. Verbose info documents use containerd's layout (docs/engines.md "Verbose info");
 * every key may be absent.
 */
#ifndef CRI_H
#define CRI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cri.pb-c.h"
#include "ctr_record.h"

#define CRI_NS_NODE 2 /* NamespaceMode NODE: the host's namespace */
#define CRI_CNI_JSON_MAX 4096

/* Version.runtime_name → record type: containerd 7, cri-o 8, else 6. */
uint32_t cri_runtime_type(const char* runtime_name);

/* The verbose `info` entry of an info map (NULL if absent). */
const char* cri_info_container(const Cri__ContainerStatusResponse* r);
const char* cri_info_sandbox(const Cri__PodSandboxStatusResponse* r);

/* The info's sandboxID (malloc'd), NULL when absent or on OOM. */
char* cri_info_sandbox_id(const char* info);

/*
 * docs/container-json.md "IP and CNI result" (containerd format): cniResult.Interfaces of a
 * sandbox's verbose info without lo and veth*, without Mac and Sandbox,
 * compact with sorted keys, at most 4096 bytes. malloc'd; "" when the info
 * has no CNI result (host network) or is not JSON; NULL on OOM.
 */
char* cri_cni_json(const char* sandbox_info);

/*
 * docs/engines.md "CRI image": image_ref (status.image_ref), status_image
 * (status.image.image) and the container's verbose info (for the
 * runtimeSpec annotations; may be NULL) → malloc'd image, repo, tag, digest.
 */
bool cri_image(const char* image_ref, const char* status_image, const char* info, char** image,
               char** repo, char** tag, char** digest);

typedef struct cri_map_opts {
	uint32_t type;         /* cri_runtime_type() */
	int64_t label_max_len; /* a longer label value drops the label; negative drops all */
	int64_t size;          /* the writable layer's size, -1 when unknown */
} cri_map_opts;

/*
 * ContainerStatus (+ its verbose info) and the pod's PodSandboxStatus (+ its
 * verbose info; sb and sb_info may be NULL) → a finalized record with one
 * reference (docs/engines.md "CRI sandboxes", "Probes from the pod annotation").
 * NULL (message in err) for a
 * status without id or on OOM.
 */
ctr_record* cri_container_record(const Cri__ContainerStatus* st, const char* info,
                                 const Cri__PodSandboxStatus* sb, const char* sb_info,
                                 const cri_map_opts* o, char* err, size_t errlen);

/*
 * The record of container ID from a container event's own statuses (the
 * pod's containers and the pod, as the runtime saw them when it sent the
 * event; no verbose info): for a container gone before its lookup
 * (docs/engines.md "CRI events"). NULL when the event has no status for ID.
 */
ctr_record* cri_event_record(const Cri__ContainerEventResponse* ev, const char* id,
                             const cri_map_opts* o, char* err, size_t errlen);

/* A PodSandboxStatus (+ verbose info) → a finalized sandbox record
 * (docs/engines.md "CRI sandboxes"). */
ctr_record* cri_sandbox_record(const Cri__PodSandboxStatus* sb, const char* sb_info,
                               const cri_map_opts* o, char* err, size_t errlen);

#endif
