/*
 * Replaying a capture file through our host the way libsinsp opens one
 * (docs/architecture.md "State dump", "Reading captures"): the leading state events (dumped
 * containers) are parsed before capture_open, so threads of the capture's
 * process table resolve even when they never get a process event; legacy
 * container events resolve when reached; file mode never starts the engine
 * worker nor emits async events.
 */
#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "events.h"
#include "host.h"
#include "test.h"

#define H "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8"
#define H2 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HCRI "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"

/* Every engine enabled (cgroup matchers), no socket that exists: hermetic. */
static const char hermetic_config[] =
    "{\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"/nonexistent/docker.sock\"]},"
    "\"podman\":{\"enabled\":true,\"sockets\":[\"/nonexistent/podman.sock\"]},"
    "\"containerd\":{\"enabled\":true,\"sockets\":[\"/nonexistent/containerd.sock\"]},"
    "\"cri\":{\"enabled\":true,\"sockets\":[\"/nonexistent/cri.sock\"]},"
    "\"lxc\":{\"enabled\":true},\"libvirt_lxc\":{\"enabled\":true},\"bpm\":{\"enabled\":true}}}";

static const char docker_json[] =
    "{\"container\": {\"type\": 0, \"id\": \"7951fb549ab9\", \"full_id\": \"" H "\","
    "\"name\": \"web\", \"image\": \"nginx:1.25-alpine\", \"imagerepo\": \"nginx\","
    "\"imagetag\": \"1.25-alpine\", \"ip\": \"172.17.0.2\", \"labels\": {\"tier\": \"front\"},"
    "\"Healthcheck\": {\"exe\": \"/bin/sh\", \"args\": [\"-c\", \"curl -f http://localhost/\"]}"
    "}}";

/* docs/container-json.md "Legacy events": a libs-era docker record (event 324). */
static const char legacy_docker_json[] =
    "{\"container\":{\"Healthcheck\":{\"args\":[\"-c\",\"curl -f http://localhost/ || exit 1\"],"
    "\"exe\":\"/bin/sh\"},\"Mounts\":[],\"User\":\"\",\"cni_json\":\"\",\"cpu_period\":100000,"
    "\"cpu_quota\":0,\"cpu_shares\":1024,\"cpuset_cpu_count\":0,\"created_time\":1600000000,"
    "\"env\":[],\"full_id\":\"" H "\",\"host_ipc\":false,\"host_network\":false,"
    "\"host_pid\":false,\"id\":\"7951fb549ab9\",\"image\":\"nginx:latest\","
    "\"imagedigest\":\"sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d275\","
    "\"imageid\":\"a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6\","
    "\"imagerepo\":\"nginx\",\"imagetag\":\"latest\",\"ip\":\"172.17.0.2\","
    "\"is_pod_sandbox\":false,\"labels\":null,\"lookup_state\":1,\"memory_limit\":0,"
    "\"metadata_deadline\":0,\"name\":\"web\",\"pod_sandbox_id\":\"\","
    "\"pod_sandbox_labels\":null,\"port_mappings\":[],\"privileged\":false,\"swap_limit\":0,"
    "\"type\":0}}\n";

static const char cri_json[] =
    "{\"container\":{\"type\": 7, \"id\": \"3ad7b26ded6d\", \"full_id\": \"" HCRI "\","
    "\"name\": \"busybox\", \"image\": \"docker.io/library/busybox:latest\","
    "\"labels\": {\"io.kubernetes.container.name\": \"busybox\","
    "\"io.kubernetes.pod.name\": \"nginx-sandbox\","
    "\"io.kubernetes.pod.namespace\": \"default\"}}}";

static uint64_t ts_now = 1700000000000000000ull;

/* ---- a growable list of owned events: the "capture" ---- */

typedef struct capture {
	ss_plugin_event* evts[64];
	size_t n;
} capture;

static void cap_add(capture* c, ss_plugin_event* e)
{
	if (e && c->n < sizeof(c->evts) / sizeof(c->evts[0]))
		c->evts[c->n++] = e;
	else
		free(e);
}

static void cap_free(capture* c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->evts[i]);
	c->n = 0;
}

static void collect(void* arg, const ss_plugin_event* evt)
{
	ss_plugin_event* copy = malloc(evt->len);
	if (copy)
		memcpy(copy, evt, evt->len);
	cap_add(arg, copy);
}

/* ---- hosts, threads, events ---- */

static host* new_host(const char* config)
{
	host* h = host_new();
	if (!h)
		return NULL;
	if (host_load(h, PLUGIN_SO_PATH) || host_init(h, config)) {
		fprintf(stderr, "  host: %s\n", host_last_error(h));
		host_free(h);
		return NULL;
	}
	return h;
}

static void feed(host* h, ss_plugin_event* e)
{
	if (e)
		host_feed(h, e);
	free(e);
}

static ss_plugin_event* announce_evt(const char* name, const char* json)
{
	return evt_async(ts_now++, 0, 0, name, json, (uint32_t)strlen(json) + 1);
}

/* A thread of the capture's process table (what libscap would read from the file). */
static void table_thread(host* h, int64_t tid, int64_t ptid, int64_t vpid, const char* exe,
                         const char* const* args, const char* cgroup)
{
	char cpu[512];
	snprintf(cpu, sizeof(cpu), "cpu=%s", cgroup);
	const char* cgroups[] = {"cpuset=/", cpu, NULL};
	host_proc p = {.tid = tid, .pid = tid, .ptid = ptid, .vtid = vpid, .vpid = vpid,
	               .pidns_init_start_ts = 1600000000000000000ull, .comm = exe, .exe = exe,
	               .exe_path = exe, .args = args, .cgroups = cgroups};
	CHECK(host_thread_add(h, &p) == 0);
}

static ss_plugin_event* clone_evt(int64_t tid, int64_t ptid, int64_t vpid, const char* cgroup)
{
	char cpu[512];
	snprintf(cpu, sizeof(cpu), "cpu=%s", cgroup);
	const char* cgroups[] = {"cpuset=/", cpu, NULL};
	const char* args[] = {"-g", "daemon off;", NULL};
	evt_proc_info p = {.res = 0, .tid = tid, .pid = tid, .ptid = ptid, .vtid = vpid,
	                   .vpid = vpid, .pidns_init_start_ts = 1600000000000000000ull,
	                   .exe = "nginx", .comm = "nginx", .cwd = "/", .args = args,
	                   .cgroups = cgroups};
	return evt_clone_exit(PPME_SYSCALL_CLONE_20_X, ts_now++, &p);
}

static ss_plugin_event* execve_evt(int64_t tid, int64_t ptid, int64_t vpid, const char* exe,
                                   const char* const* args, const char* cgroup)
{
	char cpu[512];
	snprintf(cpu, sizeof(cpu), "cpu=%s", cgroup);
	const char* cgroups[] = {cpu, NULL};
	evt_proc_info p = {.res = 0, .tid = tid, .pid = tid, .ptid = ptid, .vtid = vpid,
	                   .vpid = vpid, .exe = exe, .comm = "sh", .cwd = "/", .args = args,
	                   .cgroups = cgroups};
	return evt_execve_exit(PPME_SYSCALL_EXECVE_19_X, ts_now++, &p);
}

/* libsinsp's PPME_USER_ADDED_E (354): uid, gid, name, home, shell, container_id. */
static ss_plugin_event* user_added_evt(void)
{
	uint32_t uid = 1000, gid = 1000;
	evt_param p[6] = {{&uid, 4}, {&gid, 4}, {"app", 4}, {"/home/app", 10}, {"/bin/sh", 8},
	                  {"", 1}};
	return evt_build(354, ts_now++, (uint64_t)-1, 6, p);
}

/* The single value of a field for thread tid, as a string ("<NA>" when absent). */
static const char* field(host* h, int64_t tid, const char* name)
{
	static char buf[4096];
	ss_plugin_event* e = evt_procexit(ts_now, (uint64_t)tid, 0);
	host_value v[2];
	int n = host_extract(h, e, name, v, 2);
	free(e);
	if (n < 0)
		return "<ERR>";
	return n ? host_value_text(&v[0], buf, sizeof(buf)) : "<NA>";
}

static int category(host* h, int64_t tid)
{
	uint16_t cat = 0;
	return host_thread_dynfield_u16(h, tid, "category", &cat) ? cat : -1;
}

/* Feeds evts[from..n) with host_feed, as a capture reader would after the open. */
static void feed_rest(host* h, const capture* c, size_t from)
{
	for (size_t i = from; i < c->n; i++)
		CHECK(host_feed(h, c->evts[i]) == 0);
}

/* Dumped state of a live instance that learned the docker record from an async event. */
static void dump_live_state(capture* c)
{
	host* live = new_host(hermetic_config);
	REQUIRE(live);
	REQUIRE(host_open_live(live) == 0);
	feed(live, announce_evt("container", docker_json));
	feed(live, announce_evt("container", cri_json));
	CHECK(host_dump_state(live, collect, c) == 0);
	CHECK_INT(c->n, 2);
	host_free(live);
}

static const char* const probe_args[] = {"-c", "curl -f http://localhost/", NULL};

/*
 * The process table of the replayed capture: a container init (200), its
 * child (201), a health check started by runc (400, parent 50 on the host),
 * a host process (100).
 */
static void capture_proc_table(host* r)
{
	const char* nginx_args[] = {"-g", "daemon off;", NULL};
	table_thread(r, 100, 1, 100, "bash", NULL, "/user.slice/user-1000.slice/session-2.scope");
	table_thread(r, 50, 1, 50, "runc", NULL, "/system.slice/docker.service");
	table_thread(r, 200, 50, 1, "nginx", nginx_args, "/docker/" H);
	table_thread(r, 201, 200, 2, "nginx", NULL, "/docker/" H);
	table_thread(r, 400, 50, 31, "/bin/sh", probe_args, "/docker/" H);
}

/* (1) Dumped containers are known at capture_open: pre-existing threads resolve. */
TEST(dumped_containers_resolve_threads_at_capture_open)
{
	capture c = {.n = 0};
	dump_live_state(&c);
	REQUIRE(c.n == 2);
	/* A user event between the dumped containers is part of the leading state run. */
	ss_plugin_event* second = c.evts[1];
	c.evts[1] = user_added_evt();
	cap_add(&c, second);
	size_t nstate = c.n;
	cap_add(&c, clone_evt(300, 200, 3, "/docker/" H));
	const char* sh_args[] = {"-c", "ls", NULL};
	cap_add(&c, execve_evt(301, 201, 4, "/bin/sh", sh_args, "/docker/" H));
	cap_add(&c, clone_evt(302, 1, 1, "/kubepods/besteffort/podx/" HCRI));

	host* r = new_host(hermetic_config);
	REQUIRE(r);
	capture_proc_table(r);
	size_t consumed = 99;
	CHECK(host_open_file_events(r, c.evts, c.n, &consumed) == 0);
	CHECK_INT(consumed, nstate);
	CHECK_INT(host_async_accepted(r), 0);

	/* Nothing after the state run fed yet: these come from capture_open alone. */
	CHECK_STR(field(r, 200, "container.id"), "7951fb549ab9");
	CHECK_STR(field(r, 200, "container.name"), "web");
	CHECK_STR(field(r, 201, "container.name"), "web");
	CHECK_STR(field(r, 201, "container.image"), "nginx:1.25-alpine");
	CHECK_STR(field(r, 201, "container.label[tier]"), "front");
	CHECK_STR(field(r, 400, "container.name"), "web");
	CHECK_STR(field(r, 100, "container.name"), "host");
	CHECK_STR(field(r, 50, "container.id"), "host");
	CHECK_STR(host_thread_dynfield_str(r, 201, "container_id"), "7951fb549ab9");
	CHECK_INT(category(r, 200), 1);
	/* The probe's category needs the record while capture_open runs
	 * (docs/architecture.md "Process categories"). */
	CHECK_INT(category(r, 400), 2);
	CHECK_STR(field(r, 400, "proc.is_container_healthcheck"), "true");
	CHECK_STR(field(r, 100, "proc.is_container_healthcheck"), "false");
	CHECK(!host_thread_exists(r, 300));

	feed_rest(r, &c, consumed);
	CHECK_STR(field(r, 300, "container.name"), "web");
	CHECK_INT(category(r, 300), 1);
	CHECK_STR(field(r, 301, "container.name"), "web");
	CHECK_STR(field(r, 302, "container.name"), "busybox");
	CHECK_STR(field(r, 302, "k8s.pod.name"), "nginx-sandbox");
	CHECK_STR(field(r, 200, "container.name"), "web"); /* never had a process event */
	CHECK_INT(host_async_accepted(r), 0);
	host_free(r);
	cap_free(&c);
}

/* Why the order matters: the old order (open, then feed everything) misses the probe. */
TEST(without_preparse_preexisting_probe_is_missed)
{
	capture c = {.n = 0};
	dump_live_state(&c);
	REQUIRE(c.n == 2);
	host* r = new_host(hermetic_config);
	REQUIRE(r);
	capture_proc_table(r);
	REQUIRE(host_open_file(r) == 0);
	CHECK_STR(field(r, 200, "container.name"), "<NA>");
	feed_rest(r, &c, 0);
	CHECK_STR(field(r, 200, "container.name"), "web"); /* extraction reads the cache late */
	CHECK_INT(category(r, 400), 0);                    /* but classification happened early */
	host_free(r);
	cap_free(&c);
}

/* (2) Legacy captures: libscap turns 228 and 272 into 324 while reading the
 * file (228 as a flat {"id","type","name","image"} JSON), so the whole run of
 * container events is pre-parsed. */
TEST(legacy_container_events_resolve_fields)
{
	capture c = {.n = 0};
	cap_add(&c, evt_container_json(PPME_CONTAINER_JSON_2_E, ts_now++, (uint64_t)-1,
	                               legacy_docker_json));
	cap_add(&c, evt_container(ts_now++, (uint64_t)-1, "0123456789ab", 0, "db", "postgres:16"));
	cap_add(&c, evt_container_json(PPME_CONTAINER_JSON_E, ts_now++, (uint64_t)-1, cri_json));
	cap_add(&c, clone_evt(500, 1, 1, "/docker/" H2));
	cap_add(&c, clone_evt(501, 1, 1, "/kubepods/besteffort/podx/" HCRI));
	cap_add(&c, clone_evt(502, 200, 2, "/docker/" H));

	host* r = new_host(hermetic_config);
	REQUIRE(r);
	capture_proc_table(r);
	size_t consumed = 99;
	CHECK(host_open_file_events(r, c.evts, c.n, &consumed) == 0);
	CHECK_INT(consumed, 3); /* converted 228 and 272 belong to the state run */
	CHECK_STR(field(r, 200, "container.name"), "web");
	CHECK_STR(field(r, 200, "container.image"), "nginx:latest");
	CHECK_INT(category(r, 200), 1);
	/* The legacy probe is "/bin/sh -c curl -f http://localhost/ || exit 1": not thread 400's. */
	CHECK_STR(field(r, 400, "container.healthcheck"),
	          "/bin/sh -c curl -f http://localhost/ || exit 1");
	CHECK_INT(category(r, 400), 0);

	for (size_t i = consumed; i < c.n; i++)
		CHECK(host_feed(r, c.evts[i]) == 0);
	CHECK_STR(field(r, 500, "container.id"), "0123456789ab");
	CHECK_STR(field(r, 500, "container.name"), "db");
	CHECK_STR(field(r, 500, "container.image"), "postgres:16");
	CHECK_STR(field(r, 500, "container.type"), "docker");
	CHECK_STR(field(r, 501, "container.name"), "busybox");
	CHECK_STR(field(r, 501, "container.type"), "containerd");
	CHECK_STR(field(r, 502, "container.name"), "web");
	CHECK_STR(field(r, 502, "container.image.digest"),
	          "sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d275");
	CHECK_INT(category(r, 502), 1);
	CHECK_INT(host_async_accepted(r), 0);
	host_free(r);
	cap_free(&c);
}

/* ---- (3) file mode: no worker, no async events ---- */

static int count_tasks(void)
{
	DIR* d = opendir("/proc/self/task");
	int n = 0;
	struct dirent* de;
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* A unix socket that listens but never accepts: a pending connection means someone called. */
static int listen_sock(char* path, size_t size, const char* dir)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (snprintf(path, size, "%s/docker.sock", dir) >= (int)size ||
	    strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr*)&sa, sizeof(sa)) || listen(fd, 16)) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST(file_mode_starts_no_worker_and_emits_nothing)
{
	char dir[] = "/tmp/replay.XXXXXX";
	REQUIRE(mkdtemp(dir));
	char sock[256], config[1024];
	int lfd = listen_sock(sock, sizeof(sock), dir);
	if (lfd < 0) {
		rmdir(dir);
		REQUIRE(lfd >= 0);
	}
	snprintf(config, sizeof(config),
	         "{\"engines\":{\"docker\":{\"enabled\":true,\"sockets\":[\"%s\"]},"
	         "\"podman\":{\"enabled\":true,\"sockets\":[\"%s\"]},"
	         "\"containerd\":{\"enabled\":false},\"cri\":{\"enabled\":false},"
	         "\"lxc\":{\"enabled\":true},\"libvirt_lxc\":{\"enabled\":true},"
	         "\"bpm\":{\"enabled\":true}}}",
	         sock, sock);
	host* r = new_host(config);
	if (r) {
		int tasks = count_tasks();
		capture c = {.n = 0};
		cap_add(&c, announce_evt("container", docker_json));
		cap_add(&c, clone_evt(10, 1, 1, "/lxc.payload.web1"));
		cap_add(&c, clone_evt(11, 10, 2, "/lxc.payload.web1"));
		cap_add(&c, clone_evt(20, 1, 1, "/docker/" H));
		cap_add(&c, clone_evt(30, 1, 1, "/docker/" H2)); /* unknown: live would ask docker */
		cap_add(&c, evt_procexit(ts_now++, 20, 0));      /* docker container init exits */
		cap_add(&c, clone_evt(21, 1, 5, "/docker/" H));
		cap_add(&c, evt_procexit(ts_now++, 10, 0)); /* lxc container init exits */
		cap_add(&c, clone_evt(12, 1, 3, "/lxc.payload.web1"));
		table_thread(r, 40, 1, 1, "init", NULL, "/lxc.payload.web2"); /* at open */
		size_t consumed = 0;
		CHECK(host_open_file_events(r, c.evts, c.n, &consumed) == 0);
		CHECK_INT(consumed, 1);
		feed_rest(r, &c, consumed);
		CHECK_INT(host_async_accepted(r), 0);
		CHECK_INT(host_drain_async(r), 0);
		CHECK_INT(count_tasks(), tasks);
		struct pollfd p = {.fd = lfd, .events = POLLIN};
		CHECK_INT(poll(&p, 1, 300), 0); /* nobody connected to the engine socket */
		/* Matcher records are still cached directly (docs/architecture.md "Reading captures"). */
		CHECK_STR(field(r, 11, "container.type"), "lxc");
		CHECK_STR(field(r, 11, "container.name"), "web1");
		CHECK_STR(field(r, 40, "container.type"), "lxc");
		CHECK_STR(field(r, 40, "container.name"), "web2");
		/* No removal in replay: the containers outlive their init's exit. */
		CHECK_STR(field(r, 21, "container.name"), "web");
		CHECK_STR(field(r, 12, "container.name"), "web1");
		CHECK_STR(field(r, 30, "container.id"), "0123456789ab");
		CHECK_STR(field(r, 30, "container.name"), "<NA>");
		CHECK(host_close(r) == 0);
		CHECK_INT(host_async_accepted(r), 0);
		cap_free(&c);
		host_free(r);
	}
	CHECK(r != NULL);
	close(lfd);
	unlink(sock);
	rmdir(dir);
}

TEST(open_file_events_edge_cases)
{
	host* r = new_host(hermetic_config);
	REQUIRE(r);
	size_t consumed = 99;
	/* Nothing at all: a plain file-mode open. */
	CHECK(host_open_file_events(r, NULL, 0, &consumed) == 0);
	CHECK_INT(consumed, 0);
	CHECK(host_open_file_events(r, NULL, 0, &consumed) != 0); /* already open */
	CHECK(strstr(host_last_error(r), "already open") != NULL);
	CHECK(host_close(r) == 0);

	/* Only state events: all consumed. */
	capture c = {.n = 0};
	cap_add(&c, announce_evt("container", docker_json));
	cap_add(&c, announce_evt("another_plugins_event", "{}"));
	CHECK(host_open_file_events(r, c.evts, c.n, NULL) == 0);
	CHECK(host_close(r) == 0);
	CHECK(host_open_file_events(r, c.evts, c.n, &consumed) == 0);
	CHECK_INT(consumed, 2);
	CHECK(host_close(r) == 0);

	/* A NULL or a malformed event in the state run: no capture is open. */
	ss_plugin_event* bad = malloc(c.evts[0]->len);
	REQUIRE(bad);
	memcpy(bad, c.evts[0], c.evts[0]->len);
	bad->len -= 5;
	ss_plugin_event* with_bad[] = {c.evts[0], bad, c.evts[1]};
	CHECK(host_open_file_events(r, with_bad, 3, &consumed) != 0);
	CHECK_INT(consumed, 1);
	CHECK(strlen(host_last_error(r)) > 0);
	CHECK(host_close(r) != 0); /* nothing open */
	ss_plugin_event* with_null[] = {c.evts[0], NULL};
	CHECK(host_open_file_events(r, with_null, 2, &consumed) != 0);
	CHECK_INT(consumed, 1);
	CHECK(host_open_file_events(r, NULL, 3, &consumed) != 0);
	free(bad);

	/* A first event that is not a state event: nothing pre-parsed. */
	ss_plugin_event* first[] = {c.evts[0]};
	ss_plugin_event* proc = clone_evt(7, 1, 1, "/docker/" H);
	first[0] = proc;
	CHECK(host_open_file_events(r, first, 1, &consumed) == 0);
	CHECK_INT(consumed, 0);
	free(proc);
	host_free(r);
	cap_free(&c);

	/* Not initialised. */
	host* u = host_new();
	REQUIRE(u);
	CHECK(host_open_file_events(u, NULL, 0, &consumed) != 0);
	host_free(u);
}

TEST_MAIN(T(dumped_containers_resolve_threads_at_capture_open),
          T(without_preparse_preexisting_probe_is_missed),
          T(legacy_container_events_resolve_fields),
          T(file_mode_starts_no_worker_and_emits_nothing), T(open_file_events_edge_cases))
