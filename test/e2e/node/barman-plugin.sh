#!/usr/bin/env bash
# The Barman Cloud Plugin (CloudNativePG-I) beside CloudNativePG's operator, and an S3 server for it: run by run.sh when
# E2E_CNPG_BACKUP=1, after node/cnpg-operator.sh.
#  - versitygw (tools.sh, Apache-2.0) as a process in the control plane's network namespace, serving a directory of the
#    run's temp dir as S3 on the node's address (pods reach it there); bucket E2E_S3_BUCKET made with a signed PUT;
#  - the plugin as a pod in cnpg-system from node/images.sh's barman-plugin image (SIDECAR_IMAGE = barman-sidecar),
#    laid out like upstream's kubernetes/ manifests; the certificates cert-manager would make (cert-manager doesn't build
#    here): self-signed server and client certificates made with openssl, as the Secrets the Service's annotations name.
# RBAC: cluster-admin for its ServiceAccount (a test shortcut, as for the operator).
# Writes $E2E_WORKDIR/s3.env: E2E_S3_ENDPOINT, E2E_S3_BUCKET, E2E_S3_ACCESS_KEY, E2E_S3_SECRET_KEY, E2E_S3_DIR.
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../lib.sh
source "$E2E_DIR/lib.sh"
# shellcheck source=lib.sh
source "$E2E_DIR/node/lib.sh"
: "${KUBECONFIG:?}" "${E2E_WORKDIR:?}" "${E2E_IMAGE_BARMAN_PLUGIN:?}" "${E2E_IMAGE_BARMAN_SIDECAR:?}" "${E2E_VERSITYGW_BIN:?}"
start=$(e2e_now)
W="$E2E_WORKDIR"

# --- S3 ---------------------------------------------------------------------------------------------------------------
e2e_free_port port
access="e2e-$(openssl rand -hex 6)"; secret="$(openssl rand -hex 20)"
mkdir -p "$W/s3/data"
e2e_bg versitygw "$E2E_VERSITYGW_BIN" --access "$access" --secret "$secret" --port "$E2E_NODE_IP:$port" posix "$W/s3/data"
endpoint="http://$E2E_NODE_IP:$port"
for i in $(seq 1 50); do curl -s -o /dev/null "$endpoint" && break; sleep 0.2; done
bucket="${E2E_S3_BUCKET:-pg-backups}"
curl -sf -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" \
  -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$endpoint/$bucket" >/dev/null
cat >"$W/s3.env" <<EOF
export E2E_S3_ENDPOINT=$endpoint E2E_S3_BUCKET=$bucket E2E_S3_ACCESS_KEY=$access E2E_S3_SECRET_KEY=$secret E2E_S3_DIR=$W/s3/data
EOF

# --- the plugin --------------------------------------------------------------------------------------------------------
kubectl apply --server-side --force-conflicts -f "$E2E_CRDS_DIR/cnpg-plugin-barman-cloud" >/dev/null
kubectl wait --for condition=Established --timeout 60s -f "$E2E_CRDS_DIR/cnpg-plugin-barman-cloud" >/dev/null
pki="$W/barman-pki"; mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=barman-cloud" \
  -addext "subjectAltName=DNS:barman-cloud,DNS:barman-cloud.cnpg-system,DNS:barman-cloud.cnpg-system.svc" \
  -addext "extendedKeyUsage=serverAuth" -keyout "$pki/server.key" -out "$pki/server.crt" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=barman-cloud-client" \
  -addext "extendedKeyUsage=clientAuth" -keyout "$pki/client.key" -out "$pki/client.crt" 2>/dev/null
for s in server client; do
  kubectl -n cnpg-system create secret generic "barman-cloud-$s-tls" --type kubernetes.io/tls \
    --from-file=tls.crt="$pki/$s.crt" --from-file=tls.key="$pki/$s.key" --from-file=ca.crt="$pki/$s.crt" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
done
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: plugin-barman-cloud, namespace: cnpg-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: plugin-barman-cloud-e2e}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: plugin-barman-cloud, namespace: cnpg-system}]
---
apiVersion: v1
kind: Service
metadata:
  name: barman-cloud
  namespace: cnpg-system
  labels: {app: barman-cloud, cnpg.io/pluginName: barman-cloud.cloudnative-pg.io}
  annotations:
    cnpg.io/pluginClientSecret: barman-cloud-client-tls
    cnpg.io/pluginServerSecret: barman-cloud-server-tls
    cnpg.io/pluginPort: "9090"
spec:
  ports: [{port: 9090, protocol: TCP, targetPort: 9090}]
  selector: {app: barman-cloud}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: barman-cloud, namespace: cnpg-system, labels: {app: barman-cloud}}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app: barman-cloud}}
  template:
    metadata: {labels: {app: barman-cloud}}
    spec:
      serviceAccountName: plugin-barman-cloud
      terminationGracePeriodSeconds: 5
      securityContext: {runAsNonRoot: true}
      containers:
      - name: barman-cloud
        image: $E2E_IMAGE_BARMAN_PLUGIN
        args: [operator, --server-cert=/server/tls.crt, --server-key=/server/tls.key, --client-cert=/client/tls.crt,
               --server-address=:9090, --leader-elect=false, --log-level=debug]
        env: [{name: SIDECAR_IMAGE, value: "$E2E_IMAGE_BARMAN_SIDECAR"}]
        ports: [{containerPort: 9090, protocol: TCP}]
        readinessProbe: {tcpSocket: {port: 9090}, periodSeconds: 2}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
          readOnlyRootFilesystem: true
          runAsUser: 10001
          runAsGroup: 10001
        volumeMounts: [{mountPath: /server, name: server}, {mountPath: /client, name: client}]
      volumes:
      - {name: server, secret: {secretName: barman-cloud-server-tls}}
      - {name: client, secret: {secretName: barman-cloud-client-tls}}
EOF
if ! kubectl -n cnpg-system rollout status deployment/barman-cloud --timeout=180s >&2; then
  kubectl -n cnpg-system logs deployment/barman-cloud --tail=30 >&2 || true
  e2e_die "the Barman Cloud Plugin did not become Ready"
fi
# the operator learns of plugins when it starts: restart it so that it sees this one
kubectl -n cnpg-system rollout restart deployment/cnpg-controller-manager >/dev/null
kubectl -n cnpg-system rollout status deployment/cnpg-controller-manager --timeout=180s >&2
e2e_log "versitygw at $endpoint (bucket $bucket), Barman Cloud Plugin Ready in $(e2e_since "$start")s"
