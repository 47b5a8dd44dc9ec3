/**
 * Restore and point-in-time recovery: a new cluster bootstrapped (`bootstrap.recovery`) from the object store of
 * another instance in the same namespace, through the Barman Cloud Plugin. The same checks as StackGres, on the same
 * terms: the source must be an instance of this namespace, and it must have a completed backup (the named one, or one
 * that ended before the point in time). Backup objects are made by the operator (from the ScheduledBackup), so they
 * arrive as required resources, as do the clusters a source is looked up among.
 */
import type { FieldError } from '../../api/errors.js';
import { objectName } from '../../compose/names.js';
import { chooseBackup, type BackupInfo } from '../../compose/restore.js';
import type { ComposeContext } from '../../compose/types.js';
import { PLUGIN_NAME } from './backup.js';
import { at, scalarText } from '../../util/observed.js';

type Json = Record<string, unknown>;
export const API_VERSION = 'postgresql.cnpg.io/v1';
export const REQUIRED_BACKUPS = 'cnpg-backups';
export const REQUIRED_CLUSTERS = 'cnpg-clusters';
/** The name the recovery source goes by in `externalClusters`. */
const ORIGIN = 'origin';

/** A CloudNativePG Backup in the terms compose/restore.ts chooses by. */
export function backupInfo(object: Json): BackupInfo {
  const phase = scalarText(at(object, 'status', 'phase'));
  return {
    name: scalarText(at(object, 'metadata', 'name')),
    cluster: scalarText(at(object, 'spec', 'cluster', 'name')),
    status: phase === 'completed' ? 'Completed' : phase,
    end: scalarText(at(object, 'status', 'stoppedAt')),
  };
}

export const backups = (ctx: ComposeContext): BackupInfo[] => (ctx.required[REQUIRED_BACKUPS] ?? []).map(backupInfo);

export const sourceClusterName = (ctx: ComposeContext, claimName: string): string => objectName({ ...ctx.instance, claimName });

function sourceCluster(ctx: ComposeContext, name: string): Json | undefined {
  return (ctx.required[REQUIRED_CLUSTERS] ?? []).find((c) => at(c, 'metadata', 'name') === name);
}

/** Where the source archives: the ObjectStore and server name its own plugin entry names. */
function sourceArchive(cluster: Json): { barmanObjectName: string; serverName: string } | undefined {
  const plugins = at(cluster, 'spec', 'plugins');
  const entry = Array.isArray(plugins) ? (plugins as unknown[]).find((p) => at(p, 'name') === PLUGIN_NAME) : undefined;
  const parameters = (at(entry, 'parameters') ?? {}) as Json;
  const barmanObjectName = parameters['barmanObjectName'];
  if (typeof barmanObjectName !== 'string' || barmanObjectName === '') return undefined;
  const serverName = typeof parameters['serverName'] === 'string' ? parameters['serverName'] : scalarText(at(cluster, 'metadata', 'name'));
  return { barmanObjectName, serverName };
}

/** The bootstrap and external cluster of a restore, or undefined when the claim restores nothing (or can't yet). */
export function recovery(ctx: ComposeContext, superuserSecretName: string): { bootstrap: Json; externalClusters: Json[] } | undefined {
  const restore = ctx.instance.parameters.restore;
  if (!restore) return undefined;
  const source = sourceCluster(ctx, sourceClusterName(ctx, restore.fromInstance));
  const archive = source && sourceArchive(source);
  if (!archive) return undefined;
  const recovery: Json = { source: ORIGIN, ...applicationDatabase(superuserSecretName) };
  const target: Json = {};
  if (restore.backupName) {
    // Barman's id of the named backup, from its Backup object; without a point in time, recovery stops where that
    // backup became consistent, as a StackGres restore of a named backup does.
    const named = (ctx.required[REQUIRED_BACKUPS] ?? []).find((b) => at(b, 'metadata', 'name') === restore.backupName);
    const id = at(named, 'status', 'backupId');
    if (typeof id === 'string' && id !== '') target['backupID'] = id;
    else recovery['backup'] = { name: restore.backupName };
    if (!restore.pointInTime) target['targetImmediate'] = true;
  }
  if (restore.pointInTime) target['targetTime'] = restore.pointInTime;
  if (Object.keys(target).length > 0) recovery['recoveryTarget'] = target;
  return {
    bootstrap: { recovery },
    externalClusters: [{ name: ORIGIN, plugin: { name: PLUGIN_NAME, parameters: archive } }],
  };
}

/**
 * CloudNativePG makes an application database and owner at bootstrap (`app`/`app` by default) and keeps resetting that
 * owner's password from a Secret. The application role and its database are provider-sql's here, on every engine alike,
 * so the bootstrap is pointed at what exists anyway: database `postgres`, owner `postgres`, with our superuser Secret.
 * CloudNativePG then creates nothing (both exist), makes no `-app` Secret, and its password reconciliation sets the
 * superuser's password to the one our Secret already holds.
 */
export function applicationDatabase(superuserSecretName: string): Json {
  return { database: 'postgres', owner: 'postgres', secret: { name: superuserSecretName } };
}

/** Checked while the cluster doesn't exist yet and its source and backups were read. */
export function restoreProblems(ctx: ComposeContext): FieldError[] {
  const restore = ctx.instance.parameters.restore;
  if (!restore) return [];
  const path = 'spec.parameters.restore';
  if (restore.fromInstance === ctx.instance.claimName) {
    return [{ path: `${path}.fromInstance`, message: 'an instance can not be restored from itself' }];
  }
  const name = sourceClusterName(ctx, restore.fromInstance);
  const source = sourceCluster(ctx, name);
  if (!source) {
    return [{ path: `${path}.fromInstance`, message: `there is no instance "${restore.fromInstance}" in namespace ${ctx.instance.namespace}` }];
  }
  if (!sourceArchive(source)) {
    return [{ path: `${path}.fromInstance`, message: `instance "${restore.fromInstance}" has no backups configured (backup.enabled is false)` }];
  }
  const choice = chooseBackup(backups(ctx), name, restore.backupName, restore.pointInTime);
  if (choice.ok) return [];
  const field = restore.backupName ? 'backupName' : restore.pointInTime ? 'pointInTime' : 'fromInstance';
  return [{ path: `${path}.${field}`, message: choice.message }];
}
