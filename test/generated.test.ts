/** The committed XRD, input CRD and API reference are exactly what the zod schemas generate; the image and the harnesses agree. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../src/cli/generated-files.js';
import { REPO } from './support/paths.js';

describe('generated files', () => {
  it.each(Object.entries(generatedFiles()))('%s is up to date (run `npm run generate`)', (path, content) => {
    expect(readFileSync(join(REPO, path), 'utf8')).toBe(content);
  });
});

describe('one way to run the function', () => {
  it('the image and the test harnesses start node with the same flags', () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(join(REPO, 'Dockerfile'), 'utf8'))?.[1];
    const imageFlags = (JSON.parse(entrypoint ?? '[]') as string[]).filter((arg) => arg.startsWith('--'));
    const harnessFlags = /^E2E_FUNCTION_NODE_FLAGS="([^"]*)"$/m.exec(readFileSync(join(REPO, 'test/e2e/lib.sh'), 'utf8'))?.[1];
    expect(imageFlags.length).toBeGreaterThan(0);
    expect(harnessFlags?.split(' ')).toEqual(imageFlags);
  });
});
