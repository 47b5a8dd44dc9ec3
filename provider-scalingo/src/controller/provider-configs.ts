/**
 * From a Database's providerConfigRef to a Scalingo client: reads the (Cluster)ProviderConfig and the token Secret.
 * Also the ProviderConfig's own small reconcile: an in-use finalizer kept while any ProviderConfigUsage names it.
 */
import { ZodError } from 'zod';
import { clusterProviderConfigSpec, providerConfigSpec } from '../api/provider-config.js';
import type { DatabaseResource } from '../reconciler/resource.js';
import type { ClientConfig } from '../scalingo/client.js';
import { ours, type KubeApis } from './kube.js';

export const IN_USE_FINALIZER = 'in-use.crossplane.io';

interface ConfigObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; finalizers?: string[]; deletionTimestamp?: string };
  spec: unknown;
}

function fieldError(where: string, error: unknown): Error {
  if (!(error instanceof ZodError)) return error as Error;
  const issue = error.issues[0];
  return new Error(`${where}: spec.${issue?.path.join('.')}: ${issue?.message}`);
}

/** Resolves the config; the cache key changes whenever the config or the Secret does. */
export async function resolveClientConfig(apis: KubeApis, resource: DatabaseResource): Promise<{ key: string; config: ClientConfig }> {
  const ref = resource.spec.providerConfigRef;
  const cluster = ref.kind === 'ClusterProviderConfig';
  const where = `${ref.kind} ${cluster ? '' : `${resource.metadata.namespace}/`}${ref.name}`;
  const object = (
    cluster
      ? await apis.custom.getClusterCustomObject({ ...ours, plural: 'clusterproviderconfigs', name: ref.name })
      : await apis.custom.getNamespacedCustomObject({ ...ours, namespace: resource.metadata.namespace, plural: 'providerconfigs', name: ref.name })
  ) as ConfigObject;
  let spec;
  try {
    spec = cluster ? clusterProviderConfigSpec.parse(object.spec) : providerConfigSpec.parse(object.spec);
  } catch (error) {
    throw fieldError(where, error);
  }
  const secretRef: { name: string; key: string; namespace?: string } = spec.credentials.secretRef;
  // A ProviderConfig's Secret is in the resource's namespace; a ClusterProviderConfig names its namespace.
  const namespace = secretRef.namespace ?? resource.metadata.namespace;
  const secret = await apis.core.readNamespacedSecret({ name: secretRef.name, namespace });
  const encoded = secret.data?.[secretRef.key];
  if (!encoded) throw new Error(`${where}: spec.credentials.secretRef: Secret ${namespace}/${secretRef.name} has no key "${secretRef.key}"`);
  return {
    key: `${where}@${object.metadata.resourceVersion}/${secret.metadata?.resourceVersion}`,
    config: { apiToken: Buffer.from(encoded, 'base64').toString('utf8').trim(), region: spec.region, authEndpoint: spec.authEndpoint, apiEndpoint: spec.apiEndpoint },
  };
}

export interface ProviderConfigActions {
  finalizers: string[];
  users: number;
}

/** Pure: what a (Cluster)ProviderConfig should carry given how many usages name it. */
export function providerConfigActions(config: ConfigObject, users: number): ProviderConfigActions {
  const others = (config.metadata.finalizers ?? []).filter((finalizer) => finalizer !== IN_USE_FINALIZER);
  const releasable = config.metadata.deletionTimestamp !== undefined && users === 0;
  return { finalizers: releasable ? others : [...others, IN_USE_FINALIZER], users };
}
