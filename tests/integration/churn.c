/*
 * churn.h: worker processes take one-byte tokens from a pipe, churn one
 * container per token and answer one byte ('1' done, '0' failed) on another
 * pipe; this process hands out tokens up to the next sample, delivers the
 * plugin's async events meanwhile, then settles and samples.
 */
#include "churn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host.h"
#include "itest.h"
#include "itest_cri.h"

enum {
	MAX_WORKERS = 64,
	SETTLE_MS = 30000,  /* bound on a settle: removals normally arrive within ms */
	QUIET_MS = 500,     /* no async event for this long: settled */
	STALL_MS = 120000,  /* no container finished for this long: the engine is stuck */
	PUMP_MS = 20,
	CRI_EXIT_MS = 10000, /* a CRI container's second of life, and slack */
};

typedef struct churn {
	const churn_opts* o;
	const char* daemon;
	bool cri;
	itest_session s;
	itest_cri client;
	pid_t workers[MAX_WORKERS];
	int nworkers;
	int tokens;  /* write end: one byte per container to churn */
	int results; /* read end: one byte per container churned */
	int issued, done, failed;
	int since;         /* done at the previous sample */
	uint64_t churn_ms; /* time spent churning since the previous sample */
} churn;

const char* churn_daemon(const char* engine)
{
	if (!strcmp(engine, "cri"))
		return "containerd";
	if (!strcmp(engine, "cri13"))
		return "containerd13";
	return engine;
}

/* ------------------------------------------------------------ workers */

static bool docker_one(const char* sock)
{
	json_t* spec = itest_app_spec(ITEST_DOCKER);
	json_object_set_new(spec, "Cmd", json_pack("[s,s]", "/bin/busybox", "true"));
	char* id = itest_ctr_create(sock, ITEST_DOCKER, NULL, spec);
	json_decref(spec);
	if (!id)
		return false;
	bool ok = itest_ctr_start(sock, ITEST_DOCKER, id);
	if (ok) {
		char path[160];
		itest_http r;
		snprintf(path, sizeof(path), "/containers/%s/wait", id);
		ok = itest_http_call(&r, sock, "POST", path, NULL) && r.status == 200;
		if (!ok)
			fprintf(stderr, "  churn: wait %.12s: HTTP %ld %.200s\n", id, r.status, r.body);
		itest_http_free(&r);
	}
	ok = itest_ctr_remove(sock, ITEST_DOCKER, id) && ok;
	free(id);
	return ok;
}

/* StopContainer on `true` containers timed out on containerd 1.7 under
 * load (the container still "running" a minute later): CRI containers live
 * a second and are removed once exited. */
static bool cri_one(itest_cri* c, unsigned k)
{
	static const char* const argv[] = {"/bin/busybox", "sleep", "1", NULL};
	char name[48];
	snprintf(name, sizeof(name), "churn-%ld-%u", (long)getpid(), k);
	char* id = itest_cri_create_start(c, name, argv, NULL);
	bool ok = id && itest_cri_remove_exited(c, id, CRI_EXIT_MS);
	free(id);
	return ok;
}

static void worker_main(churn* ch, int tokens, int results)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	char b;
	for (unsigned k = 0;; k++) {
		ssize_t got = read(tokens, &b, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got != 1)
			break;
		b = (ch->cri ? cri_one(&ch->client, k) : docker_one(ch->s.sock)) ? '1' : '0';
		if (write(results, &b, 1) != 1)
			break;
	}
	_exit(0);
}

/* Forks the workers while this process has no thread but its own. */
static bool start_workers(churn* ch)
{
	int tp[2], rp[2];
	if (pipe2(tp, O_CLOEXEC))
		return false;
	if (pipe2(rp, O_CLOEXEC)) {
		close(tp[0]);
		close(tp[1]);
		return false;
	}
	fflush(NULL);
	int n = ch->o->concurrency < MAX_WORKERS ? ch->o->concurrency : MAX_WORKERS;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			close(tp[1]);
			close(rp[0]);
			worker_main(ch, tp[0], rp[1]);
		}
		if (pid < 0)
			break;
		ch->workers[ch->nworkers++] = pid;
	}
	close(tp[0]);
	close(rp[1]);
	ch->tokens = tp[1];
	ch->results = rp[0];
	fcntl(ch->results, F_SETFL, O_NONBLOCK);
	return ch->nworkers == n;
}

/* Closing the tokens pipe ends every worker once its container is done. */
static void stop_workers(churn* ch)
{
	if (ch->tokens >= 0)
		close(ch->tokens);
	ch->tokens = -1;
	for (int i = 0; i < ch->nworkers; i++)
		while (waitpid(ch->workers[i], NULL, 0) < 0 && errno == EINTR) {
		}
	ch->nworkers = 0;
	if (ch->results >= 0)
		close(ch->results);
	ch->results = -1;
}

/* ------------------------------------------------------------ samples */

static int count_dir(const char* path)
{
	DIR* d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent* e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Records in the containers table, the host's own record (key "") excluded:
 * containers only. */
static long cache_size(itest_session* s)
{
	const ss_plugin_table_input* t = host_plugin_table(s->h, "containers");
	if (!t)
		return -1;
	return (long)t->reader_ext->get_table_size(t->table) - itest_cached(s, "");
}

/* Running containers (CRI: tasks, the pod's sandbox included), as the
 * engine's CLI lists them. */
static long count_running(churn* ch)
{
	char* out = NULL;
	int rc = ch->cri ? itest_engines_sh(&out, "cli", ch->daemon, ch->s.t, "-n", "k8s.io", "task",
	                                    "ls", NULL)
	                 : itest_engines_sh(&out, "cli", ch->daemon, ch->s.t, "ps", "-q", NULL);
	long n = rc == 0 && out ? 0 : -1;
	char* save = NULL;
	for (char* line = n ? NULL : strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		n += ch->cri ? strstr(line, "RUNNING") != NULL : *line != '\0';
	free(out);
	return n;
}

/* Delivers async events until the cache holds the running containers and
 * nothing arrived for QUIET_MS (true), or SETTLE_MS passed (false). */
static bool settle(churn* ch, long running)
{
	host* h = ch->s.h;
	uint64_t now = itest_now_ms(), end = now + SETTLE_MS, quiet = now;
	uint64_t seen = host_async_accepted(h);
	for (;;) {
		itest_pump_some(&ch->s, PUMP_MS);
		now = itest_now_ms();
		if (host_async_accepted(h) != seen) {
			seen = host_async_accepted(h);
			quiet = now;
		}
		if (cache_size(&ch->s) == running && now - quiet >= QUIET_MS)
			return true;
		if (now >= end)
			return false;
	}
}

static uint64_t arena_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return (uint64_t)(mi.uordblks + mi.hblkhd);
}

static void sample(churn* ch, churn_point* p)
{
	long running = count_running(ch);
	bool settled = settle(ch, running);
	*p = (churn_point){
	    .churned = ch->done,
	    .heap = churn_heap_bytes(),
	    .arena = arena_in_use(),
	    .fds = count_dir("/proc/self/fd") - 1, /* opendir's own */
	    .threads = count_dir("/proc/self/task"),
	    .cache = cache_size(&ch->s),
	    .running = running,
	    .settled = settled,
	    .rate = ch->churn_ms ? 1000.0 * (ch->done - ch->since) / (double)ch->churn_ms : 0,
	    .added = host_async_delivered(ch->s.h, "container"),
	    .removed = host_async_delivered(ch->s.h, "container_removed"),
	};
}

/* ------------------------------------------------------------ churning */

/* Hands out tokens up to TARGET and delivers async events until the workers
 * finished them. False if the workers died or stalled. */
static bool churn_to(churn* ch, int target)
{
	static const char some[256] = {0}; /* any byte is a token */
	uint64_t t0 = itest_now_ms(), progress = t0;
	while (ch->issued < target) {
		int n = target - ch->issued < (int)sizeof(some) ? target - ch->issued : (int)sizeof(some);
		ssize_t put = write(ch->tokens, some, (size_t)n);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return false;
		ch->issued += (int)put;
	}
	while (ch->done < target) {
		host_wait_async(ch->s.h, PUMP_MS);
		host_drain_async(ch->s.h);
		char buf[256];
		ssize_t got = read(ch->results, buf, sizeof(buf));
		if (got == 0) {
			fprintf(stderr, "  churn: every worker exited\n");
			return false;
		}
		for (ssize_t i = 0; i < got; i++)
			ch->failed += buf[i] != '1';
		uint64_t now = itest_now_ms();
		if (got > 0) {
			ch->done += (int)got;
			progress = now;
		} else if (now - progress > STALL_MS) {
			fprintf(stderr, "  churn: no container finished in %d s\n", STALL_MS / 1000);
			return false;
		}
	}
	ch->churn_ms += itest_now_ms() - t0;
	return true;
}

static bool start_residents(churn* ch)
{
	for (int i = 0; i < ch->o->resident; i++) {
		char name[32];
		snprintf(name, sizeof(name), "resident-%d", i);
		char* id = ch->cri ? itest_cri_create_start(&ch->client, name, NULL, NULL)
		                   : itest_ctr_run_app(ch->s.sock, ITEST_DOCKER, name);
		free(id);
		if (!id)
			return false;
	}
	return true;
}

static int fail(char* why, size_t why_size, const char* what)
{
	snprintf(why, why_size, "%s", what);
	return -1;
}

/* Engine up: pod, workers, residents, plugin, then the samples. */
static int churn_body(churn* ch, churn_result* r, char* why, size_t why_size)
{
	const churn_opts* o = ch->o;
	if (ch->cri) {
		itest_cri_init(&ch->client, ch->s.sock, ch->s.t);
		if (!itest_cri_run_pod(&ch->client))
			return fail(why, why_size, "RunPodSandbox failed");
	}
	if (!start_workers(ch))
		return fail(why, why_size, "cannot fork the workers");
	if (!start_residents(ch))
		return fail(why, why_size, "a resident container did not start");
	if (!itest_open_plugin(&ch->s, ch->cri ? "cri" : ch->daemon, o->extra))
		return fail(why, why_size, "the plugin did not open");
	sample(ch, &r->start);
	if (o->on_point)
		o->on_point(o->arg, &r->start);
	int target = o->first > 0 && o->first < o->n ? o->first : o->n;
	while (r->npoints < CHURN_MAX_POINTS) {
		if (!churn_to(ch, target))
			return fail(why, why_size, "the workers stopped churning");
		churn_point* p = &r->points[r->npoints++];
		sample(ch, p);
		ch->churn_ms = 0;
		ch->since = ch->done;
		if (o->on_point)
			o->on_point(o->arg, p);
		if (target >= o->n)
			break;
		int next = (target / o->every + 1) * o->every;
		target = next < o->n ? next : o->n;
	}
	r->failed = ch->failed;
	return 1;
}

int churn_run(const churn_opts* o, churn_result* r, char* why, size_t why_size)
{
	memset(r, 0, sizeof(*r));
	churn* ch = calloc(1, sizeof(*ch));
	if (!ch)
		return fail(why, why_size, "out of memory");
	*ch = (churn){.o = o, .daemon = churn_daemon(o->engine), .tokens = -1, .results = -1};
	ch->cri = strncmp(o->engine, "cri", 3) == 0;
	int rc = -1;
	if (o->n <= 0 || o->concurrency <= 0 || o->every <= 0) {
		rc = fail(why, why_size, "n, concurrency and every must be positive");
	} else if (!itest_can_run(ch->daemon, why, why_size)) {
		rc = 0;
	} else if (!itest_session_init(&ch->s, ch->daemon)) {
		rc = fail(why, why_size, "no temp dir");
	} else if (!itest_session_start(&ch->s, ch->daemon)) {
		rc = fail(why, why_size, "the engine did not start");
		itest_session_end(&ch->s, ch->daemon, true);
	} else {
		rc = churn_body(ch, r, why, why_size);
		stop_workers(ch);
		host_free(ch->s.h); /* joins the plugin's threads before the engine goes */
		ch->s.h = NULL;
		if (ch->client.pod_id)
			itest_cri_remove_pod(&ch->client);
		itest_cri_free(&ch->client);
		if (!itest_session_end(&ch->s, ch->daemon, rc < 0) && rc > 0)
			rc = fail(why, why_size, "the engine did not stop cleanly");
	}
	free(ch);
	return rc;
}

/* ------------------------------------------------------------ printing */

void churn_print_header(void)
{
	printf("%8s %10s %10s %5s %7s %6s %8s %7s %7s %7s\n", "churned", "heap", "mallinfo2", "fds",
	       "threads", "cache", "running", "ctr/s", "added", "removed");
}

void churn_print_point(const churn_point* p)
{
	printf("%8d %10llu %10llu %5d %7d %6ld %8ld %7.1f %7llu %7llu%s\n", p->churned,
	       (unsigned long long)p->heap, (unsigned long long)p->arena, p->fds, p->threads, p->cache, p->running, p->rate,
	       (unsigned long long)p->added, (unsigned long long)p->removed,
	       p->settled ? "" : "  (cache not settled)");
	fflush(stdout);
}
