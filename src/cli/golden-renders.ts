/**
 * Golden renders: each example on its first reconcile (nothing exists yet) and in steady state (everything exists and
 * the cluster runs), with a seeded random source so the generated password is the same on every run.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { claimToComposite, compositionFileFor, isInstanceDocument, render, withRenderUid } from '../render.js';
import { seededRandom } from '../util/random.js';
import { toYaml } from '../util/yaml.js';
import { compositionInput, readDocuments } from './render-files.js';

type Doc = Record<string, unknown>;

/** The status the operator and the providers write once things run, as the e2e suites simulate it too. */
function running(object: Doc, serverName: string): Doc {
  if (object['apiVersion'] === 'rds.aws.m.upbound.io/v1beta1' && object['kind'] === 'Instance') return runningRds(object);
  if (object['kind'] === 'InstanceV3') return runningOtc(object);
  if (object['apiVersion'] === 'scalingo.dbaas.dev/v1alpha1' && object['kind'] === 'Database') return runningScalingo(object);
  if ((object['spec'] as Doc | undefined)?.['providerConfigRef']) {
    return { ...object, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Available' }] } };
  }
  if (object['kind'] === 'Cluster') return runningCloudNativePG(object);
  // Zalando's operator writes one word (pkg/apis/acid.zalan.do/v1 PostgresStatus); Running once the pods run.
  if (object['kind'] === 'postgresql') return { ...object, status: { PostgresClusterStatus: 'Running' } };
  if (object['kind'] === 'Pooler') return { ...object, status: { instances: (object['spec'] as Doc)['instances'] } };
  if (object['kind'] === 'ObjectStore') {
    // The plugin reports per server name: the one the composed Cluster archives under (engines/cloudnativepg/backup.ts).
    const window = { firstRecoverabilityPoint: '2026-11-20T01:02:03Z', lastSuccessfulBackupTime: '2026-11-22T01:04:05Z' };
    return { ...object, status: { serverRecoveryWindow: { [serverName]: window } } };
  }
  if (object['kind'] !== 'SGCluster') return object;
  const instances = (object['spec'] as Doc)['instances'];
  return {
    ...object,
    status: {
      conditions: [{ type: 'Bootstrapped', status: 'True', reason: 'ClusterBootstrapped' }],
      instances,
      postgresVersion: String(((object['spec'] as Doc)['postgres'] as Doc)['version']) + '.6',
    },
  };
}

/** What provider-upjet-aws writes of an available RDS instance: Ready, and what RDS answers (atProvider). */
function runningRds(object: Doc): Doc {
  const name = String((object['metadata'] as Doc)['name']);
  const forProvider = (object['spec'] as Doc)['forProvider'] as Doc;
  return {
    ...object,
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Available' }],
      atProvider: { address: `${name}.c1a2b3c4d5e6.${String(forProvider['region'])}.rds.amazonaws.com`, port: 5432, status: 'available', engineVersionActual: `${String(forProvider['engineVersion'])}.6` },
    },
  };
}

/** What provider-opentelekomcloud writes of a running OTC RDS instance: Ready, its id, private IP and version. */
function runningOtc(object: Doc): Doc {
  const forProvider = (object['spec'] as Doc)['forProvider'] as Doc;
  const db = (forProvider['db'] as Doc[])[0]!;
  return {
    ...object,
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Available' }],
      atProvider: { id: '8f2c4e6a0b1d4c3e9a7f5b2d1c0e8a6fin03', privateIps: ['192.168.0.42'], db: [{ type: 'PostgreSQL', version: db['version'], port: 5432 }] },
    },
  };
}

/** What provider-scalingo writes of a running Scalingo database: Ready, what Scalingo answers (atProvider), the
 *  late-initialized major. */
function runningScalingo(object: Doc): Doc {
  // The provider late-initializes the major Scalingo runs (its API takes none at creation): 17.
  const forProvider: Doc = { version: '17', ...((object['spec'] as Doc)['forProvider'] as Doc) };
  const name = String(forProvider['name']);
  return {
    ...object,
    spec: { ...(object['spec'] as Doc), forProvider },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'Available' }],
      atProvider: {
        id: '6a1f0c2e9b8d7a6f5e4d3c2b',
        status: 'running',
        plan: forProvider['plan'],
        version: `${String(forProvider['version'])}.6`,
        host: `${name}.postgresql.a.osc-fr1.scalingo-dbs.com`,
        port: 30123,
        database: name.replace(/-/g, '_'),
      },
    },
  };
}

/** CloudNativePG's status of a healthy cluster (api/v1 ClusterStatus): what the engine's observe reads. */
function runningCloudNativePG(object: Doc): Doc {
  const spec = object['spec'] as Doc;
  const name = String((object['metadata'] as Doc)['name']);
  const major = String((spec['imageCatalogRef'] as Doc | undefined)?.['major'] ?? '17');
  return {
    ...object,
    status: {
      phase: 'Cluster in healthy state',
      instances: spec['instances'],
      readyInstances: spec['instances'],
      currentPrimary: `${name}-1`,
      image: `ghcr.io/cloudnative-pg/postgresql:${major}.6-standard-trixie`,
      conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterIsReady' }],
    },
  };
}

/** The StatefulSet StackGres makes for a running cluster, all its instances ready. */
function statefulSets(observed: readonly Doc[]): Doc[] {
  return observed
    .filter((d) => d['kind'] === 'SGCluster')
    .map((cluster) => {
      const { name, namespace } = cluster['metadata'] as { name: string; namespace: string };
      const replicas = (cluster['spec'] as Doc)['instances'];
      return {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name, namespace, labels: { app: 'StackGresCluster', 'stackgres.io/cluster-name': name } },
        status: { replicas, readyReplicas: replicas },
      };
    });
}

/** The Barman server name a composed CloudNativePG Cluster archives under (its plugin entry), if there is one. */
function barmanServerName(documents: readonly Doc[]): string | undefined {
  const cluster = documents.find((d) => d['kind'] === 'Cluster' && String(d['apiVersion']).startsWith('postgresql.cnpg.io/'));
  const plugins = ((cluster?.['spec'] as Doc | undefined)?.['plugins'] ?? []) as { parameters?: { serverName?: unknown } }[];
  const name = plugins.map((p) => p?.parameters?.serverName).find((n) => typeof n === 'string');
  return typeof name === 'string' ? name : undefined;
}

export function goldenRenders(repo: string): Record<string, string> {
  const extra = readDocuments(join(repo, 'test/fixtures/cluster.yaml'));
  const out: Record<string, string> = {};
  const examples = readdirSync(join(repo, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
  for (const file of examples) {
    const name = file.replace(/\.yaml$/, '');
    const claim = readDocuments(join(repo, 'examples', file)).find(isInstanceDocument)!;
    const composite = withRenderUid(claimToComposite(claim));
    const input = compositionInput(join(repo, compositionFileFor(claim)));
    const options = { ...(input ? { input } : {}), extra, random: seededRandom(`golden/${name}`) };
    const first = render(composite, options);
    // Some objects wait for others to exist (the SGCluster for its Secret and config, a Role for its Secret): feed
    // each answer back as observed until nothing new is composed.
    let steady = first;
    for (let pass = 0; pass < 5; pass++) {
      const server = barmanServerName(steady.documents) ?? String((composite['metadata'] as Doc)['name']);
      const observed = steady.documents.filter((d) => d['kind'] !== 'Result' && d !== steady.documents[0]).map((d) => running(d, server));
      const next = render(composite, { ...options, observed, extra: [...extra, ...statefulSets(observed)] });
      const done = toYaml(next.documents) === toYaml(steady.documents);
      steady = next;
      if (done) break;
    }
    const yaml = (docs: Doc[]) => docs.map((d) => `---\n${toYaml(d)}`).join('');
    out[join('test/golden', `${name}.first.yaml`)] = yaml(first.documents);
    out[join('test/golden', `${name}.steady.yaml`)] = yaml(steady.documents);
  }
  return out;
}
