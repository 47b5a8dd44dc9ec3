/**
 * Whether an instance's maintenance window is open, as state on its XR (README, "Day two").
 *
 * A composition function has no clock: the same request must give the same output. So the clock is a Crossplane
 * Operation: the platform's one `CronOperation` (deploy/maintenance-clock.yaml) calls this function every few minutes
 * in operation mode (src/ops/maintenance-clock.ts), which writes on every XR whether its window is open now. The
 * composition then reads that annotation off the observed XR, which is state like any other observed field.
 */
import type { ComposeContext } from './types.js';
import { MINUTE_MS, nextWindowStart, utcSeconds, WINDOW_MINUTES, type MaintenanceWindow } from './maintenance.js';
import { at } from '../util/observed.js';

/** `open` or `closed`, written by the maintenance clock. */
export const WINDOW_STATE_ANNOTATION = 'dbaas.dev/maintenance-window';
/** Until when the clock expects the state to hold (RFC 3339): the window's end while open, its next start while closed. */
export const WINDOW_UNTIL_ANNOTATION = 'dbaas.dev/maintenance-window-until';

export type WindowState = 'open' | 'closed';

/** An Operation starts a little after its schedule's minute; this much lateness still counts as on time. */
export const CLOCK_GRACE_MINUTES = 1;

export interface WindowReading {
  readonly state: WindowState;
  /** RFC 3339, seconds precision. */
  readonly until: string;
}

/**
 * The window's state at `now`, for a clock that runs every `periodMinutes`. The annotation it writes stays until the
 * next run, so it says `open` only if the window is still open at the next run (with a minute's grace for a late
 * start): disruptive work then never starts after the window closed; a window whose start is not on the clock's
 * period opens at the clock's first run inside it.
 */
export function windowStateAt(w: MaintenanceWindow, now: Date, periodMinutes: number): WindowReading {
  // The start of the window now is in, if any: the next start after "one window length ago".
  const start = nextWindowStart(w, new Date(now.getTime() - WINDOW_MINUTES * MINUTE_MS + 1));
  const end = new Date(start.getTime() + WINDOW_MINUTES * MINUTE_MS);
  const lastOpenRun = end.getTime() - (periodMinutes - CLOCK_GRACE_MINUTES) * MINUTE_MS;
  if (start.getTime() <= now.getTime() && now.getTime() <= lastOpenRun) return { state: 'open', until: utcSeconds(end) };
  return { state: 'closed', until: utcSeconds(nextWindowStart(w, new Date(now.getTime() + 1))) };
}

/**
 * Whether window-bound disruptive work may run now: always with `updateStrategy: immediate`; else only while the
 * clock's annotation on the observed XR says `open`. No annotation (a platform without Operations, or before the
 * clock's first run) is closed: such work then waits, it never runs outside a window.
 */
export function windowOpen(ctx: ComposeContext): boolean {
  if (ctx.instance.parameters.updateStrategy === 'immediate') return true;
  return at(ctx.observed.composite, 'metadata', 'annotations', WINDOW_STATE_ANNOTATION) === 'open';
}
