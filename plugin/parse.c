/*
 * Event parsing (docs/architecture.md "Parsing events"): container events fill the cache,
 * process events attach a container id (and a category) to the thread, a
 * container's init exit announces its removal. Runs on the host's event
 * thread: no I/O here, lookups are only enqueued for the worker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctr_json.h"
#include "bundle.h"
#include "plugin_state.h"
#include "scap_events.h"

const uint16_t parse_event_types[] = {
    PPME_ASYNCEVENT_E,        PPME_CONTAINER_E,        PPME_CONTAINER_JSON_E,
    PPME_CONTAINER_JSON_2_E,  PPME_SYSCALL_CLONE_20_X, PPME_SYSCALL_FORK_20_X,
    PPME_SYSCALL_VFORK_20_X,  PPME_SYSCALL_CLONE3_X,   PPME_SYSCALL_EXECVE_16_X,
    PPME_SYSCALL_EXECVE_17_X, PPME_SYSCALL_EXECVE_18_X, PPME_SYSCALL_EXECVE_19_X,
    PPME_SYSCALL_EXECVEAT_X,  PPME_SYSCALL_CHROOT_X,   PPME_PROCEXIT_1_E,
};
const uint32_t parse_event_ntypes = sizeof(parse_event_types) / sizeof(parse_event_types[0]);

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- container id from cgroups (docs/cgroups.md "Where the paths come from") ---- */

typedef struct cg_scan {
	plugin_state* s;
	const table_access* t;
	ss_plugin_table_t* sub;
	cgroup_match m;
} cg_scan;

static ss_plugin_bool cg_scan_entry(ss_plugin_table_iterator_state_t* st, ss_plugin_table_entry_t* e)
{
	cg_scan* c = st;
	ss_plugin_state_data d = {0};
	if (c->t->r->read_entry_field(c->sub, e, c->s->th.cgroups_second, &d) != SS_PLUGIN_SUCCESS ||
	    !d.str || !d.str[0])
		return 1;
	return (c->s->memo ? cgroup_memo_match(c->s->memo, &c->s->matchers, d.str, &c->m)
	                   : cgroup_match_path(&c->s->matchers, d.str, &c->m)) == CGROUP_HOST;
}

static void match_thread(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                         cgroup_match* m)
{
	cg_scan c = {.s = s, .t = t};
	c.m.kind = CGROUP_HOST;
	ss_plugin_state_data d;
	if (thread_read(s, t, e, s->th.cgroups, &d) && d.table) {
		c.sub = d.table;
		t->r->iterate_entries(c.sub, cg_scan_entry, &c);
	}
	*m = c.m;
	if (m->kind == CGROUP_HOST)
		m->id[0] = '\0';
}

static ctr_record* record_from_match(plugin_state* s, const cgroup_match* m)
{
	switch (m->engine) {
	case CGROUP_ENGINE_LXC: return ctr_record_new_matcher(CTR_TYPE_LXC, m->id);
	case CGROUP_ENGINE_LIBVIRT_LXC: return ctr_record_new_matcher(CTR_TYPE_LIBVIRT_LXC, m->id);
	case CGROUP_ENGINE_BPM: return ctr_record_new_matcher(CTR_TYPE_BPM, m->id);
	case CGROUP_ENGINE_STATIC:
		return ctr_record_new_static(s->cfg.static_id, s->cfg.static_name, s->cfg.static_image);
	default: return NULL;
	}
}

/* lxc/libvirt-lxc/bpm/static: cache the matcher's record, announce it once
 * (docs/architecture.md "New-process procedure"). */
static void apply_matcher_record(plugin_state* s, const cgroup_match* m)
{
	ctr_record* cur = containers_get(s, m->id);
	if (cur && !strcmp(cur->id, m->id))
		return;
	ctr_record* r = record_from_match(s, m);
	if (!r)
		return;
	containers_put(s, r);
	if (s->live)
		async_emit_record(&s->async, ASYNC_EVT_CONTAINER, r, NULL);
	ctr_record_unref(r);
}

/* A container without a record: the engines are asked, the kind its cgroup shows first. */
static void ask_engines(plugin_state* s, const char* id, cgroup_engine hint)
{
	if (s->worker)
		worker_request_lookup(s->worker, id, hint);
}

/* The thread's container id per the matchers and docs/decisions.md #1 (candidates). */
static const char* resolve_id(plugin_state* s, cgroup_match* m)
{
	switch (m->kind) {
	case CGROUP_ID: return m->id;
	case CGROUP_RECORD: apply_matcher_record(s, m); return m->id;
	case CGROUP_CANDIDATE:
		if (containers_get(s, m->id))
			return m->id;
		ask_engines(s, m->id, m->engine);
		if (bundle_candidate(s, m->id))
			return m->id;
		lookup_candidate_add(s->lookups, m->id, now_ms());
		return "";
	default: return "";
	}
}

/*
 * A process event carries the thread's cgroups as the kernel had them, the
 * list the host copies into the thread's sub-table: matched from the event,
 * they cost no table call. Events without them (chroot, an empty list) and
 * lists the host would not take walk the sub-table.
 */
static void match_event(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                        const ss_plugin_event* evt, cgroup_match* m)
{
	const uint8_t* list;
	uint32_t len;
	if (s->memo && scap_event_param(evt, EVT_P_CGROUPS, &list, &len) && len &&
	    cgroup_memo_match_list(s->memo, &s->matchers, (const char*)list, len, m))
		return;
	match_thread(s, t, e, m);
}

/* ---- the new-process procedure (docs/architecture.md "New-process procedure") ---- */

/*
 * The attached threads, with whether each is its container's init (whose exit
 * is looked at), and the gauge; tid <= 0 (unknown): every exit is looked at.
 */
static void track(plugin_state* s, int64_t tid, const char* id, bool init)
{
	if (tid <= 0) {
		s->inits_all |= init;
		return;
	}
	if (id[0] ? tidset_put(&s->attached, tid, init) : tidset_take(&s->attached, tid) >= 0)
		metrics_add(&s->m, METRIC_THREADS_ATTACHED, id[0] ? 1 : -1);
}

static void new_process(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                        cgroup_match* m, int64_t tid)
{
	const char* id = resolve_id(s, m);
	const char* was = thread_read_str(s, t, e, s->th.container_id);
	bool had = was[0] != '\0'; /* was is the host's storage: gone once written */
	if (strcmp(was, id)) {
		ss_plugin_state_data d = {0};
		d.str = id;
		t->w->write_entry_field(s->th.table, e, s->th.container_id, &d);
	}
	const ctr_record* r = id[0] ? containers_get(s, id) : NULL;
	if (id[0] && !r) {
		ask_engines(s, id, m->engine); /* first: a provisional record must not stop the lookup */
		r = bundle_provisional(s, t, e, id);
	}
	bool init = category_assign(s, t, e, id, r);
	if (id[0] || had)
		track(s, tid, id, init);
}

void parse_new_process(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e)
{
	cgroup_match m;
	match_thread(s, t, e, &m);
	new_process(s, t, e, &m, s->th.tid ? thread_read_i64(s, t, e, s->th.tid) : -1);
}

static ss_plugin_rc parse_process_event(plugin_state* s, const ss_plugin_event* evt,
                                        const table_access* t)
{
	int64_t res;
	if (!scap_event_param_i64(evt, EVT_P_RES, &res) || res < 0)
		return SS_PLUGIN_SUCCESS;
	ss_plugin_table_entry_t* e = thread_get(s, t, (int64_t)evt->tid);
	if (!e)
		return SS_PLUGIN_FAILURE;
	cgroup_match m;
	match_event(s, t, e, evt, &m);
	new_process(s, t, e, &m, (int64_t)evt->tid);
	thread_release(s, t, e);
	return SS_PLUGIN_SUCCESS;
}

/* ---- container exit (docs/architecture.md "Container exit") ------------- */

static ss_plugin_rc parse_procexit(plugin_state* s, const ss_plugin_event* evt,
                                   const table_access* t)
{
	int64_t tid = (int64_t)evt->tid;
	int attached = tidset_take(&s->attached, tid); /* 1: a container's init */
	if (attached >= 0)
		metrics_add(&s->m, METRIC_THREADS_ATTACHED, -1);
	if (attached != 1 && !s->inits_all)
		return SS_PLUGIN_SUCCESS; /* not a container's init: nothing more to do */
	ss_plugin_table_entry_t* e = thread_get(s, t, tid);
	if (!e)
		return SS_PLUGIN_FAILURE;
	/* Most exits are not a container's init: one read tells. */
	bool init = thread_read_i64(s, t, e, s->th.vtid) == 1 && thread_read_i64(s, t, e, s->th.vpid) == 1;
	const char* id = init ? thread_read_str(s, t, e, s->th.container_id) : "";
	ctr_record* r = id[0] ? containers_get(s, id) : NULL;
	if (r)
		r->exited = true; /* the first to go if the cache fills up (containers.c) */
	if (r && s->live && s->worker)
		worker_container_exited(s->worker, r);
	thread_release(s, t, e);
	return SS_PLUGIN_SUCCESS;
}

/* ---- container events ---------------------------------------------------- */

static void set_last(plugin_state* s, ctr_record* r, uint64_t evtnum)
{
	ctr_record_unref(s->last_rec);
	s->last_rec = ctr_record_ref(r);
	s->last_evtnum = evtnum;
}

typedef struct recheck {
	plugin_state* s;
	const table_access* t;
} recheck;

static ss_plugin_bool recheck_thread(ss_plugin_table_iterator_state_t* st,
                                     ss_plugin_table_entry_t* e)
{
	recheck* rc = st;
	if (!thread_read_str(rc->s, rc->t, e, rc->s->th.container_id)[0])
		parse_new_process(rc->s, rc->t, e);
	return 1;
}

/*
 * An engine confirmed a relaxed-rule candidate: threads that were left on the
 * host while it was unconfirmed get their container id now (rare, so a pass
 * over the threads table is fine).
 */
static void confirm_candidate(plugin_state* s, const table_access* t, const char* id)
{
	if (!lookup_candidate_confirm(s->lookups, id) || !t->w)
		return;
	recheck rc = {s, t};
	t->r->iterate_entries(s->th.table, recheck_thread, &rc);
}

static ss_plugin_rc apply_record(plugin_state* s, const table_access* t, ctr_record* r,
                                 uint64_t evtnum, bool removed)
{
	if (!r->id[0]) {
		plugin_set_error(s, "container event without an id ignored");
		ctr_record_unref(r);
		return SS_PLUGIN_FAILURE;
	}
	set_last(s, r, evtnum);
	if (removed) {
		containers_erase(s, r->id);
	} else {
		containers_put(s, r);
		lookup_known(s->lookups, r->id); /* asked again if it comes back after a removal */
		confirm_candidate(s, t, r->id);
	}
	ctr_record_unref(r);
	return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc decode_and_apply(plugin_state* s, const table_access* t, const uint8_t* json,
                                     uint32_t len, uint64_t evtnum, bool removed)
{
	char err[256];
	ctr_record* r = len ? ctr_json_decode((const char*)json, len, err, sizeof(err)) : NULL;
	if (!r) {
		plugin_set_error(s, "bad container JSON: %s", len ? err : "empty payload");
		return SS_PLUGIN_FAILURE;
	}
	return apply_record(s, t, r, evtnum, removed);
}

static ss_plugin_rc parse_async(plugin_state* s, const ss_plugin_event_input* ev,
                                const table_access* t)
{
	const char* name;
	const uint8_t* data;
	uint32_t len;
	if (!scap_event_param_str(ev->evt, 1, &name, NULL))
		return SS_PLUGIN_FAILURE;
	bool removed = !strcmp(name, ASYNC_EVT_REMOVED);
	/* An update carries a full record too (e.g. the IP known at start): same as added. */
	if (!removed && strcmp(name, ASYNC_EVT_CONTAINER) && strcmp(name, ASYNC_EVT_UPDATED))
		return SS_PLUGIN_SUCCESS; /* another plugin's async event */
	if (!scap_event_param(ev->evt, 2, &data, &len))
		return SS_PLUGIN_FAILURE;
	return decode_and_apply(s, t, data, len, ev->evtnum, removed);
}

/* 228: id, type, name, image (the only legacy event without JSON). */
static ss_plugin_rc parse_legacy_container(plugin_state* s, const ss_plugin_event_input* ev,
                                           const table_access* t)
{
	const char *id, *name = "", *image = "";
	const uint8_t* tp;
	uint32_t tlen, type;
	if (!scap_event_param_str(ev->evt, 0, &id, NULL) || !scap_event_param(ev->evt, 1, &tp, &tlen) ||
	    tlen != 4)
		return SS_PLUGIN_FAILURE;
	memcpy(&type, tp, 4);
	scap_event_param_str(ev->evt, 2, &name, NULL);
	scap_event_param_str(ev->evt, 3, &image, NULL);
	ctr_record* r = ctr_record_new();
	if (!r || !ctr_str_set(&r->id, id) || !ctr_str_set(&r->name, name) ||
	    !ctr_str_set(&r->image, image)) {
		ctr_record_unref(r);
		return SS_PLUGIN_FAILURE;
	}
	r->type = type;
	ctr_record_finalize(r);
	return apply_record(s, t, r, ev->evtnum, false);
}

ss_plugin_rc parse_event(plugin_state* s, const ss_plugin_event_input* ev, const table_access* t)
{
	const ss_plugin_event* evt = ev->evt;
	const uint8_t* data;
	uint32_t len;
	switch (evt->type) {
	case PPME_ASYNCEVENT_E: return parse_async(s, ev, t);
	case PPME_CONTAINER_E: return parse_legacy_container(s, ev, t);
	case PPME_CONTAINER_JSON_E:
	case PPME_CONTAINER_JSON_2_E:
		if (!scap_event_param(evt, 0, &data, &len))
			return SS_PLUGIN_FAILURE;
		return decode_and_apply(s, t, data, len, ev->evtnum, false);
	case PPME_PROCEXIT_1_E: return parse_procexit(s, evt, t);
	case PPME_SYSCALL_CLONE_20_X:
	case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_VFORK_20_X:
	case PPME_SYSCALL_CLONE3_X:
	case PPME_SYSCALL_EXECVE_16_X:
	case PPME_SYSCALL_EXECVE_17_X:
	case PPME_SYSCALL_EXECVE_18_X:
	case PPME_SYSCALL_EXECVE_19_X:
	case PPME_SYSCALL_EXECVEAT_X:
	case PPME_SYSCALL_CHROOT_X: return parse_process_event(s, evt, t);
	default: return SS_PLUGIN_SUCCESS;
	}
}
