#include "lookup.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idset.h"

typedef struct entry {
	char id[CGROUP_ID_MAX];
	cgroup_engine hint;
	uint64_t first_ms; /* entered the tracker */
	uint64_t seen_ms;  /* last lookup_want */
	uint64_t due_ms;   /* the next round may start */
	uint64_t round_ms; /* the current round started */
	uint64_t delay_ms; /* before the round after a failed one */
	uint64_t asked;    /* engine slots that answered "unknown" this round */
	uint64_t busy;     /* engine slots asking now */
	unsigned failed;   /* rounds every engine up answered "unknown" to */
} entry;

struct lookup_tracker {
	pthread_mutex_t mu;
	entry* e;
	size_t n, cap;
	idset index; /* id -> position in e */
	idset candidates;
	uint64_t up;
	cgroup_engine kinds[LOOKUP_MAX_ENGINES];
	uint64_t slow_next_ms; /* the shared budget of rounds of old ids */
	lookup_stats st;
};

lookup_tracker* lookup_new(void)
{
	lookup_tracker* t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	pthread_mutex_init(&t->mu, NULL);
	idset_init(&t->index);
	idset_init(&t->candidates);
	return t;
}

void lookup_free(lookup_tracker* t)
{
	if (!t)
		return;
	free(t->e);
	idset_free(&t->index);
	idset_free(&t->candidates);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

void lookup_engine_set(lookup_tracker* t, unsigned slot, cgroup_engine kind, bool up)
{
	if (slot >= LOOKUP_MAX_ENGINES)
		return;
	pthread_mutex_lock(&t->mu);
	t->kinds[slot] = kind;
	if (up)
		t->up |= 1ull << slot;
	else
		t->up &= ~(1ull << slot);
	pthread_mutex_unlock(&t->mu);
}

/* ---- the set of ids ---------------------------------------------------------- */

static void remove_at(lookup_tracker* t, size_t i)
{
	idset_del(&t->index, t->e[i].id);
	if (i != t->n - 1) {
		t->e[i] = t->e[t->n - 1];
		idset_put(&t->index, t->e[i].id, i); /* updates a present key: cannot fail */
	}
	t->n--;
}

static entry* find(lookup_tracker* t, const char* id)
{
	uint64_t pos;
	return idset_get(&t->index, id, &pos) ? &t->e[pos] : NULL;
}

static void drop_least_recent(lookup_tracker* t)
{
	size_t old = 0;
	for (size_t i = 1; i < t->n; i++)
		if (t->e[i].seen_ms < t->e[old].seen_ms)
			old = i;
	remove_at(t, old);
	t->st.dropped++;
}

static bool make_room(lookup_tracker* t)
{
	if (t->n == LOOKUP_MAX_IDS)
		drop_least_recent(t);
	if (t->n < t->cap)
		return true;
	size_t cap = t->cap ? t->cap * 2 : 16;
	entry* e = realloc(t->e, (cap > LOOKUP_MAX_IDS ? LOOKUP_MAX_IDS : cap) * sizeof(*e));
	if (!e)
		return false;
	t->e = e;
	t->cap = cap > LOOKUP_MAX_IDS ? LOOKUP_MAX_IDS : cap;
	return true;
}

bool lookup_want(lookup_tracker* t, const char* id, cgroup_engine hint, uint64_t now)
{
	if (!id[0] || strlen(id) >= CGROUP_ID_MAX)
		return false;
	pthread_mutex_lock(&t->mu);
	entry* e = find(t, id);
	bool fresh = !e;
	if (e) {
		e->seen_ms = now;
	} else if (make_room(t) && idset_put(&t->index, id, t->n)) {
		e = &t->e[t->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", id);
		e->hint = hint;
		e->first_ms = e->seen_ms = e->due_ms = now;
		e->delay_ms = LOOKUP_RETRY_FIRST_MS;
		t->st.wanted++;
	} else {
		fresh = false; /* out of memory: the next process of the container asks again */
	}
	pthread_mutex_unlock(&t->mu);
	return fresh;
}

void lookup_known(lookup_tracker* t, const char* id)
{
	pthread_mutex_lock(&t->mu);
	uint64_t pos;
	if (idset_get(&t->index, id, &pos)) {
		remove_at(t, pos);
		t->st.known++;
	}
	pthread_mutex_unlock(&t->mu);
}

/* ---- rounds: every engine up asked once ----------------------------------------- */

/* CRI and the containerd API serve the same kubepods cgroups. */
static bool prefers(cgroup_engine hint, cgroup_engine kind)
{
	bool k8s_hint = hint == CGROUP_ENGINE_CRI || hint == CGROUP_ENGINE_CONTAINERD;
	bool k8s_kind = kind == CGROUP_ENGINE_CRI || kind == CGROUP_ENGINE_CONTAINERD;
	return hint == CGROUP_ENGINE_NONE || kind == CGROUP_ENGINE_NONE || kind == hint ||
	       (k8s_hint && k8s_kind);
}

/* Engines up that are asked first for an id of HINT. */
static uint64_t preferred_up(const lookup_tracker* t, cgroup_engine hint)
{
	uint64_t m = 0;
	for (unsigned s = 0; s < LOOKUP_MAX_ENGINES; s++)
		if ((t->up >> s & 1) && prefers(hint, t->kinds[s]))
			m |= 1ull << s;
	return m;
}

/* A round every engine up answered "unknown" to: the next one after the backoff. */
static void settle(lookup_tracker* t, entry* e, uint64_t now)
{
	if (!e->asked || e->busy || (t->up & ~e->asked))
		return;
	e->due_ms = now + e->delay_ms;
	e->delay_ms = e->delay_ms * 2 > LOOKUP_RETRY_MAX_MS ? LOOKUP_RETRY_MAX_MS : e->delay_ms * 2;
	e->asked = 0;
	e->failed++;
	t->st.failed_rounds++;
}

static void earlier(uint64_t* next, uint64_t t)
{
	if (t < *next)
		*next = t;
}

/* A retry of an id past its first seconds: such rounds share the slow budget. */
static bool slow(const entry* e, uint64_t now)
{
	return e->failed && now - e->first_ms >= LOOKUP_FAST_MS;
}

/* Whether SLOT may ask E now; if not, *next gets when it might. */
static bool eligible(lookup_tracker* t, const entry* e, unsigned slot, uint64_t now,
                     uint64_t* next)
{
	uint64_t bit = 1ull << slot;
	if ((e->asked | e->busy) & bit)
		return false; /* its turn comes with the next round */
	if (e->due_ms > now) {
		earlier(next, e->due_ms);
		return false;
	}
	bool new_round = !e->asked && !e->busy;
	if (new_round && slow(e, now) && now < t->slow_next_ms) {
		earlier(next, t->slow_next_ms);
		return false;
	}
	if (prefers(e->hint, t->kinds[slot]))
		return true;
	uint64_t grace_end = (new_round ? now : e->round_ms) + LOOKUP_HINT_GRACE_MS;
	if ((preferred_up(t, e->hint) & ~e->asked) && now < grace_end) {
		earlier(next, grace_end);
		return false;
	}
	return true;
}

bool lookup_take(lookup_tracker* t, unsigned slot, uint64_t now, char id[CGROUP_ID_MAX],
                 uint64_t* next_ms)
{
	uint64_t next = UINT64_MAX;
	entry* best = NULL;
	pthread_mutex_lock(&t->mu);
	for (size_t i = 0; i < t->n; i++) {
		if (!t->e[i].busy && now - t->e[i].seen_ms >= LOOKUP_IDLE_MS) {
			remove_at(t, i--);
			t->st.expired++;
		}
	}
	bool up = slot < LOOKUP_MAX_ENGINES && (t->up >> slot & 1);
	for (size_t i = 0; up && i < t->n; i++) {
		entry* e = &t->e[i];
		settle(t, e, now); /* an engine that went down may have ended the round */
		if (eligible(t, e, slot, now, &next) && (!best || e->due_ms < best->due_ms))
			best = e;
	}
	if (best) {
		if (!best->asked && !best->busy) {
			best->round_ms = now;
			t->st.retried += best->failed > 0;
			if (slow(best, now))
				t->slow_next_ms = now + LOOKUP_SLOW_EVERY_MS;
		}
		best->busy |= 1ull << slot;
		t->st.attempts++;
		memcpy(id, best->id, CGROUP_ID_MAX);
	}
	pthread_mutex_unlock(&t->mu);
	if (next_ms)
		*next_ms = next;
	return best != NULL;
}

bool lookup_result(lookup_tracker* t, unsigned slot, const char* id, lookup_outcome outcome,
                   uint64_t now)
{
	bool found = outcome == LOOKUP_FOUND;
	uint64_t bit = slot < LOOKUP_MAX_ENGINES ? 1ull << slot : 0;
	pthread_mutex_lock(&t->mu);
	uint64_t pos;
	bool mine = idset_get(&t->index, id, &pos) && (t->e[pos].busy & bit);
	t->st.found += found;
	t->st.not_found += outcome == LOOKUP_NOT_FOUND;
	t->st.failed += outcome == LOOKUP_FAILED;
	if (mine && found) {
		remove_at(t, pos);
	} else if (mine) {
		entry* e = &t->e[pos];
		e->busy &= ~bit;
		e->asked |= bit;
		settle(t, e, now);
	}
	pthread_mutex_unlock(&t->mu);
	return mine && !found;
}

/* ---- candidates -------------------------------------------------------------- */

typedef struct oldest {
	const idset* s;
	char id[CGROUP_ID_MAX];
	uint64_t at;
} oldest;

static void find_oldest(void* arg, const char* id)
{
	oldest* o = arg;
	uint64_t at = UINT64_MAX;
	idset_get(o->s, id, &at);
	if (at < o->at) {
		o->at = at;
		snprintf(o->id, sizeof(o->id), "%s", id);
	}
}

void lookup_candidate_add(lookup_tracker* t, const char* id, uint64_t now)
{
	pthread_mutex_lock(&t->mu);
	if (!idset_get(&t->candidates, id, NULL) && idset_count(&t->candidates) >= LOOKUP_MAX_IDS) {
		oldest o = {&t->candidates, "", UINT64_MAX};
		idset_foreach(&t->candidates, find_oldest, &o);
		idset_del(&t->candidates, o.id);
		t->st.dropped++;
	}
	idset_put(&t->candidates, id, now);
	pthread_mutex_unlock(&t->mu);
}

bool lookup_candidate_confirm(lookup_tracker* t, const char* id)
{
	pthread_mutex_lock(&t->mu);
	bool was = idset_del(&t->candidates, id);
	pthread_mutex_unlock(&t->mu);
	return was;
}

lookup_stats lookup_get_stats(lookup_tracker* t)
{
	pthread_mutex_lock(&t->mu);
	lookup_stats s = t->st;
	s.pending = t->n;
	pthread_mutex_unlock(&t->mu);
	return s;
}
