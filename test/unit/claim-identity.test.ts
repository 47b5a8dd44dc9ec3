/**
 * The claim's name and namespace, which Crossplane copies into the XR's labels, name every composed object: a value
 * the API server would refuse (found by the fuzz test: a 400 kB claim name gave a 20 MB answer) is a Fatal result
 * naming the label, with the desired state untouched.
 */
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../../src/function.js';
import { CLAIM_NAME_LABEL, CLAIM_NAMESPACE_LABEL } from '../../src/api/parse.js';
import { answerComposing, claim, firstRequest, type Doc } from '../support/requests.js';

function withLabel(label: string, value: string) {
  const req = firstRequest(claim({}));
  ((req.observed!.composite!.resource!['metadata'] as Doc)['labels'] as Doc)[label] = value;
  req.desired = { composite: undefined, resources: { earlier: { resource: { kind: 'ConfigMap' }, connectionDetails: {}, ready: 0 } } };
  return req;
}

describe('the claim name and namespace labels', () => {
  it.each([
    [CLAIM_NAME_LABEL, 'x'.repeat(64), 'metadata.labels["crossplane.io/claim-name"]: must be a claim name'],
    [CLAIM_NAME_LABEL, 'Orders', 'metadata.labels["crossplane.io/claim-name"]: must be a claim name'],
    [CLAIM_NAME_LABEL, 'orders db', 'metadata.labels["crossplane.io/claim-name"]: must be a claim name'],
    [CLAIM_NAME_LABEL, '-orders', 'metadata.labels["crossplane.io/claim-name"]: must be a claim name'],
    [CLAIM_NAMESPACE_LABEL, 'team.a', 'metadata.labels["crossplane.io/claim-namespace"]: must be a namespace name'],
    [CLAIM_NAMESPACE_LABEL, 'n'.repeat(64), 'metadata.labels["crossplane.io/claim-namespace"]: must be a namespace name'],
    [CLAIM_NAMESPACE_LABEL, 'é', 'metadata.labels["crossplane.io/claim-namespace"]: must be a namespace name'],
  ])('%s = %j is refused', (label, value, message) => {
    const req = withLabel(label, value);
    const rsp = runFunction(req);
    expect(rsp.results).toHaveLength(1);
    expect(rsp.results[0]!.severity).toBe(Severity.SEVERITY_FATAL);
    expect(rsp.results[0]!.message).toContain(message);
    expect(rsp.desired).toEqual(req.desired);
  });

  it.each([
    [CLAIM_NAME_LABEL, 'o'.repeat(63)],
    [CLAIM_NAME_LABEL, 'orders.v2-db'],
    [CLAIM_NAMESPACE_LABEL, 'n'.repeat(63)],
    [CLAIM_NAMESPACE_LABEL, '0-team'],
  ])('%s = %j composes', (label, value) => {
    const rsp = answerComposing(withLabel(label, value), 'sg-cluster');
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(rsp.desired!.resources['sg-cluster']).toBeDefined();
  });
});
