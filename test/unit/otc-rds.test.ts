/** The Open Telekom Cloud RDS engine (provider-opentelekomcloud), with expected values written by hand. */
import { Severity, Status } from '@crossplane-org/function-sdk-typescript';
import { backupStrategy } from '../../src/engines/otc-rds/engine.js';
import { runFunction } from '../../src/function.js';
import { claimToComposite, renderRequest } from '../../src/render.js';
import { seededRandom } from '../../src/util/random.js';
import { answerComposing, claim, compositionInput, settle, type Doc } from '../support/requests.js';

const otc = (parameters: Doc, name = 'app-db') =>
  renderRequest(claimToComposite(claim({ engine: 'otc-rds', size: { disk: '40Gi' }, ...parameters }, name)), { input: compositionInput() });
const fatal = (rsp: ReturnType<typeof runFunction>) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
const fieldErrors = (rsp: ReturnType<typeof runFunction>) =>
  fatal(rsp).flatMap((m) => m.replace(/^cannot compose this PostgreSQLInstance, nothing was changed: /, '').split(/; (?=spec\.)/));
const resources = (parameters: Doc) => {
  const rsp = answerComposing(otc(parameters), 'otc-rds-instance', 'otc');
  expect(fatal(rsp)).toEqual([]);
  return Object.fromEntries(Object.entries(rsp.desired!.resources).map(([k, r]) => [k, r.resource as Doc]));
};
const forProvider = (o: Doc | undefined) => (o?.['spec'] as Doc)['forProvider'] as Doc;
const secret = (o: Doc | undefined, key: string) => Buffer.from(String((o?.['data'] as Doc)[key]), 'base64').toString('utf8');

describe('backup strategies from schedules', () => {
  it.each<[string, { startTime: string; period: string } | undefined]>([
    ['30 2 * * *', { startTime: '02:30-03:30', period: '1,2,3,4,5,6,7' }],
    ['20 3 * * *', { startTime: '03:15-04:15', period: '1,2,3,4,5,6,7' }],
    ['5 23 * * 1-5', { startTime: '23:00-00:00', period: '1,2,3,4,5' }],
    ['0 4 * * 0,6', { startTime: '04:00-05:00', period: '6,7' }],
    ['0 */6 * * *', undefined],
    ['0 3 1 * *', undefined],
  ])('%s → %o', (schedule, strategy) => expect(backupStrategy(schedule)).toEqual(strategy));
});

describe('the InstanceV3', () => {
  it('a single instance: the plan flavour, one zone, the volume, our password by reference, the backup strategy', () => {
    const r = resources({ backup: { schedule: '40 1 * * *', retentionDays: 9 } });
    expect(forProvider(r['otc-rds-instance'])).toEqual({
      name: 'app-db',
      flavor: 'rds.pg.n1.large.2',
      availabilityZone: ['eu-de-01'],
      db: [{ type: 'PostgreSQL', version: '17', port: 5432, passwordSecretRef: { name: 'app-db-superuser', key: 'password' } }],
      volume: [{ type: 'CLOUDSSD', size: 40 }],
      vpcId: '3c1f1e32-7a2b-4c55-9d1e-0b8f2a6c4d10',
      subnetId: '6e0b5d21-3f4a-4b8e-a1c2-9d7e5f3a2b11',
      securityGroupId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c12',
      paramGroupIdRef: { name: 'app-db-params' },
      sslEnable: true,
      backupStrategy: [{ startTime: '01:30-02:30', period: '1,2,3,4,5,6,7', keepDays: 9 }],
    });
  });

  it('primary and standby: the .ha flavour in two zones with the claim\'s replication mode', () => {
    const fp = forProvider(resources({ instances: 2, replication: { mode: 'sync' }, size: { disk: '100Gi', plan: 'medium' } })['otc-rds-instance']);
    expect(fp).toMatchObject({ flavor: 'rds.pg.n1.xlarge.2.ha', availabilityZone: ['eu-de-01', 'eu-de-02'], haReplicationMode: 'sync' });
  });

  it.each<[string, Doc, Doc]>([
    ['unset: no automatic expansion', {}, { type: 'CLOUDSSD', size: 100 }],
    ['not enabled, even with a max', { enabled: false, max: '300Gi' }, { type: 'CLOUDSSD', size: 100 }],
    ['the default 85 % used: OTC expands at 15 % free', { enabled: true, max: '300Gi' }, { type: 'CLOUDSSD', size: 100, limitSize: 300, triggerThreshold: 15 }],
    ['80 % used: at 20 % free', { enabled: true, thresholdPercent: 80, max: '300Gi' }, { type: 'CLOUDSSD', size: 100, limitSize: 300, triggerThreshold: 20 }],
    ['90 % used: at 10 % free, up to 4000 GB', { enabled: true, thresholdPercent: 90, max: '4000Gi' }, { type: 'CLOUDSSD', size: 100, limitSize: 4000, triggerThreshold: 10 }],
  ])('autogrow %s', (_what, autogrow, volume) => {
    const fp = forProvider(resources({ size: { disk: '100Gi', autogrow } })['otc-rds-instance']);
    expect(fp['volume']).toEqual([volume]);
  });

  it("the administrator is OTC's root, in the superuser Secret provider-sql reads", () => {
    expect(secret(resources({})['superuser-secret'], 'username')).toBe('root');
  });

  it('a parameter group of the major, values in each parameter\'s unit', () => {
    expect(forProvider(resources({ postgresql: { settings: { work_mem: '8MB' } } })['otc-rds-parameter-group'])).toEqual({
      name: 'app-db-params',
      description: 'PostgreSQL 17 settings of team-a/app-db',
      datastore: [{ type: 'PostgreSQL', version: '17' }],
      values: { max_connections: '100', work_mem: '8192' },
    });
  });

  it("restores to a point in time from the source's OTC id, in milliseconds", () => {
    const source = { apiVersion: 'rds.opentelekomcloud.m.crossplane.io/v1alpha1', kind: 'InstanceV3', metadata: { name: 'src', namespace: 'team-a' }, status: { atProvider: { id: 'abc123in03' } } };
    const req = otc({ restore: { fromInstance: 'src', pointInTime: '2026-11-21T00:00:00Z' } });
    req.requiredResources = { 'otc-rds-instances': { items: [{ resource: source, connectionDetails: {}, ready: 0 }] } };
    const rsp = answerComposing(req, 'otc-rds-instance');
    expect(forProvider(rsp.desired!.resources['otc-rds-instance']!.resource as Doc)['restorePoint']).toEqual([{ instanceId: 'abc123in03', restoreTime: 1795219200000 }]);
  });

  it('composes no NetworkPolicy, monitoring objects or bucket', () => {
    const keys = Object.keys(resources({}));
    for (const key of ['network-policy', 'pod-monitor', 'prometheus-rule', 'grafana-dashboard', 'backup-bucket']) expect(keys).not.toContain(key);
  });
});

describe('what OTC RDS cannot honour is refused, naming the field', () => {
  it.each<[string, Doc, string[]]>([
    ['three instances', { instances: 3 }, ['spec.parameters.instances: OTC RDS runs 1 instance or 2 (primary and standby); 3 can not be honoured (read replicas are not composed)']],
    ['the default plan\'s 20Gi', { size: {} }, ['spec.parameters.size.plan: OTC RDS volumes are 40 to 4000 GB in steps of 10; the claim asks for 20Gi: set size.disk to e.g. 40Gi']],
    ['45Gi', { size: { disk: '45Gi' } }, ['spec.parameters.size.disk: OTC RDS volumes are 40 to 4000 GB in steps of 10; the claim asks for 45Gi: set size.disk to e.g. 40Gi']],
    ['autogrow max not above the disk', { size: { disk: '40Gi', autogrow: { enabled: true, max: '40Gi' } } }, ['spec.parameters.size.autogrow.max: must be larger than the disk (40Gi)']],
    ['an autogrow threshold OTC has no trigger for', { size: { disk: '40Gi', autogrow: { enabled: true, thresholdPercent: 75, max: '100Gi' } } }, ['spec.parameters.size.autogrow.thresholdPercent: OTC RDS grows the volume when 10, 15 or 20 % is free: use 80, 85, 90 (percent used), not 75']],
    ['an autogrow step', { size: { disk: '40Gi', autogrow: { enabled: true, step: '10Gi', max: '100Gi' } } }, ['spec.parameters.size.autogrow.step: OTC RDS chooses how much it grows the volume at a time: remove it']],
    ['an autogrow max beyond 4000 GB', { size: { disk: '40Gi', autogrow: { enabled: true, max: '4Ti' } } }, ['spec.parameters.size.autogrow.max: OTC RDS volumes grow to at most 4000 GB; the claim asks for 4Ti']],
    ['a final backup', { backup: { finalBackupOnDelete: true } }, ["spec.parameters.backup.finalBackupOnDelete: provider-opentelekomcloud's InstanceV3 has no final backup, and OTC deletes an instance's automated backups with it: remove it, or take a manual backup before deleting the claim"]],
    ['a pooler', { pooler: { enabled: true } }, ['spec.parameters.pooler.enabled: otc-rds has no connection pooler: remove it or set it to false']],
    ['client CIDRs', { network: { allowedCIDRs: ['10.0.0.0/8'] } }, ["spec.parameters.network.allowedCIDRs: the platform's security group decides who reaches OTC RDS instances; ask the platform team to open it"]],
    ['a monthly schedule', { backup: { schedule: '0 3 1 * *' } }, ['spec.parameters.backup.schedule: OTC RDS backs up once a day on chosen weekdays: use a schedule such as "30 2 * * *" or "0 3 * * 1-5"']],
    ['a named backup', { restore: { fromInstance: 'src', backupName: 'b' } }, ['spec.parameters.restore.backupName: otc-rds restores to a point in time: set pointInTime instead of backupName']],
  ])('%s', (_what, parameters, errors) => {
    expect(fieldErrors(runFunction(otc(parameters), { random: seededRandom('x') }))).toEqual(errors);
  });

  it('finalBackupOnDelete false is what OTC does anyway', () => {
    expect(fatal(runFunction(otc({ backup: { finalBackupOnDelete: false } }), { random: seededRandom('x') }))).toEqual([]);
  });
});

describe('what not every engine does is refused where it is missing, in one place', () => {
  const inCluster = (engine: string, parameters: Doc) =>
    fieldErrors(runFunction(renderRequest(claimToComposite(claim({ engine, ...parameters })), { input: compositionInput() }), { random: seededRandom('x') }));
  const backupText = (engine: string) =>
    `spec.parameters.backup.finalBackupOnDelete: ${engine} takes no backup when the instance is deleted yet: remove it; the backups already in the bucket outlive the instance under the platform's retention (retainAfterDeletionDays)`;
  const zalandoAutogrow =
    "spec.parameters.size.autogrow.enabled: zalando can't grow its disk by itself (its operator's volumes carry no label to find them by): set it to false and raise size.disk when the disk fills";
  it.each<[string, Doc, string[]]>([
    // The disk-autogrow Operation grows these engines' volumes.
    ['stackgres', { size: { autogrow: { enabled: true, max: '100Gi' } } }, []],
    // The final-backup Operation takes these engines' backups before delete, given somewhere to write them.
    ['cloudnativepg', { size: { autogrow: { enabled: true, max: '100Gi', step: '5Gi' } }, backup: { finalBackupOnDelete: true } }, []],
    ['stackgres', { backup: { finalBackupOnDelete: true } }, []],
    [
      'cloudnativepg',
      { backup: { enabled: false, finalBackupOnDelete: true } },
      ['spec.parameters.backup.finalBackupOnDelete: a final backup needs somewhere to go: set backup.enabled to true, or remove finalBackupOnDelete'],
    ],
    ['zalando', { size: { autogrow: { enabled: true, max: '100Gi' } }, backup: { finalBackupOnDelete: true } }, [backupText('zalando'), zalandoAutogrow]],
    ['cloudnativepg', { size: { disk: '20Gi', autogrow: { enabled: true, max: '20Gi' } } }, ['spec.parameters.size.autogrow.max: must be larger than the disk (20Gi)']],
    ['stackgres', { size: { autogrow: { enabled: false, max: '100Gi' } }, backup: { finalBackupOnDelete: false } }, []],
  ])('%s %j', (engine, parameters, errors) => expect(inCluster(engine, parameters)).toEqual(errors));
});

describe('status from the InstanceV3', () => {
  it('the private IP is the endpoint; Ready once the provider says so and the IP is known', () => {
    const req = settle(otc({}), 'st').req;
    const rsp = runFunction(req, { random: seededRandom('st') });
    expect((rsp.desired!.composite!.resource as Doc)['status']).toMatchObject({ engine: 'otc-rds', endpoint: '192.168.0.42', instancesReady: 1 });
    expect(rsp.conditions[0]).toMatchObject({ status: Status.STATUS_CONDITION_TRUE });
    const instance = req.observed!.resources['otc-rds-instance']!.resource as Doc;
    instance['status'] = { conditions: [{ type: 'Synced', status: 'False', message: 'flavor not found' }] };
    expect(runFunction(req, { random: seededRandom('st') }).conditions[0]).toMatchObject({ status: Status.STATUS_CONDITION_FALSE, message: expect.stringContaining('provider-opentelekomcloud: flavor not found') });
  });

  it('refuses a smaller volume than it has', () => {
    const { req } = settle(otc({ size: { disk: '60Gi' } }), 'r');
    (req.observed!.composite!.resource!['spec'] as Doc)['parameters'] = { engine: 'otc-rds', size: { disk: '50Gi' } };
    expect(fieldErrors(runFunction(req, { random: seededRandom('r') }))).toEqual(['spec.parameters.size.disk: the disk can grow but not shrink: it is 60Gi, the claim asks for 50Gi']);
  });
});

describe('an existing OTC instance stays where it is', () => {
  it('keeps its zones, network and volume type when the platform changes them, and refuses 1 → 2 instances in place', () => {
    const { req } = settle(otc({}), 'place');
    const input = req.input as Doc;
    const platform = input['platform'] as Doc;
    const engines = platform['engines'] as Doc;
    const moved = { ...(engines['otc-rds'] as Doc), availabilityZones: ['eu-nl-01', 'eu-nl-02'], vpcId: 'other-vpc', subnetId: 'other-subnet', volumeType: 'ULTRAHIGH' };
    const next = { ...req, input: { ...input, platform: { ...platform, engines: { ...engines, 'otc-rds': moved } } } };
    const rsp = runFunction(next, { random: seededRandom('place') });
    expect(fatal(rsp)).toEqual([]);
    expect(forProvider(rsp.desired!.resources['otc-rds-instance']!.resource as Doc)).toMatchObject({
      availabilityZone: ['eu-de-01'],
      vpcId: '3c1f1e32-7a2b-4c55-9d1e-0b8f2a6c4d10',
      subnetId: '6e0b5d21-3f4a-4b8e-a1c2-9d7e5f3a2b11',
      volume: [{ type: 'CLOUDSSD', size: 40 }],
    });
    (req.observed!.composite!.resource!['spec'] as Doc)['parameters'] = { engine: 'otc-rds', size: { disk: '40Gi' }, instances: 2 };
    expect(fieldErrors(runFunction(req, { random: seededRandom('place') }))).toEqual([
      'spec.parameters.instances: the instance runs single; OTC RDS would replace it with an empty one to change that: restore into a new instance instead',
    ]);
  });
});
