#!/usr/bin/env bash
# provider-scalingo on the real control plane, against a SIMULATED Scalingo: the fake Scalingo API
# (provider-scalingo/fake, a contract test double, NOT Scalingo; this machine can't reach Scalingo) as a process in
# the control plane's network namespace, and the real provider-scalingo:
#   - with the node (E2E_NODE=1): as users install it, a Provider package (provider-scalingo/package, with the image
#     node/images.sh built from provider-scalingo/Dockerfile embedded) pushed to the node's registry;
#     node/provider-pod.sh applies the Provider and Crossplane's package manager runs it as a pod, with the
#     ServiceAccount and the RBAC the RBAC manager gives a Provider package. The fake listens on the node's address
#     (172.31.255.1, node/lib.sh), where pods reach the harness;
#   - without (E2E_NODE=0): as a process with the harness's admin credentials (system:masters; no Provider RBAC),
#     the fake on loopback.
#
#   scalingo.sh crds        apply provider-scalingo's CRDs (install-function.sh, always: cheap, and Crossplane's
#                           RBAC checks of 00-smoke cover the kinds the function composes); with the node and
#                           E2E_SCALINGO=1 nothing: the Provider package installs them (start)
#   scalingo.sh start       start the fake (provisioning 3 s, plan change 5 s instead of minutes; its databases'
#                           URLs name the harness PostgreSQL's port) and provider-scalingo (POLL_INTERVAL_SECONDS=5);
#                           the token Secret and the ClusterProviderConfig "default" pointing at the fake
#                           (install-function.sh when E2E_SCALINGO=1)
#   scalingo.sh as-pod      exit status 0 when provider-scalingo runs as a pod (install-function.sh asks)
#   scalingo.sh databases   the fake's databases as JSON lines {name, plan} (GET /v1/databases, as the provider does)
#
# Must run inside control-plane.sh (KUBECONFIG, E2E_WORKDIR). Background processes are registered with its cleanup
# (lib.sh e2e_bg). With the node, `kubectl logs --follow` copies the pod's log to logs/provider-scalingo-pod.log.
#
# Environment: E2E_SCALINGO_POLL_SECONDS (5), E2E_SCALINGO_PROVISION_MS (3000), E2E_SCALINGO_PLAN_CHANGE_MS (5000);
# E2E_PROVIDER_SCALINGO_IMAGE_TAR (node/images.sh) and E2E_REGISTRY_PORT (node/start.sh) with the node.
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$E2E_DIR/lib.sh"

: "${KUBECONFIG:?run inside control-plane.sh}" "${E2E_WORKDIR:?run inside control-plane.sh}"
W="$E2E_WORKDIR"
P="$E2E_REPO/provider-scalingo"
FAKE_TOKEN="tk-us-fake-token"   # fake/server.ts FAKE_API_TOKEN

# provider-scalingo as a pod: on the node, whenever it runs at all
scalingo_as_pod() { [[ "${E2E_NODE:-0}" == "1" && "${E2E_SCALINGO:-0}" == "1" ]]; }

scalingo_crds() {
  if scalingo_as_pod; then
    e2e_log "provider-scalingo's CRDs: its Provider package installs them (scalingo.sh start)"
    return
  fi
  kubectl apply --server-side --force-conflicts -f "$P/package/crds" >"$W/logs/provider-scalingo-crds.log" 2>&1 ||
    { cat "$W/logs/provider-scalingo-crds.log" >&2; e2e_die "applying provider-scalingo's CRDs failed"; }
  kubectl wait --for condition=Established --timeout 60s crd --all >/dev/null
  e2e_log "applied provider-scalingo's CRDs ($P/package/crds)"
}

scalingo_start() {
  local start; start=$(e2e_now)
  [[ -f "$P/dist/src/main.js" && -f "$P/dist/fake/main.js" ]] ||
    e2e_die "provider-scalingo not built: npx tsc -p provider-scalingo/tsconfig.e2e.json (run.sh does it)"
  local pg_port; pg_port="$(sed -n 's/^E2E_PG_PORT=//p' "$W/sql.env" 2>/dev/null || true)"
  [[ -n "$pg_port" ]] || e2e_die "no sql.env: scalingo.sh start runs after sql.sh start (its databases are the harness's PostgreSQL)"

  local fake_port fake_host=127.0.0.1; e2e_free_port fake_port
  if scalingo_as_pod; then
    # shellcheck source=node/lib.sh
    source "$E2E_DIR/node/lib.sh"
    fake_host="$E2E_NODE_IP"   # the pod reaches the harness there (as the CNPG backup's S3 server)
  fi
  # SIMULATED: Scalingo. Its databases' URLs name the harness PostgreSQL's port; their host names
  # (<name>.postgresql.a.osc-fr1.scalingo-dbs.com) are mapped to 127.0.0.1 by sql.sh bootstrap-admin (provider-sql,
  # a process, connects; provider-scalingo only writes the URL into the connection Secret).
  e2e_bg scalingo-fake env FAKE_SCALINGO_HOST="$fake_host" FAKE_SCALINGO_PORT="$fake_port" FAKE_SCALINGO_DB_PORT="$pg_port" \
    FAKE_SCALINGO_PROVISION_MS="${E2E_SCALINGO_PROVISION_MS:-3000}" FAKE_SCALINGO_PLAN_CHANGE_MS="${E2E_SCALINGO_PLAN_CHANGE_MS:-5000}" \
    node "$P/dist/fake/main.js"
  local url="http://$fake_host:$fake_port"
  e2e_wait_for "the fake Scalingo API on $url" 30 scalingo-fake curl -sf -o /dev/null "$url/v1/regions"

  local settings=(POLL_INTERVAL_SECONDS="${E2E_SCALINGO_POLL_SECONDS:-5}" MAX_RECONCILE_CONCURRENCY=4 LOG_LEVEL=debug)
  if scalingo_as_pod; then
    scalingo_provider_pod "${settings[@]}"
    scalingo_provider_config "$url"   # (its kind came with the package)
    mkdir -p "$W/scalingo-figures"
    # (named to sort before the suite's own figure files 00..04, which run.sh prints in name order)
    echo "provider-scalingo: Provider applied -> Healthy (pod Ready on the node) $(cat "$W/provider-scalingo-pod-seconds")s" \
      >"$W/scalingo-figures/0-provider-pod"
    echo "E2E_SCALINGO_FAKE_URL=$url" >"$W/scalingo.env"
    e2e_log "SIMULATED Scalingo API at $url; provider-scalingo running as a pod in $(e2e_since "$start")s"
    return
  fi
  scalingo_provider_config "$url"
  local health; e2e_free_port health
  e2e_bg provider-scalingo env KUBECONFIG="$KUBECONFIG" HEALTH_PORT="$health" "${settings[@]}" node "$P/dist/src/main.js"
  e2e_wait_for "provider-scalingo /readyz" 60 provider-scalingo curl -sf -o /dev/null "http://127.0.0.1:$health/readyz"
  {
    echo "E2E_SCALINGO_FAKE_URL=$url"
    echo "E2E_SCALINGO_HEALTH_PORT=$health"
  } >"$W/scalingo.env"
  e2e_log "SIMULATED Scalingo API at $url; provider-scalingo running (health :$health) in $(e2e_since "$start")s"
}

# scalingo_provider_config URL: the token Secret and the ClusterProviderConfig "default" pointing at the fake
scalingo_provider_config() {
  local url="$1"
  kubectl -n crossplane-system create secret generic scalingo-token --from-literal=token="$FAKE_TOKEN" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl apply -f - >/dev/null <<YAML
apiVersion: scalingo.dbaas.dev/v1alpha1
kind: ClusterProviderConfig
metadata:
  name: default
spec:
  credentials:
    source: Secret
    secretRef: {namespace: crossplane-system, name: scalingo-token, key: token}
  region: osc-fr1
  # SIMULATED: the fake Scalingo API instead of https://auth.scalingo.com (its regions list names itself as the
  # region's API and database API)
  authEndpoint: $url
YAML
}

# scalingo_provider_pod ENV=VALUE...: the Provider package (CRDs + the image from provider-scalingo/Dockerfile) built
# with `crossplane-cli xpkg build` as the function's is, pushed to the node's registry and installed as a Provider.
scalingo_provider_pod() {
  : "${E2E_PROVIDER_SCALINGO_IMAGE_TAR:?provider-scalingo's image (node/images.sh, E2E_SCALINGO=1) is needed for its pod}"
  : "${E2E_REGISTRY_PORT:?the node's registry (node/start.sh)}"
  local xpkg="$W/provider-scalingo.xpkg"
  if ! crossplane-cli xpkg build --package-root "$P/package" --examples-root "$P/examples" \
        --embed-runtime-image-tarball "$E2E_PROVIDER_SCALINGO_IMAGE_TAR" --package-file "$xpkg" >"$W/logs/provider-scalingo-xpkg.log" 2>&1; then
    cat "$W/logs/provider-scalingo-xpkg.log" >&2
    e2e_die "crossplane-cli xpkg build of $P/package failed"
  fi
  # a tag unique to the content: a rebuilt package makes a new ProviderRevision
  local image="127.0.0.1:$E2E_REGISTRY_PORT/provider-scalingo:v0.0.0-e2e-$(sha256sum "$xpkg" | cut -c1-12)"
  crane push "$xpkg" "$image" >"$W/logs/provider-scalingo-push.log" 2>&1 ||
    { cat "$W/logs/provider-scalingo-push.log" >&2; e2e_die "crane push of provider-scalingo failed"; }
  e2e_log "pushed $image"
  "$E2E_DIR/node/provider-pod.sh" provider-scalingo "$image" "$@"
  kubectl wait --for condition=Established --timeout 60s \
    crd/databases.scalingo.dbaas.dev crd/clusterproviderconfigs.scalingo.dbaas.dev crd/providerconfigs.scalingo.dbaas.dev >/dev/null
  # its log in logs/ as the processes' are (the node's /var/log/pods goes with the run)
  e2e_bg provider-scalingo-pod kubectl -n crossplane-system logs --follow --tail=-1 -l pkg.crossplane.io/provider=provider-scalingo
  # The RBAC manager's roles for the package's CRDs aggregate to Crossplane's (it composes Databases): made once the
  # revision's CRDs are established, shortly after Healthy at most.
  e2e_wait_for "Crossplane allowed to manage scalingo.dbaas.dev Databases (the RBAC manager's provider roles)" 60 crossplane \
    bash -c '[[ "$(kubectl auth can-i create databases.scalingo.dbaas.dev --as system:serviceaccount:crossplane-system:crossplane -n default)" == yes ]]'
}

# The fake's databases, read through its public API (token exchange, then GET /v1/databases, every page).
scalingo_databases() {
  local url; url="$(sed -n 's/^E2E_SCALINGO_FAKE_URL=//p' "$W/scalingo.env")"
  [[ -n "$url" ]] || e2e_die "no $W/scalingo.env: the fake is not running (E2E_SCALINGO=1)"
  local jwt page=1 body
  jwt="$(curl -sf -u ":$FAKE_TOKEN" -X POST "$url/v1/tokens/exchange" | jq -r .token)"
  while :; do
    body="$(curl -sf -H "Authorization: Bearer $jwt" "$url/v1/databases?page=$page&per_page=50")"
    jq -c '.databases[] | {name, plan}' <<<"$body"
    page="$(jq -r '.meta.pagination.next_page // empty' <<<"$body")"
    [[ -n "$page" ]] || break
  done
}

case "${1:-}" in
  crds) scalingo_crds ;;
  start) scalingo_start ;;
  as-pod) scalingo_as_pod ;;
  databases) scalingo_databases ;;
  *) echo "usage: scalingo.sh crds | start | as-pod | databases" >&2; exit 2 ;;
esac
