/*
 * Helpers for the integration tests (tests/integration/test_*.c): private
 * engines started by engines.sh (engines.md §8), their REST APIs over a unix
 * socket (Docker §3.2, libpod §4.2), time and polling.
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

#define ITEST_PATH_MAX 256

/* ---- temp dirs */

/* A new private directory /tmp/itest.XXXXXX (short: socket paths must fit in
 * sun_path). NULL on failure. */
char* itest_tmpdir(void);

/* Removes DIR recursively without crossing mount points. With ITEST_KEEP set
 * in the environment the directory is kept (and named on stderr). */
void itest_rmtree(const char* dir);

/* ---- engines.sh (path from the ENGINES_SH compile definition) */

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

/* T/<engine>/<engine>.sock into buf. */
void itest_engine_sock(char* buf, size_t size, const char* t, const char* engine);

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

#endif
