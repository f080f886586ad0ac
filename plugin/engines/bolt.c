/*
 * bbolt, read-only (bolt.h). What the format is, in short: the file is a run
 * of pages of one size; pages 0 and 1 are meta pages (the newer valid one
 * names the root bucket's page); every other page is a B+tree node, branch
 * or leaf, starting with a 16-byte header {id u64, flags u16, count u16,
 * overflow u32} followed by count 16-byte elements whose keys and values sit
 * further on at offsets relative to each element. A bucket's value in its
 * parent leaf is {root page u64, sequence u64}, followed by the bucket's own
 * page when root is 0 (an inline bucket). Numbers are little-endian on the
 * machines we ship for (x86_64, aarch64), as bbolt writes native order.
 */
#include "bolt.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errbuf.h"
#include "le.h"

#define HDR 16   /* page header */
#define ELEM 16  /* branch and leaf elements are both 16 bytes */
#define F_BRANCH 0x01
#define F_LEAF 0x02
#define F_META 0x04
#define LEAF_BUCKET 0x01
#define META_MAGIC 0xED0CDAEDu
#define META_VERSION 2
#define META_SUM_LEN 56 /* the meta fields the checksum covers */
#define MAX_DEPTH 16    /* a B+tree this deep would hold more than any file */

typedef struct page_buf {
	struct page_buf* next;
	size_t len;
	uint8_t data[];
} page_buf;

struct bolt {
	int fd;
	uint32_t page_size;
	uint64_t root;     /* the root bucket's page */
	uint64_t high;     /* pages at or past this are not part of the tree */
	page_buf* pages;   /* every page read, freed at close */
	unsigned n_pages;
	size_t n_bytes;
};

/* A node: a page, or an inline bucket's page. */
typedef struct node {
	const uint8_t* p;
	size_t len;
	uint16_t flags;
	uint16_t count;
} node;

uint64_t bolt_meta_checksum(const uint8_t* meta)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < META_SUM_LEN; i++)
		h = (h ^ meta[i]) * 1099511628211ull;
	return h;
}

static bool read_at(int fd, void* buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (uint8_t*)buf + got, n - got, (off_t)(off + got));
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* The meta page at off, if valid: {page size, root, high water, txid}. */
static bool meta_at(int fd, uint64_t off, uint32_t* psize, uint64_t* root, uint64_t* high,
                    uint64_t* txid)
{
	uint8_t b[HDR + 64];
	if (!read_at(fd, b, sizeof(b), off) || !(le16(b + 8) & F_META))
		return false;
	const uint8_t* m = b + HDR;
	if (le32(m) != META_MAGIC || le32(m + 4) != META_VERSION ||
	    bolt_meta_checksum(m) != le64(m + META_SUM_LEN))
		return false;
	*psize = le32(m + 8);
	*root = le64(m + 16);
	*high = le64(m + 40);
	*txid = le64(m + 48);
	return *psize >= 512 && *psize <= 65536 && (*psize & (*psize - 1)) == 0;
}

bolt* bolt_open(const char* path, char* err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errbuf_set(err, errlen, "%s: cannot open", path);
		return NULL;
	}
	uint32_t ps0 = 0, ps1 = 0;
	uint64_t r0 = 0, r1 = 0, h0 = 0, h1 = 0, t0 = 0, t1 = 0;
	bool ok0 = meta_at(fd, 0, &ps0, &r0, &h0, &t0);
	/* meta 1 is one page further: meta 0's page size, else the usual 4 KiB */
	bool ok1 = meta_at(fd, ok0 ? ps0 : 4096, &ps1, &r1, &h1, &t1);
	bolt* db = (ok0 || ok1) ? calloc(1, sizeof(*db)) : NULL;
	if (!db) {
		errbuf_set(err, errlen, "%s: %s", path, ok0 || ok1 ? "out of memory" : "not a bbolt file");
		close(fd);
		return NULL;
	}
	bool use1 = ok1 && (!ok0 || t1 > t0);
	db->fd = fd;
	db->page_size = use1 ? ps1 : ps0;
	db->root = use1 ? r1 : r0;
	db->high = use1 ? h1 : h0;
	return db;
}

void bolt_close(bolt* db)
{
	if (!db)
		return;
	for (page_buf *p = db->pages, *next; p; p = next) {
		next = p->next;
		free(p);
	}
	close(db->fd);
	free(db);
}

bolt_bucket bolt_root(const bolt* db)
{
	return (bolt_bucket){.root = db->root};
}

static page_buf* remember(bolt* db, size_t len)
{
	if (db->n_pages >= BOLT_MAX_PAGES || len > BOLT_MAX_BYTES - db->n_bytes)
		return NULL;
	page_buf* b = malloc(sizeof(*b) + len);
	if (!b)
		return NULL;
	b->len = len;
	b->next = db->pages;
	db->pages = b;
	db->n_pages++;
	db->n_bytes += len;
	return b;
}

/* Checks a node's header against its bytes: flags, count, elements in bounds. */
static bool node_of(const uint8_t* p, size_t len, node* n)
{
	if (len < HDR)
		return false;
	n->p = p;
	n->len = len;
	n->flags = le16(p + 8);
	n->count = le16(p + 10);
	return (n->flags == F_BRANCH || n->flags == F_LEAF) && HDR + (size_t)n->count * ELEM <= len;
}

/* Page pgid read (with its overflow pages) and checked. */
static bool load(bolt* db, uint64_t pgid, node* n)
{
	if (pgid < 2 || pgid >= db->high)
		return false;
	uint64_t off = pgid * db->page_size;
	uint8_t hdr[HDR];
	if (!read_at(db->fd, hdr, HDR, off) || le64(hdr) != pgid)
		return false;
	uint64_t len = ((uint64_t)le32(hdr + 12) + 1) * db->page_size;
	page_buf* b = len <= BOLT_MAX_BYTES ? remember(db, (size_t)len) : NULL;
	if (!b || !read_at(db->fd, b->data, b->len, off))
		return false;
	return le64(b->data) == pgid && node_of(b->data, b->len, n);
}

static bool bucket_node(bolt* db, const bolt_bucket* b, node* n)
{
	if (b->root)
		return load(db, b->root, n);
	return b->inline_page && node_of(b->inline_page, b->inline_len, n) && n->flags == F_LEAF;
}

/* Element i's key (both kinds keep pos and ksize at the same offsets +4/+8 for
 * leaves, +0/+4 for branches). */
static bool elem_key(const node* n, unsigned i, const uint8_t** k, size_t* klen)
{
	const uint8_t* e = n->p + HDR + (size_t)i * ELEM;
	bool leaf = n->flags == F_LEAF;
	uint64_t pos = le32(e + (leaf ? 4 : 0)), ks = le32(e + (leaf ? 8 : 4));
	uint64_t at = (uint64_t)(e - n->p) + pos;
	uint64_t vs = leaf ? le32(e + 12) : 0;
	if (at + ks + vs > n->len)
		return false;
	*k = n->p + at;
	*klen = (size_t)ks;
	return true;
}

static bool leaf_item(const node* n, unsigned i, bolt_item* it)
{
	const uint8_t* e = n->p + HDR + (size_t)i * ELEM;
	if (!elem_key(n, i, &it->key, &it->klen))
		return false;
	it->val = it->key + it->klen;
	it->vlen = le32(e + 12);
	it->is_bucket = (le32(e) & LEAF_BUCKET) != 0;
	return true;
}

static int keycmp(const uint8_t* a, size_t alen, const uint8_t* b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

/*
 * The first element >= key in the subtree of n into out: 1 found, 0 none in
 * this subtree, -1 unreadable. A branch's element i covers keys from its key
 * up to the next element's.
 */
static int seek_node(bolt* db, const node* n, const uint8_t* key, size_t klen, int depth,
                     bolt_item* out)
{
	if (n->flags == F_LEAF) {
		for (unsigned i = 0; i < n->count; i++) {
			if (!leaf_item(n, i, out))
				return -1;
			if (keycmp(out->key, out->klen, key, klen) >= 0)
				return 1;
		}
		return 0;
	}
	if (depth >= MAX_DEPTH)
		return -1;
	unsigned start = 0;
	for (unsigned i = 1; i < n->count; i++) {
		const uint8_t* k;
		size_t kl;
		if (!elem_key(n, i, &k, &kl))
			return -1;
		if (keycmp(k, kl, key, klen) > 0)
			break;
		start = i;
	}
	for (unsigned i = start; i < n->count; i++) {
		node child;
		if (!load(db, le64(n->p + HDR + (size_t)i * ELEM + 8), &child))
			return -1;
		int r = seek_node(db, &child, key, klen, depth + 1, out);
		if (r)
			return r;
	}
	return 0;
}

bool bolt_seek(bolt* db, const bolt_bucket* b, const void* key, size_t klen, bolt_item* out)
{
	node n;
	return bucket_node(db, b, &n) && seek_node(db, &n, key, klen, 0, out) == 1;
}

bool bolt_get(bolt* db, const bolt_bucket* b, const void* key, size_t klen, bolt_item* out)
{
	return bolt_seek(db, b, key, klen, out) && out->klen == klen && !memcmp(out->key, key, klen);
}

bool bolt_item_bucket(const bolt_item* it, bolt_bucket* out)
{
	if (!it->is_bucket || it->vlen < 16)
		return false;
	out->root = le64(it->val);
	out->inline_page = out->root ? NULL : it->val + 16;
	out->inline_len = out->root ? 0 : it->vlen - 16;
	return true;
}

bool bolt_bucket_get(bolt* db, const bolt_bucket* b, const char* name, bolt_bucket* out)
{
	bolt_item it;
	return bolt_get(db, b, name, strlen(name), &it) && bolt_item_bucket(&it, out);
}

static bool each_node(bolt* db, const node* n, int depth,
                      bool (*fn)(void* arg, const bolt_item* it), void* arg, bool* stop)
{
	for (unsigned i = 0; i < n->count && !*stop; i++) {
		if (n->flags == F_LEAF) {
			bolt_item it;
			if (!leaf_item(n, i, &it))
				return false;
			*stop = !fn(arg, &it);
			continue;
		}
		node child;
		if (depth >= MAX_DEPTH || !load(db, le64(n->p + HDR + (size_t)i * ELEM + 8), &child) ||
		    !each_node(db, &child, depth + 1, fn, arg, stop))
			return false;
	}
	return true;
}

bool bolt_foreach(bolt* db, const bolt_bucket* b, bool (*fn)(void* arg, const bolt_item* it),
                  void* arg)
{
	node n;
	bool stop = false;
	return bucket_node(db, b, &n) && each_node(db, &n, 0, fn, arg, &stop);
}
