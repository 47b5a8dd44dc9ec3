#!/usr/bin/env bash
# `crossplane composition render` (the Crossplane CLI, github.com/crossplane/cli/v2, built as `crossplane-cli`) over
# every example, with the function running as a separate process in Development mode (plain gRPC), compared with the
# golden files; then `crossplane resource validate` of each rendered output against the schemas: Crossplane's own CRDs,
# the third-party CRDs it uses, and our XRD. (The file keeps its old name: up to Crossplane v2.2 the CLI was `crank`.)
#
# Without Docker: the CLI's render runs the Crossplane core's hidden `crossplane internal render` in a process of its
# own, so --crossplane-binary names the core binary of the e2e tool cache (a core >= v2.3; a v2.2 core answers
# "unexpected argument internal"), and the Function carries the Development runtime annotations (target: our port).
#
# Usage: bash test/render/crank.sh          (from anywhere; exit code = result)
#   RENDER_KEEP_WORKDIR=1  keep the temp dir (xr, rendered, normalised files, validate output) and print its path
#   RENDER_CRD_DIR=DIR     the third-party CRDs (default: ../shared/crds next to the checkout)
#
# Per example, two checks:
#   render-compare  composition render of the XR that claimToComposite makes of the claim (as the golden renders do), with
#                   test/fixtures/cluster.yaml as required resources, diffed with test/golden/<example>.first.yaml
#                   after test/render/normalise.mjs (what Crossplane adds is dropped; passwords, which the server
#                   generates at random while the golden files use a seeded source, become placeholders).
#                   Rendered twice: as is (whole XR compared), and with --xrd so the XRD's defaults are applied to the
#                   XR first, as the API server does (composed objects and XR status compared). Both must match.
#   validate        resource validate of the XR and composed objects of the render with --xrd: with the XRD, the
#                   render lays out the XR as the cluster does (a claim's LegacyCluster XR keeps spec.resourceRefs;
#                   without it the CLI assumes a Crossplane 2 XR and writes spec.crossplane.resourceRefs, which the
#                   v1 XRD's schema rightly refuses).
#
# Core Kubernetes kinds (v1 Secret, v1 ConfigMap, networking.k8s.io/v1 NetworkPolicy) have no CRD. crank (up to
# v2.2) printed "[!] could not find CRD/XRD for" them; the CLI v2.5 decodes them strictly into client-go's types
# (unknown fields and wrong types fail; no API-server semantics). So every kind has a schema now, and any "missing
# schema" fails this script.
#
# Crossplane's own CRDs: validate wants them from the image xpkg.crossplane.io/crossplane/crossplane:<version>
# and looks in its cache first (<cache-dir>/<image with ':' as '@'>/package.yaml). There is no registry here, so the
# cache (in the temp dir) is pre-filled with the Crossplane core module's cluster/crds concatenated, the version of the
# core we test against (E2E_CROSSPLANE_VERSION), and --crossplane-image names that version explicitly.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
START=$SECONDS

CRD_DIR="${RENDER_CRD_DIR:-$REPO/../shared/crds}"
# Per example, by its kind: a PostgreSQLInstance claim's XR, or a namespaced PostgreSQL (Crossplane 2)
COMPOSITION=""
XRD=""
CLUSTER=test/fixtures/cluster.yaml

log() { printf '[render] %s\n' "$*" >&2; }

# --- tools: the CLI and the core from the e2e tool cache (built there if missing) -----------------------------------
# shellcheck source=SCRIPTDIR/../e2e/tools.sh
E2E_TOOLS_ONLY="crossplane crossplane-cli" source "$REPO/test/e2e/tools.sh"
E2E_TOOLS_ONLY="crossplane crossplane-cli" e2e_tools
XP_CLI="$E2E_BIN_CROSSPLANE_CLI/crossplane-cli"
XP_CORE="$E2E_BIN_CROSSPLANE/crossplane"
XP_VERSION="$E2E_CROSSPLANE_VERSION"
XP_CRDS="$E2E_CROSSPLANE_CRDS"
[[ -d "$XP_CRDS" ]] || { log "Crossplane's CRDs not found at $XP_CRDS"; exit 1; }
[[ -d "$CRD_DIR" ]] || { log "third-party CRDs not found at $CRD_DIR (set RENDER_CRD_DIR)"; exit 1; }

# --- build, unless dist/ is newer than every source ------------------------------------------------------------------
if [[ ! -f dist/main.js || ! -f dist/render.js ]] \
  || [[ -n "$(find src tsconfig.json tsconfig.build.json package-lock.json -newer dist/main.js -print -quit 2>/dev/null)" ]]; then
  log "building (npm run build) ..."
  npm run --silent build
fi

# --- temp dir, function process, cleanup -----------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/render-crank.XXXXXX")"
FN_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$FN_PID" ]] && kill -0 "$FN_PID" 2>/dev/null; then
    kill -TERM "$FN_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$FN_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$FN_PID" 2>/dev/null || true
    wait "$FN_PID" 2>/dev/null || true
  fi
  if [[ "${RENDER_KEEP_WORKDIR:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Port 0: the server binds a free port and logs it ("port":N in its "listening" line), so there is no race.
node dist/main.js --insecure --address 127.0.0.1:0 >"$WORK/function.log" 2>&1 &
FN_PID=$!
PORT=""
for _ in $(seq 100); do
  PORT="$(sed -n 's/.*"port":\([0-9][0-9]*\).*"msg":"listening".*/\1/p' "$WORK/function.log" | head -n1)"
  [[ -n "$PORT" ]] && break
  kill -0 "$FN_PID" 2>/dev/null || { log "the function exited:"; cat "$WORK/function.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$PORT" ]] || { log "the function did not report its port within 10 s:"; cat "$WORK/function.log" >&2; exit 1; }
log "function-postgresql (pid $FN_PID) listening on 127.0.0.1:$PORT (insecure)"

cat >"$WORK/functions.yaml" <<EOF
apiVersion: pkg.crossplane.io/v1
kind: Function
metadata:
  name: function-postgresql
  annotations:
    render.crossplane.io/runtime: Development
    render.crossplane.io/runtime-development-target: 127.0.0.1:$PORT
spec:
  package: xpkg.crossplane.io/dbaas/function-postgresql:v0.0.0-render
EOF

# validate's cache, pre-filled with Crossplane's own CRDs of the core's version
XP_IMAGE="xpkg.crossplane.io/crossplane/crossplane:$XP_VERSION"
mkdir -p "$WORK/validate-cache/xpkg.crossplane.io/crossplane/crossplane@$XP_VERSION"
for f in "$XP_CRDS"/*.yaml; do cat "$f"; printf '\n---\n'; done \
  >"$WORK/validate-cache/xpkg.crossplane.io/crossplane/crossplane@$XP_VERSION/package.yaml"

# --- render and compare -----------------------------------------------------------------------------------------------
PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); printf 'PASS  %-16s %s\n' "$1" "$2"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL  %-16s %s\n' "$1" "$2"; }

EXAMPLES=()
for f in examples/*.yaml; do EXAMPLES+=("$(basename "$f" .yaml)"); done
RENDERED_OK=()

# render_compare NAME DIR NORMALISE_OPTION [RENDER_FLAGS...]: composition render into DIR, normalise, diff with the golden
# file. Sets WHY (and prints nothing) on failure.
render_compare() {
  local name="$1" dir="$2" option="$3"; shift 3
  mkdir -p "$dir"
  local t0; t0=$(date +%s%N)
  if ! "$XP_CLI" composition render "$WORK/$name/xr.yaml" "$COMPOSITION" "$WORK/functions.yaml" \
      --crossplane-binary "$XP_CORE" \
      --include-function-results --include-full-xr --required-resources "$CLUSTER" --timeout 30s "$@" \
      >"$dir/rendered.yaml" 2>"$dir/render.err"; then
    WHY="composition render${*:+ $*} failed: $(cat "$dir/render.err")"; return 1
  fi
  RENDER_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  # shellcheck disable=SC2086 # $option is empty or one flag
  if ! node test/render/normalise.mjs "test/golden/$name.first.yaml" "$dir/rendered.yaml" "$dir" $option 2>"$dir/normalise.err"; then
    WHY="cannot normalise: $(cat "$dir/normalise.err")"; return 1
  fi
  if ! diff -u --label "golden (test/golden/$name.first.yaml, normalised)" --label "crossplane render${*:+ $*} (normalised)" \
      "$dir/expected.yaml" "$dir/actual.yaml" >"$dir/diff.txt"; then
    WHY="crossplane render${*:+ $*} differs from the golden file:"$'\n'"$(cat "$dir/diff.txt")"; return 1
  fi
}

# Per example, two renders, both must match:
#  1. the XR exactly as claimToComposite makes it (the golden files' input): whole XR and composed objects compared;
#  2. with --xrd, so the render first applies the XRD's defaults to the XR, as the API server does in a cluster: the
#     composed objects and the XR's status must still be the golden ones (the XR's spec now differs, by the defaults).
for name in "${EXAMPLES[@]}"; do
  mkdir -p "$WORK/$name"
  if grep -q '^kind: PostgreSQL$' "examples/$name.yaml"; then
    COMPOSITION=compositions/postgresqls.dbaas.dev.yaml XRD=xrds/postgresqls.dbaas.dev.yaml
  else
    COMPOSITION=compositions/xpostgresqlinstances.dbaas.dev.yaml XRD=xrds/xpostgresqlinstances.dbaas.dev.yaml
  fi
  node test/render/xr.mjs "examples/$name.yaml" >"$WORK/$name/xr.yaml"
  WHY=""
  if render_compare "$name" "$WORK/$name" "" && ms1=$RENDER_MS \
    && render_compare "$name" "$WORK/$name/with-xrd" --without-xr-spec --xrd "$XRD"; then
    pass "$name" "render-compare ($(grep -c '^---$' "$WORK/$name/actual.yaml") documents; composition render ${ms1} ms, with --xrd ${RENDER_MS} ms)"
  else
    fail "$name" "render-compare: ${WHY%%$'\n'*}"
    if [[ "$WHY" == *$'\n'* ]]; then printf '%s\n' "${WHY#*$'\n'}" | sed 's/^/      /'; fi
  fi
  # validate the render with --xrd (see the header); crds.mjs names its results by the example's directory
  if [[ -f "$WORK/$name/with-xrd/validate.yaml" ]]; then
    cp "$WORK/$name/with-xrd/validate.yaml" "$WORK/$name/validate.yaml"
    RENDERED_OK+=("$name")
  else
    rm -f "$WORK/$name/validate.yaml"
  fi
done

# --- validate ---------------------------------------------------------------------------------------------------------
declare -A CRDS_FOR=()
if ((${#RENDERED_OK[@]} > 0)); then
  files=(); for name in "${RENDERED_OK[@]}"; do files+=("$WORK/$name/validate.yaml"); done
  while IFS=$'\t' read -r file crds _uncovered; do
    CRDS_FOR[$(basename "$(dirname "$file")")]="$crds"
  done < <(node test/render/crds.mjs "$CRD_DIR" "${files[@]}")
fi

for name in "${EXAMPLES[@]}"; do
  dir="$WORK/$name"
  if [[ ! -f "$dir/validate.yaml" ]]; then fail "$name" "validate: nothing rendered"; continue; fi
  extensions="$REPO/xrds${CRDS_FOR[$name]:+,${CRDS_FOR[$name]}}"
  set +e
  "$XP_CLI" resource validate "$extensions" "$dir/validate.yaml" \
    --cache-dir "$WORK/validate-cache" --crossplane-image "$XP_IMAGE" >"$dir/validate.out" 2>&1
  rc=$?
  set -e
  problems=()
  ((rc == 0)) || problems+=("resource validate exited $rc")
  while IFS= read -r line; do
    case "$line" in
      '[✓]'*) ;;
      '[!] could not find CRD/XRD for: '*) problems+=("no schema for ${line#'[!] could not find CRD/XRD for: '}") ;;
      'Total '*)
        [[ "$line" =~ :\ 0\ missing\ schemas,\ [0-9]+\ success\ cases,\ 0\ failure\ cases$ ]] || problems+=("$line") ;;
      '') ;;
      *) problems+=("$line") ;;
    esac
  done <"$dir/validate.out"
  grep -q '^Total ' "$dir/validate.out" || problems+=("no summary line from resource validate")
  summary="$(sed -n 's/^Total //p' "$dir/validate.out")"
  if ((${#problems[@]} == 0)); then
    pass "$name" "validate ($summary)"
  else
    fail "$name" "validate:"
    printf '      %s\n' "${problems[@]}"
    sed 's/^/      | /' "$dir/validate.out"
  fi
done

echo "took $((SECONDS - START)) s (CLI $E2E_CROSSPLANE_CLI_VERSION, core $XP_VERSION, function on 127.0.0.1:$PORT)"
echo "render: $PASSED passed, $FAILED failed"
((FAILED == 0))
