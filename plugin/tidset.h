/*
 * The threads the plugin attached to a container, by tid: an open-addressing
 * set of int64 (tid 0, the idle task, is never in a container and marks an
 * empty slot). The exit of a thread not in it needs no table call
 * (docs/architecture.md "Container exit"), and its size is the
 * threads-attached gauge. Event thread only.
 */
#ifndef TIDSET_H
#define TIDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* More threads than a node runs; past it the set stops growing (tidset_add fails). */
#define TIDSET_MAX (1u << 22)

typedef struct tidset {
	int64_t* slot;
	size_t cap; /* a power of two, or 0 */
	size_t n;
} tidset;

/* True when tid was added (false: already there, tid 0, or no room). */
bool tidset_add(tidset* s, int64_t tid);
/* True when tid was there. */
bool tidset_del(tidset* s, int64_t tid);
bool tidset_has(const tidset* s, int64_t tid);
void tidset_free(tidset* s);

#endif
