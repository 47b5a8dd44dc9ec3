/**
 * The weekly maintenance window of an instance: one hour in which disruptive work may happen (README, "Day two").
 * The claim's `maintenance` when set; else a night of the week and a time between 22:00 and 05:59 UTC picked from a
 * hash of the instance's namespace and name, like the default backup time: spread over the week's nights so a
 * platform's instances are not all disrupted at once, and the same on every reconcile.
 *
 * Kept apart from util/cron.ts on purpose: that file is the backup schedule's cron maths; this is a day and a time.
 */
import { createHash } from 'node:crypto';
import type { Parameters } from '../api/schema.js';
import { WEEKDAYS } from '../api/weekdays.js';
import type { Instance } from '../api/parse.js';

export type Weekday = (typeof WEEKDAYS)[number];

export interface MaintenanceWindow {
  readonly dayOfWeek: Weekday;
  /** "HH:MM", UTC. */
  readonly timeOfDay: string;
  /** Whether the claim chose it (false: picked from the hash). */
  readonly chosen: boolean;
}

/** How long the window lasts. */
export const WINDOW_MINUTES = 60;
const NIGHT_HOURS = [22, 23, 0, 1, 2, 3, 4, 5];
/** Whole quarter hours keep the picked times readable. */
const SLOTS_PER_HOUR = 4;

const two = (n: number) => String(n).padStart(2, '0');

export function maintenanceWindow(instance: Pick<Instance, 'namespace' | 'claimName'>, p: Pick<Parameters, 'maintenance'>): MaintenanceWindow {
  if (p.maintenance) return { ...p.maintenance, chosen: true };
  // Its own hash input: the backup time is picked from `<namespace>/<name>`, this must not follow it step for step.
  const digest = createHash('sha256').update(`maintenance:${instance.namespace}/${instance.claimName}`).digest();
  const slot = digest.readUInt32BE(0) % (WEEKDAYS.length * NIGHT_HOURS.length * SLOTS_PER_HOUR);
  const day = WEEKDAYS[Math.floor(slot / (NIGHT_HOURS.length * SLOTS_PER_HOUR))]!;
  const inNight = slot % (NIGHT_HOURS.length * SLOTS_PER_HOUR);
  const hour = NIGHT_HOURS[Math.floor(inNight / SLOTS_PER_HOUR)]!;
  const minute = (inNight % SLOTS_PER_HOUR) * (60 / SLOTS_PER_HOUR);
  return { dayOfWeek: day, timeOfDay: `${two(hour)}:${two(minute)}`, chosen: false };
}

/** What the status shows, e.g. "sunday 02:30-03:30 UTC". */
export function describeWindow(w: MaintenanceWindow): string {
  const [h, m] = w.timeOfDay.split(':').map(Number) as [number, number];
  const end = (h * 60 + m + WINDOW_MINUTES) % (24 * 60);
  return `${w.dayOfWeek} ${w.timeOfDay}-${two(Math.floor(end / 60))}:${two(end % 60)} UTC`;
}

/** The window's start as five-field cron (UTC, Sunday = 0), for a CronOperation or an operator's own schedule. */
export function windowCron(w: MaintenanceWindow): string {
  const [h, m] = w.timeOfDay.split(':').map(Number) as [number, number];
  return `${m} ${h} * * ${(WEEKDAYS.indexOf(w.dayOfWeek) + 1) % 7}`;
}

export const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * The first start of the window at or after `after`. Computed from a time the operator recorded (when a restart
 * became pending), not from the clock: the same observed state gives the same answer on every reconcile.
 */
export function nextWindowStart(w: MaintenanceWindow, after: Date): Date {
  const [h, m] = w.timeOfDay.split(':').map(Number) as [number, number];
  const day = (WEEKDAYS.indexOf(w.dayOfWeek) + 1) % 7; // Sunday 0, like Date.getUTCDay
  const midnight = Date.UTC(after.getUTCFullYear(), after.getUTCMonth(), after.getUTCDate());
  let start = midnight + ((day - after.getUTCDay() + 7) % 7) * DAY_MS + (h * 60 + m) * MINUTE_MS;
  if (start < after.getTime()) start += 7 * DAY_MS;
  return new Date(start);
}

/** An instant as RFC 3339 in UTC to the second (`2026-12-06T03:00:00Z`), as the status and the operators show it. */
export const utcSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
