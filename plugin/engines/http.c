#include "http.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned init_refs; /* curl_global_init is process-wide; instances share it */

/*
 * One connection cache per thread: a listing asks an engine once per
 * container (inspect, image), and a new unix-socket connection for each cost
 * about a third of the worker's CPU. Per thread because libcurl does not
 * support sharing connections between concurrent threads, and each engine
 * has a thread of its own anyway (http_thread_done releases it). One
 * pointer in the static TLS block (initial-exec): the general model would
 * call __tls_get_addr and make the artifact need ld.so by name
 * (docs/release.md "What the artifact needs and exports").
 */
static _Thread_local CURLSH* thread_share __attribute__((tls_model("initial-exec")));

static CURLSH* share_for_thread(void)
{
	if (!thread_share) {
		thread_share = curl_share_init();
		if (thread_share && curl_share_setopt(thread_share, CURLSHOPT_SHARE,
		                                      CURL_LOCK_DATA_CONNECT) != CURLSHE_OK) {
			curl_share_cleanup(thread_share);
			thread_share = NULL;
		}
	}
	return thread_share; /* NULL: every request connects anew, which still works */
}

void http_thread_done(void)
{
	if (thread_share)
		curl_share_cleanup(thread_share); /* no request runs: their handles are gone */
	thread_share = NULL;
}

bool http_global_init(void)
{
	pthread_mutex_lock(&init_mu);
	bool ok = init_refs > 0 || curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
	init_refs += ok;
	pthread_mutex_unlock(&init_mu);
	return ok;
}

void http_global_cleanup(void)
{
	pthread_mutex_lock(&init_mu);
	if (init_refs && --init_refs == 0)
		curl_global_cleanup();
	pthread_mutex_unlock(&init_mu);
}

typedef struct body_buf {
	CURL* c;
	http_resp* r;
	size_t cap;
	bool too_big;
} body_buf;

/*
 * The declared length, when there is one, sizes the buffer once: a big
 * answer grown by doubling is copied several times, each time under the
 * allocator's lock, which the host's threads may be waiting for.
 */
static size_t first_cap(body_buf* b, size_t add)
{
	curl_off_t declared = -1;
	curl_easy_getinfo(b->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared);
	if (declared > 0 && (uint64_t)declared <= HTTP_MAX_BODY && (size_t)declared >= add)
		return (size_t)declared + 1;
	return 4096;
}

static size_t on_body(char* data, size_t size, size_t n, void* arg)
{
	body_buf* b = arg;
	size_t add = size * n;
	if (b->r->len + add > HTTP_MAX_BODY) {
		b->too_big = true;
		return 0; /* aborts the transfer */
	}
	if (b->r->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : first_cap(b, add);
		while (cap < b->r->len + add + 1)
			cap *= 2;
		char* nb = realloc(b->r->body, cap);
		if (!nb)
			return 0;
		b->r->body = nb;
		b->cap = cap;
	}
	memcpy(b->r->body + b->r->len, data, add);
	b->r->len += add;
	b->r->body[b->r->len] = '\0';
	return add;
}

static size_t on_header(char* data, size_t size, size_t n, void* arg)
{
	http_resp* r = arg;
	size_t len = size * n;
	static const char* const names[] = {"Libpod-Api-Version:", "Api-Version:"};
	for (size_t i = 0; i < 2; i++) {
		size_t nl = strlen(names[i]);
		/* The libpod version wins over the Docker-compatible one on a podman socket. */
		if (len > nl && !strncasecmp(data, names[i], nl) && (i == 0 || !r->api_version[0])) {
			const char* v = data + nl;
			size_t vl = len - nl;
			while (vl && (*v == ' ' || *v == '\t'))
				v++, vl--;
			while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
				vl--;
			if (vl < sizeof(r->api_version)) {
				memcpy(r->api_version, v, vl);
				r->api_version[vl] = '\0';
			}
		}
	}
	return len;
}

static CURL* easy_for(const char* socket, const char* path)
{
	CURL* c = curl_easy_init();
	if (!c)
		return NULL;
	char url[4096];
	snprintf(url, sizeof(url), "http://localhost%s", path);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* we live in someone else's process */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	return c;
}

static int on_progress(void* arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load((const atomic_bool*)arg) ? 1 : 0; /* non-zero aborts */
}

/* A bounded GET (or HEAD) whose answer goes to out through b; NULL on OOM. */
static CURL* request_handle(const char* socket, const char* method, const char* path,
                           long timeout_ms, const atomic_bool* cancel, http_resp* out,
                           body_buf* b)
{
	memset(out, 0, sizeof(*out));
	CURL* c = easy_for(socket, path);
	if (!c)
		return NULL;
	*b = (body_buf){c, out, 0, false};
	CURLSH* share = share_for_thread();
	if (share)
		curl_easy_setopt(c, CURLOPT_SHARE, share);
	curl_easy_setopt(c, CURLOPT_NOBODY, !strcmp(method, "HEAD") ? 1L : 0L);
	/* An answer that declares more than the limit is refused before its body comes. */
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_BODY);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	if (cancel) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void*)cancel);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	return c;
}

/* The outcome of a finished request (its handle is released): 0, or -1 with err. */
static int request_done(CURL* c, CURLcode rc, const body_buf* b, const char* socket,
                        const char* path, char* err, size_t errlen)
{
	http_resp* out = b->r;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		out->too_big = b->too_big || rc == CURLE_FILESIZE_EXCEEDED;
		snprintf(err, errlen, "%s%s: %s", socket, path,
		         out->too_big ? "answer larger than the limit (" HTTP_MAX_BODY_TEXT ")"
		                      : curl_easy_strerror(rc));
		http_resp_free(out);
		return -1;
	}
	if (!out->body && !(out->body = calloc(1, 1))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int http_request(const char* socket, const char* method, const char* path, long timeout_ms,
                 const atomic_bool* cancel, http_resp* out, char* err, size_t errlen)
{
	body_buf b;
	CURL* c = request_handle(socket, method, path, timeout_ms, cancel, out, &b);
	if (!c) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	return request_done(c, curl_easy_perform(c), &b, socket, path, err, errlen);
}

/* Starts request i of a batch on m; false when it could not start (out[i] stays failed). */
static bool start_one(CURLM* m, const char* socket, const char* path, long timeout_ms,
                      const atomic_bool* cancel, http_resp* out, body_buf* b, size_t i)
{
	CURL* c = request_handle(socket, "GET", path, timeout_ms, cancel, out, b);
	if (!c)
		return false;
	curl_easy_setopt(c, CURLOPT_PRIVATE, (void*)(uintptr_t)i);
	if (curl_multi_add_handle(m, c) != CURLM_OK) {
		curl_easy_cleanup(c);
		return false;
	}
	return true;
}

/* Request i could not start: told at once. */
static void not_started(const char* socket, const char* path, size_t i, http_resp* out,
                        http_done_fn done, void* arg)
{
	char err[HTTP_ERR_LEN];
	memset(out, 0, sizeof(*out));
	snprintf(err, sizeof(err), "%s%s: not started (out of memory)", socket, path);
	done(arg, i, false, out, err);
}

void http_get_many(const char* socket, const char* const* paths, size_t n, long timeout_ms,
                   const atomic_bool* cancel, http_done_fn done, void* arg)
{
	CURLM* m = n ? curl_multi_init() : NULL;
	body_buf* bufs = n ? calloc(n, sizeof(*bufs)) : NULL;
	http_resp* out = n ? calloc(n, sizeof(*out)) : NULL;
	if (!m || !bufs || !out) {
		http_resp none;
		for (size_t i = 0; i < n; i++)
			not_started(socket, paths[i], i, &none, done, arg);
		n = 0;
	}
	size_t next = 0, active = 0;
	while (next < n || active) {
		for (; active < HTTP_MAX_PARALLEL && next < n; next++) {
			if (start_one(m, socket, paths[next], timeout_ms, cancel, &out[next], &bufs[next], next))
				active++;
			else
				not_started(socket, paths[next], next, &out[next], done, arg);
		}
		int running, left;
		curl_multi_perform(m, &running);
		CURLMsg* msg;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			CURL* c = msg->easy_handle;
			CURLcode rc = msg->data.result;
			void* priv = NULL;
			curl_easy_getinfo(c, CURLINFO_PRIVATE, &priv);
			size_t i = (size_t)(uintptr_t)priv;
			curl_multi_remove_handle(m, c);
			char err[HTTP_ERR_LEN];
			bool ok = request_done(c, rc, &bufs[i], socket, paths[i], err, sizeof(err)) == 0;
			active--;
			done(arg, i, ok, &out[i], err);
		}
		if (active)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	free(out);
	free(bufs);
	if (m)
		curl_multi_cleanup(m);
}

void http_resp_free(http_resp* r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

char* http_escape(const char* s)
{
	char* e = curl_easy_escape(NULL, s, 0);
	char* copy = e ? strdup(e) : NULL;
	curl_free(e);
	return copy;
}

/* ---- streams ---- */

static void stream_emit_lines(http_stream* st)
{
	size_t start = 0;
	for (size_t i = 0; i < st->len; i++) {
		if (st->buf[i] != '\n')
			continue;
		if (i > start)
			st->on_line(st->arg, st->buf + start, i - start);
		start = i + 1;
	}
	memmove(st->buf, st->buf + start, st->len - start);
	st->len -= start;
}

static size_t on_stream(char* data, size_t size, size_t n, void* arg)
{
	http_stream* st = arg;
	size_t add = size * n;
	if (st->len + add > HTTP_MAX_LINE) {
		st->overflow = true;
		return 0; /* a line this long is hostile: the stream restarts */
	}
	if (st->len + add > st->cap) {
		size_t cap = st->cap ? st->cap : 8192;
		while (cap < st->len + add)
			cap *= 2;
		char* nb = realloc(st->buf, cap);
		if (!nb)
			return 0;
		st->buf = nb;
		st->cap = cap;
	}
	memcpy(st->buf + st->len, data, add);
	st->len += add;
	stream_emit_lines(st);
	return add;
}

bool http_stream_open(http_stream* st, const char* socket, const char* path, http_line_fn fn,
                      void* arg)
{
	memset(st, 0, sizeof(*st));
	st->on_line = fn;
	st->arg = arg;
	st->easy = easy_for(socket, path);
	if (!st->easy)
		return false;
	curl_easy_setopt(st->easy, CURLOPT_WRITEFUNCTION, on_stream);
	curl_easy_setopt(st->easy, CURLOPT_WRITEDATA, st);
	curl_easy_setopt(st->easy, CURLOPT_PRIVATE, st);
	/* Only connecting is bounded: an idle event stream is silent for hours. */
	curl_easy_setopt(st->easy, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	return true;
}

void http_stream_close(http_stream* st)
{
	if (st->easy)
		curl_easy_cleanup(st->easy);
	free(st->buf);
	memset(st, 0, sizeof(*st));
}
