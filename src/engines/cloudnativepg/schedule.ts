/**
 * Our backup schedules are five-field cron (UTC), as Kubernetes CronJobs and StackGres take them. CloudNativePG's
 * ScheduledBackup parses six fields, seconds first (robfig/cron with seconds), and knows Sunday only as 0: `7` and
 * ranges ending in 7 are rewritten, everything else is passed through as it is.
 */
export function sixFieldSchedule(schedule: string): string {
  const fields = schedule.trim().split(/\s+/);
  const dayOfWeek = fields[4];
  if (dayOfWeek !== undefined) fields[4] = dayOfWeek.split(',').map(sundayAsZero).join(',');
  return ['0', ...fields].join(' ');
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
