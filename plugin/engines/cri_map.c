/*
 * CRI status → record (docs/engines.md "CRI"). Pure: the
 * engine (cri.c) fetches, this file maps.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cri.h"
#include "ctr_build.h"
#include "ctr_id.h"
#include "errbuf.h"
#include "jget.h"
#include "values.h"

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

/* A verbose info document or annotation: an object, else NULL. */
static json_t* parse(const char* text)
{
	json_t* j = jget_parse_str(text, NULL, 0);
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

/* ---- image (docs/engines.md "CRI image") ---- */

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
		for (size_t i = 0; !found && i < sizeof(IMAGE_ANNOTATIONS) / sizeof(*IMAGE_ANNOTATIONS); i++) {
			found = jget_str(ann, IMAGE_ANNOTATIONS[i]);
			/* cri-o's Image annotation may hold the image id: not a name. */
			if (found && val_image_id(found, strlen(found)))
				found = NULL;
		}
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
	/* An image known only by its id has no repository or tag to show. */
	if (*name && !val_image_id(name, strlen(name)) && !ctr_image_split_repo_tag(name, &r, &t))
		goto oom;
	/* A status image that is an id ("sha256:<hex>", as cri-o may report) has no tag. */
	if (tag_from_status && *status_image && !val_image_id(status_image, strlen(status_image))) {
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

/* The pod identity labels, from the sandbox; NULL values are absent. */
typedef struct pod_identity {
	const char* key[4];
	const char* value[4];
} pod_identity;

static pod_identity identity_of(const Cri__PodSandboxStatus* sb)
{
	const Cri__PodSandboxMetadata* m = sb ? sb->metadata : NULL;
	return (pod_identity){
	    {"io.kubernetes.sandbox.id", "io.kubernetes.pod.uid", "io.kubernetes.pod.name",
	     "io.kubernetes.pod.namespace"},
	    {sb ? sb->id : NULL, m ? m->uid : NULL, m ? m->name : NULL, m ? m->namespace_ : NULL},
	};
}

static bool is_identity_key(const pod_identity* id, const char* key)
{
	for (int i = 0; i < 4; i++)
		if (id->value[i] && !strcmp(id->key[i], key))
			return true;
	return false;
}

/*
 * Always kept, whatever label_max_len says, and first, so no number of other
 * labels can push them out of the record's budget; the record's labels of the
 * same keys are skipped, so these win.
 */
static bool add_identity_labels(ctr_build* b, const pod_identity* id)
{
	for (int i = 0; i < 4; i++)
		if (id->value[i] &&
		    !ctr_build_label(b, CTR_ID_LABELS, id->key[i], id->value[i], strlen(id->value[i])))
			return false;
	return true;
}

/* Protobuf map entries: each has key and value members. */
#define ADD_MAP_LABELS(b, set, arr, n, id)                                                        \
	do {                                                                                       \
		const pod_identity* id_ = (id);                                                    \
		for (size_t i_ = 0; ok && i_ < (n); i_++)                                          \
			if ((arr)[i_] && (arr)[i_]->key && (arr)[i_]->value &&                     \
			    !(id_ && is_identity_key(id_, (arr)[i_]->key)))                        \
				ok = ctr_build_label((b), (set), (arr)[i_]->key, (arr)[i_]->value, \
				                     strlen((arr)[i_]->value));                    \
	} while (0)

/* The sandbox's own labels as the record's labels (sandbox records), minus identity keys. */
static bool add_sandbox_labels(ctr_build* b, ctr_label_set set, const Cri__PodSandboxStatus* sb,
                               const pod_identity* id)
{
	bool ok = true;
	ADD_MAP_LABELS(b, set, sb->labels, sb->n_labels, id);
	return ok;
}

/* ip, cni_json, host_* and pod_sandbox_id: shared by containers and sandboxes. */
static bool set_sandbox_members(ctr_record* r, const Cri__PodSandboxStatus* sb,
                                const char* sb_info)
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
	          ctr_str_set(&r->pod_sandbox_id, sb->id);
	free(cni);
	return ok;
}

/* ---- probes (docs/engines.md "Probes from the pod annotation") ---- */

/* An exec probe's command (array of strings, at least one) → probe. */
static bool add_exec_probe(ctr_build* b, ctr_probe_type t, const json_t* cmd)
{
	size_t n = json_array_size(cmd);
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (!json_is_string(json_array_get(cmd, i)))
			return true;
	const char** argv = calloc(n, sizeof(*argv));
	if (!argv)
		return false;
	for (size_t i = 0; i < n; i++)
		argv[i] = json_string_value(json_array_get(cmd, i));
	bool ok = ctr_build_probe(b, t, argv, n, true);
	free(argv);
	return ok;
}

static bool add_probes(ctr_build* b, const Cri__PodSandboxStatus* sb, const char* ctr_name)
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
		ok = add_exec_probe(b, CTR_PROBE_LIVENESS,
		                    jget(jget(jget(c, "livenessProbe"), "exec"), "command")) &&
		     add_exec_probe(b, CTR_PROBE_READINESS,
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

static bool add_mounts(ctr_build* b, const Cri__ContainerStatus* st)
{
	for (size_t i = 0; i < st->n_mounts; i++) {
		const Cri__Mount* m = st->mounts[i];
		if (m && !ctr_build_mount(b, m->host_path, m->container_path, "",
		                          propagation_name(m->propagation), !m->readonly))
			return false;
	}
	return true;
}

static bool add_env(ctr_build* b, const json_t* envs)
{
	size_t i;
	json_t* e;
	json_array_foreach(envs, i, e)
	{
		const char* k = jget_str(e, "key");
		const char* v = jget_str(e, "value");
		if (!k)
			continue;
		v = v ? v : "";
		size_t len = strlen(k) + strlen(v) + 2;
		char* entry = malloc(len);
		if (!entry)
			return false;
		snprintf(entry, len, "%s=%s", k, v);
		bool ok = ctr_build_env(b, entry);
		free(entry);
		if (!ok)
			return false;
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

/* A record of the runtime's type with its ids, or false (err set) for an unsafe id or OOM. */
static bool start(ctr_build* b, const char* full_id, const cri_map_opts* o, const char* what,
                  char* err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!ctr_id_safe(full_id)) {
		errbuf_set(err, errlen, "%s without a valid id", what);
		return false;
	}
	char sid[CTR_SHORT_ID_LEN + 1];
	size_t n = strnlen(full_id, CTR_SHORT_ID_LEN);
	memcpy(sid, full_id, n);
	sid[n] = '\0';
	if (!ctr_build_start(b, o ? o->type : CTR_TYPE_CRI, o ? o->label_max_len : 100)) {
		errbuf_set(err, errlen, "out of memory");
		return false;
	}
	b->r->size = o ? o->size : -1;
	if (!ctr_str_set(&b->r->id, sid) || !ctr_str_set(&b->r->full_id, full_id)) {
		ctr_build_abort(b);
		errbuf_set(err, errlen, "out of memory");
		return false;
	}
	return true;
}

static bool set_image(ctr_record* r, const Cri__ContainerStatus* st, const char* info,
                      const json_t* doc)
{
	char *image = NULL, *repo = NULL, *tag = NULL, *digest = NULL;
	bool ok = cri_image(st->image_ref, st->image ? st->image->image : "", info, &image, &repo,
	                    &tag, &digest) &&
	          ctr_str_set(&r->image, image) && ctr_str_set(&r->imagerepo, repo) &&
	          ctr_str_set(&r->imagetag, tag) && ctr_str_set(&r->imagedigest, digest);
	free(image);
	free(repo);
	free(tag);
	free(digest);
	/* imageid: after the last ':' of config.image.image, else status.image_id */
	const char* imageid = after_last_colon(jget_str(jget(jget(doc, "config"), "image"), "image"));
	if (!*imageid)
		imageid = after_last_colon(st->image_id);
	return ok && ctr_str_set(&r->imageid, imageid);
}

static void set_resources(ctr_record* r, const Cri__ContainerStatus* st)
{
	const Cri__LinuxContainerResources* res = st->resources ? st->resources->linux : NULL;
	r->cpu_period = res && res->cpu_period > 0 ? res->cpu_period : DEFAULT_CPU_PERIOD;
	r->cpu_shares = res && res->cpu_shares > 0 ? res->cpu_shares : DEFAULT_CPU_SHARES;
	if (res) {
		r->cpu_quota = res->cpu_quota;
		r->cpuset_cpu_count = val_cpuset_count(res->cpuset_cpus);
		r->memory_limit = res->memory_limit_in_bytes;
		r->swap_limit = res->memory_swap_limit_in_bytes;
	}
}

/* The container's own string members and numbers (the sandbox's come after). */
static bool set_members(ctr_record* r, const Cri__ContainerStatus* st, const char* info,
                        const json_t* doc)
{
	r->created_time = st->created_at / 1000000000;
	char uid[24] = "0";
	if (st->user && st->user->linux)
		snprintf(uid, sizeof(uid), "%lld", (long long)st->user->linux->uid);
	set_resources(r, st);
	r->privileged = privileged(doc);
	return set_image(r, st, info, doc) &&
	       ctr_str_set(&r->name, st->metadata ? st->metadata->name : "") &&
	       ctr_str_set(&r->user, uid) && ctr_str_set(&r->pod_sandbox_id, jget_str(doc, "sandboxID"));
}

/* Labels (identity first), probes, mounts, env: most telling first for the budget. */
static bool add_lists(ctr_build* b, const Cri__ContainerStatus* st, const json_t* doc,
                      const Cri__PodSandboxStatus* sb)
{
	pod_identity id = identity_of(sb);
	bool ok = !sb || add_identity_labels(b, &id);
	ADD_MAP_LABELS(b, CTR_LABELS, st->labels, st->n_labels, sb ? &id : NULL);
	if (ok && sb) {
		const char* cname = NULL;
		MAP_FIND(st->labels, st->n_labels, "io.kubernetes.container.name", cname);
		ok = add_sandbox_labels(b, CTR_POD_LABELS, sb, NULL) &&
		     add_probes(b, sb, cname ? cname : b->r->name);
	}
	return ok && add_mounts(b, st) && add_env(b, jget(jget(doc, "config"), "envs"));
}

ctr_record* cri_container_record(const Cri__ContainerStatus* st, const char* info,
                                 const Cri__PodSandboxStatus* sb, const char* sb_info,
                                 const cri_map_opts* o, char* err, size_t errlen)
{
	ctr_build b;
	if (!start(&b, st ? st->id : NULL, o, "container status", err, errlen))
		return NULL;
	json_t* doc = parse(info);
	bool ok = set_members(b.r, st, info, doc) && (!sb || set_sandbox_members(b.r, sb, sb_info)) &&
	          ctr_build_scalars(&b) && add_lists(&b, st, doc, sb);
	json_decref(doc);
	b.oom = b.oom || !ok;
	return ctr_build_finish(&b, err, errlen);
}

ctr_record* cri_event_record(const Cri__ContainerEventResponse* ev, const char* id,
                             const cri_map_opts* o, char* err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	for (size_t i = 0; ev && id && i < ev->n_containers_statuses; i++) {
		const Cri__ContainerStatus* st = ev->containers_statuses[i];
		if (st && st->id && !strcmp(st->id, id))
			return cri_container_record(st, NULL, ev->pod_sandbox_status, NULL, o, err, errlen);
	}
	return NULL;
}

ctr_record* cri_sandbox_record(const Cri__PodSandboxStatus* sb, const char* sb_info,
                               const cri_map_opts* o, char* err, size_t errlen)
{
	ctr_build b;
	if (!start(&b, sb ? sb->id : NULL, o, "sandbox status", err, errlen))
		return NULL;
	b.r->is_pod_sandbox = true;
	b.r->created_time = sb->created_at / 1000000000;
	pod_identity id = identity_of(sb);
	bool ok = ctr_str_set(&b.r->name, sb->metadata ? sb->metadata->name : "") &&
	          set_sandbox_members(b.r, sb, sb_info) && ctr_build_scalars(&b) &&
	          add_identity_labels(&b, &id) && add_sandbox_labels(&b, CTR_LABELS, sb, &id) &&
	          add_sandbox_labels(&b, CTR_POD_LABELS, sb, NULL);
	b.oom = b.oom || !ok;
	return ctr_build_finish(&b, err, errlen);
}
