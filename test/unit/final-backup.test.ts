/**
 * Backup before delete: what the composition holds, the Operation's next step for a gate, the whole operation-mode
 * request, the Operations the platform ships, and a new claim restoring from a deleted instance's final backup.
 */
import { Ready, Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runFunction } from '../../src/function.js';
import { nextStep, type Gate, type Step } from '../../src/ops/final-backup.js';
import { cloudnativepg } from '../../src/engines/cloudnativepg/engine.js';
import { crdErrors } from '../support/crds.js';
import { REPO } from '../support/paths.js';
import { claim, claimXr, firstRequest, settle, type Doc } from '../support/requests.js';

const BACKUPS_ON = { backup: { finalBackupOnDelete: true } };
const resourcesOf = (rsp: RunFunctionResponse) => Object.fromEntries(Object.entries(rsp.desired?.resources ?? {}).map(([k, r]) => [k, r.resource as Doc]));
const REFUSED = 'cannot compose this PostgreSQLInstance, nothing was changed: ';
const fatal = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message.replace(REFUSED, ''));
const statusOf = (rsp: RunFunctionResponse) => (rsp.desired?.composite?.resource?.['status'] ?? {}) as Doc;

describe('the composition holds what the final backup needs', () => {
  it.each<[string, string, [string, string][]]>([
    ['cloudnativepg', 'Backup', [['Cluster', 'app-db'], ['ObjectStore', 'app-db-backups']]],
    ['stackgres', 'SGBackup', [['SGCluster', 'app-db'], ['SGObjectStorage', 'app-db-backups']]],
  ])('%s: a Usage of each, used by the gate ConfigMap, carrying the %s to take', (engine, backupKind, held) => {
    const { rsp } = settle(firstRequest(claim({ engine, ...BACKUPS_ON })));
    expect(fatal(rsp)).toEqual([]);
    const usages = Object.values(resourcesOf(rsp)).filter((o) => o['kind'] === 'Usage' && (o['metadata'] as Doc)['labels'] && ((o['metadata'] as Doc)['labels'] as Doc)['dbaas.dev/final-backup'] === 'gate');
    expect(usages.map((u) => [((u['spec'] as Doc)['of'] as Doc)['kind'], (((u['spec'] as Doc)['of'] as Doc)['resourceRef'] as Doc)['name']])).toEqual(held);
    for (const u of usages) {
      expect(crdErrors(u, 'crossplane-v2')).toEqual([]);
      expect((u['spec'] as Doc)['by']).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', resourceRef: { name: 'app-db-final-backup' } });
      expect((u['spec'] as Doc)['replayDeletion']).toBe(true);
      expect(((u['metadata'] as Doc)['labels'] as Doc)['dbaas.dev/final-backup-engine']).toBe(engine);
      const backup = JSON.parse(String(((u['metadata'] as Doc)['annotations'] as Doc)['dbaas.dev/final-backup'])) as Doc;
      expect(backup['kind']).toBe(backupKind);
      expect(crdErrors(backup)).toEqual([]);
      expect((backup['metadata'] as Doc)['name']).toBe('app-db-f6b35-final');
      expect((backup['metadata'] as Doc)['labels']).toEqual({
        'dbaas.dev/final-backup': 'backup',
        'dbaas.dev/final-backup-of': 'app-db',
        'dbaas.dev/final-backup-gate': 'app-db-final-backup',
      });
    }
    expect(statusOf(rsp)['finalBackup']).toBe('not armed yet: waiting for the final-backup Operation');
  });

  it('the status says armed once the gate exists', () => {
    const { req } = settle(firstRequest(claim({ engine: 'cloudnativepg', ...BACKUPS_ON })));
    const asked = runFunction(req).requirements!.resources['final-backup-gate'];
    expect(asked).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'team-a',
      matchLabels: {
        labels: {
          'dbaas.dev/final-backup': 'gate',
          'app.kubernetes.io/instance': 'app-db',
          'app.kubernetes.io/managed-by': 'function-postgresql',
          'app.kubernetes.io/name': 'postgresql',
          'dbaas.dev/composite': 'app-db-f6b35',
        },
      },
    });
    const gate = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-db-final-backup', namespace: 'team-a' } };
    req.requiredResources = { ...req.requiredResources, 'final-backup-gate': { items: [{ resource: gate, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }] } };
    expect(statusOf(runFunction(req))['finalBackup']).toBe('armed: deleting the instance takes a backup first');
  });

  it('nothing is held, and no status said, without it', () => {
    const { rsp } = settle(firstRequest(claim({ engine: 'cloudnativepg' })));
    expect(Object.keys(resourcesOf(rsp)).filter((k) => k.startsWith('final-backup'))).toEqual([]);
    expect(statusOf(rsp)['finalBackup']).toBeUndefined();
  });

  it.each<[string, Doc, string]>([
    ['zalando', { engine: 'zalando', ...BACKUPS_ON }, "zalando takes no backup when the instance is deleted yet: remove it; the backups already in the bucket outlive the instance under the platform's retention (retainAfterDeletionDays)"],
    ['no backups', { engine: 'cloudnativepg', backup: { enabled: false, finalBackupOnDelete: true } }, 'a final backup needs somewhere to go: set backup.enabled to true, or remove finalBackupOnDelete'],
  ])('refused: %s', (_, parameters, message) => {
    expect(fatal(runFunction(firstRequest(claim(parameters))))).toEqual([`spec.parameters.backup.finalBackupOnDelete: ${message}`]);
  });
});

// ---- the Operation's next step ----

const COMPLETED = { status: { phase: 'completed' } };
const FAILED = { status: { phase: 'failed', error: 'no space left on device' } };
const usage = (deleting = false): Doc => ({ metadata: { name: 'u', ...(deleting ? { deletionTimestamp: '2026-12-02T10:00:00Z' } : {}) } });
const backup = (attempt: number, status: Doc = {}): Doc => ({ metadata: { name: `db-final${attempt > 1 ? `-${attempt}` : ''}`, labels: { 'dbaas.dev/final-backup-attempt': String(attempt) } }, ...status });
const gate = (over: Partial<Gate>): Gate => ({
  namespace: 'shop',
  name: 'db-final-backup',
  usages: [usage()],
  configMap: { metadata: { name: 'db-final-backup', uid: 'cm-1' } },
  xrUid: 'xr-1',
  xrAlive: true,
  backups: [],
  engine: cloudnativepg.finalBackup,
  ...over,
});

describe('nextStep: what the Operation does for one gate', () => {
  it.each<[string, Partial<Gate>, Step]>([
    ['a new instance: arm it', { configMap: undefined }, { do: 'arm' }],
    ['armed, the instance lives', {}, { do: 'none', why: 'armed' }],
    ['its XR went before it was armed: nothing to do, the Usages go alone', { configMap: undefined, xrAlive: false }, { do: 'none', why: 'the instance went before it was armed' }],
    ['its Usages go while the XR lives, unarmed: not armed again', { configMap: undefined, usages: [usage(true)] }, { do: 'none', why: 'its Usages are going' }],
    ['finalBackupOnDelete turned off: the Usages are deleted and wait for the gate', { usages: [usage(true)] }, { do: 'release', why: 'finalBackupOnDelete was turned off' }],
    ['the Usages are gone while the XR lives', { usages: [] }, { do: 'release', why: 'finalBackupOnDelete was turned off' }],
    ['the XR is gone: the first backup', { xrAlive: false }, { do: 'backup', attempt: 1 }],
    ['it runs', { xrAlive: false, backups: [backup(1)] }, { do: 'wait', why: 'final backup db-final runs' }],
    ['it completed: let go', { xrAlive: false, backups: [backup(1, COMPLETED)] }, { do: 'release', why: 'final backup db-final completed' }],
    ['it failed: again', { xrAlive: false, backups: [backup(1, FAILED)] }, { do: 'backup', attempt: 2 }],
    ['the second failed too: a third', { xrAlive: false, backups: [backup(2, FAILED), backup(1, FAILED)] }, { do: 'backup', attempt: 3 }],
    ['the third completed', { xrAlive: false, backups: [backup(1, FAILED), backup(3, COMPLETED), backup(2, FAILED)] }, { do: 'release', why: 'final backup db-final-3 completed' }],
    [
      'three failed: held until a person acts',
      { xrAlive: false, backups: [backup(1, FAILED), backup(2, FAILED), backup(3, FAILED)] },
      { do: 'hold', why: 'final backup db-final-3 failed (no space left on device), attempt 3 of 3' },
    ],
    ['nothing held any more: the gate goes', { xrAlive: false, usages: [] }, { do: 'release', why: 'nothing is held any more' }],
    ['an engine it does not know: held', { xrAlive: false, engine: undefined }, { do: 'hold', why: 'its Usages name no engine that takes final backups' }],
  ])('%s', (_, over, expected) => expect(nextStep(gate(over))).toEqual(expected));
});

// ---- the whole operation-mode request ----

const INPUT = { apiVersion: 'postgresql.fn.dbaas.dev/v1beta1', kind: 'FinalBackup' };
const items = (...docs: Doc[]) => ({ items: docs.map((resource) => ({ resource, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED })) });
function opRequest(required: Record<string, Doc[]> | undefined): RunFunctionRequest {
  const requiredResources = Object.fromEntries(Object.entries(required ?? {}).map(([k, v]) => [k, items(...v)]));
  return { meta: { tag: 'op', capabilities: [] }, input: INPUT, context: {}, credentials: {}, requiredResources, extraResources: {}, requiredSchemas: {} } as unknown as RunFunctionRequest;
}

describe('the final-backup Operation (operation mode)', () => {
  const xr = claimXr('orders', 'shop', { engine: 'cloudnativepg', ...BACKUPS_ON }, { uid: 'xr-uid-1' });
  const manifest = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name: 'orders-x7k2p-final', namespace: 'shop', labels: { 'dbaas.dev/final-backup': 'backup', 'dbaas.dev/final-backup-gate': 'orders-final-backup', 'dbaas.dev/final-backup-of': 'orders' } },
    spec: { cluster: { name: 'orders' }, method: 'plugin', pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' } },
  };
  const gateUsage = (of: string, extra: Doc = {}): Doc => ({
    apiVersion: 'protection.crossplane.io/v1beta1',
    kind: 'Usage',
    metadata: {
      name: `orders-final-backup-${of.toLowerCase()}`,
      namespace: 'shop',
      labels: { 'dbaas.dev/composite': 'orders-x7k2p', 'dbaas.dev/final-backup': 'gate', 'dbaas.dev/final-backup-engine': 'cloudnativepg' },
      annotations: { 'dbaas.dev/final-backup': JSON.stringify(manifest) },
      ownerReferences: [{ apiVersion: 'dbaas.dev/v1alpha1', kind: 'XPostgreSQLInstance', name: 'orders-x7k2p', uid: 'xr-uid-1', controller: true }],
      ...extra,
    },
    spec: { of: { apiVersion: 'postgresql.cnpg.io/v1', kind: of, resourceRef: { name: 'orders' } }, by: { apiVersion: 'v1', kind: 'ConfigMap', resourceRef: { name: 'orders-final-backup' } } },
  });
  const gateMap: Doc = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orders-final-backup', namespace: 'shop', uid: 'cm-uid-9', annotations: { 'dbaas.dev/xr-uid': 'xr-uid-1' } } };
  const read = (xrs: Doc[], configMaps: Doc[], backups?: Doc[]): Record<string, Doc[]> => ({
    'final-backup-usages': [gateUsage('Cluster'), gateUsage('ObjectStore')],
    'final-backup-gates': configMaps,
    xpostgresqlinstances: xrs,
    postgresqls: [],
    ...(backups ? { 'final-backups.cloudnativepg': backups } : {}),
  });

  it('asks for the gates and XRs, then for the backups of the engines the gates name', () => {
    expect(Object.keys(runFunction(opRequest(undefined)).requirements!.resources).sort()).toEqual(['final-backup-gates', 'final-backup-usages', 'postgresqls', 'xpostgresqlinstances']);
    const second = runFunction(opRequest(read([xr], [])));
    expect(second.requirements!.resources['final-backups.cloudnativepg']).toEqual({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      namespace: '',
      matchLabels: { labels: { 'dbaas.dev/final-backup': 'backup' } },
    });
    expect(second.desired?.resources ?? {}).toEqual({});
  });

  it('arms a new instance: the gate, labelled as its Usages, with the XR it belongs to', () => {
    const rsp = runFunction(opRequest(read([xr], [], [])));
    expect(rsp.results).toEqual([]);
    expect(resourcesOf(rsp)).toEqual({
      'gate.shop.orders-final-backup': {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'orders-final-backup',
          namespace: 'shop',
          labels: { 'dbaas.dev/composite': 'orders-x7k2p', 'dbaas.dev/final-backup': 'gate' },
          annotations: { 'dbaas.dev/xr-uid': 'xr-uid-1' },
        },
        data: { purpose: 'While this exists, Crossplane Usages keep the instance until its final backup completed (function-postgresql).' },
      },
    });
    expect(rsp.output).toEqual({ gates: 1, armed: ['shop/orders-final-backup'], backingUp: [], waiting: [], released: [], held: [] });
    expect(rsp.meta?.ttl?.seconds).toBe(0);
  });

  it('the XR gone: takes the backup the Usages carry, labelled with its attempt', () => {
    const rsp = runFunction(opRequest(read([], [gateMap], [])));
    const taken = resourcesOf(rsp)['backup.shop.orders-x7k2p-final']!;
    expect(taken).toEqual({ ...manifest, metadata: { ...manifest.metadata, labels: { ...manifest.metadata.labels, 'dbaas.dev/final-backup-attempt': '1' } } });
    expect(crdErrors(taken)).toEqual([]);
  });

  it('another XR of the same name is not this one', () => {
    const again = claimXr('orders', 'shop', { engine: 'cloudnativepg', ...BACKUPS_ON }, { uid: 'xr-uid-2' });
    expect(Object.keys(resourcesOf(runFunction(opRequest(read([again], [gateMap], [])))))).toEqual(['backup.shop.orders-x7k2p-final']);
  });

  it('the backup completed: the gate is given an owner that does not exist, so the garbage collector deletes it', () => {
    const done = { ...manifest, metadata: { ...manifest.metadata, labels: { ...manifest.metadata.labels, 'dbaas.dev/final-backup-attempt': '1' } }, ...COMPLETED };
    const rsp = runFunction(opRequest(read([], [gateMap], [done])));
    expect(resourcesOf(rsp)).toEqual({
      'gate.shop.orders-final-backup': {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'orders-final-backup',
          namespace: 'shop',
          ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'orders-final-backup-released', uid: 'cm-uid-9-released' }],
        },
      },
    });
    expect(rsp.output).toMatchObject({ released: ['shop/orders-final-backup: final backup orders-x7k2p-final completed'] });
  });

  it('held after the last attempt failed: the gate says why', () => {
    const failed = [1, 2, 3].map((n) => ({ ...manifest, metadata: { ...manifest.metadata, name: `x-${n}`, labels: { ...manifest.metadata.labels, 'dbaas.dev/final-backup-attempt': String(n) } }, ...FAILED }));
    const gateOut = resourcesOf(runFunction(opRequest(read([], [gateMap], failed))))['gate.shop.orders-final-backup']!;
    expect((gateOut['metadata'] as Doc)['annotations']).toEqual({ 'dbaas.dev/final-backup-failed': 'final backup x-3 failed (no space left on device), attempt 3 of 3' });
    expect((gateOut['metadata'] as Doc)['ownerReferences']).toBeUndefined();
  });

  it('a Usage annotation someone broke: no backup is made up, the run says so and holds', () => {
    const broken = (of: string) => ({ ...gateUsage(of), metadata: { ...(gateUsage(of)['metadata'] as Doc), annotations: { 'dbaas.dev/final-backup': '{not json' } } });
    const req = opRequest({ ...read([], [gateMap], []), 'final-backup-usages': [broken('Cluster'), broken('ObjectStore')] });
    const rsp = runFunction(req);
    expect(resourcesOf(rsp)).toEqual({});
    expect(rsp.output).toMatchObject({ backingUp: ['shop/orders-final-backup: its Usages carry no backup to take'] });
  });

  it('refuses its input in a Composition', () => {
    const req = { ...opRequest(undefined), observed: { composite: { resource: xr, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }, resources: {} } } as RunFunctionRequest;
    expect(fatal(runFunction(req))).toEqual(["input.kind: FinalBackup belongs in an Operation's pipeline (it takes backups of deleted instances), not in a Composition"]);
  });
});

describe('the Operations the platform ships (deploy/final-backup.yaml)', () => {
  const docs = parseAllDocuments(readFileSync(join(REPO, 'deploy/final-backup.yaml'), 'utf8')).map((d) => d.toJS() as Doc);

  it('a WatchOperation on the gate Usages and a CronOperation, valid, calling the function with its input and asking up front for what it asks first', () => {
    expect(docs.map((d) => d['kind'])).toEqual(['WatchOperation', 'CronOperation']);
    const asked = runFunction(opRequest(undefined)).requirements!.resources;
    for (const doc of docs) {
      expect(crdErrors(doc, 'crossplane-v2')).toEqual([]);
      const step = ((((doc['spec'] as Doc)['operationTemplate'] as Doc)['spec'] as Doc)['pipeline'] as Doc[])[0]!;
      expect(step['input']).toEqual(INPUT);
      const bootstrap = ((step['requirements'] as Doc)['requiredResources'] as Doc[]).map((r) => [r['requirementName'], r['apiVersion'], r['kind'], r['matchLabels'] ?? {}]);
      expect(bootstrap.sort()).toEqual(Object.entries(asked).map(([name, s]) => [name, s.apiVersion, s.kind, s.matchLabels?.labels ?? {}]).sort());
    }
    expect((docs[0]!['spec'] as Doc)['watch']).toEqual({ apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', matchLabels: { 'dbaas.dev/final-backup': 'gate' } });
  });
});

// ---- restoring a deleted instance ----

describe('a new claim restores a deleted instance from its final backup (cloudnativepg)', () => {
  const archive = {
    configuration: { destinationPath: 's3://backups/team-a/src-x7k2p', endpointURL: 'http://s3:9000', s3Credentials: { accessKeyId: { name: 'backup-s3', key: 'AWS_ACCESS_KEY_ID' }, secretAccessKey: { name: 'backup-s3', key: 'AWS_SECRET_ACCESS_KEY' } } },
    serverName: 'src-x7k2p',
    storage: 'bucket',
  };
  const final = (over: Doc = {}): Doc => ({
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: {
      name: 'src-x7k2p-final',
      namespace: 'team-a',
      labels: { 'dbaas.dev/final-backup': 'backup', 'dbaas.dev/final-backup-of': 'src' },
      annotations: { 'dbaas.dev/archive': JSON.stringify(archive) },
    },
    spec: { cluster: { name: 'src' }, method: 'plugin' },
    status: { phase: 'completed', backupId: '20261202T101010', stoppedAt: '2026-12-02T10:10:12Z' },
    ...over,
  });
  const restoring = (backups: Doc[], restore: Doc = { fromInstance: 'src' }) => {
    const req = firstRequest(claim({ engine: 'cloudnativepg', restore }, 'dst'));
    req.requiredResources = { 'cnpg-backups': items(...backups), 'cnpg-clusters': items() };
    return req;
  };

  it('composes an ObjectStore onto the archive the final backup names, and the cluster recovers that backup through it', () => {
    let req = restoring([final()]);
    let rsp = runFunction(req);
    expect(fatal(rsp)).toEqual([]);
    const origin = resourcesOf(rsp)['cnpg-origin-store']!;
    expect(origin).toEqual({
      apiVersion: 'barmancloud.cnpg.io/v1',
      kind: 'ObjectStore',
      metadata: {
        name: 'dst-origin',
        namespace: 'team-a',
        labels: { 'app.kubernetes.io/instance': 'dst', 'app.kubernetes.io/managed-by': 'function-postgresql', 'app.kubernetes.io/name': 'postgresql', 'dbaas.dev/composite': 'dst-c17f3', 'dbaas.dev/final-backup-of': 'src' },
      },
      spec: { configuration: archive.configuration },
    });
    expect(crdErrors(origin)).toEqual([]);
    // The cluster waits until what it reads exists.
    for (let pass = 0; pass < 3 && !resourcesOf(rsp)['cnpg-cluster']; pass++) {
      const observed = Object.fromEntries(Object.entries(rsp.desired!.resources).map(([k, r]) => [k, { resource: r.resource, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }]));
      req = { ...req, observed: { composite: req.observed!.composite, resources: observed } } as RunFunctionRequest;
      rsp = runFunction(req);
    }
    const spec = resourcesOf(rsp)['cnpg-cluster']!['spec'] as Doc;
    expect(spec['bootstrap']).toEqual({
      recovery: { source: 'origin', database: 'postgres', owner: 'postgres', secret: { name: 'dst-superuser' }, recoveryTarget: { backupID: '20261202T101010' } },
    });
    expect(spec['externalClusters']).toEqual([{ name: 'origin', plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'dst-origin', serverName: 'src-x7k2p' } } }]);
  });

  it.each<[string, Doc[], Doc, string]>([
    ['no instance and no final backup', [], { fromInstance: 'src' }, 'spec.parameters.restore.fromInstance: there is no instance "src" in namespace team-a, nor a final backup of one (backup.finalBackupOnDelete)'],
    ['a final backup still running', [final({ status: { phase: 'running' } })], { fromInstance: 'src' }, 'spec.parameters.restore.fromInstance: instance "src" has no successful backup yet'],
    [
      'a MinIO bucket of its own',
      [final({ metadata: { ...(final()['metadata'] as Doc), annotations: { 'dbaas.dev/archive': JSON.stringify({ ...archive, storage: 'minio' }) } } })],
      { fromInstance: 'src' },
      'spec.parameters.restore.fromInstance: instance "src" kept its backups in a MinIO bucket of its own, whose keys went with it: ask the platform team to restore it',
    ],
    ['a scheduled backup is no final backup', [final({ metadata: { name: 'src-nightly', namespace: 'team-a' } })], { fromInstance: 'src' }, 'spec.parameters.restore.fromInstance: there is no instance "src" in namespace team-a, nor a final backup of one (backup.finalBackupOnDelete)'],
  ])('refused: %s', (_, backups, restore, message) => {
    expect(fatal(runFunction(restoring(backups, restore)))).toEqual([message]);
  });
});

describe('a new claim restores a deleted instance from its final backup (stackgres)', () => {
  const finalSgBackup = (labels: Doc): Doc => ({
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: { name: 'src-x7k2p-final', namespace: 'team-a', labels },
    spec: { sgCluster: 'src', managedLifecycle: false },
    status: { process: { status: 'Completed', timing: { end: '2026-12-02T10:10:12Z' } } },
  });
  const restoring = (backups: Doc[]) => {
    const req = firstRequest(claim({ engine: 'stackgres', restore: { fromInstance: 'src' } }, 'dst'));
    req.requiredResources = { 'sg-backups': items(...backups), 'sg-clusters': items() };
    return req;
  };

  it('its SGCluster starts from the final SGBackup, which carries where its files are', () => {
    let req = restoring([finalSgBackup({ 'dbaas.dev/final-backup': 'backup', 'dbaas.dev/final-backup-of': 'src' })]);
    let rsp = runFunction(req);
    for (let pass = 0; pass < 3 && !resourcesOf(rsp)['sg-cluster']; pass++) {
      expect(fatal(rsp)).toEqual([]);
      const observed = Object.fromEntries(Object.entries(rsp.desired!.resources).map(([k, r]) => [k, { resource: r.resource, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }]));
      req = { ...req, observed: { composite: req.observed!.composite, resources: observed } } as RunFunctionRequest;
      rsp = runFunction(req);
    }
    expect((resourcesOf(rsp)['sg-cluster']!['spec'] as Doc)['initialData']).toEqual({ restore: { fromBackup: { name: 'src-x7k2p-final' } } });
  });

  it('an SGBackup of a gone cluster that is no final backup is not enough', () => {
    expect(fatal(runFunction(restoring([finalSgBackup({})])))).toEqual([
      'spec.parameters.restore.fromInstance: there is no instance "src" in namespace team-a, nor a final backup of one (backup.finalBackupOnDelete)',
    ]);
  });
});
