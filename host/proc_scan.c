#include "proc_scan.h"

#include "events.h"

#include <dirent.h>
#include <fcntl.h>
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

size_t host_read_cgroups(const char* path, char** out, size_t max)
{
	char line[4096];
	size_t n = 0;
	FILE* f = fopen(path, "re");
	while (f && n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char* c1 = strchr(line, ':');
		char* c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		char* ctrls = c1 + 1;
		char* save = NULL;
		for (char* c = strtok_r(*ctrls ? ctrls : (char[]){"unified"}, ",", &save); c && n < max;
		     c = strtok_r(NULL, ",", &save)) {
			if (!strncmp(c, "name=", 5))
				c += 5;
			if (asprintf(&out[n], "%s=%s", c, c2 + 1) >= 0)
				n++;
		}
	}
	if (f)
		fclose(f);
	return n;
}

static void read_cgroups(const char* dir, task_buf* b)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/cgroup", dir);
	b->ncgroups = host_read_cgroups(path, b->cgroups, MAX_CGROUPS);
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
	read_cgroups(dir, b);
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

ss_plugin_event* host_task_execve_event(const char* proc_root, long pid, long tid, uint64_t ts)
{
	task_buf* b = calloc(1, sizeof(*b));
	host_proc p;
	ss_plugin_event* e = NULL;
	if (b && read_task(proc_root, pid, tid, b, &p) == 0) {
		evt_proc_info i = {.res = 0, .tid = p.tid, .pid = p.pid, .ptid = p.ptid, .vtid = p.vtid,
		                   .vpid = p.vpid, .pidns_init_start_ts = p.pidns_init_start_ts,
		                   .exe = p.exe, .comm = p.comm, .cwd = "/", .args = p.args,
		                   .cgroups = p.cgroups, .filename = p.exe_path};
		e = evt_execve_exit(PPME_SYSCALL_EXECVE_19_X, ts, &i);
	}
	task_buf_free(b);
	return e;
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
