/*
 * Tolerant lookups in engine and container documents (jansson): a missing
 * key, a non-object parent or a value of the wrong type all read as absent,
 * so mapping code reads a document without checking every step.
 */
#ifndef JGET_H
#define JGET_H

#include <jansson.h>

/* o[key], or NULL when o is not an object or has no such key. */
json_t* jget(const json_t* o, const char* key);
/* o[key] when it is a string, else NULL. */
const char* jget_str(const json_t* o, const char* key);

#endif
