/*
 * container-ps: every process of this machine with its container metadata,
 * resolved by the container plugin through our host and the real plugin ABI
 * (the same path Falco takes): /proc scan into the threads table, capture
 * open, the engines' initial listing, then one extraction per field.
 */
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "host.h"
#include "proc_events.h"
#include "proc_scan.h"
#include "scap_events.h"

#ifndef PLUGIN_SO_PATH
#define PLUGIN_SO_PATH "libcontainer.so"
#endif

typedef struct opts {
	const char* plugin;
	const char* config;
	bool json, verbose, follow;
	int wait_ms;
} opts;

static const char* const columns[] = {"container.id",   "container.name", "container.image",
                                      "container.type", "k8s.ns.name",    "k8s.pod.name"};
static const char* const headers[] = {"CONTAINER", "NAME", "IMAGE", "TYPE", "K8S-NS", "K8S-POD"};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

/* Engine socket report, from the plugin's own log lines. */
typedef struct socket_log {
	char lines[64][320];
	int n;
	bool verbose;
} socket_log;

static void on_log(void* arg, const char* component, const char* msg, ss_plugin_log_severity sev)
{
	socket_log* l = arg;
	/* The start-up lines all name the socket (docs/architecture.md "Start-up log"). */
	bool socket_news = strstr(msg, "socket") || strstr(msg, "listed") ||
	                   strstr(msg, "ping failed");
	if (socket_news && l->n < 64)
		snprintf(l->lines[l->n++], sizeof(l->lines[0]), "%s", msg);
	if (l->verbose || sev <= SS_PLUGIN_LOG_SEV_ERROR)
		fprintf(stderr, "%s: %s\n", component ? component : "host", msg);
}

static void usage(FILE* f)
{
	fprintf(f,
	        "usage: container-ps [options]\n"
	        "Shows every process with its container, through the Falco container plugin.\n\n"
	        "  -j, --json           JSON lines instead of a table\n"
	        "  -c, --config JSON    plugin init config (falco.yaml's init_config, as JSON)\n"
	        "  -p, --plugin PATH    plugin library (default: %s)\n"
	        "  -w, --wait MS        how long to wait for engine answers (default 3000)\n"
	        "  -f, --follow         then print a line per new container process as its clone\n"
	        "                       or execve is parsed (kernel process connector; root)\n"
	        "  -v, --verbose        the plugin's log on stderr\n"
	        "  -h, --help           this help\n",
	        PLUGIN_SO_PATH);
}

static int parse_opts(int argc, char** argv, opts* o)
{
	static const struct option lo[] = {
	    {"json", no_argument, 0, 'j'},          {"config", required_argument, 0, 'c'},
	    {"plugin", required_argument, 0, 'p'},  {"wait", required_argument, 0, 'w'},
	    {"verbose", no_argument, 0, 'v'},       {"follow", no_argument, 0, 'f'},
	    {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
	*o = (opts){PLUGIN_SO_PATH, "{\"log_level\":\"info\"}", false, false, false, 3000};
	int c;
	while ((c = getopt_long(argc, argv, "jc:p:w:fvh", lo, NULL)) != -1) {
		switch (c) {
		case 'j': o->json = true; break;
		case 'c': o->config = optarg; break;
		case 'p': o->plugin = optarg; break;
		case 'w': o->wait_ms = atoi(optarg); break;
		case 'v': o->verbose = true; break;
		case 'f': o->follow = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "container-ps: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return 0;
}

/* Parses async events as they come, until none arrived for a while (bounded). */
static void settle(host* h, int wait_ms)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		host_drain_async(h);
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= wait_ms || !host_wait_async(h, 300))
			break;
	}
	host_drain_async(h);
}

static const char* value(host* h, int64_t tid, const char* field, char* buf, size_t size)
{
	ss_plugin_event* e = evt_procexit((uint64_t)time(NULL) * 1000000000ull, (uint64_t)tid, 0);
	const char* v = e ? host_extract_str(h, e, field) : NULL;
	snprintf(buf, size, "%s", v ? v : "");
	free(e);
	return buf;
}

static void command_of(int64_t pid, int64_t tid, char* buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%" PRId64 "/task/%" PRId64 "/cmdline", pid, tid);
	FILE* f = fopen(path, "re");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i + 1 < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	if (!n) {
		snprintf(path, sizeof(path), "/proc/%" PRId64 "/task/%" PRId64 "/comm", pid, tid);
		f = fopen(path, "re");
		n = f ? fread(buf + 1, 1, size - 3, f) : 0;
		if (f)
			fclose(f);
		buf[0] = '[';
		n = strcspn(buf + 1, "\n") + 1;
		snprintf(buf + n, size - n, "]");
	}
}

/* One line: JSON or a table row; EVENT (NULL: none) is what announced the process. */
static void print_values(const opts* o, int64_t pid, int64_t tid, char vals[NCOLS][1024],
                         const char* event, const char* cmd)
{
	if (o->json) {
		json_t* j = json_pack("{s:I, s:I}", "pid", (json_int_t)pid, "tid", (json_int_t)tid);
		if (event)
			json_object_set_new(j, "event", json_string(event));
		for (size_t i = 0; i < NCOLS; i++)
			json_object_set_new(j, columns[i], json_string(vals[i]));
		json_object_set_new(j, "cmdline", json_string(cmd));
		char* s = json_dumps(j, JSON_COMPACT);
		if (s)
			puts(s);
		free(s);
		json_decref(j);
		return;
	}
	printf("%7" PRId64 " %-12.12s %-20.20s %-28.28s %-10.10s %-12.12s %-16.16s %.60s\n", tid,
	       vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], cmd);
}

static void print_row(host* h, const opts* o, int64_t pid, int64_t tid)
{
	char vals[NCOLS][1024], cmd[1024];
	for (size_t i = 0; i < NCOLS; i++)
		value(h, tid, columns[i], vals[i], sizeof(vals[i]));
	command_of(pid, tid, cmd, sizeof(cmd));
	print_values(o, pid, tid, vals, NULL, cmd);
}

/* Processes sorted by pid: /proc order is not numeric. */
static int cmp_i64(const void* a, const void* b)
{
	int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
	return x < y ? -1 : x > y;
}

static void print_all(host* h, const opts* o)
{
	DIR* d = opendir("/proc");
	int64_t* pids = NULL;
	size_t n = 0;
	struct dirent* de;
	while (d && (de = readdir(d))) {
		int64_t pid = atoll(de->d_name);
		int64_t* np = pid > 0 ? realloc(pids, (n + 1) * sizeof(*pids)) : NULL;
		if (np) {
			pids = np;
			pids[n++] = pid;
		}
	}
	if (d)
		closedir(d);
	qsort(pids, n, sizeof(*pids), cmp_i64);
	if (!o->json) {
		printf("%7s %-12s %-20s %-28s %-10s %-12s %-16s %s\n", "PID", headers[0], headers[1],
		       headers[2], headers[3], headers[4], headers[5], "COMMAND");
	}
	for (size_t i = 0; i < n; i++)
		if (host_thread_exists(h, pids[i]))
			print_row(h, o, pids[i], pids[i]);
	free(pids);
}

/* The command an event carries: exe, then args. */
static void command_of_event(const ss_plugin_event* e, char* buf, size_t size)
{
	const char* exe = "";
	const uint8_t* args = NULL;
	uint32_t alen = 0;
	scap_event_param_str(e, EVT_P_EXE, &exe, NULL);
	scap_event_param(e, EVT_P_ARGS, &args, &alen);
	size_t n = (size_t)snprintf(buf, size, "%s", exe);
	for (uint32_t i = 0; i < alen && n + 1 < size; i++)
		buf[n++] = args[i] ? (char)args[i] : ' ';
	buf[n < size ? n : size - 1] = '\0';
	n = strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

/* One line per container process as its clone or execve is parsed (what
 * Falco's rules would see at that moment, metadata or not). */
static void on_live_event(void* arg, host* h, const proc_events_seen* seen)
{
	const opts* o = arg;
	if (seen->kind == PROC_EVENTS_EXIT)
		return;
	char vals[NCOLS][1024], cmd[1024];
	for (size_t i = 0; i < NCOLS; i++) {
		const char* v = host_extract_str(h, seen->event, columns[i]);
		snprintf(vals[i], sizeof(vals[i]), "%s", v ? v : "");
	}
	if (!vals[0][0] || !strcmp(vals[0], "host"))
		return;
	command_of_event(seen->event, cmd, sizeof(cmd));
	const char* what = seen->kind == PROC_EVENTS_FORK ? "clone" : "execve";
	print_values(o, seen->pid, seen->tid, vals, what, cmd);
	fflush(stdout);
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void follow(host* h, proc_events* pe, const opts* o)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (!o->json)
		printf("# following new processes (clone/execve) of containers\n");
	fflush(stdout);
	while (!interrupted)
		if (proc_events_pump(pe, h, 200, on_live_event, (void*)o) < 0) {
			perror("container-ps: process connector");
			break;
		}
}

int main(int argc, char** argv)
{
	opts o;
	if (parse_opts(argc, argv, &o))
		return 2;
	socket_log log = {.verbose = o.verbose};
	host* h = host_new();
	if (!h)
		return 1;
	host_set_log(h, on_log, &log);
	int rc = 1;
	proc_events* pe = NULL;
	if (host_load(h, o.plugin) || host_init(h, o.config)) {
		fprintf(stderr, "container-ps: %s\n", host_last_error(h));
		goto out;
	}
	/* subscribed before the scan: no process falls between the two */
	char why[320];
	if (o.follow && !(pe = proc_events_open("/proc", why, sizeof(why)))) {
		fprintf(stderr, "container-ps: --follow: %s\n", why);
		goto out;
	}
	if (host_scan_proc(h, "/proc") < 0) {
		fprintf(stderr, "container-ps: cannot read /proc\n");
		goto out;
	}
	if (host_open_live(h)) {
		fprintf(stderr, "container-ps: %s\n", host_last_error(h));
		goto out;
	}
	settle(h, o.wait_ms);
	if (!o.json)
		for (int i = 0; i < log.n; i++)
			printf("# %s\n", log.lines[i]);
	print_all(h, &o);
	fflush(stdout);
	if (o.follow)
		follow(h, pe, &o);
	host_close(h);
	rc = 0;
out:
	proc_events_close(pe);
	host_free(h);
	return rc;
}
