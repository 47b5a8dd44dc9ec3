import { PLANS } from '../api/plans.js';
import type { Parameters } from '../api/schema.js';

export interface Size {
  readonly cpu: string;
  readonly memory: string;
  readonly disk: string;
  readonly maxConnections: number;
}

/** The plan's figures with the claim's overrides on top. */
export function resolveSize(p: Parameters): Size {
  const plan = PLANS[p.size.plan];
  return {
    cpu: p.size.cpu ?? plan.cpu,
    memory: p.size.memory ?? plan.memory,
    disk: p.size.disk ?? plan.disk,
    maxConnections: plan.maxConnections,
  };
}
