/** Readiness read from observed objects that may be malformed (the fuzz test found null conditions crash it). */
import { runFunction } from '../../src/function.js';
import { managedResourceReady } from '../../src/compose/readiness.js';
import type { ComposeContext } from '../../src/compose/types.js';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { claim, firstRequest, settle, type Doc } from '../support/requests.js';

const withStatus = (status: unknown) => ({ observed: { resources: { bucket: { status } } } }) as unknown as ComposeContext;

describe('a managed resource is ready when its provider says so', () => {
  it.each<[string, unknown, boolean]>([
    ['Ready True', { conditions: [{ type: 'Ready', status: 'True' }] }, true],
    ['Ready False', { conditions: [{ type: 'Ready', status: 'False' }] }, false],
    ['no status', undefined, false],
    ['conditions not a list', { conditions: 'Ready' }, false],
    ['a null condition before Ready True', { conditions: [null, { type: 'Ready', status: 'True' }] }, true],
    ['only null and numbers', { conditions: [null, 3, 'x'] }, false],
  ])('%s → %p', (_what, status, ready) => expect(managedResourceReady(withStatus(status), 'bucket')).toBe(ready));
});

describe('null entries in observed conditions', () => {
  it.each(['minimal', 'cloudnativepg-minimal'])('%s: a steady instance with null conditions everywhere still composes', (example) => {
    const engine = example.startsWith('cloudnativepg') ? { engine: 'cloudnativepg' } : {};
    const { req } = settle(firstRequest(claim(engine)), 'nulls');
    for (const r of Object.values(req.observed!.resources)) {
      const status = ((r.resource as Doc)['status'] ?? {}) as Doc;
      (r.resource as Doc)['status'] = { ...status, conditions: [null, ...((status['conditions'] as unknown[] | undefined) ?? [])] };
    }
    const rsp = runFunction(req);
    expect(rsp.results.filter((x) => x.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(Object.keys(rsp.desired!.resources).length).toBeGreaterThan(10);
  });
});

describe('observed fields holding objects where text is expected', () => {
  // `String({ toString: {} })` throws; the fuzz test sent such a bucket (seed 918987970, case 3719)
  const hostile = { toString: {}, valueOf: {} };
  it.each(['minimal', 'cloudnativepg-minimal'])('%s: every observed apiVersion, name and phase replaced still composes', (example) => {
    const engine = example.startsWith('cloudnativepg') ? { engine: 'cloudnativepg' } : {};
    const { req } = settle(firstRequest(claim(engine)), 'hostile');
    for (const r of Object.values(req.observed!.resources)) {
      const resource = r.resource as Doc;
      resource['apiVersion'] = hostile;
      resource['status'] = { ...((resource['status'] ?? {}) as Doc), phase: hostile };
    }
    const rsp = runFunction(req);
    expect(Object.keys(rsp.desired!.resources).length).toBeGreaterThan(10);
  });
});

describe('observed conditions that are no list', () => {
  // otc-rds read `(conditions ?? []).find`, which throws on an object (fuzz: seed 270746596, case 45130)
  it.each(['stackgres', 'cloudnativepg', 'zalando', 'aws-rds', 'otc-rds'])('%s: conditions as an object everywhere still compose', (engine) => {
    const { req } = settle(firstRequest(claim({ engine, ...(engine === 'otc-rds' ? { size: { disk: '40Gi' } } : {}) })), 'not-a-list');
    for (const r of Object.values(req.observed!.resources)) {
      const resource = r.resource as Doc;
      resource['status'] = { ...((resource['status'] ?? {}) as Doc), conditions: { type: 'Ready', status: 'True' } };
    }
    const rsp = runFunction(req);
    expect(Object.keys(rsp.desired!.resources).length).toBeGreaterThan(3);
  });
});
