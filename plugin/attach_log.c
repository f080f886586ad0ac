#include "attach_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* An attach that failed after this long did so waiting: the engine did not answer in time. */
#define TIMED_OUT_MS 1000

const char* attach_kind_name(cgroup_engine kind)
{
	switch (kind) {
	case CGROUP_ENGINE_DOCKER: return "docker";
	case CGROUP_ENGINE_PODMAN: return "podman";
	case CGROUP_ENGINE_CRI: return "cri";
	case CGROUP_ENGINE_CONTAINERD: return "containerd";
	default: return "engine";
	}
}

/* The notice while nothing or only "absent" was said; info after. */
static ss_plugin_log_severity level(attach_notice* st, bool final)
{
	ss_plugin_log_severity sev =
	    *st == ATTACH_NOTICE_DONE ? SS_PLUGIN_LOG_SEV_INFO : SS_PLUGIN_LOG_SEV_NOTICE;
	if (final)
		*st = ATTACH_NOTICE_DONE;
	return sev;
}

void attach_log_absent(const plog* l, attach_notice* st, cgroup_engine kind, const char* socket)
{
	if (*st != ATTACH_NOTICE_FIRST) {
		plog_info(l, "%s socket %s: absent", attach_kind_name(kind), socket);
		return;
	}
	plog_write(l, SS_PLUGIN_LOG_SEV_NOTICE, "%s socket %s: absent (attached when it appears)",
	           attach_kind_name(kind), socket);
	*st = ATTACH_NOTICE_LATE;
}

static const char* appeared(const attach_notice* st)
{
	return *st == ATTACH_NOTICE_LATE ? " appeared" : "";
}

void attach_log_up(const plog* l, attach_notice* st, cgroup_engine kind, const char* socket,
                   size_t n, bool polling)
{
	const char* late = appeared(st);
	plog_write(l, level(st, true), "%s socket %s%s: attached, %zu container%s listed%s",
	           attach_kind_name(kind), socket, late, n, n == 1 ? "" : "s",
	           polling ? " (polling, no event stream)" : "");
}

/* errno of a fresh connection to the socket, 0 when it connects (or cannot be tried). */
static int connect_errno(const char* path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path))
		return 0;
	memcpy(a.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int err = connect(fd, (struct sockaddr*)&a, sizeof(a)) ? errno : 0;
	close(fd);
	return err == EAGAIN || err == EINPROGRESS ? 0 : err;
}

void attach_log_failed(const plog* l, attach_notice* st, cgroup_engine kind, const char* socket,
                       uint64_t elapsed_ms, uint64_t retry_ms)
{
	char why[96];
	int err = connect_errno(socket);
	if (err == ECONNREFUSED)
		snprintf(why, sizeof(why), "connection refused");
	else if (err == EACCES || err == EPERM)
		snprintf(why, sizeof(why), "permission denied");
	else if (err)
		snprintf(why, sizeof(why), "cannot connect (%s)", strerror(err));
	else if (elapsed_ms >= TIMED_OUT_MS)
		snprintf(why, sizeof(why), "timed out after %llu ms", (unsigned long long)elapsed_ms);
	else
		snprintf(why, sizeof(why), "answered with an error");
	const char* late = appeared(st);
	plog_write(l, level(st, true), "%s socket %s%s: %s, retrying in %llu ms",
	           attach_kind_name(kind), socket, late, why, (unsigned long long)retry_ms);
}
