/** The process parts that don't need a cluster: work queue, metrics, health endpoints, log redaction, config usage. */
import { describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { healthServer } from '../src/controller/health.js';
import { ProviderMetrics } from '../src/controller/metrics.js';
import { IN_USE_FINALIZER, providerConfigActions } from '../src/controller/provider-configs.js';
import { WorkQueue } from '../src/controller/workqueue.js';
import { createLogger } from '../src/log.js';

describe('work queue', () => {
  it('never runs more than `concurrency` keys at once, nor one key twice at once', async () => {
    let running = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    const runs: string[] = [];
    const queue = new WorkQueue({ concurrency: 3, backoffBaseMs: 1, backoffMaxMs: 1 }, async (key) => {
      running += 1;
      peak = Math.max(peak, running);
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
      expect(perKey.get(key)).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      runs.push(key);
      perKey.set(key, perKey.get(key)! - 1);
      running -= 1;
      return {};
    });
    for (let i = 0; i < 10; i += 1) queue.add(`k${i % 5}`);
    queue.add('k0'); // while k0 runs: runs once more afterwards
    await new Promise((resolve) => setTimeout(resolve, 1));
    queue.add('k0');
    await queue.idle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await queue.idle();
    expect(peak).toBe(3);
    expect(runs.filter((key) => key === 'k0').length).toBe(2);
    expect(runs.filter((key) => key === 'k4').length).toBe(1);
  });

  it.each([
    { failures: 0, expected: 1000 },
    { failures: 1, expected: 2000 },
    { failures: 3, expected: 8000 },
    { failures: 20, expected: 300_000 },
  ])('backs a key off exponentially: after $failures failures, $expected ms', async ({ failures, expected }) => {
    const queue = new WorkQueue({ concurrency: 1, backoffBaseMs: 1000, backoffMaxMs: 300_000 }, async () => ({ failed: true }));
    for (let i = 0; i < failures; i += 1) {
      queue.add('k');
      await queue.idle();
    }
    expect(queue.backoffFor('k')).toBe(expected);
    await queue.shutDown();
  });

  it('shutDown waits for the reconcile in flight and takes no more work', async () => {
    const done: string[] = [];
    const queue = new WorkQueue({ concurrency: 1, backoffBaseMs: 1, backoffMaxMs: 1 }, async (key) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done.push(key);
      return {};
    });
    queue.add('a');
    queue.add('b');
    await queue.shutDown();
    queue.add('c');
    expect(done).toEqual(['a']);
    expect(queue.depth).toBe(0);
  });
});

describe('metrics and health endpoints', () => {
  it('serves /healthz, /readyz by readiness, and the three metric families', async () => {
    const metrics = new ProviderMetrics();
    metrics.reconciles.inc({ result: 'created' });
    metrics.errors.inc();
    metrics.apiLatency.observe({ operation: 'databases.list', status: '200' }, 0.2);
    let ready = false;
    const server = healthServer(metrics, () => ready);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain('provider_scalingo_reconciles_total{result="created"} 1');
      expect(text).toContain('provider_scalingo_reconcile_errors_total 1');
      expect(text).toContain('provider_scalingo_api_request_duration_seconds_bucket{operation="databases.list",status="200",le="0.25"} 1');
      expect(text).toContain('provider_scalingo_api_request_duration_seconds_bucket{operation="databases.list",status="200",le="0.1"} 0');
      expect(text).toContain('provider_scalingo_api_request_duration_seconds_count{operation="databases.list",status="200"} 1');
    } finally {
      server.close();
    }
  });
});

describe('JSON logs without secrets', () => {
  it.each([
    { field: 'token', entry: { token: 'tk-us-secret' } },
    { field: 'password', entry: { connection: { password: 's3cret' } } },
    { field: 'url', entry: { connection: { url: 'postgres://u:s3cret@h/db' } } },
    { field: 'authorization', entry: { authorization: 'Bearer ey.s3cret' } },
  ])('redacts $field', ({ entry }) => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, callback) => (lines.push(String(chunk)), callback()) });
    createLogger('info', sink).info(entry, 'x');
    const logged = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(JSON.stringify(logged)).not.toMatch(/secret/);
    expect(JSON.stringify(logged)).toContain('[redacted]');
    expect(logged.component).toBe('provider-scalingo');
  });
});

describe('ProviderConfig in use cannot be deleted', () => {
  it.each([
    { state: 'in use', deleting: false, users: 2, finalizers: [IN_USE_FINALIZER] },
    { state: 'unused', deleting: false, users: 0, finalizers: [IN_USE_FINALIZER] },
    { state: 'deleted while in use', deleting: true, users: 1, finalizers: [IN_USE_FINALIZER] },
    { state: 'deleted when unused', deleting: true, users: 0, finalizers: [] },
  ])('$state → finalizers $finalizers', ({ deleting, users, finalizers }) => {
    const config = { metadata: { name: 'default', finalizers: [IN_USE_FINALIZER], ...(deleting ? { deletionTimestamp: '2026-12-02T06:00:00Z' } : {}) }, spec: {} };
    expect(providerConfigActions(config, users)).toEqual({ finalizers, users });
  });
});
