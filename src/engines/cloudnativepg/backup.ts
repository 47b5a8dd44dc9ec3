/**
 * Backups through the Barman Cloud Plugin: an ObjectStore (where, with which keys, how long to keep) and a
 * ScheduledBackup (`method: plugin`). The in-tree `spec.backup.barmanObjectStore` is deprecated and slated for
 * removal from CloudNativePG, so it is not used. The Cluster names the ObjectStore in `spec.plugins` with itself as WAL
 * archiver, and a server name of its own (see `serverName`).
 */
import type { BackupTarget } from '../../compose/backup.js';
import { commonLabels } from '../../compose/labels.js';
import { objectName } from '../../compose/names.js';
import type { ComposeContext, KubeObject } from '../../compose/types.js';
import { sixFieldSchedule } from './schedule.js';

export const PLUGIN_NAME = 'barman-cloud.cloudnative-pg.io';

export const objectStoreName = (ctx: ComposeContext): string => objectName(ctx.instance, 'backups');

/**
 * The folder of this cluster's backups inside the destination. The XR's archive name, not the cluster's: a claim deleted and
 * made again under the same name gets a folder of its own, because Barman refuses to archive WAL where another
 * cluster's archive is (and the old backups stay for their retention). A major upgrade starts a folder of its own,
 * `<archive name>-pg<major>` (upgrade.ts); otherwise an existing cluster keeps the one it archives to.
 */
export function serverName(ctx: ComposeContext, observedCluster: Record<string, unknown> | undefined, major: number): string {
  if (!observedCluster) return ctx.instance.archiveName;
  const observedMajor = (observedCluster['spec'] as { imageCatalogRef?: { major?: unknown } } | undefined)?.imageCatalogRef?.major;
  if (observedMajor !== major) return `${ctx.instance.archiveName}-pg${major}`;
  return archivingServerName(ctx, observedCluster);
}

/** The server name the observed cluster archives under. */
export function archivingServerName(ctx: ComposeContext, observedCluster: Record<string, unknown> | undefined): string {
  const plugins = (observedCluster?.['spec'] as { plugins?: unknown } | undefined)?.plugins;
  const entry = Array.isArray(plugins) ? (plugins as ({ name?: unknown; parameters?: { serverName?: unknown } } | null)[]).find((e) => e?.name === PLUGIN_NAME) : undefined;
  const name = entry?.parameters?.serverName;
  return typeof name === 'string' && name !== '' ? name : ctx.instance.archiveName;
}

export function objectStore(ctx: ComposeContext, target: BackupTarget): KubeObject {
  const credentials = target.credentials
    ? {
        accessKeyId: { name: target.credentials.secretName, key: target.credentials.accessKeyId },
        secretAccessKey: { name: target.credentials.secretName, key: target.credentials.secretAccessKey },
      }
    : { inheritFromIAMRole: true };
  const configuration: Record<string, unknown> = {
    destinationPath: target.prefix ? `s3://${target.bucket}/${target.prefix}` : `s3://${target.bucket}/`,
    ...(target.endpoint !== undefined ? { endpointURL: target.endpoint } : {}),
    s3Credentials: credentials,
    wal: { compression: 'gzip' },
    data: { compression: 'gzip' },
  };
  return {
    apiVersion: 'barmancloud.cnpg.io/v1',
    kind: 'ObjectStore',
    metadata: { name: objectStoreName(ctx), namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
    // Barman keeps every base backup and WAL needed to recover to any moment of the last N days.
    spec: { configuration, retentionPolicy: `${target.retentionDays}d` },
  };
}

export function scheduledBackup(ctx: ComposeContext, target: BackupTarget, clusterName: string): KubeObject {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'ScheduledBackup',
    metadata: { name: objectName(ctx.instance, 'backup'), namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
    spec: {
      schedule: sixFieldSchedule(target.schedule),
      cluster: { name: clusterName },
      method: 'plugin',
      pluginConfiguration: { name: PLUGIN_NAME },
      // A first base backup as soon as the cluster runs: until there is one, no point in time can be restored.
      immediate: true,
      // Backup objects go with the ScheduledBackup; the backups themselves stay in the bucket for their retention.
      backupOwnerReference: 'self',
    },
  };
}

/** The Cluster's `spec.plugins` entry that makes the plugin archive WAL and take base backups. */
export function pluginEntry(ctx: ComposeContext, server: string): Record<string, unknown> {
  return {
    name: PLUGIN_NAME,
    isWALArchiver: true,
    parameters: { barmanObjectName: objectStoreName(ctx), serverName: server },
  };
}
