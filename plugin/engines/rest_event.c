#include "rest_event.h"
#include "jget.h"
#include "values.h"

#include <stdlib.h>
#include <string.h>

void rest_event_free(rest_event* ev)
{
	if (!ev)
		return;
	free(ev->action);
	free(ev->image);
	memset(ev, 0, sizeof(*ev));
}

/* A non-empty string member, else the fallback member's. */
static const char* str_either(const json_t* a, const char* akey, const json_t* b,
                              const char* bkey)
{
	const char* s = jget_str(a, akey);
	return s && *s ? s : jget_str(b, bkey);
}

static int64_t event_time(const json_t* ev)
{
	int64_t t;
	if (jget_int(ev, "timeNano", &t) && t > 0)
		return t;
	if (jget_int(ev, "time", &t) && t > 0 && t <= INT64_MAX / 1000000000)
		return t * 1000000000;
	return 0;
}

static bool is_full_id(const json_t* v)
{
	return json_is_string(v) && val_full_id(json_string_value(v), json_string_length(v));
}

static bool read_event(const json_t* ev, rest_event* out)
{
	json_t* actor = jget(ev, "Actor");
	json_t* id = jget(actor, "ID");
	if (!json_is_string(id) || !json_string_length(id))
		id = jget(ev, "id");
	const char* action = str_either(ev, "Action", ev, "status");
	const char* image = str_either(jget(actor, "Attributes"), "image", ev, "from");
	if (!action || !*action || !is_full_id(id))
		return false;
	memcpy(out->full_id, json_string_value(id), VAL_FULL_ID_LEN + 1);
	out->time_ns = event_time(ev);
	out->action = strdup(action);
	out->image = strdup(image ? image : "");
	return out->action && out->image;
}

bool rest_event_parse(const char* line, size_t len, rest_event* out)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	json_t* ev = jget_parse(line, len, NULL, 0);
	/* libpod's unfiltered streams also carry image events, whose Actor.ID is an image id. */
	json_t* type = jget(ev, "Type");
	const char* tname = jget_str(ev, "Type");
	bool ok = json_is_object(ev) && (!type || (tname && !strcmp(tname, "container"))) &&
	          read_event(ev, out);
	json_decref(ev);
	if (!ok)
		rest_event_free(out);
	return ok;
}
