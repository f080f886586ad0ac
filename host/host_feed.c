/*
 * Feeding events: a libsinsp-like update of the threads table (clone family,
 * execve family, chroot, procexit; docs/abi.md "Event types"),
 * then parse_event for the types and sources the plugin asked for.
 * Also the host-side thread accessors of host.h.
 */
#include "host_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scap_events.h"

/* Clone flags as the drivers encode them (PPM_CL_*). */
#define HOST_CL_CLONE_NEWPID (1u << 6)
#define HOST_CL_CLONE_PARENT (1u << 8)
#define HOST_CL_CLONE_THREAD (1u << 13)
#define HOST_CL_CHILD_IN_PIDNS (1u << 29)

enum { HOST_CLONE_P_CWD = 6, HOST_CLONE_P_FDLIMIT = 7, HOST_CLONE_P_FLAGS = 15,
       HOST_CLONE_P_UID = 16, HOST_CLONE_P_GID = 17 };
enum { HOST_EXEC_P_VPGID = 17, HOST_EXEC_P_LOGINUID = 18, HOST_EXEC_P_EXE_INO = 23,
       HOST_EXEC_P_UID = 26, HOST_EXEC_P_TRUSTED_EXEPATH = 27, HOST_EXEC_P_PGID = 28,
       HOST_EXEC_P_GID = 29, HOST_EXEC_P_FILENAME = 30 };

/* ---- event shape ---- */

bool host_event_well_formed(const ss_plugin_event* evt, char* why, size_t whylen)
{
	ss_plugin_event hdr;
	memcpy(&hdr, evt, sizeof(hdr));
	if (hdr.len < sizeof(hdr)) {
		snprintf(why, whylen, "len %u is shorter than the header", hdr.len);
		return false;
	}
	uint64_t lsz = scap_event_large_payload(hdr.type) ? 4 : 2;
	uint64_t off = sizeof(hdr) + hdr.nparams * lsz;
	if (off > hdr.len) {
		snprintf(why, whylen, "%u parameter lengths do not fit in len %u", hdr.nparams, hdr.len);
		return false;
	}
	const uint8_t* lens = (const uint8_t*)evt + sizeof(hdr);
	for (uint32_t i = 0; i < hdr.nparams; i++) {
		uint32_t l = 0;
		memcpy(&l, lens + i * lsz, lsz); /* little-endian: the low bytes come first */
		off += l;
	}
	if (off > hdr.len) {
		snprintf(why, whylen, "parameters overflow len %u", hdr.len);
		return false;
	}
	return true;
}

/* ---- parameter readers with defaults for absent/odd-sized params ---- */

static int64_t host_p_i64(const ss_plugin_event* evt, uint32_t idx, int64_t dflt)
{
	int64_t v;
	return scap_event_param_i64(evt, idx, &v) ? v : dflt;
}

static uint32_t host_p_u32(const ss_plugin_event* evt, uint32_t idx, uint32_t dflt)
{
	const uint8_t* d;
	uint32_t l, v;
	if (!scap_event_param(evt, idx, &d, &l) || l != 4)
		return dflt;
	memcpy(&v, d, 4);
	return v;
}

static const char* host_p_str(const ss_plugin_event* evt, uint32_t idx)
{
	const char* s;
	return scap_event_param_str(evt, idx, &s, NULL) ? s : "";
}

static bool host_p_present(const ss_plugin_event* evt, uint32_t idx)
{
	const uint8_t* d;
	uint32_t l;
	return scap_event_param(evt, idx, &d, &l);
}

/* Replaces one sub-table list from a bytebuf parameter, when the parameter exists. */
static void host_p_list(threads_entry* e, const ss_plugin_event* evt, uint32_t idx,
                        threads_sub_kind k)
{
	const uint8_t* d;
	uint32_t l;
	if (scap_event_param(evt, idx, &d, &l))
		threads_set_list_buf(e, k, (const char*)d, l);
}

static void host_set_i64_param(host* h, threads_entry* e, threads_fid f,
                               const ss_plugin_event* evt, uint32_t idx)
{
	if (host_p_present(evt, idx))
		threads_set_i64(h->threads, e, f, host_p_i64(evt, idx, 0));
}

static void host_set_u32_param(host* h, threads_entry* e, threads_fid f,
                               const ss_plugin_event* evt, uint32_t idx)
{
	if (host_p_present(evt, idx)) {
		ss_plugin_state_data v = {.u32 = host_p_u32(evt, idx, 0)};
		threads_set(h->threads, e, f, v);
	}
}

static void host_set_str_param(host* h, threads_entry* e, threads_fid f,
                               const ss_plugin_event* evt, uint32_t idx)
{
	if (host_p_present(evt, idx))
		threads_set_str(h->threads, e, f, host_p_str(evt, idx));
}

/* What clone and execve exits share: exe, args, cwd, fd limit, comm, cgroups. */
static void host_fill_process(host* h, threads_entry* e, const ss_plugin_event* evt)
{
	host_set_str_param(h, e, THREADS_F_EXE, evt, EVT_P_EXE);
	host_p_list(e, evt, EVT_P_ARGS, THREADS_SUB_ARGS);
	host_set_str_param(h, e, THREADS_F_CWD, evt, HOST_CLONE_P_CWD);
	host_set_i64_param(h, e, THREADS_F_FD_LIMIT, evt, HOST_CLONE_P_FDLIMIT);
	host_set_str_param(h, e, THREADS_F_COMM, evt, EVT_P_COMM);
	host_p_list(e, evt, EVT_P_CGROUPS, THREADS_SUB_CGROUPS);
}

/* A new process inherits what the event does not carry from its parent. */
static void host_inherit(host* h, threads_entry* e, const threads_entry* from)
{
	if (!from)
		return;
	threads_set_str(h->threads, e, THREADS_F_EXE_PATH, threads_get_str(from, THREADS_F_EXE_PATH));
	threads_set_str(h->threads, e, THREADS_F_ROOT, threads_get_str(from, THREADS_F_ROOT));
	threads_copy_list(e, from, THREADS_SUB_ENV);
}

/* ---- clone family ---- */

/* The thread that returned 0: create or replace it from the event (docs/abi.md "Event types"). */
static void host_clone_child(host* h, const ss_plugin_event* evt)
{
	int64_t tid = (int64_t)evt->tid;
	int64_t pid = host_p_i64(evt, EVT_P_PID, tid);
	int64_t ptid = host_p_i64(evt, EVT_P_PTID, 0);
	uint32_t flags = host_p_u32(evt, HOST_CLONE_P_FLAGS, 0);
	int64_t src_tid = (flags & HOST_CL_CLONE_THREAD) ? pid : ptid;
	const threads_entry* src = src_tid != tid ? threads_find(h->threads, src_tid) : NULL;
	threads_entry* e = threads_put(h->threads, tid);
	if (!e)
		return;
	host_inherit(h, e, src);
	threads_set_i64(h->threads, e, THREADS_F_PID, pid);
	threads_set_i64(h->threads, e, THREADS_F_PTID, ptid);
	threads_set_i64(h->threads, e, THREADS_F_VTID, host_p_i64(evt, EVT_CLONE_P_VTID, tid));
	threads_set_i64(h->threads, e, THREADS_F_VPID, host_p_i64(evt, EVT_CLONE_P_VPID, pid));
	threads_set_i64(h->threads, e, THREADS_F_PIDNS_INIT_START_TS,
	                host_p_i64(evt, EVT_CLONE_P_PIDNS_TS, 0));
	host_set_u32_param(h, e, THREADS_F_FLAGS, evt, HOST_CLONE_P_FLAGS);
	host_set_u32_param(h, e, THREADS_F_UID, evt, HOST_CLONE_P_UID);
	host_set_u32_param(h, e, THREADS_F_GID, evt, HOST_CLONE_P_GID);
	host_fill_process(h, e, evt);
}

/* The caller's entry, created from the event when unknown (libsinsp would scan /proc). */
static threads_entry* host_clone_caller(host* h, const ss_plugin_event* evt)
{
	int64_t tid = (int64_t)evt->tid;
	threads_entry* e = threads_find(h->threads, tid);
	if (e)
		return e;
	e = threads_put(h->threads, tid);
	if (!e)
		return NULL;
	threads_set_i64(h->threads, e, THREADS_F_PID, host_p_i64(evt, EVT_P_PID, tid));
	threads_set_i64(h->threads, e, THREADS_F_PTID, host_p_i64(evt, EVT_P_PTID, 0));
	threads_set_i64(h->threads, e, THREADS_F_VTID, host_p_i64(evt, EVT_CLONE_P_VTID, tid));
	threads_set_i64(h->threads, e, THREADS_F_VPID,
	                host_p_i64(evt, EVT_CLONE_P_VPID, host_p_i64(evt, EVT_P_PID, tid)));
	threads_set_i64(h->threads, e, THREADS_F_PIDNS_INIT_START_TS,
	                host_p_i64(evt, EVT_CLONE_P_PIDNS_TS, 0));
	host_fill_process(h, e, evt);
	return e;
}

/*
 * The parent's exit (res = child tid): like libsinsp, create the child only
 * when it is absent and not in a pid namespace (its own view of tids would be
 * unknown); otherwise the child's own exit event creates it.
 */
static void host_clone_parent(host* h, const ss_plugin_event* evt, int64_t child)
{
	int64_t caller_tid = (int64_t)evt->tid;
	threads_entry* caller = host_clone_caller(h, evt);
	if (!caller || child == caller_tid || threads_find(h->threads, child))
		return;
	uint32_t flags = host_p_u32(evt, HOST_CLONE_P_FLAGS, 0);
	int64_t caller_vtid =
		host_p_i64(evt, EVT_CLONE_P_VTID, threads_get(caller, THREADS_F_VTID).s64);
	if ((flags & (HOST_CL_CHILD_IN_PIDNS | HOST_CL_CLONE_NEWPID | HOST_CL_CLONE_PARENT)) ||
	    caller_tid != caller_vtid)
		return;
	bool thread = flags & HOST_CL_CLONE_THREAD;
	int64_t pid = thread ? threads_get(caller, THREADS_F_PID).s64 : child;
	int64_t ptid = thread ? threads_get(caller, THREADS_F_PTID).s64 : caller_tid;
	threads_entry* e = threads_put(h->threads, child);
	if (!e)
		return;
	host_inherit(h, e, caller);
	threads_set_i64(h->threads, e, THREADS_F_PID, pid);
	threads_set_i64(h->threads, e, THREADS_F_PTID, ptid);
	threads_set_i64(h->threads, e, THREADS_F_VTID, child);
	threads_set_i64(h->threads, e, THREADS_F_VPID, pid);
	threads_set_i64(h->threads, e, THREADS_F_PIDNS_INIT_START_TS,
	                host_p_i64(evt, EVT_CLONE_P_PIDNS_TS, 0));
	host_set_u32_param(h, e, THREADS_F_FLAGS, evt, HOST_CLONE_P_FLAGS);
	host_fill_process(h, e, evt);
}

static void host_on_clone(host* h, const ss_plugin_event* evt)
{
	int64_t res = host_p_i64(evt, EVT_P_RES, -1);
	if (res == 0)
		host_clone_child(h, evt);
	else if (res > 0)
		host_clone_parent(h, evt, res);
}

/* ---- execve family, chroot, procexit ---- */

static threads_entry* host_find_or_put(host* h, int64_t tid)
{
	threads_entry* e = threads_find(h->threads, tid);
	return e ? e : threads_put(h->threads, tid);
}

/* exe_path: the trusted path when the driver sent one, else filename, else exe. */
static void host_exec_path(host* h, threads_entry* e, const ss_plugin_event* evt)
{
	const char* p = host_p_str(evt, HOST_EXEC_P_TRUSTED_EXEPATH);
	if (!*p)
		p = host_p_str(evt, HOST_EXEC_P_FILENAME);
	if (!*p)
		p = host_p_str(evt, EVT_P_EXE);
	threads_set_str(h->threads, e, THREADS_F_EXE_PATH, p);
}

static void host_on_execve(host* h, const ss_plugin_event* evt)
{
	if (host_p_i64(evt, EVT_P_RES, -1) != 0)
		return;
	threads_entry* e = host_find_or_put(h, (int64_t)evt->tid);
	if (!e)
		return;
	host_set_i64_param(h, e, THREADS_F_PID, evt, EVT_P_PID);
	host_set_i64_param(h, e, THREADS_F_PTID, evt, EVT_P_PTID);
	host_fill_process(h, e, evt);
	host_p_list(e, evt, EVT_EXECVE_P_ENV, THREADS_SUB_ENV);
	host_set_i64_param(h, e, THREADS_F_VPGID, evt, HOST_EXEC_P_VPGID);
	host_set_u32_param(h, e, THREADS_F_LOGINUID, evt, HOST_EXEC_P_LOGINUID);
	host_set_i64_param(h, e, THREADS_F_EXE_INO, evt, HOST_EXEC_P_EXE_INO);
	host_set_i64_param(h, e, THREADS_F_EXE_INO_CTIME, evt, HOST_EXEC_P_EXE_INO + 1);
	host_set_i64_param(h, e, THREADS_F_EXE_INO_MTIME, evt, HOST_EXEC_P_EXE_INO + 2);
	host_set_u32_param(h, e, THREADS_F_UID, evt, HOST_EXEC_P_UID);
	host_set_i64_param(h, e, THREADS_F_PGID, evt, HOST_EXEC_P_PGID);
	host_set_u32_param(h, e, THREADS_F_GID, evt, HOST_EXEC_P_GID);
	host_exec_path(h, e, evt);
}

static void host_on_chroot(host* h, const ss_plugin_event* evt)
{
	if (host_p_i64(evt, EVT_P_RES, -1) != 0)
		return;
	threads_entry* e = host_find_or_put(h, (int64_t)evt->tid);
	if (e)
		threads_set_str(h->threads, e, THREADS_F_ROOT, host_p_str(evt, 1));
}

static void host_state_update(host* h, const ss_plugin_event* evt)
{
	switch (evt->type) {
	case PPME_SYSCALL_CLONE_20_X:
	case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_VFORK_20_X:
	case PPME_SYSCALL_CLONE3_X:
		host_on_clone(h, evt);
		break;
	case PPME_SYSCALL_EXECVE_16_X:
	case PPME_SYSCALL_EXECVE_17_X:
	case PPME_SYSCALL_EXECVE_18_X:
	case PPME_SYSCALL_EXECVE_19_X:
	case PPME_SYSCALL_EXECVEAT_X:
		host_on_execve(h, evt);
		break;
	case PPME_SYSCALL_CHROOT_X:
		host_on_chroot(h, evt);
		break;
	case PPME_PROCEXIT_1_E:
		/* Parsers still see the thread; it goes when the next event arrives
		 * (docs/abi.md "Event types"). */
		h->exit_pending = true;
		h->exit_tid = (int64_t)evt->tid;
		break;
	default:
		break;
	}
}

/* ---- feeding ---- */

static bool host_keep_last(host* h, const ss_plugin_event* evt)
{
	ss_plugin_event* copy = realloc(h->last_evt, evt->len);
	if (!copy)
		return false;
	memcpy(copy, evt, evt->len);
	h->last_evt = copy;
	return true;
}

static void host_parse(host* h)
{
	ss_plugin_event_input ein = {h->last_evt, h->evtnum, "syscall"};
	ss_plugin_event_parse_input in = {
		.owner = h,
		.get_owner_last_error = host_owner_last_error,
		.table_reader = h->vt.reader,
		.table_writer = h->vt.writer,
		.table_reader_ext = &h->vt.reader_ext,
		.table_writer_ext = &h->vt.writer_ext,
	};
	ss_plugin_rc rc = h->api.parse_event(h->state, &ein, &in);
	host_callback_end(h, true);
	/* libsinsp ignores the result; a debug line helps when writing plugins. */
	if (rc != SS_PLUGIN_SUCCESS) {
		const char* e = h->api.get_last_error(h->state);
		host_logf(h, SS_PLUGIN_LOG_SEV_DEBUG, "parse_event failed on event %llu: %s",
		          (unsigned long long)h->evtnum, e ? e : "");
	}
}

int host_feed_one(host* h, const ss_plugin_event* evt)
{
	if (h->exit_pending) {
		threads_remove(h->threads, h->exit_tid);
		h->exit_pending = false;
	}
	host_state_update(h, evt);
	if (!host_keep_last(h, evt))
		return host_fail(h, "out of memory");
	h->evtnum++;
	if (host_plugin_parses(h, evt->type))
		host_parse(h);
	return 0;
}

int host_feed(host* h, const ss_plugin_event* evt)
{
	char why[128];
	if (!evt)
		return host_fail(h, "NULL event");
	if (!host_event_well_formed(evt, why, sizeof(why)))
		return host_fail(h, "malformed event: %s", why);
	ss_plugin_event hdr;
	memcpy(&hdr, evt, sizeof(hdr));
	/* Events of a capture file come through libscap's converter first; live
	 * ones never carry these types. */
	if (h->mode != HOST_MODE_LIVE && host_is_legacy_container(hdr.type)) {
		ss_plugin_event* conv = host_convert_legacy(evt);
		if (!conv)
			return host_fail(h, "malformed legacy container event");
		int rc = host_feed_one(h, conv);
		free(conv);
		return rc;
	}
	return host_feed_one(h, evt);
}

/* ---- host-side thread access ---- */

int host_thread_add(host* h, const host_proc* p)
{
	if (!p)
		return host_fail(h, "NULL thread");
	threads_entry* e = threads_put(h->threads, p->tid);
	bool ok = e != NULL;
	ok = ok && threads_set_i64(h->threads, e, THREADS_F_PID, p->pid);
	ok = ok && threads_set_i64(h->threads, e, THREADS_F_PTID, p->ptid);
	ok = ok && threads_set_i64(h->threads, e, THREADS_F_VTID, p->vtid);
	ok = ok && threads_set_i64(h->threads, e, THREADS_F_VPID, p->vpid);
	ss_plugin_state_data ts = {.u64 = p->pidns_init_start_ts};
	ok = ok && threads_set(h->threads, e, THREADS_F_PIDNS_INIT_START_TS, ts);
	ok = ok && threads_set_str(h->threads, e, THREADS_F_COMM, p->comm);
	ok = ok && threads_set_str(h->threads, e, THREADS_F_EXE, p->exe);
	ok = ok && threads_set_str(h->threads, e, THREADS_F_EXE_PATH, p->exe_path);
	ok = ok && threads_set_list_strv(e, THREADS_SUB_ARGS, p->args);
	ok = ok && threads_set_list_strv(e, THREADS_SUB_ENV, p->env);
	ok = ok && threads_set_list_strv(e, THREADS_SUB_CGROUPS, p->cgroups);
	return ok ? 0 : host_fail(h, "out of memory");
}

bool host_thread_exists(const host* h, int64_t tid)
{
	return threads_find(h->threads, tid) != NULL;
}

size_t host_thread_count(const host* h)
{
	return threads_count(h->threads);
}

const char* host_thread_dynfield_str(const host* h, int64_t tid, const char* field)
{
	return threads_field_str(h->threads, tid, field);
}

bool host_thread_dynfield_u16(const host* h, int64_t tid, const char* field, uint16_t* out)
{
	return threads_field_u16(h->threads, tid, field, out);
}
