/**
 * The engines, listed once. The claim API's `engine` values, the platform's per-engine options and the engine an
 * instance runs on all come from this list: adding an engine is its folder and one line here.
 */
import { awsRds } from './aws-rds/engine.js';
import { cloudnativepg } from './cloudnativepg/engine.js';
import { otcRds } from './otc-rds/engine.js';
import { scalingo } from './scalingo/engine.js';
import type { DatabaseEngine } from './engine.js';
import { stackgres } from './stackgres/engine.js';
import { zalando } from './zalando/engine.js';

export const ENGINES = {
  stackgres,
  cloudnativepg,
  zalando,
  'aws-rds': awsRds,
  'otc-rds': otcRds,
  scalingo,
} as const;

export type EngineName = keyof typeof ENGINES;
export const ENGINE_NAMES = Object.keys(ENGINES) as [EngineName, ...EngineName[]];

export function engineFor(name: string): DatabaseEngine | undefined {
  return Object.hasOwn(ENGINES, name) ? (ENGINES[name as EngineName] as DatabaseEngine) : undefined;
}

/** Each engine's platform options, as the Composition input reads them (`platform.engines.<name>`). */
export type EngineOptions = { [K in EngineName]: (typeof ENGINES)[K] extends DatabaseEngine<infer O> ? O : never };
