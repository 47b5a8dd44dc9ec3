#!/usr/bin/env bash
# Builds (once) every tool the e2e harness needs, from Go modules, into a
# per-version cache outside the checkout:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql/tools/<name>-<version>/bin/
# A second run finds the binaries and returns at once.
#
# Usage: test/e2e/tools.sh            build what is missing, print the bin dirs
#        source test/e2e/tools.sh     same, and export E2E_BIN_* / PATH for the caller
#
# Versions (confirmed with `go list -m -versions` / `go list -m -json MOD@VER`):
#   see the E2E_*_VERSION defaults below; every one can be overridden from the environment.
set -euo pipefail

E2E_ETCD_VERSION="${E2E_ETCD_VERSION:-v3.6.16}"
E2E_K8S_VERSION="${E2E_K8S_VERSION:-v1.35.4}"
# v2.2.2..v2.2.4 are refused (403) by the Go module proxy reachable here; v2.2.1 is
# the newest v2.2 that downloads (v2.3 moved the CLI out and adds a replace directive).
E2E_CROSSPLANE_VERSION="${E2E_CROSSPLANE_VERSION:-v2.2.1}"
E2E_KUTTL_VERSION="${E2E_KUTTL_VERSION:-v0.26.0}"
E2E_CRANE_VERSION="${E2E_CRANE_VERSION:-v0.21.9}"
# provider-sql needs go >= 1.26.1 (its go.mod); GOTOOLCHAIN=auto fetches one if the local Go is older.
E2E_PROVIDER_SQL_VERSION="${E2E_PROVIDER_SQL_VERSION:-v0.16.0}"

E2E_TOOLS_DIR="${E2E_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql/tools}"
export GOFLAGS="${GOFLAGS:-} -trimpath -buildvcs=false"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export CGO_ENABLED=0

_e2e_log() { printf '[tools] %s\n' "$*" >&2; }

# _e2e_build NAME VERSION BINARIES... -- COMMAND...
# Runs COMMAND (with $OUT set to the target bin dir) unless every BINARY exists.
_e2e_build() {
  local name="$1" version="$2"; shift 2
  local bins=()
  while [[ "$1" != "--" ]]; do bins+=("$1"); shift; done
  shift
  local dir="$E2E_TOOLS_DIR/$name-$version"
  local missing=0 b
  for b in "${bins[@]}"; do [[ -x "$dir/bin/$b" ]] || missing=1; done
  if [[ $missing == 0 ]]; then
    return 0
  fi
  mkdir -p "$dir"
  rm -rf "$dir/bin.tmp"; mkdir -p "$dir/bin.tmp"
  _e2e_log "building $name $version (cold) ..."
  local start=$SECONDS
  if ! OUT="$dir/bin.tmp" "$@" >"$dir/build.log" 2>&1; then
    _e2e_log "FAILED to build $name $version; last lines of $dir/build.log:"
    tail -n 40 "$dir/build.log" >&2
    return 1
  fi
  for b in "${bins[@]}"; do
    if [[ ! -x "$dir/bin.tmp/$b" ]]; then
      _e2e_log "FAILED: build of $name $version did not produce $b (see $dir/build.log)"
      return 1
    fi
  done
  rm -rf "${dir:?}/bin"; mv "$dir/bin.tmp" "$dir/bin"
  local took=$((SECONDS - start))
  echo "$took" >"$dir/build-seconds"
  _e2e_log "built $name $version in ${took}s"
  E2E_COLD_BUILD_SECONDS=$(( ${E2E_COLD_BUILD_SECONDS:-0} + took ))
}

# --- builders (each runs with $OUT = destination dir) -------------------------

# _build_scratch NAME MODULE VERSION LDFLAGS PACKAGE...
# Builds PACKAGEs of MODULE@VERSION inside a throwaway module that requires it.
# (`go install MOD@VER` is not used: it asks the proxy for MOD's version list to
# check deprecations, and the proxy reachable here answers 403 for several
# modules, e.g. kuttl and crossplane.)
_build_scratch() {
  local name="$1" module="$2" version="$3" ldflags="$4"; shift 4
  local src="$E2E_TOOLS_DIR/src/$name-$version"
  rm -rf "$src"; mkdir -p "$src"; cd "$src"
  local gomod gover
  gomod="$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "$gomod" ]] || { echo "cannot download $module@$version"; return 1; }
  gover="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomod")"
  printf 'module e2e.local/%s\n\ngo %s\n\nrequire %s %s\n' "$name" "${gover:-1.24}" "$module" "$version" >go.mod
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    local p; for p in "$@"; do printf '\t_ "%s"\n' "$p"; done
    printf ')\n'
  } >tools.go
  go mod tidy
  go build -ldflags "-s -w $ldflags" -o "$OUT/" "$@"
}

_build_etcd() {
  local src="$E2E_TOOLS_DIR/src/etcd-$E2E_ETCD_VERSION"
  rm -rf "$src"; mkdir -p "$src"; cd "$src"
  cat >go.mod <<EOF
module e2e.local/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 $E2E_ETCD_VERSION
EOF
  cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
EOF
  go mod tidy
  go build -ldflags "-s -w" -o "$OUT/etcd" go.etcd.io/etcd/server/v3
}

_build_kubernetes() {
  local v="$E2E_K8S_VERSION" sv="v0.${E2E_K8S_VERSION#v1.}"
  local src="$E2E_TOOLS_DIR/src/kubernetes-$v"
  rm -rf "$src"; mkdir -p "$src"; cd "$src"
  local upstream_mod
  upstream_mod="$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  [[ -f "$upstream_mod" ]] || { echo "cannot download k8s.io/kubernetes@$v go.mod"; return 1; }
  local gover
  gover="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$upstream_mod")"
  {
    echo "module e2e.local/kubernetes"
    echo
    echo "go ${gover}"
    echo
    echo "require k8s.io/kubernetes $v"
    echo
    echo "replace ("
    # every `k8s.io/X => ./staging/src/k8s.io/X` becomes `k8s.io/X => k8s.io/X v0.NN.P`
    sed -n "s#^[[:space:]]*\(k8s.io/[a-z0-9.-]*\) => ./staging/src/k8s.io/[a-z0-9.-]*\$#\t\1 => \1 $sv#p" "$upstream_mod"
    echo ")"
  } >go.mod
  cat >tools.go <<'EOF'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
EOF
  # Pin the module graph to exactly what upstream uses (its go.sum pins the rest).
  go mod tidy
  local major="${v#v}"; major="${major%%.*}"
  local minor="${v#v*.}"; minor="${minor%%.*}"
  local ld="-s -w"
  local p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  go build -tags providerless -ldflags "$ld" -o "$OUT/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl
}

_build_crossplane() {
  local v="$E2E_CROSSPLANE_VERSION"
  _build_scratch crossplane github.com/crossplane/crossplane/v2 "$v" \
    "-X github.com/crossplane/crossplane/v2/internal/version.version=$v" \
    github.com/crossplane/crossplane/v2/cmd/crossplane \
    github.com/crossplane/crossplane/v2/cmd/crank
}

# --- main ---------------------------------------------------------------------

e2e_tools() {
  E2E_COLD_BUILD_SECONDS=0
  mkdir -p "$E2E_TOOLS_DIR"
  local only="${E2E_TOOLS_ONLY:-crane kuttl crossplane etcd kubernetes provider-sql}" t
  for t in $only; do
    case "$t" in
      crane) _e2e_build crane "$E2E_CRANE_VERSION" crane -- \
               _build_sub _build_scratch crane github.com/google/go-containerregistry "$E2E_CRANE_VERSION" "" \
                 github.com/google/go-containerregistry/cmd/crane ;;
      kuttl) _e2e_build kuttl "$E2E_KUTTL_VERSION" kubectl-kuttl -- \
               _build_sub _build_scratch kuttl github.com/kudobuilder/kuttl "$E2E_KUTTL_VERSION" "" \
                 github.com/kudobuilder/kuttl/cmd/kubectl-kuttl ;;
      crossplane) _e2e_build crossplane "$E2E_CROSSPLANE_VERSION" crossplane crank -- _build_sub _build_crossplane ;;
      etcd) _e2e_build etcd "$E2E_ETCD_VERSION" etcd -- _build_sub _build_etcd ;;
      provider-sql) _e2e_build provider-sql "$E2E_PROVIDER_SQL_VERSION" provider -- \
               _build_sub _build_scratch provider-sql github.com/crossplane-contrib/provider-sql "$E2E_PROVIDER_SQL_VERSION" "" \
                 github.com/crossplane-contrib/provider-sql/cmd/provider ;;
      kubernetes) _e2e_build kubernetes "$E2E_K8S_VERSION" kube-apiserver kube-controller-manager kubectl -- _build_sub _build_kubernetes ;;
      *) _e2e_log "unknown tool $t"; return 1 ;;
    esac
  done
  export E2E_BIN_ETCD="$E2E_TOOLS_DIR/etcd-$E2E_ETCD_VERSION/bin"
  export E2E_BIN_K8S="$E2E_TOOLS_DIR/kubernetes-$E2E_K8S_VERSION/bin"
  export E2E_BIN_CROSSPLANE="$E2E_TOOLS_DIR/crossplane-$E2E_CROSSPLANE_VERSION/bin"
  export E2E_BIN_KUTTL="$E2E_TOOLS_DIR/kuttl-$E2E_KUTTL_VERSION/bin"
  export E2E_BIN_CRANE="$E2E_TOOLS_DIR/crane-$E2E_CRANE_VERSION/bin"
  # not on PATH: its binary is called `provider`
  export E2E_PROVIDER_SQL_BIN="$E2E_TOOLS_DIR/provider-sql-$E2E_PROVIDER_SQL_VERSION/bin/provider"
  export E2E_CROSSPLANE_CRDS
  E2E_CROSSPLANE_CRDS="$(go mod download -json "github.com/crossplane/crossplane/v2@$E2E_CROSSPLANE_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/cluster/crds"
  # provider-sql's own CRDs (package/crds of the same version): the provider watches every kind it
  # has a controller for (mysql, mssql, DefaultPrivileges, ProviderConfigUsage…), more than ../shared holds.
  export E2E_PROVIDER_SQL_CRDS
  E2E_PROVIDER_SQL_CRDS="$(go mod download -json "github.com/crossplane-contrib/provider-sql@$E2E_PROVIDER_SQL_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')/package/crds"
  export PATH="$E2E_BIN_K8S:$E2E_BIN_ETCD:$E2E_BIN_CROSSPLANE:$E2E_BIN_KUTTL:$E2E_BIN_CRANE:$PATH"
  export E2E_COLD_BUILD_SECONDS E2E_CROSSPLANE_VERSION E2E_K8S_VERSION E2E_PROVIDER_SQL_VERSION
  if [[ "$E2E_COLD_BUILD_SECONDS" -gt 0 ]]; then
    _e2e_log "cold tool build time: ${E2E_COLD_BUILD_SECONDS}s"
  fi
}
# run a builder in a subshell (builders cd into their scratch module)
_build_sub() ( "$@" )

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  e2e_tools
  printf '%s\n' "$E2E_BIN_K8S" "$E2E_BIN_ETCD" "$E2E_BIN_CROSSPLANE" "$E2E_BIN_KUTTL" "$E2E_BIN_CRANE" "$E2E_PROVIDER_SQL_BIN" "$E2E_CROSSPLANE_CRDS"
fi
