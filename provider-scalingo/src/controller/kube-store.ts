/**
 * ResourceStore on the Kubernetes API. Updates send the resourceVersion read, so a stale copy is refused (409) rather
 * than overwriting: the external-create-pending annotation is only believed written when the API server said so.
 */
import type { V1Secret } from '@kubernetes/client-node';
import { API_VERSION } from '../api/database.js';
import type { DatabaseResource } from '../reconciler/resource.js';
import type { ResourceStore } from '../reconciler/store.js';
import { httpCode, ours, type KubeApis } from './kube.js';

/** crossplane-runtime's Secret type for connection details. */
export const CONNECTION_SECRET_TYPE = 'connection.crossplane.io/v1alpha1';

function ownerReference(resource: DatabaseResource) {
  return { apiVersion: API_VERSION, kind: 'Database', name: resource.metadata.name, uid: resource.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export class KubeStore implements ResourceStore {
  constructor(private readonly apis: KubeApis) {}

  async update(resource: DatabaseResource): Promise<DatabaseResource> {
    const { namespace, name } = resource.metadata;
    return (await this.apis.custom.replaceNamespacedCustomObject({ ...ours, namespace, plural: 'databases', name, body: resource })) as DatabaseResource;
  }

  async updateStatus(resource: DatabaseResource): Promise<DatabaseResource> {
    const { namespace, name } = resource.metadata;
    return (await this.apis.custom.replaceNamespacedCustomObjectStatus({ ...ours, namespace, plural: 'databases', name, body: resource })) as DatabaseResource;
  }

  async applyConnectionSecret(resource: DatabaseResource, name: string, data: Record<string, string>): Promise<void> {
    const namespace = resource.metadata.namespace;
    const encoded = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]));
    let existing: V1Secret | undefined;
    try {
      existing = await this.apis.core.readNamespacedSecret({ name, namespace });
    } catch (error) {
      if (httpCode(error) !== 404) throw error;
    }
    if (!existing) {
      const body: V1Secret = { metadata: { name, namespace, ownerReferences: [ownerReference(resource)] }, type: CONNECTION_SECRET_TYPE, data: encoded };
      await this.apis.core.createNamespacedSecret({ namespace, body });
      return;
    }
    const owners = existing.metadata?.ownerReferences ?? [];
    const controller = owners.find((owner) => owner.controller);
    if (controller && controller.uid !== resource.metadata.uid) {
      throw new Error(`writeConnectionSecretToRef: Secret ${namespace}/${name} is controlled by ${controller.kind} ${controller.name}, not this Database`);
    }
    const same = Object.keys(encoded).length === Object.keys(existing.data ?? {}).length && Object.entries(encoded).every(([key, value]) => existing.data?.[key] === value);
    if (same && controller) return;
    await this.apis.core.replaceNamespacedSecret({
      name,
      namespace,
      body: { ...existing, metadata: { ...existing.metadata, ownerReferences: controller ? owners : [...owners, ownerReference(resource)] }, data: encoded },
    });
  }

  /** One ProviderConfigUsage per resource, named after its uid and owned by it (as crossplane-runtime does). */
  async ensureUsage(resource: DatabaseResource): Promise<void> {
    const { namespace } = resource.metadata;
    const ref = resource.spec.providerConfigRef;
    const body = {
      apiVersion: API_VERSION,
      kind: 'ProviderConfigUsage',
      metadata: { name: resource.metadata.uid, namespace, labels: { 'crossplane.io/provider-config': ref.name }, ownerReferences: [ownerReference(resource)] },
      providerConfigRef: ref,
      resourceRef: { apiVersion: API_VERSION, kind: 'Database', name: resource.metadata.name, uid: resource.metadata.uid },
    };
    try {
      await this.apis.custom.createNamespacedCustomObject({ ...ours, namespace, plural: 'providerconfigusages', body });
    } catch (error) {
      if (httpCode(error) !== 409) throw error;
    }
  }
}
