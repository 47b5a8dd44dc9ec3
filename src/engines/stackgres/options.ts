/** The platform's options for StackGres (Composition input `platform.engines.stackgres`). */
import { z } from 'zod';
import { DNS_LABEL } from '../../api/names.js';

export const stackgresOptions = z
  .object({
    operatorNamespace: z
      .string()
      .regex(DNS_LABEL, 'must be a namespace name')
      .default('stackgres')
      .describe('Namespace of the StackGres operator, which must reach the database pods.'),
  })
  .strict();

export type StackGresOptions = z.output<typeof stackgresOptions>;
