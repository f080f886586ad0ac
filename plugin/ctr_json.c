/*
 * The container JSON format (docs/container-json.md) with jansson.
 *
 * Decoding follows the rules of docs/container-json.md "Decoding rules": unknown keys are ignored,
 * null stands for "absent", and a key of the wrong type keeps its default
 * (the first such key is reported in err even when decoding succeeds, so the
 * caller can log it). Only unparsable text, a non-object, or OOM fail.
 */
#include "ctr_json.h"
#include "errbuf.h"
#include "jget.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMBER(type, r, off) ((type*)((char*)(r) + (off)))
#define CMEMBER(type, r, off) (*(const type*)((const char*)(r) + (off)))

typedef struct json_key {
	const char* name;
	size_t off;
} json_key;

static const json_key string_keys[] = {
	{"id", offsetof(ctr_record, id)},
	{"full_id", offsetof(ctr_record, full_id)},
	{"name", offsetof(ctr_record, name)},
	{"image", offsetof(ctr_record, image)},
	{"imageid", offsetof(ctr_record, imageid)},
	{"imagerepo", offsetof(ctr_record, imagerepo)},
	{"imagetag", offsetof(ctr_record, imagetag)},
	{"imagedigest", offsetof(ctr_record, imagedigest)},
	{"User", offsetof(ctr_record, user)},
	{"ip", offsetof(ctr_record, ip)},
	{"cni_json", offsetof(ctr_record, cni_json)},
	{"pod_sandbox_id", offsetof(ctr_record, pod_sandbox_id)},
};

static const json_key bool_keys[] = {
	{"privileged", offsetof(ctr_record, privileged)},
	{"host_pid", offsetof(ctr_record, host_pid)},
	{"host_network", offsetof(ctr_record, host_network)},
	{"host_ipc", offsetof(ctr_record, host_ipc)},
	{"is_pod_sandbox", offsetof(ctr_record, is_pod_sandbox)},
};

static const json_key int_keys[] = {
	{"memory_limit", offsetof(ctr_record, memory_limit)},
	{"swap_limit", offsetof(ctr_record, swap_limit)},
	{"cpu_shares", offsetof(ctr_record, cpu_shares)},
	{"cpu_quota", offsetof(ctr_record, cpu_quota)},
	{"cpu_period", offsetof(ctr_record, cpu_period)},
	{"cpuset_cpu_count", offsetof(ctr_record, cpuset_cpu_count)},
	{"created_time", offsetof(ctr_record, created_time)},
	{"size", offsetof(ctr_record, size)},
};

static const char* const probe_keys[CTR_PROBE_COUNT] = {
	[CTR_PROBE_HEALTHCHECK] = "Healthcheck",
	[CTR_PROBE_LIVENESS] = "LivenessProbe",
	[CTR_PROBE_READINESS] = "ReadinessProbe",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- decoding ----------------------------------------------------------- */

typedef struct decoder {
	ctr_record* r;
	char* err; /* caller's buffer; receives the first wrong-type warning */
	size_t errlen;
	bool warned;
	bool oom;
} decoder;

static void wrong_type(decoder* d, const char* key)
{
	if (d->warned)
		return;
	d->warned = true;
	errbuf_set(d->err, d->errlen, "ignored key \"%s\": wrong type or out of range", key);
}

/* Member `key` of obj; NULL when absent or null (both mean "keep the default"). */
static json_t* member(const json_t* obj, const char* key)
{
	json_t* v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

/* Integers, or integral reals (JSON_DECODE_INT_AS_REAL retry), within int64. */
static bool to_int64(const json_t* v, int64_t* out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_real(v))
		return false;
	double x = json_real_value(v);
	if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
		return false;
	if ((double)(int64_t)x != x)
		return false;
	*out = (int64_t)x;
	return true;
}

static bool get_int(decoder* d, const json_t* obj, const char* key, int64_t min, int64_t max,
                    int64_t* out)
{
	json_t* v = member(obj, key);
	int64_t x;
	if (!v)
		return false;
	if (!to_int64(v, &x) || x < min || x > max) {
		wrong_type(d, key);
		return false;
	}
	*out = x;
	return true;
}

static const char* get_str(decoder* d, const json_t* obj, const char* key)
{
	json_t* v = member(obj, key);
	if (v && !json_is_string(v)) {
		wrong_type(d, key);
		return NULL;
	}
	return v ? json_string_value(v) : NULL;
}

/* A malloc'd copy of string member `key`, "" when absent; NULL only on OOM. */
static char* dup_str(decoder* d, const json_t* obj, const char* key)
{
	const char* s = get_str(d, obj, key);
	char* copy = strdup(s ? s : "");
	if (!copy)
		d->oom = true;
	return copy;
}

static bool get_bool(decoder* d, const json_t* obj, const char* key, bool* out)
{
	json_t* v = member(obj, key);
	if (!v)
		return false;
	if (!json_is_boolean(v)) {
		wrong_type(d, key);
		return false;
	}
	*out = json_is_true(v);
	return true;
}

/* The container member of the given JSON type, or NULL (absent, null, or wrong). */
static json_t* get_typed(decoder* d, const json_t* obj, const char* key, json_type type)
{
	json_t* v = member(obj, key);
	if (v && json_typeof(v) != type) {
		wrong_type(d, key);
		return NULL;
	}
	return v;
}

static void decode_scalars(decoder* d, const json_t* obj)
{
	ctr_record* r = d->r;
	for (size_t i = 0; i < COUNT(string_keys) && !d->oom; i++) {
		const char* s = get_str(d, obj, string_keys[i].name);
		if (s && !ctr_str_set(MEMBER(char*, r, string_keys[i].off), s))
			d->oom = true;
	}
	for (size_t i = 0; i < COUNT(bool_keys); i++)
		get_bool(d, obj, bool_keys[i].name, MEMBER(bool, r, bool_keys[i].off));
	for (size_t i = 0; i < COUNT(int_keys); i++)
		get_int(d, obj, int_keys[i].name, INT64_MIN, INT64_MAX,
		        MEMBER(int64_t, r, int_keys[i].off));
	int64_t type;
	if (get_int(d, obj, "type", 0, 0xffff, &type))
		r->type = (uint32_t)type;
}

/* Labels: an object of strings; values keep embedded NUL bytes (value_len). */
static void decode_labels(decoder* d, const json_t* obj, const char* key, ctr_kv** out,
                          size_t* n)
{
	json_t* labels = get_typed(d, obj, key, JSON_OBJECT);
	if (!labels || !json_object_size(labels))
		return;
	ctr_kv* kv = calloc(json_object_size(labels), sizeof(*kv));
	if (!kv) {
		d->oom = true;
		return;
	}
	*out = kv;
	const char* k;
	json_t* v;
	json_object_foreach(labels, k, v) {
		if (!json_is_string(v)) {
			wrong_type(d, key);
			continue;
		}
		size_t len = json_string_length(v);
		ctr_kv* e = &kv[*n];
		e->key = strdup(k);
		e->value = malloc(len + 1);
		if (e->value) {
			memcpy(e->value, json_string_value(v), len + 1);
			e->value_len = len;
		}
		(*n)++; /* counted even if half-built, so that the record frees it */
		if (!e->key || !e->value) {
			d->oom = true;
			return;
		}
	}
}

/* An array of strings (env, probe args); other elements are skipped. */
static void decode_strings(decoder* d, const json_t* arr, const char* key, char*** out,
                           size_t* n)
{
	if (!arr || !json_array_size(arr))
		return;
	char** v = calloc(json_array_size(arr), sizeof(*v));
	if (!v) {
		d->oom = true;
		return;
	}
	*out = v;
	size_t i;
	json_t* e;
	json_array_foreach(arr, i, e) {
		if (!json_is_string(e)) {
			wrong_type(d, key);
			continue;
		}
		if (!(v[*n] = strdup(json_string_value(e)))) {
			d->oom = true;
			return;
		}
		(*n)++;
	}
}

static void decode_mount(decoder* d, const json_t* obj, ctr_mount* m)
{
	m->source = dup_str(d, obj, "Source");
	m->dest = dup_str(d, obj, "Destination");
	m->mode = dup_str(d, obj, "Mode");
	m->propagation = dup_str(d, obj, "Propagation");
	get_bool(d, obj, "RW", &m->rw);
}

static void decode_mounts(decoder* d, const json_t* obj)
{
	ctr_record* r = d->r;
	json_t* arr = get_typed(d, obj, "Mounts", JSON_ARRAY);
	if (!arr || !json_array_size(arr))
		return;
	if (!(r->mounts = calloc(json_array_size(arr), sizeof(*r->mounts)))) {
		d->oom = true;
		return;
	}
	size_t i;
	json_t* e;
	json_array_foreach(arr, i, e) {
		if (!json_is_object(e)) {
			wrong_type(d, "Mounts");
			continue;
		}
		decode_mount(d, e, &r->mounts[r->nmounts++]);
		if (d->oom)
			return;
	}
}

static void decode_ports(decoder* d, const json_t* obj)
{
	ctr_record* r = d->r;
	json_t* arr = get_typed(d, obj, "port_mappings", JSON_ARRAY);
	if (!arr || !json_array_size(arr))
		return;
	if (!(r->ports = calloc(json_array_size(arr), sizeof(*r->ports)))) {
		d->oom = true;
		return;
	}
	size_t i;
	json_t* e;
	json_array_foreach(arr, i, e) {
		if (!json_is_object(e)) {
			wrong_type(d, "port_mappings");
			continue;
		}
		ctr_port* p = &r->ports[r->nports++];
		int64_t x;
		if (get_int(d, e, "HostIp", 0, UINT32_MAX, &x))
			p->host_ip = (uint32_t)x;
		if (get_int(d, e, "HostPort", 0, UINT16_MAX, &x))
			p->host_port = (uint16_t)x;
		if (get_int(d, e, "ContainerPort", 0, UINT16_MAX, &x))
			p->container_port = (uint16_t)x;
	}
}

/* {"exe": string, "args": [string…] | null}; no string exe → no probe
 * (docs/container-json.md "Probes"). */
static void decode_probe(decoder* d, const json_t* obj, ctr_probe_type t)
{
	json_t* probe = get_typed(d, obj, probe_keys[t], JSON_OBJECT);
	if (!probe)
		return;
	const char* exe = get_str(d, probe, "exe");
	if (!exe) {
		wrong_type(d, probe_keys[t]);
		return;
	}
	ctr_probe* p = &d->r->probes[t];
	p->present = true;
	if (!(p->exe = strdup(exe))) {
		d->oom = true;
		return;
	}
	json_t* args = get_typed(d, probe, "args", JSON_ARRAY);
	decode_strings(d, args, probe_keys[t], &p->args, &p->nargs);
}

static void decode_record(decoder* d, const json_t* obj)
{
	ctr_record* r = d->r;
	decode_scalars(d, obj);
	if (!d->oom) {
		/* Legacy writers emitted it only when set; upstream ignores it. */
		const char* s = get_str(d, obj, "mesos_task_id");
		if (s && !ctr_str_set(&r->mesos_task_id, s))
			d->oom = true;
	}
	if (!d->oom)
		decode_labels(d, obj, "labels", &r->labels, &r->nlabels);
	if (!d->oom)
		decode_labels(d, obj, "pod_sandbox_labels", &r->pod_sandbox_labels,
		              &r->npod_sandbox_labels);
	if (!d->oom)
		decode_strings(d, get_typed(d, obj, "env", JSON_ARRAY), "env", &r->env, &r->nenv);
	if (!d->oom)
		decode_mounts(d, obj);
	if (!d->oom)
		decode_ports(d, obj);
	for (int t = 0; t < CTR_PROBE_COUNT && !d->oom; t++)
		decode_probe(d, obj, (ctr_probe_type)t);
}

/* Events carry the text followed by "\n" and/or a NUL; neither is JSON. */
static size_t trim_len(const char* buf, size_t len)
{
	if (len && buf[len - 1] == '\0')
		len--;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
	               buf[len - 1] == '\t'))
		len--;
	return len;
}

/* Label values may hold "\u0000" (kept via value_len); jget_parse's rules. */
static json_t* parse(const char* buf, size_t len, char* err, size_t errlen)
{
	char why[200];
	json_t* root = jget_parse(buf, len, why, sizeof(why));
	if (!root)
		errbuf_set(err, errlen, "invalid container JSON: %s", why);
	return root;
}

/* The record object: the "container" member of the envelope, or a flat record. */
static const json_t* record_object(const json_t* root, char* err, size_t errlen)
{
	if (!json_is_object(root)) {
		errbuf_set(err, errlen, "container JSON is not an object");
		return NULL;
	}
	json_t* inner = json_object_get(root, "container");
	if (!inner)
		return root;
	if (!json_is_object(inner)) {
		errbuf_set(err, errlen, "container JSON: \"container\" is not an object");
		return NULL;
	}
	return inner;
}

ctr_record* ctr_json_decode(const char* buf, size_t len, char* err, size_t errlen)
{
	errbuf_set(err, errlen, "%s", "");
	if (!buf || !trim_len(buf, len)) {
		errbuf_set(err, errlen, "container JSON is empty");
		return NULL;
	}
	json_t* root = parse(buf, len, err, errlen);
	if (!root)
		return NULL;
	const json_t* obj = record_object(root, err, errlen);
	ctr_record* r = obj ? ctr_record_new() : NULL;
	if (obj && !r)
		errbuf_set(err, errlen, "out of memory");
	if (r) {
		decoder d = {.r = r, .err = err, .errlen = errlen};
		decode_record(&d, obj);
		if (d.oom) {
			errbuf_set(err, errlen, "out of memory");
			ctr_record_unref(r);
			r = NULL;
		}
	}
	json_decref(root);
	if (r)
		ctr_record_finalize(r);
	return r;
}

/* ---- encoding ----------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629), 0 if ill-formed. */
static size_t utf8_seq(const unsigned char* s, size_t n)
{
	unsigned c = s[0], cp, min;
	size_t len;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		len = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Strings from cgroup paths or engines are not guaranteed UTF-8, and jansson
 * refuses to emit (or later parse) invalid text; such bytes become '?' so the
 * record still travels. Returns a malloc'd copy, or NULL when s is valid.
 */
static char* utf8_fix(const char* s, size_t n, bool* oom)
{
	const unsigned char* u = (const unsigned char*)s;
	size_t i = 0, k;
	while (i < n && (k = utf8_seq(u + i, n - i)))
		i += k;
	if (i == n)
		return NULL;
	char* fixed = malloc(n);
	if (!fixed) {
		*oom = true;
		return NULL;
	}
	memcpy(fixed, s, i);
	while (i < n) {
		k = utf8_seq(u + i, n - i);
		if (k) {
			memcpy(fixed + i, s + i, k);
			i += k;
		} else {
			fixed[i++] = '?';
		}
	}
	return fixed;
}

static json_t* jtextn(const char* s, size_t n)
{
	bool oom = false;
	char* fixed = utf8_fix(s, n, &oom);
	if (oom)
		return NULL;
	json_t* v = json_stringn_nocheck(fixed ? fixed : s, n);
	free(fixed);
	return v;
}

static json_t* jtext(const char* s)
{
	return jtextn(s ? s : "", s ? strlen(s) : 0);
}

/* Adds v under a constant key; consumes v (jansson frees it on failure). */
static bool add(json_t* obj, const char* key, json_t* v)
{
	return json_object_set_new_nocheck(obj, key, v) == 0;
}

static bool append(json_t* arr, json_t* v)
{
	return json_array_append_new(arr, v) == 0;
}

static json_t* enc_labels(const ctr_kv* kv, size_t n)
{
	json_t* obj = json_object();
	for (size_t i = 0; obj && i < n; i++) {
		bool oom = false;
		size_t klen = strlen(kv[i].key);
		char* key = utf8_fix(kv[i].key, klen, &oom);
		json_t* v = oom ? NULL
		                : kv[i].value ? jtextn(kv[i].value, kv[i].value_len) : jtext("");
		if (json_object_setn_new_nocheck(obj, key ? key : kv[i].key, klen, v)) {
			json_decref(obj);
			obj = NULL;
		}
		free(key);
	}
	return obj;
}

static json_t* enc_strings(char* const* s, size_t n)
{
	json_t* arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		if (!append(arr, jtext(s[i]))) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

static json_t* enc_mount(const ctr_mount* m)
{
	json_t* o = json_object();
	if (o && add(o, "Source", jtext(m->source)) && add(o, "Destination", jtext(m->dest)) &&
	    add(o, "Mode", jtext(m->mode)) && add(o, "RW", json_boolean(m->rw)) &&
	    add(o, "Propagation", jtext(m->propagation)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t* enc_port(const ctr_port* p)
{
	json_t* o = json_object();
	if (o && add(o, "HostIp", json_integer(p->host_ip)) &&
	    add(o, "HostPort", json_integer(p->host_port)) &&
	    add(o, "ContainerPort", json_integer(p->container_port)))
		return o;
	json_decref(o);
	return NULL;
}

static json_t* enc_mounts(const ctr_record* r)
{
	json_t* arr = json_array();
	for (size_t i = 0; arr && i < r->nmounts; i++) {
		if (!append(arr, enc_mount(&r->mounts[i]))) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

static json_t* enc_ports(const ctr_record* r)
{
	json_t* arr = json_array();
	for (size_t i = 0; arr && i < r->nports; i++) {
		if (!append(arr, enc_port(&r->ports[i]))) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

static json_t* enc_probe(const ctr_probe* p)
{
	json_t* o = json_object();
	if (o && add(o, "exe", jtext(p->exe)) && add(o, "args", enc_strings(p->args, p->nargs)))
		return o;
	json_decref(o);
	return NULL;
}

static bool enc_scalars(json_t* o, const ctr_record* r)
{
	if (!add(o, "type", json_integer(r->type)))
		return false;
	for (size_t i = 0; i < COUNT(string_keys); i++)
		if (!add(o, string_keys[i].name, jtext(CMEMBER(char*, r, string_keys[i].off))))
			return false;
	for (size_t i = 0; i < COUNT(bool_keys); i++)
		if (!add(o, bool_keys[i].name, json_boolean(CMEMBER(bool, r, bool_keys[i].off))))
			return false;
	for (size_t i = 0; i < COUNT(int_keys); i++)
		if (!add(o, int_keys[i].name,
		         json_integer(CMEMBER(int64_t, r, int_keys[i].off))))
			return false;
	return true;
}

static bool enc_record(json_t* o, const ctr_record* r)
{
	if (!enc_scalars(o, r) || !add(o, "labels", enc_labels(r->labels, r->nlabels)) ||
	    !add(o, "pod_sandbox_labels",
	         enc_labels(r->pod_sandbox_labels, r->npod_sandbox_labels)) ||
	    !add(o, "env", enc_strings(r->env, r->nenv)) || !add(o, "Mounts", enc_mounts(r)) ||
	    !add(o, "port_mappings", enc_ports(r)))
		return false;
	if (r->mesos_task_id && *r->mesos_task_id &&
	    !add(o, "mesos_task_id", jtext(r->mesos_task_id)))
		return false;
	for (int t = 0; t < CTR_PROBE_COUNT; t++)
		if (r->probes[t].present && !add(o, probe_keys[t], enc_probe(&r->probes[t])))
			return false;
	return true;
}

char* ctr_json_encode(const ctr_record* r)
{
	json_t* root = json_object();
	json_t* rec = json_object();
	char* text = NULL;
	if (root && rec && enc_record(rec, r) && add(root, "container", json_incref(rec)))
		text = json_dumps(root, JSON_COMPACT);
	json_decref(rec);
	json_decref(root);
	return text;
}
