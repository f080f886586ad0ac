/*
 * The container cache: one open-addressing table (linear probing, strhash.h,
 * backward-shift deletion, so no tombstones) holding two kinds of entries:
 *
 *  - primary: key → record. The entry owns one reference on the record. When
 *    the key is the record's own id (every container), its text points at the
 *    record's id and the alias's at its full id: records are immutable once
 *    cached, and this saves an allocation per container (memory is budgeted).
 *    Otherwise (the host record under "") it owns one allocation `names` =
 *    key, NUL, full id, NUL;
 *  - alias: full id → the same record, when the full id is not empty and not
 *    the key. It owns nothing: its text points at its primary's full id, and
 *    its record pointer is borrowed. An alias lives exactly as long as the
 *    primary it was added for.
 *
 * Sharing one table keeps the code small and costs one 24-byte slot per alias.
 */
#include "ctr_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strhash.h"

#define MIN_CAP 16

typedef struct slot {
	char* text;    /* NULL: free slot */
	ctr_record* r; /* primary: owned reference; alias: borrowed */
	uint32_t hash; /* of text */
	bool alias;
	bool owns_text; /* primary whose text is its own `names` allocation */
} slot;

struct ctr_cache {
	slot* slots;
	size_t cap;     /* power of two */
	size_t used;    /* primaries + aliases */
	size_t records; /* primaries */
};

/* The text of a primary's alias; "" when the entry has no alias. */
static const char* full_of(const slot* s)
{
	if (s->owns_text)
		return s->text + strlen(s->text) + 1;
	return strcmp(s->r->full_id, s->text) ? s->r->full_id : "";
}

static void release_primary(slot* s)
{
	ctr_record_unref(s->r);
	if (s->owns_text)
		free(s->text);
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
		if (s->text && !s->alias)
			release_primary(s);
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

/* Removes the alias that belongs to primary p. */
static void drop_alias(ctr_cache* c, const slot* p)
{
	const char* full = full_of(p);
	if (!*full)
		return;
	size_t i = find(c, full, (uint32_t)strhash_str(full), true, NULL);
	/* Another primary may have taken the alias over since (same full id). */
	if (i != SIZE_MAX && c->slots[i].text == full)
		remove_at(c, i);
}

static void add_alias(ctr_cache* c, const slot* p)
{
	const char* full = full_of(p);
	if (!*full)
		return;
	uint32_t h = (uint32_t)strhash_str(full);
	size_t at, i = find(c, full, h, true, &at);
	if (i == SIZE_MAX) {
		i = at;
		c->used++;
	}
	/* The text is const through the alias: only primaries free `text`. */
	c->slots[i] = (slot){.text = (char*)full, .r = p->r, .hash = h, .alias = true};
}

/* key, NUL, then the full id when it can serve as an alias, NUL; or the
 * record's own id when the key is that (no allocation). */
static char* make_names(const char* key, const ctr_record* r, bool* owned)
{
	*owned = strcmp(key, r->id) != 0;
	if (!*owned)
		return r->id;
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
	bool owned;
	char* names = make_names(key, r, &owned);
	if (!names || !reserve(c, 2)) {
		if (owned)
			free(names);
		return false;
	}
	uint32_t h = (uint32_t)strhash_str(key);
	size_t at, i = find(c, key, h, false, &at);
	ctr_record_ref(r); /* before dropping the old one: r may be the same record */
	slot fresh = {.text = names, .r = r, .hash = h, .owns_text = owned};
	if (i != SIZE_MAX) {
		slot old = c->slots[i];
		drop_alias(c, &old);
		i = find(c, key, h, false, NULL); /* the removal may have moved it */
		c->slots[i] = fresh;
		release_primary(&old);
	} else {
		c->slots[at] = fresh;
		c->used++;
		c->records++;
	}
	add_alias(c, &fresh);
	return true;
}

ctr_record* ctr_cache_get(const ctr_cache* c, const char* key)
{
	if (!c || !key)
		return NULL;
	uint32_t h = (uint32_t)strhash_str(key);
	size_t i = find(c, key, h, false, NULL);
	if (i == SIZE_MAX && *key)
		i = find(c, key, h, true, NULL);
	return i == SIZE_MAX ? NULL : c->slots[i].r;
}

bool ctr_cache_erase(ctr_cache* c, const char* key)
{
	if (!c || !key)
		return false;
	uint32_t h = (uint32_t)strhash_str(key);
	size_t i = find(c, key, h, false, NULL);
	if (i == SIZE_MAX)
		return false;
	slot old = c->slots[i];
	drop_alias(c, &old);
	remove_at(c, find(c, key, h, false, NULL));
	c->records--;
	release_primary(&old);
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
