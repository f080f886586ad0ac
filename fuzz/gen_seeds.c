/*
 * Writes the event seeds of fuzz/corpus/fuzz_parse (run once by hand; the
 * output is committed):
 *
 *	clang -std=c17 -D_GNU_SOURCE -Iinclude -Ihost fuzz/gen_seeds.c host/events.c \
 *	    -o /tmp/gen_seeds && /tmp/gen_seeds fuzz/corpus/fuzz_parse
 *
 * Every seed is one event with the exact wire layout of host/events.h: the
 * process events the plugin parses (in the cgroups of the containers the
 * fuzz_parse host knows about), the container events (legacy 228, JSON 272
 * and 324, async 402) and a procexit of a container's init.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"

#define H1 "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define H2 "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"

static const char* dir;

static void put(const char* name, ss_plugin_event* e)
{
	if (!e) {
		fprintf(stderr, "gen_seeds: cannot build %s\n", name);
		exit(1);
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE* f = fopen(path, "wb");
	if (!f || fwrite(e, 1, e->len, f) != e->len || fclose(f)) {
		fprintf(stderr, "gen_seeds: cannot write %s\n", path);
		exit(1);
	}
	free(e);
}

static const char docker_json[] =
    "{\"container\":{\"type\":0,\"id\":\"7951fb549ab9\",\"full_id\":\"" H1 "\","
    "\"name\":\"web\",\"image\":\"nginx:1.25-alpine\",\"imagerepo\":\"nginx\","
    "\"imagetag\":\"1.25-alpine\",\"ip\":\"172.17.0.2\",\"labels\":{\"a\":\"b\","
    "\"io.kubernetes.pod.name\":\"p\"},\"Mounts\":[{\"Source\":\"/data\",\"Destination\":"
    "\"/var/lib/data\",\"Mode\":\"\",\"RW\":true,\"Propagation\":\"\"}],"
    "\"Healthcheck\":{\"exe\":\"/bin/sh\",\"args\":[\"-c\",\"true\"]}}}";

static const char cri_json[] =
    "{\"container\":{\"type\":7,\"id\":\"3ad7b26ded6d\",\"full_id\":\"" H2 "\","
    "\"name\":\"busybox\",\"image\":\"busybox:latest\",\"is_pod_sandbox\":false,"
    "\"labels\":{\"io.kubernetes.pod.name\":\"nginx\",\"io.kubernetes.pod.namespace\":"
    "\"default\"},\"pod_sandbox_id\":\"63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b6"
    "2246ad6a\",\"pod_sandbox_labels\":{\"app\":\"myapp\"}}}";

int main(int argc, char** argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	uint64_t ts = 1700000000000000000ull;
	const char* args[] = {"-c", "true", NULL};
	const char* env[] = {"PATH=/bin", NULL};
	const char* cg_docker[] = {"cpuset=/", "cpu=/docker/" H1, NULL};
	const char* cg_cri[] = {"cpu=/kubepods.slice/kubepods-burstable.slice/"
	                        "cri-containerd-" H2 ".scope",
	                        NULL};
	const char* cg_lxc[] = {"cpu=/lxc/mybox", NULL};
	const char* cg_cand[] = {"cpu=/default/shortname", NULL};

	/* A healthcheck run in the docker container: child of a clone in it. */
	evt_proc_info p = {.res = 0, .tid = 10, .pid = 10, .ptid = 1, .vtid = 10, .vpid = 10,
	                   .exe = "/bin/sh", .comm = "sh", .cwd = "/", .args = args,
	                   .env = env, .cgroups = cg_docker, .filename = "/bin/sh"};
	put("clone_child_docker", evt_clone_exit(PPME_SYSCALL_CLONE_20_X, ts++, &p));
	p.cgroups = cg_lxc;
	put("clone3_child_lxc", evt_clone_exit(PPME_SYSCALL_CLONE3_X, ts++, &p));
	/* The parent's side: res = child tid. */
	p.res = 11;
	p.tid = 1;
	p.cgroups = cg_docker;
	put("fork_parent", evt_clone_exit(PPME_SYSCALL_FORK_20_X, ts++, &p));
	p.res = 0;
	p.tid = 12;
	p.cgroups = cg_cri;
	put("execve_cri", evt_execve_exit(PPME_SYSCALL_EXECVE_19_X, ts++, &p));
	p.cgroups = cg_cand;
	put("execveat_candidate", evt_execve_exit(PPME_SYSCALL_EXECVEAT_X, ts++, &p));
	p.cgroups = cg_docker;
	put("execve_legacy_16", evt_execve_exit(PPME_SYSCALL_EXECVE_16_X, ts++, &p));
	/* A healthcheck: exe and args of the docker record's probe, parent unknown. */
	p.tid = 20;
	p.ptid = 5;
	p.cgroups = cg_docker;
	put("clone_healthcheck", evt_clone_exit(PPME_SYSCALL_VFORK_20_X, ts++, &p));
	put("chroot", evt_chroot_exit(ts++, 1, 0, "/newroot"));
	put("procexit_init", evt_procexit(ts++, 1, 0));
	put("container_legacy", evt_container(ts++, 0, "7951fb549ab9", 0, "web", "nginx"));
	put("container_json_272", evt_container_json(PPME_CONTAINER_JSON_E, ts++, 0, docker_json));
	put("container_json_324", evt_container_json(PPME_CONTAINER_JSON_2_E, ts++, 0, cri_json));
	put("async_container",
	    evt_async(ts++, 0, 0, "container", docker_json, (uint32_t)sizeof(docker_json)));
	put("async_removed",
	    evt_async(ts++, 0, 0, "container_removed", cri_json, (uint32_t)sizeof(cri_json)));
	return 0;
}
