/*
 * The threads table. Memory model:
 *  - entries are reference counted: the map holds one reference, every pin
 *    handed to the plugin (get_table_entry/add_table_entry) one, the detached
 *    list (create_table_entry) one, every live sub-table handle one. So an
 *    entry erased or replaced while the plugin still holds it stays valid
 *    until released, as a pinned libsinsp entry would.
 *  - field values live in a per-entry slot array indexed like the table's
 *    field list; strings are owned copies; slots grow lazily, so dynamic
 *    fields added later read as zero/"" in older entries.
 *  - sub-table elements (args/env/cgroups) are individually allocated items
 *    whose address is the entry handle given to the plugin.
 * Every handle starts with a magic word so that the vtable functions can tell
 * a table from a sub-table handle and reject foreign pointers.
 */
#include "threads.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS_MAGIC_TABLE 0x54485254u /* "THRT" */
#define THREADS_MAGIC_SUB 0x54485253u   /* "THRS" */
#define THREADS_MAGIC_ENTRY 0x54485245u /* "THRE" */
#define THREADS_MAGIC_ITEM 0x54485249u  /* "THRI" */
#define THREADS_MAGIC_DEAD 0xdeadbeefu

typedef struct threads_field {
	const char* name; /* literal for static fields, owned copy for dynamic ones */
	ss_plugin_state_type type;
	bool read_only;
	bool dynamic;
	uint32_t index; /* slot in the entry, == position in the field list */
	int sub;        /* threads_sub_kind of a TABLE field, -1 otherwise */
} threads_field;

typedef struct threads_item {
	uint32_t magic;
	uint32_t kind;
	char* a; /* args/env: value; cgroups: first (controller) */
	char* b; /* cgroups: second (path) */
} threads_item;

typedef struct threads_list {
	threads_item** items;
	uint32_t n;
} threads_list;

struct threads_entry {
	uint32_t magic;
	uint32_t refs;
	bool in_table;
	int64_t key;
	ss_plugin_state_data* vals;
	uint32_t nvals;
	threads_list lists[THREADS_SUB_COUNT];
	threads_entry* next; /* hash chain */
};

typedef struct threads_sub {
	uint32_t magic;
	uint32_t kind;
	threads_table* t;
	threads_entry* e; /* NULL once recycled: a stale handle fails cleanly */
} threads_sub;

typedef struct threads_vec {
	void** v;
	size_t n, cap;
} threads_vec;

struct threads_table {
	uint32_t magic;
	char* err;
	threads_field** fields;
	uint32_t nfields;
	ss_plugin_table_fieldinfo* infos;
	threads_entry** buckets;
	size_t nbuckets, count;
	threads_vec pins, detached, subs;
	size_t subs_used;
	/* Accessors recently validated, by pointer hash: a plugin reads and writes
	 * the same few fields on every event, and a scan of ~40 would cost more
	 * than the access itself. Holds only pointers taken from `fields`. */
	const threads_field* seen[16];
};

static const struct {
	const char* name;
	ss_plugin_state_type type;
	bool read_only;
	int sub;
} threads_static[THREADS_F_NSTATIC] = {
	[THREADS_F_TID] = {"tid", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_PID] = {"pid", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_PTID] = {"ptid", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_REAPER_TID] = {"reaper_tid", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_SID] = {"sid", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_COMM] = {"comm", SS_PLUGIN_ST_STRING, false, -1},
	[THREADS_F_EXE] = {"exe", SS_PLUGIN_ST_STRING, false, -1},
	[THREADS_F_EXE_PATH] = {"exe_path", SS_PLUGIN_ST_STRING, false, -1},
	[THREADS_F_EXE_WRITABLE] = {"exe_writable", SS_PLUGIN_ST_BOOL, false, -1},
	[THREADS_F_EXE_UPPER_LAYER] = {"exe_upper_layer", SS_PLUGIN_ST_BOOL, false, -1},
	[THREADS_F_EXE_LOWER_LAYER] = {"exe_lower_layer", SS_PLUGIN_ST_BOOL, false, -1},
	[THREADS_F_EXE_FROM_MEMFD] = {"exe_from_memfd", SS_PLUGIN_ST_BOOL, false, -1},
	[THREADS_F_ARGS] = {"args", SS_PLUGIN_ST_TABLE, true, THREADS_SUB_ARGS},
	[THREADS_F_ENV] = {"env", SS_PLUGIN_ST_TABLE, true, THREADS_SUB_ENV},
	[THREADS_F_CGROUPS] = {"cgroups", SS_PLUGIN_ST_TABLE, true, THREADS_SUB_CGROUPS},
	[THREADS_F_FLAGS] = {"flags", SS_PLUGIN_ST_UINT32, false, -1},
	[THREADS_F_FD_LIMIT] = {"fd_limit", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_UID] = {"uid", SS_PLUGIN_ST_UINT32, false, -1},
	[THREADS_F_GID] = {"gid", SS_PLUGIN_ST_UINT32, false, -1},
	[THREADS_F_LOGINUID] = {"loginuid", SS_PLUGIN_ST_UINT32, false, -1},
	[THREADS_F_EXE_INO] = {"exe_ino", SS_PLUGIN_ST_UINT64, false, -1},
	[THREADS_F_EXE_INO_CTIME] = {"exe_ino_ctime", SS_PLUGIN_ST_UINT64, false, -1},
	[THREADS_F_EXE_INO_MTIME] = {"exe_ino_mtime", SS_PLUGIN_ST_UINT64, false, -1},
	[THREADS_F_VTID] = {"vtid", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_VPID] = {"vpid", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_VPGID] = {"vpgid", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_PGID] = {"pgid", SS_PLUGIN_ST_INT64, false, -1},
	[THREADS_F_PIDNS_INIT_START_TS] = {"pidns_init_start_ts", SS_PLUGIN_ST_UINT64, false, -1},
	[THREADS_F_ROOT] = {"root", SS_PLUGIN_ST_STRING, false, -1},
	[THREADS_F_TTY] = {"tty", SS_PLUGIN_ST_UINT32, false, -1},
	[THREADS_F_CWD] = {"cwd", SS_PLUGIN_ST_STRING, true, -1},
};

/* Sub-table fields: shared immutable descriptors; their address is the accessor. */
static const threads_field threads_sub_fields[THREADS_SUB_COUNT][2] = {
	[THREADS_SUB_ARGS] = {{"value", SS_PLUGIN_ST_STRING, false, false, 0, -1}},
	[THREADS_SUB_ENV] = {{"value", SS_PLUGIN_ST_STRING, false, false, 0, -1}},
	[THREADS_SUB_CGROUPS] = {{"first", SS_PLUGIN_ST_STRING, false, false, 0, -1},
	                         {"second", SS_PLUGIN_ST_STRING, false, false, 1, -1}},
};
static const uint32_t threads_sub_nfields[THREADS_SUB_COUNT] = {1, 1, 2};
static const ss_plugin_table_fieldinfo threads_sub_infos[THREADS_SUB_COUNT][2] = {
	[THREADS_SUB_ARGS] = {{"value", SS_PLUGIN_ST_STRING, 0}},
	[THREADS_SUB_ENV] = {{"value", SS_PLUGIN_ST_STRING, 0}},
	[THREADS_SUB_CGROUPS] = {{"first", SS_PLUGIN_ST_STRING, 0}, {"second", SS_PLUGIN_ST_STRING, 0}},
};
static const char* const threads_sub_names[THREADS_SUB_COUNT] = {"args", "env", "cgroups"};

/* ---- small helpers ---- */

__attribute__((format(printf, 2, 3))) static void threads_err(threads_table* t, const char* fmt,
                                                               ...)
{
	if (!t || !t->err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->err, PLUGIN_MAX_ERRLEN, fmt, ap);
	va_end(ap);
}

static bool threads_vec_push(threads_vec* v, void* p)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void** nv = realloc(v->v, cap * sizeof(*nv));
		if (!nv)
			return false;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = p;
	return true;
}

/* Removes one occurrence of p (the latest); false if absent. */
static bool threads_vec_take(threads_vec* v, const void* p)
{
	for (size_t i = v->n; i-- > 0;) {
		if (v->v[i] == p) {
			v->v[i] = v->v[--v->n];
			return true;
		}
	}
	return false;
}

static uint32_t threads_magic(const void* p)
{
	uint32_t m;
	memcpy(&m, p, sizeof(m));
	return m;
}

bool threads_is_handle(const void* t)
{
	if (!t)
		return false;
	uint32_t m = threads_magic(t);
	return m == THREADS_MAGIC_TABLE || m == THREADS_MAGIC_SUB;
}

static threads_table* threads_as_table(ss_plugin_table_t* t)
{
	return t && threads_magic(t) == THREADS_MAGIC_TABLE ? t : NULL;
}

static threads_sub* threads_as_sub(ss_plugin_table_t* t)
{
	return t && threads_magic(t) == THREADS_MAGIC_SUB ? t : NULL;
}

static threads_entry* threads_as_entry(threads_table* t, ss_plugin_table_entry_t* e)
{
	if (e && threads_magic(e) == THREADS_MAGIC_ENTRY)
		return e;
	threads_err(t, "invalid threads table entry handle");
	return NULL;
}

static bool threads_scalar_type(ss_plugin_state_type type)
{
	switch (type) {
	case SS_PLUGIN_ST_INT8:
	case SS_PLUGIN_ST_INT16:
	case SS_PLUGIN_ST_INT32:
	case SS_PLUGIN_ST_INT64:
	case SS_PLUGIN_ST_UINT8:
	case SS_PLUGIN_ST_UINT16:
	case SS_PLUGIN_ST_UINT32:
	case SS_PLUGIN_ST_UINT64:
	case SS_PLUGIN_ST_STRING:
	case SS_PLUGIN_ST_BOOL:
		return true;
	default:
		return false;
	}
}

/* Copies only the member selected by `type`, so stray high bytes never leak in. */
static ss_plugin_state_data threads_narrow(ss_plugin_state_type type,
                                           const ss_plugin_state_data* in)
{
	ss_plugin_state_data v;
	memset(&v, 0, sizeof(v));
	switch (type) {
	case SS_PLUGIN_ST_INT8:
		v.s8 = in->s8;
		break;
	case SS_PLUGIN_ST_INT16:
		v.s16 = in->s16;
		break;
	case SS_PLUGIN_ST_INT32:
		v.s32 = in->s32;
		break;
	case SS_PLUGIN_ST_UINT8:
		v.u8 = in->u8;
		break;
	case SS_PLUGIN_ST_UINT16:
		v.u16 = in->u16;
		break;
	case SS_PLUGIN_ST_UINT32:
		v.u32 = in->u32;
		break;
	case SS_PLUGIN_ST_BOOL:
		v.b = in->b ? 1 : 0;
		break;
	default:
		v.u64 = in->u64;
		break;
	}
	return v;
}

/* ---- items and lists ---- */

static void threads_item_free(threads_item* it)
{
	if (!it)
		return;
	it->magic = THREADS_MAGIC_DEAD;
	free(it->a);
	free(it->b);
	free(it);
}

static void threads_list_clear(threads_list* l)
{
	for (uint32_t i = 0; i < l->n; i++)
		threads_item_free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static threads_item* threads_item_new(threads_sub_kind k, const char* a, size_t alen,
                                      const char* b, size_t blen)
{
	threads_item* it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->magic = THREADS_MAGIC_ITEM;
	it->kind = k;
	it->a = strndup(a, alen);
	it->b = b ? strndup(b, blen) : NULL;
	if (!it->a || (b && !it->b)) {
		threads_item_free(it);
		return NULL;
	}
	return it;
}

static bool threads_list_append(threads_list* l, threads_item* it)
{
	threads_item** ni = realloc(l->items, (l->n + 1) * sizeof(*ni));
	if (!ni) {
		threads_item_free(it);
		return false;
	}
	l->items = ni;
	l->items[l->n++] = it;
	return true;
}

/* libsinsp's controller normalisation: drop the first "_cgroup", then rename. */
static void threads_cgroup_subsys(const char* s, size_t n, char* out, size_t outlen)
{
	size_t o = 0;
	const char* cut = NULL;
	for (size_t i = 0; i + 7 <= n && !cut; i++)
		if (memcmp(s + i, "_cgroup", 7) == 0)
			cut = s + i;
	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		if (cut && s + i >= cut && s + i < cut + 7)
			continue;
		out[o++] = s[i];
	}
	out[o] = '\0';
	if (!strcmp(out, "perf"))
		snprintf(out, outlen, "perf_event");
	else if (!strcmp(out, "mem"))
		snprintf(out, outlen, "memory");
	else if (!strcmp(out, "io"))
		snprintf(out, outlen, "blkio");
}

/*
 * Appends one string of length n to l; for cgroups splits "subsys=path".
 * Returns 1 on success, 0 to stop silently (a cgroup without '=' ends the list,
 * as in libsinsp), -1 on OOM.
 */
static int threads_list_add_one(threads_list* l, threads_sub_kind k, const char* s, size_t n)
{
	if (k != THREADS_SUB_CGROUPS) {
		threads_item* it = threads_item_new(k, s, n, NULL, 0);
		return it && threads_list_append(l, it) ? 1 : -1;
	}
	const char* eq = memchr(s, '=', n);
	if (!eq)
		return 0;
	char subsys[256];
	threads_cgroup_subsys(s, (size_t)(eq - s), subsys, sizeof(subsys));
	threads_item* it = threads_item_new(k, subsys, strlen(subsys), eq + 1,
	                                    n - (size_t)(eq - s) - 1);
	return it && threads_list_append(l, it) ? 1 : -1;
}

static void threads_list_replace(threads_entry* e, threads_sub_kind k, threads_list* nl)
{
	threads_list_clear(&e->lists[k]);
	e->lists[k] = *nl;
}

bool threads_set_list_buf(threads_entry* e, threads_sub_kind k, const char* buf, size_t len)
{
	threads_list nl = {NULL, 0};
	/* A trailing NUL terminates the last string rather than starting an empty one. */
	if (len > 0 && buf[len - 1] == '\0')
		len--;
	size_t off = 0;
	while (buf && len > 0 && off <= len) {
		const char* s = buf + off;
		const char* nul = memchr(s, '\0', len - off);
		size_t n = nul ? (size_t)(nul - s) : len - off;
		int r = threads_list_add_one(&nl, k, s, n);
		if (r < 0) {
			threads_list_clear(&nl);
			return false;
		}
		if (r == 0)
			break;
		off += n + 1;
	}
	threads_list_replace(e, k, &nl);
	return true;
}

bool threads_set_list_strv(threads_entry* e, threads_sub_kind k, const char* const* v)
{
	threads_list nl = {NULL, 0};
	for (size_t i = 0; v && v[i]; i++) {
		int r = threads_list_add_one(&nl, k, v[i], strlen(v[i]));
		if (r < 0) {
			threads_list_clear(&nl);
			return false;
		}
		if (r == 0)
			break;
	}
	threads_list_replace(e, k, &nl);
	return true;
}

bool threads_copy_list(threads_entry* dst, const threads_entry* src, threads_sub_kind k)
{
	threads_list nl = {NULL, 0};
	const threads_list* sl = &src->lists[k];
	for (uint32_t i = 0; i < sl->n; i++) {
		const threads_item* si = sl->items[i];
		threads_item* it = threads_item_new(k, si->a, strlen(si->a), si->b,
		                                    si->b ? strlen(si->b) : 0);
		if (!it || !threads_list_append(&nl, it)) {
			threads_list_clear(&nl);
			return false;
		}
	}
	threads_list_replace(dst, k, &nl);
	return true;
}

/* ---- entries ---- */

static threads_entry* threads_entry_new(void)
{
	threads_entry* e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->magic = THREADS_MAGIC_ENTRY;
	e->refs = 1;
	return e;
}

static void threads_entry_free(threads_table* t, threads_entry* e)
{
	for (uint32_t i = 0; i < e->nvals && i < t->nfields; i++)
		if (t->fields[i]->type == SS_PLUGIN_ST_STRING)
			free((char*)e->vals[i].str);
	free(e->vals);
	for (int k = 0; k < THREADS_SUB_COUNT; k++)
		threads_list_clear(&e->lists[k]);
	e->magic = THREADS_MAGIC_DEAD;
	free(e);
}

static void threads_unref(threads_table* t, threads_entry* e)
{
	if (e && --e->refs == 0)
		threads_entry_free(t, e);
}

/* The value slot of field index `idx`, growing the slot array when writing. */
/* Slot idx of the entry; growing makes room for every field the table has
 * (nfields), so a new thread's values cost one allocation, not one per field. */
static ss_plugin_state_data* threads_slot(threads_entry* e, uint32_t idx, uint32_t nfields)
{
	if (idx < e->nvals)
		return &e->vals[idx];
	uint32_t n = idx + 1 > nfields ? idx + 1 : nfields;
	ss_plugin_state_data* nv = realloc(e->vals, n * sizeof(*nv));
	if (!nv)
		return NULL;
	memset(nv + e->nvals, 0, (n - e->nvals) * sizeof(*nv));
	e->vals = nv;
	e->nvals = n;
	return &e->vals[idx];
}

/* Stores a value (strings copied); the caller has validated the field. */
static bool threads_store(const threads_table* t, threads_entry* e, const threads_field* f,
                          const ss_plugin_state_data* in)
{
	char* copy = NULL;
	if (f->type == SS_PLUGIN_ST_STRING) {
		copy = strdup(in->str);
		if (!copy)
			return false;
	}
	ss_plugin_state_data* slot = threads_slot(e, f->index, t->nfields);
	if (!slot) {
		free(copy);
		return false;
	}
	if (f->type == SS_PLUGIN_ST_STRING) {
		free((char*)slot->str);
		slot->str = copy;
	} else {
		*slot = threads_narrow(f->type, in);
	}
	return true;
}

static ss_plugin_state_data threads_load(const threads_entry* e, const threads_field* f)
{
	ss_plugin_state_data v;
	memset(&v, 0, sizeof(v));
	if (f->index < e->nvals)
		v = e->vals[f->index];
	if (f->type == SS_PLUGIN_ST_STRING && !v.str)
		v.str = ""; /* docs/abi.md "Threads table": strings never read as NULL */
	return v;
}

/* ---- the map ---- */

static size_t threads_bucket(const threads_table* t, int64_t key)
{
	uint64_t x = (uint64_t)key + 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return (size_t)((x ^ (x >> 31)) & (t->nbuckets - 1));
}

threads_entry* threads_find(const threads_table* t, int64_t tid)
{
	for (threads_entry* e = t->buckets[threads_bucket(t, tid)]; e; e = e->next)
		if (e->key == tid)
			return e;
	return NULL;
}

static void threads_grow(threads_table* t)
{
	size_t nb = t->nbuckets * 2;
	threads_entry** b = calloc(nb, sizeof(*b));
	if (!b)
		return; /* keep the current buckets: slower, still correct */
	threads_entry** old = t->buckets;
	size_t oldn = t->nbuckets;
	t->buckets = b;
	t->nbuckets = nb;
	for (size_t i = 0; i < oldn; i++) {
		for (threads_entry *e = old[i], *next; e; e = next) {
			next = e->next;
			size_t h = threads_bucket(t, e->key);
			e->next = b[h];
			b[h] = e;
		}
	}
	free(old);
}

/* Unlinks the entry at key; the caller inherits the map's reference. */
static threads_entry* threads_unlink(threads_table* t, int64_t key)
{
	threads_entry** pp = &t->buckets[threads_bucket(t, key)];
	for (; *pp; pp = &(*pp)->next) {
		threads_entry* e = *pp;
		if (e->key == key) {
			*pp = e->next;
			e->next = NULL;
			e->in_table = false;
			t->count--;
			return e;
		}
	}
	return NULL;
}

/* Inserts e (taking the caller's reference) at e->key, replacing any entry. */
static void threads_link(threads_table* t, threads_entry* e)
{
	threads_unref(t, threads_unlink(t, e->key));
	if (t->count >= t->nbuckets * 2)
		threads_grow(t);
	size_t h = threads_bucket(t, e->key);
	e->next = t->buckets[h];
	t->buckets[h] = e;
	e->in_table = true;
	t->count++;
}

/* ---- lifecycle ---- */

static bool threads_add_field_desc(threads_table* t, const char* name, ss_plugin_state_type type,
                                   bool ro, bool dynamic, int sub)
{
	threads_field** nf = realloc(t->fields, (t->nfields + 1) * sizeof(*nf));
	if (!nf)
		return false;
	t->fields = nf;
	threads_field* f = calloc(1, sizeof(*f));
	char* n = dynamic ? strdup(name) : NULL;
	if (!f || (dynamic && !n)) {
		free(f);
		free(n);
		return false;
	}
	*f = (threads_field){dynamic ? n : name, type, ro, dynamic, t->nfields, sub};
	t->fields[t->nfields++] = f;
	return true;
}

threads_table* threads_new(char* owner_err)
{
	threads_table* t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->magic = THREADS_MAGIC_TABLE;
	t->err = owner_err;
	t->nbuckets = 256;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	bool ok = t->buckets != NULL;
	for (int i = 0; ok && i < THREADS_F_NSTATIC; i++)
		ok = threads_add_field_desc(t, threads_static[i].name, threads_static[i].type,
		                            threads_static[i].read_only, false, threads_static[i].sub);
	if (!ok) {
		threads_free(t);
		return NULL;
	}
	return t;
}

void threads_callback_end(threads_table* t, bool recycle)
{
	for (size_t i = 0; i < t->pins.n; i++)
		threads_unref(t, t->pins.v[i]);
	t->pins.n = 0;
	for (size_t i = 0; i < t->detached.n; i++)
		threads_unref(t, t->detached.v[i]);
	t->detached.n = 0;
	if (!recycle)
		return;
	for (size_t i = 0; i < t->subs_used; i++) {
		threads_sub* s = t->subs.v[i];
		threads_unref(t, s->e);
		s->e = NULL;
	}
	t->subs_used = 0;
}

void threads_free(threads_table* t)
{
	if (!t)
		return;
	if (t->buckets) {
		threads_callback_end(t, true);
		for (size_t i = 0; i < t->nbuckets; i++) {
			while (t->buckets[i])
				threads_unref(t, threads_unlink(t, t->buckets[i]->key));
		}
	}
	for (size_t i = 0; i < t->subs.n; i++)
		free(t->subs.v[i]);
	free(t->subs.v);
	free(t->pins.v);
	free(t->detached.v);
	for (uint32_t i = 0; i < t->nfields; i++) {
		if (t->fields[i]->dynamic)
			free((char*)t->fields[i]->name);
		free(t->fields[i]);
	}
	free(t->fields);
	free(t->infos);
	free(t->buckets);
	t->magic = THREADS_MAGIC_DEAD;
	free(t);
}

/* ---- field lookup ---- */

static const threads_field* threads_field_by_name(const threads_table* t, const char* name)
{
	for (uint32_t i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i]->name, name))
			return t->fields[i];
	return NULL;
}

/* Accepts only accessors this table handed out (pointer identity). */
static const threads_field* threads_own_field(threads_table* t, const ss_plugin_table_field_t* f)
{
	size_t slot = ((uintptr_t)f >> 4) % (sizeof(t->seen) / sizeof(t->seen[0]));
	if (f && t->seen[slot] == f)
		return t->seen[slot];
	for (uint32_t i = 0; f && i < t->nfields; i++)
		if (t->fields[i] == f)
			return t->seen[slot] = t->fields[i];
	threads_err(t, "invalid field accessor for table 'threads'");
	return NULL;
}

static const threads_field* threads_sub_field(threads_sub* s, const ss_plugin_table_field_t* f)
{
	for (uint32_t i = 0; f && i < threads_sub_nfields[s->kind]; i++)
		if (&threads_sub_fields[s->kind][i] == f)
			return &threads_sub_fields[s->kind][i];
	threads_err(s->t, "invalid field accessor for sub-table '%s'", threads_sub_names[s->kind]);
	return NULL;
}

/* A sub-table handle still bound to its entry, or NULL (error set). */
static threads_sub* threads_live_sub(ss_plugin_table_t* t)
{
	threads_sub* s = threads_as_sub(t);
	if (s && !s->e) {
		threads_err(s->t, "stale sub-table handle (sub-tables are valid for one callback)");
		return NULL;
	}
	return s;
}

static threads_item* threads_sub_item(threads_sub* s, ss_plugin_table_entry_t* e)
{
	threads_item* it = e;
	if (it && threads_magic(it) == THREADS_MAGIC_ITEM && it->kind == s->kind)
		return it;
	threads_err(s->t, "invalid entry handle for sub-table '%s'", threads_sub_names[s->kind]);
	return NULL;
}

/* ---- fields vtable ---- */

const ss_plugin_table_fieldinfo* threads_list_fields(ss_plugin_table_t* t, uint32_t* nfields)
{
	threads_sub* s = threads_as_sub(t);
	if (s && nfields) {
		*nfields = threads_sub_nfields[s->kind];
		return threads_sub_infos[s->kind];
	}
	threads_table* tt = threads_as_table(t);
	if (!tt || !nfields)
		return NULL;
	ss_plugin_table_fieldinfo* infos = realloc(tt->infos, tt->nfields * sizeof(*infos));
	if (!infos) {
		threads_err(tt, "out of memory");
		return NULL;
	}
	tt->infos = infos;
	for (uint32_t i = 0; i < tt->nfields; i++)
		infos[i] = (ss_plugin_table_fieldinfo){tt->fields[i]->name, tt->fields[i]->type,
		                                       tt->fields[i]->read_only};
	*nfields = tt->nfields;
	return infos;
}

ss_plugin_table_field_t* threads_get_field(ss_plugin_table_t* t, const char* name,
                                           ss_plugin_state_type type)
{
	threads_sub* s = threads_as_sub(t);
	threads_table* tt = s ? s->t : threads_as_table(t);
	if (!tt || !name)
		return NULL;
	const threads_field* f = NULL;
	if (s) {
		for (uint32_t i = 0; i < threads_sub_nfields[s->kind] && !f; i++)
			if (!strcmp(threads_sub_fields[s->kind][i].name, name))
				f = &threads_sub_fields[s->kind][i];
	} else {
		f = threads_field_by_name(tt, name);
	}
	if (!f) {
		threads_err(tt, "field '%s' not found in table '%s'", name,
		            s ? threads_sub_names[s->kind] : "threads");
		return NULL;
	}
	if (f->type != type) {
		threads_err(tt, "field '%s' has type %d, requested %d", name, (int)f->type, (int)type);
		return NULL;
	}
	return (ss_plugin_table_field_t*)f;
}

ss_plugin_table_field_t* threads_add_field(ss_plugin_table_t* t, const char* name,
                                           ss_plugin_state_type type)
{
	threads_sub* s = threads_as_sub(t);
	if (s) {
		threads_err(s->t, "sub-table '%s' cannot get new fields", threads_sub_names[s->kind]);
		return NULL;
	}
	threads_table* tt = threads_as_table(t);
	if (!tt || !name || !*name)
		return NULL;
	if (!threads_scalar_type(type)) {
		threads_err(tt, "cannot add field '%s' of type %d to table 'threads'", name, (int)type);
		return NULL;
	}
	const threads_field* f = threads_field_by_name(tt, name);
	if (f && !f->dynamic) {
		threads_err(tt, "field '%s' is a static field of table 'threads'", name);
		return NULL;
	}
	if (f && f->type != type) {
		threads_err(tt, "field '%s' already exists with type %d", name, (int)f->type);
		return NULL;
	}
	if (f)
		return (ss_plugin_table_field_t*)f;
	if (!threads_add_field_desc(tt, name, type, false, true, -1)) {
		threads_err(tt, "out of memory");
		return NULL;
	}
	return tt->fields[tt->nfields - 1];
}

/* ---- reader vtable ---- */

const char* threads_get_name(ss_plugin_table_t* t)
{
	threads_sub* s = threads_as_sub(t);
	if (s)
		return threads_sub_names[s->kind];
	return threads_as_table(t) ? "threads" : NULL;
}

uint64_t threads_get_size(ss_plugin_table_t* t)
{
	threads_table* tt = threads_as_table(t);
	if (tt)
		return tt->count;
	threads_sub* s = threads_live_sub(t);
	return s ? s->e->lists[s->kind].n : (uint64_t)-1;
}

static bool threads_pin(threads_table* t, threads_entry* e)
{
	if (!threads_vec_push(&t->pins, e)) {
		threads_err(t, "out of memory");
		return false;
	}
	e->refs++;
	return true;
}

ss_plugin_table_entry_t* threads_get_entry(ss_plugin_table_t* t, const ss_plugin_state_data* key)
{
	threads_sub* s = threads_live_sub(t);
	if (s) {
		const threads_list* l = &s->e->lists[s->kind];
		if (key && key->u64 < l->n)
			return l->items[key->u64];
		threads_err(s->t, "get_entry found no element at given key");
		return NULL;
	}
	threads_table* tt = threads_as_table(t);
	if (!tt || !key)
		return NULL;
	threads_entry* e = threads_find(tt, key->s64);
	if (!e) {
		threads_err(tt, "get_entry found no element at given key");
		return NULL;
	}
	return threads_pin(tt, e) ? e : NULL;
}

static threads_sub* threads_sub_acquire(threads_table* t, threads_entry* e, int kind)
{
	threads_sub* s;
	if (t->subs_used < t->subs.n) {
		s = t->subs.v[t->subs_used];
	} else {
		s = calloc(1, sizeof(*s));
		if (!s || !threads_vec_push(&t->subs, s)) {
			free(s);
			threads_err(t, "out of memory");
			return NULL;
		}
	}
	t->subs_used++;
	*s = (threads_sub){THREADS_MAGIC_SUB, (uint32_t)kind, t, e};
	e->refs++;
	return s;
}

static ss_plugin_rc threads_read_sub(threads_sub* s, ss_plugin_table_entry_t* e,
                                     const ss_plugin_table_field_t* f, ss_plugin_state_data* out)
{
	threads_item* it = threads_sub_item(s, e);
	const threads_field* sf = threads_sub_field(s, f);
	if (!it || !sf)
		return SS_PLUGIN_FAILURE;
	const char* v = sf->index == 0 ? it->a : it->b;
	out->str = v ? v : "";
	return SS_PLUGIN_SUCCESS;
}

ss_plugin_rc threads_read_field(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                                const ss_plugin_table_field_t* f, ss_plugin_state_data* out)
{
	if (!out)
		return SS_PLUGIN_FAILURE;
	memset(out, 0, sizeof(*out));
	threads_sub* s = threads_live_sub(t);
	if (s)
		return threads_read_sub(s, e, f, out);
	threads_table* tt = threads_as_table(t);
	if (!tt)
		return SS_PLUGIN_FAILURE;
	threads_entry* en = threads_as_entry(tt, e);
	const threads_field* tf = threads_own_field(tt, f);
	if (!en || !tf)
		return SS_PLUGIN_FAILURE;
	if (tf->type == SS_PLUGIN_ST_TABLE) {
		threads_sub* sub = threads_sub_acquire(tt, en, tf->sub);
		if (!sub)
			return SS_PLUGIN_FAILURE;
		out->table = sub;
		return SS_PLUGIN_SUCCESS;
	}
	*out = threads_load(en, tf);
	return SS_PLUGIN_SUCCESS;
}

void threads_release_entry(ss_plugin_table_t* t, ss_plugin_table_entry_t* e)
{
	threads_table* tt = threads_as_table(t);
	/* Releasing something never pinned (or twice) is ignored, not a double free. */
	if (tt && e && threads_vec_take(&tt->pins, e))
		threads_unref(tt, e);
}

static ss_plugin_bool threads_iterate_sub(threads_sub* s, ss_plugin_table_iterator_func_t it,
                                          ss_plugin_table_iterator_state_t* st)
{
	threads_entry* e = s->e;
	/* Hold the entry: the iterator may release the last pin the plugin had on it. */
	e->refs++;
	ss_plugin_bool done = 1;
	for (uint32_t i = 0; i < e->lists[s->kind].n && done; i++)
		done = it(st, e->lists[s->kind].items[i]) ? 1 : 0;
	threads_unref(s->t, e);
	return done;
}

ss_plugin_bool threads_iterate(ss_plugin_table_t* t, ss_plugin_table_iterator_func_t it,
                               ss_plugin_table_iterator_state_t* st)
{
	if (!it)
		return 0;
	threads_sub* s = threads_live_sub(t);
	if (s)
		return threads_iterate_sub(s, it, st);
	threads_table* tt = threads_as_table(t);
	if (!tt)
		return 0;
	/* A referenced snapshot: the iterator may add, erase or replace entries. */
	threads_entry** snap = malloc((tt->count ? tt->count : 1) * sizeof(*snap));
	if (!snap) {
		threads_err(tt, "out of memory");
		return 0;
	}
	size_t n = 0;
	for (size_t b = 0; b < tt->nbuckets; b++)
		for (threads_entry* e = tt->buckets[b]; e; e = e->next, n++) {
			snap[n] = e;
			e->refs++;
		}
	ss_plugin_bool done = 1;
	for (size_t i = 0; i < n && done; i++)
		if (snap[i]->in_table)
			done = it(st, snap[i]) ? 1 : 0;
	for (size_t i = 0; i < n; i++)
		threads_unref(tt, snap[i]);
	free(snap);
	return done;
}

/* ---- writer vtable ---- */

/* Sub-tables are arrays derived from events: their shape is the host's business. */
static void* threads_sub_refuse(threads_sub* s, const char* op)
{
	threads_err(s->t, "%s is not supported on sub-table '%s'", op, threads_sub_names[s->kind]);
	return NULL;
}

ss_plugin_rc threads_clear(ss_plugin_table_t* t)
{
	threads_sub* s = threads_as_sub(t);
	if (s) {
		threads_sub_refuse(s, "clear_table");
		return SS_PLUGIN_FAILURE;
	}
	threads_table* tt = threads_as_table(t);
	if (!tt)
		return SS_PLUGIN_FAILURE;
	for (size_t b = 0; b < tt->nbuckets; b++)
		while (tt->buckets[b])
			threads_unref(tt, threads_unlink(tt, tt->buckets[b]->key));
	return SS_PLUGIN_SUCCESS;
}

ss_plugin_rc threads_erase_entry(ss_plugin_table_t* t, const ss_plugin_state_data* key)
{
	threads_sub* s = threads_as_sub(t);
	if (s) {
		threads_sub_refuse(s, "erase_table_entry");
		return SS_PLUGIN_FAILURE;
	}
	threads_table* tt = threads_as_table(t);
	if (!tt || !key)
		return SS_PLUGIN_FAILURE;
	threads_entry* e = threads_unlink(tt, key->s64);
	if (!e) {
		threads_err(tt, "erase_entry found no element at given key");
		return SS_PLUGIN_FAILURE;
	}
	threads_unref(tt, e);
	return SS_PLUGIN_SUCCESS;
}

ss_plugin_table_entry_t* threads_create_entry(ss_plugin_table_t* t)
{
	threads_sub* s = threads_as_sub(t);
	if (s)
		return threads_sub_refuse(s, "create_table_entry");
	threads_table* tt = threads_as_table(t);
	if (!tt)
		return NULL;
	threads_entry* e = threads_entry_new();
	if (!e || !threads_vec_push(&tt->detached, e)) {
		free(e);
		threads_err(tt, "out of memory");
		return NULL;
	}
	return e;
}

void threads_destroy_entry(ss_plugin_table_t* t, ss_plugin_table_entry_t* e)
{
	threads_table* tt = threads_as_table(t);
	if (!tt || !e)
		return;
	if (threads_vec_take(&tt->detached, e))
		threads_unref(tt, e);
	else
		threads_err(tt, "destroy_table_entry: entry was not created by create_table_entry");
}

ss_plugin_table_entry_t* threads_add_entry(ss_plugin_table_t* t, const ss_plugin_state_data* key,
                                           ss_plugin_table_entry_t* e)
{
	threads_sub* s = threads_as_sub(t);
	if (s)
		return threads_sub_refuse(s, "add_table_entry");
	threads_table* tt = threads_as_table(t);
	if (!tt || !key || !e)
		return NULL;
	if (!threads_vec_take(&tt->detached, e)) {
		threads_err(tt, "add_table_entry: entry was not created by create_table_entry");
		return NULL;
	}
	threads_entry* en = e;
	en->key = key->s64;
	ss_plugin_state_data tid = {.s64 = key->s64};
	/* libsinsp keys threads by their tid: keep the field in line with the key. */
	threads_store(tt, en, tt->fields[THREADS_F_TID], &tid);
	threads_link(tt, en); /* the detached reference becomes the map's */
	return threads_pin(tt, en) ? en : NULL;
}

static ss_plugin_rc threads_write_sub(threads_sub* s, ss_plugin_table_entry_t* e,
                                      const ss_plugin_table_field_t* f,
                                      const ss_plugin_state_data* in)
{
	threads_item* it = threads_sub_item(s, e);
	const threads_field* sf = threads_sub_field(s, f);
	if (!it || !sf)
		return SS_PLUGIN_FAILURE;
	if (!in || !in->str) {
		threads_err(s->t, "cannot write a NULL string");
		return SS_PLUGIN_FAILURE;
	}
	char* copy = strdup(in->str);
	if (!copy)
		return SS_PLUGIN_FAILURE;
	char** dst = sf->index == 0 ? &it->a : &it->b;
	free(*dst);
	*dst = copy;
	return SS_PLUGIN_SUCCESS;
}

ss_plugin_rc threads_write_field(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                                 const ss_plugin_table_field_t* f, const ss_plugin_state_data* in)
{
	threads_sub* s = threads_live_sub(t);
	if (s)
		return threads_write_sub(s, e, f, in);
	threads_table* tt = threads_as_table(t);
	if (!tt)
		return SS_PLUGIN_FAILURE;
	threads_entry* en = threads_as_entry(tt, e);
	const threads_field* tf = threads_own_field(tt, f);
	if (!en || !tf)
		return SS_PLUGIN_FAILURE;
	if (tf->read_only || tf->type == SS_PLUGIN_ST_TABLE) {
		threads_err(tt, "field '%s' of table 'threads' is read-only", tf->name);
		return SS_PLUGIN_FAILURE;
	}
	if (!in || (tf->type == SS_PLUGIN_ST_STRING && !in->str)) {
		threads_err(tt, "cannot write a NULL value into field '%s'", tf->name);
		return SS_PLUGIN_FAILURE;
	}
	if (!threads_store(tt, en, tf, in)) {
		threads_err(tt, "out of memory");
		return SS_PLUGIN_FAILURE;
	}
	return SS_PLUGIN_SUCCESS;
}

/* ---- host side ---- */

size_t threads_count(const threads_table* t)
{
	return t->count;
}

threads_entry* threads_put(threads_table* t, int64_t tid)
{
	threads_entry* e = threads_entry_new();
	if (!e)
		return NULL;
	e->key = tid;
	ss_plugin_state_data v = {.s64 = tid};
	if (!threads_store(t, e, t->fields[THREADS_F_TID], &v)) {
		threads_entry_free(t, e);
		return NULL;
	}
	threads_link(t, e);
	return e;
}

bool threads_remove(threads_table* t, int64_t tid)
{
	threads_entry* e = threads_unlink(t, tid);
	threads_unref(t, e);
	return e != NULL;
}

ss_plugin_state_data threads_get(const threads_entry* e, threads_fid f)
{
	ss_plugin_state_data v;
	memset(&v, 0, sizeof(v));
	if ((uint32_t)f < e->nvals)
		v = e->vals[f];
	return v;
}

const char* threads_get_str(const threads_entry* e, threads_fid f)
{
	const char* s = threads_get(e, f).str;
	return s ? s : "";
}

bool threads_set(threads_table* t, threads_entry* e, threads_fid f, ss_plugin_state_data v)
{
	if ((uint32_t)f >= THREADS_F_NSTATIC || t->fields[f]->type == SS_PLUGIN_ST_TABLE)
		return false;
	if (t->fields[f]->type == SS_PLUGIN_ST_STRING && !v.str)
		v.str = "";
	return threads_store(t, e, t->fields[f], &v);
}

bool threads_set_i64(threads_table* t, threads_entry* e, threads_fid f, int64_t v)
{
	ss_plugin_state_data d = {.s64 = v};
	return threads_set(t, e, f, d);
}

bool threads_set_str(threads_table* t, threads_entry* e, threads_fid f, const char* s)
{
	ss_plugin_state_data d = {.str = s};
	return threads_set(t, e, f, d);
}

const char* threads_field_str(const threads_table* t, int64_t tid, const char* name)
{
	const threads_field* f = name ? threads_field_by_name(t, name) : NULL;
	const threads_entry* e = threads_find(t, tid);
	if (!f || !e || f->type != SS_PLUGIN_ST_STRING)
		return NULL;
	return threads_load(e, f).str;
}

bool threads_field_u16(const threads_table* t, int64_t tid, const char* name, uint16_t* out)
{
	const threads_field* f = name ? threads_field_by_name(t, name) : NULL;
	const threads_entry* e = threads_find(t, tid);
	if (!f || !e || f->type != SS_PLUGIN_ST_UINT16)
		return false;
	if (out)
		*out = threads_load(e, f).u16;
	return true;
}
