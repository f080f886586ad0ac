/*
 * Health-check classification (docs/architecture.md "Process categories") on a real dockerd:
 * a container of localhost/app:1.0 with a HEALTHCHECK ["CMD", "/bin/busybox",
 * "sleep", "3"] every second. The plugin learns the record (and its probe)
 * from the private dockerd; the test then watches /proc for the container's
 * processes and feeds the events a kernel driver would have produced for
 * them: a clone exit for the container init, an execve exit for each health
 * check that docker runs through runc exec. The probe is classified as a
 * health check (category 2), the init as the container (category 1), a host
 * process as neither.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "host.h"
#include "itest.h"
#include "proc_scan.h"
#include "test.h"

enum {
	CACHE_WAIT_MS = 10000, /* the record reaches the cache */
	PROC_WAIT_MS = 15000,  /* the init and one health check show up in /proc */
	MAX_SEEN = 256,
	MAX_ARGV = 64,
};

static char skip_why[256]; /* SKIP reasons must outlive the test function */

/* ---- one process, as a kernel driver would describe it ---- */

typedef struct proc_info {
	long pid, ppid, vtid, vpid;
	char comm[64];
	char exe_path[512];
	char cmdline[4096]; /* argv, NUL-separated */
	size_t cmdline_len;
	const char* argv[MAX_ARGV + 1];
	size_t argc;
	char* cgroups[64 + 1]; /* "controller=path" */
	size_t ncgroups;
} proc_info;

static void proc_info_free(proc_info* p)
{
	for (size_t i = 0; i < p->ncgroups; i++)
		free(p->cgroups[i]);
	p->ncgroups = 0;
}

static size_t read_small(long pid, const char* name, char* buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/%s", pid, name);
	FILE* f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n;
}

/* PPid, and the innermost NSpid / NStgid values (the ids inside the pid namespace). */
static bool read_status(proc_info* p)
{
	char path[64], line[512];
	snprintf(path, sizeof(path), "/proc/%ld/status", p->pid);
	FILE* f = fopen(path, "re");
	if (!f)
		return false;
	bool have_ppid = false;
	while (fgets(line, sizeof(line), f)) {
		char* last = strrchr(line, '\t');
		long v = last ? atol(last + 1) : 0;
		if (!strncmp(line, "PPid:", 5)) {
			p->ppid = v;
			have_ppid = true;
		} else if (!strncmp(line, "NStgid:", 7)) {
			p->vpid = v;
		} else if (!strncmp(line, "NSpid:", 6)) {
			p->vtid = v;
		}
	}
	fclose(f);
	return have_ppid;
}

/* Every "hierarchy:controllers:path" line as one "controller=path" per controller. */
static void read_cgroups(proc_info* p)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", p->pid);
	FILE* f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f) && p->ncgroups < 64) {
		line[strcspn(line, "\n")] = '\0';
		char* c1 = strchr(line, ':');
		char* c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		char unified[] = "unified";
		char* ctrls = c1[1] ? c1 + 1 : unified;
		char* save = NULL;
		for (char* c = strtok_r(ctrls, ",", &save); c && p->ncgroups < 64;
		     c = strtok_r(NULL, ",", &save)) {
			if (!strncmp(c, "name=", 5))
				c += 5;
			if (asprintf(&p->cgroups[p->ncgroups], "%s=%s", c, c2 + 1) >= 0)
				p->ncgroups++;
		}
	}
	if (f)
		fclose(f);
	p->cgroups[p->ncgroups] = NULL;
}

/* Reads PID from /proc; false if it vanished or is a zombie (no argv). */
static bool read_proc_info(long pid, proc_info* p)
{
	*p = (proc_info){.pid = pid, .vtid = pid, .vpid = pid};
	if (!read_status(p))
		return false;
	p->cmdline_len = read_small(pid, "cmdline", p->cmdline, sizeof(p->cmdline));
	if (p->cmdline_len == 0)
		return false;
	p->cmdline[p->cmdline_len] = '\0';
	for (char* s = p->cmdline; s < p->cmdline + p->cmdline_len && p->argc < MAX_ARGV;
	     s += strlen(s) + 1)
		p->argv[p->argc++] = s;
	p->argv[p->argc] = NULL;
	if (read_small(pid, "comm", p->comm, sizeof(p->comm)))
		p->comm[strcspn(p->comm, "\n")] = '\0';
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/exe", pid);
	ssize_t n = readlink(path, p->exe_path, sizeof(p->exe_path) - 1);
	p->exe_path[n > 0 ? n : 0] = '\0';
	read_cgroups(p);
	return true;
}

static evt_proc_info driver_view(const proc_info* p)
{
	return (evt_proc_info){.res = 0, .tid = p->pid, .pid = p->pid, .ptid = p->ppid,
	                       .vtid = p->vtid, .vpid = p->vpid, .exe = p->argv[0],
	                       .comm = p->comm, .cwd = "/", .args = p->argv + 1,
	                       .cgroups = (const char* const*)p->cgroups,
	                       .filename = p->exe_path[0] ? p->exe_path : p->argv[0]};
}

static void feed(host* h, ss_plugin_event* e)
{
	CHECK(e != NULL);
	if (e)
		CHECK(host_feed(h, e) == 0);
	free(e);
}

/* The parent must be in the table for the ancestor walk
 * (docs/architecture.md "Process categories"). */
static void ensure_parent(host* h, long ppid)
{
	if (ppid <= 0 || host_thread_exists(h, ppid))
		return;
	if (host_scan_task(h, "/proc", ppid, ppid) == 0)
		return;
	/* Gone already (runc exits early): a host thread as libsinsp would keep it. */
	host_proc p = {.tid = ppid, .pid = ppid, .ptid = 1, .vtid = ppid, .vpid = ppid,
	               .comm = "runc", .exe = "runc", .exe_path = "/usr/sbin/runc"};
	CHECK(host_thread_add(h, &p) == 0);
}

/* ---- the category dynamic field ---- */

static int category(host* h, int64_t tid)
{
	uint16_t cat = 0;
	return host_thread_dynfield_u16(h, tid, "category", &cat) ? cat : -1;
}

/* ---- watching the container's processes ---- */

typedef struct watch {
	itest_session* s;
	const char* full_id;
	long pids[MAX_SEEN];
	char* sigs[MAX_SEEN]; /* cmdline seen last (NUL-separated), to feed an execve when it changes */
	size_t siglens[MAX_SEEN];
	size_t n;
	long init_pid;  /* vpid 1 */
	long probe_pid; /* "/bin/busybox sleep 3" started from outside the container */
	int probe_cat;  /* its category right after its event */
	bool probe_parent_outside;
} watch;

/* The slot of PID (a new one when first seen), or -1 when the table is full. */
static long seen_slot(watch* w, long pid)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->pids[i] == pid)
			return (long)i;
	if (w->n == MAX_SEEN)
		return -1;
	w->pids[w->n] = pid;
	w->sigs[w->n] = NULL;
	w->siglens[w->n] = 0;
	return (long)w->n++;
}

static bool is_probe_argv(const proc_info* p)
{
	return p->argc == 3 && !strcmp(p->argv[0], "/bin/busybox") && !strcmp(p->argv[1], "sleep") &&
	       !strcmp(p->argv[2], "3");
}

static void on_container_proc(watch* w, const proc_info* p)
{
	long slot = seen_slot(w, p->pid);
	if (slot < 0)
		return;
	char** sig = &w->sigs[slot];
	if (*sig && w->siglens[slot] == p->cmdline_len && !memcmp(*sig, p->cmdline, p->cmdline_len))
		return; /* nothing new: same process image as last time */
	bool first = *sig == NULL;
	free(*sig);
	*sig = malloc(p->cmdline_len);
	w->siglens[slot] = *sig ? p->cmdline_len : 0;
	if (*sig)
		memcpy(*sig, p->cmdline, p->cmdline_len);
	host* h = w->s->h;
	ensure_parent(h, p->ppid);
	evt_proc_info e = driver_view(p);
	if (first && p->vpid == 1) {
		/* The container init: the child side of the clone that created it. */
		feed(h, evt_clone_exit(PPME_SYSCALL_CLONE_20_X, w->s->ts++, &e));
		w->init_pid = p->pid;
		printf("  init %ld (vpid 1): %s, parent %ld\n", p->pid, p->argv[0], p->ppid);
		return;
	}
	if (!host_thread_exists(h, p->pid)) {
		/* The clone the driver would have shown before the exec: the task as it is now. */
		host_proc hp = {.tid = p->pid, .pid = p->pid, .ptid = p->ppid, .vtid = p->vtid,
		                .vpid = p->vpid, .comm = p->comm, .exe = p->argv[0],
		                .exe_path = p->exe_path, .args = p->argv + 1,
		                .cgroups = (const char* const*)p->cgroups};
		CHECK(host_thread_add(h, &hp) == 0);
	}
	feed(h, evt_execve_exit(PPME_SYSCALL_EXECVE_19_X, w->s->ts++, &e));
	if (is_probe_argv(p) && !w->probe_pid) {
		w->probe_pid = p->pid;
		w->probe_cat = category(h, p->pid);
		w->probe_parent_outside = !itest_pid_cgroup_has((pid_t)p->ppid, w->full_id);
		printf("  health check %ld (vpid %ld): parent %ld, category %d\n", p->pid, p->vpid,
		       p->ppid, w->probe_cat);
	}
}

/* One pass over /proc: every live process whose cgroup names the container. */
static void scan_container(watch* w)
{
	DIR* d = opendir("/proc");
	if (!d)
		return;
	for (struct dirent* de; (de = readdir(d));) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		long pid = atol(de->d_name);
		if (pid == getpid() || !itest_pid_cgroup_has((pid_t)pid, w->full_id))
			continue;
		proc_info p;
		if (read_proc_info(pid, &p))
			on_container_proc(w, &p);
		proc_info_free(&p);
	}
	closedir(d);
}

static void watch_free(watch* w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->sigs[i]);
	w->n = 0;
}

/* ---- the test ---- */

static json_t* healthcheck_spec(void)
{
	json_t* spec = itest_app_spec(ITEST_DOCKER);
	json_t* hc = json_pack("{s:[s,s,s,s], s:I, s:I, s:i}", "Test", "CMD", "/bin/busybox", "sleep",
	                       "3", "Interval", (json_int_t)1000000000, "Timeout",
	                       (json_int_t)5000000000, "Retries", 3);
	if (!spec || !hc) {
		json_decref(spec);
		json_decref(hc);
		return NULL;
	}
	json_object_set_new(spec, "Healthcheck", hc);
	return spec;
}

static bool open_plugin(itest_session* s)
{
	char config[1024];
	snprintf(config, sizeof(config),
	         "{\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"%s\"]},"
	         "\"podman\":{\"enabled\":false},\"containerd\":{\"enabled\":false},"
	         "\"cri\":{\"enabled\":false},\"lxc\":{\"enabled\":false},"
	         "\"libvirt_lxc\":{\"enabled\":false},\"bpm\":{\"enabled\":false}}}",
	         s->sock);
	return itest_open_config(s, config);
}

/* Polls /proc until the init and one health check were fed (bounded). */
static void watch_container(watch* w)
{
	uint64_t deadline = itest_now_ms() + PROC_WAIT_MS;
	while (itest_now_ms() < deadline && !(w->init_pid && w->probe_pid)) {
		scan_container(w);
		host_drain_async(w->s->h);
		struct timespec nap = {0, 20 * 1000000L};
		nanosleep(&nap, NULL);
	}
}

/* Our own process, described like any other: a host process. */
static void check_host_process(itest_session* s)
{
	proc_info self;
	REQUIRE(read_proc_info(getpid(), &self));
	ensure_parent(s->h, self.ppid);
	evt_proc_info e = driver_view(&self);
	feed(s->h, evt_execve_exit(PPME_SYSCALL_EXECVE_19_X, s->ts++, &e));
	proc_info_free(&self);
	CHECK_STR(itest_field(s, getpid(), "container.id"), "host");
	CHECK_STR(itest_field(s, getpid(), "proc.is_container_healthcheck"), "false");
	CHECK_STR(itest_field(s, getpid(), "container.healthcheck"), "<NA>");
	CHECK(category(s->h, getpid()) <= 0);
}

/* The checks on the init and the probe; the plugin is freed after them. */
static void run_checks(itest_session* s, const char* id)
{
	char short_id[13];
	snprintf(short_id, sizeof(short_id), "%.12s", id);
	REQUIRE(open_plugin(s));
	bool ok = itest_pump_until(s, itest_is_cached, short_id, CACHE_WAIT_MS, NULL);
	CHECK(ok);
	watch w = {.s = s, .full_id = id};
	if (ok)
		watch_container(&w);
	CHECK(w.init_pid > 0);
	CHECK(w.probe_pid > 0);
	if (w.init_pid) {
		CHECK_STR(itest_field(s, w.init_pid, "container.id"), short_id);
		CHECK_STR(itest_field(s, w.init_pid, "container.name"), "itest-health");
		CHECK_STR(itest_field(s, w.init_pid, "proc.is_container_healthcheck"), "false");
		CHECK_STR(itest_field(s, w.init_pid, "container.healthcheck"), "/bin/busybox sleep 3");
		CHECK_STR(itest_field(s, w.init_pid, "container.liveness_probe"), "NONE");
		CHECK_INT(category(s->h, w.init_pid), 1);
	}
	if (w.probe_pid) {
		CHECK(w.probe_parent_outside); /* started by the runtime, not from the init */
		CHECK_INT(w.probe_cat, 2);
		CHECK_STR(itest_field(s, w.probe_pid, "container.id"), short_id);
		CHECK_STR(itest_field(s, w.probe_pid, "proc.is_container_healthcheck"), "true");
		CHECK_STR(itest_field(s, w.probe_pid, "proc.is_container_liveness_probe"), "false");
		CHECK_STR(itest_field(s, w.probe_pid, "container.healthcheck"), "/bin/busybox sleep 3");
		CHECK_INT(category(s->h, w.probe_pid), 2);
	}
	check_host_process(s);
	watch_free(&w);
	host_free(s->h);
	s->h = NULL;
}

/* Creates and starts the container; NULL (nothing left behind) on failure. */
static char* start_container(const char* sock)
{
	json_t* spec = healthcheck_spec();
	CHECK(spec != NULL);
	char* id = spec ? itest_ctr_create(sock, ITEST_DOCKER, "itest-health", spec) : NULL;
	json_decref(spec);
	CHECK(id != NULL);
	if (id && !itest_ctr_start(sock, ITEST_DOCKER, id)) {
		CHECK(!"container started");
		CHECK(itest_ctr_remove(sock, ITEST_DOCKER, id));
		free(id);
		id = NULL;
	}
	return id;
}

static void run_on(const char* engine)
{
	if (!itest_can_run(engine, skip_why, sizeof(skip_why)))
		SKIP(skip_why);
	itest_session s;
	REQUIRE(itest_session_init(&s, engine));
	bool up = itest_session_start(&s, engine);
	CHECK(up);
	char* id = up ? start_container(s.sock) : NULL;
	if (id) {
		json_t* doc = itest_ctr_inspect(s.sock, ITEST_DOCKER, id);
		json_t* hc = json_object_get(json_object_get(doc, "Config"), "Healthcheck");
		CHECK_INT(json_array_size(json_object_get(hc, "Test")), 4);
		json_decref(doc);
		run_checks(&s, id);
		CHECK(itest_ctr_remove(s.sock, ITEST_DOCKER, id));
		free(id);
	}
	/* also after a failed start: whatever it left */
	CHECK(itest_session_end(&s, engine, test_failures_in_case));
}

/* On every docker of itest.h's list: <engine>_healthcheck_is_classified. */
#define HEALTHCHECK(e) \
	TEST(e##_healthcheck_is_classified) { run_on(#e); }
#define CASES(e) T(e##_healthcheck_is_classified),
ITEST_DOCKER_ENGINES(HEALTHCHECK)

TEST_MAIN(ITEST_DOCKER_ENGINES(CASES))
