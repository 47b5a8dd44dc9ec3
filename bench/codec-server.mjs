#!/usr/bin/env node
// function-postgresql's runFunction behind a grpc-js server with a chosen protobuf codec, for bench/codec.mjs:
// `wire` is the server's own (dist/wire, what dist/main.js serves), `sdk` the SDK's generated one. Everything else
// is the same for both: grpc-js, the flow-control window of dist/server.js, the function itself.
// Reports its own CPU time on stdin's request: a line "cpu" is answered with "<user+system microseconds>".
// Usage: node bench/codec-server.mjs --address 127.0.0.1:PORT --codec wire|sdk     (needs dist/: npm run build)
import * as grpc from '@grpc/grpc-js';
import { createInterface } from 'node:readline';
import { FunctionRunnerServiceService } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../dist/function.js';
import { widenFlowControl } from '../dist/server.js';
import { functionRunnerService } from '../dist/wire/service.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const address = arg('--address', '127.0.0.1:9443');
const codec = arg('--codec', 'wire');
if (codec !== 'wire' && codec !== 'sdk') {
  console.error(`--codec must be wire or sdk, not ${codec}`);
  process.exit(2);
}
const server = new grpc.Server();
server.addService(codec === 'wire' ? functionRunnerService : FunctionRunnerServiceService, {
  runFunction: (call, callback) => callback(null, runFunction(call.request)),
});
server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) {
    console.error(`cannot listen on ${address}: ${error.message}`);
    process.exit(1);
  }
  widenFlowControl(server);
  console.log('ready');
});
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  console.log(String(user + system));
});
process.stdin.on('end', () => server.forceShutdown());
