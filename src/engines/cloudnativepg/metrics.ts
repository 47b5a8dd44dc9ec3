/**
 * Where CloudNativePG puts one cluster's metrics, read from its source (cloudnative-pg v1.30):
 * - instance pods are `<cluster>-<serial>` and their data volume claims carry the same name (`<cluster>-<serial>`,
 *   `-wal` for a separate WAL volume, which we don't compose), labelled `cnpg.io/cluster`;
 * - the instance manager serves metrics on the container port named `metrics`, 9187 (pkg/management/url), prefixed
 *   `cnpg_`: `cnpg_collector_up` from its own collector, the rest from its default queries
 *   (config/manager/default-monitoring.yaml: `backends`, `pg_settings`, `pg_replication`, `pg_postmaster`,
 *   `pg_stat_database`);
 * - the Barman Cloud Plugin's metrics come through the same endpoint under its plugin name,
 *   `barman_cloud_cloudnative_pg_io_last_available_backup_timestamp` (0 before the first backup);
 * - PgBouncer pods of a Pooler carry `cnpg.io/cluster` too and serve metrics on a port also named `metrics` (9127);
 *   the pod regex below keeps them out of the database alerts.
 */
import type { EngineMetrics, MonitoredSeries } from '../../compose/monitoring-rules.js';
import { objectName } from '../../compose/names.js';
import type { ComposeContext } from '../../compose/types.js';

export const METRICS_PORT_NAME = 'metrics';
export const INSTANCE_METRICS_PORT = 9187;
export const POOLER_METRICS_PORT = 9127;

const METRICS: EngineMetrics = {
  up: { name: 'cnpg_collector_up' },
  backends: { name: 'cnpg_backends_total' },
  maxConnections: { name: 'cnpg_pg_settings_setting', labels: { name: 'max_connections' } },
  replicationLag: { name: 'cnpg_pg_replication_lag' },
  isReplica: { name: 'cnpg_pg_replication_in_recovery' },
  commits: { name: 'cnpg_pg_stat_database_xact_commit' },
  rollbacks: { name: 'cnpg_pg_stat_database_xact_rollback' },
  blocksHit: { name: 'cnpg_pg_stat_database_blks_hit' },
  blocksRead: { name: 'cnpg_pg_stat_database_blks_read' },
};

const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function cloudnativepgSeries(ctx: ComposeContext): MonitoredSeries {
  const cluster = literal(objectName(ctx.instance));
  return {
    namespace: ctx.instance.namespace,
    pods: `${cluster}-[0-9]+`,
    volumes: `${cluster}-[0-9]+`,
    metrics: METRICS,
    backup: {
      kind: 'timestamp',
      lastBackup: { name: 'barman_cloud_cloudnative_pg_io_last_available_backup_timestamp' },
      startTime: { name: 'cnpg_pg_postmaster_start_time' },
    },
  };
}
