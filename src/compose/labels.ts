import type { Instance } from '../api/parse.js';
import { labelValue } from './names.js';

export const MANAGED_BY = 'function-postgresql';
/** Names the XR an object was composed for; also on the data volumes, where the disk-autogrow Operation finds them. */
export const COMPOSITE_LABEL = 'dbaas.dev/composite';

/** Labels on every composed object, so a person (or a selector) can find everything one claim made. */
export function commonLabels(instance: Instance): Record<string, string> {
  return {
    'app.kubernetes.io/instance': labelValue(instance.claimName),
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/name': 'postgresql',
    [COMPOSITE_LABEL]: labelValue(instance.xrName),
  };
}

/**
 * The label deploy/deletion-protection.yaml matches on what holds data (the database object, its volumes): while it
 * says "true", the API server refuses to delete them, whoever asks — also the namespace controller when the namespace
 * is deleted. Lifting protection writes "false" rather than removing the label, because operators copy labels onto
 * the volumes they made but never remove one (StackGres' PVC label fix-up only adds and overwrites).
 */
export const DELETION_PROTECTION_LABEL = 'dbaas.dev/deletion-protection';

export function deletionProtectionLabels(instance: Instance): Record<string, string> {
  return { [DELETION_PROTECTION_LABEL]: instance.parameters.deletionProtection ? 'true' : 'false' };
}

/**
 * Labels for the volumes the operator makes: deletion protection, and the XR they belong to, which the disk-autogrow
 * Operation selects them by (src/ops/disk-autogrow.ts).
 */
export function volumeLabels(instance: Instance): Record<string, string> {
  return { ...deletionProtectionLabels(instance), [COMPOSITE_LABEL]: labelValue(instance.xrName) };
}
