/**
 * The platform's options for CloudNativePG (Composition input `platform.engines.cloudnativepg`).
 *
 * Images come from an image catalog the platform maintains, not from image names in each Cluster: the Cluster names
 * the catalog and the major version (`imageCatalogRef`), the catalog maps each major to one image. A minor update or
 * a security rebuild is then one edit of the catalog, which CloudNativePG rolls out to every cluster of that major,
 * and the function's output (and so every composed Cluster) stays the same. A major version the catalog lacks shows
 * in the claim's condition (the operator reports it) rather than starting a cluster on an image nobody vetted.
 */
import { z } from 'zod';
import { DNS_LABEL, DNS_SUBDOMAIN } from '../../api/names.js';

export const cloudnativepgOptions = z
  .object({
    operatorNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .default('cnpg-system')
      .describe('Namespace of the CloudNativePG operator, which reaches the instance manager of each pod.'),
    imageCatalog: z
      .object({
        kind: z.enum(['ClusterImageCatalog', 'ImageCatalog']).default('ClusterImageCatalog').describe('ClusterImageCatalog (cluster-wide) or ImageCatalog (one in each claim namespace).'),
        name: z.string().max(253).regex(DNS_SUBDOMAIN, 'must be an object name').default('postgresql').describe('Name of the catalog.'),
      })
      .strict()
      .prefault({})
      .describe('The image catalog that maps each PostgreSQL major version to its image.'),
  })
  .strict();

export type CloudNativePGOptions = z.output<typeof cloudnativepgOptions>;
