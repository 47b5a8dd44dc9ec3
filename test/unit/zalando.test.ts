/** The Zalando postgres-operator engine, with expected values written by hand. */
import { Severity, Status } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { claimToComposite, renderRequest } from '../../src/render.js';
import { seededRandom } from '../../src/util/random.js';
import { answerComposing, claim, compositionInput, settle, type Doc } from '../support/requests.js';

const zalando = (parameters: Doc, name = 'app-db', platform?: Doc) => {
  const input = platform ? { ...compositionInput(), platform } : compositionInput();
  return renderRequest(claimToComposite(claim({ engine: 'zalando', ...parameters }, name)), { input });
};
const fatal = (rsp: ReturnType<typeof runFunction>) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
/** The field errors of a refused answer, one per entry. */
const fieldErrors = (rsp: ReturnType<typeof runFunction>) =>
  fatal(rsp).flatMap((m) => m.replace(/^cannot compose this PostgreSQLInstance, nothing was changed: /, '').split(/; (?=spec\.)/));
const resources = (parameters: Doc, name?: string, platform?: Doc) => {
  const rsp = answerComposing(zalando(parameters, name, platform), 'zalando-postgresql', 'zalando');
  expect(fatal(rsp)).toEqual([]);
  return Object.fromEntries(Object.entries(rsp.desired!.resources).map(([k, r]) => [k, r.resource as Doc]));
};
const spec = (o: Doc | undefined) => o?.['spec'] as Doc;
const secret = (o: Doc | undefined, key: string) => Buffer.from(String((o?.['data'] as Doc)[key]), 'base64').toString('utf8');
const env = (o: Doc | undefined) => Object.fromEntries(((spec(o)['env'] ?? []) as Doc[]).map((e) => [e['name'], e['value'] ?? e['valueFrom']]));

describe('the postgresql manifest', () => {
  it('takes the team, instances, plan, volume, version, settings, sync mode and the pooler', () => {
    const pg = resources({
      instances: 2,
      replication: { mode: 'sync' },
      size: { plan: 'medium', disk: '80Gi' },
      storageClass: 'fast',
      version: 16,
      postgresql: { settings: { work_mem: '64MB' } },
      pooler: { enabled: true },
    })['zalando-postgresql'];
    expect(pg?.['apiVersion']).toBe('acid.zalan.do/v1');
    expect(pg?.['kind']).toBe('postgresql');
    expect(spec(pg)).toMatchObject({
      teamId: 'team-a',
      numberOfInstances: 2,
      volume: { size: '80Gi', storageClass: 'fast' },
      resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } },
      postgresql: { version: '16', parameters: { max_connections: '200', work_mem: '64MB' } },
      patroni: { synchronous_mode: true, synchronous_mode_strict: true },
      enableConnectionPooler: true,
      connectionPooler: { mode: 'session', numberOfInstances: 2 },
    });
  });

  it("takes the platform's team id over the namespace", () => {
    const platform = { ...(compositionInput()['platform'] as Doc), engines: { zalando: { teamId: 'payments' } } };
    expect(spec(resources({}, 'app-db', platform)['zalando-postgresql'])['teamId']).toBe('payments');
  });

  it('has no patroni block, pooler, env or sidecar when nothing asks for them', () => {
    const s = spec(resources({ backup: { enabled: false }, monitoring: { enabled: false }, updateStrategy: 'immediate' })['zalando-postgresql']);
    expect(Object.keys(s).sort()).toEqual(['numberOfInstances', 'postgresql', 'resources', 'teamId', 'volume']);
  });

  it("writes the operator's superuser Secret with our password, which the operator adopts", () => {
    const r = resources({});
    const theirs = r['zalando-superuser-secret'];
    expect((theirs?.['metadata'] as Doc)['name']).toBe('postgres.app-db.credentials.postgresql.acid.zalan.do');
    expect((theirs?.['metadata'] as Doc)['labels']).toMatchObject({ application: 'spilo', 'cluster-name': 'app-db', team: 'team-a' });
    expect(secret(theirs, 'username')).toBe('postgres');
    expect(secret(theirs, 'password')).toBe(secret(r['superuser-secret'], 'password'));
  });

  it('connects applications to the master Service, or the pooler when there is one', () => {
    expect(secret(resources({})['connection-secret'], 'host')).toBe('app-db.team-a.svc.cluster.local');
    expect(secret(resources({ pooler: { enabled: true } })['connection-secret'], 'host')).toBe('app-db-pooler.team-a.svc.cluster.local');
  });

  it('keeps names within 37 characters (logical-backup-<cluster> stops at 52)', () => {
    const name = 'a'.repeat(50);
    const pg = resources({}, name)['zalando-postgresql'];
    expect(String((pg?.['metadata'] as Doc)['name']).length).toBe(37);
  });
});

describe('backups through WAL-G', () => {
  it("puts the bucket, its keys, the schedule and the number of base backups to keep into Spilo's environment", () => {
    const pg = resources({ backup: { schedule: '0 */6 * * *', retentionDays: 2 } })['zalando-postgresql'];
    expect(env(pg)).toEqual({
      WAL_S3_BUCKET: 'pg-backup-team-a-app-db-f6b35e57',
      WAL_BUCKET_SCOPE_PREFIX: 'app-db-f6b35/',
      WAL_BUCKET_SCOPE_SUFFIX: '',
      USE_WALG_BACKUP: 'true',
      USE_WALG_RESTORE: 'true',
      BACKUP_SCHEDULE: '0 */6 * * *',
      BACKUP_NUM_TO_RETAIN: '8',
      WALG_DISABLE_S3_SSE: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT: 'http://minio.minio.svc:9000',
      AWS_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 'app-db-backup-credentials', key: 'AWS_ACCESS_KEY_ID' } },
      AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: 'app-db-backup-credentials', key: 'AWS_SECRET_ACCESS_KEY' } },
    });
  });
});

describe('monitoring', () => {
  it('adds postgres_exporter as a sidecar reading our superuser Secret, scraped on port exporter', () => {
    const r = resources({});
    const sidecars = spec(r['zalando-postgresql'])['sidecars'] as Doc[];
    expect(sidecars).toEqual([
      {
        name: 'exporter',
        image: 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1',
        ports: [{ name: 'exporter', containerPort: 9187, protocol: 'TCP' }],
        env: [
          { name: 'DATA_SOURCE_URI', value: 'localhost:5432/postgres?sslmode=require' },
          { name: 'DATA_SOURCE_USER', value: 'postgres' },
          { name: 'DATA_SOURCE_PASS', valueFrom: { secretKeyRef: { name: 'app-db-superuser', key: 'password' } } },
        ],
      },
    ]);
    expect(spec(r['pod-monitor'])).toMatchObject({ selector: { matchLabels: { 'cluster-name': 'app-db' } }, podMetricsEndpoints: [{ port: 'exporter', path: '/metrics' }] });
  });

  it('has no backup alert: nothing the platform scrapes tells the age of a WAL-G backup', () => {
    const groups = (spec(resources({})['prometheus-rule'])['groups'] as Doc[])[0]!['rules'] as Doc[];
    expect(groups.map((r) => r['alert'])).not.toContain('PostgreSQLBackupTooOld');
    expect(groups.length).toBeGreaterThan(0);
  });
});

describe('the NetworkPolicy', () => {
  it("selects the cluster's pods and lets the operator reach PostgreSQL and Patroni", () => {
    const np = spec(resources({})['network-policy']);
    expect(np['podSelector']).toEqual({ matchLabels: { 'cluster-name': 'app-db' } });
    expect((np['ingress'] as Doc[])[1]).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'postgres-operator' } } }],
      ports: [
        { port: 5432, protocol: 'TCP' },
        { port: 8008, protocol: 'TCP' },
      ],
    });
  });
});

const source: Doc = {
  apiVersion: 'acid.zalan.do/v1',
  kind: 'postgresql',
  metadata: { name: 'src', namespace: 'team-a', uid: '0b1c2d3e-0000-4000-8000-000000000001' },
  spec: {
    postgresql: { version: '17' },
    env: [
      { name: 'WAL_S3_BUCKET', value: 'pg-backup-team-a-src-1' },
      { name: 'WAL_BUCKET_SCOPE_PREFIX', value: 'src-abcde/' },
      { name: 'AWS_ENDPOINT', value: 'http://minio.minio.svc:9000' },
      { name: 'AWS_REGION', value: 'us-east-1' },
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'src-backup-credentials', key: 'AWS_ACCESS_KEY_ID' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'src-backup-credentials', key: 'AWS_SECRET_ACCESS_KEY' } } },
    ],
  },
};

describe('restore (the operator clone)', () => {
  const restore = (r: Doc, clusters: Doc[] = [source]) => {
    const req = zalando({ restore: r });
    req.requiredResources = { 'zalando-clusters': { items: clusters.map((resource) => ({ resource, connectionDetails: {}, ready: 0 })) } };
    return answerComposing(req, 'zalando-postgresql');
  };

  it("clones to a point in time from the source's archive, with its keys by reference", () => {
    const pg = restore({ fromInstance: 'src', pointInTime: '2026-11-21T00:00:00Z' }).desired!.resources['zalando-postgresql']!.resource as Doc;
    expect(spec(pg)['clone']).toEqual({
      cluster: 'src',
      uid: '0b1c2d3e-0000-4000-8000-000000000001',
      timestamp: '2026-11-21T00:00:00+00:00',
      s3_wal_path: 's3://pg-backup-team-a-src-1/spilo/src-abcde/src/wal/17',
      s3_endpoint: 'http://minio.minio.svc:9000',
      s3_force_path_style: true,
    });
    expect(env(pg)).toMatchObject({
      CLONE_AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 'src-backup-credentials', key: 'AWS_ACCESS_KEY_ID' } },
      CLONE_AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: 'src-backup-credentials', key: 'AWS_SECRET_ACCESS_KEY' } },
      CLONE_AWS_REGION: 'us-east-1',
      CLONE_USE_WALG_RESTORE: 'true',
    });
  });

  it('clones the running source without a point in time', () => {
    const pg = restore({ fromInstance: 'src' }).desired!.resources['zalando-postgresql']!.resource as Doc;
    expect(spec(pg)['clone']).toEqual({ cluster: 'src', uid: '0b1c2d3e-0000-4000-8000-000000000001' });
  });

  it('composes no manifest until the namespace\'s clusters were read', () => {
    const rsp = answerComposing(zalando({ restore: { fromInstance: 'src' } }), 'zalando-postgresql');
    expect(rsp.desired!.resources['zalando-postgresql']).toBeUndefined();
    expect(rsp.requirements?.resources['zalando-clusters']).toMatchObject({ apiVersion: 'acid.zalan.do/v1', kind: 'postgresql', namespace: 'team-a' });
  });

  it.each([
    [{ fromInstance: 'nope' }, ['spec.parameters.restore.fromInstance: there is no zalando instance "nope" in namespace team-a']],
    [
      { fromInstance: 'src', backupName: 'src-1' },
      ["spec.parameters.restore.backupName: zalando restores to a point in time from the WAL archive, not a named backup: set pointInTime to the backup's end instead"],
    ],
    [{ fromInstance: 'app-db' }, ['spec.parameters.restore.fromInstance: an instance can not be restored from itself']],
  ])('%o is refused', (r, messages) => {
    expect(fieldErrors(restore(r))).toEqual(messages);
  });
});

describe('status from PostgresClusterStatus', () => {
  const withStatus = (status: string | undefined) => {
    const req = settle(zalando({ instances: 3 }), 'st').req;
    const pg = req.observed!.resources['zalando-postgresql']!.resource as Doc;
    if (status === undefined) delete pg['status'];
    else pg['status'] = { PostgresClusterStatus: status };
    return runFunction(req, { random: seededRandom('st') });
  };

  it.each<[string | undefined, boolean, number, string]>([
    ['Running', true, 3, 'the database accepts connections'],
    ['Creating', false, 0, 'waiting for the postgres-operator to create the cluster (Creating)'],
    ['Updating', false, 0, 'waiting for the postgres-operator to create the cluster (Updating)'],
    [undefined, false, 0, 'waiting for the postgres-operator to create the cluster'],
    ['CreateFailed', false, 0, 'the postgres-operator reports CreateFailed'],
    ['SyncFailed', false, 0, 'the postgres-operator reports SyncFailed'],
  ])('%s → ready %p, %p instances ready', (status, ready, instancesReady, message) => {
    const rsp = withStatus(status);
    expect((rsp.desired!.composite!.resource as Doc)['status']).toMatchObject({ instancesReady, engine: 'zalando' });
    expect(rsp.conditions[0]).toMatchObject({
      status: ready ? Status.STATUS_CONDITION_TRUE : Status.STATUS_CONDITION_FALSE,
      message: expect.stringContaining(message),
    });
  });
});

describe('changes refused against the observed manifest', () => {
  const next = (before: Doc, after: Doc) => {
    const { req, rsp } = settle(zalando(before), 'refused');
    expect(fatal(rsp)).toEqual([]);
    (req.observed!.composite!.resource!['spec'] as Doc)['parameters'] = { engine: 'zalando', ...after };
    return fieldErrors(runFunction(req, { random: seededRandom('refused-2') }));
  };

  it.each<[string, Doc, Doc, string[]]>([
    ['disk grows', { size: { disk: '20Gi' } }, { size: { disk: '30Gi' } }, []],
    ['disk shrinks', { size: { disk: '30Gi' } }, { size: { disk: '20Gi' } }, ['spec.parameters.size.disk: the disk can grow but not shrink: it is 30Gi, the claim asks for 20Gi']],
    ['another major (the operator upgrades in place)', { version: 16 }, { version: 17 }, []],
    ['storageClass changed', { storageClass: 'fast' }, { storageClass: 'slow' }, ['spec.parameters.storageClass: the volumes exist in StorageClass "fast"; it can not be changed']],
    ['restore added', {}, { restore: { fromInstance: 'src' } }, ['spec.parameters.restore: the instance exists and was not created from a backup; a restore is read only at creation: remove it, or restore into a new instance']],
    ['a setting Patroni keeps', {}, { postgresql: { settings: { max_prepared_transactions: '10' } } }, ['spec.parameters.postgresql.settings.max_prepared_transactions: can not be set on zalando: Patroni keeps it the same on every member of the cluster']],
  ])('%s', (_what, before, after, errors) => {
    expect(next(before, after)).toEqual(errors);
  });
});

describe('an existing Zalando cluster keeps its team', () => {
  it("when the platform's teamId changes", () => {
    const { req } = settle(zalando({}), 'team');
    const input = req.input as Doc;
    const platform = { ...(input['platform'] as Doc), engines: { zalando: { teamId: 'another-team' } } };
    const rsp = runFunction({ ...req, input: { ...input, platform } }, { random: seededRandom('team') });
    expect(fatal(rsp)).toEqual([]);
    expect(spec(rsp.desired!.resources['zalando-postgresql']!.resource as Doc)['teamId']).toBe('team-a');
  });
});

describe("the operator's maintenance windows", () => {
  it.each<[Doc, string[] | undefined]>([
    [{ maintenance: { dayOfWeek: 'sunday', timeOfDay: '02:30' } }, ['Sun:02:30-03:30']],
    [{ maintenance: { dayOfWeek: 'friday', timeOfDay: '00:00' } }, ['Fri:00:00-01:00']],
    // The operator refuses a window that ends before it starts: an hour across midnight is two.
    [{ maintenance: { dayOfWeek: 'sunday', timeOfDay: '23:30' } }, ['Sun:23:30-23:59', 'Mon:00:00-00:30']],
    [{ maintenance: { dayOfWeek: 'tuesday', timeOfDay: '23:00' } }, ['Tue:23:00-23:59', 'Wed:00:00-00:00']],
    // No window: the operator does its maintenance (a major upgrade among it) whenever it is due.
    [{ maintenance: { dayOfWeek: 'sunday', timeOfDay: '02:30' }, updateStrategy: 'immediate' }, undefined],
  ])('%j → %j', (parameters, windows) => {
    expect(spec(resources(parameters)['zalando-postgresql'])['maintenanceWindows']).toEqual(windows);
  });
});

describe('a major upgrade by the operator', () => {
  it('raises postgresql.version in place; refused when the platform turned the operator\'s upgrades off', () => {
    const raised = (majorUpgrades: boolean) => {
      const { req } = settle(zalando({ version: 16 }), 'major');
      const input = req.input as Doc;
      const platform = { ...(input['platform'] as Doc), engines: { zalando: { majorUpgrades } } };
      (req.observed!.composite!.resource!['spec'] as Doc)['parameters'] = { engine: 'zalando', version: 17 };
      return runFunction({ ...req, input: { ...input, platform } }, { random: seededRandom('major') });
    };
    const on = raised(true);
    expect(fatal(on)).toEqual([]);
    expect(spec(on.desired!.resources['zalando-postgresql']!.resource as Doc)['postgresql']).toMatchObject({ version: '17' });
    expect(fieldErrors(raised(false))).toEqual(['spec.parameters.version: the cluster runs PostgreSQL 16; changing the major version to 17 in place is not supported yet']);
  });
});

describe("the operator's failed major upgrade", () => {
  it('is shown in status.upgradeFailed while its annotation is on the manifest', () => {
    const { req } = settle(zalando({ version: 17 }), 'failed-upgrade');
    const manifest = req.observed!.resources['zalando-postgresql']!.resource as Doc;
    (manifest['metadata'] as Doc)['annotations'] = { 'last-major-upgrade-failure': '2026-12-02T03:00:00Z' };
    const rsp = runFunction(req, { random: seededRandom('failed-upgrade') });
    expect(fatal(rsp)).toEqual([]);
    expect(((rsp.desired!.composite!.resource as Doc)['status'] as Doc)['upgradeFailed']).toBe(
      "17: the postgres-operator's major upgrade failed at 2026-12-02T03:00:00Z; it retries once the annotation last-major-upgrade-failure is removed from the postgresql manifest",
    );
  });
});
