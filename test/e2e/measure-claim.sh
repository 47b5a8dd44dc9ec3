#!/usr/bin/env bash
# Applies one claim/XR manifest (a single object) and measures
#   - time from apply until every composed object the XR references exists, and
#   - time from apply until the applied object is Ready=True.
# Works for v2 namespaced XRs (spec.crossplane.resourceRefs), v1 XRs (spec.resourceRefs)
# and v1-style claims (spec.resourceRef -> XR). Deletes the object afterwards unless
# E2E_KEEP_CLAIM=1. Run inside control-plane.sh (needs KUBECONFIG).
# Usage: measure-claim.sh FILE [TIMEOUT_SECONDS] [MIN_COMPOSED]
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$E2E_DIR/lib.sh"
command -v jq >/dev/null || e2e_die "jq is needed (apt-get install -y jq)"

file="$1"; timeout="${2:-180}"; min_composed="${3:-1}"
obj="$(kubectl create --dry-run=client -o json -f "$file")"
kind="$(jq -r .kind <<<"$obj")"; api="$(jq -r .apiVersion <<<"$obj")"
name="$(jq -r .metadata.name <<<"$obj")"; ns="$(jq -r '.metadata.namespace // empty' <<<"$obj")"
res="${kind,,}.${api%/*}"                  # kind.group, e.g. postgresql.example.org
[[ "$api" == */* ]] || res="${kind,,}"
nsargs=(); [[ -n "$ns" ]] && nsargs=(-n "$ns")
get() { kubectl get "$@" -o json 2>/dev/null; }

t0=$(e2e_now)
kubectl apply -f "$file" >/dev/null
composed_at="" ready_at="" deadline=$((SECONDS + timeout)) count=0
while (( SECONDS < deadline )); do
  cur="$(get "$res" "$name" "${nsargs[@]}" || true)"
  if [[ -n "$cur" && -z "$composed_at" ]]; then
    xr="$cur"
    ref="$(jq -c '.spec.resourceRef // empty' <<<"$cur")"
    if [[ -n "$ref" ]]; then   # a claim: follow it to its XR
      xr="$(get "$(jq -r '.kind' <<<"$ref" | tr 'A-Z' 'a-z').$(jq -r '.apiVersion | split("/")[0]' <<<"$ref")" "$(jq -r .name <<<"$ref")" || true)"
    fi
    refs="$(jq -c '(.spec.crossplane.resourceRefs // .spec.resourceRefs // [])[]' <<<"${xr:-{\}}" 2>/dev/null || true)"
    count=0; all=1
    while read -r r; do
      [[ -z "$r" ]] && continue
      count=$((count + 1))
      rk="$(jq -r .kind <<<"$r")"; ra="$(jq -r .apiVersion <<<"$r")"; rn="$(jq -r .name <<<"$r")"
      # v2 namespaced XRs compose into their own namespace and omit it in the ref
      rns="$(jq -r '.namespace // empty' <<<"$r")"
      [[ -z "$rns" ]] && rns="$(jq -r '.metadata.namespace // empty' <<<"$xr")"
      rres="${rk,,}.${ra%/*}"; [[ "$ra" == */* ]] || rres="${rk,,}"
      a=(); [[ -n "$rns" ]] && a=(-n "$rns")
      kubectl get "$rres" "$rn" "${a[@]}" >/dev/null 2>&1 || { all=0; break; }
    done <<<"$refs"
    if (( all == 1 && count >= min_composed )); then
      composed_at="$(e2e_since "$t0")"
      # What only an operator would do next (see simulate-operator.sh), so that Ready can be timed.
      [[ -n "${E2E_ON_COMPOSED:-}" ]] && $E2E_ON_COMPOSED "${ns:-default}"
    fi
  fi
  if [[ -n "$cur" && -z "$ready_at" ]] && \
     [[ "$(jq -r '[.status.conditions[]? | select(.type=="Ready") | .status][0] // ""' <<<"$cur")" == "True" ]]; then
    ready_at="$(e2e_since "$t0")"
  fi
  [[ -n "$composed_at" && -n "$ready_at" ]] && break
  sleep 0.25
done
echo "claim $(basename "$file") ($kind/$name): composed objects present (${count}) after ${composed_at:-TIMEOUT}s, Ready after ${ready_at:-TIMEOUT}s"
if [[ "${E2E_KEEP_CLAIM:-0}" != "1" ]]; then
  kubectl delete -f "$file" --wait=false >/dev/null 2>&1 || true
fi
[[ -n "$composed_at" && -n "$ready_at" ]]
