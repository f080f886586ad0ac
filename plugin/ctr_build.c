/*
 * The budgeted record builder. Each item is charged what it adds to the
 * record's encoded form, counted conservatively: every byte at its escaped
 * size (a control character as the six bytes of "\u00XX"), plus a fixed
 * amount for the keys and punctuation around it. The members every record
 * encodes whatever it holds (type, flags, numbers, empty containers, the
 * envelope) are set aside up front, so the charged total plus that reserve
 * bounds the encoded size.
 */
#include "ctr_build.h"
#include "errbuf.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys, numbers and punctuation of an empty record, with room to spare (measured ~1 KiB). */
#define FIXED_RESERVE 2048
/* What an item adds besides its strings: quotes, keys, separators. */
#define LABEL_OVERHEAD 6
#define ENV_OVERHEAD 3
#define MOUNT_OVERHEAD 80
#define PORT_OVERHEAD 72
#define PROBE_OVERHEAD 48
#define ARG_OVERHEAD 3

static _Atomic uint64_t trimmed_total, dropped_total;

/* The string members the codec writes; each is capped and charged once. */
static const size_t scalar_members[] = {
	offsetof(ctr_record, id),          offsetof(ctr_record, full_id),
	offsetof(ctr_record, name),        offsetof(ctr_record, image),
	offsetof(ctr_record, imageid),     offsetof(ctr_record, imagerepo),
	offsetof(ctr_record, imagetag),    offsetof(ctr_record, imagedigest),
	offsetof(ctr_record, user),        offsetof(ctr_record, ip),
	offsetof(ctr_record, cni_json),    offsetof(ctr_record, pod_sandbox_id),
	offsetof(ctr_record, mesos_task_id),
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static size_t escaped_len(const char* s, size_t n)
{
	size_t out = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		out += c < 0x20 ? 6 : (c == '"' || c == '\\') ? 2 : 1;
	}
	return out;
}

static size_t esc(const char* s)
{
	return s ? escaped_len(s, strlen(s)) : 0;
}

/* False, counting a drop, when cost does not fit in what is left. */
static bool spend(ctr_build* b, size_t cost, ctr_drop_kind kind)
{
	if (cost > b->left) {
		b->dropped[kind]++;
		return false;
	}
	b->left -= cost;
	return true;
}

static bool fail(ctr_build* b)
{
	b->oom = true;
	return false;
}

/* Room for one more element in *arr (count n, capacity *cap), doubling. */
static bool grow(ctr_build* b, void** arr, size_t n, size_t* cap, size_t elem)
{
	if (n < *cap)
		return true;
	size_t want = *cap ? 2 * *cap : 8;
	void* bigger = realloc(*arr, want * elem);
	if (!bigger)
		return fail(b);
	*arr = bigger;
	*cap = want;
	return true;
}

bool ctr_build_start(ctr_build* b, uint32_t type, int64_t label_max_len)
{
	*b = (ctr_build){.label_max_len = label_max_len, .left = CTR_RECORD_BUDGET - FIXED_RESERVE};
	if (!(b->r = ctr_record_new()))
		return fail(b);
	b->r->type = type;
	return true;
}

bool ctr_build_scalars(ctr_build* b)
{
	if (b->oom)
		return false;
	if (b->scalars_done)
		return true;
	b->scalars_done = true;
	for (size_t i = 0; i < COUNT(scalar_members); i++) {
		char** s = (char**)((char*)b->r + scalar_members[i]);
		if (!**s)
			continue;
		if (strlen(*s) > CTR_BUILD_STR_MAX) {
			b->dropped[CTR_DROP_STRING]++;
			ctr_str_set(s, "");
		} else if (!spend(b, esc(*s), CTR_DROP_STRING)) {
			ctr_str_set(s, "");
		}
	}
	return true;
}

static bool label_filtered(const ctr_build* b, ctr_label_set set, size_t vlen)
{
	return set != CTR_ID_LABELS &&
	       (b->label_max_len < 0 || (uint64_t)vlen > (uint64_t)b->label_max_len);
}

bool ctr_build_label(ctr_build* b, ctr_label_set set, const char* key, const char* value,
                     size_t vlen)
{
	if (b->oom)
		return false;
	if (!key || !value || label_filtered(b, set, vlen) ||
	    !spend(b, esc(key) + escaped_len(value, vlen) + LABEL_OVERHEAD, CTR_DROP_LABEL))
		return true;
	bool pod = set == CTR_POD_LABELS;
	ctr_kv** arr = pod ? &b->r->pod_sandbox_labels : &b->r->labels;
	size_t* n = pod ? &b->r->npod_sandbox_labels : &b->r->nlabels;
	if (!grow(b, (void**)arr, *n, pod ? &b->cap_pod_labels : &b->cap_labels, sizeof(**arr)))
		return false;
	char* k = strdup(key);
	char* v = malloc(vlen + 1);
	if (!k || !v) {
		free(k);
		free(v);
		return fail(b);
	}
	/* memcpy, not strcpy: the value keeps its NUL bytes. */
	memcpy(v, value, vlen);
	v[vlen] = '\0';
	(*arr)[(*n)++] = (ctr_kv){k, v, vlen};
	return true;
}

bool ctr_build_env(ctr_build* b, const char* entry)
{
	if (b->oom)
		return false;
	if (!entry || !spend(b, esc(entry) + ENV_OVERHEAD, CTR_DROP_ENV))
		return true;
	ctr_record* r = b->r;
	if (!grow(b, (void**)&r->env, r->nenv, &b->cap_env, sizeof(*r->env)))
		return false;
	if (!(r->env[r->nenv] = strdup(entry)))
		return fail(b);
	r->nenv++;
	return true;
}

/* A list item's string over CTR_BUILD_STR_MAX (no path is that long) reads as "". */
static const char* capped(ctr_build* b, const char* s)
{
	if (!s || strnlen(s, CTR_BUILD_STR_MAX + 1) <= CTR_BUILD_STR_MAX)
		return s;
	b->dropped[CTR_DROP_STRING]++;
	return "";
}

bool ctr_build_mount(ctr_build* b, const char* source, const char* dest, const char* mode,
                     const char* propagation, bool rw)
{
	if (b->oom)
		return false;
	source = capped(b, source);
	dest = capped(b, dest);
	mode = capped(b, mode);
	propagation = capped(b, propagation);
	size_t cost = esc(source) + esc(dest) + esc(mode) + esc(propagation) + MOUNT_OVERHEAD;
	if (!spend(b, cost, CTR_DROP_MOUNT))
		return true;
	ctr_record* r = b->r;
	if (!grow(b, (void**)&r->mounts, r->nmounts, &b->cap_mounts, sizeof(*r->mounts)))
		return false;
	ctr_mount* m = &r->mounts[r->nmounts++];
	*m = (ctr_mount){.rw = rw};
	/* Counted before filling: a half-made mount is still released with the record. */
	if (!ctr_str_set(&m->source, source) || !ctr_str_set(&m->dest, dest) ||
	    !ctr_str_set(&m->mode, mode) || !ctr_str_set(&m->propagation, propagation))
		return fail(b);
	return true;
}

bool ctr_build_port(ctr_build* b, uint32_t host_ip, uint16_t host_port, uint16_t container_port)
{
	if (b->oom)
		return false;
	if (!spend(b, PORT_OVERHEAD, CTR_DROP_PORT))
		return true;
	ctr_record* r = b->r;
	if (!grow(b, (void**)&r->ports, r->nports, &b->cap_ports, sizeof(*r->ports)))
		return false;
	r->ports[r->nports++] = (ctr_port){host_ip, host_port, container_port};
	return true;
}

/* Strips matching outer quotes repeatedly; a lone quote is its own first and last. */
static char* normalized(const char* s)
{
	size_t len = strlen(s);
	while (len && (*s == '"' || *s == '\'') && s[len - 1] == *s) {
		s++;
		len = len >= 2 ? len - 2 : 0;
	}
	return strndup(s, len);
}

static size_t probe_cost(const char* const* argv, size_t argc)
{
	size_t cost = PROBE_OVERHEAD;
	for (size_t i = 0; i < argc; i++)
		cost += esc(argv[i]) + ARG_OVERHEAD;
	return cost;
}

bool ctr_build_probe(ctr_build* b, ctr_probe_type t, const char* const* argv, size_t argc,
                     bool normalize)
{
	if (b->oom)
		return false;
	if (!argc || t < 0 || t >= CTR_PROBE_COUNT || !spend(b, probe_cost(argv, argc), CTR_DROP_PROBE))
		return true;
	ctr_probe* p = &b->r->probes[t];
	if (argc > 1 && !(p->args = calloc(argc - 1, sizeof(*p->args))))
		return fail(b);
	for (size_t i = 0; i < argc; i++) {
		char* v = normalize ? normalized(argv[i]) : strdup(argv[i]);
		if (!v)
			return fail(b);
		if (i == 0)
			p->exe = v;
		else
			p->args[p->nargs++] = v;
	}
	p->present = true;
	return true;
}

void ctr_build_abort(ctr_build* b)
{
	ctr_record_unref(b->r);
	b->r = NULL;
}

static size_t total_dropped(const ctr_build* b)
{
	size_t n = 0;
	for (int k = 0; k < CTR_DROP_KINDS; k++)
		n += b->dropped[k];
	return n;
}

static void tell_dropped(const ctr_build* b, char* err, size_t errlen)
{
	static const char* const names[CTR_DROP_KINDS] = {
		[CTR_DROP_STRING] = "strings",  [CTR_DROP_LABEL] = "labels",
		[CTR_DROP_ENV] = "environment", [CTR_DROP_MOUNT] = "mounts",
		[CTR_DROP_PORT] = "ports",      [CTR_DROP_PROBE] = "probes",
	};
	char list[192] = "";
	size_t used = 0;
	for (int k = 0; k < CTR_DROP_KINDS; k++) {
		if (b->dropped[k] && used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%zu %s",
			                         used ? ", " : "", b->dropped[k], names[k]);
	}
	errbuf_set(err, errlen, "over the record budget (%d bytes, %d per string): dropped %s",
	           CTR_RECORD_BUDGET, CTR_BUILD_STR_MAX, list);
}

ctr_record* ctr_build_finish(ctr_build* b, char* err, size_t errlen)
{
	if (!b->oom && !b->scalars_done)
		ctr_build_scalars(b);
	if (b->oom || !b->r) {
		ctr_build_abort(b);
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	ctr_record* r = b->r;
	b->r = NULL;
	ctr_record_finalize(r);
	if (err && errlen)
		err[0] = '\0';
	size_t n = total_dropped(b);
	if (n) {
		atomic_fetch_add(&trimmed_total, 1);
		atomic_fetch_add(&dropped_total, n);
		tell_dropped(b, err, errlen);
	}
	return r;
}

uint64_t ctr_build_trimmed_total(void)
{
	return atomic_load(&trimmed_total);
}

uint64_t ctr_build_dropped_total(void)
{
	return atomic_load(&dropped_total);
}
