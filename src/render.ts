/**
 * Render without a cluster, as `crossplane render` does: a claim becomes the XR Crossplane would make of it, the
 * function runs in-process, and the desired XR and composed objects come back as Kubernetes documents.
 */
import { createHash } from 'node:crypto';
import { Ready, Severity, type Resource, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { CLAIM_NAME_LABEL, CLAIM_NAMESPACE_LABEL } from './api/parse.js';
import { CLAIM_KIND, COMPOSITION_NAME, GROUP, NAMESPACED_COMPOSITION_NAME, NAMESPACED_KIND, VERSION, XR_KIND } from './api/xrd.js';
import { shortHash } from './compose/names.js';
import type { RandomSource } from './compose/types.js';
import { runFunction } from './function.js';
import { sortKeys } from './util/canonical.js';

type Doc = Record<string, unknown>;
export const RESOURCE_NAME_ANNOTATION = 'crossplane.io/composition-resource-name';

/** A PostgreSQLInstance claim or a namespaced PostgreSQL XR: the two documents a user writes. */
export function isInstanceDocument(doc: Doc): boolean {
  return doc['kind'] === CLAIM_KIND || doc['kind'] === NAMESPACED_KIND;
}

/** The repository file of the Composition that serves this document's kind. */
export function compositionFileFor(doc: Doc): string {
  return `compositions/${doc['kind'] === NAMESPACED_KIND ? NAMESPACED_COMPOSITION_NAME : COMPOSITION_NAME}.yaml`;
}

/**
 * The XR Crossplane composes: for a claim, the one the claim controller makes (a generated name, claim labels, the
 * claim's spec and a claimRef); a namespaced XR is already one, in the default namespace when it names none.
 */
export function claimToComposite(claim: Doc): Doc {
  if (claim['kind'] === NAMESPACED_KIND) {
    const metadata = (claim['metadata'] ?? {}) as Doc;
    return { ...claim, metadata: { ...metadata, namespace: String(metadata['namespace'] ?? 'default') } };
  }
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

/**
 * A namespaced XR as the API server stores it, with a uid: the one `crossplane composition render` (Crossplane v2.3+)
 * gives an XR that has none, UUIDv5(nil, "<group>/<version>, Kind=<kind>" NUL namespace NUL name), so the golden renders
 * and the CLI's render see the same XR. The function reads a namespaced XR's uid (its archive folder's suffix), so
 * without one the golden files would show a folder no cluster ever gets. A claim's XR is left as it is (its name
 * already carries a suffix; the function doesn't read its uid).
 */
export function withRenderUid(composite: Doc): Doc {
  const metadata = (composite['metadata'] ?? {}) as Doc;
  if (composite['kind'] !== NAMESPACED_KIND || metadata['uid'] !== undefined) return composite;
  const [group, version] = String(composite['apiVersion']).split('/');
  const bytes = createHash('sha1')
    .update(Buffer.alloc(16))
    .update(`${group}/${version}, Kind=${NAMESPACED_KIND}\0${String(metadata['namespace'] ?? '')}\0${String(metadata['name'] ?? '')}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  const uid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { ...composite, metadata: { ...metadata, uid } };
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
  /** How many composed objects the request said exist. */
  readonly observedCount: number;
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
        // A cluster-scoped object has no namespace; a selector for one names '' (as one for every namespace would).
        (selector.namespace === '' || metadata['namespace'] === selector.namespace) &&
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
  const fatal = response.results.some((r) => r.severity === Severity.SEVERITY_FATAL);
  return { response, fatal, observedCount: Object.keys(req.observed?.resources ?? {}).length, documents };
}

function statusText(status: number): string {
  return ['Unknown', 'Unknown', 'True', 'False'][status] ?? 'Unknown';
}

const READY_TEXT: Record<number, string> = { [Ready.READY_TRUE]: 'yes', [Ready.READY_FALSE]: 'no' };

/**
 * What a person wants at a glance from a render, for stderr: each composed object's kind, name and readiness, the
 * XR's conditions, and every warning or Fatal result. The YAML on stdout stays the whole answer.
 */
export function summarize(rendered: Rendered, claim: Doc): string {
  const metadata = (claim['metadata'] ?? {}) as Doc;
  const name = String(metadata['name'] ?? '');
  const namespace = String(metadata['namespace'] ?? 'default');
  const resources = rendered.response.desired?.resources ?? {};
  const rows = Object.keys(resources)
    .map((key) => {
      const object = (resources[key]!.resource ?? {}) as Doc;
      const objectMetadata = (object['metadata'] ?? {}) as Doc;
      const objectNamespace = objectMetadata['namespace'];
      const objectName = String(objectMetadata['name'] ?? `(${key})`);
      return [
        String(object['kind'] ?? '?'),
        objectNamespace === undefined || objectNamespace === namespace ? objectName : `${String(objectNamespace)}/${objectName}`,
        READY_TEXT[resources[key]!.ready] ?? '-',
      ];
    })
    .sort((a, b) => (a[0]! + ' ' + a[1]!).localeCompare(b[0]! + ' ' + b[1]!, 'en'));
  const lines: string[] = [];
  if (rendered.fatal) {
    lines.push(`${namespace}/${name}: refused; nothing composed, nothing in the cluster would change`);
  } else {
    const ready = rows.filter((r) => r[2] === 'yes').length;
    lines.push(`${namespace}/${name}: ${rows.length} composed objects, ${ready} ready (in namespace ${namespace})`);
    if (ready === 0 && rendered.observedCount === 0) {
      lines.push('  (a first reconcile: nothing exists yet, so nothing is ready; --observed renders a later one)');
    }
  }
  if (rows.length > 0) lines.push(...table([['KIND', 'NAME', 'READY'], ...rows]));
  if (rendered.response.conditions.length > 0) {
    lines.push('conditions:');
    lines.push(
      ...table(
        rendered.response.conditions.map((c) => [c.type, statusText(c.status), c.reason, c.message ?? '']),
      ),
    );
  }
  for (const result of rendered.response.results) {
    lines.push(`${SEVERITY_TEXT[result.severity] ?? 'Result'}: ${result.message}`);
  }
  return lines.map((line) => `${line}\n`).join('');
}

const SEVERITY_TEXT: Record<number, string> = {
  [Severity.SEVERITY_FATAL]: 'Fatal',
  [Severity.SEVERITY_WARNING]: 'Warning',
  [Severity.SEVERITY_NORMAL]: 'Normal',
};

/** Columns padded to their widest cell, two spaces apart, the last one as it is. */
function table(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `  ${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}`.trimEnd());
}
