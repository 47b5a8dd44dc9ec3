import { runFunction } from '../../src/function.js';
import { generatePassword, PASSWORD_LENGTH } from '../../src/compose/credentials.js';
import { seededRandom } from '../../src/util/random.js';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { claim, firstRequest, observeDesired, runningClusterStatus, secretValue, steadyRequest, type Doc } from '../support/requests.js';

describe('superuser password', () => {
  it('is 32 base62 characters', () => {
    const password = generatePassword(seededRandom('a'));
    expect(password).toMatch(new RegExp(`^[A-Za-z0-9]{${PASSWORD_LENGTH}}$`));
  });

  it('is drawn from the random source: two sources, two passwords', () => {
    expect(generatePassword(seededRandom('a'))).not.toEqual(generatePassword(seededRandom('b')));
  });

  it('uses the production random source by default, different on every first reconcile', () => {
    const req = firstRequest(claim({}));
    expect(secretValue(runFunction(req), 'superuser-secret', 'password')).not.toEqual(
      secretValue(runFunction(req), 'superuser-secret', 'password'),
    );
  });

  it('never changes across 100 reconciles fed back through observed state, whatever the claim changes', () => {
    let req = firstRequest(claim({ instances: 1 }));
    let rsp = runFunction(req, { random: seededRandom('first') });
    const password = secretValue(rsp, 'superuser-secret', 'password');
    const appPassword = secretValue(rsp, 'connection-secret', 'password');
    expect(password).toHaveLength(PASSWORD_LENGTH);
    expect(appPassword).toHaveLength(PASSWORD_LENGTH);
    expect(appPassword).not.toBe(password);
    for (let i = 0; i < 100; i++) {
      req = observeDesired(req, rsp, runningClusterStatus(1));
      // Each reconcile also changes the claim, and draws from a fresh random source: neither may move the password.
      const spec = (req.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc;
      spec['instances'] = (i % 3) + 1;
      spec['size'] = { plan: 'small', cpu: i % 2 ? '1' : '2' };
      rsp = runFunction(req, { random: seededRandom(`reconcile-${i}`) });
      expect(rsp.results).toEqual([]);
      expect(secretValue(rsp, 'superuser-secret', 'password')).toBe(password);
      expect(secretValue(rsp, 'connection-secret', 'password')).toBe(appPassword);
      expect(secretValue(rsp, 'user-secret-app', 'password')).toBe(appPassword);
    }
  });

  // Before applications got a role of their own, the connection Secret logged in as the superuser.
  const legacyConnectionSecret = (req: ReturnType<typeof steadyRequest>, password: string, keys: string[]) => {
    const data = req.observed!.resources['connection-secret']!.resource!['data'] as Doc;
    for (const key of keys) data[key] = Buffer.from(key.endsWith('USERNAME') || key === 'username' ? 'postgres' : password).toString('base64');
  };

  it('is recovered from a connection secret that still logs in as the superuser when the superuser secret was deleted', () => {
    const steady = steadyRequest(claim({}));
    const password = secretValue(runFunction(steady), 'superuser-secret', 'password')!;
    delete steady.observed!.resources['superuser-secret'];
    legacyConnectionSecret(steady, password, ['username', 'password']);
    expect(secretValue(runFunction(steady), 'superuser-secret', 'password')).toBe(password);
  });

  it('is recovered from prefixed keys when the claim uses a key prefix', () => {
    const steady = steadyRequest(claim({ connectionSecret: { keyPrefix: 'DB' } }));
    const password = secretValue(runFunction(steady), 'superuser-secret', 'password')!;
    delete steady.observed!.resources['superuser-secret'];
    legacyConnectionSecret(steady, password, ['username', 'DB_PASSWORD']);
    delete (steady.observed!.resources['connection-secret']!.resource!['data'] as Doc)['password'];
    expect(secretValue(runFunction(steady), 'superuser-secret', 'password')).toBe(password);
  });

  it("is never taken from the application's connection secret: with the cluster there and the superuser secret gone, it refuses", () => {
    const steady = steadyRequest(claim({}));
    delete steady.observed!.resources['superuser-secret'];
    const rsp = runFunction(steady);
    expect(rsp.results[0]).toMatchObject({ severity: Severity.SEVERITY_FATAL });
    expect(rsp.results[0]!.message).toContain('status: the database exists but neither its superuser Secret nor its connection Secret can be read');
    expect(rsp.desired!.resources).toEqual({});
  });

  it('is made anew while nothing exists yet (a first reconcile whose apply failed)', () => {
    const req = firstRequest(claim({}));
    const a = secretValue(runFunction(req, { random: seededRandom('1') }), 'superuser-secret', 'password');
    const b = secretValue(runFunction(req, { random: seededRandom('2') }), 'superuser-secret', 'password');
    expect(a).not.toBe(b);
  });
});
