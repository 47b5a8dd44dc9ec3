/**
 * The superuser password: made once from random bytes, then read back from what Crossplane observes on every later
 * call. It must never change by accident, so when it can't be read back from either of the two Secrets that hold it
 * while the database already exists, composition stops instead of inventing a new one.
 */
import type { FieldError } from '../api/errors.js';
import type { ComposeContext, RandomSource } from './types.js';

export const SUPERUSER = 'postgres';
export const SUPERUSER_SECRET_KEY = 'superuser-secret';
export const CONNECTION_SECRET_KEY = 'connection-secret';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const PASSWORD_LENGTH = 32;

/** 32 characters of base62 (about 190 bits), drawn without modulo bias; safe in URLs, shells and YAML. */
export function generatePassword(random: RandomSource, length = PASSWORD_LENGTH): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

/** A key of an observed Secret's `data`, decoded; undefined when absent or empty. */
export function observedSecretValue(
  secret: Record<string, unknown> | undefined,
  key: string,
): string | undefined {
  const data = secret?.['data'] as Record<string, unknown> | undefined;
  const encoded = data?.[key];
  if (typeof encoded !== 'string' || encoded === '') return undefined;
  const value = Buffer.from(encoded, 'base64').toString('utf8');
  return value === '' ? undefined : value;
}

/** Where a kept password may be read back from. */
export interface PasswordSource {
  readonly key: string;
  readonly field: string;
  /** Read only while that Secret logs in as this role: the instance's connection Secret changes hands. */
  readonly username?: string;
}

/** The first value found in the observed Secrets, in order; a new password only when none holds one. */
export function keptPassword(
  ctx: ComposeContext,
  sources: readonly PasswordSource[],
): { readonly password: string; readonly generated: boolean } {
  for (const source of sources) {
    const secret = ctx.observed.resources[source.key];
    if (source.username !== undefined && observedSecretValue(secret, 'username') !== source.username) continue;
    const value = observedSecretValue(secret, source.field);
    if (value !== undefined) return { password: value, generated: false };
  }
  return { password: generatePassword(ctx.random), generated: true };
}

export type PasswordOutcome =
  | { readonly ok: true; readonly password: string; readonly generated: boolean }
  | { readonly ok: false; readonly error: FieldError };

/**
 * A password that must never change once something knows it: read back from `sources`, made anew only while the
 * object that takes it (`userKey`: the database, a role) doesn't exist. That object is composed only once the Secret
 * holding the password is observed, so a first apply that half fails can't end here; a deleted Secret can.
 */
export function lockedPassword(
  ctx: ComposeContext,
  sources: readonly PasswordSource[],
  userKey: string,
  lost: string,
): PasswordOutcome {
  const kept = keptPassword(ctx, sources);
  if (kept.generated && ctx.observed.resources[userKey] !== undefined) {
    return { ok: false, error: { path: 'status', message: lost } };
  }
  return { ok: true, ...kept };
}

/**
 * @param databaseKey composition key of the object whose existence proves the database was created
 * @param connectionPasswordKey the key of the password in the connection secret (prefix-aware); read only while
 *   that Secret still logs in as the superuser, as it did before applications got a role of their own
 */
export function superuserPassword(ctx: ComposeContext, databaseKey: string, connectionPasswordKey: string): PasswordOutcome {
  return lockedPassword(
    ctx,
    [
      { key: SUPERUSER_SECRET_KEY, field: 'password' },
      { key: CONNECTION_SECRET_KEY, field: connectionPasswordKey, username: SUPERUSER },
      { key: CONNECTION_SECRET_KEY, field: 'password', username: SUPERUSER },
    ],
    databaseKey,
    'the database exists but neither its superuser Secret nor its connection Secret can be read: ' +
      'restore one of them (key "password") instead of letting a new password be generated',
  );
}
