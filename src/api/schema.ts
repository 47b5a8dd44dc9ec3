/**
 * The claim API: `spec.parameters` of a PostgreSQLInstance. This zod schema is the single source of truth: the function
 * parses XRs with it, `npm run generate` turns it into the XRD's OpenAPI schema, and the README's reference is made from
 * the XRD. Every default lives here.
 */
import { z } from 'zod';
import { ENGINE_NAMES, type EngineName } from '../engines/index.js';
import { DEFAULT_AUTOGROW_THRESHOLD, MAX_AUTOGROW_THRESHOLD, MIN_AUTOGROW_THRESHOLD } from './autogrow.js';
import { blockedSettingsCel } from './blocked-settings.js';
import {
  CRON_SCHEDULE,
  APP_DATABASE,
  APP_ROLE,
  DNS_LABEL,
  DNS_SUBDOMAIN,
  EXTENSION_NAME,
  KEY_PREFIX,
  RESERVED_DATABASES,
  RESERVED_ROLES,
  RESERVED_ROLE_PREFIX,
  SETTING_NAME,
  SQL_IDENTIFIER,
} from './names.js';
import { DEFAULT_PLAN, PLAN_NAMES } from './plans.js';
import { WEEKDAYS } from './weekdays.js';
import { BACKUP_SEED_SHAPES, POSTGRESQL_SEED_SHAPES, SIZE_FORMER_SHAPES, TOP_SEED_SHAPES, seedFields, seedRules } from './seed-shapes.js';

type CelRule = { rule: string; message: string; fieldPath?: string; reason?: string };
const cel = (...rules: CelRule[]) => ({ 'x-kubernetes-validations': rules });
const celList = (items: readonly string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;

export const MIN_VERSION = 14;
export const MAX_VERSION = 18;
const MAX_SETTINGS = 64;

const cpu = z
  .string()
  .regex(/^[1-9][0-9]*m?$/, 'must be whole cores ("2") or millicores ("500m")')
  .describe('CPU limit per instance, overriding the plan: whole cores ("2") or millicores ("500m").');
const memory = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(Mi|Gi)$/, 'must be a quantity in Mi or Gi, e.g. "4Gi"')
  .describe('Memory limit per instance, overriding the plan, in Mi or Gi (e.g. "4Gi").');
const disk = z
  .string()
  // Bounded, so that the API server's estimate of the quantity() rule on size stays small.
  .max(32)
  .regex(/^[0-9]+(\.[0-9]+)?(Mi|Gi|Ti)$/, 'must be a quantity in Mi, Gi or Ti, e.g. "50Gi"')
  .describe('Disk size per instance, overriding the plan, in Mi, Gi or Ti. It can grow in place; it can never shrink.');

// ---- day two (maintenance window, update strategy): a block of its own, see README "Day two" ----
export const UPDATE_STRATEGIES = ['window', 'immediate'] as const;
const maintenance = z
  .object({
    dayOfWeek: z.enum(WEEKDAYS).describe('Day of the window, in UTC.'),
    timeOfDay: z
      .string()
      .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be a time of day "HH:MM" in UTC, e.g. "02:30"')
      .describe('Start of the window, "HH:MM" in UTC; the window lasts one hour.'),
  })
  .strict()
  .optional()
  .describe(
    'The weekly hour in which disruptive work (minor and security updates, restarts that apply a change, ' +
      'switchovers) may happen. When unset, one night of the week is chosen per instance; the status shows it.',
  );
const updateStrategy = z
  .enum(UPDATE_STRATEGIES)
  .default('window')
  .describe('window: disruptive work waits for the maintenance window; immediate: it happens as soon as it is due.');
const autogrow = z
  .object({
    enabled: z.boolean().default(false).describe('Grow the disk by itself when it fills; needs max.'),
    thresholdPercent: z
      .number()
      .int()
      .min(MIN_AUTOGROW_THRESHOLD)
      .max(MAX_AUTOGROW_THRESHOLD)
      .default(DEFAULT_AUTOGROW_THRESHOLD)
      .describe('Used space, in percent of the disk, past which it grows (otc-rds: 80, 85 or 90; aws-rds: RDS decides, leave it at 85).'),
    step: disk
      .optional()
      .describe(
        'How much the disk grows at a time. cloudnativepg and stackgres: a fifth of the disk when unset, at least 1Gi; ' +
          'aws-rds and otc-rds choose it themselves and refuse one.',
      ),
    max: disk.optional().describe('The disk never grows beyond this; larger than the disk. Needed when enabled.'),
  })
  .strict()
  .meta(cel({ rule: '!has(self.enabled) || !self.enabled || has(self.max)', message: 'autogrow.enabled needs autogrow.max, the size the disk may grow to', fieldPath: '.max' }))
  .refine((a) => !a.enabled || a.max !== undefined, { message: 'autogrow.enabled needs autogrow.max, the size the disk may grow to', path: ['max'] })
  .optional()
  .describe(
    'A disk that grows by itself when it fills, never beyond max and never shrinking. aws-rds: RDS storage ' +
      "autoscaling; otc-rds: the volume's automatic expansion; cloudnativepg and stackgres: the platform's disk-autogrow " +
      'Operation, from the kubelet\'s volume statistics (the status shows the size reached); refused on zalando and scalingo.',
  );
// ---- end of day two ----

const database = z
  .object({
    name: z
      .string()
      .max(63)
      .regex(SQL_IDENTIFIER, 'must be a lower-case PostgreSQL identifier: a-z, 0-9, _ and not starting with a digit')
      .meta(cel({ rule: `!(self in ${celList(RESERVED_DATABASES)})`, message: 'is a database every instance already has' }))
      .describe('SQL name of the database. Underscores are fine; it is independent of any Kubernetes name.'),
    extensions: z
      .array(z.string().max(63).regex(EXTENSION_NAME, 'must be an extension name such as "pg_trgm"'))
      .max(32)
      .default([])
      .describe('Extensions to create in this database, e.g. ["pg_trgm", "uuid-ossp"].'),
  })
  .strict();

export const PRIVILEGES = ['owner', 'readWrite', 'readOnly'] as const;

const grant = z
  .object({
    database: z.string().max(63).regex(SQL_IDENTIFIER, 'must name a database listed in spec.parameters.databases'),
    privileges: z
      .enum(PRIVILEGES)
      .describe('owner: owns the database; readWrite: reads and writes all tables; readOnly: reads all tables.'),
  })
  .strict();

const user = z
  .object({
    name: z
      .string()
      .max(63)
      .regex(SQL_IDENTIFIER, 'must be a lower-case PostgreSQL identifier: a-z, 0-9, _ and not starting with a digit')
      .meta(
        cel({
          rule: `!(self in ${celList(RESERVED_ROLES)}) && !self.startsWith('${RESERVED_ROLE_PREFIX}')`,
          message: `is reserved by PostgreSQL or the operator (${RESERVED_ROLES.join(', ')}, ${RESERVED_ROLE_PREFIX}*)`,
        }),
      )
      .describe('SQL name of the login role.'),
    grants: z
      .array(grant)
      .max(32)
      .default([])
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['database'] })
      .describe('What the user may do, one entry per database.'),
  })
  .strict();

export const parametersSchema = z
  .object({
    engine: z
      .enum(ENGINE_NAMES)
      .optional()
      .meta(cel({ rule: 'self == oldSelf', message: 'the engine can not be changed: create a new instance instead' }))
      .describe(
        `Which operator runs the database (${ENGINE_NAMES.join(', ')}); the platform's default when unset, among the ` +
          'engines the platform allows. Immutable: an instance keeps the engine it was created on.',
      ),
    version: z
      .number()
      .int()
      .min(MIN_VERSION)
      .max(MAX_VERSION)
      .default(17)
      .meta(cel({ rule: 'self >= oldSelf', message: 'the major version can be raised (an in-place upgrade) but never lowered' }))
      .describe(
        `PostgreSQL major version, ${MIN_VERSION} to ${MAX_VERSION}. Raising it upgrades the data in place (a backup is taken ` +
          'first when backups are on); lowering it is refused. Minor updates are applied by the operator.',
      ),
    instances: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(1)
      .describe('Number of PostgreSQL instances: one primary and instances-1 replicas with automatic failover.'),
    replication: z
      .object({
        mode: z
          .enum(['async', 'sync'])
          .default('async')
          .describe('sync: a commit waits for one replica (no data loss on failover, needs instances >= 2).'),
      })
      .strict()
      .prefault({})
      .describe('How replicas follow the primary.'),
    size: z
      .object({
        plan: z
          .enum(PLAN_NAMES)
          .default(DEFAULT_PLAN)
          .describe(`Named size (${PLAN_NAMES.join(', ')}); see the plan table in the README.`),
        cpu: cpu.optional(),
        memory: memory.optional(),
        disk: disk.optional(),
        autogrow,
        ...seedFields(SIZE_FORMER_SHAPES),
      }, {
        // The AWS RDS operator's `size: db.t2.small` (api/seed-shapes.ts): the API server refuses it for its type before
        // any rule runs, so this message is the function's only (crossplane render, an XRD of another version).
        error: (issue) =>
          issue.code === 'invalid_type' && typeof issue.input === 'string'
            ? `must be an object such as {plan: small, disk: "20Gi"}: an instance class such as "${issue.input}" is the platform's choice, write size.plan (${PLAN_NAMES.join(', ')}) instead`
            : undefined,
      })
      .strict()
      .meta(
        cel(...seedRules(SIZE_FORMER_SHAPES), {
          // Only where the claim names the disk (the plan's disk is the platform's, which the function checks), and only
          // while autogrow is on: a max left behind by a disabled autogrow is never read.
          rule: "!has(self.autogrow) || !has(self.autogrow.enabled) || !self.autogrow.enabled || !has(self.autogrow.max) || !has(self.disk) || quantity(self.autogrow.max).isGreaterThan(quantity(self.disk))",
          message: 'autogrow.max must be larger than disk',
          fieldPath: '.autogrow.max',
        }),
      )
      .prefault({})
      .describe(
        'Size of each instance: a plan, optionally overriding its cpu, memory or disk; an object, e.g. {plan: small}. ' +
          "An instance class (db.t2.small) or flavour is not written here: the platform maps each plan to one.",
      ),
    storageClass: z
      .string()
      .max(253)
      .regex(DNS_SUBDOMAIN, 'must be a StorageClass name')
      .optional()
      .describe('StorageClass of the data volumes; the cluster default when unset. Immutable.'),
    postgresql: z
      .object({
        settings: z
          .record(z.string().max(128).regex(SETTING_NAME, 'must be a postgresql.conf parameter name'), z.string().max(1024))
          .refine((settings) => Object.keys(settings).length <= MAX_SETTINGS, `at most ${MAX_SETTINGS} settings`)
          .default({})
          // maxProperties bounds what the API server estimates the CEL rules below cost.
          .meta({ maxProperties: MAX_SETTINGS })
          .meta(
            cel(
              {
                rule: `self.all(k, k.matches('${SETTING_NAME.source.replace(/\\/g, '\\\\')}'))`,
                message: 'has a key that is not a postgresql.conf parameter name',
              },
              {
              rule: blockedSettingsCel(),
              message: 'sets a parameter the service manages itself (see the blocked settings in the README)',
              },
            ),
          )
          .describe('postgresql.conf parameters, as strings (e.g. work_mem: "64MB"). Some are blocked; see the README.'),
        ...seedFields(POSTGRESQL_SEED_SHAPES),
      })
      .strict()
      .meta(cel(...seedRules(POSTGRESQL_SEED_SHAPES)))
      .prefault({})
      .describe('PostgreSQL server configuration.'),
    databases: z
      .array(database)
      .max(32)
      .default([])
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .describe(
        `Databases to create; "${APP_DATABASE}" when none is listed. The first one is the database of the instance connection ` +
          `secret; when no user owns it, role "${APP_ROLE}" is created as its owner.`,
      ),
    users: z
      .array(user)
      .max(64)
      .default([])
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .describe('Login roles to create, each with its own connection secret.'),
    backup: z
      .object({
        enabled: z.boolean().default(true).describe('Continuous backups (base backups and WAL) to object storage.'),
        schedule: z
          .string()
          .max(128)
          .regex(CRON_SCHEDULE, 'must be a five-field cron schedule, e.g. "30 2 * * *"')
          .optional()
          .describe('Cron schedule (UTC) of base backups. When unset, a time in the night is chosen per instance.'),
        retentionDays: z.number().int().min(1).max(365).default(7).describe('Days of backups to keep.'),
        finalBackupOnDelete: z
          .boolean()
          .optional()
          .describe(
            'A last backup when the instance is deleted, kept after it; a new claim can restore from it (restore.fromInstance). ' +
              "Unset: the engine's own behaviour (aws-rds takes a final snapshot, the others none); false: none; true: aws-rds, " +
              'and cloudnativepg and stackgres through the final-backup Operation (needs backup.enabled); refused on the others.',
          ),
        ...seedFields(BACKUP_SEED_SHAPES),
      })
      .strict()
      .meta(cel(...seedRules(BACKUP_SEED_SHAPES)))
      .prefault({})
      .describe('Backups.'),
    restore: z
      .object({
        fromInstance: z
          .string()
          .max(63)
          .regex(DNS_LABEL, 'must name a PostgreSQLInstance in this namespace (restores never cross namespaces)')
          .describe('Claim name of the instance, in the same namespace, whose backups to restore from.'),
        backupName: z
          .string()
          .max(253)
          .regex(DNS_SUBDOMAIN, 'must be the name of an SGBackup of that instance')
          .optional()
          .describe('The backup to restore; the latest successful one when unset.'),
        pointInTime: z
          .iso.datetime({ offset: true, message: 'must be an RFC 3339 timestamp such as "2026-11-20T14:30:00Z"' })
          .optional()
          .describe('Recover up to this moment (point-in-time recovery), from the last backup taken before it.'),
      })
      .strict()
      .optional()
      .describe('Create this instance from another instance\'s backups. Read only when the instance is created: afterwards it can be removed, not added or changed.'),
    pooler: z
      .object({
        enabled: z
          .boolean()
          .optional()
          .describe(
            'A PgBouncer connection pooler in front of the primary; the connection Secrets point at it. When unset, ' +
              "the engine's default: StackGres runs its PgBouncer sidecar, CloudNativePG none.",
          ),
      })
      .strict()
      .prefault({})
      .describe('Connection pooling.'),
    monitoring: z
      .object({
        enabled: z.boolean().default(true).describe('Metrics and alerts for the platform Prometheus.'),
      })
      .strict()
      .prefault({})
      .describe('Monitoring.'),
    network: z
      .object({
        allowedNamespaces: z
          .array(z.string().max(63).regex(DNS_LABEL, 'must be a namespace name'))
          .max(64)
          .default([])
          .describe("Namespaces, besides the claim's own, whose pods may connect."),
        allowedCIDRs: z
          .array(z.string().max(43).regex(/^[0-9a-fA-F:.]+\/[0-9]{1,3}$/, 'must be a CIDR such as "10.0.0.0/8"'))
          .max(64)
          .default([])
          .describe('Address ranges outside the cluster that may connect, e.g. ["192.168.10.0/24"].'),
      })
      .strict()
      .prefault({})
      .describe("Who may connect. By default only pods in the claim's namespace."),
    // day two
    maintenance,
    updateStrategy,
    deletionProtection: z
      .boolean()
      .default(true)
      .describe('While true, deleting the claim is refused. Set it to false first to delete the database.'),
    connectionSecret: z
      .object({
        name: z
          .string()
          .max(253)
          .regex(DNS_SUBDOMAIN, 'must be a Secret name')
          .optional()
          .describe('Name of the connection Secret in the claim namespace; "<claim name>-connection" when unset.'),
        keyPrefix: z
          .string()
          .regex(KEY_PREFIX, 'must be upper case letters, digits and _, starting with a letter, e.g. "PG"')
          .optional()
          .describe('Also write upper-case twelve-factor keys with this prefix, e.g. "PG" gives PG_HOST, PG_URL.'),
        user: z
          .string()
          .max(63)
          .regex(SQL_IDENTIFIER, 'must name a user listed in spec.parameters.users')
          .optional()
          .describe(
            'The listed user this Secret logs in as; the owner of the first database when unset. Never the superuser.',
          ),
      })
      .strict()
      .prefault({})
      .describe('The Secret the application reads.'),
    // The seed operators' own fields, refused with what to write instead (api/seed-shapes.ts).
    ...seedFields(TOP_SEED_SHAPES),
  })
  .strict()
  .meta(
    cel(
      ...seedRules(TOP_SEED_SHAPES),
      {
        // Guarded with has(): the API server also checks these rules against the defaults ({}), where nothing is set.
        rule: "!has(self.replication) || !has(self.replication.mode) || self.replication.mode != 'sync' || (has(self.instances) && self.instances >= 2)",
        message: 'replication.mode sync needs instances >= 2',
        fieldPath: '.replication.mode',
      },
      {
        // A transition rule on the parent: a rule on storageClass itself would not see it being set or unset.
        rule: 'has(self.storageClass) == has(oldSelf.storageClass) && (!has(self.storageClass) || self.storageClass == oldSelf.storageClass)',
        message: 'the StorageClass of existing volumes can not be changed',
        fieldPath: '.storageClass',
      },
      {
        rule: '!has(self.users) || self.users.all(u, !has(u.grants) || u.grants.all(g, has(self.databases) && self.databases.exists(d, d.name == g.database)))',
        message: 'every users[].grants[].database must be listed in databases',
        fieldPath: '.users',
      },
      {
        rule: '!has(self.connectionSecret) || !has(self.connectionSecret.user) || (has(self.users) && self.users.exists(u, u.name == self.connectionSecret.user))',
        message: 'connectionSecret.user must name a user listed in users',
        fieldPath: '.connectionSecret.user',
      },
      {
        // Without an owner among the users, the first database gets role "app" as its owner (README, "Least
        // privilege"): a listed user of that name would be a second, different "app".
        rule:
          `!has(self.users) || !self.users.exists(u, u.name == '${APP_ROLE}') || self.users.exists(u, has(u.grants) && u.grants.exists(g, g.privileges == 'owner' && ` +
          `g.database == (has(self.databases) && size(self.databases) > 0 ? self.databases[0].name : '${APP_DATABASE}')))`,
        message: `a user named "${APP_ROLE}" is the owner the function creates for the first database when no user owns it: grant it owner on the first database, or choose another name`,
        fieldPath: '.users',
      },
    ),
  );

export const specSchema = z.object({ parameters: parametersSchema.prefault({}) }).describe('The desired database.');

export type Parameters = z.output<typeof parametersSchema>;
export type ParametersInput = z.input<typeof parametersSchema>;
export type Privilege = (typeof PRIVILEGES)[number];
export type Engine = EngineName;
