import { Severity, type RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { cronIntervalSeconds, nightlySchedule, runsPerDay } from '../../src/util/cron.js';
import { claim, firstRequest, observeDesired, runningClusterStatus, withInputsObserved, type Doc } from '../support/requests.js';

type Rsp = ReturnType<typeof runFunction>;
const object = (rsp: Rsp, key: string) => rsp.desired!.resources[key]?.resource as Doc | undefined;
const spec = (rsp: Rsp, key: string) => object(rsp, key)!['spec'] as Doc;
const clusterBackups = (rsp: Rsp) => ((spec(rsp, 'sg-cluster')['configurations'] as Doc)['backups'] as Doc[] | undefined);

function backup(name: string, cluster: string, end: string, status = 'Completed'): Doc {
  return {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: { name, namespace: 'team-a' },
    spec: { sgCluster: cluster },
    status: { process: { status, timing: { start: end, end } } },
  };
}

function withRequired(req: RunFunctionRequest, backups: Doc[], clusters: Doc[] = []): RunFunctionRequest {
  const items = (docs: Doc[]) => ({ items: docs.map((resource) => ({ resource, connectionDetails: {}, ready: 0 })) });
  return { ...req, requiredResources: { 'sg-backups': items(backups), 'sg-clusters': items(clusters) } };
}

const run = (parameters: Doc, name = 'db', input?: Doc) => {
  const req = firstRequest(claim(parameters, name, 'team-a'));
  if (input) req.input = { ...req.input, platform: input };
  return runFunction(withRequired(withInputsObserved(req), []));
};

describe('backups', () => {
  it('makes a MinIO bucket, a policy for it and a user whose keys land in the claim namespace', () => {
    const rsp = run({});
    const bucket = object(rsp, 'backup-bucket')!;
    const name = (bucket['metadata'] as Doc)['name'] as string;
    expect(name).toMatch(/^pg-backup-team-a-db-[0-9a-f]{8}$/);
    expect(bucket['spec']).toMatchObject({ deletionPolicy: 'Orphan', forProvider: { bucketName: name } });
    expect(spec(rsp, 'backup-policy')).toMatchObject({ forProvider: { allowBucket: name } });
    expect(spec(rsp, 'backup-user')).toMatchObject({
      forProvider: { userName: name, policies: [name] },
      writeConnectionSecretToRef: { name: 'db-backup-credentials', namespace: 'team-a' },
    });
    expect(spec(rsp, 'sg-object-storage')).toMatchObject({
      type: 's3Compatible',
      s3Compatible: {
        bucket: name,
        endpoint: 'http://minio.minio.svc:9000',
        enablePathStyleAddressing: true,
        awsCredentials: { secretKeySelectors: { accessKeyId: { name: 'db-backup-credentials', key: 'AWS_ACCESS_KEY_ID' } } },
      },
    });
  });

  it('bucket names differ for the same claim name in two namespaces', () => {
    const a = runFunction(firstRequest(claim({}, 'db', 'ns-a')));
    const b = runFunction(firstRequest(claim({}, 'db', 'ns-b')));
    expect((object(a, 'backup-bucket')!['metadata'] as Doc)['name']).not.toBe((object(b, 'backup-bucket')!['metadata'] as Doc)['name']);
  });

  it.each([
    [{ schedule: '30 1 * * *', retentionDays: 14 }, '30 1 * * *', 14],
    [{ schedule: '0 */6 * * *', retentionDays: 7 }, '0 */6 * * *', 28],
    [{ schedule: '0 3 * * 0', retentionDays: 30 }, '0 3 * * 0', 5],
    // Kubernetes validates the backup CronJob's schedule with robfig/cron, which knows Sunday only as 0
    [{ schedule: '0 3 * * 7', retentionDays: 30 }, '0 3 * * 0', 5],
    [{ schedule: '0 3 * * 5-7', retentionDays: 7 }, '0 3 * * 5-6,0', 3],
  ])('backup %j runs on %s and keeps %i base backups', (backupParams, schedule, retention) => {
    expect(clusterBackups(run({ backup: backupParams }))).toEqual([
      { sgObjectStorage: 'db-backups', cronSchedule: schedule, retention, compression: 'lz4' },
    ]);
  });

  it('without a schedule, picks a night-time one from the instance, the same on every reconcile', () => {
    const schedule = clusterBackups(run({}))![0]!['cronSchedule'] as string;
    expect(schedule).toBe(nightlySchedule('team-a/db'));
    expect(clusterBackups(run({}))![0]!['cronSchedule']).toBe(schedule);
    const hours = new Set(Array.from({ length: 200 }, (_, i) => Number(nightlySchedule(`ns/db-${i}`).split(' ')[1])));
    expect([...hours].every((h) => h >= 22 || h <= 5)).toBe(true);
    expect(hours.size).toBeGreaterThan(4);
  });

  it('composes none of it when backups are off', () => {
    const rsp = run({ backup: { enabled: false } });
    expect(Object.keys(rsp.desired!.resources).filter((k) => k.startsWith('backup-') || k === 'sg-object-storage')).toEqual([]);
    expect(clusterBackups(rsp)).toBeUndefined();
  });

  it.each([
    [{ storage: 'aws' }, { useIAMRole: true }],
    [{ storage: 'aws', awsCredentialsSecret: 'aws-backup-keys' }, { secretKeySelectors: { accessKeyId: { name: 'aws-backup-keys', key: 'AWS_ACCESS_KEY_ID' }, secretAccessKey: { name: 'aws-backup-keys', key: 'AWS_SECRET_ACCESS_KEY' } } }],
  ])('on AWS (%j) makes a namespaced S3 bucket that deleting the claim keeps', (backupInput, credentials) => {
    const rsp = run({}, 'db', { backup: { ...backupInput, region: 'eu-central-1' } });
    const bucket = object(rsp, 'backup-bucket')!;
    expect(bucket).toMatchObject({
      apiVersion: 's3.aws.m.upbound.io/v1beta1',
      metadata: { namespace: 'team-a', labels: { 'dbaas.dev/retain-after-deletion-days': '30' } },
      spec: { forProvider: { region: 'eu-central-1', forceDestroy: false }, managementPolicies: ['Observe', 'Create', 'Update', 'LateInitialize'] },
    });
    expect(object(rsp, 'backup-user')).toBeUndefined();
    expect(spec(rsp, 'sg-object-storage')).toMatchObject({ type: 's3', s3: { region: 'eu-central-1', awsCredentials: credentials } });
  });

  it('asks Crossplane for the SGBackups of the namespace and reports the last successful one', () => {
    const first = firstRequest(claim({}, 'db', 'team-a'));
    expect(runFunction(first).requirements?.resources['sg-backups']).toMatchObject({ apiVersion: 'stackgres.io/v1', kind: 'SGBackup', namespace: 'team-a' });
    const steady = observeDesired(first, runFunction(first), runningClusterStatus(1));
    const rsp = runFunction(
      withRequired(steady, [
        backup('b1', 'db', '2026-11-20T01:00:00Z'),
        backup('b2', 'db', '2026-11-21T01:00:00Z'),
        backup('b3', 'db', '2026-11-22T01:00:00Z', 'Failed'),
        backup('other', 'other-db', '2026-11-23T01:00:00Z'),
      ]),
    );
    expect(rsp.desired!.composite!.resource!['status']).toMatchObject({ lastBackup: '2026-11-21T01:00:00Z' });
  });

  it.each([
    ['once a day', '15 2 * * *', 1, 86400],
    ['every 6 hours', '0 */6 * * *', 4, 21600],
    ['twice an hour', '0,30 * * * *', 48, 1800],
    ['weekly', '0 3 * * 0', 1 / 7, 604800],
    ['weekdays', '0 3 * * 1-5', 5 / 7, 3 * 86400],
  ])('cron %s', (_name, schedule, perDay, seconds) => {
    expect(runsPerDay(schedule)).toBeCloseTo(perDay, 2);
    expect(cronIntervalSeconds(schedule)).toBe(seconds);
  });
});

describe('restore', () => {
  const source = { apiVersion: 'stackgres.io/v1', kind: 'SGCluster', metadata: { name: 'orders', namespace: 'team-a' } };
  const backups = [backup('nightly-1', 'orders', '2026-11-20T01:00:00Z'), backup('nightly-2', 'orders', '2026-11-21T01:00:00Z')];
  const restoreRun = (restore: Doc, sourceBackups = backups, clusters = [source]) =>
    runFunction(withRequired(withInputsObserved(firstRequest(claim({ restore }, 'orders-copy', 'team-a'))), sourceBackups, clusters));
  const fatal = (rsp: Rsp) => rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL)?.message;

  it.each([
    [{ fromInstance: 'orders' }, { name: 'nightly-2' }],
    [{ fromInstance: 'orders', backupName: 'nightly-1' }, { name: 'nightly-1' }],
    [
      { fromInstance: 'orders', pointInTime: '2026-11-20T18:00:00Z' },
      { name: 'nightly-1', pointInTimeRecovery: { restoreToTimestamp: '2026-11-20T18:00:00Z' } },
    ],
  ])('%j restores from %j', (restore, fromBackup) => {
    const rsp = restoreRun(restore);
    expect(fatal(rsp)).toBeUndefined();
    expect(spec(rsp, 'sg-cluster')['initialData']).toEqual({ restore: { fromBackup } });
  });

  it.each([
    [{ fromInstance: 'nope' }, 'spec.parameters.restore.fromInstance: there is no instance "nope"'],
    [{ fromInstance: 'orders-copy' }, 'spec.parameters.restore.fromInstance: an instance can not be restored from itself'],
    [{ fromInstance: 'orders', backupName: 'gone' }, 'spec.parameters.restore.backupName: instance "orders" has no backup "gone"'],
    [{ fromInstance: 'orders', pointInTime: '2026-11-19T00:00:00Z' }, 'spec.parameters.restore.pointInTime: instance "orders" has no successful backup that ended before'],
    [{ fromInstance: 'orders', pointInTime: 'yesterday' }, 'spec.parameters.restore.pointInTime: must be an RFC 3339 timestamp'],
    [{ fromInstance: 'other-ns/orders' }, 'spec.parameters.restore.fromInstance: must name a PostgreSQLInstance in this namespace'],
  ])('%j is refused: %s', (restore, message) => {
    expect(fatal(restoreRun(restore))).toContain(message);
  });

  it('no source yet with no backups gives a readable refusal', () => {
    expect(fatal(restoreRun({ fromInstance: 'orders' }, []))).toContain('has no successful backup yet');
  });

  it('waits for Crossplane to fetch the source before composing the cluster, without refusing', () => {
    const rsp = runFunction(firstRequest(claim({ restore: { fromInstance: 'orders' } }, 'orders-copy', 'team-a')));
    expect(fatal(rsp)).toBeUndefined();
    expect(object(rsp, 'sg-cluster')).toBeUndefined();
    expect(Object.keys(rsp.requirements!.resources).sort()).toEqual(['sg-backups', 'sg-clusters']);
  });

  it('once the cluster exists, keeps what it was restored from even when the source is gone', () => {
    const first = withRequired(withInputsObserved(firstRequest(claim({ restore: { fromInstance: 'orders' } }, 'orders-copy', 'team-a'))), backups, [source]);
    const created = runFunction(first);
    const later = withRequired(observeDesired(first, created, runningClusterStatus(1)), [], []);
    const rsp = runFunction(later);
    expect(fatal(rsp)).toBeUndefined();
    expect(spec(rsp, 'sg-cluster')['initialData']).toEqual({ restore: { fromBackup: { name: 'nightly-2' } } });
  });

  it('says it is restoring while the cluster bootstraps', () => {
    const first = withRequired(withInputsObserved(firstRequest(claim({ restore: { fromInstance: 'orders' } }, 'orders-copy', 'team-a'))), backups, [source]);
    const rsp = runFunction(observeDesired(first, runFunction(first), { conditions: [] }));
    expect(rsp.conditions[0]!.message).toContain('restoring from a backup of instance "orders"');
  });
});
