/*
 * The state of one plugin instance (ss_plugin_t). Everything mutable lives
 * here, never in globals: a process may hold several instances.
 */
#ifndef PLUGIN_STATE_H
#define PLUGIN_STATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "async.h"
#include "cgroup.h"
#include "cgroup_memo.h"
#include "config.h"
#include "ctr_cache.h"
#include "idset.h"
#include "tidset.h"
#include "containerd_disk.h"
#include "log.h"
#include "lookup.h"
#include "metrics.h"
#include "plugin_api.h"
#include "worker.h"

#define PLUGIN_NAME "container"
#define PLUGIN_VERSION "0.10.0"
#define PLUGIN_REQUIRED_API "3.10.0"
#define PLUGIN_EVENT_SCHEMA "4.0.0"

/* Process categories (docs/architecture.md "Process categories"), in the thread's `category`. */
enum { CATEGORY_NONE = 0, CATEGORY_CONTAINER, CATEGORY_HEALTHCHECK, CATEGORY_LIVENESS,
       CATEGORY_READINESS };

/* Accessors of the host's `threads` table, obtained at init (docs/abi.md "Threads table"). */
typedef struct thread_fields {
	ss_plugin_table_t* table;
	ss_plugin_table_field_t* container_id; /* ours, string */
	ss_plugin_table_field_t* category;     /* ours, uint16 */
	ss_plugin_table_field_t* vpid;
	ss_plugin_table_field_t* vtid;
	ss_plugin_table_field_t* ptid;
	ss_plugin_table_field_t* pid; /* optional: NULL when the host has no such field */
	ss_plugin_table_field_t* tid; /* optional, as pid */
	ss_plugin_table_field_t* exe;
	ss_plugin_table_field_t* pidns_init_start_ts;
	ss_plugin_table_field_t* args;          /* sub-table */
	ss_plugin_table_field_t* args_value;    /* in the args sub-table */
	ss_plugin_table_field_t* cgroups;       /* sub-table */
	ss_plugin_table_field_t* cgroups_second;
} thread_fields;

/* Table vtables valid during the current host callback only. */
typedef struct table_access {
	const ss_plugin_table_reader_vtable_ext* r;
	const ss_plugin_table_writer_vtable_ext* w; /* NULL during extraction */
} table_access;

typedef struct plugin_state {
	ss_plugin_owner_t* owner;
	plog log;
	char lasterr[PLUGIN_MAX_ERRLEN];
	config cfg;
	cgroup_matchers matchers;
	cgroup_memo* memo;
	thread_fields th;

	ctr_cache* cache;
	ctr_record* host_rec;
	/* The record a container event was about, for extraction on that event
	 * (docs/architecture.md "Which record"). */
	ctr_record* last_rec;
	uint64_t last_evtnum;

	async_emitter async;
	worker* worker;
	bool live; /* async handler installed: engines may be asked, events emitted */
	lookup_tracker* lookups; /* ids seen without a record, relaxed-rule candidates */
	idset bundle_peeked; /* ids whose bundle was looked at (bundle.c) */
	/* containerd's databases, found by its engines, read for candidates (bundle.c) */
	containerd_dbs ctrd_dbs;
	/* Threads attached to a container, flagged when one is its container's init:
	 * the exit of any other needs no table call (parse.c). */
	tidset attached;
	bool inits_all; /* an init of unknown tid was seen: every exit is looked at */


	struct xstore* xstore; /* extraction results, valid until the next extraction */
	metrics m;
	uint64_t use_tick; /* the cache's recency clock (containers_get) */

	ss_plugin_table_input table; /* the `containers` table given to the host */
} plugin_state;

/* plugin.c */
void plugin_set_error(plugin_state* s, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
/* The plugin as a plugin_api vtable, for hosts that register it statically. */
const plugin_api* plugin_static_api(void);

/* containers.c: the cache operations that keep metrics and candidates in step. */
void containers_put(plugin_state* s, ctr_record* r);
void containers_erase(plugin_state* s, const char* id);
ctr_record* containers_get(plugin_state* s, const char* id);

/* thread_table.c: access to host thread entries during a callback. */
bool thread_read(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                 ss_plugin_table_field_t* f, ss_plugin_state_data* out);
int64_t thread_read_i64(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                        ss_plugin_table_field_t* f);
const char* thread_read_str(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                            ss_plugin_table_field_t* f);
ss_plugin_table_entry_t* thread_get(plugin_state* s, const table_access* t, int64_t tid);
void thread_release(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e);

/* category.c: the process category of a thread in container `id` whose
 * cached record is r (NULL: not cached yet) (docs/architecture.md "Process categories");
 * true when the thread is its container's init (virtual pid 1). */
bool category_assign(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e,
                     const char* id, const ctr_record* r);


/* tables.c */
int tables_init(plugin_state* s, const ss_plugin_init_input* in);

/* parse.c */
ss_plugin_rc parse_event(plugin_state* s, const ss_plugin_event_input* ev, const table_access* t);
/* The new-process procedure (docs/architecture.md "New-process procedure") for one thread entry. */
void parse_new_process(plugin_state* s, const table_access* t, ss_plugin_table_entry_t* e);
extern const uint16_t parse_event_types[];
extern const uint32_t parse_event_ntypes;

/* fields.c */
const char* fields_json(void);
ss_plugin_rc fields_extract(plugin_state* s, const ss_plugin_event_input* ev,
                            const ss_plugin_field_extract_input* in);
void fields_store_free(plugin_state* s);

#endif
