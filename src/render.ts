/**
 * Render without a cluster, as `crossplane render` does: a claim becomes the XR Crossplane would make of it, the
 * function runs in-process, and the desired XR and composed objects come back as Kubernetes documents.
 */
import { Severity, type Resource, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { CLAIM_NAME_LABEL, CLAIM_NAMESPACE_LABEL } from './api/parse.js';
import { GROUP, VERSION, XR_KIND } from './api/xrd.js';
import { shortHash } from './compose/names.js';
import type { RandomSource } from './compose/types.js';
import { runFunction } from './function.js';
import { sortKeys } from './util/canonical.js';

type Doc = Record<string, unknown>;
export const RESOURCE_NAME_ANNOTATION = 'crossplane.io/composition-resource-name';

/** The XR the claim controller makes: a generated name, claim labels, the claim's spec and a claimRef. */
export function claimToComposite(claim: Doc): Doc {
  const metadata = (claim['metadata'] ?? {}) as Doc;
  const name = String(metadata['name'] ?? '');
  const namespace = String(metadata['namespace'] ?? 'default');
  // Crossplane appends five random characters; a hash keeps renders repeatable.
  const xrName = `${name}-${shortHash(`${namespace}/${name}`, 5)}`;
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: XR_KIND,
    metadata: {
      name: xrName,
      labels: { [CLAIM_NAME_LABEL]: name, [CLAIM_NAMESPACE_LABEL]: namespace, 'crossplane.io/composite': xrName },
    },
    spec: {
      ...((claim['spec'] ?? {}) as Doc),
      claimRef: { apiVersion: String(claim['apiVersion'] ?? ''), kind: String(claim['kind'] ?? ''), name, namespace },
    },
  };
}

export interface RenderOptions {
  /** Objects that already exist, each annotated with its composition resource name. */
  readonly observed?: readonly Doc[];
  /** Other objects in the cluster the function may ask for (SGBackups, other instances' SGClusters). */
  readonly extra?: readonly Doc[];
  /** The Composition step's input. */
  readonly input?: Doc;
  readonly random?: RandomSource;
}

export function renderRequest(composite: Doc, options: RenderOptions = {}): RunFunctionRequest {
  const resources: Record<string, Resource> = {};
  for (const doc of options.observed ?? []) {
    const annotations = ((doc['metadata'] as Doc | undefined)?.['annotations'] ?? {}) as Record<string, string>;
    const key = annotations[RESOURCE_NAME_ANNOTATION];
    if (key) resources[key] = { resource: doc, connectionDetails: {}, ready: 0 };
  }
  return {
    meta: { tag: 'render', capabilities: [] },
    observed: { composite: { resource: composite, connectionDetails: {}, ready: 0 }, resources },
    desired: { composite: undefined, resources: {} },
    input: options.input,
    context: undefined,
    extraResources: {},
    credentials: {},
    requiredResources: {},
    requiredSchemas: {},
  } as RunFunctionRequest;
}

export interface Rendered {
  readonly response: RunFunctionResponse;
  readonly fatal: boolean;
  /** The XR with its new status, then every composed object, then the results, as `crossplane render` prints them. */
  readonly documents: Doc[];
}

/** What Crossplane's required-resources fetcher would list from the cluster: every match of kind, namespace and labels. */
function fetchRequired(req: RunFunctionRequest, rsp: RunFunctionResponse, cluster: readonly Doc[]): boolean {
  const selectors = rsp.requirements?.resources ?? {};
  if (Object.keys(selectors).every((key) => req.requiredResources[key] !== undefined)) return false;
  for (const [key, selector] of Object.entries(selectors)) {
    const items = cluster.filter((doc) => {
      const metadata = (doc['metadata'] ?? {}) as Doc;
      const labels = (metadata['labels'] ?? {}) as Doc;
      const wanted = Object.entries(selector.matchLabels?.labels ?? {});
      return (
        doc['apiVersion'] === selector.apiVersion &&
        doc['kind'] === selector.kind &&
        metadata['namespace'] === selector.namespace &&
        wanted.every(([k, v]) => labels[k] === v)
      );
    });
    req.requiredResources[key] = { items: items.map((resource) => ({ resource, connectionDetails: {}, ready: 0 })) };
  }
  return true;
}

export function render(composite: Doc, options: RenderOptions = {}): Rendered {
  const runOptions = options.random ? { random: options.random } : {};
  const req = renderRequest(composite, options);
  let response = runFunction(req, runOptions);
  // Crossplane calls again, with what the function asked for, until its requirements stop changing.
  if (fetchRequired(req, response, [...(options.observed ?? []), ...(options.extra ?? [])])) response = runFunction(req, runOptions);
  const documents: Doc[] = [];
  const desiredXr = response.desired?.composite?.resource;
  if (desiredXr) {
    const conditions = response.conditions.map((c) => ({ type: c.type, status: statusText(c.status), reason: c.reason, message: c.message }));
    documents.push(
      sortKeys({ ...composite, status: { ...((desiredXr['status'] as Doc | undefined) ?? {}), conditions } }),
    );
  }
  for (const key of Object.keys(response.desired?.resources ?? {}).sort()) {
    const object = response.desired!.resources[key]!.resource as Doc;
    const metadata = (object['metadata'] ?? {}) as Doc;
    const annotations = { ...((metadata['annotations'] ?? {}) as Doc), [RESOURCE_NAME_ANNOTATION]: key };
    documents.push(sortKeys({ ...object, metadata: { ...metadata, annotations } }));
  }
  for (const result of response.results) {
    documents.push({
      apiVersion: 'render.crossplane.io/v1beta1',
      kind: 'Result',
      severity: Severity[result.severity],
      message: result.message,
    });
  }
  return { response, fatal: response.results.some((r) => r.severity === Severity.SEVERITY_FATAL), documents };
}

function statusText(status: number): string {
  return ['Unknown', 'Unknown', 'True', 'False'][status] ?? 'Unknown';
}
