/**
 * Restarts that apply a change on StackGres. Some changes (a new instance profile, a `postmaster` setting) take effect
 * only after a restart; StackGres marks the cluster `PendingRestart` and waits. The function composes an `SGDbOps`
 * `restart` (`onlyPendingRestart`, `ReducedImpact` when there are replicas so the primary moves to a restarted one):
 * with `updateStrategy: window` scheduled by StackGres itself at the next start of the maintenance window after the
 * restart became pending (`runAt`), with `immediate` at once. The condition `MaintenancePending` says so meanwhile.
 */
import type { Parameters } from '../../api/schema.js';
import { commonLabels } from '../../compose/labels.js';
import { maintenanceWindow, nextWindowStart, utcSeconds } from '../../compose/maintenance.js';
import { objectName } from '../../compose/names.js';
import type { ComposeContext, KubeObject } from '../../compose/types.js';
import { at, conditionOf, scalarText } from '../../util/observed.js';

type Json = Record<string, unknown>;

export const RESTART_KEY = 'sg-dbops-restart';

export interface PendingRestart {
  /** The operation to compose; undefined while nothing is pending or running. */
  readonly dbops?: KubeObject;
  /** For the MaintenancePending condition. */
  readonly message: string;
  readonly pending: boolean;
}


/** When the SGCluster says a restart became pending; undefined when none is. */
function pendingSince(cluster: Json | undefined): { pending: boolean; since?: string } {
  const condition = conditionOf(cluster, 'PendingRestart');
  const pods = at(cluster, 'status', 'podStatuses');
  const podPending = Array.isArray(pods) && (pods as Json[]).some((p) => p?.['pendingRestart'] === true);
  const pending = condition?.['status'] === 'True' || podPending;
  const since = condition?.['lastTransitionTime'];
  return { pending, ...(typeof since === 'string' && since ? { since } : {}) };
}

/** With replicas StackGres first adds an updated one, so the primary moves instead of going down; alone, in place. */
export const podReplacement = (p: Pick<Parameters, 'instances'>): 'ReducedImpact' | 'InPlace' => (p.instances > 1 ? 'ReducedImpact' : 'InPlace');

const finished = (dbops: unknown) => ['Completed', 'Failed'].some((t) => conditionOf(dbops, t)?.['status'] === 'True');

/** `2026-12-02T02:10:00Z` → `20261202t0210`: a name per pending episode, since an SGDbOps runs once. */
const stamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+/, '').slice(0, 13).toLowerCase();

export function pendingRestart(ctx: ComposeContext, cluster: Json | undefined, clusterName: string, p: Parameters): PendingRestart {
  const observed = ctx.observed.resources[RESTART_KEY];
  const { pending, since } = pendingSince(cluster);
  // One that runs is kept until it finished, whatever the cluster says meanwhile; a finished one is let go.
  if (observed && !finished(observed)) {
    const runAt = at(observed, 'spec', 'runAt');
    const running = conditionOf(observed, 'Running')?.['status'] === 'True';
    return {
      dbops: {
        apiVersion: 'stackgres.io/v1',
        kind: 'SGDbOps',
        metadata: { name: scalarText(at(observed, 'metadata', 'name')), namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
        spec: at(observed, 'spec') as Json,
      },
      pending: true,
      message: running
        ? 'restarting to apply a change (SGDbOps running)'
        : typeof runAt === 'string'
          ? `a restart is pending to apply a change: scheduled at ${runAt}, in the maintenance window`
          : 'a restart is pending to apply a change: starting',
    };
  }
  if (!pending) return { pending: false, message: 'nothing pending' };
  const immediate = p.updateStrategy === 'immediate';
  if (!immediate && !since) return { pending: true, message: 'a restart is pending to apply a change: waiting for StackGres to say since when' };
  const runAt = immediate ? undefined : utcSeconds(nextWindowStart(maintenanceWindow(ctx.instance, p), new Date(since!)));
  const dbops: KubeObject = {
    apiVersion: 'stackgres.io/v1',
    kind: 'SGDbOps',
    metadata: { name: objectName(ctx.instance, `restart-${since ? stamp(since) : `g${(scalarText(at(cluster, 'metadata', 'generation')) || '0')}`}`), namespace: ctx.instance.namespace, labels: commonLabels(ctx.instance) },
    spec: {
      sgCluster: clusterName,
      op: 'restart',
      ...(runAt ? { runAt } : {}),
      maxRetries: 1,
      restart: { method: podReplacement(p), onlyPendingRestart: true },
    },
  };
  return {
    dbops,
    pending: true,
    message: runAt ? `a restart is pending to apply a change: scheduled at ${runAt}, in the maintenance window` : 'a restart is pending to apply a change: restarting now (updateStrategy immediate)',
  };
}
