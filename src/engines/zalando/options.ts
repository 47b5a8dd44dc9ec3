/**
 * The platform's options for Zalando's postgres-operator (Composition input `platform.engines.zalando`).
 *
 * The operator's own configuration (OperatorConfiguration or its ConfigMap) stays the platform's: these are only what
 * differs per cluster manifest. Two operator settings this engine relies on are documented in the README: cluster
 * names without the team prefix (`enable_team_id_clustername_prefix: false`, the default) and `inherited_labels`
 * naming `dbaas.dev/deletion-protection`, so the label reaches the volumes.
 */
import { z } from 'zod';
import { DNS_LABEL } from '../../api/names.js';

export const zalandoOptions = z
  .object({
    operatorNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .default('postgres-operator')
      .describe("Namespace of Zalando's postgres-operator, which reaches Patroni's API and PostgreSQL in each pod."),
    teamId: z
      .string()
      .max(63)
      .regex(DNS_LABEL, 'must be lower case letters, digits and -')
      .optional()
      .describe("The manifest's teamId (the operator's team API and labels); the claim's namespace when unset."),
    exporterImage: z
      .string()
      .max(512)
      .default('quay.io/prometheuscommunity/postgres-exporter:v0.17.1')
      .describe('Image of the postgres_exporter sidecar added when monitoring is on (Spilo has no exporter of its own).'),
    majorUpgrades: z
      .boolean()
      .default(true)
      .describe(
        "Whether the operator's major_version_upgrade_mode is manual or full (manual is its default): a raised version is " +
          'then upgraded in place by the operator, in the maintenance window. false when the platform set it to off: a ' +
          'raised version is refused, since the operator would ignore it.',
      ),
  })
  .strict();

export type ZalandoOptions = z.output<typeof zalandoOptions>;
