#!/usr/bin/env bash
# Helpers shared by the e2e scripts. Source it; do not run it.
# Every background process is started with e2e_bg, which records its PID in
# $E2E_WORKDIR/pids/ so that e2e_cleanup (run by control-plane.sh on EXIT/INT/TERM)
# can stop each one by PID, newest first.

E2E_DIR="${E2E_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
E2E_REPO="${E2E_REPO:-$(cd "$E2E_DIR/../.." && pwd)}"
E2E_CRDS_DIR="${E2E_CRDS_DIR:-$E2E_REPO/../shared/crds}"
# The node flags the function runs with, the same as the image's ENTRYPOINT (Dockerfile; test/generated.test.ts
# checks that they agree): a 4 MB young generation keeps the function under 100 MB RSS with 200 claims, at no
# CPU cost measured in the cluster (docs/benchmarks.md).
E2E_FUNCTION_NODE_FLAGS="--max-semi-space-size=4"

e2e_log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
e2e_die() { e2e_log "ERROR: $*"; exit 1; }

# monotonic-ish seconds with millisecond resolution
e2e_now() { date +%s.%N; }
e2e_since() { awk -v a="$1" -v b="$(e2e_now)" 'BEGIN { printf "%.1f", b - a }'; }

# A free TCP port on 127.0.0.1: a random port in 20000-32767 that no socket uses and
# that this run has not handed out before. Below the kernel's ephemeral range (32768+):
# a port there can be taken by an outgoing connection between picking it and binding it.
# Usage: e2e_free_port VARNAME
E2E_PORTS_USED="${E2E_PORTS_USED:- }"
e2e_free_port() {
  local p _
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12768))
    [[ "$E2E_PORTS_USED" == *" $p "* ]] && continue
    if [[ -z "$(ss -Htan "sport = :$p" 2>/dev/null)" ]]; then
      E2E_PORTS_USED+="$p "
      printf -v "$1" '%s' "$p"; return 0
    fi
  done
  e2e_die "no free port found"
}

# e2e_bg NAME CMD... : start CMD in the background, output to $E2E_WORKDIR/logs/NAME.log
# E2E_BG_STOP_SIGNAL=INT (for that call) makes e2e_stop_all send INT instead of TERM first
# (PostgreSQL: TERM is its "smart" shutdown, which waits for clients; INT is "fast").
e2e_bg() {
  local name="$1"; shift
  mkdir -p "$E2E_WORKDIR/logs" "$E2E_WORKDIR/pids"
  "$@" >"$E2E_WORKDIR/logs/$name.log" 2>&1 </dev/null &
  local pid=$!
  # zero-padded sequence number so cleanup can go newest-first
  local seq; seq=$(find "$E2E_WORKDIR/pids" -name '*.pid' | wc -l)
  echo "$pid" >"$E2E_WORKDIR/pids/$(printf '%03d' "$seq")-$name.pid"
  if [[ -n "${E2E_BG_STOP_SIGNAL:-}" ]]; then echo "$E2E_BG_STOP_SIGNAL" >"$E2E_WORKDIR/pids/$(printf '%03d' "$seq")-$name.sig"; fi
  e2e_log "started $name (pid $pid, log $E2E_WORKDIR/logs/$name.log)"
}

# e2e_stop_all: stop every recorded process by PID, newest first (TERM, then KILL).
e2e_stop_all() {
  [[ -d "${E2E_WORKDIR:-}/pids" ]] || return 0
  local f pid files=()
  shopt -s nullglob; files=("$E2E_WORKDIR/pids"/*.pid); shopt -u nullglob
  local n
  for (( n = ${#files[@]} - 1; n >= 0; n-- )); do
    f="${files[$n]}"
    pid="$(cat "$f")"
    local sig=TERM
    [[ -f "${f%.pid}.sig" ]] && sig="$(cat "${f%.pid}.sig")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -"$sig" "$pid" 2>/dev/null || true
      local _
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
      wait "$pid" 2>/dev/null || true
    fi
    rm -f "$f" "${f%.pid}.sig"
  done
}

# e2e_kill_tree PID: TERM PID and all its descendants (found by parent PID, children first stopped),
# e.g. kuttl and the `sh -c` steps it runs, which would otherwise outlive an interrupted run.
e2e_kill_tree() {
  local pid="$1" child
  kill -STOP "$pid" 2>/dev/null || return 0
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do e2e_kill_tree "$child"; done
  kill -TERM "$pid" 2>/dev/null || true
  kill -CONT "$pid" 2>/dev/null || true
}

# e2e_check_alive NAME: fail if the recorded process NAME has died.
e2e_check_alive() {
  local f
  f="$(ls "$E2E_WORKDIR/pids"/*-"$1".pid 2>/dev/null | head -n1)"
  [[ -n "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null && return 0
  e2e_log "$1 is not running; last lines of its log:"
  tail -n 30 "$E2E_WORKDIR/logs/$1.log" >&2 || true
  return 1
}

# e2e_wait_for DESCRIPTION TIMEOUT_SECONDS PROCESS_NAME CMD... : poll CMD until it succeeds;
# fail early if PROCESS_NAME (may be "-") dies.
e2e_wait_for() {
  local what="$1" timeout="$2" proc="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if [[ "$proc" != "-" ]]; then e2e_check_alive "$proc" || e2e_die "$proc died while waiting for $what"; fi
    (( SECONDS < deadline )) || e2e_die "timed out after ${timeout}s waiting for $what"
    sleep 0.5
  done
}

# e2e_diagnostics: on failure, save the Crossplane objects and events to logs/ and print
# the conditions of the package objects (the API server is still up when this runs).
e2e_diagnostics() {
  [[ -n "${KUBECONFIG:-}" && -d "${E2E_WORKDIR:-}/logs" ]] || return 0
  kubectl get --raw /readyz >/dev/null 2>&1 || return 0
  kubectl get functions.pkg.crossplane.io,functionrevisions.pkg.crossplane.io,compositeresourcedefinitions,compositions -o yaml \
    >"$E2E_WORKDIR/logs/crossplane-objects.yaml" 2>&1 || true
  kubectl get events -A --sort-by=.lastTimestamp >"$E2E_WORKDIR/logs/events.txt" 2>&1 || true
  e2e_log "conditions at failure:"
  kubectl get functions.pkg.crossplane.io,functionrevisions.pkg.crossplane.io,compositeresourcedefinitions \
    -o 'jsonpath={range .items[*]}{.kind}/{.metadata.name}: {range .status.conditions[*]}{.type}={.status} ({.reason}: {.message}); {end}{"\n"}{end}' >&2 2>/dev/null || true
  tail -n 15 "$E2E_WORKDIR/logs/events.txt" >&2 || true
}

# e2e_package_pod KIND NAME IMAGE: a Function or Provider package installed as users install it, its
# DeploymentRuntimeConfig (named NAME, applied by the caller) referenced; waits until Crossplane's default Deployment
# runtime has its pod Ready (Healthy) and sets package_pod to that pod's name.
e2e_package_pod() {
  local kind="$1" name="$2" image="$3" lower
  lower="$(tr '[:upper:]' '[:lower:]' <<<"$kind")"
  kubectl apply -f - >/dev/null <<YAML
apiVersion: pkg.crossplane.io/v1
kind: $kind
metadata:
  name: $name
spec:
  package: $image
  packagePullPolicy: IfNotPresent
  revisionActivationPolicy: Automatic
  runtimeConfigRef:
    name: $name
YAML
  e2e_wait_for "$kind $name Installed" 180 crossplane kubectl wait --for condition=Installed --timeout 5s "$lower.pkg.crossplane.io/$name"
  e2e_wait_for "$kind $name Healthy (its pod Ready)" 240 crossplane kubectl wait --for condition=Healthy --timeout 5s "$lower.pkg.crossplane.io/$name"
  package_pod="$(kubectl -n crossplane-system get pods -l "pkg.crossplane.io/$lower=$name" -o jsonpath='{.items[0].metadata.name}')"
}
