#!/usr/bin/env bash
# Starts a real node in the running control plane (control-plane.sh calls it when E2E_NODE=1, after
# kube-controller-manager): the loopback image registry with the images of test/e2e/node/images.sh, containerd v2
# (runc, bridge CNI), kubelet, kube-scheduler, kube-proxy (iptables) and CoreDNS (a process on the node's address,
# behind the kube-dns Service). Waits until the node is Ready and a pod can be scheduled.
# Processes are registered with lib.sh's e2e_bg; control-plane.sh's cleanup kills the node's containers and shims
# (node/lib.sh e2e_node_teardown), stops the processes by PID and removes the node's cgroups.
#
# Needs: KUBECONFIG, E2E_WORKDIR, E2E_NODE_TOKEN (kubelet's token, user system:node:$E2E_NODE_NAME), the node's
# address configured (node/lib.sh e2e_node_network), E2E_NODE_IMAGES ("NAME=LAYOUT ...", images.sh), PATH with the
# node's tools (tools.sh). Writes $E2E_WORKDIR/node.env (E2E_REGISTRY_PORT, E2E_IMAGE_* refs).
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../lib.sh
source "$E2E_DIR/lib.sh"
# shellcheck source=lib.sh
source "$E2E_DIR/node/lib.sh"
: "${KUBECONFIG:?}" "${E2E_WORKDIR:?}" "${E2E_NODE_TOKEN:?}" "${E2E_NODE_IMAGES:?}"

W="$E2E_WORKDIR"
N="$W/node"
start=$(e2e_now)
mkdir -p "$N"/{containerd/certs.d,cni/net.d,cni/ipam,kubelet,kubelet-pki,volume-plugins,pods,runc}
e2e_node_private_dirs "$N"

# --- registry, images ----------------------------------------------------------------
e2e_free_port E2E_REGISTRY_PORT
REG="127.0.0.1:$E2E_REGISTRY_PORT"
mkdir -p "$W/registry"
e2e_bg registry crane registry serve --address "$REG" --disk "$W/registry"
e2e_wait_for "local registry" 30 registry curl -sf "http://$REG/v2/"
# containerd pulls from it over plain HTTP
mkdir -p "$N/containerd/certs.d/$REG"
printf 'server = "http://%s"\n\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' "$REG" "$REG" \
  >"$N/containerd/certs.d/$REG/hosts.toml"
{
  echo "E2E_REGISTRY_PORT=$E2E_REGISTRY_PORT"
  for entry in $E2E_NODE_IMAGES; do
    repo="${entry%%=*}" layout="${entry#*=}"
    name="$(basename "$layout")"            # NAME-KEY
    tag="${name##*-}"
    crane push "$layout" "$REG/e2e/$repo:$tag" >>"$W/logs/images-push.log" 2>&1 \
      || { tail -n 5 "$W/logs/images-push.log" >&2; e2e_die "pushing the image $name failed"; }
    var="E2E_IMAGE_$(tr 'a-z-' 'A-Z_' <<<"$repo")"
    echo "$var=$REG/e2e/$repo:$tag"
  done
} >"$W/node.env"
# shellcheck disable=SC1091
source "$W/node.env"
: "${E2E_IMAGE_PAUSE:?images.sh made no pause image}"
e2e_log "node: pushed $(grep -c E2E_IMAGE_ "$W/node.env") images to $REG in $(e2e_since "$start")s"

# --- containerd ------------------------------------------------------------------------
cat >"$N/cni/net.d/10-e2e.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "e2e",
  "plugins": [
    {
      "type": "bridge", "bridge": "e2e-cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$N/cni/ipam",
        "ranges": [[{"subnet": "$E2E_NODE_POD_CIDR", "gateway": "$E2E_NODE_POD_GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
cat >"$N/containerd/config.toml" <<EOF
version = 3
root = "$N/containerd/root"
state = "$N/containerd/state"

[grpc]
  address = "$N/containerd/containerd.sock"
[ttrpc]
  address = "$N/containerd/containerd.sock.ttrpc"

[plugins.'io.containerd.internal.v1.opt']
  path = "$N/containerd/opt"
[plugins.'io.containerd.image-verifier.v1.bindir']
  bin_dir = "$N/containerd/image-verifier"
# NRI's socket would be /var/run/nri/nri.sock, outside this node's dirs; nothing here uses NRI
[plugins.'io.containerd.nri.v1.nri']
  disable = true

[plugins.'io.containerd.cri.v1.runtime']
  # The one setting this machine needs: it withholds CAP_SYS_RESOURCE, so runc cannot give a container an OOM
  # score lower than its own; without this every sandbox fails with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  enable_selinux = false
  netns_mounts_under_state_dir = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = 'runc'
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = 'io.containerd.runc.v2'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = '$(command -v runc)'
        Root = '$N/runc'
        # PID 1 of this machine is not systemd
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ['/usr/lib/cni']
    conf_dir = '$N/cni/net.d'

[plugins.'io.containerd.cri.v1.images']
  snapshotter = 'overlayfs'
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = '$E2E_IMAGE_PAUSE'
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = '$N/containerd/certs.d'

[plugins.'io.containerd.grpc.v1.cri']
  disable_tcp_service = true
  stream_server_address = '127.0.0.1'
  stream_server_port = '0'
EOF
e2e_bg containerd containerd --config "$N/containerd/config.toml" --log-level warn
export CONTAINERD_ADDRESS="$N/containerd/containerd.sock"
e2e_wait_for "containerd" 30 containerd ctr --address "$CONTAINERD_ADDRESS" version

# --- kubelet --------------------------------------------------------------------------
# A cgroup root of this run's own (kubelet's pods go under it, in every hierarchy): removed at teardown, and it
# cannot meet another run's.
CGROUP_ROOT="/fnpg-e2e-${W##*.}"
echo "$CGROUP_ROOT" >"$N/cgroup-root"
for h in /sys/fs/cgroup/*/; do
  [[ -f "$h/cgroup.procs" ]] && mkdir -p "$h${CGROUP_ROOT#/}"
done
printf '# pods with dnsPolicy Default get no resolver: nothing outside the namespace is reachable\n' >"$N/resolv.conf"
e2e_free_port KUBELET_HEALTHZ_PORT
# kubelet's serving certificate, signed by the harness CA (the one every pod's service account ca.crt holds): a client
# in a pod can verify https://<InternalIP>:10250 (the disk-autogrow Operation reads /stats/summary there), and so does
# the API server (--kubelet-certificate-authority). SAN: the node's address and name.
(
  cd "$W/pki"
  openssl ecparam -name prime256v1 -genkey -noout -out kubelet.key 2>/dev/null
  openssl req -new -key kubelet.key -subj "/CN=system:node:$E2E_NODE_NAME" -out kubelet.csr 2>/dev/null
  printf 'subjectAltName=IP:%s,DNS:%s\nextendedKeyUsage=serverAuth\n' "$E2E_NODE_IP" "$E2E_NODE_NAME" >kubelet.ext
  openssl x509 -req -in kubelet.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile kubelet.ext -out kubelet.crt 2>/dev/null
)
# Who may call kubelet's API is the API server's decision (webhook authentication and authorization, as kubeadm sets
# kubelet up): the API server itself with its kubelet client certificate (control-plane.sh) for logs, exec and
# port-forward, bound to system:kubelet-api-admin; any other caller needs RBAC on nodes/stats, nodes/proxy, ...
kubectl apply -f - >/dev/null <<EOF
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: e2e-apiserver-kubelet-api-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:kubelet-api-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: kube-apiserver-kubelet-client}]
EOF
cat >"$N/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This host mounts the cgroup v1 hierarchy; kubelet 1.35 refuses to start on cgroup v1 unless told not to.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: $CGROUP_ROOT
failSwapOn: false
# the process may not lower its OOM score (no CAP_SYS_RESOURCE here)
oomScoreAdj: 0
address: $E2E_NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
# kubelet's API (only reachable inside the private network namespace) over the CA-signed certificate above; callers
# are authenticated by client certificate (the API server's) or bearer token (TokenReview) and authorised by the API
# server (SubjectAccessReview: nodes/stats, nodes/proxy, ...); anonymous requests are refused
tlsCertFile: $W/pki/kubelet.crt
tlsPrivateKeyFile: $W/pki/kubelet.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true, cacheTTL: 10s}
  x509: {clientCAFile: $W/pki/ca.crt}
authorization:
  mode: Webhook
  webhook: {cacheAuthorizedTTL: 10s, cacheUnauthorizedTTL: 5s}
# volume usage (/stats/summary, what disk autogrow reads) measured every 10 s instead of every minute
volumeStatsAggPeriod: 10s
containerRuntimeEndpoint: unix://$N/containerd/containerd.sock
podLogsDir: /var/log/pods
volumePluginDir: $N/volume-plugins
clusterDomain: cluster.local
clusterDNS: [$E2E_NODE_DNS_IP]
resolvConf: $N/resolv.conf
# a shared machine: its disk and memory use are not this node's business
evictionHard: {memory.available: "1Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
syncFrequency: 10s
fileCheckFrequency: 10s
nodeStatusReportFrequency: 10s
shutdownGracePeriod: 0s
EOF
cat >"$N/kubelet.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: "https://127.0.0.1:$E2E_APISERVER_PORT", certificate-authority: "$W/pki/ca.crt"}
users:
- name: node
  user: {token: "$E2E_NODE_TOKEN"}
contexts:
- name: e2e
  context: {cluster: e2e, user: node}
current-context: e2e
EOF
node_start=$(e2e_now)
e2e_bg kubelet kubelet --config "$N/kubelet.yaml" --kubeconfig "$N/kubelet.kubeconfig" \
  --root-dir "$N/kubelet" --cert-dir "$N/kubelet-pki" \
  --hostname-override "$E2E_NODE_NAME" --node-ip "$E2E_NODE_IP" --v 1

# --- kube-scheduler, kube-proxy, CoreDNS ------------------------------------------------
e2e_bg kube-scheduler kube-scheduler --kubeconfig "$KUBECONFIG" --leader-elect=false \
  --bind-address 127.0.0.1 --secure-port 0 --v 1

e2e_free_port PROXY_HEALTHZ_PORT; e2e_free_port PROXY_METRICS_PORT
cat >"$N/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$KUBECONFIG"}
hostnameOverride: $E2E_NODE_NAME
mode: iptables
clusterCIDR: $E2E_NODE_CLUSTER_CIDR
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
# leave the machine-wide conntrack table size alone
conntrack: {maxPerCore: 0, min: 0}
iptables: {localhostNodePorts: false}
EOF
e2e_bg kube-proxy kube-proxy --config "$N/kube-proxy.yaml" --v 1

e2e_free_port COREDNS_READY_PORT
cat >"$N/Corefile" <<EOF
.:53 {
  bind $E2E_NODE_IP
  errors
  ready 127.0.0.1:$COREDNS_READY_PORT
  kubernetes cluster.local in-addr.arpa ip6.arpa {
    kubeconfig $KUBECONFIG e2e
    pods insecure
    fallthrough in-addr.arpa ip6.arpa
  }
  cache 5
}
EOF
e2e_bg coredns coredns -conf "$N/Corefile"
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  clusterIP: $E2E_NODE_DNS_IP
  ports:
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
---
# CoreDNS is a process on the node's address, not a pod: the Service has no selector and this slice
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: kube-dns-node
  namespace: kube-system
  labels: {kubernetes.io/service-name: kube-dns, endpointslice.kubernetes.io/managed-by: e2e.function-postgresql}
addressType: IPv4
endpoints:
- addresses: [$E2E_NODE_IP]
  conditions: {ready: true}
ports:
- {name: dns, port: 53, protocol: UDP}
- {name: dns-tcp, port: 53, protocol: TCP}
EOF

# Processes of the namespace (Crossplane dialling dns:///<function>.crossplane-system:9443) resolve Service names
# with CoreDNS: a private resolv.conf bind-mounted over the machine's (mount namespace only). /etc/hosts stays
# first (test/e2e/sql.sh's names).
printf 'nameserver %s\nsearch svc.cluster.local cluster.local\noptions ndots:5 timeout:1 attempts:2\n' "$E2E_NODE_DNS_IP" >"$N/resolv.conf.netns"
mount --bind "$N/resolv.conf.netns" "$(readlink -f /etc/resolv.conf)"

# --- wait -----------------------------------------------------------------------------
e2e_wait_for "node $E2E_NODE_NAME Ready" 120 kubelet \
  kubectl wait --for condition=Ready --timeout 2s "node/$E2E_NODE_NAME"
e2e_wait_for "CoreDNS ready" 60 coredns curl -sf "http://127.0.0.1:$COREDNS_READY_PORT/ready"
e2e_wait_for "kube-proxy healthy" 60 kube-proxy curl -sf "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz"
# NetworkPolicy (E2E_NODE_NETPOL=1): kube-router's network policy controller only (no routing, no service proxy, no
# CNI of its own): iptables/ipset rules in front of the bridge's pods. After the node is registered: it looks its
# node up at start.
if [[ "${E2E_NODE_NETPOL:-0}" == "1" ]]; then
  e2e_free_port KUBE_ROUTER_HEALTH_PORT
  e2e_bg kube-router kube-router --kubeconfig "$KUBECONFIG" --hostname-override "$E2E_NODE_NAME" \
    --run-firewall=true --run-router=false --run-service-proxy=false --enable-cni=false \
    --enable-ipv6=false --health-port "$KUBE_ROUTER_HEALTH_PORT" --metrics-port 0
  e2e_wait_for "kube-router healthy" 60 kube-router curl -sf "http://127.0.0.1:$KUBE_ROUTER_HEALTH_PORT/healthz"
fi
secs="$(e2e_since "$node_start")"
echo "$secs" >"$W/node-ready-seconds"
e2e_log "node: $E2E_NODE_NAME Ready ${secs}s after kubelet started (registry+images+containerd+kubelet+scheduler+proxy+CoreDNS $(e2e_since "$start")s)"
