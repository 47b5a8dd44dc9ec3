/**
 * Where a Zalando cluster's metrics are. Spilo has no exporter, so the engine adds postgres_exporter as a sidecar
 * (manifest `sidecars`, port `exporter`, 9187): its metric names are postgres_exporter's, as on StackGres. Pods are the
 * StatefulSet `<cluster>-<n>`, volume claims `pgdata-<cluster>-<n>` (the operator's `pgdata` template).
 * Base backups are WAL-G runs from Spilo's own crontab: neither a CronJob nor an exporter metric tells their age, so
 * there is no backup alert on this engine (README).
 */
import type { EngineMetrics, MonitoredSeries } from '../../compose/monitoring-rules.js';
import { objectName } from '../../compose/names.js';
import type { ComposeContext } from '../../compose/types.js';

export const EXPORTER_PORT_NAME = 'exporter';
export const EXPORTER_PORT = 9187;

const METRICS: EngineMetrics = {
  up: { name: 'pg_up' },
  backends: { name: 'pg_stat_database_numbackends' },
  maxConnections: { name: 'pg_settings_max_connections' },
  replicationLag: { name: 'pg_replication_lag_seconds' },
  isReplica: { name: 'pg_replication_is_replica' },
  commits: { name: 'pg_stat_database_xact_commit' },
  rollbacks: { name: 'pg_stat_database_xact_rollback' },
  blocksHit: { name: 'pg_stat_database_blks_hit' },
  blocksRead: { name: 'pg_stat_database_blks_read' },
};

const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function zalandoSeries(ctx: ComposeContext): MonitoredSeries {
  const cluster = literal(objectName(ctx.instance));
  return {
    namespace: ctx.instance.namespace,
    pods: `${cluster}-[0-9]+`,
    volumes: `pgdata-${cluster}-[0-9]+`,
    metrics: METRICS,
    backup: { kind: 'none' },
  };
}
