/*
 * Event codes and parameter access for the events a container plugin and its
 * host exchange (docs/abi.md "Event encoding", "Event types"). Shared by the plugin and our host so
 * that both read the wire format the same way.
 */
#ifndef SCAP_EVENTS_H
#define SCAP_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "plugin_api.h"

enum scap_event_code {
	PPME_PROCEXIT_1_E = 186,
	PPME_SYSCALL_CLONE_20_X = 223,
	PPME_SYSCALL_FORK_20_X = 225,
	PPME_SYSCALL_VFORK_20_X = 227,
	PPME_CONTAINER_E = 228,
	PPME_SYSCALL_EXECVE_16_X = 231,
	PPME_SYSCALL_CHROOT_X = 267,
	PPME_CONTAINER_JSON_E = 272,
	PPME_SYSCALL_EXECVE_17_X = 283,
	PPME_SYSCALL_EXECVE_18_X = 289,
	PPME_SYSCALL_EXECVE_19_X = 293,
	PPME_PLUGINEVENT_E = 322,
	PPME_CONTAINER_JSON_2_E = 324,
	PPME_SYSCALL_EXECVEAT_X = 331,
	PPME_SYSCALL_CLONE3_X = 335,
	PPME_ASYNCEVENT_E = 402,
};

/* Parameter indexes shared by the clone family (21 params) and execve (31). */
enum { EVT_P_RES = 0, EVT_P_EXE = 1, EVT_P_ARGS = 2, EVT_P_TID = 3, EVT_P_PID = 4,
       EVT_P_PTID = 5, EVT_P_COMM = 13, EVT_P_CGROUPS = 14 };
enum { EVT_CLONE_P_VTID = 18, EVT_CLONE_P_VPID = 19, EVT_CLONE_P_PIDNS_TS = 20,
       EVT_CLONE_NPARAMS = 21 };
enum { EVT_EXECVE_P_ENV = 15, EVT_EXECVE_NPARAMS = 31, EVT_EXECVEAT_NPARAMS = 30 };
enum { EVT_ASYNC_HDR_LEN = 42 }; /* 26 header + 3 x 4 lengths + 4 plugin id */

/* Types whose parameter lengths are 4 bytes instead of 2. */
static inline bool scap_event_large_payload(uint16_t type)
{
	return type == PPME_PLUGINEVENT_E || type == PPME_CONTAINER_JSON_2_E ||
	       type == PPME_ASYNCEVENT_E;
}

/*
 * Locates parameter `idx` of `evt`, checking every length against evt->len.
 * Returns false when the event is truncated or has fewer parameters.
 */
static inline bool scap_event_param(const ss_plugin_event* evt, uint32_t idx, const uint8_t** data,
                                    uint32_t* len)
{
	uint32_t evlen, nparams;
	uint16_t type;
	memcpy(&evlen, (const uint8_t*)evt + 16, 4);
	memcpy(&type, (const uint8_t*)evt + 20, 2);
	memcpy(&nparams, (const uint8_t*)evt + 22, 4);
	if (evlen < sizeof(ss_plugin_event) || idx >= nparams)
		return false;
	uint64_t lsz = scap_event_large_payload(type) ? 4 : 2;
	uint64_t off = sizeof(ss_plugin_event) + (uint64_t)nparams * lsz;
	if (off > evlen)
		return false;
	/* The parameters before idx, summed in a tight loop: process events ask
	 * for their 15th (cgroups) on the host's event thread. */
	const uint8_t* lens = (const uint8_t*)evt + sizeof(ss_plugin_event);
	uint64_t start = off;
	uint32_t l;
	if (lsz == 4) {
		for (uint32_t i = 0; i < idx; i++) {
			uint32_t x;
			memcpy(&x, lens + 4 * i, 4);
			start += x;
		}
		memcpy(&l, lens + 4 * idx, 4);
	} else {
		for (uint32_t i = 0; i < idx; i++) {
			uint16_t x;
			memcpy(&x, lens + 2 * i, 2);
			start += x;
		}
		uint16_t x;
		memcpy(&x, lens + 2 * idx, 2);
		l = x;
	}
	if (start + l > evlen)
		return false;
	*data = (const uint8_t*)evt + start;
	*len = l;
	return true;
}

static inline bool scap_event_param_i64(const ss_plugin_event* evt, uint32_t idx, int64_t* out)
{
	const uint8_t* d;
	uint32_t l;
	if (!scap_event_param(evt, idx, &d, &l) || l != 8)
		return false;
	memcpy(out, d, 8);
	return true;
}

/* A charbuf parameter as a C string; false if absent, empty or not NUL-terminated. */
static inline bool scap_event_param_str(const ss_plugin_event* evt, uint32_t idx, const char** out,
                                        uint32_t* len)
{
	const uint8_t* d;
	uint32_t l;
	if (!scap_event_param(evt, idx, &d, &l) || l == 0 || d[l - 1] != '\0')
		return false;
	*out = (const char*)d;
	if (len)
		*len = l - 1;
	return true;
}

/* Size of an async event (type 402) carrying `name` and `dlen` data bytes. */
static inline uint64_t scap_async_event_size(const char* name, uint32_t dlen)
{
	return EVT_ASYNC_HDR_LEN + (uint64_t)strlen(name) + 1 + dlen;
}

/*
 * Writes an async event (docs/abi.md "Async events") into buf, which must hold
 * scap_async_event_size() bytes. plugin_id is 0: the host overwrites it.
 */
static inline void scap_async_event_write(void* buf, uint64_t ts, uint64_t tid, const char* name,
                                          const void* data, uint32_t dlen)
{
	uint8_t* b = (uint8_t*)buf;
	uint32_t nlen = (uint32_t)strlen(name) + 1;
	uint32_t len = EVT_ASYNC_HDR_LEN + nlen + dlen;
	uint16_t type = PPME_ASYNCEVENT_E;
	uint32_t nparams = 3, plen0 = 4, plugin_id = 0;
	memcpy(b, &ts, 8);
	memcpy(b + 8, &tid, 8);
	memcpy(b + 16, &len, 4);
	memcpy(b + 20, &type, 2);
	memcpy(b + 22, &nparams, 4);
	memcpy(b + 26, &plen0, 4);
	memcpy(b + 30, &nlen, 4);
	memcpy(b + 34, &dlen, 4);
	memcpy(b + 38, &plugin_id, 4);
	memcpy(b + 42, name, nlen);
	if (dlen)
		memcpy(b + 42 + nlen, data, dlen);
}

#endif
