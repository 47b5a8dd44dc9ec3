/** The built server (dist/main.js) as a separate process, and a gRPC client for it. */
import * as grpc from '@grpc/grpc-js';
import {
  FunctionRunnerServiceService,
  type RunFunctionRequest,
  type RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './paths.js';

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Starts `node dist/main.js ARGS` and resolves once it logs that it listens (or rejects with its output).
 * `keepOutputChars` bounds the output kept (its end), for long runs such as the fuzz test.
 */
export function startServerProcess(args: string[], timeoutMs = 10_000, keepOutputChars = Infinity): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(REPO, 'dist/main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.length > keepOutputChars) out = out.slice(-keepOutputChars);
      const m = /"port":(\d+).*"msg":"listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => out, exited });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)}:\n${out}`));
    });
  });
}

/** Runs `node dist/main.js ARGS` to its end, for start-up failures. */
export function runToExit(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(REPO, 'dist/main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

const Client = grpc.makeGenericClientConstructor(FunctionRunnerServiceService, 'FunctionRunnerService');

export function call(
  port: number,
  credentials: grpc.ChannelCredentials,
  req: RunFunctionRequest,
  options: grpc.ClientOptions = {},
): Promise<RunFunctionResponse> {
  const client = new Client(`127.0.0.1:${port}`, credentials, options);
  return new Promise((resolve, reject) => {
    const deadline = new Date(Date.now() + 5000);
    client.makeUnaryRequest(
      FunctionRunnerServiceService.runFunction.path,
      FunctionRunnerServiceService.runFunction.requestSerialize,
      FunctionRunnerServiceService.runFunction.responseDeserialize,
      req,
      new grpc.Metadata(),
      { deadline },
      (error: grpc.ServiceError | null, rsp?: RunFunctionResponse) => {
        client.close();
        if (error) reject(error);
        else resolve(rsp!);
      },
    );
  });
}
