/**
 * The message descriptors of Crossplane's run_function.proto, read from the code the SDK generated from it.
 *
 * The SDK ships neither the .proto nor a FileDescriptorProto, only ts-proto's output. Its `decode` functions are
 * the descriptor in executable form: one `case <field number>:` per field, the wire tags it accepts, the member it
 * sets and the reader or message type that reads it. Reading them (rather than keeping a list by hand) means a
 * newer SDK, regenerated from a newer proto, brings its new fields into test/unit/wire-fields.test.ts by itself.
 * If ts-proto ever changes the shape of its output, the test's own check (every member of `fromPartial({})` found
 * here) fails instead of this returning too little.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO } from './paths.js';

const GENERATED = resolve(REPO, 'node_modules/@crossplane-org/function-sdk-typescript/dist/proto');
const FILES = ['run_function.js', 'google/protobuf/duration.js'];

/** A scalar is named by the BinaryReader method that reads it (string, bytes, int32, int64, bool, ...). */
export type FieldType = { readonly message: string } | { readonly scalar: string } | { readonly struct: true };

export interface FieldDescriptor {
  readonly number: number;
  /** the member of the SDK's TypeScript object */
  readonly name: string;
  /** the wire tags the SDK's decoder accepts (two for a packable repeated scalar) */
  readonly tags: readonly number[];
  readonly label: 'single' | 'repeated' | 'map';
  /** for a map, the type of the entry's value */
  readonly type: FieldType;
}

export type Descriptors = ReadonlyMap<string, readonly FieldDescriptor[]>;

export function readSdkDescriptors(): Descriptors {
  const messages = new Map<string, FieldDescriptor[]>();
  const mapEntries = new Map<string, FieldDescriptor[]>();
  for (const file of FILES) {
    const source = readFileSync(resolve(GENERATED, file), 'utf8');
    for (const [name, decode] of decodeFunctions(source)) {
      const fields = caseBlocks(decode).map(([number, block]) => readField(name, number, block));
      (name.endsWith('Entry') ? mapEntries : messages).set(name, fields);
    }
  }
  // a map field's entry message has key (1) and value (2); the field takes the value's type
  for (const fields of messages.values()) {
    fields.forEach((field, i) => {
      if (field.label !== 'map' || !('message' in field.type)) return;
      const value = mapEntries.get(field.type.message)?.find((entryField) => entryField.number === 2);
      if (value === undefined) throw new Error(`no value field in map entry ${field.type.message}`);
      fields[i] = { ...field, type: value.type };
    });
  }
  return messages;
}

/** `export const Name = { encode(...) {...}, decode(input, length) { ... }, fromJSON ...` → [Name, decode's text] */
function* decodeFunctions(source: string): Generator<[string, string]> {
  const starts = [...source.matchAll(/^export const (\w+) = \{$/gm)];
  for (const [i, start] of starts.entries()) {
    const body = source.slice(start.index, starts[i + 1]?.index ?? source.length);
    const decode = /\n {4}decode\(input, length\) \{([\s\S]*?)\n {4}\},/.exec(body);
    if (decode) yield [start[1]!, decode[1]!];
  }
}

function caseBlocks(decode: string): [number, string][] {
  const parts = decode.split(/\n\s*case (\d+): \{/);
  const blocks: [number, string][] = [];
  for (let i = 1; i < parts.length; i += 2) blocks.push([Number(parts[i]), parts[i + 1]!]);
  return blocks;
}

function readField(message: string, number: number, block: string): FieldDescriptor {
  // tag 0 is never a field: it comes from the end-of-message check after the last case
  const tags = [...block.matchAll(/tag [!=]== (\d+)/g)].map((m) => Number(m[1])).filter((tag) => tag !== 0);
  const entry = /const entry\d+ = (\w+)\.decode\(reader/.exec(block);
  const member = /message\.(\w+)(\.push\(|\[| = )([^;]*);/.exec(block);
  if (tags.length === 0 || member === null) throw new Error(`${message} field ${number}: unrecognised generated code`);
  const name = member[1]!;
  if (entry) return { number, name, tags, label: 'map', type: { message: entry[1]! } };
  const label = member[2] === '.push(' ? 'repeated' : 'single';
  const read = member[3]!;
  const struct = /\bStruct\.decode\(reader/.test(read);
  const nested = /(\w+)\.decode\(reader/.exec(read);
  const scalar = /reader\.(\w+)\(\)/.exec(read);
  const type: FieldType | undefined = struct
    ? { struct: true }
    : nested
      ? { message: nested[1]! }
      : scalar
        ? { scalar: scalar[1]! }
        : undefined;
  if (type === undefined) throw new Error(`${message}.${name}: cannot tell its type from "${read}"`);
  return { number, name, tags, label, type };
}
