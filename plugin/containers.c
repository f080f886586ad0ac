/*
 * Cache mutations that must keep derived state in step: the metrics
 * (docs/architecture.md "Metrics", computed as gauges as legacy did) and the
 * relaxed-rule candidates. Event thread only.
 */
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
	atomic_store(&s->n_containers, n ? n - 1 : 0); /* minus the host record */
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

void containers_put(plugin_state* s, ctr_record* r)
{
	/* An empty id would replace the host record (upstream defect 23). */
	if (!r->id[0] || r->type == CTR_TYPE_HOST)
		return;
	ctr_record* old = exact(s, r->id);
	if (outranked(old, r))
		return;
	int64_t delta = (int64_t)missing_image(r) - (int64_t)missing_image(old);
	if (!ctr_cache_put(s->cache, r->id, r)) {
		plog_error(&s->log, "out of memory caching container %s", r->id);
		return;
	}
	atomic_fetch_add(&s->n_missing_images, (uint64_t)delta);
	update_count(s);
}

void containers_erase(plugin_state* s, const char* id)
{
	ctr_record* old = id[0] ? exact(s, id) : NULL;
	if (!old || old == s->host_rec)
		return;
	if (missing_image(old))
		atomic_fetch_sub(&s->n_missing_images, 1);
	ctr_cache_erase(s->cache, id);
	update_count(s);
}

ctr_record* containers_get(plugin_state* s, const char* id)
{
	return ctr_cache_get(s->cache, id);
}
