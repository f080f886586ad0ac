/*
 * Builders for the events a container plugin consumes, with the exact byte
 * layout of docs/abi.md "Event encoding" and "Async events" (2- vs 4-byte lengths). Every
 * builder returns a malloc'd event (free() it), NULL on bad input/OOM.
 */
#ifndef HOST_EVENTS_H
#define HOST_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "plugin_api.h"
#include "scap_events.h"

typedef struct evt_param {
	const void* data;
	uint32_t len;
} evt_param;

/* Generic: header + lengths (2 or 4 bytes by type) + data. */
ss_plugin_event* evt_build(uint16_t type, uint64_t ts, uint64_t tid, uint32_t nparams,
                           const evt_param* params);

typedef struct evt_proc_info {
	int64_t res; /* clone: 0 in the child, child tid in the parent; <0 error */
	int64_t tid, pid, ptid, vtid, vpid;
	uint64_t pidns_init_start_ts;
	const char* exe;
	const char* comm;
	const char* cwd;
	const char* const* args;    /* NULL-terminated, may be NULL */
	const char* const* env;     /* execve only */
	const char* const* cgroups; /* "subsys=path", NULL-terminated */
	const char* filename;       /* execve 293 only */
	uint32_t flags;             /* clone only: PPM_CL_* flags, e.g. EVT_CL_CLONE_THREAD */
} evt_proc_info;

/* The drivers' clone flag for a new thread of the caller's process. */
#define EVT_CL_CLONE_THREAD (1u << 13)

/* 223, 225, 227, 335 (21 params). Header tid = p->tid. */
ss_plugin_event* evt_clone_exit(uint16_t type, uint64_t ts, const evt_proc_info* p);
/* 293 (31 params) or 331 (30 params); legacy 231/283/289 with 16/17/17 params. */
ss_plugin_event* evt_execve_exit(uint16_t type, uint64_t ts, const evt_proc_info* p);
ss_plugin_event* evt_chroot_exit(uint64_t ts, uint64_t tid, int64_t res, const char* path);
ss_plugin_event* evt_procexit(uint64_t ts, uint64_t tid, int64_t status);
/* 402: name + data (data_len bytes, a JSON payload should include its NUL). */
ss_plugin_event* evt_async(uint64_t ts, uint64_t tid, uint32_t plugin_id, const char* name,
                           const void* data, uint32_t data_len);
/* 228 legacy container event. */
ss_plugin_event* evt_container(uint64_t ts, uint64_t tid, const char* id, uint32_t type,
                               const char* name, const char* image);
/* 272 (2-byte length) and 324 (4-byte length) JSON events; json may be NULL (empty param). */
ss_plugin_event* evt_container_json(uint16_t type, uint64_t ts, uint64_t tid, const char* json);

#endif
