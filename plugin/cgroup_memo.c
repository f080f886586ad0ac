#include "cgroup_memo.h"

#include <stdlib.h>
#include <string.h>

#include "strhash.h"

/*
 * Hashes the length and the last 32 bytes: what tells two cgroup paths apart
 * is the container id at their end, and k8s paths run ~190 bytes. Paths that
 * collide only share a slot; strcmp decides a hit.
 */
static uint64_t hash_path(const char* s, size_t* len)
{
	size_t n = strlen(s), tail = n < 32 ? n : 32;
	*len = n;
	return strhash_bytes(s + n - tail, tail) ^ n;
}

static void slot_store(cgroup_memo_slot* sl, uint64_t h, const char* path, size_t len,
                       const cgroup_match* r)
{
	char* p = malloc(len + 1);
	char* id = r->kind == CGROUP_HOST ? NULL : strdup(r->id);
	if (!p || (r->kind != CGROUP_HOST && !id)) {
		free(p);
		free(id);
		return; /* out of memory: just not memoised */
	}
	memcpy(p, path, len + 1);
	free(sl->path);
	free(sl->id);
	*sl = (cgroup_memo_slot){h, p, r->kind, r->engine, id};
}

cgroup_kind cgroup_memo_match(cgroup_memo* m, const cgroup_matchers* ms, const char* path,
                              cgroup_match* out)
{
	size_t len;
	uint64_t h = hash_path(path, &len);
	cgroup_memo_slot* sl = &m->slots[h % CGROUP_MEMO_SLOTS];
	if (sl->path && sl->hash == h && !strcmp(sl->path, path)) {
		out->kind = sl->kind;
		out->engine = sl->engine;
		if (sl->id)
			strcpy(out->id, sl->id); /* shorter than CGROUP_ID_MAX: it came from a match */
		else
			out->id[0] = '\0';
		return out->kind;
	}
	cgroup_kind k = cgroup_match_path(ms, path, out);
	slot_store(sl, h, path, len, out);
	return k;
}

void cgroup_memo_free(cgroup_memo* m)
{
	for (size_t i = 0; i < CGROUP_MEMO_SLOTS; i++) {
		free(m->slots[i].path);
		free(m->slots[i].id);
	}
	memset(m, 0, sizeof(*m));
}
