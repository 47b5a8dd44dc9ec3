/**
 * The function's input: choices a platform team makes once in the Composition, never per claim.
 * Served as the `Input` kind of `postgresql.fn.dbaas.dev`; its CRD in package/input is generated from this schema.
 */
import { z } from 'zod';
import { DNS_LABEL } from './names.js';

export const INPUT_GROUP = 'postgresql.fn.dbaas.dev';
export const INPUT_VERSION = 'v1beta1';
export const INPUT_KIND = 'Input';

export const platformSchema = z
  .object({
    clusterDomain: z
      .string()
      .max(253)
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS domain')
      .default('cluster.local')
      .describe('DNS domain of the cluster, used in the host of connection secrets.'),
    operatorNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .default('stackgres')
      .describe('Namespace of the StackGres operator, which must reach the database pods.'),
    monitoringNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .default('monitoring')
      .describe('Namespace of the Prometheus that scrapes the database metrics.'),
    backup: z
      .object({
        storage: z
          .enum(['minio', 'aws'])
          .default('minio')
          .describe('Where backup buckets are made: MinIO through provider-minio, or S3 through provider-upjet-aws.'),
        providerConfig: z.string().regex(DNS_LABEL).default('default').describe('ProviderConfig of the bucket provider.'),
        region: z.string().max(32).default('us-east-1').describe('Bucket region.'),
        endpoint: z
          .string()
          .url()
          .default('http://minio.minio.svc:9000')
          .describe('S3 endpoint the database pods reach the MinIO buckets at (minio only).'),
        bucketPrefix: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,19}$/, 'must be lower case letters, digits and -, at most 20')
          .default('pg-backup')
          .describe('Start of every bucket name.'),
        awsCredentialsSecret: z
          .string()
          .regex(DNS_LABEL)
          .optional()
          .describe('aws only: Secret in each claim namespace with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; IAM role of the pods when unset.'),
        retainAfterDeletionDays: z
          .number()
          .int()
          .min(0)
          .max(3650)
          .default(30)
          .describe('Days a deleted instance\'s bucket is kept; the bucket is labelled with it for the platform\'s cleanup.'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Platform = z.output<typeof platformSchema>;

/** The whole Input object as it appears in a Composition step; apiVersion and kind are checked by the parser. */
export const inputSchema = z
  .object({
    apiVersion: z.literal(`${INPUT_GROUP}/${INPUT_VERSION}`),
    kind: z.literal(INPUT_KIND),
    metadata: z.record(z.string(), z.unknown()).optional(),
    platform: platformSchema.prefault({}),
  })
  .strict();
