/*
 * tidset.h: linear probing; deletion shifts the run back, so no tombstones
 * pile up under the churn of short-lived processes.
 */
#include "tidset.h"

#include <stdlib.h>

static size_t home(const tidset* s, int64_t tid)
{
	return (size_t)(((uint64_t)tid * 0x9e3779b97f4a7c15ull) >> 17) & (s->cap - 1);
}

/* The slot holding tid, or the empty slot where it would go. */
static size_t find(const tidset* s, int64_t tid)
{
	size_t i = home(s, tid);
	while (s->slot[i] && s->slot[i] != tid)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool grow(tidset* s)
{
	size_t cap = s->cap ? s->cap * 2 : 256;
	if (cap > 2 * (size_t)TIDSET_MAX)
		return false;
	tidset bigger = {calloc(cap, sizeof(int64_t)), calloc(cap, 1), cap, 0};
	if (!bigger.slot || !bigger.flags) {
		free(bigger.slot);
		free(bigger.flags);
		return false;
	}
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slot[i])
			continue;
		size_t j = find(&bigger, s->slot[i]);
		bigger.slot[j] = s->slot[i];
		bigger.flags[j] = s->flags[i];
	}
	bigger.n = s->n;
	free(s->slot);
	free(s->flags);
	*s = bigger;
	return true;
}

bool tidset_put(tidset* s, int64_t tid, uint8_t flags)
{
	if (!tid)
		return false;
	size_t i = s->cap ? find(s, tid) : 0;
	if (s->cap && s->slot[i] == tid) {
		s->flags[i] = flags;
		return false;
	}
	if ((s->n + 1) * 2 > s->cap) {
		if (!grow(s))
			return false;
		i = find(s, tid);
	}
	s->slot[i] = tid;
	s->flags[i] = flags;
	s->n++;
	return true;
}

bool tidset_has(const tidset* s, int64_t tid)
{
	return tid && s->n && s->slot[find(s, tid)] == tid;
}

int tidset_take(tidset* s, int64_t tid)
{
	if (!tid || !s->n)
		return -1;
	size_t mask = s->cap - 1, i = find(s, tid);
	if (s->slot[i] != tid)
		return -1;
	int flags = s->flags[i];
	s->slot[i] = 0;
	s->n--;
	/* later members of the run whose home is not in (i, j] move into the hole */
	for (size_t j = (i + 1) & mask; s->slot[j]; j = (j + 1) & mask) {
		size_t h = home(s, s->slot[j]);
		bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
		if (stays)
			continue;
		s->slot[i] = s->slot[j];
		s->flags[i] = s->flags[j];
		s->slot[j] = 0;
		i = j;
	}
	return flags;
}

void tidset_free(tidset* s)
{
	free(s->slot);
	free(s->flags);
	*s = (tidset){0};
}
