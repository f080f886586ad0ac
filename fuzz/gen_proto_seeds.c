/*
 * Writes the seeds of fuzz/corpus/fuzz_proto and fuzz/corpus/fuzz_grpc (run
 * once by hand; the output is committed). It needs the protobuf-c code that a
 * configured build generates under <build>/proto:
 *
 *	clang -std=c17 -D_GNU_SOURCE -Ibuild/proto fuzz/gen_proto_seeds.c \
 *	    build/proto/containerd.pb-c.c build/proto/cri.pb-c.c -lprotobuf-c \
 *	    -o /tmp/gen_proto_seeds && /tmp/gen_proto_seeds fuzz/corpus
 *
 * The messages have the shape of real containerd 1.7 / CRI answers (ids,
 * labels, OCI spec, verbose info documents) cut down to what the plugin
 * reads; the input layouts are those described in fuzz_proto.c and
 * fuzz_grpc.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containerd.pb-c.h"
#include "cri.pb-c.h"

#define SEP "\xff|SEP|\xff"
#define ID1 "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
#define ID2 "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define SB1 "63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a"
#define DIGEST "sha256:6fd955f66c231c1a946653170d096a28ac2b2052a02080c0b84ec082a07f7d12"

/* fuzz_proto kinds (the enum of fuzz_proto.c). */
enum { K_CTRD_CONTAINER, K_CTRD_GET, K_CTRD_LIST, K_CTRD_ENVELOPE, K_CTRD_SPEC_JSON,
       K_CRI_CONTAINER, K_CRI_SANDBOX, K_CRI_LISTS, K_CRI_JSON };

static const char* dir;

typedef struct buf {
	uint8_t* d;
	size_t n;
} buf;

static void add(buf* b, const void* d, size_t n)
{
	if (!(b->d = realloc(b->d, b->n + n + 1))) {
		fprintf(stderr, "gen_proto_seeds: out of memory\n");
		exit(1);
	}
	memcpy(b->d + b->n, d, n);
	b->n += n;
}

static void add_msg(buf* b, const ProtobufCMessage* m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t* p = malloc(n ? n : 1);
	if (!p)
		exit(1);
	protobuf_c_message_pack(m, p);
	add(b, p, n);
	free(p);
}

static void add_str(buf* b, const char* s)
{
	add(b, s, strlen(s));
}

static void sep(buf* b)
{
	add_str(b, SEP);
}

static void write_file(const char* target, const char* name, buf* b)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s/%s", dir, target, name);
	FILE* f = fopen(path, "wb");
	if (!f || fwrite(b->d, 1, b->n, f) != b->n || fclose(f)) {
		fprintf(stderr, "gen_proto_seeds: cannot write %s\n", path);
		exit(1);
	}
	free(b->d);
	b->d = NULL;
	b->n = 0;
}

/* A fuzz_proto input: kind, options byte, then the parts. */
static buf proto_input(int kind, uint8_t opts)
{
	buf b = {0};
	uint8_t h[2] = {(uint8_t)kind, opts};
	add(&b, h, 2);
	return b;
}

/* ---- containerd ---- */

static const char spec_ctr[] =
    "{\"ociVersion\":\"1.1.0\",\"process\":{\"user\":{\"uid\":1000,\"gid\":1000},"
    "\"args\":[\"/bin/busybox\",\"sleep\",\"3600\"],\"env\":[\"PATH=/usr/local/sbin:/usr/local/"
    "bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"HOSTNAME=box\"],\"cwd\":\"/\",\"apparmorProfile\":"
    "\"cri-containerd.apparmor.d\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":"
    "18446744073709551615,\"soft\":1024}],\"noNewPrivileges\":true},\"root\":{\"path\":\"rootfs\"},"
    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":"
    "[\"nosuid\",\"noexec\",\"nodev\"]},{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":"
    "\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\","
    "\"noexec\",\"nodev\",\"ro\"]},{\"destination\":\"/data\",\"type\":\"bind\",\"source\":"
    "\"/srv/data\",\"options\":[\"rbind\",\"ro\"]}],\"annotations\":{"
    "\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.sandbox-id\":\"" SB1
    "\"},\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],"
    "\"memory\":{\"limit\":536870912,\"swap\":1073741824},\"cpu\":{\"shares\":512,\"quota\":50000,"
    "\"period\":100000,\"cpus\":\"0-3,6\"}},\"cgroupsPath\":\"/default/" ID1 "\",\"namespaces\":"
    "[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":"
    "\"network\",\"path\":\"/proc/4200/ns/net\"}],\"maskedPaths\":[\"/proc/kcore\"],"
    "\"readonlyPaths\":[\"/proc/bus\"],\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"},"
    "\"rootfsPropagation\":\"rslave\"}}";

static const char spec_privileged[] =
    "{\"ociVersion\":\"1.1.0\",\"process\":{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],"
    "\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"apparmorProfile\":\"unconfined\"},\"mounts\":["
    "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\","
    "\"rw\"]},{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","
    "\"options\":[\"rw\"]}],\"linux\":{\"resources\":{\"memory\":{},\"cpu\":{\"shares\":0}},"
    "\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"}],\"seccomp\":null}}";

static void ctrd_container(Ctrd__Container* c, Ctrd__Any* spec, Ctrd__Runtime* rt,
                           Ctrd__Timestamp* ts, const char* id, const char* image,
                           const char* spec_json)
{
	*c = (Ctrd__Container)CTRD__CONTAINER__INIT;
	*spec = (Ctrd__Any)CTRD__ANY__INIT;
	*rt = (Ctrd__Runtime)CTRD__RUNTIME__INIT;
	*ts = (Ctrd__Timestamp)CTRD__TIMESTAMP__INIT;
	c->id = (char*)id;
	c->image = (char*)image;
	rt->name = "io.containerd.runc.v2";
	c->runtime = rt;
	spec->type_url = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
	spec->value.data = (uint8_t*)spec_json;
	spec->value.len = strlen(spec_json);
	c->spec = spec;
	c->snapshotter = "overlayfs";
	c->snapshot_key = (char*)id;
	ts->seconds = 1717000000;
	ts->nanos = 123456789;
	c->created_at = ts;
	c->updated_at = ts;
}

typedef Ctrd__Container__LabelsEntry clabel;

static void ctrd_seeds(void)
{
	Ctrd__Container c, c2;
	Ctrd__Any spec, spec2;
	Ctrd__Runtime rt, rt2;
	Ctrd__Timestamp ts, ts2;
	clabel l1 = CTRD__CONTAINER__LABELS_ENTRY__INIT, l2 = CTRD__CONTAINER__LABELS_ENTRY__INIT,
	       l3 = CTRD__CONTAINER__LABELS_ENTRY__INIT;
	clabel* labels[] = {&l1, &l2, &l3};
	l1.key = "io.cri-containerd.kind";
	l1.value = "container";
	l2.key = "io.kubernetes.pod.name";
	l2.value = "nginx";
	l3.key = "io.kubernetes.pod.namespace";
	l3.value = "default";

	/* A plain ctr container (no labels), then one with k8s labels. */
	ctrd_container(&c, &spec, &rt, &ts, ID1, "docker.io/library/busybox:latest", spec_ctr);
	buf b = proto_input(K_CTRD_CONTAINER, 0);
	add_msg(&b, &c.base);
	write_file("fuzz_proto", "ctrd_container_busybox", &b);

	c.n_labels = 3;
	c.labels = labels;
	b = proto_input(K_CTRD_CONTAINER, 3);
	add_msg(&b, &c.base);
	write_file("fuzz_proto", "ctrd_container_k8s_labels_drop8", &b);

	/* Get + Images/Get + Store/Get, as build() fetches them. */
	Ctrd__GetContainerResponse g = CTRD__GET_CONTAINER_RESPONSE__INIT;
	g.container = &c;
	Ctrd__GetImageResponse gi = CTRD__GET_IMAGE_RESPONSE__INIT;
	Ctrd__Image im = CTRD__IMAGE__INIT;
	Ctrd__Descriptor desc = CTRD__DESCRIPTOR__INIT;
	desc.media_type = "application/vnd.oci.image.index.v1+json";
	desc.digest = DIGEST;
	desc.size = 2295;
	im.name = "docker.io/library/busybox:latest";
	im.target = &desc;
	gi.image = &im;
	Ctrd__StoreGetResponse sg = CTRD__STORE_GET_RESPONSE__INIT;
	Ctrd__Sandbox sb = CTRD__SANDBOX__INIT;
	Ctrd__Sandbox__LabelsEntry s1 = CTRD__SANDBOX__LABELS_ENTRY__INIT,
	                           s2 = CTRD__SANDBOX__LABELS_ENTRY__INIT;
	Ctrd__Sandbox__LabelsEntry* slabels[] = {&s1, &s2};
	s1.key = "app";
	s1.value = "myapp";
	s2.key = "pod-template-hash";
	s2.value = "7c5ddbdf54";
	sb.sandbox_id = SB1;
	sb.n_labels = 2;
	sb.labels = slabels;
	sg.sandbox = &sb;
	b = proto_input(K_CTRD_GET, 4);
	add_msg(&b, &g.base);
	sep(&b);
	add_msg(&b, &gi.base);
	sep(&b);
	add_msg(&b, &sg.base);
	write_file("fuzz_proto", "ctrd_get_image_sandbox_with_size", &b);

	/* A sandbox container: Container.sandbox set, privileged spec. */
	ctrd_container(&c2, &spec2, &rt2, &ts2, SB1, "registry.k8s.io/pause:3.9", spec_privileged);
	clabel k = CTRD__CONTAINER__LABELS_ENTRY__INIT;
	clabel* klabels[] = {&k};
	k.key = "io.cri-containerd.kind";
	k.value = "sandbox";
	c2.n_labels = 1;
	c2.labels = klabels;
	c2.sandbox = SB1;
	g.container = &c2;
	b = proto_input(K_CTRD_GET, 0);
	add_msg(&b, &g.base);
	sep(&b);
	add_msg(&b, &gi.base);
	sep(&b);
	add_msg(&b, &sg.base);
	write_file("fuzz_proto", "ctrd_get_sandbox_privileged", &b);

	/* Duplicate label keys on the wire (a map entry sent twice: last one wins). */
	clabel d1 = CTRD__CONTAINER__LABELS_ENTRY__INIT, d2 = CTRD__CONTAINER__LABELS_ENTRY__INIT;
	clabel* dlabels[] = {&d1, &d2, &l2};
	d1.key = d2.key = "app";
	d1.value = "old";
	d2.value = "new";
	c.n_labels = 3;
	c.labels = dlabels;
	b = proto_input(K_CTRD_CONTAINER, 0);
	add_msg(&b, &c.base);
	write_file("fuzz_proto", "ctrd_container_duplicate_label", &b);
	c.n_labels = 3;
	c.labels = labels;

	/* Containers/List | Namespaces/List | Version. */
	Ctrd__ListContainersResponse lc = CTRD__LIST_CONTAINERS_RESPONSE__INIT;
	Ctrd__Container* cs[] = {&c, &c2};
	lc.n_containers = 2;
	lc.containers = cs;
	Ctrd__ListNamespacesResponse ln = CTRD__LIST_NAMESPACES_RESPONSE__INIT;
	Ctrd__Namespace n1 = CTRD__NAMESPACE__INIT, n2 = CTRD__NAMESPACE__INIT,
	                n3 = CTRD__NAMESPACE__INIT;
	Ctrd__Namespace* ns[] = {&n1, &n2, &n3};
	n1.name = "default";
	n2.name = "k8s.io";
	n3.name = "moby";
	ln.n_namespaces = 3;
	ln.namespaces = ns;
	Ctrd__VersionResponse v = CTRD__VERSION_RESPONSE__INIT;
	v.version = "1.7.24";
	v.revision = "88bf19b2105c8b17560993bee28a01ddc2f97182";
	b = proto_input(K_CTRD_LIST, 1);
	add_msg(&b, &lc.base);
	sep(&b);
	add_msg(&b, &ln.base);
	sep(&b);
	add_msg(&b, &v.base);
	write_file("fuzz_proto", "ctrd_list_namespaces_version", &b);

	/* Events/Subscribe envelopes. */
	Ctrd__Envelope env = CTRD__ENVELOPE__INIT;
	Ctrd__Any ev = CTRD__ANY__INIT;
	Ctrd__Timestamp ets = CTRD__TIMESTAMP__INIT;
	ets.seconds = 1717000001;
	env.timestamp = &ets;
	env.namespace_ = "default";
	env.event = &ev;
	uint8_t payload[256];
	Ctrd__ContainerCreate cc = CTRD__CONTAINER_CREATE__INIT;
	cc.id = ID2;
	cc.image = "docker.io/library/nginx:1.25-alpine";
	env.topic = "/containers/create";
	ev.type_url = "containerd.events.ContainerCreate";
	ev.value.len = ctrd__container_create__pack(&cc, payload);
	ev.value.data = payload;
	b = proto_input(K_CTRD_ENVELOPE, 0);
	add_msg(&b, &env.base);
	write_file("fuzz_proto", "ctrd_event_create", &b);

	Ctrd__TaskStart st = CTRD__TASK_START__INIT;
	st.container_id = ID2;
	st.pid = 4242;
	env.topic = "/tasks/start";
	env.namespace_ = "k8s.io";
	ev.type_url = "containerd.events.TaskStart";
	ev.value.len = ctrd__task_start__pack(&st, payload);
	b = proto_input(K_CTRD_ENVELOPE, 0);
	add_msg(&b, &env.base);
	write_file("fuzz_proto", "ctrd_event_task_start", &b);

	Ctrd__ContainerDelete cd = CTRD__CONTAINER_DELETE__INIT;
	cd.id = "mybox";
	env.topic = "/containers/delete";
	env.namespace_ = "default";
	ev.type_url = "containerd.events.ContainerDelete";
	ev.value.len = ctrd__container_delete__pack(&cd, payload);
	b = proto_input(K_CTRD_ENVELOPE, 0);
	add_msg(&b, &env.base);
	write_file("fuzz_proto", "ctrd_event_delete", &b);

	/* The spec JSON alone (with image name and digest). */
	b = proto_input(K_CTRD_SPEC_JSON, 4);
	add_str(&b, spec_ctr);
	sep(&b);
	add_str(&b, "registry.example.com:5000/team/app@sha256:6fd955f66c231c1a946653170d096a28ac2b2052a02080c0b84ec082a07f7d12");
	sep(&b);
	add_str(&b, DIGEST);
	write_file("fuzz_proto", "ctrd_spec_json", &b);
	b = proto_input(K_CTRD_SPEC_JSON, 0);
	add_str(&b, spec_privileged);
	write_file("fuzz_proto", "ctrd_spec_json_privileged", &b);
}

/* ---- CRI ---- */

static const char cri_info[] =
    "{\"sandboxID\":\"" SB1 "\",\"pid\":4242,\"removing\":false,\"snapshotKey\":\"" ID1 "\","
    "\"snapshotter\":\"overlayfs\",\"runtimeType\":\"io.containerd.runc.v2\",\"config\":{"
    "\"metadata\":{\"name\":\"busybox\"},\"image\":{\"image\":\"" DIGEST "\"},\"envs\":["
    "{\"key\":\"KUBERNETES_SERVICE_HOST\",\"value\":\"10.96.0.1\"},{\"key\":\"EMPTY\"}],"
    "\"linux\":{\"security_context\":{\"privileged\":true}}},\"runtimeSpec\":{\"annotations\":{"
    "\"io.kubernetes.cri.container-type\":\"container\",\"io.kubernetes.cri.image-name\":"
    "\"docker.io/library/busybox:latest\",\"io.kubernetes.cri.sandbox-id\":\"" SB1 "\"}}}";

static const char cri_sb_info[] =
    "{\"pid\":4200,\"processStatus\":\"running\",\"image\":\"registry.k8s.io/pause:3.9\","
    "\"config\":{\"metadata\":{\"name\":\"nginx-sandbox\",\"namespace\":\"default\"}},"
    "\"cniResult\":{\"Interfaces\":{\"eth0\":{\"IPConfigs\":[{\"IP\":\"10.244.0.2\",\"Gateway\":"
    "\"10.244.0.1\"}],\"Mac\":\"fe:4d:11:22:33:44\",\"Sandbox\":\"/var/run/netns/cni-1\"},"
    "\"lo\":{\"IPConfigs\":[{\"IP\":\"127.0.0.1\"}]},\"veth8a2b3c\":{\"IPConfigs\":null}},"
    "\"DNS\":[{}],\"Routes\":null}}";

static const char last_applied[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"nginx\"},\"spec\":{"
    "\"containers\":[{\"name\":\"busybox\",\"image\":\"busybox\",\"livenessProbe\":{\"exec\":{"
    "\"command\":[\"cat\",\"/tmp/healthy\"]}},\"readinessProbe\":{\"exec\":{\"command\":["
    "\"'/bin/sh'\",\"-c\",\"\\\"test -e /tmp/ready\\\"\"]}}}]}}";

typedef struct cri_status {
	Cri__ContainerStatus st;
	Cri__ContainerMetadata md;
	Cri__ImageSpec is;
	Cri__Mount m1, m2;
	Cri__Mount* mounts[2];
	Cri__ContainerResources res;
	Cri__LinuxContainerResources lin;
	Cri__ContainerUser user;
	Cri__LinuxContainerUser luser;
	Cri__ContainerStatus__LabelsEntry l1, l2;
	Cri__ContainerStatus__LabelsEntry* labels[2];
	Cri__ContainerStatusResponse resp;
	Cri__ContainerStatusResponse__InfoEntry info;
	Cri__ContainerStatusResponse__InfoEntry* infos[1];
} cri_status;

static void cri_status_init(cri_status* s, const char* image_ref, const char* image)
{
	*s = (cri_status){.st = CRI__CONTAINER_STATUS__INIT, .md = CRI__CONTAINER_METADATA__INIT,
	                  .is = CRI__IMAGE_SPEC__INIT, .m1 = CRI__MOUNT__INIT, .m2 = CRI__MOUNT__INIT,
	                  .res = CRI__CONTAINER_RESOURCES__INIT,
	                  .lin = CRI__LINUX_CONTAINER_RESOURCES__INIT,
	                  .user = CRI__CONTAINER_USER__INIT, .luser = CRI__LINUX_CONTAINER_USER__INIT,
	                  .l1 = CRI__CONTAINER_STATUS__LABELS_ENTRY__INIT,
	                  .l2 = CRI__CONTAINER_STATUS__LABELS_ENTRY__INIT,
	                  .resp = CRI__CONTAINER_STATUS_RESPONSE__INIT,
	                  .info = CRI__CONTAINER_STATUS_RESPONSE__INFO_ENTRY__INIT};
	s->st.id = ID1;
	s->md.name = "busybox";
	s->md.attempt = 1;
	s->st.metadata = &s->md;
	s->st.state = 1;
	s->st.created_at = 1717000000123456789LL;
	s->is.image = (char*)image;
	s->st.image = &s->is;
	s->st.image_ref = (char*)image_ref;
	s->st.image_id = DIGEST;
	s->m1.container_path = "/host/boot";
	s->m1.host_path = "/boot";
	s->m1.readonly = true;
	s->m2.container_path = "/var/run/secrets/kubernetes.io/serviceaccount";
	s->m2.host_path = "/var/lib/kubelet/pods/x/volumes/kubernetes.io~projected/kube-api-access";
	s->m2.propagation = 2;
	s->mounts[0] = &s->m1;
	s->mounts[1] = &s->m2;
	s->st.n_mounts = 2;
	s->st.mounts = s->mounts;
	s->lin.cpu_period = 100000;
	s->lin.cpu_quota = 50000;
	s->lin.cpu_shares = 102;
	s->lin.memory_limit_in_bytes = 1073741824;
	s->lin.cpuset_cpus = "0-1";
	s->res.linux = &s->lin;
	s->st.resources = &s->res;
	s->luser.uid = 65534;
	s->user.linux = &s->luser;
	s->st.user = &s->user;
	s->l1.key = "io.kubernetes.container.name";
	s->l1.value = "busybox";
	s->l2.key = "io.kubernetes.pod.name";
	s->l2.value = "nginx";
	s->labels[0] = &s->l1;
	s->labels[1] = &s->l2;
	s->st.n_labels = 2;
	s->st.labels = s->labels;
	s->resp.status = &s->st;
	s->info.key = "info";
	s->info.value = (char*)cri_info;
	s->infos[0] = &s->info;
	s->resp.n_info = 1;
	s->resp.info = s->infos;
}

typedef struct cri_sandbox {
	Cri__PodSandboxStatus sb;
	Cri__PodSandboxMetadata md;
	Cri__PodSandboxNetworkStatus net;
	Cri__LinuxPodSandboxStatus lin;
	Cri__Namespace ns;
	Cri__NamespaceOption opt;
	Cri__PodSandboxStatus__LabelsEntry l1, l2;
	Cri__PodSandboxStatus__LabelsEntry* labels[2];
	Cri__PodSandboxStatus__AnnotationsEntry a1;
	Cri__PodSandboxStatus__AnnotationsEntry* ann[1];
	Cri__PodSandboxStatusResponse resp;
	Cri__PodSandboxStatusResponse__InfoEntry info;
	Cri__PodSandboxStatusResponse__InfoEntry* infos[1];
} cri_sandbox;

static void cri_sandbox_init(cri_sandbox* s, int32_t net_mode)
{
	*s = (cri_sandbox){.sb = CRI__POD_SANDBOX_STATUS__INIT, .md = CRI__POD_SANDBOX_METADATA__INIT,
	                   .net = CRI__POD_SANDBOX_NETWORK_STATUS__INIT,
	                   .lin = CRI__LINUX_POD_SANDBOX_STATUS__INIT, .ns = CRI__NAMESPACE__INIT,
	                   .opt = CRI__NAMESPACE_OPTION__INIT,
	                   .l1 = CRI__POD_SANDBOX_STATUS__LABELS_ENTRY__INIT,
	                   .l2 = CRI__POD_SANDBOX_STATUS__LABELS_ENTRY__INIT,
	                   .a1 = CRI__POD_SANDBOX_STATUS__ANNOTATIONS_ENTRY__INIT,
	                   .resp = CRI__POD_SANDBOX_STATUS_RESPONSE__INIT,
	                   .info = CRI__POD_SANDBOX_STATUS_RESPONSE__INFO_ENTRY__INIT};
	s->sb.id = SB1;
	s->md.name = "nginx-sandbox";
	s->md.uid = "hdishddjaidwnduw9a43535366368";
	s->md.namespace_ = "default";
	s->sb.metadata = &s->md;
	s->sb.created_at = 1716999990000000000LL;
	s->net.ip = net_mode == 2 ? "" : "10.244.0.2";
	s->sb.network = &s->net;
	s->opt.network = net_mode;
	s->opt.ipc = 2;
	s->ns.options = &s->opt;
	s->lin.namespaces = &s->ns;
	s->sb.linux = &s->lin;
	s->l1.key = "app";
	s->l1.value = "myapp";
	s->l2.key = "io.kubernetes.pod.namespace";
	s->l2.value = "default";
	s->labels[0] = &s->l1;
	s->labels[1] = &s->l2;
	s->sb.n_labels = 2;
	s->sb.labels = s->labels;
	s->a1.key = "kubectl.kubernetes.io/last-applied-configuration";
	s->a1.value = (char*)last_applied;
	s->ann[0] = &s->a1;
	s->sb.n_annotations = 1;
	s->sb.annotations = s->ann;
	s->resp.status = &s->sb;
	s->info.key = "info";
	s->info.value = (char*)cri_sb_info;
	s->infos[0] = &s->info;
	s->resp.n_info = 1;
	s->resp.info = s->infos;
}

static void cri_seeds(void)
{
	cri_status cs;
	cri_sandbox ss;
	cri_status_init(&cs, "docker.io/library/busybox@" DIGEST, "docker.io/library/busybox:1.36");
	cri_sandbox_init(&ss, 0);
	buf b = proto_input(K_CRI_CONTAINER, 1 << 3);
	add_msg(&b, &cs.resp.base);
	sep(&b);
	add_msg(&b, &ss.resp.base);
	write_file("fuzz_proto", "cri_container_pod_containerd", &b);

	/* Image by id only (annotation fallback), host network, cri-o type, labels dropped. */
	cri_status_init(&cs, DIGEST, DIGEST);
	cri_sandbox_init(&ss, 2);
	b = proto_input(K_CRI_CONTAINER, 2 << 3 | 2);
	add_msg(&b, &cs.resp.base);
	sep(&b);
	add_msg(&b, &ss.resp.base);
	write_file("fuzz_proto", "cri_container_image_id_hostnet_crio", &b);

	/* A status without a sandbox answer. */
	b = proto_input(K_CRI_CONTAINER, 0);
	add_msg(&b, &cs.resp.base);
	write_file("fuzz_proto", "cri_container_alone", &b);

	cri_sandbox_init(&ss, 0);
	b = proto_input(K_CRI_SANDBOX, 1 << 3);
	add_msg(&b, &ss.resp.base);
	write_file("fuzz_proto", "cri_sandbox", &b);

	/* ListContainers | ListPodSandbox | Version | ContainerEventResponse. */
	Cri__ListContainersResponse lc = CRI__LIST_CONTAINERS_RESPONSE__INIT;
	Cri__Container c = CRI__CONTAINER__INIT;
	Cri__Container* cl[] = {&c};
	c.id = ID1;
	c.pod_sandbox_id = SB1;
	c.metadata = &cs.md;
	c.image = &cs.is;
	c.image_ref = DIGEST;
	c.state = 1;
	c.created_at = 1717000000123456789LL;
	lc.n_containers = 1;
	lc.containers = cl;
	Cri__ListPodSandboxResponse ls = CRI__LIST_POD_SANDBOX_RESPONSE__INIT;
	Cri__PodSandbox p = CRI__POD_SANDBOX__INIT;
	Cri__PodSandbox* pl[] = {&p};
	p.id = SB1;
	p.metadata = &ss.md;
	ls.n_items = 1;
	ls.items = pl;
	Cri__VersionResponse v = CRI__VERSION_RESPONSE__INIT;
	v.version = "0.1.0";
	v.runtime_name = "containerd";
	v.runtime_version = "v1.7.24";
	v.runtime_api_version = "v1";
	Cri__ContainerEventResponse ev = CRI__CONTAINER_EVENT_RESPONSE__INIT;
	ev.container_id = ID2;
	ev.container_event_type = 1;
	ev.created_at = 1717000002000000000LL;
	b = proto_input(K_CRI_LISTS, 0);
	add_msg(&b, &lc.base);
	sep(&b);
	add_msg(&b, &ls.base);
	sep(&b);
	add_msg(&b, &v.base);
	sep(&b);
	add_msg(&b, &ev.base);
	write_file("fuzz_proto", "cri_lists_version_event", &b);

	/* The JSON documents alone. */
	b = proto_input(K_CRI_JSON, 1 << 3);
	add_str(&b, cri_info);
	sep(&b);
	add_str(&b, cri_sb_info);
	sep(&b);
	add_str(&b, last_applied);
	sep(&b);
	add_str(&b, "docker.io/library/busybox@" DIGEST);
	sep(&b);
	add_str(&b, "docker.io/library/busybox:1.36");
	write_file("fuzz_proto", "cri_json_documents", &b);
}

/* ---- gRPC framing ---- */

/* A fuzz_grpc input: the chunk sizes, then the body. */
static buf grpc_input(const uint8_t* sizes, size_t n, uint8_t flags)
{
	buf b = {0};
	uint8_t h = (uint8_t)((n - 1) | flags);
	add(&b, &h, 1);
	add(&b, sizes, n);
	return b;
}

static void add_frame(buf* b, const ProtobufCMessage* m, uint8_t flag)
{
	size_t n = m ? protobuf_c_message_get_packed_size(m) : 0;
	uint8_t h[5] = {flag, (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
	add(b, h, 5);
	if (m)
		add_msg(b, m);
}

static void grpc_seeds(void)
{
	Ctrd__ListContainersResponse lc = CTRD__LIST_CONTAINERS_RESPONSE__INIT;
	Ctrd__Container c;
	Ctrd__Any spec;
	Ctrd__Runtime rt;
	Ctrd__Timestamp ts;
	ctrd_container(&c, &spec, &rt, &ts, ID1, "docker.io/library/busybox:latest",
	               "{\"process\":{\"env\":[\"PATH=/bin\"]}}");
	Ctrd__Container* cs[] = {&c};
	lc.n_containers = 1;
	lc.containers = cs;
	Ctrd__Envelope env = CTRD__ENVELOPE__INIT;
	Ctrd__Any ev = CTRD__ANY__INIT;
	uint8_t payload[128];
	Ctrd__ContainerCreate cc = CTRD__CONTAINER_CREATE__INIT;
	cc.id = ID2;
	cc.image = "docker.io/library/nginx:1.25-alpine";
	env.namespace_ = "default";
	env.topic = "/containers/create";
	ev.type_url = "containerd.events.ContainerCreate";
	ev.value.len = ctrd__container_create__pack(&cc, payload);
	ev.value.data = payload;
	env.event = &ev;
	Cri__ContainerEventResponse ce = CRI__CONTAINER_EVENT_RESPONSE__INIT;
	ce.container_id = ID1;
	ce.container_event_type = 3;

	static const uint8_t whole[] = {255, 255};
	buf b = grpc_input(whole, 2, 0);
	add_frame(&b, &lc.base, 0);
	write_file("fuzz_grpc", "unary_list_one_chunk", &b);

	static const uint8_t bytes[] = {1};
	b = grpc_input(bytes, 1, 0);
	add_frame(&b, &lc.base, 0);
	write_file("fuzz_grpc", "unary_list_byte_by_byte", &b);

	/* A stream: several messages cut at odd places, an empty write among them. */
	static const uint8_t odd[] = {3, 7, 0, 64, 2};
	b = grpc_input(odd, 5, 0);
	add_frame(&b, &env.base, 0);
	add_frame(&b, &env.base, 0);
	add_frame(&b, &ce.base, 0);
	add_frame(&b, NULL, 0);
	add_frame(&b, &env.base, 0);
	write_file("fuzz_grpc", "stream_events_odd_chunks", &b);

	/* Bad framing: compressed flag, then a length over the cap. */
	static const uint8_t two[] = {2};
	b = grpc_input(two, 1, 0);
	add_frame(&b, &ce.base, 0);
	add_frame(&b, &ce.base, 1);
	write_file("fuzz_grpc", "stream_compressed_flag", &b);
	b = grpc_input(two, 1, 0);
	add_frame(&b, &ce.base, 0);
	static const uint8_t huge[] = {0, 0x01, 0x00, 0x00, 0x01, 'x'};
	add(&b, huge, sizeof(huge));
	write_file("fuzz_grpc", "stream_length_over_cap", &b);

	/* A unary answer cut short (the rest of the message never comes). */
	b = grpc_input(whole, 1, 0);
	add_frame(&b, &lc.base, 0);
	b.n -= 10;
	write_file("fuzz_grpc", "unary_truncated", &b);

	/* Header and trailer lines as curl hands them (grpc-message buffer sizes vary). */
	static const char headers[] =
	    "HTTP/2 200\r\ncontent-type: application/grpc\r\ngrpc-status: 0\r\n"
	    "grpc-message: \r\nGrpc-Status:12\r\ngrpc-message: unknown%20service%20runtime.v1."
	    "RuntimeService%zz%2\r\ngrpc-status: 99999\r\ngrpc-status: -1\r\ngrpc-status:\r\n"
	    "GRPC-MESSAGE:\tcontainer%20%22abc%22%20not%20found \r\n";
	static const uint8_t line[] = {40};
	b = grpc_input(line, 1, 0);
	add_str(&b, headers);
	write_file("fuzz_grpc", "headers_trailers", &b);
	b = grpc_input(line, 1, 0xc0);
	add_str(&b, headers);
	write_file("fuzz_grpc", "headers_trailers_short_message_buffer", &b);
}

int main(int argc, char** argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_proto_seeds CORPUS_DIR\n");
		return 2;
	}
	dir = argv[1];
	ctrd_seeds();
	cri_seeds();
	grpc_seeds();
	return 0;
}
