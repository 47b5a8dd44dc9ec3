/**
 * Reading StackGres backups (SGBackups, made by the operator, not composed, so they arrive as required resources) into
 * the engine-free `BackupInfo` that compose/restore.ts chooses from; and the SGBackup taken before delete.
 */
import type { BackupInfo } from '../../compose/restore.js';
import type { ComposeContext, KubeObject } from '../../compose/types.js';
import type { BackupOutcome } from '../engine.js';
import { at, scalarText } from '../../util/observed.js';

type Json = Record<string, unknown>;

export function backupInfo(object: Json): BackupInfo {
  const timing = (key: string) => scalarText(at(object, 'status', 'process', 'timing', key));
  return {
    name: scalarText(at(object, 'metadata', 'name')),
    cluster: scalarText(at(object, 'spec', 'sgCluster')),
    status: scalarText(at(object, 'status', 'process', 'status')),
    end: timing('end') || timing('stored'),
  };
}

/** A backup before delete (compose/final-backup.ts). Outside the retention of scheduled backups, like the one before an
 *  upgrade: it stays after the instance until the bucket's own retention removes it. */
export function finalBackup(ctx: ComposeContext, name: string, clusterName: string): KubeObject {
  return {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGBackup',
    metadata: { name, namespace: ctx.instance.namespace },
    spec: { sgCluster: clusterName, managedLifecycle: false },
  };
}

export function backupOutcome(backup: Json): BackupOutcome {
  const status = scalarText(at(backup, 'status', 'process', 'status'));
  if (status === 'Completed') return { state: 'completed' };
  if (status === 'Failed') return { state: 'failed', reason: scalarText(at(backup, 'status', 'process', 'failure')) || 'no reason given' };
  return { state: 'running' };
}
