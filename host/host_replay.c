/*
 * Opening a capture file the way libsinsp does (docs/architecture.md "Reading captures"):
 * the leading run of state events (dumped containers, users, groups) is
 * parsed before capture_open, so that capture_open already finds the dumped
 * containers in the plugin's cache and resolves every thread of the
 * capture's process table, including threads that never get a process event.
 */
#include "host_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "scap_events.h"

/* libsinsp's user/group state events (no state in this host; kept in the run). */
enum { HOST_USER_ADDED_E = 354, HOST_USER_DELETED_E = 356, HOST_GROUP_ADDED_E = 358,
       HOST_GROUP_DELETED_E = 360 };

/*
 * libscap rewrites old container events while it reads a capture file
 * (savefile converter table), before libsinsp sees them: 228 (id, type, name,
 * image) becomes the flat JSON {"id","type","name","image"} — no "container"
 * wrapper, nothing escaped — and 272 (2-byte parameter length) becomes 324.
 * A new 324 event (caller frees), or NULL when evt is neither or is malformed.
 */
ss_plugin_event* host_convert_legacy(const ss_plugin_event* evt)
{
	ss_plugin_event hdr;
	memcpy(&hdr, evt, sizeof(hdr));
	const char *id, *name, *image, *json;
	const uint8_t* tp;
	uint32_t tlen, type;
	if (hdr.type == PPME_CONTAINER_JSON_E)
		return scap_event_param_str(evt, 0, &json, NULL)
		           ? evt_container_json(PPME_CONTAINER_JSON_2_E, hdr.ts, hdr.tid, json)
		           : NULL;
	if (hdr.type != PPME_CONTAINER_E || !scap_event_param_str(evt, 0, &id, NULL) ||
	    !scap_event_param(evt, 1, &tp, &tlen) || tlen != 4 ||
	    !scap_event_param_str(evt, 2, &name, NULL) || !scap_event_param_str(evt, 3, &image, NULL))
		return NULL;
	memcpy(&type, tp, 4);
	size_t n = strlen(id) + strlen(name) + strlen(image) + 64;
	char* text = malloc(n);
	if (!text)
		return NULL;
	snprintf(text, n, "{\"id\":\"%s\",\"type\":%u,\"name\":\"%s\",\"image\":\"%s\"}", id, type,
	         name, image);
	ss_plugin_event* out = evt_container_json(PPME_CONTAINER_JSON_2_E, hdr.ts, hdr.tid, text);
	free(text);
	return out;
}

bool host_is_legacy_container(uint16_t type)
{
	return type == PPME_CONTAINER_E || type == PPME_CONTAINER_JSON_E;
}

/* The codes of libsinsp's is_initialstate_event (228 and 272 reach it as 324). */
static bool host_initial_state_event(uint16_t type)
{
	switch (type) {
	case PPME_CONTAINER_JSON_2_E:
	case PPME_ASYNCEVENT_E:
	case HOST_USER_ADDED_E:
	case HOST_USER_DELETED_E:
	case HOST_GROUP_ADDED_E:
	case HOST_GROUP_DELETED_E:
		return true;
	default:
		return false;
	}
}

int host_open_file_events(host* h, ss_plugin_event* const* evts, size_t n, size_t* consumed)
{
	size_t done = 0;
	if (consumed)
		*consumed = 0;
	if (!h->inited)
		return host_fail(h, "plugin is not initialized");
	if (h->mode != HOST_MODE_CLOSED)
		return host_fail(h, "a capture is already open");
	if (n > 0 && !evts)
		return host_fail(h, "NULL event list");
	for (; done < n; done++) {
		const ss_plugin_event* evt = evts[done];
		if (!evt)
			return host_fail(h, "NULL event at index %zu", done);
		ss_plugin_event hdr;
		memcpy(&hdr, evt, sizeof(hdr));
		if (!host_initial_state_event(host_is_legacy_container(hdr.type) ? PPME_CONTAINER_JSON_2_E
		                                                                : hdr.type))
			break;
		/* No capture is open yet: the plugin parses without an async handler. */
		if (host_feed(h, evt) != 0) {
			char why[PLUGIN_MAX_ERRLEN];
			memcpy(why, h->err, sizeof(why));
			return host_fail(h, "state event %zu of the capture: %.400s", done, why);
		}
		if (consumed)
			*consumed = done + 1;
	}
	return host_open_file(h);
}
