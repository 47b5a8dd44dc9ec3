#!/usr/bin/env bash
# Runs a CronOperation's template once, as an Operation, the way its schedule would, waits until it has Succeeded and
# prints its first step's output (status.pipeline[0].output, JSON) on stdout. For the suites that must not wait for a
# schedule (12-maintenance-clock, 33-cnpg-minor-update, 34-cnpg-autogrow). The Operation is left in place: the caller
# reads it and deletes it.
#
# Usage: test/e2e/run-operation.sh deploy/FILE.yaml OPERATION_NAME [TIMEOUT_SECONDS (120)]
#   FILE: a CronOperation manifest, relative to the repository root or absolute.
# On failure (no Succeeded in time) prints the Operation as YAML and exits 1.
set -euo pipefail
E2E_DIR="${E2E_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
repo="$(cd "$E2E_DIR/../.." && pwd)"
file="$1" op="$2" timeout="${3:-120}"
[[ "$file" == /* ]] || file="$repo/$file"
[[ -f "$file" ]] || { echo "run-operation.sh: no file $file" >&2; exit 1; }
# the CronOperation's spec.operationTemplate.spec, unchanged, under a new name (yaml is a dependency of the repo)
(cd "$repo" && FILE="$file" OP="$op" node --input-type=module -e '
  import { readFileSync } from "node:fs"; import { parse } from "yaml";
  const cron = parse(readFileSync(process.env.FILE, "utf8"));
  if (cron?.kind !== "CronOperation") throw new Error(`${process.env.FILE} is not a CronOperation`);
  console.log(JSON.stringify({ apiVersion: "ops.crossplane.io/v1alpha1", kind: "Operation", metadata: { name: process.env.OP }, spec: cron.spec.operationTemplate.spec }));
') | kubectl apply -f - >&2
kubectl wait --for=condition=Succeeded "operation.ops.crossplane.io/$op" --timeout="${timeout}s" >&2 \
  || { kubectl get "operation.ops.crossplane.io/$op" -o yaml >&2; exit 1; }
kubectl get "operation.ops.crossplane.io/$op" -o jsonpath='{.status.pipeline[0].output}'; echo
