/**
 * Reading StackGres backups (SGBackups, made by the operator, not composed, so they arrive as required resources) into
 * the engine-free `BackupInfo` that compose/restore.ts chooses from.
 */
import type { BackupInfo } from '../../compose/restore.js';

type Json = Record<string, unknown>;

export function backupInfo(object: Json): BackupInfo {
  const process = ((object['status'] as Json | undefined)?.['process'] ?? {}) as Json;
  const timing = (process['timing'] ?? {}) as Json;
  return {
    name: String((object['metadata'] as Json | undefined)?.['name'] ?? ''),
    cluster: String((object['spec'] as Json | undefined)?.['sgCluster'] ?? ''),
    status: String(process['status'] ?? ''),
    end: String(timing['end'] ?? timing['stored'] ?? ''),
  };
}
