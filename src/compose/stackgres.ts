/**
 * The StackGres engine: SGInstanceProfile (cpu, memory), SGPostgresConfig (postgresql.conf) and SGCluster (version,
 * instances, disk, replication, superuser credentials from our Secret, Prometheus autobind).
 */
import type { FieldError } from '../api/errors.js';
import { bytes } from '../util/quantity.js';
import type { DatabaseEngine, EngineObservation } from './engine.js';
import { commonLabels } from './labels.js';
import { objectName } from './names.js';
import { resolveSize } from './size.js';
import type { ComposeContext, ComposedSet, KubeObject } from './types.js';

const API_VERSION = 'stackgres.io/v1';
export const STACKGRES_KEYS = {
  profile: 'sg-instance-profile',
  config: 'sg-postgres-config',
  cluster: 'sg-cluster',
} as const;
const POSTGRES_PORT = 5432;

type Json = Record<string, unknown>;
const at = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), o);

function clusterName(ctx: ComposeContext): string {
  return objectName(ctx.instance);
}

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
      'postgresql.conf': { max_connections: String(resolveSize(p).maxConnections), ...p.postgresql.settings },
    },
  };
}

function cluster(ctx: ComposeContext, superuserSecretName: string): KubeObject {
  const p = ctx.instance.parameters;
  const size = resolveSize(p);
  const persistentVolume: Json = { size: size.disk };
  if (p.storageClass) persistentVolume['storageClass'] = p.storageClass;
  const replication: Json = { mode: p.replication.mode };
  if (p.replication.mode === 'sync') replication['syncInstances'] = 1;
  return {
    apiVersion: API_VERSION,
    kind: 'SGCluster',
    metadata: meta(ctx, clusterName(ctx)),
    spec: {
      instances: p.instances,
      postgres: { version: String(p.version), ssl: { enabled: true } },
      sgInstanceProfile: objectName(ctx.instance, 'profile'),
      pods: { persistentVolume },
      replication,
      configurations: {
        sgPostgresConfig: configName(ctx),
        observability: { prometheusAutobind: p.monitoring.enabled },
        credentials: {
          users: {
            superuser: {
              username: { name: superuserSecretName, key: 'username' },
              password: { name: superuserSecretName, key: 'password' },
            },
          },
        },
      },
    },
  };
}

function observedCluster(ctx: ComposeContext): Json | undefined {
  return ctx.observed.resources[STACKGRES_KEYS.cluster];
}

function condition(cluster: Json | undefined, type: string): Json | undefined {
  const conditions = at(cluster, 'status', 'conditions');
  return Array.isArray(conditions) ? (conditions as Json[]).find((c) => c['type'] === type) : undefined;
}

function observe(ctx: ComposeContext): EngineObservation {
  const observed = observedCluster(ctx);
  const wanted = ctx.instance.parameters.instances;
  if (!observed) return { exists: false, ready: false, failed: false, instancesReady: 0, message: 'creating the SGCluster' };
  const version = at(observed, 'status', 'postgresVersion');
  const base = { exists: true, ...(typeof version === 'string' && version ? { version } : {}) };
  const failed = condition(observed, 'Failed');
  if (failed?.['status'] === 'True') {
    const why = typeof failed['message'] === 'string' && failed['message'] ? `: ${failed['message']}` : '';
    return { ...base, ready: false, failed: true, instancesReady: 0, message: `StackGres reports the cluster failed${why}` };
  }
  if (condition(observed, 'Bootstrapped')?.['status'] !== 'True') {
    return { ...base, ready: false, failed: false, instancesReady: 0, message: 'waiting for StackGres to bootstrap the cluster' };
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

/** Things StackGres can't do in place: shrink a volume, or jump a major version by editing the cluster. */
function refusedChanges(ctx: ComposeContext): FieldError[] {
  const observed = observedCluster(ctx);
  if (!observed) return [];
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
  endpoint: (ctx) => ({
    host: `${clusterName(ctx)}.${ctx.instance.namespace}.svc.${ctx.platform.clusterDomain}`,
    port: POSTGRES_PORT,
  }),
  refusedChanges,
  compose(ctx, superuserSecretName): ComposedSet {
    const exists = (key: string) => ctx.observed.resources[key] !== undefined;
    return {
      [STACKGRES_KEYS.profile]: { object: profile(ctx), ready: exists(STACKGRES_KEYS.profile) },
      [STACKGRES_KEYS.config]: { object: postgresConfig(ctx), ready: exists(STACKGRES_KEYS.config) },
      [STACKGRES_KEYS.cluster]: { object: cluster(ctx, superuserSecretName), ready: observe(ctx).ready },
    };
  },
  observe,
  podSelector: (ctx) => ({ app: 'StackGresCluster', 'stackgres.io/cluster-name': clusterName(ctx) }),
};
