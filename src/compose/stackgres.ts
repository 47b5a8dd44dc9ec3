/**
 * The StackGres engine: SGInstanceProfile (cpu, memory), SGPostgresConfig (postgresql.conf), SGObjectStorage (the
 * backup bucket) and SGCluster (version, instances, disk, replication, superuser credentials from our Secret, backup
 * schedule and retention, restore from another instance's backup, Prometheus autobind).
 */
import type { FieldError } from '../api/errors.js';
import type { Instance } from '../api/parse.js';
import { sortKeys } from '../util/canonical.js';
import { bytes } from '../util/quantity.js';
import type { BackupTarget } from './backup.js';
import type { DatabaseEngine, EngineInputs, EngineObservation } from './engine.js';
import { commonLabels } from './labels.js';
import { objectName } from './names.js';
import { observedExists } from './readiness.js';
import { backupInfo, chooseBackup, lastSuccessfulBackup } from './restore.js';
import { resolveSize } from './size.js';
import { STACKGRES_EXPORTER_PORT_NAME, stackgresSeries } from './stackgres-metrics.js';
import type { ComposeContext, ComposedSet, KubeObject, RequiredSelector } from './types.js';

const API_VERSION = 'stackgres.io/v1';
export const STACKGRES_KEYS = {
  profile: 'sg-instance-profile',
  config: 'sg-postgres-config',
  objectStorage: 'sg-object-storage',
  cluster: 'sg-cluster',
} as const;
export const REQUIRED_BACKUPS = 'sg-backups';
export const REQUIRED_CLUSTERS = 'sg-clusters';
const POSTGRES_PORT = 5432;

type Json = Record<string, unknown>;
const at = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), o);

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

/** The config's name carries the major version: a major upgrade needs a config for the new version beside the old. */
function configName(ctx: ComposeContext): string {
  return objectName(ctx.instance, `pg${ctx.instance.parameters.version}`);
}

function postgresConfig(ctx: ComposeContext): KubeObject {
  const p = ctx.instance.parameters;
  return {
    apiVersion: API_VERSION,
    kind: 'SGPostgresConfig',
    metadata: meta(ctx, configName(ctx)),
    spec: {
      postgresVersion: String(p.version),
      // sorted: the claim's settings arrive in whatever order the API server's encoder chose
      'postgresql.conf': sortKeys({ max_connections: String(resolveSize(p).maxConnections), ...p.postgresql.settings }),
    },
  };
}

function objectStorage(ctx: ComposeContext, target: BackupTarget): KubeObject {
  const selectors = target.credentials && {
    accessKeyId: { name: target.credentials.secretName, key: target.credentials.accessKeyId },
    secretAccessKey: { name: target.credentials.secretName, key: target.credentials.secretAccessKey },
  };
  const spec =
    target.storage === 'minio'
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
  const size = resolveSize(p);
  const persistentVolume: Json = { size: size.disk };
  if (p.storageClass) persistentVolume['storageClass'] = p.storageClass;
  const replication: Json = { mode: p.replication.mode };
  if (p.replication.mode === 'sync') replication['syncInstances'] = 1;
  const configurations: Json = {
    sgPostgresConfig: configName(ctx),
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
    configurations['backups'] = [
      {
        sgObjectStorage: objectName(ctx.instance, 'backups'),
        cronSchedule: inputs.backup.schedule,
        retention: inputs.backup.retainedBackups,
        compression: 'lz4',
      },
    ];
  }
  const spec: Json = {
    instances: p.instances,
    postgres: { version: String(p.version), ssl: { enabled: true } },
    sgInstanceProfile: objectName(ctx.instance, 'profile'),
    pods: { persistentVolume },
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

function observedCluster(ctx: ComposeContext): Json | undefined {
  return ctx.observed.resources[STACKGRES_KEYS.cluster];
}

function backups(ctx: ComposeContext) {
  return (ctx.required[REQUIRED_BACKUPS] ?? []).map(backupInfo);
}

function condition(cluster: Json | undefined, type: string): Json | undefined {
  const conditions = at(cluster, 'status', 'conditions');
  return Array.isArray(conditions) ? (conditions as Json[]).find((c) => c['type'] === type) : undefined;
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
  const failed = condition(observed, 'Failed');
  if (failed?.['status'] === 'True') {
    const why = typeof failed['message'] === 'string' && failed['message'] ? `: ${failed['message']}` : '';
    return { ...base, ready: false, failed: true, instancesReady: 0, message: `StackGres reports the cluster failed${why}` };
  }
  if (condition(observed, 'Bootstrapped')?.['status'] !== 'True') {
    return { ...base, ready: false, failed: false, instancesReady: 0, message: bootstrapping };
  }
  const running = at(observed, 'status', 'instances');
  const instancesReady = Math.min(typeof running === 'number' ? running : 0, wanted);
  const ready = instancesReady >= wanted;
  return {
    ...base,
    ready,
    failed: false,
    instancesReady,
    message: ready ? 'available' : `${instancesReady} of ${wanted} instances running`,
  };
}

function requirements(ctx: ComposeContext): Record<string, RequiredSelector> {
  const p = ctx.instance.parameters;
  const namespace = ctx.instance.namespace;
  const out: Record<string, RequiredSelector> = {};
  if (p.backup.enabled || p.restore) out[REQUIRED_BACKUPS] = { apiVersion: API_VERSION, kind: 'SGBackup', namespace };
  if (p.restore && !observedCluster(ctx)) out[REQUIRED_CLUSTERS] = { apiVersion: API_VERSION, kind: 'SGCluster', namespace };
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
  if (!(ctx.required[REQUIRED_CLUSTERS] ?? []).some((c) => at(c, 'metadata', 'name') === source)) {
    return [{ path: `${path}.fromInstance`, message: `there is no instance "${restore.fromInstance}" in namespace ${ctx.instance.namespace}` }];
  }
  const choice = chooseBackup(backups(ctx), source, restore.backupName, restore.pointInTime);
  if (choice.ok) return [];
  const field = restore.backupName ? 'backupName' : restore.pointInTime ? 'pointInTime' : 'fromInstance';
  return [{ path: `${path}.${field}`, message: choice.message }];
}

/** Things StackGres can't do in place: shrink a volume, or jump a major version by editing the cluster. */
function refusedChanges(ctx: ComposeContext): FieldError[] {
  const observed = observedCluster(ctx);
  if (!observed) return restoreProblems(ctx);
  const p = ctx.instance.parameters;
  const errors: FieldError[] = [];
  const current = at(observed, 'spec', 'pods', 'persistentVolume', 'size');
  const wanted = resolveSize(p).disk;
  if (typeof current === 'string' && (bytes(wanted) ?? 0) < (bytes(current) ?? 0)) {
    errors.push({
      path: p.size.disk ? 'spec.parameters.size.disk' : 'spec.parameters.size.plan',
      message: `the disk can grow but not shrink: it is ${current}, the claim asks for ${wanted}`,
    });
  }
  const currentVersion = at(observed, 'spec', 'postgres', 'version');
  const currentMajor = typeof currentVersion === 'string' ? Number.parseInt(currentVersion, 10) : NaN;
  if (Number.isInteger(currentMajor) && currentMajor !== p.version) {
    errors.push({
      path: 'spec.parameters.version',
      message: `the cluster runs PostgreSQL ${currentMajor}; changing the major version to ${p.version} in place is not supported yet`,
    });
  }
  return errors;
}

export const stackgres: DatabaseEngine = {
  databaseKey: STACKGRES_KEYS.cluster,
  clientPorts: [POSTGRES_PORT, 6432],
  metricsPort: 9187,
  metricsPortName: STACKGRES_EXPORTER_PORT_NAME,
  monitoredSeries: stackgresSeries,
  endpoint: (ctx) => ({
    host: `${clusterName(ctx)}.${ctx.instance.namespace}.svc.${ctx.platform.clusterDomain}`,
    port: POSTGRES_PORT,
  }),
  requirements,
  refusedChanges,
  compose(ctx, inputs): ComposedSet {
    const out: ComposedSet = {
      [STACKGRES_KEYS.profile]: { object: profile(ctx), ready: observedExists(ctx, STACKGRES_KEYS.profile) },
      [STACKGRES_KEYS.config]: { object: postgresConfig(ctx), ready: observedExists(ctx, STACKGRES_KEYS.config) },
    };
    // Omitting a cluster that doesn't exist yet deletes nothing; creating it without its restore would be wrong.
    if (!restoreUnresolved(ctx)) out[STACKGRES_KEYS.cluster] = { object: cluster(ctx, inputs), ready: observe(ctx).ready };
    if (inputs.backup) {
      out[STACKGRES_KEYS.objectStorage] = { object: objectStorage(ctx, inputs.backup), ready: observedExists(ctx, STACKGRES_KEYS.objectStorage) };
    }
    return out;
  },
  observe,
  podSelector: (ctx) => ({ app: 'StackGresCluster', 'stackgres.io/cluster-name': clusterName(ctx) }),
};
