/*
 * Docker and libpod inspect/list/event documents → records (§8.1, §8.2, §7.2),
 * following the Recommended variants: repo/tag as the user wrote the image,
 * `--cpus` reflected in cpu_quota, the per-network IP fallback, and docker's
 * port rule for podman too.
 *
 * Every JSON access goes through getters that answer NULL/default for an
 * absent key, a wrong type or a non-object parent, so a hostile document can
 * only lose keys, never the process. Only a missing or malformed Id (or
 * unparsable text, or OOM) refuses a whole document.
 */
#include "inspect.h"
#include "errbuf.h"
#include "jget.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FULL_ID_LEN 64
#define DEFAULT_LABEL_MAX_LEN 100 /* the config default (§4.1) */
#define DEFAULT_CPU_SHARES 1024
#define DEFAULT_CPU_PERIOD 100000
/* `--cpus` is stored as NanoCpus; this turns it into a quota at the default period. */
#define NANO_CPUS_PER_QUOTA_US 10000
/* Bounds a cpuset number so that counting never overflows, whatever the text. */
#define CPUSET_MAX_CPU (1 << 22)
/* Longer than any id or sensible container name: refused rather than put in a URL. */
#define CONTAINER_REF_MAX 255
/*
 * What one record keeps of its labels, and of its environment, keys and
 * values together. Kubernetes caps a pod's annotations at 256 KiB in all, so
 * no real container comes near; the cap bounds what a broken or hostile
 * engine can make the cache hold, and every event about the container carry.
 */
#define KEPT_BYTES_MAX (256 * 1024)

static const char sha256_prefix[] = "sha256:";
#define SHA256_PREFIX_LEN (sizeof(sha256_prefix) - 1)

/* ---- small helpers ------------------------------------------------------ */

static void clear_err(char* err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool all_hex(const char* s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_lower_hex(s[i]))
			return false;
	return true;
}

static bool hex64(const char* s, size_t len)
{
	return s && len == FULL_ID_LEN && all_hex(s, len);
}

/* A JSON string holding a full id; the length check also refuses embedded NULs. */
static bool json_is_full_id(const json_t* v)
{
	return json_is_string(v) && hex64(json_string_value(v), json_string_length(v));
}

static const char* strip_sha256(const char* s)
{
	if (s && !strncmp(s, sha256_prefix, SHA256_PREFIX_LEN))
		return s + SHA256_PREFIX_LEN;
	return s;
}

/* Stores a malloc'd string in *dst, freeing what was there. */
static void replace(char** dst, char* src)
{
	ctr_str_take(dst, src);
}

static bool set_n(char** dst, const char* s, size_t n)
{
	char* copy = strndup(s, n);
	if (copy)
		replace(dst, copy);
	return copy != NULL;
}

/* ---- JSON access -------------------------------------------------------- */

/*
 * Integers beyond int64 are legal JSON but jansson refuses them, so such a
 * document is read again with every integer as a real (int_at saturates).
 */
static json_t* parse(const char* buf, size_t len, char* err, size_t errlen)
{
	if (!buf) {
		errbuf_set(err, errlen, "no document");
		return NULL;
	}
	/* Event lines and HTTP bodies may keep their terminating NUL. */
	while (len && buf[len - 1] == '\0')
		len--;
	/* Any top-level value parses, so that callers can say "not an object" instead. */
	const size_t flags = JSON_ALLOW_NUL | JSON_DECODE_ANY;
	json_error_t e;
	json_t* root = json_loadb(buf, len, flags, &e);
	if (!root && json_error_code(&e) == json_error_numeric_overflow)
		root = json_loadb(buf, len, flags | JSON_DECODE_INT_AS_REAL, &e);
	if (!root)
		errbuf_set(err, errlen, "malformed JSON: %s (line %d, column %d)", e.text, e.line,
		        e.column);
	return root;
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

/* True with the value for an integer, or a real (saturated) from a re-parse. */
static bool int_at(const json_t* obj, const char* key, int64_t* out)
{
	json_t* v = jget(obj, key);
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_real(v))
		return false;
	double d = json_real_value(v);
	if (d >= 9223372036854775807.0)
		*out = INT64_MAX;
	else if (d <= -9223372036854775808.0)
		*out = INT64_MIN;
	else
		*out = (int64_t)d;
	return true;
}

static int64_t int_or(const json_t* obj, const char* key, int64_t def)
{
	int64_t v;
	return int_at(obj, key, &v) ? v : def;
}

/* ---- text formats --------------------------------------------------------- */

/* Exactly n decimal digits. */
static bool read_digits(const char** p, int n, int* out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool read_char(const char** p, const char* any)
{
	if (!**p || !strchr(any, **p))
		return false;
	(*p)++;
	return true;
}

/* "YYYY-MM-DDThh:mm:ss" into tm (calendar values, not yet struct tm offsets). */
static bool read_date_time(const char** p, struct tm* tm)
{
	return read_digits(p, 4, &tm->tm_year) && read_char(p, "-") &&
	       read_digits(p, 2, &tm->tm_mon) && read_char(p, "-") &&
	       read_digits(p, 2, &tm->tm_mday) && read_char(p, "Tt ") &&
	       read_digits(p, 2, &tm->tm_hour) && read_char(p, ":") &&
	       read_digits(p, 2, &tm->tm_min) && read_char(p, ":") && read_digits(p, 2, &tm->tm_sec) &&
	       tm->tm_mon >= 1 && tm->tm_mon <= 12 && tm->tm_mday >= 1 && tm->tm_mday <= 31 &&
	       tm->tm_hour <= 23 && tm->tm_min <= 59 && tm->tm_sec <= 60;
}

/* Optional fraction, then "Z" or "±hh:mm": the offset east of UTC in seconds. */
static bool read_zone(const char** p, int* offset)
{
	if (read_char(p, ".")) {
		if (**p < '0' || **p > '9')
			return false;
		while (**p >= '0' && **p <= '9')
			(*p)++;
	}
	*offset = 0;
	if (read_char(p, "Zz"))
		return !**p;
	int sign = **p == '-' ? -1 : 1, h, m;
	if (!read_char(p, "+-") || !read_digits(p, 2, &h) || !read_char(p, ":") ||
	    !read_digits(p, 2, &m) || h > 23 || m > 59)
		return false;
	*offset = sign * (h * 3600 + m * 60);
	return !**p;
}

/*
 * RFC 3339 → Unix seconds (fraction dropped). Unreadable text, and Go's zero
 * time "0001-01-01T00:00:00Z" (or anything before 1970), mean unknown: 0.
 */
static int64_t rfc3339_seconds(const char* s)
{
	struct tm tm = {0};
	int offset;
	if (!s || !read_date_time(&s, &tm) || !read_zone(&s, &offset))
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	int64_t t = (int64_t)timegm(&tm) - offset;
	return t > 0 ? t : 0;
}

/* A cpuset number: digits only, bounded. */
static bool read_cpu(const char** p, int64_t* out)
{
	int64_t v = 0;
	const char* start = *p;
	for (; **p >= '0' && **p <= '9'; (*p)++) {
		v = v * 10 + (**p - '0');
		if (v > CPUSET_MAX_CPU)
			return false;
	}
	*out = v;
	return *p != start;
}

/* "0-5,8,14" → 8; empty or malformed → 0. Overlaps are counted twice, as upstream does. */
static int64_t cpuset_count(const char* s)
{
	if (!s || !*s)
		return 0;
	int64_t total = 0;
	for (;;) {
		int64_t lo, hi;
		if (!read_cpu(&s, &lo))
			return 0;
		hi = lo;
		if (read_char(&s, "-") && (!read_cpu(&s, &hi) || hi < lo))
			return 0;
		total += hi - lo + 1;
		if (!*s)
			return total;
		if (!read_char(&s, ","))
			return 0;
	}
}

static bool parse_u16(const char* s, size_t n, uint16_t* out)
{
	if (n == 0 || n > 5)
		return false;
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	if (v > UINT16_MAX)
		return false;
	*out = (uint16_t)v;
	return true;
}

static bool parse_ipv4(const char* s, uint32_t* out)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

/* ---- record parts shared by docker and podman --------------------------- */

static bool set_identity(ctr_record* r, const json_t* doc)
{
	const char* id = jget_str(doc, "Id");
	const char* name = str_or_empty(doc, "Name");
	if (*name == '/')
		name++;
	return ctr_str_set(&r->full_id, id) && set_n(&r->id, id, CTR_SHORT_ID_LEN) &&
	       ctr_str_set(&r->name, name);
}

static bool add_label(ctr_record* r, const char* key, const json_t* v)
{
	size_t vlen = json_string_length(v);
	ctr_kv* kv = &r->labels[r->nlabels];
	kv->key = strdup(key);
	kv->value = malloc(vlen + 1);
	if (!kv->key || !kv->value) {
		free(kv->key);
		free(kv->value);
		return false;
	}
	/* memcpy, not strcpy: the value may hold NUL bytes and keeps them. */
	memcpy(kv->value, json_string_value(v), vlen + 1);
	kv->value_len = vlen;
	r->nlabels++;
	return true;
}

/* What is left of KEPT_BYTES_MAX for labels and for the environment of one record. */
typedef struct budget {
	size_t labels_left, env_left;
	size_t labels_dropped, env_dropped;
} budget;

static bool spend(size_t* left, size_t* dropped, size_t n)
{
	if (n > *left) {
		(*dropped)++;
		return false;
	}
	*left -= n;
	return true;
}

static bool set_labels(ctr_record* r, json_t* labels, int64_t max_len, budget* b)
{
	size_t n = json_object_size(labels);
	if (!n || max_len < 0)
		return true;
	if (!(r->labels = calloc(n, sizeof(*r->labels))))
		return false;
	const char* key;
	json_t* v;
	json_object_foreach(labels, key, v)
	{
		if (!json_is_string(v) || (uint64_t)json_string_length(v) > (uint64_t)max_len)
			continue;
		size_t size = strlen(key) + json_string_length(v);
		if (spend(&b->labels_left, &b->labels_dropped, size) && !add_label(r, key, v))
			return false;
	}
	return true;
}

static bool set_env(ctr_record* r, json_t* env, budget* b)
{
	size_t n = json_array_size(env), i;
	if (!n)
		return true;
	if (!(r->env = calloc(n, sizeof(*r->env))))
		return false;
	json_t* v;
	json_array_foreach(env, i, v)
	{
		if (!json_is_string(v) || !spend(&b->env_left, &b->env_dropped, json_string_length(v)))
			continue;
		if (!(r->env[r->nenv] = strdup(json_string_value(v))))
			return false;
		r->nenv++;
	}
	return true;
}

static bool add_mount(ctr_record* r, const json_t* m)
{
	ctr_mount* out = &r->mounts[r->nmounts];
	*out = (ctr_mount){
		.source = strdup(str_or_empty(m, "Source")),
		.dest = strdup(str_or_empty(m, "Destination")),
		.mode = strdup(str_or_empty(m, "Mode")),
		.propagation = strdup(str_or_empty(m, "Propagation")),
		.rw = json_is_true(jget(m, "RW")),
	};
	if (out->source && out->dest && out->mode && out->propagation) {
		r->nmounts++;
		return true;
	}
	free(out->source);
	free(out->dest);
	free(out->mode);
	free(out->propagation);
	return false;
}

static bool set_mounts(ctr_record* r, json_t* mounts)
{
	size_t n = json_array_size(mounts), i;
	if (!n)
		return true;
	if (!(r->mounts = calloc(n, sizeof(*r->mounts))))
		return false;
	json_t* m;
	json_array_foreach(mounts, i, m)
	{
		if (json_is_object(m) && !add_mount(r, m))
			return false;
	}
	return true;
}

/* "80/tcp" → 80; other protocols and malformed keys are skipped (§8.1). */
static bool container_port(const char* key, uint16_t* port)
{
	const char* slash = strchr(key, '/');
	return slash && !strcmp(slash + 1, "tcp") && parse_u16(key, (size_t)(slash - key), port);
}

/*
 * One {"HostIp","HostPort"} binding. IPv6 and unparsable addresses are skipped;
 * an empty or absent HostIp is podman's way of saying "all addresses" (0.0.0.0).
 */
static bool read_binding(const json_t* b, uint16_t cport, ctr_port* out)
{
	json_t* ip = jget(b, "HostIp");
	json_t* port = jget(b, "HostPort");
	if (!json_is_string(port) || (ip && !json_is_string(ip)))
		return false;
	const char* ip_text = ip ? json_string_value(ip) : "";
	out->container_port = cport;
	out->host_ip = 0;
	return (!*ip_text || parse_ipv4(ip_text, &out->host_ip)) &&
	       parse_u16(json_string_value(port), json_string_length(port), &out->host_port);
}

static size_t count_bindings(json_t* ports)
{
	size_t n = 0;
	const char* key;
	json_t* list;
	json_object_foreach(ports, key, list)
	{
		n += json_array_size(list);
	}
	return n;
}

static bool set_ports(ctr_record* r, json_t* ports)
{
	size_t n = count_bindings(ports), i;
	if (!n)
		return true;
	if (!(r->ports = calloc(n, sizeof(*r->ports))))
		return false;
	const char* key;
	json_t *list, *b;
	json_object_foreach(ports, key, list)
	{
		uint16_t cport;
		if (!container_port(key, &cport))
			continue;
		json_array_foreach(list, i, b)
		{
			if (read_binding(b, cport, &r->ports[r->nports]))
				r->nports++;
		}
	}
	return true;
}

static bool is_ipv4(const char* s)
{
	uint32_t ignored;
	return parse_ipv4(s, &ignored);
}

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
	/* Docker shows `--cpus` only as NanoCpus (engines.md §3.3); legacy took the larger. */
	int64_t quota = int_or(hc, "CpuQuota", 0);
	int64_t nano_quota = int_or(hc, "NanoCpus", 0) / NANO_CPUS_PER_QUOTA_US;
	r->cpu_quota = quota > nano_quota ? quota : nano_quota;
	r->cpuset_cpu_count = cpuset_count(jget_str(hc, "CpusetCpus"));
}

/* ---- healthcheck (§7.2) --------------------------------------------------- */

/* Strips matching outer quotes repeatedly; a lone quote is its own first and last. */
static char* normalize(const char* s)
{
	size_t len = strlen(s);
	while (len && (*s == '"' || *s == '\'') && s[len - 1] == *s) {
		s++;
		len = len >= 2 ? len - 2 : 0;
	}
	return strndup(s, len);
}

static bool set_probe(ctr_probe* p, const char* const* argv, size_t argc, bool norm)
{
	/* One spare slot keeps args NULL-terminated for readers that prefer that. */
	if (!(p->args = calloc(argc, sizeof(*p->args))))
		return false;
	for (size_t i = 0; i < argc; i++) {
		char* v = norm ? normalize(argv[i]) : strdup(argv[i]);
		if (!v)
			return false;
		if (i == 0)
			p->exe = v;
		else
			p->args[p->nargs++] = v;
	}
	p->present = true;
	return true;
}

static bool all_strings(const json_t* arr)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (!json_is_string(json_array_get(arr, i)))
			return false;
	return true;
}

static bool set_cmd_probe(ctr_probe* p, const json_t* test)
{
	size_t argc = json_array_size(test) - 1;
	const char** argv = calloc(argc, sizeof(*argv));
	if (!argv)
		return false;
	for (size_t i = 0; i < argc; i++)
		argv[i] = json_string_value(json_array_get(test, i + 1));
	bool ok = set_probe(p, argv, argc, true);
	free(argv);
	return ok;
}

/* ["CMD", exe, args…] or ["CMD-SHELL", cmd]; NONE and anything else leave no probe. */
static bool set_healthcheck(ctr_probe* p, const json_t* test)
{
	size_t n = json_array_size(test);
	if (n < 2 || !all_strings(test))
		return true;
	const char* kind = json_string_value(json_array_get(test, 0));
	if (!strcmp(kind, "CMD"))
		return set_cmd_probe(p, test);
	if (strcmp(kind, "CMD-SHELL") || n != 2)
		return true;
	/* Docker runs CMD-SHELL through exec as /bin/sh -c, which is what the process shows. */
	const char* argv[] = {"/bin/sh", "-c", json_string_value(json_array_get(test, 1))};
	return set_probe(p, argv, 3, false);
}

/* ---- image references ------------------------------------------------------ */

/* Config.Image names an image unless it is an id: "sha256:…" or a hex prefix of the image id. */
static bool names_an_image(const char* ref, const char* imageid)
{
	size_t len = strlen(ref);
	if (!len || !strncmp(ref, sha256_prefix, SHA256_PREFIX_LEN))
		return false;
	if (!all_hex(ref, len))
		return true;
	return len != FULL_ID_LEN && strncmp(imageid, ref, len) != 0;
}

/* Recommended §8.1: repo/tag/digest as written; no tag and no digest means "latest". */
static bool split_reference(ctr_record* r, const char* ref)
{
	char *repo, *tag, *digest;
	if (!ctr_image_split_legacy(ref, &repo, &tag, &digest))
		return false;
	replace(&r->imagerepo, repo);
	replace(&r->imagetag, tag);
	replace(&r->imagedigest, digest);
	return *r->imagetag || *r->imagedigest || ctr_str_set(&r->imagetag, "latest");
}

/* Docker reports Hub names in their familiar form: "nginx", not "docker.io/library/nginx". */
static const char* familiar(const char* repo, size_t* len)
{
	static const char* const prefixes[] = {"docker.io/library/", "docker.io/", "library/"};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (*len > n && !strncmp(repo, prefixes[i], n)) {
			*len -= n;
			return repo + n;
		}
	}
	return repo;
}

static bool same_repo(const char* a, size_t alen, const char* b)
{
	size_t blen = strlen(b);
	a = familiar(a, &alen);
	b = familiar(b, &blen);
	return alen == blen && !strncmp(a, b, alen);
}

/* "repo@sha256:…" → its '@' when both parts are non-empty. */
static const char* digest_at(const char* entry)
{
	const char* at_sign = entry ? strchr(entry, '@') : NULL;
	return at_sign && at_sign != entry && at_sign[1] ? at_sign : NULL;
}

static bool repo_from_digests(ctr_record* r, const json_t* digests)
{
	for (size_t i = 0; i < json_array_size(digests); i++) {
		const char* e = json_string_value(json_array_get(digests, i));
		const char* sep = digest_at(e);
		if (sep)
			return set_n(&r->imagerepo, e, (size_t)(sep - e));
	}
	return true;
}

/* The digest recorded for our repo, else the only distinct digest there is. */
static bool digest_from_digests(ctr_record* r, const json_t* digests)
{
	const char* only = NULL;
	bool several = false;
	for (size_t i = 0; i < json_array_size(digests); i++) {
		const char* e = json_string_value(json_array_get(digests, i));
		const char* sep = digest_at(e);
		if (!sep)
			continue;
		if (same_repo(e, (size_t)(sep - e), r->imagerepo))
			return ctr_str_set(&r->imagedigest, sep + 1);
		several = several || (only && strcmp(only, sep + 1));
		only = only ? only : sep + 1;
	}
	return !only || several || ctr_str_set(&r->imagedigest, only);
}

/* Upstream's rule for an image known only by id: the repo (if still unknown) and its tag. */
static bool repo_tag_from_tags(ctr_record* r, const json_t* tags)
{
	for (size_t i = 0; i < json_array_size(tags); i++) {
		const char* e = json_string_value(json_array_get(tags, i));
		char *repo, *tag;
		if (!e || !strncmp(e, "<none>", 6))
			continue;
		if (!ctr_image_split_repo_tag(e, &repo, &tag))
			return false;
		if (*repo && (!*r->imagerepo || same_repo(repo, strlen(repo), r->imagerepo))) {
			if (!*r->imagerepo)
				replace(&r->imagerepo, repo);
			else
				free(repo);
			replace(&r->imagetag, tag);
			return true;
		}
		free(repo);
		free(tag);
	}
	return true;
}

static bool docker_image(ctr_record* r, const json_t* doc, const json_t* img)
{
	const char* ref = str_or_empty(jget(doc, "Config"), "Image");
	const char* id = jget_str(img, "Id");
	if (!ctr_str_set(&r->image, ref) ||
	    !ctr_str_set(&r->imageid, strip_sha256(id ? id : jget_str(doc, "Image"))))
		return false;
	bool named = names_an_image(ref, r->imageid);
	if (named && !split_reference(r, ref))
		return false;
	json_t* digests = jget(img, "RepoDigests");
	if (!*r->imagerepo && !repo_from_digests(r, digests))
		return false;
	if (!*r->imagedigest && !digest_from_digests(r, digests))
		return false;
	return named || repo_tag_from_tags(r, jget(img, "RepoTags"));
}

static bool podman_image(ctr_record* r, const json_t* doc)
{
	const char* ref = jget_str(doc, "ImageName");
	if (!ref || !*ref)
		ref = str_or_empty(jget(doc, "Config"), "Image");
	if (!ctr_str_set(&r->image, ref) ||
	    !ctr_str_set(&r->imageid, strip_sha256(jget_str(doc, "Image"))))
		return false;
	if (names_an_image(ref, r->imageid) && !split_reference(r, ref))
		return false;
	/* The manifest digest libpod reports beats one parsed from the reference. */
	const char* digest = jget_str(doc, "ImageDigest");
	return !digest || !*digest || ctr_str_set(&r->imagedigest, digest);
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
	json_t* doc = parse(buf, len, why, sizeof(why));
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

static bool fill_common(ctr_record* r, const json_t* doc, const inspect_opts* o, budget* b)
{
	json_t* cfg = jget(doc, "Config");
	json_t* net = jget(doc, "NetworkSettings");
	set_host_config(r, jget(doc, "HostConfig"));
	r->created_time = rfc3339_seconds(jget_str(doc, "Created"));
	r->size = int_or(doc, "SizeRw", -1);
	return set_identity(r, doc) && ctr_str_set(&r->user, jget_str(cfg, "User")) &&
	       set_env(r, jget(cfg, "Env"), b) &&
	       set_labels(r, jget(cfg, "Labels"), label_max_len(o), b) &&
	       set_healthcheck(&r->probes[CTR_PROBE_HEALTHCHECK],
	                       jget(jget(cfg, "Healthcheck"), "Test")) &&
	       set_mounts(r, jget(doc, "Mounts")) && set_ports(r, jget(net, "Ports")) &&
	       ctr_str_set(&r->ip, doc_ip(doc));
}

static const budget full_budget = {KEPT_BYTES_MAX, KEPT_BYTES_MAX, 0, 0};

/* A record is kept without what went over budget: the caller is told, to log it. */
static void note_dropped(const budget* b, char* err, size_t errlen)
{
	if (b->labels_dropped || b->env_dropped)
		errbuf_set(err, errlen, "labels over %d bytes in all: %zu dropped; environment: %zu dropped",
		        KEPT_BYTES_MAX, b->labels_dropped, b->env_dropped);
}

static ctr_record* finish(ctr_record* r, bool ok, const budget* b, char* err, size_t errlen)
{
	if (!ok) {
		ctr_record_unref(r);
		errbuf_set(err, errlen, "out of memory");
		return NULL;
	}
	ctr_record_finalize(r);
	clear_err(err, errlen);
	if (b)
		note_dropped(b, err, errlen);
	return r;
}

/* cri-dockerd / dockershim sandboxes (engines.md §3.4); the label is read before filtering. */
static bool docker_is_sandbox(const ctr_record* r, const json_t* doc)
{
	json_t* labels = jget(jget(doc, "Config"), "Labels");
	return strstr(r->name, "k8s_POD") || str_is(labels, "io.kubernetes.docker.type", "podsandbox");
}

ctr_record* inspect_docker(const char* container_json, size_t len, const char* image_json,
                           size_t ilen, const inspect_opts* o, char* err, size_t errlen)
{
	json_t* doc = open_inspect("docker inspect", container_json, len, err, errlen);
	if (!doc)
		return NULL;
	/* A bad image document only costs the image details, never the container. */
	json_t* img = image_json ? parse(image_json, ilen, NULL, 0) : NULL;
	ctr_record* r = ctr_record_new();
	budget b = full_budget;
	bool ok = r && fill_common(r, doc, o, &b) && docker_image(r, doc, img);
	if (ok) {
		r->type = CTR_TYPE_DOCKER;
		r->is_pod_sandbox = docker_is_sandbox(r, doc);
	}
	json_decref(img);
	json_decref(doc);
	return finish(r, ok, &b, err, errlen);
}

ctr_record* inspect_podman(const char* json, size_t len, const inspect_opts* o, char* err,
                           size_t errlen)
{
	json_t* doc = open_inspect("podman inspect", json, len, err, errlen);
	if (!doc)
		return NULL;
	ctr_record* r = ctr_record_new();
	budget b = full_budget;
	bool ok = r && fill_common(r, doc, o, &b) && podman_image(r, doc);
	if (ok) {
		r->type = CTR_TYPE_PODMAN;
		r->is_pod_sandbox = json_is_true(jget(doc, "IsInfra"));
	}
	json_decref(doc);
	return finish(r, ok, &b, err, errlen);
}

/* ---- network-container helpers ------------------------------------------------- */

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* An id or container name: safe to put in a URL path (no "/", no "..", no escapes). */
static bool is_container_ref(const char* s)
{
	size_t len = strlen(s);
	if (!len || len > CONTAINER_REF_MAX || !is_alnum(s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_alnum(s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

char* inspect_network_container(const char* json, size_t len)
{
	static const char prefix[] = "container:";
	json_t* doc = parse(json, len, NULL, 0);
	const char* mode = jget_str(jget(doc, "HostConfig"), "NetworkMode");
	char* other = NULL;
	if (mode && !strncmp(mode, prefix, sizeof(prefix) - 1) &&
	    is_container_ref(mode + sizeof(prefix) - 1) && !*doc_ip(doc))
		other = strdup(mode + sizeof(prefix) - 1);
	json_decref(doc);
	return other;
}

char* inspect_ip(const char* json, size_t len)
{
	json_t* doc = parse(json, len, NULL, 0);
	char* ip = json_is_object(doc) ? strdup(doc_ip(doc)) : NULL;
	json_decref(doc);
	return ip;
}

char* inspect_image_id(const char* json, size_t len)
{
	json_t* doc = parse(json, len, NULL, 0);
	json_t* image = jget(doc, "Image");
	const char* s = json_string_value(image);
	size_t n = json_string_length(image);
	char* id = NULL;
	if (s && !strncmp(s, sha256_prefix, SHA256_PREFIX_LEN) &&
	    hex64(s + SHA256_PREFIX_LEN, n - SHA256_PREFIX_LEN))
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
	json_t* list = parse(json, len, NULL, 0);
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
		return hex64(id, strlen(id));
	return *id && !strchr(id, '/');
}

ctr_record* inspect_minimal(uint32_t type, const char* full_id, const char* image)
{
	if (!acceptable_id(type, full_id))
		return NULL;
	ctr_record* r = ctr_record_new();
	bool ok = r && ctr_str_set(&r->full_id, full_id) &&
	          set_n(&r->id, full_id, CTR_SHORT_ID_LEN) && ctr_str_set(&r->image, image);
	if (ok)
		r->type = type;
	return finish(r, ok, NULL, NULL, 0);
}

/* ---- events ---------------------------------------------------------------------- */

void inspect_event_free(inspect_event_t* ev)
{
	if (!ev)
		return;
	free(ev->action);
	free(ev->image);
	memset(ev, 0, sizeof(*ev));
}

/* A non-empty string member, else the fallback member's. */
static const char* str_either(const json_t* a, const char* akey, const json_t* b,
                              const char* bkey)
{
	const char* s = jget_str(a, akey);
	return s && *s ? s : jget_str(b, bkey);
}

static int64_t event_time(const json_t* ev)
{
	int64_t t;
	if (int_at(ev, "timeNano", &t) && t > 0)
		return t;
	if (int_at(ev, "time", &t) && t > 0 && t <= INT64_MAX / 1000000000)
		return t * 1000000000;
	return 0;
}

static bool read_event(const json_t* ev, inspect_event_t* out)
{
	json_t* actor = jget(ev, "Actor");
	json_t* id = jget(actor, "ID");
	if (!json_is_string(id) || !json_string_length(id))
		id = jget(ev, "id");
	const char* action = str_either(ev, "Action", ev, "status");
	const char* image = str_either(jget(actor, "Attributes"), "image", ev, "from");
	if (!action || !*action || !json_is_full_id(id))
		return false;
	memcpy(out->full_id, json_string_value(id), FULL_ID_LEN + 1);
	out->time_ns = event_time(ev);
	out->action = strdup(action);
	out->image = strdup(image ? image : "");
	return out->action && out->image;
}

bool inspect_event(const char* line, size_t len, inspect_event_t* out)
{
	if (!out)
		return false;
	memset(out, 0, sizeof(*out));
	json_t* ev = parse(line, len, NULL, 0);
	/* libpod's unfiltered streams also carry image events, whose Actor.ID is an image id. */
	json_t* type = jget(ev, "Type");
	bool ok = json_is_object(ev) && (!type || str_is(ev, "Type", "container")) &&
	          read_event(ev, out);
	json_decref(ev);
	if (!ok)
		inspect_event_free(out);
	return ok;
}

int64_t inspect_cpuset_count(const char* cpus)
{
	return cpuset_count(cpus);
}
