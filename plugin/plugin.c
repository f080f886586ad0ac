/*
 * The exported plugin ABI (docs/abi.md "Capabilities"): symbol by symbol, thin wrappers
 * around the modules. Only plugin_* symbols leave the shared object.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctr_json.h"
#include "plugin_state.h"

#define EXPORT __attribute__((visibility("default")))

ss_plugin_rc listen_capture_open(plugin_state* s, const ss_plugin_capture_listen_input* in);

void plugin_set_error(plugin_state* s, const char* fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->lasterr, sizeof(s->lasterr), fmt, ap);
	va_end(ap);
}

/* ---- identity ------------------------------------------------------------ */

EXPORT const char* plugin_get_required_api_version(void)
{
	return PLUGIN_REQUIRED_API;
}

EXPORT const char* plugin_get_version(void)
{
	return PLUGIN_VERSION;
}

EXPORT const char* plugin_get_name(void)
{
	return PLUGIN_NAME;
}

EXPORT const char* plugin_get_description(void)
{
	return "Falco container metadata enrichment plugin: container.*, k8s.pod.* and "
	       "proc.is_container_* fields from Docker, Podman, containerd, CRI, lxc, libvirt-lxc, "
	       "bpm and static containers";
}

EXPORT const char* plugin_get_contact(void)
{
	return "github.com/falcosecurity/plugins";
}

EXPORT const char* plugin_get_required_event_schema_version(ss_plugin_t* s)
{
	(void)s;
	return PLUGIN_EVENT_SCHEMA;
}

EXPORT const char* plugin_get_init_schema(ss_plugin_schema_type* schema_type)
{
	*schema_type = SS_PLUGIN_SCHEMA_JSON;
	return config_schema();
}

EXPORT const char* plugin_get_last_error(ss_plugin_t* s)
{
	return s ? ((plugin_state*)s)->lasterr : "no plugin state";
}

/* ---- init / destroy ------------------------------------------------------ */

static void matchers_from_config(plugin_state* s)
{
	const config* c = &s->cfg;
	cgroup_engine_mask m = 0;
	if (c->static_enabled) {
		m = CGROUP_ENGINE_BIT(CGROUP_ENGINE_STATIC);
		s->matchers.static_id = c->static_id;
	}
	m |= c->docker.enabled ? CGROUP_ENGINE_BIT(CGROUP_ENGINE_DOCKER) : 0;
	m |= c->podman.enabled ? CGROUP_ENGINE_BIT(CGROUP_ENGINE_PODMAN) : 0;
	m |= c->cri.enabled ? CGROUP_ENGINE_BIT(CGROUP_ENGINE_CRI) : 0;
	m |= c->containerd.enabled ? CGROUP_ENGINE_BIT(CGROUP_ENGINE_CONTAINERD) : 0;
	m |= c->lxc ? CGROUP_ENGINE_BIT(CGROUP_ENGINE_LXC) : 0;
	m |= c->libvirt_lxc ? CGROUP_ENGINE_BIT(CGROUP_ENGINE_LIBVIRT_LXC) : 0;
	m |= c->bpm ? CGROUP_ENGINE_BIT(CGROUP_ENGINE_BPM) : 0;
	s->matchers.enabled = m;
}

static void log_engine(plugin_state* s, const char* name, const config_engine* e)
{
	for (size_t i = 0; e->enabled && i < e->nsockets; i++)
		plog_info(&s->log, "%s engine: socket %s%s", name, s->cfg.host_root, e->sockets[i]);
	if (!e->enabled)
		plog_info(&s->log, "%s engine disabled", name);
}

static int state_init(plugin_state* s, const ss_plugin_init_input* in)
{
	s->owner = in->owner;
	s->log.owner = in->owner;
	s->log.fn = in->log_fn;
	s->log.max_sev = SS_PLUGIN_LOG_SEV_WARNING;
	char err[512];
	if (config_parse(in->config, &s->cfg, err, sizeof(err))) {
		plugin_set_error(s, "invalid init config: %s", err);
		return -1;
	}
	s->log.max_sev = s->cfg.log_level;
	matchers_from_config(s);
	log_engine(s, "docker", &s->cfg.docker);
	log_engine(s, "podman", &s->cfg.podman);
	log_engine(s, "containerd", &s->cfg.containerd);
	log_engine(s, "cri", &s->cfg.cri);
	s->memo = calloc(1, sizeof(*s->memo)); /* optional: parsing works without it */
	s->cache = ctr_cache_new();
	s->host_rec = ctr_record_new_host();
	s->lookups = lookup_new();
	if (!s->cache || !s->host_rec || !s->lookups || !ctr_cache_put(s->cache, "", s->host_rec)) {
		plugin_set_error(s, "out of memory");
		return -1;
	}
	return tables_init(s, in);
}

EXPORT ss_plugin_t* plugin_init(const ss_plugin_init_input* in, ss_plugin_rc* rc)
{
	plugin_state* s = calloc(1, sizeof(*s));
	*rc = SS_PLUGIN_FAILURE;
	if (!s)
		return NULL;
	async_init(&s->async);
	s->async.m = &s->m;
	idset_init(&s->bundle_peeked);
	containerd_dbs_init(&s->ctrd_dbs);
	if (!in) {
		plugin_set_error(s, "no init input");
		return s;
	}
	if (state_init(s, in) == 0)
		*rc = SS_PLUGIN_SUCCESS;
	else
		plog_error(&s->log, "init failed: %s", s->lasterr);
	return s;
}

static void stop_async(plugin_state* s)
{
	/* Producers first: after the handler is cleared nothing may call it
	 * (docs/abi.md "Async events"). */
	worker_free(s->worker);
	s->worker = NULL;
	async_set_handler(&s->async, NULL, NULL);
	s->live = false;
}

EXPORT void plugin_destroy(ss_plugin_t* st)
{
	plugin_state* s = st;
	if (!s)
		return;
	stop_async(s);
	fields_store_free(s);
	if (s->memo)
		cgroup_memo_free(s->memo);
	free(s->memo);
	ctr_record_unref(s->last_rec);
	ctr_record_unref(s->host_rec);
	ctr_cache_free(s->cache);
	lookup_free(s->lookups);
	idset_free(&s->bundle_peeked);
	tidset_free(&s->attached);
	containerd_dbs_free(&s->ctrd_dbs);
	config_free(&s->cfg);
	async_destroy(&s->async);
	free(s);
}

/* ---- extraction and parsing ------------------------------------------------ */

EXPORT const char* plugin_get_fields(void)
{
	return fields_json();
}

EXPORT const char* plugin_get_extract_event_sources(void)
{
	return "[\"syscall\"]";
}

EXPORT uint16_t* plugin_get_extract_event_types(uint32_t* numtypes, ss_plugin_t* s)
{
	(void)s;
	*numtypes = 0; /* every event type: container fields apply to any event */
	return NULL;
}

EXPORT ss_plugin_rc plugin_extract_fields(ss_plugin_t* s, const ss_plugin_event_input* evt,
                                          const ss_plugin_field_extract_input* in)
{
	return fields_extract(s, evt, in);
}

EXPORT const char* plugin_get_parse_event_sources(void)
{
	return "[\"syscall\"]";
}

EXPORT uint16_t* plugin_get_parse_event_types(uint32_t* numtypes, ss_plugin_t* s)
{
	(void)s;
	*numtypes = parse_event_ntypes;
	return (uint16_t*)parse_event_types; /* the host only reads it */
}

EXPORT ss_plugin_rc plugin_parse_event(ss_plugin_t* s, const ss_plugin_event_input* evt,
                                       const ss_plugin_event_parse_input* in)
{
	table_access t = {in->table_reader_ext, in->table_writer_ext};
	if (!t.r || !t.w || !evt || !evt->evt)
		return SS_PLUGIN_FAILURE;
	return parse_event(s, evt, &t);
}

/* ---- async events ---------------------------------------------------------- */

EXPORT const char* plugin_get_async_event_sources(void)
{
	return "[\"syscall\"]";
}

EXPORT const char* plugin_get_async_events(void)
{
	return "[\"" ASYNC_EVT_CONTAINER "\",\"" ASYNC_EVT_REMOVED "\",\"" ASYNC_EVT_UPDATED "\"]";
}

static bool engines_configured(const config* c)
{
	return (c->docker.enabled && c->docker.nsockets) || (c->podman.enabled && c->podman.nsockets) ||
	       (c->containerd.enabled && c->containerd.nsockets) ||
	       (c->cri.enabled && c->cri.nsockets) || c->podman_discover || c->docker_discover;
}

/*
 * Containers the engines listed at start go into the cache right away, so
 * that capture_open sees them (docs/architecture.md "Capture open"); their events, parsed later,
 * replace them with the same data. Bounded: a hung engine never blocks the open.
 */
#define INITIAL_LIST_WAIT_MS 2000

/* Decoded here, on the host's thread, from the JSON their events carry: the
 * engines may still hold the records they built (worker_initial_records). */
static void cache_initial(plugin_state* s)
{
	char** docs;
	size_t n = worker_initial_records(s->worker, INITIAL_LIST_WAIT_MS, &docs);
	for (size_t i = 0; i < n; i++) {
		char err[256];
		ctr_record* r = ctr_json_decode(docs[i], strlen(docs[i]), err, sizeof(err));
		if (!r)
			plog_warn(&s->log, "listed container not cached: %s", err);
		else if (!containers_get(s, r->id))
			containers_put(s, r);
		ctr_record_unref(r);
		free(docs[i]);
	}
	free(docs);
}

static int start_worker(plugin_state* s)
{
	if (!engines_configured(&s->cfg))
		return 0; /* nothing to ask: no engine worker needed */
	s->worker = worker_new(&s->async, &s->log, &s->cfg, s->lookups);
	if (!s->worker)
		return -1;
	worker_share_containerd_dbs(s->worker, &s->ctrd_dbs);
	if (!worker_add_engines(s->worker))
		plog_warn(&s->log, "some engine sockets could not be set up");
	if (worker_start(s->worker))
		return -1;
	cache_initial(s);
	return 0;
}

EXPORT ss_plugin_rc plugin_set_async_event_handler(ss_plugin_t* st, ss_plugin_owner_t* owner,
                                                   ss_plugin_async_event_handler_t handler)
{
	plugin_state* s = st;
	stop_async(s);
	if (!handler)
		return SS_PLUGIN_SUCCESS;
	async_set_handler(&s->async, owner, handler);
	s->live = true;
	if (start_worker(s)) {
		plugin_set_error(s, "cannot start the engine worker");
		stop_async(s);
		return SS_PLUGIN_FAILURE;
	}
	return SS_PLUGIN_SUCCESS;
}

typedef struct dump_ctx {
	plugin_state* s;
	ss_plugin_owner_t* owner;
	ss_plugin_async_event_handler_t handler;
	uint64_t ts;
	bool ok;
} dump_ctx;

static bool dump_one(void* arg, const char* key, ctr_record* r)
{
	dump_ctx* d = arg;
	if (!key[0])
		return true; /* the host record is implicit */
	if (!async_emit_with(d->owner, d->handler, ASYNC_EVT_CONTAINER, r, d->ts, ASYNC_TID_DUMP,
	                     d->s->lasterr))
		d->ok = false;
	return true;
}

EXPORT ss_plugin_rc plugin_dump_state(ss_plugin_t* st, ss_plugin_owner_t* owner,
                                      ss_plugin_async_event_handler_t handler)
{
	plugin_state* s = st;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	/* The host writes dumped events verbatim: they need a real timestamp
	 * (docs/abi.md "State dump"). */
	dump_ctx d = {s, owner, handler, (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec,
	              true};
	if (!handler)
		return SS_PLUGIN_FAILURE;
	ctr_cache_foreach(s->cache, dump_one, &d);
	return d.ok ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
}

/* ---- capture listening, metrics -------------------------------------------- */

EXPORT ss_plugin_rc plugin_capture_open(ss_plugin_t* s, const ss_plugin_capture_listen_input* in)
{
	return listen_capture_open(s, in);
}

EXPORT ss_plugin_rc plugin_capture_close(ss_plugin_t* s, const ss_plugin_capture_listen_input* in)
{
	(void)s;
	(void)in;
	return SS_PLUGIN_SUCCESS;
}

EXPORT ss_plugin_metric* plugin_get_metrics(ss_plugin_t* st, uint32_t* num_metrics)
{
	plugin_state* s = st;
	if (!s || !s->lookups) {
		*num_metrics = 0;
		return NULL;
	}
	lookup_stats l = lookup_get_stats(s->lookups);
	metrics_set(&s->m, METRIC_LOOKUPS_PENDING, l.pending);
	metrics_set(&s->m, METRIC_LOOKUPS_ASKED, l.attempts);
	metrics_set(&s->m, METRIC_LOOKUPS_ANSWERED, l.found);
	metrics_set(&s->m, METRIC_LOOKUPS_NOT_FOUND, l.not_found);
	metrics_set(&s->m, METRIC_LOOKUPS_FAILED, l.failed);
	metrics_set(&s->m, METRIC_LOOKUPS_RETRIED, l.retried);
	metrics_set(&s->m, METRIC_LOOKUPS_DROPPED, l.dropped);
	return metrics_export(&s->m, num_metrics);
}

/* ---- static registration (docs/abi.md "Static registration"), for in-process hosts ---- */

static const plugin_api static_api = {
    .get_required_api_version = plugin_get_required_api_version,
    .get_init_schema = plugin_get_init_schema,
    .init = plugin_init,
    .destroy = plugin_destroy,
    .get_last_error = plugin_get_last_error,
    .get_name = plugin_get_name,
    .get_description = plugin_get_description,
    .get_contact = plugin_get_contact,
    .get_version = plugin_get_version,
    .get_extract_event_types = plugin_get_extract_event_types,
    .get_extract_event_sources = plugin_get_extract_event_sources,
    .get_fields = plugin_get_fields,
    .extract_fields = plugin_extract_fields,
    .get_parse_event_types = plugin_get_parse_event_types,
    .get_parse_event_sources = plugin_get_parse_event_sources,
    .parse_event = plugin_parse_event,
    .get_async_event_sources = plugin_get_async_event_sources,
    .get_async_events = plugin_get_async_events,
    .set_async_event_handler = plugin_set_async_event_handler,
    .dump_state = plugin_dump_state,
    .get_metrics = plugin_get_metrics,
    .capture_open = plugin_capture_open,
    .capture_close = plugin_capture_close,
    .get_required_event_schema_version = plugin_get_required_event_schema_version,
};

const plugin_api* plugin_static_api(void)
{
	return &static_api;
}
