/**
 * The shapes our users' former systems taught them (README, "Three more engines"; Scalingo's operator, issue 16): a field one of the seed operators
 * had, written into this claim. Each is declared, so that neither the API server prunes it silently nor its strict
 * decoding answers a bare "unknown field": the XRD refuses it with a CEL rule whose message says what to write
 * instead, and the function, which may see a claim the XRD didn't check (crossplane render), refuses it the same way.
 */
import { z } from 'zod';

type CelRule = { rule: string; message: string; fieldPath: string };

export interface SeedShape {
  /** The field, under the object it is declared in. */
  readonly field: string;
  /** What the seed wrote there. CEL sees only fields with a type, so each is declared with the seed's own: a number or
   *  a string (`x-kubernetes-int-or-string`), an object of anything, or a boolean. */
  readonly shape: 'scalar' | 'object' | 'boolean';
  readonly message: string;
}

const STRUCTURAL: Record<SeedShape['shape'], Record<string, unknown>> = {
  scalar: { 'x-kubernetes-int-or-string': true },
  object: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  boolean: { type: 'boolean' },
};

/** Seed fields at the top of spec.parameters. */
export const TOP_SEED_SHAPES: readonly SeedShape[] = [
  {
    field: 'storage',
    shape: 'scalar',
    message: 'storage is the AWS RDS operator\'s disk size: write size.disk instead, e.g. size: {disk: "20Gi"} (aws-rds allocates at least 20Gi)',
  },
  {
    field: 'instanceClass',
    shape: 'scalar',
    message: 'instanceClass is chosen by the platform: write size.plan (xsmall, small, medium, large, xlarge), which the platform maps to an instance class',
  },
  {
    field: 'flavor',
    shape: 'scalar',
    message: "flavor is OTC RDS' field: write size.plan (xsmall, small, medium, large, xlarge), which the platform maps to a flavour",
  },
  {
    field: 'volume',
    shape: 'object',
    message:
      'volume is how Zalando\'s postgres-operator and OTC RDS size the disk: write size.disk instead, e.g. size: {disk: "100Gi"}; ' +
      'the StorageClass is storageClass (in-cluster engines), the cloud volume type the platform\'s choice',
  },
  { field: 'numberOfInstances', shape: 'scalar', message: "numberOfInstances is Zalando's field: write instances instead (1 to 5; aws-rds and otc-rds take 1 or 2)" },
  {
    field: 'teamId',
    shape: 'scalar',
    message: "teamId is Zalando's field and the platform's choice here (Composition input platform.engines.zalando.teamId): remove it",
  },
  { field: 'enableConnectionPooler', shape: 'boolean', message: "enableConnectionPooler is Zalando's field: write pooler: {enabled: true} instead" },
  {
    field: 'plan',
    shape: 'scalar',
    message:
      "plan is the Scalingo operator's field: write size.plan (xsmall, small, medium, large, xlarge) and instances (1, 2 or 3 on scalingo), " +
      'which the platform maps to a Scalingo plan',
  },
  {
    field: 'networking',
    shape: 'object',
    message: 'networking is the Scalingo operator\'s field: write network.allowedCIDRs instead, e.g. network: {allowedCIDRs: ["192.168.0.0/24"]}',
  },
  {
    field: 'connInfoSecretTarget',
    shape: 'object',
    message: "connInfoSecretTarget is the Scalingo operator's field: write connectionSecret instead, e.g. connectionSecret: {name: my-postgresql-secret, keyPrefix: PG}",
  },
  {
    field: 'authSecret',
    shape: 'object',
    message: "authSecret is the Scalingo operator's field and the platform's choice here (provider-scalingo's ProviderConfig holds the API token): remove it",
  },
];

/** Seed fields under spec.parameters.postgresql (Zalando's manifest). */
export const POSTGRESQL_SEED_SHAPES: readonly SeedShape[] = [
  { field: 'version', shape: 'scalar', message: 'postgresql.version is Zalando\'s field: write the major as a number in spec.parameters.version instead, e.g. version: 17' },
  { field: 'parameters', shape: 'object', message: "postgresql.parameters is Zalando's field: write postgresql.settings instead, with the same keys and values" },
];

/** Seed fields under spec.parameters.backup (OTC RDS' backup strategy). */
export const BACKUP_SEED_SHAPES: readonly SeedShape[] = [
  { field: 'keepDays', shape: 'scalar', message: "backup.keepDays is OTC RDS' field: write backup.retentionDays instead" },
  {
    field: 'startTime',
    shape: 'scalar',
    message: 'backup.startTime is OTC RDS\' field: write backup.schedule instead, a daily cron schedule in UTC, e.g. "30 2 * * *" for 02:30',
  },
];

/** Fields this API had and replaced, under spec.parameters.size: refused the same way, saying what to write now. */
export const SIZE_FORMER_SHAPES: readonly SeedShape[] = [
  {
    field: 'autogrowTo',
    shape: 'scalar',
    message:
      'size.autogrowTo was replaced by size.autogrow: write size: {autogrow: {enabled: true, max: "<the same size>"}} instead ' +
      '(cloud engines: aws-rds, otc-rds)',
  },
];

/**
 * The declared fields: the seed's value is accepted by the structural schema (so it reaches the rule below instead of
 * being pruned or refused for its type), and refused by the function's parse with the same message.
 */
export function seedFields(shapes: readonly SeedShape[]): Record<string, z.ZodType> {
  return Object.fromEntries(
    shapes.map(({ field, shape, message }) => [
      field,
      z
        .unknown()
        .optional()
        .refine((v) => v === undefined, { message })
        .meta(STRUCTURAL[shape])
        .describe(`Not a field of this API, declared to be refused with help: ${message}.`),
    ]),
  );
}

/** The XRD's rules refusing them, on the object that declares them. */
export function seedRules(shapes: readonly SeedShape[]): CelRule[] {
  return shapes.map(({ field, message }) => ({ rule: `!has(self.${field})`, message, fieldPath: `.${field}` }));
}
