import { createHash } from 'node:crypto';
import { memoize } from './memo.js';

/**
 * Just enough cron for backups: how often a schedule runs (to size retention), the longest gap between two runs (for
 * the backup alert), and a stable night-time default per instance.
 *
 * How long a five-field cron schedule can leave between two runs. The backup alert fires when the last good backup
 * is older than twice that, so what matters is the longest gap, not the average: `0 3 * * 1-5` runs daily on weekdays
 * but leaves three days over the weekend. (The average, 1.4 days there, is right for counting backups to retain and too
 * short for an alert, which would fire every Monday.)
 */

export const DAY_SECONDS = 86_400;
const MINUTES_PER_DAY = 1_440;
/** Four years from a fixed date: every month length and a leap year, and the same answer on every call. */
const SPAN_DAYS = 4 * 365 + 1;
const SPAN_START = Date.UTC(2024, 0, 1);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}
const MINUTE: Field = { min: 0, max: 59 };
const HOUR: Field = { min: 0, max: 23 };
const DAY_OF_MONTH: Field = { min: 1, max: 31 };
const MONTH: Field = { min: 1, max: 12, names: MONTHS };
/** 7 is Sunday too, as in Vixie cron and Kubernetes CronJobs. */
const DAY_OF_WEEK: Field = { min: 0, max: 7, names: WEEKDAYS };

function value(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return named + (field === MONTH ? 1 : 0);
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}

/** One comma-separated part: `*`, `n`, `a-b`, each optionally `/step`. Undefined when it isn't one of those. */
function part(text: string, field: Field): number[] | undefined {
  const [range = '', stepText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) return undefined;
  let from: number | undefined = field.min;
  let to: number | undefined = field.max;
  if (range !== '*') {
    const [a = '', b] = range.split('-');
    from = value(a, field);
    // `5/15` means from 5 to the end in steps of 15.
    to = b === undefined ? (stepText === undefined ? from : field.max) : value(b, field);
  }
  if (from === undefined || to === undefined || from > to) return undefined;
  const out: number[] = [];
  for (let n = from; n <= to; n += step) out.push(n);
  return out;
}

function parseField(text: string, field: Field): Set<number> | undefined {
  const values = new Set<number>();
  for (const p of text.split(',')) {
    const parsed = part(p, field);
    if (!parsed) return undefined;
    parsed.forEach((n) => values.add(n));
  }
  return values;
}

interface Schedule {
  /** Minutes after midnight the schedule runs at, ascending. */
  readonly times: number[];
  readonly runsOn: (day: Date) => boolean;
}

function parseSchedule(schedule: string): Schedule | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [minuteText, hourText, domText, monthText, dowText] = fields as [string, string, string, string, string];
  const minutes = parseField(minuteText, MINUTE);
  const hours = parseField(hourText, HOUR);
  const doms = parseField(domText, DAY_OF_MONTH);
  const months = parseField(monthText, MONTH);
  const dows = parseField(dowText, DAY_OF_WEEK);
  if (!minutes || !hours || !doms || !months || !dows) return undefined;
  if (dows.has(7)) dows.add(0);
  const times = [...hours].flatMap((h) => [...minutes].map((m) => h * 60 + m)).sort((a, b) => a - b);
  // Cron's rule: when both day fields are restricted, a day matching either one runs.
  const domStar = domText.startsWith('*');
  const dowStar = dowText.startsWith('*');
  const runsOn = (day: Date): boolean => {
    if (!months.has(day.getUTCMonth() + 1)) return false;
    const dom = doms.has(day.getUTCDate());
    const dow = dows.has(day.getUTCDay());
    if (domStar || dowStar) return dom && dow;
    return dom || dow;
  };
  return { times, runsOn };
}

/**
 * The longest time in seconds between two runs of `schedule`; a day when the schedule can't be read or never runs
 * (`0 0 31 2 *`), which is what a nightly schedule chosen for the claim gives too.
 */
export function cronIntervalSeconds(schedule: string): number {
  return intervals(schedule);
}

// Both answers walk four years of days; every reconcile asks again for the same few schedules.
const intervals = memoize(longestGapSeconds, 1024);
const rates = memoize(averageRunsPerDay, 1024);

function longestGapSeconds(schedule: string): number {
  const parsed = parseSchedule(schedule);
  if (!parsed || parsed.times.length === 0) return DAY_SECONDS;
  const { times, runsOn } = parsed;
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  let lastRun: number | undefined;
  let runDays = 0;
  for (let d = 0; d < SPAN_DAYS; d++) {
    if (!runsOn(new Date(SPAN_START + d * DAY_SECONDS * 1000))) continue;
    const first = d * MINUTES_PER_DAY + times[0]!;
    if (lastRun !== undefined) longest = Math.max(longest, first - lastRun);
    lastRun = d * MINUTES_PER_DAY + times[times.length - 1]!;
    runDays++;
  }
  // Runs on one day in four years (`0 0 29 2 *`): too rare to measure a gap; say a day.
  if (runDays < 2) return DAY_SECONDS;
  return longest * 60;
}

/** Runs per day, averaged over four years: retention in days times this is the number of base backups to keep. */
export function runsPerDay(schedule: string): number {
  return rates(schedule);
}

function averageRunsPerDay(schedule: string): number {
  const parsed = parseSchedule(schedule);
  if (!parsed || parsed.times.length === 0) return 1;
  let runDays = 0;
  for (let d = 0; d < SPAN_DAYS; d++) if (parsed.runsOn(new Date(SPAN_START + d * DAY_SECONDS * 1000))) runDays++;
  return (runDays * parsed.times.length) / SPAN_DAYS;
}

const NIGHT_HOURS = [22, 23, 0, 1, 2, 3, 4, 5];

/** A time between 22:00 and 05:59 UTC picked from the instance's identity: spread, and the same on every reconcile. */
export function nightlySchedule(identity: string): string {
  const slot = createHash('sha256').update(identity).digest().readUInt32BE(0) % (NIGHT_HOURS.length * 60);
  return `${slot % 60} ${NIGHT_HOURS[Math.floor(slot / 60)]} * * *`;
}
