/**
 * One NetworkPolicy per instance. Clients reach only the PostgreSQL ports, and only from the claim's namespace, the
 * allowed namespaces and CIDRs; the instance's pods reach each other (replication, the pooler), the engine's operator
 * reaches them (on the ports the engine names, or all of them), and Prometheus reaches the metrics ports when
 * monitoring is on. Everything else is denied.
 */
import type { V1NetworkPolicyPeer, V1NetworkPolicyPort, V1NetworkPolicySpec } from '@kubernetes/client-node';
import type { DatabaseEngine } from '../engines/engine.js';
import { commonLabels } from './labels.js';
import { objectName } from './names.js';
import type { ComposeContext, KubeObject } from './types.js';

export const NETWORK_POLICY_KEY = 'network-policy';

/** client-node's own rule type names `from` as `_from` (its serializer renames it); this is the wire shape. */
interface IngressRule {
  from: V1NetworkPolicyPeer[];
  ports?: V1NetworkPolicyPort[];
}

const namespacePeer = (namespace: string): V1NetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
});
const tcp = (port: number): V1NetworkPolicyPort => ({ port, protocol: 'TCP' });

function operatorRule(namespace: string, ports: readonly number[]): IngressRule {
  return ports.length > 0 ? { from: [namespacePeer(namespace)], ports: ports.map(tcp) } : { from: [namespacePeer(namespace)] };
}

export function networkPolicy(ctx: ComposeContext, engine: DatabaseEngine): KubeObject {
  const { instance, platform } = ctx;
  const p = instance.parameters;
  const pods = engine.podSelector(ctx);
  const otherNamespaces = [...new Set(p.network.allowedNamespaces)].filter((n) => n !== instance.namespace).sort();
  const cidrs = [...new Set(p.network.allowedCIDRs)].sort();
  const ingress: IngressRule[] = [
    { from: [{ podSelector: { matchLabels: pods } }] },
    operatorRule(engine.operatorNamespace(ctx), engine.operatorPorts),
    {
      from: [
        { podSelector: {} },
        ...otherNamespaces.map(namespacePeer),
        ...cidrs.map((cidr) => ({ ipBlock: { cidr } })),
      ],
      ports: engine.clientPorts.map(tcp),
    },
  ];
  if (p.monitoring.enabled) {
    ingress.push({ from: [namespacePeer(platform.monitoringNamespace)], ports: engine.metricsPorts.map(tcp) });
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: objectName(instance, 'ingress'), namespace: instance.namespace, labels: commonLabels(instance) },
    spec: { podSelector: { matchLabels: pods }, policyTypes: ['Ingress'], ingress } satisfies Omit<V1NetworkPolicySpec, 'ingress'> & { ingress: IngressRule[] },
  };
}
