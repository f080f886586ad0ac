/*
 * The container cache: records by key (the short id; "" for the host record),
 * with a secondary index by full id. Used only on the host's event thread.
 */
#ifndef CTR_CACHE_H
#define CTR_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "ctr_record.h"

typedef struct ctr_cache ctr_cache;

ctr_cache* ctr_cache_new(void);
void ctr_cache_free(ctr_cache* c);

/* Inserts or replaces the record under `key`, taking a new reference. */
bool ctr_cache_put(ctr_cache* c, const char* key, ctr_record* r);
/* Borrowed pointer: by key first, then by full id. NULL if absent. */
ctr_record* ctr_cache_get(const ctr_cache* c, const char* key);
bool ctr_cache_erase(ctr_cache* c, const char* key);
size_t ctr_cache_size(const ctr_cache* c);

/* Calls fn for every entry (any order); stops when fn returns false. */
typedef bool (*ctr_cache_iter_fn)(void* arg, const char* key, ctr_record* r);
bool ctr_cache_foreach(const ctr_cache* c, ctr_cache_iter_fn fn, void* arg);

#endif
