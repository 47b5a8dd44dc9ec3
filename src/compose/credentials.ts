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

/** The first value found in the observed Secrets, in order; a new password only when none holds one. */
export function keptPassword(
  ctx: ComposeContext,
  sources: readonly { readonly key: string; readonly field: string }[],
): { readonly password: string; readonly generated: boolean } {
  for (const source of sources) {
    const value = observedSecretValue(ctx.observed.resources[source.key], source.field);
    if (value !== undefined) return { password: value, generated: false };
  }
  return { password: generatePassword(ctx.random), generated: true };
}

export type PasswordOutcome =
  | { readonly ok: true; readonly password: string; readonly generated: boolean }
  | { readonly ok: false; readonly error: FieldError };

/**
 * @param databaseKey composition key of the object whose existence proves the database was created
 * @param connectionPasswordKey the key of the superuser password in the connection secret (prefix-aware)
 */
export function superuserPassword(ctx: ComposeContext, databaseKey: string, connectionPasswordKey: string): PasswordOutcome {
  const kept = keptPassword(ctx, [
    { key: SUPERUSER_SECRET_KEY, field: 'password' },
    { key: CONNECTION_SECRET_KEY, field: connectionPasswordKey },
    { key: CONNECTION_SECRET_KEY, field: 'password' },
  ]);
  if (!kept.generated) return { ok: true, ...kept };
  if (ctx.observed.resources[databaseKey] !== undefined) {
    return {
      ok: false,
      error: {
        path: 'status',
        message:
          'the database exists but neither its superuser Secret nor its connection Secret can be read: ' +
          'restore one of them (key "password") instead of letting a new password be generated',
      },
    };
  }
  return { ok: true, ...kept };
}
