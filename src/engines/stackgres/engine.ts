/**
 * The StackGres engine: SGInstanceProfile (cpu, memory), SGPostgresConfig (postgresql.conf), SGObjectStorage (the
 * backup bucket) and SGCluster (version, instances, disk, replication, superuser credentials from our Secret, backup
 * schedule and retention, restore from another instance's backup, Prometheus autobind).
 */
import type { FieldError } from '../../api/errors.js';
import type { Instance } from '../../api/parse.js';
import type { BackupTarget } from '../../compose/backup.js';
import { commonLabels } from '../../compose/labels.js';
import { isFinalBackup, noRestoreSource } from '../../compose/final-backup.js';
import { objectName } from '../../compose/names.js';
import { maintenanceWindow, WINDOW_MINUTES, windowCron } from '../../compose/maintenance.js';
import { observedExists } from '../../compose/readiness.js';
import { autogrownDisk, resolveSize } from '../../compose/size.js';
import type { ComposeContext, ComposedSet, KubeObject, RequiredSelector } from '../../compose/types.js';
import { sortKeys } from '../../util/canonical.js';
import { runsPerDay, withSundayAsZero } from '../../util/cron.js';
import { at, conditionOf, scalarText } from '../../util/observed.js';
import { refusedStorageChanges } from '../../compose/changes.js';
import type { DatabaseEngine, EngineInputs, EngineObservation } from '../engine.js';
import { chooseBackup, lastSuccessfulBackup, restoreChanges, type RestoreOrigin } from '../../compose/restore.js';
import { backupInfo, backupOutcome, finalBackup } from './backups.js';
import { pendingRestart, podReplacement, RESTART_KEY } from './restart.js';
import { CONFIG_KEY, DBOPS_KEY, PRE_UPGRADE_BACKUP_KEY, clusterMajor, upgradeCompleted, configKeyFor, configNameFor, stackgresUpgrade, type StackGresUpgrade } from './upgrade.js';
import { STACKGRES_EXPORTER_PORT_NAME, stackgresSeries } from './metrics.js';
import { stackgresOptions, type StackGresOptions } from './options.js';

const API_VERSION = 'stackgres.io/v1';
export const STACKGRES_KEYS = {
  profile: 'sg-instance-profile',
  config: CONFIG_KEY,
  dbopsMajorUpgrade: DBOPS_KEY,
  preUpgradeBackup: PRE_UPGRADE_BACKUP_KEY,
  objectStorage: 'sg-object-storage',
  cluster: 'sg-cluster',
} as const;
export const REQUIRED_BACKUPS = 'sg-backups';
export const REQUIRED_CLUSTERS = 'sg-clusters';
export const REQUIRED_STATEFULSETS = 'sg-statefulsets';
const POSTGRES_PORT = 5432;

type Json = Record<string, unknown>;

const clusterNameOf = (instance: Instance) => objectName(instance);
const clusterName = (ctx: ComposeContext) => clusterNameOf(ctx.instance);
const sourceClusterName = (ctx: ComposeContext, claimName: string) => clusterNameOf({ ...ctx.instance, claimName });

function meta(ctx: ComposeContext, name: string): KubeObject['metadata'] {
  return { name, namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) };
}

function profile(ctx: ComposeContext): KubeObject {
  const size = resolveSize(ctx.instance.parameters);
  return {
    apiVersion: API_VERSION,
    kind: 'SGInstanceProfile',
    metadata: meta(ctx, objectName(ctx.instance, 'profile')),
    spec: { cpu: size.cpu, memory: size.memory },
  };
}

/**
 * The config's name carries the major version: a major upgrade needs a config for the new version beside the old.
 * The major is the one the SGCluster runs: during an upgrade, the old one (upgrade.ts composes the new one too).
 */
function postgresConfig(ctx: ComposeContext, major: number): KubeObject {
  const p = ctx.instance.parameters;
  return {
    apiVersion: API_VERSION,
    kind: 'SGPostgresConfig',
    metadata: meta(ctx, configNameFor(ctx, major)),
    spec: {
      postgresVersion: String(major),
      // sorted: the claim's settings arrive in whatever order the API server's encoder chose
      'postgresql.conf': sortKeys({ max_connections: String(resolveSize(p).maxConnections), ...p.postgresql.settings }),
    },
  };
}

/** The major the SGCluster is composed with: the observed one while an upgrade is asked for (StackGres moves it). */
function runningMajor(ctx: ComposeContext): number {
  const observed = clusterMajor(observedCluster(ctx));
  if (observed === undefined || observed >= ctx.instance.parameters.version) return ctx.instance.parameters.version;
  // StackGres moves the SGCluster to the new major itself before it completes the SGDbOps: once that is done, compose
  // the new major too, so that a reconcile which read the SGCluster just before that move doesn't apply the old one.
  return upgradeCompleted(ctx.observed.resources[DBOPS_KEY]) ? ctx.instance.parameters.version : observed;
}

function upgrade(ctx: ComposeContext, prefix?: string): StackGresUpgrade | undefined {
  const path = at(observedCluster(ctx), 'spec', 'configurations', 'backups', '0', 'path');
  const backupsOn = ctx.instance.parameters.backup.enabled;
  return stackgresUpgrade(ctx, observedCluster(ctx), clusterName(ctx), backupsOn, typeof path === 'string' && path ? path : prefix || undefined);
}

function objectStorage(ctx: ComposeContext, target: BackupTarget): KubeObject {
  const selectors = target.credentials && {
    accessKeyId: { name: target.credentials.secretName, key: target.credentials.accessKeyId },
    secretAccessKey: { name: target.credentials.secretName, key: target.credentials.secretAccessKey },
  };
  const spec =
    target.endpoint !== undefined
      ? {
          type: 's3Compatible',
          s3Compatible: {
            bucket: target.bucket,
            endpoint: target.endpoint,
            region: target.region,
            enablePathStyleAddressing: true,
            awsCredentials: { secretKeySelectors: selectors },
          },
        }
      : {
          type: 's3',
          s3: {
            bucket: target.bucket,
            region: target.region,
            awsCredentials: selectors ? { secretKeySelectors: selectors } : { useIAMRole: true },
          },
        };
  return { apiVersion: 'stackgres.io/v1beta1', kind: 'SGObjectStorage', metadata: meta(ctx, objectName(ctx.instance, 'backups')), spec };
}

/** StackGres reads initialData only at creation; once the cluster exists, what it was created with is kept as is. */
function initialData(ctx: ComposeContext): Json | undefined {
  const observed = at(observedCluster(ctx), 'spec', 'initialData');
  if (observedCluster(ctx)) return observed as Json | undefined;
  const restore = ctx.instance.parameters.restore;
  if (!restore) return undefined;
  const choice = chooseBackup(
    backups(ctx),
    sourceClusterName(ctx, restore.fromInstance),
    restore.backupName,
    restore.pointInTime,
  );
  if (!choice.ok) return undefined;
  const fromBackup: Json = { name: choice.backup.name };
  if (restore.pointInTime) fromBackup['pointInTimeRecovery'] = { restoreToTimestamp: restore.pointInTime };
  return { restore: { fromBackup } };
}

function cluster(ctx: ComposeContext, inputs: EngineInputs): KubeObject {
  const p = ctx.instance.parameters;
  const size = resolveSize(p, autogrownDisk(ctx.observed.composite));
  const persistentVolume: Json = { size: size.disk };
  if (p.storageClass) persistentVolume['storageClass'] = p.storageClass;
  const replication: Json = { mode: p.replication.mode };
  if (p.replication.mode === 'sync') replication['syncInstances'] = 1;
  const configurations: Json = {
    sgPostgresConfig: configNameFor(ctx, runningMajor(ctx)),
    // Our own PodMonitor scrapes the exporter (monitoring.ts); StackGres' autobind would scrape it a second time.
    observability: { prometheusAutobind: false },
    credentials: {
      users: {
        superuser: {
          username: { name: inputs.superuserSecretName, key: 'username' },
          password: { name: inputs.superuserSecretName, key: 'password' },
        },
      },
    },
  };
  if (inputs.backup) {
    const backup: Json = {
      sgObjectStorage: objectName(ctx.instance, 'backups'),
      // its backup CronJob is validated by Kubernetes (robfig/cron: Sunday is 0 only)
      cronSchedule: withSundayAsZero(inputs.backup.schedule),
      retention: retainedBackups(inputs.backup),
      compression: 'lz4',
    };
    // In the platform's shared bucket each instance has its own folder; in a bucket of its own StackGres picks one.
    // After a major upgrade StackGres archives to the path the SGDbOps named: the observed path is kept.
    const observedPath = at(observedCluster(ctx), 'spec', 'configurations', 'backups', '0', 'path');
    if (typeof observedPath === 'string' && observedPath) backup['path'] = observedPath;
    else if (inputs.backup.prefix) backup['path'] = inputs.backup.prefix;
    configurations['backups'] = [backup];
  }
  const spec: Json = {
    instances: p.instances,
    // While an upgrade runs, the version StackGres runs: it rewrites it itself when the SGDbOps succeeds.
    postgres: { version: runningMajor(ctx) < p.version ? scalarText(at(observedCluster(ctx), 'spec', 'postgres', 'version')) : String(p.version), ssl: { enabled: true } },
    sgInstanceProfile: objectName(ctx.instance, 'profile'),
    // The pooler is StackGres' PgBouncer sidecar, on unless the claim turns it off.
    pods: { persistentVolume, ...(p.pooler.enabled === false ? { disableConnectionPooling: true } : {}), updateStrategy: rollout(ctx) },
    replication,
    configurations,
  };
  const initial = initialData(ctx);
  if (initial) spec['initialData'] = initial;
  // StackGres puts allResources labels on everything it creates, the StatefulSet's volumeClaimTemplates included, and
  // keeps existing PVCs' labels in step (it has no narrower field that reaches the PVCs).
  spec['metadata'] = { labels: { allResources: inputs.volumeLabels } };
  return { apiVersion: API_VERSION, kind: 'SGCluster', metadata: meta(ctx, clusterName(ctx)), spec };
}

/**
 * When StackGres may replace the pods: a minor update (the cluster asks for "17", StackGres runs the newest 17.x it
 * knows), a security update (new images after an operator upgrade) and a change that needs a restart. StackGres 1.18
 * rolls these out by itself, only inside the schedule's windows: the claim's maintenance window, or at once with
 * `updateStrategy: immediate`. With replicas, `ReducedImpact` first adds an updated replica, so the primary moves to
 * it instead of going down.
 */
function rollout(ctx: ComposeContext): Json {
  const p = ctx.instance.parameters;
  const method = podReplacement(p);
  if (p.updateStrategy === 'immediate') return { type: 'Always', method };
  const window = maintenanceWindow(ctx.instance, p);
  return { type: 'Schedule', method, schedule: [{ cron: windowCron(window), duration: `PT${WINDOW_MINUTES}M` }] };
}

/** StackGres keeps a number of base backups: enough of them to cover the retention in days at the schedule's rate. */
export function retainedBackups(target: BackupTarget): number {
  return Math.max(1, Math.ceil(target.retentionDays * runsPerDay(target.schedule)));
}

function observedCluster(ctx: ComposeContext): Json | undefined {
  return ctx.observed.resources[STACKGRES_KEYS.cluster];
}

function backups(ctx: ComposeContext) {
  return (ctx.required[REQUIRED_BACKUPS] ?? []).map(backupInfo);
}

function observe(ctx: ComposeContext): EngineObservation {
  const observed = observedCluster(ctx);
  const wanted = ctx.instance.parameters.instances;
  const last = lastSuccessfulBackup(backups(ctx), clusterName(ctx));
  const lastBackup = last ? { lastBackup: last.end } : {};
  const restore = ctx.instance.parameters.restore;
  const bootstrapping = restore ? `restoring from a backup of instance "${restore.fromInstance}"` : 'waiting for StackGres to bootstrap the cluster';
  if (!observed) return { ready: false, failed: false, instancesReady: 0, message: 'creating the SGCluster', ...lastBackup };
  const version = at(observed, 'status', 'postgresVersion');
  const base = { ...lastBackup, ...(typeof version === 'string' && version ? { version } : {}) };
  const failed = conditionOf(observed, 'Failed');
  if (failed?.['status'] === 'True') {
    const why = typeof failed['message'] === 'string' && failed['message'] ? `: ${failed['message']}` : '';
    return { ...base, ready: false, failed: true, instancesReady: 0, message: `StackGres reports the cluster failed${why}` };
  }
  if (conditionOf(observed, 'Bootstrapped')?.['status'] !== 'True') {
    return { ...base, ready: false, failed: false, instancesReady: 0, message: bootstrapping };
  }
  // status.instances counts the cluster's pods, ready or not; readiness is the StatefulSet's, which StackGres names
  // after the cluster and whose pods' readiness check is Patroni's (PostgreSQL up, replica streaming).
  const pods = at(observed, 'status', 'instances');
  const statefulSet = (ctx.required[REQUIRED_STATEFULSETS] ?? []).find((s) => at(s, 'metadata', 'name') === clusterName(ctx));
  const readyReplicas = at(statefulSet, 'status', 'readyReplicas');
  const instancesReady = Math.min(typeof readyReplicas === 'number' ? readyReplicas : 0, wanted);
  const next = upgrade(ctx);
  if (next) return { ...base, ready: false, failed: next.failed, upgrading: true, instancesReady, message: next.message };
  const restart = pendingRestart(ctx, observed, clusterName(ctx), ctx.instance.parameters);
  const maintenance = restart.pending ? { maintenancePending: restart.message } : {};
  const ready = instancesReady >= wanted;
  const running = typeof pods === 'number' ? `, ${pods} running` : '';
  return {
    ...base,
    ...maintenance,
    ready,
    failed: false,
    instancesReady,
    message: ready ? 'available' : `${instancesReady} of ${wanted} instances ready${running}`,
  };
}

/** StackGres' labels on the cluster's pods and StatefulSet. */
function podSelector(ctx: ComposeContext): Record<string, string> {
  return { app: 'StackGresCluster', 'stackgres.io/cluster-name': clusterName(ctx) };
}

function requirements(ctx: ComposeContext): Record<string, RequiredSelector> {
  const p = ctx.instance.parameters;
  const namespace = ctx.instance.namespace;
  const out: Record<string, RequiredSelector> = {};
  if (p.backup.enabled || p.restore) out[REQUIRED_BACKUPS] = { apiVersion: API_VERSION, kind: 'SGBackup', namespace };
  if (p.restore && !observedCluster(ctx)) out[REQUIRED_CLUSTERS] = { apiVersion: API_VERSION, kind: 'SGCluster', namespace };
  if (observedCluster(ctx)) out[REQUIRED_STATEFULSETS] = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace, matchLabels: podSelector(ctx) };
  return out;
}

/** A restore decides the cluster's initial data, so the cluster waits until its source and backups were read. */
function restoreUnresolved(ctx: ComposeContext): boolean {
  return (
    ctx.instance.parameters.restore !== undefined &&
    !observedCluster(ctx) &&
    (ctx.required[REQUIRED_CLUSTERS] === undefined || ctx.required[REQUIRED_BACKUPS] === undefined)
  );
}

function restoreProblems(ctx: ComposeContext): FieldError[] {
  const restore = ctx.instance.parameters.restore;
  if (!restore || observedCluster(ctx) || restoreUnresolved(ctx)) return [];
  const path = 'spec.parameters.restore';
  if (restore.fromInstance === ctx.instance.claimName) {
    return [{ path: `${path}.fromInstance`, message: 'an instance can not be restored from itself' }];
  }
  const source = sourceClusterName(ctx, restore.fromInstance);
  // A deleted instance's final backup (backup.finalBackupOnDelete) is an SGBackup like any: it carries where its
  // files are, so it restores without its cluster.
  const gone = !(ctx.required[REQUIRED_CLUSTERS] ?? []).some((c) => at(c, 'metadata', 'name') === source);
  if (gone && !(ctx.required[REQUIRED_BACKUPS] ?? []).some((b) => isFinalBackup(b, restore.fromInstance))) return [noRestoreSource(ctx, restore.fromInstance)];
  const choice = chooseBackup(backups(ctx), source, restore.backupName, restore.pointInTime);
  if (choice.ok) return [];
  const field = restore.backupName ? 'backupName' : restore.pointInTime ? 'pointInTime' : 'fromInstance';
  return [{ path: `${path}.${field}`, message: choice.message }];
}

/** What the observed SGCluster was made from (its initialData), for the shared restore-transition check. */
function restoreOrigin(ctx: ComposeContext, observed: Json): RestoreOrigin {
  const fromBackup = at(observed, 'spec', 'initialData', 'restore', 'fromBackup');
  if (!fromBackup) return { restored: false, made: 'the instance was not created from a backup' };
  const restore = ctx.instance.parameters.restore;
  const backupName = scalarText(at(fromBackup, 'name'));
  const source = backups(ctx).find((b) => b.name === backupName);
  const pointInTime = scalarText(at(fromBackup, 'pointInTimeRecovery', 'restoreToTimestamp'));
  return {
    restored: true,
    made: `the instance was created from backup "${backupName}"`,
    ...(source && restore ? { sameSource: source.cluster === sourceClusterName(ctx, restore.fromInstance) } : {}),
    sameBackup: restore?.backupName === backupName,
    ...(pointInTime !== '' ? { pointInTime } : {}),
  };
}

/** Things StackGres can't do in place: shrink a volume, or jump a major version by editing the cluster. */
function refusedChanges(ctx: ComposeContext): FieldError[] {
  const observed = observedCluster(ctx);
  if (!observed) return restoreProblems(ctx);
  const p = ctx.instance.parameters;
  const version = at(observed, 'spec', 'postgres', 'version');
  const major = typeof version === 'string' ? Number.parseInt(version, 10) : NaN;
  return [
    ...refusedStorageChanges(p, {
      disk: at(observed, 'spec', 'pods', 'persistentVolume', 'size'),
      storageClass: at(observed, 'spec', 'pods', 'persistentVolume', 'storageClass'),
      major: Number.isInteger(major) ? major : undefined,
    }, { upgradesMajorInPlace: true }, autogrownDisk(ctx.observed.composite)),
    ...restoreChanges(p.restore, restoreOrigin(ctx, observed)),
  ];
}

export const stackgres: DatabaseEngine<StackGresOptions> = {
  name: 'stackgres',
  autogrowsVolumes: true,
  finalBackup: {
    // The backup Job reads where to write from the SGObjectStorage.
    held: [STACKGRES_KEYS.cluster, STACKGRES_KEYS.objectStorage],
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    backup: (ctx, _target, name) => finalBackup(ctx, name, clusterName(ctx)),
    outcome: backupOutcome,
  },
  platformOptions: stackgresOptions,
  // Room for the suffixes StackGres adds to the cluster name (e.g. `-replicas`, `-backup-1234567890`).
  maxBaseName: 40,
  databaseKey: STACKGRES_KEYS.cluster,
  clientPorts: [POSTGRES_PORT, 6432],
  metricsPorts: [9187],
  // The operator and Patroni's agents use several ports (Patroni's REST API, the controller); all of them stay open.
  operatorPorts: [],
  platformDatabaseLogins: [],
  metricsPortName: STACKGRES_EXPORTER_PORT_NAME,
  blockedSettings: [],
  monitoredSeries: stackgresSeries,
  endpoint: (ctx) => ({
    host: `${clusterName(ctx)}.${ctx.instance.namespace}.svc.${ctx.platform.clusterDomain}`,
    port: POSTGRES_PORT,
  }),
  // The PgBouncer sidecar sits behind the same Service and port: there is no other endpoint to point at.
  poolerEndpoint: () => undefined,
  operatorNamespace: (ctx) => ctx.platform.engines.stackgres.operatorNamespace,
  requirements,
  refusedChanges,
  compose(ctx, inputs, observation): ComposedSet {
    const running = runningMajor(ctx);
    const configKey = configKeyFor(ctx, running);
    const out: ComposedSet = {
      [STACKGRES_KEYS.profile]: { object: profile(ctx), ready: observedExists(ctx, STACKGRES_KEYS.profile) },
      [configKey]: { object: postgresConfig(ctx, running), ready: observedExists(ctx, configKey) },
    };
    const next = upgrade(ctx, inputs.backup?.prefix);
    if (next) {
      const key = configKeyFor(ctx, next.to);
      out[key] = { object: postgresConfig(ctx, next.to), ready: observedExists(ctx, key) };
      if (next.backup) out[PRE_UPGRADE_BACKUP_KEY] = { object: next.backup, ready: next.backupReady };
      if (next.dbops) out[DBOPS_KEY] = { object: next.dbops, ready: false };
    } else {
      // Not during a major upgrade: that restarts everything anyway, and StackGres runs one operation at a time.
      const restart = pendingRestart(ctx, observedCluster(ctx), clusterName(ctx), ctx.instance.parameters);
      if (restart.dbops) out[RESTART_KEY] = { object: restart.dbops, ready: true };
    }
    // Omitting a cluster that doesn't exist yet deletes nothing; creating it without its restore would be wrong.
    if (!restoreUnresolved(ctx)) out[STACKGRES_KEYS.cluster] = { object: cluster(ctx, inputs), ready: observation.ready };
    if (inputs.backup) {
      out[STACKGRES_KEYS.objectStorage] = { object: objectStorage(ctx, inputs.backup), ready: observedExists(ctx, STACKGRES_KEYS.objectStorage) };
    }
    return out;
  },
  observe,
  podSelector,
};
