/*
 * Podman's libpod API (docs/engines.md "Podman"): the shared
 * REST engine with libpod paths and event names, and the discovery of
 * rootless users' sockets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rest.h"

static ctr_record* podman_build(engine* e, const char* body, size_t len, char* err,
                                size_t errlen)
{
	inspect_opts o = {e->env->cfg->label_max_len, e->env->cfg->with_size};
	ctr_record* r = inspect_podman(body, len, &o, err, errlen);
	if (r && errlen && err[0]) /* kept, without what went over the record's limits */
		plog_warn(e->env->log, "podman: container %s: %s", r->id, err);
	/* Pod members share the infra container's network. */
	char* other = r && !r->ip[0] ? inspect_network_container(body, len) : NULL;
	if (other) {
		char path[512];
		http_resp b;
		snprintf(path, sizeof(path), "/containers/%s/json", other);
		if (rest_get(e, path, &b) == 0) {
			char* ip = inspect_ip(b.body, b.len);
			if (ip)
				ctr_str_set(&r->ip, ip);
			free(ip);
			http_resp_free(&b);
		}
		free(other);
	}
	return r;
}

static const rest_desc podman_desc = {
    .kind = "podman",
    .type = CTR_TYPE_PODMAN,
    .ping = "/libpod/_ping",
    .prefix_fmt = "/v%s/libpod",
    .list = "/containers/json?all=true",
    .size_param = "size=true",
    .events = "/events?stream=true",
    .event_filter = "{\"type\":[\"container\"],\"event\":[\"create\",\"start\",\"died\","
                    "\"remove\"]}",
    .removed = {"died", "remove"},
    .build = podman_build,
};

engine* podman_engine_new(const engine_env* env, const char* socket)
{
	return rest_engine_new(&podman_desc, env, socket);
}

size_t podman_discover(const char* host_root, char*** paths)
{
	return engine_user_sockets(host_root, "podman/podman.sock", paths);
}
