/*
 * The lookup tracker (plugin/lookup.c) on a simulated clock: de-duplication,
 * the retry schedule up to 5 minutes, the shared budget of old ids over an
 * hour, the engines of the hinted kind first, caps and expiry.
 */
#include <stdio.h>
#include <string.h>

#include "lookup.h"
#include "test.h"

#define MIN_MS (60 * 1000ull)
#define HOUR_MS (60 * MIN_MS)

static void id_of(char out[CGROUP_ID_MAX], int i)
{
	snprintf(out, CGROUP_ID_MAX, "%012x", 0xabc00000u + (unsigned)i);
}

TEST(repeated_wants_ask_once)
{
	lookup_tracker* t = lookup_new();
	REQUIRE(t);
	lookup_engine_set(t, 0, CGROUP_ENGINE_DOCKER, true);
	CHECK(lookup_want(t, "abcdef012345", CGROUP_ENGINE_DOCKER, 0));
	for (int i = 1; i < 50; i++)
		CHECK(!lookup_want(t, "abcdef012345", CGROUP_ENGINE_DOCKER, (uint64_t)i));
	char id[CGROUP_ID_MAX];
	uint64_t next;
	CHECK(lookup_take(t, 0, 50, id, &next));
	CHECK_STR(id, "abcdef012345");
	CHECK(!lookup_take(t, 0, 50, id, &next)); /* in flight: not handed out twice */
	CHECK(next == UINT64_MAX);
	CHECK(lookup_result(t, 0, id, false, 60));
	CHECK(!lookup_take(t, 0, 60, id, &next));
	CHECK_INT(next, 60 + LOOKUP_RETRY_FIRST_MS);
	lookup_stats s = lookup_get_stats(t);
	CHECK_INT(s.wanted, 1);
	CHECK_INT(s.attempts, 1);
	CHECK_INT(s.failed_rounds, 1);
	lookup_free(t);
}

TEST(retries_double_up_to_five_minutes)
{
	lookup_tracker* t = lookup_new();
	REQUIRE(t);
	lookup_engine_set(t, 0, CGROUP_ENGINE_DOCKER, true);
	lookup_want(t, "abcdef012345", CGROUP_ENGINE_DOCKER, 1000);
	uint64_t now = 1000, prev = 0, gaps[64];
	size_t n = 0;
	char id[CGROUP_ID_MAX];
	while (now < 1000 + HOUR_MS && n < 64) {
		uint64_t next;
		if (lookup_take(t, 0, now, id, &next)) {
			if (prev)
				gaps[n++] = now - prev;
			prev = now;
			lookup_result(t, 0, id, false, now);
			continue;
		}
		REQUIRE(next != UINT64_MAX);
		now = next;
		lookup_want(t, id, CGROUP_ENGINE_DOCKER, now); /* its processes stay */
	}
	REQUIRE(n > 14);
	CHECK_INT(gaps[0], LOOKUP_RETRY_FIRST_MS);
	for (size_t i = 1; i < n; i++) {
		uint64_t want = gaps[i - 1] * 2 > LOOKUP_RETRY_MAX_MS ? LOOKUP_RETRY_MAX_MS
		                                                      : gaps[i - 1] * 2;
		CHECK_INT(gaps[i], want);
	}
	CHECK_INT(gaps[n - 1], LOOKUP_RETRY_MAX_MS);
	lookup_free(t);
}

/*
 * 500 containers no engine knows, their processes seen every second for an
 * hour: after the first minute the engines get at most one lookup a second,
 * and every id is still asked now and then.
 */
TEST(unknown_ids_cost_at_most_one_lookup_a_second)
{
	enum { N = 500 };
	lookup_tracker* t = lookup_new();
	REQUIRE(t);
	lookup_engine_set(t, 0, CGROUP_ENGINE_DOCKER, true);
	static unsigned per_id_late[N];
	memset(per_id_late, 0, sizeof(per_id_late));
	uint64_t now = 0, next_seen = 0, total = 0, late = 0;
	char id[CGROUP_ID_MAX];
	while (now < HOUR_MS) {
		if (now >= next_seen) {
			for (int i = 0; i < N; i++) {
				id_of(id, i);
				lookup_want(t, id, CGROUP_ENGINE_DOCKER, now);
			}
			next_seen += 1000;
		}
		uint64_t next;
		while (lookup_take(t, 0, now, id, &next)) {
			total++;
			if (now >= MIN_MS) {
				late++;
				unsigned i;
				sscanf(id, "%x", &i);
				per_id_late[i - 0xabc00000u]++;
			}
			lookup_result(t, 0, id, false, now);
		}
		now = next < next_seen ? next : next_seen;
	}
	double rate = (double)late / ((HOUR_MS - MIN_MS) / 1000.0);
	unsigned least = per_id_late[0];
	for (int i = 1; i < N; i++)
		least = per_id_late[i] < least ? per_id_late[i] : least;
	printf("  %llu lookups in the hour, %llu after the first minute (%.3f/s); each id at least %u "
	       "times late\n",
	       (unsigned long long)total, (unsigned long long)late, rate, least);
	CHECK(rate <= 1.0);
	CHECK(least >= 2); /* the budget is shared, not taken by a few ids */
	lookup_stats s = lookup_get_stats(t);
	CHECK_INT(s.pending, N);
	CHECK_INT(s.attempts, total);
	CHECK_INT(s.not_found, total);
	CHECK_INT(s.retried, total - N); /* every round after an id's first is a retry */
	CHECK_INT(s.dropped, 0);
	lookup_free(t);
}

TEST(engines_of_the_hinted_kind_are_asked_first)
{
	lookup_tracker* t = lookup_new();
	REQUIRE(t);
	lookup_engine_set(t, 0, CGROUP_ENGINE_DOCKER, true);
	lookup_engine_set(t, 1, CGROUP_ENGINE_PODMAN, true);
	char id[CGROUP_ID_MAX];
	uint64_t next;
	lookup_want(t, "aaaaaaaaaaaa", CGROUP_ENGINE_PODMAN, 100);
	CHECK(!lookup_take(t, 0, 100, id, &next)); /* docker waits for podman's answer */
	CHECK_INT(next, 100 + LOOKUP_HINT_GRACE_MS);
	CHECK(lookup_take(t, 1, 100, id, &next));
	CHECK(lookup_result(t, 1, id, false, 110));
	CHECK(lookup_take(t, 0, 110, id, &next)); /* podman said no: docker's turn at once */
	CHECK_STR(id, "aaaaaaaaaaaa");
	CHECK(!lookup_result(t, 0, id, true, 120));

	/* A preferred engine that hangs holds the others back for the grace period only. */
	lookup_want(t, "bbbbbbbbbbbb", CGROUP_ENGINE_PODMAN, 1000);
	CHECK(lookup_take(t, 1, 1000, id, &next));
	CHECK_STR(id, "bbbbbbbbbbbb");
	CHECK(!lookup_take(t, 0, 1000 + LOOKUP_HINT_GRACE_MS - 1, id, &next));
	CHECK(lookup_take(t, 0, 1000 + LOOKUP_HINT_GRACE_MS, id, &next));
	CHECK_STR(id, "bbbbbbbbbbbb");
	CHECK(!lookup_result(t, 0, id, true, 1300)); /* found by docker */
	CHECK(!lookup_result(t, 1, id, false, 6000)); /* the hung answer comes late: ignored */
	CHECK_INT(lookup_get_stats(t).found, 2);
	lookup_free(t);
}

TEST(round_ends_when_an_engine_goes_down)
{
	lookup_tracker* t = lookup_new();
	REQUIRE(t);
	lookup_engine_set(t, 0, CGROUP_ENGINE_DOCKER, true);
	lookup_engine_set(t, 1, CGROUP_ENGINE_DOCKER, true);
	char id[CGROUP_ID_MAX];
	uint64_t next;
	lookup_want(t, "abcdef012345", CGROUP_ENGINE_DOCKER, 0);
	CHECK(lookup_take(t, 0, 0, id, &next));
	lookup_result(t, 0, id, false, 10);
	CHECK(!lookup_take(t, 0, 10, id, &next)); /* waits for engine 1 */
	lookup_engine_set(t, 1, CGROUP_ENGINE_DOCKER, false);
	CHECK(!lookup_take(t, 0, 10, id, &next));
	CHECK_INT(next, 10 + LOOKUP_RETRY_FIRST_MS);
	CHECK(lookup_take(t, 0, next, id, &next));
	lookup_free(t);
}

/* An id deep in its back-off that an engine lists (or an event brings) is answered at once. */
TEST(known_ids_are_not_looked_up)
{
	lookup_tracker* t = lookup_new();
	REQUIRE(t);
	lookup_engine_set(t, 0, CGROUP_ENGINE_DOCKER, true);
	char id[CGROUP_ID_MAX];
	lookup_want(t, "abcdef012345", CGROUP_ENGINE_DOCKER, 0);
	uint64_t now = 0, next = 0, at = 0;
	for (int round = 0; round < 14; round++) {
		lookup_want(t, "abcdef012345", CGROUP_ENGINE_DOCKER, now); /* its processes stay */
		REQUIRE(lookup_take(t, 0, now, id, &next));
		lookup_result(t, 0, id, LOOKUP_NOT_FOUND, now);
		REQUIRE(!lookup_take(t, 0, now, id, &next));
		at = now;
		now = next;
	}
	CHECK(next - at >= 60000); /* its next round is minutes away */
	CHECK_INT(lookup_get_stats(t).pending, 1);
	lookup_known(t, "abcdef012345"); /* an engine listed it meanwhile */
	CHECK_INT(lookup_get_stats(t).pending, 0); /* at once, not at its next round */
	CHECK(!lookup_take(t, 0, HOUR_MS, id, &next));
	CHECK(next == UINT64_MAX);
	CHECK_INT(lookup_get_stats(t).known, 1);
	CHECK_INT(lookup_get_stats(t).pending, 0);
	/* Seen again later (a new container reusing nothing but the id): asked again at once. */
	CHECK(lookup_want(t, "abcdef012345", CGROUP_ENGINE_DOCKER, HOUR_MS));
	CHECK(lookup_take(t, 0, HOUR_MS, id, NULL));
	lookup_free(t);
}

TEST(sets_are_bounded_and_idle_ids_expire)
{
	lookup_tracker* t = lookup_new();
	REQUIRE(t);
	lookup_engine_set(t, 0, CGROUP_ENGINE_DOCKER, true);
	char id[CGROUP_ID_MAX];
	for (int i = 0; i < LOOKUP_MAX_IDS + 76; i++) {
		id_of(id, i);
		lookup_want(t, id, CGROUP_ENGINE_DOCKER, (uint64_t)i);
		lookup_candidate_add(t, id, (uint64_t)i);
	}
	lookup_stats s = lookup_get_stats(t);
	CHECK_INT(s.pending, LOOKUP_MAX_IDS);
	CHECK_INT(s.dropped, 2 * 76);
	id_of(id, 76); /* still there, seen again */
	CHECK(!lookup_want(t, id, CGROUP_ENGINE_DOCKER, 5000));
	CHECK(lookup_candidate_confirm(t, id));
	CHECK(!lookup_candidate_confirm(t, id));
	id_of(id, 75); /* the least recently seen went first */
	CHECK(!lookup_candidate_confirm(t, id));
	CHECK(lookup_want(t, id, CGROUP_ENGINE_DOCKER, 5000)); /* new again: 77 makes room */
	CHECK_INT(lookup_get_stats(t).dropped, 2 * 76 + 1);
	/* Ten minutes without a process of theirs: forgotten, except the two seen at 5 s. */
	CHECK(lookup_take(t, 0, 5000 + LOOKUP_IDLE_MS - 1, id, NULL));
	s = lookup_get_stats(t);
	CHECK_INT(s.expired, LOOKUP_MAX_IDS - 2);
	CHECK_INT(s.pending, 2);
	lookup_free(t);
}

/* Each answer is counted by kind; a failure backs off like "unknown". */
TEST(outcomes_are_counted_and_failures_back_off)
{
	lookup_tracker* t = lookup_new();
	REQUIRE(t);
	lookup_engine_set(t, 0, CGROUP_ENGINE_DOCKER, true);
	char id[CGROUP_ID_MAX];
	uint64_t next;
	lookup_want(t, "aaaaaaaaaaaa", CGROUP_ENGINE_DOCKER, 0);
	lookup_want(t, "bbbbbbbbbbbb", CGROUP_ENGINE_DOCKER, 0);
	for (int i = 0; i < 2; i++) {
		REQUIRE(lookup_take(t, 0, 0, id, &next));
		lookup_result(t, 0, id, id[0] == 'a' ? LOOKUP_FAILED : LOOKUP_NOT_FOUND, 0);
	}
	CHECK(!lookup_take(t, 0, LOOKUP_RETRY_FIRST_MS - 1, id, &next));
	CHECK_INT(next, LOOKUP_RETRY_FIRST_MS); /* both wait the same first delay */
	for (int i = 0; i < 2; i++) {
		REQUIRE(lookup_take(t, 0, LOOKUP_RETRY_FIRST_MS, id, &next));
		lookup_result(t, 0, id, id[0] == 'a' ? LOOKUP_FOUND : LOOKUP_FAILED, 40);
	}
	lookup_stats s = lookup_get_stats(t);
	CHECK_INT(s.attempts, 4);
	CHECK_INT(s.found, 1);
	CHECK_INT(s.not_found, 1);
	CHECK_INT(s.failed, 2);
	CHECK_INT(s.retried, 2);
	CHECK_INT(s.pending, 1); /* the found one left */
	CHECK(!lookup_take(t, 0, 40 + 2 * LOOKUP_RETRY_FIRST_MS - 1, id, &next));
	CHECK_INT(next, 40 + 2 * LOOKUP_RETRY_FIRST_MS); /* doubled after the failure */
	lookup_free(t);
}

/* Ids seen while no engine was up are all asked as soon as one is, whatever their age. */
TEST(ids_waiting_for_an_engine_are_asked_when_it_comes_up)
{
	lookup_tracker* t = lookup_new();
	REQUIRE(t);
	char id[CGROUP_ID_MAX];
	for (int i = 0; i < 100; i++) {
		id_of(id, i);
		lookup_want(t, id, CGROUP_ENGINE_DOCKER, (uint64_t)i);
	}
	uint64_t next;
	CHECK(!lookup_take(t, 0, 20000, id, &next)); /* slot 0 is not up (nor is any) */
	lookup_engine_set(t, 0, CGROUP_ENGINE_DOCKER, true);
	int asked = 0;
	while (lookup_take(t, 0, 20000, id, &next))
		asked++;
	CHECK_INT(asked, 100);
	lookup_free(t);
}

TEST_MAIN(T(ids_waiting_for_an_engine_are_asked_when_it_comes_up), T(repeated_wants_ask_once), T(retries_double_up_to_five_minutes),
          T(unknown_ids_cost_at_most_one_lookup_a_second),
          T(engines_of_the_hinted_kind_are_asked_first), T(round_ends_when_an_engine_goes_down),
          T(known_ids_are_not_looked_up), T(sets_are_bounded_and_idle_ids_expire),
          T(outcomes_are_counted_and_failures_back_off))
