#!/usr/bin/env node
// Prints COUNT copies of one PostgreSQLInstance claim as multi-document YAML, for bench/scale.sh:
// distinct names (<name>-001, <name>-002, …), spread in blocks over NAMESPACES namespaces (<prefix>-1, …),
// and optionally PARAMS (a JSON object) deep-merged into spec.parameters.
//
// Usage: node bench/scale-claims.mjs CLAIM.yaml COUNT NAMESPACES PREFIX [PARAMS_JSON] > claims.yaml
//        node bench/scale-claims.mjs --namespaces NAMESPACES PREFIX > namespaces.yaml
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';

function fail(message) {
  process.stderr.write(`scale-claims: ${message}\n`);
  process.exit(2);
}

function positiveInt(text, what) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${what} must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

function merge(base, extra) {
  if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) return extra;
  const out = typeof base === 'object' && base !== null && !Array.isArray(base) ? { ...base } : {};
  for (const [k, v] of Object.entries(extra)) out[k] = merge(out[k], v);
  return out;
}

const args = process.argv.slice(2);
const docs = [];
if (args[0] === '--namespaces') {
  const namespaces = positiveInt(args[1], 'NAMESPACES');
  const prefix = args[2] ?? fail('PREFIX missing');
  for (let n = 1; n <= namespaces; n++) docs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${prefix}-${n}` } });
} else {
  const [file, countText, namespacesText, prefix, paramsText] = args;
  if (!file || !prefix) fail('usage: scale-claims.mjs CLAIM.yaml COUNT NAMESPACES PREFIX [PARAMS_JSON]');
  const count = positiveInt(countText, 'COUNT');
  const namespaces = positiveInt(namespacesText, 'NAMESPACES');
  let params = {};
  if (paramsText) {
    try {
      params = JSON.parse(paramsText);
    } catch (e) {
      fail(`PARAMS_JSON is not JSON: ${e.message}`);
    }
  }
  const claim = parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS())
    .find((d) => d && d.kind === 'PostgreSQLInstance');
  if (!claim) fail(`${file} holds no PostgreSQLInstance`);
  const base = claim.metadata.name;
  const width = String(count).length < 3 ? 3 : String(count).length;
  const perNamespace = Math.ceil(count / namespaces);
  for (let i = 1; i <= count; i++) {
    const copy = structuredClone(claim);
    copy.metadata = { ...copy.metadata, name: `${base}-${String(i).padStart(width, '0')}`, namespace: `${prefix}-${Math.floor((i - 1) / perNamespace) + 1}` };
    copy.spec = { ...(copy.spec ?? {}), parameters: merge(copy.spec?.parameters ?? {}, params) };
    docs.push(copy);
  }
}
process.stdout.write(docs.map((d) => stringify(d)).join('---\n'));
