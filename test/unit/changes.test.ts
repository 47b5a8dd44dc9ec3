/**
 * Every claim parameter and every Composition input field, changed between two reconciles (the first reconcile's
 * desired state fed back as observed, as Crossplane does): the change shows up in the desired state, or it is refused
 * with a Fatal naming the field and the desired state untouched. Nothing is silently ignored, and the status says what
 * is so. The README's table of mutable and immutable fields says the same.
 */
import { Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { seededRandom } from '../../src/util/random.js';
import { claim, compositionInput, firstRequest, observeDesired, runningClusterStatus, secretValue, settle, type Doc } from '../support/requests.js';

const base: Doc = {
  instances: 2,
  size: { plan: 'small' },
  storageClass: 'fast',
  postgresql: { settings: { work_mem: '4MB' } },
  databases: [{ name: 'orders', extensions: ['pg_trgm'] }],
  // Not "app": that name is the role the function adds when no listed user owns the first database (app-login.ts),
  // which would hide a removed or demoted owner.
  users: [{ name: 'svc', grants: [{ database: 'orders', privileges: 'owner' }] }],
  backup: { schedule: '30 2 * * *', retentionDays: 7 },
  connectionSecret: { keyPrefix: 'PG' },
};

type Platform = Record<string, unknown>;
const withPlatform = (req: RunFunctionRequest, platform: Platform) => {
  const input = compositionInput();
  req.input = { ...input, platform: { ...(input['platform'] as Doc), ...platform, backup: { ...((input['platform'] as Doc)['backup'] as Doc | undefined), ...(platform['backup'] as Doc | undefined) } } };
};

/** A steady instance composed from `parameters` and `platform`, as Crossplane would observe it after applying. */
function steady(parameters: Doc, platform: Platform = {}): RunFunctionRequest {
  const first = firstRequest(claim(parameters));
  withPlatform(first, platform);
  const { req: next, rsp } = settle(first, 'changes');
  // Crossplane writes the function's status to the XR, which the next call observes.
  const composite = structuredClone(next.observed!.composite!.resource!) as Doc;
  composite['status'] = (rsp.desired!.composite!.resource as Doc)['status'];
  next.observed = { ...next.observed!, composite: { resource: composite, connectionDetails: {}, ready: 0 } };
  return next;
}

/** The same instance's next reconcile after the claim's parameters and the platform's input changed. */
function changed(parameters: Doc, platform: Platform = {}, basePlatform: Platform = {}): { rsp: RunFunctionResponse; before: RunFunctionRequest } {
  const req = steady(base, basePlatform);
  const before = structuredClone(req);
  ((req.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc) = parameters;
  withPlatform(req, { ...basePlatform, ...platform, backup: { ...(basePlatform['backup'] as Doc | undefined), ...(platform['backup'] as Doc | undefined) } });
  const rsp = runFunction(req, { random: seededRandom('changes-2') });
  if (rsp.results.some((r) => r.severity === Severity.SEVERITY_FATAL)) return { rsp, before };
  // Accepted: the answers that follow, applied, until nothing new comes (a new user's Role waits for its Secret).
  return { rsp: settle(req, 'changes-2').rsp, before };
}

const at = (o: unknown, path: readonly (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), o);

type Expect =
  | { readonly at: readonly [string, ...(string | number)[]]; readonly is: unknown }
  | { readonly absent: string }
  | { readonly secret: readonly [string, string]; readonly is: string }
  | { readonly status: string; readonly is: unknown }
  | { readonly refused: string };

const P = (patch: Doc): Doc => ({ ...structuredClone(base), ...patch });

const parameterCases: [string, Doc, Expect[]][] = [
  ['engine', P({ engine: 'cloudnativepg' }), [{ refused: 'spec.parameters.engine' }]],
  ['version', P({ version: 16 }), [{ refused: 'spec.parameters.version' }]],
  ['instances', P({ instances: 3 }), [{ at: ['sg-cluster', 'spec', 'instances'], is: 3 }, { status: 'instances', is: 3 }]],
  ['replication.mode', P({ replication: { mode: 'sync' } }), [{ at: ['sg-cluster', 'spec', 'replication'], is: { mode: 'sync', syncInstances: 1 } }]],
  ['size.plan', P({ size: { plan: 'large' } }), [
    { at: ['sg-instance-profile', 'spec'], is: { cpu: '4', memory: '8Gi' } },
    { at: ['sg-cluster', 'spec', 'pods', 'persistentVolume', 'size'], is: '100Gi' },
    { at: ['sg-postgres-config', 'spec', 'postgresql.conf', 'max_connections'], is: '400' },
  ]],
  ['size.cpu', P({ size: { plan: 'small', cpu: '3' } }), [{ at: ['sg-instance-profile', 'spec', 'cpu'], is: '3' }]],
  ['size.memory', P({ size: { plan: 'small', memory: '3Gi' } }), [{ at: ['sg-instance-profile', 'spec', 'memory'], is: '3Gi' }]],
  ['size.disk grows', P({ size: { plan: 'small', disk: '30Gi' } }), [{ at: ['sg-cluster', 'spec', 'pods', 'persistentVolume', 'size'], is: '30Gi' }]],
  ['size.disk shrinks', P({ size: { plan: 'small', disk: '10Gi' } }), [{ refused: 'spec.parameters.size.disk' }]],
  ['storageClass changed', P({ storageClass: 'slow' }), [{ refused: 'spec.parameters.storageClass' }]],
  ['postgresql.settings', P({ postgresql: { settings: { work_mem: '8MB' } } }), [{ at: ['sg-postgres-config', 'spec', 'postgresql.conf', 'work_mem'], is: '8MB' }]],
  ['databases: one added', P({ databases: [{ name: 'orders', extensions: ['pg_trgm'] }, { name: 'reports' }] }), [
    { at: ['sql-database-reports', 'metadata', 'annotations', 'crossplane.io/external-name'], is: 'reports' },
  ]],
  ['databases: one removed (orphaned, see README)', P({ databases: [], users: [] }), [{ absent: 'sql-database-orders' }]],
  ['databases[].extensions', P({ databases: [{ name: 'orders', extensions: ['pg_trgm', 'citext'] }] }), [
    { at: ['sql-extension-orders-citext', 'spec', 'forProvider', 'extension'], is: 'citext' },
  ]],
  ['users: one added', P({ users: [...(base['users'] as Doc[]), { name: 'reader', grants: [{ database: 'orders', privileges: 'readOnly' }] }] }), [
    { at: ['sql-role-reader', 'metadata', 'annotations', 'crossplane.io/external-name'], is: 'reader' },
  ]],
  ['users: one removed', P({ users: [] }), [{ absent: 'sql-role-svc' }, { at: ['sql-database-orders', 'spec', 'forProvider'], is: { ownerRef: { name: 'app-db-user-app' } } }]],
  ['users[].grants', P({ users: [{ name: 'svc', grants: [{ database: 'orders', privileges: 'readWrite' }] }] }), [
    { at: ['sql-grant-svc-orders-database', 'spec', 'forProvider', 'privileges'], is: ['CONNECT', 'TEMPORARY'] },
    // No listed user owns the first database any more: the function's own role "app" does (README, Least privilege).
    { at: ['sql-database-orders', 'spec', 'forProvider'], is: { ownerRef: { name: 'app-db-user-app' } } },
  ]],
  ['backup.enabled', P({ backup: { enabled: false } }), [
    { absent: 'backup-bucket' },
    { absent: 'sg-object-storage' },
    { at: ['sg-cluster', 'spec', 'configurations', 'backups'], is: undefined },
  ]],
  ['backup.schedule', P({ backup: { schedule: '0 3 * * *', retentionDays: 7 } }), [
    { at: ['sg-cluster', 'spec', 'configurations', 'backups', 0, 'cronSchedule'], is: '0 3 * * *' },
    { status: 'backupSchedule', is: '0 3 * * *' },
  ]],
  ['backup.retentionDays', P({ backup: { schedule: '30 2 * * *', retentionDays: 14 } }), [
    { at: ['sg-cluster', 'spec', 'configurations', 'backups', 0, 'retention'], is: 14 },
  ]],
  ['restore added to an existing instance', P({ restore: { fromInstance: 'other-db' } }), [{ refused: 'spec.parameters.restore' }]],
  ['monitoring.enabled', P({ monitoring: { enabled: false } }), [{ absent: 'pod-monitor' }, { absent: 'prometheus-rule' }, { absent: 'grafana-dashboard' }]],
  ['network.allowedNamespaces', P({ network: { allowedNamespaces: ['reporting'] } }), [
    { at: ['network-policy', 'spec', 'ingress', 2, 'from', 1, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name'], is: 'reporting' },
  ]],
  ['network.allowedCIDRs', P({ network: { allowedCIDRs: ['10.1.0.0/16'] } }), [
    { at: ['network-policy', 'spec', 'ingress', 2, 'from', 1, 'ipBlock', 'cidr'], is: '10.1.0.0/16' },
  ]],
  ['connectionSecret.name: the Secret moves, the old key is dropped (Crossplane deletes it)', P({ connectionSecret: { keyPrefix: 'PG', name: 'orders-creds' } }), [
    { at: ['connection-secret-orders-creds', 'metadata', 'name'], is: 'orders-creds' },
    { absent: 'connection-secret' },
    { status: 'connectionSecret', is: 'orders-creds' },
    { secret: ['connection-secret-orders-creds', 'PG_USERNAME'], is: 'svc' },
  ]],
  ['connectionSecret.keyPrefix', P({ connectionSecret: { keyPrefix: 'DB' } }), [
    { secret: ['connection-secret', 'DB_PORT'], is: '5432' },
    { secret: ['connection-secret', 'PG_PORT'], is: undefined as unknown as string },
  ]],
];

const platformCases: [string, Platform, Expect[], Platform?][] = [
  ['clusterDomain', { clusterDomain: 'corp.example' }, [{ secret: ['connection-secret', 'host'], is: 'app-db.team-a.svc.corp.example' }]],
  ['engines.stackgres.operatorNamespace', { engines: { stackgres: { operatorNamespace: 'sg-system' } } } as Platform, [
    { at: ['network-policy', 'spec', 'ingress', 1, 'from', 0, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name'], is: 'sg-system' },
  ]],
  ['monitoringNamespace', { monitoringNamespace: 'prom' }, [
    { at: ['network-policy', 'spec', 'ingress', 3, 'from', 0, 'namespaceSelector', 'matchLabels', 'kubernetes.io/metadata.name'], is: 'prom' },
  ]],
  ['backup.bucketPrefix: the instance keeps its bucket', { backup: { bucketPrefix: 'new-prefix' } }, [
    { at: ['sg-object-storage', 'spec', 's3Compatible', 'bucket'], is: 'pg-backup-team-a-app-db-KEPT' },
    { at: ['backup-bucket', 'metadata', 'name'], is: 'pg-backup-team-a-app-db-KEPT' },
  ]],
  ['backup.region: the bucket keeps its region', { backup: { region: 'eu-west-1' } }, [
    { at: ['backup-bucket', 'spec', 'forProvider', 'region'], is: 'us-east-1' },
    { at: ['sg-object-storage', 'spec', 's3Compatible', 'region'], is: 'us-east-1' },
  ]],
  ['backup.storage: the instance stays on its storage', { backup: { storage: 'aws', providerConfig: 'aws' } }, [
    { at: ['backup-bucket', 'apiVersion'], is: 'minio.crossplane.io/v1' },
    { at: ['backup-bucket', 'spec', 'providerConfigRef', 'name'], is: 'default' },
    { at: ['sg-object-storage', 'spec', 'type'], is: 's3Compatible' },
  ]],
  ['backup.providerConfig', { backup: { providerConfig: 'minio-2' } }, [{ at: ['backup-bucket', 'spec', 'providerConfigRef', 'name'], is: 'minio-2' }]],
  ['backup.endpoint', { backup: { endpoint: 'http://minio.storage.svc:9000' } }, [
    { at: ['sg-object-storage', 'spec', 's3Compatible', 'endpoint'], is: 'http://minio.storage.svc:9000' },
  ]],
  ['backup.retainAfterDeletionDays', { backup: { retainAfterDeletionDays: 90 } }, [
    { at: ['backup-bucket', 'metadata', 'labels', 'dbaas.dev/retain-after-deletion-days'], is: '90' },
  ]],
  ['backup.awsCredentialsSecret (aws)', { backup: { awsCredentialsSecret: 'aws-keys' } }, [
    { at: ['sg-object-storage', 'spec', 's3', 'awsCredentials', 'secretKeySelectors', 'accessKeyId', 'name'], is: 'aws-keys' },
  ], { backup: { storage: 'aws' } }],
];

function check(rsp: RunFunctionResponse, before: RunFunctionRequest, expectations: Expect[]): void {
  const fatal = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
  const refused = expectations.filter((e): e is { refused: string } => 'refused' in e);
  if (refused.length > 0) {
    expect(fatal).toHaveLength(1);
    for (const e of refused) expect(fatal[0]).toContain(`${e.refused}:`);
    expect(rsp.desired).toEqual(before.desired);
    return;
  }
  expect(fatal).toEqual([]);
  const keptBucket = (before.observed!.resources['backup-bucket']?.resource?.['metadata'] as Doc | undefined)?.['name'];
  for (const e of expectations) {
    if ('absent' in e) expect(Object.keys(rsp.desired!.resources)).not.toContain(e.absent);
    if ('secret' in e) expect(secretValue(rsp, e.secret[0], e.secret[1])).toBe(e.is);
    if ('status' in e) expect(at(rsp.desired!.composite!.resource, ['status', e.status])).toEqual(e.is);
    if ('at' in e) {
      const [key, ...path] = e.at;
      const expected = typeof e.is === 'string' && e.is.endsWith('-KEPT') ? keptBucket : e.is;
      if (typeof e.is === 'string' && e.is.endsWith('-KEPT')) expect(String(keptBucket)).toMatch(/^pg-backup-team-a-app-db-[0-9a-f]{8}$/);
      expect(at(rsp.desired!.resources[key]?.resource, path)).toEqual(expected);
    }
  }
}

describe('a claim parameter changed between two reconciles', () => {
  it.each(parameterCases)('%s', (_field, parameters, expectations) => {
    const { rsp, before } = changed(parameters);
    check(rsp, before, expectations);
  });

  it('deletionProtection is read by the admission policy from the claim itself: changing it is never refused', () => {
    const { rsp } = changed(P({ deletionProtection: false }));
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
  });

  it('a storageClass set where the volumes were made without one is refused', () => {
    const { storageClass: _none, ...withoutClass } = base;
    const req = steady(withoutClass);
    ((req.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc) = P({ storageClass: 'fast' });
    const messages = runFunction(req).results.map((r) => r.message);
    expect(messages).toEqual([expect.stringContaining("spec.parameters.storageClass: the volumes exist in the cluster's default StorageClass")]);
  });

  it('the engine the status says the database runs on can not be swapped', () => {
    const req = steady(base);
    ((req.observed!.composite!.resource as Doc)['status'] as Doc)['engine'] = 'cloudnativepg';
    const messages = runFunction(req).results.map((r) => r.message);
    expect(messages).toEqual([expect.stringContaining('spec.parameters.engine: the database runs on cloudnativepg')]);
  });

  it('a moved connection Secret keeps its new key on the next reconcile, and moving back reuses the first key', () => {
    const { rsp, before } = changed(P({ connectionSecret: { keyPrefix: 'PG', name: 'orders-creds' } }));
    const moved = observeDesired(before, rsp, runningClusterStatus(2));
    ((moved.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc) = P({ connectionSecret: { keyPrefix: 'PG', name: 'orders-creds' } });
    const again = runFunction(moved);
    expect(Object.keys(again.desired!.resources).filter((k) => k.startsWith('connection-secret'))).toEqual(['connection-secret-orders-creds']);
    ((moved.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc) = P({});
    const back = runFunction(moved);
    expect(Object.keys(back.desired!.resources).filter((k) => k.startsWith('connection-secret'))).toEqual(['connection-secret']);
    expect(back.desired!.resources['connection-secret']!.resource!['metadata']).toMatchObject({ name: 'app-db-connection' });
  });

  describe('restore, once the instance was created from a backup', () => {
    /** A steady instance whose SGCluster was created from backup b-1 of instance other-db, up to a point in time. */
    function restored(restore: Doc | undefined): RunFunctionResponse {
      const req = steady(base);
      const cluster = req.observed!.resources['sg-cluster']!.resource as Doc;
      (cluster['spec'] as Doc)['initialData'] = { restore: { fromBackup: { name: 'b-1', pointInTimeRecovery: { restoreToTimestamp: '2026-11-20T14:30:00Z' } } } };
      ((req.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc) = P(restore ? { restore } : {});
      return runFunction(req);
    }
    const fatal = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);

    it.each<[string, Doc | undefined, string | undefined]>([
      ['kept as it was', { fromInstance: 'other-db', backupName: 'b-1', pointInTime: '2026-11-20T14:30:00Z' }, undefined],
      ['removed', undefined, undefined],
      ['another backup', { fromInstance: 'other-db', backupName: 'b-2', pointInTime: '2026-11-20T14:30:00Z' }, 'spec.parameters.restore.backupName: the instance was created from backup "b-1"'],
      ['another point in time', { fromInstance: 'other-db', pointInTime: '2026-11-21T00:00:00Z' }, 'spec.parameters.restore.pointInTime: the instance was created from backup "b-1" up to 2026-11-20T14:30:00Z'],
      ['the point in time dropped', { fromInstance: 'other-db' }, 'spec.parameters.restore.pointInTime:'],
    ])('%s', (_name, restore, refusal) => {
      const rsp = restored(restore);
      if (refusal === undefined) expect(fatal(rsp)).toEqual([]);
      else expect(fatal(rsp)).toEqual([expect.stringContaining(refusal)]);
      if (refusal === undefined) expect(at(rsp.desired!.resources['sg-cluster']!.resource, ['spec', 'initialData', 'restore', 'fromBackup', 'name'])).toBe('b-1');
    });
  });

  it('a new instance takes the platform\'s new bucketPrefix', () => {
    const first = firstRequest(claim(base));
    withPlatform(first, { backup: { bucketPrefix: 'new-prefix' } });
    const rsp = runFunction(first, { random: seededRandom('changes') });
    expect(at(rsp.desired!.resources['backup-bucket']!.resource, ['metadata', 'name'])).toMatch(/^new-prefix-team-a-app-db-[0-9a-f]{8}$/);
  });
});

describe('a Composition input field changed between two reconciles', () => {
  // Rows as objects: jest would take a missing fourth array element for a done callback.
  const rows = platformCases.map(([field, platform, expectations, basePlatform]) => ({ field, platform, expectations, basePlatform }));
  it.each(rows)('$field', ({ platform, expectations, basePlatform }) => {
    const { rsp, before } = changed(structuredClone(base), platform, basePlatform);
    check(rsp, before, expectations);
  });
});
