/*
 * Benchmarks of the engine worker against a real private dockerd (engines.sh),
 * through our host and the real plugin .so. Prints figures, asserts nothing:
 *
 *   (d) listing  N running containers that exist before the plugin starts:
 *                init -> capture open returned -> all N cached with name and
 *                image (3 runs, the plugin re-opened each time), then N
 *                on-demand lookups (containers created after open and never
 *                announced, found when a process event shows them).
 *   (e) idle     CPU time and wakeups of the plugin's threads (every thread
 *                but ours) while nothing happens, docker only and with the
 *                other engines at their defaults (sockets absent here).
 *
 *   bench_engines [--containers N] [--idle-seconds S]
 *
 * Exit 0 when the figures were printed or the machine cannot run dockerd
 * ("skipped"); 1 when the setup itself failed.
 */
#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "host.h"
#include "itest.h"

#define APP_IMAGE "localhost/app:1.0"
#define SYNTH_TID0 4000000000LL /* synthetic threads: above any real pid */

enum {
	RUNS = 3,
	MAX_THREADS = 64,
	SETTLE_MS = 2000,  /* stragglers of a listing land before an idle window */
	REFEED_MS = 100,   /* an unresolved container's process shows up again */
	PER_CTR_MS = 500,  /* a listing this slow per container is a failure */
	MIN_WAIT_MS = 30000,
};

typedef struct opts {
	unsigned containers, idle_s;
} opts;

typedef struct bench {
	opts o;
	char* t;                   /* the engine's temp dir */
	char sock[ITEST_PATH_MAX]; /* its socket */
	char** ids;                /* full ids, created before any open */
	char** names;
	size_t n;
	int64_t next_tid; /* synthetic thread ids */
	uint64_t ts;      /* event timestamps */
} bench;

/* ------------------------------------------------------------ small helpers */

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static double ms_since(uint64_t t0_us)
{
	return (double)(now_us() - t0_us) / 1000.0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec left = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&left, &left)) /* EINTR: sleep the rest */
		;
}

/* Reads a small /proc file whole; false if it cannot. */
static bool read_small(const char* path, char* buf, size_t size)
{
	FILE* f = fopen(path, "re");
	if (!f)
		return false;
	size_t n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return true;
}

/* The value of the first "KEY<spaces>:<spaces>value" line of PATH, "?" if none. */
static void file_field(const char* path, const char* key, char* out, size_t size)
{
	char line[512];
	size_t kl = strlen(key);
	FILE* f = fopen(path, "re");
	snprintf(out, size, "?");
	while (f && fgets(line, sizeof(line), f)) {
		char* colon = strchr(line, ':');
		if (strncmp(line, key, kl) || !colon)
			continue;
		char* v = colon + 1;
		while (isspace((unsigned char)*v))
			v++;
		v[strcspn(v, "\n")] = '\0';
		snprintf(out, size, "%s", v);
		break;
	}
	if (f)
		fclose(f);
}

static int cmp_double(const void* a, const void* b)
{
	double x = *(const double*)a, y = *(const double*)b;
	return x < y ? -1 : x > y;
}

/* min and median of v[0..n) (sorts v). */
static void min_median(double* v, size_t n, double* min, double* med)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*min = v[0];
	*med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ------------------------------------------------------------ the machine */

static void print_machine(void)
{
	char cpu[256], ram[64];
	struct utsname u;
	file_field("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	file_field("/proc/meminfo", "MemTotal", ram, sizeof(ram));
	uname(&u);
	printf("machine: %s, %ld cores online, RAM %s\n", cpu, sysconf(_SC_NPROCESSORS_ONLN), ram);
	printf("kernel:  %s %s %s\n", u.sysname, u.release, u.machine);
}

static void print_engine_version(const bench* b)
{
	char* ver = NULL;
	char* drv = NULL;
	itest_engines_sh(&ver, "docker", b->t, "version", "--format",
	                 "{{.Server.Version}} (API {{.Server.APIVersion}})", NULL);
	itest_engines_sh(&drv, "docker", b->t, "info", "--format", "{{.Driver}}", NULL);
	printf("docker:  dockerd %s, storage driver %s, private instance (engines.sh)\n",
	       ver ? ver : "?", drv ? drv : "?");
	free(ver);
	free(drv);
}

/* ------------------------------------------------------------ engine side */

/* Creates (and starts, if RUN) container NAME; its full id or NULL. */
static char* make_container(const bench* b, const char* name, bool run)
{
	if (run)
		return itest_ctr_run_app(b->sock, ITEST_DOCKER, name);
	json_t* spec = itest_app_spec(ITEST_DOCKER);
	char* id = itest_ctr_create(b->sock, ITEST_DOCKER, name, spec);
	json_decref(spec);
	return id;
}

/* Creates COUNT containers PREFIX000.. into ids/names; how many were made. */
static size_t make_containers(const bench* b, const char* prefix, size_t count, bool run,
                              char** ids, char** names)
{
	uint64_t t0 = now_us();
	size_t made = 0;
	for (; made < count; made++) {
		char name[32];
		snprintf(name, sizeof(name), "%s%03zu", prefix, made);
		if (!(ids[made] = make_container(b, name, run)) || !(names[made] = strdup(name))) {
			free(ids[made]);
			break;
		}
		if ((made + 1) % 50 == 0)
			fprintf(stderr, "  %zu/%zu containers %s\n", made + 1, count,
			        run ? "running" : "created");
	}
	printf("setup: %zu/%zu containers %s in %.1f s (not measured)\n", made, count,
	       run ? "created and started" : "created (not started)", ms_since(t0) / 1000);
	return made;
}

static void free_list(char** v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* ------------------------------------------------------------ host side */

/* The docker engine on our socket; OTHERS: podman/containerd/cri at their defaults. */
static void make_config(const bench* b, const char* extra, bool others, char* cfg, size_t size)
{
	snprintf(cfg, size,
	         "{%s\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"%s\"]}%s}}",
	         extra ? extra : "", b->sock,
	         others ? ""
	                : ",\"podman\":{\"enabled\":false},\"containerd\":{\"enabled\":false},"
	                  "\"cri\":{\"enabled\":false}");
}

typedef struct open_times {
	double init_ms, open_ms; /* host_load + host_init; host_open_live */
} open_times;

/* Loads, inits and opens the plugin (the worker starts at open); NULL on failure. */
static host* open_host(const char* cfg, open_times* t)
{
	host* h = host_new();
	if (!h)
		return NULL;
	uint64_t t0 = now_us();
	if (host_load(h, PLUGIN_SO_PATH) || host_init(h, cfg))
		goto fail;
	t->init_ms = ms_since(t0);
	t0 = now_us();
	if (host_open_live(h))
		goto fail;
	t->open_ms = ms_since(t0);
	return h;
fail:
	fprintf(stderr, "bench: host: %s (config %s)\n", host_last_error(h), cfg);
	host_free(h);
	return NULL;
}

static bool field_is(const ss_plugin_table_input* t, ss_plugin_table_entry_t* e,
                     const char* field, const char* want)
{
	ss_plugin_table_field_t* f =
	    t->fields_ext->get_table_field(t->table, field, SS_PLUGIN_ST_STRING);
	ss_plugin_state_data d = {0};
	return f && t->reader_ext->read_entry_field(t->table, e, f, &d) == SS_PLUGIN_SUCCESS &&
	       d.str && !strcmp(d.str, want);
}

/* True if the plugin's containers table has ID with NAME and our image (no event fed). */
static bool resolved(host* h, const char* id, const char* name)
{
	const ss_plugin_table_input* t = host_plugin_table(h, "containers");
	if (!t)
		return false;
	char key[13];
	snprintf(key, sizeof(key), "%.12s", id);
	ss_plugin_state_data k = {.str = key};
	ss_plugin_table_entry_t* e = t->reader_ext->get_table_entry(t->table, &k);
	if (!e)
		return false;
	bool ok = field_is(t, e, "name", name) && field_is(t, e, "image", APP_IMAGE);
	t->reader_ext->release_table_entry(t->table, e);
	return ok;
}

static size_t count_resolved(host* h, char** ids, char** names, size_t n)
{
	size_t got = 0;
	for (size_t i = 0; i < n; i++)
		got += resolved(h, ids[i], names[i]);
	return got;
}

/* Delivers async events until all N are resolved or TIMEOUT_MS pass; how many are. */
static size_t pump_until_resolved(host* h, char** ids, char** names, size_t n,
                                  unsigned timeout_ms)
{
	uint64_t deadline = now_us() + (uint64_t)timeout_ms * 1000;
	for (;;) {
		host_drain_async(h);
		size_t got = count_resolved(h, ids, names, n);
		if (got == n || now_us() >= deadline)
			return got;
		host_wait_async(h, 20);
	}
}

/* Delivers whatever arrives during MS. */
static void pump_for(host* h, unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	while (now_us() < end) {
		host_wait_async(h, 20);
		host_drain_async(h);
	}
}

static unsigned wait_budget_ms(size_t n)
{
	unsigned ms = (unsigned)n * PER_CTR_MS;
	return ms < MIN_WAIT_MS ? MIN_WAIT_MS : ms;
}

/* ------------------------------------------------------------ dockerd's own cost */

/* GET PATH on our socket; its wall time in ms (negative when not 200). */
static double timed_get(const bench* b, const char* path)
{
	itest_http r;
	uint64_t t0 = now_us();
	itest_http_call(&r, b->sock, "GET", path, NULL);
	double ms = ms_since(t0);
	bool ok = r.status == 200;
	itest_http_free(&r);
	return ok ? ms : -1;
}

/* The image id of container ID (its inspect's "Image"), or NULL. */
static char* image_of(const bench* b, const char* id)
{
	json_t* doc = itest_ctr_inspect(b->sock, ITEST_DOCKER, id);
	const char* img = json_string_value(json_object_get(doc, "Image"));
	char* copy = img ? strdup(img) : NULL;
	json_decref(doc);
	return copy;
}

/*
 * What the plugin's listing costs dockerd, asked the same way (serially, one
 * connection per call): the list, then per container its inspect and its
 * image's inspect. Sets the floor of the figures above.
 */
static void dockerd_reference(const bench* b)
{
	char path[256];
	char* img = b->n ? image_of(b, b->ids[0]) : NULL;
	double list = timed_get(b, "/containers/json?all=1"), ctr = 0, im = 0;
	size_t bad = 0;
	for (size_t i = 0; i < b->n; i++) {
		snprintf(path, sizeof(path), "/containers/%s/json", b->ids[i]);
		double c = timed_get(b, path);
		snprintf(path, sizeof(path), "/images/%s/json", img ? img : "none");
		double m = timed_get(b, path);
		bad += c < 0 || m < 0;
		ctr += c > 0 ? c : 0;
		im += m > 0 ? m : 0;
	}
	double n = b->n ? (double)b->n : 1;
	printf("  dockerd alone, same calls serially: list %.1f ms, container inspect avg %.2f ms, "
	       "image inspect avg %.2f ms; list + %zu x (inspect + image) = %.1f ms%s\n",
	       list, ctr / n, im / n, b->n, list + ctr + im, bad ? " (some calls failed)" : "");
	free(img);
}

/* ------------------------------------------------------------ (d) listing */

typedef struct run_result {
	open_times t;
	double all_ms; /* open returned -> all resolved */
	double cpu_ms; /* on-cpu time of the plugin's threads since they started */
	size_t at_open, got;
} run_result;

static double plugin_threads_cpu_ms(void);

/* One open of the plugin on the populated dockerd; the host stays open (caller frees). */
static host* listing_run(const bench* b, const char* cfg, run_result* r)
{
	host* h = open_host(cfg, &r->t);
	if (!h)
		return NULL;
	uint64_t t0 = now_us();
	/* capture_open has cached whatever the worker listed within its bounded wait */
	r->at_open = count_resolved(h, b->ids, b->names, b->n);
	r->got = pump_until_resolved(h, b->ids, b->names, b->n, wait_budget_ms(b->n));
	r->all_ms = ms_since(t0);
	r->cpu_ms = plugin_threads_cpu_ms();
	return h;
}

static void print_run(const bench* b, int i, const run_result* r)
{
	double total = r->t.init_ms + r->t.open_ms + r->all_ms;
	printf("  run %d: init %.1f ms, open returned %.1f ms (%zu/%zu cached then), "
	       "open->all cached %.1f ms, init->all %.1f ms = %.2f ms/container (worker CPU %.1f ms); "
	       "resolved %zu/%zu",
	       i + 1, r->t.init_ms, r->t.open_ms, r->at_open, b->n, r->all_ms, total,
	       b->n ? total / (double)b->n : 0.0, r->cpu_ms, r->got, b->n);
	if (r->got < b->n)
		printf(" (SHORTFALL %zu)", b->n - r->got);
	printf("\n");
}

static void print_summary(const char* what, double* v, size_t n, const char* unit)
{
	double min, med;
	min_median(v, n, &min, &med);
	printf("  %-32s min %9.2f %s   median %9.2f %s\n", what, min, unit, med, unit);
}

/* RUNS listings; the last run's host is returned open for the idle window. */
static host* listing_runs(const bench* b)
{
	char cfg[1024];
	make_config(b, NULL, false, cfg, sizeof(cfg));
	printf("\n(d) initial listing of %zu running containers (docker only; %d runs)\n", b->n,
	       RUNS);
	double init[RUNS], open[RUNS], all[RUNS], total[RUNS], per[RUNS];
	host* h = NULL;
	int done = 0;
	for (; done < RUNS; done++) {
		run_result r = {0};
		host_free(h);
		if (!(h = listing_run(b, cfg, &r)))
			break;
		print_run(b, done, &r);
		init[done] = r.t.init_ms;
		open[done] = r.t.open_ms;
		all[done] = r.all_ms;
		total[done] = r.t.init_ms + r.t.open_ms + r.all_ms;
		per[done] = b->n ? total[done] / (double)b->n : 0;
	}
	if (done) {
		print_summary("init (load + plugin_init)", init, (size_t)done, "ms");
		print_summary("capture open returned", open, (size_t)done, "ms");
		print_summary("open returned -> all cached", all, (size_t)done, "ms");
		print_summary("init -> all cached", total, (size_t)done, "ms");
		print_summary("per container", per, (size_t)done, "ms");
	}
	dockerd_reference(b);
	return h;
}

/* ------------------------------------------------------------ (e) idle */

typedef struct task_stat {
	long tid;
	char comm[32];
	uint64_t run_ns, slices; /* schedstat: on-cpu time, times scheduled in */
	uint64_t ticks;          /* utime + stime (clock ticks) when schedstat is absent */
	uint64_t vol, invol;     /* context switches */
} task_stat;

static uint64_t status_u64(const char* status, const char* key)
{
	const char* p = strstr(status, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

/* utime + stime: fields 14 and 15, i.e. the 12th and 13th after "(comm) ". */
static uint64_t stat_ticks(const char* stat)
{
	const char* p = strrchr(stat, ')');
	for (int field = 2; p && field < 13; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return 0;
	char* end;
	uint64_t ut = strtoull(p + 1, &end, 10);
	return ut + strtoull(end, NULL, 10);
}

static bool read_task(long tid, task_stat* out)
{
	char path[96], buf[4096];
	*out = (task_stat){.tid = tid};
	snprintf(path, sizeof(path), "/proc/self/task/%ld/comm", tid);
	if (read_small(path, out->comm, sizeof(out->comm)))
		out->comm[strcspn(out->comm, "\n")] = '\0';
	snprintf(path, sizeof(path), "/proc/self/task/%ld/schedstat", tid);
	if (read_small(path, buf, sizeof(buf)))
		sscanf(buf, "%" SCNu64 " %*u %" SCNu64, &out->run_ns, &out->slices);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
	if (read_small(path, buf, sizeof(buf)))
		out->ticks = stat_ticks(buf);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/status", tid);
	if (!read_small(path, buf, sizeof(buf)))
		return false;
	out->vol = status_u64(buf, "\nvoluntary_ctxt_switches:");
	out->invol = status_u64(buf, "\nnonvoluntary_ctxt_switches:");
	return true;
}

/* Every thread of ours but the main one (which only sleeps meanwhile). */
static size_t snapshot_tasks(task_stat* out, size_t max)
{
	DIR* d = opendir("/proc/self/task");
	size_t n = 0;
	long self = (long)getpid();
	for (struct dirent* e; d && n < max && (e = readdir(d));) {
		long tid = atol(e->d_name);
		if (tid > 0 && tid != self && read_task(tid, &out[n]))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* The worker is born at capture open: its whole CPU time is the listing's. */
static double plugin_threads_cpu_ms(void)
{
	task_stat v[MAX_THREADS];
	size_t n = snapshot_tasks(v, MAX_THREADS);
	uint64_t ns = 0;
	for (size_t i = 0; i < n; i++)
		ns += v[i].run_ns;
	return (double)ns / 1e6;
}

static const task_stat* find_task(const task_stat* v, size_t n, long tid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].tid == tid)
			return &v[i];
	return NULL;
}

static double rusage_ms(const struct rusage* r)
{
	return (double)(r->ru_utime.tv_sec + r->ru_stime.tv_sec) * 1e3 +
	       (double)(r->ru_utime.tv_usec + r->ru_stime.tv_usec) / 1e3;
}

/* Per-thread deltas between A and B over WALL_S seconds; the summed CPU ns. */
static uint64_t print_task_deltas(const task_stat* a, size_t na, const task_stat* b, size_t nb,
                                  double wall_s)
{
	long tick = sysconf(_SC_CLK_TCK);
	uint64_t sum = 0;
	for (size_t i = 0; i < nb; i++) {
		const task_stat* x = find_task(a, na, b[i].tid);
		if (!x) {
			printf("    thread %ld (%s) appeared during the window\n", b[i].tid, b[i].comm);
			continue;
		}
		uint64_t ns = b[i].run_ns - x->run_ns, slices = b[i].slices - x->slices;
		double tick_ms = (double)(b[i].ticks - x->ticks) * 1000.0 / (double)tick;
		sum += ns;
		printf("    thread %ld (%s): cpu %.3f ms (%.4f%% of one core; utime+stime %.0f ms), "
		       "scheduled in %" PRIu64 " times (%.2f/s), ctx switches %" PRIu64
		       " voluntary + %" PRIu64 " involuntary\n",
		       b[i].tid, b[i].comm, (double)ns / 1e6, (double)ns / (wall_s * 1e7), tick_ms,
		       slices, (double)slices / wall_s, b[i].vol - x->vol, b[i].invol - x->invol);
	}
	for (size_t i = 0; i < na; i++)
		if (!find_task(b, nb, a[i].tid))
			printf("    thread %ld (%s) ended during the window\n", a[i].tid, a[i].comm);
	return sum;
}

/* Nothing happens on the engine: what do the plugin's threads cost over SECONDS? */
static void idle_window(host* h, unsigned seconds, const char* what)
{
	task_stat a[MAX_THREADS], b[MAX_THREADS];
	struct rusage ra, rb;
	pump_for(h, SETTLE_MS);
	uint64_t accepted = host_async_accepted(h);
	size_t na = snapshot_tasks(a, MAX_THREADS);
	getrusage(RUSAGE_SELF, &ra);
	uint64_t t0 = now_us();
	sleep_ms(seconds * 1000);
	double wall_s = (double)(now_us() - t0) / 1e6;
	size_t nb = snapshot_tasks(b, MAX_THREADS);
	getrusage(RUSAGE_SELF, &rb);
	printf("  idle window, %s: %.1f s wall, %zu plugin thread(s)\n", what, wall_s, nb);
	uint64_t ns = print_task_deltas(a, na, b, nb, wall_s);
	double proc = rusage_ms(&rb) - rusage_ms(&ra);
	printf("  plugin threads: %.3f ms CPU over %.0f s = %.4f%% of one core\n", (double)ns / 1e6,
	       wall_s, (double)ns / (wall_s * 1e7));
	printf("  whole process (getrusage, main thread asleep): %.3f ms = %.4f%% of one core; "
	       "async events meanwhile: %" PRIu64 "\n",
	       proc, proc / (wall_s * 10), host_async_accepted(h) - accepted);
}

/* The other engines' default sockets, as the README lists them: present here? */
static void print_default_sockets(void)
{
	static const char* const socks[] = {
	    "/run/podman/podman.sock", "/run/containerd/containerd.sock", "/run/crio/crio.sock",
	    "/run/k3s/containerd/containerd.sock", "/run/host-containerd/containerd.sock"};
	struct stat st;
	printf("  default sockets:");
	for (size_t i = 0; i < sizeof(socks) / sizeof(socks[0]); i++)
		printf(" %s %s%s", socks[i], stat(socks[i], &st) ? "absent" : "PRESENT",
		       i + 1 < sizeof(socks) / sizeof(socks[0]) ? "," : "\n");
}

/* The idle window with podman, containerd and cri at their defaults (Falco's usual config). */
static void idle_with_defaults(const bench* b)
{
	char cfg[1024];
	run_result r = {0};
	make_config(b, NULL, true, cfg, sizeof(cfg));
	host* h = listing_run(b, cfg, &r);
	if (!h)
		return;
	printf("\n(e2) the same with podman/containerd/cri at their defaults "
	       "(%zu/%zu listed in %.1f ms at open)\n",
	       r.got, b->n, r.t.init_ms + r.t.open_ms + r.all_ms);
	print_default_sockets();
	idle_window(h, b->o.idle_s, "docker + default engines (absent sockets, podman discovery)");
	host_free(h);
}

/* ------------------------------------------------------------ (d) lookups */

/* A clone exit of a new thread in the cgroupfs cgroup of docker container ID. */
static void feed_process(bench* b, host* h, const char* id)
{
	static const char* const args[] = {"sleep", "3600", NULL};
	char cpu[128], mem[128], pids[128];
	snprintf(cpu, sizeof(cpu), "cpu=/docker/%s", id);
	snprintf(mem, sizeof(mem), "memory=/docker/%s", id);
	snprintf(pids, sizeof(pids), "pids=/docker/%s", id);
	const char* cgroups[] = {cpu, mem, pids, NULL};
	int64_t tid = b->next_tid++;
	evt_proc_info p = {.res = 0, .tid = tid, .pid = tid, .ptid = 1, .vtid = 1, .vpid = 1,
	                   .pidns_init_start_ts = 1600000000000000000ull, .exe = "/bin/busybox",
	                   .comm = "busybox", .cwd = "/", .args = args, .cgroups = cgroups};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, b->ts++, &p);
	if (e)
		host_feed(h, e);
	free(e);
}

/*
 * Every REFEED_MS a new process shows up in each container not resolved yet,
 * as a busy container's would: a lookup the worker could not queue (full
 * queue) is asked again. Returns how many are resolved; *fed counts events.
 */
static size_t lookup_all(bench* b, host* h, char** ids, char** names, size_t n, size_t* fed)
{
	uint64_t deadline = now_us() + (uint64_t)wait_budget_ms(n) * 1000;
	size_t got = 0;
	while (got < n && now_us() < deadline) {
		for (size_t i = 0; i < n; i++)
			if (!resolved(h, ids[i], names[i])) {
				feed_process(b, h, ids[i]);
				(*fed)++;
			}
		got = pump_until_resolved(h, ids, names, n, REFEED_MS);
	}
	return got;
}

/* Containers created after open with hooks ["start"] are never announced: found on demand. */
static void lookup_phase(bench* b)
{
	char cfg[1024];
	open_times ot;
	make_config(b, "\"hooks\":[\"start\"],", false, cfg, sizeof(cfg));
	host* h = open_host(cfg, &ot);
	char** ids = calloc(b->n, sizeof(*ids));
	char** names = calloc(b->n, sizeof(*names));
	size_t n = 0;
	printf("\n(d') on-demand lookups (hooks [\"start\"]: a created container is not announced)\n");
	if (h && ids && names) {
		pump_until_resolved(h, b->ids, b->names, b->n, wait_budget_ms(b->n));
		n = make_containers(b, "bench-late-", b->n, false, ids, names);
		pump_for(h, 1000);
		size_t early = count_resolved(h, ids, names, n), fed = 0;
		uint64_t t0 = now_us();
		size_t got = lookup_all(b, h, ids, names, n, &fed);
		double ms = ms_since(t0);
		printf("  %zu/%zu resolved on demand in %.1f ms = %.2f ms/container "
		       "(%zu process events fed, %zu already known before)%s\n",
		       got, n, ms, n ? ms / (double)n : 0.0, fed, early,
		       got < n ? " SHORTFALL" : "");
	}
	host_free(h);
	free_list(ids, n);
	free_list(names, n);
}

/* ------------------------------------------------------------ main */

static bool parse_opts(int argc, char** argv, opts* o)
{
	*o = (opts){.containers = 200, .idle_s = 60};
	for (int i = 1; i < argc; i++) {
		unsigned* dst = !strcmp(argv[i], "--containers")     ? &o->containers
		                : !strcmp(argv[i], "--idle-seconds") ? &o->idle_s
		                                                     : NULL;
		char* end = NULL;
		unsigned long v = dst && i + 1 < argc ? strtoul(argv[++i], &end, 10) : 0;
		if (!dst || !end || *end || v == 0 || v > 100000) {
			fprintf(stderr, "usage: %s [--containers N] [--idle-seconds S]\n", argv[0]);
			return false;
		}
		*dst = (unsigned)v;
	}
	return true;
}

/* Engine up with its containers; false (explained) otherwise. */
static bool setup(bench* b)
{
	b->t = itest_tmpdir();
	if (!b->t)
		return false;
	itest_engine_sock(b->sock, sizeof(b->sock), b->t, "docker");
	uint64_t t0 = now_us();
	if (!itest_engine_start("docker", b->t)) {
		fprintf(stderr, "bench: dockerd did not start (logs kept in %s)\n", b->t);
		return false;
	}
	print_engine_version(b);
	printf("setup: private dockerd up in %.1f s\n", ms_since(t0) / 1000);
	b->ids = calloc(b->o.containers, sizeof(*b->ids));
	b->names = calloc(b->o.containers, sizeof(*b->names));
	if (b->ids && b->names)
		b->n = make_containers(b, "bench-", b->o.containers, true, b->ids, b->names);
	return b->n > 0;
}

/* engines.sh stop removes every container through the API, then stops the daemon. */
static void teardown(bench* b)
{
	if (!b->t)
		return;
	uint64_t t0 = now_us();
	bool stopped = itest_engine_stop("docker", b->t);
	int left = itest_count_procs(b->t);
	printf("\ncleanup: containers removed and dockerd stopped in %.1f s%s; %d process(es) left\n",
	       ms_since(t0) / 1000, stopped ? "" : " (engines.sh stop FAILED)", left);
	if (stopped && !left)
		itest_rmtree(b->t);
	free(b->t);
	free_list(b->ids, b->n);
	free_list(b->names, b->n);
}

int main(int argc, char** argv)
{
	bench b = {.next_tid = SYNTH_TID0, .ts = 1700000000000000000ull};
	char why[256];
	if (!parse_opts(argc, argv, &b.o))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* removing hundreds of containers in one `docker rm` outlasts engines.sh's 60 s default */
	setenv("ITEST_CMD_TIMEOUT", "600", 0);
	print_machine();
	if (!itest_can_run("docker", why, sizeof(why))) {
		printf("skipped: %s\n", why);
		return 0;
	}
	bool ok = setup(&b);
	if (ok) {
		host* h = listing_runs(&b);
		printf("\n(e) idle CPU of the plugin open on the populated dockerd, nothing happening\n");
		if (h)
			idle_window(h, b.o.idle_s, "docker only (the last listing run's plugin)");
		host_free(h);
		idle_with_defaults(&b);
		lookup_phase(&b);
	}
	teardown(&b);
	return ok ? 0 : 1;
}
