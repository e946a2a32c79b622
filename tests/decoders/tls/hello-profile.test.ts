// HelloProfiles: a ClientHello read in place by scan() must give exactly what parsing it gives (the same offer
// profile, SNI, ALPN, session id, PSK and early-data flags), on clean hellos and on mutated ones (which scan()
// must either read right or leave to the full parse).
import { describe, expect, it } from 'vitest';
import { asciiText, parseAlpn, parseClientHello } from '../../../decoders/tls/hello';
import { HelloProfiles } from '../../../decoders/tls/hello-profile';
import {
  alpnExt, clientHelloBody, ext, groupsExt, keyShareExt, mutate, pointFormatsExt, prng, pskModesExt, sigAlgsExt,
  sniExt, supportedVersionsExt, u16, vec16, vec8,
} from './build';

const B = (a: number[]) => Uint8Array.from(a);

function hellos(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const names = ['a.example', 'b.example', 'x'];
  const alpns = [['h2', 'http/1.1'], ['http/1.1'], ['h3', '']];
  for (let i = 0; i < 18; i++) {
    const exts = [
      sniExt(names[i % 3]), alpnExt(alpns[i % 3]), groupsExt([0x0a0a, 0x001d, 0x0017]), pointFormatsExt([0]),
      sigAlgsExt([0x0403, 0x0804]), supportedVersionsExt(i % 2 ? [0x0304, 0x0303] : [0x0303]),
      keyShareExt(i % 4 ? [0x001d] : [0x001d, 0x0017]), pskModesExt([1]),
    ];
    if (i % 5 === 0) exts.push(ext(42, []));
    if (i % 7 === 0) exts.push(ext(41, [...vec16([...vec16([1, 2, 3]), 0, 0, 0, 1]), ...vec16(vec8(new Array(32).fill(9)))]));
    if (i % 6 === 0) exts.push(ext(0xfe0d, [1, 2, 3]));
    out.push(B(clientHelloBody({ ciphers: [0x1301, 0x1302, 0xc02f].slice(0, 1 + (i % 3)), extensions: exts,
      sessionId: i % 4 === 1 ? new Array(32).fill(i) : [], random: new Array(32).fill(i) })));
  }
  out.push(B(clientHelloBody({ ciphers: [0x002f], extensions: [ext(0, [])] })));
  out.push(B([...clientHelloBody({ ciphers: [0x002f] }).slice(0, -2)])); // no extensions at all
  out.push(B(clientHelloBody({ ciphers: [0x1301], extensions: [sniExt('dup.example'), sniExt('dup2.example')] })));
  out.push(B(clientHelloBody({ ciphers: [0x1301], extensions: [ext(0, vec16([1, ...vec16([1, 2]), 0, ...vec16([0x61])]))] })));
  out.push(B(clientHelloBody({ ciphers: [0x1301], extensions: [ext(16, u16(0))] })));
  return out;
}

/** What scan() reported, and what the full parse says, in the same terms. */
function check(profiles: HelloProfiles, body: Uint8Array): boolean {
  const p = profiles.scan(body);
  const h = parseClientHello(body);
  const q = profiles.of(h);
  if (!p) return false;
  // the profile is the offer's (the same object the parsed hello finds)
  expect(p).toBe(q);
  const sc = profiles.scanned; // of() leaves it as scan() filled it
  const sni = sc.sniStart >= 0 ? asciiText(body.subarray(sc.sniStart, sc.sniStart + sc.sniLength)) : undefined;
  const alpn = sc.alpnStart >= 0 ? parseAlpn(body.subarray(sc.alpnStart, sc.alpnEnd)).list : undefined;
  expect({ sni, alpn, session: Array.from(body.subarray(sc.sessionStart, sc.sessionStart + sc.sessionLength)),
    psk: sc.preSharedKey, early: sc.earlyData }).toEqual({
    sni: h.sni, alpn: h.alpn, session: Array.from(h.sessionId), psk: h.preSharedKey !== undefined, early: h.earlyData,
  });
  return true;
}

describe('HelloProfiles.scan', () => {
  it('reads clean hellos exactly as the parser does, and leaves odd ones to it', () => {
    const profiles = new HelloProfiles();
    const all = hellos();
    expect(profiles.scan(all[0])).toBeNull(); // an offer not seen yet: always the full parse
    for (const b of all) profiles.of(parseClientHello(b));
    let read = 0;
    for (const b of all) if (check(profiles, b)) read++;
    expect(read).toBeGreaterThanOrEqual(18);
    // a repeated extension, an empty ALPN list: the full parse decides
    expect(profiles.scan(all[all.length - 3])).toBeNull();
    expect(profiles.scan(all[all.length - 1])).toBeNull();
    // a server_name listing another name type first: the first host_name is the SNI, as parsed
    expect(check(profiles, all[all.length - 2])).toBe(true);
  });

  it('mutated hellos: whatever scan() reads agrees with the parse', () => {
    const profiles = new HelloProfiles();
    const base = hellos();
    const rnd = prng(21);
    let read = 0;
    for (let i = 0; i < 4000; i++) {
      const b = i % 3 === 0 ? base[i % base.length] : mutate(base[i % base.length], rnd);
      // seen once through the parser, then scanned
      profiles.of(parseClientHello(b));
      if (check(profiles, b)) read++;
    }
    expect(read).toBeGreaterThan(1000);
  });
});
