// For each rendered file, the third-party CRD files (under the shared CRD folder) whose group and kind the file uses,
// for `crossplane resource validate`. Crossplane's own kinds (Usage, …) are left out: they are validated against the
// CRDs of the Crossplane core module we test against (pre-filled into validate's cache by crank.sh), not against the
// copies of other Crossplane versions in crossplane-v1/ and crossplane-v2/. Core Kubernetes kinds have no CRD.
//
// usage: node test/render/crds.mjs <crd-root> <rendered.yaml>...
// prints one line per rendered file: <rendered.yaml> TAB <comma-separated CRD files> TAB <space-separated uncovered group/kind>
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';

const CROSSPLANE_GROUPS = /^(apiextensions|pkg|protection|ops)\.crossplane\.io$/;
const SKIPPED_FOLDERS = new Set(['crossplane-v1', 'crossplane-v2']);

const [root, ...rendered] = process.argv.slice(2);
if (!root || rendered.length === 0) {
  process.stderr.write('usage: node test/render/crds.mjs <crd-root> <rendered.yaml>...\n');
  process.exit(2);
}

/** group/kind -> CRD file */
const index = new Map();
for (const folder of readdirSync(root).sort()) {
  const dir = join(root, folder);
  if (SKIPPED_FOLDERS.has(folder) || !statSync(dir).isDirectory()) continue;
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const crd = parseDocument(readFileSync(join(dir, file), 'utf8')).toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    index.set(`${crd.spec.group}/${crd.spec.names.kind}`, join(dir, file));
  }
}

for (const file of rendered) {
  const files = new Set();
  const uncovered = new Set();
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS())) {
    if (!doc?.apiVersion) continue;
    const group = doc.apiVersion.includes('/') ? doc.apiVersion.split('/')[0] : '';
    const key = `${group}/${doc.kind}`;
    if (index.has(key)) files.add(index.get(key));
    else if (!CROSSPLANE_GROUPS.test(group) && group !== 'dbaas.dev') uncovered.add(key);
  }
  process.stdout.write(`${file}\t${[...files].sort().join(',')}\t${[...uncovered].sort().join(' ')}\n`);
}
