/*
 * CRI engine: runtime.v1.RuntimeService over gRPC (docs/engines.md "CRI");
 * mapping to records is in cri_map.c.
 *
 * Events come from GetContainerEvents when the runtime has it. Runtimes
 * without it (containerd 1.6 answers grpc-status 12) have no stream: the
 * engine then stays up through engine_ops.poll and re-lists containers and
 * sandboxes every POLL_MS, reporting only new ids and the removal of vanished
 * ones. On-demand lookups work either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cri.h"
#include "ctr_id.h"
#include "engine.h"
#include "grpc.h"
#include "inspect.h"

#define CALL_TIMEOUT_MS 5000
#define POLL_MS 2000

#define SVC_V1 "/runtime.v1.RuntimeService/"
#define SVC_V1ALPHA2 "/runtime.v1alpha2.RuntimeService/"

enum { EV_CREATED = 0, EV_STARTED = 1, EV_STOPPED = 2, EV_DELETED = 3 };

/*
 * An event kept whole (up to EVENT_KEEP_MAX bytes: a few dozen containers'
 * statuses) carries the record of a container gone before its lookup;
 * a bigger one only by its id. At most ENGINE_QUEUE_MAX wait.
 */
#define EVENT_KEEP_MAX (64u * 1024u)

typedef struct pending_ev {
	int type;
	char* id;
	Cri__ContainerEventResponse* ev; /* NULL: deleted, or over EVENT_KEEP_MAX */
} pending_ev;

typedef struct cri_engine {
	const char* svc; /* SVC_V1, or SVC_V1ALPHA2 when v1 is unimplemented */
	uint32_t type;   /* record type from Version.runtime_name */
	grpc_stream stream;
	bool no_events; /* GetContainerEvents answered UNIMPLEMENTED: poll instead */
	engine_queue events; /* of pending_ev */
	idset known;  /* ids (containers and sandboxes) reported and not removed */
} cri_engine;

static cri_engine* priv(engine* e)
{
	return e->priv;
}

/* One unary call: req packed, the answer unpacked as rd (NULL on any failure). */
static ProtobufCMessage* call_svc(engine* e, const char* svc, const char* method,
                                  const ProtobufCMessage* req,
                                  const ProtobufCMessageDescriptor* rd, int* status)
{
	char path[128];
	snprintf(path, sizeof(path), "%s%s", svc, method);
	size_t len = protobuf_c_message_get_packed_size(req);
	uint8_t* buf = malloc(len ? len : 1);
	int st = GRPC_STATUS_NONE;
	ProtobufCMessage* m = NULL;
	if (buf) {
		protobuf_c_message_pack(req, buf);
		uint8_t* resp;
		size_t rlen;
		char err[512];
		if (grpc_unary(e->socket, path, NULL, buf, len, CALL_TIMEOUT_MS, e->env->cancel, &resp,
		               &rlen, &st, err, sizeof(err)) == 0) {
			m = protobuf_c_message_unpack(rd, NULL, rlen, resp);
			if (!m)
				plog_warn(e->env->log, "cri %s: undecodable answer to %s", e->socket, path);
			free(resp);
		} else {
			plog_debug(e->env->log, "cri %s: %s", e->socket, err);
		}
		free(buf);
	}
	if (status)
		*status = st;
	return m;
}

static ProtobufCMessage* call(engine* e, const char* method, const ProtobufCMessage* req,
                              const ProtobufCMessageDescriptor* rd)
{
	return call_svc(e, priv(e)->svc, method, req, rd, NULL);
}

static void unpacked_free(void* m)
{
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

/* ---- records ---- */

static cri_map_opts map_opts(engine* e)
{
	return (cri_map_opts){priv(e)->type, e->env->cfg->label_max_len, -1};
}

static Cri__PodSandboxStatusResponse* sandbox_status(engine* e, const char* id)
{
	Cri__PodSandboxStatusRequest req = CRI__POD_SANDBOX_STATUS_REQUEST__INIT;
	req.pod_sandbox_id = (char*)id;
	req.verbose = true;
	return (Cri__PodSandboxStatusResponse*)call(e, "PodSandboxStatus", &req.base,
	                                            &cri__pod_sandbox_status_response__descriptor);
}

/* ContainerStatus(verbose) + the pod's PodSandboxStatus(verbose); NULL if the status fails. */
/* *status (may be NULL): ContainerStatus's grpc-status. */
static ctr_record* build_container(engine* e, const char* id, const char* sandbox_id, int* status)
{
	Cri__ContainerStatusRequest req = CRI__CONTAINER_STATUS_REQUEST__INIT;
	req.container_id = (char*)id;
	req.verbose = true;
	Cri__ContainerStatusResponse* cs = (Cri__ContainerStatusResponse*)call_svc(
	    e, priv(e)->svc, "ContainerStatus", &req.base, &cri__container_status_response__descriptor,
	    status);
	if (!cs || !cs->status) {
		unpacked_free(cs);
		return NULL;
	}
	const char* info = cri_info_container(cs);
	char* sid = sandbox_id && *sandbox_id ? strdup(sandbox_id) : NULL;
	if (!sid) /* ContainerStatus has no sandbox id; containerd's verbose info does */
		sid = cri_info_sandbox_id(info);
	Cri__PodSandboxStatusResponse* ss = sid ? sandbox_status(e, sid) : NULL;
	cri_map_opts o = map_opts(e);
	char err[256];
	ctr_record* r = cri_container_record(cs->status, info, ss ? ss->status : NULL,
	                                     cri_info_sandbox(ss), &o, err, sizeof(err));
	if (!r || err[0]) /* refused, or kept without what went over its budget */
		plog_warn(e->env->log, "cri %s: %s", e->socket, err);
	free(sid);
	unpacked_free(ss);
	unpacked_free(cs);
	return r;
}

static ctr_record* build_sandbox(engine* e, const char* id)
{
	Cri__PodSandboxStatusResponse* ss = sandbox_status(e, id);
	if (!ss || !ss->status) {
		unpacked_free(ss);
		return NULL;
	}
	cri_map_opts o = map_opts(e);
	char err[256];
	ctr_record* r = cri_sandbox_record(ss->status, cri_info_sandbox(ss), &o, err, sizeof(err));
	if (!r || err[0])
		plog_warn(e->env->log, "cri %s: %s", e->socket, err);
	unpacked_free(ss);
	return r;
}

static bool report_removed(engine* e, const char* id)
{
	return engine_report_removed(e, priv(e)->type, id);
}

static Cri__ListContainersResponse* list_containers(engine* e, const char* id)
{
	Cri__ListContainersRequest req = CRI__LIST_CONTAINERS_REQUEST__INIT;
	Cri__ContainerFilter f = CRI__CONTAINER_FILTER__INIT;
	if (id) {
		f.id = (char*)id;
		req.filter = &f;
	}
	return (Cri__ListContainersResponse*)call(e, "ListContainers", &req.base,
	                                          &cri__list_containers_response__descriptor);
}

static Cri__ListPodSandboxResponse* list_sandboxes(engine* e, const char* id)
{
	Cri__ListPodSandboxRequest req = CRI__LIST_POD_SANDBOX_REQUEST__INIT;
	Cri__PodSandboxFilter f = CRI__POD_SANDBOX_FILTER__INIT;
	if (id) {
		f.id = (char*)id;
		req.filter = &f;
	}
	return (Cri__ListPodSandboxResponse*)call(e, "ListPodSandbox", &req.base,
	                                          &cri__list_pod_sandbox_response__descriptor);
}

/* Reports a listed container or sandbox; LOST gets ID when the host did not take it. */
static void report_new(engine* e, const char* id, ctr_record* r, idset* lost)
{
	if (r && !engine_announce(e, ENGINE_REPORT_ADDED, r))
		idset_put(lost, id, 0);
	ctr_record_unref(r);
}

/*
 * Lists containers and sandboxes. all: report every one (attach); otherwise
 * only ids not known yet (polling). Known ids that vanished are removed.
 */
static int relist(engine* e, bool all)
{
	cri_engine* p = priv(e);
	Cri__ListContainersResponse* lc = list_containers(e, NULL);
	Cri__ListPodSandboxResponse* ls = lc ? list_sandboxes(e, NULL) : NULL;
	if (!lc || !ls) {
		unpacked_free(lc);
		return -1;
	}
	idset listed, lost;
	idset_init(&listed);
	idset_init(&lost);
	for (size_t i = 0; i < ls->n_items; i++) {
		const Cri__PodSandbox* s = ls->items[i];
		if (!s || !s->id || !*s->id)
			continue;
		idset_put(&listed, s->id, 0);
		if (all || !idset_get(&p->known, s->id, NULL))
			report_new(e, s->id, build_sandbox(e, s->id), &lost);
	}
	for (size_t i = 0; i < lc->n_containers; i++) {
		const Cri__Container* c = lc->containers[i];
		if (!c || !c->id || !*c->id)
			continue;
		idset_put(&listed, c->id, 0);
		if (all || !idset_get(&p->known, c->id, NULL))
			report_new(e, c->id, build_container(e, c->id, c->pod_sandbox_id, NULL), &lost);
	}
	engine_reconcile(e, &p->known, &listed, report_removed);
	engine_forget(&p->known, &lost); /* the next listing reports them again */
	idset_free(&listed);
	idset_free(&lost);
	if (all)
		plog_info(e->env->log, "cri %s: %zu containers and %zu sandboxes listed", e->socket,
		          lc->n_containers, ls->n_items);
	unpacked_free(lc);
	unpacked_free(ls);
	return 0;
}

static int cri_attach(engine* e)
{
	cri_engine* p = priv(e);
	Cri__VersionRequest req = CRI__VERSION_REQUEST__INIT;
	int st;
	p->svc = SVC_V1;
	Cri__VersionResponse* v = (Cri__VersionResponse*)call_svc(
	    e, p->svc, "Version", &req.base, &cri__version_response__descriptor, &st);
	if (!v && st == GRPC_UNIMPLEMENTED) {
		p->svc = SVC_V1ALPHA2;
		v = (Cri__VersionResponse*)call_svc(e, p->svc, "Version", &req.base,
		                                    &cri__version_response__descriptor, NULL);
	}
	if (!v)
		return -1;
	p->type = cri_runtime_type(v->runtime_name);
	plog_debug(e->env->log, "cri %s: %s %s (api %s)", e->socket, v->runtime_name,
	           v->runtime_version, v->runtime_api_version);
	unpacked_free(v);
	/* Back after finding the runtime has no events: only differences are news. */
	return relist(e, !p->no_events);
}

/* ---- events ---- */

/* One ContainerEventResponse (inside curl's write callback: decode and queue only). */
static void on_event(void* arg, const uint8_t* msg, size_t len)
{
	engine* e = arg;
	cri_engine* p = priv(e);
	Cri__ContainerEventResponse* ev = cri__container_event_response__unpack(NULL, len, msg);
	if (!ev)
		return;
	if (ev->container_id && *ev->container_id && ev->container_event_type != EV_STOPPED) {
		pending_ev* pe = engine_queue_slot(&p->events);
		if (pe && (pe->id = strdup(ev->container_id))) {
			pe->type = ev->container_event_type;
			bool keep = pe->type != EV_DELETED && len <= EVENT_KEEP_MAX;
			pe->ev = keep ? ev : NULL;
			ev = keep ? NULL : ev;
			engine_queue_commit(&p->events);
		}
	}
	if (ev)
		cri__container_event_response__free_unpacked(ev, NULL);
}

static engine_stream cri_open_stream(engine* e)
{
	cri_engine* p = priv(e);
	engine_stream s = {ENGINE_STREAM_FAILED, NULL, 0};
	if (p->no_events) /* up without a stream: the worker calls cri_poll */
		return (engine_stream){ENGINE_STREAM_POLL, NULL, POLL_MS};
	Cri__GetEventsRequest req = CRI__GET_EVENTS_REQUEST__INIT;
	size_t len = cri__get_events_request__get_packed_size(&req);
	uint8_t* buf = malloc(len ? len : 1);
	if (!buf)
		return s;
	cri__get_events_request__pack(&req, buf);
	char path[128];
	snprintf(path, sizeof(path), "%sGetContainerEvents", p->svc);
	bool ok = grpc_stream_open(&p->stream, e->socket, path, NULL, buf, len, on_event, e);
	free(buf);
	if (!ok) {
		grpc_stream_close(&p->stream);
		return s;
	}
	return (engine_stream){ENGINE_STREAM_OPEN, p->stream.easy, 0};
}

static void cri_close_stream(engine* e)
{
	cri_engine* p = priv(e);
	if (p->stream.status == GRPC_UNIMPLEMENTED) {
		p->no_events = true;
		plog_info(e->env->log, "cri %s: no GetContainerEvents, listing every %d ms instead",
		          e->socket, POLL_MS);
	} else if (p->stream.status != GRPC_STATUS_NONE && p->stream.status != GRPC_OK) {
		plog_info(e->env->log, "cri %s: events ended with grpc-status %d %s", e->socket,
		          p->stream.status, p->stream.message);
	}
	grpc_stream_close(&p->stream);
}

/* The record the event itself carries, for a container that no lookup finds any more. */
static ctr_record* event_record(engine* e, const pending_ev* ev)
{
	cri_map_opts o = map_opts(e);
	char err[256];
	ctr_record* r = cri_event_record(ev->ev, ev->id, &o, err, sizeof(err));
	if (err[0])
		plog_warn(e->env->log, "cri %s: %s", e->socket, err);
	if (r)
		plog_debug(e->env->log, "cri %s: %.12s gone before its lookup: taken from its event",
		           e->socket, ev->id);
	return r;
}

static void dispatch(engine* e, void* item)
{
	const pending_ev* ev = item;
	cri_engine* p = priv(e);
	unsigned hooks = e->env->cfg->hooks;
	if (ev->type == EV_DELETED) {
		ctr_record* r = idset_get(&p->known, ev->id, NULL) ? inspect_minimal(p->type, ev->id, "")
		                                                   : NULL;
		if (r)
			engine_report_known(e, &p->known, ev->id, ENGINE_REPORT_REMOVED, r);
		ctr_record_unref(r);
		return;
	}
	bool start = ev->type == EV_STARTED;
	if (!start && !(hooks & CONFIG_HOOK_CREATE))
		return;
	engine_report what =
	    start && !(hooks & CONFIG_HOOK_START) ? ENGINE_REPORT_UPDATED : ENGINE_REPORT_ADDED;
	/* Sandboxes have events too; ContainerStatus fails on them
	 * (docs/engines.md "CRI sandboxes"). */
	int st = GRPC_STATUS_NONE;
	ctr_record* r = build_container(e, ev->id, NULL, &st);
	if (!r)
		r = build_sandbox(e, ev->id);
	/* Gone already (a container of a second): the event's own status. Any other
	 * failure leaves it to a later lookup, which gets the verbose info too. */
	if (!r && ev->ev && st == GRPC_NOT_FOUND)
		r = event_record(e, ev);
	if (r)
		engine_report_known(e, &p->known, ev->id, what, r);
	ctr_record_unref(r);
}

static void pending_free(void* item)
{
	pending_ev* pe = item;
	free(pe->id);
	if (pe->ev)
		cri__container_event_response__free_unpacked(pe->ev, NULL);
}

static void cri_process_events(engine* e)
{
	if (engine_queue_drain(&priv(e)->events, e, dispatch, pending_free)) {
		plog_warn(e->env->log, "cri: event burst over %d, re-listing", ENGINE_QUEUE_MAX);
		relist(e, false);
	}
}

static int cri_poll(engine* e)
{
	return relist(e, false);
}

/* By unique id prefix: a container (ListContainers filter.id), else a sandbox (pause). */
static bool cri_lookup(engine* e, const char* id)
{
	ctr_record* found = NULL;
	ctr_record** out = &found;
	if (!ctr_id_safe(id))
		return false;
	size_t n = strlen(id);
	Cri__ListContainersResponse* lc = list_containers(e, id);
	e->call_failed |= !lc;
	for (size_t i = 0; lc && i < lc->n_containers && !*out; i++) {
		const Cri__Container* c = lc->containers[i];
		if (c && c->id && !strncmp(c->id, id, n))
			*out = build_container(e, c->id, c->pod_sandbox_id, NULL);
	}
	unpacked_free(lc);
	if (!*out) {
		Cri__ListPodSandboxResponse* ls = list_sandboxes(e, id);
		e->call_failed |= !ls;
		for (size_t i = 0; ls && i < ls->n_items && !*out; i++) {
			const Cri__PodSandbox* s = ls->items[i];
			if (s && s->id && !strncmp(s->id, id, n))
				*out = build_sandbox(e, s->id);
		}
		unpacked_free(ls);
	}
	bool ok = found &&
	          engine_report_known(e, &priv(e)->known, found->full_id, ENGINE_REPORT_ADDED, found);
	ctr_record_unref(found);
	return ok;
}

static void cri_destroy(engine* e)
{
	cri_engine* p = priv(e);
	engine_queue_free(&p->events, pending_free);
	grpc_stream_close(&p->stream);
	idset_free(&p->known);
	free(p);
}

static const engine_ops cri_ops = {
    .kind = "cri",
    .attach = cri_attach,
    .open_stream = cri_open_stream,
    .close_stream = cri_close_stream,
    .process_events = cri_process_events,
    .poll = cri_poll,
    .lookup = cri_lookup,
    .destroy = cri_destroy,
};

engine* cri_engine_new(const engine_env* env, const char* socket)
{
	cri_engine* p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->stream.status = GRPC_STATUS_NONE;
	p->svc = SVC_V1;
	p->type = CTR_TYPE_CRI;
	engine_queue_init(&p->events, sizeof(pending_ev));
	engine* e = engine_new(&cri_ops, env, socket, p);
	if (!e)
		free(p);
	return e;
}
