/**
 * Amazon RDS for PostgreSQL through provider-upjet-aws' namespaced (`.m.`) kinds, in the claim's namespace: an
 * `Instance`, its `SubnetGroup` (the platform's subnets), a `ParameterGroup` (the claim's settings) and a
 * `SecurityGroup` with one `SecurityGroupIngressRule` per CIDR allowed to reach port 5432.
 *
 * Nothing runs in the cluster: no NetworkPolicy (the security group does that job), no PodMonitor (RDS publishes its
 * metrics to CloudWatch by itself; the platform scrapes them with its CloudWatch exporter), no bucket (backups are
 * RDS' own automated backups). The superuser password is ours, made once, and the Instance reads it from our Secret
 * (`passwordSecretRef`); the endpoint comes from the Instance's observed `atProvider.address`.
 */
import type { BlockedSetting } from '../../api/blocked-settings.js';
import type { FieldError } from '../../api/errors.js';
// Not api/settings.js: it imports the claim schema, which imports the engine list (a cycle).
import { inBaseUnit } from '../../api/setting-units.js';
import { CATALOGUE_MAJORS, CATALOGUES } from '../../api/settings-catalogue.js';
import { DEFAULT_AUTOGROW_THRESHOLD } from '../../api/autogrow.js';
import { enabledAutogrow } from '../../compose/cloud-only.js';
import { cloudStoredShape, refusedStorageChanges } from '../../compose/changes.js';
import { describeWindow, maintenanceWindow, type MaintenanceWindow } from '../../compose/maintenance.js';
import { backupSchedule } from '../../compose/backup.js';
import { SUPERUSER } from '../../compose/credentials.js';
import { commonLabels } from '../../compose/labels.js';
import { objectName } from '../../compose/names.js';
import { managedResourceReady } from '../../compose/readiness.js';
import { resolveSize } from '../../compose/size.js';
import type { ComposeContext, ComposedSet, KubeObject, RequiredSelector } from '../../compose/types.js';
import { restoreChanges, type RestoreOrigin } from '../../compose/restore.js';
import { bytes } from '../../util/quantity.js';
import type { DatabaseEngine, EngineInputs, EngineObservation } from '../engine.js';
import { awsRdsOptions, type AwsRdsOptions } from './options.js';
import { at, scalarText } from '../../util/observed.js';
import { afterBackup, afterWindow, dailyStart, overlaps, rdsBackupWindow, rdsMaintenanceWindow } from './windows.js';

type Json = Record<string, unknown>;

export const RDS_KEYS = {
  instance: 'rds-instance',
  subnetGroup: 'rds-subnet-group',
  parameterGroup: 'rds-parameter-group',
  securityGroup: 'rds-security-group',
  ingress: (cidr: string) => `rds-ingress-${cidr.replace(/[./]/g, '-')}`,
} as const;
const REQUIRED_INSTANCES = 'rds-instances';
const RDS = 'rds.aws.m.upbound.io/v1beta1';
const EC2 = 'ec2.aws.m.upbound.io/v1beta1';
const POSTGRES_PORT = 5432;
/** The longest retention of RDS automated backups, in days. */
export const MAX_RETENTION_DAYS = 35;
/** The smallest gp2/gp3 volume RDS for PostgreSQL allocates, GiB. */
const MIN_STORAGE_GIB = 20;
const GIB = 1024 ** 3;
/** RDS statuses that need a person (DescribeDBInstances' DBInstanceStatus). */
const FAILED_STATUSES = new Set(['failed', 'incompatible-network', 'incompatible-option-group', 'incompatible-parameters', 'incompatible-restore', 'inaccessible-encryption-credentials', 'storage-full']);

const options = (ctx: ComposeContext): AwsRdsOptions => ctx.platform.engines['aws-rds'];
const instanceName = (ctx: ComposeContext): string => objectName(ctx.instance);
const observedInstance = (ctx: ComposeContext): Json | undefined => ctx.observed.resources[RDS_KEYS.instance];

/** RDS writes the logs to CloudWatch itself and fixes where they go. */
const BLOCKED: readonly BlockedSetting[] = ['log_destination', 'logging_collector', 'log_directory', 'log_filename', 'log_file_mode', 'log_rotation_age', 'log_rotation_size'].map(
  (name) => ({ name, reason: 'RDS writes the logs to CloudWatch itself' }),
);

/**
 * An existing instance stays in its region and VPC: changing either makes the provider replace the resources, and a
 * replaced Instance is an empty one. The platform's current choices apply to new instances.
 */
function kept(ctx: ComposeContext, key: string, field: string, fallback: string): string {
  const value = at(ctx.observed.resources[key], 'spec', 'forProvider', field);
  return typeof value === 'string' && value !== '' ? value : fallback;
}
const region = (ctx: ComposeContext): string => kept(ctx, RDS_KEYS.instance, 'region', options(ctx).region);

function managed(ctx: ComposeContext, apiVersion: string, kind: string, name: string, forProvider: Json, extra: Json = {}): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { name, namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
    spec: { ...extra, forProvider: { region: region(ctx), ...forProvider }, providerConfigRef: { kind: 'ClusterProviderConfig', name: options(ctx).providerConfig } },
  };
}

export const allocatedGiB = (disk: string): number => Math.ceil((bytes(disk) ?? 0) / GIB);

/**
 * RDS takes one automated backup a day, in a window of at least 30 minutes: a daily schedule's time becomes the start
 * of a 30-minute window. Anything but one run a day can't be honoured.
 */
export function backupWindow(schedule: string): string | undefined {
  const start = dailyStart(schedule);
  return start === undefined ? undefined : rdsBackupWindow(start);
}

/**
 * RDS refuses a backup window that overlaps the maintenance window, so whichever of the two the claim didn't choose
 * makes way: a backup time we picked moves to just after the maintenance window; a maintenance window we picked moves
 * to just after a chosen backup window (the status shows it, through the observation). Both chosen and overlapping is
 * refused (refusedChanges).
 */
function windows(ctx: ComposeContext): { maintenance: MaintenanceWindow; backupStart?: number } {
  const p = ctx.instance.parameters;
  const maintenance = maintenanceWindow(ctx.instance, p);
  const start = dailyStart(backupSchedule(ctx));
  if (!p.backup.enabled || start === undefined || !overlaps(start, maintenance)) return { maintenance, ...(start !== undefined ? { backupStart: start } : {}) };
  if (p.backup.schedule === undefined) return { maintenance, backupStart: afterWindow(maintenance) };
  if (maintenance.chosen) return { maintenance, backupStart: start };
  return { maintenance: { ...maintenance, timeOfDay: afterBackup(start) }, backupStart: start };
}

/**
 * The parameter group of a major (its family is fixed, so a major upgrade needs another group, handed to RDS in the
 * same change as the engine version). The group the instance was created with keeps its key and name; a later
 * major's is `<name>-params<major>`.
 */
function parameterGroupOf(ctx: ComposeContext, major: number): { key: string; name: string } {
  const observed = ctx.observed.resources;
  const first = at(observed[RDS_KEYS.parameterGroup], 'spec', 'forProvider', 'family');
  const anyObserved = Object.keys(observed).some((k) => k === RDS_KEYS.parameterGroup || k.startsWith(`${RDS_KEYS.parameterGroup}-`));
  if (first === `postgres${major}` || !anyObserved) return { key: RDS_KEYS.parameterGroup, name: objectName(ctx.instance, 'params') };
  return { key: `${RDS_KEYS.parameterGroup}-${major}`, name: objectName(ctx.instance, `params${major}`) };
}

/** The major RDS runs, from the Instance's observed engine version; undefined before it reports one. */
function runningMajor(ctx: ComposeContext): number | undefined {
  const actual = at(observedInstance(ctx), 'status', 'atProvider', 'engineVersionActual');
  const major = Number(String(actual ?? '').split('.')[0]);
  return Number.isInteger(major) && major > 0 ? major : undefined;
}

/** The groups to compose: the claim's major, and the running one's while an upgrade is still pending (it stays in use
 *  until RDS applies the upgrade, and can't be deleted before). */
function parameterGroups(ctx: ComposeContext): Record<string, KubeObject> {
  const wanted = ctx.instance.parameters.version;
  const running = runningMajor(ctx);
  const majors = running !== undefined && running < wanted ? [running, wanted] : [wanted];
  return Object.fromEntries(majors.map((major) => [parameterGroupOf(ctx, major).key, parameterGroup(ctx, major)]));
}

function parameterGroup(ctx: ComposeContext, major: number): KubeObject {
  const p = ctx.instance.parameters;
  const settings: Record<string, string> = { max_connections: String(resolveSize(p).maxConnections), ...p.postgresql.settings };
  const entries = CATALOGUES[CATALOGUE_MAJORS.find((m) => m >= major) ?? CATALOGUE_MAJORS[CATALOGUE_MAJORS.length - 1]!] ?? {};
  const parameter = Object.keys(settings)
    .sort()
    .map((name) => ({ name, entry: Object.hasOwn(entries, name) ? entries[name] : undefined }))
    .map(({ name, entry }) => ({
      name,
      // RDS takes numbers in the parameter's own unit, not PostgreSQL's `64MB` notation.
      value: inBaseUnit(settings[name]!, entry?.[2] ?? ''),
      // RDS refuses `immediate` for parameters PostgreSQL reads only at start.
      applyMethod: entry?.[1] === 'postmaster' ? 'pending-reboot' : 'immediate',
    }));
  return managed(ctx, RDS, 'ParameterGroup', parameterGroupOf(ctx, major).name, {
    family: `postgres${major}`,
    description: `PostgreSQL ${major} settings of ${ctx.instance.namespace}/${ctx.instance.claimName}`,
    parameter,
  });
}

function cidrs(ctx: ComposeContext): string[] {
  return [...new Set([...options(ctx).clusterCIDRs, ...ctx.instance.parameters.network.allowedCIDRs])].sort();
}

function securityObjects(ctx: ComposeContext): Record<string, KubeObject> {
  const sg = objectName(ctx.instance, 'sg');
  const out: Record<string, KubeObject> = {
    [RDS_KEYS.securityGroup]: managed(ctx, EC2, 'SecurityGroup', sg, {
      vpcId: kept(ctx, RDS_KEYS.securityGroup, 'vpcId', options(ctx).vpcId),
      description: `PostgreSQL ${ctx.instance.namespace}/${ctx.instance.claimName}`,
    }),
  };
  for (const cidr of cidrs(ctx)) {
    out[RDS_KEYS.ingress(cidr)] = managed(ctx, EC2, 'SecurityGroupIngressRule', objectName(ctx.instance, `in-${cidr.replace(/[./]/g, '-')}`), {
      securityGroupIdRef: { name: sg },
      ipProtocol: 'tcp',
      fromPort: POSTGRES_PORT,
      toPort: POSTGRES_PORT,
      cidrIpv4: cidr,
      description: 'PostgreSQL clients',
    });
  }
  return out;
}

function instance(ctx: ComposeContext, inputs: EngineInputs): KubeObject {
  const p = ctx.instance.parameters;
  const size = resolveSize(p);
  const name = instanceName(ctx);
  const autogrow = enabledAutogrow(p);
  // Never lose data by default: only an explicit false skips it.
  const takesFinalSnapshot = p.backup.finalBackupOnDelete !== false;
  const forProvider: Json = {
    engine: 'postgres',
    engineVersion: String(p.version),
    instanceClass: options(ctx).instanceClasses[p.size.plan],
    allocatedStorage: allocatedGiB(size.disk),
    // RDS' storage autoscaling: it grows the volume by itself, up to this. 0 turns it off explicitly: an omitted field
    // would keep the value the provider last saw, so switching autogrow off would not reach RDS.
    maxAllocatedStorage: autogrow ? allocatedGiB(autogrow.max) : 0,
    storageType: options(ctx).storageType,
    storageEncrypted: true,
    // One standby in another zone, kept in step synchronously; RDS fails over to it.
    multiAz: p.instances === 2,
    username: SUPERUSER,
    passwordSecretRef: { name: inputs.superuserSecretName, key: 'password' },
    dbSubnetGroupNameRef: { name: objectName(ctx.instance, 'subnets') },
    parameterGroupNameRef: { name: parameterGroupOf(ctx, p.version).name },
    vpcSecurityGroupIdRefs: [{ name: objectName(ctx.instance, 'sg') }],
    publiclyAccessible: false,
    autoMinorVersionUpgrade: true,
    // A raised `version` is a major upgrade by RDS itself, in the maintenance window unless the claim says immediate;
    // the XRD and refusedStorageChanges refuse a lower one.
    allowMajorVersionUpgrade: true,
    maintenanceWindow: rdsMaintenanceWindow(windows(ctx).maintenance),
    // Every change RDS would otherwise hold for the maintenance window (class, storage type, major version).
    applyImmediately: p.updateStrategy === 'immediate',
    deletionProtection: p.deletionProtection,
    // A last snapshot when the instance is deleted, unless the claim says false; RDS keeps it until someone deletes it.
    ...(takesFinalSnapshot ? { skipFinalSnapshot: false, finalSnapshotIdentifier: `${name}-final` } : { skipFinalSnapshot: true }),
    copyTagsToSnapshot: true,
    backupRetentionPeriod: inputs.backup ? inputs.backup.retentionDays : 0,
  };
  const backupStart = windows(ctx).backupStart;
  if (inputs.backup && backupStart !== undefined) forProvider['backupWindow'] = rdsBackupWindow(backupStart);
  if (p.monitoring.enabled) forProvider['enabledCloudwatchLogsExports'] = ['postgresql', 'upgrade'];
  const existing = observedInstance(ctx);
  const made = existing ? at(existing, 'spec', 'forProvider', 'restoreToPointInTime') : undefined;
  if (made !== undefined) forProvider['restoreToPointInTime'] = made;
  else if (!existing && p.restore) {
    forProvider['restoreToPointInTime'] = {
      sourceDbInstanceIdentifier: objectName({ ...ctx.instance, claimName: p.restore.fromInstance }),
      ...(p.restore.pointInTime ? { restoreTime: p.restore.pointInTime } : { useLatestRestorableTime: true }),
    };
  }
  const object = managed(ctx, RDS, 'Instance', name, forProvider);
  object.metadata.annotations = { 'crossplane.io/external-name': name };
  return object;
}

function observe(ctx: ComposeContext): EngineObservation {
  const moved = windows(ctx).maintenance;
  const window = moved.timeOfDay === maintenanceWindow(ctx.instance, ctx.instance.parameters).timeOfDay ? {} : { maintenanceWindow: moved };
  const observed = observedInstance(ctx);
  if (!observed) return { ...window, ready: false, failed: false, instancesReady: 0, message: 'creating the RDS instance' };
  const status = at(observed, 'status', 'atProvider', 'status');
  const phase = typeof status === 'string' && status !== '' ? status : undefined;
  const actual = at(observed, 'status', 'atProvider', 'engineVersionActual');
  const base: Partial<EngineObservation> = { ...window, ...(phase ? { phase } : {}), ...(typeof actual === 'string' && actual ? { version: actual } : {}) };
  if (phase && FAILED_STATUSES.has(phase)) return { ...base, ready: false, failed: true, instancesReady: 0, message: `RDS reports the instance ${phase}` };
  const address = at(observed, 'status', 'atProvider', 'address');
  const running = runningMajor(ctx);
  const wanted = ctx.instance.parameters.version;
  if (running !== undefined && running < wanted) {
    const when = ctx.instance.parameters.updateStrategy === 'immediate' ? 'now (updateStrategy immediate)' : 'in the maintenance window';
    Object.assign(base, { maintenancePending: `the upgrade from PostgreSQL ${running} to ${wanted} is pending: RDS applies it ${when}` });
  }
  if (managedResourceReady(ctx, RDS_KEYS.instance) && typeof address === 'string' && address !== '') {
    return { ...base, ready: true, failed: false, instancesReady: ctx.instance.parameters.instances, message: 'available' };
  }
  return { ...base, ready: false, failed: false, instancesReady: 0, message: `waiting for RDS${phase ? ` (${phase})` : ''}` };
}

/** What RDS can't do the way the claim asks, whatever exists. */
function unsupported(ctx: ComposeContext): FieldError[] {
  const p = ctx.instance.parameters;
  const errors: FieldError[] = [];
  const path = (field: string) => `spec.parameters.${field}`;
  if (p.instances > 2) {
    errors.push({ path: path('instances'), message: `RDS runs 1 instance or 2 (a Multi-AZ standby); ${p.instances} can not be honoured (read replicas are not composed)` });
  }
  if (p.storageClass !== undefined) errors.push({ path: path('storageClass'), message: 'RDS has no StorageClass: the platform chooses the storage type (gp3 by default)' });
  if (p.pooler.enabled === true) errors.push({ path: path('pooler.enabled'), message: 'aws-rds has no connection pooler (RDS Proxy is not composed): remove it or set it to false' });
  if (p.size.cpu !== undefined) errors.push({ path: path('size.cpu'), message: 'RDS sizes come in instance classes: choose a plan instead of cpu' });
  if (p.size.memory !== undefined) errors.push({ path: path('size.memory'), message: 'RDS sizes come in instance classes: choose a plan instead of memory' });
  const disk = resolveSize(p).disk;
  if (allocatedGiB(disk) < MIN_STORAGE_GIB) {
    errors.push({ path: path(p.size.disk ? 'size.disk' : 'size.plan'), message: `RDS allocates at least ${MIN_STORAGE_GIB}Gi; the claim asks for ${disk}: set size.disk to ${MIN_STORAGE_GIB}Gi or more` });
  }
  errors.push(...autogrowErrors(p));
  if (p.backup.enabled && p.backup.retentionDays > MAX_RETENTION_DAYS) {
    errors.push({ path: path('backup.retentionDays'), message: `RDS keeps automated backups at most ${MAX_RETENTION_DAYS} days; ${p.backup.retentionDays} can not be honoured` });
  }
  if (p.backup.enabled && p.backup.schedule !== undefined && !backupWindow(p.backup.schedule)) {
    errors.push({ path: path('backup.schedule'), message: 'RDS takes one automated backup a day: use a daily schedule such as "30 2 * * *" (its time starts a 30-minute backup window)' });
  }
  const start = p.backup.enabled && p.backup.schedule !== undefined ? dailyStart(p.backup.schedule) : undefined;
  if (start !== undefined && p.maintenance && overlaps(start, windows(ctx).maintenance)) {
    errors.push({
      path: path('maintenance.timeOfDay'),
      message:
        `RDS refuses a daily backup window (${rdsBackupWindow(start)} UTC) that overlaps the maintenance window ` +
        `(${describeWindow(windows(ctx).maintenance)}): move one of them`,
    });
  }
  if (p.network.allowedNamespaces.length > 0) {
    errors.push({ path: path('network.allowedNamespaces'), message: "a security group can't tell namespaces apart: every pod in the platform's cluster CIDRs reaches the instance; use allowedCIDRs for addresses outside the cluster" });
  }
  if (p.restore?.backupName !== undefined) {
    errors.push({ path: path('restore.backupName'), message: 'RDS restores to a point in time from its automated backups: set pointInTime instead of backupName' });
  }
  return errors;
}

/** RDS' storage autoscaling takes only a maximum: it grows by itself once 10 % or less is free (at least 10 GiB or
 *  10 % at a time), so a threshold or step the claim chose can't be honoured. */
function autogrowErrors(p: ComposeContext['instance']['parameters']): FieldError[] {
  const autogrow = enabledAutogrow(p);
  if (!autogrow) return [];
  const errors: FieldError[] = [];
  if (autogrow.thresholdPercent !== DEFAULT_AUTOGROW_THRESHOLD) {
    errors.push({
      path: 'spec.parameters.size.autogrow.thresholdPercent',
      message: `RDS chooses when it grows the disk (when 10 % or less is free): leave it unset (${DEFAULT_AUTOGROW_THRESHOLD})`,
    });
  }
  if (autogrow.step !== undefined) {
    errors.push({ path: 'spec.parameters.size.autogrow.step', message: 'RDS chooses how much it grows the disk at a time: remove it' });
  }
  return errors;
}

function restoreProblems(ctx: ComposeContext): FieldError[] {
  const restore = ctx.instance.parameters.restore;
  if (!restore || ctx.required[REQUIRED_INSTANCES] === undefined) return [];
  const path = 'spec.parameters.restore.fromInstance';
  if (restore.fromInstance === ctx.instance.claimName) return [{ path, message: 'an instance can not be restored from itself' }];
  const source = objectName({ ...ctx.instance, claimName: restore.fromInstance });
  const found = (ctx.required[REQUIRED_INSTANCES] ?? []).find((i) => at(i, 'metadata', 'name') === source);
  if (!found) return [{ path, message: `there is no aws-rds instance "${restore.fromInstance}" in namespace ${ctx.instance.namespace}` }];
  if (!(Number(at(found, 'spec', 'forProvider', 'backupRetentionPeriod')) > 0)) {
    return [{ path, message: `instance "${restore.fromInstance}" keeps no automated backups (backup.enabled is false)` }];
  }
  return [];
}

function restoreOrigin(ctx: ComposeContext, observed: Json): RestoreOrigin {
  const made = at(observed, 'spec', 'forProvider', 'restoreToPointInTime') as Json | undefined;
  if (!made) return { restored: false, made: 'the instance was not restored from another' };
  const restore = ctx.instance.parameters.restore;
  const time = made['restoreTime'];
  return {
    restored: true,
    made: `the instance was restored from "${String(made['sourceDbInstanceIdentifier'])}"`,
    ...(restore ? { sameSource: objectName({ ...ctx.instance, claimName: restore.fromInstance }) === made['sourceDbInstanceIdentifier'] } : {}),
    ...(typeof time === 'string' ? { pointInTime: time } : {}),
  };
}

function refusedChanges(ctx: ComposeContext): FieldError[] {
  const observed = observedInstance(ctx);
  const errors = unsupported(ctx);
  if (!observed) return [...errors, ...restoreProblems(ctx)];
  const p = ctx.instance.parameters;
  const gib = at(observed, 'spec', 'forProvider', 'allocatedStorage');
  const major = Number(scalarText(at(observed, 'spec', 'forProvider', 'engineVersion')).split('.')[0]);
  return [
    ...errors,
    ...refusedStorageChanges(
      { ...p, storageClass: undefined },
      cloudStoredShape(gib, major),
      { upgradesMajorInPlace: true },
    ),
    ...restoreChanges(p.restore, restoreOrigin(ctx, observed)),
  ];
}

function requirements(ctx: ComposeContext): Record<string, RequiredSelector> {
  if (!ctx.instance.parameters.restore || observedInstance(ctx)) return {};
  return { [REQUIRED_INSTANCES]: { apiVersion: RDS, kind: 'Instance', namespace: ctx.instance.namespace } };
}

export const awsRds: DatabaseEngine<AwsRdsOptions> = {
  name: 'aws-rds',
  platformOptions: awsRdsOptions,
  // RDS identifiers stop at 63; our own suffixes (`-final`, `-params`, `-in-<cidr>`) fit after 40.
  maxBaseName: 40,
  hosting: 'cloud',
  databaseKey: RDS_KEYS.instance,
  clientPorts: [POSTGRES_PORT],
  metricsPorts: [],
  operatorPorts: [],
  platformDatabaseLogins: [],
  metricsPortName: '',
  blockedSettings: BLOCKED,
  monitoredSeries: () => {
    throw new Error('aws-rds runs no pods to monitor: its metrics are in CloudWatch');
  },
  endpoint: (ctx) => {
    const address = at(observedInstance(ctx), 'status', 'atProvider', 'address');
    const port = at(observedInstance(ctx), 'status', 'atProvider', 'port');
    return { host: typeof address === 'string' ? address : '', port: typeof port === 'number' ? port : POSTGRES_PORT };
  },
  poolerEndpoint: () => undefined,
  requirements,
  refusedChanges,
  compose(ctx, inputs): ComposedSet {
    const objects: Record<string, KubeObject> = {
      [RDS_KEYS.subnetGroup]: managed(ctx, RDS, 'SubnetGroup', objectName(ctx.instance, 'subnets'), {
        subnetIds: options(ctx).subnetIds,
        description: `PostgreSQL ${ctx.instance.namespace}/${ctx.instance.claimName}`,
      }),
      ...parameterGroups(ctx),
      ...securityObjects(ctx),
    };
    const out: ComposedSet = Object.fromEntries(Object.entries(objects).map(([key, object]) => [key, { object, ready: managedResourceReady(ctx, key) }]));
    const restoreUnread = ctx.instance.parameters.restore !== undefined && !observedInstance(ctx) && ctx.required[REQUIRED_INSTANCES] === undefined;
    if (!restoreUnread) out[RDS_KEYS.instance] = { object: instance(ctx, inputs), ready: observe(ctx).ready };
    return out;
  },
  observe,
  podSelector: () => ({}),
  operatorNamespace: (ctx) => options(ctx).operatorNamespace,
};
