import type { Instance } from '../api/parse.js';
import { labelValue } from './names.js';

export const MANAGED_BY = 'function-postgresql';

/** Labels on every composed object, so a person (or a selector) can find everything one claim made. */
export function commonLabels(instance: Instance): Record<string, string> {
  return {
    'app.kubernetes.io/instance': labelValue(instance.claimName),
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/name': 'postgresql',
    'dbaas.dev/composite': labelValue(instance.xrName),
  };
}
