/**
 * One reconcile of a Database, following crossplane-runtime's managed reconciler: paused → finalizer and usage →
 * observe → delete | create | late-init, connection details, update → conditions. Every call to Scalingo is short;
 * provisioning and plan changes are observed on later reconciles (requeueAfterMs), never awaited here.
 */
import type { FirewallRule } from '../api/database.js';
import type { RemoteDatabase, ScalingoApi } from '../scalingo/api.js';
import { ScalingoApiError } from '../scalingo/http.js';
import { ready, setCondition, synced, type ReadyReason } from './conditions.js';
import { connectionDetails } from './connection.js';
import { policiesOf, policyError, type Policies } from './policies.js';
import { ANNOTATION, annotation, hasFinalizer, withAnnotations, withFinalizer, type DatabaseResource } from './resource.js';
import type { ResourceStore } from './store.js';

export interface ReconcileContext {
  api: ScalingoApi;
  store: ResourceStore;
  now: () => number;
  /** How often a healthy resource is compared with Scalingo again (drift correction). */
  pollIntervalMs: number;
  /** How often a resource with an operation running on Scalingo is looked at. */
  busyPollMs: number;
  /** How long a create may still be in flight after a crash before the provider may try again. */
  createSettleMs: number;
}

export type ReconcileResult =
  | 'paused'
  | 'created'
  | 'createPending'
  | 'adopted'
  | 'updated'
  | 'upToDate'
  | 'busy'
  | 'deleting'
  | 'deleted'
  | 'error';

export interface ReconcileOutcome {
  result: ReconcileResult;
  requeueAfterMs?: number;
  error?: Error;
}

const BUSY_STATUSES = new Set(['creating', 'updating', 'migrating', 'upgrading']);

class ReconcileError extends Error {}

function isoNow(context: ReconcileContext): string {
  return new Date(context.now()).toISOString();
}

async function writeConditions(
  context: ReconcileContext,
  resource: DatabaseResource,
  conditions: Parameters<typeof setCondition>[1][],
  atProvider?: RemoteDatabase,
): Promise<DatabaseResource> {
  let list = resource.status?.conditions;
  for (const condition of conditions) list = setCondition(list, condition, isoNow(context), resource.metadata.generation);
  const status = {
    ...resource.status,
    conditions: list,
    ...(atProvider
      ? { atProvider: { id: atProvider.id, status: atProvider.status, plan: atProvider.plan, version: atProvider.version, host: atProvider.host, port: atProvider.port, database: atProvider.database } }
      : {}),
  };
  return context.store.updateStatus({ ...resource, status });
}

/** Remembers the newest object the store returned, so the error status is written on top of it, not refused as stale. */
function tracking(store: ResourceStore, latest: { resource: DatabaseResource }): ResourceStore {
  const remember = async (write: Promise<DatabaseResource>) => (latest.resource = await write);
  return {
    update: (resource) => remember(store.update(resource)),
    updateStatus: (resource) => remember(store.updateStatus(resource)),
    applyConnectionSecret: (resource, name, data) => store.applyConnectionSecret(resource, name, data),
    ensureUsage: (resource) => store.ensureUsage(resource),
  };
}

export async function reconcile(outer: ReconcileContext, initial: DatabaseResource): Promise<ReconcileOutcome> {
  const latest = { resource: initial };
  const context = { ...outer, store: tracking(outer.store, latest) };
  let resource = initial;
  if (annotation(resource, ANNOTATION.paused) === 'true') {
    await writeConditions(context, resource, [synced('ReconcilePaused')]);
    return { result: 'paused' };
  }
  try {
    const policies = policiesOf(resource.spec.managementPolicies);
    const refused = policyError(policies);
    if (refused) throw new ReconcileError(refused);
    if (resource.metadata.deletionTimestamp) return await reconcileDelete(context, resource, policies);

    if (!hasFinalizer(resource)) resource = await context.store.update(withFinalizer(resource, true));
    await context.store.ensureUsage(resource);

    const pending = await settlePendingCreate(context, resource);
    if (pending.outcome) return pending.outcome;
    resource = pending.resource;

    const remote = await observe(context, resource, policies);
    if (!remote) return await create(context, resource, policies);
    return await reconcileExisting(context, resource, policies, remote, pending.adopted);
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    // The error goes into Synced; Ready keeps what it was. The controller backs off before the next try.
    await writeConditions(context, latest.resource, [synced('ReconcileError', error.message)]).catch(() => undefined);
    return { result: 'error', error };
  }
}

/** Looks the database up by external name; an Observe-only import may name it by its Scalingo name instead. */
async function observe(context: ReconcileContext, resource: DatabaseResource, policies: Policies): Promise<RemoteDatabase | undefined> {
  const externalName = annotation(resource, ANNOTATION.externalName);
  if (externalName) return context.api.findDatabase(externalName);
  if (!policies.create) return context.api.findDatabase(resource.spec.forProvider.name);
  return undefined;
}

/**
 * A pending annotation newer than any succeeded/failed one means a create was sent and its result never recorded
 * (a crash, or a timeout with no answer). Scalingo names are unique in an account, so the provider looks for the
 * database by name and adopts it; only when none has appeared after createSettleMs may it create again.
 */
async function settlePendingCreate(
  context: ReconcileContext,
  resource: DatabaseResource,
): Promise<{ resource: DatabaseResource; adopted: boolean; outcome?: ReconcileOutcome }> {
  const pendingAt = Date.parse(annotation(resource, ANNOTATION.createPending) ?? '');
  if (Number.isNaN(pendingAt)) return { resource, adopted: false };
  const settledAt = Math.max(Date.parse(annotation(resource, ANNOTATION.createSucceeded) ?? '') || 0, Date.parse(annotation(resource, ANNOTATION.createFailed) ?? '') || 0);
  if (settledAt >= pendingAt) return { resource, adopted: false };

  const found = await context.api.findDatabase(resource.spec.forProvider.name);
  if (found) {
    const adopted = await context.store.update(withAnnotations(resource, { [ANNOTATION.externalName]: found.id, [ANNOTATION.createSucceeded]: isoNow(context) }));
    return { resource: adopted, adopted: true };
  }
  const waitMs = pendingAt + context.createSettleMs - context.now();
  if (waitMs > 0) {
    await writeConditions(context, resource, [ready('Creating'), synced('ReconcileError', 'create result not recorded yet: waiting before looking again')]);
    return { resource, adopted: false, outcome: { result: 'createPending', requeueAfterMs: waitMs } };
  }
  // Nothing appeared: the create never happened. Clear pending so create may run again.
  return { resource: await context.store.update(withAnnotations(resource, { [ANNOTATION.createPending]: undefined })), adopted: false };
}

async function create(context: ReconcileContext, resource: DatabaseResource, policies: Policies): Promise<ReconcileOutcome> {
  if (!policies.create) {
    throw new ReconcileError(`external resource does not exist: no Scalingo database ${annotation(resource, ANNOTATION.externalName) ?? resource.spec.forProvider.name} (managementPolicies do not allow Create)`);
  }
  // Recorded before the call, so a crash after Scalingo created the database can't lead to a second one.
  const pending = await context.store.update(withAnnotations(resource, { [ANNOTATION.createPending]: isoNow(context) }));
  const { name, plan, projectId } = pending.spec.forProvider;
  let id: string;
  try {
    ({ id } = await context.api.createDatabase({ name, plan, ...(projectId ? { projectId } : {}) }));
  } catch (error) {
    if (error instanceof ScalingoApiError && error.unknownOutcome) throw error; // pending stays: resolved by name next time
    await context.store.update(withAnnotations(pending, { [ANNOTATION.createFailed]: isoNow(context) }));
    throw error;
  }
  const recorded = await context.store.update(withAnnotations(pending, { [ANNOTATION.externalName]: id, [ANNOTATION.createSucceeded]: isoNow(context) }));
  await writeConditions(context, recorded, [ready('Creating'), synced('ReconcileSuccess')]);
  return { result: 'created', requeueAfterMs: context.busyPollMs };
}

async function reconcileDelete(context: ReconcileContext, resource: DatabaseResource, policies: Policies): Promise<ReconcileOutcome> {
  // A create whose result was never recorded may still have made the database: look it up by name, not orphan it.
  const lookup = annotation(resource, ANNOTATION.externalName) ?? (annotation(resource, ANNOTATION.createPending) ? resource.spec.forProvider.name : undefined);
  const remote = policies.delete && lookup ? await context.api.findDatabase(lookup) : undefined;
  if (remote) {
    await context.api.deleteDatabase(remote);
    await writeConditions(context, resource, [ready('Deleting'), synced('ReconcileSuccess')], remote);
    return { result: 'deleting', requeueAfterMs: context.busyPollMs };
  }
  // Gone on Scalingo, or not ours to delete (no Delete policy): let Kubernetes remove it, and with it (garbage
  // collection of what it owns) the usage of its provider config and its connection Secret.
  if (hasFinalizer(resource)) await context.store.update(withFinalizer(resource, false));
  return { result: 'deleted' };
}

function sameRules(a: FirewallRule[], b: FirewallRule[]): boolean {
  const key = (rules: FirewallRule[]) => rules.map((rule) => rule.cidr).sort().join(',');
  return key(a) === key(b);
}

/** Fills what the user left out with what Scalingo chose (crossplane-runtime's late initialization). */
function lateInitialize(resource: DatabaseResource, remote: RemoteDatabase, rules: { cidr: string; label: string }[]): DatabaseResource | undefined {
  const given = resource.spec.forProvider;
  const filled = {
    ...given,
    ...(given.version === undefined && remote.version ? { version: remote.version } : {}),
    ...(given.projectId === undefined && remote.projectId ? { projectId: remote.projectId } : {}),
    ...(given.firewallRules === undefined ? { firewallRules: rules.map(({ cidr, label }) => (label ? { cidr, label } : { cidr })) } : {}),
  };
  const changed = JSON.stringify(filled) !== JSON.stringify(given);
  return changed ? { ...resource, spec: { ...resource.spec, forProvider: filled } } : undefined;
}

function readyReason(remote: RemoteDatabase): [ReadyReason, string?] {
  if (remote.status === 'creating') return ['Creating'];
  if (remote.status === 'stopped') return ['Unavailable', 'the Scalingo database is stopped'];
  // A plan change keeps the database serving (Scalingo switches over at the end), so it stays Available.
  return ['Available'];
}

async function reconcileExisting(
  context: ReconcileContext,
  initial: DatabaseResource,
  policies: Policies,
  remote: RemoteDatabase,
  adopted: boolean,
): Promise<ReconcileOutcome> {
  let resource = initial;
  if (!annotation(resource, ANNOTATION.externalName)) resource = await context.store.update(withAnnotations(resource, { [ANNOTATION.externalName]: remote.id }));
  const busy = BUSY_STATUSES.has(remote.status);
  const rules = remote.status === 'creating' ? undefined : await context.api.firewallRules(remote);

  if (policies.lateInitialize && rules) {
    const initialized = lateInitialize(resource, remote, rules);
    if (initialized) resource = await context.store.update(initialized);
  }

  const [reason, message] = readyReason(remote);
  const secretRef = resource.spec.writeConnectionSecretToRef;
  if (secretRef && reason !== 'Creating') {
    await context.store.applyConnectionSecret(resource, secretRef.name, connectionDetails(await context.api.connectionUrl(remote)));
  }

  let result: ReconcileResult = adopted ? 'adopted' : busy ? 'busy' : 'upToDate';
  if (policies.update && !busy) {
    const desired = resource.spec.forProvider;
    if (desired.plan !== remote.plan) {
      await context.api.changePlan(remote, desired.plan);
      result = 'updated';
    } else if (desired.version && remote.version && desired.version !== remote.version) {
      // Scalingo's databases API takes no version at creation and this provider does not run major upgrades.
      throw new ReconcileError(`forProvider.version: Scalingo runs PostgreSQL ${remote.version}, not ${desired.version}; this provider can neither choose nor change the major`);
    }
    if (rules && desired.firewallRules && !sameRules(desired.firewallRules, rules)) {
      const wanted = new Set(desired.firewallRules.map((rule) => rule.cidr));
      const present = new Set(rules.map((rule) => rule.cidr));
      for (const rule of desired.firewallRules) if (!present.has(rule.cidr)) await context.api.addFirewallRule(remote, rule);
      for (const rule of rules) if (!wanted.has(rule.cidr)) await context.api.deleteFirewallRule(remote, rule.id);
      result = 'updated';
    }
  }

  const observed = result === 'updated' && desiredPlanDiffers(resource, remote) ? { ...remote, status: 'updating' } : remote;
  await writeConditions(context, resource, [ready(reason, message), synced('ReconcileSuccess')], observed);
  const stillMoving = busy || result === 'updated';
  return { result, requeueAfterMs: stillMoving ? context.busyPollMs : context.pollIntervalMs };
}

function desiredPlanDiffers(resource: DatabaseResource, remote: RemoteDatabase): boolean {
  return resource.spec.forProvider.plan !== remote.plan;
}
