/*
 * The one rule for container ids and names that came from outside (an event,
 * a cgroup path, a document) before they are put in an engine request (a URL
 * path, a list filter) or in a record's id.
 */
#ifndef CTR_ID_H
#define CTR_ID_H

#include <stdbool.h>

/* Longer than any engine's id or a sensible container name. */
#define CTR_ID_MAX 255

/*
 * 1 to CTR_ID_MAX characters of [A-Za-z0-9_.-], the first alphanumeric: no
 * "/", "..", escape, space or regular-expression character can get through.
 * Docker and podman names, and every engine's ids, have this shape.
 */
bool ctr_id_safe(const char* id);

#endif
