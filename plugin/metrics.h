/*
 * The plugin's metrics (docs/architecture.md "Metrics"): one table of
 * definitions (name, type, meaning) that plugin_get_metrics, the README's
 * table (plugin-fields --metrics) and the docs all come from, and the counters
 * behind it. Counters are atomics, relaxed: any thread bumps them (engine
 * threads, the event thread), and a reader only needs each value whole.
 * Hosts publish a metric as "<plugin name>.<name>": container.n_containers.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "plugin_api.h"

typedef enum metric_id {
	/* gauges */
	METRIC_CONTAINERS,
	METRIC_MISSING_IMAGES,
	METRIC_THREADS_ATTACHED,
	METRIC_ENGINES_ATTACHED,
	METRIC_LOOKUPS_PENDING,
	/* counters */
	METRIC_LOOKUPS_ASKED,
	METRIC_LOOKUPS_ANSWERED,
	METRIC_LOOKUPS_NOT_FOUND,
	METRIC_LOOKUPS_FAILED,
	METRIC_LOOKUPS_RETRIED,
	METRIC_LOOKUPS_DROPPED,
	METRIC_ASYNC_CONTAINER,
	METRIC_ASYNC_UPDATED,
	METRIC_ASYNC_REMOVED,
	METRIC_ASYNC_REFUSED,
	METRIC_ASYNC_LOST,
	METRIC_ENGINE_CONNECTS,
	METRIC_ENGINE_RECONNECTS,
	METRIC_ENGINE_DISCONNECTS,
	METRIC_ENGINE_EVENTS,
	METRIC_LATE_RECORDS,
	METRIC_CACHE_EVICTIONS,
	METRIC_COUNT
} metric_id;

typedef struct metric_def {
	const char* name;
	ss_plugin_metric_type type;
	const char* meaning;
} metric_def;

/* Indexed by metric_id, in the order plugin_get_metrics returns them. */
extern const metric_def metric_defs[METRIC_COUNT];

/*
 * Values kept here; the lookup ones live in the lookup tracker (its own
 * lock) and are copied in by the reader. Gauges that go down are kept as
 * signed values in the same slots.
 */
typedef struct metrics {
	_Atomic uint64_t v[METRIC_COUNT];
	ss_plugin_metric out[METRIC_COUNT]; /* what plugin_get_metrics hands out */
} metrics;

/* NULL-safe: units and tests run modules without metrics. */
static inline void metrics_add(metrics* m, metric_id id, int64_t n)
{
	if (m)
		atomic_fetch_add_explicit(&m->v[id], (uint64_t)n, memory_order_relaxed);
}

static inline void metrics_set(metrics* m, metric_id id, uint64_t v)
{
	if (m)
		atomic_store_explicit(&m->v[id], v, memory_order_relaxed);
}

/* A gauge's value, 0 if it went below (a decrement raced ahead of its increment). */
uint64_t metrics_get(metrics* m, metric_id id);

/* Fills m->out from the values (names and types from metric_defs). */
ss_plugin_metric* metrics_export(metrics* m, uint32_t* n);

#endif
