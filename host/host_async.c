/*
 * Async events (docs/abi.md "Async events"): the thread-safe handler given to the
 * plugin, the bounded queue it fills, delivery to parse on the event thread,
 * and dump_state (docs/abi.md "State dump").
 *
 * Only the queue (under async_mu), the counters (atomics) and data frozen
 * after loading (async names and sources) are touched from plugin threads.
 */
#include "host_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scap_events.h"

#define HOST_ASYNC_MAX_FUTURE_NS (10ull * 1000000000ull)

static uint64_t host_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int host_async_setup(host* h)
{
	h->queue = calloc(HOST_ASYNC_QUEUE_CAP, sizeof(*h->queue));
	if (!h->queue)
		return -1;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	/* host_wait_async measures its timeout on a clock that does not jump. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->async_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&h->async_mu, NULL);
	pthread_mutex_init(&h->dump_mu, NULL);
	atomic_init(&h->async_on, false);
	atomic_init(&h->async_accepted, 0);
	atomic_init(&h->async_dropped, 0);
	atomic_init(&h->async_refuse, 0);
	return 0;
}

void host_async_teardown(host* h)
{
	if (!h->queue)
		return;
	for (size_t i = 0; i < h->qcount; i++)
		free(h->queue[(h->qhead + i) % HOST_ASYNC_QUEUE_CAP]);
	free(h->queue);
	h->queue = NULL;
	pthread_cond_destroy(&h->async_cv);
	pthread_mutex_destroy(&h->async_mu);
	pthread_mutex_destroy(&h->dump_mu);
}

static bool host_strlist_has(const host_strlist* l, const char* s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

/*
 * The checks of docs/abi.md "Async events", in libsinsp's order (shape, then
 * name). Returns NULL when the
 * event is acceptable, else the reason (possibly formatted into buf).
 */
static const char* host_async_invalid(const host* h, const ss_plugin_event* evt, char* buf,
                                      size_t buflen)
{
	if (!evt)
		return "NULL async event";
	ss_plugin_event hdr;
	memcpy(&hdr, evt, sizeof(hdr));
	if (hdr.type != PPME_ASYNCEVENT_E || hdr.nparams != 3)
		return "malformed async event: expected type 402 with 3 parameters";
	if (hdr.len <= EVT_ASYNC_HDR_LEN)
		return "malformed async event: shorter than its fixed part";
	uint32_t lens[3];
	memcpy(lens, (const uint8_t*)evt + sizeof(hdr), sizeof(lens));
	if (lens[0] != sizeof(uint32_t))
		return "malformed async event: plugin id is not 4 bytes";
	if ((uint64_t)EVT_ASYNC_HDR_LEN + lens[1] + lens[2] != hdr.len)
		return "malformed async event: parameter lengths do not add up to len";
	const char* name = (const char*)evt + EVT_ASYNC_HDR_LEN;
	if (lens[1] == 0 || !memchr(name, '\0', lens[1]))
		return "malformed async event: name is not NUL-terminated";
	if (!host_strlist_has(&h->async_names, name)) {
		snprintf(buf, buflen, "async event name '%s' is not declared by plugin '%s'", name,
		         h->name);
		return buf;
	}
	return NULL;
}

static ss_plugin_rc host_async_reject(char* err, const char* why)
{
	if (err)
		snprintf(err, PLUGIN_MAX_ERRLEN, "%s", why);
	return SS_PLUGIN_FAILURE;
}

/*
 * Queues an owned copy (freed when the queue is full). Counted under the lock
 * so that a waiter woken by this event already sees it accepted.
 */
static void host_async_push(host* h, ss_plugin_event* copy)
{
	pthread_mutex_lock(&h->async_mu);
	bool ok = h->qcount < HOST_ASYNC_QUEUE_CAP;
	if (ok) {
		h->queue[(h->qhead + h->qcount) % HOST_ASYNC_QUEUE_CAP] = copy;
		h->qcount++;
		atomic_fetch_add(&h->async_accepted, 1);
		pthread_cond_signal(&h->async_cv);
	} else {
		atomic_fetch_add(&h->async_dropped, 1);
	}
	pthread_mutex_unlock(&h->async_mu);
	if (!ok)
		free(copy);
}

ss_plugin_rc host_async_handler(ss_plugin_owner_t* o, const ss_plugin_event* evt, char* err)
{
	host* h = o;
	char why[PLUGIN_MAX_ERRLEN];
	if (!h)
		return host_async_reject(err, "NULL owner");
	if (!atomic_load(&h->async_on))
		return host_async_reject(err, "async events are disabled (no live capture)");
	for (uint_fast64_t n = atomic_load(&h->async_refuse); n > 0;)
		if (atomic_compare_exchange_weak(&h->async_refuse, &n, n - 1))
			return host_async_reject(err, "refused on purpose (host_refuse_async)");
	const char* bad = host_async_invalid(h, evt, why, sizeof(why));
	if (bad)
		return host_async_reject(err, bad);
	if (!host_sources_compatible(&h->async_sources, "syscall"))
		return host_async_reject(err, "the plugin's async sources exclude 'syscall'");
	/* Silent drops (docs/abi.md "Async events"): too far in the future, or queue full. */
	if (evt->ts != UINT64_MAX && evt->ts > host_now_ns() + HOST_ASYNC_MAX_FUTURE_NS) {
		atomic_fetch_add(&h->async_dropped, 1);
		return SS_PLUGIN_SUCCESS;
	}
	ss_plugin_event* copy = malloc(evt->len);
	if (!copy)
		return host_async_reject(err, "out of memory");
	memcpy(copy, evt, evt->len);
	/* plugin_id of the open source: 0 for syscall. */
	memset((uint8_t*)copy + PLUGIN_EVENT_PAYLOAD_OFFSET, 0, sizeof(uint32_t));
	host_async_push(h, copy);
	return SS_PLUGIN_SUCCESS;
}

/* NAME was validated on arrival: one of async_names. */
static void host_async_count(host* h, const char* name)
{
	if (!h->async_delivered)
		h->async_delivered = calloc(h->async_names.n ? h->async_names.n : 1, sizeof(uint64_t));
	for (size_t i = 0; h->async_delivered && i < h->async_names.n; i++)
		if (!strcmp(h->async_names.v[i], name))
			h->async_delivered[i]++;
}

uint64_t host_async_delivered(const host* h, const char* name)
{
	for (size_t i = 0; h->async_delivered && i < h->async_names.n; i++)
		if (!strcmp(h->async_names.v[i], name))
			return h->async_delivered[i];
	return 0;
}

static ss_plugin_event* host_async_pop(host* h)
{
	pthread_mutex_lock(&h->async_mu);
	ss_plugin_event* e = NULL;
	if (h->qcount > 0) {
		e = h->queue[h->qhead];
		h->qhead = (h->qhead + 1) % HOST_ASYNC_QUEUE_CAP;
		h->qcount--;
	}
	pthread_mutex_unlock(&h->async_mu);
	return e;
}

void host_set_async_observer(host* h, host_event_fn fn, void* arg)
{
	h->async_observer = fn;
	h->async_observer_arg = arg;
}

size_t host_drain_async(host* h)
{
	pthread_mutex_lock(&h->async_mu);
	/* Bounded by what is queued now, so a busy producer cannot keep us here. */
	size_t todo = h->qcount;
	pthread_mutex_unlock(&h->async_mu);
	size_t n = 0;
	for (; n < todo; n++) {
		ss_plugin_event* e = host_async_pop(h);
		if (!e)
			break;
		if (h->async_observer)
			h->async_observer(h->async_observer_arg, e);
		if (e->ts == UINT64_MAX)
			e->ts = host_now_ns(); /* stamped on delivery (docs/abi.md "Async events") */
		host_async_count(h, (const char*)e + EVT_ASYNC_HDR_LEN);
		host_feed_one(h, e);
		free(e);
	}
	return n;
}

bool host_wait_async(host* h, int timeout_ms)
{
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	if (timeout_ms > 0) {
		dl.tv_sec += timeout_ms / 1000;
		dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&h->async_mu);
	while (h->qcount == 0 && timeout_ms > 0)
		if (pthread_cond_timedwait(&h->async_cv, &h->async_mu, &dl) == ETIMEDOUT)
			break;
	bool ready = h->qcount > 0;
	pthread_mutex_unlock(&h->async_mu);
	return ready;
}

uint64_t host_async_accepted(const host* h)
{
	return atomic_load(&((host*)h)->async_accepted);
}

/* ---- dump_state ---- */

/* Verbatim: nothing is rewritten for dumped events (docs/abi.md "State dump"). */
static ss_plugin_rc host_dump_handler(ss_plugin_owner_t* o, const ss_plugin_event* evt, char* err)
{
	host* h = o;
	char why[PLUGIN_MAX_ERRLEN];
	if (!h)
		return host_async_reject(err, "NULL owner");
	for (uint_fast64_t n = atomic_load(&h->async_refuse); n > 0;)
		if (atomic_compare_exchange_weak(&h->async_refuse, &n, n - 1))
			return host_async_reject(err, "refused on purpose (host_refuse_async)");
	const char* bad = host_async_invalid(h, evt, why, sizeof(why));
	if (bad)
		return host_async_reject(err, bad);
	pthread_mutex_lock(&h->dump_mu);
	host_event_fn fn = h->dump_fn;
	if (fn)
		fn(h->dump_arg, evt);
	pthread_mutex_unlock(&h->dump_mu);
	return fn ? SS_PLUGIN_SUCCESS : host_async_reject(err, "dump_state has already returned");
}

static void host_dump_discard(void* arg, const ss_plugin_event* evt)
{
	(void)arg;
	(void)evt;
}

static void host_dump_set(host* h, host_event_fn fn, void* arg)
{
	pthread_mutex_lock(&h->dump_mu);
	h->dump_fn = fn;
	h->dump_arg = arg;
	pthread_mutex_unlock(&h->dump_mu);
}

int host_dump_state(host* h, host_event_fn fn, void* arg)
{
	if (!h->inited)
		return host_fail(h, "plugin is not initialized");
	/* Optional symbol: absent means nothing to dump (docs/abi.md "State dump"). */
	if (!(h->caps & HOST_CAP_ASYNC) || !h->api.dump_state)
		return 0;
	host_dump_set(h, fn ? fn : host_dump_discard, arg);
	ss_plugin_rc rc = h->api.dump_state(h->state, h, host_dump_handler);
	host_dump_set(h, NULL, NULL);
	if (rc == SS_PLUGIN_SUCCESS)
		return 0;
	const char* e = h->api.get_last_error(h->state);
	return host_fail(h, "plugin '%s' dump_state failed: %s", h->name, e ? e : "");
}

void host_refuse_async(host* h, unsigned n)
{
	atomic_store(&h->async_refuse, n);
}
