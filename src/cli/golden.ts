/** `npm run golden`: rewrites test/golden from the examples. Review the diff before committing it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { goldenRenders } from './golden-renders.js';

for (const [path, content] of Object.entries(goldenRenders(process.cwd()))) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote ${path}`);
}
