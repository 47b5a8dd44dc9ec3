/**
 * What every database engine provides. StackGres is the first; CloudNativePG and the cloud engines implement the same
 * interface, so credentials, connection secrets, network and status stay engine-independent.
 */
import type { FieldError } from '../api/errors.js';
import type { Engine as EngineName } from '../api/schema.js';
import type { BackupTarget } from './backup.js';
import type { Endpoint } from './connection.js';
import type { MonitoredSeries } from './monitoring-rules.js';
import { stackgres } from './stackgres.js';
import type { ComposeContext, ComposedSet, RequiredSelector } from './types.js';

export interface EngineObservation {
  readonly ready: boolean;
  readonly failed: boolean;
  readonly instancesReady: number;
  /** The running version when the engine reports it, e.g. "17.4". */
  readonly version?: string;
  /** What a person should read when it isn't ready yet. */
  readonly message: string;
  /** End of the last successful backup, RFC 3339. */
  readonly lastBackup?: string;
}

export interface EngineInputs {
  readonly superuserSecretName: string;
  /** Undefined when the claim turns backups off. */
  readonly backup?: BackupTarget;
  /** Labels for the volumes the operator makes (deletion protection, labels.ts): the engine passes them on through
   *  whatever its database object offers for that. The database object itself is labelled by instance.ts. */
  readonly volumeLabels: Record<string, string>;
}

export interface DatabaseEngine {
  /** Composition key of the object that holds the data: while it exists, nothing may reset its credentials. */
  readonly databaseKey: string;
  /** Ports applications connect to, and the port Prometheus scrapes. */
  readonly clientPorts: readonly number[];
  readonly metricsPort: number;
  /** Name of the metrics exporter's container port, which the PodMonitor scrapes. */
  readonly metricsPortName: string;
  /** Where the instance's pods, volumes and backup job show up in Prometheus, for the alerts. */
  monitoredSeries(ctx: ComposeContext): MonitoredSeries;
  endpoint(ctx: ComposeContext): Endpoint;
  /** Objects the engine needs to read that it doesn't compose (its backups, a restore's source). */
  requirements(ctx: ComposeContext): Record<string, RequiredSelector>;
  /** Changes the existing objects can't take (shrinking a disk, a major version jump) and restores that can't
   *  start (no such source, no such backup), as field errors. */
  refusedChanges(ctx: ComposeContext): FieldError[];
  compose(ctx: ComposeContext, inputs: EngineInputs): ComposedSet;
  observe(ctx: ComposeContext): EngineObservation;
  /** Labels that select the database pods. */
  podSelector(ctx: ComposeContext): Record<string, string>;
}

const ENGINES: Partial<Record<EngineName, DatabaseEngine>> = { stackgres };

export function engineFor(name: EngineName): DatabaseEngine | undefined {
  return ENGINES[name];
}
