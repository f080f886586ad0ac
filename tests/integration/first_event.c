/*
 * first_event.h: the engine is driven from a launcher thread while this
 * thread is the host's event thread (connector reports and async events).
 * What each parse saw is recorded by cgroup path, since the id of a container
 * is known only once its launch returned, after its first events; events are
 * attributed to containers at the end.
 */
#include "first_event.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host.h"
#include "itest.h"
#include "itest_cri.h"
#include "scap_events.h"

/* After the last launch: time for the last containers' execs and records. */
#define SETTLE_MS 3000
#define RECORD_WAIT_MS 15000
#define CG_TAIL 160
#define ID_MAX 80

/* The workload: three execs right away, then a pid 1 that stays (its exit
 * would remove the record). */
static const char* const workload[] = {
    "/bin/busybox", "sh", "-c",
    "/bin/busybox true; /bin/busybox true; /bin/busybox cat /etc/hostname >/dev/null 2>&1; "
    "exec /bin/busybox sleep 3600",
    NULL};

/* One fork or execve of a (likely) container process, as parsed. */
typedef struct fe_seen {
	uint64_t mono_ns, feed_ns;
	bool exec, busybox, id_set, meta;
	char cg[CG_TAIL]; /* the end of its pids cgroup path */
} fe_seen;

/* A record's first arrival at the plugin's parse. */
typedef struct fe_record {
	char id[ID_MAX];
	uint64_t mono_ns;
} fe_record;

typedef struct fe_ctr {
	char key[ID_MAX];  /* the id (cache key): full id, or the containerd name */
	char cg[ID_MAX];   /* what its cgroup path contains */
	double launch_ms;
} fe_ctr;

typedef struct fe_run {
	const char* engine;
	const char* extra;
	int n;
	itest_session s;
	itest_cri cri;
	fe_ctr* ctrs;
	atomic_int launched; /* ctrs[0..launched) are written */
	atomic_bool done;
	fe_seen* seen;
	size_t nseen, capseen;
	fe_record* recs;
	size_t nrecs, caprecs;
} fe_run;

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool grow(void** v, size_t* cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? *cap * 2 : 256;
	void* p = realloc(*v, c * size);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

/* ------------------------------------------------------------ launching */

static bool is_cri(const char* engine)
{
	return !strcmp(itest_engine_kind(engine), "cri");
}

static bool launch_cli(fe_run* run, int i, fe_ctr* c)
{
	char name[32];
	snprintf(name, sizeof(name), "fe-%04d", i);
	const char* w[4] = {workload[0], workload[1], workload[2], workload[3]};
	char* out = NULL;
	int rc;
	const char* kind = itest_engine_kind(run->engine);
	if (!strcmp(kind, "docker"))
		rc = itest_engines_sh(&out, "cli", run->engine, run->s.t, "run", "-d", "--network",
		                      "none", "--name", name, "localhost/app:1.0", w[0], w[1], w[2],
		                      w[3], NULL);
	else if (!strcmp(kind, "podman"))
		rc = itest_engines_sh(&out, "cli", run->engine, run->s.t, "run", "-d", "--name", name,
		                      "localhost/app:1.0", w[0], w[1], w[2], w[3], NULL);
	else
		rc = itest_engines_sh(&out, "cli", run->engine, run->s.t, "run", "--snapshotter",
		                      "native", "-d", "localhost/app:1.0", name, w[0], w[1], w[2],
		                      w[3], NULL);
	bool ok = rc == 0;
	if (ok && strcmp(kind, "containerd")) {
		const char* id = out ? strrchr(out, '\n') : NULL; /* the last line (pulls print first) */
		id = id ? id + 1 : out;
		ok = id && strlen(id) == 64;
		if (ok) {
			snprintf(c->key, sizeof(c->key), "%s", id);
			snprintf(c->cg, sizeof(c->cg), "%s", id);
		}
	} else if (ok) {
		snprintf(c->key, sizeof(c->key), "%s", name);
		snprintf(c->cg, sizeof(c->cg), "/default/%s", name);
	}
	if (!ok)
		fprintf(stderr, "  %s run %s failed: %s\n", run->engine, name, out ? out : "");
	free(out);
	return ok;
}

static bool launch_cri(fe_run* run, int i, fe_ctr* c)
{
	char name[32];
	snprintf(name, sizeof(name), "fe-%04d", i);
	char* id = itest_cri_create_start(&run->cri, name, workload, NULL);
	if (id) {
		snprintf(c->key, sizeof(c->key), "%s", id);
		snprintf(c->cg, sizeof(c->cg), "%s", id);
	}
	free(id);
	return id != NULL;
}

static void* launcher(void* arg)
{
	fe_run* run = arg;
	for (int i = 0; i < run->n; i++) {
		fe_ctr* c = &run->ctrs[atomic_load(&run->launched)];
		uint64_t t0 = mono_ns();
		bool ok = is_cri(run->engine) ? launch_cri(run, i, c) : launch_cli(run, i, c);
		c->launch_ms = (double)(mono_ns() - t0) / 1e6;
		if (ok)
			atomic_fetch_add(&run->launched, 1);
	}
	atomic_store(&run->done, true);
	return NULL;
}

/* ------------------------------------------------------------ the event thread */

/* The end of the pids (else the first) cgroup path of an event. */
static void cg_tail(const ss_plugin_event* e, char* out)
{
	const uint8_t* d;
	uint32_t l;
	out[0] = '\0';
	if (!scap_event_param(e, EVT_P_CGROUPS, &d, &l))
		return;
	const char* pick = NULL;
	for (const char* p = (const char*)d; p < (const char*)d + l; p += strlen(p) + 1) {
		if (!pick)
			pick = p;
		if (!strncmp(p, "pids=", 5)) {
			pick = p;
			break;
		}
	}
	const char* path = pick ? strchr(pick, '=') : NULL;
	if (!path)
		return;
	size_t n = strlen(++path);
	snprintf(out, CG_TAIL, "%s", n >= CG_TAIL ? path + n - (CG_TAIL - 1) : path);
}

static bool nonempty(const char* v)
{
	return v && *v;
}

static void on_event(void* arg, host* h, const proc_events_seen* seen)
{
	fe_run* run = arg;
	if (seen->kind == PROC_EVENTS_EXIT)
		return;
	const char* id = host_extract_str(h, seen->event, "container.id");
	bool id_set = nonempty(id) && strcmp(id, "host");
	char cg[CG_TAIL];
	cg_tail(seen->event, cg);
	/* containerd's /default/<name> is a candidate without an id until confirmed */
	if (!id_set && !strstr(cg, "/default/"))
		return;
	if (!grow((void**)&run->seen, &run->capseen, run->nseen, sizeof(*run->seen)))
		return;
	fe_seen* s = &run->seen[run->nseen++];
	*s = (fe_seen){.mono_ns = seen->mono_ns, .feed_ns = seen->feed_ns,
	               .exec = seen->kind == PROC_EVENTS_EXEC, .id_set = id_set};
	memcpy(s->cg, cg, sizeof(cg));
	const char* exe = NULL;
	s->busybox = scap_event_param_str(seen->event, 27, &exe, NULL) && strstr(exe, "busybox");
	if (s->exec) {
		s->meta = nonempty(host_extract_str(h, seen->event, "container.name")) &&
		          nonempty(host_extract_str(h, seen->event, "container.image"));
	}
}

/* Async "container" events: when each record first reached parse. */
static void on_async(void* arg, const ss_plugin_event* evt)
{
	fe_run* run = arg;
	const uint8_t* d;
	uint32_t l;
	if (!itest_container_event(evt, &d, &l))
		return;
	json_t* doc = json_loadb((const char*)d, l, 0, NULL);
	const char* id = json_string_value(json_object_get(json_object_get(doc, "container"), "id"));
	for (size_t i = 0; id && i < run->nrecs; i++)
		if (!strcmp(run->recs[i].id, id))
			id = NULL; /* seen before */
	if (id && grow((void**)&run->recs, &run->caprecs, run->nrecs, sizeof(*run->recs))) {
		snprintf(run->recs[run->nrecs].id, ID_MAX, "%s", id);
		run->recs[run->nrecs++].mono_ns = mono_ns();
	}
	json_decref(doc);
}

/* The record of container key (ids compare on their first 12 characters). */
static const fe_record* record_of(const fe_run* run, const char* key)
{
	for (size_t i = 0; i < run->nrecs; i++)
		if (!strncmp(run->recs[i].id, key, 12))
			return &run->recs[i];
	return NULL;
}

static bool all_recorded(const fe_run* run)
{
	int n = atomic_load(&run->launched);
	for (int i = 0; i < n; i++)
		if (!record_of(run, run->ctrs[i].key))
			return false;
	return true;
}

static int pump(fe_run* run, proc_events* pe)
{
	uint64_t settle = 0, end = 0;
	for (;;) {
		if (proc_events_pump(pe, run->s.h, 50, on_event, run) < 0)
			return -1;
		if (!atomic_load(&run->done))
			continue;
		uint64_t now = mono_ns();
		if (!settle) {
			settle = now + SETTLE_MS * 1000000ull;
			end = now + RECORD_WAIT_MS * 1000000ull;
		}
		if ((now >= settle && all_recorded(run)) || now >= end)
			return 0;
	}
}

/* ------------------------------------------------------------ figures */

static int cmp_double(const void* a, const void* b)
{
	double x = *(const double*)a, y = *(const double*)b;
	return x < y ? -1 : x > y;
}

static double pct(const double* v, int n, int p)
{
	int i = (n * p + 99) / 100 - 1;
	return v[i < 0 ? 0 : i];
}

static void figures(const fe_run* run, first_event_result* r)
{
	int n = atomic_load(&run->launched);
	double* delays = calloc((size_t)n + 1, sizeof(double));
	double* launches = calloc((size_t)n + 1, sizeof(double));
	double* parses = calloc((size_t)n + 1, sizeof(double));
	int nparses = 0;
	r->started = n;
	for (int i = 0; i < n && delays && launches && parses; i++) {
		const fe_ctr* c = &run->ctrs[i];
		launches[i] = c->launch_ms;
		uint64_t first = 0;
		bool seen_exec = false, seen_id = false;
		for (size_t k = 0; k < run->nseen; k++) {
			const fe_seen* s = &run->seen[k];
			if (!strstr(s->cg, c->cg))
				continue;
			if (!first || s->mono_ns < first)
				first = s->mono_ns;
			if (s->id_set && !seen_id)
				parses[nparses++] = (double)s->feed_ns / 1e3;
			seen_id |= s->id_set;
			if (!s->exec || !s->busybox)
				continue;
			r->execs++;
			r->execs_id += s->id_set;
			r->execs_meta += s->meta;
			if (!seen_exec)
				r->ctrs_first_meta += s->meta;
			seen_exec = true;
		}
		r->ctrs_seen += seen_exec;
		const fe_record* rec = record_of(run, c->key);
		r->ctrs_record += rec != NULL;
		if (rec && first)
			delays[r->ctrs_delay++] = ((double)rec->mono_ns - (double)first) / 1e6;
	}
	if (r->ctrs_delay) {
		qsort(delays, (size_t)r->ctrs_delay, sizeof(double), cmp_double);
		r->delay_p50_ms = pct(delays, r->ctrs_delay, 50);
		r->delay_p90_ms = pct(delays, r->ctrs_delay, 90);
		r->delay_max_ms = delays[r->ctrs_delay - 1];
	}
	if (n) {
		qsort(launches, (size_t)n, sizeof(double), cmp_double);
		r->launch_p50_ms = pct(launches, n, 50);
	}
	if (nparses) {
		qsort(parses, (size_t)nparses, sizeof(double), cmp_double);
		r->first_parse_p50_us = pct(parses, nparses, 50);
		r->first_parse_p99_us = pct(parses, nparses, 99);
	}
	free(delays);
	free(launches);
	free(parses);
}

void first_event_print(const first_event_result* r)
{
	double pm = r->execs ? 100.0 * (double)r->execs_meta / (double)r->execs : 0;
	double pi = r->execs ? 100.0 * (double)r->execs_id / (double)r->execs : 0;
	char label[128];
	snprintf(label, sizeof(label), "%s%s%s%s", r->engine, r->extra ? " {" : "",
	         r->extra ? r->extra : "", r->extra ? "}" : "");
	printf("%-10s %3d/%-3d containers, %4llu execve parsed: %5.1f%% with name+image, %5.1f%% "
	       "with id; first execve with name+image in %d/%d; first process -> record "
	       "(%d): median %.0f ms, p90 %.0f ms, max %.0f ms; first parse with the new id "
	       "p50 %.0f us, p99 %.0f us; launch %.0f ms; connector: %llu gone, %llu overruns\n",
	       label, r->started, r->asked, (unsigned long long)r->execs, pm, pi,
	       r->ctrs_first_meta, r->ctrs_seen, r->ctrs_delay, r->delay_p50_ms, r->delay_p90_ms,
	       r->delay_max_ms, r->first_parse_p50_us, r->first_parse_p99_us, r->launch_p50_ms,
	       (unsigned long long)r->stats.gone,
	       (unsigned long long)r->stats.overruns);
	fflush(stdout);
}

/* ------------------------------------------------------------ a run */

/* "cri" and "cri13" are containerd's and containerd13's CRI. */
static const char* daemon_of(const char* engine)
{
	return !strcmp(engine, "cri") ? "containerd" : !strcmp(engine, "cri13") ? "containerd13" : engine;
}

/* Plugin attached, pod ready (CRI), launcher running: the measured part. */
static int measure(fe_run* run, proc_events* pe, first_event_result* r, char* why,
                   size_t why_size)
{
	if (!itest_open_plugin(&run->s, run->engine, run->extra)) {
		snprintf(why, why_size, "%s: the plugin did not open", run->engine);
		return -1;
	}
	if (is_cri(run->engine)) {
		itest_cri_init(&run->cri, run->s.sock, run->s.t);
		if (!itest_cri_run_pod(&run->cri)) {
			snprintf(why, why_size, "cri: RunPodSandbox failed");
			return -1;
		}
	}
	proc_events_pump(pe, run->s.h, 500, NULL, NULL); /* the pod's and engine's own start */
	host_set_async_observer(run->s.h, on_async, run);
	pthread_t th;
	if (pthread_create(&th, NULL, launcher, run)) {
		snprintf(why, why_size, "cannot start the launcher thread");
		return -1;
	}
	int rc = pump(run, pe);
	pthread_join(th, NULL);
	host_set_async_observer(run->s.h, NULL, NULL);
	r->stats = *proc_events_get_stats(pe);
	figures(run, r);
	if (rc < 0)
		snprintf(why, why_size, "reading the process connector failed");
	return rc < 0 ? -1 : 1;
}

int first_event_run(const char* engine, const char* extra, int n, first_event_result* r,
                    char* why, size_t why_size)
{
	*r = (first_event_result){.engine = engine, .extra = extra, .asked = n};
	if (!itest_can_run(daemon_of(engine), why, why_size))
		return 0;
	proc_events* pe = proc_events_open("/proc", why, why_size);
	if (!pe)
		return 0;
	fe_run* run = calloc(1, sizeof(*run));
	fe_ctr* ctrs = calloc((size_t)n + 1, sizeof(*ctrs));
	int rc = -1;
	if (!run || !ctrs || !itest_session_init(&run->s, daemon_of(engine))) {
		snprintf(why, why_size, "out of memory or no temp dir");
		goto out;
	}
	run->engine = engine;
	run->extra = extra;
	run->n = n;
	run->ctrs = ctrs;
	if (!itest_session_start(&run->s, daemon_of(engine))) {
		snprintf(why, why_size, "%s did not start", daemon_of(engine));
		itest_session_end(&run->s, daemon_of(engine), true);
		goto out;
	}
	rc = measure(run, pe, r, why, why_size);
	host_free(run->s.h); /* joins the plugin's worker before the engine goes */
	run->s.h = NULL;
	if (run->cri.pod_id)
		itest_cri_remove_pod(&run->cri);
	itest_cri_free(&run->cri);
	if (!itest_session_end(&run->s, daemon_of(engine), rc < 0) && rc > 0) {
		snprintf(why, why_size, "%s did not stop cleanly", daemon_of(engine));
		rc = -1;
	}
out:
	proc_events_close(pe);
	if (run) {
		free(run->seen);
		free(run->recs);
	}
	free(run);
	free(ctrs);
	return rc;
}
