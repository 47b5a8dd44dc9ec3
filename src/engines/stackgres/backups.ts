/**
 * Reading StackGres backups (SGBackups, made by the operator, not composed, so they arrive as required resources) into
 * the engine-free `BackupInfo` that compose/restore.ts chooses from.
 */
import type { BackupInfo } from '../../compose/restore.js';
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
