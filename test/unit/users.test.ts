import { Severity } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { seededRandom } from '../../src/util/random.js';
import { claim, observeDesired, runningClusterStatus, secretValue, steadyRequest, type Doc } from '../support/requests.js';

type Rsp = ReturnType<typeof runFunction>;
// Steady state: the Roles wait for their Secrets, provider-sql's objects for the database.
const render = (parameters: Doc) => runFunction(steadyRequest(claim(parameters, 'shop', 'team-a'), 'u'), { random: seededRandom('u') });
const object = (rsp: ReturnType<typeof runFunction>, key: string) => rsp.desired!.resources[key]?.resource as Doc | undefined;
const forProvider = (rsp: ReturnType<typeof runFunction>, key: string) => (object(rsp, key)!['spec'] as Doc)['forProvider'] as Doc;

const app = {
  databases: [{ name: 'orders', extensions: ['pg_trgm'] }, { name: 'audit_log' }],
  users: [
    { name: 'orders_app', grants: [{ database: 'orders', privileges: 'owner' }, { database: 'audit_log', privileges: 'readWrite' }] },
    { name: 'analyst', grants: [{ database: 'orders', privileges: 'readOnly' }] },
  ],
};

describe('users and databases', () => {
  it('a namespaced ProviderConfig reads the superuser Secret, with TLS required', () => {
    const pc = object(render(app), 'sql-provider-config')!;
    expect(pc).toMatchObject({
      apiVersion: 'postgresql.sql.m.crossplane.io/v1alpha1',
      metadata: { name: 'shop-sql', namespace: 'team-a' },
      spec: { credentials: { source: 'PostgreSQLConnectionSecret', connectionSecretRef: { name: 'shop-superuser' } }, sslMode: 'require' },
    });
  });

  it('sets SQL names through the external name, independent of object names', () => {
    const rsp = render(app);
    const db = object(rsp, 'sql-database-audit_log')!;
    expect((db['metadata'] as Doc)['annotations']).toEqual({ 'crossplane.io/external-name': 'audit_log' });
    expect((db['metadata'] as Doc)['name']).toMatch(/^shop-db-audit-log-[0-9a-f]{6}$/);
    expect(((object(rsp, 'sql-role-orders_app')!['metadata'] as Doc)['annotations'] as Doc)['crossplane.io/external-name']).toBe('orders_app');
  });

  it.each([
    ['orders', { ownerRef: { name: expect.stringMatching(/^shop-user-orders-app-/) } }],
    ['audit_log', { owner: 'postgres' }],
  ])('database %s is owned by %j and is never dropped by Crossplane', (db, owner) => {
    const rsp = render(app);
    expect(forProvider(rsp, `sql-database-${db}`)).toEqual(owner);
    expect((object(rsp, `sql-database-${db}`)!['spec'] as Doc)['managementPolicies']).toEqual(['Observe', 'Create', 'Update', 'LateInitialize']);
  });

  it('every database revokes CONNECT from PUBLIC', () => {
    expect(forProvider(render(app), 'sql-grant-orders-private')).toMatchObject({ revokePublicOnDb: true, privileges: ['ALL'], role: 'postgres' });
  });

  it('creates extensions in their database', () => {
    expect(forProvider(render(app), 'sql-extension-orders-pg_trgm')).toMatchObject({ extension: 'pg_trgm', databaseRef: { name: expect.stringMatching(/^shop-db-orders/) } });
  });

  it.each([
    ['sql-grant-orders_app-audit_log-database', { privileges: ['CONNECT', 'TEMPORARY'] }],
    ['sql-grant-orders_app-audit_log-schema', { privileges: ['USAGE'], schema: 'public' }],
    ['sql-grant-orders_app-pg_read_all_data', { memberOf: 'pg_read_all_data' }],
    ['sql-grant-orders_app-pg_write_all_data', { memberOf: 'pg_write_all_data' }],
    ['sql-grant-analyst-orders-database', { privileges: ['CONNECT'] }],
    ['sql-grant-analyst-orders-schema', { privileges: ['USAGE'], schema: 'public' }],
    ['sql-grant-analyst-pg_read_all_data', { memberOf: 'pg_read_all_data' }],
  ])('grant %s', (key, expected) => {
    expect(forProvider(render(app), key)).toMatchObject({ ...expected, roleRef: { name: expect.stringMatching(/^shop-user-/) } });
  });

  it.each(['sql-grant-analyst-pg_write_all_data', 'sql-grant-orders_app-orders-database'])('no %s', (key) => {
    expect(object(render(app), key)).toBeUndefined();
  });

  it('each role logs in with the password from its own connection secret', () => {
    const rsp = render(app);
    const secretName = ((object(rsp, 'user-secret-analyst')!['metadata'] as Doc)['name']);
    expect(forProvider(rsp, 'sql-role-analyst')).toEqual({
      passwordSecretRef: { name: secretName, key: 'password' },
      privileges: { login: true, inherit: true },
    });
    expect(secretValue(rsp, 'user-secret-analyst', 'username')).toBe('analyst');
    expect(secretValue(rsp, 'user-secret-analyst', 'database')).toBe('orders');
    expect(secretValue(rsp, 'user-secret-analyst', 'uri')).toMatch(/^postgresql:\/\/analyst:[A-Za-z0-9]{32}@shop\.team-a\.svc\.cluster\.local:5432\/orders\?sslmode=require$/);
  });

  it('user secrets take the key prefix too', () => {
    const rsp = render({ ...app, connectionSecret: { keyPrefix: 'DB' } });
    expect(secretValue(rsp, 'user-secret-analyst', 'DB_USERNAME')).toBe('analyst');
  });

  it('keeps each user password across reconciles', () => {
    const steady = steadyRequest(claim(app, 'shop', 'team-a'));
    const before = runFunction(steady, { random: seededRandom('a') });
    const again = runFunction(observeDesired(steady, before, runningClusterStatus(1)), { random: seededRandom('b') });
    expect(secretValue(again, 'user-secret-orders_app', 'password')).toBe(secretValue(before, 'user-secret-orders_app', 'password'));
  });

  it('protects the superuser Secret and the SGCluster while the ProviderConfig exists', () => {
    const rsp = render(app);
    expect((object(rsp, 'usage-superuser-secret')!['spec'] as Doc)).toEqual({
      of: { apiVersion: 'v1', kind: 'Secret', resourceRef: { name: 'shop-superuser' } },
      by: { apiVersion: 'postgresql.sql.m.crossplane.io/v1alpha1', kind: 'ProviderConfig', resourceRef: { name: 'shop-sql' } },
      replayDeletion: true,
    });
    expect((object(rsp, 'usage-sg-cluster')!['spec'] as Doc)['of']).toEqual({ apiVersion: 'stackgres.io/v1', kind: 'SGCluster', resourceRef: { name: 'shop' } });
  });

  it('a user removed from the claim loses its role and grants; its secret stays until the role is gone', () => {
    const steady = steadyRequest(claim(app, 'shop', 'team-a'));
    const params = (steady.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc;
    params['users'] = [app.users[0]];
    const analyst = (rsp: Rsp) => Object.keys(rsp.desired!.resources).filter((k) => k.includes('analyst'));
    // Crossplane forgets the Role as soon as it deletes it; the namespace's Roles say whether it is gone.
    delete steady.observed!.resources['sql-role-analyst'];
    const first = runFunction(steady);
    expect(first.requirements?.resources['sql-roles']).toMatchObject({ kind: 'Role', namespace: 'team-a' });
    // Not read yet: keep the Secret (provider-sql reads it even to drop the role).
    expect(analyst(first)).toEqual(['user-secret-analyst']);
    expect(object(first, 'user-secret-analyst')!['data']).toEqual(steady.observed!.resources['user-secret-analyst']!.resource!['data']);
    const role = (composite: string) => ({
      resource: {
        apiVersion: 'postgresql.sql.m.crossplane.io/v1alpha1',
        kind: 'Role',
        metadata: { name: 'r', annotations: { 'crossplane.io/external-name': 'analyst' }, labels: { 'dbaas.dev/composite': composite } },
      },
      connectionDetails: {},
      ready: 0,
    });
    const xrName = ((steady.observed!.composite!.resource!['metadata'] as Doc)['name']) as string;
    steady.requiredResources = { 'sql-roles': { items: [role(xrName)] } };
    expect(analyst(runFunction(steady))).toEqual(['user-secret-analyst']);
    steady.requiredResources = { 'sql-roles': { items: [role('another-instance')] } };
    expect(analyst(runFunction(steady))).toEqual([]);
  });

  it('with no users and no databases, composes the ProviderConfig and the default database "app" owned by role "app"', () => {
    const rsp = render({});
    expect(object(rsp, 'sql-provider-config')).toBeDefined();
    expect(Object.keys(rsp.desired!.resources).filter((k) => k.startsWith('sql-') || k.startsWith('user-') || k.startsWith('usage-')).sort()).toEqual([
      'sql-database-app',
      'sql-grant-app-private',
      'sql-grant-postgres-private',
      'sql-grant-template1-private',
      'sql-provider-config',
      'sql-role-app',
      'usage-sg-cluster',
      'usage-superuser-secret',
      'usage-user-secret-app',
      'user-secret-app',
    ]);
  });

  it.each(['postgres', 'template1'])('revokes CONNECT on %s from PUBLIC: only the superuser connects to it', (db) => {
    expect(forProvider(render({}), `sql-grant-${db}-private`)).toEqual({ database: db, privileges: ['CONNECT'], revokePublicOnDb: true, role: 'pg_database_owner' });
  });

  // Released without connecting to the database: a claim whose database never came up deletes cleanly, and the role
  // that owns the application's tables is never dropped by Crossplane.
  it.each([
    ['sql-database-app', true],
    ['sql-role-app', true],
    ['sql-grant-app-private', true],
    ['sql-grant-postgres-private', true],
    ['sql-grant-template1-private', true],
  ])('%s is kept in PostgreSQL when deleted: %s', (key, kept) => {
    const policies = (object(render({}), key)!['spec'] as Doc)['managementPolicies'];
    expect(policies === undefined ? false : !(policies as string[]).includes('Delete')).toBe(kept);
  });

  it.each(['sql-role-analyst', 'sql-grant-analyst-orders-database'])('%s of a listed user is dropped when it leaves the claim', (key) => {
    expect((object(render(app), key)!['spec'] as Doc)['managementPolicies']).toBeUndefined();
  });

  it('keeps each user secret until its role is gone when the claim is deleted (Usage)', () => {
    const rsp = render(app);
    expect((object(rsp, 'usage-user-secret-analyst')!['spec'] as Doc)).toMatchObject({
      of: { apiVersion: 'v1', kind: 'Secret', resourceRef: { name: (object(rsp, 'user-secret-analyst')!['metadata'] as Doc)['name'] } },
      by: { kind: 'Role', resourceRef: { name: (object(rsp, 'sql-role-analyst')!['metadata'] as Doc)['name'] } },
    });
  });

  it('keeps SQL names that would meet as Kubernetes names apart', () => {
    const rsp = render({
      databases: [{ name: 'c' }, { name: 'b_c' }],
      users: [
        { name: 'a_b', grants: [{ database: 'c', privileges: 'readOnly' }] },
        { name: 'a', grants: [{ database: 'b_c', privileges: 'readOnly' }] },
      ],
    });
    expect(rsp.results).toEqual([]);
    const names = Object.values(rsp.desired!.resources).map((r) => `${String(r.resource!['kind'])}/${String((r.resource!['metadata'] as Doc)['name'])}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each([
    [
      'two owners of one database',
      { databases: [{ name: 'd' }], users: [{ name: 'a', grants: [{ database: 'd', privileges: 'owner' }] }, { name: 'b', grants: [{ database: 'd', privileges: 'owner' }] }] },
      'spec.parameters.users[1].grants[0].privileges',
    ],
    [
      'readOnly beside readWrite for one user',
      { databases: [{ name: 'd' }, { name: 'e' }], users: [{ name: 'a', grants: [{ database: 'd', privileges: 'readWrite' }, { database: 'e', privileges: 'readOnly' }] }] },
      'spec.parameters.users[0].grants[1].privileges',
    ],
  ])('%s is refused, naming the field', (_name, parameters, path) => {
    const rsp = render(parameters);
    expect(rsp.results[0]).toMatchObject({ severity: Severity.SEVERITY_FATAL });
    expect(rsp.results[0]!.message).toContain(`${path}:`);
  });
});
