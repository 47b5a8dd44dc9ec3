/**
 * `npm run render -- examples/<claim>.yaml [--observed <dir or file>] [--composition <file>] [--seed <text>]`
 * prints what the function composes for a claim, as YAML, with no cluster.
 */
import { claimToComposite, render } from '../render.js';
import { seededRandom } from '../util/random.js';
import { toYaml } from '../util/yaml.js';
import { compositionInput, readDocuments } from './render-files.js';

const DEFAULT_COMPOSITION = 'compositions/xpostgresqlinstances.dbaas.dev.yaml';
const USAGE =
  'usage: npm run render -- <claim.yaml> [--observed <dir|file>] [--extra <dir|file>] [--composition <file>] [--seed <text>]';

function main(argv: string[]): number {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const value = argv[++i];
      if (value === undefined) return usage(`${arg} needs a value`);
      flags.set(arg.slice(2), value);
    } else positional.push(arg);
  }
  const unknown = [...flags.keys()].filter((f) => !['observed', 'extra', 'composition', 'seed'].includes(f));
  if (positional.length !== 1 || unknown.length > 0) return usage(unknown.length ? `unknown flag --${unknown[0]}` : 'one claim file expected');
  const claim = readDocuments(positional[0]!).find((d) => d['kind'] === 'PostgreSQLInstance');
  if (!claim) return usage(`${positional[0]} holds no PostgreSQLInstance`);
  const observedPath = flags.get('observed');
  const extraPath = flags.get('extra');
  const seed = flags.get('seed');
  const input = compositionInput(flags.get('composition') ?? DEFAULT_COMPOSITION);
  const rendered = render(claimToComposite(claim), {
    ...(observedPath ? { observed: readDocuments(observedPath) } : {}),
    ...(extraPath ? { extra: readDocuments(extraPath) } : {}),
    ...(input ? { input } : {}),
    ...(seed ? { random: seededRandom(seed) } : {}),
  });
  process.stdout.write(rendered.documents.map((d) => `---\n${toYaml(d)}`).join(''));
  if (rendered.fatal) {
    process.stderr.write('render: the function returned a Fatal result (see the Result document)\n');
    return 1;
  }
  return 0;
}

function usage(problem: string): number {
  process.stderr.write(`render: ${problem}\n${USAGE}\n`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
