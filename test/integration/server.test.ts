/** A real gRPC round trip to the server started as its own process: plaintext, and mTLS with a CA the test makes. */
import * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePki, type Pki } from '../support/pki.js';
import { claim, exampleClaim, firstRequest, steadyRequest, type Doc } from '../support/requests.js';
import { call, runToExit, startServerProcess, type ServerProcess } from '../support/server-process.js';

const stop = async (server: ServerProcess) => {
  server.child.kill('SIGTERM');
  return server.exited;
};

describe('plaintext (--insecure)', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess(['--insecure', '--address', '127.0.0.1:0', '--debug']);
  });
  afterAll(async () => {
    if (server.child.exitCode === null) await stop(server);
  });

  it('composes the full example', async () => {
    const rsp = await call(server.port, grpc.credentials.createInsecure(), firstRequest(exampleClaim('full')));
    expect(rsp.results).toEqual([]);
    expect(Object.keys(rsp.desired!.resources)).toEqual(
      expect.arrayContaining(['connection-secret', 'network-policy', 'sg-instance-profile', 'user-secret-billing_app', 'superuser-secret']),
    );
  });

  it('answers bad input with a Fatal result over the wire', async () => {
    const rsp = await call(server.port, grpc.credentials.createInsecure(), firstRequest(claim({ instances: 0 })));
    expect(rsp.results[0]).toMatchObject({ severity: Severity.SEVERITY_FATAL });
    expect(rsp.results[0]!.message).toContain('spec.parameters.instances');
  });

  it('answers an XR whose name is an object with a non-callable toString with a Fatal result, not a gRPC error (found by fuzzing)', async () => {
    const req = firstRequest(claim({}));
    (req.observed!.composite!.resource!['metadata'] as Doc)['name'] = { toString: false };
    const rsp = await call(server.port, grpc.credentials.createInsecure(), req);
    expect(rsp.results).toEqual([expect.objectContaining({ severity: Severity.SEVERITY_FATAL, message: expect.stringContaining('metadata.name') })]);
  });

  it('accepts a request larger than grpc-js’s default 4 MiB', async () => {
    const req = steadyRequest(claim({}));
    const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { blob: 'x'.repeat(6 * 1024 * 1024) } };
    req.observed!.resources['unrelated'] = { resource: big, connectionDetails: {}, ready: 0 };
    const rsp = await call(server.port, grpc.credentials.createInsecure(), req, {
      'grpc.max_send_message_length': 16 * 1024 * 1024,
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
    });
    expect(rsp.results).toEqual([]);
  });

  it('never logs a secret value, even at debug level', async () => {
    const rsp = await call(server.port, grpc.credentials.createInsecure(), firstRequest(claim({})));
    const data = rsp.desired!.resources['superuser-secret']!.resource!['data'] as Doc;
    const password = Buffer.from(String(data['password']), 'base64').toString();
    expect(server.output()).toContain('"msg":"composed"');
    expect(server.output()).not.toContain(password);
    expect(server.output()).not.toContain(String(data['password']));
  });

  it('lets a client send 8 MiB per connection and per call before waiting for acknowledgements (not HTTP/2’s 64 KiB)', async () => {
    const session = http2.connect(`http://127.0.0.1:${server.port}`);
    try {
      session.on('error', () => undefined);
      // the server's own SETTINGS and WINDOW_UPDATE follow the connection preface; give them a moment
      for (let i = 0; i < 50 && session.remoteSettings?.initialWindowSize !== 8 * 1024 * 1024; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(session.remoteSettings.initialWindowSize).toBe(8 * 1024 * 1024);
      expect(session.state.remoteWindowSize).toBe(8 * 1024 * 1024);
    } finally {
      session.destroy();
    }
  });

  it('drains and exits 0 on SIGTERM', async () => {
    expect(await stop(server)).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
  });
});

describe('mTLS', () => {
  let pki: Pki;
  let server: ServerProcess;
  beforeAll(async () => {
    pki = makePki();
    server = await startServerProcess(['--address', '127.0.0.1:0', '--tls-server-certs-dir', pki.serverDir]);
  });
  afterAll(async () => {
    await stop(server);
    rmSync(pki.dir, { recursive: true, force: true });
  });

  it('serves a client whose certificate the CA signed', async () => {
    const credentials = grpc.credentials.createSsl(pki.ca, pki.clientKey, pki.clientCert);
    const rsp = await call(server.port, credentials, firstRequest(claim({})));
    expect(rsp.desired!.resources['superuser-secret']).toBeDefined();
  });

  it('serves Crossplane: a client certificate named like its CA, without key identifiers (OpenSSL calls it self-signed)', async () => {
    const credentials = grpc.credentials.createSsl(pki.ca, pki.crossplaneKey, pki.crossplaneCert);
    const rsp = await call(server.port, credentials, firstRequest(claim({})));
    expect(rsp.desired!.resources['superuser-secret']).toBeDefined();
  });

  it('refuses a certificate signed by the CA for servers only', async () => {
    const credentials = grpc.credentials.createSsl(pki.ca, pki.serverOnlyKey, pki.serverOnlyCert);
    await expect(call(server.port, credentials, firstRequest(claim({})))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('refuses a client without a certificate', async () => {
    await expect(call(server.port, grpc.credentials.createSsl(pki.ca), firstRequest(claim({})))).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
    });
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const credentials = grpc.credentials.createSsl(pki.ca, pki.rogueKey, pki.rogueCert);
    await expect(call(server.port, credentials, firstRequest(claim({})))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });

  it('refuses plaintext', async () => {
    await expect(call(server.port, grpc.credentials.createInsecure(), firstRequest(claim({})))).rejects.toBeDefined();
  });
});

describe('shutdown', () => {
  it('exits on SIGTERM even when nothing reads its output any more (found by fuzzing: it hung at exit)', async () => {
    const server = await startServerProcess(['--insecure', '--address', '127.0.0.1:0']);
    server.child.stdout!.destroy();
    server.child.stderr!.destroy();
    server.child.kill('SIGTERM');
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still running after 5 s'), 5000).unref());
    const outcome = await Promise.race([server.exited, timeout]);
    if (outcome === 'still running after 5 s') server.child.kill('SIGKILL');
    expect(outcome).toBe(0);
  });
});

describe('start-up failures exit non-zero with a reason', () => {
  it('missing certificates', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'fn-pg-empty-'));
    const { code, output } = await runToExit(['--address', '127.0.0.1:0', '--tls-server-certs-dir', empty]);
    rmSync(empty, { recursive: true });
    expect(code).toBe(1);
    expect(output).toContain('tls.crt, tls.key and ca.crt');
  });

  it('address in use', async () => {
    const first = await startServerProcess(['--insecure', '--address', '127.0.0.1:0']);
    const { code, output } = await runToExit(['--insecure', '--address', `127.0.0.1:${first.port}`]);
    await stop(first);
    expect(code).toBe(1);
    expect(output).toContain('cannot listen on');
  });

  it('unknown flag', async () => {
    const { code, output } = await runToExit(['--frobnicate']);
    expect(code).toBe(2);
    expect(output).toContain('unknown flag --frobnicate');
  });

  it('a message limit out of range', async () => {
    const { code, output } = await runToExit(['--max-message-size-mib', '0']);
    expect(code).toBe(2);
    expect(output).toContain('--max-message-size-mib');
  });
});
