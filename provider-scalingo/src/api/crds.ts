/**
 * The provider's CustomResourceDefinitions, built from the zod schemas (the single source of truth) in the shape
 * controller-gen gives Crossplane providers: categories crossplane/managed, READY/SYNCED columns, status subresource.
 */
import { z } from 'zod';
import { databaseSpec, databaseStatus, GROUP, VERSION } from './database.js';
import { clusterProviderConfigSpec, providerConfigSpec, providerConfigStatus, providerConfigUsage } from './provider-config.js';

type Schema = Record<string, unknown>;
const DROPPED = new Set(['$schema', 'propertyNames', 'id', '$id']);

/**
 * zod's JSON Schema → the structural OpenAPI subset Kubernetes accepts (no $schema, no additionalProperties: false;
 * `const` becomes a one-value `enum`: the API server's JSONSchemaProps has no `const` and refuses the CRD).
 */
function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (DROPPED.has(key)) continue;
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'format' && value === 'uri') continue; // not an OpenAPI format Kubernetes validates
    if (key === 'const') {
      out['enum'] = [value];
      continue;
    }
    out[key] = key === 'default' || key === 'enum' ? value : structural(value);
  }
  return out;
}

export function openApi(schema: z.ZodType): Schema {
  return structural(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' })) as Schema;
}

/** Conditions are a map list keyed by type, as in crossplane-runtime. */
function withConditionListMap(status: Schema): Schema {
  const properties = status.properties as Record<string, Schema> | undefined;
  const conditions = properties?.conditions;
  if (conditions) Object.assign(conditions, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] });
  return status;
}

interface CrdInput {
  kind: string;
  plural: string;
  scope: 'Namespaced' | 'Cluster';
  categories: string[];
  columns: Schema[];
  /** Top-level properties besides apiVersion/kind/metadata (spec/status, or a usage's own fields). */
  properties: Record<string, Schema>;
  required: string[];
  status: boolean;
}

const readyColumns: Schema[] = [
  { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
  { name: 'SYNCED', type: 'string', jsonPath: ".status.conditions[?(@.type=='Synced')].status" },
  { name: 'EXTERNAL-NAME', type: 'string', jsonPath: ".metadata.annotations.crossplane\\.io/external-name" },
  { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

function crd(input: CrdInput): Schema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${input.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        categories: input.categories,
        kind: input.kind,
        listKind: `${input.kind}List`,
        plural: input.plural,
        singular: input.kind.toLowerCase(),
      },
      scope: input.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          additionalPrinterColumns: input.columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                ...input.properties,
              },
              required: input.required,
            },
          },
          ...(input.status ? { subresources: { status: {} } } : {}),
        },
      ],
    },
  };
}

const age: Schema = { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function usageCrd(kind: string, plural: string, scope: 'Namespaced' | 'Cluster'): Schema {
  const usage = openApi(providerConfigUsage);
  return crd({
    kind,
    plural,
    scope,
    categories: ['crossplane', 'provider', 'scalingo'],
    columns: [{ name: 'CONFIG-NAME', type: 'string', jsonPath: '.providerConfigRef.name' }, { name: 'RESOURCE-NAME', type: 'string', jsonPath: '.resourceRef.name' }, age],
    properties: usage.properties as Record<string, Schema>,
    required: usage.required as string[],
    status: false,
  });
}

function providerConfigCrd(kind: string, plural: string, scope: 'Namespaced' | 'Cluster', spec: z.ZodType): Schema {
  return crd({
    kind,
    plural,
    scope,
    categories: ['crossplane', 'provider', 'scalingo'],
    columns: [age, { name: 'SECRET-NAME', type: 'string', jsonPath: '.spec.credentials.secretRef.name', priority: 1 }],
    properties: { spec: openApi(spec), status: openApi(providerConfigStatus) },
    required: ['spec'],
    status: true,
  });
}

/** File name (controller-gen's <group>_<plural>.yaml) → CRD object. */
export function providerCrds(): Map<string, Schema> {
  const all: Schema[] = [
    crd({
      kind: 'Database',
      plural: 'databases',
      scope: 'Namespaced',
      categories: ['crossplane', 'managed', 'scalingo'],
      columns: readyColumns,
      properties: { spec: openApi(databaseSpec), status: withConditionListMap(openApi(databaseStatus)) },
      required: ['spec'],
      status: true,
    }),
    providerConfigCrd('ProviderConfig', 'providerconfigs', 'Namespaced', providerConfigSpec),
    providerConfigCrd('ClusterProviderConfig', 'clusterproviderconfigs', 'Cluster', clusterProviderConfigSpec),
    usageCrd('ProviderConfigUsage', 'providerconfigusages', 'Namespaced'),
    usageCrd('ClusterProviderConfigUsage', 'clusterproviderconfigusages', 'Cluster'),
  ];
  const byFile = new Map<string, Schema>();
  for (const object of all) byFile.set(`${(object.metadata as { name: string }).name.replace(/^([^.]+)\.(.*)$/, '$2_$1')}.yaml`, object);
  return byFile;
}
