/**
 * The README's first command: `npm run render` (dist/cli/render.js). stdout is exactly the YAML it always printed
 * (the golden files), stderr a summary for a person; `--help` describes every flag.
 */
import { Ready, Severity, Status, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { summarize, type Rendered } from '../../src/render.js';
import { REPO } from '../support/paths.js';

function renderCli(...args: string[]) {
  const run = spawnSync(process.execPath, [join(REPO, 'dist/cli/render.js'), ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function yamlDocuments(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Record<string, unknown>;
  });
}

const row = (kind: string, name: string, ready: string) => new RegExp(`^  ${kind} +${name} +${ready}$`, 'm');

type Doc = Record<string, unknown>;

describe('render --help', () => {
  it.each([['--help'], ['-h'], ['examples/minimal.yaml', '--help']])('%s prints every flag on stdout and exits 0', (...args) => {
    const { code, stdout, stderr } = renderCli(...args);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const flag of ['--observed <dir|file>', '--extra <dir|file>', '--composition <file>', '--seed <text>', '-q, --quiet', '-h, --help']) {
      expect(stdout).toContain(`\n  ${flag} `);
    }
    expect(stdout).toMatch(/^usage: npm run render -- <claim\.yaml> \[flags\]/);
  });
});

describe('render: YAML on stdout, a summary on stderr', () => {
  it.each(['minimal', 'full'])('%s: stdout is byte for byte the golden first render', (example) => {
    const { code, stdout, stderr } = renderCli(`examples/${example}.yaml`, '--extra', 'test/fixtures/cluster.yaml', `--seed=golden/${example}`);
    expect(code).toBe(0);
    expect(stdout).toBe(readFileSync(join(REPO, 'test/golden', `${example}.first.yaml`), 'utf8'));
    expect(yamlDocuments(stdout).length).toBeGreaterThan(5);
    // nothing of the YAML leaks into the summary, and the summary stays short
    expect(stderr).not.toContain('apiVersion');
    expect(stderr.split('\n').length).toBeLessThan(yamlDocuments(stdout).length + 10);
  });

  it('summarises a first render: each object with its kind, name and readiness, and the conditions', () => {
    const { stderr } = renderCli('examples/minimal.yaml', '--seed', 'x');
    expect(stderr).toMatch(/^shop\/orders-db: \d+ composed objects, 0 ready \(in namespace shop\)\n/);
    expect(stderr).toContain('(a first reconcile: nothing exists yet, so nothing is ready; --observed renders a later one)');
    expect(stderr).toMatch(/^  KIND +NAME +READY$/m);
    // the SGCluster waits for its Secret, profile and config to exist (creation order), so it isn't listed yet
    expect(stderr).not.toMatch(/^  SGCluster /m);
    expect(stderr).toMatch(row('SGInstanceProfile', 'orders-db-profile', 'no'));
    expect(stderr).toMatch(row('Secret', 'orders-db-superuser', 'no'));
    expect(stderr).toMatch(row('NetworkPolicy', 'orders-db-ingress', 'no'));
    expect(stderr).toMatch(/^conditions:\n  DatabaseReady +False +Creating +creating the SGCluster/m);
  });

  it('summarises a later reconcile from --observed: what is ready says yes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-observed-'));
    try {
      // the composed objects as the cluster holds them once the operator runs (the XR, first, is not composed);
      // the SGCluster comes in the second answer, once its inputs exist, so two rounds are fed back
      const asObserved = (docs: Doc[]) =>
        docs.slice(1).filter((d) => d['kind'] !== 'Result').map((d) =>
          d['kind'] === 'SGCluster'
            ? { ...d, status: { conditions: [{ type: 'Bootstrapped', status: 'True' }], instances: 1, postgresVersion: '17.6' } }
            : d,
        );
      const write = (docs: Doc[]) => writeFileSync(join(dir, 'observed.yaml'), docs.map((d) => `---\n${stringify(d)}`).join(''));
      write(asObserved(yamlDocuments(renderCli('examples/minimal.yaml', '--seed', 'x').stdout)));
      write(asObserved(yamlDocuments(renderCli('examples/minimal.yaml', '--seed', 'x', '--observed', join(dir, 'observed.yaml')).stdout)));
      // its StatefulSet, all instances ready, as StackGres makes it (read as a required resource)
      const statefulSet = {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'orders-db', namespace: 'shop', labels: { app: 'StackGresCluster', 'stackgres.io/cluster-name': 'orders-db' } },
        status: { replicas: 1, readyReplicas: 1 },
      };
      writeFileSync(join(dir, 'extra.yaml'), `${readFileSync(join(REPO, 'test/fixtures/cluster.yaml'), 'utf8')}\n---\n${stringify(statefulSet)}`);
      const { code, stdout, stderr } = renderCli('examples/minimal.yaml', '--seed', 'x', '--observed', join(dir, 'observed.yaml'), '--extra', join(dir, 'extra.yaml'));
      expect(code).toBe(0);
      expect(yamlDocuments(stdout)[0]!['kind']).toBe('XPostgreSQLInstance');
      expect(stderr).toMatch(row('SGCluster', 'orders-db', 'yes'));
      expect(stderr).toMatch(row('Secret', 'orders-db-superuser', 'yes'));
      expect(stderr).not.toContain('a first reconcile');
      expect(stderr).toMatch(/^shop\/orders-db: (\d+) composed objects, [1-9]\d* ready/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a namespaced PostgreSQL renders with its own Composition: backups under a prefix of the shared bucket, no MinIO', () => {
    const { code, stdout } = renderCli('examples/namespaced-minimal.yaml', '--seed', 'x');
    expect(code).toBe(0);
    const docs = yamlDocuments(stdout);
    expect(docs[0]!['kind']).toBe('PostgreSQL');
    expect(docs[0]!['metadata']).toEqual({ name: 'orders-db', namespace: 'shop' });
    expect(docs.filter((d) => String(d['apiVersion']).startsWith('minio.'))).toEqual([]);
    expect(docs.find((d) => d['kind'] === 'SGObjectStorage')!['spec']).toMatchObject({ s3Compatible: { bucket: 'pg-backups' } });
  });

  it('a refused claim: the Result document on stdout, the Fatal result on stderr, exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-bad-'));
    try {
      const claim = { apiVersion: 'dbaas.dev/v1alpha1', kind: 'PostgreSQLInstance', metadata: { name: 'bad', namespace: 'shop' }, spec: { parameters: { instances: 0 } } };
      writeFileSync(join(dir, 'bad.yaml'), stringify(claim));
      const { code, stdout, stderr } = renderCli(join(dir, 'bad.yaml'));
      expect(code).toBe(1);
      expect(yamlDocuments(stdout)).toEqual([
        expect.objectContaining({ kind: 'Result', severity: 'SEVERITY_FATAL', message: expect.stringContaining('spec.parameters.instances') }),
      ]);
      expect(stderr).toMatch(/^shop\/bad: refused; nothing composed, nothing in the cluster would change\n/);
      expect(stderr).toMatch(/^Fatal: cannot compose this PostgreSQLInstance, nothing was changed: spec\.parameters\.instances: /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--quiet leaves stderr empty and stdout the same', () => {
    const loud = renderCli('examples/minimal.yaml', '--seed', 'x');
    const quiet = renderCli('examples/minimal.yaml', '--seed', 'x', '-q');
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(loud.stdout);
  });

  it.each([
    [['examples/minimal.yaml', '--seed'], 'render: --seed needs a value'],
    [['examples/minimal.yaml', '--frobnicate', 'x'], 'render: unknown flag --frobnicate'],
    [[], 'render: which claim? one claim file expected'],
    [['examples/minimal.yaml', 'examples/full.yaml'], 'render: one claim file expected, not 2'],
    [['no/such/claim.yaml'], "render: ENOENT: no such file or directory, stat 'no/such/claim.yaml'"],
    [['compositions/xpostgresqlinstances.dbaas.dev.yaml'], 'render: compositions/xpostgresqlinstances.dbaas.dev.yaml holds no PostgreSQLInstance or PostgreSQL'],
  ])('%j is refused with exit 2: %s', (args, message) => {
    const { code, stdout, stderr } = renderCli(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(message);
  });
});

describe('summarize', () => {
  const response: RunFunctionResponse = {
    meta: { tag: '', ttl: { seconds: 60, nanos: 0 } },
    desired: {
      composite: undefined,
      resources: {
        'superuser-secret': { resource: { kind: 'Secret', metadata: { name: 'db-superuser', namespace: 'team' } }, connectionDetails: {}, ready: Ready.READY_TRUE },
        'sg-cluster': { resource: { kind: 'SGCluster', metadata: { name: 'db', namespace: 'team' } }, connectionDetails: {}, ready: Ready.READY_FALSE },
        'dashboard': { resource: { kind: 'ConfigMap', metadata: { name: 'db-dashboard', namespace: 'monitoring' } }, connectionDetails: {}, ready: Ready.READY_UNSPECIFIED },
      },
    },
    results: [{ severity: Severity.SEVERITY_WARNING, message: 'spec.parameters.frobnicate: unknown field, ignored' }],
    context: undefined,
    requirements: undefined,
    conditions: [{ type: 'DatabaseReady', status: Status.STATUS_CONDITION_FALSE, reason: 'Creating', message: 'creating the SGCluster' }],
  };
  const rendered: Rendered = { response, fatal: false, observedCount: 2, documents: [] };

  it('one line per object (kind, then name), the conditions and the results', () => {
    expect(summarize(rendered, { metadata: { name: 'db', namespace: 'team' } })).toBe(
      [
        'team/db: 3 composed objects, 1 ready (in namespace team)',
        '  KIND       NAME                     READY',
        '  ConfigMap  monitoring/db-dashboard  -',
        '  Secret     db-superuser             yes',
        '  SGCluster  db                       no',
        'conditions:',
        '  DatabaseReady  False  Creating  creating the SGCluster',
        'Warning: spec.parameters.frobnicate: unknown field, ignored',
        '',
      ].join('\n'),
    );
  });
});
