#!/usr/bin/env bash
# Checks the alert rules the function composes with Prometheus' own promtool:
#   1. installs promtool once, per version, outside the checkout:
#        ${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql/tools/promtool-<module version>/bin/promtool
#      (the same cache as test/e2e/tools.sh); a second run finds it and goes on at once;
#   2. builds the function and renders the rule group of test/monitoring/claim.yaml (StackGres),
#      test/monitoring/cloudnativepg-claim.yaml and zalando-claim.yaml as rules files (node dist/cli/rules.js: exactly the PrometheusRule's spec);
#   3. `promtool check rules` (syntax, PromQL, templates, lint fatal) and
#      `promtool test rules` of test/monitoring/alerts.test.yaml, cloudnativepg-alerts.test.yaml and zalando-alerts.test.yaml (every alert fires
#      when it should, stays silent when it shouldn't).
# Exits non-zero with a reason when promtool can't be installed or any check fails.
#
# Version: github.com/prometheus/prometheus v0.316.0 is Prometheus 3.16.0 (Prometheus 3.x tags its Go module
# v0.3MM.P). Override with PROMTOOL_MODULE_VERSION. It is built with `-tags remove_all_sd`: the service-discovery
# plugins are compiled out because one of them (nomad) depends on a pseudo-version of github.com/hashicorp/nomad/api
# that the Go module proxy reachable here refuses (403); promtool's rule checks and rule tests don't use discovery.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PROMTOOL_MODULE_VERSION="${PROMTOOL_MODULE_VERSION:-v0.316.0}"
TOOLS_DIR="${E2E_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql/tools}"
PROMTOOL_DIR="$TOOLS_DIR/promtool-$PROMTOOL_MODULE_VERSION"
PROMTOOL="$PROMTOOL_DIR/bin/promtool"

log() { printf '[promtool] %s\n' "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# v0.316.0 → 3.16.0, for `promtool --version` (go install sets no version of its own).
prometheus_version() {
  local v="${PROMTOOL_MODULE_VERSION#v0.}"
  local minor="${v%%.*}" rest="${v#*.}"
  printf '%s.%d.%s' "${minor:0:1}" "$((10#${minor:1}))" "$rest"
}

install_promtool() {
  command -v go >/dev/null 2>&1 || die "cannot install promtool: no Go toolchain on PATH (go install builds it)"
  mkdir -p "$PROMTOOL_DIR"
  # its own temp dir: another run's is never touched (see the lock below)
  local tmp; tmp="$(mktemp -d "$PROMTOOL_DIR/bin.tmp.XXXXXX")"; chmod 755 "$tmp"
  log "installing promtool $PROMTOOL_MODULE_VERSION (Prometheus $(prometheus_version)) with go install ..."
  local start=$SECONDS
  if ! GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath -buildvcs=false" \
    go install -tags remove_all_sd \
      -ldflags "-X github.com/prometheus/common/version.Version=$(prometheus_version)" \
      "github.com/prometheus/prometheus/cmd/promtool@$PROMTOOL_MODULE_VERSION" >"$PROMTOOL_DIR/install.log" 2>&1; then
    tail -n 20 "$PROMTOOL_DIR/install.log" >&2
    rm -rf "$tmp"
    die "cannot install promtool $PROMTOOL_MODULE_VERSION: go install failed (full log: $PROMTOOL_DIR/install.log)"
  fi
  [[ -x "$tmp/promtool" ]] || { rm -rf "$tmp"; die "go install produced no promtool binary (log: $PROMTOOL_DIR/install.log)"; }
  [[ -e "$PROMTOOL_DIR/bin" ]] && mv "$PROMTOOL_DIR/bin" "$(mktemp -u "$PROMTOOL_DIR/bin.incomplete.XXXXXX")"
  mv "$tmp" "$PROMTOOL_DIR/bin"
  echo "$((SECONDS - start))" >"$PROMTOOL_DIR/install-seconds"
  log "installed promtool in $((SECONDS - start))s"
}

started=$SECONDS
if [[ -x "$PROMTOOL" ]]; then
  log "promtool $PROMTOOL_MODULE_VERSION cached at $PROMTOOL"
else
  # Two runs on one machine: the first installs under an exclusive lock, the second waits and finds it.
  mkdir -p "$TOOLS_DIR/.locks"
  exec {lock_fd}>"$TOOLS_DIR/.locks/promtool-$PROMTOOL_MODULE_VERSION.lock"
  flock -n "$lock_fd" || { log "waiting for another run that is installing promtool ..."; flock "$lock_fd"; }
  [[ -x "$PROMTOOL" ]] || install_promtool
  exec {lock_fd}>&-
fi
"$PROMTOOL" --version 2>&1 | head -n 1 >&2

cd "$REPO"
npx --no-install tsc -p tsconfig.build.json || die "the build failed"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# One claim and one test file per engine: the same seven alerts, in each engine's metric names.
for pair in "claim.yaml alerts.test.yaml" "cloudnativepg-claim.yaml cloudnativepg-alerts.test.yaml" "zalando-claim.yaml zalando-alerts.test.yaml"; do
  read -r claim tests <<<"$pair"
  dir="$work/${claim%.yaml}"
  mkdir -p "$dir"
  node dist/cli/rules.js "test/monitoring/$claim" >"$dir/rules.yaml" || die "rendering the rules of test/monitoring/$claim failed"
  # promtool reads rule_files relative to the test file, so the test sits next to the rendered rules.
  cp "test/monitoring/$tests" "$dir/"
  "$PROMTOOL" check rules --lint=all --lint-fatal "$dir/rules.yaml" || die "promtool check rules ($claim)"
  (cd "$dir" && "$PROMTOOL" test rules "$tests") || die "promtool test rules ($tests)"
done
log "rules checked and tested in $((SECONDS - started))s"
