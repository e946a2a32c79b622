// QUIC v1 packets for the generator: Initial packets protected for real (RFC 9001 §5: AES-128-GCM payload and
// AES-ECB header protection, keys derived from the client's first Destination Connection ID), so that Wireshark
// decrypts them and shows the ClientHello's SNI; Handshake and 1-RTT packets are opaque random bytes.
import { ecb, gcm } from '@noble/ciphers/aes.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ByteWriter } from './byte-writer';
import type { RandomPool } from './prng';

const INITIAL_SALT_V1 = Uint8Array.from([
  0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
]);

export interface PacketKeys { key: Uint8Array; iv: Uint8Array; hp: Uint8Array }

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context. */
function expandLabel(secret: Uint8Array, label: string, length: number): Uint8Array {
  const full = 'tls13 ' + label;
  const info = new ByteWriter().u16(length).u8(full.length).ascii(full).u8(0).finish();
  return expand(sha256, secret, info, length);
}

function keysFrom(secret: Uint8Array): PacketKeys {
  return { key: expandLabel(secret, 'quic key', 16), iv: expandLabel(secret, 'quic iv', 12), hp: expandLabel(secret, 'quic hp', 16) };
}

export function initialKeys(originalDcid: Uint8Array): { client: PacketKeys; server: PacketKeys } {
  const initial = extract(sha256, originalDcid, INITIAL_SALT_V1);
  return { client: keysFrom(expandLabel(initial, 'client in', 32)), server: keysFrom(expandLabel(initial, 'server in', 32)) };
}

/** CRYPTO frame (type 0x06) carrying handshake bytes at the given stream offset. */
export function cryptoFrame(w: ByteWriter, offset: number, data: Uint8Array): void {
  w.u8(0x06).varint(offset).varint(data.length).bytes(data);
}

/** ACK frame (type 0x02) for a single packet number. */
export function ackFrame(w: ByteWriter, largest: number, delay: number): void {
  w.u8(0x02).varint(largest).varint(delay).varint(0).varint(0);
}

/**
 * A protected Initial packet. `frames` is the plaintext; it is padded with PADDING frames so that the packet is at
 * least `minLength` bytes.
 */
export function protectedInitial(keys: PacketKeys, dcid: Uint8Array, scid: Uint8Array, pn: number, pnLength: number,
  frames: Uint8Array, minLength = 0): Uint8Array {
  const headerBase = 1 + 4 + 1 + dcid.length + 1 + scid.length + 1 /* token length 0 */ + 2 /* Length, 2-byte varint */;
  let plainLength = frames.length;
  const fixed = headerBase + pnLength + 16;
  if (fixed + plainLength < minLength) plainLength = minLength - fixed;
  // Header protection samples 16 bytes starting 4 bytes after the packet number start.
  if (pnLength + plainLength + 16 < 20) plainLength = 20 - pnLength - 16 + 4;
  const plain = new Uint8Array(plainLength);
  plain.set(frames);
  const h = new ByteWriter();
  h.u8(0xc0 | (pnLength - 1)).u32(1).u8(dcid.length).bytes(dcid).u8(scid.length).bytes(scid).varint(0);
  h.u16(0x4000 | (pnLength + plainLength + 16));
  for (let i = pnLength - 1; i >= 0; i--) h.u8((pn >>> (8 * i)) & 0xff);
  const header = h.finish();
  const nonce = keys.iv.slice();
  for (let i = 0; i < 4; i++) nonce[11 - i] ^= (pn >>> (8 * i)) & 0xff;
  const sealed = gcm(keys.key, nonce, header).encrypt(plain);
  const packet = new Uint8Array(header.length + sealed.length);
  packet.set(header);
  packet.set(sealed, header.length);
  const pnOffset = header.length - pnLength;
  const mask = ecb(keys.hp, { disablePadding: true }).encrypt(packet.subarray(pnOffset + 4, pnOffset + 20));
  packet[0] ^= mask[0] & 0x0f;
  for (let i = 0; i < pnLength; i++) packet[pnOffset + i] ^= mask[1 + i];
  return packet;
}

/** An opaque Handshake packet (long header type 2) of `length` bytes whose protected part is random. */
export function opaqueHandshake(pool: RandomPool, dcid: Uint8Array, scid: Uint8Array, length: number): Uint8Array {
  const h = new ByteWriter();
  h.u8(0xe0).u32(1).u8(dcid.length).bytes(dcid).u8(scid.length).bytes(scid);
  const rest = Math.max(24, length - h.length - 2);
  h.u16(0x4000 | rest);
  const header = h.finish();
  const packet = new Uint8Array(header.length + rest);
  packet.set(header);
  pool.copy(packet, header.length, rest);
  packet[0] = 0xe0 | (packet[header.length] & 0x0f); // protected low bits look random
  return packet;
}

/** Writes an opaque 1-RTT (short header) packet of `length` bytes into out at offset. */
export function writeShortHeader(pool: RandomPool, out: Uint8Array, offset: number, dcid: Uint8Array, length: number): void {
  pool.copy(out, offset, length);
  out[offset] = 0x40 | (out[offset] & 0x3f);
  out.set(dcid, offset + 1);
}
