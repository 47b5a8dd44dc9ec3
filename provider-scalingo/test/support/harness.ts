/** Fake Scalingo + client + memory store + a manual clock, wired for reconciler tests and the fault run. */
import { FakeScalingoServer, FAKE_API_TOKEN } from '../../fake/server.js';
import { FakeScalingoState, SCALINGO_TIMINGS } from '../../fake/state.js';
import { API_VERSION } from '../../src/api/database.js';
import type { DatabaseSpec } from '../../src/api/database.js';
import { reconcile, type ReconcileContext, type ReconcileOutcome } from '../../src/reconciler/reconcile.js';
import type { DatabaseResource } from '../../src/reconciler/resource.js';
import { ScalingoClient } from '../../src/scalingo/client.js';
import { MemoryStore } from './memory-store.js';

export class ManualClock {
  constructor(public ms = Date.parse('2026-12-02T06:00:00Z')) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function database(overrides: { spec?: Partial<DatabaseSpec>; forProvider?: Partial<DatabaseSpec['forProvider']>; annotations?: Record<string, string>; name?: string } = {}): DatabaseResource {
  return {
    apiVersion: API_VERSION,
    kind: 'Database',
    metadata: { name: overrides.name ?? 'orders', namespace: 'team-a', uid: 'uid-orders', generation: 1, ...(overrides.annotations ? { annotations: overrides.annotations } : {}) },
    spec: {
      managementPolicies: ['*'],
      providerConfigRef: { kind: 'ClusterProviderConfig', name: 'default' },
      writeConnectionSecretToRef: { name: 'orders-conn' },
      ...overrides.spec,
      forProvider: { name: 'orders-db', plan: 'postgresql-dr-starter-4096', ...overrides.forProvider },
    },
  };
}

export interface Harness {
  clock: ManualClock;
  state: FakeScalingoState;
  server: FakeScalingoServer;
  client: ScalingoClient;
  store: MemoryStore;
  context: ReconcileContext;
  /** Reconciles what the store holds, as the controller does after reading from its informer. */
  run(): Promise<ReconcileOutcome>;
  stop(): Promise<void>;
}

export async function startHarness(resource: DatabaseResource, options: { timeoutMs?: number } = {}): Promise<Harness> {
  const clock = new ManualClock();
  const state = new FakeScalingoState(clock, SCALINGO_TIMINGS);
  const server = new FakeScalingoServer(state);
  const url = await server.start();
  const client = new ScalingoClient({
    apiToken: FAKE_API_TOKEN,
    region: 'osc-fr1',
    authEndpoint: url,
    apiEndpoint: url,
    now: clock.now,
    http: { retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: options.timeoutMs ?? 2000 }, sleep: async () => undefined, limit: async () => undefined /* time is compressed: no rate budget */ },
  });
  const store = new MemoryStore(resource);
  const context: ReconcileContext = { api: client, store, now: clock.now, pollIntervalMs: 60_000, busyPollMs: 15_000, createSettleMs: 120_000 };
  return {
    clock,
    state,
    server,
    client,
    store,
    context,
    run: () => reconcile(context, store.read()),
    stop: () => server.stop(),
  };
}
