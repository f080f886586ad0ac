/* Construction and release of engine instances, shared by every engine kind. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

engine* engine_new(const engine_ops* ops, const engine_env* env, const char* socket, void* priv)
{
	engine* e = calloc(1, sizeof(*e));
	size_t len = strlen(env->cfg->host_root) + strlen(socket) + 1;
	char* path = malloc(len);
	if (!e || !path) {
		free(e);
		free(path);
		return NULL;
	}
	snprintf(path, len, "%s%s", env->cfg->host_root, socket);
	e->ops = ops;
	e->env = env;
	e->socket = path;
	e->priv = priv;
	return e;
}

void engine_free(engine* e)
{
	if (!e)
		return;
	e->ops->destroy(e);
	free(e->socket);
	free(e);
}
