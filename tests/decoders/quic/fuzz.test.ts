// Fuzzing every QUIC decoder with a seeded PRNG: mutated real datagrams (from ../shared captures via tshark),
// mutated packets built here, and random bytes. Nothing may throw, the analyzer must not catch internal errors,
// and memory stays within the limits. Each decoder stops at a deadline well under 3 s.
import { describe, expect, it } from 'vitest';
import { QuicAnalyzer } from '../../../decoders/quic/analyzer';
import { CryptoStream } from '../../../decoders/quic/crypto-stream';
import { initialKeys, retryTagValid, unprotectPacket } from '../../../decoders/quic/crypto';
import { parseFrames } from '../../../decoders/quic/frames';
import { parseLongHeader, splitDatagram } from '../../../decoders/quic/header';
import { parseTransportParameters } from '../../../decoders/quic/transport-params';
import { concatBytes, fromHex } from '../../../decoders/quic/varint';
import { explainQuicEvent } from '../../../decoders/quic/explain';
import { ConversationTable, HostTable } from '../../../decoders/conversations';
import { Timeline } from '../../../decoders/timeline';
import { needShared, needTshark } from '../../support/require';
import {
  clientHello, dgram, frame, initialPacket, opaqueLongPacket, retryPacket, serverHello, shortPacket, transportParams,
  versionNegotiation,
} from './build';
import { QUIC_CAPTURES, tsharkDatagrams, udpPacket, type Datagram } from './support';
import { V1, V2 } from './rfc-vectors';
import { prng as mulberry32 } from '../../support/prng';

/** mulberry32: small, seeded, good enough to pick mutations. */
function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { next, int };
}
type Rng = ReturnType<typeof prng>;

function randomBytes(r: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
}

/** Flip bits, overwrite bytes with interesting values, cut, duplicate or splice. */
function mutate(r: Rng, src: Uint8Array): Uint8Array {
  let b: Uint8Array = src.slice();
  const rounds = 1 + r.int(4);
  for (let k = 0; k < rounds && b.length; k++) {
    switch (r.int(6)) {
      case 0: b[r.int(b.length)] ^= 1 << r.int(8); break;
      case 1: b[r.int(b.length)] = [0, 0xff, 0x40, 0x80, 0xc0, 0x3f, 20, 21][r.int(8)]; break;
      case 2: b = b.subarray(0, r.int(b.length + 1)).slice(); break;
      case 3: { const i = r.int(b.length); b = concatBytes(b.subarray(0, i), randomBytes(r, r.int(16)), b.subarray(i)); break; }
      case 4: { const i = r.int(b.length); b.fill(r.int(256), i, Math.min(b.length, i + r.int(32))); break; }
      default: { const i = r.int(b.length); b = concatBytes(b, b.subarray(i)); }
    }
  }
  return b;
}

const DEADLINE_MS = 2500;
function loop(iterations: number, body: (i: number) => void): number {
  const stop = Date.now() + DEADLINE_MS;
  let i = 0;
  for (; i < iterations && Date.now() < stop; i++) body(i);
  return i;
}

/** Datagrams built here: a handshake with Retry, VN, coalesced packets, 0-RTT and 1-RTT. */
function ownDatagrams(): Datagram[] {
  const ch = clientHello({ sni: 'fuzz.example', alpn: ['h3'], transportParams: transportParams([[1, 30000]], [[0x0f, fromHex('c1c1c1c1')]]) });
  const od = '0011223344556677';
  return [
    dgram(1, false, initialPacket({ keysDcid: od, dcid: od, scid: 'c1c1c1c1', pn: 0, payload: frame.crypto(0, ch) })),
    dgram(2, true, retryPacket({ odcid: od, dcid: 'c1c1c1c1', scid: 'abababab', token: new Uint8Array(20).fill(5) })),
    dgram(3, true, versionNegotiation({ dcid: 'c1c1c1c1', scid: od, versions: [1, 0x6b3343cf] })),
    dgram(4, false, concatBytes(
      initialPacket({ keysDcid: 'abababab', dcid: 'abababab', scid: 'c1c1c1c1', pn: 1, payload: frame.crypto(0, ch) }),
      opaqueLongPacket('0rtt', { dcid: 'abababab', scid: 'c1c1c1c1', size: 50 }))),
    dgram(5, true, concatBytes(
      initialPacket({ fromServer: true, keysDcid: 'abababab', dcid: 'c1c1c1c1', scid: '5e5e5e5e', pn: 0, payload: concatBytes(frame.ack(1), frame.crypto(0, serverHello()), frame.close(1, 'x')) }),
      opaqueLongPacket('handshake', { dcid: 'c1c1c1c1', scid: '5e5e5e5e', size: 100 }), new Uint8Array(30))),
    dgram(6, false, shortPacket('5e5e5e5e')),
    dgram(7, true, shortPacket('c1c1c1c1')),
    dgram(8, false, fromHex(V2.clientPacket)),
    dgram(9, true, fromHex(V1.serverPacket)),
  ];
}

function realDatagrams(): Datagram[] {
  if (needShared() || needTshark()) return [];
  return QUIC_CAPTURES.slice(0, 6).flatMap((f) => tsharkDatagrams(f));
}

describe('QUIC fuzzing', () => {
  const seeds = [...ownDatagrams(), ...realDatagrams()];

  it('header parsing and datagram splitting never throw and stay inside the datagram', () => {
    const r = prng(1);
    const n = loop(20000, (i) => {
      const b = i % 4 === 0 ? randomBytes(r, r.int(80)) : mutate(r, seeds[r.int(seeds.length)].payload);
      if (b.length && b[0] & 0x80) {
        const h = parseLongHeader(b, 0, b.length);
        expect(h.end).toBeLessThanOrEqual(b.length);
      }
      for (const h of splitDatagram(b, 0, b.length, () => r.int(22) - 1)) {
        expect(h.start).toBeLessThan(h.end);
        expect(h.end).toBeLessThanOrEqual(b.length);
      }
    });
    expect(n).toBeGreaterThan(500);
  });

  it('frame and transport-parameter parsing never throw', () => {
    const r = prng(2);
    const payloads = [
      concatBytes(frame.ack(5, 2), frame.crypto(0, clientHello({ sni: 'a' })), frame.padding(10), frame.close(2, 'bye')),
      fromHex('030a0301020102010002000000'), transportParams([[1, 5], [4, 1 << 20]], [[0x0d, new Uint8Array(45)]]),
    ];
    const n = loop(30000, (i) => {
      const b = i % 3 === 0 ? randomBytes(r, r.int(64)) : mutate(r, payloads[r.int(payloads.length)]);
      parseFrames(b);
      parseTransportParameters(b, i % 5 === 0);
    });
    expect(n).toBeGreaterThan(500);
  });

  it('CRYPTO reassembly never throws and never holds more than its cap', () => {
    const r = prng(3);
    let s = new CryptoStream(4096);
    const n = loop(50000, (i) => {
      if (i % 200 === 0) s = new CryptoStream(4096);
      const off = r.next() < 0.5 ? r.int(5000) : r.int(1 << 30);
      s.add(off, randomBytes(r, r.int(600)));
      expect(s.heldBytes).toBeLessThanOrEqual(4096 * 2);
    });
    expect(n).toBeGreaterThan(500);
  });

  it('unprotection with right and wrong keys never throws', () => {
    const r = prng(4);
    const keys = [initialKeys(1, fromHex('8394c8f03e515708'))!, initialKeys(0x6b3343cf, fromHex('8394c8f03e515708'))!];
    const pkts = [fromHex(V1.clientPacket), fromHex(V2.clientPacket), fromHex(V1.serverPacket), fromHex(V1.retry)];
    const n = loop(3000, () => {
      const b = mutate(r, pkts[r.int(pkts.length)]);
      const k = keys[r.int(2)];
      unprotectPacket(b, 0, r.int(Math.max(1, b.length)), b.length, r.next() < 0.5, r.next() < 0.5 ? k.client : k.server, r.int(10) - 1);
      retryTagValid(r.next() < 0.5 ? 1 : 0x6b3343cf, fromHex('8394c8f03e515708'), b);
    });
    expect(n).toBeGreaterThan(100);
  });

  it('the analyzer takes mutated conversations and random datagrams without internal errors, within its limits', () => {
    const r = prng(5);
    const timeline = new Timeline();
    const conversations = new ConversationTable(new HostTable());
    const quic = new QuicAnalyzer({ timeline, conversations, limits: { connections: 200, cryptoBytes: 1 << 20 } });
    let frameNo = 0;
    const n = loop(6000, (i) => {
      const base = seeds[r.int(seeds.length)];
      const payload = i % 5 === 0 ? randomBytes(r, r.int(1300)) : r.next() < 0.3 ? base.payload : mutate(r, base.payload);
      const d: Datagram = { ...base, frame: ++frameNo, payload, srcPort: r.next() < 0.9 ? base.srcPort : r.int(65536) };
      quic.onUdp(udpPacket(d), frameNo * 0.001);
      const st = quic.stats();
      expect(st.connections).toBeLessThanOrEqual(201);
      expect(st.cryptoBytes).toBeLessThanOrEqual(1 << 20);
    });
    quic.finish();
    expect(n).toBeGreaterThan(300);
    expect(quic.internalErrors).toBe(0);
    quic.toJson();
    for (let i = 0; i < timeline.count; i++) explainQuicEvent(timeline.get(i));
  });

  it('forgets the oldest connections when flooded with Initials from new connections', () => {
    const timeline = new Timeline();
    const conversations = new ConversationTable(new HostTable());
    const quic = new QuicAnalyzer({ timeline, conversations, limits: { connections: 50 } });
    const r = prng(6);
    const pkt = initialPacket({ keysDcid: '0011223344556677', dcid: '0011223344556677', scid: '', pn: 0, payload: frame.ping() });
    for (let i = 0; i < 400; i++) {
      const b = pkt.slice();
      b.set(randomBytes(r, 8), 6); // a new DCID: a new connection each time (its Initial no longer decrypts)
      quic.onUdp(udpPacket(dgram(i + 1, false, b, { clientPort: 1024 + i })), i);
    }
    expect(quic.stats().connections).toBe(50);
    expect(conversations.list).toHaveLength(400);
    expect(quic.internalErrors).toBe(0);
  });
});
