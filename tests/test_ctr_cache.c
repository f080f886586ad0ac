/*
 * Unit tests for ctr_cache.c. Reference counts are checked explicitly; leaks
 * and double frees are left to ASan/LSan.
 */
#include "ctr_cache.h"

#include "test.h"

/* A record with that id and full id, holding one reference (the caller's). */
static ctr_record* rec(const char* id, const char* full_id)
{
	ctr_record* r = ctr_record_new();
	if (!r || !ctr_str_set(&r->id, id) || !ctr_str_set(&r->full_id, full_id))
		abort();
	return r;
}

static const char FULL_A[] = "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8";
static const char FULL_B[] = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e";

TEST(empty_cache)
{
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	CHECK_INT(ctr_cache_size(c), 0);
	CHECK(ctr_cache_get(c, "x") == NULL);
	CHECK(ctr_cache_get(c, "") == NULL);
	CHECK(ctr_cache_get(c, NULL) == NULL);
	CHECK(!ctr_cache_erase(c, "x"));
	CHECK(!ctr_cache_erase(c, NULL));
	ctr_cache_free(c);
	ctr_cache_free(NULL);
	CHECK_INT(ctr_cache_size(NULL), 0);
	CHECK(ctr_cache_get(NULL, "x") == NULL);
}

TEST(put_get_erase)
{
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	ctr_record* r = rec("7951fb549ab9", FULL_A);
	CHECK(ctr_cache_put(c, "7951fb549ab9", r));
	CHECK_INT(r->refs, 2);
	CHECK_INT(ctr_cache_size(c), 1);
	CHECK(ctr_cache_get(c, "7951fb549ab9") == r);
	CHECK(ctr_cache_get(c, FULL_A) == r);
	CHECK(ctr_cache_get(c, "7951fb549ab") == NULL);
	CHECK(ctr_cache_get(c, "") == NULL);
	CHECK_INT(r->refs, 2); /* get borrows */
	ctr_record_unref(r);   /* the cache now holds the only reference */
	CHECK_INT(ctr_cache_get(c, "7951fb549ab9")->refs, 1);
	CHECK(ctr_cache_erase(c, "7951fb549ab9")); /* frees it */
	CHECK_INT(ctr_cache_size(c), 0);
	CHECK(ctr_cache_get(c, "7951fb549ab9") == NULL);
	CHECK(ctr_cache_get(c, FULL_A) == NULL);
	CHECK(!ctr_cache_erase(c, "7951fb549ab9"));
	ctr_cache_free(c);
}

TEST(bad_arguments)
{
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	ctr_record* r = rec("a", "");
	CHECK(!ctr_cache_put(NULL, "a", r));
	CHECK(!ctr_cache_put(c, NULL, r));
	CHECK(!ctr_cache_put(c, "a", NULL));
	CHECK_INT(r->refs, 1);
	CHECK_INT(ctr_cache_size(c), 0);
	ctr_record_unref(r);
	ctr_cache_free(c);
}

TEST(replace)
{
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	ctr_record* r1 = rec("7951fb549ab9", FULL_A);
	ctr_record* r2 = rec("7951fb549ab9", FULL_B);
	CHECK(ctr_cache_put(c, "7951fb549ab9", r1));
	CHECK(ctr_cache_put(c, "7951fb549ab9", r2));
	CHECK_INT(ctr_cache_size(c), 1);
	CHECK_INT(r1->refs, 1);
	CHECK_INT(r2->refs, 2);
	CHECK(ctr_cache_get(c, "7951fb549ab9") == r2);
	CHECK(ctr_cache_get(c, FULL_A) == NULL); /* the old alias went with the old record */
	CHECK(ctr_cache_get(c, FULL_B) == r2);

	/* Putting the record already there keeps exactly one cache reference. */
	CHECK(ctr_cache_put(c, "7951fb549ab9", r2));
	CHECK_INT(r2->refs, 2);
	CHECK(ctr_cache_get(c, FULL_B) == r2);
	ctr_record_unref(r2);
	CHECK(ctr_cache_put(c, "7951fb549ab9", ctr_cache_get(c, "7951fb549ab9")));
	CHECK_INT(ctr_cache_get(c, "7951fb549ab9")->refs, 1);

	/* Replacing with a record without full id drops the alias. */
	CHECK(ctr_cache_put(c, "7951fb549ab9", r1));
	CHECK_INT(r1->refs, 2);
	CHECK(ctr_cache_get(c, FULL_B) == NULL);
	ctr_record_unref(r1);
	ctr_cache_free(c); /* frees r1 */
}

TEST(host_key_is_empty_string)
{
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	ctr_record* host = ctr_record_new_host();
	REQUIRE(host);
	CHECK(ctr_cache_put(c, "", host));
	ctr_record_unref(host);
	CHECK(ctr_cache_get(c, "") == host);
	CHECK_INT(ctr_cache_size(c), 1);
	/* Its full id "host" differs from the key "", so it is an alias too. */
	CHECK(ctr_cache_get(c, "host") == host);

	/* A real key always wins over an alias. */
	ctr_record* other = rec("host", "");
	CHECK(ctr_cache_put(c, "host", other));
	CHECK(ctr_cache_get(c, "host") == other);
	CHECK(ctr_cache_erase(c, "host"));
	CHECK(ctr_cache_get(c, "host") == host);
	CHECK_INT(other->refs, 1);
	ctr_record_unref(other);

	CHECK(ctr_cache_erase(c, ""));
	CHECK(ctr_cache_get(c, "") == NULL);
	CHECK(ctr_cache_get(c, "host") == NULL);
	ctr_cache_free(c);
}

TEST(alias_only_when_full_id_differs)
{
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	ctr_record* a = rec("admin", "admin"); /* native containerd: full id = id */
	ctr_record* b = rec("lxc1", "");
	CHECK(ctr_cache_put(c, "admin", a));
	CHECK(ctr_cache_put(c, "lxc1", b));
	CHECK(ctr_cache_get(c, "admin") == a);
	CHECK(ctr_cache_get(c, "lxc1") == b);
	CHECK(ctr_cache_erase(c, "admin"));
	CHECK(ctr_cache_get(c, "admin") == NULL);
	CHECK_INT(ctr_cache_size(c), 1);
	ctr_record_unref(a);
	ctr_record_unref(b);
	ctr_cache_free(c);
}

TEST(replacement_moves_alias)
{
	/* The cache keys on the record's own id strings (records are immutable
	 * once cached): replacing the record must move the alias with it. */
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	ctr_record* r = rec("3ad7b26ded6d", FULL_B);
	ctr_record* r2 = rec("3ad7b26ded6d", "3ad7b26ded6dffff");
	CHECK(ctr_cache_put(c, "3ad7b26ded6d", r));
	CHECK(ctr_cache_put(c, "3ad7b26ded6d", r2));
	ctr_record_unref(r); /* the cache dropped its reference: r is gone */
	CHECK(ctr_cache_get(c, FULL_B) == NULL);
	CHECK(ctr_cache_get(c, "3ad7b26ded6dffff") == r2);
	CHECK(ctr_cache_get(c, "3ad7b26ded6d") == r2);
	CHECK(ctr_cache_erase(c, "3ad7b26ded6d"));
	CHECK(ctr_cache_get(c, "3ad7b26ded6dffff") == NULL);
	ctr_record_unref(r2);
	ctr_cache_free(c);
}

TEST(shared_full_id_latest_wins)
{
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	ctr_record* a = rec("a", FULL_A);
	ctr_record* b = rec("b", FULL_A);
	CHECK(ctr_cache_put(c, "a", a));
	CHECK(ctr_cache_put(c, "b", b));
	CHECK(ctr_cache_get(c, FULL_A) == b);
	CHECK(ctr_cache_erase(c, "a")); /* must not take b's alias with it */
	CHECK(ctr_cache_get(c, FULL_A) == b);
	CHECK(ctr_cache_erase(c, "b"));
	CHECK(ctr_cache_get(c, FULL_A) == NULL);
	CHECK_INT(a->refs, 1);
	CHECK_INT(b->refs, 1);
	ctr_record_unref(a);
	ctr_record_unref(b);
	ctr_cache_free(c);
}

static void key_of(char* buf, size_t len, unsigned i)
{
	snprintf(buf, len, "%012x", i * 2654435761u);
}

static void full_of(char* buf, size_t len, unsigned i)
{
	snprintf(buf, len, "%012x%052u", i * 2654435761u, i);
}

TEST(ten_thousand_entries)
{
	enum { N = 10000 };
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	char key[16], full[72];
	for (unsigned i = 0; i < N; i++) {
		key_of(key, sizeof(key), i);
		full_of(full, sizeof(full), i);
		ctr_record* r = rec(key, full);
		CHECK(ctr_cache_put(c, key, r));
		ctr_record_unref(r);
	}
	CHECK_INT(ctr_cache_size(c), N);
	int missing = 0;
	for (unsigned i = 0; i < N; i++) {
		key_of(key, sizeof(key), i);
		full_of(full, sizeof(full), i);
		ctr_record* r = ctr_cache_get(c, key);
		missing += !r || strcmp(r->id, key) || ctr_cache_get(c, full) != r || r->refs != 1;
	}
	CHECK_INT(missing, 0);
	for (unsigned i = 0; i < N; i += 2) {
		key_of(key, sizeof(key), i);
		CHECK(ctr_cache_erase(c, key));
	}
	CHECK_INT(ctr_cache_size(c), N / 2);
	for (unsigned i = 0; i < N; i++) {
		key_of(key, sizeof(key), i);
		full_of(full, sizeof(full), i);
		bool want = i % 2;
		missing += (ctr_cache_get(c, key) != NULL) != want;
		missing += (ctr_cache_get(c, full) != NULL) != want;
	}
	CHECK_INT(missing, 0);
	for (unsigned i = 1; i < N - 10; i += 2) {
		key_of(key, sizeof(key), i);
		CHECK(ctr_cache_erase(c, key));
	}
	CHECK_INT(ctr_cache_size(c), 5);
	ctr_cache_free(c); /* frees the 5 left */
}

/* Random operations against a plain array model: catches probe-chain breakage on erase. */
TEST(random_against_model)
{
	enum { KEYS = 300, OPS = 60000 };
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	ctr_record* model[KEYS] = {0};
	size_t live = 0;
	unsigned seed = 12345;
	char key[16], full[72];
	int mismatches = 0;
	for (int op = 0; op < OPS; op++) {
		seed = seed * 1103515245u + 12345u;
		unsigned k = (seed >> 8) % KEYS;
		key_of(key, sizeof(key), k);
		full_of(full, sizeof(full), k);
		if ((seed >> 20) % 3) {
			ctr_record* r = rec(key, (seed >> 24) % 4 ? full : "");
			CHECK(ctr_cache_put(c, key, r));
			live += !model[k];
			if (model[k])
				ctr_record_unref(model[k]);
			model[k] = r; /* the model keeps the creator's reference */
		} else {
			mismatches += ctr_cache_erase(c, key) != (model[k] != NULL);
			live -= model[k] != NULL;
			ctr_record_unref(model[k]);
			model[k] = NULL;
		}
		unsigned probe = (seed >> 4) % KEYS;
		key_of(key, sizeof(key), probe);
		full_of(full, sizeof(full), probe);
		mismatches += ctr_cache_get(c, key) != model[probe];
		bool aliased = model[probe] && *model[probe]->full_id;
		mismatches += ctr_cache_get(c, full) != (aliased ? model[probe] : NULL);
	}
	CHECK_INT(mismatches, 0);
	CHECK_INT(ctr_cache_size(c), live);
	for (unsigned k = 0; k < KEYS; k++) {
		if (model[k]) {
			mismatches += model[k]->refs != 2;
			ctr_record_unref(model[k]);
		}
	}
	CHECK_INT(mismatches, 0);
	ctr_cache_free(c);
}

typedef struct walk {
	int calls;
	int stop_after;
	int bad;
	const ctr_cache* c;
} walk;

static bool visit(void* arg, const char* key, ctr_record* r)
{
	walk* w = arg;
	w->calls++;
	/* Keys are the cache keys, never the full ids. */
	w->bad += ctr_cache_get(w->c, key) != r || strcmp(key, r->id);
	return w->calls != w->stop_after;
}

TEST(foreach_and_early_stop)
{
	ctr_cache* c = ctr_cache_new();
	REQUIRE(c);
	walk w = {.c = c};
	CHECK(ctr_cache_foreach(c, visit, &w));
	CHECK_INT(w.calls, 0);
	char key[16], full[72];
	for (unsigned i = 0; i < 50; i++) {
		key_of(key, sizeof(key), i);
		full_of(full, sizeof(full), i);
		ctr_record* r = rec(key, full);
		CHECK(ctr_cache_put(c, key, r));
		ctr_record_unref(r);
	}
	w = (walk){.c = c};
	CHECK(ctr_cache_foreach(c, visit, &w));
	CHECK_INT(w.calls, 50);
	CHECK_INT(w.bad, 0);
	w = (walk){.c = c, .stop_after = 3};
	CHECK(!ctr_cache_foreach(c, visit, &w));
	CHECK_INT(w.calls, 3);
	CHECK(ctr_cache_foreach(NULL, visit, &w));
	ctr_cache_free(c);
}

TEST_MAIN(T(empty_cache), T(put_get_erase), T(bad_arguments), T(replace),
          T(host_key_is_empty_string), T(alias_only_when_full_id_differs),
          T(replacement_moves_alias), T(shared_full_id_latest_wins),
          T(ten_thousand_entries), T(random_against_model), T(foreach_and_early_stop))
