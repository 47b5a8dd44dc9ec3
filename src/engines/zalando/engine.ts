/**
 * Zalando's postgres-operator: one `postgresql` manifest (acid.zalan.do/v1) per instance — team, instances, volume,
 * resources, version and parameters, Patroni's synchronous mode, the operator's PgBouncer pooler when asked for,
 * WAL-G backups and clone/PITR restore through Spilo's environment, a postgres_exporter sidecar — and the operator's
 * superuser Secret written beforehand with our password, which the operator adopts instead of making its own.
 *
 * Users and databases stay provider-sql's, as on every engine, rather than the manifest's `users`/`databases`: the
 * operator would make each user's password itself (in Secrets named its way), can't grant readOnly/readWrite per
 * database, and never drops what a manifest stops listing; provider-sql gives the same roles, grants and connection
 * Secrets on every engine, so switching engines doesn't change what an application reads.
 */
import type { BlockedSetting } from '../../api/blocked-settings.js';
import type { FieldError } from '../../api/errors.js';
import { refusedStorageChanges } from '../../compose/changes.js';
import { secretObject } from '../../compose/connection.js';
import { SUPERUSER } from '../../compose/credentials.js';
import { maintenanceWindow, WINDOW_MINUTES } from '../../compose/maintenance.js';
import { objectName } from '../../compose/names.js';
import { WEEKDAYS } from '../../api/weekdays.js';
import { observedExists } from '../../compose/readiness.js';
import { restoreChanges, type RestoreOrigin } from '../../compose/restore.js';
import { resolveSize } from '../../compose/size.js';
import type { ComposeContext, ComposedSet, KubeObject, RequiredSelector } from '../../compose/types.js';
import { commonLabels } from '../../compose/labels.js';
import { sortKeys } from '../../util/canonical.js';
import type { DatabaseEngine, EngineInputs, EngineObservation } from '../engine.js';
import { backupEnv, type EnvVar } from './backup.js';
import { EXPORTER_PORT, EXPORTER_PORT_NAME, zalandoSeries } from './metrics.js';
import { zalandoOptions, type ZalandoOptions } from './options.js';
import { API_VERSION, KIND, REQUIRED_CLUSTERS, clone, restoreProblems } from './restore.js';
import { at, scalarText } from '../../util/observed.js';

type Json = Record<string, unknown>;

export const ZALANDO_KEYS = {
  cluster: 'zalando-postgresql',
  superuserSecret: 'zalando-superuser-secret',
} as const;
const POSTGRES_PORT = 5432;
/** Patroni's REST API, which the operator calls on every pod (switchovers, configuration, member status). */
const PATRONI_PORT = 8008;

const options = (ctx: ComposeContext): ZalandoOptions => ctx.platform.engines.zalando;
const clusterName = (ctx: ComposeContext): string => objectName(ctx.instance);
/** An existing cluster keeps the team it was made with: the operator doesn't move a cluster between teams. */
const teamId = (ctx: ComposeContext): string => {
  const made = ctx.observed.resources[ZALANDO_KEYS.cluster]?.['spec'] as { teamId?: unknown } | undefined;
  return typeof made?.teamId === 'string' && made.teamId !== '' ? made.teamId : (options(ctx).teamId ?? ctx.instance.namespace);
};
const poolerWanted = (ctx: ComposeContext): boolean => ctx.instance.parameters.pooler.enabled === true;
const observedCluster = (ctx: ComposeContext): Json | undefined => ctx.observed.resources[ZALANDO_KEYS.cluster];

/** The operator's name for a role's Secret (`secret_name_template`'s default). */
export const operatorSecretName = (user: string, cluster: string): string => `${user}.${cluster}.credentials.postgresql.acid.zalan.do`;

/** Labels the operator puts on what it makes for a cluster (`cluster_labels` and `cluster_name_label` defaults). */
const operatorLabels = (ctx: ComposeContext): Record<string, string> => ({
  application: 'spilo',
  'cluster-name': clusterName(ctx),
  team: teamId(ctx),
});

/** What Patroni or Spilo set themselves, beyond the settings every engine manages. */
const BLOCKED: readonly BlockedSetting[] = [
  ...['cluster_name', 'wal_log_hints', 'track_commit_timestamp', 'max_prepared_transactions', 'max_locks_per_transaction', 'max_worker_processes'].map(
    (name) => ({ name, reason: 'Patroni keeps it the same on every member of the cluster' }),
  ),
  { name: 'log_destination', reason: 'Spilo writes the logs as CSV files it rotates itself' },
  { name: 'logging_collector', reason: 'Spilo writes the logs as CSV files it rotates itself' },
  { name: 'log_directory', reason: 'Spilo writes the logs as CSV files it rotates itself' },
];

function exporter(ctx: ComposeContext, superuserSecret: string): Json {
  return {
    name: 'exporter',
    image: options(ctx).exporterImage,
    ports: [{ name: EXPORTER_PORT_NAME, containerPort: EXPORTER_PORT, protocol: 'TCP' }],
    env: [
      { name: 'DATA_SOURCE_URI', value: `localhost:${POSTGRES_PORT}/postgres?sslmode=require` },
      { name: 'DATA_SOURCE_USER', value: SUPERUSER },
      { name: 'DATA_SOURCE_PASS', valueFrom: { secretKeyRef: { name: superuserSecret, key: 'password' } } },
    ],
  };
}

function manifest(ctx: ComposeContext, inputs: EngineInputs): KubeObject {
  const p = ctx.instance.parameters;
  const size = resolveSize(p);
  const resources = { cpu: size.cpu, memory: size.memory };
  const spec: Json = {
    teamId: teamId(ctx),
    numberOfInstances: p.instances,
    volume: { size: size.disk, ...(p.storageClass ? { storageClass: p.storageClass } : {}) },
    resources: { requests: resources, limits: resources },
    postgresql: {
      version: String(p.version),
      // sorted: the claim's settings arrive in whatever order the API server's encoder chose
      parameters: sortKeys({ max_connections: String(size.maxConnections), ...p.postgresql.settings }),
    },
  };
  const windows = zalandoWindows(ctx);
  if (windows) spec['maintenanceWindows'] = windows;
  // Patroni's strict mode stops writes rather than go on without a synchronous standby (no data loss on failover).
  if (p.replication.mode === 'sync') spec['patroni'] = { synchronous_mode: true, synchronous_mode_strict: true };
  if (poolerWanted(ctx)) {
    spec['enableConnectionPooler'] = true;
    // Session pooling keeps every client feature working; two PgBouncers once the database has a standby.
    spec['connectionPooler'] = { mode: 'session', numberOfInstances: p.instances > 1 ? 2 : 1 };
  }
  const env: EnvVar[] = inputs.backup ? backupEnv(ctx, inputs.backup) : [];
  const existing = observedCluster(ctx);
  // The clone is read only when the cluster is made; afterwards it stays what it was made with.
  const made = existing ? at(existing, 'spec', 'clone') : undefined;
  const restore = existing ? undefined : clone(ctx);
  if (made !== undefined) {
    spec['clone'] = made;
    const env0 = at(existing, 'spec', 'env');
    if (Array.isArray(env0)) env.push(...(env0 as EnvVar[]).filter((e) => e.name.startsWith('CLONE_')));
  } else if (restore) {
    spec['clone'] = restore.clone;
    env.push(...restore.env);
  }
  if (env.length > 0) spec['env'] = [...env].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (p.monitoring.enabled) spec['sidecars'] = [exporter(ctx, inputs.superuserSecretName)];
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: clusterName(ctx), namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
    spec,
  };
}

/**
 * The maintenance window in the operator's notation ("Sun:02:30-03:30", UTC). The operator reads a window as one day's
 * start and end and refuses one whose end comes before its start, so an hour across midnight is written as two.
 * With `updateStrategy: immediate` there is none: the operator then runs its maintenance (the major upgrade, moving
 * the primary off a node) whenever it is due.
 */
export function zalandoWindows(ctx: ComposeContext): string[] | undefined {
  const p = ctx.instance.parameters;
  if (p.updateStrategy === 'immediate') return undefined;
  const w = maintenanceWindow(ctx.instance, p);
  const day = WEEKDAYS.indexOf(w.dayOfWeek);
  const name = (i: number) => WEEKDAYS[i % 7]!.slice(0, 1).toUpperCase() + WEEKDAYS[i % 7]!.slice(1, 3);
  const [h, m] = w.timeOfDay.split(':').map(Number) as [number, number];
  const end = h * 60 + m + WINDOW_MINUTES;
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  if (end < 24 * 60) return [`${name(day)}:${w.timeOfDay}-${hhmm(end)}`];
  return [`${name(day)}:${w.timeOfDay}-23:59`, `${name(day + 1)}:00:00-${hhmm(end - 24 * 60)}`];
}

const UPGRADE_FAILURE_ANNOTATION = 'last-major-upgrade-failure';

/** Operator states (PostgresClusterStatus) that need a person: the operator stopped trying or the manifest is bad. */
const FAILED = /failed|invalid/i;

function observe(ctx: ComposeContext): EngineObservation {
  const observed = observedCluster(ctx);
  const wanted = ctx.instance.parameters.instances;
  if (!observed) return { ready: false, failed: false, instancesReady: 0, message: 'creating the postgresql manifest' };
  const state = at(observed, 'status', 'PostgresClusterStatus');
  const phase = typeof state === 'string' && state !== '' ? state : undefined;
  // The operator marks a failed major upgrade with this annotation and won't try again while it is there; the cluster
  // keeps running the old major meanwhile (pkg/cluster/majorversionupgrade.go).
  const failedAt = at(observed, 'metadata', 'annotations', UPGRADE_FAILURE_ANNOTATION);
  const upgradeFailed = typeof failedAt === 'string' && failedAt !== ''
    ? { upgradeFailed: `${scalarText(at(observed, 'spec', 'postgresql', 'version'))}: the postgres-operator's major upgrade failed at ${failedAt}; it retries once the annotation ${UPGRADE_FAILURE_ANNOTATION} is removed from the postgresql manifest` }
    : {};
  const base = { ...(phase ? { phase } : {}), ...upgradeFailed };
  if (phase && FAILED.test(phase)) {
    return { ...base, ready: false, failed: true, instancesReady: 0, message: `the postgres-operator reports ${phase}` };
  }
  // The operator writes Running once every pod of the StatefulSet runs and the roles are synced; its status has no
  // count of ready members, so Running stands for all of them.
  if (phase === 'Running') return { ...base, ready: true, failed: false, instancesReady: wanted, message: 'available' };
  const restore = ctx.instance.parameters.restore;
  const what = restore ? `cloning instance "${restore.fromInstance}"` : 'waiting for the postgres-operator to create the cluster';
  return { ...base, ready: false, failed: false, instancesReady: 0, message: phase ? `${what} (${phase})` : what };
}

function requirements(ctx: ComposeContext): Record<string, RequiredSelector> {
  if (!ctx.instance.parameters.restore || observedCluster(ctx)) return {};
  return { [REQUIRED_CLUSTERS]: { apiVersion: API_VERSION, kind: KIND, namespace: ctx.instance.namespace } };
}

function restoreUnresolved(ctx: ComposeContext): boolean {
  return ctx.instance.parameters.restore !== undefined && !observedCluster(ctx) && ctx.required[REQUIRED_CLUSTERS] === undefined;
}

function restoreOrigin(ctx: ComposeContext, observed: Json): RestoreOrigin {
  const made = at(observed, 'spec', 'clone') as Json | undefined;
  if (!made) return { restored: false, made: 'the instance was not cloned from another' };
  const restore = ctx.instance.parameters.restore;
  const cluster = made['cluster'];
  const timestamp = made['timestamp'];
  return {
    restored: true,
    made: `the instance was cloned from "${String(cluster)}"`,
    ...(restore ? { sameSource: objectName({ ...ctx.instance, claimName: restore.fromInstance }) === cluster } : {}),
    ...(restore?.backupName ? { sameBackup: false } : {}),
    ...(typeof timestamp === 'string' ? { pointInTime: timestamp } : {}),
  };
}

function refusedChanges(ctx: ComposeContext): FieldError[] {
  const observed = observedCluster(ctx);
  if (!observed) return restoreUnresolved(ctx) ? [] : restoreProblems(ctx);
  const p = ctx.instance.parameters;
  const major = Number(at(observed, 'spec', 'postgresql', 'version'));
  return [
    ...refusedStorageChanges(p, {
      disk: at(observed, 'spec', 'volume', 'size'),
      storageClass: at(observed, 'spec', 'volume', 'storageClass'),
      major: Number.isInteger(major) ? major : undefined,
    }, { upgradesMajorInPlace: options(ctx).majorUpgrades }),
    ...restoreChanges(p.restore, restoreOrigin(ctx, observed)),
  ];
}

export const zalando: DatabaseEngine<ZalandoOptions> = {
  name: 'zalando',
  platformOptions: zalandoOptions,
  // The operator's longest own name is the logical backup CronJob, `logical-backup-<cluster>`, and CronJob names stop
  // at 52 characters.
  maxBaseName: 37,
  databaseKey: ZALANDO_KEYS.cluster,
  clientPorts: [POSTGRES_PORT],
  metricsPorts: [EXPORTER_PORT],
  operatorPorts: [POSTGRES_PORT, PATRONI_PORT],
  platformDatabaseLogins: [],
  metricsPortName: EXPORTER_PORT_NAME,
  blockedSettings: BLOCKED,
  monitoredSeries: zalandoSeries,
  // The master Service carries the cluster's name; replicas are `<cluster>-repl`.
  endpoint: (ctx) => ({ host: `${clusterName(ctx)}.${ctx.instance.namespace}.svc.${ctx.platform.clusterDomain}`, port: POSTGRES_PORT }),
  poolerEndpoint: (ctx) =>
    poolerWanted(ctx) ? { host: `${clusterName(ctx)}-pooler.${ctx.instance.namespace}.svc.${ctx.platform.clusterDomain}`, port: POSTGRES_PORT } : undefined,
  requirements,
  refusedChanges,
  compose(ctx, inputs): ComposedSet {
    const out: ComposedSet = {};
    // The operator reads a Secret that exists under its name instead of making a password (pkg/cluster/sync.go,
    // syncSecrets), so it is written before the manifest, with the password of our superuser Secret.
    const secret = secretObject(ctx.instance, operatorSecretName(SUPERUSER, clusterName(ctx)), { username: SUPERUSER, password: inputs.superuserPassword }, operatorLabels(ctx));
    out[ZALANDO_KEYS.superuserSecret] = { object: secret, ready: observedExists(ctx, ZALANDO_KEYS.superuserSecret) };
    if (!restoreUnresolved(ctx)) out[ZALANDO_KEYS.cluster] = { object: manifest(ctx, inputs), ready: observe(ctx).ready };
    return out;
  },
  observe,
  // Spilo pods and the pooler's PgBouncer pods alike carry `cluster-name` (the operator's cluster_name_label).
  podSelector: (ctx) => ({ 'cluster-name': clusterName(ctx) }),
  operatorNamespace: (ctx) => options(ctx).operatorNamespace,
};
