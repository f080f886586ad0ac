/*
 * Unit tests for ctr_json.c: every example of docs/container-json.md "Examples" decoded
 * and round-tripped, plus hostile and malformed input.
 */
#include "ctr_json.h"

#include "test.h"

/* Examples per engine, verbatim (only the first uses the envelope;
 * docs/container-json.md "Examples"). */
static const char EX_DOCKER_FULL[] =
	"{\"container\": {\n"
	"  \"type\": 0, \"id\": \"7951fb549ab9\",\n"
	"  \"full_id\": \"7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8\",\n"
	"  \"name\": \"web\", \"image\": \"nginx:1.25-alpine\",\n"
	"  \"imageid\": \"a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6\",\n"
	"  \"imagerepo\": \"nginx\", \"imagetag\": \"1.25-alpine\",\n"
	"  \"imagedigest\": \"sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699"
	"d275\",\n"
	"  \"User\": \"\", \"cni_json\": \"\",\n"
	"  \"cpu_period\": 100000, \"cpu_quota\": 50000, \"cpu_shares\": 1024, "
	"\"cpuset_cpu_count\": 2,\n"
	"  \"created_time\": 1730971086,\n"
	"  \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", "
	"\"NGINX_VERSION=1.25.5\"],\n"
	"  \"host_ipc\": false, \"host_network\": false, \"host_pid\": false,\n"
	"  \"ip\": \"172.17.0.2\", \"size\": -1, \"is_pod_sandbox\": false,\n"
	"  \"labels\": {\"maintainer\": \"NGINX Docker Maintainers <docker-maint@nginx.com>\"},\n"
	"  \"memory_limit\": 268435456, \"swap_limit\": 536870912,\n"
	"  \"pod_sandbox_id\": \"\", \"privileged\": false, \"pod_sandbox_labels\": null,\n"
	"  \"port_mappings\": [{\"HostIp\": 0, \"HostPort\": 8080, \"ContainerPort\": 80}],\n"
	"  \"Mounts\": [{\"Source\": \"/srv/www\", \"Destination\": \"/usr/share/nginx/html\", "
	"\"Mode\": \"ro\",\n"
	"              \"RW\": false, \"Propagation\": \"rprivate\"}]\n"
	"}}";

static const char EX_DOCKER_MIN[] =
	"{\"type\": 0, \"id\": \"7951fb549ab9\", \"name\": \"\", "
	"\"image\": \"nginx:1.25-alpine\",\n"
	" \"imagedigest\": \"\", \"imageid\": \"\", \"imagerepo\": \"\", \"imagetag\": \"\", "
	"\"User\": \"\", \"cni_json\": \"\",\n"
	" \"cpu_period\": 0, \"cpu_quota\": 0, \"cpu_shares\": 0, \"cpuset_cpu_count\": 0, "
	"\"created_time\": 0,\n"
	" \"env\": null, \"full_id\": \"7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12"
	"251e6b8\",\n"
	" \"host_ipc\": false, \"host_network\": false, \"host_pid\": false, \"ip\": \"\", "
	"\"size\": 0,\n"
	" \"is_pod_sandbox\": false, \"labels\": null, \"memory_limit\": 0, \"swap_limit\": 0,\n"
	" \"pod_sandbox_id\": \"\", \"privileged\": false, \"pod_sandbox_labels\": null,\n"
	" \"port_mappings\": null, \"Mounts\": null}";

static const char EX_PODMAN[] =
	"{\"type\": 11, \"id\": \"1234567890ab\",\n"
	" \"full_id\": \"1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef\",\n"
	" \"name\": \"db\", \"image\": \"docker.io/library/postgres:16\",\n"
	" \"imageid\": \"b781f3a53e61df916d97dcd8a7f8a7b3b9bc2fa8f2d1a0e3c0c5a5f1a5d2c3e4\",\n"
	" \"imagerepo\": \"docker.io/library/postgres\", \"imagetag\": \"16\",\n"
	" \"imagedigest\": \"sha256:4ec37d2a07a0067f176fdcc9d4bb633a5724d2cc4f892c7a2046d054bb693"
	"9e5\",\n"
	" \"User\": \"postgres\", \"cni_json\": \"\", \"cpu_period\": 100000, \"cpu_quota\": 0, "
	"\"cpu_shares\": 1024,\n"
	" \"cpuset_cpu_count\": 0, \"created_time\": 1731000000,\n"
	" \"env\": [\"POSTGRES_PASSWORD=secret\", \"PGDATA=/var/lib/postgresql/data\"],\n"
	" \"host_ipc\": false, \"host_network\": false, \"host_pid\": false, "
	"\"ip\": \"10.88.0.5\", \"size\": -1,\n"
	" \"is_pod_sandbox\": false, \"labels\": {\"io.containers.autoupdate\": \"registry\"},\n"
	" \"memory_limit\": 0, \"swap_limit\": 0, \"pod_sandbox_id\": \"\", "
	"\"privileged\": false,\n"
	" \"pod_sandbox_labels\": null,\n"
	" \"port_mappings\": [{\"HostIp\": 0, \"HostPort\": 5432, \"ContainerPort\": 5432}],\n"
	" \"Mounts\": [{\"Source\": \"/var/lib/containers/storage/volumes/pgdata/_data\",\n"
	"             \"Destination\": \"/var/lib/postgresql/data\", \"Mode\": \"\", "
	"\"RW\": true,\n"
	"             \"Propagation\": \"rprivate\"}]}";

static const char EX_CRI_CONTAINERD[] =
	"{\"type\": 7, \"id\": \"3ad7b26ded6d\",\n"
	" \"full_id\": \"3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e\",\n"
	" \"name\": \"busybox\", \"image\": \"docker.io/library/busybox:latest\",\n"
	" \"imageid\": \"6fd955f66c231c1a946653170d096a28ac2b2052a02080c0b84ec082a07f7d12\",\n"
	" \"imagerepo\": \"docker.io/library/busybox\", \"imagetag\": \"latest\",\n"
	" \"imagedigest\": \"sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4"
	"e79\",\n"
	" \"User\": \"0\",\n"
	" \"cni_json\": \"{\\\"bridge\\\":{\\\"IPConfigs\\\":null},"
	"\\\"eth0\\\":{\\\"IPConfigs\\\":[{\\\"Gateway\\\":\\\"10.244.0.1\\\","
	"\\\"IP\\\":\\\"10.244.0.2\\\"}]}}\",\n"
	" \"cpu_period\": 100000, \"cpu_quota\": 50000, \"cpu_shares\": 102, "
	"\"cpuset_cpu_count\": 0,\n"
	" \"created_time\": 1717000000,\n"
	" \"env\": [\"KUBERNETES_SERVICE_HOST=10.96.0.1\", \"KUBERNETES_SERVICE_PORT=443\"],\n"
	" \"host_ipc\": false, \"host_network\": false, \"host_pid\": false, "
	"\"ip\": \"10.244.0.2\", \"size\": -1,\n"
	" \"is_pod_sandbox\": false,\n"
	" \"labels\": {\"io.kubernetes.container.name\": \"busybox\",\n"
	"            \"io.kubernetes.pod.name\": \"nginx-sandbox\", "
	"\"io.kubernetes.pod.namespace\": \"default\",\n"
	"            \"io.kubernetes.pod.uid\": \"hdishddjaidwnduw9a43535366368\",\n"
	"            \"io.kubernetes.sandbox.id\": \"63060edc2d3aa803ab559f2393776b151f99fc5b0503"
	"5b21db66b3b62246ad6a\"},\n"
	" \"memory_limit\": 1073741824, \"swap_limit\": 1073741824,\n"
	" \"pod_sandbox_id\": \"63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a"
	"\",\n"
	" \"privileged\": true,\n"
	" \"pod_sandbox_labels\": {\"app\": \"myapp\", "
	"\"example-label/custom_one\": \"mylabel\"},\n"
	" \"port_mappings\": [],\n"
	" \"Mounts\": [{\"Source\": \"/boot\", \"Destination\": \"/host/boot\", \"Mode\": \"\", "
	"\"RW\": false,\n"
	"             \"Propagation\": \"private\"}]}";

static const char EX_CRIO[] =
	"{\"type\": 8, \"id\": \"49ecc2820215\",\n"
	" \"full_id\": \"49ecc282021562c567a8159ef424a06cdd8637efdca5953de9794eafe29adcad\",\n"
	" \"name\": \"redis\", \"image\": \"quay.io/crio/redis:alpine\",\n"
	" \"imageid\": \"98bd7cfc43dd9c4d0cd0fd6b4de4ee8f9ef6e21eb5e69e9dd5c9f3e4c5b6a7d8\",\n"
	" \"imagerepo\": \"quay.io/crio/redis\", \"imagetag\": \"alpine\",\n"
	" \"imagedigest\": \"sha256:1780b5a5496189974b94eb2595d86731d7a0820e4beb8ea770974298a943e"
	"d55\",\n"
	" \"User\": \"0\",\n"
	" \"cni_json\": \"{\\\"cniVersion\\\":\\\"1.0.0\\\","
	"\\\"interfaces\\\":[{\\\"name\\\":\\\"eth0\\\",\\\"mac\\\":\\\"fe:06:00:f8:2f:4d\\\"}],"
	"\\\"ips\\\":[{\\\"interface\\\":0,\\\"address\\\":\\\"10.244.0.3/16\\\","
	"\\\"gateway\\\":\\\"10.244.0.1\\\"}],\\\"dns\\\":{}}\",\n"
	" \"cpu_period\": 100000, \"cpu_quota\": 0, \"cpu_shares\": 2, \"cpuset_cpu_count\": 0,\n"
	" \"created_time\": 1717000500, \"env\": [\"REDIS_VERSION=7.2.4\"],\n"
	" \"host_ipc\": true, \"host_network\": false, \"host_pid\": true, "
	"\"ip\": \"10.244.0.3\", \"size\": -1,\n"
	" \"is_pod_sandbox\": false,\n"
	" \"labels\": {\"io.kubernetes.container.name\": \"redis\", "
	"\"io.kubernetes.pod.name\": \"podsandbox1\",\n"
	"            \"io.kubernetes.pod.namespace\": \"redhat.test.crio\", "
	"\"io.kubernetes.pod.uid\": \"redhat-test-crio\",\n"
	"            \"io.kubernetes.sandbox.id\": \"1f04600dc6949359da68eee5fe7c4069706a567c07d1"
	"ef89fe3bbfdeac7a6dca\"},\n"
	" \"memory_limit\": 0, \"swap_limit\": 0,\n"
	" \"pod_sandbox_id\": \"1f04600dc6949359da68eee5fe7c4069706a567c07d1ef89fe3bbfdeac7a6dca"
	"\",\n"
	" \"privileged\": true, \"pod_sandbox_labels\": {\"example-label/custom_one\": \"mylabel"
	"\"},\n"
	" \"port_mappings\": [], \"Mounts\": []}";

static const char EX_SANDBOX[] =
	"{\"type\": 7, \"id\": \"63060edc2d3a\",\n"
	" \"full_id\": \"63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a\",\n"
	" \"name\": \"\", \"image\": \"\", \"imagedigest\": \"\", \"imageid\": \"\", "
	"\"imagerepo\": \"\", \"imagetag\": \"\",\n"
	" \"User\": \"\", \"cni_json\": \"\", \"cpu_period\": 0, \"cpu_quota\": 0, "
	"\"cpu_shares\": 0,\n"
	" \"cpuset_cpu_count\": 0, \"created_time\": 1716999990, \"env\": null, "
	"\"host_ipc\": false,\n"
	" \"host_network\": false, \"host_pid\": false, \"ip\": \"\", \"size\": 0, "
	"\"is_pod_sandbox\": true,\n"
	" \"labels\": null, \"memory_limit\": 0, \"swap_limit\": 0, \"pod_sandbox_id\": \"\", "
	"\"privileged\": false,\n"
	" \"pod_sandbox_labels\": null, \"port_mappings\": null, \"Mounts\": null}";

static const char EX_CONTAINERD_NATIVE[] =
	"{\"type\": 7, \"id\": \"admin\", \"full_id\": \"admin\", \"name\": \"admin\",\n"
	" \"image\": \"public.ecr.aws/bottlerocket/bottlerocket-admin:v0.11.0\",\n"
	" \"imagedigest\": \"sha256:6b0c3ffa1b3e1d1e9c2f7f8b5c5a3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7"
	"a6f\",\n"
	" \"imageid\": \"\", \"imagerepo\": \"public.ecr.aws/bottlerocket/bottlerocket-admin\",\n"
	" \"imagetag\": \"v0.11.0\", \"User\": \"0\", \"cni_json\": \"\",\n"
	" \"cpu_period\": 100000, \"cpu_quota\": 0, \"cpu_shares\": 1024, "
	"\"cpuset_cpu_count\": 0,\n"
	" \"created_time\": 1716000000, "
	"\"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\n"
	" \"host_ipc\": false, \"host_network\": true, \"host_pid\": false, \"ip\": \"\", "
	"\"size\": -1,\n"
	" \"is_pod_sandbox\": false, \"labels\": {}, \"memory_limit\": 0, \"swap_limit\": 0,\n"
	" \"pod_sandbox_id\": \"\", \"privileged\": true, \"pod_sandbox_labels\": null, "
	"\"port_mappings\": null,\n"
	" \"Mounts\": [{\"Source\": \"/run/host-containerd\", "
	"\"Destination\": \"/run/host-containerd\",\n"
	"             \"Mode\": \"\", \"RW\": true, \"Propagation\": \"rprivate\"}]}";

static const char EX_CRI_GENERIC[] =
	"{\"type\": 6, \"id\": \"da940514d5f2\",\n"
	" \"full_id\": \"da940514d5f2240780141367da424cbbc48d10bf35563bb0c2097b4b0fc9ddfd\",\n"
	" \"name\": \"falcoctl-artifact-follow\", "
	"\"image\": \"registry.example.com/falcosecurity/falcoctl:0.8.0\",\n"
	" \"imageid\": \"\", \"imagerepo\": \"registry.example.com/falcosecurity/falcoctl\", "
	"\"imagetag\": \"0.8.0\",\n"
	" \"imagedigest\": \"\", \"User\": \"0\", \"cni_json\": \"\", \"cpu_period\": 100000, "
	"\"cpu_quota\": 0,\n"
	" \"cpu_shares\": 2, \"cpuset_cpu_count\": 0, \"created_time\": 1718179612, "
	"\"env\": null,\n"
	" \"host_ipc\": false, \"host_network\": false, \"host_pid\": false, "
	"\"ip\": \"10.244.1.7\", \"size\": -1,\n"
	" \"is_pod_sandbox\": false,\n"
	" \"labels\": {\"io.kubernetes.container.name\": \"falcoctl-artifact-follow\",\n"
	"            \"io.kubernetes.pod.name\": \"falco-wc8x2\", "
	"\"io.kubernetes.pod.namespace\": \"falco\",\n"
	"            \"io.kubernetes.pod.uid\": \"0b6d5e1a-4f1e-4c1b-9d52-6a3c2f1e9b77\",\n"
	"            \"io.kubernetes.sandbox.id\": \"5c3f0e9b2a7d4c1e8f6a9b0c1d2e3f405162738495a6"
	"b7c8d9e0f1a2b3c4d5e6\"},\n"
	" \"memory_limit\": 0, \"swap_limit\": 0,\n"
	" \"pod_sandbox_id\": \"5c3f0e9b2a7d4c1e8f6a9b0c1d2e3f405162738495a6b7c8d9e0f1a2b3c4d5e6"
	"\",\n"
	" \"privileged\": false, \"pod_sandbox_labels\": {\"app.kubernetes.io/name\": \"falco\"},"
	"\n"
	" \"port_mappings\": null, \"Mounts\": []}";

static const char EX_LXC[] =
	"{\"type\": 1, \"id\": \"mycontainer\", \"full_id\": \"\", \"name\": \"mycontainer\", "
	"\"image\": \"\",\n"
	" \"imagedigest\": \"\", \"imageid\": \"\", \"imagerepo\": \"\", \"imagetag\": \"\", "
	"\"User\": \"\", \"cni_json\": \"\",\n"
	" \"cpu_period\": 100000, \"cpu_quota\": 0, \"cpu_shares\": 1024, "
	"\"cpuset_cpu_count\": 0,\n"
	" \"created_time\": 0, \"env\": [], \"host_ipc\": false, \"host_network\": false, "
	"\"host_pid\": false,\n"
	" \"ip\": \"\", \"size\": -1, \"is_pod_sandbox\": false, \"labels\": {}, "
	"\"memory_limit\": 0,\n"
	" \"swap_limit\": 0, \"pod_sandbox_id\": \"\", \"privileged\": false, "
	"\"pod_sandbox_labels\": {},\n"
	" \"port_mappings\": [], \"Mounts\": []}";

static const char EX_LIBVIRT[] =
	"{\"type\": 2, \"id\": \"2293906\\\\x2dlibvirt\\\\x2dcontainer\", \"full_id\": \"\",\n"
	" \"name\": \"2293906\\\\x2dlibvirt\\\\x2dcontainer\", \"image\": \"\", "
	"\"imagedigest\": \"\", \"imageid\": \"\",\n"
	" \"imagerepo\": \"\", \"imagetag\": \"\", \"User\": \"\", \"cni_json\": \"\", "
	"\"cpu_period\": 100000, \"cpu_quota\": 0,\n"
	" \"cpu_shares\": 1024, \"cpuset_cpu_count\": 0, \"created_time\": 0, \"env\": [], "
	"\"host_ipc\": false,\n"
	" \"host_network\": false, \"host_pid\": false, \"ip\": \"\", \"size\": -1, "
	"\"is_pod_sandbox\": false,\n"
	" \"labels\": {}, \"memory_limit\": 0, \"swap_limit\": 0, \"pod_sandbox_id\": \"\", "
	"\"privileged\": false,\n"
	" \"pod_sandbox_labels\": {}, \"port_mappings\": [], \"Mounts\": []}";

static const char EX_BPM[] =
	"{\"type\": 9, \"id\": \"b3f4c1d2-aaaa-4bbb-8ccc-1234567890ab\", \"full_id\": \"\",\n"
	" \"name\": \"b3f4c1d2-aaaa-4bbb-8ccc-1234567890ab\", \"image\": \"\", "
	"\"imagedigest\": \"\", \"imageid\": \"\",\n"
	" \"imagerepo\": \"\", \"imagetag\": \"\", \"User\": \"\", \"cni_json\": \"\", "
	"\"cpu_period\": 100000, \"cpu_quota\": 0,\n"
	" \"cpu_shares\": 1024, \"cpuset_cpu_count\": 0, \"created_time\": 0, \"env\": [], "
	"\"host_ipc\": false,\n"
	" \"host_network\": false, \"host_pid\": false, \"ip\": \"\", \"size\": -1, "
	"\"is_pod_sandbox\": false,\n"
	" \"labels\": {}, \"memory_limit\": 0, \"swap_limit\": 0, \"pod_sandbox_id\": \"\", "
	"\"privileged\": false,\n"
	" \"pod_sandbox_labels\": {}, \"port_mappings\": [], \"Mounts\": []}";

static const char EX_STATIC[] =
	"{\"type\": 10, \"id\": \"fargate-1\", \"full_id\": \"\", \"name\": \"app\",\n"
	" \"image\": \"registry.example.com:5000/team/app:1.2@sha256:0123abcd\",\n"
	" \"imagerepo\": \"registry.example.com:5000/team/app\", \"imagetag\": \"1.2\",\n"
	" \"imagedigest\": \"sha256:0123abcd\", \"imageid\": \"\", \"User\": \"\", "
	"\"cni_json\": \"\",\n"
	" \"cpu_period\": 100000, \"cpu_quota\": 0, \"cpu_shares\": 1024, "
	"\"cpuset_cpu_count\": 0,\n"
	" \"created_time\": 0, \"env\": [], \"host_ipc\": false, \"host_network\": false, "
	"\"host_pid\": false,\n"
	" \"ip\": \"\", \"size\": -1, \"is_pod_sandbox\": false, \"labels\": {}, "
	"\"memory_limit\": 0,\n"
	" \"swap_limit\": 0, \"pod_sandbox_id\": \"\", \"privileged\": false, "
	"\"pod_sandbox_labels\": {},\n"
	" \"port_mappings\": [], \"Mounts\": []}";

static const char EX_HOST[] =
	"{\"type\": 65534, \"id\": \"host\", \"full_id\": \"host\", \"name\": \"host\", "
	"\"image\": \"\", \"imagedigest\": \"\",\n"
	" \"imageid\": \"\", \"imagerepo\": \"\", \"imagetag\": \"\", \"User\": \"\", "
	"\"cni_json\": \"\", \"cpu_period\": 100000,\n"
	" \"cpu_quota\": 0, \"cpu_shares\": 1024, \"cpuset_cpu_count\": 0, \"created_time\": 0, "
	"\"env\": [],\n"
	" \"host_ipc\": false, \"host_network\": false, \"host_pid\": false, \"ip\": \"\", "
	"\"size\": -1,\n"
	" \"is_pod_sandbox\": false, \"labels\": {}, \"memory_limit\": 0, \"swap_limit\": 0, "
	"\"pod_sandbox_id\": \"\",\n"
	" \"privileged\": false, \"pod_sandbox_labels\": {}, \"port_mappings\": [], "
	"\"Mounts\": []}";

static const char EX_LEGACY[] =
	"{\"container\":{\"Healthcheck\":{\"args\":[\"-c\","
	"\"curl -f http://localhost/ || exit 1\"],\"exe\":\"/bin/sh\"},\"Mounts\":[],"
	"\"User\":\"\",\"cni_json\":\"\",\"cpu_period\":100000,\"cpu_quota\":0,"
	"\"cpu_shares\":1024,\"cpuset_cpu_count\":0,\"created_time\":1600000000,\"env\":[],"
	"\"full_id\":\"7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8\","
	"\"host_ipc\":false,\"host_network\":false,\"host_pid\":false,\"id\":\"7951fb549ab9\","
	"\"image\":\"nginx:latest\","
	"\"imagedigest\":\"sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27"
	"5\",\"imageid\":\"a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6\","
	"\"imagerepo\":\"nginx\",\"imagetag\":\"latest\",\"ip\":\"172.17.0.2\","
	"\"is_pod_sandbox\":false,\"labels\":null,\"lookup_state\":1,\"memory_limit\":0,"
	"\"metadata_deadline\":0,\"name\":\"web\",\"pod_sandbox_id\":\"\","
	"\"pod_sandbox_labels\":null,\"port_mappings\":[],\"privileged\":false,\"swap_limit\":0,"
	"\"type\":0}}";

static const char EX_MESOS[] =
	"{\"container\":{\"Mounts\":[],\"User\":\"<NA>\",\"cni_json\":\"\",\"cpu_period\":100000,"
	"\"cpu_quota\":0,\"cpu_shares\":1024,\"cpuset_cpu_count\":0,\"created_time\":0,"
	"\"env\":[\"MESOS_TASK_ID=web.4f7c1d2e-0000-11ee-9c6f-0242ac110002\"],\"full_id\":\"\","
	"\"host_ipc\":false,\"host_network\":false,\"host_pid\":false,"
	"\"id\":\"a9f41620-b165-4d24-abe0-af0af92e7b20\",\"image\":\"\",\"imagedigest\":\"\","
	"\"imageid\":\"\",\"imagerepo\":\"\",\"imagetag\":\"\",\"ip\":\"0.0.0.0\","
	"\"is_pod_sandbox\":false,\"labels\":null,\"lookup_state\":1,\"memory_limit\":0,"
	"\"mesos_task_id\":\"web.4f7c1d2e-0000-11ee-9c6f-0242ac110002\",\"metadata_deadline\":0,"
	"\"name\":\"a9f41620-b165-4d24-abe0-af0af92e7b20\",\"pod_sandbox_id\":\"\","
	"\"pod_sandbox_labels\":null,\"port_mappings\":[],\"privileged\":false,\"swap_limit\":0,"
	"\"type\":3}}";

/* ---- helpers ------------------------------------------------------------ */

static char err[256];

static ctr_record* decode(const char* text)
{
	return ctr_json_decode(text, strlen(text), err, sizeof(err));
}

static void same_kvs(const ctr_kv* a, size_t na, const ctr_kv* b, size_t nb)
{
	CHECK_INT(na, nb);
	for (size_t i = 0; i < na && i < nb; i++) {
		CHECK_STR(a[i].key, b[i].key);
		CHECK_INT(a[i].value_len, b[i].value_len);
		CHECK(a[i].value_len == b[i].value_len &&
		      !memcmp(a[i].value, b[i].value, a[i].value_len + 1));
	}
}

static void same_strings(char* const* a, size_t na, char* const* b, size_t nb)
{
	CHECK_INT(na, nb);
	for (size_t i = 0; i < na && i < nb; i++)
		CHECK_STR(a[i], b[i]);
}

static void same_probe(const ctr_probe* a, const ctr_probe* b)
{
	CHECK_INT(a->present, b->present);
	if (!a->present || !b->present)
		return;
	CHECK_STR(a->exe, b->exe);
	same_strings(a->args, a->nargs, b->args, b->nargs);
	CHECK_STR(a->formatted, b->formatted);
}

static void same_mounts(const ctr_record* a, const ctr_record* b)
{
	CHECK_INT(a->nmounts, b->nmounts);
	for (size_t i = 0; i < a->nmounts && i < b->nmounts; i++) {
		const ctr_mount *x = &a->mounts[i], *y = &b->mounts[i];
		CHECK_STR(x->source, y->source);
		CHECK_STR(x->dest, y->dest);
		CHECK_STR(x->mode, y->mode);
		CHECK_STR(x->propagation, y->propagation);
		CHECK_INT(x->rw, y->rw);
		CHECK_STR(x->formatted, y->formatted);
	}
}

static void same_ports(const ctr_record* a, const ctr_record* b)
{
	CHECK_INT(a->nports, b->nports);
	for (size_t i = 0; i < a->nports && i < b->nports; i++) {
		CHECK_INT(a->ports[i].host_ip, b->ports[i].host_ip);
		CHECK_INT(a->ports[i].host_port, b->ports[i].host_port);
		CHECK_INT(a->ports[i].container_port, b->ports[i].container_port);
	}
}

/* Every field, stored and derived. */
static void same_record(const ctr_record* a, const ctr_record* b)
{
	CHECK_INT(a->type, b->type);
	CHECK_STR(a->id, b->id);
	CHECK_STR(a->full_id, b->full_id);
	CHECK_STR(a->name, b->name);
	CHECK_STR(a->image, b->image);
	CHECK_STR(a->imageid, b->imageid);
	CHECK_STR(a->imagerepo, b->imagerepo);
	CHECK_STR(a->imagetag, b->imagetag);
	CHECK_STR(a->imagedigest, b->imagedigest);
	CHECK_STR(a->user, b->user);
	CHECK_STR(a->ip, b->ip);
	CHECK_STR(a->cni_json, b->cni_json);
	CHECK_STR(a->pod_sandbox_id, b->pod_sandbox_id);
	CHECK_STR(a->mesos_task_id, b->mesos_task_id);
	CHECK_INT(a->privileged, b->privileged);
	CHECK_INT(a->host_pid, b->host_pid);
	CHECK_INT(a->host_network, b->host_network);
	CHECK_INT(a->host_ipc, b->host_ipc);
	CHECK_INT(a->is_pod_sandbox, b->is_pod_sandbox);
	same_kvs(a->labels, a->nlabels, b->labels, b->nlabels);
	same_kvs(a->pod_sandbox_labels, a->npod_sandbox_labels, b->pod_sandbox_labels,
	         b->npod_sandbox_labels);
	same_strings(a->env, a->nenv, b->env, b->nenv);
	same_mounts(a, b);
	same_ports(a, b);
	CHECK_INT(a->memory_limit, b->memory_limit);
	CHECK_INT(a->swap_limit, b->swap_limit);
	CHECK_INT(a->cpu_shares, b->cpu_shares);
	CHECK_INT(a->cpu_quota, b->cpu_quota);
	CHECK_INT(a->cpu_period, b->cpu_period);
	CHECK_INT(a->cpuset_cpu_count, b->cpuset_cpu_count);
	CHECK_INT(a->created_time, b->created_time);
	CHECK_INT(a->size, b->size);
	for (int t = 0; t < CTR_PROBE_COUNT; t++)
		same_probe(&a->probes[t], &b->probes[t]);
	CHECK_STR(a->labels_fmt, b->labels_fmt);
	CHECK_STR(a->pod_labels_fmt, b->pod_labels_fmt);
	CHECK_STR(a->mounts_fmt, b->mounts_fmt);
	CHECK_STR(a->short_sandbox_id, b->short_sandbox_id);
	CHECK_STR(a->k8s_pod_name, b->k8s_pod_name);
	CHECK_STR(a->k8s_pod_namespace, b->k8s_pod_namespace);
	CHECK_STR(a->k8s_pod_uid, b->k8s_pod_uid);
}

/* Encodes r, checks the envelope and compactness, decodes again, compares. */
static void check_roundtrip(const ctr_record* r)
{
	char* text = ctr_json_encode(r);
	REQUIRE(text);
	CHECK(!strncmp(text, "{\"container\":{", 14));
	CHECK(!strchr(text, '\n'));
	CHECK(!strstr(text, "\": ")); /* compact: no space after a key */
	ctr_record* back = ctr_json_decode(text, strlen(text), err, sizeof(err));
	CHECK_STR(err, "");
	REQUIRE(back);
	same_record(r, back);
	/* Twice: the encoder's output is stable. */
	char* again = ctr_json_encode(back);
	CHECK_STR(again, text);
	free(again);
	ctr_record_unref(back);
	free(text);
}

static const char* label(const ctr_record* r, const char* key)
{
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, key);
	return kv ? kv->value : NULL;
}

static const char* pod_label(const ctr_record* r, const char* key)
{
	const ctr_kv* kv = ctr_labels_find(r->pod_sandbox_labels, r->npod_sandbox_labels, key);
	return kv ? kv->value : NULL;
}

/* ---- the examples (docs/container-json.md "Examples") ------------------- */

TEST(docker_full_6_6_1)
{
	ctr_record* r = decode(EX_DOCKER_FULL);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->refs, 1);
	CHECK_INT(r->type, CTR_TYPE_DOCKER);
	CHECK_STR(r->id, "7951fb549ab9");
	CHECK_STR(r->full_id, "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8");
	CHECK_STR(r->name, "web");
	CHECK_STR(r->image, "nginx:1.25-alpine");
	CHECK_STR(r->imageid, "a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6");
	CHECK_STR(r->imagerepo, "nginx");
	CHECK_STR(r->imagetag, "1.25-alpine");
	CHECK_STR(r->imagedigest,
	          "sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d275");
	CHECK_STR(r->user, "");
	CHECK_STR(r->cni_json, "");
	CHECK_INT(r->cpu_period, 100000);
	CHECK_INT(r->cpu_quota, 50000);
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_INT(r->cpuset_cpu_count, 2);
	CHECK_INT(r->created_time, 1730971086);
	REQUIRE(r->nenv == 2);
	CHECK_STR(r->env[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	CHECK_STR(r->env[1], "NGINX_VERSION=1.25.5");
	CHECK(!r->host_ipc && !r->host_network && !r->host_pid && !r->privileged);
	CHECK(!r->is_pod_sandbox);
	CHECK_STR(r->ip, "172.17.0.2");
	CHECK_INT(r->size, -1);
	CHECK_INT(r->nlabels, 1);
	CHECK_STR(label(r, "maintainer"), "NGINX Docker Maintainers <docker-maint@nginx.com>");
	CHECK_STR(r->labels_fmt, "maintainer:NGINX Docker Maintainers <docker-maint@nginx.com>");
	CHECK_INT(r->memory_limit, 268435456);
	CHECK_INT(r->swap_limit, 536870912);
	CHECK_STR(r->pod_sandbox_id, "");
	CHECK_STR(r->short_sandbox_id, "");
	CHECK_INT(r->npod_sandbox_labels, 0);
	CHECK_STR(r->pod_labels_fmt, "");
	REQUIRE(r->nports == 1);
	CHECK_INT(r->ports[0].host_ip, 0);
	CHECK_INT(r->ports[0].host_port, 8080);
	CHECK_INT(r->ports[0].container_port, 80);
	REQUIRE(r->nmounts == 1);
	CHECK_STR(r->mounts[0].source, "/srv/www");
	CHECK_STR(r->mounts[0].dest, "/usr/share/nginx/html");
	CHECK_STR(r->mounts[0].mode, "ro");
	CHECK(!r->mounts[0].rw);
	CHECK_STR(r->mounts[0].propagation, "rprivate");
	CHECK_STR(r->mounts_fmt, "/srv/www:/usr/share/nginx/html:ro:false:rprivate");
	for (int t = 0; t < CTR_PROBE_COUNT; t++)
		CHECK(!r->probes[t].present);
	CHECK(!r->k8s_pod_name && !r->k8s_pod_namespace && !r->k8s_pod_uid);
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(docker_minimal_6_6_2)
{
	ctr_record* r = decode(EX_DOCKER_MIN);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->type, CTR_TYPE_DOCKER);
	CHECK_STR(r->id, "7951fb549ab9");
	CHECK_STR(r->full_id, "7951fb549ab99e0722a949b6c121634e1f3a36b5bacbe5392991e3b12251e6b8");
	CHECK_STR(r->name, "");
	CHECK_STR(r->image, "nginx:1.25-alpine");
	CHECK_STR(r->imagerepo, "");
	CHECK_INT(r->cpu_period, 0);
	CHECK_INT(r->cpu_shares, 0);
	CHECK_INT(r->size, 0);
	CHECK_INT(r->nenv, 0);
	CHECK_INT(r->nlabels, 0);
	CHECK_INT(r->nports, 0);
	CHECK_INT(r->nmounts, 0);
	CHECK_STR(r->mounts_fmt, "");
	CHECK_STR(r->labels_fmt, "");
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(podman_6_6_3)
{
	ctr_record* r = decode(EX_PODMAN);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->type, CTR_TYPE_PODMAN);
	CHECK_STR(r->id, "1234567890ab");
	CHECK_STR(r->name, "db");
	CHECK_STR(r->image, "docker.io/library/postgres:16");
	CHECK_STR(r->imagerepo, "docker.io/library/postgres");
	CHECK_STR(r->imagetag, "16");
	CHECK_STR(r->user, "postgres");
	CHECK_STR(r->ip, "10.88.0.5");
	CHECK_INT(r->created_time, 1731000000);
	REQUIRE(r->nenv == 2);
	CHECK_STR(r->env[1], "PGDATA=/var/lib/postgresql/data");
	CHECK_STR(label(r, "io.containers.autoupdate"), "registry");
	CHECK_STR(r->labels_fmt, "io.containers.autoupdate:registry");
	REQUIRE(r->nports == 1);
	CHECK_INT(r->ports[0].host_port, 5432);
	CHECK_INT(r->ports[0].container_port, 5432);
	REQUIRE(r->nmounts == 1);
	CHECK(r->mounts[0].rw);
	CHECK_STR(r->mounts_fmt, "/var/lib/containers/storage/volumes/pgdata/_data:"
	                         "/var/lib/postgresql/data::true:rprivate");
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(cri_containerd_6_6_4)
{
	ctr_record* r = decode(EX_CRI_CONTAINERD);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->type, CTR_TYPE_CONTAINERD);
	CHECK_STR(r->id, "3ad7b26ded6d");
	CHECK_STR(r->name, "busybox");
	CHECK_STR(r->imagerepo, "docker.io/library/busybox");
	CHECK_STR(r->imagetag, "latest");
	CHECK_STR(r->user, "0");
	CHECK_STR(r->cni_json, "{\"bridge\":{\"IPConfigs\":null},\"eth0\":{\"IPConfigs\":"
	                       "[{\"Gateway\":\"10.244.0.1\",\"IP\":\"10.244.0.2\"}]}}");
	CHECK_INT(r->cpu_shares, 102);
	CHECK_INT(r->memory_limit, 1073741824);
	CHECK_INT(r->swap_limit, 1073741824);
	CHECK(r->privileged);
	CHECK_STR(r->ip, "10.244.0.2");
	CHECK_INT(r->nlabels, 5);
	CHECK_STR(label(r, "io.kubernetes.container.name"), "busybox");
	CHECK_STR(r->labels_fmt, ""); /* every key is io.kubernetes.* */
	CHECK_STR(r->k8s_pod_name, "nginx-sandbox");
	CHECK_STR(r->k8s_pod_namespace, "default");
	CHECK_STR(r->k8s_pod_uid, "hdishddjaidwnduw9a43535366368");
	CHECK_STR(r->pod_sandbox_id,
	          "63060edc2d3aa803ab559f2393776b151f99fc5b05035b21db66b3b62246ad6a");
	CHECK_STR(r->short_sandbox_id, "63060edc2d3a");
	CHECK_STR(pod_label(r, "app"), "myapp");
	CHECK_STR(r->pod_labels_fmt, "app:myapp, example-label/custom_one:mylabel");
	CHECK_INT(r->nports, 0);
	CHECK_STR(r->mounts_fmt, "/boot:/host/boot::false:private");
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(crio_6_6_5)
{
	ctr_record* r = decode(EX_CRIO);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->type, CTR_TYPE_CRIO);
	CHECK_STR(ctr_type_name(r->type), "cri-o");
	CHECK_STR(r->name, "redis");
	CHECK_STR(r->imagerepo, "quay.io/crio/redis");
	CHECK_STR(r->imagetag, "alpine");
	CHECK(!strncmp(r->cni_json, "{\"cniVersion\":\"1.0.0\",", 22));
	CHECK(r->host_ipc && r->host_pid && !r->host_network && r->privileged);
	CHECK_INT(r->cpu_shares, 2);
	CHECK_INT(r->created_time, 1717000500);
	REQUIRE(r->nenv == 1);
	CHECK_STR(r->env[0], "REDIS_VERSION=7.2.4");
	CHECK_STR(r->k8s_pod_name, "podsandbox1");
	CHECK_STR(r->k8s_pod_namespace, "redhat.test.crio");
	CHECK_STR(r->k8s_pod_uid, "redhat-test-crio");
	CHECK_STR(r->short_sandbox_id, "1f04600dc694");
	CHECK_STR(r->pod_labels_fmt, "example-label/custom_one:mylabel");
	CHECK_INT(r->nmounts, 0);
	CHECK_INT(r->nports, 0);
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(pod_sandbox_6_6_6)
{
	ctr_record* r = decode(EX_SANDBOX);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->type, CTR_TYPE_CONTAINERD);
	CHECK_STR(r->id, "63060edc2d3a");
	CHECK(r->is_pod_sandbox);
	CHECK_INT(r->created_time, 1716999990);
	CHECK_INT(r->size, 0);
	CHECK_STR(r->pod_sandbox_id, "");
	CHECK_STR(r->short_sandbox_id, "");
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(containerd_native_6_6_7)
{
	ctr_record* r = decode(EX_CONTAINERD_NATIVE);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_STR(r->id, "admin");
	CHECK_STR(r->full_id, "admin");
	CHECK_STR(r->name, "admin");
	CHECK_STR(r->imagerepo, "public.ecr.aws/bottlerocket/bottlerocket-admin");
	CHECK_STR(r->imagetag, "v0.11.0");
	CHECK_STR(r->imageid, "");
	CHECK(r->host_network && r->privileged);
	CHECK_INT(r->nlabels, 0);
	CHECK_STR(r->mounts_fmt, "/run/host-containerd:/run/host-containerd::true:rprivate");
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(cri_generic_6_6_8)
{
	ctr_record* r = decode(EX_CRI_GENERIC);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->type, CTR_TYPE_CRI);
	CHECK_STR(ctr_type_name(r->type), "cri");
	CHECK_STR(r->name, "falcoctl-artifact-follow");
	CHECK_STR(r->imagetag, "0.8.0");
	CHECK_STR(r->ip, "10.244.1.7");
	CHECK_INT(r->nenv, 0);
	CHECK_STR(r->k8s_pod_name, "falco-wc8x2");
	CHECK_STR(r->k8s_pod_namespace, "falco");
	CHECK_STR(r->k8s_pod_uid, "0b6d5e1a-4f1e-4c1b-9d52-6a3c2f1e9b77");
	CHECK_STR(r->short_sandbox_id, "5c3f0e9b2a7d");
	CHECK_STR(r->pod_labels_fmt, "app.kubernetes.io/name:falco");
	check_roundtrip(r);
	ctr_record_unref(r);
}

/* Decodes a matcher/static/host example and compares it with what the constructor builds. */
static void check_built(const char* text, ctr_record* built)
{
	REQUIRE(built);
	ctr_record_finalize(built);
	ctr_record* r = decode(text);
	CHECK_STR(err, "");
	if (r) {
		same_record(r, built);
		check_roundtrip(r);
	}
	CHECK(r != NULL);
	ctr_record_unref(r);
	ctr_record_unref(built);
}

TEST(matcher_built_6_6_9)
{
	check_built(EX_LXC, ctr_record_new_matcher(CTR_TYPE_LXC, "mycontainer"));
	const char* libvirt_id = "2293906\\x2dlibvirt\\x2dcontainer";
	check_built(EX_LIBVIRT, ctr_record_new_matcher(CTR_TYPE_LIBVIRT_LXC, libvirt_id));
	check_built(EX_BPM,
	            ctr_record_new_matcher(CTR_TYPE_BPM, "b3f4c1d2-aaaa-4bbb-8ccc-1234567890ab"));
	ctr_record* r = decode(EX_LIBVIRT);
	REQUIRE(r);
	CHECK_STR(r->id, "2293906\\x2dlibvirt\\x2dcontainer");
	CHECK_INT(strlen(r->id), 31); /* two literal backslashes */
	ctr_record_unref(r);
}

TEST(static_6_6_10)
{
	const char* image = "registry.example.com:5000/team/app:1.2@sha256:0123abcd";
	check_built(EX_STATIC, ctr_record_new_static("fargate-1", "app", image));
}

TEST(host_6_6_11)
{
	check_built(EX_HOST, ctr_record_new_host());
}

TEST(legacy_6_6_12)
{
	/* As in event 324: the text, "\n", then a NUL counted in the length. */
	size_t len = strlen(EX_LEGACY);
	char* buf = malloc(len + 2);
	REQUIRE(buf);
	memcpy(buf, EX_LEGACY, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	ctr_record* r = ctr_json_decode(buf, len + 2, err, sizeof(err));
	free(buf);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->type, CTR_TYPE_DOCKER);
	CHECK_STR(r->id, "7951fb549ab9");
	CHECK_STR(r->name, "web");
	CHECK_STR(r->image, "nginx:latest");
	CHECK_STR(r->imagetag, "latest");
	CHECK_STR(r->ip, "172.17.0.2");
	CHECK_INT(r->created_time, 1600000000);
	CHECK_INT(r->size, -1); /* absent in legacy records */
	CHECK_INT(r->nlabels, 0);
	const ctr_probe* p = &r->probes[CTR_PROBE_HEALTHCHECK];
	REQUIRE(p->present);
	CHECK_STR(p->exe, "/bin/sh");
	REQUIRE(p->nargs == 2);
	CHECK_STR(p->args[0], "-c");
	CHECK_STR(p->args[1], "curl -f http://localhost/ || exit 1");
	CHECK_STR(p->formatted, "/bin/sh -c curl -f http://localhost/ || exit 1");
	CHECK(!r->probes[CTR_PROBE_LIVENESS].present);
	CHECK(!r->probes[CTR_PROBE_READINESS].present);
	check_roundtrip(r);
	char* text = ctr_json_encode(r);
	REQUIRE(text);
	CHECK(strstr(text, "\"Healthcheck\":{"));
	CHECK(!strstr(text, "LivenessProbe"));
	CHECK(!strstr(text, "lookup_state"));
	CHECK(!strstr(text, "mesos_task_id")); /* written only when set */
	free(text);
	ctr_record_unref(r);
}

TEST(legacy_mesos)
{
	ctr_record* r = decode(EX_MESOS);
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->type, CTR_TYPE_MESOS);
	CHECK_STR(ctr_type_name(r->type), "mesos");
	CHECK_STR(r->id, "a9f41620-b165-4d24-abe0-af0af92e7b20");
	CHECK_STR(r->name, "a9f41620-b165-4d24-abe0-af0af92e7b20");
	CHECK_STR(r->user, "<NA>");
	CHECK_STR(r->ip, "0.0.0.0");
	CHECK_STR(r->mesos_task_id, "web.4f7c1d2e-0000-11ee-9c6f-0242ac110002");
	REQUIRE(r->nenv == 1);
	CHECK_STR(r->env[0], "MESOS_TASK_ID=web.4f7c1d2e-0000-11ee-9c6f-0242ac110002");
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(all_probes_and_null_args)
{
	ctr_record* r = decode(
		"{\"id\":\"p\",\"Healthcheck\":{\"exe\":\"/hc\",\"args\":null},"
		"\"LivenessProbe\":{\"exe\":\"/live\",\"args\":[\"a\",\"b c\"]},"
		"\"ReadinessProbe\":{\"args\":[\"x\"],\"exe\":\"/ready\",\"extra\":1}}");
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_STR(r->probes[CTR_PROBE_HEALTHCHECK].formatted, "/hc");
	CHECK_INT(r->probes[CTR_PROBE_HEALTHCHECK].nargs, 0);
	CHECK_STR(r->probes[CTR_PROBE_LIVENESS].formatted, "/live a b c");
	CHECK_STR(r->probes[CTR_PROBE_READINESS].formatted, "/ready x");
	check_roundtrip(r);
	ctr_record_unref(r);
}

/* A record with every member set, built in code, survives encode/decode. */
TEST(roundtrip_everything)
{
	ctr_record* r = decode(EX_CRI_CONTAINERD);
	REQUIRE(r);
	r->memory_limit = INT64_MAX;
	r->swap_limit = INT64_MIN;
	r->cpu_quota = -1;
	r->size = 123456789012345;
	r->is_pod_sandbox = r->host_ipc = r->host_network = r->host_pid = true;
	CHECK(ctr_str_set(&r->mesos_task_id, "task"));
	CHECK(ctr_str_set(&r->user, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3"));
	ctr_port* ports = calloc(2, sizeof(*ports));
	REQUIRE(ports);
	ports[0] = (ctr_port){2130706433, 65535, 1};
	ports[1] = (ctr_port){UINT32_MAX, 0, 65535};
	r->ports = ports;
	r->nports = 2;
	ctr_probe* p = &r->probes[CTR_PROBE_READINESS];
	p->present = true;
	p->exe = strdup("/bin/ready");
	p->args = calloc(2, sizeof(char*));
	p->args[0] = strdup("--quiet \"x\"");
	p->nargs = 1;
	ctr_record_finalize(r);
	check_roundtrip(r);
	ctr_record_unref(r);
}

/* ---- tolerance (docs/container-json.md "Decoding rules") ---------------- */

TEST(flat_and_envelope_are_equivalent)
{
	ctr_record* a = decode("{\"container\":{\"id\":\"abc\",\"type\":0,\"name\":\"n\"}}");
	ctr_record* b = decode("{\"id\":\"abc\",\"type\":0,\"name\":\"n\"}");
	REQUIRE(a && b);
	same_record(a, b);
	ctr_record_unref(a);
	ctr_record_unref(b);
	/* Unknown keys are ignored, at any level. */
	a = decode("{\"unknown\":[1,{\"x\":null}],\"container\":{\"id\":\"z\",\"zzz\":{}}}");
	REQUIRE(a);
	CHECK_STR(a->id, "z");
	CHECK_STR(err, "");
	ctr_record_unref(a);
}

TEST(empty_object_gives_defaults)
{
	ctr_record* def = ctr_record_new();
	REQUIRE(def);
	ctr_record_finalize(def);
	static const char* const texts[] = {"{}", "{\"container\":{}}", " {}\n", "{}\n\0"};
	for (size_t i = 0; i < 4; i++) {
		ctr_record* r = ctr_json_decode(texts[i], strlen(texts[i]) + (i == 3), err,
		                                sizeof(err));
		CHECK(r != NULL);
		if (r)
			same_record(r, def);
		ctr_record_unref(r);
	}
	ctr_record_unref(def);
}

TEST(nulls_are_empty)
{
	ctr_record* r = decode(
		"{\"id\":null,\"type\":null,\"labels\":null,\"pod_sandbox_labels\":null,"
		"\"env\":null,"
		"\"Mounts\":null,\"port_mappings\":null,\"Healthcheck\":null,\"size\":null,"
		"\"privileged\":null}");
	REQUIRE(r);
	CHECK_STR(err, ""); /* null is "absent", not a wrong type */
	CHECK_STR(r->id, "");
	CHECK_INT(r->type, 65535);
	CHECK_INT(r->size, -1);
	CHECK(!r->probes[CTR_PROBE_HEALTHCHECK].present);
	ctr_record_unref(r);
}

TEST(wrong_types_keep_defaults)
{
	ctr_record* def = ctr_record_new();
	REQUIRE(def);
	ctr_record_finalize(def);
	ctr_record* r = decode(
		"{\"type\":\"7\",\"id\":5,\"full_id\":[],\"name\":{},\"image\":true,"
		"\"imageid\":1.5,"
		"\"imagerepo\":1,\"imagetag\":1,\"imagedigest\":1,\"User\":0,\"ip\":[\"1.2.3.4\"],"
		"\"cni_json\":{},\"pod_sandbox_id\":false,\"mesos_task_id\":7,\"privileged\":1,"
		"\"host_pid\":\"true\",\"host_network\":0,\"host_ipc\":[],\"is_pod_sandbox\":{},"
		"\"labels\":[\"a\"],\"pod_sandbox_labels\":\"x\",\"env\":{\"A\":\"B\"},"
		"\"Mounts\":{\"Source\":\"/\"},\"port_mappings\":5,\"memory_limit\":\"1\","
		"\"swap_limit\":true,\"cpu_shares\":[],\"cpu_quota\":{},\"cpu_period\":\"100000\","
		"\"cpuset_cpu_count\":1.5,\"created_time\":\"now\",\"size\":false,"
		"\"Healthcheck\":[\"/bin/sh\"],\"LivenessProbe\":\"x\",\"ReadinessProbe\":1}");
	REQUIRE(r);
	CHECK(strstr(err, "wrong type") != NULL); /* reported for logging, not fatal */
	same_record(r, def);
	ctr_record_unref(r);
	ctr_record_unref(def);
}

TEST(wrong_type_costs_only_its_key)
{
	ctr_record* r = decode(
		"{\"id\":\"abc\",\"type\":\"7\",\"cpu_period\":\"x\",\"cpu_shares\":1024,"
		"\"labels\":{\"a\":1,\"b\":\"x\",\"c\":null,\"d\":\"\"},"
		"\"env\":[\"A=1\",2,null,\"B=2\"],"
		"\"Mounts\":[1,{\"Source\":\"/s\",\"RW\":\"yes\",\"Mode\":7},{}],"
		"\"port_mappings\":[\"x\",{\"HostIp\":-1,\"HostPort\":70000,\"ContainerPort\":80},"
		"{\"HostIp\":4294967295,\"HostPort\":65535,\"ContainerPort\":-1}],"
		"\"Healthcheck\":{\"args\":[\"x\"]},"
		"\"LivenessProbe\":{\"exe\":\"/l\",\"args\":[1,\"y\"]},"
		"\"ReadinessProbe\":{\"exe\":\"/r\",\"args\":\"z\"}}");
	REQUIRE(r);
	CHECK(err[0] != '\0');
	CHECK_STR(r->id, "abc");
	CHECK_INT(r->type, 65535);
	CHECK_INT(r->cpu_period, 0);
	CHECK_INT(r->cpu_shares, 1024);
	CHECK_STR(r->labels_fmt, "b:x, d");
	REQUIRE(r->nenv == 2);
	CHECK_STR(r->env[1], "B=2");
	REQUIRE(r->nmounts == 2);
	CHECK_STR(r->mounts_fmt, "/s:::false:,:::false:");
	REQUIRE(r->nports == 2);
	CHECK_INT(r->ports[0].host_ip, 0);
	CHECK_INT(r->ports[0].host_port, 0);
	CHECK_INT(r->ports[0].container_port, 80);
	CHECK_INT(r->ports[1].host_ip, UINT32_MAX);
	CHECK_INT(r->ports[1].host_port, 65535);
	CHECK_INT(r->ports[1].container_port, 0);
	CHECK(!r->probes[CTR_PROBE_HEALTHCHECK].present); /* no exe */
	CHECK_STR(r->probes[CTR_PROBE_LIVENESS].formatted, "/l y");
	CHECK_STR(r->probes[CTR_PROBE_READINESS].formatted, "/r");
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(type_range)
{
	static const struct {
		const char* text;
		long long type;
	} cases[] = {
		{"{\"type\":65534}", 65534}, {"{\"type\":65535}", 65535},
		{"{\"type\":65536}", 65535}, {"{\"type\":-1}", 65535},
		{"{\"type\":11}", 11},       {"{\"type\":7.0}", 7},
		{"{\"type\":7.5}", 65535},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctr_record* r = decode(cases[i].text);
		REQUIRE(r);
		CHECK_INT(r->type, cases[i].type);
		ctr_record_unref(r);
	}
}

TEST(huge_numbers)
{
	ctr_record* r = decode("{\"id\":\"x\",\"memory_limit\":9223372036854775807,"
	                       "\"swap_limit\":-9223372036854775808,\"created_time\":4294967296}");
	REQUIRE(r);
	CHECK_STR(err, "");
	CHECK_INT(r->memory_limit, INT64_MAX);
	CHECK_INT(r->swap_limit, INT64_MIN);
	CHECK_INT(r->created_time, 4294967296LL);
	ctr_record_unref(r);

	/* Beyond 64 bits: that key keeps its default, the rest of the record survives. */
	r = decode("{\"id\":\"x\",\"memory_limit\":99999999999999999999,\"cpu_shares\":1024,"
	           "\"swap_limit\":-99999999999999999999999999,\"size\":9223372036854775808,"
	           "\"unknown\":123456789012345678901234567890}");
	REQUIRE(r);
	CHECK(strstr(err, "memory_limit") != NULL);
	CHECK_STR(r->id, "x");
	CHECK_INT(r->memory_limit, 0);
	CHECK_INT(r->swap_limit, 0);
	CHECK_INT(r->size, -1);
	CHECK_INT(r->cpu_shares, 1024);
	ctr_record_unref(r);

	/* A real jansson cannot represent at all: the text is rejected, without a crash. */
	r = decode("{\"id\":\"x\",\"memory_limit\":1e400}");
	CHECK(r == NULL);
	CHECK(err[0] != '\0');
}

/* ---- malformed input ---------------------------------------------------- */

TEST(truncated)
{
	size_t len = strlen(EX_DOCKER_FULL);
	for (size_t n = 0; n < len; n++) {
		ctr_record* r = ctr_json_decode(EX_DOCKER_FULL, n, err, sizeof(err));
		if (r) {
			fprintf(stderr, "  prefix of %zu bytes accepted\n", n);
			ctr_record_unref(r);
			CHECK(0);
			break;
		}
		CHECK(err[0] != '\0');
	}
}

TEST(not_an_object)
{
	static const char* const texts[] = {
		"[]", "42", "\"container\"", "null", "true", "[{\"id\":\"x\"}]",
		"{\"container\":5}", "{\"container\":[]}", "{\"container\":null}",
		"{\"container\":\"x\"}",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ctr_record* r = decode(texts[i]);
		CHECK(r == NULL);
		/* jansson itself refuses scalars at the top level ("'[' or '{' expected"). */
		CHECK(strstr(err, "object") != NULL || strstr(err, "expected") != NULL);
		ctr_record_unref(r);
	}
}

TEST(malformed_text)
{
	static const char* const texts[] = {
		"{", "}", "{\"id\":}", "{\"id\":\"x\",}", "{'id':'x'}", "{}x", "{}{}", "{} {}",
		"{\"id\":\"\\q\"}", "{\"id\":\"\xff\"}", "nul", "{\"id\":\"x\"}]",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		ctr_record* r = decode(texts[i]);
		CHECK(r == NULL);
		CHECK(strstr(err, "invalid") != NULL);
		ctr_record_unref(r);
	}
	/* A NUL anywhere but at the very end is not accepted. */
	ctr_record* r = ctr_json_decode("{}\0{}", 5, err, sizeof(err));
	CHECK(r == NULL);
	r = ctr_json_decode("{}\0\0", 4, err, sizeof(err));
	CHECK(r == NULL);
}

TEST(empty_inputs)
{
	CHECK(ctr_json_decode("", 0, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "empty") != NULL);
	CHECK(ctr_json_decode(NULL, 0, err, sizeof(err)) == NULL);
	CHECK(ctr_json_decode(NULL, 10, err, sizeof(err)) == NULL);
	CHECK(ctr_json_decode("\0", 1, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "empty") != NULL);
	CHECK(ctr_json_decode("\n\0", 2, err, sizeof(err)) == NULL);
	CHECK(ctr_json_decode(" \t\r\n", 4, err, sizeof(err)) == NULL);
	/* A missing or zero-sized err buffer is fine. */
	CHECK(ctr_json_decode("[", 1, NULL, 0) == NULL);
	char small[1] = {'x'};
	CHECK(ctr_json_decode("[", 1, small, 0) == NULL);
	CHECK(small[0] == 'x');
	char tiny[4];
	CHECK(ctr_json_decode("[", 1, tiny, sizeof(tiny)) == NULL);
	CHECK_INT(strlen(tiny), 3);
}

static char* repeat(const char* head, char c, size_t n, const char* tail)
{
	size_t hl = strlen(head), tl = strlen(tail);
	char* s = malloc(hl + n + tl + 1);
	if (!s)
		abort();
	memcpy(s, head, hl);
	memset(s + hl, c, n);
	memcpy(s + hl + n, tail, tl + 1);
	return s;
}

TEST(deep_nesting)
{
	enum { DEPTH = 100000 };
	char* s = malloc(2 * DEPTH + 1);
	REQUIRE(s);
	memset(s, '[', DEPTH);
	memset(s + DEPTH, ']', DEPTH);
	s[2 * DEPTH] = '\0';
	CHECK(decode(s) == NULL);
	CHECK(err[0] != '\0');
	free(s);

	/* The same inside a record key, and unbalanced. */
	char* open = repeat("{\"id\":\"x\",\"labels\":", '[', DEPTH, "");
	CHECK(decode(open) == NULL);
	free(open);
	size_t n = DEPTH;
	char* objs = malloc(6 * n + 3);
	REQUIRE(objs);
	char* p = objs;
	for (size_t i = 0; i < n; i++, p += 5)
		memcpy(p, "{\"a\":", 5);
	*p++ = '1';
	memset(p, '}', n);
	p[n] = '\0';
	CHECK(decode(objs) == NULL);
	free(objs);
}

TEST(one_mib_label_value)
{
	enum { MIB = 1 << 20 };
	char* s = repeat("{\"id\":\"big\",\"labels\":{\"big\":\"", 'v', MIB, "\",\"a\":\"b\"}}");
	ctr_record* r = decode(s);
	free(s);
	REQUIRE(r);
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, "big");
	REQUIRE(kv);
	CHECK_INT(kv->value_len, MIB);
	CHECK_INT(strlen(kv->value), MIB);
	CHECK_INT(strlen(r->labels_fmt), strlen("a:b, big:") + MIB);
	check_roundtrip(r);
	ctr_record_unref(r);
}

TEST(nul_inside_label_value)
{
	ctr_record* r = decode("{\"id\":\"a\\u0000b\",\"labels\":{\"k\":\"x\\u0000y\",\"z\":\"w\"},"
	                       "\"pod_sandbox_labels\":{\"p\":\"\\u0000\"}}");
	REQUIRE(r);
	CHECK_STR(r->id, "a"); /* plain strings stop at the NUL */
	const ctr_kv* kv = ctr_labels_find(r->labels, r->nlabels, "k");
	REQUIRE(kv);
	CHECK_INT(kv->value_len, 3);
	CHECK(!memcmp(kv->value, "x\0y", 4));
	CHECK_STR(r->labels_fmt, "k:x, z:w");
	CHECK_STR(r->pod_labels_fmt, "p");
	CHECK_INT(r->pod_sandbox_labels[0].value_len, 1);
	check_roundtrip(r);
	char* text = ctr_json_encode(r);
	REQUIRE(text);
	CHECK(strstr(text, "\"x\\u0000y\"") != NULL);
	free(text);
	ctr_record_unref(r);
	/* A NUL in a key cannot be represented: jansson rejects the text. */
	CHECK(decode("{\"labels\":{\"k\\u0000\":\"v\"}}") == NULL);
}

TEST(encode_invalid_utf8_is_sanitized)
{
	ctr_record* r = ctr_record_new_matcher(CTR_TYPE_LXC, "bad\xff\xfe" "id\xc3");
	REQUIRE(r);
	ctr_kv* kv = calloc(1, sizeof(*kv));
	REQUIRE(kv);
	kv->key = strdup("k\x80");
	kv->value = strdup("\xed\xa0\x80v"); /* an encoded surrogate is not UTF-8 either */
	kv->value_len = 4;
	r->labels = kv;
	r->nlabels = 1;
	ctr_record_finalize(r);
	char* text = ctr_json_encode(r);
	REQUIRE(text);
	ctr_record* back = decode(text);
	REQUIRE(back);
	CHECK_STR(back->id, "bad??id?");
	CHECK_STR(back->name, "bad??id?");
	CHECK_STR(back->labels_fmt, "k?:???v");
	free(text);
	ctr_record_unref(back);
	ctr_record_unref(r);
}

TEST_MAIN(T(docker_full_6_6_1), T(docker_minimal_6_6_2), T(podman_6_6_3),
          T(cri_containerd_6_6_4), T(crio_6_6_5), T(pod_sandbox_6_6_6),
          T(containerd_native_6_6_7), T(cri_generic_6_6_8), T(matcher_built_6_6_9),
          T(static_6_6_10), T(host_6_6_11), T(legacy_6_6_12), T(legacy_mesos),
          T(all_probes_and_null_args), T(roundtrip_everything),
          T(flat_and_envelope_are_equivalent), T(empty_object_gives_defaults),
          T(nulls_are_empty), T(wrong_types_keep_defaults), T(wrong_type_costs_only_its_key),
          T(type_range), T(huge_numbers), T(truncated), T(not_an_object), T(malformed_text),
          T(empty_inputs), T(deep_nesting), T(one_mib_label_value), T(nul_inside_label_value),
          T(encode_invalid_utf8_is_sanitized))
