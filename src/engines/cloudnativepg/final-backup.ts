/**
 * CloudNativePG's side of a backup before delete (compose/final-backup.ts): a Backup through the Barman Cloud Plugin,
 * which carries where its archive is (ARCHIVE_ANNOTATION). The instance's ObjectStore goes with it, so a restore from
 * a deleted instance reads that annotation to make an ObjectStore of its own onto the same archive (restore.ts).
 */
import type { BackupTarget } from '../../compose/backup.js';
import type { ComposeContext, KubeObject } from '../../compose/types.js';
import { at, scalarText } from '../../util/observed.js';
import type { BackupOutcome } from '../engine.js';
import { archivingServerName, objectStore, PLUGIN_NAME } from './backup.js';

type Json = Record<string, unknown>;

export const ARCHIVE_ANNOTATION = 'dbaas.dev/archive';

/** Where a final backup's archive is: the ObjectStore's `configuration` and the server name inside it. */
export interface Archive {
  readonly configuration: Json;
  readonly serverName: string;
  /** Per-instance MinIO buckets give their keys to a Secret that goes with the instance. */
  readonly storage: BackupTarget['storage'];
}

export function finalBackup(ctx: ComposeContext, target: BackupTarget, name: string, clusterName: string, observedCluster: Json | undefined): KubeObject {
  const store = objectStore(ctx, target);
  const archive: Archive = {
    configuration: (store['spec'] as { configuration: Json }).configuration,
    serverName: archivingServerName(ctx, observedCluster),
    storage: target.storage,
  };
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: { name, namespace: ctx.instance.namespace, annotations: { [ARCHIVE_ANNOTATION]: JSON.stringify(archive) } },
    spec: { cluster: { name: clusterName }, method: 'plugin', pluginConfiguration: { name: PLUGIN_NAME } },
  };
}

export function backupOutcome(backup: Json): BackupOutcome {
  const phase = scalarText(at(backup, 'status', 'phase'));
  if (phase === 'completed') return { state: 'completed' };
  if (phase === 'failed') return { state: 'failed', reason: scalarText(at(backup, 'status', 'error')) || 'no reason given' };
  return { state: 'running' };
}

/** The archive a final backup names, when it names one that reads. */
export function archiveOf(backup: Json): Archive | undefined {
  const text = at(backup, 'metadata', 'annotations', ARCHIVE_ANNOTATION);
  if (typeof text !== 'string') return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<Archive>;
    if (typeof parsed.configuration !== 'object' || parsed.configuration === null || typeof parsed.serverName !== 'string') return undefined;
    return { configuration: parsed.configuration, serverName: parsed.serverName, storage: parsed.storage ?? 'bucket' };
  } catch {
    return undefined;
  }
}
