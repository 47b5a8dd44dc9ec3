// Prints the XR that Crossplane's claim controller would make of the claim in the given file (a namespaced
// PostgreSQL is its own XR), exactly as the golden
// renders make it (claimToComposite and withRenderUid from the built dist/render.js), so `crossplane render` gets the same input.
// usage: node test/render/xr.mjs examples/<claim>.yaml > xr.yaml
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { claimToComposite, withRenderUid } from '../../dist/render.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node test/render/xr.mjs <claim.yaml>\n');
  process.exit(2);
}
const claim = parseAllDocuments(readFileSync(file, 'utf8'))
  .map((doc) => doc.toJS())
  .find((doc) => doc?.kind === 'PostgreSQLInstance' || doc?.kind === 'PostgreSQL');
if (!claim) {
  process.stderr.write(`${file}: no PostgreSQLInstance or PostgreSQL\n`);
  process.exit(2);
}
process.stdout.write(stringify(withRenderUid(claimToComposite(claim))));
