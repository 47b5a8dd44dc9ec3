#!/usr/bin/env node
// Time from process start to the first successful RunFunction answer, measured from a client that is loaded
// before the server is spawned: spawn CMD, then call (a fresh client each try, every 2 ms) until one succeeds.
// Prints the milliseconds; stops the server (SIGTERM to its PID, SIGKILL after 2 s).
// Usage: node bench/startup.mjs ADDRESS REQUEST.json -- CMD ARGS...
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';

const sep = process.argv.indexOf('--');
const [address, file] = process.argv.slice(2, sep);
const cmd = process.argv.slice(sep + 1);
const req = RunFunctionRequest.fromJSON(JSON.parse(readFileSync(file, 'utf8')));
const Client = grpc.makeGenericClientConstructor(FunctionRunnerServiceService, 'FunctionRunnerService');

function once() {
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc.initial_reconnect_backoff_ms': 1000 });
  return new Promise((resolve) => {
    client.runFunction(req, { deadline: Date.now() + 200 }, (error) => {
      client.close();
      resolve(!error);
    });
  });
}

const t0 = process.hrtime.bigint();
const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
let ok = false;
while (!ok && Number(process.hrtime.bigint() - t0) / 1e6 < 10000) {
  ok = await once();
  if (!ok) await new Promise((r) => setTimeout(r, 2));
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
child.kill('SIGTERM');
const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
child.on('exit', () => clearTimeout(killer));
if (!ok) {
  console.error('no successful answer within 10 s');
  process.exitCode = 1;
} else {
  console.log(ms.toFixed(0));
}
