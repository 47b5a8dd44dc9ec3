/**
 * Fuzzing the gRPC server (dist/main.js as its own process) with random and mutated requests. Four kinds of case,
 * each built from a real request (every example claim, on its first reconcile and in steady state):
 *  - parameters: the claim's parameters mutated (wrong types, huge strings, unicode, deep nesting, nulls, unknown
 *    keys, removed fields): the answer must compose, or be a Fatal result naming a `spec.parameters` field that
 *    hands back the desired state of earlier pipeline steps untouched;
 *  - observed: observed composed objects, the XR's metadata/status or required resources corrupted: the same, with
 *    the Fatal naming any field;
 *  - wire: the request's protobuf bytes truncated, flipped, spliced or replaced: an answer as above, or the call
 *    refused by the server's decoder (gRPC INTERNAL "Error deserializing request");
 *  - frame: the gRPC frame itself corrupted on a raw HTTP/2 stream (length prefix too long or short, compressed flag
 *    without an encoding, empty body, two messages): a gRPC status, never a hang.
 * Every case derives from (seed, index) alone, so one can be replayed with FUZZ_SEED and FUZZ_CASE.
 */
import * as grpc from '@grpc/grpc-js';
import {
  FunctionRunnerServiceService,
  Severity,
  type RunFunctionRequest,
  type RunFunctionResponse,
  type State,
} from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import * as http2 from 'node:http2';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sortKeys } from '../../src/util/canonical.js';
import { exampleClaim, firstRequest, steadyRequest, type Doc } from './requests.js';
import { REPO } from './paths.js';
import { encodeRunFunctionRequest } from './request-encoder.js';
import { startServerProcess } from './server-process.js';

const METHOD = FunctionRunnerServiceService.runFunction;
/** A hang, not a slow answer on a busy machine: Crossplane itself waits a minute for a function. */
export const CALL_TIMEOUT_MS = 30_000;
/** The roots of every field path the function names in a Fatal result. */
const FIELD = /^(spec\.parameters|metadata|input|observed|status)(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*: /;
const FATAL_PREFIX = 'cannot compose this PostgreSQLInstance, nothing was changed: ';

// ---------------------------------------------------------------------------------------------------------------
// the base requests

/** What an earlier function in the pipeline composed: a Fatal answer must hand it back exactly. */
const PRIOR_DESIRED: State = {
  composite: {
    resource: { apiVersion: 'dbaas.dev/v1alpha1', kind: 'XPostgreSQLInstance', status: { fromAnEarlierStep: true } },
    connectionDetails: { earlier: Buffer.from('step') },
    ready: 0,
  },
  resources: {
    'an-earlier-step': {
      resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'earlier' }, data: { composedBy: 'an earlier step' } },
      connectionDetails: {},
      ready: 1,
    },
  },
};

interface Base {
  readonly name: string;
  readonly request: RunFunctionRequest;
}

export function baseRequests(): Base[] {
  const examples = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
  return examples.flatMap((name) => {
    const claim = exampleClaim(name);
    return [
      { name: `${name}/first`, request: withPrior(firstRequest(claim)) },
      { name: `${name}/steady`, request: withPrior(steadyRequest(claim)) },
    ];
  });
}

function withPrior(req: RunFunctionRequest): RunFunctionRequest {
  return { ...req, desired: structuredClone(PRIOR_DESIRED) };
}

// ---------------------------------------------------------------------------------------------------------------
// generation

/** Values a claim or an observed object should never hold, and some it might. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 + 1, 0.5),
  fc.constantFrom('', ' ', '-1', '0', '17', '99', '1e309', '0x10', '256Mi', '-5Gi', '1Ei', '99999999999999999999Gi', 'off', 'on', 'Infinity', 'NaN', 'null', '__proto__', 'constructor', '${jndi}', "'; DROP TABLE x; --", 'a'.repeat(64), 'A_b-c.d', '\u0000', 'é', '\u202e', '😀'),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  // huge strings: mostly up to 10 kB, sometimes up to 1 MB (Kubernetes keeps objects under 1.5 MB)
  fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 10_000 }) }, { weight: 1, arbitrary: fc.nat({ max: 1_000_000 }) }).map((n) => 'x'.repeat(n)),
  fc.tuple(fc.nat({ max: 20_000 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 })).map(([n, s]) => s.repeat(n)),
  fc.nat({ max: 120 }).map((depth) => nest(depth)),
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', '', 'name', 'toString', 'é', 'a.b', '0', 'hasOwnProperty'), fc.jsonValue({ maxDepth: 2 })),
  fc.nat({ max: 3000 }).map((n) => Array.from({ length: n }, (_, i) => ({ name: `u${i}` }))),
);

function nest(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { nested: value };
  return value;
}

/** A change at a place picked by `steps`: each step picks a key (or index) of the node reached so far. */
interface Mutation {
  readonly steps: readonly number[];
  readonly op: 'set' | 'delete' | 'unknownKey';
  readonly key: string;
  readonly value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  steps: fc.array(fc.nat(), { maxLength: 6 }),
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'unknownKey'),
  key: fc.oneof(fc.constantFrom('frobnicate', '__proto__', 'constructor', '', 'x'.repeat(300)), fc.string({ unit: 'binary', maxLength: 12 })),
  value: nasty,
});

type WireOp =
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'flip'; readonly at: readonly number[]; readonly bits: readonly number[] }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'overwrite'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'garbage'; readonly bytes: Uint8Array }
  | { readonly op: 'hugeLength'; readonly at: number }
  | { readonly op: 'deepStruct'; readonly depth: number };

const wireOp: fc.Arbitrary<WireOp> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('flip' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), bits: fc.array(fc.nat({ max: 7 }), { minLength: 8, maxLength: 8 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ op: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ op: fc.constant('garbage' as const), bytes: fc.uint8Array({ maxLength: 2048 }) }),
  fc.record({ op: fc.constant('hugeLength' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('deepStruct' as const), depth: fc.integer({ min: 90, max: 5000 }) }),
);

export type FrameOp = 'longer' | 'shorter' | 'compressed' | 'empty' | 'headerOnly' | 'twoMessages' | 'split';

export type FuzzCase =
  | { readonly kind: 'parameters'; readonly base: number; readonly mutations: readonly Mutation[]; readonly stripPrior: boolean; readonly sdk: boolean }
  | { readonly kind: 'observed'; readonly base: number; readonly target: number; readonly mutations: readonly Mutation[]; readonly sdk: boolean }
  | { readonly kind: 'wire'; readonly base: number; readonly mutations: readonly Mutation[]; readonly ops: readonly WireOp[]; readonly sdk: boolean }
  | { readonly kind: 'frame'; readonly base: number; readonly op: FrameOp };

function caseArbitrary(bases: number): fc.Arbitrary<FuzzCase> {
  const base = fc.nat({ max: bases - 1 });
  // one request in ten is encoded by the SDK (as Crossplane's Go would encode it), the rest by our faster writer
  const sdk = fc.nat({ max: 9 }).map((n) => n === 0);
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('parameters' as const), base, mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }), stripPrior: fc.boolean(), sdk }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('observed' as const), base, target: fc.nat(), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }), sdk }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('wire' as const), base, mutations: fc.array(mutation, { maxLength: 1 }), ops: fc.array(wireOp, { minLength: 1, maxLength: 3 }), sdk }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('frame' as const), base, op: fc.constantFrom<FrameOp>('longer', 'shorter', 'compressed', 'empty', 'headerOnly', 'twoMessages', 'split') }) },
  );
}

/** The seed of case `index`: every case stands alone, so any one can be replayed without the others. */
export function caseSeed(seed: number, index: number): number {
  return (Math.imul(index + 1, 0x9e3779b1) ^ seed) | 0;
}

const arbitraries = new Map<number, fc.Arbitrary<FuzzCase>>();

export function generateCase(seed: number, index: number, bases: number): FuzzCase {
  let arbitrary = arbitraries.get(bases);
  if (!arbitrary) arbitraries.set(bases, (arbitrary = caseArbitrary(bases)));
  return fc.sample(arbitrary, { seed: caseSeed(seed, index), numRuns: 1 })[0]!;
}

// ---------------------------------------------------------------------------------------------------------------
// applying a case

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies a mutation to a JSON value (changing it in place where it can) and returns the new root. */
export function applyMutation(root: unknown, m: Mutation): unknown {
  if (m.steps.length === 0 && m.op === 'set') return m.value;
  let parent: unknown = undefined;
  let key: string | number | undefined;
  let node = root;
  for (const step of m.steps) {
    if (isObject(node) && Object.keys(node).length > 0) {
      const keys = Object.keys(node);
      parent = node;
      key = keys[step % keys.length]!;
      node = node[key];
    } else if (Array.isArray(node) && node.length > 0) {
      parent = node;
      key = step % node.length;
      node = node[key];
    } else break;
  }
  if (m.op === 'unknownKey') {
    if (isObject(node)) setOwn(node, m.key, m.value);
    else if (Array.isArray(node)) node.push(m.value);
    return root;
  }
  if (parent === undefined || key === undefined) return m.op === 'set' ? m.value : {};
  if (Array.isArray(parent) && typeof key === 'number') {
    if (m.op === 'delete') parent.splice(key, 1);
    else parent[key] = m.value;
  } else if (isObject(parent)) {
    if (m.op === 'delete') delete parent[String(key)];
    else setOwn(parent, String(key), m.value);
  }
  return root;
}

function parametersOf(req: RunFunctionRequest): unknown {
  const spec = req.observed!.composite!.resource!['spec'] as Doc;
  return spec['parameters'];
}

function setParameters(req: RunFunctionRequest, value: unknown): void {
  const spec = req.observed!.composite!.resource!['spec'] as Doc;
  spec['parameters'] = value;
}

/** The request a structured case sends (parameters and observed cases, and the start of wire cases). */
export function structuredRequest(c: FuzzCase, bases: readonly Base[]): RunFunctionRequest {
  const req = structuredClone(bases[c.base]!.request);
  if (c.kind === 'parameters' || c.kind === 'wire') {
    let parameters = parametersOf(req);
    for (const m of c.mutations) parameters = applyMutation(parameters, m);
    setParameters(req, parameters);
    if (c.kind === 'parameters' && c.stripPrior) req.desired = { composite: undefined, resources: {} };
  } else if (c.kind === 'observed') {
    // the targets: every observed composed object, the XR's metadata and status, and the required resources
    const observed = req.observed!;
    const keys = Object.keys(observed.resources).sort();
    const targets = keys.length + 3;
    const pick = c.target % targets;
    if (pick < keys.length) {
      const r = observed.resources[keys[pick]!]!;
      let resource: unknown = r.resource;
      for (const m of c.mutations) resource = applyMutation(resource, m);
      r.resource = isObject(resource) ? resource : undefined;
    } else if (pick === keys.length) {
      const xr = observed.composite!.resource!;
      let metadata: unknown = xr['metadata'];
      for (const m of c.mutations) metadata = applyMutation(metadata, { ...m, steps: m.steps.slice(0, 3) });
      xr['metadata'] = metadata;
    } else if (pick === keys.length + 1) {
      const xr = observed.composite!.resource!;
      let status: unknown = xr['status'] ?? {};
      for (const m of c.mutations) status = applyMutation(status, m);
      xr['status'] = status;
    } else {
      let required: unknown = { ...req.requiredResources, corrupt: { items: [{ resource: {}, connectionDetails: {}, ready: 0 }] } };
      for (const m of c.mutations) required = applyMutation(required, { ...m, op: m.op === 'set' ? 'set' : m.op });
      req.requiredResources = sanitizeRequired(required);
    }
  }
  return req;
}

/** Whatever the mutations made of the required resources, in the shape protobuf can carry (a Struct per item). */
function sanitizeRequired(value: unknown): RunFunctionRequest['requiredResources'] {
  const out: RunFunctionRequest['requiredResources'] = {};
  if (!isObject(value)) return out;
  for (const [key, resources] of Object.entries(value)) {
    const items = isObject(resources) && Array.isArray(resources['items']) ? resources['items'] : [];
    out[key] = {
      items: items.map((item: unknown) => {
        const resource = isObject(item) ? item['resource'] : item;
        return { resource: isObject(resource) ? resource : { value: resource }, connectionDetails: {}, ready: 0 };
      }),
    };
  }
  return out;
}

/** The bytes a wire case sends: the request encoded with the SDK's codec (as Crossplane's Go would), then corrupted. */
export function wireBytes(c: Extract<FuzzCase, { kind: 'wire' }>, bases: readonly Base[]): Buffer {
  let bytes = encodeRequest(structuredRequest(c, bases), c.sdk);
  for (const op of c.ops) bytes = corrupt(bytes, op);
  return bytes;
}

function encodeRequest(req: RunFunctionRequest, sdk: boolean): Buffer {
  return sdk ? Buffer.from(METHOD.requestSerialize(req)) : encodeRunFunctionRequest(req);
}

function corrupt(bytes: Buffer, op: WireOp): Buffer {
  const at = (n: number) => (bytes.length === 0 ? 0 : n % bytes.length);
  switch (op.op) {
    case 'truncate':
      return bytes.subarray(0, at(op.at));
    case 'flip': {
      const out = Buffer.from(bytes);
      op.at.forEach((position, i) => {
        if (out.length > 0) out[at(position)]! ^= 1 << op.bits[i % op.bits.length]!;
      });
      return out;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at(op.at)), op.bytes, bytes.subarray(at(op.at))]);
    case 'overwrite': {
      const out = Buffer.from(bytes);
      out.set(op.bytes.subarray(0, Math.max(0, out.length - at(op.at))), at(op.at));
      return out;
    }
    case 'garbage':
      return Buffer.from(op.bytes);
    case 'hugeLength': {
      // a length-delimited field claiming 2^35 bytes
      const huge = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
      return Buffer.concat([bytes.subarray(0, at(op.at)), Buffer.from([0x12]), huge, bytes.subarray(at(op.at))]);
    }
    case 'deepStruct':
      return Buffer.concat([bytes, deepInput(op.depth)]);
  }
}

/** Field 4 (input, a Struct) nested `depth` Structs deep: built inside out so no recursion is needed. */
function deepInput(depth: number): Buffer {
  let struct = Buffer.alloc(0);
  for (let i = 0; i < depth; i++) {
    const value = Buffer.concat([Buffer.from([0x2a]), varint(struct.length), struct]); // Value.struct_value
    const entry = Buffer.concat([Buffer.from([0x0a, 0x01, 0x61, 0x12]), varint(value.length), value]); // key "a"
    struct = Buffer.concat([Buffer.from([0x0a]), varint(entry.length), entry]); // Struct.fields
  }
  return Buffer.concat([Buffer.from([0x22]), varint(struct.length), struct]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------------------------------------------
// calling the server

export type Verdict =
  | { readonly outcome: 'composed' | 'fatal' | 'refused' }
  | { readonly outcome: 'timeout' | 'problem'; readonly detail: string };

export class FuzzClient {
  private readonly client: grpc.Client;
  private session: http2.ClientHttp2Session | undefined;

  constructor(private readonly port: number) {
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
    });
  }

  close(): void {
    this.client.close();
    this.session?.destroy();
  }

  /** Sends bytes as one gRPC message and decodes the answer with the SDK's codec. */
  call(bytes: Buffer): Promise<{ response?: RunFunctionResponse; error?: grpc.ServiceError }> {
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        METHOD.path,
        (b: Buffer) => b,
        METHOD.responseDeserialize,
        bytes,
        new grpc.Metadata(),
        { deadline: new Date(Date.now() + CALL_TIMEOUT_MS) },
        (error: grpc.ServiceError | null, response?: RunFunctionResponse) => resolve(error ? { error } : { response: response! }),
      );
    });
  }

  /** Writes a gRPC body of our own on a raw HTTP/2 stream and returns the grpc-status the server ends it with. */
  frame(body: readonly Buffer[]): Promise<{ status?: number; message?: string; timedOut?: boolean; error?: string }> {
    if (!this.session || this.session.closed || this.session.destroyed) {
      this.session = http2.connect(`http://127.0.0.1:${this.port}`);
      this.session.on('error', () => undefined);
    }
    const stream = this.session.request({
      ':method': 'POST',
      ':path': METHOD.path,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    return new Promise((resolve) => {
      let status: number | undefined;
      let message: string | undefined;
      const read = (headers: http2.IncomingHttpHeaders) => {
        if (headers['grpc-status'] !== undefined) status = Number(headers['grpc-status']);
        if (headers['grpc-message'] !== undefined) message = decodeURIComponent(String(headers['grpc-message']));
      };
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        resolve({ timedOut: true });
      }, CALL_TIMEOUT_MS);
      stream.on('response', read);
      stream.on('trailers', read);
      stream.on('data', () => undefined);
      stream.on('error', (error: Error) => {
        clearTimeout(timer);
        resolve({ error: error.message });
      });
      stream.on('close', () => {
        clearTimeout(timer);
        resolve(status === undefined ? { error: `stream closed without grpc-status (code ${stream.rstCode})` } : { status, ...(message ? { message } : {}) });
      });
      for (const chunk of body) stream.write(chunk);
      stream.end();
    });
  }
}

function grpcFrame(message: Buffer, declaredLength = message.length, compressed = 0): Buffer {
  const header = Buffer.alloc(5);
  header[0] = compressed;
  header.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([header, message]);
}

export function frameBody(op: FrameOp, message: Buffer): Buffer[] {
  switch (op) {
    case 'longer':
      return [grpcFrame(message, message.length + 1 + (message.length % 1000))];
    case 'shorter':
      return [grpcFrame(message, Math.max(0, message.length - 7))];
    case 'compressed':
      return [grpcFrame(message, message.length, 1)];
    case 'empty':
      return [];
    case 'headerOnly':
      return [grpcFrame(Buffer.alloc(0), 0).subarray(0, 3)];
    case 'twoMessages':
      return [grpcFrame(message), grpcFrame(message)];
    case 'split': {
      const whole = grpcFrame(message);
      return [whole.subarray(0, 3), whole.subarray(3, 9), whole.subarray(9)];
    }
  }
}

/** Judges one structured answer: composed, or Fatal naming a field with the desired state handed back as it came. */
export function judge(c: FuzzCase, req: RunFunctionRequest | undefined, rsp: RunFunctionResponse): Verdict {
  const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
  const internal = rsp.results.find((r) => r.message.includes('internal error'));
  if (internal) return { outcome: 'problem', detail: `an exception in the function: ${internal.message}` };
  if (!fatal) {
    // composing must keep what earlier steps composed
    const earlier = req?.desired?.resources['an-earlier-step'];
    if (earlier && same(normalizeResource(rsp.desired?.resources['an-earlier-step']), normalizeResource(earlier)) === false) {
      return { outcome: 'problem', detail: "composed, but dropped or changed an earlier step's desired resource" };
    }
    return { outcome: 'composed' };
  }
  if (!fatal.message.startsWith(FATAL_PREFIX) || !FIELD.test(fatal.message.slice(FATAL_PREFIX.length))) {
    return { outcome: 'problem', detail: `a Fatal result that names no field: ${fatal.message.slice(0, 300)}` };
  }
  if (c.kind === 'parameters' && !fatal.message.slice(FATAL_PREFIX.length).startsWith('spec.parameters')) {
    return { outcome: 'problem', detail: `bad parameters, but the Fatal result names another field: ${fatal.message.slice(0, 300)}` };
  }
  if (req && !same(normalizeState(rsp.desired), normalizeState(req.desired))) {
    return { outcome: 'problem', detail: 'a Fatal result that changed the desired state' };
  }
  return { outcome: 'fatal' };
}

/** Compared as JSON with sorted keys: the SDK's decoder builds objects of its own kind, and bytes as Uint8Array. */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function normalizeResource(r: State['composite']): unknown {
  if (!r) return undefined;
  const details = Object.entries(r.connectionDetails).map(([k, v]) => [k, Buffer.from(v).toString('base64')]);
  return { resource: r.resource, connectionDetails: Object.fromEntries(details), ready: r.ready };
}

function normalizeState(state: State | undefined): unknown {
  if (!state) return { resources: {} };
  const resources = Object.entries(state.resources).map(([k, r]) => [k, normalizeResource(r)]);
  return { composite: normalizeResource(state.composite), resources: Object.fromEntries(resources) };
}

/** A refusal by grpc-js on the server's side: the decoder threw, or the message was too large. */
export function refusal(error: grpc.ServiceError): Verdict {
  if (error.code === grpc.status.DEADLINE_EXCEEDED) return { outcome: 'timeout', detail: error.details };
  if (error.code === grpc.status.INTERNAL && /deserializ/i.test(error.details)) return { outcome: 'refused' };
  if (error.code === grpc.status.RESOURCE_EXHAUSTED) return { outcome: 'refused' };
  return { outcome: 'problem', detail: `gRPC ${grpc.status[error.code]}: ${error.details}` };
}

export async function runCase(c: FuzzCase, bases: readonly Base[], client: FuzzClient): Promise<Verdict> {
  if (c.kind === 'frame') {
    const message = encodeRunFunctionRequest(bases[c.base]!.request);
    const answer = await client.frame(frameBody(c.op, message));
    if (answer.timedOut) return { outcome: 'timeout', detail: `no grpc-status within ${CALL_TIMEOUT_MS} ms` };
    if (answer.status === undefined) return { outcome: 'problem', detail: answer.error ?? 'no grpc-status' };
    // a well-formed frame split in pieces is still one request; grpc-js reads a compressed flag without a
    // grpc-encoding as identity, which gives the same request
    if (answer.status === grpc.status.OK) {
      return c.op === 'split' || c.op === 'compressed' ? { outcome: 'composed' } : { outcome: 'problem', detail: `frame "${c.op}" accepted` };
    }
    return { outcome: 'refused' };
  }
  const req = c.kind === 'wire' ? undefined : structuredRequest(c, bases);
  const bytes = c.kind === 'wire' ? wireBytes(c, bases) : encodeRequest(req!, c.sdk);
  const { response, error } = await client.call(bytes);
  if (error) return refusal(error);
  // a corrupted request that still decodes: its desired state is whatever the server read, so only the rest is judged
  return judge(c, req, response!);
}

export interface Figures {
  seed: number;
  requests: number;
  byKind: Record<FuzzCase['kind'], number>;
  composed: number;
  fatal: number;
  refused: number;
  timeouts: number;
  crashes: number;
  problems: { index: number; kind: string; base: string; detail: string }[];
  ms: number;
  slowestMs: number;
  slowest: string;
}

export function emptyFigures(seed: number): Figures {
  return {
    seed,
    requests: 0,
    byKind: { parameters: 0, observed: 0, wire: 0, frame: 0 },
    composed: 0,
    fatal: 0,
    refused: 0,
    timeouts: 0,
    crashes: 0,
    problems: [],
    ms: 0,
    slowestMs: 0,
    slowest: '',
  };
}

export function formatFigures(f: Figures): string {
  const rate = f.ms > 0 ? Math.round((f.requests / f.ms) * 1000) : 0;
  return [
    `fuzz: seed ${f.seed}: ${f.requests} requests in ${(f.ms / 1000).toFixed(1)} s (${rate}/s)`,
    `  by kind: ${f.byKind.parameters} parameters, ${f.byKind.observed} observed, ${f.byKind.wire} wire, ${f.byKind.frame} frame`,
    `  answers: ${f.composed} composed, ${f.fatal} Fatal naming a field (desired state untouched), ${f.refused} refused by the server's decoder or gRPC`,
    `  crashes: ${f.crashes}, timeouts: ${f.timeouts}, problems: ${f.problems.length}; slowest answer ${f.slowestMs} ms (${f.slowest})`,
    ...f.problems.slice(0, 20).map((p) => `  case ${p.index} (${p.kind}, ${p.base}): ${p.detail}   replay: FUZZ_SEED=${f.seed} FUZZ_CASE=${p.index}`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// a run

export interface FuzzOptions {
  readonly seed: number;
  readonly count: number;
  /** Calls in flight at once, over one connection, as Crossplane sends them. */
  readonly concurrency: number;
  /** Replays this one case only. */
  readonly onlyCase?: number;
  /** The index of the first case (to replay a stretch of a run); 0 unless set. */
  readonly firstCase?: number;
  /** Stops starting new cases after this many seconds (0: no limit), so a slow machine still gets a bounded run. */
  readonly seconds?: number;
  readonly progress?: (line: string) => void;
}

/** Every this many cases, a valid request must still compose: the server is alive and not wedged. */
const CANARY_EVERY = 1000;

export async function fuzz(options: FuzzOptions): Promise<Figures & { serverPeakRssMiB: number }> {
  const bases = baseRequests();
  const figures = emptyFigures(options.seed);
  let server = await startServerProcess(['--insecure', '--address', '127.0.0.1:0'], 10_000, 20_000);
  let client = new FuzzClient(server.port);
  let peakRss = 0;
  const notePeak = () => (peakRss = Math.max(peakRss, peakRssMiB(server.child.pid)));
  const canary = Buffer.from(METHOD.requestSerialize(bases[0]!.request));
  const started = Date.now();
  const first = options.firstCase ?? 0;
  const indexes = options.onlyCase === undefined ? Array.from({ length: options.count }, (_, i) => first + i) : [options.onlyCase];
  let next = 0;
  const record = (index: number, c: FuzzCase, verdict: Verdict) => {
    figures.requests++;
    figures.byKind[c.kind]++;
    switch (verdict.outcome) {
      case 'composed': figures.composed++; break;
      case 'fatal': figures.fatal++; break;
      case 'refused': figures.refused++; break;
      case 'timeout': figures.timeouts++; figures.problems.push({ index, kind: c.kind, base: bases[c.base]!.name, detail: `timeout: ${verdict.detail}` }); break;
      case 'problem': figures.problems.push({ index, kind: c.kind, base: bases[c.base]!.name, detail: verdict.detail }); break;
    }
    if (verdict.outcome === 'timeout' || verdict.outcome === 'problem') {
      options.progress?.(`fuzz: case ${index} (${c.kind}, ${bases[c.base]!.name}): ${verdict.outcome}: ${verdict.detail.slice(0, 500)}`);
    }
  };
  const restartIfDead = async (index: number, c: FuzzCase) => {
    if (server.child.exitCode === null && server.child.signalCode === null) return;
    figures.crashes++;
    figures.problems.push({ index, kind: c.kind, base: bases[c.base]!.name, detail: `the server exited (${server.child.exitCode ?? server.child.signalCode}): ${server.output().slice(-2000)}` });
    client.close();
    server = await startServerProcess(['--insecure', '--address', '127.0.0.1:0'], 10_000, 20_000);
    client = new FuzzClient(server.port);
  };
  const deadline = options.seconds ? started + options.seconds * 1000 : Infinity;
  const worker = async () => {
    while (next < indexes.length && Date.now() < deadline) {
      const index = indexes[next++]!;
      const c = generateCase(options.seed, index, bases.length);
      let verdict: Verdict;
      const caseStarted = Date.now();
      try {
        verdict = await runCase(c, bases, client);
        const ms = Date.now() - caseStarted;
        if (ms > figures.slowestMs) {
          figures.slowestMs = ms;
          figures.slowest = `case ${index} (${c.kind}, ${bases[c.base]!.name})`;
        }
      } catch (error) {
        verdict = { outcome: 'problem', detail: `the fuzz harness failed: ${error instanceof Error ? error.stack : String(error)}` };
      }
      await restartIfDead(index, c);
      record(index, c, verdict);
      if (figures.requests % CANARY_EVERY === 0) {
        notePeak();
        const { response, error } = await client.call(canary);
        const fatal = response?.results.some((r) => r.severity === Severity.SEVERITY_FATAL);
        if (error || fatal) figures.problems.push({ index, kind: 'canary', base: bases[0]!.name, detail: `a valid request failed after case ${index}: ${error?.message ?? 'Fatal'}` });
        options.progress?.(
          `fuzz: ${figures.requests}/${indexes.length} in ${((Date.now() - started) / 1000).toFixed(0)} s: ${figures.composed} composed, ` +
            `${figures.fatal} Fatal, ${figures.refused} refused, ${figures.crashes} crashes, ${figures.timeouts} timeouts, ${figures.problems.length} problems`,
        );
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    figures.ms = Date.now() - started;
    notePeak();
    client.close();
    server.child.kill('SIGTERM');
    await server.exited;
  }
  return { ...figures, serverPeakRssMiB: peakRss };
}

/** The process's peak resident memory (VmHWM), from /proc; 0 where there is none. */
function peakRssMiB(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}
