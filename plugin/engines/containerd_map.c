/*
 * containerd container → record (docs/engines.md "containerd spec").
 * Pure: the engine (containerd.c) fetches, this file maps.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containerd.h"
#include "ctr_build.h"
#include "ctr_id.h"
#include "errbuf.h"
#include "jget.h"
#include "values.h"

void containerd_short_id(const char* full_id, char out[CTR_SHORT_ID_LEN + 1])
{
	size_t n = strnlen(full_id, CTR_SHORT_ID_LEN);
	memcpy(out, full_id, n);
	out[n] = '\0';
}

const char* containerd_label(const Ctrd__Container* c, const char* key)
{
	for (size_t i = 0; c && i < c->n_labels; i++)
		if (c->labels[i] && c->labels[i]->key && !strcmp(c->labels[i]->key, key))
			return c->labels[i]->value ? c->labels[i]->value : "";
	return NULL;
}

/* ---- JSON helpers ---- */

static bool has_option(const json_t* mount, const char* opt)
{
	size_t i;
	json_t* v;
	json_array_foreach(jget(mount, "options"), i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), opt))
			return true;
	}
	return false;
}

static const char* mode_option(const json_t* mount)
{
	size_t i;
	json_t* v;
	json_array_foreach(jget(mount, "options"), i, v)
	{
		if (json_is_string(v) && !strncmp(json_string_value(v), "mode=", 5))
			return json_string_value(v) + 5;
	}
	return "";
}

static bool nonempty_array(const json_t* v)
{
	return json_is_array(v) && json_array_size(v) > 0;
}

/* ---- spec → record ---- */

static bool add_env(ctr_build* b, const json_t* env)
{
	size_t i;
	json_t* v;
	json_array_foreach(env, i, v)
	{
		if (json_is_string(v) && !ctr_build_env(b, json_string_value(v)))
			return false;
	}
	return true;
}

/* Propagation is the spec's rootfsPropagation for every mount; "" without a linux section. */
static bool add_mounts(ctr_build* b, const json_t* mounts, const char* propagation)
{
	size_t i;
	json_t* m;
	json_array_foreach(mounts, i, m)
	{
		if (!json_is_object(m))
			continue;
		const char* src = jget_str(m, "source");
		const char* dst = jget_str(m, "destination");
		if (!ctr_build_mount(b, src ? src : "", dst ? dst : "", mode_option(m), propagation,
		                     !has_option(m, "ro")))
			return false;
	}
	return true;
}

static bool lists_namespace(const json_t* linux_, const char* type)
{
	size_t i;
	json_t* ns;
	json_array_foreach(jget(linux_, "namespaces"), i, ns)
	{
		const char* t = jget_str(ns, "type");
		if (t && !strcmp(t, type))
			return true;
	}
	return false;
}

/* No confinement of any kind left, and sysfs/cgroup not read-only
 * (docs/engines.md "containerd spec"). */
static bool is_privileged(const json_t* spec, const json_t* linux_, const json_t* process)
{
	if (!json_is_object(linux_) || !json_is_object(process))
		return false;
	if (nonempty_array(jget(linux_, "maskedPaths")) || nonempty_array(jget(linux_, "readonlyPaths")))
		return false;
	const char* selinux = jget_str(process, "selinuxLabel");
	const char* apparmor = jget_str(process, "apparmorProfile");
	if ((selinux && *selinux) || (apparmor && *apparmor && strcmp(apparmor, "unconfined")))
		return false;
	json_t* seccomp = jget(linux_, "seccomp");
	if (seccomp && !json_is_null(seccomp))
		return false;
	size_t i;
	json_t* m;
	json_array_foreach(jget(spec, "mounts"), i, m)
	{
		const char* type = jget_str(m, "type");
		if (type && (!strcmp(type, "sysfs") || !strcmp(type, "cgroup") || !strcmp(type, "cgroup2")) &&
		    has_option(m, "ro"))
			return false;
	}
	return true;
}

static void set_resources(ctr_record* r, const json_t* res)
{
	json_t* mem = jget(res, "memory");
	json_t* cpu = jget(res, "cpu");
	int64_t v;
	r->memory_limit = jget_int(mem, "limit", &v) ? v : 0;
	r->swap_limit = jget_int(mem, "swap", &v) ? v : 0;
	r->cpu_shares = jget_int(cpu, "shares", &v) && v > 0 ? v : 1024;
	r->cpu_period = jget_int(cpu, "period", &v) && v > 0 ? v : 100000;
	r->cpu_quota = jget_int(cpu, "quota", &v) ? v : 0;
	r->cpuset_cpu_count = val_cpuset_count(jget_str(cpu, "cpus"));
}

bool containerd_apply_spec(ctr_build* b, const char* json, size_t len, char* err,
                           size_t errlen)
{
	char why[256];
	json_t* spec = jget_parse(json, len, why, sizeof(why));
	if (!json_is_object(spec)) {
		errbuf_set(err, errlen, "spec: %s", spec ? "not a JSON object" : why);
		json_decref(spec);
		return false;
	}
	ctr_record* r = b->r;
	json_t* process = jget(spec, "process");
	json_t* linux_ = jget(spec, "linux");
	int64_t uid;
	if (jget_int(jget(process, "user"), "uid", &uid)) {
		/* A number: short enough to be set after the build's string members. */
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", (long long)uid);
		if (!ctr_str_set(&r->user, buf))
			b->oom = true;
	}
	const char* prop = jget_str(linux_, "rootfsPropagation");
	bool ok = !b->oom && add_mounts(b, jget(spec, "mounts"), prop ? prop : "") &&
	          add_env(b, jget(process, "env"));
	r->host_pid = !lists_namespace(linux_, "pid");
	r->host_network = !lists_namespace(linux_, "network");
	r->host_ipc = !lists_namespace(linux_, "ipc");
	r->privileged = is_privileged(spec, linux_, process);
	set_resources(r, jget(linux_, "resources"));
	json_decref(spec);
	if (!ok)
		errbuf_set(err, errlen, "out of memory");
	return ok;
}

/* The spec annotation, if the spec is readable (malloc'd, or NULL). */
static char* spec_annotation(const Ctrd__Container* c, const char* key)
{
	if (!c->spec || !c->spec->value.data || !c->spec->value.len)
		return NULL;
	json_t* spec = jget_parse((const char*)c->spec->value.data, c->spec->value.len, NULL, 0);
	const char* v = jget_str(jget(spec, "annotations"), key);
	char* copy = v ? strdup(v) : NULL;
	json_decref(spec);
	return copy;
}

char* containerd_sandbox_id(const Ctrd__Container* c)
{
	if (c->sandbox && *c->sandbox)
		return strdup(c->sandbox);
	char* a = spec_annotation(c, CONTAINERD_SANDBOX_ANNOTATION);
	return a ? a : strdup("");
}

/*
 * A protobuf map may repeat a key on the wire (the last entry wins):
 * ctr_record_finalize keeps the last one added.
 */
static bool add_container_labels(ctr_build* b, const Ctrd__Container* c)
{
	for (size_t i = 0; i < c->n_labels; i++) {
		const Ctrd__Container__LabelsEntry* l = c->labels[i];
		if (l && l->key && l->value &&
		    !ctr_build_label(b, CTR_LABELS, l->key, l->value, strlen(l->value)))
			return false;
	}
	return true;
}

static bool add_sandbox_labels(ctr_build* b, const Ctrd__Sandbox* s)
{
	for (size_t i = 0; s && i < s->n_labels; i++) {
		const Ctrd__Sandbox__LabelsEntry* l = s->labels[i];
		if (l && l->key && l->value &&
		    !ctr_build_label(b, CTR_POD_LABELS, l->key, l->value, strlen(l->value)))
			return false;
	}
	return true;
}

static bool set_image(ctr_record* r, const char* image, const containerd_extra* x)
{
	char *repo = NULL, *tag = NULL;
	bool ok = ctr_str_set(&r->image, image) && ctr_str_set(&r->imageid, "") &&
	          ctr_str_set(&r->imagedigest, x && x->image_digest ? x->image_digest : "");
	if (ok && *image && ctr_image_split_repo_tag(image, &repo, &tag))
		ok = ctr_str_set(&r->imagerepo, repo) && ctr_str_set(&r->imagetag, tag);
	free(repo);
	free(tag);
	return ok;
}

/*
 * What the container is called. Containers that Kubernetes made are named by
 * their labels (the pod's name for a sandbox), or by the CRI annotations of
 * their spec when the labels are missing; nerdctl keeps its name in a label.
 * Only a container nothing names gets its short id (falco#3631: Kubernetes
 * containers seen through this engine were all named by their id).
 * Returns a malloc'd name, NULL on OOM.
 */
static char* container_name(const Ctrd__Container* c, bool sandbox, const char* sid)
{
	const char* label = containerd_label(c, sandbox ? "io.kubernetes.pod.name"
	                                                : "io.kubernetes.container.name");
	if (!label || !*label)
		label = containerd_label(c, "nerdctl/name");
	if (label && *label)
		return strdup(label);
	char* a = spec_annotation(c, sandbox ? "io.kubernetes.cri.sandbox-name"
	                                     : "io.kubernetes.cri.container-name");
	if (a && *a)
		return a;
	free(a);
	return strdup(sid);
}

/* The string members and numbers the container itself gives, before the lists. */
static bool set_members(ctr_record* r, const Ctrd__Container* c, const containerd_extra* x,
                        const containerd_map_opts* o)
{
	char sid[CTR_SHORT_ID_LEN + 1];
	containerd_short_id(c->id, sid);
	const char* kind = containerd_label(c, CONTAINERD_CRI_KIND_LABEL);
	char* sandbox_id = containerd_sandbox_id(c);
	r->is_pod_sandbox = kind && !strcmp(kind, "sandbox");
	char* name = container_name(c, r->is_pod_sandbox, sid);
	r->created_time = c->created_at ? c->created_at->seconds : 0;
	r->size = o && o->with_size && x && x->image_digest && *x->image_digest ? x->image_size : -1;
	/* Decode defaults for a container whose spec says nothing
	 * (docs/engines.md "containerd spec"). */
	r->cpu_shares = 1024;
	r->cpu_period = 100000;
	bool ok = sandbox_id && name && ctr_str_set(&r->id, sid) && ctr_str_set(&r->full_id, c->id) &&
	          ctr_str_set(&r->name, name) && set_image(r, c->image ? c->image : "", x) &&
	          ctr_str_set(&r->pod_sandbox_id, sandbox_id);
	free(sandbox_id);
	free(name);
	return ok;
}

/* An unreadable spec leaves a note in err; false only on OOM. */
static bool apply_spec_of(ctr_build* b, const Ctrd__Container* c, char* err, size_t errlen)
{
	if (!c->spec || !c->spec->value.data || !c->spec->value.len)
		return true;
	char why[256];
	if (containerd_apply_spec(b, (const char*)c->spec->value.data, c->spec->value.len, why,
	                          sizeof(why)))
		return true;
	errbuf_set(err, errlen, "%s: %s", c->id, why);
	return !b->oom;
}

ctr_record* containerd_record(const Ctrd__Container* c, const containerd_extra* x,
                              const containerd_map_opts* o, char* err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!c || !ctr_id_safe(c->id)) {
		errbuf_set(err, errlen, "container without a valid id");
		return NULL;
	}
	ctr_build b;
	if (!ctr_build_start(&b, CTR_TYPE_CONTAINERD, o ? o->label_max_len : 100)) {
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	char note[256] = "";
	if (!(set_members(b.r, c, x, o) && ctr_build_scalars(&b) && add_container_labels(&b, c) &&
	      add_sandbox_labels(&b, x ? x->sandbox : NULL) &&
	      apply_spec_of(&b, c, note, sizeof(note))))
		b.oom = true;
	ctr_record* r = ctr_build_finish(&b, err, errlen);
	/* The budget's note, if any, is the one a caller most needs; else the spec's. */
	if (r && note[0] && err && errlen && !err[0])
		errbuf_set(err, errlen, "%s", note);
	return r;
}
