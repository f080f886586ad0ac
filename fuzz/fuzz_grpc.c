/*
 * libFuzzer target: the gRPC response side of engines/grpc.h without a
 * socket. Input layout:
 *
 *	byte 0        k = (byte & 7) + 1 chunk sizes follow; bit 7 picks the
 *	              grpc-message buffer size
 *	bytes 1..k    chunk sizes (0 = an empty write), used in turn
 *	the rest      the response body, as curl's write callback would see it
 *
 * The body is fed to grpc_frames_feed in chunks of those sizes, the way curl
 * splits a DATA stream at arbitrary points; what comes out is compared with a
 * one-pass reference reading of the whole body (same messages, same bytes,
 * same verdict on bad framing, same leftover). Every delivered message must
 * also survive grpc_frame → grpc_frames_feed unchanged. The body's lines are
 * then handed to grpc_read_header as header/trailer lines.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grpc.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#define MAX_MSGS 4096

static void fail(const char* what)
{
	fprintf(stderr, "fuzz_grpc: %s\n", what);
	abort();
}

/* An exact-size heap copy (ASan sees reads past the end). */
static uint8_t* copy(const uint8_t* src, size_t n)
{
	uint8_t* b = malloc(n ? n : 1);
	if (!b)
		abort();
	if (n)
		memcpy(b, src, n);
	return b;
}

/* ---- framing ---- */

typedef struct span {
	size_t off, len;
} span;

/* The expected outcome of feeding the whole body in one go. */
typedef struct reference {
	span msgs[MAX_MSGS];
	size_t n;
	bool bad;
	size_t leftover; /* bytes of an incomplete last message */
} reference;

static uint32_t be32(const uint8_t* p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void reference_read(const uint8_t* body, size_t len, reference* ref)
{
	size_t off = 0;
	ref->n = 0;
	ref->bad = false;
	while (len - off >= 5 && ref->n < MAX_MSGS) {
		uint32_t mlen = be32(body + off + 1);
		if (body[off] != 0 || mlen > GRPC_MAX_MESSAGE) {
			ref->bad = true;
			break;
		}
		if (len - off - 5 < mlen)
			break;
		ref->msgs[ref->n++] = (span){off + 5, mlen};
		off += 5 + (size_t)mlen;
	}
	ref->leftover = len - off;
}

/* What the callback saw: copies of every message, in order. */
typedef struct seen {
	uint8_t* msg[MAX_MSGS];
	size_t len[MAX_MSGS];
	size_t n;
	size_t total;
} seen;

static void on_msg(void* arg, const uint8_t* msg, size_t len)
{
	seen* s = arg;
	if (s->n == MAX_MSGS)
		fail("more messages than the body can hold");
	/* The prefix is still in the buffer, right before the message. */
	if (be32(msg - 4) != len || msg[-5] != 0)
		fail("message length differs from its 5-byte prefix");
	s->msg[s->n] = copy(msg, len);
	s->len[s->n++] = len;
	s->total += len;
}

static void seen_free(seen* s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->msg[i]);
	s->n = 0;
	s->total = 0;
}

/* Feeds body in chunks of sizes[i % nsizes]; returns the last feed's result. */
static bool feed_chunks(grpc_frames* f, const uint8_t* body, size_t len, const uint8_t* sizes,
                        size_t nsizes, seen* s)
{
	bool any = false;
	for (size_t i = 0; i < nsizes; i++)
		any = any || sizes[i];
	bool ok = true;
	size_t off = 0, i = 0;
	while (off < len) {
		size_t n = any ? sizes[i++ % nsizes] : len;
		if (n > len - off)
			n = len - off;
		/* Each chunk in its own exact-size buffer, like curl's write buffer. */
		uint8_t* chunk = copy(body + off, n);
		bool r = grpc_frames_feed(f, chunk, n, on_msg, s);
		free(chunk);
		if (!r && ok && !f->bad)
			fail("feed failed without bad framing (OOM?)");
		if (ok && !r)
			ok = false;
		else if (!ok && r)
			fail("feed accepted data after refusing some");
		off += n;
	}
	return ok;
}

static void check_frames(const uint8_t* body, size_t len, const uint8_t* sizes, size_t nsizes)
{
	static reference ref;
	static seen s;
	reference_read(body, len, &ref);
	if (ref.n == MAX_MSGS)
		return; /* only possible with thousands of empty messages: not worth comparing */
	grpc_frames f = {0};
	bool ok = feed_chunks(&f, body, len, sizes, nsizes, &s);
	if (f.bad != ref.bad || ok == ref.bad)
		fail("bad framing verdict differs from the reference");
	if (s.n != ref.n)
		fail("message count differs from the reference");
	if (s.total > len)
		fail("more bytes delivered than fed");
	for (size_t i = 0; i < s.n; i++)
		if (s.len[i] != ref.msgs[i].len ||
		    (s.len[i] && memcmp(s.msg[i], body + ref.msgs[i].off, s.len[i])))
			fail("message bytes differ from the reference");
	if (!ref.bad && f.len != ref.leftover)
		fail("leftover differs from the reference");
	if (f.len > f.cap)
		fail("buffer length over its capacity");
	grpc_frames_free(&f);
	if (f.buf || f.len || f.cap || f.bad)
		fail("grpc_frames_free left state behind");

	/* Round trip: frame(msg) fed back yields exactly msg, and nothing else. */
	for (size_t i = 0; i < s.n; i++) {
		uint8_t* framed;
		size_t flen;
		if (!grpc_frame(s.msg[i], s.len[i], &framed, &flen))
			fail("grpc_frame refused a message under the cap");
		if (flen != s.len[i] + 5)
			fail("framed length");
		static seen back;
		grpc_frames g = {0};
		if (!grpc_frames_feed(&g, framed, flen, on_msg, &back) || back.n != 1 ||
		    back.len[0] != s.len[i] || (s.len[i] && memcmp(back.msg[0], s.msg[i], s.len[i])) ||
		    g.len)
			fail("frame round trip");
		seen_free(&back);
		grpc_frames_free(&g);
		free(framed);
	}
	seen_free(&s);
}

/* ---- header and trailer lines ---- */

static bool starts_with_ci(const uint8_t* line, size_t len, const char* prefix)
{
	size_t n = strlen(prefix);
	return len > n && !strncasecmp((const char*)line, prefix, n);
}

static void check_header(const uint8_t* line, size_t len, size_t msglen)
{
	char* text = (char*)copy(line, len);
	char* msg = malloc(msglen ? msglen : 1);
	if (!msg)
		abort();
	memset(msg, 'x', msglen ? msglen : 1);
	int status = -42;
	grpc_read_header(text, len, &status, msg, msglen);
	bool is_status = starts_with_ci(line, len, "grpc-status:");
	bool is_message = starts_with_ci(line, len, "grpc-message:");
	if (!is_status && status != -42)
		fail("status set by another line");
	if (is_status && status != GRPC_UNKNOWN && (status < 0 || status > 9999))
		fail("status out of range");
	if (is_message && msglen) {
		size_t ml = strnlen(msg, msglen);
		if (ml == msglen)
			fail("grpc-message not terminated within its buffer");
		if (ml > len)
			fail("grpc-message longer than its line");
	}
	free(msg);
	free(text);
}

/* Every '\n'-terminated line (the last one may lack it), '\n' included like curl does. */
static void check_headers(const uint8_t* body, size_t len, size_t msglen)
{
	size_t start = 0;
	while (start < len) {
		const uint8_t* nl = memchr(body + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - body) + 1 : len;
		check_header(body + start, end - start, msglen);
		start = end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	if (size < 1)
		return 0;
	size_t nsizes = (size_t)(data[0] & 7) + 1;
	if (size < 1 + nsizes)
		return 0;
	static const size_t msglens[] = {256, 0, 1, 8};
	size_t msglen = msglens[(data[0] >> 6) & 3];
	const uint8_t* sizes = data + 1;
	const uint8_t* body = data + 1 + nsizes;
	size_t len = size - 1 - nsizes;
	check_frames(body, len, sizes, nsizes);
	check_headers(body, len, msglen);
	return 0;
}
