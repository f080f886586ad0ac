/*
 * gRPC over h2c on a unix socket with libcurl (docs/engines.md "gRPC transport"): bounded
 * unary calls, and server streams driven by the worker's curl multi handle.
 * Messages are opaque protobuf bytes here; callers pack/unpack them.
 *
 * Every call is one connection (CURLOPT_FRESH_CONNECT + CURLOPT_FORBID_REUSE):
 * curl 7.88 cannot reuse an h2 prior-knowledge connection (curl issue 10634).
 */
#ifndef GRPC_H
#define GRPC_H

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRPC_MAX_MESSAGE (16u << 20) /* a longer declared length is hostile */
#define GRPC_STATUS_NONE (-1)        /* no grpc-status seen (transport failure) */

enum {
	GRPC_OK = 0,
	GRPC_UNKNOWN = 2,
	GRPC_NOT_FOUND = 5,
	GRPC_FAILED_PRECONDITION = 9,
	GRPC_UNIMPLEMENTED = 12,
};

/* Reassembly of length-prefixed messages across write callbacks. */
typedef void (*grpc_msg_fn)(void* arg, const uint8_t* msg, size_t len);

typedef struct grpc_frames {
	uint8_t* buf;
	size_t len, cap;
	bool bad; /* compressed flag set or declared length over the cap */
} grpc_frames;

/* Appends bytes and hands every complete message to fn; false once bad (or OOM). */
bool grpc_frames_feed(grpc_frames* f, const void* data, size_t n, grpc_msg_fn fn, void* arg);
void grpc_frames_free(grpc_frames* f);

/* The 5-byte prefix + msg, malloc'd, into *out (*out_len). */
bool grpc_frame(const uint8_t* msg, size_t len, uint8_t** out, size_t* out_len);

/*
 * One header or trailer line as curl hands it (len bytes, no NUL, CRLF
 * included): grpc-status sets *status (GRPC_UNKNOWN when not a number of at
 * most 4 digits), grpc-message sets msg (percent-decoded, truncated to
 * msglen - 1 bytes); any other line changes nothing.
 */
void grpc_read_header(const char* data, size_t len, int* status, char* msg, size_t msglen);

/*
 * One unary call: POST path on socket, with the header containerd-namespace: ns
 * unless ns is NULL; bounded by timeout_ms and abandoned once *cancel (may be
 * NULL) is true. Returns 0 when grpc-status is 0 and exactly one message came
 * (*resp malloc'd, may be empty: free it), else -1 with *grpc_status (the
 * server's code, or GRPC_STATUS_NONE) and a message in err.
 */
int grpc_unary(const char* socket, const char* path, const char* ns, const uint8_t* req,
               size_t len, long timeout_ms, const atomic_bool* cancel, uint8_t** resp,
               size_t* resp_len, int* grpc_status, char* err, size_t errlen);

/* ---- server streams ---- */

typedef struct grpc_stream {
	CURL* easy;
	struct curl_slist* headers;
	grpc_frames frames;
	grpc_msg_fn on_msg;
	void* arg;
	bool body_seen;
	int status;        /* grpc-status once seen, else GRPC_STATUS_NONE */
	char message[256]; /* grpc-message (percent-decoded) */
} grpc_stream;

/* Prepares a server-streaming call (no timeout once connected); add st->easy to a multi. */
bool grpc_stream_open(grpc_stream* st, const char* socket, const char* path, const char* ns,
                      const uint8_t* req, size_t len, grpc_msg_fn fn, void* arg);
void grpc_stream_close(grpc_stream* st);

#endif
