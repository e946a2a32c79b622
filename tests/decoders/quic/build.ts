// Builders for QUIC test packets, protected with the real Initial keys (we hold them: they derive from the DCID),
// and for the TLS hellos they carry. Everything is encoded from the RFCs' layouts, never captured output.
import { initialKeys, protectPacket, retryTag } from '../../../decoders/quic/crypto';
import { concatBytes, encodeVarint, fromHex } from '../../../decoders/quic/varint';
import { longTypeBits, type LongPacketType } from '../../../decoders/quic/versions';
import type { Datagram } from './support';

export const V1 = 0x00000001;
export const V2 = 0x6b3343cf;

const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const u24 = (n: number) => Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff);
const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const ascii = (s: string) => new TextEncoder().encode(s);
const ext = (type: number, body: Uint8Array) => concatBytes(u16(type), u16(body.length), body);
const vec16 = (b: Uint8Array) => concatBytes(u16(b.length), b);
const vec8 = (b: Uint8Array) => concatBytes(Uint8Array.of(b.length), b);

/** A TLS 1.3 ClientHello handshake message (type + 24-bit length + body). */
export function clientHello(opts: { sni?: string; alpn?: string[]; transportParams?: Uint8Array; keySharePad?: number }):
  Uint8Array {
  const exts: Uint8Array[] = [];
  if (opts.sni) exts.push(ext(0, vec16(concatBytes(Uint8Array.of(0), vec16(ascii(opts.sni))))));
  if (opts.alpn) exts.push(ext(16, vec16(concatBytes(...opts.alpn.map((a) => vec8(ascii(a)))))));
  exts.push(ext(43, vec8(u16(0x0304))));
  exts.push(ext(10, vec16(u16(0x001d))));
  // key_share: x25519 plus an optional big share (post-quantum hybrids make ClientHellos span packets)
  const shares = [concatBytes(u16(0x001d), vec16(new Uint8Array(32).fill(7)))];
  if (opts.keySharePad) shares.push(concatBytes(u16(0x11ec), vec16(new Uint8Array(opts.keySharePad).fill(9))));
  exts.push(ext(51, vec16(concatBytes(...shares))));
  if (opts.transportParams) exts.push(ext(57, opts.transportParams));
  const body = concatBytes(u16(0x0303), new Uint8Array(32).fill(1), vec8(new Uint8Array(0)), vec16(u16(0x1301)),
    vec8(Uint8Array.of(0)), vec16(concatBytes(...exts)));
  return concatBytes(Uint8Array.of(1), u24(body.length), body);
}

const HRR_RANDOM = fromHex('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c');

/** A ServerHello (or HelloRetryRequest) handshake message. */
export function serverHello(opts: { hrr?: boolean } = {}): Uint8Array {
  const exts = [ext(43, u16(0x0304)), opts.hrr ? ext(51, u16(0x0017)) : ext(51, concatBytes(u16(0x001d), vec16(new Uint8Array(32).fill(3))))];
  const body = concatBytes(u16(0x0303), opts.hrr ? HRR_RANDOM : new Uint8Array(32).fill(2), vec8(new Uint8Array(0)),
    u16(0x1301), Uint8Array.of(0), vec16(concatBytes(...exts)));
  return concatBytes(Uint8Array.of(2), u24(body.length), body);
}

/** Transport parameters: (id, varint value) pairs plus raw byte-string parameters. */
export function transportParams(ints: [number, number][], bytes: [number, Uint8Array][] = []): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [id, v] of ints) { const e = encodeVarint(v); parts.push(encodeVarint(id), encodeVarint(e.length), e); }
  for (const [id, b] of bytes) parts.push(encodeVarint(id), encodeVarint(b.length), b);
  return concatBytes(...parts);
}

export const frame = {
  crypto: (offset: number, data: Uint8Array) => concatBytes(Uint8Array.of(6), encodeVarint(offset), encodeVarint(data.length), data),
  ack: (largest: number, first = 0) => concatBytes(Uint8Array.of(2), encodeVarint(largest), encodeVarint(0), encodeVarint(0), encodeVarint(first)),
  ping: () => Uint8Array.of(1),
  padding: (n: number) => new Uint8Array(n),
  close: (error: number, reason: string) => concatBytes(Uint8Array.of(0x1c), encodeVarint(error), encodeVarint(0), encodeVarint(reason.length), ascii(reason)),
};

/**
 * A protected Initial packet. `keysDcid` is the client's original DCID (the keys), `dcid`/`scid` the header's CIDs.
 * Client Initials are padded (PADDING frames) to a 1200-byte packet unless `pad` is false.
 */
export function initialPacket(o: { version?: number; fromServer?: boolean; keysDcid: string; dcid: string; scid: string;
  pn: number; payload: Uint8Array; token?: Uint8Array; pad?: boolean }): Uint8Array {
  const version = o.version ?? V1;
  const keys = initialKeys(version, fromHex(o.keysDcid))!;
  const dcid = fromHex(o.dcid), scid = fromHex(o.scid), token = o.token ?? new Uint8Array(0);
  let payload = o.payload;
  const pnLen = 2;
  const headerLen = (len: number) => 1 + 4 + 1 + dcid.length + 1 + scid.length + encodeVarint(token.length).length +
    token.length + encodeVarint(len).length + pnLen;
  if (!o.fromServer && o.pad !== false) {
    const want = 1200 - headerLen(1200) - 16;
    if (payload.length < want) payload = concatBytes(payload, new Uint8Array(want - payload.length));
  }
  if (payload.length < 4) payload = concatBytes(payload, new Uint8Array(4 - payload.length)); // room for the sample
  const length = pnLen + payload.length + 16;
  const first = 0xc0 | (longTypeBits('initial', version) << 4) | (pnLen - 1);
  const header = concatBytes(Uint8Array.of(first), u32(version), vec8(dcid), vec8(scid), encodeVarint(token.length),
    token, encodeVarint(length), u16(o.pn & 0xffff));
  return protectPacket(header, payload, o.fromServer ? keys.server : keys.client, o.pn, true);
}

/** A long-header packet whose payload we cannot (and need not) protect: Handshake or 0-RTT. */
export function opaqueLongPacket(type: Exclude<LongPacketType, 'initial' | 'retry'>, o: { version?: number; dcid: string;
  scid: string; size: number }): Uint8Array {
  const version = o.version ?? V1;
  const first = 0xc0 | (longTypeBits(type, version) << 4) | 1;
  const dcid = fromHex(o.dcid), scid = fromHex(o.scid);
  const body = new Uint8Array(o.size).map((_, i) => (i * 37 + 11) & 0xff);
  return concatBytes(Uint8Array.of(first), u32(version), vec8(dcid), vec8(scid), encodeVarint(body.length), body);
}

/** A 1-RTT packet: short header, DCID, opaque protected bytes. */
export function shortPacket(dcid: string, size = 40): Uint8Array {
  const body = new Uint8Array(size).map((_, i) => (i * 53 + 5) & 0xff);
  return concatBytes(Uint8Array.of(0x41), fromHex(dcid), body);
}

export function retryPacket(o: { version?: number; odcid: string; dcid: string; scid: string; token: Uint8Array;
  corrupt?: boolean }): Uint8Array {
  const version = o.version ?? V1;
  const first = 0xc0 | (longTypeBits('retry', version) << 4) | 0x0f;
  const body = concatBytes(Uint8Array.of(first), u32(version), vec8(fromHex(o.dcid)), vec8(fromHex(o.scid)), o.token);
  const tag = retryTag(version, fromHex(o.odcid), body)!;
  if (o.corrupt) tag[0] ^= 0xff;
  return concatBytes(body, tag);
}

export function versionNegotiation(o: { dcid: string; scid: string; versions: number[] }): Uint8Array {
  return concatBytes(Uint8Array.of(0x80 | 0x3a), u32(0), vec8(fromHex(o.dcid)), vec8(fromHex(o.scid)),
    ...o.versions.map(u32));
}

/** A datagram between the test client and server. */
export function dgram(frameNo: number, fromServer: boolean, payload: Uint8Array, o: { time?: number; clientPort?: number;
  clientAddr?: string } = {}): Datagram {
  const client = o.clientAddr ?? '10.0.0.1', cport = o.clientPort ?? 50000;
  return fromServer
    ? { frame: frameNo, time: o.time ?? frameNo * 0.01, src: '10.0.0.2', dst: client, srcPort: 443, dstPort: cport, payload }
    : { frame: frameNo, time: o.time ?? frameNo * 0.01, src: client, dst: '10.0.0.2', srcPort: cport, dstPort: 443, payload };
}
