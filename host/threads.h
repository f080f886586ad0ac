/*
 * The host's `threads` table (docs/abi.md "Threads table"): key INT64 (thread id),
 * the built-in fields (docs/abi.md "Threads table"; except file_descriptors), the array sub-tables
 * args/env/cgroups, and dynamic fields added by the plugin.
 *
 * Two faces: the table-API functions below (handed to the plugin through the
 * legacy and _ext vtables; every handle they take is a threads table or one of
 * its temporary sub-table handles), and host-side accessors used by the
 * host's own state update. Not thread-safe: event thread only.
 */
#ifndef HOST_THREADS_H
#define HOST_THREADS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin_api.h"

typedef struct threads_table threads_table;
typedef struct threads_entry threads_entry;

typedef enum threads_sub_kind {
	THREADS_SUB_ARGS = 0,
	THREADS_SUB_ENV = 1,
	THREADS_SUB_CGROUPS = 2,
	THREADS_SUB_COUNT = 3,
} threads_sub_kind;

/* Static fields, in the order list_table_fields reports them. */
typedef enum threads_fid {
	THREADS_F_TID,
	THREADS_F_PID,
	THREADS_F_PTID,
	THREADS_F_REAPER_TID,
	THREADS_F_SID,
	THREADS_F_COMM,
	THREADS_F_EXE,
	THREADS_F_EXE_PATH,
	THREADS_F_EXE_WRITABLE,
	THREADS_F_EXE_UPPER_LAYER,
	THREADS_F_EXE_LOWER_LAYER,
	THREADS_F_EXE_FROM_MEMFD,
	THREADS_F_ARGS,
	THREADS_F_ENV,
	THREADS_F_CGROUPS,
	THREADS_F_FLAGS,
	THREADS_F_FD_LIMIT,
	THREADS_F_UID,
	THREADS_F_GID,
	THREADS_F_LOGINUID,
	THREADS_F_EXE_INO,
	THREADS_F_EXE_INO_CTIME,
	THREADS_F_EXE_INO_MTIME,
	THREADS_F_VTID,
	THREADS_F_VPID,
	THREADS_F_VPGID,
	THREADS_F_PGID,
	THREADS_F_PIDNS_INIT_START_TS,
	THREADS_F_ROOT,
	THREADS_F_TTY,
	THREADS_F_CWD,
	THREADS_F_NSTATIC,
} threads_fid;

/*
 * owner_err: a PLUGIN_MAX_ERRLEN buffer owned by the caller that outlives the
 * table; failures of the table API write the owner's last error there.
 */
threads_table* threads_new(char* owner_err);
void threads_free(threads_table* t);

/* True if `t` is a threads table or one of its sub-table handles. */
bool threads_is_handle(const void* t);

/* ---- table API (same functions in the legacy and _ext vtables) ---- */

const ss_plugin_table_fieldinfo* threads_list_fields(ss_plugin_table_t* t, uint32_t* nfields);
ss_plugin_table_field_t* threads_get_field(ss_plugin_table_t* t, const char* name,
                                           ss_plugin_state_type type);
ss_plugin_table_field_t* threads_add_field(ss_plugin_table_t* t, const char* name,
                                           ss_plugin_state_type type);
const char* threads_get_name(ss_plugin_table_t* t);
uint64_t threads_get_size(ss_plugin_table_t* t);
ss_plugin_table_entry_t* threads_get_entry(ss_plugin_table_t* t, const ss_plugin_state_data* key);
ss_plugin_rc threads_read_field(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                                const ss_plugin_table_field_t* f, ss_plugin_state_data* out);
void threads_release_entry(ss_plugin_table_t* t, ss_plugin_table_entry_t* e);
ss_plugin_bool threads_iterate(ss_plugin_table_t* t, ss_plugin_table_iterator_func_t it,
                               ss_plugin_table_iterator_state_t* s);
ss_plugin_rc threads_clear(ss_plugin_table_t* t);
ss_plugin_rc threads_erase_entry(ss_plugin_table_t* t, const ss_plugin_state_data* key);
ss_plugin_table_entry_t* threads_create_entry(ss_plugin_table_t* t);
void threads_destroy_entry(ss_plugin_table_t* t, ss_plugin_table_entry_t* e);
ss_plugin_table_entry_t* threads_add_entry(ss_plugin_table_t* t, const ss_plugin_state_data* key,
                                           ss_plugin_table_entry_t* e);
ss_plugin_rc threads_write_field(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                                 const ss_plugin_table_field_t* f, const ss_plugin_state_data* in);

/*
 * End of a plugin callback: releases the entries the plugin left pinned,
 * drops detached entries neither added nor destroyed, and, if `recycle`,
 * invalidates every temporary sub-table handle (docs/abi.md "Threads table").
 */
void threads_callback_end(threads_table* t, bool recycle);

/* ---- host side ---- */

size_t threads_count(const threads_table* t);
/* Borrowed pointer, valid until the entry is replaced or removed. */
threads_entry* threads_find(const threads_table* t, int64_t tid);
/* A fresh entry for `tid` (fields zero/empty, tid set), replacing any; NULL on OOM. */
threads_entry* threads_put(threads_table* t, int64_t tid);
bool threads_remove(threads_table* t, int64_t tid);

/* Static-field access; bypasses read-only (the host owns those fields). */
ss_plugin_state_data threads_get(const threads_entry* e, threads_fid f);
const char* threads_get_str(const threads_entry* e, threads_fid f); /* never NULL */
bool threads_set(threads_table* t, threads_entry* e, threads_fid f, ss_plugin_state_data v);
bool threads_set_i64(threads_table* t, threads_entry* e, threads_fid f, int64_t v);
bool threads_set_str(threads_table* t, threads_entry* e, threads_fid f, const char* s);

/*
 * Sub-table content: from a bytebuf of NUL-separated strings (event format) or
 * a NULL-terminated string array. cgroups take "subsys=path" strings and get
 * libsinsp's controller-name normalisation (docs/abi.md "Threads table").
 */
bool threads_set_list_buf(threads_entry* e, threads_sub_kind k, const char* buf, size_t len);
bool threads_set_list_strv(threads_entry* e, threads_sub_kind k, const char* const* v);
bool threads_copy_list(threads_entry* dst, const threads_entry* src, threads_sub_kind k);

/* A string field by name ("" if unset; NULL if no such thread or string field). */
const char* threads_field_str(const threads_table* t, int64_t tid, const char* name);
/* A UINT16 field by name; false if the thread or the field is absent. */
bool threads_field_u16(const threads_table* t, int64_t tid, const char* name, uint16_t* out);

#endif
