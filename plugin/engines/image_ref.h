/*
 * Image identity of a Docker or libpod container: which of the
 * names and ids the documents carry become the record's image, imageid,
 * imagerepo, imagetag and imagedigest, following the Recommended variant
 * (repo/tag as the user wrote the image).
 */
#ifndef IMAGE_REF_H
#define IMAGE_REF_H

#include <jansson.h>
#include <stdbool.h>

#include "ctr_record.h"

/*
 * From a docker container document and its image document (img may be NULL).
 * imageid is the image's Id, else the container's Image, when it is 64 hex
 * (with or without "sha256:"), else "". False on OOM.
 */
bool image_ref_docker(ctr_record* r, const json_t* doc, const json_t* img);

/* From a libpod container document (ImageName, Image, ImageDigest). False on OOM. */
bool image_ref_podman(ctr_record* r, const json_t* doc);

#endif
