/**
 * Least privilege by default: the application never logs in as the superuser. Every instance gets a database and a
 * login role that owns it, made with provider-sql like any claimed user, and the instance's connection Secret logs in
 * as that role:
 *   - no databases listed → database "app";
 *   - no listed user owns the first database → role "app" is created as its owner;
 *   - the connection Secret is for `connectionSecret.user` when set (a listed user), else for the first database's
 *     owner.
 * Engine-independent: every engine composes these through users.ts.
 */
import { APP_DATABASE, APP_ROLE } from '../api/names.js';
import type { Parameters } from '../api/schema.js';

export { APP_DATABASE, APP_ROLE };

function ownerOf(p: Parameters, database: string): string | undefined {
  return p.users.find((u) => u.grants.some((g) => g.privileges === 'owner' && g.database === database))?.name;
}

/**
 * The databases and users the instance gets: the claim's, with the default database and the first database's owner
 * added where the claim has none. A listed user named "app" that doesn't own the first database is refused by
 * validation (api/validate.ts), so the role added here never meets one.
 */
export function withAppLogin(p: Parameters): Parameters {
  const databases = p.databases.length > 0 ? p.databases : [{ name: APP_DATABASE, extensions: [] }];
  const first = databases[0]!.name;
  const users = ownerOf(p, first) ? p.users : [...p.users, { name: APP_ROLE, grants: [{ database: first, privileges: 'owner' as const }] }];
  return { ...p, databases, users };
}

/** Whom the instance's connection Secret logs in as, from parameters that went through withAppLogin. */
export function connectionUser(p: Parameters): Parameters['users'][number] | undefined {
  const name = p.connectionSecret.user ?? ownerOf(p, p.databases[0]!.name);
  // withAppLogin gave the first database an owner; a connectionSecret.user that isn't listed is undefined here (validation
  // names it, but a claim with other errors is composed anyway to find every error in one answer).
  return p.users.find((u) => u.name === name);
}
