/*
 * Loads a libcontainer.so the way Falco does and walks it through one short
 * life: dlopen(RTLD_NOW), init with the default config, open a live capture
 * (the engine worker starts and finds no engine), parse the clone exit of a
 * process whose cgroups are a Docker container's, extract container.id,
 * close, destroy.
 *
 *   load_driver PATH_TO_SO
 *
 * The artifact tests (tests/artifact/run.sh) run it inside a bare Debian 11
 * root, natively and under qemu for aarch64: it proves the shipped .so loads
 * with nothing but an old libc. Built with the release artifact (same root,
 * same static dependencies) so that the driver itself needs only libc.
 * Prints one line per step; exit status 0 only when every step passed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "host.h"

#define ID "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"

static int fail(host* h, const char* step)
{
	fprintf(stderr, "load_driver: %s failed: %s\n", step, host_last_error(h));
	host_free(h);
	return 1;
}

int main(int argc, char** argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: load_driver PATH_TO_SO\n");
		return 2;
	}
	host* h = host_new();
	if (!h)
		return 1;
	if (host_load(h, argv[1]))
		return fail(h, "dlopen");
	printf("loaded %s %s\n", host_plugin_name(h), host_plugin_version(h));
	if (host_init(h, "{}"))
		return fail(h, "init");
	if (host_open_live(h))
		return fail(h, "capture open");

	const char* cgroups[] = {"cpuset=/docker/" ID, "cpu=/docker/" ID, "memory=/docker/" ID,
	                         NULL};
	const char* args[] = {"-g", "daemon off;", NULL};
	evt_proc_info p = {.res = 0, .tid = 4242, .pid = 4242, .ptid = 1, .vtid = 1, .vpid = 1,
	                   .exe = "nginx", .comm = "nginx", .cwd = "/", .args = args,
	                   .cgroups = cgroups};
	ss_plugin_event* e = evt_clone_exit(PPME_SYSCALL_CLONE_20_X, 1, &p);
	if (!e || host_feed(h, e)) {
		free(e);
		return fail(h, "parse clone exit");
	}
	const char* id = host_extract_str(h, e, "container.id");
	printf("container.id=%s\n", id ? id : "<NA>");
	int wrong = !id || strcmp(id, "3ad7b26ded6d") != 0;
	free(e);
	if (wrong) {
		fprintf(stderr, "load_driver: container.id is not 3ad7b26ded6d\n");
		host_free(h);
		return 1;
	}
	if (host_close(h))
		return fail(h, "capture close");
	host_free(h); /* plugin_destroy, dlclose */
	printf("closed and destroyed\n");
	return 0;
}
