/*
 * The textual values engines report, read strictly: RFC 3339 times, cpuset
 * lists, IPv4 addresses, port numbers and hex ids. Pure and shared by the
 * Docker/Podman, containerd and CRI mappers.
 */
#ifndef VALUES_H
#define VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VAL_FULL_ID_LEN 64
#define VAL_SHA256_PREFIX "sha256:"
#define VAL_SHA256_PREFIX_LEN (sizeof(VAL_SHA256_PREFIX) - 1)

/*
 * RFC 3339 → Unix seconds (fraction dropped). Unreadable text, and Go's zero
 * time "0001-01-01T00:00:00Z" (or anything before 1970), mean unknown: 0.
 */
int64_t val_rfc3339_seconds(const char* s);

/* CPUs in a cpuset list ("0-5,8,14" → 8; empty or malformed → 0); overlaps count twice. */
int64_t val_cpuset_count(const char* cpus);

/* A dotted IPv4 address → host order; false for anything else (NULL included). */
bool val_ipv4(const char* s, uint32_t* out);

/* n bytes of decimal digits (1 to 5) up to 65535. */
bool val_port(const char* s, size_t n, uint16_t* out);

/* Exactly len lowercase hex digits (s may hold NULs: they are not hex). */
bool val_hex(const char* s, size_t len);
/* A 64-hex full id of len bytes. */
bool val_full_id(const char* s, size_t len);
/* An image id: 64 hex, with or without "sha256:" in front. */
bool val_image_id(const char* s, size_t len);
/* s without a leading "sha256:". */
const char* val_strip_sha256(const char* s);

#endif
