/*
 * libFuzzer target: the event parse path through our host. The plugin is
 * registered statically (plugin_static_api) in file mode with every engine
 * disabled, once. Each input is then
 *   1. an event: copied, its header len forced to the input size, and fed
 *      (the host validates the framing, the plugin parses what it asks for);
 *   2. the JSON payload of an async "container" event (evt_async), fed too;
 * and a few fields are extracted for tid 1 (a thread in a docker container
 * the seeds describe) and for the last event.
 *
 * State (threads, cached containers) accumulates across inputs like in a real
 * capture; the host is rebuilt when it grows past a bound, so that a long
 * run keeps a flat memory profile.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "host.h"
#include "plugin_state.h"
#include "scap_events.h"

int LLVMFuzzerInitialize(int* argc, char*** argv);
int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

#define H1 "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define H2 "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
#define MAX_THREADS 4096
#define MAX_CONTAINERS 4096

/*
 * No engine the plugin would ask (file mode starts no worker anyway); the
 * cri, containerd, lxc, libvirt-lxc and bpm matchers stay enabled, and the
 * cri layouts also match docker's "/docker/<id>" cgroups.
 */
static const char fuzz_config[] =
    "{\"engines\":{\"docker\":{\"enabled\":false},\"podman\":{\"enabled\":false}}}";

/* Records the capture starts with (fed as async events right after the open). */
static const char* const initial_records[] = {
    "{\"container\":{\"type\":0,\"id\":\"7951fb549ab9\",\"full_id\":\"" H1 "\","
    "\"name\":\"web\",\"image\":\"nginx:1.25-alpine\",\"labels\":{\"a\":\"b\"},"
    "\"Mounts\":[{\"Source\":\"/data\",\"Destination\":\"/var/lib/data\",\"Mode\":\"\","
    "\"RW\":true,\"Propagation\":\"\"}],"
    "\"Healthcheck\":{\"exe\":\"/bin/sh\",\"args\":[\"-c\",\"true\"]},"
    "\"LivenessProbe\":{\"exe\":\"/bin/check\",\"args\":[]}}}",
    "{\"container\":{\"type\":7,\"id\":\"3ad7b26ded6d\",\"full_id\":\"" H2 "\","
    "\"name\":\"busybox\",\"labels\":{\"io.kubernetes.pod.name\":\"nginx\","
    "\"io.kubernetes.pod.namespace\":\"default\"},\"pod_sandbox_id\":\"" H1 "\","
    "\"pod_sandbox_labels\":{\"app\":\"myapp\"},"
    "\"ReadinessProbe\":{\"exe\":\"/bin/sh\",\"args\":[\"-c\",\"true\"]}}}",
};

static host* g_host;
static uint64_t g_ts = 1700000000000000000ull;

static void quiet(void* arg, const char* component, const char* msg, ss_plugin_log_severity sev)
{
	(void)arg;
	(void)component;
	(void)msg;
	(void)sev;
}

static host* make_host(void)
{
	host* h = host_new();
	if (!h)
		abort();
	host_set_log(h, quiet, NULL);
	/* Threads the capture starts with: one per engine layout worth reaching. */
	static const char* const cg1[] = {"cpuset=/", "cpu=/docker/" H1, "memory=/docker/" H1, NULL};
	static const char* const cg2[] = {"cpu=/kubepods.slice/kubepods-burstable.slice/"
	                                  "cri-containerd-" H2 ".scope",
	                                  NULL};
	static const char* const cg3[] = {"cpu=/lxc/mybox", NULL};
	static const char* const cg4[] = {"cpu=/k8s.io/shortname", NULL};
	static const char* const args[] = {"-c", "true", NULL};
	const host_proc procs[] = {
	    {.tid = 1, .pid = 1, .ptid = 0, .vtid = 1, .vpid = 1, .comm = "nginx", .exe = "nginx",
	     .exe_path = "/usr/sbin/nginx", .args = args, .cgroups = cg1},
	    {.tid = 2, .pid = 2, .ptid = 1, .vtid = 1, .vpid = 1, .comm = "sh", .exe = "/bin/sh",
	     .exe_path = "/bin/sh", .args = args, .cgroups = cg2},
	    {.tid = 3, .pid = 3, .ptid = 1, .vtid = 3, .vpid = 3, .comm = "init", .exe = "/sbin/init",
	     .exe_path = "/sbin/init", .cgroups = cg3},
	    {.tid = 4, .pid = 4, .ptid = 1, .vtid = 4, .vpid = 4, .comm = "app", .exe = "/app",
	     .exe_path = "/app", .cgroups = cg4},
	};
	if (host_load_api(h, plugin_static_api()) || host_init(h, fuzz_config)) {
		fprintf(stderr, "fuzz_parse: host setup failed: %s\n", host_last_error(h));
		abort();
	}
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++)
		if (host_thread_add(h, &procs[i])) {
			fprintf(stderr, "fuzz_parse: thread add failed: %s\n", host_last_error(h));
			abort();
		}
	if (host_open_file(h)) {
		fprintf(stderr, "fuzz_parse: open failed: %s\n", host_last_error(h));
		abort();
	}
	for (size_t i = 0; i < sizeof(initial_records) / sizeof(initial_records[0]); i++) {
		const char* j = initial_records[i];
		ss_plugin_event* e = evt_async(g_ts++, 0, 0, ASYNC_EVT_CONTAINER, j,
		                               (uint32_t)strlen(j) + 1);
		if (!e || host_feed(h, e)) {
			fprintf(stderr, "fuzz_parse: initial record refused: %s\n", host_last_error(h));
			abort();
		}
		free(e);
	}
	return h;
}

int LLVMFuzzerInitialize(int* argc, char*** argv)
{
	(void)argc;
	(void)argv;
	g_host = make_host();
	return 0;
}

static uint64_t containers(host* h)
{
	uint32_t n = 0;
	const ss_plugin_metric* m = host_metrics(h, &n);
	return m && n ? m[0].value.u64 : 0;
}

static void extract(host* h, const ss_plugin_event* evt)
{
	static const char* const fields[] = {
	    "container.id",      "container.name",        "container.label[a]",
	    "k8s.pod.labels",    "container.labels",      "container.mounts",
	    "container.mount[0]", "container.mount.source[/data]", "container.image.repository",
	    "container.healthcheck", "k8s.pod.name",      "k8s.pod.label[app]",
	    "k8s.pod.sandbox_id", "container.start_ts",   "proc.is_container_healthcheck",
	    "container.type",    "container.ip",          "k8s.pod.cni.json",
	};
	host_value v[4];
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int n = host_extract(h, evt, fields[i], v, 4);
		for (int k = 0; k < n && k < 4; k++)
			if (v[k].ftype == FTYPE_STRING && v[k].str)
				(void)strlen(v[k].str); /* the value must be a readable C string */
	}
	(void)host_extract_str(h, evt, "container.name");
	(void)host_extract_str(h, evt, "container.label[a]");
	(void)host_extract_str(h, evt, "k8s.pod.labels");
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
	host* h = g_host;
	if (!h)
		return 0;

	/* 1. The input as an event, exactly `size` bytes long as its header says. */
	if (size >= sizeof(ss_plugin_event) && size <= UINT32_MAX) {
		uint8_t* buf = malloc(size);
		if (!buf)
			abort();
		memcpy(buf, data, size);
		uint32_t len = (uint32_t)size;
		memcpy(buf + 16, &len, 4);
		host_feed(h, (const ss_plugin_event*)buf);
		extract(h, NULL); /* the last event: a container event's record */
		free(buf);
	}

	/* 2. The input as the JSON payload of an async container event. */
	if (size <= UINT32_MAX - 4096) {
		/* Some inputs (by length) also announce the container's removal. */
		const char* names[2] = {ASYNC_EVT_CONTAINER, size % 4 == 3 ? ASYNC_EVT_REMOVED : NULL};
		for (int i = 0; i < 2 && names[i]; i++) {
			ss_plugin_event* e = evt_async(g_ts++, 0, 0, names[i], data, (uint32_t)size);
			if (e) {
				host_feed(h, e);
				extract(h, NULL);
				free(e);
			}
		}
	}

	/* 3. Fields of tid 1 (and 2) on a later event. */
	for (uint64_t tid = 1; tid <= 2; tid++) {
		ss_plugin_event* pe = evt_procexit(g_ts, tid, 0);
		if (pe) {
			extract(h, pe);
			free(pe);
		}
	}

	if (host_thread_count(h) > MAX_THREADS || containers(h) > MAX_CONTAINERS) {
		host_free(h);
		g_host = make_host();
	}
	return 0;
}
