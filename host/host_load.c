/*
 * Loading (docs/abi.md "Loading and lifecycle", "Capabilities", "Static registration"):
 * symbol binding, required-version check, required symbols, metadata,
 * capability detection, and the pre-init reads (fields, sources, async names).
 */
#include "host_priv.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

typedef struct host_sym {
	const char* name;
	size_t off;
} host_sym;

#define HOST_SYM(m) {"plugin_" #m, offsetof(plugin_api, m)}

/* Every symbol, bound by name whatever the declared version
 * (docs/abi.md "Loading and lifecycle"). */
static const host_sym host_syms[] = {
	HOST_SYM(get_required_api_version), HOST_SYM(get_init_schema),
	HOST_SYM(init), HOST_SYM(destroy), HOST_SYM(get_last_error), HOST_SYM(get_name),
	HOST_SYM(get_description), HOST_SYM(get_contact), HOST_SYM(get_version), HOST_SYM(get_id),
	HOST_SYM(get_event_source), HOST_SYM(open), HOST_SYM(close), HOST_SYM(list_open_params),
	HOST_SYM(get_progress), HOST_SYM(event_to_string), HOST_SYM(next_batch),
	HOST_SYM(get_extract_event_types), HOST_SYM(get_extract_event_sources),
	HOST_SYM(get_fields), HOST_SYM(extract_fields), HOST_SYM(get_parse_event_types),
	HOST_SYM(get_parse_event_sources), HOST_SYM(parse_event),
	HOST_SYM(get_async_event_sources), HOST_SYM(get_async_events),
	HOST_SYM(set_async_event_handler), HOST_SYM(dump_state), HOST_SYM(set_config),
	HOST_SYM(get_metrics), HOST_SYM(capture_open), HOST_SYM(capture_close),
	HOST_SYM(get_required_event_schema_version),
};

/* docs/abi.md "Loading and lifecycle": mandatory symbols. */
static const host_sym host_required[] = {
	HOST_SYM(get_required_api_version), HOST_SYM(get_version), HOST_SYM(get_name),
	HOST_SYM(get_description), HOST_SYM(get_contact), HOST_SYM(init), HOST_SYM(destroy),
	HOST_SYM(get_last_error),
};

static bool host_api_has(const plugin_api* api, size_t off)
{
	void* p;
	memcpy(&p, (const char*)api + off, sizeof(p));
	return p != NULL;
}

/* ---- version checks ---- */

static bool host_parse_semver(const char* s, uint32_t* maj, uint32_t* min, uint32_t* pat)
{
	unsigned a, b, c;
	if (!s || sscanf(s, "%u.%u.%u", &a, &b, &c) != 3)
		return false;
	*maj = a;
	*min = b;
	*pat = c;
	return true;
}

static int host_check_api_version(host* h)
{
	const char* v = h->api.get_required_api_version();
	/* libsinsp would crash on NULL; refusing is the only sane equivalent. */
	if (!v)
		return host_fail(h, "plugin provided a NULL required API version");
	if (!host_parse_semver(v, &h->req_major, &h->req_minor, &h->req_patch))
		return host_fail(h, "plugin provided an invalid required API version: '%s'", v);
	const char* why = NULL;
	if (h->req_major != HOST_API_MAJOR)
		why = "major versions disagree";
	else if (h->req_minor > HOST_API_MINOR)
		why = "framework's minor version is less than the requested one";
	else if (h->req_minor == HOST_API_MINOR && h->req_patch > HOST_API_PATCH)
		why = "framework's patch version is less than the requested one";
	if (why)
		return host_fail(h,
		                 "plugin required API version '%s' not compatible with the "
		                 "framework's API version '%d.%d.%d': %s",
		                 v, HOST_API_MAJOR, HOST_API_MINOR, HOST_API_PATCH, why);
	return 0;
}

static int host_check_required(host* h)
{
	for (size_t i = 0; i < sizeof(host_required) / sizeof(host_required[0]); i++)
		if (!host_api_has(&h->api, host_required[i].off))
			return host_fail(h, "plugin does not export required symbol '%s'",
			                 host_required[i].name);
	return 0;
}

static int host_read_metadata(host* h)
{
	h->name = host_strdup_or_empty(h->api.get_name());
	h->description = host_strdup_or_empty(h->api.get_description());
	h->contact = host_strdup_or_empty(h->api.get_contact());
	const char* v = h->api.get_version();
	uint32_t a, b, c;
	if (!host_parse_semver(v, &a, &b, &c))
		return host_fail(h, "plugin '%s' provided an invalid version string: '%s'", h->name,
		                 v ? v : "(null)");
	h->version = strdup(v);
	if (!h->name || !h->description || !h->contact || !h->version)
		return host_fail(h, "out of memory");
	return 0;
}

/* ---- capabilities (docs/abi.md "Capabilities") ---- */

static int host_detect_sourcing(host* h)
{
	const plugin_api* a = &h->api;
	int n = (a->open != NULL) + (a->close != NULL) + (a->next_batch != NULL);
	if (n == 3)
		return host_fail(h, "plugin '%s': sourcing plugins unsupported", h->name);
	if (n > 0)
		return host_fail(h, "plugin '%s': broken sourcing capability (open, close and "
		                 "next_batch must be exported together)", h->name);
	if ((a->get_id != NULL) != (a->get_event_source != NULL))
		return host_fail(h, "plugin '%s': broken sourcing capability (get_id and "
		                 "get_event_source are inconsistent)", h->name);
	return 0;
}

static int host_detect_caps(host* h)
{
	const plugin_api* a = &h->api;
	if (host_detect_sourcing(h) != 0)
		return -1;
	h->caps = 0;
	if (a->extract_fields && !a->get_fields)
		return host_fail(h, "plugin '%s': extract_fields exported without get_fields", h->name);
	if (a->get_fields && a->extract_fields)
		h->caps |= HOST_CAP_EXTRACT;
	if (a->parse_event)
		h->caps |= HOST_CAP_PARSE;
	if (a->set_async_event_handler && !a->get_async_events)
		return host_fail(h, "plugin '%s': set_async_event_handler exported without "
		                 "get_async_events", h->name);
	if (a->get_async_events && a->set_async_event_handler)
		h->caps |= HOST_CAP_ASYNC;
	if (a->capture_open && !a->capture_close)
		return host_fail(h, "plugin '%s': capture_open exported without capture_close",
		                 h->name);
	if (a->capture_open && a->capture_close)
		h->caps |= HOST_CAP_LISTEN;
	if (h->caps == 0)
		return host_fail(h, "plugin '%s' has no capability", h->name);
	return 0;
}

/* ---- JSON string lists ---- */

/*
 * Parses a JSON array of strings into *out (empty strings skipped). NULL or ""
 * is an empty list unless `required`.
 */
static int host_parse_strlist(host* h, const char* what, const char* json, bool required,
                              host_strlist* out)
{
	if (!json || !*json) {
		if (required)
			return host_fail(h, "plugin '%s': %s returned an empty value", h->name, what);
		return 0;
	}
	json_error_t je;
	json_t* root = json_loads(json, JSON_DECODE_ANY, &je);
	if (!root || !json_is_array(root)) {
		json_decref(root);
		return host_fail(h, "plugin '%s': %s did not return a JSON array", h->name, what);
	}
	out->v = calloc(json_array_size(root) + 1, sizeof(*out->v));
	int rc = out->v ? 0 : host_fail(h, "out of memory");
	for (size_t i = 0; rc == 0 && i < json_array_size(root); i++) {
		const json_t* el = json_array_get(root, i);
		if (!json_is_string(el)) {
			rc = host_fail(h, "plugin '%s': %s has a non-string element", h->name, what);
		} else if (json_string_length(el) > 0) {
			char* copy = strdup(json_string_value(el));
			if (copy)
				out->v[out->n++] = copy;
			else
				rc = host_fail(h, "out of memory");
		}
	}
	json_decref(root);
	return rc;
}

/* docs/abi.md "Loading and lifecycle": everything read before init, with no state. */
static int host_read_pre_init(host* h)
{
	const plugin_api* a = &h->api;
	if (h->caps & HOST_CAP_EXTRACT) {
		if (host_fields_parse(h, a->get_fields()) != 0)
			return -1;
		if (a->get_extract_event_sources &&
		    host_parse_strlist(h, "get_extract_event_sources", a->get_extract_event_sources(),
		                       false, &h->extract_sources) != 0)
			return -1;
	}
	if ((h->caps & HOST_CAP_PARSE) && a->get_parse_event_sources &&
	    host_parse_strlist(h, "get_parse_event_sources", a->get_parse_event_sources(), false,
	                       &h->parse_sources) != 0)
		return -1;
	if (h->caps & HOST_CAP_ASYNC) {
		if (a->get_async_event_sources &&
		    host_parse_strlist(h, "get_async_event_sources", a->get_async_event_sources(),
		                       false, &h->async_sources) != 0)
			return -1;
		if (host_parse_strlist(h, "get_async_events", a->get_async_events(), true,
		                       &h->async_names) != 0)
			return -1;
	}
	return 0;
}

static int host_load_checks(host* h)
{
	if (!h->api.get_required_api_version)
		return host_fail(h, "plugin does not export required symbol "
		                 "'plugin_get_required_api_version'");
	if (host_check_api_version(h) != 0 || host_check_required(h) != 0 ||
	    host_read_metadata(h) != 0 || host_detect_caps(h) != 0 || host_read_pre_init(h) != 0)
		return -1;
	h->loaded = true;
	return 0;
}

/* ---- entry points ---- */

void host_unload(host* h)
{
	if (h->state) {
		h->api.destroy(h->state);
		h->state = NULL;
	}
	host_callback_end(h, true);
	host_ptables_clear(h);
	if (h->dl)
		dlclose(h->dl);
	h->dl = NULL;
	free(h->name);
	free(h->description);
	free(h->contact);
	free(h->version);
	h->name = h->description = h->contact = h->version = NULL;
	host_fields_free(h);
	host_strlist_free(&h->extract_sources);
	host_strlist_free(&h->parse_sources);
	host_strlist_free(&h->async_sources);
	host_strlist_free(&h->async_names);
	free(h->async_delivered); /* counted by index in async_names */
	h->async_delivered = NULL;
	memset(&h->api, 0, sizeof(h->api));
	h->caps = 0;
	h->loaded = h->inited = false;
	h->threads_handed = false;
}

int host_load(host* h, const char* so_path)
{
	if (h->loaded || h->dl)
		return host_fail(h, "a plugin is already loaded");
	if (!so_path)
		return host_fail(h, "no plugin path given");
	void* dl = dlopen(so_path, RTLD_LOCAL | RTLD_NOW);
	if (!dl)
		return host_fail(h, "cannot load plugin '%s': %s", so_path, dlerror());
	h->dl = dl;
	for (size_t i = 0; i < sizeof(host_syms) / sizeof(host_syms[0]); i++) {
		void* p = dlsym(dl, host_syms[i].name);
		memcpy((char*)&h->api + host_syms[i].off, &p, sizeof(p));
	}
	if (host_load_checks(h) != 0) {
		host_unload(h);
		return -1;
	}
	return 0;
}

int host_load_api(host* h, const plugin_api* api)
{
	if (h->loaded || h->dl)
		return host_fail(h, "a plugin is already loaded");
	if (!api)
		return host_fail(h, "no plugin vtable given");
	h->api = *api;
	uint32_t maj, min, pat;
	const char* v = api->get_required_api_version ? api->get_required_api_version() : NULL;
	if (host_parse_semver(v, &maj, &min, &pat) && min < 10) {
		/*
		 * Before 3.10 the vtable had no dump_state: slots 27.. held set_config..
		 * capture_close (docs/abi.md "Static registration").
		 * Move them one slot up; slot 32 did not exist.
		 */
		size_t from = offsetof(plugin_api, dump_state);
		size_t to = offsetof(plugin_api, set_config);
		size_t len = offsetof(plugin_api, get_required_event_schema_version) - to;
		memmove((char*)&h->api + to, (const char*)api + from, len);
		h->api.dump_state = NULL;
		h->api.get_required_event_schema_version = NULL;
	}
	if (host_load_checks(h) != 0) {
		host_unload(h);
		return -1;
	}
	return 0;
}
