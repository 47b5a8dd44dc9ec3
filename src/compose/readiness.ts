/** Readiness of composed objects from what Crossplane observed of them. */
import type { ComposeContext } from './types.js';

type Json = Record<string, unknown>;

export function observedExists(ctx: ComposeContext, key: string): boolean {
  return ctx.observed.resources[key] !== undefined;
}

/** A managed resource is ready when its provider says so: the `Ready` condition is `True`. */
export function managedResourceReady(ctx: ComposeContext, key: string): boolean {
  const conditions = ((ctx.observed.resources[key]?.['status'] as Json | undefined)?.['conditions'] ?? []) as (Json | null)[];
  return Array.isArray(conditions) && conditions.some((c) => c?.['type'] === 'Ready' && c['status'] === 'True');
}
