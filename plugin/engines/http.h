/*
 * HTTP/1.1 over a unix socket with libcurl (docs/engines.md "HTTP transport"): bounded
 * one-shot requests for pings, lists and inspects, and line-splitting event
 * streams driven by the worker's curl multi handle.
 */
#ifndef HTTP_H
#define HTTP_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * A bigger answer is hostile: dropped, unread when its declared length says
 * so. Generous on purpose: a listing takes about 2 KiB per container, exited
 * ones included, and some hosts keep thousands.
 */
#define HTTP_MAX_BODY (64u << 20)
#define HTTP_MAX_BODY_TEXT "64 MiB"
#define HTTP_MAX_LINE (1u << 20)  /* one event line; longer → the stream restarts */

typedef struct http_resp {
	long status;
	char* body; /* NUL-terminated, malloc'd (http_resp_free) */
	size_t len;
	char api_version[32]; /* Api-Version or Libpod-Api-Version header, "" if absent */
	bool too_big; /* refused for its size (over HTTP_MAX_BODY); also set on failure */
} http_resp;

/* Process-wide libcurl init, reference counted (several plugin instances). */
bool http_global_init(void);
void http_global_cleanup(void);
/* Releases the calling thread's connection cache (before the thread ends). */
void http_thread_done(void);

/*
 * One GET or HEAD request, bounded by timeout_ms (connect and total) and
 * abandoned as soon as *cancel (may be NULL) becomes true, so that stopping
 * the worker never waits for a hung engine. Returns 0 with *out filled (any
 * HTTP status), -1 with a message in err.
 */
int http_request(const char* socket, const char* method, const char* path, long timeout_ms,
                 const atomic_bool* cancel, http_resp* out, char* err, size_t errlen);
void http_resp_free(http_resp* r);

/* Requests of one http_get_many in flight at once. */
#define HTTP_MAX_PARALLEL 4
#define HTTP_ERR_LEN 512

/*
 * Told as each request of http_get_many ends, in the order they end (one
 * stalled request delays no other's answer): ok says whether r holds an
 * answer (any status; the callee frees it), else err says why (r->too_big as
 * with http_request).
 */
typedef void (*http_done_fn)(void* arg, size_t i, bool ok, http_resp* r, const char* err);

/*
 * GETs of paths[0..n) on socket, HTTP_MAX_PARALLEL at a time, each bounded
 * and abandoned like http_request; done is called exactly once for each i.
 */
void http_get_many(const char* socket, const char* const* paths, size_t n, long timeout_ms,
                   const atomic_bool* cancel, http_done_fn done, void* arg);

/* URL-escapes s into a malloc'd string. */
char* http_escape(const char* s);

/* ---- streams ---- */

typedef void (*http_line_fn)(void* arg, const char* line, size_t len);

typedef struct http_stream {
	CURL* easy;
	char* buf;
	size_t len, cap;
	bool overflow;
	http_line_fn on_line;
	void* arg;
} http_stream;

/* Prepares a streaming GET (no timeout once connected); add st->easy to a multi. */
bool http_stream_open(http_stream* st, const char* socket, const char* path, http_line_fn fn,
                      void* arg);
void http_stream_close(http_stream* st);

#endif
