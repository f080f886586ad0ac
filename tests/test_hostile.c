/*
 * Hostile engine documents against every mapper (Docker/Podman inspect,
 * containerd, CRI): huge strings in every field, 100,000-entry lists, deep
 * nesting, NUL bytes, out-of-range numbers. Each must give a record whose
 * encoded form (ctr_json, what the cache holds and events carry) fits the
 * builder's budget, with what was dropped told in err, or a clear refusal.
 * The documents are generated here, not stored.
 */
#include <jansson.h>
#include <stdint.h>

#include "containerd.h"
#include "cri.h"
#include "ctr_build.h"
#include "ctr_id.h"
#include "ctr_json.h"
#include "inspect.h"
#include "test.h"
#include "text.h"

#define ID64 "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define IMG64 "a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6"
#define MiB (1024 * 1024)
#define BIG (5 * MiB)
#define MANY 100000

/* A JSON string of n bytes of content: mostly letters, with quotes, backslashes and controls. */
static void add_big_string(text* t, size_t n)
{
	static const char* const pieces[] = {"abcdefgh", "\\\"", "\\\\", "\\u0001", "\\n"};
	text_add(t, "\"");
	for (size_t i = 0; i < n; i++)
		text_add(t, "%s", i % 64 ? "a" : pieces[(i / 64) % 5]);
	text_add(t, "\"");
}

/* Faster for megabytes: one repeated letter. */
static void add_fill(text* t, char c, size_t n)
{
	text_add(t, "\"");
	text_fill(t, c, n);
	text_add(t, "\"");
}

/* ---- what every record must satisfy ------------------------------------------ */

/* Encoded size within the budget, and the text decodes back. Returns the size. */
static size_t check_bounded(const ctr_record* r)
{
	char* json = ctr_json_encode(r);
	if (!json) {
		CHECK(json != NULL);
		return 0;
	}
	size_t n = strlen(json);
	if (n > CTR_RECORD_BUDGET)
		fprintf(stderr, "  encoded record: %zu bytes\n", n);
	CHECK(n <= CTR_RECORD_BUDGET);
	char err[256];
	ctr_record* back = ctr_json_decode(json, n, err, sizeof(err));
	CHECK(back != NULL);
	if (back) {
		CHECK_INT(back->nlabels, r->nlabels);
		CHECK_INT(back->nmounts, r->nmounts);
		CHECK_INT(back->nports, r->nports);
		CHECK_INT(back->nenv, r->nenv);
	}
	ctr_record_unref(back);
	free(json);
	return n;
}

static const char* label(const ctr_record* r, const char* key)
{
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, key);
	return kv ? kv->value : NULL;
}

static const inspect_opts big_labels = {.label_max_len = 64 * MiB};

/* ---- Docker / Podman ------------------------------------------------------------- */

/* ~60 MB: a 5 MB string in every string field the mappers read. */
static void huge_fields_doc(text* t)
{
	text_add(t, "{\"Id\":\"" ID64 "\",\"Name\":");
	add_fill(t, 'n', BIG);
	text_add(t, ",\"Image\":");
	add_fill(t, 'f', BIG);
	text_add(t, ",\"ImageName\":");
	add_fill(t, 'i', BIG);
	text_add(t, ",\"Created\":");
	add_fill(t, '2', BIG);
	text_add(t, ",\"Config\":{\"User\":");
	add_fill(t, 'u', BIG);
	text_add(t, ",\"Image\":");
	add_fill(t, 'm', BIG);
	text_add(t, ",\"Labels\":{\"small\":\"ok\",\"big\":");
	add_big_string(t, BIG / 4);
	text_add(t, "},\"Env\":[\"A=b\",");
	add_fill(t, 'e', BIG);
	text_add(t, "],\"Healthcheck\":{\"Test\":[\"CMD\",");
	add_fill(t, 'h', BIG);
	text_add(t, "]}},\"HostConfig\":{\"CpusetCpus\":");
	add_fill(t, '1', BIG);
	text_add(t, ",\"NetworkMode\":");
	add_fill(t, 'c', BIG);
	text_add(t, "},\"Mounts\":[{\"Source\":");
	add_fill(t, 's', BIG);
	text_add(t, ",\"Destination\":\"/d\"}],\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[{\"HostIp\":");
	add_fill(t, '9', BIG);
	text_add(t, ",\"HostPort\":\"80\"}]},\"IPAddress\":");
	add_fill(t, 'p', BIG);
	text_add(t, "}}");
}

TEST(docker_podman_60mb_document)
{
	text t = {0};
	huge_fields_doc(&t);
	CHECK(t.len >= 60 * 1000 * 1000);
	uint64_t dropped_before = ctr_build_dropped_total();
	char err[512];
	ctr_record* r = inspect_docker(t.p, t.len, NULL, 0, &big_labels, err, sizeof(err));
	REQUIRE(r);
	printf("  %zu-byte document: record %zu bytes encoded; %s\n", t.len, check_bounded(r), err);
	CHECK_STR(r->full_id, ID64);
	CHECK_STR(r->name, ""); /* over the per-string cap */
	CHECK_STR(r->user, "");
	CHECK_STR(r->image, "");
	CHECK_STR(label(r, "small"), "ok");
	CHECK(strstr(err, "over the record budget") && strstr(err, "strings"));
	CHECK(ctr_build_dropped_total() > dropped_before);
	CHECK(ctr_build_trimmed_total() >= 1);
	ctr_record_unref(r);

	r = inspect_podman(t.p, t.len, &big_labels, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK_STR(r->image, "");
	CHECK(strstr(err, "over the record budget"));
	ctr_record_unref(r);
	free(t.p);
}

/* 100,000 of each list, in one document and one list per document. */
static void many_doc(text* t, bool labels, bool env, bool mounts, bool ports)
{
	text_add(t, "{\"Id\":\"" ID64 "\",\"Name\":\"/many\",\"Config\":{\"Labels\":{");
	for (int i = 0; labels && i < MANY; i++)
		text_add(t, "%s\"label.%06d\":\"value-%d\"", i ? "," : "", i, i);
	text_add(t, "},\"Env\":[");
	for (int i = 0; env && i < MANY; i++)
		text_add(t, "%s\"VAR_%06d=some value %d\"", i ? "," : "", i, i);
	text_add(t, "]},\"Mounts\":[");
	for (int i = 0; mounts && i < MANY; i++)
		text_add(t, "%s{\"Source\":\"/src/%d\",\"Destination\":\"/dst/%d\",\"Mode\":\"z\",\"RW\":true}",
		    i ? "," : "", i, i);
	text_add(t, "],\"NetworkSettings\":{\"Ports\":{\"80/tcp\":[");
	for (int i = 0; ports && i < MANY; i++)
		text_add(t, "%s{\"HostIp\":\"10.0.%d.%d\",\"HostPort\":\"%d\"}", i ? "," : "", (i >> 8) & 255,
		    i & 255, 1 + i % 65535);
	text_add(t, "]}}}");
}

static ctr_record* docker_many(bool labels, bool env, bool mounts, bool ports, char* err,
                               size_t errlen)
{
	text t = {0};
	many_doc(&t, labels, env, mounts, ports);
	ctr_record* r = inspect_docker(t.p, t.len, NULL, 0, NULL, err, errlen);
	free(t.p);
	return r;
}

TEST(docker_100k_labels_env_mounts_ports)
{
	char err[512];
	ctr_record* r = docker_many(true, true, true, true, err, sizeof(err));
	REQUIRE(r);
	size_t n = check_bounded(r);
	printf("  all four lists: %zu labels kept, record %zu bytes; %s\n", r->nlabels, n, err);
	CHECK(r->nlabels > 1000 && r->nlabels < MANY); /* labels go first */
	CHECK(strstr(err, "labels"));
	CHECK_STR(r->name, "many");
	ctr_record_unref(r);

	/* Each list alone: bounded, and as much kept as fits. */
	r = docker_many(false, true, false, false, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK(r->nenv > 1000 && r->nenv < MANY && strstr(err, "environment"));
	ctr_record_unref(r);
	r = docker_many(false, false, true, false, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK(r->nmounts > 1000 && r->nmounts < MANY && strstr(err, "mounts"));
	CHECK(r->mounts_fmt && strlen(r->mounts_fmt) < 2 * CTR_RECORD_BUDGET);
	ctr_record_unref(r);
	r = docker_many(false, false, false, true, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK(r->nports > 1000 && r->nports < MANY && strstr(err, "ports"));
	ctr_record_unref(r);
}

/* Label values made only of bytes that encode six times their size. */
TEST(docker_escaped_label_values)
{
	text t = {0};
	text_add(&t, "{\"Id\":\"" ID64 "\",\"Config\":{\"Labels\":{");
	for (int i = 0; i < 20000; i++) {
		text_add(&t, "%s\"k%d\":\"", i ? "," : "", i);
		for (int k = 0; k < 20; k++)
			text_add(&t, "\\u0001");
		text_add(&t, "\"");
	}
	text_add(&t, "}}}");
	char err[512];
	ctr_record* r = inspect_docker(t.p, t.len, NULL, 0, &big_labels, err, sizeof(err));
	free(t.p);
	REQUIRE(r);
	check_bounded(r);
	CHECK(r->nlabels > 100 && r->nlabels < 20000);
	ctr_record_unref(r);
}

/* Nesting inside Config: within jansson's depth limit a record, beyond it a refusal. */
static ctr_record* nested_config(size_t depth, char* err, size_t errlen)
{
	text t = {0};
	text_add(&t, "{\"Id\":\"" ID64 "\",\"Name\":\"/deep\",\"Config\":{\"Labels\":");
	text_reserve(&t, 2 * depth);
	memset(t.p + t.len, '[', depth);
	memset(t.p + t.len + depth, ']', depth);
	t.len += 2 * depth;
	t.p[t.len] = '\0';
	text_add(&t, ",\"User\":\"root\"}}");
	ctr_record* r = inspect_docker(t.p, t.len, NULL, 0, NULL, err, errlen);
	free(t.p);
	return r;
}

TEST(docker_deep_nesting_in_config)
{
	char err[256];
	/* The document, Config and 2,046 arrays: 2,048 levels, jansson's limit. */
	ctr_record* r = nested_config(2046, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK_STR(r->user, "root");
	CHECK_INT(r->nlabels, 0);
	ctr_record_unref(r);
	/* 2,047 arrays inside Config: one level too many, refused as malformed. */
	r = nested_config(2047, err, sizeof(err));
	CHECK(r == NULL);
	CHECK(strstr(err, "malformed JSON"));
	ctr_record_unref(r);
}

TEST(docker_nul_bytes)
{
	const char* doc = "{\"Id\":\"" ID64 "\",\"Name\":\"/ctr\\u0000/../evil\","
	                  "\"Config\":{\"User\":\"ro\\u0000ot\",\"Env\":[\"A=b\\u0000c\"],"
	                  "\"Labels\":{\"k\":\"v\\u0000w\"}},"
	                  "\"Mounts\":[{\"Source\":\"/a\\u0000b\",\"Destination\":\"/d\"}]}";
	char err[256];
	ctr_record* r = inspect_docker(doc, strlen(doc), NULL, 0, NULL, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK_STR(r->name, "ctr"); /* C strings end at the NUL */
	CHECK_STR(r->user, "ro");
	REQUIRE(r->nenv == 1);
	CHECK_STR(r->env[0], "A=b");
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, "k");
	REQUIRE(kv);
	CHECK_INT(kv->value_len, 3); /* a label value keeps its NUL */
	CHECK(!memcmp(kv->value, "v\0w", 3));
	REQUIRE(r->nmounts == 1);
	CHECK_STR(r->mounts[0].source, "/a");
	ctr_record_unref(r);

	/* In a label key: jansson refuses the document. In the id: refused. A raw NUL: malformed. */
	const char* nul_key = "{\"Id\":\"" ID64 "\",\"Config\":{\"Labels\":{\"x\\u0000y\":\"z\"}}}";
	CHECK(!inspect_docker(nul_key, strlen(nul_key), NULL, 0, NULL, err, sizeof(err)));
	CHECK(strstr(err, "malformed JSON"));
	const char* nul_id = "{\"Id\":\"" ID64 "\\u0000\"}";
	CHECK(!inspect_docker(nul_id, strlen(nul_id), NULL, 0, NULL, err, sizeof(err)));
	CHECK(strstr(err, "Id is not"));
	static const char raw[] = "{\"Id\":\"" ID64 "\",\"Name\":\"a\0b\"}";
	CHECK(!inspect_docker(raw, sizeof(raw) - 1, NULL, 0, NULL, err, sizeof(err)));
	CHECK(strstr(err, "malformed JSON"));
}

TEST(docker_out_of_range_numbers)
{
	const char* doc =
	    "{\"Id\":\"" ID64 "\",\"SizeRw\":-99999999999999999999999,"
	    "\"Created\":\"99999-01-01T00:00:00Z\",\"HostConfig\":{\"Memory\":1e308,"
	    "\"MemorySwap\":-1e308,\"CpuShares\":-5,\"CpuPeriod\":18446744073709551616,"
	    "\"CpuQuota\":-9223372036854775809,\"NanoCpus\":1.5e30,\"CpusetCpus\":\"0-99999999999\"},"
	    "\"NetworkSettings\":{\"Ports\":{\"99999/tcp\":[{\"HostPort\":\"80\"}],"
	    "\"80/tcp\":[{\"HostPort\":\"65536\"},{\"HostPort\":\"-1\"},{\"HostPort\":\"443\"}]}}}";
	char err[256];
	ctr_record* r = inspect_docker(doc, strlen(doc), NULL, 0, NULL, err, sizeof(err));
	if (!r)
		fprintf(stderr, "  %s\n", err);
	REQUIRE(r);
	check_bounded(r);
	CHECK_INT(r->size, INT64_MIN);
	CHECK_INT(r->created_time, 0);
	CHECK_INT(r->memory_limit, INT64_MAX);
	CHECK_INT(r->swap_limit, INT64_MIN);
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->cpu_period, INT64_MAX);
	CHECK_INT(r->cpu_quota, INT64_MAX / 10000);
	CHECK_INT(r->cpuset_cpu_count, 0);
	REQUIRE(r->nports == 1);
	CHECK_INT(r->ports[0].host_port, 443);
	ctr_record_unref(r);

	/* Beyond the range of a double: the text is refused. */
	const char* huge = "{\"Id\":\"" ID64 "\",\"HostConfig\":{\"Memory\":1e400}}";
	CHECK(!inspect_docker(huge, strlen(huge), NULL, 0, NULL, err, sizeof(err)));
	CHECK(strstr(err, "malformed JSON"));
}

TEST(docker_image_id_and_host_ip)
{
	const char* doc = "{\"Id\":\"" ID64 "\",\"Image\":\"sha256:" IMG64 "\","
	                  "\"Config\":{\"Image\":\"nginx\"},\"NetworkSettings\":{\"Ports\":{\"80/tcp\":"
	                  "[{\"HostIp\":null,\"HostPort\":\"8080\"},{\"HostPort\":\"8081\"},"
	                  "{\"HostIp\":\"::\",\"HostPort\":\"8082\"}]}}}";
	static const char* const images[] = {
	    "{\"Id\":\"sha256:../../../etc/passwd\"}", "{\"Id\":\"" IMG64 "x\"}",
	    "{\"Id\":\"SHA256:" IMG64 "\"}", "{\"Id\":5}",
	};
	char err[256];
	for (size_t i = 0; i < sizeof(images) / sizeof(*images); i++) {
		ctr_record* r = inspect_docker(doc, strlen(doc), images[i], strlen(images[i]), NULL, err,
		                               sizeof(err));
		REQUIRE(r);
		CHECK_STR(r->imageid, IMG64); /* the image's Id is refused: the container's Image */
		ctr_record_unref(r);
	}
	const char* bad = "{\"Id\":\"" ID64 "\",\"Image\":\"sha256:/../../x\"}";
	ctr_record* r = inspect_docker(bad, strlen(bad), NULL, 0, NULL, err, sizeof(err));
	REQUIRE(r);
	CHECK_STR(r->imageid, "");
	ctr_record_unref(r);
	r = inspect_podman(bad, strlen(bad), NULL, err, sizeof(err));
	REQUIRE(r);
	CHECK_STR(r->imageid, "");
	ctr_record_unref(r);

	r = inspect_docker(doc, strlen(doc), NULL, 0, NULL, err, sizeof(err));
	REQUIRE(r);
	REQUIRE(r->nports == 2); /* null and absent HostIp alike; IPv6 skipped */
	CHECK_INT(r->ports[0].host_ip, 0);
	CHECK_INT(r->ports[0].host_port, 8080);
	CHECK_INT(r->ports[1].host_ip, 0);
	CHECK_INT(r->ports[1].host_port, 8081);
	ctr_record_unref(r);
}

/* ---- containerd -------------------------------------------------------------------- */

static char* big_cstring(char c, size_t n)
{
	char* s = malloc(n + 1);
	if (!s)
		abort();
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A spec with 100,000 mounts and env entries and 5 MB strings. */
static void hostile_spec(text* t)
{
	text_add(t, "{\"process\":{\"user\":{\"uid\":1e300},\"env\":[");
	for (int i = 0; i < MANY; i++)
		text_add(t, "%s\"E%06d=v\"", i ? "," : "", i);
	text_add(t, ",");
	add_fill(t, 'e', BIG);
	text_add(t, "]},\"linux\":{\"rootfsPropagation\":");
	add_fill(t, 'r', MiB);
	text_add(t, ",\"resources\":{\"cpu\":{\"cpus\":");
	add_fill(t, '7', BIG);
	text_add(t, ",\"shares\":-1e999999}}},\"mounts\":[");
	for (int i = 0; i < MANY; i++)
		text_add(t, "%s{\"source\":\"/s%d\",\"destination\":\"/d%d\",\"options\":[\"ro\"]}",
		    i ? "," : "", i, i);
	text_add(t, "]}");
}

TEST(containerd_hostile_container)
{
	Ctrd__Container c = CTRD__CONTAINER__INIT;
	Ctrd__Any spec = CTRD__ANY__INIT;
	Ctrd__Container__LabelsEntry* entries = calloc(MANY, sizeof(*entries));
	Ctrd__Container__LabelsEntry** labels = calloc(MANY, sizeof(*labels));
	char (*keys)[16] = calloc(MANY, sizeof(*keys));
	REQUIRE(entries && labels && keys);
	for (int i = 0; i < MANY; i++) {
		Ctrd__Container__LabelsEntry e = CTRD__CONTAINER__LABELS_ENTRY__INIT;
		entries[i] = e;
		snprintf(keys[i], sizeof(keys[i]), "l%06d", i);
		entries[i].key = keys[i];
		entries[i].value = "v";
		labels[i] = &entries[i];
	}
	char* image = big_cstring('i', BIG);
	c.id = "hostile-1";
	c.image = image;
	c.labels = labels;
	c.n_labels = MANY;
	/* The spec's huge numbers are beyond a double only in "shares": that spec is refused. */
	text t = {0};
	hostile_spec(&t);
	spec.value.data = (uint8_t*)t.p;
	spec.value.len = t.len;
	c.spec = &spec;
	char err[512];
	ctr_record* r = containerd_record(&c, NULL, NULL, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK_STR(r->image, "");
	CHECK(r->nlabels > 1000 && r->nlabels < MANY);
	CHECK(strstr(err, "over the record budget"));
	ctr_record_unref(r);

	/* The same spec with readable numbers: mounts and env go in as far as they fit. */
	char* shares = strstr(t.p, "-1e999999");
	REQUIRE(shares);
	memcpy(shares, "-10000000", 9);
	c.n_labels = 0;
	r = containerd_record(&c, NULL, NULL, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK(r->nmounts > 1000 && r->nmounts < MANY);
	CHECK_STR(r->user, "9223372036854775807");
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->cpuset_cpu_count, 0);
	CHECK(strstr(err, "mounts"));
	ctr_record_unref(r);

	/* Ids that cannot go in a request or a record: refused. */
	static const char* const bad_ids[] = {"", "../x", "a/b", "a b", ".hidden", "a\nb"};
	c.spec = NULL;
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(*bad_ids); i++) {
		c.id = (char*)bad_ids[i];
		CHECK(!containerd_record(&c, NULL, NULL, err, sizeof(err)));
		CHECK(strstr(err, "valid id"));
	}
	char* long_id = big_cstring('a', BIG);
	c.id = long_id;
	CHECK(!containerd_record(&c, NULL, NULL, err, sizeof(err)));
	free(long_id);
	free(t.p);
	free(image);
	free(keys);
	free(labels);
	free(entries);
}

/* ---- CRI ----------------------------------------------------------------------------- */

TEST(cri_hostile_status)
{
	Cri__ContainerStatus st = CRI__CONTAINER_STATUS__INIT;
	Cri__ContainerMetadata md = CRI__CONTAINER_METADATA__INIT;
	Cri__PodSandboxStatus sb = CRI__POD_SANDBOX_STATUS__INIT;
	Cri__PodSandboxMetadata smd = CRI__POD_SANDBOX_METADATA__INIT;
	Cri__ContainerStatus__LabelsEntry* le = calloc(MANY, sizeof(*le));
	Cri__ContainerStatus__LabelsEntry** lp = calloc(MANY, sizeof(*lp));
	Cri__PodSandboxStatus__LabelsEntry* se = calloc(MANY, sizeof(*se));
	Cri__PodSandboxStatus__LabelsEntry** sp = calloc(MANY, sizeof(*sp));
	Cri__Mount* me = calloc(MANY, sizeof(*me));
	Cri__Mount** mp = calloc(MANY, sizeof(*mp));
	char (*keys)[24] = calloc(MANY, sizeof(*keys));
	REQUIRE(le && lp && se && sp && me && mp && keys);
	char* big = big_cstring('x', BIG);
	for (int i = 0; i < MANY; i++) {
		Cri__ContainerStatus__LabelsEntry l = CRI__CONTAINER_STATUS__LABELS_ENTRY__INIT;
		Cri__PodSandboxStatus__LabelsEntry s = CRI__POD_SANDBOX_STATUS__LABELS_ENTRY__INIT;
		Cri__Mount m = CRI__MOUNT__INIT;
		snprintf(keys[i], sizeof(keys[i]), "label-%06d", i);
		le[i] = l;
		le[i].key = keys[i];
		le[i].value = "v";
		lp[i] = &le[i];
		se[i] = s;
		se[i].key = keys[i];
		se[i].value = "w";
		sp[i] = &se[i];
		me[i] = m;
		me[i].host_path = i % 1000 ? "/host" : big;
		me[i].container_path = "/ctr";
		mp[i] = &me[i];
	}
	/* A label flood that also tries to overwrite the pod's identity. */
	le[0].key = "io.kubernetes.pod.name";
	le[0].value = "forged";
	md.name = big;
	st.id = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e";
	st.metadata = &md;
	st.image_ref = big;
	st.labels = lp;
	st.n_labels = MANY;
	st.mounts = mp;
	st.n_mounts = MANY;
	smd.name = "pod";
	smd.namespace_ = "ns";
	smd.uid = "uid-1";
	sb.id = "63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a";
	sb.metadata = &smd;
	sb.labels = sp;
	sb.n_labels = MANY;
	/* Verbose info: 100,000 env entries and a 2,040-deep member. */
	text info = {0};
	text_add(&info, "{\"sandboxID\":\"s\",\"deep\":");
	for (int i = 0; i < 2040; i++)
		text_add(&info, "[");
	for (int i = 0; i < 2040; i++)
		text_add(&info, "]");
	text_add(&info, ",\"config\":{\"envs\":[");
	for (int i = 0; i < MANY; i++)
		text_add(&info, "%s{\"key\":\"K%d\",\"value\":\"v\"}", i ? "," : "", i);
	text_add(&info, "]}}");
	cri_map_opts o = {.type = CTR_TYPE_CONTAINERD, .label_max_len = 100, .size = -1};
	char err[512];
	ctr_record* r = cri_container_record(&st, info.p, &sb, NULL, &o, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK_STR(r->name, "");
	CHECK_STR(label(r, "io.kubernetes.pod.name"), "pod"); /* identity first, never forged */
	CHECK_STR(label(r, "io.kubernetes.pod.namespace"), "ns");
	CHECK_STR(r->k8s_pod_name, "pod");
	CHECK(r->nlabels > 1000 && r->nlabels < MANY);
	CHECK(strstr(err, "over the record budget"));
	ctr_record_unref(r);

	r = cri_sandbox_record(&sb, NULL, &o, err, sizeof(err));
	REQUIRE(r);
	check_bounded(r);
	CHECK_STR(label(r, "io.kubernetes.pod.name"), "pod");
	ctr_record_unref(r);

	/* Unsafe ids: refused. */
	st.id = "../../x";
	CHECK(!cri_container_record(&st, NULL, NULL, NULL, &o, err, sizeof(err)));
	CHECK(strstr(err, "valid id"));
	sb.id = big;
	CHECK(!cri_sandbox_record(&sb, NULL, &o, err, sizeof(err)));
	free(info.p);
	free(big);
	free(keys);
	free(mp);
	free(me);
	free(sp);
	free(se);
	free(lp);
	free(le);
}

/* ---- the builder at its worst -------------------------------------------------------- */

/* Every member at its most expensive encoding: the reserve and overheads must hold. */
TEST(builder_worst_case_stays_in_budget)
{
	char ctl[CTR_BUILD_STR_MAX + 1];
	memset(ctl, '\x01', CTR_BUILD_STR_MAX);
	ctl[CTR_BUILD_STR_MAX] = '\0';
	char small[64];
	memset(small, '"', sizeof(small) - 1);
	small[sizeof(small) - 1] = '\0';
	ctr_build b;
	REQUIRE(ctr_build_start(&b, CTR_TYPE_CRIO, 64 * MiB));
	ctr_record* r = b.r;
	char** members[] = {&r->name, &r->image, &r->imageid, &r->imagerepo, &r->imagetag,
	                    &r->imagedigest, &r->user, &r->ip, &r->cni_json, &r->pod_sandbox_id,
	                    &r->mesos_task_id};
	for (size_t i = 0; i < sizeof(members) / sizeof(*members); i++)
		REQUIRE(ctr_str_set(members[i], i < 2 ? ctl : small));
	REQUIRE(ctr_str_set(&r->full_id, ID64) && ctr_str_set(&r->id, "7951fb549ab9"));
	r->privileged = r->host_pid = r->host_network = r->host_ipc = r->is_pod_sandbox = true;
	r->memory_limit = r->swap_limit = r->cpu_shares = r->cpu_quota = INT64_MIN;
	r->cpu_period = r->cpuset_cpu_count = r->created_time = r->size = INT64_MIN;
	REQUIRE(ctr_build_scalars(&b));
	const char* argv[] = {small, small, small};
	for (int t = 0; t < CTR_PROBE_COUNT; t++)
		REQUIRE(ctr_build_probe(&b, (ctr_probe_type)t, argv, 3, false));
	for (int i = 0; i < 2000; i++) {
		char key[16];
		snprintf(key, sizeof(key), "\x02k%d", i);
		REQUIRE(ctr_build_label(&b, i % 2 ? CTR_LABELS : CTR_POD_LABELS, key, small, 63));
		REQUIRE(ctr_build_env(&b, small));
		REQUIRE(ctr_build_mount(&b, small, "\x03", "\x04", "", true));
		REQUIRE(ctr_build_port(&b, UINT32_MAX, UINT16_MAX, UINT16_MAX));
	}
	char err[256];
	r = ctr_build_finish(&b, err, sizeof(err));
	REQUIRE(r);
	size_t n = check_bounded(r);
	printf("  worst case: %zu bytes encoded; %s\n", n, err);
	CHECK(n > CTR_RECORD_BUDGET * 9 / 10); /* filled (the charges are conservative), not merely small */
	CHECK(strstr(err, "dropped"));
	ctr_record_unref(r);
}

/* ---- the sanitizer ---------------------------------------------------------------- */

TEST(id_sanitizer)
{
	CHECK(ctr_id_safe("7951fb549ab9"));
	CHECK(ctr_id_safe("my_container.1-x"));
	CHECK(ctr_id_safe(ID64));
	static const char* const bad[] = {NULL, "", ".", "..", "-x", "_x", "a/b", "a b", "a%2f",
	                                  "a?b", "a\\b", "a\nb", "a^b", "a*b", "\xc3\xa9t\xc3\xa9"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(!ctr_id_safe(bad[i]));
	char s[CTR_ID_MAX + 2];
	memset(s, 'a', sizeof(s) - 1);
	s[CTR_ID_MAX + 1] = '\0';
	CHECK(!ctr_id_safe(s));
	s[CTR_ID_MAX] = '\0';
	CHECK(ctr_id_safe(s));
}

TEST_MAIN(T(docker_podman_60mb_document), T(docker_100k_labels_env_mounts_ports),
          T(docker_escaped_label_values), T(docker_deep_nesting_in_config), T(docker_nul_bytes),
          T(docker_out_of_range_numbers), T(docker_image_id_and_host_ip),
          T(containerd_hostile_container), T(cri_hostile_status), T(builder_worst_case_stays_in_budget),
          T(id_sanitizer))
