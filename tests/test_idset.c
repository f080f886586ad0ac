/*
 * idset: ids with a stamp each, in an open-addressing table with tombstones.
 * The sets that live long (removal marks, known containers, the lookup and
 * outbox indexes) see ids come and go for as long as the plugin runs: the
 * table must stay sized for the ids present, not for all the ids it ever saw.
 */
#include <stdio.h>

#include "idset.h"
#include "test.h"

static void id_of(unsigned i, char* buf, size_t size)
{
	snprintf(buf, size, "%012x", i);
}

TEST(idset_put_get_del)
{
	idset s;
	idset_init(&s);
	uint64_t stamp = 0;
	CHECK(!idset_get(&s, "abc", &stamp));
	CHECK(!idset_del(&s, "abc"));
	CHECK(idset_put(&s, "abc", 7));
	CHECK(idset_put(&s, "def", 8));
	CHECK(idset_put(&s, "abc", 9)); /* an update */
	CHECK_INT(idset_count(&s), 2);
	CHECK(idset_get(&s, "abc", &stamp));
	CHECK_INT(stamp, 9);
	CHECK(idset_del(&s, "abc"));
	CHECK(!idset_get(&s, "abc", NULL));
	CHECK(idset_get(&s, "def", &stamp));
	CHECK_INT(stamp, 8);
	CHECK_INT(idset_count(&s), 1);
	idset_free(&s);
}

/* 40,000 ids through a set that holds the latest 4,096 (the removal marks'
 * bound): the table stops at 8,192 slots, the size 4,096 ids grew it to; it
 * used to double again each time deleted slots filled it, up to 32,768. */
TEST(idset_churn_keeps_the_table_sized_for_its_ids)
{
	enum { LIVE = 4096, TOTAL = 40000 };
	idset s;
	idset_init(&s);
	char id[16], old[16];
	size_t max_cap = 0;
	for (unsigned i = 0; i < TOTAL; i++) {
		id_of(i, id, sizeof(id));
		REQUIRE(idset_put(&s, id, i));
		if (i >= LIVE) {
			id_of(i - LIVE, old, sizeof(old));
			CHECK(idset_del(&s, old));
		}
		if (s.cap > max_cap)
			max_cap = s.cap;
	}
	CHECK_INT(idset_count(&s), LIVE);
	CHECK_INT(max_cap, 2 * LIVE);
	unsigned missing = 0, stale = 0;
	for (unsigned i = 0; i < TOTAL; i++) {
		id_of(i, id, sizeof(id));
		uint64_t stamp;
		bool in = idset_get(&s, id, &stamp);
		if (i >= TOTAL - LIVE)
			missing += !in || stamp != i;
		else
			stale += in;
	}
	CHECK_INT(missing, 0);
	CHECK_INT(stale, 0);
	idset_free(&s);
}

TEST_MAIN(T(idset_put_get_del), T(idset_churn_keeps_the_table_sized_for_its_ids))
