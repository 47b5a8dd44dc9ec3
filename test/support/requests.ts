/** Requests as Crossplane sends them: a first reconcile, and steady state with everything observed. */
import { Severity, type Resource, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compositionInput as readComposition } from '../../src/cli/render-files.js';
import { runFunction } from '../../src/function.js';
import { claimToComposite, renderRequest } from '../../src/render.js';
import { seededRandom } from '../../src/util/random.js';
import { REPO } from './paths.js';

export type Doc = Record<string, unknown>;

export function exampleClaim(name: string): Doc {
  return parse(readFileSync(join(REPO, 'examples', `${name}.yaml`), 'utf8')) as Doc;
}

export function claim(parameters: Doc, name = 'app-db', namespace = 'team-a'): Doc {
  // A copy: tests change the parameters of the XR they build, and must not change each other's inputs.
  return { apiVersion: 'dbaas.dev/v1alpha1', kind: 'PostgreSQLInstance', metadata: { name, namespace }, spec: { parameters: structuredClone(parameters) } };
}

export function compositionInput(): Doc {
  return readComposition(join(REPO, 'compositions/xpostgresqlinstances.dbaas.dev.yaml'))!;
}

export function firstRequest(claimDoc: Doc): RunFunctionRequest {
  return renderRequest(claimToComposite(claimDoc), { input: compositionInput() });
}

/** What the operator writes once the cluster runs: the only status the function reads. */
export function runningClusterStatus(instances: number, version = '17.6'): Doc {
  return {
    conditions: [
      { type: 'Bootstrapped', status: 'True', reason: 'ClusterBootstrapped' },
      { type: 'Failed', status: 'False', reason: 'FalseFailed' },
    ],
    instances,
    postgresVersion: version,
  };
}

/** What CloudNativePG writes once its cluster runs (api/v1 ClusterStatus), as far as the function reads it. */
export function cloudnativepgStatus(cluster: Doc, instances: number): Doc {
  const name = String((cluster['metadata'] as Doc)['name']);
  return {
    phase: 'Cluster in healthy state',
    instances,
    readyInstances: instances,
    currentPrimary: `${name}-1`,
    image: 'ghcr.io/cloudnative-pg/postgresql:17.6-standard-trixie',
    conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterIsReady' }],
  };
}

/** Feed a response's desired objects back as observed, as Crossplane does after applying them. */
export function observeDesired(req: RunFunctionRequest, rsp: RunFunctionResponse, clusterStatus?: Doc): RunFunctionRequest {
  const resources: Record<string, Resource> = {};
  for (const [key, r] of Object.entries(rsp.desired?.resources ?? {})) {
    const object = structuredClone(r.resource) as Doc;
    if (object['kind'] === 'SGCluster' && clusterStatus) object['status'] = clusterStatus;
    if (object['kind'] === 'Cluster' && clusterStatus) object['status'] = cloudnativepgStatus(object, Number(clusterStatus['instances'] ?? 1));
    if (object['kind'] === 'postgresql' && clusterStatus) object['status'] = { PostgresClusterStatus: 'Running' };
    // Providers mark their managed resources Ready once the external thing exists.
    if (clusterStatus && (object['spec'] as Doc | undefined)?.['providerConfigRef']) {
      object['status'] = { conditions: [{ type: 'Ready', status: 'True', reason: 'Available' }] };
      if (object['apiVersion'] === 'rds.aws.m.upbound.io/v1beta1' && object['kind'] === 'Instance') {
        const name = String((object['metadata'] as Doc)['name']);
        (object['status'] as Doc)['atProvider'] = { address: `${name}.c1a2b3c4d5e6.eu-central-1.rds.amazonaws.com`, port: 5432, status: 'available', engineVersionActual: '17.6' };
      }
      if (object['apiVersion'] === 'scalingo.dbaas.dev/v1alpha1' && object['kind'] === 'Database') {
        const fp = (object['spec'] as Doc)['forProvider'] as Doc;
        // The provider late-initializes the major Scalingo runs (its API takes none at creation).
        fp['version'] ??= '17';
        (object['status'] as Doc)['atProvider'] = { id: 'sc-id-1', status: 'running', plan: fp['plan'], version: `${String(fp['version'])}.6`, host: `${String(fp['name'])}.postgresql.a.osc-fr1.scalingo-dbs.com`, port: 30123 };
      }
      if (object['kind'] === 'InstanceV3') {
        (object['status'] as Doc)['atProvider'] = { id: 'otc-id-1', privateIps: ['192.168.0.42'], db: [{ type: 'PostgreSQL', version: '17', port: 5432 }] };
      }
    }
    resources[key] = { resource: object, connectionDetails: {}, ready: 0 };
  }
  return { ...req, observed: { composite: req.observed!.composite, resources }, desired: { composite: undefined, resources: {} } };
}

/**
 * The request after the first answer was applied: the Secrets, profile and config exist, so the objects that wait for
 * them (the SGCluster, each Role) are composed now.
 */
export function withInputsObserved(req: RunFunctionRequest, seed = 'test'): RunFunctionRequest {
  return observeDesired(req, runFunction(req, { random: seededRandom(seed) }));
}

/** The StatefulSet of a running cluster, as the function asks for it (required resources), `ready` instances ready. */
export function readyStatefulSets(rsp: RunFunctionResponse, ready: number): RunFunctionRequest['requiredResources'] {
  const selector = rsp.requirements?.resources['sg-statefulsets'];
  if (!selector) return {};
  const labels = selector.matchLabels?.labels ?? {};
  const name = labels['stackgres.io/cluster-name']!;
  const resource = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: selector.namespace, labels }, status: { readyReplicas: ready } };
  return { 'sg-statefulsets': { items: [{ resource, connectionDetails: {}, ready: 0 }] } };
}

/**
 * A request in steady state: everything composed exists, the cluster runs with every instance ready, providers report
 * their objects Ready. Objects that wait for others (the SGCluster for its inputs, Roles for their Secrets, provider-sql
 * objects for the database) appear in later answers, so answers are fed back until nothing new comes.
 */
export function steadyRequest(claimDoc: Doc, seed = 'test'): RunFunctionRequest {
  return settle(firstRequest(claimDoc), seed).req;
}

/**
 * `first` (any claim, any Composition input) brought to steady state as steadyRequest does: `req` observes everything
 * `rsp`, the last answer, composed, running with the claim's instances all ready.
 */
export function settle(first: RunFunctionRequest, seed = 'test'): { req: RunFunctionRequest; rsp: RunFunctionResponse } {
  const random = seededRandom(seed);
  const composite = first.observed!.composite!.resource as Doc;
  const instances = Number(((composite['spec'] as Doc)['parameters'] as Doc)['instances'] ?? 1);
  let req = first;
  let rsp = runFunction(req, { random });
  // 1: the database object; 2: it runs, its StatefulSet is asked for; 3: provider-sql's objects; 4: they are Ready.
  for (let pass = 0; pass < 4; pass++) {
    req = observeDesired(req, rsp, runningClusterStatus(instances));
    req.requiredResources = { ...req.requiredResources, ...readyStatefulSets(rsp, instances) };
    rsp = runFunction(req, { random });
  }
  return { req: observeDesired(req, rsp, runningClusterStatus(instances)), rsp };
}

/**
 * The answer in which `key` (the database object) is first composed: earlier answers are fed back as observed, as
 * Crossplane applies them, with nothing running yet. A refused request is answered at once.
 */
export function answerComposing(req: RunFunctionRequest, key: string, seed = 'test'): RunFunctionResponse {
  const random = seededRandom(seed);
  let rsp = runFunction(req, { random });
  for (let pass = 0; pass < 3 && !rsp.desired?.resources[key] && !rsp.results.some((r) => r.severity === Severity.SEVERITY_FATAL); pass++) {
    req = observeDesired(req, rsp);
    rsp = runFunction(req, { random });
  }
  return rsp;
}

export function secretValue(rsp: RunFunctionResponse, key: string, field: string): string | undefined {
  const data = (rsp.desired?.resources[key]?.resource?.['data'] ?? {}) as Record<string, string>;
  return data[field] === undefined ? undefined : Buffer.from(data[field], 'base64').toString('utf8');
}

/** A claim's XR as an Operation reads it: cluster-scoped, Crossplane's random suffix, the claim in its labels. */
export function claimXr(claimName: string, namespace: string, parameters: Doc, metadata: Doc = {}, rest: Doc = {}): Doc {
  return {
    apiVersion: 'dbaas.dev/v1alpha1',
    kind: 'XPostgreSQLInstance',
    metadata: {
      name: `${claimName}-x7k2p`,
      resourceVersion: '4711',
      labels: { 'crossplane.io/claim-name': claimName, 'crossplane.io/claim-namespace': namespace },
      ...metadata,
    },
    spec: { parameters },
    ...rest,
  };
}
