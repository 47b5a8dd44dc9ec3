#!/usr/bin/env bash
# The node's fixed addresses and the hooks control-plane.sh calls when E2E_NODE=1. Source it; do not run it.
#
# Everything lives in the harness's private network namespace (control-plane.sh: unshare --net --mount):
#   e2e-node0    one end of a veth pair, the node's address 172.31.255.1/32 (this kernel has no dummy links);
#                the API server, kubelet and CoreDNS are reached there by pods, and the route to the
#                Service CIDR goes through it so that kube-proxy's nat OUTPUT rules see the netns' own
#                connections to ClusterIPs (Crossplane dialling the function's Service)
#   e2e-cni0     the bridge CNI's bridge, gateway 10.244.0.1 of the pod subnet 10.244.0.0/24
#   10.0.0.0/24  Services (the API server's --service-cluster-ip-range); 10.0.0.1 kubernetes, 10.0.0.10 kube-dns
# Nothing listens outside the namespace and nothing routes out of it (it has no uplink).

E2E_NODE_NAME="${E2E_NODE_NAME:-e2e-node}"
E2E_NODE_IP=172.31.255.1
E2E_NODE_POD_CIDR=10.244.0.0/24
E2E_NODE_POD_GATEWAY=10.244.0.1
E2E_NODE_CLUSTER_CIDR=10.244.0.0/16
E2E_NODE_SERVICE_CIDR=10.0.0.0/24
E2E_NODE_DNS_IP=10.0.0.10
# kube-controller-manager's controllers a node needs, on top of the control plane's own
E2E_NODE_CONTROLLERS=node-lifecycle-controller,clusterrole-aggregation-controller,deployment-controller,replicaset-controller,statefulset-controller,daemonset-controller,job-controller,endpoints-controller,endpointslice-controller,endpointslice-mirroring-controller,persistentvolume-binder-controller,persistentvolume-protection-controller,persistentvolumeclaim-protection-controller,root-ca-certificate-publisher-controller,pod-garbage-collector-controller,disruption-controller,ttl-controller

# Directories kubelet, containerd and the CNI plugins use whatever their configuration says. In our own mount
# namespace each gets a private, per-run directory bind-mounted over it (gone with the namespace); a missing
# mount point is created first, and stays behind empty.
E2E_NODE_FIXED_DIRS=(/var/lib/kubelet /var/log/containers /var/log/pods /var/lib/cni /run/containerd)

# e2e_node_network: the node's address and routes (before the API server starts: it advertises the address).
e2e_node_network() {
  ip link add e2e-node0 type veth peer name e2e-node1
  ip addr add "$E2E_NODE_IP/32" dev e2e-node0
  ip link set e2e-node1 up
  ip link set e2e-node0 up
  ip route add "$E2E_NODE_SERVICE_CIDR" dev e2e-node0 src "$E2E_NODE_IP"
  # pods reach each other and Services through the node (kube-proxy DNATs in PREROUTING, then forwards)
  sysctl -qw net.ipv4.ip_forward=1
  # traffic between two pods on the bridge goes through iptables (kube-proxy's DNAT back to the same bridge)
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
}

# e2e_node_private_dirs NODE_DIR: bind-mount a private directory over each fixed path (mount namespace only).
e2e_node_private_dirs() {
  local node_dir="$1" d
  [[ "${E2E_IN_MOUNTNS:-0}" == "1" ]] || { e2e_log "node: no private mount namespace; E2E_NODE=1 needs one (unshare --mount)"; return 1; }
  for d in "${E2E_NODE_FIXED_DIRS[@]}"; do
    mkdir -p "$d" "$node_dir/fixed$d"
    mount --bind "$node_dir/fixed$d" "$d"
  done
}

# e2e_node_teardown NODE_DIR: before the processes are stopped by PID (lib.sh e2e_stop_all). kubelet goes first (it
# would restart what is killed next), then every process in the node's cgroups (containers, pause) and every
# containerd shim (they are nobody's children here), so that nothing of the node outlives the run. After
# e2e_stop_all: e2e_node_unmount, e2e_node_remove_cgroups.
e2e_node_teardown() {
  local node_dir="$1" root pids f pid
  f="$(ls "$E2E_WORKDIR/pids"/*-kubelet.pid 2>/dev/null | head -n 1)"
  if [[ -n "$f" ]]; then
    pid="$(cat "$f")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  root="$(cat "$node_dir/cgroup-root" 2>/dev/null)" || root=""
  if [[ -n "$root" && -d "/sys/fs/cgroup/pids$root" ]]; then
    for _ in 1 2 3 4 5; do
      pids="$(find "/sys/fs/cgroup/pids$root" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)"
      [[ -n "$pids" ]] || break
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
      sleep 0.3
    done
  fi
  for f in "$node_dir"/containerd/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
    [[ -f "$f" ]] && kill -KILL "$(cat "$f")" 2>/dev/null || true
  done
  # and any shim of this node's containerd the state dir no longer lists (its -address is this run's socket)
  for f in /proc/[0-9]*/cmdline; do
    if tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "-address $node_dir/containerd/containerd.sock"; then
      pid="${f#/proc/}"; pid="${pid%/cmdline}"
      [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == containerd-shim* ]] && kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  return 0
}

# e2e_node_unmount NODE_DIR: after the processes have stopped, unmount what kubelet and containerd mounted under the
# node's dirs (pod volumes, sandbox /dev/shm, network namespaces, overlay roots) and the tmpfs of the e2e-local
# PersistentVolumes (node/local-volumes.sh, volumes/local-N), deepest first, so that the temp dir can be removed (the
# mount namespace would drop them too, but only after the cleanup's rm) and their memory is freed.
e2e_node_unmount() {
  local node_dir="$1" m
  awk -v d="$node_dir/" 'index($2, d) == 1 {print $2}' /proc/self/mounts | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
}

# e2e_node_remove_cgroups NODE_DIR: remove the node's cgroup tree (kubelet's cgroupRoot) in every hierarchy,
# deepest first (a cgroup dir can only be removed empty of children and processes).
e2e_node_remove_cgroups() {
  local node_dir="$1" root h
  root="$(cat "$node_dir/cgroup-root" 2>/dev/null)" || return 0
  [[ -n "$root" && "$root" != "/" ]] || return 0
  for h in /sys/fs/cgroup/*/; do
    [[ -d "$h${root#/}" ]] || continue
    find "$h${root#/}" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [[ -d "$h${root#/}" ]] && e2e_log "node: could not remove cgroup $h${root#/}"
  done
  return 0
}
