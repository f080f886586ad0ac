/*
 * The one string hash of the plugin's tables (container cache, id sets,
 * cgroup memo). Word-at-a-time: the keys are 12–64 byte ids and 100–200 byte
 * cgroup paths hashed on every process event, where a byte-wise FNV cost
 * more than the rest of the event's work. Not for hostile-input hash
 * flooding: tables are bounded by what engines report.
 */
#ifndef STRHASH_H
#define STRHASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t strhash_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	return h ^ (h >> 32);
}

/* Hash of the n bytes at p. */
static inline uint64_t strhash_bytes(const void* p, size_t n)
{
	const unsigned char* b = p;
	uint64_t h = strhash_mix(0x9e3779b97f4a7c15ull, n);
	for (; n >= 8; b += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		h = strhash_mix(h, w);
	}
	uint64_t last = 0;
	memcpy(&last, b, n);
	return strhash_mix(h, last);
}

static inline uint64_t strhash_str(const char* s)
{
	return strhash_bytes(s, strlen(s));
}

#endif
