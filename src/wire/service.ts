/**
 * The FunctionRunnerService definition grpc-js serves: the SDK's, with our codec on the server's side of the wire
 * (request decode, response encode). The client side keeps the SDK's codec; tests use it to check ours.
 */
import { FunctionRunnerServiceService } from '@crossplane-org/function-sdk-typescript';
import { decodeRunFunctionRequest } from './request.js';
import { encodeRunFunctionResponse } from './response.js';

export const functionRunnerService = {
  runFunction: {
    ...FunctionRunnerServiceService.runFunction,
    requestDeserialize: decodeRunFunctionRequest,
    responseSerialize: encodeRunFunctionResponse,
  },
} satisfies typeof FunctionRunnerServiceService;
