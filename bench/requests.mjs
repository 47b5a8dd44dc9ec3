#!/usr/bin/env node
// Writes the RunFunctionRequest bodies the benchmark sends, as proto3 JSON for ghz (`-D FILE`):
//   OUT/ours-<claim>.json     for function-postgresql (the Composition's real step input)
//   OUT/pat-<claim>.json      the same observed/desired state, input bench/peers/pat-<claim>.yaml
//   OUT/gotmpl-<claim>.json   the same observed/desired state, input bench/peers/gotmpl-<claim>.yaml
//   OUT/noop-<claim>.json     = ours (the no-op server ignores the input)
// Each is a steady reconcile, as Crossplane sends it once everything exists: the XR with the status the function
// gave it, every composed object observed (with the status the operator/providers write, as the golden steady
// renders have it), and the required resources already resolved ('sg-backups': an empty list), so the function
// answers without asking for more. Built with dist/ (run `npm run build` first).
// Usage: node bench/requests.mjs OUT_DIR [claim ...]     (claims: examples/<claim>.yaml; default minimal full)
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { claimToComposite, render, renderRequest } = await import(join(repo, 'dist/render.js'));
const { runFunction } = await import(join(repo, 'dist/function.js'));
const { seededRandom } = await import(join(repo, 'dist/util/random.js'));
const { compositionInput, readDocuments } = await import(join(repo, 'dist/cli/render-files.js'));

/** What the operator and providers write once things run (the same as src/cli/golden-renders.ts). */
function running(object) {
  if (object.spec?.providerConfigRef) {
    return { ...object, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Available' }] } };
  }
  if (object.kind !== 'SGCluster') return object;
  return {
    ...object,
    status: {
      conditions: [{ type: 'Bootstrapped', status: 'True', reason: 'ClusterBootstrapped' }],
      instances: object.spec.instances,
      postgresVersion: String(object.spec.postgres.version) + '.6',
    },
  };
}

/** The object Crossplane observes for a desired Secret: the API server turns stringData into base64 data. */
function asStored(object) {
  if (object.kind !== 'Secret' || !object.stringData) return object;
  const data = { ...(object.data ?? {}) };
  for (const [k, v] of Object.entries(object.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  const { stringData: _drop, ...rest } = object;
  return { ...rest, data };
}

const RESOURCE_NAME = 'crossplane.io/composition-resource-name';

/** One claim's steady request (as a RunFunctionRequest object) and the desired resources our function returns. */
export function steady(claimName) {
  const input = compositionInput(join(repo, 'compositions/xpostgresqlinstances.dbaas.dev.yaml'));
  const claim = readDocuments(join(repo, 'examples', `${claimName}.yaml`)).find((d) => d.kind === 'PostgreSQLInstance');
  const composite = claimToComposite(claim);
  const options = { ...(input ? { input } : {}), random: seededRandom(`bench/${claimName}`) };
  const first = render(composite, options);
  const observed = first.response.desired.resources;
  const observedDocs = Object.entries(observed).map(([key, r]) => {
    const o = asStored(running(r.resource));
    return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [RESOURCE_NAME]: key } } };
  });
  const xr = { ...composite, status: first.response.desired.composite?.resource?.status ?? {} };
  const req = renderRequest(xr, { ...options, observed: observedDocs });
  // resolve every requirement with what a cluster without backups answers: nothing
  for (let i = 0; i < 3; i++) {
    const rsp = runFunction(req, { random: seededRandom('x') });
    const wanted = Object.keys(rsp.requirements?.resources ?? {}).filter((k) => !req.requiredResources[k]);
    if (wanted.length === 0) return { claim, composite: xr, req, rsp };
    for (const k of wanted) req.requiredResources[k] = { items: [] };
  }
  throw new Error(`${claimName}: requirements do not settle`);
}

/** proto3 JSON of a RunFunctionRequest (Struct fields are plain JSON; bytes are base64). */
function toProtoJson(req, input) {
  const res = (r) => ({
    resource: r.resource,
    connectionDetails: Object.fromEntries(Object.entries(r.connectionDetails ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  });
  const out = {
    meta: { tag: 'bench' },
    observed: {
      composite: res(req.observed.composite),
      resources: Object.fromEntries(Object.entries(req.observed.resources).map(([k, r]) => [k, res(r)])),
    },
    desired: {},
    requiredResources: Object.fromEntries(Object.entries(req.requiredResources).map(([k, v]) => [k, { items: v.items.map(res) }])),
  };
  if (input) out.input = input;
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(repo, 'bench/.out'));
  const claims = process.argv.length > 3 ? process.argv.slice(3) : ['minimal', 'full'];
  mkdirSync(outDir, { recursive: true });
  for (const name of claims) {
    const { req, rsp } = steady(name);
    const ours = toProtoJson(req, req.input);
    writeFileSync(join(outDir, `ours-${name}.json`), JSON.stringify(ours));
    writeFileSync(join(outDir, `noop-${name}.json`), JSON.stringify(ours));
    writeFileSync(join(outDir, `canned-${name}.json`), JSON.stringify(ours));
    for (const peer of ['pat', 'gotmpl']) {
      const file = join(repo, 'bench/peers', `${peer}-${name}.yaml`);
      if (!existsSync(file)) continue;
      const [input] = readDocuments(file);
      writeFileSync(join(outDir, `${peer}-${name}.json`), JSON.stringify(toProtoJson(req, input)));
    }
    const bytes = JSON.stringify(ours).length;
    console.error(`${name}: ${Object.keys(req.observed.resources).length} observed, ${Object.keys(rsp.desired.resources).length} desired, ` +
      `results ${rsp.results.map((r) => r.message).join('; ') || 'none'}, request JSON ${bytes} bytes`);
  }
}
