// Robustness: every prefix of a packet decodes without throwing and says it was cut short; random damage never
// throws either (in the decoder or in the details tree).
import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../../decoders/decode';
import { describeFrame, type LayerNode } from '../../../decoders/wire/describe';
import { be16, be32, cat, ethernet, ext6, frag6, icmp, ipv4, ipv6, le16, le32, prng, rawFrame, tcp, udp } from './helpers';

const payload = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 255);
const synOpts = [2, 4, 0x05, 0xb4, 4, 2, 8, 10, ...be32(1), ...be32(0), 1, 3, 3, 7];

// Full packets whose last byte is the last byte of the IP datagram (no padding), so every prefix cuts something.
const packets: { name: string; linkType: number; bytes: Uint8Array }[] = [
  { name: 'eth/ip/tcp+options+payload', linkType: 1,
    bytes: ethernet(0x0800, ipv4({ proto: 6, options: [1, 1, 1, 0] }, tcp({ options: synOpts }, payload(30)))) },
  { name: 'eth/qinq/ipv6/hop-by-hop/tcp', linkType: 1,
    bytes: ethernet(0x88a8, cat([0, 5], be16(0x8100), [0, 6], be16(0x86dd),
      ipv6({ nh: 0 }, cat(ext6(6, [1, 4, 0, 0, 0, 0]), tcp({ options: [1, 1, 5, 10, ...be32(5), ...be32(9)] }, payload(9)))))) },
  { name: 'eth/mpls/ip/udp', linkType: 1,
    bytes: ethernet(0x8847, cat([0, 1, 0, 64], [0, 2, 1, 64], ipv4({ proto: 17 }, udp(53, 53, payload(12))))) },
  { name: 'sll/ip/icmp error quoting udp', linkType: 113,
    bytes: cat(be16(0), be16(1), be16(6), new Uint8Array(8), be16(0x0800),
      ipv4({ proto: 1 }, icmp(3, 3, cat([0, 0, 0, 0], ipv4({ proto: 17 }, udp(1, 2, payload(4))))))) },
  { name: 'sll2/ipv6/icmpv6 error quoting tcp', linkType: 276,
    bytes: cat(be16(0x86dd), [0, 0], be32(1), be16(1), [0, 6], new Uint8Array(8),
      ipv6({ nh: 58 }, icmp(1, 0, cat([0, 0, 0, 0], ipv6({ nh: 6 }, tcp({}).subarray(0, 8)))))) },
  { name: 'null/ipv6/udp', linkType: 0, bytes: cat(le32(30), ipv6({ nh: 17 }, udp(443, 5000, payload(20)))) },
  { name: 'loop/ip/tcp', linkType: 108, bytes: cat(be32(2), ipv4({ proto: 6 }, tcp({}, payload(3)))) },
  { name: 'ppp/ip/tcp', linkType: 9, bytes: cat([0xff, 3, 0, 0x21], ipv4({ proto: 6 }, tcp({}, payload(5)))) },
  { name: 'nflog/ip/tcp', linkType: 239,
    bytes: (() => {
      const ip = ipv4({ proto: 6 }, tcp({}, payload(5)));
      return cat([2, 0, 0, 1], le16(8), le16(1), [8, 0, 1, 0], le16(4 + ip.length), le16(9), ip);
    })() },
  { name: 'raw/ipv6 non-first fragment', linkType: 101, bytes: ipv6({ nh: 44 }, cat(frag6(17, 64, true, 77), payload(24))) },
  { name: 'raw/ip first fragment', linkType: 101, bytes: ipv4({ proto: 17, flags: 1 }, payload(24)) },
  { name: 'eth/arp', linkType: 1,
    bytes: ethernet(0x0806, cat(be16(1), be16(0x0800), [6, 4], be16(2), new Uint8Array(20))) },
  { name: 'eth/ip/gre/eth/ip/tcp', linkType: 1,
    bytes: ethernet(0x0800, ipv4({ proto: 47 }, cat([0x30, 0, 0x65, 0x58], be32(1), be32(2),
      ethernet(0x0800, ipv4({ proto: 6 }, tcp({}, payload(2))))))) },
  { name: 'ipv4 link type/udp', linkType: 228, bytes: ipv4({ proto: 17 }, udp(1, 2, payload(6))) },
  { name: 'ipv6 link type/ipip/tcp', linkType: 229, bytes: ipv6({ nh: 4 }, ipv4({ proto: 6 }, tcp({}, payload(1)))) },
];

function walk(nodes: LayerNode[], f: (n: LayerNode) => void): void {
  for (const n of nodes) { f(n); if (n.children) walk(n.children, f); }
}

describe('truncated packets', () => {
  for (const pk of packets) {
    it(`every prefix of ${pk.name} decodes and is flagged as truncated`, () => {
      const d = new PacketDecoder();
      const whole = d.decode(rawFrame(pk.bytes, pk.linkType));
      expect(whole.issues, 'the whole packet is clean').toEqual([]);
      const fullLayers = whole.layers.slice();
      for (let n = 0; n < pk.bytes.length; n++) {
        const p = d.decode(rawFrame(pk.bytes.subarray(0, n), pk.linkType, pk.bytes.length));
        expect(p.issues.some((i) => i.truncated), `prefix ${n}: ${JSON.stringify(p.issues)}`).toBe(true);
        for (const i of p.issues) {
          expect(i.offset).toBeGreaterThanOrEqual(0);
          expect(i.offset).toBeLessThanOrEqual(pk.bytes.length);
        }
        // What was decoded is a prefix of the full layer list.
        expect(fullLayers.slice(0, p.layers.length), `prefix ${n}`).toEqual(p.layers);
        expect(p.payloadStart).toBeLessThanOrEqual(p.payloadEnd);
        expect(p.payloadEnd).toBeLessThanOrEqual(p.payloadBytes.length);
        // The details tree copes too.
        const tree = describeFrame(rawFrame(pk.bytes.subarray(0, n), pk.linkType, pk.bytes.length));
        walk(tree, (node) => {
          expect(node.offset + node.length, node.name).toBeLessThanOrEqual(n);
        });
      }
    });
  }

  it('a prefix of the same length as the original is not flagged (the capture was not cut)', () => {
    // Same bytes as a cut frame, but originalLength says it is whole: then it is malformed, not truncated.
    const full = packets[0].bytes;
    const p = new PacketDecoder().decode(rawFrame(full.subarray(0, 40), 1, 40));
    expect(p.issues.length).toBeGreaterThan(0);
    expect(p.issues.every((i) => !i.truncated)).toBe(true);
  });
});

describe('damaged packets', () => {
  it('random byte damage and random lengths never throw', () => {
    const r = prng(2024);
    const d = new PacketDecoder({ reassembly: { maxBytes: 64 * 1024, maxDatagrams: 16 } });
    let flagged = 0;
    for (let round = 0; round < 4000; round++) {
      const pk = packets[round % packets.length];
      const b = pk.bytes.slice(0, 1 + Math.floor(r() * pk.bytes.length));
      const flips = 1 + Math.floor(r() * 6);
      for (let k = 0; k < flips; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      const f = rawFrame(b, pk.linkType, pk.bytes.length);
      const p = d.decode(f);
      if (p.issues.length) flagged++;
      expect(p.payloadStart).toBeLessThanOrEqual(p.payloadEnd);
      expect(p.payloadEnd).toBeLessThanOrEqual(p.payloadBytes.length);
      expect(() => describeFrame(f)).not.toThrow();
    }
    expect(flagged).toBeGreaterThan(1000);
  });

  it('random bytes under every link type never throw', () => {
    const r = prng(5);
    const d = new PacketDecoder();
    for (const lt of [0, 1, 9, 12, 14, 50, 101, 108, 113, 228, 229, 239, 276, 147]) {
      for (let i = 0; i < 300; i++) {
        const b = Uint8Array.from({ length: Math.floor(r() * 120) }, () => Math.floor(r() * 256));
        // Bias towards plausible starts so the deeper layers get exercised.
        if (b.length > 20 && r() < 0.5) b[lt === 1 ? 14 : 0] = r() < 0.5 ? 0x45 : 0x60;
        const f = rawFrame(b, lt);
        expect(() => d.decode(f)).not.toThrow();
        expect(() => describeFrame(f)).not.toThrow();
      }
    }
  });
});
