/*
 * containerd's native API over gRPC (docs/engines.md "containerd"):
 * namespaces, containers, images and the optional sandbox store, and the
 * Events/Subscribe stream. Mapping to records is in containerd_map.c.
 *
 * containerd has no event replay: after (re)connecting the engine lists
 * everything (attach), and once the new subscription is in place lists again
 * and reports only the difference (containers created or deleted in the gap
 * between the two).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "containerd.h"
#include "containerd_disk.h"
#include "ctr_id.h"
#include "engine.h"
#include "grpc.h"
#include "inspect.h"

#define CALL_TIMEOUT_MS 5000
#define CATCHUP_DELAY_MS 100

#define SVC "/containerd.services."
#define M_VERSION SVC "version.v1.Version/Version"
#define M_NAMESPACES SVC "namespaces.v1.Namespaces/List"
#define M_LIST SVC "containers.v1.Containers/List"
#define M_GET SVC "containers.v1.Containers/Get"
#define M_IMAGE SVC "images.v1.Images/Get"
#define M_SANDBOX SVC "sandbox.v1.Store/Get"
#define M_SUBSCRIBE SVC "events.v1.Events/Subscribe"

#define SKIPPED_NAMESPACE "moby" /* Docker's own containerd: the docker engine owns those */
#define CRI_NAMESPACE "k8s.io"

typedef enum ev_kind { EV_CREATE, EV_START, EV_DELETE } ev_kind;

typedef struct pending_ev {
	ev_kind kind;
	char* ns;
	char* id;
	char* image;
} pending_ev;

typedef struct ctrd_engine {
	grpc_stream stream;
	engine_queue events; /* of pending_ev */
	bool catchup;       /* list again once the subscription is in place */
	uint64_t opened_ms; /* when the stream was opened */
	idset known;        /* "ns/id" of every container reported and not removed */
	bool no_store; /* the sandbox store answered UNIMPLEMENTED (containerd < 1.7) */
} ctrd_engine;

static ctrd_engine* priv(engine* e)
{
	return e->priv;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One unary call: req packed, the answer unpacked as rd (NULL on any failure). */
static ProtobufCMessage* call(engine* e, const char* path, const char* ns,
                              const ProtobufCMessage* req, const ProtobufCMessageDescriptor* rd,
                              int* status)
{
	size_t len = protobuf_c_message_get_packed_size(req);
	uint8_t* buf = malloc(len ? len : 1);
	int st = GRPC_STATUS_NONE;
	ProtobufCMessage* m = NULL;
	if (buf) {
		protobuf_c_message_pack(req, buf);
		uint8_t* resp;
		size_t rlen;
		char err[512];
		if (grpc_unary(e->socket, path, ns, buf, len, CALL_TIMEOUT_MS, e->env->cancel, &resp, &rlen,
		               &st, err, sizeof(err)) == 0) {
			m = protobuf_c_message_unpack(rd, NULL, rlen, resp);
			if (!m)
				plog_warn(e->env->log, "containerd %s: undecodable answer to %s", e->socket, path);
			free(resp);
		} else {
			plog_debug(e->env->log, "containerd %s: %s", e->socket, err);
		}
		free(buf);
	}
	if (status)
		*status = st;
	return m;
}

/* ---- known containers ---- */

static char* key_of(const char* ns, const char* id)
{
	size_t n = strlen(ns) + strlen(id) + 2;
	char* k = malloc(n);
	if (k)
		snprintf(k, n, "%s/%s", ns, id);
	return k;
}

/* Reports r about ns/id, known kept in step (engine_report_known). */
static bool report(engine* e, const char* ns, const char* id, engine_report what,
                   const ctr_record* r)
{
	char* k = key_of(ns, id);
	bool ok = k ? engine_report_known(e, &priv(e)->known, k, what, r)
	            : engine_announce(e, what, r);
	free(k);
	return ok;
}

/* ---- containers → records ---- */

/* CRI-managed containers are the CRI worker's, unless that worker is disabled. */
static bool cri_owned(engine* e, const Ctrd__Container* c)
{
	return e->env->cfg->cri.enabled && containerd_label(c, CONTAINERD_CRI_KIND_LABEL) != NULL;
}

static ctr_record* build(engine* e, const char* ns, const Ctrd__Container* c)
{
	ctrd_engine* p = priv(e);
	containerd_extra x = {.image_digest = NULL, .image_size = 0, .sandbox = NULL};
	Ctrd__GetImageResponse* img = NULL;
	Ctrd__StoreGetResponse* sb = NULL;
	if (c->image && *c->image) {
		Ctrd__GetImageRequest req = CTRD__GET_IMAGE_REQUEST__INIT;
		req.name = c->image;
		img = (Ctrd__GetImageResponse*)call(e, M_IMAGE, ns, &req.base,
		                                    &ctrd__get_image_response__descriptor, NULL);
		if (img && img->image && img->image->target) {
			x.image_digest = img->image->target->digest;
			x.image_size = img->image->target->size;
		}
	}
	char* sid = p->no_store ? NULL : containerd_sandbox_id(c);
	if (sid && *sid) {
		Ctrd__StoreGetRequest req = CTRD__STORE_GET_REQUEST__INIT;
		int st;
		req.sandbox_id = sid;
		sb = (Ctrd__StoreGetResponse*)call(e, M_SANDBOX, ns, &req.base,
		                                   &ctrd__store_get_response__descriptor, &st);
		if (st == GRPC_UNIMPLEMENTED)
			p->no_store = true; /* containerd 1.6: never ask again */
		x.sandbox = sb ? sb->sandbox : NULL;
	}
	free(sid);
	containerd_map_opts o = {e->env->cfg->label_max_len, e->env->cfg->with_size};
	char err[512];
	ctr_record* r = containerd_record(c, &x, &o, err, sizeof(err));
	if (err[0])
		plog_warn(e->env->log, "containerd %s: %s", e->socket, err);
	if (img)
		protobuf_c_message_free_unpacked(&img->base, NULL);
	if (sb)
		protobuf_c_message_free_unpacked(&sb->base, NULL);
	return r;
}

/* Namespaces to look at (malloc'd names); -1 when containerd does not answer. */
static ssize_t namespaces(engine* e, char*** out)
{
	*out = NULL;
	Ctrd__ListNamespacesRequest req = CTRD__LIST_NAMESPACES_REQUEST__INIT;
	Ctrd__ListNamespacesResponse* r = (Ctrd__ListNamespacesResponse*)call(
	    e, M_NAMESPACES, NULL, &req.base, &ctrd__list_namespaces_response__descriptor, NULL);
	if (!r)
		return -1;
	size_t n = 0;
	char** names = calloc(r->n_namespaces ? r->n_namespaces : 1, sizeof(*names));
	for (size_t i = 0; names && i < r->n_namespaces; i++) {
		const char* name = r->namespaces[i] ? r->namespaces[i]->name : NULL;
		if (name && *name && strcmp(name, SKIPPED_NAMESPACE) && (names[n] = strdup(name)))
			n++;
	}
	protobuf_c_message_free_unpacked(&r->base, NULL);
	if (!names)
		return -1;
	*out = names;
	return (ssize_t)n;
}

static void names_free(char** names, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static Ctrd__ListContainersResponse* list(engine* e, const char* ns, const char* filter)
{
	Ctrd__ListContainersRequest req = CTRD__LIST_CONTAINERS_REQUEST__INIT;
	char* filters[1] = {(char*)filter};
	if (filter) {
		req.n_filters = 1;
		req.filters = filters;
	}
	return (Ctrd__ListContainersResponse*)call(e, M_LIST, ns, &req.base,
	                                           &ctrd__list_containers_response__descriptor, NULL);
}

static bool report_removed_key(engine* e, const char* key)
{
	const char* slash = strchr(key, '/');
	return engine_report_removed(e, CTR_TYPE_CONTAINERD, slash ? slash + 1 : key);
}

/*
 * Lists namespace NS into LISTED (its keys). all: reports every container;
 * otherwise only those not known yet. *total counts them; LOST gets the keys
 * whose event the host did not take.
 */
static int list_namespace(engine* e, const char* ns, bool all, idset* listed, idset* lost,
                          size_t* total)
{
	Ctrd__ListContainersResponse* l = list(e, ns, NULL);
	if (!l)
		return -1;
	for (size_t j = 0; j < l->n_containers; j++) {
		const Ctrd__Container* c = l->containers[j];
		if (!c || !c->id || !*c->id || cri_owned(e, c))
			continue;
		char* k = key_of(ns, c->id);
		bool is_new = k && !idset_get(&priv(e)->known, k, NULL);
		(*total)++;
		ctr_record* r = k && (all || is_new) ? build(e, ns, c) : NULL;
		if (k)
			idset_put(listed, k, 0);
		if (r && !engine_announce(e, ENGINE_REPORT_ADDED, r))
			idset_put(lost, k, 0);
		free(k);
		ctr_record_unref(r);
	}
	protobuf_c_message_free_unpacked(&l->base, NULL);
	return 0;
}

/*
 * Lists every namespace. all: report every container (attach); otherwise only
 * those not known yet (catch-up). Known containers that are gone are removed.
 */
static int relist(engine* e, bool all)
{
	char** names;
	ssize_t nn = namespaces(e, &names);
	if (nn < 0)
		return -1;
	idset listed, lost;
	idset_init(&listed);
	idset_init(&lost);
	size_t total = 0;
	int rc = 0;
	for (ssize_t i = 0; i < nn && rc == 0; i++)
		rc = list_namespace(e, names[i], all, &listed, &lost, &total);
	/* A partial listing proves nothing gone: keep what we knew for the next one. */
	if (rc == 0)
		engine_reconcile(e, &priv(e)->known, &listed, report_removed_key);
	engine_forget(&priv(e)->known, &lost); /* the next listing reports them again */
	idset_free(&lost);
	if (rc == 0 && all)
		plog_info(e->env->log, "containerd %s: %zu containers listed in %zd namespaces", e->socket,
		          total, nn);
	idset_free(&listed);
	names_free(names, nn);
	return rc;
}

/* The daemon's database, for the event thread's first look at a new container
 * (containerd_disk.h); found once per attach: the daemon may have restarted. */
static void publish_db(engine* e)
{
	if (!e->env->dbs)
		return;
	char proc[1024];
	snprintf(proc, sizeof(proc), "%s/proc", e->env->cfg->host_root ? e->env->cfg->host_root : "");
	char* db = containerd_disk_find_db(proc, e->socket);
	if (db)
		containerd_dbs_add(e->env->dbs, db);
	plog_debug(e->env->log, "containerd %s: database %s", e->socket, db ? db : "not found");
	free(db);
}

static int ctrd_attach(engine* e)
{
	Ctrd__Empty req = CTRD__EMPTY__INIT;
	Ctrd__VersionResponse* v = (Ctrd__VersionResponse*)call(
	    e, M_VERSION, NULL, &req.base, &ctrd__version_response__descriptor, NULL);
	if (!v)
		return -1;
	plog_debug(e->env->log, "containerd %s: version %s", e->socket, v->version);
	protobuf_c_message_free_unpacked(&v->base, NULL);
	int rc = relist(e, true);
	if (rc == 0)
		publish_db(e);
	return rc;
}

/* ---- events ---- */

static char* payload_id(const Ctrd__Any* ev, ev_kind kind, char** image)
{
	char* id = NULL;
	*image = NULL;
	if (!ev)
		return NULL;
	const uint8_t* d = ev->value.data;
	size_t n = ev->value.len;
	if (kind == EV_CREATE) {
		Ctrd__ContainerCreate* m = ctrd__container_create__unpack(NULL, n, d);
		if (m) {
			id = strdup(m->id);
			*image = strdup(m->image);
			ctrd__container_create__free_unpacked(m, NULL);
		}
	} else if (kind == EV_START) {
		Ctrd__TaskStart* m = ctrd__task_start__unpack(NULL, n, d);
		if (m) {
			id = strdup(m->container_id);
			ctrd__task_start__free_unpacked(m, NULL);
		}
	} else {
		Ctrd__ContainerDelete* m = ctrd__container_delete__unpack(NULL, n, d);
		if (m) {
			id = strdup(m->id);
			ctrd__container_delete__free_unpacked(m, NULL);
		}
	}
	return id;
}

/* One Envelope from the stream (inside curl's write callback: decode and queue only). */
static void on_envelope(void* arg, const uint8_t* msg, size_t len)
{
	engine* e = arg;
	ctrd_engine* p = priv(e);
	Ctrd__Envelope* env = ctrd__envelope__unpack(NULL, len, msg);
	if (!env)
		return;
	ev_kind kind;
	bool known_topic = true;
	if (!strcmp(env->topic, "/containers/create"))
		kind = EV_CREATE;
	else if (!strcmp(env->topic, "/tasks/start"))
		kind = EV_START;
	else if (!strcmp(env->topic, "/containers/delete"))
		kind = EV_DELETE;
	else
		known_topic = false, kind = EV_DELETE;
	if (known_topic && *env->namespace_ && strcmp(env->namespace_, SKIPPED_NAMESPACE)) {
		pending_ev* pe = engine_queue_slot(&p->events);
		if (pe) {
			pe->kind = kind;
			pe->id = payload_id(env->event, kind, &pe->image);
			pe->ns = strdup(env->namespace_);
			if (pe->id && *pe->id && pe->ns && strchr(pe->id, '/') == NULL) {
				engine_queue_commit(&p->events);
			} else {
				free(pe->id);
				free(pe->ns);
				free(pe->image);
			}
		}
	}
	ctrd__envelope__free_unpacked(env, NULL);
}

static engine_stream ctrd_open_stream(engine* e)
{
	ctrd_engine* p = priv(e);
	engine_stream s = {ENGINE_STREAM_FAILED, NULL, 0};
	char* filters[] = {"topic==\"/containers/create\"", "topic==\"/tasks/start\"",
	                   "topic==\"/containers/delete\""};
	Ctrd__SubscribeRequest req = CTRD__SUBSCRIBE_REQUEST__INIT;
	req.n_filters = sizeof(filters) / sizeof(*filters);
	req.filters = filters;
	size_t len = ctrd__subscribe_request__get_packed_size(&req);
	uint8_t* buf = malloc(len);
	if (!buf)
		return s;
	ctrd__subscribe_request__pack(&req, buf);
	bool ok = grpc_stream_open(&p->stream, e->socket, M_SUBSCRIBE, NULL, buf, len, on_envelope, e);
	free(buf);
	if (!ok) {
		grpc_stream_close(&p->stream);
		return s;
	}
	p->catchup = true;
	p->opened_ms = now_ms();
	return (engine_stream){ENGINE_STREAM_OPEN, p->stream.easy, 0};
}

static void ctrd_close_stream(engine* e)
{
	ctrd_engine* p = priv(e);
	if (p->stream.status != GRPC_STATUS_NONE && p->stream.status != GRPC_OK)
		plog_info(e->env->log, "containerd %s: subscription ended with grpc-status %d %s",
		          e->socket, p->stream.status, p->stream.message);
	grpc_stream_close(&p->stream);
	p->catchup = false;
}

/* Get by exact id in a namespace; NULL if unknown or CRI-owned (*skip set then). */
static ctr_record* get(engine* e, const char* ns, const char* id, bool* skip)
{
	*skip = false;
	Ctrd__GetContainerRequest req = CTRD__GET_CONTAINER_REQUEST__INIT;
	req.id = (char*)id;
	Ctrd__GetContainerResponse* g = (Ctrd__GetContainerResponse*)call(
	    e, M_GET, ns, &req.base, &ctrd__get_container_response__descriptor, NULL);
	ctr_record* r = NULL;
	if (g && g->container) {
		if (cri_owned(e, g->container))
			*skip = true;
		else
			r = build(e, ns, g->container);
	}
	if (g)
		protobuf_c_message_free_unpacked(&g->base, NULL);
	return r;
}

static void dispatch(engine* e, void* item)
{
	const pending_ev* ev = item;
	unsigned hooks = e->env->cfg->hooks;
	bool cri_ns = e->env->cfg->cri.enabled && !strcmp(ev->ns, CRI_NAMESPACE);
	if (ev->kind == EV_DELETE) {
		char* k = key_of(ev->ns, ev->id);
		ctr_record* r = inspect_minimal(CTR_TYPE_CONTAINERD, ev->id, "");
		/* An unknown container in k8s.io is the CRI worker's to remove. */
		if (r && k && (idset_get(&priv(e)->known, k, NULL) || !cri_ns))
			report(e, ev->ns, ev->id, ENGINE_REPORT_REMOVED, r);
		ctr_record_unref(r);
		free(k);
		return;
	}
	bool start = ev->kind == EV_START;
	if (!start && !(hooks & CONFIG_HOOK_CREATE))
		return;
	/* At start the record may be richer: without the start hook it is an update. */
	engine_report what =
	    start && !(hooks & CONFIG_HOOK_START) ? ENGINE_REPORT_UPDATED : ENGINE_REPORT_ADDED;
	bool skip;
	ctr_record* r = get(e, ev->ns, ev->id, &skip);
	if (!r && !skip && !cri_ns && what == ENGINE_REPORT_ADDED)
		r = inspect_minimal(CTR_TYPE_CONTAINERD, ev->id, ev->image ? ev->image : "");
	if (r)
		report(e, ev->ns, ev->id, what, r);
	ctr_record_unref(r);
}

static void pending_free(void* item)
{
	pending_ev* ev = item;
	free(ev->ns);
	free(ev->id);
	free(ev->image);
	memset(ev, 0, sizeof(*ev));
}

static void ctrd_process_events(engine* e)
{
	ctrd_engine* p = priv(e);
	bool lost = engine_queue_drain(&p->events, e, dispatch, pending_free);
	/* The subscription has no acknowledgement: once the request went out, list
	 * again for what happened between the attach listing and the subscription. */
	curl_off_t sent = 0;
	if (p->catchup && p->stream.easy && now_ms() - p->opened_ms >= CATCHUP_DELAY_MS &&
	    curl_easy_getinfo(p->stream.easy, CURLINFO_PRETRANSFER_TIME_T, &sent) == CURLE_OK &&
	    sent > 0) {
		p->catchup = false;
		relist(e, false);
	}
	if (lost) {
		plog_warn(e->env->log, "containerd: event burst over %d, re-listing", ENGINE_QUEUE_MAX);
		relist(e, false);
	}
}

static bool ctrd_lookup(engine* e, const char* id)
{
	ctr_record* found = NULL;
	ctr_record** out = &found;
	if (!ctr_id_safe(id))
		return false;
	char** names;
	ssize_t nn = namespaces(e, &names);
	e->call_failed |= nn < 0;
	char filter[160];
	snprintf(filter, sizeof(filter), "id~=^%s", id);
	for (ssize_t i = 0; i < nn && !*out; i++) {
		Ctrd__ListContainersResponse* l = list(e, names[i], filter);
		e->call_failed |= !l;
		for (size_t j = 0; l && j < l->n_containers && !*out; j++) {
			const Ctrd__Container* c = l->containers[j];
			if (!c || !c->id || cri_owned(e, c) || strncmp(c->id, id, strlen(id)))
				continue;
			if ((*out = build(e, names[i], c)) &&
			    !report(e, names[i], c->id, ENGINE_REPORT_ADDED, *out)) {
				ctr_record_unref(*out);
				*out = NULL;
			}
		}
		if (l)
			protobuf_c_message_free_unpacked(&l->base, NULL);
	}
	names_free(names, nn);
	bool ok = found != NULL;
	ctr_record_unref(found);
	return ok;
}

static void ctrd_destroy(engine* e)
{
	ctrd_engine* p = priv(e);
	engine_queue_free(&p->events, pending_free);
	grpc_stream_close(&p->stream);
	idset_free(&p->known);
	free(p);
}

static const engine_ops ctrd_ops = {
    .kind = "containerd",
    .attach = ctrd_attach,
    .open_stream = ctrd_open_stream,
    .close_stream = ctrd_close_stream,
    .process_events = ctrd_process_events,
    .lookup = ctrd_lookup,
    .destroy = ctrd_destroy,
};

engine* containerd_engine_new(const engine_env* env, const char* socket)
{
	ctrd_engine* p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->stream.status = GRPC_STATUS_NONE;
	engine_queue_init(&p->events, sizeof(pending_ev));
	engine* e = engine_new(&ctrd_ops, env, socket, p);
	if (!e)
		free(p);
	return e;
}
