/** `npm run generate`: writes the XRD, the function-input CRD and the API reference from the zod schemas. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generatedFiles } from './generated-files.js';

for (const [path, content] of Object.entries(generatedFiles())) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote ${path}`);
}
