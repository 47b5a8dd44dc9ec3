/**
 * Continuous backups through Spilo's WAL-G, configured per cluster in the manifest's `env` (which takes precedence
 * over the operator's pod environment). Spilo archives WAL to `s3://<bucket>/spilo/<scope prefix><cluster>/wal/<major>`
 * and takes base backups from its own crontab (`BACKUP_SCHEDULE`), keeping `BACKUP_NUM_TO_RETAIN` of them.
 *
 * The scope suffix is set empty so the operator doesn't append the cluster's uid: the path must be computable from the
 * claim for a restore. The scope prefix is the XR's name (or the shared bucket's per-instance folder), so a claim
 * deleted and made again under the same name archives beside the old backups instead of into them.
 */
import type { BackupTarget } from '../../compose/backup.js';
import type { ComposeContext } from '../../compose/types.js';
import { runsPerDay } from '../../util/cron.js';

type Json = Record<string, unknown>;
export type EnvVar = { name: string; value?: string; valueFrom?: Json };

export const scopePrefix = (ctx: ComposeContext, target: BackupTarget): string => `${target.prefix || ctx.instance.xrName}/`;

/** The archive of a cluster, as Spilo lays it out (configure_spilo.py, WALE_S3_PREFIX). */
export const walPath = (bucket: string, prefix: string, cluster: string, major: number | string): string =>
  `s3://${bucket}/spilo/${prefix}${cluster}/wal/${major}`;

const secretRef = (name: string, key: string): Json => ({ secretKeyRef: { name, key } });

/** Enough base backups to cover the retention in days at the schedule's rate, as on StackGres. */
export function retainedBackups(target: BackupTarget): number {
  return Math.max(1, Math.ceil(target.retentionDays * runsPerDay(target.schedule)));
}

/** The S3 connection variables, under the given name prefix (`` for the cluster's own, `CLONE_` for a restore's source). */
export function s3Env(target: Pick<BackupTarget, 'region' | 'endpoint' | 'credentials'>, prefix = ''): EnvVar[] {
  const env: EnvVar[] = [{ name: `${prefix}AWS_REGION`, value: target.region }];
  if (target.endpoint !== undefined) {
    env.push({ name: `${prefix}AWS_ENDPOINT`, value: target.endpoint }, { name: `${prefix}AWS_S3_FORCE_PATH_STYLE`, value: 'true' });
  }
  if (target.credentials) {
    env.push(
      { name: `${prefix}AWS_ACCESS_KEY_ID`, valueFrom: secretRef(target.credentials.secretName, target.credentials.accessKeyId) },
      { name: `${prefix}AWS_SECRET_ACCESS_KEY`, valueFrom: secretRef(target.credentials.secretName, target.credentials.secretAccessKey) },
    );
  }
  return env;
}

export function backupEnv(ctx: ComposeContext, target: BackupTarget): EnvVar[] {
  return [
    { name: 'WAL_S3_BUCKET', value: target.bucket },
    { name: 'WAL_BUCKET_SCOPE_PREFIX', value: scopePrefix(ctx, target) },
    { name: 'WAL_BUCKET_SCOPE_SUFFIX', value: '' },
    { name: 'USE_WALG_BACKUP', value: 'true' },
    { name: 'USE_WALG_RESTORE', value: 'true' },
    { name: 'BACKUP_SCHEDULE', value: target.schedule },
    { name: 'BACKUP_NUM_TO_RETAIN', value: String(retainedBackups(target)) },
    // An S3-compatible store (MinIO) has no KMS for server-side encryption.
    ...(target.endpoint !== undefined ? [{ name: 'WALG_DISABLE_S3_SSE', value: 'true' }] : []),
    ...s3Env(target),
  ];
}
