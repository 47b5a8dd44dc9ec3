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
