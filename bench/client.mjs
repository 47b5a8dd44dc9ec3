#!/usr/bin/env node
// Calls RunFunction once with a proto3-JSON request body (the same file ghz sends) and prints the response
// as JSON; with --wait MS it retries (a fresh client per try) until the first successful answer or MS elapse.
// Usage: node bench/client.mjs ADDRESS REQUEST.json [--wait MS]
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';

const [address, file] = process.argv.slice(2);
const w = process.argv.indexOf('--wait');
const waitMs = w > 0 ? Number(process.argv[w + 1]) : 0;
const req = RunFunctionRequest.fromJSON(JSON.parse(readFileSync(file, 'utf8')));
const Client = grpc.makeGenericClientConstructor(FunctionRunnerServiceService, 'FunctionRunnerService');

function once() {
  const client = new Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.runFunction(req, { deadline: Date.now() + 5000 }, (error, rsp) => {
      client.close();
      if (error) reject(error);
      else resolve(rsp);
    });
  });
}

const deadline = Date.now() + waitMs;
for (;;) {
  try {
    const rsp = await once();
    process.stdout.write(JSON.stringify(RunFunctionResponse.toJSON(rsp)) + '\n');
    process.exit(0);
  } catch (error) {
    if (Date.now() >= deadline) {
      console.error(`RunFunction on ${address} failed: ${error.message}`);
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
