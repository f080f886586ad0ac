/*
 * The CRI client of itest_cri.h: a protobuf writer for the few messages sent,
 * a reader for the one string field each answer is needed for, unary calls
 * over the plugin's gRPC transport.
 */
#include "itest_cri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grpc.h"

#define SVC "/runtime.v1.RuntimeService/"
#define CALL_TIMEOUT_MS 60000

/* ------------------------------------------------------------ protobuf writer */

static void pb_raw(itest_pb* p, const void* d, size_t n)
{
	if (p->oom)
		return;
	if (p->len + n > p->cap) {
		size_t cap = p->cap ? p->cap : 64;
		while (cap < p->len + n)
			cap *= 2;
		uint8_t* b = realloc(p->b, cap);
		if (!b) {
			p->oom = true;
			return;
		}
		p->b = b;
		p->cap = cap;
	}
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void pb_varint(itest_pb* p, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;
	do {
		b[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	pb_raw(p, b, n);
}

void itest_pb_uint(itest_pb* p, unsigned field, uint64_t v)
{
	pb_varint(p, (uint64_t)field << 3 | 0);
	pb_varint(p, v);
}

static void pb_bytes(itest_pb* p, unsigned field, const void* d, size_t n)
{
	pb_varint(p, (uint64_t)field << 3 | 2);
	pb_varint(p, n);
	pb_raw(p, d, n);
}

/* Strings are written even when empty (proto3 would skip them: harmless). */
void itest_pb_str(itest_pb* p, unsigned field, const char* s)
{
	pb_bytes(p, field, s, strlen(s));
}

void itest_pb_msg(itest_pb* p, unsigned field, const itest_pb* m)
{
	pb_bytes(p, field, m->b ? m->b : (const uint8_t*)"", m->len);
}

/* A map<string,string> entry. */
void itest_pb_map(itest_pb* p, unsigned field, const char* k, const char* v)
{
	itest_pb e = {0};
	itest_pb_str(&e, 1, k);
	itest_pb_str(&e, 2, v);
	itest_pb_msg(p, field, &e);
	p->oom |= e.oom;
	free(e.b);
}

void itest_pb_free(itest_pb* p)
{
	free(p->b);
	*p = (itest_pb){0};
}

/* The first string field NUMBER of msg, malloc'd ("" if absent), NULL if malformed. */
char* itest_pb_get_str(const uint8_t* m, size_t n, unsigned number)
{
	size_t i = 0;
	while (i < n) {
		uint64_t key = 0;
		for (int s = 0; i < n; s += 7) {
			key |= (uint64_t)(m[i] & 0x7f) << s;
			if (!(m[i++] & 0x80))
				break;
		}
		unsigned wt = key & 7;
		uint64_t v = 0;
		switch (wt) {
		case 0:
			while (i < n && (m[i++] & 0x80)) {
			}
			break;
		case 1:
			i += 8;
			break;
		case 5:
			i += 4;
			break;
		case 2:
			for (int s = 0; i < n; s += 7) {
				v |= (uint64_t)(m[i] & 0x7f) << s;
				if (!(m[i++] & 0x80))
					break;
			}
			if (v > n - i)
				return NULL;
			if ((key >> 3) == number)
				return strndup((const char*)m + i, v);
			i += v;
			break;
		default:
			return NULL;
		}
	}
	return i == n ? strdup("") : NULL;
}

/* ------------------------------------------------------------ CRI calls */

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One unary call; the response's string field 1 (malloc'd) or NULL on
 * failure, explained on stderr unless QUIET. */
static char* cri_call_q(itest_cri* c, const char* method, const itest_pb* req, bool quiet)
{
	char path[128], err[512];
	snprintf(path, sizeof(path), SVC "%s", method);
	uint8_t* resp = NULL;
	size_t rlen = 0;
	int st = GRPC_STATUS_NONE;
	if (req->oom) {
		fprintf(stderr, "  %s: out of memory\n", method);
		return NULL;
	}
	if (grpc_unary(c->sock, path, NULL, req->b ? req->b : (const uint8_t*)"", req->len,
	               CALL_TIMEOUT_MS, NULL, &resp, &rlen, &st, err, sizeof(err))) {
		if (!quiet)
			fprintf(stderr, "  %s: grpc-status %d: %s\n", method, st, err);
		return NULL;
	}
	char* r = itest_pb_get_str(resp, rlen, 1);
	free(resp);
	if (!r)
		fprintf(stderr, "  %s: malformed answer\n", method);
	return r;
}

static char* cri_call(itest_cri* c, const char* method, const itest_pb* req)
{
	return cri_call_q(c, method, req, false);
}

void itest_cri_init(itest_cri* c, const char* sock, const char* dir)
{
	*c = (itest_cri){.pod_id = NULL};
	snprintf(c->sock, sizeof(c->sock), "%s", sock);
	snprintf(c->logdir, sizeof(c->logdir), "%s/podlogs", dir);
}

static void build_pod_config(itest_cri* s)
{
	itest_pb md = {0}, nso = {0}, sc = {0}, linux_ = {0};
	itest_pb_str(&md, 1, ITEST_CRI_POD_NAME);
	itest_pb_str(&md, 2, ITEST_CRI_POD_UID);
	itest_pb_str(&md, 3, ITEST_CRI_POD_NS);
	itest_pb_uint(&md, 4, 0);
	itest_pb_uint(&nso, 1, 2); /* network = NODE */
	itest_pb_msg(&sc, 1, &nso);
	itest_pb_msg(&linux_, 2, &sc);

	itest_pb* c = &s->pod_config;
	itest_pb_msg(c, 1, &md);
	itest_pb_str(c, 2, ""); /* host network: empty hostname (docs/engines.md "Host-network pods") */
	itest_pb_str(c, 3, s->logdir);
	itest_pb_map(c, 6, "app", "itest");
	itest_pb_map(c, 6, "io.kubernetes.pod.name", ITEST_CRI_POD_NAME);
	itest_pb_map(c, 6, "io.kubernetes.pod.namespace", ITEST_CRI_POD_NS);
	itest_pb_map(c, 6, "io.kubernetes.pod.uid", ITEST_CRI_POD_UID);
	itest_pb_map(c, 7, "org.example/note", "itest");
	itest_pb_msg(c, 8, &linux_);
	c->oom |= md.oom || nso.oom || sc.oom || linux_.oom;
	itest_pb_free(&md);
	itest_pb_free(&nso);
	itest_pb_free(&sc);
	itest_pb_free(&linux_);
}

bool itest_cri_run_pod(itest_cri* c)
{
	itest_pb_free(&c->pod_config);
	build_pod_config(c);
	itest_pb req = {0};
	itest_pb_msg(&req, 1, &c->pod_config);
	free(c->pod_id);
	c->pod_id = cri_call(c, "RunPodSandbox", &req);
	itest_pb_free(&req);
	if (c->pod_id)
		printf("  pod sandbox %s\n", c->pod_id);
	return c->pod_id && *c->pod_id;
}

static const char* const default_argv[] = {"/bin/busybox", "sleep", "3600", NULL};

char* itest_cri_create_start(itest_cri* c, const char* name, const char* const* argv,
                             uint64_t* created_ms)
{
	if (!argv || !argv[0])
		argv = default_argv;
	itest_pb md = {0}, img = {0}, cfg = {0}, req = {0};
	itest_pb_str(&md, 1, name);
	itest_pb_uint(&md, 2, 0);
	itest_pb_str(&img, 1, ITEST_CRI_IMAGE);
	char logpath[300];
	snprintf(logpath, sizeof(logpath), "%s.log", name);
	itest_pb_msg(&cfg, 1, &md);
	itest_pb_msg(&cfg, 2, &img);
	itest_pb_str(&cfg, 3, argv[0]);
	for (size_t i = 1; argv[i]; i++)
		itest_pb_str(&cfg, 4, argv[i]);
	itest_pb_map(&cfg, 9, "io.kubernetes.container.name", name);
	itest_pb_map(&cfg, 9, "io.kubernetes.pod.name", ITEST_CRI_POD_NAME);
	itest_pb_map(&cfg, 9, "io.kubernetes.pod.namespace", ITEST_CRI_POD_NS);
	itest_pb_map(&cfg, 9, "io.kubernetes.pod.uid", ITEST_CRI_POD_UID);
	itest_pb_str(&cfg, 11, logpath);
	itest_pb_str(&req, 1, c->pod_id ? c->pod_id : "");
	itest_pb_msg(&req, 2, &cfg);
	itest_pb_msg(&req, 3, &c->pod_config);
	req.oom |= md.oom || img.oom || cfg.oom;
	if (created_ms)
		*created_ms = now_ms();
	char* id = cri_call(c, "CreateContainer", &req);
	itest_pb_free(&md);
	itest_pb_free(&img);
	itest_pb_free(&cfg);
	itest_pb_free(&req);
	if (!id || !*id) {
		free(id);
		return NULL;
	}
	itest_pb st = {0};
	itest_pb_str(&st, 1, id);
	char* ok = cri_call(c, "StartContainer", &st);
	itest_pb_free(&st);
	if (!ok) {
		free(id);
		return NULL;
	}
	free(ok);
	return id;
}

/* A call whose request is only the container id (field 1) and TIMEOUT
 * (field 2, when >= 0); true if it answered. */
static bool cri_call_id(itest_cri* c, const char* method, const char* id, long timeout,
                        bool quiet)
{
	itest_pb req = {0};
	itest_pb_str(&req, 1, id);
	if (timeout >= 0)
		itest_pb_uint(&req, 2, (uint64_t)timeout);
	char* r = cri_call_q(c, method, &req, quiet);
	itest_pb_free(&req);
	free(r);
	return r != NULL;
}

bool itest_cri_stop_remove(itest_cri* c, const char* id)
{
	bool stopped = cri_call_id(c, "StopContainer", id, 0, false);
	return cri_call_id(c, "RemoveContainer", id, -1, false) && stopped;
}

bool itest_cri_remove_exited(itest_cri* c, const char* id, unsigned wait_ms)
{
	for (uint64_t end = now_ms() + wait_ms;;) {
		if (cri_call_id(c, "RemoveContainer", id, -1, true))
			return true;
		if (now_ms() >= end)
			break;
		struct timespec nap = {0, 20 * 1000000L};
		nanosleep(&nap, NULL);
	}
	return itest_cri_stop_remove(c, id);
}

bool itest_cri_remove_pod(itest_cri* c)
{
	if (!c->pod_id)
		return true;
	itest_pb req = {0};
	itest_pb_str(&req, 1, c->pod_id);
	char* stopped = cri_call(c, "StopPodSandbox", &req);
	char* removed = cri_call(c, "RemovePodSandbox", &req);
	bool ok = stopped && removed;
	free(stopped);
	free(removed);
	itest_pb_free(&req);
	free(c->pod_id);
	c->pod_id = NULL;
	return ok;
}

void itest_cri_free(itest_cri* c)
{
	free(c->pod_id);
	c->pod_id = NULL;
	itest_pb_free(&c->pod_config);
}
