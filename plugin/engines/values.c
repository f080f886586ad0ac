#include "values.h"

#include <arpa/inet.h>
#include <string.h>
#include <time.h>

/* Bounds a cpuset number so that counting never overflows, whatever the text. */
#define CPUSET_MAX_CPU (1 << 22)

/* ---- RFC 3339 ------------------------------------------------------------- */

/* Exactly n decimal digits. */
static bool read_digits(const char** p, int n, int* out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool read_char(const char** p, const char* any)
{
	if (!**p || !strchr(any, **p))
		return false;
	(*p)++;
	return true;
}

/* "YYYY-MM-DDThh:mm:ss" into tm (calendar values, not yet struct tm offsets). */
static bool read_date_time(const char** p, struct tm* tm)
{
	return read_digits(p, 4, &tm->tm_year) && read_char(p, "-") &&
	       read_digits(p, 2, &tm->tm_mon) && read_char(p, "-") &&
	       read_digits(p, 2, &tm->tm_mday) && read_char(p, "Tt ") &&
	       read_digits(p, 2, &tm->tm_hour) && read_char(p, ":") &&
	       read_digits(p, 2, &tm->tm_min) && read_char(p, ":") && read_digits(p, 2, &tm->tm_sec) &&
	       tm->tm_mon >= 1 && tm->tm_mon <= 12 && tm->tm_mday >= 1 && tm->tm_mday <= 31 &&
	       tm->tm_hour <= 23 && tm->tm_min <= 59 && tm->tm_sec <= 60;
}

/* Optional fraction, then "Z" or "±hh:mm": the offset east of UTC in seconds. */
static bool read_zone(const char** p, int* offset)
{
	if (read_char(p, ".")) {
		if (**p < '0' || **p > '9')
			return false;
		while (**p >= '0' && **p <= '9')
			(*p)++;
	}
	*offset = 0;
	if (read_char(p, "Zz"))
		return !**p;
	int sign = **p == '-' ? -1 : 1, h, m;
	if (!read_char(p, "+-") || !read_digits(p, 2, &h) || !read_char(p, ":") ||
	    !read_digits(p, 2, &m) || h > 23 || m > 59)
		return false;
	*offset = sign * (h * 3600 + m * 60);
	return !**p;
}

int64_t val_rfc3339_seconds(const char* s)
{
	struct tm tm = {0};
	int offset;
	if (!s || !read_date_time(&s, &tm) || !read_zone(&s, &offset))
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	int64_t t = (int64_t)timegm(&tm) - offset;
	return t > 0 ? t : 0;
}

/* ---- cpuset ----------------------------------------------------------------- */

/* A cpuset number: digits only, bounded. */
static bool read_cpu(const char** p, int64_t* out)
{
	int64_t v = 0;
	const char* start = *p;
	for (; **p >= '0' && **p <= '9'; (*p)++) {
		v = v * 10 + (**p - '0');
		if (v > CPUSET_MAX_CPU)
			return false;
	}
	*out = v;
	return *p != start;
}

int64_t val_cpuset_count(const char* s)
{
	if (!s || !*s)
		return 0;
	int64_t total = 0;
	for (;;) {
		int64_t lo, hi;
		if (!read_cpu(&s, &lo))
			return 0;
		hi = lo;
		if (read_char(&s, "-") && (!read_cpu(&s, &hi) || hi < lo))
			return 0;
		total += hi - lo + 1;
		if (!*s)
			return total;
		if (!read_char(&s, ","))
			return 0;
	}
}

/* ---- addresses, ports, ids ------------------------------------------------------ */

bool val_ipv4(const char* s, uint32_t* out)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

bool val_port(const char* s, size_t n, uint16_t* out)
{
	if (!s || n == 0 || n > 5)
		return false;
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > UINT16_MAX)
		return false;
	*out = (uint16_t)v;
	return true;
}

bool val_hex(const char* s, size_t len)
{
	if (!s)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool val_full_id(const char* s, size_t len)
{
	return len == VAL_FULL_ID_LEN && val_hex(s, len);
}

bool val_image_id(const char* s, size_t len)
{
	if (s && len >= VAL_SHA256_PREFIX_LEN && !strncmp(s, VAL_SHA256_PREFIX, VAL_SHA256_PREFIX_LEN)) {
		s += VAL_SHA256_PREFIX_LEN;
		len -= VAL_SHA256_PREFIX_LEN;
	}
	return val_full_id(s, len);
}

const char* val_strip_sha256(const char* s)
{
	if (s && !strncmp(s, VAL_SHA256_PREFIX, VAL_SHA256_PREFIX_LEN))
		return s + VAL_SHA256_PREFIX_LEN;
	return s;
}
