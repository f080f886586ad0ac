/*
 * libFuzzer target: containerd's database read by plugin/engines/bolt.c and
 * containerd_disk.c, which the event thread opens while containerd writes it
 * (docs/engines.md "containerd's own files"). The input is the whole file
 * (seeds: containerd's layout, written by tests/bolt_writer.c); it is looked
 * up by exact ids, prefixes and an empty key, and walked whole. Whatever the
 * bytes, the reader stays within its page budget and every record it gives
 * travels through the container JSON codec.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bolt.h"
#include "containerd_disk.h"
#include "ctr_json.h"

static int depth;

static bool walk(void* arg, const bolt_item* it)
{
	bolt* db = arg;
	bolt_bucket b;
	if (depth < 8 && bolt_item_bucket(it, &b)) {
		depth++;
		bolt_foreach(db, &b, walk, db);
		depth--;
	}
	return true;
}

static void lookup(const char* path, const char* key)
{
	static const containerd_map_opts o = {100, true};
	char err[256];
	ctr_record* r = containerd_disk_record(path, key, &o, err, sizeof(err));
	if (!r)
		return;
	char* json = ctr_json_encode(r);
	ctr_record* back = json ? ctr_json_decode(json, strlen(json), err, sizeof(err)) : NULL;
	if (json && !back)
		abort(); /* a record the codec cannot carry */
	ctr_record_unref(back);
	free(json);
	ctr_record_unref(r);
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	int fd = memfd_create("fuzz_bolt", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	static const char* const keys[] = {"ctr-001", "ctr-0", "web", "solo-abcdefg", "\xff"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		lookup(path, keys[i]);
	char err[256];
	bolt* db = bolt_open(path, err, sizeof(err));
	if (db) {
		bolt_bucket root = bolt_root(db);
		bolt_foreach(db, &root, walk, db);
		bolt_close(db);
	}
	close(fd);
	return 0;
}
