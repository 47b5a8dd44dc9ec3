/**
 * Users and databases through provider-sql's namespaced (`.m.`) kinds, in the claim's namespace beside the instance:
 * a ProviderConfig reading the superuser Secret (or the administrator's Secret a service's provider writes, when the
 * engine names one: DatabaseEngine.adminSecret), a Database per claimed database (extensions through Extension), a
 * Role per user with a password made once and kept in the user's connection Secret, and Grants.
 *
 * What provider-sql 0.16 can and can't grant decides how privileges map (README, "Users and databases"):
 *   owner     → the database's owner (one per database)
 *   readWrite → CONNECT, TEMPORARY on the database, USAGE on schema public, membership in pg_read_all_data and
 *               pg_write_all_data
 *   readOnly  → CONNECT on the database, USAGE on schema public, membership in pg_read_all_data
 * provider-sql can't grant on ALL TABLES IN SCHEMA nor ALTER DEFAULT PRIVILEGES, so table access comes from the
 * predefined roles. They span every database the role can connect to, so every claimed database also revokes
 * CONNECT from PUBLIC: a user reaches only the databases it was granted. So do `postgres` and `template1`, which
 * every instance has: only the superuser (the platform) connects to them.
 *
 * A Role is composed only once the Secret it reads its password from is observed, and a user's password is never
 * made anew while its Role exists: provider-sql sets a role's password when it creates the role and never again, so
 * a new password would lock the user out (credentials.ts, lockedPassword).
 */
import type { FieldError } from '../api/errors.js';
import type { Parameters, Privilege } from '../api/schema.js';
import { connectionValues, prefixedKey, secretObject, type Endpoint } from './connection.js';
import { CONNECTION_SECRET_KEY, lockedPassword, SUPERUSER, type PasswordOutcome, type PasswordSource } from './credentials.js';
import { APP_ROLE } from './app-login.js';
import { commonLabels } from './labels.js';
import { labelValue, objectName, shortHash } from './names.js';
import { managedResourceReady, observedExists } from './readiness.js';
import type { ComposeContext, ComposedSet, KubeObject, RequiredSelector } from './types.js';

export const SQL_API_VERSION = 'postgresql.sql.m.crossplane.io/v1alpha1';
export const SQL_PROVIDER_CONFIG_KEY = 'sql-provider-config';
const EXTERNAL_NAME = 'crossplane.io/external-name';
/**
 * Orphan on removal: deleting a Database object never drops the data, nor does deleting the application's role, which
 * owns its tables (see README). The "private" grants are kept too: revoking what the owner and the superuser hold
 * anyway would change nothing. Objects without the Delete policy are released without connecting to the database, so
 * a claim whose database never came up (or is already gone) deletes cleanly.
 */
const KEEP_ON_DELETE = ['Observe', 'Create', 'Update', 'LateInitialize'];
const KEEP: Record<string, unknown> = { managementPolicies: KEEP_ON_DELETE };

export const keys = {
  role: (user: string) => `sql-role-${user}`,
  userSecret: (user: string) => `user-secret-${user}`,
  database: (db: string) => `sql-database-${db}`,
  private: (db: string) => `sql-grant-${db}-private`,
  extension: (db: string, ext: string) => `sql-extension-${db}-${ext}`,
  grant: (user: string, db: string, what: string) => `sql-grant-${user}-${db}-${what}`,
  membership: (user: string, role: string) => `sql-grant-${user}-${role}`,
};

/**
 * SQL names allow `_`, Kubernetes names don't. `_` becomes `-`, and a short hash of the original keeps the mapping
 * one-to-one: `a_b` and `a-b`… can't both be SQL names, but keys joining several names (`sql-grant-a_b-c-…` and
 * `sql-grant-a-b_c-…`) would otherwise meet.
 */
function kubePart(name: string): string {
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return name;
  const dashed = name.replace(/_/g, '-').replace(/^-+|-+$/g, '') || 'x';
  return `${dashed}-${shortHash(name, 6)}`;
}

export const sqlObjectNames = {
  providerConfig: (ctx: ComposeContext) => objectName(ctx.instance, 'sql'),
  role: (ctx: ComposeContext, user: string) => objectName(ctx.instance, `user-${kubePart(user)}`),
  userSecret: (ctx: ComposeContext, user: string) => objectName(ctx.instance, `user-${kubePart(user)}`),
  database: (ctx: ComposeContext, db: string) => objectName(ctx.instance, `db-${kubePart(db)}`),
  object: (ctx: ComposeContext, key: string) => objectName(ctx.instance, kubePart(key)),
};

/** Grants provider-sql can't express without widening someone's rights are refused up front. */
export function userGrantErrors(p: Parameters): FieldError[] {
  const errors: FieldError[] = [];
  const owners = new Map<string, string>();
  p.users.forEach((user, i) => {
    const kinds = new Set(user.grants.map((g) => g.privileges));
    user.grants.forEach((grant, j) => {
      const path = `spec.parameters.users[${i}].grants[${j}].privileges`;
      if (grant.privileges === 'owner') {
        const owner = owners.get(grant.database);
        if (owner) errors.push({ path, message: `database "${grant.database}" already has the owner "${owner}"; it can have one` });
        owners.set(grant.database, user.name);
      }
      if (grant.privileges === 'readOnly' && kinds.has('readWrite')) {
        errors.push({
          path,
          message:
            'readOnly on one database and readWrite on another is not possible for one user: table rights come from ' +
            'pg_write_all_data, which would reach both; use two users',
        });
      }
    });
  });
  return errors;
}

function meta(ctx: ComposeContext, name: string, externalName?: string): KubeObject['metadata'] {
  return {
    name,
    namespace: ctx.instance.namespace,
    labels: commonLabels(ctx.instance),
    ...(externalName ? { annotations: { [EXTERNAL_NAME]: externalName } } : {}),
  };
}

function managed(ctx: ComposeContext, kind: string, name: string, forProvider: Record<string, unknown>, externalName?: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: SQL_API_VERSION,
    kind,
    metadata: meta(ctx, name, externalName),
    spec: {
      ...extra,
      forProvider,
      providerConfigRef: { kind: 'ProviderConfig', name: sqlObjectNames.providerConfig(ctx) },
    },
  };
}

function providerConfig(ctx: ComposeContext, superuserSecret: string): KubeObject {
  return {
    apiVersion: SQL_API_VERSION,
    kind: 'ProviderConfig',
    metadata: meta(ctx, sqlObjectNames.providerConfig(ctx)),
    spec: {
      credentials: { source: 'PostgreSQLConnectionSecret', connectionSecretRef: { name: superuserSecret } },
      defaultDatabase: 'postgres',
      // The operators' certificates are self-signed per cluster: encrypt, without verifying a chain we can't know.
      sslMode: 'require',
    },
  };
}

const owners = (p: Parameters) =>
  new Map(p.users.flatMap((u) => u.grants.filter((g) => g.privileges === 'owner').map((g) => [g.database, u.name] as const)));

/**
 * Databases every instance has; PUBLIC's CONNECT on them is revoked too (template0 takes no connections at all).
 * provider-sql revokes from PUBLIC only when it (re)creates the grant, and it sees a grant to `postgres` as already
 * there (initdb gives template1 an ACL in which the owner holds everything), so the grantee is `pg_database_owner`:
 * CONNECT for whoever owns the database, i.e. the superuser, which holds it anyway (found on a real server).
 */
const PLATFORM_DATABASES = ['postgres', 'template1'] as const;
const PLATFORM_GRANT = { privileges: ['CONNECT'], revokePublicOnDb: true, role: 'pg_database_owner' };

function databaseObjects(ctx: ComposeContext, platformDatabaseLogins: readonly string[]): ComposedSet {
  const out: ComposedSet = {};
  // PUBLIC loses CONNECT on `postgres` below; the engine's own non-superuser logins keep it by a grant of their own.
  for (const role of platformDatabaseLogins) {
    const key = keys.grant(role, 'postgres', 'connect');
    out[key] = {
      object: managed(ctx, 'Grant', sqlObjectNames.object(ctx, key), { database: 'postgres', privileges: ['CONNECT'], role }, undefined, KEEP),
      ready: managedResourceReady(ctx, key),
    };
  }
  for (const db of PLATFORM_DATABASES) {
    const key = keys.private(db);
    out[key] = {
      object: managed(
        ctx,
        'Grant',
        sqlObjectNames.object(ctx, key),
        { database: db, ...PLATFORM_GRANT },
        undefined,
        KEEP,
      ),
      ready: managedResourceReady(ctx, key),
    };
  }
  const ownerOf = owners(ctx.instance.parameters);
  for (const db of ctx.instance.parameters.databases) {
    const owner = ownerOf.get(db.name);
    const forProvider = owner ? { ownerRef: { name: sqlObjectNames.role(ctx, owner) } } : { owner: SUPERUSER };
    const dbRef = { name: sqlObjectNames.database(ctx, db.name) };
    out[keys.database(db.name)] = {
      object: managed(ctx, 'Database', dbRef.name, forProvider, db.name, KEEP),
      ready: managedResourceReady(ctx, keys.database(db.name)),
    };
    const privateKey = keys.private(db.name);
    out[privateKey] = {
      // ALL, not CONNECT: provider-sql compares the whole privilege set, and the owner `postgres` holds all of them,
      // so a CONNECT grant would never be seen as done (found on a real server).
      object: managed(
        ctx,
        'Grant',
        sqlObjectNames.object(ctx, privateKey),
        { databaseRef: dbRef, privileges: ['ALL'], revokePublicOnDb: true, role: SUPERUSER },
        undefined,
        KEEP,
      ),
      ready: managedResourceReady(ctx, privateKey),
    };
    for (const extension of db.extensions) {
      const key = keys.extension(db.name, extension);
      out[key] = {
        object: managed(ctx, 'Extension', sqlObjectNames.object(ctx, key), { databaseRef: dbRef, extension }),
        ready: managedResourceReady(ctx, key),
      };
    }
  }
  return out;
}

const DATABASE_PRIVILEGES: Record<Exclude<Privilege, 'owner'>, string[]> = {
  readWrite: ['CONNECT', 'TEMPORARY'],
  readOnly: ['CONNECT'],
};

function grantObjects(ctx: ComposeContext, user: Parameters['users'][number]): ComposedSet {
  const out: ComposedSet = {};
  const roleRef = { name: sqlObjectNames.role(ctx, user.name) };
  const add = (key: string, forProvider: Record<string, unknown>) => {
    out[key] = {
      object: managed(ctx, 'Grant', sqlObjectNames.object(ctx, key), { ...forProvider, roleRef }),
      ready: managedResourceReady(ctx, key),
    };
  };
  for (const grant of user.grants) {
    if (grant.privileges === 'owner') continue;
    const databaseRef = { name: sqlObjectNames.database(ctx, grant.database) };
    add(keys.grant(user.name, grant.database, 'database'), { databaseRef, privileges: DATABASE_PRIVILEGES[grant.privileges] });
    add(keys.grant(user.name, grant.database, 'schema'), { databaseRef, schema: 'public', privileges: ['USAGE'] });
  }
  const kinds = new Set(user.grants.map((g) => g.privileges));
  if (kinds.has('readOnly') || kinds.has('readWrite')) add(keys.membership(user.name, 'pg_read_all_data'), { memberOf: 'pg_read_all_data' });
  if (kinds.has('readWrite')) add(keys.membership(user.name, 'pg_write_all_data'), { memberOf: 'pg_write_all_data' });
  return out;
}

/** The database a user's Secret names: its first grant's, else the instance's first database. */
export function homeDatabase(p: Parameters, user: Parameters['users'][number]): string {
  return user.grants[0]?.database ?? p.databases[0]?.name ?? 'postgres';
}

/** Where a user's password is kept: its own Secret, and the instance's connection Secret while it logs in as this user. */
function passwordSources(ctx: ComposeContext, user: string, connectionUser: string): PasswordSource[] {
  const prefix = ctx.instance.parameters.connectionSecret.keyPrefix;
  const fields = prefix ? [prefixedKey(prefix, 'password'), 'password'] : ['password'];
  return [
    ...fields.map((field) => ({ key: keys.userSecret(user), field })),
    ...(user === connectionUser ? fields.map((field) => ({ key: CONNECTION_SECRET_KEY, field, username: user })) : []),
  ];
}

/** Every user's password, made once (in the order of the list, so renders are deterministic) and then read back. */
export function userPasswords(ctx: ComposeContext, connectionUser: string): Map<string, PasswordOutcome> {
  return new Map(
    ctx.instance.parameters.users.map((user) => [
      user.name,
      lockedPassword(
        ctx,
        passwordSources(ctx, user.name, connectionUser),
        keys.role(user.name),
        `the role "${user.name}" exists but neither its Secret nor the instance's connection Secret can be read: ` +
          'restore one of them (key "password") instead of letting a new password be generated',
      ),
    ]),
  );
}

function userObjects(ctx: ComposeContext, endpoint: Endpoint, user: Parameters['users'][number], password: string): ComposedSet {
  const p = ctx.instance.parameters;
  const secretKey = keys.userSecret(user.name);
  const roleKey = keys.role(user.name);
  const secretName = sqlObjectNames.userSecret(ctx, user.name);
  const values = connectionValues(endpoint, { database: homeDatabase(p, user), username: user.name, password }, p.connectionSecret.keyPrefix);
  const out: ComposedSet = {
    [secretKey]: {
      object: secretObject(ctx.instance, secretName, values, { 'dbaas.dev/user': labelValue(kubePart(user.name)) }),
      ready: observedExists(ctx, secretKey),
    },
  };
  // The Role waits for its Secret: if the Role landed and the Secret didn't, its password would be lost for good.
  if (observedExists(ctx, secretKey) || observedExists(ctx, roleKey)) {
    out[roleKey] = {
      object: managed(
        ctx,
        'Role',
        sqlObjectNames.role(ctx, user.name),
        { passwordSecretRef: { name: secretName, key: 'password' }, privileges: { login: true, inherit: true } },
        user.name,
        user.name === APP_ROLE ? KEEP : {},
      ),
      ready: managedResourceReady(ctx, roleKey),
    };
  }
  return { ...out, ...grantObjects(ctx, user) };
}

/**
 * Crossplane Usages keep the ProviderConfig's inputs — the superuser Secret and the database itself — until the
 * ProviderConfig is gone, and the ProviderConfig waits for every Role, Database and Grant using it: teardown then runs
 * in order instead of leaving grants that can no longer connect. Usages are enforced by Crossplane's webhook.
 */
/** A Usage that keeps `of` (composed under `usedKey`) until `by` is gone. */
function usage(ctx: ComposeContext, usedKey: string, of: KubeObject, by: { kind: string; name: string }): ComposedSet {
  const key = `usage-${usedKey}`;
  return {
    [key]: {
      object: {
        apiVersion: 'protection.crossplane.io/v1beta1',
        kind: 'Usage',
        metadata: meta(ctx, objectName(ctx.instance, `usage-${kubePart(usedKey)}`)),
        spec: {
          of: { apiVersion: of.apiVersion, kind: of.kind, resourceRef: { name: of.metadata.name } },
          by: { apiVersion: SQL_API_VERSION, kind: by.kind, resourceRef: { name: by.name } },
          replayDeletion: true,
        },
      },
      ready: observedExists(ctx, key),
    },
  };
}

function usages(ctx: ComposeContext, of: readonly { key: string; object: KubeObject }[]): ComposedSet {
  const by = { kind: 'ProviderConfig', name: sqlObjectNames.providerConfig(ctx) };
  return Object.assign({}, ...of.map((used) => usage(ctx, used.key, used.object, by)));
}

export interface UsersInput {
  readonly endpoint: Endpoint;
  /** From userPasswords, every one of them ok. */
  readonly passwords: ReadonlyMap<string, string>;
  /** The Secret provider-sql logs in with; `composed` when it is ours (the superuser Secret), kept then by a Usage. */
  readonly adminSecret: { readonly name: string; readonly composed?: { readonly key: string; readonly object: KubeObject } };
  /** The engine's non-superuser roles that keep CONNECT on `postgres` (DatabaseEngine.platformDatabaseLogins). */
  readonly platformDatabaseLogins: readonly string[];
  /**
   * Whether the database accepts connections (an instance is ready). Until it does, or until one of them exists,
   * provider-sql's objects are not composed: they could only fail to connect, and a claim whose database never came
   * up then has nothing that needs a connection to be deleted.
   */
  readonly databaseUp: boolean;
  /** Absent while the database object waits for its restore source to be read. */
  readonly database?: { readonly key: string; readonly object: KubeObject };
}

const USER_SECRET_KEY_PREFIX = 'user-secret-';
export const REQUIRED_ROLES = 'sql-roles';

/** Users that left the claim but whose Secret Crossplane still observes. */
function departingUsers(ctx: ComposeContext): string[] {
  const current = new Set(ctx.instance.parameters.users.map((u) => u.name));
  return Object.keys(ctx.observed.resources)
    .filter((key) => key.startsWith(USER_SECRET_KEY_PREFIX))
    .map((key) => key.slice(USER_SECRET_KEY_PREFIX.length))
    .filter((user) => !current.has(user));
}

/** The namespace's Roles, read only while a departing user's Secret waits for its Role to be dropped. */
export function userRequirements(ctx: ComposeContext): Record<string, RequiredSelector> {
  if (departingUsers(ctx).length === 0) return {};
  return { [REQUIRED_ROLES]: { apiVersion: SQL_API_VERSION, kind: 'Role', namespace: ctx.instance.namespace } };
}

/**
 * A user's Secret must outlive its Role: provider-sql reads the password Secret even to drop the role, and stops at
 * "Secret not found" forever otherwise (found with the real provider). Crossplane forgets the Role as soon as it
 * asks for its deletion, so whether it is still there comes from the namespace's Roles (required resources): the
 * Secret is kept, as observed, while a Role of this instance with the user's SQL name exists, and also while that
 * list hasn't been read yet.
 */
function departingUserSecrets(ctx: ComposeContext): ComposedSet {
  const roles = ctx.required[REQUIRED_ROLES];
  const composite = commonLabels(ctx.instance)['dbaas.dev/composite'];
  const alive = new Set(
    (roles ?? []).flatMap((role) => {
      const metadata = (role['metadata'] ?? {}) as KubeObject['metadata'];
      const name = metadata.annotations?.[EXTERNAL_NAME];
      return metadata.labels?.['dbaas.dev/composite'] === composite && name ? [name] : [];
    }),
  );
  const out: ComposedSet = {};
  for (const user of departingUsers(ctx)) {
    if (roles !== undefined && !alive.has(user)) continue;
    const key = keys.userSecret(user);
    const secret = ctx.observed.resources[key]!;
    const metadata = (secret['metadata'] ?? {}) as KubeObject['metadata'];
    out[key] = {
      object: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: metadata.name, namespace: ctx.instance.namespace, labels: { ...(metadata.labels ?? {}) } },
        type: 'Opaque',
        data: { ...((secret['data'] as Record<string, string> | undefined) ?? {}) },
      },
      ready: true,
    };
  }
  return out;
}

/** Usages keep each user's Secret until its Role is gone, also when the whole claim is deleted. */
function userSecretUsages(ctx: ComposeContext, users: ComposedSet): ComposedSet {
  return Object.assign(
    {},
    ...ctx.instance.parameters.users.flatMap((user) => {
      const secret = users[keys.userSecret(user.name)]?.object;
      return secret && users[keys.role(user.name)] ? [usage(ctx, keys.userSecret(user.name), secret, { kind: 'Role', name: sqlObjectNames.role(ctx, user.name) })] : [];
    }),
  );
}

/**
 * The ProviderConfig is composed even when the claim lists no databases and no users: when the lists are emptied,
 * Crossplane deletes the Roles and Grants in the foreground, their ProviderConfigUsages first, and provider-sql would
 * let a ProviderConfig that is no longer composed go before the objects that still need it to drop their roles.
 */
export function userResources(ctx: ComposeContext, input: UsersInput): ComposedSet {
  const p = ctx.instance.parameters;
  const users: ComposedSet = Object.assign({}, ...p.users.map((u) => userObjects(ctx, input.endpoint, u, input.passwords.get(u.name)!)));
  const all: ComposedSet = {
    [SQL_PROVIDER_CONFIG_KEY]: {
      object: providerConfig(ctx, input.adminSecret.name),
      ready: observedExists(ctx, SQL_PROVIDER_CONFIG_KEY),
    },
    ...databaseObjects(ctx, input.platformDatabaseLogins),
    ...departingUserSecrets(ctx),
    ...users,
    ...userSecretUsages(ctx, users),
    ...usages(ctx, [...(input.adminSecret.composed ? [input.adminSecret.composed] : []), ...(input.database ? [input.database] : [])]),
  };
  if (input.databaseUp || Object.keys(ctx.observed.resources).some((key) => isSqlManaged(ctx.observed.resources[key]!))) return all;
  // Waiting for the database: Roles, Databases, Grants, Extensions and the Usages that wait for them come later.
  const waiting = new Set(Object.entries(all).filter(([, r]) => isSqlManaged(r.object)).map(([, r]) => r.object.metadata.name));
  return Object.fromEntries(
    Object.entries(all).filter(([, r]) => {
      if (isSqlManaged(r.object)) return false;
      const by = (r.object['spec'] as { by?: { apiVersion?: string; resourceRef?: { name?: string } } } | undefined)?.by;
      return !(r.object.kind === 'Usage' && by?.apiVersion === SQL_API_VERSION && waiting.has(by.resourceRef?.name ?? ''));
    }),
  );
}

/** A provider-sql object that connects to the database (everything but its ProviderConfig). */
function isSqlManaged(object: Record<string, unknown>): boolean {
  return object['apiVersion'] === SQL_API_VERSION && object['kind'] !== 'ProviderConfig';
}
