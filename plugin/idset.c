#include "idset.h"

#include <stdlib.h>
#include <string.h>

#include "strhash.h"

static char idset_tomb;
#define IDSET_TOMB (&idset_tomb)

void idset_init(idset* s)
{
	memset(s, 0, sizeof(*s));
}

void idset_free(idset* s)
{
	for (size_t i = 0; i < s->cap; i++)
		if (s->keys[i] && s->keys[i] != IDSET_TOMB)
			free(s->keys[i]);
	free(s->keys);
	free(s->stamps);
	idset_init(s);
}

/* Slot holding id, or the first free slot of its probe sequence when absent. */
static size_t find(const idset* s, const char* id, bool* found)
{
	size_t mask = s->cap - 1, i = strhash_str(id) & mask, free_slot = SIZE_MAX;
	for (;; i = (i + 1) & mask) {
		char* k = s->keys[i];
		if (!k) {
			*found = false;
			return free_slot != SIZE_MAX ? free_slot : i;
		}
		if (k == IDSET_TOMB) {
			if (free_slot == SIZE_MAX)
				free_slot = i;
		} else if (!strcmp(k, id)) {
			*found = true;
			return i;
		}
	}
}

static bool grow(idset* s)
{
	idset n = {0};
	n.cap = s->cap ? s->cap * 2 : 16;
	/* Full of deleted slots with at most half of it live: rehash in place.
	 * Doubling instead would grow the table of a set whose ids come and go
	 * (removal marks, known containers) for as long as the plugin runs. */
	if (s->cap && s->count * 2 <= s->cap)
		n.cap = s->cap;
	n.keys = calloc(n.cap, sizeof(*n.keys));
	n.stamps = calloc(n.cap, sizeof(*n.stamps));
	if (!n.keys || !n.stamps) {
		free(n.keys);
		free(n.stamps);
		return false;
	}
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->keys[i] || s->keys[i] == IDSET_TOMB)
			continue;
		bool found;
		size_t j = find(&n, s->keys[i], &found);
		n.keys[j] = s->keys[i];
		n.stamps[j] = s->stamps[i];
		n.used++;
		n.count++;
	}
	free(s->keys);
	free(s->stamps);
	*s = n;
	return true;
}

bool idset_put(idset* s, const char* id, uint64_t stamp)
{
	if ((s->used + 1) * 4 > s->cap * 3 && !grow(s))
		return false;
	bool found;
	size_t i = find(s, id, &found);
	if (!found) {
		char* k = strdup(id);
		if (!k)
			return false;
		if (!s->keys[i])
			s->used++;
		s->keys[i] = k;
		s->count++;
	}
	s->stamps[i] = stamp;
	return true;
}

bool idset_get(const idset* s, const char* id, uint64_t* stamp)
{
	if (!s->count)
		return false;
	bool found;
	size_t i = find(s, id, &found);
	if (found && stamp)
		*stamp = s->stamps[i];
	return found;
}

bool idset_del(idset* s, const char* id)
{
	if (!s->count)
		return false;
	bool found;
	size_t i = find(s, id, &found);
	if (!found)
		return false;
	free(s->keys[i]);
	s->keys[i] = IDSET_TOMB;
	s->count--;
	return true;
}

size_t idset_count(const idset* s)
{
	return s->count;
}

void idset_foreach(const idset* s, void (*fn)(void* arg, const char* id), void* arg)
{
	for (size_t i = 0; i < s->cap; i++)
		if (s->keys[i] && s->keys[i] != IDSET_TOMB)
			fn(arg, s->keys[i]);
}
