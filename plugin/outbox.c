#include "outbox.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ctr_json.h"
#include "idset.h"

typedef struct waiting {
	const char* name;
	ctr_record* r;
	uint64_t due_ms, delay_ms;
} waiting;

struct outbox {
	pthread_mutex_t mu;
	async_emitter* emitter;
	waiting* w;
	size_t n, cap;
	idset index; /* container id -> position in w */
	outbox_stats st;
};

outbox* outbox_new(async_emitter* emitter)
{
	outbox* o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	pthread_mutex_init(&o->mu, NULL);
	o->emitter = emitter;
	idset_init(&o->index);
	return o;
}

void outbox_free(outbox* o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		ctr_record_unref(o->w[i].r);
	free(o->w);
	idset_free(&o->index);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

static void remove_at(outbox* o, size_t i)
{
	idset_del(&o->index, o->w[i].r->id);
	ctr_record_unref(o->w[i].r);
	if (i != o->n - 1) {
		o->w[i] = o->w[o->n - 1];
		idset_put(&o->index, o->w[i].r->id, i); /* a present key: cannot fail */
	}
	o->n--;
}

/*
 * A copy of r that only the outbox touches (under its lock): the sender keeps
 * using its own record on its thread, and reference counts are not shared
 * across threads. Made from the event's JSON, which is what the host reads.
 */
static ctr_record* own_copy(const ctr_record* r)
{
	char err[128];
	char* json = ctr_json_encode(r);
	ctr_record* copy = json ? ctr_json_decode(json, strlen(json), err, sizeof(err)) : NULL;
	free(json);
	return copy;
}

static bool keep(outbox* o, const char* name, const ctr_record* r, uint64_t now)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		waiting* w = o->n < OUTBOX_CAP ? realloc(o->w, cap * sizeof(*w)) : NULL;
		if (!w)
			return false;
		o->w = w;
		o->cap = cap;
	}
	ctr_record* copy = own_copy(r);
	if (!copy || !idset_put(&o->index, copy->id, o->n)) {
		ctr_record_unref(copy);
		return false;
	}
	o->w[o->n++] = (waiting){name, copy, now + OUTBOX_RETRY_FIRST_MS, OUTBOX_RETRY_FIRST_MS * 2};
	return true;
}

bool outbox_send(outbox* o, const char* name, const ctr_record* r, uint64_t now)
{
	bool ok = true;
	uint64_t pos;
	pthread_mutex_lock(&o->mu);
	ctr_record* copy;
	if (idset_get(&o->index, r->id, &pos) && (copy = own_copy(r))) {
		/* Behind an older event of the same container: this one supersedes it. */
		ctr_record_unref(o->w[pos].r);
		o->w[pos].r = copy;
		o->w[pos].name = name;
		o->st.replaced++;
	} else if (idset_get(&o->index, r->id, &pos)) {
		ok = false; /* out of memory: the older event stays, this one is lost */
		o->st.dropped++;
		metrics_add(o->emitter->m, METRIC_ASYNC_LOST, 1);
	} else if (!async_emit_record(o->emitter, name, r, NULL)) {
		o->st.refused++;
		metrics_add(o->emitter->m, METRIC_ASYNC_REFUSED, 1);
		ok = keep(o, name, r, now);
		o->st.dropped += !ok;
		metrics_add(o->emitter->m, METRIC_ASYNC_LOST, !ok);
	}
	pthread_mutex_unlock(&o->mu);
	return ok;
}

uint64_t outbox_flush(outbox* o, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	pthread_mutex_lock(&o->mu);
	for (size_t i = 0; i < o->n; i++) {
		waiting* w = &o->w[i];
		if (w->due_ms <= now) {
			if (async_emit_record(o->emitter, w->name, w->r, NULL)) {
				o->st.delivered_late++;
				remove_at(o, i--);
				continue;
			}
			o->st.refused++;
			metrics_add(o->emitter->m, METRIC_ASYNC_REFUSED, 1);
			w->due_ms = now + w->delay_ms;
			w->delay_ms = w->delay_ms * 2 > OUTBOX_RETRY_MAX_MS ? OUTBOX_RETRY_MAX_MS
			                                                    : w->delay_ms * 2;
		}
		if (w->due_ms < next)
			next = w->due_ms;
	}
	pthread_mutex_unlock(&o->mu);
	return next;
}

outbox_stats outbox_get_stats(outbox* o)
{
	pthread_mutex_lock(&o->mu);
	outbox_stats s = o->st;
	s.pending = o->n;
	pthread_mutex_unlock(&o->mu);
	return s;
}
