/**
 * Where StackGres puts one cluster's metrics, read from the StackGres operator's source (ongres/stackgres, 1.18 line):
 * - pods are the StatefulSet `<cluster>-<n>`; the data volume claim template is `<cluster>-data`, so the
 *   PersistentVolumeClaims are `<cluster>-data-<cluster>-<n>` (StackGresUtil.DATA_SUFFIX, ClusterStatefulSet);
 * - the postgres_exporter sidecar listens on the container port named `pgexporter`, 9187 (PostgresExporter.java);
 * - scheduled base backups run as the CronJob `<cluster>-backup` (StackGresUtil.cronJobBackupName, BackupCronJob),
 *   whose Job fails when the backup fails (create-backup.sh exits non-zero), so kube-state-metrics'
 *   `kube_cronjob_status_last_successful_time` for it is the time of the last good base backup. StackGres' exporter
 *   queries (prometheus-postgres-exporter/queries.yaml) expose no backup metric of their own.
 */
import type { EngineMetrics, MonitoredSeries } from '../../compose/monitoring-rules.js';
import { objectName } from '../../compose/names.js';
import type { ComposeContext } from '../../compose/types.js';

export const STACKGRES_EXPORTER_PORT_NAME = 'pgexporter';

/** postgres_exporter's names, and `pg_replication_lag` / `pg_replication_is_replicating` from StackGres' own queries. */
const METRICS: EngineMetrics = {
  up: { name: 'pg_up' },
  backends: { name: 'pg_stat_database_numbackends' },
  maxConnections: { name: 'pg_settings_max_connections' },
  replicationLag: { name: 'pg_replication_lag' },
  isReplica: { name: 'pg_replication_is_replicating' },
  commits: { name: 'pg_stat_database_xact_commit' },
  rollbacks: { name: 'pg_stat_database_xact_rollback' },
  blocksHit: { name: 'pg_stat_database_blks_hit' },
  blocksRead: { name: 'pg_stat_database_blks_read' },
};

/** Regex-escaped, because names end up inside `=~` matchers; our names are DNS labels, this is belt and braces. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function stackgresSeries(ctx: ComposeContext): MonitoredSeries {
  const cluster = objectName(ctx.instance);
  return {
    namespace: ctx.instance.namespace,
    pods: `${literal(cluster)}-[0-9]+`,
    volumes: `${literal(cluster)}-data-${literal(cluster)}-[0-9]+`,
    metrics: METRICS,
    backup: { kind: 'cronjob', cronJob: `${cluster}-backup` },
  };
}
