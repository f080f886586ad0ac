/*
 * Container records: construction, reference counting, derived strings and
 * the image-reference splitters.
 *
 * Ownership: a record owns every string and array it points to, except the
 * k8s_* pointers (they point into its own labels) and strings equal to
 * `no_text`: a shared static "" for every empty string member and derived
 * string, because a typical record has several empty members and each
 * strdup("") costs a 32-byte heap chunk (memory per container is budgeted).
 * Hence string members are only ever replaced through ctr_str_set() and freed
 * in this file, never written in place.
 */
#include "ctr_record.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static char no_text[1];

/* The plain string members; each must be non-NULL after construction. */
static const size_t string_members[] = {
	offsetof(ctr_record, id),
	offsetof(ctr_record, full_id),
	offsetof(ctr_record, name),
	offsetof(ctr_record, image),
	offsetof(ctr_record, imageid),
	offsetof(ctr_record, imagerepo),
	offsetof(ctr_record, imagetag),
	offsetof(ctr_record, imagedigest),
	offsetof(ctr_record, user),
	offsetof(ctr_record, ip),
	offsetof(ctr_record, cni_json),
	offsetof(ctr_record, pod_sandbox_id),
	offsetof(ctr_record, mesos_task_id),
};

#define NMEMBERS (sizeof(string_members) / sizeof(string_members[0]))

static char** member(ctr_record* r, size_t i)
{
	return (char**)((char*)r + string_members[i]);
}

static void free_text(char* s)
{
	if (s != no_text)
		free(s);
}

static void free_derived(char** s)
{
	free_text(*s);
	*s = no_text;
}

static void free_kvs(ctr_kv* kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static void free_probe(ctr_probe* p)
{
	free(p->exe);
	for (size_t i = 0; i < p->nargs; i++)
		free(p->args[i]);
	free(p->args);
	free_text(p->formatted);
	memset(p, 0, sizeof(*p));
}

static void record_free(ctr_record* r)
{
	for (size_t i = 0; i < NMEMBERS; i++)
		free_text(*member(r, i));
	free_kvs(r->labels, r->nlabels);
	free_kvs(r->pod_sandbox_labels, r->npod_sandbox_labels);
	for (size_t i = 0; i < r->nenv; i++)
		free(r->env[i]);
	free(r->env);
	for (size_t i = 0; i < r->nmounts; i++) {
		ctr_mount* m = &r->mounts[i];
		free_text(m->source);
		free_text(m->dest);
		free_text(m->mode);
		free_text(m->propagation);
		free_text(m->formatted);
	}
	free(r->mounts);
	free(r->ports);
	for (int i = 0; i < CTR_PROBE_COUNT; i++)
		free_probe(&r->probes[i]);
	free_derived(&r->labels_fmt);
	free_derived(&r->pod_labels_fmt);
	free_derived(&r->mounts_fmt);
	free_derived(&r->short_sandbox_id);
	free(r);
}

ctr_record* ctr_record_new(void)
{
	ctr_record* r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->refs = 1;
	r->type = CTR_TYPE_UNKNOWN;
	r->size = -1;
	r->labels_fmt = r->pod_labels_fmt = r->mounts_fmt = r->short_sandbox_id = no_text;
	for (size_t i = 0; i < NMEMBERS; i++)
		*member(r, i) = no_text;
	return r;
}

/* Defaults engines write for records they build themselves
 * (docs/container-json.md "Built records"). */
static ctr_record* new_built(uint32_t type, const char* id, const char* name)
{
	ctr_record* r = ctr_record_new();
	if (!r)
		return NULL;
	r->type = type;
	r->cpu_period = 100000;
	r->cpu_shares = 1024;
	if (!ctr_str_set(&r->id, id) || !ctr_str_set(&r->name, name)) {
		record_free(r);
		return NULL;
	}
	return r;
}

ctr_record* ctr_record_new_host(void)
{
	ctr_record* r = new_built(CTR_TYPE_HOST, "host", "host");
	if (r && !ctr_str_set(&r->full_id, "host")) {
		record_free(r);
		return NULL;
	}
	return r;
}

ctr_record* ctr_record_new_matcher(uint32_t type, const char* id)
{
	return new_built(type, id, id);
}

ctr_record* ctr_record_new_static(const char* id, const char* name, const char* image)
{
	ctr_record* r = new_built(CTR_TYPE_STATIC, id, name);
	if (!r)
		return NULL;
	char *repo, *tag, *digest;
	if (!ctr_str_set(&r->image, image) ||
	    !ctr_image_split_legacy(image, &repo, &tag, &digest)) {
		record_free(r);
		return NULL;
	}
	bool ok = ctr_str_set(&r->imagerepo, repo) && ctr_str_set(&r->imagetag, tag) &&
	          ctr_str_set(&r->imagedigest, digest);
	free(repo);
	free(tag);
	free(digest);
	if (!ok) {
		record_free(r);
		return NULL;
	}
	return r;
}

ctr_record* ctr_record_ref(ctr_record* r)
{
	if (r)
		r->refs++;
	return r;
}

void ctr_record_unref(ctr_record* r)
{
	if (r && --r->refs == 0)
		record_free(r);
}

bool ctr_str_set(char** dst, const char* src)
{
	char* copy = src && src[0] ? strdup(src) : no_text;
	if (!copy)
		return false;
	free_text(*dst);
	*dst = copy;
	return true;
}

void ctr_str_take(char** dst, char* src)
{
	free_text(*dst);
	if (src && !src[0]) {
		free(src);
		src = no_text;
	}
	*dst = src ? src : no_text;
}

/* ---- derived strings ---------------------------------------------------- */

/* A growable text buffer; `ok` turns false on the first allocation failure. */
typedef struct strbuf {
	char* p;
	size_t len, cap;
	bool ok;
} strbuf;

static void sb_add(strbuf* b, const char* s, size_t n)
{
	if (!b->ok)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char* p = realloc(b->p, cap);
		if (!p) {
			b->ok = false;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_adds(strbuf* b, const char* s)
{
	sb_add(b, s, strlen(s));
}

/* The finished text, owned by the caller: the static "" when empty or on OOM. */
static char* sb_finish(strbuf* b)
{
	char* text = no_text;
	if (b->ok && b->len) {
		/* Drop the slack: records live long and memory is budgeted. */
		char* p = realloc(b->p, b->len + 1);
		text = p ? p : b->p;
	} else {
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
	return text;
}

/* Replaces the derived string *dst with the buffer's text. */
static void sb_take(strbuf* b, char** dst)
{
	free_derived(dst);
	*dst = sb_finish(b);
}

static int kv_cmp(const void* a, const void* b)
{
	return strcmp(((const ctr_kv*)a)->key, ((const ctr_kv*)b)->key);
}

/* Stable bottom-up merge sort by key (qsort is not stable; "last wins" needs it). */
static bool kv_sort_stable(ctr_kv* kv, size_t n)
{
	ctr_kv* tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return false;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n - w; lo += 2 * w) {
			size_t mid = lo + w, hi = mid + w < n ? mid + w : n, i = lo, j = mid, o = lo;
			while (i < mid && j < hi)
				tmp[o++] = kv_cmp(&kv[j], &kv[i]) < 0 ? kv[j++] : kv[i++];
			while (i < mid)
				tmp[o++] = kv[i++];
			while (j < hi)
				tmp[o++] = kv[j++];
			memcpy(kv + lo, tmp + lo, (hi - lo) * sizeof(*kv));
		}
	}
	free(tmp);
	return true;
}

/*
 * Sorts labels by key and keeps one entry per key: the one added last, as a
 * protobuf map on the wire or an engine overriding a label means it. Engines
 * just append, so a hostile map of many labels costs n log n, not n².
 */
static void kv_sort_unique(ctr_kv* kv, size_t* n)
{
	if (*n < 2)
		return;
	if (!kv_sort_stable(kv, *n))
		qsort(kv, *n, sizeof(*kv), kv_cmp); /* out of memory: unique, any value */
	size_t out = 0;
	for (size_t i = 0; i < *n; i++) {
		if (i + 1 < *n && !strcmp(kv[i].key, kv[i + 1].key)) {
			free(kv[i].key);
			free(kv[i].value);
			continue;
		}
		kv[out++] = kv[i];
	}
	*n = out;
}

static bool label_hidden(const char* key)
{
	return !strncmp(key, "annotation.", 11) || !strncmp(key, "io.kubernetes.", 14);
}

/* docs/architecture.md "Formats"; a value holding a NUL byte is cut there (the list goes on). */
static void format_labels(const ctr_kv* kv, size_t n, char** dst)
{
	strbuf b = {.ok = true};
	for (size_t i = 0; i < n; i++) {
		if (label_hidden(kv[i].key))
			continue;
		if (b.len)
			sb_add(&b, ", ", 2);
		sb_adds(&b, kv[i].key);
		size_t vlen = strnlen(kv[i].value, kv[i].value_len);
		if (vlen) {
			sb_add(&b, ":", 1);
			sb_add(&b, kv[i].value, vlen);
		}
	}
	sb_take(&b, dst);
}

/* docs/architecture.md "Formats": each mount's own string, then all of them joined by ",". */
static void format_mounts(ctr_record* r)
{
	strbuf all = {.ok = true};
	for (size_t i = 0; i < r->nmounts; i++) {
		ctr_mount* m = &r->mounts[i];
		strbuf b = {.ok = true};
		sb_adds(&b, m->source);
		sb_add(&b, ":", 1);
		sb_adds(&b, m->dest);
		sb_add(&b, ":", 1);
		sb_adds(&b, m->mode);
		sb_adds(&b, m->rw ? ":true:" : ":false:");
		sb_adds(&b, m->propagation);
		free_text(m->formatted);
		m->formatted = sb_finish(&b);
		if (i)
			sb_add(&all, ",", 1);
		sb_adds(&all, m->formatted);
	}
	sb_take(&all, &r->mounts_fmt);
}

/* docs/architecture.md "Formats"; absent probes keep formatted NULL. */
static void format_probe(ctr_probe* p)
{
	free_text(p->formatted);
	p->formatted = NULL;
	if (!p->present)
		return;
	strbuf b = {.ok = true};
	sb_adds(&b, p->exe ? p->exe : "");
	for (size_t i = 0; i < p->nargs; i++) {
		sb_add(&b, " ", 1);
		sb_adds(&b, p->args[i] ? p->args[i] : "");
	}
	p->formatted = sb_finish(&b);
}

static const char* label_value(const ctr_record* r, const char* key)
{
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, key);
	return kv ? kv->value : NULL;
}

void ctr_record_finalize(ctr_record* r)
{
	kv_sort_unique(r->labels, &r->nlabels);
	kv_sort_unique(r->pod_sandbox_labels, &r->npod_sandbox_labels);
	format_labels(r->labels, r->nlabels, &r->labels_fmt);
	format_labels(r->pod_sandbox_labels, r->npod_sandbox_labels, &r->pod_labels_fmt);
	format_mounts(r);
	for (int i = 0; i < CTR_PROBE_COUNT; i++)
		format_probe(&r->probes[i]);

	strbuf b = {.ok = true};
	sb_add(&b, r->pod_sandbox_id, strnlen(r->pod_sandbox_id, CTR_SHORT_ID_LEN));
	sb_take(&b, &r->short_sandbox_id);

	r->k8s_pod_name = label_value(r, "io.kubernetes.pod.name");
	r->k8s_pod_namespace = label_value(r, "io.kubernetes.pod.namespace");
	r->k8s_pod_uid = label_value(r, "io.kubernetes.pod.uid");
}

const ctr_kv* ctr_labels_find(const ctr_kv* labels, size_t n, const char* key)
{
	if (!key)
		return NULL;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, labels[mid].key);
		if (!c)
			return &labels[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char* ctr_type_name(uint32_t type)
{
	static const char* const names[] = {
		[CTR_TYPE_DOCKER] = "docker",
		[CTR_TYPE_LXC] = "lxc",
		[CTR_TYPE_LIBVIRT_LXC] = "libvirt-lxc",
		[CTR_TYPE_MESOS] = "mesos",
		[CTR_TYPE_RKT] = "rkt",
		[CTR_TYPE_CUSTOM] = "",
		[CTR_TYPE_CRI] = "cri",
		[CTR_TYPE_CONTAINERD] = "containerd",
		[CTR_TYPE_CRIO] = "cri-o",
		[CTR_TYPE_BPM] = "bpm",
		[CTR_TYPE_STATIC] = "static", /* upstream: "" (docs/container-json.md "Container types") */
		[CTR_TYPE_PODMAN] = "podman",
	};
	if (type == CTR_TYPE_HOST)
		return "host";
	if (type < sizeof(names) / sizeof(names[0]))
		return names[type];
	return "";
}

/* ---- image splitters ---------------------------------------------------- */

/* Stores the three parts (any output may be NULL: not wanted). */
static bool split_out(const char* repo, size_t repo_len, const char* tag, size_t tag_len,
                      const char* digest, size_t digest_len, char** orepo, char** otag,
                      char** odigest)
{
	char* r = strndup(repo, repo_len);
	char* t = strndup(tag, tag_len);
	char* d = strndup(digest, digest_len);
	if (!r || !t || !d) {
		free(r);
		free(t);
		free(d);
		return false;
	}
	if (orepo)
		*orepo = r;
	else
		free(r);
	if (otag)
		*otag = t;
	else
		free(t);
	if (odigest)
		*odigest = d;
	else
		free(d);
	return true;
}

bool ctr_image_split_legacy(const char* image, char** repo, char** tag, char** digest)
{
	if (!image)
		image = "";
	/* The registry host may carry ":port", so colons before the first "/" are not tags. */
	const char* slash = strchr(image, '/');
	const char* rest = slash ? slash + 1 : image;
	const char* at = strchr(rest, '@');
	size_t name_end = at ? (size_t)(at - image) : strlen(image);
	const char* colon = memchr(rest, ':', name_end - (size_t)(rest - image));
	size_t repo_len = colon ? (size_t)(colon - image) : name_end;
	const char* t = colon ? colon + 1 : "";
	size_t tag_len = colon ? name_end - repo_len - 1 : 0;
	const char* d = at ? at + 1 : "";
	return split_out(image, repo_len, t, tag_len, d, strlen(d), repo, tag, digest);
}

bool ctr_image_split_repo_tag(const char* image, char** repo, char** tag)
{
	if (!image)
		image = "";
	size_t len = strcspn(image, "@");
	const char *last_slash = NULL, *last_colon = NULL;
	for (const char* p = image; p < image + len; p++) {
		if (*p == '/')
			last_slash = p;
		else if (*p == ':')
			last_colon = p;
	}
	/* A colon before the last "/" belongs to a registry port, not a tag. */
	if (!last_colon || (last_slash && last_colon < last_slash))
		return split_out(image, len, "", 0, "", 0, repo, tag, NULL);
	size_t repo_len = (size_t)(last_colon - image);
	return split_out(image, repo_len, last_colon + 1, len - repo_len - 1, "", 0, repo, tag,
	                 NULL);
}
