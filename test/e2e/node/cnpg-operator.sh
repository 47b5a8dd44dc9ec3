#!/usr/bin/env bash
# Starts CloudNativePG's operator as a pod on the node, from the image made here (node/images.sh "cnpg", the manager
# built by tools.sh from github.com/cloudnative-pg/cloudnative-pg), and waits until it is Ready (its own /readyz
# probes over HTTPS, as upstream's manager.yaml has them). A check for the next issue, which runs PostgreSQL
# clusters with it; run by run.sh when E2E_NODE_CNPG=1.
#
# CRDs: ../shared/crds/cloudnative-pg, plus the kinds of the same tag that ../shared does not hold (the operator
# watches every kind it has a controller for) from the module's config/crd/bases.
# RBAC: cluster-admin for its ServiceAccount (upstream's ClusterRole is not in ../shared). Webhooks: upstream's
# configurations and Service; the operator makes its own certificate Secret and patches their caBundle.
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../lib.sh
source "$E2E_DIR/lib.sh"
: "${KUBECONFIG:?}" "${E2E_WORKDIR:?}" "${E2E_IMAGE_CNPG:?no cnpg image (E2E_NODE_CNPG=1)}"
: "${E2E_IMAGE_POSTGRES_15:?}" "${E2E_IMAGE_POSTGRES_17:?}"
start=$(e2e_now)
W="$E2E_WORKDIR"
mkdir -p "$W/cnpg-crds"
cp "$E2E_CRDS_DIR"/cloudnative-pg/*.yaml "$W/cnpg-crds/"
mod="$(go mod download -json "github.com/cloudnative-pg/cloudnative-pg@${E2E_CNPG_VERSION:-v1.30.0}" 2>/dev/null | jq -r .Dir)" || mod=""
for f in "$mod"/config/crd/bases/*.yaml; do
  [[ -f "$f" && ! -f "$W/cnpg-crds/$(basename "$f")" ]] && cp "$f" "$W/cnpg-crds/"
done
kubectl apply --server-side --force-conflicts -f "$W/cnpg-crds" >/dev/null
kubectl wait --for condition=Established --timeout 60s -f "$W/cnpg-crds" >/dev/null

# The admission webhooks and their Service, from the module's config/webhook with the names of its kustomization
# (prefix cnpg-, namespace cnpg-system): the operator refuses to start without them (it patches their caBundle with
# the certificate it makes itself: no cert-manager).
kubectl create namespace cnpg-system --dry-run=client -o yaml | kubectl apply -f - >/dev/null
[[ -d "$mod/config/webhook" ]] || e2e_die "no config/webhook in the CloudNativePG module ($mod)"
{ cat "$mod/config/webhook/manifests.yaml"; echo '---'; cat "$mod/config/webhook/service.yaml"; } | sed \
  -e 's/^  name: mutating-webhook-configuration$/  name: cnpg-mutating-webhook-configuration/' \
  -e 's/^  name: validating-webhook-configuration$/  name: cnpg-validating-webhook-configuration/' \
  -e 's/name: webhook-service$/name: cnpg-webhook-service/' -e 's/namespace: system$/namespace: cnpg-system/' \
  | kubectl apply -f - >/dev/null

kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Namespace
metadata: {name: cnpg-system}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: cnpg-manager, namespace: cnpg-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cnpg-manager-e2e}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: cnpg-manager, namespace: cnpg-system}]
---
apiVersion: apps/v1
kind: Deployment
# the label on the Deployment itself: the operator finds its own Deployment by it (it owns the webhook certificates)
metadata: {name: cnpg-controller-manager, namespace: cnpg-system, labels: {app.kubernetes.io/name: cloudnative-pg}}
spec:
  replicas: 1
  selector: {matchLabels: {app.kubernetes.io/name: cloudnative-pg}}
  template:
    metadata: {labels: {app.kubernetes.io/name: cloudnative-pg}}
    spec:
      serviceAccountName: cnpg-manager
      terminationGracePeriodSeconds: 5
      containers:
      - name: manager
        image: $E2E_IMAGE_CNPG
        command: [/manager]
        args: [controller, --leader-elect=false, --max-concurrent-reconciles=10,
               --config-map-name=cnpg-controller-manager-config, --secret-name=cnpg-controller-manager-config,
               --webhook-port=9443]
        env:
        - {name: OPERATOR_IMAGE_NAME, value: "$E2E_IMAGE_CNPG"}
        - name: OPERATOR_NAMESPACE
          valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
        - {name: MONITORING_QUERIES_CONFIGMAP, value: ""}
        readinessProbe:
          httpGet: {port: 9443, scheme: HTTPS, path: /readyz}
          periodSeconds: 2
        startupProbe:
          httpGet: {port: 9443, scheme: HTTPS, path: /readyz}
          periodSeconds: 2
          failureThreshold: 60
        securityContext:
          runAsUser: 10001
          runAsGroup: 10001
          readOnlyRootFilesystem: true
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
        volumeMounts:
        - {mountPath: /controller, name: scratch-data}
        - {mountPath: /run/secrets/cnpg.io/webhook, name: webhook-certificates}
      volumes:
      - {name: scratch-data, emptyDir: {}}
      - name: webhook-certificates
        secret: {secretName: cnpg-webhook-cert, optional: true, defaultMode: 420}
EOF
if ! kubectl -n cnpg-system rollout status deployment/cnpg-controller-manager --timeout=180s >&2; then
  kubectl -n cnpg-system logs deployment/cnpg-controller-manager --tail=30 >&2 || true
  e2e_die "CloudNativePG's operator did not become Ready"
fi
# What the platform provides beside the operator: the ClusterImageCatalog the Composition input names (majors 15 and
# 17: node/images.sh's Debian operand images) and static hostPath PersistentVolumes of class e2e-hostpath (no
# provisioner runs here; E2E_CNPG_PVS of E2E_CNPG_PV_SIZE, owned by uid 26; released ones are not reused) for the
# claims of suites-cnpg/30-cnpg-ha, which set `storageClass: e2e-hostpath`.
kubectl apply -f - >/dev/null <<EOF
apiVersion: postgresql.cnpg.io/v1
kind: ClusterImageCatalog
metadata: {name: postgresql}
spec:
  images:
  - {major: 15, image: "$E2E_IMAGE_POSTGRES_15"}
  - {major: 17, image: "$E2E_IMAGE_POSTGRES_17"}
EOF
for i in $(seq 1 "${E2E_CNPG_PVS:-10}"); do
  dir="$W/node/volumes/cnpg-pv-$i"
  install -d -o 26 -g 26 -m 0700 "$dir"
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolume
metadata: {name: cnpg-pv-$i, labels: {e2e.function-postgresql/pool: cnpg}}
spec:
  capacity: {storage: ${E2E_CNPG_PV_SIZE:-2Gi}}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: e2e-hostpath
  hostPath: {path: $dir, type: Directory}
EOF
done
# and StorageClass e2e-local's expandable, measurable tmpfs volumes (suites-cnpg/34-cnpg-autogrow)
"$E2E_DIR/node/local-volumes.sh"
echo "$(e2e_since "$start")" >"$W/cnpg-operator-seconds"
e2e_log "CloudNativePG operator ($E2E_IMAGE_CNPG) Ready in $(e2e_since "$start")s"
