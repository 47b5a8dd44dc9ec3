/**
 * Validation of rendered objects against the real CRDs in ../shared/crds. Stricter than the API server in one way on
 * purpose: a field the CRD doesn't declare is an error here, because the API server would silently prune it.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRDS } from './paths.js';

type Schema = Record<string, unknown>;
interface Crd {
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: Schema } }[] };
}

let index: Map<string, Schema> | undefined;

function load(): Map<string, Schema> {
  if (index) return index;
  index = new Map();
  for (const folder of readdirSync(CRDS, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(CRDS, folder.name)).filter((f) => f.endsWith('.yaml'))) {
      const crd = parse(readFileSync(join(CRDS, folder.name, file), 'utf8')) as Crd;
      for (const version of crd.spec.versions) {
        if (!version.served || !version.schema) continue;
        const key = `${folder.name}|${crd.spec.group}/${version.name}|${crd.spec.names.kind}`;
        index.set(key, version.schema.openAPIV3Schema);
      }
    }
  }
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
