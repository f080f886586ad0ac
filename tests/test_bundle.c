/*
 * bundle.c: provisional records from containerd CRI, Docker and Podman bundles. A fake state
 * directory <tmp>/io.containerd.runtime.v2.task/k8s.io/ holds a sandbox's and
 * a container's bundle; this process plays the pod's shim (working in the
 * sandbox's bundle) and a child of ours the container's process. The plugin
 * path (parse -> provisional record -> extraction) runs against real
 * containerd in tests/integration/test_first_event.c.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"
#include "ctr_record.h"
#include "test.h"

#define SANDBOX "5a5a5a5a5a5a1111111111111111111111111111111111111111111111111111"
#define CTR "c0ffee00c0ffee2222222222222222222222222222222222222222222222222222"

static const char cri_annotations[] =
    "{\"ociVersion\":\"1.0.2-dev\",\"annotations\":{"
    "\"io.kubernetes.cri.container-name\":\"web\","
    "\"io.kubernetes.cri.container-type\":\"container\","
    "\"io.kubernetes.cri.image-name\":\"registry.example/team/web:2.1\","
    "\"io.kubernetes.cri.sandbox-id\":\"" SANDBOX "\","
    "\"io.kubernetes.cri.sandbox-name\":\"web-7d9\","
    "\"io.kubernetes.cri.sandbox-namespace\":\"shop\","
    "\"io.kubernetes.cri.sandbox-uid\":\"u-42\"}}";

static const char sandbox_annotations[] =
    "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
    "\"io.kubernetes.cri.sandbox-name\":\"web-7d9\"}}";

static char tmp[64], ns_dir[256];

/* Every matcher, as a default config has them. */
static const cgroup_matchers ms = {.enabled = ~0u & ~CGROUP_ENGINE_BIT(CGROUP_ENGINE_STATIC)};

static void put(const char* id, const char* body)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", ns_dir, id);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/config.json", ns_dir, id);
	FILE* f = fopen(path, "we");
	if (f) {
		fputs(body, f);
		fclose(f);
	}
}

static bool setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/test_bundle.XXXXXX");
	if (!mkdtemp(tmp))
		return false;
	snprintf(ns_dir, sizeof(ns_dir), "%s/io.containerd.runtime.v2.task", tmp);
	mkdir(ns_dir, 0755);
	snprintf(ns_dir, sizeof(ns_dir), "%s/io.containerd.runtime.v2.task/k8s.io", tmp);
	mkdir(ns_dir, 0755);
	put(SANDBOX, sandbox_annotations);
	put(CTR, cri_annotations);
	return true;
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	CHECK(system(cmd) == 0);
}

static const char* label(const ctr_record* r, const char* key)
{
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, key);
	return kv ? kv->value : NULL;
}

TEST(record_from_cri_annotations)
{
	REQUIRE(setup());
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", ns_dir, CTR);
	ctr_record* r = bundle_record_from_dir(dir, "", CTR);
	REQUIRE(r != NULL);
	CHECK_STR(r->id, "c0ffee00c0ff");
	CHECK_STR(r->full_id, CTR);
	CHECK_INT(r->type, CTR_TYPE_CONTAINERD);
	CHECK_STR(r->name, "web");
	CHECK_STR(r->image, "registry.example/team/web:2.1");
	CHECK_STR(r->imagerepo, "registry.example/team/web");
	CHECK_STR(r->imagetag, "2.1");
	CHECK_STR(r->pod_sandbox_id, SANDBOX);
	CHECK_STR(r->k8s_pod_name, "web-7d9");
	CHECK_STR(r->k8s_pod_namespace, "shop");
	CHECK_STR(r->k8s_pod_uid, "u-42");
	CHECK_STR(label(r, "io.kubernetes.container.name"), "web");
	ctr_record_unref(r);
	teardown();
}

TEST(no_record_without_a_container_bundle)
{
	REQUIRE(setup());
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%s", ns_dir, SANDBOX);
	CHECK(bundle_record_from_dir(dir, "", SANDBOX) == NULL); /* a sandbox */
	put("d1", "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\"}}");
	put("d2", "{\"annotations\":");
	put("d3", "[1,2,3]");
	const char* bad[] = {"d1", "d2", "d3", "absent"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", ns_dir, bad[i]);
		CHECK(bundle_record_from_dir(dir, "", bad[i]) == NULL);
	}
	/* larger than the bound: not read at all */
	size_t big = 300 * 1024;
	char* body = malloc(big + sizeof(cri_annotations) + 16);
	REQUIRE(body);
	memcpy(body, cri_annotations, sizeof(cri_annotations) - 2); /* up to the last '}' */
	char* p = body + sizeof(cri_annotations) - 2;
	p += sprintf(p, ",\"pad\":\"");
	memset(p, 'x', big);
	strcpy(p + big, "\"}");
	put("d4", body);
	free(body);
	snprintf(dir, sizeof(dir), "%s/d4", ns_dir);
	CHECK(bundle_record_from_dir(dir, "", "d4") == NULL);
	teardown();
}

#define DOCKER_ID "d0cd0cd0cd0c3333333333333333333333333333333333333333333333333333"

/* Docker's bundle names <data-root>/containers/<id>/hostname; config.v2.json there. */
static void put_docker(const char* hostname_dir)
{
	char body[1024], path[512];
	snprintf(body, sizeof(body),
	         "{\"ociVersion\":\"1.0.2-dev\",\"mounts\":["
	         "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	         "{\"destination\":\"/etc/hostname\",\"type\":\"bind\",\"source\":\"%s/hostname\"}]}",
	         hostname_dir);
	put(DOCKER_ID, body);
	snprintf(path, sizeof(path), "%s/docker", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/docker/containers", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/docker/containers/%s", tmp, DOCKER_ID);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/docker/containers/%s/config.v2.json", tmp, DOCKER_ID);
	FILE* f = fopen(path, "we");
	if (f) {
		fputs("{\"ID\":\"" DOCKER_ID "\",\"Name\":\"/shop-web\",\"Image\":\"sha256:ab12\","
		      "\"Config\":{\"Image\":\"nginx:1.25\",\"Labels\":{}}}",
		      f);
		fclose(f);
	}
}

TEST(record_from_docker_config)
{
	REQUIRE(setup());
	char hdir[512], dir[512];
	snprintf(hdir, sizeof(hdir), "%s/docker/containers/%s", tmp, DOCKER_ID);
	put_docker(hdir);
	snprintf(dir, sizeof(dir), "%s/%s", ns_dir, DOCKER_ID);
	ctr_record* r = bundle_record_from_dir(dir, "", DOCKER_ID);
	REQUIRE(r != NULL);
	CHECK_STR(r->id, "d0cd0cd0cd0c");
	CHECK_STR(r->full_id, DOCKER_ID);
	CHECK_INT(r->type, CTR_TYPE_DOCKER);
	CHECK_STR(r->name, "shop-web");
	CHECK_STR(r->image, "nginx:1.25");
	CHECK_STR(r->imagerepo, "nginx");
	CHECK_STR(r->imagetag, "1.25");
	ctr_record_unref(r);
	/* through a root prefix, as the shim's /proc/<pid>/root */
	char root[600];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)getpid());
	r = bundle_record_from_dir(dir, root, DOCKER_ID);
	CHECK(r && !strcmp(r->name, "shop-web"));
	ctr_record_unref(r);
	/* a hostname from elsewhere than containers/<this id>/ tells nothing */
	snprintf(hdir, sizeof(hdir), "%s/docker/other/%s", tmp, DOCKER_ID);
	put_docker(hdir);
	CHECK(bundle_record_from_dir(dir, "", DOCKER_ID) == NULL);
	snprintf(hdir, sizeof(hdir), "%s/docker/containers/%s", tmp, SANDBOX);
	put_docker(hdir);
	CHECK(bundle_record_from_dir(dir, "", DOCKER_ID) == NULL);
	teardown();
}

#define PODMAN_ID "9d9d9d9d9d9d4444444444444444444444444444444444444444444444444444"

/* <tmp>/vfs-containers/<id>/userdata (a bundle without name or image) and the
 * storage's containers.json beside the containers, another one first. */
static void put_podman(char* bundle, size_t size)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/vfs-containers", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/vfs-containers/%s", tmp, PODMAN_ID);
	mkdir(path, 0755);
	snprintf(bundle, size, "%s/vfs-containers/%s/userdata", tmp, PODMAN_ID);
	mkdir(bundle, 0755);
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	FILE* f = fopen(path, "we");
	if (f) {
		fputs("{\"annotations\":{\"io.container.manager\":\"libpod\"},\"mounts\":[]}", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/vfs-containers/containers.json", tmp);
	f = fopen(path, "we");
	if (f) {
		fputs("[{\"id\":\"" SANDBOX "\",\"names\":[\"other\"],\"metadata\":"
		      "\"{\\\"image-name\\\":\\\"x:1\\\",\\\"name\\\":\\\"other\\\"}\"},"
		      "{\"id\":\"" PODMAN_ID "\",\"names\":[\"db\"],\"image\":\"4efc\",\"metadata\":"
		      "\"{\\\"image-name\\\":\\\"docker.io/library/postgres:16\\\",\\\"name\\\":"
		      "\\\"db\\\",\\\"note\\\":\\\"a } and a \\\\\\\" inside\\\"}\"}]",
		      f);
		fclose(f);
	}
}

TEST(record_from_podman_storage)
{
	REQUIRE(setup());
	char bundle[512];
	put_podman(bundle, sizeof(bundle));
	ctr_record* r = bundle_record_from_dir(bundle, "", PODMAN_ID);
	REQUIRE(r != NULL);
	CHECK_STR(r->id, "9d9d9d9d9d9d");
	CHECK_INT(r->type, CTR_TYPE_PODMAN);
	CHECK_STR(r->name, "db");
	CHECK_STR(r->image, "docker.io/library/postgres:16");
	CHECK_STR(r->imagetag, "16");
	ctr_record_unref(r);
	/* no entry for the id: nothing */
	CHECK(bundle_record_from_dir(bundle, "", CTR) == NULL);

	/* found from a process named conmon that was given the bundle */
	char link[600], bundle_arg[600], dir[700], full[128];
	snprintf(link, sizeof(link), "%s/conmon", tmp);
	REQUIRE(symlink("/bin/sh", link) == 0);
	snprintf(bundle_arg, sizeof(bundle_arg), "%s", bundle);
	pid_t mon = fork();
	if (mon == 0) {
		execl(link, "conmon", "-c", "sleep 5; :", "-b", bundle_arg, (char*)NULL);
		_exit(127);
	}
	REQUIRE(mon > 0);
	usleep(100000);
	CHECK_INT(bundle_find("/proc", &ms, mon, "9d9d9d9d9d9d", dir, sizeof(dir), full, sizeof(full)), 1);
	CHECK_STR(full, PODMAN_ID);
	r = bundle_record_from_dir(dir, "", full);
	CHECK(r && !strcmp(r->name, "db"));
	ctr_record_unref(r);
	CHECK_INT(bundle_find("/proc", &ms, mon, "0123456789ab", dir, sizeof(dir), full, sizeof(full)), 0);
	kill(mon, SIGKILL);
	CHECK(waitpid(mon, NULL, 0) == mon);
	teardown();
}

/* A child of ours in "/" (a container's process under its shim). */
static pid_t spawn_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (chdir("/"))
			_exit(1);
		pause();
		_exit(0);
	}
	return pid;
}

TEST(find_from_a_process_of_the_pod)
{
	REQUIRE(setup());
	char old[4096], sandbox_dir[512], dir[600], full[128];
	REQUIRE(getcwd(old, sizeof(old)));
	snprintf(sandbox_dir, sizeof(sandbox_dir), "%s/%s", ns_dir, SANDBOX);
	REQUIRE(chdir(sandbox_dir) == 0); /* we are the pod's shim */
	pid_t child = spawn_child();
	REQUIRE(child > 0);
	usleep(50000); /* its chdir */

	/* the container: next to the sandbox's bundle */
	CHECK_INT(bundle_find("/proc", &ms, child, "c0ffee00c0ff", dir, sizeof(dir), full, sizeof(full)), 1);
	CHECK_STR(full, CTR);
	ctr_record* r = bundle_record_from_dir(dir, "", full);
	CHECK(r && !strcmp(r->name, "web"));
	ctr_record_unref(r);
	/* the sandbox: our own directory */
	CHECK_INT(bundle_find("/proc", &ms, child, "5a5a5a5a5a5a", dir, sizeof(dir), full, sizeof(full)), 1);
	CHECK_STR(full, SANDBOX);
	/* an id no bundle has; an id too short to be one */
	CHECK_INT(bundle_find("/proc", &ms, child, "0123456789ab", dir, sizeof(dir), full, sizeof(full)), 0);
	CHECK_INT(bundle_find("/proc", &ms, child, "c0ffee", dir, sizeof(dir), full, sizeof(full)), 0);

	kill(child, SIGKILL);
	CHECK(waitpid(child, NULL, 0) == child);
	/* gone: nothing learnt */
	CHECK_INT(bundle_find("/proc", &ms, child, "c0ffee00c0ff", dir, sizeof(dir), full, sizeof(full)), -1);
	CHECK(chdir(old) == 0);
	teardown();
}

static void put_file(const char* proc, int pid, const char* name, const char* body)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%d/%s", proc, pid, name);
	FILE* f = fopen(path, "we");
	if (f) {
		fputs(body, f);
		fclose(f);
	}
}

/* <tmp>/proc/<pid>: a cwd link, a cgroup file (CG, v2) and, when ppid >= 0, a
 * status naming the parent. */
static void fake_proc_in(const char* proc, int pid, const char* cwd, int ppid, const char* cg)
{
	char path[512], body[512];
	snprintf(path, sizeof(path), "%s/%d", proc, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/cwd", proc, pid);
	CHECK(symlink(cwd, path) == 0);
	snprintf(body, sizeof(body), "0::%s\n", cg);
	put_file(proc, pid, "cgroup", body);
	if (ppid < 0)
		return;
	snprintf(body, sizeof(body), "Name:\tsh\nPid:\t%d\nPPid:\t%d\n", pid, ppid);
	put_file(proc, pid, "status", body);
}

/* A process of the host (a runtime's), by its cgroup. */
static void fake_proc(const char* proc, int pid, const char* cwd, int ppid)
{
	fake_proc_in(proc, pid, cwd, ppid, "/system.slice/containerd.service");
}

/*
 * runc's stages and a container's first execs exit while their chain is
 * walked; one whose parent (or own status) is gone on the way is "nothing
 * learnt" (-1), looked at again from a later process, not "no bundle" (0),
 * which would give up on the container (seen: one podman container in 100
 * under ASan named only by its engine, after its first execs).
 */
TEST(a_process_gone_on_the_way_is_not_a_verdict)
{
	REQUIRE(setup());
	char proc[128], dir[600], full[128];
	snprintf(proc, sizeof(proc), "%s/proc", tmp);
	mkdir(proc, 0755);
	fake_proc(proc, 100, "/", 90);  /* its parent 90 is gone */
	fake_proc(proc, 200, "/", -1);  /* exiting: cwd still readable, status not */
	fake_proc(proc, 300, "/", 1);   /* reparented to init: no runtime above */
	fake_proc(proc, 400, "/", 100); /* two levels down from the broken chain */
	const char* id = "c0ffee00c0ff";
	CHECK_INT(bundle_find(proc, &ms, 100, id, dir, sizeof(dir), full, sizeof(full)), -1);
	CHECK_INT(bundle_find(proc, &ms, 200, id, dir, sizeof(dir), full, sizeof(full)), -1);
	CHECK_INT(bundle_find(proc, &ms, 300, id, dir, sizeof(dir), full, sizeof(full)), 0);
	CHECK_INT(bundle_find(proc, &ms, 400, id, dir, sizeof(dir), full, sizeof(full)), -1);
	/* the parent reappears (the real chain, after reparenting): found */
	fake_proc(proc, 90, ns_dir, 1);
	char shim[600];
	snprintf(shim, sizeof(shim), "%s/90/cwd", proc);
	CHECK(unlink(shim) == 0);
	snprintf(dir, sizeof(dir), "%s/%s", ns_dir, CTR);
	CHECK(symlink(dir, shim) == 0);
	CHECK_INT(bundle_find(proc, &ms, 100, id, dir, sizeof(dir), full, sizeof(full)), 1);
	CHECK_STR(full, CTR);
	teardown();
}

/*
 * A process of the container chooses its working directory: it could work in
 * a directory named after its own id, holding a config.json of its making
 * (a forged name and image). Only processes outside the container's cgroup
 * are asked; runc's stages, already inside it, are passed over for the
 * runtime above them.
 */
TEST(only_processes_outside_the_container_are_asked)
{
	REQUIRE(setup());
	char proc[128], cwd[512], cg[256], dir[600], full[128];
	snprintf(proc, sizeof(proc), "%s/proc", tmp);
	mkdir(proc, 0755);
	/* the container's cgroup, by its 64-digit id (CTR is the bundle's name) */
	snprintf(cg, sizeof(cg), "/system.slice/docker-c0ffee00c0ff%052d.scope", 0);
	/* the container's own process works in a bundle-looking directory */
	snprintf(cwd, sizeof(cwd), "%s/forged/%s", tmp, CTR);
	char forged[512];
	snprintf(forged, sizeof(forged), "%s/forged", tmp);
	mkdir(forged, 0755);
	mkdir(cwd, 0755);
	fake_proc_in(proc, 100, cwd, 1, cg);
	CHECK_INT(bundle_find(proc, &ms, 100, "c0ffee00c0ff", dir, sizeof(dir), full, sizeof(full)), 0);
	/* runc's init in <bundle>/rootfs, in the container: its parent, the shim, tells */
	snprintf(cwd, sizeof(cwd), "%s/%s/rootfs", ns_dir, CTR);
	mkdir(cwd, 0755);
	fake_proc_in(proc, 200, cwd, 150, cg);
	snprintf(cwd, sizeof(cwd), "%s/%s", ns_dir, SANDBOX);
	fake_proc(proc, 150, cwd, 1); /* the pod's shim */
	CHECK_INT(bundle_find(proc, &ms, 200, "c0ffee00c0ff", dir, sizeof(dir), full, sizeof(full)), 1);
	CHECK_STR(full, CTR);
	ctr_record* r = bundle_record_from_dir(dir, "", full);
	CHECK(r && !strcmp(r->name, "web"));
	ctr_record_unref(r);
	/* another container's cgroup does not make a process the container's */
	fake_proc_in(proc, 300, cwd, 1, "/system.slice/docker-" SANDBOX ".scope");
	CHECK_INT(bundle_find(proc, &ms, 300, "c0ffee00c0ff", dir, sizeof(dir), full, sizeof(full)), 1);
	/* a cgroup file that cannot be read: gone, nothing learnt */
	fake_proc(proc, 400, "/", 150);
	snprintf(cwd, sizeof(cwd), "%s/400/cgroup", proc);
	CHECK(unlink(cwd) == 0);
	CHECK_INT(bundle_find(proc, &ms, 400, "c0ffee00c0ff", dir, sizeof(dir), full, sizeof(full)), -1);
	teardown();
}

TEST_MAIN(T(record_from_cri_annotations), T(record_from_docker_config),
          T(record_from_podman_storage),
          T(no_record_without_a_container_bundle),
          T(find_from_a_process_of_the_pod), T(a_process_gone_on_the_way_is_not_a_verdict),
          T(only_processes_outside_the_container_are_asked))
