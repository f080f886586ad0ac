/*
 * Benchmarks of the plugin through our host and the real ABI. Prints figures,
 * asserts nothing:
 *   parse  ns per new-process event (plugin's share: host+plugin minus host alone)
 *   extract ns per field extraction (host's field-name parse included)
 *   memory bytes per cached container at 100 / 1,000 / 10,000 containers
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "events.h"
#include "host.h"

#define N_EVENTS 200000
#define N_EXTRACT 200000

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static host* open_plugin(void)
{
	host* h = host_new();
	/* No engine: the worker would only add noise. */
	const char* cfg = "{\"engines\":{\"docker\":{\"enabled\":false},\"podman\":{\"enabled\":false}}}";
	if (host_load(h, PLUGIN_SO_PATH) || host_init(h, cfg) || host_open_file(h)) {
		fprintf(stderr, "bench: %s\n", host_last_error(h));
		exit(1);
	}
	return h;
}

static const char* shapes[][2] = {
    {"docker (cgroupfs)", "/docker/7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"},
    {"k8s systemd",
     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f8a2b7c_1111_2222_3333_"
     "444455556666.slice/cri-containerd-3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de4"
     "41c3601e.scope"},
    {"k8s cgroupfs",
     "/kubepods/besteffort/podac04f3f2-1f2c-11e9-b015-1ebee232acfa/"
     "605439acbd4fb18c145069289094b17f17e0cfa938f78012d4960bc797305f22"},
    {"host", "/user.slice/user-1000.slice/session-2.scope"},
};

static ss_plugin_event* clone_in(const char* cg, int64_t tid)
{
	static const char* ctrls[] = {"cpuset", "cpu", "cpuacct", "memory", "devices", "freezer",
	                              "blkio", "pids", "net_cls"};
	char bufs[9][512];
	const char* cgroups[10];
	for (int i = 0; i < 9; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "%s=%s", ctrls[i], cg);
		cgroups[i] = bufs[i];
	}
	cgroups[9] = NULL;
	const char* args[] = {"-c", "true", NULL};
	evt_proc_info p = {.tid = tid, .pid = tid, .ptid = 1, .vtid = 5, .vpid = 5, .exe = "sh",
	                   .comm = "sh", .cwd = "/", .args = args, .cgroups = cgroups};
	return evt_clone_exit(PPME_SYSCALL_CLONE_20_X, 1, &p);
}

static double feed_loop(host* h, ss_plugin_event* e)
{
	double t0 = now_ns();
	for (int i = 0; i < N_EVENTS; i++)
		host_feed(h, e);
	return (now_ns() - t0) / N_EVENTS;
}

static void bench_parse(void)
{
	host* h = open_plugin();
	printf("parse (clone exit, 9 cgroup entries, ns/event):\n");
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		ss_plugin_event* e = clone_in(shapes[s][1], 1000);
		host_set_parsing(h, false);
		feed_loop(h, e); /* warm-up */
		double host_only = feed_loop(h, e);
		host_set_parsing(h, true);
		double both = feed_loop(h, e);
		printf("  %-20s host+plugin %7.1f  host alone %7.1f  plugin %7.1f\n", shapes[s][0],
		       both, host_only, both - host_only);
		free(e);
	}
	host_free(h);
}

static const char docker_json[] =
    "{\"container\":{\"type\":0,\"id\":\"%.12s\",\"full_id\":\"%s\",\"name\":\"web-%d\","
    "\"image\":\"nginx:1.25-alpine\",\"imageid\":\"a8758716bb6aa4d90071160d27028fe4eaee7ce8166221"
    "a97d30440c8eac2be6\",\"imagerepo\":\"nginx\",\"imagetag\":\"1.25-alpine\",\"imagedigest\":"
    "\"sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d275\",\"ip\":"
    "\"172.17.0.2\",\"labels\":{\"maintainer\":\"NGINX Docker Maintainers\",\"app\":\"web\","
    "\"io.kubernetes.pod.name\":\"web-%d\",\"io.kubernetes.pod.namespace\":\"default\"},"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\",\"NGINX_VERSION=1.25.5\"],"
    "\"Mounts\":[{\"Source\":\"/srv/www\",\"Destination\":\"/usr/share/nginx/html\",\"Mode\":\"ro\","
    "\"RW\":false,\"Propagation\":\"rprivate\"}],\"cpu_shares\":1024,\"cpu_period\":100000}}";

static void announce(host* h, int i)
{
	char id[65], json[4096];
	snprintf(id, sizeof(id), "%012x%052x", i + 1, i);
	int n = snprintf(json, sizeof(json), docker_json, id, id, i, i);
	ss_plugin_event* e = evt_async(1, 0, 0, "container", json, (uint32_t)n + 1);
	host_feed(h, e);
	free(e);
}

static void bench_extract(void)
{
	host* h = open_plugin();
	announce(h, 0);
	ss_plugin_event* e = clone_in("/docker/000000000001000000000000000000000000000000000000000000"
	                              "0000000000", 1000);
	host_feed(h, e);
	static const char* fields[] = {"container.id", "container.name", "container.image.repository",
	                               "k8s.pod.name", "container.mount.dest[/srv/*]"};
	printf("extract (ns/field, through the host's field parsing):\n");
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		host_value v;
		double t0 = now_ns();
		for (int i = 0; i < N_EXTRACT; i++)
			host_extract(h, e, fields[f], &v, 1);
		printf("  %-30s %7.1f  (value: %s)\n", fields[f], (now_ns() - t0) / N_EXTRACT,
		       host_extract(h, e, fields[f], &v, 1) > 0 ? v.str : "<none>");
	}
	free(e);
	host_free(h);
}

static void bench_memory(void)
{
	printf("memory (heap bytes per cached container, realistic docker record):\n");
	static const int counts[] = {100, 1000, 10000};
	for (size_t c = 0; c < 3; c++) {
		host* h = open_plugin();
		malloc_trim(0);
		size_t before = mallinfo2().uordblks;
		for (int i = 0; i < counts[c]; i++)
			announce(h, i);
		malloc_trim(0);
		size_t after = mallinfo2().uordblks;
		printf("  %6d containers: %7.0f bytes/container\n", counts[c],
		       (double)(after - before) / counts[c]);
		host_free(h);
	}
}

int main(void)
{
	bench_parse();
	bench_extract();
	bench_memory();
	struct stat st;
	if (stat(PLUGIN_SO_PATH, &st) == 0)
		printf("libcontainer.so: %lld bytes\n", (long long)st.st_size);
	return 0;
}
