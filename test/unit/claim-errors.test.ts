/**
 * One answer for one bad claim: every error at once (a type error no longer hides a blocked setting), fields this
 * version doesn't know as Warnings, and postgresql.conf values checked against the catalogue of the claim's major.
 */
import { Severity, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { checkSetting } from '../../src/api/settings.js';
import { runFunction } from '../../src/function.js';
import { answerComposing, claim, firstRequest, steadyRequest, type Doc } from '../support/requests.js';

const fatal = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
const warnings = (rsp: RunFunctionResponse) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_WARNING).map((r) => r.message);

/** The claim changed on a steady instance; the answer's one Fatal message. */
function refusal(parameters: Doc): string {
  const steady = steadyRequest(claim({}));
  ((steady.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc) = parameters;
  const messages = fatal(runFunction(steady));
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

describe('every error of a claim in one answer', () => {
  it.each<[string, Doc, string[]]>([
    ['a type error and a blocked setting', { instances: 'two', postgresql: { settings: { fsync: 'off' } } }, ['spec.parameters.instances:', 'spec.parameters.postgresql.settings.fsync: can not be set']],
    ['a bad value type beside a blocked setting', { postgresql: { settings: { work_mem: 64, fsync: 'off' } } }, ['spec.parameters.postgresql.settings.work_mem:', 'spec.parameters.postgresql.settings.fsync: can not be set']],
    ['a type error and a grant on an unlisted database', { version: '17', users: [{ name: 'u', grants: [{ database: 'nope', privileges: 'owner' }] }] }, ['spec.parameters.version:', 'spec.parameters.users[0].grants[0].database:']],
    ['a type error and a disk that would shrink', { instances: 'two', size: { disk: '1Gi' } }, ['spec.parameters.instances:', 'spec.parameters.size.disk: the disk can grow but not shrink']],
    ['a value out of range and an owner twice', { postgresql: { settings: { work_mem: '-1' } }, databases: [{ name: 'a' }], users: [{ name: 'u', grants: [{ database: 'a', privileges: 'owner' }] }, { name: 'v', grants: [{ database: 'a', privileges: 'owner' }] }] }, ['spec.parameters.postgresql.settings.work_mem:', 'spec.parameters.users[1].grants[0].privileges:']],
  ])('%s', (_name, parameters, paths) => {
    const message = refusal(parameters);
    for (const path of paths) expect(message).toContain(path);
  });

  it('names a field once when a rule and a check against the existing objects both refuse it', () => {
    const message = refusal({ engine: 'cloudnativepg', instances: 'two' });
    expect(message.match(/spec\.parameters\.engine:/g)).toHaveLength(1);
  });

  it('invents nothing for a refused field: sync replication is not blamed on instances it could not read', () => {
    const message = refusal({ instances: 'two', replication: { mode: 'sync' } });
    expect(message).toContain('spec.parameters.instances:');
    expect(message).not.toContain('spec.parameters.replication.mode');
  });
});

describe('fields this version of the function does not know', () => {
  it.each<[string, Doc, string]>([
    ['at the top', { sise: { plan: 'large' } }, 'spec.parameters.sise'],
    ['nested', { backup: { retentionDays: 3, encryption: 'aes' } }, 'spec.parameters.backup.encryption'],
    ['in a list item', { databases: [{ name: 'a', collation: 'C' }] }, 'spec.parameters.databases[0].collation'],
  ])('%s: a Warning naming it, the rest composed', (_name, parameters, path) => {
    // The answer that composes the SGCluster, once its inputs were applied.
    const rsp = answerComposing(firstRequest(claim(parameters)), 'sg-cluster');
    expect(fatal(rsp)).toEqual([]);
    expect(warnings(rsp)).toEqual([`${path}: not a field this version of the function knows; ignored`]);
    expect(rsp.desired!.resources['sg-cluster']).toBeDefined();
  });

  it('an unknown field does not hide an error', () => {
    const message = refusal({ sise: {}, instances: 0 });
    expect(message).toContain('spec.parameters.instances:');
  });
});

describe('postgresql.conf values against the catalogue of the major', () => {
  // [setting, value, major, expected: undefined = accepted, 'note' = warned, else a piece of the refusal]
  it.each<[string, string, number, string | undefined]>([
    ['work_mem', '64MB', 17, undefined],
    ['work_mem', '64 MB', 17, undefined],
    ['work_mem', '1.5GB', 17, undefined],
    ['work_mem', '65536', 17, undefined],
    ['work_mem', '-1', 17, 'is out of range: PostgreSQL 17 accepts 64 to 2147483647 (in kB)'],
    ['work_mem', '63kB', 17, 'is out of range'],
    ['work_mem', '64mb', 17, 'unit "mb" is not one of B, kB, MB, GB, TB'],
    ['work_mem', 'lots', 17, 'is not an integer with an optional unit'],
    ['statement_timeout', '5min', 17, undefined],
    ['statement_timeout', '5MB', 17, 'unit "MB" is not one of us, ms, s, min, h, d'],
    ['max_connections', '100', 17, undefined],
    ['max_connections', '100kB', 17, 'this parameter takes no unit'],
    ['random_page_cost', '1.1', 17, undefined],
    ['random_page_cost', '-1', 17, 'is out of range'],
    ['jit', 'of', 17, undefined],
    ['jit', 'TRUE', 17, undefined],
    ['jit', 'maybe', 17, 'is not a boolean'],
    ['synchronous_commit', 'Remote_Apply', 17, undefined],
    ['synchronous_commit', 'remote_aply', 17, 'is not one of local, remote_write, remote_apply, on, off'],
    ['block_size', '8192', 17, 'is read-only in PostgreSQL 17'],
    ['work_meme', '4MB', 17, 'is not a PostgreSQL 17 parameter'],
    // names of Object.prototype's members are unknown parameters, not entries of the catalogue (found by the fuzz
    // test: seed 798524731, case 11648 threw "entry is not iterable")
    ['constructor', 'x', 17, 'is not a PostgreSQL 17 parameter'],
    ['hasOwnProperty', 'x', 17, 'is not a PostgreSQL 17 parameter'],
    ['__proto__', 'x', 15, 'is not a PostgreSQL 15 parameter'],
    ['toString', 'x', 16, 'note'],
    ['pg_stat_statements.max', '10000', 17, undefined],
    ['search_path', '"$user", public', 17, undefined],
    // removed in PostgreSQL 16, added in 17: each major has its own catalogue
    ['force_parallel_mode', 'off', 15, undefined],
    ['force_parallel_mode', 'off', 17, 'is not a PostgreSQL 17 parameter'],
    ['summarize_wal', 'on', 17, undefined],
    ['summarize_wal', 'on', 15, 'is not a PostgreSQL 15 parameter'],
    ['io_method', 'worker', 18, undefined],
    ['io_method', 'worker', 17, 'is not a PostgreSQL 17 parameter'],
    ['io_method', 'uring', 18, 'is not one of'],
    // 16 has no catalogue of its own and borrows 17's: what 17 knows is checked, what it doesn't is a warning
    ['work_mem', '-1', 16, 'is out of range: PostgreSQL 17 accepts 64'],
    ['force_parallel_mode', 'off', 16, 'note'],
  ])('%s: "%s" on PostgreSQL %d', (name, value, major, expected) => {
    const verdict = checkSetting(name, value, major);
    if (expected === undefined) expect(verdict).toBeUndefined();
    else if (expected === 'note') expect(verdict).toHaveProperty('note');
    else expect(verdict).toEqual({ problem: expect.stringContaining(expected) });
  });

  it.each<[string, Doc, string | undefined]>([
    ['shared_buffers of a quarter of the plan', { postgresql: { settings: { shared_buffers: '512MB' } } }, undefined],
    ['shared_buffers as much as the plan (small: 2Gi)', { postgresql: { settings: { shared_buffers: '2GB' } } }, 'spec.parameters.postgresql.settings.shared_buffers: "2GB" does not fit in the instance\'s memory (2Gi)'],
    ['shared_buffers in 8kB pages beyond the plan', { postgresql: { settings: { shared_buffers: '300000' } } }, 'spec.parameters.postgresql.settings.shared_buffers:'],
    ['shared_buffers within an overridden memory', { size: { memory: '8Gi' }, postgresql: { settings: { shared_buffers: '2GB' } } }, undefined],
  ])('%s', (_name, parameters, expected) => {
    const rsp = runFunction(firstRequest(claim(parameters)));
    if (expected === undefined) expect(fatal(rsp)).toEqual([]);
    else expect(fatal(rsp)[0]).toContain(expected);
  });

  it('a parameter the borrowed catalogue lacks is passed on with a Warning', () => {
    const rsp = runFunction(firstRequest(claim({ version: 16, postgresql: { settings: { force_parallel_mode: 'off' } } })));
    expect(fatal(rsp)).toEqual([]);
    expect(warnings(rsp)).toEqual([expect.stringContaining('spec.parameters.postgresql.settings.force_parallel_mode: is not a parameter of PostgreSQL 17')]);
  });
});
