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
# Crossplane core: v2.3.4 is the newest 2.x the Go module proxy reachable here serves (v2.2.2..v2.2.4 and v2.3.1
# are refused, 403). From v2.3 the core has no CLI (crank) and its version ldflag lives in crossplane-runtime.
E2E_CROSSPLANE_VERSION="${E2E_CROSSPLANE_VERSION:-v2.3.4}"
# The Crossplane CLI, its own module since v2.3 (`composition render`, `resource validate`, `xpkg build`): v2.5.0 is
# the only version the proxy serves. Its binary is also called `crossplane`, so it is built as `crossplane-cli`.
# `composition render` runs the core's hidden `crossplane internal render`, which needs a core >= v2.3.
E2E_CROSSPLANE_CLI_VERSION="${E2E_CROSSPLANE_CLI_VERSION:-v2.5.0}"
E2E_KUTTL_VERSION="${E2E_KUTTL_VERSION:-v0.26.0}"
E2E_CRANE_VERSION="${E2E_CRANE_VERSION:-v0.21.9}"
# provider-sql needs go >= 1.26.1 (its go.mod); GOTOOLCHAIN=auto fetches one if the local Go is older.
E2E_PROVIDER_SQL_VERSION="${E2E_PROVIDER_SQL_VERSION:-v0.16.0}"
# The node (E2E_NODE=1, test/e2e/node/): kubelet, kube-scheduler and kube-proxy come from the same
# k8s.io/kubernetes module as the API server (E2E_K8S_VERSION); containerd v2 (kubelet is dropping 1.x,
# which is what Debian bookworm ships); CoreDNS runs as a process.
E2E_CONTAINERD_VERSION="${E2E_CONTAINERD_VERSION:-v2.2.9}"
E2E_COREDNS_VERSION="${E2E_COREDNS_VERSION:-v1.13.1}"
# CloudNativePG's manager (operator and instance manager in one binary), for its image (node/images.sh); built only
# when asked for (E2E_TOOLS_ONLY=cnpg, or E2E_NODE_CNPG=1)
E2E_CNPG_VERSION="${E2E_CNPG_VERSION:-v1.30.0}"
# kube-router's network policy controller (E2E_NODE_NETPOL=1): v2.1.0 is the only v2 the module proxy lists here
E2E_KUBE_ROUTER_VERSION="${E2E_KUBE_ROUTER_VERSION:-v2.1.0}"
# CloudNativePG's backups (E2E_CNPG_BACKUP=1, suites-cnpg-backup/31-cnpg-backup): the Barman Cloud Plugin (operator and
# sidecar in one binary) and versitygw, an S3 server (Apache-2.0) serving a directory
E2E_BARMAN_PLUGIN_VERSION="${E2E_BARMAN_PLUGIN_VERSION:-v0.14.0}"
E2E_VERSITYGW_VERSION="${E2E_VERSITYGW_VERSION:-v1.8.0}"

E2E_TOOLS_DIR="${E2E_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/function-postgresql/tools}"
export GOFLAGS="${GOFLAGS:-} -trimpath -buildvcs=false"
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export CGO_ENABLED=0

_e2e_log() { printf '[tools] %s\n' "$*" >&2; }

# _e2e_complete DIR BINARIES...: every BINARY is in DIR/bin
_e2e_complete() {
  local dir="$1" b; shift
  for b in "$@"; do [[ -x "$dir/bin/$b" ]] || return 1; done
}

# _e2e_build NAME VERSION BINARIES... -- COMMAND...
# Runs COMMAND (with $OUT set to a fresh temp dir) unless every BINARY exists in the
# cache, then renames that temp dir to DIR/bin.
# Two runs on one machine (two `npm test`s) must not break each other: the build of one
# tool+version holds an exclusive lock (flock on $E2E_TOOLS_DIR/.locks/NAME-VERSION.lock),
# the second run waits for it and then finds the binaries; every run builds into its own
# temp dirs (mktemp) and deletes only those. A complete bin/ is never deleted or rewritten,
# so a run already using it is never disturbed; an incomplete one (a tool that gained a
# binary) is renamed aside, not deleted, before the new one is moved in.
_e2e_build() {
  local name="$1" version="$2"; shift 2
  local bins=()
  while [[ "$1" != "--" ]]; do bins+=("$1"); shift; done
  shift
  local dir="$E2E_TOOLS_DIR/$name-$version"
  _e2e_complete "$dir" "${bins[@]}" && return 0
  mkdir -p "$dir" "$E2E_TOOLS_DIR/.locks"
  local lock_fd
  exec {lock_fd}>"$E2E_TOOLS_DIR/.locks/$name-$version.lock"
  if ! flock -n "$lock_fd"; then
    _e2e_log "waiting for another run that is building $name $version ..."
    flock "$lock_fd"
  fi
  if _e2e_complete "$dir" "${bins[@]}"; then   # the other run built it
    exec {lock_fd}>&-
    return 0
  fi
  local out; out="$(mktemp -d "$dir/bin.tmp.XXXXXX")"; chmod 755 "$out"
  _e2e_log "building $name $version (cold) ..."
  local start=$SECONDS rc=0
  # the lock's fd is not passed on: nothing the builder starts may keep the lock
  OUT="$out" "$@" >"$dir/build.log" 2>&1 {lock_fd}>&- || rc=$?
  local b
  if [[ $rc == 0 ]]; then
    for b in "${bins[@]}"; do
      [[ -x "$out/$b" ]] && continue
      _e2e_log "FAILED: build of $name $version did not produce $b (see $dir/build.log)"
      rc=1
    done
  else
    _e2e_log "FAILED to build $name $version; last lines of $dir/build.log:"
    tail -n 40 "$dir/build.log" >&2
  fi
  if [[ $rc != 0 ]]; then
    rm -rf "$out"; exec {lock_fd}>&-
    return 1
  fi
  if [[ -e "$dir/bin" ]]; then
    local aside; aside="$(mktemp -u "$dir/bin.incomplete.XXXXXX")"
    mv "$dir/bin" "$aside"
    _e2e_log "kept the incomplete $dir/bin as $aside"
  fi
  mv "$out" "$dir/bin"
  local took=$((SECONDS - start))
  echo "$took" >"$dir/build-seconds"
  exec {lock_fd}>&-
  _e2e_log "built $name $version in ${took}s"
  E2E_COLD_BUILD_SECONDS=$(( ${E2E_COLD_BUILD_SECONDS:-0} + took ))
}

# _e2e_src NAME-VERSION: a fresh scratch module dir for this build only (removed by the
# builder's EXIT trap; another run's scratch dir is never touched). Prints its path.
_e2e_src() {
  mkdir -p "$E2E_TOOLS_DIR/src"
  mktemp -d "$E2E_TOOLS_DIR/src/$1.XXXXXX"
}

# --- builders (each runs with $OUT = destination dir) -------------------------

# _build_scratch NAME MODULE VERSION LDFLAGS PACKAGE...
# Builds PACKAGEs of MODULE@VERSION inside a throwaway module that requires it.
# (`go install MOD@VER` is not used: it asks the proxy for MOD's version list to
# check deprecations, and the proxy reachable here answers 403 for several
# modules, e.g. kuttl and crossplane.)
_build_scratch() {
  local name="$1" module="$2" version="$3" ldflags="$4"; shift 4
  local src; src="$(_e2e_src "$name-$version")"
  trap "rm -rf '$src'" EXIT; cd "$src"
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
  local src; src="$(_e2e_src "etcd-$E2E_ETCD_VERSION")"
  trap "rm -rf '$src'" EXIT; cd "$src"
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

# _build_kubernetes [CMD...]: k8s.io/kubernetes/cmd/CMD for each CMD (default: the control plane's).
_build_kubernetes() {
  local cmds=("$@")
  [[ ${#cmds[@]} -gt 0 ]] || cmds=(kube-apiserver kube-controller-manager kubectl)
  local v="$E2E_K8S_VERSION" sv="v0.${E2E_K8S_VERSION#v1.}"
  local src; src="$(_e2e_src "kubernetes-$v")"
  trap "rm -rf '$src'" EXIT; cd "$src"
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
  local c pkgs=()
  for c in "${cmds[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for c in "${pkgs[@]}"; do printf '\t_ "%s"\n' "$c"; done
    printf ')\n'
  } >tools.go
  # Pin the module graph to exactly what upstream uses (its go.sum pins the rest).
  go mod tidy
  local major="${v#v}"; major="${major%%.*}"
  local minor="${v#v*.}"; minor="${minor%%.*}"
  local ld="-s -w"
  local p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  go build -tags providerless -ldflags "$ld" -o "$OUT/" "${pkgs[@]}"
}

# containerd v2 without cgo; the snapshotters that need cgo or host tools are compiled out.
_build_containerd() {
  local v="$E2E_CONTAINERD_VERSION"
  GOFLAGS="$GOFLAGS -tags=no_btrfs,no_devmapper,no_zfs" \
    _build_scratch containerd github.com/containerd/containerd/v2 "$v" \
    "-X github.com/containerd/containerd/v2/version.Version=$v -X github.com/containerd/containerd/v2/version.Revision=e2e" \
    github.com/containerd/containerd/v2/cmd/containerd \
    github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 \
    github.com/containerd/containerd/v2/cmd/ctr
}

# The core only (cmd/crossplane). Up to v2.2 its version variable was internal/version (and the module also held
# cmd/crank); from v2.3 the core reads crossplane-runtime's pkg/version.
_build_crossplane() {
  local v="$E2E_CROSSPLANE_VERSION" version_var="github.com/crossplane/crossplane-runtime/v2/pkg/version.version"
  case "$v" in v2.0.* | v2.1.* | v2.2.*) version_var="github.com/crossplane/crossplane/v2/internal/version.version" ;; esac
  _build_scratch crossplane github.com/crossplane/crossplane/v2 "$v" "-X $version_var=$v" \
    github.com/crossplane/crossplane/v2/cmd/crossplane
}

# The CLI: built as `crossplane`, then renamed, so it never shadows the core's binary of the same name.
_build_crossplane_cli() {
  local v="$E2E_CROSSPLANE_CLI_VERSION" final="$OUT"
  OUT="$(mktemp -d "$final/cli.XXXXXX")"
  _build_sub _build_scratch crossplane-cli github.com/crossplane/cli/v2 "$v" \
    "-X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$v" \
    github.com/crossplane/cli/v2/cmd/crossplane
  mv "$OUT/crossplane" "$final/crossplane-cli"
  rmdir "$OUT"
}

# --- main ---------------------------------------------------------------------

e2e_tools() {
  E2E_COLD_BUILD_SECONDS=0
  mkdir -p "$E2E_TOOLS_DIR"
  local default="crane kuttl crossplane crossplane-cli etcd kubernetes provider-sql"
  [[ "${E2E_NODE:-0}" == "1" ]] && default+=" kube-node containerd coredns"
  [[ "${E2E_NODE_CNPG:-0}" == "1" ]] && default+=" cnpg"
  [[ "${E2E_NODE_NETPOL:-0}" == "1" ]] && default+=" kube-router"
  [[ "${E2E_NODE_CNPG:-0}" == "1" && "${E2E_CNPG_BACKUP:-0}" == "1" ]] && default+=" barman-plugin versitygw"
  local only="${E2E_TOOLS_ONLY:-$default}" t
  for t in $only; do
    case "$t" in
      crane) _e2e_build crane "$E2E_CRANE_VERSION" crane -- \
               _build_sub _build_scratch crane github.com/google/go-containerregistry "$E2E_CRANE_VERSION" "" \
                 github.com/google/go-containerregistry/cmd/crane ;;
      kuttl) _e2e_build kuttl "$E2E_KUTTL_VERSION" kubectl-kuttl -- \
               _build_sub _build_scratch kuttl github.com/kudobuilder/kuttl "$E2E_KUTTL_VERSION" "" \
                 github.com/kudobuilder/kuttl/cmd/kubectl-kuttl ;;
      crossplane) _e2e_build crossplane "$E2E_CROSSPLANE_VERSION" crossplane -- _build_sub _build_crossplane ;;
      crossplane-cli) _e2e_build crossplane-cli "$E2E_CROSSPLANE_CLI_VERSION" crossplane-cli -- _build_sub _build_crossplane_cli ;;
      etcd) _e2e_build etcd "$E2E_ETCD_VERSION" etcd -- _build_sub _build_etcd ;;
      provider-sql) _e2e_build provider-sql "$E2E_PROVIDER_SQL_VERSION" provider -- \
               _build_sub _build_scratch provider-sql github.com/crossplane-contrib/provider-sql "$E2E_PROVIDER_SQL_VERSION" "" \
                 github.com/crossplane-contrib/provider-sql/cmd/provider ;;
      kubernetes) _e2e_build kubernetes "$E2E_K8S_VERSION" kube-apiserver kube-controller-manager kubectl -- _build_sub _build_kubernetes ;;
      # the node's tools (E2E_NODE=1): a tool dir of their own, so the control plane's cache stays as it is
      kube-node) _e2e_build kube-node "$E2E_K8S_VERSION" kubelet kube-scheduler kube-proxy -- \
               _build_sub _build_kubernetes kubelet kube-scheduler kube-proxy ;;
      containerd) _e2e_build containerd "$E2E_CONTAINERD_VERSION" containerd containerd-shim-runc-v2 ctr -- _build_sub _build_containerd ;;
      coredns) _e2e_build coredns "$E2E_COREDNS_VERSION" coredns -- \
               _build_sub _build_scratch coredns github.com/coredns/coredns "$E2E_COREDNS_VERSION" \
                 "-X github.com/coredns/coredns/coremain.GitCommit=$E2E_COREDNS_VERSION" github.com/coredns/coredns ;;
      kube-router) _e2e_build kube-router "$E2E_KUBE_ROUTER_VERSION" kube-router -- \
               _build_sub _build_scratch kube-router github.com/cloudnativelabs/kube-router/v2 "$E2E_KUBE_ROUTER_VERSION" "" \
                 github.com/cloudnativelabs/kube-router/v2/cmd/kube-router ;;
      cnpg) _e2e_build cnpg "$E2E_CNPG_VERSION" manager -- \
               _build_sub _build_scratch cnpg github.com/cloudnative-pg/cloudnative-pg "$E2E_CNPG_VERSION" "" \
                 github.com/cloudnative-pg/cloudnative-pg/cmd/manager ;;
      barman-plugin) _e2e_build barman-plugin "$E2E_BARMAN_PLUGIN_VERSION" manager -- \
               _build_sub _build_scratch barman-plugin github.com/cloudnative-pg/plugin-barman-cloud "$E2E_BARMAN_PLUGIN_VERSION" "" \
                 github.com/cloudnative-pg/plugin-barman-cloud/cmd/manager ;;
      versitygw) _e2e_build versitygw "$E2E_VERSITYGW_VERSION" versitygw -- \
               _build_sub _build_scratch versitygw github.com/versity/versitygw "$E2E_VERSITYGW_VERSION" "" \
                 github.com/versity/versitygw/cmd/versitygw ;;
      *) _e2e_log "unknown tool $t"; return 1 ;;
    esac
  done
  export E2E_BIN_ETCD="$E2E_TOOLS_DIR/etcd-$E2E_ETCD_VERSION/bin"
  export E2E_BIN_K8S="$E2E_TOOLS_DIR/kubernetes-$E2E_K8S_VERSION/bin"
  export E2E_BIN_CROSSPLANE="$E2E_TOOLS_DIR/crossplane-$E2E_CROSSPLANE_VERSION/bin"
  export E2E_BIN_CROSSPLANE_CLI="$E2E_TOOLS_DIR/crossplane-cli-$E2E_CROSSPLANE_CLI_VERSION/bin"
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
  export E2E_BIN_KUBE_NODE="$E2E_TOOLS_DIR/kube-node-$E2E_K8S_VERSION/bin"
  export E2E_BIN_CONTAINERD="$E2E_TOOLS_DIR/containerd-$E2E_CONTAINERD_VERSION/bin"
  export E2E_BIN_COREDNS="$E2E_TOOLS_DIR/coredns-$E2E_COREDNS_VERSION/bin"
  export E2E_CNPG_MANAGER="$E2E_TOOLS_DIR/cnpg-$E2E_CNPG_VERSION/bin/manager"
  export E2E_BARMAN_PLUGIN_MANAGER="$E2E_TOOLS_DIR/barman-plugin-$E2E_BARMAN_PLUGIN_VERSION/bin/manager"
  export E2E_VERSITYGW_BIN="$E2E_TOOLS_DIR/versitygw-$E2E_VERSITYGW_VERSION/bin/versitygw"
  export PATH="$E2E_BIN_K8S:$E2E_BIN_ETCD:$E2E_BIN_CROSSPLANE:$E2E_BIN_CROSSPLANE_CLI:$E2E_BIN_KUTTL:$E2E_BIN_CRANE:$PATH"
  [[ "${E2E_NODE:-0}" == "1" ]] && PATH="$E2E_BIN_KUBE_NODE:$E2E_BIN_CONTAINERD:$E2E_BIN_COREDNS:$E2E_TOOLS_DIR/kube-router-$E2E_KUBE_ROUTER_VERSION/bin:$PATH"
  export E2E_COLD_BUILD_SECONDS E2E_CROSSPLANE_VERSION E2E_CROSSPLANE_CLI_VERSION E2E_K8S_VERSION E2E_PROVIDER_SQL_VERSION
  if [[ "$E2E_COLD_BUILD_SECONDS" -gt 0 ]]; then
    _e2e_log "cold tool build time: ${E2E_COLD_BUILD_SECONDS}s"
  fi
}
# run a builder in a subshell (builders cd into their scratch module)
_build_sub() ( "$@" )

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  e2e_tools
  printf '%s\n' "$E2E_BIN_K8S" "$E2E_BIN_ETCD" "$E2E_BIN_CROSSPLANE" "$E2E_BIN_CROSSPLANE_CLI" "$E2E_BIN_KUTTL" "$E2E_BIN_CRANE" "$E2E_PROVIDER_SQL_BIN" "$E2E_CROSSPLANE_CRDS"
fi
