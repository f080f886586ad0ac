/*
 * plugin-metrics: prints the metrics a plugin exports (plugin_get_metrics,
 * loaded through our host like Falco loads it) as a Markdown table, with the
 * meanings of the plugin's own table of definitions (plugin/metrics.c).
 * scripts/gen-fields.sh puts it into the README; tests/check_readme_tables.sh
 * fails when the README differs.
 */
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "metrics.h"

static void cell(const char* s)
{
	for (; s && *s; s++)
		fputs(*s == '|' ? "\\|" : (char[]){*s, 0}, stdout);
}

int main(int argc, char** argv)
{
	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr, "usage: plugin-metrics PLUGIN.so\n");
		return argc == 2 ? 0 : 2;
	}
	host* h = host_new();
	/* No engine: the metrics exist without one. */
	static const char cfg[] = "{\"engines\":{\"docker\":{\"enabled\":false},\"podman\":{\"enabled\":"
	                          "false},\"containerd\":{\"enabled\":false},\"cri\":{\"enabled\":"
	                          "false}}}";
	if (!h || host_load(h, argv[1]) || host_init(h, cfg)) {
		fprintf(stderr, "plugin-metrics: %s\n", h ? host_last_error(h) : "out of memory");
		host_free(h);
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
			fprintf(stderr, "plugin-metrics: %s is not in the table of definitions\n", m[i].name);
			rc = 1;
			continue;
		}
		printf("| `%s` | %s | ", m[i].name,
		       m[i].type == SS_PLUGIN_METRIC_TYPE_MONOTONIC ? "counter" : "gauge");
		cell(metric_defs[i].meaning);
		printf(" |\n");
	}
	host_free(h);
	return rc;
}
