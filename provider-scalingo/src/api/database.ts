/** Database: one dedicated PostgreSQL database on Scalingo (the contract with the function's engine: scalingo). */
import { z } from 'zod';
import { conditionedStatus, managementPolicies, providerConfigRef, writeConnectionSecretToRef } from './common.js';

export const GROUP = 'scalingo.dbaas.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Scalingo names: lower-case letters, digits and dashes, starting with a letter (as its app names). */
const NAME_PATTERN = '^[a-z][a-z0-9-]{2,47}$';
const CIDR_PATTERN = '^([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$';

export const firewallRule = z.object({
  cidr: z.string().regex(new RegExp(CIDR_PATTERN)).describe('An allowed IPv4 source range, e.g. 203.0.113.0/24.'),
  label: z.string().max(64).optional(),
});
export type FirewallRule = z.infer<typeof firewallRule>;

export const databaseParameters = z.object({
  name: z
    .string()
    .regex(new RegExp(NAME_PATTERN))
    .describe('The database name on Scalingo: 3 to 48 of a-z, 0-9 and "-", starting with a letter. Immutable.'),
  plan: z.string().min(1).describe('A Scalingo plan name, e.g. postgresql-dr-starter-4096.'),
  version: z.string().regex(/^[0-9]+$/).optional().describe('PostgreSQL major where Scalingo offers a choice. Late-initialized.'),
  projectId: z.string().min(1).optional().describe('The Scalingo project. Late-initialized to the default project.'),
  firewallRules: z.array(firewallRule).max(50).optional().describe('Allowed source ranges. Late-initialized.'),
}).meta({
  // The name is how Scalingo knows the database; renaming would orphan it, so the API server refuses the change.
  'x-kubernetes-validations': [{ rule: 'self.name == oldSelf.name', message: 'forProvider.name is immutable' }],
});
export type DatabaseParameters = z.infer<typeof databaseParameters>;

export const databaseObservation = z.object({
  id: z.string().optional(),
  status: z.string().optional(),
  plan: z.string().optional(),
  version: z.string().optional(),
  host: z.string().optional(),
  port: z.number().int().optional(),
  database: z.string().optional(),
});
export type DatabaseObservation = z.infer<typeof databaseObservation>;

export const databaseSpec = z.object({
  forProvider: databaseParameters,
  managementPolicies,
  providerConfigRef,
  writeConnectionSecretToRef: writeConnectionSecretToRef.optional(),
});
export type DatabaseSpec = z.infer<typeof databaseSpec>;

export const databaseStatus = z.object({
  atProvider: databaseObservation.optional(),
  ...conditionedStatus,
});
export type DatabaseStatus = z.infer<typeof databaseStatus>;
