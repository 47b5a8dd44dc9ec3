/**
 * Changes to a claim that the existing objects can't follow the obvious way. Crossplane keeps an existing composed
 * object's name for its composition key, so a renamed object gets a key of its own (Crossplane then creates the new
 * one and deletes the old); a change nothing can follow in place is refused, naming the field.
 * The XRD refuses the same changes with CEL transition rules; the function can't see the old claim, so it compares
 * with what it observes.
 */
import type { FieldError } from '../api/errors.js';
import type { Parameters } from '../api/schema.js';
import { bytes } from '../util/quantity.js';
import { CONNECTION_SECRET_KEY } from './credentials.js';
import { resolveSize } from './size.js';
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

/** What an existing database object says of its volumes and data, read by its engine from the engine's own fields. */
export interface StoredShape {
  /** The volumes' size as the object asks for it, e.g. "80Gi". */
  readonly disk: unknown;
  readonly storageClass: unknown;
  /** The major version its data directory is for. */
  readonly major: number | undefined;
}

/** A cloud instance's stored shape: its volume in GiB, no StorageClass, the major of its engine version. */
export function cloudStoredShape(sizeGiB: unknown, major: number): StoredShape {
  return {
    disk: typeof sizeGiB === 'number' ? `${sizeGiB}Gi` : undefined,
    storageClass: undefined,
    major: Number.isInteger(major) && major > 0 ? major : undefined,
  };
}

/**
 * Changes no engine makes to existing volumes and data: a smaller disk (volumes grow, never shrink), another
 * StorageClass (the volumes stay where they are), a lower major version (PostgreSQL's data can't be downgraded).
 * A higher major is an upgrade where the engine runs one (README, "Day two"), and refused where it doesn't. Unsetting
 * storageClass is refused by the XRD only: a claim that dropped it looks like one that never had it.
 */
export function refusedStorageChanges(
  p: Parameters,
  stored: StoredShape,
  engine: { readonly upgradesMajorInPlace: boolean },
  autogrownTo?: string,
): FieldError[] {
  const errors: FieldError[] = [];
  const wanted = resolveSize(p, autogrownTo).disk;
  if (typeof stored.disk === 'string' && (bytes(wanted) ?? 0) < (bytes(stored.disk) ?? 0)) {
    errors.push({
      path: p.size.disk ? 'spec.parameters.size.disk' : 'spec.parameters.size.plan',
      message: `the disk can grow but not shrink: it is ${stored.disk}, the claim asks for ${wanted}`,
    });
  }
  if (p.storageClass !== undefined && stored.storageClass !== p.storageClass) {
    const where = typeof stored.storageClass === 'string' ? `StorageClass "${stored.storageClass}"` : "the cluster's default StorageClass";
    errors.push({ path: 'spec.parameters.storageClass', message: `the volumes exist in ${where}; it can not be changed` });
  }
  if (stored.major !== undefined && p.version < stored.major) {
    errors.push({
      path: 'spec.parameters.version',
      message:
        `the data is PostgreSQL ${stored.major} and PostgreSQL can not go back a major version in place: keep ${stored.major} ` +
        `(or raise it), or create a new instance on ${p.version} and move the data with pg_dump and pg_restore`,
    });
  }
  if (!engine.upgradesMajorInPlace && stored.major !== undefined && p.version > stored.major) {
    errors.push({
      path: 'spec.parameters.version',
      message: `the cluster runs PostgreSQL ${stored.major}; changing the major version to ${p.version} in place is not supported yet`,
    });
  }
  return errors;
}
