/* Unit tests for ctr_record.c: constructors, derived strings, splitters. */
#include "ctr_record.h"

#include "test.h"

/* Appends a label (the value may hold NUL bytes: vlen counts them). */
static void add_kv(ctr_kv** kv, size_t* n, const char* key, const char* value, size_t vlen)
{
	ctr_kv* grown = realloc(*kv, (*n + 1) * sizeof(**kv));
	if (!grown)
		abort();
	*kv = grown;
	grown[*n].key = strdup(key);
	grown[*n].value = malloc(vlen + 1);
	memcpy(grown[*n].value, value, vlen);
	grown[*n].value[vlen] = '\0';
	grown[*n].value_len = vlen;
	(*n)++;
}

static void add_label(ctr_record* r, const char* key, const char* value)
{
	add_kv(&r->labels, &r->nlabels, key, value, strlen(value));
}

static void add_mount(ctr_record* r, const char* src, const char* dst, const char* mode, bool rw,
                      const char* prop)
{
	ctr_mount* m = realloc(r->mounts, (r->nmounts + 1) * sizeof(*m));
	if (!m)
		abort();
	r->mounts = m;
	m = &m[r->nmounts++];
	*m = (ctr_mount){strdup(src), strdup(dst), strdup(mode), strdup(prop), rw, NULL};
}

static void set_probe(ctr_record* r, ctr_probe_type t, const char* exe, const char* const* args,
                      size_t nargs)
{
	ctr_probe* p = &r->probes[t];
	p->present = true;
	p->exe = strdup(exe);
	p->args = calloc(nargs + 1, sizeof(char*));
	for (size_t i = 0; i < nargs; i++)
		p->args[i] = strdup(args[i]);
	p->nargs = nargs;
}

static void check_all_strings_empty(const ctr_record* r)
{
	const char* s[] = {r->id, r->full_id, r->name, r->image, r->imageid, r->imagerepo,
	                   r->imagetag, r->imagedigest, r->user, r->ip, r->cni_json,
	                   r->pod_sandbox_id, r->mesos_task_id, r->labels_fmt, r->pod_labels_fmt,
	                   r->mounts_fmt, r->short_sandbox_id};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		CHECK_STR(s[i], "");
}

TEST(new_has_decode_defaults)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	CHECK_INT(r->refs, 1);
	CHECK_INT(r->type, 65535);
	CHECK_INT(r->size, -1);
	CHECK_INT(r->cpu_period, 0);
	CHECK_INT(r->cpu_shares, 0);
	CHECK_INT(r->created_time, 0);
	check_all_strings_empty(r);
	CHECK(!r->k8s_pod_name && !r->k8s_pod_namespace && !r->k8s_pod_uid);
	CHECK(!r->privileged && !r->host_pid && !r->host_network && !r->host_ipc);
	CHECK(!r->nlabels && !r->nenv && !r->nmounts && !r->nports);
	for (int t = 0; t < CTR_PROBE_COUNT; t++)
		CHECK(!r->probes[t].present && !r->probes[t].formatted);
	ctr_record_finalize(r);
	check_all_strings_empty(r);
	ctr_record_unref(r);
}

TEST(host_record)
{
	ctr_record* r = ctr_record_new_host();
	REQUIRE(r);
	CHECK_INT(r->type, CTR_TYPE_HOST);
	CHECK_STR(r->id, "host");
	CHECK_STR(r->full_id, "host");
	CHECK_STR(r->name, "host");
	CHECK_STR(r->image, "");
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->cpu_quota, 0);
	CHECK_INT(r->size, -1);
	CHECK_INT(r->created_time, 0);
	CHECK_STR(ctr_type_name(r->type), "host");
	CHECK_STR(r->labels_fmt, "");
	ctr_record_unref(r);
}

TEST(matcher_records)
{
	static const struct {
		uint32_t type;
		const char* id;
	} cases[] = {
		{CTR_TYPE_LXC, "mycontainer"},
		{CTR_TYPE_LIBVIRT_LXC, "2293906\\x2dlibvirt\\x2dcontainer"},
		{CTR_TYPE_BPM, "b3f4c1d2-aaaa-4bbb-8ccc-1234567890ab"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctr_record* r = ctr_record_new_matcher(cases[i].type, cases[i].id);
		REQUIRE(r);
		CHECK_INT(r->type, cases[i].type);
		CHECK_STR(r->id, cases[i].id);
		CHECK_STR(r->name, cases[i].id);
		CHECK_STR(r->full_id, "");
		CHECK_INT(r->created_time, 0);
		CHECK_INT(r->cpu_period, 100000);
		CHECK_INT(r->cpu_shares, 1024);
		CHECK_INT(r->size, -1);
		ctr_record_unref(r);
	}
	ctr_record* r = ctr_record_new_matcher(CTR_TYPE_LXC, NULL);
	REQUIRE(r);
	CHECK_STR(r->id, "");
	CHECK_STR(r->name, "");
	ctr_record_unref(r);
}

TEST(static_record)
{
	ctr_record* r = ctr_record_new_static(
		"fargate-1", "app", "registry.example.com:5000/team/app:1.2@sha256:0123abcd");
	REQUIRE(r);
	CHECK_INT(r->type, CTR_TYPE_STATIC);
	CHECK_STR(ctr_type_name(r->type), "static");
	CHECK_STR(r->id, "fargate-1");
	CHECK_STR(r->full_id, "");
	CHECK_STR(r->name, "app");
	CHECK_STR(r->image, "registry.example.com:5000/team/app:1.2@sha256:0123abcd");
	CHECK_STR(r->imagerepo, "registry.example.com:5000/team/app");
	CHECK_STR(r->imagetag, "1.2");
	CHECK_STR(r->imagedigest, "sha256:0123abcd");
	CHECK_STR(r->imageid, "");
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->size, -1);
	ctr_record_unref(r);

	r = ctr_record_new_static("s", NULL, NULL);
	REQUIRE(r);
	CHECK_STR(r->name, "");
	CHECK_STR(r->image, "");
	CHECK_STR(r->imagerepo, "");
	ctr_record_unref(r);
}

TEST(refcount)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	CHECK(ctr_record_ref(r) == r);
	CHECK_INT(r->refs, 2);
	ctr_record_unref(r);
	CHECK_INT(r->refs, 1);
	ctr_record_unref(r); /* freed here; ASan reports any leak or double free */
	CHECK(ctr_record_ref(NULL) == NULL);
	ctr_record_unref(NULL);
}

TEST(str_set)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	CHECK(ctr_str_set(&r->user, "new"));
	CHECK_STR(r->user, "new");
	CHECK(ctr_str_set(&r->user, NULL));
	CHECK_STR(r->user, "");
	/* Empty members share one static "": no heap chunk per empty string. */
	CHECK(r->user == r->ip);
	CHECK(ctr_str_set(&r->ip, ""));
	CHECK(r->user == r->ip);
	ctr_str_take(&r->name, strdup("taken"));
	CHECK_STR(r->name, "taken");
	ctr_str_take(&r->name, strdup(""));
	CHECK(r->name == r->ip);
	ctr_str_take(&r->name, NULL);
	CHECK_STR(r->name, "");
	ctr_record_unref(r); /* ASan: no leak, no free of the shared "" */
}

TEST(duplicate_label_keys_last_added_wins)
{
	/* A protobuf map may repeat a key; engines append, finalize keeps the last. */
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	add_label(r, "b", "1");
	add_label(r, "a", "first");
	add_label(r, "b", "2");
	add_label(r, "c", "x");
	add_label(r, "a", "second");
	add_label(r, "b", "3");
	ctr_record_finalize(r);
	CHECK_INT(r->nlabels, 3);
	CHECK_STR(r->labels[0].key, "a");
	CHECK_STR(r->labels[0].value, "second");
	CHECK_STR(r->labels[1].value, "3");
	CHECK_STR(r->labels[2].key, "c");
	CHECK_STR(r->labels_fmt, "a:second, b:3, c:x");
	ctr_record_unref(r);
}

TEST(many_labels_sorted_unique)
{
	/* 20,000 labels, every key twice: sorted, one per key, the later value. */
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	char k[32], v[32];
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 10000; i++) {
			snprintf(k, sizeof(k), "k%05d", (i * 7919) % 10000);
			snprintf(v, sizeof(v), "p%d", pass);
			add_label(r, k, v);
		}
	}
	ctr_record_finalize(r);
	CHECK_INT(r->nlabels, 10000);
	bool ok = true;
	for (size_t i = 0; i < r->nlabels; i++) {
		snprintf(k, sizeof(k), "k%05zu", i);
		ok = ok && !strcmp(r->labels[i].key, k) && !strcmp(r->labels[i].value, "p1");
	}
	CHECK(ok);
	ctr_record_unref(r);
}

TEST(labels_format_spec_example)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	add_label(r, "maintainer", "a b");
	add_label(r, "io.kubernetes.pod.name", "x");
	add_label(r, "env", "");
	add_label(r, "app", "web");
	add_label(r, "annotation.kubectl.kubernetes.io/last-applied-configuration", "{}");
	ctr_record_finalize(r);
	CHECK_STR(r->labels_fmt, "app:web, env, maintainer:a b");
	REQUIRE(r->nlabels == 5);
	CHECK_STR(r->labels[0].key, "annotation.kubectl.kubernetes.io/last-applied-configuration");
	CHECK_STR(r->labels[1].key, "app");
	CHECK_STR(r->labels[2].key, "env");
	CHECK_STR(r->labels[3].key, "io.kubernetes.pod.name");
	CHECK_STR(r->labels[4].key, "maintainer");
	CHECK_STR(r->k8s_pod_name, "x");
	CHECK(r->k8s_pod_namespace == NULL);
	CHECK(r->k8s_pod_uid == NULL);
	ctr_record_unref(r);
}

TEST(labels_byte_order)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	add_label(r, "b", "2");
	add_label(r, "\xc3\xa9", "e-acute"); /* bytes above 0x7f sort last */
	add_label(r, "B", "1");
	add_label(r, "a-b", "3");
	add_label(r, "a", "4");
	ctr_record_finalize(r);
	CHECK_STR(r->labels_fmt, "B:1, a:4, a-b:3, b:2, \xc3\xa9:e-acute");
	ctr_record_unref(r);
}

TEST(label_value_with_nul)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	add_kv(&r->labels, &r->nlabels, "k", "x\0y", 3);
	add_kv(&r->labels, &r->nlabels, "z", "w", 1);
	add_kv(&r->labels, &r->nlabels, "n", "\0tail", 5);
	ctr_record_finalize(r);
	/* A value is cut at its NUL; the list goes on. An all-cut value shows as "key". */
	CHECK_STR(r->labels_fmt, "k:x, n, z:w");
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, "k");
	REQUIRE(kv);
	CHECK_INT(kv->value_len, 3);
	CHECK(!memcmp(kv->value, "x\0y", 4));
	ctr_record_unref(r);
}

TEST(pod_labels_and_mounts_6_6_4)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	add_kv(&r->pod_sandbox_labels, &r->npod_sandbox_labels, "example-label/custom_one",
	       "mylabel", 7);
	add_kv(&r->pod_sandbox_labels, &r->npod_sandbox_labels, "app", "myapp", 5);
	add_label(r, "io.kubernetes.pod.name", "nginx-sandbox");
	add_label(r, "io.kubernetes.pod.namespace", "default");
	add_label(r, "io.kubernetes.pod.uid", "hdishddjaidwnduw9a43535366368");
	add_mount(r, "/boot", "/host/boot", "", false, "private");
	CHECK(ctr_str_set(&r->pod_sandbox_id,
	                  "63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a"));
	ctr_record_finalize(r);
	CHECK_STR(r->mounts_fmt, "/boot:/host/boot::false:private");
	CHECK_STR(r->mounts[0].formatted, "/boot:/host/boot::false:private");
	CHECK_STR(r->pod_labels_fmt, "app:myapp, example-label/custom_one:mylabel");
	CHECK_STR(r->labels_fmt, "");
	CHECK_STR(r->short_sandbox_id, "63060edc2d3a");
	CHECK_STR(r->k8s_pod_name, "nginx-sandbox");
	CHECK_STR(r->k8s_pod_namespace, "default");
	CHECK_STR(r->k8s_pod_uid, "hdishddjaidwnduw9a43535366368");
	ctr_record_unref(r);
}

TEST(mounts_joined_with_comma)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	add_mount(r, "/srv/www", "/usr/share/nginx/html", "ro", false, "rprivate");
	add_mount(r, "/data", "/data", "z", true, "");
	ctr_record_finalize(r);
	CHECK_STR(r->mounts[0].formatted, "/srv/www:/usr/share/nginx/html:ro:false:rprivate");
	CHECK_STR(r->mounts[1].formatted, "/data:/data:z:true:");
	CHECK_STR(r->mounts_fmt,
	          "/srv/www:/usr/share/nginx/html:ro:false:rprivate,/data:/data:z:true:");
	ctr_record_unref(r);
}

TEST(short_sandbox_id)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	ctr_record_finalize(r);
	CHECK_STR(r->short_sandbox_id, "");
	CHECK(ctr_str_set(&r->pod_sandbox_id, "abc"));
	ctr_record_finalize(r);
	CHECK_STR(r->short_sandbox_id, "abc");
	CHECK(ctr_str_set(&r->pod_sandbox_id, "0123456789ab"));
	ctr_record_finalize(r);
	CHECK_STR(r->short_sandbox_id, "0123456789ab");
	CHECK(ctr_str_set(&r->pod_sandbox_id, "0123456789abc"));
	ctr_record_finalize(r);
	CHECK_STR(r->short_sandbox_id, "0123456789ab");
	ctr_record_unref(r);
}

TEST(probe_formatting)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	const char* args[] = {"-c", "curl -f http://localhost/ || exit 1"};
	set_probe(r, CTR_PROBE_HEALTHCHECK, "/bin/sh", args, 2);
	set_probe(r, CTR_PROBE_READINESS, "/ready", NULL, 0);
	ctr_record_finalize(r);
	CHECK_STR(r->probes[CTR_PROBE_HEALTHCHECK].formatted,
	          "/bin/sh -c curl -f http://localhost/ || exit 1");
	CHECK(r->probes[CTR_PROBE_LIVENESS].formatted == NULL);
	CHECK_STR(r->probes[CTR_PROBE_READINESS].formatted, "/ready");
	ctr_record_unref(r);
}

TEST(finalize_is_idempotent)
{
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	add_label(r, "b", "2");
	add_label(r, "a", "1");
	add_mount(r, "/a", "/b", "", true, "");
	const char* args[] = {"x"};
	set_probe(r, CTR_PROBE_LIVENESS, "/bin/true", args, 1);
	CHECK(ctr_str_set(&r->pod_sandbox_id, "0123456789abcdef"));
	for (int i = 0; i < 3; i++) {
		ctr_record_finalize(r);
		CHECK_STR(r->labels_fmt, "a:1, b:2");
		CHECK_STR(r->mounts_fmt, "/a:/b::true:");
		CHECK_STR(r->short_sandbox_id, "0123456789ab");
		CHECK_STR(r->probes[CTR_PROBE_LIVENESS].formatted, "/bin/true x");
	}
	/* Changes after a finalize show up after the next one (no stale or leaked text). */
	add_label(r, "io.kubernetes.pod.uid", "u");
	add_label(r, "c", "");
	ctr_record_finalize(r);
	CHECK_STR(r->labels_fmt, "a:1, b:2, c");
	CHECK_STR(r->k8s_pod_uid, "u");
	ctr_record_unref(r);
}

TEST(labels_find)
{
	CHECK(ctr_labels_find(NULL, 0, "a") == NULL);
	ctr_record* r = ctr_record_new();
	REQUIRE(r);
	char key[16], value[16];
	for (int i = 99; i >= 0; i--) {
		snprintf(key, sizeof(key), "key%03d", i * 7 % 100);
		snprintf(value, sizeof(value), "v%d", i * 7 % 100);
		add_label(r, key, value);
	}
	ctr_record_finalize(r);
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "key%03d", i);
		snprintf(value, sizeof(value), "v%d", i);
		const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, key);
		REQUIRE(kv);
		CHECK_STR(kv->value, value);
	}
	CHECK(ctr_labels_find(r->labels, r->nlabels, "key100") == NULL);
	CHECK(ctr_labels_find(r->labels, r->nlabels, "") == NULL);
	CHECK(ctr_labels_find(r->labels, r->nlabels, "a") == NULL);
	CHECK(ctr_labels_find(r->labels, r->nlabels, "zzz") == NULL);
	CHECK(ctr_labels_find(r->labels, r->nlabels, NULL) == NULL);
	ctr_record_unref(r);
}

TEST(type_names)
{
	static const struct {
		uint32_t type;
		const char* name;
	} cases[] = {
		{0, "docker"}, {1, "lxc"},         {2, "libvirt-lxc"}, {3, "mesos"},
		{4, "rkt"},    {5, ""},            {6, "cri"},         {7, "containerd"},
		{8, "cri-o"},  {9, "bpm"},         {10, "static"},     {11, "podman"},
		{12, ""},      {65534, "host"},    {65535, ""},        {UINT32_MAX, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(ctr_type_name(cases[i].type), cases[i].name);
}

static void check_legacy(const char* image, const char* repo, const char* tag,
                         const char* digest)
{
	char *r = NULL, *t = NULL, *d = NULL;
	CHECK(ctr_image_split_legacy(image, &r, &t, &d));
	CHECK_STR(r, repo);
	CHECK_STR(t, tag);
	CHECK_STR(d, digest);
	free(r);
	free(t);
	free(d);
}

TEST(split_legacy)
{
	const char* da = "sha256:da39a3ee5e6b4b0d3255bfef95601890afd80709";
	check_legacy("busybox", "busybox", "", "");
	check_legacy("busybox:1.27.2@sha256:da39a3ee5e6b4b0d3255bfef95601890afd80709", "busybox",
	             "1.27.2", da);
	check_legacy("my.host:12345/library/busybox:1.27.2@sha256:"
	             "da39a3ee5e6b4b0d3255bfef95601890afd80709",
	             "my.host:12345/library/busybox", "1.27.2", da);
	check_legacy("local.host:5000/libs/test", "local.host:5000/libs/test", "", "");
	check_legacy("libs@sha256:da39a3ee5e6b4b0d3255bfef95601890afd80709", "libs", "", da);
	check_legacy("registry.example.com:5000/team/app:1.2@sha256:0123abcd",
	             "registry.example.com:5000/team/app", "1.2", "sha256:0123abcd");
	check_legacy("library/busybox:1.0", "library/busybox", "1.0", "");
	check_legacy("nginx:1.25-alpine", "nginx", "1.25-alpine", "");
	check_legacy("", "", "", "");
	check_legacy(NULL, "", "", "");
	/* Any output may be omitted. */
	char* tag = NULL;
	CHECK(ctr_image_split_legacy("a/b:c@d", NULL, &tag, NULL));
	CHECK_STR(tag, "c");
	free(tag);
}

static void check_repo_tag(const char* image, const char* repo, const char* tag)
{
	char *r = NULL, *t = NULL;
	CHECK(ctr_image_split_repo_tag(image, &r, &t));
	CHECK_STR(r, repo);
	CHECK_STR(t, tag);
	free(r);
	free(t);
}

TEST(split_repo_tag)
{
	check_repo_tag("registry.example.com:5000/foo/bar:latest@sha256:x",
	               "registry.example.com:5000/foo/bar", "latest");
	check_repo_tag("registry.example.com:5000/foo/bar", "registry.example.com:5000/foo/bar",
	               "");
	check_repo_tag("foo/bar:latest", "foo/bar", "latest");
	check_repo_tag("foo:latest", "foo", "latest");
	check_repo_tag("sha256:abc", "sha256", "abc");
	check_repo_tag("foo@sha256:abc", "foo", "");
	check_repo_tag("docker.io/library/busybox:latest", "docker.io/library/busybox", "latest");
	check_repo_tag("a:b:c", "a:b", "c");
	check_repo_tag("", "", "");
	check_repo_tag(NULL, "", "");
	char* repo = NULL;
	CHECK(ctr_image_split_repo_tag("x:y", &repo, NULL));
	CHECK_STR(repo, "x");
	free(repo);
}

TEST_MAIN(T(new_has_decode_defaults), T(host_record), T(matcher_records), T(static_record),
          T(refcount), T(str_set), T(duplicate_label_keys_last_added_wins),
          T(many_labels_sorted_unique), T(labels_format_spec_example), T(labels_byte_order),
          T(label_value_with_nul), T(pod_labels_and_mounts_6_6_4), T(mounts_joined_with_comma),
          T(short_sandbox_id), T(probe_formatting), T(finalize_is_idempotent), T(labels_find),
          T(type_names), T(split_legacy), T(split_repo_tag))
