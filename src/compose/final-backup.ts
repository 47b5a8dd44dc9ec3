/**
 * A backup before delete (`backup.finalBackupOnDelete: true`), for engines whose operator can take one
 * (DatabaseEngine.finalBackup). Crossplane deletes composed objects through Kubernetes' garbage collector and calls no
 * function on delete, so the composition only holds, and the final-backup Operation (ops/final-backup.ts) acts:
 *
 *   1. The composition holds what the backup needs (the database object, where it writes backups) with Crossplane
 *      Usages, each used `by` a gate ConfigMap. The Operation makes the gate (Operations only apply); from then on the
 *      instance is "armed", and the status says so.
 *   2. When the XR is deleted, the collector's deletes of the held objects are refused by Crossplane's Usage webhook
 *      (which notes the attempt on them), and the Usages stay: a Usage goes only with what uses it, the gate.
 *   3. The Operation sees the XR gone and applies the backup object this module wrote into the Usages' annotation.
 *   4. Once the operator says it completed, the Operation lets the gate go. The Usages follow it, and Crossplane
 *      replays the refused deletes (`replayDeletion`). Nothing owns the backup object: it stays, and its backups stay in
 *      the bucket under the platform's retention. A new claim restores from it (cloudnativepg/restore.ts).
 */
import type { FieldError } from '../api/errors.js';
import type { DatabaseEngine, EngineInputs } from '../engines/engine.js';
import { commonLabels } from './labels.js';
import { fitName, labelValue, objectName } from './names.js';
import { observedExists } from './readiness.js';
import type { ComposeContext, ComposedSet, KubeObject, RequiredSelector } from './types.js';

/** On gates, their Usages and the final backups: which of the three it is. */
export const FINAL_BACKUP_LABEL = 'dbaas.dev/final-backup';
/** On a final backup: the claim (or namespaced XR) it was taken of, which a restore looks it up by. */
export const FINAL_BACKUP_OF_LABEL = 'dbaas.dev/final-backup-of';
/** On a final backup: its gate, which the Operation counts the attempts by. */
export const FINAL_BACKUP_GATE_LABEL = 'dbaas.dev/final-backup-gate';
/** On the Usages: the engine, whose `finalBackup` judges the backup object. */
export const FINAL_BACKUP_ENGINE_LABEL = 'dbaas.dev/final-backup-engine';
/** On the Usages: the backup object to apply, as JSON. */
export const FINAL_BACKUP_MANIFEST_ANNOTATION = 'dbaas.dev/final-backup';
export const REQUIRED_GATE = 'final-backup-gate';

export const gateName = (ctx: ComposeContext): string => objectName(ctx.instance, 'final-backup');
/** Unique to the XR's lifetime: a claim made again under the same name and deleted again has a final backup of its own. */
export const finalBackupName = (ctx: ComposeContext): string => fitName(`${ctx.instance.archiveName}-final`);

export const wantsFinalBackup = (ctx: ComposeContext, engine: DatabaseEngine, inputs: EngineInputs): boolean =>
  ctx.instance.parameters.backup.finalBackupOnDelete === true && engine.finalBackup !== undefined && inputs.backup !== undefined;

/** Whether a backup object (of any engine) is a final backup; of the instance `claimName` when it is given. */
export function isFinalBackup(backup: Record<string, unknown>, claimName?: string): boolean {
  const labels = (backup['metadata'] as { labels?: Record<string, string> } | undefined)?.labels ?? {};
  return labels[FINAL_BACKUP_LABEL] === 'backup' && (claimName === undefined || labels[FINAL_BACKUP_OF_LABEL] === labelValue(claimName));
}

/** A restore's source is neither a live instance nor a deleted one with a final backup. */
export const noRestoreSource = (ctx: ComposeContext, fromInstance: string): FieldError => ({
  path: 'spec.parameters.restore.fromInstance',
  message: `there is no instance "${fromInstance}" in namespace ${ctx.instance.namespace}, nor a final backup of one (backup.finalBackupOnDelete)`,
});

/** The gate ConfigMap of this instance, once the Operation made it. */
export function gateRequirement(ctx: ComposeContext): Record<string, RequiredSelector> {
  return {
    [REQUIRED_GATE]: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ctx.instance.namespace,
      matchLabels: { [FINAL_BACKUP_LABEL]: 'gate', ...commonLabels(ctx.instance) },
    },
  };
}

/** Whether the Operation made the gate; undefined until Crossplane fetched it. */
export function gateArmed(ctx: ComposeContext): boolean | undefined {
  const gates = ctx.required[REQUIRED_GATE];
  return gates === undefined ? undefined : gates.length > 0;
}

/** A Usage per held object that `resources` composes. */
export function finalBackupUsages(ctx: ComposeContext, engine: DatabaseEngine, inputs: EngineInputs, resources: ComposedSet): ComposedSet {
  const support = engine.finalBackup;
  const target = inputs.backup;
  if (!support || !target || ctx.instance.parameters.backup.finalBackupOnDelete !== true) return {};
  const name = finalBackupName(ctx);
  const backup = support.backup(ctx, target, name);
  const withLabels: KubeObject = {
    ...backup,
    metadata: {
      ...backup.metadata,
      labels: {
        ...backup.metadata.labels,
        [FINAL_BACKUP_LABEL]: 'backup',
        [FINAL_BACKUP_OF_LABEL]: labelValue(ctx.instance.claimName),
        [FINAL_BACKUP_GATE_LABEL]: gateName(ctx),
      },
    },
  };
  const out: ComposedSet = {};
  for (const key of support.held) {
    const held = resources[key]?.object;
    if (!held) continue;
    const usageKey = `final-backup-usage-${key}`;
    out[usageKey] = {
      object: {
        apiVersion: 'protection.crossplane.io/v1beta1',
        kind: 'Usage',
        metadata: {
          name: objectName(ctx.instance, `final-backup-${held.kind.toLowerCase()}`),
          namespace: ctx.instance.namespace,
          labels: { ...commonLabels(ctx.instance), [FINAL_BACKUP_LABEL]: 'gate', [FINAL_BACKUP_ENGINE_LABEL]: engine.name },
          annotations: { [FINAL_BACKUP_MANIFEST_ANNOTATION]: JSON.stringify(withLabels) },
        },
        spec: {
          of: { apiVersion: held.apiVersion, kind: held.kind, resourceRef: { name: held.metadata.name } },
          by: { apiVersion: 'v1', kind: 'ConfigMap', resourceRef: { name: gateName(ctx) } },
          // The garbage collector gave up on the refused delete; Crossplane makes it again once the Usage is gone.
          replayDeletion: true,
        },
      },
      ready: observedExists(ctx, usageKey),
    };
  }
  return out;
}
