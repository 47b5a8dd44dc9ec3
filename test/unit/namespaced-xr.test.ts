/**
 * One function serves the PostgreSQLInstance claim (its cluster-scoped XR) and Crossplane 2's namespaced PostgreSQL
 * XR. The composed objects are the same apart from what must differ: the XR's name in the dbaas.dev/composite label
 * (a claim's XR has a generated suffix), the desired XR's own metadata, and the XR connection details a namespaced XR
 * doesn't have (the composed connection Secret carries the same keys).
 */
import { Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { claimToComposite, renderRequest } from '../../src/render.js';
import { seededRandom } from '../../src/util/random.js';
import { answerComposing, claim, compositionInput, secretValue, settle, type Doc } from '../support/requests.js';

const NAME = 'app-db';
const NAMESPACE = 'team-a';
// claimToComposite names a claim's XR <claim>-<5 hex of a hash>, as Crossplane adds five random characters.
const CLAIM_XR_NAME = /^app-db-[0-9a-f]{5}$/;

const UID = '0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d';

function namespacedXr(parameters: Doc, uid?: string): Doc {
  const metadata = { name: NAME, namespace: NAMESPACE, ...(uid ? { uid } : {}) };
  return { apiVersion: 'dbaas.dev/v1alpha1', kind: 'PostgreSQL', metadata, spec: { parameters: structuredClone(parameters) } };
}

/** The Composition's platform choices with backups through provider-upjet-aws, whose `.m.` Bucket is namespaced. */
function inputWith(storage: string): Doc {
  const input = structuredClone(compositionInput());
  ((input['platform'] as Doc)['backup'] = { storage });
  return input;
}

function request(doc: Doc, input: Doc): RunFunctionRequest {
  return renderRequest(claimToComposite(doc), { input });
}

function claimXrName(req: RunFunctionRequest): string {
  return String((req.observed!.composite!.resource!['metadata'] as Doc)['name']);
}

const fatal = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);

describe('a namespaced PostgreSQL and a PostgreSQLInstance claim', () => {
  it.each([
    ['StackGres, defaults', { engine: 'stackgres' }],
    ['StackGres, users and settings', { engine: 'stackgres', instances: 2, users: [{ name: 'app', grants: [{ database: 'app', privileges: 'owner' }] }], databases: [{ name: 'app' }] }],
    ['CloudNativePG', { engine: 'cloudnativepg' }],
  ])('%s: the same composed objects in steady state, but for the XR name in one label (on the object and its volumes) and the archive folder', (_, parameters) => {
    const input = inputWith('aws');
    const fromClaim = request(claim(parameters, NAME, NAMESPACE), input);
    const xrName = claimXrName(fromClaim);
    expect(xrName).toMatch(CLAIM_XR_NAME);
    const viaClaim = settle(fromClaim, 'same').rsp;
    const viaXr = settle(request(namespacedXr(parameters, UID), input), 'same').rsp;
    expect(fatal(viaClaim)).toEqual([]);
    expect(fatal(viaXr)).toEqual([]);
    expect(Object.keys(viaXr.desired!.resources)).toEqual(Object.keys(viaClaim.desired!.resources));
    for (const [key, composed] of Object.entries(viaClaim.desired!.resources)) {
      // The only differences allowed: the XR's name in the dbaas.dev/composite label (on the object, and on the
      // volumes the operator makes, where the disk-autogrow Operation finds them), and the folder of the archive
      // in the bucket (CloudNativePG's serverName), unique to the XR's lifetime: the claim's XR name has a random
      // suffix, the namespaced XR's is the start of its uid. (Names of composed objects, the bucket's too, are made
      // from the claim's or the namespaced XR's name and namespace, the same here.)
      const text = JSON.stringify(composed.resource)
        .replaceAll(`"serverName":"${xrName}"`, '"serverName":"app-db-0a1b2"')
        .replaceAll(`"dbaas.dev/composite":"${xrName}"`, `"dbaas.dev/composite":"${NAME}"`);
      const expected = JSON.parse(text) as Doc;
      ((expected['metadata'] as Doc)['labels'] as Doc)['dbaas.dev/composite'] = NAME;
      expect({ key, object: viaXr.desired!.resources[key]!.resource }).toEqual({ key, object: expected });
      expect(((viaClaim.desired!.resources[key]!.resource!['metadata'] as Doc)['labels'] as Doc)['dbaas.dev/composite']).toBe(xrName);
      expect(((viaXr.desired!.resources[key]!.resource!['metadata'] as Doc)['labels'] as Doc)['dbaas.dev/composite']).toBe(NAME);
    }
    expect(viaXr.conditions).toEqual(viaClaim.conditions);
  });

  it('the desired XR: the namespaced one keeps its namespace and has no connection details; the claim XR has them', () => {
    const input = inputWith('aws');
    const viaClaim = settle(request(claim({}, NAME, NAMESPACE), input), 'same').rsp;
    const viaXr = settle(request(namespacedXr({}), input), 'same').rsp;
    expect(viaXr.desired!.composite!.resource!['metadata']).toEqual({ name: 'app-db', namespace: 'team-a' });
    expect(viaXr.desired!.composite!.resource!['kind']).toBe('PostgreSQL');
    expect(viaXr.desired!.composite!.connectionDetails).toEqual({});
    expect(viaClaim.desired!.composite!.resource!['metadata']).toEqual({ name: claimXrName(request(claim({}, NAME, NAMESPACE), input)) });
    const claimKeys = Object.keys(viaClaim.desired!.composite!.connectionDetails).sort();
    expect(claimKeys).toEqual(expect.arrayContaining(['host', 'password', 'port', 'username']));
    // Nothing is lost: every key the claim's connection secret gets is in the composed Secret of the namespaced XR.
    for (const key of claimKeys) {
      expect({ key, value: secretValue(viaXr, 'connection-secret', key) }).toEqual({
        key,
        value: viaClaim.desired!.composite!.connectionDetails[key]!.toString('utf8'),
      });
    }
  });

  it('refuses MinIO backups for a namespaced XR (cluster-scoped provider-minio objects), naming the field, changing nothing', () => {
    const req = request(namespacedXr({}), inputWith('minio'));
    req.desired = { composite: undefined, resources: { earlier: { resource: { kind: 'ConfigMap' }, connectionDetails: {}, ready: 0 } } };
    const rsp = runFunction(req, { random: seededRandom('x') });
    expect(fatal(rsp)).toHaveLength(1);
    expect(fatal(rsp)[0]).toContain('spec.parameters.backup.enabled: this platform keeps backups in MinIO buckets');
    expect(rsp.desired).toEqual(req.desired);
  });

  it.each([
    ['a namespaced XR without backups on a MinIO platform', namespacedXr({ backup: { enabled: false } }), 'minio'],
    ['a claim on a MinIO platform', claim({}, NAME, NAMESPACE), 'minio'],
    ['a namespaced XR on a shared-bucket platform', namespacedXr({}, UID), 'bucket'],
  ])('composes %s', (_, doc, storage) => {
    const input = inputWith(storage);
    if (storage === 'bucket') (input['platform'] as Doc)['backup'] = { storage, bucket: 'pg-backups', credentialsSecret: 'pg-backup-credentials' };
    const rsp = runFunction(request(doc, input), { random: seededRandom('x') });
    expect(fatal(rsp)).toEqual([]);
    expect(rsp.desired!.resources['connection-secret']).toBeDefined();
  });

  it.each([
    ['with a uid, its start names the folder', UID, 'team-a/app-db-0a1b2'],
    ['without one (a render), its name', undefined, 'team-a/app-db'],
  ])('a namespaced XR in a shared bucket: %s', (_, uid, prefix) => {
    const input = inputWith('bucket');
    (input['platform'] as Doc)['backup'] = { storage: 'bucket', bucket: 'pg-backups', credentialsSecret: 'pg-backup-credentials' };
    const rsp = answerComposing(request(namespacedXr({}, uid), input), 'sg-cluster');
    const paths = JSON.stringify(rsp.desired!.resources['sg-cluster']!.resource).match(/"path":"[^"]*"/g);
    expect(paths).toEqual([`"path":"${prefix}"`]);
  });

  it.each([
    ['x'.repeat(64), 'metadata.name: must be at most 63'],
    ['Orders', 'metadata.name: must be at most 63'],
  ])('a namespaced XR named %j is refused, naming metadata.name', (name, message) => {
    const doc = namespacedXr({});
    (doc['metadata'] as Doc)['name'] = name;
    const rsp = runFunction(request(doc, inputWith('aws')), { random: seededRandom('x') });
    expect(fatal(rsp)).toHaveLength(1);
    expect(fatal(rsp)[0]).toContain(message);
  });

  it('a cluster-scoped XR with neither claim labels nor a namespace is refused', () => {
    const req = request(claim({}, NAME, NAMESPACE), inputWith('aws'));
    delete ((req.observed!.composite!.resource!['metadata'] as Doc)['labels'] as Doc)['crossplane.io/claim-namespace'];
    const rsp = runFunction(req, { random: seededRandom('x') });
    expect(fatal(rsp)[0]).toContain('this cluster-scoped XR has no claim');
  });
});
