/** Just enough cron for backups: how often a schedule runs, and a stable night-time default per instance. */
import { createHash } from 'node:crypto';

function valuesIn(field: string, min: number, max: number): number {
  let count = 0;
  for (let v = min; v <= max; v++) {
    if (field.split(',').some((part) => matches(part, v, min, max))) count++;
  }
  return count;
}

function matches(part: string, value: number, min: number, max: number): boolean {
  const [range = '*', stepText] = part.split('/');
  const step = stepText === undefined ? 1 : Number(stepText);
  const [from, to] = range === '*' ? [min, max] : range.includes('-') ? range.split('-').map(Number) : [Number(range), stepText ? max : Number(range)];
  return value >= from! && value <= to! && (value - from!) % step === 0;
}

/** Runs per day of a five-field schedule, from its minute and hour fields (day fields only make it rarer). */
export function runsPerDay(schedule: string): number {
  const [minute = '0', hour = '0', dayOfMonth = '*', , dayOfWeek = '*'] = schedule.trim().split(/\s+/);
  const daily = valuesIn(minute, 0, 59) * valuesIn(hour, 0, 23);
  if (dayOfWeek !== '*' && dayOfMonth === '*') return (daily * valuesIn(dayOfWeek.replace(/7/g, '0'), 0, 6)) / 7;
  if (dayOfMonth !== '*') return (daily * valuesIn(dayOfMonth, 1, 31)) / 30.4;
  return daily;
}

/** Seconds between runs on average; what "twice the schedule" in the backup alert measures against. */
export function intervalSeconds(schedule: string): number {
  return Math.round(86_400 / Math.max(runsPerDay(schedule), 1 / 31));
}

const NIGHT_HOURS = [22, 23, 0, 1, 2, 3, 4, 5];

/** A time between 22:00 and 05:59 UTC picked from the instance's identity: spread, and the same on every reconcile. */
export function nightlySchedule(identity: string): string {
  const slot = createHash('sha256').update(identity).digest().readUInt32BE(0) % (NIGHT_HOURS.length * 60);
  return `${slot % 60} ${NIGHT_HOURS[Math.floor(slot / 60)]} * * *`;
}
