/** The fuzz test's request encoder writes the SDK's bytes (so what the fuzz test sends is what Crossplane sends). */
import { FunctionRunnerServiceService } from '@crossplane-org/function-sdk-typescript';
import { encodeRunFunctionRequest } from '../support/request-encoder.js';
import { exampleClaim, firstRequest, steadyRequest } from '../support/requests.js';

describe('test/support/request-encoder', () => {
  it.each(['minimal', 'full', 'restore'])('%s: the same bytes as the SDK, first and steady', (name) => {
    for (const req of [firstRequest(exampleClaim(name)), steadyRequest(exampleClaim(name))]) {
      req.meta = { tag: 'x', capabilities: [1, 2] };
      req.desired = { composite: { resource: { a: 1 }, connectionDetails: { k: Buffer.from('v') }, ready: 1 }, resources: {} };
      req.requiredResources['r'] = { items: [{ resource: { kind: 'SGBackup' }, connectionDetails: {}, ready: 0 }] };
      expect(encodeRunFunctionRequest(req)).toEqual(Buffer.from(FunctionRunnerServiceService.runFunction.requestSerialize(req)));
    }
  });
});
