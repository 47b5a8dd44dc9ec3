/**
 * Property test: random valid claims at the limits (the longest claim names and namespaces, SQL names of 63 characters
 * full of `_`, up to 64 users and 32 databases) compose objects whose metadata the API server accepts, by Kubernetes'
 * own rules (names, namespaces, label keys and values, selectors, annotation keys, data keys), on the first reconcile
 * and in steady state. The seed is printed; FC_SEED=<seed> replays a run.
 */
import { Severity } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { RESERVED_DATABASES, RESERVED_ROLES, RESERVED_ROLE_PREFIX } from '../../src/api/names.js';
import { runFunction } from '../../src/function.js';
import { seededRandom } from '../../src/util/random.js';
import * as k8s from '../support/kubernetes-names.js';
import { claim, firstRequest, observeDesired, runningClusterStatus, type Doc } from '../support/requests.js';

const SEED = Number(process.env['FC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env['FC_RUNS'] ?? 25);
const CLUSTER_SCOPED = new Set(['minio.crossplane.io/v1']);

const lower = 'abcdefghijklmnopqrstuvwxyz';
const digits = '0123456789';
const chars = (alphabet: string) => fc.constantFrom(...alphabet.split(''));

/** A DNS-1123 label of 1-`max` characters, often exactly `max` long. */
function dnsLabel(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      chars(lower + digits),
      fc.string({ unit: chars(lower + digits + '-'), maxLength: max - 2, size: 'max' }),
      chars(lower + digits),
    )
    .map(([a, middle, z]) => (max === 1 ? a : `${a}${middle}${z}`));
}

/** A claim name: a DNS-1123 subdomain with dots, at most 63 characters (Crossplane copies it into a label value). */
const claimName = fc
  .array(dnsLabel(20), { minLength: 1, maxLength: 4 })
  .chain((parts) => fc.oneof(fc.constant(parts.join('.')), dnsLabel(63)))
  .map((name) => name.slice(0, 63).replace(/[-.]+$/, ''))
  .filter((name) => name.length > 0);

/** A SQL identifier as the schema allows: a-z, 0-9, `_`, not starting with a digit, up to 63 characters. */
const sqlName = fc
  .tuple(chars(lower + '_'), fc.string({ unit: chars(lower + digits + '_'), maxLength: 62, size: 'max' }))
  .map(([a, rest]) => `${a}${rest}`)
  .filter(
    (n) =>
      !(RESERVED_ROLES as readonly string[]).includes(n) &&
      !(RESERVED_DATABASES as readonly string[]).includes(n) &&
      !n.startsWith(RESERVED_ROLE_PREFIX),
  );

const extension = fc
  .tuple(chars(lower + '_'), fc.string({ unit: chars(lower + digits + '_-'), maxLength: 62, size: 'max' }))
  .map(([a, rest]) => `${a}${rest}`);

const parameters = fc
  .record({
    databases: fc.uniqueArray(sqlName, { maxLength: 32, size: 'max' }),
    users: fc.uniqueArray(sqlName, { maxLength: 64, size: 'max' }),
    extensions: fc.uniqueArray(extension, { maxLength: 3 }),
    grantSeeds: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
    keyPrefix: fc.option(fc.constant('PG_APP_DATABASE_CONNECTION_XYZ1'), { nil: undefined }),
    // a Secret name of up to 253 characters, as the schema allows
    secretName: fc.option(
      fc.array(dnsLabel(63), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')),
      { nil: undefined },
    ),
    backup: fc.boolean(),
  })
  .map(({ databases, users, extensions, grantSeeds, keyPrefix, secretName, backup }) => {
    const owned = new Set<string>();
    return {
      databases: databases.map((name, i) => ({ name, extensions: i === 0 ? extensions : [] })),
      // Grants the function accepts: one owner per database, and no user both readOnly and readWrite.
      users: users.map((name, i) => {
        const seed = grantSeeds[i]!;
        const writer = seed % 2 === 0;
        const grants = databases.length === 0 ? [] : [0, 1, 2].slice(0, seed % 4).map((k) => databases[(seed + k * 7) % databases.length]!);
        return {
          name,
          grants: [...new Set(grants)].map((database) => {
            if (!owned.has(database) && seed % 3 === 0) {
              owned.add(database);
              return { database, privileges: 'owner' };
            }
            return { database, privileges: writer ? 'readWrite' : 'readOnly' };
          }),
        };
      }),
      connectionSecret: { ...(keyPrefix ? { keyPrefix } : {}), ...(secretName ? { name: secretName } : {}) },
      backup: { enabled: backup },
    };
  });

function problems(object: Doc, namespace: string): string[] {
  const kind = String(object['kind']);
  const apiVersion = String(object['apiVersion']);
  const metadata = object['metadata'] as Doc;
  const name = String(metadata['name']);
  const out: string[] = [];
  out.push(...k8s.dns1123Subdomain(name));
  // Its name becomes Service names, and StackGres adds suffixes of its own (src/compose/names.ts keeps 40 for it).
  if (kind === 'SGCluster') out.push(...k8s.dns1035Label(name), ...(name.length > 40 ? [`SGCluster name "${name}" is longer than 40`] : []));
  if (kind === 'Bucket') out.push(...k8s.dns1123Label(name), ...(name.length < 3 ? [`bucket "${name}" is shorter than 3`] : []));
  if (!CLUSTER_SCOPED.has(apiVersion) && metadata['namespace'] !== namespace) out.push(`${kind} ${name} is not in namespace ${namespace}`);
  for (const [key, value] of Object.entries((metadata['labels'] ?? {}) as Record<string, string>)) {
    out.push(...k8s.qualifiedName(key), ...k8s.labelValue(value));
  }
  for (const key of Object.keys((metadata['annotations'] ?? {}) as Record<string, string>)) out.push(...k8s.qualifiedName(key));
  // Selectors are label keys and values too (NetworkPolicy, PodMonitor).
  const selectors = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(selectors);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Doc)) {
        if (key === 'matchLabels') {
          for (const [k, v] of Object.entries(value as Record<string, string>)) out.push(...k8s.qualifiedName(k), ...k8s.labelValue(v));
        } else selectors(value);
      }
    }
  };
  selectors(object['spec']);
  if (kind === 'Secret' || kind === 'ConfigMap') {
    for (const key of Object.keys((object['data'] ?? {}) as Doc)) out.push(...k8s.dataKey(key));
  }
  return out.map((p) => `${kind} ${name}: ${p}`);
}

describe('composed metadata at the limits (property)', () => {
  it(`is valid for the API server (seed ${SEED}, ${RUNS} runs)`, () => {
    // eslint-disable-next-line no-console
    console.log(`metadata property test: FC_SEED=${SEED} FC_RUNS=${RUNS}`);
    fc.assert(
      fc.property(claimName, dnsLabel(63), parameters, (name, namespace, params) => {
        const first = firstRequest(claim(params, name, namespace));
        const rsp1 = runFunction(first, { random: seededRandom('property') });
        const fatal = rsp1.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message);
        expect(fatal).toEqual([]);
        const steady = observeDesired(first, rsp1, runningClusterStatus(1));
        const rsp2 = runFunction(steady, { random: seededRandom('property') });
        expect(rsp2.results.filter((r) => r.severity === Severity.SEVERITY_FATAL).map((r) => r.message)).toEqual([]);
        for (const rsp of [rsp1, rsp2]) {
          const found = Object.values(rsp.desired!.resources).flatMap((r) => problems(r.resource as Doc, namespace));
          expect(found).toEqual([]);
        }
      }),
      // Shrinking claims of 64 users takes minutes; the failing claim and every problem in it are printed as they are.
      { seed: SEED, numRuns: RUNS, endOnFailure: process.env['FC_SHRINK'] === undefined },
    );
  });
});
