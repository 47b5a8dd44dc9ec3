/**
 * Which engine runs an instance. The claim may name one among those the platform allows; when it names none, the
 * platform's default. An instance that exists keeps its engine whatever the platform's default becomes later: moving
 * to another engine would create an empty database beside the old one and delete the old one with its data.
 */
import type { FieldError } from '../api/errors.js';
import type { Platform } from '../api/input.js';
import type { Parameters } from '../api/schema.js';
import type { Observed } from '../compose/types.js';
import type { DatabaseEngine } from './engine.js';
import { ENGINE_NAMES, engineFor, type EngineName } from './index.js';

export type EngineChoice = { readonly ok: true; readonly name: EngineName; readonly engine: DatabaseEngine } | { readonly ok: false; readonly error: FieldError };

const PATH = 'spec.parameters.engine';

export function chooseEngine(p: Parameters, platform: Platform, observed: Observed): EngineChoice {
  const running = ENGINE_NAMES.find((name) => observed.resources[engineFor(name)!.databaseKey] !== undefined);
  const name = p.engine ?? running ?? platform.defaultEngine;
  if (running !== undefined && name !== running) {
    return { ok: false, error: { path: PATH, message: `the instance runs on ${running}; it can not move to ${name} in place` } };
  }
  // An instance the platform no longer offers keeps running: refusing it would stop its updates, not protect anything.
  if (running === undefined && !platform.allowedEngines.includes(name)) {
    return { ok: false, error: { path: PATH, message: `engine "${name}" is not offered here; choose one of ${platform.allowedEngines.join(', ')}` } };
  }
  return { ok: true, name, engine: engineFor(name)! };
}
