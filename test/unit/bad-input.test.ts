/**
 * Bad input gets a Fatal result that names the field, and the desired state comes back exactly as it came in, so
 * Crossplane changes nothing: no composed object is dropped, no password regenerated.
 */
import { Severity, type RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { claim, observeDesired, runningClusterStatus, steadyRequest, type Doc } from '../support/requests.js';

const good: Doc = {
  databases: [{ name: 'orders' }],
  users: [{ name: 'app', grants: [{ database: 'orders', privileges: 'owner' }] }],
};

/** A steady-state request for `good`, then the claim changed to `parameters`; desired carries an earlier step's output. */
function badRequest(parameters: Doc, mutate?: (req: RunFunctionRequest) => void): RunFunctionRequest {
  const steady = steadyRequest(claim(good));
  const composite = structuredClone(steady.observed!.composite!.resource!) as Doc;
  (composite['spec'] as Doc)['parameters'] = parameters;
  const req: RunFunctionRequest = {
    ...steady,
    observed: { ...steady.observed!, composite: { resource: composite, connectionDetails: {}, ready: 0 } },
    desired: {
      composite: undefined,
      resources: { 'from-earlier-step': { resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, connectionDetails: {}, ready: 0 } },
    },
  };
  mutate?.(req);
  return req;
}

const cases: [string, Doc, string, ((req: RunFunctionRequest) => void)?][] = [
  ['unknown engine', { engine: 'mysql' }, 'spec.parameters.engine'],
  ['engine changed on a running instance', { engine: 'cloudnativepg' }, 'spec.parameters.engine'],
  ['engine the platform does not offer', {}, 'spec.parameters.engine', (req) => {
    req.input = { ...req.input, platform: { defaultEngine: 'cloudnativepg', allowedEngines: ['cloudnativepg'] } };
    req.observed = { ...req.observed!, resources: {} };
    ((req.observed.composite!.resource!['spec'] as Doc)['parameters'] as Doc)['engine'] = 'stackgres';
  }],
  ['platform default engine not among the allowed', {}, 'input.platform.defaultEngine', (req) => {
    req.input = { ...req.input, platform: { defaultEngine: 'stackgres', allowedEngines: ['cloudnativepg'] } };
  }],
  ['setting CloudNativePG manages', { engine: 'cloudnativepg', postgresql: { settings: { jit_provider: 'llvmjit' } } }, 'spec.parameters.postgresql.settings.jit_provider', (req) => {
    req.observed = { ...req.observed!, resources: {} };
  }],
  ['version too old', { version: 13 }, 'spec.parameters.version'],
  ['version as a string', { version: '17' }, 'spec.parameters.version'],
  ['version not whole', { version: 16.5 }, 'spec.parameters.version'],
  ['no instances', { instances: 0 }, 'spec.parameters.instances'],
  ['too many instances', { instances: 6 }, 'spec.parameters.instances'],
  ['sync replication alone', { replication: { mode: 'sync' } }, 'spec.parameters.replication.mode'],
  ['unknown plan', { size: { plan: 'huge' } }, 'spec.parameters.size.plan'],
  ['fractional cpu', { size: { cpu: '0.5' } }, 'spec.parameters.size.cpu'],
  ['memory in GB', { size: { memory: '4GB' } }, 'spec.parameters.size.memory'],
  ['disk without unit', { size: { disk: '10' } }, 'spec.parameters.size.disk'],
  ['storage class with capitals', { storageClass: 'Fast_SSD' }, 'spec.parameters.storageClass'],
  ['blocked setting', { postgresql: { settings: { port: '5433' } } }, 'spec.parameters.postgresql.settings.port'],
  ['blocked setting prefix', { postgresql: { settings: { ssl_ciphers: 'HIGH' } } }, 'spec.parameters.postgresql.settings.ssl_ciphers'],
  ['setting name with a space', { postgresql: { settings: { 'work mem': '1MB' } } }, 'spec.parameters.postgresql.settings["work mem"]'],
  ['setting value not a string', { postgresql: { settings: { work_mem: 64 } } }, 'spec.parameters.postgresql.settings.work_mem'],
  ['database twice', { databases: [{ name: 'a' }, { name: 'a' }] }, 'spec.parameters.databases[1].name'],
  ['database name PostgreSQL would need quoted', { databases: [{ name: 'Orders-DB' }] }, 'spec.parameters.databases[0].name'],
  ['database name too long', { databases: [{ name: 'd'.repeat(64) }] }, 'spec.parameters.databases[0].name'],
  ['reserved database', { databases: [{ name: 'template1' }] }, 'spec.parameters.databases[0].name'],
  ['bad extension name', { databases: [{ name: 'a', extensions: ['Bad Ext'] }] }, 'spec.parameters.databases[0].extensions[0]'],
  ['reserved role', { users: [{ name: 'postgres' }] }, 'spec.parameters.users[0].name'],
  ['pg_ role', { users: [{ name: 'pg_admin' }] }, 'spec.parameters.users[0].name'],
  ['user twice', { users: [{ name: 'u' }, { name: 'u' }] }, 'spec.parameters.users[1].name'],
  ['grant on unlisted database', { users: [{ name: 'u', grants: [{ database: 'nope', privileges: 'owner' }] }] }, 'spec.parameters.users[0].grants[0].database'],
  ['unknown privilege', { databases: [{ name: 'a' }], users: [{ name: 'u', grants: [{ database: 'a', privileges: 'admin' }] }] }, 'spec.parameters.users[0].grants[0].privileges'],
  ['cron minute out of range', { backup: { schedule: '61 1 * * *' } }, 'spec.parameters.backup.schedule'],
  ['cron word', { backup: { schedule: 'daily' } }, 'spec.parameters.backup.schedule'],
  ['no retention', { backup: { retentionDays: 0 } }, 'spec.parameters.backup.retentionDays'],
  ['CIDR prefix too long', { network: { allowedCIDRs: ['10.0.0.0/33'] } }, 'spec.parameters.network.allowedCIDRs[0]'],
  ['CIDR not an address', { network: { allowedCIDRs: ['300.1.1.1/8'] } }, 'spec.parameters.network.allowedCIDRs[0]'],
  ['namespace name invalid', { network: { allowedNamespaces: ['Team_B'] } }, 'spec.parameters.network.allowedNamespaces[0]'],
  ['lower-case key prefix', { connectionSecret: { keyPrefix: 'pg' } }, 'spec.parameters.connectionSecret.keyPrefix'],
  ['connection secret named like the superuser secret', { connectionSecret: { name: 'app-db-superuser' } }, 'spec.parameters.connectionSecret.name'],
  ['work_mem below its minimum', { postgresql: { settings: { work_mem: '-1' } } }, 'spec.parameters.postgresql.settings.work_mem'],
  ['misspelt enum value', { postgresql: { settings: { wal_compression: 'lz5' } } }, 'spec.parameters.postgresql.settings.wal_compression'],
  ['shared_buffers beyond the memory', { postgresql: { settings: { shared_buffers: '3GB' } } }, 'spec.parameters.postgresql.settings.shared_buffers'],
  ['not a PostgreSQL parameter', { postgresql: { settings: { work_meme: '4MB' } } }, 'spec.parameters.postgresql.settings.work_meme'],
  ['deletionProtection not a boolean', { deletionProtection: 'yes' }, 'spec.parameters.deletionProtection'],
  ['disk shrinks below what exists', { size: { disk: '10Gi' } }, 'spec.parameters.size.disk'],
  ['plan shrinks the disk', { size: { plan: 'xsmall' } }, 'spec.parameters.size.plan'],
  ['major version changed in place', { version: 16 }, 'spec.parameters.version'],
  [
    'XR without a claim',
    {},
    'metadata.labels["crossplane.io/claim-namespace"]',
    (req) => {
      const labels = ((req.observed!.composite!.resource!['metadata'] as Doc)['labels'] as Doc);
      delete labels['crossplane.io/claim-namespace'];
    },
  ],
  ['bad function input', {}, 'input.platform.clusterDomain', (req) => { req.input = { ...req.input, platform: { clusterDomain: 'Not A Domain' } }; }],
  ['the removed otc-rds option autogrowPercent', {}, 'input.platform.engines["otc-rds"].autogrowPercent', (req) => {
    req.input = { ...req.input, platform: { engines: { 'otc-rds': { autogrowPercent: 10 } } } };
  }],
  [
    'both secrets holding the password deleted while the database exists',
    good,
    'status',
    (req) => {
      delete req.observed!.resources['superuser-secret'];
      delete req.observed!.resources['connection-secret'];
    },
  ],
];

describe('bad input', () => {
  it('has at least 20 kinds of bad input', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  // Rows as objects: jest would take a missing fourth array element for a done callback.
  const rows = cases.map(([name, parameters, path, mutate]) => ({ name, parameters, path, mutate }));
  it.each(rows)('$name: Fatal naming the field, desired untouched', ({ parameters, path, mutate }) => {
    const req = badRequest(parameters, mutate);
    const desiredBefore = structuredClone(req.desired);
    const rsp = runFunction(req);
    const fatal = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.message).toContain(`${path}:`);
    expect(rsp.desired).toEqual(desiredBefore);
    expect(rsp.conditions).toEqual([]);
  });

  it('the same claim without the error composes (the cases are bad only by the named field)', () => {
    const rsp = runFunction(steadyRequest(claim(good)));
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
  });

  it('names every bad field of one claim at once', () => {
    const rsp = runFunction(badRequest({ instances: 9, size: { plan: 'huge' } }));
    expect(rsp.results[0]!.message).toContain('spec.parameters.instances:');
    expect(rsp.results[0]!.message).toContain('spec.parameters.size.plan:');
  });

  it('keeps a running cluster untouched when its status reports failure, instead of refusing', () => {
    const steady = steadyRequest(claim(good));
    const failed = observeDesired(steady, runFunction(steady), { ...runningClusterStatus(1), conditions: [{ type: 'Failed', status: 'True', message: 'bad config' }] });
    const rsp = runFunction(failed);
    expect(rsp.results).toEqual([]);
    expect(rsp.conditions[0]).toMatchObject({ reason: 'Failed', message: expect.stringContaining('bad config') });
  });
});
