/*
 * libFuzzer target: cgroup_match_path on the input as a NUL-terminated path,
 * with every engine enabled, with each engine alone, and with the static
 * engine; checks the contract of cgroup.h on every result.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#define BIT(e) CGROUP_ENGINE_BIT(e)
#define ALL_ENGINES                                                                            \
	(BIT(CGROUP_ENGINE_DOCKER) | BIT(CGROUP_ENGINE_PODMAN) | BIT(CGROUP_ENGINE_CRI) |      \
	 BIT(CGROUP_ENGINE_CONTAINERD) | BIT(CGROUP_ENGINE_LXC) |                              \
	 BIT(CGROUP_ENGINE_LIBVIRT_LXC) | BIT(CGROUP_ENGINE_BPM))

static void fail(const char* path, const cgroup_match* m, const char* what)
{
	fprintf(stderr, "fuzz_cgroup: %s (kind %d engine %d id \"%.*s\") for path \"%s\"\n", what,
	        (int)m->kind, (int)m->engine, CGROUP_ID_MAX, m->id, path);
	abort();
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The contract every result honours, whatever the engines. */
static void check_result(const char* path, cgroup_kind k, const cgroup_match* m)
{
	const char* nul = memchr(m->id, '\0', CGROUP_ID_MAX);
	if (!nul)
		fail(path, m, "id not NUL-terminated within CGROUP_ID_MAX");
	size_t n = (size_t)(nul - m->id);
	if (k != m->kind)
		fail(path, m, "returned kind differs from out->kind");
	switch (k) {
	case CGROUP_HOST:
		if (n != 0 || m->engine != CGROUP_ENGINE_NONE)
			fail(path, m, "host with an id or an engine");
		break;
	case CGROUP_ID:
		/* Strict layouts: the short id (12 hex digits) of a 64-hex id. */
		if (m->engine != CGROUP_ENGINE_DOCKER && m->engine != CGROUP_ENGINE_PODMAN &&
		    m->engine != CGROUP_ENGINE_CRI && m->engine != CGROUP_ENGINE_CONTAINERD)
			fail(path, m, "id from an engine without an API");
		if (n != 12)
			fail(path, m, "id is not a short id");
		for (size_t i = 0; i < n; i++)
			if (!is_hex(m->id[i]))
				fail(path, m, "id is not hex");
		break;
	case CGROUP_CANDIDATE:
		if (m->engine != CGROUP_ENGINE_CONTAINERD)
			fail(path, m, "candidate not from the containerd rule");
		if (n == 0 || n > 12)
			fail(path, m, "candidate id length");
		break;
	case CGROUP_RECORD:
		if (m->engine != CGROUP_ENGINE_LXC && m->engine != CGROUP_ENGINE_LIBVIRT_LXC &&
		    m->engine != CGROUP_ENGINE_BPM && m->engine != CGROUP_ENGINE_STATIC)
			fail(path, m, "record from an engine with an API");
		if (n == 0)
			fail(path, m, "record with an empty id");
		break;
	default:
		fail(path, m, "unknown kind");
	}
	/* Matchers copy ids out of the path (static aside). */
	if (n && m->engine != CGROUP_ENGINE_STATIC && !strstr(path, m->id))
		fail(path, m, "id is not part of the path");
}

static cgroup_kind run(const cgroup_matchers* ms, const char* path, cgroup_match* m)
{
	/* Garbage in the output buffer must never leak into the result. */
	memset(m, 0x5a, sizeof(*m));
	cgroup_kind k = cgroup_match_path(ms, path, m);
	check_result(path, k, m);
	return k;
}

static const cgroup_engine engines[] = {
	CGROUP_ENGINE_PODMAN, CGROUP_ENGINE_DOCKER, CGROUP_ENGINE_CRI,
	CGROUP_ENGINE_LIBVIRT_LXC, CGROUP_ENGINE_LXC, CGROUP_ENGINE_BPM,
	CGROUP_ENGINE_CONTAINERD,
};

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	char* path = malloc(size + 1);
	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';

	cgroup_match all, one, again;
	cgroup_matchers ms = {.enabled = ALL_ENGINES, .static_id = NULL};
	cgroup_kind k = run(&ms, path, &all);

	/* Pure: the same answer twice, and with a NULL out. */
	if (run(&ms, path, &again) != k || strcmp(again.id, all.id) || again.engine != all.engine)
		fail(path, &again, "not deterministic");
	if (cgroup_match_path(&ms, path, NULL) != k)
		fail(path, &all, "NULL out changes the answer");

	/*
	 * The chain stops at the first matcher that claims the path, so the
	 * winning engine alone gives the same answer, and no engine alone claims
	 * a path the whole chain left to the host.
	 */
	for (size_t i = 0; i < sizeof(engines) / sizeof(engines[0]); i++) {
		cgroup_matchers solo = {.enabled = BIT(engines[i])};
		cgroup_kind ks = run(&solo, path, &one);
		if (k == CGROUP_HOST && ks != CGROUP_HOST)
			fail(path, &one, "an engine alone claims a host path");
		if (k != CGROUP_HOST && engines[i] == all.engine &&
		    (ks != k || strcmp(one.id, all.id)))
			fail(path, &one, "the winning engine alone answers differently");
	}

	/* No engine at all: always host. */
	cgroup_matchers none = {.enabled = 0};
	if (run(&none, path, &one) != CGROUP_HOST)
		fail(path, &one, "no engine enabled but not host");

	/* Static: exclusive, its id verbatim for any non-empty path. */
	static const char static_id[] = "static-ctr";
	cgroup_matchers st = {.enabled = ALL_ENGINES | BIT(CGROUP_ENGINE_STATIC),
	                      .static_id = static_id};
	cgroup_kind kst = run(&st, path, &one);
	if (path[0] && (kst != CGROUP_RECORD || one.engine != CGROUP_ENGINE_STATIC ||
	                strcmp(one.id, static_id)))
		fail(path, &one, "static engine not exclusive");
	if (!path[0] && kst != CGROUP_HOST)
		fail(path, &one, "empty path not host");

	/* The static id itself from the input: too long or empty → host. */
	cgroup_matchers st2 = {.enabled = BIT(CGROUP_ENGINE_STATIC), .static_id = path};
	size_t plen = strlen(path);
	kst = run(&st2, "/", &one);
	if ((plen == 0 || plen >= CGROUP_ID_MAX) ? kst != CGROUP_HOST
	                                         : (kst != CGROUP_RECORD || strcmp(one.id, path)))
		fail(path, &one, "static id from the config");

	/* The raw layout rule with the input as path, on the usual layouts. */
	char id[CGROUP_ID_MAX];
	if (cgroup_match_layout(path, "/docker-", ".scope", id) &&
	    (strlen(id) != 12 || !strstr(path, id)))
		fail(path, &all, "cgroup_match_layout id");

	free(path);
	return 0;
}
