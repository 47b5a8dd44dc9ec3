/** Day two: the maintenance window, and the major upgrade on CloudNativePG. Expected values written by hand. */
import { Severity, Status, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { parametersSchema } from '../../src/api/schema.js';
import { describeWindow, maintenanceWindow, nextWindowStart, windowCron } from '../../src/compose/maintenance.js';
import { runFunction } from '../../src/function.js';
import { claimToComposite, renderRequest } from '../../src/render.js';
import { seededRandom } from '../../src/util/random.js';
import { crdErrors } from '../support/crds.js';
import { claim, compositionInput, settle, type Doc } from '../support/requests.js';

describe('the maintenance window', () => {
  // Hashes worked out apart from the code (sha256 of "maintenance:<namespace>/<name>", first four bytes, 224 slots).
  it.each([
    ['shop', 'orders', 'saturday 01:45-02:45 UTC', '45 1 * * 6'],
    ['team-a', 'app-db', 'monday 01:30-02:30 UTC', '30 1 * * 1'],
    ['a', 'b', 'thursday 22:45-23:45 UTC', '45 22 * * 4'],
    ['team-a', 'orders-db', 'tuesday 22:30-23:30 UTC', '30 22 * * 2'],
  ])('%s/%s without one gets a night of the week: %s', (namespace, claimName, shown, cron) => {
    const w = maintenanceWindow({ namespace, claimName }, { maintenance: undefined });
    expect(w.chosen).toBe(false);
    expect(describeWindow(w)).toBe(shown);
    expect(windowCron(w)).toBe(cron);
  });

  it.each([
    [{ dayOfWeek: 'sunday', timeOfDay: '23:30' }, 'sunday 23:30-00:30 UTC', '30 23 * * 0'],
    [{ dayOfWeek: 'wednesday', timeOfDay: '00:00' }, 'wednesday 00:00-01:00 UTC', '0 0 * * 3'],
  ] as const)('the claim\'s own %j', (maintenance, shown, cron) => {
    const w = maintenanceWindow({ namespace: 'x', claimName: 'y' }, { maintenance });
    expect(w.chosen).toBe(true);
    expect(describeWindow(w)).toBe(shown);
    expect(windowCron(w)).toBe(cron);
  });

  it.each([
    [{ maintenance: { dayOfWeek: 'sun', timeOfDay: '02:00' } }, 'maintenance.dayOfWeek'],
    [{ maintenance: { dayOfWeek: 'sunday', timeOfDay: '24:00' } }, 'maintenance.timeOfDay'],
    [{ maintenance: { dayOfWeek: 'sunday', timeOfDay: '2:00' } }, 'maintenance.timeOfDay'],
    [{ maintenance: { dayOfWeek: 'sunday' } }, 'maintenance.timeOfDay'],
    [{ updateStrategy: 'asap' }, 'updateStrategy'],
  ])('refuses %j naming %s', (parameters, path) => {
    const parsed = parametersSchema.safeParse(parameters);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('shows the window and the strategy in the status', () => {
    const req = renderRequest(claimToComposite(claim({ maintenance: { dayOfWeek: 'friday', timeOfDay: '04:15' }, updateStrategy: 'immediate' }, 'orders', 'shop')), {
      input: compositionInput(),
    });
    const status = runFunction(req, { random: seededRandom('w') }).desired!.composite!.resource!['status'] as Doc;
    expect(status['maintenanceWindow']).toBe('friday 04:15-05:15 UTC');
    expect(status['updateStrategy']).toBe('immediate');
  });
});

// ---- CloudNativePG major upgrade ----

const KEY = 'cnpg-cluster';
const BACKUP = 'cnpg-pre-upgrade-backup';
const CATALOGS = 'cnpg-image-catalogs';

const onCnpg = (parameters: Doc) => renderRequest(claimToComposite(claim({ engine: 'cloudnativepg', ...parameters })), { input: compositionInput() });

/** A cluster running on `from`, and the claim then asking for `to`. */
function raised(from: number, to: number, more: Doc = {}): RunFunctionRequest {
  const req = structuredClone(settle(onCnpg({ version: from, ...more }), 'up').req);
  const composite = req.observed!.composite!.resource as Doc;
  ((composite['spec'] as Doc)['parameters'] as Doc)['version'] = to;
  const cluster = req.observed!.resources![KEY]!.resource as Doc;
  (cluster['status'] as Doc)['pgDataImageInfo'] = { image: `postgresql:${from}`, majorVersion: from };
  return req;
}

const catalogWith = (...majors: number[]): RunFunctionRequest['requiredResources'] => ({
  [CATALOGS]: {
    items: [
      { resource: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'ClusterImageCatalog', metadata: { name: 'other' }, spec: { images: [{ major: 18, image: 'x' }] } }, connectionDetails: {}, ready: 0 },
      {
        resource: { apiVersion: 'postgresql.cnpg.io/v1', kind: 'ClusterImageCatalog', metadata: { name: 'postgresql' }, spec: { images: majors.map((major) => ({ major, image: `pg:${major}` })) } },
        connectionDetails: {},
        ready: 0,
      },
    ],
  },
});

const run = (req: RunFunctionRequest): RunFunctionResponse => runFunction(req, { random: seededRandom('up') });
const desired = (rsp: RunFunctionResponse, key: string) => rsp.desired!.resources[key]?.resource as Doc | undefined;
const major = (rsp: RunFunctionResponse) => ((desired(rsp, KEY)!['spec'] as Doc)['imageCatalogRef'] as Doc)['major'];
const serverName = (rsp: RunFunctionResponse) => (((desired(rsp, KEY)!['spec'] as Doc)['plugins'] as Doc[])[0]!['parameters'] as Doc)['serverName'];
const readyCondition = (rsp: RunFunctionResponse) => rsp.conditions.find((c) => c.type === 'DatabaseReady');
const fatal = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);

describe('a major upgrade on CloudNativePG', () => {
  it('asks for the image catalog and keeps the old major until it has read it', () => {
    const rsp = run(raised(15, 17));
    expect(fatal(rsp)).toEqual([]);
    expect(major(rsp)).toBe(15);
    expect(rsp.requirements?.resources[CATALOGS]).toMatchObject({ apiVersion: 'postgresql.cnpg.io/v1', kind: 'ClusterImageCatalog' });
    expect(readyCondition(rsp)).toMatchObject({ reason: 'Upgrading', message: 'upgrade to PostgreSQL 17: reading the image catalog' });
  });

  it('asks for the catalog on every reconcile, upgrade or not (the instance\'s own catalog follows it), and takes no backup', () => {
    const rsp = run(raised(17, 17));
    expect(rsp.requirements?.resources[CATALOGS]).toEqual({ apiVersion: 'postgresql.cnpg.io/v1', kind: 'ClusterImageCatalog', namespace: '', matchLabels: { labels: {} } });
    expect(desired(rsp, BACKUP)).toBeUndefined();
  });

  it('takes a backup first, and holds the old major until it completed', () => {
    const req = raised(15, 17);
    req.requiredResources = { ...req.requiredResources, ...catalogWith(15, 17) };
    const rsp = run(req);
    expect(fatal(rsp)).toEqual([]);
    expect(major(rsp)).toBe(15);
    expect(desired(rsp, BACKUP)).toEqual({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: expect.objectContaining({ name: 'app-db-before-pg17', namespace: 'team-a' }),
      spec: { cluster: { name: 'app-db' }, method: 'plugin', pluginConfiguration: { name: 'barman-cloud.cloudnative-pg.io' } },
    });
    expect(readyCondition(rsp)).toMatchObject({ reason: 'Upgrading', message: 'upgrade to PostgreSQL 17: taking a backup first' });
    expect(crdErrors(desired(rsp, BACKUP)!, 'cloudnative-pg')).toEqual([]);
    expect(crdErrors(desired(rsp, KEY)!, 'cloudnative-pg')).toEqual([]);

    // running
    const running = structuredClone(req);
    running.observed!.resources![BACKUP] = { resource: { ...desired(rsp, BACKUP), status: { phase: 'running' } }, connectionDetails: {}, ready: 0 };
    expect(major(run(running))).toBe(15);
    expect(readyCondition(run(running))?.message).toBe('upgrade to PostgreSQL 17: taking a backup first (running)');

    // failed: held, the old version keeps running, the condition says how to retry
    const failed = structuredClone(req);
    failed.observed!.resources![BACKUP] = { resource: { ...desired(rsp, BACKUP), status: { phase: 'failed', error: 'no space' } }, connectionDetails: {}, ready: 0 };
    expect(major(run(failed))).toBe(15);
    expect(readyCondition(run(failed))?.message).toBe(
      'upgrade to PostgreSQL 17 held, 15 keeps running: the backup before it failed (no space); delete Backup "app-db-before-pg17" to try again',
    );

    // completed: the major goes up, with a new Barman server name for the new major's archive
    const done = structuredClone(req);
    done.observed!.resources![BACKUP] = { resource: { ...desired(rsp, BACKUP), status: { phase: 'completed' } }, connectionDetails: {}, ready: 0 };
    const up = run(done);
    expect(major(up)).toBe(17);
    expect(serverName(run(req))).toBe(String(((req.observed!.composite!.resource as Doc)['metadata'] as Doc)['name']));
    expect(serverName(up)).toBe(`${String(((req.observed!.composite!.resource as Doc)['metadata'] as Doc)['name'])}-pg17`);
    expect(desired(up, BACKUP)).toBeDefined();
  });

  it('without backups raises the major at once once the catalog has it', () => {
    const req = raised(15, 17, { backup: { enabled: false } });
    req.requiredResources = { ...req.requiredResources, ...catalogWith(15, 17) };
    const rsp = run(req);
    expect(major(rsp)).toBe(17);
    expect(desired(rsp, BACKUP)).toBeUndefined();
  });

  it('reports the upgrade while the operator runs it, and is done when the data is on the new major', () => {
    const req = raised(15, 17, { backup: { enabled: false } });
    const cluster = req.observed!.resources![KEY]!.resource as Doc;
    (cluster['spec'] as Doc)['imageCatalogRef'] = { ...((cluster['spec'] as Doc)['imageCatalogRef'] as Doc), major: 17 };
    (cluster['status'] as Doc)['phase'] = 'Upgrading Postgres major version';
    const rsp = run(req);
    expect(major(rsp)).toBe(17);
    expect(rsp.requirements?.resources['cnpg-upgrade-jobs']).toMatchObject({ kind: 'Job' });
    expect(readyCondition(rsp)).toMatchObject({
      status: Status.STATUS_CONDITION_FALSE,
      reason: 'Upgrading',
      message: 'upgrading PostgreSQL 15 to 17 (CloudNativePG: Upgrading Postgres major version)',
    });
    expect((rsp.desired!.composite!.resource!['status'] as Doc)['dataVersion']).toBe('15');

    (cluster['status'] as Doc)['phase'] = 'Cluster in healthy state';
    (cluster['status'] as Doc)['pgDataImageInfo'] = { image: 'postgresql:17', majorVersion: 17 };
    const done = run(req);
    expect(readyCondition(done)).toMatchObject({ status: Status.STATUS_CONDITION_TRUE });
    expect((done.desired!.composite!.resource!['status'] as Doc)['dataVersion']).toBe('17');
  });

  it('rolls back to the data\'s major when the operator\'s upgrade Job failed, and remembers it', () => {
    const req = raised(15, 17, { backup: { enabled: false } });
    const cluster = req.observed!.resources![KEY]!.resource as Doc;
    (cluster['spec'] as Doc)['imageCatalogRef'] = { ...((cluster['spec'] as Doc)['imageCatalogRef'] as Doc), major: 17 };
    (cluster['status'] as Doc)['phase'] = 'Upgrading Postgres major version';
    const asking = run(req);
    expect(asking.requirements?.resources['cnpg-upgrade-jobs']).toMatchObject({
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: 'team-a',
      matchLabels: { labels: { 'cnpg.io/cluster': 'app-db', 'cnpg.io/jobRole': 'major-upgrade' } },
    });
    req.requiredResources = {
      ...req.requiredResources,
      'cnpg-upgrade-jobs': {
        items: [
          {
            resource: {
              apiVersion: 'batch/v1',
              kind: 'Job',
              metadata: { name: 'app-db-1-major-upgrade' },
              status: { conditions: [{ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' }] },
            },
            connectionDetails: {},
            ready: 0,
          },
        ],
      },
    };
    const failed = run(req);
    expect(major(failed)).toBe(15);
    expect(readyCondition(failed)).toMatchObject({
      reason: 'UpgradeFailed',
      message:
        'upgrade to PostgreSQL 17 failed (Job app-db-1-major-upgrade failed: Job has reached the specified backoff limit); ' +
        'rolling back to 15, whose data pg_upgrade left as it was',
    });
    const remembered = (failed.desired!.composite!.resource!['status'] as Doc)['upgradeFailed'];
    expect(remembered).toBe('17: Job app-db-1-major-upgrade failed: Job has reached the specified backoff limit');

    // Rolled back: the Cluster asks for 15 again, the status remembers, the upgrade is not started again.
    const after = raised(15, 17, { backup: { enabled: false } });
    ((after.observed!.composite!.resource as Doc)['status'] as Doc | undefined) ?? ((after.observed!.composite!.resource as Doc)['status'] = {});
    ((after.observed!.composite!.resource as Doc)['status'] as Doc)['upgradeFailed'] = remembered;
    const held = run(after);
    expect(major(held)).toBe(15);
    expect(held.requirements?.resources['cnpg-upgrade-jobs']).toBeUndefined();
    expect(readyCondition(held)).toMatchObject({
      reason: 'UpgradeFailed',
      message:
        'upgrade to PostgreSQL 17: Job app-db-1-major-upgrade failed: Job has reached the specified backoff limit; PostgreSQL 15 runs. ' +
        'Not tried again until the platform clears status.upgradeFailed',
    });
    expect((held.desired!.composite!.resource!['status'] as Doc)['upgradeFailed']).toBe(remembered);
  });

  it.each([
    [[15, 16], 'can not upgrade PostgreSQL 15 to 17: the platform\'s ClusterImageCatalog "postgresql" has no image for 17; choose one it offers (16), or ask the platform team to add 17'],
    [[15], 'can not upgrade PostgreSQL 15 to 17: the platform\'s ClusterImageCatalog "postgresql" has no image for 17; it offers nothing above 15 yet: ask the platform team to add 17, and keep 15 until then'],
  ])('refuses a jump the catalog (majors %j) can not make, changing nothing', (majors, message) => {
    const req = raised(15, 17);
    req.requiredResources = { ...req.requiredResources, ...catalogWith(...majors) };
    const rsp = run(req);
    expect(fatal(rsp)).toEqual([`cannot compose this PostgreSQLInstance, nothing was changed: spec.parameters.version: ${message}`]);
    expect(rsp.desired!.resources).toEqual({});
  });

  it('refuses going back a major, naming the field and what to do', () => {
    const rsp = run(raised(17, 15));
    expect(fatal(rsp)).toEqual([
      'cannot compose this PostgreSQLInstance, nothing was changed: spec.parameters.version: the data is PostgreSQL 17 and PostgreSQL can not go back ' +
        'a major version in place: keep 17 (or raise it), or create a new instance on 15 and move the data with pg_dump and pg_restore',
    ]);
  });
});

// ---- StackGres major upgrade ----

/** A StackGres cluster running on `from`, the claim then asking for `to`. */
function raisedOnStackGres(from: number, to: number, more: Doc = {}): RunFunctionRequest {
  const req = structuredClone(settle(renderRequest(claimToComposite(claim({ version: from, ...more })), { input: compositionInput() }), 'sg').req);
  ((((req.observed!.composite!.resource as Doc)['spec'] as Doc)['parameters'] as Doc)['version'] = to);
  return req;
}
const observe = (req: RunFunctionRequest, key: string, object: Doc | undefined, status: Doc) => {
  req.observed!.resources![key] = { resource: { ...object, status }, connectionDetails: {}, ready: 0 };
};
const sgSpec = (rsp: RunFunctionResponse) => desired(rsp, 'sg-cluster')!['spec'] as Doc;

describe('a major upgrade on StackGres', () => {
  it('takes an SGBackup first and leaves the SGCluster as it runs', () => {
    const rsp = run(raisedOnStackGres(15, 17));
    expect(fatal(rsp)).toEqual([]);
    expect(desired(rsp, 'sg-pre-upgrade-backup')).toEqual({
      apiVersion: 'stackgres.io/v1',
      kind: 'SGBackup',
      metadata: expect.objectContaining({ name: 'app-db-before-pg17', namespace: 'team-a' }),
      spec: { sgCluster: 'app-db', managedLifecycle: false },
    });
    expect(desired(rsp, 'sg-dbops-major-upgrade')).toBeUndefined();
    expect(sgSpec(rsp)['postgres']).toEqual({ version: '15', ssl: { enabled: true } });
    expect((sgSpec(rsp)['configurations'] as Doc)['sgPostgresConfig']).toBe('app-db-pg15');
    expect(readyCondition(rsp)).toMatchObject({ reason: 'Upgrading', message: 'upgrade to PostgreSQL 17: taking a backup first' });
  });

  it('then composes the SGDbOps and the new major\'s config beside the old one, valid against the CRDs', () => {
    const req = raisedOnStackGres(15, 17);
    const first = run(req);
    observe(req, 'sg-pre-upgrade-backup', desired(first, 'sg-pre-upgrade-backup'), { process: { status: 'Completed' } });
    const rsp = run(req);
    expect(desired(rsp, 'sg-dbops-major-upgrade')).toEqual({
      apiVersion: 'stackgres.io/v1',
      kind: 'SGDbOps',
      metadata: expect.objectContaining({ name: 'app-db-pg17-upgrade', namespace: 'team-a' }),
      spec: {
        sgCluster: 'app-db',
        op: 'majorVersionUpgrade',
        maxRetries: 0,
        majorVersionUpgrade: { postgresVersion: '17', sgPostgresConfig: 'app-db-pg17', link: false },
      },
    });
    expect(desired(rsp, 'sg-postgres-config')).toMatchObject({ metadata: { name: 'app-db-pg15' }, spec: { postgresVersion: '15' } });
    expect(desired(rsp, 'sg-postgres-config-pg17')).toMatchObject({ metadata: { name: 'app-db-pg17' }, spec: { postgresVersion: '17' } });
    expect(sgSpec(rsp)['postgres']).toEqual({ version: '15', ssl: { enabled: true } });
    expect(readyCondition(rsp)).toMatchObject({ reason: 'Upgrading', message: 'upgrading PostgreSQL 15 to 17 (SGDbOps: starting)' });
    for (const key of ['sg-dbops-major-upgrade', 'sg-pre-upgrade-backup', 'sg-postgres-config-pg17', 'sg-cluster']) {
      expect([key, crdErrors(desired(rsp, key)!)]).toEqual([key, []]);
    }

    observe(req, 'sg-dbops-major-upgrade', desired(rsp, 'sg-dbops-major-upgrade'), {
      conditions: [{ type: 'Failed', status: 'True', reason: 'OperationFailed', message: 'the upgrade check failed' }],
      majorVersionUpgrade: { failure: 'extension foo has no version for 17' },
    });
    expect(readyCondition(run(req))).toMatchObject({
      status: Status.STATUS_CONDITION_FALSE,
      reason: 'UpgradeFailed',
      message: 'upgrade to PostgreSQL 17 failed (StackGres: extension foo has no version for 17); delete SGDbOps "app-db-pg17-upgrade" to try again',
    });
  });

  it('composes the new major once the SGDbOps completed, even from a read of the SGCluster before StackGres moved it', () => {
    const req = raisedOnStackGres(15, 17, { backup: { enabled: false } });
    const first = run(req);
    observe(req, 'sg-dbops-major-upgrade', desired(first, 'sg-dbops-major-upgrade'), { conditions: [{ type: 'Running', status: 'True' }] });
    expect(sgSpec(run(req))['postgres']).toEqual({ version: '15', ssl: { enabled: true } });
    observe(req, 'sg-dbops-major-upgrade', desired(first, 'sg-dbops-major-upgrade'), { conditions: [{ type: 'Completed', status: 'True' }] });
    const done = run(req);
    expect(sgSpec(done)['postgres']).toEqual({ version: '17', ssl: { enabled: true } });
    expect((sgSpec(done)['configurations'] as Doc)['sgPostgresConfig']).toBe('app-db-pg17');
  });

  it('follows StackGres once it moved the SGCluster: the new config under its own key, no operation left', () => {
    const req = raisedOnStackGres(15, 17, { backup: { enabled: false } });
    const cluster = req.observed!.resources!['sg-cluster']!.resource as Doc;
    (cluster['spec'] as Doc)['postgres'] = { version: '17.6', ssl: { enabled: true } };
    ((cluster['spec'] as Doc)['configurations'] as Doc)['sgPostgresConfig'] = 'app-db-pg17';
    observe(req, 'sg-postgres-config-pg17', { apiVersion: 'stackgres.io/v1', kind: 'SGPostgresConfig', metadata: { name: 'app-db-pg17', namespace: 'team-a' } }, {});
    const rsp = run(req);
    expect(fatal(rsp)).toEqual([]);
    expect(desired(rsp, 'sg-dbops-major-upgrade')).toBeUndefined();
    expect(desired(rsp, 'sg-postgres-config')).toBeUndefined();
    expect(desired(rsp, 'sg-postgres-config-pg17')).toMatchObject({ metadata: { name: 'app-db-pg17' } });
    expect(sgSpec(rsp)['postgres']).toEqual({ version: '17', ssl: { enabled: true } });
  });

  it('refuses going back', () => {
    expect(fatal(run(raisedOnStackGres(17, 16)))[0]).toContain('spec.parameters.version: the data is PostgreSQL 17 and PostgreSQL can not go back');
  });
});

describe('the next start of the window', () => {
  it.each([
    ['sunday', '03:00', '2026-12-02T02:10:00Z', '2026-12-06T03:00:00.000Z'],
    ['sunday', '03:00', '2026-12-06T02:59:00Z', '2026-12-06T03:00:00.000Z'],
    ['sunday', '03:00', '2026-12-06T03:00:00Z', '2026-12-06T03:00:00.000Z'],
    ['sunday', '03:00', '2026-12-06T03:01:00Z', '2026-12-13T03:00:00.000Z'],
    ['monday', '00:15', '2026-12-31T23:00:00Z', '2027-01-04T00:15:00.000Z'],
    ['wednesday', '22:45', '2026-12-02T02:10:00Z', '2026-12-02T22:45:00.000Z'],
  ] as const)('%s %s after %s: %s', (dayOfWeek, timeOfDay, after, start) => {
    expect(nextWindowStart({ dayOfWeek, timeOfDay, chosen: true }, new Date(after)).toISOString()).toBe(start);
  });
});

// ---- StackGres restart that applies a change ----

const pendingCluster = (req: RunFunctionRequest, since = '2026-12-02T02:10:00Z') => {
  const cluster = req.observed!.resources!['sg-cluster']!.resource as Doc;
  const status = cluster['status'] as Doc;
  status['conditions'] = [...(status['conditions'] as Doc[]), { type: 'PendingRestart', status: 'True', lastTransitionTime: since }];
  return req;
};
const steadyOnStackGres = (more: Doc = {}) =>
  structuredClone(settle(renderRequest(claimToComposite(claim({ maintenance: { dayOfWeek: 'sunday', timeOfDay: '03:00' }, ...more })), { input: compositionInput() }), 'sg').req);
const maintenanceOf = (rsp: RunFunctionResponse) => rsp.conditions.find((c) => c.type === 'MaintenancePending');

describe('a restart that applies a change on StackGres', () => {
  it('is not composed while nothing is pending, and the condition says so', () => {
    const rsp = run(steadyOnStackGres());
    expect(desired(rsp, 'sg-dbops-restart')).toBeUndefined();
    expect(maintenanceOf(rsp)).toMatchObject({ status: Status.STATUS_CONDITION_FALSE, reason: 'NothingPending' });
  });

  it('with updateStrategy window: an SGDbOps restart StackGres runs at the next window start, valid against its CRD', () => {
    const rsp = run(pendingCluster(steadyOnStackGres({ instances: 2 })));
    expect(desired(rsp, 'sg-dbops-restart')).toEqual({
      apiVersion: 'stackgres.io/v1',
      kind: 'SGDbOps',
      metadata: expect.objectContaining({ name: 'app-db-restart-20261202t0210', namespace: 'team-a' }),
      spec: {
        sgCluster: 'app-db',
        op: 'restart',
        runAt: '2026-12-06T03:00:00Z',
        maxRetries: 1,
        restart: { method: 'ReducedImpact', onlyPendingRestart: true },
      },
    });
    expect(crdErrors(desired(rsp, 'sg-dbops-restart')!)).toEqual([]);
    expect(maintenanceOf(rsp)).toMatchObject({
      status: Status.STATUS_CONDITION_TRUE,
      reason: 'RestartPending',
      message: 'a restart is pending to apply a change: scheduled at 2026-12-06T03:00:00Z, in the maintenance window',
    });
    expect(readyCondition(rsp)).toMatchObject({ status: Status.STATUS_CONDITION_TRUE });
  });

  it('with updateStrategy immediate: at once, in place for a single instance', () => {
    const rsp = run(pendingCluster(steadyOnStackGres({ updateStrategy: 'immediate' })));
    expect((desired(rsp, 'sg-dbops-restart')!['spec'] as Doc)).toEqual({
      sgCluster: 'app-db',
      op: 'restart',
      maxRetries: 1,
      restart: { method: 'InPlace', onlyPendingRestart: true },
    });
    expect(maintenanceOf(rsp)?.message).toBe('a restart is pending to apply a change: restarting now (updateStrategy immediate)');
  });

  it('keeps a running one until it finished, then lets it go', () => {
    const req = pendingCluster(steadyOnStackGres());
    const first = run(req);
    observe(req, 'sg-dbops-restart', desired(first, 'sg-dbops-restart'), { conditions: [{ type: 'Running', status: 'True' }] });
    // The pods restarted: StackGres no longer says a restart is pending, the operation still runs.
    const cluster = req.observed!.resources!['sg-cluster']!.resource as Doc;
    (cluster['status'] as Doc)['conditions'] = ((cluster['status'] as Doc)['conditions'] as Doc[]).filter((c) => c['type'] !== 'PendingRestart');
    const running = run(req);
    expect(desired(running, 'sg-dbops-restart')).toEqual(desired(first, 'sg-dbops-restart'));
    expect(maintenanceOf(running)?.message).toBe('restarting to apply a change (SGDbOps running)');
    observe(req, 'sg-dbops-restart', desired(first, 'sg-dbops-restart'), { conditions: [{ type: 'Completed', status: 'True' }] });
    const done = run(req);
    expect(desired(done, 'sg-dbops-restart')).toBeUndefined();
    expect(maintenanceOf(done)?.status).toBe(Status.STATUS_CONDITION_FALSE);
  });
});

// ---- StackGres rolls out minor and security updates itself, in the window ----

describe('when StackGres may replace the pods (SGCluster spec.pods.updateStrategy)', () => {
  it.each([
    ['the window, one instance', { maintenance: { dayOfWeek: 'sunday', timeOfDay: '03:00' } }, { type: 'Schedule', method: 'InPlace', schedule: [{ cron: '0 3 * * 0', duration: 'PT60M' }] }],
    ['the window, replicas', { instances: 3, maintenance: { dayOfWeek: 'wednesday', timeOfDay: '22:45' } }, { type: 'Schedule', method: 'ReducedImpact', schedule: [{ cron: '45 22 * * 3', duration: 'PT60M' }] }],
    ['at once', { updateStrategy: 'immediate', instances: 2 }, { type: 'Always', method: 'ReducedImpact' }],
  ] as const)('%s', (_name, parameters, expected) => {
    const rsp = run(structuredClone(settle(renderRequest(claimToComposite(claim(parameters as Doc)), { input: compositionInput() }), 'sg').req));
    const cluster = desired(rsp, 'sg-cluster')!;
    expect((cluster['spec'] as Doc)['pods']).toMatchObject({ updateStrategy: expected });
    expect(crdErrors(cluster)).toEqual([]);
  });
});
