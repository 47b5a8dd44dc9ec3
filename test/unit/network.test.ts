import { runFunction } from '../../src/function.js';
import { claim, firstRequest, type Doc } from '../support/requests.js';

function policy(parameters: Doc): Doc {
  return runFunction(firstRequest(claim(parameters, 'db', 'team-a'))).desired!.resources['network-policy']!.resource as Doc;
}
const rules = (p: Doc) => (p['spec'] as Doc)['ingress'] as Doc[];

describe('network policy', () => {
  it('selects the database pods and only restricts ingress', () => {
    const spec = policy({})['spec'] as Doc;
    expect(spec['podSelector']).toEqual({ matchLabels: { app: 'StackGresCluster', 'stackgres.io/cluster-name': 'db' } });
    expect(spec['policyTypes']).toEqual(['Ingress']);
  });

  it('lets clients in only from the claim namespace by default, on the PostgreSQL ports', () => {
    const clients = rules(policy({}))[2]!;
    expect(clients['from']).toEqual([{ podSelector: {} }]);
    expect(clients['ports']).toEqual([
      { port: 5432, protocol: 'TCP' },
      { port: 6432, protocol: 'TCP' },
    ]);
  });

  it('adds allowed namespaces and CIDRs, sorted and without duplicates or the own namespace', () => {
    const clients = rules(policy({ network: { allowedNamespaces: ['z', 'team-a', 'b', 'z'], allowedCIDRs: ['10.1.0.0/16', '10.0.0.0/8'] } }))[2]!;
    expect(clients['from']).toEqual([
      { podSelector: {} },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'z' } } },
      { ipBlock: { cidr: '10.0.0.0/8' } },
      { ipBlock: { cidr: '10.1.0.0/16' } },
    ]);
  });

  it.each([
    [true, 4],
    [false, 3],
  ])('monitoring %s gives %i rules (the metrics port only for Prometheus)', (enabled, count) => {
    const all = rules(policy({ monitoring: { enabled } }));
    expect(all).toHaveLength(count);
    if (enabled) expect(all[3]!['ports']).toEqual([{ port: 9187, protocol: 'TCP' }]);
  });

  it('lets the operator namespace from the function input reach the pods', () => {
    const req = firstRequest(claim({}));
    req.input = { ...req.input, platform: { engines: { stackgres: { operatorNamespace: 'sg-system' } } } };
    const spec = (runFunction(req).desired!.resources['network-policy']!.resource as Doc)['spec'] as Doc;
    expect((spec['ingress'] as Doc[])[1]).toEqual({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sg-system' } } }] });
  });
});
