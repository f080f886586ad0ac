#include "async.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr_json.h"
#include "scap_events.h"

void async_init(async_emitter* a)
{
	pthread_rwlock_init(&a->lock, NULL);
	a->owner = NULL;
	a->handler = NULL;
	a->m = NULL;
}

void async_destroy(async_emitter* a)
{
	pthread_rwlock_destroy(&a->lock);
}

void async_set_handler(async_emitter* a, ss_plugin_owner_t* owner,
                       ss_plugin_async_event_handler_t handler)
{
	/* The write lock waits for every emitter still inside the handler. */
	pthread_rwlock_wrlock(&a->lock);
	a->owner = owner;
	a->handler = handler;
	pthread_rwlock_unlock(&a->lock);
}

bool async_enabled(async_emitter* a)
{
	pthread_rwlock_rdlock(&a->lock);
	bool on = a->handler != NULL;
	pthread_rwlock_unlock(&a->lock);
	return on;
}

bool async_emit_with(ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler,
                     const char* name, const ctr_record* r, uint64_t ts, uint64_t tid, char* err)
{
	char* json = ctr_json_encode(r);
	if (!json) {
		if (err)
			snprintf(err, PLUGIN_MAX_ERRLEN, "cannot encode container %s", r->id);
		return false;
	}
	uint32_t dlen = (uint32_t)strlen(json) + 1; /* the payload carries its NUL */
	uint64_t size = scap_async_event_size(name, dlen);
	void* buf = malloc(size);
	bool ok = false;
	if (buf) {
		scap_async_event_write(buf, ts, tid, name, json, dlen);
		char herr[PLUGIN_MAX_ERRLEN] = "";
		ok = handler(owner, buf, herr) == SS_PLUGIN_SUCCESS;
		if (!ok && err)
			snprintf(err, PLUGIN_MAX_ERRLEN, "host refused %s event: %.900s", name, herr);
	} else if (err) {
		snprintf(err, PLUGIN_MAX_ERRLEN, "out of memory for %s event", name);
	}
	free(buf);
	free(json);
	return ok;
}

static void count(async_emitter* a, const char* name)
{
	metrics_add(a->m,
	            !strcmp(name, ASYNC_EVT_REMOVED)     ? METRIC_ASYNC_REMOVED
	            : !strcmp(name, ASYNC_EVT_CONTAINER) ? METRIC_ASYNC_CONTAINER
	                                                 : METRIC_ASYNC_UPDATED,
	            1);
}

bool async_emit_record(async_emitter* a, const char* name, const ctr_record* r, char* err)
{
	pthread_rwlock_rdlock(&a->lock);
	bool ok = false;
	if (a->handler)
		ok = async_emit_with(a->owner, a->handler, name, r, UINT64_MAX, ASYNC_TID_LIVE, err);
	if (ok)
		count(a, name);
	else if (!a->handler && err)
		snprintf(err, PLUGIN_MAX_ERRLEN, "async events are not enabled");
	pthread_rwlock_unlock(&a->lock);
	return ok;
}
