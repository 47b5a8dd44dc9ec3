/**
 * Open Telekom Cloud RDS for PostgreSQL through provider-opentelekomcloud's namespaced (`.m.`) kinds: an
 * `InstanceV3` (flavour from the platform's plan table, volume, availability zones and HA replication mode, backup
 * strategy, point-in-time restore, autogrow) and a `ParametergroupV3` with the claim's settings. Network placement
 * (VPC, subnet, security group) is the platform's. As on RDS, nothing runs in the cluster: no NetworkPolicy, no
 * PodMonitor (OTC's Cloud Eye has the metrics), no bucket (backups are the service's own). The administrator is
 * OTC's `root`, with our password by reference; users and databases go through provider-sql against its private IP.
 */
import type { BlockedSetting } from '../../api/blocked-settings.js';
import { inBaseUnit } from '../../api/setting-units.js';
// Not api/settings.js: it imports the claim schema, which imports the engine list (a cycle).
import { CATALOGUE_MAJORS, CATALOGUES } from '../../api/settings-catalogue.js';
import type { FieldError } from '../../api/errors.js';
import { enabledAutogrow } from '../../compose/cloud-only.js';
import { cloudStoredShape, refusedStorageChanges } from '../../compose/changes.js';
import { commonLabels } from '../../compose/labels.js';
import { objectName } from '../../compose/names.js';
import { dailyRun } from '../../util/cron.js';
import { managedResourceReady } from '../../compose/readiness.js';
import { restoreChanges, type RestoreOrigin } from '../../compose/restore.js';
import { resolveSize } from '../../compose/size.js';
import type { ComposeContext, ComposedSet, KubeObject, RequiredSelector } from '../../compose/types.js';
import { bytes } from '../../util/quantity.js';
import type { DatabaseEngine, EngineInputs, EngineObservation } from '../engine.js';
import { otcRdsOptions, type OtcRdsOptions } from './options.js';
import { at, conditionOf } from '../../util/observed.js';

type Json = Record<string, unknown>;

export const OTC_KEYS = { instance: 'otc-rds-instance', parameterGroup: 'otc-rds-parameter-group' } as const;
const REQUIRED_INSTANCES = 'otc-rds-instances';
const API_VERSION = 'rds.opentelekomcloud.m.crossplane.io/v1alpha1';
const POSTGRES_PORT = 5432;
/** OTC RDS' administrator account for PostgreSQL. */
export const OTC_SUPERUSER = 'root';
const GB = 1024 ** 3;
const MIN_VOLUME_GB = 40;
const MAX_VOLUME_GB = 4000;
export const MAX_KEEP_DAYS = 732;

const options = (ctx: ComposeContext): OtcRdsOptions => ctx.platform.engines['otc-rds'];
const instanceName = (ctx: ComposeContext): string => objectName(ctx.instance);
const observedInstance = (ctx: ComposeContext): Json | undefined => ctx.observed.resources[OTC_KEYS.instance];
const first = (v: unknown): Json | undefined => (Array.isArray(v) ? (v[0] as Json | undefined) : undefined);

const BLOCKED: readonly BlockedSetting[] = ['log_destination', 'logging_collector', 'log_directory', 'log_filename', 'log_file_mode', 'log_rotation_age', 'log_rotation_size'].map(
  (name) => ({ name, reason: 'OTC RDS collects the logs itself' }),
);

export const volumeGB = (disk: string): number => Math.ceil((bytes(disk) ?? 0) / GB);

/**
 * A five-field schedule as OTC's backup strategy: a one-hour window starting on the quarter hour at or before the
 * scheduled time (so the window holds it), and the days of the week (1 = Monday … 7 = Sunday). Undefined when the
 * schedule runs more than once a day or on days of the month, which the strategy can't say.
 */
export function backupStrategy(schedule: string): { startTime: string; period: string } | undefined {
  const run = dailyRun(schedule);
  if (!run) return undefined;
  const hour = Math.floor(run.minuteOfDay / 60);
  const quarter = String(Math.floor((run.minuteOfDay % 60) / 15) * 15).padStart(2, '0');
  const hh = (h: number) => String(h % 24).padStart(2, '0');
  return { startTime: `${hh(hour)}:${quarter}-${hh(hour + 1)}:${quarter}`, period: run.weekdays.join(',') };
}

function managed(ctx: ComposeContext, kind: string, name: string, forProvider: Json): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: { name, namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
    spec: { forProvider, providerConfigRef: { kind: 'ClusterProviderConfig', name: options(ctx).providerConfig } },
  };
}

/** Sorted, each value in its parameter's own unit (`32MB` of work_mem is `32768`): the service takes plain numbers. */
function parameterValues(major: number, settings: Record<string, string>): Record<string, string> {
  const entries = CATALOGUES[CATALOGUE_MAJORS.find((m) => m >= major) ?? CATALOGUE_MAJORS[CATALOGUE_MAJORS.length - 1]!] ?? {};
  return Object.fromEntries(Object.keys(settings).sort().map((name) => [name, inBaseUnit(settings[name]!, (Object.hasOwn(entries, name) ? entries[name]?.[2] : undefined) ?? '')]));
}

function parameterGroup(ctx: ComposeContext): KubeObject {
  const p = ctx.instance.parameters;
  return managed(ctx, 'ParametergroupV3', objectName(ctx.instance, 'params'), {
    name: objectName(ctx.instance, 'params'),
    description: `PostgreSQL ${p.version} settings of ${ctx.instance.namespace}/${ctx.instance.claimName}`,
    datastore: [{ type: 'PostgreSQL', version: String(p.version) }],
    values: parameterValues(p.version, { max_connections: String(resolveSize(p).maxConnections), ...p.postgresql.settings }),
  });
}

/** The source instance's OTC id, from the InstanceV3 of that claim in the namespace. */
function sourceId(ctx: ComposeContext): string | undefined {
  const restore = ctx.instance.parameters.restore;
  if (!restore) return undefined;
  const name = objectName({ ...ctx.instance, claimName: restore.fromInstance });
  const source = (ctx.required[REQUIRED_INSTANCES] ?? []).find((i) => at(i, 'metadata', 'name') === name);
  const id = at(source, 'status', 'atProvider', 'id');
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Where an existing instance is stays where it is: the provider replaces an instance (a new, empty one) when its zones,
 * network or volume type change, so those are read back from it; the platform's current choices apply to new ones.
 */
function placement(ctx: ComposeContext): { zones: string[]; vpcId: string; subnetId: string; securityGroupId: string; volumeType: string } {
  const o = options(ctx);
  const fp = at(observedInstance(ctx), 'spec', 'forProvider') as Json | undefined;
  const text = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' ? v : fallback);
  const zones = Array.isArray(fp?.['availabilityZone']) ? (fp['availabilityZone'] as string[]) : o.availabilityZones.slice(0, ctx.instance.parameters.instances === 2 ? 2 : 1);
  return {
    zones,
    vpcId: text(fp?.['vpcId'], o.vpcId),
    subnetId: text(fp?.['subnetId'], o.subnetId),
    securityGroupId: text(fp?.['securityGroupId'], o.securityGroupId),
    volumeType: text(at(first(fp?.['volume']), 'type'), o.volumeType),
  };
}

function instance(ctx: ComposeContext, inputs: EngineInputs): KubeObject {
  const p = ctx.instance.parameters;
  const o = options(ctx);
  const ha = p.instances === 2;
  const where = placement(ctx);
  const volume: Json = { type: where.volumeType, size: volumeGB(resolveSize(p).disk) };
  // The claim's size stays what is composed after OTC has grown the volume: provider-opentelekomcloud reports the
  // configured size while autoscaling is on (its Read keeps volume.size from the spec), so the growth is no diff and
  // nothing tries to shrink it back.
  const autogrow = enabledAutogrow(p);
  if (autogrow) {
    volume['limitSize'] = volumeGB(autogrow.max);
    volume['triggerThreshold'] = freePercent(autogrow.thresholdPercent);
  }
  const forProvider: Json = {
    name: instanceName(ctx),
    flavor: ha ? `${o.flavors[p.size.plan]}.ha` : o.flavors[p.size.plan],
    availabilityZone: where.zones,
    db: [{ type: 'PostgreSQL', version: String(p.version), port: POSTGRES_PORT, passwordSecretRef: { name: inputs.superuserSecretName, key: 'password' } }],
    volume: [volume],
    vpcId: where.vpcId,
    subnetId: where.subnetId,
    securityGroupId: where.securityGroupId,
    paramGroupIdRef: { name: objectName(ctx.instance, 'params') },
    sslEnable: true,
  };
  if (ha) forProvider['haReplicationMode'] = p.replication.mode;
  const strategy = inputs.backup && backupStrategy(inputs.backup.schedule);
  if (inputs.backup && strategy) forProvider['backupStrategy'] = [{ ...strategy, keepDays: inputs.backup.retentionDays }];
  const existing = observedInstance(ctx);
  const made = existing ? at(existing, 'spec', 'forProvider', 'restorePoint') : undefined;
  if (made !== undefined) forProvider['restorePoint'] = made;
  else if (!existing && p.restore) {
    const id = sourceId(ctx);
    // OTC restores to a moment, in milliseconds since the epoch; without one, to the source's latest moment (now).
    if (id) forProvider['restorePoint'] = [{ instanceId: id, ...(p.restore.pointInTime ? { restoreTime: Date.parse(p.restore.pointInTime) } : {}) }];
  }
  return managed(ctx, 'InstanceV3', instanceName(ctx), forProvider);
}

function endpointOf(ctx: ComposeContext): { host: string; port: number } {
  const observed = observedInstance(ctx);
  const ips = at(observed, 'status', 'atProvider', 'privateIps');
  const host = Array.isArray(ips) && typeof ips[0] === 'string' ? ips[0] : '';
  const port = at(first(at(observed, 'status', 'atProvider', 'db')), 'port');
  return { host, port: typeof port === 'number' ? port : POSTGRES_PORT };
}

function observe(ctx: ComposeContext): EngineObservation {
  const observed = observedInstance(ctx);
  if (!observed) return { ready: false, failed: false, instancesReady: 0, message: 'creating the OTC RDS instance' };
  const db = first(at(observed, 'status', 'atProvider', 'db'));
  const version = at(db, 'version');
  const base = typeof version === 'string' && version !== '' ? { version } : {};
  if (managedResourceReady(ctx, OTC_KEYS.instance) && endpointOf(ctx).host !== '') {
    return { ...base, ready: true, failed: false, instancesReady: ctx.instance.parameters.instances, message: 'available' };
  }
  const synced = conditionOf(observed, 'Synced');
  if (synced?.['status'] === 'False' && typeof synced['message'] === 'string') {
    return { ...base, ready: false, failed: false, instancesReady: 0, message: `provider-opentelekomcloud: ${synced['message']}` };
  }
  return { ...base, ready: false, failed: false, instancesReady: 0, message: 'waiting for OTC RDS' };
}

function unsupported(ctx: ComposeContext): FieldError[] {
  const p = ctx.instance.parameters;
  const errors: FieldError[] = [];
  const path = (field: string) => `spec.parameters.${field}`;
  if (p.instances > 2) {
    errors.push({ path: path('instances'), message: `OTC RDS runs 1 instance or 2 (primary and standby); ${p.instances} can not be honoured (read replicas are not composed)` });
  }
  if (p.storageClass !== undefined) errors.push({ path: path('storageClass'), message: 'OTC RDS has no StorageClass: the platform chooses the volume type' });
  if (p.pooler.enabled === true) errors.push({ path: path('pooler.enabled'), message: 'otc-rds has no connection pooler: remove it or set it to false' });
  if (p.size.cpu !== undefined) errors.push({ path: path('size.cpu'), message: 'OTC RDS sizes come in flavours: choose a plan instead of cpu' });
  if (p.size.memory !== undefined) errors.push({ path: path('size.memory'), message: 'OTC RDS sizes come in flavours: choose a plan instead of memory' });
  const disk = resolveSize(p).disk;
  const gb = volumeGB(disk);
  if (gb < MIN_VOLUME_GB || gb > MAX_VOLUME_GB || gb % 10 !== 0) {
    errors.push({ path: path(p.size.disk ? 'size.disk' : 'size.plan'), message: `OTC RDS volumes are ${MIN_VOLUME_GB} to ${MAX_VOLUME_GB} GB in steps of 10; the claim asks for ${disk}: set size.disk to e.g. 40Gi` });
  }
  errors.push(...autogrowErrors(p));
  if (p.backup.finalBackupOnDelete === true) {
    errors.push({
      path: path('backup.finalBackupOnDelete'),
      message:
        "provider-opentelekomcloud's InstanceV3 has no final backup, and OTC deletes an instance's automated backups with it: " +
        'remove it, or take a manual backup before deleting the claim',
    });
  }
  if (p.backup.enabled && p.backup.schedule !== undefined && !backupStrategy(p.backup.schedule)) {
    errors.push({ path: path('backup.schedule'), message: 'OTC RDS backs up once a day on chosen weekdays: use a schedule such as "30 2 * * *" or "0 3 * * 1-5"' });
  }
  if (p.network.allowedNamespaces.length > 0 || p.network.allowedCIDRs.length > 0) {
    const field = p.network.allowedCIDRs.length > 0 ? 'network.allowedCIDRs' : 'network.allowedNamespaces';
    errors.push({ path: path(field), message: "the platform's security group decides who reaches OTC RDS instances; ask the platform team to open it" });
  }
  if (p.restore?.backupName !== undefined) {
    errors.push({ path: path('restore.backupName'), message: 'otc-rds restores to a point in time: set pointInTime instead of backupName' });
  }
  return errors;
}

/** OTC grows the volume when its free space drops to 10, 15 or 20 % (or 10 GB): the claim's used-space threshold
 *  is 100 minus that. */
const TRIGGER_FREE_PERCENTS = [10, 15, 20] as const;
const freePercent = (usedPercent: number): number => 100 - usedPercent;

/** OTC RDS takes a limit and a trigger threshold; it chooses the step itself. */
function autogrowErrors(p: ComposeContext['instance']['parameters']): FieldError[] {
  const autogrow = enabledAutogrow(p);
  if (!autogrow) return [];
  const errors: FieldError[] = [];
  if (!(TRIGGER_FREE_PERCENTS as readonly number[]).includes(freePercent(autogrow.thresholdPercent))) {
    const allowed = TRIGGER_FREE_PERCENTS.map((free) => 100 - free).sort((a, b) => a - b);
    errors.push({
      path: 'spec.parameters.size.autogrow.thresholdPercent',
      message: `OTC RDS grows the volume when 10, 15 or 20 % is free: use ${allowed.join(', ')} (percent used), not ${autogrow.thresholdPercent}`,
    });
  }
  if (autogrow.step !== undefined) {
    errors.push({ path: 'spec.parameters.size.autogrow.step', message: 'OTC RDS chooses how much it grows the volume at a time: remove it' });
  }
  if (volumeGB(autogrow.max) > MAX_VOLUME_GB) {
    errors.push({ path: 'spec.parameters.size.autogrow.max', message: `OTC RDS volumes grow to at most ${MAX_VOLUME_GB} GB; the claim asks for ${autogrow.max}` });
  }
  return errors;
}

function restoreProblems(ctx: ComposeContext): FieldError[] {
  const restore = ctx.instance.parameters.restore;
  if (!restore || ctx.required[REQUIRED_INSTANCES] === undefined) return [];
  const path = 'spec.parameters.restore.fromInstance';
  if (restore.fromInstance === ctx.instance.claimName) return [{ path, message: 'an instance can not be restored from itself' }];
  if (!sourceId(ctx)) return [{ path, message: `there is no running otc-rds instance "${restore.fromInstance}" in namespace ${ctx.instance.namespace}` }];
  return [];
}

function restoreOrigin(ctx: ComposeContext, observed: Json): RestoreOrigin {
  const made = first(at(observed, 'spec', 'forProvider', 'restorePoint'));
  if (!made) return { restored: false, made: 'the instance was not restored from another' };
  const restore = ctx.instance.parameters.restore;
  const time = made['restoreTime'];
  return {
    restored: true,
    made: `the instance was restored from OTC instance ${String(made['instanceId'])}`,
    ...(restore ? { sameSource: sourceId(ctx) === undefined || sourceId(ctx) === made['instanceId'] } : {}),
    ...(typeof time === 'number' ? { pointInTime: new Date(time).toISOString() } : {}),
  };
}

function refusedChanges(ctx: ComposeContext): FieldError[] {
  const observed = observedInstance(ctx);
  const errors = unsupported(ctx);
  if (!observed) return [...errors, ...restoreProblems(ctx)];
  const p = ctx.instance.parameters;
  const size = at(first(at(observed, 'spec', 'forProvider', 'volume')), 'size');
  const major = Number(at(first(at(observed, 'spec', 'forProvider', 'db')), 'version'));
  const zones = at(observed, 'spec', 'forProvider', 'availabilityZone');
  if (Array.isArray(zones) && zones.length !== (p.instances === 2 ? 2 : 1)) {
    errors.push({
      path: 'spec.parameters.instances',
      message: `the instance runs ${zones.length === 2 ? 'as primary and standby' : 'single'}; OTC RDS would replace it with an empty one to change that: restore into a new instance instead`,
    });
  }
  return [
    ...errors,
    ...refusedStorageChanges({ ...p, storageClass: undefined }, cloudStoredShape(size, major), { upgradesMajorInPlace: false }),
    ...restoreChanges(p.restore, restoreOrigin(ctx, observed)),
  ];
}

function requirements(ctx: ComposeContext): Record<string, RequiredSelector> {
  if (!ctx.instance.parameters.restore || observedInstance(ctx)) return {};
  return { [REQUIRED_INSTANCES]: { apiVersion: API_VERSION, kind: 'InstanceV3', namespace: ctx.instance.namespace } };
}

export const otcRds: DatabaseEngine<OtcRdsOptions> = {
  name: 'otc-rds',
  platformOptions: otcRdsOptions,
  // OTC instance names stop at 64; `-params` is our longest suffix.
  maxBaseName: 40,
  hosting: 'cloud',
  superuser: OTC_SUPERUSER,
  databaseKey: OTC_KEYS.instance,
  clientPorts: [POSTGRES_PORT],
  metricsPorts: [],
  operatorPorts: [],
  platformDatabaseLogins: [],
  metricsPortName: '',
  blockedSettings: BLOCKED,
  monitoredSeries: () => {
    throw new Error("otc-rds runs no pods to monitor: its metrics are in OTC's Cloud Eye");
  },
  endpoint: endpointOf,
  poolerEndpoint: () => undefined,
  requirements,
  refusedChanges,
  compose(ctx, inputs): ComposedSet {
    const out: ComposedSet = { [OTC_KEYS.parameterGroup]: { object: parameterGroup(ctx), ready: managedResourceReady(ctx, OTC_KEYS.parameterGroup) } };
    // A restore waits until the source's id was read: created without it, the instance would start empty.
    const restoreUnread = ctx.instance.parameters.restore !== undefined && !observedInstance(ctx) && !sourceId(ctx);
    if (!restoreUnread) out[OTC_KEYS.instance] = { object: instance(ctx, inputs), ready: observe(ctx).ready };
    return out;
  },
  observe,
  podSelector: () => ({}),
  operatorNamespace: (ctx) => options(ctx).operatorNamespace,
};
