/**
 * The gRPC server, built on grpc-js directly rather than the SDK's `serve()`, which makes client certificates
 * optional, falls back to plaintext on an empty certs dir, exits 0 when it can't bind, and keeps the 4 MiB limit.
 */
import * as grpc from '@grpc/grpc-js';
import {
  FunctionRunnerServiceService,
  Severity,
  Target,
  type RunFunctionRequest,
  type RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { runFunction } from './function.js';
import type { ServerOptions } from './options.js';

export class StartupError extends Error {}

export function serverCredentials(options: ServerOptions): grpc.ServerCredentials {
  if (options.insecure) return grpc.ServerCredentials.createInsecure();
  const dir = options.tlsServerCertsDir;
  const read = (file: string): Buffer => {
    try {
      const content = readFileSync(join(dir, file));
      if (content.length === 0) throw new Error('empty');
      return content;
    } catch {
      throw new StartupError(
        `TLS: cannot read ${join(dir, file)}; --tls-server-certs-dir must hold tls.crt, tls.key and ca.crt ` +
          '(use --insecure only for local development)',
      );
    }
  };
  // Crossplane always dials functions with a client certificate, so anything without one is refused.
  return grpc.ServerCredentials.createSsl(read('ca.crt'), [{ private_key: read('tls.key'), cert_chain: read('tls.crt') }], true);
}

function xrName(req: RunFunctionRequest): string {
  const metadata = req.observed?.composite?.resource?.['metadata'] as Record<string, unknown> | undefined;
  return String(metadata?.['name'] ?? '');
}

/** Never throws into grpc-js: a bug becomes a Fatal result, which makes Crossplane change nothing. */
function handle(req: RunFunctionRequest, logger: Logger): RunFunctionResponse {
  const started = process.hrtime.bigint();
  try {
    const rsp = runFunction(req);
    const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (fatal) logger.info({ xr: xrName(req), tag: req.meta?.tag, ms, fatal: fatal.message }, 'refused');
    else logger.debug({ xr: xrName(req), tag: req.meta?.tag, ms }, 'composed');
    return rsp;
  } catch (error) {
    logger.error({ xr: xrName(req), err: error instanceof Error ? error.message : String(error) }, 'function failed');
    return {
      meta: { tag: req.meta?.tag ?? '', ttl: { seconds: 60, nanos: 0 } },
      desired: req.desired,
      results: [{ severity: Severity.SEVERITY_FATAL, message: 'internal error in function-postgresql; see its logs', target: Target.TARGET_COMPOSITE }],
      context: req.context,
      requirements: undefined,
      conditions: [],
    };
  }
}

export interface RunningServer {
  readonly server: grpc.Server;
  readonly port: number;
  /** Stops accepting calls, lets those in flight finish (up to `graceMs`), then closes. */
  shutdown(graceMs?: number): Promise<void>;
}

export function startServer(options: ServerOptions, logger: Logger): Promise<RunningServer> {
  const credentials = serverCredentials(options);
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': options.maxMessageBytes,
  });
  server.addService(FunctionRunnerServiceService, {
    runFunction: (call: grpc.ServerUnaryCall<RunFunctionRequest, RunFunctionResponse>, callback: grpc.sendUnaryData<RunFunctionResponse>) =>
      callback(null, handle(call.request, logger)),
  });
  return new Promise((resolve, reject) => {
    server.bindAsync(options.address, credentials, (error, port) => {
      if (error) {
        reject(new StartupError(`cannot listen on ${options.address}: ${error.message}`));
        return;
      }
      resolve({
        server,
        port,
        shutdown: (graceMs = 10_000) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => {
              server.forceShutdown();
              done();
            }, graceMs);
            force.unref();
            server.tryShutdown(() => {
              clearTimeout(force);
              done();
            });
          }),
      });
    });
  });
}
