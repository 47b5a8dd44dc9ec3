/**
 * A major version upgrade on StackGres: raising `version` composes an `SGDbOps` `majorVersionUpgrade` (pg_upgrade,
 * run by the operator, copying the data: `link: false` leaves the old data directory as it was should it fail, at the
 * price of room for a second copy on the volume) with an `SGPostgresConfig` for the new major beside the old one. StackGres
 * itself moves the SGCluster to the new version and config when the operation succeeds, so while it runs the function
 * keeps composing the SGCluster's version and config as observed (composing the new ones would be an edit StackGres'
 * webhook refuses). With backups on, an `SGBackup` is taken first and the operation is composed only once it completed.
 * Which jumps StackGres supports is its own check (the SGDbOps fails with its reason, shown in the claim's condition,
 * and the old version keeps running); the function refuses only going back.
 */
import { commonLabels } from '../../compose/labels.js';
import { objectName } from '../../compose/names.js';
import type { ComposeContext, KubeObject } from '../../compose/types.js';
import { at, conditionOf } from '../../util/observed.js';

type Json = Record<string, unknown>;

export const CONFIG_KEY = 'sg-postgres-config';
export const DBOPS_KEY = 'sg-dbops-major-upgrade';
export const PRE_UPGRADE_BACKUP_KEY = 'sg-pre-upgrade-backup';

export const configNameFor = (ctx: ComposeContext, major: number): string => objectName(ctx.instance, `pg${major}`);

/** The composition key of the config for `major`: the observed one of that name (a key never changes its object),
 *  else the first instance's key while it is free, else one of its own. */
export function configKeyFor(ctx: ComposeContext, major: number): string {
  const name = configNameFor(ctx, major);
  const observed = ctx.observed.resources;
  for (const key of Object.keys(observed).sort()) {
    if ((key === CONFIG_KEY || key.startsWith(`${CONFIG_KEY}-`)) && at(observed[key], 'metadata', 'name') === name) return key;
  }
  return observed[CONFIG_KEY] === undefined ? CONFIG_KEY : `${CONFIG_KEY}-pg${major}`;
}

const majorOf = (version: unknown): number | undefined => {
  const n = typeof version === 'string' ? Number.parseInt(version, 10) : NaN;
  return Number.isInteger(n) ? n : undefined;
};

/** The major the observed SGCluster runs (its spec: StackGres rewrites it when an upgrade completes). */
export const clusterMajor = (cluster: Json | undefined): number | undefined => majorOf(at(cluster, 'spec', 'postgres', 'version'));

function condition(object: unknown, type: string): Json | undefined {
  const found = conditionOf(object, type);
  return found?.['status'] === 'True' ? found : undefined;
}

/** Whether the observed major-upgrade SGDbOps reports success. */
export const upgradeCompleted = (dbops: unknown): boolean => condition(dbops, 'Completed') !== undefined;

export interface StackGresUpgrade {
  readonly from: number;
  readonly to: number;
  readonly backup?: KubeObject;
  readonly backupReady: boolean;
  readonly dbops?: KubeObject;
  readonly failed: boolean;
  readonly message: string;
}

/** Undefined when no upgrade is asked for (the claim's major is the SGCluster's, or the cluster doesn't exist yet). */
export function stackgresUpgrade(ctx: ComposeContext, cluster: Json | undefined, clusterName: string, backupsOn: boolean, backupPath: string | undefined): StackGresUpgrade | undefined {
  const from = clusterMajor(cluster);
  const to = ctx.instance.parameters.version;
  if (from === undefined || to <= from) return undefined;
  const labels = commonLabels(ctx.instance);
  const namespace = ctx.instance.namespace;
  let backup: KubeObject | undefined;
  if (backupsOn) {
    backup = {
      apiVersion: 'stackgres.io/v1',
      kind: 'SGBackup',
      metadata: { name: objectName(ctx.instance, `before-pg${to}`), namespace, labels },
      // managedLifecycle false: the retention of scheduled backups does not delete the one taken before an upgrade.
      spec: { sgCluster: clusterName, managedLifecycle: false },
    };
    const status = at(ctx.observed.resources[PRE_UPGRADE_BACKUP_KEY], 'status', 'process', 'status');
    if (status !== 'Completed') {
      const why = at(ctx.observed.resources[PRE_UPGRADE_BACKUP_KEY], 'status', 'process', 'failure');
      const message =
        status === 'Failed'
          ? `upgrade to PostgreSQL ${to} held, ${from} keeps running: the backup before it failed (${typeof why === 'string' ? why : 'no reason given'}); ` +
            `delete SGBackup "${backup.metadata.name}" to try again`
          : `upgrade to PostgreSQL ${to}: taking a backup first${typeof status === 'string' && status ? ` (${status})` : ''}`;
      return { from, to, backup, backupReady: false, failed: false, message };
    }
  }
  const upgrade: Json = { postgresVersion: String(to), sgPostgresConfig: configNameFor(ctx, to), link: false };
  // StackGres wants the new major's backups and WAL in a path of their own (the old archive stays where it is).
  if (backupsOn && backupPath) upgrade['backupPath'] = `${backupPath}/pg${to}`;
  const dbops: KubeObject = {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGDbOps',
    metadata: { name: objectName(ctx.instance, `pg${to}-upgrade`), namespace, labels },
    spec: { sgCluster: clusterName, op: 'majorVersionUpgrade', maxRetries: 0, majorVersionUpgrade: upgrade },
  };
  const observed = ctx.observed.resources[DBOPS_KEY];
  const failed = condition(observed, 'Failed');
  if (failed) {
    const why = at(observed, 'status', 'majorVersionUpgrade', 'failure') ?? failed['message'];
    return {
      from,
      to,
      ...(backup ? { backup } : {}),
      backupReady: true,
      dbops,
      failed: true,
      message: `upgrade to PostgreSQL ${to} failed (StackGres: ${typeof why === 'string' && why ? why : 'no reason given'}); delete SGDbOps "${dbops.metadata.name}" to try again`,
    };
  }
  const phase = at(observed, 'status', 'majorVersionUpgrade', 'phase');
  const step = condition(observed, 'Completed') ? 'completed' : typeof phase === 'string' && phase ? phase : condition(observed, 'Running') ? 'running' : 'starting';
  return { from, to, ...(backup ? { backup } : {}), backupReady: true, dbops, failed: false, message: `upgrading PostgreSQL ${from} to ${to} (SGDbOps: ${step})` };
}
