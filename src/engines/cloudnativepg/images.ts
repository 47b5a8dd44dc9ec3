/**
 * Minor and security updates on CloudNativePG, in the maintenance window (README, "Day two").
 *
 * CloudNativePG rolls a new image out the moment the catalog a Cluster names changes. So the Cluster names a catalog
 * of its own instance, an `ImageCatalog` `<claim>-images` in the claim's namespace, composed here: for each major the
 * Cluster may run, the platform catalog's entry while the window is open (or with `updateStrategy: immediate`), else
 * the entry the instance's catalog already has. A major it doesn't have yet (a new instance, the new major of an
 * upgrade) takes the platform's entry at once: nothing runs on it, so nothing is disrupted.
 *
 * Whether the window is open is state: the maintenance clock's annotation on the observed XR (window-clock.ts).
 */
import { commonLabels } from '../../compose/labels.js';
import { describeWindow, maintenanceWindow } from '../../compose/maintenance.js';
import { objectName } from '../../compose/names.js';
import type { ComposeContext, KubeObject } from '../../compose/types.js';
import { windowOpen } from '../../compose/window-clock.js';
import { sortKeys } from '../../util/canonical.js';
import { imagesByMajor, platformCatalog } from './upgrade.js';
import { API_VERSION } from './restore.js';

type Json = Record<string, unknown>;

export const IMAGE_CATALOG_KEY = 'cnpg-image-catalog';
export const imageCatalogName = (ctx: ComposeContext): string => objectName(ctx.instance, 'images');

export interface ImagePlan {
  /** Undefined while no image is known for any major (the platform's catalog not read or not found). */
  readonly catalog?: KubeObject;
  /** For the MaintenancePending condition: a newer platform image waits for the window. */
  readonly pending?: string;
}

const same = (a: Json, b: Json): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));

/** `majors`: every major the Cluster may be on now (asked for, on the data, and the one it rolls back to). */
export function imagePlan(ctx: ComposeContext, majors: readonly number[]): ImagePlan {
  const platform = platformCatalog(ctx)?.images ?? new Map<number, Json>();
  const own = imagesByMajor(ctx.observed.resources[IMAGE_CATALOG_KEY]);
  const open = windowOpen(ctx);
  const images: Json[] = [];
  const waiting: string[] = [];
  for (const major of [...new Set(majors)].sort((a, b) => a - b)) {
    const offered = platform.get(major);
    const kept = own.get(major);
    const entry = kept === undefined ? offered : open ? (offered ?? kept) : kept;
    if (entry === undefined) continue;
    images.push(sortKeys(entry));
    if (!open && offered !== undefined && kept !== undefined && !same(offered, kept)) waiting.push(String(offered['image']));
  }
  const window = describeWindow(maintenanceWindow(ctx.instance, ctx.instance.parameters));
  return {
    ...(images.length > 0
      ? {
          catalog: {
            apiVersion: API_VERSION,
            kind: 'ImageCatalog',
            metadata: { name: imageCatalogName(ctx), namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
            spec: { images },
          },
        }
      : {}),
    ...(waiting.length > 0 ? { pending: `a minor update to ${waiting.join(', ')} is pending until the maintenance window (${window})` } : {}),
  };
}
