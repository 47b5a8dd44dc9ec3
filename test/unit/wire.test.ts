/**
 * The server's own protobuf codec (src/wire) against the SDK's generated one, which Crossplane's Go side agrees
 * with: decoding must give the very objects the SDK gives, encoding the very bytes.
 */
import {
  Capability,
  Ready,
  RunFunctionRequest,
  RunFunctionResponse,
  Severity,
  Status,
  Target,
} from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { seededRandom } from '../../src/util/random.js';
import { MAX_DEPTH, WireError } from '../../src/wire/reader.js';
import { decodeRunFunctionRequest } from '../../src/wire/request.js';
import { encodeRunFunctionResponse } from '../../src/wire/response.js';
import { structFields } from '../../src/wire/struct.js';
import { encode } from '../../src/wire/writer.js';
import { exampleClaim, firstRequest, steadyRequest } from '../support/requests.js';

const sdkBytes = (req: RunFunctionRequest) => Buffer.from(RunFunctionRequest.encode(req).finish());
const sdkAnswer = (rsp: RunFunctionResponse) => Buffer.from(RunFunctionResponse.encode(rsp).finish());

function expectSameDecode(bytes: Buffer): void {
  expect(decodeRunFunctionRequest(bytes)).toStrictEqual(RunFunctionRequest.decode(bytes));
}

function expectSameEncode(rsp: RunFunctionResponse): void {
  expect(encodeRunFunctionResponse(rsp).equals(sdkAnswer(rsp))).toBe(true);
}

/** JSON-like values of every kind the Struct codec meets, from a repeatable random source. */
function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 4 ? 6 : 8));
  const strings = ['', 'a', 'metadata', 'ünïcødé', '日本語', '🐘 postgres', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(65), 'é'.repeat(40), '\u0000nul', 'line\nbreak'];
  const numbers = [0, -0, 1, -1, 0.5, 1e21, -123456789.125, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, Number.MIN_VALUE, NaN, Infinity];
  switch (pick) {
    case 0:
      return null;
    case 1:
      return next() < 0.5;
    case 2:
    case 3:
      return numbers[Math.floor(next() * numbers.length)];
    case 4:
    case 5:
      return strings[Math.floor(next() * strings.length)]! + (next() < 0.3 ? String(Math.floor(next() * 1000)) : '');
    case 6:
      return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const keys = ['apiVersion', 'kind', 'spec', '', 'ключ', '0', '10', '2', 'a.b/c'];
      for (let i = Math.floor(next() * 5); i > 0; i--) object[keys[Math.floor(next() * keys.length)]!] = randomValue(next, depth + 1);
      return object;
    }
  }
}

function randomSource(seed: string): () => number {
  const bytes = seededRandom(seed);
  return () => Buffer.from(bytes(4)).readUInt32BE(0) / 2 ** 32;
}

describe('wire codec: the same as the SDK', () => {
  const examples = ['minimal', 'full', 'ha-custom-size', 'restore'];

  it.each(examples)('%s: first and steady requests decode to what the SDK decodes; answers encode to its bytes', (name) => {
    for (const req of [firstRequest(exampleClaim(name)), steadyRequest(exampleClaim(name))]) {
      const bytes = sdkBytes(req);
      expectSameDecode(bytes);
      expectSameEncode(runFunction(decodeRunFunctionRequest(bytes), { random: seededRandom('wire') }));
    }
  });

  it('random Structs (nesting, unicode, long strings, odd numbers, empty and numeric keys) both ways', () => {
    const next = randomSource('structs');
    for (let i = 0; i < 300; i++) {
      const resource = { spec: randomValue(next, 0), list: [randomValue(next, 0), undefined, randomValue(next, 0)], skipped: undefined };
      const req: RunFunctionRequest = {
        meta: { tag: `t${i}`, capabilities: [] },
        observed: { composite: { resource, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED }, resources: {} },
        desired: undefined,
        input: { any: randomValue(next, 0) },
        context: undefined,
        extraResources: {},
        credentials: {},
        requiredResources: {},
        requiredSchemas: {},
      };
      expectSameDecode(sdkBytes(req));
      expectSameEncode({
        meta: { tag: '', ttl: undefined },
        desired: { composite: { resource, connectionDetails: {}, ready: Ready.READY_TRUE }, resources: {} },
        results: [],
        context: { any: randomValue(next, 0) },
        requirements: undefined,
        conditions: [],
      });
    }
  });

  it('every field of a request: capabilities, credentials, schemas, extra and required resources, connection details', () => {
    const item = { resource: { kind: 'SGBackup', metadata: { name: 'b' } }, connectionDetails: { password: Buffer.from('s3cr3t') }, ready: Ready.READY_FALSE };
    const req: RunFunctionRequest = {
      meta: { tag: 'tag', capabilities: [Capability.CAPABILITY_CAPABILITIES, Capability.CAPABILITY_REQUIRED_RESOURCES, Capability.CAPABILITY_CONDITIONS] },
      observed: { composite: item, resources: { a: item, '': item } },
      desired: { composite: undefined, resources: { b: { resource: {}, connectionDetails: { empty: Buffer.alloc(0) }, ready: Ready.READY_TRUE } } },
      input: { apiVersion: 'x' },
      context: { 'apiextensions.crossplane.io/environment': { a: 1 } },
      extraResources: { old: { items: [item] } },
      credentials: { creds: { credentialData: { data: { key: Buffer.from([0, 1, 255]) } } }, none: { credentialData: undefined } },
      requiredResources: { 'sg-backups': { items: [item, item] }, empty: { items: [] } },
      requiredSchemas: { s: { openapiV3: { type: 'object' } }, t: { openapiV3: undefined } },
    };
    expectSameDecode(sdkBytes(req));
  });

  it('every field of an answer: results, requirements, conditions, context, output, negative enums', () => {
    expectSameEncode({
      meta: { tag: 'tag', ttl: { seconds: 60, nanos: 5 } },
      desired: { composite: undefined, resources: { a: { resource: { x: 1 }, connectionDetails: { k: Buffer.from('v'), e: Buffer.alloc(0) }, ready: Ready.READY_TRUE } } },
      results: [
        { severity: Severity.SEVERITY_FATAL, message: 'bad', reason: 'InvalidParameters', target: Target.TARGET_COMPOSITE_AND_CLAIM },
        { severity: Severity.SEVERITY_WARNING, message: '', reason: '', target: Target.TARGET_UNSPECIFIED },
        { severity: Severity.UNRECOGNIZED, message: 'negative enum' },
      ],
      context: { c: [1, 'two'] },
      requirements: {
        extraResources: { x: { apiVersion: 'v1', kind: 'Secret', matchName: 'n' } },
        resources: {
          'sg-backups': { apiVersion: 'stackgres.io/v1', kind: 'SGBackup', namespace: 'team-a', matchLabels: { labels: { app: 'db', '': '' } } },
          named: { apiVersion: 'v1', kind: 'Secret', matchName: '', namespace: '' },
        },
        schemas: { s: { apiVersion: 'v1', kind: 'ConfigMap' } },
      },
      conditions: [
        { type: 'DatabaseReady', status: Status.STATUS_CONDITION_TRUE, reason: 'Available', message: 'ok', target: Target.TARGET_COMPOSITE },
        { type: '', status: Status.STATUS_CONDITION_UNSPECIFIED, reason: '' },
      ],
      output: { o: true },
    });
  });
});

describe('wire codec: robustness', () => {
  const steadyBytes = () => sdkBytes(steadyRequest(exampleClaim('minimal')));

  it('skips fields it does not know (a newer Crossplane may send more)', () => {
    const unknown = Buffer.from([
      (15 << 3) | 0, 0x96, 0x01, // varint
      (14 << 3) | 2, 3, 0x61, 0x62, 0x63, // length-delimited
      (13 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8, // fixed64
      (12 << 3) | 5, 1, 2, 3, 4, // fixed32
    ]);
    const bytes = steadyBytes();
    expect(decodeRunFunctionRequest(Buffer.concat([unknown, bytes, unknown]))).toStrictEqual(RunFunctionRequest.decode(bytes));
  });

  it('refuses a truncated request instead of reading past its end', () => {
    const bytes = steadyBytes();
    for (const cut of [1, 7, Math.floor(bytes.length / 2), bytes.length - 1]) {
      expect(() => decodeRunFunctionRequest(bytes.subarray(0, cut))).toThrow(WireError);
    }
  });

  it(`refuses Structs nested deeper than ${MAX_DEPTH} levels, as the SDK does`, () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = { d: deep };
    const bytes = sdkBytes({
      meta: undefined, observed: undefined, desired: undefined, input: deep as Record<string, unknown>, context: undefined,
      extraResources: {}, credentials: {}, requiredResources: {}, requiredSchemas: {},
    });
    expect(() => decodeRunFunctionRequest(bytes)).toThrow(/nested too deeply/);
  });

  it('keeps a "__proto__" key as data', () => {
    // the SDK's own encoder loses such a key, so the Struct is written with ours: field 4 (input), length-delimited
    const struct = encode(structFields, JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>, undefined);
    const bytes = Buffer.concat([Buffer.from([(4 << 3) | 2, struct.length]), struct]);
    const decoded = decodeRunFunctionRequest(bytes).input!;
    expect(Object.keys(decoded)).toEqual(['__proto__', 'ok']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });
});

describe('capabilities Crossplane advertises', () => {
  // Every Crossplane from 2.2 on (and `crossplane render`) advertises all five; 2.0 and 2.1 advertise none but
  // honour the same fields. So no capability changes what the function may do, and its answer must not depend on
  // them (docs/benchmarks.md, "Capabilities"). If one ever does, this test is where to say how.
  const all = [
    Capability.CAPABILITY_CAPABILITIES,
    Capability.CAPABILITY_REQUIRED_RESOURCES,
    Capability.CAPABILITY_CREDENTIALS,
    Capability.CAPABILITY_CONDITIONS,
    Capability.CAPABILITY_REQUIRED_SCHEMAS,
  ];
  const advertised: [string, Capability[]][] = [
    ['none (Crossplane 2.0, 2.1)', []],
    ['all five (Crossplane 2.2 and later)', all],
    ['only CAPABILITIES (a Crossplane without the others)', [Capability.CAPABILITY_CAPABILITIES]],
  ];

  it.each(['minimal', 'full'])('%s: the same answer whatever is advertised', (name) => {
    for (const req of [firstRequest(exampleClaim(name)), steadyRequest(exampleClaim(name))]) {
      const answers = advertised.map(([, capabilities]) => {
        const bytes = sdkBytes({ ...req, meta: { tag: 't', capabilities } });
        expect(decodeRunFunctionRequest(bytes).meta!.capabilities).toEqual(capabilities);
        return encodeRunFunctionResponse(runFunction(decodeRunFunctionRequest(bytes), { random: seededRandom('capabilities') })).toString('hex');
      });
      expect(answers[1]).toBe(answers[0]);
      expect(answers[2]).toBe(answers[0]);
    }
  });
});
