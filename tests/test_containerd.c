/*
 * containerd native API: the container → record mapping (containerd_map.c,
 * docs/engines.md "containerd spec") from captured `ctr run` specs (tests/data/
 * containerd_spec_*.json; "edited" adds resources, a cpuset, a rootfs
 * propagation, a uid, a huge rlimit and a sandbox annotation to a captured
 * --net-host spec), Container messages built with the generated protobuf-c
 * structs and passed through the wire format, and the gRPC framing (grpc.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "containerd.h"
#include "grpc.h"
#include "test.h"

static char* slurp(const char* name, size_t* len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	FILE* f = fopen(path, "rb");
	if (!f)
		return NULL;
	char* buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			char* nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	*len = n;
	return buf;
}

/* A Container message through the wire: built, packed, unpacked (free with ..._free_unpacked). */
typedef struct kv {
	const char* k;
	const char* v;
} kv;

static Ctrd__Container* container_msg(const char* id, const char* image, const char* spec_file,
                                      const kv* labels, size_t nlabels, const char* sandbox)
{
	Ctrd__Container c = CTRD__CONTAINER__INIT;
	Ctrd__Any spec = CTRD__ANY__INIT;
	Ctrd__Timestamp created = CTRD__TIMESTAMP__INIT;
	Ctrd__Container__LabelsEntry entries[8];
	Ctrd__Container__LabelsEntry* ptrs[8];
	char* json = NULL;
	c.id = (char*)id;
	c.image = (char*)image;
	created.seconds = 1716000000;
	created.nanos = 123;
	c.created_at = &created;
	if (sandbox)
		c.sandbox = (char*)sandbox;
	for (size_t i = 0; i < nlabels && i < 8; i++) {
		ctrd__container__labels_entry__init(&entries[i]);
		entries[i].key = (char*)labels[i].k;
		entries[i].value = (char*)labels[i].v;
		ptrs[i] = &entries[i];
	}
	c.n_labels = nlabels;
	c.labels = ptrs;
	if (spec_file) {
		size_t len;
		json = slurp(spec_file, &len);
		if (!json)
			return NULL;
		spec.type_url = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
		spec.value.data = (uint8_t*)json;
		spec.value.len = len;
		c.spec = &spec;
	}
	size_t n = ctrd__container__get_packed_size(&c);
	uint8_t* wire = malloc(n);
	ctrd__container__pack(&c, wire);
	Ctrd__Container* out = ctrd__container__unpack(NULL, n, wire);
	free(wire);
	free(json);
	return out;
}

static const ctr_mount* mount_at(const ctr_record* r, const char* dest)
{
	for (size_t i = 0; i < r->nmounts; i++)
		if (!strcmp(r->mounts[i].dest, dest))
			return &r->mounts[i];
	return NULL;
}

static const char* label(const ctr_record* r, const char* key)
{
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, key);
	return kv ? kv->value : NULL;
}

TEST(field_numbers_on_the_wire)
{
	/* Container{id=1:"abc", image=3:"x", created_at=8:{seconds=1:5}, sandbox=11:"sb"} by hand. */
	static const uint8_t wire[] = {0x0a, 3, 'a', 'b', 'c', 0x1a, 1, 'x', 0x42, 2, 0x08, 5,
	                               0x5a, 2, 's', 'b'};
	Ctrd__Container* c = ctrd__container__unpack(NULL, sizeof(wire), wire);
	REQUIRE(c);
	CHECK_STR(c->id, "abc");
	CHECK_STR(c->image, "x");
	REQUIRE(c->created_at);
	CHECK_INT(c->created_at->seconds, 5);
	CHECK_STR(c->sandbox, "sb");
	ctrd__container__free_unpacked(c, NULL);
	/* Envelope{namespace=2:"default", topic=3:"/tasks/start", event=4:Any{value=2:TaskStart{1:"c"}}} */
	static const uint8_t env[] = {0x12, 7, 'd', 'e', 'f', 'a', 'u', 'l', 't', 0x1a, 12, '/', 't',
	                              'a', 's', 'k', 's', '/', 's', 't', 'a', 'r', 't', 0x22, 5,
	                              0x12, 3, 0x0a, 1, 'c'};
	Ctrd__Envelope* e = ctrd__envelope__unpack(NULL, sizeof(env), env);
	REQUIRE(e);
	CHECK_STR(e->namespace_, "default");
	CHECK_STR(e->topic, "/tasks/start");
	REQUIRE(e->event);
	Ctrd__TaskStart* ts = ctrd__task_start__unpack(NULL, e->event->value.len, e->event->value.data);
	REQUIRE(ts);
	CHECK_STR(ts->container_id, "c");
	ctrd__task_start__free_unpacked(ts, NULL);
	ctrd__envelope__free_unpacked(e, NULL);
}

TEST(ctr_run_container)
{
	kv labels[] = {{"io.containerd.image.config.stop-signal", "SIGTERM"},
	               {"org.example.built-by", "tests"}};
	Ctrd__Container* c = container_msg("capone", "localhost/app:1.0", "containerd_spec_ctr.json",
	                                   labels, 2, NULL);
	REQUIRE(c);
	containerd_extra x = {"sha256:6b0c3ffa1b3e1d1e9c2f7f8b5c5a3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f",
	                      4242, NULL};
	containerd_map_opts o = {100, false};
	char err[256];
	ctr_record* r = containerd_record(c, &x, &o, err, sizeof(err));
	ctrd__container__free_unpacked(c, NULL);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->type, CTR_TYPE_CONTAINERD);
	CHECK_STR(r->id, "capone");
	CHECK_STR(r->full_id, "capone");
	CHECK_STR(r->name, "capone");
	CHECK_STR(r->image, "localhost/app:1.0");
	CHECK_STR(r->imagerepo, "localhost/app");
	CHECK_STR(r->imagetag, "1.0");
	CHECK_STR(r->imagedigest, x.image_digest);
	CHECK_STR(r->imageid, "");
	CHECK_INT(r->size, -1);
	CHECK_STR(r->user, "0");
	CHECK_STR(r->ip, "");
	CHECK_INT(r->created_time, 1716000000);
	REQUIRE(r->nenv == 1);
	CHECK_STR(r->env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	CHECK_INT(r->nlabels, 2);
	CHECK_STR(label(r, "org.example.built-by"), "tests");
	CHECK(!r->privileged); /* masked and read-only paths, read-only /sys */
	CHECK(!r->host_pid);
	CHECK(!r->host_network);
	CHECK(!r->host_ipc);
	CHECK(!r->is_pod_sandbox);
	CHECK_STR(r->pod_sandbox_id, "");
	CHECK_INT(r->memory_limit, 0);
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpu_quota, 0);
	CHECK_INT(r->cpuset_cpu_count, 0);
	CHECK_INT(r->nmounts, 7);
	const ctr_mount* sys = mount_at(r, "/sys");
	REQUIRE(sys);
	CHECK(!sys->rw);
	CHECK_STR(sys->source, "sysfs");
	CHECK_STR(sys->propagation, ""); /* no rootfsPropagation in the spec */
	const ctr_mount* dev = mount_at(r, "/dev");
	REQUIRE(dev);
	CHECK(dev->rw);
	CHECK_STR(dev->mode, "755");
	const ctr_mount* pts = mount_at(r, "/dev/pts");
	REQUIRE(pts);
	CHECK_STR(pts->mode, "0620"); /* mode=, not ptmxmode= */
	CHECK(r->mounts_fmt && strstr(r->mounts_fmt, "sysfs:/sys::false:"));
	ctr_record_unref(r);
}

TEST(edited_spec_resources_host_network)
{
	Ctrd__Container* c = container_msg("captwo", "docker.io/library/busybox@sha256:abcd",
	                                   "containerd_spec_edited.json", NULL, 0, NULL);
	REQUIRE(c);
	containerd_extra x = {"sha256:feed", 777, NULL};
	containerd_map_opts o = {100, true};
	char err[256];
	ctr_record* r = containerd_record(c, &x, &o, err, sizeof(err));
	ctrd__container__free_unpacked(c, NULL);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->size, 777); /* with_size: the image target's size */
	CHECK_STR(r->imagerepo, "docker.io/library/busybox");
	CHECK_STR(r->imagetag, "");
	CHECK_STR(r->user, "1000");
	CHECK(r->host_network);
	CHECK(!r->host_pid);
	CHECK(!r->host_ipc);
	CHECK(!r->privileged);
	CHECK_INT(r->memory_limit, 67108864);
	CHECK_INT(r->swap_limit, 134217728);
	CHECK_INT(r->cpu_shares, 512);
	CHECK_INT(r->cpu_quota, 50000);
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpuset_cpu_count, 2);
	CHECK_INT(r->nenv, 3);
	CHECK_STR(r->pod_sandbox_id,
	          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	CHECK_STR(r->short_sandbox_id, "0123456789ab");
	const ctr_mount* data = mount_at(r, "/data");
	REQUIRE(data);
	CHECK(!data->rw);
	CHECK_STR(data->source, "/tmp/cap");
	for (size_t i = 0; i < r->nmounts; i++)
		CHECK_STR(r->mounts[i].propagation, "rslave");
	ctr_record_unref(r);
}

TEST(privileged_spec)
{
	Ctrd__Container* c = container_msg("capthree", "localhost/app:1.0",
	                                   "containerd_spec_privileged.json", NULL, 0, NULL);
	REQUIRE(c);
	char err[256];
	ctr_record* r = containerd_record(c, NULL, NULL, err, sizeof(err));
	ctrd__container__free_unpacked(c, NULL);
	REQUIRE(r);
	CHECK(r->privileged);
	CHECK_STR(r->imagedigest, "");
	CHECK_INT(r->size, -1);
	ctr_record_unref(r);
}

static bool priv_of(const char* spec)
{
	ctr_build b;
	if (!ctr_build_start(&b, CTR_TYPE_CONTAINERD, 100))
		abort();
	bool ok = containerd_apply_spec(&b, spec, strlen(spec), NULL, 0);
	bool p = ok && b.r->privileged;
	ctr_build_abort(&b);
	return p;
}

TEST(privileged_heuristic)
{
	CHECK(priv_of("{\"process\":{},\"linux\":{}}"));
	CHECK(priv_of("{\"process\":{\"apparmorProfile\":\"unconfined\"},\"linux\":{\"maskedPaths\":[]}}"));
	CHECK(!priv_of("{\"linux\":{}}"));
	CHECK(!priv_of("{\"process\":{}}"));
	CHECK(!priv_of("{\"process\":{},\"linux\":{\"maskedPaths\":[\"/proc/kcore\"]}}"));
	CHECK(!priv_of("{\"process\":{},\"linux\":{\"readonlyPaths\":[\"/proc/sys\"]}}"));
	CHECK(!priv_of("{\"process\":{},\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}}}"));
	CHECK(!priv_of("{\"process\":{\"selinuxLabel\":\"system_u:system_r:container_t\"},\"linux\":{}}"));
	CHECK(!priv_of("{\"process\":{\"apparmorProfile\":\"cri-containerd.apparmor.d\"},\"linux\":{}}"));
	CHECK(!priv_of("{\"process\":{},\"linux\":{},\"mounts\":[{\"destination\":\"/sys/fs/cgroup\","
	               "\"type\":\"cgroup\",\"options\":[\"ro\"]}]}"));
	CHECK(priv_of("{\"process\":{},\"linux\":{},\"mounts\":[{\"destination\":\"/data\","
	              "\"type\":\"bind\",\"options\":[\"ro\"]}]}"));
}

TEST(no_linux_section)
{
	/* Upstream crashed here
	 * (docs/engines.md "containerd spec"): mounts without linux → empty propagation. */
	const char* spec = "{\"process\":{\"user\":{\"uid\":7}},\"mounts\":[{\"destination\":\"/x\","
	                   "\"source\":\"/y\",\"type\":\"bind\",\"options\":[\"rbind\"]}]}";
	ctr_build b;
	REQUIRE(ctr_build_start(&b, CTR_TYPE_CONTAINERD, 100));
	REQUIRE(containerd_apply_spec(&b, spec, strlen(spec), NULL, 0));
	ctr_record* r = ctr_build_finish(&b, NULL, 0);
	REQUIRE(r);
	REQUIRE(r->nmounts == 1);
	CHECK_STR(r->mounts[0].propagation, "");
	CHECK(r->mounts[0].rw);
	CHECK_STR(r->user, "7");
	CHECK(r->host_pid && r->host_network && r->host_ipc); /* no namespace listed */
	CHECK(!r->privileged);
	ctr_record_unref(r);
}

TEST(bad_spec_keeps_record)
{
	Ctrd__Container c = CTRD__CONTAINER__INIT;
	Ctrd__Any spec = CTRD__ANY__INIT;
	c.id = "broken";
	c.image = "localhost/app:1.0";
	spec.value.data = (uint8_t*)"{\"process\":";
	spec.value.len = 11;
	c.spec = &spec;
	char err[256];
	ctr_record* r = containerd_record(&c, NULL, NULL, err, sizeof(err));
	REQUIRE(r);
	CHECK(err[0] != '\0');
	CHECK_STR(r->id, "broken");
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->nmounts, 0);
	ctr_record_unref(r);
	const char* not_obj = "[1,2]";
	ctr_build b;
	REQUIRE(ctr_build_start(&b, CTR_TYPE_CONTAINERD, 100));
	CHECK(!containerd_apply_spec(&b, not_obj, strlen(not_obj), err, sizeof(err)));
	ctr_build_abort(&b);
	/* Numbers beyond int64 saturate instead of failing the document. */
	const char* big = "{\"linux\":{\"resources\":{\"memory\":{\"limit\":99999999999999999999}}}}";
	REQUIRE(ctr_build_start(&b, CTR_TYPE_CONTAINERD, 100));
	CHECK(containerd_apply_spec(&b, big, strlen(big), NULL, 0));
	CHECK(b.r->memory_limit == INT64_MAX);
	ctr_build_abort(&b);
}

TEST(ids_and_names)
{
	const char* hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	Ctrd__Container c = CTRD__CONTAINER__INIT;
	c.id = (char*)hex;
	ctr_record* r = containerd_record(&c, NULL, NULL, NULL, 0);
	REQUIRE(r);
	CHECK_STR(r->id, "0123456789ab");
	CHECK_STR(r->name, "0123456789ab");
	CHECK_STR(r->full_id, hex);
	ctr_record_unref(r);
	/* Non-hex: the cgroup matcher's rule, first min(12, length) characters. */
	c.id = "my-very-long-container";
	r = containerd_record(&c, NULL, NULL, NULL, 0);
	REQUIRE(r);
	CHECK_STR(r->id, "my-very-long");
	CHECK_STR(r->name, "my-very-long");
	CHECK_STR(r->full_id, "my-very-long-container");
	ctr_record_unref(r);
	c.id = "";
	char err[64];
	CHECK(containerd_record(&c, NULL, NULL, err, sizeof(err)) == NULL);
	char s[CTR_SHORT_ID_LEN + 1];
	containerd_short_id("admin", s);
	CHECK_STR(s, "admin");
}

/* The name of a container as its labels, else its spec's CRI annotations, give it. */
static const char* name_with(const kv* labels, size_t n, const char* spec_json, char* buf)
{
	const char* hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	Ctrd__Container c = CTRD__CONTAINER__INIT;
	Ctrd__Container__LabelsEntry entries[4];
	Ctrd__Container__LabelsEntry* ptrs[4];
	Ctrd__Any spec = CTRD__ANY__INIT;
	c.id = (char*)hex;
	for (size_t i = 0; i < n && i < 4; i++) {
		ctrd__container__labels_entry__init(&entries[i]);
		entries[i].key = (char*)labels[i].k;
		entries[i].value = (char*)labels[i].v;
		ptrs[i] = &entries[i];
	}
	c.n_labels = n;
	c.labels = ptrs;
	if (spec_json) {
		spec.value.data = (uint8_t*)spec_json;
		spec.value.len = strlen(spec_json);
		c.spec = &spec;
	}
	ctr_record* r = containerd_record(&c, NULL, NULL, NULL, 0);
	snprintf(buf, 128, "%s", r ? r->name : "<no record>");
	ctr_record_unref(r);
	return buf;
}

/* Kubernetes and nerdctl containers keep their names through the native API
 * (falco#3631); only a container nothing names is called by its short id. */
TEST(names_from_kubernetes_and_nerdctl)
{
	char buf[128];
	kv k8s[] = {{"io.cri-containerd.kind", "container"},
	            {"io.kubernetes.container.name", "nginx"},
	            {"io.kubernetes.pod.name", "web-7d4b9"}};
	CHECK_STR(name_with(k8s, 3, NULL, buf), "nginx");
	kv pod[] = {{"io.cri-containerd.kind", "sandbox"}, {"io.kubernetes.pod.name", "web-7d4b9"}};
	CHECK_STR(name_with(pod, 2, NULL, buf), "web-7d4b9");
	kv nerd[] = {{"nerdctl/name", "my-nerd"}};
	CHECK_STR(name_with(nerd, 1, NULL, buf), "my-nerd");
	kv kind_only[] = {{"io.cri-containerd.kind", "container"}};
	CHECK_STR(name_with(kind_only, 1,
	                    "{\"annotations\":{\"io.kubernetes.cri.container-name\":\"from-spec\"}}",
	                    buf),
	          "from-spec");
	kv sandbox_only[] = {{"io.cri-containerd.kind", "sandbox"}};
	CHECK_STR(name_with(sandbox_only, 1,
	                    "{\"annotations\":{\"io.kubernetes.cri.sandbox-name\":\"pod-a\"}}", buf),
	          "pod-a");
	kv empty_name[] = {{"io.kubernetes.container.name", ""}};
	CHECK_STR(name_with(empty_name, 1, NULL, buf), "0123456789ab");
	CHECK_STR(name_with(NULL, 0, NULL, buf), "0123456789ab");
}

TEST(labels_sandbox_and_kind)
{
	char long_value[200];
	memset(long_value, 'v', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	kv labels[] = {{"io.cri-containerd.kind", "sandbox"}, {"long", long_value}, {"a", "b"}};
	Ctrd__Container* c = container_msg("sb1", "localhost/pause:1.0", "containerd_spec_edited.json",
	                                   labels, 3, "explicit-sandbox");
	REQUIRE(c);
	CHECK_STR(containerd_label(c, "a"), "b");
	CHECK(containerd_label(c, "missing") == NULL);
	Ctrd__Sandbox sb = CTRD__SANDBOX__INIT;
	Ctrd__Sandbox__LabelsEntry e1 = CTRD__SANDBOX__LABELS_ENTRY__INIT;
	Ctrd__Sandbox__LabelsEntry* ep[] = {&e1};
	e1.key = "io.kubernetes.pod.name";
	e1.value = "web";
	sb.n_labels = 1;
	sb.labels = ep;
	containerd_extra x = {NULL, 0, &sb};
	containerd_map_opts o = {100, false};
	ctr_record* r = containerd_record(c, &x, &o, NULL, 0);
	REQUIRE(r);
	CHECK(r->is_pod_sandbox);
	CHECK_STR(r->pod_sandbox_id, "explicit-sandbox"); /* the field wins over the annotation */
	CHECK_INT(r->nlabels, 2);                         /* the 199-byte value is dropped */
	CHECK(label(r, "long") == NULL);
	REQUIRE(r->npod_sandbox_labels == 1);
	CHECK_STR(r->pod_sandbox_labels[0].value, "web");
	ctr_record_unref(r);
	o.label_max_len = -1; /* negative: no labels at all */
	r = containerd_record(c, &x, &o, NULL, 0);
	REQUIRE(r);
	CHECK_INT(r->nlabels, 0);
	CHECK(r->is_pod_sandbox); /* read before filtering */
	ctr_record_unref(r);
	ctrd__container__free_unpacked(c, NULL);
}

/* ---- gRPC framing ---- */

typedef struct got {
	size_t n;
	size_t lens[8];
	char first[64];
} got;

static void collect(void* arg, const uint8_t* msg, size_t len)
{
	got* g = arg;
	if (g->n == 0)
		snprintf(g->first, sizeof(g->first), "%.*s", (int)len, (const char*)msg);
	if (g->n < 8)
		g->lens[g->n] = len;
	g->n++;
}

TEST(grpc_framing)
{
	uint8_t* f;
	size_t fl;
	REQUIRE(grpc_frame((const uint8_t*)"hello", 5, &f, &fl));
	CHECK_INT(fl, 10);
	CHECK(f[0] == 0 && f[1] == 0 && f[2] == 0 && f[3] == 0 && f[4] == 5);
	free(f);
	REQUIRE(grpc_frame(NULL, 0, &f, &fl));
	CHECK_INT(fl, 5); /* the empty message: 00 00 00 00 00 */
	free(f);

	/* Three messages (one empty) delivered one byte per callback. */
	uint8_t stream[] = {0, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 'o', 'k'};
	grpc_frames fr = {0};
	got g = {0};
	for (size_t i = 0; i < sizeof(stream); i++)
		CHECK(grpc_frames_feed(&fr, stream + i, 1, collect, &g));
	CHECK_INT(g.n, 3);
	CHECK_STR(g.first, "hello");
	CHECK_INT(g.lens[1], 0);
	CHECK_INT(g.lens[2], 2);
	CHECK_INT(fr.len, 0);
	grpc_frames_free(&fr);

	/* All at once, plus the start of a fourth one kept for later. */
	got g2 = {0};
	CHECK(grpc_frames_feed(&fr, stream, sizeof(stream), collect, &g2));
	CHECK(grpc_frames_feed(&fr, stream, 3, collect, &g2));
	CHECK_INT(g2.n, 3);
	CHECK_INT(fr.len, 3);
	grpc_frames_free(&fr);

	/* Compressed flag, and a declared length over the cap: refused before allocation. */
	uint8_t comp[] = {1, 0, 0, 0, 1, 'x'};
	got g3 = {0};
	CHECK(!grpc_frames_feed(&fr, comp, sizeof(comp), collect, &g3));
	CHECK(fr.bad);
	CHECK(!grpc_frames_feed(&fr, stream, sizeof(stream), collect, &g3)); /* stays bad */
	CHECK_INT(g3.n, 0);
	grpc_frames_free(&fr);
	uint8_t huge[] = {0, 0x7f, 0xff, 0xff, 0xff};
	CHECK(!grpc_frames_feed(&fr, huge, sizeof(huge), collect, &g3));
	CHECK_INT(g3.n, 0);
	grpc_frames_free(&fr);
}

TEST(grpc_unary_without_server)
{
	uint8_t* resp;
	size_t rl;
	int st;
	char err[256];
	CHECK(grpc_unary("/nonexistent/containerd.sock", "/x.Y/Z", "default", NULL, 0, 500, NULL,
	                 &resp, &rl, &st, err, sizeof(err)) == -1);
	CHECK_INT(st, GRPC_STATUS_NONE);
	CHECK(resp == NULL);
	CHECK(err[0] != '\0');
}

TEST_MAIN(T(field_numbers_on_the_wire), T(ctr_run_container), T(edited_spec_resources_host_network),
          T(names_from_kubernetes_and_nerdctl),
          T(privileged_spec), T(privileged_heuristic), T(no_linux_section), T(bad_spec_keeps_record),
          T(ids_and_names), T(labels_sandbox_and_kind), T(grpc_framing),
          T(grpc_unary_without_server))
