/** The committed XRD, input CRD and API reference are exactly what the zod schemas generate. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../src/cli/generated-files.js';
import { REPO } from './support/paths.js';

describe('generated files', () => {
  it.each(Object.entries(generatedFiles()))('%s is up to date (run `npm run generate`)', (path, content) => {
    expect(readFileSync(join(REPO, path), 'utf8')).toBe(content);
  });
});
