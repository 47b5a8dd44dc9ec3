import { PLANS } from '../api/plans.js';
import type { Parameters } from '../api/schema.js';
import { at } from '../util/observed.js';
import { bytes } from '../util/quantity.js';

export interface Size {
  readonly cpu: string;
  readonly memory: string;
  readonly disk: string;
  readonly maxConnections: number;
}

/**
 * The size the disk-autogrow Operation grew the volumes to (src/ops/disk-autogrow.ts), kept on the XR: the claim's
 * spec stays the user's, and the grown size must survive every reconcile.
 */
export const AUTOGROWN_ANNOTATION = 'dbaas.dev/disk-autogrown-to';

/** The autogrown size on the observed XR, when it is a readable quantity. */
export function autogrownDisk(composite: Record<string, unknown>): string | undefined {
  const value = at(composite, 'metadata', 'annotations', AUTOGROWN_ANNOTATION);
  return typeof value === 'string' && bytes(value) !== undefined ? value : undefined;
}

/**
 * The plan's figures with the claim's overrides on top. The disk is the larger of the claim's and `autogrownTo`:
 * a disk never shrinks, and a claim that asks for more than autogrow reached gets it.
 */
export function resolveSize(p: Parameters, autogrownTo?: string): Size {
  const plan = PLANS[p.size.plan];
  const claimed = p.size.disk ?? plan.disk;
  const disk = autogrownTo !== undefined && bytes(autogrownTo)! > (bytes(claimed) ?? 0) ? autogrownTo : claimed;
  return {
    cpu: p.size.cpu ?? plan.cpu,
    memory: p.size.memory ?? plan.memory,
    disk,
    maxConnections: plan.maxConnections,
  };
}
