// Normalises a golden first render (test/golden/<example>.first.yaml, made in-process with a seeded random source) and
// the output of `crossplane render` over gRPC for the same XR, so the two can be compared with `diff -u`.
//
// usage: node test/render/normalise.mjs <golden.yaml> <rendered.yaml> <out-dir> [--without-xr-spec]
// writes  <out-dir>/expected.yaml   the golden render, normalised
//         <out-dir>/actual.yaml     crossplane render's output, normalised
//         <out-dir>/validate.yaml   crossplane render's XR and composed objects, unchanged (input of beta validate)
//
// What is normalised, and why:
// - Only on the rendered side, what Crossplane itself adds and the function never returns (render.go,
//   SetComposedResourceMetadata, crossplane v2.2.1): the controller ownerReference to the XR, the labels
//   crossplane.io/composite, claim-name and claim-namespace, a generateName "<xr>-", the `step` of a Result, the XR's
//   system condition `Ready` and every condition's lastTransitionTime. Each is dropped only when it has exactly the
//   value Crossplane derives from the XR; anything else stays and shows up in the diff.
// - On both sides, Secret data is base64-decoded (a readable diff), and every password (the decoded value of a
//   `password` or `*_PASSWORD` key) is replaced, wherever it occurs in a Secret's values (uri, PG_URL, …), by
//   <password-N>, numbered in order of first appearance over the Secrets sorted by composition resource name. So the
//   superuser and connection Secrets must still share one password, each user Secret must have its own, and URLs must
//   embed the right one. A rendered password must be 32 base62 characters, or it is left as it is (and differs).
// - With --without-xr-spec, the XR's spec is dropped on both sides: for a render with `--xrd`, where crank applies the
//   XRD's defaults to the input XR first (as the API server does in a cluster), so the spec is no longer the claim's.
// - Documents are ordered XR, composed objects by composition resource name, Results; keys are sorted.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const RESOURCE_NAME = 'crossplane.io/composition-resource-name';
// A claim's cluster-scoped XR, or Crossplane 2's namespaced XR.
const XR_KINDS = new Set(['XPostgreSQLInstance', 'PostgreSQL']);
const STEP = 'compose-postgresql';

const [goldenPath, renderedPath, outDir, option] = process.argv.slice(2);
if (!outDir || (option !== undefined && option !== '--without-xr-spec')) {
  process.stderr.write('usage: node test/render/normalise.mjs <golden.yaml> <rendered.yaml> <out-dir> [--without-xr-spec]\n');
  process.exit(2);
}

function read(path) {
  return parseAllDocuments(readFileSync(path, 'utf8')).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0].message}`);
    const value = doc.toJS();
    return value ? [value] : [];
  });
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const sortKeys = (v) =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : isObject(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]))
      : v;
const resourceName = (doc) => doc?.metadata?.annotations?.[RESOURCE_NAME] ?? '';
const sameJson = (a, b) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));

/** Drops what Crossplane adds to the XR and to composed objects, when it is exactly what Crossplane would add. */
function stripCrossplane(docs) {
  const xr = docs.find((d) => XR_KINDS.has(d.kind));
  const xrLabels = xr?.metadata?.labels ?? {};
  const prefix = xrLabels['crossplane.io/composite'] || xr?.metadata?.name;
  const claimName = xrLabels['crossplane.io/claim-name'] ?? xr?.spec?.claimRef?.name;
  const claimNamespace = xrLabels['crossplane.io/claim-namespace'] ?? xr?.spec?.claimRef?.namespace;
  return docs.map((doc) => {
    if (doc === xr) {
      const status = doc.status && { ...doc.status };
      if (Array.isArray(status?.conditions)) {
        status.conditions = status.conditions
          .filter((c) => c.type !== 'Ready')
          .map(({ lastTransitionTime, ...rest }) => rest);
      }
      return status ? { ...doc, status } : doc;
    }
    if (doc.apiVersion === 'render.crossplane.io/v1beta1' && doc.kind === 'Result') {
      const { step, ...rest } = doc;
      return step === STEP ? rest : doc;
    }
    const metadata = { ...(doc.metadata ?? {}) };
    const owner = { apiVersion: xr?.apiVersion, kind: xr?.kind, name: xr?.metadata?.name, uid: xr?.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
    if (Array.isArray(metadata.ownerReferences) && metadata.ownerReferences.length === 1 && sameJson(metadata.ownerReferences[0], owner)) {
      delete metadata.ownerReferences;
    }
    if (metadata.generateName === `${prefix}-`) delete metadata.generateName;
    const labels = { ...(metadata.labels ?? {}) };
    const added = { 'crossplane.io/composite': prefix, 'crossplane.io/claim-name': claimName, 'crossplane.io/claim-namespace': claimNamespace };
    for (const [key, value] of Object.entries(added)) if (value !== undefined && labels[key] === value) delete labels[key];
    if (Object.keys(labels).length > 0) metadata.labels = labels;
    else delete metadata.labels;
    return { ...doc, metadata };
  });
}

/** Decodes Secret data and replaces every password by a numbered placeholder. */
function placeholdPasswords(docs, { checkFormat }) {
  const secrets = docs.filter((d) => d.apiVersion === 'v1' && d.kind === 'Secret').sort((a, b) => resourceName(a).localeCompare(resourceName(b)));
  const decoded = new Map();
  for (const secret of secrets) {
    const values = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) values[k] = Buffer.from(String(v), 'base64').toString('utf8');
    decoded.set(secret, values);
  }
  const passwords = [];
  for (const secret of secrets) {
    const values = { ...decoded.get(secret), ...(secret.stringData ?? {}) };
    for (const [k, v] of Object.entries(values)) {
      if (!/^(.*_)?password$/i.test(k) || typeof v !== 'string' || passwords.includes(v)) continue;
      if (checkFormat && !/^[A-Za-z0-9]{32}$/.test(v)) continue;
      passwords.push(v);
    }
  }
  const replace = (s) => passwords.reduce((acc, p, i) => acc.split(p).join(`<password-${i + 1}>`), String(s));
  return docs.map((doc) => {
    if (!decoded.has(doc)) return doc;
    const out = { ...doc };
    if (doc.data) {
      delete out.data;
      out['data (base64-decoded)'] = Object.fromEntries(Object.entries(decoded.get(doc)).map(([k, v]) => [k, replace(v)]));
    }
    if (doc.stringData) out.stringData = Object.fromEntries(Object.entries(doc.stringData).map(([k, v]) => [k, replace(v)]));
    return out;
  });
}

function order(docs) {
  const rank = (d) => (XR_KINDS.has(d.kind) ? 0 : d.kind === 'Result' && d.apiVersion === 'render.crossplane.io/v1beta1' ? 2 : 1);
  return docs
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d) - rank(b.d) || (rank(a.d) === 1 ? resourceName(a.d).localeCompare(resourceName(b.d)) : a.i - b.i))
    .map(({ d }) => d);
}

const text = (docs) => order(docs).map((d) => `---\n${stringify(sortKeys(d), { lineWidth: 0 })}`).join('');

const withoutXrSpec = (docs) =>
  option === '--without-xr-spec' ? docs.map((d) => (XR_KINDS.has(d.kind) ? (({ spec, ...rest }) => rest)(d) : d)) : docs;
const golden = withoutXrSpec(read(goldenPath));
const rendered = withoutXrSpec(read(renderedPath));
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'expected.yaml'), text(placeholdPasswords(golden, { checkFormat: false })));
writeFileSync(join(outDir, 'actual.yaml'), text(placeholdPasswords(stripCrossplane(rendered), { checkFormat: true })));
const forValidation = rendered.filter((d) => !(d.apiVersion === 'render.crossplane.io/v1beta1'));
writeFileSync(join(outDir, 'validate.yaml'), forValidation.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join(''));
