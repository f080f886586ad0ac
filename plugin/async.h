/*
 * The async event emitter: turns a record into a `container` or
 * `container_removed` event (docs/abi.md "Async events", payload = JSON + NUL) and
 * hands it to the host's handler. Callable from any thread; a read-write lock
 * guarantees no handler call after async_set_handler(NULL) returned.
 */
#ifndef ASYNC_H
#define ASYNC_H

#include <pthread.h>
#include <stdbool.h>

#include "ctr_record.h"
#include "metrics.h"
#include "plugin_api.h"

#define ASYNC_EVT_CONTAINER "container"
#define ASYNC_EVT_REMOVED "container_removed"
/*
 * Live events carry thread id 0, which no process has: libsinsp attributes an
 * event to the thread of its tid, and with tid 1 rules matching `container`
 * events (e.g. a privileged container starting) reported init/systemd as the
 * process (falco#3610; upstream moved to 0 as well). Events of
 * plugin_dump_state keep tid 1: libsinsp consumes them while it opens a
 * capture file, before any rule sees an event, and that is the tid capture
 * files written so far carry.
 */
#define ASYNC_TID_LIVE 0
#define ASYNC_TID_DUMP 1

typedef struct async_emitter {
	pthread_rwlock_t lock;
	ss_plugin_owner_t* owner;
	ss_plugin_async_event_handler_t handler;
	metrics* m; /* events accepted, by name (NULL: not counted) */
} async_emitter;

void async_init(async_emitter* a);
void async_destroy(async_emitter* a);
void async_set_handler(async_emitter* a, ss_plugin_owner_t* owner,
                       ss_plugin_async_event_handler_t handler);
bool async_enabled(async_emitter* a);

/*
 * Emits one event for r through the installed handler (counted in a->m when
 * the host took it) (false when none is
 * installed or the host refused it; err gets the reason if non-NULL).
 */
bool async_emit_record(async_emitter* a, const char* name, const ctr_record* r, char* err);

/* Same through an explicit handler (plugin_dump_state): real ts, ASYNC_TID_DUMP. */
bool async_emit_with(ss_plugin_owner_t* owner, ss_plugin_async_event_handler_t handler,
                     const char* name, const ctr_record* r, uint64_t ts, uint64_t tid, char* err);

#endif
