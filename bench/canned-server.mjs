#!/usr/bin/env node
// The transport floor: a grpc-js server that answers every RunFunction with function-postgresql's own response for
// the claim, encoded once at start, without decoding the request (both codecs are the identity). What is left is
// grpc-js and HTTP/2 moving the request and the answer (with function-postgresql's flow-control window), and ghz
// encoding and decoding them: no server that sends this answer can do better on this machine.
// Usage: node bench/canned-server.mjs --address 127.0.0.1:PORT --claim minimal|full     (needs dist/: npm run build)
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { steady } from './requests.mjs';
import { runFunction } from '../dist/function.js';
import { widenFlowControl } from '../dist/server.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const address = arg('--address', '127.0.0.1:9443');
const { req } = steady(arg('--claim', 'full'));
const answer = Buffer.from(RunFunctionResponse.encode(runFunction(req)).finish());
const identity = (bytes) => bytes;
const server = new grpc.Server();
server.addService(
  {
    runFunction: {
      ...FunctionRunnerServiceService.runFunction,
      requestDeserialize: identity,
      responseSerialize: identity,
    },
  },
  { runFunction: (_call, callback) => callback(null, answer) },
);
server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) {
    console.error(`cannot listen on ${address}: ${error.message}`);
    process.exit(1);
  }
  widenFlowControl(server);
});
const stop = () => server.tryShutdown(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
