/*
 * What every engine kind shares: construction and release of instances,
 * squaring the containers an instance announced with a fresh listing, and
 * finding rootless engines' sockets under /run/user.
 */
#include "engine.h"

#include "inspect.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

engine* engine_new(const engine_ops* ops, const engine_env* env, const char* socket, void* priv)
{
	engine* e = calloc(1, sizeof(*e));
	size_t len = strlen(env->cfg->host_root) + strlen(socket) + 1;
	char* path = malloc(len);
	if (!e || !path) {
		free(e);
		free(path);
		return NULL;
	}
	snprintf(path, len, "%s%s", env->cfg->host_root, socket);
	e->ops = ops;
	e->env = env;
	e->socket = path;
	e->priv = priv;
	return e;
}

void engine_free(engine* e)
{
	if (!e)
		return;
	e->ops->destroy(e);
	free(e->socket);
	free(e);
}

bool engine_announce(engine* e, engine_report what, const ctr_record* r)
{
	e->n_added += what == ENGINE_REPORT_ADDED;
	return e->env->report(e->env->report_arg, what, r);
}

bool engine_report_known(engine* e, idset* known, const char* key, engine_report what,
                         const ctr_record* r)
{
	bool ok = engine_announce(e, what, r);
	/* A lost removal leaves the host with the container; a lost addition, without. */
	if ((what == ENGINE_REPORT_REMOVED) == ok)
		idset_del(known, key);
	else
		idset_put(known, key, 0);
	return ok;
}

bool engine_report_removed(engine* e, uint32_t type, const char* id)
{
	ctr_record* r = inspect_minimal(type, id, "");
	bool ok = r && engine_announce(e, ENGINE_REPORT_REMOVED, r);
	ctr_record_unref(r);
	return ok;
}

typedef struct reconcile {
	engine* e;
	idset* known;
	const idset* listed;
	idset vanished;
	bool (*gone)(engine* e, const char* id);
} reconcile;

/* A known id on OOM stays known: it is reported at the next listing instead. */
static void collect_vanished(void* arg, const char* id)
{
	reconcile* r = arg;
	if (!idset_get(r->listed, id, NULL))
		idset_put(&r->vanished, id, 0);
}

/* A removal the host did not get keeps the id known: the next listing reports it again. */
static void forget(void* arg, const char* id)
{
	reconcile* r = arg;
	if (r->gone(r->e, id))
		idset_del(r->known, id);
}

static void add_listed(void* arg, const char* id)
{
	idset_put(arg, id, 0);
}

void engine_reconcile(engine* e, idset* known, const idset* listed,
                      bool (*gone)(engine* e, const char* id))
{
	reconcile r = {e, known, listed, {0}, gone};
	/* Collected first: known must not change while it is walked, and gone may change it. */
	idset_foreach(known, collect_vanished, &r);
	idset_foreach(&r.vanished, forget, &r);
	idset_free(&r.vanished);
	idset_foreach(listed, add_listed, known);
}

static void forget_one(void* arg, const char* id)
{
	idset_del(arg, id);
}

void engine_forget(idset* known, const idset* lost)
{
	idset_foreach(lost, forget_one, known);
}

void engine_queue_init(engine_queue* q, size_t item_size)
{
	*q = (engine_queue){NULL, item_size, 0, false};
}

void* engine_queue_slot(engine_queue* q)
{
	if (!q->items && !(q->items = calloc(ENGINE_QUEUE_MAX, q->size)))
		q->lost = true;
	if (!q->items || q->n == ENGINE_QUEUE_MAX) {
		q->lost = true;
		return NULL;
	}
	void* slot = q->items + q->n * q->size;
	memset(slot, 0, q->size);
	return slot;
}

void engine_queue_commit(engine_queue* q)
{
	q->n++;
}

bool engine_queue_drain(engine_queue* q, engine* e, void (*fn)(engine* e, void* item),
                        void (*free_item)(void* item))
{
	if (e && e->env)
		metrics_add(e->env->m, METRIC_ENGINE_EVENTS, (int64_t)q->n);
	for (size_t i = 0; i < q->n; i++) {
		fn(e, q->items + i * q->size);
		if (free_item)
			free_item(q->items + i * q->size);
	}
	q->n = 0;
	bool lost = q->lost;
	q->lost = false;
	return lost;
}

void engine_queue_free(engine_queue* q, void (*free_item)(void* item))
{
	for (size_t i = 0; free_item && i < q->n; i++)
		free_item(q->items + i * q->size);
	free(q->items);
	engine_queue_init(q, q->size);
}

size_t engine_user_sockets(const char* host_root, const char* leaf, char*** paths)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/run/user", host_root);
	*paths = NULL;
	DIR* d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent* de;
	while ((de = readdir(d))) {
		if (!de->d_name[0] || strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		char rel[512], abs[4608];
		struct stat st;
		snprintf(rel, sizeof(rel), "/run/user/%s/%s", de->d_name, leaf);
		snprintf(abs, sizeof(abs), "%s%s", host_root, rel);
		char** np = stat(abs, &st) == 0 ? realloc(*paths, (n + 1) * sizeof(char*)) : NULL;
		if (np && (np[n] = strdup(rel))) {
			*paths = np;
			n++;
		} else if (np) {
			*paths = np;
		}
	}
	closedir(d);
	return n;
}
