#!/usr/bin/env node
// The codec decision (docs/benchmarks.md, "The codec: src/wire or the SDK's"): the server's own protobuf codec
// (dist/wire) against the SDK's generated one, side by side in one run, alternating which goes first so that a
// change in the machine's load falls on both. Two measurements per claim (a steady reconcile, bench/requests.mjs):
//   in-process  decoding the request plus encoding the answer, mean CPU ms per call over N calls per turn;
//   gRPC        two servers (bench/codec-server.mjs, one per codec, flags as the image runs them), each called N
//               times per turn by one grpc-js client over one connection with C calls in flight (as Crossplane
//               does); the server's CPU ms per call (its own process.cpuUsage) and calls/s.
// Prints one markdown table per measurement: median and range over the rounds, and wire/SDK ratios paired by round.
// Usage: nice -n 15 node bench/codec.mjs [claim ...]        (default: minimal full; needs dist/: npm run build)
// Knobs: BENCH_CODEC_ROUNDS (default 6), BENCH_CODEC_INPROC_N (2000), BENCH_CODEC_GRPC_N (2000),
//        BENCH_CODEC_C (16), BENCH_CODEC_WARMUP (500), BENCH_PORT (first port, default 19541)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { steady } from './requests.mjs';
import { runFunction } from '../dist/function.js';
import { FLOW_CONTROL_WINDOW_BYTES } from '../dist/server.js';
import { decodeRunFunctionRequest } from '../dist/wire/request.js';
import { encodeRunFunctionResponse } from '../dist/wire/response.js';

const ROUNDS = Number(process.env.BENCH_CODEC_ROUNDS ?? 6);
const INPROC_N = Number(process.env.BENCH_CODEC_INPROC_N ?? 2000);
const GRPC_N = Number(process.env.BENCH_CODEC_GRPC_N ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CODEC_C ?? 16);
const WARMUP = Number(process.env.BENCH_CODEC_WARMUP ?? 500);
let port = Number(process.env.BENCH_PORT ?? 19541);
const NODE_FLAGS = ['--max-semi-space-size=4']; // as the image (test/e2e/lib.sh E2E_FUNCTION_NODE_FLAGS)
const claims = process.argv.length > 2 ? process.argv.slice(2) : ['minimal', 'full'];
const CODECS = ['wire', 'sdk'];
/** Even rounds run wire first, odd rounds the SDK first. */
const orderOf = (round) => (round % 2 === 0 ? CODECS : [...CODECS].reverse());

const codecs = {
  wire: { decode: decodeRunFunctionRequest, encode: encodeRunFunctionResponse },
  sdk: { decode: (bytes) => RunFunctionRequest.decode(bytes), encode: (rsp) => RunFunctionResponse.encode(rsp).finish() },
};

/** CPU time (this process's user + system), not wall time: on a loaded machine the wall clock also counts the
 *  time other processes held the core. */
function meanMs(n, work) {
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) work();
  const { user, system } = process.cpuUsage(started);
  return (user + system) / 1000 / n;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (xs, digits) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const cell = (xs, digits) => `${median(xs).toFixed(digits)} (${range(xs, digits)})`;
const ratios = (a, b) => a.map((x, i) => x / b[i]);

function inProcess(claim) {
  const { req } = steady(claim);
  const bytes = Buffer.from(RunFunctionRequest.encode(req).finish());
  const rsp = runFunction(RunFunctionRequest.decode(bytes));
  for (const { decode, encode } of Object.values(codecs)) meanMs(WARMUP, () => decode(bytes) && encode(rsp));
  const ms = { wire: [], sdk: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of orderOf(round)) {
      const { decode, encode } = codecs[name];
      ms[name].push(meanMs(INPROC_N, () => decode(bytes)) + meanMs(INPROC_N, () => encode(rsp)));
    }
  }
  return { claim, bytes: bytes.length, ms };
}

async function startServer(codec) {
  const address = `127.0.0.1:${port++}`;
  const child = spawn(process.execPath, [...NODE_FLAGS, new URL('./codec-server.mjs', import.meta.url).pathname, '--address', address, '--codec', codec], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const next = () => once(lines, 'line').then(([line]) => line);
  if ((await next()) !== 'ready') throw new Error(`${codec} server did not start`);
  const identity = (b) => b;
  const Client = grpc.makeGenericClientConstructor(
    { runFunction: { ...FunctionRunnerServiceService.runFunction, requestSerialize: identity, responseDeserialize: identity } },
    'FunctionRunnerService',
  );
  const client = new Client(address, grpc.credentials.createInsecure(), { 'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES });
  return {
    client,
    cpuMicros: async () => {
      child.stdin.write('cpu\n');
      return Number(await next());
    },
    stop: () => {
      client.close();
      child.stdin.end();
      return once(child, 'exit');
    },
  };
}

const call = (client, bytes) =>
  new Promise((resolve, reject) => client.runFunction(bytes, { deadline: Date.now() + 30_000 }, (e, answer) => (e ? reject(e) : resolve(answer))));

async function drive(client, bytes, n) {
  let sent = 0;
  const worker = async () => {
    while (sent < n) {
      sent++;
      await call(client, bytes);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function overGrpc(claim) {
  const { req } = steady(claim);
  const bytes = Buffer.from(RunFunctionRequest.encode(req).finish());
  const servers = { wire: await startServer('wire'), sdk: await startServer('sdk') };
  try {
    const [a, b] = await Promise.all(CODECS.map((name) => call(servers[name].client, bytes)));
    if (!Buffer.from(a).equals(Buffer.from(b))) throw new Error(`${claim}: the two servers answer differently`);
    for (const name of CODECS) await drive(servers[name].client, bytes, WARMUP);
    const cpu = { wire: [], sdk: [] };
    const rate = { wire: [], sdk: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of orderOf(round)) {
        const server = servers[name];
        const cpuBefore = await server.cpuMicros();
        const started = process.hrtime.bigint();
        await drive(server.client, bytes, GRPC_N);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        cpu[name].push(((await server.cpuMicros()) - cpuBefore) / 1000 / GRPC_N);
        rate[name].push(GRPC_N / seconds);
      }
    }
    return { claim, cpu, rate };
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  }
}

console.log(`rounds ${ROUNDS} (wire first in even rounds, SDK first in odd), claims: ${claims.join(' ')}\n`);
console.log(`In-process, decode + encode, CPU ms per call, ${INPROC_N} calls per turn: median (range)\n`);
console.log('| claim | request bytes | wire | SDK | wire/SDK per round |');
console.log('|---|---|---|---|---|');
for (const claim of claims) {
  const { bytes, ms } = inProcess(claim);
  const r = ratios(ms.wire, ms.sdk);
  console.log(`| ${claim} | ${bytes} | ${cell(ms.wire, 3)} | ${cell(ms.sdk, 3)} | ${median(r).toFixed(2)} (${range(r, 2)}) |`);
}
console.log(`\ngRPC, ${GRPC_N} calls per turn, ${CONCURRENCY} in flight on one connection: median (range)\n`);
console.log('| claim | server CPU ms/call: wire | SDK | wire/SDK per round | calls/s: wire | SDK | wire/SDK per round |');
console.log('|---|---|---|---|---|---|---|');
for (const claim of claims) {
  const { cpu, rate } = await overGrpc(claim);
  const rc = ratios(cpu.wire, cpu.sdk);
  const rr = ratios(rate.wire, rate.sdk);
  console.log(
    `| ${claim} | ${cell(cpu.wire, 2)} | ${cell(cpu.sdk, 2)} | ${median(rc).toFixed(2)} (${range(rc, 2)}) | ` +
      `${cell(rate.wire, 0)} | ${cell(rate.sdk, 0)} | ${median(rr).toFixed(2)} (${range(rr, 2)}) |`,
  );
}
