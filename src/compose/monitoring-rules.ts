/**
 * The alerts of one instance, as a Prometheus rule group. Every expression selects this instance's series only (its
 * namespace, its pods, volumes and backup CronJob), so alerts of two instances never merge, and every alert carries
 * `namespace` from its series plus `dbaas_instance` (the claim's name) from the rule, for routing to the owning team.
 *
 * Metrics come from three sources a platform Prometheus normally has: the engine's exporter (its metric names come
 * from the engine, `EngineMetrics`: StackGres' postgres_exporter sidecar, CloudNativePG's instance manager), the
 * kubelet (`kubelet_volume_stats_*`) and kube-state-metrics (`kube_pod_container_status_restarts_total`, and
 * `kube_cronjob_*` for an engine whose backups run as a CronJob).
 */
import type { Instance } from '../api/parse.js';

/** A metric name with label matchers of its own (e.g. one row of a settings metric). */
export interface MetricRef {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** The engine's exporter's names for what the alerts read, all per database pod. */
export interface EngineMetrics {
  /** 1 while the exporter reaches PostgreSQL, 0 when it doesn't. */
  readonly up: MetricRef;
  /** Backends (connections), summed per pod over whatever other labels it has. */
  readonly backends: MetricRef;
  /** max_connections. */
  readonly maxConnections: MetricRef;
  /** Seconds a replica is behind. */
  readonly replicationLag: MetricRef;
  /** 1 on a replica (a pod replaying WAL), 0 on the primary. */
  readonly isReplica: MetricRef;
  /** Counters per database, for the dashboard. */
  readonly commits: MetricRef;
  readonly rollbacks: MetricRef;
  readonly blocksHit: MetricRef;
  readonly blocksRead: MetricRef;
}

/** How the age of the last good base backup can be seen. */
export type BackupSeries =
  /** Backups run as a CronJob whose Job fails when the backup does (kube-state-metrics' CronJob metrics). */
  | { readonly kind: 'cronjob'; readonly cronJob: string }
  /** The exporter reports the last backup's time (Unix seconds, 0 before the first) and when PostgreSQL started. */
  | { readonly kind: 'timestamp'; readonly lastBackup: MetricRef; readonly startTime: MetricRef }
  /** Nothing the platform scrapes tells a backup's age (Zalando's WAL-G runs from Spilo's crontab): no backup alert. */
  | { readonly kind: 'none' };

/** The names one instance's series carry, so expressions can select them. */
export interface MonitoredSeries {
  readonly namespace: string;
  /** Regex of the database pods' names. */
  readonly pods: string;
  /** Regex of the data volumes' PersistentVolumeClaim names. */
  readonly volumes: string;
  readonly metrics: EngineMetrics;
  readonly backup: BackupSeries;
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
export function select(metric: string | MetricRef, matchers: Record<string, string>): string {
  const name = typeof metric === 'string' ? metric : metric.name;
  const all = typeof metric === 'string' ? matchers : { ...matchers, ...metric.labels };
  const parts = Object.entries(all).map(([label, v]) => (v.startsWith('~') ? `${label}=~${quoted(v.slice(1))}` : `${label}=${quoted(v)}`));
  return `${name}{${parts.join(',')}}`;
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
        runbook: 'Raise spec.parameters.size.disk on the claim (volumes grow in place), or drop data you no longer need. With size.autogrow on, the disk reached autogrow.max or could not grow, and the output of the last postgresql-disk-autogrow Operation says which.',
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
  const m = s.metrics;
  const byPod = 'by (namespace, pod)';
  return [
    {
      alert: 'PostgreSQLInstanceDown',
      severity: 'critical',
      // 0 when the exporter runs but can't reach PostgreSQL; absent when no pod is scraped at all.
      expr: `max ${byPod} (${select(m.up, pods)}) == 0 or absent(${select(m.up, pods)})`,
      for: '5m',
      annotations: {
        summary: 'PostgreSQL is down',
        description: 'PostgreSQL in {{ $labels.namespace }}{{ with $labels.pod }} (pod {{ . }}){{ end }} does not answer its metrics exporter, or no pod reports metrics.',
        runbook: 'Check the claim status and the pods (kubectl describe, logs of the database container); on a full disk grow it first.',
      },
    },
    {
      alert: 'PostgreSQLConnectionsNearLimit',
      severity: 'warning',
      expr:
        `sum ${byPod} (${select(m.backends, pods)})` +
        ` / on (namespace, pod) max ${byPod} (${select(m.maxConnections, pods)}) > ${CONNECTIONS_WARNING}`,
      for: '5m',
      annotations: {
        summary: 'PostgreSQL connections near max_connections',
        description: 'Pod {{ $labels.pod }} in {{ $labels.namespace }} uses {{ $value | humanizePercentage }} of max_connections.',
        runbook: 'Find idle or leaked connections (pg_stat_activity), use the connection pooler (spec.parameters.pooler), or choose a larger plan.',
      },
    },
    {
      alert: 'PostgreSQLReplicationLag',
      severity: 'warning',
      // Both engines report lag as the age of the last replayed transaction while WAL waits to be replayed, 0 when
      // caught up; only replicas count, the primary has no replay position.
      expr:
        `max ${byPod} (${select(m.replicationLag, pods)}) > ${lagSeconds}` +
        ` and on (namespace, pod) max ${byPod} (${select(m.isReplica, pods)}) == 1`,
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

const BACKUP_RUNBOOK =
  'Look at the Backup objects and the ObjectStore status in the namespace and the database pods\' logs (object storage credentials, bucket, network), and start a backup by hand once fixed.';

function backupRule(s: MonitoredSeries, intervalSeconds: number): Rule[] {
  if (s.backup.kind === 'none') return [];
  const limit = 2 * intervalSeconds;
  const rule = { alert: 'PostgreSQLBackupTooOld', severity: 'warning' as const, for: '10m' };
  const summary = 'PostgreSQL base backup too old';
  if (s.backup.kind === 'timestamp') {
    const pods = { namespace: s.namespace, pod: `~${s.pods}` };
    const last = `max by (namespace) (${select(s.backup.lastBackup, pods)})`;
    const started = `min by (namespace) (${select(s.backup.startTime, pods)})`;
    return [{
      ...rule,
      // 0 means no backup yet: then the time PostgreSQL has been up stands in for the backup's age.
      expr: `time() - (${last} > 0) > ${limit} or (time() - ${started} > ${limit} and on (namespace) ${last} == 0)`,
      annotations: {
        summary,
        description: `No successful base backup of the instance in {{ $labels.namespace }} for {{ $value | humanizeDuration }}; the schedule allows ${duration(limit)}.`,
        runbook: BACKUP_RUNBOOK,
      },
    }];
  }
  const cronJob = { namespace: s.namespace, cronjob: s.backup.cronJob };
  const lastSuccess = `max by (namespace, cronjob) (${select('kube_cronjob_status_last_successful_time', cronJob)})`;
  const created = `max by (namespace, cronjob) (${select('kube_cronjob_created', cronJob)})`;
  return [{
    ...rule,
    // Before the first success there is no last-success time: then the CronJob's age stands in for the backup's.
    expr: `time() - ${lastSuccess} > ${limit} or time() - ${created} > ${limit} unless on (namespace, cronjob) ${lastSuccess}`,
    annotations: {
      summary,
      description: `No successful base backup by {{ $labels.namespace }}/{{ $labels.cronjob }} for {{ $value | humanizeDuration }}; the schedule allows ${duration(limit)}.`,
      runbook: 'Look at the failed backup Jobs and SGBackup objects in the namespace (object storage credentials, bucket, disk of the backup pod) and start a backup by hand once fixed.',
    },
  }];
}

export function alertRules(instance: Instance, options: AlertOptions): RuleGroup {
  const rules: Rule[] = [
    ...databaseRules(options.series, options.replicationLagSeconds),
    ...diskRules(options.series),
    ...(options.backupEnabled ? backupRule(options.series, options.backupIntervalSeconds) : []),
  ];
  return {
    name: `postgresql.${options.series.namespace}.${instance.claimName}`,
    rules: rules.map(({ severity, ...rule }) => ({ ...rule, labels: { dbaas_instance: instance.claimName, severity } })),
  };
}
