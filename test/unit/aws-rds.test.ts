/** The Amazon RDS engine (provider-upjet-aws), with expected values written by hand. */
import { Severity, Status } from '@crossplane-org/function-sdk-typescript';
import { backupWindow } from '../../src/engines/aws-rds/engine.js';
import { overlaps, rdsMaintenanceWindow } from '../../src/engines/aws-rds/windows.js';
import { inBaseUnit } from '../../src/api/setting-units.js';
import { runFunction } from '../../src/function.js';
import { claimToComposite, renderRequest } from '../../src/render.js';
import { seededRandom } from '../../src/util/random.js';
import { answerComposing, claim, compositionInput, settle, type Doc } from '../support/requests.js';

const rds = (parameters: Doc, name = 'app-db') => renderRequest(claimToComposite(claim({ engine: 'aws-rds', ...parameters }, name)), { input: compositionInput() });
const fatal = (rsp: ReturnType<typeof runFunction>) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
const fieldErrors = (rsp: ReturnType<typeof runFunction>) =>
  fatal(rsp).flatMap((m) => m.replace(/^cannot compose this PostgreSQLInstance, nothing was changed: /, '').split(/; (?=spec\.)/));
const resources = (parameters: Doc, name?: string) => {
  const rsp = answerComposing(rds(parameters, name), 'rds-instance', 'rds');
  expect(fatal(rsp)).toEqual([]);
  return Object.fromEntries(Object.entries(rsp.desired!.resources).map(([k, r]) => [k, r.resource as Doc]));
};
const forProvider = (o: Doc | undefined) => (o?.['spec'] as Doc)['forProvider'] as Doc;

describe('backup windows from daily schedules', () => {
  it.each<[string, string | undefined]>([
    ['30 2 * * *', '02:30-03:00'],
    ['0 0 * * *', '00:00-00:30'],
    ['45 23 * * *', '23:45-00:15'],
    ['0 */6 * * *', undefined],
    ['0 3 * * 1', undefined],
  ])('%s → %s', (schedule, window) => expect(backupWindow(schedule)).toBe(window));
});

describe('values in the parameter unit RDS wants', () => {
  it.each([
    ['1GB', '8kB', '131072'],
    ['64MB', 'kB', '65536'],
    ['500', 'ms', '500'],
    ['5min', 'ms', '300000'],
    ['on', '', 'on'],
  ])('%s (base %s) → %s', (value, unit, expected) => expect(inBaseUnit(value, unit)).toBe(expected));
});

describe('the RDS Instance', () => {
  it('takes the plan from the platform table, the disk in GiB, Multi-AZ, our password by reference, native backups', () => {
    const r = resources({
      instances: 2,
      size: { plan: 'medium', disk: '100Gi' },
      version: 16,
      backup: { schedule: '10 3 * * *', retentionDays: 35 },
      maintenance: { dayOfWeek: 'sunday', timeOfDay: '23:30' },
    });
    expect(forProvider(r['rds-instance'])).toEqual({
      region: 'eu-central-1',
      engine: 'postgres',
      engineVersion: '16',
      instanceClass: 'db.m7g.large',
      allocatedStorage: 100,
      maxAllocatedStorage: 0,
      storageType: 'gp3',
      storageEncrypted: true,
      multiAz: true,
      username: 'postgres',
      passwordSecretRef: { name: 'app-db-superuser', key: 'password' },
      dbSubnetGroupNameRef: { name: 'app-db-subnets' },
      parameterGroupNameRef: { name: 'app-db-params' },
      vpcSecurityGroupIdRefs: [{ name: 'app-db-sg' }],
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: true,
      maintenanceWindow: 'sun:23:30-mon:00:30',
      applyImmediately: false,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: 'app-db-final',
      copyTagsToSnapshot: true,
      backupRetentionPeriod: 35,
      backupWindow: '03:10-03:40',
      enabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
    });
  });

  it.each<[string, Doc, Doc]>([
    ['off when unset: 0 turns RDS storage autoscaling off explicitly', {}, { allocatedStorage: 20, maxAllocatedStorage: 0 }],
    ['off when not enabled, even with a max', { autogrow: { enabled: false, max: '100Gi' } }, { allocatedStorage: 20, maxAllocatedStorage: 0 }],
    ['on: RDS grows the disk by itself up to max, in GiB', { disk: '50Gi', autogrow: { enabled: true, max: '1Ti' } }, { allocatedStorage: 50, maxAllocatedStorage: 1024 }],
    ['on with the default threshold written out', { autogrow: { enabled: true, thresholdPercent: 85, max: '200Gi' } }, { allocatedStorage: 20, maxAllocatedStorage: 200 }],
  ])('autogrow %s', (_what, size, expected) => {
    expect(forProvider(resources({ size })['rds-instance'])).toMatchObject(expected);
  });

  it.each<[string, boolean | undefined, Doc]>([
    ['unset: a final snapshot, as before (never lose data by default)', undefined, { skipFinalSnapshot: false, finalSnapshotIdentifier: 'app-db-final' }],
    ['true: a final snapshot', true, { skipFinalSnapshot: false, finalSnapshotIdentifier: 'app-db-final' }],
    ['false: none, and no snapshot name', false, { skipFinalSnapshot: true }],
  ])('finalBackupOnDelete %s', (_what, finalBackupOnDelete, expected) => {
    const fp = forProvider(resources({ backup: finalBackupOnDelete === undefined ? {} : { finalBackupOnDelete } })['rds-instance']);
    expect({ skipFinalSnapshot: fp['skipFinalSnapshot'], ...(fp['finalSnapshotIdentifier'] !== undefined ? { finalSnapshotIdentifier: fp['finalSnapshotIdentifier'] } : {}) }).toEqual(expected);
  });

  it('keeps no automated backups when the claim turns them off', () => {
    const fp = forProvider(resources({ backup: { enabled: false } })['rds-instance']);
    expect(fp['backupRetentionPeriod']).toBe(0);
    expect(fp['backupWindow']).toBeUndefined();
  });

  it('composes no NetworkPolicy, monitoring objects or bucket: nothing runs in the cluster', () => {
    const keys = Object.keys(resources({}));
    for (const key of ['network-policy', 'pod-monitor', 'prometheus-rule', 'grafana-dashboard', 'backup-bucket']) expect(keys).not.toContain(key);
  });

  it('a security group with a rule per CIDR: the cluster ranges and the claim\'s', () => {
    const r = resources({ network: { allowedCIDRs: ['192.168.1.0/24'] } });
    const rules = Object.keys(r).filter((k) => k.startsWith('rds-ingress-')).sort();
    expect(rules).toEqual(['rds-ingress-10-0-0-0-20', 'rds-ingress-10-244-0-0-16', 'rds-ingress-192-168-1-0-24']);
    expect(forProvider(r['rds-ingress-192-168-1-0-24'])).toEqual({
      region: 'eu-central-1',
      securityGroupIdRef: { name: 'app-db-sg' },
      ipProtocol: 'tcp',
      fromPort: 5432,
      toPort: 5432,
      cidrIpv4: '192.168.1.0/24',
      description: 'PostgreSQL clients',
    });
  });

  it('a parameter group of the major, static parameters applied at the next reboot', () => {
    const pg = forProvider(resources({ postgresql: { settings: { shared_buffers: '512MB', statement_timeout: '30s' } } })['rds-parameter-group']);
    expect(pg['family']).toBe('postgres17');
    expect(pg['parameter']).toEqual([
      { name: 'max_connections', value: '100', applyMethod: 'pending-reboot' },
      { name: 'shared_buffers', value: '65536', applyMethod: 'pending-reboot' },
      { name: 'statement_timeout', value: '30000', applyMethod: 'immediate' },
    ]);
  });

  it('restores to a point in time from the source instance, or its latest restorable time', () => {
    const source = { apiVersion: 'rds.aws.m.upbound.io/v1beta1', kind: 'Instance', metadata: { name: 'src', namespace: 'team-a' }, spec: { forProvider: { backupRetentionPeriod: 7 } } };
    const restore = (r: Doc) => {
      const req = rds({ restore: r });
      req.requiredResources = { 'rds-instances': { items: [{ resource: source, connectionDetails: {}, ready: 0 }] } };
      return answerComposing(req, 'rds-instance');
    };
    const fp = (rsp: ReturnType<typeof runFunction>) => forProvider(rsp.desired!.resources['rds-instance']!.resource as Doc);
    expect(fp(restore({ fromInstance: 'src', pointInTime: '2026-11-21T00:00:00Z' }))['restoreToPointInTime']).toEqual({ sourceDbInstanceIdentifier: 'src', restoreTime: '2026-11-21T00:00:00Z' });
    expect(fp(restore({ fromInstance: 'src' }))['restoreToPointInTime']).toEqual({ sourceDbInstanceIdentifier: 'src', useLatestRestorableTime: true });
    expect(fieldErrors(restore({ fromInstance: 'nope' }))).toEqual(['spec.parameters.restore.fromInstance: there is no aws-rds instance "nope" in namespace team-a']);
  });
});

describe('what RDS cannot honour is refused, naming the field', () => {
  it.each<[string, Doc, string[]]>([
    ['five instances', { instances: 5 }, ['spec.parameters.instances: RDS runs 1 instance or 2 (a Multi-AZ standby); 5 can not be honoured (read replicas are not composed)']],
    ['a StorageClass', { storageClass: 'fast' }, ['spec.parameters.storageClass: RDS has no StorageClass: the platform chooses the storage type (gp3 by default)']],
    ['a pooler', { pooler: { enabled: true } }, ['spec.parameters.pooler.enabled: aws-rds has no connection pooler (RDS Proxy is not composed): remove it or set it to false']],
    ['cpu', { size: { cpu: '2' } }, ['spec.parameters.size.cpu: RDS sizes come in instance classes: choose a plan instead of cpu']],
    ['a disk below 20Gi', { size: { disk: '10Gi' } }, ['spec.parameters.size.disk: RDS allocates at least 20Gi; the claim asks for 10Gi: set size.disk to 20Gi or more']],
    ['the xsmall plan (5Gi)', { size: { plan: 'xsmall' } }, ['spec.parameters.size.plan: RDS allocates at least 20Gi; the claim asks for 5Gi: set size.disk to 20Gi or more']],
    ['36 days of backups', { backup: { retentionDays: 36 } }, ['spec.parameters.backup.retentionDays: RDS keeps automated backups at most 35 days; 36 can not be honoured']],
    ['backups every 6 hours', { backup: { schedule: '0 */6 * * *' } }, ['spec.parameters.backup.schedule: RDS takes one automated backup a day: use a daily schedule such as "30 2 * * *" (its time starts a 30-minute backup window)']],
    ['allowed namespaces', { network: { allowedNamespaces: ['other'] } }, ["spec.parameters.network.allowedNamespaces: a security group can't tell namespaces apart: every pod in the platform's cluster CIDRs reaches the instance; use allowedCIDRs for addresses outside the cluster"]],
    ['a named backup', { restore: { fromInstance: 'src', backupName: 'b1' } }, ['spec.parameters.restore.backupName: RDS restores to a point in time from its automated backups: set pointInTime instead of backupName']],
    ['an autogrow threshold', { size: { autogrow: { enabled: true, thresholdPercent: 90, max: '100Gi' } } }, ['spec.parameters.size.autogrow.thresholdPercent: RDS chooses when it grows the disk (when 10 % or less is free): leave it unset (85)']],
    ['an autogrow step', { size: { autogrow: { enabled: true, step: '10Gi', max: '100Gi' } } }, ['spec.parameters.size.autogrow.step: RDS chooses how much it grows the disk at a time: remove it']],
    ['an autogrow max not above the plan\'s disk', { size: { autogrow: { enabled: true, max: '20Gi' } } }, ['spec.parameters.size.autogrow.max: must be larger than the disk (20Gi)']],
    ['an autogrow max not above the disk', { size: { disk: '100Gi', autogrow: { enabled: true, max: '50Gi' } } }, ['spec.parameters.size.autogrow.max: must be larger than the disk (100Gi)']],
    ['autogrow enabled without a max', { size: { autogrow: { enabled: true } } }, ['spec.parameters.size.autogrow.max: autogrow.enabled needs autogrow.max, the size the disk may grow to']],
    ['the former autogrowTo', { size: { autogrowTo: '100Gi' } }, ['spec.parameters.size.autogrowTo: size.autogrowTo was replaced by size.autogrow: write size: {autogrow: {enabled: true, max: "<the same size>"}} instead (cloud engines: aws-rds, otc-rds)']],
    ['a setting RDS fixes', { postgresql: { settings: { log_rotation_age: '1d' } } }, ['spec.parameters.postgresql.settings.log_rotation_age: can not be set on aws-rds: RDS writes the logs to CloudWatch itself']],
  ])('%s', (_what, parameters, errors) => {
    expect(fieldErrors(runFunction(rds(parameters), { random: seededRandom('x') }))).toEqual(errors);
  });

  it('35 days is fine', () => expect(fatal(runFunction(rds({ backup: { retentionDays: 35 } }), { random: seededRandom('x') }))).toEqual([]));
});

describe('status from the Instance', () => {
  const observed = (atProvider: Doc | undefined, ready: boolean) => {
    const req = settle(rds({}), 'st').req;
    const instance = req.observed!.resources['rds-instance']!.resource as Doc;
    instance['status'] = { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'Available' : 'Creating' }], ...(atProvider ? { atProvider } : {}) };
    return runFunction(req, { random: seededRandom('st') });
  };

  it('the endpoint, version and phase RDS reports, Ready once available', () => {
    const rsp = observed({ address: 'app-db.x.eu-central-1.rds.amazonaws.com', port: 5432, status: 'available', engineVersionActual: '17.6' }, true);
    expect((rsp.desired!.composite!.resource as Doc)['status']).toMatchObject({
      engine: 'aws-rds',
      endpoint: 'app-db.x.eu-central-1.rds.amazonaws.com',
      port: 5432,
      version: '17.6',
      phase: 'available',
      instancesReady: 1,
    });
    expect(rsp.conditions[0]).toMatchObject({ status: Status.STATUS_CONDITION_TRUE });
    const conn = rsp.desired!.resources['connection-secret']!.resource as Doc;
    expect(Buffer.from(String((conn['data'] as Doc)['host']), 'base64').toString()).toBe('app-db.x.eu-central-1.rds.amazonaws.com');
  });

  it.each<[Doc | undefined, boolean, string, boolean]>([
    [{ status: 'creating' }, false, 'waiting for RDS (creating)', false],
    [undefined, false, 'waiting for RDS', false],
    [{ status: 'storage-full', address: 'a' }, true, 'RDS reports the instance storage-full', true],
    [{ status: 'incompatible-parameters' }, false, 'RDS reports the instance incompatible-parameters', true],
  ])('%o (Ready %p) → %s', (atProvider, ready, message, failed) => {
    const rsp = observed(atProvider, ready);
    expect(rsp.conditions[0]).toMatchObject({ status: Status.STATUS_CONDITION_FALSE, reason: failed ? 'Failed' : 'Creating', message: expect.stringContaining(message) });
  });
});

describe('changes refused against the observed Instance', () => {
  const next = (before: Doc, after: Doc) => {
    const { req, rsp } = settle(rds(before), 'refused');
    expect(fatal(rsp)).toEqual([]);
    (req.observed!.composite!.resource!['spec'] as Doc)['parameters'] = { engine: 'aws-rds', ...after };
    return fieldErrors(runFunction(req, { random: seededRandom('refused-2') }));
  };
  it.each<[string, Doc, Doc, string[]]>([
    ['disk grows', { size: { disk: '40Gi' } }, { size: { disk: '50Gi' } }, []],
    ['disk shrinks', { size: { disk: '40Gi' } }, { size: { disk: '30Gi' } }, ['spec.parameters.size.disk: the disk can grow but not shrink: it is 40Gi, the claim asks for 30Gi']],
    ['another major (an RDS upgrade)', { version: 16 }, { version: 17 }, []],
    ['a lower major', { version: 17 }, { version: 16 }, [
      'spec.parameters.version: the data is PostgreSQL 17 and PostgreSQL can not go back a major version in place: keep 17 (or raise it), or create a new instance on 16 and move the data with pg_dump and pg_restore',
    ]],
  ])('%s', (_what, before, after, errors) => expect(next(before, after)).toEqual(errors));
});

describe("the AWS seed's key names (platform option awsSeedKeys)", () => {
  const connection = (awsSeedKeys: boolean) => {
    const input = compositionInput();
    const platform = { ...(input['platform'] as Doc), awsSeedKeys };
    const req = renderRequest(claimToComposite(claim({ engine: 'aws-rds' })), { input: { ...input, platform } });
    const rsp = runFunction(settle(req, 'seed').req, { random: seededRandom('seed') });
    const data = (rsp.desired!.resources['connection-secret']!.resource as Doc)['data'] as Record<string, string>;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  };

  it('adds DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD with the same values as ours', () => {
    const values = connection(true);
    expect({ DB_HOST: values['DB_HOST'], DB_PORT: values['DB_PORT'], DB_NAME: values['DB_NAME'], DB_USER: values['DB_USER'] }).toEqual({
      DB_HOST: 'app-db.c1a2b3c4d5e6.eu-central-1.rds.amazonaws.com',
      DB_PORT: '5432',
      DB_NAME: 'app',
      DB_USER: 'app',
    });
    expect(values['DB_PASSWORD']).toBe(values['password']);
  });

  it('writes none of them by default', () => expect(Object.keys(connection(false)).filter((k) => k.startsWith('DB_'))).toEqual([]));
});

describe('an existing RDS instance stays where it is', () => {
  it("keeps its region and VPC when the platform's change", () => {
    const { req } = settle(rds({}), 'place');
    const input = req.input as Doc;
    const platform = input['platform'] as Doc;
    const engines = platform['engines'] as Doc;
    const moved = { ...(engines['aws-rds'] as Doc), region: 'us-west-2', vpcId: 'vpc-0fff' };
    const rsp = runFunction({ ...req, input: { ...input, platform: { ...platform, engines: { ...engines, 'aws-rds': moved } } } }, { random: seededRandom('place') });
    expect(fatal(rsp)).toEqual([]);
    const regions = Object.values(rsp.desired!.resources)
      .map((r) => ((r.resource as Doc)['spec'] as Doc | undefined)?.['forProvider'] as Doc | undefined)
      .filter((fp) => fp?.['region'] !== undefined)
      .map((fp) => fp!['region']);
    expect(new Set(regions)).toEqual(new Set(['eu-central-1']));
    expect(forProvider(rsp.desired!.resources['rds-security-group']!.resource as Doc)['vpcId']).toBe('vpc-0a1b2c3d4e5f60718');
  });
});

describe("RDS' maintenance window, in its own notation", () => {
  it.each<[string, string, string]>([
    ['sunday', '02:30', 'sun:02:30-sun:03:30'],
    ['monday', '00:00', 'mon:00:00-mon:01:00'],
    ['sunday', '23:30', 'sun:23:30-mon:00:30'],
    ['wednesday', '23:00', 'wed:23:00-thu:00:00'],
  ])('%s %s → %s', (dayOfWeek, timeOfDay, expected) => {
    expect(rdsMaintenanceWindow({ dayOfWeek: dayOfWeek as 'sunday', timeOfDay, chosen: true })).toBe(expected);
  });

  it.each<[number, string, boolean]>([
    // backup start (minutes after midnight), maintenance start → overlap
    [5 * 60 + 51, '05:30', true],
    [5 * 60 + 51, '04:51', false], // the backup starts as the window ends
    [5 * 60 + 51, '06:20', true], // the window starts a minute before the backup ends
    [5 * 60 + 51, '06:21', false],
    [23 * 60 + 45, '00:10', true], // across midnight
    [0, '23:00', false],
  ])('a backup at minute %d and a window at %s overlap: %p', (backup, timeOfDay, expected) => {
    expect(overlaps(backup, { dayOfWeek: 'monday', timeOfDay, chosen: true })).toBe(expected);
  });
});

describe('the Instance takes the maintenance window and the update strategy', () => {
  // team-a/app-db's own backup time is 05:51 (a hash of the name, backup.ts): its window is 05:51-06:21.
  it.each<[string, string]>([
    ['04:51', '05:51-06:21'],
    ['05:30', '06:30-07:00'],
    ['06:20', '07:20-07:50'],
  ])('a window at %s leaves the backup window we picked at %s', (timeOfDay, backupWindow) => {
    const fp = forProvider(resources({ maintenance: { dayOfWeek: 'friday', timeOfDay } })['rds-instance']);
    expect(fp['maintenanceWindow']).toBe(`fri:${timeOfDay}-fri:${String(Number(timeOfDay.slice(0, 2)) + 1).padStart(2, '0')}:${timeOfDay.slice(3)}`);
    expect(fp['backupWindow']).toBe(backupWindow);
  });

  it('refuses a chosen backup time that meets a chosen window', () => {
    const errors = (parameters: Doc) => fieldErrors(runFunction(rds(parameters), { random: seededRandom('x') }));
    expect(errors({ maintenance: { dayOfWeek: 'friday', timeOfDay: '02:00' }, backup: { schedule: '30 2 * * *' } })).toEqual([
      'spec.parameters.maintenance.timeOfDay: RDS refuses a daily backup window (02:30-03:00 UTC) that overlaps the maintenance window (friday 02:00-03:00 UTC): move one of them',
    ]);
    expect(errors({ maintenance: { dayOfWeek: 'friday', timeOfDay: '03:00' }, backup: { schedule: '30 2 * * *' } })).toEqual([]);
  });

  it('moves the window we picked (team-a/app-db: monday 01:30) off a chosen backup time, and the status says so', () => {
    const { rsp } = settle(rds({ backup: { schedule: '15 1 * * *' } }), 'moved');
    expect(fatal(rsp)).toEqual([]);
    const fp = forProvider(rsp.desired!.resources['rds-instance']!.resource as Doc);
    expect([fp['backupWindow'], fp['maintenanceWindow']]).toEqual(['01:15-01:45', 'mon:01:45-mon:02:45']);
    expect((rsp.desired!.composite!.resource as Doc)['status']).toMatchObject({ maintenanceWindow: 'monday 01:45-02:45 UTC' });
    // Not moved where they don't meet.
    const apart = forProvider(resources({ backup: { schedule: '0 1 * * *' } })['rds-instance']);
    expect([apart['backupWindow'], apart['maintenanceWindow']]).toEqual(['01:00-01:30', 'mon:01:30-mon:02:30']);
  });

  it.each<[string, boolean]>([
    ['window', false],
    ['immediate', true],
  ])('updateStrategy %s → applyImmediately %p', (updateStrategy, applyImmediately) => {
    expect(forProvider(resources({ updateStrategy })['rds-instance'])['applyImmediately']).toBe(applyImmediately);
  });
});

describe('a major upgrade by RDS itself', () => {
  /** An instance made on 16 that RDS still runs as 16.4, its claim raised to 17. */
  const upgrade = (updateStrategy = 'window') => {
    const { req } = settle(rds({ version: 16 }), 'upgrade');
    const instance = req.observed!.resources['rds-instance']!.resource as Doc;
    ((instance['status'] as Doc)['atProvider'] as Doc)['engineVersionActual'] = '16.4';
    (req.observed!.composite!.resource!['spec'] as Doc)['parameters'] = { engine: 'aws-rds', version: 17, updateStrategy };
    const rsp = runFunction(req, { random: seededRandom('upgrade') });
    expect(fatal(rsp)).toEqual([]);
    return rsp;
  };

  it("raises engineVersion with a parameter group of the new family, keeping the running major's until RDS is done", () => {
    const r = Object.fromEntries(Object.entries(upgrade().desired!.resources).map(([k, v]) => [k, v.resource as Doc]));
    const fp = forProvider(r['rds-instance']);
    expect({ engineVersion: fp['engineVersion'], allowMajorVersionUpgrade: fp['allowMajorVersionUpgrade'], parameterGroupNameRef: fp['parameterGroupNameRef'] }).toEqual({
      engineVersion: '17',
      allowMajorVersionUpgrade: true,
      parameterGroupNameRef: { name: 'app-db-params17' },
    });
    expect(Object.keys(r).filter((k) => k.startsWith('rds-parameter-group')).sort()).toEqual(['rds-parameter-group', 'rds-parameter-group-17']);
    expect([(r['rds-parameter-group']!['metadata'] as Doc)['name'], forProvider(r['rds-parameter-group'])['family']]).toEqual(['app-db-params', 'postgres16']);
    expect([(r['rds-parameter-group-17']!['metadata'] as Doc)['name'], forProvider(r['rds-parameter-group-17'])['family']]).toEqual(['app-db-params17', 'postgres17']);
  });

  it.each<[string, string]>([
    ['window', 'the upgrade from PostgreSQL 16 to 17 is pending: RDS applies it in the maintenance window'],
    ['immediate', 'the upgrade from PostgreSQL 16 to 17 is pending: RDS applies it now (updateStrategy immediate)'],
  ])('the status says the upgrade is pending (%s)', (updateStrategy, pending) => {
    expect(upgrade(updateStrategy).conditions.map((c) => c.message)).toContain(pending);
  });
});
