/** The XRD and the function-input CRD, generated from the zod schemas by `npm run generate`. */
import { INPUT_GROUP, INPUT_KIND, INPUT_VERSION, platformSchema } from './input.js';
import { kubernetesSchema } from './kubernetes-schema.js';
import { specSchema } from './schema.js';
import { statusSchema } from './status.js';

export const GROUP = 'dbaas.dev';
export const VERSION = 'v1alpha1';
export const XR_KIND = 'XPostgreSQLInstance';
export const XR_PLURAL = 'xpostgresqlinstances';
export const CLAIM_KIND = 'PostgreSQLInstance';
export const CLAIM_PLURAL = 'postgresqlinstances';
export const XRD_NAME = `${XR_PLURAL}.${GROUP}`;
export const COMPOSITION_NAME = XRD_NAME;

// Crossplane 2's namespaced XR (no claim): named for what a user asks for, as the claim is, without the X prefix
// that only told XRs from claims apart. `kubectl get postgresqls -n shop` lists them; the plural differs from every
// operator's kind this repo knows (StackGres SGCluster, CloudNativePG Cluster, Zalando's postgresqls.acid.zalan.do
// lives in another group, and `kubectl get postgresqls.dbaas.dev` tells them apart).
export const NAMESPACED_KIND = 'PostgreSQL';
export const NAMESPACED_PLURAL = 'postgresqls';
export const NAMESPACED_XRD_NAME = `${NAMESPACED_PLURAL}.${GROUP}`;
export const NAMESPACED_COMPOSITION_NAME = NAMESPACED_XRD_NAME;

/** One served version, the same schema for both XRDs. */
function servedVersion(): Record<string, unknown> {
  return {
    name: VERSION,
    served: true,
    referenceable: true,
    additionalPrinterColumns: [
      { name: 'VERSION', type: 'string', jsonPath: '.status.version' },
      { name: 'ENDPOINT', type: 'string', jsonPath: '.status.endpoint' },
    ],
    schema: {
      openAPIV3Schema: {
        type: 'object',
        description: 'A PostgreSQL database with its users, backups, monitoring and network policy.',
        properties: { spec: kubernetesSchema(specSchema), status: kubernetesSchema(statusSchema) },
        required: ['spec'],
      },
    },
  };
}

/** The cluster-scoped XR with its PostgreSQLInstance claim, for platforms that already use claims. */
export function compositeResourceDefinition(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.crossplane.io/v1',
    kind: 'CompositeResourceDefinition',
    metadata: { name: XRD_NAME },
    spec: {
      group: GROUP,
      names: { kind: XR_KIND, plural: XR_PLURAL },
      claimNames: { kind: CLAIM_KIND, plural: CLAIM_PLURAL },
      defaultCompositionRef: { name: COMPOSITION_NAME },
      versions: [servedVersion()],
    },
  };
}

/** Crossplane 2's namespaced XR: the same API, made directly in the application's namespace. */
export function namespacedCompositeResourceDefinition(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.crossplane.io/v2',
    kind: 'CompositeResourceDefinition',
    metadata: { name: NAMESPACED_XRD_NAME },
    spec: {
      scope: 'Namespaced',
      group: GROUP,
      names: { kind: NAMESPACED_KIND, plural: NAMESPACED_PLURAL },
      defaultCompositionRef: { name: NAMESPACED_COMPOSITION_NAME },
      versions: [servedVersion()],
    },
  };
}

export function inputDefinition(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `inputs.${INPUT_GROUP}` },
    spec: {
      group: INPUT_GROUP,
      names: { kind: INPUT_KIND, listKind: `${INPUT_KIND}List`, plural: 'inputs', singular: 'input', categories: ['crossplane'] },
      scope: 'Namespaced',
      versions: [
        {
          name: INPUT_VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'Platform choices for function-postgresql, set once in the Composition step input.',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                platform: kubernetesSchema(platformSchema),
              },
            },
          },
        },
      ],
    },
  };
}
