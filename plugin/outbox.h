/*
 * Container events the host refused, kept until it takes them: an engine
 * reports a container once (its `known` set then holds the id), so an event
 * lost here would never be sent again and a removed container would stay
 * cached for good. Keyed by container id, the latest event of an id replaces
 * the one waiting (a removal supersedes the addition it follows), so the
 * outbox holds at most one event per container; retried with backoff.
 *
 * Any thread may send; one thread flushes. Emission happens under the
 * outbox's lock, so that two events of one container never cross (the
 * host's handler only queues the event).
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "async.h"
#include "ctr_record.h"

#define OUTBOX_CAP 4096
#define OUTBOX_RETRY_FIRST_MS 50
#define OUTBOX_RETRY_MAX_MS 5000

typedef struct outbox outbox;

typedef struct outbox_stats {
	uint64_t refused;   /* emissions the host refused (first tries and retries) */
	uint64_t delivered_late; /* events accepted on a retry */
	uint64_t replaced;  /* waiting events superseded by a newer one of the same container */
	uint64_t dropped;   /* not kept: the outbox was full */
	uint64_t pending;   /* waiting now */
} outbox_stats;

outbox* outbox_new(async_emitter* emitter);
/* Releases what is still waiting (nothing may send or flush any more). */
void outbox_free(outbox* o);

/*
 * Emits event NAME (an ASYNC_EVT_* constant: kept as a pointer) for r, or
 * keeps it for a retry when the host refuses it or an older event of the same
 * container is still waiting (events of one container keep their order).
 * False only when the event is lost: refused and the outbox full.
 */
bool outbox_send(outbox* o, const char* name, const ctr_record* r, uint64_t now);

/* Retries the events due at NOW; returns when the next one is due (UINT64_MAX: none). */
uint64_t outbox_flush(outbox* o, uint64_t now);

outbox_stats outbox_get_stats(outbox* o);

#endif
