/*
 * Init configuration (docs/architecture.md "Configuration"): the JSON schema handed to the
 * host and the parser that turns a config text into a `config`.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin_api.h"

enum { CONFIG_HOOK_CREATE = 1, CONFIG_HOOK_START = 2 };

/* Containers cached at most unless max_containers says otherwise (docs/architecture.md "Bounded cache"). */
#define CONFIG_MAX_CONTAINERS 16384

typedef struct config_engine {
	bool enabled;
	char** sockets; /* without HOST_ROOT; defaults applied */
	size_t nsockets;
} config_engine;

typedef struct config {
	int64_t label_max_len;
	int64_t max_containers; /* the cache's ceiling (containers.c) */
	bool with_size;
	unsigned hooks;
	ss_plugin_log_severity log_level; /* most verbose severity logged */
	config_engine docker, podman, containerd, cri;
	bool podman_discover; /* default sockets: also watch /run/user/<uid>/podman/podman.sock */
	bool docker_discover; /* default sockets: also watch /run/user/<uid>/docker.sock (rootless) */
	bool lxc, libvirt_lxc, bpm;
	bool static_enabled;
	char* static_id;
	char* static_name;
	char* static_image;
	char* host_root; /* $HOST_ROOT, "" when unset */
} config;

/* The JSON schema returned by plugin_get_init_schema (static text). */
const char* config_schema(void);

/*
 * Parses and validates `text`; NULL, blank and JSON null mean the defaults,
 * as {} does (the forms Falco and other hosts pass for an empty init_config). On failure
 * returns -1 with a message naming the offending key in err; *out is then
 * untouched. On success *out owns its allocations (config_free).
 */
int config_parse(const char* text, config* out, char* err, size_t errlen);
void config_free(config* c);

#endif
