/**
 * RDS' two weekly/daily windows in its own notation: the maintenance window (`ddd:hh24:mi-ddd:hh24:mi`, UTC, the
 * lower-case day names RDS itself answers with, so the provider sees no drift) and the 30-minute daily backup window
 * (`hh24:mi-hh24:mi`). RDS refuses the two when they overlap.
 */
import type { MaintenanceWindow } from '../../compose/maintenance.js';
import { WINDOW_MINUTES } from '../../compose/maintenance.js';
import { WEEKDAYS } from '../../api/weekdays.js';
import { dailyRun } from '../../util/cron.js';

const DAY = 24 * 60;
/** RDS' shortest backup window, minutes. */
export const BACKUP_WINDOW_MINUTES = 30;
const hhmm = (minutes: number) => {
  const m = ((minutes % DAY) + DAY) % DAY;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};
const minutesOf = (timeOfDay: string): number => {
  const [h, m] = timeOfDay.split(':').map(Number) as [number, number];
  return h * 60 + m;
};
const day3 = (index: number) => WEEKDAYS[((index % 7) + 7) % 7]!.slice(0, 3);

/** "sunday 23:30" for an hour → "sun:23:30-mon:00:30". */
export function rdsMaintenanceWindow(w: MaintenanceWindow): string {
  const day = WEEKDAYS.indexOf(w.dayOfWeek);
  const start = minutesOf(w.timeOfDay);
  const end = start + WINDOW_MINUTES;
  return `${day3(day)}:${hhmm(start)}-${day3(day + Math.floor(end / DAY))}:${hhmm(end)}`;
}

/** The start (minutes after midnight) of a schedule that runs once every day; undefined for any other schedule. */
export function dailyStart(schedule: string): number | undefined {
  const run = dailyRun(schedule);
  return run && run.weekdays.length === 7 ? run.minuteOfDay : undefined;
}

/** "02:30-03:00" for a backup window starting at 150 minutes after midnight. */
export const rdsBackupWindow = (start: number): string => `${hhmm(start)}-${hhmm(start + BACKUP_WINDOW_MINUTES)}`;

/** Whether a daily backup window starting at `backupStart` touches the weekly maintenance window on its day. */
export function overlaps(backupStart: number, w: MaintenanceWindow): boolean {
  const start = minutesOf(w.timeOfDay);
  // Compared on a circle of one day: the backup runs every day, the maintenance day among them.
  const distance = (((backupStart - start) % DAY) + DAY) % DAY;
  return distance < WINDOW_MINUTES || distance > DAY - BACKUP_WINDOW_MINUTES;
}

/** The first backup start after the maintenance window ends: where a backup time we picked moves when they meet. */
export const afterWindow = (w: MaintenanceWindow): number => (minutesOf(w.timeOfDay) + WINDOW_MINUTES) % DAY;

/** "HH:MM" just after a 30-minute backup window starting at `backupStart`: where a maintenance window we picked moves. */
export const afterBackup = (backupStart: number): string => hhmm(backupStart + BACKUP_WINDOW_MINUTES);
