/**
 * The fault run: many Databases reconciled against the fake Scalingo API while it answers 429, 5xx, times out and
 * loses responses, and while the provider "crashes" on random writes to Kubernetes (after a create, mid-update…).
 * The fake is told to accept a taken name (Scalingo would refuse it), so zero duplicates is the provider's doing.
 */
import { FakeScalingoServer, FAKE_API_TOKEN } from '../../fake/server.js';
import { seededRandom } from '../../fake/faults.js';
import { FakeScalingoState, SCALINGO_TIMINGS } from '../../fake/state.js';
import { conditionOf } from '../../src/reconciler/conditions.js';
import { reconcile, type ReconcileContext } from '../../src/reconciler/reconcile.js';
import { ScalingoClient } from '../../src/scalingo/client.js';
import { database, ManualClock } from './harness.js';
import { CrashError, MemoryStore } from './memory-store.js';

export interface FaultRunOptions {
  databases: number;
  seed: number;
  /** Probability that a write to Kubernetes crashes the provider. */
  crashRate: number;
  rates: { tooMany: number; serverError: number; timeout: number; lostResponse: number };
  maxRounds: number;
  /** Control: a store that loses the pending annotation, to show the run can fail. */
  forgetPending?: boolean;
}

export interface FaultRunFigures {
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  databasesCreated: number;
  duplicates: number;
  reconciles: number;
  rounds: number;
  converged: boolean;
  cpuMsPerReconcile: number;
  wallSeconds: number;
}

export const DEFAULT_FAULT_RUN: FaultRunOptions = {
  databases: 40,
  seed: 16,
  crashRate: 0.2,
  rates: { tooMany: 0.05, serverError: 0.05, timeout: 0.02, lostResponse: 0.08 },
  maxRounds: 400,
};

const PLANS = ['postgresql-dr-starter-1024', 'postgresql-dr-starter-2048', 'postgresql-dr-starter-4096'];

export async function runFaults(options: FaultRunOptions): Promise<FaultRunFigures> {
  const random = seededRandom(options.seed);
  const clock = new ManualClock();
  const state = new FakeScalingoState(clock, SCALINGO_TIMINGS);
  state.uniqueNames = false;
  const server = new FakeScalingoServer(state);
  server.hangMs = 2;
  server.faults.rates = options.rates;
  const url = await server.start();
  const newClient = () =>
    new ScalingoClient({
      apiToken: FAKE_API_TOKEN,
      region: 'osc-fr1',
      authEndpoint: url,
      apiEndpoint: url,
      now: clock.now,
      http: { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 1000 }, sleep: async () => undefined, limit: async () => undefined /* time is compressed: no rate budget */, random },
    });
  let client = newClient();
  const stores = Array.from({ length: options.databases }, (_, index) => {
    const store = new MemoryStore(database({ name: `db${index}`, forProvider: { name: `fault-db-${index}`, plan: PLANS[index % PLANS.length]!, firewallRules: [{ cidr: `10.${index}.0.0/16` }] } }));
    store.forgetPending = options.forgetPending ?? false;
    store.beforeUpdate = () => {
      if (random() < options.crashRate) throw new CrashError();
    };
    return store;
  });
  let crashes = 0;
  let reconciles = 0;
  const replanned = new Set<number>();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  let round = 0;
  let converged = false;
  try {
    for (; round < options.maxRounds && !converged; round += 1) {
      for (const [index, store] of stores.entries()) {
        const context: ReconcileContext = { api: client, store, now: clock.now, pollIntervalMs: 60_000, busyPollMs: 15_000, createSettleMs: 120_000 };
        await reconcile(context, store.read());
        reconciles += 1;
        if (store.dead) {
          // The provider crashed: it restarts with nothing in memory and reads the stored objects again.
          crashes += 1;
          store.dead = false;
          client = newClient();
        }
        const available = conditionOf(store.read().status?.conditions, 'Ready')?.status === 'True';
        if (available && index % 3 === 0 && !replanned.has(index)) {
          replanned.add(index);
          store.stored.spec.forProvider.plan = 'postgresql-dr-business-4096';
        }
      }
      clock.advance(30_000);
      converged = stores.every((store, index) => {
        const stored = store.read();
        const remote = state.byAppName(`fault-db-${index}`);
        return (
          conditionOf(stored.status?.conditions, 'Ready')?.status === 'True' &&
          conditionOf(stored.status?.conditions, 'Synced')?.status === 'True' &&
          replanned.has(index) === (index % 3 === 0) &&
          remote?.operation === '' &&
          state.plan(remote.planId)?.name === stored.spec.forProvider.plan
        );
      });
    }
  } finally {
    await server.stop();
  }
  const cpu = process.cpuUsage(cpuStart);
  const perName = new Map<string, number>();
  for (const name of state.createdNames) perName.set(name, (perName.get(name) ?? 0) + 1);
  const duplicates = [...perName.values()].reduce((sum, count) => sum + count - 1, 0);
  return {
    faultsInjected: server.faults.total + crashes,
    faultsByKind: { ...server.faults.injected, crash: crashes },
    databasesCreated: state.createdNames.length,
    duplicates,
    reconciles,
    rounds: round,
    converged,
    cpuMsPerReconcile: Math.round(((cpu.user + cpu.system) / 1000 / reconciles) * 100) / 100,
    wallSeconds: Math.round(performance.now() - wallStart) / 1000,
  };
}
