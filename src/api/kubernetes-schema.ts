/**
 * zod's JSON Schema (draft 2020-12) to the structural OpenAPI v3 subset Kubernetes accepts in CRDs and XRDs: no
 * `$schema`, no `additionalProperties: false` beside `properties`, no `propertyNames` (CEL rules cover map keys).
 */
import { z } from 'zod';

type Schema = Record<string, unknown>;

const DROPPED = new Set(['$schema', 'propertyNames', 'id', '$id']);

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (DROPPED.has(key)) continue;
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'default' || key === 'enum' || key === 'x-kubernetes-validations') out[key] = value;
    else if (key === 'minimum' && Math.abs(Number(value)) >= Number.MAX_SAFE_INTEGER) continue;
    else if (key === 'maximum' && Math.abs(Number(value)) >= Number.MAX_SAFE_INTEGER) continue;
    else out[key] = convert(value);
  }
  return out;
}

export function kubernetesSchema(schema: z.ZodType): Schema {
  return convert(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw' })) as Schema;
}
