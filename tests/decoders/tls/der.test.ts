import { describe, expect, it } from 'vitest';
import { children, distinguishedName, oidString, parseCertificate, readTlv } from '../../../decoders/tls/der';
import { parseKeyLog, KeyLog } from '../../../decoders/tls/keylog';
import { ascii, certificate, der, name, oid, printable, seq, utf8 } from './build';

const B = (a: number[]) => Uint8Array.from(a);

describe('DER reader', () => {
  it('reads short and long lengths, and refuses lengths beyond the buffer or indefinite ones', () => {
    const long = der(0x04, new Array(300).fill(7));
    expect(long.slice(0, 4)).toEqual([0x04, 0x82, 0x01, 0x2c]);
    expect(readTlv(B(long), 0, long.length)).toMatchObject({ tag: 4, start: 4, end: 304 });
    expect(readTlv(B(long.slice(0, 200)), 0, 200)).toBeNull();
    expect(readTlv(B([0x30, 0x80, 0, 0]), 0, 4)).toBeNull();
    expect(readTlv(B([0x30, 0x85, 1, 1, 1, 1, 1]), 0, 7)).toBeNull();
  });

  it('decodes object identifiers, including multi-byte arcs', () => {
    const o = oid('1.2.840.113549.1.9.1');
    expect(oidString(B(o), readTlv(B(o), 0, o.length)!)).toBe('1.2.840.113549.1.9.1');
  });

  it('lists the children of a SEQUENCE', () => {
    const s = seq(der(2, [1]), der(2, [2]), der(5, []));
    expect(children(B(s), readTlv(B(s), 0, s.length)!).map((c) => c.tag)).toEqual([2, 2, 5]);
  });
});

describe('certificates', () => {
  it('subject, issuer, validity, SAN DNS names; UTF8String and BMPString names', () => {
    const bmp = der(0x1e, Array.from('Zoë', (c) => [0, c.charCodeAt(0)]).flat());
    const subject = name(['2.5.4.3', utf8('grüße.example')], ['2.5.4.10', bmp], ['1.2.840.113549.1.9.1', der(0x16, ascii('a@b.c'))]);
    const issuer = name(['2.5.4.6', printable('US')], ['2.5.4.3', printable('Root')]);
    const c = parseCertificate(B(certificate(subject, issuer, '230615120000Z', '330615120000Z', ['a.example', 'b.example'])));
    expect(c).toMatchObject({
      subject: 'CN=grüße.example, O=Zoë, emailAddress=a@b.c', issuer: 'C=US, CN=Root',
      notBefore: '2023-06-15T12:00:00Z', notAfter: '2033-06-15T12:00:00Z', dnsNames: ['a.example', 'b.example'],
      serial: '0123', selfSigned: false, problems: [],
    });
  });

  it('a self-signed certificate is recognised by name', () => {
    const n = name(['2.5.4.3', printable('me')]);
    expect(parseCertificate(B(certificate(n, n, '240101000000Z', '240201000000Z'))).selfSigned).toBe(true);
  });

  it('garbage yields a problem, not an exception', () => {
    expect(parseCertificate(B([1, 2, 3])).problems).toEqual(['not a DER certificate']);
    expect(parseCertificate(B(seq(der(2, [1])))).problems.length).toBeGreaterThan(0);
  });

  it('a distinguished name on its own (CertificateRequest authorities)', () => {
    expect(distinguishedName(B(name(['2.5.4.10', printable('Acme')])))).toBe('O=Acme');
    expect(distinguishedName(B([5, 0]))).toBe('');
  });
});

describe('key log (NSS SSLKEYLOGFILE format)', () => {
  const r = 'ab'.repeat(32);
  it('keeps well-formed lines, skips comments and blanks, rejects the rest with a reason', () => {
    const p = parseKeyLog(`# SSL/TLS secrets log file\n\nCLIENT_RANDOM ${r} ${'cd'.repeat(48)}\r\nEXPORTER_SECRET ${r} ${'ef'.repeat(32)}\n` +
      `CLIENT_RANDOM xyz ${'00'.repeat(48)}\nCLIENT_RANDOM ${'ab'.repeat(31)} ${'00'.repeat(48)}\nRSA ${'01'.repeat(8)} ${'02'.repeat(48)}\nonly two\n`);
    expect(p.lines.map((l) => [l.label, l.line])).toEqual([['CLIENT_RANDOM', 3], ['EXPORTER_SECRET', 4], ['RSA', 7]]);
    expect(p.rejected.map((x) => x.line)).toEqual([5, 6, 8]);
  });

  it('KeyLog gathers labels per client random, case-insensitively', () => {
    const k = new KeyLog();
    expect(k.load(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${r.toUpperCase()} 00\nSERVER_HANDSHAKE_TRAFFIC_SECRET ${r} 11`)).toEqual([r]);
    expect(k.labels(r)).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET']);
    expect(k.secret(r, 'SERVER_HANDSHAKE_TRAFFIC_SECRET')).toBe('11');
    expect(k.labels('00'.repeat(32))).toEqual([]);
  });
});
