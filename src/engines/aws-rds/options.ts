/**
 * The platform's options for Amazon RDS through provider-upjet-aws (Composition input `platform.engines.aws-rds`):
 * where instances go (region, VPC, subnets), who may reach them besides the claim's CIDRs (the cluster's own address
 * ranges), and what each plan means as an RDS instance class. Claims never name AWS things themselves.
 */
import { z } from 'zod';
import { DNS_LABEL } from '../../api/names.js';
import { PLAN_NAMES, type PlanName } from '../../api/plans.js';

const CIDR = /^[0-9]{1,3}(\.[0-9]{1,3}){3}\/[0-9]{1,2}$/;
const INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;

const DEFAULT_CLASSES: Record<PlanName, string> = {
  xsmall: 'db.t4g.micro',
  small: 'db.t4g.small',
  medium: 'db.m7g.large',
  large: 'db.m7g.xlarge',
  xlarge: 'db.m7g.2xlarge',
};

export const awsRdsOptions = z
  .object({
    operatorNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .default('crossplane-system')
      .describe('Unused on RDS (no pods in the cluster); kept so every engine has the same base options.'),
    providerConfig: z.string().regex(DNS_LABEL).default('default').describe('ClusterProviderConfig of provider-upjet-aws.'),
    region: z.string().max(32).regex(/^[a-z]{2}(-[a-z]+)+-[0-9]$/, 'must be an AWS region such as eu-central-1').default('us-east-1').describe('AWS region of the instances.'),
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id').default('vpc-00000000').describe('VPC of the security groups.'),
    subnetIds: z
      .array(z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id'))
      .min(2)
      .max(16)
      .default(['subnet-00000000', 'subnet-00000001'])
      .describe('Private subnets of the DB subnet group, in at least two availability zones.'),
    clusterCIDRs: z
      .array(z.string().regex(CIDR, 'must be an IPv4 CIDR'))
      .max(16)
      .default([])
      .describe("The cluster's pod and node address ranges: they reach every instance (applications, provider-sql)."),
    instanceClasses: z
      .object(Object.fromEntries(PLAN_NAMES.map((plan) => [plan, z.string().regex(INSTANCE_CLASS, 'must be an RDS instance class such as db.t4g.small').default(DEFAULT_CLASSES[plan])])) as Record<PlanName, z.ZodDefault<z.ZodString>>)
      .strict()
      .prefault({})
      .describe('The RDS instance class of each plan; a claim overriding cpu or memory is refused (RDS sizes come in classes).'),
    storageType: z.enum(['gp3', 'gp2', 'io1', 'io2']).default('gp3').describe('EBS storage type of new instances.'),
  })
  .strict();

export type AwsRdsOptions = z.output<typeof awsRdsOptions>;
