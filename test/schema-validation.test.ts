/** Every object the function emits validates against its real CRD; the XRD and Composition against Crossplane's. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { render, claimToComposite, compositionFileFor, renderRequest } from '../src/render.js';
import { crdErrors } from './support/crds.js';
import { REPO } from './support/paths.js';
import { exampleClaim, settle, type Doc } from './support/requests.js';
import { runFunction } from '../src/function.js';
import { compositionInput, readDocuments } from '../src/cli/render-files.js';

const examples = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));
/** Kinds Kubernetes serves itself; the API server in the e2e suites checks them. */
const BUILT_IN = new Set(['v1/Secret', 'networking.k8s.io/v1/NetworkPolicy', 'v1/ConfigMap']);

describe.each(examples)('example %s', (example) => {
  // A claim or a namespaced XR, each with the platform choices of its own Composition.
  const doc = exampleClaim(example);
  const input = compositionInput(join(REPO, compositionFileFor(doc)))!;
  const first = render(claimToComposite(doc), { input, extra: readDocuments(join(REPO, 'test/fixtures/cluster.yaml')) });
  const steady = runFunction(settle(renderRequest(claimToComposite(doc), { input })).req);
  const objects = [
    ...first.documents.slice(1).filter((d) => d['kind'] !== 'Result'),
    ...Object.values(steady.desired!.resources).map((r) => r.resource as Doc),
  ];

  it('composes something', () => expect(objects.length).toBeGreaterThan(0));

  it.each(objects.map((o) => [`${String(o['kind'])} ${String((o['metadata'] as Doc)['name'])}`, o] as const))(
    '%s validates against its CRD',
    (_name, object) => {
      const errors = crdErrors(object);
      if (errors === 'no-crd') expect(BUILT_IN.has(`${String(object['apiVersion'])}/${String(object['kind'])}`)).toBe(true);
      else expect(errors).toEqual([]);
    },
  );
});

describe('Crossplane definitions', () => {
  const yamlFile = (path: string) => parse(readFileSync(join(REPO, path), 'utf8')) as Doc;

  it.each([
    ['crossplane-v2', 'xrds/xpostgresqlinstances.dbaas.dev.yaml'],
    ['crossplane-v1', 'xrds/xpostgresqlinstances.dbaas.dev.yaml'],
    ['crossplane-v2', 'compositions/xpostgresqlinstances.dbaas.dev.yaml'],
    ['crossplane-v1', 'compositions/xpostgresqlinstances.dbaas.dev.yaml'],
    // Namespaced XRs are Crossplane 2's: its CRDs only.
    ['crossplane-v2', 'xrds/postgresqls.dbaas.dev.yaml'],
    ['crossplane-v2', 'compositions/postgresqls.dbaas.dev.yaml'],
  ])('%s accepts %s', (folder, path) => {
    expect(crdErrors(yamlFile(path), folder)).toEqual([]);
  });

  it('the validator catches a field the CRD does not know (a test that can fail)', () => {
    const bogus = { apiVersion: 'stackgres.io/v1', kind: 'SGInstanceProfile', metadata: { name: 'x' }, spec: { cpu: '1', memory: '1Gi', cpus: 2 } };
    expect(crdErrors(bogus)).not.toEqual([]);
  });

  it('catches a field the CloudNativePG Cluster CRD does not know', () => {
    const bogus = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'x' }, spec: { instances: 1, storage: { size: '1Gi' }, replicas: 2 } };
    expect(crdErrors(bogus)).not.toEqual([]);
    expect(crdErrors({ ...bogus, spec: { instances: 1, storage: { size: '1Gi' } } })).toEqual([]);
  });

  it("catches a field Zalando's postgresql CRD does not know, and a maintenance window its RE2 pattern refuses", () => {
    const spec = { teamId: 't', numberOfInstances: 1, volume: { size: '1Gi' }, postgresql: { version: '17' } };
    const pg = { apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', metadata: { name: 'x' } };
    expect(crdErrors({ ...pg, spec })).toEqual([]);
    expect(crdErrors({ ...pg, spec: { ...spec, instances: 2 } })).not.toEqual([]);
    expect(crdErrors({ ...pg, spec: { ...spec, maintenanceWindows: [' Sat:01:00-06:00 '] } })).toEqual([]);
    expect(crdErrors({ ...pg, spec: { ...spec, maintenanceWindows: ['Saturday 1am'] } })).not.toEqual([]);
  });
});
