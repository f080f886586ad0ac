/*
 * Writes a synthetic capture file (scap format, readable by libscap) for the
 * replay benchmark (bench/sinsp_bench.sh): a churn of host processes and
 * Podman containers shaped like a real 2.35-million-event capture of a busy
 * host: about one new process (parent clone, child clone, execve) per 100
 * events, ~14% of the events from processes inside containers, every
 * process with 9 cgroup controllers. Each container is announced by a
 * container JSON event (324) before its first process, as older captures
 * carry them, so the container plugin has names without any engine.
 *
 * Deterministic: the same arguments always write the same bytes.
 *
 *   scap_gen OUT.scap [-n EVENTS] [-c CONTAINERS] [-s SEED]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"

/* ---- the file format: pcapng-like blocks (libscap's savefile engine) ---- */

#define SHB_BLOCK_TYPE 0x0A0D0D0Au
#define SHB_MAGIC 0x1A2B3C4Du
#define EV_BLOCK_TYPE_V2 0x216u       /* event with nparams in its header */
#define EV_BLOCK_TYPE_V2_LARGE 0x221u /* same, for events with 4-byte lengths */

static FILE* out;
static uint64_t n_written;

static void put(const void* p, size_t n)
{
	if (fwrite(p, 1, n, out) != n) {
		perror("scap_gen: write");
		exit(1);
	}
}

static void put_u32(uint32_t v)
{
	put(&v, 4);
}

/* A block: type, total length, body padded to 4 bytes, total length again. */
static void put_block(uint32_t type, const void* body, uint32_t len)
{
	static const uint8_t pad[4];
	uint32_t padded = (len + 3) & ~3u;
	uint32_t total = 8 + padded + 4;
	put_u32(type);
	put_u32(total);
	put(body, len);
	put(pad, padded - len);
	put_u32(total);
}

static void put_section_header(void)
{
	struct __attribute__((packed)) {
		uint32_t magic;
		uint16_t major, minor;
		uint64_t section_length;
	} shb = {SHB_MAGIC, 1, 2, UINT64_MAX};
	put_block(SHB_BLOCK_TYPE, &shb, sizeof(shb));
}

/* An event block: the cpu id (2 bytes) then the event, header included. */
static void put_event(ss_plugin_event* e)
{
	if (!e) {
		fprintf(stderr, "scap_gen: event not built\n");
		exit(1);
	}
	static uint8_t buf[1 << 17];
	if (e->len + 2 > sizeof(buf)) {
		fprintf(stderr, "scap_gen: event too large\n");
		exit(1);
	}
	uint16_t cpu = 0;
	memcpy(buf, &cpu, 2);
	memcpy(buf + 2, e, e->len);
	put_block(scap_event_large_payload(e->type) ? EV_BLOCK_TYPE_V2_LARGE : EV_BLOCK_TYPE_V2, buf,
	          e->len + 2);
	free(e);
	n_written++;
}

/* ---- the model -------------------------------------------------------------- */

#define NCGROUPS 9
#define MAX_PROCS 4096
#define MAX_CONTAINERS 1024
#define HOST_DAEMONS 40
#define CTR_LONG_LIVED 2 /* per container, besides its init */

static const char* const controllers[NCGROUPS] = {
    "cpuset", "cpu", "cpuacct", "io", "memory", "devices", "freezer", "net_cls", "pids"};

typedef struct ctr {
	char id[65];
	char name[32];
	char cgroup[128];
	int64_t init_tid;
	uint32_t next_vtid;
} ctr;

typedef struct proc {
	int64_t tid, ptid, vtid;
	int ctr; /* -1: host */
	int64_t left; /* events before its exit; -1: lives to the end */
	const char* comm;
	const char* cgroup;
} proc;

static uint64_t rng_state;
static uint64_t ts = 1700000000000000000ull;
static int64_t next_tid = 1000;
static proc procs[MAX_PROCS];
static size_t nprocs;
static ctr ctrs[MAX_CONTAINERS];
static size_t nctrs;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, same sequence everywhere */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static uint64_t tick(void)
{
	ts += 400 + below(1200);
	return ts;
}

/* "controller=path" for the 9 controllers, NULL-terminated. */
static void cgroup_list(const char* path, char bufs[NCGROUPS][192], const char* list[NCGROUPS + 1])
{
	for (int i = 0; i < NCGROUPS; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "%s=%s", controllers[i], path);
		list[i] = bufs[i];
	}
	list[NCGROUPS] = NULL;
}

static const char* const host_comms[] = {"bash", "sshd", "cron", "python3", "git", "make",
                                         "gcc",  "ls",   "grep", "systemd-journal"};
static const char* const ctr_comms[] = {"nginx", "sh", "node", "java", "postgres", "redis-server"};
static const char* const host_cgroups[] = {
    "/user.slice/user-1000.slice/session-3.scope", "/system.slice/sshd.service",
    "/system.slice/cron.service", "/system.slice/systemd-journald.service",
    "/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service"};

static void emit_proc_event(uint16_t type, const proc* p, int64_t res, int64_t tid_hdr,
                            uint32_t flags)
{
	char bufs[NCGROUPS][192];
	const char* cg[NCGROUPS + 1];
	cgroup_list(p->cgroup, bufs, cg);
	char exe[64];
	snprintf(exe, sizeof(exe), "/usr/bin/%s", p->comm);
	const char* args[] = {"-c", "true", NULL};
	const char* env[] = {"PATH=/usr/bin:/bin", "HOME=/root", NULL};
	bool in_ctr = p->ctr >= 0;
	evt_proc_info pi = {
	    .res = res, .tid = tid_hdr, .pid = tid_hdr, .ptid = p->ptid,
	    .vtid = in_ctr ? p->vtid : tid_hdr, .vpid = in_ctr ? p->vtid : tid_hdr,
	    .exe = exe, .comm = p->comm, .cwd = "/", .args = args, .env = env, .cgroups = cg,
	    .filename = exe, .flags = flags};
	if (type == PPME_SYSCALL_EXECVE_19_X)
		put_event(evt_execve_exit(type, tick(), &pi));
	else
		put_event(evt_clone_exit(type, tick(), &pi));
}

/* The drivers' flags: the child is in a pid namespace other than the initial one. */
#define CL_CHILD_IN_PIDNS (1u << 29)
#define CL_CLONE_NEWPID (1u << 6)

/* parent clone exit (res = child), child clone exit (res = 0), child execve. */
static void spawn(const proc* parent, int ctr_idx, int64_t life)
{
	if (nprocs == MAX_PROCS)
		return;
	proc* c = &procs[nprocs++];
	*c = (proc){.tid = next_tid++, .ptid = parent ? parent->tid : 1, .ctr = ctr_idx, .left = life};
	if (ctr_idx >= 0) {
		ctr* k = &ctrs[ctr_idx];
		c->vtid = k->init_tid ? k->next_vtid++ : 1;
		if (!k->init_tid)
			k->init_tid = c->tid;
		c->cgroup = k->cgroup;
		c->comm = ctr_comms[below(sizeof(ctr_comms) / sizeof(*ctr_comms))];
	} else {
		c->vtid = c->tid;
		c->cgroup = parent ? parent->cgroup : host_cgroups[below(5)];
		c->comm = host_comms[below(sizeof(host_comms) / sizeof(*host_comms))];
	}
	uint32_t flags = 0;
	if (ctr_idx >= 0)
		flags = c->vtid == 1 ? CL_CLONE_NEWPID : CL_CHILD_IN_PIDNS;
	if (parent)
		emit_proc_event(PPME_SYSCALL_CLONE_20_X, parent, c->tid, parent->tid, flags);
	emit_proc_event(PPME_SYSCALL_CLONE_20_X, c, 0, c->tid, flags);
	emit_proc_event(PPME_SYSCALL_EXECVE_19_X, c, 0, c->tid, 0);
}

static void exit_proc(size_t i)
{
	put_event(evt_procexit(tick(), (uint64_t)procs[i].tid, 0));
	procs[i] = procs[--nprocs];
}

/* A syscall that is not about processes: brk, read or write. */
static void emit_filler(const proc* p)
{
	static const uint8_t data[16] = "0123456789abcdef";
	int64_t res = 16, fd = 3;
	uint32_t size = 16, zero = 0;
	uint64_t addr = 0x55aa00000000ull, res_brk = addr;
	unsigned k = below(10);
	if (k < 4) {
		evt_param v[5] = {{&res_brk, 8}, {&zero, 4}, {&zero, 4}, {&zero, 4}, {&addr, 8}};
		put_event(evt_build(159 /* brk exit */, tick(), (uint64_t)p->tid, 5, v));
	} else {
		evt_param v[4] = {{&res, 8}, {data, sizeof(data)}, {&fd, 8}, {&size, 4}};
		put_event(evt_build(k < 7 ? 7 /* read exit */ : 9 /* write exit */, tick(),
		                    (uint64_t)p->tid, 4, v));
	}
}

static void announce_container(size_t i, int64_t tid)
{
	ctr* k = &ctrs[i];
	char json[1024];
	snprintf(json, sizeof(json),
	         "{\"container\":{\"id\":\"%.12s\",\"full_id\":\"%s\",\"type\":11,\"name\":\"%s\","
	         "\"image\":\"docker.io/library/nginx:1.25\",\"imagerepo\":\"docker.io/library/nginx\","
	         "\"imagetag\":\"1.25\",\"imageid\":\"a8758716bb6a\",\"privileged\":false}}",
	         k->id, k->id, k->name);
	put_event(evt_container_json(PPME_CONTAINER_JSON_2_E, tick(), (uint64_t)tid, json));
}

static void start_container(size_t i, const proc* runtime)
{
	ctr* k = &ctrs[i];
	for (int j = 0; j < 64; j++)
		k->id[j] = "0123456789abcdef"[below(16)];
	k->id[64] = '\0';
	snprintf(k->name, sizeof(k->name), "svc-%zu", i);
	char cg[sizeof(k->cgroup)];
	snprintf(cg, sizeof(cg), "/machine.slice/libpod-%s.scope", k->id);
	memcpy(k->cgroup, cg, sizeof(cg));
	k->next_vtid = 2;
	announce_container(i, runtime->tid);
	spawn(runtime, (int)i, -1);
	const proc init = procs[nprocs - 1];
	for (int j = 0; j < CTR_LONG_LIVED; j++)
		spawn(&init, (int)i, -1);
}

static size_t pick(bool in_ctr)
{
	for (int tries = 0; tries < 64; tries++) {
		size_t i = below((unsigned)nprocs);
		if ((procs[i].ctr >= 0) == in_ctr)
			return i;
	}
	return 0;
}

int main(int argc, char** argv)
{
	uint64_t total = 2350000, seed = 42;
	unsigned ncontainers = 50;
	int opt;
	while ((opt = getopt(argc, argv, "n:c:s:")) != -1) {
		switch (opt) {
		case 'n': total = strtoull(optarg, NULL, 10); break;
		case 'c': ncontainers = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || ncontainers > MAX_CONTAINERS || total < 1000)
		goto usage;
	out = fopen(argv[optind], "wb");
	if (!out) {
		perror(argv[optind]);
		return 1;
	}
	rng_state = seed ? seed : 1;
	put_section_header();

	spawn(NULL, -1, -1); /* systemd-like ancestor of the host daemons */
	const proc root = procs[0];
	for (int i = 0; i < HOST_DAEMONS; i++)
		spawn(&root, -1, -1);
	/* Containers start over the first tenth of the capture. */
	uint64_t ctr_every = ncontainers ? total / 10 / ncontainers : 0;
	while (n_written < total) {
		if (nctrs < ncontainers && n_written >= nctrs * ctr_every) {
			start_container(nctrs, &procs[1 + below(HOST_DAEMONS)]);
			nctrs++;
			continue;
		}
		bool in_ctr = nctrs && below(100) < 14;
		size_t i = pick(in_ctr);
		if (procs[i].left == 0) {
			exit_proc(i);
			continue;
		}
		if (procs[i].left > 0)
			procs[i].left--;
		/* 1 process per ~100 events: 3 events to spawn, a few of its own, its exit. */
		if (below(100) == 0)
			spawn(&procs[i], procs[i].ctr, 1 + below(8));
		else
			emit_filler(&procs[i]);
	}
	if (fclose(out)) {
		perror("scap_gen: close");
		return 1;
	}
	fprintf(stderr, "scap_gen: %" PRIu64 " events, %zu containers, %zu processes live at the end\n",
	        n_written, nctrs, nprocs);
	return 0;

usage:
	fprintf(stderr, "usage: %s OUT.scap [-n EVENTS(>=1000)] [-c CONTAINERS] [-s SEED]\n", argv[0]);
	return 2;
}
