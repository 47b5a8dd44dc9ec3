/** One Node.js major everywhere: the image, `engines`, the types, and the binary .ci/run installs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './support/paths.js';

const read = (file: string) => readFileSync(join(REPO, file), 'utf8');
const LTS_MAJOR = 24;

describe('Node.js LTS', () => {
  it.each([
    ['Dockerfile build stages', () => [...read('Dockerfile').matchAll(/^FROM node:(\d+)-/gm)].map((m) => m[1])],
    ['Dockerfile runtime', () => [/^FROM gcr\.io\/distroless\/nodejs(\d+)-/m.exec(read('Dockerfile'))?.[1]]],
    ['package.json engines', () => [/^>=(\d+)$/.exec(JSON.parse(read('package.json')).engines.node)?.[1]]],
    ['@types/node', () => [/^\^(\d+)\./.exec(JSON.parse(read('package.json')).devDependencies['@types/node'])?.[1]]],
    ['.ci/node-lts.sh', () => [/NODE_LTS_VERSION:-(\d+)\./.exec(read('.ci/node-lts.sh'))?.[1]]],
    ['.ci/run', () => [/-lt (\d+) \]/.exec(read('.ci/run'))?.[1]]],
  ])(`%s is Node ${LTS_MAJOR}`, (_where, majors) => {
    const found = majors();
    expect(found.length).toBeGreaterThan(0);
    for (const major of found) expect(major).toBe(String(LTS_MAJOR));
  });
});
