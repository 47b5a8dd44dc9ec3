/** postgresql.conf's units (guc.c's memory and time unit tables), shared by the value checks and engines that need a
 *  value in its parameter's base unit. Imports nothing, so engines can use it without reaching the claim schema. */
export const MEMORY_UNITS: Readonly<Record<string, number>> = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };
export const TIME_UNITS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
/** pg_settings' unit column: the base unit a value without a unit is counted in. */
export const BASE_UNITS: Readonly<Record<string, { readonly table: Readonly<Record<string, number>>; readonly factor: number }>> = {
  B: { table: MEMORY_UNITS, factor: 1 },
  kB: { table: MEMORY_UNITS, factor: 1024 },
  '8kB': { table: MEMORY_UNITS, factor: 8192 },
  MB: { table: MEMORY_UNITS, factor: 1024 ** 2 },
  us: { table: TIME_UNITS, factor: 0.001 },
  ms: { table: TIME_UNITS, factor: 1 },
  s: { table: TIME_UNITS, factor: 1000 },
  min: { table: TIME_UNITS, factor: 60_000 },
};

/**
 * A value with a unit in the parameter's base unit (`1GB` of shared_buffers, counted in 8kB, is `131072`), rounded as
 * PostgreSQL rounds; a value without a unit, or of a parameter without one, as it is.
 */
export function inBaseUnit(value: string, unit: string): string {
  const base = BASE_UNITS[unit];
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(value);
  if (!base || !m) return value;
  const factor = base.table[m[2]!];
  return factor === undefined ? value : String(Math.round((Number(m[1]) * factor) / base.factor));
}
