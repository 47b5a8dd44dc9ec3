/** The vocabulary every compose module shares. Compose modules are pure: (context) in, objects out. */
import type { FieldError } from '../api/errors.js';
import type { Platform } from '../api/input.js';
import type { Instance } from '../api/parse.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** A composed object and whether what we observe of it counts as ready. */
export interface Composed {
  readonly object: KubeObject;
  readonly ready: boolean;
}

/** Composed objects keyed by composition resource name: the stable key Crossplane tracks each object by. */
export type ComposedSet = Record<string, Composed>;

/** What Crossplane observed: the XR and the composed objects that exist, by the same keys. */
export interface Observed {
  readonly composite: Record<string, unknown>;
  readonly resources: Readonly<Record<string, Record<string, unknown>>>;
}

/** Bytes from a cryptographic source in production, from a seeded stream in golden renders. */
export type RandomSource = (size: number) => Uint8Array;

/** Objects Crossplane fetched because we asked (SGBackups, a restore's source); undefined until it has fetched them. */
export type Required = Readonly<Record<string, readonly Record<string, unknown>[] | undefined>>;

/**
 * What the function asks Crossplane to fetch: every object of a kind in a namespace. Never by name: Crossplane answers
 * a missing named object with nothing, which the SDK's decoder can't tell from "not fetched yet"; a list always comes.
 */
export interface RequiredSelector {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  /** Only objects with all these labels; every object of the kind when absent. */
  readonly matchLabels?: Readonly<Record<string, string>>;
}

export interface ComposeContext {
  readonly instance: Instance;
  readonly platform: Platform;
  readonly observed: Observed;
  readonly required: Required;
  readonly random: RandomSource;
}

export interface ConditionOut {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** Everything one request composes, or the errors that stop it. */
export type Composition =
  | {
      readonly ok: true;
      readonly resources: ComposedSet;
      readonly status: Record<string, unknown>;
      readonly conditions: readonly ConditionOut[];
      readonly connectionDetails: Readonly<Record<string, string>>;
      readonly warnings: readonly string[];
      readonly requirements: Readonly<Record<string, RequiredSelector>>;
    }
  | { readonly ok: false; readonly errors: readonly FieldError[] };
