import { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { parseOptions } from '../../src/options.js';
import { seededRandom } from '../../src/util/random.js';
import { exampleClaim, firstRequest, steadyRequest } from '../support/requests.js';

const bytes = (rsp: RunFunctionResponse) => Buffer.from(RunFunctionResponse.encode(rsp).finish());

describe('determinism', () => {
  it.each(['minimal', 'full', 'ha-custom-size'])('%s in steady state: the same request twice gives identical bytes', (name) => {
    const req = steadyRequest(exampleClaim(name));
    expect(bytes(runFunction(structuredClone(req))).equals(bytes(runFunction(structuredClone(req))))).toBe(true);
  });

  it('a first reconcile with the same random source gives identical bytes', () => {
    const req = firstRequest(exampleClaim('full'));
    expect(bytes(runFunction(req, { random: seededRandom('s') })).equals(bytes(runFunction(req, { random: seededRandom('s') })))).toBe(true);
  });

  it('does not depend on the order of keys in the claim', () => {
    const a = steadyRequest(exampleClaim('full'));
    const b = structuredClone(a);
    const spec = b.observed!.composite!.resource!['spec'] as Record<string, Record<string, unknown>>;
    spec['parameters'] = Object.fromEntries(Object.entries(spec['parameters']!).reverse());
    expect(bytes(runFunction(a)).equals(bytes(runFunction(b)))).toBe(true);
  });

  it('does not depend on the order of keys anywhere in the request (Go encodes map entries in any order)', () => {
    const reversed = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reversed);
      if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
      return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
    };
    for (const name of ['minimal', 'full']) {
      const a = steadyRequest(exampleClaim(name));
      // what an earlier pipeline step may have put in the desired XR
      a.desired = { ...a.desired!, composite: { resource: { metadata: { labels: { team: 'a', app: 'b' } }, status: { step: 'x', other: 'y' } }, connectionDetails: {}, ready: 0 } };
      const b = reversed(structuredClone(a)) as typeof a;
      expect(bytes(runFunction(b)).equals(bytes(runFunction(a)))).toBe(true);
    }
  });

  it('does not touch the request', () => {
    const req = steadyRequest(exampleClaim('full'));
    const before = structuredClone(req);
    runFunction(req);
    expect(req).toEqual(before);
  });
});

describe('flags', () => {
  it.each([
    [[], {}, { address: '0.0.0.0:9443', insecure: false, tlsServerCertsDir: '/tls/server', debug: false, kubeletInsecureTls: false }],
    [['--kubelet-insecure-tls'], {}, { kubeletInsecureTls: true, insecure: false }],
    [[], { KUBELET_INSECURE_TLS: 'true' }, { kubeletInsecureTls: true }],
    [['--insecure', '--address', ':1'], {}, { address: ':1', insecure: true }],
    [['--address=127.0.0.1:5'], {}, { address: '127.0.0.1:5' }],
    [[], { TLS_SERVER_CERTS_DIR: '/certs', FUNCTION_DEBUG: 'true' }, { tlsServerCertsDir: '/certs', debug: true }],
    [['-d'], { FUNCTION_MAX_MESSAGE_SIZE_MIB: '8' }, { debug: true, maxMessageBytes: 8 * 1024 * 1024 }],
  ])('%j with env %j', (argv, env, expected) => {
    expect(parseOptions(argv, env)).toMatchObject(expected);
  });
});
