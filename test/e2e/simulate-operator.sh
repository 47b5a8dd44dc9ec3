#!/usr/bin/env bash
# SIMULATED operator: no kubelet runs in the e2e control plane, so no StackGres pod does. For every SGCluster in a
# namespace this writes what StackGres and Kubernetes write once a cluster has bootstrapped and its pods are ready:
#   - the SGCluster's status (Bootstrapped, pod count, running version);
#   - the StatefulSet StackGres makes for the cluster (same name, StackGres' labels), every replica ready — the
#     function counts ready instances from it, not from StackGres' pod count. With the real node its pods are real
#     (the node's pause image) and so is their readiness; without one, its status is written.
#   - with the SQL part running (E2E_SQL != 0): the instance's DNS name and superuser password (sql.sh bootstrap),
#     so that provider-sql makes the role and database every claim gets, which Ready waits for.
# Used to time "claim applied → Ready"; 01-compose calls it with "statefulsets" after writing its own status.
# Usage: simulate-operator.sh NAMESPACE [all|statefulsets]
set -euo pipefail
ns="$1"
what="${2:-all}"
for name in $(kubectl -n "$ns" get sgclusters -o jsonpath='{.items[*].metadata.name}'); do
  instances="$(kubectl -n "$ns" get sgcluster "$name" -o jsonpath='{.spec.instances}')"
  version="$(kubectl -n "$ns" get sgcluster "$name" -o jsonpath='{.spec.postgres.version}')"
  if [[ "$what" == all ]]; then
    [[ "${E2E_SQL:-1}" == 0 ]] || "$(dirname "${BASH_SOURCE[0]}")/sql.sh" bootstrap "$ns" "$name" >/dev/null
    kubectl -n "$ns" patch sgcluster "$name" --type merge -p \
      "{\"status\":{\"conditions\":[{\"type\":\"Bootstrapped\",\"status\":\"True\",\"reason\":\"ClusterBootstrapped\"}],\"instances\":${instances},\"postgresVersion\":\"${version}.6\"}}" >/dev/null
  fi
  # With the real node (E2E_NODE=1) its StatefulSet controller owns this status: the StatefulSet runs real pods of the
  # node's pause image (no PostgreSQL in them; the database is the harness's, sql.sh) and their readiness is real.
  # Without a node nothing makes pods or touches the status, so it is written.
  image=simulated with_node=0
  if [[ "${E2E_NODE:-0}" == 1 && -n "${E2E_IMAGE_PAUSE:-}" ]]; then image="$E2E_IMAGE_PAUSE" with_node=1; fi
  kubectl -n "$ns" apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: $name
  labels: { app: StackGresCluster, stackgres.io/cluster-name: $name, stackgres.io/cluster: "true" }
spec:
  replicas: $instances
  serviceName: $name
  podManagementPolicy: Parallel
  selector: { matchLabels: { app: StackGresCluster, stackgres.io/cluster-name: $name } }
  template:
    metadata: { labels: { app: StackGresCluster, stackgres.io/cluster-name: $name } }
    spec:
      terminationGracePeriodSeconds: 1
      automountServiceAccountToken: false
      containers: [{ name: patroni, image: "$image", imagePullPolicy: IfNotPresent }]
EOF
  if [[ $with_node == 1 ]]; then
    kubectl -n "$ns" wait statefulset "$name" --for=jsonpath='{.status.readyReplicas}'="$instances" --timeout=180s >/dev/null
  else
    kubectl -n "$ns" patch statefulset "$name" --subresource=status --type merge -p \
      "{\"status\":{\"replicas\":${instances},\"readyReplicas\":${instances},\"availableReplicas\":${instances}}}" >/dev/null
  fi
done
