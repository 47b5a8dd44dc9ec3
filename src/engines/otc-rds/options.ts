/**
 * The platform's options for Open Telekom Cloud RDS through provider-opentelekomcloud (Composition input
 * `platform.engines.otc-rds`): where instances go (availability zones, VPC, subnet, security group), the volume type,
 * and what each plan means as an RDS flavour. Claims never name OTC things themselves.
 */
import { z } from 'zod';
import { DNS_LABEL } from '../../api/names.js';
import { PLAN_NAMES, type PlanName } from '../../api/plans.js';

const FLAVOR = /^rds\.pg\.[a-z0-9]+\.[a-z0-9]+\.[0-9]+$/;
const DEFAULT_FLAVORS: Record<PlanName, string> = {
  xsmall: 'rds.pg.n1.medium.2',
  small: 'rds.pg.n1.large.2',
  medium: 'rds.pg.n1.xlarge.2',
  large: 'rds.pg.n1.2xlarge.2',
  xlarge: 'rds.pg.n1.4xlarge.2',
};

export const otcRdsOptions = z
  .object({
    operatorNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .default('crossplane-system')
      .describe('Unused on OTC RDS (no pods in the cluster); kept so every engine has the same base options.'),
    providerConfig: z.string().regex(DNS_LABEL).default('default').describe('ClusterProviderConfig of provider-opentelekomcloud.'),
    availabilityZones: z
      .array(z.string().regex(/^[a-z]{2}-[a-z]+-[0-9]+[a-z]?$/, 'must be an availability zone such as eu-de-01'))
      .min(2)
      .max(3)
      .default(['eu-de-01', 'eu-de-02'])
      .describe('Availability zones: the first for a single instance, the first two for primary and standby.'),
    vpcId: z.string().max(64).default('00000000-0000-0000-0000-000000000000').describe('VPC id of the instances.'),
    subnetId: z.string().max(64).default('00000000-0000-0000-0000-000000000001').describe("Subnet (network) id the instances' private addresses come from."),
    securityGroupId: z.string().max(64).default('00000000-0000-0000-0000-000000000002').describe('Security group of the instances; the platform keeps its rules.'),
    volumeType: z.enum(['COMMON', 'HIGH', 'ULTRAHIGH', 'CLOUDSSD', 'ESSD']).default('CLOUDSSD').describe('Volume type of new instances.'),
    // Replaced by the claim's size.autogrow.thresholdPercent; declared so that an input still carrying it is told so
    // rather than getting a bare "unrecognized key".
    autogrowPercent: z
      .number()
      .optional()
      .refine((v) => v === undefined, {
        message: "was removed: each claim's size.autogrow.thresholdPercent decides (80, 85 or 90 % used, OTC's 20, 15 or 10 % free); remove it",
      })
      .describe('Removed: the claim\'s size.autogrow.thresholdPercent decides when OTC grows the volume. An input that sets it is refused.'),
    flavors: z
      .object(Object.fromEntries(PLAN_NAMES.map((plan) => [plan, z.string().regex(FLAVOR, 'must be an RDS flavour such as rds.pg.n1.large.2').default(DEFAULT_FLAVORS[plan])])) as Record<PlanName, z.ZodDefault<z.ZodString>>)
      .strict()
      .prefault({})
      .describe('The RDS flavour of each plan (single instance); ".ha" is appended for primary and standby.'),
  })
  .strict();

export type OtcRdsOptions = z.output<typeof otcRdsOptions>;
