/**
 * postgresql.conf values checked the way the server itself parses them (guc.c: parse_bool, parse_int, parse_real,
 * enum lookup), against the catalogue of that major generated from the real binaries (settings-catalogue.ts). A value
 * PostgreSQL would refuse at start-up is refused here, naming the field, before it reaches the database.
 */
import { MAX_VERSION, MIN_VERSION } from './schema.js';
import { CATALOGUE_MAJORS, CATALOGUES, type SettingEntry } from './settings-catalogue.js';
import { BASE_UNITS, MEMORY_UNITS } from './setting-units.js';

export interface Catalogue {
  /** The major whose binary the catalogue was generated from. */
  readonly from: number;
  readonly entries: Readonly<Record<string, SettingEntry>>;
}

/** A major without a catalogue of its own uses the next newer one (its parameters are mostly still there), else the
 *  newest older one. Worked out once, for every major the API accepts. */
const BY_MAJOR: ReadonlyMap<number, Catalogue> = new Map(
  Array.from({ length: MAX_VERSION - MIN_VERSION + 1 }, (_, i) => MIN_VERSION + i).map((major) => {
    const from = CATALOGUE_MAJORS.find((m) => m >= major) ?? CATALOGUE_MAJORS[CATALOGUE_MAJORS.length - 1]!;
    return [major, { from, entries: CATALOGUES[from]! }] as const;
  }),
);

export function catalogueFor(major: number): Catalogue | undefined {
  return BY_MAJOR.get(major);
}

/** A problem is refused; a note is passed on as a Warning (a parameter the borrowed catalogue doesn't know). */
export type SettingVerdict = { readonly problem: string } | { readonly note: string } | undefined;

const BOOL_WORDS = ['true', 'false', 'yes', 'no'];

/** parse_bool: on, off, 1, 0, and any unambiguous prefix of true, false, yes, no, in any case. */
function isBool(value: string): boolean {
  const v = value.toLowerCase();
  if (v === '1' || v === '0') return true;
  if (v.length >= 2 && ('on'.startsWith(v) || 'off'.startsWith(v))) return true;
  return v.length > 0 && BOOL_WORDS.some((w) => w.startsWith(v));
}

/** strtol(base 0) or strtod, optional blanks, an optional unit, optional blanks. */
const NUMBER = /^\s*([-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))\s*([A-Za-z]+)?\s*$/;

function parseNumber(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (/^0[xX]/.test(body)) return sign * Number.parseInt(body.slice(2), 16);
  if (/^0[0-7]+$/.test(body)) return sign * Number.parseInt(body, 8);
  return sign * Number(body);
}

function unitList(unit: string): string {
  const base = BASE_UNITS[unit];
  return base ? Object.keys(base.table).join(', ') : '';
}

function numericProblem(value: string, entry: SettingEntry, major: number): string | undefined {
  const [type, , unit, min = -Infinity, max = Infinity] = entry;
  const m = NUMBER.exec(value);
  const base = BASE_UNITS[unit];
  const what = type === 'integer' ? 'an integer' : 'a number';
  const units = base ? ` with an optional unit (${unitList(unit)})` : '';
  if (!m) return `"${value}" is not ${what}${units}`;
  let number = parseNumber(m[1]!);
  if (m[2] !== undefined) {
    const factor = base?.table[m[2]];
    if (factor === undefined) {
      return base ? `"${value}": unit "${m[2]}" is not one of ${unitList(unit)}` : `"${value}": this parameter takes no unit`;
    }
    number = (number * factor) / base!.factor;
  }
  if (type === 'integer') number = Math.round(number);
  if (!Number.isFinite(number) || number < min || number > max) {
    return `"${value}" is out of range: PostgreSQL ${major} accepts ${min} to ${max}${unit ? ` (in ${unit})` : ''}`;
  }
  return undefined;
}

/** Bytes of a memory value of this parameter, or undefined when it has no memory unit or doesn't parse. */
export function settingBytes(value: string, entry: SettingEntry | undefined): number | undefined {
  const base = entry && BASE_UNITS[entry[2]];
  const m = NUMBER.exec(value);
  if (!base || base.table !== MEMORY_UNITS || !m) return undefined;
  const factor = m[2] === undefined ? base.factor : base.table[m[2]];
  return factor === undefined ? undefined : parseNumber(m[1]!) * factor;
}

/** Extensions add parameters with a dot in the name (`pg_stat_statements.max`); no catalogue knows them. */
export function checkSetting(name: string, value: string, major: number): SettingVerdict {
  const catalogue = catalogueFor(major);
  if (!catalogue) return undefined;
  // own entries only: a claim may name a setting `constructor` or `__proto__`
  const entry = Object.hasOwn(catalogue.entries, name) ? catalogue.entries[name] : undefined;
  if (!entry) {
    if (name.includes('.')) return undefined;
    if (catalogue.from !== major) {
      return { note: `is not a parameter of PostgreSQL ${catalogue.from}, whose catalogue checks ${major}: passed on unchecked` };
    }
    return { problem: `is not a PostgreSQL ${major} parameter` };
  }
  const [type, context, , , , values = []] = entry;
  if (context === 'internal') return { problem: `is read-only in PostgreSQL ${major}: it reports how the server was built` };
  let problem: string | undefined;
  if (type === 'bool' && !isBool(value)) problem = `"${value}" is not a boolean (on, off, true, false, yes, no, 1, 0)`;
  if (type === 'enum' && !values.some((v) => v.toLowerCase() === value.toLowerCase())) {
    problem = `"${value}" is not one of ${values.join(', ')}`;
  }
  if (type === 'integer' || type === 'real') problem = numericProblem(value, entry, catalogue.from);
  return problem ? { problem } : undefined;
}
