/**
 * What every database engine provides. Each engine lives in its own folder under src/engines/ and is listed once, in
 * src/engines/index.ts; credentials, connection Secrets, users, network, monitoring, backups and status stay
 * engine-free and talk to the engine only through this interface.
 */
import type { z } from 'zod';
import type { BlockedSetting } from '../api/blocked-settings.js';
import type { FieldError } from '../api/errors.js';
import type { BackupTarget } from '../compose/backup.js';
import type { Endpoint } from '../compose/connection.js';
import type { MaintenanceWindow } from '../compose/maintenance.js';
import type { MonitoredSeries } from '../compose/monitoring-rules.js';
import type { ComposeContext, ComposedSet, KubeObject, RequiredSelector } from '../compose/types.js';

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
  /** The earliest moment a point-in-time restore can reach, RFC 3339, when the engine reports it. */
  readonly firstRecoverabilityPoint?: string;
  /** The pod that runs the primary, when the engine reports it. */
  readonly currentPrimary?: string;
  /** The engine's own word for its state, e.g. "Cluster in healthy state". */
  readonly phase?: string;
  /** The major version of the data directory, when the engine reports it. */
  readonly dataMajor?: number;
  /** A major version upgrade is being prepared (a backup first) or runs; `message` says which step. */
  readonly upgrading?: boolean;
  /** A failed major upgrade the status must remember, "<major>: <reason>" (see cloudnativepg/upgrade.ts). */
  readonly upgradeFailed?: string;
  /** The maintenance window the engine uses when it had to move the one picked for the instance (RDS keeps it clear of
   *  a backup window the claim chose); the status shows this one. */
  readonly maintenanceWindow?: MaintenanceWindow;
  /** Disruptive work waiting for the maintenance window or running (a restart that applies a change), when any. */
  readonly maintenancePending?: string;
  /** The condition's reason for it; `RestartPending` when unset. */
  readonly maintenanceReason?: string;
}

export interface EngineInputs {
  readonly superuserSecretName: string;
  /** The superuser's password, for an engine whose operator reads it from a Secret of its own naming (Zalando). */
  readonly superuserPassword: string;
  /** Undefined when the claim turns backups off. */
  readonly backup?: BackupTarget;
  /** Labels for the volumes the operator makes (deletion protection, labels.ts): the engine passes them on through
   *  whatever its database object offers for that. The database object itself is labelled by instance.ts. */
  readonly volumeLabels: Record<string, string>;
}

/** What the operator says of a backup object: still running, done, or failed with its reason. */
export type BackupOutcome = { readonly state: 'running' } | { readonly state: 'completed' } | { readonly state: 'failed'; readonly reason: string };

/**
 * A backup taken when the instance is deleted (`backup.finalBackupOnDelete`, compose/final-backup.ts): the composition
 * holds what the backup needs with Usages, and the final-backup Operation (ops/final-backup.ts) takes the backup when
 * the instance's XR is gone, then lets them go.
 */
export interface FinalBackupSupport {
  /** Composition keys of what the operator needs to take the backup (the database object, where it writes backups). */
  readonly held: readonly string[];
  /** The backup object's kind, which the Operation reads. */
  readonly apiVersion: string;
  readonly kind: string;
  /** The backup object, named `name`; nothing owns it, so it stays after the instance. */
  backup(ctx: ComposeContext, target: BackupTarget, name: string): KubeObject;
  outcome(backup: Record<string, unknown>): BackupOutcome;
}

/** The platform's options for one engine (Composition input `platform.engines.<name>`); every field has a default. */
export interface EngineOptionsBase {
  /** Namespace of the engine's operator, which must reach the database pods. */
  readonly operatorNamespace: string;
}

export interface DatabaseEngine<Options extends EngineOptionsBase = EngineOptionsBase> {
  readonly name: string;
  /**
   * `cloud`: the database is a cloud service, nothing of it runs in the cluster — no NetworkPolicy, no PodMonitor,
   * no backup bucket are composed (the engine composes its own network rules and uses the cloud's own backups).
   * Pod-related members (ports, podSelector, monitoredSeries, operatorNamespace) are then not called.
   * Undefined: the database runs as pods in the claim's namespace.
   */
  readonly hosting?: 'cloud';
  /**
   * The engine labels its volumes with `volumeLabels` (the operator copies them onto the PVCs it makes) and sizes them
   * from the autogrown disk: the disk-autogrow Operation (src/ops/disk-autogrow.ts) can then grow them. A cloud
   * engine's service grows its own disk instead.
   */
  readonly autogrowsVolumes?: boolean;
  /** The engine takes a final backup when the instance is deleted; undefined: `finalBackupOnDelete: true` is refused
   *  (a cloud engine's own deletion settles it instead). */
  readonly finalBackup?: FinalBackupSupport;
  /** The administrator the service makes (OTC RDS: `root`); `postgres` when unset. */
  readonly superuser?: string;
  /**
   * The Secret the service's provider writes with the administrator's login, in the keys provider-sql's ProviderConfig
   * reads (username, password, endpoint, port), for a service that makes its administrator and password itself
   * (Scalingo). When set, no superuser Secret of ours is composed or kept, and provider-sql reads this one.
   */
  adminSecret?(ctx: ComposeContext): string;
  /** The service backs up at a time of its own choosing (Scalingo): the status shows no schedule of ours. */
  readonly servicePicksBackupTime?: boolean;
  /** Zod schema of the platform's options for this engine; `{}` must parse (defaults for everything). */
  readonly platformOptions: z.ZodType<Options>;
  /**
   * Longest base name (the claim's name, cut) the engine's own suffixes leave room for within 63 characters.
   * Changing it renames existing objects: only ever set it for a new engine.
   */
  readonly maxBaseName: number;
  /** Composition key of the object that holds the data: while it exists, nothing may reset its credentials, and its
   *  presence tells which engine an existing instance runs on. */
  readonly databaseKey: string;
  /** Ports applications connect to (the pooler's too), and the port Prometheus scrapes. */
  readonly clientPorts: readonly number[];
  readonly metricsPorts: readonly number[];
  /** Ports of the database pods the operator talks to (its instance manager); empty means every port. */
  readonly operatorPorts: readonly number[];
  /**
   * The engine's own roles, no superusers, that log in to the `postgres` database (CloudNativePG's replicas check the
   * new primary as `streaming_replica` before they rejoin): they keep CONNECT there when PUBLIC loses it (users.ts).
   */
  readonly platformDatabaseLogins: readonly string[];
  /** Name of the metrics exporter's container port, which the PodMonitor scrapes. */
  readonly metricsPortName: string;
  /** postgresql.conf settings this engine manages itself, beyond those every engine manages (api/blocked-settings). */
  readonly blockedSettings: readonly BlockedSetting[];
  /** Where the instance's pods, volumes and backups show up in Prometheus, and under which metric names. */
  monitoredSeries(ctx: ComposeContext): MonitoredSeries;
  /** The primary's Service. */
  endpoint(ctx: ComposeContext): Endpoint;
  /** The connection pooler's Service when the claim asks for one; applications' Secrets point there. */
  poolerEndpoint(ctx: ComposeContext): Endpoint | undefined;
  /** Objects the engine needs to read that it doesn't compose (its backups, a restore's source). */
  requirements(ctx: ComposeContext): Record<string, RequiredSelector>;
  /** Changes the existing objects can't take (shrinking a disk, a major version jump) and restores that can't
   *  start (no such source, no such backup), as field errors. */
  refusedChanges(ctx: ComposeContext): FieldError[];
  /** What the database object reports; called once per request, its answer handed to `compose`. */
  observe(ctx: ComposeContext): EngineObservation;
  /** The engine's objects; `observation` is what `observe` answered for this request, so it isn't read twice. */
  compose(ctx: ComposeContext, inputs: EngineInputs, observation: EngineObservation): ComposedSet;
  /** Labels that select the instance's pods: the database's, and the pooler's when it runs pods of its own. */
  podSelector(ctx: ComposeContext): Record<string, string>;
  /** Namespace of this engine's operator, from the platform's options. */
  operatorNamespace(ctx: ComposeContext): string;
}
