/*
 * Docker Engine API (docs/engines.md "Docker"): the shared REST
 * engine plus what only Docker needs, the image document and the IP of a
 * `--network container:<other>` container.
 */
#include <stdlib.h>
#include <string.h>

#include "rest.h"

/* The address of the container whose network this one joined, if any. */
static void network_of_other(engine* e, const char* body, size_t len, ctr_record* r)
{
	char* other = r->ip[0] ? NULL : inspect_network_container(body, len);
	char path[512];
	http_resp o;
	if (!other)
		return;
	snprintf(path, sizeof(path), "/containers/%s/json", other);
	if (rest_get(e, path, &o) == 0) {
		char* ip = inspect_ip(o.body, o.len);
		if (ip)
			ctr_str_set(&r->ip, ip);
		free(ip);
		http_resp_free(&o);
	}
	free(other);
}

static ctr_record* docker_build(engine* e, const char* body, size_t len, char* err, size_t errlen)
{
	inspect_opts o = {e->env->cfg->label_max_len, e->env->cfg->with_size};
	char* image_id = inspect_image_id(body, len);
	const http_resp* img = NULL;
	if (image_id) {
		char path[256];
		snprintf(path, sizeof(path), "/images/%s/json", image_id);
		img = rest_get_cached(e, path);
		free(image_id);
	}
	ctr_record* r = inspect_docker(body, len, img ? img->body : NULL, img ? img->len : 0, &o, err,
	                               errlen);
	if (r && errlen && err[0]) /* kept, without what went over the record's limits */
		plog_warn(e->env->log, "docker: container %s: %s", r->id, err);
	if (r)
		network_of_other(e, body, len, r);
	return r;
}

static const rest_desc docker_desc = {
    .kind = "docker",
    .type = CTR_TYPE_DOCKER,
    .ping = "/_ping",
    .prefix_fmt = "/v%s",
    .list = "/containers/json?all=1",
    .size_param = "size=1",
    .events = "/events",
    .event_filter = "{\"type\":[\"container\"],\"event\":[\"create\",\"start\",\"die\","
                    "\"destroy\"]}",
    .removed = {"die", "destroy"},
    .build = docker_build,
};

size_t docker_discover(const char* host_root, char*** paths)
{
	return engine_user_sockets(host_root, "docker.sock", paths);
}

engine* docker_engine_new(const engine_env* env, const char* socket)
{
	return rest_engine_new(&docker_desc, env, socket);
}
