#!/usr/bin/env bash
# SIMULATED operator: no kubelet runs in the e2e control plane, so no StackGres pod does. This writes, for every
# SGCluster in a namespace, the status StackGres writes once a cluster has bootstrapped. Used only to time
# "claim applied → Ready"; the kuttl suites do the same in their own steps.
# Usage: simulate-operator.sh NAMESPACE
set -euo pipefail
ns="$1"
for name in $(kubectl -n "$ns" get sgclusters -o jsonpath='{.items[*].metadata.name}'); do
  instances="$(kubectl -n "$ns" get sgcluster "$name" -o jsonpath='{.spec.instances}')"
  version="$(kubectl -n "$ns" get sgcluster "$name" -o jsonpath='{.spec.postgres.version}')"
  kubectl -n "$ns" patch sgcluster "$name" --type merge -p \
    "{\"status\":{\"conditions\":[{\"type\":\"Bootstrapped\",\"status\":\"True\",\"reason\":\"ClusterBootstrapped\"}],\"instances\":${instances},\"postgresVersion\":\"${version}.6\"}}" >/dev/null
done
