/*
 * tidset.c: the attached-threads map against a reference (a flag per tid)
 * over random adds and deletes in a small tid range, so that runs collide,
 * wrap and shift back on deletion; growth keeps every member.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "tidset.h"

enum { RANGE = 5000, OPS = 200000 };

TEST(matches_a_reference)
{
	static bool ref[RANGE];
	tidset s = {0};
	size_t n = 0;
	srand(7);
	for (int i = 0; i < OPS; i++) {
		int64_t tid = 1 + rand() % (RANGE - 1);
		bool add = rand() % 3 != 0; /* more adds than deletes: the set grows */
		bool changed = add ? tidset_put(&s, tid, (uint8_t)(tid & 1)) : tidset_take(&s, tid) >= 0;
		CHECK(changed == (add ? !ref[tid] : ref[tid]));
		n += changed ? (add ? 1 : (size_t)-1) : 0;
		ref[tid] = add;
		if (i % 997 == 0)
			for (int64_t t = 1; t < RANGE; t++)
				if (tidset_has(&s, t) != ref[t]) {
					CHECK(false);
					break;
				}
	}
	CHECK_INT(s.n, n);
	for (int64_t t = 1; t < RANGE; t++)
		CHECK(tidset_has(&s, t) == ref[t]);
	for (int64_t t = 1; t < RANGE; t++) /* every member kept its flags through the moves */
		if (ref[t])
			CHECK_INT(tidset_take(&s, t), (int)(t & 1));
	CHECK_INT(s.n, 0);
	tidset_free(&s);
}

TEST(tid_zero_and_empty_set)
{
	tidset s = {0};
	CHECK(!tidset_has(&s, 5));
	CHECK_INT(tidset_take(&s, 5), -1);
	CHECK(!tidset_put(&s, 0, 1));
	CHECK(tidset_put(&s, -3, 0) && tidset_has(&s, -3)); /* any nonzero tid */
	CHECK(!tidset_put(&s, -3, 1));                       /* there: flags replaced */
	CHECK_INT(tidset_take(&s, -3), 1);
	CHECK_INT(s.n, 0);
	tidset_free(&s);
}

TEST_MAIN(T(matches_a_reference), T(tid_zero_and_empty_set))
