/*
 * A read-only reader of bbolt files, enough to look up a few keys in
 * containerd's metadata database (docs/engines.md "containerd's own files")
 * while containerd keeps writing it: no lock is taken, every page read is
 * checked (its id, its flags, every offset against its size), and one handle
 * reads at most BOLT_MAX_PAGES pages / BOLT_MAX_BYTES bytes. A page rewritten
 * under our feet gives "not found" or a failed check, never a crash.
 *
 * Values and keys handed out point into pages the handle owns: valid until
 * bolt_close.
 */
#ifndef BOLT_H
#define BOLT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOLT_MAX_PAGES 512
#define BOLT_MAX_BYTES (8u * 1024 * 1024)

typedef struct bolt bolt;

/* A bucket: its root page, or its inline page (the bytes after its header). */
typedef struct bolt_bucket {
	uint64_t root;
	const uint8_t* inline_page;
	size_t inline_len;
} bolt_bucket;

/* An element of a bucket: a key with a value, or a key naming a sub-bucket. */
typedef struct bolt_item {
	const uint8_t* key;
	size_t klen;
	const uint8_t* val;
	size_t vlen;
	bool is_bucket;
} bolt_item;

/* The checksum a meta page carries after its first 56 bytes (FNV-1a, 64 bits). */
uint64_t bolt_meta_checksum(const uint8_t* meta);

/* The file at path, its newer valid meta page chosen; NULL with a message in err. */
bolt* bolt_open(const char* path, char* err, size_t errlen);
void bolt_close(bolt* db);

/* The root bucket (every top-level bucket is an element of it). */
bolt_bucket bolt_root(const bolt* db);

/* The element KEY of bucket B into out; false when absent or unreadable. */
bool bolt_get(bolt* db, const bolt_bucket* b, const void* key, size_t klen, bolt_item* out);

/* The sub-bucket NAME of bucket B into out; false when absent, not a bucket or unreadable. */
bool bolt_bucket_get(bolt* db, const bolt_bucket* b, const char* name, bolt_bucket* out);

/* A bucket element's value as a bucket (is_bucket items only). */
bool bolt_item_bucket(const bolt_item* it, bolt_bucket* out);

/* The first element of B whose key is >= KEY (bytewise); false when none. */
bool bolt_seek(bolt* db, const bolt_bucket* b, const void* key, size_t klen, bolt_item* out);

/*
 * Calls fn for each element of B in key order until it returns false; false
 * when a page could not be read (the elements seen so far were handed out).
 */
bool bolt_foreach(bolt* db, const bolt_bucket* b, bool (*fn)(void* arg, const bolt_item* it),
                  void* arg);

#endif
