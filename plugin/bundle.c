/*
 * Provisional records from the OCI bundle (bundle.h). The runtime shim of a
 * container (containerd-shim-runc-v2) runs in the container's bundle
 * directory, named after the container id, and is the parent of the
 * container's first process (its subreaper); processes the container starts
 * are a few levels below. So the bundle is found from a thread by walking up
 * its parents, through /proc, until a working directory named after the id.
 */
#include "bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctr_cache.h"
#include "idset.h"

/* Parents looked at above a thread (itself first): shim -> container init -> its children... */
#define BUNDLE_MAX_DEPTH 4
/* A CRI bundle's config.json is a few KiB; a large environment makes tens. */
#define BUNDLE_MAX_BYTES (256 * 1024)
/* Ids remembered as looked at; past that the set starts over (a rare second look). */
#define BUNDLE_MAX_PEEKED 4096

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

int bundle_find(const char* proc_root, int64_t pid, const char* id, char* dir, size_t dir_size,
                char* full_id, size_t full_id_size)
{
	size_t idlen = strlen(id);
	if (idlen < CTR_SHORT_ID_LEN)
		return 0;
	for (int depth = 0; depth <= BUNDLE_MAX_DEPTH && pid > 1; depth++) {
		if (depth && (pid = parent_of(proc_root, pid)) <= 1)
			return 0;
		char link[300], cwd[4096];
		snprintf(link, sizeof(link), "%s/%lld/cwd", proc_root, (long long)pid);
		ssize_t n = readlink(link, cwd, sizeof(cwd) - 1);
		if (n <= 0) {
			if (depth == 0)
				return -1; /* the thread's process is gone: nothing learnt */
			continue;
		}
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

/* The fields the annotations give; the rest keeps the record's defaults. */
static bool fill(ctr_record* r, json_t* a, const char* full_id)
{
	char short_id[CTR_SHORT_ID_LEN + 1];
	snprintf(short_id, sizeof(short_id), "%s", full_id);
	const char* image = ann(a, ANN "image-name");
	char *repo = NULL, *tag = NULL;
	bool ok = ctr_image_split_repo_tag(image, &repo, &tag);
	r->type = CTR_TYPE_CONTAINERD;
	ok = ok && ctr_str_set(&r->id, short_id) && ctr_str_set(&r->full_id, full_id) &&
	     ctr_str_set(&r->name, ann(a, ANN "container-name")) && ctr_str_set(&r->image, image) &&
	     ctr_str_set(&r->imagerepo, repo) && ctr_str_set(&r->imagetag, tag) &&
	     ctr_str_set(&r->pod_sandbox_id, ann(a, ANN "sandbox-id")) &&
	     label(r, "io.kubernetes.container.name", ann(a, ANN "container-name")) &&
	     label(r, "io.kubernetes.pod.name", ann(a, ANN "sandbox-name")) &&
	     label(r, "io.kubernetes.pod.namespace", ann(a, ANN "sandbox-namespace")) &&
	     label(r, "io.kubernetes.pod.uid", ann(a, ANN "sandbox-uid"));
	free(repo);
	free(tag);
	return ok;
}

ctr_record* bundle_record_from_dir(const char* dir, const char* full_id)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/config.json", dir);
	char* buf = malloc(BUNDLE_MAX_BYTES);
	ssize_t n = buf ? read_small(path, buf, BUNDLE_MAX_BYTES) : -1;
	json_t* doc = n > 0 ? json_loadb(buf, (size_t)n, 0, NULL) : NULL;
	free(buf);
	json_t* a = json_object_get(doc, "annotations");
	ctr_record* r = NULL;
	/* containers only: a sandbox's record also needs what only the engine knows */
	if (!strcmp(ann(a, ANN "container-type"), "container") &&
	    *ann(a, ANN "container-name") && (r = ctr_record_new())) {
		if (fill(r, a, full_id)) {
			ctr_record_finalize(r);
		} else {
			ctr_record_unref(r);
			r = NULL;
		}
	}
	json_decref(doc);
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
	if (idset_get(&s->bundle_peeked, id, NULL))
		return NULL;
	/* the thread's own pid when the host has the field, else its parent */
	int64_t pid = s->th.pid ? thread_read_i64(s, t, e, s->th.pid) : 0;
	if (pid <= 0)
		pid = thread_read_i64(s, t, e, s->th.ptid);
	char root[512], dir[600], full_id[128];
	proc_root(root, sizeof(root));
	int found = pid > 0 ? bundle_find(root, pid, id, dir, sizeof(dir), full_id, sizeof(full_id))
	                    : 0;
	if (found < 0)
		return NULL; /* a runtime's short-lived helper: the next process will tell */
	if (idset_count(&s->bundle_peeked) >= BUNDLE_MAX_PEEKED)
		idset_free(&s->bundle_peeked); /* leaves it empty and usable */
	idset_put(&s->bundle_peeked, id, 0);
	ctr_record* r = found ? bundle_record_from_dir(dir, full_id) : NULL;
	if (!r)
		return NULL;
	plog_debug(&s->log, "container %s: provisional record from its bundle", r->id);
	containers_put(s, r);
	ctr_record_unref(r);
	return containers_get(s, id);
}
