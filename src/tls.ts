/**
 * Client-certificate checking for the gRPC server. Crossplane's `core init` issues its client certificate with the
 * same subject name as its CA and without key identifiers, which OpenSSL — and so Node — takes for a self-signed
 * certificate (`openssl verify` says "self-signed certificate", error 18): a server that lets OpenSSL verify client
 * certificates refuses Crossplane. So TLS asks for a certificate but doesn't judge it, and this module does, on every
 * connection, before a byte of HTTP/2 is read: the certificate must be signed by a CA in ca.crt, be within its
 * validity, and not be restricted to other uses than client authentication.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_USAGE = '2.5.29.37.0';

export function parseBundle(pem: Buffer): X509Certificate[] {
  const blocks = pem.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

export type ClientCheck = (raw: Buffer | undefined, now?: Date) => string | undefined;

/** A checker that returns why a client certificate is refused, or undefined when it is accepted. */
export function clientCertificateCheck(caBundle: Buffer): ClientCheck {
  const authorities = parseBundle(caBundle).map((ca) => ({ ca, key: ca.publicKey as KeyObject }));
  if (authorities.length === 0) throw new Error('ca.crt holds no certificate');
  return (raw, now = new Date()) => {
    if (!raw || raw.length === 0) return 'no client certificate';
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(raw);
    } catch {
      return 'unreadable client certificate';
    }
    if (!authorities.some(({ ca, key }) => leaf.checkIssued(ca) && leaf.verify(key))) return 'client certificate not signed by ca.crt';
    if (now < new Date(leaf.validFrom) || now > new Date(leaf.validTo)) return 'client certificate outside its validity';
    const usages = leaf.keyUsage;
    if (usages && usages.length > 0 && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_USAGE)) {
      return 'certificate not meant for client authentication';
    }
    return undefined;
  };
}

/** Ends the connection at once when its client certificate is refused. */
export function enforceOn(check: ClientCheck, onRefused: (reason: string) => void): (socket: TLSSocket) => void {
  return (socket) => {
    const reason = check(socket.getPeerCertificate(false)?.raw);
    if (reason) {
      onRefused(reason);
      socket.destroy();
    }
  };
}
