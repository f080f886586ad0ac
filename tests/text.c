#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void text_reserve(text* t, size_t more)
{
	if (t->len + more + 1 <= t->cap)
		return;
	size_t cap = t->cap ? t->cap : 256;
	while (cap < t->len + more + 1)
		cap *= 2;
	t->p = realloc(t->p, cap);
	if (!t->p)
		abort();
	t->cap = cap;
}

void text_add(text* t, const char* fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	text_reserve(t, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void text_fill(text* t, char c, size_t n)
{
	text_reserve(t, n);
	memset(t->p + t->len, c, n);
	t->len += n;
	t->p[t->len] = '\0';
}
