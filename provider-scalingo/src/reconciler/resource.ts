/** The Database object as the reconciler sees it, and the crossplane-runtime names it follows. */
import type { DatabaseSpec, DatabaseStatus } from '../api/database.js';

export const ANNOTATION = {
  externalName: 'crossplane.io/external-name',
  createPending: 'crossplane.io/external-create-pending',
  createSucceeded: 'crossplane.io/external-create-succeeded',
  createFailed: 'crossplane.io/external-create-failed',
  paused: 'crossplane.io/paused',
} as const;

/** crossplane-runtime's managed resource finalizer. */
export const FINALIZER = 'finalizer.managedresource.crossplane.io';

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
}

export interface DatabaseResource {
  apiVersion: string;
  kind: 'Database';
  metadata: ObjectMeta;
  spec: DatabaseSpec;
  status?: DatabaseStatus;
}

export function annotation(resource: DatabaseResource, key: string): string | undefined {
  return resource.metadata.annotations?.[key];
}

export function withAnnotations(resource: DatabaseResource, changes: Record<string, string | undefined>): DatabaseResource {
  const annotations = { ...resource.metadata.annotations };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete annotations[key];
    else annotations[key] = value;
  }
  return { ...resource, metadata: { ...resource.metadata, annotations } };
}

export function withFinalizer(resource: DatabaseResource, present: boolean): DatabaseResource {
  const others = (resource.metadata.finalizers ?? []).filter((finalizer) => finalizer !== FINALIZER);
  return { ...resource, metadata: { ...resource.metadata, finalizers: present ? [...others, FINALIZER] : others } };
}

export function hasFinalizer(resource: DatabaseResource): boolean {
  return resource.metadata.finalizers?.includes(FINALIZER) ?? false;
}
