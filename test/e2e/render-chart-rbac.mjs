// Renders the RBAC templates of Crossplane's Helm chart (ServiceAccounts, ClusterRoles, ClusterRoleBindings) with the
// chart's default values, for the e2e control plane (crossplane-rbac.sh). Helm isn't available here, and these
// templates use only a handful of constructs: each is handled explicitly, and anything else stops the render, so a
// chart that changes is noticed instead of half-rendered.
//
// Usage: node render-chart-rbac.mjs CHART_TEMPLATES_DIR RELEASE_NAMESPACE > rbac.yaml
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, namespace] = process.argv.slice(2);
if (!dir || !namespace) throw new Error('usage: render-chart-rbac.mjs CHART_TEMPLATES_DIR RELEASE_NAMESPACE');

const FILES = [
  'serviceaccount.yaml',
  'clusterrole.yaml',
  'clusterrolebinding.yaml',
  'rbac-manager-serviceaccount.yaml',
  'rbac-manager-clusterrole.yaml',
  'rbac-manager-clusterrolebinding.yaml',
  'rbac-manager-managed-clusterroles.yaml',
  'rbac-manager-allowed-provider-permissions.yaml',
];

// The chart's defaults (values.yaml): RBAC manager deployed with its aggregated roles, the ServiceAccount created by
// the chart, no image pull secrets, no custom annotations.
const CONDITIONS = {
  'if .Values.rbacManager.deploy': true,
  'if not .Values.rbacManager.skipAggregatedClusterRoles': true,
  'if .Values.serviceAccount.create': true,
  'if not .Values.serviceAccount.create': false,
  'with .Values.imagePullSecrets': false,
  'with .Values.serviceAccount.customAnnotations': false,
  'range $index, $secret := .': false,
};
const INLINE = {
  'template "crossplane.name" .': 'crossplane',
  '.Release.Namespace': namespace,
};

function render(file) {
  const out = [];
  const stack = []; // one entry per open block: is its current branch rendered?
  const live = () => stack.every(Boolean);
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    const directives = [...line.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)].map((m) => m[1]);
    const text = line.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, '').trim();
    if (directives.length > 0 && text === '') {
      for (const d of directives) {
        if (d === 'end') stack.pop();
        else if (d === 'else') stack.push(!stack.pop());
        else if (d.startsWith('include "crossplane.labels"')) continue; // Helm's bookkeeping labels: nothing RBAC needs
        else if (d in CONDITIONS) stack.push(CONDITIONS[d]);
        else if (live()) throw new Error(`${file}: unhandled template construct {{ ${d} }}`);
        else stack.push(false);
      }
      continue;
    }
    if (!live()) continue;
    out.push(
      line.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (_, d) => {
        if (!(d in INLINE)) throw new Error(`${file}: unhandled template expression {{ ${d} }}`);
        return INLINE[d];
      }),
    );
  }
  if (stack.length !== 0) throw new Error(`${file}: unbalanced blocks`);
  return out.join('\n').trim();
}

process.stdout.write(FILES.map(render).filter(Boolean).join('\n---\n') + '\n');
