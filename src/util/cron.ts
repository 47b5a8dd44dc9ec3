import { createHash } from 'node:crypto';
import { Cron } from 'croner';
import { memoize } from './memo.js';

/**
 * The one place that reads cron: whether a claim's `backup.schedule` is one the operators take, how often it runs (to
 * size retention), the longest gap between two runs (for the backup alert), and a stable night-time default per
 * instance. Parsing and run enumeration are croner's; this module chooses the subset a claim may use, has croner read
 * it as the operators do, and fixes the span of time runs are enumerated over.
 *
 * What matters for the alert is the longest gap, not the average: `0 3 * * 1-5` runs daily on weekdays but leaves
 * three days over the weekend. (The average, 1.4 days there, is right for counting backups to retain and too short
 * for an alert, which would fire every Monday.)
 */

export const DAY_SECONDS = 86_400;
const DAY_MS = DAY_SECONDS * 1000;
const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1_440;
/** Four years from a fixed instant: every month length and a leap year, and the same answer on every call, whatever
 *  the clock says. */
const SPAN_DAYS = 4 * 365 + 1;
const SPAN_START = Date.UTC(2024, 0, 1);
const SPAN_END = SPAN_START + SPAN_DAYS * DAY_MS;

/**
 * Five fields, UTC. `utcOffset: 0` keeps croner on plain UTC arithmetic (a named zone goes through Intl on every
 * step); `sloppyRanges` takes `5/15` (from 5 in steps of 15), as robfig/cron does.
 */
function job(schedule: string): Cron {
  return new Cron(schedule, { utcOffset: 0, mode: '5-part', sloppyRanges: true });
}

/** The next run strictly after `after` (croner never reads the clock when given the instant to start from). */
function nextRun(cron: Cron, after: number): number | undefined {
  return cron.nextRun(new Date(after))?.getTime();
}

/** The cron fields in order, with the values each takes and how many croner counts (7 is Sunday again). */
const FIELDS = [
  { name: 'minute', min: 0, max: 59, size: 60 },
  { name: 'hour', min: 0, max: 23, size: 24 },
  { name: 'day of month', min: 1, max: 31, size: 31 },
  { name: 'month', min: 1, max: 12, size: 12 },
  { name: 'day of week', min: 0, max: 7, size: 7 },
] as const;

/**
 * What every parser downstream takes (Kubernetes CronJobs for StackGres, robfig/cron for CloudNativePG, croner here):
 * `*`, numbers, ranges, lists and steps. Names (`MON`), `?`, `L`, `W`, `#` and `@daily` are croner extensions or
 * not understood by all of them, so a claim can't use them.
 */
const PORTABLE_PART = /^(\*|\d+(-\d+)?)(\/\d+)?$/;

/**
 * A field as croner should read it to mean what it means to the operators, which both parse with robfig/cron:
 * - a list holding a star (alone or in steps of 1) is every value, and counts as a star where day of month meets day
 *   of week (robfig ANDs the two day fields when either is a star and ORs them otherwise; croner looks for a bare `*`);
 * - a step longer than the field selects just its start (robfig takes it; croner refuses it), so it is cut to the
 *   field's size, which selects the same.
 */
function forCroner(field: string, size: number): string {
  if (field.split(',').some((part) => part === '*' || part === '*/1')) return '*';
  return field.replace(/\/(\d+)/g, (_, step: string) => `/${Math.min(Number(step), size)}`);
}

/** Croner checks only the values a step lands on (`55-65/20` passes): the range without its step must parse too. */
const withoutSteps = (field: string): string => field.replace(/\/\d+/g, '');

function fieldsOf(schedule: string): string[] | undefined {
  const fields = schedule.trim().split(/\s+/);
  return fields.length === FIELDS.length ? fields : undefined;
}

/** Why `schedule` is not a five-field cron schedule the operators accept, naming the cron field; undefined when it is. */
export const cronProblem = memoize((schedule: string): string | undefined => {
  const fields = fieldsOf(schedule);
  if (!fields) return 'must have five fields: minute hour day-of-month month day-of-week';
  for (const [i, field] of fields.entries()) {
    const { name, min, max, size } = FIELDS[i]!;
    const part = field.split(',').find((p) => !PORTABLE_PART.test(p));
    if (part !== undefined) return `${name} "${part}" is not a number, range, list or step`;
    // Field by field, so that the message names ours: croner's names its own, and counts days and months from 0.
    const alone = (text: string) => fields.map((_, j) => (j === i ? text : '*')).join(' ');
    const problem = parseError(alone(withoutSteps(field))) ?? parseError(alone(forCroner(field, size)));
    if (problem instanceof RangeError) return `${name} "${field}" is outside ${min}-${max}`;
    if (problem !== undefined) return `${name} "${field}": ${reason(problem)}`;
  }
  const problem = parseError(fields.map((field, i) => forCroner(field, FIELDS[i]!.size)).join(' '));
  return problem === undefined ? undefined : reason(problem);
}, 1024);

function parseError(schedule: string): unknown {
  try {
    job(schedule);
    return undefined;
  } catch (error) {
    return error;
  }
}

function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: (Syntax error, )?/, '');
}

/**
 * A five-field schedule runs at the same times on every day it runs (minute and hour don't depend on the date, and
 * UTC has no daylight saving), so it splits into the times of one day and the days it runs on. Every nightly default
 * shares its days (`* * *`) with the others, so each half is enumerated once and remembered.
 */
interface Shape {
  /** Minutes after midnight, ascending. */
  readonly times: readonly number[];
  readonly days: RunDays;
}

interface RunDays {
  /** Days within the span the schedule runs on. */
  readonly count: number;
  /** The most days from one run day to the next, within the span. */
  readonly longestGap: number;
}

function shape(schedule: string): Shape | undefined {
  const fields = fieldsOf(schedule)?.map((field, i) => forCroner(field, FIELDS[i]!.size));
  if (!fields || parseError(fields.join(' ')) !== undefined) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  return { times: timesOfDay(`${minute} ${hour}`), days: runDays(`${dayOfMonth} ${month} ${dayOfWeek}`) };
}

const timesOfDay = memoize((minuteHour: string): readonly number[] => {
  const cron = job(`${minuteHour} * * *`);
  const times: number[] = [];
  for (let at = nextRun(cron, SPAN_START - 1); at !== undefined && at < SPAN_START + DAY_MS; at = nextRun(cron, at)) {
    times.push((at - SPAN_START) / MINUTE_MS);
  }
  return times;
}, 1024);

const runDays = memoize((days: string): RunDays => {
  const cron = job(`0 0 ${days}`);
  let count = 0;
  let longestGap = 0;
  let previous: number | undefined;
  for (let at = nextRun(cron, SPAN_START - 1); at !== undefined && at < SPAN_END; at = nextRun(cron, at)) {
    if (previous !== undefined) longestGap = Math.max(longestGap, (at - previous) / DAY_MS);
    previous = at;
    count++;
  }
  return { count, longestGap };
}, 1024);

/**
 * The longest time in seconds between two runs of `schedule`; a day when the schedule can't be read or runs on fewer
 * than two days in four years (`0 0 31 2 *`, `0 0 29 2 *`), which is what a nightly schedule chosen for the claim
 * gives too.
 */
export const cronIntervalSeconds = memoize((schedule: string): number => {
  const s = shape(schedule);
  if (!s || s.times.length === 0 || s.days.count < 2) return DAY_SECONDS;
  const { times, days } = s;
  let longest = days.longestGap * MINUTES_PER_DAY + times[0]! - times[times.length - 1]!;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  return longest * 60;
}, 1024);

/** Runs per day, averaged over four years: retention in days times this is the number of base backups to keep. */
export const runsPerDay = memoize((schedule: string): number => {
  const s = shape(schedule);
  if (!s || s.times.length === 0) return 1;
  return (s.days.count * s.times.length) / SPAN_DAYS;
}, 1024);

/**
 * A schedule the clouds' backup windows can say: one run a day, at one time, on whole weekdays (day of month and month
 * `*`). Its minute after midnight and its weekdays, 1 = Monday … 7 = Sunday (the first week of the span starts on a
 * Monday); undefined for anything else.
 */
export const dailyRun = memoize((schedule: string): { readonly minuteOfDay: number; readonly weekdays: readonly number[] } | undefined => {
  if (cronProblem(schedule) !== undefined) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fieldsOf(schedule)!.map((field, i) => forCroner(field, FIELDS[i]!.size)) as [string, string, string, string, string];
  if (dayOfMonth !== '*' || month !== '*') return undefined;
  const times = timesOfDay(`${minute} ${hour}`);
  if (times.length !== 1) return undefined;
  const cron = job(`0 0 * * ${dayOfWeek}`);
  const weekdays: number[] = [];
  for (let at = nextRun(cron, SPAN_START - 1); at !== undefined && at < SPAN_START + 7 * DAY_MS; at = nextRun(cron, at)) {
    weekdays.push((at - SPAN_START) / DAY_MS + 1);
  }
  return { minuteOfDay: times[0]!, weekdays };
}, 1024);

const NIGHT_HOURS = [22, 23, 0, 1, 2, 3, 4, 5];

/** A time between 22:00 and 05:59 UTC picked from the instance's identity: spread, and the same on every reconcile. */
export function nightlySchedule(identity: string): string {
  const slot = createHash('sha256').update(identity).digest().readUInt32BE(0) % (NIGHT_HOURS.length * 60);
  return `${slot % 60} ${NIGHT_HOURS[Math.floor(slot / 60)]} * * *`;
}

/**
 * The schedule as robfig/cron reads it, which both operators run (Kubernetes CronJobs for StackGres, CloudNativePG's
 * ScheduledBackup): day-of-week 0–6 only, so `7` and ranges ending in 7 become Sunday as 0; everything else is passed
 * through as it is.
 */
export function withSundayAsZero(schedule: string): string {
  const fields = schedule.trim().split(/\s+/);
  const dayOfWeek = fields[4];
  if (dayOfWeek !== undefined) fields[4] = dayOfWeek.split(',').map(sundayAsZero).join(',');
  return fields.join(' ');
}

function sundayAsZero(part: string): string {
  if (part === '7') return '0';
  const range = /^(\d+)-7(\/\d+)?$/.exec(part);
  if (!range) return part;
  const from = Number(range[1]);
  // `n-7/step` keeps its step within n-6; Sunday joins only when the step lands on 7.
  if (range[2]) {
    const step = Number(range[2].slice(1));
    return (7 - from) % step === 0 ? `${from}-6${range[2]},0` : `${from}-6${range[2]}`;
  }
  return from === 7 ? '0' : `${from}-6,0`;
}
