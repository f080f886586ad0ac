/*
 * Unit tests for engines/inspect.c: Docker and libpod documents → records,
 * list/event parsing, and hostile input. Fixtures under tests/data are shaped
 * like Docker API 1.41 and libpod 4.3 answers (docs/engines.md "Docker", "Podman"); variants are
 * made by editing a fixture with jansson, so each test names what it changes.
 */
#include "inspect.h"
#include "rest_event.h"
#include "values.h"

#include <jansson.h>
#include <stdint.h>

#include "test.h"

#ifndef TEST_DATA_DIR
#error "TEST_DATA_DIR must name the fixture directory"
#endif

#define NGINX_ID "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define NGINX_IMAGE_ID "a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6"
#define NGINX_DIGEST "sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d275"
#define MIRROR_DIGEST "sha256:0f2ab24c6aba5d96fcf6e7a736333f26dca1acf5fa8def4c276f6efc7d56251f"
#define TINY_IMAGE_ID "3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741"
#define SANDBOX_ID "4a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5"
#define PODMAN_ID "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"
#define INFRA_ID "5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"

/* ---- fixtures ------------------------------------------------------------ */

static char* load(const char* name, size_t* len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	FILE* f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "  cannot open %s\n", path);
		abort();
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char* buf = malloc((size_t)size + 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
		abort();
	fclose(f);
	buf[size] = '\0';
	if (len)
		*len = (size_t)size;
	return buf;
}

static json_t* load_json(const char* name)
{
	json_error_t e;
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", TEST_DATA_DIR, name);
	json_t* j = json_load_file(path, 0, &e);
	if (!j) {
		fprintf(stderr, "  %s: %s\n", path, e.text);
		abort();
	}
	return j;
}

/* Replaces (or deletes, when v is NULL) the member at a dotted path; steals v. */
static void set_at(json_t* root, const char* path, json_t* v)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	char* key = buf;
	for (char* dot; (dot = strchr(key, '.')); key = dot + 1) {
		*dot = '\0';
		root = json_object_get(root, key);
	}
	if (v)
		json_object_set_new(root, key, v);
	else
		json_object_del(root, key);
}

static const inspect_opts default_opts = {.label_max_len = 100, .with_size = false};

static ctr_record* docker_doc(json_t* doc, const char* image_file, const inspect_opts* o)
{
	char* text = json_dumps(doc, JSON_COMPACT);
	char* img = image_file ? load(image_file, NULL) : NULL;
	char err[256];
	ctr_record* r =
	    inspect_docker(text, strlen(text), img, img ? strlen(img) : 0, o, err, sizeof(err));
	if (!r)
		fprintf(stderr, "  inspect_docker: %s\n", err);
	free(text);
	free(img);
	return r;
}

/* The file with one member replaced (v stolen; NULL deletes it), as a docker record. */
static ctr_record* docker_variant(const char* file, const char* path, json_t* v,
                                  const char* image_file)
{
	json_t* doc = load_json(file);
	if (path)
		set_at(doc, path, v);
	ctr_record* r = docker_doc(doc, image_file, &default_opts);
	json_decref(doc);
	return r;
}

static ctr_record* nginx_with(const char* path, json_t* v)
{
	return docker_variant("docker_inspect_nginx.json", path, v, "docker_image_nginx.json");
}

static ctr_record* podman_file(const char* file)
{
	size_t len;
	char* text = load(file, &len);
	char err[256];
	ctr_record* r = inspect_podman(text, len, &default_opts, err, sizeof(err));
	if (!r)
		fprintf(stderr, "  inspect_podman: %s\n", err);
	free(text);
	return r;
}

/* inspect_docker on literal text; returns the record and leaves the message in err. */
static ctr_record* docker_text(const char* text, size_t len, char* err, size_t errlen)
{
	return inspect_docker(text, len, NULL, 0, &default_opts, err, errlen);
}

/* A document as a docker record with the default options, err kept. */
static ctr_record* inspect_doc_err(json_t* doc, char* err, size_t errlen)
{
	char* text = json_dumps(doc, JSON_COMPACT);
	ctr_record* r = text ? docker_text(text, strlen(text), err, errlen) : NULL;
	free(text);
	return r;
}

static const char* label(const ctr_record* r, const char* key)
{
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, key);
	return kv ? kv->value : NULL;
}

/* ---- docker --------------------------------------------------------------- */

TEST(docker_full_record)
{
	ctr_record* r = nginx_with(NULL, NULL);
	REQUIRE(r);
	CHECK_INT(r->type, CTR_TYPE_DOCKER);
	CHECK_STR(r->id, "7951fb549ab9");
	CHECK_STR(r->full_id, NGINX_ID);
	CHECK_STR(r->name, "web");
	CHECK_STR(r->image, "nginx:1.25-alpine");
	CHECK_STR(r->imageid, NGINX_IMAGE_ID);
	CHECK_STR(r->imagerepo, "nginx");
	CHECK_STR(r->imagetag, "1.25-alpine");
	CHECK_STR(r->imagedigest, NGINX_DIGEST); /* the nginx entry, not the mirror listed first */
	CHECK_STR(r->user, "");
	CHECK_STR(r->ip, "172.17.0.2");
	CHECK_STR(r->cni_json, "");
	CHECK_STR(r->pod_sandbox_id, "");
	CHECK(!r->privileged && !r->host_pid && !r->host_network && !r->host_ipc);
	CHECK(!r->is_pod_sandbox);
	CHECK_INT(r->memory_limit, 268435456);
	CHECK_INT(r->swap_limit, 536870912);
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpu_quota, 50000);
	CHECK_INT(r->cpuset_cpu_count, 2);
	CHECK_INT(r->created_time, 1730971086);
	CHECK_INT(r->size, 1093);

	REQUIRE(r->nenv == 2);
	CHECK_STR(r->env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	CHECK_STR(r->env[1], "NGINX_VERSION=1.25.5");

	/* The 123-byte "notes" label exceeds the default 100 and is dropped. */
	CHECK_INT(r->nlabels, 2);
	CHECK_STR(label(r, "maintainer"), "NGINX Docker Maintainers <docker-maint@nginx.com>");
	CHECK_STR(label(r, "com.example.team"), "web \"frontend\"");
	CHECK(!label(r, "com.example.notes"));
	CHECK_STR(r->labels_fmt, "com.example.team:web \"frontend\", "
	                         "maintainer:NGINX Docker Maintainers <docker-maint@nginx.com>");

	/* 443 → 127.0.0.1:8443 and 80 → 0.0.0.0:8080; "::", udp and null entries skipped. */
	REQUIRE(r->nports == 2);
	CHECK_INT(r->ports[0].container_port, 443);
	CHECK_INT(r->ports[0].host_port, 8443);
	CHECK_INT(r->ports[0].host_ip, 0x7f000001);
	CHECK_INT(r->ports[1].container_port, 80);
	CHECK_INT(r->ports[1].host_port, 8080);
	CHECK_INT(r->ports[1].host_ip, 0);

	REQUIRE(r->nmounts == 2);
	CHECK_STR(r->mounts[0].formatted, "/srv/www:/usr/share/nginx/html:ro:false:rprivate");
	CHECK(r->mounts[1].rw);
	CHECK_STR(r->mounts[1].dest, "/var/cache/nginx");
	CHECK_STR(r->mounts[1].propagation, "");

	const ctr_probe* hc = &r->probes[CTR_PROBE_HEALTHCHECK];
	REQUIRE(hc->present);
	CHECK_STR(hc->exe, "/bin/sh");
	REQUIRE(hc->nargs == 2);
	CHECK_STR(hc->args[0], "-c");
	CHECK_STR(hc->args[1], "curl -f http://localhost/ || exit 1");
	CHECK_STR(hc->formatted, "/bin/sh -c curl -f http://localhost/ || exit 1");
	CHECK(!r->probes[CTR_PROBE_LIVENESS].present && !r->probes[CTR_PROBE_READINESS].present);
	ctr_record_unref(r);
}

TEST(docker_without_image_document)
{
	ctr_record* r = docker_variant("docker_inspect_nginx.json", NULL, NULL, NULL);
	REQUIRE(r);
	CHECK_STR(r->imageid, NGINX_IMAGE_ID); /* the container's Image, sha256: dropped */
	CHECK_STR(r->imagerepo, "nginx");
	CHECK_STR(r->imagetag, "1.25-alpine");
	CHECK_STR(r->imagedigest, "");
	ctr_record_unref(r);
}

TEST(docker_user_network_nanocpus_image_id_reference)
{
	ctr_record* r =
	    docker_variant("docker_inspect_usernet.json", NULL, NULL, "docker_image_tiny.json");
	REQUIRE(r);
	CHECK_STR(r->name, "ec-worker");
	/* Top-level IPAddress is empty: first non-empty network in name order ("ec-net"). */
	CHECK_STR(r->ip, "10.98.0.2");
	CHECK_INT(r->cpu_quota, 50000); /* --cpus 0.5 shows only as NanoCpus */
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpu_shares, 512);
	CHECK_INT(r->cpuset_cpu_count, 2);
	CHECK_INT(r->memory_limit, 67108864);
	CHECK_INT(r->swap_limit, 134217728);
	CHECK(r->privileged && r->host_pid && !r->host_ipc && !r->host_network);
	CHECK_STR(r->user, "1000");
	CHECK_INT(r->nenv, 0);
	CHECK_INT(r->nlabels, 0);
	CHECK_INT(r->nmounts, 0);
	CHECK_INT(r->nports, 0);
	CHECK_INT(r->size, -1);
	CHECK_INT(r->created_time, 1731074553);
	/* Config.Image is an image id: repo and tag come from the image's RepoTags. */
	CHECK_STR(r->image, "sha256:" TINY_IMAGE_ID);
	CHECK_STR(r->imageid, TINY_IMAGE_ID);
	CHECK_STR(r->imagerepo, "localhost/tiny");
	CHECK_STR(r->imagetag, "1.0");
	CHECK_STR(r->imagedigest, ""); /* loaded from a tar: no RepoDigests */

	/* CMD with quoted words: every element normalized. */
	const ctr_probe* hc = &r->probes[CTR_PROBE_HEALTHCHECK];
	REQUIRE(hc->present);
	CHECK_STR(hc->exe, "/bin/busybox");
	REQUIRE(hc->nargs == 3);
	CHECK_STR(hc->args[0], "true");
	CHECK_STR(hc->args[1], "--quiet");
	CHECK_STR(hc->args[2], "plain");
	CHECK_STR(hc->formatted, "/bin/busybox true --quiet plain");
	ctr_record_unref(r);
}

TEST(docker_ip_fallback_order_and_validation)
{
	/* The address must be IPv4 text: garbage at top level falls back to the networks. */
	ctr_record* r = docker_variant("docker_inspect_nginx.json", "NetworkSettings.IPAddress",
	                               json_string("not-an-ip"), NULL);
	REQUIRE(r);
	CHECK_STR(r->ip, "172.17.0.2");
	ctr_record_unref(r);

	r = docker_variant("docker_inspect_nginx.json", "NetworkSettings.Networks", json_null(), NULL);
	REQUIRE(r);
	CHECK_STR(r->ip, "172.17.0.2");
	ctr_record_unref(r);

	json_t* doc = load_json("docker_inspect_nginx.json");
	set_at(doc, "NetworkSettings.IPAddress", json_string(""));
	set_at(doc, "NetworkSettings.Networks", json_pack("{s:{s:s}, s:{s:i}}", "b", "IPAddress",
	                                                   "fe80::1", "a", "IPAddress", 5));
	r = docker_doc(doc, NULL, &default_opts);
	json_decref(doc);
	REQUIRE(r);
	CHECK_STR(r->ip, "");
	ctr_record_unref(r);
}

TEST(docker_cpuset_counts)
{
	static const struct {
		const char* set;
		int64_t count;
	} cases[] = {
		{"0-1", 2},  {"1,7", 2},  {"1-4,7", 5}, {"0-5,8,14", 8}, {"3", 1},   {"", 0},
		{"abc", 0},  {"3-1", 0},  {"1,,2", 0},  {"1-", 0},       {"-1", 0},  {"1,", 0},
		{" 1", 0},   {"1-2-3", 0}, {"99999999999", 0}, {"0-4194304", 4194305},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctr_record* r = docker_variant("docker_inspect_nginx.json", "HostConfig.CpusetCpus",
		                               json_string(cases[i].set), NULL);
		REQUIRE(r);
		if (r->cpuset_cpu_count != cases[i].count)
			fprintf(stderr, "  cpuset \"%s\"\n", cases[i].set);
		CHECK_INT(r->cpuset_cpu_count, cases[i].count);
		ctr_record_unref(r);
	}
	ctr_record* r = docker_variant("docker_inspect_nginx.json", "HostConfig.CpusetCpus",
	                               json_integer(3), NULL);
	REQUIRE(r);
	CHECK_INT(r->cpuset_cpu_count, 0);
	ctr_record_unref(r);
}

TEST(docker_port_rules)
{
	json_error_t e;
	json_t* ports = json_loads(
	    "{\"80/tcp\": [{\"HostIp\": \"::\", \"HostPort\": \"80\"},"
	    "              {\"HostIp\": \"10.0.0.1\", \"HostPort\": \"65536\"},"
	    "              {\"HostIp\": \"10.0.0.1\", \"HostPort\": \"8x\"},"
	    "              {\"HostIp\": \"10.0.0.1\", \"HostPort\": \"\"},"
	    "              {\"HostIp\": \"10.0.0.1\", \"HostPort\": 81},"
	    "              {\"HostIp\": \"bogus\", \"HostPort\": \"1\"},"
	    "              {\"HostIp\": 5, \"HostPort\": \"7\"},"
	    "              \"garbage\", null,"
	    "              {\"HostIp\": \"10.0.0.1\", \"HostPort\": \"65535\"}],"
	    " \"abc/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"1\"}],"
	    " \"70000/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"2\"}],"
	    " \"22\": [{\"HostIp\": \"\", \"HostPort\": \"3\"}],"
	    " \"/tcp\": [{\"HostIp\": \"\", \"HostPort\": \"4\"}],"
	    " \"8080/tcp\": {\"HostIp\": \"\", \"HostPort\": \"5\"},"
	    " \"5432/tcp\": [{\"HostPort\": \"15432\"}]}",
	    0, &e);
	REQUIRE(ports);
	ctr_record* r =
	    docker_variant("docker_inspect_nginx.json", "NetworkSettings.Ports", ports, NULL);
	REQUIRE(r);
	REQUIRE(r->nports == 2);
	CHECK_INT(r->ports[0].container_port, 80);
	CHECK_INT(r->ports[0].host_port, 65535);
	CHECK_INT(r->ports[0].host_ip, 0x0a000001);
	CHECK_INT(r->ports[1].container_port, 5432); /* absent HostIp: all addresses */
	CHECK_INT(r->ports[1].host_port, 15432);
	CHECK_INT(r->ports[1].host_ip, 0);
	ctr_record_unref(r);

	r = docker_variant("docker_inspect_nginx.json", "NetworkSettings.Ports", json_string("x"),
	                   NULL);
	REQUIRE(r);
	CHECK_INT(r->nports, 0);
	ctr_record_unref(r);
}

/* Config.Image replaced by ref; the image document decides the rest. */
static ctr_record* nginx_ref(const char* ref, const char* image_file)
{
	return docker_variant("docker_inspect_nginx.json", "Config.Image", json_string(ref),
	                      image_file);
}

TEST(docker_image_rules)
{
	ctr_record* r = nginx_ref("registry.example.com:5000/mirror/nginx:1.25-alpine",
	                          "docker_image_nginx.json");
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "registry.example.com:5000/mirror/nginx");
	CHECK_STR(r->imagetag, "1.25-alpine");
	CHECK_STR(r->imagedigest, MIRROR_DIGEST);
	ctr_record_unref(r);

	r = nginx_ref("registry.example.com:5000/mirror/nginx", "docker_image_nginx.json");
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "registry.example.com:5000/mirror/nginx");
	CHECK_STR(r->imagetag, "latest");
	ctr_record_unref(r);

	r = nginx_ref("nginx", "docker_image_nginx.json");
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "nginx");
	CHECK_STR(r->imagetag, "latest");
	CHECK_STR(r->imagedigest, NGINX_DIGEST);
	ctr_record_unref(r);

	/* A digest-only reference: no tag is invented, the digest is the one written. */
	r = nginx_ref("nginx@sha256:1111111111111111111111111111111111111111111111111111111111111111",
	              "docker_image_nginx.json");
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "nginx");
	CHECK_STR(r->imagetag, "");
	CHECK_STR(r->imagedigest,
	          "sha256:1111111111111111111111111111111111111111111111111111111111111111");
	ctr_record_unref(r);

	/* Fully qualified Hub names match Docker's familiar RepoDigests entries. */
	r = nginx_ref("docker.io/library/nginx:1.25-alpine", "docker_image_nginx.json");
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "docker.io/library/nginx");
	CHECK_STR(r->imagetag, "1.25-alpine");
	CHECK_STR(r->imagedigest, NGINX_DIGEST);
	ctr_record_unref(r);
}

TEST(docker_image_id_references)
{
	/* Upstream's rule: repo of the first RepoDigests entry, its digest, its RepoTags tag. */
	ctr_record* r = nginx_ref("sha256:" NGINX_IMAGE_ID, "docker_image_nginx.json");
	REQUIRE(r);
	CHECK_STR(r->image, "sha256:" NGINX_IMAGE_ID);
	CHECK_STR(r->imagerepo, "registry.example.com:5000/mirror/nginx");
	CHECK_STR(r->imagedigest, MIRROR_DIGEST);
	CHECK_STR(r->imagetag, "1.25-alpine");
	ctr_record_unref(r);

	/* `docker run 3f57d9401f8d`: a hex prefix of the image id is an id, not a name. */
	r = nginx_ref("3f57d9401f8d", "docker_image_tiny.json");
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "localhost/tiny");
	CHECK_STR(r->imagetag, "1.0");
	CHECK_STR(r->imageid, TINY_IMAGE_ID); /* the image document's Id wins */
	ctr_record_unref(r);

	r = docker_variant("docker_inspect_nginx.json", "Config.Image",
	                   json_string("sha256:" NGINX_IMAGE_ID), NULL);
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "");
	CHECK_STR(r->imagetag, "");
	CHECK_STR(r->imagedigest, "");
	ctr_record_unref(r);

	/* A hex-looking name that is not a prefix of the image id stays a name. */
	r = nginx_ref("cafe", NULL);
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "cafe");
	CHECK_STR(r->imagetag, "latest");
	ctr_record_unref(r);
}

static ctr_record* with_digests(const char* ref, json_t* digests)
{
	json_t* doc = load_json("docker_inspect_nginx.json");
	json_t* img = json_pack("{s:s, s:o, s:[]}", "Id", "sha256:" NGINX_IMAGE_ID, "RepoDigests",
	                        digests, "RepoTags");
	set_at(doc, "Config.Image", json_string(ref));
	char* text = json_dumps(doc, 0);
	char* itext = json_dumps(img, 0);
	char err[128];
	ctr_record* r = inspect_docker(text, strlen(text), itext, strlen(itext), NULL, err,
	                               sizeof(err));
	free(text);
	free(itext);
	json_decref(doc);
	json_decref(img);
	return r;
}

TEST(docker_digest_fallbacks)
{
	ctr_record* r = with_digests("localhost/other:2", json_pack("[s,s]", "a@sha256:aa",
	                                                            "b@sha256:aa"));
	REQUIRE(r);
	CHECK_STR(r->imagedigest, "sha256:aa"); /* the only distinct digest */
	ctr_record_unref(r);

	r = with_digests("localhost/other:2", json_pack("[s,s]", "a@sha256:aa", "b@sha256:bb"));
	REQUIRE(r);
	CHECK_STR(r->imagedigest, "");
	ctr_record_unref(r);

	/* Malformed entries are ignored, never trusted. */
	r = with_digests("sha256:" NGINX_IMAGE_ID,
	                 json_pack("[i,s,s,s,s]", 1, "@sha256:cc", "nginx@", "plain", "x@sha256:dd"));
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "x");
	CHECK_STR(r->imagedigest, "sha256:dd");
	ctr_record_unref(r);
}

TEST(docker_label_max_len)
{
	json_t* doc = load_json("docker_inspect_nginx.json");
	json_t* labels = json_object_get(json_object_get(doc, "Config"), "Labels");
	json_object_set_new(labels, "empty", json_string(""));
	json_object_set_new(labels, "number", json_integer(7));
	json_object_set_new(labels, "object", json_object());
	json_object_set_new(labels, "nul", json_stringn("a\0b", 3));

	ctr_record* r = docker_doc(doc, NULL, &(inspect_opts){.label_max_len = 123});
	REQUIRE(r);
	CHECK_INT(r->nlabels, 5); /* 123 bytes is not longer than 123: kept */
	CHECK(label(r, "com.example.notes"));
	CHECK(!label(r, "number") && !label(r, "object"));
	const ctr_kv* nul = ctr_labels_find(r->labels, r->nlabels, "nul");
	REQUIRE(nul);
	CHECK_INT(nul->value_len, 3);
	CHECK(!memcmp(nul->value, "a\0b", 4));
	ctr_record_unref(r);

	r = docker_doc(doc, NULL, &(inspect_opts){.label_max_len = 0});
	REQUIRE(r);
	CHECK_INT(r->nlabels, 1);
	CHECK_STR(label(r, "empty"), "");
	ctr_record_unref(r);

	r = docker_doc(doc, NULL, &(inspect_opts){.label_max_len = -1});
	REQUIRE(r);
	CHECK_INT(r->nlabels, 0);
	CHECK_STR(r->labels_fmt, "");
	ctr_record_unref(r);

	r = docker_doc(doc, NULL, NULL); /* defaults: 100 */
	REQUIRE(r);
	CHECK_INT(r->nlabels, 4);
	ctr_record_unref(r);
	json_decref(doc);
}

static ctr_record* with_test(json_t* test)
{
	return docker_variant("docker_inspect_nginx.json", "Config.Healthcheck.Test", test, NULL);
}

TEST(docker_healthcheck_variants)
{
	json_t* none[] = {
		json_pack("[s]", "NONE"),
		json_pack("[s]", "CMD"),
		json_pack("[s]", "CMD-SHELL"),
		json_pack("[s]", "/bin/true"),
		json_pack("[s,s,s]", "CMD-SHELL", "a", "b"),
		json_pack("[s,i]", "CMD", 5),
		json_pack("[s,s]", "FOO", "x"),
		json_pack("[i,s]", 1, "x"),
		json_pack("[]"),
		json_string("CMD-SHELL true"),
		json_null(),
	};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		ctr_record* r = with_test(none[i]);
		REQUIRE(r);
		CHECK(!r->probes[CTR_PROBE_HEALTHCHECK].present);
		CHECK(!r->probes[CTR_PROBE_HEALTHCHECK].formatted);
		ctr_record_unref(r);
	}

	ctr_record* r = docker_variant("docker_inspect_nginx.json", "Config.Healthcheck", NULL, NULL);
	REQUIRE(r);
	CHECK(!r->probes[CTR_PROBE_HEALTHCHECK].present);
	ctr_record_unref(r);

	/* Nested quotes go; a lone quote is its own first and last; mismatched stay. */
	r = with_test(json_pack("[s,s,s,s,s,s]", "CMD", "'\"x\"'", "\"", "'a\"", "\"\"", "''''"));
	REQUIRE(r);
	const ctr_probe* p = &r->probes[CTR_PROBE_HEALTHCHECK];
	REQUIRE(p->present && p->nargs == 4);
	CHECK_STR(p->exe, "x");
	CHECK_STR(p->args[0], "");
	CHECK_STR(p->args[1], "'a\"");
	CHECK_STR(p->args[2], "");
	CHECK_STR(p->args[3], "");
	ctr_record_unref(r);

	/* CMD-SHELL is passed through as written. */
	r = with_test(json_pack("[s,s]", "CMD-SHELL", "\"echo hi\""));
	REQUIRE(r);
	p = &r->probes[CTR_PROBE_HEALTHCHECK];
	REQUIRE(p->present && p->nargs == 2);
	CHECK_STR(p->args[1], "\"echo hi\"");
	ctr_record_unref(r);

	r = with_test(json_pack("[s,s]", "CMD", "/bin/true"));
	REQUIRE(r);
	p = &r->probes[CTR_PROBE_HEALTHCHECK];
	REQUIRE(p->present);
	CHECK_INT(p->nargs, 0);
	CHECK_STR(p->formatted, "/bin/true");
	ctr_record_unref(r);
}

TEST(docker_kubernetes_containers)
{
	ctr_record* r = docker_variant("docker_inspect_k8s_sandbox.json", NULL, NULL, NULL);
	REQUIRE(r);
	CHECK(r->is_pod_sandbox);
	CHECK_STR(r->imagerepo, "registry.k8s.io/pause");
	CHECK_STR(r->imagetag, "3.9");
	CHECK_INT(r->cpu_shares, 2);
	CHECK_STR(r->k8s_pod_name, "mypod");
	ctr_record_unref(r);

	/* The label alone marks a sandbox. */
	r = docker_variant("docker_inspect_k8s_sandbox.json", "Name", json_string("/pause"), NULL);
	REQUIRE(r);
	CHECK(r->is_pod_sandbox);
	ctr_record_unref(r);

	r = docker_variant("docker_inspect_k8s_app.json", NULL, NULL, "docker_image_nginx.json");
	REQUIRE(r);
	CHECK(!r->is_pod_sandbox);
	CHECK_STR(r->name, "k8s_web_mypod_default_5f0b2c8e-7d1a-4a3b-9c6e-2f1d0e9b8a7c_0");
	CHECK_STR(r->k8s_pod_name, "mypod");
	CHECK_STR(r->k8s_pod_namespace, "default");
	CHECK_STR(r->k8s_pod_uid, "5f0b2c8e-7d1a-4a3b-9c6e-2f1d0e9b8a7c");
	CHECK_STR(r->ip, "");
	CHECK_STR(r->pod_sandbox_id, ""); /* only the CRI engine knows it (docs/engines.md "Docker inspect") */
	CHECK(!r->probes[CTR_PROBE_HEALTHCHECK].present); /* ["NONE"] */
	CHECK_INT(r->cpu_quota, 20000);
	CHECK_INT(r->nlabels, 10);
	CHECK_STR(r->labels_fmt, "maintainer:NGINX Docker Maintainers <docker-maint@nginx.com>");
	ctr_record_unref(r);
}

TEST(docker_network_container_helpers)
{
	size_t len;
	char* app = load("docker_inspect_k8s_app.json", &len);
	char* other = inspect_network_container(app, len);
	CHECK_STR(other, SANDBOX_ID);
	free(other);
	free(app);

	char* nginx = load("docker_inspect_nginx.json", &len);
	CHECK(!inspect_network_container(nginx, len)); /* has its own IP */
	char* ip = inspect_ip(nginx, len);
	CHECK_STR(ip, "172.17.0.2");
	free(ip);
	char* image = inspect_image_id(nginx, len);
	CHECK_STR(image, "sha256:" NGINX_IMAGE_ID);
	free(image);
	free(nginx);

	static const char* const refused[] = {
		"{\"HostConfig\":{\"NetworkMode\":\"container:../../images/x\"}}",
		"{\"HostConfig\":{\"NetworkMode\":\"container:\"}}",
		"{\"HostConfig\":{\"NetworkMode\":\"container:a%2fb\"}}",
		"{\"HostConfig\":{\"NetworkMode\":\"container:.hidden\"}}",
		"{\"HostConfig\":{\"NetworkMode\":\"bridge\"}}",
		"{\"HostConfig\":{\"NetworkMode\":7}}",
		("{\"HostConfig\":{\"NetworkMode\":\"container:abc\"},"
		 "\"NetworkSettings\":{\"IPAddress\":\"10.0.0.9\"}}"),
		"[]",
		"{",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(!inspect_network_container(refused[i], strlen(refused[i])));
	const char* named = "{\"HostConfig\":{\"NetworkMode\":\"container:my_web.1-a\"}}";
	other = inspect_network_container(named, strlen(named));
	CHECK_STR(other, "my_web.1-a");
	free(other);

	CHECK(!inspect_ip("{", 1));
	ip = inspect_ip("{}", 2);
	CHECK_STR(ip, "");
	free(ip);
	static const char* const bad_images[] = {
		"{\"Image\":\"sha256:../../containers/x\"}",
		"{\"Image\":\"" TINY_IMAGE_ID "\"}",
		"{\"Image\":\"sha256:" TINY_IMAGE_ID "0\"}",
		"{\"Image\":7}",
		"{}",
	};
	for (size_t i = 0; i < sizeof(bad_images) / sizeof(bad_images[0]); i++)
		CHECK(!inspect_image_id(bad_images[i], strlen(bad_images[i])));
}

/* ---- podman ---------------------------------------------------------------- */

TEST(podman_record)
{
	ctr_record* r = podman_file("podman_inspect_db.json");
	REQUIRE(r);
	CHECK_INT(r->type, CTR_TYPE_PODMAN);
	CHECK_STR(r->id, "1234567890ab");
	CHECK_STR(r->full_id, PODMAN_ID);
	CHECK_STR(r->name, "db");
	CHECK_STR(r->image, "docker.io/library/postgres:16");
	CHECK_STR(r->imageid, "b781f3a53e61df916d97dcd8a7f8a7b3b9bc2fa8f2d1a0e3c0c5a5f1a5d2c3e4");
	CHECK_STR(r->imagerepo, "docker.io/library/postgres");
	CHECK_STR(r->imagetag, "16");
	CHECK_STR(r->imagedigest,
	          "sha256:4ec37d2a07a0067f176fdcc9d4bb633a5724d2cc4f892c7a2046d054bb6939e5");
	CHECK_STR(r->user, "postgres");
	CHECK_STR(r->ip, "10.88.0.5");
	CHECK(!r->is_pod_sandbox && !r->privileged);
	CHECK(!r->host_pid && !r->host_network && !r->host_ipc);
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpu_quota, 50000);
	CHECK_INT(r->cpuset_cpu_count, 5);
	CHECK_INT(r->memory_limit, 0);
	CHECK_INT(r->created_time, 1731000000); /* +01:00 offset applied */
	CHECK_INT(r->size, -1);
	CHECK_INT(r->nenv, 4);
	CHECK_INT(r->nlabels, 1);
	CHECK_STR(label(r, "io.containers.autoupdate"), "registry");
	REQUIRE(r->nports == 1);
	CHECK_INT(r->ports[0].host_ip, 0);
	CHECK_INT(r->ports[0].host_port, 5432);
	CHECK_INT(r->ports[0].container_port, 5432);
	REQUIRE(r->nmounts == 2);
	CHECK_STR(r->mounts[0].formatted, "/var/lib/containers/storage/volumes/pgdata/_data:"
	                                  "/var/lib/postgresql/data::true:rprivate");
	CHECK_STR(r->mounts[1].formatted,
	          "/etc/postgres/conf.d:/etc/postgresql/conf.d::false:rprivate");
	CHECK_STR(r->probes[CTR_PROBE_HEALTHCHECK].formatted, "/bin/sh -c pg_isready -U postgres");
	ctr_record_unref(r);
}

TEST(podman_infra_and_pod_member)
{
	ctr_record* r = podman_file("podman_inspect_infra.json");
	REQUIRE(r);
	CHECK(r->is_pod_sandbox);
	CHECK_STR(r->name, "3f2a1b4c5d6e-infra");
	CHECK_STR(r->id, "5e6f708192a3");
	CHECK_STR(r->ip, "10.97.0.2");
	CHECK_STR(r->imagerepo, "localhost/podman-pause");
	CHECK_STR(r->imagetag, "4.3.1-1677165420");
	CHECK_INT(r->created_time, 1731142801);
	CHECK(!r->probes[CTR_PROBE_HEALTHCHECK].present);
	CHECK_INT(r->cpu_quota, 0);
	REQUIRE(r->nports == 2);
	CHECK_INT(r->ports[0].container_port, 80);
	CHECK_INT(r->ports[0].host_port, 18080);
	CHECK_INT(r->ports[1].host_ip, 0x7f000001);
	CHECK_INT(r->ports[1].host_port, 18443);
	ctr_record_unref(r);

	r = podman_file("podman_inspect_member.json");
	REQUIRE(r);
	CHECK(!r->is_pod_sandbox);
	CHECK_STR(r->ip, "");
	CHECK_INT(r->created_time, 1731142802); /* -05:00 */
	CHECK_STR(r->imagerepo, "localhost/tiny");
	CHECK_STR(r->imagetag, "1.0");
	CHECK_STR(r->probes[CTR_PROBE_HEALTHCHECK].formatted, "/bin/busybox true");
	ctr_record_unref(r);

	size_t len, ilen;
	char* member = load("podman_inspect_member.json", &len);
	char* infra = load("podman_inspect_infra.json", &ilen);
	char* other = inspect_network_container(member, len);
	CHECK_STR(other, INFRA_ID);
	char* ip = inspect_ip(infra, ilen);
	CHECK_STR(ip, "10.97.0.2");
	free(ip);
	free(other);
	free(member);
	free(infra);
}

TEST(podman_image_fallbacks)
{
	json_t* doc = load_json("podman_inspect_db.json");
	set_at(doc, "ImageName", json_string("quay.io/org/app@sha256:abcd"));
	set_at(doc, "ImageDigest", json_null());
	char* text = json_dumps(doc, 0);
	char err[128];
	ctr_record* r = inspect_podman(text, strlen(text), NULL, err, sizeof(err));
	free(text);
	REQUIRE(r);
	CHECK_STR(r->imagerepo, "quay.io/org/app");
	CHECK_STR(r->imagetag, "");
	CHECK_STR(r->imagedigest, "sha256:abcd");
	ctr_record_unref(r);

	/* No ImageName: Config.Image is the reference. */
	set_at(doc, "ImageName", NULL);
	set_at(doc, "Image", json_string("sha256:" TINY_IMAGE_ID));
	text = json_dumps(doc, 0);
	r = inspect_podman(text, strlen(text), NULL, err, sizeof(err));
	free(text);
	json_decref(doc);
	REQUIRE(r);
	CHECK_STR(r->image, "docker.io/library/postgres:16");
	CHECK_STR(r->imageid, TINY_IMAGE_ID);
	CHECK_STR(r->imagetag, "16");
	ctr_record_unref(r);
}

/* ---- minimal records ---------------------------------------------------------- */

TEST(minimal_records)
{
	ctr_record* r = inspect_minimal(CTR_TYPE_DOCKER, NGINX_ID, "nginx:1.25-alpine");
	REQUIRE(r);
	CHECK_INT(r->type, CTR_TYPE_DOCKER);
	CHECK_STR(r->id, "7951fb549ab9");
	CHECK_STR(r->full_id, NGINX_ID);
	CHECK_STR(r->image, "nginx:1.25-alpine");
	CHECK_STR(r->name, "");
	CHECK_STR(r->imagerepo, "");
	CHECK_INT(r->size, -1);
	CHECK_INT(r->cpu_period, 0);
	CHECK_INT(r->cpu_shares, 0);
	CHECK_INT(r->nlabels, 0);
	CHECK(!r->probes[CTR_PROBE_HEALTHCHECK].present);
	ctr_record_unref(r);

	r = inspect_minimal(CTR_TYPE_PODMAN, PODMAN_ID, NULL);
	REQUIRE(r);
	CHECK_INT(r->type, CTR_TYPE_PODMAN);
	CHECK_STR(r->image, "");
	ctr_record_unref(r);

	r = inspect_minimal(CTR_TYPE_LXC, "mylxc", "");
	REQUIRE(r);
	CHECK_STR(r->id, "mylxc");
	ctr_record_unref(r);

	CHECK(!inspect_minimal(CTR_TYPE_DOCKER, "7951fb549ab9", ""));
	CHECK(!inspect_minimal(CTR_TYPE_DOCKER, NULL, ""));
	CHECK(!inspect_minimal(CTR_TYPE_DOCKER, "../../../../etc/passwd", ""));
	CHECK(!inspect_minimal(CTR_TYPE_PODMAN,
	                       "7951FB549AB99E0722A949B6C121634E1F3A36B5BACBE5392991E3B12251E6B8", ""));
	CHECK(!inspect_minimal(CTR_TYPE_LXC, "a/b", ""));
	CHECK(!inspect_minimal(CTR_TYPE_LXC, "", ""));
}

/* ---- hostile input -------------------------------------------------------------- */

static void check_refused(const char* text, size_t len, const char* why)
{
	char err[256] = "untouched";
	ctr_record* r = docker_text(text, len, err, sizeof(err));
	CHECK(!r);
	if (!strstr(err, why))
		fprintf(stderr, "  err \"%s\" lacks \"%s\"\n", err, why);
	CHECK(strstr(err, why));
	ctr_record_unref(r);
	r = inspect_podman(text, len, NULL, err, sizeof(err));
	CHECK(!r);
	ctr_record_unref(r);
}

TEST(hostile_documents_refused)
{
	char err[64];
	CHECK(!docker_text(NULL, 0, err, sizeof(err)));
	CHECK(!inspect_docker("{}", 2, NULL, 0, NULL, NULL, 0)); /* no err buffer: still safe */
	check_refused("", 0, "malformed JSON");
	check_refused("not json", 8, "malformed JSON");
	check_refused("{\"Id\":", 6, "malformed JSON");
	check_refused("[]", 2, "not a JSON object");
	check_refused("42", 2, "not a JSON object");
	check_refused("{}", 2, "no Id");
	check_refused("{\"Id\":null}", 11, "Id is not");
	check_refused("{\"Id\":7}", 8, "Id is not");
	check_refused("{\"Id\":\"7951fb549ab9\"}", 21, "Id is not");
	const char* slash = "{\"Id\":\"../../../../containers/7951fb549ab99e0722a949b6c121634e1f3a\"}";
	check_refused(slash, strlen(slash), "Id is not");
	const char* upper =
	    "{\"Id\":\"7951FB549AB99E0722A949B6C121634E1F3A36B5BACBE5392991E3B12251E6B8\"}";
	check_refused(upper, strlen(upper), "Id is not");
	/* NUL inside: the first 64 bytes are hex, the rest is a path. */
	const char* nul = "{\"Id\":\"" NGINX_ID "\\u0000/../x\"}";
	check_refused(nul, strlen(nul), "Id is not");
	const char* docker_dup = "{\"Id\":\"" NGINX_ID "\", \"Id\": \"x\"}";
	check_refused(docker_dup, strlen(docker_dup), "Id is not"); /* the last one counts */

	/* Nesting beyond the parser's depth limit is malformed, not a stack overflow. */
	size_t depth = 100000;
	char* deep = malloc(depth * 2 + 128);
	REQUIRE(deep);
	size_t n = (size_t)sprintf(deep, "{\"Id\":\"%s\",\"x\":", NGINX_ID);
	memset(deep + n, '[', depth);
	memset(deep + n + depth, ']', depth);
	deep[n + 2 * depth] = '}';
	check_refused(deep, n + 2 * depth + 1, "malformed JSON");
	free(deep);
}

TEST(hostile_wrong_types_keep_defaults)
{
	json_t* doc = load_json("docker_inspect_nginx.json");
	set_at(doc, "Config", json_string("string"));
	set_at(doc, "HostConfig", json_pack("[i]", 1));
	set_at(doc, "NetworkSettings", json_integer(5));
	set_at(doc, "Mounts", json_object());
	set_at(doc, "Name", json_integer(5));
	set_at(doc, "Created", json_integer(7));
	set_at(doc, "SizeRw", json_string("big"));
	set_at(doc, "Image", json_true());
	ctr_record* r = docker_doc(doc, NULL, &default_opts);
	json_decref(doc);
	REQUIRE(r);
	CHECK_STR(r->full_id, NGINX_ID);
	CHECK_STR(r->name, "");
	CHECK_STR(r->image, "");
	CHECK_STR(r->imageid, "");
	CHECK_STR(r->imagetag, "");
	CHECK_STR(r->ip, "");
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->created_time, 0);
	CHECK_INT(r->size, -1);
	CHECK_INT(r->nmounts + r->nports + r->nenv + r->nlabels, 0);
	ctr_record_unref(r);

	doc = load_json("docker_inspect_nginx.json");
	set_at(doc, "HostConfig.Memory", json_string("1g"));
	set_at(doc, "HostConfig.Privileged", json_string("true"));
	set_at(doc, "HostConfig.PidMode", json_pack("[s]", "host"));
	set_at(doc, "Config.Env", json_pack("[i,s,n,s#]", 1, "A=b", "C=d\0e", 5));
	set_at(doc, "Config.User", json_integer(0));
	set_at(doc, "Mounts", json_pack("[i,{s:i,s:s}]", 5, "Source", 7, "RW", "yes"));
	set_at(doc, "Name", json_stringn("/we\0b", 5));
	set_at(doc, "Created", json_string("2024-13-07T09:18:06Z"));
	r = docker_doc(doc, NULL, &default_opts);
	json_decref(doc);
	REQUIRE(r);
	CHECK_INT(r->memory_limit, 0);
	CHECK(!r->privileged && !r->host_pid);
	REQUIRE(r->nenv == 2);
	CHECK_STR(r->env[0], "A=b");
	CHECK_STR(r->env[1], "C=d");
	CHECK_STR(r->user, "");
	REQUIRE(r->nmounts == 1);
	CHECK_STR(r->mounts[0].formatted, ":::false:");
	CHECK_STR(r->name, "we");
	CHECK_INT(r->created_time, 0);
	ctr_record_unref(r);
}

TEST(hostile_big_numbers)
{
	/* Beyond int64 (jansson refuses these as integers): saturated, never wrapped. */
	size_t len;
	char* text = load("docker_inspect_nginx.json", &len);
	char* big = malloc(len + 64);
	REQUIRE(big);
	const char* mem = strstr(text, "\"Memory\": 268435456");
	const char* swap = strstr(text, "\"MemorySwap\": 536870912");
	REQUIRE(mem && swap && mem < swap);
	int n = sprintf(big, "%.*s\"Memory\": 99999999999999999999999%.*s\"MemorySwap\": "
	                     "-99999999999999999999999%s",
	                (int)(mem - text), text, (int)(swap - mem - 19), mem + 19, swap + 23);
	char err[256];
	ctr_record* r = docker_text(big, (size_t)n, err, sizeof(err));
	if (!r)
		fprintf(stderr, "  %s\n", err);
	REQUIRE(r);
	CHECK_INT(r->memory_limit, INT64_MAX);
	CHECK_INT(r->swap_limit, INT64_MIN);
	CHECK_INT(r->cpu_quota, 50000); /* the other integers survive the re-parse as reals */
	CHECK_INT(r->size, 1093);
	ctr_record_unref(r);
	free(big);
	free(text);

	json_t* doc = load_json("docker_inspect_nginx.json");
	set_at(doc, "HostConfig.NanoCpus", json_integer(INT64_MAX));
	set_at(doc, "HostConfig.CpuShares", json_real(-1e300));
	r = docker_doc(doc, NULL, &default_opts);
	json_decref(doc);
	REQUIRE(r);
	CHECK_INT(r->cpu_quota, INT64_MAX / 10000);
	CHECK_INT(r->cpu_shares, 1024);
	ctr_record_unref(r);
}

TEST(hostile_big_strings)
{
	size_t big = 10 * 1024 * 1024;
	char* s = malloc(big + 1);
	REQUIRE(s);
	memset(s, 'a', big);
	s[big] = '\0';
	json_t* doc = load_json("docker_inspect_nginx.json");
	set_at(doc, "Name", json_string(s));
	json_object_set_new(json_object_get(json_object_get(doc, "Config"), "Labels"), "huge",
	                    json_string(s));
	set_at(doc, "HostConfig.CpusetCpus", json_string(s));
	free(s);
	char err[256];
	ctr_record* r = inspect_doc_err(doc, err, sizeof(err));
	json_decref(doc);
	REQUIRE(r);
	CHECK_STR(r->name, ""); /* over CTR_BUILD_STR_MAX: left empty, and told */
	CHECK(strstr(err, "dropped 1 strings"));
	CHECK(!label(r, "huge"));
	CHECK_INT(r->cpuset_cpu_count, 0);
	ctr_record_unref(r);

	/* Deep, but within the parser's limit, where labels belong: ignored. */
	char deep[4200];
	size_t n = (size_t)sprintf(deep, "{\"Id\":\"%s\",\"Config\":{\"Labels\":", NGINX_ID);
	memset(deep + n, '[', 2000);
	memset(deep + n + 2000, ']', 2000);
	strcpy(deep + n + 4000, "}}");
	r = docker_text(deep, strlen(deep), err, sizeof(err));
	REQUIRE(r);
	CHECK_INT(r->nlabels, 0);
	ctr_record_unref(r);
}

/* Every mutation of a real document must give NULL or a well-formed record. */
TEST(hostile_mutations_never_crash)
{
	size_t len;
	char* text = load("docker_inspect_nginx.json", &len);
	char* img = load("docker_image_nginx.json", NULL);
	char* buf = malloc(len);
	REQUIRE(buf);
	char err[256];
	uint32_t seed = 12345;
	int built = 0;
	for (int i = 0; i < 3000; i++) {
		memcpy(buf, text, len);
		for (int k = 0; k < 4; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % len] = (char)(seed >> 24);
		}
		size_t cut = i % 3 ? len : (seed >> 4) % len;
		ctr_record* r = inspect_docker(buf, cut, img, strlen(img), &default_opts, err,
		                               sizeof(err));
		if (r) {
			built++;
			CHECK_INT(strlen(r->full_id), 64);
			CHECK(!strchr(r->id, '/'));
		}
		ctr_record_unref(r);
		r = inspect_podman(buf, cut, &default_opts, err, sizeof(err));
		ctr_record_unref(r);
	}
	CHECK(built > 0);
	free(buf);
	free(img);
	free(text);
}

TEST(hostile_image_document_is_ignored)
{
	size_t len;
	char* text = load("docker_inspect_nginx.json", &len);
	static const char* const images[] = {
		"{",
		"[]",
		"{\"Id\": 5, \"RepoTags\": \"nginx:x\", \"RepoDigests\": {\"a\": 1}}",
		"{\"RepoTags\": [null, 5, \"<none>:<none>\", \":\"], \"RepoDigests\": [\"@\", \"a@\"]}",
	};
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		char err[128];
		ctr_record* r = inspect_docker(text, len, images[i], strlen(images[i]), &default_opts,
		                               err, sizeof(err));
		REQUIRE(r);
		CHECK_STR(err, "");
		CHECK_STR(r->imageid, NGINX_IMAGE_ID);
		CHECK_STR(r->imagerepo, "nginx");
		CHECK_STR(r->imagetag, "1.25-alpine");
		CHECK_STR(r->imagedigest, "");
		ctr_record_unref(r);
	}
	/* A body handed over with its terminating NUL is accepted. */
	ctr_record* r = inspect_docker(text, len + 1, NULL, 0, NULL, NULL, 0);
	CHECK(r);
	ctr_record_unref(r);
	free(text);
}

/* ---- listing ------------------------------------------------------------------ */

TEST(list_ids)
{
	size_t len;
	char** ids;
	char* text = load("docker_list.json", &len);
	size_t n = inspect_list_ids(text, len, &ids);
	REQUIRE(n == 2);
	CHECK_STR(ids[0], NGINX_ID);
	CHECK_STR(ids[1], "c0ffee12a4b5c6d7e8f90123456789abcdef0123456789abcdef0123456789ab");
	inspect_ids_free(ids, n);
	free(text);

	text = load("podman_list.json", &len);
	n = inspect_list_ids(text, len, &ids);
	REQUIRE(n == 2);
	CHECK_STR(ids[0], PODMAN_ID);
	CHECK_STR(ids[1], INFRA_ID);
	inspect_ids_free(ids, n);
	free(text);

	const char* mixed = "[1, null, {\"Id\": \"../x\"}, {\"Id\": 5}, {\"Names\": []},"
	                    " {\"Id\": \"" PODMAN_ID "\"}]";
	n = inspect_list_ids(mixed, strlen(mixed), &ids);
	REQUIRE(n == 1);
	CHECK_STR(ids[0], PODMAN_ID);
	inspect_ids_free(ids, n);

	static const char* const empty[] = {"[]", "{}", "[", "", "null", "[{\"Id\":\"\"}]"};
	for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		ids = (char**)&n; /* must be reset */
		CHECK_INT(inspect_list_ids(empty[i], strlen(empty[i]), &ids), 0);
		CHECK(ids == NULL);
	}
	CHECK_INT(inspect_list_ids(NULL, 0, &ids), 0);
	CHECK_INT(inspect_list_ids("[]", 2, NULL), 0);
}

/* ---- events ------------------------------------------------------------------- */

/* The lines of an events fixture, in a NULL-terminated array (one allocation each). */
static char** load_lines(const char* file, size_t* count)
{
	char* text = load(file, NULL);
	char** lines = calloc(64, sizeof(char*));
	size_t n = 0;
	for (char* save = NULL, *l = strtok_r(text, "\n", &save); l && n < 63;
	     l = strtok_r(NULL, "\n", &save))
		lines[n++] = strdup(l);
	free(text);
	*count = n;
	return lines;
}

static void free_lines(char** lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

TEST(docker_events)
{
	size_t n;
	char** lines = load_lines("docker_events.jsonl", &n);
	REQUIRE(n == 6);
	static const struct {
		const char* action;
		int64_t time_ns;
	} want[] = {
		{"create", 1730971086123456789},
		{"start", 1730971086812209637},
		{"exec_create: /bin/sh -c curl -f http://localhost/ || exit 1", 1730971116000918221},
		{"die", 1730971200457000123},
		{"destroy", 1730971201002003004},
		{"start", 1461943101000000000}, /* pre-1.22 shape: status, id, from, time */
	};
	for (size_t i = 0; i < n; i++) {
		rest_event ev;
		REQUIRE(rest_event_parse(lines[i], strlen(lines[i]), &ev));
		CHECK_STR(ev.action, want[i].action);
		CHECK_STR(ev.full_id, NGINX_ID);
		CHECK_STR(ev.image, i == 5 ? "busybox" : "nginx:1.25-alpine");
		CHECK_INT(ev.time_ns, want[i].time_ns);
		rest_event_free(&ev);
	}
	free_lines(lines, n);
}

TEST(podman_events)
{
	size_t n;
	char** lines = load_lines("podman_events.jsonl", &n);
	REQUIRE(n == 6);
	rest_event ev;
	CHECK(!rest_event_parse(lines[0], strlen(lines[0]), &ev)); /* an image pull */
	CHECK(ev.action == NULL && ev.image == NULL);
	static const char* const actions[] = {"create", "init", "start", "died", "remove"};
	for (size_t i = 1; i < n; i++) {
		REQUIRE(rest_event_parse(lines[i], strlen(lines[i]) + 1, &ev)); /* with its NUL */
		CHECK_STR(ev.action, actions[i - 1]);
		CHECK_STR(ev.full_id, PODMAN_ID);
		CHECK_STR(ev.image, "docker.io/library/postgres:16");
		rest_event_free(&ev);
	}
	REQUIRE(rest_event_parse(lines[1], strlen(lines[1]), &ev));
	CHECK_INT(ev.time_ns, 1731000000512734961);
	rest_event_free(&ev);
	free_lines(lines, n);
}

TEST(event_garbage)
{
	static const char* const bad[] = {
		"",
		"{",
		"[]",
		"null",
		"\"create\"",
		"{\"Action\":\"start\"}",
		"{\"Action\":\"\",\"Actor\":{\"ID\":\"" NGINX_ID "\"}}",
		"{\"Action\":5,\"Actor\":{\"ID\":\"" NGINX_ID "\"}}",
		"{\"Action\":\"start\",\"Actor\":{\"ID\":\"../../x\"}}",
		"{\"Action\":\"start\",\"Actor\":{\"ID\":\"7951fb549ab9\"}}",
		"{\"Action\":\"start\",\"Type\":\"network\",\"Actor\":{\"ID\":\"" NGINX_ID "\"}}",
		"{\"Action\":\"start\",\"Type\":7,\"Actor\":{\"ID\":\"" NGINX_ID "\"}}",
		"{\"Action\":\"start\",\"Actor\":{\"ID\":\"" NGINX_ID "\\u0000\"}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rest_event ev;
		if (rest_event_parse(bad[i], strlen(bad[i]), &ev)) {
			fprintf(stderr, "  accepted %s\n", bad[i]);
			CHECK(false);
			rest_event_free(&ev);
		}
	}
	CHECK(!rest_event_parse(NULL, 0, NULL));
	rest_event ev;
	CHECK(!rest_event_parse(NULL, 5, &ev));

	/* Fallbacks: an empty Actor.ID uses "id"; absurd times are unknown; huge timeNano saturates. */
	const char* odd = "{\"status\":\"die\",\"id\":\"" NGINX_ID "\",\"Actor\":{\"ID\":\"\","
	                  "\"Attributes\":{\"image\":7}},\"from\":\"busybox\",\"time\":1e30}";
	REQUIRE(rest_event_parse(odd, strlen(odd), &ev));
	CHECK_STR(ev.action, "die");
	CHECK_STR(ev.full_id, NGINX_ID);
	CHECK_STR(ev.image, "busybox");
	CHECK_INT(ev.time_ns, 0);
	rest_event_free(&ev);

	const char* huge = "{\"Action\":\"start\",\"Actor\":{\"ID\":\"" NGINX_ID "\"},"
	                   "\"timeNano\":123456789012345678901234567890}";
	REQUIRE(rest_event_parse(huge, strlen(huge), &ev));
	CHECK_STR(ev.image, "");
	CHECK_INT(ev.time_ns, INT64_MAX);
	rest_event_free(&ev);
	rest_event_free(NULL);
}

TEST_MAIN(T(docker_full_record), T(docker_without_image_document),
          T(docker_user_network_nanocpus_image_id_reference),
          T(docker_ip_fallback_order_and_validation), T(docker_cpuset_counts),
          T(docker_port_rules), T(docker_image_rules), T(docker_image_id_references),
          T(docker_digest_fallbacks), T(docker_label_max_len), T(docker_healthcheck_variants),
          T(docker_kubernetes_containers), T(docker_network_container_helpers),
          T(podman_record), T(podman_infra_and_pod_member), T(podman_image_fallbacks),
          T(minimal_records), T(hostile_documents_refused), T(hostile_wrong_types_keep_defaults),
          T(hostile_big_numbers), T(hostile_big_strings), T(hostile_mutations_never_crash),
          T(hostile_image_document_is_ignored), T(list_ids), T(docker_events), T(podman_events),
          T(event_garbage))
