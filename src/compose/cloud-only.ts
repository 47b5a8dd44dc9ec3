/**
 * What not every engine does, refused in one place: a disk that grows by itself (the cloud services' own autoscaling,
 * or the disk-autogrow Operation for engines whose volumes it can grow) and a backup taken when the instance is
 * deleted (the cloud services' own, or the final-backup Operation for engines whose operator takes one). Also what
 * every engine shares about autogrow: its max must be larger than the disk.
 */
import type { FieldError } from '../api/errors.js';
import type { Parameters } from '../api/schema.js';
import type { DatabaseEngine } from '../engines/engine.js';
import { bytes } from '../util/quantity.js';
import { resolveSize } from './size.js';

export interface Autogrow {
  readonly max: string;
  readonly thresholdPercent: number;
  readonly step?: string;
}

/** The claim's autogrow when it is on (the schema makes `max` present then). */
export function enabledAutogrow(p: Parameters): Autogrow | undefined {
  const a = p.size.autogrow;
  if (!a?.enabled || a.max === undefined) return undefined;
  return { max: a.max, thresholdPercent: a.thresholdPercent, ...(a.step !== undefined ? { step: a.step } : {}) };
}

export function cloudOnlyErrors(p: Parameters, engine: Pick<DatabaseEngine, 'name' | 'hosting' | 'autogrowsVolumes' | 'finalBackup'>): FieldError[] {
  const errors: FieldError[] = [];
  const autogrow = enabledAutogrow(p);
  if (engine.hosting !== 'cloud') {
    if (autogrow && !engine.autogrowsVolumes) {
      errors.push({
        path: 'spec.parameters.size.autogrow.enabled',
        message: `${engine.name} can't grow its disk by itself (its operator's volumes carry no label to find them by): set it to false and raise size.disk when the disk fills`,
      });
    }
    if (p.backup.finalBackupOnDelete === true && engine.finalBackup && !p.backup.enabled) {
      errors.push({
        path: 'spec.parameters.backup.finalBackupOnDelete',
        message: 'a final backup needs somewhere to go: set backup.enabled to true, or remove finalBackupOnDelete',
      });
    }
    if (p.backup.finalBackupOnDelete === true && !engine.finalBackup) {
      errors.push({
        path: 'spec.parameters.backup.finalBackupOnDelete',
        message:
          `${engine.name} takes no backup when the instance is deleted yet: remove it; the backups already in the bucket ` +
          "outlive the instance under the platform's retention (retainAfterDeletionDays)",
      });
    }
  }
  const disk = resolveSize(p).disk;
  if (autogrow && (bytes(autogrow.max) ?? 0) <= (bytes(disk) ?? 0)) {
    errors.push({ path: 'spec.parameters.size.autogrow.max', message: `must be larger than the disk (${disk})` });
  }
  return errors;
}
