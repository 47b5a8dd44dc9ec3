/**
 * Each engine's `observe` reads the database object once per request, and the engine composes with that answer
 * (src/compose/instance.ts hands it to `compose`): the cluster's readiness, the XR's status and the users' gate follow
 * the same observation. The spy answers "ready" for a cluster nothing observes yet: an engine that asked itself again
 * would say "not ready", and one that asked through the interface twice would be counted.
 */
import { jest } from '@jest/globals';
import { Ready } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import type { DatabaseEngine, EngineObservation } from '../../src/engines/engine.js';
import { cloudnativepg } from '../../src/engines/cloudnativepg/engine.js';
import { stackgres } from '../../src/engines/stackgres/engine.js';
import { claim, firstRequest, withInputsObserved, type Doc } from '../support/requests.js';

describe.each<[string, DatabaseEngine, Doc, string]>([
  ['stackgres', stackgres as DatabaseEngine, {}, 'sg-cluster'],
  // (backups off: a ready cluster would bring its ScheduledBackup, which the unobserved cluster then waits for)
  ['cloudnativepg', cloudnativepg as DatabaseEngine, { engine: 'cloudnativepg', backup: { enabled: false } }, 'cnpg-cluster'],
])('%s', (_name, engine, parameters, clusterKey) => {
  afterEach(() => jest.restoreAllMocks());

  it('observes the database object once per request and composes it with that answer', () => {
    // The inputs exist, so the cluster is composed; it isn't observed yet, so the engine itself would say not ready.
    const req = withInputsObserved(firstRequest(claim(parameters)));
    const told: EngineObservation = { ready: true, failed: false, instancesReady: 1, message: 'ready, says the spy' };
    const observe = jest.spyOn(engine, 'observe').mockImplementation(() => told);

    const rsp = runFunction(req);

    expect(observe).toHaveBeenCalledTimes(1);
    expect(rsp.desired!.resources[clusterKey]?.ready).toBe(Ready.READY_TRUE);
  });
});
