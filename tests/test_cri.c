/*
 * CRI: the status → record mapping (cri_map.c, docs/engines.md "CRI")
 * with hand-built protobuf-c messages passed through the wire format, and
 * verbose info fixtures in containerd's layout (docs/engines.md "Verbose info"):
 * tests/data/cri_container_info.json, cri_sandbox_info.json. The expected
 * record is the CRI example of docs/container-json.md "Examples".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cri.h"
#include "test.h"

#define CTR_ID "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
#define SB_ID "63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a"
#define DIGEST "sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79"
#define LAST_APPLIED                                                                               \
	"{\"spec\":{\"containers\":[{\"name\":\"other\",\"livenessProbe\":{\"exec\":{\"command\":[" \
	"\"/bin/false\"]}}},{\"name\":\"busybox\",\"livenessProbe\":{\"exec\":{\"command\":["     \
	"\"cat\",\"'/tmp/healthy'\"]}},\"readinessProbe\":{\"exec\":{\"command\":[\"/bin/ready\"]}}" \
	"}]}}"

static char* slurp(const char* name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	FILE* f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char* buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Packs and unpacks a message: what the engine gets from the wire. */
static void* roundtrip(const ProtobufCMessage* m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t* buf = malloc(len ? len : 1);
	if (!buf)
		return NULL;
	protobuf_c_message_pack(m, buf);
	void* out = protobuf_c_message_unpack(m->descriptor, NULL, len, buf);
	free(buf);
	return out;
}

static Cri__ContainerStatus* container_status(const char* image_ref, const char* image)
{
	Cri__ContainerStatus st = CRI__CONTAINER_STATUS__INIT;
	Cri__ContainerMetadata md = CRI__CONTAINER_METADATA__INIT;
	Cri__ImageSpec is = CRI__IMAGE_SPEC__INIT;
	Cri__Mount m = CRI__MOUNT__INIT;
	Cri__Mount* mounts[] = {&m};
	Cri__ContainerResources res = CRI__CONTAINER_RESOURCES__INIT;
	Cri__LinuxContainerResources lin = CRI__LINUX_CONTAINER_RESOURCES__INIT;
	Cri__ContainerStatus__LabelsEntry l1 = CRI__CONTAINER_STATUS__LABELS_ENTRY__INIT;
	Cri__ContainerStatus__LabelsEntry* labels[] = {&l1};
	st.id = CTR_ID;
	md.name = "busybox";
	st.metadata = &md;
	is.image = (char*)image;
	st.image = &is;
	st.image_ref = (char*)image_ref;
	st.created_at = 1717000000123456789LL;
	m.container_path = "/host/boot";
	m.host_path = "/boot";
	m.readonly = true;
	st.n_mounts = 1;
	st.mounts = mounts;
	lin.cpu_period = 100000;
	lin.cpu_quota = 50000;
	lin.cpu_shares = 102;
	lin.memory_limit_in_bytes = 1073741824;
	lin.memory_swap_limit_in_bytes = 1073741824;
	res.linux = &lin;
	st.resources = &res;
	l1.key = "io.kubernetes.container.name";
	l1.value = "busybox";
	st.n_labels = 1;
	st.labels = labels;
	return roundtrip(&st.base);
}

static Cri__PodSandboxStatus* sandbox_status(int32_t net_mode, bool with_probes)
{
	Cri__PodSandboxStatus sb = CRI__POD_SANDBOX_STATUS__INIT;
	Cri__PodSandboxMetadata md = CRI__POD_SANDBOX_METADATA__INIT;
	Cri__PodSandboxNetworkStatus net = CRI__POD_SANDBOX_NETWORK_STATUS__INIT;
	Cri__LinuxPodSandboxStatus lin = CRI__LINUX_POD_SANDBOX_STATUS__INIT;
	Cri__Namespace ns = CRI__NAMESPACE__INIT;
	Cri__NamespaceOption opt = CRI__NAMESPACE_OPTION__INIT;
	Cri__PodSandboxStatus__LabelsEntry l1 = CRI__POD_SANDBOX_STATUS__LABELS_ENTRY__INIT,
	                                   l2 = CRI__POD_SANDBOX_STATUS__LABELS_ENTRY__INIT;
	Cri__PodSandboxStatus__LabelsEntry* labels[] = {&l1, &l2};
	Cri__PodSandboxStatus__AnnotationsEntry a1 = CRI__POD_SANDBOX_STATUS__ANNOTATIONS_ENTRY__INIT;
	Cri__PodSandboxStatus__AnnotationsEntry* ann[] = {&a1};
	sb.id = SB_ID;
	md.name = "nginx-sandbox";
	md.uid = "hdishddjaidwnduw9a43535366368";
	md.namespace_ = "default";
	sb.metadata = &md;
	sb.created_at = 1716999990000000000LL;
	net.ip = net_mode == CRI_NS_NODE ? "" : "10.244.0.2";
	sb.network = &net;
	opt.network = net_mode;
	opt.pid = 0;
	opt.ipc = CRI_NS_NODE;
	ns.options = &opt;
	lin.namespaces = &ns;
	sb.linux = &lin;
	l1.key = "app";
	l1.value = "myapp";
	l2.key = "example-label/custom_one";
	l2.value = "mylabel";
	sb.n_labels = 2;
	sb.labels = labels;
	a1.key = "kubectl.kubernetes.io/last-applied-configuration";
	a1.value = LAST_APPLIED;
	if (with_probes) {
		sb.n_annotations = 1;
		sb.annotations = ann;
	}
	return roundtrip(&sb.base);
}

static const char* label(const ctr_record* r, const char* key)
{
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, key);
	return kv ? kv->value : NULL;
}

TEST(image_rules_example)
{
	char *image, *repo, *tag, *digest;
	/* docs/engines.md "CRI image" example */
	REQUIRE(cri_image("docker.io/library/busybox@" DIGEST, "busybox:latest", NULL, &image, &repo,
	                  &tag, &digest));
	CHECK_STR(image, "docker.io/library/busybox:latest");
	CHECK_STR(repo, "docker.io/library/busybox");
	CHECK_STR(tag, "latest");
	CHECK_STR(digest, DIGEST);
	free(image), free(repo), free(tag), free(digest);
	/* rule 1 + rule 3: an id as image name → the info annotation */
	char* info = slurp("cri_container_info.json");
	REQUIRE(info);
	REQUIRE(cri_image(DIGEST, "sha256:6fd955f66c23", info, &image, &repo, &tag, &digest));
	CHECK_STR(image, "docker.io/library/busybox:latest");
	CHECK_STR(repo, "docker.io/library/busybox");
	CHECK_STR(tag, "latest");
	CHECK_STR(digest, DIGEST);
	free(image), free(repo), free(tag), free(digest);
	/* a plain name, no digest */
	REQUIRE(cri_image("", "localhost/app:1.0", NULL, &image, &repo, &tag, &digest));
	CHECK_STR(image, "localhost/app:1.0");
	CHECK_STR(repo, "localhost/app");
	CHECK_STR(tag, "1.0");
	CHECK_STR(digest, "");
	free(image), free(repo), free(tag), free(digest);
	free(info);
}

TEST(cni_json_containerd_format)
{
	char* info = slurp("cri_sandbox_info.json");
	REQUIRE(info);
	char* cni = cri_cni_json(info);
	CHECK_STR(cni, "{\"bridge\":{\"IPConfigs\":null},\"eth0\":{\"IPConfigs\":[{\"Gateway\":"
	               "\"10.244.0.1\",\"IP\":\"10.244.0.2\"}]}}");
	free(cni);
	cni = cri_cni_json("{\"pid\":1}"); /* host network: no CNI result */
	CHECK_STR(cni, "");
	free(cni);
	cni = cri_cni_json("not json");
	CHECK_STR(cni, "");
	free(cni);
	cni = cri_cni_json(NULL);
	CHECK_STR(cni, "");
	free(cni);
	/* truncated to 4096 bytes */
	size_t big = 6000;
	char* doc = malloc(big + 100);
	REQUIRE(doc);
	int n = sprintf(doc, "{\"cniResult\":{\"Interfaces\":{\"eth0\":{\"X\":\"");
	memset(doc + n, 'a', big);
	strcpy(doc + n + big, "\"}}}}");
	cni = cri_cni_json(doc);
	REQUIRE(cni);
	CHECK_INT(strlen(cni), CRI_CNI_JSON_MAX);
	free(cni);
	free(doc);
	free(info);
}

TEST(container_record_example_6_6_4)
{
	char* info = slurp("cri_container_info.json");
	char* sb_info = slurp("cri_sandbox_info.json");
	REQUIRE(info && sb_info);
	Cri__ContainerStatus* st = container_status("docker.io/library/busybox@" DIGEST, "busybox:latest");
	Cri__PodSandboxStatus* sb = sandbox_status(0, true);
	REQUIRE(st && sb);
	cri_map_opts o = {cri_runtime_type("containerd"), 100, -1};
	char err[256];
	ctr_record* r = cri_container_record(st, info, sb, sb_info, &o, err, sizeof(err));
	REQUIRE(r);
	CHECK_INT(r->type, CTR_TYPE_CONTAINERD);
	CHECK_STR(r->id, "3ad7b26ded6d");
	CHECK_STR(r->full_id, CTR_ID);
	CHECK_STR(r->name, "busybox");
	CHECK_STR(r->image, "docker.io/library/busybox:latest");
	CHECK_STR(r->imageid, "6fd955f66c231c1a946653170d096a28ac2b2052a02080c0b84ec082a07f7d12");
	CHECK_STR(r->imagerepo, "docker.io/library/busybox");
	CHECK_STR(r->imagetag, "latest");
	CHECK_STR(r->imagedigest, DIGEST);
	CHECK_STR(r->user, "0");
	CHECK_STR(r->cni_json, "{\"bridge\":{\"IPConfigs\":null},\"eth0\":{\"IPConfigs\":[{\"Gateway\":"
	                       "\"10.244.0.1\",\"IP\":\"10.244.0.2\"}]}}");
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpu_quota, 50000);
	CHECK_INT(r->cpu_shares, 102);
	CHECK_INT(r->cpuset_cpu_count, 0);
	CHECK_INT(r->created_time, 1717000000);
	REQUIRE(r->nenv == 2);
	CHECK_STR(r->env[0], "KUBERNETES_SERVICE_HOST=10.96.0.1");
	CHECK_STR(r->env[1], "KUBERNETES_SERVICE_PORT=443");
	CHECK(!r->host_network && !r->host_pid && r->host_ipc);
	CHECK_STR(r->ip, "10.244.0.2");
	CHECK_INT(r->size, -1);
	CHECK(!r->is_pod_sandbox);
	CHECK(r->privileged);
	CHECK_INT(r->memory_limit, 1073741824);
	CHECK_INT(r->swap_limit, 1073741824);
	CHECK_STR(r->pod_sandbox_id, SB_ID);
	CHECK_STR(label(r, "io.kubernetes.container.name"), "busybox");
	CHECK_STR(label(r, "io.kubernetes.pod.name"), "nginx-sandbox");
	CHECK_STR(label(r, "io.kubernetes.pod.namespace"), "default");
	CHECK_STR(label(r, "io.kubernetes.pod.uid"), "hdishddjaidwnduw9a43535366368");
	CHECK_STR(label(r, "io.kubernetes.sandbox.id"), SB_ID);
	CHECK_INT(r->nlabels, 5);
	CHECK_STR(r->pod_labels_fmt, "app:myapp, example-label/custom_one:mylabel");
	CHECK_STR(r->mounts_fmt, "/boot:/host/boot::false:private");
	CHECK_STR(r->short_sandbox_id, "63060edc2d3a");
	CHECK_STR(r->k8s_pod_name, "nginx-sandbox");
	/* The matching container's liveness and readiness exec probes
	 * (docs/engines.md "Probes from the pod annotation"). */
	CHECK(r->probes[CTR_PROBE_LIVENESS].present);
	CHECK_STR(r->probes[CTR_PROBE_LIVENESS].exe, "cat");
	REQUIRE(r->probes[CTR_PROBE_LIVENESS].nargs == 1);
	CHECK_STR(r->probes[CTR_PROBE_LIVENESS].args[0], "/tmp/healthy");
	CHECK(r->probes[CTR_PROBE_READINESS].present);
	CHECK_STR(r->probes[CTR_PROBE_READINESS].exe, "/bin/ready");
	CHECK(!r->probes[CTR_PROBE_HEALTHCHECK].present);
	ctr_record_unref(r);
	cri__container_status__free_unpacked(st, NULL);
	cri__pod_sandbox_status__free_unpacked(sb, NULL);
	free(info);
	free(sb_info);
}

TEST(container_without_info_or_sandbox)
{
	Cri__ContainerStatus* st = container_status("", "localhost/app:1.0");
	REQUIRE(st);
	cri_map_opts o = {cri_runtime_type("something"), -1, 42};
	ctr_record* r = cri_container_record(st, NULL, NULL, NULL, &o, NULL, 0);
	REQUIRE(r);
	CHECK_INT(r->type, CTR_TYPE_CRI);
	CHECK_STR(r->image, "localhost/app:1.0");
	CHECK_STR(r->imageid, "");
	CHECK_STR(r->pod_sandbox_id, "");
	CHECK_STR(r->cni_json, "");
	CHECK_INT(r->nlabels, 0); /* label_max_len < 0 drops all */
	CHECK_INT(r->size, 42);
	CHECK(!r->privileged);
	CHECK(!r->probes[CTR_PROBE_LIVENESS].present);
	ctr_record_unref(r);
	cri__container_status__free_unpacked(st, NULL);
	Cri__ContainerStatus empty = CRI__CONTAINER_STATUS__INIT;
	char err[64];
	CHECK(cri_container_record(&empty, NULL, NULL, NULL, &o, err, sizeof(err)) == NULL);
	CHECK(err[0] != '\0');
}

#define IMG_HEX "6fd955f66c231c1a946653170d096a28ac2b2052a02080c0b84ec082a07f7d12"

/*
 * containerd 2.x: the verbose status has no runtimeSpec (falco#3874 crashed on
 * it), or no info at all. Every field the rest gives is kept, nothing fails.
 */
TEST(containerd2_status_without_runtime_spec)
{
	static const char info[] =
	    "{\"sandboxID\":\"" SB_ID "\",\"pid\":4242,\"removing\":false,"
	    "\"snapshotKey\":\"" CTR_ID "\",\"snapshotter\":\"overlayfs\","
	    "\"runtimeType\":\"io.containerd.runc.v2\",\"runtimeOptions\":{},"
	    "\"config\":{\"metadata\":{\"name\":\"busybox\"},\"image\":{\"image\":\"sha256:" IMG_HEX "\"},"
	    "\"envs\":[{\"key\":\"A\",\"value\":\"1\"}],"
	    "\"linux\":{\"security_context\":{\"privileged\":true}}}}";
	static const char sb_info[] = "{\"pid\":4200,\"config\":{\"metadata\":{\"name\":\"p\"}}}";
	Cri__ContainerStatus* st = container_status("docker.io/library/busybox@" DIGEST, "busybox:1.36");
	Cri__PodSandboxStatus* sb = sandbox_status(0, false);
	REQUIRE(st && sb);
	cri_map_opts o = {cri_runtime_type("containerd"), 100, -1};
	char err[256] = "";
	ctr_record* r = cri_container_record(st, info, sb, sb_info, &o, err, sizeof(err));
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_STR(r->name, "busybox");
	CHECK_STR(r->image, "docker.io/library/busybox:1.36");
	CHECK_STR(r->imagetag, "1.36");
	CHECK_STR(r->imagedigest, DIGEST);
	CHECK_STR(r->imageid, IMG_HEX);
	CHECK(r->privileged);
	REQUIRE(r->nenv == 1);
	CHECK_STR(r->env[0], "A=1");
	CHECK_STR(r->pod_sandbox_id, SB_ID);
	CHECK_STR(r->k8s_pod_name, "nginx-sandbox");
	CHECK_STR(r->ip, "10.244.0.2");
	CHECK_STR(r->cni_json, "");
	ctr_record_unref(r);
	/* Nothing verbose at all, and an image known only by its id. */
	cri__container_status__free_unpacked(st, NULL);
	st = container_status("sha256:" IMG_HEX, "sha256:" IMG_HEX);
	REQUIRE(st);
	r = cri_container_record(st, NULL, sb, NULL, &o, err, sizeof(err));
	REQUIRE(r);
	CHECK_STR(r->name, "busybox");
	CHECK_STR(r->image, "sha256:" IMG_HEX);
	CHECK_STR(r->imagerepo, "");
	CHECK_STR(r->imagetag, "");
	CHECK_STR(r->k8s_pod_name, "nginx-sandbox");
	CHECK(!r->privileged);
	ctr_record_unref(r);
	cri__container_status__free_unpacked(st, NULL);
	cri__pod_sandbox_status__free_unpacked(sb, NULL);
}

/*
 * cri-o's verbose container info: sandboxID, pid, privileged at the top and
 * the OCI spec under runtimeSpec, whose annotations name the image when the
 * status gives only its id (io.kubernetes.cri-o.Image may be that id too).
 */
TEST(crio_verbose_info_layout)
{
	static const char info[] =
	    "{\"sandboxID\":\"" SB_ID "\",\"pid\":99,\"privileged\":true,"
	    "\"runtimeSpec\":{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"env\":[\"PATH=/bin\"]},"
	    "\"annotations\":{\"io.container.manager\":\"cri-o\","
	    "\"io.kubernetes.cri-o.Image\":\"" IMG_HEX "\","
	    "\"io.kubernetes.cri-o.ImageName\":\"quay.io/crio/redis:alpine\","
	    "\"io.kubernetes.cri-o.ImageRef\":\"" IMG_HEX "\","
	    "\"io.kubernetes.cri-o.SandboxID\":\"" SB_ID "\","
	    "\"io.kubernetes.pod.name\":\"nginx-sandbox\"}}}";
	Cri__ContainerStatus* st = container_status("quay.io/crio/redis@" DIGEST, "sha256:" IMG_HEX);
	Cri__PodSandboxStatus* sb = sandbox_status(0, false);
	REQUIRE(st && sb);
	cri_map_opts o = {cri_runtime_type("cri-o"), 100, -1};
	char err[256] = "";
	ctr_record* r = cri_container_record(st, info, sb, "{\"runtimeSpec\":{}}", &o, err, sizeof(err));
	REQUIRE(r);
	CHECK_INT(r->type, CTR_TYPE_CRIO);
	CHECK_STR(r->name, "busybox");
	CHECK_STR(r->image, "quay.io/crio/redis"); /* the id carries no tag */
	CHECK_STR(r->imagedigest, DIGEST);
	CHECK(r->privileged);
	CHECK_STR(r->pod_sandbox_id, SB_ID);
	CHECK_STR(r->k8s_pod_namespace, "default");
	ctr_record_unref(r);
	cri__container_status__free_unpacked(st, NULL);
	/* Only the id from the status and the ref: the annotations name the image. */
	st = container_status("sha256:" IMG_HEX, "sha256:" IMG_HEX);
	REQUIRE(st);
	r = cri_container_record(st, info, sb, NULL, &o, err, sizeof(err));
	REQUIRE(r);
	CHECK_STR(r->image, "quay.io/crio/redis:alpine");
	CHECK_STR(r->imagerepo, "quay.io/crio/redis");
	CHECK_STR(r->imagetag, "alpine");
	ctr_record_unref(r);
	cri__container_status__free_unpacked(st, NULL);
	cri__pod_sandbox_status__free_unpacked(sb, NULL);
}

TEST(sandbox_record_8_4_6)
{
	char* sb_info = slurp("cri_sandbox_info.json");
	REQUIRE(sb_info);
	Cri__PodSandboxStatus* sb = sandbox_status(0, false);
	REQUIRE(sb);
	cri_map_opts o = {CTR_TYPE_CONTAINERD, 100, -1};
	ctr_record* r = cri_sandbox_record(sb, sb_info, &o, NULL, 0);
	REQUIRE(r);
	CHECK(r->is_pod_sandbox);
	CHECK_STR(r->id, "63060edc2d3a");
	CHECK_STR(r->full_id, SB_ID);
	CHECK_STR(r->pod_sandbox_id, SB_ID);
	CHECK_STR(r->name, "nginx-sandbox");
	CHECK_STR(r->image, "");
	CHECK_STR(r->ip, "10.244.0.2");
	CHECK(strstr(r->cni_json, "\"eth0\"") != NULL);
	CHECK_INT(r->created_time, 1716999990);
	CHECK_STR(label(r, "app"), "myapp");
	CHECK_STR(label(r, "io.kubernetes.pod.name"), "nginx-sandbox");
	CHECK_STR(label(r, "io.kubernetes.pod.namespace"), "default");
	CHECK_STR(label(r, "io.kubernetes.pod.uid"), "hdishddjaidwnduw9a43535366368");
	CHECK_STR(label(r, "io.kubernetes.sandbox.id"), SB_ID);
	CHECK_INT(r->npod_sandbox_labels, 2);
	ctr_record_unref(r);
	cri__pod_sandbox_status__free_unpacked(sb, NULL);
	/* host network pod: no IP, no CNI result */
	sb = sandbox_status(CRI_NS_NODE, false);
	REQUIRE(sb);
	r = cri_sandbox_record(sb, "{\"pid\":1}", &o, NULL, 0);
	REQUIRE(r);
	CHECK(r->host_network && r->host_ipc && !r->host_pid);
	CHECK_STR(r->ip, "");
	CHECK_STR(r->cni_json, "");
	ctr_record_unref(r);
	cri__pod_sandbox_status__free_unpacked(sb, NULL);
	free(sb_info);
}

TEST(runtime_type_and_info)
{
	CHECK_INT(cri_runtime_type("containerd"), 7);
	CHECK_INT(cri_runtime_type("cri-o"), 8);
	CHECK_INT(cri_runtime_type("other"), 6);
	CHECK_INT(cri_runtime_type(NULL), 6);
	Cri__ContainerStatusResponse resp = CRI__CONTAINER_STATUS_RESPONSE__INIT;
	Cri__ContainerStatusResponse__InfoEntry e = CRI__CONTAINER_STATUS_RESPONSE__INFO_ENTRY__INIT;
	Cri__ContainerStatusResponse__InfoEntry* es[] = {&e};
	e.key = "info";
	e.value = "{\"sandboxID\":\"abc\"}";
	resp.n_info = 1;
	resp.info = es;
	Cri__ContainerStatusResponse* back = roundtrip(&resp.base);
	REQUIRE(back);
	CHECK_STR(cri_info_container(back), "{\"sandboxID\":\"abc\"}");
	char* sid = cri_info_sandbox_id(cri_info_container(back));
	CHECK_STR(sid, "abc");
	free(sid);
	CHECK(cri_info_sandbox_id("{}") == NULL);
	cri__container_status_response__free_unpacked(back, NULL);
}

/*
 * A container gone before its lookup (removed within a second of its start):
 * its record comes from the event's own statuses, as they travel on the wire
 * (fields 4 and 5), with the pod's k8s fields; nothing for an id the event
 * has no status for.
 */
TEST(record_from_the_event_itself)
{
	Cri__ContainerStatus* st = container_status("", "localhost/app:1.0");
	Cri__PodSandboxStatus* sb = sandbox_status(0, false);
	REQUIRE(st && sb);
	Cri__ContainerStatus other = CRI__CONTAINER_STATUS__INIT;
	other.id = "0000000000000000000000000000000000000000000000000000000000000001";
	Cri__ContainerStatus* statuses[] = {&other, st};
	Cri__ContainerEventResponse in = CRI__CONTAINER_EVENT_RESPONSE__INIT;
	in.container_id = CTR_ID;
	in.container_event_type = 1; /* started */
	in.pod_sandbox_status = sb;
	in.n_containers_statuses = 2;
	in.containers_statuses = statuses;
	Cri__ContainerEventResponse* ev = roundtrip(&in.base);
	REQUIRE(ev);
	REQUIRE(ev->n_containers_statuses == 2 && ev->pod_sandbox_status);

	cri_map_opts o = {cri_runtime_type("containerd"), 100, -1};
	char err[256];
	ctr_record* r = cri_event_record(ev, CTR_ID, &o, err, sizeof(err));
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_STR(r->full_id, CTR_ID);
	CHECK_STR(r->name, "busybox");
	CHECK_STR(r->image, "localhost/app:1.0");
	CHECK_STR(r->pod_sandbox_id, SB_ID);
	CHECK_STR(label(r, "io.kubernetes.pod.name"), "nginx-sandbox");
	CHECK_STR(label(r, "io.kubernetes.pod.namespace"), "default");
	CHECK_STR(r->pod_labels_fmt, "app:myapp, example-label/custom_one:mylabel");
	ctr_record_unref(r);

	/* Not in the event (a sandbox's own event, another pod's id), or no event. */
	CHECK(cri_event_record(ev, SB_ID, &o, err, sizeof(err)) == NULL);
	CHECK(cri_event_record(ev, "3ad7b26ded6d", &o, err, sizeof(err)) == NULL);
	CHECK(cri_event_record(NULL, CTR_ID, &o, err, sizeof(err)) == NULL);
	cri__container_event_response__free_unpacked(ev, NULL);

	/* Without the pod's status: the container's own fields. */
	in.pod_sandbox_status = NULL;
	ev = roundtrip(&in.base);
	REQUIRE(ev);
	r = cri_event_record(ev, CTR_ID, &o, err, sizeof(err));
	REQUIRE(r);
	CHECK_STR(r->name, "busybox");
	CHECK_STR(r->pod_sandbox_id, "");
	ctr_record_unref(r);
	cri__container_event_response__free_unpacked(ev, NULL);
	cri__container_status__free_unpacked(st, NULL);
	cri__pod_sandbox_status__free_unpacked(sb, NULL);
}

TEST_MAIN(T(image_rules_example), T(cni_json_containerd_format), T(container_record_example_6_6_4),
          T(container_without_info_or_sandbox), T(containerd2_status_without_runtime_spec),
          T(crio_verbose_info_layout), T(sandbox_record_8_4_6), T(runtime_type_and_info),
          T(record_from_the_event_itself))
