/*
 * Helpers for the integration tests (tests/integration/test_*.c): private
 * engines started by engines.sh (docs/engines.md "Integration test engines"),
 * their REST APIs over a unix
 * socket (docs/engines.md "Docker calls", "Podman"), time and polling, and plugin sessions:
 * the plugin .so loaded through our host (falcohost) on one private engine.
 *
 * Ownership: every returned char* / json_t* belongs to the caller (free() /
 * json_decref()); json_t* arguments are borrowed. Failures are explained on
 * stderr, so a test only needs to CHECK/REQUIRE the result.
 */
#ifndef ITEST_H
#define ITEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "host.h"

#define ITEST_PATH_MAX 256

/* ---- temp dirs */

/* A new private directory /tmp/itest.XXXXXX (short: socket paths must fit in
 * sun_path). NULL on failure. */
char* itest_tmpdir(void);

/* Removes DIR recursively without crossing mount points. With ITEST_KEEP set
 * in the environment the directory is kept (and named on stderr). */
void itest_rmtree(const char* dir);

/* ---- engines.sh (path from the ENGINES_SH compile definition) */

/*
 * ENGINE names are engines.sh's: docker, podman, containerd run this machine's
 * daemons (Debian 12: Docker 20.10, Podman 4.3, containerd 1.6); docker13,
 * podman13, containerd13 run Debian 13's (Docker 26, Podman 5, containerd 1.7)
 * in a Debian 13 root. The tests are table-driven: a test of one kind runs on
 * every engine its list below names (X-macros: X(engine) for each).
 */
#define ITEST_DOCKER_ENGINES(X) X(docker) X(docker13)
#define ITEST_PODMAN_ENGINES(X) X(podman) X(podman13)
#define ITEST_CONTAINERD_ENGINES(X) X(containerd) X(containerd13)

/* The kind of ENGINE, which is also the plugin's config key and the socket's
 * name: "docker" for docker and docker13 (any other name is its own kind). */
const char* itest_engine_kind(const char* engine);

/* Runs "engines.sh ARG..." (NULL-terminated) and returns its exit status (-1
 * if it could not run). Its stdout goes to *out (trailing newline removed)
 * when out is not NULL, else to our stdout; its stderr is ours. Daemons it
 * starts are tied to this process: they are stopped if we die. */
int itest_engines_sh(char** out, const char* arg, ...) __attribute__((sentinel));

/* True if this machine can run ENGINE; otherwise false with the reason in why. */
bool itest_can_run(const char* engine, char* why, size_t why_size);

/* "start"/"stop" ENGINE in T; true on success. Start waits until the engine
 * answers and has localhost/app:1.0 and localhost/pause:1.0. */
bool itest_engine_start(const char* engine, const char* t);
bool itest_engine_stop(const char* engine, const char* t);
/* "restart": the daemon alone stops (SIGTERM) and starts again; containers
 * whose processes outlive it (containerd's shims) keep running. */
bool itest_engine_restart(const char* engine, const char* t);

/* T/<engine>/<kind>.sock into buf. */
void itest_engine_sock(char* buf, size_t size, const char* t, const char* engine);

/* The pid of task NAME of containerd ENGINE in namespace NS (NULL: ctr's
 * default), as "engines.sh cli ENGINE T ... task ls" shows it, or -1. */
pid_t itest_task_pid(const char* engine, const char* t, const char* ns, const char* name);

/* ---- HTTP over a unix socket (libcurl, bounded timeouts) */

typedef struct itest_http {
	long status; /* HTTP status; 0 when the transfer itself failed */
	char* body;  /* NUL-terminated response body (never NULL after a call) */
	size_t len;
} itest_http;

/* METHOD PATH on SOCK, with BODY (may be NULL) sent as JSON. Returns false
 * only when the transfer failed (status 0); r must be freed either way. */
bool itest_http_call(itest_http* r, const char* sock, const char* method, const char* path,
                     json_t* body);
void itest_http_free(itest_http* r);

/* ---- containers through the Docker API or libpod */

typedef enum itest_api {
	ITEST_DOCKER, /* Docker Engine API, unversioned paths */
	ITEST_LIBPOD, /* Podman libpod API, /v4.0.0/libpod/... */
} itest_api;

/* A create body for localhost/app:1.0 without network (Docker: Image and
 * HostConfig.NetworkMode "none"; libpod: image and netns none). Add fields
 * before passing it to itest_ctr_create. */
json_t* itest_app_spec(itest_api api);

/* Creates container NAME (NULL: engine picks) from SPEC; returns the full id. */
char* itest_ctr_create(const char* sock, itest_api api, const char* name, json_t* spec);
bool itest_ctr_start(const char* sock, itest_api api, const char* id);
bool itest_ctr_kill(const char* sock, itest_api api, const char* id, const char* signal);
/* Forced removal (kills a running container). */
bool itest_ctr_remove(const char* sock, itest_api api, const char* id);
/* The inspect document, or NULL. */
json_t* itest_ctr_inspect(const char* sock, itest_api api, const char* id);
/* State.Pid of the container's init process, or -1. */
pid_t itest_ctr_pid(const char* sock, itest_api api, const char* id);
/* itest_app_spec + create + start; returns the full id or NULL. */
char* itest_ctr_run_app(const char* sock, itest_api api, const char* name);

/* ---- time, polling, processes */

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t itest_now_ms(void);

/* Calls COND(CTX) every 10 ms until it returns true (then true) or
 * TIMEOUT_MS have passed (then false, after one last try). */
bool itest_wait_until(bool (*cond)(void* ctx), void* ctx, unsigned timeout_ms);

/* True if PID exists and is not a zombie. */
bool itest_pid_alive(pid_t pid);

/* True if a line of /proc/PID/cgroup contains NEEDLE. */
bool itest_pid_cgroup_has(pid_t pid, const char* needle);

/* Live processes (zombies excluded, ourselves excluded) whose command line
 * contains NEEDLE, e.g. a test's temp dir; each one is named on stderr. */
int itest_count_procs(const char* needle);

/* ---- plugin sessions: the plugin (PLUGIN_SO_PATH) through our host on one engine */

typedef struct itest_session {
	const char* engine;        /* engines.sh engine (borrowed: a literal) */
	char* t;                   /* temp dir of the engine */
	char sock[ITEST_PATH_MAX]; /* the engine's socket in t */
	host* h;                   /* the plugin's host, NULL before itest_open_plugin */
	int64_t next_tid;          /* next synthetic thread id: above any real pid */
	uint64_t ts;               /* timestamp of the next event fed */
} itest_session;

/* A session of ENGINE in a new temp dir: engine not started, plugin not open.
 * False when the temp dir cannot be made. */
bool itest_session_init(itest_session* s, const char* engine);

/* Starts ENGINE in s->t (itest_engine_start) and prints how long it took. */
bool itest_session_start(itest_session* s, const char* engine);

/* Frees the plugin (joining its worker: no engine call after this), stops
 * ENGINE and removes s->t, unless KEEP or the stop failed or left processes
 * (s->t is then kept for its logs and named on stderr). True if the engine
 * stopped and left no process. */
bool itest_session_end(itest_session* s, const char* engine, bool keep);

/* Loads, configures with CONFIG (init_config JSON) and opens the plugin as s->h. */
bool itest_open_config(itest_session* s, const char* config);

/* itest_open_config with only ENGINE's kind (or "cri") of the four API engines
 * enabled, on s->sock;
 * EXTRA (NULL: none) is more top-level config, e.g. "\"hooks\":[\"start\"]".
 * The log level is $ITEST_LOG (default warn). */
bool itest_open_plugin(itest_session* s, const char* engine, const char* extra);

/* Feeds a clone exit (child side) of thread TID, a pid-namespace init running
 * sleep, in CGROUPS ("controller=path", NULL-terminated). */
void itest_feed_clone(itest_session* s, int64_t tid, const char* const* cgroups);

/* A new synthetic thread in cgroupfs PATH (cpu, memory, pids); returns its tid. */
int64_t itest_feed_synthetic(itest_session* s, const char* path);

/* Feeds PID with its real cgroups, as /proc shows them; its tid, or -1. */
int64_t itest_feed_real(itest_session* s, pid_t pid);

/* The single value of field NAME for thread TID as a string (valid until the
 * next call), "<NA>" when absent, "<ERR>" when the extraction failed. */
const char* itest_field(itest_session* s, int64_t tid, const char* name);

/* True if the plugin's containers table has ID (by its first 12 characters,
 * the short id): no event is fed. */
bool itest_cached(itest_session* s, const char* id);

/* When EVT is an async `container` event: its JSON (without the final NUL) into json/len. */
bool itest_container_event(const ss_plugin_event* evt, const uint8_t** json, uint32_t* len);

/* The plugin's container.n_containers metric (-1 when missing). */
long itest_n_containers(itest_session* s);

typedef bool (*itest_cond)(itest_session* s, const void* arg);

/* Delivers async events until COND(S, ARG) holds (true) or TIMEOUT_MS pass
 * (false). *ARRIVED (may be NULL) gets the time the events that made it hold
 * were queued (the moment a wait saw them; the call's start if already queued). */
bool itest_pump_until(itest_session* s, itest_cond cond, const void* arg, unsigned timeout_ms,
                      uint64_t* arrived);

/* Conditions for itest_pump_until; ARG is a container id. */
bool itest_is_cached(itest_session* s, const void* id);
bool itest_is_gone(itest_session* s, const void* id);

/* Waits for any async event (at most TIMEOUT_MS) and delivers what is queued. */
void itest_pump_some(itest_session* s, unsigned timeout_ms);

/* Delivers everything that arrives during MS. */
void itest_pump_for(itest_session* s, unsigned ms);

/* ---- figures */

/* The median of the N > 0 values of V, which it sorts (V[N-1] is then the max). */
double itest_median(uint64_t* v, size_t n);

#endif
