#include "proc_scan.h"

#include "events.h"

#include <dirent.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARGS 256
#define MAX_CGROUPS 64

typedef struct task_buf {
	char comm[64];
	char exe_path[4096];
	char cmdline[8192];
	const char* args[MAX_ARGS + 1];
	char* cgroups[MAX_CGROUPS + 1];
	size_t ncgroups;
} task_buf;

static ssize_t read_file(const char* path, char* buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* PPid and the innermost NSpid/NStgid values from the status file. */
static int read_status(const char* dir, long* ptid, long* vpid, long* vtid)
{
	char path[512], line[512];
	snprintf(path, sizeof(path), "%s/status", dir);
	FILE* f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char* last = strrchr(line, '\t');
		long v = last ? atol(last + 1) : 0;
		if (!strncmp(line, "PPid:", 5))
			*ptid = v;
		else if (!strncmp(line, "NStgid:", 7))
			*vpid = v;
		else if (!strncmp(line, "NSpid:", 6))
			*vtid = v;
	}
	fclose(f);
	return 0;
}

/* argv as NUL-separated strings; args[] gets argv[1..]. */
static const char* read_cmdline(const char* dir, task_buf* b)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	ssize_t n = read_file(path, b->cmdline, sizeof(b->cmdline));
	size_t na = 0;
	if (n <= 0) {
		b->args[0] = NULL;
		return "";
	}
	b->cmdline[n] = '\0';
	for (char* p = b->cmdline + strlen(b->cmdline) + 1; p < b->cmdline + n && na < MAX_ARGS;
	     p += strlen(p) + 1)
		b->args[na++] = p;
	b->args[na] = NULL;
	return b->cmdline;
}

/* The first line of DIR/cgroup.controllers (space-separated); false if unreadable. */
static bool read_controllers(const char* dir, char* buf, size_t size)
{
	char path[4800];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	ssize_t n = read_file(path, buf, size);
	if (n < 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/*
 * The cgroup v2 mount the way libscap picks it: the first cgroup2 entry of
 * <proc_root>/1/mounts whose root lists controllers (else the last readable
 * one), seen through <proc_root>/1/root. "" when there is none; unlike
 * libscap, an unreadable mount is not kept.
 */
static void cg2_mount(const char* proc_root, char* out, size_t size)
{
	char path[512], buf[4096], ctl[1024];
	snprintf(path, sizeof(path), "%s/1/mounts", proc_root);
	out[0] = '\0';
	FILE* f = setmntent(path, "re");
	struct mntent ent, *de;
	while (f && (de = getmntent_r(f, &ent, buf, sizeof(buf)))) {
		if (strcmp(de->mnt_type, "cgroup2"))
			continue;
		snprintf(out, size, "%s/1/root%s", proc_root, de->mnt_dir);
		if (!read_controllers(out, ctl, sizeof(ctl)))
			out[0] = '\0';
		else if (ctl[0])
			break;
	}
	if (f)
		endmntent(f);
}

static bool word_in(const char* words, const char* w)
{
	size_t n = strlen(w);
	for (const char* p = strstr(words, w); p; p = strstr(p + 1, w))
		if (p[-1] == ' ' && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/*
 * A v2 line as libscap resolves it: "controller=path" for every controller,
 * the path being the nearest level, from the process's cgroup up to the
 * root, whose cgroup.controllers lists it (what a v1 hierarchy would show).
 */
static size_t cg2_resolve(const char* mount, const char* cgroup, char** out, size_t n, size_t max)
{
	char level[4096], dir[4700], ctl[1024], found[1100] = " ";
	snprintf(level, sizeof(level), "%s", cgroup);
	while (n < max) {
		snprintf(dir, sizeof(dir), "%s%s", mount, level);
		if (!read_controllers(dir, ctl, sizeof(ctl)))
			break;
		char* save = NULL;
		for (char* c = strtok_r(ctl, " ", &save); c && n < max; c = strtok_r(NULL, " ", &save)) {
			if (word_in(found, c) || strlen(found) + strlen(c) + 2 > sizeof(found))
				continue;
			strcat(strcat(found, c), " ");
			if (asprintf(&out[n], "%s=%s", c, level) >= 0)
				n++;
		}
		char* q = strrchr(level, '/');
		if (!level[1] || !q)
			break;
		q[q == level] = '\0'; /* keep the leading "/" */
	}
	return n;
}

size_t host_read_cgroups(const char* proc_root, const char* path, char** out, size_t max)
{
	char line[4096], mount[512];
	size_t n = 0;
	cg2_mount(proc_root, mount, sizeof(mount));
	FILE* f = fopen(path, "re");
	while (f && n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char* c1 = strchr(line, ':');
		char* c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		if (!c1[1]) { /* "0::path", the v2 hierarchy: skipped without a v2 mount */
			if (mount[0] && !strncmp(line, "0:", 2))
				n = cg2_resolve(mount, c2 + 1, out, n, max);
			continue;
		}
		char* save = NULL;
		for (char* c = strtok_r(c1 + 1, ",", &save); c && n < max; c = strtok_r(NULL, ",", &save))
			if (asprintf(&out[n], "%s=%s", c, c2 + 1) >= 0) /* "name=systemd" kept whole */
				n++;
	}
	if (f)
		fclose(f);
	return n;
}

static void read_cgroups(const char* proc_root, const char* dir, task_buf* b)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/cgroup", dir);
	b->ncgroups = host_read_cgroups(proc_root, path, b->cgroups, MAX_CGROUPS);
	b->cgroups[b->ncgroups] = NULL;
}

/* Start time of the task's pid-namespace init: when its /proc/1 appeared, as libscap does. */
static uint64_t pidns_init_start(const char* dir)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/root/proc/1", dir);
	if (stat(path, &st))
		return 0;
	return (uint64_t)st.st_ctim.tv_sec * 1000000000ull + (uint64_t)st.st_ctim.tv_nsec;
}

/* Reads one task into b and p (p's strings point into b); 0 on success. */
static int read_task(const char* proc_root, long pid, long tid, task_buf* b, host_proc* p)
{
	char dir[256], path[512];
	snprintf(dir, sizeof(dir), "%s/%ld/task/%ld", proc_root, pid, tid);
	long ptid = 0, vpid = pid, vtid = tid;
	if (read_status(dir, &ptid, &vpid, &vtid))
		return -1;
	snprintf(path, sizeof(path), "%s/comm", dir);
	if (read_file(path, b->comm, sizeof(b->comm)) > 0)
		b->comm[strcspn(b->comm, "\n")] = '\0';
	snprintf(path, sizeof(path), "%s/exe", dir);
	ssize_t n = readlink(path, b->exe_path, sizeof(b->exe_path) - 1);
	b->exe_path[n > 0 ? n : 0] = '\0';
	const char* exe = read_cmdline(dir, b);
	read_cgroups(proc_root, dir, b);
	*p = (host_proc){.tid = tid, .pid = pid, .ptid = ptid, .vtid = vtid, .vpid = vpid,
	                 .pidns_init_start_ts = pidns_init_start(dir), .comm = b->comm,
	                 .exe = exe[0] ? exe : b->comm, .exe_path = b->exe_path, .args = b->args,
	                 .cgroups = (const char* const*)b->cgroups};
	return 0;
}

static void task_buf_free(task_buf* b)
{
	for (size_t i = 0; b && i < b->ncgroups; i++)
		free(b->cgroups[i]);
	free(b);
}

int host_scan_task(host* h, const char* proc_root, long pid, long tid)
{
	task_buf* b = calloc(1, sizeof(*b));
	host_proc p;
	int rc = b ? read_task(proc_root, pid, tid, b, &p) : -1;
	if (rc == 0)
		rc = host_thread_add(h, &p);
	task_buf_free(b);
	return rc;
}

/* b's cgroups replaced by those of task pid/tid, if it still exists. */
static void cgroups_of(const char* proc_root, long pid, long tid, task_buf* b)
{
	char dir[256], path[512];
	snprintf(dir, sizeof(dir), "%s/%ld/task/%ld", proc_root, pid, tid);
	snprintf(path, sizeof(path), "%s/cgroup", dir);
	if (access(path, R_OK))
		return;
	for (size_t i = 0; i < b->ncgroups; i++)
		free(b->cgroups[i]);
	read_cgroups(proc_root, dir, b);
}

/*
 * The exit event of TYPE (clone family: the child's side) a driver would send
 * for the task; cg_pid/cg_tid (> 0) is the task whose cgroups it carries.
 */
static ss_plugin_event* task_event(const char* proc_root, long pid, long tid, long cg_pid,
                                   long cg_tid, uint64_t ts, uint16_t type)
{
	task_buf* b = calloc(1, sizeof(*b));
	host_proc p;
	ss_plugin_event* e = NULL;
	if (b && read_task(proc_root, pid, tid, b, &p) == 0) {
		if (cg_pid > 0) {
			cgroups_of(proc_root, cg_pid, cg_tid, b);
			p.cgroups = (const char* const*)b->cgroups;
		}
		evt_proc_info i = {.res = 0, .tid = p.tid, .pid = p.pid, .ptid = p.ptid, .vtid = p.vtid,
		                   .vpid = p.vpid, .pidns_init_start_ts = p.pidns_init_start_ts,
		                   .exe = p.exe, .comm = p.comm, .cwd = "/", .args = p.args,
		                   .cgroups = p.cgroups, .filename = p.exe_path,
		                   .flags = pid != tid ? EVT_CL_CLONE_THREAD : 0};
		e = type == PPME_SYSCALL_EXECVE_19_X ? evt_execve_exit(type, ts, &i)
		                                     : evt_clone_exit(type, ts, &i);
	}
	task_buf_free(b);
	return e;
}

ss_plugin_event* host_task_execve_event(const char* proc_root, long pid, long tid, uint64_t ts)
{
	return task_event(proc_root, pid, tid, 0, 0, ts, PPME_SYSCALL_EXECVE_19_X);
}

ss_plugin_event* host_task_clone_event(const char* proc_root, long pid, long tid, long parent_pid,
                                       long parent_tid, uint64_t ts)
{
	return task_event(proc_root, pid, tid, parent_pid, parent_tid, ts, PPME_SYSCALL_CLONE_20_X);
}

static long scan_tasks(host* h, const char* proc_root, long pid)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/%ld/task", proc_root, pid);
	DIR* d = opendir(dir);
	if (!d)
		return 0;
	long n = 0;
	struct dirent* de;
	while ((de = readdir(d))) {
		long tid = atol(de->d_name);
		if (tid > 0 && host_scan_task(h, proc_root, pid, tid) == 0)
			n++;
	}
	closedir(d);
	return n;
}

long host_scan_proc(host* h, const char* proc_root)
{
	DIR* d = opendir(proc_root);
	if (!d)
		return -1;
	long n = 0;
	struct dirent* de;
	while ((de = readdir(d))) {
		long pid = atol(de->d_name);
		if (pid > 0)
			n += scan_tasks(h, proc_root, pid);
	}
	closedir(d);
	return n;
}
