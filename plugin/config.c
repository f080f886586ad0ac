#include "config.h"

#include "engines/engine.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Upstream's schema requires every engine key as soon as `engines` is present;
 * ours does not (an operator configuring one engine should not have to list
 * all eight), which accepts every config upstream accepts.
 */
static const char schema_text[] =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\","
    "\"type\":[\"object\",\"null\"],\"additionalProperties\":false,"
    "\"definitions\":{"
    "\"SocketEngine\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{\"enabled\":{\"type\":\"boolean\"},"
    "\"sockets\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"minLength\":1}}},"
    "\"required\":[\"enabled\"]},"
    "\"SimpleEngine\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{\"enabled\":{\"type\":\"boolean\"}},\"required\":[\"enabled\"]},"
    "\"StaticEngine\":{\"type\":\"object\",\"additionalProperties\":false,"
    "\"properties\":{\"enabled\":{\"type\":\"boolean\"},"
    "\"container_id\":{\"type\":\"string\"},\"container_name\":{\"type\":\"string\"},"
    "\"container_image\":{\"type\":\"string\"}},\"required\":[\"enabled\"]}},"
    "\"properties\":{"
    "\"label_max_len\":{\"type\":\"integer\",\"description\":\"Labels whose value is longer "
    "than this many bytes are dropped\"},"
    "\"with_size\":{\"type\":\"boolean\",\"description\":\"Ask engines for the writable layer "
    "size (slow)\"},"
    "\"hooks\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"create\","
    "\"start\"]},\"description\":\"Engine events that announce a container\"},"
    "\"log_level\":{\"type\":\"string\",\"enum\":[\"trace\",\"debug\",\"info\",\"warn\","
    "\"error\"]},"
    "\"max_containers\":{\"type\":\"integer\",\"minimum\":1,\"description\":\"Containers "
    "cached at most; past it exited ones are evicted first, then the least recently used "
    "(default 16384)\"},"
    "\"engines\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{"
    "\"docker\":{\"$ref\":\"#/definitions/SocketEngine\"},"
    "\"podman\":{\"$ref\":\"#/definitions/SocketEngine\"},"
    "\"containerd\":{\"$ref\":\"#/definitions/SocketEngine\"},"
    "\"cri\":{\"$ref\":\"#/definitions/SocketEngine\"},"
    "\"lxc\":{\"$ref\":\"#/definitions/SimpleEngine\"},"
    "\"libvirt_lxc\":{\"$ref\":\"#/definitions/SimpleEngine\"},"
    "\"bpm\":{\"$ref\":\"#/definitions/SimpleEngine\"},"
    "\"static\":{\"$ref\":\"#/definitions/StaticEngine\"}}}}}";

const char* config_schema(void)
{
	return schema_text;
}

static const char* const default_docker[] = {"/var/run/docker.sock", NULL};
static const char* const default_podman[] = {"/run/podman/podman.sock", NULL};
/* Where each distribution puts its CRI runtime: containerd and cri-o, k3s/RKE2,
 * k0s, microk8s (snap), cri-dockerd (Docker behind CRI), and the host's
 * containerd as Falco's chart mounts it. */
static const char* const default_cri[] = {"/run/containerd/containerd.sock", "/run/crio/crio.sock",
                                          "/run/k3s/containerd/containerd.sock",
                                          "/run/k0s/containerd.sock",
                                          "/var/snap/microk8s/common/run/containerd.sock",
                                          "/run/cri-dockerd.sock",
                                          "/run/host-containerd/containerd.sock", NULL};
static const char* const default_containerd[] = {"/run/host-containerd/containerd.sock", NULL};

static int fail(char* err, size_t errlen, const char* fmt, const char* key)
{
	snprintf(err, errlen, fmt, key);
	return -1;
}

static bool sockets_add(config_engine* e, const char* path)
{
	char** n = realloc(e->sockets, (e->nsockets + 1) * sizeof(*n));
	if (!n)
		return false;
	e->sockets = n;
	if (!(n[e->nsockets] = strdup(path)))
		return false;
	e->nsockets++;
	return true;
}

static bool sockets_defaults(config_engine* e, const char* const* defs)
{
	for (; *defs; defs++)
		if (!sockets_add(e, *defs))
			return false;
	return true;
}

/* Rootless engines: every <HOST_ROOT>/run/user/<uid>/... socket of theirs present now. */
static bool rootless_defaults(config_engine* e, const char* host_root,
                              size_t (*discover)(const char*, char***))
{
	char** paths;
	size_t n = discover(host_root, &paths);
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		ok = ok && sockets_add(e, paths[i]);
		free(paths[i]);
	}
	free(paths);
	return ok;
}

/* Whether engine name of the engines object o uses the default sockets. */
static bool defaulted(json_t* o, const char* name)
{
	json_t* e = o ? json_object_get(o, name) : NULL;
	return !e || !json_array_size(json_object_get(e, "sockets"));
}

static int parse_socket_engine(json_t* o, const char* name, config_engine* e,
                               const char* const* defs, char* err, size_t errlen)
{
	e->enabled = true;
	json_t* v = o ? json_object_get(o, name) : NULL;
	if (v) {
		if (!json_is_object(v))
			return fail(err, errlen, "engines.%s must be an object", name);
		const char* k;
		json_t* x;
		json_object_foreach(v, k, x)
		{
			if (strcmp(k, "enabled") && strcmp(k, "sockets"))
				return fail(err, errlen, "engines.%s: unknown key", name);
		}
		json_t* en = json_object_get(v, "enabled");
		if (en && !json_is_boolean(en))
			return fail(err, errlen, "engines.%s.enabled must be a boolean", name);
		e->enabled = !en || json_is_true(en);
		json_t* s = json_object_get(v, "sockets");
		if (s && !json_is_array(s))
			return fail(err, errlen, "engines.%s.sockets must be an array of strings", name);
		size_t i;
		json_array_foreach(s, i, x)
		{
			if (!json_is_string(x) || json_string_length(x) == 0 ||
			    strlen(json_string_value(x)) != json_string_length(x))
				return fail(err, errlen, "engines.%s.sockets: every item must be a non-empty path",
				            name);
			if (!sockets_add(e, json_string_value(x)))
				return fail(err, errlen, "out of memory (%s)", name);
		}
	}
	/* An empty list means "the defaults" (upstream semantics). */
	if (e->nsockets == 0 && !sockets_defaults(e, defs))
		return fail(err, errlen, "out of memory (%s)", name);
	return 0;
}

static int parse_simple_engine(json_t* o, const char* name, bool* enabled, char* err,
                               size_t errlen)
{
	*enabled = true;
	json_t* v = o ? json_object_get(o, name) : NULL;
	if (!v)
		return 0;
	if (!json_is_object(v))
		return fail(err, errlen, "engines.%s must be an object", name);
	if (json_object_size(v) > (json_object_get(v, "enabled") ? 1u : 0u))
		return fail(err, errlen, "engines.%s: only \"enabled\" is allowed", name);
	json_t* en = json_object_get(v, "enabled");
	if (en && !json_is_boolean(en))
		return fail(err, errlen, "engines.%s.enabled must be a boolean", name);
	*enabled = !en || json_is_true(en);
	return 0;
}

static int static_string(json_t* v, const char* key, char** out, char* err, size_t errlen)
{
	json_t* s = json_object_get(v, key);
	if (!json_is_string(s) || json_string_length(s) == 0)
		return fail(err, errlen, "engines.static.%s must be a non-empty string when enabled",
		            key);
	return (*out = strdup(json_string_value(s))) ? 0 : fail(err, errlen, "out of memory%s", "");
}

static int parse_static(json_t* o, config* c, char* err, size_t errlen)
{
	json_t* v = o ? json_object_get(o, "static") : NULL;
	if (!v)
		return 0;
	if (!json_is_object(v))
		return fail(err, errlen, "engines.%s must be an object", "static");
	const char* k;
	json_t* x;
	json_object_foreach(v, k, x)
	{
		if (strcmp(k, "enabled") && strcmp(k, "container_id") && strcmp(k, "container_name") &&
		    strcmp(k, "container_image"))
			return fail(err, errlen, "engines.static: unknown key \"%s\"", k);
		if (strcmp(k, "enabled") && !json_is_string(x))
			return fail(err, errlen, "engines.static.%s must be a string", k);
	}
	json_t* en = json_object_get(v, "enabled");
	if (en && !json_is_boolean(en))
		return fail(err, errlen, "engines.%s.enabled must be a boolean", "static");
	c->static_enabled = en && json_is_true(en);
	if (!c->static_enabled)
		return 0;
	if (static_string(v, "container_id", &c->static_id, err, errlen) ||
	    static_string(v, "container_name", &c->static_name, err, errlen) ||
	    static_string(v, "container_image", &c->static_image, err, errlen))
		return -1;
	return 0;
}

static int parse_engines(json_t* root, config* c, char* err, size_t errlen)
{
	json_t* o = json_object_get(root, "engines");
	if (o && !json_is_object(o))
		return fail(err, errlen, "%s must be an object", "engines");
	static const char* const known[] = {"docker", "podman", "containerd", "cri", "lxc",
	                                    "libvirt_lxc", "bpm", "static", NULL};
	const char* k;
	json_t* x;
	json_object_foreach(o, k, x)
	{
		size_t i = 0;
		while (known[i] && strcmp(known[i], k))
			i++;
		if (!known[i])
			return fail(err, errlen, "engines: unknown engine \"%s\"", k);
	}
	if (parse_socket_engine(o, "docker", &c->docker, default_docker, err, errlen) ||
	    parse_socket_engine(o, "podman", &c->podman, default_podman, err, errlen) ||
	    parse_socket_engine(o, "containerd", &c->containerd, default_containerd, err, errlen) ||
	    parse_socket_engine(o, "cri", &c->cri, default_cri, err, errlen) ||
	    parse_simple_engine(o, "lxc", &c->lxc, err, errlen) ||
	    parse_simple_engine(o, "libvirt_lxc", &c->libvirt_lxc, err, errlen) ||
	    parse_simple_engine(o, "bpm", &c->bpm, err, errlen) || parse_static(o, c, err, errlen))
		return -1;
	c->podman_discover = c->podman.enabled && defaulted(o, "podman");
	c->docker_discover = c->docker.enabled && defaulted(o, "docker");
	if ((c->podman_discover && !rootless_defaults(&c->podman, c->host_root, podman_discover)) ||
	    (c->docker_discover && !rootless_defaults(&c->docker, c->host_root, docker_discover)))
		return fail(err, errlen, "out of memory%s", "");
	return 0;
}

static int parse_hooks(json_t* root, config* c, char* err, size_t errlen)
{
	json_t* h = json_object_get(root, "hooks");
	c->hooks = CONFIG_HOOK_CREATE;
	if (!h)
		return 0;
	if (!json_is_array(h))
		return fail(err, errlen, "%s must be an array of strings", "hooks");
	c->hooks = 0;
	size_t i;
	json_t* x;
	json_array_foreach(h, i, x)
	{
		const char* s = json_string_value(x);
		if (s && !strcmp(s, "create"))
			c->hooks |= CONFIG_HOOK_CREATE;
		else if (s && !strcmp(s, "start"))
			c->hooks |= CONFIG_HOOK_START;
		else
			return fail(err, errlen, "hooks: items must be \"create\" or \"start\"%s", "");
	}
	return 0;
}

static int parse_log_level(json_t* root, config* c, char* err, size_t errlen)
{
	static const struct {
		const char* name;
		ss_plugin_log_severity sev;
	} levels[] = {{"trace", SS_PLUGIN_LOG_SEV_TRACE}, {"debug", SS_PLUGIN_LOG_SEV_DEBUG},
	              {"info", SS_PLUGIN_LOG_SEV_INFO},   {"warn", SS_PLUGIN_LOG_SEV_NOTICE},
	              {"error", SS_PLUGIN_LOG_SEV_ERROR}};
	json_t* v = json_object_get(root, "log_level");
	/* warn passes the start-up notices too (docs/architecture.md "Start-up log"):
	 * one line per socket, what an operator needs to see at Falco's default level. */
	c->log_level = SS_PLUGIN_LOG_SEV_NOTICE;
	if (!v)
		return 0;
	for (size_t i = 0; json_is_string(v) && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(json_string_value(v), levels[i].name)) {
			c->log_level = levels[i].sev;
			return 0;
		}
	return fail(err, errlen, "log_level must be one of trace, debug, info, warn, error%s", "");
}

/* JSON-schema "integer" is a number without a fraction: libsinsp's validator
 * lets 1.0 and 1e2 through, so they must not fail init afterwards. */
static bool whole_number(const json_t* v, int64_t* out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	double d = json_is_real(v) ? json_real_value(v) : 0.5;
	if (!(d >= -9.2e18 && d <= 9.2e18) || (double)(int64_t)d != d)
		return false;
	*out = (int64_t)d;
	return true;
}

static int parse_root(json_t* root, config* c, char* err, size_t errlen)
{
	static const char* const known[] = {"label_max_len", "with_size", "hooks", "log_level",
	                                    "max_containers", "engines", NULL};
	const char* k;
	json_t* x;
	json_object_foreach(root, k, x)
	{
		size_t i = 0;
		while (known[i] && strcmp(known[i], k))
			i++;
		if (!known[i])
			return fail(err, errlen, "unknown config key \"%s\"", k);
	}
	json_t* v = json_object_get(root, "label_max_len");
	c->label_max_len = 100;
	if (v && !whole_number(v, &c->label_max_len))
		return fail(err, errlen, "%s must be an integer", "label_max_len");
	v = json_object_get(root, "with_size");
	if (v && !json_is_boolean(v))
		return fail(err, errlen, "%s must be a boolean", "with_size");
	c->with_size = v && json_is_true(v);
	v = json_object_get(root, "max_containers");
	c->max_containers = CONFIG_MAX_CONTAINERS;
	if (v && (!whole_number(v, &c->max_containers) || c->max_containers < 1))
		return fail(err, errlen, "%s must be a positive integer", "max_containers");
	if (parse_hooks(root, c, err, errlen) || parse_log_level(root, c, err, errlen))
		return -1;
	return parse_engines(root, c, err, errlen);
}

/* True when text holds nothing but white space. */
static bool blank(const char* text)
{
	return !text || text[strspn(text, " \t\r\n")] == '\0';
}

int config_parse(const char* text, config* out, char* err, size_t errlen)
{
	/* Falco hands `init_config: {}` (and an init_config with every key
	 * commented out) to the plugin as JSON null, and other hosts may pass
	 * nothing: all of them mean "defaults", like {}. */
	json_error_t jerr;
	json_t* root = blank(text) ? json_object() : json_loads(text, JSON_DECODE_ANY, &jerr);
	if (root && json_is_null(root)) {
		json_decref(root);
		root = json_object();
	}
	if (!root && blank(text))
		return fail(err, errlen, "out of memory%s", "");
	if (!root) {
		snprintf(err, errlen, "init config is not valid JSON: %s (line %d, column %d)", jerr.text,
		         jerr.line, jerr.column);
		return -1;
	}
	config c = {0};
	const char* hr = getenv("HOST_ROOT");
	c.host_root = strdup(hr ? hr : "");
	int rc = c.host_root ? 0 : fail(err, errlen, "out of memory%s", "");
	if (!rc && !json_is_object(root))
		rc = fail(err, errlen, "init config must be a JSON object%s", "");
	if (!rc)
		rc = parse_root(root, &c, err, errlen);
	json_decref(root);
	if (rc) {
		config_free(&c);
		return -1;
	}
	*out = c;
	return 0;
}

static void config_engine_free(config_engine* e)
{
	for (size_t i = 0; i < e->nsockets; i++)
		free(e->sockets[i]);
	free(e->sockets);
	e->sockets = NULL;
	e->nsockets = 0;
}

void config_free(config* c)
{
	config_engine_free(&c->docker);
	config_engine_free(&c->podman);
	config_engine_free(&c->containerd);
	config_engine_free(&c->cri);
	free(c->static_id);
	free(c->static_name);
	free(c->static_image);
	free(c->host_root);
	memset(c, 0, sizeof(*c));
}
