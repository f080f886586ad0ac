/*
 * Event builders (docs/abi.md "Event encoding", "Async events"). Parameters that
 * evt_proc_info does not carry (page faults, vm sizes, capabilities, uid/gid,
 * flags, ...) are written as zeros so that every event has the full parameter
 * count of its type and decoders see the real layout.
 */
#include "events.h"

#include <stdlib.h>
#include <string.h>

/* Parameter-length field width: a property of the event type (docs/abi.md "Event encoding"). */
static uint32_t evt_len_size(uint16_t type)
{
	return scap_event_large_payload(type) ? 4 : 2;
}

ss_plugin_event* evt_build(uint16_t type, uint64_t ts, uint64_t tid, uint32_t nparams,
                           const evt_param* params)
{
	if (nparams > 0 && !params)
		return NULL;
	uint32_t lsz = evt_len_size(type);
	uint64_t total = sizeof(ss_plugin_event) + (uint64_t)nparams * lsz;
	for (uint32_t i = 0; i < nparams; i++) {
		if (params[i].len > 0 && !params[i].data)
			return NULL;
		if (lsz == 2 && params[i].len > UINT16_MAX)
			return NULL;
		total += params[i].len;
	}
	if (total > UINT32_MAX)
		return NULL;

	uint8_t* buf = malloc(total);
	if (!buf)
		return NULL;
	ss_plugin_event hdr = {.ts = ts, .tid = tid, .len = (uint32_t)total, .type = type,
	                       .nparams = nparams};
	memcpy(buf, &hdr, sizeof(hdr));
	uint8_t* lens = buf + sizeof(hdr);
	uint8_t* data = lens + (size_t)nparams * lsz;
	for (uint32_t i = 0; i < nparams; i++) {
		if (lsz == 4) {
			memcpy(lens + 4 * i, &params[i].len, 4);
		} else {
			uint16_t l = (uint16_t)params[i].len;
			memcpy(lens + 2 * i, &l, 2);
		}
		if (params[i].len)
			memcpy(data, params[i].data, params[i].len);
		data += params[i].len;
	}
	return (ss_plugin_event*)buf;
}

/* ---- parameter helpers: each points into caller-provided storage ---- */

static evt_param evt_p_str(const char* s)
{
	/* An empty charbuf is encoded as length 0, without a NUL (docs/abi.md "Event encoding"). */
	if (!s || !*s)
		return (evt_param){NULL, 0};
	return (evt_param){s, (uint32_t)strlen(s) + 1};
}

static evt_param evt_p_num(const void* v, uint32_t size)
{
	return (evt_param){v, size};
}

/*
 * Concatenates a NULL-terminated string list as NUL-terminated strings into a
 * malloc'd buffer (*out, caller frees). Returns false on OOM or overflow.
 */
static bool evt_strlist(const char* const* list, uint8_t** out, uint32_t* len)
{
	*out = NULL;
	*len = 0;
	if (!list)
		return true;
	size_t total = 0;
	for (size_t i = 0; list[i]; i++)
		total += strlen(list[i]) + 1;
	if (total == 0)
		return true;
	if (total > UINT16_MAX)
		return false;
	uint8_t* buf = malloc(total);
	if (!buf)
		return false;
	size_t off = 0;
	for (size_t i = 0; list[i]; i++) {
		size_t l = strlen(list[i]) + 1;
		memcpy(buf + off, list[i], l);
		off += l;
	}
	*out = buf;
	*len = (uint32_t)total;
	return true;
}

/* The three string lists an exit event may carry, owned until evt_lists_free. */
typedef struct evt_lists {
	uint8_t *args, *env, *cgroups;
	uint32_t args_len, env_len, cgroups_len;
} evt_lists;

static void evt_lists_free(evt_lists* l)
{
	free(l->args);
	free(l->env);
	free(l->cgroups);
}

static bool evt_lists_build(const evt_proc_info* p, evt_lists* l)
{
	memset(l, 0, sizeof(*l));
	if (evt_strlist(p->args, &l->args, &l->args_len) &&
	    evt_strlist(p->env, &l->env, &l->env_len) &&
	    evt_strlist(p->cgroups, &l->cgroups, &l->cgroups_len))
		return true;
	evt_lists_free(l);
	return false;
}

static const uint64_t evt_zero64;
static const uint32_t evt_zero32;

/* Parameters 0-14, the same in the clone and the execve families. */
#define EVT_PROC_COMMON 15
static void evt_proc_common(const evt_proc_info* p, const evt_lists* l, evt_param* v)
{
	const evt_param common[EVT_PROC_COMMON] = {
		evt_p_num(&p->res, 8),        /* 0 res */
		evt_p_str(p->exe),            /* 1 exe */
		{l->args, l->args_len},       /* 2 args */
		evt_p_num(&p->tid, 8),        /* 3 tid */
		evt_p_num(&p->pid, 8),        /* 4 pid */
		evt_p_num(&p->ptid, 8),       /* 5 ptid */
		evt_p_str(p->cwd),            /* 6 cwd */
		evt_p_num(&evt_zero64, 8),    /* 7 fdlimit */
		evt_p_num(&evt_zero64, 8),    /* 8 pgft_maj */
		evt_p_num(&evt_zero64, 8),    /* 9 pgft_min */
		evt_p_num(&evt_zero32, 4),    /* 10 vm_size */
		evt_p_num(&evt_zero32, 4),    /* 11 vm_rss */
		evt_p_num(&evt_zero32, 4),    /* 12 vm_swap */
		evt_p_str(p->comm),           /* 13 comm */
		{l->cgroups, l->cgroups_len}, /* 14 cgroups */
	};
	memcpy(v, common, sizeof(common));
}

static bool evt_is_clone(uint16_t type)
{
	return type == PPME_SYSCALL_CLONE_20_X || type == PPME_SYSCALL_FORK_20_X ||
	       type == PPME_SYSCALL_VFORK_20_X || type == PPME_SYSCALL_CLONE3_X;
}

ss_plugin_event* evt_clone_exit(uint16_t type, uint64_t ts, const evt_proc_info* p)
{
	if (!p || !evt_is_clone(type))
		return NULL;
	evt_lists l;
	if (!evt_lists_build(p, &l))
		return NULL;
	evt_param v[EVT_CLONE_NPARAMS] = {
		[15] = evt_p_num(&p->flags, 4),               /* flags */
		[16] = evt_p_num(&evt_zero32, 4),             /* uid */
		[17] = evt_p_num(&evt_zero32, 4),             /* gid */
		[18] = evt_p_num(&p->vtid, 8),                /* vtid */
		[19] = evt_p_num(&p->vpid, 8),                /* vpid */
		[20] = evt_p_num(&p->pidns_init_start_ts, 8), /* pidns_init_start_ts */
	};
	evt_proc_common(p, &l, v);
	ss_plugin_event* e = evt_build(type, ts, (uint64_t)p->tid, EVT_CLONE_NPARAMS, v);
	evt_lists_free(&l);
	return e;
}

/* How many of the 31 execve parameters each execve-family exit carries
 * (docs/abi.md "Event types"). */
static uint32_t evt_execve_nparams(uint16_t type)
{
	switch (type) {
	case PPME_SYSCALL_EXECVE_19_X:
		return EVT_EXECVE_NPARAMS;
	case PPME_SYSCALL_EXECVEAT_X:
		return EVT_EXECVEAT_NPARAMS;
	case PPME_SYSCALL_EXECVE_16_X:
		return 16;
	case PPME_SYSCALL_EXECVE_17_X:
	case PPME_SYSCALL_EXECVE_18_X:
		return 17;
	default:
		return 0;
	}
}

ss_plugin_event* evt_execve_exit(uint16_t type, uint64_t ts, const evt_proc_info* p)
{
	uint32_t n = evt_execve_nparams(type);
	if (!p || n == 0)
		return NULL;
	evt_lists l;
	if (!evt_lists_build(p, &l))
		return NULL;
	/* trusted_exepath: the builder has no separate member; filename is the best source. */
	evt_param v[EVT_EXECVE_NPARAMS] = {
		[15] = {l.env, l.env_len},        /* env */
		[16] = evt_p_num(&evt_zero32, 4), /* tty */
		[17] = evt_p_num(&evt_zero64, 8), /* vpgid */
		[18] = evt_p_num(&evt_zero32, 4), /* loginuid */
		[19] = evt_p_num(&evt_zero32, 4), /* flags */
		[20] = evt_p_num(&evt_zero64, 8), /* cap_inheritable */
		[21] = evt_p_num(&evt_zero64, 8), /* cap_permitted */
		[22] = evt_p_num(&evt_zero64, 8), /* cap_effective */
		[23] = evt_p_num(&evt_zero64, 8), /* exe_ino */
		[24] = evt_p_num(&evt_zero64, 8), /* exe_ino_ctime */
		[25] = evt_p_num(&evt_zero64, 8), /* exe_ino_mtime */
		[26] = evt_p_num(&evt_zero32, 4), /* uid */
		[27] = evt_p_str(p->filename),    /* trusted_exepath */
		[28] = evt_p_num(&evt_zero64, 8), /* pgid */
		[29] = evt_p_num(&evt_zero32, 4), /* gid */
		[30] = evt_p_str(p->filename),    /* filename (293 only) */
	};
	evt_proc_common(p, &l, v);
	ss_plugin_event* e = evt_build(type, ts, (uint64_t)p->tid, n, v);
	evt_lists_free(&l);
	return e;
}

ss_plugin_event* evt_chroot_exit(uint64_t ts, uint64_t tid, int64_t res, const char* path)
{
	evt_param v[2] = {evt_p_num(&res, 8), evt_p_str(path)};
	return evt_build(PPME_SYSCALL_CHROOT_X, ts, tid, 2, v);
}

ss_plugin_event* evt_procexit(uint64_t ts, uint64_t tid, int64_t status)
{
	/* ret mirrors status; no signal, no core dump, reaper unknown (0). */
	static const uint8_t zero8 = 0;
	evt_param v[5] = {evt_p_num(&status, 8), evt_p_num(&status, 8), evt_p_num(&zero8, 1),
	                  evt_p_num(&zero8, 1), evt_p_num(&evt_zero64, 8)};
	return evt_build(PPME_PROCEXIT_1_E, ts, tid, 5, v);
}

ss_plugin_event* evt_async(uint64_t ts, uint64_t tid, uint32_t plugin_id, const char* name,
                           const void* data, uint32_t data_len)
{
	/* A nameless async event can never be accepted by a host (docs/abi.md "Async events"). */
	if (!name || !*name || (data_len > 0 && !data))
		return NULL;
	evt_param v[3] = {evt_p_num(&plugin_id, 4), evt_p_str(name), {data, data_len}};
	return evt_build(PPME_ASYNCEVENT_E, ts, tid, 3, v);
}

ss_plugin_event* evt_container(uint64_t ts, uint64_t tid, const char* id, uint32_t type,
                               const char* name, const char* image)
{
	evt_param v[4] = {evt_p_str(id), evt_p_num(&type, 4), evt_p_str(name), evt_p_str(image)};
	return evt_build(PPME_CONTAINER_E, ts, tid, 4, v);
}

ss_plugin_event* evt_container_json(uint16_t type, uint64_t ts, uint64_t tid, const char* json)
{
	if (type != PPME_CONTAINER_JSON_E && type != PPME_CONTAINER_JSON_2_E)
		return NULL;
	evt_param v[1] = {evt_p_str(json)};
	return evt_build(type, ts, tid, 1, v);
}
