/** managementPolicies as crossplane-runtime reads them: "*" is everything; otherwise the listed actions. */
import type { ManagementAction } from '../api/common.js';

export interface Policies {
  observe: boolean;
  create: boolean;
  update: boolean;
  delete: boolean;
  lateInitialize: boolean;
}

export function policiesOf(actions: ManagementAction[] | undefined): Policies {
  const list = actions && actions.length > 0 ? actions : (['*'] as ManagementAction[]);
  const all = list.includes('*');
  const has = (action: ManagementAction) => all || list.includes(action);
  return { observe: has('Observe'), create: has('Create'), update: has('Update'), delete: has('Delete'), lateInitialize: has('LateInitialize') };
}

/** Without Observe the provider could not tell what exists; crossplane-runtime refuses such sets too. */
export function policyError(policies: Policies): string | undefined {
  return policies.observe ? undefined : 'spec.managementPolicies must include "Observe" (or "*")';
}
