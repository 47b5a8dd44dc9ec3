/**
 * Reading observed objects, which are whatever the API server (or a fuzzer) sent: any field may hold any JSON value,
 * including an object with a member named `toString`, on which `String(value)` throws.
 */
type Json = Record<string, unknown>;

/** The value at a path of nested objects, or undefined where the path leaves them. */
export const at = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Json)[k] : undefined), o);

/** A scalar as text (strings, numbers, booleans); '' for anything else. */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return '';
}

/** The condition of that type in the object's status, skipping entries that aren't objects. */
export function conditionOf(object: unknown, type: string): Json | undefined {
  const conditions = at(object, 'status', 'conditions');
  return Array.isArray(conditions) ? (conditions as unknown[]).find((c): c is Json => at(c, 'type') === type) : undefined;
}
