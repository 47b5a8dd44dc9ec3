/**
 * The controller's glue (read fresh, resolve the ProviderConfig and token Secret, Kubernetes writes) against a stub of
 * the Kubernetes API and the fake Scalingo API. Informers are not exercised here.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { FakeScalingoServer, FAKE_API_TOKEN } from '../fake/server.js';
import { FakeScalingoState } from '../fake/state.js';
import { Controller } from '../src/controller/controller.js';
import { kubeApis } from '../src/controller/kube.js';
import { ProviderMetrics } from '../src/controller/metrics.js';
import { IN_USE_FINALIZER } from '../src/controller/provider-configs.js';
import { conditionOf } from '../src/reconciler/conditions.js';
import { ManualClock } from './support/harness.js';
import { KubeStub } from './support/kube-stub.js';

const BASE = '/apis/scalingo.dbaas.dev/v1alpha1';
const DB = `${BASE}/namespaces/team-a/databases/orders`;
const CONFIG = `${BASE}/clusterproviderconfigs/default`;

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setUp(options: { token?: string } = {}) {
  const stub = new KubeStub();
  const kubeConfig = await stub.start();
  const state = new FakeScalingoState(new ManualClock(Date.now()), { provisionMs: 0, planChangeMs: 0 });
  const scalingo = new FakeScalingoServer(state);
  const scalingoUrl = await scalingo.start();
  cleanup.push(() => stub.stop(), () => scalingo.stop());
  stub.put('/api/v1/namespaces/crossplane-system/secrets/scalingo-token', { metadata: { name: 'scalingo-token', namespace: 'crossplane-system' }, data: { token: Buffer.from(options.token ?? FAKE_API_TOKEN).toString('base64') } });
  stub.put(CONFIG, {
    apiVersion: 'scalingo.dbaas.dev/v1alpha1',
    kind: 'ClusterProviderConfig',
    metadata: { name: 'default' },
    spec: { credentials: { source: 'Secret', secretRef: { name: 'scalingo-token', namespace: 'crossplane-system', key: 'token' } }, region: 'osc-fr1', authEndpoint: scalingoUrl, apiEndpoint: scalingoUrl },
  });
  stub.put(DB, {
    apiVersion: 'scalingo.dbaas.dev/v1alpha1',
    kind: 'Database',
    metadata: { name: 'orders', namespace: 'team-a' },
    spec: { forProvider: { name: 'orders-db', plan: 'postgresql-dr-starter-4096' }, writeConnectionSecretToRef: { name: 'orders-conn' } },
  });
  const controller = new Controller(kubeApis(kubeConfig), { concurrency: 2, pollIntervalMs: 60_000, busyPollMs: 15_000, createSettleMs: 120_000 }, new ProviderMetrics(), pino({ level: 'silent' }));
  return { stub, state, controller };
}

describe('controller against a stub Kubernetes API and the fake Scalingo API', () => {
  it('creates, records, publishes the Secret and the usage, then deletes and releases', async () => {
    const { stub, state, controller } = await setUp();
    expect(await controller.reconcileDatabase('team-a/orders')).toEqual({ requeueAfterMs: 15_000 });
    const created = stub.get(DB)!;
    expect(created.metadata.finalizers).toEqual(['finalizer.managedresource.crossplane.io']);
    expect((created.metadata as { annotations?: Record<string, string> }).annotations?.['crossplane.io/external-name']).toBe(state.byAppName('orders-db')!.appId);

    expect(await controller.reconcileDatabase('team-a/orders')).toEqual({ requeueAfterMs: 60_000 });
    const secret = stub.get('/api/v1/namespaces/team-a/secrets/orders-conn')!;
    expect(Object.keys(secret.data as object).sort()).toEqual(['database', 'endpoint', 'host', 'password', 'port', 'url', 'username']);
    expect(secret.type).toBe('connection.crossplane.io/v1alpha1');
    expect(conditionOf((stub.get(DB)!.status as { conditions: never[] }).conditions, 'Ready')?.reason).toBe('Available');
    const usagePath = `${BASE}/namespaces/team-a/providerconfigusages/${created.metadata.uid}`;
    expect(stub.get(usagePath)?.providerConfigRef).toEqual({ kind: 'ClusterProviderConfig', name: 'default' });
    // owned by the Database: the garbage collector, not the provider, deletes it (and the Secret) with the Database
    expect(stub.get(usagePath)?.metadata.ownerReferences).toEqual([
      { apiVersion: 'scalingo.dbaas.dev/v1alpha1', kind: 'Database', name: 'orders', uid: created.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);

    await controller.reconcileConfig('ClusterProviderConfig//default');
    expect(stub.get(CONFIG)!.metadata.finalizers).toEqual([IN_USE_FINALIZER]);
    expect(stub.get(CONFIG)!.status).toEqual({ users: 1 });

    stub.get(DB)!.metadata.deletionTimestamp = '2026-12-02T06:00:00Z';
    await controller.reconcileDatabase('team-a/orders'); // deletes on Scalingo
    expect(state.databases.size).toBe(0);
    await controller.reconcileDatabase('team-a/orders'); // gone: usage and finalizer released
    expect(stub.get(DB)).toBeUndefined();
    expect(stub.get(usagePath)).toBeUndefined();
    expect(stub.get('/api/v1/namespaces/team-a/secrets/orders-conn')).toBeUndefined();
    expect(stub.requests.filter((request) => request.startsWith('DELETE'))).toEqual([]);
    await controller.reconcileConfig('ClusterProviderConfig//default');
    expect(stub.get(CONFIG)!.status).toEqual({ users: 0 });
  });

  it('a stale copy is refused (409) and nothing is created on Scalingo', async () => {
    const { stub, state, controller } = await setUp();
    const store = (controller as unknown as { store: { update: (r: unknown) => Promise<unknown> } }).store;
    const stale = structuredClone(stub.get(DB)!);
    stub.put(DB, stub.get(DB)!); // someone else wrote meanwhile
    await expect(store.update(stale)).rejects.toMatchObject({ code: 409 });
    expect(state.createdNames).toEqual([]);
  });

  it.each([
    { problem: 'a wrong token', token: 'tk-us-wrong', message: 'POST /v1/tokens/exchange: HTTP 401: invalid token' },
  ])('$problem → Synced False with the error, backoff', async ({ token, message }) => {
    const { stub, controller } = await setUp({ token });
    expect(await controller.reconcileDatabase('team-a/orders')).toEqual({ failed: true });
    const synced = conditionOf((stub.get(DB)!.status as { conditions: never[] }).conditions, 'Synced');
    expect({ reason: synced?.reason, message: synced?.message }).toEqual({ reason: 'ReconcileError', message });
  });

  it('a ClusterProviderConfig whose Secret lacks the key names the field', async () => {
    const { stub, controller } = await setUp();
    (stub.get(CONFIG)!.spec as { credentials: { secretRef: { key: string } } }).credentials.secretRef.key = 'nope';
    expect(await controller.reconcileDatabase('team-a/orders')).toEqual({ failed: true });
    const synced = conditionOf((stub.get(DB)!.status as { conditions: never[] }).conditions, 'Synced');
    expect(synced?.message).toBe('cannot connect to Scalingo: ClusterProviderConfig default: spec.credentials.secretRef: Secret crossplane-system/scalingo-token has no key "nope"');
  });

  it('a spec the schema refuses (an object from before a CRD change) names the field', async () => {
    const { stub, controller } = await setUp();
    (stub.get(DB)!.spec as { forProvider: { plan: string } }).forProvider.plan = '';
    expect(await controller.reconcileDatabase('team-a/orders')).toEqual({ failed: true });
    const synced = conditionOf((stub.get(DB)!.status as { conditions: never[] }).conditions, 'Synced');
    expect(synced?.message).toBe('spec.forProvider.plan: Too small: expected string to have >=1 characters');
  });
});
