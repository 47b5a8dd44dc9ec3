#!/usr/bin/env node
// Where one steady call's CPU goes inside the process, without gRPC: decoding the request, runFunction, encoding
// the answer, with the server's codec (src/wire) and, for comparison, the SDK's; mean over many calls after
// warm-up, per claim. Needs dist/ (npm run build).
// Usage: node bench/inprocess.mjs [claim ...]      (default: minimal full; BENCH_INPROC_N calls, default 3000)
import { RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { steady } from './requests.mjs';
import { runFunction } from '../dist/function.js';
import { decodeRunFunctionRequest } from '../dist/wire/request.js';
import { encodeRunFunctionResponse } from '../dist/wire/response.js';

const N = Number(process.env.BENCH_INPROC_N ?? 3000);
const claims = process.argv.length > 2 ? process.argv.slice(2) : ['minimal', 'full'];

function meanMs(work) {
  for (let i = 0; i < Math.min(500, N); i++) work();
  const started = process.hrtime.bigint();
  for (let i = 0; i < N; i++) work();
  return Number(process.hrtime.bigint() - started) / 1e6 / N;
}

console.log('| claim | request bytes | answer bytes | decode ms: ours (SDK) | runFunction ms | encode ms: ours (SDK) | total ms: ours (with the SDK codec) |');
console.log('|---|---|---|---|---|---|---|');
for (const claim of claims) {
  const { req } = steady(claim);
  const bytes = Buffer.from(RunFunctionRequest.encode(req).finish());
  const decoded = RunFunctionRequest.decode(bytes);
  const rsp = runFunction(decoded);
  const answer = RunFunctionResponse.encode(rsp).finish();
  const decode = meanMs(() => decodeRunFunctionRequest(bytes));
  const sdkDecode = meanMs(() => RunFunctionRequest.decode(bytes));
  const run = meanMs(() => runFunction(decoded));
  const encode = meanMs(() => encodeRunFunctionResponse(rsp));
  const sdkEncode = meanMs(() => RunFunctionResponse.encode(rsp).finish());
  const f = (ms) => ms.toFixed(3);
  console.log(
    `| ${claim} | ${bytes.length} | ${answer.length} | ${f(decode)} (${f(sdkDecode)}) | ${f(run)} | ${f(encode)} (${f(sdkEncode)}) | ` +
      `${f(decode + run + encode)} (${f(sdkDecode + run + sdkEncode)}) |`,
  );
}
