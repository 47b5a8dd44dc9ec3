/**
 * Restore and point-in-time recovery: a new cluster bootstrapped (`bootstrap.recovery`) from the object store of
 * another instance in the same namespace, through the Barman Cloud Plugin. The same checks as StackGres, on the same
 * terms: the source must be an instance of this namespace, and it must have a completed backup (the named one, or one
 * that ended before the point in time). Backup objects are made by the operator (from the ScheduledBackup), so they
 * arrive as required resources, as do the clusters a source is looked up among.
 *
 * A deleted instance can be restored from its final backup (backup.finalBackupOnDelete): its ObjectStore went with it,
 * so the new instance composes one of its own (`<name>-origin`) onto the archive the final Backup names.
 */
import type { FieldError } from '../../api/errors.js';
import { labelValue, objectName } from '../../compose/names.js';
import { chooseBackup, type BackupInfo } from '../../compose/restore.js';
import type { ComposeContext, KubeObject } from '../../compose/types.js';
import { FINAL_BACKUP_OF_LABEL, isFinalBackup, noRestoreSource } from '../../compose/final-backup.js';
import { commonLabels } from '../../compose/labels.js';
import { PLUGIN_NAME } from './backup.js';
import { archiveOf, type Archive } from './final-backup.js';
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

/** The backups a live source made: a final backup is of an instance that is gone, even one of the same name. */
export const backups = (ctx: ComposeContext): BackupInfo[] => (ctx.required[REQUIRED_BACKUPS] ?? []).filter((b) => !isFinalBackup(b)).map(backupInfo);

/** The final backups of a deleted instance, every time a claim of that name was deleted. */
const finalBackupsOf = (ctx: ComposeContext, claimName: string): Json[] => (ctx.required[REQUIRED_BACKUPS] ?? []).filter((b) => isFinalBackup(b, claimName));

export const originStoreName = (ctx: ComposeContext): string => objectName(ctx.instance, 'origin');

/** The deleted source's final backup this restore starts from, with its archive; undefined when there is none to use. */
function chosenFinalBackup(ctx: ComposeContext): { backup: Json; archive: Archive } | { problem: FieldError } | undefined {
  const restore = ctx.instance.parameters.restore;
  if (!restore) return undefined;
  const finals = finalBackupsOf(ctx, restore.fromInstance);
  if (finals.length === 0) return undefined;
  const path = 'spec.parameters.restore';
  const field = `${path}.${restore.backupName ? 'backupName' : restore.pointInTime ? 'pointInTime' : 'fromInstance'}`;
  const choice = chooseBackup(finals.map(backupInfo), sourceClusterName(ctx, restore.fromInstance), restore.backupName, restore.pointInTime);
  if (!choice.ok) return { problem: { path: field, message: choice.message } };
  const backup = finals.find((b) => at(b, 'metadata', 'name') === choice.backup.name)!;
  const archive = archiveOf(backup);
  if (!archive) {
    return { problem: { path: field, message: `final backup "${choice.backup.name}" does not say where its archive is (annotation dbaas.dev/archive)` } };
  }
  if (archive.storage === 'minio') {
    const message = `instance "${restore.fromInstance}" kept its backups in a MinIO bucket of its own, whose keys went with it: ask the platform team to restore it`;
    return { problem: { path: `${path}.fromInstance`, message } };
  }
  return { backup, archive };
}

/** The ObjectStore a restore from a deleted instance reads its archive through; kept as made once it exists. */
export function originStore(ctx: ComposeContext, observed: Json | undefined): KubeObject | undefined {
  const restore = ctx.instance.parameters.restore;
  const metadata = (source: string) => ({
    name: originStoreName(ctx),
    namespace: ctx.instance.namespace,
    labels: { ...commonLabels(ctx.instance), [FINAL_BACKUP_OF_LABEL]: labelValue(source) },
  });
  if (observed) {
    const source = scalarText(at(observed, 'metadata', 'labels', FINAL_BACKUP_OF_LABEL));
    return { apiVersion: 'barmancloud.cnpg.io/v1', kind: 'ObjectStore', metadata: metadata(source), spec: at(observed, 'spec') };
  }
  const chosen = restore && ctx.required[REQUIRED_CLUSTERS] && !sourceCluster(ctx, sourceClusterName(ctx, restore.fromInstance)) ? chosenFinalBackup(ctx) : undefined;
  if (!restore || !chosen || 'problem' in chosen) return undefined;
  return { apiVersion: 'barmancloud.cnpg.io/v1', kind: 'ObjectStore', metadata: metadata(restore.fromInstance), spec: { configuration: chosen.archive.configuration } };
}

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
  if (!source) return recoveryFromFinalBackup(ctx, superuserSecretName);
  const archive = sourceArchive(source);
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

/** A restore of a deleted instance: its final backup by Barman's id, through the origin ObjectStore. */
function recoveryFromFinalBackup(ctx: ComposeContext, superuserSecretName: string): { bootstrap: Json; externalClusters: Json[] } | undefined {
  const chosen = chosenFinalBackup(ctx);
  if (!chosen || 'problem' in chosen) return undefined;
  const target: Json = {};
  const id = at(chosen.backup, 'status', 'backupId');
  if (typeof id === 'string' && id !== '') target['backupID'] = id;
  const pointInTime = ctx.instance.parameters.restore?.pointInTime;
  if (pointInTime) target['targetTime'] = pointInTime;
  return {
    bootstrap: { recovery: { source: ORIGIN, ...applicationDatabase(superuserSecretName), ...(Object.keys(target).length > 0 ? { recoveryTarget: target } : {}) } },
    externalClusters: [{ name: ORIGIN, plugin: { name: PLUGIN_NAME, parameters: { barmanObjectName: originStoreName(ctx), serverName: chosen.archive.serverName } } }],
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
    const final = chosenFinalBackup(ctx);
    if (final) return 'problem' in final ? [final.problem] : [];
    return [noRestoreSource(ctx, restore.fromInstance)];
  }
  if (!sourceArchive(source)) {
    return [{ path: `${path}.fromInstance`, message: `instance "${restore.fromInstance}" has no backups configured (backup.enabled is false)` }];
  }
  const choice = chooseBackup(backups(ctx), name, restore.backupName, restore.pointInTime);
  if (choice.ok) return [];
  const field = restore.backupName ? 'backupName' : restore.pointInTime ? 'pointInTime' : 'fromInstance';
  return [{ path: `${path}.${field}`, message: choice.message }];
}
