/*
 * Internals shared by the host's modules (host.c: lifecycle; host_load.c:
 * loading checks; host_tables.c: the tables API given to the plugin;
 * host_feed.c: state update and parse; host_fields.c: extraction;
 * host_async.c: async events and dump_state).
 */
#ifndef HOST_PRIV_H
#define HOST_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include "host.h"
#include "threads.h"

enum host_cap {
	HOST_CAP_EXTRACT = 1u << 0,
	HOST_CAP_PARSE = 1u << 1,
	HOST_CAP_ASYNC = 1u << 2,
	HOST_CAP_LISTEN = 1u << 3,
};

enum host_mode { HOST_MODE_CLOSED, HOST_MODE_LIVE, HOST_MODE_FILE };

/* An owned list of owned strings. */
typedef struct host_strlist {
	char** v;
	size_t n;
} host_strlist;

/* One entry of the plugin's get_fields JSON (docs/abi.md "Fields JSON"). */
typedef struct host_field {
	char* name;
	uint32_t ftype;
	bool is_list;
	bool arg_required;
	bool arg_index;
	bool arg_key;
} host_field;

#define HOST_PTABLE_MAGIC 0x48505442u /* "HPTB" */

/*
 * A plugin-owned table accepted by add_table. `in` is the plugin's input
 * (name and cookie kept as given; docs/abi.md "Plugin-owned tables") whose
 * *_ext pointers are redirected to
 * the owned copies below, so host_plugin_table() outlives the plugin's
 * temporary vtables. The magic lets host dispatchers recognise it when the
 * plugin gets its own table back through get_table.
 */
typedef struct host_ptable {
	uint32_t magic;
	struct host* h;
	ss_plugin_table_input in;
	ss_plugin_table_reader_vtable_ext reader;
	ss_plugin_table_writer_vtable_ext writer;
	ss_plugin_table_fields_vtable_ext fields;
} host_ptable;

/* The table vtables given to the plugin: legacy and _ext hold the same functions. */
typedef struct host_vtables {
	ss_plugin_table_reader_vtable reader;
	ss_plugin_table_writer_vtable writer;
	ss_plugin_table_fields_vtable fields;
	ss_plugin_table_reader_vtable_ext reader_ext;
	ss_plugin_table_writer_vtable_ext writer_ext;
	ss_plugin_table_fields_vtable_ext fields_ext;
} host_vtables;

struct host {
	host_log_fn log_fn;
	void* log_arg;
	char err[PLUGIN_MAX_ERRLEN];       /* host API errors (host_last_error) */
	char owner_err[PLUGIN_MAX_ERRLEN]; /* get_owner_last_error, written by table ops */

	/* loading */
	void* dl;
	plugin_api api;
	bool loaded, inited, in_init;
	bool parse_off; /* host_set_parsing(false): the plugin is not asked to parse */
	uint32_t req_major, req_minor, req_patch;
	uint32_t caps;
	char *name, *description, *contact, *version, *fields_json;
	host_field* fields;
	size_t nfields;
	host_strlist extract_sources, parse_sources, async_sources, async_names;

	/* after init */
	ss_plugin_t* state;
	uint8_t extract_set[65536 / 8];
	uint8_t parse_set[65536 / 8];

	/* tables */
	threads_table* threads;
	host_vtables vt;
	host_ptable** ptables;
	size_t nptables;
	ss_plugin_table_info* table_infos;
	bool threads_handed; /* get_table validates the key type only once (docs/abi.md "Threads table") */

	/* events */
	enum host_mode mode;
	uint64_t evtnum;
	ss_plugin_event* last_evt; /* owned copy of the last fed event */
	bool exit_pending;
	int64_t exit_tid;

	/* async: the handler runs on plugin threads, everything else on the event thread */
	pthread_mutex_t async_mu;
	pthread_cond_t async_cv;
	ss_plugin_event** queue; /* ring of owned copies */
	size_t qhead, qcount;
	atomic_bool async_on;
	atomic_uint_fast64_t async_accepted;
	atomic_uint_fast64_t async_dropped;
	atomic_uint_fast64_t async_refuse; /* host_refuse_async: events still to refuse */
	uint64_t* async_delivered; /* by index in async_names; event thread only */
	pthread_mutex_t dump_mu;
	host_event_fn dump_fn;
	void* dump_arg;
	host_event_fn async_observer; /* sees each async event before parse (tests) */
	void* async_observer_arg;

	/* metrics: owned copies, valid until the next host_metrics */
	ss_plugin_metric* metrics;
	char** metric_names;
	uint32_t nmetrics;
};

/* host.c */
__attribute__((format(printf, 2, 3))) int host_fail(host* h, const char* fmt, ...);
__attribute__((format(printf, 3, 4))) void host_logf(host* h, ss_plugin_log_severity sev,
                                                     const char* fmt, ...);
void host_callback_end(host* h, bool recycle);
const char* host_owner_last_error(ss_plugin_owner_t* o);
void host_plugin_log(ss_plugin_owner_t* o, const char* component, const char* msg,
                     ss_plugin_log_severity sev);
char* host_strdup_or_empty(const char* s);
void host_strlist_free(host_strlist* l);
bool host_sources_compatible(const host_strlist* sources, const char* source);

/* host_load.c */
void host_unload(host* h);

/* host_fields.c */
int host_fields_parse(host* h, const char* json);
void host_fields_free(host* h);

/* host_tables.c */
void host_vtables_init(host_vtables* vt);
void host_tables_input(host* h, ss_plugin_init_tables_input* in);
void host_ptables_clear(host* h);

/* host_async.c */
int host_async_setup(host* h);
void host_async_teardown(host* h);
ss_plugin_rc host_async_handler(ss_plugin_owner_t* o, const ss_plugin_event* evt, char* err);

/* host_feed.c */
int host_feed_one(host* h, const ss_plugin_event* evt);
/* host_replay.c: what libscap makes of 228/272 read from a capture file. */
bool host_is_legacy_container(uint16_t type);
ss_plugin_event* host_convert_legacy(const ss_plugin_event* evt);
bool host_event_well_formed(const ss_plugin_event* evt, char* why, size_t whylen);

static inline bool host_set_has(const uint8_t* set, uint16_t type)
{
	return (set[type >> 3] >> (type & 7)) & 1;
}

#endif
