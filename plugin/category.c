/*
 * Process categories (docs/architecture.md "Process categories"): container init and its
 * descendants, and processes started by the runtime as a health check or a
 * Kubernetes liveness/readiness probe (and their descendants). Computed at
 * process events, stored in the thread's `category` field.
 */
#include <string.h>

#include "plugin_state.h"

#define MAX_ANCESTORS 256
#define MAX_PROBE_ARGS 64

static uint16_t read_category(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e)
{
	ss_plugin_state_data d;
	return thread_read(s, t, e, s->th.category, &d) ? d.u16 : 0;
}

static void write_category(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                           uint16_t cat)
{
	ss_plugin_state_data d = {0};
	d.u16 = cat;
	t->w->write_entry_field(s->th.table, e, s->th.category, &d);
}

typedef struct arg_list {
	plugin_state* s;
	const table_access* t;
	ss_plugin_table_t* sub;
	const char* v[MAX_PROBE_ARGS];
	size_t n;
	bool overflow;
} arg_list;

static ss_plugin_bool collect_arg(ss_plugin_table_iterator_state_t* st, ss_plugin_table_entry_t* e)
{
	arg_list* a = st;
	ss_plugin_state_data d = {0};
	if (a->n == MAX_PROBE_ARGS) {
		a->overflow = true;
		return 0;
	}
	if (a->t->r->read_entry_field(a->sub, e, a->s->th.args_value, &d) != SS_PLUGIN_SUCCESS)
		return 0;
	a->v[a->n++] = d.str ? d.str : "";
	return 1;
}

static bool probe_matches(const ctr_probe* p, const char* exe, const arg_list* a)
{
	if (!p->present || strcmp(p->exe, exe) || p->nargs != a->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(p->args[i], a->v[i]))
			return false;
	return true;
}

/* Index of the probe whose exe and args equal the thread's command line, or -1. */
static int match_probe(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                       const ctr_record* r)
{
	if (!r->probes[0].present && !r->probes[1].present && !r->probes[2].present)
		return -1;
	arg_list a = {.s = s, .t = t};
	ss_plugin_state_data d;
	if (!thread_read(s, t, e, s->th.args, &d) || !d.table)
		return -1;
	a.sub = d.table;
	t->r->iterate_entries(a.sub, collect_arg, &a);
	if (a.overflow)
		return -1;
	const char* exe = thread_read_str(s, t, e, s->th.exe);
	for (int i = 0; i < CTR_PROBE_COUNT; i++)
		if (probe_matches(&r->probes[i], exe, &a))
			return i;
	return -1;
}

/* True if an ancestor is a container init: the command ran inside the container's tree. */
static bool started_in_container(plugin_state* s, const table_access* t, int64_t ptid)
{
	for (int depth = 0; depth < MAX_ANCESTORS && ptid > 0; depth++) {
		ss_plugin_table_entry_t* p = thread_get(s, t, ptid);
		if (!p)
			return false;
		bool init = thread_read_i64(s, t, p, s->th.vpid) == 1 &&
		            thread_read_str(s, t, p, s->th.container_id)[0];
		int64_t next = thread_read_i64(s, t, p, s->th.ptid);
		thread_release(s, t, p);
		if (init)
			return true;
		if (next == ptid)
			return false;
		ptid = next;
	}
	return false;
}

bool category_assign(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                     const char* id, const ctr_record* r)
{
	if (!id[0])
		return false;
	if (thread_read_i64(s, t, e, s->th.vpid) == 1) {
		write_category(s, t, e, CATEGORY_CONTAINER);
		return true;
	}
	/* Descendants inherit, so a probe's children stay probes and init's stay container. */
	int64_t ptid = thread_read_i64(s, t, e, s->th.ptid);
	ss_plugin_table_entry_t* p = ptid > 0 ? thread_get(s, t, ptid) : NULL;
	uint16_t pcat = p ? read_category(s, t, p) : 0;
	if (p)
		thread_release(s, t, p);
	if (pcat) {
		write_category(s, t, e, pcat);
		return false;
	}
	int probe = r ? match_probe(s, t, e, r) : -1;
	if (probe >= 0 && !started_in_container(s, t, ptid))
		write_category(s, t, e, (uint16_t)(CATEGORY_HEALTHCHECK + probe));
	return false;
}
