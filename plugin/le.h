/*
 * Unaligned little-endian reads (the byte order of scap files and of bbolt
 * on the machines we ship for), for code that walks binary layouts.
 */
#ifndef LE_H
#define LE_H

#include <stdint.h>
#include <string.h>

static inline uint16_t le16(const uint8_t* p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static inline uint32_t le32(const uint8_t* p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t le64(const uint8_t* p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

#endif
