/** The token bucket that spreads requests to Scalingo: bursts, then the steady rate, callers in order. */
import { describe, expect, it } from '@jest/globals';
import { TokenBucket, type Clock } from '../src/scalingo/rate-limit.js';

class FakeClock implements Clock {
  ms = 0;
  readonly sleeps: number[] = [];
  now = () => this.ms;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.ms += ms;
  };
}

describe('token bucket', () => {
  it.each([
    { perSecond: 10, burst: 20, requests: 20, sleeps: [] },
    { perSecond: 10, burst: 20, requests: 23, sleeps: [100, 100, 100] },
    { perSecond: 2, burst: 1, requests: 3, sleeps: [500, 500] },
  ])('$perSecond/s, burst $burst: $requests requests wait $sleeps', async ({ perSecond, burst, requests, sleeps }) => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(perSecond, burst, clock);
    const order: number[] = [];
    await Promise.all(Array.from({ length: requests }, (_, index) => bucket.take().then(() => order.push(index))));
    expect(clock.sleeps).toEqual(sleeps);
    expect(order).toEqual(Array.from({ length: requests }, (_, index) => index));
  });

  it('refills while idle, up to the burst', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, 5, clock);
    for (let i = 0; i < 5; i += 1) await bucket.take();
    clock.ms += 10_000;
    for (let i = 0; i < 5; i += 1) await bucket.take();
    expect(clock.sleeps).toEqual([]);
    await bucket.take();
    expect(clock.sleeps).toEqual([100]);
  });
});
