// For each rendered file, the third-party CRD files (under the shared CRD folder, and our own providers' CRDs in
// provider-*/package/crds of this repository) whose group and kind the file uses, for `crossplane resource validate`.
// Crossplane's own kinds (Usage, …) are left out: they are validated against the CRDs of the Crossplane core module we
// test against (pre-filled into validate's cache by crank.sh), not against the
// copies of other Crossplane versions in crossplane-v1/ and crossplane-v2/. Core Kubernetes kinds have no CRD.
//
// usage: node test/render/crds.mjs <crd-root> <rendered.yaml>...
// prints one line per rendered file: <rendered.yaml> TAB <comma-separated CRD files> TAB <space-separated uncovered group/kind>
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parseDocument } from 'yaml';

/** Our own providers' CRDs, generated into this repository beside their code (not into the shared CRD folder). */
const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const OWN_PROVIDER_CRDS = [join(REPO, 'provider-scalingo/package/crds')];

const CROSSPLANE_GROUPS = /^(apiextensions|pkg|protection|ops)\.crossplane\.io$/;
const SKIPPED_FOLDERS = new Set(['crossplane-v1', 'crossplane-v2']);

const [root, ...rendered] = process.argv.slice(2);
if (!root || rendered.length === 0) {
  process.stderr.write('usage: node test/render/crds.mjs <crd-root> <rendered.yaml>...\n');
  process.exit(2);
}

/** group/kind -> CRD file */
const index = new Map();
const folders = readdirSync(root)
  .sort()
  .filter((folder) => !SKIPPED_FOLDERS.has(folder))
  .map((folder) => join(root, folder));
for (const dir of [...folders, ...OWN_PROVIDER_CRDS.filter((d) => existsSync(d))]) {
  if (!statSync(dir).isDirectory()) continue;
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
