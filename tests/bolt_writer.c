/*
 * bbolt files for tests (bolt_writer.h). Page header {id u64, flags u16,
 * count u16, overflow u32}; leaf elements {flags, pos, ksize, vsize} and
 * branch elements {pos, ksize, pgid u64}, pos counted from the element.
 */
#include "bolt_writer.h"

#include "bolt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HDR 16
#define ELEM 16

static void put16(uint8_t* p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(uint8_t* p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t* p, uint64_t v)
{
	memcpy(p, &v, 8);
}

void bw_init(bw* w, uint32_t page_size)
{
	memset(w, 0, sizeof(*w));
	w->page_size = page_size;
	w->cap = (size_t)page_size * 64;
	w->buf = calloc(1, w->cap);
	w->len = 2 * (size_t)page_size; /* the meta pages */
}

void bw_free(bw* w)
{
	free(w->buf);
	w->buf = NULL;
}

/* Room for NPAGES more pages; the first one's id. */
static uint64_t alloc_pages(bw* w, size_t npages)
{
	size_t need = w->len + npages * w->page_size;
	if (need > w->cap) {
		size_t cap = need * 2;
		w->buf = realloc(w->buf, cap);
		memset(w->buf + w->cap, 0, cap - w->cap);
		w->cap = cap;
	}
	uint64_t id = w->len / w->page_size;
	w->len = need;
	return id;
}

static size_t leaf_size(const bw_elem* e, size_t n)
{
	size_t total = HDR + n * ELEM;
	for (size_t i = 0; i < n; i++)
		total += strlen(e[i].key) + e[i].vlen;
	return total;
}

/* Elements and data of a leaf at p (header's id and overflow set by the caller). */
static void fill_leaf(uint8_t* p, const bw_elem* e, size_t n)
{
	put16(p + 8, 0x02);
	put16(p + 10, (uint16_t)n);
	size_t data = HDR + n * ELEM;
	for (size_t i = 0; i < n; i++) {
		uint8_t* el = p + HDR + i * ELEM;
		size_t kl = strlen(e[i].key);
		put32(el, e[i].bucket ? 1 : 0);
		put32(el + 4, (uint32_t)(data - (HDR + i * ELEM)));
		put32(el + 8, (uint32_t)kl);
		put32(el + 12, (uint32_t)e[i].vlen);
		memcpy(p + data, e[i].key, kl);
		if (e[i].vlen)
			memcpy(p + data + kl, e[i].val, e[i].vlen);
		data += kl + e[i].vlen;
	}
}

uint64_t bw_leaf(bw* w, const bw_elem* elems, size_t n)
{
	size_t size = leaf_size(elems, n);
	size_t npages = (size + w->page_size - 1) / w->page_size;
	uint64_t id = alloc_pages(w, npages);
	uint8_t* p = w->buf + id * w->page_size;
	fill_leaf(p, elems, n);
	put64(p, id);
	put32(p + 12, (uint32_t)(npages - 1));
	return id;
}

uint64_t bw_branch(bw* w, const uint64_t* children, const char* const* keys, size_t n)
{
	uint64_t id = alloc_pages(w, 1);
	uint8_t* p = w->buf + id * w->page_size;
	put64(p, id);
	put16(p + 8, 0x01);
	put16(p + 10, (uint16_t)n);
	size_t data = HDR + n * ELEM;
	for (size_t i = 0; i < n; i++) {
		uint8_t* el = p + HDR + i * ELEM;
		size_t kl = strlen(keys[i]);
		put32(el, (uint32_t)(data - (HDR + i * ELEM)));
		put32(el + 4, (uint32_t)kl);
		put64(el + 8, children[i]);
		memcpy(p + data, keys[i], kl);
		data += kl;
	}
	return id;
}

uint8_t* bw_bucket_at(uint64_t root, size_t* len)
{
	uint8_t* v = calloc(1, 16);
	put64(v, root);
	*len = 16;
	return v;
}

uint8_t* bw_bucket_inline(const bw_elem* elems, size_t n, size_t* len)
{
	size_t size = 16 + leaf_size(elems, n);
	uint8_t* v = calloc(1, size);
	fill_leaf(v + 16, elems, n);
	*len = size;
	return v;
}

void bw_meta(bw* w, int idx, uint64_t root, uint64_t txid, bool corrupt)
{
	uint8_t* p = w->buf + (size_t)idx * w->page_size;
	memset(p, 0, w->page_size);
	put64(p, (uint64_t)idx);
	put16(p + 8, 0x04);
	uint8_t* m = p + HDR;
	put32(m, 0xED0CDAEDu);
	put32(m + 4, 2);
	put32(m + 8, w->page_size);
	put64(m + 16, root);
	put64(m + 32, 0); /* freelist: not read */
	put64(m + 40, w->len / w->page_size);
	put64(m + 48, txid);
	put64(m + 56, bolt_meta_checksum(m) ^ (corrupt ? 1 : 0));
}

bool bw_save(const bw* w, const char* path)
{
	FILE* f = fopen(path, "wb");
	bool ok = f && fwrite(w->buf, 1, w->len, f) == w->len;
	if (f)
		ok = fclose(f) == 0 && ok;
	return ok;
}
