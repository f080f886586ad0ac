/*
 * Image references: "repo[:tag][@digest]" as the user wrote it, or only an id,
 * completed from the image document's RepoTags and RepoDigests.
 */
#include "image_ref.h"
#include "jget.h"
#include "values.h"

#include <stdlib.h>
#include <string.h>

static bool set_n(char** dst, const char* s, size_t n)
{
	char* copy = strndup(s, n);
	if (copy)
		ctr_str_take(dst, copy);
	return copy != NULL;
}

/* The id a document names, without "sha256:"; "" unless it is 64 hex. */
static const char* image_id_of(const json_t* v)
{
	const char* s = json_string_value(v);
	return s && val_image_id(s, json_string_length(v)) ? val_strip_sha256(s) : "";
}

/* Config.Image names an image unless it is an id: "sha256:…" or a hex prefix of the image id. */
static bool names_an_image(const char* ref, const char* imageid)
{
	size_t len = strlen(ref);
	if (!len || !strncmp(ref, VAL_SHA256_PREFIX, VAL_SHA256_PREFIX_LEN))
		return false;
	if (!val_hex(ref, len))
		return true;
	return len != VAL_FULL_ID_LEN && strncmp(imageid, ref, len) != 0;
}

/* repo/tag/digest as the user wrote them; no tag and no digest means "latest". */
static bool split_reference(ctr_record* r, const char* ref)
{
	char *repo, *tag, *digest;
	if (!ctr_image_split_legacy(ref, &repo, &tag, &digest))
		return false;
	ctr_str_take(&r->imagerepo, repo);
	ctr_str_take(&r->imagetag, tag);
	ctr_str_take(&r->imagedigest, digest);
	return *r->imagetag || *r->imagedigest || ctr_str_set(&r->imagetag, "latest");
}

/* Docker reports Hub names in their familiar form: "nginx", not "docker.io/library/nginx". */
static const char* familiar(const char* repo, size_t* len)
{
	static const char* const prefixes[] = {"docker.io/library/", "docker.io/", "library/"};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);
		if (*len > n && !strncmp(repo, prefixes[i], n)) {
			*len -= n;
			return repo + n;
		}
	}
	return repo;
}

static bool same_repo(const char* a, size_t alen, const char* b)
{
	size_t blen = strlen(b);
	a = familiar(a, &alen);
	b = familiar(b, &blen);
	return alen == blen && !strncmp(a, b, alen);
}

/* "repo@sha256:…" → its '@' when both parts are non-empty. */
static const char* digest_at(const char* entry)
{
	const char* at_sign = entry ? strchr(entry, '@') : NULL;
	return at_sign && at_sign != entry && at_sign[1] ? at_sign : NULL;
}

static bool repo_from_digests(ctr_record* r, const json_t* digests)
{
	for (size_t i = 0; i < json_array_size(digests); i++) {
		const char* e = json_string_value(json_array_get(digests, i));
		const char* sep = digest_at(e);
		if (sep)
			return set_n(&r->imagerepo, e, (size_t)(sep - e));
	}
	return true;
}

/* The digest recorded for our repo, else the only distinct digest there is. */
static bool digest_from_digests(ctr_record* r, const json_t* digests)
{
	const char* only = NULL;
	bool several = false;
	for (size_t i = 0; i < json_array_size(digests); i++) {
		const char* e = json_string_value(json_array_get(digests, i));
		const char* sep = digest_at(e);
		if (!sep)
			continue;
		if (same_repo(e, (size_t)(sep - e), r->imagerepo))
			return ctr_str_set(&r->imagedigest, sep + 1);
		several = several || (only && strcmp(only, sep + 1));
		only = only ? only : sep + 1;
	}
	return !only || several || ctr_str_set(&r->imagedigest, only);
}

/* Upstream's rule for an image known only by id: the repo (if still unknown) and its tag. */
static bool repo_tag_from_tags(ctr_record* r, const json_t* tags)
{
	for (size_t i = 0; i < json_array_size(tags); i++) {
		const char* e = json_string_value(json_array_get(tags, i));
		char *repo, *tag;
		if (!e || !strncmp(e, "<none>", 6))
			continue;
		if (!ctr_image_split_repo_tag(e, &repo, &tag))
			return false;
		if (*repo && (!*r->imagerepo || same_repo(repo, strlen(repo), r->imagerepo))) {
			if (!*r->imagerepo)
				ctr_str_take(&r->imagerepo, repo);
			else
				free(repo);
			ctr_str_take(&r->imagetag, tag);
			return true;
		}
		free(repo);
		free(tag);
	}
	return true;
}

bool image_ref_docker(ctr_record* r, const json_t* doc, const json_t* img)
{
	const char* ref = jget_str(jget(doc, "Config"), "Image");
	ref = ref ? ref : "";
	const char* id = image_id_of(jget(img, "Id"));
	if (!*id)
		id = image_id_of(jget(doc, "Image"));
	if (!ctr_str_set(&r->image, ref) || !ctr_str_set(&r->imageid, id))
		return false;
	bool named = names_an_image(ref, r->imageid);
	if (named && !split_reference(r, ref))
		return false;
	json_t* digests = jget(img, "RepoDigests");
	if (!*r->imagerepo && !repo_from_digests(r, digests))
		return false;
	if (!*r->imagedigest && !digest_from_digests(r, digests))
		return false;
	return named || repo_tag_from_tags(r, jget(img, "RepoTags"));
}

bool image_ref_podman(ctr_record* r, const json_t* doc)
{
	const char* ref = jget_str(doc, "ImageName");
	if (!ref || !*ref)
		ref = jget_str(jget(doc, "Config"), "Image");
	if (!ref)
		ref = "";
	if (!ctr_str_set(&r->image, ref) || !ctr_str_set(&r->imageid, image_id_of(jget(doc, "Image"))))
		return false;
	if (names_an_image(ref, r->imageid) && !split_reference(r, ref))
		return false;
	/* The manifest digest libpod reports beats one parsed from the reference. */
	const char* digest = jget_str(doc, "ImageDigest");
	return !digest || !*digest || ctr_str_set(&r->imagedigest, digest);
}
