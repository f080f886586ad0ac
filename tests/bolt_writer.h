/*
 * Writes bbolt files for tests of plugin/engines/bolt.c: pages laid out as
 * bbolt lays them (docs/engines.md "containerd's own files"), built bottom
 * up by the test: leaves of key/value or key/bucket elements, branches over
 * pages written before, buckets inline or on their own pages, and the two
 * meta pages. Page size is the writer's choice (small sizes force branches
 * and overflow pages with little data).
 */
#ifndef BOLT_WRITER_H
#define BOLT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bw {
	uint32_t page_size;
	uint8_t* buf; /* the file: pages 0 and 1 are the meta pages */
	size_t len;   /* bytes used: a whole number of pages */
	size_t cap;
} bw;

/* An element: a key with a value, or with a bucket (its value made by bw_bucket_*). */
typedef struct bw_elem {
	const char* key;
	const void* val;
	size_t vlen;
	bool bucket;
} bw_elem;

void bw_init(bw* w, uint32_t page_size);
void bw_free(bw* w);

/* A leaf page of ELEMS (sorted by key); its page id. Overflow pages as needed. */
uint64_t bw_leaf(bw* w, const bw_elem* elems, size_t n);
/* A branch page over CHILDREN (page ids) whose first keys are KEYS; its page id. */
uint64_t bw_branch(bw* w, const uint64_t* children, const char* const* keys, size_t n);

/* A bucket's value in its parent: {root, sequence} (malloc'd; *len set). */
uint8_t* bw_bucket_at(uint64_t root, size_t* len);
/* An inline bucket's value: the header, then a leaf page of ELEMS (malloc'd). */
uint8_t* bw_bucket_inline(const bw_elem* elems, size_t n, size_t* len);

/* Meta page IDX (0 or 1) naming ROOT as the root bucket's page, with TXID;
 * CORRUPT writes a wrong checksum. */
void bw_meta(bw* w, int idx, uint64_t root, uint64_t txid, bool corrupt);

/* The file written to PATH; false on error. */
bool bw_save(const bw* w, const char* path);

#endif
