/*
 * A fake Docker Engine API daemon on a unix socket, for tests that need an
 * engine they can script: the containers it lists and inspects, fixed answers
 * for other paths, event streams that stay open until it stops, and faults
 * (a daemon that hangs, answers garbage, cuts or stalls its answers, sends
 * oversized ones). Podman's libpod paths (/libpod/_ping,
 * /v1.41/libpod/containers/json, ...) contain the same markers, so one fake
 * plays both engines.
 *
 * Containers, documents and answers change only while the daemon is stopped
 * (starting and joining its thread order those writes); mode, faults and held
 * connections may change while it serves, and its counters be read then.
 */
#ifndef FAKE_DOCKER_H
#define FAKE_DOCKER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct fake_docker fake_docker;

typedef enum fake_docker_mode {
	FAKE_DOCKER_MODE_HEALTHY,
	FAKE_DOCKER_MODE_HANG,    /* accepts, never reads nor answers */
	FAKE_DOCKER_MODE_GARBAGE, /* answers every request with something that is not HTTP */
	FAKE_DOCKER_MODE_STALL,   /* reads the request, sends half an answer, then silence */
} fake_docker_mode;

/* Each fault hits the next N requests of its kind (fake_docker_set_fault). */
typedef enum fake_docker_fault {
	FAKE_DOCKER_FAULT_LIST_SHORT,    /* a complete-looking "[]", declaring more bytes, then close */
	FAKE_DOCKER_FAULT_LIST_CUT,      /* half the list, no declared length, then close */
	FAKE_DOCKER_FAULT_LIST_STALL,    /* half the list, then silence until the daemon stops */
	FAKE_DOCKER_FAULT_LIST_HUGE,     /* declares an answer over the plugin's size limit */
	FAKE_DOCKER_FAULT_INSPECT_SHORT, /* a complete-looking decoy, declaring more, then close */
	FAKE_DOCKER_FAULT_INSPECT_STALL, /* half the document, then silence until the daemon stops */
	FAKE_DOCKER_FAULT_EVENTS_HALF,   /* half an event line, then close */
	FAKE_DOCKER_FAULT_EVENTS_LONG,   /* a 2 MiB event line (over the stream's line limit) */
	FAKE_DOCKER_FAULTS
} fake_docker_fault;

/* What a request was routed to, for fake_docker_hits. */
typedef enum fake_docker_route {
	FAKE_DOCKER_ROUTE_PING,
	FAKE_DOCKER_ROUTE_LIST,
	FAKE_DOCKER_ROUTE_INSPECT,
	FAKE_DOCKER_ROUTE_EVENTS,
	FAKE_DOCKER_ROUTE_OTHER, /* answered 404 */
	FAKE_DOCKER_ROUTES
} fake_docker_route;

/*
 * A stopped daemon that will listen on dir/name; a NULL dir is a private
 * temporary directory, removed by fake_docker_free. NULL on failure.
 */
fake_docker* fake_docker_new(const char* dir, const char* name);
/* Stops the daemon if it runs, then frees it (NULL is fine). */
void fake_docker_free(fake_docker* d);

const char* fake_docker_socket(const fake_docker* d);
bool fake_docker_start(fake_docker* d);
/* The daemon goes away: socket removed, every connection cut, faults forgotten. */
void fake_docker_stop(fake_docker* d);

/*
 * Adds a container (id: 64 hex digits) that the daemon lists and inspects;
 * its index, counted from 0 in the order of addition, or -1 when full.
 */
int fake_docker_add(fake_docker* d, const char* id, const char* name);
const char* fake_docker_id(const fake_docker* d, size_t i);
const char* fake_docker_name(const fake_docker* d, size_t i);
/* Only containers [0, n) exist now (listed, inspectable); the others come back with a larger n. */
void fake_docker_set_count(fake_docker* d, size_t n);
/* Container i's inspect answer becomes a copy of doc (instead of a generated one). */
bool fake_docker_set_inspect(fake_docker* d, size_t i, const char* doc, size_t len);
/* Container i's inspect answers stall from now on: half the document, then
 * silence until the daemon stops (a daemon slow on one container of a list). */
bool fake_docker_stall_inspect(fake_docker* d, size_t i);
/* The list answer becomes a copy of doc (instead of one generated from the containers). */
bool fake_docker_set_list(fake_docker* d, const char* doc);

/*
 * Requests whose path contains match get status and body, before any other
 * route; the answer's index (counted from 0 in the order of addition) or -1.
 */
int fake_docker_answer(fake_docker* d, const char* match, int status, const char* body);

/* Raw text sent to every event stream when it opens (before the events below). */
bool fake_docker_set_stream_text(fake_docker* d, const char* text);
/* A container event sent to every event stream when it opens, stamped with that moment. */
bool fake_docker_add_stream_event(fake_docker* d, const char* action, const char* id,
                                  const char* image);

void fake_docker_set_mode(fake_docker* d, fake_docker_mode m);
void fake_docker_set_fault(fake_docker* d, fake_docker_fault f, int n);
/* Closes the held connections: open event streams end, as at a daemon restart. */
void fake_docker_drop_connections(fake_docker* d);

/* Connections accepted since the daemon was made, whatever its mode. */
unsigned fake_docker_connections(fake_docker* d);
/* Requests routed to route since the daemon was made. */
unsigned fake_docker_hits(fake_docker* d, fake_docker_route route);
/* Inspect requests for container i. */
unsigned fake_docker_inspects(fake_docker* d, size_t i);
/* Requests given answer k (fake_docker_answer). */
unsigned fake_docker_answer_hits(fake_docker* d, int k);

/* The plugin's init config with Docker alone enabled, on SOCKET (any socket
 * path, this daemon's or not), into buf; false if it does not fit. */
bool fake_docker_config(char* buf, size_t size, const char* socket);

#endif
