/**
 * src/wire must handle every field of run_function.proto, not only those it knew when it was written: it skips
 * unknown fields silently, so a field Crossplane adds (as it added capabilities and required schemas in 2.2)
 * would be lost without a word. The fields come from the SDK's generated code (test/support/sdk-proto.ts), not
 * from a list kept by hand: when an SDK upgrade brings a new field, its case below fails until src/wire handles it.
 *
 * Each case sets one field, at its place in the request or answer, to a value that is not the default, and
 * expects src/wire to decode what the SDK decodes (request) or to write the SDK's bytes (answer).
 */
import { Capability, RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { decodeRunFunctionRequest } from '../../src/wire/request.js';
import { encodeRunFunctionResponse } from '../../src/wire/response.js';
import { readSdkDescriptors, type FieldDescriptor, type FieldType } from '../support/sdk-proto.js';

const descriptors = readSdkDescriptors();

type Step = Pick<FieldDescriptor, 'name' | 'label'>;
interface FieldCase {
  readonly path: string;
  readonly steps: readonly Step[];
  readonly field: FieldDescriptor;
}

const MAP_KEY = 'k';

/**
 * Every field reachable from a root message, depth first. google.protobuf.Struct is a leaf here: its shape has
 * not changed since 2008, and test/unit/wire.test.ts checks its codec with random values.
 */
function fieldCases(message: string, steps: readonly Step[] = [], path = message): FieldCase[] {
  const fields = descriptors.get(message);
  if (fields === undefined) throw new Error(`no descriptor for ${message}`);
  return fields.flatMap((field) => {
    const here = `${path}.${field.name}#${field.number}${field.label === 'repeated' ? '[]' : field.label === 'map' ? '{}' : ''}`;
    const fieldSteps = [...steps, { name: field.name, label: field.label }];
    const own: FieldCase = { path: here, steps: fieldSteps, field };
    return 'message' in field.type ? [own, ...fieldCases(field.type.message, fieldSteps, here)] : [own];
  });
}

/** A value that is not the field's default, so that the SDK writes it. */
function sample(type: FieldType): unknown {
  if ('struct' in type) return { k: 'v', list: [1, true, null] };
  if ('message' in type) return {}; // present but empty: the nested fields have cases of their own
  switch (type.scalar) {
    case 'string':
      return 'x';
    case 'bytes':
      return Buffer.from([0, 1, 255]);
    case 'bool':
      return true;
    case 'int32': // also every enum; 1 is a named value of each
    case 'int64':
    case 'uint32':
    case 'uint64':
      return 1;
    case 'double':
      return 1.5;
    default:
      throw new Error(`no sample for the scalar type ${type.scalar}: add one`);
  }
}

/** The partial object that sets only `leaf` at the end of `steps`. */
function place(steps: readonly Step[], leaf: unknown): Record<string, unknown> {
  let value = leaf;
  for (const step of [...steps].reverse()) {
    const wrapped = step.label === 'repeated' ? [value] : step.label === 'map' ? { [MAP_KEY]: value } : value;
    value = { [step.name]: wrapped };
  }
  return value as Record<string, unknown>;
}

function at(object: unknown, steps: readonly Step[]): Record<string, unknown> {
  let value = object;
  for (const step of steps) {
    const member = (value as Record<string, unknown>)[step.name];
    value = step.label === 'repeated' ? (member as unknown[])[0] : step.label === 'map' ? (member as Record<string, unknown>)[MAP_KEY] : member;
  }
  return value as Record<string, unknown>;
}

const request = (partial: Record<string, unknown>) => RunFunctionRequest.fromPartial(partial as Parameters<typeof RunFunctionRequest.fromPartial>[0]);
const response = (partial: Record<string, unknown>) => RunFunctionResponse.fromPartial(partial as Parameters<typeof RunFunctionResponse.fromPartial>[0]);
const requestBytes = (partial: Record<string, unknown>) => Buffer.from(RunFunctionRequest.encode(request(partial)).finish());
const responseBytes = (partial: Record<string, unknown>) => Buffer.from(RunFunctionResponse.encode(response(partial)).finish());

/** The same field's parent, present but otherwise empty: the case's bytes must differ from these. */
const parentOf = (steps: readonly Step[]) => (steps.length === 1 ? {} : place(steps.slice(0, -1), {}));

const requestCases = fieldCases('RunFunctionRequest');
const responseCases = fieldCases('RunFunctionResponse');

describe('the fields of run_function.proto, read from the SDK', () => {
  it('are all of them: each message found has exactly the members the SDK creates for it', () => {
    const roots: [string, (partial: Record<string, unknown>) => unknown, FieldCase[]][] = [
      ['RunFunctionRequest', request, requestCases],
      ['RunFunctionResponse', response, responseCases],
    ];
    let messages = 0;
    for (const [root, create, cases] of roots) {
      const nested = cases.filter((c) => 'message' in c.field.type).map((c) => ({ steps: c.steps, type: (c.field.type as { message: string }).message }));
      for (const { steps, type } of [{ steps: [] as Step[], type: root }, ...nested]) {
        const members = Object.keys(at(create(steps.length === 0 ? {} : place(steps, {})), steps)).sort();
        expect({ type, members }).toStrictEqual({ type, members: descriptors.get(type)!.map((f) => f.name).sort() });
        messages++;
      }
    }
    // proto3 as of the SDK 0.7.0: 9 request fields, 7 answer fields; more is fine, fewer means the parser broke
    expect(descriptors.get('RunFunctionRequest')!.length).toBeGreaterThanOrEqual(9);
    expect(descriptors.get('RunFunctionResponse')!.length).toBeGreaterThanOrEqual(7);
    expect(messages).toBeGreaterThan(20);
  });

  it('tags agree with field numbers', () => {
    for (const [message, fields] of descriptors) {
      for (const field of fields) for (const tag of field.tags) expect(`${message}.${field.name}: ${tag >>> 3}`).toBe(`${message}.${field.name}: ${field.number}`);
    }
  });
});

describe('src/wire decodes every field of a request as the SDK does', () => {
  it.each(requestCases.map((c) => [c.path, c] as const))('%s', (_path, { steps, field }) => {
    const bytes = requestBytes(place(steps, sample(field.type)));
    expect(bytes.equals(requestBytes(parentOf(steps)))).toBe(false); // the sample reached the wire
    expect(decodeRunFunctionRequest(bytes)).toStrictEqual(RunFunctionRequest.decode(bytes));
  });

  it('capabilities also unpacked (proto3 parsers must accept both)', () => {
    // field 1 (meta) holding field 2 (capabilities) twice as plain varints instead of one packed run
    const bytes = Buffer.from([(1 << 3) | 2, 4, (2 << 3) | 0, Capability.CAPABILITY_CAPABILITIES, (2 << 3) | 0, Capability.CAPABILITY_REQUIRED_SCHEMAS]);
    expect(RunFunctionRequest.decode(bytes).meta!.capabilities).toEqual([Capability.CAPABILITY_CAPABILITIES, Capability.CAPABILITY_REQUIRED_SCHEMAS]);
    expect(decodeRunFunctionRequest(bytes)).toStrictEqual(RunFunctionRequest.decode(bytes));
  });
});

describe('src/wire encodes every field of an answer to the SDK bytes', () => {
  it.each(responseCases.map((c) => [c.path, c] as const))('%s', (_path, { steps, field }) => {
    const answer = response(place(steps, sample(field.type)));
    const expected = responseBytes(place(steps, sample(field.type)));
    expect(expected.equals(responseBytes(parentOf(steps)))).toBe(false); // the sample reached the wire
    expect(encodeRunFunctionResponse(answer).toString('hex')).toBe(expected.toString('hex'));
  });
});
