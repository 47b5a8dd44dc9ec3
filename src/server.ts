/**
 * The gRPC server, built on grpc-js directly rather than the SDK's `serve()`, which makes client certificates
 * optional, falls back to plaintext on an empty certs dir, exits 0 when it can't bind, and keeps the 4 MiB limit.
 */
import * as grpc from '@grpc/grpc-js';
import {
  Severity,
  Target,
  type RunFunctionRequest,
  type RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import type { Server as TlsServer } from 'node:tls';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { RESPONSE_TTL_SECONDS, runRequest, type RunOptions } from './function.js';
import { kubeletStatsReader } from './ops/kubelet-stats.js';
import type { ServerOptions } from './options.js';
import { clientCertificateCheck, enforceOn, type ClientCheck } from './tls.js';
import { functionRunnerService } from './wire/service.js';

export class StartupError extends Error {}

/** TLS that asks every client for a certificate and leaves judging it to `tls.ts` (see why there). */
class ClientCertificateCredentials extends grpc.ServerCredentials {
  constructor(ca: Buffer, cert: Buffer, key: Buffer) {
    super({ requestCert: true, rejectUnauthorized: false }, { ca, cert, key });
  }
  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }
}

interface Credentials {
  readonly credentials: grpc.ServerCredentials;
  readonly clientCheck?: ClientCheck;
}

export function serverCredentials(options: ServerOptions): Credentials {
  if (options.insecure) return { credentials: grpc.ServerCredentials.createInsecure() };
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
  const ca = read('ca.crt');
  let clientCheck: ClientCheck;
  try {
    clientCheck = clientCertificateCheck(ca);
  } catch (error) {
    throw new StartupError(`TLS: ${join(dir, 'ca.crt')}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { credentials: new ClientCertificateCredentials(ca, read('tls.crt'), read('tls.key')), clientCheck };
}

/**
 * grpc-js keeps its HTTP/2 servers private; client certificates and flow control must be set on them. If a grpc-js
 * upgrade moves them, the server refuses to start rather than serve without checking client certificates.
 */
function http2ServersOf(server: grpc.Server): (TlsServer | Http2Server)[] {
  const servers = (server as unknown as { http2Servers?: Map<TlsServer | Http2Server, unknown> }).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0) {
    throw new StartupError('cannot reach the HTTP/2 servers: unexpected @grpc/grpc-js internals');
  }
  return [...servers.keys()];
}

function enforceClientCertificates(server: grpc.Server, check: ClientCheck, logger: Logger): void {
  const onRefused = (reason: string) => logger.warn({ reason }, 'refused a client');
  for (const tlsServer of http2ServersOf(server)) {
    (tlsServer as TlsServer).prependListener('secureConnection', enforceOn(check, onRefused));
  }
}

/**
 * HTTP/2 lets a client send only 64 KiB per connection before the server acknowledges it, and grpc-js keeps that
 * default. Crossplane sends every call of every claim over one connection, each request tens of KB (the XR and
 * every observed object), so concurrent reconciles queue behind acknowledgements. A wider window measured 25 %
 * more calls per second and 20 % less CPU per call at 16 callers (docs/benchmarks.md). Memory stays bounded by
 * the window and the message size limit.
 */
export const FLOW_CONTROL_WINDOW_BYTES = 8 * 1024 * 1024;

export function widenFlowControl(server: grpc.Server): void {
  for (const http2Server of http2ServersOf(server)) {
    http2Server.on('session', (session: ServerHttp2Session) => {
      session.setLocalWindowSize(FLOW_CONTROL_WINDOW_BYTES);
      session.settings({ initialWindowSize: FLOW_CONTROL_WINDOW_BYTES });
    });
  }
}

/** For logs only, so it must not throw: a hostile name can be an object whose `toString` is not a function. */
function xrName(req: RunFunctionRequest): string {
  const metadata = req.observed?.composite?.resource?.['metadata'] as Record<string, unknown> | undefined;
  const name = metadata?.['name'];
  return typeof name === 'string' ? name.slice(0, 253) : '';
}

/** Never throws into grpc-js: a bug becomes a Fatal result, which makes Crossplane change nothing. */
async function handle(req: RunFunctionRequest, logger: Logger, options: RunOptions): Promise<RunFunctionResponse> {
  const started = process.hrtime.bigint();
  try {
    const rsp = await runRequest(req, options);
    const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (fatal) logger.info({ xr: xrName(req), tag: req.meta?.tag, ms, fatal: fatal.message }, 'refused');
    else logger.debug({ xr: xrName(req), tag: req.meta?.tag, ms }, 'composed');
    return rsp;
  } catch (error) {
    logger.error({ xr: xrName(req), err: error instanceof Error ? error.message : String(error) }, 'function failed');
    return {
      meta: { tag: req.meta?.tag ?? '', ttl: { seconds: RESPONSE_TTL_SECONDS.settled, nanos: 0 } },
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
  const { credentials, clientCheck } = serverCredentials(options);
  const runOptions: RunOptions = { readVolumes: kubeletStatsReader(options.kubeletInsecureTls) };
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxMessageBytes,
    'grpc.max_send_message_length': options.maxMessageBytes,
  });
  server.addService(functionRunnerService, {
    runFunction: (call: grpc.ServerUnaryCall<RunFunctionRequest, RunFunctionResponse>, callback: grpc.sendUnaryData<RunFunctionResponse>) =>
      void handle(call.request, logger, runOptions).then((rsp) => callback(null, rsp)),
  });
  return new Promise((resolve, reject) => {
    server.bindAsync(options.address, credentials, (error, port) => {
      if (error) {
        reject(new StartupError(`cannot listen on ${options.address}: ${error.message}`));
        return;
      }
      try {
        if (clientCheck) enforceClientCertificates(server, clientCheck, logger);
        widenFlowControl(server);
      } catch (problem) {
        server.forceShutdown();
        reject(problem);
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
