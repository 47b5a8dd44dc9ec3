/** The Scalingo client against the fake: auth, pagination, retries with backoff, and what is never repeated. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { backoffDelay, DEFAULT_RETRY, requestJson } from '../src/scalingo/http.js';
import { database, startHarness, type Harness } from './support/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(): Promise<Harness> {
  harness = await startHarness(database());
  return harness;
}

const count = (h: Harness, call: string) => h.server.calls.filter((made) => made === call).length;

describe('token exchange', () => {
  it('exchanges the API token once, and again when the JWT is within five minutes of expiry', async () => {
    const h = await start();
    await h.client.findDatabase('x');
    await h.client.findDatabase('x');
    expect(count(h, 'POST /v1/tokens/exchange')).toBe(1);
    h.clock.advance(55 * 60_000 + 1);
    await h.client.findDatabase('x');
    expect(count(h, 'POST /v1/tokens/exchange')).toBe(2);
  });
});

describe('pagination', () => {
  it.each([
    { databases: 0, pages: 1 },
    { databases: 50, pages: 1 },
    { databases: 51, pages: 2 },
    { databases: 120, pages: 3 },
  ])('$databases databases → $pages list pages to find the last one', async ({ databases, pages }) => {
    const h = await start();
    for (let i = 0; i < databases; i += 1) h.state.create({ name: `db-${String(i).padStart(3, '0')}`, planId: 'plan-1' });
    const last = databases ? `db-${String(databases - 1).padStart(3, '0')}` : 'missing';
    const found = await h.client.findDatabase(last);
    expect(found?.name).toBe(databases ? last : undefined);
    expect(count(h, 'GET /v1/databases')).toBe(pages);
  });
});

describe('retries', () => {
  it.each([
    { faults: ['tooMany'] as const, ok: true, attempts: 2 },
    { faults: ['tooMany', 'serverError', 'timeout'] as const, ok: true, attempts: 4 },
    { faults: ['serverError', 'serverError', 'serverError', 'serverError'] as const, ok: false, attempts: 4 },
  ])('a read after $faults: ok=$ok in $attempts attempts', async ({ faults, ok, attempts }) => {
    const h = await start();
    await h.client.findDatabase('warm');
    const before = count(h, 'GET /v1/databases');
    h.server.faults.queue.push(...faults);
    const result = h.client.findDatabase('missing');
    await (ok ? expect(result).resolves.toBeUndefined() : expect(result).rejects.toThrow('HTTP 503'));
    expect(count(h, 'GET /v1/databases') - before).toBe(attempts);
  });

  it.each([
    { fault: 'tooMany' as const, creates: 2, ok: true },
    { fault: 'serverError' as const, creates: 1, ok: false },
    { fault: 'lostResponse' as const, creates: 1, ok: false },
  ])('a create after $fault is sent $creates time(s)', async ({ fault, creates, ok }) => {
    const h = await start();
    await h.client.findDatabase('warm');
    await h.client['planId']('postgresql-dr-starter-1024');
    h.server.faults.queue.push(fault);
    const result = h.client.createDatabase({ name: 'orders-db', plan: 'postgresql-dr-starter-1024' });
    await (ok ? expect(result).resolves.toEqual({ id: expect.any(String) }) : expect(result).rejects.toThrow('POST /v1/databases'));
    expect(count(h, 'POST /v1/databases')).toBe(creates);
  });

  it('a request the server holds past the client timeout is aborted by the client', async () => {
    const h = await start();
    h.server.hangMs = 10_000;
    h.server.faults.queue.push('timeout');
    const request = requestJson({ method: 'GET', url: `${h.server.url}/v1/regions`, operation: 'regions.list', idempotent: false }, { retry: { ...DEFAULT_RETRY, timeoutMs: 100 } });
    await expect(request).rejects.toThrow(/^GET \/v1\/regions: no response: .*aborted due to timeout$/);
  });

  it.each([
    { attempt: 0, random: 0, expected: 125 },
    { attempt: 0, random: 1, expected: 250 },
    { attempt: 3, random: 0.5, expected: 1500 },
    { attempt: 10, random: 1, expected: 10_000 },
  ])('backoff for attempt $attempt (random $random) is $expected ms', ({ attempt, random, expected }) => {
    expect(backoffDelay(attempt, DEFAULT_RETRY, () => random)).toBe(expected);
  });
});

describe('the fake is slow and strict like Scalingo', () => {
  it('refuses a second plan change while one runs', async () => {
    const h = await start();
    const db = h.state.create({ name: 'orders-db', planId: 'plan-1' });
    h.clock.advance(h.state.timings.provisionMs);
    const remote = (await h.client.findDatabase(db.appId))!;
    await h.client.changePlan(remote, 'postgresql-dr-starter-2048');
    await expect(h.client.changePlan(remote, 'postgresql-dr-starter-4096')).rejects.toThrow('HTTP 422: addon an operation is already running (updating)');
  });

  it('refuses a taken name', async () => {
    const h = await start();
    h.state.create({ name: 'orders-db', planId: 'plan-1' });
    await expect(h.client.createDatabase({ name: 'orders-db', plan: 'postgresql-dr-starter-1024' })).rejects.toThrow('HTTP 422: name has already been taken');
  });
});
