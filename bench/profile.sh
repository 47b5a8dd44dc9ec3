#!/usr/bin/env bash
# CPU profile of function-postgresql under load: `node --cpu-prof dist/main.js`, ghz with the full claim's steady
# request (BENCH_PROFILE_C callers, BENCH_PROFILE_N calls), SIGTERM, then the top self-time functions.
# Usage: bash bench/profile.sh [claim]        (default full; run `npm run build` first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
claim="${1:-full}"
OUT="${BENCH_OUT:-$(mktemp -d /tmp/function-postgresql-profile.XXXXXX)}"
mkdir -p "$OUT/prof"
source bench/tools.sh
source test/e2e/lib.sh # E2E_FUNCTION_NODE_FLAGS
bench_tools
node bench/requests.mjs "$OUT/requests" "$claim"
addr="127.0.0.1:${BENCH_PORT:-19491}"
node "$E2E_FUNCTION_NODE_FLAGS" --cpu-prof --cpu-prof-dir "$OUT/prof" dist/main.js --insecure --address "$addr" >"$OUT/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
node bench/client.mjs "$addr" "$OUT/requests/ours-$claim.json" --wait 10000 >/dev/null
"$BENCH_GHZ" --insecure --proto "$BENCH_PROTO_ROOT/fn/v1/run_function.proto" --import-paths "$BENCH_PROTO_ROOT" \
  --call apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction --disable-template-data --disable-template-functions \
  --cpus 1 -D "$OUT/requests/ours-$claim.json" -c "${BENCH_PROFILE_C:-16}" -n "${BENCH_PROFILE_N:-5000}" "$addr" >"$OUT/ghz.txt"
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
trap - EXIT
node bench/cpuprofile-top.mjs "$OUT"/prof/*.cpuprofile | tee "$OUT/top.txt"
echo "profile: $(ls "$OUT"/prof/*.cpuprofile)" >&2
