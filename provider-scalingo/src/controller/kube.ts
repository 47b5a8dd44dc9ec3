/** The Kubernetes APIs the provider uses, and the one error check it needs everywhere. */
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../api/database.js';

export interface KubeApis {
  config: KubeConfig;
  custom: CustomObjectsApi;
  core: CoreV1Api;
}

export function kubeApis(config: KubeConfig): KubeApis {
  return { config, custom: config.makeApiClient(CustomObjectsApi), core: config.makeApiClient(CoreV1Api) };
}

export const ours = { group: GROUP, version: VERSION };

export function httpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}
