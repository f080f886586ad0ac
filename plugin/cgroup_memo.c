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

/* A memoised answer into out (id NULL: host). */
static cgroup_kind memo_answer(cgroup_kind kind, cgroup_engine engine, const char* id,
                               cgroup_match* out)
{
	out->kind = kind;
	out->engine = engine;
	if (id)
		strcpy(out->id, id); /* shorter than CGROUP_ID_MAX: it came from a match */
	else
		out->id[0] = '\0';
	return kind;
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
		return memo_answer(sl->kind, sl->engine, sl->id, out);
	}
	cgroup_kind k = cgroup_match_path(ms, path, out);
	slot_store(sl, h, path, len, out);
	return k;
}

/* The list's last 32 bytes (the last path's tail: its container id or
 * service name) and its length: lists that collide only share a slot. */
static uint64_t hash_list(const char* list, size_t len)
{
	size_t tail = len < 32 ? len : 32;
	return strhash_bytes(list + len - tail, tail) ^ len;
}

static void list_store(cgroup_list_slot* sl, uint64_t h, const char* list, size_t len,
                       const cgroup_match* r)
{
	char* p = malloc(len);
	char* id = r->kind == CGROUP_HOST ? NULL : strdup(r->id);
	if (!p || (r->kind != CGROUP_HOST && !id)) {
		free(p);
		free(id);
		return; /* out of memory: just not memoised */
	}
	memcpy(p, list, len);
	free(sl->list);
	free(sl->id);
	*sl = (cgroup_list_slot){h, p, len, r->kind, r->engine, id};
}

/* The walk: every "controller=path" in turn until one is not host. */
static bool match_list_walk(cgroup_memo* m, const cgroup_matchers* ms, const char* list,
                            size_t len, cgroup_match* out)
{
	out->kind = CGROUP_HOST;
	out->engine = CGROUP_ENGINE_NONE;
	out->id[0] = '\0';
	if (list[len - 1] == '\0')
		len--; /* the last string's NUL, not an empty string after it */
	for (size_t off = 0; off <= len;) {
		const char* s = list + off;
		const char* nul = memchr(s, '\0', len - off);
		size_t n = nul ? (size_t)(nul - s) : len - off;
		const char* eq = memchr(s, '=', n);
		if (!eq)
			return false;
		if (eq + 1 < s + n) {
			char path[4096];
			size_t pl = (size_t)(s + n - eq - 1);
			if (pl >= sizeof(path))
				return false; /* longer than any real cgroup path: the walk decides */
			memcpy(path, eq + 1, pl);
			path[pl] = '\0';
			if (cgroup_memo_match(m, ms, path, out) != CGROUP_HOST)
				break;
		}
		off += n + 1;
	}
	if (out->kind == CGROUP_HOST)
		out->id[0] = '\0';
	return true;
}

bool cgroup_memo_match_list(cgroup_memo* m, const cgroup_matchers* ms, const char* list,
                            size_t len, cgroup_match* out)
{
	if (!len)
		return false;
	uint64_t h = hash_list(list, len);
	cgroup_list_slot* sl = &m->lists[h % CGROUP_LIST_SLOTS];
	if (sl->list && sl->hash == h && sl->len == len && !memcmp(sl->list, list, len)) {
		memo_answer(sl->kind, sl->engine, sl->id, out);
		return true;
	}
	if (!match_list_walk(m, ms, list, len, out))
		return false;
	list_store(sl, h, list, len, out);
	return true;
}

void cgroup_memo_free(cgroup_memo* m)
{
	for (size_t i = 0; i < CGROUP_MEMO_SLOTS; i++) {
		free(m->slots[i].path);
		free(m->slots[i].id);
	}
	for (size_t i = 0; i < CGROUP_LIST_SLOTS; i++) {
		free(m->lists[i].list);
		free(m->lists[i].id);
	}
	memset(m, 0, sizeof(*m));
}
