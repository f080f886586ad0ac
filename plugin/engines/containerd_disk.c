/*
 * containerd's own files (containerd_disk.h). The database layout this reads:
 * v1/<namespace>/containers/<id>/{image, labels/<k>=<v>, spec, createdat},
 * and v1/<namespace>/images/<name>/target/{digest, size}. spec is a
 * protobuf Any holding the OCI spec's JSON, createdat is Go's binary time.
 */
#include "containerd_disk.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bolt.h"
#include "errbuf.h"

#define DB_SUFFIX "/io.containerd.metadata.v1.bolt/meta.db"
/* Bounds of the /proc walk (once per attach, on the engine's thread). */
#define FIND_MAX_PIDS 65536
#define FIND_MAX_FDS 4096
#define FIND_MAX_SOCKETS 256
#define FIND_MAX_UNIX (4 * 1024 * 1024)
/* Labels read from one container: more is hostile, the API's answer has the rest. */
#define DISK_MAX_LABELS 4096
/* Go's binary time counts seconds from January 1 of year 1. */
#define GO_EPOCH_TO_UNIX 62135596800ll

/* ---- the registry ---- */

void containerd_dbs_init(containerd_dbs* d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->mu, NULL);
}

void containerd_dbs_free(containerd_dbs* d)
{
	for (unsigned i = 0; i < d->n; i++)
		free(d->path[i]);
	d->n = 0;
	pthread_mutex_destroy(&d->mu);
}

void containerd_dbs_add(containerd_dbs* d, const char* path)
{
	char* copy = strdup(path);
	if (!copy)
		return;
	pthread_mutex_lock(&d->mu);
	bool known = false;
	for (unsigned i = 0; i < d->n && !known; i++)
		known = !strcmp(d->path[i], path);
	if (!known && d->n == CONTAINERD_DBS_MAX) {
		free(d->path[0]);
		memmove(d->path, d->path + 1, (CONTAINERD_DBS_MAX - 1) * sizeof(char*));
		d->n--;
	}
	if (!known)
		d->path[d->n++] = copy;
	pthread_mutex_unlock(&d->mu);
	if (known)
		free(copy);
}

unsigned containerd_dbs_copy(containerd_dbs* d, char** out, unsigned max)
{
	unsigned n = 0;
	if (!atomic_load_explicit(&d->n, memory_order_relaxed))
		return 0;
	pthread_mutex_lock(&d->mu);
	for (unsigned i = 0; i < d->n && n < max; i++)
		if ((out[n] = strdup(d->path[i])))
			n++;
	pthread_mutex_unlock(&d->mu);
	return n;
}

/* ---- finding the database ---- */

static bool is_pid(const char* s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static bool comm_is(const char* proc, const char* pid, const char* want)
{
	char path[512], buf[64] = "";
	snprintf(path, sizeof(path), "%s/%s/comm", proc, pid);
	FILE* f = fopen(path, "re");
	bool ok = f && fgets(buf, sizeof(buf), f);
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ok && !strcmp(buf, want);
}

/* What a containerd process has open: its database and its sockets' inodes. */
typedef struct daemon_fds {
	char db[1024];
	unsigned long inode[FIND_MAX_SOCKETS];
	unsigned n_inodes;
} daemon_fds;

static void scan_fds(const char* proc, const char* pid, daemon_fds* out)
{
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s/fd", proc, pid);
	DIR* d = opendir(dir);
	struct dirent* de;
	for (int n = 0; d && n < FIND_MAX_FDS && (de = readdir(d)); n++) {
		char link[600], target[1024];
		if (snprintf(link, sizeof(link), "%s/%s", dir, de->d_name) >= (int)sizeof(link))
			continue;
		ssize_t len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		size_t sl = sizeof(DB_SUFFIX) - 1;
		unsigned long ino;
		/* the open file itself: its path may be in another root or mount namespace */
		if ((size_t)len > sl && !strcmp(target + len - sl, DB_SUFFIX))
			snprintf(out->db, sizeof(out->db), "%s", link);
		else if (sscanf(target, "socket:[%lu]", &ino) == 1 && out->n_inodes < FIND_MAX_SOCKETS)
			out->inode[out->n_inodes++] = ino;
	}
	if (d)
		closedir(d);
}

/* The configured path names the daemon's socket path, maybe under HOST_ROOT. */
static bool same_socket(const char* configured, const char* seen)
{
	size_t c = strlen(configured), s = strlen(seen);
	return s && c >= s && !strcmp(configured + c - s, seen) &&
	       (c == s || configured[c - s - 1] == '/' || seen[0] == '/');
}

/* True when one of the daemon's sockets listens on SOCKET (its net/unix table). */
static bool serves(const char* proc, const char* pid, const daemon_fds* fds, const char* socket)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s/net/unix", proc, pid);
	FILE* f = fopen(path, "re");
	char line[1024];
	bool found = false;
	size_t read = 0;
	while (f && !found && read < FIND_MAX_UNIX && fgets(line, sizeof(line), f)) {
		read += strlen(line);
		unsigned long ino;
		char name[sizeof(line)];
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu %1023s", &ino, name) != 2 ||
		    !same_socket(socket, name))
			continue;
		for (unsigned i = 0; i < fds->n_inodes && !found; i++)
			found = fds->inode[i] == ino;
	}
	if (f)
		fclose(f);
	return found;
}

char* containerd_disk_find_db(const char* proc_root, const char* socket)
{
	DIR* d = opendir(proc_root);
	char only[1024] = "";
	int n_dbs = 0;
	struct dirent* de;
	char* found = NULL;
	daemon_fds* fds = malloc(sizeof(*fds));
	for (int n = 0; d && fds && !found && n < FIND_MAX_PIDS && (de = readdir(d)); n++) {
		if (!is_pid(de->d_name) || !comm_is(proc_root, de->d_name, "containerd"))
			continue;
		fds->db[0] = '\0';
		fds->n_inodes = 0;
		scan_fds(proc_root, de->d_name, fds);
		if (!fds->db[0])
			continue;
		if (socket && serves(proc_root, de->d_name, fds, socket))
			found = strdup(fds->db);
		else if (n_dbs++ == 0)
			snprintf(only, sizeof(only), "%s", fds->db);
	}
	if (d)
		closedir(d);
	free(fds);
	return found ? found : n_dbs == 1 ? strdup(only) : NULL;
}

/* ---- the record ---- */

static char* dup_val(const bolt_item* it)
{
	return strndup((const char*)it->val, it->vlen);
}

typedef struct labels {
	Ctrd__Container__LabelsEntry** v;
	size_t n;
	bool oom;
} labels;

static bool add_label(void* arg, const bolt_item* it)
{
	labels* l = arg;
	if (it->is_bucket)
		return true;
	if (l->n == DISK_MAX_LABELS)
		return false;
	Ctrd__Container__LabelsEntry* e = malloc(sizeof(*e));
	Ctrd__Container__LabelsEntry** grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	if (grown)
		l->v = grown;
	if (!e || !grown) {
		free(e);
		l->oom = true;
		return false;
	}
	*e = (Ctrd__Container__LabelsEntry)CTRD__CONTAINER__LABELS_ENTRY__INIT;
	e->key = strndup((const char*)it->key, it->klen);
	e->value = dup_val(it);
	l->v[l->n++] = e;
	l->oom = !e->key || !e->value;
	return !l->oom;
}

static void labels_free(labels* l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]->key);
		free(l->v[i]->value);
		free(l->v[i]);
	}
	free(l->v);
}

static int64_t be(const uint8_t* p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/* Go's time.MarshalBinary: version 1 or 2, seconds since year 1, nanoseconds, zone. */
static int64_t go_time(const bolt_item* it)
{
	if (it->vlen < 15 || (it->val[0] != 1 && it->val[0] != 2))
		return 0;
	return be(it->val + 1, 8) - GO_EPOCH_TO_UNIX;
}

/* Go's binary.PutVarint (zigzag); -1 if unreadable. */
static int64_t go_varint(const bolt_item* it)
{
	uint64_t u = 0;
	for (size_t i = 0; i < it->vlen && i < 10; i++) {
		u |= (uint64_t)(it->val[i] & 0x7f) << (7 * i);
		if (!(it->val[i] & 0x80))
			return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	}
	return -1;
}

/* The image's digest and size (v1/<ns>/images/<name>/target), when listed. */
static void image_target(bolt* db, const bolt_bucket* ns, const char* image, char** digest,
                         int64_t* size)
{
	bolt_bucket images, img, target;
	bolt_item it;
	if (!bolt_bucket_get(db, ns, "images", &images) ||
	    !bolt_bucket_get(db, &images, image, &img) ||
	    !bolt_bucket_get(db, &img, "target", &target))
		return;
	if (bolt_get(db, &target, "digest", 6, &it))
		*digest = dup_val(&it);
	if (bolt_get(db, &target, "size", 4, &it))
		*size = go_varint(&it);
}

static ctr_record* map_container(bolt* db, const bolt_bucket* ns, const bolt_item* key,
                                 const containerd_map_opts* o, char* err, size_t errlen)
{
	bolt_bucket cb;
	bolt_item it;
	if (!bolt_item_bucket(key, &cb))
		return NULL;
	Ctrd__Container c = CTRD__CONTAINER__INIT;
	Ctrd__Timestamp created = CTRD__TIMESTAMP__INIT;
	c.id = strndup((const char*)key->key, key->klen);
	c.image = bolt_get(db, &cb, "image", 5, &it) ? dup_val(&it) : strdup("");
	if (bolt_get(db, &cb, "createdat", 9, &it)) {
		created.seconds = go_time(&it);
		c.created_at = &created;
	}
	Ctrd__Any* spec = bolt_get(db, &cb, "spec", 4, &it) ? ctrd__any__unpack(NULL, it.vlen, it.val)
	                                                    : NULL;
	c.spec = spec;
	labels l = {0};
	bolt_bucket lb;
	if (bolt_bucket_get(db, &cb, "labels", &lb))
		bolt_foreach(db, &lb, add_label, &l);
	c.labels = l.v;
	c.n_labels = l.n;
	containerd_extra x = {.image_size = -1};
	char* digest = NULL;
	if (c.image && *c.image)
		image_target(db, ns, c.image, &digest, &x.image_size);
	x.image_digest = digest;
	ctr_record* r = c.id && c.image && !l.oom ? containerd_record(&c, &x, o, err, errlen) : NULL;
	if (spec)
		protobuf_c_message_free_unpacked(&spec->base, NULL);
	labels_free(&l);
	free(digest);
	free(c.id);
	free(c.image);
	return r;
}

static bool has_prefix(const bolt_item* it, const char* prefix, size_t n)
{
	return it->klen >= n && !memcmp(it->key, prefix, n);
}

/*
 * The container of ns named PREFIX, or the only one starting with it:
 * 1 found (into out), 0 none, -1 several.
 */
static int find_in(bolt* db, const bolt_bucket* containers, const char* prefix, bolt_item* out)
{
	size_t n = strlen(prefix);
	if (!bolt_seek(db, containers, prefix, n, out) || !has_prefix(out, prefix, n))
		return 0;
	if (out->klen == n)
		return 1;
	/* the next key after out's: out's key with a zero byte appended */
	char next[512];
	bolt_item after;
	if (out->klen + 1 > sizeof(next))
		return -1;
	memcpy(next, out->key, out->klen);
	next[out->klen] = '\0';
	bool more = bolt_seek(db, containers, next, out->klen + 1, &after) &&
	            has_prefix(&after, prefix, n);
	return more ? -1 : 1;
}

typedef struct ns_walk {
	bolt* db;
	const char* prefix;
	const containerd_map_opts* o;
	char* err;
	size_t errlen;
	ctr_record* r;
	int hits;
} ns_walk;

static bool look_in_ns(void* arg, const bolt_item* it)
{
	ns_walk* w = arg;
	bolt_bucket ns, containers;
	bolt_item c;
	if (!bolt_item_bucket(it, &ns) || !bolt_bucket_get(w->db, &ns, "containers", &containers))
		return true;
	int found = find_in(w->db, &containers, w->prefix, &c);
	if (found < 0 || (found > 0 && w->hits++)) {
		ctr_record_unref(w->r);
		w->r = NULL;
		errbuf_set(w->err, w->errlen, "%s: more than one container starts so", w->prefix);
		return false;
	}
	if (found > 0)
		w->r = map_container(w->db, &ns, &c, w->o, w->err, w->errlen);
	return true;
}

ctr_record* containerd_disk_record(const char* path, const char* prefix,
                                   const containerd_map_opts* o, char* err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!prefix[0])
		return NULL;
	bolt* db = bolt_open(path, err, errlen);
	if (!db)
		return NULL;
	bolt_bucket root = bolt_root(db), v1;
	ns_walk w = {db, prefix, o, err, errlen, NULL, 0};
	if (bolt_bucket_get(db, &root, "v1", &v1))
		bolt_foreach(db, &v1, look_in_ns, &w);
	bolt_close(db);
	return w.r;
}
