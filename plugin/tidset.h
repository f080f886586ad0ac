/*
 * The threads the plugin attached to a container, by tid, each with a few
 * flag bits (whether it is its container's init): an open-addressing map of
 * int64 (tid 0, the idle task, is never in a container and marks an empty
 * slot). One probe at each exit tells whether the thread needs a table call
 * (docs/architecture.md "Container exit"); its size is the threads-attached
 * gauge. Event thread only.
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
	uint8_t* flags; /* beside each slot */
	size_t cap;     /* a power of two, or 0 */
	size_t n;
} tidset;

/* tid with FLAGS (replacing its flags when there); true when tid was added
 * (false: already there, tid 0, or no room). */
bool tidset_put(tidset* s, int64_t tid, uint8_t flags);
/* Removes tid: its flags, or -1 when it was not there. */
int tidset_take(tidset* s, int64_t tid);
bool tidset_has(const tidset* s, int64_t tid);
void tidset_free(tidset* s);

#endif
