/*
 * Container id detection from one cgroup path (docs/cgroups.md;
 * docs/decisions.md #1).
 *
 * The path is plain text: nothing here interprets "..", escapes or odd bytes,
 * because the kernel hands us canonical paths and the rules (docs/cgroups.md) are textual.
 * Every scan stays inside the NUL-terminated path; ids are copied only when
 * they fit in CGROUP_ID_MAX, otherwise the matcher does not claim the path.
 */
#include "cgroup.h"

#include <string.h>

#define FULL_ID_LEN 64  /* runc-style ids are 64 hex digits */
#define SHORT_ID_LEN 12 /* ...and reported by their first 12 */

typedef struct layout {
	const char* prefix;
	const char* suffix;
} layout;

/* docs/cgroups.md "Shapes table". Order matters: the first layout that matches wins. */
static const layout docker_layouts[] = {
	{"/", ""},
	{"/docker-", ".scope"},
};

static const layout podman_layouts[] = {
	{"/libpod-", ".scope"},
	{"/libpod-", ".scope/container"},
	{"/libpod-", ""},
	{"/libpod-payload-", ".scope"},
	{"/libpod-payload-", ".scope/container"},
	{"/libpod-payload-", ""},
};

static const layout cri_layouts[] = {
	{"/", ""},
	{"/crio-", ""},
	{"/cri-containerd-", ".scope"},
	{"/crio-", ".scope"},
	{":cri-containerd:", ""},
	{"/docker-", ".scope"},
	{"/nerdctl-", ".scope"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Small text helpers (ASCII only: the locale must not change a match) ---- */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Every one of the 64 characters is checked (upstream only checks some;
 * docs/cgroups.md "Strict rule"). */
static bool is_full_id(const char* s, size_t n)
{
	if (n != FULL_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]))
			return false;
	return true;
}

/* Like C++ rfind: an empty needle is found at the very end of the text. */
static const char* find_last(const char* text, size_t len, const char* needle, size_t nlen)
{
	if (nlen > len)
		return NULL;
	for (size_t i = len - nlen + 1; i-- > 0;)
		if (memcmp(text + i, needle, nlen) == 0)
			return text + i;
	return NULL;
}

static bool ends_with(const char* s, size_t len, const char* suffix)
{
	size_t slen = strlen(suffix);
	return slen <= len && memcmp(s + len - slen, suffix, slen) == 0;
}

/* An empty id never names a container; a too long one is a hostile path. */
static bool copy_id(char id[CGROUP_ID_MAX], const char* src, size_t n)
{
	if (n == 0 || n >= CGROUP_ID_MAX)
		return false;
	memcpy(id, src, n);
	id[n] = '\0';
	return true;
}

/* ---- The runc-style rule (docs/cgroups.md "Strict rule") ---- */

/* Writes id only on a match, so a failed layout never disturbs a caller's buffer. */
static bool layout_match(const char* path, size_t len, const layout* l, char id[CGROUP_ID_MAX])
{
	size_t plen = strlen(l->prefix);
	const char* start = find_last(path, len, l->prefix, plen);
	if (!start)
		return false;
	start += plen;
	const char* end = path + len;
	if (l->suffix[0] != '\0')
		end = find_last(path, len, l->suffix, strlen(l->suffix));
	/* The suffix may sit anywhere, even before the prefix: then there is no id. */
	if (!end || end < start || !is_full_id(start, (size_t)(end - start)))
		return false;
	return copy_id(id, start, SHORT_ID_LEN);
}

bool cgroup_match_layout(const char* path, const char* prefix, const char* suffix,
                         char id[CGROUP_ID_MAX])
{
	if (!path || !prefix || !suffix || !id)
		return false;
	layout l = {prefix, suffix};
	return layout_match(path, strlen(path), &l, id);
}

static cgroup_kind layouts_match(const char* path, size_t len, const layout* ls, size_t n,
                                 cgroup_match* out)
{
	for (size_t i = 0; i < n; i++)
		if (layout_match(path, len, &ls[i], out->id))
			return CGROUP_ID;
	return CGROUP_HOST;
}

static cgroup_kind match_docker(const char* path, size_t len, cgroup_match* out)
{
	return layouts_match(path, len, docker_layouts, COUNT(docker_layouts), out);
}

static cgroup_kind match_podman(const char* path, size_t len, cgroup_match* out)
{
	return layouts_match(path, len, podman_layouts, COUNT(podman_layouts), out);
}

static cgroup_kind match_cri(const char* path, size_t len, cgroup_match* out)
{
	return layouts_match(path, len, cri_layouts, COUNT(cri_layouts), out);
}

/* ---- Engines without an API (docs/cgroups.md): the matcher knows the record ---- */

/* The first marker found (in list order) decides; the id stops at the next '/'. */
static cgroup_kind match_lxc(const char* path, size_t len, cgroup_match* out)
{
	static const char* const markers[] = {"/lxc/", "/lxc.payload/", "/lxc.payload."};
	(void)len;
	for (size_t i = 0; i < COUNT(markers); i++) {
		const char* at = strstr(path, markers[i]);
		if (!at)
			continue;
		const char* id = at + strlen(markers[i]);
		size_t n = strcspn(id, "/");
		return copy_id(out->id, id, n) ? CGROUP_RECORD : CGROUP_HOST;
	}
	return CGROUP_HOST;
}

/* Non-systemd: ".../<name>.libvirt-lxc". */
static bool libvirt_plain(const char* path, size_t len, char id[CGROUP_ID_MAX])
{
	static const char suffix[] = ".libvirt-lxc";
	if (!ends_with(path, len, suffix))
		return false;
	size_t stop = len - (sizeof(suffix) - 1);
	const char* slash = find_last(path, stop, "/", 1);
	if (!slash)
		return false;
	return copy_id(id, slash + 1, (size_t)(path + stop - (slash + 1)));
}

/*
 * systemd: "machine-lxc\x2d<name>.scope[/libvirt]". Offsets, not pointers,
 * because the id start may lie past the end of a truncated path.
 */
static bool libvirt_systemd(const char* path, size_t len, char id[CGROUP_ID_MAX])
{
	static const char marker[] = "-lxc\\x2";
	const char* at = strstr(path, marker);
	if (!at)
		return false;
	const char* delim = strstr(path, ".scope/libvirt") ? ".scope/libvirt" : ".scope";
	const char* d = strstr(path, delim);
	if (!d || (size_t)(d - path) + strlen(delim) != len)
		return false;
	size_t id_off = (size_t)(at - path) + sizeof(marker); /* skips "-lxc\x2d" */
	size_t d_off = (size_t)(d - path);
	return id_off <= d_off && copy_id(id, path + id_off, d_off - id_off);
}

/* Legacy: everything after "/libvirt/lxc/", slashes included. */
static bool libvirt_legacy(const char* path, size_t len, char id[CGROUP_ID_MAX])
{
	static const char marker[] = "/libvirt/lxc/";
	const char* at = strstr(path, marker);
	if (!at)
		return false;
	const char* start = at + sizeof(marker) - 1;
	return copy_id(id, start, (size_t)(path + len - start));
}

static cgroup_kind match_libvirt_lxc(const char* path, size_t len, cgroup_match* out)
{
	if (libvirt_plain(path, len, out->id) || libvirt_systemd(path, len, out->id) ||
	    libvirt_legacy(path, len, out->id))
		return CGROUP_RECORD;
	return CGROUP_HOST;
}

/* The character set BPM allows in its job ids. */
static bool is_bpm_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

static cgroup_kind match_bpm(const char* path, size_t len, cgroup_match* out)
{
	(void)len;
	const char* at = strstr(path, "bpm-");
	if (!at)
		return CGROUP_HOST;
	const char* id = at + 4;
	const char* scope = strstr(id, ".scope");
	size_t n = scope ? (size_t)(scope - id) : strlen(id);
	for (size_t i = 0; i < n; i++)
		if (!is_bpm_char(id[i]))
			return CGROUP_HOST;
	return copy_id(out->id, id, n) ? CGROUP_RECORD : CGROUP_HOST;
}

/* ---- docs/cgroups.md "Relaxed rule", last because it claims so much ---- */

/* NAME: alphanumerics, optionally in groups joined by exactly one of ". _ -". */
static bool is_namespace(const char* s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i < n; i++) {
		bool sep = s[i] == '.' || s[i] == '_' || s[i] == '-';
		if (!is_alnum(s[i]) && !(sep && is_alnum(s[i - 1])))
			return false;
	}
	return true;
}

/*
 * The leftmost "/NAME/". A NAME cannot hold '/', so the only candidate
 * starting at one slash ends at the next slash: one pass over the slashes.
 */
static const char* find_namespace(const char* path, size_t* ns_len)
{
	for (const char* s = strchr(path, '/'); s;) {
		const char* next = strchr(s + 1, '/');
		if (!next)
			return NULL;
		if (is_namespace(s + 1, (size_t)(next - s - 1))) {
			*ns_len = (size_t)(next - s) + 1;
			return s;
		}
		s = next;
	}
	return NULL;
}

/* systemd units are host cgroups, whatever namespace-like parent they sit in. */
static bool is_systemd_unit(const char* path, size_t len)
{
	return ends_with(path, len, ".service") || ends_with(path, len, ".slice") ||
	       ends_with(path, len, ".scope");
}

/*
 * A 64-hex id is as strict as the runc layouts, so it is a real id. Any other
 * 64-character tail is a damaged full id (vector 7), not a short name: host.
 * Shorter tails are only candidates (docs/decisions.md #1): the plugin keeps them
 * host until an engine confirms the id.
 */
static cgroup_kind match_containerd(const char* path, size_t len, cgroup_match* out)
{
	size_t ns_len = 0;
	const char* ns = find_namespace(path, &ns_len);
	if (!ns)
		return CGROUP_HOST;
	/* Never NULL: the namespace was just found in the path. */
	const char* start = find_last(path, len, ns, ns_len) + ns_len;
	size_t n = (size_t)(path + len - start);
	if (is_full_id(start, n))
		return copy_id(out->id, start, SHORT_ID_LEN) ? CGROUP_ID : CGROUP_HOST;
	if (n == 0 || n >= FULL_ID_LEN || is_systemd_unit(path, len))
		return CGROUP_HOST;
	copy_id(out->id, start, n < SHORT_ID_LEN ? n : SHORT_ID_LEN);
	return CGROUP_CANDIDATE;
}

/* ---- The chain (docs/cgroups.md "Matcher order") ---- */

typedef cgroup_kind (*matcher_fn)(const char* path, size_t len, cgroup_match* out);

static const struct {
	cgroup_engine engine;
	matcher_fn fn;
} chain[] = {
	{CGROUP_ENGINE_PODMAN, match_podman},
	{CGROUP_ENGINE_DOCKER, match_docker},
	{CGROUP_ENGINE_CRI, match_cri},
	{CGROUP_ENGINE_LIBVIRT_LXC, match_libvirt_lxc},
	{CGROUP_ENGINE_LXC, match_lxc},
	{CGROUP_ENGINE_BPM, match_bpm},
	{CGROUP_ENGINE_CONTAINERD, match_containerd},
};

static bool enabled(const cgroup_matchers* m, cgroup_engine e)
{
	return (m->enabled & CGROUP_ENGINE_BIT(e)) != 0;
}

/* Static is exclusive: its id is used verbatim, so one that does not fit gives host. */
static cgroup_kind match_static(const cgroup_matchers* m, cgroup_match* out)
{
	const char* id = m->static_id ? m->static_id : "";
	if (!copy_id(out->id, id, strlen(id)))
		return CGROUP_HOST;
	out->engine = CGROUP_ENGINE_STATIC;
	return out->kind = CGROUP_RECORD;
}

static cgroup_kind set_host(cgroup_match* out)
{
	out->engine = CGROUP_ENGINE_NONE;
	out->id[0] = '\0';
	return out->kind = CGROUP_HOST;
}

cgroup_kind cgroup_match_path(const cgroup_matchers* m, const char* path, cgroup_match* out)
{
	cgroup_match scratch;
	if (!out)
		out = &scratch;
	set_host(out);
	if (!m || !path || path[0] == '\0')
		return CGROUP_HOST;
	if (enabled(m, CGROUP_ENGINE_STATIC))
		return match_static(m, out) == CGROUP_RECORD ? CGROUP_RECORD : set_host(out);

	size_t len = strlen(path);
	for (size_t i = 0; i < COUNT(chain); i++) {
		if (!enabled(m, chain[i].engine))
			continue;
		cgroup_kind k = chain[i].fn(path, len, out);
		if (k != CGROUP_HOST) {
			out->engine = chain[i].engine;
			return out->kind = k;
		}
	}
	return set_host(out);
}
