/*
 * The lookup tracker: every container id the event thread saw without a
 * record, until an engine answers for it or it is forgotten. It owns the
 * de-duplication (an id is asked once however many processes show it), the
 * retry schedule, the order in which engines are asked, expiry and the caps
 * on every id set, and the relaxed-rule candidates waiting for an engine.
 *
 * Shared by the event thread (lookup_want, lookup_known, candidates) and the
 * engine threads (lookup_take, lookup_result): one mutex, never held across
 * I/O. Time is always passed in (milliseconds on any monotonic clock), so
 * tests can run hours of schedule in a moment.
 */
#ifndef LOOKUP_H
#define LOOKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"

/* Ids waiting for an answer, and candidates: each set holds at most this many. */
#define LOOKUP_MAX_IDS 1024
/* Engine slots (bit numbers in the tracker's masks). */
#define LOOKUP_MAX_ENGINES 64
/*
 * Ids no engine knows are asked again after 30 ms, doubling up to 5 min:
 * cgroups (hence process events) show up before the engine registered the
 * container, so the first seconds matter; later, an id nobody knows is
 * usually a container of an engine that is not configured.
 */
#define LOOKUP_RETRY_FIRST_MS 30
#define LOOKUP_RETRY_MAX_MS (5 * 60 * 1000)
/*
 * Past its first LOOKUP_FAST_MS an id's retries share one budget with every
 * other such id: one round per LOOKUP_SLOW_EVERY_MS in all, so that hundreds
 * of unknown ids never turn into a steady load on the engines. A first round
 * is never held back (ids that waited for an engine to come up are asked at
 * once when it does).
 */
#define LOOKUP_FAST_MS 5000
#define LOOKUP_SLOW_EVERY_MS 1250
/* Engines of the kind the cgroup points at are asked first; others join after this. */
#define LOOKUP_HINT_GRACE_MS 250
/* An id no process showed for this long is forgotten. */
#define LOOKUP_IDLE_MS (10 * 60 * 1000)

typedef struct lookup_tracker lookup_tracker;

typedef struct lookup_stats {
	uint64_t wanted;   /* ids that entered the tracker */
	uint64_t attempts; /* lookups handed to an engine */
	uint64_t found;    /* lookups an engine answered with a record */
	uint64_t not_found; /* lookups an engine answered "no such container" */
	uint64_t failed;   /* lookups that failed (no answer in time, an error answer) */
	uint64_t retried;  /* rounds started again after a failed one (the backoff's retries) */
	uint64_t known;    /* ids that left because a record came (a lookup's, a listing's, an event's) */
	uint64_t failed_rounds; /* every engine up said "unknown" */
	uint64_t dropped;  /* forgotten because a set was full (least recently seen first) */
	uint64_t expired;  /* forgotten after LOOKUP_IDLE_MS unseen */
	uint64_t pending;  /* ids waiting now */
} lookup_stats;

lookup_tracker* lookup_new(void);
void lookup_free(lookup_tracker* t);

/* Engine slot SLOT (< LOOKUP_MAX_ENGINES) serves containers of KIND and is up or not. */
void lookup_engine_set(lookup_tracker* t, unsigned slot, cgroup_engine kind, bool up);

/*
 * A process of container ID was seen (HINT: the engine kind its cgroup points
 * at, CGROUP_ENGINE_NONE if none). True when the id is new: the engines may
 * have work. A full set forgets its least recently seen id.
 */
bool lookup_want(lookup_tracker* t, const char* id, cgroup_engine hint, uint64_t now);

/*
 * The next id engine SLOT (up) should look up now (copied to id), marked in
 * flight for it; false when none, with *next_ms (may be NULL) the earliest
 * time one may become due for it (UINT64_MAX: none until something changes).
 */
bool lookup_take(lookup_tracker* t, unsigned slot, uint64_t now, char id[CGROUP_ID_MAX],
                 uint64_t* next_ms);

/* What one engine's lookup gave; a failure counts as "unknown" for the schedule. */
typedef enum lookup_outcome {
	LOOKUP_NOT_FOUND = 0,
	LOOKUP_FOUND = 1,
	LOOKUP_FAILED = 2,
} lookup_outcome;

/* Engine SLOT's answer for ID. True when other engines may have new work (a round ended). */
bool lookup_result(lookup_tracker* t, unsigned slot, const char* id, lookup_outcome outcome,
                   uint64_t now);

/* ID has a record now (an engine listed it, an event brought it): no more lookups. */
void lookup_known(lookup_tracker* t, const char* id);

/* Relaxed-rule candidates: their threads stay on the host until an engine confirms the id. */
void lookup_candidate_add(lookup_tracker* t, const char* id, uint64_t now);
/* True if ID was a candidate (and is no more). */
bool lookup_candidate_confirm(lookup_tracker* t, const char* id);

lookup_stats lookup_get_stats(lookup_tracker* t);

#endif
