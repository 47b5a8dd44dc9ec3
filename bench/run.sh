#!/usr/bin/env bash
# `npm run bench`: function-postgresql against its Go peers (function-patch-and-transform, function-go-templating)
# and two floors (a no-op grpc-js server; one answering with our pre-encoded response), on loopback, with ghz.
# See docs/benchmarks.md.
#
# Per server and request (minimal and full claim, steady reconcile): latency p50/p95/p99 and calls/s at 1 and 16
# concurrent callers (one connection, as Crossplane uses), CPU seconds per 10,000 calls (utime+stime of the server
# process over the measured calls), peak RSS (VmHWM), and time from process start to the first successful answer.
# Each (server, request) gets a fresh server process; warm-up calls are not measured.
#
# Knobs: BENCH_N1 (calls at c=1, default 2000), BENCH_N16 (at c=16, default 5000), BENCH_WARMUP (default 500),
#        BENCH_STARTS (startup samples, default 3), BENCH_SERVERS ("ours pat gotmpl noop canned"), BENCH_CLAIMS ("minimal full"),
#        BENCH_OUT (results dir; default a new temp dir), BENCH_SKIP_BUILD=1 (skip npm run build),
#        BENCH_GHZ_CPUS (ghz --cpus, default 1), BENCH_PORT (first port, default 19441)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

N1="${BENCH_N1:-2000}"
N16="${BENCH_N16:-5000}"
WARMUP="${BENCH_WARMUP:-500}"
STARTS="${BENCH_STARTS:-3}"
SERVERS="${BENCH_SERVERS:-ours pat gotmpl noop canned}"
CLAIMS="${BENCH_CLAIMS:-minimal full}"
GHZ_CPUS="${BENCH_GHZ_CPUS:-1}"
PORT="${BENCH_PORT:-19441}"
OUT="${BENCH_OUT:-$(mktemp -d /tmp/function-postgresql-bench.XXXXXX)}"
mkdir -p "$OUT"
log() { printf '[bench] %s\n' "$*" >&2; }

# shellcheck source=tools.sh
source bench/tools.sh
# shellcheck source=../test/e2e/lib.sh
source test/e2e/lib.sh # E2E_FUNCTION_NODE_FLAGS: run ours as the image does
bench_tools
PROTO="$BENCH_PROTO_ROOT/fn/v1/run_function.proto"
[[ -f "$PROTO" ]] || { log "no $PROTO"; exit 1; }

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then npm run --silent build; fi
node bench/requests.mjs "$OUT/requests"

server_cmd() { # NAME ADDRESS CLAIM
  case "$1" in
    ours) echo node "$E2E_FUNCTION_NODE_FLAGS" "$repo/dist/main.js" --insecure --address "$2" ;;
    pat) echo "$BENCH_PAT" --insecure --address "$2" ;;
    gotmpl) echo "$BENCH_GOTMPL" --insecure --address "$2" ;;
    noop) echo node "$repo/bench/noop-server.mjs" --address "$2" ;;
    canned) echo node "$repo/bench/canned-server.mjs" --address "$2" --claim "$3" ;;
    *) log "unknown server $1"; return 1 ;;
  esac
}

PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TICK="$(getconf CLK_TCK)"
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; } # utime + stime (fields 14, 15)
vm_hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }                  # kB

ghz_run() { # ADDRESS REQUEST C N OUTFILE
  "$BENCH_GHZ" --insecure --proto "$PROTO" --import-paths "$BENCH_PROTO_ROOT" \
    --call apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction \
    --disable-template-data --disable-template-functions --cpus "$GHZ_CPUS" \
    -D "$2" -c "$3" -n "$4" --timeout 10s --format json "$1" >"$5"
}

printf 'server\tclaim\tstartup_ms\tcpu_ticks_c1\tcpu_ticks_c16\ttick_hz\tvmhwm_kb\tequivalent\n' >"$OUT/metrics.tsv"
for server in $SERVERS; do
  for claim in $CLAIMS; do
    addr="127.0.0.1:$PORT"; PORT=$((PORT + 1))
    req="$OUT/requests/$server-$claim.json"
    [[ -f "$req" ]] || { log "no request $req"; exit 1; }
    # time to first answer: median of BENCH_STARTS fresh starts
    starts=()
    for _ in $(seq "$STARTS"); do
      # shellcheck disable=SC2046
      starts+=("$(node bench/startup.mjs "$addr" "$req" -- $(server_cmd "$server" "$addr" "$claim") 2>/dev/null)")
      sleep 0.3
    done
    startup="$(printf '%s\n' "${starts[@]}" | sort -n | sed -n "$(( (STARTS + 1) / 2 ))p")"
    # the measured process
    # shellcheck disable=SC2046
    $(server_cmd "$server" "$addr" "$claim") >"$OUT/$server-$claim.log" 2>&1 &
    pid=$!; PIDS+=("$pid")
    node bench/client.mjs "$addr" "$req" --wait 10000 >"$OUT/$server-$claim.response.json"
    equivalent=n/a
    if [[ "$server" == pat || "$server" == gotmpl ]] && [[ -f "$OUT/ours-$claim.response.json" ]]; then
      if node bench/compare.mjs "$OUT/ours-$claim.response.json" "$OUT/$server-$claim.response.json" "$server/$claim" >"$OUT/$server-$claim.compare.txt"; then
        equivalent="$(sed -n 's/.* \([0-9]*\) other differing fields.*/same objects, \1 fields differ/p' "$OUT/$server-$claim.compare.txt")"
      else equivalent=DIFFERENT; fi
      log "$(tail -n1 "$OUT/$server-$claim.compare.txt")"
    fi
    ghz_run "$addr" "$req" 4 "$WARMUP" "$OUT/$server-$claim.warmup.json"
    t0="$(cpu_ticks "$pid")"
    ghz_run "$addr" "$req" 1 "$N1" "$OUT/$server-$claim.c1.json"
    t1="$(cpu_ticks "$pid")"
    ghz_run "$addr" "$req" 16 "$N16" "$OUT/$server-$claim.c16.json"
    t2="$(cpu_ticks "$pid")"
    hwm="$(vm_hwm "$pid")"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$claim" "$startup" "$((t1 - t0))" "$((t2 - t1))" "$TICK" "$hwm" "$equivalent" >>"$OUT/metrics.tsv"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    log "$server/$claim done (startup ${startup} ms, peak RSS $((hwm / 1024)) MB)"
  done
done
node bench/report.mjs "$OUT" "$N1" "$N16" | tee "$OUT/report.md"
log "results in $OUT"
