#!/usr/bin/env bash
# A Provider package installed as users install it, on the node (scalingo.sh start, E2E_NODE=1): Crossplane's
# package manager establishes its CRDs, the RBAC manager makes its ClusterRoles and binds the system one to the
# ServiceAccount the package manager creates, and the default Deployment runtime runs the embedded image as a pod.
# Added to Crossplane's defaults only by a DeploymentRuntimeConfig: the container's environment (ENV=VALUE
# arguments) and HTTP probes on the provider's /readyz and /healthz (its health port, 8080: Crossplane sets no probes).
# Writes the seconds from `kubectl apply` of the Provider to Healthy (its pod Ready) to $E2E_WORKDIR/NAME-pod-seconds.
#
# Usage: node/provider-pod.sh NAME PACKAGE_IMAGE [ENV=VALUE ...]
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../lib.sh
source "$E2E_DIR/lib.sh"
NAME="$1" IMAGE="$2"; shift 2
env_json="$(printf '%s\n' "$@" | jq -Rsc 'split("\n") | map(select(. != "") | capture("^(?<name>[^=]+)=(?<value>.*)$"))')"

# The Deployment runtime reads Crossplane's own ServiceAccount (POD_SERVICE_ACCOUNT, for its image pull secrets);
# Crossplane runs as a process here, so nothing else makes it (function-pod.sh does too).
kubectl -n crossplane-system create serviceaccount "${POD_SERVICE_ACCOUNT:-crossplane}" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
jq -n --arg name "$NAME" --argjson env "$env_json" '{
  apiVersion: "pkg.crossplane.io/v1beta1", kind: "DeploymentRuntimeConfig", metadata: {name: $name},
  spec: {deploymentTemplate: {spec: {selector: {}, template: {spec: {containers: [{
    name: "package-runtime", env: $env,
    readinessProbe: {httpGet: {path: "/readyz", port: 8080}, periodSeconds: 2},
    livenessProbe: {httpGet: {path: "/healthz", port: 8080}, periodSeconds: 10, failureThreshold: 3}}]}}}}}}' |
  kubectl apply -f - >/dev/null
start=$(e2e_now)
e2e_package_pod Provider "$NAME" "$IMAGE"
secs="$(e2e_since "$start")"
echo "$secs" >"$E2E_WORKDIR/$NAME-pod-seconds"
pod="$package_pod"
sa="$(kubectl -n crossplane-system get pod "$pod" -o jsonpath='{.spec.serviceAccountName}')"
e2e_log "Provider $NAME Healthy: pod $pod ($(kubectl -n crossplane-system get pod "$pod" -o jsonpath='{.status.podIP}'), ServiceAccount $sa, image $IMAGE) ${secs}s after the Provider was applied"
