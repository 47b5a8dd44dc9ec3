/** ProviderConfig / ClusterProviderConfig: where the API token lives and which region's endpoints to call. */
import { z } from 'zod';

export const REGIONS = ['osc-fr1', 'osc-secnum-fr1'] as const;

const credentials = (clusterScoped: boolean) =>
  z.object({
    source: z.literal('Secret'),
    secretRef: clusterScoped
      ? z.object({ name: z.string().min(1), key: z.string().min(1), namespace: z.string().min(1) })
      : z.object({ name: z.string().min(1), key: z.string().min(1) }),
  });

const endpoints = {
  region: z.string().min(1).default('osc-fr1').describe('Scalingo region; selects the region API endpoint.'),
  authEndpoint: z.string().url().optional().describe('Overrides the auth endpoint (token exchange).'),
  apiEndpoint: z.string().url().optional().describe('Overrides the region API endpoint.'),
};

export const providerConfigSpec = z.object({ credentials: credentials(false), ...endpoints });
export const clusterProviderConfigSpec = z.object({ credentials: credentials(true), ...endpoints });
export type ProviderConfigSpec = z.infer<typeof clusterProviderConfigSpec> | z.infer<typeof providerConfigSpec>;

export const providerConfigStatus = z.object({
  users: z.number().int().optional().describe('How many managed resources use this config.'),
});

/** ProviderConfigUsage: one per managed resource using a config, so a config in use is not deleted. */
export const providerConfigUsage = z.object({
  providerConfigRef: z.object({ kind: z.enum(['ProviderConfig', 'ClusterProviderConfig']), name: z.string() }),
  resourceRef: z.object({ apiVersion: z.string(), kind: z.string(), name: z.string(), uid: z.string().optional() }),
});
