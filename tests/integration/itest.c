/*
 * Helpers for the integration tests; see itest.h.
 */
#include "itest.h"

#include <curl/curl.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "proc_scan.h"

#ifndef ENGINES_SH
#error "ENGINES_SH (path of tests/integration/engines.sh) must be defined"
#endif
#ifndef PLUGIN_SO_PATH
#error "PLUGIN_SO_PATH (path of libcontainer.so) must be defined"
#endif

extern char** environ;

enum {
	HTTP_CONNECT_TIMEOUT_MS = 5000,
	HTTP_TIMEOUT_MS = 60000, /* a forced removal or a vfs copy can take seconds */
	MAX_ARGS = 32,
	POLL_MS = 10,
	PUMP_STEP_MS = 100, /* longest wait between two checks of a pump condition */
	MAX_CGROUPS = 32,
};

#define SYNTH_TID0 4000000000LL             /* synthetic threads: above any real pid */
#define SESSION_TS0 1700000000000000000ull  /* events of a session start here */
#define PIDNS_INIT_TS 1600000000000000000ull

/* ------------------------------------------------------------ temp dirs */

char* itest_tmpdir(void)
{
	char tmpl[] = "/tmp/itest.XXXXXX";
	if (!mkdtemp(tmpl)) {
		perror("itest_tmpdir: mkdtemp");
		return NULL;
	}
	return strdup(tmpl);
}

static int rm_entry(const char* path, const struct stat* st, int flag, struct FTW* ftw)
{
	(void)st;
	(void)ftw;
	int rc = (flag == FTW_DP) ? rmdir(path) : unlink(path);
	if (rc && errno != ENOENT)
		fprintf(stderr, "itest_rmtree: %s: %s\n", path, strerror(errno));
	return 0; /* keep going */
}

void itest_rmtree(const char* dir)
{
	if (!dir)
		return;
	if (getenv("ITEST_KEEP")) {
		fprintf(stderr, "itest: keeping %s (ITEST_KEEP)\n", dir);
		return;
	}
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* ------------------------------------------------------------ engines.sh */

/* environ plus ITEST_OWNER_PID=<our pid> (the watchdog of started daemons). */
static char** spawn_env(char* owner, size_t owner_size)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char** env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "ITEST_OWNER_PID=", 16))
			env[k++] = environ[i];
	snprintf(owner, owner_size, "ITEST_OWNER_PID=%ld", (long)getpid());
	env[k] = owner;
	return env;
}

/* Reads FD to EOF into a malloc'd NUL-terminated string. */
static char* read_all(int fd)
{
	size_t len = 0, cap = 256;
	char* buf = malloc(cap);
	while (buf) {
		if (cap - len < 2) {
			char* bigger = realloc(buf, cap *= 2);
			if (!bigger) {
				free(buf);
				return NULL;
			}
			buf = bigger;
		}
		ssize_t got = read(fd, buf + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	if (buf) {
		while (len && buf[len - 1] == '\n')
			len--;
		buf[len] = '\0';
	}
	return buf;
}

static int wait_child(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Spawns engines.sh ARGV with its stdout on fd OUT_FD (or ours if -1). */
static pid_t spawn_sh(char* const argv[], int out_fd)
{
	posix_spawn_file_actions_t fa;
	char owner[48];
	char** env = spawn_env(owner, sizeof(owner));
	pid_t pid = -1;
	if (!env || posix_spawn_file_actions_init(&fa)) {
		free(env);
		return -1;
	}
	if (out_fd >= 0) /* both pipe ends are O_CLOEXEC; the dup is not */
		posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	int err = posix_spawn(&pid, ENGINES_SH, &fa, NULL, argv, env);
	if (err) {
		fprintf(stderr, "itest: cannot run %s: %s\n", ENGINES_SH, strerror(err));
		pid = -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	return pid;
}

int itest_engines_sh(char** out, const char* arg, ...)
{
	char* argv[MAX_ARGS + 2] = {(char*)ENGINES_SH};
	size_t n = 1;
	va_list ap;
	va_start(ap, arg);
	for (const char* a = arg; a && n <= MAX_ARGS; a = va_arg(ap, const char*))
		argv[n++] = (char*)a;
	va_end(ap);
	argv[n] = NULL;

	if (out)
		*out = NULL;
	int fds[2] = {-1, -1};
	if (out && pipe2(fds, O_CLOEXEC)) {
		perror("itest_engines_sh: pipe");
		return -1;
	}
	pid_t pid = spawn_sh(argv, fds[1]);
	if (out) {
		close(fds[1]);
		if (pid > 0)
			*out = read_all(fds[0]);
		close(fds[0]);
	}
	return pid > 0 ? wait_child(pid) : -1;
}

const char* itest_engine_kind(const char* engine)
{
	static const char* const kinds[] = {"docker", "podman", "containerd", "cri"};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i]);
		if (!strncmp(engine, kinds[i], n) && (!engine[n] || !strcmp(engine + n, "13")))
			return kinds[i];
	}
	return engine;
}

bool itest_can_run(const char* engine, char* why, size_t why_size)
{
	char* out = NULL;
	int rc = itest_engines_sh(&out, "can-run", engine, NULL);
	if (rc != 0)
		snprintf(why, why_size, "%s", out && *out ? out : "engines.sh can-run failed");
	free(out);
	return rc == 0;
}

bool itest_engine_start(const char* engine, const char* t)
{
	return itest_engines_sh(NULL, "start", engine, t, NULL) == 0;
}

bool itest_engine_stop(const char* engine, const char* t)
{
	return itest_engines_sh(NULL, "stop", engine, t, NULL) == 0;
}

bool itest_engine_restart(const char* engine, const char* t)
{
	return itest_engines_sh(NULL, "restart", engine, t, NULL) == 0;
}

void itest_engine_sock(char* buf, size_t size, const char* t, const char* engine)
{
	snprintf(buf, size, "%s/%s/%s.sock", t, engine, itest_engine_kind(engine));
}

pid_t itest_task_pid(const char* engine, const char* t, const char* ns, const char* name)
{
	char* out = NULL;
	int rc = ns ? itest_engines_sh(&out, "cli", engine, t, "-n", ns, "task", "ls", NULL)
	            : itest_engines_sh(&out, "cli", engine, t, "task", "ls", NULL);
	pid_t pid = -1;
	char* save = NULL;
	/* lines "TASK PID STATUS" under a header */
	for (char* line = rc || !out ? NULL : strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char task[160];
		long p;
		if (sscanf(line, "%159s %ld", task, &p) == 2 && !strcmp(task, name))
			pid = (pid_t)p;
	}
	free(out);
	return pid;
}

/* ------------------------------------------------------------ HTTP */

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	atexit(curl_global_cleanup);
}

static size_t on_body(char* data, size_t size, size_t nmemb, void* userp)
{
	itest_http* r = userp;
	size_t n = size * nmemb;
	char* grown = realloc(r->body, r->len + n + 1);
	if (!grown)
		return 0; /* aborts the transfer */
	memcpy(grown + r->len, data, n);
	r->body = grown;
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

bool itest_http_call(itest_http* r, const char* sock, const char* method, const char* path,
                     json_t* body)
{
	*r = (itest_http){.body = calloc(1, 1)};
	char* json = body ? json_dumps(body, JSON_COMPACT) : NULL;
	char url[1024];
	snprintf(url, sizeof(url), "http://localhost%s", path);
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, curl_init);
	CURL* c = curl_easy_init();
	struct curl_slist* hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (!c || !hdrs || !r->body || (body && !json)) {
		fprintf(stderr, "itest_http_call: out of memory\n");
		goto done;
	}
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)HTTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	if (json) {
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	} else if (!strcmp(method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
	CURLcode rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		fprintf(stderr, "itest_http_call: %s %s on %s: %s\n", method, path, sock,
		        curl_easy_strerror(rc));
done:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	free(json);
	return r->status != 0;
}

void itest_http_free(itest_http* r)
{
	free(r->body);
	*r = (itest_http){0};
}

/* ------------------------------------------------------------ containers */

static const char* api_prefix(itest_api api)
{
	return api == ITEST_LIBPOD ? "/v4.0.0/libpod" : "";
}

/* One call whose status must be in [200, 300); the parsed body (JSON null if
 * empty) on success, NULL otherwise (explained on stderr). */
static json_t* call_ok(const char* sock, const char* method, const char* path, json_t* body)
{
	itest_http r;
	json_t* doc = NULL;
	itest_http_call(&r, sock, method, path, body);
	while (r.len && isspace((unsigned char)r.body[r.len - 1]))
		r.body[--r.len] = '\0';
	if (r.status >= 200 && r.status < 300) {
		doc = r.len ? json_loadb(r.body, r.len, 0, NULL) : json_null();
		if (!doc)
			fprintf(stderr, "itest: %s %s: response is not JSON: %.200s\n", method, path, r.body);
	} else if (r.status) {
		fprintf(stderr, "itest: %s %s: HTTP %ld: %.500s\n", method, path, r.status, r.body);
	}
	itest_http_free(&r);
	return doc;
}

/* call_ok for a call whose answer is only its status. */
static bool call_done(const char* sock, const char* method, const char* path)
{
	json_t* doc = call_ok(sock, method, path, NULL);
	json_decref(doc);
	return doc != NULL;
}

json_t* itest_app_spec(itest_api api)
{
	if (api == ITEST_LIBPOD)
		return json_pack("{s:s, s:{s:s}}", "image", "localhost/app:1.0", "netns", "nsmode", "none");
	return json_pack("{s:s, s:{s:s}}", "Image", "localhost/app:1.0", "HostConfig", "NetworkMode",
	                 "none");
}

char* itest_ctr_create(const char* sock, itest_api api, const char* name, json_t* spec)
{
	char path[512];
	json_t* doc = NULL;
	if (api == ITEST_LIBPOD) {
		json_t* body = json_copy(spec); /* shallow: only "name" is added */
		if (name)
			json_object_set_new(body, "name", json_string(name));
		snprintf(path, sizeof(path), "%s/containers/create", api_prefix(api));
		doc = call_ok(sock, "POST", path, body);
		json_decref(body);
	} else {
		char* q = name ? curl_easy_escape(NULL, name, 0) : NULL;
		snprintf(path, sizeof(path), "/containers/create%s%s", q ? "?name=" : "", q ? q : "");
		curl_free(q);
		doc = call_ok(sock, "POST", path, spec);
	}
	const char* id = json_string_value(json_object_get(doc, "Id"));
	char* copy = id ? strdup(id) : NULL;
	if (doc && !id)
		fprintf(stderr, "itest: create on %s: no Id in the answer\n", sock);
	json_decref(doc);
	return copy;
}

bool itest_ctr_start(const char* sock, itest_api api, const char* id)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/containers/%s/start", api_prefix(api), id);
	return call_done(sock, "POST", path);
}

bool itest_ctr_kill(const char* sock, itest_api api, const char* id, const char* signal)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/containers/%s/kill?signal=%s", api_prefix(api), id, signal);
	return call_done(sock, "POST", path);
}

bool itest_ctr_remove(const char* sock, itest_api api, const char* id)
{
	char path[256];
	/* libpod's force stops with SIGTERM and a 10 s grace (our sleep ignores it as pid 1) */
	snprintf(path, sizeof(path), "%s/containers/%s?force=%s", api_prefix(api), id,
	         api == ITEST_LIBPOD ? "true&timeout=0" : "1");
	return call_done(sock, "DELETE", path);
}

json_t* itest_ctr_inspect(const char* sock, itest_api api, const char* id)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/containers/%s/json", api_prefix(api), id);
	json_t* doc = call_ok(sock, "GET", path, NULL);
	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

pid_t itest_ctr_pid(const char* sock, itest_api api, const char* id)
{
	json_t* doc = itest_ctr_inspect(sock, api, id);
	json_int_t pid = -1;
	if (json_unpack(doc, "{s:{s:I}}", "State", "Pid", &pid) || pid <= 0)
		pid = -1;
	json_decref(doc);
	return (pid_t)pid;
}

char* itest_ctr_run_app(const char* sock, itest_api api, const char* name)
{
	json_t* spec = itest_app_spec(api);
	char* id = itest_ctr_create(sock, api, name, spec);
	json_decref(spec);
	if (id && !itest_ctr_start(sock, api, id)) {
		itest_ctr_remove(sock, api, id);
		free(id);
		id = NULL;
	}
	return id;
}

/* ------------------------------------------------------------ time, processes */

uint64_t itest_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool itest_wait_until(bool (*cond)(void* ctx), void* ctx, unsigned timeout_ms)
{
	uint64_t deadline = itest_now_ms() + timeout_ms;
	while (!cond(ctx)) {
		if (itest_now_ms() >= deadline)
			return cond(ctx);
		struct timespec nap = {0, POLL_MS * 1000000L};
		nanosleep(&nap, NULL);
	}
	return true;
}

/* Reads /proc/PID/NAME into buf (NULs of cmdline become spaces). */
static bool read_proc(pid_t pid, const char* name, char* buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, name);
	FILE* f = fopen(path, "re");
	if (!f)
		return false;
	size_t n = fread(buf, 1, size - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return true;
}

bool itest_pid_alive(pid_t pid)
{
	char stat[512];
	if (pid <= 0 || !read_proc(pid, "stat", stat, sizeof(stat)))
		return false;
	const char* end = strrchr(stat, ')'); /* the state follows "(comm) " */
	return end && end[1] == ' ' && end[2] != 'Z' && end[2] != 'X';
}

bool itest_pid_cgroup_has(pid_t pid, const char* needle)
{
	char cg[8192];
	return read_proc(pid, "cgroup", cg, sizeof(cg)) && strstr(cg, needle);
}

int itest_count_procs(const char* needle)
{
	DIR* d = opendir("/proc");
	if (!d)
		return -1;
	int count = 0;
	pid_t self = getpid();
	char cmd[8192];
	for (struct dirent* e; (e = readdir(d));) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t pid = (pid_t)atol(e->d_name);
		if (pid != self && itest_pid_alive(pid) && read_proc(pid, "cmdline", cmd, sizeof(cmd)) &&
		    strstr(cmd, needle)) {
			fprintf(stderr, "itest: process %ld: %.200s\n", (long)pid, cmd);
			count++;
		}
	}
	closedir(d);
	return count;
}

/* ------------------------------------------------------------ plugin sessions */

bool itest_session_init(itest_session* s, const char* engine)
{
	*s = (itest_session){.engine = engine, .next_tid = SYNTH_TID0, .ts = SESSION_TS0};
	s->t = itest_tmpdir();
	if (s->t)
		itest_engine_sock(s->sock, sizeof(s->sock), s->t, engine);
	return s->t != NULL;
}

bool itest_session_start(itest_session* s, const char* engine)
{
	uint64_t t0 = itest_now_ms();
	bool up = itest_engine_start(engine, s->t);
	printf("  %s: engine start %llu ms\n", engine, (unsigned long long)(itest_now_ms() - t0));
	return up;
}

bool itest_session_end(itest_session* s, const char* engine, bool keep)
{
	host_free(s->h);
	s->h = NULL;
	bool stopped = itest_engine_stop(engine, s->t);
	int left = itest_count_procs(s->t);
	if (!stopped)
		fprintf(stderr, "itest: %s did not stop\n", engine);
	if (left)
		fprintf(stderr, "itest: %d processes of %s left\n", left, engine);
	if (keep || !stopped || left)
		fprintf(stderr, "  keeping %s for its logs\n", s->t);
	else
		itest_rmtree(s->t);
	free(s->t);
	s->t = NULL;
	return stopped && !left;
}

bool itest_open_config(itest_session* s, const char* config)
{
	s->h = host_new();
	if (!s->h)
		return false;
	if (host_load(s->h, PLUGIN_SO_PATH) || host_init(s->h, config) || host_open_live(s->h)) {
		fprintf(stderr, "  host: %s (config %s)\n", host_last_error(s->h), config);
		host_free(s->h);
		s->h = NULL;
		return false;
	}
	return true;
}

static const char* enabled(const char* engine, const char* name)
{
	return strcmp(itest_engine_kind(engine), name) ? "false" : "true";
}

bool itest_open_plugin(itest_session* s, const char* engine, const char* extra)
{
	char cfg[2048];
	const char* level = getenv("ITEST_LOG");
	snprintf(cfg, sizeof(cfg),
	         "{%s%s\"log_level\":\"%s\",\"engines\":{"
	         "\"docker\":{\"enabled\":%s,\"sockets\":[\"%s\"]},"
	         "\"podman\":{\"enabled\":%s,\"sockets\":[\"%s\"]},"
	         "\"containerd\":{\"enabled\":%s,\"sockets\":[\"%s\"]},"
	         "\"cri\":{\"enabled\":%s,\"sockets\":[\"%s\"]}}}",
	         extra ? extra : "", extra ? "," : "", level ? level : "warn",
	         enabled(engine, "docker"), s->sock, enabled(engine, "podman"), s->sock,
	         enabled(engine, "containerd"), s->sock, enabled(engine, "cri"), s->sock);
	return itest_open_config(s, cfg);
}

void itest_feed_clone(itest_session* s, int64_t tid, const char* const* cgroups)
{
	static const char* const args[] = {"sleep", "3600", NULL};
	evt_proc_info p = {.res = 0, .tid = tid, .pid = tid, .ptid = 1, .vtid = 1, .vpid = 1,
	                   .pidns_init_start_ts = PIDNS_INIT_TS, .exe = "/bin/busybox",
	                   .comm = "busybox", .cwd = "/", .args = args, .cgroups = cgroups};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, s->ts++, &p);
	if (e)
		host_feed(s->h, e);
	free(e);
}

int64_t itest_feed_synthetic(itest_session* s, const char* path)
{
	char cpu[ITEST_PATH_MAX + 16], mem[ITEST_PATH_MAX + 16], pids[ITEST_PATH_MAX + 16];
	snprintf(cpu, sizeof(cpu), "cpu=%s", path);
	snprintf(mem, sizeof(mem), "memory=%s", path);
	snprintf(pids, sizeof(pids), "pids=%s", path);
	const char* cgroups[] = {cpu, mem, pids, NULL};
	int64_t tid = s->next_tid++;
	itest_feed_clone(s, tid, cgroups);
	return tid;
}

int64_t itest_feed_real(itest_session* s, pid_t pid)
{
	char path[64];
	char* cg[MAX_CGROUPS + 1];
	snprintf(path, sizeof(path), "/proc/%ld/cgroup", (long)pid);
	/* read as proc_scan.c reads them: one "controller=path" a controller */
	size_t n = host_read_cgroups("/proc", path, cg, MAX_CGROUPS);
	cg[n] = NULL;
	if (n)
		itest_feed_clone(s, pid, (const char* const*)cg);
	for (size_t i = 0; i < n; i++)
		free(cg[i]);
	return n ? (int64_t)pid : -1;
}

const char* itest_field(itest_session* s, int64_t tid, const char* name)
{
	static char buf[4096];
	ss_plugin_event* e = evt_procexit(s->ts, (uint64_t)tid, 0);
	host_value v[2];
	int n = e ? host_extract(s->h, e, name, v, 2) : -1;
	free(e);
	if (n < 0)
		return "<ERR>";
	return n ? host_value_text(&v[0], buf, sizeof(buf)) : "<NA>";
}

bool itest_cached(itest_session* s, const char* id)
{
	const ss_plugin_table_input* t = host_plugin_table(s->h, "containers");
	if (!t)
		return false;
	char key[13];
	snprintf(key, sizeof(key), "%.12s", id);
	ss_plugin_state_data k = {.str = key};
	ss_plugin_table_entry_t* e = t->reader_ext->get_table_entry(t->table, &k);
	if (e)
		t->reader_ext->release_table_entry(t->table, e);
	return e != NULL;
}

long itest_n_containers(itest_session* s)
{
	uint32_t n;
	const ss_plugin_metric* m = host_metrics(s->h, &n);
	for (uint32_t i = 0; m && i < n; i++)
		if (!strcmp(m[i].name, "container.n_containers"))
			return (long)m[i].value.u64;
	return -1;
}

bool itest_pump_until(itest_session* s, itest_cond cond, const void* arg, unsigned timeout_ms,
                      uint64_t* arrived)
{
	uint64_t woke = itest_now_ms(), deadline = woke + timeout_ms;
	for (;;) {
		host_drain_async(s->h);
		if (cond(s, arg)) {
			if (arrived)
				*arrived = woke;
			return true;
		}
		uint64_t now = itest_now_ms();
		if (now >= deadline)
			return false;
		uint64_t left = deadline - now;
		if (host_wait_async(s->h, left > PUMP_STEP_MS ? PUMP_STEP_MS : (int)left))
			woke = itest_now_ms();
	}
}

bool itest_is_cached(itest_session* s, const void* id)
{
	return itest_cached(s, id);
}

bool itest_is_gone(itest_session* s, const void* id)
{
	return !itest_cached(s, id);
}

void itest_pump_some(itest_session* s, unsigned timeout_ms)
{
	host_wait_async(s->h, (int)timeout_ms);
	host_drain_async(s->h);
}

void itest_pump_for(itest_session* s, unsigned ms)
{
	uint64_t end = itest_now_ms() + ms;
	for (uint64_t now; (now = itest_now_ms()) < end;)
		itest_pump_some(s, (unsigned)(end - now));
	host_drain_async(s->h);
}

/* ------------------------------------------------------------ figures */

static int cmp_u64(const void* a, const void* b)
{
	uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
	return x < y ? -1 : x > y;
}

double itest_median(uint64_t* v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

bool itest_container_event(const ss_plugin_event* evt, const uint8_t** json, uint32_t* len)
{
	const char* name = NULL;
	if (!scap_event_param_str(evt, 1, &name, NULL) || strcmp(name, "container") ||
	    !scap_event_param(evt, 2, json, len) || !*len)
		return false;
	(*len)--;
	return true;
}
