/**
 * `npm run render -- examples/<claim>.yaml [flags]` prints what the function composes for a claim, as YAML on stdout,
 * with no cluster, and a short summary for a person on stderr. `--help` lists the flags.
 */
import { claimToComposite, compositionFileFor, isInstanceDocument, render, summarize } from '../render.js';
import { seededRandom } from '../util/random.js';
import { toYaml } from '../util/yaml.js';
import { compositionInput, readDocuments } from './render-files.js';


const HELP = `usage: npm run render -- <claim.yaml> [flags]

Renders one PostgreSQLInstance claim (or namespaced PostgreSQL XR) without a cluster, as \`crossplane render\` does:
the function runs in-process on the XR Crossplane would make of the claim. stdout gets YAML only: the XR with its new status, every composed object
(annotated with its composition key), then the function's results (kind Result). stderr gets a summary for a person:
each composed object's kind, name and readiness, the XR's conditions, and any warnings or Fatal result.
In pipes, use \`npm run -s render -- …\` (or \`node dist/cli/render.js …\` after \`npm run build\`) so that npm's own
banner stays off stdout.

flags:
  --observed <dir|file>   objects that already exist, each annotated crossplane.io/composition-resource-name: <key>
                          (e.g. from an earlier render): renders a later reconcile instead of the first
  --extra <dir|file>      other objects in the cluster the function may ask for: SGBackups, other instances'
                          SGClusters (restore), a user's Role (teardown)
  --composition <file>    the Composition whose function step input (the platform's choices) is used
                          [default compositions/<the kind's XRD name>.yaml]
  --seed <text>           generate passwords from this text, so two renders are byte-identical [default: random]
  -q, --quiet             no summary on stderr
  -h, --help              this text

exit code: 0 rendered; 1 the function refused the claim (a Fatal result; its Result document is on stdout);
2 bad usage or an unreadable file.`;

const VALUE_FLAGS = ['observed', 'extra', 'composition', 'seed'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

class UsageError extends Error {}

interface Args {
  readonly claimFile: string;
  readonly values: ReadonlyMap<ValueFlag, string>;
  readonly quiet: boolean;
}

function parseArgs(argv: readonly string[]): Args | 'help' {
  const values = new Map<ValueFlag, string>();
  const positional: string[] = [];
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '-q' || arg === '--quiet') {
      quiet = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = flag.replace(/^--/, '') as ValueFlag;
    if (!flag.startsWith('--') || !VALUE_FLAGS.includes(name)) throw new UsageError(`unknown flag ${flag}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    values.set(name, value);
  }
  if (positional.length !== 1) throw new UsageError(positional.length ? `one claim file expected, not ${positional.length}` : 'which claim? one claim file expected');
  return { claimFile: positional[0]!, values, quiet };
}

function main(argv: string[]): number {
  let args: Args | 'help';
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    throw error;
  }
  if (args === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  let claim: Record<string, unknown> | undefined;
  let observed: Record<string, unknown>[] | undefined;
  let extra: Record<string, unknown>[] | undefined;
  let input: Record<string, unknown> | undefined;
  try {
    claim = readDocuments(args.claimFile).find(isInstanceDocument);
    const observedPath = args.values.get('observed');
    const extraPath = args.values.get('extra');
    observed = observedPath ? readDocuments(observedPath) : undefined;
    extra = extraPath ? readDocuments(extraPath) : undefined;
    input = compositionInput(args.values.get('composition') ?? compositionFileFor(claim ?? {}));
  } catch (error) {
    process.stderr.write(`render: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (!claim) return usage(`${args.claimFile} holds no PostgreSQLInstance or PostgreSQL`);
  const seed = args.values.get('seed');
  const rendered = render(claimToComposite(claim), {
    ...(observed ? { observed } : {}),
    ...(extra ? { extra } : {}),
    ...(input ? { input } : {}),
    ...(seed ? { random: seededRandom(seed) } : {}),
  });
  process.stdout.write(rendered.documents.map((d) => `---\n${toYaml(d)}`).join(''));
  if (!args.quiet) process.stderr.write(summarize(rendered, claim));
  return rendered.fatal ? 1 : 0;
}

function usage(problem: string): number {
  process.stderr.write(`render: ${problem}\n(npm run render -- --help lists the flags)\n`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
