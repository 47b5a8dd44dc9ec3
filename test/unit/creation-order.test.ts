/**
 * A first apply that half fails must not lock the instance. Crossplane applies composed objects one by one and stops
 * at the first error, so any subset of what one answer composed may exist at the next call. Objects that read a
 * password at creation (the SGCluster reads the superuser Secret, a Role its user Secret) are composed only once what
 * they read is observed; then "the object exists, its password doesn't" can only come from a deleted Secret, and is
 * refused rather than answered with a password nobody knows.
 *
 * Table: which objects Crossplane observes → whether the SGCluster and role "app" are composed, or the call refused.
 */
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { seededRandom } from '../../src/util/random.js';
import { claim, steadyRequest, type Doc } from '../support/requests.js';

const INPUTS = ['superuser-secret', 'sg-instance-profile', 'sg-postgres-config', 'sg-object-storage'];

/** Steady state of `parameters`, with only `keys` observed (as if the other applies had failed). */
function observing(keys: readonly string[], parameters: Doc = {}) {
  const req = steadyRequest(claim(parameters));
  const all = req.observed!.resources;
  const resources = Object.fromEntries(Object.entries(all).filter(([key]) => keys.includes(key)));
  return { ...req, observed: { ...req.observed!, resources } };
}

type Outcome = 'composed' | 'withheld' | 'refused';

describe('half-applied first reconciles', () => {
  const without = (...keys: string[]) => INPUTS.filter((k) => !keys.includes(k));

  it.each<[string, string[], Doc, Outcome]>([
    ['nothing exists yet', [], {}, 'withheld'],
    ['every input exists', INPUTS, {}, 'composed'],
    ['the superuser Secret failed', without('superuser-secret'), {}, 'withheld'],
    ['the profile failed', without('sg-instance-profile'), {}, 'withheld'],
    ['the config failed', without('sg-postgres-config'), {}, 'withheld'],
    ['the object storage failed', without('sg-object-storage'), {}, 'withheld'],
    ['backups off: no object storage to wait for', without('sg-object-storage'), { backup: { enabled: false } }, 'composed'],
    ['only the Secret exists', ['superuser-secret'], {}, 'withheld'],
    // Once the cluster exists it is always composed, even if an input went away; its password is read back.
    ['the cluster exists, its profile was deleted', ['sg-cluster', 'superuser-secret', 'sg-postgres-config', 'sg-object-storage'], {}, 'composed'],
    ['the cluster exists, the connection Secret lost (the superuser Secret holds the password)', ['sg-cluster', ...INPUTS], {}, 'composed'],
    // Only a deleted Secret can get here now (or a cluster made by an earlier version in a half-failed apply).
    ['the cluster exists, its superuser Secret does not', ['sg-cluster', 'sg-instance-profile', 'sg-postgres-config', 'connection-secret'], {}, 'refused'],
  ])('SGCluster: %s → %s', (_name, keys, parameters, outcome) => {
    const rsp = runFunction(observing(keys, parameters), { random: seededRandom('later') });
    const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
    const got: Outcome = fatal ? 'refused' : rsp.desired!.resources['sg-cluster'] ? 'composed' : 'withheld';
    expect(got).toBe(outcome);
    if (outcome === 'refused') {
      expect(fatal!.message).toContain('status: the database exists but neither its superuser Secret nor its connection Secret can be read');
      expect(rsp.desired!.resources).toEqual({});
    } else {
      // Whatever is withheld, everything else is composed, and the superuser Secret always.
      expect(rsp.desired!.resources['superuser-secret']).toBeDefined();
      expect(rsp.desired!.resources['sg-instance-profile']).toBeDefined();
    }
  });

  it('the SGCluster composed first carries the password the Secret observed holds', () => {
    const req = observing(INPUTS);
    const data = req.observed!.resources['superuser-secret']!.resource!['data'] as Doc;
    const rsp = runFunction(req, { random: seededRandom('other') });
    expect((rsp.desired!.resources['superuser-secret']!.resource!['data'] as Doc)['password']).toBe(data['password']);
  });

  it.each<[string, string[], Outcome]>([
    ['nothing exists yet', [], 'withheld'],
    ['its Secret failed, the connection Secret landed', ['connection-secret'], 'withheld'],
    ['its Secret exists', ['user-secret-app'], 'composed'],
    ['the Role exists, its Secret was deleted, the connection Secret holds the password', ['sql-role-app', 'connection-secret'], 'composed'],
    ['the Role exists, neither Secret does', ['sql-role-app'], 'refused'],
  ])('Role "app": %s → %s', (_name, keys, outcome) => {
    const rsp = runFunction(observing([...INPUTS, 'sg-cluster', ...keys]), { random: seededRandom('later') });
    const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
    const got: Outcome = fatal ? 'refused' : rsp.desired!.resources['sql-role-app'] ? 'composed' : 'withheld';
    expect(got).toBe(outcome);
    if (outcome === 'refused') expect(fatal!.message).toContain('the role "app" exists');
    // The Usage that keeps the Secret for the Role comes with the Role, never before it.
    if (outcome !== 'refused') expect(rsp.desired!.resources['usage-user-secret-app'] !== undefined).toBe(outcome === 'composed');
  });

  it('a Role withheld on one call and composed on the next gets the password its Secret was created with', () => {
    const first = observing([...INPUTS, 'sg-cluster']);
    const withheld = runFunction(first, { random: seededRandom('one') });
    expect(withheld.desired!.resources['sql-role-app']).toBeUndefined();
    const secret = withheld.desired!.resources['user-secret-app']!;
    const next = { ...first, observed: { ...first.observed!, resources: { ...first.observed!.resources, 'user-secret-app': secret } } };
    const rsp = runFunction(next, { random: seededRandom('two') });
    expect(rsp.desired!.resources['sql-role-app']).toBeDefined();
    expect(rsp.desired!.resources['user-secret-app']!.resource!['data']).toEqual(secret.resource!['data']);
  });

  // provider-sql's objects wait for the database: before it, they could only fail to connect, and a claim whose
  // database never came up would hold objects that need a connection to be deleted.
  it.each<[string, (req: ReturnType<typeof observing>) => void, boolean]>([
    ['no instance ready yet (StatefulSet not read)', (req) => (req.requiredResources = {}), false],
    ['the cluster is still bootstrapping', (req) => ((req.observed!.resources['sg-cluster']!.resource as Doc)['status'] = { conditions: [] }), false],
    ['an instance is ready', () => undefined, true],
  ])('SQL objects: %s → composed %s', (_name, change, composed) => {
    const req = observing([...INPUTS, 'sg-cluster', 'user-secret-app', 'connection-secret']);
    change(req);
    const rsp = runFunction(req);
    const sql = ['sql-role-app', 'sql-database-app', 'sql-grant-app-private', 'sql-grant-postgres-private', 'usage-user-secret-app'];
    expect(sql.map((k) => rsp.desired!.resources[k] !== undefined)).toEqual(sql.map(() => composed));
    expect(rsp.desired!.resources['sql-provider-config']).toBeDefined();
  });

  it('SQL objects that exist stay composed when the database stops reporting ready instances', () => {
    const req = observing([...INPUTS, 'sg-cluster', 'user-secret-app', 'connection-secret', 'sql-role-app', 'sql-database-app']);
    req.requiredResources = {};
    const rsp = runFunction(req);
    expect(rsp.desired!.resources['sql-role-app']).toBeDefined();
    expect(rsp.desired!.resources['sql-database-app']).toBeDefined();
  });
});
