/*
 * Containers announced removed, so that exactly one `container_removed` goes
 * out per container and nothing about it follows, see
 * (docs/architecture.md "Removals"). A container goes away through several signals: its init
 * process exiting (seen by the plugin on the event thread) and one or two
 * engine events (Docker die then destroy, Podman died then remove, CRI stop
 * then delete); and an engine's report started before the exit may arrive
 * after it. Keyed by short id, bounded (the oldest marks are dropped first),
 * safe from any thread.
 */
#ifndef GONE_H
#define GONE_H

#include <stdbool.h>

#define GONE_CAP 4096

typedef struct gone_set gone_set;

typedef enum gone_report {
	GONE_REPORT_ALIVE,   /* an engine's record of a container (added, updated) */
	GONE_REPORT_REMOVED, /* an engine says it is gone */
	GONE_REPORT_EXITED,  /* its init process exited */
} gone_report;

gone_set* gone_new(void);
void gone_free(gone_set* g);

/*
 * Whether a report about container id may be announced, and what it leaves
 * marked: a second removal is never announced; an engine's record after the
 * init exited is stale (the engine's own removal follows); an engine's record
 * after the engine's own removal is a restart and clears the mark.
 */
bool gone_admit(gone_set* g, const char* id, gone_report what);

/* A live process of container id was seen: whatever was marked is past. */
void gone_forget(gone_set* g, const char* id);

#endif
