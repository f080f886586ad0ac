/*
 * A small set of container ids with a timestamp per id: the "asked" marks of
 * on-demand lookups and the relaxed-rule candidates waiting for an engine.
 * Event thread only.
 */
#ifndef IDSET_H
#define IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct idset {
	char** keys; /* NULL = empty slot, IDSET_TOMB = deleted */
	uint64_t* stamps;
	size_t cap, used, count;
} idset;

void idset_init(idset* s);
void idset_free(idset* s);
/* Inserts or updates the stamp; false on OOM. */
bool idset_put(idset* s, const char* id, uint64_t stamp);
/* True if present; *stamp (may be NULL) gets its stamp. */
bool idset_get(const idset* s, const char* id, uint64_t* stamp);
bool idset_del(idset* s, const char* id);
size_t idset_count(const idset* s);
/* Calls fn for every id (any order); the set must not change meanwhile. */
void idset_foreach(const idset* s, void (*fn)(void* arg, const char* id), void* arg);

#endif
