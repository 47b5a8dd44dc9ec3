#!/usr/bin/env bash
# Expandable volumes the node can measure, for suites-cnpg/34-cnpg-autogrow (cnpg-operator.sh runs this after the
# operator, beside the e2e-hostpath PVs, which stay as they are for the other suites):
#   StorageClass e2e-local: no provisioner, WaitForFirstConsumer, allowVolumeExpansion: true (the API server refuses to
#   grow a PVC's request otherwise);
#   E2E_LOCAL_PVS (3) static `local:` PersistentVolumes e2e-local-pv-N of E2E_LOCAL_PV_SIZE (512Mi), each a directory
#   on a tmpfs of that size of its own ($E2E_WORKDIR/node/volumes/local-N, uid/gid 26, mode 0700), nodeAffinity to
#   the node, reclaim policy Retain (a released one is not reused).
# Why tmpfs: kubelet measures a `local:` volume with statfs of its mount (/stats/summary usedBytes/capacityBytes), so
# a file system of exactly the volume's size makes the figures the volume's own; hostPath volumes report no volume
# statistics at all, and a plain directory would report the machine's disk. tmpfs is RAM (a 1Gi fill costs 1 GiB).
# Without a CSI driver nothing grows the file system when the PVC's request grows: 34's SIMULATED step does what a CSI
# node plugin would (mount -o remount,size=...), with the PV's capacity and the PVC's status.
# The mounts are in the harness's private mount namespace and under the node's dir: node/lib.sh e2e_node_unmount
# unmounts them at teardown (and the namespace's end would drop them anyway).
set -euo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../lib.sh
source "$E2E_DIR/lib.sh"
# shellcheck source=lib.sh
source "$E2E_DIR/node/lib.sh"
: "${KUBECONFIG:?}" "${E2E_WORKDIR:?}"
size="${E2E_LOCAL_PV_SIZE:-512Mi}"
# tmpfs reads 512M as 512 MiB: the Kubernetes quantity's Mi/Gi without the i
tmpfs_size="${size%i}"
kubectl apply -f - >/dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: e2e-local}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
reclaimPolicy: Retain
EOF
for i in $(seq 1 "${E2E_LOCAL_PVS:-3}"); do
  dir="$E2E_WORKDIR/node/volumes/local-$i"
  mkdir -p "$dir"
  mountpoint -q "$dir" || mount -t tmpfs -o "size=$tmpfs_size,uid=26,gid=26,mode=0700" "e2e-local-$i" "$dir"
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolume
metadata: {name: e2e-local-pv-$i, labels: {e2e.function-postgresql/pool: local}}
spec:
  capacity: {storage: $size}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: e2e-local
  volumeMode: Filesystem
  local: {path: $dir}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$E2E_NODE_NAME]}]
EOF
done
e2e_log "node: StorageClass e2e-local and ${E2E_LOCAL_PVS:-3} local PersistentVolumes of $size (each a tmpfs of its own)"
