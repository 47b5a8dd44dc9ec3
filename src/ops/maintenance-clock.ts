/**
 * Operation mode: the maintenance clock (README, "Day two"). The platform's CronOperation calls this function with a
 * `MaintenanceClock` input; the function reads every XR of both XRDs (required resources, all namespaces) and returns
 * each one, as a desired resource, with the annotation that says whether its window is open now. Crossplane's
 * Operation reconciler applies them (internal/controller/ops/operation/reconciler.go, v2.2.1 and v2.3.4 alike):
 * server-side apply, `ForceOwnership`, field manager `ops.crossplane.io/operation/<Operation uid>`, a new manager
 * on every run. A later run's apply therefore never removes what an earlier one set; each run writes both
 * annotations explicitly, `closed` included, and never relies on omitting one.
 *
 * This is the one place the function reads the clock: an Operation is a one-shot run whose output is applied once
 * (never compared with an earlier output), and it is the clock's very purpose. Compositions stay pure: they read the
 * annotation off the observed XR.
 */
import { Ready, Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { z } from 'zod';
import { INPUT_GROUP, INPUT_VERSION } from '../api/input.js';
import { maintenanceWindow } from '../compose/maintenance.js';
import { WINDOW_STATE_ANNOTATION, WINDOW_UNTIL_ANNOTATION, windowStateAt } from '../compose/window-clock.js';
import { annotatedXr, liveXrs, operationInput, xrKey, xrSelectors } from './operation.js';

export const CLOCK_KIND = 'MaintenanceClock';
const clockInput = z
  .object({
    apiVersion: z.literal(`${INPUT_GROUP}/${INPUT_VERSION}`),
    kind: z.literal(CLOCK_KIND),
    // Must match the CronOperation's schedule: the annotation says `open` only if the window is still open at the
    // next run.
    periodMinutes: z.number().int().min(1).max(60).default(15),
  })
  .strict();

type Json = Record<string, unknown>;

export const isClockInput = (input: Json | undefined): boolean => input?.['kind'] === CLOCK_KIND;

export function runClock(req: RunFunctionRequest, rsp: RunFunctionResponse, now: Date): RunFunctionResponse {
  // The same request gives another answer at another time: operationInput gives it TTL 0, so nothing caches it
  // (Crossplane's function response cache, --enable-function-response-cache, keys on the request).
  const input = operationInput(req, rsp, clockInput, CLOCK_KIND, 'it reads the clock');
  if (!input) return rsp;
  rsp.requirements = { extraResources: {}, resources: xrSelectors(), schemas: {} };
  const xrs = liveXrs(req);
  if (!xrs) return rsp;

  const resources: NonNullable<RunFunctionResponse['desired']>['resources'] = {};
  const opened: string[] = [];
  let skipped = 0;
  // The window needs the claim's namespace and name (a legacy XR's come from its claim labels) and `maintenance`.
  for (const { xr, instance } of xrs) {
    if (!instance) {
      skipped += 1;
      continue;
    }
    const reading = windowStateAt(maintenanceWindow(instance, instance.parameters), now, input.periodMinutes);
    const key = xrKey(xr, instance.namespaced ? instance.namespace : undefined, instance.xrName);
    const annotations = { [WINDOW_STATE_ANNOTATION]: reading.state, [WINDOW_UNTIL_ANNOTATION]: reading.until };
    resources[key] = { resource: annotatedXr(xr, annotations), connectionDetails: {}, ready: Ready.READY_UNSPECIFIED };
    if (reading.state === 'open') opened.push(`${instance.namespace}/${instance.claimName}`);
  }
  rsp.desired = { composite: undefined, resources };
  rsp.output = { at: now.toISOString(), instances: Object.keys(resources).length, open: opened.sort(), skipped };
  if (skipped > 0) {
    rsp.results.push({ severity: Severity.SEVERITY_WARNING, message: `${skipped} XR(s) without a claim or readable parameters were left alone` });
  }
  return rsp;
}
