/*
 * The floor of a container plugin, for the replay benchmark
 * (bench/sinsp_bench.sh): what any plugin that attaches a container id to
 * the host's threads must do, and nothing else. It subscribes to the same
 * event types as ours, adds the string field `container_id` to `threads` and
 * a (empty) `containers` table beside it, as ours does, writes the field on
 * each successful new-process event, and extracts one field, container.id,
 * by reading it back ("host" when empty, as ours answers for host threads).
 *
 * The value written is the init config string (empty by default): finding
 * the real id from the cgroups is exactly the work this floor leaves out.
 */
#include <stdio.h>
#include <string.h>

#include "plugin_api.h"
#include "scap_events.h"

#define EXPORT __attribute__((visibility("default")))

typedef struct null_state {
	ss_plugin_table_t* threads;
	ss_plugin_table_field_t* container_id;
	char value[128];
	const char* out_ptr;
	char err[256];
} null_state;

static null_state the_state; /* one instance per process is all the benchmark needs */

static const uint16_t types[] = {
    PPME_ASYNCEVENT_E,        PPME_CONTAINER_E,         PPME_CONTAINER_JSON_E,
    PPME_CONTAINER_JSON_2_E,  PPME_SYSCALL_CLONE_20_X,  PPME_SYSCALL_FORK_20_X,
    PPME_SYSCALL_VFORK_20_X,  PPME_SYSCALL_CLONE3_X,    PPME_SYSCALL_EXECVE_16_X,
    PPME_SYSCALL_EXECVE_17_X, PPME_SYSCALL_EXECVE_18_X, PPME_SYSCALL_EXECVE_19_X,
    PPME_SYSCALL_EXECVEAT_X,  PPME_SYSCALL_CHROOT_X,    PPME_PROCEXIT_1_E,
};

EXPORT const char* plugin_get_required_api_version(void) { return "3.10.0"; }
EXPORT const char* plugin_get_version(void) { return "0.1.0"; }
EXPORT const char* plugin_get_name(void) { return "nullctr"; }
EXPORT const char* plugin_get_description(void) { return "container plugin floor (benchmark)"; }
EXPORT const char* plugin_get_contact(void) { return "none"; }
EXPORT const char* plugin_get_last_error(ss_plugin_t* s) { return ((null_state*)s)->err; }

/* ---- the containers table: present, always empty ---- */

static const char* ct_name(ss_plugin_table_t* t) { return "containers"; }
static uint64_t ct_size(ss_plugin_table_t* t) { return 0; }
static ss_plugin_table_entry_t* ct_get(ss_plugin_table_t* t, const ss_plugin_state_data* k)
{
	return NULL;
}
static ss_plugin_rc ct_read(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                            const ss_plugin_table_field_t* f, ss_plugin_state_data* o)
{
	return SS_PLUGIN_FAILURE;
}
static void ct_release(ss_plugin_table_t* t, ss_plugin_table_entry_t* e) {}
static ss_plugin_bool ct_iterate(ss_plugin_table_t* t, ss_plugin_table_iterator_func_t f,
                                 ss_plugin_table_iterator_state_t* s)
{
	return 1;
}
static ss_plugin_rc ct_clear(ss_plugin_table_t* t) { return SS_PLUGIN_SUCCESS; }
static ss_plugin_rc ct_erase(ss_plugin_table_t* t, const ss_plugin_state_data* k)
{
	return SS_PLUGIN_FAILURE;
}
static ss_plugin_table_entry_t* ct_create(ss_plugin_table_t* t) { return NULL; }
static void ct_destroy(ss_plugin_table_t* t, ss_plugin_table_entry_t* e) {}
static ss_plugin_table_entry_t* ct_add(ss_plugin_table_t* t, const ss_plugin_state_data* k,
                                       ss_plugin_table_entry_t* e)
{
	return NULL;
}
static ss_plugin_rc ct_write(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                             const ss_plugin_table_field_t* f, const ss_plugin_state_data* in)
{
	return SS_PLUGIN_FAILURE;
}
static const ss_plugin_table_fieldinfo ct_fieldinfo[] = {{"id", SS_PLUGIN_ST_STRING, 1}};
static const ss_plugin_table_fieldinfo* ct_list(ss_plugin_table_t* t, uint32_t* n)
{
	*n = 1;
	return ct_fieldinfo;
}
static ss_plugin_table_field_t* ct_field(ss_plugin_table_t* t, const char* name,
                                         ss_plugin_state_type type)
{
	return NULL;
}

static ss_plugin_table_reader_vtable_ext ct_reader = {ct_name, ct_size, ct_get, ct_read,
                                                      ct_release, ct_iterate};
static ss_plugin_table_writer_vtable_ext ct_writer = {ct_clear,   ct_erase, ct_create,
                                                      ct_destroy, ct_add,   ct_write};
static ss_plugin_table_fields_vtable_ext ct_fields = {ct_list, ct_field, ct_field};

static int register_containers(null_state* s, const ss_plugin_init_input* in)
{
	static ss_plugin_table_input ti;
	ti.name = "containers";
	ti.key_type = SS_PLUGIN_ST_STRING;
	ti.table = s;
	memcpy(&ti.reader, &ct_reader, sizeof(ti.reader));
	memcpy(&ti.writer, &ct_writer, sizeof(ti.writer));
	memcpy(&ti.fields, &ct_fields, sizeof(ti.fields));
	ti.reader_ext = &ct_reader;
	ti.writer_ext = &ct_writer;
	ti.fields_ext = &ct_fields;
	return in->tables->add_table(in->owner, &ti) == SS_PLUGIN_SUCCESS ? 0 : -1;
}

/* ---- init ---- */

EXPORT ss_plugin_t* plugin_init(const ss_plugin_init_input* in, ss_plugin_rc* rc)
{
	null_state* s = &the_state;
	memset(s, 0, sizeof(*s));
	*rc = SS_PLUGIN_FAILURE;
	const ss_plugin_init_tables_input* t = in ? in->tables : NULL;
	if (!t || !t->fields_ext) {
		snprintf(s->err, sizeof(s->err), "no table API");
		return s;
	}
	snprintf(s->value, sizeof(s->value), "%s", in->config ? in->config : "");
	s->threads = t->get_table(in->owner, "threads", SS_PLUGIN_ST_INT64);
	s->container_id = s->threads ? t->fields_ext->add_table_field(s->threads, "container_id",
	                                                              SS_PLUGIN_ST_STRING)
	                             : NULL;
	if (!s->container_id || register_containers(s, in)) {
		snprintf(s->err, sizeof(s->err), "cannot set up the tables");
		return s;
	}
	*rc = SS_PLUGIN_SUCCESS;
	return s;
}

EXPORT void plugin_destroy(ss_plugin_t* s) {}

/* ---- parsing ---- */

EXPORT const char* plugin_get_parse_event_sources(void) { return "[\"syscall\"]"; }

EXPORT uint16_t* plugin_get_parse_event_types(uint32_t* n, ss_plugin_t* s)
{
	*n = sizeof(types) / sizeof(types[0]);
	return (uint16_t*)types;
}

static bool new_process(const ss_plugin_event* e)
{
	switch (e->type) {
	case PPME_SYSCALL_CLONE_20_X:
	case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_VFORK_20_X:
	case PPME_SYSCALL_CLONE3_X:
	case PPME_SYSCALL_EXECVE_16_X:
	case PPME_SYSCALL_EXECVE_17_X:
	case PPME_SYSCALL_EXECVE_18_X:
	case PPME_SYSCALL_EXECVE_19_X:
	case PPME_SYSCALL_EXECVEAT_X:
	case PPME_SYSCALL_CHROOT_X: break;
	default: return false;
	}
	int64_t res;
	return scap_event_param_i64(e, EVT_P_RES, &res) && res >= 0;
}

EXPORT ss_plugin_rc plugin_parse_event(ss_plugin_t* st, const ss_plugin_event_input* ev,
                                       const ss_plugin_event_parse_input* in)
{
	null_state* s = st;
	if (!new_process(ev->evt))
		return SS_PLUGIN_SUCCESS;
	ss_plugin_state_data key = {.s64 = (int64_t)ev->evt->tid};
	ss_plugin_table_entry_t* e = in->table_reader_ext->get_table_entry(s->threads, &key);
	if (!e)
		return SS_PLUGIN_FAILURE;
	ss_plugin_state_data d = {.str = s->value};
	in->table_writer_ext->write_entry_field(s->threads, e, s->container_id, &d);
	in->table_reader_ext->release_table_entry(s->threads, e);
	return SS_PLUGIN_SUCCESS;
}

/* ---- extraction ---- */

EXPORT const char* plugin_get_fields(void)
{
	return "[{\"name\":\"container.id\",\"type\":\"string\",\"desc\":\"the container_id field "
	       "of the thread, host when empty\",\"display\":\"Container ID\"}]";
}

EXPORT const char* plugin_get_extract_event_sources(void) { return "[\"syscall\"]"; }

EXPORT uint16_t* plugin_get_extract_event_types(uint32_t* n, ss_plugin_t* s)
{
	*n = 0; /* every event, as ours */
	return NULL;
}

EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t* st, const ss_plugin_event_input* ev,
                                          const ss_plugin_field_extract_input* in)
{
	null_state* s = st;
	ss_plugin_state_data key = {.s64 = (int64_t)ev->evt->tid};
	ss_plugin_table_entry_t* e = in->table_reader_ext->get_table_entry(s->threads, &key);
	ss_plugin_state_data d = {0};
	bool ok = e && in->table_reader_ext->read_entry_field(s->threads, e, s->container_id, &d) ==
	                   SS_PLUGIN_SUCCESS;
	/* The host's string lives as long as the thread entry: no copy. */
	s->out_ptr = ok && d.str && d.str[0] ? d.str : "host";
	if (e)
		in->table_reader_ext->release_table_entry(s->threads, e);
	for (uint32_t i = 0; i < in->num_fields; i++) {
		in->fields[i].res.str = &s->out_ptr;
		in->fields[i].res_len = ok ? 1 : 0;
	}
	return SS_PLUGIN_SUCCESS;
}
