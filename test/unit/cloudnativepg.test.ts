/** The CloudNativePG engine and the engine seam, with expected values written by hand. */
import { Severity, Status } from '@crossplane-org/function-sdk-typescript';
import { sixFieldSchedule } from '../../src/engines/cloudnativepg/schedule.js';
import { runFunction } from '../../src/function.js';
import { claimToComposite, renderRequest } from '../../src/render.js';
import { seededRandom } from '../../src/util/random.js';
import { answerComposing, claim, compositionInput, settle, withInputsObserved, type Doc } from '../support/requests.js';

const cnpg = (parameters: Doc, name = 'app-db', platform?: Doc) => {
  const input = platform ? { ...compositionInput(), platform } : compositionInput();
  return renderRequest(claimToComposite(claim({ engine: 'cloudnativepg', ...parameters }, name)), { input });
};
const resources = (parameters: Doc, name?: string, platform?: Doc) => {
  // The answer that composes the Cluster: the one after its Secret and the backup objects were applied.
  const rsp = answerComposing(cnpg(parameters, name, platform), 'cnpg-cluster', 'cnpg');
  expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
  return Object.fromEntries(Object.entries(rsp.desired!.resources).map(([k, r]) => [k, r.resource as Doc]));
};
const spec = (o: Doc | undefined) => o?.['spec'] as Doc;
const secret = (o: Doc | undefined, key: string) => Buffer.from(String((o?.['data'] as Doc)[key]), 'base64').toString('utf8');

describe('six-field schedules for ScheduledBackup', () => {
  it.each([
    ['30 1 * * *', '0 30 1 * * *'],
    ['0 3 * * 1-5', '0 0 3 * * 1-5'],
    ['0 3 * * 7', '0 0 3 * * 0'],
    ['0 3 * * 5-7', '0 0 3 * * 5-6,0'],
    ['0 3 * * 1,7', '0 0 3 * * 1,0'],
    ['0 3 * * 1-7/2', '0 0 3 * * 1-6/2,0'],
    ['0 3 * * 2-7/2', '0 0 3 * * 2-6/2'],
    ['*/15 * * * *', '0 */15 * * * *'],
  ])('%s → %s', (five, six) => expect(sixFieldSchedule(five)).toBe(six));
});

describe('the Cluster', () => {
  it('takes instances, the plan, storage, settings, sync replication, our superuser Secret, the catalog image', () => {
    const cluster = resources({
      instances: 2,
      replication: { mode: 'sync' },
      size: { plan: 'medium', disk: '80Gi' },
      storageClass: 'fast',
      version: 16,
      postgresql: { settings: { work_mem: '64MB' } },
    })['cnpg-cluster'];
    expect(cluster?.['kind']).toBe('Cluster');
    expect(spec(cluster)).toMatchObject({
      instances: 2,
      imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: 'app-db-images', major: 16 },
      primaryUpdateStrategy: 'unsupervised',
      primaryUpdateMethod: 'switchover',
      enableSuperuserAccess: true,
      superuserSecret: { name: 'app-db-superuser' },
      storage: { size: '80Gi', storageClass: 'fast' },
      resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } },
      postgresql: {
        parameters: { max_connections: '200', work_mem: '64MB' },
        synchronous: { method: 'any', number: 1, dataDurability: 'required' },
      },
      bootstrap: { initdb: { database: 'postgres', owner: 'postgres', secret: { name: 'app-db-superuser' } } },
      plugins: [{ name: 'barman-cloud.cloudnative-pg.io', isWALArchiver: true, parameters: { barmanObjectName: 'app-db-backups' } }],
    });
  });

  it('has no synchronous block for async replication and no plugin without backups', () => {
    const s = spec(resources({ backup: { enabled: false } })['cnpg-cluster']);
    expect((s['postgresql'] as Doc)['synchronous']).toBeUndefined();
    expect(s['plugins']).toBeUndefined();
  });

  it('connects applications to the -rw Service, and the superuser Secret (provider-sql) too', () => {
    const out = resources({});
    expect(secret(out['connection-secret'], 'host')).toBe('app-db-rw.team-a.svc.cluster.local');
    expect(secret(out['superuser-secret'], 'endpoint')).toBe('app-db-rw.team-a.svc.cluster.local');
  });

  it('keeps names within the 42 characters its job suffixes leave', () => {
    const name = 'a'.repeat(60);
    const cluster = resources({}, name)['cnpg-cluster'];
    expect(String((cluster?.['metadata'] as Doc)['name']).length).toBe(42);
  });
});

describe('backups through the Barman Cloud Plugin', () => {
  it('an ObjectStore keeping retentionDays, a ScheduledBackup on the plugin, six fields', () => {
    const steady = runFunction(settle(cnpg({ backup: { schedule: '30 1 * * *', retentionDays: 14 } }), 'x').req);
    const out = Object.fromEntries(Object.entries(steady.desired!.resources).map(([k, r]) => [k, r.resource as Doc]));
    expect(spec(out['cnpg-object-store'])).toMatchObject({ retentionPolicy: '14d' });
    expect(spec(out['cnpg-scheduled-backup'])).toEqual({
      schedule: '0 30 1 * * *',
      cluster: { name: 'app-db' },
      method: 'plugin',
      pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' },
      immediate: true,
      backupOwnerReference: 'self',
    });
  });

  it("writes under a prefix of its own in the platform's existing bucket, and composes no bucket", () => {
    const platform = { backup: { storage: 'bucket', bucket: 'team-backups', endpoint: 'http://s3.storage.svc:7070', credentialsSecret: 'backup-keys' } };
    const out = resources({}, 'app-db', platform);
    const configuration = spec(out['cnpg-object-store'])['configuration'] as Doc;
    // The XR's name is the claim's name and a hash of namespace/name (src/render.ts).
    expect(configuration['destinationPath']).toMatch(/^s3:\/\/team-backups\/team-a\/app-db-[0-9a-f]{5}$/);
    expect(configuration['endpointURL']).toBe('http://s3.storage.svc:7070');
    expect(configuration['s3Credentials']).toEqual({
      accessKeyId: { name: 'backup-keys', key: 'AWS_ACCESS_KEY_ID' },
      secretAccessKey: { name: 'backup-keys', key: 'AWS_SECRET_ACCESS_KEY' },
    });
    expect(Object.keys(out).filter((k) => k.startsWith('backup-'))).toEqual([]);
  });

  it("refuses the platform's bucket storage without the bucket's name", () => {
    const rsp = runFunction(cnpg({}, 'app-db', { backup: { storage: 'bucket' } }));
    expect(rsp.results[0]?.message).toContain('input.platform.backup.bucket:');
  });
});

describe('the pooler', () => {
  it('is a Pooler the connection Secret points at, when the claim asks', () => {
    const out = resources({ pooler: { enabled: true }, instances: 2 });
    expect(spec(out['cnpg-pooler'])).toEqual({ cluster: { name: 'app-db' }, instances: 2, type: 'rw', pgbouncer: { poolMode: 'session' } });
    expect(secret(out['connection-secret'], 'host')).toBe('app-db-pooler.team-a.svc.cluster.local');
    expect(secret(out['superuser-secret'], 'endpoint')).toBe('app-db-rw.team-a.svc.cluster.local');
  });

  it('is not composed by default', () => expect(resources({})['cnpg-pooler']).toBeUndefined());

  it('off on StackGres disables its PgBouncer sidecar', () => {
    const rsp = answerComposing(renderRequest(claimToComposite(claim({ pooler: { enabled: false } })), { input: compositionInput() }), 'sg-cluster');
    expect(((rsp.desired!.resources['sg-cluster']!.resource as Doc)['spec'] as Doc)['pods']).toMatchObject({ disableConnectionPooling: true });
  });
});

describe('engine choice', () => {
  it('a claim without engine gets the platform default', () => {
    const platform = { defaultEngine: 'cloudnativepg' };
    const rsp = answerComposing(renderRequest(claimToComposite(claim({})), { input: { ...compositionInput(), platform } }), 'cnpg-cluster');
    expect(Object.keys(rsp.desired!.resources)).toContain('cnpg-cluster');
  });

  it('an instance running on StackGres stays there when the default becomes CloudNativePG', () => {
    const first = renderRequest(claimToComposite(claim({})), { input: compositionInput() });
    const steady = settle(first, 'x').req;
    steady.input = { ...compositionInput(), platform: { defaultEngine: 'cloudnativepg', allowedEngines: ['cloudnativepg'] } };
    const rsp = runFunction(steady);
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(Object.keys(rsp.desired!.resources)).toContain('sg-cluster');
    expect(Object.keys(rsp.desired!.resources)).not.toContain('cnpg-cluster');
  });
});

/** A restore's source instance and its one backup, as the function reads them (required resources). */
const restoreSource: Doc[] = [
  {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'src', namespace: 'team-a' },
    spec: { plugins: [{ name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'src-backups', serverName: 'src-abcde' } }] },
  },
  {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name: 'src-1', namespace: 'team-a' },
    spec: { cluster: { name: 'src' } },
    status: { phase: 'completed', backupId: '20261120T005500', stoppedAt: '2026-11-20T01:00:00Z' },
  },
];

describe('restore', () => {
  // As Crossplane sends it once it has fetched what the function asks for: the namespace's Clusters and Backups.
  const restore = (r: Doc) => {
    const req = renderRequest(claimToComposite(claim({ engine: 'cloudnativepg', restore: r })), { input: compositionInput() });
    const items = (kind: string) => ({ items: restoreSource.filter((f) => f['kind'] === kind).map((resource) => ({ resource, connectionDetails: {}, ready: 0 })) });
    req.requiredResources = { 'cnpg-clusters': items('Cluster'), 'cnpg-backups': items('Backup') };
    return answerComposing(req, 'cnpg-cluster');
  };

  it('bootstraps from the source object store, to the point in time', () => {
    const rsp = restore({ fromInstance: 'src', pointInTime: '2026-11-21T00:00:00Z' });
    const s = (rsp.desired!.resources['cnpg-cluster']!.resource as Doc)['spec'] as Doc;
    expect(s['bootstrap']).toEqual({
      recovery: {
        source: 'origin',
        database: 'postgres',
        owner: 'postgres',
        secret: { name: 'app-db-superuser' },
        recoveryTarget: { targetTime: '2026-11-21T00:00:00Z' },
      },
    });
    expect(s['externalClusters']).toEqual([
      { name: 'origin', plugin: { name: 'barman-cloud.cloudnative-pg.io', parameters: { barmanObjectName: 'src-backups', serverName: 'src-abcde' } } },
    ]);
  });

  it('recovers a named backup by its Barman id, stopping where it became consistent', () => {
    const rsp = restore({ fromInstance: 'src', backupName: 'src-1' });
    const s = (rsp.desired!.resources['cnpg-cluster']!.resource as Doc)['spec'] as Doc;
    expect(((s['bootstrap'] as Doc)['recovery'] as Doc)['recoveryTarget']).toEqual({ backupID: '20261120T005500', targetImmediate: true });
  });

  it.each([
    [{ fromInstance: 'nope' }, 'spec.parameters.restore.fromInstance: there is no instance "nope" in namespace team-a'],
    [{ fromInstance: 'src', pointInTime: '2026-11-19T00:00:00Z' }, 'spec.parameters.restore.pointInTime: instance "src" has no successful backup that ended before 2026-11-19T00:00:00Z yet'],
    [{ fromInstance: 'src', backupName: 'src-9' }, 'spec.parameters.restore.backupName: instance "src" has no backup "src-9"'],
    [{ fromInstance: 'app-db' }, 'spec.parameters.restore.fromInstance: an instance can not be restored from itself'],
  ])('%o is refused: %s', (r, message) => {
    expect(restore(r).results[0]?.message).toContain(message);
  });
});

describe("the platform's existing bucket on StackGres", () => {
  it('writes under the same per-instance prefix, in an SGObjectStorage of that bucket, and composes no bucket', () => {
    const platform = { backup: { storage: 'bucket', bucket: 'team-backups', endpoint: 'http://s3.storage.svc:7070', credentialsSecret: 'backup-keys' } };
    const rsp = answerComposing(renderRequest(claimToComposite(claim({})), { input: { ...compositionInput(), platform } }), 'sg-cluster', 'sg');
    const out = Object.fromEntries(Object.entries(rsp.desired!.resources).map(([k, r]) => [k, r.resource as Doc]));
    const backups = ((spec(out['sg-cluster'])['configurations'] as Doc)['backups'] as Doc[])[0]!;
    expect(backups['path']).toMatch(/^team-a\/app-db-[0-9a-f]{5}$/);
    expect(spec(out['sg-object-storage'])).toMatchObject({
      type: 's3Compatible',
      s3Compatible: { bucket: 'team-backups', endpoint: 'http://s3.storage.svc:7070', enablePathStyleAddressing: true },
    });
    expect(Object.keys(out).filter((k) => k.startsWith('backup-'))).toEqual([]);
  });

  it('keeps as many base backups as retentionDays covers at the schedule (every 6 h for 2 days: 8)', () => {
    const rsp = answerComposing(renderRequest(claimToComposite(claim({ backup: { schedule: '0 */6 * * *', retentionDays: 2 } })), { input: compositionInput() }), 'sg-cluster', 'sg');
    const cluster = rsp.desired!.resources['sg-cluster']!.resource as Doc;
    expect((((cluster['spec'] as Doc)['configurations'] as Doc)['backups'] as Doc[])[0]!['retention']).toBe(8);
  });
});

describe('status', () => {
  it('reads phase, primary, version, ready instances, and the recovery window from the ObjectStore', () => {
    // A running instance (every object observed), whose Cluster then reports one of its two instances ready.
    const observed = settle(cnpg({ instances: 2 }), 'st').req;
    const cluster = observed.observed!.resources['cnpg-cluster']!.resource as Doc;
    cluster['status'] = {
      phase: 'Cluster in healthy state',
      readyInstances: 1,
      currentPrimary: 'app-db-2',
      image: 'ghcr.io/cloudnative-pg/postgresql:17.6-standard-trixie',
      conditions: [{ type: 'Ready', status: 'False' }],
    };
    const xrName = String(((observed.observed!.composite!.resource as Doc)['metadata'] as Doc)['name']);
    (observed.observed!.resources['cnpg-object-store']!.resource as Doc)['status'] = {
      serverRecoveryWindow: { [xrName]: { firstRecoverabilityPoint: '2026-11-20T01:00:00Z', lastSuccessfulBackupTime: '2026-11-22T01:00:00Z' } },
    };
    const out = runFunction(observed);
    expect((out.desired!.composite!.resource as Doc)['status']).toMatchObject({
      phase: 'Cluster in healthy state',
      currentPrimary: 'app-db-2',
      version: '17.6',
      instances: 2,
      instancesReady: 1,
      lastBackup: '2026-11-22T01:00:00Z',
      firstRecoverabilityPoint: '2026-11-20T01:00:00Z',
    });
    expect(out.conditions[0]).toMatchObject({ status: Status.STATUS_CONDITION_FALSE, message: expect.stringContaining('1 of 2 instances ready (Cluster in healthy state)') });
  });
});

describe('the creation order on CloudNativePG', () => {
  it('composes the Cluster only once its superuser Secret and backup objects were applied', () => {
    const first = runFunction(cnpg({}), { random: seededRandom('order') });
    expect(Object.keys(first.desired!.resources)).not.toContain('cnpg-cluster');
    expect(Object.keys(first.desired!.resources)).toEqual(expect.arrayContaining(['superuser-secret', 'cnpg-object-store']));
    expect(Object.keys(runFunction(withInputsObserved(cnpg({}), 'order')).desired!.resources)).toContain('cnpg-cluster');
  });

  // The ScheduledBackup's immediate first backup fails for good when the primary isn't ready yet (real operator).
  it.each<[string, boolean, boolean, boolean]>([
    ['the Cluster is not ready, no ScheduledBackup yet', false, false, false],
    ['the Cluster is ready', true, false, true],
    ['the Cluster is not ready again, the ScheduledBackup exists', false, true, true],
  ])('ScheduledBackup: %s → composed %p', (_name, clusterReady, scheduledExists, composed) => {
    const req = settle(cnpg({}), 'order').req;
    const cluster = req.observed!.resources['cnpg-cluster']!.resource as Doc;
    if (!clusterReady) cluster['status'] = { ...(cluster['status'] as Doc), conditions: [{ type: 'Ready', status: 'False' }] };
    if (!scheduledExists) delete req.observed!.resources['cnpg-scheduled-backup'];
    expect(Object.keys(runFunction(req).desired!.resources).includes('cnpg-scheduled-backup')).toBe(composed);
  });

  // Everything applied except provider-sql's objects, the Cluster reporting `readyInstances`.
  it.each<[string, number | undefined, boolean]>([
    ['the Cluster has no status yet', undefined, false],
    ['no instance is ready', 0, false],
    ['one instance is ready', 1, true],
  ])('Role and database "app": %s (readyInstances %p) → composed %p', (_name, readyInstances, composed) => {
    const req = settle(cnpg({}), 'order').req;
    const resources = Object.fromEntries(Object.entries(req.observed!.resources).filter(([key]) => !key.startsWith('sql-') || key === 'sql-provider-config'));
    const cluster = structuredClone(resources['cnpg-cluster']!.resource) as Doc;
    if (readyInstances === undefined) delete cluster['status'];
    else cluster['status'] = { ...(cluster['status'] as Doc), readyInstances };
    resources['cnpg-cluster'] = { ...resources['cnpg-cluster']!, resource: cluster };
    const rsp = runFunction({ ...req, observed: { ...req.observed!, resources } });
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(['sql-role-app', 'sql-database-app'].map((k) => rsp.desired!.resources[k] !== undefined)).toEqual([composed, composed]);
  });
});

describe('the running version', () => {
  // the e2e's catalog names images tagged by a hash of their recipe: `…/postgres-17:0bfeeedc181a` once gave version "0"
  it.each<[string, Doc, string | undefined]>([
    ['a version tag', { image: 'ghcr.io/cloudnative-pg/postgresql:17.6-standard-trixie' }, '17.6'],
    ['a major-only tag', { image: 'ghcr.io/cloudnative-pg/postgresql:16' }, '16'],
    ['a tag that is no version, with the data directory major', { image: '127.0.0.1:5000/e2e/postgres-17:0bfeeedc181a', pgDataImageInfo: { majorVersion: 17 } }, '17'],
    ["a tag that is no version, nothing else: the claim's major", { image: 'registry.local/pg:latest' }, '17'],
  ])('%s', (_what, clusterStatus, version) => {
    const observed = settle(cnpg({}), 'v').req;
    const cluster = observed.observed!.resources['cnpg-cluster']!.resource as Doc;
    cluster['status'] = { phase: 'Cluster in healthy state', readyInstances: 1, ...clusterStatus };
    const status = (runFunction(observed).desired!.composite!.resource as Doc)['status'] as Doc;
    expect(status['version']).toBe(version);
  });
});

describe('changes refused against the observed Cluster', () => {
  const fatal = (rsp: ReturnType<typeof runFunction>) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
  /** The instance's next reconcile once its Cluster exists (made from `before`), with the claim now saying `after`. */
  const next = (before: Doc, after: Doc) => {
    const first = cnpg(before);
    const items = (kind: string) => ({ items: restoreSource.filter((f) => f['kind'] === kind).map((resource) => ({ resource, connectionDetails: {}, ready: 0 })) });
    first.requiredResources = { 'cnpg-clusters': items('Cluster'), 'cnpg-backups': items('Backup') };
    const { req, rsp } = settle(first, 'refused');
    expect(fatal(rsp)).toEqual([]);
    ((req.observed!.composite!.resource!['spec'] as Doc)['parameters'] = { engine: 'cloudnativepg', ...after });
    return fatal(runFunction(req, { random: seededRandom('refused-2') }));
  };
  const pitr = { fromInstance: 'src', pointInTime: '2026-11-21T00:00:00Z' };
  const made = 'the instance was restored from the backups in "src-backups"';

  it.each<[string, Doc, Doc, string[]]>([
    ['storageClass unchanged', { storageClass: 'fast' }, { storageClass: 'fast' }, []],
    ['storageClass changed', { storageClass: 'fast' }, { storageClass: 'slow' }, ['spec.parameters.storageClass: the volumes exist in StorageClass "fast"; it can not be changed']],
    ['storageClass set where the volumes have the default', {}, { storageClass: 'fast' }, ["spec.parameters.storageClass: the volumes exist in the cluster's default StorageClass; it can not be changed"]],
    [
      'restore added to an instance made empty',
      {},
      { restore: { fromInstance: 'src' } },
      ['spec.parameters.restore: the instance exists and was not created from a backup; a restore is read only at creation: remove it, or restore into a new instance'],
    ],
    ['restore unchanged', { restore: pitr }, { restore: pitr }, []],
    ['restore removed', { restore: pitr }, {}, []],
    [
      'restore point in time changed',
      { restore: pitr },
      { restore: { ...pitr, pointInTime: '2026-11-22T00:00:00Z' } },
      [`spec.parameters.restore.pointInTime: ${made} up to 2026-11-21T00:00:00Z; a restore is read only at creation`],
    ],
    ['restore from another instance', { restore: pitr }, { restore: { ...pitr, fromInstance: 'other' } }, [`spec.parameters.restore.fromInstance: ${made}, not from instance "other"; a restore is read only at creation`]],
    ['restore now naming a backup', { restore: pitr }, { restore: { ...pitr, backupName: 'src-1' } }, [`spec.parameters.restore.backupName: ${made}; a restore is read only at creation`]],
  ])('%s', (_what, before, after, expected) => {
    const messages = next(before, after);
    expect(messages.length).toBe(expected.length);
    expected.forEach((m, i) => expect(messages[i]).toContain(m));
  });
});

describe("the engine's own logins to the postgres database", () => {
  // PUBLIC loses CONNECT on `postgres`; a failed-over primary rejoins only after connecting there as streaming_replica
  // (found on the real node: "permission denied for database postgres", the old primary never became ready again)
  const grantsOnPostgres = (engine: Doc) => {
    const steady = settle(renderRequest(claimToComposite(claim(engine)), { input: compositionInput() }), 'x').req;
    return Object.values(runFunction(steady).desired!.resources)
      .map((r) => r.resource as Doc)
      .filter((o) => o['kind'] === 'Grant' && (spec(o)['forProvider'] as Doc)['database'] === 'postgres')
      .map((o) => spec(o)['forProvider']);
  };

  it.each<[string, Doc, Doc[]]>([
    ['cloudnativepg', { engine: 'cloudnativepg' }, [
      { database: 'postgres', privileges: ['CONNECT'], revokePublicOnDb: true, role: 'pg_database_owner' },
      { database: 'postgres', privileges: ['CONNECT'], role: 'streaming_replica' },
    ]],
    ['stackgres (its logins are superusers or replication-only)', {}, [
      { database: 'postgres', privileges: ['CONNECT'], revokePublicOnDb: true, role: 'pg_database_owner' },
    ]],
  ])('%s', (_name, engine, expected) => expect(grantsOnPostgres(engine)).toEqual(expected));
});
