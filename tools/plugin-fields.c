/*
 * plugin-fields: prints a plugin's fields (plugin_get_fields, loaded through
 * our host like Falco loads it) as a Markdown table. scripts/gen-fields.sh
 * puts it into the README.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "host.h"

static void cell(const char* s)
{
	for (; s && *s; s++)
		fputs(*s == '|' ? "\\|" : (char[]){*s, 0}, stdout);
}

int main(int argc, char** argv)
{
	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr, "usage: plugin-fields PLUGIN.so\n");
		return argc == 2 ? 0 : 2;
	}
	host* h = host_new();
	if (!h || host_load(h, argv[1])) {
		fprintf(stderr, "plugin-fields: %s\n", h ? host_last_error(h) : "out of memory");
		host_free(h);
		return 1;
	}
	json_error_t err;
	json_t* fields = json_loads(host_plugin_fields_json(h), 0, &err);
	printf("| Field | Type | Argument | Suggested output | Description |\n|---|---|---|---|---|\n");
	size_t i;
	json_t* f;
	json_array_foreach(fields, i, f)
	{
		json_t* arg = json_object_get(f, "arg");
		const char* a = !arg ? ""
		                : json_is_true(json_object_get(arg, "isIndex")) ? "index or key, required"
		                                                                : "key, required";
		printf("| `%s` | %s | %s | %s | ", json_string_value(json_object_get(f, "name")),
		       json_string_value(json_object_get(f, "type")), a,
		       json_is_true(json_object_get(f, "addOutput")) ? "yes" : "");
		cell(json_string_value(json_object_get(f, "desc")));
		printf(" |\n");
	}
	json_decref(fields);
	host_free(h);
	return 0;
}
