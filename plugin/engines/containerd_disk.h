/*
 * containerd's own files (docs/engines.md "containerd's own files"): the
 * metadata database (bbolt) that containerd keeps its containers in, read
 * on the event thread for the first events of a `ctr run` / nerdctl
 * container whose cgroup only the relaxed rule matches (docs/decisions.md
 * #1). containerd writes a container there before it creates its task, so
 * the record is on disk before the container's first process exists; the
 * API's answer comes later and replaces it.
 *
 * The containerd engine finds the database of the daemon serving its socket
 * when it attaches (a /proc walk: worker thread) and publishes the path in a
 * containerd_dbs the plugin shares between its engines and its event thread.
 */
#ifndef CONTAINERD_DISK_H
#define CONTAINERD_DISK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "containerd.h"
#include "ctr_record.h"

#define CONTAINERD_DBS_MAX 4

typedef struct containerd_dbs {
	pthread_mutex_t mu;
	char* path[CONTAINERD_DBS_MAX]; /* readable from the plugin's own mount namespace */
	_Atomic unsigned n; /* read without the lock first: none known is the common case */
} containerd_dbs;

void containerd_dbs_init(containerd_dbs* d);
void containerd_dbs_free(containerd_dbs* d);
/* Adds path (copied) unless known; the oldest goes when full. */
void containerd_dbs_add(containerd_dbs* d, const char* path);
/* Up to max paths, copied (free each); their number. */
unsigned containerd_dbs_copy(containerd_dbs* d, char** out, unsigned max);

/*
 * The metadata database of the containerd serving SOCKET, found through
 * PROC_ROOT (HOST_ROOT/proc in a container): the containerd process that has
 * both SOCKET's listening socket and "<root>/io.containerd.metadata.v1.bolt/
 * meta.db" open, or the only containerd with a database. Returned as
 * "<proc>/<pid>/fd/<n>" (malloc'd): the daemon's open file, readable whatever
 * root or mount namespace either process runs in, for as long as that daemon
 * runs (its engine finds it again when it attaches again); NULL when none.
 * Bounded walk of /proc.
 */
char* containerd_disk_find_db(const char* proc_root, const char* socket);

/*
 * The record of the container whose id is PREFIX or the only one starting
 * with PREFIX (a candidate's short id), from the database at DB, in any
 * namespace; mapped as the API's answer is (containerd_record). NULL when no
 * container or more than one matches, or the file is unreadable (why in err).
 */
ctr_record* containerd_disk_record(const char* db, const char* prefix,
                                   const containerd_map_opts* o, char* err, size_t errlen);

#endif
