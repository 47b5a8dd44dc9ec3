/**
 * Deterministic object names. Everything lives in the claim's namespace, so names derive from the claim's name, which
 * is unique there; two claims of the same name in two namespaces can't clash. Kubernetes names are at most 63
 * characters, and the operator appends its own suffixes, so long names are cut and keep a hash of the whole.
 */
import { createHash } from 'node:crypto';
import type { Instance } from '../api/parse.js';
import { memoize } from '../util/memo.js';

export const MAX_NAME = 63;
/** Room for an engine's own suffixes when the instance doesn't say (each engine sets `baseNameLimit`). */
const MAX_BASE = 40;

export function shortHash(text: string, length = 8): string {
  return sha256Hex(text).slice(0, length);
}

// Names are hashed on every reconcile; the hash of a given text never changes.
const sha256Hex = memoize((text: string) => createHash('sha256').update(text).digest('hex'));

/** Cut `name` to `max` characters, replacing the tail with a hash of the whole so distinct names stay distinct. */
export function fitName(name: string, max = MAX_NAME): string {
  if (name.length <= max) return name;
  const hash = shortHash(name);
  return `${name.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** What the API server accepts as a label value: 63 characters at most, alphanumeric at both ends. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * A label value made from any text: the text itself when the API server accepts it, else its characters the API server
 * accepts, cut to fit, with a hash of the whole so two texts never share a value.
 */
export function labelValue(text: string): string {
  if (text.length <= MAX_NAME && LABEL_VALUE.test(text)) return text;
  const hash = shortHash(text);
  const kept = text.replace(/[^-A-Za-z0-9_.]/g, '-').slice(0, MAX_NAME - hash.length - 1).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return kept ? `${kept}-${hash}` : hash;
}

/** A DNS-1035 label from the claim name: claim names may contain dots and start with a digit; Service names can't. */
export function baseName(instance: Instance): string {
  let name = instance.claimName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (!/^[a-z]/.test(name)) name = `pg-${name}`;
  name = name.replace(/-+$/, '');
  const max = instance.baseNameLimit ?? MAX_BASE;
  return name === instance.claimName ? fitName(name, max) : fitName(`${name}-${shortHash(instance.claimName, 4)}`, max);
}

export function objectName(instance: Instance, suffix?: string): string {
  const base = baseName(instance);
  return suffix ? fitName(`${base}-${suffix}`) : base;
}
