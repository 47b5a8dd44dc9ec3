import { runFunction } from '../../src/function.js';
import { generatePassword, PASSWORD_LENGTH } from '../../src/compose/credentials.js';
import { seededRandom } from '../../src/util/random.js';
import { claim, firstRequest, observeDesired, runningClusterStatus, secretValue, type Doc } from '../support/requests.js';

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
    expect(password).toHaveLength(PASSWORD_LENGTH);
    for (let i = 0; i < 100; i++) {
      req = observeDesired(req, rsp, runningClusterStatus(1));
      // Each reconcile also changes the claim, and draws from a fresh random source: neither may move the password.
      const spec = (req.observed!.composite!.resource!['spec'] as Doc)['parameters'] as Doc;
      spec['instances'] = (i % 3) + 1;
      spec['size'] = { plan: 'small', cpu: i % 2 ? '1' : '2' };
      rsp = runFunction(req, { random: seededRandom(`reconcile-${i}`) });
      expect(rsp.results).toEqual([]);
      expect(secretValue(rsp, 'superuser-secret', 'password')).toBe(password);
      expect(secretValue(rsp, 'connection-secret', 'password')).toBe(password);
    }
  });

  it('is recovered from the connection secret when the superuser secret was deleted', () => {
    const req = firstRequest(claim({}));
    const rsp = runFunction(req, { random: seededRandom('x') });
    const password = secretValue(rsp, 'superuser-secret', 'password');
    const next = observeDesired(req, rsp, runningClusterStatus(1));
    delete next.observed!.resources['superuser-secret'];
    expect(secretValue(runFunction(next), 'superuser-secret', 'password')).toBe(password);
  });

  it('is recovered from prefixed keys when the claim uses a key prefix', () => {
    const req = firstRequest(claim({ connectionSecret: { keyPrefix: 'DB' } }));
    const rsp = runFunction(req, { random: seededRandom('x') });
    const next = observeDesired(req, rsp, runningClusterStatus(1));
    delete next.observed!.resources['superuser-secret'];
    const data = (next.observed!.resources['connection-secret']!.resource!['data'] as Doc);
    delete data['password'];
    expect(secretValue(runFunction(next), 'superuser-secret', 'password')).toBe(secretValue(rsp, 'superuser-secret', 'password'));
  });

  it('is made anew while nothing exists yet (a first reconcile whose apply failed)', () => {
    const req = firstRequest(claim({}));
    const a = secretValue(runFunction(req, { random: seededRandom('1') }), 'superuser-secret', 'password');
    const b = secretValue(runFunction(req, { random: seededRandom('2') }), 'superuser-secret', 'password');
    expect(a).not.toBe(b);
  });
});
