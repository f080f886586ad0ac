/*
 * A memo of cgroup path → match result. Every process event of a container
 * carries the same few paths (one per controller), and the matcher chain is
 * the expensive part of parsing; a direct-mapped table keeps the last result
 * per slot. Event thread only.
 */
#ifndef CGROUP_MEMO_H
#define CGROUP_MEMO_H

#include <stdbool.h>
#include <stddef.h>
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

/* A whole cgroups list as an event carries it, and what it matched to. */
#define CGROUP_LIST_SLOTS 128

typedef struct cgroup_list_slot {
	uint64_t hash;
	char* list; /* NULL: empty slot */
	size_t len;
	cgroup_kind kind;
	cgroup_engine engine;
	char* id;
} cgroup_list_slot;

typedef struct cgroup_memo {
	cgroup_memo_slot slots[CGROUP_MEMO_SLOTS];
	cgroup_list_slot lists[CGROUP_LIST_SLOTS];
} cgroup_memo;

/* Same as cgroup_match_path, answered from the memo when the path was seen. */
cgroup_kind cgroup_memo_match(cgroup_memo* m, const cgroup_matchers* ms, const char* path,
                              cgroup_match* out);
/*
 * The cgroups parameter of a process event (len bytes of "controller=path"
 * strings, each NUL-terminated): the first path that is not host decides, as
 * in a walk of the thread's `cgroups` sub-table (empty paths skipped).
 * Answered from a memo of whole lists: a process event of a known container
 * or host service costs one hash and one compare. False (nothing matched,
 * nothing memoised) when an entry has no '=': the host then keeps whatever
 * it had, so the caller walks the sub-table instead.
 */
bool cgroup_memo_match_list(cgroup_memo* m, const cgroup_matchers* ms, const char* list,
                            size_t len, cgroup_match* out);
void cgroup_memo_free(cgroup_memo* m);

#endif
