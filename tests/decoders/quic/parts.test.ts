// The QUIC building blocks on bytes written from the RFC layouts: headers and datagram splitting, frames,
// CRYPTO reassembly, transport parameters, version table.
import { describe, expect, it } from 'vitest';
import { CryptoStream } from '../../../decoders/quic/crypto-stream';
import { parseFrames, transportErrorName } from '../../../decoders/quic/frames';
import { looksLikeQuicLongHeader, parseLongHeader, splitDatagram } from '../../../decoders/quic/header';
import { parseTransportParameters } from '../../../decoders/quic/transport-params';
import { concatBytes, encodeVarint, fromHex, readVarint, toHex } from '../../../decoders/quic/varint';
import { longPacketType, quicVersion, versionHex } from '../../../decoders/quic/versions';
import { opaqueLongPacket, shortPacket, versionNegotiation } from './build';
import { V1 } from './rfc-vectors';

describe('varints (RFC 9000 §16 / A.1 examples)', () => {
  it.each([
    ['c2197c5eff14e88c', 151288809941952652], ['9d7f3e7d', 494878333], ['7bbd', 15293], ['25', 37], ['4025', 37],
  ])('%s = %d', (h, v) => {
    const r = readVarint(fromHex(h), 0);
    expect(r.value).toBe(v);
    expect(r.length).toBe(h.length / 2);
  });
  it('says -1 instead of reading past the end, and encodes the shortest form', () => {
    expect(readVarint(fromHex('9d7f'), 0).value).toBe(-1);
    expect(readVarint(new Uint8Array(0), 0).value).toBe(-1);
    expect(toHex(encodeVarint(15293))).toBe('7bbd');
    expect(toHex(encodeVarint(494878333))).toBe('9d7f3e7d');
  });
});

describe('long headers', () => {
  it('parses the RFC 9001 client Initial header: DCID, empty SCID and token, length 1182', () => {
    const h = parseLongHeader(fromHex(V1.clientPacket), 0, 1200);
    expect(h).toMatchObject({ long: true, version: 1, type: 'initial', pnOffset: 18, end: 1200, truncated: false });
    expect(toHex(h.dcid)).toBe('8394c8f03e515708');
    expect(h.scid.length).toBe(0);
    expect(h.token!.length).toBe(0);
  });

  it('ends a packet where its Length field says and takes the rest when it points past the datagram', () => {
    const hs = opaqueLongPacket('handshake', { dcid: 'aabb', scid: 'ccdd', size: 50 });
    const two = concatBytes(hs, hs);
    expect(parseLongHeader(two, 0, two.length).end).toBe(hs.length);
    const cut = hs.subarray(0, 30);
    const h = parseLongHeader(cut, 0, cut.length);
    expect(h).toMatchObject({ truncated: true, end: 30 });
  });

  it('reads Version Negotiation (version 0): the CIDs and the offered versions', () => {
    const vn = versionNegotiation({ dcid: 'c1c1', scid: '8394c8f03e515708', versions: [1, 0x6b3343cf] });
    const h = parseLongHeader(vn, 0, vn.length);
    expect(h.type).toBe('version_negotiation');
    expect(h.supportedVersions).toEqual([1, 0x6b3343cf]);
    expect(toHex(h.scid)).toBe('8394c8f03e515708');
  });

  it('maps type bits per version: v1 0=Initial 1=0-RTT 2=Handshake 3=Retry, v2 1=Initial 2=0-RTT 3=Handshake 0=Retry', () => {
    expect([0xc0, 0xd0, 0xe0, 0xf0].map((b) => longPacketType(b, 1))).toEqual(['initial', '0rtt', 'handshake', 'retry']);
    expect([0xc0, 0xd0, 0xe0, 0xf0].map((b) => longPacketType(b, 0x6b3343cf))).toEqual(['retry', 'initial', '0rtt', 'handshake']);
  });

  it('survives headers cut anywhere', () => {
    const full = fromHex(V1.clientPacket);
    for (let n = 1; n < 30; n++) {
      const h = parseLongHeader(full, 0, n);
      expect(h.end).toBeLessThanOrEqual(n);
    }
  });
});

describe('the UDP heuristic (tshark dissect_quic_heur)', () => {
  const hdr = (version: string, dcil = 8) => fromHex(`c0${version}${dcil.toString(16).padStart(2, '0')}${'11'.repeat(dcil)}00` + '00'.repeat(8));
  it('accepts known and draft versions with sane CID lengths', () => {
    for (const v of ['00000001', '6b3343cf', 'ff00001d', 'ff00001c', '1a2a3a4a', '54303531', 'faceb002']) {
      expect(looksLikeQuicLongHeader(hdr(v), 0, hdr(v).length)).toBe(true);
    }
  });
  it('rejects Google Q046, unknown versions, Version Negotiation, CIDs over 20 bytes and short datagrams', () => {
    for (const v of ['51303436', '12345678', '00000000', 'ff000005']) expect(looksLikeQuicLongHeader(hdr(v), 0, 30)).toBe(false);
    expect(looksLikeQuicLongHeader(hdr('00000001', 21), 0, 40)).toBe(false);
    expect(looksLikeQuicLongHeader(hdr('00000001'), 0, 12)).toBe(false);
  });
});

describe('coalesced packets (RFC 9000 §12.2)', () => {
  const known = () => 8;
  it('splits packets with the same DCID and stops at padding or at a different DCID', () => {
    const a = opaqueLongPacket('handshake', { dcid: '0102030405060708', scid: '', size: 40 });
    const s = shortPacket('0102030405060708', 20);
    const d = concatBytes(a, a, s);
    expect(splitDatagram(d, 0, d.length, known).map((h) => h.type)).toEqual(['handshake', 'handshake', '1rtt']);
    const padded = concatBytes(a, new Uint8Array(100));
    expect(splitDatagram(padded, 0, padded.length, known)).toHaveLength(1);
    const other = concatBytes(a, opaqueLongPacket('handshake', { dcid: '0909090909090909', scid: '', size: 40 }));
    expect(splitDatagram(other, 0, other.length, known)).toHaveLength(1);
  });
  it('does not list short headers with the fixed bit clear', () => {
    const d = Uint8Array.of(0x01, ...new Array(30).fill(7));
    expect(splitDatagram(d, 0, d.length, () => 0)).toHaveLength(0);
  });
});

describe('frames (RFC 9000 §19)', () => {
  it('collapses PADDING runs and decodes ACK ranges with ECN counts', () => {
    // ACK_ECN largest 10, delay 3, 1 range: first 2 (8-10), gap 1 -> largest 8-1-2=5, len 2 (3-5); ECN 1/0/2; 3 x PADDING
    const f = parseFrames(fromHex('030a0301020102010002000000'));
    expect(f.types).toEqual([3, 0]);
    expect(f.frames[0]).toEqual({ type: 3, largest: 10, delay: 3, ranges: [[8, 10], [3, 5]], ecn: { ect0: 1, ect1: 0, ce: 2 } });
    expect(f.frames[1]).toEqual({ type: 0, length: 3 });
  });
  it('decodes CRYPTO, NEW_TOKEN, STREAM, NEW_CONNECTION_ID, CONNECTION_CLOSE and HANDSHAKE_DONE', () => {
    const b = concatBytes(
      fromHex('060003aabbcc'), fromHex('0702beef'), fromHex('0e04054003414243'),
      fromHex('18010004deadbeef'), new Uint8Array(16).fill(0xee),
      fromHex('1c0a0605') , new TextEncoder().encode('oops!'), fromHex('1e'));
    const f = parseFrames(b);
    expect(f.issue).toBeUndefined();
    expect(f.types).toEqual([6, 7, 0x0e, 0x18, 0x1c, 0x1e]);
    expect(f.frames[0]).toMatchObject({ offset: 0, data: fromHex('aabbcc') });
    expect(f.frames[2]).toMatchObject({ streamId: 4, offset: 5, length: 3, fin: false });
    expect(f.frames[3]).toMatchObject({ sequence: 1, retirePriorTo: 0, cid: fromHex('deadbeef') });
    expect(f.frames[4]).toEqual({ type: 0x1c, error: 10, frameType: 6, reason: 'oops!' });
    expect(transportErrorName(10)).toBe('PROTOCOL_VIOLATION');
  });
  it('stops with a reason at an unknown frame type or a frame cut short', () => {
    expect(parseFrames(fromHex('0121')).issue).toMatch(/unknown frame type 0x21/);
    expect(parseFrames(fromHex('0600056162')).issue).toBe('frame cut short');
  });
});

describe('CRYPTO reassembly', () => {
  const msg = (type: number, n: number) => concatBytes(Uint8Array.of(type, 0, n >> 8, n & 0xff), new Uint8Array(n).fill(type));
  it('delivers handshake messages when the bytes before them have arrived, whatever the order', () => {
    const s = new CryptoStream();
    const data = concatBytes(msg(1, 300), msg(2, 50));
    expect(s.add(200, data.subarray(200, 320))).toEqual([]);
    expect(s.add(320, data.subarray(320))).toEqual([]);
    const out = s.add(0, data.subarray(0, 250));
    expect(out.map((m) => [m.type, m.body.length])).toEqual([[1, 300], [2, 50]]);
    expect(s.heldBytes).toBe(0);
  });
  it('ignores retransmissions and overlaps', () => {
    const s = new CryptoStream();
    const m = msg(1, 100);
    expect(s.add(0, m.subarray(0, 60))).toEqual([]);
    expect(s.add(0, m.subarray(0, 60))).toEqual([]);
    expect(s.add(40, m.subarray(40))).toHaveLength(1);
    expect(s.add(0, m)).toEqual([]);
  });
  it('drops data beyond its cap instead of growing', () => {
    const s = new CryptoStream(1000);
    expect(s.add(5000, new Uint8Array(10))).toEqual([]);
    expect(s.overflowed).toBe(true);
    expect(s.heldBytes).toBe(0);
    const t = new CryptoStream(1000);
    expect(t.add(0, Uint8Array.of(1, 0xff, 0xff, 0xff))).toEqual([]); // a 16 MB message announced
    expect(t.overflowed).toBe(true);
  });
});

describe('transport parameters (RFC 9000 §18)', () => {
  it('decodes integers, byte strings, flags, preferred_address and version_information', () => {
    const pa = concatBytes(fromHex('c0000201' + '01bb'), fromHex('20010db8000000000000000000000001' + '01bb'), fromHex('04a1b2c3d4'), new Uint8Array(16).fill(0x11));
    const vi = fromHex('00000001' + '6b3343cf00000001');
    const tp = concatBytes(fromHex('0104' + '80007530'), fromHex('0c00'), fromHex('0f04' + 'c1c1c1c1'),
      fromHex('0d'), encodeVarint(pa.length), pa, fromHex('11'), encodeVarint(vi.length), vi, fromHex('1b00'));
    const r = parseTransportParameters(tp);
    expect(r.issue).toBeUndefined();
    expect(r.byName).toMatchObject({
      max_idle_timeout: 30000, disable_active_migration: true, initial_source_connection_id: 'c1c1c1c1',
      preferred_address: { ipv4: '192.0.2.1:443', ipv6: '[2001:db8:0:0:0:0:0:1]:443', connectionId: 'a1b2c3d4' },
      version_information: { chosen: '0x00000001', available: ['0x6b3343cf', '0x00000001'] },
    });
    expect(r.list.at(-1)!.name).toBe('GREASE'); // id 27 = 31 * 0 + 27 (RFC 9000 §18.1)
  });
  it('reads the pre-draft-27 layout and reports a list cut short', () => {
    const legacy = fromHex('000a' + '0001' + '0002' + '1234' + '000c' + '0000');
    expect(parseTransportParameters(legacy, true).list.map((p) => p.name)).toEqual(['max_idle_timeout', 'disable_active_migration']);
    expect(parseTransportParameters(fromHex('0108aabb')).issue).toMatch(/runs past/);
  });
});

describe('versions', () => {
  it('names versions and knows which ones Initials can be read for', () => {
    expect(quicVersion(1)).toMatchObject({ name: '1', detectable: true });
    expect(quicVersion(0xff00001d)).toMatchObject({ name: 'draft-29', draft: 29 });
    expect(toHex(quicVersion(0xff00001d).salt!)).toBe('afbfec289993d24c9e9786f19c6111e04390a899');
    expect(toHex(quicVersion(0xff00001c).salt!)).toBe('c3eef712c72ebb5a11a7d2432bb46365bef9f502');
    expect(quicVersion(0x51303436)).toMatchObject({ name: 'Google Q046', detectable: false });
    expect(quicVersion(0x54303531)).toMatchObject({ name: 'Google T051', detectable: true });
    expect(quicVersion(0x5a6a7a8a).family).toBe('grease');
    expect(versionHex(0x6b3343cf)).toBe('0x6b3343cf');
  });
});
