/**
 * A major version upgrade on CloudNativePG: raising `version` raises the Cluster's `imageCatalogRef.major`, and the
 * operator (1.26 and later) upgrades in place: it stops every instance, runs `pg_upgrade --link` in a Job on the
 * primary's volume with the new image (the old binaries copied from the old one), starts the primary on the new major
 * and clones the replicas again. The function's part, in this order:
 *   1. the jump must be one the platform offers: the catalog must have an image for the new major (read as a required
 *      resource while an upgrade is asked for); else a field error that names the majors it has;
 *   2. with backups on, a `Backup` of the cluster first (`<claim>-before-pg<major>`); the major is raised only once it
 *      completed, so a failed backup holds the upgrade with the old version running;
 *   3. the new major, and with it a new Barman server name (`<XR>-pg<major>`): the plugin does not separate the archives
 *      of two majors, and a pre-upgrade backup can't be replayed past the upgrade anyway (upstream's
 *      postgres_upgrades.md, "Backup and WAL Archive Considerations"). The old archive stays in the bucket.
 * The operator's phase and the data directory's major (`status.pgDataImageInfo`) tell the claim how far it got.
 */
import type { FieldError } from '../../api/errors.js';
import { commonLabels } from '../../compose/labels.js';
import { objectName } from '../../compose/names.js';
import type { ComposeContext, KubeObject, RequiredSelector } from '../../compose/types.js';
import { PLUGIN_NAME } from './backup.js';
import { API_VERSION } from './restore.js';
import { at, conditionOf, scalarText } from '../../util/observed.js';

type Json = Record<string, unknown>;

export const PRE_UPGRADE_BACKUP_KEY = 'cnpg-pre-upgrade-backup';
export const REQUIRED_CATALOGS = 'cnpg-image-catalogs';
export const REQUIRED_UPGRADE_JOBS = 'cnpg-upgrade-jobs';
/** CloudNativePG's phase while the upgrade Job runs (api/v1 PhaseMajorUpgrade). */
export const PHASE_MAJOR_UPGRADE = 'Upgrading Postgres major version';

const number = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** The major the observed Cluster asks for. */
export const specMajor = (cluster: Json | undefined): number | undefined => number(at(cluster, 'spec', 'imageCatalogRef', 'major'));
/** The major of the data directory, as the operator read it. */
export const dataMajor = (cluster: Json | undefined): number | undefined => number(at(cluster, 'status', 'pgDataImageInfo', 'majorVersion'));

export interface MajorPlan {
  /** The major to compose into the Cluster now. */
  readonly major: number;
  /** The claim asks for a higher major than the Cluster has; the upgrade has not been handed to the operator yet. */
  readonly pending: boolean;
  /** The backup taken before the upgrade, while it is needed. */
  readonly backup?: KubeObject;
  readonly backupReady: boolean;
  /** What the claim's condition says while the upgrade is pending or runs. */
  readonly message?: string;
  /** The operator's upgrade Job failed (now, or as the XR's status remembers): the old major runs again. */
  readonly failed?: string;
}

/**
 * A failed upgrade is remembered in the XR's status (`upgradeFailed: "<major>: <reason>"`): the function rolls the
 * Cluster back to the data's major, and must not start the same upgrade again on the next reconcile. The platform
 * clears the field (status subresource) to let it try again; a claim asking for yet another major tries that one.
 */
export function rememberedFailure(ctx: ComposeContext): string | undefined {
  const failed = at(ctx.observed.composite, 'status', 'upgradeFailed');
  return typeof failed === 'string' && failed.startsWith(`${ctx.instance.parameters.version}: `) ? failed : undefined;
}

/** The reason of a failed major-upgrade Job of this cluster, if one failed. */
function failedJob(ctx: ComposeContext): string | undefined {
  for (const job of ctx.required[REQUIRED_UPGRADE_JOBS] ?? []) {
    const failed = conditionOf(job, 'Failed');
    if (failed?.['status'] === 'True') return `Job ${scalarText(at(job, 'metadata', 'name'))} failed${typeof failed['message'] === 'string' ? `: ${failed['message']}` : ''}`;
  }
  return undefined;
}

interface Catalog {
  readonly found: boolean;
  readonly majors: readonly number[];
}

function catalogRef(ctx: ComposeContext): { kind: string; name: string } {
  return ctx.platform.engines.cloudnativepg.imageCatalog;
}

/**
 * The platform's catalog as Crossplane fetched it: undefined until it was fetched, `found: false` when it doesn't exist.
 * Read on every reconcile: the instance's own catalog follows it in the maintenance window (images.ts), and a major
 * upgrade checks it has the new major.
 */
export function platformCatalog(ctx: ComposeContext): { found: boolean; images: Map<number, Json> } | undefined {
  const items = ctx.required[REQUIRED_CATALOGS];
  if (items === undefined) return undefined;
  const { name } = catalogRef(ctx);
  const found = items.find((c) => at(c, 'metadata', 'name') === name);
  return { found: found !== undefined, images: imagesByMajor(found) };
}

/** A catalog's entries by major (CloudNativePG's CRD keeps majors unique), skipping malformed ones. */
export function imagesByMajor(catalog: unknown): Map<number, Json> {
  const images = at(catalog, 'spec', 'images');
  const out = new Map<number, Json>();
  if (!Array.isArray(images)) return out;
  for (const entry of images as unknown[]) {
    const major = number(at(entry, 'major'));
    if (major !== undefined && typeof at(entry, 'image') === 'string') out.set(major, entry as Json);
  }
  return out;
}

/** The catalog's majors, once Crossplane fetched the catalogs; undefined until then. */
function catalog(ctx: ComposeContext): Catalog | undefined {
  const platform = platformCatalog(ctx);
  if (!platform) return undefined;
  return { found: platform.found, majors: [...platform.images.keys()].sort((a, b) => a - b) };
}

/** The platform's catalog, asked on every reconcile (Crossplane reads it from its cache). */
export function catalogRequirement(ctx: ComposeContext): Record<string, RequiredSelector> {
  const ref = catalogRef(ctx);
  // A ClusterImageCatalog is cluster-scoped: no namespace.
  const namespace = ref.kind === 'ImageCatalog' ? ctx.instance.namespace : '';
  return { [REQUIRED_CATALOGS]: { apiVersion: API_VERSION, kind: ref.kind, namespace } };
}

/** The operator's upgrade Job, asked only while an upgrade runs: an upgrade is rare, reconciles are not. */
export function upgradeRequirements(ctx: ComposeContext, cluster: Json | undefined, clusterName: string): Record<string, RequiredSelector> {
  const from = specMajor(cluster);
  const data = dataMajor(cluster);
  // Handed to the operator: its Job says whether pg_upgrade failed (the phase stays the same either way).
  if (from !== undefined && data !== undefined && data < from) {
    return {
      [REQUIRED_UPGRADE_JOBS]: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        namespace: ctx.instance.namespace,
        matchLabels: { 'cnpg.io/cluster': clusterName, 'cnpg.io/jobRole': 'major-upgrade' },
      },
    };
  }
  return {};
}

/** A jump the catalog can't make is refused before anything changes, with the majors it can. */
export function refusedUpgrade(ctx: ComposeContext, cluster: Json | undefined): FieldError[] {
  const from = specMajor(cluster);
  const to = ctx.instance.parameters.version;
  if (from === undefined || to <= from) return [];
  const known = catalog(ctx);
  if (!known || known.majors.includes(to)) return [];
  const { kind, name } = catalogRef(ctx);
  const offered = known.majors.filter((m) => m > from);
  const what = !known.found
    ? `the platform's ${kind} "${name}" was not found: ask the platform team`
    : offered.length > 0
      ? `choose one it offers (${offered.join(', ')}), or ask the platform team to add ${to}`
      : `it offers nothing above ${from} yet: ask the platform team to add ${to}, and keep ${from} until then`;
  return [{ path: 'spec.parameters.version', message: `can not upgrade PostgreSQL ${from} to ${to}: the platform's ${kind} "${name}" has no image for ${to}; ${what}` }];
}

function preUpgradeBackup(ctx: ComposeContext, clusterName: string, to: number): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Backup',
    metadata: { name: objectName(ctx.instance, `before-pg${to}`), namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
    spec: { cluster: { name: clusterName }, method: 'plugin', pluginConfiguration: { name: PLUGIN_NAME } },
  };
}

export function majorPlan(ctx: ComposeContext, cluster: Json | undefined, clusterName: string, backupsOn: boolean): MajorPlan {
  const to = ctx.instance.parameters.version;
  const from = specMajor(cluster);
  const data = dataMajor(cluster);
  // New cluster, or nothing asked beyond what the Cluster has (a lower version is refused elsewhere).
  if (from === undefined || to < from) return { major: to, pending: false, backupReady: true };
  if (to === from) {
    // Handed to the operator: it runs until the data directory is on the new major. The backup stays composed
    // until then, so it is not deleted under a running upgrade.
    if (data === undefined || data >= to) return { major: to, pending: false, backupReady: true };
    const backup = backupsOn ? preUpgradeBackup(ctx, clusterName, to) : undefined;
    const jobFailed = failedJob(ctx);
    if (jobFailed) {
      // Back to the data's major: CloudNativePG deletes the failed Job and starts the old version on its untouched data.
      return {
        major: data,
        pending: false,
        backupReady: true,
        failed: `${to}: ${jobFailed}`,
        message: `upgrade to PostgreSQL ${to} failed (${jobFailed}); rolling back to ${data}, whose data pg_upgrade left as it was`,
      };
    }
    const phase = at(cluster, 'status', 'phase');
    // Until the operator picks the change up its phase still says healthy, which would only confuse here.
    const said = typeof phase === 'string' && phase && phase !== 'Cluster in healthy state' ? ` (CloudNativePG: ${phase})` : '';
    return { major: to, pending: false, ...(backup ? { backup } : {}), backupReady: true, message: `upgrading PostgreSQL ${data} to ${to}${said}` };
  }
  // to > from: asked, not handed over yet.
  const remembered = rememberedFailure(ctx);
  if (remembered) {
    return {
      major: from,
      pending: true,
      backupReady: false,
      failed: remembered,
      message: `upgrade to PostgreSQL ${remembered}; PostgreSQL ${from} runs. Not tried again until the platform clears status.upgradeFailed`,
    };
  }
  const known = catalog(ctx);
  if (!known) return { major: from, pending: true, backupReady: false, message: `upgrade to PostgreSQL ${to}: reading the image catalog` };
  if (!known.majors.includes(to)) return { major: from, pending: true, backupReady: false };
  if (!backupsOn) return { major: to, pending: false, backupReady: true, message: `upgrading PostgreSQL ${from} to ${to}` };
  const backup = preUpgradeBackup(ctx, clusterName, to);
  const observed = ctx.observed.resources[PRE_UPGRADE_BACKUP_KEY];
  const phase = at(observed, 'status', 'phase');
  if (phase === 'completed') return { major: to, pending: false, backup, backupReady: true, message: `upgrading PostgreSQL ${from} to ${to}: backup done` };
  const error = at(observed, 'status', 'error');
  const message =
    phase === 'failed'
      ? `upgrade to PostgreSQL ${to} held, ${from} keeps running: the backup before it failed (${typeof error === 'string' ? error : 'no reason given'}); ` +
        `delete Backup "${backup.metadata.name}" to try again`
      : `upgrade to PostgreSQL ${to}: taking a backup first${typeof phase === 'string' && phase ? ` (${phase})` : ''}`;
  return { major: from, pending: true, backup, backupReady: false, message };
}
