/*
 * The tables API given to the plugin (docs/abi.md "Tables"): list/get/add tables at init,
 * the reader/writer/fields vtables, and the acceptance rules for plugin-owned
 * tables (docs/abi.md "Plugin-owned tables").
 *
 * The vtable functions are dispatchers: a handle is either ours (the threads
 * table or one of its sub-tables, handled by threads.c) or a plugin-owned table
 * that the plugin fetched back with get_table, whose calls are forwarded to the
 * plugin's own functions as libsinsp does for tables registered by plugins.
 */
#include "host_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((format(printf, 2, 3))) static void host_owner_fail(host* h, const char* fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->owner_err, sizeof(h->owner_err), fmt, ap);
	va_end(ap);
}

static host_ptable* host_ptable_of(ss_plugin_table_t* t)
{
	if (!t || threads_is_handle(t))
		return NULL;
	uint32_t m;
	memcpy(&m, t, sizeof(m));
	return m == HOST_PTABLE_MAGIC ? t : NULL;
}

/* A plugin table lookup failure is explained by the plugin's own last error
 * (docs/abi.md "Plugin-owned tables"). */
static void host_ptable_blame(host_ptable* p)
{
	host* h = p->h;
	const char* e = h->state ? h->api.get_last_error(h->state) : NULL;
	host_owner_fail(h, "table '%s': %s", p->in.name, e ? e : "operation failed");
}

/* ---- fields vtable ---- */

static const ss_plugin_table_fieldinfo* host_vt_list_fields(ss_plugin_table_t* t, uint32_t* n)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->fields.list_table_fields(p->in.table, n) : threads_list_fields(t, n);
}

static ss_plugin_table_field_t* host_vt_get_field(ss_plugin_table_t* t, const char* name,
                                                  ss_plugin_state_type type)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->fields.get_table_field(p->in.table, name, type) :
	           threads_get_field(t, name, type);
}

static ss_plugin_table_field_t* host_vt_add_field(ss_plugin_table_t* t, const char* name,
                                                  ss_plugin_state_type type)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->fields.add_table_field(p->in.table, name, type) :
	           threads_add_field(t, name, type);
}

/* ---- reader vtable ---- */

static const char* host_vt_get_name(ss_plugin_table_t* t)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->reader.get_table_name(p->in.table) : threads_get_name(t);
}

static uint64_t host_vt_get_size(ss_plugin_table_t* t)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->reader.get_table_size(p->in.table) : threads_get_size(t);
}

static ss_plugin_table_entry_t* host_vt_get_entry(ss_plugin_table_t* t,
                                                  const ss_plugin_state_data* key)
{
	host_ptable* p = host_ptable_of(t);
	if (!p)
		return threads_get_entry(t, key);
	ss_plugin_table_entry_t* e = p->reader.get_table_entry(p->in.table, key);
	if (!e)
		host_ptable_blame(p);
	return e;
}

static ss_plugin_rc host_vt_read(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                                 const ss_plugin_table_field_t* f, ss_plugin_state_data* out)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->reader.read_entry_field(p->in.table, e, f, out) :
	           threads_read_field(t, e, f, out);
}

static void host_vt_release(ss_plugin_table_t* t, ss_plugin_table_entry_t* e)
{
	host_ptable* p = host_ptable_of(t);
	if (!p)
		threads_release_entry(t, e);
	else if (p->reader.release_table_entry)
		p->reader.release_table_entry(p->in.table, e);
}

static ss_plugin_bool host_vt_iterate(ss_plugin_table_t* t, ss_plugin_table_iterator_func_t it,
                                      ss_plugin_table_iterator_state_t* s)
{
	host_ptable* p = host_ptable_of(t);
	if (!p)
		return threads_iterate(t, it, s);
	return p->reader.iterate_entries ? p->reader.iterate_entries(p->in.table, it, s) : 0;
}

/* ---- writer vtable ---- */

static ss_plugin_rc host_vt_clear(ss_plugin_table_t* t)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->writer.clear_table(p->in.table) : threads_clear(t);
}

static ss_plugin_rc host_vt_erase(ss_plugin_table_t* t, const ss_plugin_state_data* key)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->writer.erase_table_entry(p->in.table, key) : threads_erase_entry(t, key);
}

static ss_plugin_table_entry_t* host_vt_create(ss_plugin_table_t* t)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->writer.create_table_entry(p->in.table) : threads_create_entry(t);
}

static void host_vt_destroy(ss_plugin_table_t* t, ss_plugin_table_entry_t* e)
{
	host_ptable* p = host_ptable_of(t);
	if (p)
		p->writer.destroy_table_entry(p->in.table, e);
	else
		threads_destroy_entry(t, e);
}

static ss_plugin_table_entry_t* host_vt_add(ss_plugin_table_t* t, const ss_plugin_state_data* key,
                                            ss_plugin_table_entry_t* e)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->writer.add_table_entry(p->in.table, key, e) : threads_add_entry(t, key, e);
}

static ss_plugin_rc host_vt_write(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                                  const ss_plugin_table_field_t* f, const ss_plugin_state_data* in)
{
	host_ptable* p = host_ptable_of(t);
	return p ? p->writer.write_entry_field(p->in.table, e, f, in) :
	           threads_write_field(t, e, f, in);
}

void host_vtables_init(host_vtables* vt)
{
	vt->reader_ext = (ss_plugin_table_reader_vtable_ext){
		host_vt_get_name, host_vt_get_size, host_vt_get_entry,
		host_vt_read,     host_vt_release,  host_vt_iterate,
	};
	vt->reader = (ss_plugin_table_reader_vtable){host_vt_get_name, host_vt_get_size,
	                                             host_vt_get_entry, host_vt_read};
	vt->writer_ext = (ss_plugin_table_writer_vtable_ext){
		host_vt_clear, host_vt_erase, host_vt_create, host_vt_destroy, host_vt_add, host_vt_write,
	};
	vt->writer = (ss_plugin_table_writer_vtable){
		host_vt_clear, host_vt_erase, host_vt_create, host_vt_destroy, host_vt_add, host_vt_write,
	};
	vt->fields_ext = (ss_plugin_table_fields_vtable_ext){host_vt_list_fields, host_vt_get_field,
	                                                     host_vt_add_field};
	vt->fields = (ss_plugin_table_fields_vtable){host_vt_list_fields, host_vt_get_field,
	                                             host_vt_add_field};
}

/* ---- init-time table registry ---- */

static host* host_init_owner(ss_plugin_owner_t* o, const char* op)
{
	host* h = o;
	if (!h)
		return NULL;
	if (!h->in_init) {
		host_owner_fail(h, "%s is only available during init", op);
		return NULL;
	}
	return h;
}

static ss_plugin_table_info* host_list_tables(ss_plugin_owner_t* o, uint32_t* ntables)
{
	host* h = host_init_owner(o, "list_tables");
	if (!h || !ntables)
		return NULL;
	ss_plugin_table_info* infos = realloc(h->table_infos, (h->nptables + 1) * sizeof(*infos));
	if (!infos) {
		host_owner_fail(h, "out of memory");
		return NULL;
	}
	h->table_infos = infos;
	infos[0] = (ss_plugin_table_info){"threads", SS_PLUGIN_ST_INT64};
	for (size_t i = 0; i < h->nptables; i++)
		infos[i + 1] = (ss_plugin_table_info){h->ptables[i]->in.name, h->ptables[i]->in.key_type};
	*ntables = (uint32_t)(h->nptables + 1);
	return infos;
}

static host_ptable* host_ptable_find(const host* h, const char* name)
{
	for (size_t i = 0; i < h->nptables; i++)
		if (!strcmp(h->ptables[i]->in.name, name))
			return h->ptables[i];
	return NULL;
}

static ss_plugin_table_t* host_get_table(ss_plugin_owner_t* o, const char* name,
                                         ss_plugin_state_type key_type)
{
	host* h = host_init_owner(o, "get_table");
	if (!h || !name)
		return NULL;
	if (!strcmp(name, "threads")) {
		/* Cached after the first success, without revalidating the key
		 * (docs/abi.md "Threads table"). */
		if (!h->threads_handed && key_type != SS_PLUGIN_ST_INT64) {
			host_owner_fail(h, "table 'threads' has key type %d, not %d", SS_PLUGIN_ST_INT64,
			                (int)key_type);
			return NULL;
		}
		h->threads_handed = true;
		return h->threads;
	}
	host_ptable* p = host_ptable_find(h, name);
	if (p && p->in.key_type != key_type) {
		host_owner_fail(h, "table '%s' has key type %d, not %d", name, (int)p->in.key_type,
		                (int)key_type);
		return NULL;
	}
	if (!p)
		host_owner_fail(h, "table '%s' not found", name);
	return p;
}

/* ---- add_table acceptance (docs/abi.md "Plugin-owned tables") ---- */

static bool host_key_type_ok(ss_plugin_state_type t)
{
	switch (t) {
	case SS_PLUGIN_ST_INT8:
	case SS_PLUGIN_ST_INT16:
	case SS_PLUGIN_ST_INT32:
	case SS_PLUGIN_ST_INT64:
	case SS_PLUGIN_ST_UINT8:
	case SS_PLUGIN_ST_UINT16:
	case SS_PLUGIN_ST_UINT32:
	case SS_PLUGIN_ST_UINT64:
	case SS_PLUGIN_ST_STRING:
	case SS_PLUGIN_ST_BOOL:
		return true;
	default:
		return false;
	}
}

static bool host_vtables_complete(const host_ptable* p, bool with_ext_only)
{
	const ss_plugin_table_reader_vtable_ext* r = &p->reader;
	const ss_plugin_table_writer_vtable_ext* w = &p->writer;
	const ss_plugin_table_fields_vtable_ext* f = &p->fields;
	bool legacy = r->get_table_name && r->get_table_size && r->get_table_entry &&
	              r->read_entry_field && w->clear_table && w->erase_table_entry &&
	              w->create_table_entry && w->destroy_table_entry && w->add_table_entry &&
	              w->write_entry_field && f->list_table_fields && f->get_table_field &&
	              f->add_table_field;
	return legacy && (!with_ext_only || (r->release_table_entry && r->iterate_entries));
}

/* Each legacy copy must be the very same function as its _ext counterpart. */
static bool host_vtables_identical(const ss_plugin_table_input* in)
{
	const ss_plugin_table_reader_vtable* r = &in->reader;
	const ss_plugin_table_writer_vtable* w = &in->writer;
	const ss_plugin_table_fields_vtable* f = &in->fields;
	const ss_plugin_table_reader_vtable_ext* re = in->reader_ext;
	const ss_plugin_table_writer_vtable_ext* we = in->writer_ext;
	const ss_plugin_table_fields_vtable_ext* fe = in->fields_ext;
	return r->get_table_name == re->get_table_name && r->get_table_size == re->get_table_size &&
	       r->get_table_entry == re->get_table_entry &&
	       r->read_entry_field == re->read_entry_field && w->clear_table == we->clear_table &&
	       w->erase_table_entry == we->erase_table_entry &&
	       w->create_table_entry == we->create_table_entry &&
	       w->destroy_table_entry == we->destroy_table_entry &&
	       w->add_table_entry == we->add_table_entry &&
	       w->write_entry_field == we->write_entry_field &&
	       f->list_table_fields == fe->list_table_fields &&
	       f->get_table_field == fe->get_table_field && f->add_table_field == fe->add_table_field;
}

/* Copies the vtables into p: the _ext ones, or (declared minor 0) the legacy ones. */
static const char* host_ptable_vtables(host* h, const ss_plugin_table_input* in, host_ptable* p)
{
	if (h->req_minor < 1) {
		const ss_plugin_table_reader_vtable* r = &in->reader;
		p->reader = (ss_plugin_table_reader_vtable_ext){
			r->get_table_name, r->get_table_size, r->get_table_entry, r->read_entry_field,
			NULL, NULL};
		memcpy(&p->writer, &in->writer, sizeof(p->writer));
		memcpy(&p->fields, &in->fields, sizeof(p->fields));
		return host_vtables_complete(p, false) ? NULL : "a table function is NULL";
	}
	if (!in->reader_ext || !in->writer_ext || !in->fields_ext)
		return "reader_ext, writer_ext and fields_ext must be non-NULL";
	p->reader = *in->reader_ext;
	p->writer = *in->writer_ext;
	p->fields = *in->fields_ext;
	if (!host_vtables_complete(p, true))
		return "every reader, writer and fields function must be non-NULL";
	if (!host_vtables_identical(in))
		return "the legacy vtables differ from the _ext ones";
	return NULL;
}

static const char* host_ptable_reject(host* h, const ss_plugin_table_input* in, host_ptable* p)
{
	if (!in->name || !*in->name)
		return "the table has no name";
	if (!in->table)
		return "the table cookie is NULL";
	if (!host_key_type_ok(in->key_type))
		return "unsupported key type";
	const char* why = host_ptable_vtables(h, in, p);
	if (why)
		return why;
	if (!strcmp(in->name, "threads") || host_ptable_find(h, in->name))
		return "a table with this name already exists";
	return NULL;
}

static ss_plugin_rc host_add_table(ss_plugin_owner_t* o, const ss_plugin_table_input* in)
{
	host* h = host_init_owner(o, "add_table");
	if (!h)
		return SS_PLUGIN_FAILURE;
	if (!in) {
		host_owner_fail(h, "add_table: NULL input");
		return SS_PLUGIN_FAILURE;
	}
	host_ptable* p = calloc(1, sizeof(*p));
	host_ptable** np = p ? realloc(h->ptables, (h->nptables + 1) * sizeof(*np)) : NULL;
	if (!np) {
		free(p);
		host_owner_fail(h, "out of memory");
		return SS_PLUGIN_FAILURE;
	}
	h->ptables = np;
	const char* why = host_ptable_reject(h, in, p);
	if (why) {
		host_owner_fail(h, "add_table '%s' rejected: %s", in->name ? in->name : "(null)", why);
		free(p);
		return SS_PLUGIN_FAILURE;
	}
	p->magic = HOST_PTABLE_MAGIC;
	p->h = h;
	p->in = *in;
	p->in.reader_ext = &p->reader;
	p->in.writer_ext = &p->writer;
	p->in.fields_ext = &p->fields;
	h->ptables[h->nptables++] = p;
	return SS_PLUGIN_SUCCESS;
}

void host_tables_input(host* h, ss_plugin_init_tables_input* in)
{
	*in = (ss_plugin_init_tables_input){
		.list_tables = host_list_tables,
		.get_table = host_get_table,
		.add_table = host_add_table,
		.fields = h->vt.fields,
		.fields_ext = &h->vt.fields_ext,
		.reader_ext = &h->vt.reader_ext,
		.writer_ext = &h->vt.writer_ext,
	};
}

void host_ptables_clear(host* h)
{
	for (size_t i = 0; i < h->nptables; i++) {
		h->ptables[i]->magic = 0;
		free(h->ptables[i]);
	}
	free(h->ptables);
	h->ptables = NULL;
	h->nptables = 0;
}

const ss_plugin_table_input* host_plugin_table(const host* h, const char* name)
{
	const host_ptable* p = name ? host_ptable_find(h, name) : NULL;
	return p ? &p->in : NULL;
}
