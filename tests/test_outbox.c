/*
 * The outbox (plugin/outbox.c): container events the host refused are kept
 * and sent again with backoff until it takes them, the latest event of a
 * container supersedes the one waiting, and the outbox is bounded.
 */
#include <stdio.h>
#include <string.h>

#include "async.h"
#include "outbox.h"
#include "scap_events.h"
#include "test.h"

/* A host handler that refuses its first `refuse` events and remembers the others. */
static struct {
	int refuse;
	int calls, accepted;
	char last_name[64];
	char last_json[512];
} h;

static ss_plugin_rc handler(ss_plugin_owner_t* o, const ss_plugin_event* evt, char* err)
{
	(void)o;
	h.calls++;
	if (h.refuse != 0) {
		h.refuse -= h.refuse > 0;
		snprintf(err, PLUGIN_MAX_ERRLEN, "queue full");
		return SS_PLUGIN_FAILURE;
	}
	const char* name;
	const uint8_t* data;
	uint32_t len;
	if (scap_event_param_str(evt, 1, &name, NULL) && scap_event_param(evt, 2, &data, &len)) {
		snprintf(h.last_name, sizeof(h.last_name), "%s", name);
		snprintf(h.last_json, sizeof(h.last_json), "%.*s", (int)len, (const char*)data);
	}
	h.accepted++;
	return SS_PLUGIN_SUCCESS;
}

static ctr_record* record(const char* id)
{
	ctr_record* r = ctr_record_new();
	ctr_str_set(&r->id, id);
	ctr_str_set(&r->name, "web");
	ctr_record_finalize(r);
	return r;
}

static outbox* setup(async_emitter* a, int refuse)
{
	memset(&h, 0, sizeof(h));
	h.refuse = refuse;
	async_init(a);
	async_set_handler(a, NULL, handler);
	return outbox_new(a);
}

static void teardown(async_emitter* a, outbox* o)
{
	outbox_free(o);
	async_set_handler(a, NULL, NULL);
	async_destroy(a);
}

TEST(refused_event_is_sent_again_until_taken)
{
	async_emitter a;
	outbox* o = setup(&a, 3);
	REQUIRE(o);
	ctr_record* r = record("abcdef012345");
	CHECK(outbox_send(o, ASYNC_EVT_CONTAINER, r, 1000));
	ctr_record_unref(r); /* the outbox keeps its own reference */
	CHECK_INT(outbox_get_stats(o).pending, 1);
	CHECK_INT(outbox_flush(o, 1000), 1000 + OUTBOX_RETRY_FIRST_MS); /* not due yet */
	CHECK_INT(h.calls, 1);
	/* Backoff: 50 ms, then 100, then 200. */
	CHECK_INT(outbox_flush(o, 1050), 1150);
	CHECK_INT(outbox_flush(o, 1150), 1350);
	CHECK_INT(h.accepted, 0);
	CHECK(outbox_flush(o, 1350) == UINT64_MAX);
	CHECK_INT(h.accepted, 1);
	CHECK_STR(h.last_name, ASYNC_EVT_CONTAINER);
	CHECK(strstr(h.last_json, "abcdef012345") != NULL);
	outbox_stats s = outbox_get_stats(o);
	CHECK_INT(s.refused, 3);
	CHECK_INT(s.delivered_late, 1);
	CHECK_INT(s.pending, 0);
	teardown(&a, o);
}

TEST(backoff_stops_doubling_at_its_cap)
{
	async_emitter a;
	outbox* o = setup(&a, -1); /* refuses everything */
	REQUIRE(o);
	ctr_record* r = record("abcdef012345");
	outbox_send(o, ASYNC_EVT_CONTAINER, r, 0);
	ctr_record_unref(r);
	uint64_t now = 0, next, gap = 0;
	for (int i = 0; i < 20; i++) {
		next = outbox_flush(o, now);
		gap = next - now;
		now = next;
	}
	CHECK_INT(gap, OUTBOX_RETRY_MAX_MS);
	teardown(&a, o);
}

TEST(removal_supersedes_the_waiting_addition)
{
	async_emitter a;
	outbox* o = setup(&a, 1);
	REQUIRE(o);
	ctr_record* r = record("abcdef012345");
	CHECK(outbox_send(o, ASYNC_EVT_CONTAINER, r, 0)); /* refused: waits */
	/* Sent while the addition waits: queued behind it, even though the host would take it. */
	CHECK(outbox_send(o, ASYNC_EVT_REMOVED, r, 10));
	CHECK_INT(h.calls, 1);
	CHECK_INT(outbox_get_stats(o).pending, 1);
	CHECK_INT(outbox_get_stats(o).replaced, 1);
	outbox_flush(o, 100);
	CHECK_INT(h.accepted, 1);
	CHECK_STR(h.last_name, ASYNC_EVT_REMOVED);
	ctr_record_unref(r);
	teardown(&a, o);
}

TEST(outbox_is_bounded)
{
	async_emitter a;
	outbox* o = setup(&a, -1);
	REQUIRE(o);
	char id[32];
	bool all = true;
	for (int i = 0; i < OUTBOX_CAP; i++) {
		snprintf(id, sizeof(id), "%012d", i);
		ctr_record* r = record(id);
		all &= outbox_send(o, ASYNC_EVT_CONTAINER, r, 0);
		ctr_record_unref(r);
	}
	CHECK(all);
	ctr_record* r = record("onetoomany00");
	CHECK(!outbox_send(o, ASYNC_EVT_CONTAINER, r, 0));
	ctr_record_unref(r);
	outbox_stats s = outbox_get_stats(o);
	CHECK_INT(s.pending, OUTBOX_CAP);
	CHECK_INT(s.dropped, 1);
	teardown(&a, o);
}

TEST_MAIN(T(refused_event_is_sent_again_until_taken), T(backoff_stops_doubling_at_its_cap),
          T(removal_supersedes_the_waiting_addition), T(outbox_is_bounded))
