/*
 * The removal marks (plugin/gone.c): one removal per container from whatever
 * announces it first, no stale record after its init exited, a restart after
 * the engine's own removal, a live process lifting any mark, and the bound.
 */
#include <stdio.h>

#include "gone.h"
#include "test.h"

#define ID "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"

TEST(one_removal_per_container)
{
	gone_set* g = gone_new();
	REQUIRE(g);
	CHECK(gone_admit(g, ID, GONE_REPORT_ALIVE));
	CHECK(gone_admit(g, ID, GONE_REPORT_EXITED));   /* the init exits: announced */
	CHECK(!gone_admit(g, ID, GONE_REPORT_ALIVE));   /* a start report under way: stale */
	CHECK(!gone_admit(g, ID, GONE_REPORT_REMOVED)); /* die */
	CHECK(!gone_admit(g, ID, GONE_REPORT_REMOVED)); /* destroy */
	CHECK(!gone_admit(g, "3ad7b26ded6d", GONE_REPORT_EXITED)); /* the short id is the key */
	gone_free(g);
}

TEST(restart_after_the_engines_removal)
{
	gone_set* g = gone_new();
	REQUIRE(g);
	CHECK(gone_admit(g, ID, GONE_REPORT_EXITED));
	CHECK(!gone_admit(g, ID, GONE_REPORT_REMOVED)); /* die: the engine's word now */
	CHECK(gone_admit(g, ID, GONE_REPORT_ALIVE));    /* start again: a restart */
	CHECK(gone_admit(g, ID, GONE_REPORT_REMOVED));  /* and its own removal later */
	/* A process of the container seen alive lifts an exit mark too. */
	CHECK(gone_admit(g, "abcdefabcdef", GONE_REPORT_EXITED));
	gone_forget(g, "abcdefabcdef0123");
	CHECK(gone_admit(g, "abcdefabcdef", GONE_REPORT_ALIVE));
	gone_free(g);
}

TEST(marks_are_bounded)
{
	gone_set* g = gone_new();
	REQUIRE(g);
	char id[32];
	for (int i = 0; i < GONE_CAP + 10; i++) {
		snprintf(id, sizeof(id), "c%011d", i);
		CHECK(gone_admit(g, id, GONE_REPORT_REMOVED));
	}
	CHECK(gone_admit(g, "c00000000000", GONE_REPORT_REMOVED)); /* the oldest were dropped */
	snprintf(id, sizeof(id), "c%011d", GONE_CAP + 9);
	CHECK(!gone_admit(g, id, GONE_REPORT_REMOVED)); /* the newest are kept */
	gone_free(g);
}

TEST_MAIN(T(one_removal_per_container), T(restart_after_the_engines_removal), T(marks_are_bounded))
