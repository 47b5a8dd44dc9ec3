/**
 * Decodes a RunFunctionRequest into the SDK's own TypeScript shape, so the rest of the function is unchanged.
 * Fields it doesn't know are skipped, as protobuf requires; test/unit/wire-fields.test.ts fails for every field of
 * the SDK's proto that this doesn't decode as the SDK does, so a field Crossplane adds can't be dropped unnoticed.
 */
import type {
  Capability,
  Credentials,
  Resource,
  Resources,
  RunFunctionRequest,
  Schema,
  State,
} from '@crossplane-org/function-sdk-typescript';
import { WireReader } from './reader.js';
import { readStruct, type JsonObject } from './struct.js';

type RequestMeta = NonNullable<RunFunctionRequest['meta']>;

export function decodeRunFunctionRequest(buf: Buffer): RunFunctionRequest {
  const reader = new WireReader(buf);
  const request: RunFunctionRequest = {
    meta: undefined,
    observed: undefined,
    desired: undefined,
    input: undefined,
    context: undefined,
    extraResources: {},
    credentials: {},
    requiredResources: {},
    requiredSchemas: {},
  };
  const end = buf.length;
  while (reader.pos < end) {
    const tag = reader.varint();
    switch (tag) {
      case 10:
        request.meta = readMeta(reader, reader.end());
        break;
      case 18:
        request.observed = readState(reader, reader.end());
        break;
      case 26:
        request.desired = readState(reader, reader.end());
        break;
      case 34:
        request.input = readStruct(reader, reader.end(), 1);
        break;
      case 42:
        request.context = readStruct(reader, reader.end(), 1);
        break;
      case 50:
        readMapEntry(reader, request.extraResources, readResources);
        break;
      case 58:
        readMapEntry(reader, request.credentials, readCredentials);
        break;
      case 66:
        readMapEntry(reader, request.requiredResources, readResources);
        break;
      case 74:
        readMapEntry(reader, request.requiredSchemas, readSchema);
        break;
      default:
        reader.skip(tag & 7);
    }
  }
  return request;
}

/** A map<string, Message> entry; like the SDK, an entry without a value is dropped. */
function readMapEntry<T>(reader: WireReader, into: Record<string, T>, readValue: (r: WireReader, end: number) => T): void {
  const end = reader.end();
  let key = '';
  let value: T | undefined;
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === 10) key = reader.string();
    else if (tag === 18) value = readValue(reader, reader.end());
    else reader.skip(tag & 7);
  }
  if (value !== undefined) setEntry(into, key, value);
}

function setEntry<T>(into: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}

function readMeta(reader: WireReader, end: number): RequestMeta {
  const meta: RequestMeta = { tag: '', capabilities: [] };
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === 10) meta.tag = reader.string();
    else if (tag === 16) meta.capabilities.push(reader.int32() as Capability);
    else if (tag === 18) {
      const packedEnd = reader.end();
      while (reader.pos < packedEnd) meta.capabilities.push(reader.int32() as Capability);
    } else reader.skip(tag & 7);
  }
  return meta;
}

function readState(reader: WireReader, end: number): State {
  const state: State = { composite: undefined, resources: {} };
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === 10) state.composite = readResource(reader, reader.end());
    else if (tag === 18) readMapEntry(reader, state.resources, readResource);
    else reader.skip(tag & 7);
  }
  return state;
}

function readResource(reader: WireReader, end: number): Resource {
  const resource: Resource = { resource: undefined, connectionDetails: {}, ready: 0 };
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === 10) resource.resource = readStruct(reader, reader.end(), 1);
    else if (tag === 18) readBytesEntry(reader, resource.connectionDetails);
    else if (tag === 24) resource.ready = reader.int32();
    else reader.skip(tag & 7);
  }
  return resource;
}

function readBytesEntry(reader: WireReader, into: Record<string, Buffer>): void {
  const end = reader.end();
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === 10) key = reader.string();
    else if (tag === 18) value = reader.bytes();
    else reader.skip(tag & 7);
  }
  setEntry(into, key, value);
}

function readResources(reader: WireReader, end: number): Resources {
  const resources: Resources = { items: [] };
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === 10) resources.items.push(readResource(reader, reader.end()));
    else reader.skip(tag & 7);
  }
  return resources;
}

function readCredentials(reader: WireReader, end: number): Credentials {
  const credentials: Credentials = { credentialData: undefined };
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === 10) {
      const dataEnd = reader.end();
      const data: Record<string, Buffer> = {};
      while (reader.pos < dataEnd) {
        const dataTag = reader.varint();
        if (dataTag === 10) readBytesEntry(reader, data);
        else reader.skip(dataTag & 7);
      }
      credentials.credentialData = { data };
    } else reader.skip(tag & 7);
  }
  return credentials;
}

function readSchema(reader: WireReader, end: number): Schema {
  const schema: Schema = { openapiV3: undefined };
  while (reader.pos < end) {
    const tag = reader.varint();
    if (tag === 10) schema.openapiV3 = readStruct(reader, reader.end(), 1) as JsonObject;
    else reader.skip(tag & 7);
  }
  return schema;
}
