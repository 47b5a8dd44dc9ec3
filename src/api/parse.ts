/** From the observed XR and the step's input to a typed, defaulted, validated model — or errors naming fields. */
import { z } from 'zod';
import { fieldPath, type FieldError, type Parsed } from './errors.js';
import { INPUT_GROUP, INPUT_KIND, INPUT_VERSION, inputSchema, type Platform } from './input.js';
import { DNS_LABEL, DNS_SUBDOMAIN } from './names.js';
import { parametersSchema, type Parameters } from './schema.js';
import { validateParameters } from './validate.js';

export const CLAIM_NAME_LABEL = 'crossplane.io/claim-name';
export const CLAIM_NAMESPACE_LABEL = 'crossplane.io/claim-namespace';

/** The instance a claim asks for: who it is and what it wants. */
export interface Instance {
  readonly apiVersion: string;
  readonly kind: string;
  /** The XR's name: unique in the cluster for a claim's XR, in its namespace for a namespaced XR. */
  readonly xrName: string;
  /**
   * A name for this XR's lifetime, which backups are kept under: an instance deleted and made again under the same
   * name must not write over the old one's archive (Barman refuses to). A claim's XR has Crossplane's random suffix;
   * a namespaced XR keeps the name its user gave, so the start of its uid is added.
   */
  readonly archiveName: string;
  /** The claim's name and namespace, or a namespaced XR's own: where the database and its secrets live. */
  readonly claimName: string;
  readonly namespace: string;
  /** A namespaced XR (apiextensions.crossplane.io/v2, no claim): it has no connection secret of its own and may
   *  compose only namespaced objects. */
  readonly namespaced: boolean;
  readonly parameters: Parameters;
  /** Longest base of object names, set once the engine is known (its own suffixes need the rest of 63). */
  readonly baseNameLimit?: number;
}

/** A claim that the function can't compose, with everything that is wrong with it. */
export interface InstanceErrors {
  readonly ok: false;
  readonly errors: FieldError[];
  readonly warnings: string[];
  /** The claim with its refused fields at their defaults, for the checks against existing objects; absent when the
   *  claim is too broken to stand in for. */
  readonly partial?: Instance;
  /** Top-level fields of spec.parameters the schema refused: checks that read them say nothing. */
  readonly broken: ReadonlySet<string>;
}

export type ParsedInstance = { readonly ok: true; readonly value: Instance; readonly warnings: string[] } | InstanceErrors;

const PARAMETERS = 'spec.parameters';

function zodErrors(base: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: fieldPath(base, issue.path), message: issue.message }));
}

const metadataSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  labels: z.record(z.string(), z.string()).default({}).superRefine(claimLabels),
});

export function parseInstance(xr: Record<string, unknown> | undefined): ParsedInstance {
  const refused = (errors: FieldError[]): InstanceErrors => ({ ok: false, errors, warnings: [], broken: new Set() });
  if (!xr) return refused([{ path: 'observed.composite', message: 'the request carries no composite resource' }]);
  const metadata = metadataSchema.safeParse(xr['metadata']);
  if (!metadata.success) return refused(zodErrors('metadata', metadata.error));
  const labels = metadata.data.labels;
  // A namespaced XR is its own claim: its name and namespace stand where a claim's labels would.
  const namespaced = Boolean(metadata.data.namespace);
  const claimName = namespaced ? metadata.data.name : labels[CLAIM_NAME_LABEL];
  const namespace = namespaced ? metadata.data.namespace : labels[CLAIM_NAMESPACE_LABEL];
  if (namespaced && !(metadata.data.name.length <= 63 && DNS_SUBDOMAIN.test(metadata.data.name))) {
    return refused([{ path: 'metadata.name', message: 'must be at most 63 lower case letters, digits, - and .: every composed object is named after it' }]);
  }
  if (!claimName || !namespace) {
    return refused([
      {
        path: `metadata.labels["${CLAIM_NAMESPACE_LABEL}"]`,
        message: 'this cluster-scoped XR has no claim: create a PostgreSQLInstance claim, or a namespaced PostgreSQL, instead',
      },
    ]);
  }
  const spec = (xr['spec'] ?? {}) as Record<string, unknown>;
  const parsed = parseParameters(spec['parameters'] ?? {});
  const instance = (parameters: Parameters): Instance => ({
    apiVersion: String(xr['apiVersion'] ?? ''),
    kind: String(xr['kind'] ?? ''),
    xrName: metadata.data.name,
    archiveName: namespaced && metadata.data.uid ? `${metadata.data.name}-${metadata.data.uid.replace(/[^a-z0-9]/g, '').slice(0, 5)}` : metadata.data.name,
    claimName,
    namespace,
    namespaced,
    parameters,
  });
  if (parsed.errors.length === 0 && parsed.parameters) return { ok: true, value: instance(parsed.parameters), warnings: parsed.warnings };
  return {
    ok: false,
    errors: parsed.errors,
    warnings: parsed.warnings,
    broken: parsed.broken,
    ...(parsed.parameters ? { partial: instance(parsed.parameters) } : {}),
  };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function deleteAt(root: unknown, path: readonly PropertyKey[]): void {
  let node = root;
  for (const part of path.slice(0, -1)) node = isObject(node) || Array.isArray(node) ? (node as Json)[part as string] : undefined;
  if (isObject(node)) delete node[path.at(-1) as string];
}

interface ParametersOutcome {
  readonly parameters?: Parameters;
  readonly errors: FieldError[];
  readonly warnings: string[];
  readonly broken: ReadonlySet<string>;
}

/**
 * The schema, then every rule, in one pass over everything that parsed:
 * - a field this version of the function doesn't know (the XRD is newer) is a warning and is ignored;
 * - a refused field is reported and set aside (a refused postgresql.conf entry alone, else its top-level field), the
 *   rest is parsed again with the defaults in its place, and every rule that doesn't read a refused field runs on it.
 */
function parseParameters(raw: unknown): ParametersOutcome {
  let input = raw;
  let result = parametersSchema.safeParse(input);
  const warnings: string[] = [];
  const unknown = result.success ? [] : result.error.issues.filter((i) => i.code === 'unrecognized_keys');
  if (unknown.length > 0) {
    input = structuredClone(input);
    for (const issue of unknown) {
      for (const key of issue.keys) {
        deleteAt(input, [...issue.path, key]);
        warnings.push(`${fieldPath(PARAMETERS, [...issue.path, key])}: not a field this version of the function knows; ignored`);
      }
    }
    result = parametersSchema.safeParse(input);
  }
  if (result.success) {
    const semantic = validateParameters(result.data);
    return { parameters: result.data, errors: semantic.errors, warnings: [...warnings, ...semantic.warnings], broken: new Set() };
  }
  const errors = zodErrors(PARAMETERS, result.error);
  const broken = new Set<string>();
  const salvage = structuredClone(input);
  for (const { path } of result.error.issues) {
    const [top, second] = path;
    if (typeof top !== 'string' || !isObject(salvage)) return { errors, warnings, broken };
    if (top === 'postgresql' && second === 'settings' && path.length >= 3) deleteAt(salvage, path.slice(0, 3));
    else {
      delete salvage[top];
      broken.add(top);
    }
  }
  const partial = parametersSchema.safeParse(salvage);
  if (!partial.success) return { errors, warnings, broken };
  const semantic = validateParameters(partial.data, broken);
  return { parameters: partial.data, errors: [...errors, ...semantic.errors], warnings: [...warnings, ...semantic.warnings], broken };
}

export function parsePlatform(input: Record<string, unknown> | undefined): Parsed<Platform> {
  if (!input || Object.keys(input).length === 0) return { ok: true, value: inputSchema.parse(defaultInput()).platform };
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodErrors('input', parsed.error) };
  return { ok: true, value: parsed.data.platform };
}

function defaultInput() {
  return { apiVersion: `${INPUT_GROUP}/${INPUT_VERSION}`, kind: INPUT_KIND };
}

/**
 * Every composed object is named after the claim and lives in its namespace; Crossplane copies both into these
 * labels. Anything else (only a hand-made or corrupted XR can carry it) would compose objects the API server refuses.
 */
function claimLabels(labels: Record<string, string>, ctx: z.RefinementCtx): void {
  const name = labels[CLAIM_NAME_LABEL];
  if (name !== undefined && name !== '' && !(name.length <= 63 && DNS_SUBDOMAIN.test(name))) {
    ctx.addIssue({ code: 'custom', path: [CLAIM_NAME_LABEL], message: 'must be a claim name: at most 63 lower case letters, digits, - and .' });
  }
  const namespace = labels[CLAIM_NAMESPACE_LABEL];
  if (namespace !== undefined && namespace !== '' && !DNS_LABEL.test(namespace)) {
    ctx.addIssue({ code: 'custom', path: [CLAIM_NAMESPACE_LABEL], message: 'must be a namespace name: at most 63 lower case letters, digits and -' });
  }
}
