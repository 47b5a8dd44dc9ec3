/**
 * What an Operation of this function writes on an XR: its identity and annotations, nothing else. Crossplane's
 * Operation reconciler applies it with server-side apply (`ForceOwnership`, field manager
 * `ops.crossplane.io/operation/<Operation uid>`, a new manager on every run), so a later run never removes what an
 * earlier one set.
 */
import { at } from '../util/observed.js';

type Json = Record<string, unknown>;

export function annotatedXr(xr: Json, annotations: Record<string, string>): Json {
  const name = at(xr, 'metadata', 'name');
  const namespace = at(xr, 'metadata', 'namespace');
  const resourceVersion = at(xr, 'metadata', 'resourceVersion');
  return {
    apiVersion: xr['apiVersion'],
    kind: xr['kind'],
    metadata: {
      name,
      ...(typeof namespace === 'string' && namespace ? { namespace } : {}),
      // A precondition: an XR deleted since it was read is not made again by the apply (server-side apply creates
      // what doesn't exist; with a resourceVersion the API server refuses instead), and one changed meanwhile gets a
      // conflict, so the Operation fails and its retry reads the XRs again.
      ...(typeof resourceVersion === 'string' && resourceVersion ? { resourceVersion } : {}),
      annotations,
    },
  };
}

/** A desired-resource key unique across both XR kinds and all namespaces. */
export function xrKey(xr: Json, namespace: string | undefined, name: string): string {
  return `${String(xr['kind'])}.${namespace ? `${namespace}.` : ''}${name}`;
}
