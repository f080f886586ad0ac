/*
 * The start-up log (docs/architecture.md "Start-up log"): what an operator
 * sees of each engine socket at Falco's default log level. One notice per
 * socket at its first try (absent, attached with how many containers, refused,
 * permission denied, timed out), and one more when a socket absent then
 * appears; the rest (retries, reconnections) is logged at info and below.
 */
#ifndef ATTACH_LOG_H
#define ATTACH_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "log.h"

/* Where a socket's notices stand. */
typedef enum attach_notice {
	ATTACH_NOTICE_FIRST, /* nothing said yet */
	ATTACH_NOTICE_LATE,  /* said absent: its arrival is said once */
	ATTACH_NOTICE_DONE,  /* said: anything more goes to info */
} attach_notice;

/* The name operators configure the engine under ("docker", "cri", ...). */
const char* attach_kind_name(cgroup_engine kind);

/* The socket was absent at the first look. */
void attach_log_absent(const plog* l, attach_notice* st, cgroup_engine kind, const char* socket);

/* An attach succeeded after listing n containers (polling: no event stream). */
void attach_log_up(const plog* l, attach_notice* st, cgroup_engine kind, const char* socket,
                   size_t n, bool polling);

/*
 * An attach failed after elapsed_ms; the reason is found by connecting to the
 * socket once more (refused, permission denied) or from the time it took.
 */
void attach_log_failed(const plog* l, attach_notice* st, cgroup_engine kind, const char* socket,
                       uint64_t elapsed_ms, uint64_t retry_ms);

#endif
