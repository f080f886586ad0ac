/*
 * A small JSON-Schema validator for plugin init configs (docs/abi.md "Configuration").
 *
 * Supported keywords: type (incl. "integer" and arrays of types), enum, const,
 * properties, required, additionalProperties (bool or schema), min/maxProperties,
 * items (schema or tuple array), min/maxItems, minLength/maxLength (code points),
 * minimum/maximum, exclusiveMinimum/exclusiveMaximum (number or draft-4 bool),
 * $ref to "#", "#/definitions/..." or "#/$defs/..." (any JSON pointer into the root),
 * allOf/anyOf/oneOf, not, if/then/else, boolean schemas. Other keywords (format,
 * pattern, patternProperties, ...) are ignored, i.e. accepted.
 */
#ifndef JSONSCHEMA_H
#define JSONSCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * Validates `instance` against `schema` (also the root for $ref). Returns true
 * when valid; otherwise false with "<json path>: <reason>" in err (the path
 * starts at "$", e.g. "$.engines.docker.enabled").
 */
bool jsonschema_validate(const json_t* schema, const json_t* instance, char* err, size_t errlen);

/* The same on JSON texts; parse errors are reported in err. */
bool jsonschema_validate_text(const char* schema, const char* instance, char* err,
                              size_t errlen);

#endif
