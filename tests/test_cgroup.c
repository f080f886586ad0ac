/*
 * Tests of cgroup.c: the 59 reference vectors (docs/cgroups.md "Examples"; with
 * docs/decisions.md #1: relaxed-only matches are candidates), the engine-disabled
 * note under the table, and our own hostile and edge-case paths.
 */
#include "cgroup.h"
#include "test.h"

#define H "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define H63 "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b"
#define H60 "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251"
#define H_UPPER "7951FB549AB99E0722A949B6C121634E1F3A36B5BACBE5392991E3B12251E6B8"
#define HS "7951fb549ab9"
#define P64 "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"
#define C64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CRIO_ID "17d8c9eacc629f9945f304d89e9708c0c619649a484a215b240628319548a09f"
#define K8S_SLICE                                                                                 \
	"/kubepods.slice/kubepods-besteffort.slice/"                                              \
	"kubepods-besteffort-pod63b3ebfc_2890_11e9_8154_16bf8ef8d9dc.slice"
#define LIBVIRT_SCOPE "/machine.slice/machine-lxc\\x2d2293906\\x2dlibvirt\\x2dcontainer.scope"
#define LIBVIRT_ID "2293906\\x2dlibvirt\\x2dcontainer"
#define USER_SVC "/user.slice/user-1000.slice/user@1000.service"

#define HOST CGROUP_HOST
#define ID CGROUP_ID
#define CAND CGROUP_CANDIDATE
#define REC CGROUP_RECORD
#define NONE CGROUP_ENGINE_NONE
#define DOCKER CGROUP_ENGINE_DOCKER
#define PODMAN CGROUP_ENGINE_PODMAN
#define CRI CGROUP_ENGINE_CRI
#define CTRD CGROUP_ENGINE_CONTAINERD
#define LXC CGROUP_ENGINE_LXC
#define LIBVIRT CGROUP_ENGINE_LIBVIRT_LXC
#define BPM CGROUP_ENGINE_BPM
#define STATIC CGROUP_ENGINE_STATIC
#define BIT(e) CGROUP_ENGINE_BIT(e)

#define ALL_ENGINES                                                                               \
	(BIT(DOCKER) | BIT(PODMAN) | BIT(CRI) | BIT(CTRD) | BIT(LXC) | BIT(LIBVIRT) | BIT(BPM))
#define NO_RECORD_ENGINES (BIT(DOCKER) | BIT(PODMAN) | BIT(CRI) | BIT(CTRD))

typedef struct vector {
	int n; /* reference vector number, 0 for our own cases */
	const char* path;
	cgroup_kind kind;
	cgroup_engine engine;
	const char* id;
} vector;

/* Reference vectors with every engine but static enabled, in the recommended order
 * (docs/cgroups.md "Matcher order"). */
static const vector spec_vectors[] = {
	{1, "/docker/" H, ID, DOCKER, HS},
	{2, "/system.slice/docker-" H ".scope", ID, DOCKER, HS},
	{3, "/docker.slice/docker-" H ".scope", ID, DOCKER, HS},
	{4, "/system.slice/docker-" H ".scope/extra", ID, DOCKER, HS},
	{5, "/docker/" H "/kubepods/besteffort/pod123/" C64, ID, DOCKER, "0123456789ab"},
	{6, "/docker/" H "0", HOST, NONE, ""},
	{7, "/docker/" H63 "g", HOST, NONE, ""},
	{8,
	 "/kubepods/besteffort/podac04f3f2-1f2c-11e9-b015-1ebee232acfa/"
	 "605439acbd4fb18c145069289094b17f17e0cfa938f78012d4960bc797305f22",
	 ID, DOCKER, "605439acbd4f"},
	{9,
	 "/kubepods/besteffort/pod63b3ebfc-2890-11e9-8154-16bf8ef8d9dc/"
	 "crio-73bfe475650de66df8e2affdc98d440dcbe84f8df83b6f75a68a82eb7026136a",
	 ID, CRI, "73bfe475650d"},
	{10, K8S_SLICE "/crio-" CRIO_ID ".scope", ID, CRI, "17d8c9eacc62"},
	{11, K8S_SLICE "/crio-" CRIO_ID ".scope/container", ID, CRI, "17d8c9eacc62"},
	{12, K8S_SLICE "/crio-conmon-" CRIO_ID ".scope", HOST, NONE, ""},
	{13,
	 "/kubepods.slice/kubepods-burstable.slice/"
	 "kubepods-burstable-pod0f8a2b7c_1111_2222_3333_444455556666.slice/"
	 "cri-containerd-3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e.scope",
	 ID, CRI, "3ad7b26ded6d"},
	{14,
	 "/kubepods-burstable-podbd12dd3393227d950605a2444b13c27a.slice:cri-containerd:"
	 "d52db56a9c80d536a91354c0951c061187ca46249e64865a12703003d8f42366",
	 ID, CRI, "d52db56a9c80"},
	{15, "/k8s.io/3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e", ID, DOCKER,
	 "3ad7b26ded6d"},
	{16, "/system.slice/nerdctl-" C64 ".scope", ID, CRI, "0123456789ab"},
	{17, "/machine.slice/libpod-" P64 ".scope", ID, PODMAN, "1234567890ab"},
	{18, "/machine.slice/libpod-" P64 ".scope/container", ID, PODMAN, "1234567890ab"},
	{19, "/machine.slice/libpod-conmon-" P64 ".scope", HOST, NONE, ""},
	{20, "/libpod_parent/libpod-" P64, ID, PODMAN, "1234567890ab"},
	{21, "/system.slice/libpod-" P64, ID, PODMAN, "1234567890ab"},
	{22, USER_SVC "/user.slice/libpod-" P64 ".scope/container", ID, PODMAN, "1234567890ab"},
	{23, USER_SVC "/libpod-" P64, ID, PODMAN, "1234567890ab"},
	{24, USER_SVC "/podman-4242.scope/" H, ID, DOCKER, HS},
	{25, USER_SVC "/foo.service/" H, ID, DOCKER, HS},
	{26,
	 "/system.slice/system-ceph-f952f5be-565c-11f0-ab72-0affea283157.slice/"
	 "ceph-f952f5be-565c-11f0-ab72-0affea283157@mon.ip-10-0-25-96.service/"
	 "libpod-payload-9cc35a907a1e4e7ac8c021758b2bb28db60b3a787115f9114a641bf44f8ba99b",
	 ID, PODMAN, "9cc35a907a1e"},
	{27, USER_SVC "/libpod-" P64 P64, HOST, NONE, ""},
	{28, "/default/test_container", CAND, CTRD, "test_contain"},
	{29, "/default/abcdef123456", CAND, CTRD, "abcdef123456"},
	{30, "/default/a", CAND, CTRD, "a"},
	{31, "/my_very_long_namespace-1.5/test_container", CAND, CTRD, "test_contain"},
	{32, "/my.namespace/container.name", CAND, CTRD, "container.na"},
	{33, "/k8s.io/my-test_container", CAND, CTRD, "my-test_cont"},
	{34, "/default/service.container", CAND, CTRD, "service.cont"},
	{35, "/default/some_short_id.service", HOST, NONE, ""},
	{36, "/default/some_short_id.slice", HOST, NONE, ""},
	{37, "/default/some_short_id.scope", HOST, NONE, ""},
	{38, "/namespace/.scope", HOST, NONE, ""},
	{39, "/default/" H, ID, DOCKER, HS},
	{40, "/docker/" H60, CAND, CTRD, HS},
	{41, "/lxc/mycontainer", REC, LXC, "mycontainer"},
	{42, "/lxc/mycontainer/init.scope", REC, LXC, "mycontainer"},
	{43, "/lxc.payload/mycontainer", REC, LXC, "mycontainer"},
	{44, "/lxc.payload.mycontainer", REC, LXC, "mycontainer"},
	{45, "/lxc.payload.mycontainer/init.scope", REC, LXC, "mycontainer"},
	{46, "/lxc.monitor.mycontainer", HOST, NONE, ""},
	{47, LIBVIRT_SCOPE, REC, LIBVIRT, LIBVIRT_ID},
	{48, LIBVIRT_SCOPE "/libvirt", REC, LIBVIRT, LIBVIRT_ID},
	{49, "/machine/libvirt-container.libvirt-lxc", REC, LIBVIRT, "libvirt-container"},
	{50, "/libvirt/lxc/libvirt-container", REC, LIBVIRT, "libvirt-container"},
	{51, "/system.slice/bpm-b3f4c1d2-aaaa-4bbb-8ccc-1234567890ab.scope", REC, BPM,
	 "b3f4c1d2-aaaa-4bbb-8ccc-1234567890ab"},
	{52, "/bpm-web.0_route-emitter", REC, BPM, "web.0_route-emitter"},
	{53, "/bpm/bpm-web.0", REC, BPM, "web.0"},
	{54, "/", HOST, NONE, ""},
	{55, "/init.scope", HOST, NONE, ""},
	{56, "/user.slice/user-1000.slice/session-2.scope", HOST, NONE, ""},
	{57, "/system.slice/docker.service", HOST, NONE, ""},
	{58, USER_SVC "/init.scope", HOST, NONE, ""},
};

/*
 * docs/cgroups.md "Disabled engines": with lxc, libvirt-lxc and bpm disabled, their paths get
 * upstream's containerd-relaxed ids (41/43/48-50/53) or nothing at all.
 */
static const vector no_record_vectors[] = {
	{41, "/lxc/mycontainer", CAND, CTRD, "mycontainer"},
	{42, "/lxc/mycontainer/init.scope", HOST, NONE, ""},
	{43, "/lxc.payload/mycontainer", CAND, CTRD, "mycontainer"},
	{44, "/lxc.payload.mycontainer", HOST, NONE, ""},
	{45, "/lxc.payload.mycontainer/init.scope", HOST, NONE, ""},
	{47, LIBVIRT_SCOPE, HOST, NONE, ""},
	{48, LIBVIRT_SCOPE "/libvirt", CAND, CTRD, "machine-lxc\\"},
	{49, "/machine/libvirt-container.libvirt-lxc", CAND, CTRD, "libvirt-cont"},
	{50, "/libvirt/lxc/libvirt-container", CAND, CTRD, "lxc/libvirt-"},
	{51, "/system.slice/bpm-b3f4c1d2-aaaa-4bbb-8ccc-1234567890ab.scope", HOST, NONE, ""},
	{52, "/bpm-web.0_route-emitter", HOST, NONE, ""},
	{53, "/bpm/bpm-web.0", CAND, CTRD, "bpm-web.0"},
};

/* Damaged ids: one character short, long or wrong never makes a strict id. */
static const vector damaged_ids[] = {
	/* 63 hex under a namespace-like parent: only the relaxed rule takes it. */
	{0, "/docker/" H63, CAND, CTRD, HS},
	{0, "/system.slice/docker-" H63 ".scope", HOST, NONE, ""},
	{0, "/system.slice/docker-" H "0.scope", HOST, NONE, ""},
	{0, "/system.slice/docker-" H63 "z.scope", HOST, NONE, ""},
	{0, "/machine.slice/libpod-" H63 "z.scope/container", HOST, NONE, ""},
	{0, "/kubepods/besteffort/pod1/" H63 "Z", HOST, NONE, ""},
	{0, "/default/" H63 "-", HOST, NONE, ""},
	{0, "/default/" H "0", HOST, NONE, ""},
	{0, "/k8s.io/" H63, CAND, CTRD, HS},
	/* Case is preserved, upper-case hex is hex. */
	{0, "/docker/" H_UPPER, ID, DOCKER, "7951FB549AB9"},
	{0, "/system.slice/docker-" H_UPPER ".scope", ID, DOCKER, "7951FB549AB9"},
};

/*
 * Cgroup paths from the kernel are canonical, so ".." is just two characters:
 * the rules stay textual. A 64-hex last component is an id wherever it sits;
 * ".." as a last component or as a namespace is not special either.
 */
static const vector traversal[] = {
	{0, "/docker/../" H, ID, DOCKER, HS},
	{0, "/../" H, ID, DOCKER, HS},
	{0, "/docker/" H "/..", HOST, NONE, ""},
	{0, "/default/../x", CAND, CTRD, "../x"},
	{0, "/../x", HOST, NONE, ""},
	{0, "/./x", HOST, NONE, ""},
	{0, "/lxc/../x", REC, LXC, ".."},
};

/* docs/decisions.md #1: these shapes are candidates; the plugin keeps them host. */
static const vector conmon_and_sandboxes[] = {
	{0, "/libpod_parent/conmon", CAND, CTRD, "conmon"},
	{0, "/process_api/0123456789abcdef0123456789abcdef", CAND, CTRD, "0123456789ab"},
	{0, "/libpod_parent/libpod-conmon-" P64, HOST, NONE, ""},
	{0, "/system.slice/crio-conmon-" C64 ".scope", HOST, NONE, ""},
	{0, USER_SVC "/user.slice/libpod-conmon-" P64 ".scope", HOST, NONE, ""},
	{0, "/system.slice/containerd.service", HOST, NONE, ""},
	{0, "/system.slice/containerd-shim.slice", HOST, NONE, ""},
};

/* Root-ish, relative and malformed shapes. */
static const vector odd_shapes[] = {
	{0, "/", HOST, NONE, ""},
	{0, "//", HOST, NONE, ""},
	{0, "///", HOST, NONE, ""},
	{0, "default/x", HOST, NONE, ""},
	{0, "docker/" H, ID, DOCKER, HS},
	{0, "/-a/x", HOST, NONE, ""},
	{0, "/a-/x", HOST, NONE, ""},
	{0, "/a..b/x", HOST, NONE, ""},
	{0, "/a-/b/x", CAND, CTRD, "x"},
	{0, "/lxc/", HOST, NONE, ""},
	{0, "/lxc//x", CAND, CTRD, "/x"},
	{0, "/lxc.payload.", HOST, NONE, ""},
	{0, "/bpm-", HOST, NONE, ""},
	{0, "/bpm-a b", HOST, NONE, ""},
	{0, "/bpm-x.scope/extra", REC, BPM, "x"},
	{0, "/system.slice/bpm-x/y", CAND, CTRD, "bpm-x/y"},
	{0, "/.libvirt-lxc", HOST, NONE, ""},
	{0, "x.libvirt-lxc", HOST, NONE, ""},
	{0, "/m-lxc\\x2.scope", HOST, NONE, ""},
	{0, "/m-lxc\\x2d.scope", HOST, NONE, ""},
	{0, "/m-lxc\\x2dfoo.scope", REC, LIBVIRT, "foo"},
	{0, "/machine.slice/machine-lxc\\x2dfoo.scope/extra", CAND, CTRD, "machine-lxc\\"},
	{0, "/libvirt/lxc/", CAND, CTRD, "lxc/"},
};

/* Bytes outside ASCII and control characters: never hex, never a namespace. */
static const vector odd_bytes[] = {
	{0, "/default/ab\x01\xff", CAND, CTRD, "ab\x01\xff"},
	{0, "/docker/\xff" H63, HOST, NONE, ""},
	{0, "/docker/" H63 "\xe9", HOST, NONE, ""},
	{0, "/na\xffme/x", HOST, NONE, ""},
	{0, "/docker/\n", CAND, CTRD, "\n"},
	{0, "/bpm-\xc3\xa9", HOST, NONE, ""},
	/* An embedded NUL ends the path: what follows is never read. */
	{0, "/docker/\0" H, HOST, NONE, ""},
};

static void check_vector(const cgroup_matchers* m, const vector* v)
{
	int before = test_failures_in_case;
	cgroup_match out;
	memset(&out, 0x5a, sizeof(out)); /* garbage: every field must be written */
	cgroup_kind k = cgroup_match_path(m, v->path, &out);
	CHECK_INT(k, v->kind);
	CHECK_INT(out.kind, v->kind);
	CHECK_INT(out.engine, v->engine);
	REQUIRE(memchr(out.id, '\0', sizeof(out.id)) != NULL);
	CHECK_STR(out.id, v->id);
	if (test_failures_in_case != before)
		fprintf(stderr, "  ^ vector %d, path \"%.200s\"\n", v->n, v->path);
}

static void check_table(cgroup_engine_mask enabled, const vector* vs, size_t n)
{
	cgroup_matchers m = {.enabled = enabled, .static_id = NULL};
	for (size_t i = 0; i < n; i++)
		check_vector(&m, &vs[i]);
}

#define CHECK_TABLE(enabled, table)                                                                               \
	check_table((enabled), (table), sizeof(table) / sizeof(table[0]))

TEST(test_constants_are_what_the_vectors_assume)
{
	CHECK_INT(strlen(H), 64);
	CHECK_INT(strlen(H63), 63);
	CHECK_INT(strlen(H60), 60);
	CHECK_INT(strncmp(H, H63, 63), 0);
	CHECK_INT(strncmp(H, H60, 60), 0);
	CHECK_INT(strlen(P64), 64);
	CHECK_INT(strlen(C64), 64);
	CHECK_INT(strlen(CRIO_ID), 64);
	CHECK_INT(sizeof(spec_vectors) / sizeof(spec_vectors[0]), 58);
}

TEST(test_spec_vectors_1_to_58)
{
	CHECK_TABLE(ALL_ENGINES, spec_vectors);
}

/* Vector 59: static is exclusive, so every other engine being on changes nothing. */
TEST(test_spec_vector_59_static)
{
	cgroup_matchers m = {.enabled = ALL_ENGINES | BIT(STATIC), .static_id = "fargate-1"};
	for (size_t i = 0; i < sizeof(spec_vectors) / sizeof(spec_vectors[0]); i++) {
		vector v = {59, spec_vectors[i].path, REC, STATIC, "fargate-1"};
		check_vector(&m, &v);
	}
	vector empty = {59, "", HOST, NONE, ""};
	check_vector(&m, &empty);
	m.enabled = BIT(STATIC);
	vector any = {59, "/anything at all", REC, STATIC, "fargate-1"};
	check_vector(&m, &any);
}

TEST(test_spec_note_record_engines_disabled)
{
	CHECK_TABLE(NO_RECORD_ENGINES, no_record_vectors);
}

TEST(test_damaged_ids)
{
	CHECK_TABLE(ALL_ENGINES, damaged_ids);
}

TEST(test_traversal_shapes)
{
	CHECK_TABLE(ALL_ENGINES, traversal);
}

TEST(test_conmon_and_sandbox_shapes)
{
	CHECK_TABLE(ALL_ENGINES, conmon_and_sandboxes);
}

TEST(test_odd_shapes)
{
	CHECK_TABLE(ALL_ENGINES, odd_shapes);
}

TEST(test_odd_bytes)
{
	CHECK_TABLE(ALL_ENGINES, odd_bytes);
}

TEST(test_empty_and_null)
{
	cgroup_matchers m = {.enabled = ALL_ENGINES | BIT(STATIC), .static_id = "s"};
	cgroup_match out;
	CHECK_INT(cgroup_match_path(&m, "", &out), HOST);
	CHECK_INT(out.kind, HOST);
	CHECK_INT(out.engine, NONE);
	CHECK_STR(out.id, "");
	CHECK_INT(cgroup_match_path(&m, NULL, &out), HOST);
	CHECK_INT(cgroup_match_path(NULL, "/docker/" H, &out), HOST);
	CHECK_STR(out.id, "");
	m.enabled = ALL_ENGINES;
	CHECK_INT(cgroup_match_path(&m, "/docker/" H, NULL), ID);
	CHECK_INT(cgroup_match_path(&m, "/default/x", NULL), CAND);
}

TEST(test_engine_selection)
{
	static const vector cri_only[] = {
		{1, "/docker/" H, ID, CRI, HS},
		{2, "/system.slice/docker-" H ".scope", ID, CRI, HS},
		{17, "/machine.slice/libpod-" P64 ".scope", HOST, NONE, ""},
		{28, "/default/test_container", HOST, NONE, ""},
	};
	static const vector containerd_only[] = {
		/* The relaxed rule seeing 64 hex is as strict as a layout: an id. */
		{39, "/default/" H, ID, CTRD, HS},
		{15, "/k8s.io/" H, ID, CTRD, HS},
		{1, "/docker/" H, ID, CTRD, HS},
		{2, "/system.slice/docker-" H ".scope", HOST, NONE, ""},
		{7, "/default/" H63 "g", HOST, NONE, ""},
		{28, "/default/test_container", CAND, CTRD, "test_contain"},
		{41, "/lxc/mycontainer", CAND, CTRD, "mycontainer"},
	};
	static const vector docker_off[] = {
		{1, "/docker/" H, ID, CRI, HS},
		{2, "/system.slice/docker-" H ".scope", ID, CRI, HS},
	};
	static const vector podman_only[] = {
		{1, "/docker/" H, HOST, NONE, ""},
		{20, "/libpod_parent/libpod-" P64, ID, PODMAN, "1234567890ab"},
	};
	static const vector no_podman[] = {
		{17, "/machine.slice/libpod-" P64 ".scope", HOST, NONE, ""},
		{20, "/libpod_parent/libpod-" P64, HOST, NONE, ""},
	};
	static const vector none[] = {
		{1, "/docker/" H, HOST, NONE, ""},
		{28, "/default/test_container", HOST, NONE, ""},
		{41, "/lxc/mycontainer", HOST, NONE, ""},
		{52, "/bpm-web.0_route-emitter", HOST, NONE, ""},
	};
	CHECK_TABLE(BIT(CRI), cri_only);
	CHECK_TABLE(ALL_ENGINES & ~BIT(DOCKER), docker_off);
	CHECK_TABLE(BIT(CTRD), containerd_only);
	CHECK_TABLE(BIT(PODMAN), podman_only);
	CHECK_TABLE(ALL_ENGINES & ~BIT(PODMAN), no_podman);
	CHECK_TABLE(0, none);
}

/* libvirt-lxc runs before lxc, or "/lxc/" would claim the legacy layout. */
TEST(test_libvirt_before_lxc)
{
	static const vector lxc_only[] = {
		{50, "/libvirt/lxc/libvirt-container", REC, LXC, "libvirt-container"},
	};
	CHECK_TABLE(BIT(LXC), lxc_only);
}

static void fill(char* buf, size_t* at, const char* s, size_t times)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < times; i++, *at += n)
		memcpy(buf + *at, s, n);
	buf[*at] = '\0';
}

/* Builds head + times * rep + tail into buf (sized for 10 KB and more). */
static const char* build(char* buf, const char* head, const char* rep, size_t times,
                         const char* tail)
{
	size_t at = 0;
	fill(buf, &at, head, 1);
	fill(buf, &at, rep, times);
	fill(buf, &at, tail, 1);
	return buf;
}

/* Each case reuses buf, so they are checked one at a time. */
TEST(test_very_long_paths)
{
	static char buf[24 * 1024];
	cgroup_matchers m = {.enabled = ALL_ENGINES, .static_id = NULL};
	check_vector(&m, &(vector){0, build(buf, "/", "a", 10000, "/" H), ID, DOCKER, HS});
	check_vector(&m, &(vector){0, build(buf, "", "/docker-", 1200, H ".scope"), ID, DOCKER,
	                           HS});
	check_vector(&m, &(vector){0, build(buf, "", "/a", 5000, ""), CAND, CTRD, "a"});
	check_vector(&m, &(vector){0, build(buf, "", "/k8s.io", 1500, "/x"), CAND, CTRD, "x"});
	check_vector(&m, &(vector){0, build(buf, "/default/", "x", 10000, ""), HOST, NONE, ""});
	check_vector(&m, &(vector){0, build(buf, "/lxc/", "n", 10000, ""), HOST, NONE, ""});
	check_vector(&m, &(vector){0, build(buf, "/libvirt/lxc/", "n", 10000, ""), HOST, NONE, ""});
	check_vector(&m, &(vector){0, build(buf, "/bpm-", "n", 10000, ""), HOST, NONE, ""});
	check_vector(&m, &(vector){0, build(buf, "", "/", 10000, ""), HOST, NONE, ""});
	check_vector(&m, &(vector){0, build(buf, "", "-lxc\\x2", 1400, ".scope"), HOST, NONE, ""});
	check_vector(&m, &(vector){0, build(buf, "/machine-lxc\\x2d", "a", 10000, ".scope"), HOST,
	                           NONE, ""});
	m.enabled |= BIT(STATIC);
	m.static_id = "fargate-1";
	check_vector(&m, &(vector){0, build(buf, "/", "a", 10000, ""), REC, STATIC, "fargate-1"});
}

/* Record ids are kept whole, so the longest one must fit CGROUP_ID_MAX with its NUL. */
TEST(test_record_id_length_limit)
{
	static char buf[1024], id[CGROUP_ID_MAX + 1];
	cgroup_matchers m = {.enabled = ALL_ENGINES, .static_id = NULL};
	memset(id, 'n', CGROUP_ID_MAX - 1);
	id[CGROUP_ID_MAX - 1] = '\0';
	check_vector(&m, &(vector){0, build(buf, "/lxc/", "n", CGROUP_ID_MAX - 1, ""), REC, LXC,
	                           id});
	check_vector(&m, &(vector){0, build(buf, "/bpm-", "n", CGROUP_ID_MAX - 1, ".scope"), REC,
	                           BPM, id});
	check_vector(&m, &(vector){0, build(buf, "/libvirt/lxc/", "n", CGROUP_ID_MAX - 1, ""), REC,
	                           LIBVIRT, id});
	check_vector(&m, &(vector){0, build(buf, "/lxc/", "n", CGROUP_ID_MAX, ""), HOST, NONE, ""});
	check_vector(&m, &(vector){0, build(buf, "/bpm-", "n", CGROUP_ID_MAX, ""), HOST, NONE, ""});
	check_vector(&m, &(vector){0, build(buf, "/x/", "n", CGROUP_ID_MAX, ".libvirt-lxc"), HOST,
	                           NONE, ""});
}

/* Static ids are used verbatim: one that cannot be stored whole gives host. */
TEST(test_static_id_edge_cases)
{
	static char id[CGROUP_ID_MAX + 1];
	cgroup_matchers m = {.enabled = BIT(STATIC), .static_id = NULL};
	check_vector(&m, &(vector){59, "/docker/" H, HOST, NONE, ""});
	m.static_id = "";
	check_vector(&m, &(vector){59, "/docker/" H, HOST, NONE, ""});
	memset(id, 's', CGROUP_ID_MAX - 1);
	m.static_id = id;
	check_vector(&m, &(vector){59, "/", REC, STATIC, id});
	id[CGROUP_ID_MAX - 1] = 's';
	check_vector(&m, &(vector){59, "/", HOST, NONE, ""});
	m.static_id = "a long id, not truncated to 12: kept as configured";
	check_vector(&m, &(vector){59, "/", REC, STATIC, m.static_id});
}

typedef struct layout_case {
	const char* path;
	const char* prefix;
	const char* suffix;
	const char* id; /* NULL: no match */
} layout_case;

TEST(test_match_layout)
{
	static const layout_case cases[] = {
		{"/docker/" H, "/", "", HS},
		{"/system.slice/docker-" H ".scope/extra", "/docker-", ".scope", HS},
		{"/machine.slice/libpod-" P64 ".scope/container", "/libpod-", ".scope/container",
		 "1234567890ab"},
		{"/x.slice:cri-containerd:" H, ":cri-containerd:", "", HS},
		{"/docker/" H_UPPER, "/", "", "7951FB549AB9"},
		/* The candidate keeps the suffix when the layout does not name it. */
		{"/system.slice/docker-" H ".scope", "/docker-", "", NULL},
		/* Last occurrences: a later "/docker-" or an earlier-only suffix spoils it. */
		{"/system.slice/docker-" H ".scope/docker-x", "/docker-", ".scope", NULL},
		{"/a.scope/docker-" H, "/docker-", ".scope", NULL},
		{"/docker/" H, "/docker/", ".scope", NULL},
		{"/docker/" H, "/nope-", "", NULL},
		{"/docker/" H, "", "", NULL},
		{"/docker/" H63 "g", "/", "", NULL},
		{"/docker/" H "0", "/", "", NULL},
		{"/docker/" H63, "/", "", NULL},
		{"", "/", "", NULL},
		{"/", "/", "", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const layout_case* c = &cases[i];
		char id[CGROUP_ID_MAX] = "untouched";
		bool ok = cgroup_match_layout(c->path, c->prefix, c->suffix, id);
		CHECK_INT(ok, c->id != NULL);
		CHECK_STR(id, c->id ? c->id : "untouched");
	}
}

TEST(test_match_layout_null_arguments)
{
	char id[CGROUP_ID_MAX] = "untouched";
	CHECK(!cgroup_match_layout(NULL, "/", "", id));
	CHECK(!cgroup_match_layout("/docker/" H, NULL, "", id));
	CHECK(!cgroup_match_layout("/docker/" H, "/", NULL, id));
	CHECK(!cgroup_match_layout("/docker/" H, "/", "", NULL));
	CHECK_STR(id, "untouched");
}

TEST_MAIN(T(test_constants_are_what_the_vectors_assume), T(test_spec_vectors_1_to_58),
          T(test_spec_vector_59_static), T(test_spec_note_record_engines_disabled),
          T(test_damaged_ids), T(test_traversal_shapes), T(test_conmon_and_sandbox_shapes),
          T(test_odd_shapes), T(test_odd_bytes), T(test_empty_and_null), T(test_engine_selection),
          T(test_libvirt_before_lxc), T(test_very_long_paths), T(test_record_id_length_limit),
          T(test_static_id_edge_cases), T(test_match_layout), T(test_match_layout_null_arguments))
