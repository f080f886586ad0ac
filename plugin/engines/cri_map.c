/*
 * CRI status → record (container-plugin.md §8.4, engines.md §6). Pure: the
 * engine (cri.c) fetches, this file maps.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cri.h"
#include "inspect.h"
#include "errbuf.h"
#include "jget.h"

#define DEFAULT_CPU_PERIOD 100000
#define DEFAULT_CPU_SHARES 1024
#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/* Every protobuf-c map entry has key and value members. */
#define MAP_FIND(arr, n, k, out)                                                                   \
	do {                                                                                       \
		(out) = NULL;                                                                      \
		for (size_t i_ = 0; i_ < (n); i_++)                                                \
			if ((arr)[i_] && (arr)[i_]->key && (arr)[i_]->value &&                     \
			    !strcmp((arr)[i_]->key, (k))) {                                        \
				(out) = (arr)[i_]->value;                                          \
				break;                                                             \
			}                                                                          \
	} while (0)

uint32_t cri_runtime_type(const char* name)
{
	if (name && !strcmp(name, "containerd"))
		return CTR_TYPE_CONTAINERD;
	if (name && !strcmp(name, "cri-o"))
		return CTR_TYPE_CRIO;
	return CTR_TYPE_CRI;
}

const char* cri_info_container(const Cri__ContainerStatusResponse* r)
{
	const char* v = NULL;
	if (r)
		MAP_FIND(r->info, r->n_info, "info", v);
	return v;
}

const char* cri_info_sandbox(const Cri__PodSandboxStatusResponse* r)
{
	const char* v = NULL;
	if (r)
		MAP_FIND(r->info, r->n_info, "info", v);
	return v;
}

/* ---- JSON helpers ---- */

static json_t* parse(const char* text)
{
	if (!text || !*text)
		return NULL;
	json_t* j = json_loads(text, 0, NULL);
	if (j && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

char* cri_info_sandbox_id(const char* info)
{
	json_t* doc = parse(info);
	const char* id = jget_str(doc, "sandboxID");
	char* out = id && *id ? strdup(id) : NULL;
	json_decref(doc);
	return out;
}

char* cri_cni_json(const char* sandbox_info)
{
	json_t* doc = parse(sandbox_info);
	json_t* ifs = jget(jget(doc, "cniResult"), "Interfaces");
	if (!json_is_object(ifs)) {
		json_decref(doc);
		return strdup("");
	}
	json_t* out = json_object();
	const char* name;
	json_t* v;
	bool ok = out != NULL;
	json_object_foreach(ifs, name, v)
	{
		if (!ok)
			break;
		if (!strcmp(name, "lo") || !strncmp(name, "veth", 4))
			continue;
		json_t* c = json_deep_copy(v);
		if (json_is_object(c)) {
			json_object_del(c, "Mac");
			json_object_del(c, "Sandbox");
		}
		ok = c && json_object_set_new(out, name, c) == 0;
	}
	char* text = ok ? json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(out);
	json_decref(doc);
	if (text && strlen(text) > CRI_CNI_JSON_MAX)
		text[CRI_CNI_JSON_MAX] = '\0';
	return text;
}

/* ---- image (§8.4.3) ---- */

static const char* const IMAGE_ANNOTATIONS[] = {
    "io.kubernetes.cri.image-name", "io.kubernetes.cri-o.Image", "io.kubernetes.cri-o.ImageName"};

bool cri_image(const char* image_ref, const char* status_image, const char* info, char** image,
               char** repo, char** tag, char** digest)
{
	*image = *repo = *tag = *digest = NULL;
	image_ref = image_ref ? image_ref : "";
	status_image = status_image ? status_image : "";
	char* name = NULL;
	const char* dig = "";
	bool tag_from_status = false;
	const char* at_sha = strstr(image_ref, "@sha256:");
	if (!strncmp(image_ref, "sha256:", 7)) {
		dig = image_ref;
		name = strdup(status_image);
	} else if (at_sha) {
		name = strndup(image_ref, (size_t)(at_sha - image_ref));
		dig = at_sha + 1;
		tag_from_status = true;
	} else {
		name = strdup(status_image);
	}
	if (name && (!*name || !strncmp(name, "sha256", 6))) {
		json_t* doc = parse(info);
		json_t* ann = jget(jget(doc, "runtimeSpec"), "annotations");
		const char* found = NULL;
		for (size_t i = 0; !found && i < sizeof(IMAGE_ANNOTATIONS) / sizeof(*IMAGE_ANNOTATIONS); i++)
			found = jget_str(ann, IMAGE_ANNOTATIONS[i]);
		if (found) {
			free(name);
			name = strdup(found);
		}
		json_decref(doc);
		tag_from_status = false;
	}
	if (!name)
		return false;
	char *r = NULL, *t = NULL;
	if (*name && !ctr_image_split_repo_tag(name, &r, &t))
		goto oom;
	if (tag_from_status && *status_image) {
		char *sr = NULL, *st = NULL;
		if (!ctr_image_split_repo_tag(status_image, &sr, &st))
			goto oom;
		free(sr);
		if (st && *st) {
			size_t n = strlen(name) + strlen(st) + 2;
			char* full = malloc(n);
			if (!full) {
				free(st);
				goto oom;
			}
			snprintf(full, n, "%s:%s", name, st);
			free(name);
			name = full;
			free(t);
			t = st;
		} else {
			free(st);
		}
	}
	*image = name;
	*repo = r ? r : strdup("");
	*tag = t ? t : strdup("");
	*digest = strdup(dig);
	if (!*repo || !*tag || !*digest) {
		free(*image);
		free(*repo);
		free(*tag);
		free(*digest);
		*image = *repo = *tag = *digest = NULL;
		return false;
	}
	return true;
oom:
	free(name);
	free(r);
	free(t);
	return false;
}

/* ---- labels ---- */

/* Sets key=value (replacing an existing key); max_len filters as label_max_len does. */
/* Appends a label (a later one with the same key wins at ctr_record_finalize);
 * the array grows by doubling so a huge label map stays linear. */
static bool kv_put(ctr_kv** arr, size_t* n, const char* key, const char* value, int64_t max_len)
{
	size_t vl = strlen(value);
	if (max_len < 0 || (uint64_t)vl > (uint64_t)max_len)
		return true;
	if (*n >= 4 ? (*n & (*n - 1)) == 0 : *n == 0) {
		ctr_kv* grown = realloc(*arr, (*n ? 2 * *n : 4) * sizeof(**arr));
		if (!grown)
			return false;
		*arr = grown;
	}
	char* k = strdup(key);
	char* v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return false;
	}
	(*arr)[*n] = (ctr_kv){k, v, vl};
	(*n)++;
	return true;
}

/* The pod identity labels (§8.4.2): always kept, whatever label_max_len says. */
static bool pod_labels(ctr_record* r, const Cri__PodSandboxStatus* sb)
{
	const Cri__PodSandboxMetadata* m = sb->metadata;
	bool ok = !sb->id || kv_put(&r->labels, &r->nlabels, "io.kubernetes.sandbox.id", sb->id, INT64_MAX);
	if (ok && m && m->uid)
		ok = kv_put(&r->labels, &r->nlabels, "io.kubernetes.pod.uid", m->uid, INT64_MAX);
	if (ok && m && m->name)
		ok = kv_put(&r->labels, &r->nlabels, "io.kubernetes.pod.name", m->name, INT64_MAX);
	if (ok && m && m->namespace_)
		ok = kv_put(&r->labels, &r->nlabels, "io.kubernetes.pod.namespace", m->namespace_,
		            INT64_MAX);
	return ok;
}

static bool sandbox_labels(ctr_kv** arr, size_t* n, const Cri__PodSandboxStatus* sb,
                           int64_t max_len)
{
	for (size_t i = 0; i < sb->n_labels; i++) {
		const Cri__PodSandboxStatus__LabelsEntry* l = sb->labels[i];
		if (l && l->key && l->value && !kv_put(arr, n, l->key, l->value, max_len))
			return false;
	}
	return true;
}

/* ip, cni_json, host_* and pod_sandbox_labels: shared by containers and sandboxes. */
static bool apply_sandbox(ctr_record* r, const Cri__PodSandboxStatus* sb, const char* sb_info,
                          int64_t max_len)
{
	const Cri__NamespaceOption* ns =
	    sb->linux && sb->linux->namespaces ? sb->linux->namespaces->options : NULL;
	if (ns) {
		r->host_network = ns->network == CRI_NS_NODE;
		r->host_pid = ns->pid == CRI_NS_NODE;
		r->host_ipc = ns->ipc == CRI_NS_NODE;
	}
	char* cni = cri_cni_json(sb_info);
	bool ok = cni && ctr_str_set(&r->cni_json, cni) &&
	          ctr_str_set(&r->ip, sb->network && sb->network->ip ? sb->network->ip : "") &&
	          ctr_str_set(&r->pod_sandbox_id, sb->id) &&
	          sandbox_labels(&r->pod_sandbox_labels, &r->npod_sandbox_labels, sb, max_len) &&
	          pod_labels(r, sb);
	free(cni);
	return ok;
}

/* ---- probes (§7.2, the Recommended CRI extension) ---- */

static char* normalize(const char* s)
{
	size_t len = strlen(s);
	while (len && (*s == '"' || *s == '\'') && s[len - 1] == *s) {
		s++;
		len = len >= 2 ? len - 2 : 0;
	}
	return strndup(s, len);
}

/* An exec probe's command (array of strings, at least one) → probe. */
static bool set_exec_probe(ctr_probe* p, const json_t* cmd)
{
	size_t n = json_array_size(cmd);
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (!json_is_string(json_array_get(cmd, i)))
			return true;
	if (!(p->exe = normalize(json_string_value(json_array_get(cmd, 0)))))
		return false;
	if (n > 1 && !(p->args = calloc(n - 1, sizeof(*p->args))))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (!(p->args[p->nargs] = normalize(json_string_value(json_array_get(cmd, i)))))
			return false;
		p->nargs++;
	}
	p->present = true;
	return true;
}

static bool set_probes(ctr_record* r, const Cri__PodSandboxStatus* sb, const char* ctr_name)
{
	const char* cfg = NULL;
	MAP_FIND(sb->annotations, sb->n_annotations, LAST_APPLIED, cfg);
	json_t* doc = parse(cfg);
	json_t* ctrs = jget(jget(doc, "spec"), "containers");
	bool ok = true;
	size_t i;
	json_t* c;
	json_array_foreach(ctrs, i, c)
	{
		const char* name = jget_str(c, "name");
		if (!name || !ctr_name || strcmp(name, ctr_name))
			continue;
		ok = set_exec_probe(&r->probes[CTR_PROBE_LIVENESS],
		                    jget(jget(jget(c, "livenessProbe"), "exec"), "command")) &&
		     set_exec_probe(&r->probes[CTR_PROBE_READINESS],
		                    jget(jget(jget(c, "readinessProbe"), "exec"), "command"));
		break;
	}
	json_decref(doc);
	return ok;
}

/* ---- container ---- */

static const char* propagation_name(int32_t p)
{
	return p == 0 ? "private" : p == 1 ? "rslave" : p == 2 ? "rshared" : "unknown";
}

static bool set_mounts(ctr_record* r, const Cri__ContainerStatus* st)
{
	if (!st->n_mounts)
		return true;
	if (!(r->mounts = calloc(st->n_mounts, sizeof(*r->mounts))))
		return false;
	for (size_t i = 0; i < st->n_mounts; i++) {
		const Cri__Mount* m = st->mounts[i];
		if (!m)
			continue;
		ctr_mount* d = &r->mounts[r->nmounts++];
		d->rw = !m->readonly;
		if (!ctr_str_set(&d->source, m->host_path) || !ctr_str_set(&d->dest, m->container_path) ||
		    !ctr_str_set(&d->mode, "") ||
		    !ctr_str_set(&d->propagation, propagation_name(m->propagation)))
			return false;
	}
	return true;
}

static bool set_env(ctr_record* r, const json_t* envs)
{
	size_t n = json_array_size(envs), i;
	if (!n)
		return true;
	if (!(r->env = calloc(n, sizeof(*r->env))))
		return false;
	json_t* e;
	json_array_foreach(envs, i, e)
	{
		const char* k = jget_str(e, "key");
		const char* v = jget_str(e, "value");
		if (!k)
			continue;
		v = v ? v : "";
		size_t len = strlen(k) + strlen(v) + 2;
		if (!(r->env[r->nenv] = malloc(len)))
			return false;
		snprintf(r->env[r->nenv++], len, "%s=%s", k, v);
	}
	return true;
}

static bool privileged(const json_t* info)
{
	const json_t* paths[] = {
	    jget(jget(jget(jget(info, "runtimeSpec"), "linux"), "security_context"), "privileged"),
	    jget(jget(jget(jget(info, "config"), "linux"), "security_context"), "privileged"),
	    jget(info, "privileged"),
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++)
		if (json_is_boolean(paths[i]))
			return json_is_true(paths[i]);
	return false;
}

static const char* after_last_colon(const char* s)
{
	const char* c = s ? strrchr(s, ':') : NULL;
	return c ? c + 1 : s ? s : "";
}

static bool set_identity(ctr_record* r, const char* full_id, const cri_map_opts* o)
{
	char sid[CTR_SHORT_ID_LEN + 1];
	size_t n = strnlen(full_id, CTR_SHORT_ID_LEN);
	memcpy(sid, full_id, n);
	sid[n] = '\0';
	r->type = o ? o->type : CTR_TYPE_CRI;
	r->size = o ? o->size : -1;
	return ctr_str_set(&r->id, sid) && ctr_str_set(&r->full_id, full_id);
}

ctr_record* cri_container_record(const Cri__ContainerStatus* st, const char* info,
                                 const Cri__PodSandboxStatus* sb, const char* sb_info,
                                 const cri_map_opts* o, char* err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!st || !st->id || !*st->id) {
		errbuf_set(err, errlen, "container status without an id");
		return NULL;
	}
	int64_t max_len = o ? o->label_max_len : 100;
	ctr_record* r = ctr_record_new();
	json_t* doc = parse(info);
	char *image = NULL, *repo = NULL, *tag = NULL, *digest = NULL;
	bool ok = r && set_identity(r, st->id, o) &&
	          cri_image(st->image_ref, st->image ? st->image->image : "", info, &image, &repo, &tag,
	                    &digest) &&
	          ctr_str_set(&r->image, image) && ctr_str_set(&r->imagerepo, repo) &&
	          ctr_str_set(&r->imagetag, tag) && ctr_str_set(&r->imagedigest, digest);
	free(image);
	free(repo);
	free(tag);
	free(digest);
	if (!ok)
		goto fail;
	r->created_time = st->created_at / 1000000000;
	/* imageid: after the last ':' of config.image.image, else status.image_id */
	const char* cfg_image = jget_str(jget(jget(doc, "config"), "image"), "image");
	const char* imageid = after_last_colon(cfg_image);
	if (!*imageid)
		imageid = after_last_colon(st->image_id);
	char uid[24] = "0";
	if (st->user && st->user->linux)
		snprintf(uid, sizeof(uid), "%lld", (long long)st->user->linux->uid);
	const Cri__LinuxContainerResources* res = st->resources ? st->resources->linux : NULL;
	r->cpu_period = res && res->cpu_period > 0 ? res->cpu_period : DEFAULT_CPU_PERIOD;
	r->cpu_shares = res && res->cpu_shares > 0 ? res->cpu_shares : DEFAULT_CPU_SHARES;
	if (res) {
		r->cpu_quota = res->cpu_quota;
		r->cpuset_cpu_count = inspect_cpuset_count(res->cpuset_cpus);
		r->memory_limit = res->memory_limit_in_bytes;
		r->swap_limit = res->memory_swap_limit_in_bytes;
	}
	r->privileged = privileged(doc);
	const char* sandbox_id = jget_str(doc, "sandboxID");
	ok = ctr_str_set(&r->name, st->metadata ? st->metadata->name : "") &&
	     ctr_str_set(&r->imageid, imageid) && ctr_str_set(&r->user, uid) &&
	     ctr_str_set(&r->ip, "") && ctr_str_set(&r->pod_sandbox_id, sandbox_id) &&
	     set_env(r, jget(jget(doc, "config"), "envs")) && set_mounts(r, st);
	for (size_t i = 0; ok && i < st->n_labels; i++) {
		const Cri__ContainerStatus__LabelsEntry* l = st->labels[i];
		if (l && l->key && l->value)
			ok = kv_put(&r->labels, &r->nlabels, l->key, l->value, max_len);
	}
	if (ok && sb) {
		const char* cname = NULL;
		MAP_FIND(st->labels, st->n_labels, "io.kubernetes.container.name", cname);
		ok = apply_sandbox(r, sb, sb_info, max_len) &&
		     set_probes(r, sb, cname ? cname : r->name);
	}
	if (!ok)
		goto fail;
	json_decref(doc);
	ctr_record_finalize(r);
	return r;
fail:
	json_decref(doc);
	ctr_record_unref(r);
	errbuf_set(err, errlen, "out of memory");
	return NULL;
}

ctr_record* cri_sandbox_record(const Cri__PodSandboxStatus* sb, const char* sb_info,
                               const cri_map_opts* o, char* err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!sb || !sb->id || !*sb->id) {
		errbuf_set(err, errlen, "sandbox status without an id");
		return NULL;
	}
	int64_t max_len = o ? o->label_max_len : 100;
	ctr_record* r = ctr_record_new();
	bool ok = r && set_identity(r, sb->id, o);
	if (ok) {
		r->is_pod_sandbox = true;
		r->created_time = sb->created_at / 1000000000;
		ok = ctr_str_set(&r->name, sb->metadata ? sb->metadata->name : "") &&
		     sandbox_labels(&r->labels, &r->nlabels, sb, max_len) &&
		     apply_sandbox(r, sb, sb_info, max_len);
	}
	if (!ok) {
		ctr_record_unref(r);
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	ctr_record_finalize(r);
	return r;
}
