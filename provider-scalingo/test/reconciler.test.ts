/** The reconciler against the fake Scalingo API: one describe per crossplane-runtime convention. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { conditionOf } from '../src/reconciler/conditions.js';
import { ANNOTATION, FINALIZER, type DatabaseResource } from '../src/reconciler/resource.js';
import { CrashError } from './support/memory-store.js';
import { database, startHarness, type Harness } from './support/harness.js';
import { SCALINGO_TIMINGS } from '../fake/state.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(resource: DatabaseResource = database()): Promise<Harness> {
  harness = await startHarness(resource);
  return harness;
}

function condition(h: Harness, type: string): { status?: string; reason?: string; message?: string } {
  const found = conditionOf(h.store.read().status?.conditions, type);
  return { status: found?.status, reason: found?.reason, ...(found?.message ? { message: found.message } : {}) };
}

const creates = (h: Harness) => h.server.calls.filter((call) => call === 'POST /v1/databases').length;
const planChanges = (h: Harness) => h.server.calls.filter((call) => call.startsWith('PATCH /v1/apps/')).length;

describe('Ready and Synced conditions with their reasons', () => {
  it.each([
    { step: 'just created', advanceMs: 0, reconciles: 1, ready: { status: 'False', reason: 'Creating' }, result: 'created' },
    { step: 'still provisioning', advanceMs: SCALINGO_TIMINGS.provisionMs - 1, reconciles: 2, ready: { status: 'False', reason: 'Creating' }, result: 'busy' },
    { step: 'provisioned', advanceMs: SCALINGO_TIMINGS.provisionMs, reconciles: 2, ready: { status: 'True', reason: 'Available' }, result: 'upToDate' },
  ])('$step → Ready $ready.reason', async ({ advanceMs, reconciles, ready, result }) => {
    const h = await start();
    let outcome = await h.run();
    h.clock.advance(advanceMs);
    for (let i = 1; i < reconciles; i += 1) outcome = await h.run();
    expect(outcome.result).toBe(result);
    expect(condition(h, 'Ready')).toEqual(ready);
    expect(condition(h, 'Synced')).toEqual({ status: 'True', reason: 'ReconcileSuccess' });
  });

  it('a stopped database is Ready False Unavailable', async () => {
    const h = await start();
    await h.run();
    h.clock.advance(SCALINGO_TIMINGS.provisionMs);
    const db = h.state.byAppName('orders-db')!;
    db.operation = 'stopped' as never;
    db.busyUntil = Number.MAX_SAFE_INTEGER;
    await h.run();
    expect(condition(h, 'Ready')).toEqual({ status: 'False', reason: 'Unavailable', message: 'the Scalingo database is stopped' });
  });

  it('an API error sets Synced False ReconcileError with the error and keeps Ready', async () => {
    const h = await start();
    await h.run();
    h.clock.advance(SCALINGO_TIMINGS.provisionMs);
    await h.run();
    h.server.faults.queue.push('serverError', 'serverError', 'serverError', 'serverError');
    const outcome = await h.run();
    expect(outcome.result).toBe('error');
    expect(condition(h, 'Synced')).toEqual({ status: 'False', reason: 'ReconcileError', message: 'GET /v1/databases: HTTP 503: service unavailable' });
    expect(condition(h, 'Ready')).toEqual({ status: 'True', reason: 'Available' });
  });
});

describe('external-name and external-create annotations', () => {
  it('records pending before the create, then the id and succeeded', async () => {
    const h = await start();
    const seen: string[] = [];
    h.store.beforeUpdate = (next) => void seen.push(Object.keys(next.metadata.annotations ?? {}).sort().join(','));
    await h.run();
    const annotations = h.store.read().metadata.annotations!;
    expect(seen).toEqual(['', ANNOTATION.createPending, [ANNOTATION.externalName, ANNOTATION.createPending, ANNOTATION.createSucceeded].sort().join(',')]);
    expect(annotations[ANNOTATION.externalName]).toBe(h.state.byAppName('orders-db')!.appId);
    expect(Date.parse(annotations[ANNOTATION.createSucceeded]!)).toBeGreaterThanOrEqual(Date.parse(annotations[ANNOTATION.createPending]!));
  });

  it.each([
    { fault: 'a crash between create and record', inject: (h: Harness) => (h.store.beforeUpdate = (next) => {
      if (next.metadata.annotations?.[ANNOTATION.externalName]) {
        h.store.beforeUpdate = () => undefined;
        throw new CrashError();
      }
    }), created: ['orders-db'], then: 'adopted' },
    { fault: 'a lost create response', inject: (h: Harness) => h.server.faults.queue.push('lostResponse'), queueAfterAuth: true, created: ['orders-db'], then: 'adopted' },
    { fault: 'a 503 on create (done or not, unknown)', inject: (h: Harness) => h.server.faults.queue.push('serverError'), queueAfterAuth: true, created: [], then: 'createPending' },
  ])('$fault never makes a second database', async ({ inject, queueAfterAuth, created, then }) => {
    const h = await start();
    if (queueAfterAuth) {
      // Warm the client (token, region, plans) so the queued fault hits the create itself.
      await h.client.findDatabase('none');
      await h.client['planId']('postgresql-dr-starter-4096');
    }
    inject(h);
    const first = await h.run();
    expect(first.result).toBe('error');
    h.store.dead = false; // the provider restarts and reads the stored object again
    expect((await h.run()).result).toBe(then);
    expect(h.state.createdNames).toEqual(created);
    expect(h.store.read().metadata.annotations?.[ANNOTATION.externalName]).toBe(h.state.byAppName('orders-db')?.appId);
    // Long after, still one database at most: the pending create is settled, by adoption or by one new create.
    h.clock.advance(h.context.createSettleMs);
    await h.run();
    expect(h.state.createdNames).toEqual(['orders-db']);
  });

  it('a pending create with no database waits createSettleMs, then creates once', async () => {
    const pendingAt = '2026-12-02T06:00:00.000Z';
    const h = await start(database({ annotations: { [ANNOTATION.createPending]: pendingAt } }));
    expect((await h.run()).result).toBe('createPending');
    expect(creates(h)).toBe(0);
    expect(condition(h, 'Synced')).toEqual({ status: 'False', reason: 'ReconcileError', message: 'create result not recorded yet: waiting before looking again' });
    h.clock.advance(h.context.createSettleMs);
    expect((await h.run()).result).toBe('created');
    expect(creates(h)).toBe(1);
  });

  it('a refused create records external-create-failed and the error', async () => {
    const h = await start(database({ forProvider: { plan: 'postgresql-dr-nope' } }));
    const outcome = await h.run();
    expect(outcome.result).toBe('error');
    expect(h.store.read().metadata.annotations?.[ANNOTATION.createFailed]).toBe('2026-12-02T06:00:00.000Z');
    expect(condition(h, 'Synced').message).toBe('Scalingo has no PostgreSQL plan "postgresql-dr-nope"');
  });
});

describe('finalizer and deletion', () => {
  it('adds the finalizer, deletes on Scalingo, then removes the finalizer once gone', async () => {
    const h = await start();
    await h.run();
    expect(h.store.read().metadata.finalizers).toEqual([FINALIZER]);
    h.store.stored.metadata.deletionTimestamp = '2026-12-02T06:10:00Z';
    expect((await h.run()).result).toBe('deleting');
    expect(h.state.databases.size).toBe(0);
    expect(condition(h, 'Ready')).toEqual({ status: 'False', reason: 'Deleting' });
    expect((await h.run()).result).toBe('deleted');
    expect(h.store.read().metadata.finalizers).toEqual([]);
  });
});

describe('deletion with a create whose result was never recorded', () => {
  it('finds the database by name and deletes it instead of orphaning it', async () => {
    const h = await start();
    h.store.beforeUpdate = (next) => {
      if (next.metadata.annotations?.[ANNOTATION.externalName]) throw new CrashError();
    };
    await h.run();
    h.store.dead = false;
    h.store.beforeUpdate = () => undefined;
    h.store.stored.metadata.deletionTimestamp = '2026-12-02T06:10:00Z';
    expect((await h.run()).result).toBe('deleting');
    expect(h.state.databases.size).toBe(0);
  });
});

describe('forProvider.version', () => {
  it('a major Scalingo did not give is an error naming the field', async () => {
    const h = await start(database({ forProvider: { version: '16' } }));
    await h.run();
    h.clock.advance(SCALINGO_TIMINGS.provisionMs);
    expect((await h.run()).result).toBe('error');
    expect(condition(h, 'Synced').message).toBe('forProvider.version: Scalingo runs PostgreSQL 17, not 16; this provider can neither choose nor change the major');
  });
});

describe('managementPolicies', () => {
  async function existing(h: Harness, plan = 'postgresql-dr-starter-1024') {
    const db = h.state.create({ name: 'orders-db', planId: h.state.plan(plan)!.id });
    h.clock.advance(SCALINGO_TIMINGS.provisionMs);
    return db;
  }

  it('Observe-only imports an existing database by name without changing it', async () => {
    const h = await start(database({ spec: { managementPolicies: ['Observe'] } }));
    const db = await existing(h);
    expect((await h.run()).result).toBe('upToDate');
    expect(h.store.read().metadata.annotations?.[ANNOTATION.externalName]).toBe(db.appId);
    expect(h.store.read().status?.atProvider).toEqual({ id: db.appId, status: 'running', plan: 'postgresql-dr-starter-1024', version: '17', host: 'orders-db.postgresql.a.osc-fr1.scalingo-dbs.com', port: 30123, database: 'orders_db' });
    expect(planChanges(h)).toBe(0);
    expect(creates(h)).toBe(0);
    expect(h.store.read().spec.forProvider.version).toBeUndefined(); // no LateInitialize in the policy
  });

  it('Observe-only deletion leaves the Scalingo database in place', async () => {
    const h = await start(database({ spec: { managementPolicies: ['Observe'] } }));
    await existing(h);
    await h.run();
    h.store.stored.metadata.deletionTimestamp = '2026-12-02T06:10:00Z';
    expect((await h.run()).result).toBe('deleted');
    expect(h.state.databases.size).toBe(1);
  });

  it.each([
    { policies: ['Observe'] as const, error: 'external resource does not exist: no Scalingo database orders-db (managementPolicies do not allow Create)' },
    { policies: ['Create', 'Delete'] as const, error: 'spec.managementPolicies must include "Observe" (or "*")' },
  ])('$policies with no database → ReconcileError', async ({ policies, error }) => {
    const h = await start(database({ spec: { managementPolicies: [...policies] } }));
    expect((await h.run()).result).toBe('error');
    expect(condition(h, 'Synced')).toEqual({ status: 'False', reason: 'ReconcileError', message: error });
    expect(creates(h)).toBe(0);
  });

  it('["Observe", "Update"] changes the plan but creates nothing', async () => {
    const h = await start(database({ spec: { managementPolicies: ['Observe', 'Update'] } }));
    await existing(h);
    expect((await h.run()).result).toBe('updated');
    expect(planChanges(h)).toBe(1);
  });
});

describe('crossplane.io/paused', () => {
  it('does nothing on Scalingo and says ReconcilePaused', async () => {
    const h = await start(database({ annotations: { [ANNOTATION.paused]: 'true' } }));
    expect((await h.run()).result).toBe('paused');
    expect(h.server.calls).toEqual([]);
    expect(condition(h, 'Synced')).toEqual({ status: 'False', reason: 'ReconcilePaused' });
  });
});

describe('writeConnectionSecretToRef', () => {
  it('writes the URL and its parts once the database is provisioned', async () => {
    const h = await start();
    await h.run();
    expect(h.store.secret).toBeUndefined();
    h.clock.advance(SCALINGO_TIMINGS.provisionMs);
    await h.run();
    const password = h.state.byAppName('orders-db')!.password;
    expect(h.store.secret).toEqual({
      name: 'orders-conn',
      data: {
        username: 'orders_db',
        password,
        endpoint: 'orders-db.postgresql.a.osc-fr1.scalingo-dbs.com',
        host: 'orders-db.postgresql.a.osc-fr1.scalingo-dbs.com',
        port: '30123',
        database: 'orders_db',
        url: `postgres://orders_db:${password}@orders-db.postgresql.a.osc-fr1.scalingo-dbs.com:30123/orders_db?sslmode=prefer`,
      },
    });
  });
});

describe('ProviderConfig usage tracking', () => {
  // Released by Kubernetes' garbage collector with the Database that owns it (controller.test.ts), never deleted by
  // the provider: a Provider package's RBAC has no delete on its own kinds (the e2e found the 403).
  it('records the usage while the resource exists and never deletes it, also not on deletion', async () => {
    const h = await start();
    await h.run();
    expect(h.store.usage).toBe(true);
    h.store.stored.metadata.deletionTimestamp = '2026-12-02T06:10:00Z';
    await h.run();
    await h.run();
    expect(h.store.stored.metadata.finalizers ?? []).toEqual([]);
    expect(h.store.writes.filter((write) => write.startsWith('usage'))).toEqual(['usage+']);
  });
});

describe('late initialization', () => {
  it.each([
    { given: {}, expected: { version: '17', projectId: 'prj-default', firewallRules: [] } },
    { given: { version: '17', projectId: 'prj-mine', firewallRules: [{ cidr: '10.0.0.0/8' }] }, expected: { version: '17', projectId: 'prj-mine', firewallRules: [{ cidr: '10.0.0.0/8' }] } },
  ])('fills only what the user left out: $given', async ({ given, expected }) => {
    const h = await start(database({ forProvider: given }));
    await h.run();
    h.clock.advance(SCALINGO_TIMINGS.provisionMs);
    await h.run();
    expect(h.store.read().spec.forProvider).toEqual({ name: 'orders-db', plan: 'postgresql-dr-starter-4096', ...expected });
  });
});

describe('drift correction on the poll interval', () => {
  it.each([
    { drift: 'plan changed on Scalingo', change: (h: Harness) => h.state.byAppName('orders-db')!.planId = h.state.plan('postgresql-dr-starter-1024')!.id, check: (h: Harness) => expect(h.state.plan(h.state.byAppName('orders-db')!.planId)!.name).toBe('postgresql-dr-starter-4096') },
    { drift: 'firewall rule added on Scalingo', change: (h: Harness) => void h.state.addRule(h.state.byAppName('orders-db')!, '0.0.0.0/0', 'open'), check: (h: Harness) => expect(h.state.byAppName('orders-db')!.firewallRules.map((r) => r.cidr)).toEqual(['10.0.0.0/8']) },
    { drift: 'firewall rule removed on Scalingo', change: (h: Harness) => void (h.state.byAppName('orders-db')!.firewallRules = []), check: (h: Harness) => expect(h.state.byAppName('orders-db')!.firewallRules.map((r) => r.cidr)).toEqual(['10.0.0.0/8']) },
  ])('$drift is put back on the next poll', async ({ change, check }) => {
    const h = await start(database({ forProvider: { firewallRules: [{ cidr: '10.0.0.0/8' }] } }));
    await h.run();
    h.clock.advance(SCALINGO_TIMINGS.provisionMs);
    const settled = await h.run();
    expect(settled.requeueAfterMs).toBe(h.context.busyPollMs); // the rule was just added
    expect((await h.run()).requeueAfterMs).toBe(h.context.pollIntervalMs);
    change(h);
    h.clock.advance(h.context.pollIntervalMs);
    expect((await h.run()).result).toBe('updated');
    check(h);
  });
});

describe('plan change: a long operation observed across reconciles', () => {
  it('asks once, never twice while Scalingo is busy, and reports the new plan when done', async () => {
    const h = await start();
    await h.run();
    h.clock.advance(SCALINGO_TIMINGS.provisionMs);
    await h.run();
    h.store.stored.spec.forProvider.plan = 'postgresql-dr-business-8192';
    expect((await h.run()).result).toBe('updated');
    expect(h.store.read().status?.atProvider?.status).toBe('updating');
    h.clock.advance(SCALINGO_TIMINGS.planChangeMs / 2);
    expect((await h.run()).result).toBe('busy');
    expect(planChanges(h)).toBe(1);
    h.clock.advance(SCALINGO_TIMINGS.planChangeMs / 2);
    expect((await h.run()).result).toBe('upToDate');
    expect(h.store.read().status?.atProvider).toMatchObject({ plan: 'postgresql-dr-business-8192', status: 'running' });
    expect(condition(h, 'Ready')).toEqual({ status: 'True', reason: 'Available' });
  });
});
