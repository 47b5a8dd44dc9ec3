/**
 * The Provider package (package/) and its runtime image (Dockerfile) as `crossplane xpkg build` and the Deployment
 * runtime take them: the CLI's Provider linter wants exactly one meta object of kind Provider and, besides it, only
 * CRDs (or webhook configurations, which this provider has none of); Crossplane runs the image's entry point, which
 * must be the build's output of src/main.ts. The e2e (test/e2e/scalingo.sh, with the node) builds the package for
 * real and runs it as a pod; this is the cheap check that fails first. Expected values written by hand.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { providerCrds } from '../src/api/crds.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const packageDir = join(root, 'package');

type Manifest = { apiVersion?: string; kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> };

function manifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJSON() as Manifest);
}

/** Every YAML file under the package root, as the CLI's parser walks it. */
function packageFiles(dir: string, at = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? packageFiles(join(dir, entry.name), `${at}${entry.name}/`) : /\.ya?ml$/.test(entry.name) ? [`${at}${entry.name}`] : [],
  );
}

describe('Provider package', () => {
  it('has one meta object: a Provider named provider-scalingo, for Crossplane 2', () => {
    const metas = packageFiles(packageDir).flatMap((file) => manifests(join(packageDir, file))).filter((m) => m.apiVersion?.startsWith('meta.pkg.crossplane.io/'));
    expect(metas.map((m) => [m.apiVersion, m.kind, m.metadata?.name, (m.spec?.crossplane as { version?: string })?.version])).toEqual([
      ['meta.pkg.crossplane.io/v1', 'Provider', 'provider-scalingo', '>=v2.0.0'],
    ]);
  });

  it('holds nothing but the meta object and the generated CRDs of scalingo.dbaas.dev', () => {
    const objects = packageFiles(packageDir)
      .filter((file) => file !== 'crossplane.yaml')
      .flatMap((file) => manifests(join(packageDir, file)).map((m) => `${file}: ${m.apiVersion} ${m.kind} ${m.metadata?.name}`));
    expect(objects).toEqual([
      'crds/scalingo.dbaas.dev_clusterproviderconfigs.yaml: apiextensions.k8s.io/v1 CustomResourceDefinition clusterproviderconfigs.scalingo.dbaas.dev',
      'crds/scalingo.dbaas.dev_clusterproviderconfigusages.yaml: apiextensions.k8s.io/v1 CustomResourceDefinition clusterproviderconfigusages.scalingo.dbaas.dev',
      'crds/scalingo.dbaas.dev_databases.yaml: apiextensions.k8s.io/v1 CustomResourceDefinition databases.scalingo.dbaas.dev',
      'crds/scalingo.dbaas.dev_providerconfigs.yaml: apiextensions.k8s.io/v1 CustomResourceDefinition providerconfigs.scalingo.dbaas.dev',
      'crds/scalingo.dbaas.dev_providerconfigusages.yaml: apiextensions.k8s.io/v1 CustomResourceDefinition providerconfigusages.scalingo.dbaas.dev',
    ]);
    // and no generated CRD is missing from the package
    expect([...providerCrds().keys()].map((file) => `crds/${file}`).sort()).toEqual(packageFiles(packageDir).filter((file) => file.startsWith('crds/')));
  });
});

describe('runtime image (Dockerfile)', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };

  it('runs the build output of src/main.ts, which package.json names as main', () => {
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/nodejs\/bin\/node", "dist\/src\/main\.js"\]$/m);
    expect(pkg.main).toBe('dist/src/main.js');
  });

  it('exposes the health port the e2e probes and main.ts defaults to (8080)', () => {
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(readFileSync(join(root, 'src/main.ts'), 'utf8')).toContain("positiveInt('HEALTH_PORT', 8080)");
  });
});
