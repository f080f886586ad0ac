/*
 * The process connector as an event source (proc_events.h). Reports are read
 * without blocking and handled in arrival order; the /proc read that turns a
 * pid into an event happens as soon as its report is read, which is as close
 * to "at that moment" as a source outside the kernel gets.
 */
#include "proc_events.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "proc_scan.h"

/* Reports handled before async events get their turn, when reports keep coming. */
#define PE_BATCH 64
/* How long the event thread sleeps at most before looking at the async queue. */
#define PE_POLL_MS 2
/* Room for bursts (a container start is hundreds of reports): 8 MiB as root. */
#define PE_RCVBUF (8 << 20)

struct proc_events {
	int fd;
	char proc_root[256];
	int64_t realtime_offset; /* CLOCK_REALTIME - CLOCK_MONOTONIC, at open */
	proc_events_stats stats;
};

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Sends the subscription (or its cancellation) to the connector. */
static int pe_subscribe(int fd, enum proc_cn_mcast_op op)
{
	union {
		struct nlmsghdr nl;
		char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op))];
	} m;
	memset(&m, 0, sizeof(m));
	m.nl.nlmsg_len = NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(op));
	m.nl.nlmsg_type = NLMSG_DONE;
	m.nl.nlmsg_pid = (uint32_t)getpid();
	struct cn_msg* cn = NLMSG_DATA(&m.nl);
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = sizeof(op);
	memcpy(cn->data, &op, sizeof(op));
	return send(fd, &m, m.nl.nlmsg_len, 0) == (ssize_t)m.nl.nlmsg_len ? 0 : -1;
}

proc_events* proc_events_open(const char* proc_root, char* why, size_t why_size)
{
	int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
	if (fd < 0) {
		snprintf(why, why_size, "process connector: socket: %s", strerror(errno));
		return NULL;
	}
	int size = PE_RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC};
	const char* step = "bind";
	if (bind(fd, (struct sockaddr*)&sa, sizeof(sa)) ||
	    (step = "subscribe", pe_subscribe(fd, PROC_CN_MCAST_LISTEN))) {
		snprintf(why, why_size, "process connector: %s: %s%s", step, strerror(errno),
		         errno == EPERM || errno == EACCES ? " (needs root in the initial namespaces)"
		                                           : "");
		close(fd);
		return NULL;
	}
	proc_events* pe = calloc(1, sizeof(*pe));
	if (!pe) {
		close(fd);
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	pe->fd = fd;
	snprintf(pe->proc_root, sizeof(pe->proc_root), "%s", proc_root);
	pe->realtime_offset = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC));
	return pe;
}

void proc_events_close(proc_events* pe)
{
	if (!pe)
		return;
	pe_subscribe(pe->fd, PROC_CN_MCAST_IGNORE);
	close(pe->fd);
	free(pe);
}

const proc_events_stats* proc_events_get_stats(const proc_events* pe)
{
	return &pe->stats;
}

/* Feeds the event built for one report (NULL: nothing to feed) and tells fn. */
static void pe_deliver(proc_events* pe, host* h, ss_plugin_event* e, proc_events_seen* seen,
                       proc_events_fn fn, void* arg)
{
	if (!e)
		return;
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
	if (host_feed(h, e) == 0) {
		seen->feed_ns = clock_ns(CLOCK_MONOTONIC) - t0;
		pe->stats.fed++;
		seen->event = e;
		if (fn)
			fn(arg, h, seen);
	}
	free(e);
}

static void pe_handle(proc_events* pe, host* h, const struct proc_event* ev, proc_events_fn fn,
                      void* arg)
{
	proc_events_seen seen = {.mono_ns = ev->timestamp_ns};
	uint64_t ts = ev->timestamp_ns + (uint64_t)pe->realtime_offset;
	ss_plugin_event* e = NULL;
	switch (ev->what) {
	case PROC_EVENT_FORK:
		pe->stats.forks++;
		seen.kind = PROC_EVENTS_FORK;
		seen.pid = ev->event_data.fork.child_tgid;
		seen.tid = ev->event_data.fork.child_pid;
		e = host_task_clone_event(pe->proc_root, (long)seen.pid, (long)seen.tid,
		                          (long)ev->event_data.fork.parent_tgid,
		                          (long)ev->event_data.fork.parent_pid, ts);
		pe->stats.gone += !e;
		break;
	case PROC_EVENT_EXEC:
		pe->stats.execs++;
		seen.kind = PROC_EVENTS_EXEC;
		seen.pid = ev->event_data.exec.process_tgid;
		seen.tid = ev->event_data.exec.process_pid;
		e = host_task_execve_event(pe->proc_root, (long)seen.pid, (long)seen.tid, ts);
		pe->stats.gone += !e;
		break;
	case PROC_EVENT_EXIT:
		pe->stats.exits++;
		seen.kind = PROC_EVENTS_EXIT;
		seen.pid = ev->event_data.exit.process_tgid;
		seen.tid = ev->event_data.exit.process_pid;
		/* a procexit of a thread the host never had would describe nothing */
		if (host_thread_exists(h, seen.tid))
			e = evt_procexit(ts, (uint64_t)seen.tid, (int64_t)ev->event_data.exit.exit_code);
		else
			pe->stats.unknown++;
		break;
	default: /* the subscription's acknowledgement, uid/gid/sid/comm changes... */
		return;
	}
	pe_deliver(pe, h, e, &seen, fn, arg);
}

/* Handles up to PE_BATCH reports; returns how many, -1 on a socket error. */
static int pe_read_batch(proc_events* pe, host* h, proc_events_fn fn, void* arg)
{
	int handled = 0;
	while (handled < PE_BATCH) {
		union {
			struct nlmsghdr nl;
			char buf[8192];
		} m;
		ssize_t got = recv(pe->fd, &m, sizeof(m), 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) { /* the kernel dropped reports; later ones still come */
				pe->stats.overruns++;
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK ? handled : -1;
		}
		__u32 len = (__u32)got; /* unsigned, as NLMSG_OK compares it with nlmsg_len */
		for (struct nlmsghdr* nl = &m.nl; NLMSG_OK(nl, len); nl = NLMSG_NEXT(nl, len)) {
			struct cn_msg* cn = NLMSG_DATA(nl);
			size_t room = nl->nlmsg_len - NLMSG_LENGTH(0);
			if (nl->nlmsg_type != NLMSG_DONE || room < sizeof(*cn) ||
			    cn->id.idx != CN_IDX_PROC || cn->len < sizeof(struct proc_event) ||
			    room - sizeof(*cn) < cn->len)
				continue;
			struct proc_event ev;
			memcpy(&ev, cn->data, sizeof(ev));
			pe_handle(pe, h, &ev, fn, arg);
			handled++;
		}
	}
	return handled;
}

int proc_events_pump(proc_events* pe, host* h, int max_ms, proc_events_fn fn, void* arg)
{
	uint64_t deadline = clock_ns(CLOCK_MONOTONIC) + (uint64_t)(max_ms > 0 ? max_ms : 0) * 1000000u;
	for (;;) {
		int n = pe_read_batch(pe, h, fn, arg);
		if (n < 0)
			return -1;
		size_t delivered = host_drain_async(h);
		pe->stats.async += delivered;
		uint64_t now = clock_ns(CLOCK_MONOTONIC);
		if (delivered || now >= deadline)
			return 0;
		if (n == PE_BATCH)
			continue; /* more reports are waiting */
		uint64_t left_ms = (deadline - now + 999999) / 1000000;
		struct pollfd p = {.fd = pe->fd, .events = POLLIN};
		poll(&p, 1, (int)(left_ms < PE_POLL_MS ? left_ms : PE_POLL_MS));
	}
}
