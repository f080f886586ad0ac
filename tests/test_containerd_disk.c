/*
 * containerd's own database (plugin/engines/containerd_disk.c and bolt.c),
 * on bbolt files written by tests/bolt_writer.c in containerd's layout:
 * v1/default/{containers/<id>/..., images/<name>/target/...}, 512-byte pages
 * so that the containers bucket needs a branch page over several leaves and
 * the leaves overflow. The record equals the one the API's mapping makes of
 * the same container (tests/integration/test_containerd_native.c checks the
 * same against real containerd 1.6 and 1.7); damaged files give no record and
 * no crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bolt.h"
#include "bolt_writer.h"
#include "containerd_disk.h"
#include "ctr_json.h"
#include "test.h"

#define PAGE 512
#define N_CTRS 60
#define PER_LEAF 8
#define IMAGE "registry.example/app:1.0"
#define DIGEST "sha256:0123456789abcdef"
#define CREATED 1700000000ll
#define SPEC "{\"process\":{\"env\":[\"A=1\"],\"user\":{\"uid\":7}},\"mounts\":[]}"

static char path[64];
static const containerd_map_opts opts = {100, false};

/* Go's time.MarshalBinary of CREATED, UTC. */
static void go_time(uint8_t out[15])
{
	uint64_t sec = (uint64_t)(CREATED + 62135596800ll);
	out[0] = 1;
	for (int i = 0; i < 8; i++)
		out[1 + i] = (uint8_t)(sec >> (56 - 8 * i));
	memset(out + 9, 0, 4);
	out[13] = out[14] = 0xff;
}

static uint8_t* spec_any(size_t* len)
{
	Ctrd__Any a = CTRD__ANY__INIT;
	a.type_url = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
	a.value.data = (uint8_t*)SPEC;
	a.value.len = strlen(SPEC);
	*len = ctrd__any__get_packed_size(&a);
	uint8_t* buf = malloc(*len);
	ctrd__any__pack(&a, buf);
	return buf;
}

/* One container's bucket value (inline): createdat, image, labels, spec. */
static uint8_t* container_value(size_t* len)
{
	uint8_t t[15];
	go_time(t);
	size_t ll, sl;
	bw_elem label[] = {{"team", "blue", 4, false}};
	uint8_t* labels = bw_bucket_inline(label, 1, &ll);
	uint8_t* spec = spec_any(&sl);
	bw_elem e[] = {{"createdat", t, 15, false},
	               {"image", IMAGE, strlen(IMAGE), false},
	               {"labels", labels, ll, true},
	               {"spec", spec, sl, false}};
	uint8_t* v = bw_bucket_inline(e, 4, len);
	free(labels);
	free(spec);
	return v;
}

/* images/<IMAGE>/target/{digest, size = 1234 as Go's zigzag varint}. */
static uint8_t* images_value(size_t* len)
{
	static const uint8_t size[] = {0xa4, 0x13};
	bw_elem t[] = {{"digest", DIGEST, strlen(DIGEST), false}, {"size", size, 2, false}};
	size_t tl, il;
	uint8_t* target = bw_bucket_inline(t, 2, &tl);
	bw_elem img[] = {{"target", target, tl, true}};
	uint8_t* image = bw_bucket_inline(img, 1, &il);
	bw_elem imgs[] = {{IMAGE, image, il, true}};
	uint8_t* v = bw_bucket_inline(imgs, 1, len);
	free(target);
	free(image);
	return v;
}

static char names[N_CTRS + 3][32];

/* The containers' leaves and the branch over them; the branch's page. */
static uint64_t containers_tree(bw* w)
{
	for (int i = 0; i < N_CTRS; i++)
		snprintf(names[i], sizeof(names[i]), "ctr-%03d", i);
	/* sorted after the ctr-* ones: bytewise order */
	snprintf(names[N_CTRS], sizeof(names[0]), "solo-abcdefghijk");
	snprintf(names[N_CTRS + 1], sizeof(names[0]), "web");
	snprintf(names[N_CTRS + 2], sizeof(names[0]), "web-2");
	size_t vl;
	uint8_t* v = container_value(&vl);
	uint64_t leaves[16];
	const char* first[16];
	size_t nl = 0, total = N_CTRS + 3;
	for (size_t at = 0; at < total; at += PER_LEAF) {
		bw_elem e[PER_LEAF];
		size_t n = 0;
		for (; n < PER_LEAF && at + n < total; n++)
			e[n] = (bw_elem){names[at + n], v, vl, true};
		first[nl] = names[at];
		leaves[nl++] = bw_leaf(w, e, n);
	}
	free(v);
	return bw_branch(w, leaves, first, nl);
}

/* The whole file; meta 0 and 1 both name its root unless told otherwise. */
static uint64_t write_db(bw* w)
{
	bw_init(w, PAGE);
	size_t cl, il, nl, vl;
	uint8_t* containers = bw_bucket_at(containers_tree(w), &cl);
	uint8_t* images = images_value(&il);
	bw_elem ns[] = {{"containers", containers, cl, true}, {"images", images, il, true}};
	uint8_t* def = bw_bucket_at(bw_leaf(w, ns, 2), &nl);
	bw_elem v1[] = {{"default", def, nl, true}};
	uint8_t* v1v = bw_bucket_at(bw_leaf(w, v1, 1), &vl);
	bw_elem root[] = {{"v1", v1v, vl, true}};
	uint64_t root_page = bw_leaf(w, root, 1);
	free(containers);
	free(images);
	free(def);
	free(v1v);
	bw_meta(w, 0, root_page, 1, false);
	bw_meta(w, 1, root_page, 2, false);
	return root_page;
}

/* What the API's mapping makes of the same container. */
static char* api_json(const char* id)
{
	Ctrd__Container c = CTRD__CONTAINER__INIT;
	Ctrd__Container__LabelsEntry l = CTRD__CONTAINER__LABELS_ENTRY__INIT;
	Ctrd__Container__LabelsEntry* lp = &l;
	Ctrd__Timestamp t = CTRD__TIMESTAMP__INIT;
	Ctrd__Any spec = CTRD__ANY__INIT;
	l.key = "team";
	l.value = "blue";
	t.seconds = CREATED;
	spec.value.data = (uint8_t*)SPEC;
	spec.value.len = strlen(SPEC);
	c.id = (char*)id;
	c.image = IMAGE;
	c.labels = &lp;
	c.n_labels = 1;
	c.created_at = &t;
	c.spec = &spec;
	containerd_extra x = {.image_digest = DIGEST, .image_size = 1234};
	char err[256];
	ctr_record* r = containerd_record(&c, &x, &opts, err, sizeof(err));
	char* j = r ? ctr_json_encode(r) : NULL;
	ctr_record_unref(r);
	return j;
}

/* The record for key, as JSON (NULL when none); the error into err. */
static char* disk_json(const char* key, char* err, size_t errlen)
{
	ctr_record* r = containerd_disk_record(path, key, &opts, err, errlen);
	char* j = r ? ctr_json_encode(r) : NULL;
	ctr_record_unref(r);
	return j;
}

static void check_same(const char* key, const char* id)
{
	char err[256];
	char *d = disk_json(key, err, sizeof(err)), *a = api_json(id);
	if (!d)
		fprintf(stderr, "  %s: %s\n", key, err);
	CHECK(d && a && !strcmp(d, a));
	if (d && a && strcmp(d, a))
		fprintf(stderr, "  disk %s\n  api  %s\n", d, a);
	free(d);
	free(a);
}

static void check_none(const char* key, const char* why)
{
	char err[256];
	char* d = disk_json(key, err, sizeof(err));
	CHECK(!d);
	if (why)
		CHECK(strstr(err, why) != NULL);
	free(d);
}

static void setup(void)
{
	snprintf(path, sizeof(path), "/tmp/test_ctrd_disk.XXXXXX");
	int fd = mkstemp(path);
	if (fd >= 0)
		close(fd);
}

TEST(record_by_id_and_by_prefix)
{
	setup();
	bw w;
	write_db(&w);
	REQUIRE(bw_save(&w, path));
	const char* seed = getenv("FUZZ_BOLT_SEED"); /* fuzz/corpus/fuzz_bolt's seed */
	if (seed)
		CHECK(bw_save(&w, seed));
	check_same("ctr-000", "ctr-000");
	check_same("ctr-042", "ctr-042");
	check_same("ctr-059", "ctr-059");
	check_same("solo-abcdefg", "solo-abcdefghijk"); /* a candidate's 12-character id */
	check_same("web", "web");                       /* exact, though web-2 starts so too */
	check_none("ctr-04", "more than one");
	check_none("nope", NULL);
	check_none("", NULL);
	bw_free(&w);
	unlink(path);
}

TEST(newest_valid_meta_page)
{
	setup();
	bw w;
	uint64_t root = write_db(&w);
	bw_elem none[] = {{"other", "x", 1, false}};
	uint64_t empty = bw_leaf(&w, none, 1);
	bw_meta(&w, 0, root, 1, false);
	bw_meta(&w, 1, empty, 2, false); /* newer: a root without v1 */
	REQUIRE(bw_save(&w, path));
	check_none("ctr-001", NULL);
	bw_meta(&w, 1, empty, 2, true); /* newer but damaged: meta 0 counts */
	REQUIRE(bw_save(&w, path));
	check_same("ctr-001", "ctr-001");
	bw_meta(&w, 0, root, 1, true);
	REQUIRE(bw_save(&w, path));
	check_none("ctr-001", "not a bbolt file");
	bw_free(&w);
	unlink(path);
}

/* Page P's id (first 8 bytes) set to ID. */
static void set_page_id(bw* w, uint64_t p, uint64_t id)
{
	memcpy(w->buf + p * PAGE, &id, 8);
}

TEST(damaged_files_give_no_record)
{
	setup();
	bw w;
	uint64_t root = write_db(&w);
	/* the first leaf of the containers (page 2) rewritten under our feet */
	set_page_id(&w, 2, 99);
	REQUIRE(bw_save(&w, path));
	check_none("ctr-001", NULL);
	check_same("ctr-042", "ctr-042"); /* other leaves still read */
	set_page_id(&w, 2, 2);
	/* a branch whose child is itself: bounded */
	uint64_t self = w.len / PAGE;
	const char* k[] = {"a"};
	uint64_t child[] = {self};
	REQUIRE(bw_branch(&w, child, k, 1) == self);
	bw_elem loop[] = {{"v1", NULL, 0, true}};
	size_t bl;
	uint8_t* b = bw_bucket_at(self, &bl);
	loop[0].val = b;
	loop[0].vlen = bl;
	uint64_t loop_root = bw_leaf(&w, loop, 1);
	free(b);
	bw_meta(&w, 0, loop_root, 1, false);
	bw_meta(&w, 1, loop_root, 2, false);
	REQUIRE(bw_save(&w, path));
	check_none("ctr-001", NULL);
	/* a root beyond the file's pages, and a truncated file */
	bw_meta(&w, 1, root + 1000, 3, false);
	REQUIRE(bw_save(&w, path));
	check_none("ctr-001", NULL);
	bw_meta(&w, 1, root, 3, false);
	w.len = 3 * PAGE;
	REQUIRE(bw_save(&w, path));
	check_none("ctr-001", NULL);
	bw_free(&w);
	unlink(path);
}

/* A file larger than one handle may read: the walk stops at the budget. */
TEST(reads_are_bounded)
{
	setup();
	bw w;
	write_db(&w);
	REQUIRE(bw_save(&w, path));
	char err[256];
	bolt* db = bolt_open(path, err, sizeof(err));
	REQUIRE(db);
	bolt_bucket root = bolt_root(db), v1, ns, cs;
	REQUIRE(bolt_bucket_get(db, &root, "v1", &v1));
	REQUIRE(bolt_bucket_get(db, &v1, "default", &ns));
	REQUIRE(bolt_bucket_get(db, &ns, "containers", &cs));
	int ok = 0;
	for (int i = 0; i < 2 * BOLT_MAX_PAGES; i++) {
		bolt_item it;
		ok += bolt_get(db, &cs, "ctr-030", 7, &it);
	}
	CHECK(ok > 0 && ok < 2 * BOLT_MAX_PAGES);
	bolt_close(db);
	bw_free(&w);
	unlink(path);
}

TEST_MAIN(T(record_by_id_and_by_prefix), T(newest_valid_meta_page),
          T(damaged_files_give_no_record), T(reads_are_bounded))
