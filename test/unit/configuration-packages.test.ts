/**
 * The Configuration packages (README, "Engine dependencies"): the main one forces no provider on a platform; each
 * optional engine set depends on it and on exactly its own providers. Expected lists written by hand.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';

type Dependency = { provider?: string; configuration?: string; function?: string; version: string };
const dependencies = (path: string): string[] =>
  ((parse(readFileSync(path, 'utf8')) as { spec: { dependsOn: Dependency[] } }).spec.dependsOn ?? []).map(
    (d) => d.provider ?? d.configuration ?? d.function ?? '',
  );

describe('Configuration packages', () => {
  it('the main one depends on the function only', () => {
    expect(dependencies('configuration/crossplane.yaml')).toEqual(['xpkg.crossplane.io/dbaas-dev/function-postgresql']);
  });

  it.each<[string, string[]]>([
    ['in-cluster', ['xpkg.crossplane.io/dbaas-dev/configuration-postgresql', 'xpkg.crossplane.io/crossplane-contrib/provider-sql']],
    [
      'aws-rds',
      [
        'xpkg.crossplane.io/dbaas-dev/configuration-postgresql',
        'xpkg.crossplane.io/crossplane-contrib/provider-aws-rds',
        'xpkg.crossplane.io/crossplane-contrib/provider-aws-ec2',
        'xpkg.crossplane.io/crossplane-contrib/provider-sql',
      ],
    ],
    [
      'otc-rds',
      [
        'xpkg.crossplane.io/dbaas-dev/configuration-postgresql',
        'xpkg.upbound.io/opentelekomcloud/provider-opentelekomcloud',
        'xpkg.crossplane.io/crossplane-contrib/provider-sql',
      ],
    ],
    [
      'scalingo',
      [
        'xpkg.crossplane.io/dbaas-dev/configuration-postgresql',
        'xpkg.crossplane.io/dbaas-dev/provider-scalingo',
        'xpkg.crossplane.io/crossplane-contrib/provider-sql',
      ],
    ],
  ])('engine set %s', (set, expected) => {
    expect(dependencies(`configuration/engines/${set}/crossplane.yaml`)).toEqual(expected);
  });

  it('has no other engine set', () => expect(readdirSync('configuration/engines').sort()).toEqual(['aws-rds', 'in-cluster', 'otc-rds', 'scalingo']));
});
