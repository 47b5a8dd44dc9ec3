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
  /** The XR's name: unique in the cluster. */
  readonly xrName: string;
  /** The claim's name and namespace: where the database and its secrets live. */
  readonly claimName: string;
  readonly namespace: string;
  readonly parameters: Parameters;
}

function zodErrors(base: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: fieldPath(base, issue.path), message: issue.message }));
}

const metadataSchema = z.object({
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()).default({}).superRefine(claimLabels),
});

export function parseInstance(xr: Record<string, unknown> | undefined): Parsed<Instance> {
  if (!xr) return { ok: false, errors: [{ path: 'observed.composite', message: 'the request carries no composite resource' }] };
  const metadata = metadataSchema.safeParse(xr['metadata']);
  if (!metadata.success) return { ok: false, errors: zodErrors('metadata', metadata.error) };
  const labels = metadata.data.labels;
  const claimName = labels[CLAIM_NAME_LABEL];
  const namespace = labels[CLAIM_NAMESPACE_LABEL];
  if (!claimName || !namespace) {
    return {
      ok: false,
      errors: [
        {
          path: `metadata.labels["${CLAIM_NAMESPACE_LABEL}"]`,
          message: 'this XR has no claim: create a PostgreSQLInstance claim in a namespace instead of the XR',
        },
      ],
    };
  }
  const spec = (xr['spec'] ?? {}) as Record<string, unknown>;
  const parameters = parametersSchema.safeParse(spec['parameters'] ?? {});
  if (!parameters.success) return { ok: false, errors: zodErrors('spec.parameters', parameters.error) };
  const semantic = validateParameters(parameters.data);
  if (semantic.length > 0) return { ok: false, errors: semantic };
  return {
    ok: true,
    value: {
      apiVersion: String(xr['apiVersion'] ?? ''),
      kind: String(xr['kind'] ?? ''),
      xrName: metadata.data.name,
      claimName,
      namespace,
      parameters: parameters.data,
    },
  };
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
