/**
 * Whole renders of every example, first reconcile and steady state, compared byte for byte with test/golden.
 * `npm run golden` rewrites them after an intended change; review the diff.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenRenders } from '../src/cli/golden-renders.js';
import { REPO } from './support/paths.js';

const renders = goldenRenders(REPO);

describe('golden renders', () => {
  it('covers every example', () => {
    const examples = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.yaml')).length;
    expect(Object.keys(renders)).toHaveLength(examples * 2);
  });

  it.each(Object.entries(renders))('%s matches', (path, content) => {
    const file = join(REPO, path);
    expect(existsSync(file)).toBe(true);
    expect(content).toBe(readFileSync(file, 'utf8'));
  });
});
