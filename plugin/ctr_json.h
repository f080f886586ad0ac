/*
 * The container JSON format (docs/container-json.md): decoder tolerant of every
 * variant (envelope or flat, nulls, wrong types per key), encoder writing the
 * upstream variant inside {"container": ...}.
 */
#ifndef CTR_JSON_H
#define CTR_JSON_H

#include <stddef.h>

#include "ctr_record.h"

/*
 * Decodes `len` bytes (a trailing NUL and/or newline is accepted). Returns a
 * finalized record with one reference, or NULL with a message in err. On
 * success err is "" or names the first key ignored for its type (worth a log).
 */
ctr_record* ctr_json_decode(const char* buf, size_t len, char* err, size_t errlen);

/* Encodes with the envelope; malloc'd NUL-terminated text, NULL on OOM. */
char* ctr_json_encode(const ctr_record* r);

#endif
