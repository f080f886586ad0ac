/*
 * A tiny test harness: TEST(name) functions registered in a table, CHECK*
 * macros that record failures without aborting, and a closing line
 * "N passed, N failed" that CI reads. Each test binary's main() is
 * TEST_MAIN(...) with the list of tests.
 */
#ifndef TEST_H
#define TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct test_case {
	const char* name;
	void (*fn)(void);
} test_case;

extern int test_failures_in_case;

#define TEST(name) static void name(void)

#define CHECK(cond)                                                                  \
	do {                                                                             \
		if (!(cond)) {                                                               \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			test_failures_in_case++;                                                 \
		}                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                              \
	do {                                                                             \
		const char* a_ = (a);                                                        \
		const char* b_ = (b);                                                        \
		if (!((a_ == NULL && b_ == NULL) || (a_ && b_ && strcmp(a_, b_) == 0))) {    \
			fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,     \
			        __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");           \
			test_failures_in_case++;                                                 \
		}                                                                            \
	} while (0)

#define CHECK_INT(a, b)                                                              \
	do {                                                                             \
		long long a_ = (long long)(a);                                               \
		long long b_ = (long long)(b);                                               \
		if (a_ != b_) {                                                              \
			fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__,         \
			        __LINE__, #a, a_, b_);                                           \
			test_failures_in_case++;                                                 \
		}                                                                            \
	} while (0)

/* Aborts the current test case (use when later checks would crash). */
#define REQUIRE(cond)                                                                \
	do {                                                                             \
		if (!(cond)) {                                                               \
			fprintf(stderr, "  %s:%d: REQUIRE(%s) failed\n", __FILE__, __LINE__,      \
			        #cond);                                                          \
			test_failures_in_case++;                                                 \
			return;                                                                  \
		}                                                                            \
	} while (0)

/* Marks the current test skipped with a reason (never counted as passed). */
extern const char* test_skip_reason;
#define SKIP(reason)                                                                 \
	do {                                                                             \
		test_skip_reason = (reason);                                                 \
		return;                                                                      \
	} while (0)

#define TEST_MAIN(...)                                                               \
	int test_failures_in_case;                                                       \
	const char* test_skip_reason;                                                    \
	int main(int argc, char** argv)                                                  \
	{                                                                                \
		static const test_case cases[] = {__VA_ARGS__};                              \
		int passed = 0, failed = 0, skipped = 0;                                     \
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {             \
			if (argc > 1 && !strstr(cases[i].name, argv[1]))                         \
				continue;                                                            \
			test_failures_in_case = 0;                                               \
			test_skip_reason = NULL;                                                 \
			cases[i].fn();                                                           \
			if (test_failures_in_case) {                                             \
				failed++;                                                            \
				printf("FAIL %s\n", cases[i].name);                                  \
			} else if (test_skip_reason) {                                           \
				skipped++;                                                           \
				printf("SKIP %s: %s\n", cases[i].name, test_skip_reason);            \
			} else {                                                                 \
				passed++;                                                            \
				printf("ok   %s\n", cases[i].name);                                  \
			}                                                                        \
		}                                                                            \
		printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);       \
		return failed ? 1 : 0;                                                       \
	}

#define T(fn) {#fn, fn}

#endif
