/*
 * plugin-fields: prints a plugin's fields (plugin_get_fields, loaded through
 * our host like Falco loads it) as a Markdown table; with --metrics, the
 * metrics it exports (plugin_get_metrics) with the meanings of its table of
 * definitions (plugin/metrics.c). scripts/gen-fields.sh puts both into the
 * README; tests/check_readme_tables.sh fails when the README differs.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "metrics.h"

static void cell(const char* s)
{
	for (; s && *s; s++)
		fputs(*s == '|' ? "\\|" : (char[]){*s, 0}, stdout);
}

/* The metrics of an initialised plugin, in the order and under the names of the table. */
static int print_metrics(host* h)
{
	/* No engine: the metrics exist without one. */
	static const char cfg[] = "{\"engines\":{\"docker\":{\"enabled\":false},\"podman\":{\"enabled\":"
	                          "false},\"containerd\":{\"enabled\":false},\"cri\":{\"enabled\":"
	                          "false}}}";
	if (host_init(h, cfg)) {
		fprintf(stderr, "plugin-fields: %s\n", host_last_error(h));
		return 1;
	}
	uint32_t n = 0;
	const ss_plugin_metric* m = host_metrics(h, &n);
	int rc = 0;
	printf("| Metric | Type | Meaning |\n|---|---|---|\n");
	for (uint32_t i = 0; m && i < n; i++) {
		char want[128];
		snprintf(want, sizeof(want), "%s.%s", host_plugin_name(h),
		         i < METRIC_COUNT ? metric_defs[i].name : "?");
		if (i >= METRIC_COUNT || strcmp(m[i].name, want)) {
			fprintf(stderr, "plugin-fields: %s is not in the table of definitions\n", m[i].name);
			rc = 1;
			continue;
		}
		printf("| `%s` | %s | ", m[i].name,
		       m[i].type == SS_PLUGIN_METRIC_TYPE_MONOTONIC ? "counter" : "gauge");
		cell(metric_defs[i].meaning);
		printf(" |\n");
	}
	return rc;
}

int main(int argc, char** argv)
{
	bool metrics = argc == 3 && !strcmp(argv[2], "--metrics");
	if ((argc != 2 && !metrics) || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr, "usage: plugin-fields PLUGIN.so [--metrics]\n");
		return argc == 2 ? 0 : 2;
	}
	host* h = host_new();
	if (!h || host_load(h, argv[1])) {
		fprintf(stderr, "plugin-fields: %s\n", h ? host_last_error(h) : "out of memory");
		host_free(h);
		return 1;
	}
	if (metrics) {
		int rc = print_metrics(h);
		host_free(h);
		return rc;
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
