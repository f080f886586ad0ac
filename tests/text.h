/*
 * A growing NUL-terminated text for tests that generate documents of any
 * size (hostile engine answers). Aborts when memory runs out: a test without
 * memory has nothing left to say.
 */
#ifndef TEST_TEXT_H
#define TEST_TEXT_H

#include <stddef.h>

typedef struct text {
	char* p;
	size_t len, cap;
} text;

/* Room for `more` bytes and the terminator. */
void text_reserve(text* t, size_t more);
__attribute__((format(printf, 2, 3))) void text_add(text* t, const char* fmt, ...);
/* n copies of c. */
void text_fill(text* t, char c, size_t n);

#endif
