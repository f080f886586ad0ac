/*
 * JSON-Schema subset validator (see jsonschema.h for the keyword list).
 * Validation stops at the first error; subschemas probed by anyOf/oneOf/not/if
 * run "quiet" so that a failing branch does not overwrite the reported error.
 */
#include "jsonschema.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds $ref cycles that never consume the instance, and the C stack. */
#define JSONSCHEMA_MAX_DEPTH 64
#define JSONSCHEMA_PATH_MAX 256

typedef struct jsonschema_ctx {
	const json_t* root;
	char* err;
	size_t errlen;
	int depth;
	int quiet;
} jsonschema_ctx;

static bool jsonschema_check(jsonschema_ctx* c, const json_t* s, const json_t* v,
                             const char* path);

__attribute__((format(printf, 3, 4))) static bool jsonschema_fail(jsonschema_ctx* c,
                                                                   const char* path,
                                                                   const char* fmt, ...)
{
	if (c->quiet || !c->err || c->errlen == 0)
		return false;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s", path, msg);
	return false;
}

/* ---- paths ---- */

static bool jsonschema_is_ident(const char* k)
{
	if (!*k || isdigit((unsigned char)*k))
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
			return false;
	return true;
}

static void jsonschema_path_key(char* out, const char* path, const char* key)
{
	if (jsonschema_is_ident(key))
		snprintf(out, JSONSCHEMA_PATH_MAX, "%s.%s", path, key);
	else
		snprintf(out, JSONSCHEMA_PATH_MAX, "%s[\"%s\"]", path, key);
}

static void jsonschema_path_index(char* out, const char* path, size_t i)
{
	snprintf(out, JSONSCHEMA_PATH_MAX, "%s[%zu]", path, i);
}

/* ---- value helpers ---- */

static const char* jsonschema_type_name(const json_t* v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	default:
		return "null";
	}
}

static bool jsonschema_is_integral(const json_t* v)
{
	if (json_is_integer(v))
		return true;
	if (!json_is_real(v))
		return false;
	double d = json_real_value(v);
	if (!isfinite(d))
		return false;
	/* Beyond 2^53 every double is an integer; below, the int64 round trip is exact. */
	if (d >= 9007199254740992.0 || d <= -9007199254740992.0)
		return true;
	return (double)(int64_t)d == d;
}

/* -1, 0, 1 like a comparison; exact for two integers. */
static int jsonschema_num_cmp(const json_t* a, const json_t* b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		return (x > y) - (x < y);
	}
	double x = json_number_value(a), y = json_number_value(b);
	return (x > y) - (x < y);
}

/* Equality of JSON-Schema: numbers compare by value (1 == 1.0). */
static bool jsonschema_equal(const json_t* a, const json_t* b)
{
	if (json_is_number(a) && json_is_number(b))
		return jsonschema_num_cmp(a, b) == 0;
	if (json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!jsonschema_equal(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	case JSON_OBJECT: {
		if (json_object_size(a) != json_object_size(b))
			return false;
		const char* k;
		json_t* av;
		json_object_foreach((json_t*)a, k, av) {
			json_t* bv = json_object_get(b, k);
			if (!bv || !jsonschema_equal(av, bv))
				return false;
		}
		return true;
	}
	default:
		return true; /* true, false, null: same type is enough */
	}
}

static size_t jsonschema_utf8_len(const char* s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

static bool jsonschema_is_schema(const json_t* s)
{
	return json_is_object(s) || json_is_boolean(s);
}

/* ---- $ref ---- */

/* Decodes one JSON-pointer segment (~1 -> '/', ~0 -> '~') into out. */
static bool jsonschema_ptr_segment(const char* seg, size_t n, char* out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = seg[i];
		if (ch == '~' && i + 1 < n && (seg[i + 1] == '0' || seg[i + 1] == '1')) {
			ch = seg[i + 1] == '0' ? '~' : '/';
			i++;
		}
		if (o + 1 >= outlen)
			return false;
		out[o++] = ch;
	}
	out[o] = '\0';
	return true;
}

static const json_t* jsonschema_resolve(const json_t* root, const char* ref)
{
	if (ref[0] != '#')
		return NULL; /* remote references are not supported */
	const json_t* cur = root;
	const char* p = ref + 1;
	if (*p && *p != '/')
		return NULL; /* anchors ("#name") are not supported */
	while (cur && *p == '/') {
		p++;
		size_t n = strcspn(p, "/");
		char seg[256];
		if (!jsonschema_ptr_segment(p, n, seg, sizeof(seg)))
			return NULL;
		if (json_is_object(cur)) {
			cur = json_object_get(cur, seg);
		} else if (json_is_array(cur)) {
			char* end;
			unsigned long idx = strtoul(seg, &end, 10);
			cur = (*seg && !*end) ? json_array_get(cur, idx) : NULL;
		} else {
			cur = NULL;
		}
		p += n;
	}
	return cur;
}

static bool jsonschema_ref(jsonschema_ctx* c, const json_t* s, const json_t* v, const char* path)
{
	const json_t* ref = json_object_get(s, "$ref");
	if (!ref)
		return true;
	if (!json_is_string(ref))
		return jsonschema_fail(c, path, "invalid schema: $ref must be a string");
	const json_t* target = jsonschema_resolve(c->root, json_string_value(ref));
	if (!target)
		return jsonschema_fail(c, path, "invalid schema: cannot resolve $ref '%s'",
		                       json_string_value(ref));
	return jsonschema_check(c, target, v, path);
}

/* ---- type, enum, const ---- */

static int jsonschema_type_matches(const json_t* v, const json_t* t)
{
	if (!json_is_string(t))
		return -1;
	const char* n = json_string_value(t);
	if (!strcmp(n, "integer"))
		return jsonschema_is_integral(v);
	if (!strcmp(n, "number"))
		return json_is_number(v);
	if (!strcmp(n, "string"))
		return json_is_string(v);
	if (!strcmp(n, "object"))
		return json_is_object(v);
	if (!strcmp(n, "array"))
		return json_is_array(v);
	if (!strcmp(n, "boolean"))
		return json_is_boolean(v);
	if (!strcmp(n, "null"))
		return json_is_null(v);
	return -1;
}

static bool jsonschema_type(jsonschema_ctx* c, const json_t* s, const json_t* v, const char* path)
{
	const json_t* t = json_object_get(s, "type");
	if (!t)
		return true;
	if (json_is_array(t)) {
		for (size_t i = 0; i < json_array_size(t); i++) {
			int m = jsonschema_type_matches(v, json_array_get(t, i));
			if (m < 0)
				return jsonschema_fail(c, path, "invalid schema: bad type list");
			if (m)
				return true;
		}
		return jsonschema_fail(c, path, "type %s is not one of the allowed types",
		                       jsonschema_type_name(v));
	}
	int m = jsonschema_type_matches(v, t);
	if (m < 0)
		return jsonschema_fail(c, path, "invalid schema: bad type");
	if (!m)
		return jsonschema_fail(c, path, "expected %s, got %s", json_string_value(t),
		                       jsonschema_type_name(v));
	return true;
}

static bool jsonschema_enum_const(jsonschema_ctx* c, const json_t* s, const json_t* v,
                                  const char* path)
{
	const json_t* e = json_object_get(s, "enum");
	if (e) {
		if (!json_is_array(e))
			return jsonschema_fail(c, path, "invalid schema: enum must be an array");
		bool found = false;
		for (size_t i = 0; i < json_array_size(e) && !found; i++)
			found = jsonschema_equal(json_array_get(e, i), v);
		if (!found)
			return jsonschema_fail(c, path, "value is not one of the enum values");
	}
	const json_t* k = json_object_get(s, "const");
	if (k && !jsonschema_equal(k, v))
		return jsonschema_fail(c, path, "value does not equal the const value");
	return true;
}

/* ---- numbers and strings ---- */

/* One bound: kind 0 = minimum, 1 = maximum; `excl` makes it strict. */
static bool jsonschema_bound(jsonschema_ctx* c, const json_t* v, const json_t* lim, int kind,
                             bool excl, const char* path)
{
	if (!json_is_number(lim))
		return jsonschema_fail(c, path, "invalid schema: numeric bound expected");
	int cmp = jsonschema_num_cmp(v, lim);
	bool ok = kind == 0 ? (excl ? cmp > 0 : cmp >= 0) : (excl ? cmp < 0 : cmp <= 0);
	if (ok)
		return true;
	return jsonschema_fail(c, path, "value must be %s %g", kind == 0 ? (excl ? ">" : ">=")
	                                                                : (excl ? "<" : "<="),
	                       json_number_value(lim));
}

static bool jsonschema_number(jsonschema_ctx* c, const json_t* s, const json_t* v,
                              const char* path)
{
	if (!json_is_number(v))
		return true;
	const json_t* min = json_object_get(s, "minimum");
	const json_t* max = json_object_get(s, "maximum");
	const json_t* xmin = json_object_get(s, "exclusiveMinimum");
	const json_t* xmax = json_object_get(s, "exclusiveMaximum");
	/* Draft 4 spelled exclusivity as a boolean modifier of minimum/maximum. */
	if (min && !jsonschema_bound(c, v, min, 0, json_is_true(xmin), path))
		return false;
	if (max && !jsonschema_bound(c, v, max, 1, json_is_true(xmax), path))
		return false;
	if (json_is_number(xmin) && !jsonschema_bound(c, v, xmin, 0, true, path))
		return false;
	if (json_is_number(xmax) && !jsonschema_bound(c, v, xmax, 1, true, path))
		return false;
	return true;
}

static bool jsonschema_count(jsonschema_ctx* c, const json_t* s, const char* kw, size_t n,
                             bool is_min, const char* what, const char* path)
{
	const json_t* lim = json_object_get(s, kw);
	if (!lim)
		return true;
	if (!json_is_integer(lim) || json_integer_value(lim) < 0)
		return jsonschema_fail(c, path, "invalid schema: %s must be a non-negative integer",
		                       kw);
	size_t l = (size_t)json_integer_value(lim);
	if (is_min ? n >= l : n <= l)
		return true;
	return jsonschema_fail(c, path, "%s %zu %s %zu", what, n, is_min ? "is less than" :
	                       "is more than", l);
}

static bool jsonschema_string(jsonschema_ctx* c, const json_t* s, const json_t* v,
                              const char* path)
{
	if (!json_is_string(v))
		return true;
	size_t n = jsonschema_utf8_len(json_string_value(v), json_string_length(v));
	return jsonschema_count(c, s, "minLength", n, true, "string length", path) &&
	       jsonschema_count(c, s, "maxLength", n, false, "string length", path);
}

/* ---- arrays ---- */

static bool jsonschema_items(jsonschema_ctx* c, const json_t* s, const json_t* v,
                             const char* path)
{
	const json_t* items = json_object_get(s, "items");
	const json_t* extra = json_object_get(s, "additionalItems");
	char child[JSONSCHEMA_PATH_MAX];
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t* sub = NULL;
		if (jsonschema_is_schema(items))
			sub = items;
		else if (json_is_array(items))
			sub = i < json_array_size(items) ? json_array_get(items, i) : extra;
		else if (items)
			return jsonschema_fail(c, path, "invalid schema: bad items");
		if (!sub)
			continue;
		jsonschema_path_index(child, path, i);
		if (!jsonschema_check(c, sub, json_array_get(v, i), child))
			return false;
	}
	return true;
}

static bool jsonschema_unique(jsonschema_ctx* c, const json_t* s, const json_t* v,
                              const char* path)
{
	if (!json_is_true(json_object_get(s, "uniqueItems")))
		return true;
	for (size_t i = 0; i < json_array_size(v); i++)
		for (size_t j = i + 1; j < json_array_size(v); j++)
			if (jsonschema_equal(json_array_get(v, i), json_array_get(v, j)))
				return jsonschema_fail(c, path, "items %zu and %zu are equal", i, j);
	return true;
}

static bool jsonschema_array(jsonschema_ctx* c, const json_t* s, const json_t* v,
                             const char* path)
{
	if (!json_is_array(v))
		return true;
	size_t n = json_array_size(v);
	return jsonschema_count(c, s, "minItems", n, true, "array size", path) &&
	       jsonschema_count(c, s, "maxItems", n, false, "array size", path) &&
	       jsonschema_unique(c, s, v, path) && jsonschema_items(c, s, v, path);
}

/* ---- objects ---- */

static bool jsonschema_required(jsonschema_ctx* c, const json_t* s, const json_t* v,
                                const char* path)
{
	const json_t* req = json_object_get(s, "required");
	if (!req)
		return true;
	if (!json_is_array(req))
		return jsonschema_fail(c, path, "invalid schema: required must be an array");
	for (size_t i = 0; i < json_array_size(req); i++) {
		const json_t* k = json_array_get(req, i);
		if (!json_is_string(k))
			return jsonschema_fail(c, path, "invalid schema: required entries are strings");
		if (!json_object_get(v, json_string_value(k)))
			return jsonschema_fail(c, path, "missing required property '%s'",
			                       json_string_value(k));
	}
	return true;
}

static bool jsonschema_properties(jsonschema_ctx* c, const json_t* s, const json_t* v,
                                  const char* path)
{
	const json_t* props = json_object_get(s, "properties");
	const json_t* extra = json_object_get(s, "additionalProperties");
	if (props && !json_is_object(props))
		return jsonschema_fail(c, path, "invalid schema: properties must be an object");
	if (extra && !jsonschema_is_schema(extra))
		return jsonschema_fail(c, path, "invalid schema: bad additionalProperties");
	/* Without pattern support, additionalProperties cannot be judged next to patterns. */
	if (json_object_get(s, "patternProperties"))
		extra = NULL;
	char child[JSONSCHEMA_PATH_MAX];
	const char* k;
	json_t* val;
	json_object_foreach((json_t*)v, k, val) {
		const json_t* sub = props ? json_object_get(props, k) : NULL;
		if (!sub && json_is_false(extra))
			return jsonschema_fail(c, path, "property '%s' is not allowed", k);
		if (!sub && json_is_object(extra))
			sub = extra;
		if (!sub)
			continue;
		jsonschema_path_key(child, path, k);
		if (!jsonschema_check(c, sub, val, child))
			return false;
	}
	return true;
}

static bool jsonschema_object(jsonschema_ctx* c, const json_t* s, const json_t* v,
                              const char* path)
{
	if (!json_is_object(v))
		return true;
	size_t n = json_object_size(v);
	return jsonschema_count(c, s, "minProperties", n, true, "property count", path) &&
	       jsonschema_count(c, s, "maxProperties", n, false, "property count", path) &&
	       jsonschema_required(c, s, v, path) && jsonschema_properties(c, s, v, path);
}

/* ---- combinators ---- */

/* Runs a subschema without reporting its errors; used where failing is not an error. */
static bool jsonschema_probe(jsonschema_ctx* c, const json_t* s, const json_t* v,
                             const char* path)
{
	c->quiet++;
	bool ok = jsonschema_check(c, s, v, path);
	c->quiet--;
	return ok;
}

/* Counts how many subschemas of `list` match; -1 when the list is malformed. */
static int jsonschema_count_matches(jsonschema_ctx* c, const json_t* list, const json_t* v,
                                    const char* path)
{
	if (!json_is_array(list) || json_array_size(list) == 0)
		return -1;
	int n = 0;
	for (size_t i = 0; i < json_array_size(list); i++)
		n += jsonschema_probe(c, json_array_get(list, i), v, path);
	return n;
}

static bool jsonschema_combinators(jsonschema_ctx* c, const json_t* s, const json_t* v,
                                   const char* path)
{
	const json_t* all = json_object_get(s, "allOf");
	if (all) {
		if (!json_is_array(all))
			return jsonschema_fail(c, path, "invalid schema: allOf must be an array");
		for (size_t i = 0; i < json_array_size(all); i++)
			if (!jsonschema_check(c, json_array_get(all, i), v, path))
				return false;
	}
	const json_t* any = json_object_get(s, "anyOf");
	if (any) {
		int n = jsonschema_count_matches(c, any, v, path);
		if (n < 0)
			return jsonschema_fail(c, path, "invalid schema: anyOf must be a non-empty array");
		if (n == 0)
			return jsonschema_fail(c, path, "value matches none of the anyOf schemas");
	}
	const json_t* one = json_object_get(s, "oneOf");
	if (one) {
		int n = jsonschema_count_matches(c, one, v, path);
		if (n < 0)
			return jsonschema_fail(c, path, "invalid schema: oneOf must be a non-empty array");
		if (n != 1)
			return jsonschema_fail(c, path, "value matches %d of the oneOf schemas, not 1", n);
	}
	const json_t* not = json_object_get(s, "not");
	if (not && jsonschema_probe(c, not, v, path))
		return jsonschema_fail(c, path, "value must not match the 'not' schema");
	return true;
}

static bool jsonschema_conditional(jsonschema_ctx* c, const json_t* s, const json_t* v,
                                   const char* path)
{
	const json_t* cond = json_object_get(s, "if");
	if (!cond)
		return true;
	const json_t* branch = json_object_get(s, jsonschema_probe(c, cond, v, path) ? "then" :
	                                       "else");
	return !branch || jsonschema_check(c, branch, v, path);
}

static bool jsonschema_check(jsonschema_ctx* c, const json_t* s, const json_t* v,
                             const char* path)
{
	if (json_is_true(s))
		return true;
	if (json_is_false(s))
		return jsonschema_fail(c, path, "value is not allowed here");
	if (!json_is_object(s))
		return jsonschema_fail(c, path, "invalid schema: not an object or boolean");
	if (c->depth >= JSONSCHEMA_MAX_DEPTH)
		return jsonschema_fail(c, path, "schema nesting too deep (recursive $ref?)");
	c->depth++;
	bool ok = jsonschema_ref(c, s, v, path) && jsonschema_type(c, s, v, path) &&
	          jsonschema_enum_const(c, s, v, path) && jsonschema_number(c, s, v, path) &&
	          jsonschema_string(c, s, v, path) && jsonschema_array(c, s, v, path) &&
	          jsonschema_object(c, s, v, path) && jsonschema_combinators(c, s, v, path) &&
	          jsonschema_conditional(c, s, v, path);
	c->depth--;
	return ok;
}

bool jsonschema_validate(const json_t* schema, const json_t* instance, char* err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!schema || !instance) {
		if (err && errlen)
			snprintf(err, errlen, "$: missing schema or instance");
		return false;
	}
	jsonschema_ctx c = {.root = schema, .err = err, .errlen = errlen};
	return jsonschema_check(&c, schema, instance, "$");
}

bool jsonschema_validate_text(const char* schema, const char* instance, char* err,
                              size_t errlen)
{
	json_error_t je;
	json_t* s = json_loads(schema ? schema : "", JSON_DECODE_ANY, &je);
	if (!s) {
		snprintf(err, errlen, "schema is not valid JSON: line %d: %s", je.line, je.text);
		return false;
	}
	json_t* v = json_loads(instance ? instance : "", JSON_DECODE_ANY, &je);
	if (!v) {
		snprintf(err, errlen, "value is not valid JSON: line %d: %s", je.line, je.text);
		json_decref(s);
		return false;
	}
	bool ok = jsonschema_validate(s, v, err, errlen);
	json_decref(v);
	json_decref(s);
	return ok;
}
