#!/usr/bin/env bash
# provider-scalingo on the real control plane, against a SIMULATED Scalingo: the fake Scalingo API
# (provider-scalingo/fake, a contract test double, NOT Scalingo; this machine can't reach Scalingo) and the real
# provider-scalingo, both as processes in the control plane's network namespace.
#
#   scalingo.sh crds        apply provider-scalingo's CRDs (install-function.sh, always: cheap, and Crossplane's
#                           RBAC checks of 00-smoke cover the kinds the function composes)
#   scalingo.sh start       start the fake (provisioning 3 s, plan change 5 s instead of minutes; its databases'
#                           URLs name the harness PostgreSQL's port) and provider-scalingo (POLL_INTERVAL_SECONDS=5)
#                           with KUBECONFIG; the token Secret and the ClusterProviderConfig "default" pointing at
#                           the fake (install-function.sh when E2E_SCALINGO=1)
#   scalingo.sh databases   the fake's databases as JSON lines {name, plan} (GET /v1/databases, as the provider does)
#
# Must run inside control-plane.sh (KUBECONFIG, E2E_WORKDIR). Background processes are registered with its cleanup
# (lib.sh e2e_bg). provider-scalingo runs with the harness's admin credentials (system:masters), not a provider
# ServiceAccount: the RBAC a Provider package gets is not exercised here.
#
# Environment: E2E_SCALINGO_POLL_SECONDS (5), E2E_SCALINGO_PROVISION_MS (3000), E2E_SCALINGO_PLAN_CHANGE_MS (5000).
set -euo pipefail

E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$E2E_DIR/lib.sh"

: "${KUBECONFIG:?run inside control-plane.sh}" "${E2E_WORKDIR:?run inside control-plane.sh}"
W="$E2E_WORKDIR"
P="$E2E_REPO/provider-scalingo"
FAKE_TOKEN="tk-us-fake-token"   # fake/server.ts FAKE_API_TOKEN

scalingo_crds() {
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

  local fake_port; e2e_free_port fake_port
  # SIMULATED: Scalingo. Its databases' URLs name the harness PostgreSQL's port; their host names
  # (<name>.postgresql.a.osc-fr1.scalingo-dbs.com) are mapped to 127.0.0.1 by sql.sh bootstrap-admin.
  e2e_bg scalingo-fake env FAKE_SCALINGO_PORT="$fake_port" FAKE_SCALINGO_DB_PORT="$pg_port" \
    FAKE_SCALINGO_PROVISION_MS="${E2E_SCALINGO_PROVISION_MS:-3000}" FAKE_SCALINGO_PLAN_CHANGE_MS="${E2E_SCALINGO_PLAN_CHANGE_MS:-5000}" \
    node "$P/dist/fake/main.js"
  local url="http://127.0.0.1:$fake_port"
  e2e_wait_for "the fake Scalingo API on $url" 30 scalingo-fake curl -sf -o /dev/null "$url/v1/regions"

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

  local health; e2e_free_port health
  e2e_bg provider-scalingo env KUBECONFIG="$KUBECONFIG" HEALTH_PORT="$health" \
    POLL_INTERVAL_SECONDS="${E2E_SCALINGO_POLL_SECONDS:-5}" MAX_RECONCILE_CONCURRENCY=4 LOG_LEVEL=debug \
    node "$P/dist/src/main.js"
  e2e_wait_for "provider-scalingo /readyz" 60 provider-scalingo curl -sf -o /dev/null "http://127.0.0.1:$health/readyz"
  {
    echo "E2E_SCALINGO_FAKE_URL=$url"
    echo "E2E_SCALINGO_HEALTH_PORT=$health"
  } >"$W/scalingo.env"
  e2e_log "SIMULATED Scalingo API at $url; provider-scalingo running (health :$health) in $(e2e_since "$start")s"
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
  databases) scalingo_databases ;;
  *) echo "usage: scalingo.sh crds | start | databases" >&2; exit 2 ;;
esac
