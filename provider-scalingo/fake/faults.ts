/**
 * Fault injection for the fake Scalingo API: 429 with Retry-After, 5xx, timeouts (the server holds the request and
 * drops the connection) and lost responses (the server does the work, then drops the connection: the client can't
 * tell whether a create happened, as when the provider crashes between create and record).
 */
export type FaultKind = 'tooMany' | 'serverError' | 'timeout' | 'lostResponse';

export interface FaultRates {
  tooMany: number;
  serverError: number;
  timeout: number;
  lostResponse: number;
}

export const NO_FAULTS: FaultRates = { tooMany: 0, serverError: 0, timeout: 0, lostResponse: 0 };

/** Small deterministic PRNG (mulberry32) so a fault run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  /** Faults to inject on the next requests, in order, before any random ones. */
  readonly queue: FaultKind[] = [];
  readonly injected: Record<FaultKind, number> = { tooMany: 0, serverError: 0, timeout: 0, lostResponse: 0 };

  constructor(
    public rates: FaultRates = NO_FAULTS,
    private readonly random: () => number = seededRandom(1),
  ) {}

  get total(): number {
    return Object.values(this.injected).reduce((sum, count) => sum + count, 0);
  }

  /** The fault for this request, if any. Lost responses only make sense for writes, so reads skip them. */
  next(isWrite: boolean): FaultKind | undefined {
    const queued = this.queue.shift();
    const fault = queued ?? this.draw(isWrite);
    if (fault) this.injected[fault] += 1;
    return fault;
  }

  private draw(isWrite: boolean): FaultKind | undefined {
    let roll = this.random();
    for (const kind of ['tooMany', 'serverError', 'timeout', 'lostResponse'] as const) {
      if (kind === 'lostResponse' && !isWrite) continue;
      if (roll < this.rates[kind]) return kind;
      roll -= this.rates[kind];
    }
    return undefined;
  }
}
