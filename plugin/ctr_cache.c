/*
 * The container cache: one open-addressing table (linear probing, FNV-1a,
 * backward-shift deletion, so no tombstones) holding two kinds of entries:
 *
 *  - primary: key → record. The entry owns one reference on the record and
 *    one allocation `names` = key, NUL, full id, NUL (the full id part is ""
 *    when it is empty or equal to the key, i.e. when no alias exists);
 *  - alias: full id → the same record. It owns nothing: its text points at the
 *    full id inside its primary's `names`, and its record pointer is borrowed.
 *    An alias lives exactly as long as the primary it was added for.
 *
 * Sharing one table keeps the code small and costs one 24-byte slot per alias.
 */
#include "ctr_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAP 16

typedef struct slot {
	char* text;    /* NULL: free slot */
	ctr_record* r; /* primary: owned reference; alias: borrowed */
	uint32_t hash; /* of text */
	bool alias;
} slot;

struct ctr_cache {
	slot* slots;
	size_t cap;     /* power of two */
	size_t used;    /* primaries + aliases */
	size_t records; /* primaries */
};

static uint32_t fnv1a(const char* s)
{
	uint32_t h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* The full id stored after a primary's key; "" when the entry has no alias. */
static const char* full_of(const char* names)
{
	return names + strlen(names) + 1;
}

ctr_cache* ctr_cache_new(void)
{
	ctr_cache* c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (!(c->slots = calloc(MIN_CAP, sizeof(*c->slots)))) {
		free(c);
		return NULL;
	}
	c->cap = MIN_CAP;
	return c;
}

void ctr_cache_free(ctr_cache* c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->cap; i++) {
		slot* s = &c->slots[i];
		if (s->text && !s->alias) {
			ctr_record_unref(s->r);
			free(s->text);
		}
	}
	free(c->slots);
	free(c);
}

/*
 * Walks the probe sequence of `text`: returns the index of the entry of the
 * wanted kind whose text equals it, or SIZE_MAX with *free_at = the empty slot
 * that ends the sequence (where it would be inserted).
 */
static size_t find(const ctr_cache* c, const char* text, uint32_t h, bool alias,
                   size_t* free_at)
{
	size_t mask = c->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const slot* s = &c->slots[i];
		if (!s->text) {
			if (free_at)
				*free_at = i;
			return SIZE_MAX;
		}
		if (s->hash == h && s->alias == alias && !strcmp(s->text, text))
			return i;
	}
}

static bool rehash(ctr_cache* c, size_t cap)
{
	slot* slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return false;
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->slots[i].text)
			continue;
		size_t j = c->slots[i].hash & (cap - 1);
		while (slots[j].text)
			j = (j + 1) & (cap - 1);
		slots[j] = c->slots[i];
	}
	free(c->slots);
	c->slots = slots;
	c->cap = cap;
	return true;
}

/* Makes room for `more` entries at a load factor of at most 3/4. */
static bool reserve(ctr_cache* c, size_t more)
{
	size_t cap = c->cap;
	while ((c->used + more) * 4 > cap * 3)
		cap *= 2;
	return cap == c->cap || rehash(c, cap);
}

/* Empties slot i, moving later entries of the run back so no probe chain breaks. */
static void remove_at(ctr_cache* c, size_t i)
{
	size_t mask = c->cap - 1;
	for (size_t j = (i + 1) & mask; c->slots[j].text; j = (j + 1) & mask) {
		size_t home = c->slots[j].hash & mask;
		/* Entry j may fill the hole unless its home lies cyclically in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			c->slots[i] = c->slots[j];
			i = j;
		}
	}
	memset(&c->slots[i], 0, sizeof(c->slots[i]));
	c->used--;
}

static void shrink_if_sparse(ctr_cache* c)
{
	if (c->cap > MIN_CAP && c->used * 8 < c->cap)
		rehash(c, c->cap / 2); /* failure only leaves the table larger */
}

/* Removes the alias that belongs to the primary whose allocation is `names`. */
static void drop_alias(ctr_cache* c, const char* names)
{
	const char* full = full_of(names);
	if (!*full)
		return;
	size_t i = find(c, full, fnv1a(full), true, NULL);
	/* Another primary may have taken the alias over since (same full id). */
	if (i != SIZE_MAX && c->slots[i].text == full)
		remove_at(c, i);
}

static void add_alias(ctr_cache* c, const char* names, ctr_record* r)
{
	const char* full = full_of(names);
	if (!*full)
		return;
	uint32_t h = fnv1a(full);
	size_t at, i = find(c, full, h, true, &at);
	if (i == SIZE_MAX) {
		i = at;
		c->used++;
	}
	/* The text is const through the alias: only primaries free `text`. */
	c->slots[i] = (slot){.text = (char*)full, .r = r, .hash = h, .alias = true};
}

/* key, NUL, then the full id when it can serve as an alias, NUL. */
static char* make_names(const char* key, const ctr_record* r)
{
	const char* full = r->full_id && strcmp(r->full_id, key) ? r->full_id : "";
	size_t klen = strlen(key), flen = strlen(full);
	char* names = malloc(klen + flen + 2);
	if (names) {
		memcpy(names, key, klen + 1);
		memcpy(names + klen + 1, full, flen + 1);
	}
	return names;
}

bool ctr_cache_put(ctr_cache* c, const char* key, ctr_record* r)
{
	if (!c || !key || !r)
		return false;
	char* names = make_names(key, r);
	if (!names || !reserve(c, 2)) {
		free(names);
		return false;
	}
	uint32_t h = fnv1a(key);
	size_t at, i = find(c, key, h, false, &at);
	ctr_record_ref(r); /* before dropping the old one: r may be the same record */
	if (i != SIZE_MAX) {
		slot old = c->slots[i];
		drop_alias(c, old.text);
		i = find(c, key, h, false, NULL); /* the removal may have moved it */
		c->slots[i].text = names;
		c->slots[i].r = r;
		ctr_record_unref(old.r);
		free(old.text);
	} else {
		c->slots[at] = (slot){.text = names, .r = r, .hash = h};
		c->used++;
		c->records++;
	}
	add_alias(c, names, r);
	return true;
}

ctr_record* ctr_cache_get(const ctr_cache* c, const char* key)
{
	if (!c || !key)
		return NULL;
	uint32_t h = fnv1a(key);
	size_t i = find(c, key, h, false, NULL);
	if (i == SIZE_MAX && *key)
		i = find(c, key, h, true, NULL);
	return i == SIZE_MAX ? NULL : c->slots[i].r;
}

bool ctr_cache_erase(ctr_cache* c, const char* key)
{
	if (!c || !key)
		return false;
	uint32_t h = fnv1a(key);
	size_t i = find(c, key, h, false, NULL);
	if (i == SIZE_MAX)
		return false;
	slot old = c->slots[i];
	drop_alias(c, old.text);
	remove_at(c, find(c, key, h, false, NULL));
	c->records--;
	ctr_record_unref(old.r);
	free(old.text);
	shrink_if_sparse(c);
	return true;
}

size_t ctr_cache_size(const ctr_cache* c)
{
	return c ? c->records : 0;
}

/* fn must not modify the cache. Returns false when fn stopped the walk. */
bool ctr_cache_foreach(const ctr_cache* c, ctr_cache_iter_fn fn, void* arg)
{
	if (!c)
		return true;
	for (size_t i = 0; i < c->cap; i++) {
		const slot* s = &c->slots[i];
		if (s->text && !s->alias && !fn(arg, s->text, s->r))
			return false;
	}
	return true;
}
