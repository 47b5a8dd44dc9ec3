/**
 * The CloudNativePG engine: a Cluster (instances, resources from the plan, storage, postgresql.conf, synchronous
 * replication, our superuser Secret, TLS by the operator's own CA, images from the platform's catalog), backups through
 * the Barman Cloud Plugin (ObjectStore, ScheduledBackup), restore from another instance's object store, and a PgBouncer
 * Pooler when the claim asks for one.
 */
import type { BlockedSetting } from '../../api/blocked-settings.js';
import type { FieldError } from '../../api/errors.js';
import { commonLabels } from '../../compose/labels.js';
import { FINAL_BACKUP_OF_LABEL } from '../../compose/final-backup.js';
import { labelValue, objectName } from '../../compose/names.js';
import { observedExists } from '../../compose/readiness.js';
import { autogrownDisk, resolveSize } from '../../compose/size.js';
import type { ComposeContext, ComposedSet, KubeObject, RequiredSelector } from '../../compose/types.js';
import { sortKeys } from '../../util/canonical.js';
import { at, conditionOf } from '../../util/observed.js';
import { restoreChanges, type RestoreOrigin } from '../../compose/restore.js';
import { refusedStorageChanges } from '../../compose/changes.js';
import type { DatabaseEngine, EngineInputs, EngineObservation } from '../engine.js';
import { archivingServerName, objectStore, pluginEntry, scheduledBackup, serverName } from './backup.js';
import { catalogRequirement, dataMajor, majorPlan, PHASE_MAJOR_UPGRADE, PRE_UPGRADE_BACKUP_KEY, refusedUpgrade, specMajor, upgradeRequirements, type MajorPlan } from './upgrade.js';
import { IMAGE_CATALOG_KEY, imageCatalogName, imagePlan, type ImagePlan } from './images.js';
import { cloudnativepgSeries, INSTANCE_METRICS_PORT, METRICS_PORT_NAME, POOLER_METRICS_PORT } from './metrics.js';
import { backupOutcome, finalBackup } from './final-backup.js';
import { cloudnativepgOptions, type CloudNativePGOptions } from './options.js';
import {
  API_VERSION,
  REQUIRED_BACKUPS,
  REQUIRED_CLUSTERS,
  applicationDatabase,
  originStore,
  originStoreName,
  recovery,
  restoreProblems,
} from './restore.js';

type Json = Record<string, unknown>;

export const CNPG_KEYS = {
  cluster: 'cnpg-cluster',
  objectStore: 'cnpg-object-store',
  scheduledBackup: 'cnpg-scheduled-backup',
  pooler: 'cnpg-pooler',
  preUpgradeBackup: PRE_UPGRADE_BACKUP_KEY,
  imageCatalog: IMAGE_CATALOG_KEY,
  originStore: 'cnpg-origin-store',
} as const;
const POSTGRES_PORT = 5432;
/** The instance manager's status endpoint, which the operator calls on every pod (pkg/management/url StatusPort). */
const INSTANCE_MANAGER_PORT = 8000;

const options = (ctx: ComposeContext): CloudNativePGOptions => ctx.platform.engines.cloudnativepg;
const clusterName = (ctx: ComposeContext): string => objectName(ctx.instance);
const poolerName = (ctx: ComposeContext): string => objectName(ctx.instance, 'pooler');
const poolerWanted = (ctx: ComposeContext): boolean => ctx.instance.parameters.pooler.enabled === true;
const observedCluster = (ctx: ComposeContext): Json | undefined => ctx.observed.resources[CNPG_KEYS.cluster];

function meta(ctx: ComposeContext, name: string): KubeObject['metadata'] {
  return { name, namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) };
}

/** What CloudNativePG fixes or refuses beyond the settings every engine manages (pkg/postgres/configuration.go). */
const BLOCKED: readonly BlockedSetting[] = [
  ...['allow_system_table_mods', 'bonjour', 'bonjour_name', 'data_sync_retry', 'event_source', 'jit_provider', 'restart_after_crash', 'stats_temp_directory', 'promote_trigger_file'].map(
    (name) => ({ name, reason: 'CloudNativePG does not let it be changed' }),
  ),
  { name: 'temp_tablespaces', reason: 'CloudNativePG sets it from its tablespaces' },
  { name: 'synchronized_standby_slots', reason: 'replication slots are managed by CloudNativePG' },
  { name: 'pg_failover_slots.', prefix: true, reason: 'replication slots are managed by CloudNativePG' },
  { name: 'archive_cleanup_command', reason: 'backups and WAL archiving are managed by the backup configuration' },
  ...['log_file_mode', 'log_rotation_age', 'log_rotation_size', 'log_truncate_on_rotation'].map((name) => ({
    name,
    reason: 'CloudNativePG writes the logs to its own collector',
  })),
  { name: 'syslog_', prefix: true, reason: 'CloudNativePG writes the logs to its own collector' },
];

const plan = (ctx: ComposeContext): MajorPlan =>
  majorPlan(ctx, observedCluster(ctx), clusterName(ctx), ctx.instance.parameters.backup.enabled);

/** The instance's own catalog, with an image for every major the Cluster may be on while an upgrade runs or rolls back. */
const images = (ctx: ComposeContext, major: number): ImagePlan => {
  const observed = observedCluster(ctx);
  return imagePlan(ctx, [major, specMajor(observed), dataMajor(observed)].filter((m): m is number => m !== undefined));
};

function cluster(ctx: ComposeContext, inputs: EngineInputs, major: number): KubeObject {
  const p = ctx.instance.parameters;
  const size = resolveSize(p, autogrownDisk(ctx.observed.composite));
  const storage: Json = { size: size.disk };
  if (p.storageClass) storage['storageClass'] = p.storageClass;
  const resources = { cpu: size.cpu, memory: size.memory };
  const postgresql: Json = {
    // sorted: the claim's settings arrive in whatever order the API server's encoder chose
    parameters: sortKeys({ max_connections: String(size.maxConnections), ...p.postgresql.settings }),
  };
  // A commit waits for one standby; `required` stops writes rather than go on without one (no data loss on failover).
  if (p.replication.mode === 'sync') postgresql['synchronous'] = { method: 'any', number: 1, dataDurability: 'required' };
  const spec: Json = {
    instances: p.instances,
    // The major the data is on until an upgrade may start (upgrade.ts); raising it is what starts the operator's upgrade.
    // The instance's own catalog, not the platform's: its image moves only in the maintenance window (images.ts).
    imageCatalogRef: { apiGroup: 'postgresql.cnpg.io', kind: 'ImageCatalog', name: imageCatalogName(ctx), major },
    // The window is kept by the instance's catalog, which changes only in it; once it changed, nobody approves the
    // update by hand here (`supervised` would leave it waiting forever). With `switchover` the replicas are updated
    // first and the primary moves to one of them, a few seconds of failover instead of a restart of the primary.
    // A single instance is restarted in place either way.
    primaryUpdateStrategy: 'unsupervised',
    primaryUpdateMethod: 'switchover',
    enableSuperuserAccess: true,
    superuserSecret: { name: inputs.superuserSecretName },
    storage,
    resources: { requests: resources, limits: resources },
    postgresql,
  };
  const existing = observedCluster(ctx);
  // The bootstrap is read only when the cluster is made; afterwards it stays what it was made with.
  if (existing) {
    const bootstrap = at(existing, 'spec', 'bootstrap');
    if (bootstrap !== undefined) spec['bootstrap'] = bootstrap;
    const external = at(existing, 'spec', 'externalClusters');
    if (external !== undefined) spec['externalClusters'] = external;
  } else {
    const restore = recovery(ctx, inputs.superuserSecretName);
    spec['bootstrap'] = restore?.bootstrap ?? { initdb: applicationDatabase(inputs.superuserSecretName) };
    if (restore) spec['externalClusters'] = restore.externalClusters;
  }
  if (inputs.backup) spec['plugins'] = [pluginEntry(ctx, serverName(ctx, existing, major))];
  // CloudNativePG copies inheritedMetadata onto every object it makes for the cluster, its PVCs included.
  spec['inheritedMetadata'] = { labels: inputs.volumeLabels };
  return { apiVersion: API_VERSION, kind: 'Cluster', metadata: meta(ctx, clusterName(ctx)), spec };
}

function pooler(ctx: ComposeContext): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Pooler',
    metadata: meta(ctx, poolerName(ctx)),
    spec: {
      cluster: { name: clusterName(ctx) },
      // Two PgBouncers once the database itself has a standby, so the pooler is no single point of failure.
      instances: ctx.instance.parameters.instances > 1 ? 2 : 1,
      type: 'rw',
      // Session pooling keeps every client feature (prepared statements, session settings, advisory locks) working.
      pgbouncer: { poolMode: 'session' },
    },
  };
}

/**
 * The ObjectStore reports, per server name, the last good backup and the first point that can be recovered; the
 * Cluster's own fields of the same meaning (deprecated, filled by in-tree backups) stand in while it has no entry.
 */
function recoveryWindow(ctx: ComposeContext): { lastBackup?: string; firstRecoverabilityPoint?: string } {
  const window = at(ctx.observed.resources[CNPG_KEYS.objectStore], 'status', 'serverRecoveryWindow', archivingServerName(ctx, observedCluster(ctx))) as Json | undefined;
  const cluster = observedCluster(ctx);
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const lastBackup = text(window?.['lastSuccessfulBackupTime']) ?? text(at(cluster, 'status', 'lastSuccessfulBackup'));
  const first = text(window?.['firstRecoverabilityPoint']) ?? text(at(cluster, 'status', 'firstRecoverabilityPoint'));
  return { ...(lastBackup ? { lastBackup } : {}), ...(first ? { firstRecoverabilityPoint: first } : {}) };
}

/**
 * The running version: from the image's tag when it is a version (`…/postgresql:17.5-standard-trixie` gives 17.5),
 * else the major the operator read off the data directory (`pgDataImageInfo`): a catalog may name images whose tag is
 * a digest-like word (a tag `0bfeeedc181a` is no version 0).
 */
function runningVersion(observed: Json): string | undefined {
  const image = at(observed, 'status', 'image');
  const tag = typeof image === 'string' ? /:(\d+(?:\.\d+)?)(?:-[^:/]*)?$/.exec(image)?.[1] : undefined;
  if (tag) return tag;
  const major = at(observed, 'status', 'pgDataImageInfo', 'majorVersion');
  return typeof major === 'number' ? String(major) : undefined;
}

function observe(ctx: ComposeContext): EngineObservation {
  const observed = observedCluster(ctx);
  const wanted = ctx.instance.parameters.instances;
  const window = ctx.instance.parameters.backup.enabled ? recoveryWindow(ctx) : {};
  const restore = ctx.instance.parameters.restore;
  if (!observed) return { ready: false, failed: false, instancesReady: 0, message: 'creating the Cluster', ...window };
  const phase = at(observed, 'status', 'phase');
  const primary = at(observed, 'status', 'currentPrimary');
  const version = runningVersion(observed);
  const onDisk = dataMajor(observed);
  const upgrade = plan(ctx);
  // A newer image waits for the window: said whatever else the cluster is doing.
  const waiting = images(ctx, upgrade.major).pending;
  const base = {
    ...window,
    ...(waiting ? { maintenancePending: waiting, maintenanceReason: 'UpdatePending' } : {}),
    ...(onDisk !== undefined ? { dataMajor: onDisk } : {}),
    ...(typeof phase === 'string' && phase ? { phase } : {}),
    ...(typeof primary === 'string' && primary ? { currentPrimary: primary } : {}),
    ...(version ? { version } : {}),
  };
  const readyInstances = at(observed, 'status', 'readyInstances');
  const instancesReady = Math.min(typeof readyInstances === 'number' ? readyInstances : 0, wanted);
  const phaseReason = at(observed, 'status', 'phaseReason');
  const upgrading = upgrade.message !== undefined || phase === PHASE_MAJOR_UPGRADE;
  if (typeof phase === 'string' && /unrecoverable|failed/i.test(phase)) {
    const why = typeof phaseReason === 'string' && phaseReason ? `: ${phaseReason}` : '';
    const during = upgrading ? `upgrade to PostgreSQL ${ctx.instance.parameters.version} failed, the data is still PostgreSQL ${onDisk ?? '?'}: ` : '';
    return { ...base, ready: false, failed: true, upgrading, instancesReady, message: `${during}CloudNativePG reports ${phase}${why}` };
  }
  if (upgrade.failed) {
    return { ...base, ready: false, failed: true, upgrading: true, upgradeFailed: upgrade.failed, instancesReady, message: upgrade.message ?? upgrade.failed };
  }
  if (upgrading) {
    const message = upgrade.message ?? `upgrading to PostgreSQL ${specMajor(observed) ?? ctx.instance.parameters.version} (CloudNativePG: ${String(phase)})`;
    return { ...base, ready: false, failed: false, upgrading, instancesReady, message };
  }
  if (typeof primary !== 'string' || primary === '') {
    const what = restore ? `restoring from the backups of instance "${restore.fromInstance}"` : 'waiting for CloudNativePG to bootstrap the cluster';
    return { ...base, ready: false, failed: false, instancesReady, message: typeof phase === 'string' && phase ? `${what} (${phase})` : what };
  }
  const ready = conditionOf(observed, 'Ready')?.['status'] === 'True' && instancesReady >= wanted;
  const message = ready ? 'available' : `${instancesReady} of ${wanted} instances ready${typeof phase === 'string' && phase ? ` (${phase})` : ''}`;
  return { ...base, ready, failed: false, instancesReady, message };
}

function requirements(ctx: ComposeContext): Record<string, RequiredSelector> {
  const p = ctx.instance.parameters;
  const namespace = ctx.instance.namespace;
  const catalogs = catalogRequirement(ctx);
  if (observedCluster(ctx)) return { ...catalogs, ...upgradeRequirements(ctx, observedCluster(ctx), clusterName(ctx)) };
  if (!p.restore) return catalogs;
  return {
    ...catalogs,
    [REQUIRED_BACKUPS]: { apiVersion: API_VERSION, kind: 'Backup', namespace },
    [REQUIRED_CLUSTERS]: { apiVersion: API_VERSION, kind: 'Cluster', namespace },
  };
}

/** A restore decides the cluster's bootstrap, so the cluster waits until its source and backups were read. */
function restoreUnresolved(ctx: ComposeContext): boolean {
  return (
    ctx.instance.parameters.restore !== undefined &&
    !observedCluster(ctx) &&
    (ctx.required[REQUIRED_CLUSTERS] === undefined || ctx.required[REQUIRED_BACKUPS] === undefined)
  );
}

/**
 * What the observed Cluster was made from (`bootstrap.recovery`), for the shared restore-transition check. Its source
 * is told by the ObjectStore its origin reads (each instance's is named after it); the backup by name only when the
 * Cluster names one (a named backup is usually given by Barman's id, which the Backups, no longer read once the
 * Cluster exists, would have to translate: then it is not refused).
 */
function restoreOrigin(ctx: ComposeContext, observed: Json): RestoreOrigin {
  const recovery = at(observed, 'spec', 'bootstrap', 'recovery') as Json | undefined;
  if (!recovery) return { restored: false, made: 'the instance was not created from a backup' };
  const restore = ctx.instance.parameters.restore;
  const externalClusters = at(observed, 'spec', 'externalClusters');
  const origin = Array.isArray(externalClusters) ? (externalClusters as (Json | null)[]).find((c) => c?.['name'] === recovery['source']) : undefined;
  const objectStore = at(origin, 'plugin', 'parameters', 'barmanObjectName');
  const backupName = at(recovery, 'backup', 'name');
  const backupId = at(recovery, 'recoveryTarget', 'backupID');
  const pointInTime = at(recovery, 'recoveryTarget', 'targetTime');
  // A deleted source's archive is read through an ObjectStore of this instance's own, labelled with the source.
  const fromFinalBackup = objectStore === originStoreName(ctx);
  const finalSource = at(ctx.observed.resources[CNPG_KEYS.originStore], 'metadata', 'labels', FINAL_BACKUP_OF_LABEL);
  const sourceStore = restore ? (fromFinalBackup ? originStoreName(ctx) : objectName({ ...ctx.instance, claimName: restore.fromInstance }, 'backups')) : undefined;
  return {
    restored: true,
    made: `the instance was restored from the backups in "${typeof objectStore === 'string' ? objectStore : 'another instance'}"${typeof backupName === 'string' ? ` (backup "${backupName}")` : ''}`,
    ...(typeof objectStore === 'string' && sourceStore
      ? { sameSource: objectStore === sourceStore && (!fromFinalBackup || finalSource === labelValue(restore?.fromInstance ?? '')) }
      : {}),
    ...(typeof backupName === 'string' ? { sameBackup: restore?.backupName === backupName } : backupId === undefined ? { sameBackup: false } : {}),
    ...(typeof pointInTime === 'string' ? { pointInTime } : {}),
  };
}

/** Things not to do to a running cluster: shrink its volumes, or jump a major version by editing it. */
function refusedChanges(ctx: ComposeContext): FieldError[] {
  const observed = observedCluster(ctx);
  if (!observed) return restoreUnresolved(ctx) ? [] : restoreProblems(ctx);
  const p = ctx.instance.parameters;
  const major = at(observed, 'spec', 'imageCatalogRef', 'major');
  return [
    ...refusedStorageChanges(p, {
      disk: at(observed, 'spec', 'storage', 'size'),
      storageClass: at(observed, 'spec', 'storage', 'storageClass'),
      major: typeof major === 'number' ? major : undefined,
    }, { upgradesMajorInPlace: true }, autogrownDisk(ctx.observed.composite)),
    ...restoreChanges(p.restore, restoreOrigin(ctx, observed)),
    ...refusedUpgrade(ctx, observed),
  ];
}

export const cloudnativepg: DatabaseEngine<CloudNativePGOptions> = {
  name: 'cloudnativepg',
  autogrowsVolumes: true,
  finalBackup: {
    // The plugin reads the ObjectStore to write the backup.
    held: [CNPG_KEYS.cluster, CNPG_KEYS.objectStore],
    apiVersion: API_VERSION,
    kind: 'Backup',
    backup: (ctx, target, name) => finalBackup(ctx, target, name, clusterName(ctx), observedCluster(ctx)),
    outcome: backupOutcome,
  },
  platformOptions: cloudnativepgOptions,
  // CloudNativePG refuses cluster names over 50 characters; its longest suffix of its own is a Job's,
  // `-<serial>-snapshot-recovery`: 42 leaves room for that with two-digit serials.
  maxBaseName: 42,
  databaseKey: CNPG_KEYS.cluster,
  clientPorts: [POSTGRES_PORT],
  metricsPorts: [INSTANCE_METRICS_PORT, POOLER_METRICS_PORT],
  operatorPorts: [INSTANCE_MANAGER_PORT],
  platformDatabaseLogins: ['streaming_replica'],
  metricsPortName: METRICS_PORT_NAME,
  blockedSettings: BLOCKED,
  monitoredSeries: cloudnativepgSeries,
  endpoint: (ctx) => ({ host: `${clusterName(ctx)}-rw.${ctx.instance.namespace}.svc.${ctx.platform.clusterDomain}`, port: POSTGRES_PORT }),
  poolerEndpoint: (ctx) =>
    poolerWanted(ctx) ? { host: `${poolerName(ctx)}.${ctx.instance.namespace}.svc.${ctx.platform.clusterDomain}`, port: POSTGRES_PORT } : undefined,
  requirements,
  refusedChanges,
  compose(ctx, inputs, observation): ComposedSet {
    const out: ComposedSet = {};
    const upgrade = plan(ctx);
    // Omitting a cluster that doesn't exist yet deletes nothing; creating it without its restore would be wrong.
    if (!restoreUnresolved(ctx)) out[CNPG_KEYS.cluster] = { object: cluster(ctx, inputs, upgrade.major), ready: observation.ready };
    const origin = originStore(ctx, ctx.observed.resources[CNPG_KEYS.originStore]);
    if (origin) out[CNPG_KEYS.originStore] = { object: origin, ready: observedExists(ctx, CNPG_KEYS.originStore) };
    const catalog = images(ctx, upgrade.major).catalog;
    if (catalog) out[CNPG_KEYS.imageCatalog] = { object: catalog, ready: observedExists(ctx, CNPG_KEYS.imageCatalog) };
    // Only while backups are on: a claim that turns them off with the upgrade has no object store to back up to.
    if (upgrade.backup && inputs.backup) out[CNPG_KEYS.preUpgradeBackup] = { object: upgrade.backup, ready: upgrade.backupReady };
    if (inputs.backup) {
      out[CNPG_KEYS.objectStore] = { object: objectStore(ctx, inputs.backup), ready: observedExists(ctx, CNPG_KEYS.objectStore) };
      // Its first backup starts the moment it exists (`immediate`): before the primary is ready, CloudNativePG fails
      // that backup for good ("no status found for target pod", seen on the real node) and the instance has none
      // until the next scheduled run. So it waits for a ready cluster, once; afterwards it stays whatever happens.
      if (observation.ready || observedExists(ctx, CNPG_KEYS.scheduledBackup)) {
        out[CNPG_KEYS.scheduledBackup] = {
          object: scheduledBackup(ctx, inputs.backup, clusterName(ctx)),
          ready: observedExists(ctx, CNPG_KEYS.scheduledBackup),
        };
      }
    }
    if (poolerWanted(ctx)) {
      const ready = (at(ctx.observed.resources[CNPG_KEYS.pooler], 'status', 'instances') ?? 0) as number;
      out[CNPG_KEYS.pooler] = { object: pooler(ctx), ready: ready > 0 };
    }
    return out;
  },
  observe,
  // Instance and PgBouncer pods alike carry the cluster's name (pkg/specs/pgbouncer/deployments.go).
  podSelector: (ctx) => ({ 'cnpg.io/cluster': clusterName(ctx) }),
  operatorNamespace: (ctx) => options(ctx).operatorNamespace,
};
