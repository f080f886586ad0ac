/*
 * One line of a Docker `/events` or libpod `/libpod/events` stream → the
 * container event the REST engine acts on. Pure.
 */
#ifndef REST_EVENT_H
#define REST_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rest_event {
	char* action;     /* Action (fallback: status), e.g. "create", "died" */
	char full_id[65]; /* Actor.ID (fallback: id), 64 hex */
	char* image;      /* Actor.Attributes.image (fallback: from), "" if absent */
	int64_t time_ns;  /* timeNano (saturated), else time × 1e9, else 0 */
} rest_event;

/*
 * Parses one event line. True only for a container event (Type absent or
 * "container") with a non-empty action and a 64-hex id; then out owns heap
 * strings to release with rest_event_free. On false, out holds nothing.
 */
bool rest_event_parse(const char* line, size_t len, rest_event* out);
void rest_event_free(rest_event* ev);

#endif
