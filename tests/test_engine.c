/*
 * What every engine kind shares (plugin/engines/engine.c): the bounded event
 * queue that turns a burst into a re-list, and the `known` set that follows
 * what the host was told, so that a lost event is reported again.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "inspect.h"
#include "test.h"

#define ID "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"

typedef struct ev {
	int n;
	char* s;
} ev;

static int handled, freed;

static void handle(engine* e, void* item)
{
	(void)e;
	handled += ((ev*)item)->n;
}

static void ev_free(void* item)
{
	free(((ev*)item)->s);
	freed++;
}

TEST(queue_keeps_a_burst_bounded_and_asks_for_a_relist)
{
	engine_queue q;
	engine_queue_init(&q, sizeof(ev));
	handled = freed = 0;
	for (int i = 0; i < ENGINE_QUEUE_MAX + 10; i++) {
		ev* slot = engine_queue_slot(&q);
		if (!slot)
			continue;
		CHECK(slot->n == 0 && slot->s == NULL); /* zeroed */
		slot->n = 1;
		slot->s = strdup("x");
		engine_queue_commit(&q);
	}
	CHECK(engine_queue_drain(&q, NULL, handle, ev_free)); /* 10 lost: re-list */
	CHECK_INT(handled, ENGINE_QUEUE_MAX);
	CHECK_INT(freed, ENGINE_QUEUE_MAX);
	ev* slot = engine_queue_slot(&q);
	REQUIRE(slot);
	slot->n = 5;
	engine_queue_commit(&q);
	CHECK(!engine_queue_drain(&q, NULL, handle, NULL)); /* nothing lost since */
	CHECK_INT(handled, ENGINE_QUEUE_MAX + 5);
	slot = engine_queue_slot(&q);
	slot->s = strdup("left"); /* queued, never drained: freed with the queue */
	engine_queue_commit(&q);
	engine_queue_free(&q, ev_free);
	CHECK_INT(freed, ENGINE_QUEUE_MAX + 1);
}

/* A host that takes events or not. */
static bool accept_events;
static int reports;

static bool on_report(void* arg, engine_report what, const ctr_record* r)
{
	(void)arg, (void)what, (void)r;
	reports++;
	return accept_events;
}

static int no_attach(engine* e)
{
	(void)e;
	return -1;
}

static void nothing(engine* e)
{
	(void)e;
}

static const engine_ops ops = {.kind = "test", .attach = no_attach, .destroy = nothing};

static bool gone(engine* e, const char* id)
{
	return engine_report_removed(e, CTR_TYPE_DOCKER, id);
}

TEST(known_follows_what_the_host_was_told)
{
	config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.host_root = (char*)"";
	atomic_bool cancel = false;
	engine_env env = {&cancel, &cfg, NULL, on_report, NULL, NULL, NULL};
	engine* e = engine_new(&ops, &env, "/nowhere", NULL);
	REQUIRE(e);
	idset known, listed;
	idset_init(&known);
	idset_init(&listed);
	ctr_record* r = inspect_minimal(CTR_TYPE_DOCKER, ID, "");
	accept_events = false;
	CHECK(!engine_report_known(e, &known, ID, ENGINE_REPORT_ADDED, r));
	CHECK(!idset_get(&known, ID, NULL)); /* lost: a listing announces it again */
	accept_events = true;
	CHECK(engine_report_known(e, &known, ID, ENGINE_REPORT_ADDED, r));
	CHECK(idset_get(&known, ID, NULL));
	/* It vanished from a listing; the host refuses the removal: it stays known... */
	accept_events = false;
	engine_reconcile(e, &known, &listed, gone);
	CHECK(idset_get(&known, ID, NULL));
	/* ...and the next listing reports it removed again. */
	accept_events = true;
	reports = 0;
	engine_reconcile(e, &known, &listed, gone);
	CHECK_INT(reports, 1);
	CHECK(!idset_get(&known, ID, NULL));
	ctr_record_unref(r);
	idset_free(&known);
	idset_free(&listed);
	engine_free(e);
}

TEST_MAIN(T(queue_keeps_a_burst_bounded_and_asks_for_a_relist),
          T(known_follows_what_the_host_was_told))
