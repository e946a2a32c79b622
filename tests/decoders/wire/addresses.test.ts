// Printable addresses: IPv4 dotted quad, IPv6 in tshark's form (RFC 5952 + BSD inet_ntop's embedded IPv4 forms).
import { describe, expect, it } from 'vitest';
import { needTshark } from '../../support/require';
import { formatIpv6, ipv4String, ipv6String, macString } from '../../../decoders/wire/addresses';
import { ip6, ipv6, prng, tsharkFields } from './helpers';

// Written as an address literal -> what tshark 4.0.17 prints for it (checked with `tshark -T fields -e ipv6.src`).
const V6: [string, string][] = [
  ['::ffff:1.2.3.4', '::ffff:1.2.3.4'], // IPv4-mapped keeps the dotted quad
  ['::1.2.3.4', '::1.2.3.4'], // IPv4-compatible (first 96 bits zero) too
  ['::ffff:0:1.2.3.4', '::ffff:0:102:304'], // SIIT translated: plain hex
  ['64:ff9b::1.2.3.4', '64:ff9b::102:304'], // NAT64 well-known prefix: plain hex
  ['::1', '::1'],
  ['::', '::'],
  ['1::', '1::'],
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
  ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run is compressed
  ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'], // on a tie, the first run
  ['fe80::1:0:0:0', 'fe80::1:0:0:0'],
  ['::0.0.0.2', '::2'], // seven zero groups: not the IPv4 form
  ['::ffff:0.0.0.0', '::ffff:0.0.0.0'],
  ['0:0:0:0:0:ffff:0:1', '::ffff:0.0.0.1'],
  ['1:0:0:0:0:0:0:0', '1::'],
  ['0:0:1::', '0:0:1::'], // the later, longer run wins
  ['2001:DB8:ABCD:12::ABC', '2001:db8:abcd:12::abc'], // lowercase
];

const u8 = (a: number[]) => new Uint8Array(a);

describe('addresses', () => {
  it('formats IPv6 like tshark', () => {
    for (const [input, want] of V6) {
      expect(formatIpv6(u8(ip6(input.toLowerCase())), 0), input).toBe(want);
      expect(ipv6String(u8(ip6(input.toLowerCase())), 0), input).toBe(want);
    }
  });

  it('formats IPv4 and MAC addresses, at any offset', () => {
    expect(ipv4String(u8([9, 192, 168, 0, 255]), 1)).toBe('192.168.0.255');
    expect(ipv4String(u8([0, 0, 0, 0]), 0)).toBe('0.0.0.0');
    expect(macString(u8([0, 0x02, 0xab, 0x0c, 0xd0, 0x0e, 0xff]), 1)).toBe('02:ab:0c:d0:0e:ff');
  });

  it('the IPv4 cache never returns another address (slot collisions)', () => {
    const r = prng(7);
    const b = new Uint8Array(4);
    for (let i = 0; i < 50_000; i++) {
      // Few distinct prefixes and hosts so that slots collide often.
      b[0] = 10; b[1] = (r() * 3) | 0; b[2] = (r() * 256) | 0; b[3] = (r() * 256) | 0;
      expect(ipv4String(b, 0)).toBe(`${b[0]}.${b[1]}.${b[2]}.${b[3]}`);
    }
  });

  it('the IPv6 cache never returns another address', () => {
    const r = prng(8);
    const b = new Uint8Array(16);
    for (let i = 0; i < 20_000; i++) {
      for (let k = 0; k < 16; k++) b[k] = r() < 0.6 ? 0 : (r() * 256) | 0;
      expect(ipv6String(b, 0)).toBe(formatIpv6(b, 0));
    }
  });
});

describe.skipIf(needTshark())('IPv6 text agrees with tshark', () => {
  it('fixed table and random addresses rich in zero groups', () => {
    const r = prng(99);
    const addrs: Uint8Array[] = V6.map(([a]) => u8(ip6(a.toLowerCase())));
    for (let i = 0; i < 300; i++) {
      const b = new Uint8Array(16);
      for (let g = 0; g < 8; g++) {
        if (r() < 0.55) continue;
        const v = r() < 0.2 ? 0xffff : (r() * 0x10000) | 0;
        b[2 * g] = v >> 8; b[2 * g + 1] = v & 255;
      }
      addrs.push(b);
    }
    // Raw IPv6 link type (229): the address is the packet's source.
    const recs = addrs.map((a) => ({ bytes: ipv6({ nh: 59 }, []).map((x, k) => (k >= 8 && k < 24 ? a[k - 8] : x)) }));
    const rows = tsharkFields(recs, 229, ['ipv6.src']);
    addrs.forEach((a, i) => expect(formatIpv6(a, 0)).toBe(rows[i][0]));
  });
});
