// Normalises a golden first render (test/golden/<example>.first.yaml, made in-process with a seeded random source) and
// the output of `crossplane render` over gRPC for the same XR, so the two can be compared with `diff -u`.
//
// usage: node test/render/normalise.mjs <golden.yaml> <rendered.yaml> <out-dir> [--without-xr-spec]
// writes  <out-dir>/expected.yaml   the golden render, normalised
//         <out-dir>/actual.yaml     crossplane render's output, normalised
//         <out-dir>/validate.yaml   crossplane render's XR and composed objects, unchanged (input of resource validate)
//
// What is normalised, and why:
// - Only on the rendered side, what Crossplane itself adds and the function never returns: the controller
//   ownerReference to the XR, the labels crossplane.io/composite, claim-name and claim-namespace, a generateName
//   "<xr>-", the `step` of a Result, the XR's system condition `Ready` and every condition's lastTransitionTime.
//   Since Crossplane v2.3 the CLI's `composition render` runs the core's real XR reconciler (internal/render/composite,
//   v2.3.4), which also adds: the XR's resourceRefs (spec.crossplane.resourceRefs, or spec.resourceRefs when the XRD
//   says LegacyCluster), its conditions Synced (ReconcileSuccess) and Responsive (WatchCircuitClosed), a LegacyCluster
//   XR's status.claimConditionTypes (the types of the conditions the function set, for the claim), a UID for
//   the XR (UUIDv5 of "<gvk>\0<namespace>\0<name>", so deterministic) that the ownerReferences carry, and the
//   reconciler's events as Results without a step: "Successfully selected composition: <one of ours>" and
//   'Composed resource "<name>" is not yet ready' for a composed object rendered under that name.
//   Each is dropped only when it has exactly the value Crossplane derives from the XR and the composed objects (the
//   resourceRefs must name exactly the composed objects rendered); anything else stays and shows up in the diff.
// - On both sides, Secret data is base64-decoded (a readable diff), and every password (the decoded value of a
//   `password` or `*_PASSWORD` key) is replaced, wherever it occurs in a Secret's values (uri, PG_URL, …), by
//   <password-N>, numbered in order of first appearance over the Secrets sorted by composition resource name. So the
//   superuser and connection Secrets must still share one password, each user Secret must have its own, and URLs must
//   embed the right one. A rendered password must be 32 base62 characters, or it is left as it is (and differs).
// - With --without-xr-spec, the XR's spec is dropped on both sides: for a render with `--xrd`, where the CLI applies the
//   XRD's defaults to the input XR first (as the API server does in a cluster), so the spec is no longer the claim's.
// - Documents are ordered XR, composed objects by composition resource name, Results; keys are sorted.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

const RESOURCE_NAME = 'crossplane.io/composition-resource-name';
// A claim's cluster-scoped XR, or Crossplane 2's namespaced XR.
const XR_KINDS = new Set(['XPostgreSQLInstance', 'PostgreSQL']);
const STEP = 'compose-postgresql';
// The repo's Compositions (compositions/*.yaml), the only ones Crossplane may report selecting.
const COMPOSITIONS = new Set(['xpostgresqlinstances.dbaas.dev', 'postgresqls.dbaas.dev']);

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

/** The UID `composition render` gives an XR that has none: Go's uuid.NewSHA1(uuid.Nil, gvk + NUL + namespace + NUL + name). */
function renderUid(xr) {
  const [group, version] = String(xr.apiVersion).includes('/') ? xr.apiVersion.split('/') : ['', xr.apiVersion];
  const gvk = `${group}/${version}, Kind=${xr.kind}`;
  const bytes = createHash('sha1')
    .update(Buffer.alloc(16))
    .update(`${gvk}\0${xr.metadata?.namespace ?? ''}\0${xr.metadata?.name ?? ''}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The XR's conditions Crossplane's reconciler sets on success; dropped only with exactly these values.
const SYSTEM_CONDITIONS = [
  { type: 'Synced', status: 'True', reason: 'ReconcileSuccess' },
  { type: 'Responsive', status: 'True', reason: 'WatchCircuitClosed' },
];
const isSystemCondition = ({ lastTransitionTime, ...c }) => c.type === 'Ready' || SYSTEM_CONDITIONS.some((s) => sameJson(s, c));

/**
 * A reference to every composed object, as Crossplane lists them in the XR's resourceRefs (order aside). A namespaced
 * XR's references carry no namespace (its composed objects are all in its own); a cluster XR's name it when set.
 */
const refKey = (r) => JSON.stringify([r.apiVersion, r.kind, r.namespace ?? '', r.name]);
function sameRefs(refs, composed, xrNamespace) {
  if (!Array.isArray(refs)) return false;
  const namespaceOf = (d) => (xrNamespace && d.metadata?.namespace === xrNamespace ? undefined : d.metadata?.namespace);
  const want = composed.map((d) => refKey({ apiVersion: d.apiVersion, kind: d.kind, namespace: namespaceOf(d), name: d.metadata?.name })).sort();
  const got = refs.map((r) => (Object.keys(r).every((k) => ['apiVersion', 'kind', 'namespace', 'name'].includes(k)) ? refKey(r) : '?')).sort();
  return JSON.stringify(want) === JSON.stringify(got);
}

/** The XR's spec without the resourceRefs Crossplane writes, when they name exactly the composed objects. */
function stripResourceRefs(spec, composed, xrNamespace) {
  if (!isObject(spec)) return spec;
  const out = { ...spec };
  if (isObject(out.crossplane) && sameRefs(out.crossplane.resourceRefs, composed, xrNamespace)) {
    const { resourceRefs, ...rest } = out.crossplane;
    if (Object.keys(rest).length > 0) out.crossplane = rest;
    else delete out.crossplane;
  }
  if (sameRefs(out.resourceRefs, composed, xrNamespace)) delete out.resourceRefs;
  return out;
}

/** Drops what Crossplane adds to the XR and to composed objects, when it is exactly what Crossplane would add. */
function stripCrossplane(docs) {
  const xr = docs.find((d) => XR_KINDS.has(d.kind));
  const xrLabels = xr?.metadata?.labels ?? {};
  const prefix = xrLabels['crossplane.io/composite'] || xr?.metadata?.name;
  const claimName = xrLabels['crossplane.io/claim-name'] ?? xr?.spec?.claimRef?.name;
  const claimNamespace = xrLabels['crossplane.io/claim-namespace'] ?? xr?.spec?.claimRef?.namespace;
  const composed = docs.filter((d) => d !== xr && !(d.apiVersion === 'render.crossplane.io/v1beta1'));
  const xrUid = xr?.metadata?.uid ?? (xr ? renderUid(xr) : '');
  return docs.map((doc) => {
    if (doc === xr) {
      const status = doc.status && { ...doc.status };
      if (Array.isArray(status?.conditions)) {
        status.conditions = status.conditions
          .filter((c) => !isSystemCondition(c))
          .map(({ lastTransitionTime, ...rest }) => rest);
      }
      const functionConditionTypes = (doc.status?.conditions ?? []).filter((c) => !isSystemCondition(c)).map((c) => c.type);
      if (Array.isArray(status?.claimConditionTypes) && sameJson([...status.claimConditionTypes].sort(), functionConditionTypes.sort())) {
        delete status.claimConditionTypes;
      }
      const out = { ...doc };
      if (status) out.status = status;
      if (doc.spec !== undefined) out.spec = stripResourceRefs(doc.spec, composed, doc.metadata?.namespace);
      return out;
    }
    if (doc.apiVersion === 'render.crossplane.io/v1beta1' && doc.kind === 'Result') {
      if (isReconcilerEvent(doc, composed)) return undefined;
      const { step, ...rest } = doc;
      return step === STEP ? rest : doc;
    }
    const metadata = { ...(doc.metadata ?? {}) };
    const owner = { apiVersion: xr?.apiVersion, kind: xr?.kind, name: xr?.metadata?.name, uid: xrUid, controller: true, blockOwnerDeletion: true };
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
  }).filter((doc) => doc !== undefined);
}

/** One of the XR reconciler's own events, which `composition render` (v2.3+) lists as Results without a step. */
function isReconcilerEvent(result, composed) {
  if (result.step !== undefined || result.severity !== 'Normal') return false;
  const names = new Set(composed.map(resourceName));
  const selected = /^Successfully selected composition: (.+)$/.exec(result.message ?? '');
  const notReady = /^Composed resource "(.+)" is not yet ready$/.exec(result.message ?? '');
  const keys = Object.keys(result).sort().join(',');
  if (keys !== 'apiVersion,kind,message,reason,severity') return false;
  return (result.reason === 'SelectComposition' && selected !== null && COMPOSITIONS.has(selected[1]))
    || (result.reason === 'ComposeResources' && notReady !== null && names.has(notReady[1]));
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
const renderedAsIs = read(renderedPath);
const rendered = withoutXrSpec(renderedAsIs);
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'expected.yaml'), text(placeholdPasswords(golden, { checkFormat: false })));
writeFileSync(join(outDir, 'actual.yaml'), text(placeholdPasswords(stripCrossplane(rendered), { checkFormat: true })));
// validated as rendered, XR spec included (also for --without-xr-spec, which only narrows the comparison)
const forValidation = renderedAsIs.filter((d) => !(d.apiVersion === 'render.crossplane.io/v1beta1'));
writeFileSync(join(outDir, 'validate.yaml'), forValidation.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join(''));
