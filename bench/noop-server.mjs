#!/usr/bin/env node
// The floor: a grpc-js FunctionRunnerService (the SDK's generated service definition, so the same
// protobuf decode/encode as function-postgresql) that answers every RunFunction with the request's desired state.
// Usage: node bench/noop-server.mjs --address 127.0.0.1:PORT     (plain gRPC, loopback only)
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService } from '@crossplane-org/function-sdk-typescript';

const i = process.argv.indexOf('--address');
const address = i > 0 ? process.argv[i + 1] : '127.0.0.1:9443';
const server = new grpc.Server();
server.addService(FunctionRunnerServiceService, {
  runFunction: (call, callback) => {
    const req = call.request;
    callback(null, {
      meta: { tag: req.meta?.tag ?? '', ttl: { seconds: 60, nanos: 0 } },
      desired: req.desired,
      results: [],
      context: req.context,
      requirements: undefined,
      conditions: [],
    });
  },
});
server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) {
    console.error(`cannot listen on ${address}: ${error.message}`);
    process.exit(1);
  }
});
const stop = () => server.tryShutdown(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
