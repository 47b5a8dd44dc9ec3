/**
 * Validation of rendered objects against the real CRDs in ../shared/crds, and against the CRDs our own providers
 * generate into this repository (provider-scalingo/package/crds, OWN_PROVIDER_CRDS). Stricter than the API server in one way on
 * purpose: a field the CRD doesn't declare is an error here, because the API server would silently prune it.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRDS, REPO } from './paths.js';

/** CRD folders of the providers this repository builds, by the folder name tests pass to crdErrors. */
export const OWN_PROVIDER_CRDS: Record<string, string> = { 'provider-scalingo': join(REPO, 'provider-scalingo/package/crds') };

type Schema = Record<string, unknown>;
interface Crd {
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Schema } }[] };
}

let index: Map<string, Schema> | undefined;

function load(): Map<string, Schema> {
  if (index) return index;
  const loaded = new Map<string, Schema>();
  const folders = readdirSync(CRDS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ name: d.name, path: join(CRDS, d.name) }));
  // Our own providers' CRDs are generated into this repository, beside their code, not into ../shared.
  for (const [name, path] of Object.entries(OWN_PROVIDER_CRDS)) if (existsSync(path)) folders.push({ name, path });
  for (const folder of folders) {
    for (const file of readdirSync(folder.path).filter((f) => f.endsWith('.yaml'))) {
      const crd = parse(readFileSync(join(folder.path, file), 'utf8')) as Crd;
      for (const version of crd.spec.versions) {
        if (!version.served || !version.schema) continue;
        const key = `${folder.name}|${crd.spec.group}/${version.name}|${crd.spec.names.kind}`;
        loaded.set(key, version.schema.openAPIV3Schema);
      }
    }
  }
  index = loaded;
  return index;
}

/** OpenAPI v3 with Kubernetes extensions → JSON Schema ajv runs, closed where the API server would prune. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const s = node as Schema;
  if (s['x-kubernetes-int-or-string']) {
    const { type: _t, 'x-kubernetes-int-or-string': _x, ...rest } = s;
    return { ...(toJsonSchema(rest) as Schema), anyOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(s)) {
    if (key.startsWith('x-kubernetes-') || key === 'description' || key === 'nullable' || key === 'format') continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, toJsonSchema(v)])) : toJsonSchema(value);
  }
  if (s['properties'] && s['additionalProperties'] === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
    out['additionalProperties'] = false;
  }
  if (s['nullable']) {
    const { type, ...rest } = out;
    return type === undefined ? out : { ...rest, type: [type, 'null'].flat() };
  }
  return out;
}

/**
 * CRD patterns are Go RE2, which the API server evaluates; some start with an inline flag JavaScript lacks, e.g. the
 * PrometheusRule CRD's `^(?i)(abort|warn)?$`. A leading `(?i)` becomes the `i` flag, which means the same. RE2 also
 * takes an escaped space (Zalando's `maintenanceWindows` pattern, `^\ *(…)\ *$`), which JavaScript's unicode mode
 * refuses: it is a plain space.
 */
const INLINE_IGNORE_CASE = /^(\^?)\(\?i\)/;
const goRegExp = Object.assign(
  (raw: string, flags: string) => {
    const pattern = raw.replace(/\\ /g, ' ');
    return INLINE_IGNORE_CASE.test(pattern) ? new RegExp(pattern.replace(INLINE_IGNORE_CASE, '$1'), `${flags}i`) : new RegExp(pattern, flags);
  },
  { code: 'goRegExp' },
);

const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: goRegExp } });
const compiled = new Map<string, ValidateFunction>();

/** The validator for apiVersion/kind, from the given CRD folder (or any folder when omitted). */
export function validatorFor(apiVersion: string, kind: string, folder?: string): ValidateFunction | undefined {
  const key = [...load().keys()].find((k) => {
    const [f, av, kd] = k.split('|');
    return av === apiVersion && kd === kind && (folder === undefined || f === folder);
  });
  if (!key) return undefined;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = toJsonSchema(load().get(key)) as Schema;
    // apiVersion, kind and metadata are the API server's own business, whatever the CRD schema declares.
    const properties = {
      ...((schema['properties'] ?? {}) as Schema),
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
    };
    validate = ajv.compile({ ...schema, properties });
    compiled.set(key, validate);
  }
  return validate;
}

export function crdErrors(object: Record<string, unknown>, folder?: string): string[] | 'no-crd' {
  const validate = validatorFor(String(object['apiVersion']), String(object['kind']), folder);
  if (!validate) return 'no-crd';
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
