/**
 * Scalingo for PostgreSQL (Dedicated Resources) through our provider-scalingo: one `Database`
 * (scalingo.dbaas.dev/v1alpha1) in the claim's namespace, with the Scalingo plan the platform's table gives for the
 * claim's size plan and node count, and firewall rules from `network.allowedCIDRs` plus the platform's cluster egress
 * ranges. Scalingo chooses the major (its API takes none): the claim's `version` must be the one the platform says
 * Scalingo creates, and afterwards the one the provider read back.
 *
 * Scalingo makes the administrator and its password itself: the provider writes them into the Secret named by
 * `writeConnectionSecretToRef`, in exactly the keys provider-sql's ProviderConfig reads, so provider-sql logs in with
 * that Secret (`adminSecret`) and no superuser password of ours exists. Users, databases and grants then go through
 * provider-sql as on every engine; the application's connection Secret is ours (its own role and password), with the
 * host and port Scalingo reports in the Database's `status.atProvider`.
 *
 * Nothing runs in the cluster: no NetworkPolicy (the firewall does that job), no PodMonitor (Scalingo's dashboard has
 * the metrics), no bucket (backups are Scalingo's own, daily, kept as long as the service class says). What Scalingo
 * or the provider can't honour is refused, naming the field (`unsupported`).
 */
import type { FieldError } from '../../api/errors.js';
import { refusedStorageChanges } from '../../compose/changes.js';
import { commonLabels } from '../../compose/labels.js';
import { fitName, objectName } from '../../compose/names.js';
import { managedResourceReady } from '../../compose/readiness.js';
import type { ComposeContext, ComposedSet, KubeObject } from '../../compose/types.js';
import { at, conditionOf, scalarText } from '../../util/observed.js';
import type { DatabaseEngine, EngineObservation } from '../engine.js';
import { SERVICE_CLASSES, scalingoOptions, type ScalingoOptions, type ServiceClass } from './options.js';

type Json = Record<string, unknown>;

export const SCALINGO_KEYS = { database: 'scalingo-database' } as const;
export const SCALINGO_API_VERSION = 'scalingo.dbaas.dev/v1alpha1';
const POSTGRES_PORT = 5432;
/** provider-scalingo's name rule for a database on Scalingo: `^[a-z][a-z0-9-]{2,47}$`. */
export const MAX_SCALINGO_NAME = 48;
/** How long Scalingo keeps the daily backups of each class, in days ("one month" for Starter, a year above). */
export const RETENTION_DAYS: Record<ServiceClass, number> = { starter: 30, business: 365, enterprise: 365 };
/**
 * Scalingo database statuses that need a person. go-scalingo's are running, migrating, upgrading and stopped (the
 * provider adds creating and updating, which pass by themselves): only a stopped database waits for someone.
 */
const FAILED_STATUSES = new Set(['stopped']);

const options = (ctx: ComposeContext): ScalingoOptions => ctx.platform.engines.scalingo;
const observedDatabase = (ctx: ComposeContext): Json | undefined => ctx.observed.resources[SCALINGO_KEYS.database];
const path = (field: string): string => `spec.parameters.${field}`;

/** Starter runs one node, Business two, Enterprise three: `instances` picks the class; undefined beyond three. */
export function serviceClass(instances: number): ServiceClass | undefined {
  return (Object.keys(SERVICE_CLASSES) as ServiceClass[]).find((c) => SERVICE_CLASSES[c] === instances);
}

/**
 * The database's name on Scalingo. Names are unique in the Scalingo account, which many namespaces share, so the
 * namespace is part of it: `<claim>-<namespace>`, cut with a hash of the whole to the provider's 48 characters.
 */
export function scalingoName(ctx: ComposeContext): string {
  return fitName(`${objectName(ctx.instance)}-${ctx.instance.namespace}`, MAX_SCALINGO_NAME);
}

/** The Secret provider-scalingo writes the administrator's login into (username, password, endpoint, port, …). */
export const adminSecretName = (ctx: ComposeContext): string => objectName(ctx.instance, 'admin');

/** Platform ranges first, then the claim's, each once; labels say whose they are. */
function firewallRules(ctx: ComposeContext): { cidr: string; label: string }[] {
  const platform = [...new Set(options(ctx).clusterCIDRs)].sort();
  const claim = [...new Set(ctx.instance.parameters.network.allowedCIDRs)].filter((c) => !platform.includes(c)).sort();
  return [...platform.map((cidr) => ({ cidr, label: 'platform cluster' })), ...claim.map((cidr) => ({ cidr, label: 'claim allowedCIDRs' }))];
}

function database(ctx: ComposeContext): KubeObject {
  const p = ctx.instance.parameters;
  const o = options(ctx);
  const plans = o.plans[serviceClass(p.instances) ?? 'starter'];
  // An existing database keeps its name and project (the provider late-initializes the project it landed in):
  // the platform's later choices apply to new databases only.
  const existing = observedDatabase(ctx);
  const kept = (field: string): string | undefined => {
    const value = at(existing, 'spec', 'forProvider', field);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const projectId = existing ? kept('projectId') : o.projectId;
  // Scalingo's API takes no version at creation: the provider late-initializes the major Scalingo runs, which is kept
  // (a different one would only make the provider report Synced False); unsupported() refuses a claim asking for
  // another major than the platform says Scalingo creates.
  const version = kept('version');
  const forProvider: Json = {
    name: kept('name') ?? scalingoName(ctx),
    plan: plans[p.size.plan],
    ...(version !== undefined ? { version } : {}),
    ...(projectId !== undefined ? { projectId } : {}),
    firewallRules: firewallRules(ctx),
  };
  return {
    apiVersion: SCALINGO_API_VERSION,
    kind: 'Database',
    metadata: { name: objectName(ctx.instance), namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
    spec: {
      forProvider,
      providerConfigRef: { kind: o.providerConfigRef.kind, name: o.providerConfigRef.name },
      writeConnectionSecretToRef: { name: adminSecretName(ctx) },
    },
  };
}

function endpointOf(ctx: ComposeContext): { host: string; port: number } {
  const host = at(observedDatabase(ctx), 'status', 'atProvider', 'host');
  const port = at(observedDatabase(ctx), 'status', 'atProvider', 'port');
  return { host: typeof host === 'string' ? host : '', port: typeof port === 'number' ? port : POSTGRES_PORT };
}

function observe(ctx: ComposeContext): EngineObservation {
  const observed = observedDatabase(ctx);
  if (!observed) return { ready: false, failed: false, instancesReady: 0, message: 'creating the Scalingo database' };
  const status = scalarText(at(observed, 'status', 'atProvider', 'status'));
  const version = scalarText(at(observed, 'status', 'atProvider', 'version'));
  const base = { ...(status ? { phase: status } : {}), ...(version ? { version } : {}) };
  if (FAILED_STATUSES.has(status)) return { ...base, ready: false, failed: true, instancesReady: 0, message: `Scalingo reports the database ${status}` };
  if (managedResourceReady(ctx, SCALINGO_KEYS.database) && endpointOf(ctx).host !== '') {
    return { ...base, ready: true, failed: false, instancesReady: ctx.instance.parameters.instances, message: 'running' };
  }
  const synced = conditionOf(observed, 'Synced');
  if (synced?.['status'] === 'False' && typeof synced['message'] === 'string') {
    return { ...base, ready: false, failed: false, instancesReady: 0, message: `provider-scalingo: ${synced['message']}` };
  }
  return { ...base, ready: false, failed: false, instancesReady: 0, message: `waiting for Scalingo${status ? ` (${status})` : ''}` };
}

/** What Scalingo, or provider-scalingo's Database, can't do the way the claim asks, whatever exists. */
function unsupported(ctx: ComposeContext): FieldError[] {
  const p = ctx.instance.parameters;
  const errors: FieldError[] = [];
  const refuse = (field: string, message: string) => errors.push({ path: path(field), message });
  const cls = serviceClass(p.instances);
  const created = options(ctx).version;
  if (!observedDatabase(ctx) && p.version !== created) {
    refuse('version', `Scalingo creates new databases on PostgreSQL ${created} (its API takes no version): set version to ${created}`);
  }
  if (!cls) {
    refuse('instances', `Scalingo runs 1 node (Starter), 2 (Business) or 3 (Enterprise); ${p.instances} can not be honoured`);
  }
  if (p.replication.mode === 'sync') {
    refuse('replication.mode', "Scalingo keeps its standbys in step itself (asynchronously); sync can not be chosen: remove it or set it to async");
  }
  const plan = 'the Scalingo plan (size.plan) fixes';
  if (p.size.cpu !== undefined) refuse('size.cpu', `${plan} the CPU: choose a plan instead of cpu`);
  if (p.size.memory !== undefined) refuse('size.memory', `${plan} the memory: choose a plan instead of memory`);
  if (p.size.disk !== undefined) refuse('size.disk', `${plan} the disk: choose a plan instead of disk`);
  if (p.size.autogrow?.enabled === true) refuse('size.autogrow.enabled', `${plan} the disk and Scalingo does not grow it by itself: choose a larger plan instead`);
  if (p.storageClass !== undefined) refuse('storageClass', 'Scalingo has no StorageClass: its plans fix the storage');
  if (p.pooler.enabled === true) refuse('pooler.enabled', 'scalingo has no connection pooler here (provider-scalingo does not offer one): remove it or set it to false');
  const settings = Object.keys(p.postgresql.settings);
  if (settings.length > 0) {
    refuse('postgresql.settings', `Scalingo manages postgresql.conf and provider-scalingo sets no parameters: remove ${settings.sort().join(', ')}`);
  }
  if (!p.backup.enabled) {
    refuse('backup.enabled', 'Scalingo backs up every Starter, Business and Enterprise database daily and provider-scalingo can not turn that off: remove it or set it to true');
  }
  if (p.backup.enabled && p.backup.schedule !== undefined) {
    refuse('backup.schedule', 'Scalingo chooses the time of its daily backup (provider-scalingo sets none): remove the schedule');
  }
  const kept = RETENTION_DAYS[cls ?? 'starter'];
  if (p.backup.enabled && p.backup.retentionDays > kept) {
    refuse('backup.retentionDays', `Scalingo keeps the backups of a ${cls ?? 'starter'} database ${kept} days; ${p.backup.retentionDays} can not be honoured (Business and Enterprise keep a year)`);
  }
  if (p.backup.finalBackupOnDelete === true) {
    refuse('backup.finalBackupOnDelete', 'provider-scalingo takes no backup when the database is deleted: remove it or set it to false');
  }
  if (p.restore !== undefined) {
    refuse('restore', 'Scalingo restores a backup into the same database, from its dashboard; provider-scalingo can not create a database from another one');
  }
  if (p.maintenance !== undefined) {
    refuse('maintenance', "provider-scalingo sets no maintenance window: Scalingo's own window applies (its dashboard); remove it");
  }
  if (p.network.allowedNamespaces.length > 0) {
    refuse('network.allowedNamespaces', "Scalingo's firewall can't tell namespaces apart: the platform's cluster ranges reach the database; use allowedCIDRs for addresses outside the cluster");
  }
  if (p.connectionSecret.name === adminSecretName(ctx)) {
    refuse('connectionSecret.name', `"${adminSecretName(ctx)}" is the Secret provider-scalingo writes the administrator's login into: choose another name`);
  }
  p.network.allowedCIDRs.forEach((cidr, i) => {
    if (!/^[0-9]{1,3}(\.[0-9]{1,3}){3}\/([0-9]|[12][0-9]|3[0-2])$/.test(cidr)) refuse(`network.allowedCIDRs[${i}]`, `Scalingo's firewall takes IPv4 ranges only; "${cidr}" can not be honoured`);
  });
  return errors;
}

function refusedChanges(ctx: ComposeContext): FieldError[] {
  const errors = unsupported(ctx);
  const observed = observedDatabase(ctx);
  if (!observed) return errors;
  // The major the provider late-initialized from what Scalingo runs; unknown until it has.
  const major = Number(scalarText(at(observed, 'spec', 'forProvider', 'version')) || Number.NaN);
  const stored = { disk: undefined, storageClass: undefined, major: Number.isInteger(major) && major > 0 ? major : undefined };
  // provider-scalingo changes plans in place (one change at a time, ~20 minutes) but runs no major upgrade.
  return [...errors, ...refusedStorageChanges({ ...ctx.instance.parameters, storageClass: undefined }, stored, { upgradesMajorInPlace: false })];
}

export const scalingo: DatabaseEngine<ScalingoOptions> = {
  name: 'scalingo',
  platformOptions: scalingoOptions,
  // Our longest suffix is `-admin` (63 on Kubernetes); the Scalingo name has its own limit (scalingoName).
  maxBaseName: 40,
  hosting: 'cloud',
  adminSecret: adminSecretName,
  servicePicksBackupTime: true,
  databaseKey: SCALINGO_KEYS.database,
  clientPorts: [POSTGRES_PORT],
  metricsPorts: [],
  operatorPorts: [],
  platformDatabaseLogins: [],
  metricsPortName: '',
  blockedSettings: [],
  monitoredSeries: () => {
    throw new Error("scalingo runs no pods to monitor: its metrics are on Scalingo's dashboard");
  },
  endpoint: endpointOf,
  poolerEndpoint: () => undefined,
  requirements: () => ({}),
  refusedChanges,
  compose(ctx, _inputs, observation): ComposedSet {
    return { [SCALINGO_KEYS.database]: { object: database(ctx), ready: observation.ready } };
  },
  observe,
  podSelector: () => ({}),
  operatorNamespace: (ctx) => options(ctx).operatorNamespace,
};
