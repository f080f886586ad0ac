/*
 * libFuzzer target: the protobuf answers of the containerd and CRI engines,
 * decoded with the generated protobuf-c unpackers and mapped to records the
 * way containerd.c and cri.c do on a response (containerd_map.c, cri_map.c).
 * Input layout:
 *
 *	byte 0   which answer (kind % K_COUNT, see the enum)
 *	byte 1   options: label_max_len, with_size, CRI runtime type
 *	the rest parts separated by SEP: the messages of one engine step (a
 *	         container and the image and sandbox fetched for it...), or for
 *	         the *_JSON kinds the JSON documents carried inside them
 *
 * Every record is checked (id is the short form of full_id, labels sorted
 * and unique) and must travel through the container JSON codec: encoded,
 * decoded back without a warning, with the same counts.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containerd.h"
#include "cri.h"
#include "ctr_build.h"
#include "ctr_id.h"
#include "ctr_json.h"
#include "inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#define SEP "\xff|SEP|\xff"
#define MAX_PARTS 5
#define ID64 "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
#define SB64 "63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a"

enum kind {
	K_CTRD_CONTAINER,  /* Container (one entry of a listing), no image/sandbox answers */
	K_CTRD_GET,        /* GetContainerResponse | GetImageResponse | StoreGetResponse */
	K_CTRD_LIST,       /* ListContainersResponse | ListNamespacesResponse | VersionResponse */
	K_CTRD_ENVELOPE,   /* Envelope (Events/Subscribe stream) */
	K_CTRD_SPEC_JSON,  /* spec JSON | image name | image digest | sandbox annotation key */
	K_CRI_CONTAINER,   /* ContainerStatusResponse | PodSandboxStatusResponse */
	K_CRI_SANDBOX,     /* PodSandboxStatusResponse */
	K_CRI_LISTS,       /* ListContainersResponse | ListPodSandboxResponse | VersionResponse |
	                      ContainerEventResponse */
	K_CRI_JSON,        /* container info | sandbox info | last-applied | image_ref | image */
	K_COUNT
};

static void fail(const char* what)
{
	fprintf(stderr, "fuzz_proto: %s\n", what);
	abort();
}

/* ---- input parts ---- */

typedef struct parts {
	char* p[MAX_PARTS]; /* exact-size heap copies plus a NUL (for the JSON kinds) */
	size_t len[MAX_PARTS];
	size_t n;
} parts;

static char* copy(const uint8_t* src, size_t n)
{
	char* b = malloc(n + 1);
	if (!b)
		abort();
	if (n)
		memcpy(b, src, n);
	b[n] = '\0';
	return b;
}

static void split(const uint8_t* d, size_t n, parts* out)
{
	const size_t sl = sizeof(SEP) - 1;
	out->n = 0;
	while (out->n < MAX_PARTS) {
		const uint8_t* s = out->n + 1 < MAX_PARTS ? memmem(d, n, SEP, sl) : NULL;
		size_t l = s ? (size_t)(s - d) : n;
		out->len[out->n] = l;
		out->p[out->n++] = copy(d, l);
		if (!s)
			break;
		d = s + sl;
		n -= l + sl;
	}
}

static void parts_free(parts* ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->p[i]);
}

/* Part i as protobuf bytes (empty when absent). */
static const uint8_t* pb(const parts* ps, size_t i, size_t* len)
{
	*len = i < ps->n ? ps->len[i] : 0;
	return i < ps->n ? (const uint8_t*)ps->p[i] : (const uint8_t*)"";
}

/* Part i as a C string, NULL when absent. */
static const char* text(const parts* ps, size_t i)
{
	return i < ps->n ? ps->p[i] : NULL;
}

/* ---- record checks ---- */

static bool utf8_ok(const char* s)
{
	json_t* j = json_string(s ? s : "");
	json_decref(j);
	return j != NULL;
}

static bool keys_ok(const ctr_kv* kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!kv[i].key || !kv[i].value || strlen(kv[i].value) != kv[i].value_len)
			fail("label without key or value, or value_len wrong");
		if (i && strcmp(kv[i - 1].key, kv[i].key) >= 0)
			fail("labels not sorted or with a duplicate key");
	}
	for (size_t i = 0; i < n; i++)
		if (!utf8_ok(kv[i].key))
			return false;
	return true;
}

static void check_travel(const ctr_record* r)
{
	char* t = ctr_json_encode(r);
	if (!t)
		fail("ctr_json_encode failed");
	if (strlen(t) > CTR_RECORD_BUDGET)
		fail("record over its budget");
	char err[256];
	ctr_record* b = ctr_json_decode(t, strlen(t), err, sizeof(err));
	if (!b)
		fail("encoded record does not decode");
	if (err[0])
		fail("encoded record decodes with a warning");
	if (b->type != r->type || b->nenv != r->nenv || b->nmounts != r->nmounts ||
	    b->nports != r->nports || b->is_pod_sandbox != r->is_pod_sandbox ||
	    b->privileged != r->privileged || b->size != r->size ||
	    b->created_time != r->created_time || b->cpu_shares != r->cpu_shares)
		fail("record changed through ctr_json");
	/* Keys of invalid UTF-8 are repaired by the encoder and may then collide. */
	if (keys_ok(r->labels, r->nlabels) && b->nlabels != r->nlabels)
		fail("label count changed through ctr_json");
	if (keys_ok(r->pod_sandbox_labels, r->npod_sandbox_labels) &&
	    b->npod_sandbox_labels != r->npod_sandbox_labels)
		fail("pod label count changed through ctr_json");
	if (utf8_ok(r->full_id) && strcmp(b->full_id, r->full_id))
		fail("full_id changed through ctr_json");
	if (utf8_ok(r->id) && strcmp(b->id, r->id))
		fail("id changed through ctr_json");
	for (int i = 0; i < CTR_PROBE_COUNT; i++)
		if (b->probes[i].present != r->probes[i].present ||
		    b->probes[i].nargs != r->probes[i].nargs)
			fail("probe changed through ctr_json");
	ctr_record_unref(b);
	free(t);
}

/* r may be NULL (then err says why); it is consumed. */
static void check_record(ctr_record* r, uint32_t type, const char* err)
{
	if (!r) {
		if (err && !err[0])
			fail("no record and no reason");
		return;
	}
	if (r->type != type)
		fail("record type");
	if (!ctr_id_safe(r->full_id))
		fail("record with an id the sanitizer refuses");
	if (!r->full_id[0] || strncmp(r->id, r->full_id, CTR_SHORT_ID_LEN) ||
	    strlen(r->id) != strnlen(r->full_id, CTR_SHORT_ID_LEN))
		fail("id is not the short form of full_id");
	if (r->pod_sandbox_id && strncmp(r->short_sandbox_id, r->pod_sandbox_id, CTR_SHORT_ID_LEN))
		fail("short sandbox id");
	keys_ok(r->labels, r->nlabels);
	keys_ok(r->pod_sandbox_labels, r->npod_sandbox_labels);
	for (size_t i = 0; i < r->nmounts; i++)
		if (!r->mounts[i].source || !r->mounts[i].dest || !r->mounts[i].mode ||
		    !r->mounts[i].propagation)
			fail("mount with a NULL member");
	for (size_t i = 0; i < r->nenv; i++)
		if (!r->env[i])
			fail("NULL env entry");
	check_travel(r);
	ctr_record_unref(r);
}

/* ---- containerd ---- */

typedef struct opts {
	int64_t label_max_len;
	bool with_size;
	uint32_t cri_type;
} opts;

/* containerd.c build(): the container with whatever image/sandbox answers came. */
static void ctrd_build(const Ctrd__Container* c, const Ctrd__GetImageResponse* img,
                       const Ctrd__StoreGetResponse* sb, const opts* op)
{
	containerd_extra x = {.image_digest = NULL, .image_size = 0, .sandbox = NULL};
	if (c->image && *c->image && img && img->image && img->image->target) {
		x.image_digest = img->image->target->digest;
		x.image_size = img->image->target->size;
	}
	char* sid = containerd_sandbox_id(c);
	if (!sid)
		fail("containerd_sandbox_id: NULL");
	if (*sid && sb)
		x.sandbox = sb->sandbox;
	free(sid);
	(void)containerd_label(c, CONTAINERD_CRI_KIND_LABEL);
	containerd_map_opts o = {op->label_max_len, op->with_size};
	char err[512];
	ctr_record* r = containerd_record(c, &x, &o, err, sizeof(err));
	if (!r && ctr_id_safe(c->id))
		fail("containerd_record refused a container with a safe id");
	if (r && !op->with_size && r->size != -1)
		fail("size without with_size");
	check_record(r, CTR_TYPE_CONTAINERD, err);
	/* Without extra answers and options, like a lookup on a bare listing. */
	r = containerd_record(c, NULL, NULL, err, sizeof(err));
	check_record(r, CTR_TYPE_CONTAINERD, err);
}

static void ctrd_container(const parts* ps, const opts* op)
{
	size_t n;
	const uint8_t* d = pb(ps, 0, &n);
	Ctrd__Container* c = ctrd__container__unpack(NULL, n, d);
	if (!c)
		return;
	ctrd_build(c, NULL, NULL, op);
	ctrd__container__free_unpacked(c, NULL);
}

static void ctrd_get(const parts* ps, const opts* op)
{
	size_t n;
	const uint8_t* d = pb(ps, 0, &n);
	Ctrd__GetContainerResponse* g = ctrd__get_container_response__unpack(NULL, n, d);
	if (!g)
		return;
	d = pb(ps, 1, &n);
	Ctrd__GetImageResponse* img = ps->n > 1 ? ctrd__get_image_response__unpack(NULL, n, d) : NULL;
	d = pb(ps, 2, &n);
	Ctrd__StoreGetResponse* sb = ps->n > 2 ? ctrd__store_get_response__unpack(NULL, n, d) : NULL;
	if (g->container)
		ctrd_build(g->container, img, sb, op);
	if (img)
		ctrd__get_image_response__free_unpacked(img, NULL);
	if (sb)
		ctrd__store_get_response__free_unpacked(sb, NULL);
	ctrd__get_container_response__free_unpacked(g, NULL);
}

static void ctrd_list(const parts* ps, const opts* op)
{
	size_t n;
	const uint8_t* d = pb(ps, 0, &n);
	Ctrd__ListContainersResponse* l = ctrd__list_containers_response__unpack(NULL, n, d);
	for (size_t i = 0; l && i < l->n_containers; i++) {
		const Ctrd__Container* c = l->containers[i];
		if (c && c->id && *c->id)
			ctrd_build(c, NULL, NULL, op);
	}
	if (l)
		ctrd__list_containers_response__free_unpacked(l, NULL);
	d = pb(ps, 1, &n);
	Ctrd__ListNamespacesResponse* ns =
	    ps->n > 1 ? ctrd__list_namespaces_response__unpack(NULL, n, d) : NULL;
	for (size_t i = 0; ns && i < ns->n_namespaces; i++)
		if (ns->namespaces[i] && !ns->namespaces[i]->name)
			fail("namespace without a name");
	if (ns)
		ctrd__list_namespaces_response__free_unpacked(ns, NULL);
	d = pb(ps, 2, &n);
	Ctrd__VersionResponse* v = ps->n > 2 ? ctrd__version_response__unpack(NULL, n, d) : NULL;
	if (v && !v->version)
		fail("version without a string");
	if (v)
		ctrd__version_response__free_unpacked(v, NULL);
}

/* containerd.c payload_id() + dispatch() when Containers/Get has nothing. */
static void ctrd_event(const Ctrd__Envelope* env)
{
	if (!env->topic || !env->namespace_)
		fail("envelope strings NULL");
	const Ctrd__Any* ev = env->event;
	if (!ev)
		return;
	const uint8_t* d = ev->value.data;
	size_t n = ev->value.len;
	char *id = NULL, *image = NULL;
	if (!strcmp(env->topic, "/containers/create")) {
		Ctrd__ContainerCreate* m = ctrd__container_create__unpack(NULL, n, d);
		if (m) {
			id = strdup(m->id);
			image = strdup(m->image);
			ctrd__container_create__free_unpacked(m, NULL);
		}
	} else if (!strcmp(env->topic, "/tasks/start")) {
		Ctrd__TaskStart* m = ctrd__task_start__unpack(NULL, n, d);
		if (m) {
			id = strdup(m->container_id);
			ctrd__task_start__free_unpacked(m, NULL);
		}
	} else if (!strcmp(env->topic, "/containers/delete")) {
		Ctrd__ContainerDelete* m = ctrd__container_delete__unpack(NULL, n, d);
		if (m) {
			id = strdup(m->id);
			ctrd__container_delete__free_unpacked(m, NULL);
		}
	}
	if (ctr_id_safe(id)) {
		ctr_record* r = inspect_minimal(CTR_TYPE_CONTAINERD, id, image ? image : "");
		if (!r)
			fail("inspect_minimal refused an event id the engine accepts");
		check_record(r, CTR_TYPE_CONTAINERD, NULL);
	}
	free(id);
	free(image);
}

static void ctrd_envelope(const parts* ps)
{
	size_t n;
	const uint8_t* d = pb(ps, 0, &n);
	Ctrd__Envelope* env = ctrd__envelope__unpack(NULL, n, d);
	if (!env)
		return;
	ctrd_event(env);
	ctrd__envelope__free_unpacked(env, NULL);
}

/* The JSON inside Container.spec, and the image strings, without protobuf around them. */
static void ctrd_spec_json(const parts* ps, const opts* op)
{
	Ctrd__Container c = CTRD__CONTAINER__INIT;
	Ctrd__Any spec = CTRD__ANY__INIT;
	Ctrd__Timestamp ts = CTRD__TIMESTAMP__INIT;
	c.id = ID64;
	c.image = (char*)(ps->n > 1 ? text(ps, 1) : "docker.io/library/busybox:latest");
	spec.value.data = (uint8_t*)ps->p[0];
	spec.value.len = ps->len[0];
	c.spec = &spec;
	ts.seconds = 1717000000;
	c.created_at = &ts;
	Ctrd__GetImageResponse img = CTRD__GET_IMAGE_RESPONSE__INIT;
	Ctrd__Image im = CTRD__IMAGE__INIT;
	Ctrd__Descriptor desc = CTRD__DESCRIPTOR__INIT;
	desc.digest = (char*)(ps->n > 2 ? text(ps, 2) : "");
	desc.size = 12345;
	im.target = &desc;
	img.image = &im;
	ctrd_build(&c, &img, NULL, op);

	/* The spec applied alone to a fresh record, as containerd_record does. */
	ctr_build b;
	if (!ctr_build_start(&b, CTR_TYPE_CONTAINERD, 100))
		abort();
	char err[256] = "";
	bool ok = containerd_apply_spec(&b, ps->p[0], ps->len[0], err, sizeof(err));
	if (!ok && !err[0])
		fail("containerd_apply_spec failed without a reason");
	ctr_build_abort(&b);
}

/* ---- CRI ---- */

static void cri_status_pair(const Cri__ContainerStatusResponse* cs,
                            const Cri__PodSandboxStatusResponse* ss, const opts* op)
{
	const char* info = cri_info_container(cs);
	char* sid = cri_info_sandbox_id(info);
	if (sid && !*sid)
		fail("cri_info_sandbox_id: empty id");
	free(sid);
	cri_map_opts o = {op->cri_type, op->label_max_len, op->with_size ? 4096 : -1};
	char err[256];
	ctr_record* r = cri_container_record(cs->status, info, ss ? ss->status : NULL,
	                                     cri_info_sandbox(ss), &o, err, sizeof(err));
	if (!r && ctr_id_safe(cs->status->id))
		fail("cri_container_record refused a status with a safe id");
	check_record(r, op->cri_type, err);
}

static void cri_container(const parts* ps, const opts* op)
{
	size_t n;
	const uint8_t* d = pb(ps, 0, &n);
	Cri__ContainerStatusResponse* cs = cri__container_status_response__unpack(NULL, n, d);
	if (!cs)
		return;
	d = pb(ps, 1, &n);
	Cri__PodSandboxStatusResponse* ss =
	    ps->n > 1 ? cri__pod_sandbox_status_response__unpack(NULL, n, d) : NULL;
	if (cs->status)
		cri_status_pair(cs, ss, op);
	if (ss)
		cri__pod_sandbox_status_response__free_unpacked(ss, NULL);
	cri__container_status_response__free_unpacked(cs, NULL);
}

static void cri_sandbox_status(const Cri__PodSandboxStatus* sb, const char* sb_info,
                               const opts* op)
{
	cri_map_opts o = {op->cri_type, op->label_max_len, -1};
	char err[256];
	ctr_record* r = cri_sandbox_record(sb, sb_info, &o, err, sizeof(err));
	if (!r && ctr_id_safe(sb->id))
		fail("cri_sandbox_record refused a status with a safe id");
	if (r && !r->is_pod_sandbox)
		fail("sandbox record not marked as such");
	check_record(r, op->cri_type, err);
}

static void cri_sandbox(const parts* ps, const opts* op)
{
	size_t n;
	const uint8_t* d = pb(ps, 0, &n);
	Cri__PodSandboxStatusResponse* ss = cri__pod_sandbox_status_response__unpack(NULL, n, d);
	if (!ss)
		return;
	if (ss->status)
		cri_sandbox_status(ss->status, cri_info_sandbox(ss), op);
	cri__pod_sandbox_status_response__free_unpacked(ss, NULL);
}

/* What relist()/cri_lookup()/on_event() read of a listing: ids, for removals. */
static void cri_removed(uint32_t type, const char* id)
{
	if (!id || !*id)
		return;
	ctr_record* r = inspect_minimal(type, id, "");
	if (!r && ctr_id_safe(id))
		fail("inspect_minimal refused a CRI id");
	check_record(r, type, NULL);
}

static void cri_lists(const parts* ps, const opts* op)
{
	size_t n;
	const uint8_t* d = pb(ps, 2, &n);
	Cri__VersionResponse* v = ps->n > 2 ? cri__version_response__unpack(NULL, n, d) : NULL;
	uint32_t type = v ? cri_runtime_type(v->runtime_name) : op->cri_type;
	if (type != CTR_TYPE_CRI && type != CTR_TYPE_CONTAINERD && type != CTR_TYPE_CRIO)
		fail("cri_runtime_type");
	if (v)
		cri__version_response__free_unpacked(v, NULL);
	d = pb(ps, 0, &n);
	Cri__ListContainersResponse* lc = cri__list_containers_response__unpack(NULL, n, d);
	for (size_t i = 0; lc && i < lc->n_containers; i++)
		if (lc->containers[i])
			cri_removed(type, lc->containers[i]->id);
	if (lc)
		cri__list_containers_response__free_unpacked(lc, NULL);
	d = pb(ps, 1, &n);
	Cri__ListPodSandboxResponse* ls =
	    ps->n > 1 ? cri__list_pod_sandbox_response__unpack(NULL, n, d) : NULL;
	for (size_t i = 0; ls && i < ls->n_items; i++)
		if (ls->items[i])
			cri_removed(type, ls->items[i]->id);
	if (ls)
		cri__list_pod_sandbox_response__free_unpacked(ls, NULL);
	d = pb(ps, 3, &n);
	Cri__ContainerEventResponse* ev =
	    ps->n > 3 ? cri__container_event_response__unpack(NULL, n, d) : NULL;
	if (ev)
		cri_removed(type, ev->container_id);
	if (ev)
		cri__container_event_response__free_unpacked(ev, NULL);
}

static void check_image(const char* image_ref, const char* status_image, const char* info)
{
	char *image, *repo, *tag, *digest;
	if (!cri_image(image_ref, status_image, info, &image, &repo, &tag, &digest))
		fail("cri_image failed (OOM?)");
	if (*digest && strncmp(digest, "sha256:", 7))
		fail("cri_image: digest without sha256:");
	free(image);
	free(repo);
	free(tag);
	free(digest);
}

/* The verbose info documents and the probes annotation, around fixed statuses. */
static void cri_json(const parts* ps, const opts* op)
{
	const char* info = text(ps, 0);
	const char* sb_info = text(ps, 1);
	Cri__ContainerStatus st = CRI__CONTAINER_STATUS__INIT;
	Cri__ContainerMetadata md = CRI__CONTAINER_METADATA__INIT;
	Cri__ImageSpec is = CRI__IMAGE_SPEC__INIT;
	st.id = ID64;
	md.name = "busybox";
	st.metadata = &md;
	is.image = (char*)(ps->n > 4 ? text(ps, 4) : "docker.io/library/busybox:latest");
	st.image = &is;
	st.image_ref = (char*)(ps->n > 3 ? text(ps, 3) : "");
	Cri__PodSandboxStatus sb = CRI__POD_SANDBOX_STATUS__INIT;
	Cri__PodSandboxStatus__AnnotationsEntry a = CRI__POD_SANDBOX_STATUS__ANNOTATIONS_ENTRY__INIT;
	Cri__PodSandboxStatus__AnnotationsEntry* ann[] = {&a};
	sb.id = SB64;
	a.key = "kubectl.kubernetes.io/last-applied-configuration";
	a.value = (char*)(ps->n > 2 ? text(ps, 2) : "");
	sb.n_annotations = 1;
	sb.annotations = ann;

	cri_map_opts o = {op->cri_type, op->label_max_len, -1};
	char err[256];
	ctr_record* r = cri_container_record(&st, info, &sb, sb_info, &o, err, sizeof(err));
	if (!r)
		fail("cri_container_record refused a fixed status");
	check_record(r, op->cri_type, err);
	cri_sandbox_status(&sb, sb_info, op);

	char* cni = cri_cni_json(sb_info);
	if (!cni)
		fail("cri_cni_json: NULL (OOM?)");
	if (strlen(cni) > CRI_CNI_JSON_MAX)
		fail("cri_cni_json over its cap");
	free(cni);
	free(cri_info_sandbox_id(info));
	check_image(st.image_ref, is.image, info);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	if (size < 2)
		return 0;
	static const int64_t label_max[] = {100, 0, -1, 8};
	static const uint32_t cri_types[] = {CTR_TYPE_CRI, CTR_TYPE_CONTAINERD, CTR_TYPE_CRIO,
	                                     CTR_TYPE_CONTAINERD};
	opts op = {.label_max_len = label_max[data[1] & 3],
	           .with_size = (data[1] >> 2) & 1,
	           .cri_type = cri_types[(data[1] >> 3) & 3]};
	parts ps;
	split(data + 2, size - 2, &ps);
	switch (data[0] % K_COUNT) {
	case K_CTRD_CONTAINER: ctrd_container(&ps, &op); break;
	case K_CTRD_GET: ctrd_get(&ps, &op); break;
	case K_CTRD_LIST: ctrd_list(&ps, &op); break;
	case K_CTRD_ENVELOPE: ctrd_envelope(&ps); break;
	case K_CTRD_SPEC_JSON: ctrd_spec_json(&ps, &op); break;
	case K_CRI_CONTAINER: cri_container(&ps, &op); break;
	case K_CRI_SANDBOX: cri_sandbox(&ps, &op); break;
	case K_CRI_LISTS: cri_lists(&ps, &op); break;
	case K_CRI_JSON: cri_json(&ps, &op); break;
	}
	parts_free(&ps);
	return 0;
}
