// IPv4/IPv6 fragment reassembly: in order, out of order, duplicates, overlaps (resolved as tshark does: the lowest
// offset wins, then the first to arrive), several last fragments, bounds on memory, datagram count and time.
import { describe, expect, it } from 'vitest';
import { needTshark } from '../../support/require';
import { clonePacket, PacketDecoder } from '../../../decoders/decode';
import type { DecodedPacket } from '../../../decoders/packet';
import { IpReassembler } from '../../../decoders/wire/reassembly';
import { cat, ethernet, ext6, frag6, icmp, ipv4, ipv6, rawFrame, tcp, tsharkFields, udp } from './helpers';

const payload = Uint8Array.from({ length: 64 }, (_, i) => i);
/** The UDP datagram every scenario fragments: 8-byte header + 64 bytes = 72 bytes. */
const dg = udp(40000, 40001, payload);
/** dg with bytes 16..47 replaced, to make overlaps conflict. */
const alt = dg.slice().fill(0xee, 16, 48);
/** dg with bytes 8..23 replaced. */
const alt2 = dg.slice().fill(0xdd, 8, 24);

const f4 = (off: number, end: number, more: boolean, data: Uint8Array = dg, id = 7, src = '10.0.0.1') =>
  ethernet(0x0800, ipv4({ proto: 17, id, src, dst: '10.0.0.2', flags: more ? 1 : 0, fragOffset: off }, data.subarray(off, end)));
const f6 = (off: number, end: number, more: boolean, data: Uint8Array = dg, id = 0xabcd) =>
  ethernet(0x86dd, ipv6({ nh: 44 }, cat(frag6(17, off, more, id), data.subarray(off, end))));

interface Scenario {
  name: string;
  frames: Uint8Array[];
  /** 1-based frame numbers that complete a datagram (what tshark shows as ip:udp on that frame). */
  completes: number[];
  /** Expected reassembled UDP datagram (what tshark's ip.reassembled.data shows), or one per completion. */
  datagram: Uint8Array | Uint8Array[];
  conflict?: boolean;
}

const scenarios: Scenario[] = [
  { name: 'IPv4 in order', frames: [f4(0, 24, true), f4(24, 48, true), f4(48, 72, false)], completes: [3], datagram: dg },
  { name: 'IPv4 out of order (last first)', frames: [f4(48, 72, false), f4(0, 24, true), f4(24, 48, true)], completes: [3], datagram: dg },
  { name: 'IPv4 duplicate fragment before completion', frames: [f4(0, 24, true), f4(0, 24, true), f4(24, 48, true), f4(48, 72, false)],
    completes: [4], datagram: dg },
  // tshark frames 1..4: ip:data, ip:udp, ip:data, ip:udp — the late duplicates start (and finish) a second one.
  { name: 'IPv4 duplicates after completion', frames: [f4(0, 24, true), f4(24, 72, false), f4(24, 72, false), f4(0, 24, true)],
    completes: [2, 4], datagram: dg },
  { name: 'IPv4 overlapping, same bytes', frames: [f4(0, 32, true), f4(24, 56, true), f4(48, 72, false)], completes: [3], datagram: dg },
  // The fragment at 16 (arrived first, different bytes) loses 16..31 to the fragment at 0; it gives 32..47.
  // tshark: ip.fragment.overlap.conflict, data = original 8..31 then 0xee x16 then original 48..71.
  { name: 'IPv4 conflicting overlap: lowest offset wins', frames: [f4(16, 48, true, alt), f4(0, 32, true), f4(40, 72, false)],
    completes: [3], datagram: cat(dg.subarray(0, 32), alt.subarray(32, 48), dg.subarray(48)), conflict: true },
  // Same offset twice with different bytes: the first to arrive wins.
  { name: 'IPv4 equal offsets: first arrival wins', frames: [f4(0, 24, true, alt2), f4(0, 24, true), f4(24, 72, false)],
    completes: [3], datagram: cat(alt2.subarray(0, 24), dg.subarray(24)), conflict: true },
  // Two last fragments disagreeing on the length: the first one sets it (tshark: ip.fragment.multipletails).
  { name: 'IPv4 two different last fragments', frames: [f4(0, 24, true), f4(48, 72, false), f4(24, 56, false)],
    completes: [3], datagram: dg, conflict: true },
  { name: 'IPv4 interleaved datagrams', frames: [f4(0, 40, true, dg, 1), f4(0, 40, true, alt, 2), f4(40, 72, false, alt, 2), f4(40, 72, false, dg, 1)],
    completes: [3, 4], datagram: [alt, dg] },
  { name: 'IPv6 out of order with overlap', frames: [f6(24, 72, false), f6(0, 32, true)], completes: [2], datagram: dg },
  { name: 'IPv6 in three', frames: [f6(0, 24, true), f6(24, 48, true), f6(48, 72, false)], completes: [3], datagram: dg },
];

function run(frames: Uint8Array[], d = new PacketDecoder()): DecodedPacket[] {
  return frames.map((b, i) => {
    const f = rawFrame(b);
    f.index = i + 1;
    f.timestamp = 1000 + i;
    const p = d.decode(f);
    return clonePacket(p); // the documented way to keep a packet (a spread misses its accessors)
  });
}

describe('IP reassembly', () => {
  for (const s of scenarios) {
    it(s.name, () => {
      const ps = run(s.frames);
      const done = ps.flatMap((p, i) => (p.reassembled ? [i + 1] : []));
      expect(done).toEqual(s.completes);
      let k = 0;
      for (const p of ps) {
        if (p.reassembled) {
          const want = Array.isArray(s.datagram) ? s.datagram[k++] : s.datagram;
          expect(p.fragment).toBe(false);
          expect(p.udp).toEqual({ srcPort: 40000, dstPort: 40001, payloadLength: 64, offset: 0 });
          expect(p.payloadBytes.subarray(p.payloadStart - 8, p.payloadEnd)).toEqual(want);
          expect(p.layers[p.layers.length - 1]).toBe('udp');
          expect(p.issues.length > 0).toBe(!!s.conflict);
        } else {
          expect(p.fragment).toBe(true);
          expect(p.udp).toBeUndefined();
          expect(p.layers[p.layers.length - 1]).toBe(p.ipVersion === 4 ? 'ip' : 'ipv6.fraghdr');
        }
      }
    });
  }

  it('without reassembly every fragment stays a fragment', () => {
    const ps = run(scenarios[0].frames, new PacketDecoder({ reassembleIp: false }));
    expect(ps.every((p) => p.fragment && !p.reassembled && !p.udp)).toBe(true);
    expect(ps[0].ipProtocol).toBe(17);
  });

  it('reassembles a TCP segment and an ICMP echo', () => {
    const seg = tcp({ sp: 443, dp: 50000, flags: 0x18 }, Uint8Array.from({ length: 100 }, (_, i) => i));
    const t = (off: number, end: number, more: boolean) =>
      ethernet(0x0800, ipv4({ proto: 6, id: 9, flags: more ? 1 : 0, fragOffset: off }, seg.subarray(off, end)));
    const ps = run([t(0, 64, true), t(64, 120, false)]);
    expect(ps[1].reassembled).toBe(true);
    expect(ps[1].tcp).toMatchObject({ srcPort: 443, dstPort: 50000, payloadLength: 100, offset: 0 });
    expect(ps[1].payloadEnd - ps[1].payloadStart).toBe(100);
    const ping = icmp(8, 0, cat([0, 1, 0, 1], new Uint8Array(3000)));
    const e = (off: number, end: number, more: boolean) =>
      ethernet(0x0800, ipv4({ proto: 1, id: 10, flags: more ? 1 : 0, fragOffset: off }, ping.subarray(off, end)));
    const es = run([e(0, 1480, true), e(1480, 2960, true), e(2960, ping.length, false)]);
    expect(es.map((p) => p.reassembled)).toEqual([false, false, true]);
    expect(es[2].icmp).toMatchObject({ type: 8, code: 0 });
  });

  it('IPv6: extension headers inside the fragmentable part are walked after reassembly', () => {
    const inner = cat(ext6(17, [1, 4, 0, 0, 0, 0]), dg); // destination options, then UDP
    const g = (off: number, end: number, more: boolean) =>
      ethernet(0x86dd, ipv6({ nh: 0 }, cat(ext6(44, [1, 4, 0, 0, 0, 0]), frag6(60, off, more, 5), inner.subarray(off, end))));
    const ps = run([g(0, 40, true), g(40, inner.length, false)]);
    expect(ps[0].layers).toEqual(['eth', 'ipv6', 'ipv6.hopopts', 'ipv6.fraghdr']);
    expect(ps[1].layers).toEqual(['eth', 'ipv6', 'ipv6.hopopts', 'ipv6.fraghdr', 'ipv6.dstopts', 'udp']);
    expect(ps[1].udp).toMatchObject({ srcPort: 40000, payloadLength: 64, offset: 8 });
    expect(ps[1].ipProtocol).toBe(17);
  });

  it('an atomic IPv6 fragment (offset 0, M=0) is decoded directly', () => {
    const p = run([f6(0, 72, false)])[0];
    expect(p.fragment).toBe(false);
    expect(p.reassembled).toBe(false);
    expect(p.udp?.payloadLength).toBe(64);
  });

  it('a fragment cut by the capture is not used (as tshark)', () => {
    const d = new PacketDecoder();
    const a = f4(0, 40, true);
    const cut = rawFrame(a.subarray(0, a.length - 4), 1, a.length);
    expect(d.decode(cut).fragment).toBe(true);
    expect(d.reassembler!.stats.inProgress).toBe(0);
    expect(d.decode(rawFrame(f4(40, 72, false))).reassembled).toBe(false);
  });
});

describe('IpReassembler bounds', () => {
  const bytes = (n: number) => new Uint8Array(n).fill(1);

  it('evicts the oldest datagram beyond maxDatagrams', () => {
    const r = new IpReassembler({ maxDatagrams: 2 });
    r.add('a', 0, true, bytes(8), 0, 8, 0, 1);
    r.add('b', 0, true, bytes(8), 0, 8, 0, 2);
    r.add('c', 0, true, bytes(8), 0, 8, 0, 3);
    expect(r.stats).toMatchObject({ inProgress: 2, evicted: 1, bytesHeld: 16 });
    expect(r.add('b', 8, false, bytes(8), 0, 8, 0, 4)?.data.length).toBe(16);
    expect(r.add('a', 8, false, bytes(8), 0, 8, 0, 5)).toBeNull(); // 'a' was forgotten: this starts anew
    expect(r.stats).toMatchObject({ inProgress: 2, completed: 1 });
  });

  it('evicts the oldest datagrams to stay within maxBytes, and refuses one that cannot fit', () => {
    const r = new IpReassembler({ maxBytes: 100 });
    r.add('a', 0, true, bytes(40), 0, 40, 0, 1);
    r.add('b', 0, true, bytes(40), 0, 40, 0, 2);
    r.add('c', 0, true, bytes(40), 0, 40, 0, 3);
    expect(r.stats).toMatchObject({ inProgress: 2, evicted: 1, bytesHeld: 80 });
    expect(r.stats.bytesHeld).toBeLessThanOrEqual(100);
    r.add('c', 40, true, bytes(64), 0, 64, 0, 4); // c alone would hold 104 > 100
    expect(r.stats.bytesHeld).toBeLessThanOrEqual(100);
    expect(r.stats.rejected).toBe(1);
    expect(r.add('x', 0, true, bytes(101), 0, 101, 0, 5)).toBeNull();
    expect(r.stats.rejected).toBe(2);
  });

  it('drops datagrams older than the timeout (capture time)', () => {
    const r = new IpReassembler({ timeoutSec: 30 });
    r.add('a', 0, true, bytes(8), 0, 8, 100, 1);
    r.add('b', 0, true, bytes(8), 0, 8, 120, 2);
    expect(r.add('a', 8, false, bytes(8), 0, 8, 131, 3)).toBeNull(); // 31 s after a's first fragment
    expect(r.stats.timedOut).toBe(1);
    expect(r.add('b', 8, false, bytes(8), 0, 8, 131, 4)?.data.length).toBe(16);
  });

  it('refuses fragments reaching past 64 KiB', () => {
    const r = new IpReassembler();
    expect(r.add('a', 65528, false, bytes(16), 0, 16, 0, 1)).toBeNull();
    expect(r.stats.rejected).toBe(1);
    expect(r.stats.inProgress).toBe(0);
  });

  it('keeps memory bounded under a flood of never-completed fragments', () => {
    const d = new PacketDecoder({ reassembly: { maxBytes: 64 * 1024, maxDatagrams: 100 } });
    for (let i = 0; i < 5000; i++) {
      const f = rawFrame(f4(0, 48, true, dg, i & 0xffff, `10.${(i >> 8) & 255}.${i & 255}.1`));
      f.timestamp = 1000 + i / 1000;
      d.decode(f);
      expect(d.reassembler!.stats.inProgress).toBeLessThanOrEqual(100);
      expect(d.reassembler!.stats.bytesHeld).toBeLessThanOrEqual(64 * 1024);
    }
    expect(d.reassembler!.stats.evicted).toBe(4900);
  });
});

describe.skipIf(needTshark())('IP reassembly agrees with tshark', () => {
  for (const s of scenarios) {
    it(s.name, () => {
      const ours = run(s.frames);
      const v6 = s.name.startsWith('IPv6');
      const ip = v6 ? 'ipv6' : 'ip';
      const rows = tsharkFields(s.frames.map((bytes) => ({ bytes })), 1,
        ['frame.protocols', `${ip}.reassembled.data`, `${ip}.fragment.overlap.conflict`, `${ip}.fragment.multipletails`]);
      rows.forEach(([protocols, data, conflict, tails], i) => {
        const p = ours[i];
        // tshark shows udp on exactly the frames that completed a datagram.
        expect(protocols.split(':').includes('udp'), `frame ${i + 1}`).toBe(p.reassembled);
        if (p.reassembled) {
          const hex = Buffer.from(p.payloadBytes.subarray(p.payloadStart - 8, p.payloadEnd)).toString('hex');
          expect(hex, `frame ${i + 1}`).toBe(data.replace(/:/g, ''));
          expect(p.issues.length > 0, `frame ${i + 1} conflict`).toBe(conflict !== '' || tails !== '');
        }
      });
    });
  }
});
