/**
 * The parts every Crossplane 2 managed resource shares (crossplane-runtime's ResourceSpec / ResourceStatus for
 * namespaced resources): management policies, provider config reference, connection secret reference, conditions.
 */
import { z } from 'zod';

export const MANAGEMENT_ACTIONS = ['Observe', 'Create', 'Update', 'Delete', 'LateInitialize', '*'] as const;
export type ManagementAction = (typeof MANAGEMENT_ACTIONS)[number];

export const managementPolicies = z
  .array(z.enum(MANAGEMENT_ACTIONS))
  .default(['*'])
  .describe('What the provider may do to the external database. ["Observe"] imports an existing one read-only.');

export const providerConfigRef = z
  .object({
    kind: z.enum(['ProviderConfig', 'ClusterProviderConfig']),
    name: z.string().min(1),
  })
  .default({ kind: 'ClusterProviderConfig', name: 'default' })
  .describe('The ProviderConfig (same namespace) or ClusterProviderConfig holding the Scalingo API token.');

export const writeConnectionSecretToRef = z
  .object({ name: z.string().min(1) })
  .describe('A Secret in the same namespace that receives username, password, endpoint, port, host, database, url.');

export const condition = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string().optional(),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().optional(),
});
export type Condition = z.infer<typeof condition>;

export const conditionedStatus = {
  conditions: z.array(condition).optional(),
  observedGeneration: z.number().int().optional(),
};

export const secretKeySelector = z.object({
  name: z.string().min(1),
  key: z.string().min(1),
});
