/*
 * containerd container → record (container-plugin.md §8.3, engines.md §5.5).
 * Pure: the engine (containerd.c) fetches, this file maps.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containerd.h"
#include "inspect.h"
#include "errbuf.h"
#include "jget.h"

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

/* ---- JSON helpers (the spec is parsed with JSON_DECODE_INT_AS_REAL) ---- */

/* A number as int64, saturated; false when absent or not a number. */
static bool num_at(const json_t* o, const char* key, int64_t* out)
{
	json_t* v = jget(o, key);
	if (!json_is_number(v))
		return false;
	double d = json_number_value(v);
	if (isnan(d))
		return false;
	*out = d >= 9223372036854775807.0 ? INT64_MAX : d <= -9223372036854775808.0 ? INT64_MIN : (int64_t)d;
	return true;
}

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

static bool set_env(ctr_record* r, const json_t* env)
{
	size_t n = json_array_size(env), i;
	if (!n)
		return true;
	if (!(r->env = calloc(n, sizeof(*r->env))))
		return false;
	json_t* v;
	json_array_foreach(env, i, v)
	{
		if (!json_is_string(v))
			continue;
		if (!(r->env[r->nenv] = strdup(json_string_value(v))))
			return false;
		r->nenv++;
	}
	return true;
}

/* Propagation is the spec's rootfsPropagation for every mount; "" without a linux section. */
static bool set_mounts(ctr_record* r, const json_t* mounts, const char* propagation)
{
	size_t n = json_array_size(mounts), i;
	if (!n)
		return true;
	if (!(r->mounts = calloc(n, sizeof(*r->mounts))))
		return false;
	json_t* m;
	json_array_foreach(mounts, i, m)
	{
		if (!json_is_object(m))
			continue;
		const char* src = jget_str(m, "source");
		const char* dst = jget_str(m, "destination");
		ctr_mount* out = &r->mounts[r->nmounts];
		*out = (ctr_mount){
		    .source = strdup(src ? src : ""),
		    .dest = strdup(dst ? dst : ""),
		    .mode = strdup(mode_option(m)),
		    .propagation = strdup(propagation),
		    .rw = !has_option(m, "ro"),
		};
		if (!out->source || !out->dest || !out->mode || !out->propagation) {
			free(out->source);
			free(out->dest);
			free(out->mode);
			free(out->propagation);
			return false;
		}
		r->nmounts++;
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

/* §8.3: no confinement of any kind left, and sysfs/cgroup not read-only. */
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
	r->memory_limit = num_at(mem, "limit", &v) ? v : 0;
	r->swap_limit = num_at(mem, "swap", &v) ? v : 0;
	r->cpu_shares = num_at(cpu, "shares", &v) && v > 0 ? v : 1024;
	r->cpu_period = num_at(cpu, "period", &v) && v > 0 ? v : 100000;
	r->cpu_quota = num_at(cpu, "quota", &v) ? v : 0;
	r->cpuset_cpu_count = inspect_cpuset_count(jget_str(cpu, "cpus"));
}

bool containerd_apply_spec(ctr_record* r, const char* json, size_t len, char* err,
                           size_t errlen)
{
	json_error_t je;
	/* OCI uint64 fields (rlimits...) may exceed int64 (engines.md §2.4). */
	json_t* spec = json_loadb(json, len, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
	if (!json_is_object(spec)) {
		errbuf_set(err, errlen, "spec: %s", spec ? "not a JSON object" : je.text);
		json_decref(spec);
		return false;
	}
	json_t* process = jget(spec, "process");
	json_t* linux_ = jget(spec, "linux");
	bool ok = true;
	int64_t uid;
	if (num_at(jget(process, "user"), "uid", &uid)) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", (long long)uid);
		ok = ctr_str_set(&r->user, buf);
	}
	const char* prop = jget_str(linux_, "rootfsPropagation");
	ok = ok && set_env(r, jget(process, "env")) &&
	     set_mounts(r, jget(spec, "mounts"), prop ? prop : "");
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
	json_t* spec = json_loadb((const char*)c->spec->value.data, c->spec->value.len,
	                          JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, NULL);
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
 * Labels filtered by label_max_len (a longer value drops the label; negative
 * drops all). *arr has room for every entry of the map. A protobuf map may
 * repeat a key on the wire (the last entry wins): ctr_record_finalize keeps
 * the last one added.
 */
static bool add_kv(ctr_kv** arr, size_t* n, const char* key, const char* value, int64_t max_len)
{
	size_t vl = strlen(value);
	if (max_len < 0 || (uint64_t)vl > (uint64_t)max_len)
		return true;
	ctr_kv* kv = &(*arr)[*n];
	kv->key = strdup(key);
	kv->value = strdup(value);
	kv->value_len = vl;
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		return false;
	}
	(*n)++;
	return true;
}

static bool set_container_labels(ctr_record* r, const Ctrd__Container* c, int64_t max_len)
{
	if (!c->n_labels)
		return true;
	if (!(r->labels = calloc(c->n_labels, sizeof(*r->labels))))
		return false;
	for (size_t i = 0; i < c->n_labels; i++) {
		const Ctrd__Container__LabelsEntry* l = c->labels[i];
		if (l && l->key && l->value && !add_kv(&r->labels, &r->nlabels, l->key, l->value, max_len))
			return false;
	}
	return true;
}

static bool set_sandbox_labels(ctr_record* r, const Ctrd__Sandbox* s, int64_t max_len)
{
	if (!s || !s->n_labels)
		return true;
	if (!(r->pod_sandbox_labels = calloc(s->n_labels, sizeof(*r->pod_sandbox_labels))))
		return false;
	for (size_t i = 0; i < s->n_labels; i++) {
		const Ctrd__Sandbox__LabelsEntry* l = s->labels[i];
		if (l && l->key && l->value &&
		    !add_kv(&r->pod_sandbox_labels, &r->npod_sandbox_labels, l->key, l->value, max_len))
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

ctr_record* containerd_record(const Ctrd__Container* c, const containerd_extra* x,
                              const containerd_map_opts* o, char* err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!c || !c->id || !*c->id) {
		errbuf_set(err, errlen, "container without an id");
		return NULL;
	}
	int64_t max_len = o ? o->label_max_len : 100;
	ctr_record* r = ctr_record_new();
	if (!r) {
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	char sid[CTR_SHORT_ID_LEN + 1];
	containerd_short_id(c->id, sid);
	const char* kind = containerd_label(c, CONTAINERD_CRI_KIND_LABEL);
	char* sandbox_id = containerd_sandbox_id(c);
	r->type = CTR_TYPE_CONTAINERD;
	r->is_pod_sandbox = kind && !strcmp(kind, "sandbox");
	r->created_time = c->created_at ? c->created_at->seconds : 0;
	r->size = o && o->with_size && x && x->image_digest && *x->image_digest ? x->image_size : -1;
	/* Decode defaults for a container whose spec says nothing (§8.3 defaults). */
	r->cpu_shares = 1024;
	r->cpu_period = 100000;
	bool ok = sandbox_id && ctr_str_set(&r->id, sid) && ctr_str_set(&r->full_id, c->id) &&
	          ctr_str_set(&r->name, sid) && set_image(r, c->image ? c->image : "", x) &&
	          ctr_str_set(&r->pod_sandbox_id, sandbox_id) && ctr_str_set(&r->ip, "") &&
	          set_container_labels(r, c, max_len) &&
	          set_sandbox_labels(r, x ? x->sandbox : NULL, max_len);
	free(sandbox_id);
	if (ok && c->spec && c->spec->value.data && c->spec->value.len) {
		char why[256];
		if (!containerd_apply_spec(r, (const char*)c->spec->value.data, c->spec->value.len, why,
		                           sizeof(why))) {
			ok = strcmp(why, "out of memory") != 0;
			errbuf_set(err, errlen, "%s: %s", c->id, why);
		}
	}
	if (!ok) {
		ctr_record_unref(r);
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	ctr_record_finalize(r);
	return r;
}
