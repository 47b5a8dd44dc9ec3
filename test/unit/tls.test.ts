import { rmSync } from 'node:fs';
import { clientCertificateCheck, parseBundle } from '../../src/tls.js';
import { makePki, type Pki } from '../support/pki.js';

const der = (pem: Buffer) => parseBundle(pem)[0]!.raw;

describe('client certificate check', () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => rmSync(pki.dir, { recursive: true, force: true }));

  it.each([
    ['a client certificate from the CA', (p: Pki) => der(p.clientCert), undefined],
    ["Crossplane's kind: named like the CA, no key identifiers", (p: Pki) => der(p.crossplaneCert), undefined],
    ['none at all', () => undefined, 'no client certificate'],
    ['bytes that are no certificate', () => Buffer.from('nonsense'), 'unreadable client certificate'],
    ['one from another CA', (p: Pki) => der(p.rogueCert), 'client certificate not signed by ca.crt'],
    ['one for servers only', (p: Pki) => der(p.serverOnlyCert), 'certificate not meant for client authentication'],
  ])('%s', (_name, cert, reason) => {
    expect(clientCertificateCheck(pki.ca)(cert(pki))).toBe(reason);
  });

  it('refuses a certificate outside its validity', () => {
    expect(clientCertificateCheck(pki.ca)(der(pki.clientCert), new Date('2000-01-01T00:00:00Z'))).toBe('client certificate outside its validity');
  });

  it('accepts any CA of a bundle', () => {
    const bundle = Buffer.concat([pki.rogueCert, pki.ca]);
    expect(clientCertificateCheck(bundle)(der(pki.clientCert))).toBeUndefined();
  });

  it('refuses to start without a CA', () => {
    expect(() => clientCertificateCheck(Buffer.from(''))).toThrow('ca.crt holds no certificate');
  });
});
