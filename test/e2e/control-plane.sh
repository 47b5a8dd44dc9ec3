#!/usr/bin/env bash
# Starts a throwaway Kubernetes + Crossplane control plane on loopback, runs a
# command against it, then stops everything it started (by PID) and removes its
# temp dir -- on success, failure and Ctrl-C alike.
#
# Usage: test/e2e/control-plane.sh [-- COMMAND ARGS...]
#   Without COMMAND an interactive shell is started when stdin is a terminal
#   (KUBECONFIG is set in it); leave the shell to tear down.
#
# COMMAND sees: KUBECONFIG, E2E_WORKDIR, E2E_APISERVER_PORT, E2E_CROSSPLANE_CA_DIR
# (tls.crt/tls.key of Crossplane's root CA), and the tool PATH.
#
# Environment:
#   E2E_NETNS=auto|1|0   run inside a private network namespace (unshare --net) that has
#                        only a loopback interface (default auto = when unshare works).
#                        Crossplane binds its metrics/health ports on all interfaces
#                        (":PORT", not configurable); the namespace keeps them on loopback.
#                        It also gets its own mount namespace (unshare --mount) when permitted,
#                        where /etc/hosts is a bind-mounted copy in the temp dir
#                        (E2E_PRIVATE_HOSTS=1): test/e2e/sql.sh adds the claims' Service names
#                        there, and the machine's /etc/hosts is never written.
#   E2E_NODE=0|1         1: a real node (test/e2e/node/: containerd, kubelet, kube-scheduler, kube-proxy,
#                        CoreDNS, images made here) in the network namespace, and Crossplane's Deployment
#                        package runtime; 0: no node, the function runs as a process (External runtime).
#   E2E_KEEP_WORKDIR=1   keep the temp dir (logs, certs) after exit.
#   E2E_ARTIFACTS=DIR    copy logs/ there before the temp dir is removed.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$E2E_DIR/lib.sh"
# shellcheck source=tools.sh
source "$E2E_DIR/tools.sh"

[[ "${1:-}" == "--" ]] && shift

# Tools are built (or found in the cache) before entering the network namespace,
# which has no route to the Go module proxy.
if [[ -z "${E2E_TOOLS_READY:-}" ]]; then
  e2e_tools
  export E2E_TOOLS_READY=1
fi
# node (E2E_NODE=1): its images are built (or found in their cache) here too, before the network namespace
if [[ "${E2E_NODE:-0}" == "1" && -z "${E2E_NODE_IMAGES:-}" ]]; then
  # shellcheck source=node/images.sh
  source "$E2E_DIR/node/images.sh"
  e2e_node_images
fi

if [[ -z "${E2E_IN_NETNS:-}" && "${E2E_NETNS:-auto}" != "0" ]]; then
  if unshare --net true 2>/dev/null; then
    export E2E_IN_NETNS=1
    ns_flags=(--net)
    # A private mount namespace too (propagation private: nothing mounted inside leaks out).
    if unshare --net --mount true 2>/dev/null; then ns_flags+=(--mount); export E2E_IN_MOUNTNS=1; fi
    ns_cmd=(unshare "${ns_flags[@]}" --kill-child=TERM -- bash -c 'ip link set lo up && exec "$@"' bash "$E2E_DIR/control-plane.sh" -- "$@")
    if [[ $# -eq 0 ]]; then exec "${ns_cmd[@]}"; fi   # interactive: keep the terminal
    # `unshare --fork` ignores INT/TERM itself; stay in front of it and forward them to
    # its child (the inner control-plane.sh, whose trap tears everything down).
    "${ns_cmd[@]}" &
    ns_pid=$!
    e2e_forward() { local c; for c in $(ps -o pid= --ppid "$ns_pid" 2>/dev/null); do kill -TERM "$c" 2>/dev/null || true; done; }
    trap e2e_forward INT TERM
    while :; do
      ns_rc=0; wait "$ns_pid" || ns_rc=$?
      kill -0 "$ns_pid" 2>/dev/null || break
    done
    exit "$ns_rc"
  elif [[ "${E2E_NETNS:-auto}" == "1" ]]; then
    e2e_die "E2E_NETNS=1 but 'unshare --net' is not permitted here"
  else
    e2e_log "unshare --net not permitted: running in the host network namespace (Crossplane's metrics/health ports will bind all interfaces)"
  fi
fi

E2E_WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/fnpg-e2e.XXXXXX")"
export E2E_WORKDIR
e2e_cleanup() {
  local rc=$?
  trap - EXIT
  trap '' INT TERM   # a second Ctrl-C must not cut the teardown short
  e2e_log "tearing down (exit code $rc)"
  if [[ -n "${E2E_CMD_PID:-}" ]] && kill -0 "$E2E_CMD_PID" 2>/dev/null; then
    e2e_kill_tree "$E2E_CMD_PID"   # the command and what it started (kuttl, its steps)
    wait "$E2E_CMD_PID" 2>/dev/null || true
  fi
  if [[ $rc != 0 ]]; then e2e_diagnostics || true; fi
  if [[ "${E2E_NODE:-0}" == "1" ]]; then e2e_node_teardown "$E2E_WORKDIR/node" || true; fi   # containers, shims
  e2e_stop_all
  if [[ "${E2E_NODE:-0}" == "1" ]]; then
    e2e_node_unmount "$E2E_WORKDIR/node" || true; e2e_node_remove_cgroups "$E2E_WORKDIR/node" || true
  fi
  if [[ "${E2E_PRIVATE_HOSTS:-0}" == "1" ]]; then umount /etc/hosts 2>/dev/null || true; fi
  if [[ -n "${E2E_ARTIFACTS:-}" && -d "$E2E_WORKDIR/logs" ]]; then
    mkdir -p "$E2E_ARTIFACTS" && cp -r "$E2E_WORKDIR/logs/." "$E2E_ARTIFACTS/" || true
  fi
  if [[ "${E2E_KEEP_WORKDIR:-0}" == "1" ]]; then
    e2e_log "kept $E2E_WORKDIR"
  else
    rm -rf "$E2E_WORKDIR"
  fi
  exit "$rc"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

W="$E2E_WORKDIR"
mkdir -p "$W/pki" "$W/etcd" "$W/logs" "$W/pids" "$W/xpkg-cache" "$W/crossplane-client"

# --- private /etc/hosts (only in our own mount namespace) ----------------------
# The claims' Service names (<claim>.<ns>.svc.cluster.local) must resolve to 127.0.0.1 for
# provider-sql and psql (test/e2e/sql.sh adds them). Both read /etc/hosts (Go's resolver and
# glibc's "files"); a copy bind-mounted over it inside this mount namespace can be appended to
# freely and vanishes with the namespace, even after a crash. Never done in the host namespace.
export E2E_PRIVATE_HOSTS=0
if [[ "${E2E_IN_MOUNTNS:-0}" == "1" ]]; then
  cp /etc/hosts "$W/hosts"
  if mount --bind "$W/hosts" /etc/hosts; then
    E2E_PRIVATE_HOSTS=1
  else
    e2e_log "could not bind-mount a private /etc/hosts; Service names will not resolve"
  fi
fi
start_all=$(e2e_now)

# --- node (E2E_NODE=1): its address, and what the API server and controllers need for it --------------------
apiserver_bind=127.0.0.1 apiserver_advertise=127.0.0.1 apiserver_reconciler=none apiserver_authz=RBAC san_extra=""
apiserver_kubelet=()
kcm_controllers=namespace-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller,clusterrole-aggregation-controller,persistentvolumeclaim-protection-controller
if [[ "${E2E_NODE:-0}" == "1" ]]; then
  # shellcheck source=node/lib.sh
  source "$E2E_DIR/node/lib.sh"
  e2e_node_network
  # pods reach the API server through the kubernetes Service (10.0.0.1 -> the node's address); kubelet is
  # authorised as a node (Node authorizer); all of it inside the private network namespace
  apiserver_bind=0.0.0.0 apiserver_advertise="$E2E_NODE_IP" apiserver_reconciler=lease apiserver_authz=Node,RBAC
  san_extra=",IP:$E2E_NODE_IP"
  # kubelet's serving certificate is signed by the same CA (node/start.sh): verified; the API server authenticates to
  # kubelet with a client certificate (kubelet's webhook authorization)
  apiserver_kubelet=(--kubelet-certificate-authority "$W/pki/ca.crt"
    --kubelet-client-certificate "$W/pki/apiserver-kubelet-client.crt" --kubelet-client-key "$W/pki/apiserver-kubelet-client.key")
  kcm_controllers+=",$E2E_NODE_CONTROLLERS"
  E2E_NODE_TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  export E2E_NODE_TOKEN
fi

# --- certificates -------------------------------------------------------------
(
  cd "$W/pki"
  openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
  openssl req -x509 -new -key ca.key -days 2 -subj "/CN=e2e-apiserver-ca" -out ca.crt 2>/dev/null
  openssl ecparam -name prime256v1 -genkey -noout -out apiserver.key 2>/dev/null
  openssl req -new -key apiserver.key -subj "/CN=kube-apiserver" -out apiserver.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,IP:10.0.0.1%s,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' "$san_extra" >apiserver.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile apiserver.ext -out apiserver.crt 2>/dev/null
  if [[ "${E2E_NODE:-0}" == "1" ]]; then
    # the API server's client certificate towards kubelet (logs, exec, port-forward; node/start.sh binds its user to
    # system:kubelet-api-admin, kubelet trusts this CA for client certificates)
    openssl ecparam -name prime256v1 -genkey -noout -out apiserver-kubelet-client.key 2>/dev/null
    openssl req -new -key apiserver-kubelet-client.key -subj "/CN=kube-apiserver-kubelet-client" -out apiserver-kubelet-client.csr 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >apiserver-kubelet-client.ext
    openssl x509 -req -in apiserver-kubelet-client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile apiserver-kubelet-client.ext -out apiserver-kubelet-client.crt 2>/dev/null
  fi
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
)
TOKEN="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
# token,user,uid,"groups"
printf '%s,e2e-admin,e2e-admin,"system:masters"\n' "$TOKEN" >"$W/pki/tokens.csv"
if [[ -n "${E2E_NODE_TOKEN:-}" ]]; then
  printf '%s,system:node:%s,%s,"system:nodes"\n' "$E2E_NODE_TOKEN" "$E2E_NODE_NAME" "$E2E_NODE_NAME" >>"$W/pki/tokens.csv"
fi

# --- etcd ---------------------------------------------------------------------
e2e_free_port ETCD_PORT; e2e_free_port ETCD_PEER_PORT
e2e_bg etcd etcd --name e2e --data-dir "$W/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "e2e=http://127.0.0.1:$ETCD_PEER_PORT" \
  --unsafe-no-fsync --quota-backend-bytes 2147483648 --log-level warn
e2e_wait_for "etcd health" 60 etcd curl -sf "http://127.0.0.1:$ETCD_PORT/health"

# --- kube-apiserver -----------------------------------------------------------
e2e_free_port E2E_APISERVER_PORT
export E2E_APISERVER_PORT
e2e_bg kube-apiserver kube-apiserver \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address "$apiserver_bind" --advertise-address "$apiserver_advertise" --secure-port "$E2E_APISERVER_PORT" \
  --cert-dir "$W/pki/apiserver-generated" \
  --tls-cert-file "$W/pki/apiserver.crt" --tls-private-key-file "$W/pki/apiserver.key" \
  --token-auth-file "$W/pki/tokens.csv" \
  --authorization-mode "$apiserver_authz" \
  --kubelet-preferred-address-types InternalIP "${apiserver_kubelet[@]}" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$W/pki/sa.pub" --service-account-signing-key-file "$W/pki/sa.key" \
  --service-cluster-ip-range 10.0.0.0/24 \
  --endpoint-reconciler-type "$apiserver_reconciler" \
  --enable-aggregator-routing \
  --enable-priority-and-fairness=false \
  --profiling=false \
  --v 1

export KUBECONFIG="$W/kubeconfig"
cat >"$KUBECONFIG" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: https://127.0.0.1:$E2E_APISERVER_PORT
    certificate-authority: $W/pki/ca.crt
users:
- name: e2e-admin
  user:
    token: $TOKEN
contexts:
- name: e2e
  context: {cluster: e2e, user: e2e-admin, namespace: default}
current-context: e2e
EOF
e2e_wait_for "kube-apiserver /readyz" 180 kube-apiserver kubectl get --raw /readyz

# --- kube-controller-manager (namespace deletion, GC, service accounts, ClusterRole aggregation) ---------
# Each controller with its own ServiceAccount's credentials, as in a real cluster: the deletion-protection policy
# tells the garbage collector from the namespace controller by their user names.
e2e_bg kube-controller-manager kube-controller-manager \
  --kubeconfig "$KUBECONFIG" \
  --use-service-account-credentials \
  --controllers "$kcm_controllers" \
  --service-account-private-key-file "$W/pki/sa.key" --root-ca-file "$W/pki/ca.crt" \
  --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 \
  --v 1
e2e_wait_for "the default ServiceAccount" 120 kube-controller-manager kubectl -n default get serviceaccount default
cp_ready=$(e2e_now)

# --- the node (E2E_NODE=1) -------------------------------------------------------------
# With a node, Crossplane runs functions as pods (its default Deployment runtime); without, the harness runs the
# function as a process (External runtime, install-function.sh).
export E2E_PACKAGE_RUNTIME="${E2E_PACKAGE_RUNTIME:-$([[ "${E2E_NODE:-0}" == "1" ]] && echo Deployment || echo External)}"
if [[ "${E2E_NODE:-0}" == "1" ]]; then
  "$E2E_DIR/node/start.sh"
  set -a
  # shellcheck disable=SC1091
  source "$W/node.env"   # E2E_REGISTRY_PORT, E2E_IMAGE_*
  set +a
  e2e_log "node Ready $(e2e_since "$cp_ready")s after the API server and controllers"
fi

# --- Crossplane core (out of cluster) ----------------------------------------
# ==== Crossplane as a real cluster runs it (crossplane-rbac.sh) ====
# Its own chart's ServiceAccount and ClusterRoles (plus what aggregates to them: deploy/rbac.yaml, the RBAC manager's
# roles), a token of that ServiceAccount, the RBAC manager running, and its webhooks on (Usages enforced), reached by
# the API server through the crossplane-webhooks Service.
# shellcheck source=crossplane-rbac.sh
source "$E2E_DIR/crossplane-rbac.sh"
export POD_NAMESPACE=crossplane-system POD_SERVICE_ACCOUNT=crossplane
kubectl create namespace crossplane-system >/dev/null
e2e_crossplane_rbac
XP_MODULE_DIR="${E2E_CROSSPLANE_CRDS%/cluster/crds}"
init_start=$(e2e_now)
# (kong derives odd flag names for some fields, e.g. --cr-ds-path, --tlsca-secret-name:
# the documented environment variables are used instead)
# core init is idempotent; its first run can fail with `no matches for kind "Lock"` because
# its REST mapper was primed before the CRDs it just applied were discoverable (in a cluster
# the init container would be restarted). Retry a few times.
init_ok=0
for attempt in 1 2 3 4 5; do
  if KUBECONFIG="$W/crossplane.kubeconfig" CRDS_PATH="$E2E_CROSSPLANE_CRDS" \
      WEBHOOK_CONFIGS_PATH="$XP_MODULE_DIR/cluster/webhookconfigurations" \
      WEBHOOK_SERVICE_NAME=crossplane-webhooks WEBHOOK_SERVICE_NAMESPACE=crossplane-system WEBHOOK_SERVICE_PORT=9443 \
      TLS_CA_SECRET_NAME=crossplane-root-ca TLS_SERVER_SECRET_NAME=crossplane-tls-server TLS_CLIENT_SECRET_NAME=crossplane-tls-client \
      crossplane core init >>"$W/logs/crossplane-init.log" 2>&1; then
    init_ok=1; break
  fi
  e2e_log "crossplane core init attempt $attempt failed: $(tail -n 1 "$W/logs/crossplane-init.log")"
  sleep 1
done
if [[ $init_ok != 1 ]]; then
  tail -n 30 "$W/logs/crossplane-init.log" >&2
  e2e_die "crossplane core init failed"
fi
mkdir -p "$W/crossplane-server"
for k in tls.crt tls.key ca.crt; do
  kubectl -n crossplane-system get secret crossplane-tls-client -o "jsonpath={.data.${k//./\\.}}" | base64 -d >"$W/crossplane-client/$k"
  kubectl -n crossplane-system get secret crossplane-tls-server -o "jsonpath={.data.${k//./\\.}}" | base64 -d >"$W/crossplane-server/$k"
done
export E2E_CROSSPLANE_CA_DIR="$W/crossplane-ca"
mkdir -p "$E2E_CROSSPLANE_CA_DIR"
for k in tls.crt tls.key; do
  kubectl -n crossplane-system get secret crossplane-root-ca -o "jsonpath={.data.${k//./\\.}}" | base64 -d >"$E2E_CROSSPLANE_CA_DIR/$k"
done

e2e_free_port XP_METRICS_PORT; e2e_free_port XP_HEALTH_PORT; e2e_free_port XP_WEBHOOK_PORT
e2e_crossplane_webhook_service "$XP_WEBHOOK_PORT"
e2e_bg crossplane-rbac-manager env KUBECONFIG="$W/rbac-manager.kubeconfig" \
  crossplane rbac start --provider-clusterrole=crossplane:allowed-provider-permissions
e2e_bg crossplane env KUBECONFIG="$W/crossplane.kubeconfig" crossplane core start \
  --package-runtime="$E2E_PACKAGE_RUNTIME" \
  --tls-server-certs-dir "$W/crossplane-server" \
  --tls-client-certs-dir "$W/crossplane-client" \
  --xpkg-cache-dir "$W/xpkg-cache" \
  --metrics-port "$XP_METRICS_PORT" --health-probe-port "$XP_HEALTH_PORT" --webhook-port "$XP_WEBHOOK_PORT" \
  --enable-operations \
  ${E2E_CROSSPLANE_ARGS:-}
e2e_wait_for "Crossplane health probe" 120 crossplane curl -sf "http://127.0.0.1:$XP_HEALTH_PORT/readyz"
# ==== end of Crossplane as a real cluster runs it ====
e2e_log "control plane ready: kube $(e2e_since "$start_all")s total (apiserver+kcm up after $(awk -v a="$start_all" -v b="$cp_ready" 'BEGIN{printf "%.1f", b-a}')s), crossplane init+start $(e2e_since "$init_start")s"
E2E_WARM_START_SECONDS="$(e2e_since "$start_all")"
export E2E_WARM_START_SECONDS
echo "$E2E_WARM_START_SECONDS" >"$W/warm-start-seconds"
e2e_log "KUBECONFIG=$KUBECONFIG"

# --- the command --------------------------------------------------------------
if [[ $# -gt 0 ]]; then
  # In the background + wait, so that a TERM/INT sent to this script alone runs the
  # teardown at once (bash defers traps while a foreground child runs).
  "$@" &
  E2E_CMD_PID=$!
  wait "$E2E_CMD_PID"
elif [[ -t 0 ]]; then
  e2e_log "interactive shell; exit it to tear the control plane down"
  "${SHELL:-bash}" -i || true
else
  e2e_die "no command given and stdin is not a terminal"
fi
