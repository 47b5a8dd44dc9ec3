/**
 * Where and when an instance's backups go, the same for every engine: a bucket (and a prefix in it), credentials, a
 * five-field cron schedule (UTC) and a retention in days; each engine translates these into its own terms. Where the
 * bucket comes from is the platform's choice (function input `platform.backup.storage`):
 *   minio  → a bucket per instance: provider-minio Bucket, Policy (this bucket only) and User, whose keys
 *            provider-minio writes to a Secret
 *   aws    → a bucket per instance: provider-upjet-aws namespaced Bucket; the keys come from a platform Secret in the
 *            namespace, or the pods' IAM role
 *   bucket → one bucket the platform already has (endpoint, region, a credentials Secret in each claim namespace);
 *            each instance writes under its own prefix, `<namespace>/<XR name>`, and nothing is composed for it
 * Buckets and prefixes outlive their instance: deleting the claim never deletes backups (see README, "Deletion safety").
 */
import { nightlySchedule } from '../util/cron.js';
import { at, scalarText } from '../util/observed.js';
import { commonLabels } from './labels.js';
import { fitName, objectName, shortHash } from './names.js';
import { managedResourceReady } from './readiness.js';
import type { ComposeContext, ComposedSet, KubeObject } from './types.js';

export const BACKUP_KEYS = {
  bucket: 'backup-bucket',
  policy: 'backup-policy',
  user: 'backup-user',
} as const;

export const RETAIN_LABEL = 'dbaas.dev/retain-after-deletion-days';
const ACCESS_KEY_ID = 'AWS_ACCESS_KEY_ID';
const SECRET_ACCESS_KEY = 'AWS_SECRET_ACCESS_KEY';

/** Where and how often the engine writes backups, in no engine's terms. */
export interface BackupTarget {
  /** Who provides the bucket (the platform's choice when the instance was created). */
  readonly storage: 'minio' | 'aws' | 'bucket';
  /** ProviderConfig of the bucket's provider; unused for a bucket the platform already has. */
  readonly providerConfig: string;
  readonly bucket: string;
  /** Folder in the bucket for this instance, without slashes at either end; empty when the bucket is the instance's. */
  readonly prefix: string;
  readonly region: string;
  /** An S3-compatible endpoint (path-style addressing); undefined means AWS S3. */
  readonly endpoint?: string;
  /** Secret in the claim namespace with the access keys; undefined means the pods' IAM role. */
  readonly credentials?: { readonly secretName: string; readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Base backups, five-field cron, UTC. */
  readonly schedule: string;
  /** Keep what is needed to restore to any moment of the last this many days. */
  readonly retentionDays: number;
}

/** Globally unique (bucket names are), at most 63, DNS-safe, and stable for the instance. */
export function bucketName(ctx: ComposeContext): string {
  const { instance, platform } = ctx;
  const readable = `${platform.backup.bucketPrefix}-${instance.namespace}-${instance.claimName}`.replace(/[^a-z0-9-]/g, '-');
  return fitName(`${readable.slice(0, 54).replace(/-+$/, '')}-${shortHash(`${instance.namespace}/${instance.claimName}`)}`);
}

export function backupSchedule(ctx: ComposeContext): string {
  return ctx.instance.parameters.backup.schedule ?? nightlySchedule(`${ctx.instance.namespace}/${ctx.instance.claimName}`);
}

/**
 * The prefix of an instance in a shared bucket. The archive name is unique to the XR's lifetime: a claim deleted and
 * made again under the same name writes beside the old backups, which stay for their retention, instead of on top of
 * them (Barman refuses to archive WAL into a folder that holds another cluster's).
 */
export function sharedBucketPrefix(ctx: ComposeContext): string {
  return `${ctx.instance.namespace}/${ctx.instance.archiveName}`;
}


/** The bucket an existing instance writes to, as observed: where its backups are, whatever the platform says now. */
function observedBucket(ctx: ComposeContext): { storage: 'minio' | 'aws'; bucket: string; region: string; providerConfig: string } | undefined {
  const bucket = ctx.observed.resources[BACKUP_KEYS.bucket];
  if (!bucket) return undefined;
  const storage = scalarText(bucket['apiVersion']).startsWith('minio.') ? 'minio' : 'aws';
  const name = at(bucket, 'spec', 'forProvider', 'bucketName') ?? at(bucket, 'metadata', 'annotations', 'crossplane.io/external-name') ?? at(bucket, 'metadata', 'name');
  const region = at(bucket, 'spec', 'forProvider', 'region');
  const providerConfig = at(bucket, 'spec', 'providerConfigRef', 'name');
  if (typeof name !== 'string' || typeof region !== 'string' || typeof providerConfig !== 'string') return undefined;
  return { storage, bucket: name, region, providerConfig };
}

/**
 * A bucket's storage, name and region can't change under its backups: an existing instance keeps what it observes,
 * and the platform's new storage, bucketPrefix or region apply to new instances. Its ProviderConfig, endpoint and
 * credentials follow the platform (the same storage reached another way), unless it stays on another storage.
 */
export function backupTarget(ctx: ComposeContext): BackupTarget {
  const b = ctx.platform.backup;
  const credentialsFrom = (secretName: string) => ({ secretName, accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY });
  const when = { schedule: backupSchedule(ctx), retentionDays: ctx.instance.parameters.backup.retentionDays };
  const kept = observedBucket(ctx);
  if (!kept && b.storage === 'bucket') {
    // The platform input's refinement makes both present; the fallbacks only satisfy the type.
    const secret = b.credentialsSecret ?? '';
    return {
      ...when,
      storage: 'bucket',
      providerConfig: b.providerConfig,
      bucket: b.bucket ?? '',
      prefix: sharedBucketPrefix(ctx),
      region: b.region,
      endpoint: b.endpoint,
      credentials: credentialsFrom(secret),
    };
  }
  const storage = kept?.storage ?? b.storage;
  const own = {
    ...when,
    bucket: kept?.bucket ?? bucketName(ctx),
    prefix: '',
    region: kept?.region ?? b.region,
    providerConfig: kept && kept.storage !== b.storage ? kept.providerConfig : b.providerConfig,
  };
  if (storage === 'minio') {
    return { ...own, storage: 'minio', endpoint: b.endpoint, credentials: credentialsFrom(objectName(ctx.instance, 'backup-credentials')) };
  }
  return { ...own, storage: 'aws', ...(b.awsCredentialsSecret ? { credentials: credentialsFrom(b.awsCredentialsSecret) } : {}) };
}

function labels(ctx: ComposeContext): Record<string, string> {
  return { ...commonLabels(ctx.instance), [RETAIN_LABEL]: String(ctx.platform.backup.retainAfterDeletionDays) };
}

function minioObjects(ctx: ComposeContext, target: BackupTarget): Record<string, KubeObject> {
  const providerConfigRef = { name: target.providerConfig };
  // provider-minio's kinds are cluster-scoped: the bucket name, unique by construction, names all three.
  const metadata = { name: target.bucket, labels: labels(ctx) };
  return {
    [BACKUP_KEYS.bucket]: {
      apiVersion: 'minio.crossplane.io/v1',
      kind: 'Bucket',
      metadata,
      spec: { deletionPolicy: 'Orphan', forProvider: { bucketName: target.bucket, region: target.region }, providerConfigRef },
    },
    [BACKUP_KEYS.policy]: {
      apiVersion: 'minio.crossplane.io/v1',
      kind: 'Policy',
      metadata,
      spec: { forProvider: { allowBucket: target.bucket }, providerConfigRef },
    },
    [BACKUP_KEYS.user]: {
      apiVersion: 'minio.crossplane.io/v1',
      kind: 'User',
      metadata,
      spec: {
        forProvider: { userName: target.bucket, policies: [target.bucket] },
        providerConfigRef,
        writeConnectionSecretToRef: { name: target.credentials!.secretName, namespace: ctx.instance.namespace },
      },
    },
  };
}

function awsObjects(ctx: ComposeContext, target: BackupTarget): Record<string, KubeObject> {
  return {
    [BACKUP_KEYS.bucket]: {
      apiVersion: 's3.aws.m.upbound.io/v1beta1',
      kind: 'Bucket',
      metadata: {
        name: target.bucket,
        namespace: ctx.instance.namespace,
        labels: labels(ctx),
        annotations: { 'crossplane.io/external-name': target.bucket },
      },
      spec: {
        forProvider: { region: target.region, forceDestroy: false },
        // Without Delete, deleting the claim leaves the bucket and its backups in place.
        managementPolicies: ['Observe', 'Create', 'Update', 'LateInitialize'],
        providerConfigRef: { kind: 'ClusterProviderConfig', name: target.providerConfig },
      },
    },
  };
}

/** The bucket and what it needs; nothing when the claim turns backups off or the platform's bucket is shared. */
export function backupResources(ctx: ComposeContext, target: BackupTarget): ComposedSet {
  if (!ctx.instance.parameters.backup.enabled) return {};
  if (target.storage === 'bucket') return {};
  const objects = target.storage === 'minio' ? minioObjects(ctx, target) : awsObjects(ctx, target);
  return Object.fromEntries(Object.entries(objects).map(([key, object]) => [key, { object, ready: managedResourceReady(ctx, key) }]));
}
