/**
 * google.protobuf.Struct ⇄ plain JSON-like objects, in one pass each way, without the SDK's intermediate `Value`
 * objects. Mirrors the SDK's generated code (test/unit/wire.test.ts compares with it): `undefined` object members
 * are left out, `undefined` list items become an empty Value, a Value with no kind reads back as `undefined`.
 */
import { MAX_DEPTH, WireError, WireReader } from './reader.js';
import type { Emitter } from './writer.js';

export type JsonObject = Record<string, unknown>;

// Value's oneof field numbers
const NULL = 1;
const NUMBER = 2;
const STRING = 3;
const BOOL = 4;
const STRUCT = 5;
const LIST = 6;

export function readStruct(reader: WireReader, end: number, depth: number): JsonObject {
  if (depth > MAX_DEPTH) throw new WireError('Struct nested too deeply');
  const object: JsonObject = {};
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag !== 10) {
      reader.skip(tag & 7);
      continue;
    }
    const entryEnd = reader.end();
    let key = '';
    let value: unknown = undefined;
    while (reader.pos < entryEnd) {
      const entryTag = reader.varint();
      if (entryTag === 10) key = reader.string();
      else if (entryTag === 18) value = readValue(reader, reader.end(), depth + 1);
      else reader.skip(entryTag & 7);
    }
    // a key named __proto__ must stay data, never become the object's prototype
    if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    else object[key] = value;
  }
  return object;
}

function readList(reader: WireReader, end: number, depth: number): unknown[] {
  if (depth > MAX_DEPTH) throw new WireError('ListValue nested too deeply');
  const list: unknown[] = [];
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === 10) list.push(readValue(reader, reader.end(), depth + 1));
    else reader.skip(tag & 7);
  }
  return list;
}

function readValue(reader: WireReader, end: number, depth: number): unknown {
  let value: unknown = undefined;
  while (reader.pos < end) {
    const tag = reader.varint();
    switch (tag) {
      case (NULL << 3) | 0:
        reader.varint();
        value = null;
        break;
      case (NUMBER << 3) | 1:
        value = reader.double();
        break;
      case (STRING << 3) | 2:
        value = reader.string();
        break;
      case (BOOL << 3) | 0:
        value = reader.varint() !== 0;
        break;
      case (STRUCT << 3) | 2:
        value = readStruct(reader, reader.end(), depth + 1);
        break;
      case (LIST << 3) | 2:
        value = readList(reader, reader.end(), depth + 1);
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  return value;
}

const hasOwn = Object.prototype.hasOwnProperty;

export function structFields(emit: Emitter, object: JsonObject): void {
  for (const key in object) {
    if (!hasOwn.call(object, key)) continue;
    const value = object[key];
    if (value !== undefined) emit.message(1, entryFields, key, value);
  }
}

function entryFields(emit: Emitter, key: string, value: unknown): void {
  if (key !== '') emit.string(1, key);
  emit.message(2, valueFields, value, undefined);
}

function listFields(emit: Emitter, list: readonly unknown[]): void {
  for (const item of list) emit.message(1, valueFields, item, undefined);
}

function valueFields(emit: Emitter, value: unknown): void {
  if (value === null) return emit.varint(NULL, 0);
  switch (typeof value) {
    case 'string':
      return emit.string(STRING, value);
    case 'number':
      return emit.double(NUMBER, value);
    case 'boolean':
      return emit.varint(BOOL, value ? 1 : 0);
    case 'undefined':
      return;
    case 'object':
      if (Array.isArray(value)) return emit.message(LIST, listFields, value, undefined);
      return emit.message(STRUCT, structFields, value as JsonObject, undefined);
    default:
      throw new Error(`cannot encode a ${typeof value} in a protobuf Struct`);
  }
}
