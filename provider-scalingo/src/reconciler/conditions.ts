/** crossplane-runtime's Ready and Synced conditions with their reasons. */
import type { Condition } from '../api/common.js';

export type ReadyReason = 'Available' | 'Unavailable' | 'Creating' | 'Deleting';
export type SyncedReason = 'ReconcileSuccess' | 'ReconcileError' | 'ReconcilePaused';

export function ready(reason: ReadyReason, message?: string): Omit<Condition, 'lastTransitionTime'> {
  return { type: 'Ready', status: reason === 'Available' ? 'True' : 'False', reason, ...(message ? { message } : {}) };
}

export function synced(reason: SyncedReason, message?: string): Omit<Condition, 'lastTransitionTime'> {
  return { type: 'Synced', status: reason === 'ReconcileSuccess' ? 'True' : 'False', reason, ...(message ? { message } : {}) };
}

/** Sets a condition, keeping lastTransitionTime when neither status nor reason changed (as crossplane-runtime does). */
export function setCondition(conditions: Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: string, generation?: number): Condition[] {
  const existing = conditions?.find((condition) => condition.type === next.type);
  const unchanged = existing && existing.status === next.status && existing.reason === next.reason && existing.message === next.message;
  const condition: Condition = {
    ...next,
    lastTransitionTime: unchanged ? existing.lastTransitionTime : now,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
  return [...(conditions ?? []).filter((other) => other.type !== next.type), condition].sort((a, b) => a.type.localeCompare(b.type));
}

export function conditionOf(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}
