/*
 * Provisional records from the OCI bundle (bundle.h). The runtime shim of a
 * container (containerd-shim-runc-v2, for Docker too) runs in the container's
 * bundle directory, named after the container id, and is the parent of the
 * container's first process (its subreaper); Podman's conmon plays that part
 * with the bundle on its command line. Processes the container starts are a
 * few levels below. So the bundle is found from a thread by walking up its
 * parents, through /proc; the engine's own files are then found from it.
 */
#include "bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "containerd_disk.h"
#include "idset.h"

/* Parents looked at above a thread (itself first): shim -> container init -> its children... */
#define BUNDLE_MAX_DEPTH 4
/* A CRI bundle's config.json is a few KiB; a large environment makes tens. */
#define BUNDLE_MAX_BYTES (256 * 1024)
/* Ids remembered as looked at; past that the set starts over (a rare second look). */
#define BUNDLE_MAX_PEEKED 4096
/* Looks at one id's processes, while each ends on a process gone, before giving
 * up on its bundle (runc's stages and a container's first execs are short-lived). */
#define BUNDLE_MAX_LOOKS 6

/* conmon's command line is a few KiB (paths and exit-command arguments). */
#define BUNDLE_MAX_CMDLINE (64 * 1024)
/* c/storage's containers.json: ~0.5 KiB a container, ~2,000 containers. */
#define BUNDLE_MAX_STORE (1024 * 1024)
/* Entries read at most in a shim's namespace directory (one per task). */
#define BUNDLE_MAX_SIBLINGS 4096
/* Where containerd's runc shims keep their bundles: <state>/<this>/<namespace>/<id>. */
#define SHIM_TASK_DIR "/io.containerd.runtime.v2.task/"

#define ANN "io.kubernetes.cri."

/* Reads at most size - 1 bytes of path into buf; the length, -1 if unreadable or larger. */
static ssize_t read_small(const char* path, char* buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	size_t n = 0;
	ssize_t r;
	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	bool more = n == size - 1 && read(fd, &(char){0}, 1) > 0;
	close(fd);
	buf[n] = '\0';
	return more ? -1 : (ssize_t)n;
}

static int64_t parent_of(const char* proc_root, int64_t pid)
{
	char path[300], buf[4096];
	snprintf(path, sizeof(path), "%s/%lld/status", proc_root, (long long)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	const char* p = strstr(buf, "\nPPid:");
	return p ? strtoll(p + 6, NULL, 10) : -1;
}

/* A directory named after ID in DIR (a shim's task directory holds its pod's
 * containers side by side); its path into out, its name into full_id. */
static bool sibling(const char* dir, const char* id, char* out, size_t out_size, char* full_id,
                    size_t full_id_size)
{
	DIR* d = opendir(dir);
	size_t idlen = strlen(id);
	bool found = false;
	struct dirent* de;
	for (int n = 0; d && !found && n < BUNDLE_MAX_SIBLINGS && (de = readdir(d)); n++) {
		if (strncmp(de->d_name, id, idlen))
			continue;
		snprintf(out, out_size, "%s/%s", dir, de->d_name);
		snprintf(full_id, full_id_size, "%s", de->d_name);
		found = true;
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * Podman's runtime monitor, conmon, runs where it was started but is told the
 * bundle, <graphroot>/<driver>-containers/<id>/userdata, with -b/--bundle.
 * When PID is a conmon of container ID: the bundle seen through its root into
 * dir, the id into full_id.
 */
static bool conmon_bundle(const char* proc_root, int64_t pid, const char* id, char* dir,
                          size_t dir_size, char* full_id, size_t full_id_size)
{
	char path[300], comm[32];
	snprintf(path, sizeof(path), "%s/%lld/comm", proc_root, (long long)pid);
	if (read_small(path, comm, sizeof(comm)) < 0 || strcmp(comm, "conmon\n"))
		return false;
	char* args = malloc(BUNDLE_MAX_CMDLINE);
	snprintf(path, sizeof(path), "%s/%lld/cmdline", proc_root, (long long)pid);
	ssize_t n = args ? read_small(path, args, BUNDLE_MAX_CMDLINE) : -1;
	const char* bundle = NULL;
	for (const char* a = args; n > 0 && !bundle && a < args + n; a += strlen(a) + 1) {
		const char* next = a + strlen(a) + 1;
		if ((!strcmp(a, "-b") || !strcmp(a, "--bundle")) && next < args + n)
			bundle = next;
		else if (!strncmp(a, "--bundle=", 9))
			bundle = a + 9;
	}
	static const char ud[] = "/userdata";
	size_t bl = bundle ? strlen(bundle) : 0, ul = sizeof(ud) - 1;
	bool ok = bl > ul && !strcmp(bundle + bl - ul, ud);
	if (ok) {
		const char *end = bundle + bl - ul, *start = end;
		while (start > bundle && start[-1] != '/')
			start--;
		ok = !strncmp(start, id, strlen(id));
		if (ok) {
			snprintf(dir, dir_size, "%s/%lld/root%s", proc_root, (long long)pid, bundle);
			snprintf(full_id, full_id_size, "%.*s", (int)(end - start), start);
		}
	}
	free(args);
	return ok;
}

/*
 * 1 when PID's cgroups put it in container ID, 0 when not, -1 when its
 * cgroup file is unreadable (gone) or too long. A process of the container
 * chooses its own working directory and arguments: only the runtime's
 * processes, outside it, say where its bundle is (runc's stages are already
 * in it: their parent, the shim or runc itself, is asked).
 */
static int in_container(const char* proc_root, const cgroup_matchers* ms, int64_t pid,
                        const char* id)
{
	char path[300], buf[8192];
	snprintf(path, sizeof(path), "%s/%lld/cgroup", proc_root, (long long)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	for (char *line = buf, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		const char* p = strchr(line, ':'); /* hierarchy-id:controllers:path */
		p = p ? strchr(p + 1, ':') : NULL;
		cgroup_match m;
		if (p && cgroup_match_path(ms, p + 1, &m) != CGROUP_HOST && !strcmp(m.id, id))
			return 1;
		if (!nl)
			break;
	}
	return 0;
}

int bundle_find(const char* proc_root, const cgroup_matchers* ms, int64_t pid, const char* id,
                char* dir, size_t dir_size, char* full_id, size_t full_id_size)
{
	size_t idlen = strlen(id);
	if (idlen < CTR_SHORT_ID_LEN)
		return 0;
	for (int depth = 0; depth <= BUNDLE_MAX_DEPTH && pid > 1; depth++) {
		/* unreadable: the process exited while we walked (a runc stage, a short
		 * exec); its children are being reparented, so nothing is learnt */
		if (depth && (pid = parent_of(proc_root, pid)) <= 1)
			return pid < 0 ? -1 : 0;
		int in = in_container(proc_root, ms, pid, id);
		if (in < 0)
			return -1;
		if (in)
			continue;
		char link[300], cwd[4096];
		snprintf(link, sizeof(link), "%s/%lld/cwd", proc_root, (long long)pid);
		ssize_t n = readlink(link, cwd, sizeof(cwd) - 1);
		if (n <= 0)
			continue; /* gone: its parent's status tells, next round */
		cwd[n] = '\0';
		const char* base = strrchr(cwd, '/');
		base = base ? base + 1 : cwd;
		if (!strncmp(base, id, idlen)) {
			snprintf(dir, dir_size, "%s", link);
			snprintf(full_id, full_id_size, "%s", base);
			return 1;
		}
		/* a pod's shim works in its sandbox's bundle, next to its containers' */
		if (strstr(cwd, SHIM_TASK_DIR)) {
			char up[320];
			snprintf(up, sizeof(up), "%s/..", link);
			return sibling(up, id, dir, dir_size, full_id, full_id_size);
		}
		if (conmon_bundle(proc_root, pid, id, dir, dir_size, full_id, full_id_size))
			return 1;
	}
	return 0;
}

static const char* ann(json_t* a, const char* key)
{
	const char* v = json_string_value(json_object_get(a, key));
	return v ? v : "";
}

/* One label, as the CRI mapper would have it. */
static bool label(ctr_record* r, const char* key, const char* value)
{
	if (!*value)
		return true;
	ctr_kv* grown = realloc(r->labels, (r->nlabels + 1) * sizeof(*grown));
	if (!grown)
		return false;
	r->labels = grown;
	char *k = strdup(key), *v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return false;
	}
	r->labels[r->nlabels++] = (ctr_kv){k, v, strlen(value)};
	return true;
}

/* id, full_id, type, name, image and its repository and tag. */
static bool identity(ctr_record* r, uint32_t type, const char* full_id, const char* name,
                     const char* image)
{
	char short_id[CTR_SHORT_ID_LEN + 1];
	snprintf(short_id, sizeof(short_id), "%s", full_id);
	char *repo = NULL, *tag = NULL;
	bool ok = ctr_image_split_repo_tag(image, &repo, &tag);
	r->type = type;
	ok = ok && ctr_str_set(&r->id, short_id) && ctr_str_set(&r->full_id, full_id) &&
	     ctr_str_set(&r->name, name) && ctr_str_set(&r->image, image) &&
	     ctr_str_set(&r->imagerepo, repo) && ctr_str_set(&r->imagetag, tag);
	free(repo);
	free(tag);
	return ok;
}

/* containerd's CRI: what its annotations give; the rest keeps the record's defaults. */
static bool fill_cri(ctr_record* r, json_t* a, const char* full_id)
{
	const char* name = ann(a, ANN "container-name");
	return identity(r, CTR_TYPE_CONTAINERD, full_id, name, ann(a, ANN "image-name")) &&
	       ctr_str_set(&r->pod_sandbox_id, ann(a, ANN "sandbox-id")) &&
	       label(r, "io.kubernetes.container.name", name) &&
	       label(r, "io.kubernetes.pod.name", ann(a, ANN "sandbox-name")) &&
	       label(r, "io.kubernetes.pod.namespace", ann(a, ANN "sandbox-namespace")) &&
	       label(r, "io.kubernetes.pod.uid", ann(a, ANN "sandbox-uid"));
}

/* A JSON file of at most BUNDLE_MAX_BYTES, parsed; NULL otherwise. */
static json_t* load_json(const char* path)
{
	char* buf = malloc(BUNDLE_MAX_BYTES);
	ssize_t n = buf ? read_small(path, buf, BUNDLE_MAX_BYTES) : -1;
	json_t* doc = n > 0 ? json_loadb(buf, (size_t)n, 0, NULL) : NULL;
	free(buf);
	return doc;
}

/*
 * Docker's container directory, <data-root>/containers/<id>, as the bundle's
 * /etc/hostname bind mount names it (the bundle itself has no name or image);
 * root + that path + "/config.v2.json" into out. False if there is none.
 */
static bool docker_config_path(json_t* spec, const char* root, const char* full_id, char* out,
                               size_t size)
{
	json_t* mounts = json_object_get(spec, "mounts");
	size_t i;
	json_t* m;
	json_array_foreach(mounts, i, m)
	{
		const char* dest = json_string_value(json_object_get(m, "destination"));
		const char* src = json_string_value(json_object_get(m, "source"));
		if (!dest || !src || strcmp(dest, "/etc/hostname"))
			continue;
		static const char parent[] = "/containers/";
		const char* slash = strrchr(src, '/');
		size_t dlen = slash ? (size_t)(slash - src) : 0; /* src[0..dlen): the directory */
		size_t idlen = strlen(full_id), plen = sizeof(parent) - 1;
		if (dlen < idlen + plen || strncmp(src + dlen - idlen, full_id, idlen) ||
		    strncmp(src + dlen - idlen - plen, parent, plen))
			return false;
		return snprintf(out, size, "%s%.*s/config.v2.json", root, (int)dlen, src) < (int)size;
	}
	return false;
}

static bool fill_docker(ctr_record* r, json_t* cfg, const char* full_id)
{
	const char* name = json_string_value(json_object_get(cfg, "Name"));
	const char* image = json_string_value(json_object_get(json_object_get(cfg, "Config"), "Image"));
	if (!name || !image)
		return false;
	return identity(r, CTR_TYPE_DOCKER, full_id, name[0] == '/' ? name + 1 : name, image);
}

/*
 * The object {"id":"<full_id>",...} of c/storage's containers.json (a list of
 * compact objects, "id" first), parsed alone: the file holds every container.
 */
static json_t* storage_entry(const char* buf, size_t n, const char* full_id)
{
	char key[160];
	int klen = snprintf(key, sizeof(key), "{\"id\":\"%s\"", full_id);
	const char* at = klen > 0 && (size_t)klen < sizeof(key) ? memmem(buf, n, key, (size_t)klen)
	                                                        : NULL;
	int depth = 0;
	bool in_str = false, esc = false;
	for (const char* p = at; p && p < buf + n; p++) {
		if (in_str) {
			if (esc)
				esc = false;
			else if (*p == '\\')
				esc = true;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{') {
			depth++;
		} else if (*p == '}' && --depth == 0) {
			return json_loadb(at, (size_t)(p - at + 1), 0, NULL);
		}
	}
	return NULL;
}

/* Podman: libpod's metadata in the storage entry has the name and image. */
static bool fill_podman(ctr_record* r, json_t* entry, const char* full_id)
{
	const char* md = json_string_value(json_object_get(entry, "metadata"));
	json_t* meta = md ? json_loads(md, 0, NULL) : NULL;
	const char* name = json_string_value(json_object_get(meta, "name"));
	const char* image = json_string_value(json_object_get(meta, "image-name"));
	bool ok = name && image && identity(r, CTR_TYPE_PODMAN, full_id, name, image);
	json_decref(meta);
	return ok;
}

/* A record filled by fill(r, doc, full_id), or NULL. */
static ctr_record* record_of(bool (*fill)(ctr_record*, json_t*, const char*), json_t* doc,
                             const char* full_id)
{
	ctr_record* r = ctr_record_new();
	if (r && fill(r, doc, full_id)) {
		ctr_record_finalize(r);
		return r;
	}
	ctr_record_unref(r);
	return NULL;
}

static bool ends_with(const char* s, const char* suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* Podman's bundle is <graphroot>/<driver>-containers/<id>/userdata; the
 * storage's containers.json is two levels up. */
static ctr_record* podman_record(const char* dir, const char* full_id)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/../../containers.json", dir);
	char* buf = malloc(BUNDLE_MAX_STORE);
	ssize_t n = buf ? read_small(path, buf, BUNDLE_MAX_STORE) : -1;
	json_t* entry = n > 0 ? storage_entry(buf, (size_t)n, full_id) : NULL;
	free(buf);
	ctr_record* r = entry ? record_of(fill_podman, entry, full_id) : NULL;
	json_decref(entry);
	return r;
}

ctr_record* bundle_record_from_dir(const char* dir, const char* root, const char* full_id)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/config.json", dir);
	json_t* spec = load_json(path);
	json_t* a = json_object_get(spec, "annotations");
	ctr_record* r = NULL;
	if (*ann(a, ANN "container-type")) {
		/* containers only: a sandbox's record also needs what only the engine knows */
		if (!strcmp(ann(a, ANN "container-type"), "container") && *ann(a, ANN "container-name"))
			r = record_of(fill_cri, a, full_id);
	} else if (docker_config_path(spec, root, full_id, path, sizeof(path))) {
		json_t* cfg = load_json(path);
		r = record_of(fill_docker, cfg, full_id);
		json_decref(cfg);
	} else if (ends_with(dir, "/userdata")) {
		r = podman_record(dir, full_id);
	}
	json_decref(spec);
	return r;
}

/* Where /proc is: under HOST_ROOT when Falco runs in a container, as libscap does. */
static void proc_root(char* buf, size_t size)
{
	const char* root = getenv("HOST_ROOT");
	snprintf(buf, size, "%s/proc", root ? root : "");
}

const ctr_record* bundle_provisional(plugin_state* s, const table_access* t,
                                     ss_plugin_table_entry_t* e, const char* id)
{
	/* The stamp counts the looks at this id: a bounded few, never one per event. */
	uint64_t looks = 0;
	if (idset_get(&s->bundle_peeked, id, &looks) && looks >= BUNDLE_MAX_LOOKS)
		return NULL;
	/* the thread's own pid when the host has the field, else its parent */
	int64_t pid = s->th.pid ? thread_read_i64(s, t, e, s->th.pid) : 0;
	if (pid <= 0)
		pid = thread_read_i64(s, t, e, s->th.ptid);
	char root[512], dir[600], full_id[128];
	proc_root(root, sizeof(root));
	const cgroup_matchers* ms = &s->matchers;
	int found = pid > 0 ? bundle_find(root, ms, pid, id, dir, sizeof(dir), full_id, sizeof(full_id))
	                    : 0;
	/* a short-lived exec already gone: its parent (a shell of the container) may not be */
	int64_t ppid = found < 0 && s->th.pid ? thread_read_i64(s, t, e, s->th.ptid) : 0;
	if (ppid > 1)
		found = bundle_find(root, ms, ppid, id, dir, sizeof(dir), full_id, sizeof(full_id));
	if (idset_count(&s->bundle_peeked) >= BUNDLE_MAX_PEEKED)
		idset_free(&s->bundle_peeked); /* leaves it empty and usable */
	/* found < 0: a runtime's short-lived helper; one of the next processes may tell */
	idset_put(&s->bundle_peeked, id, found < 0 ? looks + 1 : BUNDLE_MAX_LOOKS);
	if (found <= 0) {
		plog_debug(&s->log, "container %s: no bundle from pid %lld (%s)", id, (long long)pid,
		           found < 0 ? "a process on the way is gone; looked at again" : "none");
		return NULL;
	}
	/* dir is <root>/<pid>/...: the paths its bundle names are under <root>/<pid>/root */
	char shim_root[600];
	const char* slash = strchr(dir + strlen(root) + 1, '/');
	snprintf(shim_root, sizeof(shim_root), "%.*s/root",
	         (int)(slash ? slash - dir : (ptrdiff_t)strlen(dir)), dir);
	ctr_record* r = bundle_record_from_dir(dir, shim_root, full_id);
	if (!r)
		return NULL;
	plog_debug(&s->log, "container %s: provisional record from its bundle", r->id);
	r->provisional = true;
	containers_put(s, r);
	ctr_record_unref(r);
	return containers_get(s, id);
}

/*
 * A relaxed-rule candidate (docs/decisions.md #1) that containerd's own
 * database holds is a container: containerd writes it there before its task
 * exists. One look per id once a database is known; none before.
 */
const ctr_record* bundle_candidate(plugin_state* s, const char* id)
{
	if (idset_get(&s->bundle_peeked, id, NULL))
		return NULL;
	char* dbs[CONTAINERD_DBS_MAX];
	unsigned n = containerd_dbs_copy(&s->ctrd_dbs, dbs, CONTAINERD_DBS_MAX);
	if (!n)
		return NULL;
	if (idset_count(&s->bundle_peeked) >= BUNDLE_MAX_PEEKED)
		idset_free(&s->bundle_peeked);
	idset_put(&s->bundle_peeked, id, BUNDLE_MAX_LOOKS);
	containerd_map_opts o = {s->cfg.label_max_len, s->cfg.with_size};
	ctr_record* r = NULL;
	char err[256];
	for (unsigned i = 0; i < n; i++) {
		if (!r)
			r = containerd_disk_record(dbs[i], id, &o, err, sizeof(err));
		if (!r && err[0])
			plog_debug(&s->log, "container %s: %s", id, err);
		free(dbs[i]);
	}
	if (!r)
		return NULL;
	plog_debug(&s->log, "container %s: provisional record from containerd's database", r->id);
	r->provisional = true;
	containers_put(s, r);
	ctr_record_unref(r);
	return containers_get(s, id);
}
