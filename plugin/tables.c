/*
 * Host tables: accessors for the `threads` table (docs/abi.md "Threads table", "Sub-tables")
 * and the `containers` table we expose (docs/architecture.md "Containers table"). libsinsp
 * reads `user` and `ip` of `containers` from its event thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_state.h"

/* ---- containers table ------------------------------------------------- */

enum { CF_ID, CF_NAME, CF_IMAGE, CF_TYPE, CF_USER, CF_IP, CF_COUNT };

static const ss_plugin_table_fieldinfo container_fields[CF_COUNT] = {
    [CF_ID] = {"id", SS_PLUGIN_ST_STRING, 1},     [CF_NAME] = {"name", SS_PLUGIN_ST_STRING, 1},
    [CF_IMAGE] = {"image", SS_PLUGIN_ST_STRING, 1}, [CF_TYPE] = {"type", SS_PLUGIN_ST_UINT32, 1},
    [CF_USER] = {"user", SS_PLUGIN_ST_STRING, 1}, [CF_IP] = {"ip", SS_PLUGIN_ST_STRING, 1},
};

static const ss_plugin_table_fieldinfo* ct_list_fields(ss_plugin_table_t* t, uint32_t* n)
{
	(void)t;
	*n = CF_COUNT;
	return container_fields;
}

static ss_plugin_table_field_t* ct_get_field(ss_plugin_table_t* t, const char* name,
                                             ss_plugin_state_type type)
{
	(void)t;
	for (uintptr_t i = 0; name && i < CF_COUNT; i++)
		if (!strcmp(container_fields[i].name, name))
			return container_fields[i].field_type == type ? (void*)(i + 1) : NULL;
	return NULL;
}

static ss_plugin_table_field_t* ct_add_field(ss_plugin_table_t* t, const char* name,
                                             ss_plugin_state_type type)
{
	plugin_set_error(t, "the containers table does not accept new fields (%s/%d)",
	                 name ? name : "", (int)type);
	return NULL;
}

static const char* ct_name(ss_plugin_table_t* t)
{
	(void)t;
	return "containers";
}

static uint64_t ct_size(ss_plugin_table_t* t)
{
	return ctr_cache_size(((plugin_state*)t)->cache);
}

static ss_plugin_table_entry_t* ct_get_entry(ss_plugin_table_t* t, const ss_plugin_state_data* key)
{
	plugin_state* s = t;
	/* A miss is routine (libsinsp asks for every new thread's container) and
	 * must not overwrite the last error of something that did fail. A hit is
	 * pinned until ct_release: an erase, a clear, a parsed removal or a newer
	 * record meanwhile only drops the table's own reference. */
	return key && key->str ? ctr_record_ref(containers_get(s, key->str)) : NULL;
}

static ss_plugin_rc ct_read(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                            const ss_plugin_table_field_t* f, ss_plugin_state_data* out)
{
	const ctr_record* r = e;
	uintptr_t idx = (uintptr_t)f;
	if (!r || idx < 1 || idx > CF_COUNT) {
		plugin_set_error(t, "invalid containers table field or entry");
		return SS_PLUGIN_FAILURE;
	}
	switch (idx - 1) {
	case CF_ID: out->str = r->id; break;
	case CF_NAME: out->str = r->name; break;
	case CF_IMAGE: out->str = r->image; break;
	case CF_TYPE: out->u32 = r->type; break;
	case CF_USER: out->str = r->user; break;
	default: out->str = r->ip; break;
	}
	return SS_PLUGIN_SUCCESS;
}

static void ct_release(ss_plugin_table_t* t, ss_plugin_table_entry_t* e)
{
	(void)t;
	ctr_record_unref(e); /* the pin of ct_get_entry */
}

typedef struct ct_walk {
	ctr_record** recs;
	size_t n;
} ct_walk;

static bool pin_one(void* arg, const char* key, ctr_record* r)
{
	(void)key;
	ct_walk* w = arg;
	w->recs[w->n++] = ctr_record_ref(r);
	return true;
}

/* The record the table holds now for r's container; NULL once it left the table. */
static ctr_record* cached_now(plugin_state* s, const ctr_record* r)
{
	if (r == s->host_rec)
		return s->host_rec;
	ctr_record* cur = containers_get(s, r->id);
	return cur && !strcmp(cur->id, r->id) ? cur : NULL;
}

/*
 * The callback may erase entries or clear the table as it walks: the walk goes
 * over the records pinned beforehand, skips those taken out meanwhile, and
 * pins the one it hands out for the time of the call.
 */
static ss_plugin_bool ct_iterate(ss_plugin_table_t* t, ss_plugin_table_iterator_func_t fn,
                                 ss_plugin_table_iterator_state_t* st)
{
	plugin_state* s = t;
	size_t n = ctr_cache_size(s->cache);
	ct_walk w = {malloc((n ? n : 1) * sizeof(*w.recs)), 0};
	if (!w.recs) {
		plugin_set_error(s, "out of memory walking the containers table");
		return 0;
	}
	ctr_cache_foreach(s->cache, pin_one, &w);
	bool go = true;
	for (size_t i = 0; i < w.n; i++) {
		ctr_record* cur = go ? ctr_record_ref(cached_now(s, w.recs[i])) : NULL;
		if (cur)
			go = fn(st, cur) != 0;
		ctr_record_unref(cur);
		ctr_record_unref(w.recs[i]);
	}
	free(w.recs);
	return go;
}

static ss_plugin_rc ct_erase(ss_plugin_table_t* t, const ss_plugin_state_data* key)
{
	plugin_state* s = t;
	if (!key || !key->str || !key->str[0] || !containers_get(s, key->str)) {
		plugin_set_error(s, "cannot erase container '%s'", key && key->str ? key->str : "");
		return SS_PLUGIN_FAILURE;
	}
	containers_erase(s, key->str);
	return SS_PLUGIN_SUCCESS;
}

typedef struct key_list {
	char** keys;
	size_t n;
} key_list;

static bool collect_key(void* arg, const char* key, ctr_record* r)
{
	(void)r;
	key_list* l = arg;
	if (key[0])
		l->keys[l->n++] = (char*)key;
	return true;
}

static ss_plugin_rc ct_clear(ss_plugin_table_t* t)
{
	plugin_state* s = t;
	size_t n = ctr_cache_size(s->cache);
	key_list l = {calloc(n ? n : 1, sizeof(char*)), 0};
	if (!l.keys)
		return SS_PLUGIN_FAILURE;
	ctr_cache_foreach(s->cache, collect_key, &l);
	for (size_t i = 0; i < l.n; i++)
		l.keys[i] = strdup(l.keys[i]); /* erase frees the cache's own key */
	for (size_t i = 0; i < l.n; i++) {
		if (l.keys[i])
			containers_erase(s, l.keys[i]);
		free(l.keys[i]);
	}
	free(l.keys);
	return SS_PLUGIN_SUCCESS;
}

static ss_plugin_table_entry_t* ct_create(ss_plugin_table_t* t)
{
	plugin_set_error(t, "containers are added by the container plugin only");
	return NULL;
}

static void ct_destroy(ss_plugin_table_t* t, ss_plugin_table_entry_t* e)
{
	(void)t;
	(void)e;
}

static ss_plugin_table_entry_t* ct_add(ss_plugin_table_t* t, const ss_plugin_state_data* k,
                                       ss_plugin_table_entry_t* e)
{
	(void)k;
	(void)e;
	return ct_create(t);
}

static ss_plugin_rc ct_write(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                             const ss_plugin_table_field_t* f, const ss_plugin_state_data* in)
{
	(void)e;
	(void)f;
	(void)in;
	plugin_set_error(t, "the containers table is read-only");
	return SS_PLUGIN_FAILURE;
}

static ss_plugin_table_reader_vtable_ext ct_reader = {
    ct_name, ct_size, ct_get_entry, ct_read, ct_release, ct_iterate};
static ss_plugin_table_writer_vtable_ext ct_writer = {ct_clear, ct_erase,   ct_create,
                                                      ct_destroy, ct_add, ct_write};
static ss_plugin_table_fields_vtable_ext ct_fields = {ct_list_fields, ct_get_field, ct_add_field};

static int register_containers(plugin_state* s, const ss_plugin_init_tables_input* in)
{
	ss_plugin_table_input* ti = &s->table;
	memset(ti, 0, sizeof(*ti));
	ti->name = "containers";
	ti->key_type = SS_PLUGIN_ST_STRING;
	ti->table = s;
	/* libsinsp requires the legacy copies to be the very same functions. */
	memcpy(&ti->reader, &ct_reader, sizeof(ti->reader));
	memcpy(&ti->writer, &ct_writer, sizeof(ti->writer));
	memcpy(&ti->fields, &ct_fields, sizeof(ti->fields));
	ti->reader_ext = &ct_reader;
	ti->writer_ext = &ct_writer;
	ti->fields_ext = &ct_fields;
	return in->add_table(s->owner, ti) == SS_PLUGIN_SUCCESS ? 0 : -1;
}

/* ---- threads table ------------------------------------------------------ */

static ss_plugin_table_field_t* need_field(plugin_state* s, const ss_plugin_init_tables_input* in,
                                           ss_plugin_table_t* t, const char* name,
                                           ss_plugin_state_type type, bool add)
{
	ss_plugin_table_field_t* f = add ? in->fields_ext->add_table_field(t, name, type)
	                                 : in->fields_ext->get_table_field(t, name, type);
	if (!f)
		plugin_set_error(s, "cannot %s the '%s' field of the 'threads' table",
		                 add ? "add" : "access", name);
	return f;
}

/* Sub-table field accessors need a sub-table instance: a detached entry
 * (docs/abi.md "Sub-tables"). */
static int subtable_fields(plugin_state* s, const ss_plugin_init_tables_input* in)
{
	thread_fields* th = &s->th;
	ss_plugin_table_entry_t* tmp = in->writer_ext->create_table_entry(th->table);
	if (!tmp) {
		plugin_set_error(s, "cannot create a temporary 'threads' entry");
		return -1;
	}
	ss_plugin_state_data d = {0};
	int rc = -1;
	if (in->reader_ext->read_entry_field(th->table, tmp, th->cgroups, &d) == SS_PLUGIN_SUCCESS &&
	    (th->cgroups_second = need_field(s, in, d.table, "second", SS_PLUGIN_ST_STRING, false))) {
		memset(&d, 0, sizeof(d));
		if (in->reader_ext->read_entry_field(th->table, tmp, th->args, &d) == SS_PLUGIN_SUCCESS &&
		    (th->args_value = need_field(s, in, d.table, "value", SS_PLUGIN_ST_STRING, false)))
			rc = 0;
	}
	if (rc && !s->lasterr[0])
		plugin_set_error(s, "cannot read the sub-tables of the 'threads' table");
	in->writer_ext->destroy_table_entry(th->table, tmp);
	return rc;
}

static int thread_fields_init(plugin_state* s, const ss_plugin_init_tables_input* in)
{
	thread_fields* th = &s->th;
	th->table = in->get_table(s->owner, "threads", SS_PLUGIN_ST_INT64);
	if (!th->table) {
		plugin_set_error(s, "the host has no 'threads' table");
		return -1;
	}
	if (!(th->vpid = need_field(s, in, th->table, "vpid", SS_PLUGIN_ST_INT64, false)) ||
	    !(th->vtid = need_field(s, in, th->table, "vtid", SS_PLUGIN_ST_INT64, false)) ||
	    !(th->ptid = need_field(s, in, th->table, "ptid", SS_PLUGIN_ST_INT64, false)) ||
	    !(th->exe = need_field(s, in, th->table, "exe", SS_PLUGIN_ST_STRING, false)) ||
	    !(th->pidns_init_start_ts =
	          need_field(s, in, th->table, "pidns_init_start_ts", SS_PLUGIN_ST_UINT64, false)) ||
	    !(th->args = need_field(s, in, th->table, "args", SS_PLUGIN_ST_TABLE, false)) ||
	    !(th->cgroups = need_field(s, in, th->table, "cgroups", SS_PLUGIN_ST_TABLE, false)) ||
	    !(th->container_id =
	          need_field(s, in, th->table, "container_id", SS_PLUGIN_ST_STRING, true)) ||
	    !(th->category = need_field(s, in, th->table, "category", SS_PLUGIN_ST_UINT16, true)))
		return -1;
	/* optional (bundle.c falls back on ptid): never a reason to refuse a host */
	th->pid = in->fields_ext->get_table_field(th->table, "pid", SS_PLUGIN_ST_INT64);
	th->tid = in->fields_ext->get_table_field(th->table, "tid", SS_PLUGIN_ST_INT64);
	return subtable_fields(s, in);
}

int tables_init(plugin_state* s, const ss_plugin_init_input* init)
{
	const ss_plugin_init_tables_input* in = init->tables;
	if (!in || !in->fields_ext || !in->reader_ext || !in->writer_ext) {
		plugin_set_error(s, "the host offers no table API (plugin API 3.5 or newer required)");
		return -1;
	}
	if (thread_fields_init(s, in))
		return -1;
	/* container_id without `containers` can crash libs >= 0.23
	 * (docs/abi.md "Containers table"): both or nothing. */
	if (register_containers(s, in)) {
		const char* he = init->get_owner_last_error ? init->get_owner_last_error(s->owner) : NULL;
		plugin_set_error(s, "cannot add the 'containers' table: %s", he ? he : "refused");
		return -1;
	}
	return 0;
}
