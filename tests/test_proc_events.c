/*
 * The process connector source (host/proc_events.c) with the real plugin .so:
 * a child of ours is forked, moves itself into an LXC-style cgroup of its own
 * (/lxc/<name> under the pids controller) before its fork is read, and execs
 * a shell that exits with 3. Its clone exit must carry the cgroups it was
 * born into (ours, as a driver reports them), its execve exit the new one
 * with container.id set by the plugin as the event is parsed, and its
 * procexit the pid. A child reaped before its reports are read is
 * counted as gone, not fed. Skipped, with the reason, where the connector is
 * unavailable (not root, another network namespace) or no cgroup can be made.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "proc_events.h"
#include "scap_events.h"
#include "test.h"

#define ALL_OFF                                                                      \
	"\"docker\":{\"enabled\":false},\"podman\":{\"enabled\":false},"                 \
	"\"containerd\":{\"enabled\":false},\"cri\":{\"enabled\":false},"                \
	"\"libvirt_lxc\":{\"enabled\":false},\"bpm\":{\"enabled\":false}"

static char skip_why[320];

/* What the callback saw of the child, each at the moment its event was parsed. */
typedef struct seen_child {
	int64_t pid;
	bool fork, exec, exit;
	int64_t fork_tid, exec_tid, exit_tid;
	uint16_t fork_type, exec_type, exit_type;
	char fork_cgroups[2048], exec_cgroups[2048];
	char exec_container_id[128];
	int others; /* reports of other processes of the machine */
} seen_child;

/* The cgroups parameter with its NULs as ';'. */
static void cgroups_text(const ss_plugin_event* e, char* out, size_t size)
{
	const uint8_t* d;
	uint32_t l;
	out[0] = '\0';
	if (!scap_event_param(e, EVT_P_CGROUPS, &d, &l))
		return;
	size_t n = l < size - 1 ? l : size - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = d[i] ? (char)d[i] : ';';
	out[n] = '\0';
}

static void on_event(void* arg, host* h, const proc_events_seen* s)
{
	seen_child* c = arg;
	if (s->pid != c->pid) {
		c->others++;
		return;
	}
	switch (s->kind) {
	case PROC_EVENTS_FORK:
		c->fork = true;
		c->fork_tid = (int64_t)s->event->tid;
		c->fork_type = s->event->type;
		cgroups_text(s->event, c->fork_cgroups, sizeof(c->fork_cgroups));
		break;
	case PROC_EVENTS_EXEC: {
		c->exec = true;
		c->exec_tid = (int64_t)s->event->tid;
		c->exec_type = s->event->type;
		cgroups_text(s->event, c->exec_cgroups, sizeof(c->exec_cgroups));
		const char* id = host_extract_str(h, s->event, "container.id");
		snprintf(c->exec_container_id, sizeof(c->exec_container_id), "%s", id ? id : "<NA>");
		break;
	}
	case PROC_EVENTS_EXIT:
		c->exit = true;
		c->exit_tid = (int64_t)s->event->tid;
		c->exit_type = s->event->type;
		break;
	}
}

/* Pumps until *flag is set or 3 s passed. */
static bool pump_until(proc_events* pe, host* h, seen_child* c, const bool* flag)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (proc_events_pump(pe, h, 20, on_event, c) < 0)
			return false;
		if (*flag)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 3000);
	return *flag;
}

static host* open_host(void)
{
	host* h = host_new();
	if (h && (host_load(h, PLUGIN_SO_PATH) ||
	          host_init(h, "{\"engines\":{" ALL_OFF ",\"lxc\":{\"enabled\":true}}}") ||
	          host_open_live(h))) {
		fprintf(stderr, "  host: %s\n", host_last_error(h));
		host_free(h);
		h = NULL;
	}
	return h;
}

/* The child: joins cgroup dir, says so, waits for the go, runs a shell. */
static void child_main(int moved_fd, int go_fd, const char* dir)
{
	char c, procs[512];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	FILE* f = fopen(procs, "we");
	if (!f || fprintf(f, "0\n") < 0 || fclose(f))
		_exit(91);
	if (write(moved_fd, "m", 1) != 1 || read(go_fd, &c, 1) != 1)
		_exit(90);
	execl("/bin/sh", "sh", "-c", "sleep 0.3; exit 3", (char*)NULL);
	_exit(92);
}

static void body(proc_events* pe, host* h, const char* name, const char* dir)
{
	int go[2], moved[2];
	REQUIRE(pipe(go) == 0 && pipe(moved) == 0);
	seen_child c = {0};
	pid_t pid = fork();
	if (pid == 0) {
		close(go[1]);
		close(moved[0]);
		child_main(moved[1], go[0], dir);
	}
	close(go[0]);
	close(moved[1]);
	REQUIRE(pid > 0);
	c.pid = pid;
	char m;
	CHECK(read(moved[0], &m, 1) == 1); /* in its cgroup before its fork is read */
	close(moved[0]);

	CHECK(pump_until(pe, h, &c, &c.fork));
	CHECK(write(go[1], "g", 1) == 1);
	close(go[1]);
	CHECK(pump_until(pe, h, &c, &c.exec));
	CHECK(pump_until(pe, h, &c, &c.exit));
	int st = 0;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);

	char want[300];
	snprintf(want, sizeof(want), "pids=/lxc/%s;", name);
	printf("  child %d: clone cgroups %.120s...\n", (int)pid, c.fork_cgroups);
	printf("  child %d: execve cgroups %.120s..., container.id %s\n", (int)pid, c.exec_cgroups,
	       c.exec_container_id);
	printf("  other processes' reports fed meanwhile: %d\n", c.others);
	CHECK_INT(c.fork_tid, pid);
	CHECK_INT(c.fork_type, PPME_SYSCALL_CLONE_20_X);
	CHECK(c.fork_cgroups[0] && !strstr(c.fork_cgroups, want));
	CHECK_INT(c.exec_tid, pid);
	CHECK_INT(c.exec_type, PPME_SYSCALL_EXECVE_19_X);
	CHECK(strstr(c.exec_cgroups, want) != NULL);
	CHECK_STR(c.exec_container_id, name);
	CHECK_INT(c.exit_tid, pid);
	CHECK_INT(c.exit_type, PPME_PROCEXIT_1_E);

	/* reaped before its reports were read: counted, nothing fed for it */
	uint64_t gone = proc_events_get_stats(pe)->gone;
	seen_child d = {0};
	pid_t quick = fork();
	if (quick == 0)
		_exit(0);
	REQUIRE(quick > 0);
	d.pid = quick;
	CHECK(waitpid(quick, &st, 0) == quick);
	pump_until(pe, h, &d, &d.exit); /* its exit is not fed either: times out */
	CHECK(!d.fork && !d.exec && !d.exit);
	CHECK(proc_events_get_stats(pe)->gone > gone);
	const proc_events_stats* s = proc_events_get_stats(pe);
	printf("  stats: %llu forks, %llu execs, %llu exits, %llu fed, %llu gone, %llu unknown, "
	       "%llu overruns\n",
	       (unsigned long long)s->forks, (unsigned long long)s->execs,
	       (unsigned long long)s->exits, (unsigned long long)s->fed, (unsigned long long)s->gone,
	       (unsigned long long)s->unknown, (unsigned long long)s->overruns);
}

TEST(child_clone_execve_exit)
{
	proc_events* pe = proc_events_open("/proc", skip_why, sizeof(skip_why));
	if (!pe)
		SKIP(skip_why);
	char name[32], dir[128];
	snprintf(name, sizeof(name), "itest-pe-%d", (int)getpid());
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup/pids/lxc/%s", name);
	mkdir("/sys/fs/cgroup/pids/lxc", 0755);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(skip_why, sizeof(skip_why), "cannot make a cgroup %s: %s", dir, strerror(errno));
		proc_events_close(pe);
		SKIP(skip_why);
	}
	host* h = open_host();
	CHECK(h != NULL);
	if (h)
		body(pe, h, name, dir);
	host_free(h);
	proc_events_close(pe);
	CHECK(rmdir(dir) == 0);
	rmdir("/sys/fs/cgroup/pids/lxc"); /* ours if empty */
}

TEST_MAIN(T(child_clone_execve_exit))
