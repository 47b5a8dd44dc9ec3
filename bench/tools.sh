#!/usr/bin/env bash
# Builds (once) the benchmark's Go tools into the same per-version cache as test/e2e/tools.sh:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql/tools/<name>-<version>/bin/
#   ghz                            github.com/bojand/ghz/cmd/ghz (scratch module, from the Go module proxy)
#   function-patch-and-transform   github.com/crossplane-contrib/function-patch-and-transform (main package at the root)
#   function-go-templating         github.com/crossplane-contrib/function-go-templating       (main package at the root)
# The Go module proxy reachable here answers 403 for function-patch-and-transform v0.10.8 and for every
# function-go-templating version, so the two functions are built from their tagged source: from the module
# proxy when it serves the version, else from a git checkout of the tag (BENCH_<NAME>_GIT, default the public
# GitHub repository; a local mirror path works too). Their dependencies come from the module proxy.
# Usage: source bench/tools.sh   (exports BENCH_GHZ, BENCH_PAT, BENCH_GOTMPL)
set -euo pipefail
_bench_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../test/e2e/tools.sh
source "$_bench_here/../test/e2e/tools.sh"

BENCH_GHZ_VERSION="${BENCH_GHZ_VERSION:-v0.121.0}"
BENCH_PAT_VERSION="${BENCH_PAT_VERSION:-v0.10.8}"
BENCH_GOTMPL_VERSION="${BENCH_GOTMPL_VERSION:-v0.12.2}"
BENCH_PAT_GIT="${BENCH_PAT_GIT:-https://github.com/crossplane-contrib/function-patch-and-transform}"
BENCH_GOTMPL_GIT="${BENCH_GOTMPL_GIT:-https://github.com/crossplane-contrib/function-go-templating}"

# _bench_build_tag NAME MODULE VERSION GIT BINARY: the module's root main package, as BINARY
_bench_build_tag() {
  local name="$1" module="$2" version="$3" git="$4" bin="$5"
  local src="$E2E_TOOLS_DIR/src/$name-$version"
  rm -rf "$src"; mkdir -p "$src"
  local dir
  dir="$(go mod download -json "$module@$version" 2>/dev/null | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' || true)"
  if [[ -n "$dir" && -d "$dir" ]]; then
    echo "source: module proxy ($dir)"
    cp -r "$dir/." "$src/"; chmod -R u+w "$src"
  elif [[ -d "$git" ]]; then
    echo "source: git archive $version of $git"
    git -C "$git" archive "$version" | tar -x -C "$src"
  else
    echo "source: git clone --branch $version $git"
    git clone -q --depth 1 --branch "$version" "$git" "$src"
  fi
  cd "$src"
  go mod download
  go build -ldflags "-s -w" -o "$OUT/$bin" .
}

bench_tools() {
  mkdir -p "$E2E_TOOLS_DIR"
  _e2e_build ghz "$BENCH_GHZ_VERSION" ghz -- \
    _build_sub _build_scratch ghz github.com/bojand/ghz "$BENCH_GHZ_VERSION" "" github.com/bojand/ghz/cmd/ghz
  _e2e_build function-patch-and-transform "$BENCH_PAT_VERSION" function-patch-and-transform -- \
    _build_sub _bench_build_tag function-patch-and-transform github.com/crossplane-contrib/function-patch-and-transform \
      "$BENCH_PAT_VERSION" "$BENCH_PAT_GIT" function-patch-and-transform
  _e2e_build function-go-templating "$BENCH_GOTMPL_VERSION" function-go-templating -- \
    _build_sub _bench_build_tag function-go-templating github.com/crossplane-contrib/function-go-templating \
      "$BENCH_GOTMPL_VERSION" "$BENCH_GOTMPL_GIT" function-go-templating
  export BENCH_GHZ="$E2E_TOOLS_DIR/ghz-$BENCH_GHZ_VERSION/bin/ghz"
  export BENCH_PAT="$E2E_TOOLS_DIR/function-patch-and-transform-$BENCH_PAT_VERSION/bin/function-patch-and-transform"
  export BENCH_GOTMPL="$E2E_TOOLS_DIR/function-go-templating-$BENCH_GOTMPL_VERSION/bin/function-go-templating"
  # Crossplane's RunFunction proto (the module test/e2e/tools.sh pins)
  export BENCH_PROTO_ROOT
  BENCH_PROTO_ROOT="$(go mod download -json "github.com/crossplane/crossplane/v2@$E2E_CROSSPLANE_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/proto"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  bench_tools
  printf '%s\n' "$BENCH_GHZ" "$BENCH_PAT" "$BENCH_GOTMPL" "$BENCH_PROTO_ROOT"
fi
