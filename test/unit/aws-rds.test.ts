/** The Amazon RDS engine (provider-upjet-aws), with expected values written by hand. */
import { Severity, Status } from '@crossplane-org/function-sdk-typescript';
import { backupWindow } from '../../src/engines/aws-rds/engine.js';
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
    const r = resources({ instances: 2, size: { plan: 'medium', disk: '100Gi' }, version: 16, backup: { schedule: '10 3 * * *', retentionDays: 35 } });
    expect(forProvider(r['rds-instance'])).toEqual({
      region: 'eu-central-1',
      engine: 'postgres',
      engineVersion: '16',
      instanceClass: 'db.m7g.large',
      allocatedStorage: 100,
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
      allowMajorVersionUpgrade: false,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: 'app-db-final',
      copyTagsToSnapshot: true,
      backupRetentionPeriod: 35,
      backupWindow: '03:10-03:40',
      enabledCloudwatchLogsExports: ['postgresql', 'upgrade'],
    });
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
    ['another major', { version: 16 }, { version: 17 }, ['spec.parameters.version: the cluster runs PostgreSQL 16; changing the major version to 17 in place is not supported yet']],
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
