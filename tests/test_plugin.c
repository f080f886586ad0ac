/*
 * The plugin through our host and the real ABI: real event bytes into parse,
 * fields read back through extract (docs/architecture.md "From engine to field", "Fields").
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "events.h"
#include "host.h"
#include "proc_scan.h"
#include "test.h"

#define H "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define H2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char docker_json[] =
    "{\"container\": {\"type\": 0, \"id\": \"7951fb549ab9\", \"full_id\": \"" H "\","
    "\"name\": \"web\", \"image\": \"nginx:1.25-alpine\","
    "\"imageid\": \"a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6\","
    "\"imagerepo\": \"nginx\", \"imagetag\": \"1.25-alpine\","
    "\"imagedigest\": \"sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d275\","
    "\"User\": \"\", \"cni_json\": \"\", \"cpu_period\": 100000, \"cpu_quota\": 50000,"
    "\"cpu_shares\": 1024, \"cpuset_cpu_count\": 2, \"created_time\": 1730971086,"
    "\"env\": [\"PATH=/usr/bin\"], \"host_ipc\": false, \"host_network\": true, \"host_pid\": false,"
    "\"ip\": \"172.17.0.2\", \"size\": -1, \"is_pod_sandbox\": false,"
    "\"labels\": {\"maintainer\": \"NGINX\", \"env\": \"\", \"io.kubernetes.x\": \"y\"},"
    "\"memory_limit\": 268435456, \"swap_limit\": 536870912, \"pod_sandbox_id\": \"\","
    "\"privileged\": true, \"pod_sandbox_labels\": null,"
    "\"port_mappings\": [{\"HostIp\": 0, \"HostPort\": 8080, \"ContainerPort\": 80}],"
    "\"Mounts\": [{\"Source\": \"/srv/foo\", \"Destination\": \"/srv/bar\", \"Mode\": \"ro\","
    "\"RW\": false, \"Propagation\": \"rprivate\"},"
    "{\"Source\": \"/data\", \"Destination\": \"/var/lib/data\", \"Mode\": \"\","
    "\"RW\": true, \"Propagation\": \"\"}],"
    "\"Healthcheck\": {\"exe\": \"/bin/sh\", \"args\": [\"-c\", \"curl -f http://localhost/\"]}"
    "}}";

static const char cri_json[] =
    "{\"container\":{\"type\": 7, \"id\": \"3ad7b26ded6d\","
    "\"full_id\": \"3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e\","
    "\"name\": \"busybox\", \"image\": \"docker.io/library/busybox:latest\","
    "\"imagerepo\": \"docker.io/library/busybox\", \"imagetag\": \"latest\", \"User\": \"0\","
    "\"cni_json\": \"\", \"ip\": \"\", \"is_pod_sandbox\": false,"
    "\"labels\": {\"io.kubernetes.container.name\": \"busybox\","
    "\"io.kubernetes.pod.name\": \"nginx-sandbox\", \"io.kubernetes.pod.namespace\": \"default\","
    "\"io.kubernetes.pod.uid\": \"hdishddjaidwnduw9a43535366368\"},"
    "\"pod_sandbox_id\": \"63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a\","
    "\"pod_sandbox_labels\": {\"app\": \"myapp\", \"example-label/custom_one\": \"mylabel\"},"
    "\"Mounts\": [{\"Source\": \"/boot\", \"Destination\": \"/host/boot\", \"Mode\": \"\","
    "\"RW\": false, \"Propagation\": \"private\"}]}}";

static const char sandbox_json[] =
    "{\"container\":{\"type\": 7, \"id\": \"63060edc2d3a\","
    "\"full_id\": \"63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a\","
    "\"name\": \"nginx-sandbox\", \"is_pod_sandbox\": true, \"ip\": \"10.244.0.2\","
    "\"cni_json\": \"{\\\"eth0\\\":{}}\","
    "\"pod_sandbox_id\": \"63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a\","
    "\"pod_sandbox_labels\": {\"app\": \"myapp\", \"tier\": \"web\"}}}";

static uint64_t ts_now = 1700000000000000000ull;

static host* open_host(const char* config, bool live)
{
	host* h = host_new();
	if (!h)
		return NULL;
	if (host_load(h, PLUGIN_SO_PATH) || host_init(h, config) ||
	    (live ? host_open_live(h) : host_open_file(h))) {
		fprintf(stderr, "  host: %s\n", host_last_error(h));
		host_free(h);
		return NULL;
	}
	return h;
}

static void feed(host* h, ss_plugin_event* e)
{
	if (e)
		host_feed(h, e);
	free(e);
}

/* A new process: the child side of a clone exit, in the given cgroup. */
static void spawn(host* h, int64_t tid, int64_t ptid, int64_t vpid, const char* cgroup)
{
	char cpu[512], mem[512];
	snprintf(cpu, sizeof(cpu), "cpu=%s", cgroup);
	snprintf(mem, sizeof(mem), "memory=%s", cgroup);
	const char* cgroups[] = {"cpuset=/", cpu, mem, NULL};
	const char* args[] = {"-g", "daemon off;", NULL};
	evt_proc_info p = {.res = 0, .tid = tid, .pid = tid, .ptid = ptid, .vtid = vpid,
	                   .vpid = vpid, .pidns_init_start_ts = 1600000000000000000ull,
	                   .exe = "nginx", .comm = "nginx", .cwd = "/", .args = args,
	                   .cgroups = cgroups};
	feed(h, evt_clone_exit(PPME_SYSCALL_CLONE_20_X, ts_now++, &p));
}

static void exec_in(host* h, int64_t tid, int64_t ptid, const char* exe, const char* const* args,
                   const char* cgroup)
{
	char cpu[512];
	snprintf(cpu, sizeof(cpu), "cpu=%s", cgroup);
	const char* cgroups[] = {cpu, NULL};
	evt_proc_info p = {.res = 0, .tid = tid, .pid = tid, .ptid = ptid, .vtid = 7, .vpid = 7,
	                   .exe = exe, .comm = "sh", .cwd = "/", .args = args, .cgroups = cgroups};
	feed(h, evt_execve_exit(PPME_SYSCALL_EXECVE_19_X, ts_now++, &p));
}

static void announce(host* h, const char* name, const char* json)
{
	feed(h, evt_async(ts_now++, 0, 0, name, json, (uint32_t)strlen(json) + 1));
}

/* The single value of a field for thread tid, as a string ("<NA>" when absent). */
static const char* field(host* h, int64_t tid, const char* name)
{
	static char buf[4096];
	ss_plugin_event* e = evt_procexit(ts_now, (uint64_t)tid, 0);
	host_value v[2];
	int n = host_extract(h, e, name, v, 2);
	free(e);
	if (n < 0)
		return "<ERR>";
	return n ? host_value_text(&v[0], buf, sizeof(buf)) : "<NA>";
}

static const char* all_fields[] = {
    "container.id", "container.full_id", "container.name", "container.image",
    "container.image.id", "container.type", "container.privileged", "container.mounts",
    "container.mount[0]", "container.mount.source[0]", "container.mount.dest[0]",
    "container.mount.mode[0]", "container.mount.rdwr[0]", "container.mount.propagation[0]",
    "container.image.repository", "container.image.tag", "container.image.digest",
    "container.healthcheck", "container.liveness_probe", "container.readiness_probe",
    "container.start_ts", "container.duration", "container.ip", "container.cni.json",
    "container.host_pid", "container.host_network", "container.host_ipc", "container.label[x]",
    "container.labels", "proc.is_container_healthcheck", "proc.is_container_liveness_probe",
    "proc.is_container_readiness_probe", "k8s.pod.name", "k8s.ns.name", "k8s.pod.id",
    "k8s.pod.uid", "k8s.pod.sandbox_id", "k8s.pod.full_sandbox_id", "k8s.pod.label[app]",
    "k8s.pod.labels", "k8s.pod.ip", "k8s.pod.cni.json", "k8s.rc.name", "k8s.rc.id",
    "k8s.rc.label[x]", "k8s.rc.labels", "k8s.svc.name", "k8s.svc.id", "k8s.svc.label[x]",
    "k8s.svc.labels", "k8s.ns.id", "k8s.ns.label[x]", "k8s.ns.labels", "k8s.rs.name",
    "k8s.rs.id", "k8s.rs.label[x]", "k8s.rs.labels", "k8s.deployment.name",
    "k8s.deployment.id", "k8s.deployment.label[x]", "k8s.deployment.labels"};
#define NFIELDS (sizeof(all_fields) / sizeof(all_fields[0]))

/* Expected values, in all_fields order, for a host thread, a cached container and an
 * unknown one (docs/architecture.md "Which record"). */
static const char* host_expect[NFIELDS] = {
    "host", "host", "host", "", "", "host", "false", "", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>",
    "<NA>", "", "", "", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "", "", "false", "false",
    "false", "<NA>", "", "false", "false", "false", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>",
    "<NA>", "<NA>", "<NA>", "<NA>", "<NA>"};
static const char* docker_expect[NFIELDS] = {
    "7951fb549ab9", H, "web", "nginx:1.25-alpine",
    "a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6", "docker", "true",
    "/srv/foo:/srv/bar:ro:false:rprivate,/data:/var/lib/data::true:",
    "/srv/foo:/srv/bar:ro:false:rprivate", "/srv/foo", "/srv/bar", "ro", "false", "rprivate",
    "nginx", "1.25-alpine",
    "sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d275",
    "/bin/sh -c curl -f http://localhost/", "NONE", "NONE", "1600000000000000000",
    "100000000000000000", "172.17.0.2", "", "false", "true", "false", "<NA>",
    "env, maintainer:NGINX", "false", "false", "false", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>",
    "<NA>", "<NA>", "<NA>", "<NA>", "<NA>"};
static const char* unknown_expect[NFIELDS] = {
    "0123456789ab", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>",
    "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>",
    "1600000000000000000", "100000000000000000", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>",
    "<NA>", "<NA>", "false", "false", "false", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>", "<NA>",
    "<NA>", "<NA>", "<NA>", "<NA>"};

static void check_column(host* h, int64_t tid, const char** expect)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		const char* want = i < 42 ? expect[i] : "<NA>"; /* deprecated k8s.* fields: always ∅ */
		const char* got = field(h, tid, all_fields[i]);
		if (strcmp(got, want)) {
			fprintf(stderr, "  %s: got \"%s\", expected \"%s\"\n", all_fields[i], got, want);
			test_failures_in_case++;
		}
	}
}

TEST(identity_and_fields_json)
{
	host* h = open_host("{}", false);
	REQUIRE(h);
	CHECK_STR(host_plugin_name(h), "container");
	unsigned maj, min, pat;
	CHECK(sscanf(host_plugin_version(h), "%u.%u.%u", &maj, &min, &pat) == 3 && maj == 0 &&
	      min >= 8);
	const char* f = host_plugin_fields_json(h);
	for (size_t i = 0; i < NFIELDS; i++) {
		char name[128];
		snprintf(name, sizeof(name), "\"%.*s\"", (int)strcspn(all_fields[i], "["), all_fields[i]);
		CHECK(strstr(f, name) != NULL);
	}
	CHECK(strstr(f, "\"addOutput\":true") != NULL);
	host_free(h);
}

/* Acceptance: every field (docs/architecture.md "Fields") for a host thread, a cached
 * docker one, an unknown one. */
TEST(outcome_matrix)
{
	host* h = open_host("{}", true);
	REQUIRE(h);
	announce(h, "container", docker_json);
	spawn(h, 100, 1, 100, "/user.slice/user-1000.slice/session-2.scope");
	spawn(h, 200, 1, 1, "/docker/" H);
	spawn(h, 300, 1, 1, "/docker/" H2);
	ts_now = 1700000000000000000ull;
	check_column(h, 100, host_expect);
	check_column(h, 200, docker_expect);
	check_column(h, 300, unknown_expect);
	host_free(h);
}

TEST(mount_selection_glob)
{
	host* h = open_host("{}", false);
	REQUIRE(h);
	announce(h, "container", docker_json);
	spawn(h, 200, 1, 1, "/system.slice/docker-" H ".scope");
	static const struct {
		const char* key;
		bool match;
	} v[] = {{"/srv/foo", true},     {"/srv/*", true},  {"/srv*", true},     {"/srv/fo?", true},
	         {"foo", false},         {"/srv", false},   {"/", false},        {"foo$", false},
	         {"^/srv", false},       {"^srv", false},   {"/var/*", false},   {"*", true},
	         {"*/foo", true},        {"/s*o*", true},   {"*fo", false},      {"/**f*o", true},
	         {"/srv/f?o*", true},    {"*x*", false}};
	/* (mount.dest[pattern] selects the mount by its source, mount.source[] by its dest) */
	/* Sets like "/srv/[fb]oo" cannot be written inside a field argument (hosts end the
	 * argument at the first ']'); set matching is fnmatch's own. */
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char name[128];
		snprintf(name, sizeof(name), "container.mount.dest[%s]", v[i].key);
		CHECK_STR(field(h, 200, name), v[i].match ? "/srv/bar" : "<NA>");
	}
	CHECK_STR(field(h, 200, "container.mount.source[/srv/b*]"), "/srv/foo");
	CHECK_STR(field(h, 200, "container.mount.rdwr[1]"), "true");
	CHECK_STR(field(h, 200, "container.mount[2]"), "<NA>");
	CHECK_STR(field(h, 200, "container.mount[00]"), "<NA>");
	CHECK_STR(field(h, 200, "container.label[maintainer]"), "NGINX");
	CHECK_STR(field(h, 200, "container.label[env]"), "");
	host_free(h);
}

/* cri_json with another type and name (malloc'd). */
static char* cri_json_as(const char* type, const char* name)
{
	char* j = malloc(sizeof(cri_json) + 64);
	const char* t = strstr(cri_json, "\"type\": 7");
	const char* n = strstr(cri_json, "\"name\": \"busybox\"");
	if (!j || !t || !n)
		return j;
	snprintf(j, sizeof(cri_json) + 64, "%.*s\"type\": %s%.*s\"name\": \"%s\"%s",
	         (int)(t - cri_json), cri_json, type, (int)(n - t - 9), t + 9, name,
	         n + strlen("\"name\": \"busybox\""));
	return j;
}

/* One runtime seen through both its CRI and its native API: the CRI record
 * stays, a later containerd record of the same container changes nothing. */
TEST(cri_record_outranks_containerd_record)
{
	host* h = open_host("{}", false);
	REQUIRE(h);
	char* cri = cri_json_as("6", "from-cri");
	char* native = cri_json_as("7", "from-containerd");
	REQUIRE(cri && native);
	spawn(h, 10, 1, 1,
	      "/kubepods/besteffort/podx/"
	      "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e");
	announce(h, "container", cri);
	CHECK_STR(field(h, 10, "container.name"), "from-cri");
	CHECK_STR(field(h, 10, "container.type"), "cri");
	announce(h, "container", native);
	CHECK_STR(field(h, 10, "container.name"), "from-cri");
	CHECK_STR(field(h, 10, "container.type"), "cri");
	/* The other way round the native record is replaced. */
	announce(h, "container_removed", cri);
	announce(h, "container", native);
	CHECK_STR(field(h, 10, "container.name"), "from-containerd");
	announce(h, "container", cri);
	CHECK_STR(field(h, 10, "container.name"), "from-cri");
	free(cri);
	free(native);
	host_free(h);
}

TEST(k8s_fields_with_sandbox_fallback)
{
	host* h = open_host("{}", false);
	REQUIRE(h);
	announce(h, "container", cri_json);
	spawn(h, 10, 1, 1,
	      "/kubepods/besteffort/podx/"
	      "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e");
	CHECK_STR(field(h, 10, "container.type"), "containerd");
	CHECK_STR(field(h, 10, "k8s.pod.name"), "nginx-sandbox");
	CHECK_STR(field(h, 10, "k8s.ns.name"), "default");
	CHECK_STR(field(h, 10, "k8s.pod.uid"), "hdishddjaidwnduw9a43535366368");
	CHECK_STR(field(h, 10, "k8s.pod.id"), "hdishddjaidwnduw9a43535366368");
	CHECK_STR(field(h, 10, "k8s.pod.sandbox_id"), "63060edc2d3a");
	CHECK_STR(field(h, 10, "container.mounts"), "/boot:/host/boot::false:private");
	/* No sandbox record yet: the record's own pod labels, no IP. */
	CHECK_STR(field(h, 10, "k8s.pod.labels"), "app:myapp, example-label/custom_one:mylabel");
	CHECK_STR(field(h, 10, "k8s.pod.ip"), "<NA>");
	announce(h, "container", sandbox_json);
	CHECK_STR(field(h, 10, "k8s.pod.ip"), "10.244.0.2");
	CHECK_STR(field(h, 10, "k8s.pod.cni.json"), "{\"eth0\":{}}");
	CHECK_STR(field(h, 10, "k8s.pod.labels"), "app:myapp, tier:web");
	CHECK_STR(field(h, 10, "k8s.pod.label[tier]"), "web");
	CHECK_STR(field(h, 10, "k8s.pod.label[example-label/custom_one]"), "mylabel");
	CHECK_STR(field(h, 10, "k8s.pod.label[nope]"), "<NA>");
	host_free(h);
}

TEST(container_event_extraction_uses_its_record)
{
	host* h = open_host("{}", false);
	REQUIRE(h);
	ss_plugin_event* e = evt_async(ts_now++, (uint64_t)-1, 0, "container", docker_json,
	                               sizeof(docker_json));
	host_feed(h, e);
	CHECK_STR(host_extract_str(h, e, "container.name"), "web");
	CHECK_STR(host_extract_str(h, e, "container.id"), "7951fb549ab9");
	free(e);
	host_free(h);
}

static size_t count_containers(host* h)
{
	uint32_t n;
	const ss_plugin_metric* m = host_metrics(h, &n);
	for (uint32_t i = 0; m && i < n; i++)
		if (!strcmp(m[i].name, "container.n_containers"))
			return m[i].value.u64;
	return (size_t)-1;
}

TEST(init_exit_removes_container_when_live)
{
	host* h = open_host("{}", true);
	REQUIRE(h);
	announce(h, "container", docker_json);
	CHECK_INT(count_containers(h), 1);
	spawn(h, 200, 1, 1, "/docker/" H);
	uint64_t before = host_async_accepted(h);
	feed(h, evt_procexit(ts_now++, 200, 0));
	CHECK_INT(host_async_accepted(h), before + 1);
	CHECK_INT(host_drain_async(h), 1);
	CHECK_INT(count_containers(h), 0);
	spawn(h, 201, 1, 5, "/docker/" H);
	CHECK_STR(field(h, 201, "container.name"), "<NA>");
	host_free(h);
}

TEST(legacy_container_events)
{
	host* h = open_host("{}", false);
	REQUIRE(h);
	feed(h, evt_container(ts_now++, (uint64_t)-1, "7951fb549ab9", 0, "web", "nginx:latest"));
	spawn(h, 1, 0, 1, "/docker/" H);
	CHECK_STR(field(h, 1, "container.name"), "web");
	CHECK_STR(field(h, 1, "container.image"), "nginx:latest");
	feed(h, evt_container_json(PPME_CONTAINER_JSON_E, ts_now++, (uint64_t)-1, cri_json));
	feed(h, evt_container_json(PPME_CONTAINER_JSON_2_E, ts_now++, (uint64_t)-1, sandbox_json));
	spawn(h, 2, 0, 1, "/kubepods/x/3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e");
	CHECK_STR(field(h, 2, "k8s.pod.ip"), "10.244.0.2");
	feed(h, evt_container_json(PPME_CONTAINER_JSON_2_E, ts_now++, (uint64_t)-1, NULL));
	CHECK_STR(field(h, 2, "container.name"), "busybox");
	host_free(h);
}

/* docs/decisions.md #1: relaxed-rule shapes stay host until an engine confirms them. */
TEST(relaxed_candidates_are_host_until_confirmed)
{
	host* h = open_host("{}", true);
	REQUIRE(h);
	spawn(h, 1, 0, 5, "/libpod_parent/conmon");
	spawn(h, 2, 0, 5, "/process_api/df604512bb9a5b7307d2cdedc811d99f");
	spawn(h, 3, 0, 1, "/default/mycontainer");
	CHECK_STR(field(h, 1, "container.id"), "host");
	CHECK_STR(field(h, 2, "container.id"), "host");
	CHECK_STR(field(h, 3, "container.id"), "host");
	announce(h, "container",
	         "{\"container\":{\"type\":7,\"id\":\"mycontainer\",\"full_id\":\"mycontainer\","
	         "\"name\":\"mycontainer\",\"image\":\"localhost/app:1.0\"}}");
	CHECK_STR(field(h, 3, "container.id"), "mycontainer");
	CHECK_STR(field(h, 3, "container.type"), "containerd");
	CHECK_STR(field(h, 1, "container.id"), "host");
	host_free(h);
}

TEST(lxc_bpm_libvirt_records_from_the_matcher)
{
	host* h = open_host("{}", true);
	REQUIRE(h);
	spawn(h, 1, 0, 1, "/lxc.payload.web1");
	spawn(h, 2, 1, 2, "/lxc.payload.web1");
	CHECK_INT(host_async_accepted(h), 1); /* announced once, not per process */
	CHECK_STR(field(h, 2, "container.type"), "lxc");
	CHECK_STR(field(h, 2, "container.name"), "web1");
	spawn(h, 3, 0, 1, "/system.slice/bpm-b3f4c1d2-aaaa-4bbb-8ccc-1234567890ab.scope");
	CHECK_STR(field(h, 3, "container.type"), "bpm");
	CHECK_STR(field(h, 3, "container.id"), "b3f4c1d2-aaaa-4bbb-8ccc-1234567890ab");
	spawn(h, 4, 0, 1, "/machine/libvirt-container.libvirt-lxc");
	CHECK_STR(field(h, 4, "container.type"), "libvirt-lxc");
	CHECK_INT(host_drain_async(h), 3);
	host_free(h);
}

TEST(static_container_mode)
{
	host* h = open_host(
	    "{\"engines\":{\"static\":{\"enabled\":true,\"container_id\":\"fargate-1\","
	    "\"container_name\":\"app\",\"container_image\":"
	    "\"registry.example.com:5000/team/app:1.2@sha256:0123abcd\"}}}",
	    false);
	REQUIRE(h);
	spawn(h, 1, 0, 1, "/user.slice");
	spawn(h, 2, 0, 1, "/docker/" H);
	CHECK_STR(field(h, 1, "container.id"), "fargate-1");
	CHECK_STR(field(h, 2, "container.id"), "fargate-1");
	CHECK_STR(field(h, 2, "container.type"), "static");
	CHECK_STR(field(h, 2, "container.name"), "app");
	CHECK_STR(field(h, 2, "container.image.repository"), "registry.example.com:5000/team/app");
	CHECK_STR(field(h, 2, "container.image.tag"), "1.2");
	CHECK_STR(field(h, 2, "container.image.digest"), "sha256:0123abcd");
	host_free(h);
}

TEST(all_engines_disabled_still_answers)
{
	host* h = open_host("{\"engines\":{\"docker\":{\"enabled\":false},\"podman\":{\"enabled\":false},"
	                    "\"containerd\":{\"enabled\":false},\"cri\":{\"enabled\":false},"
	                    "\"lxc\":{\"enabled\":false},\"libvirt_lxc\":{\"enabled\":false},"
	                    "\"bpm\":{\"enabled\":false}}}",
	                    true);
	REQUIRE(h);
	spawn(h, 1, 0, 1, "/docker/" H);
	CHECK_STR(field(h, 1, "container.id"), "host");
	CHECK_STR(field(h, 1, "container.name"), "host");
	host_free(h);
}

TEST(categories_of_healthcheck_processes)
{
	host* h = open_host("{}", false);
	REQUIRE(h);
	announce(h, "container", docker_json);
	const char* hc[] = {"-c", "curl -f http://localhost/", NULL};
	const char* other[] = {"-c", "curl -f http://localhost/x", NULL};
	spawn(h, 10, 1, 1, "/docker/" H);                 /* container init */
	spawn(h, 11, 10, 2, "/docker/" H);                /* its child */
	exec_in(h, 20, 2, "/bin/sh", hc, "/docker/" H);    /* started by runc (host) */
	exec_in(h, 21, 2, "/bin/sh", other, "/docker/" H); /* other command */
	exec_in(h, 22, 11, "/bin/sh", hc, "/docker/" H);   /* same command from the container */
	CHECK_STR(field(h, 10, "proc.is_container_healthcheck"), "false");
	CHECK_STR(field(h, 20, "proc.is_container_healthcheck"), "true");
	CHECK_STR(field(h, 20, "proc.is_container_liveness_probe"), "false");
	CHECK_STR(field(h, 21, "proc.is_container_healthcheck"), "false");
	CHECK_STR(field(h, 22, "proc.is_container_healthcheck"), "false");
	uint16_t cat = 99;
	CHECK(host_thread_dynfield_u16(h, 10, "category", &cat) && cat == 1);
	CHECK(host_thread_dynfield_u16(h, 11, "category", &cat) && cat == 1);
	CHECK(host_thread_dynfield_u16(h, 20, "category", &cat) && cat == 2);
	host_free(h);
}

TEST(containers_table_for_libsinsp)
{
	host* h = open_host("{}", false);
	REQUIRE(h);
	announce(h, "container", docker_json);
	const ss_plugin_table_input* t = host_plugin_table(h, "containers");
	REQUIRE(t);
	CHECK(t->key_type == SS_PLUGIN_ST_STRING);
	ss_plugin_table_field_t* fip = t->fields_ext->get_table_field(t->table, "ip",
	                                                             SS_PLUGIN_ST_STRING);
	ss_plugin_table_field_t* fuser = t->fields_ext->get_table_field(t->table, "user",
	                                                               SS_PLUGIN_ST_STRING);
	CHECK(fip && fuser);
	CHECK(!t->fields_ext->get_table_field(t->table, "ip", SS_PLUGIN_ST_UINT32));
	CHECK_INT(t->reader_ext->get_table_size(t->table), 2);
	ss_plugin_state_data key = {.str = "7951fb549ab9"}, out = {0};
	ss_plugin_table_entry_t* e = t->reader_ext->get_table_entry(t->table, &key);
	REQUIRE(e);
	CHECK(t->reader_ext->read_entry_field(t->table, e, fip, &out) == SS_PLUGIN_SUCCESS);
	CHECK_STR(out.str, "172.17.0.2");
	CHECK(t->reader_ext->read_entry_field(t->table, e, fuser, &out) == SS_PLUGIN_SUCCESS);
	CHECK_STR(out.str, "");
	CHECK(t->reader_ext->read_entry_field(t->table, e, NULL, &out) == SS_PLUGIN_FAILURE);
	t->reader_ext->release_table_entry(t->table, e);
	key.str = "";
	e = t->reader_ext->get_table_entry(t->table, &key);
	CHECK(e != NULL); /* the host record */
	t->reader_ext->release_table_entry(t->table, e);
	CHECK(t->writer_ext->erase_table_entry(t->table, &key) == SS_PLUGIN_FAILURE);
	/* libsinsp looks up every new thread's container: a miss is no error and
	 * leaves the last one (here the refused erase) as it was. */
	const plugin_api* api = host_plugin_api(h);
	char before[256];
	snprintf(before, sizeof(before), "%s", api->get_last_error(host_plugin_state(h)));
	key.str = "nope";
	CHECK(t->reader_ext->get_table_entry(t->table, &key) == NULL);
	CHECK_STR(api->get_last_error(host_plugin_state(h)), before);
	CHECK(t->writer_ext->create_table_entry(t->table) == NULL);
	CHECK(t->writer_ext->clear_table(t->table) == SS_PLUGIN_SUCCESS);
	CHECK_INT(t->reader_ext->get_table_size(t->table), 1);
	host_free(h);
}

/* String field `name` of a `containers` entry, as libsinsp reads it; NULL on failure. */
static const char* entry_str(const ss_plugin_table_input* t, ss_plugin_table_entry_t* e,
                             const char* name)
{
	ss_plugin_table_field_t* f = t->fields_ext->get_table_field(t->table, name,
	                                                           SS_PLUGIN_ST_STRING);
	ss_plugin_state_data out = {0};
	if (!f || t->reader_ext->read_entry_field(t->table, e, f, &out) != SS_PLUGIN_SUCCESS)
		return NULL;
	return out.str;
}

static ss_plugin_table_entry_t* entry_of(const ss_plugin_table_input* t, const char* id)
{
	ss_plugin_state_data key = {.str = id};
	return t->reader_ext->get_table_entry(t->table, &key);
}

typedef struct erasing_walk {
	const ss_plugin_table_input* t;
	unsigned visited;
	bool intact;
} erasing_walk;

/* Erases the entry it is given, then everything, then reads the entry again. */
static ss_plugin_bool erase_while_walking(ss_plugin_table_iterator_state_t* st,
                                          ss_plugin_table_entry_t* e)
{
	erasing_walk* w = st;
	char id[80];
	snprintf(id, sizeof(id), "%s", entry_str(w->t, e, "id"));
	ss_plugin_state_data key = {.str = id};
	w->t->writer_ext->erase_table_entry(w->t->table, &key); /* refused for the host record */
	w->t->writer_ext->clear_table(w->t->table);
	const char* again = entry_str(w->t, e, "id");
	w->intact = w->intact && again && !strcmp(again, id);
	w->visited++;
	return 1;
}

/*
 * A plugin with the docker, sandbox and CRI containers cached, in that order
 * (the docker record's last event is not the last one: only the table holds
 * it); *t is its `containers` table. NULL on failure.
 */
static host* with_three_containers(const ss_plugin_table_input** t)
{
	host* h = open_host("{}", false);
	*t = h ? host_plugin_table(h, "containers") : NULL;
	if (!*t) {
		host_free(h);
		return NULL;
	}
	announce(h, "container", docker_json);
	announce(h, "container", sandbox_json);
	announce(h, "container", cri_json);
	return h;
}

/*
 * A `containers` entry held (as libsinsp holds one between get_table_entry and
 * release_table_entry), then the container taken out of the table by `take`,
 * then the entry read.
 */
static void hold_across(void (*take)(host* h, const ss_plugin_table_input* t), const char* by)
{
	const ss_plugin_table_input* t;
	host* h = with_three_containers(&t);
	REQUIRE(h);
	ss_plugin_table_entry_t* e = entry_of(t, by);
	REQUIRE(e);
	take(h, t);
	CHECK_STR(entry_str(t, e, "id"), "7951fb549ab9");
	CHECK_STR(entry_str(t, e, "name"), "web");
	CHECK_STR(entry_str(t, e, "ip"), "172.17.0.2");
	t->reader_ext->release_table_entry(t->table, e);
	host_free(h);
}

static void take_by_erase(host* h, const ss_plugin_table_input* t)
{
	(void)h;
	ss_plugin_state_data key = {.str = "7951fb549ab9"};
	CHECK(t->writer_ext->erase_table_entry(t->table, &key) == SS_PLUGIN_SUCCESS);
	CHECK(!entry_of(t, "7951fb549ab9"));
}

static void take_by_clear(host* h, const ss_plugin_table_input* t)
{
	(void)h;
	CHECK(t->writer_ext->clear_table(t->table) == SS_PLUGIN_SUCCESS);
	CHECK_INT(t->reader_ext->get_table_size(t->table), 1); /* the host record */
}

static void take_by_removal(host* h, const ss_plugin_table_input* t)
{
	announce(h, "container_removed", docker_json);
	CHECK(!entry_of(t, "7951fb549ab9"));
}

/* A newer record of the same container replaces the held one in the table. */
static void take_by_update(host* h, const ss_plugin_table_input* t)
{
	announce(h, "container", docker_json);
	announce(h, "container", cri_json);
	ss_plugin_table_entry_t* now = entry_of(t, "7951fb549ab9");
	CHECK(now != NULL);
	if (now)
		t->reader_ext->release_table_entry(t->table, now);
}

TEST(pinned_container_entry_outlives_erase)
{
	hold_across(take_by_erase, "7951fb549ab9");
}

TEST(pinned_container_entry_outlives_clear)
{
	hold_across(take_by_clear, H); /* found by full id */
}

TEST(pinned_container_entry_outlives_parsed_removal)
{
	hold_across(take_by_removal, "7951fb549ab9");
}

TEST(pinned_container_entry_outlives_replacement)
{
	hold_across(take_by_update, "7951fb549ab9");
}

/* The entry an iterator callback is given stays valid while the callback erases. */
TEST(pinned_container_entry_outlives_erase_while_walking)
{
	const ss_plugin_table_input* t;
	host* h = with_three_containers(&t);
	REQUIRE(h);
	erasing_walk walk = {t, 0, true};
	CHECK(t->reader_ext->iterate_entries(t->table, erase_while_walking, &walk));
	CHECK(walk.intact);
	/* Entries erased by an earlier callback are not visited any more. */
	CHECK(walk.visited >= 1 && walk.visited <= 2);
	CHECK_INT(t->reader_ext->get_table_size(t->table), 1);
	host_free(h);
}

typedef struct dumped {
	ss_plugin_event* evts[16];
	size_t n;
} dumped;

static void collect(void* arg, const ss_plugin_event* evt)
{
	dumped* d = arg;
	if (d->n < 16) {
		d->evts[d->n] = malloc(evt->len);
		memcpy(d->evts[d->n++], evt, evt->len);
	}
}

TEST(dump_state_round_trip)
{
	host* h = open_host("{}", true);
	REQUIRE(h);
	announce(h, "container", docker_json);
	announce(h, "container", cri_json);
	spawn(h, 5, 1, 1, "/docker/" H);
	dumped d = {.n = 0};
	CHECK(host_dump_state(h, collect, &d) == 0);
	CHECK_INT(d.n, 2);
	host* r = open_host("{}", false);
	REQUIRE(r);
	for (size_t i = 0; i < d.n; i++) {
		CHECK(d.evts[i]->tid == 1 && d.evts[i]->ts != (uint64_t)-1);
		host_feed(r, d.evts[i]);
		free(d.evts[i]);
	}
	spawn(r, 5, 1, 1, "/docker/" H);
	for (size_t i = 0; i < NFIELDS; i++) {
		char want[4096];
		snprintf(want, sizeof(want), "%s", field(h, 5, all_fields[i]));
		CHECK_STR(field(r, 5, all_fields[i]), want);
	}
	host_free(r);
	host_free(h);
}

TEST(bad_input_never_crashes_and_keeps_cache)
{
	host* h = open_host("{}", true);
	REQUIRE(h);
	announce(h, "container", docker_json);
	announce(h, "container", "{\"container\": {\"id\": \"abc\", ");
	announce(h, "container", "[1,2,3]");
	announce(h, "container", "{\"container\":{\"id\":\"\",\"name\":\"evil\"}}");
	announce(h, "container_removed", "{\"container\":{\"id\":\"\"}}");
	announce(h, "container", "{\"container\":{\"id\":\"7951fb549ab9\",\"name\":5,"
	                         "\"labels\":{\"a\":1},\"Mounts\":\"x\",\"privileged\":\"yes\"}}");
	spawn(h, 1, 0, 1, "/docker/" H);
	CHECK_STR(field(h, 1, "container.name"), "");
	CHECK_STR(field(h, 1, "container.type"), ""); /* type absent: unknown */
	spawn(h, 2, 0, 1, "/");
	CHECK_STR(field(h, 2, "container.name"), "host");
	/* 1 MiB label value */
	size_t big = 1 << 20;
	char* json = malloc(big + 256);
	int n = snprintf(json, 256, "{\"container\":{\"id\":\"big\",\"type\":0,\"labels\":{\"k\":\"");
	memset(json + n, 'x', big);
	strcpy(json + n + big, "\"}}}");
	announce(h, "container", json);
	free(json);
	CHECK_INT(count_containers(h), 2);
	/* Truncated and inconsistent events. */
	ss_plugin_event* e = evt_async(ts_now++, 0, 0, "container", docker_json, sizeof(docker_json));
	for (uint32_t len = 0; len < e->len; len += 7) {
		ss_plugin_event* t = malloc(e->len);
		memcpy(t, e, e->len);
		t->len = len < sizeof(ss_plugin_event) ? (uint32_t)sizeof(ss_plugin_event) : len;
		host_feed(h, t);
		free(t);
	}
	e->nparams = 1000;
	host_feed(h, e);
	free(e);
	const char* args[] = {NULL};
	const char* cg[] = {"cpu=/docker/" H, NULL};
	evt_proc_info p = {.res = 0, .tid = 9, .pid = 9, .ptid = 1, .exe = "x", .comm = "x",
	                   .args = args, .cgroups = cg};
	e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, ts_now++, &p);
	for (uint32_t len = sizeof(ss_plugin_event); len < e->len; len += 3) {
		ss_plugin_event* t = malloc(e->len);
		memcpy(t, e, e->len);
		t->len = len;
		host_feed(h, t);
		free(t);
	}
	free(e);
	CHECK_INT(count_containers(h), 2);
	CHECK_STR(field(h, 1, "container.id"), "7951fb549ab9");
	host_free(h);
}

TEST(config_errors_are_reported)
{
	static const char* bad[] = {
	    "{\"label_max_len\": \"100\"}",
	    "{\"unknown\": 1}",
	    "{\"hooks\": [\"stop\"]}",
	    "{\"engines\": {\"docker\": {\"enabled\": \"yes\"}}}",
	    "{\"engines\": {\"static\": {\"enabled\": true}}}",
	    "{\"log_level\": \"loud\"}",
	    "not json",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		host* h = host_new();
		REQUIRE(h);
		REQUIRE(host_load(h, PLUGIN_SO_PATH) == 0);
		CHECK(host_init(h, bad[i]) != 0);
		CHECK(strlen(host_last_error(h)) > 0);
		host_free(h);
	}
	host* h = open_host("", false); /* empty config: {} by the host */
	CHECK(h != NULL);
	host_free(h);
	/* JSON-schema integers may be written as whole reals (libsinsp accepts them). */
	static const char* whole[] = {"{\"label_max_len\": 1e2}", "{\"label_max_len\": 100.0}"};
	for (size_t i = 0; i < 2; i++) {
		h = open_host(whole[i], false);
		CHECK(h != NULL);
		host_free(h);
	}
	h = host_new();
	REQUIRE(h);
	REQUIRE(host_load(h, PLUGIN_SO_PATH) == 0);
	CHECK(host_init(h, "{\"label_max_len\": 1.5}") != 0);
	host_free(h);
}

/*
 * Falco turns `init_config: {}` into JSON null; an absent or empty config
 * arrives as "" (libsinsp stubs it to {} before validating). Each passes the
 * plugin's schema in our host and gives exactly the defaults of {}.
 */
TEST(empty_config_forms_mean_defaults)
{
	/* " \n": only the plugin's own parser sees it (libsinsp, like our host,
	 * stubs nothing but the empty string and refuses white space as JSON). */
	static const char* forms[] = {"null", " null\n", "", "{}", " \n"};
	config want, got;
	char err[256] = "";
	REQUIRE(config_parse("{}", &want, err, sizeof(err)) == 0);
	/* The CRI sockets of each distribution the README lists, in that order. */
	static const char* cri[] = {"/run/containerd/containerd.sock", "/run/crio/crio.sock",
	                            "/run/k3s/containerd/containerd.sock", "/run/k0s/containerd.sock",
	                            "/var/snap/microk8s/common/run/containerd.sock",
	                            "/run/cri-dockerd.sock", "/run/host-containerd/containerd.sock"};
	CHECK_INT((int)want.cri.nsockets, 7);
	for (size_t i = 0; i < want.cri.nsockets && i < 7; i++)
		CHECK_STR(want.cri.sockets[i], cri[i]);
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		if (strcmp(forms[i], " \n") != 0) {
			host* h = open_host(forms[i], true);
			CHECK(h != NULL);
			host_free(h);
		}
		err[0] = '\0';
		CHECK(config_parse(forms[i], &got, err, sizeof(err)) == 0);
		if (err[0])
			fprintf(stderr, "  config \"%s\": %s\n", forms[i], err);
		if (err[0])
			continue;
		CHECK(got.label_max_len == want.label_max_len && got.with_size == want.with_size);
		CHECK(got.hooks == want.hooks && got.log_level == want.log_level);
		CHECK(got.docker.enabled && got.podman.enabled && got.containerd.enabled &&
		      got.cri.enabled && !got.static_enabled);
		CHECK(got.docker.nsockets == want.docker.nsockets &&
		      got.cri.nsockets == want.cri.nsockets);
		config_free(&got);
	}
	config_free(&want);
	/* Other JSON that is not an object stays an error. */
	static const char* bad[] = {"[]", "1", "\"x\"", "true"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		host* h = host_new();
		REQUIRE(h);
		REQUIRE(host_load(h, PLUGIN_SO_PATH) == 0);
		CHECK(host_init(h, bad[i]) != 0);
		host_free(h);
		CHECK(config_parse(bad[i], &got, err, sizeof(err)) != 0);
	}
}

static bool has_socket(const config_engine* e, const char* path)
{
	for (size_t i = 0; i < e->nsockets; i++)
		if (!strcmp(e->sockets[i], path))
			return true;
	return false;
}

/* Rootless Docker and Podman sockets under HOST_ROOT/run/user/<uid> join the
 * default lists (and only the defaults). */
TEST(rootless_sockets_join_the_defaults)
{
	char root[] = "/tmp/rootless.XXXXXX", path[256];
	REQUIRE(mkdtemp(root));
	snprintf(path, sizeof(path), "mkdir -p %s/run/user/1000/podman %s/run/user/x && "
	         "touch %s/run/user/1000/docker.sock %s/run/user/1000/podman/podman.sock "
	         "%s/run/user/x/docker.sock", root, root, root, root, root);
	REQUIRE(system(path) == 0);
	setenv("HOST_ROOT", root, 1);
	config c;
	char err[256];
	REQUIRE(config_parse("{}", &c, err, sizeof(err)) == 0);
	CHECK(has_socket(&c.docker, "/var/run/docker.sock"));
	CHECK(has_socket(&c.docker, "/run/user/1000/docker.sock"));
	CHECK(!has_socket(&c.docker, "/run/user/x/docker.sock")); /* not a uid */
	CHECK(has_socket(&c.podman, "/run/user/1000/podman/podman.sock"));
	CHECK(c.docker_discover && c.podman_discover);
	config_free(&c);
	REQUIRE(config_parse("{\"engines\":{\"docker\":{\"enabled\":true,"
	                     "\"sockets\":[\"/x.sock\"]}}}",
	                     &c, err, sizeof(err)) == 0);
	CHECK_INT((int)c.docker.nsockets, 1);
	CHECK(!c.docker_discover && c.podman_discover);
	config_free(&c);
	unsetenv("HOST_ROOT");
	snprintf(path, sizeof(path), "rm -rf %s", root);
	CHECK(system(path) == 0);
}

static bool in_strict_container(int64_t pid, const char* id)
{
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%lld/cgroup", (long long)pid);
	FILE* f = fopen(path, "r");
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f)) {
		const char* p = strstr(line, id);
		found = p && strlen(id) == 12 && strspn(p, "0123456789abcdef") >= 64;
	}
	if (f)
		fclose(f);
	return found;
}

/* docs/decisions.md #2: every process of this machine is host when no engine knows it. */
TEST(this_machine_processes_are_host)
{
	host* h = host_new();
	REQUIRE(h);
	REQUIRE(host_load(h, PLUGIN_SO_PATH) == 0 && host_init(h, "{}") == 0);
	long n = host_scan_proc(h, "/proc");
	CHECK(n > 1);
	REQUIRE(host_open_live(h) == 0);
	DIR* d = opendir("/proc");
	REQUIRE(d);
	struct dirent* de;
	while ((de = readdir(d))) {
		int64_t pid = atoll(de->d_name);
		if (pid <= 0 || !host_thread_exists(h, pid))
			continue;
		/* Real containers (other tests run engines in parallel) keep their strict 64-hex id. */
		const char* id = field(h, pid, "container.id");
		if (strcmp(id, "host") && !in_strict_container(pid, id))
			CHECK_STR(id, "host");
	}
	closedir(d);
	host_free(h);
}

TEST_MAIN(T(identity_and_fields_json), T(outcome_matrix), T(mount_selection_glob),
          T(k8s_fields_with_sandbox_fallback), T(cri_record_outranks_containerd_record), T(container_event_extraction_uses_its_record),
          T(init_exit_removes_container_when_live), T(legacy_container_events),
          T(relaxed_candidates_are_host_until_confirmed), T(lxc_bpm_libvirt_records_from_the_matcher),
          T(static_container_mode), T(all_engines_disabled_still_answers),
          T(categories_of_healthcheck_processes), T(containers_table_for_libsinsp),
          T(pinned_container_entry_outlives_erase), T(pinned_container_entry_outlives_clear),
          T(pinned_container_entry_outlives_parsed_removal),
          T(pinned_container_entry_outlives_replacement),
          T(pinned_container_entry_outlives_erase_while_walking),
          T(dump_state_round_trip), T(bad_input_never_crashes_and_keeps_cache),
          T(config_errors_are_reported), T(empty_config_forms_mean_defaults),
          T(rootless_sockets_join_the_defaults),
          T(this_machine_processes_are_host))
