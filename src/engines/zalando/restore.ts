/**
 * Restore on Zalando is the operator's clone (`spec.clone`): from the source's WAL-G archive up to `pointInTime`, or,
 * without one, a pg_basebackup of the running source (its data as of now). The operator can't pick a named base
 * backup, so `restore.backupName` is refused with a field error that says what to write instead.
 * Where the source archives is read off its own manifest (its `env`, as backup.ts wrote it), so the clone finds the
 * same bucket, folder and keys whatever the platform's storage is today.
 */
import type { FieldError } from '../../api/errors.js';
import { objectName } from '../../compose/names.js';
import type { ComposeContext } from '../../compose/types.js';
import { walPath, type EnvVar } from './backup.js';
import { at, scalarText } from '../../util/observed.js';

type Json = Record<string, unknown>;
export const API_VERSION = 'acid.zalan.do/v1';
export const KIND = 'postgresql';
export const REQUIRED_CLUSTERS = 'zalando-clusters';


const sourceName = (ctx: ComposeContext, claimName: string): string => objectName({ ...ctx.instance, claimName });

function sourceCluster(ctx: ComposeContext): Json | undefined {
  const restore = ctx.instance.parameters.restore;
  if (!restore) return undefined;
  const name = sourceName(ctx, restore.fromInstance);
  return (ctx.required[REQUIRED_CLUSTERS] ?? []).find((c) => at(c, 'metadata', 'name') === name);
}

function envOf(cluster: Json): EnvVar[] {
  const env = at(cluster, 'spec', 'env');
  // observed: keep only well-formed entries (a null or nameless one must not throw)
  return Array.isArray(env) ? (env as unknown[]).filter((e): e is EnvVar => typeof at(e, 'name') === 'string') : [];
}

/** The CRD's timestamp pattern wants a numeric offset: `Z` becomes `+00:00`. */
export const withOffset = (time: string): string => time.replace(/[zZ]$/, '+00:00');

/** `spec.clone` and the `CLONE_*` variables that carry the source archive's keys. */
export function clone(ctx: ComposeContext): { clone: Json; env: EnvVar[] } | undefined {
  const restore = ctx.instance.parameters.restore;
  const source = sourceCluster(ctx);
  if (!restore || !source) return undefined;
  const name = scalarText(at(source, 'metadata', 'name'));
  const uid = at(source, 'metadata', 'uid');
  const spec: Json = { cluster: name, ...(typeof uid === 'string' && uid !== '' ? { uid } : {}) };
  if (!restore.pointInTime) return { clone: spec, env: [] };
  const env = envOf(source);
  const value = (n: string) => {
    const found = env.find((e) => e.name === n)?.value;
    return typeof found === 'string' ? found : undefined;
  };
  const bucket = value('WAL_S3_BUCKET');
  if (!bucket) return undefined;
  const major = at(source, 'spec', 'postgresql', 'version');
  spec['timestamp'] = withOffset(restore.pointInTime);
  spec['s3_wal_path'] = walPath(bucket, value('WAL_BUCKET_SCOPE_PREFIX') ?? '', name, String(major));
  const endpoint = value('AWS_ENDPOINT');
  if (endpoint) {
    spec['s3_endpoint'] = endpoint;
    spec['s3_force_path_style'] = true;
  }
  // The source's keys, by reference: the manifest's own s3_access_key_id fields would hold them in clear text.
  const cloneEnv = env
    .filter((e) => ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'].includes(e.name))
    .map((e) => ({ ...e, name: `CLONE_${e.name}` }));
  return { clone: spec, env: [...cloneEnv, { name: 'CLONE_USE_WALG_RESTORE', value: 'true' }] };
}

/** Checked while the cluster doesn't exist yet and the namespace's clusters were read. */
export function restoreProblems(ctx: ComposeContext): FieldError[] {
  const restore = ctx.instance.parameters.restore;
  if (!restore) return [];
  const path = 'spec.parameters.restore';
  const errors: FieldError[] = [];
  if (restore.backupName) {
    errors.push({
      path: `${path}.backupName`,
      message: "zalando restores to a point in time from the WAL archive, not a named backup: set pointInTime to the backup's end instead",
    });
  }
  if (restore.fromInstance === ctx.instance.claimName) {
    return [...errors, { path: `${path}.fromInstance`, message: 'an instance can not be restored from itself' }];
  }
  if (ctx.required[REQUIRED_CLUSTERS] === undefined) return errors;
  const source = sourceCluster(ctx);
  if (!source) {
    errors.push({ path: `${path}.fromInstance`, message: `there is no zalando instance "${restore.fromInstance}" in namespace ${ctx.instance.namespace}` });
  } else if (restore.pointInTime && !envOf(source).some((e) => e.name === 'WAL_S3_BUCKET' && e.value)) {
    errors.push({ path: `${path}.fromInstance`, message: `instance "${restore.fromInstance}" has no backups configured (backup.enabled is false); without pointInTime it is cloned as it runs` });
  }
  return errors;
}
