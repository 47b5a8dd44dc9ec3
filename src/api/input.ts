/**
 * The function's input: choices a platform team makes once in the Composition, never per claim.
 * Served as the `Input` kind of `postgresql.fn.dbaas.dev`; its CRD in package/input is generated from this schema.
 */
import { z } from 'zod';
import { ENGINE_NAMES, ENGINES, type EngineName, type EngineOptions } from '../engines/index.js';
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
    defaultEngine: z
      .enum(ENGINE_NAMES)
      .default('stackgres')
      .describe('Engine of the claims that name none. An existing instance keeps the engine it was created on.'),
    allowedEngines: z
      .array(z.enum(ENGINE_NAMES))
      .min(1)
      .default([...ENGINE_NAMES])
      .describe('Engines a claim may choose; another is refused with a field error. Must include defaultEngine.'),
    engines: engineOptionsSchema().prefault({} as never).describe("Each engine's own options (operator namespace, images)."),
    // The AWS RDS operator's applications (issue 14): its key names, beside ours.
    awsSeedKeys: z
      .boolean()
      .default(false)
      .describe(
        'Also write DB_HOST, DB_PORT, DB_NAME, DB_USER and DB_PASSWORD into each instance connection Secret: the key names of ' +
          'the AWS RDS operator that applications built against it read.',
      ),
    monitoringNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .default('monitoring')
      .describe('Namespace of the Prometheus that scrapes the database metrics.'),
    backup: z
      .object({
        storage: z
          .enum(['minio', 'aws', 'bucket'])
          .default('minio')
          .describe(
            'Where backups go: minio (a bucket per instance through provider-minio), aws (a bucket per instance through ' +
              'provider-upjet-aws), or bucket (one bucket the platform already has, a prefix per instance).',
          ),
        bucket: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
          .optional()
          .describe('bucket only: the existing bucket every instance writes to, each under <namespace>/<XR name>/.'),
        credentialsSecret: z
          .string()
          .regex(DNS_LABEL)
          .optional()
          .describe('bucket only: Secret in each claim namespace with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for that bucket.'),
        providerConfig: z.string().regex(DNS_LABEL).default('default').describe('ProviderConfig of the bucket provider.'),
        region: z.string().max(32).default('us-east-1').describe('Bucket region.'),
        endpoint: z
          .string()
          .url()
          .default('http://minio.minio.svc:9000')
          .describe('S3 endpoint the database pods reach the buckets at (minio and bucket; aws uses AWS S3).'),
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
      .prefault({})
      .refine((b) => b.storage !== 'bucket' || (b.bucket !== undefined && b.credentialsSecret !== undefined), {
        message: 'storage "bucket" needs bucket and credentialsSecret',
        path: ['bucket'],
      }),
  })
  .strict()
  .refine((p) => p.allowedEngines.includes(p.defaultEngine), {
    message: 'must be one of allowedEngines',
    path: ['defaultEngine'],
  });

/** `platform.engines`: one entry per registered engine, each parsed by that engine's own schema. */
function engineOptionsSchema() {
  const shape = Object.fromEntries(ENGINE_NAMES.map((name) => [name, ENGINES[name].platformOptions.prefault({})]));
  return z.object(shape as unknown as { [K in EngineName]: z.ZodType<EngineOptions[K]> }).strict();
}

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
