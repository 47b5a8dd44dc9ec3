/** What a person reads on the claim: endpoint, version, instances, and one condition that says what is going on. */
import type { Instance } from '../api/parse.js';
import type { Endpoint } from './connection.js';
import type { EngineObservation } from '../engines/engine.js';
import { describeWindow, maintenanceWindow } from './maintenance.js';
import type { ComposedSet, ConditionOut } from './types.js';

export const READY_CONDITION = 'DatabaseReady';
export const MAINTENANCE_CONDITION = 'MaintenancePending';

/** A type, not an interface, so it is a plain Record where the XR's status is written. */
export type InstanceStatus = {
  engine: string;
  endpoint: string;
  port: number;
  version: string;
  instances: number;
  instancesReady: number;
  connectionSecret: string;
  backupSchedule?: string;
  lastBackup?: string;
  firstRecoverabilityPoint?: string;
  currentPrimary?: string;
  phase?: string;
  maintenanceWindow: string;
  updateStrategy: string;
  dataVersion?: string;
  upgradeFailed?: string;
  disk: string;
};

export function instanceStatus(
  instance: Instance,
  endpoint: Endpoint,
  observation: EngineObservation,
  connectionSecret: string,
  backupSchedule: string | undefined,
  disk: string,
  /** With `finalBackupOnDelete`: whether the final-backup Operation armed the gate yet. */
  finalBackupArmed?: boolean,
): InstanceStatus {
  const p = instance.parameters;
  return {
    ...(backupSchedule ? { backupSchedule } : {}),
    ...(observation.lastBackup ? { lastBackup: observation.lastBackup } : {}),
    ...(observation.firstRecoverabilityPoint ? { firstRecoverabilityPoint: observation.firstRecoverabilityPoint } : {}),
    ...(observation.currentPrimary ? { currentPrimary: observation.currentPrimary } : {}),
    ...(observation.phase ? { phase: observation.phase } : {}),
    ...(observation.dataMajor !== undefined ? { dataVersion: String(observation.dataMajor) } : {}),
    ...(observation.upgradeFailed ? { upgradeFailed: observation.upgradeFailed } : {}),
    maintenanceWindow: describeWindow(observation.maintenanceWindow ?? maintenanceWindow(instance, p)),
    updateStrategy: p.updateStrategy,
    engine: p.engine ?? '',
    endpoint: endpoint.host,
    port: endpoint.port,
    version: observation.version ?? String(p.version),
    instances: p.instances,
    instancesReady: observation.instancesReady,
    connectionSecret,
    disk,
    ...(finalBackupArmed === undefined
      ? {}
      : { finalBackup: finalBackupArmed ? 'armed: deleting the instance takes a backup first' : 'not armed yet: waiting for the final-backup Operation' }),
  };
}

export function readyCondition(observation: EngineObservation, resources: ComposedSet): ConditionOut {
  if (observation.failed) {
    return { type: READY_CONDITION, status: 'False', reason: observation.upgrading ? 'UpgradeFailed' : 'Failed', message: observation.message };
  }
  // An upgrade in progress says so whatever else waits: the database is down for it, by the claim's own request.
  if (observation.upgrading) {
    return { type: READY_CONDITION, status: 'False', reason: 'Upgrading', message: observation.message };
  }
  const waiting = Object.entries(resources)
    .filter(([, r]) => !r.ready)
    .map(([key]) => key)
    .sort();
  if (observation.ready && waiting.length === 0) {
    return { type: READY_CONDITION, status: 'True', reason: 'Available', message: 'the database accepts connections' };
  }
  const others = waiting.length > 0 ? `; not ready yet: ${waiting.join(', ')}` : '';
  return { type: READY_CONDITION, status: 'False', reason: 'Creating', message: `${observation.message}${others}` };
}

/** Says whether disruptive work waits for the window (or runs), so nobody is surprised by a restart. */
export function maintenanceCondition(observation: EngineObservation): ConditionOut {
  return observation.maintenancePending
    ? { type: MAINTENANCE_CONDITION, status: 'True', reason: observation.maintenanceReason ?? 'RestartPending', message: observation.maintenancePending }
    : { type: MAINTENANCE_CONDITION, status: 'False', reason: 'NothingPending', message: 'no disruptive work is waiting' };
}
