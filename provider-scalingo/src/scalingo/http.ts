/**
 * JSON over HTTP to Scalingo with rate-limited retries: 429 (honouring Retry-After) and, for requests that are safe to
 * repeat, 5xx and timeouts, with exponential backoff and jitter. A create is never repeated after a timeout: the
 * server may have done it, and the reconciler's external-create annotations decide what happens next.
 */
export class ScalingoApiError extends Error {
  /** Set when the request may be sent again; the server's Retry-After when it gave one. */
  retry: { afterMs: number | undefined } | undefined;

  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    detail: string,
  ) {
    super(`${method} ${path}: ${status === 0 ? 'no response' : `HTTP ${status}`}: ${detail}`);
    this.name = 'ScalingoApiError';
  }

  get notFound(): boolean {
    return this.status === 404;
  }

  /** No answer (timeout, dropped connection) or a server error: a write may or may not have happened. */
  get unknownOutcome(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 10_000, timeoutMs: 30_000 };

export interface HttpOptions {
  retry: RetryPolicy;
  /** Observes every attempt, for the API latency metric. */
  observe?: (operation: string, status: number, seconds: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Waits for the account's rate budget before each attempt (rate-limit.ts). */
  limit?: () => Promise<void>;
}

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  /** A stable name for metrics and logs, e.g. "databases.create". */
  operation: string;
  body?: unknown;
  authorization?: string;
  /** Safe to send twice (reads, deletes, setting a plan): repeated on 5xx and timeouts too. */
  idempotent: boolean;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

function detailOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: string; errors?: Record<string, string[]> };
    if (body.error) return body.error;
    if (body.errors) return Object.entries(body.errors).map(([field, messages]) => `${field} ${messages.join(', ')}`).join('; ');
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200) || `status ${status}`;
}

export async function requestJson<T>(request: JsonRequest, options: HttpOptions): Promise<T> {
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  let lastError: ScalingoApiError | undefined;
  for (let attempt = 0; attempt < options.retry.attempts; attempt += 1) {
    if (lastError) await sleep(lastError.retry?.afterMs ?? backoffDelay(attempt - 1, options.retry, random));
    try {
      await options.limit?.();
      return await attemptOnce<T>(request, options);
    } catch (caught) {
      if (!(caught instanceof ScalingoApiError) || !caught.retry) throw caught;
      lastError = caught;
    }
  }
  throw lastError ?? new ScalingoApiError(0, request.method, new URL(request.url).pathname, 'no attempt made');
}

async function attemptOnce<T>(request: JsonRequest, options: HttpOptions): Promise<T> {
  const path = new URL(request.url).pathname;
  const started = performance.now();
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'user-agent': 'provider-scalingo/0.1.0',
        ...(request.authorization ? { authorization: request.authorization } : {}),
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(options.retry.timeoutMs),
    });
    text = await response.text();
  } catch (caught) {
    options.observe?.(request.operation, 0, (performance.now() - started) / 1000);
    const error = new ScalingoApiError(0, request.method, path, caught instanceof Error ? caught.message : String(caught));
    if (request.idempotent) error.retry = { afterMs: undefined };
    throw error;
  }
  options.observe?.(request.operation, response.status, (performance.now() - started) / 1000);
  if (response.ok) return (text ? JSON.parse(text) : {}) as T;
  const error = new ScalingoApiError(response.status, request.method, path, detailOf(response.status, text));
  if (response.status === 429 || (response.status >= 500 && request.idempotent)) {
    error.retry = { afterMs: retryAfter(response.headers.get('retry-after'), options.retry) };
  }
  throw error;
}

function retryAfter(header: string | null, policy: RetryPolicy): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) ? Math.min(seconds * 1000, policy.maxDelayMs) : undefined;
}
