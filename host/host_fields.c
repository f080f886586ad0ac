/*
 * Extraction: the get_fields JSON checks (docs/abi.md "Fields JSON"), the "name[arg]" syntax and
 * the extract_fields call with libsinsp's result checks (docs/abi.md "Extraction results").
 */
#include "host_priv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const struct {
	const char* name;
	uint32_t type;
} host_ftypes[] = {
	{"string", FTYPE_STRING}, {"uint64", FTYPE_UINT64},   {"reltime", FTYPE_RELTIME},
	{"abstime", FTYPE_ABSTIME}, {"bool", FTYPE_BOOL}, {"ipaddr", FTYPE_IPADDR},
	{"ipnet", FTYPE_IPNET},
};

void host_fields_free(host* h)
{
	for (size_t i = 0; i < h->nfields; i++)
		free(h->fields[i].name);
	free(h->fields);
	free(h->fields_json);
	h->fields = NULL;
	h->nfields = 0;
	h->fields_json = NULL;
}

/* Reads an optional boolean key; a present non-boolean is an error (docs/abi.md "Fields JSON"). */
static bool host_json_flag(const json_t* obj, const char* key, bool* out)
{
	const json_t* v = json_object_get(obj, key);
	*out = json_is_true(v);
	return !v || json_is_boolean(v);
}

static const char* host_json_nonempty(const json_t* obj, const char* key)
{
	const json_t* v = json_object_get(obj, key);
	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

static int host_field_arg(host* h, size_t i, const json_t* obj, host_field* f)
{
	const json_t* arg = json_object_get(obj, "arg");
	if (!arg)
		return 0;
	if (!json_is_object(arg))
		return host_fail(h, "plugin '%s': field #%zu: 'arg' is not an object", h->name, i);
	if (!host_json_flag(arg, "isRequired", &f->arg_required) ||
	    !host_json_flag(arg, "isIndex", &f->arg_index) ||
	    !host_json_flag(arg, "isKey", &f->arg_key))
		return host_fail(h, "plugin '%s': field #%zu: 'arg' flags must be booleans", h->name, i);
	if (f->arg_required && !f->arg_index && !f->arg_key)
		return host_fail(h, "plugin '%s': field '%s': a required argument must be an index "
		                 "or a key", h->name, f->name);
	return 0;
}

static int host_field_properties(host* h, size_t i, const json_t* obj)
{
	const json_t* props = json_object_get(obj, "properties");
	if (!props)
		return 0;
	if (!json_is_array(props))
		return host_fail(h, "plugin '%s': field #%zu: 'properties' is not an array", h->name, i);
	for (size_t k = 0; k < json_array_size(props); k++)
		if (!json_is_string(json_array_get(props, k)))
			return host_fail(h, "plugin '%s': field #%zu: non-string property", h->name, i);
	return 0;
}

static int host_field_type(host* h, size_t i, const json_t* obj, host_field* f)
{
	const json_t* t = json_object_get(obj, "type");
	for (size_t k = 0; json_is_string(t) && k < sizeof(host_ftypes) / sizeof(host_ftypes[0]);
	     k++) {
		if (!strcmp(json_string_value(t), host_ftypes[k].name)) {
			f->ftype = host_ftypes[k].type;
			return 0;
		}
	}
	return host_fail(h, "plugin '%s': field #%zu: missing or unknown 'type'", h->name, i);
}

static int host_field_parse(host* h, size_t i, const json_t* obj, host_field* f)
{
	if (!json_is_object(obj))
		return host_fail(h, "plugin '%s': field #%zu is not an object", h->name, i);
	const char* name = host_json_nonempty(obj, "name");
	if (!name)
		return host_fail(h, "plugin '%s': field #%zu: missing or empty 'name'", h->name, i);
	f->name = strdup(name);
	if (!f->name)
		return host_fail(h, "out of memory");
	if (!host_json_nonempty(obj, "desc"))
		return host_fail(h, "plugin '%s': field '%s': missing or empty 'desc'", h->name, name);
	const json_t* display = json_object_get(obj, "display");
	if (display && !json_is_string(display))
		return host_fail(h, "plugin '%s': field '%s': 'display' is not a string", h->name,
		                 name);
	bool add_output;
	if (!host_json_flag(obj, "isList", &f->is_list) ||
	    !host_json_flag(obj, "addOutput", &add_output))
		return host_fail(h, "plugin '%s': field '%s': isList/addOutput must be booleans",
		                 h->name, name);
	if (host_field_type(h, i, obj, f) != 0 || host_field_arg(h, i, obj, f) != 0 ||
	    host_field_properties(h, i, obj) != 0)
		return -1;
	return 0;
}

int host_fields_parse(host* h, const char* json)
{
	if (!json || !*json)
		return host_fail(h, "plugin '%s': get_fields returned an empty value", h->name);
	json_error_t je;
	json_t* root = json_loads(json, JSON_DECODE_ANY, &je);
	if (!root || !json_is_array(root) || json_array_size(root) == 0) {
		json_decref(root);
		return host_fail(h, "plugin '%s': get_fields must return a non-empty JSON array",
		                 h->name);
	}
	size_t n = json_array_size(root);
	h->fields = calloc(n, sizeof(*h->fields));
	h->fields_json = strdup(json);
	int rc = h->fields && h->fields_json ? 0 : host_fail(h, "out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		h->nfields = i + 1; /* so that host_fields_free sees partial entries */
		rc = host_field_parse(h, i, json_array_get(root, i), &h->fields[i]);
	}
	json_decref(root);
	return rc;
}

/* ---- field requests ---- */

/* One parsed "name[arg]"; `text` owns the name and argument strings. */
typedef struct host_field_req {
	char* text;
	const char* arg; /* NULL when no argument */
	size_t idx;
} host_field_req;

/* All digits, no leading zero unless exactly "0", representable on 64 bits
 * (docs/abi.md "Fields JSON"). */
static bool host_parse_index(const char* s, uint64_t* out)
{
	if (!*s || (s[0] == '0' && s[1]))
		return false;
	for (const char* p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno == ERANGE)
		return false;
	*out = v;
	return true;
}

static int host_field_split(host* h, const char* field, host_field_req* r)
{
	r->text = strdup(field);
	if (!r->text)
		return host_fail(h, "out of memory");
	char* open = strchr(r->text, '[');
	r->arg = NULL;
	if (!open)
		return 0;
	char* close = strchr(open + 1, ']');
	if (!close || close[1] != '\0')
		return host_fail(h, "field '%s' has unbalanced argument brackets", field);
	*open = '\0';
	*close = '\0';
	r->arg = open + 1;
	return 0;
}

static int host_field_resolve(host* h, const char* field, host_field_req* r)
{
	if (host_field_split(h, field, r) != 0)
		return -1;
	for (r->idx = 0; r->idx < h->nfields; r->idx++)
		if (!strcmp(h->fields[r->idx].name, r->text))
			break;
	if (r->idx == h->nfields)
		return host_fail(h, "unknown field '%s'", r->text);
	const host_field* f = &h->fields[r->idx];
	uint64_t dummy;
	if (r->arg && !f->arg_index && !f->arg_key)
		return host_fail(h, "field '%s' does not accept an argument", f->name);
	if (!r->arg && f->arg_required)
		return host_fail(h, "field '%s' requires an argument", f->name);
	if (r->arg && f->arg_index && !f->arg_key && !host_parse_index(r->arg, &dummy))
		return host_fail(h, "field '%s' has an invalid index argument '%s'", f->name, r->arg);
	return 0;
}

/* ---- the call ---- */

/* libsinsp's checks on what the plugin returned (docs/abi.md "Extraction results"). */
static int host_check_results(host* h, const host_field* f, const ss_plugin_extract_field* ef)
{
	if (ef->res_len > 1 && !f->is_list)
		return host_fail(h, "plugin '%s' returned %llu values for non-list field '%s'", h->name,
		                 (unsigned long long)ef->res_len, f->name);
	if (ef->res_len > 0 && !ef->res.u64)
		return host_fail(h, "plugin '%s' returned a NULL result array for '%s'", h->name,
		                 f->name);
	for (uint64_t i = 0; i < ef->res_len; i++) {
		if (f->ftype == FTYPE_STRING && !ef->res.str[i])
			return host_fail(h, "plugin '%s' returned a NULL string for '%s'", h->name, f->name);
		if ((f->ftype == FTYPE_IPADDR || f->ftype == FTYPE_IPNET) &&
		    ((ef->res.buf[i].len != 4 && ef->res.buf[i].len != 16) || !ef->res.buf[i].ptr))
			return host_fail(h, "plugin '%s' returned a bad address for '%s'", h->name,
			                 f->name);
	}
	return 0;
}

static void host_copy_results(const host_field* f, const ss_plugin_extract_field* ef,
                              host_value* out, size_t max)
{
	for (uint64_t i = 0; i < ef->res_len && i < max; i++) {
		host_value* v = &out[i];
		memset(v, 0, sizeof(*v));
		v->ftype = f->ftype;
		switch (f->ftype) {
		case FTYPE_STRING:
			v->str = ef->res.str[i];
			break;
		case FTYPE_BOOL:
			v->boolean = ef->res.boolean[i] != 0;
			break;
		case FTYPE_IPADDR:
		case FTYPE_IPNET:
			v->buf = ef->res.buf[i].ptr;
			v->buflen = ef->res.buf[i].len;
			break;
		default:
			v->u64 = ef->res.u64[i];
			break;
		}
	}
}

const char* host_value_text(const host_value* v, char* buf, size_t size)
{
	switch (v->ftype) {
	case FTYPE_STRING: snprintf(buf, size, "%s", v->str ? v->str : ""); break;
	case FTYPE_BOOL: snprintf(buf, size, "%s", v->boolean ? "true" : "false"); break;
	case FTYPE_IPADDR:
	case FTYPE_IPNET:
		if (v->buflen == 4)
			snprintf(buf, size, "%u.%u.%u.%u", ((const uint8_t*)v->buf)[0],
			         ((const uint8_t*)v->buf)[1], ((const uint8_t*)v->buf)[2],
			         ((const uint8_t*)v->buf)[3]);
		else
			snprintf(buf, size, "<%u-byte address>", v->buflen);
		break;
	default: snprintf(buf, size, "%" PRIu64, v->u64); break;
	}
	return buf;
}

/* The event number an extraction sees: the parse's number for the event just fed. */
static uint64_t host_extract_evtnum(host* h, const ss_plugin_event* evt)
{
	if (evt == h->last_evt ||
	    (h->last_evt && evt->len == h->last_evt->len && !memcmp(evt, h->last_evt, evt->len)))
		return h->evtnum;
	return ++h->evtnum;
}

static int host_extract_call(host* h, const ss_plugin_event* evt, const host_field_req* r,
                             host_value* out, size_t max)
{
	const host_field* f = &h->fields[r->idx];
	uint64_t index = (uint64_t)-1;
	bool has_index = r->arg && f->arg_index && host_parse_index(r->arg, &index);
	ss_plugin_extract_field ef;
	memset(&ef, 0, sizeof(ef));
	ef.field_id = (uint32_t)r->idx;
	ef.field = f->name;
	ef.arg_key = r->arg && f->arg_key ? r->arg : NULL;
	ef.arg_index = has_index ? index : (uint64_t)-1;
	ef.arg_present = r->arg != NULL;
	ef.ftype = f->ftype;
	ef.flist = f->is_list;
	ss_plugin_event_input ein = {evt, host_extract_evtnum(h, evt), "syscall"};
	ss_plugin_field_extract_input in = {h, host_owner_last_error, 1, &ef, h->vt.reader,
	                                    &h->vt.reader_ext, NULL};
	ss_plugin_rc rc = h->api.extract_fields(h->state, &ein, &in);
	host_callback_end(h, true);
	if (rc != SS_PLUGIN_SUCCESS) {
		const char* e = h->api.get_last_error(h->state);
		return host_fail(h, "plugin '%s' failed to extract '%s': %s", h->name, f->name,
		                 e ? e : "");
	}
	if (host_check_results(h, f, &ef) != 0)
		return -1;
	host_copy_results(f, &ef, out, max);
	return ef.res_len > INT_MAX ? INT_MAX : (int)ef.res_len;
}

int host_extract(host* h, const ss_plugin_event* evt, const char* field, host_value* out,
                 size_t max)
{
	if (!h->inited || !(h->caps & HOST_CAP_EXTRACT))
		return host_fail(h, "no initialized plugin with extraction capability");
	if (!field || (max > 0 && !out))
		return host_fail(h, "bad extraction request");
	char why[128];
	if (!evt)
		evt = h->last_evt;
	if (!evt)
		return host_fail(h, "no event to extract from");
	if (!host_event_well_formed(evt, why, sizeof(why)))
		return host_fail(h, "malformed event: %s", why);
	host_field_req r = {0};
	int rc = host_field_resolve(h, field, &r);
	/* Events outside the plugin's extract set or sources have no value
	 * (docs/abi.md "Capabilities"). */
	if (rc == 0 && host_set_has(h->extract_set, evt->type) &&
	    host_sources_compatible(&h->extract_sources, "syscall"))
		rc = host_extract_call(h, evt, &r, out, max);
	free(r.text);
	return rc;
}

const char* host_extract_str(host* h, const ss_plugin_event* evt, const char* field)
{
	host_value v;
	if (host_extract(h, evt, field, &v, 1) < 1 || v.ftype != FTYPE_STRING)
		return NULL;
	return v.str;
}
