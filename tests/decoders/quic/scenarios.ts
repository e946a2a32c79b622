// QUIC conversations built in the tests (real Initial protection, opaque Handshake/1-RTT payloads), each a list of
// UDP datagrams. Used to compare with tshark on situations the shared captures do not show.
import { concatBytes } from '../../../decoders/quic/varint';
import {
  clientHello, dgram, frame, initialPacket, opaqueLongPacket, retryPacket, serverHello, shortPacket, transportParams,
  V1, V2, versionNegotiation,
} from './build';
import type { Datagram } from './support';

/** Makes a CID unique to scenario k (last byte = k), so scenarios can share one capture without colliding. */
export function uniq(cid: string, k: number): string {
  return cid.length < 2 ? cid : cid.slice(0, -2) + (k & 0xff).toString(16).padStart(2, '0');
}

export interface HandshakeOpts {
  /** Scenario number mixed into every CID. */
  k?: number;
  version?: number;
  serverVersion?: number;
  sni?: string;
  odcid?: string;
  ccid?: string;
  scid?: string;
  clientPort?: number;
  firstFrame?: number;
}

/** Initial/ClientHello; Initial+Handshake+padding; Initial ACK+Handshake+1-RTT; 1-RTT both ways. */
export function handshake(o: HandshakeOpts = {}): Datagram[] {
  const version = o.version ?? V1, sv = o.serverVersion ?? version;
  const k = o.k ?? 0;
  const od = uniq(o.odcid ?? '8394c8f03e515708', k), cc = uniq(o.ccid ?? 'c1c1c1c1', k);
  const sc = uniq(o.scid ?? '5e5e5e5e5e5e5e5e', k);
  const f = o.firstFrame ?? 1, port = { clientPort: o.clientPort ?? 50000 };
  const ch = clientHello({ sni: o.sni ?? 'example.com', alpn: ['h3'], transportParams: transportParams([[1, 30000]]) });
  return [
    dgram(f, false, initialPacket({ version, keysDcid: od, dcid: od, scid: cc, pn: 0, payload: frame.crypto(0, ch) }), port),
    dgram(f + 1, true, concatBytes(
      initialPacket({ version: sv, fromServer: true, keysDcid: od, dcid: cc, scid: sc, pn: 0, payload: concatBytes(frame.ack(0), frame.crypto(0, serverHello())) }),
      opaqueLongPacket('handshake', { version: sv, dcid: cc, scid: sc, size: 300 }), new Uint8Array(200)), port),
    dgram(f + 2, false, concatBytes(
      initialPacket({ version: sv, keysDcid: od, dcid: sc, scid: cc, pn: 1, payload: frame.ack(0) }),
      opaqueLongPacket('handshake', { version: sv, dcid: sc, scid: cc, size: 60 }), shortPacket(sc)), port),
    dgram(f + 3, true, shortPacket(cc, 200), port),
    dgram(f + 4, false, shortPacket(sc, 30), port),
  ];
}

export function retryFlow(k = 0): Datagram[] {
  const token = new Uint8Array(40).fill(0x61);
  const [od, cc, rc, sc] = ['0102030405060708', 'c1c1c1c1', '7e7e7e7e7e7e', '5e5e5e5e'].map((c) => uniq(c, k));
  const ch = clientHello({ sni: 'retry.example', alpn: ['h3'] });
  return [
    dgram(1, false, initialPacket({ keysDcid: od, dcid: od, scid: cc, pn: 0, payload: frame.crypto(0, ch) })),
    dgram(2, true, retryPacket({ odcid: od, dcid: cc, scid: rc, token })),
    dgram(3, false, initialPacket({ keysDcid: rc, dcid: rc, scid: cc, pn: 1, token, payload: frame.crypto(0, ch) })),
    dgram(4, true, concatBytes(
      initialPacket({ fromServer: true, keysDcid: rc, dcid: cc, scid: sc, pn: 0, payload: concatBytes(frame.ack(1), frame.crypto(0, serverHello())) }),
      opaqueLongPacket('handshake', { dcid: cc, scid: sc, size: 100 }))),
    dgram(5, false, concatBytes(
      initialPacket({ keysDcid: rc, dcid: sc, scid: cc, pn: 2, token, payload: frame.ack(0) }),
      opaqueLongPacket('handshake', { dcid: sc, scid: cc, size: 50 }), shortPacket(sc))),
    dgram(6, true, shortPacket(cc, 100)),
  ];
}

export function versionNegotiationFlow(k = 0): Datagram[] {
  const [od, cc, sc] = ['1112131415161718', 'c1c1c1c1', '5e5e5e5e'].map((c) => uniq(c, k));
  const ch = clientHello({ sni: 'vn.example' });
  return [
    dgram(1, false, initialPacket({ version: 0x1a2a3a4a, keysDcid: od, dcid: od, scid: cc, pn: 0, payload: frame.crypto(0, ch) })),
    dgram(2, true, versionNegotiation({ dcid: cc, scid: od, versions: [V1, V2] })),
    dgram(3, false, initialPacket({ keysDcid: od, dcid: od, scid: cc, pn: 0, payload: frame.crypto(0, ch) })),
    dgram(4, true, concatBytes(
      initialPacket({ fromServer: true, keysDcid: od, dcid: cc, scid: sc, pn: 0, payload: frame.crypto(0, serverHello()) }),
      opaqueLongPacket('handshake', { dcid: cc, scid: sc, size: 80 }))),
    dgram(5, false, shortPacket(sc)),
  ];
}

/** After the handshake the client continues from another port (NAT rebinding / migration). */
export function migration(k = 0): Datagram[] {
  const ds = handshake({ sni: 'migrate.example', k });
  const sc = uniq('5e5e5e5e5e5e5e5e', k), cc = uniq('c1c1c1c1', k);
  ds.push(dgram(6, false, shortPacket(sc, 50), { clientPort: 61000 }));
  ds.push(dgram(7, true, shortPacket(cc, 120), { clientPort: 61000 }));
  ds.push(dgram(8, false, shortPacket(sc, 40), { clientPort: 61000 }));
  return ds;
}

/** Two connections from different client ports, interleaved. */
export function twoConnections(k = 0): Datagram[] {
  const a = handshake({ sni: 'a.example', k });
  const b = handshake({ sni: 'b.example', odcid: 'a0a1a2a3a4a5a6a7', ccid: 'c2c2c2c2', scid: '5f5f5f5f', clientPort: 50001, k });
  const out: Datagram[] = [];
  for (let i = 0; i < a.length; i++) out.push(a[i], b[i]);
  return out.map((d, i) => ({ ...d, frame: i + 1, time: (i + 1) * 0.01 }));
}

/** Client with a zero-length connection ID: server packets carry no DCID at all. */
export function zeroLengthClientCid(k = 0): Datagram[] {
  return handshake({ ccid: '', sni: 'nocid.example', k });
}

/** A ClientHello too big for one packet, its second half arriving first. */
export function splitClientHello(k = 0): Datagram[] {
  const [od, cc] = ['2122232425262728', 'c1c1c1c1'].map((c) => uniq(c, k));
  const ch = clientHello({ sni: 'split.example', alpn: ['h3'], keySharePad: 1800 });
  return [
    dgram(1, false, initialPacket({ keysDcid: od, dcid: od, scid: cc, pn: 1, payload: frame.crypto(1000, ch.subarray(1000)) })),
    dgram(2, false, initialPacket({ keysDcid: od, dcid: od, scid: cc, pn: 0, payload: frame.crypto(0, ch.subarray(0, 1000)) })),
  ];
}

/** 0-RTT packets arriving before the Initial they follow, and coalesced after it. */
export function zeroRtt(k = 0): Datagram[] {
  const [od, cc] = ['3132333435363738', 'c1c1c1c1'].map((c) => uniq(c, k));
  const ch = clientHello({ sni: 'early.example' });
  return [
    dgram(1, false, opaqueLongPacket('0rtt', { dcid: od, scid: cc, size: 200 })),
    dgram(2, false, concatBytes(
      initialPacket({ keysDcid: od, dcid: od, scid: cc, pn: 0, payload: frame.crypto(0, ch), pad: false }),
      opaqueLongPacket('0rtt', { dcid: od, scid: cc, size: 900 }))),
  ];
}

export function draft29(k = 0): Datagram[] {
  return handshake({ version: 0xff00001d, sni: 'draft29.example', k });
}

export function quicV2(k = 0): Datagram[] {
  return handshake({ version: V2, sni: 'v2.example', k });
}

export function compatibleV1toV2(k = 0): Datagram[] {
  return handshake({ version: V1, serverVersion: V2, sni: 'compat.example', k });
}

/** A test tool with fixed CIDs run twice from different ports: two connections with the same CIDs. */
export function sameCidsTwice(k = 0): Datagram[] {
  return [...handshake({ k, sni: 'run1.example' }), ...handshake({ k, sni: 'run2.example', clientPort: 50002, firstFrame: 6 })];
}

/** Scenario builders; the argument makes their CIDs unique. */
export const SCENARIOS: Record<string, (k: number) => Datagram[]> = {
  handshake: (k) => handshake({ k }), retryFlow, versionNegotiationFlow, migration, twoConnections, zeroLengthClientCid,
  splitClientHello, zeroRtt, draft29, quicV2, compatibleV1toV2, sameCidsTwice,
};
