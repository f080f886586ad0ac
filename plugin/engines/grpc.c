#include "grpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONNECT_TIMEOUT_MS 2000L
#define BUFFER_SIZE (64L << 10) /* never below 16 KiB for h2 (docs/engines.md "libcurl pitfalls") */

/* ---- framing ---- */

bool grpc_frame(const uint8_t* msg, size_t len, uint8_t** out, size_t* out_len)
{
	if (len > GRPC_MAX_MESSAGE || !(*out = malloc(len + 5)))
		return false;
	(*out)[0] = 0;
	(*out)[1] = (uint8_t)(len >> 24);
	(*out)[2] = (uint8_t)(len >> 16);
	(*out)[3] = (uint8_t)(len >> 8);
	(*out)[4] = (uint8_t)len;
	if (len)
		memcpy(*out + 5, msg, len);
	*out_len = len + 5;
	return true;
}

static uint32_t be32(const uint8_t* p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool grpc_frames_feed(grpc_frames* f, const void* data, size_t n, grpc_msg_fn fn, void* arg)
{
	if (f->bad)
		return false;
	/* curl may deliver an empty body as a zero-byte write; with no buffer yet,
	 * the copy below would offset a NULL pointer. */
	if (n == 0)
		return true;
	if (f->len + n > f->cap) {
		size_t cap = f->cap ? f->cap : 16384;
		while (cap < f->len + n)
			cap *= 2;
		uint8_t* nb = realloc(f->buf, cap);
		if (!nb)
			return false;
		f->buf = nb;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, n);
	f->len += n;
	size_t off = 0;
	while (f->len - off >= 5) {
		const uint8_t* p = f->buf + off;
		uint32_t mlen = be32(p + 1);
		/* Checked on the prefix alone, before anything is allocated for the body. */
		if (p[0] != 0 || mlen > GRPC_MAX_MESSAGE) {
			f->bad = true;
			return false;
		}
		if (f->len - off - 5 < mlen)
			break;
		fn(arg, p + 5, mlen);
		off += 5 + (size_t)mlen;
	}
	memmove(f->buf, f->buf + off, f->len - off);
	f->len -= off;
	/* Shrink a buffer grown by one big message once it is consumed. */
	if (f->len == 0 && f->cap > (1u << 20)) {
		free(f->buf);
		f->buf = NULL;
		f->cap = 0;
	}
	return true;
}

void grpc_frames_free(grpc_frames* f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

/* ---- headers and trailers ---- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void percent_decode(const char* s, size_t n, char* out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	if (outlen)
		out[o] = '\0';
}

/* grpc-status / grpc-message come as headers or as trailers: every line is looked at. */
void grpc_read_header(const char* data, size_t len, int* status, char* msg, size_t msglen)
{
	static const char st[] = "grpc-status:", mg[] = "grpc-message:";
	const char* v = NULL;
	bool is_status = false;
	if (len > sizeof(st) - 1 && !strncasecmp(data, st, sizeof(st) - 1)) {
		v = data + sizeof(st) - 1;
		is_status = true;
	} else if (len > sizeof(mg) - 1 && !strncasecmp(data, mg, sizeof(mg) - 1)) {
		v = data + sizeof(mg) - 1;
	} else {
		return;
	}
	size_t vl = len - (size_t)(v - data);
	while (vl && (*v == ' ' || *v == '\t'))
		v++, vl--;
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	if (is_status) {
		int code = 0;
		size_t i = 0;
		for (; i < vl && i < 4 && v[i] >= '0' && v[i] <= '9'; i++)
			code = code * 10 + (v[i] - '0');
		*status = i == vl && vl > 0 ? code : GRPC_UNKNOWN;
	} else {
		percent_decode(v, vl, msg, msglen);
	}
}

static int on_progress(void* arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt, (void)dn, (void)ut, (void)un;
	return atomic_load((const atomic_bool*)arg) ? 1 : 0; /* non-zero aborts */
}

/* The common request: h2 prior knowledge, POST of a framed body, gRPC headers. */
static CURL* grpc_easy(const char* socket, const char* path, const char* ns, const uint8_t* req,
                       size_t len, struct curl_slist** headers)
{
	uint8_t* framed;
	size_t flen;
	if (!grpc_frame(req, len, &framed, &flen))
		return NULL;
	char url[1024], nsh[512];
	snprintf(url, sizeof(url), "http://localhost%s", path);
	struct curl_slist* h = NULL;
	const char* lines[] = {"content-type: application/grpc", "te: trailers", "Expect:", "Accept:"};
	bool ok = true;
	for (size_t i = 0; ok && i < sizeof(lines) / sizeof(*lines); i++) {
		struct curl_slist* n = curl_slist_append(h, lines[i]);
		ok = n != NULL;
		h = n ? n : h;
	}
	if (ok && ns) {
		snprintf(nsh, sizeof(nsh), "containerd-namespace: %s", ns);
		struct curl_slist* n = curl_slist_append(h, nsh);
		ok = n != NULL;
		h = n ? n : h;
	}
	CURL* c = ok ? curl_easy_init() : NULL;
	if (!c) {
		curl_slist_free_all(h);
		free(framed);
		return NULL;
	}
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, BUFFER_SIZE);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)flen);
	curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, (const char*)framed);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	free(framed);
	*headers = h;
	return c;
}

/* ---- unary ---- */

typedef struct unary_state {
	grpc_frames frames;
	uint8_t* msg;
	size_t msg_len;
	unsigned nmsg;
	bool oom;
	int status;
	char message[256];
} unary_state;

static void unary_msg(void* arg, const uint8_t* msg, size_t len)
{
	unary_state* u = arg;
	if (u->nmsg++ == 0) {
		u->msg = malloc(len ? len : 1);
		if (!u->msg) {
			u->oom = true;
			return;
		}
		if (len)
			memcpy(u->msg, msg, len);
		u->msg_len = len;
	}
}

static size_t unary_body(char* data, size_t size, size_t n, void* arg)
{
	unary_state* u = arg;
	return grpc_frames_feed(&u->frames, data, size * n, unary_msg, u) && !u->oom ? size * n : 0;
}

static size_t unary_header(char* data, size_t size, size_t n, void* arg)
{
	unary_state* u = arg;
	grpc_read_header(data, size * n, &u->status, u->message, sizeof(u->message));
	return size * n;
}

int grpc_unary(const char* socket, const char* path, const char* ns, const uint8_t* req,
               size_t len, long timeout_ms, const atomic_bool* cancel, uint8_t** resp,
               size_t* resp_len, int* grpc_status, char* err, size_t errlen)
{
	*resp = NULL;
	*resp_len = 0;
	*grpc_status = GRPC_STATUS_NONE;
	struct curl_slist* h = NULL;
	CURL* c = grpc_easy(socket, path, ns, req, len, &h);
	if (!c) {
		snprintf(err, errlen, "%s: cannot prepare the request", path);
		return -1;
	}
	unary_state u = {.status = GRPC_STATUS_NONE};
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, unary_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &u);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, unary_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &u);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	if (cancel) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void*)cancel);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	CURLcode rc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	*grpc_status = u.status;
	int ret = -1;
	if (u.frames.bad)
		snprintf(err, errlen, "%s: malformed gRPC framing (compressed or over %u bytes)", path,
		         GRPC_MAX_MESSAGE);
	else if (u.oom)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (rc != CURLE_OK && u.status == GRPC_STATUS_NONE)
		snprintf(err, errlen, "%s: %s", path, curl_easy_strerror(rc));
	else if (u.status != GRPC_OK)
		snprintf(err, errlen, "%s: grpc-status %d%s%s", path, u.status, u.message[0] ? ": " : "",
		         u.message);
	else if (rc != CURLE_OK)
		snprintf(err, errlen, "%s: %s", path, curl_easy_strerror(rc));
	else if (u.nmsg != 1 || u.frames.len)
		snprintf(err, errlen, "%s: %u messages in a unary answer%s", path, u.nmsg,
		         u.frames.len ? " (and a truncated one)" : "");
	else
		ret = 0;
	grpc_frames_free(&u.frames);
	if (ret == 0) {
		*resp = u.msg;
		*resp_len = u.msg_len;
	} else {
		free(u.msg);
	}
	return ret;
}

/* ---- streams ---- */

static size_t stream_body(char* data, size_t size, size_t n, void* arg)
{
	grpc_stream* st = arg;
	st->body_seen = true;
	/* A framing error aborts the transfer: the worker reconnects. */
	return grpc_frames_feed(&st->frames, data, size * n, st->on_msg, st->arg) ? size * n : 0;
}

static size_t stream_header(char* data, size_t size, size_t n, void* arg)
{
	grpc_stream* st = arg;
	grpc_read_header(data, size * n, &st->status, st->message, sizeof(st->message));
	return size * n;
}

bool grpc_stream_open(grpc_stream* st, const char* socket, const char* path, const char* ns,
                      const uint8_t* req, size_t len, grpc_msg_fn fn, void* arg)
{
	memset(st, 0, sizeof(*st));
	st->status = GRPC_STATUS_NONE;
	st->on_msg = fn;
	st->arg = arg;
	st->easy = grpc_easy(socket, path, ns, req, len, &st->headers);
	if (!st->easy)
		return false;
	curl_easy_setopt(st->easy, CURLOPT_WRITEFUNCTION, stream_body);
	curl_easy_setopt(st->easy, CURLOPT_WRITEDATA, st);
	curl_easy_setopt(st->easy, CURLOPT_HEADERFUNCTION, stream_header);
	curl_easy_setopt(st->easy, CURLOPT_HEADERDATA, st);
	curl_easy_setopt(st->easy, CURLOPT_PRIVATE, st);
	/* No CURLOPT_TIMEOUT: an idle event stream is silent for hours. */
	return true;
}

void grpc_stream_close(grpc_stream* st)
{
	if (st->easy)
		curl_easy_cleanup(st->easy);
	curl_slist_free_all(st->headers);
	grpc_frames_free(&st->frames);
	memset(st, 0, sizeof(*st));
	st->status = GRPC_STATUS_NONE;
}
