/**
 * One RunFunction request: parse → compose → respond. Pure apart from the random source, which only matters the
 * first time an instance is composed (its password).
 *
 * A request that can't be composed gets a Fatal result and the desired state exactly as it came in: Crossplane then
 * changes nothing, so bad input never deletes a composed object.
 */
import {
  Ready,
  Severity,
  Status,
  Target,
  type Resource,
  type RunFunctionRequest,
  type RunFunctionResponse,
  type State,
} from '@crossplane-org/function-sdk-typescript';
import { describeErrors, type FieldError } from './api/errors.js';
import type { Platform } from './api/input.js';
import { parseInstance, parsePlatform, type Instance } from './api/parse.js';
import { composeInstance } from './compose/instance.js';
import type {
  ComposeContext,
  Composition,
  ConditionOut,
  Observed,
  RandomSource,
  Required,
  RequiredSelector,
} from './compose/types.js';
import { sortKeys } from './util/canonical.js';
import { cryptoRandom } from './util/random.js';
import { isClockInput, runClock } from './ops/maintenance-clock.js';
import { isDiskAutogrowInput, runDiskAutogrow } from './ops/disk-autogrow.js';
import { isFinalBackupInput, runFinalBackup } from './ops/final-backup.js';
import type { VolumeStatsReader } from './ops/kubelet-stats.js';

export interface RunOptions {
  readonly random?: RandomSource;
  /** Read only in operation mode (the maintenance clock); compositions never read the clock. */
  readonly now?: () => Date;
  /** Read only in operation mode (disk autogrow): the kubelets' volume statistics. */
  readonly readVolumes?: VolumeStatsReader;
}

/**
 * Crossplane comes back within this time even when no watched object changes. Its per-XR circuit breaker (burst 100
 * events, then 1 a second, open 5 minutes) drops watch events once a new instance's dozen composed objects and their
 * providers' status writes have used the burst, and they always do in the first seconds. While anything composed is
 * not ready, the next look is therefore soon, so what a provider reports (an endpoint, Ready) reaches the claim
 * within seconds rather than minutes; a settled instance is looked at every minute.
 */
export const RESPONSE_TTL_SECONDS = { settling: 15, settled: 60 } as const;

const STATUS: Record<ConditionOut['status'], Status> = {
  True: Status.STATUS_CONDITION_TRUE,
  False: Status.STATUS_CONDITION_FALSE,
  Unknown: Status.STATUS_CONDITION_UNKNOWN,
};

/**
 * One request, whichever mode: disk autogrow is the one that waits on I/O (the kubelets); the composition and the
 * maintenance clock answer at once.
 */
export async function runRequest(req: RunFunctionRequest, options: RunOptions = {}): Promise<RunFunctionResponse> {
  if (isDiskAutogrowInput(req.input)) {
    const noKubelets: VolumeStatsReader = () => Promise.reject(new Error('this function was started without access to kubelets'));
    return runDiskAutogrow(req, emptyResponse(req), options.readVolumes ?? noKubelets);
  }
  return runFunction(req, options);
}

function emptyResponse(req: RunFunctionRequest): RunFunctionResponse {
  return { meta: { tag: req.meta?.tag ?? '', ttl: { seconds: 0, nanos: 0 } }, desired: undefined, results: [], context: req.context, requirements: undefined, conditions: [] };
}

export function runFunction(req: RunFunctionRequest, options: RunOptions = {}): RunFunctionResponse {
  // A copy, not the request's own objects: the SDK's `to()` aliases req.desired, and we must be able to hand the
  // incoming desired state back untouched.
  const incoming: State = {
    composite: req.desired?.composite,
    resources: { ...(req.desired?.resources ?? {}) },
  };
  const rsp: RunFunctionResponse = {
    meta: { tag: req.meta?.tag ?? '', ttl: { seconds: RESPONSE_TTL_SECONDS.settled, nanos: 0 } },
    desired: incoming,
    results: [],
    context: req.context,
    requirements: undefined,
    conditions: [],
  };

  // Operation mode: the platform's CronOperation asks for the maintenance clock (src/ops/maintenance-clock.ts), its
  // final-backup Operations for the next step of each gate (src/ops/final-backup.ts).
  if (isClockInput(req.input)) return runClock(req, rsp, (options.now ?? (() => new Date()))());
  if (isFinalBackupInput(req.input)) return runFinalBackup(req, rsp);

  const instance = parseInstance(req.observed?.composite?.resource);
  const platform = parsePlatform(req.input);
  const context = (claim: Instance, platformValue: Platform): ComposeContext => ({
    instance: claim,
    platform: platformValue,
    observed: observedState(req),
    required: requiredResources(req),
    random: options.random ?? cryptoRandom,
  });
  if (!instance.ok) {
    // One answer with every error: what the checks against the existing objects say of the fields that did parse too.
    const named = new Set(instance.errors.map((e) => e.path));
    const more = instance.partial && platform.ok ? refusedFields(composeInstance(context(instance.partial, platform.value)), instance.broken, named) : [];
    return refuse(rsp, [...instance.errors, ...(platform.ok ? [] : platform.errors), ...more], instance.warnings);
  }
  if (!platform.ok) return refuse(rsp, platform.errors, instance.warnings);

  const composition = composeInstance(context(instance.value, platform.value));
  if (!composition.ok) return refuse(rsp, composition.errors, instance.warnings);
  rsp.requirements = requirementsOut(composition.requirements);

  // Composed objects are built in a fixed key order, and whatever they take over from the request in key order of
  // their own (postgresql.conf) is sorted where it is built: sorting every object on every call (a deep copy) cost a
  // tenth of the function's time. Only the map of composed resources is put in order here.
  const merged: Record<string, Resource> = { ...incoming.resources };
  let settling = false;
  for (const [key, composed] of Object.entries(composition.resources)) {
    merged[key] = toResource(composed.object, composed.ready);
    settling ||= !composed.ready;
  }
  if (settling) rsp.meta = { tag: rsp.meta?.tag ?? '', ttl: { seconds: RESPONSE_TTL_SECONDS.settling, nanos: 0 } };
  const resources: Record<string, Resource> = {};
  for (const key of Object.keys(merged).sort()) resources[key] = merged[key]!;
  rsp.desired = {
    composite: desiredComposite(incoming.composite, instance.value, composition.status, composition.connectionDetails),
    resources,
  };
  rsp.conditions = composition.conditions.map((c) => ({
    type: c.type,
    status: STATUS[c.status],
    reason: c.reason,
    message: c.message,
    target: Target.TARGET_COMPOSITE_AND_CLAIM,
  }));
  for (const message of [...instance.warnings, ...composition.warnings]) {
    rsp.results.push({ severity: Severity.SEVERITY_WARNING, message, target: Target.TARGET_COMPOSITE_AND_CLAIM });
  }
  return rsp;
}

/** A composition's errors, less those about fields the schema refused (their defaults stood in for them) or that
 *  the rules already named. */
function refusedFields(composition: Composition, broken: ReadonlySet<string>, named: ReadonlySet<string>): FieldError[] {
  if (composition.ok) return [];
  const under = (path: string, field: string) => {
    const base = `spec.parameters.${field}`;
    return path === base || path.startsWith(`${base}.`) || path.startsWith(`${base}[`);
  };
  return composition.errors.filter((e) => !named.has(e.path) && ![...broken].some((field) => under(e.path, field)));
}

function refuse(rsp: RunFunctionResponse, found: readonly FieldError[], warnings: readonly string[] = []): RunFunctionResponse {
  const seen = new Set<string>();
  const errors = found.filter((e) => !seen.has(`${e.path}: ${e.message}`) && seen.add(`${e.path}: ${e.message}`));
  for (const message of warnings) {
    rsp.results.push({ severity: Severity.SEVERITY_WARNING, message, target: Target.TARGET_COMPOSITE_AND_CLAIM });
  }
  rsp.results.push({
    severity: Severity.SEVERITY_FATAL,
    reason: 'InvalidParameters',
    message: `cannot compose this PostgreSQLInstance, nothing was changed: ${describeErrors(errors)}`,
    target: Target.TARGET_COMPOSITE_AND_CLAIM,
  });
  return rsp;
}

function observedState(req: RunFunctionRequest): Observed {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const [key, r] of Object.entries(req.observed?.resources ?? {})) {
    if (r.resource) resources[key] = r.resource;
  }
  return { composite: req.observed?.composite?.resource ?? {}, resources };
}

/** Both the current field and the one Crossplane before 2.0 filled. */
function requiredResources(req: RunFunctionRequest): Required {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const source of [req.extraResources ?? {}, req.requiredResources ?? {}]) {
    for (const [key, resources] of Object.entries(source)) {
      out[key] = (resources?.items ?? []).flatMap((r) => (r.resource ? [r.resource] : []));
    }
  }
  return out;
}

function requirementsOut(selectors: Readonly<Record<string, RequiredSelector>>): RunFunctionResponse['requirements'] {
  if (Object.keys(selectors).length === 0) return undefined;
  const resources: NonNullable<RunFunctionResponse['requirements']>['resources'] = {};
  for (const key of Object.keys(selectors).sort()) {
    const s = selectors[key]!;
    resources[key] = { apiVersion: s.apiVersion, kind: s.kind, namespace: s.namespace, matchLabels: { labels: { ...(s.matchLabels ?? {}) } } };
  }
  return { extraResources: {}, resources, schemas: {} };
}

function toResource(object: Record<string, unknown>, ready: boolean): Resource {
  return { resource: object, connectionDetails: {}, ready: ready ? Ready.READY_TRUE : Ready.READY_FALSE };
}

function desiredComposite(
  previous: Resource | undefined,
  instance: Pick<Instance, 'apiVersion' | 'kind' | 'xrName' | 'namespace' | 'namespaced'>,
  status: Record<string, unknown>,
  connectionDetails: Readonly<Record<string, string>>,
): Resource {
  const before = previous?.resource ?? {};
  const details: Record<string, Buffer> = { ...(previous?.connectionDetails ?? {}) };
  // A namespaced XR has no connection secret in Crossplane 2: the composed connection Secret, with the same keys, is
  // what the application reads, so the details are not handed to Crossplane to drop.
  if (!instance.namespaced) {
    for (const key of Object.keys(connectionDetails).sort()) details[key] = Buffer.from(connectionDetails[key]!, 'utf8');
  }
  return {
    // sorted: it carries what earlier steps and the observed XR hold, in whatever order Go encoded their maps
    resource: sortKeys({
      ...before,
      apiVersion: instance.apiVersion,
      kind: instance.kind,
      metadata: instance.namespaced ? { name: instance.xrName, namespace: instance.namespace } : { name: instance.xrName },
      status: { ...((before['status'] as object | undefined) ?? {}), ...status },
    }),
    connectionDetails: details,
    ready: previous?.ready ?? Ready.READY_UNSPECIFIED,
  };
}
