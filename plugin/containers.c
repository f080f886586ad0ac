/*
 * Cache mutations that must keep derived state in step: the metrics
 * (docs/architecture.md "Metrics", computed as gauges as legacy did), the
 * relaxed-rule candidates, and the ceiling on cached containers
 * (docs/architecture.md "Bounded cache"). Event thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "plugin_state.h"

static bool missing_image(const ctr_record* r)
{
	return r && !r->is_pod_sandbox && r->image[0] == '\0' && r->type != CTR_TYPE_HOST;
}

/* The record stored exactly under key (not found through the full-id index). */
static ctr_record* exact(plugin_state* s, const char* key)
{
	ctr_record* r = ctr_cache_get(s->cache, key);
	return r && !strcmp(r->id, key) ? r : NULL;
}

static void update_count(plugin_state* s)
{
	size_t n = ctr_cache_size(s->cache);
	metrics_set(&s->m, METRIC_CONTAINERS, n ? n - 1 : 0); /* minus the host record */
}

/*
 * A Kubernetes container that both the CRI engine and the containerd engine
 * see (one runtime, two APIs) keeps the CRI record: it has the pod's
 * metadata, and a containerd record arriving later must not flip fields back.
 */
static bool outranked(const ctr_record* old, const ctr_record* r)
{
	return old && r->type == CTR_TYPE_CONTAINERD &&
	       (old->type == CTR_TYPE_CRI || old->type == CTR_TYPE_CRIO);
}

/* The engine's record of a container whose processes were seen before it came. */
static bool late(plugin_state* s, const ctr_record* old, const ctr_record* r)
{
	if (r->provisional)
		return false;
	return old ? old->provisional : idset_get(&s->bundle_peeked, r->id, NULL);
}

/* ---- the ceiling --------------------------------------------------------------- */

typedef struct victims {
	plugin_state* s;
	const ctr_record* keep; /* the record being added */
	size_t want;
	char** keys;
	size_t n;
	uint64_t* stamps; /* pass 2: the recency of every candidate */
	size_t nstamps, cap;
} victims;

/*
 * Evictable: in the table only (refs == 1: no pin of the host's, not the
 * last container event's record), not the host record nor the one added.
 */
static bool evictable(const victims* v, const char* key, const ctr_record* r)
{
	return key[0] && r != v->keep && r->refs == 1;
}

static bool pick_exited(void* arg, const char* key, ctr_record* r)
{
	victims* v = arg;
	if (evictable(v, key, r) && r->exited && v->n < v->want)
		v->keys[v->n++] = (char*)key;
	return v->n < v->want;
}

/* Pass 2 runs only when pass 1 took every exited record: those are left out here. */
static bool gather_stamps(void* arg, const char* key, ctr_record* r)
{
	victims* v = arg;
	if (evictable(v, key, r) && !r->exited && v->nstamps < v->cap)
		v->stamps[v->nstamps++] = r->used;
	return true;
}

static int cmp_u64(const void* a, const void* b)
{
	uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
	return (x > y) - (x < y);
}

typedef struct older {
	victims* v;
	uint64_t cut; /* records used at or before this go */
} older;

static bool pick_older(void* arg, const char* key, ctr_record* r)
{
	older* o = arg;
	victims* v = o->v;
	if (evictable(v, key, r) && !r->exited && r->used <= o->cut && v->n < v->want)
		v->keys[v->n++] = (char*)key;
	return v->n < v->want;
}

/* Least recently used of the rest: the want-th smallest stamp is the cut. */
static void pick_least_recent(victims* v)
{
	v->cap = ctr_cache_size(v->s->cache);
	v->stamps = malloc(v->cap * sizeof(*v->stamps));
	if (!v->stamps)
		return;
	ctr_cache_foreach(v->s->cache, gather_stamps, v);
	size_t need = v->want - v->n;
	if (v->nstamps) {
		qsort(v->stamps, v->nstamps, sizeof(*v->stamps), cmp_u64);
		older o = {v, v->stamps[(need < v->nstamps ? need : v->nstamps) - 1]};
		ctr_cache_foreach(v->s->cache, pick_older, &o);
	}
	free(v->stamps);
}

/*
 * Past the ceiling, a few records go at once (1/64 of it): one walk of the
 * cache then serves the next insertions, instead of a walk per container
 * at steady churn. Exited containers first (their removal is on its way),
 * then the least recently looked up.
 */
static void enforce_ceiling(plugin_state* s, const ctr_record* keep)
{
	size_t max = (size_t)s->cfg.max_containers, n = ctr_cache_size(s->cache) - 1;
	if (!max || n <= max)
		return;
	size_t batch = max / 64 ? max / 64 : 1;
	victims v = {.s = s, .keep = keep, .want = n - max + batch - 1};
	if (v.want > n)
		v.want = n;
	v.keys = malloc(v.want * sizeof(*v.keys));
	if (!v.keys)
		return;
	ctr_cache_foreach(s->cache, pick_exited, &v);
	if (v.n < v.want)
		pick_least_recent(&v);
	/* Keys point into the records: copy each before its record goes. */
	for (size_t i = 0; i < v.n; i++)
		v.keys[i] = strdup(v.keys[i]);
	for (size_t i = 0; i < v.n; i++) {
		if (v.keys[i])
			containers_erase(s, v.keys[i]);
		free(v.keys[i]);
	}
	metrics_add(&s->m, METRIC_CACHE_EVICTIONS, (int64_t)v.n);
	free(v.keys);
}

/* ---- operations ------------------------------------------------------------------ */

void containers_put(plugin_state* s, ctr_record* r)
{
	/* An empty id would replace the host record (upstream defect 23). */
	if (!r->id[0] || r->type == CTR_TYPE_HOST)
		return;
	ctr_record* old = exact(s, r->id);
	if (outranked(old, r))
		return;
	int64_t delta = (int64_t)missing_image(r) - (int64_t)missing_image(old);
	bool was_late = late(s, old, r);
	r->used = ++s->use_tick;
	if (!ctr_cache_put(s->cache, r->id, r)) {
		plog_error(&s->log, "out of memory caching container %s", r->id);
		return;
	}
	metrics_add(&s->m, METRIC_MISSING_IMAGES, delta);
	metrics_add(&s->m, METRIC_LATE_RECORDS, was_late);
	if (!old)
		enforce_ceiling(s, r);
	update_count(s);
}

void containers_erase(plugin_state* s, const char* id)
{
	ctr_record* old = id[0] ? exact(s, id) : NULL;
	if (!old || old == s->host_rec)
		return;
	if (missing_image(old))
		metrics_add(&s->m, METRIC_MISSING_IMAGES, -1);
	ctr_cache_erase(s->cache, id);
	update_count(s);
}

ctr_record* containers_get(plugin_state* s, const char* id)
{
	ctr_record* r = ctr_cache_get(s->cache, id);
	if (r)
		r->used = ++s->use_tick; /* recency for the ceiling: a store, no allocation */
	return r;
}
