/**
 * How soon Crossplane comes back: soon while anything composed is not ready (watch events may be dropped by its
 * circuit breaker then), every minute once everything is.
 */
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { claim, firstRequest, settle } from '../support/requests.js';
import { seededRandom } from '../../src/util/random.js';

const ttlOf = (rsp: ReturnType<typeof runFunction>) => rsp.meta?.ttl?.seconds;

describe('the response TTL follows readiness', () => {
  it.each<[string, Record<string, unknown>]>([
    ['stackgres', {}],
    ['cloudnativepg', { engine: 'cloudnativepg' }],
    ['aws-rds', { engine: 'aws-rds' }],
  ])('%s: 15 s on the first request, when nothing composed exists yet', (_engine, parameters) => {
    expect(ttlOf(runFunction(firstRequest(claim(parameters)), { random: seededRandom('ttl') }))).toBe(15);
  });

  it.each<[string, Record<string, unknown>]>([
    ['stackgres', {}],
    ['cloudnativepg', { engine: 'cloudnativepg' }],
    ['aws-rds', { engine: 'aws-rds' }],
  ])('%s: 60 s once every composed object is ready', (_engine, parameters) => {
    const { req } = settle(firstRequest(claim(parameters)), 'ttl');
    const rsp = runFunction(req, { random: seededRandom('ttl') });
    expect(Object.values(rsp.desired!.resources).every((r) => r.ready === 1)).toBe(true);
    expect(ttlOf(rsp)).toBe(60);
  });

  it('60 s for a refused claim: nothing will change until the user edits it, which is an event of its own', () => {
    const rsp = runFunction(firstRequest(claim({ instances: 9 })), { random: seededRandom('ttl') });
    expect(rsp.results.some((r) => r.severity === Severity.SEVERITY_FATAL)).toBe(true);
    expect(ttlOf(rsp)).toBe(60);
  });
});
