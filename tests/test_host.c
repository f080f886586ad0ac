/*
 * Tests of the plugin host: event byte layouts, loading checks (version
 * matrix, symbols, capabilities, fields JSON, static registration slot shift), the
 * tables API (threads semantics, add_table acceptance rules), the schema
 * validator, async event validation, extraction checks, and the probe plugin
 * end to end (PROBE_PLUGIN_PATH).
 *
 * The small in-process plugins below are registered with host_load_api; they
 * report what they observed through file-scope variables (one host at a time).
 */
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "events.h"
#include "host.h"
#include "host_priv.h"
#include "jsonschema.h"
#include "le.h"
#include "proc_scan.h"
#include "test.h"

static bool all_zero(const uint8_t* p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* ======================= event builders ======================= */

TEST(events_clone_layout)
{
	const char* args[] = {"-c", "ls", NULL};
	const char* cg[] = {"cpu=/a", "memory=/b", NULL};
	evt_proc_info p = {.res = 0, .tid = 101, .pid = 100, .ptid = 1, .vtid = 5, .vpid = 4,
	                   .pidns_init_start_ts = 12345, .exe = "/bin/sh", .comm = "sh",
	                   .args = args, .cgroups = cg};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, 999, &p);
	REQUIRE(e != NULL);
	const uint8_t* b = (const uint8_t*)e;
	static const uint16_t lens[21] = {8, 8, 6, 8, 8, 8, 0, 8, 8, 8, 4,
	                                  4, 4, 3, 17, 4, 4, 4, 8, 8, 8};
	uint32_t total = 26 + 21 * 2;
	for (int i = 0; i < 21; i++)
		total += lens[i];
	CHECK_INT(le64(b), 999);
	CHECK_INT(le64(b + 8), 101);
	CHECK_INT(le32(b + 16), total);
	CHECK_INT(le16(b + 20), 223);
	CHECK_INT(le32(b + 22), 21);
	for (int i = 0; i < 21; i++)
		CHECK_INT(le16(b + 26 + 2 * i), lens[i]);
	size_t o = 26 + 42;
	CHECK_INT((int64_t)le64(b + o), 0);
	o += 8;
	CHECK(memcmp(b + o, "/bin/sh", 8) == 0);
	o += 8;
	CHECK(memcmp(b + o, "-c\0ls", 6) == 0);
	o += 6;
	CHECK_INT(le64(b + o), 101);
	CHECK_INT(le64(b + o + 8), 100);
	CHECK_INT(le64(b + o + 16), 1);
	o += 24; /* cwd: empty, no bytes */
	CHECK(all_zero(b + o, 8 * 3 + 4 * 3)); /* fdlimit, pgft_maj/min, vm_size/rss/swap */
	o += 36;
	CHECK(memcmp(b + o, "sh", 3) == 0);
	o += 3;
	CHECK(memcmp(b + o, "cpu=/a\0memory=/b", 17) == 0);
	o += 17;
	CHECK(all_zero(b + o, 12)); /* flags, uid, gid */
	o += 12;
	CHECK_INT(le64(b + o), 5);
	CHECK_INT(le64(b + o + 8), 4);
	CHECK_INT(le64(b + o + 16), 12345);
	CHECK_INT(o + 24, total);
	/* The shared reader agrees with the raw layout. */
	const char* s;
	CHECK(scap_event_param_str(e, 13, &s, NULL) && !strcmp(s, "sh"));
	CHECK(!scap_event_param_str(e, 6, &s, NULL));
	free(e);
	CHECK(evt_clone_exit(PPME_SYSCALL_EXECVE_19_X, 0, &p) == NULL);
}

TEST(events_async_and_json_layout)
{
	ss_plugin_event* e = evt_async(7, UINT64_MAX, 0, "probe", "hi", 3);
	REQUIRE(e != NULL);
	const uint8_t* b = (const uint8_t*)e;
	CHECK_INT(le64(b), 7);
	CHECK(le64(b + 8) == UINT64_MAX);
	CHECK_INT(le32(b + 16), 42 + 6 + 3);
	CHECK_INT(le16(b + 20), 402);
	CHECK_INT(le32(b + 22), 3);
	CHECK_INT(le32(b + 26), 4);
	CHECK_INT(le32(b + 30), 6);
	CHECK_INT(le32(b + 34), 3);
	CHECK_INT(le32(b + 38), 0);
	CHECK(memcmp(b + 42, "probe\0hi\0", 9) == 0);
	free(e);
	CHECK(evt_async(0, 0, 0, "", NULL, 0) == NULL);

	e = evt_container_json(PPME_CONTAINER_JSON_2_E, 1, 2, "{}");
	REQUIRE(e != NULL);
	b = (const uint8_t*)e;
	CHECK_INT(le32(b + 16), 26 + 4 + 3);
	CHECK_INT(le16(b + 20), 324);
	CHECK_INT(le32(b + 22), 1);
	CHECK_INT(le32(b + 26), 3);
	CHECK(memcmp(b + 30, "{}", 3) == 0);
	free(e);

	e = evt_container_json(PPME_CONTAINER_JSON_E, 1, 2, "{}");
	REQUIRE(e != NULL);
	b = (const uint8_t*)e;
	CHECK_INT(le32(b + 16), 26 + 2 + 3);
	CHECK_INT(le16(b + 26), 3);
	CHECK(memcmp(b + 28, "{}", 3) == 0);
	free(e);

	e = evt_container_json(PPME_CONTAINER_JSON_2_E, 1, 2, NULL);
	REQUIRE(e != NULL);
	CHECK_INT(e->len, 30);
	CHECK_INT(le32((const uint8_t*)e + 26), 0);
	free(e);
	CHECK(evt_container_json(PPME_CONTAINER_E, 1, 2, "{}") == NULL);
}

/* Writes TEXT to ROOT/REL, creating the directories on the way. */
static void put_file(const char* root, const char* rel, const char* text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char* p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	FILE* f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool has_entry(char** cg, size_t n, const char* want)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cg[i], want))
			return true;
	return false;
}

/* A fake /proc with a hybrid layout: v1 controllers plus a v2 hierarchy
 * whose leaf has no controllers of its own (libscap walks up for them). */
TEST(cgroups_read_like_libscap)
{
	char root[] = "/tmp/test_host_proc.XXXXXX";
	REQUIRE(mkdtemp(root));
	put_file(root, "1/mounts",
	         "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n"
	         "cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n");
	put_file(root, "1/root/sys/fs/cgroup/unified/cgroup.controllers", "cpuset cpu io memory pids\n");
	put_file(root, "1/root/sys/fs/cgroup/unified/kubepods.slice/cgroup.controllers",
	         "cpu memory pids\n");
	put_file(root, "1/root/sys/fs/cgroup/unified/kubepods.slice/pod1.slice/cgroup.controllers", "");
	put_file(root, "42/cgroup",
	         "3:name=systemd:/kubepods.slice\n2:cpu,cpuacct:/kubepods.slice/pod1.slice\n"
	         "0::/kubepods.slice/pod1.slice\n");
	char path[512], *cg[32];
	snprintf(path, sizeof(path), "%s/42/cgroup", root);
	size_t n = host_read_cgroups(root, path, cg, 32);
	CHECK_INT(n, 8);
	CHECK(has_entry(cg, n, "name=systemd=/kubepods.slice"));
	CHECK(has_entry(cg, n, "cpu=/kubepods.slice/pod1.slice"));
	CHECK(has_entry(cg, n, "cpuacct=/kubepods.slice/pod1.slice"));
	CHECK(has_entry(cg, n, "cpu=/kubepods.slice")); /* v2: nearest level listing it */
	CHECK(has_entry(cg, n, "memory=/kubepods.slice"));
	CHECK(has_entry(cg, n, "pids=/kubepods.slice"));
	CHECK(has_entry(cg, n, "cpuset=/"));
	CHECK(has_entry(cg, n, "io=/"));
	for (size_t i = 0; i < n; i++)
		free(cg[i]);
	/* Without a readable v2 mount the "0::" line is skipped, as libscap does. */
	put_file(root, "1/mounts", "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n");
	n = host_read_cgroups(root, path, cg, 32);
	CHECK_INT(n, 3);
	for (size_t i = 0; i < n; i++)
		free(cg[i]);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
}

/* What libscap's savefile converter makes of old container events. */
TEST(legacy_container_events_converted_like_libscap)
{
	ss_plugin_event* e = evt_container(7, 9, "0123456789ab", 0, "db", "postgres:16");
	REQUIRE(e);
	ss_plugin_event* c = host_convert_legacy(e);
	REQUIRE(c);
	const char* json = NULL;
	CHECK_INT(c->type, PPME_CONTAINER_JSON_2_E);
	CHECK_INT(c->ts, 7);
	CHECK_INT(c->tid, 9);
	CHECK(scap_event_param_str(c, 0, &json, NULL));
	CHECK_STR(json, "{\"id\":\"0123456789ab\",\"type\":0,\"name\":\"db\",\"image\":\"postgres:16\"}");
	free(c);
	free(e);
	e = evt_container_json(PPME_CONTAINER_JSON_E, 7, 9, "{\"container\":{}}");
	c = host_convert_legacy(e);
	REQUIRE(c);
	CHECK_INT(c->type, PPME_CONTAINER_JSON_2_E);
	CHECK(scap_event_param_str(c, 0, &json, NULL));
	CHECK_STR(json, "{\"container\":{}}");
	free(c);
	free(e);
	e = evt_procexit(1, 2, 0);
	CHECK(host_convert_legacy(e) == NULL); /* not a container event */
	free(e);
}

TEST(events_param_counts)
{
	const char* env[] = {"A=1", NULL};
	evt_proc_info p = {.tid = 9, .pid = 9, .exe = "x", .env = env, .filename = "/x"};
	static const struct {
		uint16_t type;
		uint32_t n;
	} cases[] = {{293, 31}, {331, 30}, {231, 16}, {283, 17}, {289, 17}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ss_plugin_event* e = evt_execve_exit(cases[i].type, 1, &p);
		REQUIRE(e != NULL);
		CHECK_INT(e->nparams, cases[i].n);
		CHECK_INT(e->type, cases[i].type);
		const uint8_t* d;
		uint32_t l;
		CHECK(scap_event_param(e, EVT_EXECVE_P_ENV, &d, &l) && l == 4 && !memcmp(d, "A=1", 4));
		free(e);
	}
	CHECK(evt_execve_exit(PPME_SYSCALL_CLONE_20_X, 1, &p) == NULL);
	ss_plugin_event* e = evt_procexit(1, 9, 3);
	REQUIRE(e != NULL);
	CHECK_INT(e->nparams, 5);
	CHECK_INT(e->len, 26 + 10 + 8 + 8 + 1 + 1 + 8);
	free(e);
	e = evt_chroot_exit(1, 9, 0, "/r");
	REQUIRE(e != NULL);
	CHECK_INT(e->nparams, 2);
	CHECK_INT(e->type, 267);
	free(e);
	e = evt_container(1, 9, "abc", 0, "n", NULL);
	REQUIRE(e != NULL);
	CHECK_INT(e->nparams, 4);
	CHECK_INT(e->len, 26 + 8 + 4 + 4 + 2 + 0);
	free(e);
}

/* ======================= in-process plugins ======================= */

#define T_STR_FN(id, str)                                                            \
	static const char* id(void)                                                      \
	{                                                                                \
		return str;                                                                  \
	}

T_STR_FN(v_3_0_0, "3.0.0")
T_STR_FN(v_3_9_0, "3.9.0")
T_STR_FN(v_3_10_0, "3.10.0")
T_STR_FN(v_3_12_0, "3.12.0")
T_STR_FN(v_3_12_1, "3.12.1")
T_STR_FN(v_3_13_0, "3.13.0")
T_STR_FN(v_4_0_0, "4.0.0")
T_STR_FN(v_2_0_0, "2.0.0")
T_STR_FN(v_x, "x")
T_STR_FN(v_short, "3.10")
T_STR_FN(t_name, "t")
T_STR_FN(t_desc, "test plugin")
T_STR_FN(t_contact, "tests")
T_STR_FN(t_syscall_sources, "[\"syscall\"]")
T_STR_FN(t_async_events, "[\"ev1\",\"ev2\"]")
T_STR_FN(t_async_bad, "{\"ev1\":1}")
T_STR_FN(t_empty, "")

static const char* v_null(void)
{
	return NULL;
}

static char g_state_mem[64]; /* the state pointer of in-process plugins */
static int g_destroyed;
static char g_last_error[256];

static ss_plugin_t* t_init_ok(const ss_plugin_init_input* in, ss_plugin_rc* rc)
{
	(void)in;
	*rc = SS_PLUGIN_SUCCESS;
	return g_state_mem;
}

static void t_destroy(ss_plugin_t* s)
{
	(void)s;
	g_destroyed++;
}

static const char* t_last_error(ss_plugin_t* s)
{
	(void)s;
	return g_last_error;
}

static ss_plugin_rc t_parse_nop(ss_plugin_t* s, const ss_plugin_event_input* e,
                                const ss_plugin_event_parse_input* in)
{
	(void)s;
	(void)e;
	(void)in;
	return SS_PLUGIN_SUCCESS;
}

/* Required symbols + parsing: the smallest loadable plugin. */
static plugin_api t_base(void)
{
	plugin_api a;
	memset(&a, 0, sizeof(a));
	a.get_required_api_version = v_3_10_0;
	a.get_version = v_3_10_0;
	a.get_name = t_name;
	a.get_description = t_desc;
	a.get_contact = t_contact;
	a.init = t_init_ok;
	a.destroy = t_destroy;
	a.get_last_error = t_last_error;
	a.parse_event = t_parse_nop;
	return a;
}

/* Loads `a` in a fresh host; returns the host (caller frees) or NULL with the error in err. */
static host* t_load(const plugin_api* a, char* err, size_t errlen)
{
	host* h = host_new();
	if (!h)
		return NULL;
	if (host_load_api(h, a) != 0) {
		snprintf(err, errlen, "%s", host_last_error(h));
		host_free(h);
		return NULL;
	}
	return h;
}

static bool t_loads(const plugin_api* a, char* err, size_t errlen)
{
	host* h = t_load(a, err, errlen);
	host_free(h);
	return h != NULL;
}

/* ======================= loading checks ======================= */

TEST(version_matrix)
{
	static const struct {
		const char* (*fn)(void);
		bool ok;
		const char* why;
	} cases[] = {
		{v_3_0_0, true, NULL},
		{v_3_10_0, true, NULL},
		{v_3_12_0, true, NULL},
		{v_3_12_1, false, "patch"},
		{v_3_13_0, false, "minor"},
		{v_4_0_0, false, "major versions disagree"},
		{v_2_0_0, false, "major versions disagree"},
		{v_x, false, "invalid required API version"},
		{v_short, false, "invalid required API version"},
		{v_null, false, "NULL"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plugin_api a = t_base();
		a.get_required_api_version = cases[i].fn;
		char err[512] = "";
		bool ok = t_loads(&a, err, sizeof(err));
		if (ok != cases[i].ok)
			fprintf(stderr, "  case %zu: %s\n", i, err);
		CHECK(ok == cases[i].ok);
		if (cases[i].why)
			CHECK(strstr(err, cases[i].why) != NULL);
	}
}

TEST(required_symbols_and_metadata)
{
	char err[512];
	plugin_api a = t_base();
	a.get_contact = NULL;
	CHECK(!t_loads(&a, err, sizeof(err)));
	CHECK(strstr(err, "plugin_get_contact") != NULL);
	a = t_base();
	a.get_last_error = NULL;
	CHECK(!t_loads(&a, err, sizeof(err)));
	a = t_base();
	a.get_version = v_x; /* unparsable plugin version */
	CHECK(!t_loads(&a, err, sizeof(err)));
	CHECK(strstr(err, "invalid version") != NULL);
	a = t_base();
	host* h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	CHECK_STR(host_plugin_name(h), "t");
	CHECK_STR(host_plugin_version(h), "3.10.0");
	CHECK(host_plugin_api(h)->parse_event == t_parse_nop);
	CHECK(host_load_api(h, &a) != 0); /* one plugin per host */
	host_free(h);
}

static ss_instance_t* t_open(ss_plugin_t* s, const char* p, ss_plugin_rc* rc)
{
	(void)s;
	(void)p;
	*rc = SS_PLUGIN_FAILURE;
	return NULL;
}

static void t_close(ss_plugin_t* s, ss_instance_t* i)
{
	(void)s;
	(void)i;
}

static ss_plugin_rc t_next(ss_plugin_t* s, ss_instance_t* i, uint32_t* n, ss_plugin_event*** e)
{
	(void)s;
	(void)i;
	(void)n;
	(void)e;
	return SS_PLUGIN_EOF;
}

static ss_plugin_rc t_async_set(ss_plugin_t* s, ss_plugin_owner_t* o,
                                ss_plugin_async_event_handler_t h);
static ss_plugin_rc t_capture(ss_plugin_t* s, const ss_plugin_capture_listen_input* in);
static ss_plugin_rc t_extract(ss_plugin_t* s, const ss_plugin_event_input* e,
                              const ss_plugin_field_extract_input* in);
static const char* t_fields(void);

TEST(capabilities)
{
	char err[512];
	plugin_api a = t_base();
	a.parse_event = NULL;
	CHECK(!t_loads(&a, err, sizeof(err)));
	CHECK(strstr(err, "no capability") != NULL);

	a = t_base();
	a.open = t_open;
	a.close = t_close;
	a.next_batch = t_next;
	CHECK(!t_loads(&a, err, sizeof(err)));
	CHECK(strstr(err, "sourcing plugins unsupported") != NULL);
	a.next_batch = NULL; /* only part of the sourcing set */
	CHECK(!t_loads(&a, err, sizeof(err)));
	CHECK(strstr(err, "broken sourcing") != NULL);

	a = t_base();
	a.extract_fields = t_extract;
	CHECK(!t_loads(&a, err, sizeof(err)));
	a = t_base();
	a.set_async_event_handler = t_async_set;
	CHECK(!t_loads(&a, err, sizeof(err)));
	a = t_base();
	a.capture_open = t_capture;
	CHECK(!t_loads(&a, err, sizeof(err)));
	a.capture_close = t_capture;
	CHECK(t_loads(&a, err, sizeof(err)));

	/* get_fields alone is ignored: loads, but there is no extraction. */
	a = t_base();
	a.get_fields = t_fields;
	host* h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	CHECK(host_plugin_fields_json(h) == NULL);
	host_free(h);

	/* Async events: NULL, empty or non-array lists fail the load. */
	a = t_base();
	a.set_async_event_handler = t_async_set;
	a.get_async_events = v_null;
	CHECK(!t_loads(&a, err, sizeof(err)));
	a.get_async_events = t_empty;
	CHECK(!t_loads(&a, err, sizeof(err)));
	a.get_async_events = t_async_bad;
	CHECK(!t_loads(&a, err, sizeof(err)));
	a.get_async_events = t_async_events;
	CHECK(t_loads(&a, err, sizeof(err)));
	a.get_async_event_sources = t_async_bad;
	CHECK(!t_loads(&a, err, sizeof(err)));
}

static ss_plugin_rc t_set_config(ss_plugin_t* s, const ss_plugin_set_config_input* in)
{
	(void)s;
	(void)in;
	return SS_PLUGIN_SUCCESS;
}

static ss_plugin_metric* t_metrics(ss_plugin_t* s, uint32_t* n)
{
	(void)s;
	*n = 0;
	return NULL;
}

TEST(vtable_slot_shift_before_3_10)
{
	/*
	 * A 3.9 vtable has no dump_state: what our struct calls dump_state holds
	 * set_config, set_config holds get_metrics, get_metrics holds capture_open
	 * and capture_open holds capture_close.
	 */
	plugin_api a = t_base();
	a.get_required_api_version = v_3_9_0;
	a.dump_state = (void*)t_set_config;
	a.set_config = (void*)t_metrics;
	a.get_metrics = (void*)t_capture;
	a.capture_open = (void*)t_capture;
	char err[512];
	host* h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	const plugin_api* got = host_plugin_api(h);
	CHECK(got->dump_state == NULL);
	CHECK(got->set_config == t_set_config);
	CHECK(got->get_metrics == t_metrics);
	CHECK(got->capture_open == t_capture);
	CHECK(got->capture_close == t_capture);
	CHECK(got->get_required_event_schema_version == NULL);
	host_free(h);

	/* 3.10: taken as is. */
	a = t_base();
	a.set_config = t_set_config;
	h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	CHECK(host_plugin_api(h)->set_config == t_set_config);
	host_free(h);
}

/* ---- fields JSON ---- */

static const char* g_fields_json;

static const char* t_fields(void)
{
	return g_fields_json;
}

TEST(fields_json_validation)
{
	static const struct {
		const char* json;
		bool ok;
	} cases[] = {
		{"[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"d\"}]", true},
		{"[{\"name\":\"a.b\",\"type\":\"ipnet\",\"desc\":\"d\",\"isList\":true,"
		 "\"addOutput\":false,\"display\":\"A\",\"properties\":[\"hidden\",\"x\"],"
		 "\"arg\":{\"isKey\":true}}]", true},
		{"[]", false},
		{"{}", false},
		{"not json", false},
		{"", false},
		{NULL, false},
		{"[{\"name\":\"a.b\",\"type\":\"string\"}]", false},
		{"[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"\"}]", false},
		{"[{\"name\":\"\",\"type\":\"string\",\"desc\":\"d\"}]", false},
		{"[{\"name\":\"a.b\",\"type\":\"int32\",\"desc\":\"d\"}]", false},
		{"[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"d\",\"isList\":1}]", false},
		{"[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"d\",\"addOutput\":\"y\"}]", false},
		{"[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"d\",\"arg\":{\"isRequired\":true}}]",
		 false},
		{"[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"d\",\"arg\":{\"isKey\":\"y\"}}]",
		 false},
		{"[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"d\",\"properties\":\"hidden\"}]",
		 false},
		{"[{\"name\":\"a.b\",\"type\":\"string\",\"desc\":\"d\",\"properties\":[1]}]", false},
		{"[\"a.b\"]", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		plugin_api a = t_base();
		a.get_fields = t_fields;
		a.extract_fields = t_extract;
		g_fields_json = cases[i].json;
		char err[512] = "";
		bool ok = t_loads(&a, err, sizeof(err));
		if (ok != cases[i].ok)
			fprintf(stderr, "  case %zu (%s): %s\n", i, cases[i].json ? cases[i].json : "NULL",
			        err);
		CHECK(ok == cases[i].ok);
	}
}

/* ======================= extraction ======================= */

static int g_extract_mode;
static ss_plugin_extract_field g_last_field;
static char g_last_key[64];
static const char* g_strs[3];
static uint64_t g_u64s[3];

static const char t_extract_fields_json[] =
	"[{\"name\":\"x.s\",\"type\":\"string\",\"desc\":\"d\"},"
	"{\"name\":\"x.l\",\"type\":\"uint64\",\"isList\":true,\"desc\":\"d\"},"
	"{\"name\":\"x.i\",\"type\":\"string\",\"desc\":\"d\",\"arg\":{\"isIndex\":true}},"
	"{\"name\":\"x.k\",\"type\":\"string\",\"desc\":\"d\","
	"\"arg\":{\"isKey\":true,\"isIndex\":true,\"isRequired\":true}}]";

static ss_plugin_rc t_extract(ss_plugin_t* s, const ss_plugin_event_input* e,
                              const ss_plugin_field_extract_input* in)
{
	(void)s;
	(void)e;
	ss_plugin_extract_field* f = &in->fields[0];
	g_last_field = *f;
	snprintf(g_last_key, sizeof(g_last_key), "%s", f->arg_key ? f->arg_key : "(null)");
	if (g_extract_mode == 3) {
		snprintf(g_last_error, sizeof(g_last_error), "extract boom");
		return SS_PLUGIN_FAILURE;
	}
	g_strs[0] = "ok";
	g_strs[1] = g_extract_mode == 2 ? NULL : "ok2";
	g_u64s[0] = 1;
	g_u64s[1] = 2;
	g_u64s[2] = 3;
	if (f->ftype == FTYPE_UINT64) {
		f->res.u64 = g_u64s;
		f->res_len = 3;
	} else {
		f->res.str = g_strs + (g_extract_mode == 2 ? 1 : 0);
		f->res_len = g_extract_mode == 1 ? 2 : 1;
	}
	return SS_PLUGIN_SUCCESS;
}

static uint16_t g_extract_types[] = {PPME_SYSCALL_CHROOT_X};

static uint16_t* t_extract_types(uint32_t* n, ss_plugin_t* s)
{
	(void)s;
	*n = 1;
	return g_extract_types;
}

TEST(extraction)
{
	plugin_api a = t_base();
	a.get_fields = t_fields;
	a.extract_fields = t_extract;
	a.get_extract_event_types = t_extract_types;
	g_fields_json = t_extract_fields_json;
	char err[512];
	host* h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	REQUIRE(host_init(h, NULL) == 0);
	ss_plugin_event* ev = evt_chroot_exit(1, 5, 0, "/");
	ss_plugin_event* other = evt_procexit(1, 5, 0);
	REQUIRE(ev && other);
	CHECK(host_extract(h, NULL, "x.s", NULL, 0) < 0); /* nothing fed yet */
	REQUIRE(host_feed(h, ev) == 0);
	g_extract_mode = 0;
	CHECK_STR(host_extract_str(h, NULL, "x.s"), "ok");
	CHECK_INT(g_last_field.field_id, 0);
	CHECK_INT(g_last_field.arg_present, 0);
	CHECK(g_last_field.arg_index == UINT64_MAX);
	CHECK(g_last_field.arg_key == NULL);
	CHECK_INT(g_last_field.ftype, FTYPE_STRING);
	/* Outside the extract event types: no value, no call. */
	g_last_field.field_id = 99;
	host_value v[4];
	CHECK_INT(host_extract(h, other, "x.s", v, 4), 0);
	CHECK_INT(g_last_field.field_id, 99);
	/* Lists. */
	CHECK_INT(host_extract(h, NULL, "x.l", v, 4), 3);
	CHECK(v[2].u64 == 3 && g_last_field.flist);
	/* Arguments (docs/abi.md "Fields JSON"). */
	CHECK(host_extract_str(h, NULL, "x.i[3]") != NULL);
	CHECK(g_last_field.arg_index == 3 && g_last_field.arg_present && !g_last_field.arg_key);
	CHECK(host_extract(h, NULL, "x.i[03]", v, 4) < 0);
	CHECK(host_extract(h, NULL, "x.i[abc]", v, 4) < 0);
	CHECK(host_extract(h, NULL, "x.s[1]", v, 4) < 0);
	CHECK(host_extract(h, NULL, "x.k", v, 4) < 0);
	CHECK(host_extract(h, NULL, "x.k[1", v, 4) < 0);
	CHECK(host_extract(h, NULL, "x.nope", v, 4) < 0);
	CHECK(host_extract_str(h, NULL, "x.k[0]") != NULL);
	CHECK(g_last_field.arg_index == 0);
	CHECK_STR(g_last_key, "0");
	CHECK(host_extract_str(h, NULL, "x.k[05]") != NULL);
	CHECK(g_last_field.arg_index == UINT64_MAX);
	CHECK_STR(g_last_key, "05");
	CHECK(host_extract_str(h, NULL, "x.k[some.key]") != NULL);
	CHECK_STR(g_last_key, "some.key");
	CHECK_INT(g_last_field.field_id, 3);
	/* Result checks (docs/abi.md "Extraction results"). */
	g_extract_mode = 1;
	CHECK(host_extract(h, NULL, "x.s", v, 4) < 0);
	CHECK(strstr(host_last_error(h), "non-list") != NULL);
	g_extract_mode = 2;
	CHECK(host_extract(h, NULL, "x.s", v, 4) < 0);
	g_extract_mode = 3;
	CHECK(host_extract(h, NULL, "x.s", v, 4) < 0);
	CHECK(strstr(host_last_error(h), "extract boom") != NULL);
	g_extract_mode = 0;
	free(ev);
	free(other);
	host_free(h);
}

/* ======================= init ======================= */

static ss_plugin_t* t_init_fail(const ss_plugin_init_input* in, ss_plugin_rc* rc)
{
	(void)in;
	snprintf(g_last_error, sizeof(g_last_error), "boom");
	*rc = SS_PLUGIN_FAILURE;
	return g_state_mem;
}

static char g_config_seen[256];

static ss_plugin_t* t_init_config(const ss_plugin_init_input* in, ss_plugin_rc* rc)
{
	snprintf(g_config_seen, sizeof(g_config_seen), "%s", in->config);
	*rc = SS_PLUGIN_SUCCESS;
	return g_state_mem;
}

static const char* t_schema(ss_plugin_schema_type* t)
{
	*t = SS_PLUGIN_SCHEMA_JSON;
	return "{\"type\":\"object\",\"required\":[\"n\"],\"properties\":{\"n\":{\"type\":"
	       "\"integer\",\"minimum\":1}}}";
}

TEST(init_config_and_failure)
{
	char err[512];
	plugin_api a = t_base();
	a.init = t_init_fail;
	host* h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	g_destroyed = 0;
	CHECK(host_init(h, "") != 0);
	CHECK(strstr(host_last_error(h), "boom") != NULL);
	CHECK_INT(g_destroyed, 1); /* a state returned with a failure is destroyed */
	CHECK(host_plugin_state(h) == NULL);
	host_free(h);
	CHECK_INT(g_destroyed, 1);

	a = t_base();
	a.init = t_init_config;
	h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	CHECK(host_init(h, "raw text") == 0); /* no schema: passed verbatim */
	CHECK_STR(g_config_seen, "raw text");
	host_free(h);

	a.get_init_schema = t_schema;
	h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	CHECK(host_init(h, "") != 0); /* "" -> "{}" -> missing "n" */
	CHECK(strstr(host_last_error(h), "missing required property 'n'") != NULL);
	CHECK(host_init(h, "{\"n\":0}") != 0);
	CHECK(strstr(host_last_error(h), "$.n") != NULL);
	CHECK(host_init(h, "{\"n\":") != 0);
	CHECK(host_init(h, "{\"n\":2}") == 0);
	CHECK_STR(g_config_seen, "{\"n\":2}");
	CHECK(host_init(h, "{\"n\":2}") != 0); /* once */
	host_free(h);
}

/* ======================= threads table semantics ======================= */

/* Expectations checked inside plugin callbacks; the test reports the first failure. */
static int g_expect_failures;
static int g_expect_line;

#define T_EXPECT(cond)                                                               \
	do {                                                                             \
		if (!(cond)) {                                                               \
			if (!g_expect_failures++)                                                \
				g_expect_line = __LINE__;                                            \
			fprintf(stderr, "  plugin-side expectation failed at line %d: %s\n",    \
			        __LINE__, #cond);                                                \
		}                                                                            \
	} while (0)

static struct {
	ss_plugin_table_t* threads;
	ss_plugin_table_field_t *f_dyn, *f_u16, *f_comm, *f_cwd, *f_tid, *f_cgroups, *f_first,
		*f_second, *f_args, *f_vpid;
	ss_plugin_table_t* stale_sub;
	ss_plugin_table_entry_t* leaked;
	int parses;
	char cgroups[256];
} g_thr;

static void thr_init_lookup(const ss_plugin_init_input* in)
{
	const ss_plugin_init_tables_input* t = in->tables;
	T_EXPECT(t->get_table(in->owner, "threads", SS_PLUGIN_ST_INT32) == NULL);
	g_thr.threads = t->get_table(in->owner, "threads", SS_PLUGIN_ST_INT64);
	T_EXPECT(g_thr.threads != NULL);
	/* Cached: the key type is not validated again. */
	T_EXPECT(t->get_table(in->owner, "threads", SS_PLUGIN_ST_UINT64) == g_thr.threads);
	T_EXPECT(t->get_table(in->owner, "nope", SS_PLUGIN_ST_INT64) == NULL);
	uint32_t n = 0;
	ss_plugin_table_info* infos = t->list_tables(in->owner, &n);
	T_EXPECT(infos && n == 1 && !strcmp(infos[0].name, "threads") &&
	         infos[0].key_type == SS_PLUGIN_ST_INT64);
	/* Legacy and _ext hold the same functions. */
	T_EXPECT(t->fields.get_table_field == t->fields_ext->get_table_field);
	T_EXPECT(t->fields.add_table_field == t->fields_ext->add_table_field);
	T_EXPECT(t->fields.list_table_fields == t->fields_ext->list_table_fields);
}

static void thr_init_fields(const ss_plugin_init_input* in)
{
	const ss_plugin_table_fields_vtable_ext* f = in->tables->fields_ext;
	ss_plugin_table_t* th = g_thr.threads;
	T_EXPECT(f->get_table_field(th, "vpid", SS_PLUGIN_ST_INT32) == NULL);
	g_thr.f_vpid = f->get_table_field(th, "vpid", SS_PLUGIN_ST_INT64);
	T_EXPECT(g_thr.f_vpid != NULL);
	T_EXPECT(f->get_table_field(th, "exepath", SS_PLUGIN_ST_STRING) == NULL);
	T_EXPECT(f->get_table_field(th, "exe_path", SS_PLUGIN_ST_STRING) != NULL);
	T_EXPECT(f->get_table_field(th, "pidns_init_start_ts", SS_PLUGIN_ST_UINT64) != NULL);
	g_thr.f_comm = f->get_table_field(th, "comm", SS_PLUGIN_ST_STRING);
	g_thr.f_cwd = f->get_table_field(th, "cwd", SS_PLUGIN_ST_STRING);
	g_thr.f_tid = f->get_table_field(th, "tid", SS_PLUGIN_ST_INT64);
	g_thr.f_cgroups = f->get_table_field(th, "cgroups", SS_PLUGIN_ST_TABLE);
	g_thr.f_args = f->get_table_field(th, "args", SS_PLUGIN_ST_TABLE);
	T_EXPECT(g_thr.f_comm && g_thr.f_cwd && g_thr.f_tid && g_thr.f_cgroups && g_thr.f_args);
	g_thr.f_dyn = f->add_table_field(th, "dyn_s", SS_PLUGIN_ST_STRING);
	T_EXPECT(g_thr.f_dyn != NULL);
	T_EXPECT(f->add_table_field(th, "dyn_s", SS_PLUGIN_ST_STRING) == g_thr.f_dyn);
	T_EXPECT(f->add_table_field(th, "dyn_s", SS_PLUGIN_ST_UINT64) == NULL);
	T_EXPECT(f->add_table_field(th, "comm", SS_PLUGIN_ST_STRING) == NULL);
	T_EXPECT(f->add_table_field(th, "dyn_t", SS_PLUGIN_ST_TABLE) == NULL);
	g_thr.f_u16 = f->add_table_field(th, "dyn_u16", SS_PLUGIN_ST_UINT16);
	T_EXPECT(g_thr.f_u16 != NULL);
	T_EXPECT(f->get_table_field(th, "dyn_s", SS_PLUGIN_ST_STRING) == g_thr.f_dyn);
	uint32_t n = 0;
	const ss_plugin_table_fieldinfo* fi = f->list_table_fields(th, &n);
	bool saw_dyn = false, saw_cg_ro = false;
	for (uint32_t i = 0; fi && i < n; i++) {
		saw_dyn |= !strcmp(fi[i].name, "dyn_s") && fi[i].field_type == SS_PLUGIN_ST_STRING;
		saw_cg_ro |= !strcmp(fi[i].name, "cgroups") && fi[i].read_only;
	}
	T_EXPECT(saw_dyn && saw_cg_ro);
}

/* docs/abi.md "Sub-tables", then a detached entry added for real. */
static void thr_init_entries(const ss_plugin_init_input* in)
{
	const ss_plugin_init_tables_input* t = in->tables;
	ss_plugin_table_t* th = g_thr.threads;
	ss_plugin_table_entry_t* tmp = t->writer_ext->create_table_entry(th);
	T_EXPECT(tmp != NULL);
	ss_plugin_state_data d;
	T_EXPECT(t->reader_ext->read_entry_field(th, tmp, g_thr.f_cgroups, &d) == SS_PLUGIN_SUCCESS);
	ss_plugin_table_t* sub = d.table;
	T_EXPECT(sub != NULL);
	g_thr.f_first = t->fields_ext->get_table_field(sub, "first", SS_PLUGIN_ST_STRING);
	g_thr.f_second = t->fields_ext->get_table_field(sub, "second", SS_PLUGIN_ST_STRING);
	T_EXPECT(g_thr.f_first && g_thr.f_second);
	T_EXPECT(t->fields_ext->add_table_field(sub, "x", SS_PLUGIN_ST_STRING) == NULL);
	T_EXPECT(t->reader_ext->get_table_size(sub) == 0);
	t->writer_ext->destroy_table_entry(th, tmp);

	ss_plugin_table_entry_t* e = t->writer_ext->create_table_entry(th);
	ss_plugin_state_data v = {.str = "made"};
	T_EXPECT(t->writer_ext->write_entry_field(th, e, g_thr.f_comm, &v) == SS_PLUGIN_SUCCESS);
	ss_plugin_state_data key = {.s64 = 777};
	ss_plugin_table_entry_t* added = t->writer_ext->add_table_entry(th, &key, e);
	T_EXPECT(added != NULL);
	T_EXPECT(t->reader_ext->read_entry_field(th, added, g_thr.f_comm, &d) == SS_PLUGIN_SUCCESS &&
	         !strcmp(d.str, "made"));
	T_EXPECT(t->reader_ext->read_entry_field(th, added, g_thr.f_tid, &d) == SS_PLUGIN_SUCCESS &&
	         d.s64 == 777);
	t->reader_ext->release_table_entry(th, added);
	/* A detached entry never added nor destroyed: the host drops it at the end of init. */
	T_EXPECT(t->writer_ext->create_table_entry(th) != NULL);
}

static ss_plugin_t* thr_init(const ss_plugin_init_input* in, ss_plugin_rc* rc)
{
	memset(&g_thr, 0, sizeof(g_thr));
	T_EXPECT(in->tables != NULL && in->log_fn != NULL);
	if (in->tables) {
		thr_init_lookup(in);
		thr_init_fields(in);
		thr_init_entries(in);
	}
	*rc = SS_PLUGIN_SUCCESS;
	return g_state_mem;
}

static ss_plugin_bool thr_cg_visit(ss_plugin_table_iterator_state_t* s, ss_plugin_table_entry_t* e)
{
	const ss_plugin_table_reader_vtable_ext* r = ((void**)s)[0];
	ss_plugin_table_t* sub = ((void**)s)[1];
	ss_plugin_state_data a, b;
	if (r->read_entry_field(sub, e, g_thr.f_first, &a) != SS_PLUGIN_SUCCESS ||
	    r->read_entry_field(sub, e, g_thr.f_second, &b) != SS_PLUGIN_SUCCESS)
		return 0;
	size_t l = strlen(g_thr.cgroups);
	snprintf(g_thr.cgroups + l, sizeof(g_thr.cgroups) - l, "%s%s=%s", l ? "," : "", a.str, b.str);
	return 1;
}

static ss_plugin_bool thr_count(ss_plugin_table_iterator_state_t* s, ss_plugin_table_entry_t* e)
{
	(void)e;
	(*(int*)s)++;
	return 1;
}

/* Writes and failure modes (docs/abi.md "Threads table") on the fed thread 200. */
static void thr_parse_writes(const ss_plugin_event_parse_input* in, ss_plugin_table_entry_t* e)
{
	const ss_plugin_table_reader_vtable_ext* r = in->table_reader_ext;
	const ss_plugin_table_writer_vtable_ext* w = in->table_writer_ext;
	ss_plugin_table_t* th = g_thr.threads;
	ss_plugin_state_data d;
	T_EXPECT(r->read_entry_field(th, e, g_thr.f_dyn, &d) == SS_PLUGIN_SUCCESS && d.str &&
	         !*d.str);
	ss_plugin_state_data v = {.str = "v1"};
	T_EXPECT(w->write_entry_field(th, e, g_thr.f_dyn, &v) == SS_PLUGIN_SUCCESS);
	T_EXPECT(r->read_entry_field(th, e, g_thr.f_dyn, &d) == SS_PLUGIN_SUCCESS &&
	         !strcmp(d.str, "v1"));
	v.str = NULL;
	T_EXPECT(w->write_entry_field(th, e, g_thr.f_dyn, &v) == SS_PLUGIN_FAILURE);
	v.str = "/x";
	T_EXPECT(w->write_entry_field(th, e, g_thr.f_cwd, &v) == SS_PLUGIN_FAILURE);
	T_EXPECT(in->get_owner_last_error(in->owner) != NULL);
	T_EXPECT(w->write_entry_field(th, e, g_thr.f_cgroups, &v) == SS_PLUGIN_FAILURE);
	T_EXPECT(w->write_entry_field(th, e, NULL, &v) == SS_PLUGIN_FAILURE);
	ss_plugin_state_data u = {.u64 = 0xffffffffffff002aull}; /* only the u16 member counts */
	T_EXPECT(w->write_entry_field(th, e, g_thr.f_u16, &u) == SS_PLUGIN_SUCCESS);
	T_EXPECT(r->read_entry_field(th, e, g_thr.f_u16, &d) == SS_PLUGIN_SUCCESS && d.u64 == 42);
	T_EXPECT(r->read_entry_field(th, e, g_thr.f_vpid, &d) == SS_PLUGIN_SUCCESS && d.s64 == 1);
	/* Legacy copies in the parse input are the _ext functions. */
	T_EXPECT(in->table_reader.read_entry_field == r->read_entry_field);
	T_EXPECT(in->table_writer.write_entry_field == w->write_entry_field);
}

static void thr_parse_cgroups(const ss_plugin_event_parse_input* in, ss_plugin_table_entry_t* e)
{
	const ss_plugin_table_reader_vtable_ext* r = in->table_reader_ext;
	ss_plugin_state_data d;
	T_EXPECT(r->read_entry_field(g_thr.threads, e, g_thr.f_cgroups, &d) == SS_PLUGIN_SUCCESS);
	ss_plugin_table_t* sub = d.table;
	T_EXPECT(r->get_table_size(sub) == 4);
	void* walk[2] = {(void*)r, sub};
	g_thr.cgroups[0] = '\0';
	T_EXPECT(r->iterate_entries(sub, thr_cg_visit, walk));
	ss_plugin_state_data k = {.u64 = 9};
	T_EXPECT(r->get_table_entry(sub, &k) == NULL);
	k.u64 = 1;
	ss_plugin_table_entry_t* item = r->get_table_entry(sub, &k);
	T_EXPECT(item && r->read_entry_field(sub, item, g_thr.f_second, &d) == SS_PLUGIN_SUCCESS &&
	         !strcmp(d.str, "/p"));
	/* A thread-table accessor on a sub-table entry is refused, not misread. */
	T_EXPECT(r->read_entry_field(sub, item, g_thr.f_dyn, &d) == SS_PLUGIN_FAILURE);
	g_thr.stale_sub = sub;
}

static ss_plugin_rc thr_parse(ss_plugin_t* s, const ss_plugin_event_input* ev,
                              const ss_plugin_event_parse_input* in)
{
	(void)s;
	const ss_plugin_table_reader_vtable_ext* r = in->table_reader_ext;
	if (++g_thr.parses > 1) {
		/* Sub-table handles die with the callback that produced them. */
		T_EXPECT(r->get_table_size(g_thr.stale_sub) == (uint64_t)-1);
		return SS_PLUGIN_SUCCESS;
	}
	ss_plugin_state_data key = {.s64 = 999};
	T_EXPECT(r->get_table_entry(g_thr.threads, &key) == NULL);
	const char* oe = in->get_owner_last_error(in->owner);
	T_EXPECT(oe && !strcmp(oe, "get_entry found no element at given key"));
	key.s64 = (int64_t)ev->evt->tid;
	ss_plugin_table_entry_t* e = r->get_table_entry(g_thr.threads, &key);
	T_EXPECT(e != NULL);
	if (!e)
		return SS_PLUGIN_FAILURE;
	thr_parse_writes(in, e);
	thr_parse_cgroups(in, e);
	int count = 0;
	T_EXPECT(r->iterate_entries(g_thr.threads, thr_count, &count) && count == 2);
	T_EXPECT(r->get_table_size(g_thr.threads) == 2);
	/* Deliberately not released: the host must unpin it at the end of parse. */
	g_thr.leaked = e;
	return SS_PLUGIN_SUCCESS;
}

TEST(threads_table_semantics)
{
	plugin_api a = t_base();
	a.init = thr_init;
	a.parse_event = thr_parse;
	char err[512];
	host* h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	g_expect_failures = 0;
	REQUIRE(host_init(h, NULL) == 0);
	CHECK(host_thread_exists(h, 777));
	CHECK_INT(host_thread_count(h), 1);
	const char* cg[] = {"cpu_cgroup=/c", "perf=/p", "mem=/m", "io=/i", "bad", "cpu=/z", NULL};
	evt_proc_info p = {.res = 0, .tid = 200, .pid = 200, .ptid = 777, .vtid = 1, .vpid = 1,
	                   .comm = "c", .exe = "e", .cgroups = cg};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE3_X, 5, &p);
	REQUIRE(e != NULL);
	CHECK(host_feed(h, e) == 0);
	CHECK_STR(g_thr.cgroups, "cpu=/c,perf_event=/p,memory=/m,blkio=/i");
	CHECK_STR(host_thread_dynfield_str(h, 200, "dyn_s"), "v1");
	CHECK_STR(host_thread_dynfield_str(h, 777, "dyn_s"), "");
	CHECK(host_thread_dynfield_str(h, 4242, "dyn_s") == NULL);
	uint16_t u = 0;
	CHECK(host_thread_dynfield_u16(h, 200, "dyn_u16", &u) && u == 42);
	CHECK(!host_thread_dynfield_u16(h, 200, "dyn_s", &u));
	/* procexit: still there for this event's parsers, gone at the next event. */
	ss_plugin_event* x = evt_procexit(6, 200, 0);
	REQUIRE(x != NULL);
	CHECK(host_feed(h, x) == 0);
	CHECK(host_thread_exists(h, 200));
	CHECK(host_feed(h, x) == 0);
	CHECK(!host_thread_exists(h, 200));
	CHECK_INT(g_thr.parses, 3);
	if (g_expect_failures)
		fprintf(stderr, "  first plugin-side failure at line %d\n", g_expect_line);
	CHECK_INT(g_expect_failures, 0);
	free(e);
	free(x);
	host_free(h);
}

/* ======================= add_table acceptance (docs/abi.md "Plugin-owned tables") ==== */

static int g_cookie;

static const char* pt_name(ss_plugin_table_t* t)
{
	(void)t;
	return "good";
}

static uint64_t pt_size(ss_plugin_table_t* t)
{
	return t == &g_cookie ? 42 : 0;
}

static uint64_t pt_size_other(ss_plugin_table_t* t)
{
	(void)t;
	return 1;
}

static ss_plugin_table_entry_t* pt_get(ss_plugin_table_t* t, const ss_plugin_state_data* k)
{
	(void)t;
	(void)k;
	snprintf(g_last_error, sizeof(g_last_error), "pt: no such key");
	return NULL;
}

static ss_plugin_rc pt_read(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                            const ss_plugin_table_field_t* f, ss_plugin_state_data* o)
{
	(void)t;
	(void)e;
	(void)f;
	(void)o;
	return SS_PLUGIN_FAILURE;
}

static void pt_release(ss_plugin_table_t* t, ss_plugin_table_entry_t* e)
{
	(void)t;
	(void)e;
}

static ss_plugin_bool pt_iter(ss_plugin_table_t* t, ss_plugin_table_iterator_func_t it,
                              ss_plugin_table_iterator_state_t* s)
{
	(void)t;
	(void)it;
	(void)s;
	return 1;
}

static ss_plugin_rc pt_clear(ss_plugin_table_t* t)
{
	(void)t;
	return SS_PLUGIN_FAILURE;
}

static ss_plugin_rc pt_erase(ss_plugin_table_t* t, const ss_plugin_state_data* k)
{
	(void)t;
	(void)k;
	return SS_PLUGIN_FAILURE;
}

static ss_plugin_table_entry_t* pt_create(ss_plugin_table_t* t)
{
	(void)t;
	return NULL;
}

static void pt_destroy(ss_plugin_table_t* t, ss_plugin_table_entry_t* e)
{
	(void)t;
	(void)e;
}

static ss_plugin_table_entry_t* pt_add(ss_plugin_table_t* t, const ss_plugin_state_data* k,
                                       ss_plugin_table_entry_t* e)
{
	(void)t;
	(void)k;
	(void)e;
	return NULL;
}

static ss_plugin_rc pt_write(ss_plugin_table_t* t, ss_plugin_table_entry_t* e,
                             const ss_plugin_table_field_t* f, const ss_plugin_state_data* i)
{
	(void)t;
	(void)e;
	(void)f;
	(void)i;
	return SS_PLUGIN_FAILURE;
}

static const ss_plugin_table_fieldinfo* pt_list(ss_plugin_table_t* t, uint32_t* n)
{
	(void)t;
	*n = 0;
	return NULL;
}

static ss_plugin_table_field_t* pt_field(ss_plugin_table_t* t, const char* n,
                                         ss_plugin_state_type ty)
{
	(void)t;
	(void)n;
	(void)ty;
	return NULL;
}

typedef struct pt_vtables {
	ss_plugin_table_reader_vtable_ext r;
	ss_plugin_table_writer_vtable_ext w;
	ss_plugin_table_fields_vtable_ext f;
} pt_vtables;

static pt_vtables pt_good(void)
{
	pt_vtables v = {
		{pt_name, pt_size, pt_get, pt_read, pt_release, pt_iter},
		{pt_clear, pt_erase, pt_create, pt_destroy, pt_add, pt_write},
		{pt_list, pt_field, pt_field},
	};
	return v;
}

/* An input whose legacy vtables are copies of v's _ext ones. */
static ss_plugin_table_input pt_input(const char* name, pt_vtables* v)
{
	ss_plugin_table_input in = {
		.name = name,
		.key_type = SS_PLUGIN_ST_STRING,
		.table = &g_cookie,
		.reader = {v->r.get_table_name, v->r.get_table_size, v->r.get_table_entry,
		           v->r.read_entry_field},
		.writer = {v->w.clear_table, v->w.erase_table_entry, v->w.create_table_entry,
		           v->w.destroy_table_entry, v->w.add_table_entry, v->w.write_entry_field},
		.fields = {v->f.list_table_fields, v->f.get_table_field, v->f.add_table_field},
		.reader_ext = &v->r,
		.writer_ext = &v->w,
		.fields_ext = &v->f,
	};
	return in;
}

enum { PT_CASES = 13 };
static ss_plugin_rc g_pt_rc[PT_CASES];
static ss_plugin_rc (*g_saved_add_table)(ss_plugin_owner_t*, const ss_plugin_table_input*);
static ss_plugin_owner_t* g_saved_owner;
static ss_plugin_table_t* g_own_table;

static ss_plugin_rc pt_try(const ss_plugin_init_input* in, ss_plugin_table_input ti)
{
	return in->tables->add_table(in->owner, &ti);
}

static void pt_cases(const ss_plugin_init_input* in)
{
	pt_vtables v = pt_good(), b;
	ss_plugin_table_input ti;
	int k = 0;
	g_pt_rc[k++] = pt_try(in, pt_input("good", &v));
	g_pt_rc[k++] = pt_try(in, pt_input(NULL, &v));
	ti = pt_input("n2", &v);
	ti.reader_ext = NULL;
	g_pt_rc[k++] = pt_try(in, ti);
	b = v;
	b.w.destroy_table_entry = NULL;
	g_pt_rc[k++] = pt_try(in, pt_input("n3", &b));
	ti = pt_input("n4", &v);
	ti.reader.get_table_size = pt_size_other;
	g_pt_rc[k++] = pt_try(in, ti);
	ti = pt_input("n5", &v);
	ti.fields.add_table_field = NULL;
	g_pt_rc[k++] = pt_try(in, ti);
	g_pt_rc[k++] = pt_try(in, pt_input("good", &v));
	g_pt_rc[k++] = pt_try(in, pt_input("threads", &v));
	b = v;
	b.r.release_table_entry = NULL;
	g_pt_rc[k++] = pt_try(in, pt_input("n8", &b));
	b = v;
	b.r.iterate_entries = NULL;
	g_pt_rc[k++] = pt_try(in, pt_input("n9", &b));
	ti = pt_input("n10", &v);
	ti.table = NULL;
	g_pt_rc[k++] = pt_try(in, ti);
	ti = pt_input("n11", &v);
	ti.key_type = SS_PLUGIN_ST_TABLE;
	g_pt_rc[k++] = pt_try(in, ti);
	g_pt_rc[k++] = pt_try(in, pt_input("second", &v));
}

static ss_plugin_t* pt_init(const ss_plugin_init_input* in, ss_plugin_rc* rc)
{
	const ss_plugin_init_tables_input* t = in->tables;
	g_expect_failures = 0;
	pt_cases(in);
	T_EXPECT(in->get_owner_last_error(in->owner) != NULL);
	/* The plugin's own table comes back through get_table, forwarded to its functions. */
	ss_plugin_table_t* own = t->get_table(in->owner, "good", SS_PLUGIN_ST_STRING);
	T_EXPECT(own != NULL);
	T_EXPECT(t->get_table(in->owner, "good", SS_PLUGIN_ST_INT64) == NULL);
	if (own)
		T_EXPECT(t->reader_ext->get_table_size(own) == 42);
	g_own_table = own;
	uint32_t n = 0;
	T_EXPECT(t->list_tables(in->owner, &n) != NULL && n == 3);
	g_saved_add_table = t->add_table;
	g_saved_owner = in->owner;
	*rc = SS_PLUGIN_SUCCESS;
	return g_state_mem;
}

static ss_plugin_rc pt_parse(ss_plugin_t* s, const ss_plugin_event_input* e,
                             const ss_plugin_event_parse_input* in)
{
	(void)s;
	(void)e;
	pt_vtables v = pt_good();
	ss_plugin_table_input ti = pt_input("late", &v);
	T_EXPECT(g_saved_add_table(g_saved_owner, &ti) == SS_PLUGIN_FAILURE);
	/* A lookup miss in a plugin table is explained by that plugin's last error. */
	ss_plugin_state_data k = {.str = "x"};
	T_EXPECT(in->table_reader_ext->get_table_entry(g_own_table, &k) == NULL);
	const char* oe = in->get_owner_last_error(in->owner);
	T_EXPECT(oe && strstr(oe, "pt: no such key"));
	return SS_PLUGIN_SUCCESS;
}

TEST(table_acceptance_rules)
{
	plugin_api a = t_base();
	a.init = pt_init;
	a.parse_event = pt_parse;
	char err[512];
	host* h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	REQUIRE(host_init(h, NULL) == 0);
	static const ss_plugin_rc want[PT_CASES] = {
		SS_PLUGIN_SUCCESS, SS_PLUGIN_FAILURE, SS_PLUGIN_FAILURE, SS_PLUGIN_FAILURE,
		SS_PLUGIN_FAILURE, SS_PLUGIN_FAILURE, SS_PLUGIN_FAILURE, SS_PLUGIN_FAILURE,
		SS_PLUGIN_FAILURE, SS_PLUGIN_FAILURE, SS_PLUGIN_FAILURE, SS_PLUGIN_FAILURE,
		SS_PLUGIN_SUCCESS,
	};
	for (int i = 0; i < PT_CASES; i++) {
		if (g_pt_rc[i] != want[i])
			fprintf(stderr, "  add_table case %d: rc %d\n", i, (int)g_pt_rc[i]);
		CHECK(g_pt_rc[i] == want[i]);
	}
	const ss_plugin_table_input* t = host_plugin_table(h, "good");
	REQUIRE(t != NULL);
	CHECK_STR(t->name, "good");
	CHECK(t->table == &g_cookie);
	CHECK(t->key_type == SS_PLUGIN_ST_STRING);
	CHECK(t->reader_ext->get_table_size(t->table) == 42);
	CHECK(t->reader_ext->iterate_entries == pt_iter);
	CHECK(host_plugin_table(h, "n4") == NULL);
	CHECK(host_plugin_table(h, "second") != NULL);
	ss_plugin_event* e = evt_chroot_exit(1, 1, 0, "/");
	REQUIRE(e != NULL);
	CHECK(host_feed(h, e) == 0);
	CHECK(host_plugin_table(h, "late") == NULL);
	CHECK_INT(g_expect_failures, 0);
	free(e);
	host_free(h);
}

/* ======================= async events ======================= */

static ss_plugin_async_event_handler_t g_handler;
static ss_plugin_owner_t* g_async_owner;
static int g_captures;
static struct {
	int n;
	uint32_t plugin_id;
	uint64_t ts;
	char name[32];
} g_async_seen;

static ss_plugin_rc t_async_set(ss_plugin_t* s, ss_plugin_owner_t* o,
                                ss_plugin_async_event_handler_t h)
{
	(void)s;
	g_async_owner = o;
	g_handler = h;
	return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc t_capture(ss_plugin_t* s, const ss_plugin_capture_listen_input* in)
{
	(void)s;
	g_captures++;
	/* No thread pool in this host. */
	T_EXPECT(in->routine->subscribe(in->owner, NULL, NULL) == NULL);
	return SS_PLUGIN_SUCCESS;
}

static ss_plugin_rc t_async_parse(ss_plugin_t* s, const ss_plugin_event_input* ev,
                                  const ss_plugin_event_parse_input* in)
{
	(void)s;
	(void)in;
	const ss_plugin_event* e = ev->evt;
	if (e->type != PPME_ASYNCEVENT_E)
		return SS_PLUGIN_SUCCESS;
	const uint8_t* b = (const uint8_t*)e;
	g_async_seen.n++;
	g_async_seen.plugin_id = le32(b + 38);
	g_async_seen.ts = e->ts;
	snprintf(g_async_seen.name, sizeof(g_async_seen.name), "%s", (const char*)b + 42);
	return SS_PLUGIN_SUCCESS;
}

/* A copy of e with room to spare, so that lying about len stays in bounds. */
static ss_plugin_event* t_evt_copy(const ss_plugin_event* e)
{
	ss_plugin_event* c = calloc(1, e->len + 64);
	if (c)
		memcpy(c, e, e->len);
	return c;
}

static bool t_rejected(ss_plugin_event* e)
{
	char err[PLUGIN_MAX_ERRLEN] = "";
	bool rejected = g_handler(g_async_owner, e, err) == SS_PLUGIN_FAILURE && err[0] != '\0';
	if (!rejected)
		fprintf(stderr, "  async event accepted unexpectedly\n");
	free(e);
	return rejected;
}

static void async_malformed_cases(const ss_plugin_event* good)
{
	ss_plugin_event* c = t_evt_copy(good);
	c->type = PPME_PLUGINEVENT_E;
	CHECK(t_rejected(c));
	c = t_evt_copy(good);
	c->nparams = 2;
	CHECK(t_rejected(c));
	c = t_evt_copy(good);
	c->len += 1; /* lengths no longer add up */
	CHECK(t_rejected(c));
	c = t_evt_copy(good);
	uint32_t three = 3;
	memcpy((uint8_t*)c + 26, &three, 4); /* plugin id must be 4 bytes */
	CHECK(t_rejected(c));
	c = t_evt_copy(good);
	((uint8_t*)c)[42 + 3] = 'x'; /* "ev1" loses its NUL within the name length */
	CHECK(t_rejected(c));
	c = evt_async(UINT64_MAX, UINT64_MAX, 0, "ev3", "d", 2);
	CHECK(c && t_rejected(c));
	c = t_evt_copy(good);
	c->len = 30; /* shorter than the fixed part */
	CHECK(t_rejected(c));
	c = t_evt_copy(good);
	c->type = 0;
	CHECK(g_handler(g_async_owner, c, NULL) == SS_PLUGIN_FAILURE); /* err may be NULL */
	free(c);
}

typedef struct async_burst {
	const ss_plugin_event* evt;
	int n;
	int failures;
} async_burst;

static void* async_burst_run(void* arg)
{
	async_burst* b = arg;
	for (int i = 0; i < b->n; i++)
		if (g_handler(g_async_owner, b->evt, NULL) != SS_PLUGIN_SUCCESS)
			b->failures++;
	return NULL;
}

static void async_concurrent(host* h, const ss_plugin_event* good)
{
	pthread_t th[4];
	async_burst b[4];
	uint64_t before = host_async_accepted(h);
	for (int i = 0; i < 4; i++) {
		b[i] = (async_burst){good, 250, 0};
		pthread_create(&th[i], NULL, async_burst_run, &b[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT(b[i].failures, 0);
	}
	CHECK_INT(host_async_accepted(h) - before, 1000);
	CHECK_INT(host_drain_async(h), 1000);
}

TEST(async_handler_validation)
{
	plugin_api a = t_base();
	a.get_async_events = t_async_events;
	a.get_async_event_sources = t_syscall_sources;
	a.set_async_event_handler = t_async_set;
	a.capture_open = t_capture;
	a.capture_close = t_capture;
	a.parse_event = t_async_parse;
	char err[512];
	host* h = t_load(&a, err, sizeof(err));
	REQUIRE(h != NULL);
	REQUIRE(host_init(h, NULL) == 0);
	g_handler = NULL;
	g_captures = 0;
	g_expect_failures = 0;
	REQUIRE(host_open_live(h) == 0);
	REQUIRE(g_handler != NULL);
	CHECK_INT(g_captures, 1);
	ss_plugin_event* good = evt_async(UINT64_MAX, UINT64_MAX, 7, "ev1", "d", 2);
	REQUIRE(good != NULL);
	async_malformed_cases(good);
	CHECK_INT(host_async_accepted(h), 0);

	char msg[PLUGIN_MAX_ERRLEN] = "";
	CHECK(g_handler(g_async_owner, good, msg) == SS_PLUGIN_SUCCESS);
	ss_plugin_event* future = t_evt_copy(good);
	future->ts = (uint64_t)time(NULL) * 1000000000ull + 3600ull * 1000000000ull;
	CHECK(g_handler(g_async_owner, future, msg) == SS_PLUGIN_SUCCESS); /* silently dropped */
	free(future);
	CHECK_INT(host_async_accepted(h), 1);
	CHECK(host_wait_async(h, 100));
	memset(&g_async_seen, 0, sizeof(g_async_seen));
	uint64_t t0 = (uint64_t)time(NULL) * 1000000000ull;
	CHECK_INT(host_drain_async(h), 1);
	CHECK_INT(g_async_seen.n, 1);
	CHECK_INT(g_async_seen.plugin_id, 0); /* rewritten from 7 */
	CHECK(g_async_seen.ts != UINT64_MAX && g_async_seen.ts >= t0 - 1000000000ull);
	CHECK_STR(g_async_seen.name, "ev1");
	CHECK(!host_wait_async(h, 10));
	CHECK_INT(host_async_delivered(h, "ev1"), 1); /* delivered, counted by name */
	CHECK_INT(host_async_delivered(h, "no-such-event"), 0);

	/* Bounded queue: the 4097th event is dropped, still with SUCCESS. */
	for (int i = 0; i < HOST_ASYNC_QUEUE_CAP + 1; i++)
		CHECK(g_handler(g_async_owner, good, NULL) == SS_PLUGIN_SUCCESS);
	CHECK_INT(host_async_accepted(h), 1 + HOST_ASYNC_QUEUE_CAP);
	CHECK_INT(host_drain_async(h), HOST_ASYNC_QUEUE_CAP);
	CHECK_INT(host_async_delivered(h, "ev1"), 1 + HOST_ASYNC_QUEUE_CAP); /* not the dropped one */
	async_concurrent(h, good);

	CHECK(host_close(h) == 0);
	CHECK(g_handler == NULL); /* the plugin was told to stop */
	CHECK_INT(g_captures, 2);
	CHECK_INT(g_expect_failures, 0);
	free(good);
	/* File captures never get a handler. */
	REQUIRE(host_open_file(h) == 0);
	CHECK(g_handler == NULL);
	CHECK(host_close(h) == 0);
	host_free(h);
}

/* ======================= JSON schema ======================= */

static bool t_schema_ok(const char* schema, const char* value, char* err, size_t len)
{
	return jsonschema_validate_text(schema, value, err, len);
}

TEST(schema_validator)
{
	static const struct {
		const char* schema;
		const char* value;
		const char* err; /* NULL: valid; else a substring of the error */
	} cases[] = {
		{"{\"type\":\"integer\"}", "3", NULL},
		{"{\"type\":\"integer\"}", "3.0", NULL},
		{"{\"type\":\"integer\"}", "3.5", "$: expected integer"},
		{"{\"type\":[\"string\",\"null\"]}", "null", NULL},
		{"{\"type\":[\"string\",\"null\"]}", "1", "$: type integer is not one of"},
		{"{\"type\":\"number\",\"minimum\":1,\"maximum\":2}", "2", NULL},
		{"{\"type\":\"number\",\"minimum\":1,\"maximum\":2}", "2.5", "<= 2"},
		{"{\"exclusiveMinimum\":1}", "1", "> 1"},
		{"{\"properties\":{\"a\":{\"properties\":{\"b\":{\"type\":\"boolean\"}}}}}",
		 "{\"a\":{\"b\":\"no\"}}", "$.a.b: expected boolean, got string"},
		{"{\"required\":[\"x\"]}", "{}", "$: missing required property 'x'"},
		{"{\"properties\":{\"a\":{}},\"additionalProperties\":false}", "{\"a\":1,\"b\":2}",
		 "property 'b' is not allowed"},
		{"{\"additionalProperties\":{\"type\":\"string\"}}", "{\"k\":1}", "$.k: expected string"},
		{"{\"enum\":[\"a\",1]}", "1.0", NULL},
		{"{\"enum\":[\"a\",1]}", "\"b\"", "enum"},
		{"{\"const\":{\"a\":[1,2]}}", "{\"a\":[1,2]}", NULL},
		{"{\"const\":{\"a\":[1,2]}}", "{\"a\":[2,1]}", "const"},
		{"{\"items\":{\"type\":\"string\",\"minLength\":2}}", "[\"ab\",\"c\"]",
		 "$[1]: string length 1 is less than 2"},
		{"{\"minLength\":2}", "\"\xc3\xa9\"", "less than 2"}, /* one code point */
		{"{\"definitions\":{\"p\":{\"type\":\"integer\"}},\"properties\":{\"n\":"
		 "{\"$ref\":\"#/definitions/p\"}}}", "{\"n\":\"x\"}", "$.n: expected integer"},
		{"{\"$defs\":{\"p\":{\"type\":\"integer\"}},\"items\":{\"$ref\":\"#/$defs/p\"}}",
		 "[1,2]", NULL},
		{"{\"$ref\":\"#/definitions/missing\"}", "1", "cannot resolve $ref"},
		{"{\"$ref\":\"#\"}", "1", "too deep"},
		{"{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"number\"}]}", "1", "matches 2"},
		{"{\"oneOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}", "1", NULL},
		{"{\"anyOf\":[{\"type\":\"integer\"},{\"type\":\"string\"}]}", "true", "anyOf"},
		{"{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":5}]}", "4", ">= 5"},
		{"{\"not\":{\"type\":\"string\"}}", "\"s\"", "'not'"},
		{"{\"if\":{\"properties\":{\"k\":{\"const\":\"docker\"}}},"
		 "\"then\":{\"required\":[\"sock\"]},\"else\":{\"required\":[\"x\"]}}",
		 "{\"k\":\"docker\"}", "missing required property 'sock'"},
		{"{\"if\":{\"properties\":{\"k\":{\"const\":\"docker\"}}},"
		 "\"then\":{\"required\":[\"sock\"]}}", "{\"k\":\"cri\"}", NULL},
		{"{\"properties\":{\"k\":false}}", "{\"k\":1}", "$.k: value is not allowed"},
		{"{\"properties\":{\"we ird\":{\"type\":\"string\"}}}", "{\"we ird\":1}",
		 "$[\"we ird\"]"},
		{"{\"minItems\":1,\"uniqueItems\":true}", "[1,1]", "equal"},
		{"not json", "1", "schema is not valid JSON"},
		{"{}", "{", "value is not valid JSON"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512] = "";
		bool ok = t_schema_ok(cases[i].schema, cases[i].value, err, sizeof(err));
		bool pass = cases[i].err ? (!ok && strstr(err, cases[i].err) != NULL) : ok;
		if (!pass)
			fprintf(stderr, "  schema case %zu: ok=%d err='%s'\n", i, ok, err);
		CHECK(pass);
	}
}

/* ======================= probe plugin, end to end ======================= */

#ifdef PROBE_PLUGIN_PATH
static struct {
	int n;
	char component[64];
	char msg[256];
} g_log;

static void t_log(void* arg, const char* component, const char* msg, ss_plugin_log_severity sev)
{
	(void)arg;
	(void)sev;
	g_log.n++;
	snprintf(g_log.component, sizeof(g_log.component), "%s", component);
	snprintf(g_log.msg, sizeof(g_log.msg), "%s", msg);
}

static struct {
	int n;
	uint64_t ts;
	char name[32];
} g_dumped;

static void t_dump_fn(void* arg, const ss_plugin_event* e)
{
	(void)arg;
	g_dumped.n++;
	g_dumped.ts = e->ts;
	snprintf(g_dumped.name, sizeof(g_dumped.name), "%s", (const char*)e + 42);
}

/* The "probe" table's value at key, through the table input the host kept. */
static const char* probe_table_value(host* h, const char* key)
{
	const ss_plugin_table_input* t = host_plugin_table(h, "probe");
	if (!t)
		return NULL;
	ss_plugin_state_data k = {.str = key}, v;
	ss_plugin_table_entry_t* e = t->reader_ext->get_table_entry(t->table, &k);
	ss_plugin_table_field_t* f = t->fields_ext->get_table_field(t->table, "value",
	                                                            SS_PLUGIN_ST_STRING);
	if (!e || !f || t->reader_ext->read_entry_field(t->table, e, f, &v) != SS_PLUGIN_SUCCESS)
		return NULL;
	return v.str;
}

static host* probe_start(void)
{
	host* h = host_new();
	if (!h)
		return NULL;
	host_set_log(h, t_log, NULL);
	if (host_load(h, PROBE_PLUGIN_PATH) != 0) {
		fprintf(stderr, "  %s\n", host_last_error(h));
		host_free(h);
		return NULL;
	}
	return h;
}

static void probe_threads(host* h)
{
	const char* pargs[] = {"-c", "ls", NULL};
	const char* penv[] = {"HOME=/root", NULL};
	const char* pcg[] = {"cpuset=/docker/abc", NULL};
	host_proc parent = {.tid = 100, .pid = 100, .ptid = 1, .vtid = 100, .vpid = 100,
	                    .comm = "bash", .exe = "bash", .exe_path = "/bin/bash",
	                    .args = pargs, .env = penv, .cgroups = pcg};
	CHECK(host_thread_add(h, &parent) == 0);
	const char* cargs[] = {"-c", "ls", NULL};
	const char* ccg[] = {"cpuset=/docker/abc", "mem=/docker/abc", NULL};
	evt_proc_info child = {.res = 0, .tid = 101, .pid = 101, .ptid = 100, .vtid = 101,
	                       .vpid = 101, .exe = "sh", .comm = "sh", .args = cargs,
	                       .cgroups = ccg};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, 10, &child);
	REQUIRE(e != NULL);
	CHECK(host_feed(h, e) == 0);
	free(e);
	CHECK(host_thread_exists(h, 101));
	CHECK_STR(host_thread_dynfield_str(h, 101, "probe_cg"),
	          "cpuset=/docker/abc,memory=/docker/abc");
	CHECK_STR(host_thread_dynfield_str(h, 100, "probe_cg"), "");
	/* The parent's exit creates a missing child from the caller. */
	evt_proc_info caller = child;
	caller.res = 102;
	caller.tid = caller.pid = caller.vtid = caller.vpid = 100;
	caller.ptid = 1;
	e = evt_clone_exit(PPME_SYSCALL_FORK_20_X, 11, &caller);
	REQUIRE(e != NULL);
	CHECK(host_feed(h, e) == 0);
	free(e);
	CHECK(host_thread_exists(h, 102));
	CHECK_STR(host_thread_dynfield_str(h, 102, "probe_cg"), ""); /* parent event: not parsed */
}

static void probe_extract(host* h)
{
	/* The last fed event is the parent's (tid 100); ask about the child explicitly. */
	ss_plugin_event* of_child = evt_chroot_exit(12, 101, -1, "/");
	REQUIRE(of_child != NULL);
	CHECK_STR(host_extract_str(h, of_child, "probe.cg"), "cpuset=/docker/abc,memory=/docker/abc");
	free(of_child);
	CHECK_STR(host_extract_str(h, NULL, "probe.cg"), "");
	CHECK_STR(host_extract_str(h, NULL, "probe.tag"), "t1");
	CHECK_STR(host_extract_str(h, NULL, "probe.arg[5]"), "key=5;index=5");
	CHECK_STR(host_extract_str(h, NULL, "probe.arg[abc]"), "key=abc;index=-1");
	CHECK(host_extract(h, NULL, "probe.arg", NULL, 0) < 0);
	CHECK(host_extract(h, NULL, "probe.cg[x]", NULL, 0) < 0);
	host_value v[4];
	CHECK_INT(host_extract(h, NULL, "probe.args", v, 4), 2);
	CHECK_STR(v[0].str, "-c");
	CHECK_STR(v[1].str, "ls");
	ss_plugin_event* nothread = evt_chroot_exit(12, 4242, -1, "/");
	REQUIRE(nothread != NULL);
	CHECK_INT(host_extract(h, nothread, "probe.cg", v, 4), 0);
	free(nothread);
}

static void probe_async(host* h)
{
	CHECK(host_open_live(h) == 0);
	CHECK(host_wait_async(h, 2000));
	CHECK_INT(host_async_accepted(h), 1);
	CHECK_INT(host_drain_async(h), 1);
	host_value v;
	CHECK_INT(host_extract(h, NULL, "probe.async", &v, 1), 1);
	CHECK_INT(v.u64, 1);
	CHECK_STR(probe_table_value(h, "async"), "hello");
	CHECK(host_close(h) == 0);
	CHECK(host_close(h) != 0);
	memset(&g_dumped, 0, sizeof(g_dumped));
	CHECK(host_dump_state(h, t_dump_fn, NULL) == 0);
	CHECK_INT(g_dumped.n, 1);
	CHECK_INT(g_dumped.ts, 1); /* not rewritten on dump */
	CHECK_STR(g_dumped.name, "probe");
	/* Capture files: capture_open only, no producer. */
	CHECK(host_open_file(h) == 0);
	CHECK(!host_wait_async(h, 50));
	CHECK(host_close(h) == 0);
}

TEST(probe_plugin_end_to_end)
{
	host* h = probe_start();
	REQUIRE(h != NULL);
	CHECK_STR(host_plugin_name(h), "probe");
	CHECK(host_plugin_parses(h, PPME_SYSCALL_CLONE_20_X) == false); /* not initialized yet */
	CHECK(host_init(h, "{\"tag\":5}") != 0);
	CHECK(strstr(host_last_error(h), "$.tag: expected string") != NULL);
	g_log.n = 0;
	REQUIRE(host_init(h, "{\"tag\":\"t1\"}") == 0);
	CHECK(g_log.n >= 1);
	CHECK_STR(g_log.component, "probe"); /* NULL component -> plugin name */
	CHECK_STR(g_log.msg, "initialized");
	CHECK(host_plugin_parses(h, PPME_SYSCALL_CLONE_20_X));
	CHECK(!host_plugin_parses(h, PPME_SYSCALL_EXECVE_19_X));
	const ss_plugin_table_input* t = host_plugin_table(h, "probe");
	REQUIRE(t != NULL);
	CHECK(t->key_type == SS_PLUGIN_ST_STRING);
	probe_threads(h);
	probe_extract(h);
	probe_async(h);
	uint32_t n = 0;
	const ss_plugin_metric* m = host_metrics(h, &n);
	REQUIRE(m != NULL && n == 2);
	CHECK_STR(m[0].name, "probe.parsed");
	CHECK_INT(m[0].value.u64, 3); /* clone child, fork parent, async event */
	CHECK_STR(m[1].name, "probe.threads_at_open");
	CHECK_INT(m[1].value.u64, 3);
	/* procexit, then any event: the thread goes away. */
	ss_plugin_event* x = evt_procexit(20, 101, 0);
	REQUIRE(x != NULL);
	CHECK(host_feed(h, x) == 0);
	CHECK(host_thread_exists(h, 101));
	CHECK(host_feed(h, x) == 0);
	CHECK(!host_thread_exists(h, 101));
	free(x);
	host_free(h);
}

TEST(probe_two_instances)
{
	/* Same library, two hosts: state must not be shared. */
	host* a = probe_start();
	host* b = probe_start();
	REQUIRE(a && b);
	CHECK(host_init(a, "{\"tag\":\"A\"}") == 0);
	CHECK(host_init(b, "") == 0);
	ss_plugin_event* e = evt_chroot_exit(1, 1, 0, "/");
	REQUIRE(e != NULL);
	host_feed(a, e);
	host_feed(b, e);
	CHECK_STR(host_extract_str(a, NULL, "probe.tag"), "A");
	CHECK_STR(host_extract_str(b, NULL, "probe.tag"), "");
	free(e);
	host_free(a);
	host_free(b);
}
#else
TEST(probe_plugin_end_to_end)
{
	SKIP("PROBE_PLUGIN_PATH not defined");
}

TEST(probe_two_instances)
{
	SKIP("PROBE_PLUGIN_PATH not defined");
}
#endif

TEST_MAIN(T(events_clone_layout), T(events_async_and_json_layout),
          T(legacy_container_events_converted_like_libscap), T(cgroups_read_like_libscap), T(events_param_counts),
          T(version_matrix), T(required_symbols_and_metadata), T(capabilities),
          T(vtable_slot_shift_before_3_10), T(fields_json_validation), T(extraction),
          T(init_config_and_failure), T(threads_table_semantics), T(table_acceptance_rules),
          T(async_handler_validation), T(schema_validator), T(probe_plugin_end_to_end),
          T(probe_two_instances))
