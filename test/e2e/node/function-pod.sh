#!/usr/bin/env bash
# Step 3 of install-function.sh with a node: the Function installed as users install it. Crossplane's default
# Deployment runtime pulls the package (which embeds the image built from the Dockerfile) and runs it as a pod:
# Deployment, Service and the TLS server Secret are Crossplane's; Crossplane dials
# dns:///<function>.crossplane-system:9443 (CoreDNS, then kube-proxy's rules to the pod).
# Added to Crossplane's defaults by a DeploymentRuntimeConfig: probes on the gRPC port (Crossplane sets none; the
# function serves mTLS-only gRPC, so a TCP probe), and the service account's name, function-postgresql, the subject of
# deploy/function-rbac.yaml's binding (nodes/stats: the disk-autogrow Operation reads each kubelet's /stats/summary);
# Crossplane makes the ServiceAccount with that name instead of one named after the package revision.
#
# Usage: node/function-pod.sh FUNCTION_NAME PACKAGE_IMAGE
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../lib.sh
source "$E2E_DIR/lib.sh"
FN="$1" IMAGE="$2"
start=$(e2e_now)

# The Deployment runtime reads Crossplane's own ServiceAccount (POD_SERVICE_ACCOUNT, for its image pull secrets);
# Crossplane runs as a process here, so nothing else makes it.
kubectl -n crossplane-system create serviceaccount "${POD_SERVICE_ACCOUNT:-crossplane}" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl apply -f - >/dev/null <<EOF
apiVersion: pkg.crossplane.io/v1beta1
kind: DeploymentRuntimeConfig
metadata:
  name: $FN
spec:
  serviceAccountTemplate:
    metadata: {name: function-postgresql}
  deploymentTemplate:
    spec:
      selector: {}
      template:
        spec:
          containers:
          - name: package-runtime
            readinessProbe:
              tcpSocket: {port: grpc}
              periodSeconds: 2
            livenessProbe:
              tcpSocket: {port: grpc}
              periodSeconds: 10
              failureThreshold: 3
EOF

e2e_package_pod Function "$FN" "$IMAGE"
pod="$package_pod"
e2e_log "Function $FN Healthy: pod $pod ($(kubectl -n crossplane-system get pod "$pod" -o jsonpath='{.status.podIP}'), image $IMAGE) in $(e2e_since "$start")s"
