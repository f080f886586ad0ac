/*
 * A minimal plugin host: loads a plugin through the Falco plugin API 3.x the
 * way libsinsp does (docs/abi.md "Loading and lifecycle"), owns a `threads` table exposed with
 * the same vtables, feeds events to parse and extract, queues async events.
 *
 * Threading: every function here runs on one "event thread" except the async
 * handler the host gives the plugin, which is thread-safe.
 */
#ifndef HOST_H
#define HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin_api.h"

#define HOST_API_MAJOR 3
#define HOST_API_MINOR 12
#define HOST_API_PATCH 0
#define HOST_ASYNC_QUEUE_CAP 4096

typedef struct host host;
/* Receives an event the host handles (async observer, dump_state). */
typedef void (*host_event_fn)(void* arg, const ss_plugin_event* evt);
typedef struct host_thread host_thread;

/* Log sink for the host's log and the plugin's log_fn; default prints to stderr. */
typedef void (*host_log_fn)(void* arg, const char* component, const char* msg,
                            ss_plugin_log_severity sev);

host* host_new(void);
void host_free(host* h); /* destroys the plugin if loaded */
void host_set_log(host* h, host_log_fn fn, void* arg);
const char* host_last_error(const host* h);

/* Load + version/symbol/capability checks. 0 on success, -1 with host_last_error. */
int host_load(host* h, const char* so_path);
/* Static registration through a vtable (docs/abi.md "Static registration"). */
int host_load_api(host* h, const plugin_api* api);
/* Validates config against the init schema, then plugin_init; reads event types. */
int host_init(host* h, const char* config);
/* Metadata copied at load time. */
const char* host_plugin_name(const host* h);
const char* host_plugin_version(const host* h);
const char* host_plugin_fields_json(const host* h);
const plugin_api* host_plugin_api(const host* h);
ss_plugin_t* host_plugin_state(const host* h);
bool host_plugin_parses(const host* h, uint16_t type);
/* Turns the plugin's parsing off/on (the host's own state update always runs). */
void host_set_parsing(host* h, bool on);

/* Live: set async handler, then capture_open. File: capture_open only. */
int host_open_live(host* h);
int host_open_file(host* h);
/*
 * File mode the way libsinsp opens a capture file (docs/architecture.md "Reading captures"):
 * feeds the LEADING run of state events of evts[0..n) — container JSON 2
 * (324), async events (402), and the user/group added/deleted events libsinsp
 * also consumes there (354/356/358/360) — stopping at the first other event,
 * then calls capture_open in file mode (no async handler). *consumed gets how
 * many events were pre-parsed; the caller feeds evts[*consumed..n) with
 * host_feed. Threads the capture's process table holds must be added
 * (host_thread_add) before this call. On failure (NULL or malformed event in
 * the run, capture_open refused) -1 with host_last_error, no capture is open,
 * and *consumed counts the events already pre-parsed.
 */
int host_open_file_events(host* h, ss_plugin_event* const* evts, size_t n, size_t* consumed);
/* Live: handler NULL, then capture_close. */
int host_close(host* h);

/*
 * One event through the host: libsinsp-like state update of the threads
 * table (clone/fork/vfork/clone3/execve/execveat/chroot exits create or update
 * the thread; a procexit thread is removed when the next event arrives), then
 * the plugin's parse_event if the type is in its parse set.
 */
int host_feed(host* h, const ss_plugin_event* evt);
/* Delivers queued async events to parse, in arrival order; returns how many. */
size_t host_drain_async(host* h);
/* fn sees every async event host_drain_async delivers, as the plugin sent it
 * (header included), just before parse; NULL removes it. */
void host_set_async_observer(host* h, host_event_fn fn, void* arg);
/* Waits up to timeout_ms for at least one queued async event. */
bool host_wait_async(host* h, int timeout_ms);
/* Number of async events accepted by the handler so far. */
uint64_t host_async_accepted(const host* h);
/* The handler refuses the next n async events (any thread), as a host whose
 * queue is full would: tests of what the plugin does with a refusal. */
void host_refuse_async(host* h, unsigned n);
/* Delivered async events by name ("container_removed"...): how many
 * host_drain_async passed to parse so far (0 for an undeclared name). */
uint64_t host_async_delivered(const host* h, const char* name);

/* Calls plugin_dump_state; every emitted event is passed to fn (validated). */
int host_dump_state(host* h, host_event_fn fn, void* arg);

/*
 * Extracts one field ("name" or "name[arg]") for evt, the last fed event if
 * evt is NULL. Returns the number of values (0 = none), -1 on error. Values
 * stay valid until the next extraction.
 */
typedef struct host_value {
	uint32_t ftype;
	const char* str;
	uint64_t u64;
	bool boolean;
	const void* buf;
	uint32_t buflen;
} host_value;
int host_extract(host* h, const ss_plugin_event* evt, const char* field, host_value* out,
                 size_t max);
/* Convenience: the single string value, or NULL when absent. */
const char* host_extract_str(host* h, const ss_plugin_event* evt, const char* field);
/* One value as text (strings as they are, bools true/false, numbers in
 * decimal, IPv4 dotted) in buf; returns buf. */
const char* host_value_text(const host_value* v, char* buf, size_t size);

/* Metrics from the plugin. */
const ss_plugin_metric* host_metrics(host* h, uint32_t* n);

/* ---- threads table, seen from the host side ---- */

typedef struct host_proc {
	int64_t tid, pid, ptid, vtid, vpid;
	uint64_t pidns_init_start_ts;
	const char* comm;
	const char* exe;
	const char* exe_path;
	const char* const* args; /* NULL-terminated, may be NULL */
	const char* const* env;
	const char* const* cgroups; /* "subsys=path" strings, NULL-terminated */
} host_proc;

/* Adds or replaces a thread (as the /proc scan at open does). */
int host_thread_add(host* h, const host_proc* p);
bool host_thread_exists(const host* h, int64_t tid);
size_t host_thread_count(const host* h);
/* Reads a dynamic string field written by the plugin ("" if unset, NULL if no thread). */
const char* host_thread_dynfield_str(const host* h, int64_t tid, const char* field);
/* Reads a dynamic uint16 field; false if absent. */
bool host_thread_dynfield_u16(const host* h, int64_t tid, const char* field, uint16_t* out);

/* ---- the plugin-owned tables the host accepted (e.g. "containers") ---- */

const ss_plugin_table_input* host_plugin_table(const host* h, const char* name);

#endif
