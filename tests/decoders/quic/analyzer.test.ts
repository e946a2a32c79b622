// QuicAnalyzer on handshakes built in the test with real Initial protection: what the JSON and the timeline say
// about packet types, connection IDs, the ClientHello, Retry, Version Negotiation, coalescing and migration.
import { describe, expect, it } from 'vitest';
import { explainQuicEvent } from '../../../decoders/quic/explain';
import type { QuicHandshakeRef, QuicPacketRef } from '../../../decoders/quic/analyzer';
import { concatBytes, fromHex } from '../../../decoders/quic/varint';
import { Dir } from '../../../decoders/timeline';
import {
  clientHello, dgram, frame, initialPacket, opaqueLongPacket, retryPacket, serverHello, shortPacket,
  transportParams, V1, V2, versionNegotiation,
} from './build';
import { CLIENT_CRYPTO_FRAME, DCID, V1 as RFC_V1, V2 as RFC_V2 } from './rfc-vectors';
import { runDatagrams, type Datagram } from './support';
import { sameCidsTwice } from './scenarios';

const ODCID = '8394c8f03e515708', CCID = 'c1c1c1c1', SCID = '5e5e5e5e5e5e5e5e';
const [ODCID_, CCID_, SCID_] = [ODCID, CCID, SCID];

function events(t: ReturnType<typeof runDatagrams>['timeline']) {
  return Array.from({ length: t.count }, (_, i) => t.get(i));
}

/** A complete 1-RTT handshake: Initial/ClientHello, Initial+Handshake+padding, Initial ACK+Handshake, 1-RTT both ways. */
function handshake(o: { version?: number; sni?: string; serverVersion?: number; cids?: [string, string, string] } = {}):
  Datagram[] {
  const version = o.version ?? V1;
  const [ODCID, CCID, SCID] = o.cids ?? [ODCID_, CCID_, SCID_];
  const ch = clientHello({ sni: o.sni ?? 'example.com', alpn: ['h3'],
    transportParams: transportParams([[0x01, 30000], [0x04, 1 << 20]], [[0x0f, fromHex(CCID)]]) });
  const sv = o.serverVersion ?? version;
  return [
    dgram(1, false, initialPacket({ version, keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 0, payload: frame.crypto(0, ch) })),
    dgram(2, true, concatBytes(
      initialPacket({ version: sv, fromServer: true, keysDcid: ODCID, dcid: CCID, scid: SCID, pn: 0,
        payload: concatBytes(frame.ack(0), frame.crypto(0, serverHello())) }),
      opaqueLongPacket('handshake', { version: sv, dcid: CCID, scid: SCID, size: 300 }),
      new Uint8Array(200))),
    dgram(3, false, concatBytes(
      initialPacket({ version: sv, keysDcid: ODCID, dcid: SCID, scid: CCID, pn: 1, payload: frame.ack(0) }),
      opaqueLongPacket('handshake', { version: sv, dcid: SCID, scid: CCID, size: 60 }),
      shortPacket(SCID))),
    dgram(4, true, shortPacket(CCID, 200)),
    dgram(5, false, shortPacket(SCID, 30)),
  ];
}

describe('a QUIC v1 handshake', () => {
  const r = runDatagrams(handshake());
  const json = r.quic.toJson();

  it('lists every packet of every datagram, not the padding after the coalesced ones', () => {
    expect(json.map((p) => `${p.frame}#${p.indexInDatagram} ${p.header} ${p.packetType}`)).toEqual([
      '1#0 long initial', '2#0 long initial', '2#1 long handshake', '3#0 long initial', '3#1 long handshake',
      '3#2 short 1rtt', '4#0 short 1rtt', '5#0 short 1rtt',
    ]);
  });

  it('reports versions and connection IDs as the headers carry them', () => {
    expect(json[0]).toMatchObject({ version: '0x00000001', dcid: ODCID, scid: CCID });
    expect(json[1]).toMatchObject({ dcid: CCID, scid: SCID });
    // short headers: the DCID length is known from the CID the peer chose in its long headers
    expect(json[5].dcid).toBe(SCID);
    expect(json[6].dcid).toBe(CCID);
    expect(json[5].version).toBeUndefined();
  });

  it('decrypts the Initials: packet numbers, frame types, SNI/ALPN on the packet completing the ClientHello', () => {
    expect(json[0]).toMatchObject({ packetNumber: 0, frameTypes: [6, 0], sni: 'example.com', alpn: ['h3'] });
    expect(json[1]).toMatchObject({ packetNumber: 0, frameTypes: [2, 6] });
    expect(json[1].sni).toBeUndefined();
    expect(json[3]).toMatchObject({ packetNumber: 1, frameTypes: [2, 0] });
    expect(json[2].packetNumber).toBeUndefined(); // Handshake: protected
  });

  it('opens one QUIC conversation titled with the SNI, with directions', () => {
    expect(new Set(r.convs)).toEqual(new Set([0]));
    const c = r.conversations.list[0];
    expect(c).toMatchObject({ protocol: 'quic', app: 'quic', title: 'QUIC example.com', client: '10.0.0.1:50000', server: '10.0.0.2:443' });
    const ev = events(r.timeline);
    expect(ev.filter((e) => e.frame === 2).every((e) => e.dir === Dir.SERVER_TO_CLIENT)).toBe(true);
  });

  it('writes an event per packet and the handshake cost at the client\'s first 1-RTT packet', () => {
    const ev = events(r.timeline);
    expect(ev.map((e) => `${e.frame} ${e.kind}`)).toEqual([
      '1 quic.initial', '2 quic.initial', '2 quic.handshake', '3 quic.initial', '3 quic.handshake', '3 quic.1rtt',
      '3 quic.handshake_completed', '4 quic.1rtt', '5 quic.1rtt',
    ]);
    const done = ev.find((e) => e.kind === 'quic.handshake_completed')!;
    expect(done.a).toBe(1);
    const ref = done.ref as QuicHandshakeRef;
    expect(ref).toMatchObject({ roundTrips: 1, retries: 0, versionNegotiations: 0, sni: 'example.com' });
    expect(ref.rtt).toBeCloseTo(0.01, 6);
    const text = explainQuicEvent(done)!;
    expect(text).toMatch(/1 round trip/);
    expect(text).toMatch(/TCP.*2 round trips/);
    // later 1-RTT packets of a direction carry no ref (memory), only the size
    expect(ev[8].ref).toBeUndefined();
    expect(ev[8].b).toBe(1 + 8 + 30);
  });

  it('builds the facts of Handshake and first 1-RTT packets from the packet log, keys in the usual order', () => {
    const ev = events(r.timeline);
    // built when read (after finish()), the same as the objects the other packets keep
    expect(Object.keys(ev[2].ref as object)).toEqual(['packetType', 'header', 'dcid', 'length', 'indexInDatagram',
      'decrypted', 'version', 'versionName', 'scid']);
    expect(ev[2].ref).toEqual({ packetType: 'handshake', header: 'long', dcid: CCID, length: ev[2].b, indexInDatagram: 1,
      decrypted: false, version: '0x00000001', versionName: (ev[0].ref as QuicPacketRef).versionName, scid: SCID });
    expect(ev[4].ref).toMatchObject({ packetType: 'handshake', dcid: SCID, scid: CCID, indexInDatagram: 1 });
    // a 1-RTT packet coalesced after the long ones, and the first one of the server (a datagram of its own)
    expect(ev[5].ref).toEqual({ packetType: '1rtt', header: 'short', dcid: SCID, length: ev[5].b, indexInDatagram: 2,
      decrypted: false });
    expect(ev[7].ref).toEqual({ packetType: '1rtt', header: 'short', dcid: CCID, length: ev[7].b, indexInDatagram: 0,
      decrypted: false });
    expect(Object.keys(ev[5].ref as object)).toEqual(['packetType', 'header', 'dcid', 'length', 'indexInDatagram',
      'decrypted']);
    expect(r.timeline.get(2).ref).not.toBe(r.timeline.get(2).ref); // a fresh object per read: no reader can change another's
  });

  it('decodes the client\'s transport parameters and fingerprints the ClientHello', () => {
    const ref = events(r.timeline)[0].ref as QuicPacketRef;
    expect(ref.transportParameters).toMatchObject({ max_idle_timeout: 30000, initial_max_data: 1 << 20, initial_source_connection_id: CCID });
    expect(ref.tls).toEqual(['client_hello']);
    expect(ref.ja4).toMatch(/^q13d0106h3_/); // 1 cipher suite, 6 extensions, ALPN h3
    expect(explainQuicEvent(events(r.timeline)[0])).toMatch(/ClientHello for example\.com/);
  });
});

describe('the RFC sample packets through the analyzer', () => {
  it.each([['v1', RFC_V1, '0x00000001'], ['v2', RFC_V2, '0x6b3343cf']] as const)('%s client and server Initial', (_, v, hexVersion) => {
    const r = runDatagrams([dgram(1, false, fromHex(v.clientPacket)), dgram(2, true, fromHex(v.serverPacket))]);
    const json = r.quic.toJson();
    // RFC 9001 A.2 ClientHello: server_name example.com, ALPN "alpn"
    expect(json[0]).toMatchObject({ version: hexVersion, packetType: 'initial', dcid: DCID, scid: '', packetNumber: 2, sni: 'example.com', alpn: ['alpn'] });
    expect(json[1]).toMatchObject({ packetType: 'initial', dcid: '', scid: 'f067a5502a4262b5', packetNumber: 1, frameTypes: [2, 6] });
    const ref = r.timeline.get(0).ref as QuicPacketRef;
    expect(ref.transportParameters).toMatchObject({ max_idle_timeout: 30000, initial_max_streams_bidi: 16, initial_source_connection_id: DCID });
    expect((r.timeline.get(1).ref as QuicPacketRef).cipherSuite).toMatch(/AES_128_GCM/);
    expect(CLIENT_CRYPTO_FRAME.length).toBeGreaterThan(0);
  });
});

describe('Retry', () => {
  const token = new TextEncoder().encode('address-validation-token');
  const RCID = '7e7e7e7e7e7e';
  const build = (corrupt = false) => {
    const ch = clientHello({ sni: 'retry.example', alpn: ['h3'] });
    return [
      dgram(1, false, initialPacket({ keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 0, payload: frame.crypto(0, ch) })),
      dgram(2, true, retryPacket({ odcid: ODCID, dcid: CCID, scid: RCID, token, corrupt })),
      // the client repeats its ClientHello with the token, keys now derived from the Retry's SCID
      dgram(3, false, initialPacket({ keysDcid: RCID, dcid: RCID, scid: CCID, pn: 1, token, payload: frame.crypto(0, ch) })),
      dgram(4, true, concatBytes(
        initialPacket({ fromServer: true, keysDcid: RCID, dcid: CCID, scid: SCID, pn: 0, payload: concatBytes(frame.ack(1), frame.crypto(0, serverHello())) }),
        opaqueLongPacket('handshake', { dcid: CCID, scid: SCID, size: 100 }))),
      dgram(5, false, shortPacket(SCID)),
    ];
  };

  it('re-derives the Initial keys from the new DCID and counts the extra round trip', () => {
    const r = runDatagrams(build());
    const json = r.quic.toJson();
    expect(json.map((p) => p.packetType)).toEqual(['initial', 'retry', 'initial', 'initial', 'handshake', '1rtt']);
    expect(json[1]).toMatchObject({ dcid: CCID, scid: RCID });
    expect(json[0].sni).toBe('retry.example');
    expect(json[2]).toMatchObject({ packetNumber: 1, frameTypes: [6, 0] });
    expect(json[2].sni).toBeUndefined(); // the same ClientHello again: a retransmission, not a new message
    expect(json[3]).toMatchObject({ packetNumber: 0, frameTypes: [2, 6] });
    const ev = events(r.timeline);
    const retry = ev.find((e) => e.kind === 'quic.retry')!.ref as QuicPacketRef;
    expect(retry.retry).toEqual({ tokenLength: token.length, integrity: 'valid', newCid: RCID });
    const again = ev.find((e) => e.kind === 'quic.initial' && e.frame === 3)!;
    expect((again.ref as QuicPacketRef).tokenLength).toBe(token.length);
    expect(explainQuicEvent(again)).toMatch(/ClientHello again .* token/);
    const done = ev.find((e) => e.kind === 'quic.handshake_completed')!;
    expect(done.a).toBe(2);
    expect(explainQuicEvent(done)).toMatch(/Retry cost 1 extra round trip/);
    expect(r.conversations.list[0].notes.retry).toBe(1);
  });

  it('reports a Retry whose integrity tag does not match the original DCID', () => {
    const r = runDatagrams(build(true));
    const retry = events(r.timeline).find((e) => e.kind === 'quic.retry')!;
    expect((retry.ref as QuicPacketRef).retry!.integrity).toBe('invalid');
    expect(explainQuicEvent(retry)).toMatch(/does not match/);
  });
});

describe('Version Negotiation', () => {
  it('follows a client that forces negotiation with a GREASE version, then retries in v1', () => {
    const ch = clientHello({ sni: 'vn.example' });
    const grease = 0x1a2a3a4a;
    const r = runDatagrams([
      dgram(1, false, initialPacket({ version: grease, keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 0, payload: frame.crypto(0, ch) })),
      dgram(2, true, versionNegotiation({ dcid: CCID, scid: ODCID, versions: [V1, V2] })),
      dgram(3, false, initialPacket({ keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 0, payload: frame.crypto(0, ch) })),
      dgram(4, true, initialPacket({ fromServer: true, keysDcid: ODCID, dcid: CCID, scid: SCID, pn: 0, payload: frame.crypto(0, serverHello()) })),
      dgram(5, false, shortPacket(SCID)),
    ]);
    const json = r.quic.toJson();
    expect(json.map((p) => `${p.version} ${p.packetType}`)).toEqual([
      '0x1a2a3a4a initial', '0x00000000 version_negotiation', '0x00000001 initial', '0x00000001 initial', 'undefined 1rtt',
    ]);
    expect(json[1]).toMatchObject({ dcid: CCID, scid: ODCID });
    expect(json[2].sni).toBe('vn.example'); // a new attempt: new keys, a new ClientHello
    const ev = events(r.timeline);
    expect((ev[1].ref as QuicPacketRef).versions).toEqual(['0x00000001', '0x6b3343cf']);
    expect((ev[0].ref as QuicPacketRef).forcingVersionNegotiation).toBe(true);
    expect(ev.find((e) => e.kind === 'quic.handshake_completed')!.a).toBe(2);
    expect(explainQuicEvent(ev[1])).toMatch(/one extra round trip/);
  });

  it('decrypts a v2 server Initial answering a v1 client (compatible negotiation, RFC 9368)', () => {
    const r = runDatagrams(handshake({ version: V1, serverVersion: V2 }));
    const json = r.quic.toJson();
    expect(json[1]).toMatchObject({ version: '0x6b3343cf', packetType: 'initial', frameTypes: [2, 6] });
    expect(json[2]).toMatchObject({ version: '0x6b3343cf', packetType: 'handshake' });
    const done = events(r.timeline).find((e) => e.kind === 'quic.handshake_completed')!;
    expect((done.ref as QuicHandshakeRef).version).toBe('2');
    expect(done.a).toBe(1);
  });
});

describe('pre-RFC versions with their own Initial salts', () => {
  // A round trip through our own protection: it checks that each version reaches its salt, labels and v1 type
  // numbering. The salt values themselves are checked in parts.test.ts and by the draft-28 capture (ndpi__quic_0RTT).
  it.each([
    [0xff00001d, '0xff00001d'], [0xff000020, '0xff000020'], [0xff00001b, '0xff00001b'], [0xff000017, '0xff000017'],
    [0x54303531, '0x54303531'], [0xfaceb002, '0xfaceb002'],
  ])('version %s decrypts and shows the SNI', (version, hexVersion) => {
    const json = runDatagrams(handshake({ version, sni: 'draft.example' })).quic.toJson();
    expect(json[0]).toMatchObject({ version: hexVersion, packetType: 'initial', sni: 'draft.example', frameTypes: [6, 0] });
    expect(json[1]).toMatchObject({ packetType: 'initial', frameTypes: [2, 6] });
  });
});

describe('QUIC v2 and CRYPTO reassembly', () => {
  it('renumbers long-header types in v2', () => {
    const json = runDatagrams(handshake({ version: V2, sni: 'v2.example' })).quic.toJson();
    expect(json.slice(0, 3).map((p) => `${p.version} ${p.packetType}`)).toEqual([
      '0x6b3343cf initial', '0x6b3343cf initial', '0x6b3343cf handshake',
    ]);
    expect(json[0].sni).toBe('v2.example');
  });

  it('puts SNI on the packet that completes a ClientHello split over datagrams and received out of order', () => {
    const ch = clientHello({ sni: 'split.example', alpn: ['h3'], keySharePad: 1800 });
    const cut = 1000;
    const r = runDatagrams([
      dgram(1, false, initialPacket({ keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 1, payload: frame.crypto(cut, ch.subarray(cut)) })),
      dgram(2, false, initialPacket({ keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 0, payload: concatBytes(frame.ping(), frame.crypto(0, ch.subarray(0, cut))) })),
      dgram(3, false, initialPacket({ keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 2, payload: frame.crypto(0, ch.subarray(0, 500)) })),
    ]);
    const json = r.quic.toJson();
    expect(json[0].sni).toBeUndefined();
    expect(json[1]).toMatchObject({ sni: 'split.example', alpn: ['h3'], frameTypes: [1, 6, 0] });
    expect(json[2].sni).toBeUndefined();
  });
});

describe('connection tracking', () => {
  it('follows the client to a new port by the connection ID (migration)', () => {
    const ds = handshake();
    ds.push(dgram(6, false, shortPacket(SCID), { clientPort: 61000 }));
    ds.push(dgram(7, true, shortPacket(CCID), { clientPort: 61000 }));
    const r = runDatagrams(ds);
    expect(r.convs.slice(5)).toEqual([0, 0]);
    expect(r.conversations.list).toHaveLength(1);
    expect(r.conversations.list[0].notes.migration).toBe(1);
    const moved = events(r.timeline).find((e) => e.frame === 6)!;
    expect((moved.ref as QuicPacketRef).migratedFrom).toBe('10.0.0.1:50000');
    expect(explainQuicEvent(moved)).toMatch(/new address\/port/);
    expect(r.quic.toJson().at(-1)).toMatchObject({ dcid: CCID, header: 'short' });
  });

  it('also follows a port change first seen in a server packet', () => {
    const ds = handshake();
    ds.push(dgram(6, true, shortPacket(CCID), { clientPort: 62000 }));
    ds.push(dgram(7, false, shortPacket(SCID), { clientPort: 62000 }));
    const r = runDatagrams(ds);
    expect(r.convs.slice(5)).toEqual([0, 0]);
    expect(r.conversations.list[0].notes.migration).toBe(1);
    expect(events(r.timeline).filter((e) => e.frame >= 6).map((e) => e.dir)).toEqual([Dir.SERVER_TO_CLIENT, Dir.CLIENT_TO_SERVER]);
  });

  it('joins a capture that starts at the server\'s Initial: roles from the ports, keys from a repeated client Initial', () => {
    const ch = clientHello({ sni: 'late.example' });
    const r = runDatagrams([
      dgram(1, true, initialPacket({ fromServer: true, keysDcid: ODCID, dcid: CCID, scid: SCID, pn: 0, payload: frame.crypto(0, serverHello()) })),
      dgram(2, false, initialPacket({ keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 1, payload: frame.crypto(0, ch) })),
    ]);
    expect(r.convs).toEqual([0, 0]);
    expect(r.conversations.list[0]).toMatchObject({ client: '10.0.0.1:50000', server: '10.0.0.2:443', title: 'QUIC late.example' });
    const json = r.quic.toJson();
    expect(json[0].frameTypes).toBeUndefined(); // the key-deriving DCID was not known yet
    expect(json[1]).toMatchObject({ packetNumber: 1, sni: 'late.example' });
  });

  it('starts a new connection when a tool with fixed CIDs runs again from another port', () => {
    const r = runDatagrams(sameCidsTwice());
    expect(r.conversations.list.map((c) => `${c.client} ${c.title}`)).toEqual([
      '10.0.0.1:50000 QUIC run1.example', '10.0.0.1:50002 QUIC run2.example',
    ]);
    expect(r.conversations.list.every((c) => !c.notes.migration)).toBe(true);
  });

  it('keeps separate connections apart and ignores what is not QUIC', () => {
    const a = handshake();
    const b = handshake({ sni: 'other.example', cids: ['0123456789abcdef', 'c2c2c2c2', '5f5f5f5f'] }).map((d) => ({ ...d, frame: d.frame + 10, srcPort: d.srcPort === 50000 ? 50001 : d.srcPort, dstPort: d.dstPort === 50000 ? 50001 : d.dstPort }));
    const dns = dgram(30, false, fromHex('12340100000100000000000003777777076578616d706c6503636f6d0000010001'), { clientPort: 5353 });
    const stray = dgram(31, false, shortPacket('0102030405060708'), { clientPort: 40000 });
    const r = runDatagrams([...a, ...b, dns, stray]);
    expect(r.convs.slice(-2)).toEqual([-1, -1]);
    expect(r.conversations.list.map((c) => c.title)).toEqual(['QUIC example.com', 'QUIC other.example']);
  });

  it('does not list trailing bytes whose DCID differs from the first packet\'s', () => {
    const ch = clientHello({ sni: 'pad.example' });
    const first = initialPacket({ keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 0, payload: frame.crypto(0, ch), pad: false });
    const junk = opaqueLongPacket('handshake', { dcid: '0909090909090909', scid: CCID, size: 40 });
    const r = runDatagrams([dgram(1, false, concatBytes(first, junk, Uint8Array.of(0x40, 1, 2, 3)))]);
    expect(r.quic.toJson()).toHaveLength(1);
  });

  it('reports CONNECTION_CLOSE carried in an Initial', () => {
    const r = runDatagrams([
      dgram(1, false, initialPacket({ keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 0, payload: frame.crypto(0, clientHello({ sni: 'x.example' })) })),
      dgram(2, true, initialPacket({ fromServer: true, keysDcid: ODCID, dcid: CCID, scid: SCID, pn: 0, payload: frame.close(0x0128, 'no application protocol') })),
    ]);
    const close = events(r.timeline).find((e) => e.kind === 'quic.connection_close')!;
    expect(close).toMatchObject({ frame: 2, dir: Dir.SERVER_TO_CLIENT, a: 0x128, b: 0 });
    expect(close.ref).toMatchObject({ name: 'CRYPTO_ERROR (TLS alert 40)', reason: 'no application protocol' });
    expect(explainQuicEvent(close)).toMatch(/no application protocol/);
    expect(explainQuicEvent({ ...close, kind: 'tcp.syn_sent' })).toBeNull();
  });

  it('counts a HelloRetryRequest as an extra round trip', () => {
    const ch = clientHello({ sni: 'hrr.example' });
    const r = runDatagrams([
      dgram(1, false, initialPacket({ keysDcid: ODCID, dcid: ODCID, scid: CCID, pn: 0, payload: frame.crypto(0, ch) })),
      dgram(2, true, initialPacket({ fromServer: true, keysDcid: ODCID, dcid: CCID, scid: SCID, pn: 0, payload: frame.crypto(0, serverHello({ hrr: true })) })),
      dgram(3, false, initialPacket({ keysDcid: ODCID, dcid: SCID, scid: CCID, pn: 1, payload: frame.crypto(ch.length, ch) })),
      dgram(4, true, initialPacket({ fromServer: true, keysDcid: ODCID, dcid: CCID, scid: SCID, pn: 1, payload: frame.crypto(serverHello({ hrr: true }).length, serverHello()) })),
      dgram(5, false, shortPacket(SCID)),
    ]);
    const ev = events(r.timeline);
    expect((ev[1].ref as QuicPacketRef).tls).toEqual(['hello_retry_request']);
    expect(r.quic.toJson()[2].sni).toBe('hrr.example'); // the second ClientHello is a new message
    expect(ev.find((e) => e.kind === 'quic.handshake_completed')!.a).toBe(2);
  });
});
