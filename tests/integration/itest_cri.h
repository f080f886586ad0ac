/*
 * A minimal CRI client for the integration tests and benchmarks: the
 * requests kubelet would send (RunPodSandbox, CreateContainer, StartContainer,
 * StopPodSandbox, RemovePodSandbox) encoded by hand (Debian 12 has no crictl;
 * there is no protoc step for tests) and sent with the plugin's own gRPC
 * transport. One pod per client: a host-network pod (empty hostname) named
 * ITEST_CRI_POD_NAME in ITEST_CRI_POD_NS.
 */
#ifndef ITEST_CRI_H
#define ITEST_CRI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ITEST_CRI_POD_NAME "itest-pod"
#define ITEST_CRI_POD_NS "itest-ns"
#define ITEST_CRI_POD_UID "uid-1"
#define ITEST_CRI_IMAGE "localhost/app:1.0"

/* A protobuf message being written. */
typedef struct itest_pb {
	uint8_t* b;
	size_t len, cap;
	bool oom;
} itest_pb;

/* Field writers (strings are written even when empty; a map entry is a
 * map<string,string> item), and release of what was written. */
void itest_pb_uint(itest_pb* p, unsigned field, uint64_t v);
void itest_pb_str(itest_pb* p, unsigned field, const char* s);
void itest_pb_msg(itest_pb* p, unsigned field, const itest_pb* m);
void itest_pb_map(itest_pb* p, unsigned field, const char* k, const char* v);
void itest_pb_free(itest_pb* p);
/* The first string field NUMBER of message m, malloc'd ("" if absent), NULL if malformed. */
char* itest_pb_get_str(const uint8_t* m, size_t n, unsigned number);

typedef struct itest_cri {
	char sock[256];
	char logdir[300];
	char* pod_id;         /* after itest_cri_run_pod */
	itest_pb pod_config;  /* PodSandboxConfig, sent again with each CreateContainer */
} itest_cri;

/* A client for the CRI socket SOCK; pod logs go under DIR/podlogs. */
void itest_cri_init(itest_cri* c, const char* sock, const char* dir);
/* RunPodSandbox; true when the pod runs (c->pod_id set). */
bool itest_cri_run_pod(itest_cri* c);
/* CreateContainer NAME running ARGV (NULL-terminated; NULL: busybox sleep
 * 3600) in the pod, then StartContainer. *created_ms (may be NULL) gets the
 * time CreateContainer was sent. The container id (malloc'd) or NULL. */
char* itest_cri_create_start(itest_cri* c, const char* name, const char* const* argv,
                             uint64_t* created_ms);
/* StopContainer (no grace) + RemoveContainer ID; true if both answered. */
bool itest_cri_stop_remove(itest_cri* c, const char* id);
/* RemoveContainer ID once its process has exited (refused until then),
 * tried for WAIT_MS, then itest_cri_stop_remove; true if it went. */
bool itest_cri_remove_exited(itest_cri* c, const char* id, unsigned wait_ms);
/* StopPodSandbox + RemovePodSandbox (nothing without a pod); true if both answered. */
bool itest_cri_remove_pod(itest_cri* c);
/* Frees what the client holds (does not remove the pod). */
void itest_cri_free(itest_cri* c);

#endif
