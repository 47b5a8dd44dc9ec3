#!/usr/bin/env bash
# The e2e matrix's second column: copies of the suites that apply a PostgreSQLInstance claim, rewritten to apply
# Crossplane 2's namespaced PostgreSQL XR instead (same spec, same namespace, same name), into OUT_DIR, each named
# <suite>-namespaced. run.sh hands OUT_DIR to kuttl beside the suites themselves: one source for both forms.
#
# usage: namespaced-suites.sh SUITES_DIR OUT_DIR SUITE...
# What is rewritten: the kind of every applied/asserted/errors object (`kind: PostgreSQLInstance`, also in printf'd
# manifests), and kubectl's resource names (`postgresqlinstance/x`, `get postgresqlinstance x`). Steps that read the
# claim's XR (spec.resourceRef, xpostgresqlinstance) have no namespaced counterpart: a suite with them is refused here.
set -euo pipefail
src="$1" out="$2"; shift 2
mkdir -p "$out"
for suite in "$@"; do
  [[ -d "$src/$suite" ]] || { echo "namespaced-suites: no suite $src/$suite" >&2; exit 1; }
  if grep -qE 'resourceRef|xpostgresqlinstance|crossplane\.io/claim-' "$src/$suite"/*.yaml; then
    echo "namespaced-suites: $suite reads the claim's XR; it can't run against a namespaced XR" >&2; exit 1
  fi
  dest="$out/$suite-namespaced"
  rm -rf "$dest"; mkdir -p "$dest"
  for f in "$src/$suite"/*; do
    sed -E \
      -e 's/kind: PostgreSQLInstance\b/kind: PostgreSQL/g' \
      -e 's#\bpostgresqlinstances?([/ ])#postgresqls.dbaas.dev\1#g' \
      "$f" >"$dest/$(basename "$f")"
  done
  # a rewrite that missed something would test the claim twice: nothing of the claim may be left
  if grep -qi 'postgresqlinstance' "$dest"/*; then
    echo "namespaced-suites: $suite: left unrewritten: $(grep -il 'postgresqlinstance' "$dest"/* | tr '\n' ' ')" >&2; exit 1
  fi
done
