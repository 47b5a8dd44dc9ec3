/** The Scalingo engine (our provider-scalingo's Database), with expected values written by hand. */
import { Severity, Status } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { claimToComposite, renderRequest } from '../../src/render.js';
import { seededRandom } from '../../src/util/random.js';
import { crdErrors } from '../support/crds.js';
import { answerComposing, claim, compositionInput, settle, type Doc } from '../support/requests.js';

const scalingo = (parameters: Doc, name = 'app-db', namespace = 'team-a', input: Doc = compositionInput()) =>
  renderRequest(claimToComposite(claim({ engine: 'scalingo', ...parameters }, name, namespace)), { input });
const fatal = (rsp: ReturnType<typeof runFunction>) => rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
const fieldErrors = (rsp: ReturnType<typeof runFunction>) =>
  fatal(rsp).flatMap((m) => m.replace(/^cannot compose this PostgreSQLInstance, nothing was changed: /, '').split(/; (?=spec\.)/));
const first = (parameters: Doc, name?: string, namespace?: string) => {
  const rsp = answerComposing(scalingo(parameters, name, namespace), 'scalingo-database', 'sc');
  expect(fatal(rsp)).toEqual([]);
  return Object.fromEntries(Object.entries(rsp.desired!.resources).map(([k, r]) => [k, r.resource as Doc]));
};
const spec = (o: Doc | undefined) => o?.['spec'] as Doc;
const forProvider = (o: Doc | undefined) => spec(o)['forProvider'] as Doc;
/** The Composition input with platform.engines.scalingo changed. */
const withOptions = (options: Doc): Doc => {
  const input = compositionInput();
  const platform = input['platform'] as Doc;
  const engines = platform['engines'] as Doc;
  return { ...input, platform: { ...platform, engines: { ...engines, scalingo: { ...(engines['scalingo'] as Doc), ...options } } } };
};

describe('the Scalingo Database', () => {
  it("takes the name, the platform's plan, the firewall and provider-sql's Secret; no version (Scalingo's API takes none)", () => {
    const database = first({})['scalingo-database']!;
    expect(database).toMatchObject({ apiVersion: 'scalingo.dbaas.dev/v1alpha1', kind: 'Database', metadata: { name: 'app-db', namespace: 'team-a' } });
    expect(spec(database)).toEqual({
      forProvider: {
        name: 'app-db-team-a',
        plan: 'postgresql-dr-starter-4096',
        firewallRules: [{ cidr: '203.0.113.16/29', label: 'platform cluster' }],
      },
      providerConfigRef: { kind: 'ClusterProviderConfig', name: 'default' },
      writeConnectionSecretToRef: { name: 'app-db-admin' },
    });
  });

  // The Composition sets starter and business tables; enterprise comes from the options' defaults.
  it.each<[number, string, string]>([
    [1, 'medium', 'postgresql-dr-starter-8192'],
    [2, 'medium', 'postgresql-dr-business-8192'],
    [2, 'xlarge', 'postgresql-dr-business-32768'],
    [3, 'large', 'postgresql-dr-enterprise-16384'],
  ])('%d node(s) of plan %s → %s', (instances, plan, expected) => {
    expect(forProvider(first({ instances, size: { plan } })['scalingo-database'])['plan']).toBe(expected);
  });

  it("opens the firewall to the platform's ranges, then the claim's, each once", () => {
    const rules = forProvider(first({ network: { allowedCIDRs: ['198.51.100.0/24', '203.0.113.16/29', '192.0.2.7/32', '198.51.100.0/24'] } })['scalingo-database'])['firewallRules'];
    expect(rules).toEqual([
      { cidr: '203.0.113.16/29', label: 'platform cluster' },
      { cidr: '192.0.2.7/32', label: 'claim allowedCIDRs' },
      { cidr: '198.51.100.0/24', label: 'claim allowedCIDRs' },
    ]);
  });

  it("takes the platform's project and ProviderConfig", () => {
    const input = withOptions({ projectId: 'prj-0a1b2c', providerConfigRef: { kind: 'ProviderConfig', name: 'team-token' } });
    const rsp = answerComposing(scalingo({}, 'app-db', 'team-a', input), 'scalingo-database', 'sc');
    const database = rsp.desired!.resources['scalingo-database']!.resource as Doc;
    expect(forProvider(database)['projectId']).toBe('prj-0a1b2c');
    expect(spec(database)['providerConfigRef']).toEqual({ kind: 'ProviderConfig', name: 'team-token' });
  });

  it.each<[string, string, string]>([
    // Scalingo names are unique in the account: the namespace is part of them, and they stop at 48 characters.
    ['app-db', 'team-a', 'app-db-team-a'],
    // Cut to 39 characters, a dash and 8 of a hash of the whole.
    ['orders', 'shop-production-eu-west-and-some-more-words', 'orders-shop-production-eu-west-and-some-c340ef9c'],
    // The Kubernetes base name starts with a letter (names.ts: `pg-`, and a hash of the claim name it changed).
    ['1st', 'team-a', 'pg-1st-e01d-team-a'],
  ])('claim %s in %s is %s on Scalingo', (name, namespace, expected) => {
    const scalingoName = String(forProvider(first({}, name, namespace)['scalingo-database'])['name']);
    expect(scalingoName).toBe(expected);
    expect(scalingoName).toMatch(/^[a-z][a-z0-9-]{2,47}$/);
  });

  it('validates against provider-scalingo\'s CRD, which catches a field it does not know', () => {
    const database = first({ instances: 2, network: { allowedCIDRs: ['192.0.2.0/24'] } })['scalingo-database']!;
    expect(crdErrors(database, 'provider-scalingo')).toEqual([]);
    const bogus = { ...database, spec: { ...spec(database), forProvider: { ...forProvider(database), region: 'osc-fr1' } } };
    expect(crdErrors(bogus, 'provider-scalingo')).not.toEqual([]);
  });
});

describe("provider-sql logs in with Scalingo's administrator", () => {
  const steady = settle(scalingo({}), 'sql').rsp;
  const resources = Object.fromEntries(Object.entries(steady.desired!.resources).map(([k, r]) => [k, r.resource as Doc]));

  it('its ProviderConfig reads the Secret provider-scalingo writes; no superuser Secret of ours exists', () => {
    expect(fatal(steady)).toEqual([]);
    expect(spec(resources['sql-provider-config'])['credentials']).toEqual({ source: 'PostgreSQLConnectionSecret', connectionSecretRef: { name: 'app-db-admin' } });
    expect(Object.keys(resources)).not.toContain('superuser-secret');
  });

  it('a Usage keeps the Database until the ProviderConfig is gone (the admin Secret goes with the Database)', () => {
    expect(Object.keys(resources).filter((k) => k.startsWith('usage-') && !k.startsWith('usage-user-secret-')).sort()).toEqual(['usage-scalingo-database']);
  });

  it('composes no NetworkPolicy, monitoring objects or bucket: nothing runs in the cluster', () => {
    for (const key of ['network-policy', 'pod-monitor', 'prometheus-rule', 'grafana-dashboard', 'backup-bucket']) expect(Object.keys(resources)).not.toContain(key);
  });
});

describe('status from the Database', () => {
  const observed = (atProvider: Doc | undefined, ready: boolean, synced?: Doc) => {
    const req = settle(scalingo({}), 'st').req;
    const database = req.observed!.resources['scalingo-database']!.resource as Doc;
    const conditions = [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'Available' : 'Creating' }, ...(synced ? [synced] : [])];
    database['status'] = { conditions, ...(atProvider ? { atProvider } : {}) };
    return runFunction(req, { random: seededRandom('st') });
  };

  it('the host, port, version and status Scalingo reports, Ready once running; no backup schedule of ours', () => {
    const rsp = observed({ status: 'running', host: 'app-db-team-a-1.postgresql.a.osc-fr1.scalingo-dbs.com', port: 30987, version: '17.6' }, true);
    const status = (rsp.desired!.composite!.resource as Doc)['status'] as Doc;
    expect(status).toMatchObject({ engine: 'scalingo', endpoint: 'app-db-team-a-1.postgresql.a.osc-fr1.scalingo-dbs.com', port: 30987, version: '17.6', phase: 'running', instancesReady: 1 });
    expect(status['backupSchedule']).toBeUndefined();
    expect(rsp.conditions[0]).toMatchObject({ status: Status.STATUS_CONDITION_TRUE });
    const data = (rsp.desired!.resources['connection-secret']!.resource as Doc)['data'] as Record<string, string>;
    const value = (key: string) => Buffer.from(data[key]!, 'base64').toString();
    expect([value('host'), value('port'), value('username'), value('database')]).toEqual(['app-db-team-a-1.postgresql.a.osc-fr1.scalingo-dbs.com', '30987', 'app', 'app']);
  });

  it('stays Ready through a plan change: the provider keeps Ready True while Scalingo says updating', () => {
    const rsp = observed({ status: 'updating', host: 'h.scalingo-dbs.com', port: 30123 }, true);
    expect(rsp.conditions[0]).toMatchObject({ status: Status.STATUS_CONDITION_TRUE });
    expect((rsp.desired!.composite!.resource as Doc)['status']).toMatchObject({ phase: 'updating' });
  });

  it.each<[Doc | undefined, boolean, Doc | undefined, string, boolean]>([
    [{ status: 'creating' }, false, undefined, 'waiting for Scalingo (creating)', false],
    [undefined, false, undefined, 'waiting for Scalingo', false],
    // Ready but no host yet: nothing to connect to.
    [{ status: 'running' }, true, undefined, 'waiting for Scalingo (running)', false],
    [{ status: 'stopped', host: 'h' }, true, undefined, 'Scalingo reports the database stopped', true],
    // A plan change in progress passes by itself.
    [{ status: 'updating' }, false, undefined, 'waiting for Scalingo (updating)', false],
    [undefined, false, { type: 'Synced', status: 'False', reason: 'ReconcileError', message: 'plan change in progress' }, 'provider-scalingo: plan change in progress', false],
  ])('%o (Ready %p, %o) → %s', (atProvider, ready, synced, message, failed) => {
    const rsp = observed(atProvider, ready, synced);
    expect(rsp.conditions[0]).toMatchObject({ status: Status.STATUS_CONDITION_FALSE, reason: failed ? 'Failed' : 'Creating', message: expect.stringContaining(message) });
  });
});

describe('what Scalingo cannot honour is refused, naming the field', () => {
  it.each<[string, Doc, string[]]>([
    ['another major than Scalingo creates', { version: 16 }, ['spec.parameters.version: Scalingo creates new databases on PostgreSQL 17 (its API takes no version): set version to 17']],
    ['four nodes', { instances: 4 }, ['spec.parameters.instances: Scalingo runs 1 node (Starter), 2 (Business) or 3 (Enterprise); 4 can not be honoured']],
    ['sync replication', { instances: 2, replication: { mode: 'sync' } }, ['spec.parameters.replication.mode: Scalingo keeps its standbys in step itself (asynchronously); sync can not be chosen: remove it or set it to async']],
    ['cpu', { size: { cpu: '2' } }, ['spec.parameters.size.cpu: the Scalingo plan (size.plan) fixes the CPU: choose a plan instead of cpu']],
    ['memory', { size: { memory: '4Gi' } }, ['spec.parameters.size.memory: the Scalingo plan (size.plan) fixes the memory: choose a plan instead of memory']],
    ['a disk', { size: { disk: '50Gi' } }, ['spec.parameters.size.disk: the Scalingo plan (size.plan) fixes the disk: choose a plan instead of disk']],
    ['autogrow', { size: { autogrow: { enabled: true, max: '100Gi' } } }, ['spec.parameters.size.autogrow.enabled: the Scalingo plan (size.plan) fixes the disk and Scalingo does not grow it by itself: choose a larger plan instead']],
    ['a final backup on delete', { backup: { finalBackupOnDelete: true } }, ['spec.parameters.backup.finalBackupOnDelete: provider-scalingo takes no backup when the database is deleted: remove it or set it to false']],
    ['a StorageClass', { storageClass: 'fast' }, ['spec.parameters.storageClass: Scalingo has no StorageClass: its plans fix the storage']],
    ['a pooler', { pooler: { enabled: true } }, ['spec.parameters.pooler.enabled: scalingo has no connection pooler here (provider-scalingo does not offer one): remove it or set it to false']],
    ['settings', { postgresql: { settings: { work_mem: '64MB', statement_timeout: '30s' } } }, ['spec.parameters.postgresql.settings: Scalingo manages postgresql.conf and provider-scalingo sets no parameters: remove statement_timeout, work_mem']],
    ['no backups', { backup: { enabled: false } }, ['spec.parameters.backup.enabled: Scalingo backs up every Starter, Business and Enterprise database daily and provider-scalingo can not turn that off: remove it or set it to true']],
    ['a backup schedule', { backup: { schedule: '30 2 * * *' } }, ['spec.parameters.backup.schedule: Scalingo chooses the time of its daily backup (provider-scalingo sets none): remove the schedule']],
    ['31 days on Starter', { backup: { retentionDays: 31 } }, ['spec.parameters.backup.retentionDays: Scalingo keeps the backups of a starter database 30 days; 31 can not be honoured (Business and Enterprise keep a year)']],
    ['a restore', { restore: { fromInstance: 'src' } }, ['spec.parameters.restore: Scalingo restores a backup into the same database, from its dashboard; provider-scalingo can not create a database from another one']],
    ['a maintenance window', { maintenance: { dayOfWeek: 'sunday', timeOfDay: '02:00' } }, ["spec.parameters.maintenance: provider-scalingo sets no maintenance window: Scalingo's own window applies (its dashboard); remove it"]],
    ['allowed namespaces', { network: { allowedNamespaces: ['other'] } }, ["spec.parameters.network.allowedNamespaces: Scalingo's firewall can't tell namespaces apart: the platform's cluster ranges reach the database; use allowedCIDRs for addresses outside the cluster"]],
    ['an IPv6 range', { network: { allowedCIDRs: ['192.0.2.0/24', '2001:db8::/32'] } }, ['spec.parameters.network.allowedCIDRs[1]: Scalingo\'s firewall takes IPv4 ranges only; "2001:db8::/32" can not be honoured']],
    ['the admin Secret\'s name for the connection Secret', { connectionSecret: { name: 'app-db-admin' } }, [
      'spec.parameters.connectionSecret.name: "app-db-admin" is the Secret provider-scalingo writes the administrator\'s login into: choose another name',
    ]],
  ])('%s', (_what, parameters, errors) => {
    expect(fieldErrors(runFunction(scalingo(parameters), { random: seededRandom('x') }))).toEqual(errors);
  });

  it.each<[string, Doc]>([
    ['30 days on Starter', { backup: { retentionDays: 30 } }],
    ['a year on Business', { instances: 2, backup: { retentionDays: 365 } }],
    ['three nodes', { instances: 3 }],
    ['async replication said out loud', { instances: 2, replication: { mode: 'async' } }],
    ['pooler set to false', { pooler: { enabled: false } }],
  ])('%s is fine', (_what, parameters) => expect(fatal(runFunction(scalingo(parameters), { random: seededRandom('x') }))).toEqual([]));
});

describe('changes against the observed Database', () => {
  /** A database made from `before`, on which the provider late-initialized the major Scalingo runs (`runs`). */
  const next = (before: Doc, after: Doc, options?: Doc, runs = '17') => {
    const { req, rsp } = settle(scalingo(before), 'changes');
    expect(fatal(rsp)).toEqual([]);
    forProvider(req.observed!.resources['scalingo-database']!.resource as Doc)['version'] = runs;
    (req.observed!.composite!.resource!['spec'] as Doc)['parameters'] = { engine: 'scalingo', ...after };
    const changed = options ? { ...req, input: withOptions(options) } : req;
    return runFunction(changed, { random: seededRandom('changes-2') });
  };

  it.each<[string, Doc, Doc, string[]]>([
    ['a bigger plan', { size: { plan: 'small' } }, { size: { plan: 'large' } }, []],
    ['a standby (Starter to Business)', {}, { instances: 2 }, []],
    ['a major upgrade', {}, { version: 18 }, ['spec.parameters.version: the cluster runs PostgreSQL 17; changing the major version to 18 in place is not supported yet']],
    ['a lower major', {}, { version: 16 }, [
      'spec.parameters.version: the data is PostgreSQL 17 and PostgreSQL can not go back a major version in place: keep 17 (or raise it), or create a new instance on 16 and move the data with pg_dump and pg_restore',
    ]],
  ])('%s', (_what, before, after, errors) => expect(fieldErrors(next(before, after))).toEqual(errors));

  it("keeps the major the provider read back, also when the platform's creation major moves on", () => {
    const rsp = next({}, {}, { version: 18 });
    expect(fatal(rsp)).toEqual([]);
    expect(forProvider(rsp.desired!.resources['scalingo-database']!.resource as Doc)['version']).toBe('17');
  });

  it('a database made on 16 (the platform said so then) stays on 16', () => {
    const { req, rsp } = settle(scalingo({ version: 16 }, 'app-db', 'team-a', withOptions({ version: 16 })), 'on16');
    expect(fatal(rsp)).toEqual([]);
    forProvider(req.observed!.resources['scalingo-database']!.resource as Doc)['version'] = '16';
    const later = runFunction({ ...req, input: withOptions({ version: 17 }) }, { random: seededRandom('on16') });
    expect(fatal(later)).toEqual([]);
    expect(forProvider(later.desired!.resources['scalingo-database']!.resource as Doc)['version']).toBe('16');
  });

  it('a plan change is the Database plan, in place', () => {
    const rsp = next({ size: { plan: 'small' } }, { instances: 2, size: { plan: 'large' } });
    expect(forProvider(rsp.desired!.resources['scalingo-database']!.resource as Doc)['plan']).toBe('postgresql-dr-business-16384');
  });

  it("keeps its Scalingo name and project when the platform's project changes", () => {
    const rsp = next({}, {}, { projectId: 'prj-new' });
    expect(fatal(rsp)).toEqual([]);
    const fp = forProvider(rsp.desired!.resources['scalingo-database']!.resource as Doc);
    expect([fp['name'], fp['projectId']]).toEqual(['app-db-team-a', undefined]);
  });

  it('keeps the project the provider late-initialized', () => {
    const { req } = settle(scalingo({}), 'late');
    const observed = req.observed!.resources['scalingo-database']!.resource as Doc;
    forProvider(observed)['projectId'] = 'prj-default-of-token';
    const rsp = runFunction({ ...req, input: withOptions({ projectId: 'prj-new' }) }, { random: seededRandom('late') });
    expect(forProvider(rsp.desired!.resources['scalingo-database']!.resource as Doc)['projectId']).toBe('prj-default-of-token');
  });
});
