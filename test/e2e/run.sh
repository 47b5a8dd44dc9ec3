#!/usr/bin/env bash
# Single entry point of the end-to-end tests:
#   tools (built once, cached) -> npm build of the function -> control plane
#   -> install the function -> kuttl (test/e2e/kuttl-test.yaml) -> claim timings -> teardown.
# Exits non-zero on any failure. Prints the figures at the end.
#
# Environment (all optional):
#   E2E_FUNCTION_CMD    how to start the function (default: node dist/main.js); when set,
#                       the npm build is skipped.
#   E2E_SKIP_NPM_BUILD=1  do not run `npm ci`/`npm run build` (dist/ must exist)
#   E2E_EXTRA_MANIFESTS file or dir applied after the function is installed (e.g. test XRDs)
#   E2E_CLAIMS          space-separated claim/XR files to time (default test/e2e/claims/*.yaml)
#   E2E_KUTTL_ARGS      extra args for `kubectl-kuttl test` (e.g. "--test 00-smoke")
#   E2E_NAMESPACED_SUITES  suites run again with the namespaced PostgreSQL XR, as <suite>-namespaced
#                       (default "01-compose 07-users"; "" for none)
#   E2E_NODE=1|0        a real node, the function as a pod (default 1); 0: no node, the function as a process
#   E2E_BASE_SUITES=0   leave out test/e2e/suites (run only the node, netpol and CloudNativePG suites)
#   E2E_ONLY="42-otc-rds 41-aws-rds"  run only these suites, one after another in this order (from any suites dir;
#                       kuttl's own --test takes one name, and a full run's order is kuttl's, not alphabetical)
#   E2E_NODE_NETPOL=1|0 with the node, kube-router enforces NetworkPolicy and suites-netpol runs (default: E2E_NODE)
#   E2E_SCALINGO=1|0    the SIMULATED Scalingo API (a process) and provider-scalingo (with the node a pod from its
#                       Provider package, else a process), for suites/43-scalingo (default 1; 0: only
#                       provider-scalingo's CRDs are applied and 43-scalingo fails)
#   E2E_NODE_CNPG=1     also build CloudNativePG's operator (tools.sh cnpg, its image) and start it as a pod
#   E2E_NETNS, E2E_KEEP_WORKDIR, E2E_ARTIFACTS: see control-plane.sh
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$E2E_DIR/lib.sh"

if [[ "${1:-}" != "--inside" ]]; then
  run_start=$(e2e_now)
  # a real node and the function as a pod unless told otherwise (control-plane.sh, test/e2e/README.md)
  export E2E_NODE="${E2E_NODE:-1}"
  export E2E_NODE_NETPOL="${E2E_NODE_NETPOL:-$E2E_NODE}"
  # CloudNativePG's real operator on the node and its suites (suites-cnpg/30-cnpg-ha): on by default with the node
  export E2E_CNPG="${E2E_CNPG:-$E2E_NODE}"
  [[ "$E2E_NODE" == "1" ]] || E2E_CNPG=0
  export E2E_NODE_CNPG="$E2E_CNPG"   # tools.sh builds the manager, images.sh makes its image
  # its backups: the Barman Cloud Plugin and an S3 server (versitygw); suites-cnpg-backup/31-cnpg-backup (on with CNPG)
  export E2E_CNPG_BACKUP="${E2E_CNPG_BACKUP:-$E2E_CNPG}"
  [[ "$E2E_CNPG" == "1" ]] || E2E_CNPG_BACKUP=0
  # shellcheck source=tools.sh
  source "$E2E_DIR/tools.sh"
  e2e_tools
  export E2E_TOOLS_READY=1
  if [[ -z "${E2E_FUNCTION_CMD:-}" && "${E2E_SKIP_NPM_BUILD:-0}" != "1" ]]; then
    [[ -f "$E2E_REPO/package.json" ]] || e2e_die "no $E2E_REPO/package.json: set E2E_FUNCTION_CMD to test another function server"
    (
      cd "$E2E_REPO"
      [[ -d node_modules ]] || npm ci --no-audit --no-fund
      npm run build
    ) >&2
  fi
  # provider-scalingo and its fake (provider-scalingo/tsconfig.e2e.json: src/ and fake/, no tests): a few seconds
  export E2E_SCALINGO="${E2E_SCALINGO:-1}"
  if [[ "$E2E_SCALINGO" == "1" && "${E2E_SKIP_NPM_BUILD:-0}" != "1" && -f "$E2E_REPO/provider-scalingo/tsconfig.e2e.json" ]]; then
    (cd "$E2E_REPO" && npx tsc -p provider-scalingo/tsconfig.e2e.json) >&2 || e2e_die "building provider-scalingo failed"
  fi
  if [[ -z "${E2E_FUNCTION_CMD:-}" && ! -f "$E2E_REPO/dist/main.js" ]]; then
    e2e_die "$E2E_REPO/dist/main.js missing (npm run build)"
  fi
  export E2E_RUN_START="$run_start"
  # The tally of kuttl's tests comes back through a file and is printed last, after the teardown's own lines:
  # `e2e: N passed, N failed` is the closing line CI reads.
  E2E_SUMMARY_FILE="$(mktemp)"; export E2E_SUMMARY_FILE
  rc=0
  "$E2E_DIR/control-plane.sh" -- "$E2E_DIR/run.sh" --inside || rc=$?
  [[ -s "$E2E_SUMMARY_FILE" ]] && cat "$E2E_SUMMARY_FILE"
  rm -f "$E2E_SUMMARY_FILE"
  exit "$rc"
fi

# ---- inside the control plane ----------------------------------------------------
figures=()
"$E2E_DIR/install-function.sh"
# shellcheck disable=SC1091
source "$E2E_WORKDIR/function.env"
if [[ "${E2E_CNPG:-0}" == "1" ]]; then
  "$E2E_DIR/node/cnpg-operator.sh"
  [[ -f "$E2E_WORKDIR/cnpg-operator-seconds" ]] && figures+=("CloudNativePG operator pod Ready: $(cat "$E2E_WORKDIR/cnpg-operator-seconds")s")
  if [[ "${E2E_CNPG_BACKUP:-0}" == "1" ]]; then "$E2E_DIR/node/barman-plugin.sh"; fi
fi


if [[ -n "${E2E_EXTRA_MANIFESTS:-}" ]]; then
  kubectl apply -f "$E2E_EXTRA_MANIFESTS" >/dev/null
  kubectl wait --for condition=Established --timeout 120s compositeresourcedefinitions --all >/dev/null
  e2e_log "applied $E2E_EXTRA_MANIFESTS"
fi

# kuttl always writes ./kubeconfig into its working directory: run it from the temp dir,
# with the suites dir given as an absolute path (overrides testDirs of the TestSuite).
# Steps call "$E2E_DIR/sql.sh" (kuttl passes its environment on to commands).
export E2E_DIR
mkdir -p "$E2E_WORKDIR/kuttl"
cd "$E2E_WORKDIR/kuttl"
kuttl_start=$(e2e_now)
kuttl_rc=0
# (pipefail is on: the pipeline's status is kuttl's when kuttl fails; PIPESTATUS would be that of `|| …`)
# shellcheck disable=SC2086
# E2E_BASE_SUITES=0 leaves out test/e2e/suites, to run only the node's and CloudNativePG's suites
suites=()
[[ "${E2E_BASE_SUITES:-1}" == "1" ]] && suites+=("$E2E_DIR/suites")
# the node's own suite (pods, logs, Services, DNS, readiness, volumes, PostgreSQL in a pod) needs the node
[[ "${E2E_NODE:-0}" == "1" ]] && suites+=("$E2E_DIR/suites-node")
# the function's composed NetworkPolicy enforced (kube-router on the node, E2E_NODE_NETPOL=1)
[[ "${E2E_NODE:-0}" == "1" && "${E2E_NODE_NETPOL:-0}" == "1" ]] && suites+=("$E2E_DIR/suites-netpol")
# CloudNativePG's suites only where its operator runs (E2E_CNPG=1), its backups only with the plugin and S3 server
[[ "${E2E_CNPG:-0}" == "1" ]] && suites+=("$E2E_DIR/suites-cnpg")
[[ "${E2E_CNPG_BACKUP:-0}" == "1" ]] && suites+=("$E2E_DIR/suites-cnpg-backup")
# The matrix's second column: suites that apply a claim, run again with the namespaced PostgreSQL XR (copies
# rewritten into the temp dir, <suite>-namespaced). Only those that exercise what differs between the forms, to keep
# the run short: 01-compose (every composed object, the status, the connection Secret's keys without an XR connection
# secret) and 07-users (users added and dropped: the namespace's Roles read as required resources, Secrets kept until
# their Role is gone, deletion of the XR itself). E2E_NAMESPACED_SUITES="" turns it off.
namespaced_suites="${E2E_NAMESPACED_SUITES-01-compose 07-users}"
if [[ -n "$namespaced_suites" ]]; then
  # shellcheck disable=SC2086 # a list of suite names
  "$E2E_DIR/namespaced-suites.sh" "$E2E_DIR/suites" "$E2E_WORKDIR/suites-namespaced" $namespaced_suites
  suites+=("$E2E_WORKDIR/suites-namespaced")
fi
if [[ -n "${E2E_ONLY:-}" ]]; then
  # one kuttl run per suite, so the order is the one given (a suite that leaves state behind shows up here)
  only=()
  for name in $E2E_ONLY; do
    found=""
    for dir in "${suites[@]}"; do [[ -d "$dir/$name" ]] && found="$dir/$name"; done
    [[ -n "$found" ]] || e2e_die "E2E_ONLY: no suite $name in ${suites[*]}"
    # a copy: kuttl does not follow a symlinked test dir
    mkdir -p "$E2E_WORKDIR/only-$name" && cp -r "$found" "$E2E_WORKDIR/only-$name/"
    only+=("$E2E_WORKDIR/only-$name")
  done
  : >"$E2E_WORKDIR/kuttl.log"
  for dir in "${only[@]}"; do
    kubectl-kuttl test --config "$E2E_DIR/kuttl-test.yaml" ${E2E_KUTTL_ARGS:-} "$dir" 2>&1 | tee -a "$E2E_WORKDIR/kuttl.log" || kuttl_rc=$?
  done
elif [[ "${E2E_LANES:-1}" == "1" ]]; then
  # Two lanes at once, then the rest alone. The node's and CloudNativePG's suites spend CPU on real databases; the
  # others mostly wait on Crossplane's reconciles of simulated operators; side by side the run takes about as long as
  # the longer lane instead of both. Suites that change what others read run alone afterwards: the Composition's
  # backup input (31, 35 switch it to the S3 bucket) and the platform's ClusterImageCatalog (12 replaces it).
  # E2E_LANES=0 runs everything in one kuttl run, one suite after the other.
  solo=" 12-maintenance-clock 31-cnpg-backup 35-cnpg-upgrade-backup-first "
  for lane in real simulated solo; do mkdir -p "$E2E_WORKDIR/lane-$lane/tests" "$E2E_WORKDIR/lane-$lane/run"; done
  for dir in "${suites[@]}"; do
    case "$(basename "$dir")" in suites-node | suites-netpol | suites-cnpg | suites-cnpg-backup) lane=real ;; *) lane=simulated ;; esac
    for test in "$dir"/*/; do
      name="$(basename "$test")"
      # a copy: kuttl does not follow a symlinked test dir
      if [[ "$solo" == *" $name "* ]]; then cp -r "$test" "$E2E_WORKDIR/lane-solo/tests/"; else cp -r "$test" "$E2E_WORKDIR/lane-$lane/tests/"; fi
    done
  done
  run_lane() { # LANE: one kuttl run over the lane's suites, from a directory of its own (kuttl writes ./kubeconfig)
    [[ -n "$(ls -A "$E2E_WORKDIR/lane-$1/tests")" ]] || { : >"$E2E_WORKDIR/lane-$1.log"; return 0; }
    (cd "$E2E_WORKDIR/lane-$1/run" && kubectl-kuttl test --config "$E2E_DIR/kuttl-test.yaml" ${E2E_KUTTL_ARGS:-} "$E2E_WORKDIR/lane-$1/tests") \
      >"$E2E_WORKDIR/lane-$1.log" 2>&1
  }
  lane_start=$(e2e_now)
  run_lane real & real_pid=$!
  run_lane simulated & simulated_pid=$!
  wait "$simulated_pid" || kuttl_rc=$?
  e2e_log "lane simulated done after $(e2e_since "$lane_start")s ($(grep -c -- '--- PASS: kuttl/harness/' "$E2E_WORKDIR/lane-simulated.log" || true) passed)"
  wait "$real_pid" || kuttl_rc=$?
  e2e_log "lane real done after $(e2e_since "$lane_start")s ($(grep -c -- '--- PASS: kuttl/harness/' "$E2E_WORKDIR/lane-real.log" || true) passed)"
  cat "$E2E_WORKDIR/lane-real.log" "$E2E_WORKDIR/lane-simulated.log"
  run_lane solo || kuttl_rc=$?
  cat "$E2E_WORKDIR/lane-solo.log"
  cat "$E2E_WORKDIR"/lane-{real,simulated,solo}.log >"$E2E_WORKDIR/kuttl.log"
else
  kubectl-kuttl test --config "$E2E_DIR/kuttl-test.yaml" ${E2E_KUTTL_ARGS:-} "${suites[@]}" 2>&1 | tee "$E2E_WORKDIR/kuttl.log" || kuttl_rc=$?
fi
cd "$E2E_REPO"
kuttl_secs="$(e2e_since "$kuttl_start")"
passed="$(grep -c -- '--- PASS: kuttl/harness/' "$E2E_WORKDIR/kuttl.log" || true)"
failed="$(grep -c -- '--- FAIL: kuttl/harness/' "$E2E_WORKDIR/kuttl.log" || true)"
(( kuttl_rc == 0 || failed > 0 )) || failed=1
if [[ -n "${E2E_SUMMARY_FILE:-}" ]]; then
  echo "e2e: ${passed} passed, ${failed} failed" >"$E2E_SUMMARY_FILE"
  # CI keeps only the tail of the output: each failed suite's own lines (events left out) go last, so why it failed
  # is in that tail, with the Crossplane log lines about its namespace
  for suite in $(grep -o -- '--- FAIL: kuttl/harness/[^ ]*' "$E2E_WORKDIR/kuttl.log" | sed 's|.*/||'); do
    ns="$(grep -o "| $suite | Creating namespace \"[^\"]*\"" "$E2E_WORKDIR/kuttl.log" | tail -1 | sed 's/.*"\(.*\)"/\1/')"
    {
      echo "---- why $suite failed: its last steps (namespace ${ns:-?}) ----"
      grep -- "| $suite[ /]" "$E2E_WORKDIR/kuttl.log" | grep -Ev $'\t(Normal|Warning)\t' | cut -c1-400 | tail -n 30
      if [[ -n "$ns" ]]; then
        echo "---- Crossplane's log lines on $ns (last 15) ----"
        grep -h -- "$ns" "$E2E_WORKDIR"/logs/crossplane*.log 2>/dev/null | cut -c1-400 | tail -n 15
      fi
    } >>"$E2E_SUMMARY_FILE"
  done
fi

claims_rc=0
claims=()
if [[ -n "${E2E_ONLY:-}" ]]; then
  :   # a run of chosen suites times no claims
elif [[ -n "${E2E_CLAIMS:-}" ]]; then
  read -r -a claims <<<"$E2E_CLAIMS"
else
  shopt -s nullglob; claims=("$E2E_DIR"/claims/*.yaml); shopt -u nullglob
fi
export E2E_ON_COMPOSED="${E2E_ON_COMPOSED:-$E2E_DIR/simulate-operator.sh}"
for c in "${claims[@]}"; do
  line="$("$E2E_DIR/measure-claim.sh" "$c")" || claims_rc=1
  figures+=("$line")
done

if grep -q 'patched' "$E2E_WORKDIR/logs/endpoint-keeper.log" 2>/dev/null; then
  figures+=("endpoint keeper patches: $(grep -c patched "$E2E_WORKDIR/logs/endpoint-keeper.log")")
fi

echo
echo "==== e2e figures ===="
if [[ "${E2E_COLD_BUILD_SECONDS:-0}" -gt 0 ]]; then
  echo "cold tool build: ${E2E_COLD_BUILD_SECONDS}s"
else
  echo "tools: cached (cold build times recorded: $(for f in "${E2E_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql/tools}"/*/build-seconds; do printf '%s=%ss ' "$(basename "$(dirname "$f")")" "$(cat "$f")"; done))"
fi
echo "warm control-plane start (etcd -> Crossplane ready): $(cat "$E2E_WORKDIR/warm-start-seconds")s"
if [[ -f "$E2E_WORKDIR/postgresql-start-seconds" ]]; then
  echo "PostgreSQL start (initdb + server ready): $(cat "$E2E_WORKDIR/postgresql-start-seconds")s; provider-sql $E2E_PROVIDER_SQL_VERSION out of cluster"
fi
if [[ -f "$E2E_WORKDIR/node-ready-seconds" ]]; then
  echo "node Ready (warm): $(cat "$E2E_WORKDIR/node-ready-seconds")s after kubelet started; function as a pod ($E2E_PACKAGE_RUNTIME runtime)"
fi
echo "kuttl: ${kuttl_secs}s (exit $kuttl_rc)"
[[ -d "$E2E_WORKDIR/scalingo-figures" ]] && cat "$E2E_WORKDIR"/scalingo-figures/*
if [[ -f "$E2E_WORKDIR/cnpg-operator-seconds" ]]; then
  echo "CloudNativePG operator pod Ready: $(cat "$E2E_WORKDIR/cnpg-operator-seconds")s after its CRDs are applied"
fi
[[ -f "$E2E_WORKDIR/cnpg-figures" ]] && cat "$E2E_WORKDIR/cnpg-figures"
for f in "${figures[@]}"; do echo "$f"; done
echo "total so far: $(e2e_since "$E2E_RUN_START")s"
echo "====================="

(( kuttl_rc == 0 )) || e2e_die "kuttl failed (exit $kuttl_rc)"
(( claims_rc == 0 )) || e2e_die "a claim did not compose or become Ready in time"
