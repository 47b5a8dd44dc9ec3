/**
 * A work queue like controller-runtime's: a key is queued at most once, never reconciled by two workers at once,
 * at most `concurrency` keys in flight, delayed requeues (poll interval, backoff) and a drain for graceful shutdown.
 */
export interface WorkQueueOptions {
  concurrency: number;
  /** Per-key exponential backoff after failures: base * 2^failures, capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface WorkResult {
  /** When to look at the key again, if at all. */
  requeueAfterMs?: number;
  failed?: boolean;
}

export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly order: string[] = [];
  private readonly active = new Set<string>();
  /** Keys that were added again while being worked on: they run once more when the current run ends. */
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly options: WorkQueueOptions,
    private readonly work: (key: string) => Promise<WorkResult>,
  ) {}

  get inFlight(): number {
    return this.active.size;
  }

  get depth(): number {
    return this.order.length;
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.order.push(key);
    this.pump();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    const existing = this.timers.get(key);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  backoffFor(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    return Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** failures);
  }

  private pump(): void {
    while (!this.stopped && this.active.size < this.options.concurrency && this.order.length > 0) {
      const key = this.order.shift()!;
      this.queued.delete(key);
      this.active.add(key);
      void this.run(key);
    }
    if (this.active.size === 0 && this.order.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async run(key: string): Promise<void> {
    let result: WorkResult;
    try {
      result = await this.work(key);
    } catch {
      result = { failed: true };
    }
    this.active.delete(key);
    if (result.failed) {
      const delay = this.backoffFor(key);
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
      this.addAfter(key, delay);
    } else {
      this.failures.delete(key);
      if (result.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    }
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
  }

  /** Resolves when nothing is queued or running (tests; shutdown). */
  idle(): Promise<void> {
    if (this.active.size === 0 && this.order.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work, drops queued keys and timers, and waits for the reconciles in flight to finish. */
  async shutDown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.order.length = 0;
    this.queued.clear();
    if (this.active.size === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
