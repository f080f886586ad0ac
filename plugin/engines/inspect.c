/*
 * Docker and libpod inspect and list documents → records,
 * following the Recommended variants: `--cpus` reflected in cpu_quota, the
 * per-network IP fallback, and docker's port rule for podman too. Image
 * identity is image_ref.c's, value syntax values.c's, event lines
 * rest_event.c's; records are made through the budgeted builder (ctr_build).
 *
 * Every JSON access goes through getters that answer NULL/default for an
 * absent key, a wrong type or a non-object parent, so a hostile document can
 * only lose keys, never the process. Only a missing or malformed Id (or
 * unparsable text, or OOM) refuses a whole document.
 */
#include "inspect.h"
#include "ctr_build.h"
#include "ctr_id.h"
#include "errbuf.h"
#include "image_ref.h"
#include "jget.h"
#include "values.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LABEL_MAX_LEN 100 /* the config default (docs/architecture.md "Configuration") */
#define DEFAULT_CPU_SHARES 1024
#define DEFAULT_CPU_PERIOD 100000
/* `--cpus` is stored as NanoCpus; this turns it into a quota at the default period. */
#define NANO_CPUS_PER_QUOTA_US 10000

/* ---- small helpers ------------------------------------------------------ */

/* A JSON string holding a full id; the length check also refuses embedded NULs. */
static bool json_is_full_id(const json_t* v)
{
	return json_is_string(v) && val_full_id(json_string_value(v), json_string_length(v));
}

static bool set_n(char** dst, const char* s, size_t n)
{
	char* copy = strndup(s, n);
	if (copy)
		ctr_str_take(dst, copy);
	return copy != NULL;
}

static const char* str_or_empty(const json_t* obj, const char* key)
{
	const char* s = jget_str(obj, key);
	return s ? s : "";
}

static bool str_is(const json_t* obj, const char* key, const char* want)
{
	const char* s = jget_str(obj, key);
	return s && !strcmp(s, want);
}

static int64_t int_or(const json_t* obj, const char* key, int64_t def)
{
	int64_t v;
	return jget_int(obj, key, &v) ? v : def;
}

static bool is_ipv4(const char* s)
{
	uint32_t ignored;
	return val_ipv4(s, &ignored);
}

/* ---- string members ------------------------------------------------------- */

/*
 * The top-level address is only filled for the default bridge; user networks
 * keep theirs per network. The smallest network name wins, so the answer does
 * not depend on the order the engine wrote the map in.
 */
static const char* doc_ip(const json_t* doc)
{
	json_t* ns = jget(doc, "NetworkSettings");
	const char* ip = jget_str(ns, "IPAddress");
	if (is_ipv4(ip))
		return ip;
	const char *best = "", *best_name = NULL, *name;
	json_t* net;
	json_object_foreach(jget(ns, "Networks"), name, net)
	{
		ip = jget_str(net, "IPAddress");
		if (is_ipv4(ip) && (!best_name || strcmp(name, best_name) < 0)) {
			best = ip;
			best_name = name;
		}
	}
	return best;
}

static bool set_strings(ctr_record* r, const json_t* doc)
{
	const char* id = jget_str(doc, "Id");
	const char* name = str_or_empty(doc, "Name");
	if (*name == '/')
		name++;
	return ctr_str_set(&r->full_id, id) && set_n(&r->id, id, CTR_SHORT_ID_LEN) &&
	       ctr_str_set(&r->name, name) &&
	       ctr_str_set(&r->user, jget_str(jget(doc, "Config"), "User")) &&
	       ctr_str_set(&r->ip, doc_ip(doc));
}

/* ---- numbers and flags ------------------------------------------------------ */

static bool mode_is_host(const json_t* hc, const char* key)
{
	return str_is(hc, key, "host");
}

static void set_host_config(ctr_record* r, const json_t* hc)
{
	r->privileged = json_is_true(jget(hc, "Privileged"));
	r->host_pid = mode_is_host(hc, "PidMode");
	r->host_network = mode_is_host(hc, "NetworkMode");
	r->host_ipc = mode_is_host(hc, "IpcMode");
	r->memory_limit = int_or(hc, "Memory", 0);
	r->swap_limit = int_or(hc, "MemorySwap", 0);
	int64_t shares = int_or(hc, "CpuShares", 0);
	int64_t period = int_or(hc, "CpuPeriod", 0);
	r->cpu_shares = shares > 0 ? shares : DEFAULT_CPU_SHARES;
	r->cpu_period = period > 0 ? period : DEFAULT_CPU_PERIOD;
	/* Docker shows `--cpus` only as NanoCpus (docs/engines.md "Docker inspect");
	 * legacy took the larger. */
	int64_t quota = int_or(hc, "CpuQuota", 0);
	int64_t nano_quota = int_or(hc, "NanoCpus", 0) / NANO_CPUS_PER_QUOTA_US;
	r->cpu_quota = quota > nano_quota ? quota : nano_quota;
	r->cpuset_cpu_count = val_cpuset_count(jget_str(hc, "CpusetCpus"));
}

static void set_numbers(ctr_record* r, const json_t* doc)
{
	set_host_config(r, jget(doc, "HostConfig"));
	r->created_time = val_rfc3339_seconds(jget_str(doc, "Created"));
	r->size = int_or(doc, "SizeRw", -1);
}

/* ---- lists, through the builder ---------------------------------------------- */

static bool add_labels(ctr_build* b, json_t* labels)
{
	const char* key;
	json_t* v;
	json_object_foreach(labels, key, v)
	{
		if (json_is_string(v) &&
		    !ctr_build_label(b, CTR_LABELS, key, json_string_value(v), json_string_length(v)))
			return false;
	}
	return true;
}

static bool add_env(ctr_build* b, json_t* env)
{
	size_t i;
	json_t* v;
	json_array_foreach(env, i, v)
	{
		if (json_is_string(v) && !ctr_build_env(b, json_string_value(v)))
			return false;
	}
	return true;
}

static bool add_mounts(ctr_build* b, json_t* mounts)
{
	size_t i;
	json_t* m;
	json_array_foreach(mounts, i, m)
	{
		if (json_is_object(m) &&
		    !ctr_build_mount(b, str_or_empty(m, "Source"), str_or_empty(m, "Destination"),
		                     str_or_empty(m, "Mode"), str_or_empty(m, "Propagation"),
		                     json_is_true(jget(m, "RW"))))
			return false;
	}
	return true;
}

/* "80/tcp" → 80; other protocols and malformed keys are skipped
 * (docs/engines.md "Docker inspect"). */
static bool container_port(const char* key, uint16_t* port)
{
	const char* slash = strchr(key, '/');
	return slash && !strcmp(slash + 1, "tcp") && val_port(key, (size_t)(slash - key), port);
}

/*
 * One {"HostIp","HostPort"} binding. IPv6 and unparsable addresses are
 * skipped; an empty, null or absent HostIp is podman's way of saying "all
 * addresses" (0.0.0.0).
 */
static bool read_binding(const json_t* b, uint32_t* host_ip, uint16_t* host_port)
{
	json_t* ip = jget(b, "HostIp");
	json_t* port = jget(b, "HostPort");
	if (json_is_null(ip))
		ip = NULL;
	if (!json_is_string(port) || (ip && !json_is_string(ip)))
		return false;
	const char* ip_text = ip ? json_string_value(ip) : "";
	*host_ip = 0;
	return (!*ip_text || val_ipv4(ip_text, host_ip)) &&
	       val_port(json_string_value(port), json_string_length(port), host_port);
}

static bool add_ports(ctr_build* b, json_t* ports)
{
	const char* key;
	json_t *list, *binding;
	size_t i;
	json_object_foreach(ports, key, list)
	{
		uint16_t cport, hport;
		uint32_t hip;
		if (!container_port(key, &cport))
			continue;
		json_array_foreach(list, i, binding)
		{
			if (read_binding(binding, &hip, &hport) && !ctr_build_port(b, hip, hport, cport))
				return false;
		}
	}
	return true;
}

static bool all_strings(const json_t* arr)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (!json_is_string(json_array_get(arr, i)))
			return false;
	return true;
}

/* ["CMD", exe, args…] or ["CMD-SHELL", cmd]; NONE and anything else leave no probe. */
static bool add_healthcheck(ctr_build* b, const json_t* test)
{
	size_t n = json_array_size(test);
	if (n < 2 || !all_strings(test))
		return true;
	const char* kind = json_string_value(json_array_get(test, 0));
	if (!strcmp(kind, "CMD")) {
		const char** argv = calloc(n - 1, sizeof(*argv));
		if (!argv)
			return false;
		for (size_t i = 1; i < n; i++)
			argv[i - 1] = json_string_value(json_array_get(test, i));
		bool ok = ctr_build_probe(b, CTR_PROBE_HEALTHCHECK, argv, n - 1, true);
		free(argv);
		return ok;
	}
	if (strcmp(kind, "CMD-SHELL") || n != 2)
		return true;
	/* Docker runs CMD-SHELL through exec as /bin/sh -c, which is what the process shows. */
	const char* argv[] = {"/bin/sh", "-c", json_string_value(json_array_get(test, 1))};
	return ctr_build_probe(b, CTR_PROBE_HEALTHCHECK, argv, 3, false);
}

/* Most telling first: what does not fit the record's budget is dropped from the end. */
static bool add_lists(ctr_build* b, const json_t* doc)
{
	json_t* cfg = jget(doc, "Config");
	return add_labels(b, jget(cfg, "Labels")) &&
	       add_healthcheck(b, jget(jget(cfg, "Healthcheck"), "Test")) &&
	       add_ports(b, jget(jget(doc, "NetworkSettings"), "Ports")) &&
	       add_mounts(b, jget(doc, "Mounts")) && add_env(b, jget(cfg, "Env"));
}

/* ---- documents → records ----------------------------------------------------- */

static int64_t label_max_len(const inspect_opts* o)
{
	return o ? o->label_max_len : DEFAULT_LABEL_MAX_LEN;
}

/* Parses an inspect document and checks the one thing no record can do without. */
static json_t* open_inspect(const char* what, const char* buf, size_t len, char* err,
                            size_t errlen)
{
	char why[256];
	json_t* doc = jget_parse(buf, len, why, sizeof(why));
	const char* problem = NULL;
	if (!doc)
		problem = why;
	else if (!json_is_object(doc))
		problem = "not a JSON object";
	else if (!jget(doc, "Id"))
		problem = "no Id";
	else if (!json_is_full_id(jget(doc, "Id")))
		problem = "Id is not 64 lowercase hex digits";
	if (!problem)
		return doc;
	errbuf_set(err, errlen, "%s: %s", what, problem);
	json_decref(doc);
	return NULL;
}

/* cri-dockerd / dockershim sandboxes (docs/engines.md "Kubernetes through Docker");
 * the label is read before filtering. */
static bool docker_is_sandbox(const ctr_record* r, const json_t* doc)
{
	json_t* labels = jget(jget(doc, "Config"), "Labels");
	return strstr(r->name, "k8s_POD") || str_is(labels, "io.kubernetes.docker.type", "podsandbox");
}

static ctr_record* build(uint32_t type, const json_t* doc, const json_t* img,
                         const inspect_opts* o, char* err, size_t errlen)
{
	ctr_build b;
	if (!ctr_build_start(&b, type, label_max_len(o))) {
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	ctr_record* r = b.r;
	set_numbers(r, doc);
	bool ok = set_strings(r, doc) &&
	          (type == CTR_TYPE_PODMAN ? image_ref_podman(r, doc) : image_ref_docker(r, doc, img)) &&
	          ctr_build_scalars(&b);
	if (ok) {
		r->is_pod_sandbox = type == CTR_TYPE_PODMAN ? json_is_true(jget(doc, "IsInfra"))
		                                            : docker_is_sandbox(r, doc);
		ok = add_lists(&b, doc);
	}
	b.oom = b.oom || !ok;
	return ctr_build_finish(&b, err, errlen);
}

ctr_record* inspect_docker(const char* container_json, size_t len, const char* image_json,
                           size_t ilen, const inspect_opts* o, char* err, size_t errlen)
{
	json_t* doc = open_inspect("docker inspect", container_json, len, err, errlen);
	if (!doc)
		return NULL;
	/* A bad image document only costs the image details, never the container. */
	json_t* img = image_json ? jget_parse(image_json, ilen, NULL, 0) : NULL;
	ctr_record* r = build(CTR_TYPE_DOCKER, doc, img, o, err, errlen);
	json_decref(img);
	json_decref(doc);
	return r;
}

ctr_record* inspect_podman(const char* json, size_t len, const inspect_opts* o, char* err,
                           size_t errlen)
{
	json_t* doc = open_inspect("podman inspect", json, len, err, errlen);
	if (!doc)
		return NULL;
	ctr_record* r = build(CTR_TYPE_PODMAN, doc, NULL, o, err, errlen);
	json_decref(doc);
	return r;
}

/* ---- network-container helpers ------------------------------------------------- */

char* inspect_network_container(const char* json, size_t len)
{
	static const char prefix[] = "container:";
	json_t* doc = jget_parse(json, len, NULL, 0);
	const char* mode = jget_str(jget(doc, "HostConfig"), "NetworkMode");
	char* other = NULL;
	if (mode && !strncmp(mode, prefix, sizeof(prefix) - 1) &&
	    ctr_id_safe(mode + sizeof(prefix) - 1) && !*doc_ip(doc))
		other = strdup(mode + sizeof(prefix) - 1);
	json_decref(doc);
	return other;
}

char* inspect_ip(const char* json, size_t len)
{
	json_t* doc = jget_parse(json, len, NULL, 0);
	char* ip = json_is_object(doc) ? strdup(doc_ip(doc)) : NULL;
	json_decref(doc);
	return ip;
}

char* inspect_image_id(const char* json, size_t len)
{
	json_t* doc = jget_parse(json, len, NULL, 0);
	json_t* image = jget(doc, "Image");
	const char* s = json_string_value(image);
	size_t n = json_string_length(image);
	char* id = NULL;
	if (s && n > VAL_SHA256_PREFIX_LEN && !strncmp(s, VAL_SHA256_PREFIX, VAL_SHA256_PREFIX_LEN) &&
	    val_image_id(s, n))
		id = strdup(s);
	json_decref(doc);
	return id;
}

/* ---- listing ------------------------------------------------------------------- */

void inspect_ids_free(char** ids, size_t n)
{
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i]);
	free(ids);
}

/* False on OOM (nothing collected): a listing cut short must not look complete. */
static bool collect_ids(const json_t* list, char*** ids, size_t* count)
{
	size_t cap = json_array_size(list), n = 0;
	if (!cap)
		return true;
	char** out = calloc(cap, sizeof(*out));
	if (!out)
		return false;
	for (size_t i = 0; i < cap; i++) {
		json_t* id = jget(json_array_get(list, i), "Id");
		if (!json_is_full_id(id))
			continue;
		if (!(out[n] = strdup(json_string_value(id)))) {
			inspect_ids_free(out, n);
			return false;
		}
		n++;
	}
	if (!n)
		free(out);
	else
		*ids = out;
	*count = n;
	return true;
}

bool inspect_list_read(const char* json, size_t len, char*** ids, size_t* n)
{
	*n = 0;
	if (!ids)
		return false;
	*ids = NULL;
	json_t* list = jget_parse(json, len, NULL, 0);
	bool ok = json_is_array(list) && collect_ids(list, ids, n);
	json_decref(list);
	return ok;
}

size_t inspect_list_ids(const char* json, size_t len, char*** ids)
{
	size_t n;
	inspect_list_read(json, len, ids, &n);
	return n;
}

/* ---- minimal records ------------------------------------------------------------- */

static bool acceptable_id(uint32_t type, const char* id)
{
	if (!id)
		return false;
	if (type == CTR_TYPE_DOCKER || type == CTR_TYPE_PODMAN)
		return val_full_id(id, strlen(id));
	return ctr_id_safe(id);
}

ctr_record* inspect_minimal(uint32_t type, const char* full_id, const char* image)
{
	if (!acceptable_id(type, full_id))
		return NULL;
	ctr_build b;
	if (!ctr_build_start(&b, type, 0))
		return NULL;
	if (!ctr_str_set(&b.r->full_id, full_id) || !set_n(&b.r->id, full_id, CTR_SHORT_ID_LEN) ||
	    !ctr_str_set(&b.r->image, image))
		b.oom = true;
	return ctr_build_finish(&b, NULL, 0);
}
