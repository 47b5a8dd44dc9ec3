/**
 * Choosing among an instance's backups, whatever engine made them: the last successful one (for its status), and the
 * one a restore starts from. Each engine reads its own backup objects into `BackupInfo`.
 */
export interface BackupInfo {
  readonly name: string;
  readonly cluster: string;
  readonly status: string;
  /** When the backup ended, RFC 3339; empty while running. */
  readonly end: string;
}

const completed = (b: BackupInfo) => b.status === 'Completed' && b.end !== '';
const byEnd = (a: BackupInfo, b: BackupInfo) => Date.parse(a.end) - Date.parse(b.end) || (a.name < b.name ? -1 : 1);

export function lastSuccessfulBackup(backups: readonly BackupInfo[], cluster: string): BackupInfo | undefined {
  return backups.filter((b) => b.cluster === cluster && completed(b)).sort(byEnd).at(-1);
}

export type BackupChoice = { readonly ok: true; readonly backup: BackupInfo } | { readonly ok: false; readonly message: string };

/** The named backup, or for a point in time the last one that ended before it, or else the latest. */
export function chooseBackup(backups: readonly BackupInfo[], cluster: string, name?: string, pointInTime?: string): BackupChoice {
  const usable = backups.filter((b) => b.cluster === cluster && completed(b)).sort(byEnd);
  if (name !== undefined) {
    const named = backups.find((b) => b.name === name && b.cluster === cluster);
    if (!named) return { ok: false, message: `instance "${cluster}" has no backup "${name}"` };
    if (!completed(named)) return { ok: false, message: `backup "${name}" is ${named.status || 'not finished'}, not Completed` };
    if (pointInTime !== undefined && Date.parse(named.end) > Date.parse(pointInTime)) {
      return { ok: false, message: `backup "${name}" ended at ${named.end}, after the point in time ${pointInTime}` };
    }
    return { ok: true, backup: named };
  }
  const candidates = pointInTime === undefined ? usable : usable.filter((b) => Date.parse(b.end) <= Date.parse(pointInTime));
  const chosen = candidates.at(-1);
  if (!chosen) {
    const when = pointInTime === undefined ? '' : ` that ended before ${pointInTime}`;
    return { ok: false, message: `instance "${cluster}" has no successful backup${when} yet` };
  }
  return { ok: true, backup: chosen };
}

/**
 * What an existing cluster was made from, as its engine reads it off the observed object. A field left undefined is
 * one the engine can't tell (then nothing is refused for it: an unchanged claim must never become an error).
 */
export interface RestoreOrigin {
  /** false: the cluster was bootstrapped empty, not from a backup. */
  readonly restored: boolean;
  /** How the message names the origin, e.g. `the instance was created from backup "x"`. */
  readonly made: string;
  /** The claim's `fromInstance` is the instance the cluster was restored from. */
  readonly sameSource?: boolean;
  /** The claim's `backupName` (when it names one) is the backup the cluster was restored from. */
  readonly sameBackup?: boolean;
  /** The point in time the cluster recovered to, if any. */
  readonly pointInTime?: string;
}

interface RestoreRequest {
  readonly fromInstance: string;
  readonly backupName?: string | undefined;
  readonly pointInTime?: string | undefined;
}

/**
 * A restore is read when the cluster is created. Afterwards the claim may drop it, but not add or change it: the
 * cluster was made from what its bootstrap says, and a claim saying otherwise would be silently ignored.
 */
export function restoreChanges(restore: RestoreRequest | undefined, origin: RestoreOrigin): { path: string; message: string }[] {
  if (!restore) return [];
  const path = 'spec.parameters.restore';
  if (!origin.restored) {
    return [{ path, message: 'the instance exists and was not created from a backup; a restore is read only at creation: remove it, or restore into a new instance' }];
  }
  const errors: { path: string; message: string }[] = [];
  if (origin.sameSource === false) {
    errors.push({ path: `${path}.fromInstance`, message: `${origin.made}, not from instance "${restore.fromInstance}"; a restore is read only at creation` });
  }
  if (restore.backupName !== undefined && origin.sameBackup === false) {
    errors.push({ path: `${path}.backupName`, message: `${origin.made}; a restore is read only at creation` });
  }
  if ((restore.pointInTime ?? undefined) !== (origin.pointInTime ?? undefined)) {
    errors.push({ path: `${path}.pointInTime`, message: `${origin.made}${origin.pointInTime ? ` up to ${origin.pointInTime}` : ''}; a restore is read only at creation` });
  }
  return errors;
}
