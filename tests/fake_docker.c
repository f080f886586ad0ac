/*
 * The fake Docker daemon of fake_docker.h. One thread answers one connection
 * at a time, like the plugin's single worker asks; connections that must stay
 * open (event streams, stalled or hung requests) are held until the daemon
 * stops or drops them.
 */
#include "fake_docker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CTRS 8
#define MAX_HELD 64
#define MAX_ANSWERS 8
#define MAX_OPEN_EVENTS 4
#define MiB ((size_t)1 << 20)

typedef struct fake_ctr {
	char id[65];
	char name[64];
	char* doc; /* an inspect answer instead of the generated one (owned) */
	size_t doc_len;
	bool stall; /* every inspect answer stalls (half the document, then silence) */
	unsigned inspects; /* under mu */
} fake_ctr;

typedef struct fake_answer {
	char* match;
	char* body;
	int status;
	unsigned hits; /* under mu */
} fake_answer;

typedef struct fake_event {
	char* action;
	char* id;
	char* image;
} fake_event;

typedef struct held_conn {
	int fd;
	bool stream; /* an event stream, which pushed events reach */
} held_conn;

struct fake_docker {
	char dir[32]; /* our private directory, "" when the caller's */
	char sock[108]; /* fits sun_path */
	int lfd;
	bool up;
	pthread_t thread;
	fake_ctr ctrs[MAX_CTRS];
	size_t nctrs, present;
	fake_answer answers[MAX_ANSWERS];
	size_t nanswers;
	char* list_doc;
	char* stream_text;
	fake_event open_events[MAX_OPEN_EVENTS];
	size_t nopen_events;
	pthread_mutex_t mu;
	fake_docker_mode mode;
	int faults[FAKE_DOCKER_FAULTS];
	held_conn held[MAX_HELD];
	size_t nheld;
	unsigned hits[FAKE_DOCKER_ROUTES];
	unsigned connections;
};

/* ---- counters and held connections (shared with the test's thread) -------- */

static void bump(fake_docker* d, unsigned* counter)
{
	pthread_mutex_lock(&d->mu);
	(*counter)++;
	pthread_mutex_unlock(&d->mu);
}

static unsigned read_counter(fake_docker* d, const unsigned* counter)
{
	pthread_mutex_lock(&d->mu);
	unsigned n = *counter;
	pthread_mutex_unlock(&d->mu);
	return n;
}

static bool take_fault(fake_docker* d, fake_docker_fault f)
{
	pthread_mutex_lock(&d->mu);
	bool hit = d->faults[f] > 0;
	d->faults[f] -= hit;
	pthread_mutex_unlock(&d->mu);
	return hit;
}

/* Keeps a connection open until the daemon stops or drops its connections. */
static void hold(fake_docker* d, int fd, bool stream)
{
	pthread_mutex_lock(&d->mu);
	if (d->nheld < MAX_HELD)
		d->held[d->nheld++] = (held_conn){fd, stream};
	else
		close(fd);
	pthread_mutex_unlock(&d->mu);
}

/* ---- writing answers ------------------------------------------------------- */

/* MSG_NOSIGNAL: the plugin hanging up on a big answer must not kill the test. */
static void send_all(int fd, const char* p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* A response declaring `declared` body bytes and sending the first `len` of body. */
static void answer(int fd, int status, const char* body, size_t len, size_t declared)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.1 %d %s\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
	                 status, status == 200 ? "OK" : "Not Found", declared);
	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

static void answer_text(int fd, int status, const char* body)
{
	answer(fd, status, body, strlen(body), strlen(body));
}

/* One line of a container event, as dockerd streams them, stamped now. */
static void send_event(int fd, const char* action, const char* id, const char* image)
{
	char line[1024];
	long long t = (long long)time(NULL);
	int n = snprintf(line, sizeof(line),
	                 "{\"Type\":\"container\",\"Action\":\"%s\",\"Actor\":{\"ID\":\"%s\","
	                 "\"Attributes\":{\"image\":\"%s\"}},\"time\":%lld,\"timeNano\":%lld000000000}\n",
	                 action, id, image, t, t);
	if (n > 0 && (size_t)n < sizeof(line))
		send_all(fd, line, (size_t)n);
}

/* A growing string in memory; a test without memory has nothing left to say. */
static FILE* doc_open(char** p, size_t* len)
{
	FILE* f = open_memstream(p, len);
	if (!f)
		abort();
	return f;
}

/* ---- routes ---------------------------------------------------------------- */

/* Routes answer one request; true when they keep the connection (else it is closed). */
typedef bool (*route_fn)(fake_docker* d, int fd, const char* path);

static bool route_ping(fake_docker* d, int fd, const char* path)
{
	(void)d, (void)path;
	answer_text(fd, 200, "OK");
	return false;
}

static char* list_text(const fake_docker* d)
{
	char* p = NULL;
	size_t len = 0;
	FILE* f = doc_open(&p, &len);
	fputc('[', f);
	for (size_t i = 0; i < d->present; i++)
		fprintf(f, "%s{\"Id\":\"%s\",\"Names\":[\"/%s\"]}", i ? "," : "", d->ctrs[i].id,
		        d->ctrs[i].name);
	fputc(']', f);
	fclose(f);
	return p;
}

static bool route_list(fake_docker* d, int fd, const char* path)
{
	(void)path;
	char* gen = d->list_doc ? NULL : list_text(d);
	const char* doc = gen ? gen : d->list_doc;
	size_t len = strlen(doc);
	bool kept = false;
	if (take_fault(d, FAKE_DOCKER_FAULT_LIST_SHORT)) {
		answer(fd, 200, "[]", 2, 2 + 64);
	} else if (take_fault(d, FAKE_DOCKER_FAULT_LIST_CUT)) {
		static const char head[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n";
		send_all(fd, head, sizeof(head) - 1);
		send_all(fd, doc, len / 2);
	} else if (take_fault(d, FAKE_DOCKER_FAULT_LIST_STALL)) {
		answer(fd, 200, doc, len / 2, len);
		hold(d, fd, false);
		kept = true;
	} else if (take_fault(d, FAKE_DOCKER_FAULT_LIST_HUGE)) {
		answer(fd, 200, doc, len, 100 * MiB);
	} else {
		answer(fd, 200, doc, len, len);
	}
	free(gen);
	return kept;
}

static int inspect_text(char* out, size_t cap, const char* id, const char* name)
{
	return snprintf(out, cap,
	                "{\"Id\":\"%s\",\"Name\":\"/%s\",\"Config\":{\"Labels\":{\"app\":\"fake\"}},"
	                "\"State\":{\"Running\":true}}",
	                id, name);
}

static fake_ctr* find_ctr(fake_docker* d, const char* path)
{
	const char* id = strstr(path, "/containers/") + strlen("/containers/");
	size_t n = strcspn(id, "/?");
	for (size_t i = 0; i < d->present; i++)
		if (n > 0 && n <= 64 && !strncmp(d->ctrs[i].id, id, n)) /* a unique prefix, as dockerd */
			return &d->ctrs[i];
	return NULL;
}

static bool route_inspect(fake_docker* d, int fd, const char* path)
{
	fake_ctr* c = find_ctr(d, path);
	if (!c) {
		answer_text(fd, 404, "{\"message\":\"No such container\"}");
		return false;
	}
	bump(d, &c->inspects);
	if (c->doc) {
		answer(fd, 200, c->doc, c->doc_len, c->doc_len);
		return false;
	}
	char doc[512];
	size_t len;
	if (take_fault(d, FAKE_DOCKER_FAULT_INSPECT_SHORT)) {
		len = (size_t)inspect_text(doc, sizeof(doc), c->id, "partial");
		answer(fd, 200, doc, len, len + 64);
	} else if (c->stall || take_fault(d, FAKE_DOCKER_FAULT_INSPECT_STALL)) {
		len = (size_t)inspect_text(doc, sizeof(doc), c->id, c->name);
		answer(fd, 200, doc, len / 2, len);
		hold(d, fd, false);
		return true;
	} else {
		len = (size_t)inspect_text(doc, sizeof(doc), c->id, c->name);
		answer(fd, 200, doc, len, len);
	}
	return false;
}

/* An event line longer than the plugin reads (2 MiB of one attribute). */
static void send_long_event(int fd)
{
	static const char head[] = "{\"Type\":\"container\",\"Action\":\"create\",\"x\":\"";
	char* fill = malloc(2 * MiB);
	if (!fill)
		abort();
	memset(fill, 'x', 2 * MiB);
	send_all(fd, head, sizeof(head) - 1);
	send_all(fd, fill, 2 * MiB);
	send_all(fd, "\"}\n", 3);
	free(fill);
}

static bool route_events(fake_docker* d, int fd, const char* path)
{
	(void)path;
	/* Like dockerd's stream: no length, open until the daemon goes away. */
	static const char head[] = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
	                           "Content-Type: application/json\r\n\r\n";
	send_all(fd, head, sizeof(head) - 1);
	if (take_fault(d, FAKE_DOCKER_FAULT_EVENTS_HALF)) {
		static const char half[] = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"I";
		send_all(fd, half, sizeof(half) - 1);
		return false;
	}
	if (take_fault(d, FAKE_DOCKER_FAULT_EVENTS_LONG))
		send_long_event(fd);
	if (d->stream_text)
		send_all(fd, d->stream_text, strlen(d->stream_text));
	for (size_t i = 0; i < d->nopen_events; i++) {
		const fake_event* e = &d->open_events[i];
		send_event(fd, e->action, e->id, e->image);
	}
	hold(d, fd, true);
	return true;
}

static bool route_not_found(fake_docker* d, int fd, const char* path)
{
	(void)d, (void)path;
	answer_text(fd, 404, "{\"message\":\"page not found\"}");
	return false;
}

/* Matched in order against the request path (after the /v1.41 prefix). */
static const struct {
	const char* match;
	route_fn fn;
} routes[FAKE_DOCKER_ROUTES] = {
    [FAKE_DOCKER_ROUTE_PING] = {"/_ping", route_ping},
    [FAKE_DOCKER_ROUTE_LIST] = {"/containers/json", route_list},
    [FAKE_DOCKER_ROUTE_INSPECT] = {"/containers/", route_inspect},
    [FAKE_DOCKER_ROUTE_EVENTS] = {"/events", route_events},
    [FAKE_DOCKER_ROUTE_OTHER] = {"/", route_not_found},
};

/* ---- serving --------------------------------------------------------------- */

/* Reads up to the end of the request headers (curl sends one GET at a time). */
static bool read_request(int fd, char* buf, size_t cap)
{
	struct timeval tv = {.tv_sec = 2}; /* a silent client must not stall the others */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	size_t n = 0;
	while (n + 1 < cap) {
		ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r <= 0)
			return false;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return true;
	}
	return false;
}

/* Answers a request for path; true when the connection is kept. */
static bool dispatch(fake_docker* d, int fd, const char* path)
{
	for (size_t i = 0; i < d->nanswers; i++) {
		fake_answer* a = &d->answers[i];
		if (strstr(path, a->match)) {
			bump(d, &a->hits);
			answer_text(fd, a->status, a->body);
			return false;
		}
	}
	for (int r = 0; r < FAKE_DOCKER_ROUTES; r++) {
		if (strstr(path, routes[r].match)) {
			bump(d, &d->hits[r]);
			return routes[r].fn(d, fd, path);
		}
	}
	return false;
}

static void serve_connection(fake_docker* d, int fd)
{
	pthread_mutex_lock(&d->mu);
	fake_docker_mode mode = d->mode;
	d->connections++;
	pthread_mutex_unlock(&d->mu);
	if (mode == FAKE_DOCKER_MODE_HANG) {
		hold(d, fd, false);
		return;
	}
	char req[8192], path[4096] = "";
	bool kept = false;
	if (read_request(fd, req, sizeof(req)) && sscanf(req, "%*s %4095s", path) == 1) {
		if (mode == FAKE_DOCKER_MODE_GARBAGE) {
			static const char junk[] = "this is not HTTP at all\r\n\r\n\x01\x02";
			send_all(fd, junk, sizeof(junk) - 1);
		} else if (mode == FAKE_DOCKER_MODE_STALL) {
			static const char half[] = "{\"Id\":\"c0ffee";
			answer(fd, 200, half, sizeof(half) - 1, 4096);
			hold(d, fd, false);
			kept = true;
		} else {
			kept = dispatch(d, fd, path);
		}
	}
	if (!kept)
		close(fd);
}

static void* serve(void* arg)
{
	fake_docker* d = arg;
	for (int c; (c = accept(d->lfd, NULL, NULL)) >= 0;)
		serve_connection(d, c);
	return NULL;
}

/* ---- the daemon ------------------------------------------------------------ */

fake_docker* fake_docker_new(const char* dir, const char* name)
{
	fake_docker* d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	if (!dir) {
		snprintf(d->dir, sizeof(d->dir), "/tmp/fake.XXXXXX");
		if (!mkdtemp(d->dir)) {
			free(d);
			return NULL;
		}
		dir = d->dir;
	}
	snprintf(d->sock, sizeof(d->sock), "%s/%s", dir, name);
	d->lfd = -1;
	pthread_mutex_init(&d->mu, NULL);
	return d;
}

void fake_docker_free(fake_docker* d)
{
	if (!d)
		return;
	fake_docker_stop(d);
	for (size_t i = 0; i < d->nctrs; i++)
		free(d->ctrs[i].doc);
	for (size_t i = 0; i < d->nanswers; i++) {
		free(d->answers[i].match);
		free(d->answers[i].body);
	}
	for (size_t i = 0; i < d->nopen_events; i++) {
		free(d->open_events[i].action);
		free(d->open_events[i].id);
		free(d->open_events[i].image);
	}
	free(d->list_doc);
	free(d->stream_text);
	pthread_mutex_destroy(&d->mu);
	if (d->dir[0])
		rmdir(d->dir);
	free(d);
}

const char* fake_docker_socket(const fake_docker* d)
{
	return d->sock;
}

bool fake_docker_start(fake_docker* d)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", d->sock);
	d->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (d->lfd < 0 || bind(d->lfd, (struct sockaddr*)&a, sizeof(a)) || listen(d->lfd, 16) ||
	    pthread_create(&d->thread, NULL, serve, d)) {
		if (d->lfd >= 0)
			close(d->lfd);
		d->lfd = -1;
		unlink(d->sock);
		return false;
	}
	d->up = true;
	return true;
}

void fake_docker_stop(fake_docker* d)
{
	if (!d->up)
		return;
	unlink(d->sock);
	shutdown(d->lfd, SHUT_RDWR); /* wakes accept() */
	pthread_join(d->thread, NULL);
	close(d->lfd);
	d->lfd = -1;
	fake_docker_drop_connections(d);
	pthread_mutex_lock(&d->mu);
	memset(d->faults, 0, sizeof(d->faults));
	pthread_mutex_unlock(&d->mu);
	d->up = false;
}

/* ---- what it serves (daemon stopped) --------------------------------------- */

int fake_docker_add(fake_docker* d, const char* id, const char* name)
{
	if (d->nctrs == MAX_CTRS)
		return -1;
	fake_ctr* c = &d->ctrs[d->nctrs];
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->name, sizeof(c->name), "%s", name);
	d->present = ++d->nctrs;
	return (int)d->nctrs - 1;
}

const char* fake_docker_id(const fake_docker* d, size_t i)
{
	return i < d->nctrs ? d->ctrs[i].id : NULL;
}

const char* fake_docker_name(const fake_docker* d, size_t i)
{
	return i < d->nctrs ? d->ctrs[i].name : NULL;
}

void fake_docker_set_count(fake_docker* d, size_t n)
{
	d->present = n < d->nctrs ? n : d->nctrs;
}

/* Replaces *dst with a NUL-terminated copy of len bytes of src. */
static bool set_copy(char** dst, const char* src, size_t len)
{
	char* p = malloc(len + 1);
	if (!p)
		return false;
	memcpy(p, src, len);
	p[len] = '\0';
	free(*dst);
	*dst = p;
	return true;
}

bool fake_docker_set_inspect(fake_docker* d, size_t i, const char* doc, size_t len)
{
	if (i >= d->nctrs || !set_copy(&d->ctrs[i].doc, doc, len))
		return false;
	d->ctrs[i].doc_len = len;
	return true;
}

bool fake_docker_stall_inspect(fake_docker* d, size_t i)
{
	if (i >= d->nctrs)
		return false;
	d->ctrs[i].stall = true;
	return true;
}

bool fake_docker_set_list(fake_docker* d, const char* doc)
{
	return set_copy(&d->list_doc, doc, strlen(doc));
}

bool fake_docker_set_stream_text(fake_docker* d, const char* text)
{
	return set_copy(&d->stream_text, text, strlen(text));
}

int fake_docker_answer(fake_docker* d, const char* match, int status, const char* body)
{
	if (d->nanswers == MAX_ANSWERS)
		return -1;
	fake_answer* a = &d->answers[d->nanswers];
	*a = (fake_answer){.status = status};
	if (!set_copy(&a->match, match, strlen(match)) || !set_copy(&a->body, body, strlen(body))) {
		free(a->match);
		return -1;
	}
	return (int)d->nanswers++;
}

bool fake_docker_add_stream_event(fake_docker* d, const char* action, const char* id,
                                  const char* image)
{
	if (d->nopen_events == MAX_OPEN_EVENTS)
		return false;
	fake_event* e = &d->open_events[d->nopen_events];
	*e = (fake_event){0};
	if (!set_copy(&e->action, action, strlen(action)) || !set_copy(&e->id, id, strlen(id)) ||
	    !set_copy(&e->image, image, strlen(image))) {
		free(e->action);
		free(e->id);
		return false;
	}
	d->nopen_events++;
	return true;
}

/* ---- while it serves --------------------------------------------------------- */

void fake_docker_set_mode(fake_docker* d, fake_docker_mode m)
{
	pthread_mutex_lock(&d->mu);
	d->mode = m;
	pthread_mutex_unlock(&d->mu);
}

void fake_docker_set_fault(fake_docker* d, fake_docker_fault f, int n)
{
	pthread_mutex_lock(&d->mu);
	d->faults[f] = n;
	pthread_mutex_unlock(&d->mu);
}

void fake_docker_drop_connections(fake_docker* d)
{
	pthread_mutex_lock(&d->mu);
	for (size_t i = 0; i < d->nheld; i++)
		close(d->held[i].fd);
	d->nheld = 0;
	pthread_mutex_unlock(&d->mu);
}

unsigned fake_docker_connections(fake_docker* d)
{
	return read_counter(d, &d->connections);
}

unsigned fake_docker_hits(fake_docker* d, fake_docker_route route)
{
	return read_counter(d, &d->hits[route]);
}

unsigned fake_docker_inspects(fake_docker* d, size_t i)
{
	return i < d->nctrs ? read_counter(d, &d->ctrs[i].inspects) : 0;
}

unsigned fake_docker_answer_hits(fake_docker* d, int k)
{
	return k >= 0 && (size_t)k < d->nanswers ? read_counter(d, &d->answers[k].hits) : 0;
}

bool fake_docker_config(char* buf, size_t size, const char* socket)
{
	int n = snprintf(buf, size,
	                 "{\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"%s\"]},"
	                 "\"podman\":{\"enabled\":false},\"containerd\":{\"enabled\":false},"
	                 "\"cri\":{\"enabled\":false}}}",
	                 socket);
	return n > 0 && (size_t)n < size;
}
