/**
 * What the function's Operations (maintenance-clock.ts, disk-autogrow.ts) share: how they check their input, how they
 * read every XR, and what they write on an XR.
 */
import { Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import type { z } from 'zod';
import { fieldPath } from '../api/errors.js';
import { parseInstance, type Instance } from '../api/parse.js';
import { GROUP, NAMESPACED_KIND, VERSION, XR_KIND } from '../api/xrd.js';
import { at } from '../util/observed.js';

type Json = Record<string, unknown>;

/** Requirement names of every XR of both XRDs; each CronOperation's bootstrap requirements use the same (deploy/). */
export const REQUIRED_XRS = { legacy: 'xpostgresqlinstances', namespaced: 'postgresqls' } as const;

export interface Selector {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly matchLabels: { readonly labels: Record<string, string> };
}

/** Every object of a kind (all namespaces unless one is given), or those with `labels`. */
export const selectAll = (apiVersion: string, kind: string, namespace = '', labels: Record<string, string> = {}): Selector => ({
  apiVersion,
  kind,
  namespace,
  matchLabels: { labels },
});

export const xrSelectors = (): Record<string, Selector> => ({
  [REQUIRED_XRS.legacy]: selectAll(`${GROUP}/${VERSION}`, XR_KIND),
  [REQUIRED_XRS.namespaced]: selectAll(`${GROUP}/${VERSION}`, NAMESPACED_KIND),
});

/**
 * Every XR of both XRDs not being deleted, with its claim as far as it reads (an XR the composition refuses still has
 * the fields that are right, the wrong ones at their defaults; undefined when too broken); undefined until Crossplane
 * has fetched them (it then calls again).
 */
export function liveXrs(req: RunFunctionRequest): { readonly xr: Json; readonly instance: Instance | undefined }[] | undefined {
  const fetched = [REQUIRED_XRS.legacy, REQUIRED_XRS.namespaced].map((key) => req.requiredResources?.[key]);
  if (fetched.some((r) => r === undefined)) return undefined;
  return fetched
    .flatMap((r) => r?.items ?? [])
    .flatMap((item) => (item.resource && !at(item.resource, 'metadata', 'deletionTimestamp') ? [item.resource] : []))
    .map((xr) => {
      const parsed = parseInstance(xr);
      return { xr, instance: parsed.ok ? parsed.value : parsed.partial };
    });
}

/**
 * The Operation's input, or undefined once a Fatal result says what is wrong with it: a field the schema refuses, or
 * an Operation's input given to a Composition (`reads`: what makes it an Operation's, e.g. "it reads the clock").
 * An Operation's answer is for one run: it gets TTL 0, so Crossplane's function response cache can't replay it.
 */
export function operationInput<T>(req: RunFunctionRequest, rsp: RunFunctionResponse, schema: z.ZodType<T>, kind: string, reads: string): T | undefined {
  rsp.meta = { tag: rsp.meta?.tag ?? '', ttl: { seconds: 0, nanos: 0 } };
  const input = schema.safeParse(req.input);
  if (!input.success) {
    const issue = input.error.issues[0]!;
    rsp.results.push({ severity: Severity.SEVERITY_FATAL, reason: 'InvalidInput', message: `${fieldPath('input', issue.path)}: ${issue.message}` });
    return undefined;
  }
  if (req.observed?.composite?.resource) {
    rsp.results.push({
      severity: Severity.SEVERITY_FATAL,
      reason: 'InvalidInput',
      message: `input.kind: ${kind} belongs in an Operation's pipeline (${reads}), not in a Composition`,
    });
    return undefined;
  }
  return input.data;
}

/**
 * What an Operation writes on an XR: its identity and annotations, nothing else. Crossplane's Operation reconciler
 * applies it with server-side apply (`ForceOwnership`, field manager `ops.crossplane.io/operation/<Operation uid>`, a
 * new manager on every run), so a later run never removes what an earlier one set.
 */
export function annotatedXr(xr: Json, annotations: Record<string, string>): Json {
  const name = at(xr, 'metadata', 'name');
  const namespace = at(xr, 'metadata', 'namespace');
  const resourceVersion = at(xr, 'metadata', 'resourceVersion');
  return {
    apiVersion: xr['apiVersion'],
    kind: xr['kind'],
    metadata: {
      name,
      ...(typeof namespace === 'string' && namespace ? { namespace } : {}),
      // A precondition: an XR deleted since it was read is not made again by the apply (server-side apply creates
      // what doesn't exist; with a resourceVersion the API server refuses instead), and one changed meanwhile gets a
      // conflict, so the Operation fails and its retry reads the XRs again.
      ...(typeof resourceVersion === 'string' && resourceVersion ? { resourceVersion } : {}),
      annotations,
    },
  };
}

/** A desired-resource key unique across both XR kinds and all namespaces. */
export function xrKey(xr: Json, namespace: string | undefined, name: string): string {
  return `${String(xr['kind'])}.${namespace ? `${namespace}.` : ''}${name}`;
}
