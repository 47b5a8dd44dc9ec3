/** The XR's status fields the function writes. Declared in the XRD, or the API server would prune them. */
import { z } from 'zod';

export const statusSchema = z
  .object({
    engine: z.string().describe('The engine running the database.'),
    endpoint: z.string().describe('Host name applications connect to: the primary, or the pooler in front of it when there is one.'),
    port: z.number().int().describe('Port applications connect to.'),
    version: z.string().describe('PostgreSQL version: the running one when the engine reports it, else the major asked for.'),
    instances: z.number().int().describe('Instances asked for.'),
    instancesReady: z.number().int().describe('Instances running.'),
    connectionSecret: z.string().describe('Name of the connection Secret in the claim namespace.'),
    backupSchedule: z.string().describe('Cron schedule (UTC) of base backups, chosen or given.'),
    lastBackup: z.string().describe('When the last successful backup ended (RFC 3339).'),
    firstRecoverabilityPoint: z.string().describe('The earliest moment a point-in-time restore can reach (RFC 3339), when the engine reports it.'),
    currentPrimary: z.string().describe('The pod running the primary, when the engine reports it.'),
    phase: z.string().describe("The engine's own word for the database's state, when it has one."),
    // day two
    maintenanceWindow: z.string().describe('The weekly hour (UTC) disruptive work may happen in, chosen or given, e.g. "sunday 02:30-03:30 UTC".'),
    updateStrategy: z.string().describe('window or immediate: whether disruptive work waits for the maintenance window.'),
    upgradeFailed: z.string().describe('A major upgrade that failed, "<major>: <reason>": the old major runs, and that upgrade is not tried again until the platform clears this field.'),
    disk: z.string().describe("Disk size per instance the volumes are asked to have: the claim's, or larger where autogrow grew it (never smaller)."),
    finalBackup: z
      .string()
      .describe('With backup.finalBackupOnDelete: "armed" once deleting the instance takes a backup first, else what it waits for.'),
    dataVersion: z.string().describe('The major version of the data on disk, when the engine reports it; lower than `spec.parameters.version` while an upgrade runs.'),
  })
  .partial()
  .describe('What the function observed of the database.');
