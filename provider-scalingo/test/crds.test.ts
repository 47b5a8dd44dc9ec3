/** The committed CRDs are what the zod schemas generate, and objects of the contract validate against them. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { providerCrds } from '../src/api/crds.js';

const crdDir = fileURLToPath(new URL('../package/crds', import.meta.url));

function openApiOf(file: string): Record<string, unknown> {
  const crd = parse(readFileSync(join(crdDir, file), 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] } };
  return crd.spec.versions[0]!.schema.openAPIV3Schema;
}

/** Kubernetes extensions are not JSON Schema; ajv must ignore them. */
const ajv = new Ajv({ strict: false, allErrors: true });

describe('generated CRDs', () => {
  it.each([...providerCrds().keys()])('%s is up to date (run npm run generate in provider-scalingo/)', (file) => {
    const committed = readFileSync(join(crdDir, file), 'utf8');
    expect(committed).toContain(stringify(providerCrds().get(file)));
  });

  /** The fields of Kubernetes' JSONSchemaProps (apiextensions.k8s.io/v1): the API server refuses a CRD with any other. */
  const JSON_SCHEMA_PROPS = new Set([
    'type', 'format', 'title', 'description', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
    'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum', 'maxProperties',
    'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties', 'additionalProperties',
    'nullable', 'example', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
    'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type',
    'x-kubernetes-validations',
  ]);
  function unknownFields(schema: Record<string, unknown>, at: string): string[] {
    const found = Object.keys(schema).filter((key) => !JSON_SCHEMA_PROPS.has(key)).map((key) => `${at}.${key}`);
    const child = (value: unknown, where: string) => (value && typeof value === 'object' && !Array.isArray(value) ? unknownFields(value as Record<string, unknown>, where) : []);
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) found.push(...child(property, `${at}.properties.${name}`));
    found.push(...child(schema.items, `${at}.items`), ...child(schema.additionalProperties, `${at}.additionalProperties`), ...child(schema.not, `${at}.not`));
    for (const key of ['allOf', 'oneOf', 'anyOf'] as const) ((schema[key] ?? []) as unknown[]).forEach((sub, i) => found.push(...child(sub, `${at}.${key}[${i}]`)));
    return found;
  }
  // Found by the e2e (suites/43-scalingo): `credentials.source` was generated as `const: Secret`, which the API server refused.
  it.each([...providerCrds().keys()])('%s uses only fields of JSONSchemaProps', (file) => {
    expect(unknownFields(openApiOf(file), 'openAPIV3Schema')).toEqual([]);
  });
  it('turns a zod literal into a one-value enum', () => {
    const source = ((openApiOf('scalingo.dbaas.dev_providerconfigs.yaml').properties as Record<string, Record<string, Record<string, Record<string, Record<string, unknown>>>>>).spec!.properties!.credentials!.properties!.source);
    expect(source).toEqual({ type: 'string', enum: ['Secret'] });
  });

  it.each([
    { file: 'scalingo.dbaas.dev_clusterproviderconfigs.yaml', valid: false, object: { spec: { credentials: { source: 'Env', secretRef: { name: 'scalingo', key: 'token', namespace: 'crossplane-system' } } } } },
    { file: 'scalingo.dbaas.dev_databases.yaml', valid: true, object: { spec: { forProvider: { name: 'orders-db', plan: 'postgresql-dr-starter-4096', firewallRules: [{ cidr: '10.0.0.0/8', label: 'vpc' }] }, writeConnectionSecretToRef: { name: 'orders-conn' } } } },
    { file: 'scalingo.dbaas.dev_databases.yaml', valid: true, object: { spec: { forProvider: { name: 'orders-db', plan: 'p' }, managementPolicies: ['Observe'], providerConfigRef: { kind: 'ProviderConfig', name: 'team' } } } },
    { file: 'scalingo.dbaas.dev_databases.yaml', valid: false, object: { spec: { forProvider: { name: 'Orders_DB', plan: 'p' } } } },
    { file: 'scalingo.dbaas.dev_databases.yaml', valid: false, object: { spec: { forProvider: { name: 'orders-db', plan: 'p', firewallRules: [{ cidr: '10.0.0.0' }] } } } },
    { file: 'scalingo.dbaas.dev_databases.yaml', valid: false, object: { spec: { forProvider: { name: 'orders-db', plan: 'p' }, managementPolicies: ['Import'] } } },
    { file: 'scalingo.dbaas.dev_clusterproviderconfigs.yaml', valid: true, object: { spec: { credentials: { source: 'Secret', secretRef: { name: 'scalingo', key: 'token', namespace: 'crossplane-system' } } } } },
    { file: 'scalingo.dbaas.dev_clusterproviderconfigs.yaml', valid: false, object: { spec: { credentials: { source: 'Secret', secretRef: { name: 'scalingo', key: 'token' } } } } },
    { file: 'scalingo.dbaas.dev_providerconfigs.yaml', valid: true, object: { spec: { credentials: { source: 'Secret', secretRef: { name: 'scalingo', key: 'token' } }, region: 'osc-secnum-fr1', apiEndpoint: 'http://127.0.0.1:1' } } },
    { file: 'scalingo.dbaas.dev_providerconfigusages.yaml', valid: true, object: { providerConfigRef: { kind: 'ClusterProviderConfig', name: 'default' }, resourceRef: { apiVersion: 'scalingo.dbaas.dev/v1alpha1', kind: 'Database', name: 'orders' } } },
  ])('$file accepts=$valid %#', ({ file, valid, object }) => {
    expect(ajv.validate(openApiOf(file), object)).toBe(valid);
  });

  it('defaults managementPolicies to ["*"] and providerConfigRef to the default ClusterProviderConfig', () => {
    const spec = (openApiOf('scalingo.dbaas.dev_databases.yaml').properties as Record<string, { properties: Record<string, { default?: unknown }> }>).spec!.properties;
    expect(spec.managementPolicies!.default).toEqual(['*']);
    expect(spec.providerConfigRef!.default).toEqual({ kind: 'ClusterProviderConfig', name: 'default' });
  });

  const examplesDir = fileURLToPath(new URL('../examples', import.meta.url));
  const examples = ['database.yaml', 'provider-config.yaml'].flatMap((file) =>
    parseAllDocuments(readFileSync(join(examplesDir, file), 'utf8')).map((document) => document.toJS() as { kind: string; metadata: { name: string } }),
  );
  it.each(examples.filter((object) => object.kind !== 'Secret').map((object) => [object.kind, object.metadata.name, object] as const))(
    'examples/%s %s validates',
    (kind, _name, object) => {
      const file = { Database: 'scalingo.dbaas.dev_databases.yaml', ClusterProviderConfig: 'scalingo.dbaas.dev_clusterproviderconfigs.yaml' }[kind as string]!;
      expect(ajv.validate(openApiOf(file), object)).toBe(true);
    },
  );
});
