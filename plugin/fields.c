/*
 * Fields (docs/architecture.md "Fields"): the definitions handed to the host as
 * JSON, and extraction. Extraction reads the cache and the thread table and
 * never mutates either; everything it returns points into records it holds a
 * reference to, so results stay valid until the next extraction (docs/abi.md "Extraction results").
 */
#include <fnmatch.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_state.h"
#include "scap_events.h"

enum field_id {
	F_ID, F_FULL_ID, F_NAME, F_IMAGE, F_IMAGE_ID, F_TYPE, F_PRIVILEGED, F_MOUNTS, F_MOUNT,
	F_MOUNT_SOURCE, F_MOUNT_DEST, F_MOUNT_MODE, F_MOUNT_RDWR, F_MOUNT_PROPAGATION,
	F_IMAGE_REPOSITORY, F_IMAGE_TAG, F_IMAGE_DIGEST, F_HEALTHCHECK, F_LIVENESS, F_READINESS,
	F_START_TS, F_DURATION, F_IP, F_CNI_JSON, F_HOST_PID, F_HOST_NETWORK, F_HOST_IPC, F_LABEL,
	F_LABELS, F_IS_HEALTHCHECK, F_IS_LIVENESS, F_IS_READINESS, F_K8S_POD_NAME, F_K8S_NS_NAME,
	F_K8S_POD_ID, F_K8S_POD_UID, F_K8S_SANDBOX_ID, F_K8S_FULL_SANDBOX_ID, F_K8S_POD_LABEL,
	F_K8S_POD_LABELS, F_K8S_POD_IP, F_K8S_POD_CNI_JSON, F_DEPRECATED_FIRST,
	F_COUNT = 61
};

typedef enum { ARG_NONE, ARG_KEY, ARG_INDEX_OR_KEY } arg_kind;

typedef struct field_def {
	const char* name;
	const char* display;
	const char* type;
	arg_kind arg;
	bool suggested;
	const char* desc;
} field_def;

#define MOUNT_SEL "; the argument is an index or a glob matched against the mount's "
static const field_def field_defs[F_COUNT] = {
    {"container.id", "Container ID", "string", ARG_NONE, true,
     "The truncated container ID (first 12 characters), e.g. 3ad7b26ded6d. Derived from the "
     "process cgroups, so it is available before metadata; 'host' for host processes."},
    {"container.full_id", "Container ID", "string", ARG_NONE, false,
     "The full container ID as the engine knows it; 'host' for host processes."},
    {"container.name", "Container Name", "string", ARG_NONE, true,
     "The container name; 'host' for host processes."},
    {"container.image", "Image Name", "string", ARG_NONE, false,
     "The container image reference, e.g. falcosecurity/falco:latest."},
    {"container.image.id", "Image ID", "string", ARG_NONE, false,
     "The container image id, e.g. 6f7e2741b66b."},
    {"container.type", "Type", "string", ARG_NONE, false,
     "The container type: docker, podman, cri, containerd, cri-o, lxc, libvirt-lxc, bpm, "
     "static or host."},
    {"container.privileged", "Privileged", "bool", ARG_NONE, false,
     "true for containers running as privileged."},
    {"container.mounts", "Mounts", "string", ARG_NONE, false,
     "All mounts, each source:dest:mode:rdwr:propagation, separated by commas."},
    {"container.mount", "Mount", "string", ARG_INDEX_OR_KEY, false,
     "Information about one mount, as source:dest:mode:rdwr:propagation" MOUNT_SEL "source."},
    {"container.mount.source", "Mount Source", "string", ARG_INDEX_OR_KEY, false,
     "The source of one mount" MOUNT_SEL "destination."},
    {"container.mount.dest", "Mount Destination", "string", ARG_INDEX_OR_KEY, false,
     "The destination of one mount" MOUNT_SEL "source."},
    {"container.mount.mode", "Mount Mode", "string", ARG_INDEX_OR_KEY, false,
     "The mode of one mount" MOUNT_SEL "source."},
    {"container.mount.rdwr", "Mount Read/Write", "string", ARG_INDEX_OR_KEY, false,
     "true or false: whether one mount is writable" MOUNT_SEL "source."},
    {"container.mount.propagation", "Mount Propagation", "string", ARG_INDEX_OR_KEY, false,
     "The propagation of one mount" MOUNT_SEL "source."},
    {"container.image.repository", "Repository", "string", ARG_NONE, true,
     "The container image repository (registry and path, without tag or digest)."},
    {"container.image.tag", "Image Tag", "string", ARG_NONE, true,
     "The container image tag, e.g. latest."},
    {"container.image.digest", "Registry Digest", "string", ARG_NONE, false,
     "The container image registry digest, e.g. sha256:d977378f89..."},
    {"container.healthcheck", "Health Check", "string", ARG_NONE, false,
     "The container's health check command line, or NONE when it has none."},
    {"container.liveness_probe", "Liveness", "string", ARG_NONE, false,
     "The container's Kubernetes liveness exec probe command line, or NONE."},
    {"container.readiness_probe", "Readiness", "string", ARG_NONE, false,
     "The container's Kubernetes readiness exec probe command line, or NONE."},
    {"container.start_ts", "Container Start", "abstime", ARG_NONE, false,
     "Start time of the container's pid namespace init, in nanoseconds since the epoch."},
    {"container.duration", "Container Duration", "reltime", ARG_NONE, false,
     "Nanoseconds since the container started (container.start_ts)."},
    {"container.ip", "Container ip address", "string", ARG_NONE, false,
     "The container's primary IPv4 address."},
    {"container.cni.json", "Container's / pod's CNI result json", "string", ARG_NONE, false,
     "The container's or pod's CNI result, as JSON text."},
    {"container.host_pid", "Host PID Namespace", "bool", ARG_NONE, false,
     "true if the container runs in the host PID namespace."},
    {"container.host_network", "Host Network Namespace", "bool", ARG_NONE, false,
     "true if the container runs in the host network namespace."},
    {"container.host_ipc", "Host IPC Namespace", "bool", ARG_NONE, false,
     "true if the container runs in the host IPC namespace."},
    {"container.label", "Container Label", "string", ARG_KEY, false,
     "The value of the container label given as argument, e.g. container.label[foo]."},
    {"container.labels", "Container Labels", "string", ARG_NONE, false,
     "The container labels as key:value items separated by ', '."},
    {"proc.is_container_healthcheck", "Process Is Container Healthcheck", "bool", ARG_NONE,
     false, "true if this process runs as the container's health check."},
    {"proc.is_container_liveness_probe", "Process Is Container Liveness", "bool", ARG_NONE, false,
     "true if this process runs as the container's Kubernetes liveness probe."},
    {"proc.is_container_readiness_probe", "Process Is Container Readiness", "bool", ARG_NONE,
     false, "true if this process runs as the container's Kubernetes readiness probe."},
    {"k8s.pod.name", "Pod Name", "string", ARG_NONE, true, "The Kubernetes pod name."},
    {"k8s.ns.name", "Namespace Name", "string", ARG_NONE, true,
     "The Kubernetes namespace name."},
    {"k8s.pod.id", "Legacy Pod UID", "string", ARG_NONE, false,
     "The Kubernetes pod UID (legacy name of k8s.pod.uid)."},
    {"k8s.pod.uid", "Pod UID", "string", ARG_NONE, false, "The Kubernetes pod UID."},
    {"k8s.pod.sandbox_id", "Pod / Sandbox ID", "string", ARG_NONE, false,
     "The truncated Kubernetes pod sandbox ID (first 12 characters)."},
    {"k8s.pod.full_sandbox_id", "Pod / Sandbox ID", "string", ARG_NONE, false,
     "The full Kubernetes pod sandbox ID."},
    {"k8s.pod.label", "Pod Label", "string", ARG_KEY, false,
     "The value of the pod label given as argument, e.g. k8s.pod.label[app]."},
    {"k8s.pod.labels", "Pod Labels", "string", ARG_NONE, false,
     "The pod labels as key:value items separated by ', '."},
    {"k8s.pod.ip", "Pod Ip", "string", ARG_NONE, false, "The pod's primary IPv4 address."},
    {"k8s.pod.cni.json", "Pod CNI result json", "string", ARG_NONE, false,
     "The pod's CNI result, as JSON text."},
#define DEPRECATED(n, d, a) {n, "[Deprecated] " d, "string", a, false, \
	"Deprecated: always empty. Use the k8smeta plugin."}
    DEPRECATED("k8s.rc.name", "Replication Controller Name", ARG_NONE),
    DEPRECATED("k8s.rc.id", "Replication Controller ID", ARG_NONE),
    DEPRECATED("k8s.rc.label", "Replication Controller Label", ARG_KEY),
    DEPRECATED("k8s.rc.labels", "Replication Controller Labels", ARG_NONE),
    DEPRECATED("k8s.svc.name", "Service Name", ARG_NONE),
    DEPRECATED("k8s.svc.id", "Service ID", ARG_NONE),
    DEPRECATED("k8s.svc.label", "Service Label", ARG_KEY),
    DEPRECATED("k8s.svc.labels", "Service Labels", ARG_NONE),
    DEPRECATED("k8s.ns.id", "Namespace ID", ARG_NONE),
    DEPRECATED("k8s.ns.label", "Namespace Label", ARG_KEY),
    DEPRECATED("k8s.ns.labels", "Namespace Labels", ARG_NONE),
    DEPRECATED("k8s.rs.name", "Replica Set Name", ARG_NONE),
    DEPRECATED("k8s.rs.id", "Replica Set ID", ARG_NONE),
    DEPRECATED("k8s.rs.label", "Replica Set Label", ARG_KEY),
    DEPRECATED("k8s.rs.labels", "Replica Set Labels", ARG_NONE),
    DEPRECATED("k8s.deployment.name", "Deployment Name", ARG_NONE),
    DEPRECATED("k8s.deployment.id", "Deployment ID", ARG_NONE),
    DEPRECATED("k8s.deployment.label", "Deployment Label", ARG_KEY),
    DEPRECATED("k8s.deployment.labels", "Deployment Labels", ARG_NONE),
#undef DEPRECATED
};

/* ---- the JSON for plugin_get_fields -------------------------------------- */

static pthread_once_t fields_once = PTHREAD_ONCE_INIT;
static char* fields_text; /* built once, immutable afterwards, shared by all instances */

static json_t* field_json(const field_def* f)
{
	json_t* o = json_pack("{s:s, s:s, s:s, s:s}", "name", f->name, "type", f->type, "desc",
	                      f->desc, "display", f->display);
	if (o && f->arg != ARG_NONE)
		json_object_set_new(o, "arg", json_pack("{s:b, s:b, s:b}", "isRequired", 1, "isKey", 1,
		                                        "isIndex", f->arg == ARG_INDEX_OR_KEY));
	if (o && f->suggested)
		json_object_set_new(o, "addOutput", json_true());
	return o;
}

static void build_fields_text(void)
{
	json_t* arr = json_array();
	for (size_t i = 0; arr && i < F_COUNT; i++)
		json_array_append_new(arr, field_json(&field_defs[i]));
	fields_text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
	json_decref(arr);
}

/* The library may be loaded and unloaded many times in one process. */
__attribute__((destructor)) static void free_fields_text(void)
{
	free(fields_text);
	fields_text = NULL;
}

const char* fields_json(void)
{
	pthread_once(&fields_once, build_fields_text);
	return fields_text ? fields_text : "[]";
}

/* ---- extraction ----------------------------------------------------------- */

/* What one extraction call works on (docs/architecture.md "Which record"). */
typedef struct xctx {
	plugin_state* s;
	const ss_plugin_table_reader_vtable_ext* r;
	const ss_plugin_event_input* ev;
	ss_plugin_table_entry_t* thread; /* NULL for container events */
	const char* cid;                 /* the thread's container_id */
	ctr_record* rec;                 /* NULL: container not (yet) known; see xrec */
	bool rec_done;                   /* rec was looked up */
	ctr_record* sandbox;             /* the pod sandbox record, looked up on demand */
	bool sandbox_done;
} xctx;

/* Per requested field: storage that outlives the call. */
typedef struct xslot {
	const char* str;
	uint64_t u64;
	ss_plugin_bool b;
	char* owned;
	char id[64]; /* a copy of the thread's container id */
} xslot;

struct xstore {
	xslot* slots;
	size_t cap;
	ctr_record* held[2]; /* records the results point into */
	/* The last field name checked: the host passes the same name string each time. */
	const char* valid_name;
	uint32_t valid_id;
};
typedef struct xstore xstore;

static bool is_container_async(const ss_plugin_event* evt)
{
	const char* name;
	return scap_event_param_str(evt, 1, &name, NULL) &&
	       (!strcmp(name, ASYNC_EVT_CONTAINER) || !strcmp(name, ASYNC_EVT_REMOVED) ||
	        !strcmp(name, ASYNC_EVT_UPDATED));
}

/* Asked on every extraction: the type alone answers for all but async events. */
static inline bool is_container_event(const ss_plugin_event* evt)
{
	switch (evt->type) {
	case PPME_CONTAINER_E:
	case PPME_CONTAINER_JSON_E:
	case PPME_CONTAINER_JSON_2_E: return true;
	case PPME_ASYNCEVENT_E: return is_container_async(evt);
	default: return false;
	}
}

static bool xctx_read(xctx* x, ss_plugin_table_field_t* f, ss_plugin_state_data* d)
{
	memset(d, 0, sizeof(*d));
	return x->thread && x->r->read_entry_field(x->s->th.table, x->thread, f, d) == SS_PLUGIN_SUCCESS;
}

/* Finds the event's container id; false when nothing can be extracted. */
static bool xctx_open(xctx* x)
{
	plugin_state* s = x->s;
	if (is_container_event(x->ev->evt) && s->last_rec && s->last_evtnum == x->ev->evtnum) {
		x->rec = s->last_rec;
		x->rec_done = true;
		x->cid = x->rec->id;
		return true;
	}
	ss_plugin_state_data key = {0};
	key.s64 = (int64_t)x->ev->evt->tid;
	x->thread = x->r->get_table_entry(s->th.table, &key);
	if (!x->thread)
		return false;
	ss_plugin_state_data d;
	x->cid = xctx_read(x, s->th.container_id, &d) && d.str ? d.str : "";
	return true;
}

/* The record of the event's container, looked up once and only for fields that need it
 * (container.id is the thread's id itself: the cache keys records by it). */
static ctr_record* xrec(xctx* x)
{
	if (!x->rec_done) {
		x->rec_done = true;
		x->rec = x->cid[0] ? containers_get(x->s, x->cid) : x->s->host_rec;
	}
	return x->rec;
}

static void xctx_close(xctx* x)
{
	if (x->thread)
		x->r->release_table_entry(x->s->th.table, x->thread);
}

static bool is_host(xctx* x)
{
	ctr_record* r = xrec(x);
	return r && r == x->s->host_rec;
}

static const ctr_record* sandbox_of(xctx* x)
{
	if (!x->sandbox_done) {
		x->sandbox_done = true;
		x->sandbox = containers_get(x->s, x->rec->short_sandbox_id);
		if (x->sandbox == x->rec || (x->sandbox && x->sandbox->type == CTR_TYPE_HOST))
			x->sandbox = NULL;
	}
	return x->sandbox;
}

/* Result setters: return 1 (one value) or 0 (no value, ∅). */
static int put_str(xslot* o, const char* v)
{
	if (!v)
		return 0;
	o->str = v;
	return 1;
}

static int put_copy(xslot* o, const char* v)
{
	free(o->owned);
	o->owned = strdup(v);
	return put_str(o, o->owned);
}

/* The container id, copied: the thread's string may change before the results are read. */
static int put_id(xslot* o, const char* id)
{
	size_t n = strlen(id);
	if (n >= sizeof(o->id))
		return put_copy(o, id);
	memcpy(o->id, id, n + 1);
	return put_str(o, o->id);
}

static int put_bool(xslot* o, bool v)
{
	o->b = v;
	return 1;
}

static int put_u64(xslot* o, uint64_t v)
{
	o->u64 = v;
	return 1;
}

/* ---- mounts (docs/architecture.md "Mount selection") ---- */

static bool index_arg(const ss_plugin_extract_field* f, uint64_t* idx)
{
	const char* a = f->arg_key;
	if (!a) {
		*idx = f->arg_index;
		return f->arg_present && f->arg_index != UINT64_MAX;
	}
	if (!a[0] || (a[0] == '0' && a[1]) || strspn(a, "0123456789") != strlen(a) || strlen(a) > 18)
		return false;
	*idx = strtoull(a, NULL, 10);
	return true;
}

/* Patterns whose only wildcard is '*' (the usual kind: a directory, then a
 * star): compared byte-wise, '*' crossing '/' as with fnmatch without flags,
 * they get fnmatch's answer without its locale and multibyte work, which
 * cost more than the rest of the extraction. */
static bool star_match(const char* p, const char* s)
{
	const char *star = NULL, *resume = NULL;
	while (*s) {
		if (*p == '*') {
			star = ++p;
			resume = s;
		} else if (*p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

static bool glob_match(const char* pattern, const char* s)
{
	if (!pattern[strcspn(pattern, "?[\\")])
		return star_match(pattern, s);
	return fnmatch(pattern, s, 0) == 0;
}

static const ctr_mount* select_mount(const ctr_record* r, const ss_plugin_extract_field* f,
                                     bool by_dest)
{
	uint64_t idx;
	if (index_arg(f, &idx))
		return idx < r->nmounts ? &r->mounts[idx] : NULL;
	if (!f->arg_key)
		return NULL;
	for (size_t i = 0; i < r->nmounts; i++)
		if (glob_match(f->arg_key, by_dest ? r->mounts[i].dest : r->mounts[i].source))
			return &r->mounts[i];
	return NULL;
}

static int extract_mount(const ctr_record* r, const ss_plugin_extract_field* f, xslot* o)
{
	const ctr_mount* m = select_mount(r, f, f->field_id == F_MOUNT_SOURCE);
	if (!m)
		return 0;
	switch (f->field_id) {
	case F_MOUNT: return put_str(o, m->formatted);
	case F_MOUNT_SOURCE: return put_str(o, m->source);
	case F_MOUNT_DEST: return put_str(o, m->dest);
	case F_MOUNT_MODE: return put_str(o, m->mode);
	case F_MOUNT_RDWR: return put_str(o, m->rw ? "true" : "false");
	default: return put_str(o, m->propagation);
	}
}

/* ---- k8s (docs/architecture.md "Kubernetes fields") ---- */

static const char* label_value(const ctr_kv* l, size_t n, const char* key)
{
	const ctr_kv* kv = key ? ctr_labels_find(l, n, key) : NULL;
	return kv ? kv->value : NULL;
}

/* k8s.pod.label/labels/ip/cni.json, with the sandbox fallback. */
static int extract_pod(xctx* x, const ss_plugin_extract_field* f, xslot* o)
{
	const ctr_record* r = x->rec;
	const ctr_record* sb = r->cni_json[0] ? NULL : sandbox_of(x);
	bool own = r->cni_json[0] != '\0';
	switch (f->field_id) {
	case F_K8S_POD_LABEL: {
		const char* v = sb ? label_value(sb->pod_sandbox_labels, sb->npod_sandbox_labels,
		                                 f->arg_key)
		                   : NULL;
		return put_str(o, v ? v : label_value(r->pod_sandbox_labels, r->npod_sandbox_labels,
		                                      f->arg_key));
	}
	case F_K8S_POD_LABELS: return put_str(o, sb ? sb->pod_labels_fmt : r->pod_labels_fmt);
	case F_K8S_POD_IP: return put_str(o, own ? r->ip : sb ? sb->ip : NULL);
	default: return put_str(o, own ? r->cni_json : sb ? sb->cni_json : NULL);
	}
}

static int extract_k8s(xctx* x, const ss_plugin_extract_field* f, xslot* o)
{
	const ctr_record* r = x->rec;
	switch (f->field_id) {
	case F_K8S_POD_NAME: return put_str(o, r->k8s_pod_name);
	case F_K8S_NS_NAME: return put_str(o, r->k8s_pod_namespace);
	case F_K8S_POD_ID:
	case F_K8S_POD_UID: return put_str(o, r->k8s_pod_uid);
	default: break;
	}
	/* Without a sandbox id the container is not a Kubernetes one: no value. */
	if (!r->pod_sandbox_id[0])
		return 0;
	if (f->field_id == F_K8S_SANDBOX_ID)
		return put_str(o, r->short_sandbox_id);
	if (f->field_id == F_K8S_FULL_SANDBOX_ID)
		return put_str(o, r->pod_sandbox_id);
	return extract_pod(x, f, o);
}

/* ---- per-thread fields ---- */

static uint64_t pidns_start(xctx* x)
{
	ss_plugin_state_data d;
	return xctx_read(x, x->s->th.pidns_init_start_ts, &d) ? d.u64 : 0;
}

static int extract_thread_field(xctx* x, const ss_plugin_extract_field* f, xslot* o)
{
	if (f->field_id == F_START_TS || f->field_id == F_DURATION) {
		uint64_t start = is_host(x) ? 0 : pidns_start(x);
		if (!start)
			return 0;
		if (f->field_id == F_START_TS)
			return put_u64(o, start);
		uint64_t ts = x->ev->evt->ts;
		return ts >= start ? put_u64(o, ts - start) : 0;
	}
	ss_plugin_state_data d;
	if (!xctx_read(x, x->s->th.category, &d))
		return 0;
	return put_bool(o, d.u16 == CATEGORY_HEALTHCHECK + (f->field_id - F_IS_HEALTHCHECK));
}

static int extract_probe(const ctr_record* r, int probe, xslot* o)
{
	const ctr_probe* p = &r->probes[probe];
	return put_str(o, p->present ? p->formatted : "NONE");
}

/* Fields that need a record (docs/architecture.md "Which record": no value without one). */
static int extract_record(xctx* x, const ss_plugin_extract_field* f, xslot* o)
{
	const ctr_record* r = x->rec;
	switch (f->field_id) {
	case F_FULL_ID: return put_str(o, r->full_id);
	case F_NAME: return put_str(o, r->name);
	case F_IMAGE: return put_str(o, r->image);
	case F_IMAGE_ID: return put_str(o, r->imageid);
	case F_TYPE: return put_str(o, ctr_type_name(r->type));
	case F_PRIVILEGED: return put_bool(o, r->privileged);
	case F_MOUNTS: return put_str(o, r->mounts_fmt);
	case F_IMAGE_REPOSITORY: return put_str(o, r->imagerepo);
	case F_IMAGE_TAG: return put_str(o, r->imagetag);
	case F_IMAGE_DIGEST: return put_str(o, r->imagedigest);
	case F_HEALTHCHECK:
	case F_LIVENESS:
	case F_READINESS: return is_host(x) ? 0 : extract_probe(r, f->field_id - F_HEALTHCHECK, o);
	case F_IP: return put_str(o, r->ip);
	case F_CNI_JSON: return put_str(o, r->cni_json);
	case F_HOST_PID: return put_bool(o, r->host_pid);
	case F_HOST_NETWORK: return put_bool(o, r->host_network);
	case F_HOST_IPC: return put_bool(o, r->host_ipc);
	case F_LABEL: return put_str(o, label_value(r->labels, r->nlabels, f->arg_key));
	case F_LABELS: return put_str(o, r->labels_fmt);
	default: break;
	}
	if (f->field_id >= F_MOUNT && f->field_id <= F_MOUNT_PROPAGATION)
		return extract_mount(r, f, o);
	if (f->field_id >= F_K8S_POD_NAME && f->field_id < F_DEPRECATED_FIRST)
		return is_host(x) ? 0 : extract_k8s(x, f, o);
	return 0;
}

static int extract_one(xctx* x, const ss_plugin_extract_field* f, xslot* o)
{
	uint32_t id = f->field_id;
	if (id >= F_DEPRECATED_FIRST)
		return 0;
	if (id == F_ID)
		return x->cid[0] ? put_id(o, x->cid) : put_str(o, "host");
	if (id == F_START_TS || id == F_DURATION || (id >= F_IS_HEALTHCHECK && id <= F_IS_READINESS))
		return extract_thread_field(x, f, o);
	if (xrec(x))
		return extract_record(x, f, o);
	return 0; /* container known by id only (no metadata yet, or no engine) */
}

/* Field ids are indexes in our JSON; check the name too in case a host re-orders. */
static bool field_valid(xstore* st, ss_plugin_extract_field* f)
{
	if (f->field && f->field == st->valid_name && f->field_id == st->valid_id)
		return true;
	if (f->field_id < F_COUNT && f->field && !strcmp(field_defs[f->field_id].name, f->field)) {
		st->valid_name = f->field;
		st->valid_id = f->field_id;
		return true;
	}
	for (uint32_t i = 0; f->field && i < F_COUNT; i++)
		if (!strcmp(field_defs[i].name, f->field)) {
			f->field_id = i;
			return true;
		}
	return false;
}

static void set_result(ss_plugin_extract_field* f, xslot* o, int n)
{
	f->res_len = (uint64_t)n;
	if (!n)
		return;
	if (f->ftype == FTYPE_STRING)
		f->res.str = &o->str;
	else if (f->ftype == FTYPE_BOOL)
		f->res.boolean = &o->b;
	else
		f->res.u64 = &o->u64;
}

static bool store_reserve(plugin_state* s, size_t n)
{
	xstore* st = s->xstore;
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st)
			return false;
		s->xstore = st;
	}
	if (n <= st->cap)
		return true;
	xslot* ns = realloc(st->slots, n * sizeof(*ns));
	if (!ns)
		return false;
	memset(ns + st->cap, 0, (n - st->cap) * sizeof(*ns));
	st->slots = ns;
	st->cap = n;
	return true;
}

/* Keeps the records the new results point into; drops those of the previous call. */
static void store_hold(xstore* st, ctr_record* a, ctr_record* b)
{
	if (st->held[0] == a && st->held[1] == b)
		return;
	ctr_record* old[2] = {st->held[0], st->held[1]};
	st->held[0] = a ? ctr_record_ref(a) : NULL;
	st->held[1] = b ? ctr_record_ref(b) : NULL;
	ctr_record_unref(old[0]);
	ctr_record_unref(old[1]);
}

void fields_store_free(plugin_state* s)
{
	xstore* st = s->xstore;
	if (!st)
		return;
	for (size_t i = 0; i < st->cap; i++)
		free(st->slots[i].owned);
	store_hold(st, NULL, NULL);
	free(st->slots);
	free(st);
	s->xstore = NULL;
}

/*
 * container.id alone, the field that outputs carry on every event: the
 * thread's id and nothing else (no record, no context). Same answer as the
 * general path; false when the request is anything else.
 */
static bool extract_id_only(plugin_state* s, xstore* st, const ss_plugin_event_input* ev,
                            const ss_plugin_field_extract_input* in)
{
	ss_plugin_extract_field* f = in->fields;
	const ss_plugin_table_reader_vtable_ext* r = in->table_reader_ext;
	if (in->num_fields != 1 || f->field_id != F_ID || f->field != st->valid_name ||
	    st->valid_id != F_ID || !r || is_container_event(ev->evt))
		return false;
	ss_plugin_state_data key = {.s64 = (int64_t)ev->evt->tid};
	ss_plugin_table_entry_t* e = r->get_table_entry(s->th.table, &key);
	int n = 0;
	if (e) {
		ss_plugin_state_data d = {0};
		const char* cid = r->read_entry_field(s->th.table, e, s->th.container_id, &d) ==
		                              SS_PLUGIN_SUCCESS && d.str ? d.str : "";
		n = cid[0] ? put_id(&st->slots[0], cid) : put_str(&st->slots[0], "host");
		r->release_table_entry(s->th.table, e);
	}
	set_result(f, &st->slots[0], n);
	store_hold(st, NULL, NULL);
	return true;
}

ss_plugin_rc fields_extract(plugin_state* s, const ss_plugin_event_input* ev,
                            const ss_plugin_field_extract_input* in)
{
	if (!store_reserve(s, in->num_fields)) {
		plugin_set_error(s, "out of memory");
		return SS_PLUGIN_FAILURE;
	}
	xstore* st = s->xstore;
	if (extract_id_only(s, st, ev, in))
		return SS_PLUGIN_SUCCESS;
	xctx x = {.s = s, .r = in->table_reader_ext, .ev = ev};
	bool ok = x.r && xctx_open(&x);
	for (uint32_t i = 0; i < in->num_fields; i++) {
		ss_plugin_extract_field* f = &in->fields[i];
		int n = ok && field_valid(st, f) ? extract_one(&x, f, &st->slots[i]) : 0;
		set_result(f, &st->slots[i], n);
	}
	store_hold(st, x.rec, x.sandbox);
	xctx_close(&x);
	return SS_PLUGIN_SUCCESS;
}
