/*
 * Engine and container documents (jansson): the one parse entry point, and
 * tolerant lookups where a missing key, a non-object parent or a value of the
 * wrong type all read as absent, so mapping code reads a document without
 * checking every step.
 */
#ifndef JGET_H
#define JGET_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Parses len bytes of any JSON value (callers check its type), or NULL with
 * "malformed JSON: ..." in err. The rules, the same for every document:
 * - one trailing NUL byte is ignored (bodies and event lines may keep their
 *   terminator); any other raw NUL byte makes the text malformed; an escaped
 *   "\u0000" inside a string is kept (strings carry their length);
 * - an integer beyond int64 does not refuse the document: it is read again
 *   with every integer as a real, which number readers saturate; a number
 *   beyond the range of a double is malformed;
 * - nesting deeper than jansson's limit (2048) is malformed.
 * buf NULL is refused ("no document").
 */
json_t* jget_parse(const char* buf, size_t len, char* err, size_t errlen);
/* jget_parse of a C string (a protobuf string member); NULL text is refused. */
json_t* jget_parse_str(const char* text, char* err, size_t errlen);
/* The number at o[key] (integer or real) as int64, saturated; false if absent, NaN or not a number. */
bool jget_int(const json_t* o, const char* key, int64_t* out);

/* o[key], or NULL when o is not an object or has no such key. */
json_t* jget(const json_t* o, const char* key);
/* o[key] when it is a string, else NULL. */
const char* jget_str(const json_t* o, const char* key);

#endif
