/**
 * `node dist/cli/rules.js <claim.yaml>` prints the alert rules one claim gets, as a Prometheus rules file, so
 * `promtool check rules` and `promtool test rules` can run on exactly what the function composes
 * (test/monitoring/promtool.sh). The rules come from the PrometheusRule's `spec`, which is a rules file as it stands.
 */
import { describeErrors } from '../api/errors.js';
import { parseInstance, parsePlatform } from '../api/parse.js';
import { chooseEngine } from '../engines/choose.js';
import { MONITORING_KEYS, monitoringResources } from '../compose/monitoring.js';
import type { ComposeContext } from '../compose/types.js';
import { claimToComposite, isInstanceDocument } from '../render.js';
import { sortKeys } from '../util/canonical.js';
import { seededRandom } from '../util/random.js';
import { toYaml } from '../util/yaml.js';
import { readDocuments } from './render-files.js';

function fail(message: string): number {
  process.stderr.write(`rules: ${message}\n`);
  return 1;
}

function main(argv: string[]): number {
  if (argv.length !== 1) return fail('usage: node dist/cli/rules.js <claim.yaml>');
  const claim = readDocuments(argv[0]!).find(isInstanceDocument);
  if (!claim) return fail(`${argv[0]} holds no PostgreSQLInstance or PostgreSQL`);
  const composite = claimToComposite(claim);
  const instance = parseInstance(composite);
  if (!instance.ok) return fail(describeErrors(instance.errors));
  const platform = parsePlatform(undefined);
  if (!platform.ok) return fail(describeErrors(platform.errors));
  const observed = { composite, resources: {} };
  const choice = chooseEngine(instance.value.parameters, platform.value, observed);
  if (!choice.ok) return fail(describeErrors([choice.error]));
  const engine = choice.engine;
  const ctx: ComposeContext = {
    instance: { ...instance.value, baseNameLimit: engine.maxBaseName },
    platform: platform.value,
    observed,
    required: {},
    // Monitoring draws no random bytes; a seeded source keeps the output repeatable should that change.
    random: seededRandom('rules'),
  };
  const rule = monitoringResources(ctx, engine)[MONITORING_KEYS.prometheusRule];
  if (!rule) return fail('the claim turns monitoring off: there are no rules');
  process.stdout.write(toYaml(sortKeys(rule.object['spec'])));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
