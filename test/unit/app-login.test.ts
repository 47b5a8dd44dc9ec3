/**
 * Least privilege by default (README, "Least privilege"): whom the instance's connection Secret logs in as, which
 * database it names, and which role the function adds, for every shape of claim. Expected values written by hand.
 */
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { seededRandom } from '../../src/util/random.js';
import { claim, firstRequest, secretValue, steadyRequest, type Doc } from '../support/requests.js';

type Rsp = ReturnType<typeof runFunction>;
// Steady state: the Roles wait for their Secrets, provider-sql's objects for the database.
const render = (parameters: Doc): Rsp => runFunction(steadyRequest(claim(parameters, 'shop', 'team-a'), 'a'), { random: seededRandom('a') });
const forProvider = (rsp: Rsp, key: string) => ((rsp.desired!.resources[key]?.resource?.['spec'] as Doc | undefined)?.['forProvider'] as Doc | undefined);
const roles = (rsp: Rsp) => Object.keys(rsp.desired!.resources).filter((k) => k.startsWith('sql-role-')).sort();
const fatal = (rsp: Rsp) => rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL)?.message;

const owner = (name: string, database: string, more: Doc[] = []) => ({ name, grants: [{ database, privileges: 'owner' }, ...more] });

describe('the application login', () => {
  it.each<[string, Doc, string, string, string[], string]>([
    // name, parameters, connection Secret username, its database, Roles composed, SQL owner of the first database
    ['nothing listed: database app owned by role app', {}, 'app', 'app', ['sql-role-app'], 'app'],
    [
      'databases without an owner: role app owns the first',
      { databases: [{ name: 'orders' }, { name: 'audit' }] },
      'app',
      'orders',
      ['sql-role-app'],
      'app',
    ],
    [
      'the first database has an owner: the Secret is for it, no role app',
      { databases: [{ name: 'orders' }], users: [owner('orders_owner', 'orders')] },
      'orders_owner',
      'orders',
      ['sql-role-orders_owner'],
      'orders_owner',
    ],
    [
      'only the second database has an owner: role app owns the first, the Secret is for app',
      { databases: [{ name: 'orders' }, { name: 'audit' }], users: [owner('auditor', 'audit')] },
      'app',
      'orders',
      ['sql-role-app', 'sql-role-auditor'],
      'app',
    ],
    [
      'connectionSecret.user names a reader: the Secret is for it, in the database it was granted',
      {
        databases: [{ name: 'orders' }, { name: 'audit' }],
        users: [owner('orders_owner', 'orders'), { name: 'reader', grants: [{ database: 'audit', privileges: 'readOnly' }] }],
        connectionSecret: { user: 'reader' },
      },
      'reader',
      'audit',
      ['sql-role-orders_owner', 'sql-role-reader'],
      'orders_owner',
    ],
    [
      'a listed user named app that owns the first database is that owner',
      { databases: [{ name: 'app' }], users: [owner('app', 'app')] },
      'app',
      'app',
      ['sql-role-app'],
      'app',
    ],
  ])('%s', (_name, parameters, username, database, expectedRoles, firstOwner) => {
    const rsp = render(parameters);
    expect(fatal(rsp)).toBeUndefined();
    expect(secretValue(rsp, 'connection-secret', 'username')).toBe(username);
    expect(secretValue(rsp, 'connection-secret', 'database')).toBe(database);
    expect(secretValue(rsp, 'connection-secret', 'uri')).toMatch(new RegExp(`^postgresql://${username}:[A-Za-z0-9]{32}@shop\\.team-a\\.svc\\.cluster\\.local:5432/${database}\\?sslmode=require$`));
    // The Secret carries the password of that user's own Secret, which its Role reads.
    expect(secretValue(rsp, 'connection-secret', 'password')).toBe(secretValue(rsp, `user-secret-${username}`, 'password'));
    expect(roles(rsp)).toEqual(expectedRoles);
    const first = ((parameters['databases'] as Doc[] | undefined)?.[0]?.['name'] as string | undefined) ?? 'app';
    const ownerRef = (forProvider(rsp, `sql-database-${first}`)!['ownerRef'] as Doc)['name'];
    const role = (rsp.desired!.resources[`sql-role-${firstOwner}`]!.resource!['metadata'] as Doc);
    expect(role['name']).toBe(ownerRef);
    expect((role['annotations'] as Doc)['crossplane.io/external-name']).toBe(firstOwner);
  });

  it('never logs in as the superuser, and its password is not the superuser password', () => {
    const rsp = render({});
    expect(secretValue(rsp, 'connection-secret', 'username')).not.toBe('postgres');
    expect(secretValue(rsp, 'connection-secret', 'password')).not.toBe(secretValue(rsp, 'superuser-secret', 'password'));
    expect(rsp.desired!.composite!.connectionDetails['username']?.toString()).toBe('app');
  });

  it('takes the key prefix too', () => {
    const rsp = render({ connectionSecret: { keyPrefix: 'PG' } });
    expect(secretValue(rsp, 'connection-secret', 'PG_USERNAME')).toBe('app');
    expect(secretValue(rsp, 'connection-secret', 'PG_DATABASE')).toBe('app');
  });

  it('keeps its password across reconciles, read back from the connection Secret when the user Secret is gone', () => {
    const steady = steadyRequest(claim({}));
    const password = secretValue(runFunction(steady), 'connection-secret', 'password');
    delete steady.observed!.resources['user-secret-app'];
    const rsp = runFunction(steady, { random: seededRandom('other') });
    expect(fatal(rsp)).toBeUndefined();
    expect(secretValue(rsp, 'user-secret-app', 'password')).toBe(password);
  });

  it("is not read from a connection Secret that logs in as someone else (connectionSecret.user changed)", () => {
    const parameters = { databases: [{ name: 'orders' }], users: [owner('a', 'orders'), { name: 'b', grants: [{ database: 'orders', privileges: 'readOnly' }] }] };
    const steady = steadyRequest(claim(parameters));
    const before = runFunction(steady);
    ((steady.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc)['connectionSecret'] = { user: 'b' };
    const rsp = runFunction(steady);
    expect(secretValue(rsp, 'connection-secret', 'username')).toBe('b');
    expect(secretValue(rsp, 'connection-secret', 'password')).toBe(secretValue(before, 'user-secret-b', 'password'));
    expect(secretValue(rsp, 'connection-secret', 'password')).not.toBe(secretValue(before, 'connection-secret', 'password'));
  });

  it('refuses to make a new password while the role exists and neither Secret holds it', () => {
    const steady = steadyRequest(claim({}));
    delete steady.observed!.resources['user-secret-app'];
    delete steady.observed!.resources['connection-secret'];
    const rsp = runFunction(steady);
    expect(fatal(rsp)).toContain('status: the role "app" exists but neither its Secret nor the instance\'s connection Secret can be read');
    expect(rsp.desired!.resources).toEqual({});
  });

  it.each<[string, Doc, string]>([
    ['connectionSecret.user not listed', { databases: [{ name: 'orders' }], connectionSecret: { user: 'ghost' } }, 'spec.parameters.connectionSecret.user: "ghost" is not listed'],
    ['connectionSecret.user not an SQL name', { connectionSecret: { user: 'Not-SQL' } }, 'spec.parameters.connectionSecret.user'],
    [
      'a user named app while nobody owns the first database',
      { databases: [{ name: 'orders' }], users: [{ name: 'app', grants: [{ database: 'orders', privileges: 'readOnly' }] }] },
      'spec.parameters.users[0].name: no user owns database "orders", so the function creates role "app" as its owner',
    ],
    ['a user named app without databases', { users: [{ name: 'x' }, { name: 'app' }] }, 'spec.parameters.users[1].name: no user owns database "app"'],
  ])('%s is refused, naming the field', (_name, parameters, message) => {
    const rsp = runFunction(firstRequest(claim(parameters)));
    expect(fatal(rsp)).toContain(message);
    expect(rsp.desired!.resources).toEqual({});
  });
});
