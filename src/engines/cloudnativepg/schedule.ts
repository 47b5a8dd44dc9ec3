/**
 * Our backup schedules are five-field cron (UTC), as Kubernetes CronJobs and StackGres take them. CloudNativePG's
 * ScheduledBackup parses six fields, seconds first (robfig/cron with seconds), with Sunday as 0.
 */
import { withSundayAsZero } from '../../util/cron.js';

export function sixFieldSchedule(schedule: string): string {
  return `0 ${withSundayAsZero(schedule)}`;
}
