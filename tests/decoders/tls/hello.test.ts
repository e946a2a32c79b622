import { describe, expect, it } from 'vitest';
import {
  isGrease, parseClientHello, parseServerHello, parseSslv2ClientHello,
} from '../../../decoders/tls/hello';
import {
  alpnExt, bytes, clientHelloBody, ext, groupsExt, HRR_RANDOM, keyShareExt, pointFormatsExt, pskModesExt,
  serverHelloBody, serverKeyShareExt, sigAlgsExt, sniExt, supportedVersionsExt, u16, u32, vec16, vec8,
} from './build';

const B = (a: number[]) => Uint8Array.from(a);

describe('GREASE (RFC 8701)', () => {
  it('recognises the 16 reserved values and nothing else', () => {
    const grease = [];
    for (let v = 0; v < 0x10000; v++) if (isGrease(v)) grease.push(v);
    expect(grease).toEqual([0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a, 0x8a8a, 0x9a9a, 0xaaaa,
      0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa]);
  });
});

describe('parseClientHello', () => {
  // A Chrome-like TLS 1.3 ClientHello: GREASE in suites, extensions, groups and versions.
  const body = clientHelloBody({
    version: 0x0303,
    random: Array.from({ length: 32 }, (_, i) => i),
    sessionId: new Array(32).fill(0xab),
    ciphers: [0x2a2a, 0x1301, 0x1302, 0xc02b],
    extensions: [
      ext(0x0a0a, []),
      sniExt('example.com'),
      alpnExt(['h2', 'http/1.1']),
      supportedVersionsExt([0x3a3a, 0x0304, 0x0303]),
      groupsExt([0x4a4a, 0x001d, 0x0017]),
      keyShareExt([0x4a4a, 0x001d]),
      sigAlgsExt([0x0403, 0x0804]),
      pskModesExt([1]),
      pointFormatsExt([0]),
      ext(42, []),
      ext(57, [0x01, 0x02, 0x40, 0x64]),
      ext(41, bytes(vec16(bytes(vec16([1, 2, 3]), u32(0x01020304))), vec16(vec8(new Array(32).fill(7))))),
    ],
  });
  const h = parseClientHello(B(body));

  it('reads the fixed fields', () => {
    expect(h.problems).toEqual([]);
    expect(h.truncated).toBe(false);
    expect(h.legacyVersion).toBe(0x0303);
    expect(Array.from(h.random)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(h.sessionId.length).toBe(32);
    expect(h.cipherSuites).toEqual([0x2a2a, 0x1301, 0x1302, 0xc02b]);
    expect(h.compressionMethods).toEqual([0]);
  });

  it('lists every extension in wire order with GREASE marked', () => {
    expect(h.extensions.map((e) => e.type)).toEqual([0x0a0a, 0, 16, 43, 10, 51, 13, 45, 11, 42, 57, 41]);
    expect(h.extensions.map((e) => e.grease)).toEqual([true, ...new Array(11).fill(false)]);
  });

  it('decodes the extensions a user cares about', () => {
    expect(h.sni).toBe('example.com');
    expect(h.alpn).toEqual(['h2', 'http/1.1']);
    expect(h.supportedVersions).toEqual([0x3a3a, 0x0304, 0x0303]);
    expect(h.supportedGroups).toEqual([0x4a4a, 0x001d, 0x0017]);
    expect(h.keyShareGroups).toEqual([0x4a4a, 0x001d]);
    expect(h.signatureAlgorithms).toEqual([0x0403, 0x0804]);
    expect(h.pskKeyExchangeModes).toEqual([1]);
    expect(h.ecPointFormats).toEqual([0]);
    expect(h.earlyData).toBe(true);
    expect(Array.from(h.quicTransportParameters!)).toEqual([0x01, 0x02, 0x40, 0x64]);
    expect(h.preSharedKey).toEqual({ identities: 1, binders: 1, ticketAges: [0x01020304] });
  });

  it('accepts an old hello without extensions', () => {
    const old = parseClientHello(B(bytes(u16(0x0301), new Array(32).fill(1), [0], vec16([0, 0x2f, 0, 0x35]), [1, 0])));
    expect(old.problems).toEqual([]);
    expect(old.extensions).toEqual([]);
    expect(old.cipherSuites).toEqual([0x2f, 0x35]);
  });

  it('flags a hello cut inside the extensions without throwing', () => {
    const cut = parseClientHello(B(body.slice(0, body.length - 20)));
    expect(cut.truncated).toBe(true);
    expect(cut.problems.length).toBeGreaterThan(0);
    expect(cut.sni).toBe('example.com'); // what was complete is kept
  });

  it('flags a malformed extension and keeps going', () => {
    const bad = parseClientHello(B(clientHelloBody({ ciphers: [0x1301], extensions: [ext(43, [9, 3, 4]), sniExt('a.example')] })));
    expect(bad.problems.some((p) => p.includes('supported_versions'))).toBe(true);
    expect(bad.sni).toBe('a.example');
  });

  it('never throws on an empty body', () => {
    const e = parseClientHello(new Uint8Array(0));
    expect(e.truncated).toBe(true);
  });
});

describe('parseServerHello', () => {
  it('takes the version from supported_versions (TLS 1.3)', () => {
    const h = parseServerHello(B(serverHelloBody({ cipher: 0x1301, extensions: [ext(43, u16(0x0304)), serverKeyShareExt(0x001d)] })));
    expect(h.problems).toEqual([]);
    expect(h.legacyVersion).toBe(0x0303);
    expect(h.supportedVersion).toBe(0x0304);
    expect(h.version).toBe(0x0304);
    expect(h.cipherSuite).toBe(0x1301);
    expect(h.keyShareGroup).toBe(0x001d);
    expect(h.helloRetryRequest).toBe(false);
  });

  it('recognises a HelloRetryRequest by its random and reads the group asked for', () => {
    const h = parseServerHello(B(serverHelloBody({ random: HRR_RANDOM, cipher: 0x1302,
      extensions: [ext(43, u16(0x0304)), ext(51, u16(0x0017))] })));
    expect(h.helloRetryRequest).toBe(true);
    expect(h.keyShareGroup).toBe(0x0017);
    // one bit different: an ordinary ServerHello
    const r = HRR_RANDOM.slice();
    r[31] ^= 1;
    expect(parseServerHello(B(serverHelloBody({ random: r, cipher: 0x1302 }))).helloRetryRequest).toBe(false);
  });

  it('TLS 1.2 ServerHello with ALPN, without supported_versions', () => {
    const h = parseServerHello(B(serverHelloBody({ cipher: 0xcca9, extensions: [alpnExt(['h2']), ext(0xff01, [0])] })));
    expect(h.version).toBe(0x0303);
    expect(h.supportedVersion).toBeUndefined();
    expect(h.alpn).toEqual(['h2']);
  });

  it('reads a draft-18 ServerHello (no session id, no compression method)', () => {
    // draft-ietf-tls-tls13-18 §4.1.3: version, random, cipher_suite, extensions
    const body = bytes(u16(0x7f12), new Array(32).fill(5), u16(0x1301), vec16(serverKeyShareExt(0x001d)));
    const h = parseServerHello(B(body));
    expect(h.problems).toEqual([]);
    expect(h.version).toBe(0x7f12);
    expect(h.cipherSuite).toBe(0x1301);
    expect(h.keyShareGroup).toBe(0x001d);
  });
});

describe('SSLv2-format ClientHello', () => {
  it('reads version, cipher specs and the challenge as random (RFC 5246 appendix E.2)', () => {
    const specs = [0x00, 0x00, 0x39, 0x07, 0x00, 0xc0, 0x00, 0x00, 0x2f];
    const challenge = new Array(16).fill(0x5a);
    const msg = bytes([1], u16(0x0301), u16(specs.length), u16(0), u16(challenge.length), specs, challenge);
    const rec = bytes([0x80 | (msg.length >> 8), msg.length & 0xff], msg);
    const h = parseSslv2ClientHello(B(rec));
    expect(h.problems).toEqual([]);
    expect(h.sslv2).toBe(true);
    expect(h.legacyVersion).toBe(0x0301);
    expect(h.cipherSpecs).toEqual([0x39, 0x0700c0, 0x2f]);
    expect(h.cipherSuites).toEqual([0x39, 0x2f]);
    expect(Array.from(h.random.subarray(16))).toEqual(challenge);
    expect(Array.from(h.random.subarray(0, 16))).toEqual(new Array(16).fill(0));
  });
});
