/**
 * Encodes a RunFunctionResponse (the SDK's TypeScript shape) byte for byte as the SDK's generated encoder does.
 * test/unit/wire-fields.test.ts fails for every field of the SDK's proto that this doesn't write.
 */
import type {
  Condition,
  Requirements,
  Resource,
  ResourceSelector,
  Result,
  RunFunctionResponse,
  SchemaSelector,
  State,
} from '@crossplane-org/function-sdk-typescript';
import { structFields, type JsonObject } from './struct.js';
import { encode, type Emitter } from './writer.js';

export function encodeRunFunctionResponse(response: RunFunctionResponse): Buffer {
  return encode(responseFields, response, undefined);
}

function responseFields(emit: Emitter, response: RunFunctionResponse): void {
  const { meta } = response;
  if (meta !== undefined) emit.message(1, metaFields, meta, undefined);
  if (response.desired !== undefined) emit.message(2, stateFields, response.desired, undefined);
  for (const result of response.results) emit.message(3, resultFields, result, undefined);
  if (response.context !== undefined) emit.message(4, structFields, response.context as JsonObject, undefined);
  if (response.requirements !== undefined) emit.message(5, requirementsFields, response.requirements, undefined);
  for (const condition of response.conditions) emit.message(6, conditionFields, condition, undefined);
  if (response.output !== undefined) emit.message(7, structFields, response.output as JsonObject, undefined);
}

function metaFields(emit: Emitter, meta: NonNullable<RunFunctionResponse['meta']>): void {
  if (meta.tag !== '') emit.string(1, meta.tag);
  const ttl = meta.ttl;
  if (ttl !== undefined) {
    emit.message(2, durationFields, ttl, undefined);
  }
}

function durationFields(emit: Emitter, ttl: { seconds: number; nanos: number }): void {
  if (ttl.seconds !== 0) emit.varint(1, ttl.seconds);
  if (ttl.nanos !== 0) emit.varint(2, ttl.nanos);
}

function stateFields(emit: Emitter, state: State): void {
  if (state.composite !== undefined) emit.message(1, resourceFields, state.composite, undefined);
  for (const key of Object.keys(state.resources)) emit.message(2, resourceEntryFields, key, state.resources[key]!);
}

function resourceEntryFields(emit: Emitter, key: string, resource: Resource): void {
  if (key !== '') emit.string(1, key);
  if (resource !== undefined) emit.message(2, resourceFields, resource, undefined);
}

function resourceFields(emit: Emitter, resource: Resource): void {
  if (resource.resource !== undefined) emit.message(1, structFields, resource.resource as JsonObject, undefined);
  const details = resource.connectionDetails;
  for (const key of Object.keys(details)) emit.message(2, bytesEntryFields, key, details[key]!);
  if (resource.ready !== 0) emit.varint(3, resource.ready);
}

function bytesEntryFields(emit: Emitter, key: string, value: Uint8Array): void {
  if (key !== '') emit.string(1, key);
  if (value.length !== 0) emit.bytes(2, value);
}

function resultFields(emit: Emitter, result: Result): void {
  if (result.severity !== 0) emit.varint(1, result.severity);
  if (result.message !== '') emit.string(2, result.message);
  if (result.reason !== undefined) emit.string(3, result.reason);
  if (result.target !== undefined) emit.varint(4, result.target);
}

function requirementsFields(emit: Emitter, requirements: Requirements): void {
  const { extraResources, resources, schemas } = requirements;
  for (const key of Object.keys(extraResources)) emit.message(1, selectorEntryFields, key, extraResources[key]!);
  for (const key of Object.keys(resources)) emit.message(2, selectorEntryFields, key, resources[key]!);
  for (const key of Object.keys(schemas)) emit.message(3, schemaEntryFields, key, schemas[key]!);
}

function selectorEntryFields(emit: Emitter, key: string, selector: ResourceSelector): void {
  if (key !== '') emit.string(1, key);
  if (selector !== undefined) emit.message(2, selectorFields, selector, undefined);
}

function selectorFields(emit: Emitter, selector: ResourceSelector): void {
  if (selector.apiVersion !== '') emit.string(1, selector.apiVersion);
  if (selector.kind !== '') emit.string(2, selector.kind);
  if (selector.matchName !== undefined) emit.string(3, selector.matchName);
  if (selector.matchLabels !== undefined) emit.message(4, matchLabelsFields, selector.matchLabels.labels, undefined);
  if (selector.namespace !== undefined) emit.string(5, selector.namespace);
}

function matchLabelsFields(emit: Emitter, labels: Record<string, string>): void {
  for (const key of Object.keys(labels)) emit.message(1, labelEntryFields, key, labels[key]!);
}

function labelEntryFields(emit: Emitter, key: string, value: string): void {
  if (key !== '') emit.string(1, key);
  if (value !== '') emit.string(2, value);
}

function schemaEntryFields(emit: Emitter, key: string, selector: SchemaSelector): void {
  if (key !== '') emit.string(1, key);
  if (selector !== undefined) emit.message(2, schemaSelectorFields, selector, undefined);
}

function schemaSelectorFields(emit: Emitter, selector: SchemaSelector): void {
  if (selector.apiVersion !== '') emit.string(1, selector.apiVersion);
  if (selector.kind !== '') emit.string(2, selector.kind);
}

function conditionFields(emit: Emitter, condition: Condition): void {
  if (condition.type !== '') emit.string(1, condition.type);
  if (condition.status !== 0) emit.varint(2, condition.status);
  if (condition.reason !== '') emit.string(3, condition.reason);
  if (condition.message !== undefined) emit.string(4, condition.message);
  if (condition.target !== undefined) emit.varint(5, condition.target);
}
