#include "metrics.h"

#define GAUGE SS_PLUGIN_METRIC_TYPE_NON_MONOTONIC
#define COUNTER SS_PLUGIN_METRIC_TYPE_MONOTONIC

/* The meanings are the README's (tools/plugin-fields.c --metrics prints this table). */
const metric_def metric_defs[METRIC_COUNT] = {
    [METRIC_CONTAINERS] = {"n_containers", GAUGE, "Containers in the cache (the host excluded)."},
    [METRIC_MISSING_IMAGES] = {"n_missing_container_images", GAUGE,
                               "Cached containers that are not pod sandboxes and have no image."},
    [METRIC_THREADS_ATTACHED] = {"n_threads_attached", GAUGE,
                                 "Threads the plugin gave a container id, less those that "
                                 "exited since."},
    [METRIC_ENGINES_ATTACHED] = {"n_engines_attached", GAUGE,
                                 "Engine sockets attached now (listed, and streaming events or "
                                 "polling)."},
    [METRIC_LOOKUPS_PENDING] = {"n_lookups_pending", GAUGE,
                                "Container ids seen without a record, waiting for an engine to "
                                "know them."},
    [METRIC_LOOKUPS_ASKED] = {"n_lookups_asked", COUNTER,
                              "Lookups of a container id sent to an engine."},
    [METRIC_LOOKUPS_ANSWERED] = {"n_lookups_answered", COUNTER,
                                 "Lookups an engine answered with the container's record."},
    [METRIC_LOOKUPS_NOT_FOUND] = {"n_lookups_not_found", COUNTER,
                                  "Lookups an engine answered with \"no such container\"."},
    [METRIC_LOOKUPS_FAILED] = {"n_lookups_failed", COUNTER,
                               "Lookups that failed: the engine did not answer in time or "
                               "answered with an error."},
    [METRIC_LOOKUPS_RETRIED] = {"n_lookups_retried", COUNTER,
                                "Lookup rounds started again for an id no engine knew (backoff "
                                "doubling from 30 ms up to 5 min)."},
    [METRIC_LOOKUPS_DROPPED] = {"n_lookups_dropped", COUNTER,
                                "Unknown ids dropped from the bounded set of ids waiting (1024), "
                                "the least recently seen first."},
    [METRIC_ASYNC_CONTAINER] = {"n_events_container", COUNTER,
                                "`container` events the host accepted."},
    [METRIC_ASYNC_UPDATED] = {"n_events_container_updated", COUNTER,
                              "`container_updated` events the host accepted."},
    [METRIC_ASYNC_REMOVED] = {"n_events_container_removed", COUNTER,
                              "`container_removed` events the host accepted."},
    [METRIC_ASYNC_REFUSED] = {"n_events_refused", COUNTER,
                              "Event emissions the host refused (its queue was full); each is "
                              "kept and tried again."},
    [METRIC_ASYNC_LOST] = {"n_events_lost", COUNTER,
                           "Events lost: refused by the host while 4096 others waited for a "
                           "retry."},
    [METRIC_ENGINE_CONNECTS] = {"n_engine_connects", COUNTER,
                                "Engine sockets attached for the first time."},
    [METRIC_ENGINE_RECONNECTS] = {"n_engine_reconnects", COUNTER,
                                  "Engine sockets attached again after they went away."},
    [METRIC_ENGINE_DISCONNECTS] = {"n_engine_disconnects", COUNTER,
                                   "Attached engines that went away (event stream ended, stopped "
                                   "answering, socket replaced)."},
    [METRIC_ENGINE_EVENTS] = {"n_engine_events", COUNTER,
                              "Events received on the engines' event streams."},
    [METRIC_LATE_RECORDS] = {"n_late_records", COUNTER,
                             "Containers whose engine record came after their processes were "
                             "seen (until then: a provisional record, or none)."},
    [METRIC_CACHE_EVICTIONS] = {"n_cache_evictions", COUNTER,
                                "Records evicted to keep the cache under `max_containers` "
                                "(exited containers first, then the least recently used)."},
};

uint64_t metrics_get(metrics* m, metric_id id)
{
	uint64_t v = atomic_load_explicit(&m->v[id], memory_order_relaxed);
	return metric_defs[id].type == GAUGE && v > INT64_MAX ? 0 : v;
}

ss_plugin_metric* metrics_export(metrics* m, uint32_t* n)
{
	for (int i = 0; i < METRIC_COUNT; i++) {
		m->out[i].name = metric_defs[i].name;
		m->out[i].type = metric_defs[i].type;
		m->out[i].value_type = SS_PLUGIN_METRIC_VALUE_TYPE_U64;
		m->out[i].value.u64 = metrics_get(m, (metric_id)i);
	}
	*n = METRIC_COUNT;
	return m->out;
}
