/*
 * The caller-supplied error buffers of the decoders and mappers
 * (char* err, size_t errlen; either may be NULL/0: no message wanted).
 */
#ifndef ERRBUF_H
#define ERRBUF_H

#include <stddef.h>

void errbuf_set(char* err, size_t errlen, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
