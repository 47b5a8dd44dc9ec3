#!/usr/bin/env bash
# Crossplane with the permissions a real cluster gives it, and its webhooks reachable. Sourced by control-plane.sh
# (and install-function.sh); needs lib.sh, KUBECONFIG (the admin), E2E_WORKDIR and the tool PATH.
#
#   e2e_crossplane_rbac        the RBAC of Crossplane's own Helm chart (read from the Crossplane module the tools
#                              were built from, rendered by render-chart-rbac.mjs): ServiceAccounts crossplane and
#                              rbac-manager, their ClusterRoles and bindings, the aggregated admin/edit/view roles.
#                              Writes a kubeconfig with a token of each ServiceAccount:
#                              $E2E_WORKDIR/crossplane.kubeconfig, $E2E_WORKDIR/rbac-manager.kubeconfig.
#   e2e_crossplane_webhook_service PORT
#                              the Service core init points the webhook configurations at (crossplane-webhooks,
#                              port 9443), without a selector, and an EndpointSlice to PORT on an address of this
#                              network namespace ($E2E_WEBHOOK_HOST, added to lo here). kube-apiserver runs with
#                              --enable-aggregator-routing, so it dials that endpoint instead of a ClusterIP.
#   e2e_provider_package_roles NAME GROUP_REGEX
#                              what Crossplane's RBAC manager makes for an installed Provider package (the
#                              crossplane:provider:NAME:aggregate-to-edit ClusterRole on every CRD of the package,
#                              aggregated to Crossplane): the harness applies providers' CRDs itself instead of
#                              installing their packages, so it stands in for that one step.
#
# Nothing else is granted: what deploy/rbac.yaml aggregates is the only addition, so a rule missing there fails the
# suites that compose that kind (see test/e2e/README.md).

E2E_CROSSPLANE_SA_NAMESPACE=crossplane-system
E2E_CROSSPLANE_CHART_VALUES_NOTE="rbacManager.deploy=true, webhooks.enabled=true, serviceAccount.create=true"

# The chart in the Crossplane module the tools were built from (tools.sh found its cluster/crds before the network
# namespace was entered; no download from in here).
e2e_crossplane_chart_dir() {
  local dir="${E2E_CROSSPLANE_CRDS%/crds}/charts/crossplane"
  [[ -d "$dir/templates" ]] || e2e_die "no Helm chart at $dir (E2E_CROSSPLANE_CRDS=$E2E_CROSSPLANE_CRDS)"
  echo "$dir"
}

# A kubeconfig authenticating as NAMESPACE/SERVICEACCOUNT with a bound token (TokenRequest, valid 48 h).
e2e_sa_kubeconfig() {
  local ns="$1" sa="$2" out="$3" token server ca
  token="$(kubectl -n "$ns" create token "$sa" --duration 48h)" || e2e_die "cannot get a token for $ns/$sa"
  server="$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
  ca="$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.certificate-authority}')"
  cat >"$out" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: "$server", certificate-authority: "$ca"}
users:
- name: $ns-$sa
  user: {token: "$token"}
contexts:
- name: e2e
  context: {cluster: e2e, user: $ns-$sa, namespace: $ns}
current-context: e2e
EOF
}

e2e_crossplane_rbac() {
  local W="$E2E_WORKDIR" chart
  chart="$(e2e_crossplane_chart_dir)"
  node "$E2E_DIR/render-chart-rbac.mjs" "$chart/templates" "$E2E_CROSSPLANE_SA_NAMESPACE" >"$W/crossplane-chart-rbac.yaml" \
    || e2e_die "rendering the RBAC of $chart failed"
  kubectl apply -f "$W/crossplane-chart-rbac.yaml" >"$W/logs/crossplane-rbac.log" 2>&1 \
    || { cat "$W/logs/crossplane-rbac.log" >&2; e2e_die "applying the RBAC of Crossplane's chart failed"; }
  e2e_log "applied the RBAC of Crossplane's chart ($(grep -c '^kind:' "$W/crossplane-chart-rbac.yaml") objects; $E2E_CROSSPLANE_CHART_VALUES_NOTE)"
  # The crossplane ClusterRole is an aggregation: wait for kube-controller-manager to fill it in.
  e2e_wait_for "Crossplane's aggregated ClusterRole" 60 kube-controller-manager \
    kubectl auth can-i create customresourcedefinitions.apiextensions.k8s.io --as "system:serviceaccount:$E2E_CROSSPLANE_SA_NAMESPACE:crossplane"
  e2e_sa_kubeconfig "$E2E_CROSSPLANE_SA_NAMESPACE" crossplane "$W/crossplane.kubeconfig"
  e2e_sa_kubeconfig "$E2E_CROSSPLANE_SA_NAMESPACE" rbac-manager "$W/rbac-manager.kubeconfig"
}

# An address of this network namespace the API server can dial (EndpointSlices may not point at loopback).
e2e_webhook_host() {
  if [[ -n "${E2E_WEBHOOK_HOST:-}" ]]; then echo "$E2E_WEBHOOK_HOST"; return; fi
  if [[ "${E2E_IN_NETNS:-0}" == "1" ]]; then
    ip addr add 10.250.0.1/32 dev lo 2>/dev/null || true
    echo 10.250.0.1
  else
    ip -4 -o addr show scope global | awk '{sub(/\/.*/, "", $4); print $4; exit}'
  fi
}

e2e_crossplane_webhook_service() {
  local port="$1" host
  host="$(e2e_webhook_host)"
  [[ -n "$host" ]] || e2e_die "no address for Crossplane's webhook endpoint (set E2E_WEBHOOK_HOST)"
  kubectl apply -f - >/dev/null <<EOF || e2e_die "cannot create the crossplane-webhooks Service"
apiVersion: v1
kind: Service
metadata:
  name: crossplane-webhooks
  namespace: $E2E_CROSSPLANE_SA_NAMESPACE
spec:
  ports:
    - name: webhooks
      port: 9443
      targetPort: $port
      protocol: TCP
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: crossplane-webhooks-e2e
  namespace: $E2E_CROSSPLANE_SA_NAMESPACE
  labels:
    kubernetes.io/service-name: crossplane-webhooks
addressType: IPv4
ports:
  - name: webhooks
    port: $port
    protocol: TCP
endpoints:
  - addresses: ["$host"]
    conditions: {ready: true}
EOF
  e2e_log "Service crossplane-webhooks -> $host:$port"
}

e2e_provider_package_roles() {
  local name="$1" groups="$2" rules
  rules="$(kubectl get crd -o json | jq -c --arg re "$groups" '
    [.items[] | select(.spec.group | test($re)) | {g: .spec.group, p: .spec.names.plural}]
    | sort_by(.p + .g) | group_by(.g)
    | map({apiGroups: [.[0].g], resources: [.[] | .p, .p + "/status"] | unique, verbs: ["*"]})')"
  [[ "$rules" != "[]" ]] || e2e_die "no CRDs of provider $name (groups $groups)"
  jq -n --arg name "crossplane:provider:$name:aggregate-to-edit" --argjson rules "$rules" '{
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole",
    metadata: {name: $name, labels: {
      "rbac.crossplane.io/aggregate-to-crossplane": "true",
      "rbac.crossplane.io/aggregate-to-admin": "true",
      "rbac.crossplane.io/aggregate-to-edit": "true"}},
    rules: $rules}' | kubectl apply -f - >/dev/null || e2e_die "cannot create the ClusterRole of provider $name"
}
