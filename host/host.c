/*
 * Host lifecycle: creation, init (docs/abi.md "Configuration"; init input),
 * capture open/close (docs/abi.md "Loading and lifecycle", "Capture listening"), logging, metrics
 * and metadata accessors. Loading lives in host_load.c.
 */
#include "host_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonschema.h"
#include "scap_events.h"

/* ---- errors and logging ---- */

int host_fail(host* h, const char* fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h->err, sizeof(h->err), fmt, ap);
	va_end(ap);
	return -1;
}

static const char* host_sev_name(ss_plugin_log_severity sev)
{
	static const char* const names[] = {"", "fatal", "critical", "error", "warning",
	                                    "notice", "info", "debug", "trace"};
	return sev >= SS_PLUGIN_LOG_SEV_FATAL && sev <= SS_PLUGIN_LOG_SEV_TRACE ? names[sev] : "?";
}

static void host_default_log(void* arg, const char* component, const char* msg,
                             ss_plugin_log_severity sev)
{
	(void)arg;
	fprintf(stderr, "[%s] %s: %s\n", host_sev_name(sev), component, msg);
}

void host_logf(host* h, ss_plugin_log_severity sev, const char* fmt, ...)
{
	char msg[PLUGIN_MAX_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->log_fn(h->log_arg, "host", msg, sev);
}

/* The plugin's log_fn (docs/abi.md "Logging"): may be called from any plugin thread. */
void host_plugin_log(ss_plugin_owner_t* o, const char* component, const char* msg,
                     ss_plugin_log_severity sev)
{
	host* h = o;
	if (!h)
		return;
	if (!component)
		component = h->name ? h->name : "plugin";
	h->log_fn(h->log_arg, component, msg ? msg : "", sev);
}

const char* host_owner_last_error(ss_plugin_owner_t* o)
{
	host* h = o;
	return h && h->owner_err[0] ? h->owner_err : NULL;
}

void host_callback_end(host* h, bool recycle)
{
	threads_callback_end(h->threads, recycle);
}

/* ---- small shared helpers ---- */

char* host_strdup_or_empty(const char* s)
{
	return strdup(s ? s : "");
}

void host_strlist_free(host_strlist* l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* An empty source list means "every source" (docs/abi.md "Capabilities"). */
bool host_sources_compatible(const host_strlist* sources, const char* source)
{
	if (sources->n == 0)
		return true;
	for (size_t i = 0; i < sources->n; i++)
		if (!strcmp(sources->v[i], source))
			return true;
	return false;
}

/* ---- creation ---- */

host* host_new(void)
{
	host* h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->log_fn = host_default_log;
	h->threads = threads_new(h->owner_err);
	host_vtables_init(&h->vt);
	if (!h->threads || host_async_setup(h) != 0) {
		threads_free(h->threads);
		free(h);
		return NULL;
	}
	return h;
}

static void host_metrics_free(host* h)
{
	for (uint32_t i = 0; i < h->nmetrics; i++)
		free(h->metric_names[i]);
	free(h->metric_names);
	free(h->metrics);
	h->metric_names = NULL;
	h->metrics = NULL;
	h->nmetrics = 0;
}

void host_free(host* h)
{
	if (!h)
		return;
	if (h->mode != HOST_MODE_CLOSED)
		host_close(h);
	host_unload(h);
	host_async_teardown(h);
	threads_free(h->threads);
	host_metrics_free(h);
	free(h->table_infos);
	free(h->last_evt);
	free(h);
}

void host_set_log(host* h, host_log_fn fn, void* arg)
{
	h->log_fn = fn ? fn : host_default_log;
	h->log_arg = fn ? arg : NULL;
}

const char* host_last_error(const host* h)
{
	return h->err;
}

/* ---- init ---- */

/* Validates `config` against a JSON schema text; *out gets the config init will see. */
static int host_config_validate(host* h, const char* schema, const char* config, char** out)
{
	json_error_t je;
	json_t* js = json_loads(schema, 0, &je);
	if (!js || !json_is_object(js)) {
		json_decref(js);
		return host_fail(h, "error in plugin %s: init schema is not a JSON object", h->name);
	}
	json_t* jc = json_loads(config, JSON_DECODE_ANY, &je);
	if (!jc) {
		json_decref(js);
		return host_fail(h, "error in plugin %s: init config is not valid JSON: %s", h->name,
		                 je.text);
	}
	char why[512];
	bool ok = jsonschema_validate(js, jc, why, sizeof(why));
	json_decref(jc);
	json_decref(js);
	if (!ok)
		return host_fail(h, "error in plugin %s: init config validation failed: %s", h->name,
		                 why);
	*out = strdup(config);
	return *out ? 0 : host_fail(h, "out of memory");
}

/* With a JSON schema an empty config becomes "{}" and must validate
 * (docs/abi.md "Configuration"). */
static int host_config_prepare(host* h, const char* config, char** out)
{
	if (!config)
		config = "";
	ss_plugin_schema_type type = SS_PLUGIN_SCHEMA_NONE;
	const char* schema = h->api.get_init_schema ? h->api.get_init_schema(&type) : NULL;
	if (type != SS_PLUGIN_SCHEMA_JSON || !schema || !*schema) {
		*out = strdup(config);
		return *out ? 0 : host_fail(h, "out of memory");
	}
	return host_config_validate(h, schema, *config ? config : "{}", out);
}

/* Fills a 65536-bit event-code set; NULL/0 types mean "all" for syscall-compatible sources. */
static void host_event_set(host* h, uint8_t* set, uint16_t* (*fn)(uint32_t*, ss_plugin_t*),
                           const host_strlist* sources)
{
	memset(set, 0, 65536 / 8);
	uint32_t n = 0;
	uint16_t* types = fn ? fn(&n, h->state) : NULL;
	if (types && n > 0) {
		for (uint32_t i = 0; i < n; i++)
			set[types[i] >> 3] |= (uint8_t)(1u << (types[i] & 7));
	} else if (host_sources_compatible(sources, "syscall")) {
		memset(set, 0xff, 65536 / 8);
	} else {
		set[PPME_PLUGINEVENT_E >> 3] |= (uint8_t)(1u << (PPME_PLUGINEVENT_E & 7));
	}
}

static void host_read_event_types(host* h)
{
	memset(h->extract_set, 0, sizeof(h->extract_set));
	memset(h->parse_set, 0, sizeof(h->parse_set));
	if (h->caps & HOST_CAP_EXTRACT)
		host_event_set(h, h->extract_set, h->api.get_extract_event_types, &h->extract_sources);
	if (h->caps & HOST_CAP_PARSE)
		host_event_set(h, h->parse_set, h->api.get_parse_event_types, &h->parse_sources);
}

/* Reports a failed init and destroys the half-initialised state
 * (docs/abi.md "Loading and lifecycle"). */
static int host_init_failed(host* h, ss_plugin_t* s)
{
	char perr[PLUGIN_MAX_ERRLEN] = "plugin_init returned no state";
	if (s) {
		const char* e = h->api.get_last_error(s);
		snprintf(perr, sizeof(perr), "%s", e ? e : "");
		h->api.destroy(s);
	}
	/* The tables the plugin registered point into the destroyed state. */
	host_ptables_clear(h);
	return host_fail(h, "could not initialize plugin '%s': %s", h->name, perr);
}

int host_init(host* h, const char* config)
{
	if (!h->loaded)
		return host_fail(h, "no plugin loaded");
	if (h->inited)
		return host_fail(h, "plugin '%s' is already initialized", h->name);
	char* cfg = NULL;
	if (host_config_prepare(h, config, &cfg) != 0)
		return -1;
	ss_plugin_init_tables_input tables;
	host_tables_input(h, &tables);
	ss_plugin_init_input in = {
		.config = cfg,
		.owner = h,
		.get_owner_last_error = host_owner_last_error,
		.tables = (h->caps & (HOST_CAP_EXTRACT | HOST_CAP_PARSE)) ? &tables : NULL,
		.log_fn = host_plugin_log,
	};
	ss_plugin_rc rc = SS_PLUGIN_FAILURE;
	h->owner_err[0] = '\0';
	h->in_init = true;
	ss_plugin_t* s = h->api.init(&in, &rc);
	h->in_init = false;
	host_callback_end(h, true);
	free(cfg);
	if (rc != SS_PLUGIN_SUCCESS || !s)
		return host_init_failed(h, s);
	h->state = s;
	h->inited = true;
	host_read_event_types(h);
	return 0;
}

/* ---- metadata ---- */

const char* host_plugin_name(const host* h)
{
	return h->name;
}

const char* host_plugin_version(const host* h)
{
	return h->version;
}

const char* host_plugin_fields_json(const host* h)
{
	return h->fields_json;
}

const plugin_api* host_plugin_api(const host* h)
{
	return h->loaded ? &h->api : NULL;
}

ss_plugin_t* host_plugin_state(const host* h)
{
	return h->state;
}

void host_set_parsing(host* h, bool on)
{
	h->parse_off = !on;
}

bool host_plugin_parses(const host* h, uint16_t type)
{
	return h->inited && !h->parse_off && (h->caps & HOST_CAP_PARSE) && host_set_has(h->parse_set, type) &&
	       host_sources_compatible(&h->parse_sources, "syscall");
}

/* ---- capture open/close ---- */

/* No thread pool here: subscribe fails as libsinsp's does without one
 * (docs/abi.md "Loading and lifecycle"). */
static ss_plugin_routine_t* host_routine_subscribe(ss_plugin_owner_t* o, ss_plugin_routine_fn_t f,
                                                   ss_plugin_routine_state_t* i)
{
	(void)f;
	(void)i;
	host* h = o;
	if (h)
		snprintf(h->owner_err, sizeof(h->owner_err), "this host has no thread pool");
	return NULL;
}

static ss_plugin_rc host_routine_unsubscribe(ss_plugin_owner_t* o, ss_plugin_routine_t* r)
{
	(void)r;
	host* h = o;
	if (h)
		snprintf(h->owner_err, sizeof(h->owner_err), "this host has no thread pool");
	return SS_PLUGIN_FAILURE;
}

static int host_capture_call(host* h, bool open)
{
	if (!(h->caps & HOST_CAP_LISTEN))
		return 0;
	ss_plugin_routine_vtable routine = {host_routine_subscribe, host_routine_unsubscribe};
	ss_plugin_capture_listen_input in = {
		.owner = h,
		.routine = &routine,
		.table_reader_ext = &h->vt.reader_ext,
		.table_writer_ext = &h->vt.writer_ext,
		.get_owner_last_error = host_owner_last_error,
	};
	ss_plugin_rc rc = open ? h->api.capture_open(h->state, &in) :
	                         h->api.capture_close(h->state, &in);
	/* Pins go, but sub-table handles survive until the next parse/extract
	 * (docs/abi.md "Threads table"). */
	host_callback_end(h, false);
	if (rc == SS_PLUGIN_SUCCESS)
		return 0;
	const char* e = h->api.get_last_error(h->state);
	return host_fail(h, "plugin '%s' capture_%s failed: %s", h->name, open ? "open" : "close",
	                 e ? e : "");
}

/* Stops async producers: returns only after the plugin joined its threads
 * (docs/abi.md "Async events"). */
static int host_async_stop(host* h)
{
	if (h->mode != HOST_MODE_LIVE || !(h->caps & HOST_CAP_ASYNC))
		return 0;
	ss_plugin_rc rc = h->api.set_async_event_handler(h->state, h, NULL);
	atomic_store(&h->async_on, false);
	if (rc == SS_PLUGIN_SUCCESS)
		return 0;
	const char* e = h->api.get_last_error(h->state);
	return host_fail(h, "plugin '%s' failed to disable async events: %s", h->name, e ? e : "");
}

static int host_open_check(host* h)
{
	if (!h->inited)
		return host_fail(h, "plugin is not initialized");
	if (h->mode != HOST_MODE_CLOSED)
		return host_fail(h, "a capture is already open");
	return 0;
}

int host_open_live(host* h)
{
	if (host_open_check(h) != 0)
		return -1;
	if (h->caps & HOST_CAP_ASYNC) {
		/* Enabled first: the plugin may emit before set_async_event_handler returns. */
		atomic_store(&h->async_on, true);
		if (h->api.set_async_event_handler(h->state, h, host_async_handler) !=
		    SS_PLUGIN_SUCCESS) {
			atomic_store(&h->async_on, false);
			const char* e = h->api.get_last_error(h->state);
			return host_fail(h, "plugin '%s' failed to enable async events: %s", h->name,
			                 e ? e : "");
		}
	}
	h->mode = HOST_MODE_LIVE;
	if (host_capture_call(h, true) != 0) {
		char saved[PLUGIN_MAX_ERRLEN];
		memcpy(saved, h->err, sizeof(saved));
		host_async_stop(h);
		memcpy(h->err, saved, sizeof(saved));
		h->mode = HOST_MODE_CLOSED;
		return -1;
	}
	return 0;
}

int host_open_file(host* h)
{
	if (host_open_check(h) != 0)
		return -1;
	h->mode = HOST_MODE_FILE;
	if (host_capture_call(h, true) != 0) {
		h->mode = HOST_MODE_CLOSED;
		return -1;
	}
	return 0;
}

int host_close(host* h)
{
	if (h->mode == HOST_MODE_CLOSED)
		return host_fail(h, "no capture is open");
	int rc = host_async_stop(h);
	if (host_capture_call(h, false) != 0)
		rc = -1;
	h->mode = HOST_MODE_CLOSED;
	return rc;
}

/* ---- metrics ---- */

const ss_plugin_metric* host_metrics(host* h, uint32_t* n)
{
	host_metrics_free(h);
	*n = 0;
	if (!h->inited || !h->api.get_metrics)
		return NULL;
	uint32_t num = 0;
	const ss_plugin_metric* m = h->api.get_metrics(h->state, &num);
	if (!m || num == 0)
		return NULL;
	h->metrics = calloc(num, sizeof(*h->metrics));
	h->metric_names = calloc(num, sizeof(*h->metric_names));
	if (!h->metrics || !h->metric_names) {
		host_metrics_free(h);
		return NULL;
	}
	for (uint32_t i = 0; i < num; i++) {
		/* Published as "<plugin>.<metric>", at most 511 characters (docs/abi.md "Metrics"). */
		char* name = malloc(512);
		if (!name)
			break;
		snprintf(name, 512, "%s.%s", h->name, m[i].name ? m[i].name : "");
		h->metric_names[i] = name;
		h->metrics[i] = m[i];
		h->metrics[i].name = name;
		h->nmetrics = i + 1;
	}
	*n = h->nmetrics;
	return h->metrics;
}
