#include "rest.h"

#include "ctr_id.h"
#include "idset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PING_TIMEOUT_MS 2000
#define CALL_TIMEOUT_MS 5000
/* A listing inspects this many containers at a time (HTTP_MAX_PARALLEL in flight). */
#define LIST_BATCH 32
/* Documents that barely change (images), kept briefly: a listing asks for the
 * same image once per container, and hundreds of containers share a few. */
#define DOC_CACHE 8
#define DOC_TTL_MS 2000

typedef struct cached_doc {
	char path[256]; /* "" = free */
	http_resp r;
	uint64_t at_ms;
} cached_doc;

typedef struct rest_engine {
	const rest_desc* d;
	char prefix[64];
	int64_t since_s; /* replay point of the next stream */
	engine_queue events; /* of rest_event */
	http_stream stream;
	idset known; /* full ids reported present and not removed since */
	cached_doc docs[DOC_CACHE];
	size_t next_doc; /* the slot replaced next */
} rest_engine;

static rest_engine* priv(engine* e)
{
	return e->priv;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int rest_get(engine* e, const char* path, http_resp* out)
{
	char full[2048], err[512];
	snprintf(full, sizeof(full), "%s%s", priv(e)->prefix, path);
	if (http_request(e->socket, "GET", full, CALL_TIMEOUT_MS, e->env->cancel, out, err, sizeof(err))) {
		/* An engine down is routine (debug); an answer refused for its size is not. */
		plog_write(e->env->log, out->too_big ? SS_PLUGIN_LOG_SEV_WARNING : SS_PLUGIN_LOG_SEV_DEBUG,
		           "%s %s: %s", priv(e)->d->kind, e->socket, err);
		e->call_failed = true;
		return -1;
	}
	if (out->status != 200) {
		e->call_failed |= out->status != 404; /* 404: no such container (or image) */
		http_resp_free(out);
		return -1;
	}
	return 0;
}

const http_resp* rest_get_cached(engine* e, const char* path)
{
	rest_engine* p = priv(e);
	uint64_t now = now_ms();
	for (size_t i = 0; i < DOC_CACHE; i++)
		if (!strcmp(p->docs[i].path, path) && now - p->docs[i].at_ms < DOC_TTL_MS)
			return &p->docs[i].r;
	if (strlen(path) >= sizeof(p->docs[0].path))
		return NULL;
	cached_doc* d = &p->docs[p->next_doc];
	p->next_doc = (p->next_doc + 1) % DOC_CACHE;
	if (d->path[0])
		http_resp_free(&d->r);
	d->path[0] = '\0';
	if (rest_get(e, path, &d->r))
		return NULL;
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->at_ms = now;
	return &d->r;
}

/* The inspect path of ID after the API prefix; false for an id that must not reach a URL. */
static bool inspect_path(engine* e, const char* id, char* path, size_t len)
{
	if (!ctr_id_safe(id))
		return false;
	const rest_desc* d = priv(e)->d;
	snprintf(path, len, "/containers/%s/json%s%s", id, e->env->cfg->with_size ? "?" : "",
	         e->env->cfg->with_size ? d->size_param : "");
	return true;
}

/* The record of an inspect answer (released here); NULL when unreadable. */
static ctr_record* record_of(engine* e, const char* id, http_resp* r)
{
	char err[256];
	const rest_desc* d = priv(e)->d;
	ctr_record* rec = d->build(e, r->body, r->len, err, sizeof(err));
	if (!rec)
		plog_warn(e->env->log, "%s: unreadable inspect of %s: %s", d->kind, id, err);
	http_resp_free(r);
	return rec;
}

ctr_record* rest_inspect(engine* e, const char* id)
{
	char path[512];
	http_resp r;
	if (!inspect_path(e, id, path, sizeof(path)) || rest_get(e, path, &r))
		return NULL;
	return record_of(e, id, &r);
}

static bool report(engine* e, engine_report what, const ctr_record* r)
{
	return engine_report_known(e, &priv(e)->known, r->full_id, what, r);
}

/* A listing being inspected: which listed id each request is for. */
typedef struct listing {
	engine* e;
	char* const* ids;
	const size_t* which;
	const idset* fresh; /* listed ids not reported before */
} listing;

/*
 * Reports a listed container with its inspected record (NULL: the inspect
 * failed). A known container whose inspect failed (engine going down again)
 * keeps the full record it has; only a new one is announced by id alone.
 */
static void report_listed(engine* e, const char* id, ctr_record* rec, const idset* fresh)
{
	if (!rec && !idset_get(fresh, id, NULL))
		return;
	if (!rec)
		rec = inspect_minimal(priv(e)->d->type, id, "");
	if (rec)
		report(e, ENGINE_REPORT_ADDED, rec);
	ctr_record_unref(rec);
}

static void inspected(void* arg, size_t j, bool ok, http_resp* r, const char* err)
{
	listing* l = arg;
	engine* e = l->e;
	const char* id = l->ids[l->which[j]];
	ctr_record* rec = NULL;
	if (ok && r->status == 200)
		rec = record_of(e, id, r);
	else if (ok)
		http_resp_free(r);
	else /* as rest_get: a refused size is worth a warning, an engine going down is not */
		plog_write(e->env->log, r->too_big ? SS_PLUGIN_LOG_SEV_WARNING : SS_PLUGIN_LOG_SEV_DEBUG,
		           "%s %s: %s", priv(e)->d->kind, e->socket, err);
	report_listed(e, id, rec, l->fresh);
}

/*
 * Inspects and reports n <= LIST_BATCH listed containers with a few requests
 * in flight at once (a listing of hundreds would otherwise wait for each
 * answer in turn); each is reported as soon as its own answer is in.
 */
static void inspect_many(engine* e, char* const* ids, size_t n, const idset* fresh)
{
	char paths[LIST_BATCH][600], rel[512];
	const char* ptrs[LIST_BATCH];
	size_t which[LIST_BATCH]; /* the id of each request */
	size_t m = 0;
	for (size_t i = 0; i < n && i < LIST_BATCH; i++) {
		if (!inspect_path(e, ids[i], rel, sizeof(rel))) {
			report_listed(e, ids[i], NULL, fresh);
			continue;
		}
		snprintf(paths[m], sizeof(paths[m]), "%s%s", priv(e)->prefix, rel);
		ptrs[m] = paths[m];
		which[m++] = i;
	}
	listing l = {e, ids, which, fresh};
	http_get_many(e->socket, ptrs, m, CALL_TIMEOUT_MS, e->env->cancel, inspected, &l);
}

static bool report_gone(engine* e, const char* id)
{
	return engine_report_removed(e, priv(e)->d->type, id);
}

static int ping(engine* e)
{
	rest_engine* p = priv(e);
	http_resp r;
	char err[512];
	if (http_request(e->socket, "GET", p->d->ping, PING_TIMEOUT_MS, e->env->cancel, &r, err, sizeof(err))) {
		plog_debug(e->env->log, "%s: ping failed: %s", p->d->kind, err);
		return -1;
	}
	int rc = r.status == 200 ? 0 : -1;
	/* Never a version newer than the daemon's: take its own
	 * (docs/engines.md "Version negotiation"). */
	if (!rc && r.api_version[0] && strspn(r.api_version, "0123456789.") == strlen(r.api_version))
		snprintf(p->prefix, sizeof(p->prefix), p->d->prefix_fmt, r.api_version);
	else if (!rc)
		snprintf(p->prefix, sizeof(p->prefix), p->d->prefix_fmt, "");
	http_resp_free(&r);
	return rc;
}

/* Lists every container and reports each (inspect failing → minimal record). */
static int list_all(engine* e)
{
	http_resp r;
	if (rest_get(e, priv(e)->d->list, &r))
		return -1;
	char** ids = NULL;
	size_t n;
	bool readable = inspect_list_read(r.body, r.len, &ids, &n);
	http_resp_free(&r);
	/* A cut or garbled answer is not an empty listing: removing every known
	 * container for it would lose them all. */
	if (!readable) {
		plog_warn(e->env->log, "%s %s: unreadable container list", priv(e)->d->kind, e->socket);
		return -1;
	}
	idset listed, fresh;
	idset_init(&listed);
	idset_init(&fresh);
	for (size_t i = 0; i < n; i++) {
		idset_put(&listed, ids[i], 0);
		if (!idset_get(&priv(e)->known, ids[i], NULL))
			idset_put(&fresh, ids[i], 0);
	}
	/* After a reconnect the engine may have lost the events of what was removed
	 * meanwhile (dockerd keeps events in memory only): whatever we reported and
	 * the new listing lacks is gone. */
	engine_reconcile(e, &priv(e)->known, &listed, report_gone);
	idset_free(&listed);
	for (size_t i = 0; i < n; i += LIST_BATCH)
		inspect_many(e, ids + i, n - i < LIST_BATCH ? n - i : LIST_BATCH, &fresh);
	idset_free(&fresh);
	inspect_ids_free(ids, n);
	plog_info(e->env->log, "%s %s: %zu containers listed", priv(e)->d->kind, e->socket, n);
	return 0;
}

static int rest_attach(engine* e)
{
	if (ping(e))
		return -1;
	/* The stream opened after this list replays from here: nothing falls in between. */
	int64_t start = now_s() - 1;
	if (list_all(e))
		return -1;
	/* A reconnection replays from the last event seen instead: what happened while
	 * the stream was down (a removal above all, which no listing shows) is not lost. */
	if (!priv(e)->since_s)
		priv(e)->since_s = start;
	return 0;
}

static void on_line(void* arg, const char* line, size_t len)
{
	engine* e = arg;
	rest_engine* p = priv(e);
	rest_event* ev = engine_queue_slot(&p->events);
	if (ev && rest_event_parse(line, len, ev))
		engine_queue_commit(&p->events);
}

static engine_stream rest_open_stream(engine* e)
{
	rest_engine* p = priv(e);
	engine_stream s = {ENGINE_STREAM_FAILED, NULL, 0};
	char* filter = http_escape(p->d->event_filter);
	if (!filter)
		return s;
	char path[1024];
	snprintf(path, sizeof(path), "%s%s%ssince=%lld&filters=%s", p->prefix, p->d->events,
	         strchr(p->d->events, '?') ? "&" : "?", (long long)p->since_s, filter);
	free(filter);
	if (http_stream_open(&p->stream, e->socket, path, on_line, e))
		s = (engine_stream){ENGINE_STREAM_OPEN, p->stream.easy, 0};
	return s;
}

static void rest_close_stream(engine* e)
{
	http_stream_close(&priv(e)->stream);
}

static bool is_removal(const rest_desc* d, const char* action)
{
	return !strcmp(action, d->removed[0]) || !strcmp(action, d->removed[1]);
}

static void dispatch(engine* e, const rest_event* ev)
{
	const rest_desc* d = priv(e)->d;
	unsigned hooks = e->env->cfg->hooks;
	bool create = !strcmp(ev->action, "create"), start = !strcmp(ev->action, "start");
	ctr_record* r = NULL;
	engine_report what = ENGINE_REPORT_ADDED;
	if (is_removal(d, ev->action)) {
		r = inspect_minimal(d->type, ev->full_id, ev->image);
		what = ENGINE_REPORT_REMOVED;
	} else if ((create && (hooks & CONFIG_HOOK_CREATE)) || start) {
		r = rest_inspect(e, ev->full_id);
		/* At start the record is richer (IP): without the start hook it is an update.
		 * An inspect that fails announces nothing: the container is gone already
		 * (its removal follows), or the engine is failing and the container's
		 * first process asks for it again; a minimal record would replace a
		 * full one the host may have. */
		what = start && !(hooks & CONFIG_HOOK_START) ? ENGINE_REPORT_UPDATED : ENGINE_REPORT_ADDED;
	}
	if (r)
		report(e, what, r);
	ctr_record_unref(r);
}

/* One event of the stream; the next stream replays from the latest one handled. */
static void handle_event(engine* e, void* item)
{
	const rest_event* ev = item;
	dispatch(e, ev);
	if (ev->time_ns / 1000000000 > priv(e)->since_s)
		priv(e)->since_s = ev->time_ns / 1000000000;
}

static void event_free(void* item)
{
	rest_event_free(item);
}

static void rest_process_events(engine* e)
{
	rest_engine* p = priv(e);
	if (engine_queue_drain(&p->events, e, handle_event, event_free)) {
		plog_warn(e->env->log, "%s: event burst over %d, re-listing", p->d->kind,
		          ENGINE_QUEUE_MAX);
		list_all(e);
	}
}

/* Found containers enter known like listed ones: a later listing reconciles them. */
static bool rest_lookup(engine* e, const char* id)
{
	ctr_record* r = rest_inspect(e, id);
	bool found = r && report(e, ENGINE_REPORT_ADDED, r);
	ctr_record_unref(r);
	return found;
}

static void rest_destroy(engine* e)
{
	rest_engine* p = priv(e);
	engine_queue_free(&p->events, event_free);
	http_stream_close(&p->stream);
	idset_free(&p->known);
	for (size_t i = 0; i < DOC_CACHE; i++)
		if (p->docs[i].path[0])
			http_resp_free(&p->docs[i].r);
	free(p);
}

static const engine_ops rest_ops = {
    .kind = "rest",
    .attach = rest_attach,
    .open_stream = rest_open_stream,
    .close_stream = rest_close_stream,
    .process_events = rest_process_events,
    .lookup = rest_lookup,
    .destroy = rest_destroy,
};

engine* rest_engine_new(const rest_desc* d, const engine_env* env, const char* socket)
{
	rest_engine* p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->d = d;
	engine_queue_init(&p->events, sizeof(rest_event));
	engine* e = engine_new(&rest_ops, env, socket, p);
	if (!e)
		free(p);
	return e;
}
