/**
 * The alerts of one instance, as a Prometheus rule group. Every expression selects this instance's series only (its
 * namespace, its pods, volumes and backup CronJob), so alerts of two instances never merge, and every alert carries
 * `namespace` from its series plus `dbaas_instance` (the claim's name) from the rule, for routing to the owning team.
 *
 * Metrics come from three sources a platform Prometheus normally has: the postgres_exporter sidecar StackGres runs
 * (`pg_up`, `pg_stat_database_numbackends`, `pg_settings_max_connections`, and `pg_replication_lag` /
 * `pg_replication_is_replicating` from StackGres' own exporter queries), the kubelet (`kubelet_volume_stats_*`) and
 * kube-state-metrics (`kube_pod_container_status_restarts_total`, `kube_cronjob_*`).
 */
import type { Instance } from '../api/parse.js';

/** The names one instance's series carry, so expressions can select them. */
export interface MonitoredSeries {
  readonly namespace: string;
  /** Regex of the database pods' names. */
  readonly pods: string;
  /** Regex of the data volumes' PersistentVolumeClaim names. */
  readonly volumes: string;
  /** Name of the CronJob that takes scheduled base backups. */
  readonly backupCronJob: string;
}

export interface AlertOptions {
  readonly series: MonitoredSeries;
  /** Without backups there is nothing to be late: the backup alert is left out. */
  readonly backupEnabled: boolean;
  /** The longest gap the backup schedule leaves between two runs; the alert allows twice that. */
  readonly backupIntervalSeconds: number;
  readonly replicationLagSeconds: number;
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: { summary: string; description: string; runbook: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: AlertRule[];
}

/** Below this share of free space the disk is about to stop the database: PostgreSQL halts when it can't write WAL. */
export const DISK_FREE_CRITICAL = 0.1;
export const CONNECTIONS_WARNING = 0.9;
export const RESTARTS_PER_HOUR = 3;
export const DEFAULT_REPLICATION_LAG_SECONDS = 300;

const quoted = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** `metric{label="value",label=~"regex"}`; a value starting with `~` is a regex. */
function select(metric: string, matchers: Record<string, string>): string {
  const parts = Object.entries(matchers).map(([label, v]) => (v.startsWith('~') ? `${label}=~${quoted(v.slice(1))}` : `${label}=${quoted(v)}`));
  return `${metric}{${parts.join(',')}}`;
}

/** Seconds as Prometheus writes durations (`1d`, `12h`, `90m`), for thresholds people read in descriptions. */
export function duration(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

type Rule = Omit<AlertRule, 'labels'> & { readonly severity: 'critical' | 'warning' };

function diskRules(s: MonitoredSeries): Rule[] {
  const volume = { namespace: s.namespace, persistentvolumeclaim: `~${s.volumes}` };
  const available = select('kubelet_volume_stats_available_bytes', volume);
  const capacity = select('kubelet_volume_stats_capacity_bytes', volume);
  return [
    {
      alert: 'PostgreSQLDiskFillingUp',
      severity: 'critical',
      expr: `${available} / ${capacity} < ${DISK_FREE_CRITICAL}`,
      for: '5m',
      annotations: {
        summary: 'PostgreSQL data volume almost full',
        description: 'Volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} has {{ $value | humanizePercentage }} space left; PostgreSQL stops when it cannot write WAL.',
        runbook: 'Raise spec.parameters.size.disk on the claim (volumes grow in place), or drop data you no longer need.',
      },
    },
    {
      alert: 'PostgreSQLDiskWillFillIn24h',
      severity: 'warning',
      // Six hours of trend smooth out a bulk load or a vacuum; an hour of `for` keeps a short burst from paging.
      expr: `predict_linear(${available}[6h], 24 * 3600) < 0`,
      for: '1h',
      annotations: {
        summary: 'PostgreSQL data volume fills within a day',
        description: 'At the rate of the last 6 hours, volume {{ $labels.persistentvolumeclaim }} in {{ $labels.namespace }} is full within 24 hours.',
        runbook: 'Find what grows (a table, WAL held back by a replication slot or failing archiving) and stop it, or raise spec.parameters.size.disk.',
      },
    },
  ];
}

function databaseRules(s: MonitoredSeries, lagSeconds: number): Rule[] {
  const pods = { namespace: s.namespace, pod: `~${s.pods}` };
  const byPod = 'by (namespace, pod)';
  return [
    {
      alert: 'PostgreSQLInstanceDown',
      severity: 'critical',
      // pg_up is 0 when the exporter runs but can't reach PostgreSQL; absent when no pod is scraped at all.
      expr: `max ${byPod} (${select('pg_up', pods)}) == 0 or absent(${select('pg_up', pods)})`,
      for: '5m',
      annotations: {
        summary: 'PostgreSQL is down',
        description: 'PostgreSQL in {{ $labels.namespace }}{{ with $labels.pod }} (pod {{ . }}){{ end }} does not answer its metrics exporter, or no pod reports metrics.',
        runbook: 'Check the claim status and the pods (kubectl describe, logs of the patroni container); on a full disk grow it first.',
      },
    },
    {
      alert: 'PostgreSQLConnectionsNearLimit',
      severity: 'warning',
      expr:
        `sum ${byPod} (${select('pg_stat_database_numbackends', pods)})` +
        ` / on (namespace, pod) max ${byPod} (${select('pg_settings_max_connections', pods)}) > ${CONNECTIONS_WARNING}`,
      for: '5m',
      annotations: {
        summary: 'PostgreSQL connections near max_connections',
        description: 'Pod {{ $labels.pod }} in {{ $labels.namespace }} uses {{ $value | humanizePercentage }} of max_connections.',
        runbook: 'Find idle or leaked connections (pg_stat_activity), use the connection pooler on port 6432, or choose a larger plan.',
      },
    },
    {
      alert: 'PostgreSQLReplicationLag',
      severity: 'warning',
      // StackGres reports lag as the age of the last replayed transaction while WAL waits to be replayed, 0 when
      // caught up; only replicas count, the primary has no replay position.
      expr:
        `max ${byPod} (${select('pg_replication_lag', pods)}) > ${lagSeconds}` +
        ` and on (namespace, pod) max ${byPod} (${select('pg_replication_is_replicating', pods)}) == 1`,
      for: '5m',
      annotations: {
        summary: 'PostgreSQL replica lags behind the primary',
        description: `Replica {{ $labels.pod }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} behind the primary (threshold ${duration(lagSeconds)}).`,
        runbook: 'Check the replica for I/O or CPU saturation and the network to the primary; long queries on the replica can hold replay back.',
      },
    },
    {
      alert: 'PostgreSQLTooManyRestarts',
      severity: 'warning',
      expr: `increase(${select('kube_pod_container_status_restarts_total', pods)}[1h]) > ${RESTARTS_PER_HOUR}`,
      for: '0m',
      annotations: {
        summary: 'PostgreSQL container restarts repeatedly',
        description: 'Container {{ $labels.container }} of pod {{ $labels.pod }} in {{ $labels.namespace }} restarted {{ $value | humanize }} times in the last hour.',
        runbook: 'Read the previous logs (kubectl logs --previous) and events: out of memory means a larger plan, a failing probe a stuck database.',
      },
    },
  ];
}

function backupRule(s: MonitoredSeries, intervalSeconds: number): Rule {
  const cronJob = { namespace: s.namespace, cronjob: s.backupCronJob };
  const lastSuccess = `max by (namespace, cronjob) (${select('kube_cronjob_status_last_successful_time', cronJob)})`;
  const created = `max by (namespace, cronjob) (${select('kube_cronjob_created', cronJob)})`;
  const limit = 2 * intervalSeconds;
  return {
    alert: 'PostgreSQLBackupTooOld',
    severity: 'warning',
    // Before the first success there is no last-success time: then the CronJob's age stands in for the backup's.
    expr: `time() - ${lastSuccess} > ${limit} or time() - ${created} > ${limit} unless on (namespace, cronjob) ${lastSuccess}`,
    for: '10m',
    annotations: {
      summary: 'PostgreSQL base backup too old',
      description: `No successful base backup by {{ $labels.namespace }}/{{ $labels.cronjob }} for {{ $value | humanizeDuration }}; the schedule allows ${duration(limit)}.`,
      runbook: 'Look at the failed backup Jobs and SGBackup objects in the namespace (object storage credentials, bucket, disk of the backup pod) and start a backup by hand once fixed.',
    },
  };
}

export function alertRules(instance: Instance, options: AlertOptions): RuleGroup {
  const rules: Rule[] = [
    ...databaseRules(options.series, options.replicationLagSeconds),
    ...diskRules(options.series),
    ...(options.backupEnabled ? [backupRule(options.series, options.backupIntervalSeconds)] : []),
  ];
  return {
    name: `postgresql.${options.series.namespace}.${instance.claimName}`,
    rules: rules.map(({ severity, ...rule }) => ({ ...rule, labels: { dbaas_instance: instance.claimName, severity } })),
  };
}
