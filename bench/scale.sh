#!/usr/bin/env bash
# Scale on the real control plane: applies N PostgreSQLInstance claims (default 200, copies of
# examples/minimal.yaml with distinct names) in one server-side `kubectl apply` to the e2e control
# plane (test/e2e/control-plane.sh: etcd, kube-apiserver, kube-controller-manager, Crossplane core
# 2.2 out of cluster, the function installed as a Function package with the External runtime by
# test/e2e/install-function.sh) and measures, from the apply until every XR is Synced=True with all
# its composed objects present (every spec.resourceRefs / spec.crossplane.resourceRefs entry exists,
# and as many entries as `dist/cli/render.js` composes for one claim):
#   - seconds until then (and until the first XR is Synced, all XRs exist, all XRs Synced, all
#     claims Synced), detected by polling (granularity BENCH_SCALE_POLL) and from the objects'
#     timestamps (1 s resolution);
#   - CPU seconds (utime+stime from /proc/PID/stat) of the function, Crossplane, kube-apiserver,
#     etcd and kube-controller-manager over that window; peak RSS during the window (VmRSS sampled
#     every second) and VmHWM (lifetime peak, so including the install);
#     The harness's own CPU (this script's polls, the endpoint keeper) and the rest of the machine are
#     shown apart, so that a busy machine is visible;
#   - from Crossplane's metrics: RunFunction calls, their mean latency and non-OK answers, XR and
#     claim reconciles, reconcile errors, circuit-breaker opens; from the API server's metrics:
#     requests, 5xx and 429s, and the requests and request time by resource and verb; Crossplane and
#     function log lines that mention errors; events by kind and reason.
# The clock starts just before the `kubectl apply` (whose own duration is shown: with 200 claims the
# API server is saturated and the apply alone takes tens of seconds on 2 cores).
# The composed objects are not reconciled by anything (no StackGres, no providers run), so XRs never
# get Ready: the figure is "composed and synced", not "running". Nothing is deleted; the whole control
# plane is thrown away at the end.
#
# Usage: bash bench/scale.sh            (needs the e2e tools, cached by test/e2e/tools.sh, and a built
#                                        dist/: run `npm run build` first; this script never builds)
#
# Knobs (environment):
#   BENCH_SCALE_CLAIMS=200        number of claims
#   BENCH_SCALE_NAMESPACES=4      spread over this many namespaces (scale-1 … scale-K), in blocks
#   BENCH_SCALE_CLAIM=examples/minimal.yaml   the claim copied (its name gets -001, -002, …; relative to the repo)
#   BENCH_SCALE_PARAMS='{}'       JSON deep-merged into every copy's spec.parameters,
#                                 e.g. '{"backup":{"enabled":false}}'
#   BENCH_SCALE_EXPECTED          composed objects per XR (default: counted from render.js for one copy)
#   BENCH_SCALE_TIMEOUT=1200      seconds to wait for everything to be synced and composed
#   BENCH_SCALE_POLL=2            seconds between polls (each poll: one raw LIST of all XRs, one of all claims)
#   BENCH_SCALE_IDLE=10           seconds of idle measurement before the apply (baseline CPU rates)
#   BENCH_SCALE_SETTLE=0          if > 0, keep measuring this many seconds after the end (steady state:
#                                 Crossplane re-reconciles every XR once per --poll-interval, 1m by default)
#   BENCH_SCALE_FUNCTION_DIR      where dist/main.js (and dist/cli/render.js) are (default: the repo)
#   BENCH_SCALE_SNAPSHOT=1        copy that dir's dist/ and package.json to a temp dir first and run the copy
#                                 (for when dist/ may be rebuilt during the run)
#   BENCH_SCALE_SQL=0             1 also starts PostgreSQL and provider-sql (install-function.sh's E2E_SQL);
#                                 not needed: provider-sql objects only need their CRDs to be "present"
#   BENCH_SCALE_PAUSE_KEEPER=1    SIGSTOP install-function.sh's endpoint keeper (a harness-only kubectl+jq loop every
#                                 2 s) from the idle baseline to the end; 0 leaves it running
#   BENCH_SCALE_OUT               directory for the results (default a new /tmp/function-postgresql-scale.*)
#   E2E_FUNCTION_CMD              overrides the function command (default node $E2E_FUNCTION_NODE_FLAGS
#                                 $BENCH_SCALE_FUNCTION_DIR/dist/main.js, the image's flags from test/e2e/lib.sh)
#   E2E_CROSSPLANE_ARGS           extra `crossplane core start` flags, e.g. "--max-reconcile-rate=200"
#   E2E_KEEP_WORKDIR=1, E2E_ARTIFACTS=DIR, E2E_NETNS   see test/e2e/control-plane.sh
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
log() { printf '[scale %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------------
# outside the control plane: function snapshot, claims, expected count, then re-enter inside
# ---------------------------------------------------------------------------------------------------
if [[ "${1:-}" != "--inside" ]]; then
  command -v jq >/dev/null || die "jq is needed (apt-get install -y jq)"
  FDIR="${BENCH_SCALE_FUNCTION_DIR:-$REPO}"
  FDIR="$(cd "$FDIR" && pwd)"
  [[ -f "$FDIR/dist/main.js" ]] || die "no $FDIR/dist/main.js (npm run build)"
  snap=""
  if [[ "${BENCH_SCALE_SNAPSHOT:-0}" == "1" ]]; then
    snap="$(mktemp -d /tmp/function-postgresql-scale-fn.XXXXXX)"
    cp -rp "$FDIR/dist" "$FDIR/package.json" "$snap/"
    if [[ -d "$FDIR/node_modules" ]]; then ln -sfn "$FDIR/node_modules" "$snap/node_modules"; else ln -sfn "$REPO/node_modules" "$snap/node_modules"; fi
    trap 'rm -rf "$snap"' EXIT
    log "running a snapshot of $FDIR/dist in $snap"
    FDIR="$snap"
  fi
  export BENCH_SCALE_FUNCTION_DIR="$FDIR"
  # shellcheck source=../test/e2e/lib.sh
  source "$REPO/test/e2e/lib.sh" # E2E_FUNCTION_NODE_FLAGS
  export E2E_FUNCTION_CMD="${E2E_FUNCTION_CMD:-node $E2E_FUNCTION_NODE_FLAGS $FDIR/dist/main.js}"
  export E2E_SQL="${BENCH_SCALE_SQL:-0}"
  export BENCH_SCALE_CLAIMS="${BENCH_SCALE_CLAIMS:-200}"
  export BENCH_SCALE_NAMESPACES="${BENCH_SCALE_NAMESPACES:-4}"
  OUT="${BENCH_SCALE_OUT:-$(mktemp -d /tmp/function-postgresql-scale.XXXXXX)}"
  mkdir -p "$OUT"
  OUT="$(cd "$OUT" && pwd)"
  export BENCH_SCALE_OUT="$OUT"
  claim="${BENCH_SCALE_CLAIM:-$REPO/examples/minimal.yaml}"
  [[ "$claim" == /* ]] || claim="$REPO/$claim"
  params="${BENCH_SCALE_PARAMS:-}"
  node "$BENCH_DIR/scale-claims.mjs" --namespaces "$BENCH_SCALE_NAMESPACES" scale >"$OUT/namespaces.yaml"
  node "$BENCH_DIR/scale-claims.mjs" "$claim" "$BENCH_SCALE_CLAIMS" "$BENCH_SCALE_NAMESPACES" scale ${params:+"$params"} >"$OUT/claims.yaml"
  if [[ -z "${BENCH_SCALE_EXPECTED:-}" ]]; then
    node "$BENCH_DIR/scale-claims.mjs" "$claim" 1 1 scale ${params:+"$params"} >"$OUT/one-claim.yaml"
    (cd "$REPO" && node "$FDIR/dist/cli/render.js" "$OUT/one-claim.yaml" \
        --composition "$REPO/compositions/xpostgresqlinstances.dbaas.dev.yaml") >"$OUT/one-claim.rendered.yaml" \
      || die "render.js failed for $OUT/one-claim.yaml"
    BENCH_SCALE_EXPECTED="$(cd "$REPO" && node --input-type=module -e '
      import { readFileSync } from "node:fs"; import { parseAllDocuments } from "yaml";
      const docs = parseAllDocuments(readFileSync(process.argv[1], "utf8")).map((d) => d.toJS());
      console.log(docs.filter((d) => d?.metadata?.annotations?.["crossplane.io/composition-resource-name"]).length);
    ' "$OUT/one-claim.rendered.yaml")"
    log "one claim composes $BENCH_SCALE_EXPECTED objects (render.js of $(basename "$claim"))"
  fi
  export BENCH_SCALE_EXPECTED
  rc=0
  bash "$REPO/test/e2e/control-plane.sh" -- bash "$BENCH_DIR/scale.sh" --inside || rc=$?
  [[ -f "$OUT/result.txt" ]] && log "results in $OUT (result.txt, samples, metrics)"
  exit "$rc"
fi

# ---------------------------------------------------------------------------------------------------
# inside control-plane.sh
# ---------------------------------------------------------------------------------------------------
: "${KUBECONFIG:?}" "${E2E_WORKDIR:?}" "${BENCH_SCALE_OUT:?}" "${BENCH_SCALE_EXPECTED:?}"
N="$BENCH_SCALE_CLAIMS"
EXPECTED="$BENCH_SCALE_EXPECTED"
OUT="$BENCH_SCALE_OUT"
TIMEOUT="${BENCH_SCALE_TIMEOUT:-1200}"
POLL="${BENCH_SCALE_POLL:-2}"
IDLE="${BENCH_SCALE_IDLE:-10}"
SETTLE="${BENCH_SCALE_SETTLE:-0}"
W="$E2E_WORKDIR"
TICK="$(getconf CLK_TCK)"
cd "$REPO"

bash "$REPO/test/e2e/install-function.sh"

# --- the processes, by the PIDs control-plane.sh and install-function.sh recorded (lib.sh e2e_bg) ---
pid_of() {
  local f
  f="$(find "$W/pids" -name "*-$1.pid" | sort | head -n1)"
  [[ -n "$f" ]] || die "no PID file for $1 in $W/pids"
  cat "$f"
}
PROCS=(function crossplane kube-apiserver etcd kube-controller-manager)
declare -A PID
for p in "${PROCS[@]}"; do PID[$p]="$(pid_of "$p")"; done
KEEPER_PID="$(pid_of endpoint-keeper)"
# e2e_bg backgrounds a simple command, so the recorded PID is the program itself (node, for dist/main.js).
fn_cmdline="$(tr '\0' ' ' <"/proc/${PID[function]}/cmdline")"
[[ "$fn_cmdline" == *"${E2E_FUNCTION_CMD%% *}"* ]] || die "PID ${PID[function]} is not the function: $fn_cmdline"
xp_cmdline="$(tr '\0' ' ' <"/proc/${PID[crossplane]}/cmdline")"
XP_METRICS_PORT="$(sed -n 's/.*--metrics-port \([0-9]*\).*/\1/p' <<<"$xp_cmdline")"
log "pids: $(for p in "${PROCS[@]}"; do printf '%s=%s ' "$p" "${PID[$p]}"; done)"

cpu_ticks() { # PID -> utime+stime in ticks
  local s rest
  s="$(<"/proc/$1/stat")"; rest="${s##*) }"
  local -a f; read -r -a f <<<"$rest"
  echo $(( f[11] + f[12] ))
}
status_kb() { # PID FIELD -> kB
  local k v _
  while read -r k v _; do [[ "$k" == "$2:" ]] && { echo "$v"; return; }; done <"/proc/$1/status"
  echo 0
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
declare -A C_IDLE C_IDLE1 C0 C1 C2
cpu_ticks_all() { # PID -> utime+stime+cutime+cstime (itself and its waited-for children)
  local s rest
  s="$(<"/proc/$1/stat")"; rest="${s##*) }"
  local -a f; read -r -a f <<<"$rest"
  echo $(( f[11] + f[12] + f[13] + f[14] ))
}
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; } # user nice system irq softirq steal
# shellcheck disable=SC2034  # arr is a nameref: it writes the caller's array
snap_cpu() { # ARRAY_NAME: each process's ticks, and the machine's busy ticks as "machine"
  local -n arr="$1"; local p
  for p in "${PROCS[@]}"; do arr["$p"]="$(cpu_ticks "${PID[$p]}")"; done
  arr["machine"]="$(machine_busy)"
  # the harness: this script with its kubectl/jq children (polls, apply), and the endpoint keeper
  arr["bench script"]="$(cpu_ticks_all $$)"
  arr["endpoint keeper"]="$(cpu_ticks_all "$KEEPER_PID" 2>/dev/null || echo 0)"
}
scrape_xp() { curl -sf "http://127.0.0.1:$XP_METRICS_PORT/metrics" >"$1" 2>/dev/null || : >"$1"; }
scrape_api() { kubectl get --raw /metrics >"$1" 2>/dev/null || : >"$1"; }
# msum FILE REGEX: sum of the samples whose "name{labels}" matches REGEX (awk ERE)
msum() { awk -v re="$2" '$0 !~ /^#/ && $0 ~ re { s += $NF } END { printf "%.6g", s + 0 }' "$1"; }
mdelta() { awk -v a="$(msum "$1" "$3")" -v b="$(msum "$2" "$3")" 'BEGIN { printf "%.6g", b - a }'; }
# api_top BEFORE AFTER [N] [METRIC]: METRIC (default apiserver_request_total) grown in between, by resource and
# verb, most first (WATCH left out: a watch's duration is its lifetime)
api_top() {
  awk '
    function label(line, name,   v) { v = line; if (!sub(".*[{,]" name "=\"", "", v)) return ""; sub(/".*/, "", v); return v }
    function key(line,   r, sr) {
      r = label(line, "resource"); sr = label(line, "subresource")
      return (r == "" ? "(none)" : r) (sr == "" ? "" : "/" sr) " " label(line, "verb")
    }
    index($0, m "{") == 1 && $0 !~ /verb="WATCH"/ { k = key($0); if (FNR == NR) a[k] += $NF; else b[k] += $NF }
    END { for (k in b) if (b[k] - a[k] > 0) printf "%.1f %s\n", b[k] - a[k], k }' m="${4:-apiserver_request_total}" "$1" "$2" |
    sort -rn | head -n "${3:-8}" | awk '{ printf "%s%s %s %s", (NR > 1 ? ", " : ""), $2, $3, ($1 ~ /\.0$/ ? int($1) : $1) }'
}

# RSS and CPU sampler, every second: "epoch name rss_kB cpu_ticks"
sampler() {
  local p t
  while :; do
    t="$(now)"
    for p in "${PROCS[@]}"; do
      [[ -r "/proc/${PID[$p]}/status" ]] || continue
      echo "$t $p $(status_kb "${PID[$p]}" VmRSS) $(cpu_ticks "${PID[$p]}")"
    done >>"$OUT/samples.txt"
    sleep 1
  done
}
: >"$OUT/samples.txt"
sampler &
SAMPLER_PID=$!
# The endpoint keeper (install-function.sh) polls the FunctionRevisions every 2 s with kubectl and jq; it has
# nothing to do once the Function is Healthy (no new revision appears here), and a real cluster has no such
# process, so it is stopped (SIGSTOP) while measuring and continued afterwards. BENCH_SCALE_PAUSE_KEEPER=0 keeps it.
keeper_paused=0
keeper_continue() { if (( keeper_paused )); then kill -CONT "$KEEPER_PID" 2>/dev/null || true; keeper_paused=0; fi; }
APPLY_PID=""
trap 'kill "$SAMPLER_PID" ${APPLY_PID:+"$APPLY_PID"} 2>/dev/null || true; keeper_continue' EXIT

# --- namespaces, an idle baseline ----------------------------------------------------------------
kubectl apply -f "$OUT/namespaces.yaml" >/dev/null
e2e_wait_ok=0
for _ in $(seq 1 120); do kubectl get postgresqlinstances.dbaas.dev -A >/dev/null 2>&1 && { e2e_wait_ok=1; break; }; sleep 0.5; done
(( e2e_wait_ok == 1 )) || die "the claim CRD postgresqlinstances.dbaas.dev is not served"
if [[ "${BENCH_SCALE_PAUSE_KEEPER:-1}" == "1" ]]; then
  kill -STOP "$KEEPER_PID" && keeper_paused=1
fi
snap_cpu C_IDLE; t_idle=$(now)
sleep "$IDLE"
snap_cpu C_IDLE1; t_idle1=$(now)
idle_secs=$(secs "$t_idle" "$t_idle1")

xp_log_offset=$(( $(stat -c %s "$W/logs/crossplane.log") + 1 ))
fn_log_offset=$(( $(stat -c %s "$W/logs/function.log") + 1 ))
warn_before="$(kubectl get events -A --field-selector type=Warning -o json | jq '[.items[] | .count // 1] | add // 0')"
scrape_xp "$OUT/xp-metrics.0"; scrape_api "$OUT/api-metrics.0"

# --- apply -----------------------------------------------------------------------------------------
log "applying $N claims in $BENCH_SCALE_NAMESPACES namespaces (server-side apply); expecting $EXPECTED composed objects per XR"
# In the background, so that polling (and so the first XRs' times) starts at once: with 200 claims the apply
# alone takes tens of seconds on a saturated API server.
rm -f "$OUT/apply.rc" "$OUT/applied.t"
snap_cpu C0; t0=$(now)
( rc=0; kubectl apply --server-side -f "$OUT/claims.yaml" >"$OUT/apply.log" 2>&1 || rc=$?
  now >"$OUT/applied.t"; echo "$rc" >"$OUT/apply.rc" ) &
APPLY_PID=$!
t_applied=""

# --- poll ------------------------------------------------------------------------------------------
# One poll = two raw LISTs (no decoding and re-printing by kubectl), summed up by one jq over both:
# XRs, XRs Synced, XRs Synced with >= EXPECTED refs, claims, claims Synced.
read -r -d '' SUMMARY_JQ <<'EOF' || true
def synced: ([.status.conditions[]? | select(.type == "Synced") | .status][0] // "") == "True";
def refs: (.spec.crossplane.resourceRefs // .spec.resourceRefs // []);
.[0].items as $x | .[1].items as $c |
[ ($x | length), ([$x[] | select(synced)] | length), ([$x[] | select(synced and (refs | length) >= $exp)] | length),
  ($c | length), ([$c[] | select(synced)] | length) ] | @tsv
EOF
read -r -d '' REFS_JQ <<'EOF' || true
.items[] | (.spec.crossplane.resourceRefs // .spec.resourceRefs // [])[] |
  [ (.apiVersion | if test("/") then split("/")[0] else "" end), .kind, (.namespace // ""), .name ] | join("|")
EOF
XR_PATH=/apis/dbaas.dev/v1alpha1/xpostgresqlinstances
CLAIM_PATH=/apis/dbaas.dev/v1alpha1/postgresqlinstances
LIST_JSONPATH='{range .items[*]}{.apiVersion}{"|"}{.kind}{"|"}{.metadata.namespace}{"|"}{.metadata.name}{"|"}{.metadata.creationTimestamp}{"\n"}{end}'

# check_composed POLL_JSON -> prints "missing present last_creation_timestamp"
check_composed() {
  jq -r "$REFS_JQ" "$1" | sort -u >"$OUT/refs.txt"
  local types
  types="$(awk -F'|' '{ t = tolower($2); if ($1 != "") t = t "." $1; print t }' "$OUT/refs.txt" | sort -u | paste -sd, -)"
  [[ -n "$types" ]] || { echo "0 0 -"; return; }
  kubectl get "$types" -A -o jsonpath="$LIST_JSONPATH" >"$OUT/listed.txt" 2>"$OUT/listed.err" || true
  awk -F'|' '
    FNR == NR { a = $1; g = (a ~ /\//) ? substr(a, 1, index(a, "/") - 1) : "";
                k = g "|" $2 "|" $3 "|" $4; seen[k] = $5; seen[g "|" $2 "||" $4] = $5; next }
    { if ($0 in seen) { present++; if (seen[$0] > last) last = seen[$0] } else missing++ }
    END { printf "%d %d %s\n", missing + 0, present + 0, (last == "" ? "-" : last) }' "$OUT/listed.txt" "$OUT/refs.txt"
}

t_first_synced="" t_all_exist="" t_all_synced="" t_all_refs="" t_done="" t_claims_synced=""
composed_present=0 last_created="-" next_report=10 polls=0
deadline=$(awk -v a="$t0" -v t="$TIMEOUT" 'BEGIN { printf "%d", a + t }')
while :; do
  t=$(now)
  if [[ -z "$t_applied" && -s "$OUT/apply.rc" ]]; then
    wait "$APPLY_PID" 2>/dev/null || true; APPLY_PID=""
    [[ "$(cat "$OUT/apply.rc")" == 0 ]] || { cat "$OUT/apply.log" >&2; die "kubectl apply failed"; }
    t_applied="$(cat "$OUT/applied.t")"
    log "apply returned after $(secs "$t0" "$t_applied")s"
  fi
  if ! kubectl get --raw "$XR_PATH" >"$OUT/xrs.json" 2>"$OUT/poll.err" || ! kubectl get --raw "$CLAIM_PATH" >"$OUT/claims.json" 2>>"$OUT/poll.err"; then
    sleep "$POLL"; continue
  fi
  polls=$((polls + 1))
  read -r xrs synced complete claims claims_synced < <(jq -rs --argjson exp "$EXPECTED" "$SUMMARY_JQ" "$OUT/xrs.json" "$OUT/claims.json" || echo "0 0 0 0 0") || true
  [[ -z "$t_first_synced" && "$synced" -gt 0 ]] && t_first_synced=$t
  [[ -z "$t_all_exist" && "$xrs" -ge "$N" ]] && t_all_exist=$t
  [[ -z "$t_all_synced" && "$xrs" -ge "$N" && "$synced" -ge "$N" ]] && t_all_synced=$t
  [[ -z "$t_claims_synced" && "$claims" -ge "$N" && "$claims_synced" -ge "$N" ]] && t_claims_synced=$t
  if [[ -z "$t_all_refs" && "$xrs" -ge "$N" && "$complete" -ge "$N" ]]; then t_all_refs=$t; fi
  if [[ -n "$t_all_refs" && "$complete" -ge "$N" ]]; then
    read -r missing composed_present last_created < <(check_composed "$OUT/xrs.json") || true
    if [[ "$missing" == 0 && -n "$t_applied" ]]; then t_done=$t; snap_cpu C1; t_end=$(now); break; fi
  fi
  el=$(secs "$t0" "$t")
  if awk -v e="$el" -v n="$next_report" 'BEGIN { exit !(e >= n) }'; then
    log "+${el}s: XRs $xrs/$N, Synced $synced, Synced with >= $EXPECTED refs $complete; claims $claims, Synced $claims_synced${missing:+; composed objects missing $missing}"
    next_report=$(( ${el%.*} + 10 ))
  fi
  if (( $(date +%s) >= deadline )); then snap_cpu C1; t_end=$(now); break; fi
  sleep "$POLL"
done
scrape_xp "$OUT/xp-metrics.1"; scrape_api "$OUT/api-metrics.1"
for p in "${PROCS[@]}"; do kill -0 "${PID[$p]}" 2>/dev/null || log "WARNING: $p (pid ${PID[$p]}) is no longer running"; done

# --- optional steady state ------------------------------------------------------------------------
if [[ -n "$t_done" ]] && (( SETTLE > 0 )); then
  log "measuring $SETTLE s of steady state"
  sleep "$SETTLE"
  snap_cpu C2; t_settle_end=$(now)
  scrape_xp "$OUT/xp-metrics.2"; scrape_api "$OUT/api-metrics.2"
fi
kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true
keeper_continue

# --- figures ---------------------------------------------------------------------------------------
rel() { if [[ -n "$1" ]]; then echo "$(secs "$t0" "$1") s"; else echo "TIMEOUT"; fi; }
rel_ts() { # RFC 3339 -> seconds after t0 (1 s resolution)
  [[ -n "$1" && "$1" != "-" && "$1" != "null" ]] || { echo "-"; return; }
  echo "$(secs "$t0" "$(date -d "$1" +%s)") s"
}
window=$(secs "$t0" "$t_end")
cpu_s() { awk -v a="$1" -v b="$2" -v t="$TICK" 'BEGIN { printf "%.2f", (b - a) / t }'; }
peak_rss_mb() { # NAME FROM TO -> max sampled VmRSS in MiB within [FROM, TO]
  awk -v p="$1" -v a="$2" -v b="$3" '$2 == p && $1 >= a - 1 && $1 <= b + 1 && $3 > m { m = $3 } END { printf "%.0f", m / 1024 }' "$OUT/samples.txt"
}
rss_at_mb() { # NAME T -> first sampled VmRSS at or before T (MiB)
  awk -v p="$1" -v t="$2" '$2 == p && $1 <= t { v = $3 } END { printf "%.0f", v / 1024 }' "$OUT/samples.txt"
}
first_synced_ts="$(jq -r '[.items[] | .status.conditions[]? | select(.type == "Synced" and .status == "True") | .lastTransitionTime] | min // "-"' "$OUT/xrs.json")"
last_synced_ts="$(jq -r '[.items[] | .status.conditions[]? | select(.type == "Synced" and .status == "True") | .lastTransitionTime] | max // "-"' "$OUT/xrs.json")"
ref_counts="$(jq -r '[.items[] | (.spec.crossplane.resourceRefs // .spec.resourceRefs // []) | length] | group_by(.) | map("\(.[0]) refs: \(length) XRs") | join(", ")' "$OUT/xrs.json")"

calls="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^function_run_function_request_total')"
fsum="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^function_run_function_seconds_sum')"
fcount="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^function_run_function_seconds_count')"
fbad="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^function_run_function_response_total[{].*grpc_code="[^O]')"
ffatal="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^function_run_function_response_total[{].*result_severity="(SEVERITY_)?FATAL')"
xr_rec="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^controller_runtime_reconcile_total[{]controller="composite/xpostgresqlinstances')"
xr_err="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^controller_runtime_reconcile_errors_total[{]controller="composite/xpostgresqlinstances')"
xr_requeue="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^controller_runtime_reconcile_total[{]controller="composite/xpostgresqlinstances.*result="requeue')"
cl_rec="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^controller_runtime_reconcile_total[{]controller="claim/xpostgresqlinstances')"
cl_err="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^controller_runtime_reconcile_errors_total[{]controller="claim/xpostgresqlinstances')"
cb_open="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^circuit_breaker_opens_total')"
cb_drop="$(mdelta "$OUT/xp-metrics.0" "$OUT/xp-metrics.1" '^circuit_breaker_events_total[{].*result="Dropped"')"
api_req="$(mdelta "$OUT/api-metrics.0" "$OUT/api-metrics.1" '^apiserver_request_total')"
api_429="$(mdelta "$OUT/api-metrics.0" "$OUT/api-metrics.1" '^apiserver_request_total[{].*code="429"')"
api_429_watch="$(mdelta "$OUT/api-metrics.0" "$OUT/api-metrics.1" '^apiserver_request_total[{].*code="429".*verb="WATCH"')"
api_5xx="$(mdelta "$OUT/api-metrics.0" "$OUT/api-metrics.1" '^apiserver_request_total[{].*code="5')"
xp_err_lines="$(tail -c "+$xp_log_offset" "$W/logs/crossplane.log" | grep -ci 'error' || true)"
fn_lines="$(tail -c "+$fn_log_offset" "$W/logs/function.log" | wc -l)"
fn_err_lines="$(tail -c "+$fn_log_offset" "$W/logs/function.log" | grep -c '"level":[56]0' || true)"
warn_after="$(kubectl get events -A --field-selector type=Warning -o json | jq '[.items[] | .count // 1] | add // 0')"
kubectl get events -A -o json >"$OUT/events.json" 2>/dev/null || echo '{"items":[]}' >"$OUT/events.json"
warn_reasons="$(jq -r '[.items[] | select(.type == "Warning") | {r: .reason, c: (.count // 1)}] | group_by(.r) | map("\(.[0].r)=\(map(.c) | add)") | join(", ")' "$OUT/events.json")"
event_top="$(jq -r '[.items[] | {k: "\(.type) \(.involvedObject.kind) \(.reason)", c: (.count // 1)}] | group_by(.k) | map({k: .[0].k, c: (map(.c) | add)}) | sort_by(-.c) | .[:8] | map("\(.k) \(.c)") | join(", ")' "$OUT/events.json")"

{
  echo
  echo "==== scale: $N claims on the e2e control plane ($(nproc) cores) ===="
  echo "function: $E2E_FUNCTION_CMD (newest file in its dist/: $(find "$BENCH_SCALE_FUNCTION_DIR/dist" -name '*.js' -printf '%TY-%Tm-%Td %TH:%TM\n' 2>/dev/null | sort | tail -n1))"
  echo "claim: ${BENCH_SCALE_CLAIM:-examples/minimal.yaml}, parameters merged: ${BENCH_SCALE_PARAMS:-none}; $BENCH_SCALE_NAMESPACES namespaces"
  echo "crossplane flags: ${xp_cmdline#*core start }"
  echo "  (defaults of Crossplane ${E2E_CROSSPLANE_VERSION:-core} (the same in 2.2.1 and 2.3.4) unless given above: --max-reconcile-rate/--max-concurrent-reconciles 100, --poll-interval 1m,"
  echo "   --sync-interval 1h, circuit breaker burst 100 / refill 1 per s / cooldown 5m; client-side QPS limit off)"
  echo "polled every ${POLL}s (detection times below are up to that late; timestamp columns have 1 s resolution)"
  echo
  printf '%-58s %s\n' "claims applied (kubectl apply --server-side returned)" "$(rel "$t_applied")"
  printf '%-58s %s\n' "first XR Synced (poll / Synced lastTransitionTime)" "$(rel "$t_first_synced") / $(rel_ts "$first_synced_ts")"
  printf '%-58s %s\n' "all $N XRs exist" "$(rel "$t_all_exist")"
  printf '%-58s %s\n' "all XRs Synced (poll / latest Synced lastTransitionTime)" "$(rel "$t_all_synced") / $(rel_ts "$last_synced_ts")"
  printf '%-58s %s\n' "all claims Synced" "$(rel "$t_claims_synced")"
  printf '%-58s %s\n' "ALL XRs Synced with all composed objects present" "$(rel "$t_done")"
  printf '%-58s %s\n' "  last composed object created (creationTimestamp)" "$(rel_ts "$last_created")"
  printf '%-58s %s\n' "composed objects present (expected $EXPECTED per XR)" "$composed_present ($ref_counts)"
  echo
  printf '%-24s %10s %12s %14s %14s %12s\n' process "CPU s" "CPU ms/claim" "peak RSS MiB" "RSS before" "VmHWM MiB"
  for p in "${PROCS[@]}"; do
    hwm="-"; [[ -r "/proc/${PID[$p]}/status" ]] && hwm="$(awk '{ printf "%.0f", $1 / 1024 }' <<<"$(status_kb "${PID[$p]}" VmHWM)")"
    c="$(cpu_s "${C0[$p]}" "${C1[$p]}")"
    printf '%-24s %10s %12s %14s %14s %12s\n' "$p" "$c" "$(awk -v c="$c" -v n="$N" 'BEGIN { printf "%.1f", c * 1000 / n }')" \
      "$(peak_rss_mb "$p" "$t0" "$t_end")" "$(rss_at_mb "$p" "$t0")" "$hwm"
  done
  ours=0; for p in "${PROCS[@]}" "bench script" "endpoint keeper"; do ours=$(( ours + ${C1[$p]} - ${C0[$p]} )); done
  printf '%-24s %10s   (harness: polls, apply, final check)\n' "bench script" "$(cpu_s "${C0[bench script]}" "${C1[bench script]}")"
  printf '%-24s %10s   (harness%s)\n' "endpoint keeper" "$(cpu_s "${C0[endpoint keeper]}" "${C1[endpoint keeper]}")" \
    "$([[ "${BENCH_SCALE_PAUSE_KEEPER:-1}" == "1" ]] && echo "; stopped with SIGSTOP while measuring")"
  printf '%-24s %10s   (all processes on the machine: %s CPU s; load average at the end: %s)\n' "everything else" \
    "$(awk -v a="${C0[machine]}" -v b="${C1[machine]}" -v o="$ours" -v t="$TICK" 'BEGIN { printf "%.2f", (b - a - o) / t }')" \
    "$(awk -v a="${C0[machine]}" -v b="${C1[machine]}" -v t="$TICK" 'BEGIN { printf "%.2f", (b - a) / t }')" "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-24s %10s   over %s s; idle rate before the apply (CPU s per s):' "" "" "$window"
  for p in "${PROCS[@]}"; do printf ' %s %s' "$p" "$(awk -v a="${C_IDLE[$p]}" -v b="${C_IDLE1[$p]}" -v t="$TICK" -v d="$idle_secs" 'BEGIN { printf "%.3f", (b - a) / t / d }')"; done
  echo
  echo
  echo "Crossplane metrics over the window:"
  echo "  RunFunction calls: $calls ($(awk -v c="$calls" -v n="$N" 'BEGIN { printf "%.2f", (n ? c / n : 0) }') per claim), mean latency seen by Crossplane $(awk -v s="$fsum" -v c="$fcount" 'BEGIN { printf "%.1f", (c ? s / c * 1000 : 0) }') ms, non-OK gRPC answers $fbad, Fatal results $ffatal"
  echo "  XR reconciles $xr_rec (errors $xr_err, requeues $xr_requeue), claim reconciles $cl_rec (errors $cl_err)"
  echo "  circuit breaker: opens $cb_open, events dropped/halted $cb_drop"
  echo "this script's polls: $polls (each 2 raw LISTs of $N objects; 1 LIST of every composed kind once all XRs had their refs)"
  echo "API server: $api_req requests, $api_5xx 5xx, $api_429 429 ($api_429_watch of them WATCHes: a watch cache (re)initializing, retried by the client)"
  echo "  most requests: $(api_top "$OUT/api-metrics.0" "$OUT/api-metrics.1" 10)"
  echo "  most time (sum of request durations, s; includes waiting): $(api_top "$OUT/api-metrics.0" "$OUT/api-metrics.1" 10 apiserver_request_duration_seconds_sum)"
  echo "logs during the window: Crossplane lines mentioning error: $xp_err_lines; function log lines: $fn_lines (error level: $fn_err_lines)"
  echo "Warning events: $((warn_after - warn_before)) new (all: ${warn_reasons:-none})"
  echo "events (all, by type, kind, reason): ${event_top:-none}"
  if [[ -n "${C2[function]:-}" ]]; then
    swin=$(secs "$t_end" "$t_settle_end")
    echo
    echo "steady state, ${swin} s after the end:"
    for p in "${PROCS[@]}"; do printf '  %-24s CPU %s s, peak RSS %s MiB\n' "$p" "$(cpu_s "${C1[$p]}" "${C2[$p]}")" "$(peak_rss_mb "$p" "$t_end" "$t_settle_end")"; done
    echo "  RunFunction calls: $(mdelta "$OUT/xp-metrics.1" "$OUT/xp-metrics.2" '^function_run_function_request_total'), XR reconciles: $(mdelta "$OUT/xp-metrics.1" "$OUT/xp-metrics.2" '^controller_runtime_reconcile_total[{]controller="composite/xpostgresqlinstances'), claim reconciles: $(mdelta "$OUT/xp-metrics.1" "$OUT/xp-metrics.2" '^controller_runtime_reconcile_total[{]controller="claim/xpostgresqlinstances')"
    echo "  API server: $(mdelta "$OUT/api-metrics.1" "$OUT/api-metrics.2" '^apiserver_request_total') requests; most: $(api_top "$OUT/api-metrics.1" "$OUT/api-metrics.2" 6)"
  fi
  echo "===================================================================="
} | tee "$OUT/result.txt"

if [[ -z "$t_done" ]]; then
  log "timed out after ${TIMEOUT}s; XRs not Synced (first 10 distinct messages):"
  jq -r '[.items[] | .status.conditions[]? | select(.type == "Synced" and .status != "True") | .message] | unique | .[:10][]' "$OUT/xrs.json" >&2 || true
  [[ -s "$OUT/listed.err" ]] && cat "$OUT/listed.err" >&2
  cp "$W/logs/crossplane.log" "$W/logs/function.log" "$OUT/" 2>/dev/null || true
  exit 1
fi
tail -c "+$xp_log_offset" "$W/logs/crossplane.log" >"$OUT/crossplane-window.log" || true
tail -c "+$fn_log_offset" "$W/logs/function.log" >"$OUT/function-window.log" || true
