/**
 * The platform's options for Scalingo through provider-scalingo (Composition input `platform.engines.scalingo`): which
 * Scalingo plan each of our plans is, per service class (the class sets how many nodes run: Starter one, Business a
 * primary and a standby, Enterprise a primary and two standbys), the ProviderConfig holding the API token (its region
 * picks Scalingo's API), the project, and which addresses besides the claim's may connect. Claims never name Scalingo
 * things themselves.
 */
import { z } from 'zod';
import { DNS_LABEL } from '../../api/names.js';
import { PLAN_NAMES, type PlanName } from '../../api/plans.js';

const CIDR = /^[0-9]{1,3}(\.[0-9]{1,3}){3}\/[0-9]{1,2}$/;
const SCALINGO_PLAN = /^postgresql-[a-z0-9-]+$/;

/** Scalingo's service classes and the nodes each runs (doc.scalingo.com, "High Availability"). */
export const SERVICE_CLASSES = { starter: 1, business: 2, enterprise: 3 } as const;
export type ServiceClass = keyof typeof SERVICE_CLASSES;

/** Scalingo's Dedicated Resources plans are named by class and memory (MB); our plans pick one each. */
const DEFAULT_MEMORY: Record<PlanName, number> = { xsmall: 4096, small: 4096, medium: 8192, large: 16384, xlarge: 32768 };

function planTable(serviceClass: ServiceClass) {
  return z
    .object(
      Object.fromEntries(
        PLAN_NAMES.map((plan) => [
          plan,
          z
            .string()
            .max(64)
            .regex(SCALINGO_PLAN, 'must be a Scalingo PostgreSQL plan such as postgresql-dr-starter-4096')
            .default(`postgresql-dr-${serviceClass}-${DEFAULT_MEMORY[plan]}`),
        ]),
      ) as Record<PlanName, z.ZodDefault<z.ZodString>>,
    )
    .strict()
    .prefault({})
    .describe(`The Scalingo plan of each size plan for ${SERVICE_CLASSES[serviceClass]} node(s) (the ${serviceClass} class).`);
}

export const scalingoOptions = z
  .object({
    operatorNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .default('crossplane-system')
      .describe('Unused on Scalingo (no pods in the cluster); kept so every engine has the same base options.'),
    providerConfigRef: z
      .object({
        kind: z.enum(['ClusterProviderConfig', 'ProviderConfig']).default('ClusterProviderConfig'),
        name: z.string().regex(DNS_LABEL, 'must be a ProviderConfig name').default('default'),
      })
      .strict()
      .prefault({})
      .describe("provider-scalingo's (Cluster)ProviderConfig: the API token's Secret and the region; a ProviderConfig is looked up in the claim's namespace."),
    version: z
      .number()
      .int()
      // The claim API's range (api/schema.ts MIN_VERSION..MAX_VERSION; not imported: it imports the engine list).
      .min(14)
      .max(18)
      .default(17)
      .describe("The PostgreSQL major Scalingo creates new databases on (its API takes no version): a claim asking for another is refused."),
    projectId: z.string().min(1).max(64).optional().describe("Scalingo project of new databases; the token's default project when unset."),
    clusterCIDRs: z
      .array(z.string().regex(CIDR, 'must be an IPv4 CIDR'))
      .max(16)
      .default([])
      .describe("The cluster's egress addresses: they reach every database (applications, provider-sql) through Scalingo's firewall."),
    plans: z
      .object({ starter: planTable('starter'), business: planTable('business'), enterprise: planTable('enterprise') })
      .strict()
      .prefault({})
      .describe('Scalingo plans per service class and size plan; `instances` picks the class (1 starter, 2 business, 3 enterprise).'),
  })
  .strict();

export type ScalingoOptions = z.output<typeof scalingoOptions>;
