import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ja3, ja3String, ja4 } from '../../../decoders/tls/fingerprint';
import { parseClientHello } from '../../../decoders/tls/hello';
import { needShared, needTshark, sharedCaptures } from '../../support/require';
import {
  alpnExt, clientHelloBody, ext, groupsExt, keyShareExt, pointFormatsExt, sigAlgsExt, sniExt, supportedVersionsExt,
} from './build';

const B = (a: number[]) => Uint8Array.from(a);

// The example of FoxIO's technical_details/JA4.md: 15 suites, 16 extensions (SNI and ALPN among them), ALPN h2,
// TLS 1.3 in supported_versions, 8 signature algorithms. Its published JA4 is t13d1516h2_8daaf6152771_e5627efa2ab1.
const SPEC_CIPHERS = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
  0x009d, 0x002f, 0x0035];
const SPEC_SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
function specHello(opts: { sigalgs?: 'empty'; grease?: boolean; alpn?: string[] } = {}) {
  const sig = [sigAlgsExt(opts.sigalgs === 'empty' ? [] : SPEC_SIGALGS)];
  const byType: Record<number, number[]> = {
    0x001b: ext(0x1b, [2, 0, 2]), 0x0000: sniExt('example.com'), 0x0033: keyShareExt([0x001d]),
    0x0010: alpnExt(opts.alpn ?? ['h2']), 0x4469: ext(0x4469, [0, 3, 2, 0x68, 0x32]), 0x0017: ext(0x17, []),
    0x002d: ext(0x2d, [1, 1]), 0x0005: ext(5, [1, 0, 0, 0, 0]), 0x0023: ext(0x23, []), 0x0012: ext(0x12, []),
    0x002b: supportedVersionsExt(opts.grease ? [0x7a7a, 0x0304, 0x0303] : [0x0304, 0x0303]), 0xff01: ext(0xff01, [0]),
    0x000b: pointFormatsExt([0]), 0x000a: groupsExt(opts.grease ? [0x7a7a, 0x1d, 0x17, 0x18] : [0x1d, 0x17, 0x18]),
    0x0015: ext(0x15, new Array(10).fill(0)),
  };
  const order = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
    0xff01, 0x000b, 0x000a, 0x0015];
  const exts = order.flatMap((t) => (t === 0x000d ? sig : [byType[t]]));
  if (opts.grease) exts.unshift(ext(0x0a0a, []));
  const ciphers = opts.grease ? [0x1a1a, ...SPEC_CIPHERS] : SPEC_CIPHERS;
  return parseClientHello(B(clientHelloBody({ ciphers, extensions: exts })));
}

describe('JA4 (FoxIO technical_details/JA4.md)', () => {
  it('reproduces the published example', () => {
    const r = ja4(specHello());
    expect(r.ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
    expect(r.raw).toBe('t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_' +
      '0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601');
  });

  it('ignores GREASE everywhere (counts, lists, version)', () => {
    expect(ja4(specHello({ grease: true })).ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });

  it('without signature algorithms hashes the extension list alone (the spec: 6d807ffa2a79)', () => {
    // an empty signature_algorithms extension: 000d stays in the list, no '_' and no algorithms follow
    const r = ja4(specHello({ sigalgs: 'empty' }));
    expect(r.ja4).toBe('t13d1516h2_8daaf6152771_6d807ffa2a79');
  });

  it('ALPN characters: first and last alphanumeric, else hex of the first value', () => {
    const a = (alpn: string[]) => ja4(specHello({ alpn })).ja4.slice(8, 10);
    expect(a(['http/1.1'])).toBe('h1');
    expect(a(['h'])).toBe('hh');
    expect(a(['\xab'])).toBe('ab');
    expect(a(['\xab\xcd'])).toBe('ad');
    expect(a(['0\xab'])).toBe('3b');
    expect(a(['01\xab\xcd'])).toBe('3d');
    expect(a(['0\xab\xcd1'])).toBe('01');
  });

  it('no SNI, no ALPN, TLS 1.2 only: t12i.._00', () => {
    const h = parseClientHello(B(clientHelloBody({ version: 0x0303, ciphers: [0xc02f, 0x009c], extensions: [groupsExt([0x17])] })));
    const r = ja4(h);
    expect(r.ja4.slice(0, 10)).toBe('t12i020100');
  });

  it('QUIC prefix and empty lists give 000000000000', () => {
    const h = parseClientHello(B(clientHelloBody({ version: 0x0303, ciphers: [], extensions: [] })));
    expect(ja4(h, 'q').ja4).toBe('q12i000000_000000000000_000000000000');
  });
});

describe('JA3', () => {
  it('builds the decimal field string without GREASE', () => {
    const s = ja3String(specHello({ grease: true }));
    expect(s).toBe('771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,' +
      '27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0');
  });
});

const skipCaptures = needShared() ?? needTshark();
describe.skipIf(skipCaptures)('fingerprints of real ClientHellos', () => {
  const files = ['zeek__ecdhe.pcap', 'zeek__hrr.pcap', 'ja4__ipv6.pcapng', 'zeek__chrome-1250-tls-x25519-kyber.pcap',
    'arkime__tls13.pcap', 'ja4__chrome-cloudflare-quic-with-secrets.pcapng'];
  // tshark 4.0 computes JA3 itself (tls.handshake.ja3); the ClientHello bytes come from its reassembled handshake
  for (const f of files) {
    it(`JA3 equals tshark's on ${f}`, () => {
      const hellos = hellosFromTshark(join(sharedCaptures, f));
      expect(hellos.length).toBeGreaterThan(0);
      for (const { ja3: want, hello } of hellos) expect(ja3(hello)).toBe(want);
    });
  }

  it('JA4 of the Chrome ClientHello equals FoxIO\'s own result for that capture', () => {
    // FoxIO-LLC/ja4 rust/ja4/src/snapshots/ja4__insta@chrome-cloudflare-quic-with-secrets.pcapng.snap: TCP stream 0
    const [{ hello }] = hellosFromTshark(join(sharedCaptures, 'ja4__chrome-cloudflare-quic-with-secrets.pcapng'));
    expect(ja4(hello).ja4).toBe('t13d1516h2_8daaf6152771_e5627efa2ab1');
  });
});

/** Every TCP ClientHello of a capture with tshark's JA3 for it, from tshark's hex of the (reassembled) record. */
function hellosFromTshark(file: string) {
  const r = spawnSync('tshark', ['-n', '-r', file, '-Y', 'tls.handshake.type == 1 && tcp', '-T', 'fields',
    '-E', 'occurrence=f', '-e', 'tls.handshake.ja3', '-e', 'tcp.reassembled.data', '-e', 'tcp.payload'], { encoding: 'utf8' });
  return r.stdout.trim().split('\n').filter(Boolean).map((line) => {
    const [j3, reassembled, payload] = line.split('\t');
    const hex = (reassembled || payload).replace(/:/g, '');
    const seg = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
    // skip records before the handshake record (e.g. a ChangeCipherSpec before a second ClientHello)
    let at = 0;
    while (at + 5 <= seg.length && !(seg[at] === 22 && seg[at + 5] === 1)) at += 5 + ((seg[at + 3] << 8) | seg[at + 4]);
    const len = (seg[at + 6] << 16) | (seg[at + 7] << 8) | seg[at + 8];
    return { ja3: j3, hello: parseClientHello(seg.subarray(at + 9, at + 9 + len)) };
  });
}
