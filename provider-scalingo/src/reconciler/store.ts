/** Where the reconciler writes: the Kubernetes API in production, memory in unit tests. */
import type { DatabaseResource } from './resource.js';

export interface ResourceStore {
  /** Writes metadata and spec (annotations, finalizers, late-initialized fields); returns the stored object. */
  update(resource: DatabaseResource): Promise<DatabaseResource>;
  updateStatus(resource: DatabaseResource): Promise<DatabaseResource>;
  /** Creates or updates the connection Secret, owned by the resource. */
  applyConnectionSecret(resource: DatabaseResource, name: string, data: Record<string, string>): Promise<void>;
  /**
   * Records that the resource uses its provider config (ProviderConfigUsage), so the config can't be deleted. The
   * usage is owned by the resource: Kubernetes' garbage collector deletes it with the resource, as crossplane-runtime
   * relies on too. There is no "remove": the RBAC manager grants a Provider package no delete on its own kinds.
   */
  ensureUsage(resource: DatabaseResource): Promise<void>;
}
