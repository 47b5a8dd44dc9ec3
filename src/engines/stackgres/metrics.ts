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
import type { MonitoredSeries } from './monitoring-rules.js';
import { objectName } from './names.js';
import type { ComposeContext } from './types.js';

export const STACKGRES_EXPORTER_PORT_NAME = 'pgexporter';

/** Regex-escaped, because names end up inside `=~` matchers; our names are DNS labels, this is belt and braces. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function stackgresSeries(ctx: ComposeContext): MonitoredSeries {
  const cluster = objectName(ctx.instance);
  return {
    namespace: ctx.instance.namespace,
    pods: `${literal(cluster)}-[0-9]+`,
    volumes: `${literal(cluster)}-data-${literal(cluster)}-[0-9]+`,
    backupCronJob: `${cluster}-backup`,
  };
}
