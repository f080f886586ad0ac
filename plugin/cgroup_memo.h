/*
 * A memo of cgroup path → match result. Every process event of a container
 * carries the same few paths (one per controller), and the matcher chain is
 * the expensive part of parsing; a direct-mapped table keeps the last result
 * per slot. Event thread only.
 */
#ifndef CGROUP_MEMO_H
#define CGROUP_MEMO_H

#include <stdint.h>

#include "cgroup.h"

#define CGROUP_MEMO_SLOTS 256

typedef struct cgroup_memo_slot {
	uint64_t hash;
	char* path; /* NULL: empty slot */
	cgroup_kind kind;
	cgroup_engine engine;
	char* id;
} cgroup_memo_slot;

typedef struct cgroup_memo {
	cgroup_memo_slot slots[CGROUP_MEMO_SLOTS];
} cgroup_memo;

/* Same as cgroup_match_path, answered from the memo when the path was seen. */
cgroup_kind cgroup_memo_match(cgroup_memo* m, const cgroup_matchers* ms, const char* path,
                              cgroup_match* out);
void cgroup_memo_free(cgroup_memo* m);

#endif
