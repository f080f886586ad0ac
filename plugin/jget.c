#include "jget.h"
#include "errbuf.h"

#include <math.h>
#include <string.h>

json_t* jget(const json_t* o, const char* key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

const char* jget_str(const json_t* o, const char* key)
{
	json_t* v = jget(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t* jget_parse(const char* buf, size_t len, char* err, size_t errlen)
{
	if (!buf) {
		errbuf_set(err, errlen, "no document");
		return NULL;
	}
	if (len && buf[len - 1] == '\0')
		len--;
	const size_t flags = JSON_ALLOW_NUL | JSON_DECODE_ANY;
	json_error_t e;
	json_t* root = json_loadb(buf, len, flags, &e);
	if (!root && json_error_code(&e) == json_error_numeric_overflow)
		root = json_loadb(buf, len, flags | JSON_DECODE_INT_AS_REAL, &e);
	if (!root)
		errbuf_set(err, errlen, "malformed JSON: %s (line %d, column %d)", e.text, e.line,
		           e.column);
	return root;
}

json_t* jget_parse_str(const char* text, char* err, size_t errlen)
{
	return jget_parse(text, text ? strlen(text) : 0, err, errlen);
}

bool jget_int(const json_t* o, const char* key, int64_t* out)
{
	json_t* v = jget(o, key);
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_real(v))
		return false;
	double d = json_real_value(v);
	if (isnan(d))
		return false;
	*out = d >= 9223372036854775807.0    ? INT64_MAX
	       : d <= -9223372036854775808.0 ? INT64_MIN
	                                     : (int64_t)d;
	return true;
}
