/**
 * Rules that span fields or need more than a pattern. The XRD repeats the important ones as CEL so `kubectl apply`
 * refuses them too; the function checks them all, because an XR can reach it without passing that XRD.
 */
import { isIP } from 'node:net';
import { blockedSetting } from './blocked-settings.js';
import type { FieldError } from './errors.js';
import { APP_DATABASE, APP_ROLE, RESERVED_DATABASES, RESERVED_ROLES, RESERVED_ROLE_PREFIX } from './names.js';
import { PLANS } from './plans.js';
import type { Parameters } from './schema.js';
import { catalogueFor, checkSetting, settingBytes } from './settings.js';
import { cronProblem } from '../util/cron.js';
import { bytes } from '../util/quantity.js';

const P = 'spec.parameters';

export interface Validation {
  readonly errors: FieldError[];
  /** Things passed on unchecked, as `path: message`. */
  readonly warnings: string[];
}

/**
 * Every rule whose fields parsed. `broken` names the top-level fields the schema refused (their defaults stand in):
 * rules that read them are skipped, so one answer lists every error without inventing any.
 */
export function validateParameters(p: Parameters, broken: ReadonlySet<string> = new Set()): Validation {
  const ok = (...fields: string[]) => fields.every((f) => !broken.has(f));
  const warnings: string[] = [];
  const errors = [
    ...(ok('replication', 'instances') ? checkReplication(p) : []),
    ...(ok('databases') ? checkDatabases(p) : []),
    ...(ok('users', 'databases') ? checkUsers(p) : []),
    ...(ok('users', 'databases', 'connectionSecret') ? checkAppLogin(p) : []),
    ...(ok('postgresql') ? checkSettings(p, { values: ok('version'), memory: ok('version', 'size') }, warnings) : []),
    ...(ok('backup') ? checkSchedule(p) : []),
    ...(ok('network') ? checkCidrs(p) : []),
  ];
  return { errors, warnings };
}

function checkReplication(p: Parameters): FieldError[] {
  if (p.replication.mode !== 'sync' || p.instances >= 2) return [];
  return [{ path: `${P}.replication.mode`, message: 'sync replication needs instances >= 2' }];
}

function duplicates(names: readonly string[], path: (i: number) => string, what: string): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  names.forEach((name, i) => {
    if (seen.has(name)) errors.push({ path: path(i), message: `${what} "${name}" is listed twice` });
    seen.add(name);
  });
  return errors;
}

function checkDatabases(p: Parameters): FieldError[] {
  const errors = duplicates(
    p.databases.map((d) => d.name),
    (i) => `${P}.databases[${i}].name`,
    'database',
  );
  p.databases.forEach((d, i) => {
    if ((RESERVED_DATABASES as readonly string[]).includes(d.name)) {
      errors.push({ path: `${P}.databases[${i}].name`, message: `"${d.name}" is a database every instance already has` });
    }
    errors.push(
      ...duplicates(d.extensions, (j) => `${P}.databases[${i}].extensions[${j}]`, 'extension'),
    );
  });
  return errors;
}

function checkUsers(p: Parameters): FieldError[] {
  const databases = new Set(p.databases.map((d) => d.name));
  const errors = duplicates(
    p.users.map((u) => u.name),
    (i) => `${P}.users[${i}].name`,
    'user',
  );
  p.users.forEach((u, i) => {
    if ((RESERVED_ROLES as readonly string[]).includes(u.name) || u.name.startsWith(RESERVED_ROLE_PREFIX)) {
      errors.push({ path: `${P}.users[${i}].name`, message: `role name "${u.name}" is reserved by PostgreSQL or the operator` });
    }
    errors.push(
      ...duplicates(
        u.grants.map((g) => g.database),
        (j) => `${P}.users[${i}].grants[${j}].database`,
        'grant on database',
      ),
    );
    u.grants.forEach((g, j) => {
      if (!databases.has(g.database)) {
        errors.push({
          path: `${P}.users[${i}].grants[${j}].database`,
          message: `database "${g.database}" is not listed in ${P}.databases`,
        });
      }
    });
  });
  return errors;
}

/** The instance Secret's user must be listed; a listed "app" must not collide with the owner made for the first database. */
function checkAppLogin(p: Parameters): FieldError[] {
  const errors: FieldError[] = [];
  const user = p.connectionSecret.user;
  if (user !== undefined && !p.users.some((u) => u.name === user)) {
    errors.push({ path: `${P}.connectionSecret.user`, message: `"${user}" is not listed in ${P}.users` });
  }
  const first = p.databases[0]?.name ?? APP_DATABASE;
  const owned = p.users.some((u) => u.grants.some((g) => g.privileges === 'owner' && g.database === first));
  const app = p.users.findIndex((u) => u.name === APP_ROLE);
  if (app >= 0 && !owned) {
    errors.push({
      path: `${P}.users[${app}].name`,
      message:
        `no user owns database "${first}", so the function creates role "${APP_ROLE}" as its owner: ` +
        `grant this user owner on "${first}", or choose another name`,
    });
  }
  return errors;
}

/** Blocked names, then each value as PostgreSQL of the claim's major parses it, then shared_buffers against memory. */
function checkSettings(p: Parameters, check: { values: boolean; memory: boolean }, warnings: string[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const [name, value] of Object.entries(p.postgresql.settings)) {
    const path = `${P}.postgresql.settings.${name}`;
    const blocked = blockedSetting(name);
    if (blocked) {
      errors.push({ path, message: `can not be set: ${blocked.reason}` });
      continue;
    }
    if (!check.values) continue;
    const verdict = checkSetting(name, value, p.version);
    if (verdict && 'problem' in verdict) errors.push({ path, message: verdict.problem });
    if (verdict && 'note' in verdict) warnings.push(`${path}: ${verdict.note}`);
  }
  const sharedBuffers = p.postgresql.settings['shared_buffers'];
  if (check.memory && sharedBuffers !== undefined) {
    const memory = p.size.memory ?? PLANS[p.size.plan].memory;
    const wanted = settingBytes(sharedBuffers, catalogueFor(p.version)?.entries['shared_buffers']);
    const limit = bytes(memory);
    if (wanted !== undefined && limit !== undefined && wanted >= limit) {
      errors.push({
        path: `${P}.postgresql.settings.shared_buffers`,
        message: `"${sharedBuffers}" does not fit in the instance's memory (${memory}); keep it well below, e.g. a quarter`,
      });
    }
  }
  return errors;
}

function checkSchedule(p: Parameters): FieldError[] {
  if (p.backup.schedule === undefined) return [];
  const problem = cronProblem(p.backup.schedule);
  return problem ? [{ path: `${P}.backup.schedule`, message: problem }] : [];
}

export function cidrProblem(cidr: string): string | undefined {
  const [address = '', prefix = ''] = cidr.split('/');
  const family = isIP(address);
  if (family === 0) return `"${address}" is not an IP address`;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(prefix) || bits > max) return `prefix length must be 0-${max}`;
  return undefined;
}

function checkCidrs(p: Parameters): FieldError[] {
  return p.network.allowedCIDRs.flatMap((cidr, i) => {
    const problem = cidrProblem(cidr);
    return problem ? [{ path: `${P}.network.allowedCIDRs[${i}]`, message: problem }] : [];
  });
}
