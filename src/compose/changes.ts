/**
 * Changes to a claim that the existing objects can't follow the obvious way. Crossplane keeps an existing composed
 * object's name for its composition key, so a renamed object gets a key of its own (Crossplane then creates the new
 * one and deletes the old); a change nothing can follow in place is refused, naming the field.
 * The XRD refuses the same changes with CEL transition rules; the function can't see the old claim, so it compares
 * with what it observes.
 */
import type { FieldError } from '../api/errors.js';
import { CONNECTION_SECRET_KEY } from './credentials.js';
import type { ComposeContext } from './types.js';

const nameOf = (object: Record<string, unknown> | undefined) =>
  (object?.['metadata'] as { name?: unknown } | undefined)?.name;

/**
 * The composition key of the connection Secret named `name`: the key of an observed connection Secret of that name
 * (so an object never changes key), else `connection-secret` while that key is free, else one made from the name.
 */
export function connectionSecretKey(ctx: ComposeContext, name: string): string {
  const observed = ctx.observed.resources;
  for (const key of Object.keys(observed).sort()) {
    if ((key === CONNECTION_SECRET_KEY || key.startsWith(`${CONNECTION_SECRET_KEY}-`)) && nameOf(observed[key]) === name) return key;
  }
  return observed[CONNECTION_SECRET_KEY] === undefined ? CONNECTION_SECRET_KEY : `${CONNECTION_SECRET_KEY}-${name}`;
}

export function isConnectionSecretKey(key: string): boolean {
  return key === CONNECTION_SECRET_KEY || key.startsWith(`${CONNECTION_SECRET_KEY}-`);
}

/** The engine that holds the data can't be swapped under it: the status says which one the function composed. */
export function refusedTransitions(ctx: ComposeContext): FieldError[] {
  const status = ctx.observed.composite['status'] as { engine?: unknown } | undefined;
  const engine = ctx.instance.parameters.engine;
  if (typeof status?.engine !== 'string' || status.engine === '' || status.engine === engine) return [];
  return [
    {
      path: 'spec.parameters.engine',
      message: `the database runs on ${status.engine}; the engine can not be changed: create a new instance instead`,
    },
  ];
}
