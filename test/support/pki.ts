/** A throwaway CA with server and client certificates, made with the openssl command line. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  readonly dir: string;
  /** A directory with tls.crt, tls.key and ca.crt for the server. */
  readonly serverDir: string;
  readonly ca: Buffer;
  readonly clientCert: Buffer;
  readonly clientKey: Buffer;
  /** Made as Crossplane's `core init` makes its client certificate: the CA's own subject, no key identifiers. */
  readonly crossplaneCert: Buffer;
  readonly crossplaneKey: Buffer;
  /** Signed by the CA but for servers only. */
  readonly serverOnlyCert: Buffer;
  readonly serverOnlyKey: Buffer;
  /** A client certificate from another CA, which the server must refuse. */
  readonly rogueCert: Buffer;
  readonly rogueKey: Buffer;
}

const openssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

// Crossplane's also has C=Earth, which Go writes and OpenSSL refuses to (country codes have two letters).
const CROSSPLANE_SUBJECT = '/ST=Earth/L=Earth/O=Crossplane/CN=Crossplane';

function ca(dir: string, name: string, subject = `/CN=${name}`): void {
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.crt`);
}

function leaf(dir: string, caName: string, name: string, ext: string, subject = `/CN=${name}`): void {
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject,
    '-keyout', `${name}.key`, '-out', `${name}.csr`);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial',
    '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'fn-pg-pki-'));
  ca(dir, 'ca', CROSSPLANE_SUBJECT);
  ca(dir, 'rogue-ca');
  leaf(dir, 'ca', 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf(dir, 'ca', 'client', 'extendedKeyUsage=clientAuth\n');
  leaf(dir, 'ca', 'crossplane', 'extendedKeyUsage=clientAuth\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=none\n', CROSSPLANE_SUBJECT);
  leaf(dir, 'ca', 'server-only', 'extendedKeyUsage=serverAuth\n');
  leaf(dir, 'rogue-ca', 'rogue', 'extendedKeyUsage=clientAuth\n');
  const serverDir = join(dir, 'server-dir');
  execFileSync('mkdir', [serverDir]);
  writeFileSync(join(serverDir, 'tls.crt'), readFileSync(join(dir, 'server.crt')));
  writeFileSync(join(serverDir, 'tls.key'), readFileSync(join(dir, 'server.key')));
  writeFileSync(join(serverDir, 'ca.crt'), readFileSync(join(dir, 'ca.crt')));
  const read = (f: string) => readFileSync(join(dir, f));
  return {
    dir,
    serverDir,
    ca: read('ca.crt'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    crossplaneCert: read('crossplane.crt'),
    crossplaneKey: read('crossplane.key'),
    serverOnlyCert: read('server-only.crt'),
    serverOnlyKey: read('server-only.key'),
    rogueCert: read('rogue.crt'),
    rogueKey: read('rogue.key'),
  };
}
